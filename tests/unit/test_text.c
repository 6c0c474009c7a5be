/* test_text: unit tests for src/core/text.c (UTF-8 validation and counting, control characters,
 * search normalization, slugs).
 * The normalization cases are real commune names, since commune search depends on them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/mem.h"
#include "core/text.h"

static int valid(const char *s)
{
    return text_utf8_valid(s, strlen(s));
}

static void test_utf8_valid_accepts(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("ascii"));
    assert_true(valid("Saint-Étienne"));
    assert_true(valid("\xC2\x80"));         /* U+0080, smallest 2-byte */
    assert_true(valid("\xDF\xBF"));         /* U+07FF */
    assert_true(valid("\xE0\xA0\x80"));     /* U+0800, smallest 3-byte */
    assert_true(valid("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    assert_true(valid("\xEE\x80\x80"));     /* U+E000, just above them */
    assert_true(valid("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(valid("\xF0\x90\x80\x80")); /* U+10000 */
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
    assert_true(text_utf8_valid("a\0b", 3));
}

static void test_utf8_valid_rejects(void **state)
{
    (void)state;
    assert_false(valid("\x80"));             /* lone continuation */
    assert_false(valid("\xC3"));             /* truncated */
    assert_false(valid("\xC3("));            /* bad continuation */
    assert_false(valid("\xC0\xAF"));         /* overlong '/' */
    assert_false(valid("\xC1\xBF"));         /* overlong */
    assert_false(valid("\xE0\x80\xAF"));     /* overlong 3-byte */
    assert_false(valid("\xE0\x9F\xBF"));     /* overlong U+07FF */
    assert_false(valid("\xF0\x80\x80\xAF")); /* overlong 4-byte */
    assert_false(valid("\xF0\x8F\xBF\xBF")); /* overlong U+FFFF */
    assert_false(valid("\xED\xA0\x80"));     /* U+D800 surrogate */
    assert_false(valid("\xED\xBF\xBF"));     /* U+DFFF surrogate */
    assert_false(valid("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xF5\x80\x80\x80"));
    assert_false(valid("\xF8\x88\x80\x80\x80")); /* old 5-byte form */
    assert_false(valid("\xFE"));
    assert_false(valid("\xFF"));
    assert_false(text_utf8_valid("\xE2\x82\xAC", 2)); /* € cut by n */
}

static long len(const char *s)
{
    return text_utf8_len(s, strlen(s));
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(len(""), 0);
    assert_int_equal(len("ascii"), 5);
    assert_int_equal(len("Hôpital"), 7);            /* 8 bytes */
    assert_int_equal(len("\xE2\x82\xAC"), 1);       /* € */
    assert_int_equal(len("\xF4\x8F\xBF\xBF"), 1);   /* U+10FFFF */
    assert_int_equal(len("a\xF0\x9F\x8E\xAC!"), 3); /* a 🎬 ! */
    assert_int_equal(text_utf8_len("a\0b", 3), 3);  /* a NUL is a character */
    assert_int_equal(text_utf8_len("été", 3), 2);   /* n counts bytes: "ét" */
}

static void test_utf8_len_rejects(void **state)
{
    (void)state;
    /* the same strict rules as text_utf8_valid: every one of its refusals is -1 here */
    assert_int_equal(len("\x80"), -1);
    assert_int_equal(len("ab\xC3"), -1);
    assert_int_equal(len("\xC0\xAF"), -1);
    assert_int_equal(len("\xE0\x9F\xBF"), -1);
    assert_int_equal(len("\xED\xA0\x80"), -1);
    assert_int_equal(len("\xF4\x90\x80\x80"), -1);
    assert_int_equal(len("\xFF"), -1);
    assert_int_equal(text_utf8_len("\xE2\x82\xAC", 2), -1); /* € cut by n */
}

static int control(const char *s, int allow_newlines)
{
    return text_has_control(s, strlen(s), allow_newlines);
}

static void test_has_control(void **state)
{
    (void)state;
    assert_false(control("", 0));
    assert_false(control("Maison des jeunes", 0));
    assert_false(control("Hôpital « Nord »", 0));
    assert_false(control("\xC2\x85", 0)); /* C1 NEL is not a C0 control */
    assert_true(control("a\x01b", 0));
    assert_true(control("a\x1F", 0));
    assert_true(control("del\x7F", 0));
    assert_true(control("\x1B[31m", 1)); /* ESC even where lines are allowed */
    /* line breaks and tabs: refused in one-line fields, allowed in multi-line ones */
    assert_true(control("a\nb", 0));
    assert_true(control("a\r\nb", 0));
    assert_true(control("a\tb", 0));
    assert_false(control("a\nb", 1));
    assert_false(control("a\r\nb\tc", 1));
    assert_true(control("a\nb\x7F", 1));
    /* only n bytes are looked at: a trimmed value ends before its trailing tab */
    assert_false(text_has_control("nom\t", 3, 0));
    assert_true(text_has_control("a\0b", 3, 1)); /* NUL inside the range */
}

static void check_norm(const char *in, const char *want)
{
    struct arena *a = arena_new();
    const char *got = text_norm(a, in);
    if (strcmp(got, want) != 0)
        fail_msg("text_norm(\"%s\") = \"%s\", want \"%s\"", in, got, want);
    assert_true(strlen(got) <= strlen(in));
    arena_free(a);
}

static void test_norm_names(void **state)
{
    (void)state;
    check_norm("Saint-Étienne", "saint etienne");
    check_norm("Œuilly", "oeuilly");
    check_norm("œuilly", "oeuilly");
    check_norm("L'Abergement-Clémenciat", "l abergement clemenciat");
    check_norm("L’Haÿ-les-Roses", "l hay les roses");
    check_norm("Châteauneuf-du-Pape", "chateauneuf du pape");
    check_norm("ÉCOLE", "ecole");
    check_norm("Ÿ", "y");
    check_norm("Lætitia", "laetitia");
    check_norm("ÆSOP", "aesop");
    check_norm("Straße", "strasse");
    check_norm("Çà et là", "ca et la");
    check_norm("Île-d'Yeu", "ile d yeu");
    check_norm("Ñandú Øre Åsa Þór", "nandu ore asa thor");
}

static void test_norm_latin_ext_a(void **state)
{
    (void)state;
    check_norm("Łódź", "lodz");
    check_norm("Dvořák", "dvorak");
    check_norm("Şişli", "sisli");
    check_norm("Ĳssel", "ijssel");
    check_norm("Ğ ğ İ ı Ž ž Ő ő Ų ų ſ", "g g i i z z o o u u s");
    check_norm("ĀāĂăĄą", "aaaaaa");
}

static void test_norm_punctuation_and_spaces(void **state)
{
    (void)state;
    check_norm("", "");
    check_norm("   ", "");
    check_norm("--Saint--Denis--", "saint denis");
    check_norm("a_b.c,d;e:f!g?h", "a b c d e f g h");
    check_norm("100% (test) [x] {y} \"z\" / \\ @ # $", "100 test x y z");
    check_norm("a\tb\nc\r d", "a b c d");
    check_norm("«\xC2\xA0Lanterne\xC2\xA0»", "lanterne"); /* nbsp */
    check_norm("a\xE2\x80\xAF"
               "b",
               "a b"); /* narrow nbsp */
    check_norm("Saint\xE2\x80\x91"
               "Malo",
               "saint malo"); /* non-breaking hyphen */
    check_norm("c\xE2\x80\x99"
               "est",
               "c est");                                /* ’ */
    check_norm("x \xE2\x80\x94 y \xE2\x80\xA6", "x y"); /* — … */
    check_norm("Montpel\xC2\xADlier", "montpellier");   /* soft hyphen drops */
    check_norm("Cle\xCC\x81menciat", "clemenciat");     /* decomposed é */
    check_norm("ab\xE2\x80\x8B"
               "cd",
               "abcd"); /* zero width space */
}

static void test_norm_other_scripts_and_invalid(void **state)
{
    (void)state;
    check_norm("Αθήνα", "Αθήνα"); /* kept: outside the tables, not punctuation */
    check_norm("東京-Tokyo", "東京 tokyo");
    check_norm("a\xFF"
               "b",
               "a b");        /* invalid byte is a separator */
    check_norm("a\xC3", "a"); /* truncated sequence at the end */
    check_norm("\xED\xA0\x80"
               "x",
               "x");
    struct arena *a = arena_new();
    const char *s = text_norm(a, "\xC3(\xFF\xE2\x82 \xF0\x9F\x98\x80 ok");
    assert_true(text_utf8_valid(s, strlen(s)));
    assert_string_equal(text_norm(a, NULL), "");
    arena_free(a);
}

static void check_slug(const char *in, const char *want)
{
    struct arena *a = arena_new();
    const char *got = text_slug(a, in);
    if (strcmp(got, want) != 0)
        fail_msg("text_slug(\"%s\") = \"%s\", want \"%s\"", in, got, want);
    for (const char *p = got; *p; p++)
        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
    arena_free(a);
}

static void test_slug(void **state)
{
    (void)state;
    check_slug("Saint-Étienne", "saint-etienne");
    check_slug("L'Abergement-Clémenciat", "l-abergement-clemenciat");
    check_slug("  Œuilly  ", "oeuilly");
    check_slug("Ciné-club 2025 : « Regards »", "cine-club-2025-regards");
    check_slug("東京 Tokyo", "tokyo");
    check_slug("a 東京 b", "a-b");
    check_slug("東京", "");
    check_slug("", "");
    check_slug("---", "");
    check_slug(NULL, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_accepts),
        cmocka_unit_test(test_utf8_valid_rejects),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_utf8_len_rejects),
        cmocka_unit_test(test_has_control),
        cmocka_unit_test(test_norm_names),
        cmocka_unit_test(test_norm_latin_ext_a),
        cmocka_unit_test(test_norm_punctuation_and_spaces),
        cmocka_unit_test(test_norm_other_scripts_and_invalid),
        cmocka_unit_test(test_slug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
