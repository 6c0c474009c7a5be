/* sitesearch: the site search over groups and logbook entries, and the showcase lists. Matches
 * come from the search indexes of migration 0008 (one per column); who may see them is decided
 * in SQL by visibility_groups_where; ranking and paging are done here, the snippets in
 * search_text.c. */
#include "search.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/text.h"
#include "visibility.h"

enum {
    /* ids per "IN (...)" list. Always this many parameters (unused ones bound to 0, which
     * no row has), so each statement has one text and is prepared once per connection. */
    ID_CHUNK = 128,
    PAGE_MAX = 1000000 /* pages past this are answered empty */
};

/* The group's row with what visibility_groups_where needs: its coordination comes through the
 * structure's commune, as in src/group.c (a département has at most one coordination). */
#define GROUP_JOINS                                                                                \
    " JOIN structures s ON s.id = g.structure_id"                                                  \
    " JOIN communes c ON c.code = s.commune_code"                                                  \
    " LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code"
#define GROUP_FROM " FROM groups g" GROUP_JOINS
#define ENTRY_FROM " FROM entries e JOIN groups g ON g.id = e.group_id" GROUP_JOINS
/* only published, undeleted entries are ever shown by the showcase or found */
#define ENTRY_SHOWN " e.status = 'published' AND e.deleted_at IS NULL"

static const struct visibility_cols group_cols = {
    .id = "g.id",
    .structure_id = "g.structure_id",
    .coordination_id = "cd.coordination_id",
    .is_protected = "g.protected",
    .visibility = "g.visibility",
};
/* An entry is visible where its group's page is and where its own level reaches the viewer.
 * Both conditions are visibility_groups_where's, the second with the entry's level in place of
 * the page's: (page open OR in the circle) AND (entry open OR in the circle) is exactly
 * visibility_can_see_item for an item without tagged people. */
static const struct visibility_cols entry_cols = {
    .id = "g.id",
    .structure_id = "g.structure_id",
    .coordination_id = "cd.coordination_id",
    .is_protected = "g.protected",
    .visibility = "e.visibility",
};

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

/* ---- the columns searched ---- */

struct field {
    const char *index;
    struct db_search_order order; /* table NULL: db_search's own order */
    enum sitesearch_kind kind;
    int title;     /* the title: the first rank */
    int structure; /* hits are structures, standing for the groups they host */
};

/* Entries newest first and groups of the most recent years first, so SITESEARCH_MATCH_MAX
 * leaves out the oldest. */
static const struct field fields[] = {
    {"groups_title_search", {"groups", "id", "year", 1}, SITESEARCH_GROUP, 1, 0},
    {"groups_description_search", {"groups", "id", "year", 1}, SITESEARCH_GROUP, 0, 0},
    {"structures_name_search", {NULL, NULL, NULL, 0}, SITESEARCH_GROUP, 0, 1},
    {"entries_title_search", {"entries", "id", "entry_date", 1}, SITESEARCH_ENTRY, 1, 0},
    {"entries_body_search", {"entries", "id", "entry_date", 1}, SITESEARCH_ENTRY, 0, 0},
};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

/* ---- sets of ids: sorted, without duplicates ---- */

struct idset {
    int64_t *v;
    int n;
};

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void set_normalize(struct idset *s)
{
    if (s->n < 2)
        return;
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_id);
    int k = 1;
    for (int i = 1; i < s->n; i++)
        if (s->v[i] != s->v[k - 1])
            s->v[k++] = s->v[i];
    s->n = k;
}

static int set_has(const struct idset *s, int64_t id)
{
    return s->n > 0 && bsearch(&id, s->v, (size_t)s->n, sizeof *s->v, cmp_id) != NULL;
}

static struct idset set_union(struct arena *a, const struct idset *x, const struct idset *y)
{
    struct idset r = {arena_alloc(a, ((size_t)x->n + (size_t)y->n + 1) * sizeof(int64_t)), 0};
    int i = 0, j = 0;
    while (i < x->n || j < y->n) {
        int64_t v;
        if (j >= y->n || (i < x->n && x->v[i] < y->v[j]))
            v = x->v[i++];
        else if (i >= x->n || y->v[j] < x->v[i])
            v = y->v[j++];
        else {
            v = x->v[i++];
            j++;
        }
        r.v[r.n++] = v;
    }
    return r;
}

static struct idset set_inter(struct arena *a, const struct idset *x, const struct idset *y)
{
    struct idset r = {arena_alloc(a, ((size_t)(x->n < y->n ? x->n : y->n) + 1) * sizeof(int64_t)),
                      0};
    for (int i = 0, j = 0; i < x->n && j < y->n;) {
        if (x->v[i] < y->v[j])
            i++;
        else if (y->v[j] < x->v[i])
            j++;
        else {
            r.v[r.n++] = x->v[i];
            i++;
            j++;
        }
    }
    return r;
}

/* " IN (?, ?, ... ?)" with ID_CHUNK parameters. */
static void put_in_list(struct buf *b, const char *col)
{
    buf_printf(b, " %s IN (", col);
    for (int i = 0; i < ID_CHUNK; i++)
        buf_puts(b, i ? ", ?" : "?");
    buf_putc(b, ')');
}

/* Binds ids[off .. off + ID_CHUNK) from index 1, 0 past the end; returns the next index. */
static int bind_chunk(struct db_stmt *st, const struct idset *s, int off)
{
    for (int i = 0; i < ID_CHUNK; i++)
        db_bind_int(st, i + 1, off + i < s->n ? s->v[off + i] : 0);
    return ID_CHUNK + 1;
}

/* The groups hosted by the structures in st_ids. */
static int groups_of_structures(struct db *db, struct arena *a, const struct idset *st_ids,
                                struct idset *out, struct err *e)
{
    out->v = NULL;
    out->n = 0;
    if (st_ids->n == 0)
        return 0;
    struct buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT id FROM groups WHERE");
    put_in_list(&sql, "structure_id");
    int cap = 0, rc = 0;
    for (int off = 0; off < st_ids->n && rc == 0; off += ID_CHUNK) {
        struct db_stmt *st;
        if (db_prepare(db, buf_cstr(&sql), &st, e)) {
            rc = -1;
            break;
        }
        bind_chunk(st, st_ids, off);
        int r;
        while ((r = db_step(st, e)) == DB_ROW) {
            if (out->n == cap) {
                int ncap = cap ? cap * 2 : 64;
                int64_t *nv = arena_alloc(a, (size_t)ncap * sizeof *nv);
                if (out->n)
                    memcpy(nv, out->v, (size_t)out->n * sizeof *nv);
                out->v = nv;
                cap = ncap;
            }
            out->v[out->n++] = db_col_int(st, 0);
        }
        db_finalize(st);
        if (r < 0)
            rc = -1;
    }
    buf_free(&sql);
    set_normalize(out);
    return rc;
}

/* The ids of the rows of field f matching query (every word of it), at most
 * SITESEARCH_MATCH_MAX of them, as groups or entries. */
static int field_hits(struct db *db, struct arena *a, const struct field *f, const char *query,
                      struct idset *out, struct err *e)
{
    struct db_search_hit *hits;
    int n;
    int rc = f->order.table ? db_search_ordered(db, a, f->index, &f->order, query,
                                                SITESEARCH_MATCH_MAX, &hits, &n, e)
                            : db_search(db, a, f->index, query, SITESEARCH_MATCH_MAX, &hits, &n, e);
    if (rc)
        return -1;
    struct idset s = {arena_alloc(a, ((size_t)n + 1) * sizeof(int64_t)), 0};
    for (int i = 0; i < n; i++) {
        char *end;
        long long v = strtoll(hits[i].key, &end, 10);
        if (*hits[i].key && !*end && v > 0)
            s.v[s.n++] = v;
    }
    set_normalize(&s);
    if (f->structure)
        return groups_of_structures(db, a, &s, out, e);
    *out = s;
    return 0;
}

/* ---- the words of a query ---- */

/* Code points both search engines treat as spaces (as src/db/search.c does): symbols, arrows,
 * emoji, private use. */
static int is_symbol(unsigned long cp)
{
    return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE000 && cp <= 0xF8FF);
}

/* Length of the UTF-8 sequence at p (valid UTF-8) and its code point. */
static size_t utf8_next(const unsigned char *p, unsigned long *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    unsigned long v = p[0] & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return i;
        }
        v = (v << 6) | (p[i] & 0x3F);
    }
    *cp = v;
    return n;
}

/* The words of norm (text_norm's output), in a; -1 past max. */
static int split_words(struct arena *a, const char *norm, const char **words, int max)
{
    const unsigned char *p = (const unsigned char *)norm;
    int n = 0;
    size_t start = 0, i = 0;
    int in_word = 0;
    for (;;) {
        unsigned long cp = 0;
        size_t step = p[i] ? utf8_next(p + i, &cp) : 0;
        int sep = !p[i] || cp == ' ' || is_symbol(cp);
        if (sep && in_word) {
            if (n == max)
                return -1;
            words[n++] = arena_strndup(a, norm + start, i - start);
            in_word = 0;
        } else if (!sep && !in_word) {
            start = i;
            in_word = 1;
        }
        if (!p[i])
            break;
        i += step;
    }
    return n;
}

/* ---- the search ---- */

/* A visible match, with what orders it. */
struct row {
    enum sitesearch_kind kind;
    int64_t id;
    int tier;         /* 0: title; 1: another single column; 2: spread over columns */
    int64_t recency;  /* a group's year, an entry's date */
    const char *name; /* a group's title_norm */
};

static int cmp_row(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    if (a->tier != b->tier)
        return a->tier - b->tier;
    if (a->kind != b->kind)
        return (int)a->kind - (int)b->kind;
    if (a->recency != b->recency)
        return a->recency > b->recency ? -1 : 1;
    if (a->kind == SITESEARCH_GROUP) {
        int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
        if (c)
            return c;
        return (a->id > b->id) - (a->id < b->id);
    }
    return (a->id < b->id) - (a->id > b->id); /* newest entry first */
}

/* The matches of one kind, by rank: tiers[0] the titles, tiers[1] the other single columns,
 * tiers[2] the words spread over columns. */
static int kind_matches(struct db *db, struct arena *a, enum sitesearch_kind kind,
                        const char *query, const char *const *words, int nwords,
                        struct idset tiers[3], struct err *e)
{
    for (int t = 0; t < 3; t++)
        tiers[t] = (struct idset){NULL, 0};
    for (int i = 0; i < NFIELDS; i++) {
        if (fields[i].kind != kind)
            continue;
        struct idset s;
        if (field_hits(db, a, &fields[i], query, &s, e))
            return -1;
        struct idset *t = &tiers[fields[i].title ? 0 : 1];
        *t = set_union(a, t, &s);
    }
    if (nwords < 2)
        return 0;
    /* every word somewhere in the group's (or entry's) columns, not all in one */
    struct idset all = {NULL, 0};
    for (int w = 0; w < nwords; w++) {
        struct idset u = {NULL, 0};
        for (int i = 0; i < NFIELDS; i++) {
            if (fields[i].kind != kind)
                continue;
            struct idset s;
            if (field_hits(db, a, &fields[i], words[w], &s, e))
                return -1;
            u = set_union(a, &u, &s);
        }
        all = w == 0 ? u : set_inter(a, &all, &u);
        if (all.n == 0)
            break;
    }
    tiers[2] = all;
    return 0;
}

struct rows {
    struct row *v;
    int n, cap;
};

static void rows_add(struct arena *a, struct rows *r, struct row row)
{
    if (r->n == r->cap) {
        int ncap = r->cap ? r->cap * 2 : 64;
        struct row *nv = arena_alloc(a, (size_t)ncap * sizeof *nv);
        if (r->n)
            memcpy(nv, r->v, (size_t)r->n * sizeof *nv);
        r->v = nv;
        r->cap = ncap;
    }
    r->v[r->n++] = row;
}

/* Keeps the candidates viewer may see, as rows. */
static int visible_rows(struct db *db, struct arena *a, const struct account *viewer,
                        enum sitesearch_kind kind, const struct idset tiers[3], struct rows *out,
                        struct err *e)
{
    struct idset cand = set_union(a, &tiers[0], &tiers[1]);
    cand = set_union(a, &cand, &tiers[2]);
    if (cand.n == 0)
        return 0;
    struct buf sql;
    buf_init(&sql, 0);
    if (kind == SITESEARCH_GROUP) {
        buf_puts(&sql, "SELECT g.id, g.year, g.title_norm" GROUP_FROM " WHERE");
        put_in_list(&sql, "g.id");
        visibility_groups_where(&sql, viewer, &group_cols);
    } else {
        buf_puts(&sql, "SELECT e.id, e.entry_date, ''" ENTRY_FROM " WHERE" ENTRY_SHOWN " AND");
        put_in_list(&sql, "e.id");
        visibility_groups_where(&sql, viewer, &group_cols);
        visibility_groups_where(&sql, viewer, &entry_cols);
    }
    int rc = 0;
    for (int off = 0; off < cand.n && rc == 0; off += ID_CHUNK) {
        struct db_stmt *st;
        if (db_prepare(db, buf_cstr(&sql), &st, e)) {
            rc = -1;
            break;
        }
        int idx = bind_chunk(st, &cand, off);
        idx = visibility_groups_bind(st, idx, viewer);
        if (kind == SITESEARCH_ENTRY)
            visibility_groups_bind(st, idx, viewer);
        int r;
        while ((r = db_step(st, e)) == DB_ROW) {
            int64_t id = db_col_int(st, 0);
            struct row row = {.kind = kind,
                              .id = id,
                              .tier = set_has(&tiers[0], id)   ? 0
                                      : set_has(&tiers[1], id) ? 1
                                                               : 2,
                              .recency = db_col_int(st, 1),
                              .name = kind == SITESEARCH_GROUP ? col_dup(a, st, 2) : NULL};
            rows_add(a, out, row);
        }
        db_finalize(st);
        if (r < 0)
            rc = -1;
    }
    buf_free(&sql);
    return rc;
}

/* Titles, names and snippets of the hits of one page. */
static int fill_page(struct db *db, struct arena *a, const char *const *words, int nwords,
                     struct sitesearch_hit *hits, int n, struct err *e)
{
    for (int kind = SITESEARCH_GROUP; kind <= SITESEARCH_ENTRY; kind++) {
        struct idset ids = {arena_alloc(a, ((size_t)n + 1) * sizeof(int64_t)), 0};
        for (int i = 0; i < n; i++)
            if ((int)hits[i].kind == kind)
                ids.v[ids.n++] = hits[i].id;
        if (ids.n == 0)
            continue;
        struct buf sql;
        buf_init(&sql, 0);
        if (kind == SITESEARCH_GROUP)
            buf_puts(&sql, "SELECT g.id, g.id, g.slug, g.title, g.title, s.name, g.description, 0"
                           " FROM groups g JOIN structures s ON s.id = g.structure_id WHERE");
        else
            buf_puts(&sql, "SELECT e.id, g.id, g.slug, g.title, e.title, '', e.body_md,"
                           " e.entry_date FROM entries e JOIN groups g ON g.id = e.group_id WHERE");
        put_in_list(&sql, kind == SITESEARCH_GROUP ? "g.id" : "e.id");
        struct db_stmt *st;
        int rc = db_prepare(db, buf_cstr(&sql), &st, e);
        buf_free(&sql);
        if (rc)
            return -1;
        bind_chunk(st, &ids, 0); /* n <= SITESEARCH_PER_PAGE_MAX < ID_CHUNK */
        int r;
        while ((r = db_step(st, e)) == DB_ROW) {
            int64_t id = db_col_int(st, 0);
            for (int i = 0; i < n; i++) {
                struct sitesearch_hit *h = &hits[i];
                if ((int)h->kind != kind || h->id != id)
                    continue;
                h->group_id = db_col_int(st, 1);
                h->group_slug = col_dup(a, st, 2);
                h->group_title = col_dup(a, st, 3);
                h->title = col_dup(a, st, 4);
                h->structure_name = col_dup(a, st, 5);
                const char *text = col_dup(a, st, 6);
                h->entry_date = db_col_int(st, 7);
                sitesearch_snippet(a, kind == SITESEARCH_ENTRY ? sitesearch_plain(a, text) : text,
                                   words, nwords, h);
            }
        }
        db_finalize(st);
        if (r < 0)
            return -1;
    }
    return 0;
}

int sitesearch_query(struct db *db, struct arena *a, const struct account *viewer, const char *q,
                     int page, int per_page, struct sitesearch_hit **out, int *n, int64_t *total,
                     struct err *e)
{
    _Static_assert((int)SITESEARCH_PER_PAGE_MAX <= (int)ID_CHUNK,
                   "one page is read in one IN list");
    _Static_assert((int)SITESEARCH_MATCH_MAX <= (int)DB_SEARCH_LIMIT_MAX,
                   "the index gives no more");
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *t = text_trim(a, q ? q : "");
    size_t tn = strlen(t);
    if (!text_utf8_valid(t, tn))
        return err_field(e, 422, "q", "Recherche illisible : le texte n'est pas en UTF-8.");
    long chars = text_utf8_len(t, tn);
    if (chars < SITESEARCH_Q_MIN)
        return err_field(e, 422, "q", "Saisissez au moins %d caractères.", SITESEARCH_Q_MIN);
    if (chars > SITESEARCH_Q_MAX)
        return err_field(e, 422, "q", "Recherche trop longue : %d caractères au plus.",
                         SITESEARCH_Q_MAX);
    const char *norm = text_norm(a, t);
    const char *words[DB_SEARCH_WORDS_MAX];
    int nwords = split_words(a, norm, words, DB_SEARCH_WORDS_MAX);
    if (nwords < 0)
        return err_field(e, 422, "q", "Trop de mots dans la recherche : %d au plus.",
                         DB_SEARCH_WORDS_MAX);
    if (strlen(norm) > DB_SEARCH_QUERY_MAX)
        return err_field(e, 422, "q", "Recherche trop longue : %d caractères au plus.",
                         SITESEARCH_Q_MAX);
    if (nwords == 0)
        return 0; /* punctuation alone: nothing to look for */
    if (page < 1)
        page = 1;
    if (per_page < 1 || per_page > SITESEARCH_PER_PAGE_MAX)
        per_page = SITESEARCH_PER_PAGE_DEFAULT;

    struct buf joined;
    buf_init(&joined, 0);
    for (int i = 0; i < nwords; i++) {
        if (i)
            buf_putc(&joined, ' ');
        buf_puts(&joined, words[i]);
    }
    const char *query = arena_strdup(a, buf_cstr(&joined));
    buf_free(&joined);

    struct rows rows = {NULL, 0, 0};
    for (int kind = SITESEARCH_GROUP; kind <= SITESEARCH_ENTRY; kind++) {
        struct idset tiers[3];
        if (kind_matches(db, a, kind, query, words, nwords, tiers, e) ||
            visible_rows(db, a, viewer, kind, tiers, &rows, e))
            goto fail;
    }
    *total = rows.n;
    if (rows.n == 0 || page > PAGE_MAX)
        return 0;
    qsort(rows.v, (size_t)rows.n, sizeof *rows.v, cmp_row);
    int64_t first = (int64_t)(page - 1) * per_page;
    if (first >= rows.n)
        return 0;
    int count = (int)(rows.n - first < per_page ? rows.n - first : per_page);
    struct sitesearch_hit *hits = arena_alloc(a, (size_t)count * sizeof *hits);
    for (int i = 0; i < count; i++) {
        hits[i].kind = rows.v[first + i].kind;
        hits[i].id = rows.v[first + i].id;
        hits[i].title = hits[i].group_slug = hits[i].group_title = "";
        hits[i].structure_name = hits[i].snippet = "";
    }
    if (fill_page(db, a, words, nwords, hits, count, e))
        goto fail;
    *out = hits;
    *n = count;
    return 0;
fail:
    /* the search index refuses what it cannot take: the same 422 as the checks above */
    if (e && e->status == 400) {
        e->status = 422;
        e->field = "q";
    }
    *total = 0;
    return -1;
}

/* ---- the showcase lists ---- */

int sitesearch_entries(struct db *db, struct arena *a, const struct account *viewer,
                       int64_t group_id, int limit, int with_body, struct sitesearch_entry **out,
                       int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (limit < 1)
        return 0;
    if (limit > SITESEARCH_LIST_MAX)
        limit = SITESEARCH_LIST_MAX;
    struct buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql,
               "SELECT e.id, e.group_id, g.slug, g.title, e.entry_date, e.title, %s,"
               " e.created_at, e.updated_at" ENTRY_FROM " WHERE" ENTRY_SHOWN,
               with_body ? "e.body_md" : "''");
    if (group_id > 0)
        buf_puts(&sql, " AND e.group_id = ?");
    visibility_groups_where(&sql, viewer, &group_cols);
    visibility_groups_where(&sql, viewer, &entry_cols);
    buf_puts(&sql, " ORDER BY e.entry_date DESC, e.id DESC LIMIT ?");
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_free(&sql);
    if (rc)
        return -1;
    int idx = 1;
    if (group_id > 0)
        db_bind_int(st, idx++, group_id);
    idx = visibility_groups_bind(st, idx, viewer);
    idx = visibility_groups_bind(st, idx, viewer);
    db_bind_int(st, idx, limit);
    struct sitesearch_entry *v = arena_alloc(a, (size_t)(limit < 64 ? limit : 64) * sizeof *v);
    int cap = limit < 64 ? limit : 64, k = 0, r;
    while (k < limit && (r = db_step(st, e)) == DB_ROW) {
        if (k == cap) {
            int ncap = cap * 2 > limit ? limit : cap * 2;
            struct sitesearch_entry *nv = arena_alloc(a, (size_t)ncap * sizeof *nv);
            memcpy(nv, v, (size_t)k * sizeof *v);
            v = nv;
            cap = ncap;
        }
        struct sitesearch_entry *en = &v[k++];
        en->id = db_col_int(st, 0);
        en->group_id = db_col_int(st, 1);
        en->group_slug = col_dup(a, st, 2);
        en->group_title = col_dup(a, st, 3);
        en->entry_date = db_col_int(st, 4);
        en->title = col_dup(a, st, 5);
        en->body_md = with_body ? col_dup(a, st, 6) : NULL;
        en->created_at = db_col_int(st, 7);
        en->updated_at = db_col_int(st, 8);
    }
    db_finalize(st);
    if (e->status)
        return -1;
    *out = v;
    *n = k;
    return 0;
}

int sitesearch_groups(struct db *db, struct arena *a, const struct account *viewer, int limit,
                      struct sitesearch_group **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (limit < 1)
        return 0;
    if (limit > SITESEARCH_LIST_MAX)
        limit = SITESEARCH_LIST_MAX;
    struct buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT g.id, g.slug, g.title, g.updated_at" GROUP_FROM " WHERE 1 = 1");
    visibility_groups_where(&sql, viewer, &group_cols);
    buf_puts(&sql, " ORDER BY g.id LIMIT ?");
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_free(&sql);
    if (rc)
        return -1;
    int idx = visibility_groups_bind(st, 1, viewer);
    db_bind_int(st, idx, limit);
    int cap = limit < 64 ? limit : 64, k = 0, r;
    struct sitesearch_group *v = arena_alloc(a, (size_t)cap * sizeof *v);
    while (k < limit && (r = db_step(st, e)) == DB_ROW) {
        if (k == cap) {
            int ncap = cap * 2 > limit ? limit : cap * 2;
            struct sitesearch_group *nv = arena_alloc(a, (size_t)ncap * sizeof *nv);
            memcpy(nv, v, (size_t)k * sizeof *v);
            v = nv;
            cap = ncap;
        }
        v[k].id = db_col_int(st, 0);
        v[k].slug = col_dup(a, st, 1);
        v[k].title = col_dup(a, st, 2);
        v[k].updated_at = db_col_int(st, 3);
        k++;
    }
    db_finalize(st);
    if (e->status)
        return -1;
    *out = v;
    *n = k;
    return 0;
}
