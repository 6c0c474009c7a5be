/* db sqlite: the SQLite driver behind db.h, with a per-connection statement cache.
 * Connections are opened NOMUTEX: a connection is only ever used by one thread at a time. */
#include "db/driver.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"

enum {
    SQ_BUSY_TIMEOUT_MS = 5000,
    SQ_WAL_RETRY_MS = 10,
    SQ_CACHE_SLOTS = 1024, /* power of two, for masking */
    /* Bounded so SQL built at run time (IN lists of varying length) cannot grow the cache
     * without end; past it statements are simply prepared uncached. Half the slots keeps
     * linear-probe chains short. */
    SQ_CACHE_MAX = SQ_CACHE_SLOTS / 2,
    SQ_ERR_SQL_SHOWN = 60, /* how much of a failing statement an error message quotes */
};

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    char *sql; /* the cache key; NULL for an uncached statement */
    int in_use;
};

struct sq_db {
    struct db base;
    sqlite3 *h;
    struct sq_stmt **cache; /* SQ_CACHE_SLOTS slots, open addressing, never deleted from */
    int cached;
};

static struct sq_db *sq_db(struct db *db)
{
    return (struct sq_db *)db;
}

static struct sq_stmt *sq_stmt(struct db_stmt *s)
{
    return (struct sq_stmt *)s;
}

/* After some errors (SQLITE_FULL, IOERR, NOMEM, BUSY) SQLite rolls the whole transaction
 * back by itself. Our count would still say "inside", so mark it doomed: the outermost
 * commit then fails instead of pretending the earlier writes were kept. */
static void sq_check_lost_tx(struct sq_db *d)
{
    if (d->base.tx_depth > 0 && sqlite3_get_autocommit(d->h))
        d->base.tx_doomed = 1;
}

static int sq_fail(struct sq_db *d, int rc, const char *sql, struct err *e)
{
    sq_check_lost_tx(d);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return err_set(e, 409, "constraint violated: %s", sqlite3_errmsg(d->h));
    if (sql)
        return err_set(e, 500, "SQLite: %s (in \"%.*s\")", sqlite3_errmsg(d->h), SQ_ERR_SQL_SHOWN,
                       sql);
    return err_set(e, 500, "SQLite: %s", sqlite3_errmsg(d->h));
}

static int sq_exec(struct db *db, const char *sql, struct err *e)
{
    struct sq_db *d = sq_db(db);
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(d, rc, sql, e);
    return 0;
}

static void sq_close(struct db *db)
{
    struct sq_db *d = sq_db(db);
    for (int i = 0; i < SQ_CACHE_SLOTS; i++) {
        struct sq_stmt *s = d->cache[i];
        if (!s)
            continue;
        sqlite3_finalize(s->st);
        free(s->sql);
        free(s);
    }
    free(d->cache);
    /* _v2: a statement the caller forgot to finalize delays the close instead of leaking
     * the whole connection */
    sqlite3_close_v2(d->h);
    free(d);
}

/* Sets a pragma and returns its first result column (journal_mode answers the mode it
 * actually chose), copied into out. Returns the SQLite code, with e filled on failure. */
static int sq_pragma(struct sq_db *d, const char *sql, char *out, size_t outsz, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->h, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sq_fail(d, rc, sql, e);
        return rc;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_fail(d, rc, sql, e);
        sqlite3_finalize(st);
        return rc;
    }
    if (out && outsz) {
        const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
        snprintf(out, outsz, "%s", t ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    return 0;
}

static struct db *sq_open(const char *target, struct err *e)
{
    if (!*target) {
        err_set(e, 500, "the sqlite: URL needs a path (sqlite:PATH or sqlite::memory:)");
        return NULL;
    }
    sqlite3 *h = NULL;
    /* URI so that "sqlite:file:x.db?mode=ro" works; plain paths are unaffected */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    int rc = sqlite3_open_v2(target, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, 500, "cannot open SQLite database \"%s\": %s", target,
                h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    struct sq_db *d = xcalloc(1, sizeof *d);
    d->base.drv = &db_sqlite_driver;
    d->h = h;
    d->cache = xcalloc(SQ_CACHE_SLOTS, sizeof *d->cache);
    sqlite3_extended_result_codes(h, 1);

    char mode[32];
    sqlite3_busy_timeout(h, SQ_BUSY_TIMEOUT_MS); /* what PRAGMA busy_timeout sets */
    if (sq_pragma(d, "PRAGMA foreign_keys=ON", NULL, 0, e))
        goto fail;
    const char *file = sqlite3_db_filename(h, "main");
    if (file && *file) { /* "" for :memory: and temporary databases, which cannot use WAL */
        /* Switching a new file to WAL needs an exclusive lock, and SQLite answers BUSY at
         * once, without its busy handler, when another process is doing the same: two
         * servers starting together on a fresh database. So retry here, as long as the
         * busy timeout would have waited. */
        for (int waited = 0;; waited += SQ_WAL_RETRY_MS) {
            rc = sq_pragma(d, "PRAGMA journal_mode=WAL", mode, sizeof mode, e);
            if (rc == SQLITE_OK)
                break;
            if ((rc & 0xff) != SQLITE_BUSY || waited >= SQ_BUSY_TIMEOUT_MS)
                goto fail;
            sqlite3_sleep(SQ_WAL_RETRY_MS);
        }
        if (strcmp(mode, "wal") != 0) {
            err_set(e, 500, "cannot enable WAL mode on \"%s\" (got \"%s\")", target, mode);
            goto fail;
        }
    }
    /* FULL: a commit is on disk before it is acknowledged (uploads, consent records and
     * logbooks must never be lost, even on a power cut). */
    if (sq_pragma(d, "PRAGMA synchronous=FULL", NULL, 0, e))
        goto fail;
    return &d->base;
fail:
    sq_close(&d->base);
    return NULL;
}

static int64_t sq_changes(struct db *db)
{
    return sqlite3_changes64(sq_db(db)->h);
}

/* PRAGMA data_version moves when other connections (any process) commit; total_changes
 * moves with this connection's own writes. Together: "anything changed since". */
static int sq_data_version(struct db *db, uint64_t *out, struct err *e)
{
    sqlite3 *h = sq_db(db)->h;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
        return err_set(e, 500, "data_version: %s", sqlite3_errmsg(h));
    int rc = sqlite3_step(st);
    uint64_t dv = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return err_set(e, 500, "data_version: %s", sqlite3_errmsg(h));
    *out = (dv << 32) ^ (uint64_t)sqlite3_total_changes64(h);
    return 0;
}

static uint64_t sq_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* db_prepare takes exactly one statement: a second one after it would silently never
 * run, so anything but blanks and comments after the first is refused. */
static int sq_only_one(struct sq_db *d, const char *tail, struct err *e)
{
    while (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';')
        tail++;
    if (!*tail)
        return 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->h, tail, -1, &st, NULL);
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && !st)
        return 0; /* only comments */
    return err_set(e, 500, "db_prepare takes one SQL statement; use db_exec for several");
}

static int sq_prepare_raw(struct sq_db *d, const char *sql, unsigned flags, sqlite3_stmt **out,
                          struct err *e)
{
    const char *tail = NULL;
    *out = NULL;
    int rc = sqlite3_prepare_v3(d->h, sql, -1, flags, out, &tail);
    if (rc != SQLITE_OK)
        return sq_fail(d, rc, sql, e);
    if (!*out)
        return err_set(e, 500, "empty SQL statement");
    if (sq_only_one(d, tail, e)) {
        sqlite3_finalize(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    struct sq_db *d = sq_db(db);
    size_t mask = SQ_CACHE_SLOTS - 1;
    size_t i = sq_hash(sql) & mask;
    int cacheable = d->cached < SQ_CACHE_MAX;
    *out = NULL;
    for (; d->cache[i]; i = (i + 1) & mask) {
        struct sq_stmt *c = d->cache[i];
        if (strcmp(c->sql, sql) != 0)
            continue;
        if (!c->in_use) {
            c->in_use = 1;
            *out = &c->base;
            return 0;
        }
        /* the cached one is still being stepped by the caller: handing it out again
         * would reset it under them, so this use gets a private statement */
        cacheable = 0;
        break;
    }
    sqlite3_stmt *st;
    if (sq_prepare_raw(d, sql, cacheable ? SQLITE_PREPARE_PERSISTENT : 0, &st, e))
        return -1;
    struct sq_stmt *s = xcalloc(1, sizeof *s);
    s->base.db = db;
    s->st = st;
    s->in_use = 1;
    if (cacheable) {
        s->sql = xstrdup(sql);
        d->cache[i] = s; /* i is the empty slot the probe ended on */
        d->cached++;
    }
    *out = &s->base;
    return 0;
}

static int sq_param_count(struct db_stmt *s)
{
    return sqlite3_bind_parameter_count(sq_stmt(s)->st);
}

static const char *sq_bind_rc(int rc)
{
    return rc == SQLITE_OK ? NULL : sqlite3_errstr(rc);
}

static const char *sq_bind_int(struct db_stmt *s, int idx, int64_t v)
{
    return sq_bind_rc(sqlite3_bind_int64(sq_stmt(s)->st, idx, v));
}

static const char *sq_bind_double(struct db_stmt *s, int idx, double v)
{
    return sq_bind_rc(sqlite3_bind_double(sq_stmt(s)->st, idx, v));
}

static const char *sq_bind_text(struct db_stmt *s, int idx, const char *v, size_t n)
{
    if (n > INT_MAX)
        return "text too long";
    /* TRANSIENT: SQLite copies, so callers may free or reuse their buffer at once */
    return sq_bind_rc(sqlite3_bind_text(sq_stmt(s)->st, idx, v, (int)n, SQLITE_TRANSIENT));
}

static const char *sq_bind_null(struct db_stmt *s, int idx)
{
    return sq_bind_rc(sqlite3_bind_null(sq_stmt(s)->st, idx));
}

static int sq_step(struct db_stmt *s, struct err *e)
{
    struct sq_stmt *q = sq_stmt(s);
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return sq_fail(sq_db(s->db), rc, sqlite3_sql(q->st), e);
}

static int sq_col_count(struct db_stmt *s)
{
    return sqlite3_column_count(sq_stmt(s)->st);
}

static const char *sq_col_name(struct db_stmt *s, int col)
{
    return sqlite3_column_name(sq_stmt(s)->st, col);
}

static int sq_col_is_null(struct db_stmt *s, int col)
{
    return sqlite3_column_type(sq_stmt(s)->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct db_stmt *s, int col)
{
    return sqlite3_column_int64(sq_stmt(s)->st, col);
}

static double sq_col_double(struct db_stmt *s, int col)
{
    return sqlite3_column_double(sq_stmt(s)->st, col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
    sqlite3_stmt *st = sq_stmt(s)->st;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(st, col);
}

static size_t sq_col_len(struct db_stmt *s, int col)
{
    int n = sqlite3_column_bytes(sq_stmt(s)->st, col);
    return n > 0 ? (size_t)n : 0;
}

static enum db_type sq_col_type(struct db_stmt *s, int col)
{
    switch (sqlite3_column_type(sq_stmt(s)->st, col)) {
    case SQLITE_INTEGER:
        return DB_TYPE_INT;
    case SQLITE_FLOAT:
        return DB_TYPE_REAL;
    case SQLITE_TEXT:
        return DB_TYPE_TEXT;
    case SQLITE_BLOB:
        return DB_TYPE_BLOB;
    default:
        return DB_TYPE_NULL;
    }
}

static void sq_finalize(struct db_stmt *s)
{
    struct sq_stmt *q = sq_stmt(s);
    if (q->sql) {
        /* reset also ends the read transaction a half-read SELECT keeps open */
        sqlite3_reset(q->st);
        sqlite3_clear_bindings(q->st);
        q->in_use = 0;
        return;
    }
    sqlite3_finalize(q->st);
    free(q);
}

/* Search on FTS5. The FTS table takes its text from <index>_doc, an ordinary table with the
 * key UNIQUE, rather than from the indexed table itself: the indexed table's rowid may change
 * (VACUUM renumbers tables without an INTEGER PRIMARY KEY), and removing a row by key from
 * an FTS table alone would scan it all, which a 35,000-commune re-import cannot afford.
 * Triggers keep <table> -> <index>_doc -> <index> in step; an update that leaves the key
 * and the text alone (an upsert of unchanged data) does no index work. */
static int sq_search_create(struct db *db, const struct db_search_spec *sp, struct err *e)
{
    struct arena *a = arena_new();
    const char *ix = sp->index, *t = sp->table, *k = sp->key, *x = sp->text;
    const char *fold_new = arena_printf(a, DB_SEARCH_FOLD, arena_printf(a, "new.%s", x));
    const char *fold_row = arena_printf(a, DB_SEARCH_FOLD, x);
    const char *parts[] = {
        arena_printf(a,
                     "CREATE TABLE %s_doc (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
                     " body TEXT NOT NULL)",
                     ix),
        arena_printf(a,
                     "CREATE VIRTUAL TABLE %s USING fts5(key UNINDEXED, body, content='%s_doc',"
                     " content_rowid='id', tokenize='unicode61 remove_diacritics 2',"
                     " prefix='1 2 3')",
                     ix, ix),
        arena_printf(a,
                     "CREATE TRIGGER %s_doc_ai AFTER INSERT ON %s_doc BEGIN"
                     " INSERT INTO %s (rowid, key, body) VALUES (new.id, new.key, new.body); END",
                     ix, ix, ix),
        arena_printf(a,
                     "CREATE TRIGGER %s_doc_ad AFTER DELETE ON %s_doc BEGIN"
                     " INSERT INTO %s (%s, rowid, key, body)"
                     " VALUES ('delete', old.id, old.key, old.body); END",
                     ix, ix, ix, ix),
        arena_printf(a,
                     "CREATE TRIGGER %s_doc_au AFTER UPDATE ON %s_doc BEGIN"
                     " INSERT INTO %s (%s, rowid, key, body)"
                     " VALUES ('delete', old.id, old.key, old.body);"
                     " INSERT INTO %s (rowid, key, body) VALUES (new.id, new.key, new.body); END",
                     ix, ix, ix, ix, ix),
        arena_printf(a,
                     "CREATE TRIGGER %s_ai AFTER INSERT ON %s BEGIN"
                     " INSERT INTO %s_doc (key, body) VALUES (new.%s, %s); END",
                     ix, t, ix, k, fold_new),
        arena_printf(a,
                     "CREATE TRIGGER %s_ad AFTER DELETE ON %s BEGIN"
                     " DELETE FROM %s_doc WHERE key = old.%s; END",
                     ix, t, ix, k),
        arena_printf(a,
                     "CREATE TRIGGER %s_au AFTER UPDATE OF %s, %s ON %s"
                     " WHEN old.%s IS NOT new.%s OR old.%s IS NOT new.%s BEGIN"
                     " UPDATE %s_doc SET key = new.%s, body = %s WHERE key = old.%s; END",
                     ix, k, x, t, k, k, x, x, ix, k, fold_new, k),
        arena_printf(a, "INSERT INTO %s_doc (key, body) SELECT %s, %s FROM %s", ix, k, fold_row, t),
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && rc == 0; i++)
        rc = sq_exec(db, parts[i], e);
    arena_free(a);
    return rc;
}

static char *sq_search_sql(struct arena *a, const char *index)
{
    return arena_printf(a, "SELECT key FROM %s WHERE %s MATCH ? ORDER BY length(body), key LIMIT ?",
                        index, index);
}

/* "w1"* AND "w2"*: each word a quoted prefix, so no word can be read as FTS5 syntax. */
static char *sq_search_match(struct arena *a, const char *const *words, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += 2 * strlen(words[i]) + 8;
    char *out = arena_alloc(a, len + 1), *o = out;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            memcpy(o, " AND ", 5);
            o += 5;
        }
        *o++ = '"';
        for (const char *w = words[i]; *w; w++) {
            if (*w == '"')
                *o++ = '"';
            *o++ = *w;
        }
        *o++ = '"';
        *o++ = '*';
    }
    *o = 0;
    return out;
}

/* ---- the catalog ---- */

/* A catalog query with at most one text parameter (NULL: none), stepped by the caller. */
static int sq_catalog(struct sq_db *d, const char *sql, const char *param, sqlite3_stmt **st,
                      struct err *e)
{
    int rc = sqlite3_prepare_v2(d->h, sql, -1, st, NULL);
    if (rc == SQLITE_OK && param)
        rc = sqlite3_bind_text(*st, 1, param, -1, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return sq_fail(d, rc, sql, e);
    }
    return 0;
}

/* The first column of each row as text, into a; a NULL-terminated list. */
static int sq_catalog_names(struct sq_db *d, struct arena *a, const char *sql, const char *param,
                            const char ***names, int *n, struct err *e)
{
    sqlite3_stmt *st;
    if (sq_catalog(d, sql, param, &st, e))
        return -1;
    int cap = 16, count = 0, rc;
    const char **out = arena_alloc(a, (size_t)cap * sizeof *out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count + 1 == cap) {
            const char **more = arena_alloc(a, (size_t)cap * 2 * sizeof *more);
            memcpy(more, out, (size_t)count * sizeof *out);
            out = more;
            cap *= 2;
        }
        out[count++] = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(d, rc, sql, e);
    *names = out;
    *n = count;
    return 0;
}

static int sq_tables(struct db *db, struct arena *a, const char ***names, int *n, struct err *e)
{
    /* Shadow and virtual tables are FTS5's; <index>_doc is the ordinary table a search index
     * reads its text from (sq_search_create): all three are rebuilt by triggers. */
    static const char sql[] =
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        " AND name NOT IN (SELECT name || '_doc' FROM pragma_table_list"
        " WHERE schema = 'main' AND type = 'virtual')";
    return sq_catalog_names(sq_db(db), a, sql, NULL, names, n, e);
}

static int sq_parents(struct db *db, struct arena *a, const char *table, const char ***names,
                      int *n, struct err *e)
{
    return sq_catalog_names(sq_db(db), a,
                            "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", table,
                            names, n, e);
}

static int sq_columns(struct db *db, struct arena *a, const char *table, struct db_column **cols,
                      int *n, struct err *e)
{
    /* hidden: 1 for a virtual table's hidden columns, 2 and 3 for generated ones */
    static const char sql[] =
        "SELECT name, pk, type FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid";
    struct sq_db *d = sq_db(db);
    sqlite3_stmt *st;
    if (sq_catalog(d, sql, table, &st, e))
        return -1;
    int count = 0, keys = 0, rowid = -1, rc;
    int cap = 16;
    struct db_column *out = arena_alloc(a, (size_t)cap * sizeof *out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            struct db_column *more = arena_alloc(a, (size_t)cap * 2 * sizeof *more);
            memcpy(more, out, (size_t)count * sizeof *out);
            out = more;
            cap *= 2;
        }
        struct db_column *c = &out[count];
        c->name = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
        c->key = sqlite3_column_int(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 2);
        if (c->key)
            keys++;
        /* the rowid alias: a primary key of one column declared exactly INTEGER */
        if (c->key == 1 && type && strcasecmp(type, "INTEGER") == 0)
            rowid = count;
        count++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(d, rc, sql, e);
    if (rowid >= 0 && keys == 1)
        out[rowid].identity = 1;
    *cols = out;
    *n = count;
    return 0;
}

/* One integer from a query with up to two text parameters; def when there is no row. */
static int sq_catalog_int(struct sq_db *d, const char *sql, const char *p1, const char *p2,
                          int64_t def, int64_t *out, struct err *e)
{
    sqlite3_stmt *st;
    if (sq_catalog(d, sql, p1, &st, e))
        return -1;
    int rc = p2 ? sqlite3_bind_text(st, 2, p2, -1, SQLITE_TRANSIENT) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    *out = def;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(d, rc, sql, e);
    return 0;
}

/* AUTOINCREMENT keeps the highest id ever given in sqlite_sequence, so ids of deleted rows
 * are never handed out again; without it SQLite takes the largest id in the table plus one. */
static int sq_autoincrement(struct sq_db *d, const char *table, int64_t *yes, struct err *e)
{
    return sq_catalog_int(d,
                          "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"
                          " AND sql LIKE '%AUTOINCREMENT%'",
                          table, NULL, 0, yes, e);
}

static int sq_identity_last(struct db *db, const char *table, const char *column, int64_t *last,
                            struct err *e)
{
    struct sq_db *d = sq_db(db);
    struct arena *a = arena_new();
    int64_t autoinc = 0, seq = 0, max = 0;
    int rc = sq_autoincrement(d, table, &autoinc, e);
    if (rc == 0 && autoinc)
        rc = sq_catalog_int(d, "SELECT seq FROM sqlite_sequence WHERE name = ?", table, NULL, 0,
                            &seq, e);
    if (rc == 0)
        rc = sq_catalog_int(
            d, arena_printf(a, "SELECT max(%s) FROM %s", db_ident(a, column), db_ident(a, table)),
            NULL, NULL, 0, &max, e);
    arena_free(a);
    *last = seq > max ? seq : max;
    return rc;
}

static int sq_identity_set(struct db *db, const char *table, const char *column, int64_t v,
                           struct err *e)
{
    struct sq_db *d = sq_db(db);
    int64_t autoinc = 0, ignored;
    char sql[128];
    if (sq_autoincrement(d, table, &autoinc, e))
        return -1;
    if (!autoinc)
        return 0;
    /* sqlite_sequence takes ordinary writes; a table gets its row at its first insert. The
     * number is spelled in the SQL: its columns have no type, so a bound text would stay text. */
    snprintf(sql, sizeof sql, "UPDATE sqlite_sequence SET seq = %lld WHERE name = ?", (long long)v);
    if (sq_catalog_int(d, sql, table, NULL, 0, &ignored, e))
        return -1;
    if (sqlite3_changes(d->h) > 0)
        return 0;
    snprintf(sql, sizeof sql, "INSERT INTO sqlite_sequence (name, seq) VALUES (?, %lld)",
             (long long)v);
    return sq_catalog_int(d, sql, table, NULL, 0, &ignored, e);
}

const struct db_driver db_sqlite_driver = {
    .dialect = "sqlite",
    /* IMMEDIATE takes the write lock at once: two deferred transactions that both read
     * and then write would deadlock on the upgrade, and busy_timeout cannot help then */
    .begin_sql = "BEGIN IMMEDIATE",
    /* deferred: the first read takes a snapshot (WAL) that later commits do not move */
    .snapshot_sql = "BEGIN DEFERRED",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .changes = sq_changes,
    .data_version = sq_data_version,
    .prepare = sq_prepare,
    .param_count = sq_param_count,
    .bind_int = sq_bind_int,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_is_null = sq_col_is_null,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_len = sq_col_len,
    .col_type = sq_col_type,
    .finalize = sq_finalize,
    .search_create = sq_search_create,
    .search_sql = sq_search_sql,
    .search_match = sq_search_match,
    .tables = sq_tables,
    .parents = sq_parents,
    .columns = sq_columns,
    .identity_last = sq_identity_last,
    .identity_set = sq_identity_set,
};
