/* test_call: calls for projects and applications (src/call.c, call_app.c): who may open,
 * edit and delete a call, who may write, read, submit and decide an application, the status
 * transitions, the dates at their edges (open on opens_on and on closes_on, closed the day
 * after), the limits (attachments, amounts), and the conversion into an action. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call.h"
#include "consent.h"
#include "groupfix.h"

/* A minimal PDF libmagic names application/pdf. */
static const char PDF[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                          "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                          "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
/* The first bytes of a PNG. */
static const unsigned char PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,    0,
                                    13,   'I', 'H', 'D', 'R',  0,    0,    0,    1,    0,    0,
                                    0,    1,   8,   2,   0,    0,    0,    0x90, 0x77, 0x53, 0xde};

static char g_dir[] = "/tmp/lanterne-test-call-XXXXXX";

static int64_t D(const char *s)
{
    int64_t d = 0;
    if (consent_day_parse(s, &d))
        fail_msg("bad date %s", s);
    return d;
}

static struct call_input call_in(struct fx *f)
{
    return (struct call_input){.coordination_id = f->hc,
                               .title = "Appel de printemps",
                               .rules = "Un projet par structure.",
                               .opens_on = "2026-03-01",
                               .closes_on = "2026-03-31",
                               .budget = 10000};
}

static const char *const LILLE[] = {"59350"};

static struct call_app_input app_in(struct fx *f)
{
    return (struct call_app_input){.structure_id = f->mjc,
                                   .title = "Quartier en images",
                                   .project = "Dix séances de tournage.",
                                   .facilitator = "Camille",
                                   .planned_start = "2026-05-01",
                                   .planned_end = "2026-06-30",
                                   .public_desc = "12 jeunes",
                                   .action_type = "workshop_film",
                                   .budget_requested = 6000,
                                   .commune_codes = LILLE,
                                   .ncommunes = 1};
}

static int64_t mkcall(struct fx *f)
{
    struct call_input in = call_in(f);
    struct err e = {0};
    int64_t id = 0;
    if (call_create(f->db, &f->coord_hc, &in, &id, &e))
        fail_msg("call_create: %d %s", e.status, e.msg);
    return id;
}

static int64_t mkapp(struct fx *f, int64_t call)
{
    struct call_app_input in = app_in(f);
    struct err e = {0};
    int64_t id = 0;
    if (call_app_create(f->db, &f->sup_a, call, &in, D("2026-03-10"), &id, &e))
        fail_msg("call_app_create: %d %s", e.status, e.msg);
    return id;
}

static void submit(struct fx *f, int64_t app)
{
    struct err e = {0};
    if (call_app_submit(f->db, &f->sup_a, app, D("2026-03-10"), &e))
        fail_msg("submit: %d %s", e.status, e.msg);
}

static const char *status_of(struct fx *f, int64_t app)
{
    struct call_app a;
    struct err e = {0};
    if (call_app_get(f->db, f->a, app, &a, &e))
        fail_msg("get: %s", e.msg);
    return a.status;
}

static void test_call_rights(void **state)
{
    struct fx *f = *state;
    struct call_input in = call_in(f);
    struct err e = {0};
    int64_t id = 0;
    assert_int_equal(call_create(f->db, &f->coord_hc, &in, &id, &e), 0);
    assert_int_equal(call_create(f->db, &f->admin, &in, &id, &e), 0);
    const struct account *refused[] = {&f->coord_acap, &f->sup_a, &f->part_a};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        err_clear(&e);
        assert_int_equal(call_create(f->db, refused[i], &in, &id, &e), -1);
        assert_int_equal(e.status, 403);
    }
    err_clear(&e);
    assert_int_equal(call_update(f->db, &f->coord_acap, id, &in, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(call_delete(f->db, &f->coord_acap, id, g_dir, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    in.coordination_id = 999999;
    assert_int_equal(call_create(f->db, &f->admin, &in, &id, &e), -1);
    assert_int_equal(e.status, 404);
}

static void expect_call_field(struct fx *f, const struct call_input *in, const char *field)
{
    struct err e = {0};
    int64_t id;
    if (call_create(f->db, &f->coord_hc, in, &id, &e) != -1 || e.status != 422)
        fail_msg("expected 422 on %s, got %d (%s)", field, e.status, e.msg);
    assert_string_equal(e.field, field);
}

static void test_call_checks(void **state)
{
    struct fx *f = *state;
    struct call_input in = call_in(f);
    in.title = "  ";
    expect_call_field(f, &in, "title");
    in = call_in(f);
    in.opens_on = "2026-02-30";
    expect_call_field(f, &in, "opens_on");
    in = call_in(f);
    in.closes_on = "2026-02-28";
    expect_call_field(f, &in, "closes_on");
    in = call_in(f);
    in.budget = CALL_BUDGET_MAX + 1;
    expect_call_field(f, &in, "budget");
    in.budget = -1;
    expect_call_field(f, &in, "budget");
    in.budget = CALL_BUDGET_MAX;
    struct err e = {0};
    int64_t id;
    assert_int_equal(call_create(f->db, &f->coord_hc, &in, &id, &e), 0);
    /* one day is a call: opens_on == closes_on */
    in = call_in(f);
    in.closes_on = in.opens_on;
    assert_int_equal(call_create(f->db, &f->coord_hc, &in, &id, &e), 0);
}

static void test_call_state_edges(void **state)
{
    struct fx *f = *state;
    struct call c;
    struct err e = {0};
    assert_int_equal(call_get(f->db, f->a, mkcall(f), &c, &e), 0);
    assert_int_equal(call_state(&c, D("2026-02-28")), CALL_UPCOMING);
    assert_int_equal(call_state(&c, D("2026-03-01")), CALL_OPEN);
    assert_int_equal(call_state(&c, D("2026-03-31")), CALL_OPEN);
    assert_int_equal(call_state(&c, D("2026-04-01")), CALL_CLOSED);
}

static void test_app_write_rights_and_dates(void **state)
{
    struct fx *f = *state;
    int64_t call = mkcall(f);
    struct call_app_input in = app_in(f);
    struct err e = {0};
    int64_t id;
    /* only a referent of the structure */
    const struct account *refused[] = {&f->sup_b, &f->coord_hc, &f->admin, &f->part_a};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        err_clear(&e);
        assert_int_equal(call_app_create(f->db, refused[i], call, &in, D("2026-03-10"), &id, &e),
                         -1);
        assert_int_equal(e.status, 403);
    }
    /* while the call is open: the day before it opens and the day after it closes are 422 */
    err_clear(&e);
    assert_int_equal(call_app_create(f->db, &f->sup_a, call, &in, D("2026-02-28"), &id, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(call_app_create(f->db, &f->sup_a, call, &in, D("2026-04-01"), &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(call_app_create(f->db, &f->sup_a, call, &in, D("2026-03-01"), &id, &e), 0);
    assert_int_equal(call_app_create(f->db, &f->sup_struct, call, &in, D("2026-03-31"), &id, &e),
                     0);
    err_clear(&e);
    assert_int_equal(call_app_create(f->db, &f->sup_a, 999999, &in, D("2026-03-10"), &id, &e), -1);
    assert_int_equal(e.status, 404);
}

static void expect_app_field(struct fx *f, int64_t call, const struct call_app_input *in,
                             const char *field)
{
    struct err e = {0};
    int64_t id;
    if (call_app_create(f->db, &f->sup_a, call, in, D("2026-03-10"), &id, &e) != -1 ||
        e.status != 422)
        fail_msg("expected 422 on %s, got %d (%s)", field, e.status, e.msg);
    assert_string_equal(e.field, field);
}

static void test_app_checks(void **state)
{
    struct fx *f = *state;
    int64_t call = mkcall(f);
    struct call_app_input in = app_in(f);
    in.title = "";
    expect_app_field(f, call, &in, "title");
    in = app_in(f);
    in.action_type = "bal";
    expect_app_field(f, call, &in, "action_type");
    in = app_in(f);
    in.planned_end = "2026-04-30";
    expect_app_field(f, call, &in, "planned_end");
    in = app_in(f);
    in.ncommunes = 0;
    expect_app_field(f, call, &in, "communes");
    in = app_in(f);
    static const char *const NOWHERE[] = {"99999"};
    in.commune_codes = NOWHERE;
    expect_app_field(f, call, &in, "communes");
    in = app_in(f);
    in.budget_requested = ACTION_BUDGET_MAX + 1;
    expect_app_field(f, call, &in, "budget_requested");
    in.budget_requested = ACTION_BUDGET_MAX;
    struct err e = {0};
    int64_t id;
    assert_int_equal(call_app_create(f->db, &f->sup_a, call, &in, D("2026-03-10"), &id, &e), 0);
}

static void test_app_read_rights(void **state)
{
    struct fx *f = *state;
    int64_t app = mkapp(f, mkcall(f));
    struct call_app a;
    struct err e = {0};
    assert_int_equal(call_app_get(f->db, f->a, app, &a, &e), 0);
    /* a draft: its structure's referents only */
    assert_true(call_app_can_read(f->db, &f->sup_a, &a));
    assert_true(call_app_can_read(f->db, &f->sup_struct, &a));
    assert_false(call_app_can_read(f->db, &f->coord_hc, &a));
    assert_false(call_app_can_read(f->db, &f->admin, &a));
    assert_false(call_app_can_read(f->db, &f->sup_b, &a));
    assert_false(call_app_can_read(f->db, &f->part_a, &a));
    assert_false(call_app_can_read(f->db, NULL, &a));
    submit(f, app);
    assert_int_equal(call_app_get(f->db, f->a, app, &a, &e), 0);
    assert_true(call_app_can_read(f->db, &f->coord_hc, &a));
    assert_true(call_app_can_read(f->db, &f->admin, &a));
    assert_false(call_app_can_read(f->db, &f->coord_acap, &a));
    assert_false(call_app_can_read(f->db, &f->sup_b, &a));
    assert_false(call_app_can_read(f->db, &f->part_a, &a));
    /* another coordination's coordinator can neither decide nor make the action: 404 */
    err_clear(&e);
    assert_int_equal(call_app_decide(f->db, &f->coord_acap, app, 1, 100, "", NULL, &e), -1);
    assert_int_equal(e.status, 404);
    /* the referent cannot decide */
    err_clear(&e);
    assert_int_equal(call_app_decide(f->db, &f->sup_a, app, 1, 100, "", NULL, &e), -1);
    assert_int_equal(e.status, 403);
    /* the lists */
    struct call_app *list;
    int n;
    assert_int_equal(call_app_list_mine(f->db, f->a, &f->sup_struct, &list, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(call_app_list_mine(f->db, f->a, &f->sup_b, &list, &n, &e), 0);
    assert_int_equal(n, 0);
}

static void test_transitions(void **state)
{
    struct fx *f = *state;
    int64_t call = mkcall(f);
    int64_t app = mkapp(f, call);
    struct err e = {0};
    /* no decision on a draft, no action from it */
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 0, 0, "x", NULL, &e), -1);
    assert_int_equal(e.status, 404); /* the coordinator does not even see a draft */
    /* submission: not the day after closes_on; on closes_on yes */
    err_clear(&e);
    assert_int_equal(call_app_submit(f->db, &f->sup_a, app, D("2026-04-01"), &e), -1);
    assert_int_equal(e.status, 422);
    assert_non_null(strstr(e.msg, "2026-03-31"));
    assert_string_equal(status_of(f, app), "draft");
    assert_int_equal(call_app_submit(f->db, &f->sup_a, app, D("2026-03-31"), &e), 0);
    assert_string_equal(status_of(f, app), "submitted");
    /* nobody edits or submits again */
    struct call_app_input in = app_in(f);
    err_clear(&e);
    assert_int_equal(call_app_update(f->db, &f->sup_a, app, &in, &e), -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    assert_int_equal(call_app_submit(f->db, &f->sup_a, app, D("2026-03-10"), &e), -1);
    assert_int_equal(e.status, 409);
    /* no action before a decision */
    int64_t action;
    err_clear(&e);
    assert_int_equal(call_app_to_action(f->db, &f->coord_hc, app, &action, &e), -1);
    assert_int_equal(e.status, 409);
    /* the amount at its edges, the reason of a decline */
    err_clear(&e);
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 1, 0, "", NULL, &e), -1);
    assert_string_equal(e.field, "amount");
    err_clear(&e);
    assert_int_equal(
        call_app_decide(f->db, &f->coord_hc, app, 1, ACTION_BUDGET_MAX + 1, "", NULL, &e), -1);
    assert_string_equal(e.field, "amount");
    err_clear(&e);
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 0, 0, " ", NULL, &e), -1);
    assert_string_equal(e.field, "reason");
    int over = -1;
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 1, 1, "", &over, &e), 0);
    assert_int_equal(over, 0);
    assert_string_equal(status_of(f, app), "accepted");
    /* decided once */
    err_clear(&e);
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 0, 0, "non", NULL, &e), -1);
    assert_int_equal(e.status, 409);
    /* the envelope (10000) passed by a second acceptance: allowed, reported */
    int64_t app2 = mkapp(f, call);
    submit(f, app2);
    assert_int_equal(call_app_decide(f->db, &f->admin, app2, 1, ACTION_BUDGET_MAX, "", &over, &e),
                     0);
    assert_int_equal(over, 1);
    /* a declined one becomes no action */
    int64_t app3 = mkapp(f, call);
    submit(f, app3);
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app3, 0, 0, "Hors cadre.", NULL, &e), 0);
    struct call_app a;
    assert_int_equal(call_app_get(f->db, f->a, app3, &a, &e), 0);
    assert_string_equal(a.status, "declined");
    assert_string_equal(a.decision_reason, "Hors cadre.");
    err_clear(&e);
    assert_int_equal(call_app_to_action(f->db, &f->coord_hc, app3, &action, &e), -1);
    assert_int_equal(e.status, 409);
}

static void test_to_action(void **state)
{
    struct fx *f = *state;
    int64_t app = mkapp(f, mkcall(f));
    submit(f, app);
    struct err e = {0};
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, app, 1, 4500, "Bien.", NULL, &e), 0);
    int64_t action = 0;
    err_clear(&e);
    assert_int_equal(call_app_to_action(f->db, &f->coord_acap, app, &action, &e), -1);
    assert_int_equal(e.status, 404);
    err_clear(&e);
    assert_int_equal(call_app_to_action(f->db, &f->sup_a, app, &action, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(call_app_to_action(f->db, &f->coord_hc, app, &action, &e), 0);
    struct action ac;
    assert_int_equal(action_get(f->db, f->a, action, &ac, &e), 0);
    assert_string_equal(ac.title, "Quartier en images");
    assert_string_equal(ac.description, "Dix séances de tournage.");
    assert_string_equal(ac.type, "workshop_film");
    assert_string_equal(ac.status, "planned");
    assert_string_equal(ac.start_date, "2026-05-01");
    assert_string_equal(ac.end_date, "2026-06-30");
    assert_int_equal(ac.coordination_id, f->hc);
    assert_int_equal(ac.lead_structure_id, f->mjc);
    assert_int_equal(ac.budget_requested, 6000);
    assert_int_equal(ac.budget_granted, 4500);
    assert_int_equal(ac.ncommunes, 1);
    assert_string_equal(ac.communes[0].code, "59350");
    assert_int_equal(ac.nfacilitators, 1);
    assert_string_equal(ac.facilitators[0], "Camille");
    struct call_app a;
    assert_int_equal(call_app_get(f->db, f->a, app, &a, &e), 0);
    assert_int_equal(a.action_id, action);
    /* once */
    int64_t again;
    err_clear(&e);
    assert_int_equal(call_app_to_action(f->db, &f->admin, app, &again, &e), -1);
    assert_int_equal(e.status, 409);
    assert_int_equal(db_scalar_int(f->db, &e, 0, "SELECT COUNT(*) FROM actions", ""), 1);
}

static int count_files(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/applications", g_dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_files(void **state)
{
    struct fx *f = *state;
    int64_t call = mkcall(f);
    int64_t app = mkapp(f, call);
    struct err e = {0};
    int64_t id;
    int before = count_files();
    assert_true(call_is_pdf(PDF, sizeof PDF - 1));
    assert_false(call_is_pdf(PNG, sizeof PNG));
    assert_false(call_is_pdf("%PDF", 4));
    assert_int_equal(
        call_app_file_add(f->db, &f->sup_a, app, g_dir, "photo.pdf", PNG, sizeof PNG, &id, &e), -1);
    assert_int_equal(e.status, 422);
    /* only a referent, on a draft */
    err_clear(&e);
    assert_int_equal(
        call_app_file_add(f->db, &f->sup_b, app, g_dir, "a.pdf", PDF, sizeof PDF - 1, &id, &e), -1);
    assert_int_equal(e.status, 404);
    /* the size limit, crossed by one byte */
    char *big = xcalloc(1, CALL_APP_FILE_MAX_BYTES + 1);
    memcpy(big, PDF, sizeof PDF - 1);
    err_clear(&e);
    assert_int_equal(call_app_file_add(f->db, &f->sup_a, app, g_dir, "big.pdf", big,
                                       CALL_APP_FILE_MAX_BYTES + 1, &id, &e),
                     -1);
    assert_int_equal(e.status, 413);
    assert_int_equal(call_app_file_add(f->db, &f->sup_a, app, g_dir, "../../etc/exact.pdf", big,
                                       CALL_APP_FILE_MAX_BYTES, &id, &e),
                     0);
    free(big);
    struct call_app_file file;
    assert_int_equal(call_app_file_get(f->db, f->a, id, &file, &e), 0);
    assert_string_equal(file.name, "exact.pdf");
    assert_int_equal(file.size, CALL_APP_FILE_MAX_BYTES);
    struct stat st;
    assert_int_equal(stat(call_app_file_path(f->a, g_dir, file.storage_key), &st), 0);
    assert_int_equal(st.st_size, CALL_APP_FILE_MAX_BYTES);
    /* the count limit */
    for (int i = 1; i < CALL_APP_FILES_MAX; i++)
        assert_int_equal(
            call_app_file_add(f->db, &f->sup_a, app, g_dir, "a.pdf", PDF, sizeof PDF - 1, &id, &e),
            0);
    err_clear(&e);
    assert_int_equal(
        call_app_file_add(f->db, &f->sup_a, app, g_dir, "a.pdf", PDF, sizeof PDF - 1, &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(count_files(), before + CALL_APP_FILES_MAX);
    /* deleting the call (drafts only) takes the files with it */
    assert_int_equal(call_delete(f->db, &f->coord_hc, call, g_dir, &e), 0);
    assert_int_equal(count_files(), before);
    /* once submitted: no file, no deletion of the call */
    int64_t call2 = mkcall(f);
    int64_t app2 = mkapp(f, call2);
    submit(f, app2);
    err_clear(&e);
    assert_int_equal(
        call_app_file_add(f->db, &f->sup_a, app2, g_dir, "a.pdf", PDF, sizeof PDF - 1, &id, &e),
        -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    assert_int_equal(call_delete(f->db, &f->coord_hc, call2, g_dir, &e), -1);
    assert_int_equal(e.status, 409);
}

static void test_list_and_totals(void **state)
{
    struct fx *f = *state;
    int64_t call = mkcall(f);
    int64_t a1 = mkapp(f, call), a2 = mkapp(f, call);
    mkapp(f, call); /* a draft: not the coordinators' */
    submit(f, a1);
    submit(f, a2);
    struct err e = {0};
    assert_int_equal(call_app_decide(f->db, &f->coord_hc, a1, 1, 3000, "", NULL, &e), 0);
    struct call_app *list;
    int n;
    assert_int_equal(call_app_list_call(f->db, f->a, call, &list, &n, &e), 0);
    assert_int_equal(n, 2);
    struct call c;
    assert_int_equal(call_get(f->db, f->a, call, &c, &e), 0);
    assert_int_equal(c.submitted, 2);
    assert_int_equal(c.accepted_total, 3000);
    struct call *calls;
    assert_int_equal(call_list(f->db, f->a, f->acap, &calls, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(call_list(f->db, f->a, 0, &calls, &n, &e), 0);
    assert_int_equal(n, 1);
}

int main(void)
{
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_state_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_write_rights_and_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_read_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_to_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_totals, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name(testdb_engine(), tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd)) {
        /* a leftover temporary directory is no test failure */
    }
    return rc;
}
