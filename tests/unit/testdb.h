/* testdb.h: the database a unit test runs against. SQLite in memory by default; the
 * PostgreSQL database named by LANTERNE_TEST_DATABASE_URL when it is a postgresql:// (or
 * postgres://) URL, as `make test` sets it for its second pass (scripts/test.sh, one throwaway
 * database per test binary in the cluster of scripts/pg-test-cluster.sh). That database is
 * emptied (schema public dropped and made again) by every testdb_open(): it must be a
 * throwaway one.
 *
 * Header-only (static functions): a test includes it after db/db.h. */
#ifndef LANTERNE_TESTDB_H
#define LANTERNE_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* The PostgreSQL URL the tests run against, or NULL on SQLite. */
static inline const char *testdb_pg_url(void)
{
    const char *url = getenv("LANTERNE_TEST_DATABASE_URL");
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        return url;
    return NULL;
}

/* "postgresql" or "sqlite", for a group name or a message. */
static inline const char *testdb_engine(void)
{
    return testdb_pg_url() ? "postgresql" : "sqlite";
}

/* A connection to an empty, migrated database: a new SQLite one in memory, or the PostgreSQL
 * test database emptied first (extensions included: the migrations create what they need).
 * NULL after printing the reason on stderr. */
static inline struct db *testdb_open(void)
{
    const char *pg = testdb_pg_url();
    struct db *db = NULL;
    struct err e = {0};
    if (db_open(pg ? pg : "sqlite::memory:", &db, &e)) {
        fprintf(stderr, "testdb_open(%s): %s\n", pg ? pg : "sqlite::memory:", e.msg);
        return NULL;
    }
    if (pg && db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public", &e)) {
        fprintf(stderr, "testdb_open: emptying %s: %s\n", pg, e.msg);
        db_close(db);
        return NULL;
    }
    if (db_migrate(db, &e)) {
        fprintf(stderr, "testdb_open: migrating: %s\n", e.msg);
        db_close(db);
        return NULL;
    }
    return db;
}

#endif
