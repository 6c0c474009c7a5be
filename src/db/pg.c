/* db pg: the PostgreSQL driver behind db.h, on libpq, with a per-connection statement cache.
 * Takes the SQLite-flavoured SQL the rest of Lanterne writes and speaks PostgreSQL's dialect. */
#include "db/pg_internal.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"

/* pg_advisory_lock key for db_migrate: "LANTERNE" read as a big-endian int64 */
#define PG_MIGRATE_LOCK "5494759144215957061"

/* NOTICEs ("relation already exists, skipping") would go to stderr by default. */
static void pg_quiet(void *arg, const char *message) {}

/* libpq messages end with a newline and may span lines ("ERROR: ...\nLINE 1: ..."): the
 * first line is what a person needs, and err.msg is one line. */
static void pg_one_line(char *out, size_t n, const char *msg)
{
    snprintf(out, n, "%s", msg ? msg : "");
    out[strcspn(out, "\n")] = 0;
}

static const char *pg_constraint_kind(const char *state)
{
    static const struct {
        const char *state, *kind;
    } kinds[] = {
        {"23505", "UNIQUE"}, {"23502", "NOT NULL"},  {"23503", "FOREIGN KEY"},
        {"23514", "CHECK"},  {"23P01", "EXCLUSION"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(state, kinds[i].state) == 0)
            return kinds[i].kind;
    return "integrity";
}

/* An error inside a transaction aborts it on the server: everything until ROLLBACK fails.
 * Mark it doomed, so the outermost commit reports the failure instead of the server quietly
 * answering COMMIT with a rollback. Same when the connection (and the transaction) is gone. */
static void pg_check_lost_tx(struct pg_db *d)
{
    if (d->base.tx_depth > 0 && PQtransactionStatus(d->conn) != PQTRANS_INTRANS)
        d->base.tx_doomed = 1;
}

int pg_fail(struct pg_db *d, const PGresult *r, const char *sql, struct err *e)
{
    char msg[sizeof e->msg];
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    pg_one_line(msg, sizeof msg, primary ? primary : PQerrorMessage(d->conn));
    pg_check_lost_tx(d);
    if (PQstatus(d->conn) == CONNECTION_BAD)
        return err_set(e, 500, "PostgreSQL connection lost: %s", msg);
    if (state && strncmp(state, "23", 2) == 0) /* class 23: integrity constraint violation */
        return err_set(e, 409, "constraint violated (%s): %s", pg_constraint_kind(state), msg);
    if (sql)
        return err_set(e, 500, "PostgreSQL: %s (in \"%.*s\")", msg, PG_ERR_SQL_SHOWN, sql);
    return err_set(e, 500, "PostgreSQL: %s", msg);
}

/* ---- connections ---- */

static void pg_count_changes(struct pg_db *d, const PGresult *r)
{
    const char *tag = PQcmdStatus((PGresult *)r);
    static const char *const dml[] = {"INSERT", "UPDATE", "DELETE", "MERGE"};
    static const char *const ddl[] = {"CREATE", "ALTER", "DROP", "TRUNCATE"};
    for (size_t i = 0; i < sizeof dml / sizeof dml[0]; i++) {
        if (strncmp(tag, dml[i], strlen(dml[i])) == 0) {
            d->changes = strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
            if (d->changes > 0)
                d->writes++;
            return;
        }
    }
    for (size_t i = 0; i < sizeof ddl / sizeof ddl[0]; i++)
        if (strncmp(tag, ddl[i], strlen(ddl[i])) == 0)
            d->writes++;
}

static int pg_result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* SQL of our own (already PostgreSQL's dialect), sent as it is. */
int pg_exec_raw(struct pg_db *d, const char *sql, struct err *e)
{
    PGresult *r = PQexec(d->conn, sql);
    int rc = 0;
    if (!pg_result_ok(r))
        rc = pg_fail(d, r, sql, e);
    else
        pg_count_changes(d, r);
    PQclear(r);
    return rc;
}

static int pg_exec(struct db *db, const char *sql, struct err *e)
{
    struct pg_db *d = pg_db(db);
    int n;
    /* The server answers COMMIT in a failed transaction with a rollback and no error; the
     * caller must hear that nothing was kept. */
    int commit = strcasecmp(sql, "COMMIT") == 0;
    if (commit && PQtransactionStatus(d->conn) == PQTRANS_INERROR)
        return err_set(e, 500, "transaction rolled back: a statement inside it failed");
    char *pgsql = pg_rewrite(sql, PG_SCRIPT, &n, e);
    if (!pgsql)
        return -1;
    PGresult *r = PQexec(d->conn, pgsql);
    int rc = 0;
    if (!pg_result_ok(r))
        rc = pg_fail(d, r, sql, e);
    else if (commit && strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        rc = err_set(e, 500, "transaction rolled back: a statement inside it failed");
    else
        pg_count_changes(d, r);
    PQclear(r);
    free(pgsql);
    return rc;
}

static void pg_stmt_free(struct pg_stmt *q)
{
    for (int i = 0; q->vals && i < q->nparams; i++)
        free(q->vals[i]);
    free(q->vals);
    PQclear(q->res);
    PQclear(q->desc);
    free(q->sql);
    free(q->pgsql);
    free(q);
}

static void pg_close(struct db *db)
{
    struct pg_db *d = pg_db(db);
    for (int i = 0; i < PG_CACHE_SLOTS; i++)
        if (d->cache[i])
            pg_stmt_free(d->cache[i]);
    free(d->cache);
    PQfinish(d->conn);
    free(d);
}

static struct db *pg_open(const char *url, struct err *e)
{
    char msg[sizeof e->msg];
    /* the URL is expanded in place of dbname; the keywords after it win over the URL's, so
     * the encoding survives whatever the URL says, and a PQreset keeps both */
    const char *const keys[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
    const char *const vals[] = {url, "UTF8", "lanterne", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        err_set(e, 500, "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        /* libpq's message names the host and user, never the password */
        pg_one_line(msg, sizeof msg, PQerrorMessage(c));
        err_set(e, 500, "cannot connect to PostgreSQL: %s", msg);
        PQfinish(c);
        return NULL;
    }
    if (PQserverVersion(c) < PG_MIN_VERSION) {
        err_set(e, 500, "PostgreSQL %d is too old: Lanterne needs 13 or later",
                PQserverVersion(c) / 10000);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    struct pg_db *d = xcalloc(1, sizeof *d);
    d->base.drv = &db_pg_driver;
    d->conn = c;
    d->cache = xcalloc(PG_CACHE_SLOTS, sizeof *d->cache);
    return &d->base;
}

/* A connection whose server went away (restart, failover, pg_terminate_backend) stays broken
 * until reset. Reading what is pending costs no round trip and notices a closed socket
 * before a request trips on it; then one reconnect is tried. Server-side statements died
 * with the old session, and so did any transaction. */
static void pg_revive(struct db *db)
{
    struct pg_db *d = pg_db(db);
    /* a killed backend sends its last words, then closes: the first read may take only
     * the words, the second meets the end */
    for (int i = 0; i < 2 && PQstatus(d->conn) == CONNECTION_OK; i++)
        PQconsumeInput(d->conn);
    if (PQstatus(d->conn) == CONNECTION_OK)
        return;
    PQreset(d->conn);
    d->gen++;
    d->base.tx_depth = 0;
    d->base.tx_doomed = 0;
}

static int64_t pg_changes(struct db *db)
{
    return pg_db(db)->changes;
}

static uint64_t pg_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/*
 * db_data_version from the server's current snapshot ("xmin:xmax:in-progress xids"). Which
 * transactions a snapshot counts as committed is exactly what it says, so two equal
 * snapshots see the same data, and any commit that writes (any connection, any process)
 * changes it. Cost: one round trip that reads no table and takes no lock; nothing is added
 * to writes. It is cluster-wide, so writes to other databases on the same server (or a
 * transaction that got an id and aborted) also move it: a page cache sees a few spurious
 * misses, never a stale hit. This connection's own writes inside a transaction are not in
 * its snapshot, so they are counted on the side, as SQLite's total_changes does.
 * (A counter bumped by triggers on every table would serialize every writing transaction on
 * one row until commit, and deadlock-prone at that.)
 */
static int pg_data_version(struct db *db, uint64_t *out, struct err *e)
{
    struct pg_db *d = pg_db(db);
    PGresult *r = PQexec(d->conn, "SELECT pg_current_snapshot()::text");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        pg_fail(d, r, NULL, e);
        PQclear(r);
        return -1;
    }
    *out = pg_hash(PQgetvalue(r, 0, 0)) ^ (d->writes * 0x9E3779B97F4A7C15ull);
    PQclear(r);
    return 0;
}

static int pg_migrate_lock(struct db *db, int take, struct err *e)
{
    /* session-level: held across the per-migration transactions, and released by the
     * server if this process dies half-way */
    return pg_exec_raw(pg_db(db),
                       take ? "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")"
                            : "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")",
                       e);
}

/* ---- statements ---- */

static int pg_server_prepare(struct pg_db *d, struct pg_stmt *q, struct err *e)
{
    PGresult *r = PQprepare(d->conn, q->name, q->pgsql, 0, NULL);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(d, r, q->sql ? q->sql : q->pgsql, e);
    PQclear(r);
    q->gen = d->gen;
    return rc;
}

static struct pg_stmt *pg_stmt_new(struct db *db, char *pgsql, int nparams)
{
    struct pg_stmt *q = xcalloc(1, sizeof *q);
    q->base.db = db;
    q->pgsql = pgsql;
    q->nparams = nparams;
    q->vals = nparams ? xcalloc((size_t)nparams, sizeof *q->vals) : NULL;
    q->in_use = 1;
    return q;
}

/*
 * Cached like sqlite.c: one server-side prepared statement per SQL text and connection (the
 * server infers the parameters' types from the SQL), and one client-side handle for it. The
 * whole result is fetched at the first step, so a second handle on the same text while the
 * first is being read needs no second server statement: it shares the name.
 */
static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    struct pg_db *d = pg_db(db);
    size_t mask = PG_CACHE_SLOTS - 1;
    size_t i = pg_hash(sql) & mask;
    int cacheable = d->cached < PG_CACHE_MAX;
    struct pg_stmt *shared = NULL;
    *out = NULL;
    for (; d->cache[i]; i = (i + 1) & mask) {
        struct pg_stmt *c = d->cache[i];
        if (strcmp(c->sql, sql) != 0)
            continue;
        if (c->gen != d->gen && pg_server_prepare(d, c, e)) /* lost in a reconnect */
            return -1;
        if (!c->in_use) {
            c->in_use = 1;
            *out = &c->base;
            return 0;
        }
        shared = c;
        break;
    }
    if (shared) {
        struct pg_stmt *q = pg_stmt_new(db, xstrdup(shared->pgsql), shared->nparams);
        memcpy(q->name, shared->name, sizeof q->name);
        q->gen = shared->gen;
        *out = &q->base;
        return 0;
    }
    int nparams;
    char *pgsql = pg_rewrite(sql, PG_ONE_STATEMENT, &nparams, e);
    if (!pgsql)
        return -1;
    struct pg_stmt *q = pg_stmt_new(db, pgsql, nparams);
    if (cacheable) {
        snprintf(q->name, sizeof q->name, "lanterne_%u", ++d->names);
        q->sql = xstrdup(sql);
        if (pg_server_prepare(d, q, e)) {
            pg_stmt_free(q);
            return -1;
        }
        d->cache[i] = q; /* i is the empty slot the probe ended on */
        d->cached++;
    }
    *out = &q->base;
    return 0;
}

static int pg_param_count(struct db_stmt *s)
{
    return pg_stmt(s)->nparams;
}

/* Takes ownership of v (NULL binds NULL). */
static const char *pg_bind_value(struct db_stmt *s, int idx, char *v)
{
    struct pg_stmt *q = pg_stmt(s);
    if (idx < 1 || idx > q->nparams) {
        free(v);
        return "column index out of range"; /* SQLite's words for the same mistake */
    }
    free(q->vals[idx - 1]);
    q->vals[idx - 1] = v;
    return NULL;
}

static const char *pg_bind_int(struct db_stmt *s, int idx, int64_t v)
{
    char num[PG_NUM_MAX];
    snprintf(num, sizeof num, "%" PRId64, v);
    return pg_bind_value(s, idx, xstrdup(num));
}

static const char *pg_bind_double(struct db_stmt *s, int idx, double v)
{
    char num[PG_NUM_MAX];
    if (isnan(v))
        snprintf(num, sizeof num, "NaN");
    else if (isinf(v))
        snprintf(num, sizeof num, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(num, sizeof num, "%.17g", v); /* enough digits to read back the same double */
    return pg_bind_value(s, idx, xstrdup(num));
}

static const char *pg_bind_text(struct db_stmt *s, int idx, const char *v, size_t n)
{
    if (n > INT_MAX)
        return "text too long";
    /* text parameters travel NUL-terminated, and PostgreSQL text cannot hold a NUL byte */
    if (memchr(v, 0, n))
        return "text holds a NUL byte, which PostgreSQL cannot store";
    return pg_bind_value(s, idx, xstrndup(v, n));
}

static const char *pg_bind_null(struct db_stmt *s, int idx)
{
    return pg_bind_value(s, idx, NULL);
}

/* The first step runs the statement and fetches the whole result (libpq's usual mode): no
 * server cursor stays open, so a statement abandoned half-read costs nothing. The price is
 * memory for large results: Lanterne's listings are paged; a bulk export over a big table
 * would want libpq's single-row mode. */
static int pg_step(struct db_stmt *s, struct err *e)
{
    struct pg_stmt *q = pg_stmt(s);
    struct pg_db *d = pg_db(s->db);
    if (!q->res) {
        const char *const *vals = (const char *const *)q->vals;
        PGresult *r;
        if (q->name[0] && q->gen == d->gen)
            r = PQexecPrepared(d->conn, q->name, q->nparams, vals, NULL, NULL, 0);
        else /* uncached, or a shared name a reconnect has since lost */
            r = PQexecParams(d->conn, q->pgsql, q->nparams, NULL, vals, NULL, NULL, 0);
        if (!pg_result_ok(r)) {
            pg_fail(d, r, q->sql ? q->sql : q->pgsql, e);
            PQclear(r);
            return -1;
        }
        pg_count_changes(d, r);
        q->res = r;
        q->row = -1;
    }
    if (q->row < PQntuples(q->res))
        q->row++;
    return q->row < PQntuples(q->res) ? DB_ROW : DB_DONE;
}

/* The result the columns are read from: the rows once stepped, else the statement's shape. */
static const PGresult *pg_cols(struct pg_stmt *q)
{
    if (q->res)
        return q->res;
    struct pg_db *d = pg_db(q->base.db);
    if (!q->desc && q->name[0] && q->gen == d->gen) {
        PGresult *r = PQdescribePrepared(d->conn, q->name);
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            q->desc = r;
        else
            PQclear(r);
    }
    return q->desc;
}

static int pg_col_count(struct db_stmt *s)
{
    const PGresult *r = pg_cols(pg_stmt(s));
    return r ? PQnfields(r) : 0;
}

static const char *pg_col_name(struct db_stmt *s, int col)
{
    const PGresult *r = pg_cols(pg_stmt(s));
    return r ? PQfname(r, col) : NULL;
}

/* The current row's value, or NULL when there is no row, no such column, or SQL NULL. */
static const char *pg_value(struct db_stmt *s, int col, Oid *type)
{
    struct pg_stmt *q = pg_stmt(s);
    if (!q->res || q->row < 0 || q->row >= PQntuples(q->res) || col < 0 ||
        col >= PQnfields(q->res) || PQgetisnull(q->res, q->row, col))
        return NULL;
    if (type)
        *type = PQftype(q->res, col);
    return PQgetvalue(q->res, q->row, col);
}

static int pg_col_is_null(struct db_stmt *s, int col)
{
    return pg_value(s, col, NULL) == NULL;
}

/* As SQLite converts: booleans are 1 and 0, a fractional number is truncated, text that is
 * not a number is 0. */
static int64_t pg_col_int(struct db_stmt *s, int col)
{
    Oid type = 0;
    const char *v = pg_value(s, col, &type);
    if (!v)
        return 0;
    if (type == PG_OID_BOOL)
        return v[0] == 't';
    if (type == PG_OID_FLOAT4 || type == PG_OID_FLOAT8 || type == PG_OID_NUMERIC) {
        double x = strtod(v, NULL);
        if (isnan(x))
            return 0;
        if (x >= 9223372036854775807.0)
            return INT64_MAX;
        if (x <= -9223372036854775808.0)
            return INT64_MIN;
        return (int64_t)x;
    }
    return (int64_t)strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *s, int col)
{
    Oid type = 0;
    const char *v = pg_value(s, col, &type);
    if (!v)
        return 0;
    if (type == PG_OID_BOOL)
        return v[0] == 't';
    return strtod(v, NULL);
}

static const char *pg_col_text(struct db_stmt *s, int col)
{
    Oid type = 0;
    const char *v = pg_value(s, col, &type);
    if (v && type == PG_OID_BOOL) /* what SQLite, which has no booleans, would give */
        return v[0] == 't' ? "1" : "0";
    return v;
}

static size_t pg_col_len(struct db_stmt *s, int col)
{
    const char *v = pg_col_text(s, col);
    return v ? strlen(v) : 0;
}

static enum db_type pg_col_type(struct db_stmt *s, int col)
{
    Oid type = 0;
    if (!pg_value(s, col, &type))
        return DB_TYPE_NULL;
    switch (type) {
    case PG_OID_BOOL:
    case PG_OID_INT8:
    case PG_OID_INT2:
    case PG_OID_INT4:
    case PG_OID_OID:
        return DB_TYPE_INT;
    case PG_OID_FLOAT4:
    case PG_OID_FLOAT8:
    case PG_OID_NUMERIC:
        return DB_TYPE_REAL;
    case PG_OID_BYTEA:
        return DB_TYPE_BLOB;
    default:
        return DB_TYPE_TEXT;
    }
}

static void pg_finalize(struct db_stmt *s)
{
    struct pg_stmt *q = pg_stmt(s);
    if (!q->sql) {
        pg_stmt_free(q);
        return;
    }
    PQclear(q->res);
    q->res = NULL;
    for (int i = 0; i < q->nparams; i++) {
        free(q->vals[i]);
        q->vals[i] = NULL;
    }
    q->in_use = 0;
}

const struct db_driver db_pg_driver = {
    .dialect = "postgresql",
    /* READ COMMITTED, the server's default. Unlike SQLite's BEGIN IMMEDIATE it does not
     * serialize writers: a read-then-write must lock what it read or tolerate a 409. */
    .begin_sql = "BEGIN",
    .snapshot_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .changes = pg_changes,
    .data_version = pg_data_version,
    .prepare = pg_prepare,
    .param_count = pg_param_count,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_is_null = pg_col_is_null,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_len = pg_col_len,
    .col_type = pg_col_type,
    .finalize = pg_finalize,
    .revive = pg_revive,
    .migrate_lock = pg_migrate_lock,
    .search_create = pg_search_create,
    .search_sql = pg_search_sql,
    .search_match = pg_search_match,
    .tables = pg_tables,
    .parents = pg_parents,
    .columns = pg_columns,
    .identity_last = pg_identity_last,
    .identity_set = pg_identity_set,
};
