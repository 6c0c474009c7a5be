/* test_report: unit tests for src/report.c: the per-address throttle at its edge (and the
 * address never stored), validation of kind, reason and note at their limits, a report of what
 * the reporter cannot see answering 404 for every kind (photos included), closing a report,
 * and the moderation queue's scope against group_can_manage; on SQLite, or PostgreSQL
 * (testdb.h). */
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
#include "consent.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "logbook.h"
#include "report.h"
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

/* report_create's status (0 when recorded), e left in *out when given. */
static int try_report(struct fx *f, const struct account *by, const char *addr, const char *kind,
                      int64_t id, const char *reason, const char *note, int64_t now,
                      struct err *out)
{
    struct report_input in = {.kind = kind, .id = id, .reason = reason, .note = note};
    struct err e = {0};
    int64_t rid = 0;
    int rc = report_create(f->db, by, addr, &in, now, &rid, &e);
    if (out)
        *out = e;
    if (rc == 0) {
        assert_true(rid > 0);
        return 0;
    }
    assert_true(e.status >= 400);
    return e.status;
}

static int64_t must_report(struct fx *f, const struct account *by, const char *kind, int64_t id)
{
    struct report_input in = {.kind = kind, .id = id, .reason = "other"};
    struct err e = {0};
    int64_t rid = 0;
    if (report_create(f->db, by, "198.51.100.1", &in, (int64_t)time(NULL), &rid, &e))
        fail_msg("report %s %lld: %d %s", kind, (long long)id, e.status, e.msg);
    return rid;
}

static char *repeat(struct fx *f, const char *ch, int n)
{
    size_t k = strlen(ch);
    char *s = arena_alloc(f->a, k * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + k * (size_t)i, ch, k);
    return s;
}

static void test_throttle(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Projection", "public");
    int64_t now = 1800000000;
    for (int i = 0; i < REPORT_PER_ADDRESS_HOUR; i++)
        assert_int_equal(
            try_report(f, NULL, "203.0.113.7", "entry", en.id, "offensive", NULL, now + i, NULL),
            0);
    struct err e;
    assert_int_equal(
        try_report(f, NULL, "203.0.113.7", "entry", en.id, "offensive", NULL, now + 60, &e), 429);
    assert_non_null(strstr(e.msg, "heure"));
    /* signed in or not, the address is what counts */
    assert_int_equal(
        try_report(f, &f->part_b, "203.0.113.7", "entry", en.id, "other", NULL, now + 61, NULL),
        429);
    /* another address is not held back */
    assert_int_equal(
        try_report(f, NULL, "2001:db8::1", "entry", en.id, "other", NULL, now + 62, NULL), 0);
    /* an hour after the first one, one slot is free again, and only one */
    assert_int_equal(
        try_report(f, NULL, "203.0.113.7", "entry", en.id, "other", NULL, now + 3600, NULL), 0);
    assert_int_equal(
        try_report(f, NULL, "203.0.113.7", "entry", en.id, "other", NULL, now + 3600, NULL), 429);
    /* the address itself is stored nowhere: a keyed hash of it */
    struct err de = {0};
    int64_t leaks = db_scalar_int(f->db, &de, -1,
                                  "SELECT COUNT(*) FROM reports WHERE addr_hash LIKE '%203.0%' "
                                  "OR note LIKE '%203.0%' OR length(addr_hash) <> 64",
                                  "");
    assert_int_equal(de.status, 0);
    assert_int_equal(leaks, 0);
    int64_t hashes =
        db_scalar_int(f->db, &de, -1, "SELECT COUNT(DISTINCT addr_hash) FROM reports", "");
    assert_int_equal(hashes, 2);
}

static void test_validation(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Projection", "public");
    int64_t now = (int64_t)time(NULL);
    struct err e;
    assert_int_equal(try_report(f, NULL, "a1", "video", en.id, "other", NULL, now, &e), 422);
    assert_string_equal(e.field, "type");
    assert_int_equal(try_report(f, NULL, "a1", NULL, en.id, "other", NULL, now, &e), 422);
    assert_string_equal(e.field, "type");
    assert_int_equal(try_report(f, NULL, "a1", "entry", en.id, "", NULL, now, &e), 422);
    assert_string_equal(e.field, "reason");
    assert_int_equal(try_report(f, NULL, "a1", "entry", en.id, "boring", NULL, now, &e), 422);
    assert_string_equal(e.field, "reason");
    /* the note: REPORT_NOTE_MAX characters pass, one more does not */
    assert_int_equal(try_report(f, NULL, "a2", "entry", en.id, "minor_data",
                                repeat(f, "é", REPORT_NOTE_MAX), now, NULL),
                     0);
    assert_int_equal(try_report(f, NULL, "a2", "entry", en.id, "minor_data",
                                repeat(f, "é", REPORT_NOTE_MAX + 1), now, &e),
                     422);
    assert_string_equal(e.field, "note");
    assert_int_equal(
        try_report(f, NULL, "a2", "entry", en.id, "no_consent", "Ligne\nsuivante", now, NULL), 0);
    assert_int_equal(try_report(f, NULL, "a2", "entry", en.id, "no_consent", "bip\x01", now, &e),
                     422);
    assert_string_equal(e.field, "note");
    /* every reason of the list is accepted and has a label */
    for (const struct report_reason *r = report_reasons; r->code; r++) {
        assert_int_equal(try_report(f, NULL, "a3", "group", f->ga, r->code, NULL, now, NULL), 0);
        assert_non_null(report_reason_label(r->code));
    }
    /* what was stored */
    struct err de = {0};
    int64_t stored = db_scalar_int(f->db, &de, 0,
                                   "SELECT COUNT(*) FROM reports WHERE target_kind = 'entry' AND "
                                   "target_id = ? AND group_id = ? AND entry_id = ? AND "
                                   "reporter_user_id IS NULL AND note = ?",
                                   "iiis", en.id, f->ga, en.id, "Ligne\nsuivante");
    assert_int_equal(stored, 1);
}

static void test_not_visible(void **state)
{
    struct fx *f = *state;
    struct group ga = get(f, f->ga), gb = get(f, f->gb);
    int64_t now = (int64_t)time(NULL);
    /* entries: a network one is not for anonymous visitors; a group one not for the network */
    struct logbook_entry pub = entry(f, &f->sup_a, &ga, "Public", "public");
    struct logbook_entry net = entry(f, &f->sup_a, &ga, "Réseau", "network");
    struct logbook_entry grp = entry(f, &f->sup_a, &ga, "Groupe", "group");
    assert_int_equal(try_report(f, NULL, "n1", "entry", pub.id, "other", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, NULL, "n1", "entry", net.id, "other", NULL, now, NULL), 404);
    assert_int_equal(try_report(f, &f->part_b, "n1", "entry", net.id, "other", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, &f->part_b, "n1", "entry", grp.id, "other", NULL, now, NULL),
                     404);
    assert_int_equal(try_report(f, &f->part_a, "n1", "entry", grp.id, "other", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, NULL, "n1", "entry", 99999999, "other", NULL, now, NULL), 404);
    assert_int_equal(try_report(f, NULL, "n1", "entry", 0, "other", NULL, now, NULL), 404);
    /* a pending entry: its author and the managers only */
    struct logbook_entry mine = entry(f, &f->part_a, &ga, "En attente", "public");
    assert_int_equal(try_report(f, NULL, "n2", "entry", mine.id, "other", NULL, now, NULL), 404);
    /* groups: B's page is for the network */
    assert_int_equal(try_report(f, NULL, "n2", "group", f->gb, "other", NULL, now, NULL), 404);
    assert_int_equal(try_report(f, NULL, "n2", "group", f->ga, "other", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, &f->part_a, "n2", "group", f->gb, "other", NULL, now, NULL), 0);
    /* comments: pending and hidden ones are not for the public */
    struct err e = {0};
    int64_t c1 = 0, c2 = 0, c3 = 0;
    assert_int_equal(comment_create(f->db, &f->part_b, &ga, &pub, "Bravo", &c1, NULL, &e), 0);
    assert_int_equal(comment_create(f->db, &f->part_b, &ga, &pub, "Hors sujet", &c2, NULL, &e), 0);
    assert_int_equal(comment_set_hidden(f->db, &f->sup_a, &ga, c2, 1, &e), 0);
    int on = 1;
    struct group_input gi = {.require_comment_approval = &on};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &gi, &e), 0);
    ga = get(f, f->ga);
    assert_int_equal(comment_create(f->db, &f->part_a, &ga, &pub, "Attente", &c3, NULL, &e), 0);
    assert_int_equal(try_report(f, NULL, "n3", "comment", c1, "offensive", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, NULL, "n3", "comment", c2, "offensive", NULL, now, NULL), 404);
    assert_int_equal(try_report(f, NULL, "n3", "comment", c3, "offensive", NULL, now, NULL), 404);
    assert_int_equal(try_report(f, &f->sup_a, "n3", "comment", c2, "other", NULL, now, NULL), 0);
    assert_int_equal(try_report(f, NULL, "n3", "comment", 99999999, "other", NULL, now, NULL), 404);
    /* a comment's report names its entry and group, for the queue's link */
    struct report_target t;
    assert_int_equal(report_resolve(f->db, f->a, NULL, REPORT_COMMENT, c1, &t, &e), 0);
    assert_int_equal(t.entry_id, pub.id);
    assert_int_equal(t.group_id, f->ga);
    assert_string_equal(t.entry_title, "Public");
    /* a protected group: nothing of it can be reported from outside */
    struct group_input pi = {
        .title = "Unité éducative", .year = 2024, .structure_id = f->cs, .is_protected = &(int){1}};
    int64_t pg = 0;
    assert_int_equal(group_create(f->db, &f->sup_b, &pi, &pg, &e), 0);
    struct group gp = get(f, pg);
    struct logbook_entry pe = entry(f, &f->sup_b, &gp, "Séance", "group");
    const struct account *outside[] = {NULL, &f->part_a, &f->sup_a, &f->coord_hc};
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
        assert_int_equal(try_report(f, outside[i], "n4", "group", pg, "other", NULL, now, NULL),
                         404);
        assert_int_equal(try_report(f, outside[i], "n5", "entry", pe.id, "other", NULL, now, NULL),
                         404);
    }
    assert_int_equal(try_report(f, &f->coord_acap, "n6", "entry", pe.id, "other", NULL, now, NULL),
                     0);
    (void)gb;
}

static int64_t photo_row(struct fx *f, const struct logbook_entry *en, const char *key)
{
    struct err e = {0};
    int64_t id = db_scalar_int(f->db, &e, 0,
                               "INSERT INTO photos (entry_id, group_id, storage_key, width, "
                               "height, sizes, created_at, updated_at) "
                               "VALUES (?, ?, ?, 640, 480, '320x240', 0, 0) RETURNING id",
                               "iis", en->id, en->group_id, key);
    if (e.status || id <= 0)
        fail_msg("photo: %s", e.msg);
    return id;
}

static void test_photo(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry pub = entry(f, &f->sup_a, &g, "Photos", "public");
    int64_t untagged = photo_row(f, &pub, "k1");
    int64_t tagged = photo_row(f, &pub, "k2");
    /* Inès (part_a's participant row) has no consent recorded: a photo of her is shown to no
     * one outside the people who manage the group */
    struct err e = {0};
    int64_t pid = db_scalar_int(f->db, &e, 0,
                                "SELECT id FROM participants WHERE group_id = ? AND user_id = ?",
                                "ii", f->ga, f->part_a.id);
    assert_true(pid > 0);
    assert_int_equal(db_execf(f->db, &e,
                              "INSERT INTO photo_tags (photo_id, participant_id) VALUES (?, ?)",
                              "ii", tagged, pid),
                     1);
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(try_report(f, NULL, "p1", "photo", untagged, "no_consent", NULL, now, NULL),
                     0);
    assert_int_equal(try_report(f, NULL, "p1", "photo", tagged, "no_consent", NULL, now, NULL),
                     404);
    assert_int_equal(try_report(f, &f->sup_a, "p1", "photo", tagged, "no_consent", NULL, now, NULL),
                     0);
    assert_int_equal(try_report(f, NULL, "p1", "photo", 99999999, "other", NULL, now, NULL), 404);
    /* the group and the entry are stored, so the queue scopes and links it */
    int64_t stored = db_scalar_int(f->db, &e, 0,
                                   "SELECT COUNT(*) FROM reports WHERE target_kind = 'photo' AND "
                                   "group_id = ? AND entry_id = ?",
                                   "ii", f->ga, pub.id);
    assert_int_equal(stored, 2);
}

static void test_close(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "Projection", "public");
    int64_t id = must_report(f, NULL, "entry", en.id);
    struct err e = {0};
    assert_int_equal(report_close(f->db, &f->sup_b, id, NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(report_close(f->db, &f->coord_acap, id, NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(report_close(f->db, &f->part_a, id, NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(report_close(f->db, NULL, id, NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(
        report_close(f->db, &f->sup_a, id, repeat(f, "x", REPORT_RESOLUTION_MAX + 1), &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "resolution");
    err_clear(&e);
    assert_int_equal(report_close(f->db, &f->sup_a, id, repeat(f, "x", REPORT_RESOLUTION_MAX), &e),
                     0);
    struct report_item it;
    assert_int_equal(report_get(f->db, f->a, id, &it, &e), 0);
    assert_true(it.closed_at > 0);
    assert_int_equal(it.closed_by, f->sup_a.id);
    assert_int_equal((int)strlen(it.resolution), REPORT_RESOLUTION_MAX);
    assert_string_equal(it.entry_title, "Projection");
    assert_int_equal(it.kind, REPORT_ENTRY);
    assert_int_equal(it.target_id, en.id);
    assert_int_equal(report_close(f->db, &f->coord_hc, id, NULL, &e), -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    int64_t audited = db_scalar_int(f->db, &e, 0,
                                    "SELECT COUNT(*) FROM audit_log WHERE subject = ? AND "
                                    "subject_id = ? AND actor_user_id = ? AND group_id = ?",
                                    "siii", REPORT_AUDIT_CLOSE, id, f->sup_a.id, f->ga);
    assert_int_equal(audited, 1);
    /* the coordination closes one with no note */
    int64_t id2 = must_report(f, &f->part_b, "group", f->ga);
    assert_int_equal(report_close(f->db, &f->coord_hc, id2, "", &e), 0);
    assert_int_equal(report_close(f->db, &f->admin, 99999999, "", &e), -1);
    assert_int_equal(e.status, 404);
}

static int in_queue(struct fx *f, const struct account *who, int64_t report_id)
{
    struct report_item *items;
    int n;
    int64_t total;
    struct err e = {0};
    if (report_queue(f->db, f->a, who, &items, &n, &total, &e))
        fail_msg("report_queue: %s", e.msg);
    assert_int_equal(total, n);
    for (int i = 0; i < n; i++)
        if (items[i].id == report_id)
            return 1;
    return 0;
}

static void test_queue_scope(void **state)
{
    struct fx *f = *state;
    struct group ga = get(f, f->ga), gb = get(f, f->gb);
    int64_t ra = must_report(f, NULL, "group", f->ga);
    int64_t rb = must_report(f, &f->part_a, "group", f->gb);
    /* a third group at B's structure that sup_a is listed on, though not attached there */
    struct group_input gi = {
        .title = "Atelier partagé", .year = 2024, .structure_id = f->cs, .visibility = "public"};
    int64_t gc = 0;
    struct err e = {0};
    assert_int_equal(group_create(f->db, &f->sup_b, &gi, &gc, &e), 0);
    int64_t both[] = {f->sup_b.id, f->sup_a.id};
    assert_int_equal(group_set_supervisors(f->db, &f->sup_b, gc, both, 2, &e), 0);
    int64_t rc = must_report(f, NULL, "group", gc);
    struct group gcg = get(f, gc);
    /* the queue holds a group's report exactly when its reader manages the group */
    const struct account *everyone[] = {&f->admin,      &f->coord_hc, &f->coord_acap, &f->sup_a,
                                        &f->sup_struct, &f->sup_b,    &f->part_a,     &f->part_b};
    const struct {
        int64_t report;
        const struct group *g;
    } cases[] = {{ra, &ga}, {rb, &gb}, {rc, &gcg}};
    for (size_t i = 0; i < sizeof everyone / sizeof *everyone; i++)
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            int manages = group_can_manage(f->db, everyone[i], cases[k].g);
            if (in_queue(f, everyone[i], cases[k].report) != manages)
                fail_msg("%s and the report on %s: queue %d, manages %d", everyone[i]->login,
                         cases[k].g->title, !manages, manages);
        }
    assert_true(in_queue(f, &f->sup_a, rc));
    assert_false(in_queue(f, &f->sup_struct, rc));
    assert_false(report_can_moderate(&f->part_a));
    assert_false(report_can_moderate(NULL));
    assert_true(report_can_moderate(&f->sup_a));
    /* closed reports leave the queue */
    assert_int_equal(report_close(f->db, &f->sup_a, ra, "Traité.", &e), 0);
    assert_false(in_queue(f, &f->sup_a, ra));
    assert_false(in_queue(f, &f->admin, ra));
}

static void test_pending_entries(void **state)
{
    struct fx *f = *state;
    struct group ga = get(f, f->ga);
    struct logbook_entry mine = entry(f, &f->part_a, &ga, "Mon rôle", "group");
    entry(f, &f->sup_a, &ga, "Publiée", "public");
    struct report_pending_entry *items;
    int n;
    int64_t total;
    struct err e = {0};
    const struct account *mods[] = {&f->sup_a, &f->sup_struct, &f->coord_hc, &f->admin};
    for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
        assert_int_equal(report_pending_entries(f->db, f->a, mods[i], &items, &n, &total, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(total, 1);
        assert_int_equal(items[0].id, mine.id);
        assert_string_equal(items[0].title, "Mon rôle");
        assert_string_equal(items[0].author_name, "Inès");
        assert_string_equal(items[0].group_slug, ga.slug);
    }
    const struct account *others[] = {NULL, &f->part_a, &f->sup_b, &f->coord_acap};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        assert_int_equal(report_pending_entries(f->db, f->a, others[i], &items, &n, &total, &e), 0);
        assert_int_equal(total, 0);
    }
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &ga, mine.id, &e), 0);
    assert_int_equal(report_pending_entries(f->db, f->a, &f->sup_a, &items, &n, &total, &e), 0);
    assert_int_equal(total, 0);
}

static void test_kinds(void **state)
{
    (void)state;
    enum report_kind k;
    const char *names[] = {"entry", "comment", "photo", "group"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(report_kind_parse(names[i], &k), 0);
        assert_string_equal(report_kind_name(k), names[i]);
    }
    assert_int_equal(report_kind_parse("Entry", &k), -1);
    assert_int_equal(report_kind_parse("", &k), -1);
    assert_int_equal(report_kind_parse(NULL, &k), -1);
    assert_string_equal(report_kind_name((enum report_kind)9), "");
    assert_null(report_reason_label("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_visible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_photo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_entries, setup, teardown),
        cmocka_unit_test(test_kinds),
    };
    char name[64];
    snprintf(name, sizeof name, "report on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
