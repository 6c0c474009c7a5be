/* test_territory: unit tests for src/territory.c against the real @etalab data in an
 * in-memory database. Run from the repository root, where node_modules/ is. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "db/db.h"
#include "territory.h"

enum { COMMUNES_ACTUELLES = 34969, DEPARTEMENTS = 109, REGIONS = 26 };

static const char *data_dir(void)
{
    const char *d = getenv("LANTERNE_TERRITORY_DATA");
    return d ? d : TERRITORY_DEFAULT_DATA_DIR;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct db *fresh_db(void)
{
    struct db *db;
    struct err e = {0};
    if (db_open("sqlite::memory:", &db, &e) || db_migrate(db, &e))
        fail_msg("database: %s", e.msg);
    return db;
}

/* The whole group shares one imported database: importing takes a second. */
static int setup(void **state)
{
    struct db *db = fresh_db();
    struct err e = {0};
    double t0 = now();
    int n = territory_import(db, data_dir(), &e);
    if (n < 0) {
        fprintf(stderr, "import failed: %s\n", e.msg);
        return -1;
    }
    fprintf(stderr, "territory_import: %d communes in %.2f s\n", n, now() - t0);
    if (n != COMMUNES_ACTUELLES)
        return -1;
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static void test_import_counts(void **state)
{
    struct db *db = *state;
    struct err e = {0};
    assert_int_equal(territory_commune_count(db, &e), COMMUNES_ACTUELLES);
    assert_int_equal(db_scalar_int(db, &e, -1, "SELECT count(*) FROM departements", ""),
                     DEPARTEMENTS);
    assert_int_equal(db_scalar_int(db, &e, -1, "SELECT count(*) FROM regions", ""), REGIONS);
    /* every stored search form is plain ASCII words: the normalization covered the data */
    assert_int_equal(db_scalar_int(db, &e, -1,
                                   "SELECT count(*) FROM communes WHERE name_norm = '' "
                                   "OR name_norm GLOB '*[^a-z0-9 ]*' OR name_norm LIKE ' %' "
                                   "OR name_norm LIKE '% ' OR name_norm LIKE '%  %'",
                                   ""),
                     0);
    /* only current communes: the 1st arrondissement of Paris (75101) is not one */
    assert_int_equal(
        db_scalar_int(db, &e, -1, "SELECT count(*) FROM communes WHERE code = ?", "s", "75101"), 0);
    assert_int_equal(e.status, 0);
}

static void search(struct db *db, struct arena *a, const char *q, int limit,
                   struct territory_commune **out, int *n)
{
    struct err e = {0};
    if (territory_commune_search(db, a, q, limit, out, n, &e))
        fail_msg("search \"%s\": %d %s", q, e.status, e.msg);
}

static void test_search_saint_etienne(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    const char *queries[] = {"saint etienne", "Saint-Étienne",      "SAINT-ETIENNE",
                             "saint’étienne", "  saint   étienne ", "etienne",
                             "Étienne"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        search(db, a, queries[i], 10, &r, &n);
        assert_true(n >= 2);
        if (strcmp(r[0].code, "42218") != 0)
            fail_msg("\"%s\" ranks %s %s first", queries[i], r[0].code, r[0].name);
        assert_string_equal(r[0].name, "Saint-Étienne");
        assert_string_equal(r[0].departement, "42");
        assert_string_equal(r[0].region, "84");
        assert_true(r[0].population > 100000);
        /* the rest by population, largest first */
        for (int k = 2; k < n; k++)
            assert_true(r[k - 1].population >= r[k].population);
    }
    /* a prefix of the second word matches too: it is the start of a word */
    search(db, a, "saint etien", 5, &r, &n);
    assert_string_equal(r[0].code, "42218");
    /* but not the middle of a word */
    search(db, a, "tienne", 50, &r, &n);
    for (int k = 0; k < n; k++)
        assert_null(strstr(r[k].name, "Étienne"));
    arena_free(a);
}

static void test_search_ligature(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    const char *queries[] = {"oeuilly", "Œuilly", "œuilly", "OEUILLY"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        search(db, a, queries[i], 10, &r, &n);
        assert_int_equal(n, 2); /* one in the Aisne, one in the Marne */
        assert_string_equal(r[0].code, "51410");
        assert_string_equal(r[1].code, "02565");
        assert_string_equal(r[1].name, "Œuilly");
        assert_true(r[0].population >= r[1].population);
    }
    arena_free(a);
}

static void test_search_ranking(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    search(db, a, "paris", 5, &r, &n);
    assert_string_equal(r[0].code, "75056");
    /* an exact name beats a larger town whose name merely starts with the query */
    search(db, a, "rue", 5, &r, &n);
    assert_string_equal(r[0].code, "80688");
    assert_string_equal(r[1].name, "Rueil-Malmaison");
    search(db, a, "lille", 5, &r, &n);
    assert_string_equal(r[0].code, "59350");
    assert_string_equal(r[0].postcodes, "59000 59160 59260 59777 59800");
    arena_free(a);
}

static void test_search_codes(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    search(db, a, "42218", 10, &r, &n); /* INSEE code */
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "Saint-Étienne");
    /* its second postcode, and also the INSEE code of a village: people type postcodes,
     * so population decides and the village comes second */
    search(db, a, "42100", 10, &r, &n);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].code, "42218");
    assert_string_equal(r[1].code, "42100");
    search(db, a, "2A004", 10, &r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "Ajaccio");
    search(db, a, "2a004", 10, &r, &n);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].code, "2A004");
    search(db, a, "20000", 10, &r, &n); /* Ajaccio's postcode */
    assert_string_equal(r[0].code, "2A004");
    /* a département prefix lists its largest communes */
    search(db, a, "59", 3, &r, &n);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].code, "59350");
    for (int k = 0; k < n; k++)
        assert_string_equal(r[k].departement, "59");
    search(db, a, "00000", 10, &r, &n);
    assert_int_equal(n, 0);
    arena_free(a);
}

static void test_search_like_metacharacters(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    /* were % and _ wildcards, these would find Saint-Étienne; normalization makes them
     * word separators, and the LIKE patterns escape them anyway */
    const char *queries[] = {"sa%nt etienne", "s_int etienne", "%tienne", "_aint etienne",
                             "sa\\int",       "42_18",         "42%18"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        search(db, a, queries[i], 50, &r, &n);
        for (int k = 0; k < n; k++)
            if (strcmp(r[k].code, "42218") == 0)
                fail_msg("\"%s\" matched Saint-Étienne: a wildcard leaked", queries[i]);
    }
    search(db, a, "sa%nt etienne", 50, &r, &n);
    assert_int_equal(n, 0);
    /* nothing but metacharacters is nothing at all */
    struct err e = {0};
    assert_int_equal(territory_commune_search(db, a, "%%", 10, &r, &n, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(territory_commune_search(db, a, "__", 10, &r, &n, &e), -1);
    assert_int_equal(e.status, 422);
    arena_free(a);
}

static void expect_422(struct db *db, struct arena *a, const char *q, const char *msg)
{
    struct territory_commune *r = (void *)1;
    int n = -1;
    struct err e = {0};
    if (territory_commune_search(db, a, q, 10, &r, &n, &e) != -1)
        fail_msg("search \"%s\" should fail", q ? q : "(null)");
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "q");
    if (msg)
        assert_string_equal(e.msg, msg);
    assert_null(r);
    assert_int_equal(n, 0);
}

static void test_search_rejects(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    const char *short_msg = "Saisissez au moins deux caractères.";
    expect_422(db, a, "", short_msg);
    expect_422(db, a, NULL, short_msg);
    expect_422(db, a, "a", short_msg);
    expect_422(db, a, "é", short_msg); /* two bytes, one character */
    expect_422(db, a, " - ' ", short_msg);
    expect_422(db, a, "-a-", short_msg);
    expect_422(db, a, "\xC3(", NULL); /* not UTF-8 */

    /* the length limit, crossed by one byte */
    char q[TERRITORY_SEARCH_MAX_BYTES + 2];
    memset(q, 'z', sizeof q - 1);
    q[sizeof q - 1] = 0;
    expect_422(db, a, q, NULL);
    q[TERRITORY_SEARCH_MAX_BYTES] = 0;
    struct territory_commune *r;
    int n;
    search(db, a, q, 10, &r, &n);
    assert_int_equal(n, 0);
    /* two characters are enough */
    search(db, a, "ay", 10, &r, &n);
    assert_true(n > 0);
    arena_free(a);
}

static void test_search_limit(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n;
    search(db, a, "saint", 0, &r, &n);
    assert_int_equal(n, 1);
    search(db, a, "saint", -5, &r, &n);
    assert_int_equal(n, 1);
    search(db, a, "saint", 7, &r, &n);
    assert_int_equal(n, 7);
    search(db, a, "saint", TERRITORY_SEARCH_MAX_LIMIT + 1, &r, &n);
    assert_int_equal(n, TERRITORY_SEARCH_MAX_LIMIT);
    search(db, a, "saint", 100000, &r, &n);
    assert_int_equal(n, TERRITORY_SEARCH_MAX_LIMIT);
    arena_free(a);
}

static void test_commune_get(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune c;
    struct err e = {0};
    assert_int_equal(territory_commune_get(db, a, "42218", &c, &e), 0);
    assert_string_equal(c.code, "42218");
    assert_string_equal(c.name, "Saint-Étienne");
    assert_string_equal(c.departement, "42");
    assert_string_equal(c.region, "84");
    assert_string_equal(c.postcodes, "42000 42100 42230");
    assert_true(c.population > 100000);

    assert_int_equal(territory_commune_get(db, a, "2A004", &c, &e), 0);
    assert_string_equal(c.name, "Ajaccio");
    assert_string_equal(c.departement, "2A");
    /* no population in the data: 0, and no postcode: "" */
    assert_int_equal(territory_commune_get(db, a, "98412", &c, &e), 0);
    assert_int_equal(c.population, 0);
    assert_string_equal(c.postcodes, "");

    const char *absent[] = {"99999", "", NULL, "422180", "42'18", "75101"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        e.status = 0;
        assert_int_equal(territory_commune_get(db, a, absent[i], &c, &e), -1);
        assert_int_equal(e.status, 404);
        assert_string_equal(e.msg, "Commune introuvable.");
    }
    arena_free(a);
}

static void test_departements(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_departement *d;
    int n;
    struct err e = {0};
    assert_int_equal(territory_departements(db, a, &d, &n, &e), 0);
    assert_int_equal(n, DEPARTEMENTS);
    assert_string_equal(d[0].code, "01");
    assert_string_equal(d[0].name, "Ain");
    for (int i = 1; i < n; i++)
        assert_true(strcmp(d[i - 1].code, d[i].code) < 0);
    int i29 = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(d[i].code, "29") == 0)
            i29 = i;
    assert_true(i29 >= 0 && i29 + 3 < n);
    assert_string_equal(d[i29 + 1].code, "2A");
    assert_string_equal(d[i29 + 2].code, "2B");
    assert_string_equal(d[i29 + 3].code, "30");

    struct territory_departement one;
    assert_int_equal(territory_departement_get(db, a, "59", &one, &e), 0);
    assert_string_equal(one.name, "Nord");
    assert_string_equal(one.region, "32");
    assert_string_equal(one.zone, "metro");
    assert_int_equal(territory_departement_get(db, a, "974", &one, &e), 0);
    assert_string_equal(one.name, "La Réunion");
    assert_string_equal(one.zone, "drom");
    assert_int_equal(territory_departement_get(db, a, "2B", &one, &e), 0);
    assert_string_equal(one.name, "Haute-Corse");
    const char *absent[] = {"20", "00", "", NULL, "9999", "5 9"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        e.status = 0;
        assert_int_equal(territory_departement_get(db, a, absent[i], &one, &e), -1);
        assert_int_equal(e.status, 404);
        assert_string_equal(e.msg, "Département introuvable.");
    }
    arena_free(a);
}

static void test_reimport_idempotent(void **state)
{
    struct db *db = *state;
    struct err e = {0};
    /* damage a row the way an older data release would differ */
    assert_int_equal(db_execf(db, &e,
                              "UPDATE communes SET name = 'X', name_norm = 'x', population = 1, "
                              "postcodes = '' WHERE code = ?",
                              "s", "42218"),
                     1);
    double t0 = now();
    assert_int_equal(territory_import(db, data_dir(), &e), COMMUNES_ACTUELLES);
    fprintf(stderr, "re-import: %.2f s\n", now() - t0);
    assert_int_equal(territory_commune_count(db, &e), COMMUNES_ACTUELLES);
    assert_int_equal(db_scalar_int(db, &e, -1, "SELECT count(*) FROM departements", ""),
                     DEPARTEMENTS);
    struct arena *a = arena_new();
    struct territory_commune c;
    assert_int_equal(territory_commune_get(db, a, "42218", &c, &e), 0);
    assert_string_equal(c.name, "Saint-Étienne");
    assert_string_equal(c.postcodes, "42000 42100 42230");
    assert_true(c.population > 100000);
    arena_free(a);
}

static void test_import_missing_dir(void **state)
{
    struct db *db = *state;
    struct err e = {0};
    assert_int_equal(territory_import(db, "/nonexistent/lanterne", &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "regions.json"));
    assert_int_equal(territory_commune_count(db, &e), COMMUNES_ACTUELLES);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    const char *files[] = {"regions.json", "departements.json", "communes.json"};
    char path[512];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* A broken entry late in the data must leave nothing behind, not half an import. */
static void test_import_bad_entry_rolls_back(void **state)
{
    (void)state;
    char dir[] = "/tmp/lanterne-territory-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "regions.json", "[{\"code\":\"99\",\"nom\":\"Essai\",\"zone\":\"metro\"}]");
    write_file(dir, "departements.json",
               "[{\"code\":\"99\",\"nom\":\"Essai\",\"region\":\"99\",\"zone\":\"metro\"}]");
    const char *good =
        "{\"code\":\"99001\",\"nom\":\"Bourg-d'Essai\",\"type\":\"commune-actuelle\","
        "\"departement\":\"99\",\"region\":\"99\",\"population\":12,"
        "\"codesPostaux\":[\"99100\",\"99200\"]}";
    const char *old = "{\"code\":\"99002\",\"nom\":\"Ancien\",\"type\":\"commune-deleguee\","
                      "\"departement\":\"99\",\"region\":\"99\"}";
    const char *bad = "{\"code\":\"99 003\",\"nom\":\"Mauvais\",\"type\":\"commune-actuelle\","
                      "\"departement\":\"99\",\"region\":\"99\"}";
    char json[1024];
    snprintf(json, sizeof json, "[%s,%s,%s]", good, old, bad);
    write_file(dir, "communes.json", json);

    struct db *db = fresh_db();
    struct err e = {0};
    assert_int_equal(territory_import(db, dir, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "communes.json"));
    assert_int_equal(territory_commune_count(db, &e), 0);
    assert_int_equal(db_scalar_int(db, &e, -1, "SELECT count(*) FROM regions", ""), 0);

    snprintf(json, sizeof json, "[%s,%s]", good, old);
    write_file(dir, "communes.json", json);
    assert_int_equal(territory_import(db, dir, &e), 1);
    struct arena *a = arena_new();
    struct territory_commune c;
    assert_int_equal(territory_commune_get(db, a, "99001", &c, &e), 0);
    assert_string_equal(c.postcodes, "99100 99200");
    assert_int_equal(c.population, 12);
    arena_free(a);

    /* a file that is not a list */
    write_file(dir, "communes.json", "{}");
    assert_int_equal(territory_import(db, dir, &e), -1);
    assert_int_equal(e.status, 500);
    db_close(db);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_counts),
        cmocka_unit_test(test_search_saint_etienne),
        cmocka_unit_test(test_search_ligature),
        cmocka_unit_test(test_search_ranking),
        cmocka_unit_test(test_search_codes),
        cmocka_unit_test(test_search_like_metacharacters),
        cmocka_unit_test(test_search_rejects),
        cmocka_unit_test(test_search_limit),
        cmocka_unit_test(test_commune_get),
        cmocka_unit_test(test_departements),
        cmocka_unit_test(test_reimport_idempotent),
        cmocka_unit_test(test_import_missing_dir),
        cmocka_unit_test(test_import_bad_entry_rolls_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
