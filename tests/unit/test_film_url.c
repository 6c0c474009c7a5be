/* test_film_url: unit tests for the signed media URLs of films (src/web/film_media.c): a
 * signature is valid for its film, file, account and expiry only, expires, and is never
 * valid for a photo's URL with the same numbers (the MAC is domain-separated). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "photo.h"
#include "web/film_web.h"

static const unsigned char KEY[32] = "0123456789abcdef0123456789abcde";
static const int64_t NOW = 1800000000;

/* The e= and s= values of a query string made by web_film_sign. */
static void split(const char *q, char *e, size_t en, char *s, size_t sn)
{
    const char *amp = strchr(q, '&');
    assert_non_null(amp);
    assert_true(!strncmp(q, "e=", 2) && !strncmp(amp, "&s=", 3));
    snprintf(e, en, "%.*s", (int)(amp - q - 2), q + 2);
    snprintf(s, sn, "%s", amp + 3);
}

static void test_sign_verify(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *q = web_film_sign(KEY, a, 7, "hls/240p_000.ts", 42, NOW);
    char e[32], s[160];
    split(q, e, sizeof e, s, sizeof s);
    assert_int_equal(strlen(s), 64);
    int64_t exp = strtoll(e, NULL, 10);
    assert_true(exp >= NOW + FILM_URL_TTL && exp < NOW + FILM_URL_TTL + FILM_URL_STEP);
    assert_int_equal(exp % FILM_URL_STEP, 0);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, s, NOW), 0);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, s, exp), 0);
    /* another film, file, account; expired; tampered; malformed */
    assert_int_equal(web_film_verify(KEY, 8, "hls/240p_000.ts", 42, e, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_001.ts", 42, e, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 43, e, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 0, e, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, s, exp + 1), 1);
    char t[160];
    snprintf(t, sizeof t, "%s", s);
    t[10] = t[10] == '0' ? '1' : '0';
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, t, NOW), 1);
    char later[32];
    snprintf(later, sizeof later, "%lld", (long long)(exp + FILM_URL_STEP));
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, later, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, NULL, s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, NULL, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, "", s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, "-5", s, NOW), 1);
    assert_int_equal(web_film_verify(KEY, 7, "hls/240p_000.ts", 42, e, "abc", NOW), 1);
    unsigned char other[32];
    memcpy(other, KEY, sizeof other);
    other[0] ^= 1;
    assert_int_equal(web_film_verify(other, 7, "hls/240p_000.ts", 42, e, s, NOW), 1);
    arena_free(a);
}

static void test_not_a_photo_signature(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* a photo URL signed for photo 7, file "320.jpg", account 42 ... */
    const char *pq = photo_url_sign(KEY, a, 7, "320.jpg", 42, NOW);
    char e[32], s[160];
    split(pq, e, sizeof e, s, sizeof s);
    /* ... is no film URL for film 7, and the other way round */
    assert_int_equal(web_film_verify(KEY, 7, "320.jpg", 42, e, s, NOW), 1);
    const char *fq = web_film_sign(KEY, a, 7, "320.jpg", 42, NOW);
    split(fq, e, sizeof e, s, sizeof s);
    assert_int_equal(photo_url_verify(KEY, 7, "320.jpg", 42, e, s, NOW), 1);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_not_a_photo_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
