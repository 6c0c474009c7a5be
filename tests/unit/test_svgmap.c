/* test_svgmap: unit tests for src/view/svgmap.c against the outlines scripts/extract-map.mjs
 * generates (path from $LANTERNE_MAP_JSON, else build/gen/departements-map.json). */
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
#include "view/svgmap.h"

static const char *map_json(void)
{
    const char *p = getenv("LANTERNE_MAP_JSON");
    return p ? p : SVGMAP_DEFAULT_JSON;
}

static int setup(void **state)
{
    (void)state;
    struct err e = {0};
    if (svgmap_load(map_json(), &e)) {
        fprintf(stderr, "%s\n(generate it: node scripts/extract-map.mjs > %s)\n", e.msg,
                map_json());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    svgmap_free();
    return 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The whole <path ...>...</path> or <path .../> element for a département. */
static char *path_element(const char *svg, const char *code)
{
    char attr[32];
    snprintf(attr, sizeof attr, "data-code=\"%s\"", code);
    const char *at = strstr(svg, attr);
    if (!at)
        return NULL;
    assert_null(strstr(at + 1, attr)); /* drawn once */
    const char *start = at;
    while (start > svg && strncmp(start, "<path ", 6) != 0)
        start--;
    const char *end = strchr(at, '>');
    assert_non_null(end);
    if (end[-1] != '/') {
        end = strstr(end, "</path>");
        assert_non_null(end);
        end += strlen("</path>") - 1;
    }
    size_t n = (size_t)(end - start + 1);
    char *el = malloc(n + 1);
    memcpy(el, start, n);
    el[n] = 0;
    return el;
}

/* Cheap well-formedness: every element the renderer opens is closed. */
static void assert_balanced(const char *svg)
{
    assert_int_equal(count(svg, "<svg"), count(svg, "</svg>"));
    assert_int_equal(count(svg, "<g"), count(svg, "</g>"));
    assert_int_equal(count(svg, "<title"), count(svg, "</title>"));
    assert_int_equal(count(svg, "<text"), count(svg, "</text>"));
    assert_int_equal(count(svg, "<path"), count(svg, "</path>") + count(svg, "/>"));
    assert_int_equal(count(svg, "<"), count(svg, ">"));
}

static void test_render_nord_pas_de_calais(void **state)
{
    (void)state;
    struct svgmap_shade shades[] = {
        {"59", 3, "Nord (59) : Hors Cadre"},
        {"62", 3, "Pas-de-Calais (62) : Hors Cadre"},
    };
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, shades, 2, "Départements couverts", "carte-hc"), 0);
    const char *svg = buf_cstr(&b);

    assert_int_equal(strncmp(svg, "<svg ", 5), 0);
    assert_non_null(strstr(svg, "role=\"img\""));
    assert_non_null(strstr(svg, "aria-labelledby=\"carte-hc-title\""));
    assert_non_null(strstr(svg, "<title id=\"carte-hc-title\">Départements couverts</title>"));
    assert_non_null(strstr(svg, " viewBox=\""));
    assert_null(strstr(svg, "style="));
    assert_balanced(svg);

    /* 96 mainland + 5 overseas, each once */
    assert_int_equal(count(svg, "<path "), 101);
    assert_int_equal(count(svg, "data-code=\""), 101);
    assert_int_equal(count(svg, "class=\"lvl-3\""), 2);
    assert_int_equal(count(svg, "class=\"lvl-0\""), 99);
    const char *codes[] = {"01", "2A", "2B", "95", "971", "972", "973", "974", "976"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char *el = path_element(svg, codes[i]);
        assert_non_null(el);
        assert_non_null(strstr(el, "class=\"lvl-0\""));
        assert_null(strstr(el, "<title>"));
        free(el);
    }

    char *nord = path_element(svg, "59");
    assert_non_null(nord);
    assert_non_null(strstr(nord, "class=\"lvl-3\""));
    const char *d = strstr(nord, " d=\"");
    assert_non_null(d);
    assert_true(d[4] == 'M' || d[4] == 'm');
    assert_non_null(strstr(nord, "<title>Nord (59) : Hors Cadre</title></path>"));
    free(nord);
    char *pdc = path_element(svg, "62");
    assert_non_null(pdc);
    assert_non_null(strstr(pdc, "class=\"lvl-3\""));
    assert_non_null(strstr(pdc, "<title>Pas-de-Calais (62) : Hors Cadre</title></path>"));
    free(pdc);

    /* the insets: one nested svg each, labelled */
    assert_int_equal(count(svg, "<svg "), 6);
    assert_int_equal(count(svg, "class=\"svgmap-inset\""), 5);
    const char *labels[] = {">Guadeloupe<", ">Martinique<", ">Guyane<", ">La Réunion<",
                            ">Mayotte<"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(strstr(svg, labels[i]));
    buf_free(&b);
}

static void test_render_escapes(void **state)
{
    (void)state;
    struct svgmap_shade shades[] = {
        {"974", 5, "<script>alert(1)</script> & \"Réunion\" 'x'"},
    };
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, shades, 1, "Titre <&> \"q\"", "id\"><x"), 0);
    const char *svg = buf_cstr(&b);
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<x"));
    assert_non_null(strstr(svg, "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                                "&quot;Réunion&quot; &#39;x&#39;</title>"));
    assert_non_null(strstr(svg, ">Titre &lt;&amp;&gt; &quot;q&quot;</title>"));
    assert_non_null(strstr(svg, "aria-labelledby=\"id&quot;&gt;&lt;x-title\""));
    char *el = path_element(svg, "974");
    assert_non_null(strstr(el, "class=\"lvl-5\""));
    free(el);
    assert_balanced(svg);
    buf_free(&b);
}

static void test_render_levels_and_unknown_codes(void **state)
{
    (void)state;
    struct svgmap_shade shades[] = {
        {"13", 99, NULL},    /* clamped to 5, no title */
        {"75", -4, "Paris"}, /* clamped to 0, title kept */
        {"2A", 1, "Corse-du-Sud"},
        {"20", 4, "Corse"}, /* not a département since 1976 */
        {"975", 4, "SPM"},  /* not drawn */
        {NULL, 4, "rien"},
        {"2A", 2, "Corse-du-Sud (2A)"}, /* the last shade of a code wins */
        {"1234567890", 3, "trop long"},
    };
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, shades, sizeof shades / sizeof shades[0], NULL, NULL), 0);
    const char *svg = buf_cstr(&b);
    char *el = path_element(svg, "13");
    assert_non_null(strstr(el, "class=\"lvl-5\""));
    assert_null(strstr(el, "<title>"));
    free(el);
    el = path_element(svg, "75");
    assert_non_null(strstr(el, "class=\"lvl-0\""));
    assert_non_null(strstr(el, "<title>Paris</title>"));
    free(el);
    el = path_element(svg, "2A");
    assert_non_null(strstr(el, "class=\"lvl-2\""));
    assert_non_null(strstr(el, "<title>Corse-du-Sud (2A)</title>"));
    free(el);
    assert_null(strstr(svg, "Corse<"));
    assert_null(strstr(svg, "SPM"));
    assert_null(strstr(svg, "rien"));
    assert_int_equal(count(svg, "<path "), 101);
    /* defaults for a missing title and id */
    assert_non_null(strstr(svg, "<title id=\"svgmap-title\">Carte des départements</title>"));
    buf_free(&b);

    /* no shades at all: a plain map */
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, NULL, 0, "Carte", "m"), 0);
    assert_int_equal(count(buf_cstr(&b), "class=\"lvl-0\""), 101);
    buf_free(&b);
}

/* A buffer too small for the map fails and keeps what it held. */
static void test_render_buffer_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "<p>avant</p>");
    assert_int_equal(svgmap_render(&b, NULL, 0, "Carte", "m"), -1);
    assert_string_equal(buf_cstr(&b), "<p>avant</p>");
    buf_free(&b);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A bad file is refused and the map already loaded stays in service. */
static void test_load_rejects(void **state)
{
    (void)state;
    struct err e = {0};
    assert_int_equal(svgmap_load("/nonexistent/map.json", &e), -1);
    assert_int_equal(e.status, 500);

    char path[] = "/tmp/lanterne-svgmap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const char *bad[] = {
        "[]",
        "{\"mainland\":{\"viewBox\":\"0 0 10 10\",\"departements\":{\"59\":\"M0 0h1z\"}},"
        "\"overseas\":{}}",
        "{\"mainland\":{\"viewBox\":\"0 0 10\",\"departements\":{}},\"overseas\":{}}",
        "{\"mainland\":{\"viewBox\":\"0 0 10 10\",\"departements\":"
        "{\"59\":\"M0 0\\\"/><script>\"}},\"overseas\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i]);
        e.status = 0;
        assert_int_equal(svgmap_load(path, &e), -1);
        assert_int_equal(e.status, 500);
    }
    unlink(path);

    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, NULL, 0, "Carte", "m"), 0);
    assert_int_equal(count(buf_cstr(&b), "<path "), 101);
    assert_non_null(strstr(svgmap_source(), "@gouvfr/dsfr-chart"));
    buf_free(&b);
}

static void test_render_without_map(void **state)
{
    (void)state;
    svgmap_free();
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(svgmap_render(&b, NULL, 0, "Carte", "m"), -1);
    assert_int_equal(b.len, 0);
    assert_string_equal(svgmap_source(), "");
    buf_free(&b);
    struct err e = {0};
    assert_int_equal(svgmap_load(map_json(), &e), 0); /* for any test after this one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_nord_pas_de_calais),
        cmocka_unit_test(test_render_escapes),
        cmocka_unit_test(test_render_levels_and_unknown_codes),
        cmocka_unit_test(test_render_buffer_cap),
        cmocka_unit_test(test_load_rejects),
        cmocka_unit_test(test_render_without_map),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
