/* logbook: the live logbook of a workshop group: dated entries in Markdown, approval of the
 * participants' entries, a history of edits and a soft deletion that can be undone. */
#ifndef LANTERNE_LOGBOOK_H
#define LANTERNE_LOGBOOK_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "visibility.h"

/* Limits. Lengths are in characters (Unicode code points). */
enum {
    LOGBOOK_TITLE_MAX = 200,
    LOGBOOK_BODY_MAX = 50000,
    LOGBOOK_UNDO_DAYS = 30, /* a deleted entry can be brought back this long */
    LOGBOOK_LIST_MAX = 500  /* entries one list reads, newest first */
};

/* Strings point into the arena given to the function that filled the struct. */
struct logbook_entry {
    int64_t id, group_id;
    int64_t author_user_id; /* 0 once the account is gone */
    const char *author_name;
    int64_t entry_date; /* a day number (consent_day) */
    const char *title, *body_md;
    enum vis_level visibility;
    int published;      /* 0: waiting for a manager's approval */
    int64_t deleted_at; /* unix seconds, 0 if not deleted */
    int64_t created_at, updated_at;
};

struct logbook_revision {
    int64_t id, entry_id, editor_user_id;
    const char *editor_name;
    int64_t at;
    const char *title, *body_md; /* the text as it was before that edit */
};

/* For create and update. On update, NULL keeps the current value. */
struct logbook_input {
    const char *title;
    const char *body_md;
    const char *visibility; /* "group", "network", "public"; NULL or "" on create = "group" */
    const char *entry_date; /* YYYY-MM-DD; NULL or "" on create = today */
};

/* Writes an entry in g's logbook (422 on "title", "body_md", "visibility", "entry_date"; a
 * protected group's entry beyond "group" is 422). Managers of the group (group_can_manage)
 * publish at once; its other members (group_is_member: participants) write a pending entry
 * a manager approves. Anyone else: 403. */
int logbook_create(struct db *db, const struct account *actor, const struct group *g,
                   const struct logbook_input *in, int64_t *id, struct err *e);
/* Changes an entry, keeping its previous title and text in its history. Its author (still a
 * member) or a manager; an edit by someone who is not a manager sends the entry back to
 * approval. 404 for a deleted entry. */
int logbook_update(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                   const struct logbook_input *in, struct err *e);
/* Publishes a pending entry: managers only (403); publishing a published entry changes
 * nothing. */
int logbook_approve(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                    struct err *e);
/* Soft deletion at now (unix seconds), and its undoing within LOGBOOK_UNDO_DAYS of it (410
 * past that; 409 when the entry is not deleted). Managers, or the author of the entry. */
int logbook_delete(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                   int64_t now, struct err *e);
int logbook_undelete(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                     int64_t now, struct err *e);

/* The entry, deleted or not, if it belongs to g (404 otherwise). No rights checked: callers
 * ask logbook_can_see. */
int logbook_get(struct db *db, struct arena *a, const struct group *g, int64_t id,
                struct logbook_entry *out, struct err *e);
/* The id of the group entry id belongs to, deleted or not: 0, or -1 with e (404 when there is
 * no such entry). For addresses that name an entry without its group (the API's
 * /api/v1/entries/{id}): load that group, then logbook_get and logbook_can_see as usual. */
int logbook_entry_group(struct db *db, int64_t id, int64_t *group_id, struct err *e);
/* Entry entry_id and its group, found by the entry's id alone (the API names entries so): 0
 * with g and en filled, or -1 with a 404 when there is no such entry. No rights checked. */
int logbook_get_by_id(struct db *db, struct arena *a, int64_t entry_id, struct group *g,
                      struct logbook_entry *out, struct err *e);
/* 1 if viewer (NULL: anonymous) may read the entry: not deleted, and published and visible
 * through visibility_can_see_item, or pending and the viewer is its author or a manager.
 * Deleted entries only to those who may undo the deletion (managers, author). */
int logbook_can_see(struct db *db, const struct account *viewer, const struct group *g,
                    const struct logbook_entry *en);
/* 1 if actor may edit / delete the entry, may approve entries of g, may write in g. */
int logbook_can_edit(struct db *db, const struct account *actor, const struct group *g,
                     const struct logbook_entry *en);
int logbook_can_write(struct db *db, const struct account *actor, const struct group *g);
/* The entries of g viewer may read (not deleted), newest first (entry date, then id), at
 * most LOGBOOK_LIST_MAX; *out in a. */
int logbook_list(struct db *db, struct arena *a, const struct account *viewer,
                 const struct group *g, struct logbook_entry **out, int *n, struct err *e);
/* The previous versions of an entry, newest first: managers only (403). */
int logbook_history(struct db *db, struct arena *a, const struct account *actor,
                    const struct group *g, int64_t id, struct logbook_revision **out, int *n,
                    struct err *e);

/* Markdown as HTML (CommonMark, cmark with CMARK_OPT_SAFE: raw HTML is dropped and links to
 * javascript:, vbscript:, file: and most data: URLs emptied), in a. The only HTML a template
 * may output unescaped. */
const char *logbook_render_md(struct arena *a, const char *md);

#endif
