/* action_list: reading action rows and their lists, and the paginated listing with its
 * filters (see action.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_internal.h"
#include "core/buf.h"
#include "core/text.h"

_Static_assert(ACTION_RURAL_POPULATION == 2000, "ACTION_IS_RURAL_SQL writes the threshold out");

static const char *col_str(struct db_stmt *s, struct arena *a, int i)
{
    const char *v = db_col_text(s, i);
    return arena_strdup(a, v ? v : "");
}

void action_read_row(struct db_stmt *s, struct arena *a, struct action *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_col_int(s, 0);
    o->coordination_id = db_col_int(s, 1);
    o->coordination_name = col_str(s, a, 2);
    o->coordination_slug = col_str(s, a, 3);
    o->title = col_str(s, a, 4);
    o->description = col_str(s, a, 5);
    o->type = col_str(s, a, 6);
    o->status = col_str(s, a, 7);
    o->start_date = col_str(s, a, 8);
    o->end_date = col_str(s, a, 9);
    o->year = (int)db_col_int(s, 10);
    o->month = (int)db_col_int(s, 11);
    o->lead_structure_id = db_col_int(s, 12);
    o->lead_structure_name = col_str(s, a, 13);
    o->rural = col_str(s, a, 14);
    o->is_rural = db_col_int(s, 15) != 0;
    o->p_u12 = db_col_int(s, 16);
    o->p_12_17 = db_col_int(s, 17);
    o->p_18_25 = db_col_int(s, 18);
    o->p_o25 = db_col_int(s, 19);
    o->has_gender = !db_col_is_null(s, 20);
    o->p_female = db_col_int(s, 20);
    o->p_male = db_col_int(s, 21);
    o->p_other = db_col_int(s, 22);
    o->spectators = db_col_int(s, 23);
    o->spectators_include_participants = db_col_int(s, 24) != 0;
    o->practice_hours = db_col_int(s, 25);
    o->films_made = db_col_int(s, 26);
    o->budget_requested = db_col_int(s, 27);
    o->budget_granted = db_col_int(s, 28);
    o->budget_cofunding = db_col_int(s, 29);
    o->created_at = db_col_int(s, 30);
    o->updated_at = db_col_int(s, 31);
}

/* Runs sql (one id parameter) and collects column 0 as text (or as ints when ints is set)
 * and column 1 as text (names) when names is non-NULL. */
static int read_list(struct db *db, struct arena *a, const char *sql, int64_t id,
                     const char ***texts, int64_t **ints, const char ***names, int *n,
                     struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, sql, &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int cap = 0, r;
    *n = 0;
    const char **t = NULL, **nm = NULL;
    int64_t *iv = NULL;
    while ((r = db_step(s, e)) == DB_ROW) {
        if (*n == cap) {
            int nc = cap ? cap * 2 : 8;
            if (texts) {
                const char **nt = arena_alloc(a, sizeof *nt * (size_t)nc);
                if (*n)
                    memcpy(nt, t, sizeof *nt * (size_t)*n);
                t = nt;
            }
            if (ints) {
                int64_t *ni = arena_alloc(a, sizeof *ni * (size_t)nc);
                if (*n)
                    memcpy(ni, iv, sizeof *ni * (size_t)*n);
                iv = ni;
            }
            if (names) {
                const char **nn = arena_alloc(a, sizeof *nn * (size_t)nc);
                if (*n)
                    memcpy(nn, nm, sizeof *nn * (size_t)*n);
                nm = nn;
            }
            cap = nc;
        }
        if (texts)
            t[*n] = col_str(s, a, 0);
        if (ints)
            iv[*n] = db_col_int(s, 0);
        if (names)
            nm[*n] = col_str(s, a, 1);
        (*n)++;
    }
    db_finalize(s);
    if (texts)
        *texts = t;
    if (ints)
        *ints = iv;
    if (names)
        *names = nm;
    return r < 0 ? -1 : 0;
}

int action_read_lists(struct db *db, struct arena *a, struct action *o, struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db,
                   "SELECT c.code, c.name, c.departement_code, c.population FROM action_communes "
                   "x JOIN communes c ON c.code = x.commune_code WHERE x.action_id = ? ORDER BY "
                   "c.name, c.code",
                   &s, e))
        return -1;
    db_bind_int(s, 1, o->id);
    int r, cap = 0;
    o->ncommunes = 0;
    while ((r = db_step(s, e)) == DB_ROW) {
        if (o->ncommunes == cap) {
            int nc = cap ? cap * 2 : 4;
            struct action_commune *n = arena_alloc(a, sizeof *n * (size_t)nc);
            if (o->ncommunes)
                memcpy(n, o->communes, sizeof *n * (size_t)o->ncommunes);
            o->communes = n;
            cap = nc;
        }
        struct action_commune *c = &o->communes[o->ncommunes++];
        c->code = col_str(s, a, 0);
        c->name = col_str(s, a, 1);
        c->departement_code = col_str(s, a, 2);
        c->population = db_col_int(s, 3);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    if (read_list(db, a,
                  "SELECT p.structure_id, s.name FROM action_partners p JOIN structures s ON "
                  "s.id = p.structure_id WHERE p.action_id = ? ORDER BY s.name, s.id",
                  o->id, NULL, &o->partner_ids, &o->partner_names, &o->npartners, e) ||
        read_list(db, a,
                  "SELECT name FROM action_facilitators WHERE action_id = ? ORDER BY position",
                  o->id, &o->facilitators, NULL, NULL, &o->nfacilitators, e) ||
        read_list(db, a,
                  "SELECT code FROM action_tags WHERE action_id = ? AND kind = 'theme' ORDER BY "
                  "code",
                  o->id, &o->themes, NULL, NULL, &o->nthemes, e) ||
        read_list(db, a,
                  "SELECT code FROM action_tags WHERE action_id = ? AND kind = 'form' ORDER BY "
                  "code",
                  o->id, &o->forms, NULL, NULL, &o->nforms, e) ||
        read_list(db, a,
                  "SELECT code FROM action_tags WHERE action_id = ? AND kind = 'public' ORDER BY "
                  "code",
                  o->id, &o->publics, NULL, NULL, &o->npublics, e) ||
        read_list(db, a, "SELECT group_id FROM action_groups WHERE action_id = ? ORDER BY group_id",
                  o->id, NULL, &o->group_ids, NULL, &o->ngroups, e) ||
        read_list(db, a, "SELECT film_id FROM action_films WHERE action_id = ? ORDER BY film_id",
                  o->id, NULL, &o->film_ids, NULL, &o->nfilms, e))
        return -1;
    return 0;
}

/* ---- the lists of a whole page at once ---- */

struct id_index {
    int64_t id;
    int idx;
};

static int cmp_id(const void *x, const void *y)
{
    int64_t a = ((const struct id_index *)x)->id, b = ((const struct id_index *)y)->id;
    return a < b ? -1 : a > b;
}

struct list_row {
    int idx;
    const char *t0, *t1, *t2;
    int64_t i0, i3;
};

/* Runs sql (its "%s" replaced by "?, ?, …" for the n ids) and reads each row as (action_id,
 * then one column per letter of cols: 't' text, 'i' integer), in a. Rows come back grouped by
 * action (the SQL orders by action_id first). */
static int batch_query(struct db *db, struct arena *a, const char *sql, const struct action *list,
                       int n, const struct id_index *ix, const char *cols, struct list_row **out,
                       int *nout, struct err *e)
{
    struct buf marks;
    buf_init(&marks, 0);
    for (int i = 0; i < n; i++)
        buf_puts(&marks, i ? ", ?" : "?");
    const char *full = arena_printf(a, sql, buf_cstr(&marks));
    buf_free(&marks);
    struct db_stmt *s;
    if (db_prepare(db, full, &s, e))
        return -1;
    for (int i = 0; i < n; i++)
        db_bind_int(s, i + 1, list[i].id);
    int cap = 0, r;
    *out = NULL;
    *nout = 0;
    while ((r = db_step(s, e)) == DB_ROW) {
        struct id_index key = {.id = db_col_int(s, 0)};
        const struct id_index *hit = bsearch(&key, ix, (size_t)n, sizeof *ix, cmp_id);
        if (!hit)
            continue;
        if (*nout == cap) {
            int nc = cap ? cap * 2 : 64;
            struct list_row *nr = arena_alloc(a, sizeof *nr * (size_t)nc);
            if (*nout)
                memcpy(nr, *out, sizeof *nr * (size_t)*nout);
            *out = nr;
            cap = nc;
        }
        struct list_row *row = &(*out)[(*nout)++];
        row->idx = hit->idx;
        /* texts fill t0, t1, t2 in order, ints i0 then i3 */
        int nt = 0, ni = 0;
        for (int c = 0; cols[c]; c++) {
            if (cols[c] == 'i') {
                *(ni++ ? &row->i3 : &row->i0) = db_col_int(s, c + 1);
            } else {
                const char **t = nt == 0 ? &row->t0 : nt == 1 ? &row->t1 : &row->t2;
                nt++;
                *t = col_str(s, a, c + 1);
            }
        }
    }
    db_finalize(s);
    return r < 0 ? -1 : 0;
}

/* How many rows of rows[from..] belong to the same action as rows[from]. */
static int run_of(const struct list_row *rows, int nrows, int from)
{
    int k = from;
    while (k < nrows && rows[k].idx == rows[from].idx)
        k++;
    return k - from;
}

/* Fills the lists of the n actions of list with one query per list (the page's ids). */
static int read_lists_batch(struct db *db, struct arena *a, struct action *list, int n,
                            struct err *e)
{
    if (n == 0)
        return 0;
    struct id_index *ix = arena_alloc(a, sizeof *ix * (size_t)n);
    for (int i = 0; i < n; i++)
        ix[i] = (struct id_index){list[i].id, i};
    qsort(ix, (size_t)n, sizeof *ix, cmp_id);
    struct list_row *rows;
    int nrows;
    /* communes */
    if (batch_query(db, a,
                    "SELECT x.action_id, c.code, c.name, c.departement_code, c.population FROM "
                    "action_communes x JOIN communes c ON c.code = x.commune_code WHERE "
                    "x.action_id IN (%s) ORDER BY x.action_id, c.name, c.code",
                    list, n, ix, "ttti", &rows, &nrows, e))
        return -1;
    for (int k = 0; k < nrows;) {
        int m = run_of(rows, nrows, k);
        struct action *o = &list[rows[k].idx];
        o->communes = arena_alloc(a, sizeof *o->communes * (size_t)m);
        for (int j = 0; j < m; j++)
            o->communes[j] = (struct action_commune){rows[k + j].t0, rows[k + j].t1, rows[k + j].t2,
                                                     rows[k + j].i0};
        o->ncommunes = m;
        k += m;
    }
    /* partners */
    if (batch_query(db, a,
                    "SELECT p.action_id, p.structure_id, s.name FROM action_partners p JOIN "
                    "structures s ON s.id = p.structure_id WHERE p.action_id IN (%s) ORDER BY "
                    "p.action_id, s.name, s.id",
                    list, n, ix, "it", &rows, &nrows, e))
        return -1;
    for (int k = 0; k < nrows;) {
        int m = run_of(rows, nrows, k);
        struct action *o = &list[rows[k].idx];
        o->partner_ids = arena_alloc(a, sizeof *o->partner_ids * (size_t)m);
        o->partner_names = arena_alloc(a, sizeof *o->partner_names * (size_t)m);
        for (int j = 0; j < m; j++) {
            o->partner_ids[j] = rows[k + j].i0;
            o->partner_names[j] = rows[k + j].t0;
        }
        o->npartners = m;
        k += m;
    }
    /* facilitators, then the three kinds of tags */
    static const struct {
        const char *sql;
    } texts[] = {
        {"SELECT action_id, name FROM action_facilitators WHERE action_id IN (%s) ORDER BY "
         "action_id, position"},
        {"SELECT action_id, code FROM action_tags WHERE kind = 'theme' AND action_id IN (%s) "
         "ORDER BY action_id, code"},
        {"SELECT action_id, code FROM action_tags WHERE kind = 'form' AND action_id IN (%s) "
         "ORDER BY action_id, code"},
        {"SELECT action_id, code FROM action_tags WHERE kind = 'public' AND action_id IN (%s) "
         "ORDER BY action_id, code"},
    };
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        if (batch_query(db, a, texts[t].sql, list, n, ix, "t", &rows, &nrows, e))
            return -1;
        for (int k = 0; k < nrows;) {
            int m = run_of(rows, nrows, k);
            struct action *o = &list[rows[k].idx];
            const char **v = arena_alloc(a, sizeof *v * (size_t)m);
            for (int j = 0; j < m; j++)
                v[j] = rows[k + j].t0;
            if (t == 0) {
                o->facilitators = v;
                o->nfacilitators = m;
            } else if (t == 1) {
                o->themes = v;
                o->nthemes = m;
            } else if (t == 2) {
                o->forms = v;
                o->nforms = m;
            } else {
                o->publics = v;
                o->npublics = m;
            }
            k += m;
        }
    }
    /* linked groups and films */
    for (int t = 0; t < 2; t++) {
        if (batch_query(db, a,
                        t ? "SELECT action_id, film_id FROM action_films WHERE action_id IN (%s) "
                            "ORDER BY action_id, film_id"
                          : "SELECT action_id, group_id FROM action_groups WHERE action_id IN "
                            "(%s) ORDER BY action_id, group_id",
                        list, n, ix, "i", &rows, &nrows, e))
            return -1;
        for (int k = 0; k < nrows;) {
            int m = run_of(rows, nrows, k);
            struct action *o = &list[rows[k].idx];
            int64_t *v = arena_alloc(a, sizeof *v * (size_t)m);
            for (int j = 0; j < m; j++)
                v[j] = rows[k + j].i0;
            if (t) {
                o->film_ids = v;
                o->nfilms = m;
            } else {
                o->group_ids = v;
                o->ngroups = m;
            }
            k += m;
        }
    }
    return 0;
}

int action_list(struct db *db, struct arena *a, const struct action_filter *f, struct action **out,
                int *n, int64_t *total, struct err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    int per_page = f->per_page ? f->per_page : ACTION_PER_PAGE_DEFAULT;
    int page = f->page > 0 ? f->page : 1;
    if (f->all) {
        per_page = ACTION_PER_PAGE_MAX; /* checked below, then every match is read */
        page = 1;
    }
    if (per_page < 1 || per_page > ACTION_PER_PAGE_MAX)
        return err_field(e, 422, "per_page", "Entre 1 et %d actions par page.",
                         ACTION_PER_PAGE_MAX);
    if (f->type && *f->type && !action_choice_label(action_types, f->type))
        return err_field(e, 422, "type", "Type d'action inconnu : « %s ».", f->type);
    if (f->status && *f->status && !action_choice_label(action_statuses, f->status))
        return err_field(e, 422, "status", "Statut inconnu : « %s ».", f->status);
    const char *order = "ac.start_date DESC, ac.id DESC";
    if (f->sort && !strcmp(f->sort, "title"))
        order = "ac.title, ac.id";
    else if (f->sort && !strcmp(f->sort, "oldest"))
        order = "ac.start_date, ac.id";
    else if (f->sort && *f->sort && strcmp(f->sort, "date"))
        return err_field(e, 422, "sort", "Tri inconnu : « %s ».", f->sort);
    struct buf where;
    buf_init(&where, 0);
    buf_puts(&where, " WHERE 1 = 1");
    /* parameters, bound in this order */
    enum { FILTERS_MAX = 6 };
    int64_t ints[FILTERS_MAX];
    const char *texts[FILTERS_MAX];
    char kinds[FILTERS_MAX];
    int np = 0;
    if (f->coordination_id) {
        buf_puts(&where, " AND ac.coordination_id = ?");
        kinds[np] = 'i';
        ints[np++] = f->coordination_id;
    }
    if (f->year) {
        buf_puts(&where, " AND ac.year = ?");
        kinds[np] = 'i';
        ints[np++] = f->year;
    }
    if (f->type && *f->type) {
        buf_puts(&where, " AND ac.type = ?");
        kinds[np] = 's';
        texts[np++] = f->type;
    }
    if (f->status && *f->status) {
        buf_puts(&where, " AND ac.status = ?");
        kinds[np] = 's';
        texts[np++] = f->status;
    }
    const char *q = f->q && *f->q ? text_norm(a, f->q) : NULL;
    if (q && *q) {
        buf_puts(&where, " AND ac.search_norm LIKE ? ESCAPE '\\'");
        struct buf like;
        buf_init(&like, 0);
        buf_putc(&like, '%');
        for (const char *p = q; *p; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                buf_putc(&like, '\\');
            buf_putc(&like, *p);
        }
        buf_putc(&like, '%');
        kinds[np] = 's';
        texts[np++] = arena_strdup(a, buf_cstr(&like));
        buf_free(&like);
    }
    if (f->commune_code && *f->commune_code) {
        buf_puts(&where, " AND EXISTS (SELECT 1 FROM action_communes fc WHERE fc.action_id = "
                         "ac.id AND fc.commune_code = ?)");
        kinds[np] = 's';
        texts[np++] = f->commune_code;
    }
    int rc = -1;
    struct db_stmt *s = NULL;
    char *sql = arena_printf(a, "SELECT COUNT(*) FROM actions ac%s", buf_cstr(&where));
    if (db_prepare(db, sql, &s, e))
        goto done;
    for (int i = 0; i < np; i++)
        kinds[i] == 'i' ? db_bind_int(s, i + 1, ints[i]) : db_bind_text(s, i + 1, texts[i]);
    int r = db_step(s, e);
    if (r == DB_ROW)
        *total = db_col_int(s, 0);
    db_finalize(s);
    if (r < 0)
        goto done;
    if (f->all) {
        if (*total > ACTION_ALL_MAX) {
            err_set(e, 413, "Plus de %d actions : précisez la recherche.", ACTION_ALL_MAX);
            goto done;
        }
        per_page = *total > 0 ? (int)*total : 1;
    }
    sql = arena_printf(a, "SELECT " ACTION_COLS ACTION_FROM "%s ORDER BY %s LIMIT ? OFFSET ?",
                       buf_cstr(&where), order);
    if (db_prepare(db, sql, &s, e))
        goto done;
    for (int i = 0; i < np; i++)
        kinds[i] == 'i' ? db_bind_int(s, i + 1, ints[i]) : db_bind_text(s, i + 1, texts[i]);
    db_bind_int(s, np + 1, per_page);
    db_bind_int(s, np + 2, (int64_t)(page - 1) * per_page);
    struct action *list = arena_alloc(a, sizeof *list * (size_t)per_page);
    while ((r = db_step(s, e)) == DB_ROW && *n < per_page)
        action_read_row(s, a, &list[(*n)++]);
    db_finalize(s);
    if (r < 0)
        goto done;
    /* the lists by slices of ACTION_BATCH_IDS ids (one IN list per query and slice) */
    for (int from = 0; f->with_lists && from < *n; from += ACTION_BATCH_IDS)
        if (read_lists_batch(db, a, list + from,
                             *n - from < ACTION_BATCH_IDS ? *n - from : ACTION_BATCH_IDS, e))
            goto done;
    *out = list;
    rc = 0;
done:
    buf_free(&where);
    return rc;
}
