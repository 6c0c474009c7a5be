/* test_chart: unit tests for src/view/chart.c: SVG bar charts (well-formed XML, escaping,
 * accessibility, layout, determinism), nice ticks, French numbers and the map's levels. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "view/chart.h"

#define NNBSP "\xe2\x80\xaf" /* U+202F, the thousands separator */

/* ---- well-formedness ----
 * libxml2 parses the output when the system has it (loaded at run time, so the build needs
 * no extra flags); a small checker of tags, quotes and entities runs always. */

typedef void *(*xml_read_fn)(const char *, int, const char *, const char *, int);
typedef void (*xml_free_fn)(void *);
static xml_read_fn xml_read;
static xml_free_fn xml_free_doc;
enum { XML_PARSE_NONET = 1 << 11 };

static int setup(void **state)
{
    (void)state;
    void *lib = dlopen("libxml2.so.2", RTLD_NOW);
    if (lib) {
        xml_read = (xml_read_fn)dlsym(lib, "xmlReadMemory");
        xml_free_doc = (xml_free_fn)dlsym(lib, "xmlFreeDoc");
    }
    if (!xml_read || !xml_free_doc) {
        xml_read = NULL;
        fprintf(stderr, "# libxml2 not found: the tag checker alone checks the SVG\n");
    }
    return 0; /* the library stays loaded for the whole run */
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static int entity_ok(const char *p)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
        if (strncmp(p, ents[i], strlen(ents[i])) == 0)
            return 1;
    return 0;
}

/* Tags balanced and properly nested, attributes quoted, no raw < or stray & anywhere. */
static void check_tags(const char *s)
{
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s;
    while (*p) {
        if (*p == '&') {
            assert_true(entity_ok(p));
            p++;
            continue;
        }
        if (*p != '<') {
            assert_true(*p != '>');
            p++;
            continue;
        }
        p++;
        int closing = *p == '/';
        if (closing)
            p++;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-");
        assert_true(n > 0 && n < 32);
        char name[32];
        memcpy(name, p, n);
        name[n] = 0;
        p += n;
        if (closing) {
            assert_true(depth > 0);
            assert_string_equal(stack[depth - 1], name);
            depth--;
            assert_int_equal(*p, '>');
            p++;
            continue;
        }
        /* attributes: name="value" with no < and only known entities inside */
        for (;;) {
            while (*p == ' ' || *p == '\n')
                p++;
            if (*p == '>' || (p[0] == '/' && p[1] == '>'))
                break;
            size_t an =
                strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:");
            assert_true(an > 0);
            p += an;
            assert_int_equal(*p++, '=');
            assert_int_equal(*p++, '"');
            while (*p != '"') {
                assert_true(*p && *p != '<');
                if (*p == '&')
                    assert_true(entity_ok(p));
                p++;
            }
            p++;
        }
        if (depth == 0)
            roots++;
        if (*p == '/') {
            p += 2;
            continue;
        }
        p++;
        assert_true(depth < 64);
        memcpy(stack[depth++], name, n + 1);
    }
    assert_int_equal(depth, 0);
    assert_int_equal(roots, 1);
}

/* What every chart must be: one <svg> element, well-formed, no style attribute, an image
 * named by its title. */
static void check_svg(const char *svg)
{
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40), 0);
    size_t n = strlen(svg);
    assert_true(n > 7 && strcmp(svg + n - 7, "</svg>\n") == 0);
    assert_null(strstr(svg, "style"));
    assert_non_null(strstr(svg, " role=\"img\""));
    assert_non_null(strstr(svg, " viewBox=\"0 0 "));
    check_tags(svg);
    if (xml_read) {
        void *doc = xml_read(svg, (int)n, "chart.svg", "UTF-8", XML_PARSE_NONET);
        assert_non_null(doc);
        xml_free_doc(doc);
    }
}

/* The numbers after every occurrence of attr (e.g. " width=\"") in the elements starting
 * with prefix, in document order; returns how many. */
static int attr_values(const char *svg, const char *prefix, const char *attr, double *out, int max)
{
    int n = 0;
    for (const char *p = strstr(svg, prefix); p && n < max; p = strstr(p + 1, prefix)) {
        const char *end = strchr(p, '>');
        const char *a = strstr(p, attr);
        if (a && a < end)
            out[n++] = strtod(a + strlen(attr), NULL);
    }
    return n;
}

static char *render(const struct chart_opts *o, const struct chart_series *s, int ns,
                    const char *const *labels, int ncat)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(chart_bars(&b, o, s, ns, labels, ncat), 0);
    char *svg = buf_detach(&b);
    check_svg(svg);
    return svg;
}

/* ---- numbers ---- */

static void expect_int(int64_t v, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(chart_format_int(&b, v), 0);
    assert_string_equal(buf_cstr(&b), want);
    assert_true(strlen(want) < CHART_NUM_MAX);
    buf_free(&b);
}

static void test_format_int(void **state)
{
    (void)state;
    expect_int(0, "0");
    expect_int(7, "7");
    expect_int(999, "999");
    expect_int(1000, "1" NNBSP "000");
    expect_int(12400, "12" NNBSP "400");
    expect_int(230000, "230" NNBSP "000");
    expect_int(1234567, "1" NNBSP "234" NNBSP "567");
    expect_int(-1, "-1");
    expect_int(-999, "-999");
    expect_int(-1000, "-1" NNBSP "000");
    expect_int(-230000, "-230" NNBSP "000");
    expect_int(INT64_MAX,
               "9" NNBSP "223" NNBSP "372" NNBSP "036" NNBSP "854" NNBSP "775" NNBSP "807");
    expect_int(INT64_MIN,
               "-9" NNBSP "223" NNBSP "372" NNBSP "036" NNBSP "854" NNBSP "775" NNBSP "808");
}

static void test_format_range(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(chart_format_range(&b, 1, 20), 0);
    assert_string_equal(buf_cstr(&b), "1 à 20");
    buf_reset(&b);
    assert_int_equal(chart_format_range(&b, 5, 5), 0);
    assert_string_equal(buf_cstr(&b), "5");
    buf_reset(&b);
    assert_int_equal(chart_format_range(&b, 1001, 2500), 0);
    assert_string_equal(buf_cstr(&b), "1" NNBSP "001 à 2" NNBSP "500");
    buf_free(&b);
}

/* ---- ticks ---- */

static void expect_ticks(int64_t lo, int64_t hi, const int64_t *want, int n)
{
    int64_t t[CHART_MAX_TICKS];
    int got = chart_ticks(lo, hi, t);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(t[i], want[i]);
}

static int step_is_round(int64_t s)
{
    while (s >= 100 && s % 10 == 0)
        s /= 10;
    return s == 1 || s == 2 || s == 5 || s == 10 || s == 20 || s == 25 || s == 50;
}

static void test_ticks(void **state)
{
    (void)state;
    expect_ticks(0, 1, (int64_t[]){0, 1}, 2);
    expect_ticks(0, 2, (int64_t[]){0, 1, 2}, 3);
    expect_ticks(0, 3, (int64_t[]){0, 1, 2, 3}, 4);
    expect_ticks(0, 7, (int64_t[]){0, 2, 4, 6, 8}, 5);
    expect_ticks(0, 10, (int64_t[]){0, 2, 4, 6, 8, 10}, 6);
    expect_ticks(0, 99, (int64_t[]){0, 20, 40, 60, 80, 100}, 6);
    expect_ticks(0, 101, (int64_t[]){0, 25, 50, 75, 100, 125}, 6);
    expect_ticks(0, 2500, (int64_t[]){0, 500, 1000, 1500, 2000, 2500}, 6);
    expect_ticks(0, 230000, (int64_t[]){0, 50000, 100000, 150000, 200000, 250000}, 6);
    expect_ticks(0, 0, (int64_t[]){0, 1}, 2);
    expect_ticks(5, 7, (int64_t[]){0, 2, 4, 6, 8}, 5); /* the axis always holds 0 */
    expect_ticks(-30, 70, (int64_t[]){-50, -25, 0, 25, 50, 75}, 6);
    expect_ticks(-7, 0, (int64_t[]){-8, -6, -4, -2, 0}, 5);
    assert_int_equal(chart_ticks(0, CHART_VALUE_MAX + 1, (int64_t[CHART_MAX_TICKS]){0}), 0);
    assert_int_equal(chart_ticks(-CHART_VALUE_MAX - 1, 0, (int64_t[CHART_MAX_TICKS]){0}), 0);

    /* every maximum from 3 up: 4 to 6 ticks from 0, a round step, the last tick past the
     * maximum by less than one step */
    int64_t maxima[2000];
    int nm = 0;
    for (int64_t m = 3; m <= 1000; m++)
        maxima[nm++] = m;
    for (int64_t m = 1001; m <= CHART_VALUE_MAX && nm < 2000; m = m * 11 / 10 + 7)
        maxima[nm++] = m;
    maxima[nm++] = CHART_VALUE_MAX;
    for (int i = 0; i < nm; i++) {
        int64_t t[CHART_MAX_TICKS];
        int n = chart_ticks(0, maxima[i], t);
        assert_in_range(n, 4, 6);
        assert_int_equal(t[0], 0);
        int64_t s = t[1];
        assert_true(step_is_round(s));
        for (int j = 1; j < n; j++)
            assert_int_equal(t[j] - t[j - 1], s);
        assert_true(t[n - 1] >= maxima[i]);
        assert_true(t[n - 1] - s < maxima[i]);
    }
}

/* ---- charts ---- */

static void test_one_series_horizontal(void **state)
{
    (void)state;
    const char *labels[] = {"Atelier de réalisation", "Ciné-débat", "Séance plein air"};
    int64_t v[] = {12400, 6200, 230000};
    struct chart_series s = {"2025", v};
    struct chart_opts o = {.id = "par-type",
                           .title = "Actions par type",
                           .desc = "Nombre d'actions de l'année par type",
                           .orient = CHART_HORIZONTAL};
    char *svg = render(&o, &s, 1, labels, 3);

    assert_non_null(strstr(svg, "class=\"chart chart-horizontal\""));
    assert_non_null(strstr(svg, "aria-labelledby=\"par-type-title par-type-desc\""));
    assert_non_null(strstr(svg, "<title id=\"par-type-title\">Actions par type</title>"));
    assert_non_null(
        strstr(svg, "<desc id=\"par-type-desc\">Nombre d&#39;actions de l&#39;année par type"));
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s1\""), 3);
    assert_int_equal(count(svg, "chart-s2"), 0);
    assert_null(strstr(svg, "chart-legend"));
    assert_non_null(strstr(svg, "<title>Atelier de réalisation : 12" NNBSP "400</title></rect>"));
    assert_non_null(strstr(svg, ">230" NNBSP "000</text>"));
    assert_non_null(strstr(svg, ">Séance plein air</text>"));
    /* ticks 0 .. 250 000, as text */
    assert_non_null(strstr(svg, ">250" NNBSP "000</text>"));
    assert_non_null(strstr(svg, " font-size=\"14\""));

    /* bar lengths in proportion to the values */
    double w[3];
    assert_int_equal(attr_values(svg, "<rect class=\"chart-bar", " width=\"", w, 3), 3);
    assert_true(w[2] > 0);
    assert_true(w[0] / w[2] > 12400.0 / 230000 - 0.01 && w[0] / w[2] < 12400.0 / 230000 + 0.01);
    assert_true(w[1] / w[0] > 0.45 && w[1] / w[0] < 0.55);

    /* everything inside the viewBox */
    double vb[1];
    assert_int_equal(attr_values(svg, "<svg", " viewBox=\"0 0 ", vb, 1), 1);
    assert_true(vb[0] == CHART_DEFAULT_WIDTH);
    double xs[64];
    int nx = attr_values(svg, "<text", " x=\"", xs, 64);
    assert_true(nx > 6);
    for (int i = 0; i < nx; i++)
        assert_true(xs[i] >= 0 && xs[i] <= vb[0]);
    free(svg);
}

static void test_two_series_vertical(void **state)
{
    (void)state;
    const char *months[] = {"janv.", "févr.", "mars",  "avr.", "mai",  "juin",
                            "juil.", "août",  "sept.", "oct.", "nov.", "déc."};
    int64_t now[12], before[12];
    for (int i = 0; i < 12; i++) {
        now[i] = 1000 + i * 1500;
        before[i] = 900 + i * 1400;
    }
    struct chart_series s[] = {{"2025", now}, {"2024", before}};
    struct chart_opts o = {.id = "par-mois",
                           .title = "Actions par mois",
                           .orient = CHART_VERTICAL,
                           .unit = " h",
                           .width = 720};
    char *svg = render(&o, s, 2, months, 12);

    assert_non_null(strstr(svg, "class=\"chart chart-vertical\""));
    assert_non_null(strstr(svg, "viewBox=\"0 0 720 "));
    assert_non_null(strstr(svg, "aria-labelledby=\"par-mois-title\""));
    assert_null(strstr(svg, "<desc"));
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s1\""), 12);
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s2\""), 12);
    /* legend: a key per series, named */
    assert_non_null(strstr(svg, "<g class=\"chart-legend\""));
    assert_int_equal(count(svg, "<rect class=\"chart-key chart-s1\""), 1);
    assert_int_equal(count(svg, "<rect class=\"chart-key chart-s2\""), 1);
    assert_non_null(strstr(svg, ">2024</text>"));
    assert_non_null(strstr(svg, "<title>févr. (2025) : 2" NNBSP "500 h</title>"));
    assert_non_null(strstr(svg, "<title>déc. (2024) : 16" NNBSP "300 h</title>"));
    assert_non_null(strstr(svg, ">17" NNBSP "500 h</text>"));
    assert_non_null(strstr(svg, ">août</text>"));
    /* 24 bars of 720 units do not leave room for "17 500 h" across: values turn */
    assert_int_equal(count(svg, " transform=\"rotate(-90 "), 24);

    /* side by side: in each month the bar of 2025 comes first, both of the same width */
    double x[24], w[24], h[24];
    assert_int_equal(attr_values(svg, "<rect class=\"chart-bar", " x=\"", x, 24), 24);
    assert_int_equal(attr_values(svg, "<rect class=\"chart-bar", " width=\"", w, 24), 24);
    assert_int_equal(attr_values(svg, "<rect class=\"chart-bar", " height=\"", h, 24), 24);
    for (int i = 0; i < 24; i += 2) {
        assert_true(x[i] + w[i] <= x[i + 1]);
        assert_true(w[i] == w[i + 1]);
        assert_true(h[i] > h[i + 1]);
        if (i > 0)
            assert_true(x[i] > x[i - 1]);
    }
    free(svg);

    /* one series of short values: across the bars */
    int64_t few[] = {3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610};
    struct chart_series one = {"2025", few};
    svg = render(&o, &one, 1, months, 12);
    assert_int_equal(count(svg, "rotate("), 0);
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s1\""), 12);
    assert_null(strstr(svg, "chart-legend"));
    free(svg);
}

static void test_two_series_horizontal_22(void **state)
{
    (void)state;
    static const char *names[22] = {
        "Hors Cadre",
        "Acap – Pôle régional image",
        "Cinéma Parlant",
        "Ciclic Centre-Val de Loire",
        "Normandie Images",
        "Les Yeux Verts",
        "Aquitaine Cinéma",
        "Occitanie films",
        "Cinéma Public",
        "Alca Nouvelle-Aquitaine",
        "Images en Bibliothèques",
        "Passeurs d'images Grand Est",
        "La Plateforme",
        "Bretagne Cinéma",
        "Centre Images",
        "Cinéma et Jeunesse",
        "Guadeloupe",
        "Guyane",
        "Martinique",
        "La Réunion",
        "Auvergne",
        "Coordination au nom vraiment très long qui ne tient jamais sur une ligne"};
    int64_t a[22], b[22];
    for (int i = 0; i < 22; i++) {
        a[i] = (int64_t)(i * 37 % 22) * 5000;
        b[i] = (int64_t)(i * 13 % 22) * 4500;
    }
    struct chart_series s[] = {{"2025", a}, {NULL, b}};
    struct chart_opts o = {.id = "par-coordination", .title = "Budget", .unit = " €"};
    char *svg = render(&o, s, 2, names, 22);
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s1\""), 22);
    assert_int_equal(count(svg, "<rect class=\"chart-bar chart-s2\""), 22);
    assert_int_equal(count(svg, "<g class=\"chart-cat\">"), 22);
    assert_non_null(strstr(svg, ">Série 2</text>")); /* a series without a name */
    /* the long name is cut in its label, whole in its bars' tooltips */
    assert_non_null(strstr(svg, "\xe2\x80\xa6</text>"));
    assert_int_equal(count(svg, "<title>Coordination au nom vraiment très long qui ne tient "
                                "jamais sur une ligne (2025) : "),
                     1);
    assert_null(strstr(svg, "\">Coordination au nom vraiment très long qui ne tient jamais"));
    assert_non_null(strstr(svg, "\">Coordination au nom vraiment tr\xe2\x80\xa6</text>"));
    assert_non_null(strstr(svg, "<title>Acap – Pôle régional image (2025) : "));
    assert_non_null(strstr(svg, " €</text>"));
    /* the ticks' labels ("100 000", 7 characters of 12 units) never touch */
    double tx[CHART_MAX_TICKS + 1];
    int nt = attr_values(svg, "<text class=\"chart-tick\"", " x=\"", tx, CHART_MAX_TICKS + 1);
    assert_in_range(nt, 2, CHART_MAX_TICKS);
    for (int i = 1; i < nt; i++)
        assert_true(tx[i] - tx[i - 1] >= 7 * 0.6 * 12);
    free(svg);

    /* the narrowest width still leaves the bars their room */
    o.width = 1;
    svg = render(&o, s, 2, names, 22);
    assert_non_null(strstr(svg, "viewBox=\"0 0 240 "));
    double w[44];
    assert_int_equal(attr_values(svg, "<rect class=\"chart-bar", " width=\"", w, 44), 44);
    for (int i = 0; i < 44; i++)
        assert_true(w[i] >= 0);
    free(svg);
}

static void test_escaping(void **state)
{
    (void)state;
    const char *labels[] = {"<&\"'>",
                            "a\x01\x1f"
                            "b",
                            "bad \xff\xfe utf8", NULL};
    int64_t v[] = {1, 2, 3, 4};
    struct chart_series s = {"<s&r>", v};
    struct chart_opts o = {.id = "esc",
                           .title = "Titre <b>& \"co\"",
                           .desc = "</desc><script>alert(1)</script>",
                           .unit = " <u>"};
    char *svg = render(&o, &s, 1, labels, 4);
    assert_null(strstr(svg, "<&"));
    assert_null(strstr(svg, "<b>"));
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<u>"));
    assert_null(strstr(svg, "\x01"));
    assert_null(strstr(svg, "\xff"));
    assert_non_null(strstr(svg, ">&lt;&amp;&quot;&#39;&gt;</text>"));
    assert_non_null(strstr(svg, "<title>&lt;&amp;&quot;&#39;&gt; : 1 &lt;u&gt;</title>"));
    assert_non_null(strstr(svg, ">Titre &lt;b&gt;&amp; &quot;co&quot;</title>"));
    assert_non_null(strstr(svg, "&lt;/desc&gt;&lt;script&gt;"));
    assert_non_null(strstr(svg, ">ab</text>"));
    assert_non_null(strstr(svg, ">bad ?? utf8</text>"));
    free(svg);

    /* in the legend of two series too */
    struct chart_series two[] = {{"<s&r>", v}, {"2024", v}};
    o.orient = CHART_VERTICAL;
    svg = render(&o, two, 2, labels, 4);
    assert_non_null(strstr(svg, ">&lt;s&amp;r&gt;</text>"));
    assert_non_null(strstr(svg, "(&lt;s&amp;r&gt;) : 1 &lt;u&gt;</title>"));
    free(svg);
}

static void test_empty(void **state)
{
    (void)state;
    int64_t zeros[] = {0, 0, 0};
    const char *labels[] = {"a", "b", "c"};
    struct chart_series s = {"2025", zeros};
    char *svg = render(NULL, &s, 1, labels, 3);
    assert_non_null(strstr(svg, "class=\"chart chart-empty\""));
    assert_non_null(strstr(svg, ">Aucune donnée</text>"));
    assert_non_null(strstr(svg, "<title id=\"chart-title\">Graphique</title>"));
    assert_null(strstr(svg, "<rect"));
    free(svg);

    struct chart_opts o = {.id = "vide", .title = "Par mois", .desc = "Rien encore"};
    svg = render(&o, NULL, 1, NULL, 0);
    assert_non_null(strstr(svg, ">Aucune donnée</text>"));
    assert_non_null(strstr(svg, "aria-labelledby=\"vide-title vide-desc\""));
    assert_non_null(strstr(svg, "<title id=\"vide-title\">Par mois</title>"));
    free(svg);
}

static const char *to_english(const char *msgid)
{
    if (strcmp(msgid, "Aucune donnée") == 0)
        return "No data";
    if (strcmp(msgid, "%s : %s") == 0)
        return "%s: %s";
    if (strcmp(msgid, "%s à %s") == 0)
        return "%s to %s";
    return NULL;
}

static void test_translated(void **state)
{
    (void)state;
    err_set_translator(to_english);
    int64_t v[] = {0, 1500};
    const char *labels[] = {"a", "b"};
    struct chart_series s = {"2025", v};
    char *svg = render(NULL, &s, 1, labels, 2);
    assert_non_null(strstr(svg, "<title>b: 1" NNBSP "500</title>"));
    free(svg);
    v[1] = 0;
    svg = render(NULL, &s, 1, labels, 2);
    assert_non_null(strstr(svg, ">No data</text>"));
    free(svg);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(chart_format_range(&b, 21, 50), 0);
    assert_string_equal(buf_cstr(&b), "21 to 50");
    buf_free(&b);
    err_set_translator(NULL);
}

static void test_negative(void **state)
{
    (void)state;
    const char *labels[] = {"Hausse", "Baisse", "Stable"};
    int64_t v[] = {120, -45, 0};
    struct chart_series s = {"Évolution", v};
    for (int orient = CHART_HORIZONTAL; orient <= CHART_VERTICAL; orient++) {
        struct chart_opts o = {.id = "delta", .orient = (enum chart_orient)orient};
        char *svg = render(&o, &s, 1, labels, 3);
        assert_null(strstr(svg, "width=\"-"));
        assert_null(strstr(svg, "height=\"-"));
        assert_non_null(strstr(svg, ">-45</text>"));
        assert_non_null(strstr(svg, ">-50</text>")); /* a tick below zero */
        assert_non_null(strstr(svg, "<title>Baisse : -45</title>"));
        free(svg);
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    const char *labels[] = {"un", "deux", "trois", "quatre"};
    int64_t a[] = {5, 17, 230, 99}, b[] = {7, 0, 180, 120};
    struct chart_series s[] = {{"2025", a}, {"2024", b}};
    for (int orient = CHART_HORIZONTAL; orient <= CHART_VERTICAL; orient++) {
        struct chart_opts o = {.id = "d", .orient = (enum chart_orient)orient, .unit = " €"};
        char *one = render(&o, s, 2, labels, 4);
        char *two = render(&o, s, 2, labels, 4);
        assert_string_equal(one, two);
        /* appended after what the buffer held, identical bytes */
        struct buf buf;
        buf_init(&buf, 0);
        buf_puts(&buf, "<p>avant</p>");
        assert_int_equal(chart_bars(&buf, &o, s, 2, labels, 4), 0);
        assert_int_equal(strncmp(buf_cstr(&buf), "<p>avant</p>", 12), 0);
        assert_string_equal(buf_cstr(&buf) + 12, one);
        buf_free(&buf);
        free(one);
        free(two);
    }
}

static void test_refused(void **state)
{
    (void)state;
    const char *labels[] = {"a", "b"};
    int64_t v[] = {1, 2}, big[] = {1, CHART_VALUE_MAX + 1};
    struct chart_series s[] = {{"x", v}, {"y", v}, {"z", v}};
    struct chart_series bad[] = {{"x", big}};
    struct chart_series none[] = {{"x", NULL}};
    struct chart_opts spaced = {.id = "a b"}, quoted = {.id = "a\"b"};
    char longid[CHART_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = 0;
    struct chart_opts toolong = {.id = longid};

    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "kept");
    assert_int_equal(chart_bars(&b, NULL, s, 0, labels, 2), -1);
    assert_int_equal(chart_bars(&b, NULL, s, 3, labels, 2), -1);
    assert_int_equal(chart_bars(&b, NULL, s, 1, labels, -1), -1);
    assert_int_equal(chart_bars(&b, NULL, s, 1, labels, CHART_MAX_CATEGORIES + 1), -1);
    assert_int_equal(chart_bars(&b, NULL, bad, 1, labels, 2), -1);
    assert_int_equal(chart_bars(&b, NULL, none, 1, labels, 2), -1);
    assert_int_equal(chart_bars(&b, &spaced, s, 1, labels, 2), -1);
    assert_int_equal(chart_bars(&b, &quoted, s, 1, labels, 2), -1);
    assert_int_equal(chart_bars(&b, &toolong, s, 1, labels, 2), -1);
    assert_string_equal(buf_cstr(&b), "kept");
    longid[CHART_ID_MAX] = 0; /* the longest id accepted */
    assert_int_equal(chart_bars(&b, &toolong, s, 1, labels, 2), 0);
    buf_free(&b);

    /* a full buffer: -1 and the buffer as it was, at every size short of the chart's */
    struct chart_opts o = {.id = "cap"};
    buf_init(&b, 0);
    assert_int_equal(chart_bars(&b, &o, s, 2, labels, 2), 0);
    size_t need = b.len;
    buf_free(&b);
    for (size_t max = 5; max < need + 1; max += 97) {
        buf_init(&b, max);
        buf_puts(&b, "kept");
        assert_int_equal(chart_bars(&b, &o, s, 2, labels, 2), -1);
        assert_string_equal(buf_cstr(&b), "kept");
        buf_free(&b);
    }
    /* the cap is a limit on the whole buffer, its terminating NUL aside */
    buf_init(&b, need + 1);
    assert_int_equal(chart_bars(&b, &o, s, 2, labels, 2), 0);
    buf_free(&b);
}

static void test_many_categories(void **state)
{
    (void)state;
    const char *labels[CHART_MAX_CATEGORIES];
    int64_t v[CHART_MAX_CATEGORIES];
    char names[CHART_MAX_CATEGORIES][8];
    for (int i = 0; i < CHART_MAX_CATEGORIES; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        labels[i] = names[i];
        v[i] = i * i;
    }
    struct chart_series s = {"2025", v};
    for (int orient = CHART_HORIZONTAL; orient <= CHART_VERTICAL; orient++) {
        struct chart_opts o = {.orient = (enum chart_orient)orient};
        char *svg = render(&o, &s, 1, labels, CHART_MAX_CATEGORIES);
        assert_int_equal(count(svg, "<rect class=\"chart-bar"), CHART_MAX_CATEGORIES);
        free(svg);
    }
}

/* ---- map levels ---- */

/* What every result must satisfy: k levels, increasing limits ending at the maximum, each
 * value in the level its limits say, every level used. */
static int check_levels(const int64_t *v, int n)
{
    int *lv = calloc((size_t)n + 1, sizeof *lv);
    int64_t up[SVGMAP_LEVELS];
    int k = chart_map_levels(v, n, lv, up);
    assert_in_range(k, 0, SVGMAP_LEVELS);
    int64_t max = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    if (max == 0)
        assert_int_equal(k, 0);
    else
        assert_int_equal(up[k - 1], max);
    for (int j = 1; j < k; j++)
        assert_true(up[j] > up[j - 1]);
    int used[SVGMAP_LEVELS + 1] = {0};
    for (int i = 0; i < n; i++) {
        if (v[i] <= 0) {
            assert_int_equal(lv[i], 0);
            continue;
        }
        assert_in_range(lv[i], 1, k);
        assert_true(v[i] <= up[lv[i] - 1]);
        if (lv[i] > 1)
            assert_true(v[i] > up[lv[i] - 2]);
        used[lv[i]] = 1;
    }
    for (int j = 1; j <= k; j++)
        assert_true(used[j]);
    free(lv);
    return k;
}

static void test_map_levels(void **state)
{
    (void)state;
    int lv[8];
    int64_t up[SVGMAP_LEVELS];

    int64_t none[] = {0, 0, -3};
    assert_int_equal(chart_map_levels(none, 3, lv, up), 0);
    assert_int_equal(lv[0] + lv[1] + lv[2], 0);
    assert_int_equal(chart_map_levels(none, 0, lv, up), 0);

    /* few distinct values: one level each */
    int64_t few[] = {0, 4, 1, 4, 12};
    assert_int_equal(chart_map_levels(few, 5, lv, up), 3);
    assert_int_equal(up[0], 1);
    assert_int_equal(up[1], 4);
    assert_int_equal(up[2], 12);
    assert_int_equal(lv[0], 0);
    assert_int_equal(lv[1], 2);
    assert_int_equal(lv[2], 1);
    assert_int_equal(lv[4], 3);

    /* 1..100: quintiles 20, 40, 60, 80 are round already */
    int64_t seq[100];
    for (int i = 0; i < 100; i++)
        seq[i] = i + 1;
    assert_int_equal(check_levels(seq, 100), 5);
    int lv100[100];
    assert_int_equal(chart_map_levels(seq, 100, lv100, up), 5);
    assert_int_equal(up[0], 20);
    assert_int_equal(up[1], 40);
    assert_int_equal(up[2], 60);
    assert_int_equal(up[3], 80);
    assert_int_equal(up[4], 100);
    assert_int_equal(lv100[19], 1);
    assert_int_equal(lv100[20], 2);

    /* quintiles that are not round: 16 -> 20, 41 -> 50, 120 -> 150, 260 -> 300 */
    int64_t odd[] = {3, 17, 43, 130, 270, 612, 5, 16, 41, 120, 260};
    assert_int_equal(check_levels(odd, 11), 5);
    int lvodd[11];
    chart_map_levels(odd, 11, lvodd, up);
    assert_int_equal(up[0], 20);
    assert_int_equal(up[1], 50);
    assert_int_equal(up[2], 150);
    assert_int_equal(up[3], 300);
    assert_int_equal(up[4], 612);
    assert_int_equal(lvodd[6], 1); /* 5 */
    assert_int_equal(lvodd[1], 1); /* 17 */
    assert_int_equal(lvodd[2], 2); /* 43 */
    assert_int_equal(lvodd[4], 4); /* 270 */
    assert_int_equal(lvodd[5], 5); /* 612 */

    /* skewed, like actions per département: many small counts, a few large ones; limits
     * meet and merge */
    int64_t skew[101];
    unsigned seed = 7;
    for (int i = 0; i < 101; i++) {
        seed = seed * 1103515245u + 12345u;
        int r = (int)(seed >> 16) % 100;
        skew[i] = r < 20 ? 0 : r < 70 ? 1 + r % 5 : r < 95 ? 10 + r : 400 + 13 * r;
    }
    check_levels(skew, 101);
    int64_t ones[] = {1, 1, 1, 1, 1, 1, 2000};
    assert_int_equal(check_levels(ones, 7), 2);

    /* random sets of every size, including one value and huge ones */
    for (int t = 0; t < 300; t++) {
        int64_t r[60];
        int n = 1 + t % 60;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            int64_t x = (int64_t)(seed >> 8) % 100000;
            r[i] = t % 3 == 0 ? x % 7 : t % 3 == 1 ? x : x * 1000000000;
        }
        check_levels(r, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_int),
        cmocka_unit_test(test_format_range),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_one_series_horizontal),
        cmocka_unit_test(test_two_series_vertical),
        cmocka_unit_test(test_two_series_horizontal_22),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_translated),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_many_categories),
        cmocka_unit_test(test_map_levels),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
