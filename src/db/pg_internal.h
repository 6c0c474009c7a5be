/* db pg_internal: what the PostgreSQL driver's files share (pg.c: connections, statements,
 * results; pg_schema.c: the dialect rewrite, full-text search, the catalog). Private to db/. */
#ifndef LANTERNE_DB_PG_INTERNAL_H
#define LANTERNE_DB_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/driver.h"

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

static inline struct pg_db *pg_db(struct db *db)
{
    return (struct pg_db *)db;
}

static inline struct pg_stmt *pg_stmt(struct db_stmt *s)
{
    return (struct pg_stmt *)s;
}

enum pg_rewrite_mode {
    PG_ONE_STATEMENT, /* db_prepare: '?' placeholders, exactly one statement */
    PG_SCRIPT,        /* db_exec: no placeholders, several statements allowed */
};

/* pg.c */
int pg_fail(struct pg_db *d, const PGresult *r, const char *sql, struct err *e);
int pg_exec_raw(struct pg_db *d, const char *sql, struct err *e);

/* pg_schema.c: the dialect rewrite (see there), malloc'd; NULL with e filled */
char *pg_rewrite(const char *sql, enum pg_rewrite_mode mode, int *nparams, struct err *e);
/* the driver entries of the same names (driver.h) */
int pg_search_create(struct db *db, const struct db_search_spec *sp, struct err *e);
char *pg_search_sql(struct arena *a, const char *index);
char *pg_search_match(struct arena *a, const char *const *words, int n);
int pg_tables(struct db *db, struct arena *a, const char ***names, int *n, struct err *e);
int pg_parents(struct db *db, struct arena *a, const char *table, const char ***names, int *n,
               struct err *e);
int pg_columns(struct db *db, struct arena *a, const char *table, struct db_column **cols, int *n,
               struct err *e);
int pg_identity_last(struct db *db, const char *table, const char *column, int64_t *last,
                     struct err *e);
int pg_identity_set(struct db *db, const char *table, const char *column, int64_t v, struct err *e);

#endif
