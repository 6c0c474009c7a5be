/* test_demo_year: the demo's years of actions (src/demo_year.c) on a made-up territory of
 * 2,700 communes in three départements: the same seed gives the same rows, every action passes
 * action_create's checks again, the year's totals are the network's size, screenings come in
 * summer, nothing falls outside the years asked; then the whole demo on the real communes
 * (node_modules/, or LANTERNE_TERRITORY_DATA). On SQLite in memory, or PostgreSQL (testdb.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "action.h"
#include "consent.h"
#include "coordination.h"
#include "core/mem.h"
#include "db/db.h"
#include "demo.h"
#include "demo_year.h"
#include "territory.h"
#include "testdb.h"

enum { SEED = 42, COMMUNES_PER_DEPARTEMENT = 900 };

struct fx {
    struct db *db;
    int64_t north, south, nation, admin;
    int64_t today; /* 2026-06-15 */
};

static void must(struct fx *f, const char *sql)
{
    struct err e = {0};
    if (db_exec(f->db, sql, &e))
        fail_msg("fixture: %s: %s", sql, e.msg);
}

static int64_t must_id(struct fx *f, struct err *e, int64_t id, const char *what)
{
    if (e->status || id <= 0)
        fail_msg("fixture %s: %s", what, e->msg);
    return id;
}

static int64_t coordination(struct fx *f, const char *slug, const char *kind)
{
    struct err e = {0};
    return must_id(f, &e,
                   db_scalar_int(f->db, &e, 0,
                                 "INSERT INTO coordinations (slug, name, kind, created_at, "
                                 "updated_at) VALUES (?, ?, ?, 0, 0) RETURNING id",
                                 "sss", slug, slug, kind),
                   slug);
}

/* Three départements of 900 communes whose populations fall like a real département's (a
 * city of 250,000, a few towns, hundreds of villages); North holds two, South one. Ten
 * structures in each coordination's largest communes. */
static void territory(struct fx *f)
{
    struct err e = {0};
    must(f, "INSERT INTO regions (code, name, zone) VALUES ('32', 'Région test', 'metro');"
            "INSERT INTO departements (code, name, region_code, zone) VALUES "
            "('59', 'Nord', '32', 'metro'), ('62', 'Pas-de-Calais', '32', 'metro'), "
            "('80', 'Somme', '32', 'metro');");
    static const char *const deps[] = {"59", "62", "80"};
    if (db_begin(f->db, &e))
        fail_msg("begin: %s", e.msg);
    for (int d = 0; d < 3; d++)
        for (int i = 1; i <= COMMUNES_PER_DEPARTEMENT; i++) {
            char code[8], name[40];
            snprintf(code, sizeof code, "%s%03d", deps[d], i);
            snprintf(name, sizeof name, "%sville-%d", i % 3 ? "Bourg" : "Orme", i);
            int64_t pop = (int64_t)(250000.0 / pow(i, 1.15)) + (i * 37) % 150 + 60;
            if (db_execf(f->db, &e,
                         "INSERT INTO communes (code, name, name_norm, departement_code, "
                         "region_code, population) VALUES (?, ?, ?, ?, '32', ?)",
                         "ssssi", code, name, name, deps[d], pop) != 1)
                fail_msg("commune: %s", e.msg);
        }
    if (db_commit(f->db, &e))
        fail_msg("commit: %s", e.msg);
    f->north = coordination(f, "nord-test", "regional");
    f->south = coordination(f, "sud-test", "regional");
    f->nation = coordination(f, "nationale-test", "national");
    if (db_execf(f->db, &e,
                 "INSERT INTO coordination_departements (departement_code, coordination_id) "
                 "VALUES ('59', ?), ('62', ?), ('80', ?)",
                 "iii", f->north, f->north, f->south) != 3)
        fail_msg("territories: %s", e.msg);
    static const char *const tops[] = {
        "59001", "59002", "59003", "59004", "59005", "62001", "62002", "62003", "62004", "62005",
        "80001", "80002", "80003", "80004", "80005", "80006", "80007", "80008", "80009", "80010"};
    for (size_t i = 0; i < sizeof tops / sizeof *tops; i++) {
        char name[40];
        snprintf(name, sizeof name, "Structure %zu", i);
        must_id(f, &e,
                db_scalar_int(f->db, &e, 0,
                              "INSERT INTO structures (name, name_norm, type, commune_code, "
                              "created_at, updated_at) VALUES (?, ?, 'association', ?, 0, 0) "
                              "RETURNING id",
                              "sss", name, name, tops[i]),
                name);
    }
}

static void add_admin(struct fx *f)
{
    struct err e = {0};
    f->admin = must_id(f, &e,
                       db_scalar_int(f->db, &e, 0,
                                     "INSERT INTO users (login, display_name, password_hash, "
                                     "role, created_at, updated_at) VALUES ('admin', 'Admin', "
                                     "'x', 'admin', 0, 0) RETURNING id",
                                     ""),
                       "admin");
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    f->db = testdb_open();
    if (!f->db)
        return -1;
    territory(f);
    add_admin(f);
    f->today = consent_day(2026, 6, 15);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->db)
        db_close(f->db);
    free(f);
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void generate(struct fx *f, int first, int last, uint64_t seed)
{
    struct err e = {0};
    double t0 = now();
    if (demo_year_generate_on(f->db, first, last, seed, f->today, NULL, &e))
        fail_msg("generate %d-%d: %d %s (%s)", first, last, e.status, e.msg,
                 e.field ? e.field : "-");
    fprintf(stderr, "demo_year %d-%d on %s: %.2f s\n", first, last, testdb_engine(), now() - t0);
}

static int64_t scalar(struct fx *f, const char *sql)
{
    struct err e = {0};
    int64_t v = db_scalar_int(f->db, &e, -1, sql, "");
    if (e.status)
        fail_msg("%s: %s", sql, e.msg);
    return v;
}

/* FNV-1a of every stored value of the demo's rows and lists (times and authors left out). */
static uint64_t digest(struct fx *f)
{
    static const char *const queries[] = {
        "SELECT id, coordination_id, title, description, type, status, start_date, end_date, "
        "year, month, lead_structure_id, rural, participants_u12, participants_12_17, "
        "participants_18_25, participants_o25, participants_female, participants_male, "
        "participants_other, spectators, spectators_include_participants, practice_hours, "
        "films_made, budget_requested, budget_granted, budget_cofunding, search_norm, is_demo "
        "FROM actions ORDER BY id",
        "SELECT action_id, commune_code FROM action_communes ORDER BY action_id, commune_code",
        "SELECT action_id, structure_id FROM action_partners ORDER BY action_id, structure_id",
        "SELECT action_id, position, name FROM action_facilitators ORDER BY action_id, position",
        "SELECT action_id, kind, code FROM action_tags ORDER BY action_id, kind, code"};
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        struct db_stmt *s;
        struct err e = {0};
        if (db_prepare(f->db, queries[q], &s, &e))
            fail_msg("%s", e.msg);
        int rc;
        while ((rc = db_step(s, &e)) == DB_ROW)
            for (int c = 0; c < db_col_count(s); c++) {
                const char *v = db_col_is_null(s, c) ? "\x01" : db_col_text(s, c);
                for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                    h = (h ^ *p) * 0x100000001b3ull;
                h = (h ^ 0xff) * 0x100000001b3ull;
            }
        db_finalize(s);
        assert_int_equal(rc, DB_DONE);
    }
    return h;
}

/* The same seed on an emptied database gives the same rows; another seed does not. */
static void test_determinism(void **state)
{
    struct fx *f = *state;
    generate(f, 2025, 2026, SEED);
    int64_t n = scalar(f, "SELECT COUNT(*) FROM actions");
    uint64_t first = digest(f);
    for (int round = 0; round < 2; round++) {
        db_close(f->db);
        f->db = testdb_open();
        assert_non_null(f->db);
        territory(f);
        add_admin(f);
        generate(f, 2025, 2026, round ? SEED + 1 : SEED);
        if (round == 0) {
            assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions"), n);
            assert_true(digest(f) == first);
        } else {
            assert_true(digest(f) != first);
        }
    }
}

/* Every action written passes action_create's checks once more: each is read back and
 * written again through action_update, which runs the same checks. */
static void test_checks_again(void **state)
{
    struct fx *f = *state;
    generate(f, 2025, 2026, SEED);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE is_demo <> 1"), 0);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE end_date < start_date"), 0);
    struct account admin = {.id = f->admin, .role = ROLE_ADMIN};
    int64_t last = scalar(f, "SELECT MAX(id) FROM actions");
    int checked = 0;
    for (int64_t id = 1; id <= last; id += 7) {
        struct arena *a = arena_new();
        struct action ac;
        struct err e = {0};
        if (action_get(f->db, a, id, &ac, &e)) {
            arena_free(a);
            continue; /* ids of another engine may start elsewhere */
        }
        const char **communes = arena_alloc(a, sizeof *communes * (size_t)ac.ncommunes);
        for (int i = 0; i < ac.ncommunes; i++)
            communes[i] = ac.communes[i].code;
        struct action_input in = {.title = ac.title,
                                  .description = ac.description,
                                  .type = ac.type,
                                  .status = ac.status,
                                  .start_date = ac.start_date,
                                  .end_date = ac.end_date,
                                  .lead_structure_id = ac.lead_structure_id,
                                  .rural = ac.rural,
                                  .p_u12 = ac.p_u12,
                                  .p_12_17 = ac.p_12_17,
                                  .p_18_25 = ac.p_18_25,
                                  .p_o25 = ac.p_o25,
                                  .has_gender = ac.has_gender,
                                  .p_female = ac.p_female,
                                  .p_male = ac.p_male,
                                  .p_other = ac.p_other,
                                  .spectators = ac.spectators,
                                  .spectators_include_participants =
                                      ac.spectators_include_participants,
                                  .practice_hours = ac.practice_hours,
                                  .films_made = ac.films_made,
                                  .budget_requested = ac.budget_requested,
                                  .budget_granted = ac.budget_granted,
                                  .budget_cofunding = ac.budget_cofunding,
                                  .commune_codes = communes,
                                  .ncommunes = ac.ncommunes,
                                  .partner_ids = ac.partner_ids,
                                  .npartners = ac.npartners,
                                  .facilitators = ac.facilitators,
                                  .nfacilitators = ac.nfacilitators,
                                  .themes = ac.themes,
                                  .nthemes = ac.nthemes,
                                  .forms = ac.forms,
                                  .nforms = ac.nforms,
                                  .publics = ac.publics,
                                  .npublics = ac.npublics};
        if (action_update(f->db, &admin, id, &in, &e))
            fail_msg("action %lld \"%s\": %s (%s)", (long long)id, ac.title, e.msg,
                     e.field ? e.field : "-");
        /* the year and month columns follow start_date */
        assert_int_equal(ac.year, atoi(ac.start_date));
        assert_int_equal(ac.month, atoi(ac.start_date + 5));
        assert_true(ac.ncommunes >= 1 && ac.ncommunes <= 6);
        if (!action_type_is_practice(ac.type))
            assert_int_equal(action_participants(&ac), 0);
        if (!strcmp(ac.type, "itinerant_stage"))
            assert_true(ac.ncommunes >= 2);
        checked++;
        arena_free(a);
    }
    assert_true(checked > 500);
}

/* One finished year has the size of the network's year. */
static void test_totals(void **state)
{
    struct fx *f = *state;
    generate(f, 2025, 2025, SEED);
    const char *live = " FROM actions WHERE year = 2025 AND status <> 'cancelled'";
    char sql[1024];
#define COUNT(expr) (snprintf(sql, sizeof sql, "SELECT %s%s", (expr), live), scalar(f, sql))
    int64_t actions = COUNT("COUNT(*)");
    int64_t all = scalar(f, "SELECT COUNT(*) FROM actions");
    int64_t participants =
        COUNT("SUM(participants_u12 + participants_12_17 + participants_18_25 + participants_o25)");
    int64_t reached =
        COUNT("SUM(CASE WHEN spectators_include_participants = 1 THEN CASE WHEN spectators > "
              "participants_u12 + participants_12_17 + participants_18_25 + participants_o25 THEN "
              "spectators ELSE participants_u12 + participants_12_17 + participants_18_25 + "
              "participants_o25 END ELSE spectators + participants_u12 + participants_12_17 + "
              "participants_18_25 + participants_o25 END)");
    int64_t films = COUNT("SUM(films_made)");
    int64_t communes = scalar(f, "SELECT COUNT(DISTINCT commune_code) FROM action_communes");
    int64_t qpv = scalar(f, "SELECT COUNT(*) FROM action_tags WHERE kind = 'public' AND "
                            "code = 'qpv'");
    int64_t rural = scalar(
        f, "SELECT COUNT(*) FROM actions ac WHERE ac.rural = 'yes' OR (ac.rural = 'auto' AND "
           "EXISTS (SELECT 1 FROM action_communes x JOIN communes c ON c.code = x.commune_code "
           "WHERE x.action_id = ac.id AND c.population < 2000))");
    int64_t cancelled = all - actions;
    fprintf(stderr,
            "2025: %lld actions (+%lld cancelled), %lld reached, %lld participants, %lld films, "
            "%lld communes, qpv %lld, rural %lld\n",
            (long long)actions, (long long)cancelled, (long long)reached, (long long)participants,
            (long long)films, (long long)communes, (long long)qpv, (long long)rural);
    assert_in_range(all, 2300, 2750);
    assert_in_range(cancelled, 20, 150);
    assert_in_range(participants, 10500, 14500);
    assert_in_range(reached, 195000, 270000);
    assert_in_range(films, 500, 720);
    /* two small territories: the network's 400+ is checked on the real one below */
    assert_true(communes >= 300);
    assert_in_range(qpv * 100 / all, 30, 50);
    assert_in_range(rural * 100 / all, 10, 22);
    /* the type mix */
    int64_t open_air = scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'open_air'");
    int64_t film = scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'workshop_film'");
    int64_t mediation = scalar(f, "SELECT COUNT(*) FROM actions WHERE type IN ('debate', "
                                  "'outing', 'festival', 'discovery')");
    assert_in_range(open_air * 100 / all, 16, 24);
    assert_in_range(film * 100 / all, 21, 29);
    assert_in_range(mediation * 100 / all, 30, 40);
    /* proportional to population: North has two départements, South one */
    int64_t north = scalar(f, "SELECT COUNT(*) FROM actions ac JOIN coordinations co ON co.id = "
                              "ac.coordination_id WHERE co.slug = 'nord-test'");
    int64_t south = scalar(f, "SELECT COUNT(*) FROM actions ac JOIN coordinations co ON co.id = "
                              "ac.coordination_id WHERE co.slug = 'sud-test'");
    assert_in_range(north * 100 / (south ? south : 1), 170, 230);
    /* the national coordination: a few meetings and trainings */
    int64_t national = scalar(f, "SELECT COUNT(*) FROM actions ac JOIN coordinations co ON "
                                 "co.id = ac.coordination_id WHERE co.kind = 'national'");
    assert_in_range(national, 10, 14);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions ac JOIN coordinations co ON co.id "
                               "= ac.coordination_id WHERE co.kind = 'national' AND ac.type NOT "
                               "IN ('meeting', 'training')"),
                     0);
    /* workshops: participants in range; film-making workshops 20 to 60 hours */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'workshop_film' AND "
                               "status = 'done' AND (participants_u12 + participants_12_17 + "
                               "participants_18_25 + participants_o25 NOT BETWEEN 8 AND 15 OR "
                               "practice_hours NOT BETWEEN 20 AND 60)"),
                     0);
    /* gender recorded for about half the workshops */
    int64_t workshops = COUNT("SUM(CASE WHEN type LIKE 'workshop%' THEN 1 ELSE 0 END)");
    int64_t gender = COUNT("SUM(CASE WHEN participants_female IS NOT NULL THEN 1 ELSE 0 END)");
    assert_in_range(gender * 100 / workshops, 40, 60);
#undef COUNT
}

/* Open-air screenings in summer, one day long; workshops more often in the holidays. */
static void test_seasons(void **state)
{
    struct fx *f = *state;
    generate(f, 2024, 2025, SEED);
    int64_t open_air = scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'open_air'");
    int64_t summer = scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'open_air' AND month "
                               "BETWEEN 6 AND 9");
    assert_true(open_air > 0);
    assert_true(summer * 100 / open_air >= 85);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'open_air' AND "
                               "end_date <> start_date"),
                     0);
    int64_t holidays = scalar(f, "SELECT COUNT(*) FROM actions WHERE type LIKE 'workshop%' AND "
                                 "month IN (2, 4, 7, 10)");
    int64_t workshops = scalar(f, "SELECT COUNT(*) FROM actions WHERE type LIKE 'workshop%'");
    assert_true(holidays * 100 / workshops >= 40); /* 4 months of 12 hold half of them */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE type = 'open_air' AND month "
                               "IN (1, 2, 12)"),
                     0);
}

/* Only the years asked; the current year is done before today, planned after. */
static void test_years_and_statuses(void **state)
{
    struct fx *f = *state;
    generate(f, 2025, 2026, SEED);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE year NOT IN (2025, 2026) OR "
                               "start_date < '2025-01-01' OR end_date > '2026-12-31' OR "
                               "substr(end_date, 1, 4) <> substr(start_date, 1, 4)"),
                     0);
    assert_true(scalar(f, "SELECT COUNT(*) FROM actions WHERE year = 2025") > 2000);
    assert_true(scalar(f, "SELECT COUNT(*) FROM actions WHERE year = 2026") > 2000);
    /* 2025 is over: done or cancelled */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE year = 2025 AND status NOT IN "
                               "('done', 'cancelled')"),
                     0);
    /* 2026 as of 15 June */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE status = 'done' AND end_date "
                               ">= '2026-06-15'"),
                     0);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE status = 'planned' AND "
                               "start_date <= '2026-06-15'"),
                     0);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE status = 'in_progress' AND "
                               "(start_date > '2026-06-15' OR end_date < '2026-06-15')"),
                     0);
    assert_true(scalar(f, "SELECT COUNT(*) FROM actions WHERE status = 'planned'") > 500);
    assert_true(scalar(f, "SELECT COUNT(*) FROM actions WHERE status = 'in_progress'") > 20);
    /* nothing counted yet for what has not happened */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE status IN ('planned', "
                               "'cancelled') AND (spectators > 0 OR films_made > 0 OR "
                               "participants_12_17 > 0)"),
                     0);
    /* a regional meeting each year in each regional coordination */
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE title LIKE 'Rencontre "
                               "régionale%'"),
                     4);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(demo_year_generate_on(f->db, 2026, 2025, SEED, f->today, NULL, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(demo_year_generate_on(f->db, 1990, 1991, SEED, f->today, NULL, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(
        demo_year_generate_on(f->db, 2000, 2000 + DEMO_YEAR_MAX_YEARS, SEED, f->today, NULL, &e),
        -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    /* without an admin account nothing is written */
    assert_int_equal(db_execf(f->db, &e, "UPDATE users SET role = 'coordinator'", ""), 1);
    assert_int_equal(demo_year_generate_on(f->db, 2025, 2025, SEED, f->today, NULL, &e), -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions"), 0);
}

/* The whole demo on the real communes (no media): every coordination has actions, the last
 * full year has the network's size and reaches more than 400 communes. */
static void test_real_network(void **state)
{
    struct fx *f = *state;
    const char *dir = getenv("LANTERNE_TERRITORY_DATA");
    struct err e = {0};
    db_close(f->db);
    f->db = testdb_open();
    assert_non_null(f->db);
    if (territory_import(f->db, dir ? dir : TERRITORY_DEFAULT_DATA_DIR, &e) < 0)
        fail_msg("territory: %s", e.msg);
    if (coordination_seed(f->db, &e))
        fail_msg("coordinations: %s", e.msg);
    double t0 = now();
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    int rc = demo_load_years(f->db, NULL, 2, out, &e);
    fclose(out);
    if (rc)
        fail_msg("demo: %s", e.msg);
    fprintf(stderr, "demo without media, 2 years, on %s: %.2f s\n", testdb_engine(), now() - t0);
    char today[11];
    consent_day_format(consent_today(), today);
    int last = atoi(today) - 1;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM actions WHERE year = %d", last);
    int64_t actions = scalar(f, sql);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(DISTINCT x.commune_code) FROM action_communes x JOIN actions ac ON "
             "ac.id = x.action_id WHERE ac.year = %d",
             last);
    int64_t communes = scalar(f, sql);
    snprintf(sql, sizeof sql, "SELECT COUNT(DISTINCT coordination_id) FROM actions WHERE year = %d",
             last);
    int64_t coordinations = scalar(f, sql);
    fprintf(stderr, "%d: %lld actions, %lld communes, %lld coordinations\n", last,
            (long long)actions, (long long)communes, (long long)coordinations);
    assert_in_range(actions, 2300, 2800);
    assert_true(communes >= 400);
    assert_int_equal(coordinations, scalar(f, "SELECT COUNT(*) FROM coordinations"));
    assert_int_equal(scalar(f, "SELECT COUNT(*) FROM actions WHERE is_demo <> 1"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_years_and_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checks_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_network, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
