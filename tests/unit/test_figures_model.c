/* test_figures_model: the documents built from the figures (src/web/figures_model.c) for the
 * figures pages, the yearly report, the API and `lanterne report`: who gets the budget, the
 * changes from the previous year (percent, points, null), the CSV lines, the French numbers
 * of the page model, the list of the year's actions in the report, bad years and unknown
 * coordinations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "groupfix.h"
#include "web/figures_model.h"

#define NNBSP "\xe2\x80\xaf"

static void add_action(struct fx *f, const struct account *by, int64_t coord, const char *title,
                       const char *type, const char *status, const char *date, const char *commune,
                       int64_t spectators, int64_t p12, int64_t granted, int qpv)
{
    const char *communes[] = {commune};
    const char *publics[] = {"qpv"};
    struct action_input in = {
        .coordination_id = coord,
        .title = title,
        .description = "Première ligne.\nSeconde ligne.",
        .type = type,
        .status = status,
        .start_date = date,
        .end_date = date,
        .p_12_17 = p12,
        .spectators = spectators,
        .budget_requested = granted,
        .budget_granted = granted,
        .commune_codes = communes,
        .ncommunes = 1,
        .publics = publics,
        .npublics = qpv ? 1 : 0,
    };
    struct err e = {0};
    int64_t id;
    if (action_create(f->db, by, &in, &id, &e))
        fail_msg("action %s: %d %s (%s)", title, e.status, e.msg, e.field ? e.field : "-");
}

static int setup_model(void **state)
{
    if (setup(state))
        return -1;
    struct fx *f = *state;
    add_action(f, &f->coord_hc, f->hc, "Atelier Lille", "workshop_film", "done", "2024-03-02",
               "59350", 12000, 400, 5000, 1);
    add_action(f, &f->coord_hc, f->hc, "Plein air Lille", "open_air", "done", "2024-07-14", "59350",
               300, 0, 1800, 0);
    add_action(f, &f->coord_hc, f->hc, "Annulée", "open_air", "cancelled", "2024-08-01", "59350",
               999, 0, 100, 0);
    add_action(f, &f->admin, f->acap, "Débat Amiens", "debate", "done", "2024-10-02", "80021", 50,
               0, 700, 0);
    add_action(f, &f->coord_hc, f->hc, "Plein air 2023", "open_air", "done", "2023-07-14", "59350",
               200, 0, 1000, 1);
    return 0;
}

static json_t *fig(json_t *doc, const char *key)
{
    return json_object_get(json_object_get(doc, "figures"), key);
}

static int64_t val(json_t *doc, const char *key, const char *member)
{
    json_t *v = json_object_get(fig(doc, key), member);
    assert_non_null(v);
    return json_integer_value(v);
}

static void test_budget_rights(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct figures_report r;
    struct {
        const struct account *who;
        const char *slug;
        int op, budget;
    } cases[] = {
        {NULL, NULL, 0, 0},
        {NULL, "hors-cadre", 0, 0},
        {&f->coord_hc, "hors-cadre", 0, 1},
        {&f->coord_acap, "hors-cadre", 0, 0},
        {&f->coord_hc, NULL, 0, 0},
        {&f->admin, NULL, 0, 1},
        {&f->admin, "acap", 0, 1},
        {&f->sup_a, "hors-cadre", 0, 0},
        {NULL, NULL, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(figures_report_load(f->db, f->a, 2024, cases[i].slug, cases[i].who,
                                             cases[i].op, &r, &e),
                         0);
        assert_int_equal(r.show_budget, cases[i].budget);
        json_t *doc = figures_report_json(&r);
        assert_int_equal(fig(doc, "budget_granted") != NULL, cases[i].budget);
        assert_int_equal(json_is_true(json_object_get(doc, "budget_included")), cases[i].budget);
        json_decref(doc);
        struct buf csv;
        buf_init(&csv, 0);
        assert_int_equal(figures_report_csv(&r, "fr", &csv), 0);
        assert_int_equal(strstr(buf_cstr(&csv), "\nbudget_granted;") != NULL, cases[i].budget);
        buf_free(&csv);
    }
}

static void test_document(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct figures_report r;
    assert_int_equal(figures_report_load(f->db, f->a, 2024, NULL, &f->admin, 0, &r, &e), 0);
    json_t *doc = figures_report_json(&r);
    assert_int_equal(json_integer_value(json_object_get(doc, "year")), 2024);
    assert_true(json_is_null(json_object_get(doc, "coordination")));
    assert_int_equal(val(doc, "actions", "value"), 3);
    assert_int_equal(val(doc, "actions", "previous"), 1);
    assert_int_equal(val(doc, "actions", "change"), 200);
    assert_int_equal(val(doc, "reached", "value"), 12400 + 300 + 50);
    assert_int_equal(val(doc, "budget_granted", "value"), 7500);
    assert_int_equal(val(doc, "budget_granted", "change"), 650);
    /* shares change in points: 33 % against 100 % the year before */
    assert_int_equal(val(doc, "qpv_share", "value"), 33);
    assert_int_equal(val(doc, "qpv_share", "previous"), 100);
    assert_int_equal(val(doc, "qpv_share", "change"), -67);
    /* nothing to compare with: null */
    assert_true(json_is_null(json_object_get(fig(doc, "participants"), "change")));
    assert_int_equal(json_array_size(json_object_get(doc, "by_month")), 12);
    assert_int_equal(json_array_size(json_object_get(doc, "by_coordination")), 2);
    json_decref(doc);

    assert_int_equal(figures_report_load(f->db, f->a, 2024, "hors-cadre", NULL, 0, &r, &e), 0);
    doc = figures_report_json(&r);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "coordination"), "slug")),
        "hors-cadre");
    assert_int_equal(val(doc, "actions", "value"), 2);
    assert_null(fig(doc, "coordinations"));
    assert_int_equal(json_array_size(json_object_get(doc, "by_coordination")), 0);
    json_decref(doc);
}

static void test_csv(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct figures_report r;
    assert_int_equal(figures_report_load(f->db, f->a, 2024, NULL, NULL, 1, &r, &e), 0);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(figures_report_csv(&r, "fr", &b), 0);
    const char *s = buf_cstr(&b);
    assert_memory_equal(s,
                        "\xef\xbb\xbf"
                        "Chiffre;Valeur;Année précédente;Évolution\r\n",
                        49);
    assert_non_null(strstr(s, "\r\nactions;3;1;+200\r\n"));
    assert_non_null(strstr(s, "\r\nqpv_share;33;100;-67\r\n"));
    assert_non_null(strstr(s, "\r\nparticipants;400;0;\r\n"));
    assert_non_null(strstr(s, "\r\n\r\nType;Code;Valeur;Année précédente\r\n"));
    assert_non_null(strstr(s, "\r\nSéance en plein air;open_air;1;1\r\n"));
    assert_non_null(strstr(s, "\r\njuillet;7;1;1\r\n"));
    assert_non_null(strstr(s, "\r\nHors Cadre;hors-cadre;2\r\n"));
    assert_non_null(strstr(s, "\r\n\r\nDépartement;Code;Valeur\r\n"));
    buf_free(&b);
}

static const char *key_value(json_t *m, const char *key)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(m, "keys"), i, k)
    {
        if (!strcmp(json_string_value(json_object_get(k, "key")), key))
            return json_string_value(json_object_get(k, "value"));
    }
    return NULL;
}

static const char *key_change(json_t *m, const char *key)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(m, "keys"), i, k)
    {
        if (!strcmp(json_string_value(json_object_get(k, "key")), key))
            return json_string_value(json_object_get(k, "change"));
    }
    return NULL;
}

static void test_page_model(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct figures_report r;
    assert_int_equal(figures_report_load(f->db, f->a, 2024, NULL, NULL, 0, &r, &e), 0);
    json_t *m = figures_page_model(f->db, f->a, "fr", NULL, &r, 0, 2026, &e);
    assert_non_null(m);
    assert_string_equal(key_value(m, "reached"), "12" NNBSP "750");
    assert_string_equal(key_value(m, "qpv_share"), "33" NNBSP "%");
    assert_string_equal(key_change(m, "actions"), "+200" NNBSP "%");
    assert_string_equal(key_change(m, "qpv_share"), "\xe2\x88\x92"
                                                    "67" NNBSP "points");
    assert_string_equal(key_change(m, "participants"), "nouveau");
    assert_null(key_value(m, "budget_granted"));
    assert_false(json_is_true(json_object_get(m, "show_budget")));
    /* years from the earliest action's to the current one, newest first */
    json_t *years = json_object_get(m, "years");
    assert_int_equal(json_array_size(years), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(years, 0), "value")), 2026);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(years, 3), "value")), 2023);
    assert_true(json_is_true(json_object_get(json_array_get(years, 2), "selected")));
    json_decref(m);

    /* the report: every counted action of the year, grouped by type, descriptions kept */
    m = figures_page_model(f->db, f->a, "fr", NULL, &r, 1, 2026, &e);
    assert_non_null(m);
    char *s = json_dumps(m, JSON_COMPACT);
    assert_non_null(strstr(s, "\"title\":\"Atelier Lille\""));
    assert_non_null(strstr(s, "\"title\":\"Débat Amiens\""));
    assert_null(strstr(s, "Annulée"));
    assert_null(strstr(s, "Plein air 2023"));
    assert_non_null(strstr(s, "\"dates\":\"2 mars 2024\""));
    assert_non_null(strstr(s, "{\"text\":\"Seconde ligne.\",\"first\":false}"));
    free(s);
    assert_int_equal(json_array_size(json_object_get(m, "action_groups")), 3);
    json_decref(m);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct figures_report r;
    assert_int_equal(figures_report_load(f->db, f->a, 1999, NULL, NULL, 0, &r, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "year");
    err_clear(&e);
    assert_int_equal(figures_report_load(f->db, f->a, 2024, "inconnue", NULL, 0, &r, &e), -1);
    assert_int_equal(e.status, 404);
    /* the first year has no previous one: zeros, no change */
    err_clear(&e);
    assert_int_equal(figures_report_load(f->db, f->a, 2000, NULL, NULL, 0, &r, &e), 0);
    json_t *doc = figures_report_json(&r);
    assert_int_equal(val(doc, "actions", "previous"), 0);
    assert_true(json_is_null(json_object_get(fig(doc, "actions"), "change")));
    json_decref(doc);

    assert_int_equal(figures_parse_year("2024"), 2024);
    assert_int_equal(figures_parse_year("2000"), 2000);
    assert_int_equal(figures_parse_year("2100"), 2100);
    const char *bad[] = {"1999", "2101", "", "202", "20245", "2O24", "+202", " 2024", "-2024"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(figures_parse_year(bad[i]), -1);
    assert_int_equal(figures_parse_year(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_budget_rights, setup_model, teardown),
        cmocka_unit_test_setup_teardown(test_document, setup_model, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup_model, teardown),
        cmocka_unit_test_setup_teardown(test_page_model, setup_model, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup_model, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
