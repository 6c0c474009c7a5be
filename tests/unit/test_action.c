/* test_action: the action record (src/action.c, action_list.c): who may write, every check
 * at its edges, the lists, people reached, the rural rule, listing and its filters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "action.h"
#include "groupfix.h"

static const char MORE_SQL[] =
    "UPDATE communes SET population = 232000 WHERE code = '59350';"
    "UPDATE communes SET population = 134000 WHERE code = '80021';"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code, population) "
    "VALUES ('59001', 'Abancourt', 'abancourt', '59', '32', 480);";

static int setup_action(void **state)
{
    if (setup(state))
        return -1;
    struct fx *f = *state;
    struct err e = {0};
    return db_exec(f->db, MORE_SQL, &e) ? -1 : 0;
}

static const char *const LILLE[] = {"59350"};

/* A valid workshop of Hors Cadre, changed by the test as it goes. */
static struct action_input base(struct fx *f)
{
    return (struct action_input){.coordination_id = f->hc,
                                 .title = "Atelier court métrage",
                                 .description = "Un film en dix séances.",
                                 .type = "workshop_film",
                                 .status = "done",
                                 .start_date = "2025-03-01",
                                 .end_date = "2025-06-30",
                                 .p_12_17 = 10,
                                 .p_18_25 = 2,
                                 .spectators = 80,
                                 .practice_hours = 30,
                                 .films_made = 1,
                                 .budget_requested = 5000,
                                 .budget_granted = 4000,
                                 .commune_codes = LILLE,
                                 .ncommunes = 1};
}

static int create(struct fx *f, const struct account *by, const struct action_input *in,
                  struct err *e)
{
    int64_t id = 0;
    err_clear(e);
    return action_create(f->db, by, in, &id, e) ? -e->status : (int)id;
}

static void expect_field(struct fx *f, const struct action_input *in, const char *field)
{
    struct err e = {0};
    int rc = create(f, &f->coord_hc, in, &e);
    if (rc != -422)
        fail_msg("expected 422 on %s, got %d (%s)", field, rc, e.msg);
    assert_string_equal(e.field, field);
}

static void test_rights(void **state)
{
    struct fx *f = *state;
    struct action_input in = base(f);
    struct err e = {0};
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    assert_true(create(f, &f->admin, &in, &e) > 0);
    assert_int_equal(create(f, &f->coord_acap, &in, &e), -403);
    assert_int_equal(create(f, &f->sup_a, &in, &e), -403);
    assert_int_equal(create(f, &f->part_a, &in, &e), -403);
    in.coordination_id = 999999;
    assert_int_equal(create(f, &f->admin, &in, &e), -404);
    assert_true(action_can_see_budget(&f->admin, 0));
    assert_false(action_can_see_budget(&f->coord_hc, 0));
    assert_true(action_can_see_budget(&f->coord_hc, f->hc));
    assert_false(action_can_see_budget(&f->coord_hc, f->acap));
    assert_false(action_can_see_budget(&f->sup_a, f->hc));
    assert_false(action_can_see_budget(NULL, f->hc));
    /* update and delete follow the same rule, and an action cannot be moved away */
    in = base(f);
    int id = create(f, &f->coord_hc, &in, &e);
    assert_int_equal(action_update(f->db, &f->coord_acap, id, &in, &e), -1);
    assert_int_equal(e.status, 403);
    in.coordination_id = f->acap;
    assert_int_equal(action_update(f->db, &f->coord_hc, id, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(action_delete(f->db, &f->coord_acap, id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(action_delete(f->db, &f->coord_hc, id, &e), 0);
    assert_int_equal(action_delete(f->db, &f->coord_hc, id, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_checks(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char title[ACTION_TITLE_MAX + 2];
    memset(title, 'a', sizeof title - 1);
    title[sizeof title - 1] = 0;
    struct action_input in = base(f);
    in.title = title; /* one over */
    expect_field(f, &in, "title");
    title[ACTION_TITLE_MAX] = 0; /* exactly */
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    in = base(f);
    in.title = "   ";
    expect_field(f, &in, "title");
    in = base(f);
    in.type = "picnic";
    expect_field(f, &in, "type");
    in = base(f);
    in.status = "maybe";
    expect_field(f, &in, "status");
    in = base(f);
    in.rural = "perhaps";
    expect_field(f, &in, "rural");
    in = base(f);
    in.start_date = "2025-02-30";
    expect_field(f, &in, "start_date");
    in.start_date = "1999-12-31";
    expect_field(f, &in, "start_date");
    in = base(f);
    in.end_date = "2025-02-28"; /* before the start */
    expect_field(f, &in, "end_date");
    in.start_date = "2025-01-01";
    in.end_date = "2027-01-01"; /* 730 days later: the 731st day */
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    in.end_date = "2027-01-02";
    expect_field(f, &in, "end_date");
    in = base(f);
    in.p_u12 = -1;
    expect_field(f, &in, "participants_u12");
    in.p_u12 = ACTION_COUNT_MAX + 1;
    expect_field(f, &in, "participants_u12");
    in.p_u12 = ACTION_COUNT_MAX;
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    in = base(f);
    in.has_gender = 1;
    in.p_female = 6;
    in.p_male = 5; /* 11 of 12 */
    expect_field(f, &in, "participants_female");
    in.p_other = 1;
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    in = base(f);
    in.type = "open_air"; /* a screening has spectators, not participants */
    expect_field(f, &in, "participants_u12");
    in.p_12_17 = in.p_18_25 = in.practice_hours = 0;
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    in = base(f);
    in.budget_granted = ACTION_BUDGET_MAX + 1;
    expect_field(f, &in, "budget_granted");
    in.budget_granted = ACTION_BUDGET_MAX;
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    /* communes: at least one, known, not twice, at most ACTION_COMMUNES_MAX */
    in = base(f);
    in.ncommunes = 0;
    expect_field(f, &in, "communes");
    const char *const unknown[] = {"99999"};
    in.commune_codes = unknown;
    in.ncommunes = 1;
    expect_field(f, &in, "communes");
    const char *const twice[] = {"59350", "59350"};
    in.commune_codes = twice;
    in.ncommunes = 2;
    expect_field(f, &in, "communes");
    /* lists of codes */
    in = base(f);
    const char *const themes[] = {"youth", "youth"};
    in.themes = themes;
    in.nthemes = 2;
    expect_field(f, &in, "themes");
    const char *const publics[] = {"martians"};
    in = base(f);
    in.publics = publics;
    in.npublics = 1;
    expect_field(f, &in, "publics");
    in = base(f);
    const int64_t nope[] = {424242};
    in.partner_ids = nope;
    in.npartners = 1;
    expect_field(f, &in, "partners");
    in = base(f);
    in.lead_structure_id = 424242;
    expect_field(f, &in, "lead_structure");
    /* a group of another coordination's territory cannot be linked */
    in = base(f);
    const int64_t gb[] = {f->gb};
    in.group_ids = gb;
    in.ngroups = 1;
    expect_field(f, &in, "groups");
    const int64_t ga[] = {f->ga};
    in.group_ids = ga;
    assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    /* nothing half-written: the refused ones left no row */
    struct err le = {0};
    int64_t n = db_scalar_int(f->db, &le, -1, "SELECT COUNT(*) FROM actions", "");
    assert_int_equal(n, 7);
    n = db_scalar_int(f->db, &le, -1,
                      "SELECT COUNT(*) FROM action_communes WHERE action_id NOT IN (SELECT id "
                      "FROM actions)",
                      "");
    assert_int_equal(n, 0);
}

static void test_lists_and_counts(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct action_input in = base(f);
    const char *const communes[] = {"59350", "59001"};
    const int64_t partners[] = {f->mjc, f->cs};
    const char *const facil[] = {"  Inès Caméra ", "Jo Son"};
    const char *const themes[] = {"youth", "citizenship"};
    const char *const forms[] = {"fiction"};
    const char *const publics[] = {"qpv", "pjj"};
    const int64_t groups[] = {f->ga};
    in.commune_codes = communes;
    in.ncommunes = 2;
    in.partner_ids = partners;
    in.npartners = 2;
    in.lead_structure_id = f->mjc;
    in.facilitators = facil;
    in.nfacilitators = 2;
    in.themes = themes;
    in.nthemes = 2;
    in.forms = forms;
    in.nforms = 1;
    in.publics = publics;
    in.npublics = 2;
    in.group_ids = groups;
    in.ngroups = 1;
    int id = create(f, &f->coord_hc, &in, &e);
    assert_true(id > 0);
    struct action a;
    assert_int_equal(action_get(f->db, f->a, id, &a, &e), 0);
    assert_string_equal(a.coordination_slug, "hors-cadre");
    assert_int_equal(a.year, 2025);
    assert_int_equal(a.month, 3);
    assert_int_equal(a.ncommunes, 2);
    assert_string_equal(a.communes[0].name, "Abancourt");
    assert_int_equal(a.npartners, 2);
    assert_int_equal(a.nfacilitators, 2);
    assert_string_equal(a.facilitators[0], "Inès Caméra");
    assert_int_equal(a.nthemes, 2);
    assert_int_equal(a.npublics, 2);
    assert_int_equal(a.ngroups, 1);
    assert_false(a.has_gender);
    /* Abancourt has 480 inhabitants: rural under "auto" */
    assert_string_equal(a.rural, "auto");
    assert_true(a.is_rural);
    /* people reached: 12 participants + 80 spectators, or the larger when included */
    assert_int_equal(action_participants(&a), 12);
    assert_int_equal(action_reached(&a), 92);
    a.spectators_include_participants = 1;
    assert_int_equal(action_reached(&a), 80);
    a.spectators = 5;
    assert_int_equal(action_reached(&a), 12);
    /* update replaces the lists; "no" overrides the small commune */
    in.ncommunes = 1;
    in.npartners = 0;
    in.nthemes = 0;
    in.rural = "no";
    assert_int_equal(action_update(f->db, &f->coord_hc, id, &in, &e), 0);
    assert_int_equal(action_get(f->db, f->a, id, &a, &e), 0);
    assert_int_equal(a.ncommunes, 1);
    assert_int_equal(a.npartners, 0);
    assert_int_equal(a.nthemes, 0);
    assert_false(a.is_rural);
    in.rural = "yes"; /* Lille, but the action says rural */
    assert_int_equal(action_update(f->db, &f->coord_hc, id, &in, &e), 0);
    assert_int_equal(action_get(f->db, f->a, id, &a, &e), 0);
    assert_true(a.is_rural);
    assert_int_equal(action_get(f->db, f->a, 999999, &a, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_listing(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct action_input in = base(f);
    for (int i = 0; i < 7; i++) {
        char title[64], date[16];
        snprintf(title, sizeof title, "Séance %d", i);
        snprintf(date, sizeof date, "%d-0%d-10", 2024 + i % 2, 1 + i);
        in.title = title;
        in.start_date = in.end_date = date;
        in.type = i % 2 ? "debate" : "workshop_film";
        in.p_12_17 = i % 2 ? 0 : 10;
        in.p_18_25 = 0;
        in.practice_hours = i % 2 ? 0 : 3;
        assert_true(create(f, &f->coord_hc, &in, &e) > 0);
    }
    in = base(f);
    in.coordination_id = f->acap;
    const char *const amiens[] = {"80021"};
    in.commune_codes = amiens;
    assert_true(create(f, &f->coord_acap, &in, &e) > 0);
    struct action *list;
    int n;
    int64_t total;
    struct action_filter flt = {.per_page = 3};
    assert_int_equal(action_list(f->db, f->a, &flt, &list, &n, &total, &e), 0);
    assert_int_equal(total, 8);
    assert_int_equal(n, 3);
    flt.page = 3;
    assert_int_equal(action_list(f->db, f->a, &flt, &list, &n, &total, &e), 0);
    assert_int_equal(n, 2);
    struct action_filter by = {.coordination_id = f->hc, .year = 2025, .type = "debate"};
    assert_int_equal(action_list(f->db, f->a, &by, &list, &n, &total, &e), 0);
    assert_int_equal(total, 3); /* i = 1, 3, 5 */
    struct action_filter q = {.q = "SEANCE 6", .sort = "title"};
    assert_int_equal(action_list(f->db, f->a, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].title, "Séance 6");
    struct action_filter c = {.commune_code = "80021", .with_lists = 1};
    assert_int_equal(action_list(f->db, f->a, &c, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].ncommunes, 1);
    /* a page's lists are read in one query per list: the same as one action at a time */
    {
        const char *const two[] = {"59350", "59001"};
        const char *const facil[] = {"Ana", "Bo"};
        const char *const pub[] = {"qpv"};
        const int64_t partners[] = {f->cs, f->mjc};
        struct action_input more = base(f);
        more.commune_codes = two;
        more.ncommunes = 2;
        more.facilitators = facil;
        more.nfacilitators = 2;
        more.publics = pub;
        more.npublics = 1;
        more.partner_ids = partners;
        more.npartners = 2;
        assert_true(create(f, &f->coord_hc, &more, &e) > 0);
    }
    struct action_filter all = {.with_lists = 1, .per_page = ACTION_PER_PAGE_MAX};
    assert_int_equal(action_list(f->db, f->a, &all, &list, &n, &total, &e), 0);
    assert_int_equal(n, 9);
    for (int i = 0; i < n; i++) {
        struct action one;
        assert_int_equal(action_get(f->db, f->a, list[i].id, &one, &e), 0);
        assert_int_equal(list[i].ncommunes, one.ncommunes);
        for (int j = 0; j < one.ncommunes; j++) {
            assert_string_equal(list[i].communes[j].code, one.communes[j].code);
            assert_string_equal(list[i].communes[j].name, one.communes[j].name);
            assert_int_equal(list[i].communes[j].population, one.communes[j].population);
        }
        assert_int_equal(list[i].npartners, one.npartners);
        for (int j = 0; j < one.npartners; j++) {
            assert_int_equal(list[i].partner_ids[j], one.partner_ids[j]);
            assert_string_equal(list[i].partner_names[j], one.partner_names[j]);
        }
        assert_int_equal(list[i].nfacilitators, one.nfacilitators);
        for (int j = 0; j < one.nfacilitators; j++)
            assert_string_equal(list[i].facilitators[j], one.facilitators[j]);
        assert_int_equal(list[i].npublics, one.npublics);
        assert_int_equal(list[i].nthemes, one.nthemes);
        assert_int_equal(list[i].ngroups, one.ngroups);
    }
    struct action_filter every = {.all = 1, .per_page = 1, .page = 5, .sort = "oldest"};
    assert_int_equal(action_list(f->db, f->a, &every, &list, &n, &total, &e), 0);
    assert_int_equal(n, 9);
    assert_int_equal(total, 9);
    struct action_filter bad = {.type = "picnic"};
    assert_int_equal(action_list(f->db, f->a, &bad, &list, &n, &total, &e), -1);
    assert_int_equal(e.status, 422);
    struct action_filter big = {.per_page = ACTION_PER_PAGE_MAX + 1};
    assert_int_equal(action_list(f->db, f->a, &big, &list, &n, &total, &e), -1);
    struct action_filter sort = {.sort = "random"};
    assert_int_equal(action_list(f->db, f->a, &sort, &list, &n, &total, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rights, setup_action, teardown),
        cmocka_unit_test_setup_teardown(test_checks, setup_action, teardown),
        cmocka_unit_test_setup_teardown(test_lists_and_counts, setup_action, teardown),
        cmocka_unit_test_setup_teardown(test_listing, setup_action, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
