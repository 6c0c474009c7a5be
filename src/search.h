/* sitesearch: the site's search over workshop groups and logbook entries, and the showcase
 * lists (newest entries, public groups) — always only what the viewer may see. */
#ifndef LANTERNE_SITESEARCH_H
#define LANTERNE_SITESEARCH_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

/* Limits. Lengths are in characters (Unicode code points). */
enum {
    SITESEARCH_Q_MIN = 2,   /* a query shorter than this (once trimmed) is 422 */
    SITESEARCH_Q_MAX = 100, /* longer is 422 */
    /* Matches read from one searched column (a group's title, an entry's body...) before the
     * visibility filter: the newest entries and groups first. A query matching more rows than
     * this in one column does not find the oldest of them; the total counts only what was
     * read and is visible. It is also the most one search index call gives (DB_SEARCH_LIMIT_MAX).
     */
    SITESEARCH_MATCH_MAX = 1000,
    SITESEARCH_PER_PAGE_DEFAULT = 20,
    SITESEARCH_PER_PAGE_MAX = 50,
    SITESEARCH_SNIPPET_CHARS = 200, /* about this long, cut at a word */
    SITESEARCH_LIST_MAX = 50000     /* entries or groups one showcase list reads */
};

enum sitesearch_kind { SITESEARCH_GROUP = 0, SITESEARCH_ENTRY = 1 };

/* A snippet in pieces, so a template can mark the words that matched without writing HTML
 * here: hit is 1 for a piece that is a matched word. Plain text (escape it on output). */
struct sitesearch_piece {
    const char *text;
    int hit;
};

/* Strings point into the arena given to sitesearch_query. */
struct sitesearch_hit {
    enum sitesearch_kind kind;
    int64_t id; /* the group's or the entry's */
    const char *title;
    int64_t group_id;
    const char *group_slug, *group_title;
    const char *structure_name; /* groups only, else "" */
    int64_t entry_date;         /* entries only (a day number), else 0 */
    const char *snippet;        /* plain text, "" when there is nothing to show */
    struct sitesearch_piece *pieces;
    int npieces;
};

/* One page of what matches q among the groups and published entries viewer (NULL:
 * anonymous) may see: a group through visibility_can_see_group (title, description, its
 * structure's name), an entry through the same rule as logbook_can_see for a published,
 * undeleted entry (title, text): its group's page visible and its own visibility reaching
 * the viewer. Pending and deleted entries are never found, not even by their authors.
 * Case, accents and punctuation are ignored; every word of q must begin a word of the
 * group's (or the entry's) searched text. Order: a title holding every word first, then
 * another single column holding every word, then matches spread over several columns; within
 * each, groups (most recent year first, then by title) before entries (newest first).
 * *total counts every visible match (see SITESEARCH_MATCH_MAX). q is 422 on "q" when shorter
 * than SITESEARCH_Q_MIN or longer than SITESEARCH_Q_MAX characters once trimmed, not UTF-8,
 * or with more words than a search takes. page from 1 (past the end: no items); per_page
 * 1..SITESEARCH_PER_PAGE_MAX (else the default). */
int sitesearch_query(struct db *db, struct arena *a, const struct account *viewer, const char *q,
                     int page, int per_page, struct sitesearch_hit **out, int *n, int64_t *total,
                     struct err *e);

/* A published entry for the showcase (home page, Atom feed, sitemap). */
struct sitesearch_entry {
    int64_t id, group_id;
    const char *group_slug, *group_title;
    int64_t entry_date; /* a day number */
    const char *title;
    const char *body_md; /* NULL unless asked for */
    int64_t created_at, updated_at;
};

/* The newest published, undeleted entries viewer (NULL: anonymous) may read, by entry date
 * then id, newest first; of group group_id only when > 0. At most limit
 * (1..SITESEARCH_LIST_MAX). with_body: fill body_md too. *out in a. */
int sitesearch_entries(struct db *db, struct arena *a, const struct account *viewer,
                       int64_t group_id, int limit, int with_body, struct sitesearch_entry **out,
                       int *n, struct err *e);

/* A group for the showcase (sitemap). */
struct sitesearch_group {
    int64_t id;
    const char *slug, *title;
    int64_t updated_at;
};

/* The groups viewer (NULL: anonymous) may see, by id, at most limit (1..SITESEARCH_LIST_MAX). */
int sitesearch_groups(struct db *db, struct arena *a, const struct account *viewer, int limit,
                      struct sitesearch_group **out, int *n, struct err *e);

/* The text of a Markdown body as plain text (rendered by logbook_render_md, tags dropped,
 * entities decoded, blanks collapsed), in a. */
const char *sitesearch_plain(struct arena *a, const char *md);
/* The start of text, about max_chars characters long, cut after a whole word with "…" when
 * cut; in a. */
const char *sitesearch_excerpt(struct arena *a, const char *text, int max_chars);
/* The snippet of hit h: about SITESEARCH_SNIPPET_CHARS of text around its first matched word
 * (words: the query's nwords normalised words), and the same in pieces with the matched words
 * apart (src/search_text.c). */
void sitesearch_snippet(struct arena *a, const char *text, const char *const *words, int nwords,
                        struct sitesearch_hit *h);

#endif
