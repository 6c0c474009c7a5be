/* test_logbook: unit tests for src/logbook.c: approval of participants' entries, who sees
 * what (through src/visibility.c), protected groups, history, soft deletion and its undoing,
 * and the Markdown renderer; on SQLite, or PostgreSQL (testdb.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "logbook.h"
#include "groupfix.h"

static struct group get(struct fx *f, int64_t gid)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, gid, &g, &e))
        fail_msg("group_get: %s", e.msg);
    return g;
}

static int64_t write_entry(struct fx *f, const struct account *by, const struct group *g,
                           const char *title, const char *vis)
{
    struct logbook_input in = {.title = title, .body_md = "Du *texte*.", .visibility = vis};
    struct err e = {0};
    int64_t id = 0;
    if (logbook_create(f->db, by, g, &in, &id, &e))
        fail_msg("create %s: %d %s", title, e.status, e.msg);
    return id;
}

/* Does viewer find entry id in the list of g? */
static int listed(struct fx *f, const struct account *viewer, const struct group *g, int64_t id)
{
    struct logbook_entry *items;
    int n;
    struct err e = {0};
    if (logbook_list(f->db, f->a, viewer, g, &items, &n, &e))
        fail_msg("list: %s", e.msg);
    for (int i = 0; i < n; i++)
        if (items[i].id == id)
            return 1;
    return 0;
}

static void test_participant_pending(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    int64_t id = write_entry(f, &f->part_a, &g, "Premier jour", "public");
    struct logbook_entry en;
    struct err e = {0};
    assert_int_equal(logbook_get(f->db, f->a, &g, id, &en, &e), 0);
    assert_false(en.published);
    /* its author and the managers see it; nobody else, not even in public */
    assert_true(listed(f, &f->part_a, &g, id));
    assert_true(listed(f, &f->sup_a, &g, id));
    assert_true(listed(f, &f->coord_hc, &g, id));
    assert_false(listed(f, NULL, &g, id));
    assert_false(listed(f, &f->sup_b, &g, id));
    assert_false(listed(f, &f->part_b, &g, id));
    /* only a manager approves */
    assert_int_equal(logbook_approve(f->db, &f->part_a, &g, id, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &g, id, &e), 0);
    assert_true(listed(f, NULL, &g, id));
    assert_true(listed(f, &f->part_b, &g, id));
    /* an outsider cannot write */
    struct logbook_input in = {.title = "Intrus"};
    int64_t x;
    assert_int_equal(logbook_create(f->db, &f->part_b, &g, &in, &x, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(logbook_create(f->db, NULL, &g, &in, &x, &e), -1);
    assert_int_equal(e.status, 403);
}

static void test_supervisor_published(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    int64_t id = write_entry(f, &f->sup_a, &g, "Repérages", "network");
    struct logbook_entry en;
    struct err e = {0};
    assert_int_equal(logbook_get(f->db, f->a, &g, id, &en, &e), 0);
    assert_true(en.published);
    assert_int_equal(en.visibility, VIS_NETWORK);
    /* a network entry of a public group: members of the network, not anonymous visitors */
    assert_true(listed(f, &f->part_b, &g, id));
    assert_false(listed(f, NULL, &g, id));
    int64_t pub = write_entry(f, &f->sup_a, &g, "Projection", "public");
    assert_true(listed(f, NULL, &g, pub));
    /* group entries stay within the group and its coordination */
    int64_t grp = write_entry(f, &f->sup_a, &g, "Entre nous", NULL);
    assert_false(listed(f, &f->part_b, &g, grp));
    assert_true(listed(f, &f->part_a, &g, grp));
    assert_true(listed(f, &f->coord_hc, &g, grp));
    /* a group page seen only by the network hides even its public entries from anonymous */
    struct group gb = get(f, f->gb);
    int64_t b = write_entry(f, &f->sup_b, &gb, "Ciné-débat", "public");
    assert_false(listed(f, NULL, &gb, b));
    assert_true(listed(f, &f->part_a, &gb, b));
}

static void test_protected(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group_input gi = {.title = "Unité éducative",
                             .year = 2024,
                             .structure_id = f->mjc,
                             .is_protected = &(int){1}};
    int64_t gid = 0;
    assert_int_equal(group_create(f->db, &f->sup_a, &gi, &gid, &e), 0);
    struct group g = get(f, gid);
    struct logbook_input in = {.title = "Sortie", .visibility = "public"};
    int64_t id;
    assert_int_equal(logbook_create(f->db, &f->sup_a, &g, &in, &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "visibility");
    err_clear(&e);
    in.visibility = "network";
    assert_int_equal(logbook_create(f->db, &f->sup_a, &g, &in, &id, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    id = write_entry(f, &f->sup_a, &g, "Sortie", "group");
    /* widening it afterwards is refused too */
    struct logbook_input up = {.visibility = "public"};
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &up, &e), -1);
    assert_int_equal(e.status, 422);
    const struct account *outside[] = {NULL, &f->part_b, &f->sup_b, &f->coord_acap, &f->part_a};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        if (listed(f, outside[i], &g, id))
            fail_msg("%s sees the protected group's entry",
                     outside[i] ? outside[i]->login : "anonymous");
    assert_true(listed(f, &f->coord_hc, &g, id));
    assert_true(listed(f, &f->sup_struct, &g, id));
}

static void test_history(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    int64_t id = write_entry(f, &f->part_a, &g, "Version 1", "public");
    struct err e = {0};
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &g, id, &e), 0);
    struct logbook_input up = {.title = "Version 2", .body_md = "Corrigé."};
    assert_int_equal(logbook_update(f->db, &f->part_a, &g, id, &up, &e), 0);
    /* a participant's edit goes back to approval */
    assert_false(listed(f, NULL, &g, id));
    up.title = "Version 3";
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &up, &e), 0);
    struct logbook_entry en;
    assert_int_equal(logbook_get(f->db, f->a, &g, id, &en, &e), 0);
    assert_string_equal(en.title, "Version 3");
    assert_string_equal(en.body_md, "Corrigé.");
    struct logbook_revision *rs;
    int n;
    assert_int_equal(logbook_history(f->db, f->a, &f->sup_a, &g, id, &rs, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rs[0].title, "Version 2");
    assert_int_equal(rs[0].editor_user_id, f->sup_a.id);
    assert_string_equal(rs[1].title, "Version 1");
    assert_string_equal(rs[1].body_md, "Du *texte*.");
    assert_int_equal(rs[1].editor_user_id, f->part_a.id);
    /* history is for managers; others may not edit */
    assert_int_equal(logbook_history(f->db, f->a, &f->part_a, &g, id, &rs, &n, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(logbook_update(f->db, &f->sup_b, &g, id, &up, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    /* limits */
    char *big = xmalloc(LOGBOOK_TITLE_MAX + 2);
    memset(big, 'a', LOGBOOK_TITLE_MAX + 1);
    big[LOGBOOK_TITLE_MAX + 1] = 0;
    up.title = big;
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &up, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "title");
    err_clear(&e);
    big[LOGBOOK_TITLE_MAX] = 0;
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &up, &e), 0);
    free(big);
    char *body = xmalloc(LOGBOOK_BODY_MAX + 2);
    memset(body, 'b', LOGBOOK_BODY_MAX + 1);
    body[LOGBOOK_BODY_MAX + 1] = 0;
    struct logbook_input lb = {.body_md = body};
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &lb, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "body_md");
    free(body);
}

static void test_delete_undo(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    int64_t id = write_entry(f, &f->sup_a, &g, "À supprimer", "public");
    struct err e = {0};
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(logbook_undelete(f->db, &f->sup_a, &g, id, now, &e), -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    assert_int_equal(logbook_delete(f->db, &f->part_b, &g, id, now, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(logbook_delete(f->db, &f->sup_a, &g, id, now, &e), 0);
    assert_false(listed(f, NULL, &g, id));
    assert_false(listed(f, &f->sup_a, &g, id));
    assert_int_equal(logbook_undelete(f->db, &f->sup_a, &g, id, now + 3600, &e), 0);
    assert_true(listed(f, NULL, &g, id));
    /* past the window the deletion stays */
    assert_int_equal(logbook_delete(f->db, &f->sup_a, &g, id, now, &e), 0);
    int64_t late = now + (int64_t)LOGBOOK_UNDO_DAYS * 86400 + 1;
    assert_int_equal(logbook_undelete(f->db, &f->sup_a, &g, id, late, &e), -1);
    assert_int_equal(e.status, 410);
    assert_non_null(strstr(e.msg, "30 jours"));
    assert_false(listed(f, &f->sup_a, &g, id));
}

/* An entry named by its id alone leads to its group, deleted or not; nothing else does. */
static void test_entry_group(void **state)
{
    struct fx *f = *state;
    struct group ga = get(f, f->ga), gb = get(f, f->gb);
    int64_t a = write_entry(f, &f->sup_a, &ga, "Dans A", "group");
    int64_t b = write_entry(f, &f->part_b, &gb, "Dans B", "group");
    struct err e = {0};
    int64_t gid = -1;
    assert_int_equal(logbook_entry_group(f->db, a, &gid, &e), 0);
    assert_int_equal(gid, f->ga);
    assert_int_equal(logbook_entry_group(f->db, b, &gid, &e), 0);
    assert_int_equal(gid, f->gb);
    assert_int_equal(logbook_delete(f->db, &f->sup_a, &ga, a, (int64_t)time(NULL), &e), 0);
    assert_int_equal(logbook_entry_group(f->db, a, &gid, &e), 0);
    assert_int_equal(gid, f->ga);
    for (int64_t bad = -1; bad <= 0; bad++) {
        err_clear(&e);
        assert_int_equal(logbook_entry_group(f->db, bad, &gid, &e), -1);
        assert_int_equal(e.status, 404);
        assert_int_equal(gid, 0);
    }
    err_clear(&e);
    assert_int_equal(logbook_entry_group(f->db, b + 1000, &gid, &e), -1);
    assert_int_equal(e.status, 404);
}

/* Every change of an entry's visibility, and its approval, goes into the audit log. */
static void test_audit(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    int64_t id = write_entry(f, &f->sup_a, &g, "Visible", "group");
    struct err e = {0};
    const char *count_sql = "SELECT COUNT(*) FROM audit_log WHERE subject = ? AND subject_id = ? "
                            "AND before_value = ? AND after_value = ?";
    struct logbook_input same = {.title = "Visible, retitled"};
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &same, &e), 0);
    assert_int_equal(
        db_scalar_int(f->db, &e, -1,
                      "SELECT COUNT(*) FROM audit_log WHERE subject = 'entry_visibility' "
                      "AND subject_id = ?",
                      "i", id),
        0);
    struct logbook_input wider = {.visibility = "public"};
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &wider, &e), 0);
    assert_int_equal(
        db_scalar_int(f->db, &e, -1, count_sql, "siss", "entry_visibility", id, "group", "public"),
        1);
    int64_t pending = write_entry(f, &f->part_a, &g, "En attente", "group");
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &g, pending, &e), 0);
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &g, pending, &e), 0);
    assert_int_equal(db_scalar_int(f->db, &e, -1, count_sql, "siss", "entry_approval", pending,
                                   "pending", "published"),
                     1);
}

static void test_markdown(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *h = logbook_render_md(a, "# Titre\n\n*beau* <script>alert(1)</script>\n\n"
                                         "<script>alert(2)</script>\n\n[x](javascript:alert(1)) "
                                         "[y](https://example.org/)");
    assert_non_null(strstr(h, "<h1>Titre</h1>"));
    assert_non_null(strstr(h, "<em>beau</em>"));
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "javascript:"));
    assert_non_null(strstr(h, "href=\"https://example.org/\""));
    assert_string_equal(logbook_render_md(a, ""), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_participant_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supervisor_published, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_undo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
        cmocka_unit_test(test_markdown),
    };
    char name[64];
    snprintf(name, sizeof name, "logbook on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
