/* test_tus: the Range header parser of the HTTP core, and the tus upload logic of src/tus.c:
 * metadata and checksum headers, creation limits, offsets that only move once bytes are
 * written, syncing now and then and going back to the synced offset after a machine crash,
 * checksum mismatches cut back to the previous offset, interrupted requests, a
 * crash's leftover bytes, the lock, expiry. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "core/mem.h"
#include "db/db.h"
#include "http/http.h"
#include "tus.h"
#include "testdb.h"

static void test_range_parse(void **state)
{
    uint64_t s = 0, n = 0;
    assert_int_equal(http_range_parse(NULL, 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=0-9", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 0 && n == 10);
    assert_int_equal(http_range_parse("bytes=90-", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 90 && n == 10);
    assert_int_equal(http_range_parse("bytes=95-200", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 95 && n == 5);
    assert_int_equal(http_range_parse("bytes=-30", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 70 && n == 30);
    assert_int_equal(http_range_parse("bytes=-300", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 0 && n == 100);
    assert_int_equal(http_range_parse("bytes=99-99", 100, &s, &n), HTTP_RANGE_OK);
    assert_true(s == 99 && n == 1);
    assert_int_equal(http_range_parse("bytes=100-", 100, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(http_range_parse("bytes=100-200", 100, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(http_range_parse("bytes=-0", 100, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(http_range_parse("bytes=0-", 0, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    /* several ranges, other units, malformed: the whole file */
    assert_int_equal(http_range_parse("bytes=0-1,5-6", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("items=0-1", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=5-1", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=a-b", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=-", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=1", 100, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(http_range_parse("bytes=99999999999999999999-", 100, &s, &n), HTTP_RANGE_NONE);
}

static void test_headers(void **state)
{
    struct arena *a = arena_new();
    struct err e = {0};
    const char *json;
    assert_int_equal(tus_metadata_parse(a, "kind dGVzdA==,target MQ==, empty", &json, &e), 0);
    assert_string_equal(json, "{\"empty\":\"\",\"kind\":\"test\",\"target\":\"1\"}");
    assert_string_equal(tus_metadata_header(a, json), "empty,kind dGVzdA==,target MQ==");
    assert_int_equal(tus_metadata_parse(a, NULL, &json, &e), 0);
    assert_string_equal(json, "{}");
    assert_int_equal(tus_metadata_parse(a, "kind !!!", &json, &e), -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(tus_metadata_parse(a, "k YQ==,k Yg==", &json, &e), -1);
    unsigned char d[32];
    /* sha256("abc") */
    assert_int_equal(tus_checksum_parse("sha256 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", d),
                     0);
    assert_int_equal(d[0], 0xba);
    assert_int_equal(tus_checksum_parse("md5 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", d), -2);
    assert_int_equal(tus_checksum_parse("sha256 abc", d), -1);
    assert_int_equal(tus_checksum_parse("sha256", d), -1);
    arena_free(a);
}

struct fix {
    struct db *db;
    struct arena *a;
    struct account user;
    char dir[64];
};

static int setup(void **state)
{
    struct fix *f = xcalloc(1, sizeof *f);
    f->db = testdb_open();
    if (!f->db)
        return -1;
    f->a = arena_new();
    snprintf(f->dir, sizeof f->dir, "/tmp/test_tus.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    struct err e = {0};
    if (tus_init(f->dir, &e))
        return -1;
    struct account_new n = {.login = "uploader",
                            .display_name = "Uploader",
                            .password = "un mot de passe long",
                            .role = ROLE_PARTICIPANT};
    if (account_create(f->db, &n, &f->user.id, &e))
        return -1;
    f->user.role = ROLE_PARTICIPANT;
    setenv("LANTERNE_TEST_JOBS", "1", 1);
    unsetenv("LANTERNE_UPLOAD_MAX_BYTES");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    db_close(f->db);
    arena_free(f->a);
    free(f);
    return 0;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : (uint64_t)-1;
}

static void create(struct fix *f, uint64_t len, struct tus_upload *u)
{
    struct err e = {0};
    assert_int_equal(tus_create(f->db, f->a, &f->user, len, "kind dGVzdA==", u, &e), 0);
}

static void test_create_limits(void **state)
{
    struct fix *f = *state;
    struct err e = {0};
    struct tus_upload u;
    assert_int_equal(tus_create(f->db, f->a, &f->user, 10, "kind bm9wZQ==", &u, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(tus_create(f->db, f->a, &f->user, TUS_MAX_BYTES + 1, "kind dGVzdA==", &u, &e),
                     -1);
    assert_int_equal(e.status, 413);
    setenv("LANTERNE_UPLOAD_MAX_BYTES", "1000", 1);
    assert_true(tus_max_bytes() == 1000);
    err_clear(&e);
    assert_int_equal(tus_create(f->db, f->a, &f->user, 1001, "kind dGVzdA==", &u, &e), -1);
    assert_int_equal(e.status, 413);
    unsetenv("LANTERNE_UPLOAD_MAX_BYTES");
    /* more than the disk holds */
    err_clear(&e);
    assert_int_equal(tus_create(f->db, f->a, &f->user, (uint64_t)1 << 62, "kind dGVzdA==", &u, &e),
                     -1);
    setenv("LANTERNE_UPLOAD_MAX_BYTES", "9223372036854775807", 1);
    err_clear(&e);
    assert_int_equal(tus_create(f->db, f->a, &f->user, (uint64_t)1 << 62, "kind dGVzdA==", &u, &e),
                     -1);
    assert_int_equal(e.status, 413);
    unsetenv("LANTERNE_UPLOAD_MAX_BYTES");
    create(f, 10, &u);
    assert_int_equal((int)strlen(u.id), TUS_ID_LEN);
    assert_true(file_size(u.path) == 0);
    struct tus_upload g;
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.length == 10 && g.offset == 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id + 1, &g, &e), -1);
    assert_int_equal(e.status, 404);
}

static int write_all(struct fix *f, struct tus_upload *u, const char *data, size_t n,
                     const unsigned char *sum, int aborted, int *done, struct err *e)
{
    struct tus_write w;
    if (tus_write_begin(&w, f->db, u, sum, e))
        return -1;
    tus_write_chunk(&w, data, n);
    int rc = tus_write_end(&w, f->db, aborted, done, e);
    *u = w.up;
    return rc;
}

static void test_offsets_and_checksum(void **state)
{
    struct fix *f = *state;
    struct err e = {0};
    struct tus_upload u, g;
    int done;
    create(f, 10, &u);
    assert_int_equal(write_all(f, &u, "hello", 5, NULL, 0, &done, &e), 0);
    assert_int_equal(done, 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 5 && file_size(u.path) == 5);
    /* a wrong checksum: nothing counted, the bytes cut off */
    unsigned char sum[32];
    crypto_hash_sha256(sum, (const unsigned char *)"worle", 5);
    assert_int_equal(write_all(f, &g, "world", 5, sum, 0, &done, &e), -1);
    assert_int_equal(e.status, TUS_STATUS_CHECKSUM);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 5 && file_size(u.path) == 5);
    /* an interrupted request keeps what came (no checksum) */
    assert_int_equal(write_all(f, &g, "wor", 3, NULL, 1, &done, &e), 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 8 && file_size(u.path) == 8);
    /* bytes past the counted offset (a killed process) are overwritten */
    int fd = open(u.path, O_WRONLY | O_APPEND);
    assert_int_equal(write(fd, "XXXX", 4), 4);
    close(fd);
    assert_true(file_size(u.path) == 12);
    /* too many bytes: 413, nothing kept */
    err_clear(&e);
    assert_int_equal(write_all(f, &g, "ld!", 3, NULL, 0, &done, &e), -1);
    assert_int_equal(e.status, 413);
    assert_true(file_size(u.path) == 8);
    crypto_hash_sha256(sum, (const unsigned char *)"ld", 2);
    assert_int_equal(write_all(f, &g, "ld", 2, sum, 0, &done, &e), 0);
    assert_int_equal(done, 1);
    assert_int_equal(tus_finish(f->db, &f->user, &g, &e), 0);
    char buf[16] = {0};
    fd = open(u.path, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof buf), 10);
    close(fd);
    assert_string_equal(buf, "helloworld");
    /* the test target logged the sha256 */
    char log[128], line[256] = {0};
    snprintf(log, sizeof log, "%s/tus-test.log", f->dir);
    FILE *lf = fopen(log, "r");
    assert_non_null(lf);
    assert_non_null(fgets(line, sizeof line, lf));
    fclose(lf);
    assert_non_null(
        strstr(line, "936a185caaa266bb9cbe981e9e05cb78cd732b0b3280eb944412bb6f8f8f07af"));
    /* complete: no more writes */
    struct tus_write w;
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_int_equal(tus_write_begin(&w, f->db, &g, NULL, &e), -1);
    assert_int_equal(e.status, 409);
}

static void test_sync_and_crash(void **state)
{
    struct fix *f = *state;
    struct err e = {0};
    struct tus_upload u, g;
    int done;
    create(f, 20, &u);
    assert_true(u.synced_offset == 0 && strlen(u.boot_id) == TUS_BOOT_ID_LEN);
    /* within TUS_SYNC_INTERVAL_S of the last sync: counted, not synced */
    assert_int_equal(write_all(f, &u, "abcde", 5, NULL, 0, &done, &e), 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 5 && g.synced_offset == 0);
    /* the interval passed: the next request syncs */
    assert_int_equal(db_execf(f->db, &e,
                              "UPDATE uploads SET synced_at = synced_at - ? WHERE id = ?", "is",
                              (int64_t)TUS_SYNC_INTERVAL_S, u.id),
                     1);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_int_equal(write_all(f, &g, "fghij", 5, NULL, 0, &done, &e), 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 10 && g.synced_offset == 10);
    assert_int_equal(write_all(f, &g, "klm", 3, NULL, 0, &done, &e), 0);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 13 && g.synced_offset == 10);
    /* the machine restarted (another boot id): back to the synced offset, file cut there */
    assert_int_equal(db_execf(f->db, &e,
                              "UPDATE uploads SET boot_id = "
                              "'00000000-0000-0000-0000-000000000000' WHERE id = ?",
                              "s", u.id),
                     1);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 10 && file_size(u.path) == 10);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), 0);
    assert_true(g.offset == 10);
    /* and goes on from there */
    assert_int_equal(write_all(f, &g, "KLMNOPQRST", 10, NULL, 0, &done, &e), 0);
    assert_int_equal(done, 1);
    assert_true(file_size(u.path) == 20);
}

static void test_lock_and_expiry(void **state)
{
    struct fix *f = *state;
    struct err e = {0};
    struct tus_upload u, g;
    create(f, 10, &u);
    struct tus_write w1, w2;
    assert_int_equal(tus_write_begin(&w1, f->db, &u, NULL, &e), 0);
    assert_int_equal(tus_write_begin(&w2, f->db, &u, NULL, &e), -1);
    assert_int_equal(e.status, 423);
    int done;
    assert_int_equal(tus_delete(f->db, &u, &e), -1); /* not while it is being written */
    assert_int_equal(e.status, 423);
    assert_int_equal(tus_write_end(&w1, f->db, 1, &done, &e), 0);
    assert_int_equal(tus_write_begin(&w2, f->db, &u, NULL, &e), 0);
    assert_int_equal(tus_write_end(&w2, f->db, 1, &done, &e), 0);
    /* a writer idle for TUS_STALE_MS is taken over, and writes nothing after that */
    struct tus_upload g2;
    assert_int_equal(tus_write_begin(&w1, f->db, &u, NULL, &e), 0);
    assert_int_equal(tus_write_chunk(&w1, "abc", 3), 0);
    usleep((TUS_STALE_MS + 200) * 1000);
    assert_int_equal(tus_write_begin(&w2, f->db, &u, NULL, &e), 0);
    assert_int_equal(tus_write_chunk(&w2, "12345", 5), 0);
    assert_int_equal(tus_write_end(&w2, f->db, 0, &done, &e), 0);
    assert_int_equal(tus_write_end(&w1, f->db, 1, &done, &e), -1);
    assert_int_equal(e.status, 409);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g2, &e), 0);
    assert_true(g2.offset == 5 && file_size(u.path) == 5);
    /* expiry */
    int n = 0;
    assert_int_equal(tus_expire(f->db, u.expires_at, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        db_execf(f->db, &e, "UPDATE uploads SET expires_at = 1 WHERE id = ?", "s", u.id), 1);
    err_clear(&e);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), -1);
    assert_int_equal(e.status, 410);
    assert_int_equal(tus_expire(f->db, u.created_at, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_true(file_size(u.path) == (uint64_t)-1);
    err_clear(&e);
    assert_int_equal(tus_get(f->db, f->a, u.id, f->user.id, &g, &e), -1);
    assert_int_equal(e.status, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_parse),
        cmocka_unit_test(test_headers),
        cmocka_unit_test_setup_teardown(test_create_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets_and_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_and_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_expiry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
