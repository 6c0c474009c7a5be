/* db pg: the PostgreSQL driver behind db.h, on libpq, with a per-connection statement cache.
 * Takes the SQLite-flavoured SQL the rest of Lanterne writes and speaks PostgreSQL's dialect. */
#include "db/driver.h"

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

enum {
    PG_CACHE_SLOTS = 1024, /* power of two, for masking */
    /* As in sqlite.c: bounded so SQL built at run time cannot grow the cache (and the
     * server's memory: each prepared statement keeps a plan there) without end. Past it,
     * statements are sent with PQexecParams: parsed each time, errors shown at the step. */
    PG_CACHE_MAX = PG_CACHE_SLOTS / 2,
    PG_ERR_SQL_SHOWN = 60,   /* how much of a failing statement an error message quotes */
    PG_NAME_MAX = 24,        /* "lanterne_" and a counter */
    PG_NUM_MAX = 32,         /* an int64 or a %.17g double as text */
    PG_MIN_VERSION = 130000, /* pg_current_snapshot and generated columns */
    /* type OIDs are fixed by PostgreSQL (catalog/pg_type.dat); the server headers that name
     * them are not part of libpq-dev */
    PG_OID_BOOL = 16,
    PG_OID_BYTEA = 17,
    PG_OID_INT8 = 20,
    PG_OID_INT2 = 21,
    PG_OID_INT4 = 23,
    PG_OID_OID = 26,
    PG_OID_FLOAT4 = 700,
    PG_OID_FLOAT8 = 701,
    PG_OID_NUMERIC = 1700,
};

/* pg_advisory_lock key for db_migrate: "LANTERNE" read as a big-endian int64 */
#define PG_MIGRATE_LOCK "5494759144215957061"

struct pg_stmt {
    struct db_stmt base;
    char *sql;   /* the cache key (SQLite-flavoured text); NULL for an uncached statement */
    char *pgsql; /* the same rewritten for PostgreSQL */
    char name[PG_NAME_MAX]; /* server-side prepared statement; "" = sent with PQexecParams */
    unsigned gen;           /* the connection generation name was prepared in */
    int nparams;
    int in_use;
    char **vals;    /* nparams bound values as text, malloc'd; NULL binds NULL */
    PGresult *res;  /* the whole result, fetched by the first step */
    PGresult *desc; /* column names before the first step, fetched when asked */
    int row;        /* current row of res */
};

struct pg_db {
    struct db base;
    PGconn *conn;
    struct pg_stmt **cache; /* PG_CACHE_SLOTS slots, open addressing, never deleted from */
    int cached;
    unsigned names;  /* prepared statement names handed out */
    unsigned gen;    /* moves when a reconnect loses every server-side statement */
    int64_t changes; /* rows changed by the last INSERT, UPDATE, DELETE or MERGE */
    uint64_t writes; /* this connection's writing statements, for db_data_version */
};

static struct pg_db *pg_db(struct db *db)
{
    return (struct pg_db *)db;
}

static struct pg_stmt *pg_stmt(struct db_stmt *s)
{
    return (struct pg_stmt *)s;
}

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

static int pg_fail(struct pg_db *d, const PGresult *r, const char *sql, struct err *e)
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

/* ---- from SQLite's dialect to PostgreSQL's ---- */

enum pg_rewrite_mode {
    PG_ONE_STATEMENT, /* db_prepare: '?' placeholders, exactly one statement */
    PG_SCRIPT,        /* db_exec: no placeholders, several statements allowed */
};

static int pg_is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c & 0x80);
}

static int pg_is_word_char(char c)
{
    return pg_is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static size_t pg_word_len(const char *p)
{
    size_t n = 0;
    while (pg_is_word_char(p[n]))
        n++;
    return n;
}

static int pg_word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/* Length of the quoted string, identifier, comment or dollar-quoted body starting at p,
 * or 0 if none starts there. Unterminated ones run to the end: the server reports them. */
static size_t pg_skip_quoted(const char *p)
{
    const char *q = p;
    if (*q == '\'' || *q == '"' || ((*q == 'E' || *q == 'e') && q[1] == '\'')) {
        int backslash = *q == 'E' || *q == 'e'; /* E'...' strings have C-style escapes */
        if (backslash)
            q++;
        char quote = *q++;
        for (; *q; q++) {
            if (backslash && *q == '\\' && q[1]) {
                q++;
                continue;
            }
            if (*q == quote) {
                if (q[1] == quote) { /* '' inside '...' */
                    q++;
                    continue;
                }
                return (size_t)(q + 1 - p);
            }
        }
        return (size_t)(q - p);
    }
    if (q[0] == '-' && q[1] == '-')
        return strcspn(q, "\n");
    if (q[0] == '/' && q[1] == '*') { /* these nest in PostgreSQL */
        int depth = 0;
        for (; *q; q++) {
            if (q[0] == '/' && q[1] == '*') {
                depth++;
                q++;
            } else if (q[0] == '*' && q[1] == '/') {
                q++;
                if (--depth == 0)
                    return (size_t)(q + 1 - p);
            }
        }
        return (size_t)(q - p);
    }
    if (q[0] == '$') { /* $tag$ ... $tag$ */
        size_t t = 1;
        while (pg_is_word_start(q[t]) || (t > 1 && q[t] >= '0' && q[t] <= '9'))
            t++;
        if (q[t] != '$')
            return 0;
        t++;
        const char *end = q + t;
        for (; (end = strchr(end, '$')); end++)
            if (strncmp(end, q, t) == 0)
                return (size_t)(end + t - p);
        return strlen(p);
    }
    return 0;
}

/* Blank or only comments from p on. */
static int pg_only_blank(const char *p)
{
    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';') {
            p++;
            continue;
        }
        if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            p += pg_skip_quoted(p);
            continue;
        }
        return 0;
    }
    return 1;
}

/* If p (at a word INTEGER) continues with PRIMARY KEY, the length of that continuation. */
static size_t pg_primary_key_follows(const char *p)
{
    const char *q = p;
    for (int i = 0; i < 2; i++) {
        size_t sp = strspn(q, " \t\r\n");
        if (sp == 0)
            return 0;
        q += sp;
        size_t n = pg_word_len(q);
        if (!pg_word_is(q, n, i == 0 ? "PRIMARY" : "KEY"))
            return 0;
        q += n;
    }
    return (size_t)(q - p);
}

/*
 * The dialect rewrite, applied to all SQL on its way to the server (migrations and domain
 * statements alike), outside quoted strings, quoted identifiers and comments:
 *   ?  ?NNN                  -> $1 $2 ... $NNN (PG_ONE_STATEMENT only), numbered as SQLite does
 *   INTEGER PRIMARY KEY      -> BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
 *                               (SQLite's rowid alias: an id chosen when none is given)
 *   INTEGER                  -> BIGINT (SQLite integers are 64-bit; PostgreSQL's INTEGER is not)
 *   REAL                     -> DOUBLE PRECISION (SQLite's REAL is 8 bytes; PostgreSQL's is 4)
 *   AUTOINCREMENT            -> removed (identity columns never reuse ids anyway)
 * Everything else is kept: the migrations and domain SQL stay in the common subset (TEXT,
 * ON CONFLICT, RETURNING, LIKE ... ESCAPE, LIMIT/OFFSET). BY DEFAULT rather than ALWAYS so a
 * copy of a database may keep its ids; the copier must then move the identity past them.
 * Returns the malloc'd text, or NULL with e filled. */
static char *pg_rewrite(const char *sql, enum pg_rewrite_mode mode, int *nparams, struct err *e)
{
    struct buf b;
    int maxp = 0;
    buf_init(&b, 0);
    if (pg_only_blank(sql)) {
        if (mode == PG_SCRIPT) { /* nothing to run is not an error for a script */
            *nparams = 0;
            return xstrdup("");
        }
        err_set(e, 500, "empty SQL statement");
        goto fail;
    }
    for (const char *p = sql; *p;) {
        size_t n = pg_skip_quoted(p);
        if (n > 0) {
            buf_append(&b, p, n);
            p += n;
        } else if (pg_is_word_start(*p)) {
            n = pg_word_len(p);
            size_t pk;
            if (pg_word_is(p, n, "INTEGER") && (pk = pg_primary_key_follows(p + n))) {
                buf_puts(&b, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
                n += pk;
            } else if (pg_word_is(p, n, "INTEGER")) {
                buf_puts(&b, "BIGINT");
            } else if (pg_word_is(p, n, "REAL")) {
                buf_puts(&b, "DOUBLE PRECISION");
            } else if (!pg_word_is(p, n, "AUTOINCREMENT")) {
                buf_append(&b, p, n);
            }
            p += n;
        } else if (*p >= '0' && *p <= '9') { /* a number: 1e5 must not read as a word */
            n = strspn(p, "0123456789.eE");
            buf_append(&b, p, n);
            p += n;
        } else if (*p == '?' && mode == PG_ONE_STATEMENT) {
            p++;
            int idx;
            if (*p >= '0' && *p <= '9') {
                char *end;
                long v = strtol(p, &end, 10);
                if (v < 1 || v > SHRT_MAX) {
                    err_set(e, 500, "bad parameter number ?%.10s", p);
                    goto fail;
                }
                idx = (int)v;
                p = end;
            } else {
                idx = maxp + 1;
            }
            if (idx > maxp)
                maxp = idx;
            buf_printf(&b, "$%d", idx);
        } else if (*p == ';' && mode == PG_ONE_STATEMENT) {
            if (!pg_only_blank(p + 1)) {
                err_set(e, 500, "db_prepare takes one SQL statement; use db_exec for several");
                goto fail;
            }
            break; /* a final ';' and comments: the statement ends here */
        } else {
            buf_append(&b, p, 1);
            p++;
        }
    }
    if (b.len == 0 || !b.data) { /* buf_* fail only past the cap: SQL that large is a bug */
        err_set(e, 500, "SQL statement too large");
        goto fail;
    }
    *nparams = maxp;
    return buf_detach(&b);
fail:
    buf_free(&b);
    return NULL;
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
static int pg_exec_raw(struct pg_db *d, const char *sql, struct err *e)
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

/* ---- full-text search ---- */

/* lanterne_fr: the 'simple' configuration (no stemming, no stop words, so results match
 * SQLite's unicode61 tokenizer word for word) with accents removed by unaccent. 'french'
 * would stem ("parisien" finding "paris") and drop "le", "de"... which SQLite cannot do.
 * Created once per schema; CREATE EXTENSION needs the right to create in the database unless
 * the extension is already there. */
static const char pg_search_config[] =
    "CREATE EXTENSION IF NOT EXISTS unaccent;"
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'lanterne_fr'"
    "  AND cfgnamespace = current_schema()::regnamespace) THEN"
    "  CREATE TEXT SEARCH CONFIGURATION lanterne_fr (COPY = pg_catalog.simple);"
    "  ALTER TEXT SEARCH CONFIGURATION lanterne_fr ALTER MAPPING FOR asciiword, asciihword,"
    "   hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart"
    "   WITH unaccent, simple;"
    " END IF;"
    " END $$";

/* The index is a table of its own, <index>(key, body, doc), like SQLite's <index>_doc, so
 * queries need only the index's name; doc is computed by the server and GIN-indexed. A row
 * trigger keeps it in step; an update leaving key and text alone does nothing. TRUNCATE
 * fires no row trigger: empty an indexed table with DELETE. */
static int pg_search_create(struct db *db, const struct db_search_spec *sp, struct err *e)
{
    struct pg_db *d = pg_db(db);
    struct arena *a = arena_new();
    const char *ix = sp->index, *t = sp->table, *k = sp->key, *x = sp->text;
    const char *fold_new = arena_printf(a, DB_SEARCH_FOLD, arena_printf(a, "NEW.%s::text", x));
    const char *fold_row = arena_printf(a, DB_SEARCH_FOLD, arena_printf(a, "%s::text", x));
    const char *parts[] = {
        pg_search_config,
        arena_printf(a,
                     "CREATE TABLE %s (key text PRIMARY KEY, body text NOT NULL,"
                     " doc tsvector GENERATED ALWAYS AS"
                     " (to_tsvector('lanterne_fr'::regconfig, body)) STORED)",
                     ix),
        arena_printf(a, "CREATE INDEX %s_doc ON %s USING gin (doc) WITH (fastupdate = off)", ix, ix),
        arena_printf(a,
                     "CREATE FUNCTION %s_sync() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
                     " IF TG_OP <> 'INSERT' THEN DELETE FROM %s WHERE key = OLD.%s::text;"
                     " END IF;"
                     " IF TG_OP <> 'DELETE' THEN INSERT INTO %s (key, body)"
                     " VALUES (NEW.%s::text, %s); END IF;"
                     " RETURN NULL; END $f$",
                     ix, ix, k, ix, k, fold_new),
        arena_printf(a,
                     "CREATE TRIGGER %s_sync AFTER INSERT OR DELETE ON %s"
                     " FOR EACH ROW EXECUTE FUNCTION %s_sync()",
                     ix, t, ix),
        arena_printf(a,
                     "CREATE TRIGGER %s_sync_update AFTER UPDATE OF %s, %s ON %s FOR EACH ROW"
                     " WHEN (OLD.%s IS DISTINCT FROM NEW.%s OR OLD.%s IS DISTINCT FROM NEW.%s)"
                     " EXECUTE FUNCTION %s_sync()",
                     ix, k, x, t, k, k, x, x, ix),
        arena_printf(a, "INSERT INTO %s (key, body) SELECT %s::text, %s FROM %s", ix, k, fold_row,
                     t),
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && rc == 0; i++)
        rc = pg_exec_raw(d, parts[i], e);
    arena_free(a);
    return rc;
}

static char *pg_search_sql(struct arena *a, const char *index)
{
    /* COLLATE "C": keys in byte order, as SQLite's BINARY, whatever the database's locale */
    return arena_printf(a,
                        "SELECT key FROM %s WHERE doc @@ to_tsquery('lanterne_fr', ?)"
                        " ORDER BY length(body), key COLLATE \"C\" LIMIT ?",
                        index);
}

/* 'w1':* & 'w2':*: each word a quoted prefix, so no word can be read as tsquery syntax. */
static char *pg_search_match(struct arena *a, const char *const *words, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += 2 * strlen(words[i]) + 8;
    char *out = arena_alloc(a, len + 1), *o = out;
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            memcpy(o, " & ", 3);
            o += 3;
        }
        *o++ = '\'';
        for (const char *w = words[i]; *w; w++) {
            if (*w == '\'' || *w == '\\')
                *o++ = *w;
            *o++ = *w;
        }
        memcpy(o, "':*", 3);
        o += 3;
    }
    *o = 0;
    return out;
}

/* ---- the catalog ---- */

/* Lanterne creates its tables unqualified, so they are in the first schema of search_path. */
#define PG_OUR_SCHEMA "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"

/* A catalog query (PostgreSQL's own SQL, sent as it is) with text parameters. */
static PGresult *pg_catalog(struct pg_db *d, const char *sql, int n, const char *const *params,
                            struct err *e)
{
    PGresult *r = PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pg_fail(d, r, sql, e);
        PQclear(r);
        return NULL;
    }
    return r;
}

/* The first column of each row, into a. */
static int pg_catalog_names(struct pg_db *d, struct arena *a, const char *sql, const char *param,
                            const char ***names, int *n, struct err *e)
{
    PGresult *r = pg_catalog(d, sql, param ? 1 : 0, &param, e);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    const char **out = arena_alloc(a, ((size_t)rows + 1) * sizeof *out);
    for (int i = 0; i < rows; i++)
        out[i] = arena_strdup(a, PQgetvalue(r, i, 0));
    PQclear(r);
    *names = out;
    *n = rows;
    return 0;
}

static int pg_tables(struct db *db, struct arena *a, const char ***names, int *n, struct err *e)
{
    /* a search index is a table with a generated tsvector column doc (pg_search_create) */
    static const char sql[] =
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = " PG_OUR_SCHEMA
        " AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
        " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
        " AND a.attname = 'doc' AND a.atttypid = 'tsvector'::regtype AND a.attgenerated = 's')";
    return pg_catalog_names(pg_db(db), a, sql, NULL, names, n, e);
}

static int pg_parents(struct db *db, struct arena *a, const char *table, const char ***names,
                      int *n, struct err *e)
{
    static const char sql[] =
        "SELECT DISTINCT p.relname FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid"
        " WHERE k.contype = 'f' AND c.relname = $1 AND c.relnamespace = " PG_OUR_SCHEMA;
    return pg_catalog_names(pg_db(db), a, sql, table, names, n, e);
}

static int pg_columns(struct db *db, struct arena *a, const char *table, struct db_column **cols,
                      int *n, struct err *e)
{
    static const char sql[] =
        "SELECT a.attname,"
        " COALESCE((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
        " WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum), 0),"
        " a.attidentity IN ('a', 'd')"
        " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relname = $1 AND c.relnamespace = " PG_OUR_SCHEMA
        " AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
        " AND a.attgenerated = '' ORDER BY a.attnum";
    PGresult *r = pg_catalog(pg_db(db), sql, 1, &table, e);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    struct db_column *out = arena_alloc(a, ((size_t)rows + 1) * sizeof *out);
    for (int i = 0; i < rows; i++) {
        out[i].name = arena_strdup(a, PQgetvalue(r, i, 0));
        out[i].key = (int)strtol(PQgetvalue(r, i, 1), NULL, 10);
        out[i].identity = PQgetvalue(r, i, 2)[0] == 't';
    }
    PQclear(r);
    *cols = out;
    *n = rows;
    return 0;
}

/* One integer from a catalog query; def when there is no row or it is NULL. */
static int pg_catalog_int(struct pg_db *d, const char *sql, int n, const char *const *params,
                          int64_t def, int64_t *out, struct err *e)
{
    PGresult *r = pg_catalog(d, sql, n, params, e);
    if (!r)
        return -1;
    *out = def;
    if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
        *out = (int64_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

/* An identity column's sequence; pg_get_serial_sequence reads the table as SQL would (so
 * quoted) and the column as it is. NULL for a column without one, which setval and
 * pg_sequence_last_value pass through as NULL. */
#define PG_SEQUENCE_OF "pg_get_serial_sequence(quote_ident($1), $2)"

static int pg_identity_last(struct db *db, const char *table, const char *column, int64_t *last,
                            struct err *e)
{
    struct pg_db *d = pg_db(db);
    const char *params[] = {table, column};
    int64_t seq = 0, max = 0;
    /* NULL until the sequence first hands out a value */
    if (pg_catalog_int(d, "SELECT pg_sequence_last_value(" PG_SEQUENCE_OF "::regclass)", 2, params,
                       0, &seq, e))
        return -1;
    struct arena *a = arena_new();
    int rc = pg_catalog_int(
        d, arena_printf(a, "SELECT max(%s) FROM %s", db_ident(a, column), db_ident(a, table)), 0,
        NULL, 0, &max, e);
    arena_free(a);
    *last = seq > max ? seq : max;
    return rc;
}

static int pg_identity_set(struct db *db, const char *table, const char *column, int64_t v,
                           struct err *e)
{
    char num[PG_NUM_MAX];
    snprintf(num, sizeof num, "%" PRId64, v);
    const char *params[] = {table, column, num};
    int64_t ignored;
    /* is_called true: the next nextval gives v + 1 */
    return pg_catalog_int(pg_db(db), "SELECT setval(" PG_SEQUENCE_OF ", $3::bigint, true)", 3,
                          params, 0, &ignored, e);
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
