/* test_valid: unit tests for src/core/valid.c, the e-mail and web address shapes that
 * accounts, coordinations and structures accept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/valid.h"

static int email(const char *s)
{
    return valid_email(s, VALID_EMAIL_LOCAL_MAX);
}

static void test_email_accepts(void **state)
{
    (void)state;
    assert_true(email("nom@domaine.fr"));
    assert_true(email("contact@mjc-lille.fr"));
    assert_true(email("a.b+c@sous.domaine.org"));
    assert_true(email("x@y.z"));
    assert_true(email("élise@exemple.fr")); /* non-ASCII bytes are the caller's to check */
}

static void test_email_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "contact", "contact@", "@exemple.fr", "a@b", "a@@b.fr", "a@b@c.fr",
        /* characters that cannot stand unquoted, spaces and control characters */
        "a b@c.fr", "<a@b.fr>", "a(b)@c.fr", "a,b@c.fr", "a;b@c.fr", "a:b@c.fr", "a\"b@c.fr",
        "a[b]@c.fr", "a\\b@c.fr", "a@b.fr\n", "a\t@b.fr", "a@b\x7F.fr",
        /* the domain: dotted, no empty label at either end or inside, no hyphen at an end */
        "a@b.", "a@.fr", "a@.b.fr", "a@b.fr.", "a@b..fr", "a@-b.fr", "a@b.fr-"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (email(bad[i]))
            fail_msg("valid_email(\"%s\") accepted", bad[i]);
}

static void test_email_local_limit(void **state)
{
    (void)state;
    static const char dom[] = "@exemple.fr";
    char s[128];
    memset(s, 'l', 64);
    memcpy(s + 64, dom, sizeof dom);
    assert_true(email(s)); /* 64 bytes before the '@': the limit itself */
    memset(s, 'l', 65);
    memcpy(s + 65, dom, sizeof dom);
    assert_false(email(s));
    /* a caller without the RFC 5321 limit still gets every other rule */
    assert_true(valid_email(s, SIZE_MAX));
    assert_false(valid_email("a b@exemple.fr", SIZE_MAX));
}

static void test_http_url_accepts(void **state)
{
    (void)state;
    assert_true(valid_http_url("https://www.exemple.fr"));
    assert_true(valid_http_url("http://exemple.fr/a?b=c#d"));
    assert_true(valid_http_url("HTTPS://EXEMPLE.FR"));
    assert_true(valid_http_url("HTTPS://www.horscadre.eu/a?b=c"));
    assert_true(valid_http_url("https://exemple.fr:8443/chemin"));
    assert_true(valid_http_url("https://exemple.fr/chemin?de=moi@ici")); /* '@' past the host */
}

static void test_http_url_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "www.exemple.fr", "exemple.fr/https://x.fr", "ftp://exemple.fr",
        /* schemes that run code or carry content when followed */
        "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//exemple.fr",
        /* no host */
        "https://", "http://", "https:///chemin", "http:///x", "https://?q", "https://#f",
        /* another site in disguise, or no real host name */
        "https://moi@autre-site.fr", "https://.exemple.fr", "https://:443/",
        /* characters that break out of an attribute or are never raw in a URL */
        "https://a b.fr", "https://exemple.fr/a b", "https://x.fr/\"><script>",
        "https://exemple.fr/\"onmouseover=\"x", "https://exemple.fr/<", "https://exemple.fr/`",
        "https://exemple.fr/{}", "https://exemple.fr/|", "https://exemple.fr/\\",
        "https://exemple.fr/^", "https://exemple.fr/\n", "https://exemple.fr/\x7F"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (valid_http_url(bad[i]))
            fail_msg("valid_http_url(\"%s\") accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_accepts),     cmocka_unit_test(test_email_rejects),
        cmocka_unit_test(test_email_local_limit), cmocka_unit_test(test_http_url_accepts),
        cmocka_unit_test(test_http_url_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
