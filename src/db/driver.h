/* db driver: the private contract between db.c and each database engine.
 * Only src/db/ includes this; the rest of the program sees db.h alone. */
#ifndef LANTERNE_DB_DRIVER_H
#define LANTERNE_DB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum { DB_BIND_MSG_MAX = 128 };

/* The engine-independent part of a connection. A driver allocates a larger struct whose
 * first member is this one, so db.c can keep the transaction count without knowing it. */
struct db {
    const struct db_driver *drv;
    int tx_depth;  /* 0 = no transaction; only the 0 <-> 1 moves reach the database */
    int tx_doomed; /* an inner level rolled back: the outermost commit must roll back */
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
    /* target is the URL with the scheme removed; returns NULL with e filled */
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
    void (*finalize)(struct db_stmt *s);
};

extern const struct db_driver db_sqlite_driver;

#endif
