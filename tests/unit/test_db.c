/* test_db: the database layer through its public contract (db.h), on SQLite, and on
 * PostgreSQL too when LANTERNE_TEST_DATABASE_URL names one (scripts/pg-test-cluster.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "db/db.h"
#include "db/driver.h" /* db_search_directives, which migrations reach and nothing else does */
#include "db/migrations.h"

/* Set from LANTERNE_TEST_DATABASE_URL: every test not marked SQLite-only then runs against
 * this PostgreSQL database, which each test empties first (it must be a throwaway one). */
static const char *pg_url;

static int on_pg(void)
{
    return pg_url != NULL;
}

/* A scratch directory per test that needs files, removed with whatever SQLite left. */
struct tmp {
    char dir[64];
    char path[128];
    char url[160];
};

static void pg_reset(void);

/* A database several connections can share: a file on SQLite, the emptied test database on
 * PostgreSQL. */
static void tmp_make(struct tmp *t)
{
    if (on_pg()) {
        pg_reset();
        t->dir[0] = 0;
        snprintf(t->url, sizeof t->url, "%s", pg_url);
        return;
    }
    snprintf(t->dir, sizeof t->dir, "/tmp/lanterne-test-db-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    snprintf(t->url, sizeof t->url, "sqlite:%s", t->path);
}

static void tmp_remove(struct tmp *t)
{
    static const char *const names[] = {"test.db", "test.db-wal", "test.db-shm",
                                        "rel.db",  "rel.db-wal",  "rel.db-shm"};
    char p[160];
    if (!t->dir[0])
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", t->dir, names[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static struct db *open_ok(const char *url)
{
    struct db *db = NULL;
    struct err e = {0};
    int rc = db_open(url, &db, &e);
    if (rc)
        fail_msg("db_open(%s): %s", url, e.msg);
    assert_non_null(db);
    return db;
}

/* Drops everything the previous test left, extensions included: tests start from nothing. */
static void pg_reset(void)
{
    struct db *db = open_ok(pg_url);
    struct err e = {0};
    if (db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public", &e))
        fail_msg("resetting the test database: %s", e.msg);
    db_close(db);
}

/* A new empty database for one connection. */
static struct db *open_memory(void)
{
    if (on_pg()) {
        pg_reset();
        return open_ok(pg_url);
    }
    return open_ok("sqlite::memory:");
}

/* The URL of an empty database one pool of one may use. */
static const char *memory_url(void)
{
    if (on_pg()) {
        pg_reset();
        return pg_url;
    }
    return "sqlite::memory:";
}

static void exec_ok(struct db *db, const char *sql)
{
    struct err e = {0};
    if (db_exec(db, sql, &e))
        fail_msg("db_exec(%s): %s", sql, e.msg);
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct err e = {0};
    int64_t v = db_scalar_int(db, &e, -999, sql, "");
    if (e.status)
        fail_msg("db_scalar_int(%s): %s", sql, e.msg);
    return v;
}

/* First column of the first row as text, copied into out ("" for no row, "(null)"). */
static void text_of(struct db *db, const char *sql, char *out, size_t n)
{
    struct db_stmt *s = NULL;
    struct err e = {0};
    assert_int_equal(db_prepare(db, sql, &s, &e), 0);
    out[0] = 0;
    if (db_step(s, &e) == DB_ROW) {
        const char *t = db_col_text(s, 0);
        snprintf(out, n, "%s", t ? t : "(null)");
    }
    db_finalize(s);
}

static int latest_migration(void)
{
    int n = 0;
    for (const struct db_migration *m = db_migrations; m->number; m++)
        n = m->number;
    return n;
}

static int migration_count(void)
{
    int n = 0;
    for (const struct db_migration *m = db_migrations; m->number; m++)
        n++;
    return n;
}

/* ---- opening ---- */

static void test_open_memory(void **state)
{
    struct db *db = open_memory();
    char mode[32];
    assert_string_equal(db_dialect(db), "sqlite");
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar(db, "PRAGMA busy_timeout"), 5000);
    text_of(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "memory");
    db_close(db);
}

static void test_open_file_wal(void **state)
{
    struct tmp t;
    char mode[32], cwd[PATH_MAX];
    tmp_make(&t);
    struct db *db = open_ok(t.url);
    text_of(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    assert_int_equal(scalar(db, "PRAGMA synchronous"), 2); /* FULL: commits are durable */
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    exec_ok(db, "CREATE TABLE t (x INTEGER)");
    db_close(db);
    assert_int_equal(access(t.path, F_OK), 0);

    /* a relative path is relative to the working directory */
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(t.dir), 0);
    db = open_ok("sqlite:rel.db");
    exec_ok(db, "CREATE TABLE r (x INTEGER)");
    db_close(db);
    assert_int_equal(access("rel.db", F_OK), 0);
    assert_int_equal(chdir(cwd), 0);
    tmp_remove(&t);
}

static void test_unsupported_urls(void **state)
{
    struct db *db = (struct db *)1;
    struct err e = {0};
    assert_int_equal(db_open("mysql://root:secret@host/db", &db, &e), -1);
    assert_null(db);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "unsupported database URL"));
    assert_non_null(strstr(e.msg, "use sqlite:PATH"));
    assert_null(strstr(e.msg, "secret")); /* a URL's password never reaches a log */

    /* no server there: the error says so, without the password */
    err_clear(&e);
    assert_int_equal(db_open("postgresql://u:secret@/lanterne?host=/nonexistent-lanterne", &db, &e),
                     -1);
    assert_null(db);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "cannot connect to PostgreSQL"));
    assert_null(strstr(e.msg, "secret"));
    err_clear(&e);
    assert_int_equal(db_open("postgres://u:secret@/x?host=/nonexistent-lanterne", &db, &e), -1);
    assert_non_null(strstr(e.msg, "cannot connect to PostgreSQL"));
    err_clear(&e);
    assert_int_equal(db_open("postgresql://h/x?nonsense=1", &db, &e), -1);
    assert_non_null(strstr(e.msg, "nonsense"));

    err_clear(&e);
    assert_int_equal(db_open("lanterne.db", &db, &e), -1);
    assert_non_null(strstr(e.msg, "unsupported database URL"));

    err_clear(&e);
    assert_int_equal(db_open("sqlite:", &db, &e), -1);
    assert_int_equal(e.status, 500);

    err_clear(&e);
    assert_int_equal(db_open("sqlite:/nonexistent-dir-lanterne/x.db", &db, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "cannot open"));

    err_clear(&e);
    assert_null(db_pool_open("mysql://x", 2, &e));
    assert_int_equal(e.status, 500);
}

/* ---- migrations ---- */

static void test_migrate_idempotent(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    assert_int_equal(db_schema_version(db), 0);
    if (db_migrate(db, &e))
        fail_msg("migrate: %s", e.msg);
    assert_int_equal(db_schema_version(db), latest_migration());
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM schema_migrations"), migration_count());
    int64_t at = scalar(db, "SELECT MIN(applied_at) FROM schema_migrations");
    assert_true(at > 0 && at <= (int64_t)time(NULL));
    /* a table from 0001 exists */
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM users"), 0);

    assert_int_equal(db_migrate(db, &e), 0);
    assert_int_equal(db_schema_version(db), latest_migration());
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM schema_migrations"), migration_count());
    assert_int_equal(scalar(db, "SELECT MIN(applied_at) FROM schema_migrations"), at);
    db_close(db);
}

static void test_migrate_failure_rolls_back(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    /* a table the first migration also creates makes it fail part-way */
    exec_ok(db, "CREATE TABLE users (x INTEGER)");
    assert_int_equal(db_migrate(db, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, db_migrations[0].name));
    assert_non_null(strstr(e.msg, "already exists"));
    assert_int_equal(db_schema_version(db), 0);
    /* tables created earlier in the same migration were rolled back */
    assert_int_equal(scalar(db, on_pg() ? "SELECT COUNT(*) FROM information_schema.tables "
                                          "WHERE table_name = 'regions'"
                                        : "SELECT COUNT(*) FROM sqlite_schema "
                                          "WHERE name = 'regions'"),
                     0);
    /* after fixing the cause it applies */
    exec_ok(db, "DROP TABLE users");
    assert_int_equal(db_migrate(db, &e), 0);
    assert_int_equal(db_schema_version(db), latest_migration());
    db_close(db);
}

static void test_migrate_refuses_newer_database(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    assert_int_equal(db_migrate(db, &e), 0);
    assert_true(db_execf(db, &e, "INSERT INTO schema_migrations VALUES (?, 'future', 0)", "i",
                         (int64_t)latest_migration() + 1) == 1);
    assert_int_equal(db_migrate(db, &e), -1);
    assert_non_null(strstr(e.msg, "newer version"));

    err_clear(&e);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_migrate(db, &e), -1);
    assert_non_null(strstr(e.msg, "inside a transaction"));
    db_rollback(db);
    db_close(db);
}

struct migrate_arg {
    const char *url;
    pthread_barrier_t *start;
    int rc;
    char msg[256];
};

static void *migrate_thread(void *p)
{
    struct migrate_arg *a = p;
    struct db *db = NULL;
    struct err e = {0};
    pthread_barrier_wait(a->start);
    a->rc = db_open(a->url, &db, &e);
    if (!a->rc)
        a->rc = db_migrate(db, &e);
    snprintf(a->msg, sizeof a->msg, "%s", e.msg);
    db_close(db);
    return NULL;
}

enum { MIGRATORS = 4 };

/* Several processes starting at once on a fresh file: all succeed, each migration once.
 * (Found a real bug: switching to WAL answered BUSY without waiting.) */
static void test_migrate_concurrent(void **state)
{
    struct tmp t;
    pthread_barrier_t start;
    pthread_t th[MIGRATORS];
    struct migrate_arg a[MIGRATORS];
    tmp_make(&t);
    pthread_barrier_init(&start, NULL, MIGRATORS);
    for (int i = 0; i < MIGRATORS; i++) {
        a[i] = (struct migrate_arg){.url = t.url, .start = &start};
        pthread_create(&th[i], NULL, migrate_thread, &a[i]);
    }
    for (int i = 0; i < MIGRATORS; i++) {
        pthread_join(th[i], NULL);
        if (a[i].rc)
            fail_msg("thread %d: %s", i, a[i].msg);
    }
    pthread_barrier_destroy(&start);
    struct db *db = open_ok(t.url);
    assert_int_equal(db_schema_version(db), latest_migration());
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM schema_migrations"), migration_count());
    db_close(db);
    tmp_remove(&t);
}

/* ---- binding and reading ---- */

static void make_table(struct db *db)
{
    exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, n TEXT);"
                "CREATE TABLE u (name TEXT NOT NULL UNIQUE,"
                " t_id INTEGER REFERENCES t(id))");
}

static void test_bind_every_type(void **state)
{
    struct db *db = open_memory();
    struct db_stmt *s = NULL;
    struct err e = {0};
    make_table(db);
    assert_int_equal(db_prepare(db, "INSERT INTO t (i, d, s, n) VALUES (?, ?, ?, ?)", &s, &e), 0);
    assert_int_equal(db_bind_int(s, 1, INT64_MAX), 0);
    assert_int_equal(db_bind_double(s, 2, 2.5), 0);
    assert_int_equal(db_bind_textn(s, 3, "héllo world", 6), 0); /* "héllo" is 6 bytes */
    assert_int_equal(db_bind_null(s, 4), 0);
    assert_int_equal(db_step(s, &e), DB_DONE);
    db_finalize(s);

    assert_int_equal(db_prepare(db, "INSERT INTO t (i, d, s, n) VALUES (?, ?, ?, ?)", &s, &e), 0);
    assert_int_equal(db_bind_int(s, 1, INT64_MIN), 0);
    assert_int_equal(db_bind_double(s, 2, -1e300), 0);
    assert_int_equal(db_bind_text(s, 3, NULL), 0); /* NULL text binds NULL */
    assert_int_equal(db_bind_textn(s, 4, NULL, 3), 0);
    assert_int_equal(db_step(s, &e), DB_DONE);
    db_finalize(s);

    assert_int_equal(db_prepare(db, "SELECT id, i, d, s, n FROM t ORDER BY id", &s, &e), 0);
    assert_int_equal(db_col_count(s), 5);
    assert_string_equal(db_col_name(s, 3), "s");
    assert_int_equal(db_step(s, &e), DB_ROW);
    assert_int_equal(db_col_int(s, 1), INT64_MAX);
    assert_true(db_col_double(s, 2) == 2.5);
    assert_string_equal(db_col_text(s, 3), "héllo");
    assert_int_equal(db_col_len(s, 3), 6);
    assert_false(db_col_is_null(s, 3));
    assert_true(db_col_is_null(s, 4));
    assert_null(db_col_text(s, 4));
    assert_int_equal(db_step(s, &e), DB_ROW);
    assert_int_equal(db_col_int(s, 1), INT64_MIN);
    assert_true(db_col_double(s, 2) == -1e300);
    assert_null(db_col_text(s, 3));
    assert_null(db_col_text(s, 4));
    assert_int_equal(db_step(s, &e), DB_DONE);
    db_finalize(s);
    db_close(db);
}

static void test_metacharacters_are_text(void **state)
{
    static const char *const nasty[] = {
        "Robert'); DROP TABLE t;--",
        "' OR '1'='1",
        "\"double\" `back` [brackets] ? ?1 :name @x $y %s %n \\ ;",
        "l'Île-de-France — « guillemets »",
    };
    struct db *db = open_memory();
    struct err e = {0};
    char got[128];
    make_table(db);
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        assert_int_equal(
            db_execf(db, &e, "INSERT INTO t (id, s) VALUES (?, ?)", "is", (int64_t)i + 1, nasty[i]),
            1);
    }
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 4); /* the table survived */
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        struct db_stmt *s = NULL;
        assert_int_equal(db_prepare(db, "SELECT s FROM t WHERE id = ?", &s, &e), 0);
        db_bind_int(s, 1, (int64_t)i + 1);
        assert_int_equal(db_step(s, &e), DB_ROW);
        snprintf(got, sizeof got, "%s", db_col_text(s, 0));
        db_finalize(s);
        assert_string_equal(got, nasty[i]);
        /* and it matches itself as a parameter, never as SQL */
        assert_int_equal(
            db_scalar_int(db, &e, 0, "SELECT COUNT(*) FROM t WHERE s = ?", "s", nasty[i]), 1);
    }
    db_close(db);
}

static void test_execf_and_scalar(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    make_table(db);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i, d, s, n) VALUES (?, ?, ?, ?)", "idss",
                              (int64_t)7, 0.25, "x", (const char *)NULL),
                     1);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?), (?), (?)", "iii", (int64_t)1,
                              (int64_t)2, (int64_t)3),
                     3);
    assert_int_equal(db_execf(db, &e, "UPDATE t SET s = ? WHERE i < ?", "si", "low", (int64_t)5),
                     3);
    assert_int_equal(db_execf(db, &e, "DELETE FROM t WHERE i > ?", "i", (int64_t)100), 0);
    /* RETURNING rows are consumed and the change still counted */
    assert_int_equal(
        db_execf(db, &e, "UPDATE t SET i = i + 1 WHERE i = ? RETURNING id", "i", (int64_t)7), 1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t WHERE n IS NULL"), 4);
    assert_int_equal(db_scalar_int(db, &e, 0, "SELECT d * 4 FROM t WHERE i = ?", "i", (int64_t)8),
                     1);

    /* no row and a NULL value both give the default, without an error */
    e.status = 123;
    assert_int_equal(db_scalar_int(db, &e, 42, "SELECT i FROM t WHERE s = ?", "s", "none"), 42);
    assert_int_equal(e.status, 0);
    assert_int_equal(db_scalar_int(db, &e, 43, "SELECT MAX(i) FROM t WHERE i > 100", ""), 43);
    assert_int_equal(e.status, 0);

    /* errors are told apart from values through e.status */
    assert_int_equal(db_scalar_int(db, &e, 0, "SELECT nope FROM t", ""), -1);
    assert_int_equal(e.status, 500);
    db_close(db);
}

/* ---- errors ---- */

static void test_constraint_is_409(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = NULL;
    make_table(db);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), 1);

    err_clear(&e);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), -1);
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.msg, "UNIQUE"));

    err_clear(&e);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", (char *)NULL), -1);
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.msg, "NOT NULL"));

    err_clear(&e);
    assert_int_equal(
        db_execf(db, &e, "INSERT INTO u (name, t_id) VALUES (?, ?)", "si", "b", (int64_t)99), -1);
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.msg, "FOREIGN KEY"));

    /* through db_step and db_exec too */
    err_clear(&e);
    assert_int_equal(db_prepare(db, "INSERT INTO u (name) VALUES ('a')", &s, &e), 0);
    assert_int_equal(db_step(s, &e), -1);
    assert_int_equal(e.status, 409);
    db_finalize(s);
    err_clear(&e);
    assert_int_equal(db_exec(db, "INSERT INTO u (name) VALUES ('a')", &e), -1);
    assert_int_equal(e.status, 409);

    /* the statement that failed is usable again once finalized */
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "c"), 1);
    db_close(db);
}

static void test_other_errors_are_500(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = (struct db_stmt *)1;
    make_table(db);

    assert_int_equal(db_prepare(db, "SELEKT 1", &s, &e), -1);
    assert_null(s);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "syntax error"));

    err_clear(&e);
    assert_int_equal(db_prepare(db, "SELECT * FROM missing", &s, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, on_pg() ? "does not exist" : "no such table"));

    err_clear(&e);
    assert_int_equal(db_prepare(db, "   ", &s, &e), -1);
    assert_int_equal(e.status, 500);

    /* a second statement would be silently ignored: refused instead */
    err_clear(&e);
    assert_int_equal(db_prepare(db, "DELETE FROM t; DROP TABLE t", &s, &e), -1);
    assert_non_null(strstr(e.msg, "one SQL statement"));
    assert_int_equal(db_prepare(db, "SELECT 1; -- only a comment\n", &s, &e), 0);
    db_finalize(s);

    err_clear(&e);
    assert_int_equal(db_exec(db, "CREATE TABLE t (x)", &e), -1);
    assert_int_equal(e.status, 500);

    /* typed helpers: wrong count of values and unknown type letters */
    err_clear(&e);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i, s) VALUES (?, ?)", "i", (int64_t)1), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "2 parameters"));
    err_clear(&e);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "x", (int64_t)1), -1);
    assert_non_null(strstr(e.msg, "unknown parameter type"));
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 0);

    /* a bind failure is reported by the next step */
    err_clear(&e);
    assert_int_equal(db_prepare(db, "SELECT ?", &s, &e), 0);
    assert_int_equal(db_bind_int(s, 2, 1), -1);
    assert_int_equal(db_step(s, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "parameter 2"));
    db_finalize(s);
    /* and forgotten once the cached statement is reused */
    assert_int_equal(db_prepare(db, "SELECT ?", &s, &e), 0);
    assert_int_equal(db_step(s, &e), DB_ROW);
    db_finalize(s);

    /* the text length limit: refused before any byte past the buffer is read */
    err_clear(&e);
    assert_int_equal(db_prepare(db, "SELECT ?", &s, &e), 0);
    assert_int_equal(db_bind_textn(s, 1, "x", (size_t)INT_MAX + 1), -1);
    assert_int_equal(db_step(s, &e), -1);
    assert_non_null(strstr(e.msg, "too long"));
    db_finalize(s);
    db_close(db);
}

/* ---- transactions ---- */

static void test_nested_commit(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    make_table(db);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)1), 1);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)2), 1);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 2);

    /* outer rollback discards what a committed inner level wrote */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)3), 1);
    assert_int_equal(db_commit(db, &e), 0);
    db_rollback(db);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 2);
    db_close(db);
}

static void test_inner_rollback_fails_outer_commit(void **state)
{
    struct tmp t;
    tmp_make(&t);
    struct db *db = open_ok(t.url);
    struct db *other = open_ok(t.url);
    struct err e = {0};
    make_table(db);

    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)1), 1);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)2), 1);
    db_rollback(db);
    /* another level opened after the failure also reports it */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_commit(db, &e), -1);
    err_clear(&e);
    assert_int_equal(db_commit(db, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "rolled back"));
    /* nothing was written, as seen from this and another connection */
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t"), 0);
    /* a rollback after the failed commit is harmless and the next transaction works */
    db_rollback(db);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)3), 1);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t"), 1);

    err_clear(&e);
    assert_int_equal(db_commit(db, &e), -1); /* no transaction */
    assert_int_equal(e.status, 500);
    db_rollback(db);

    /* a transaction left open at close is rolled back */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)4), 1);
    db_close(db);
    assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t"), 1);
    db_close(other);
    tmp_remove(&t);
}

/* ---- statement cache ---- */

static void test_cache_reuse(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *a = NULL, *b = NULL;
    const char *sql = "SELECT ?";

    assert_int_equal(db_prepare(db, sql, &a, &e), 0);
    db_bind_int(a, 1, 5);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int(a, 0), 5);
    db_finalize(a);

    /* the second prepare of the same text returns the cached statement, reset and with
     * its bindings cleared */
    assert_int_equal(db_prepare(db, sql, &b, &e), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(db_step(b, &e), DB_ROW);
    assert_true(db_col_is_null(b, 0));
    db_finalize(b);

    /* a statement abandoned mid-result is reset by finalize and starts over */
    exec_ok(db, "CREATE TABLE n (x INTEGER); INSERT INTO n VALUES (1), (2), (3)");
    assert_int_equal(db_prepare(db, "SELECT x FROM n ORDER BY x", &a, &e), 0);
    assert_int_equal(db_step(a, &e), DB_ROW);
    db_finalize(a);
    assert_int_equal(db_prepare(db, "SELECT x FROM n ORDER BY x", &a, &e), 0);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int(a, 0), 1);
    db_finalize(a);
    db_close(db);
}

static void test_cache_in_use(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *a = NULL, *b = NULL, *c = NULL;
    const char *sql = "SELECT x FROM n WHERE x >= ? ORDER BY x";
    exec_ok(db, "CREATE TABLE n (x INTEGER); INSERT INTO n VALUES (1), (2), (3)");

    assert_int_equal(db_prepare(db, sql, &a, &e), 0);
    db_bind_int(a, 1, 1);
    assert_int_equal(db_step(a, &e), DB_ROW);
    /* same SQL while a is still being read: a different statement */
    assert_int_equal(db_prepare(db, sql, &b, &e), 0);
    assert_ptr_not_equal(a, b);
    db_bind_int(b, 1, 3);
    assert_int_equal(db_step(b, &e), DB_ROW);
    assert_int_equal(db_col_int(b, 0), 3);
    /* stepping one does not disturb the other */
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int(a, 0), 2);
    assert_int_equal(db_step(b, &e), DB_DONE);
    db_finalize(b);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_int_equal(db_col_int(a, 0), 3);
    db_finalize(a);

    /* the cached one comes back once it is free */
    assert_int_equal(db_prepare(db, sql, &c, &e), 0);
    assert_ptr_equal(c, a);
    db_finalize(c);
    db_close(db);
}

/* Past the cache's capacity statements still work (prepared uncached) and nothing leaks. */
static void test_cache_limit(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    char sql[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 1500; i++) {
            snprintf(sql, sizeof sql, "SELECT %d + ?", i);
            assert_int_equal(db_scalar_int(db, &e, -1, sql, "i", (int64_t)1), i + 1);
        }
    }
    db_close(db);
}

/* ---- pool ---- */

struct pool_arg {
    struct db_pool *pool;
    int id;
    int failures;
};

enum { POOL_ROWS = 50 };

static void *pool_writer(void *p)
{
    struct pool_arg *a = p;
    struct err e = {0};
    for (int i = 0; i < POOL_ROWS; i++) {
        struct db *db = db_pool_get(a->pool);
        if (db_begin(db, &e) ||
            db_execf(db, &e, "INSERT INTO t (i, s) VALUES (?, ?)", "is", (int64_t)i,
                     a->id ? "b" : "a") != 1 ||
            db_commit(db, &e)) {
            a->failures++;
            db_rollback(db);
        }
        db_pool_put(a->pool, db);
    }
    return NULL;
}

static void test_pool_two_threads(void **state)
{
    struct tmp t;
    struct err e = {0};
    pthread_t th[2];
    struct pool_arg a[2];
    tmp_make(&t);
    struct db_pool *pool = db_pool_open(t.url, 2, &e);
    if (!pool)
        fail_msg("pool: %s", e.msg);
    struct db *db = db_pool_get(pool);
    make_table(db);
    db_pool_put(pool, db);
    for (int i = 0; i < 2; i++) {
        a[i] = (struct pool_arg){.pool = pool, .id = i};
        pthread_create(&th[i], NULL, pool_writer, &a[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(a[i].failures, 0);
    }
    db = db_pool_get(pool);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 2 * POOL_ROWS);
    assert_int_equal(scalar(db, "SELECT COUNT(DISTINCT s) FROM t"), 2);
    db_pool_put(pool, db);
    db_pool_close(pool);
    tmp_remove(&t);
}

struct waiter {
    struct db_pool *pool;
    atomic_int got;
};

static void *pool_waiter(void *p)
{
    struct waiter *w = p;
    struct db *db = db_pool_get(w->pool);
    atomic_store(&w->got, 1);
    db_pool_put(w->pool, db);
    return NULL;
}

static void test_pool_blocks_until_put(void **state)
{
    struct err e = {0};
    pthread_t th;
    struct waiter w = {.pool = db_pool_open(memory_url(), 1, &e)};
    assert_non_null(w.pool);
    atomic_init(&w.got, 0);
    struct db *db = db_pool_get(w.pool);
    pthread_create(&th, NULL, pool_waiter, &w);
    nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    assert_int_equal(atomic_load(&w.got), 0);

    /* a transaction left open is not inherited by the next user */
    make_table(db);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (1)", ""), 1);
    db_pool_put(w.pool, db);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&w.got), 1);
    db = db_pool_get(w.pool);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(db_begin(db, &e), 0); /* not "within a transaction" */
    db_rollback(db);
    db_pool_put(w.pool, db);
    db_pool_close(w.pool);
}

static void test_pool_limits(void **state)
{
    struct err e = {0};
    assert_null(db_pool_open("sqlite::memory:", 0, &e));
    assert_int_equal(e.status, 500);
    err_clear(&e);
    assert_null(db_pool_open("sqlite::memory:", 257, &e));
    assert_int_equal(e.status, 500);
    err_clear(&e);
    assert_null(db_pool_open("sqlite::memory:", 2, &e));
    assert_non_null(strstr(e.msg, ":memory:"));
    err_clear(&e);
    assert_null(db_pool_open("postgresql:///x?host=/nonexistent-lanterne", 2, &e));
    assert_non_null(strstr(e.msg, "PostgreSQL"));
}

/* ---- what both engines must agree on beyond the basics ---- */

static void test_dialect(void **state)
{
    struct db *db = open_memory();
    assert_string_equal(db_dialect(db), on_pg() ? "postgresql" : "sqlite");
    db_close(db);
}

/* '?' inside strings, quoted names and comments is text, not a parameter. */
static void test_placeholders_skip_literals(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = NULL;
    char got[128];
    const char *sql = "SELECT '?' || ? || 'it''s ?' || \"q?\" || ? /* ? */ -- ?\n"
                      "FROM (SELECT 'x' AS \"q?\") sub";
    assert_int_equal(db_prepare(db, sql, &s, &e), 0);
    db_bind_text(s, 1, "a");
    db_bind_text(s, 2, "b");
    assert_int_equal(db_step(s, &e), DB_ROW);
    snprintf(got, sizeof got, "%s", db_col_text(s, 0));
    db_finalize(s);
    assert_string_equal(got, "?ait's ?xb");
    /* the typed helper counts the same parameters */
    assert_int_equal(db_scalar_int(db, &e, 0, "SELECT length('? ?' || ?)", "s", "abc"), 6);
    /* numbered ones, reused */
    assert_int_equal(db_prepare(db, "SELECT ?2 || ?1 || ?2", &s, &e), 0);
    db_bind_text(s, 1, "x");
    db_bind_text(s, 2, "y");
    assert_int_equal(db_step(s, &e), DB_ROW);
    assert_string_equal(db_col_text(s, 0), "yxy");
    db_finalize(s);
    db_close(db);
}

/* Comparisons are booleans on PostgreSQL and integers on SQLite: callers see 1 and 0. */
static void test_booleans_read_as_integers(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = NULL;
    assert_int_equal(db_prepare(db, "SELECT 1 = 1, 1 = 2, 2.5", &s, &e), 0);
    assert_int_equal(db_step(s, &e), DB_ROW);
    assert_int_equal(db_col_int(s, 0), 1);
    assert_int_equal(db_col_int(s, 1), 0);
    assert_string_equal(db_col_text(s, 0), "1");
    assert_string_equal(db_col_text(s, 1), "0");
    assert_int_equal(db_col_len(s, 0), 1);
    assert_true(db_col_double(s, 0) == 1.0);
    assert_int_equal(db_col_int(s, 2), 2); /* truncated, as SQLite does */
    assert_true(db_col_double(s, 2) == 2.5);
    assert_int_equal(db_step(s, &e), DB_DONE);
    db_finalize(s);
    db_close(db);
}

/* INTEGER PRIMARY KEY hands out ids when none is given, and RETURNING reports them. */
static void test_generated_ids(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = NULL;
    make_table(db);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(db_prepare(db, "INSERT INTO t (s) VALUES (?) RETURNING id", &s, &e), 0);
        db_bind_text(s, 1, "x");
        assert_int_equal(db_step(s, &e), DB_ROW);
        assert_int_equal(db_col_int(s, 0), i);
        assert_int_equal(db_step(s, &e), DB_DONE);
        db_finalize(s);
    }
    /* an explicit id is kept */
    assert_int_equal(
        db_execf(db, &e, "INSERT INTO t (id, s) VALUES (?, ?)", "is", (int64_t)1000, "y"), 1);
    assert_int_equal(scalar(db, "SELECT MAX(id) FROM t"), 1000);
    /* upserts */
    assert_int_equal(
        db_execf(db, &e, "INSERT INTO u (name) VALUES (?) ON CONFLICT (name) DO NOTHING", "s", "k"),
        1);
    assert_int_equal(
        db_execf(db, &e, "INSERT INTO u (name) VALUES (?) ON CONFLICT (name) DO NOTHING", "s", "k"),
        0);
    assert_int_equal(db_execf(db, &e,
                              "INSERT INTO u (name, t_id) VALUES (?, ?) ON CONFLICT (name) "
                              "DO UPDATE SET t_id = excluded.t_id",
                              "si", "k", (int64_t)1),
                     1);
    assert_int_equal(scalar(db, "SELECT t_id FROM u WHERE name = 'k'"), 1);
    db_close(db);
}

/* On PostgreSQL a failed statement ends the transaction for the server: the commit must
 * fail and say so, and the connection must be usable afterwards. On SQLite only the
 * statement fails and the transaction goes on. */
static void test_failed_statement_in_transaction(void **state)
{
    struct tmp t;
    tmp_make(&t);
    struct db *db = open_ok(t.url);
    struct db *other = open_ok(t.url);
    struct err e = {0};
    make_table(db);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), 1);

    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)1), 1);
    assert_int_equal(db_begin(db, &e), 0);
    err_clear(&e);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    if (on_pg()) {
        /* the inner level's caller carries on regardless: the server refuses */
        assert_int_equal(db_commit(db, &e), -1);
        err_clear(&e);
        assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)2), -1);
        assert_int_equal(e.status, 500);
        err_clear(&e);
        assert_int_equal(db_commit(db, &e), -1);
        assert_non_null(strstr(e.msg, "rolled back"));
        assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t"), 0);
    } else {
        assert_int_equal(db_commit(db, &e), 0);
        assert_int_equal(db_commit(db, &e), 0);
        assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t"), 1);
    }
    db_rollback(db); /* harmless once ended */

    /* a rollback after a failure inside the transaction ends it cleanly */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), -1);
    db_rollback(db);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)3), 1);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(scalar(other, "SELECT COUNT(*) FROM t WHERE i = 3"), 1);

    /* a failed statement outside a transaction leaves nothing behind */
    assert_int_equal(db_execf(db, &e, "INSERT INTO u (name) VALUES (?)", "s", "a"), -1);
    assert_int_equal(db_execf(db, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)4), 1);
    db_close(db);
    db_close(other);
    tmp_remove(&t);
}

static uint64_t version_of(struct db *db)
{
    uint64_t v = 0;
    struct err e = {0};
    if (db_data_version(db, &v, &e))
        fail_msg("db_data_version: %s", e.msg);
    return v;
}

/* The page cache's key: moves with any commit, by this connection or another. */
static void test_data_version(void **state)
{
    struct tmp t;
    struct err e = {0};
    tmp_make(&t);
    struct db *a = open_ok(t.url);
    struct db *b = open_ok(t.url);
    assert_int_equal(db_migrate(a, &e), 0);
    make_table(a);

    uint64_t v1 = version_of(a);
    assert_true(version_of(a) == v1); /* reading changes nothing */
    assert_int_equal(scalar(b, "SELECT COUNT(*) FROM t"), 0);
    assert_true(version_of(a) == v1);

    assert_int_equal(db_execf(b, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)1), 1);
    uint64_t v2 = version_of(a);
    assert_true(v2 != v1); /* another connection's commit */

    assert_int_equal(db_begin(b, &e), 0);
    assert_int_equal(db_execf(b, &e, "INSERT INTO t (i) VALUES (?)", "i", (int64_t)2), 1);
    uint64_t v3 = version_of(a);
    assert_int_equal(db_commit(b, &e), 0);
    assert_true(version_of(a) != v3); /* seen at its commit */

    uint64_t v4 = version_of(a);
    assert_int_equal(db_execf(a, &e, "UPDATE t SET s = ? WHERE i = ?", "si", "x", (int64_t)1), 1);
    assert_true(version_of(a) != v4); /* its own write */

    /* inside its own transaction, its own writes count at once */
    assert_int_equal(db_begin(a, &e), 0);
    uint64_t v5 = version_of(a);
    assert_int_equal(db_execf(a, &e, "DELETE FROM t WHERE i = ?", "i", (int64_t)2), 1);
    assert_true(version_of(a) != v5);
    db_rollback(a);
    db_close(a);
    db_close(b);
    tmp_remove(&t);
}

/* ---- full-text search ---- */

static const char *const places[][2] = {
    {"42218", "Saint-Étienne"},   {"06120", "Saint-Étienne-de-Tinée"},
    {"75056", "Paris"},           {"46215", "Parisot"},
    {"94038", "L'Haÿ-les-Roses"}, {"02227", "Cœuvres-et-Valsery"},
    {"25056", "Besançon"},        {"84106", "Sainte-Marie"},
};

static void make_places(struct db *db)
{
    struct err e = {0};
    exec_ok(db, "CREATE TABLE places (code TEXT PRIMARY KEY, name TEXT, pop INTEGER)");
    /* some rows before the index, some after: both must be found */
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(db_execf(db, &e, "INSERT INTO places (code, name) VALUES (?, ?)", "ss",
                                  places[i][0], places[i][1]),
                         1);
    if (db_search_create(db, "places_search ON places(code) USING (name)", &e))
        fail_msg("db_search_create: %s", e.msg);
    for (size_t i = 4; i < sizeof places / sizeof places[0]; i++)
        assert_int_equal(db_execf(db, &e, "INSERT INTO places (code, name) VALUES (?, ?)", "ss",
                                  places[i][0], places[i][1]),
                         1);
}

/* The keys found for query, joined by spaces. */
static void search_keys(struct db *db, const char *index, const char *query, int limit, char *out,
                        size_t n)
{
    struct arena *a = arena_new();
    struct db_search_hit *hits = NULL;
    struct err e = {0};
    int count = -1;
    if (db_search(db, a, index, query, limit, &hits, &count, &e))
        fail_msg("db_search(%s): %s", query, e.msg);
    out[0] = 0;
    for (int i = 0; i < count; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? " " : "", hits[i].key);
    }
    arena_free(a);
}

static void expect_search(struct db *db, const char *query, const char *want)
{
    char got[256];
    search_keys(db, "places_search", query, 20, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("search \"%s\": got \"%s\", want \"%s\"", query, got, want);
}

static void test_search(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    make_places(db);
    /* accents, case, hyphens and apostrophes ignored; shortest name first */
    expect_search(db, "saint etienne", "42218 06120");
    expect_search(db, "SAINT-ÉTIENNE", "42218 06120");
    expect_search(db, "Saint Étienne de", "06120");
    /* every word a prefix, in any order */
    expect_search(db, "sain", "84106 42218 06120");
    expect_search(db, "eti saint", "42218 06120");
    expect_search(db, "saint-é", "42218 06120");
    expect_search(db, "par", "75056 46215");
    expect_search(db, "paris", "75056 46215");
    expect_search(db, "parisot", "46215");
    expect_search(db, "hay les roses", "94038");
    expect_search(db, "l'haÿ", "94038");
    expect_search(db, "besancon", "25056");
    /* ligatures, which SQLite's tokenizer does not fold by itself */
    expect_search(db, "coeuvres", "02227");
    expect_search(db, "Cœuvres", "02227");
    /* not a prefix of any word, and queries with no words */
    expect_search(db, "tienne", "");
    expect_search(db, "", "");
    expect_search(db, " - ' ", "");
    expect_search(db, "🎬 paris", "75056 46215");
    /* limit */
    char got[64];
    search_keys(db, "places_search", "saint", 2, got, sizeof got);
    assert_string_equal(got, "84106 42218");

    /* kept in step with the table */
    assert_int_equal(db_execf(db, &e, "UPDATE places SET name = ? WHERE code = ?", "ss",
                              "Paris-l'Hôpital", "46215"),
                     1);
    expect_search(db, "parisot", "");
    expect_search(db, "paris hopital", "46215");
    assert_int_equal(db_execf(db, &e, "UPDATE places SET pop = 5 WHERE code = ?", "s", "46215"), 1);
    expect_search(db, "paris hopital", "46215");
    assert_int_equal(
        db_execf(db, &e, "UPDATE places SET code = ? WHERE code = ?", "ss", "99999", "46215"), 1);
    expect_search(db, "paris hopital", "99999");
    assert_int_equal(db_execf(db, &e, "DELETE FROM places WHERE code = ?", "s", "75056"), 1);
    expect_search(db, "paris", "99999");
    assert_int_equal(db_execf(db, &e,
                              "INSERT INTO places (code, name) VALUES (?, ?) ON CONFLICT (code) "
                              "DO UPDATE SET name = excluded.name",
                              "ss", "75056", "Paris"),
                     1);
    expect_search(db, "paris", "75056 99999");
    /* a NULL text is an empty one */
    assert_int_equal(db_execf(db, &e, "INSERT INTO places (code) VALUES (?)", "s", "00000"), 1);
    expect_search(db, "paris", "75056 99999");
    db_close(db);
}

/* Integer keys come back as text; declarations come from migration comments. */
static void test_search_directives(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    char got[64];
    exec_ok(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    assert_int_equal(db_execf(db, &e, "INSERT INTO notes (body) VALUES (?), (?)", "ss",
                              "Projection à Saint-Denis", "Atelier d'écriture"),
                     2);
    const char *sql = "CREATE TABLE other (x TEXT);\n"
                      "  --   @search notes_search ON notes ( id ) USING ( body )  \r\n"
                      "-- @searching is not a declaration\n"
                      "-- a comment\n";
    if (db_search_directives(db, sql, &e))
        fail_msg("directives: %s", e.msg);
    search_keys(db, "notes_search", "ecri", 10, got, sizeof got);
    assert_string_equal(got, "2");
    search_keys(db, "notes_search", "denis projection", 10, got, sizeof got);
    assert_string_equal(got, "1");
    assert_int_equal(db_execf(db, &e, "INSERT INTO notes (body) VALUES (?)", "s", "Saint-Denis"),
                     1);
    search_keys(db, "notes_search", "saint", 10, got, sizeof got);
    assert_string_equal(got, "3 1");
    assert_int_equal(db_search_directives(db, "-- @search broken ON notes(id)\n", &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "broken"));
    db_close(db);
}

static void test_search_limits(void **state)
{
    struct db *db = open_memory();
    struct arena *a = arena_new();
    struct db_search_hit *hits = (struct db_search_hit *)1;
    struct err e = {0};
    char q[DB_SEARCH_QUERY_MAX + 2];
    int n = -1;
    make_places(db);

    /* the query length cap, on both sides */
    memset(q, 'a', sizeof q);
    q[DB_SEARCH_QUERY_MAX] = 0;
    assert_int_equal(db_search(db, a, "places_search", q, 10, &hits, &n, &e), 0);
    assert_int_equal(n, 0);
    q[DB_SEARCH_QUERY_MAX] = 'a';
    q[DB_SEARCH_QUERY_MAX + 1] = 0;
    assert_int_equal(db_search(db, a, "places_search", q, 10, &hits, &n, &e), -1);
    assert_int_equal(e.status, 400);

    /* the word cap */
    err_clear(&e);
    assert_int_equal(db_search(db, a, "places_search", "a b c d e f g h i j", 10, &hits, &n, &e),
                     0);
    assert_int_equal(db_search(db, a, "places_search", "a b c d e f g h i j k", 10, &hits, &n, &e),
                     -1);
    assert_int_equal(e.status, 400);

    /* the limit's range */
    err_clear(&e);
    assert_int_equal(db_search(db, a, "places_search", "paris", DB_SEARCH_LIMIT_MAX, &hits, &n, &e),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(db_search(db, a, "places_search", "paris", 0, &hits, &n, &e), -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(
        db_search(db, a, "places_search", "paris", DB_SEARCH_LIMIT_MAX + 1, &hits, &n, &e), -1);

    /* names are spliced into SQL: only plain identifiers pass */
    err_clear(&e);
    assert_int_equal(db_search(db, a, "places_search; DROP TABLE places", "x", 5, &hits, &n, &e),
                     -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(db_search(db, a, "missing_index", "x", 5, &hits, &n, &e), -1);
    assert_int_equal(e.status, 500);
    static const char *const bad[] = {
        "",
        "idx ON places(code)",
        "idx ON places(code) USING (name) extra",
        "idx ON places(code); DROP TABLE places USING (name)",
        "idx ON pla-ces(code) USING (name)",
        "idx ON places(code) USING (name, pop)",
        "a_name_that_is_much_longer_than_forty_characters ON places(code) USING (name)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        assert_int_equal(db_search_create(db, bad[i], &e), -1);
        assert_int_equal(e.status, 500);
    }
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM places"), 8);
    arena_free(a);
    db_close(db);
}

/* The keys db_search_ordered finds, joined by spaces. */
static void expect_ordered(struct db *db, const char *index, const struct db_search_order *order,
                           const char *query, int limit, const char *want)
{
    struct arena *a = arena_new();
    struct db_search_hit *hits = NULL;
    struct err e = {0};
    int count = -1;
    char got[256] = "";
    if (db_search_ordered(db, a, index, order, query, limit, &hits, &count, &e))
        fail_msg("db_search_ordered(%s, %s): %s", order->column, query, e.msg);
    for (int i = 0; i < count; i++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s", i ? " " : "", hits[i].key);
    }
    arena_free(a);
    if (strcmp(got, want) != 0)
        fail_msg("ordered search \"%s\" by %s %s: got \"%s\", want \"%s\"", query, order->column,
                 order->desc ? "desc" : "asc", got, want);
}

/* Sorted by a column of the indexed table, over every match: the limit keeps the first of
 * that order, not of db_search's. */
static void test_search_ordered(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    make_places(db);
    static const struct {
        const char *code;
        int64_t pop;
    } pops[] = {{"06120", 5000}, {"42218", 1600}, {"75056", 700}, {"46215", 700}};
    for (size_t i = 0; i < sizeof pops / sizeof pops[0]; i++)
        assert_int_equal(db_execf(db, &e, "UPDATE places SET pop = ? WHERE code = ?", "is",
                                  pops[i].pop, pops[i].code),
                         1);
    const struct db_search_order desc = {"places", "code", "pop", 1};
    const struct db_search_order asc = {"places", "code", "pop", 0};
    /* db_search gives "84106 42218 06120"; Sainte-Marie has no pop: last either way */
    expect_ordered(db, "places_search", &desc, "saint", 20, "06120 42218 84106");
    expect_ordered(db, "places_search", &asc, "saint", 20, "42218 06120 84106");
    expect_ordered(db, "places_search", &desc, "saint", 1, "06120");
    expect_ordered(db, "places_search", &asc, "SAINT-É", 1, "42218");
    /* ties as db_search orders them: shortest text first, not smallest key */
    expect_ordered(db, "places_search", &desc, "paris", 20, "75056 46215");
    expect_ordered(db, "places_search", &desc, "tienne", 20, "");
    expect_ordered(db, "places_search", &desc, " - ", 20, "");
    /* the sort reads the table as it is now */
    assert_int_equal(db_execf(db, &e, "UPDATE places SET pop = 1 WHERE code = ?", "s", "06120"), 1);
    expect_ordered(db, "places_search", &desc, "saint", 20, "42218 06120 84106");

    /* integer keys, stored as text by the index, join back to their rows */
    exec_ok(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, rank INTEGER)");
    assert_int_equal(db_execf(db, &e,
                              "INSERT INTO notes (body, rank) VALUES (?, 1), (?, 3), (?, 2)", "sss",
                              "Projection à Saint-Denis", "Saint-Denis", "Atelier"),
                     3);
    if (db_search_create(db, "notes_search ON notes(id) USING (body)", &e))
        fail_msg("db_search_create: %s", e.msg);
    const struct db_search_order by_rank = {"notes", "id", "rank", 1};
    expect_ordered(db, "notes_search", &by_rank, "saint", 10, "2 1");

    /* names are spliced into SQL: only plain identifiers pass; limits as db_search's */
    const struct db_search_order bad[] = {
        {"places; DROP TABLE places", "code", "pop", 1},
        {"places", "code", "pop DESC", 1},
        {"places", "code", "pop, (SELECT 1)", 1},
        {"places", "co\"de", "pop", 1},
        {NULL, "code", "pop", 1},
        {"places", NULL, "pop", 1},
        {"places", "code", NULL, 1},
    };
    struct arena *a = arena_new();
    struct db_search_hit *hits = (struct db_search_hit *)1;
    int n = -1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        assert_int_equal(
            db_search_ordered(db, a, "places_search", &bad[i], "saint", 5, &hits, &n, &e), -1);
        assert_int_equal(e.status, 500);
        assert_null(hits);
        assert_int_equal(n, 0);
    }
    err_clear(&e);
    assert_int_equal(db_search_ordered(db, a, "places_search", NULL, "saint", 5, &hits, &n, &e),
                     -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(db_search_ordered(db, a, "places_search", &desc, "saint", 0, &hits, &n, &e),
                     -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(
        db_search_ordered(db, a, "places_search", &desc, "a b c d e f g h i j k", 5, &hits, &n, &e),
        -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM places"), 8);
    arena_free(a);
    db_close(db);
}

/* ---- PostgreSQL only ---- */

/* The SQLite type names in DDL become their PostgreSQL equivalents, quoted text aside. */
static void test_pg_ddl_rewrite(void **state)
{
    struct db *db = open_memory();
    char type[64];
    exec_ok(db, "CREATE TABLE r (id INTEGER  PRIMARY\n KEY, n integer NOT NULL DEFAULT 0,"
                " x REAL, \"integer\" TEXT DEFAULT 'INTEGER PRIMARY KEY', y INTEGER)");
    static const char *const want[][2] = {
        {"id", "bigint"},    {"n", "bigint"}, {"x", "double precision"},
        {"integer", "text"}, {"y", "bigint"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT data_type FROM information_schema.columns "
                 "WHERE table_name = 'r' AND column_name = '%s'",
                 want[i][0]);
        text_of(db, sql, type, sizeof type);
        assert_string_equal(type, want[i][1]);
    }
    text_of(db,
            "SELECT is_identity FROM information_schema.columns "
            "WHERE table_name = 'r' AND column_name = 'id'",
            type, sizeof type);
    assert_string_equal(type, "YES");
    text_of(db,
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_name = 'r' AND column_name = 'integer'",
            type, sizeof type);
    assert_string_equal(type, "'INTEGER PRIMARY KEY'::text");
    db_close(db);
}

static void terminate_backend(int64_t pid)
{
    struct db *killer = open_ok(pg_url);
    struct err e = {0};
    assert_int_equal(db_scalar_int(killer, &e, 0, "SELECT pg_terminate_backend(?)", "i", pid), 1);
    /* wait until the server has really closed it: the backend leaves pg_stat_activity a
     * moment before its socket closes */
    for (int i = 0; i < 100; i++) {
        if (db_scalar_int(killer, &e, 0, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?", "i",
                          pid) == 0)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
    db_close(killer);
}

/* A server restart or a killed backend: the statement that meets it fails with a 500, the
 * pool reconnects before handing the connection out again. */
static void test_pg_connection_lost(void **state)
{
    struct err e = {0};
    pg_reset();
    struct db *db = open_ok(pg_url);
    exec_ok(db, "CREATE TABLE k (x INTEGER)");
    terminate_backend(scalar(db, "SELECT pg_backend_pid()"));
    assert_int_equal(db_execf(db, &e, "INSERT INTO k (x) VALUES (?)", "i", (int64_t)1), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "connection"));
    db_close(db);

    struct db_pool *pool = db_pool_open(pg_url, 1, &e);
    assert_non_null(pool);
    db = db_pool_get(pool);
    assert_int_equal(db_execf(db, &e, "INSERT INTO k (x) VALUES (?)", "i", (int64_t)1), 1);
    int64_t pid = scalar(db, "SELECT pg_backend_pid()");
    db_pool_put(pool, db);
    terminate_backend(pid);
    db = db_pool_get(pool);
    /* a new session: the cached statement is prepared again */
    err_clear(&e);
    if (db_execf(db, &e, "INSERT INTO k (x) VALUES (?)", "i", (int64_t)2) != 1)
        fail_msg("after reconnect: %s", e.msg);
    assert_true(scalar(db, "SELECT pg_backend_pid()") != pid);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM k"), 2);

    /* lost inside a transaction: the commit fails, the next user starts clean */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_execf(db, &e, "INSERT INTO k (x) VALUES (?)", "i", (int64_t)3), 1);
    terminate_backend(scalar(db, "SELECT pg_backend_pid()"));
    assert_int_equal(db_execf(db, &e, "INSERT INTO k (x) VALUES (?)", "i", (int64_t)4), -1);
    assert_int_equal(db_commit(db, &e), -1);
    db_pool_put(pool, db);
    db = db_pool_get(pool);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM k"), 2);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    db_pool_put(pool, db);
    db_pool_close(pool);
}

/* What libpq cannot carry: a NUL byte in text. */
static void test_pg_nul_byte(void **state)
{
    struct db *db = open_memory();
    struct err e = {0};
    struct db_stmt *s = NULL;
    assert_int_equal(db_prepare(db, "SELECT ?", &s, &e), 0);
    assert_int_equal(db_bind_textn(s, 1, "a\0b", 3), -1);
    assert_int_equal(db_step(s, &e), -1);
    assert_non_null(strstr(e.msg, "NUL"));
    db_finalize(s);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_open_memory),
        cmocka_unit_test(test_open_file_wal),
    };
    const struct CMUnitTest pg_only[] = {
        cmocka_unit_test(test_pg_ddl_rewrite),
        cmocka_unit_test(test_pg_connection_lost),
        cmocka_unit_test(test_pg_nul_byte),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialect),
        cmocka_unit_test(test_unsupported_urls),
        cmocka_unit_test(test_migrate_idempotent),
        cmocka_unit_test(test_migrate_failure_rolls_back),
        cmocka_unit_test(test_migrate_refuses_newer_database),
        cmocka_unit_test(test_migrate_concurrent),
        cmocka_unit_test(test_bind_every_type),
        cmocka_unit_test(test_metacharacters_are_text),
        cmocka_unit_test(test_execf_and_scalar),
        cmocka_unit_test(test_placeholders_skip_literals),
        cmocka_unit_test(test_booleans_read_as_integers),
        cmocka_unit_test(test_generated_ids),
        cmocka_unit_test(test_constraint_is_409),
        cmocka_unit_test(test_other_errors_are_500),
        cmocka_unit_test(test_nested_commit),
        cmocka_unit_test(test_inner_rollback_fails_outer_commit),
        cmocka_unit_test(test_failed_statement_in_transaction),
        cmocka_unit_test(test_data_version),
        cmocka_unit_test(test_cache_reuse),
        cmocka_unit_test(test_cache_in_use),
        cmocka_unit_test(test_cache_limit),
        cmocka_unit_test(test_pool_two_threads),
        cmocka_unit_test(test_pool_blocks_until_put),
        cmocka_unit_test(test_pool_limits),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_search_directives),
        cmocka_unit_test(test_search_limits),
        cmocka_unit_test(test_search_ordered),
    };
    const char *url = getenv("LANTERNE_TEST_DATABASE_URL");
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        pg_url = url;
    else if (url && *url && strncmp(url, "sqlite:", 7) != 0)
        fprintf(stderr, "test_db: ignoring LANTERNE_TEST_DATABASE_URL (not PostgreSQL)\n");
    int failed = cmocka_run_group_tests_name(on_pg() ? "db on PostgreSQL" : "db on SQLite", tests,
                                             NULL, NULL);
    if (on_pg())
        failed += cmocka_run_group_tests_name("db, PostgreSQL only", pg_only, NULL, NULL);
    else
        failed += cmocka_run_group_tests_name("db, SQLite only", sqlite_only, NULL, NULL);
    return failed;
}
