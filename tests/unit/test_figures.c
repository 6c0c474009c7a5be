/* test_figures: the year in figures (src/figures.c). A property test builds ten random
 * datasets of actions and checks every figure, for the nation and for each coordination,
 * this year and the year before, against aggregates written independently here (other
 * SQL: joins instead of EXISTS, p + s - min instead of max, one query per figure). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "action.h"
#include "figures.h"
#include "groupfix.h"

static const char MORE_SQL[] =
    "UPDATE communes SET population = 232000 WHERE code = '59350';"
    "UPDATE communes SET population = 134000 WHERE code = '80021';"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code, population) "
    "VALUES ('59001', 'Abancourt', 'abancourt', '59', '32', 480),"
    " ('59002', 'Abscon', 'abscon', '59', '32', 4300),"
    " ('80001', 'Abbeville', 'abbeville', '80', '32', 1999),"
    " ('80002', 'Acheux', 'acheux', '80', '32', 2000);";

static int setup_fig(void **state)
{
    if (setup(state))
        return -1;
    struct fx *f = *state;
    struct err e = {0};
    return db_exec(f->db, MORE_SQL, &e) ? -1 : 0;
}

static uint64_t g_rng;
static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}
static int64_t upto(int64_t n) /* 0..n-1 */
{
    return (int64_t)(rnd() % (uint64_t)n);
}

static int ntypes(void)
{
    int n = 0;
    while (action_types[n].code)
        n++;
    return n;
}

/* One random action of coordination coord (its communes from its own département). */
static void random_action(struct fx *f, int64_t coord, const struct account *by)
{
    static const char *const nord[] = {"59350", "59001", "59002"};
    static const char *const somme[] = {"80021", "80001", "80002"};
    const char *const *pool = coord == f->hc ? nord : somme;
    const char *communes[3];
    int nc = 1 + (int)upto(3);
    int start = (int)upto(3);
    for (int i = 0; i < nc; i++)
        communes[i] = pool[(start + i) % 3];
    static const char *const statuses[] = {"planned", "in_progress", "done", "cancelled"};
    static const char *const rural[] = {"auto", "auto", "yes", "no"};
    const char *publics[2];
    int np = 0;
    if (upto(2))
        publics[np++] = "qpv";
    if (!upto(4))
        publics[np++] = "pjj";
    const char *type = action_types[upto(ntypes())].code;
    int practice = action_type_is_practice(type);
    char start_date[16], end_date[16];
    int year = 2024 + (int)upto(2), month = 1 + (int)upto(12), day = 1 + (int)upto(28);
    snprintf(start_date, sizeof start_date, "%d-%02d-%02d", year, month, day);
    snprintf(end_date, sizeof end_date, "%d-%02d-28", year, month);
    struct action_input in = {
        .coordination_id = coord,
        .title = "Action au hasard",
        .type = type,
        .status = statuses[upto(4)],
        .start_date = start_date,
        .end_date = end_date,
        .rural = rural[upto(4)],
        .p_u12 = practice ? upto(5) : 0,
        .p_12_17 = practice ? upto(20) : 0,
        .p_18_25 = practice ? upto(6) : 0,
        .p_o25 = practice ? upto(3) : 0,
        .spectators = upto(3) ? upto(400) : 0,
        .spectators_include_participants = (int)upto(2),
        .practice_hours = practice ? upto(60) : 0,
        .films_made = practice ? upto(3) : 0,
        .budget_requested = upto(9000),
        .budget_granted = upto(8000),
        .budget_cofunding = upto(3000),
        .commune_codes = communes,
        .ncommunes = nc,
        .publics = publics,
        .npublics = np,
    };
    struct err e = {0};
    int64_t id;
    if (action_create(f->db, by, &in, &id, &e))
        fail_msg("random action: %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
}

/* An independent aggregate over the counted actions of (year, coord): sql has "%s" where the
 * WHERE conditions go, written with alias a. */
static int64_t agg(struct fx *f, const char *sql, int year, int64_t coord)
{
    char where[160], full[2048];
    if (coord)
        snprintf(where, sizeof where,
                 "a.year = %d AND a.status IN ('planned', 'in_progress', 'done') AND "
                 "a.coordination_id = %lld",
                 year, (long long)coord);
    else
        snprintf(where, sizeof where,
                 "a.year = %d AND a.status IN ('planned', 'in_progress', 'done')", year);
    snprintf(full, sizeof full, sql, where);
    struct err e = {0};
    int64_t v = db_scalar_int(f->db, &e, 0, full, "");
    if (e.status)
        fail_msg("aggregate: %s\n%s", e.msg, full);
    return v;
}

#define P "(a.participants_u12 + a.participants_12_17 + a.participants_18_25 + a.participants_o25)"

static void check(struct fx *f, int year, int64_t coord)
{
    struct figures fg;
    struct err e = {0};
    if (figures_compute(f->db, f->a, year, coord, &fg, &e))
        fail_msg("figures_compute: %s", e.msg);
    assert_int_equal(fg.actions, agg(f, "SELECT COUNT(*) FROM actions a WHERE %s", year, coord));
    assert_int_equal(fg.participants,
                     agg(f, "SELECT COALESCE(SUM(" P "), 0) FROM actions a WHERE %s", year, coord));
    assert_int_equal(fg.spectators, agg(f,
                                        "SELECT COALESCE(SUM(a.spectators), 0) FROM actions a "
                                        "WHERE %s",
                                        year, coord));
    /* reached = p + s - (the smaller of the two when the audience holds the participants) */
    assert_int_equal(fg.reached, agg(f,
                                     "SELECT COALESCE(SUM(" P " + a.spectators - CASE WHEN "
                                     "a.spectators_include_participants = 0 THEN 0 WHEN " P
                                     " < a.spectators THEN " P " ELSE a.spectators END), 0) "
                                     "FROM actions a WHERE %s",
                                     year, coord));
    assert_int_equal(fg.films, agg(f,
                                   "SELECT COALESCE(SUM(a.films_made), 0) FROM actions a WHERE "
                                   "%s",
                                   year, coord));
    assert_int_equal(fg.hours, agg(f,
                                   "SELECT COALESCE(SUM(a.practice_hours), 0) FROM actions a "
                                   "WHERE %s",
                                   year, coord));
    assert_int_equal(fg.budget_requested, agg(f,
                                              "SELECT COALESCE(SUM(a.budget_requested), 0) FROM "
                                              "actions a WHERE %s",
                                              year, coord));
    assert_int_equal(fg.budget_granted, agg(f,
                                            "SELECT COALESCE(SUM(a.budget_granted), 0) FROM "
                                            "actions a WHERE %s",
                                            year, coord));
    assert_int_equal(fg.budget_cofunding, agg(f,
                                              "SELECT COALESCE(SUM(a.budget_cofunding), 0) FROM "
                                              "actions a WHERE %s",
                                              year, coord));
    assert_int_equal(fg.coordinations, agg(f,
                                           "SELECT COUNT(*) FROM (SELECT a.coordination_id FROM "
                                           "actions a WHERE %s GROUP BY a.coordination_id) x",
                                           year, coord));
    assert_int_equal(fg.communes, agg(f,
                                      "SELECT COUNT(*) FROM communes c WHERE c.code IN (SELECT "
                                      "ac.commune_code FROM action_communes ac JOIN actions a ON "
                                      "a.id = ac.action_id WHERE %s)",
                                      year, coord));
    assert_int_equal(fg.qpv_actions, agg(f,
                                         "SELECT COUNT(DISTINCT a.id) FROM actions a JOIN "
                                         "action_tags t ON t.action_id = a.id AND t.kind = "
                                         "'public' AND t.code = 'qpv' WHERE %s",
                                         year, coord));
    /* rural: 'yes', or 'auto' and the smallest commune under 2,000 inhabitants */
    assert_int_equal(fg.rural_actions,
                     agg(f,
                         "SELECT COUNT(*) FROM actions a WHERE %s AND (a.rural = 'yes' OR "
                         "(a.rural = 'auto' AND (SELECT MIN(c.population) FROM action_communes "
                         "ac JOIN communes c ON c.code = ac.commune_code WHERE ac.action_id = "
                         "a.id) < 2000))",
                         year, coord));
    int64_t sum = 0;
    for (int i = 0; i < fg.ntypes; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM actions a WHERE %%s AND a.type = '%s'",
                 fg.by_type[i].code);
        assert_int_equal(fg.by_type[i].value, agg(f, sql, year, coord));
        sum += fg.by_type[i].value;
    }
    assert_int_equal(sum, fg.actions);
    sum = 0;
    for (int m = 1; m <= 12; m++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM actions a WHERE %%s AND a.start_date LIKE '%d-%02d-%%%%'",
                 year, m);
        assert_int_equal(fg.by_month[m - 1], agg(f, sql, year, coord));
        sum += fg.by_month[m - 1];
    }
    assert_int_equal(sum, fg.actions);
    for (int i = 0; i < fg.ndepartements; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM actions a WHERE %%s AND a.id IN (SELECT ac.action_id FROM "
                 "action_communes ac JOIN communes c ON c.code = ac.commune_code WHERE "
                 "c.departement_code = '%s')",
                 fg.by_departement[i].code);
        assert_int_equal(fg.by_departement[i].value, agg(f, sql, year, coord));
        assert_true(fg.by_departement[i].value > 0);
    }
    assert_int_equal(fg.ndepartements, agg(f,
                                           "SELECT COUNT(DISTINCT c.departement_code) FROM "
                                           "actions a JOIN action_communes ac ON ac.action_id = "
                                           "a.id JOIN communes c ON c.code = ac.commune_code "
                                           "WHERE %s",
                                           year, coord));
    if (!coord) {
        assert_int_equal(fg.ncoordinations, 2);
        for (int i = 0; i < fg.ncoordinations; i++) {
            int64_t id = strcmp(fg.by_coordination[i].code, "hors-cadre") ? f->acap : f->hc;
            assert_int_equal(fg.by_coordination[i].value,
                             agg(f, "SELECT COUNT(*) FROM actions a WHERE %s", year, id));
        }
    } else {
        assert_int_equal(fg.ncoordinations, 0);
    }
}

static void test_property(void **state)
{
    struct fx *f = *state;
    for (int round = 0; round < 10; round++) {
        g_rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(round + 1) * 0x2545f4914f6cdd1dULL;
        struct err e = {0};
        if (db_exec(f->db, "DELETE FROM actions", &e))
            fail_msg("%s", e.msg);
        int n = 20 + (int)upto(60);
        for (int i = 0; i < n; i++) {
            int hc = (int)upto(3) > 0;
            random_action(f, hc ? f->hc : f->acap,
                          upto(2) ? &f->admin
                          : hc    ? &f->coord_hc
                                  : &f->coord_acap);
        }
        assert_int_equal(db_scalar_int(f->db, &e, 0, "SELECT COUNT(*) FROM actions", ""), n);
        struct figures both[2];
        assert_int_equal(figures_compute(f->db, f->a, 2024, 0, &both[0], &e), 0);
        assert_int_equal(figures_compute(f->db, f->a, 2025, 0, &both[1], &e), 0);
        assert_true(both[0].actions + both[1].actions > n / 2); /* a quarter are cancelled */
        for (int year = 2023; year <= 2025; year++) {
            check(f, year, 0);
            check(f, year, f->hc);
            check(f, year, f->acap);
        }
    }
}

static void test_edges(void **state)
{
    struct fx *f = *state;
    struct figures fg;
    struct err e = {0};
    assert_int_equal(figures_compute(f->db, f->a, ACTION_YEAR_MIN - 1, 0, &fg, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(figures_compute(f->db, f->a, ACTION_YEAR_MAX, 0, &fg, &e), 0);
    assert_int_equal(fg.actions, 0);
    assert_int_equal(fg.ntypes, ntypes());
    assert_int_equal(figures_compute(f->db, f->a, 2025, 424242, &fg, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(figures_percent(1, 3), 33);
    assert_int_equal(figures_percent(2, 3), 67);
    assert_int_equal(figures_percent(1, 0), 0);
    assert_int_equal(figures_percent(1, 200), 1); /* 0.5 rounds up */
    int known;
    assert_int_equal(figures_change(110, 100, &known), 10);
    assert_true(known);
    assert_int_equal(figures_change(90, 100, &known), -10);
    assert_int_equal(figures_change(5, 0, &known), 0);
    assert_false(known);
    assert_int_equal(figures_change(2, 3, &known), -33);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_property, setup_fig, teardown),
        cmocka_unit_test_setup_teardown(test_edges, setup_fig, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
