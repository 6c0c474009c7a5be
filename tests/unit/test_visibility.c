/* test_visibility: unit tests for src/visibility.c and src/audit.c: the viewer's circle, group
 * pages, items and their tagged participants' consents (the matrix of issue 4's "Done when"),
 * protected groups, names, and the audit trail; on SQLite, or PostgreSQL (testdb.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "consent.h"
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "participant.h"
#include "testdb.h"
#include "visibility.h"

#include "groupfix.h" /* struct fx, its setup and teardown */

static int64_t day(const char *s)
{
    int64_t d;
    if (consent_day_parse(s, &d))
        fail_msg("bad test date %s", s);
    return d;
}

/* "Today" for every read below, unless a test moves it. */
#define TODAY day("2025-01-15")

static void consent(struct fx *f, int64_t pid, const char *level, const char *expires)
{
    struct consent_input in = {.level = level,
                               .parent_agreed = 1,
                               .minor_agreed = 1,
                               .signed_on = "2024-09-01",
                               .expires_on = expires};
    struct err e = {0};
    if (consent_record(f->db, &f->sup_a, pid, &in, &e))
        fail_msg("consent %s: %d %s", level, e.status, e.msg);
}

static struct group get(struct fx *f, int64_t id)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, id, &g, &e))
        fail_msg("get %lld: %s", (long long)id, e.msg);
    return g;
}

/* The scene of the "Done when": three participants of A whose consents are public, network
 * and none, and an entry of A with three photos, each tagged with one of them. */
struct scene {
    int64_t pub, net, none;
};

static struct scene scene(struct fx *f)
{
    struct scene s;
    s.pub = mkpart(f, &f->sup_a, f->ga, "Camille", "15-17", 0);
    s.net = mkpart(f, &f->sup_a, f->ga, "Mehdi", "12-14", 0);
    s.none = mkpart(f, &f->sup_a, f->ga, "Jade", "12-14", 0);
    consent(f, s.pub, "public", NULL);
    consent(f, s.net, "network", NULL);
    consent(f, s.none, "none", NULL);
    return s;
}

/* How many of the entry's three photos viewer sees. */
static int photos_seen(struct fx *f, const struct account *viewer, const struct scene *s,
                       enum vis_level entry, int64_t today)
{
    struct group g = get(f, f->ga);
    const int64_t tags[3] = {s->pub, s->net, s->none};
    int n = 0;
    for (int i = 0; i < 3; i++)
        n += visibility_can_see_item(f->db, viewer, &g, entry, &tags[i], 1, today);
    return n;
}

static void test_levels(void **state)
{
    (void)state;
    enum vis_level l;
    static const char *const names[] = {"none", "group", "network", "public"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(visibility_level_name((enum vis_level)i), names[i]);
        assert_int_equal(visibility_level_parse(names[i], &l), 0);
        assert_int_equal(l, i);
        assert_true(*visibility_level_label((enum vis_level)i));
    }
    assert_string_equal(visibility_level_name((enum vis_level)4), "");
    assert_int_equal(visibility_level_parse("Public", &l), -1);
    assert_int_equal(visibility_level_parse(NULL, &l), -1);
    assert_true(VIS_NONE < VIS_GROUP && VIS_GROUP < VIS_NETWORK && VIS_NETWORK < VIS_PUBLIC);
}

static void test_viewer_levels(void **state)
{
    struct fx *f = *state;
    struct group a = get(f, f->ga);
    struct account anon = {0}, disabled = f->sup_a;
    disabled.disabled = 1;
    struct {
        const struct account *u;
        enum vis_level level;
    } rows[] = {
        {NULL, VIS_PUBLIC},        {&anon, VIS_PUBLIC},      {&disabled, VIS_PUBLIC},
        {&f->part_b, VIS_NETWORK}, {&f->sup_b, VIS_NETWORK}, {&f->coord_acap, VIS_NETWORK},
        {&f->part_a, VIS_GROUP},   {&f->sup_a, VIS_GROUP},   {&f->sup_struct, VIS_GROUP},
        {&f->coord_hc, VIS_GROUP}, {&f->admin, VIS_GROUP},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (visibility_viewer_level(f->db, rows[i].u, &a) != rows[i].level)
            fail_msg("row %zu (%s): expected %s", i,
                     rows[i].u && rows[i].u->login ? rows[i].u->login : "-",
                     visibility_level_name(rows[i].level));
}

/* Issue 4, "Done when": anonymous sees 1, a member of another group 2, a member of the
 * group 3. */
static void test_done_when_matrix(void **state)
{
    struct fx *f = *state;
    struct scene s = scene(f);
    assert_int_equal(photos_seen(f, NULL, &s, VIS_PUBLIC, TODAY), 1);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_PUBLIC, TODAY), 2);
    assert_int_equal(photos_seen(f, &f->sup_b, &s, VIS_PUBLIC, TODAY), 2);
    assert_int_equal(photos_seen(f, &f->sup_a, &s, VIS_PUBLIC, TODAY), 3);
    /* the rest of the group's circle: its coordination and the admins manage, and see all */
    assert_int_equal(photos_seen(f, &f->sup_struct, &s, VIS_PUBLIC, TODAY), 3);
    assert_int_equal(photos_seen(f, &f->coord_hc, &s, VIS_PUBLIC, TODAY), 3);
    assert_int_equal(photos_seen(f, &f->admin, &s, VIS_PUBLIC, TODAY), 3);
    assert_int_equal(photos_seen(f, &f->coord_acap, &s, VIS_PUBLIC, TODAY), 2);
    /* a young participant of the group is in its circle but manages nothing: the photo of the
     * one who refused stays hidden from them */
    assert_int_equal(photos_seen(f, &f->part_a, &s, VIS_PUBLIC, TODAY), 2);

    /* the entry's own visibility narrows the circle */
    assert_int_equal(photos_seen(f, NULL, &s, VIS_NETWORK, TODAY), 0);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_NETWORK, TODAY), 2);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_GROUP, TODAY), 0);
    assert_int_equal(photos_seen(f, &f->part_a, &s, VIS_GROUP, TODAY), 2);
    assert_int_equal(photos_seen(f, &f->sup_a, &s, VIS_GROUP, TODAY), 3);

    /* a photo with several people needs every one of them */
    struct group a = get(f, f->ga);
    int64_t both[2] = {s.pub, s.net};
    assert_false(visibility_can_see_item(f->db, NULL, &a, VIS_PUBLIC, both, 2, TODAY));
    assert_true(visibility_can_see_item(f->db, &f->part_b, &a, VIS_PUBLIC, both, 2, TODAY));
    /* a photo with nobody tagged follows the entry alone */
    assert_true(visibility_can_see_item(f->db, NULL, &a, VIS_PUBLIC, NULL, 0, TODAY));
    assert_false(visibility_can_see_item(f->db, NULL, &a, VIS_NETWORK, NULL, 0, TODAY));
    /* nonsense fails closed */
    assert_false(visibility_can_see_item(f->db, &f->sup_a, &a, VIS_NONE, NULL, 0, TODAY));
    assert_false(visibility_can_see_item(f->db, &f->sup_a, &a, (enum vis_level)9, NULL, 0, TODAY));
    assert_false(visibility_can_see_item(f->db, NULL, &a, VIS_PUBLIC, NULL, 1, TODAY));
    assert_false(visibility_can_see_item(f->db, NULL, &a, VIS_PUBLIC, both, -1, TODAY));
    assert_false(visibility_can_see_item(f->db, NULL, NULL, VIS_PUBLIC, NULL, 0, TODAY));
    /* a tag naming someone of another group, or no one, hides the photo */
    int64_t yanis = 0;
    struct participant *list;
    int n;
    struct err e = {0};
    assert_int_equal(participant_list(f->db, f->a, f->gb, &list, &n, &e), 0);
    yanis = list[0].id;
    struct consent_input in = {.level = "public", .parent_agreed = 1, .signed_on = "2024-09-01"};
    assert_int_equal(consent_record(f->db, &f->sup_b, yanis, &in, &e), 0);
    assert_false(visibility_can_see_item(f->db, NULL, &a, VIS_PUBLIC, &yanis, 1, TODAY));
    int64_t ghost = 999999;
    assert_false(visibility_can_see_item(f->db, &f->part_b, &a, VIS_PUBLIC, &ghost, 1, TODAY));
}

/* Withdrawing the public consent takes the photo away from anonymous visitors at once. */
static void test_withdrawal(void **state)
{
    struct fx *f = *state;
    struct scene s = scene(f);
    struct err e = {0};
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, s.pub, "Par courrier", &e), 0);
    assert_int_equal(photos_seen(f, NULL, &s, VIS_PUBLIC, TODAY), 0);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_PUBLIC, TODAY), 1);
    assert_int_equal(photos_seen(f, &f->part_a, &s, VIS_PUBLIC, TODAY), 1);
    assert_int_equal(photos_seen(f, &f->sup_a, &s, VIS_PUBLIC, TODAY), 3);
    /* narrowing (public -> group) works the same way */
    consent(f, s.net, "group", NULL);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_PUBLIC, TODAY), 0);
    assert_int_equal(photos_seen(f, &f->part_a, &s, VIS_PUBLIC, TODAY), 1);
}

/* An expired consent behaves as a withdrawn one, judged on the day of the read. */
static void test_expiry(void **state)
{
    struct fx *f = *state;
    struct scene s = scene(f);
    consent(f, s.pub, "public", "2025-06-30");
    assert_int_equal(photos_seen(f, NULL, &s, VIS_PUBLIC, day("2025-06-30")), 1);
    assert_int_equal(photos_seen(f, NULL, &s, VIS_PUBLIC, day("2025-07-01")), 0);
    assert_int_equal(photos_seen(f, &f->part_b, &s, VIS_PUBLIC, day("2025-07-01")), 1);
    assert_int_equal(photos_seen(f, &f->sup_a, &s, VIS_PUBLIC, day("2025-07-01")), 3);
    /* and before the signature nothing counts either */
    assert_int_equal(photos_seen(f, NULL, &s, VIS_PUBLIC, day("2024-08-31")), 0);
}

/* A protected group is invisible outside the group and its coordination, whatever the
 * consents say. */
static void test_protected(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input in = {.title = "Unité éducative",
                             .year = 2024,
                             .structure_id = f->mjc,
                             .is_protected = &(int){1}};
    int64_t gid = 0;
    assert_int_equal(group_create(f->db, &f->sup_a, &in, &gid, &e), 0);
    int64_t p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = mkpart(f, &f->sup_a, gid, "Jeune", "15-17", 0);
        consent(f, p[i], "public", NULL);
    }
    struct group g = get(f, gid);
    const struct account *outside[] = {NULL, &f->part_b, &f->sup_b, &f->coord_acap, &f->part_a};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        const char *who = outside[i] ? outside[i]->login : "anonymous";
        if (visibility_can_see_group(f->db, outside[i], &g))
            fail_msg("%s sees the protected group", who);
        if (visibility_can_see_names(f->db, outside[i], &g))
            fail_msg("%s sees the names", who);
        for (int k = 0; k < 3; k++)
            if (visibility_can_see_item(f->db, outside[i], &g, VIS_PUBLIC, &p[k], 1, TODAY))
                fail_msg("%s sees a photo", who);
    }
    const struct account *inside[] = {&f->coord_hc, &f->admin, &f->sup_a, &f->sup_struct};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        assert_true(visibility_can_see_group(f->db, inside[i], &g));
        assert_true(visibility_can_see_names(f->db, inside[i], &g));
        for (int k = 0; k < 3; k++)
            assert_true(visibility_can_see_item(f->db, inside[i], &g, VIS_PUBLIC, &p[k], 1, TODAY));
    }
    /* a participant account of the protected group is inside too */
    struct account young = {0};
    struct participant_input pin = {.under15 = -1, .user_id = f->part_b.id};
    assert_int_equal(participant_update(f->db, &f->sup_a, p[0], &pin, &e), 0);
    young = f->part_b;
    assert_true(visibility_can_see_group(f->db, &young, &g));
    assert_true(visibility_can_see_item(f->db, &young, &g, VIS_GROUP, &p[1], 1, TODAY));

    /* no setting can open it */
    assert_int_equal(visibility_set_group(f->db, &f->admin, gid, VIS_PUBLIC, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.msg,
                        "Un groupe protégé ne peut pas être rendu visible au-delà du groupe.");
    assert_int_equal(visibility_check_level(1, VIS_GROUP, &e), 0);
    assert_int_equal(visibility_check_level(1, VIS_NETWORK, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(visibility_check_level(0, VIS_PUBLIC, &e), 0);
    assert_int_equal(visibility_check_level(0, VIS_NONE, &e), -1);
    /* even a row forced past the schema would not leak: the read rule does not trust it */
    g.visibility = VIS_PUBLIC;
    assert_false(visibility_can_see_group(f->db, NULL, &g));
    assert_false(visibility_can_see_item(f->db, NULL, &g, VIS_PUBLIC, &p[0], 1, TODAY));
}

/* Group pages: each page visibility against each circle. */
static void test_pages(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group a = get(f, f->ga), b = get(f, f->gb);
    assert_true(visibility_can_see_group(f->db, NULL, &a));
    assert_false(visibility_can_see_group(f->db, NULL, &b)); /* network page */
    assert_true(visibility_can_see_group(f->db, &f->part_a, &b));
    /* an item of a page hidden from the viewer is hidden too, even a public one */
    assert_false(visibility_can_see_item(f->db, NULL, &b, VIS_PUBLIC, NULL, 0, TODAY));
    assert_true(visibility_can_see_item(f->db, &f->part_a, &b, VIS_PUBLIC, NULL, 0, TODAY));

    assert_int_equal(visibility_set_group(f->db, &f->sup_b, f->gb, VIS_GROUP, &e), 0);
    b = get(f, f->gb);
    assert_false(visibility_can_see_group(f->db, &f->part_a, &b));
    assert_false(visibility_can_see_names(f->db, &f->part_a, &b));
    assert_true(visibility_can_see_group(f->db, &f->part_b, &b));
    assert_true(visibility_can_see_group(f->db, &f->coord_acap, &b));
    assert_false(visibility_can_see_group(f->db, &f->coord_hc, &b));
    assert_false(visibility_can_see_item(f->db, &f->part_a, &b, VIS_PUBLIC, NULL, 0, TODAY));

    /* setting: rights, nonsense, unknown group */
    assert_int_equal(visibility_set_group(f->db, &f->sup_a, f->gb, VIS_PUBLIC, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(visibility_set_group(f->db, &f->part_b, f->gb, VIS_PUBLIC, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(visibility_set_group(f->db, &f->sup_b, f->gb, VIS_NONE, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(visibility_set_group(f->db, &f->sup_b, f->gb, (enum vis_level) - 1, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(visibility_set_group(f->db, &f->admin, 999999, VIS_PUBLIC, &e), -1);
    assert_int_equal(e.status, 404);
}

/* Every change of visibility or consent is in the log, readable by the coordination. */
static void test_audit(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct scene s = scene(f);
    assert_int_equal(visibility_set_group(f->db, &f->sup_a, f->ga, VIS_NETWORK, &e), 0);
    assert_int_equal(visibility_set_group(f->db, &f->sup_a, f->ga, VIS_NETWORK, &e), 0); /* same */
    assert_int_equal(visibility_set_group(f->db, &f->coord_hc, f->ga, VIS_PUBLIC, &e), 0);
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, s.pub, NULL, &e), 0);
    assert_int_equal(
        audit_add(f->db, &f->sup_a, f->ga, AUDIT_ENTRY_VISIBILITY, 42, "group", "public", &e), 0);
    assert_int_equal(audit_add(f->db, NULL, 0, "job_cleanup", 0, NULL, NULL, &e), 0);

    struct audit_entry *log;
    int n;
    int64_t total;
    struct audit_filter af = {.coordination_id = f->hc};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    /* A's creation (public), three consents, two changes of page, one withdrawal, one entry */
    assert_int_equal(total, 8);
    assert_string_equal(log[0].subject, AUDIT_ENTRY_VISIBILITY);
    assert_int_equal(log[0].subject_id, 42);
    assert_string_equal(log[1].subject, AUDIT_CONSENT_WITHDRAWAL);
    assert_int_equal(log[1].subject_id, s.pub);
    assert_string_equal(log[1].before, "public");
    assert_string_equal(log[1].after, "none");
    assert_string_equal(log[2].subject, AUDIT_GROUP_VISIBILITY);
    assert_string_equal(log[2].before, "network");
    assert_string_equal(log[2].after, "public");
    assert_int_equal(log[2].actor_user_id, f->coord_hc.id);
    assert_string_equal(log[2].actor_login, "coord-hc");
    assert_string_equal(log[2].group_title, "Atelier documentaire");
    assert_string_equal(log[3].before, "public");
    assert_string_equal(log[3].after, "network");
    assert_int_equal(log[3].actor_user_id, f->sup_a.id);
    assert_true(log[3].at > 0);
    assert_string_equal(log[7].subject, AUDIT_GROUP_VISIBILITY);
    assert_string_equal(log[7].before, "");
    assert_string_equal(log[7].after, "public");
    for (int i = 0; i < n; i++)
        assert_int_equal(log[i].group_id, f->ga);

    /* the other coordination sees only its own group's entry (B's creation) */
    af = (struct audit_filter){.coordination_id = f->acap};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(log[0].group_id, f->gb);
    /* everything, the system's entry included; by subject; pages */
    af = (struct audit_filter){0};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    assert_int_equal(total, 10);
    assert_int_equal(log[0].actor_user_id, 0);
    assert_string_equal(log[0].actor_login, "");
    assert_int_equal(log[0].group_id, 0);
    af = (struct audit_filter){.subject = AUDIT_CONSENT, .per_page = 2, .page = 2};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    assert_int_equal(total, 3);
    assert_int_equal(n, 1);
    af = (struct audit_filter){.group_id = f->gb, .page = 5};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(n, 0);

    /* subjects are fixed words; values are short */
    assert_int_equal(audit_add(f->db, NULL, 0, "Consent; DROP", 0, NULL, NULL, &e), -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(audit_add(f->db, NULL, 0, "", 0, NULL, NULL, &e), -1);
    char *big = arena_alloc(f->a, AUDIT_VALUE_MAX + 2);
    memset(big, 'x', AUDIT_VALUE_MAX + 1);
    assert_int_equal(audit_add(f->db, NULL, 0, "x", 0, big, NULL, &e), -1);
    big[AUDIT_VALUE_MAX] = 0;
    assert_int_equal(audit_add(f->db, NULL, 0, "x", 0, big, NULL, &e), 0);

    /* who may read a coordination's log */
    assert_true(audit_can_read(&f->admin, f->hc));
    assert_true(audit_can_read(&f->coord_hc, f->hc));
    assert_false(audit_can_read(&f->coord_hc, f->acap));
    assert_false(audit_can_read(&f->coord_hc, 0));
    assert_false(audit_can_read(&f->sup_a, f->hc));
    assert_false(audit_can_read(NULL, f->hc));
    struct account disabled = f->coord_hc;
    disabled.disabled = 1;
    assert_false(audit_can_read(&disabled, f->hc));
}

/* The SQL form of the page rule, for a viewer and group set the list test does not build. */
static void test_groups_where(void **state)
{
    (void)state;
    struct visibility_cols c = {"g.id", "g.structure_id", "cd.coordination_id", "g.protected",
                                "g.visibility"};
    struct buf b;
    buf_init(&b, 0);
    visibility_groups_where(&b, NULL, &c);
    assert_string_equal(buf_cstr(&b), " AND (g.protected = 0 AND g.visibility = 'public')");
    buf_reset(&b);
    struct account admin = {.id = 1, .role = ROLE_ADMIN};
    visibility_groups_where(&b, &admin, &c);
    assert_string_equal(buf_cstr(&b), "");
    buf_reset(&b);
    admin.disabled = 1; /* a disabled admin is an anonymous visitor */
    visibility_groups_where(&b, &admin, &c);
    assert_non_null(strstr(buf_cstr(&b), "'public'"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_groups_where),
        cmocka_unit_test_setup_teardown(test_viewer_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_done_when_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
    };
    char name[64];
    snprintf(name, sizeof name, "visibility on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
