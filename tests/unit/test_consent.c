/* test_consent: unit tests for src/consent.c: day numbers, the agreements each age needs,
 * dates, expiry and withdrawal, the append-only history and its audit entries; on SQLite, or
 * PostgreSQL (testdb.h). */
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
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "participant.h"
#include "testdb.h"
#include "visibility.h"

#include "groupfix.h" /* struct fx, its setup and teardown */

/* Days used below; the real today only matters for "signed in the future". */
#define D(s) day(s)
static int64_t day(const char *s)
{
    int64_t d;
    if (consent_day_parse(s, &d))
        fail_msg("bad test date %s", s);
    return d;
}

/* Records in for participant pid as sup_a; checks the outcome (status 0 = success). */
static void expect(struct fx *f, int64_t pid, const struct consent_input *in, int status,
                   const char *field)
{
    struct err e = {0};
    int rc = consent_record(f->db, &f->sup_a, pid, in, &e);
    if (status == 0) {
        if (rc)
            fail_msg("expected success, got %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
        return;
    }
    if (rc == 0)
        fail_msg("expected %d on %s, got success", status, field ? field : "-");
    assert_int_equal(e.status, status);
    if (field) {
        assert_non_null(e.field);
        assert_string_equal(e.field, field);
    }
    assert_true(e.msg[0] != 0);
}

static struct consent current(struct fx *f, int64_t pid, int64_t today)
{
    struct consent c;
    struct err e = {0};
    if (consent_current(f->db, f->a, pid, today, &c, &e))
        fail_msg("current: %s", e.msg);
    return c;
}

static int64_t count(struct fx *f, const char *sql, int64_t id)
{
    struct err e = {0};
    int64_t n = db_scalar_int(f->db, &e, -1, sql, "i", id);
    assert_int_equal(e.status, 0);
    return n;
}

static void test_days(void **state)
{
    (void)state;
    int64_t d;
    assert_int_equal(consent_day(1970, 1, 1), 0);
    assert_int_equal(consent_day(2024, 9, 1), 19967);
    assert_int_equal(consent_day(2000, 1, 1), 10957);
    assert_int_equal(consent_day(2100, 12, 31), 47846);
    assert_int_equal(consent_day_parse("2024-02-29", &d), 0);
    assert_int_equal(d, 19782);
    char buf[11];
    consent_day_format(d, buf);
    assert_string_equal(buf, "2024-02-29");
    consent_day_format(0, buf);
    assert_string_equal(buf, "");
    /* every day of the accepted range goes there and back */
    for (int64_t k = consent_day(CONSENT_YEAR_MIN, 1, 1);
         k <= consent_day(CONSENT_YEAR_MAX, 12, 31); k++) {
        consent_day_format(k, buf);
        if (consent_day_parse(buf, &d) || d != k)
            fail_msg("round trip of day %lld (%s)", (long long)k, buf);
    }
    static const char *const bad[] = {
        "2023-02-29", "2100-02-29", "2024-04-31", "2024-13-01",  "2024-00-10",  "2024-01-00",
        "2024-1-01",  "24-01-01",   "2024/01/01", "2024-01-01 ", " 2024-01-01", "1999-12-31",
        "2101-01-01", "",           "2024-01-0a", "+024-01-01",  NULL};
    for (int i = 0; bad[i]; i++)
        if (consent_day_parse(bad[i], &d) == 0)
            fail_msg("accepted %s", bad[i]);
    assert_int_equal(consent_day_parse(NULL, &d), -1);
    int64_t t = consent_today();
    assert_true(t > consent_day(2024, 1, 1) && t < consent_day(2100, 1, 1));
}

/* Under 15 the young person and the parent both tick; from 15 the parent alone is enough. */
static void test_agreements(void **state)
{
    struct fx *f = *state;
    int64_t ines = mkpart(f, &f->sup_a, f->ga, "Inès B", "12-14", 0);
    int64_t lou = mkpart(f, &f->sup_a, f->ga, "Lou", "6-11", 0);
    int64_t sam = mkpart(f, &f->sup_a, f->ga, "Sam", "15-17", 0);
    int64_t ali = mkpart(f, &f->sup_a, f->ga, "Ali", "26+", 0);
    struct consent_input in = {
        .level = "public", .parent_agreed = 1, .minor_agreed = 0, .signed_on = "2024-09-01"};

    expect(f, ines, &in, 422, "minor_agreed");
    struct err e = {0};
    consent_record(f->db, &f->sup_a, ines, &in, &e);
    assert_non_null(strstr(e.msg, "tous deux"));
    in.parent_agreed = 0;
    in.minor_agreed = 1;
    expect(f, ines, &in, 422, "parent_agreed");
    in.minor_agreed = 0;
    expect(f, ines, &in, 422, "parent_agreed");
    in.level = "group"; /* the lowest level above none asks the same */
    in.parent_agreed = 1;
    expect(f, lou, &in, 422, "minor_agreed");
    assert_int_equal(current(f, ines, D("2024-09-02")).id, 0); /* nothing was written */

    in.level = "public";
    in.parent_agreed = 1;
    in.minor_agreed = 1;
    expect(f, ines, &in, 0, NULL);
    expect(f, lou, &in, 0, NULL);
    struct consent c = current(f, ines, D("2024-09-02"));
    assert_true(c.id > 0);
    assert_int_equal(c.level, VIS_PUBLIC);
    assert_int_equal(c.effective, VIS_PUBLIC);
    assert_true(c.parent_agreed && c.minor_agreed && c.under15);
    assert_int_equal(c.signed_on, D("2024-09-01"));
    assert_int_equal(c.expires_on, 0);
    assert_int_equal(c.recorded_by, f->sup_a.id);
    assert_string_equal(c.recorded_by_name, "sup-a");
    assert_int_equal(c.group_id, f->ga);

    in.minor_agreed = 0;
    expect(f, sam, &in, 0, NULL); /* 15-17: the parent alone */
    assert_int_equal(current(f, sam, D("2024-09-02")).effective, VIS_PUBLIC);
    in.parent_agreed = 0;
    in.minor_agreed = 1;
    expect(f, sam, &in, 422, "parent_agreed");
    in.parent_agreed = 1;
    expect(f, ali, &in, 0, NULL); /* an adult signs in the parent's box */

    /* level none needs nothing ticked: a refusal is recorded as such */
    in = (struct consent_input){.level = "none"};
    expect(f, lou, &in, 0, NULL);
    c = current(f, lou, D("2024-09-02"));
    assert_int_equal(c.level, VIS_NONE);
    assert_int_equal(c.effective, VIS_NONE);
    assert_false(c.withdrawn);
}

static void test_fields(void **state)
{
    struct fx *f = *state;
    int64_t sam = mkpart(f, &f->sup_a, f->ga, "Sam", "15-17", 0);
    struct consent_input in = {.level = "public", .parent_agreed = 1, .signed_on = "2024-09-01"};
    in.level = "everyone";
    expect(f, sam, &in, 422, "level");
    in.level = NULL;
    expect(f, sam, &in, 422, "level");
    in.level = "PUBLIC";
    expect(f, sam, &in, 422, "level");
    in.level = "network";

    in.signed_on = NULL;
    expect(f, sam, &in, 422, "signed_on");
    in.signed_on = "";
    expect(f, sam, &in, 422, "signed_on");
    in.signed_on = "01/09/2024";
    expect(f, sam, &in, 422, "signed_on");
    char future[11];
    /* +3, not +2: a run across midnight must not turn the refusal into the slack below */
    consent_day_format(consent_today() + 3, future);
    in.signed_on = future;
    expect(f, sam, &in, 422, "signed_on");
    char tomorrow[11]; /* one day of slack for the overseas time zones */
    consent_day_format(consent_today() + 1, tomorrow);
    in.signed_on = tomorrow;
    in.note = "fuseau";
    expect(f, sam, &in, 0, NULL);

    in.signed_on = "2024-09-01";
    in.expires_on = "2024-09-01"; /* must come after */
    expect(f, sam, &in, 422, "expires_on");
    in.expires_on = "2024-08-31";
    expect(f, sam, &in, 422, "expires_on");
    in.expires_on = "2024-02-30";
    expect(f, sam, &in, 422, "expires_on");
    in.expires_on = "2024-09-02";
    expect(f, sam, &in, 0, NULL);

    in.expires_on = NULL;
    char *note = arena_alloc(f->a, 2 * CONSENT_NOTE_MAX + 3);
    for (int i = 0; i < CONSENT_NOTE_MAX; i++)
        memcpy(note + 2 * i, "é", 2);
    in.note = note;
    expect(f, sam, &in, 0, NULL);
    memcpy(note + 2 * CONSENT_NOTE_MAX, "é", 2);
    expect(f, sam, &in, 422, "note");
    in.note = "ligne 1\nligne 2\tfin";
    expect(f, sam, &in, 0, NULL);
    assert_string_equal(current(f, sam, D("2024-09-02")).note, "ligne 1\nligne 2\tfin");
    in.note = "bip\x07";
    expect(f, sam, &in, 422, "note");
}

/* Valid through the expiry day, not after; not before the signature. */
static void test_expiry(void **state)
{
    struct fx *f = *state;
    int64_t sam = mkpart(f, &f->sup_a, f->ga, "Sam", "15-17", 0);
    struct consent_input in = {.level = "network",
                               .parent_agreed = 1,
                               .signed_on = "2024-09-01",
                               .expires_on = "2025-08-31"};
    expect(f, sam, &in, 0, NULL);
    assert_int_equal(current(f, sam, D("2024-08-31")).effective, VIS_NONE); /* not signed yet */
    assert_int_equal(current(f, sam, D("2024-09-01")).effective, VIS_NETWORK);
    assert_int_equal(current(f, sam, D("2025-08-31")).effective, VIS_NETWORK); /* expires today */
    assert_int_equal(current(f, sam, D("2025-09-01")).effective, VIS_NONE);    /* yesterday */
    struct consent c = current(f, sam, D("2025-09-01"));
    assert_int_equal(c.level, VIS_NETWORK); /* the record itself is unchanged */
    assert_int_equal(consent_effective_level(&c, D("2025-08-31")), VIS_NETWORK);
    assert_int_equal(consent_effective_level(&c, D("2025-09-01")), VIS_NONE);
    assert_int_equal(consent_effective_level(NULL, D("2025-08-31")), VIS_NONE);

    /* records built by hand: what is missing grants nothing, whatever the level says */
    struct consent h = {.id = 1, .level = VIS_PUBLIC, .parent_agreed = 1, .signed_on = 100};
    assert_int_equal(consent_effective_level(&h, 100), VIS_PUBLIC);
    h.parent_agreed = 0;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
    h.parent_agreed = 1;
    h.under15 = 1;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
    h.minor_agreed = 1;
    assert_int_equal(consent_effective_level(&h, 100), VIS_PUBLIC);
    h.signed_on = 0;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
    h.signed_on = 100;
    h.withdrawn = 1;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
    h.withdrawn = 0;
    h.id = 0;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
    h.id = 1;
    h.level = (enum vis_level)7;
    assert_int_equal(consent_effective_level(&h, 100), VIS_NONE);
}

/* A band corrected below 15 after the form was entered: the young person's own agreement is
 * now missing, so the consent stops counting until a new form is recorded. */
static void test_band_corrected(void **state)
{
    struct fx *f = *state;
    int64_t sam = mkpart(f, &f->sup_a, f->ga, "Sam", "15-17", 0);
    struct consent_input in = {.level = "public", .parent_agreed = 1, .signed_on = "2024-09-01"};
    expect(f, sam, &in, 0, NULL);
    assert_int_equal(current(f, sam, D("2024-10-01")).effective, VIS_PUBLIC);
    struct participant_input up = {.age_band = "12-14", .under15 = -1, .user_id = -1};
    struct err e = {0};
    assert_int_equal(participant_update(f->db, &f->sup_a, sam, &up, &e), 0);
    assert_int_equal(current(f, sam, D("2024-10-01")).effective, VIS_NONE);
}

/* Changes and withdrawals are new records; the history keeps every one, in a single chain. */
static void test_withdraw_and_history(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t ines = mkpart(f, &f->sup_a, f->ga, "Inès B", "12-14", 0);
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, ines, NULL, &e), -1);
    assert_int_equal(e.status, 409); /* nothing to withdraw yet */

    struct consent_input in = {
        .level = "public", .parent_agreed = 1, .minor_agreed = 1, .signed_on = "2024-09-01"};
    expect(f, ines, &in, 0, NULL);
    in.level = "network";
    in.signed_on = "2024-10-01";
    expect(f, ines, &in, 0, NULL);
    assert_int_equal(current(f, ines, D("2024-10-02")).effective, VIS_NETWORK);
    assert_int_equal(consent_withdraw(f->db, &f->coord_hc, ines, "Courrier des parents", &e), 0);
    struct consent c = current(f, ines, D("2024-10-02"));
    assert_true(c.withdrawn);
    assert_int_equal(c.level, VIS_NONE);
    assert_int_equal(c.effective, VIS_NONE);
    assert_string_equal(c.note, "Courrier des parents");
    assert_int_equal(c.recorded_by, f->coord_hc.id);
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, ines, NULL, &e), -1);
    assert_int_equal(e.status, 409); /* already withdrawn */

    struct consent *h;
    int n;
    assert_int_equal(consent_history(f->db, f->a, ines, D("2024-10-02"), &h, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_true(h[0].withdrawn);
    assert_int_equal(h[1].level, VIS_NETWORK);
    assert_int_equal(h[1].effective, VIS_NETWORK); /* as it stood, for the reader */
    assert_int_equal(h[2].level, VIS_PUBLIC);
    assert_int_equal(h[2].signed_on, D("2024-09-01"));
    assert_int_equal(h[0].supersedes_id, h[1].id);
    assert_int_equal(h[1].supersedes_id, h[2].id);
    assert_int_equal(h[2].supersedes_id, 0);

    /* a new form after the withdrawal is again a new record */
    in.level = "group";
    in.signed_on = "2024-11-01";
    expect(f, ines, &in, 0, NULL);
    assert_int_equal(current(f, ines, D("2024-11-02")).effective, VIS_GROUP);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM consents WHERE participant_id = ?", ines), 4);

    /* the audit log has each change, before and after */
    struct audit_entry *log;
    int64_t total;
    struct audit_filter af = {.group_id = f->ga};
    assert_int_equal(audit_list(f->db, f->a, &af, &log, &n, &total, &e), 0);
    int seen = 0;
    for (int i = 0; i < n; i++) {
        if (log[i].subject_id != ines)
            continue;
        static const char *const want[][3] = {{"consent", "none", "group"},
                                              {"consent_withdrawal", "network", "none"},
                                              {"consent", "public", "network"},
                                              {"consent", "", "public"}};
        assert_true(seen < 4);
        assert_string_equal(log[i].subject, want[seen][0]);
        assert_string_equal(log[i].before, want[seen][1]);
        assert_string_equal(log[i].after, want[seen][2]);
        assert_int_equal(log[i].group_id, f->ga);
        assert_string_equal(log[i].actor_login, seen == 1 ? "coord-hc" : "sup-a");
        seen++;
    }
    assert_int_equal(seen, 4);

    /* the chain is single: a second record superseding the same one is refused */
    assert_true(db_execf(f->db, &e,
                         "INSERT INTO consents (participant_id, group_id, level, recorded_by, "
                         "recorded_at, supersedes_id) VALUES (?, ?, 'none', ?, 0, ?)",
                         "iiii", ines, f->ga, f->sup_a.id, h[1].id) < 0);
    assert_int_equal(e.status, 409);
    /* and the schema keeps a withdrawal at none, and a consent signed and agreed */
    assert_true(db_execf(f->db, &e,
                         "INSERT INTO consents (participant_id, group_id, level, recorded_by, "
                         "recorded_at, withdrawn) VALUES (?, ?, 'public', ?, 0, 1)",
                         "iii", ines, f->ga, f->sup_a.id) < 0);
    assert_true(db_execf(f->db, &e,
                         "INSERT INTO consents (participant_id, group_id, level, recorded_by, "
                         "recorded_at, parent_agreed) VALUES (?, ?, 'public', ?, 0, 1)",
                         "iii", ines, f->ga, f->sup_a.id) < 0);
}

static void test_rights(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t sam = mkpart(f, &f->sup_a, f->ga, "Sam", "15-17", 0);
    struct consent_input in = {.level = "public", .parent_agreed = 1, .signed_on = "2024-09-01"};
    const struct account *refused[] = {&f->sup_b, &f->coord_acap, &f->part_a, &f->part_b};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(consent_record(f->db, refused[i], sam, &in, &e), -1);
        assert_int_equal(e.status, 403);
    }
    struct account anon = {0};
    assert_int_equal(consent_record(f->db, &anon, sam, &in, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(consent_record(f->db, &f->sup_a, 999999, &in, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM consents WHERE participant_id = ?", sam), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE subject_id = ?", sam), 0);

    const struct account *allowed[] = {&f->sup_a, &f->sup_struct, &f->coord_hc, &f->admin};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (consent_record(f->db, allowed[i], sam, &in, &e))
            fail_msg("%s: %d %s", allowed[i]->login, e.status, e.msg);
    assert_int_equal(consent_withdraw(f->db, &f->sup_b, sam, NULL, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, 999999, NULL, &e), -1);
    assert_int_equal(e.status, 404);

    struct consent c;
    assert_int_equal(consent_current(f->db, f->a, 999999, 0, &c, &e), -1);
    assert_int_equal(e.status, 404);
    struct consent *h;
    int n;
    assert_int_equal(consent_history(f->db, f->a, 999999, 0, &h, &n, &e), -1);
    assert_int_equal(e.status, 404);
    /* a participant with no record: found, nothing consented */
    int64_t lou = mkpart(f, &f->sup_a, f->ga, "Lou", "6-11", 0);
    assert_int_equal(consent_current(f->db, NULL, lou, D("2024-10-01"), &c, &e), 0);
    assert_int_equal(c.id, 0);
    assert_int_equal(c.participant_id, lou);
    assert_int_equal(c.group_id, f->ga);
    assert_true(c.under15);
    assert_int_equal(c.effective, VIS_NONE);
    assert_int_equal(consent_history(f->db, f->a, lou, 0, &h, &n, &e), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test_setup_teardown(test_agreements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_band_corrected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdraw_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rights, setup, teardown),
    };
    char name[64];
    snprintf(name, sizeof name, "consent on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
