/* db: the one small interface all SQL passes through.
 * Drivers (SQLite, PostgreSQL) sit behind it; domain modules use only this. */
#ifndef LANTERNE_DB_H
#define LANTERNE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;      /* one connection; used by one thread at a time */
struct db_pool; /* a fixed set of connections shared by threads */
struct db_stmt; /* a prepared statement */

enum { DB_DONE = 0, DB_ROW = 1 };

/* URL forms: "sqlite:/abs/path.db", "sqlite:relative.db", "sqlite::memory:" (opening applies
 * WAL mode, a busy timeout and foreign keys), and libpq connection URIs "postgresql://..." or
 * "postgres://...", e.g. "postgresql://user@host/db" or "postgresql:///db?host=/run/dir". */
int db_open(const char *url, struct db **out, struct err *e);
void db_close(struct db *db);
const char *db_dialect(const struct db *db); /* "sqlite" or "postgresql" */
/* What to append to a "SELECT ... LIMIT n" that picks rows to update so that concurrent
 * transactions skip them instead of waiting or taking them too: " FOR UPDATE SKIP LOCKED" on
 * PostgreSQL, "" on SQLite (whose BEGIN IMMEDIATE transactions are single-writer already). */
const char *db_sql_skip_locked(const struct db *db);

struct db_pool *db_pool_open(const char *url, int size, struct err *e);
/* Blocks until a connection is free. A PostgreSQL connection found broken (server restart)
 * is reconnected here; the statement that met the break failed with a 500. */
struct db *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, struct db *db); /* rolls back a transaction left open */
void db_pool_close(struct db_pool *p);

/* SQL uses '?' placeholders (the pg driver rewrites them to $n). Statements are cached
 * per connection by their SQL text: prepare is cheap the second time. Always finalize.
 * Type names are SQLite's: on PostgreSQL INTEGER means BIGINT and REAL DOUBLE PRECISION.
 * On PostgreSQL a statement that fails inside a transaction ends it for the database:
 * the outermost db_commit then fails and rolls back (on SQLite only that statement fails). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
int db_bind_int(struct db_stmt *s, int idx, int64_t v); /* idx from 1 */
int db_bind_double(struct db_stmt *s, int idx, double v);
int db_bind_text(struct db_stmt *s, int idx, const char *v); /* NULL binds NULL */
int db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n);
int db_bind_null(struct db_stmt *s, int idx);
/* DB_ROW, DB_DONE, or -1 with e filled (status 409 on a constraint violation, else 500) */
int db_step(struct db_stmt *s, struct err *e);
int db_col_count(struct db_stmt *s);
const char *db_col_name(struct db_stmt *s, int col);
int db_col_is_null(struct db_stmt *s, int col);
int64_t db_col_int(struct db_stmt *s, int col);
double db_col_double(struct db_stmt *s, int col);
/* valid until the next step or finalize; NULL for a NULL value */
const char *db_col_text(struct db_stmt *s, int col);
size_t db_col_len(struct db_stmt *s, int col);
void db_finalize(struct db_stmt *s); /* resets a cached statement, frees an uncached one */

/* What the current row's value is, for code that handles any column (lanterne db copy). */
enum db_type { DB_TYPE_NULL, DB_TYPE_INT, DB_TYPE_REAL, DB_TYPE_TEXT, DB_TYPE_BLOB };
/* SQLite: the value's storage class. PostgreSQL: from the column's type: integers and
 * booleans INT, floating point and numeric REAL, bytea BLOB, everything else TEXT. */
enum db_type db_col_type(struct db_stmt *s, int col);

/* Convenience: run SQL with no parameters and no result (may hold several statements).
 * Written as for SQLite: the pg driver turns "INTEGER PRIMARY KEY" into an identity column. */
int db_exec(struct db *db, const char *sql, struct err *e);
/* Run a statement with printf-like typed parameters given as a format string:
 * 'i' int64_t, 'd' double, 's' const char * (NULL -> NULL). Returns rows changed or -1. */
int64_t db_execf(struct db *db, struct err *e, const char *sql, const char *types, ...);
/* First column of the first row as an integer; def when there is no row or the value is
 * NULL. -1 on error is ambiguous, so the error is reported through e->status != 0. */
int64_t db_scalar_int(struct db *db, struct err *e, int64_t def, const char *sql, const char *types,
                      ...);

/* Transactions nest by counting: only the outermost begin/commit reach the database;
 * a rollback at any depth makes the outermost commit fail and roll back. */
int db_begin(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);
/* A transaction in which every read sees the same committed state, whatever other processes
 * commit meanwhile (SQLite: a deferred read transaction; PostgreSQL: REPEATABLE READ, READ
 * ONLY). For reading a whole database at once; outside any transaction only; end it with
 * db_rollback. */
int db_begin_snapshot(struct db *db, struct err *e);

/* A value that changes whenever anything was committed to the database, by this connection
 * or by any other (any process). Comparable only with values read on the same connection;
 * the page cache keys its entries per connection with it. */
int db_data_version(struct db *db, uint64_t *out, struct err *e);
/* A small per-connection slot for the layer above (the web layer keeps its page cache
 * there); freed with free_fn when the connection closes. */
void *db_user_data(struct db *db);
void db_set_user_data(struct db *db, void *data, void (*free_fn)(void *));

/* Apply numbered migrations (migrations/NNNN_name.sql, embedded at build time) not yet
 * recorded in schema_migrations. Each runs in its own transaction, so this must not be
 * called inside one; fails if the database is newer than the program. */
int db_migrate(struct db *db, struct err *e);
int db_schema_version(struct db *db); /* highest applied migration number, 0 if none */

/* Full-text search, the same on every engine: accents, case and punctuation are ignored, and
 * every word of the query must begin a word of the text ("saint-eti" and "ETI saint" find
 * "Saint-Étienne", "tienne" does not). A migration declares an index with a comment line
 *     -- @search <index> ON <table>(<key column>) USING (<text column>)
 * and each engine builds its own structure, kept in step with the table by triggers
 * (SQLite: FTS5; PostgreSQL: a tsvector with unaccent, which needs the unaccent extension or
 * the right to create it). Hits come shortest text first, then by key in byte order: for
 * names, the closest to what was typed, identical on both engines; callers re-rank as they
 * need (by population for communes). */
enum {
    DB_SEARCH_QUERY_MAX = 200, /* bytes of query text; longer is refused (400) */
    DB_SEARCH_WORDS_MAX = 10,  /* words in a query; more is refused (400) */
    DB_SEARCH_LIMIT_MAX = 1000 /* hits one call may ask for */
};

struct arena;

struct db_search_hit {
    const char *key; /* the key column's value as text, in the caller's arena */
};

/* The same as a `-- @search` line, for an index made outside migrations (tests, tools):
 * spec is what follows "@search". Fills the index from the rows already in the table. */
int db_search_create(struct db *db, const char *spec, struct err *e);
/* Up to limit hits (1..DB_SEARCH_LIMIT_MAX) for query in the named index; a query with no
 * words gives no hits. hits is allocated in a. */
int db_search(struct db *db, struct arena *a, const char *index, const char *query, int limit,
              struct db_search_hit **hits, int *n, struct err *e);

/* How db_search_ordered sorts: by one column of the indexed table. table and key repeat the
 * index's declaration (they join the index to its rows). Every name is spliced into SQL and
 * must be a plain identifier (checked: 500 otherwise): pass constants, never user input. */
struct db_search_order {
    const char *table;  /* the table the index was declared ON */
    const char *key;    /* its key column, as declared */
    const char *column; /* the column to sort by, e.g. "population" */
    int desc;           /* 1: largest first */
};

/* db_search with the hits sorted by a column of the indexed table rather than by closeness:
 * the first `limit` of all the matches, however many match ("saint" finds thousands of
 * communes, and the largest must come first), NULLs last, ties in db_search's order. The
 * engine sorts every match, so a query matching much of the table costs about as much as
 * scanning it. On PostgreSQL a text column compares in the database's collation (byte order,
 * as on SQLite, in a C or C.UTF-8 database). Same limits and errors as db_search. */
int db_search_ordered(struct db *db, struct arena *a, const char *index,
                      const struct db_search_order *order, const char *query, int limit,
                      struct db_search_hit **hits, int *n, struct err *e);

/* ---- What a database holds, for tools that move one whole (lanterne db copy) ---- */

/* name as a quoted identifier, "like ""this""", which both engines read the same way; in a.
 * For names read from db_tables and db_columns (PostgreSQL's quoted names keep their case). */
const char *db_ident(struct arena *a, const char *name);

/* The application's tables, each after the tables its foreign keys point to (parents before
 * children; otherwise by name, so the order is the same on both engines). Left out: the
 * engine's own tables, search indexes (derived from their table and kept by triggers) and
 * schema_migrations (db_migrate's record). *names is allocated in a. */
int db_tables(struct db *db, struct arena *a, const char ***names, int *n, struct err *e);

struct db_column {
    const char *name;
    int key;      /* position in the primary key, from 1; 0 when not part of it */
    int identity; /* the engine generates a value when none is given (SQLite's INTEGER PRIMARY
                     KEY, PostgreSQL's identity columns) */
};
/* A table's stored columns in declaration order (generated columns left out); *cols in a.
 * A table that does not exist has no columns: *n is 0. */
int db_columns(struct db *db, struct arena *a, const char *table, struct db_column **cols, int *n,
               struct err *e);

/* The highest value the generator of an identity column has handed out or the column holds,
 * 0 if none: ids of deleted rows count, since Lanterne never reuses an id. */
int db_identity_last(struct db *db, const char *table, const char *column, int64_t *last,
                     struct err *e);
/* Makes the generator's next value greater than last and than every value in the column:
 * after rows were inserted with their ids given, new rows must not collide with them.
 * (A SQLite INTEGER PRIMARY KEY without AUTOINCREMENT follows the largest id by itself.) */
int db_identity_advance(struct db *db, const char *table, const char *column, int64_t last,
                        struct err *e);

#endif
