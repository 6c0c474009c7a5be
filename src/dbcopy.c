/* dbcopy: copies a whole database between engines through the db interface alone, and proves
 * the copy by counts and order-independent checksums; the dialect stays in src/db/. */
#include "dbcopy.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum {
    /* Rows per INSERT: one statement per row would cost a round trip each on PostgreSQL.
     * Bounded also by parameters per statement, under SQLite's oldest default (999). */
    DBCOPY_INSERT_ROWS = 100,
    DBCOPY_INSERT_PARAMS = 999,
    DBCOPY_NUM_MAX = 32, /* an int64 or a %.17g double as text */
    DBCOPY_ACC_BYTES = 32
};

static const char dbcopy_sum_tag[] = "lanterne-dbcopy-1";

struct dbcopy_plan {
    const char *table;  /* quoted */
    int ncols;          /* columns in the source's order, compared by name on both sides */
    const char **names; /* as the catalogs spell them */
    const char **cols;  /* quoted */
    int nkeys;
    int *keys;     /* indexes into cols, in primary-key order */
    int *identity; /* per column: the target generates its values */
    const char *select_first, *select_next;
};

/* A value held between reading and writing: the insert buffer and the paging keys. */
struct dbcopy_value {
    enum db_type type;
    int64_t i;
    double d;
    char *text; /* malloc'd, reused: grows to the longest value seen in its slot */
    size_t len, cap;
};

static void dbcopy_value_set(struct dbcopy_value *v, struct db_stmt *st, int col)
{
    v->type = db_col_type(st, col);
    switch (v->type) {
    case DB_TYPE_INT:
        v->i = db_col_int(st, col);
        break;
    case DB_TYPE_REAL:
        v->d = db_col_double(st, col);
        break;
    case DB_TYPE_TEXT:
        v->len = db_col_len(st, col);
        if (v->len + 1 > v->cap) {
            v->cap = v->len + 1;
            v->text = xrealloc(v->text, v->cap);
        }
        memcpy(v->text, db_col_text(st, col), v->len);
        v->text[v->len] = 0;
        break;
    default:
        break;
    }
}

static void dbcopy_value_bind(const struct dbcopy_value *v, struct db_stmt *st, int idx)
{
    switch (v->type) {
    case DB_TYPE_INT:
        db_bind_int(st, idx, v->i);
        break;
    case DB_TYPE_REAL:
        db_bind_double(st, idx, v->d);
        break;
    case DB_TYPE_TEXT:
        db_bind_textn(st, idx, v->text, v->len);
        break;
    default:
        db_bind_null(st, idx);
        break;
    }
}

static void dbcopy_values_free(struct dbcopy_value *v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i].text);
    free(v);
}

/* Prefixes e's message with what was being done, keeping its status. */
static int dbcopy_context(struct err *e, const char *what, const char *table)
{
    char msg[sizeof e->msg];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return err_set(e, e->status ? e->status : 500, "%s %s: %s", what, table, msg);
}

/* ---- checksums ---- */

struct dbcopy_sum {
    unsigned char acc[DBCOPY_ACC_BYTES]; /* the sum of row hashes, little-endian, mod 2^256 */
    int64_t rows;
};

static void dbcopy_hash_part(crypto_generichash_state *h, char tag, const void *p, size_t n)
{
    unsigned char head[9];
    head[0] = (unsigned char)tag;
    for (int i = 0; i < 8; i++) /* the length keeps "ab","c" apart from "a","bc" */
        head[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
    crypto_generichash_update(h, head, sizeof head);
    if (n)
        crypto_generichash_update(h, p, n);
}

/* Adds the current row of st (columns 0..ncols-1) to s. */
static int dbcopy_sum_row(struct dbcopy_sum *s, struct db_stmt *st, int ncols, struct err *e)
{
    crypto_generichash_state h;
    unsigned char d[DBCOPY_ACC_BYTES];
    char num[DBCOPY_NUM_MAX];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    for (int c = 0; c < ncols; c++) {
        switch (db_col_type(st, c)) {
        case DB_TYPE_INT:
            snprintf(num, sizeof num, "%" PRId64, db_col_int(st, c));
            dbcopy_hash_part(&h, 'i', num, strlen(num));
            break;
        case DB_TYPE_REAL:
            snprintf(num, sizeof num, "%.17g", db_col_double(st, c));
            dbcopy_hash_part(&h, 'r', num, strlen(num));
            break;
        case DB_TYPE_TEXT:
            dbcopy_hash_part(&h, 't', db_col_text(st, c), db_col_len(st, c));
            break;
        case DB_TYPE_NULL:
            dbcopy_hash_part(&h, 'n', NULL, 0);
            break;
        default:
            /* the db interface cannot bind them, so they could not be copied either */
            return err_set(e, 500, "column %s holds binary data (BLOB), which is not supported",
                           db_col_name(st, c));
        }
    }
    crypto_generichash_final(&h, d, sizeof d);
    unsigned carry = 0;
    for (int i = 0; i < DBCOPY_ACC_BYTES; i++) {
        carry += (unsigned)s->acc[i] + d[i];
        s->acc[i] = (unsigned char)carry;
        carry >>= 8;
    }
    s->rows++;
    return 0;
}

static void dbcopy_sum_hex(const struct dbcopy_sum *s, const struct dbcopy_plan *p,
                           char out[2 * DBCOPY_SUM_BYTES + 1])
{
    crypto_generichash_state h;
    unsigned char d[DBCOPY_SUM_BYTES];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    dbcopy_hash_part(&h, 'v', dbcopy_sum_tag, sizeof dbcopy_sum_tag - 1);
    for (int c = 0; c < p->ncols; c++)
        dbcopy_hash_part(&h, 'c', p->names[c], strlen(p->names[c]));
    char num[DBCOPY_NUM_MAX];
    snprintf(num, sizeof num, "%" PRId64, s->rows);
    dbcopy_hash_part(&h, 'n', num, strlen(num));
    dbcopy_hash_part(&h, 's', s->acc, sizeof s->acc);
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(out, 2 * DBCOPY_SUM_BYTES + 1, d, sizeof d);
}

/* ---- plans ---- */

static int dbcopy_batch(const struct dbcopy_opts *o, struct err *e)
{
    int b = o && o->batch ? o->batch : DBCOPY_BATCH_DEFAULT;
    if (b < 1 || b > DBCOPY_BATCH_MAX)
        return err_set(e, 500, "batch size must be between 1 and %d, not %d", DBCOPY_BATCH_MAX, b);
    return b;
}

static char *dbcopy_join(struct arena *a, const char *const *items, int n, const char *sep)
{
    size_t len = 1, sl = strlen(sep);
    for (int i = 0; i < n; i++)
        len += strlen(items[i]) + sl;
    char *out = arena_alloc(a, len), *o = out;
    for (int i = 0; i < n; i++) {
        size_t il = strlen(items[i]);
        if (i) {
            memcpy(o, sep, sl);
            o += sl;
        }
        memcpy(o, items[i], il);
        o += il;
    }
    return out; /* arena memory is zeroed: the NUL is there */
}

/* The SELECTs that page through a table by its primary key: a batch is the rows after the
 * last key of the previous one, so each query is an index range, however deep the copy. */
static void dbcopy_plan_sql(struct arena *a, struct dbcopy_plan *p)
{
    const char **k = arena_alloc(a, (size_t)p->nkeys * sizeof *k);
    const char **q = arena_alloc(a, (size_t)p->nkeys * sizeof *q);
    for (int i = 0; i < p->nkeys; i++) {
        k[i] = p->cols[p->keys[i]];
        q[i] = "?";
    }
    const char *cols = dbcopy_join(a, p->cols, p->ncols, ", ");
    const char *keys = dbcopy_join(a, k, p->nkeys, ", ");
    /* a row value, (a, b) > (?, ?), is what both engines page with on a composite key */
    const char *after =
        p->nkeys == 1 ? arena_printf(a, "%s > ?", keys)
                      : arena_printf(a, "(%s) > (%s)", keys, dbcopy_join(a, q, p->nkeys, ", "));
    p->select_first =
        arena_printf(a, "SELECT %s FROM %s ORDER BY %s LIMIT ?", cols, p->table, keys);
    p->select_next = arena_printf(a, "SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT ?", cols,
                                  p->table, after, keys);
}

/* The plan for table as db's catalog describes it; other (may be NULL) must have the same
 * columns, and gives the identity flags (the target's generators are the ones to move). */
static int dbcopy_plan_make(struct db *db, struct db *other, struct arena *a, const char *table,
                            struct dbcopy_plan **out, struct err *e)
{
    struct db_column *cols, *ocols = NULL;
    int n, on = 0;
    if (db_columns(db, a, table, &cols, &n, e))
        return -1;
    if (other && db_columns(other, a, table, &ocols, &on, e))
        return -1;
    if (other && on != n)
        return err_set(e, 500,
                       "table %s has %d columns in the source and %d in the target: the schemas "
                       "differ",
                       table, n, on);
    struct dbcopy_plan *p = arena_alloc(a, sizeof *p);
    p->table = db_ident(a, table);
    p->ncols = n;
    p->names = arena_alloc(a, (size_t)n * sizeof *p->names);
    p->cols = arena_alloc(a, (size_t)n * sizeof *p->cols);
    p->keys = arena_alloc(a, (size_t)n * sizeof *p->keys);
    p->identity = arena_alloc(a, (size_t)n * sizeof *p->identity);
    for (int c = 0; c < n; c++) {
        p->names[c] = cols[c].name;
        p->cols[c] = db_ident(a, cols[c].name);
        p->identity[c] = cols[c].identity;
        if (cols[c].key)
            p->nkeys++;
        if (!other)
            continue;
        int found = -1;
        for (int o = 0; o < on && found < 0; o++)
            if (strcmp(ocols[o].name, cols[c].name) == 0)
                found = o;
        if (found < 0)
            return err_set(e, 500, "column %s.%s is in the source but not in the target", table,
                           cols[c].name);
        p->identity[c] = ocols[found].identity;
    }
    if (p->nkeys == 0)
        return err_set(e, 500, "table %s has no primary key: it cannot be read in batches", table);
    for (int c = 0; c < n; c++)
        if (cols[c].key >= 1 && cols[c].key <= p->nkeys)
            p->keys[cols[c].key - 1] = c;
    dbcopy_plan_sql(a, p);
    *out = p;
    return 0;
}

static int dbcopy_contains(const char **names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* The tables of from and their plans, in to's order; both must have the same tables. */
static int dbcopy_plan_all(struct db *from, struct db *to, struct arena *a, struct dbcopy_report *r,
                           struct err *e)
{
    const char **src, **dst;
    int ns, nd;
    if (db_tables(from, a, &src, &ns, e) || db_tables(to, a, &dst, &nd, e))
        return -1;
    for (int i = 0; i < ns; i++)
        if (!dbcopy_contains(dst, nd, src[i]))
            return err_set(e, 500, "table %s is in the source but not in the target", src[i]);
    for (int i = 0; i < nd; i++)
        if (!dbcopy_contains(src, ns, dst[i]))
            return err_set(e, 500, "table %s is in the target but not in the source", dst[i]);
    r->tables = arena_alloc(a, ((size_t)nd + 1) * sizeof *r->tables);
    r->n = nd;
    for (int i = 0; i < nd; i++) {
        struct dbcopy_table *t = &r->tables[i];
        struct dbcopy_plan *p;
        t->name = dst[i];
        if (dbcopy_plan_make(from, to, a, dst[i], &p, e))
            return -1;
        t->plan = p;
    }
    return 0;
}

static int dbcopy_same_version(struct db *from, struct db *to, struct err *e)
{
    int vs = db_schema_version(from), vt = db_schema_version(to);
    if (vs == 0)
        return err_set(e, 500, "the source database has no Lanterne schema (no migration applied)");
    if (vs > vt)
        return err_set(e, 500,
                       "the source is at schema version %d, newer than the target's %d: run the "
                       "copy with the lanterne that wrote the source",
                       vs, vt);
    if (vs < vt)
        return err_set(e, 500,
                       "the source is at schema version %d and the target at %d: bring the source "
                       "up to date first (lanterne init on it applies the migrations)",
                       vs, vt);
    return 0;
}

/* ---- reading in batches ---- */

typedef int (*dbcopy_row_fn)(void *arg, struct db_stmt *st, struct err *e);

/* Calls fn for every row of the table, batch rows per query, in primary-key order. */
static int dbcopy_scan(struct db *db, const struct dbcopy_plan *p, const char *name, int batch,
                       const struct dbcopy_opts *o, const char *verb, int64_t total,
                       dbcopy_row_fn fn, void *arg, struct err *e)
{
    struct dbcopy_value *last = xcalloc((size_t)p->nkeys, sizeof *last);
    struct db_stmt *st = NULL;
    int64_t done = 0;
    int first = 1, rc = -1;
    for (;;) {
        if (db_prepare(db, first ? p->select_first : p->select_next, &st, e))
            goto out;
        int idx = 1;
        for (int k = 0; !first && k < p->nkeys; k++)
            dbcopy_value_bind(&last[k], st, idx++);
        db_bind_int(st, idx, batch);
        int got = 0, step;
        while ((step = db_step(st, e)) == DB_ROW) {
            if (fn(arg, st, e))
                goto out;
            for (int k = 0; k < p->nkeys; k++) {
                if (db_col_is_null(st, p->keys[k])) {
                    err_set(e, 500, "a primary key value of %s is NULL: it cannot be paged", name);
                    goto out;
                }
                dbcopy_value_set(&last[k], st, p->keys[k]);
            }
            got++;
        }
        db_finalize(st);
        st = NULL;
        if (step < 0)
            goto out;
        done += got;
        if (o && o->progress)
            o->progress(o->arg, verb, name, done, total);
        if (got < batch)
            break;
        first = 0;
    }
    rc = 0;
out:
    db_finalize(st);
    dbcopy_values_free(last, p->nkeys);
    return rc;
}

static int dbcopy_count(struct db *db, const struct dbcopy_plan *p, struct arena *a, int64_t *n,
                        struct err *e)
{
    *n = db_scalar_int(db, e, 0, arena_printf(a, "SELECT COUNT(*) FROM %s", p->table), "");
    return e->status ? -1 : 0;
}

/* ---- measuring ---- */

static int dbcopy_sum_cb(void *arg, struct db_stmt *st, struct err *e)
{
    struct dbcopy_sum *s = arg;
    return dbcopy_sum_row(s, st, db_col_count(st), e);
}

static int dbcopy_measure_one(struct db *db, struct dbcopy_table *t, struct arena *a, int batch,
                              const struct dbcopy_opts *o, int side, struct err *e)
{
    struct dbcopy_sum s = {0};
    int64_t total;
    if (dbcopy_count(db, t->plan, a, &total, e) ||
        dbcopy_scan(db, t->plan, t->name, batch, o, "checked", total, dbcopy_sum_cb, &s, e))
        return dbcopy_context(e, "checking", t->name);
    t->rows[side] = s.rows;
    dbcopy_sum_hex(&s, t->plan, t->sum[side]);
    return 0;
}

int dbcopy_measure(struct db *db, int side, struct arena *a, const struct dbcopy_opts *o,
                   struct dbcopy_report *r, struct err *e)
{
    int batch = dbcopy_batch(o, e);
    if (batch < 0)
        return -1;
    if (db_begin_snapshot(db, e))
        return -1;
    for (int i = 0; i < r->n; i++) {
        if (dbcopy_measure_one(db, &r->tables[i], a, batch, o, side, e)) {
            db_rollback(db);
            return -1;
        }
    }
    db_rollback(db); /* it only read */
    return 0;
}

int dbcopy_checksum(struct db *db, const char *table, struct arena *a, const struct dbcopy_opts *o,
                    int64_t *rows, char sum[2 * DBCOPY_SUM_BYTES + 1], struct err *e)
{
    struct dbcopy_plan *p;
    struct dbcopy_table t = {.name = table};
    int batch = dbcopy_batch(o, e);
    if (batch < 0 || dbcopy_plan_make(db, NULL, a, table, &p, e))
        return -1;
    t.plan = p;
    if (dbcopy_measure_one(db, &t, a, batch, o, DBCOPY_SOURCE, e))
        return -1;
    *rows = t.rows[DBCOPY_SOURCE];
    memcpy(sum, t.sum[DBCOPY_SOURCE], sizeof t.sum[DBCOPY_SOURCE]);
    return 0;
}

int dbcopy_verify(struct db *from, struct db *to, struct arena *a, const struct dbcopy_opts *o,
                  struct dbcopy_report *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    if (dbcopy_same_version(from, to, e) || dbcopy_plan_all(from, to, a, r, e))
        return -1;
    if (dbcopy_measure(from, DBCOPY_SOURCE, a, o, r, e) ||
        dbcopy_measure(to, DBCOPY_TARGET, a, o, r, e))
        return -1;
    return 0;
}

int dbcopy_table_same(const struct dbcopy_table *t)
{
    return t->rows[0] == t->rows[1] && t->sum[0][0] && strcmp(t->sum[0], t->sum[1]) == 0;
}

int dbcopy_differences(const struct dbcopy_report *r)
{
    int n = 0;
    for (int i = 0; i < r->n; i++)
        n += !dbcopy_table_same(&r->tables[i]);
    return n;
}

/* ---- copying ---- */

/* Rows read from the source wait here until an INSERT of chunk rows can take them. */
struct dbcopy_writer {
    struct db *to;
    struct arena *a;
    const struct dbcopy_plan *p;
    struct dbcopy_sum sum; /* the source's side, summed as read */
    int chunk;
    int held;                  /* rows waiting */
    struct dbcopy_value *vals; /* chunk * ncols */
    const char *full_sql;      /* INSERT of chunk rows, made once per table */
};

static const char *dbcopy_insert_sql(struct dbcopy_writer *w, int rows)
{
    const struct dbcopy_plan *p = w->p;
    const char **marks = arena_alloc(w->a, (size_t)p->ncols * sizeof *marks);
    for (int c = 0; c < p->ncols; c++)
        marks[c] = "?";
    const char *one = arena_printf(w->a, "(%s)", dbcopy_join(w->a, marks, p->ncols, ", "));
    const char **tuples = arena_alloc(w->a, (size_t)rows * sizeof *tuples);
    for (int i = 0; i < rows; i++)
        tuples[i] = one;
    return arena_printf(w->a, "INSERT INTO %s (%s) VALUES %s", p->table,
                        dbcopy_join(w->a, p->cols, p->ncols, ", "),
                        dbcopy_join(w->a, tuples, rows, ", "));
}

static int dbcopy_flush(struct dbcopy_writer *w, struct err *e)
{
    if (w->held == 0)
        return 0;
    const char *sql = w->held == w->chunk ? w->full_sql : dbcopy_insert_sql(w, w->held);
    struct db_stmt *st;
    if (db_prepare(w->to, sql, &st, e))
        return -1;
    int n = w->held * w->p->ncols;
    for (int i = 0; i < n; i++)
        dbcopy_value_bind(&w->vals[i], st, i + 1);
    int rc = db_step(st, e);
    db_finalize(st);
    w->held = 0;
    return rc < 0 ? -1 : 0;
}

static int dbcopy_write_cb(void *arg, struct db_stmt *st, struct err *e)
{
    struct dbcopy_writer *w = arg;
    int ncols = w->p->ncols;
    if (dbcopy_sum_row(&w->sum, st, ncols, e))
        return -1;
    struct dbcopy_value *row = &w->vals[w->held * ncols];
    for (int c = 0; c < ncols; c++)
        dbcopy_value_set(&row[c], st, c);
    if (++w->held == w->chunk)
        return dbcopy_flush(w, e);
    return 0;
}

static int dbcopy_table_copy(struct db *from, struct db *to, struct arena *a,
                             struct dbcopy_table *t, int batch, const struct dbcopy_opts *o,
                             struct err *e)
{
    const struct dbcopy_plan *p = t->plan;
    struct dbcopy_writer w = {.to = to, .a = a, .p = p};
    int64_t total;
    int rc = -1;
    w.chunk = DBCOPY_INSERT_PARAMS / p->ncols;
    if (w.chunk > DBCOPY_INSERT_ROWS)
        w.chunk = DBCOPY_INSERT_ROWS;
    if (w.chunk < 1)
        return err_set(e, 500, "table %s has too many columns (%d) to copy", t->name, p->ncols);
    w.vals = xcalloc((size_t)w.chunk * (size_t)p->ncols, sizeof *w.vals);
    w.full_sql = dbcopy_insert_sql(&w, w.chunk);
    if (dbcopy_count(from, p, a, &total, e) ||
        dbcopy_scan(from, p, t->name, batch, o, "copied", total, dbcopy_write_cb, &w, e) ||
        dbcopy_flush(&w, e))
        goto out;
    /* ids were given, so the generators did not move: new rows would collide with them */
    for (int c = 0; c < p->ncols; c++) {
        int64_t last;
        if (!p->identity[c])
            continue;
        if (db_identity_last(from, t->name, p->names[c], &last, e) ||
            db_identity_advance(to, t->name, p->names[c], last, e))
            goto out;
    }
    t->rows[DBCOPY_SOURCE] = w.sum.rows;
    dbcopy_sum_hex(&w.sum, p, t->sum[DBCOPY_SOURCE]);
    rc = 0;
out:
    dbcopy_values_free(w.vals, w.chunk * p->ncols);
    return rc ? dbcopy_context(e, "copying", t->name) : 0;
}

/* No row in any table: a copy never merges into data it would then misreport. */
static int dbcopy_check_empty(struct db *to, struct arena *a, const struct dbcopy_report *r,
                              struct err *e)
{
    for (int i = 0; i < r->n; i++) {
        const struct dbcopy_table *t = &r->tables[i];
        int64_t any = db_scalar_int(
            to, e, 0, arena_printf(a, "SELECT 1 FROM %s LIMIT 1", t->plan->table), "");
        if (e->status)
            return -1;
        if (any)
            return err_set(e, 409,
                           "the target database already holds data (table %s is not empty): "
                           "copy only into an empty database",
                           t->name);
    }
    return 0;
}

int dbcopy_copy(struct db *from, struct db *to, struct arena *a, const struct dbcopy_opts *o,
                struct dbcopy_report *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    int batch = dbcopy_batch(o, e);
    if (batch < 0)
        return -1;
    if (db_migrate(to, e))
        return -1;
    /* everything read from the source, its schema included, comes from one state of it */
    if (db_begin_snapshot(from, e))
        return -1;
    if (dbcopy_same_version(from, to, e) || dbcopy_plan_all(from, to, a, r, e))
        goto fail_read;
    if (db_begin(to, e))
        goto fail_read;
    if (dbcopy_check_empty(to, a, r, e))
        goto fail;
    for (int i = 0; i < r->n; i++)
        if (dbcopy_table_copy(from, to, a, &r->tables[i], batch, o, e))
            goto fail;
    db_rollback(from); /* it only read */
    return db_commit(to, e);
fail:
    db_rollback(to);
fail_read:
    db_rollback(from);
    return -1;
}
