/* db: the public database functions; they pick a driver from the URL and dispatch to it.
 * What every engine shares lives here: transaction nesting, typed helpers and the pool. */
#include "db/db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "db/driver.h"

enum {
    DB_POOL_MAX = 256,     /* connections; far past what one machine's threads can use */
    DB_URL_SCHEME_MAX = 20 /* how much of an unknown URL an error repeats */
};

static const struct db_scheme {
    const char *prefix;
    const struct db_driver *drv;
    int whole_url; /* the driver is given the URL with its scheme: libpq parses URIs itself */
} db_schemes[] = {
    {"sqlite:", &db_sqlite_driver, 0},
    {"postgresql://", &db_pg_driver, 1},
    {"postgres://", &db_pg_driver, 1},
};

int db_open(const char *url, struct db **out, struct err *e)
{
    *out = NULL;
    if (!url)
        url = "";
    for (size_t i = 0; i < sizeof db_schemes / sizeof db_schemes[0]; i++) {
        const struct db_scheme *sc = &db_schemes[i];
        size_t n = strlen(sc->prefix);
        if (strncmp(url, sc->prefix, n) != 0)
            continue;
        *out = sc->drv->open(sc->whole_url ? url : url + n, e);
        return *out ? 0 : -1;
    }
    /* only the scheme is repeated: the rest of a URL may hold a password */
    size_t n = strcspn(url, ":");
    const char *more = url[n] ? ":..." : "";
    if (n > DB_URL_SCHEME_MAX) {
        n = DB_URL_SCHEME_MAX;
        more = "...";
    }
    return err_set(e, 500,
                   "unsupported database URL \"%.*s%s\"; use sqlite:PATH or postgresql://...",
                   (int)n, url, more);
}

void db_close(struct db *db)
{
    if (!db)
        return;
    if (db->tx_depth > 0) {
        db->tx_depth = 1;
        db_rollback(db);
    }
    if (db->user_free)
        db->user_free(db->user_data);
    db->drv->close(db);
}

int db_data_version(struct db *db, uint64_t *out, struct err *e)
{
    return db->drv->data_version(db, out, e);
}

void *db_user_data(struct db *db)
{
    return db->user_data;
}

void db_set_user_data(struct db *db, void *data, void (*free_fn)(void *))
{
    if (db->user_free && db->user_data != data)
        db->user_free(db->user_data);
    db->user_data = data;
    db->user_free = free_fn;
}

const char *db_dialect(const struct db *db)
{
    return db->drv->dialect;
}

const char *db_sql_skip_locked(const struct db *db)
{
    return strcmp(db_dialect(db), "postgresql") == 0 ? " FOR UPDATE SKIP LOCKED" : "";
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    if (db->drv->prepare(db, sql, out, e))
        return -1;
    (*out)->bind_err[0] = 0;
    return 0;
}

/* Keeps the first failure only: it is the one that explains the others. */
static int db_bind_result(struct db_stmt *s, int idx, const char *why)
{
    if (!why)
        return 0;
    if (!s->bind_err[0])
        snprintf(s->bind_err, sizeof s->bind_err, "cannot bind parameter %d: %s", idx, why);
    return -1;
}

int db_bind_int(struct db_stmt *s, int idx, int64_t v)
{
    return db_bind_result(s, idx, s->db->drv->bind_int(s, idx, v));
}

int db_bind_double(struct db_stmt *s, int idx, double v)
{
    return db_bind_result(s, idx, s->db->drv->bind_double(s, idx, v));
}

int db_bind_text(struct db_stmt *s, int idx, const char *v)
{
    if (!v)
        return db_bind_null(s, idx);
    return db_bind_textn(s, idx, v, strlen(v));
}

int db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n)
{
    if (!v)
        return db_bind_null(s, idx);
    return db_bind_result(s, idx, s->db->drv->bind_text(s, idx, v, n));
}

int db_bind_null(struct db_stmt *s, int idx)
{
    return db_bind_result(s, idx, s->db->drv->bind_null(s, idx));
}

int db_step(struct db_stmt *s, struct err *e)
{
    if (s->bind_err[0])
        return err_set(e, 500, "%s", s->bind_err);
    return s->db->drv->step(s, e);
}

int db_col_count(struct db_stmt *s)
{
    return s->db->drv->col_count(s);
}

const char *db_col_name(struct db_stmt *s, int col)
{
    return s->db->drv->col_name(s, col);
}

int db_col_is_null(struct db_stmt *s, int col)
{
    return s->db->drv->col_is_null(s, col);
}

int64_t db_col_int(struct db_stmt *s, int col)
{
    return s->db->drv->col_int(s, col);
}

double db_col_double(struct db_stmt *s, int col)
{
    return s->db->drv->col_double(s, col);
}

const char *db_col_text(struct db_stmt *s, int col)
{
    return s->db->drv->col_text(s, col);
}

size_t db_col_len(struct db_stmt *s, int col)
{
    return s->db->drv->col_len(s, col);
}

enum db_type db_col_type(struct db_stmt *s, int col)
{
    return s->db->drv->col_type(s, col);
}

void db_finalize(struct db_stmt *s)
{
    if (!s)
        return;
    s->bind_err[0] = 0;
    s->db->drv->finalize(s);
}

int db_exec(struct db *db, const char *sql, struct err *e)
{
    return db->drv->exec(db, sql, e);
}

/* Prepares sql and binds the variadic values described by types. The count is checked
 * against the statement so a missing or extra value fails loudly instead of binding NULL. */
static struct db_stmt *db_prepare_typed(struct db *db, struct err *e, const char *sql,
                                        const char *types, va_list ap)
{
    struct db_stmt *s = NULL;
    if (!types)
        types = "";
    if (db_prepare(db, sql, &s, e))
        return NULL;
    int want = db->drv->param_count(s);
    if ((size_t)want != strlen(types)) {
        err_set(e, 500, "SQL has %d parameters but %zu values were given (in \"%.60s\")", want,
                strlen(types), sql);
        goto fail;
    }
    for (int i = 0; types[i]; i++) {
        int idx = i + 1;
        switch (types[i]) {
        case 'i':
            db_bind_int(s, idx, va_arg(ap, int64_t));
            break;
        case 'd':
            db_bind_double(s, idx, va_arg(ap, double));
            break;
        case 's':
            db_bind_text(s, idx, va_arg(ap, const char *));
            break;
        default:
            err_set(e, 500, "unknown parameter type '%c' (use i, d or s)", types[i]);
            goto fail;
        }
    }
    if (s->bind_err[0]) {
        err_set(e, 500, "%s", s->bind_err);
        goto fail;
    }
    return s;
fail:
    db_finalize(s);
    return NULL;
}

int64_t db_execf(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct db_stmt *s = db_prepare_typed(db, e, sql, types, ap);
    va_end(ap);
    if (!s)
        return -1;
    int rc;
    /* a RETURNING clause yields rows; running to the end applies the whole statement */
    while ((rc = db_step(s, e)) == DB_ROW)
        ;
    int64_t changed = rc < 0 ? -1 : db->drv->changes(db);
    db_finalize(s);
    return changed;
}

int64_t db_scalar_int(struct db *db, struct err *e, int64_t def, const char *sql, const char *types,
                      ...)
{
    err_clear(e);
    va_list ap;
    va_start(ap, types);
    struct db_stmt *s = db_prepare_typed(db, e, sql, types, ap);
    va_end(ap);
    if (!s)
        return -1;
    int64_t v = def;
    int rc = db_step(s, e);
    if (rc < 0)
        v = -1;
    else if (rc == DB_ROW && !db_col_is_null(s, 0))
        v = db_col_int(s, 0);
    db_finalize(s);
    return v;
}

int db_begin(struct db *db, struct err *e)
{
    if (db->tx_depth == 0) {
        if (db->drv->exec(db, db->drv->begin_sql, e))
            return -1;
        db->tx_doomed = 0;
    }
    db->tx_depth++;
    return 0;
}

int db_begin_snapshot(struct db *db, struct err *e)
{
    /* nested, it would only join a transaction whose reads may already have moved on */
    if (db->tx_depth > 0)
        return err_set(e, 500, "db_begin_snapshot must not run inside a transaction");
    if (db->drv->exec(db, db->drv->snapshot_sql, e))
        return -1;
    db->tx_doomed = 0;
    db->tx_depth = 1;
    return 0;
}

static void db_end_rollback(struct db *db)
{
    struct err ignored;
    db->tx_depth = 0;
    db->tx_doomed = 0;
    /* fails harmlessly when the engine already rolled back by itself */
    db->drv->exec(db, "ROLLBACK", &ignored);
}

int db_commit(struct db *db, struct err *e)
{
    if (db->tx_depth == 0)
        return err_set(e, 500, "commit without a transaction");
    if (--db->tx_depth > 0) {
        /* fail early so the caller's own error path runs, as it would at the top */
        if (db->tx_doomed)
            return err_set(e, 500, "transaction already rolled back by an inner step");
        return 0;
    }
    if (db->tx_doomed) {
        db_end_rollback(db);
        return err_set(e, 500, "transaction rolled back: an inner step failed");
    }
    if (db->drv->exec(db, "COMMIT", e)) {
        /* e.g. a deferred foreign key: SQLite keeps the transaction open after a failed
         * COMMIT, and the caller expects it to be over */
        db_end_rollback(db);
        return -1;
    }
    return 0;
}

void db_rollback(struct db *db)
{
    if (db->tx_depth == 0)
        return; /* already ended, for instance by a failed commit */
    if (--db->tx_depth > 0) {
        db->tx_doomed = 1;
        return;
    }
    db_end_rollback(db);
}

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    int size;
    int nfree;
    struct db **all;
    struct db **free; /* a stack: the most recently used connection has warm caches */
};

struct db_pool *db_pool_open(const char *url, int size, struct err *e)
{
    if (size < 1 || size > DB_POOL_MAX) {
        err_set(e, 500, "database pool size must be between 1 and %d, not %d", DB_POOL_MAX, size);
        return NULL;
    }
    /* each connection to :memory: is a separate empty database: a pool of them would
     * lose data depending on which connection a request happens to get */
    if (size > 1 && url && strcmp(url, "sqlite::memory:") == 0) {
        err_set(e, 500,
                "a sqlite::memory: database cannot be shared by %d connections; "
                "use a file or a pool of one",
                size);
        return NULL;
    }
    struct db_pool *p = xcalloc(1, sizeof *p);
    p->all = xcalloc((size_t)size, sizeof *p->all);
    p->free = xcalloc((size_t)size, sizeof *p->free);
    for (int i = 0; i < size; i++) {
        if (db_open(url, &p->all[i], e)) {
            for (int j = 0; j < i; j++)
                db_close(p->all[j]);
            free(p->all);
            free(p->free);
            free(p);
            return NULL;
        }
        p->free[i] = p->all[i];
    }
    p->size = p->nfree = size;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

struct db *db_pool_get(struct db_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->mu);
    struct db *db = p->free[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    if (db->drv->revive)
        db->drv->revive(db);
    return db;
}

void db_pool_put(struct db_pool *p, struct db *db)
{
    if (!db)
        return;
    /* the next user must not inherit a transaction someone forgot to end */
    if (db->tx_depth > 0) {
        db->tx_depth = 1;
        db_rollback(db);
    }
    pthread_mutex_lock(&p->mu);
    p->free[p->nfree++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

void db_pool_close(struct db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->size; i++)
        db_close(p->all[i]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    free(p->all);
    free(p->free);
    free(p);
}

const char *db_ident(struct arena *a, const char *name)
{
    char *out = arena_alloc(a, 2 * strlen(name) + 3), *o = out;
    *o++ = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    return out;
}

static int db_name_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Kahn's topological sort, taking the first ready table by name at each step, so that
 * both engines give one order whatever order their catalogs answer in. A cycle of foreign
 * keys has no such order: its tables come last, by name. */
int db_tables(struct db *db, struct arena *a, const char ***names, int *n, struct err *e)
{
    const char **all = NULL;
    int count = 0, kept = 0;
    *names = NULL;
    *n = 0;
    if (db->drv->tables(db, a, &all, &count, e))
        return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(all[i], "schema_migrations") != 0) /* migrate.c's own table */
            all[kept++] = all[i];
    count = kept;
    qsort(all, (size_t)count, sizeof *all, db_name_cmp);
    /* waits[i][j]: table i points to table j, which is not placed yet */
    char *waits = arena_alloc(a, (size_t)count * (size_t)count + 1);
    for (int i = 0; i < count; i++) {
        const char **parents;
        int np;
        if (db->drv->parents(db, a, all[i], &parents, &np, e))
            return -1;
        for (int p = 0; p < np; p++)
            for (int j = 0; j < count; j++)
                if (j != i && strcmp(parents[p], all[j]) == 0)
                    waits[i * count + j] = 1;
    }
    const char **out = arena_alloc(a, ((size_t)count + 1) * sizeof *out);
    char *placed = arena_alloc(a, (size_t)count + 1);
    int done = 0;
    while (done < count) {
        int pick = -1;
        for (int i = 0; i < count && pick < 0; i++) {
            if (placed[i])
                continue;
            int ready = 1;
            for (int j = 0; j < count && ready; j++)
                ready = !waits[i * count + j];
            if (ready)
                pick = i;
        }
        for (int i = 0; i < count && pick < 0; i++) /* a cycle: the first left, by name */
            if (!placed[i])
                pick = i;
        placed[pick] = 1;
        out[done++] = all[pick];
        for (int i = 0; i < count; i++)
            waits[i * count + pick] = 0;
    }
    *names = out;
    *n = count;
    return 0;
}

int db_columns(struct db *db, struct arena *a, const char *table, struct db_column **cols, int *n,
               struct err *e)
{
    *cols = NULL;
    *n = 0;
    return db->drv->columns(db, a, table, cols, n, e);
}

int db_identity_last(struct db *db, const char *table, const char *column, int64_t *last,
                     struct err *e)
{
    *last = 0;
    return db->drv->identity_last(db, table, column, last, e);
}

int db_identity_advance(struct db *db, const char *table, const char *column, int64_t last,
                        struct err *e)
{
    int64_t have = 0;
    if (db->drv->identity_last(db, table, column, &have, e))
        return -1;
    int64_t v = last > have ? last : have;
    if (v <= 0)
        return 0; /* nothing handed out, nothing stored: the generator starts where it is */
    return db->drv->identity_set(db, table, column, v, e);
}
