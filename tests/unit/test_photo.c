/* test_photo: unit tests for src/photo.c: who sees a photo (the 1/2/3 matrix, a
 * withdrawal, an expiry, a protected group), uploads that fail leave nothing behind, the
 * limits on alt text, photos per entry and tags, tags and their audit trail, deletion, and
 * signed URLs. Runs on SQLite, and on PostgreSQL through LANTERNE_TEST_DATABASE_URL. */
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

#include "account.h"
#include "consent.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "image.h"
#include "logbook.h"
#include "photo.h"
#include "groupfix.h"

static char g_dir[256];

static struct group get(struct fx *f, int64_t gid)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, gid, &g, &e))
        fail_msg("group_get: %s", e.msg);
    return g;
}

static struct logbook_entry entry(struct fx *f, const struct account *by, const struct group *g,
                                  const char *vis)
{
    struct logbook_input in = {.title = "Tournage", .body_md = "Du texte.", .visibility = vis};
    struct err e = {0};
    int64_t id = 0;
    if (logbook_create(f->db, by, g, &in, &id, &e))
        fail_msg("entry: %d %s", e.status, e.msg);
    struct logbook_entry en;
    if (logbook_get(f->db, f->a, g, id, &en, &e))
        fail_msg("entry get: %s", e.msg);
    return en;
}

static void consent(struct fx *f, const struct account *by, int64_t pid, const char *level,
                    const char *expires)
{
    struct consent_input in = {.level = level,
                               .parent_agreed = 1,
                               .minor_agreed = 1,
                               .signed_on = "2024-01-10",
                               .expires_on = expires};
    struct err e = {0};
    if (consent_record(f->db, by, pid, &in, &e))
        fail_msg("consent %s: %d %s (%s)", level, e.status, e.msg, e.field ? e.field : "-");
}

/* A small JPEG drawn by code. */
static void *picture(unsigned seed, size_t *len)
{
    void *data = NULL;
    struct err e = {0};
    if (image_demo(seed, "Test", 96, 64, &data, len, &e))
        fail_msg("image_demo: %s", e.msg);
    return data;
}

static int64_t add(struct fx *f, const struct account *by, const struct group *g,
                   const struct logbook_entry *en, const int64_t *tags, int n)
{
    size_t len;
    void *data = picture((unsigned)n + 7, &len);
    struct err e = {0};
    int64_t id = 0;
    int rc = photo_add(f->db, by, g, en, g_dir, data, len, "Une photo", &id, &e);
    free(data);
    if (rc)
        fail_msg("photo_add: %d %s", e.status, e.msg);
    if (n && photo_update(f->db, by, g, en, id, NULL, tags, n, &e))
        fail_msg("photo_update: %d %s", e.status, e.msg);
    return id;
}

/* How many of the entry's photos viewer sees. */
static int seen(struct fx *f, const struct account *viewer, const struct group *g,
                const struct logbook_entry *en)
{
    struct photo *ps;
    int n;
    struct err e = {0};
    if (photo_list_entry(f->db, f->a, en->id, &ps, &n, &e))
        fail_msg("list: %s", e.msg);
    return photo_filter_visible(f->db, viewer, g, en, ps, n);
}

/* Files and directories under <g_dir>/media/photos. */
static int stored_dirs(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/media/photos", g_dir);
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static int64_t rows(struct fx *f)
{
    struct err e = {0};
    return db_scalar_int(f->db, &e, -1, "SELECT COUNT(*) FROM photos", "");
}

/* The matrix: public, network and none consents, one photo each. */
struct three {
    struct group g;
    struct logbook_entry en;
    int64_t lou, sami, noe;
    int64_t p_lou, p_sami, p_noe;
};

static struct three three(struct fx *f)
{
    struct three t;
    t.g = get(f, f->ga);
    t.lou = mkpart(f, &f->sup_a, f->ga, "Lou", "15-17", 0);
    t.sami = mkpart(f, &f->sup_a, f->ga, "Sami", "15-17", 0);
    t.noe = mkpart(f, &f->sup_a, f->ga, "Noé", "15-17", 0);
    consent(f, &f->sup_a, t.lou, "public", NULL);
    consent(f, &f->sup_a, t.sami, "network", NULL);
    consent(f, &f->sup_a, t.noe, "none", NULL);
    t.en = entry(f, &f->sup_a, &t.g, "public");
    t.p_lou = add(f, &f->sup_a, &t.g, &t.en, &t.lou, 1);
    t.p_sami = add(f, &f->sup_a, &t.g, &t.en, &t.sami, 1);
    t.p_noe = add(f, &f->sup_a, &t.g, &t.en, &t.noe, 1);
    return t;
}

static void test_matrix(void **state)
{
    struct fx *f = *state;
    struct three t = three(f);
    assert_int_equal(seen(f, NULL, &t.g, &t.en), 1);           /* anonymous: Lou */
    assert_int_equal(seen(f, &f->sup_b, &t.g, &t.en), 2);      /* the network: Lou, Sami */
    assert_int_equal(seen(f, &f->sup_a, &t.g, &t.en), 3);      /* the supervisor: all */
    assert_int_equal(seen(f, &f->coord_hc, &t.g, &t.en), 3);   /* its coordination: all */
    assert_int_equal(seen(f, &f->part_a, &t.g, &t.en), 2);     /* a young member: not Noé */
    assert_int_equal(seen(f, &f->coord_acap, &t.g, &t.en), 2); /* another coordination */
    /* an untagged photo follows the entry alone */
    add(f, &f->sup_a, &t.g, &t.en, NULL, 0);
    assert_int_equal(seen(f, NULL, &t.g, &t.en), 2);
}

static void test_withdrawal_and_expiry(void **state)
{
    struct fx *f = *state;
    struct three t = three(f);
    struct err e = {0};
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, t.lou, "retrait", &e), 0);
    assert_int_equal(seen(f, NULL, &t.g, &t.en), 0);
    assert_int_equal(seen(f, &f->sup_b, &t.g, &t.en), 1);
    /* Sami's consent expired yesterday: gone for the network too */
    char y[11];
    consent_day_format(consent_today() - 1, y);
    consent(f, &f->sup_a, t.sami, "network", y);
    assert_int_equal(seen(f, &f->sup_b, &t.g, &t.en), 0);
    /* valid through its last day */
    char d[11];
    consent_day_format(consent_today(), d);
    consent(f, &f->sup_a, t.sami, "network", d);
    assert_int_equal(seen(f, &f->sup_b, &t.g, &t.en), 1);
}

static void test_protected(void **state)
{
    struct fx *f = *state;
    struct group_input in = {.title = "Atelier protégé",
                             .year = 2024,
                             .structure_id = f->mjc,
                             .visibility = "group",
                             .is_protected = &(int){1}};
    struct err e = {0};
    int64_t gid = 0;
    assert_int_equal(group_create(f->db, &f->sup_a, &in, &gid, &e), 0);
    struct group g = get(f, gid);
    int64_t p = mkpart(f, &f->sup_a, gid, "Comète", "15-17", 0);
    consent(f, &f->sup_a, p, "public", NULL);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "group");
    add(f, &f->sup_a, &g, &en, &p, 1);
    assert_int_equal(seen(f, NULL, &g, &en), 0);
    assert_int_equal(seen(f, &f->sup_b, &g, &en), 0);
    assert_int_equal(seen(f, &f->coord_acap, &g, &en), 0);
    assert_int_equal(seen(f, &f->coord_hc, &g, &en), 1);
    assert_int_equal(seen(f, &f->sup_a, &g, &en), 1);
}

static void test_bad_upload_leaves_nothing(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)"
                              "</script></svg>";
    const struct {
        const void *data;
        size_t len;
        int status;
    } bad[] = {{"", 0, 422}, {pdf, sizeof pdf - 1, 422}, {svg, sizeof svg - 1, 422}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct err e = {0};
        int64_t id = 0;
        assert_int_equal(
            photo_add(f->db, &f->sup_a, &g, &en, g_dir, bad[i].data, bad[i].len, "x", &id, &e), -1);
        assert_int_equal(e.status, bad[i].status);
        assert_string_equal(e.field, "photo");
    }
    /* a truncated JPEG */
    size_t len;
    char *jpg = picture(3, &len);
    struct err e = {0};
    int64_t id = 0;
    assert_int_equal(photo_add(f->db, &f->sup_a, &g, &en, g_dir, jpg, len / 2, "x", &id, &e), -1);
    assert_int_equal(e.status, 422);
    free(jpg);
    assert_int_equal(rows(f), 0);
    assert_int_equal(stored_dirs(), 0);
}

static void test_alt_limit(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    int64_t id = add(f, &f->sup_a, &g, &en, NULL, 0);
    char alt[PHOTO_ALT_MAX * 2 + 3];
    /* in characters: "é" is two bytes */
    size_t k = 0;
    for (int i = 0; i < PHOTO_ALT_MAX; i++) {
        alt[k++] = (char)0xc3;
        alt[k++] = (char)0xa9;
    }
    alt[k] = 0;
    struct err e = {0};
    assert_int_equal(photo_update(f->db, &f->sup_a, &g, &en, id, alt, NULL, 0, &e), 0);
    alt[k++] = 'x';
    alt[k] = 0;
    assert_int_equal(photo_update(f->db, &f->sup_a, &g, &en, id, alt, NULL, 0, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "alt");
}

static void test_per_entry_limit(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    size_t len;
    void *data = picture(5, &len);
    for (int i = 0; i < PHOTO_PER_ENTRY_MAX; i++) {
        struct err e = {0};
        int64_t id;
        if (photo_add(f->db, &f->sup_a, &g, &en, g_dir, data, len, "", &id, &e))
            fail_msg("photo %d: %s", i, e.msg);
    }
    struct err e = {0};
    int64_t id;
    assert_int_equal(photo_add(f->db, &f->sup_a, &g, &en, g_dir, data, len, "", &id, &e), -1);
    assert_int_equal(e.status, 422);
    free(data);
    assert_int_equal(rows(f), PHOTO_PER_ENTRY_MAX);
    assert_int_equal(stored_dirs(), PHOTO_PER_ENTRY_MAX);
}

static void test_rights(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    size_t len;
    void *data = picture(9, &len);
    struct err e = {0};
    int64_t id;
    /* another group's supervisor, a young member on someone else's entry */
    assert_int_equal(photo_add(f->db, &f->sup_b, &g, &en, g_dir, data, len, "", &id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(photo_add(f->db, &f->part_a, &g, &en, g_dir, data, len, "", &id, &e), -1);
    assert_int_equal(e.status, 403);
    /* a young member on their own entry */
    struct logbook_entry own = entry(f, &f->part_a, &g, "group");
    memset(&e, 0, sizeof e);
    assert_int_equal(photo_add(f->db, &f->part_a, &g, &own, g_dir, data, len, "", &id, &e), 0);
    free(data);
}

static void test_tags_and_audit(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    int64_t id = add(f, &f->sup_a, &g, &en, NULL, 0);
    int64_t lou = mkpart(f, &f->sup_a, f->ga, "Lou", "15-17", 0);
    int64_t yanis = db_scalar_int(f->db, &(struct err){0}, 0,
                                  "SELECT id FROM participants WHERE group_id = ?", "i", f->gb);
    struct err e = {0};
    /* a participant of another group */
    assert_int_equal(photo_update(f->db, &f->sup_a, &g, &en, id, NULL, &yanis, 1, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "tags");
    /* over the limit, before any lookup */
    int64_t many[PHOTO_TAGS_MAX + 1];
    for (int i = 0; i <= PHOTO_TAGS_MAX; i++)
        many[i] = lou;
    assert_int_equal(
        photo_update(f->db, &f->sup_a, &g, &en, id, NULL, many, PHOTO_TAGS_MAX + 1, &e), -1);
    assert_int_equal(e.status, 422);
    /* exactly the limit, duplicates folded into one */
    memset(&e, 0, sizeof e);
    assert_int_equal(photo_update(f->db, &f->sup_a, &g, &en, id, NULL, many, PHOTO_TAGS_MAX, &e),
                     0);
    struct photo p;
    assert_int_equal(photo_get(f->db, f->a, id, &p, &e), 0);
    assert_int_equal(p.ntagged, 1);
    assert_int_equal(p.tagged[0], lou);
    assert_int_equal(db_scalar_int(f->db, &e, 0,
                                   "SELECT COUNT(*) FROM audit_log WHERE subject = 'photo_tags' "
                                   "AND subject_id = ? AND before_value = '' AND after_value = ?",
                                   "is", id,
                                   p.ntagged ? arena_printf(f->a, "%lld", (long long)lou) : ""),
                     1);
    /* the same tags again write nothing */
    assert_int_equal(photo_update(f->db, &f->sup_a, &g, &en, id, NULL, &lou, 1, &e), 0);
    assert_int_equal(db_scalar_int(f->db, &e, 0,
                                   "SELECT COUNT(*) FROM audit_log WHERE subject = 'photo_tags'",
                                   ""),
                     1);
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct group g = get(f, f->ga);
    struct logbook_entry en = entry(f, &f->sup_a, &g, "public");
    int64_t lou = mkpart(f, &f->sup_a, f->ga, "Lou", "15-17", 0);
    int64_t id = add(f, &f->sup_a, &g, &en, &lou, 1);
    struct err e = {0};
    assert_int_equal(
        db_execf(f->db, &e, "UPDATE groups SET cover_photo_id = ? WHERE id = ?", "ii", id, g.id),
        1);
    assert_int_equal(stored_dirs(), 1);
    assert_int_equal(photo_delete(f->db, &f->sup_b, &g, &en, id, g_dir, &e), -1);
    assert_int_equal(e.status, 403);
    memset(&e, 0, sizeof e);
    assert_int_equal(photo_delete(f->db, &f->sup_a, &g, &en, id, g_dir, &e), 0);
    assert_int_equal(rows(f), 0);
    assert_int_equal(stored_dirs(), 0);
    assert_int_equal(db_scalar_int(f->db, &e, -1,
                                   "SELECT COALESCE(cover_photo_id, 0) FROM groups WHERE id = ?",
                                   "i", g.id),
                     0);
    struct photo p;
    assert_int_equal(photo_get(f->db, f->a, id, &p, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_signed_urls(void **state)
{
    struct fx *f = *state;
    unsigned char key[PHOTO_KEY_LEN], again[PHOTO_KEY_LEN];
    struct err e = {0};
    assert_int_equal(photo_url_key(f->db, key, &e), 0);
    assert_int_equal(photo_url_key(f->db, again, &e), 0);
    assert_memory_equal(key, again, sizeof key);
    int64_t now = 1800000100; /* inside a step: now + 1 signs the same URL */
    const char *q = photo_url_sign(key, f->a, 12, "1024.webp", 7, now);
    char exp[32], sig[160];
    assert_int_equal(sscanf(q, "e=%31[0-9]&s=%159s", exp, sig), 2);
    assert_true(strtoll(exp, NULL, 10) >= now + PHOTO_URL_TTL);
    assert_true(strtoll(exp, NULL, 10) < now + PHOTO_URL_TTL + PHOTO_URL_STEP);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, sig, now), 0);
    /* the same URL for a while */
    assert_string_equal(q, photo_url_sign(key, f->a, 12, "1024.webp", 7, now + 1));
    assert_int_equal(photo_url_verify(key, 13, "1024.webp", 7, exp, sig, now), 1);
    assert_int_equal(photo_url_verify(key, 12, "2048.webp", 7, exp, sig, now), 1);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 8, exp, sig, now), 1);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 0, exp, sig, now), 1);
    /* expired: valid through its expiry second, not after */
    int64_t x = strtoll(exp, NULL, 10);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, sig, x), 0);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, sig, x + 1), 1);
    /* tampered */
    char bad[160];
    snprintf(bad, sizeof bad, "%s", sig);
    bad[0] = bad[0] == '0' ? '1' : '0';
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, bad, now), 1);
    char later[32];
    snprintf(later, sizeof later, "%lld", (long long)x + PHOTO_URL_STEP);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, later, sig, now), 1);
    /* malformed */
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, NULL, sig, now), 1);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, "12a", sig, now), 1);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, "abc", now), 1);
    assert_int_equal(photo_url_verify(key, 12, "1024.webp", 7, exp, NULL, now), 1);
}

static void test_file_names(void **state)
{
    (void)state;
    assert_true(photo_file_ok("320.webp"));
    assert_true(photo_file_ok("2048.jpg"));
    assert_false(photo_file_ok("320.png"));
    assert_false(photo_file_ok("321.jpg"));
    assert_false(photo_file_ok("../320.jpg"));
    assert_false(photo_file_ok("320.jpg.bak"));
    assert_false(photo_file_ok(""));
}

/* Each test gets a fresh media directory and database. */
static int setup_photo(void **state)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/lanterne-test-photo-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    struct err e = {0};
    if (image_init(NULL, &e))
        return -1;
    return setup(state);
}

static int teardown_photo(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        return -1;
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_matrix, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_withdrawal_and_expiry, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_protected, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_bad_upload_leaves_nothing, setup_photo,
                                        teardown_photo),
        cmocka_unit_test_setup_teardown(test_alt_limit, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_per_entry_limit, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_rights, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_tags_and_audit, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_delete, setup_photo, teardown_photo),
        cmocka_unit_test_setup_teardown(test_signed_urls, setup_photo, teardown_photo),
        cmocka_unit_test(test_file_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
