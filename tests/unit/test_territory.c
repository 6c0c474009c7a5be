/* test_territory: unit tests for src/territory.c against the real @etalab data, in SQLite in
 * memory or in the PostgreSQL database of LANTERNE_TEST_DATABASE_URL, emptied first
 * (testdb.h). Run from the repository root, where node_modules/ is. */
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
#include "testdb.h"

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

/* The whole group shares one imported database: importing takes seconds. */
static int setup(void **state)
{
    struct db *db = testdb_open();
    struct err e = {0};
    if (!db)
        return -1;
    double t0 = now();
    int n = territory_import(db, data_dir(), &e);
    if (n < 0) {
        fprintf(stderr, "import failed: %s\n", e.msg);
        return -1;
    }
    fprintf(stderr, "territory_import: %d communes in %.2f s\n", n, now() - t0);
    if (n != COMMUNES_ACTUELLES) {
        db_close(db);
        return -1;
    }
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
    /* every stored search form is plain ASCII words: the normalization covered the data
     * (checked here rather than in SQL, where GLOB is SQLite's alone) */
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, "SELECT code, name_norm FROM communes", &st, &e), 0);
    int rows = 0, rc;
    while ((rc = db_step(st, &e)) == DB_ROW) {
        const char *norm = db_col_text(st, 1);
        size_t len = strlen(norm);
        int ok = len > 0 && norm[0] != ' ' && norm[len - 1] != ' ' && !strstr(norm, "  ");
        for (size_t i = 0; ok && i < len; i++)
            ok = (norm[i] >= 'a' && norm[i] <= 'z') || (norm[i] >= '0' && norm[i] <= '9') ||
                 norm[i] == ' ';
        if (!ok)
            fail_msg("commune %s: name_norm \"%s\" is not plain words", db_col_text(st, 0), norm);
        rows++;
    }
    db_finalize(st);
    assert_int_equal(rc, DB_DONE);
    assert_int_equal(rows, COMMUNES_ACTUELLES);
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

/* One list, one answer on every engine: the top 10 recorded from a SQLite run, which
 * PostgreSQL must match code for code. Against the LIKE scan the index replaced, the answers
 * are the same but for the matches of the words in another order, new and ranked after the
 * others: "etienne saint", "roche la", Abergement-la-Ronce after the four L'Abergement-*,
 * La Haye-* after L'Haÿ-les-Roses. */
static const struct {
    const char *q;
    const char *codes;
} expected_top10[] = {
    {"saint etienne", "42218 76575 44158 62746 82161 88415 38384 07231 38383 01350"},
    {"SAINT-ÉTIENNE", "42218 76575 44158 62746 82161 88415 38384 07231 38383 01350"},
    {"saint’étienne", "42218 76575 44158 62746 82161 88415 38384 07231 38383 01350"},
    {"saint eti", "42218 76575 44158 62746 82161 88415 38384 07231 38383 01350"},
    {"etienne saint", "42218 76575 44158 62746 82161 88415 38384 07231 38383 01350"},
    {"st etienne", ""},
    {"Œuilly", "51410 02565"},
    {"oeuilly", "51410 02565"},
    {"OEUILLY", "51410 02565"},
    {"œ", "37172 57521 40207 67355 51410 40206 02565 88334 62633"},
    {"rue", "80688 92063 45285 16291 68289 76727 42287 60559 76547 59517"},
    {"paris", "75056 95176 38485 62826 95241 81202 82137 71343"},
    {"lille", "59350 59527 59386 62516 76384 35153"},
    {"l'abergement", "71002 01001 71001 01002 39001 39002 39003 39004"},
    {"L’ABERGEMENT", "71002 01001 71001 01002 39001 39002 39003 39004"},
    {"saint-denis", "97411 93066 11339 30247 77495 93039 45274 78397 01344 33393"},
    {"Saint Denis", "97411 93066 11339 30247 77495 93039 45274 78397 01344 33393"},
    {"ÉVRY", "89162 91228 77175"},
    {"evry", "89162 91228 77175"},
    {"la roche", "17300 85191 74224 06114 73215 16281 77389 26271 63302 24354"},
    {"roche la", "42189 17300 85191 74224 06114 73215 16281 77389 26271 63302"},
    {"sainte-marie", "97418 97228 35294 25523 32388 15198 58253 08390 65391 64422"},
    {"le havre", "76351"},
    {"l'haÿ", "94038 50236 27322 50237 28347 10223 76717 27317 76352 39266"},
    {"cœur", "46138 51457"},
    {"besançon", "25056"},
    {"fort-de-france", "97209"},
    {"aix", "19002 13001 73008 87001 73128 62019 10003 18003 87177 59004"},
    {"saint jean de", "45284 45285 64483 34270 85234 73248 44166 38399 38400 17349"},
    {"les", "92040 97101 85194 95268 37122 74281 83129 78440 73008 94038"},
    {"val d'isere", "73304"},
    {"châlons", "51108 53049 51109"},
    {"59350", "59350 59527"},
    {"2A004", "2A004"},
    {"2a004", "2A004"},
    {"42100", "42218 42100"},
    {"20000", "2A004"},
    {"971", "97101 97801 97103 97113 97118 97128 97117 97115 97129 97107"},
};

static void test_search_expected(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct territory_commune *r;
    int n, failures = 0;
    for (size_t i = 0; i < sizeof expected_top10 / sizeof expected_top10[0]; i++) {
        char got[128] = "";
        search(db, a, expected_top10[i].q, 10, &r, &n);
        for (int k = 0; k < n; k++) {
            size_t len = strlen(got);
            snprintf(got + len, sizeof got - len, "%s%s", k ? " " : "", r[k].code);
        }
        if (strcmp(got, expected_top10[i].codes) != 0) {
            fprintf(stderr, "\"%s\" on %s: got \"%s\", want \"%s\"\n", expected_top10[i].q,
                    testdb_engine(), got, expected_top10[i].codes);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    arena_free(a);
}

/* The ranking territory.h defines, computed by brute force over every commune. */
struct oracle_row {
    char code[8];
    const char *norm;
    int64_t population;
    int group; /* 0 exact, 1 as typed, 2 other words, -1 no match */
};

static int oracle_has_word(const char *norm, const char *w, size_t wn)
{
    for (const char *p = norm; p; p = strchr(p, ' '), p = p ? p + 1 : NULL)
        if (strncmp(p, w, wn) == 0)
            return 1;
    return 0;
}

static int oracle_group(const char *norm, const char *q)
{
    size_t qn = strlen(q);
    if (strcmp(norm, q) == 0)
        return 0;
    for (const char *p = norm; p; p = strchr(p, ' '), p = p ? p + 1 : NULL)
        if (strncmp(p, q, qn) == 0)
            return 1;
    for (const char *w = q; *w;) {
        size_t wn = strcspn(w, " ");
        if (!oracle_has_word(norm, w, wn))
            return -1;
        w += wn;
        w += *w == ' ';
    }
    return 2;
}

static int oracle_cmp(const void *pa, const void *pb)
{
    const struct oracle_row *x = pa, *y = pb;
    if (x->group != y->group)
        return x->group - y->group;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    int r = strcmp(x->norm, y->norm);
    return r ? r : strcmp(x->code, y->code);
}

/* Short words match thousands of communes, most larger than the first whose name starts
 * with what was typed ("la la": La Lande-*): the index's batches must grow, or give way to
 * a scan, and still rank exactly. Queries already normalized. */
static void test_search_matches_brute_force(void **state)
{
    struct db *db = *state;
    struct arena *a = arena_new();
    struct err e = {0};
    struct oracle_row *rows = arena_alloc(a, COMMUNES_ACTUELLES * sizeof *rows);
    struct db_stmt *st;
    int nrows = 0, rc;
    assert_int_equal(db_prepare(db, "SELECT code, name_norm, population FROM communes", &st, &e),
                     0);
    while ((rc = db_step(st, &e)) == DB_ROW && nrows < COMMUNES_ACTUELLES) {
        snprintf(rows[nrows].code, sizeof rows[nrows].code, "%s", db_col_text(st, 0));
        rows[nrows].norm = arena_strdup(a, db_col_text(st, 1));
        rows[nrows].population = db_col_int(st, 2);
        nrows++;
    }
    db_finalize(st);
    assert_int_equal(nrows, COMMUNES_ACTUELLES);

    static const char *const queries[] = {"saint", "les",        "la la",     "le l", "la l",
                                          "s s",   "l a",        "de la",     "e e",  "sa ma",
                                          "rue",   "mont saint", "saint jean"};
    static const int limits[] = {1, 10, TERRITORY_SEARCH_MAX_LIMIT};
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        const char *q = queries[qi];
        for (int i = 0; i < nrows; i++)
            rows[i].group = oracle_group(rows[i].norm, q);
        qsort(rows, (size_t)nrows, sizeof *rows, oracle_cmp);
        int matches = 0;
        while (matches < nrows && rows[matches].group < 0)
            matches++; /* -1 sorts first */
        for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
            struct territory_commune *r;
            int n;
            if (territory_commune_search(db, a, q, limits[li], &r, &n, &e))
                fail_msg("search \"%s\": %d %s", q, e.status, e.msg);
            int want = nrows - matches < limits[li] ? nrows - matches : limits[li];
            if (n != want)
                fail_msg("\"%s\" limit %d: %d results, want %d", q, limits[li], n, want);
            for (int k = 0; k < n; k++)
                if (strcmp(r[k].code, rows[matches + k].code) != 0)
                    fail_msg("\"%s\" limit %d, rank %d: got %s %s, want %s %s", q, limits[li],
                             k + 1, r[k].code, r[k].name, rows[matches + k].code,
                             rows[matches + k].norm);
        }
    }
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

    struct db *db = testdb_open();
    struct err e = {0};
    assert_non_null(db);
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
        cmocka_unit_test(test_search_expected),
        cmocka_unit_test(test_search_matches_brute_force),
        cmocka_unit_test(test_commune_get),
        cmocka_unit_test(test_departements),
        cmocka_unit_test(test_reimport_idempotent),
        cmocka_unit_test(test_import_missing_dir),
    };
    /* after the shared database is closed: on PostgreSQL it empties the same database */
    const struct CMUnitTest own_db[] = {
        cmocka_unit_test(test_import_bad_entry_rolls_back),
    };
    int pg = testdb_pg_url() != NULL;
    int failed = cmocka_run_group_tests_name(pg ? "territory on PostgreSQL" : "territory", tests,
                                             setup, teardown);
    return failed +
           cmocka_run_group_tests_name(pg ? "territory import on PostgreSQL" : "territory import",
                                       own_db, NULL, NULL);
}
