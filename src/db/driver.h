/* db driver: the private contract between db.c and each database engine.
 * Only src/db/ includes this; the rest of the program sees db.h alone. */
#ifndef LANTERNE_DB_DRIVER_H
#define LANTERNE_DB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum {
    DB_BIND_MSG_MAX = 128,
    DB_IDENT_MAX = 40 /* longest table, column or index name the db layer splices into SQL */
};

struct arena;
struct db_search_spec;

/* The engine-independent part of a connection. A driver allocates a larger struct whose
 * first member is this one, so db.c can keep the transaction count without knowing it. */
struct db {
    const struct db_driver *drv;
    int tx_depth;    /* 0 = no transaction; only the 0 <-> 1 moves reach the database */
    int tx_doomed;   /* an inner level rolled back: the outermost commit must roll back */
    void *user_data; /* see db_set_user_data */
    void (*user_free)(void *);
};

/* Same for statements. Binding has no error record in the public API, so the first bind
 * failure is kept here and reported by the next db_step. */
struct db_stmt {
    struct db *db;
    char bind_err[DB_BIND_MSG_MAX]; /* first bind failure, "" if none */
};

struct db_driver {
    const char *dialect;
    const char *begin_sql; /* how the outermost transaction starts on this engine */
    /* how db_begin_snapshot starts its transaction */
    const char *snapshot_sql;
    /* target is the URL without its scheme, or whole for drivers that parse URLs themselves
     * (see db.c); returns NULL with e filled */
    struct db *(*open)(const char *target, struct err *e);
    void (*close)(struct db *db);
    int (*exec)(struct db *db, const char *sql, struct err *e);
    int64_t (*changes)(struct db *db);
    int (*data_version)(struct db *db, uint64_t *out, struct err *e);

    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
    int (*param_count)(struct db_stmt *s);
    /* bind functions return NULL, or a static string saying why the value was refused */
    const char *(*bind_int)(struct db_stmt *s, int idx, int64_t v);
    const char *(*bind_double)(struct db_stmt *s, int idx, double v);
    const char *(*bind_text)(struct db_stmt *s, int idx, const char *v, size_t n);
    const char *(*bind_null)(struct db_stmt *s, int idx);
    int (*step)(struct db_stmt *s, struct err *e);
    int (*col_count)(struct db_stmt *s);
    const char *(*col_name)(struct db_stmt *s, int col);
    int (*col_is_null)(struct db_stmt *s, int col);
    int64_t (*col_int)(struct db_stmt *s, int col);
    double (*col_double)(struct db_stmt *s, int col);
    const char *(*col_text)(struct db_stmt *s, int col);
    size_t (*col_len)(struct db_stmt *s, int col);
    enum db_type (*col_type)(struct db_stmt *s, int col);
    void (*finalize)(struct db_stmt *s);

    /* Optional (NULL = nothing to do). Called by db_pool_get before handing a connection
     * out: a driver whose connections can drop (a server restart) reconnects here. */
    void (*revive)(struct db *db);
    /* Optional. Taken (take = 1) and released (take = 0) around db_migrate where BEGIN alone
     * does not keep two processes from migrating at once. */
    int (*migrate_lock)(struct db *db, int take, struct err *e);

    /* Full-text search (search.c holds what engines share). search_create runs the engine's
     * DDL for an index already validated by search.c; search_sql is the query for an index
     * taking two parameters, the match expression and the limit, and yielding the key;
     * search_match builds that expression from normalized words. */
    int (*search_create)(struct db *db, const struct db_search_spec *sp, struct err *e);
    char *(*search_sql)(struct arena *a, const char *index);
    char *(*search_match)(struct arena *a, const char *const *words, int n);

    /* The catalog, for db_tables and db_columns (db.c orders and filters what these give).
     * tables: every ordinary table but the engine's own and search indexes, in any order;
     * parents: the tables table's foreign keys point to (itself included, if so). */
    int (*tables)(struct db *db, struct arena *a, const char ***names, int *n, struct err *e);
    int (*parents)(struct db *db, struct arena *a, const char *table, const char ***names, int *n,
                   struct err *e);
    int (*columns)(struct db *db, struct arena *a, const char *table, struct db_column **cols,
                   int *n, struct err *e);
    /* identity_last as db_identity_last; identity_set makes the generator's last value v
     * (v at least identity_last, so the generator never moves back) */
    int (*identity_last)(struct db *db, const char *table, const char *column, int64_t *last,
                         struct err *e);
    int (*identity_set)(struct db *db, const char *table, const char *column, int64_t v,
                        struct err *e);
};

/* A search index as declared by a `-- @search` line; every name is a checked identifier. */
struct db_search_spec {
    char index[DB_IDENT_MAX + 1];
    char table[DB_IDENT_MAX + 1];
    char key[DB_IDENT_MAX + 1];
    char text[DB_IDENT_MAX + 1];
};

/* The expression both engines store as the searchable text of a row: ligatures spelled out,
 * which PostgreSQL's unaccent does but SQLite's remove_diacritics does not, so "coeur" finds
 * "Cœur" on both. %s is the column. */
#define DB_SEARCH_FOLD                                                                             \
    "replace(replace(replace(replace(replace(replace(coalesce(%s, ''), 'œ', 'oe'), 'Œ', 'Oe'), " \
    "'æ', 'ae'), 'Æ', 'Ae'), 'ß', 'ss'), 'ẞ', 'Ss')"

/* Applies the `-- @search` lines of a migration's SQL (migrate.c calls it after the SQL). */
int db_search_directives(struct db *db, const char *sql, struct err *e);

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

#endif
