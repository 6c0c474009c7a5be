/* dbcopy: moves a whole database from one engine to another (SQLite <-> PostgreSQL), then
 * proves the copy with a row count and a checksum per table computed the same way on both. */
#ifndef LANTERNE_DBCOPY_H
#define LANTERNE_DBCOPY_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum {
    DBCOPY_BATCH_DEFAULT = 1000, /* rows read per query: what a copy holds in memory at once */
    DBCOPY_BATCH_MAX = 100000,
    DBCOPY_SUM_BYTES = 16, /* a table's checksum, shown as 32 hex digits */
    DBCOPY_SOURCE = 0,     /* index of each side in struct dbcopy_table */
    DBCOPY_TARGET = 1
};

struct dbcopy_plan; /* how one table is read and written; private */

struct dbcopy_table {
    const char *name;
    int64_t rows[2];                       /* by side: DBCOPY_SOURCE, DBCOPY_TARGET */
    char sum[2][2 * DBCOPY_SUM_BYTES + 1]; /* hex; "" for a side not measured */
    const struct dbcopy_plan *plan;
};

/* Tables in copy order (parents before children). */
struct dbcopy_report {
    struct dbcopy_table *tables;
    int n;
};

struct dbcopy_opts {
    int batch; /* rows per read, 1..DBCOPY_BATCH_MAX; 0 = DBCOPY_BATCH_DEFAULT */
    /* Optional: called after each batch read, with the rows of table done so far and how many
     * it has; verb is "copied" or "checked". */
    void (*progress)(void *arg, const char *verb, const char *table, int64_t done, int64_t total);
    void *arg;
};

/* Copies every row of every table of from (db_tables: the application's data, not search
 * indexes, which the target's triggers rebuild, nor schema_migrations) into to. to is first
 * migrated; both must then be at the same schema version, have the same tables and columns,
 * and to must hold no row at all (409 otherwise: a copy never merges). One transaction on
 * to, a snapshot of from; rows are read in batches by primary key, so memory does not grow
 * with a table. Values keep their type (integer, real, text, NULL) and ids are kept, with
 * the target's id generators moved past them. r is filled with the tables and the source's
 * side of each (counted and checksummed as read); measure the target with dbcopy_measure. */
int dbcopy_copy(struct db *from, struct db *to, struct arena *a, const struct dbcopy_opts *o,
                struct dbcopy_report *r, struct err *e);

/* Counts and checksums side's database for the tables of r, in one snapshot. */
int dbcopy_measure(struct db *db, int side, struct arena *a, const struct dbcopy_opts *o,
                   struct dbcopy_report *r, struct err *e);

/* Compares two databases without changing either: same schema version, tables and columns
 * (else an error), then both sides of r measured. */
int dbcopy_verify(struct db *from, struct db *to, struct arena *a, const struct dbcopy_opts *o,
                  struct dbcopy_report *r, struct err *e);

/* 1 when both sides of t have the same count and checksum. */
int dbcopy_table_same(const struct dbcopy_table *t);
/* How many tables of r differ. */
int dbcopy_differences(const struct dbcopy_report *r);

/*
 * The checksum of a table, independent of the engine and of row order: each row is hashed
 * (BLAKE2b) over its values in a canonical form (integers in decimal, reals as %.17g, text
 * as its bytes, NULL as a marker; each tagged with its type and length), the row hashes are
 * added up modulo 2^256, and the sum is hashed with the column names and the row count.
 * Adding makes the order rows are read in irrelevant: the two engines may sort text keys
 * differently (a PostgreSQL collation is not SQLite's byte order), and each is read in
 * its own primary-key order. sum gets 2 * DBCOPY_SUM_BYTES hex digits.
 */
int dbcopy_checksum(struct db *db, const char *table, struct arena *a, const struct dbcopy_opts *o,
                    int64_t *rows, char sum[2 * DBCOPY_SUM_BYTES + 1], struct err *e);

#endif
