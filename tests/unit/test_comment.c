/* test_comment: unit tests for src/comment.c: the body's limits at their edges, the approval
 * of participants' comments, hiding and showing, who sees pending and hidden comments, young
 * authors' names outside their group's circle, protected groups, and the moderation queue of
 * comments; on SQLite, or PostgreSQL (testdb.h). */
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
#include "comment.h"
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

static struct logbook_entry entry(struct fx *f, const struct account *by, const struct group *g,
                                  const char *title, const char *vis)
{
    struct logbook_input in = {.title = title, .body_md = "Texte.", .visibility = vis};
    struct err e = {0};
    int64_t id = 0;
    if (logbook_create(f->db, by, g, &in, &id, &e))
        fail_msg("entry %s: %d %s", title, e.status, e.msg);
    struct logbook_entry en;
    if (logbook_get(f->db, f->a, g, id, &en, &e))
        fail_msg("logbook_get: %s", e.msg);
    return en;
}

static int64_t say(struct fx *f, const struct account *by, const struct group *g,
                   const struct logbook_entry *en, const char *body, int *pending)
{
    struct err e = {0};
    int64_t id = 0;
    if (comment_create(f->db, by, g, en, body, &id, pending, &e))
        fail_msg("comment by %s: %d %s", by ? by->login : "anonymous", e.status, e.msg);
    assert_true(id > 0);
    return id;
}

/* The comment id as viewer finds it in the entry's list, or NULL (list refused: NULL too). */
static const struct comment *seen(struct fx *f, const struct account *viewer, const struct group *g,
                                  const struct logbook_entry *en, int64_t id)
{
    struct comment *items;
    int n;
    struct err e = {0};
    if (comment_list(f->db, f->a, viewer, g, en, &items, &n, &e))
        return NULL;
    for (int i = 0; i < n; i++)
        if (items[i].id == id)
            return &items[i];
    return NULL;
}

static void require_approval(struct fx *f, int64_t gid, int on)
{
    struct group_input in = {.require_comment_approval = &on};
    struct err e = {0};
    if (group_update(f->db, &f->sup_a, gid, &in, &e))
        fail_msg("group_update: %d %s", e.status, e.msg);
}

static int64_t audit_count(struct fx *f, const char *subject, int64_t id)
{
    struct err e = {0};
    int64_t n = db_scalar_int(f->db, &e, -1,
                              "SELECT COUNT(*) FROM audit_log WHERE subject = ? AND subject_id = ?",
                              "si", subject, id);
    assert_int_equal(e.status, 0);
    return n;
}

/* A string of n copies of the UTF-8 character ch, in f's arena. */
static char *repeat(struct fx *f, const char *ch, int n)
{
    size_t k = strlen(ch);
    char *s = arena_alloc(f->a, k * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + k * (size_t)i, ch, k);
    return s;
}

static void expect_refused(struct fx *f, const struct account *by, const struct group *g,
                           const struct logbook_entry *en, const char *body, int status,
                           const char *field)
{
    struct err e = {0};
    int64_t id = 0;
    assert_int_equal(comment_create(f->db, by, g, en, body, &id, NULL, &e), -1);
    assert_int_equal(e.status, status);
    if (field)
        assert_string_equal(e.field, field);
    assert_true(e.msg[0] != 0);
}

static void test_body_limits(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Tournage", "public");
    /* empty, blank: 422 with a French message */
    expect_refused(f, &f->part_b, &g, &en, "", 422, "body");
    expect_refused(f, &f->part_b, &g, &en, " \n\t ", 422, "body");
    expect_refused(f, &f->part_b, &g, &en, NULL, 422, "body");
    struct err e = {0};
    int64_t x;
    assert_int_equal(comment_create(f->db, &f->part_b, &g, &en, "", &x, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "vide"));
    /* one character is enough */
    say(f, &f->part_b, &g, &en, "!", NULL);
    /* COMMENT_BODY_MAX characters pass, one more does not; counted in code points */
    say(f, &f->part_b, &g, &en, repeat(f, "a", COMMENT_BODY_MAX), NULL);
    expect_refused(f, &f->part_b, &g, &en, repeat(f, "a", COMMENT_BODY_MAX + 1), 422, "body");
    say(f, &f->part_b, &g, &en, repeat(f, "é", COMMENT_BODY_MAX), NULL);
    expect_refused(f, &f->part_b, &g, &en, repeat(f, "é", COMMENT_BODY_MAX + 1), 422, "body");
    /* surrounding blanks do not count */
    char *padded = arena_printf(f->a, "  %s\n", repeat(f, "a", COMMENT_BODY_MAX));
    say(f, &f->part_b, &g, &en, padded, NULL);
    /* control characters are refused, line breaks kept */
    expect_refused(f, &f->part_b, &g, &en, "bip\x07", 422, "body");
    int64_t id = say(f, &f->part_b, &g, &en, "Ligne 1\nLigne 2 <b>", NULL);
    struct comment cm;
    assert_int_equal(comment_get(f->db, f->a, id, &cm, &e), 0);
    assert_string_equal(cm.body, "Ligne 1\nLigne 2 <b>");
    /* anonymous visitors and outsiders cannot comment */
    expect_refused(f, NULL, &g, &en, "Bonjour", 403, NULL);
    struct group gb = get(f, f->gb);
    struct logbook_entry grp = entry(f, &f->sup_b, &gb, "Entre nous", "group");
    expect_refused(f, &f->part_a, &gb, &grp, "Bonjour", 404, NULL);
    /* a deleted entry takes no comment */
    assert_int_equal(logbook_delete(f->db, &f->sup_a, &g, en.id, (int64_t)time(NULL), &e), 0);
    assert_int_equal(logbook_get(f->db, f->a, &g, en.id, &en, &e), 0);
    expect_refused(f, &f->sup_a, &g, &en, "Encore ?", 409, NULL);
}

static void test_approval(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Projection", "public");
    int pending = -1;
    /* without the setting, everyone publishes at once */
    int64_t free_id = say(f, &f->part_a, &g, &en, "Super séance !", &pending);
    assert_int_equal(pending, 0);
    assert_non_null(seen(f, NULL, &g, &en, free_id));

    require_approval(f, f->ga, 1);
    g = get(f, f->ga);
    assert_true(g.require_comment_approval);
    int64_t id = say(f, &f->part_a, &g, &en, "J'ai adoré le montage.", &pending);
    assert_int_equal(pending, 1);
    /* pending: its author and the managers, nobody else */
    assert_non_null(seen(f, &f->part_a, &g, &en, id));
    assert_non_null(seen(f, &f->sup_a, &g, &en, id));
    assert_non_null(seen(f, &f->sup_struct, &g, &en, id));
    assert_non_null(seen(f, &f->coord_hc, &g, &en, id));
    assert_non_null(seen(f, &f->admin, &g, &en, id));
    assert_null(seen(f, NULL, &g, &en, id));
    assert_null(seen(f, &f->part_b, &g, &en, id));
    assert_null(seen(f, &f->sup_b, &g, &en, id));
    assert_null(seen(f, &f->coord_acap, &g, &en, id));
    assert_false(seen(f, &f->sup_a, &g, &en, id)->published);
    /* managers and members of other groups publish at once */
    assert_true(say(f, &f->sup_a, &g, &en, "Merci à tous.", &pending) > 0);
    assert_int_equal(pending, 0);
    assert_true(say(f, &f->coord_hc, &g, &en, "Bravo.", &pending) > 0);
    assert_int_equal(pending, 0);
    assert_true(say(f, &f->part_b, &g, &en, "Vu depuis Amiens.", &pending) > 0);
    assert_int_equal(pending, 0);
    /* only the group's managers approve */
    struct err e = {0};
    assert_int_equal(comment_approve(f->db, &f->part_a, &g, id, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(comment_approve(f->db, &f->sup_b, &g, id, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(comment_approve(f->db, &f->coord_acap, &g, id, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(audit_count(f, COMMENT_AUDIT_APPROVE, id), 0);
    assert_int_equal(comment_approve(f->db, &f->sup_a, &g, id, &e), 0);
    assert_non_null(seen(f, NULL, &g, &en, id));
    assert_non_null(seen(f, &f->part_b, &g, &en, id));
    assert_int_equal(audit_count(f, COMMENT_AUDIT_APPROVE, id), 1);
    /* approving again changes nothing and writes nothing */
    assert_int_equal(comment_approve(f->db, &f->sup_a, &g, id, &e), 0);
    assert_int_equal(audit_count(f, COMMENT_AUDIT_APPROVE, id), 1);
    /* a comment of another group is not found through this one */
    struct group gb = get(f, f->gb);
    assert_int_equal(comment_approve(f->db, &f->sup_b, &gb, id, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_hide(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Repérages", "public");
    int64_t id = say(f, &f->part_b, &g, &en, "Un commentaire déplacé.", NULL);
    assert_non_null(seen(f, NULL, &g, &en, id));
    struct err e = {0};
    assert_int_equal(comment_set_hidden(f->db, &f->part_a, &g, id, 1, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(comment_set_hidden(f->db, &f->coord_acap, &g, id, 1, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(comment_set_hidden(f->db, &f->part_b, &g, id, 1, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(comment_set_hidden(f->db, &f->sup_a, &g, id, 1, &e), 0);
    /* hidden: kept, shown to managers only, with who hid it */
    assert_null(seen(f, NULL, &g, &en, id));
    assert_null(seen(f, &f->part_b, &g, &en, id));
    assert_null(seen(f, &f->part_a, &g, &en, id));
    const struct comment *m = seen(f, &f->coord_hc, &g, &en, id);
    assert_non_null(m);
    assert_true(m->hidden_at > 0);
    assert_int_equal(m->hidden_by, f->sup_a.id);
    assert_string_equal(m->hidden_by_name, "sup-a");
    assert_string_equal(m->body, "Un commentaire déplacé.");
    assert_int_equal(audit_count(f, COMMENT_AUDIT_HIDE, id), 1);
    /* hiding twice records nothing more */
    assert_int_equal(comment_set_hidden(f->db, &f->coord_hc, &g, id, 1, &e), 0);
    assert_int_equal(audit_count(f, COMMENT_AUDIT_HIDE, id), 1);
    /* shown again */
    assert_int_equal(comment_set_hidden(f->db, &f->coord_hc, &g, id, 0, &e), 0);
    m = seen(f, NULL, &g, &en, id);
    assert_non_null(m);
    assert_int_equal(m->hidden_at, 0);
    assert_int_equal(audit_count(f, COMMENT_AUDIT_SHOW, id), 1);
    /* who did it and when is in the audit log, with the group */
    int64_t gid = db_scalar_int(f->db, &e, 0,
                                "SELECT group_id FROM audit_log WHERE subject = ? AND "
                                "subject_id = ? AND actor_user_id = ?",
                                "sii", COMMENT_AUDIT_SHOW, id, f->coord_hc.id);
    assert_int_equal(gid, f->ga);
    /* a hidden pending comment is hidden from its author too */
    require_approval(f, f->ga, 1);
    g = get(f, f->ga);
    int64_t p = say(f, &f->part_a, &g, &en, "En attente.", NULL);
    assert_non_null(seen(f, &f->part_a, &g, &en, p));
    assert_int_equal(comment_set_hidden(f->db, &f->sup_a, &g, p, 1, &e), 0);
    assert_null(seen(f, &f->part_a, &g, &en, p));
    assert_non_null(seen(f, &f->sup_a, &g, &en, p));
    /* unknown comment */
    assert_int_equal(comment_set_hidden(f->db, &f->sup_a, &g, 999999, 1, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_names(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Débat", "public");
    /* part_a is "Inès" in group A; their account is called "part-a" */
    int64_t young = say(f, &f->part_a, &g, &en, "C'était bien.", NULL);
    int64_t other = say(f, &f->part_b, &g, &en, "Chez nous aussi.", NULL);
    int64_t adult = say(f, &f->sup_b, &g, &en, "Belle initiative.", NULL);
    /* outside A's circle: no name, not even the pseudonym */
    const struct account *outside[] = {NULL, &f->part_b, &f->sup_b, &f->coord_acap};
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
        const struct comment *cm = seen(f, outside[i], &g, &en, young);
        assert_non_null(cm);
        if (!cm->author_masked || *cm->author_name || *cm->author_group_name)
            fail_msg("%s reads the name of a participant of A",
                     outside[i] ? outside[i]->login : "anonymous");
    }
    /* inside: the name in the group */
    const struct account *inside[] = {&f->part_a, &f->sup_a, &f->sup_struct, &f->coord_hc,
                                      &f->admin};
    for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) {
        const struct comment *cm = seen(f, inside[i], &g, &en, young);
        assert_non_null(cm);
        assert_false(cm->author_masked);
        assert_string_equal(cm->author_name, "Inès");
    }
    /* a young person of another group is named to no one here but themself */
    assert_true(seen(f, &f->sup_a, &g, &en, other)->author_masked);
    assert_true(seen(f, NULL, &g, &en, other)->author_masked);
    assert_false(seen(f, &f->part_b, &g, &en, other)->author_masked);
    /* adults sign with their name for everyone */
    const struct comment *cm = seen(f, NULL, &g, &en, adult);
    assert_false(cm->author_masked);
    assert_string_equal(cm->author_name, "sup-b");
    /* comment_get gives the stored names; comment_name_for applies the rule */
    struct comment raw;
    struct err e = {0};
    assert_int_equal(comment_get(f->db, f->a, young, &raw, &e), 0);
    assert_true(raw.author_is_participant);
    assert_true(raw.author_is_young);
    comment_name_for(f->db, NULL, &g, &raw);
    assert_true(raw.author_masked);
    assert_string_equal(raw.author_name, "");
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
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Atelier", "group");
    int64_t id = say(f, &f->sup_a, &g, &en, "Première séance.", NULL);
    /* outside the group and its coordination: no comment can be read or written */
    const struct account *outside[] = {NULL, &f->part_a, &f->part_b, &f->sup_b, &f->coord_acap};
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
        struct comment *items;
        int n;
        err_clear(&e);
        assert_int_equal(comment_list(f->db, f->a, outside[i], &g, &en, &items, &n, &e), -1);
        assert_int_equal(e.status, 404);
        struct comment cm;
        assert_int_equal(comment_get(f->db, f->a, id, &cm, &e), 0);
        assert_false(comment_can_see(f->db, outside[i], &g, &en, &cm));
        if (outside[i])
            expect_refused(f, outside[i], &g, &en, "Bonjour", 404, NULL);
    }
    assert_non_null(seen(f, &f->coord_hc, &g, &en, id));
    assert_non_null(seen(f, &f->sup_struct, &g, &en, id));
    assert_true(say(f, &f->coord_hc, &g, &en, "Bravo.", NULL) > 0);
}

static void test_follows_entry(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    /* a network entry: its comments reach the network, not anonymous visitors */
    struct logbook_entry net = entry(f, &f->sup_a, &g, "Réseau", "network");
    int64_t id = say(f, &f->part_b, &g, &net, "Merci du partage.", NULL);
    assert_non_null(seen(f, &f->sup_b, &g, &net, id));
    struct comment *items;
    int n;
    struct err e = {0};
    assert_int_equal(comment_list(f->db, f->a, NULL, &g, &net, &items, &n, &e), -1);
    assert_int_equal(e.status, 404);
    /* a participant's pending entry: its author and the managers may comment */
    struct logbook_entry mine = entry(f, &f->part_a, &g, "Mon rôle", "public");
    assert_false(mine.published);
    assert_true(say(f, &f->part_a, &g, &mine, "Ajout.", NULL) > 0);
    expect_refused(f, &f->part_b, &g, &mine, "Intrus", 404, NULL);
    /* the entry from another group's handle is not found */
    struct group gb = get(f, f->gb);
    expect_refused(f, &f->sup_b, &gb, &net, "Ailleurs", 404, NULL);
}

static void test_queue(void **state)
{
    struct fx *f = *state;
    require_approval(f, f->ga, 1);
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Montage", "public");
    int64_t id = say(f, &f->part_a, &g, &en, "Je peux refaire le titre ?", NULL);
    say(f, &f->sup_a, &g, &en, "Publié directement.", NULL);
    struct comment *items;
    int n;
    int64_t total;
    struct err e = {0};
    const struct account *mods[] = {&f->sup_a, &f->sup_struct, &f->coord_hc, &f->admin};
    for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
        assert_int_equal(comment_queue(f->db, f->a, mods[i], &items, &n, &total, &e), 0);
        if (n != 1 || total != 1 || items[0].id != id)
            fail_msg("%s: %d pending comments", mods[i]->login, n);
        assert_string_equal(items[0].author_name, "Inès");
        assert_string_equal(items[0].entry_title, "Montage");
        assert_string_equal(items[0].group_title, "Atelier documentaire");
        assert_string_equal(items[0].group_slug, g.slug);
    }
    const struct account *others[] = {NULL, &f->part_a, &f->part_b, &f->sup_b, &f->coord_acap};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        assert_int_equal(comment_queue(f->db, f->a, others[i], &items, &n, &total, &e), 0);
        assert_int_equal(n, 0);
        assert_int_equal(total, 0);
    }
    /* approved or hidden, it leaves the queue */
    assert_int_equal(comment_approve(f->db, &f->coord_hc, &g, id, &e), 0);
    assert_int_equal(comment_queue(f->db, f->a, &f->sup_a, &items, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    int64_t id2 = say(f, &f->part_a, &g, &en, "Autre question.", NULL);
    assert_int_equal(comment_queue(f->db, f->a, &f->sup_a, &items, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(comment_set_hidden(f->db, &f->sup_a, &g, id2, 1, &e), 0);
    assert_int_equal(comment_queue(f->db, f->a, &f->sup_a, &items, &n, &total, &e), 0);
    assert_int_equal(total, 0);
}

static void test_find_entry(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->gb);
    struct logbook_entry en = entry(f, &f->sup_b, &g, "Ciné-débat", "public");
    struct group fg;
    struct logbook_entry fe;
    struct err e = {0};
    assert_int_equal(logbook_get_by_id(f->db, f->a, en.id, &fg, &fe, &e), 0);
    assert_int_equal(fg.id, f->gb);
    assert_string_equal(fe.title, "Ciné-débat");
    assert_int_equal(logbook_get_by_id(f->db, f->a, 999999, &fg, &fe, &e), -1);
    assert_int_equal(e.status, 404);
    err_clear(&e);
    assert_int_equal(logbook_get_by_id(f->db, f->a, 0, &fg, &fe, &e), -1);
    assert_int_equal(e.status, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_body_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follows_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_entry, setup, teardown),
    };
    char name[64];
    snprintf(name, sizeof name, "comment on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
