/* test_db: the database layer through its public contract (db.h), on SQLite.
 * Covers opening, migrations, binding, errors, nested transactions, the cache and the pool. */
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

#include "db/db.h"
#include "db/migrations.h"

/* A scratch directory per test that needs files, removed with whatever SQLite left. */
struct tmp {
    char dir[64];
    char path[128];
    char url[160];
};

static void tmp_make(struct tmp *t)
{
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

static struct db *open_memory(void)
{
    return open_ok("sqlite::memory:");
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

    err_clear(&e);
    assert_int_equal(db_open("postgresql://u:secret@localhost/lanterne", &db, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "PostgreSQL support is not built yet"));
    assert_null(strstr(e.msg, "secret"));

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
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'regions'"), 0);
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
    assert_non_null(strstr(e.msg, "no such table"));

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
    struct waiter w = {.pool = db_pool_open("sqlite::memory:", 1, &e)};
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
    assert_null(db_pool_open("postgresql://localhost/x", 2, &e));
    assert_non_null(strstr(e.msg, "PostgreSQL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_memory),
        cmocka_unit_test(test_open_file_wal),
        cmocka_unit_test(test_unsupported_urls),
        cmocka_unit_test(test_migrate_idempotent),
        cmocka_unit_test(test_migrate_failure_rolls_back),
        cmocka_unit_test(test_migrate_refuses_newer_database),
        cmocka_unit_test(test_migrate_concurrent),
        cmocka_unit_test(test_bind_every_type),
        cmocka_unit_test(test_metacharacters_are_text),
        cmocka_unit_test(test_execf_and_scalar),
        cmocka_unit_test(test_constraint_is_409),
        cmocka_unit_test(test_other_errors_are_500),
        cmocka_unit_test(test_nested_commit),
        cmocka_unit_test(test_inner_rollback_fails_outer_commit),
        cmocka_unit_test(test_cache_reuse),
        cmocka_unit_test(test_cache_in_use),
        cmocka_unit_test(test_cache_limit),
        cmocka_unit_test(test_pool_two_threads),
        cmocka_unit_test(test_pool_blocks_until_put),
        cmocka_unit_test(test_pool_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
