/* test_dbcopy: `lanterne db copy` below the command line: SQLite -> SQLite round trips, and
 * SQLite -> PostgreSQL -> SQLite when LANTERNE_TEST_DATABASE_URL names a throwaway database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "db/db.h"
#include "dbcopy.h"
#include "testdb.h"

static const char *pg_url; /* LANTERNE_TEST_DATABASE_URL (testdb.h); emptied by tests using it */

/* A directory of SQLite files for one test. */
struct fx {
    char dir[64];
    struct arena *a;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lanterne-test-dbcopy-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const names[] = {"a.db", "b.db", "c.db"};
    static const char *const ext[] = {"", "-wal", "-shm"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t j = 0; j < sizeof ext / sizeof ext[0]; j++) {
            snprintf(p, sizeof p, "%s/%s%s", f->dir, names[i], ext[j]);
            unlink(p);
        }
    rmdir(f->dir);
    arena_free(f->a);
    free(f);
    return 0;
}

static struct db *open_file(struct fx *f, const char *name)
{
    char url[128];
    struct db *db = NULL;
    struct err e = {0};
    snprintf(url, sizeof url, "sqlite:%s/%s", f->dir, name);
    if (db_open(url, &db, &e))
        fail_msg("db_open(%s): %s", url, e.msg);
    return db;
}

/* The PostgreSQL test database, emptied and migrated. */
static struct db *open_pg_empty(void)
{
    struct db *db = testdb_open();
    if (!db)
        fail_msg("cannot open the PostgreSQL test database (see above)");
    return db;
}

static void exec_ok(struct db *db, const char *sql)
{
    struct err e = {0};
    if (db_exec(db, sql, &e))
        fail_msg("db_exec(%.80s): %s", sql, e.msg);
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct err e = {0};
    int64_t v = db_scalar_int(db, &e, -1, sql, "");
    if (e.status)
        fail_msg("%s: %s", sql, e.msg);
    return v;
}

/* The first column of the first row as text, in a. */
static const char *text_of(struct db *db, struct arena *a, const char *sql)
{
    struct db_stmt *st;
    struct err e = {0};
    if (db_prepare(db, sql, &st, &e))
        fail_msg("%s: %s", sql, e.msg);
    if (db_step(st, &e) != DB_ROW)
        fail_msg("%s: no row (%s)", sql, e.msg);
    const char *t = db_col_text(st, 0);
    const char *out = t ? arena_strdup(a, t) : NULL;
    db_finalize(st);
    return out;
}

/* A table outside the migrations with every kind of value; created on each side (the copy
 * takes a target with the source's tables), with a search index, whose tables it skips. */
static const char samples_sql[] = "CREATE TABLE samples ("
                                  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                  " r REAL, t TEXT, i INTEGER, note TEXT NOT NULL DEFAULT '')";
static const char samples_search[] = "samples_search ON samples(id) USING (t)";

static void make_extras(struct db *db)
{
    struct err e = {0};
    if (db_migrate(db, &e))
        fail_msg("migrate: %s", e.msg);
    exec_ok(db, samples_sql);
    if (db_search_create(db, samples_search, &e))
        fail_msg("search index: %s", e.msg);
}

/* Migrated schema plus samples, with rows in several tables: NULLs, unicode, quotes, a
 * composite key, a self-reference, a text key, extreme numbers, and deleted ids. */
static void fill_source(struct db *db)
{
    struct err e = {0};
    make_extras(db);
    exec_ok(db,
            "INSERT INTO regions (code, name, zone) VALUES"
            " ('84', 'Auvergne-Rhône-Alpes', 'metro'), ('94', 'Corse', 'metro'),"
            " ('03', 'Guyane', 'outremer');"
            "INSERT INTO departements (code, name, region_code, zone) VALUES"
            " ('42', 'Loire', '84', 'metro'), ('2A', 'Corse-du-Sud', '94', 'metro'),"
            " ('973', 'Guyane', '03', 'outremer');"
            "INSERT INTO communes (code, name, name_norm, departement_code, region_code,"
            " population, postcodes) VALUES"
            " ('42218', 'Saint-Étienne', 'saint etienne', '42', '84', 172565, '42000 42100'),"
            " ('2A004', 'Ajaccio', 'ajaccio', '2A', '94', 71361, '20000'),"
            " ('97302', 'Cayenne', 'cayenne', '973', '03', 63468, ''),"
            " ('42001', 'L''Étrat \"le vieux\"', 'l etrat', '42', '84', 0, '42580');"
            "INSERT INTO coordinations (id, slug, name, kind, description, created_at,"
            " updated_at) VALUES"
            " (3, 'aura', 'Lanterne AURA', 'regional', 'Ligne 1\nLigne 2 — 🎬 « ciné »', 1, 2),"
            " (7, 'corse', 'Lanterne Corse', 'regional', '', 3, 4);"
            "INSERT INTO structures (id, name, name_norm, type, commune_code, website,"
            " created_at, updated_at) VALUES"
            " (1, 'MJC \"Les Tilleuls\"', 'mjc les tilleuls', 'mjc', '42218', '', 5, 6),"
            " (2, 'Ciné d''été', 'cine d ete', 'cinema', '2A004', 'https://x.fr/?a=1&b=2', 7, 8);"
            "INSERT INTO users (id, login, display_name, password_hash, role, coordination_id,"
            " created_at, updated_at) VALUES"
            " (1, 'admin', 'Zoé Ødegård', 'h1', 'admin', NULL, 9, 10),"
            " (4, 'coord', 'Jean-Noël', 'h2', 'coordinator', 3, 11, 12);"
            "INSERT INTO user_structures (user_id, structure_id) VALUES (4, 1), (4, 2), (1, 2);"
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at)"
            " VALUES (1, 1, 'script', 'th1', 13, NULL), (2, 4, 'cron', 'th2', 14, 15);"
            "INSERT INTO groups (id, slug, title, title_norm, year, structure_id, created_at,"
            " updated_at) VALUES (1, 'g1', 'Atelier « court »', 'atelier court', 2024, 1, 16, 17);"
            "INSERT INTO participants (id, group_id, display_name, age_band, under15, user_id,"
            " created_at, updated_at) VALUES (1, 1, 'Léa', '12-14', 1, NULL, 18, 19);"
            "INSERT INTO consents (id, participant_id, group_id, level, parent_agreed,"
            " signed_on, note, recorded_by, recorded_at, supersedes_id) VALUES"
            " (1, 1, 1, 'group', 1, 19967, '', 4, 20, NULL),"
            " (2, 1, 1, 'public', 1, 19968, 'élargi', 4, 21, 1);");
    /* ids 4, 5 and 9 deleted: AUTOINCREMENT remembers 9, and so must the target */
    exec_ok(db, "INSERT INTO samples (id, r, t, i, note) VALUES"
                " (1, 0.1, 'un', 1, ''), (2, -2.5, '', 0, 'empty text, not NULL'),"
                " (3, 1e300, NULL, NULL, 'NULLs'), (4, 0, 'gone', 0, ''), (5, 0, 'gone', 0, ''),"
                " (6, 3.0, 'Über straße', 9223372036854775807, 'int64 max'),"
                " (7, -1.5e-300, 'a''b\"c\\d', -9223372036854775807 - 1, 'int64 min'),"
                " (9, 0, 'last', 0, '');"
                "DELETE FROM samples WHERE id IN (4, 5, 9);");
    assert_int_equal(db_execf(db, &e, "INSERT INTO samples (id, r, t, i) VALUES (?, ?, ?, ?)",
                              "idsi", (int64_t)8, 1.0 / 3.0, "tab\there, newline\nthere",
                              (int64_t)-42),
                     1);
}

static void copy_ok(struct db *from, struct db *to, struct arena *a, int batch,
                    struct dbcopy_report *r)
{
    struct err e = {0};
    struct dbcopy_opts o = {.batch = batch};
    if (dbcopy_copy(from, to, a, &o, r, &e))
        fail_msg("dbcopy_copy: %s", e.msg);
    if (dbcopy_measure(to, DBCOPY_TARGET, a, &o, r, &e))
        fail_msg("dbcopy_measure: %s", e.msg);
    for (int i = 0; i < r->n; i++)
        if (!dbcopy_table_same(&r->tables[i]))
            fail_msg("table %s: source %lld rows %s, target %lld rows %s", r->tables[i].name,
                     (long long)r->tables[i].rows[0], r->tables[i].sum[0],
                     (long long)r->tables[i].rows[1], r->tables[i].sum[1]);
}

static const struct dbcopy_table *table_of(const struct dbcopy_report *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->tables[i].name, name) == 0)
            return &r->tables[i];
    fail_msg("no table %s in the report", name);
    return NULL;
}

/* What a copy of fill_source must hold, whatever the engine. */
static void check_copied(struct db *db, struct arena *a)
{
    struct err e = {0};
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM samples"), 6);
    assert_string_equal(text_of(db, a, "SELECT t FROM samples WHERE id = 6"), "Über straße");
    assert_string_equal(text_of(db, a, "SELECT t FROM samples WHERE id = 7"), "a'b\"c\\d");
    assert_string_equal(text_of(db, a, "SELECT t FROM samples WHERE id = 2"), "");
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM samples WHERE t IS NULL AND i IS NULL"), 1);
    assert_int_equal(scalar(db, "SELECT i FROM samples WHERE id = 6"), INT64_MAX);
    assert_int_equal(scalar(db, "SELECT i FROM samples WHERE id = 7"), INT64_MIN);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM samples WHERE r = 0.1 AND id = 1"), 1);
    assert_string_equal(text_of(db, a, "SELECT description FROM coordinations WHERE id = 3"),
                        "Ligne 1\nLigne 2 — 🎬 « ciné »");
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NULL"), 1);
    assert_int_equal(scalar(db, "SELECT supersedes_id FROM consents WHERE id = 2"), 1);
    /* the search index was not copied but rebuilt by the target's triggers */
    struct db_search_hit *hits;
    int n;
    if (db_search(db, a, "samples_search", "uber", 10, &hits, &n, &e))
        fail_msg("search: %s", e.msg);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].key, "6");
    /* ids go on after the highest ever given (9, deleted), never reusing one */
    exec_ok(db, "INSERT INTO samples (t) VALUES ('new')");
    assert_int_equal(scalar(db, "SELECT id FROM samples WHERE t = 'new'"), 10);
    exec_ok(db, "INSERT INTO coordinations (slug, name, kind, created_at, updated_at)"
                " VALUES ('new', 'New', 'regional', 1, 1)");
    assert_int_equal(scalar(db, "SELECT id FROM coordinations WHERE slug = 'new'"), 8);
}

static void test_sqlite_round_trip(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *b = open_file(f, "b.db"), *c = open_file(f, "c.db");
    struct dbcopy_report r1, r2, rv;
    struct err e = {0};
    fill_source(a);
    make_extras(b);
    make_extras(c);
    /* a batch of 2 pages through every table, composite and text keys included */
    copy_ok(a, b, f->a, 2, &r1);
    copy_ok(b, c, f->a, 0, &r2);
    assert_int_equal(table_of(&r1, "samples")->rows[0], 6);
    assert_int_equal(table_of(&r1, "communes")->rows[0], 4);
    assert_int_equal(table_of(&r1, "user_structures")->rows[0], 3);
    /* the same data gives the same checksums however it travelled */
    for (int i = 0; i < r1.n; i++)
        assert_string_equal(r1.tables[i].sum[0], table_of(&r2, r1.tables[i].name)->sum[1]);
    if (dbcopy_verify(a, c, f->a, NULL, &rv, &e))
        fail_msg("verify: %s", e.msg);
    assert_int_equal(dbcopy_differences(&rv), 0);
    assert_string_equal(text_of(c, f->a, "SELECT typeof(r) FROM samples WHERE id = 6"), "real");
    assert_string_equal(text_of(c, f->a, "SELECT typeof(i) FROM samples WHERE id = 6"), "integer");
    assert_string_equal(text_of(c, f->a, "SELECT typeof(t) FROM samples WHERE id = 3"), "null");
    check_copied(c, f->a);
    db_close(a);
    db_close(b);
    db_close(c);
}

static void test_refuses_non_empty_target(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *b = open_file(f, "b.db");
    struct dbcopy_report r;
    struct err e = {0};
    fill_source(a);
    make_extras(b);
    exec_ok(b, "INSERT INTO settings (key, value) VALUES ('site_name', 'Déjà là')");
    assert_int_equal(dbcopy_copy(a, b, f->a, NULL, &r, &e), -1);
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.msg, "already holds data"));
    assert_non_null(strstr(e.msg, "settings"));
    /* nothing was written: the copy is one transaction */
    assert_int_equal(scalar(b, "SELECT COUNT(*) FROM communes"), 0);
    assert_int_equal(scalar(b, "SELECT COUNT(*) FROM settings"), 1);
    db_close(a);
    db_close(b);
}

static void test_refuses_other_schema(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *b = open_file(f, "b.db");
    struct dbcopy_report r;
    struct err e = {0};
    /* a source with no schema at all */
    assert_int_equal(dbcopy_copy(a, b, f->a, NULL, &r, &e), -1);
    assert_non_null(strstr(e.msg, "no Lanterne schema"));
    /* a table on one side only */
    fill_source(a);
    err_clear(&e);
    if (db_migrate(b, &e))
        fail_msg("migrate: %s", e.msg);
    assert_int_equal(dbcopy_copy(a, b, f->a, NULL, &r, &e), -1);
    assert_non_null(strstr(e.msg, "samples is in the source but not in the target"));
    /* a column on one side only */
    exec_ok(b, "CREATE TABLE samples (id INTEGER PRIMARY KEY, r REAL, t TEXT, i INTEGER)");
    assert_int_equal(dbcopy_copy(a, b, f->a, NULL, &r, &e), -1);
    assert_non_null(strstr(e.msg, "samples has 5 columns in the source and 4 in the target"));
    assert_int_equal(scalar(b, "SELECT COUNT(*) FROM regions"), 0);
    db_close(a);
    db_close(b);
}

static void test_checksum_detects_changes(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *b = open_file(f, "b.db");
    struct dbcopy_report r;
    struct err e = {0};
    char before[2 * DBCOPY_SUM_BYTES + 1], after[2 * DBCOPY_SUM_BYTES + 1];
    int64_t rows;
    fill_source(a);
    make_extras(b);
    copy_ok(a, b, f->a, 0, &r);
    if (dbcopy_checksum(b, "samples", f->a, NULL, &rows, before, &e))
        fail_msg("checksum: %s", e.msg);
    assert_string_equal(before, table_of(&r, "samples")->sum[0]);
    /* the smallest change to a real: the next double after 0.1 */
    exec_ok(b, "UPDATE samples SET r = 0.10000000000000002 WHERE id = 1");
    if (dbcopy_checksum(b, "samples", f->a, NULL, &rows, after, &e))
        fail_msg("checksum: %s", e.msg);
    assert_string_not_equal(before, after);
    exec_ok(b, "UPDATE samples SET r = 0.1 WHERE id = 1");
    if (dbcopy_checksum(b, "samples", f->a, NULL, &rows, after, &e))
        fail_msg("checksum: %s", e.msg);
    assert_string_equal(before, after);
    /* a text where there was none; a trailing space */
    exec_ok(b, "UPDATE samples SET note = '1' WHERE id = 1");
    exec_ok(b, "UPDATE structures SET name = 'MJC \"Les Tilleuls\" ' WHERE id = 1");
    exec_ok(b, "UPDATE regions SET name = 'Corse' WHERE code = '94'"); /* unchanged */
    if (dbcopy_verify(a, b, f->a, NULL, &r, &e))
        fail_msg("verify: %s", e.msg);
    assert_int_equal(dbcopy_differences(&r), 2);
    assert_false(dbcopy_table_same(table_of(&r, "samples")));
    assert_false(dbcopy_table_same(table_of(&r, "structures")));
    assert_true(dbcopy_table_same(table_of(&r, "regions")));
    /* a row less, and one more elsewhere */
    exec_ok(b, "DELETE FROM user_structures WHERE user_id = 1");
    exec_ok(b, "INSERT INTO settings (key, value) VALUES ('k', 'v')");
    if (dbcopy_verify(a, b, f->a, NULL, &r, &e))
        fail_msg("verify: %s", e.msg);
    assert_int_equal(dbcopy_differences(&r), 4);
    assert_int_equal(table_of(&r, "user_structures")->rows[1], 2);
    assert_int_equal(table_of(&r, "settings")->rows[1], 1);
    db_close(a);
    db_close(b);
}

static void test_tables_in_dependency_order(void **state)
{
    struct fx *f = *state;
    struct db *db = pg_url ? open_pg_empty() : open_file(f, "a.db");
    const char **names;
    int n;
    struct err e = {0};
    make_extras(db);
    if (db_tables(db, f->a, &names, &n, &e))
        fail_msg("db_tables: %s", e.msg);
    static const char *const order[][2] = {
        {"regions", "departements"}, {"departements", "communes"},
        {"communes", "structures"},  {"users", "user_structures"},
        {"structures", "groups"},    {"participants", "consents"},
        {"groups", "participants"},  {"coordinations", "coordination_departements"},
    };
    assert_true(n < 64); /* a sanity bound: the schema has about 35 tables */
    for (int i = 0; i < n; i++) {
        assert_string_not_equal(names[i], "schema_migrations");
        assert_null(strstr(names[i], "samples_search")); /* the index's tables, any engine */
        assert_null(strstr(names[i], "sqlite_"));
    }
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int p = -1, c = -1;
        for (int i = 0; i < n; i++) {
            if (strcmp(names[i], order[k][0]) == 0)
                p = i;
            if (strcmp(names[i], order[k][1]) == 0)
                c = i;
        }
        if (p < 0 || c < 0 || p > c)
            fail_msg("%s must come before %s (%d, %d)", order[k][0], order[k][1], p, c);
    }
    int found = 0;
    for (int i = 0; i < n; i++)
        found += strcmp(names[i], "samples") == 0;
    assert_int_equal(found, 1);
    struct db_column *cols;
    int nc;
    if (db_columns(db, f->a, "user_structures", &cols, &nc, &e))
        fail_msg("db_columns: %s", e.msg);
    assert_int_equal(nc, 2);
    assert_string_equal(cols[0].name, "user_id");
    assert_int_equal(cols[0].key, 1);
    assert_int_equal(cols[1].key, 2);
    assert_false(cols[0].identity);
    if (db_columns(db, f->a, "samples", &cols, &nc, &e))
        fail_msg("db_columns: %s", e.msg);
    assert_int_equal(nc, 5);
    assert_true(cols[0].identity);
    assert_int_equal(cols[0].key, 1);
    assert_false(cols[1].identity);
    if (db_columns(db, f->a, "no_such_table", &cols, &nc, &e))
        fail_msg("db_columns: %s", e.msg);
    assert_int_equal(nc, 0);
    db_close(db);
}

static void test_refuses_table_without_key(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *b = open_file(f, "b.db");
    struct dbcopy_report r;
    struct err e = {0};
    for (int i = 0; i < 2; i++) {
        struct db *db = i ? b : a;
        if (db_migrate(db, &e))
            fail_msg("migrate: %s", e.msg);
        exec_ok(db, "CREATE TABLE loose (a TEXT, b INTEGER)");
    }
    assert_int_equal(dbcopy_copy(a, b, f->a, NULL, &r, &e), -1);
    assert_non_null(strstr(e.msg, "loose has no primary key"));
    db_close(a);
    db_close(b);
}

/* SQLite -> PostgreSQL -> SQLite, on the migrated schema and samples. */
static void test_pg_round_trip(void **state)
{
    struct fx *f = *state;
    struct db *a = open_file(f, "a.db"), *pg = open_pg_empty(), *c = open_file(f, "c.db");
    struct dbcopy_report r1, r2, rv;
    struct err e = {0};
    fill_source(a);
    make_extras(pg);
    make_extras(c);
    copy_ok(a, pg, f->a, 3, &r1);
    if (dbcopy_verify(a, pg, f->a, NULL, &rv, &e))
        fail_msg("verify SQLite/PostgreSQL: %s", e.msg);
    assert_int_equal(dbcopy_differences(&rv), 0);
    copy_ok(pg, c, f->a, 0, &r2);
    for (int i = 0; i < r1.n; i++)
        assert_string_equal(r1.tables[i].sum[0], table_of(&r2, r1.tables[i].name)->sum[1]);
    if (dbcopy_verify(a, c, f->a, NULL, &rv, &e))
        fail_msg("verify: %s", e.msg);
    assert_int_equal(dbcopy_differences(&rv), 0);
    check_copied(c, f->a);
    check_copied(pg, f->a);
    /* the copy on PostgreSQL refuses a second copy too */
    assert_int_equal(dbcopy_copy(a, pg, f->a, NULL, &r1, &e), -1);
    assert_int_equal(e.status, 409);
    db_close(a);
    db_close(pg);
    db_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_non_empty_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_other_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum_detects_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tables_in_dependency_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_table_without_key, setup, teardown),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(test_pg_round_trip, setup, teardown),
    };
    if (sodium_init() < 0)
        return 1;
    pg_url = testdb_pg_url();
    int failed = cmocka_run_group_tests_name("dbcopy", tests, NULL, NULL);
    if (pg_url)
        failed += cmocka_run_group_tests_name("dbcopy through PostgreSQL", pg_tests, NULL, NULL);
    return failed;
}
