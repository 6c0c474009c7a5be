/* test_group: unit tests for src/group.c and src/participant.c (validation limits, slugs,
 * rights, protected groups, supervisors, lists) on SQLite, or PostgreSQL (testdb.h). */
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
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "participant.h"
#include "testdb.h"
#include "visibility.h"

#include "groupfix.h" /* struct fx, its setup and teardown */

/* A valid input to start each variation from. */
static struct group_input base(struct fx *f)
{
    return (struct group_input){.title = "Atelier fiction", .year = 2025, .structure_id = f->mjc};
}

/* Creates in as admin and checks the outcome: status 0 for success, else status and field. */
static int64_t expect(struct fx *f, const struct account *by, const struct group_input *in,
                      int status, const char *field)
{
    struct err e = {0};
    int64_t id = 0;
    int rc = group_create(f->db, by ? by : &f->admin, in, &id, &e);
    if (status == 0) {
        if (rc)
            fail_msg("expected success, got %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
        assert_true(id > 0);
        return id;
    }
    if (rc == 0)
        fail_msg("expected %d on %s, got success", status, field ? field : "-");
    assert_int_equal(e.status, status);
    if (field) {
        assert_non_null(e.field);
        assert_string_equal(e.field, field);
    }
    assert_true(e.msg[0] != 0);
    return 0;
}

static struct group get(struct fx *f, int64_t id)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, id, &g, &e))
        fail_msg("get %lld: %s", (long long)id, e.msg);
    return g;
}

/* n copies of c, allocated in the fixture's arena. */
static char *rep(struct fx *f, const char *c, size_t n)
{
    size_t len = strlen(c);
    char *s = arena_alloc(f->a, len * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, c, len);
    return s;
}

/* ---- groups ---- */

static void test_create_defaults(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    assert_string_equal(g.slug, "atelier-documentaire");
    assert_string_equal(g.title, "Atelier documentaire");
    assert_int_equal(g.year, 2024);
    assert_int_equal(g.structure_id, f->mjc);
    assert_string_equal(g.structure_name, "MJC Lille");
    assert_int_equal(g.coordination_id, f->hc);
    assert_string_equal(g.status, "preparing");
    assert_int_equal(g.visibility, VIS_PUBLIC);
    assert_false(g.is_protected);
    assert_false(g.require_comment_approval);
    assert_int_equal(g.cover_photo_id, 0);

    struct group_input in = base(f);
    int64_t id = expect(f, &f->coord_hc, &in, 0, NULL);
    g = get(f, id);
    assert_int_equal(g.visibility, VIS_GROUP); /* the narrowest unless asked */

    /* the supervisor who opened A is listed; a coordinator is not */
    int64_t *ids;
    int n;
    struct err e = {0};
    assert_int_equal(group_supervisors(f->db, f->a, f->ga, &ids, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], f->sup_a.id);
    assert_int_equal(group_supervisors(f->db, f->a, id, &ids, &n, &e), 0);
    assert_int_equal(n, 0);

    assert_string_equal(group_status_label("in_progress"), "En cours");
    assert_null(group_status_label("archived"));
}

static void test_get_by_slug(void **state)
{
    struct fx *f = *state;
    struct group g;
    struct err e = {0};
    assert_int_equal(group_get_by_slug(f->db, f->a, "ciné-club", &g, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(group_get_by_slug(f->db, f->a, "cine-club-des-halles", &g, &e), 0);
    assert_int_equal(g.id, f->gb);
    assert_int_equal(group_get(f->db, f->a, 999999, &g, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(group_get(f->db, f->a, 0, &g, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_title_limits(void **state)
{
    struct fx *f = *state;
    struct group_input in = base(f);
    in.title = "   ";
    expect(f, NULL, &in, 422, "title");
    in.title = rep(f, "é", GROUP_TITLE_MAX + 1);
    expect(f, NULL, &in, 422, "title");
    in.title = "a\x01b";
    expect(f, NULL, &in, 422, "title");
    in.title = "Titre\nsur deux lignes";
    expect(f, NULL, &in, 422, "title");
    in.title = "\xff\xfe";
    expect(f, NULL, &in, 422, "title");
    in.title = rep(f, "é", GROUP_TITLE_MAX);
    in.slug = "titre-long";
    expect(f, NULL, &in, 0, NULL);
}

static void test_year_structure_status(void **state)
{
    struct fx *f = *state;
    struct group_input in = base(f);
    in.year = 0;
    expect(f, NULL, &in, 422, "year");
    in.year = GROUP_YEAR_MIN - 1;
    expect(f, NULL, &in, 422, "year");
    in.year = GROUP_YEAR_MAX + 1;
    expect(f, NULL, &in, 422, "year");
    in.year = GROUP_YEAR_MIN;
    in.slug = "annee-min";
    expect(f, NULL, &in, 0, NULL);
    in = base(f);
    in.year = GROUP_YEAR_MAX;
    in.slug = "annee-max";
    expect(f, NULL, &in, 0, NULL);

    in = base(f);
    in.structure_id = 0;
    expect(f, NULL, &in, 422, "structure_id");
    in.structure_id = 424242;
    expect(f, NULL, &in, 422, "structure_id");

    in = base(f);
    in.status = "archived";
    expect(f, NULL, &in, 422, "status");
    in.status = "finished";
    int64_t id = expect(f, NULL, &in, 0, NULL);
    assert_string_equal(get(f, id).status, "finished");

    in = base(f);
    in.visibility = "everyone";
    expect(f, NULL, &in, 422, "visibility");
    in.visibility = "none"; /* a page nobody may see is not a setting */
    expect(f, NULL, &in, 422, "visibility");
}

static void test_description_facilitators(void **state)
{
    struct fx *f = *state;
    struct group_input in = base(f);
    in.description = rep(f, "x", GROUP_DESCRIPTION_MAX + 1);
    expect(f, NULL, &in, 422, "description");
    in.description = "Ligne 1\n\tLigne 2";
    in.facilitators = "  Agnès Varda \n\n\r\nJean Rouch\r\n  ";
    int64_t id = expect(f, NULL, &in, 0, NULL);
    struct group g = get(f, id);
    assert_string_equal(g.description, "Ligne 1\n\tLigne 2");
    assert_string_equal(g.facilitators, "Agnès Varda\nJean Rouch");

    in = base(f);
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < GROUP_FACILITATORS_MAX; i++)
        buf_printf(&b, "Intervenant %d\n", i);
    in.facilitators = buf_cstr(&b);
    expect(f, NULL, &in, 0, NULL);
    buf_puts(&b, "Un de trop");
    in.facilitators = buf_cstr(&b);
    expect(f, NULL, &in, 422, "facilitators");
    buf_free(&b);

    in = base(f);
    in.facilitators = rep(f, "n", GROUP_FACILITATOR_NAME_MAX + 1);
    expect(f, NULL, &in, 422, "facilitators");
    in.facilitators = "Nom\x7f";
    expect(f, NULL, &in, 422, "facilitators");
    in.facilitators = rep(f, "n", GROUP_FACILITATOR_NAME_MAX);
    expect(f, NULL, &in, 0, NULL);
}

static void test_slugs(void **state)
{
    struct fx *f = *state;
    struct group_input in = base(f);
    in.title = "Atelier documentaire"; /* A has the plain slug: the year comes next */
    in.year = 2024;
    int64_t id = expect(f, NULL, &in, 0, NULL);
    assert_string_equal(get(f, id).slug, "atelier-documentaire-2024");
    id = expect(f, NULL, &in, 0, NULL);
    assert_string_equal(get(f, id).slug, "atelier-documentaire-2024-2");

    in.slug = "atelier-documentaire";
    expect(f, NULL, &in, 409, "slug");
    in.slug = "nouveau";
    expect(f, NULL, &in, 422, "slug");
    in.slug = "Majuscules";
    expect(f, NULL, &in, 422, "slug");
    in.slug = "-tiret";
    expect(f, NULL, &in, 422, "slug");
    in.slug = "a";
    expect(f, NULL, &in, 422, "slug");
    in.slug = rep(f, "a", GROUP_SLUG_MAX + 1);
    expect(f, NULL, &in, 422, "slug");
    in.slug = rep(f, "a", GROUP_SLUG_MAX);
    expect(f, NULL, &in, 0, NULL);

    /* a title with nothing to make a slug of asks for one */
    in = base(f);
    in.title = "!!!";
    expect(f, NULL, &in, 422, "slug");
    in.slug = "points";
    expect(f, NULL, &in, 0, NULL);

    /* a long title is cut at a word, leaving room for the suffixes */
    in = base(f);
    in.title = rep(f, "mot ", 40);
    id = expect(f, NULL, &in, 0, NULL);
    const char *s = get(f, id).slug;
    assert_true(strlen(s) <= GROUP_SLUG_MAX - 8);
    assert_true(s[strlen(s) - 1] != '-');
}

static void test_create_rights(void **state)
{
    struct fx *f = *state;
    struct group_input in = base(f);
    expect(f, &f->part_a, &in, 403, NULL);
    struct account anon = {0};
    expect(f, &anon, &in, 403, NULL);
    expect(f, &f->sup_b, &in, 403, "structure_id");      /* not at the youth club */
    expect(f, &f->coord_acap, &in, 403, "structure_id"); /* another territory */
    expect(f, &f->sup_struct, &in, 0, NULL);
    expect(f, &f->coord_hc, &in, 0, NULL);
    expect(f, &f->admin, &in, 0, NULL);
    struct account disabled = f->sup_struct;
    disabled.disabled = 1;
    expect(f, &disabled, &in, 403, NULL);

    assert_true(group_can_create(f->db, &f->sup_a, f->mjc));
    assert_false(group_can_create(f->db, &f->sup_a, f->cs));
    assert_false(group_can_create(f->db, &f->coord_hc, f->cs));
    assert_true(group_can_create(f->db, &f->coord_acap, f->cs));
    assert_true(group_can_create(f->db, &f->admin, f->cs));
    assert_false(group_can_create(f->db, &f->admin, 999999));
    assert_false(group_can_create(f->db, NULL, f->mjc));
}

static void test_manage_and_member(void **state)
{
    struct fx *f = *state;
    struct group a = get(f, f->ga);
    struct {
        const struct account *u;
        int manage, member;
    } rows[] = {
        {&f->admin, 1, 0},  {&f->coord_hc, 1, 0},   {&f->coord_acap, 0, 0},
        {&f->sup_a, 1, 1},  {&f->sup_struct, 1, 1}, {&f->sup_b, 0, 0},
        {&f->part_a, 0, 1}, {&f->part_b, 0, 0},     {NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *who = rows[i].u ? rows[i].u->login : "anonymous";
        if (group_can_manage(f->db, rows[i].u, &a) != rows[i].manage)
            fail_msg("can_manage(%s) != %d", who, rows[i].manage);
        if (group_is_member(f->db, rows[i].u, &a) != rows[i].member)
            fail_msg("is_member(%s) != %d", who, rows[i].member);
    }
    struct account disabled = f->sup_a;
    disabled.disabled = 1;
    assert_false(group_can_manage(f->db, &disabled, &a));
    assert_false(group_is_member(f->db, &disabled, &a));
    /* an account demoted to participant keeps no supervisor rights from old attachments */
    struct account demoted = f->sup_a;
    demoted.role = ROLE_PARTICIPANT;
    assert_false(group_can_manage(f->db, &demoted, &a));
    /* a coordinator of no coordination manages nothing outside every territory */
    struct account lost = f->coord_hc;
    lost.coordination_id = 0;
    assert_false(group_can_manage(f->db, &lost, &a));
}

static void test_update(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input in = {.title = "Atelier documentaire 2", .status = "in_progress"};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &in, &e), 0);
    struct group g = get(f, f->ga);
    assert_string_equal(g.title, "Atelier documentaire 2");
    assert_string_equal(g.slug, "atelier-documentaire"); /* bookmarks keep working */
    assert_string_equal(g.status, "in_progress");
    assert_int_equal(g.visibility, VIS_PUBLIC); /* untouched */
    assert_int_equal(g.year, 2024);

    in = (struct group_input){.require_comment_approval = &(int){1}, .slug = "doc-lille"};
    assert_int_equal(group_update(f->db, &f->coord_hc, f->ga, &in, &e), 0);
    g = get(f, f->ga);
    assert_true(g.require_comment_approval);
    assert_string_equal(g.slug, "doc-lille");

    in = (struct group_input){.slug = "cine-club-des-halles"};
    assert_int_equal(group_update(f->db, &f->admin, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.field, "slug");

    in = (struct group_input){.title = ""};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "title");

    in = (struct group_input){.title = "x"};
    assert_int_equal(group_update(f->db, &f->sup_b, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(group_update(f->db, &f->coord_acap, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(group_update(f->db, &f->part_a, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(group_update(f->db, &f->admin, 999999, &in, &e), -1);
    assert_int_equal(e.status, 404);

    /* moving a group needs the right to create there too */
    in = (struct group_input){.structure_id = f->cs};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_string_equal(e.field, "structure_id");
    assert_int_equal(group_update(f->db, &f->admin, f->ga, &in, &e), 0);
    g = get(f, f->ga);
    assert_int_equal(g.coordination_id, f->acap); /* follows the structure */
    /* and the coordination's rights follow it */
    assert_false(group_can_manage(f->db, &f->coord_hc, &g));
    assert_true(group_can_manage(f->db, &f->coord_acap, &g));
}

static int64_t count_audit(struct fx *f, int64_t gid, const char *subject, const char *before,
                           const char *after)
{
    struct err e = {0};
    int64_t n = db_scalar_int(f->db, &e, -1,
                              "SELECT COUNT(*) FROM audit_log WHERE group_id = ? AND subject = ? "
                              "AND before_value = ? AND after_value = ?",
                              "isss", gid, subject, before, after);
    assert_int_equal(e.status, 0);
    return n;
}

static void test_protected(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input in = base(f);
    in.is_protected = &(int){1};
    in.visibility = "network";
    expect(f, NULL, &in, 422, "visibility");
    assert_int_equal(group_create(f->db, &f->sup_a, &in, NULL, &e), -1);
    assert_string_equal(e.msg,
                        "Un groupe protégé ne peut pas être rendu visible au-delà du groupe.");
    in.visibility = NULL;
    int64_t id = expect(f, &f->sup_a, &in, 0, NULL);
    struct group g = get(f, id);
    assert_true(g.is_protected);
    assert_int_equal(g.visibility, VIS_GROUP);
    assert_int_equal(count_audit(f, id, AUDIT_GROUP_PROTECTED, "", "1"), 1);

    /* wider settings are refused, through both paths */
    struct group_input up = {.visibility = "public"};
    assert_int_equal(group_update(f->db, &f->sup_a, id, &up, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "visibility");
    assert_int_equal(visibility_set_group(f->db, &f->admin, id, VIS_NETWORK, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.msg,
                        "Un groupe protégé ne peut pas être rendu visible au-delà du groupe.");
    assert_int_equal(get(f, id).visibility, VIS_GROUP);

    /* protecting a public group narrows its page at once, audited */
    up = (struct group_input){.is_protected = &(int){1}};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &up, &e), 0);
    g = get(f, f->ga);
    assert_true(g.is_protected);
    assert_int_equal(g.visibility, VIS_GROUP);
    assert_int_equal(count_audit(f, f->ga, AUDIT_GROUP_VISIBILITY, "public", "group"), 1);
    assert_int_equal(count_audit(f, f->ga, AUDIT_GROUP_PROTECTED, "0", "1"), 1);

    /* lifting the protection is the coordination's decision */
    up = (struct group_input){.is_protected = &(int){0}};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &up, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(group_update(f->db, &f->sup_struct, f->ga, &up, &e), -1);
    assert_int_equal(e.status, 403);
    assert_true(get(f, f->ga).is_protected);
    assert_int_equal(group_update(f->db, &f->coord_hc, f->ga, &up, &e), 0);
    g = get(f, f->ga);
    assert_false(g.is_protected);
    assert_int_equal(g.visibility, VIS_GROUP); /* not widened back by itself */
    assert_int_equal(count_audit(f, f->ga, AUDIT_GROUP_PROTECTED, "1", "0"), 1);

    /* the schema refuses it too, whatever code writes */
    assert_true(
        db_execf(f->db, &e, "UPDATE groups SET visibility = 'public' WHERE id = ?", "i", id) < 0);
    assert_int_equal(e.status, 409);
}

static void test_supervisors(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t ids[] = {f->sup_b.id, f->sup_struct.id, f->sup_b.id, f->coord_acap.id};
    assert_int_equal(group_set_supervisors(f->db, &f->sup_a, f->ga, ids, 4, &e), 0);
    int64_t *got;
    int n;
    assert_int_equal(group_supervisors(f->db, f->a, f->ga, &got, &n, &e), 0);
    assert_int_equal(n, 3);
    /* sup_b now manages A; sup_a, no longer listed, still does through the structure */
    struct group a = get(f, f->ga);
    assert_true(group_can_manage(f->db, &f->sup_b, &a));
    assert_true(group_can_manage(f->db, &f->sup_a, &a));

    int64_t bad[] = {f->sup_b.id, f->part_a.id};
    assert_int_equal(group_set_supervisors(f->db, &f->sup_a, f->ga, bad, 2, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "supervisors");
    int64_t unknown[] = {999999};
    assert_int_equal(group_set_supervisors(f->db, &f->sup_a, f->ga, unknown, 1, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(group_supervisors(f->db, f->a, f->ga, &got, &n, &e), 0);
    assert_int_equal(n, 3); /* a refused list changes nothing */

    int64_t many[GROUP_SUPERVISORS_MAX + 1];
    for (int i = 0; i <= GROUP_SUPERVISORS_MAX; i++)
        many[i] = f->sup_b.id;
    assert_int_equal(
        group_set_supervisors(f->db, &f->admin, f->ga, many, GROUP_SUPERVISORS_MAX + 1, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(
        group_set_supervisors(f->db, &f->admin, f->ga, many, GROUP_SUPERVISORS_MAX, &e), 0);

    assert_int_equal(group_set_supervisors(f->db, &f->coord_acap, f->ga, ids, 1, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(group_set_supervisors(f->db, &f->admin, f->ga, NULL, 0, &e), 0);
    assert_int_equal(group_supervisors(f->db, f->a, f->ga, &got, &n, &e), 0);
    assert_int_equal(n, 0);
}

static void test_list_filters(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input in = base(f);
    for (int i = 0; i < 5; i++) {
        in.title = arena_printf(f->a, "Série %d", i);
        in.year = 2020 + i % 2;
        in.visibility = "public";
        expect(f, NULL, &in, 0, NULL);
    }
    struct group *list;
    int n;
    int64_t total;
    struct group_filter gf = {.unrestricted = 1};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 7);
    assert_int_equal(list[0].year, 2024); /* most recent first */

    gf = (struct group_filter){.unrestricted = 1, .year = 2021};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].title, "Série 1");
    assert_string_equal(list[1].title, "Série 3");

    gf = (struct group_filter){.unrestricted = 1, .coordination_id = f->acap};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, f->gb);

    gf = (struct group_filter){.unrestricted = 1, .structure_id = f->mjc, .per_page = 2, .page = 3};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 6);
    assert_int_equal(n, 2);

    gf = (struct group_filter){.unrestricted = 1, .member_id = f->part_b.id};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, f->gb);

    gf = (struct group_filter){.unrestricted = 1, .status = "bogus"};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), -1);
    assert_int_equal(e.status, 400);
    gf = (struct group_filter){.unrestricted = 1, .status = "preparing", .page = 2000000};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 7);
    gf = (struct group_filter){.unrestricted = 1, .per_page = 100000};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(n, 7);

    /* the title search ignores case and accents; LIKE's metacharacters are literal */
    gf = (struct group_filter){.unrestricted = 1, .q = "SERIE 3"};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].title, "Série 3");
    gf = (struct group_filter){.unrestricted = 1, .q = "série", .year = 2020};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 3);
    gf = (struct group_filter){.unrestricted = 1, .q = "%"};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    gf = (struct group_filter){.unrestricted = 1, .q = "s_rie"};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    gf = (struct group_filter){.unrestricted = 1, .q = rep(f, "a", 4 * GROUP_TITLE_MAX + 1)};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    gf = (struct group_filter){.unrestricted = 1, .q = "  "};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 7);
    /* with the visibility filter after it: an anonymous visitor finds public groups only */
    gf = (struct group_filter){.q = "serie"};
    assert_int_equal(group_list(f->db, f->a, &gf, &list, &n, &total, &e), 0);
    assert_int_equal(total, 5);
}

/* The SQL filter of lists and the C rule of pages must agree, for every viewer and group. */
static void test_list_follows_visibility(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input in = base(f);
    const char *vis[] = {"group", "network", "public"};
    for (int p = 0; p < 2; p++)
        for (int v = 0; v < 3; v++)
            for (int s = 0; s < 2; s++) {
                if (p && v)
                    continue; /* protected groups stay at "group" */
                in.title = arena_printf(f->a, "G %d %d %d", p, v, s);
                in.visibility = vis[v];
                in.is_protected = &(int){p};
                in.structure_id = s ? f->cs : f->mjc;
                expect(f, NULL, &in, 0, NULL);
            }
    struct account anon = {0};
    const struct account *viewers[] = {NULL,           &anon,     &f->admin,      &f->coord_hc,
                                       &f->coord_acap, &f->sup_a, &f->sup_struct, &f->sup_b,
                                       &f->part_a,     &f->part_b};
    struct group *all;
    int nall;
    int64_t total;
    struct group_filter gf = {.unrestricted = 1, .per_page = GROUP_PER_PAGE_MAX};
    assert_int_equal(group_list(f->db, f->a, &gf, &all, &nall, &total, &e), 0);
    assert_int_equal(nall, total);
    for (size_t i = 0; i < sizeof viewers / sizeof viewers[0]; i++) {
        struct group *seen;
        int nseen;
        gf = (struct group_filter){.viewer = viewers[i], .per_page = GROUP_PER_PAGE_MAX};
        assert_int_equal(group_list(f->db, f->a, &gf, &seen, &nseen, &total, &e), 0);
        int expected = 0;
        for (int k = 0; k < nall; k++) {
            int can = visibility_can_see_group(f->db, viewers[i], &all[k]);
            int listed = 0;
            for (int j = 0; j < nseen; j++)
                listed |= seen[j].id == all[k].id;
            if (can != listed)
                fail_msg("viewer %s, group %s: page rule %d, list %d",
                         viewers[i] && viewers[i]->login ? viewers[i]->login : "anonymous",
                         all[k].title, can, listed);
            expected += can;
        }
        assert_int_equal(nseen, expected);
    }
}

/* ---- participants ---- */

static void expect_part(struct fx *f, const struct participant_input *in, int status,
                        const char *field)
{
    struct err e = {0};
    int64_t id = 0;
    int rc = participant_add(f->db, &f->sup_a, f->ga, in, &id, &e);
    if (status == 0) {
        if (rc)
            fail_msg("expected success, got %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
        assert_true(id > 0);
        return;
    }
    if (rc == 0)
        fail_msg("expected %d on %s, got success", status, field ? field : "-");
    assert_int_equal(e.status, status);
    if (field) {
        assert_non_null(e.field);
        assert_string_equal(e.field, field);
    }
}

static void test_participant_validation(void **state)
{
    struct fx *f = *state;
    struct participant_input in = {.display_name = "Lou", .age_band = "6-11", .under15 = -1};
    expect_part(f, &in, 0, NULL);
    in.display_name = "  ";
    expect_part(f, &in, 422, "display_name");
    in.display_name = rep(f, "é", PARTICIPANT_NAME_MAX + 1);
    expect_part(f, &in, 422, "display_name");
    in.display_name = "Lou\nLou";
    expect_part(f, &in, 422, "display_name");
    in.display_name = rep(f, "é", PARTICIPANT_NAME_MAX);
    expect_part(f, &in, 0, NULL);

    in.display_name = "Sam";
    in.age_band = "";
    expect_part(f, &in, 422, "age_band");
    in.age_band = "15-18";
    expect_part(f, &in, 422, "age_band");

    /* the flag must agree with the band, at the 15 boundary both ways */
    struct {
        const char *band;
        int under15, ok;
    } rows[] = {{"6-11", 1, 1},  {"6-11", 0, 0},  {"12-14", 1, 1}, {"12-14", 0, 0}, {"15-17", 0, 1},
                {"15-17", 1, 0}, {"18-25", 0, 1}, {"18-25", 1, 0}, {"26+", 0, 1},   {"26+", 1, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        in.age_band = rows[i].band;
        in.under15 = rows[i].under15;
        expect_part(f, &in, rows[i].ok ? 0 : 422, rows[i].ok ? NULL : "under15");
    }
    assert_true(participant_age_band("12-14")->under15);
    assert_false(participant_age_band("15-17")->under15);
    assert_null(participant_age_band("14-15"));

    /* a linked account must be a participant's, and only once per group */
    in = (struct participant_input){
        .display_name = "Ali", .age_band = "15-17", .under15 = -1, .user_id = f->sup_b.id};
    expect_part(f, &in, 422, "user_id");
    in.user_id = 999999;
    expect_part(f, &in, 422, "user_id");
    in.user_id = f->part_a.id; /* already Inès in A */
    expect_part(f, &in, 409, "user_id");
    in.user_id = f->part_b.id; /* B's participant may join A too */
    expect_part(f, &in, 0, NULL);

    /* the schema keeps the flag and the band together whatever code writes */
    struct err e = {0};
    assert_true(
        db_execf(f->db, &e, "UPDATE participants SET under15 = 0 WHERE age_band = '6-11'", "") < 0);
}

static void test_participant_rights_update_list(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct participant_input in = {.display_name = "Noé", .age_band = "15-17", .under15 = -1};
    int64_t id = 0;
    assert_int_equal(participant_add(f->db, &f->sup_b, f->ga, &in, &id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(participant_add(f->db, &f->part_a, f->ga, &in, &id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(participant_add(f->db, &f->coord_acap, f->ga, &in, &id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(participant_add(f->db, &f->admin, 999999, &in, &id, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(participant_add(f->db, &f->coord_hc, f->ga, &in, &id, &e), 0);

    /* the band changes, the flag follows; the name and account are kept */
    struct participant_input up = {.age_band = "12-14", .under15 = -1, .user_id = -1};
    assert_int_equal(participant_update(f->db, &f->sup_struct, id, &up, &e), 0);
    struct participant p;
    assert_int_equal(participant_get(f->db, f->a, id, &p, &e), 0);
    assert_string_equal(p.display_name, "Noé");
    assert_string_equal(p.age_band, "12-14");
    assert_true(p.under15);
    assert_int_equal(p.user_id, 0);

    up = (struct participant_input){.under15 = 0, .user_id = -1};
    assert_int_equal(participant_update(f->db, &f->sup_a, id, &up, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "under15");
    up = (struct participant_input){.under15 = -1, .user_id = f->part_b.id};
    assert_int_equal(participant_update(f->db, &f->sup_a, id, &up, &e), 0);
    assert_int_equal(participant_get(f->db, f->a, id, &p, &e), 0);
    assert_int_equal(p.user_id, f->part_b.id);
    up = (struct participant_input){.under15 = -1, .user_id = 0};
    assert_int_equal(participant_update(f->db, &f->sup_a, id, &up, &e), 0);
    assert_int_equal(participant_get(f->db, f->a, id, &p, &e), 0);
    assert_int_equal(p.user_id, 0);
    assert_int_equal(participant_update(f->db, &f->sup_b, id, &up, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(participant_update(f->db, &f->admin, 999999, &up, &e), -1);
    assert_int_equal(e.status, 404);

    struct participant *list;
    int n;
    assert_int_equal(participant_list(f->db, f->a, f->ga, &list, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].display_name, "Inès");
    assert_int_equal(list[0].user_id, f->part_a.id);
    assert_string_equal(list[1].display_name, "Noé");
    assert_int_equal(participant_get(f->db, f->a, 999999, &p, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_participant_limit(void **state)
{
    struct fx *f = *state;
    struct participant_input in = {.display_name = "P", .age_band = "18-25", .under15 = -1};
    /* A has Inès already */
    for (int i = 1; i < PARTICIPANT_PER_GROUP_MAX; i++)
        expect_part(f, &in, 0, NULL);
    expect_part(f, &in, 422, "group_id");
    struct participant *list;
    int n;
    struct err e = {0};
    assert_int_equal(participant_list(f->db, f->a, f->ga, &list, &n, &e), 0);
    assert_int_equal(n, PARTICIPANT_PER_GROUP_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_by_slug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_title_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_structure_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_description_facilitators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slugs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manage_and_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supervisors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_follows_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participant_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participant_rights_update_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participant_limit, setup, teardown),
    };
    char name[64];
    snprintf(name, sizeof name, "group on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
