/* test_buf: unit tests for buf_read_file in src/core/buf.c, the one reader behind templates,
 * static assets and message catalogs: whole files, the cap crossed by one byte, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

/* A temporary file holding n bytes of a repeating pattern; its path is written to path. */
static void make_file(char path[64], size_t n)
{
    snprintf(path, 64, "/tmp/lanterne-test-buf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('a' + (int)(i % 26), f);
    assert_int_equal(fclose(f), 0);
}

static void test_reads_whole_file(void **state)
{
    (void)state;
    char path[64];
    size_t n = 40000; /* several read chunks */
    make_file(path, n);
    struct buf b;
    struct err e = {0};
    buf_init(&b, 0);
    buf_puts(&b, ">");
    assert_int_equal(buf_read_file(&b, path, &e), 0);
    assert_int_equal(b.len, n + 1); /* appended after what was there */
    assert_int_equal(b.data[0], '>');
    assert_int_equal(b.data[1], 'a');
    assert_int_equal(b.data[n], 'a' + (int)((n - 1) % 26));
    assert_int_equal(b.data[n + 1], 0);
    buf_free(&b);
    unlink(path);
}

static void test_empty_file(void **state)
{
    (void)state;
    char path[64];
    make_file(path, 0);
    struct buf b;
    struct err e = {0};
    buf_init(&b, 0);
    assert_int_equal(buf_read_file(&b, path, &e), 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
    unlink(path);
}

static void test_cap(void **state)
{
    (void)state;
    enum { CAP = 20000 };
    char path[64];
    struct buf b;
    struct err e = {0};

    make_file(path, CAP); /* exactly the cap: read */
    buf_init(&b, CAP);
    assert_int_equal(buf_read_file(&b, path, &e), 0);
    assert_int_equal(b.len, CAP);
    buf_free(&b);
    unlink(path);

    make_file(path, CAP + 1); /* one byte more: refused, and the buffer is as it was */
    buf_init(&b, CAP);
    buf_puts(&b, "kept");
    assert_int_equal(buf_read_file(&b, path, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "larger than"));
    assert_non_null(strstr(e.msg, path));
    assert_string_equal(buf_cstr(&b), "kept");
    buf_free(&b);
    unlink(path);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct buf b;
    struct err e = {0};
    buf_init(&b, 0);
    assert_int_equal(buf_read_file(&b, "/nonexistent/lanterne/file", &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "cannot open /nonexistent/lanterne/file"));
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_whole_file),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
