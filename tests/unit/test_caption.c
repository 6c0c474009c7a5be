/* test_caption: unit tests for src/caption.c: WebVTT accepted and normalised, SRT converted,
 * malformed files refused with the line at fault, the size limit at its edge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "caption.h"
#include "core/mem.h"

static const char *conv(struct arena *a, const char *in, struct err *e)
{
    const char *out = NULL;
    size_t n = 0;
    err_clear(e);
    if (caption_to_webvtt(a, in, strlen(in), &out, &n, e))
        return NULL;
    assert_int_equal(strlen(out), n);
    return out;
}

static void test_times(void **state)
{
    (void)state;
    assert_int_equal(caption_parse_time("00:00:01.500", 12, '.'), 1500);
    assert_int_equal(caption_parse_time("01:02.003", 9, '.'), 62003);
    assert_int_equal(caption_parse_time("10:00:00,000", 12, ','), 36000000);
    assert_int_equal(caption_parse_time("00:60:00.000", 12, '.'), -1);
    assert_int_equal(caption_parse_time("00:00:01,500", 12, '.'), -1);
    assert_int_equal(caption_parse_time("00:00:1.500", 11, '.'), -1);
    assert_int_equal(caption_parse_time("00:00:01.50", 11, '.'), -1);
    assert_int_equal(caption_parse_time("aa:00:01.500", 12, '.'), -1);
    assert_int_equal(caption_parse_time("", 0, '.'), -1);
}

static void test_webvtt(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct err e;
    const char *v = conv(a,
                         "\xEF\xBB\xBFWEBVTT - titre\r\n\r\nNOTE une note\r\n\r\nc1\r\n"
                         "00:00:01.000 --> 00:00:02.000 line:90%\r\n<v Inès>Bonjour\r\n\r\n"
                         "00:02.500 --> 00:03.000\nAu revoir\n",
                         &e);
    assert_non_null(v);
    assert_string_equal(v, "WEBVTT\n\nc1\n00:00:01.000 --> 00:00:02.000 line:90%\n<v Inès>Bonjour"
                           "\n\n00:00:02.500 --> 00:00:03.000\nAu revoir\n\n");
    assert_null(conv(a, "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n", &e));
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "captions");
    assert_non_null(strstr(e.msg, "Ligne 3"));
    assert_null(conv(a,
                     "WEBVTT\n\n00:00:03.000 --> 00:00:04.000\nx\n\n00:00:01.000 --> "
                     "00:00:02.000\ny\n",
                     &e));
    assert_null(conv(a, "WEBVTT\n", &e));
    assert_non_null(strstr(e.msg, "aucun"));
    assert_null(conv(a, "WEBVTT\n\nid\nnot a timing\n", &e));
    assert_null(conv(a, "WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nx\n", &e));
    assert_null(conv(a, "\xff\xfe", &e));
    arena_free(a);
}

static void test_srt(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct err e;
    const char *v = conv(a,
                         "1\r\n00:00:01,000 --> 00:00:02,500\r\nBonjour\r\nà tous\r\n\r\n2\r\n"
                         "00:00:03,000 --> 00:00:04,000\r\n-- > --> ici\r\n",
                         &e);
    assert_non_null(v);
    assert_string_equal(v, "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nBonjour\nà tous\n\n"
                           "00:00:03.000 --> 00:00:04.000\n-- > --&gt; ici\n\n");
    assert_null(conv(a, "1\n00:00:01.000 --> 00:00:02.000\nx\n", &e));
    assert_non_null(strstr(e.msg, "Ligne 2"));
    assert_null(conv(a, "bonjour tout le monde\n", &e));
    assert_int_equal(e.status, 422);
    arena_free(a);
}

static void test_size_limit(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct err e = {0};
    /* a file exactly at the limit passes, one byte more is 413 */
    const char *cue = "00:00:01.000 --> 00:00:02.000\nUne réplique un peu plus longue.\n\n";
    size_t cl = strlen(cue), head = 8;
    char *buf = malloc(CAPTION_BYTES_MAX + 2);
    memcpy(buf, "WEBVTT\n\n", head);
    size_t n = head;
    while (n + cl <= CAPTION_BYTES_MAX) {
        memcpy(buf + n, cue, cl);
        n += cl;
    }
    while (n < CAPTION_BYTES_MAX)
        buf[n++] = '\n';
    const char *out;
    size_t on;
    int rc = caption_to_webvtt(a, buf, n, &out, &on, &e);
    if (rc)
        fail_msg("at the limit: %d %s", e.status, e.msg);
    buf[n++] = '\n';
    assert_int_equal(caption_to_webvtt(a, buf, n, &out, &on, &e), -1);
    assert_int_equal(e.status, 413);
    free(buf);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_webvtt),
        cmocka_unit_test(test_srt),
        cmocka_unit_test(test_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
