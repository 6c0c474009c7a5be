/* test_tpl: unit tests for src/tpl beyond the Mustache spec suite: escaping, our translation
 * tag, loading a directory, syntax errors with their line, and every limit crossed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "tpl/tpl.h"

/* Templates as name/source pairs, ended by a NULL name; the first one is rendered. Returns
 * the output (caller frees) or NULL with e filled. */
static char *render_set(const char *const *pairs, const char *json, tpl_translate_fn tr, void *ud,
                        struct err *e)
{
    struct tpl_set *s = tpl_set_new();
    json_t *ctx = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
    if (json)
        assert_non_null(ctx);
    char *res = NULL;
    for (size_t i = 0; pairs[i]; i += 2)
        if (tpl_set_add(s, pairs[i], pairs[i + 1], strlen(pairs[i + 1]), e))
            goto done;
    struct buf out;
    buf_init(&out, 0);
    if (tpl_render(s, pairs[0], ctx, tr, ud, &out, e) == 0)
        res = buf_detach(&out);
    buf_free(&out);
done:
    json_decref(ctx);
    tpl_set_free(s);
    return res;
}

static char *render1(const char *src, const char *json, struct err *e)
{
    const char *pairs[] = {"t", src, NULL};
    return render_set(pairs, json, NULL, NULL, e);
}

static void check(const char *src, const char *json, const char *want)
{
    struct err e = {0};
    char *got = render1(src, json, &e);
    if (!got)
        fail_msg("render failed: %s", e.msg);
    assert_string_equal(got, want);
    free(got);
}

/* Compiling or rendering must fail, with a message containing each of the given pieces. */
static void check_fails(const char *const *pairs, const char *json, const char *piece1,
                        const char *piece2)
{
    struct err e = {0};
    char *got = render_set(pairs, json, NULL, NULL, &e);
    if (got)
        fail_msg("expected an error, got \"%s\"", got);
    assert_int_equal(e.status, 500);
    if (!strstr(e.msg, piece1) || (piece2 && !strstr(e.msg, piece2)))
        fail_msg("message \"%s\" lacks \"%s\"/\"%s\"", e.msg, piece1, piece2 ? piece2 : "");
}

static void check_fails1(const char *src, const char *json, const char *piece1, const char *piece2)
{
    const char *pairs[] = {"t", src, NULL};
    check_fails(pairs, json, piece1, piece2);
}

static void test_escapes_by_default(void **state)
{
    (void)state;
    check("{{v}}", "{\"v\":\"a&b<c>d\\\"e'f\"}", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    check("{{{v}}}|{{&v}}", "{\"v\":\"<b>&'\"}", "<b>&'|<b>&'");
    check("{{#l}}{{.}}{{/l}}", "{\"l\":[\"<\",\"'\"]}", "&lt;&#39;");
    /* the output of a partial is not escaped again */
    const char *pairs[] = {"t", "{{>p}}", "p", "<i>{{v}}</i>", NULL};
    struct err e = {0};
    char *got = render_set(pairs, "{\"v\":\"<\"}", NULL, NULL, &e);
    assert_non_null(got);
    assert_string_equal(got, "<i>&lt;</i>");
    free(got);
}

static void test_values(void **state)
{
    (void)state;
    check("{{i}} {{n}} {{r}} {{s}} {{b}} {{f}} {{z}} {{o}} {{a}}",
          "{\"i\":85,\"n\":-3,\"r\":1.21,\"s\":0.30000000000000004,\"b\":true,\"f\":false,"
          "\"z\":null,\"o\":{\"x\":1},\"a\":[1]}",
          "85 -3 1.21 0.30000000000000004 true false   ");
    check("{{r}}", "{\"r\":1e300}", "1e+300");
    check("{{r}}", "{\"r\":2.0}", "2");
    check("{{missing}}|{{a.b.c}}", "{\"a\":{\"b\":1}}", "|");
    /* a NULL context renders the static parts */
    check("plain {{x}}", NULL, "plain ");
}

static void test_truthiness(void **state)
{
    (void)state;
    const char *src = "{{#v}}T{{/v}}{{^v}}F{{/v}}";
    check(src, "{\"v\":\"\"}", "F"); /* our choice: an empty string is falsey */
    check(src, "{\"v\":\"x\"}", "T");
    check(src, "{\"v\":0}", "T");
    check(src, "{\"v\":{}}", "T");
    check(src, "{\"v\":[]}", "F");
    check(src, "{\"v\":null}", "F");
    check(src, "{}", "F");
}

static const char *tr_fr(void *ud, const char *msgid)
{
    if (ud)
        snprintf(ud, 64, "%s", msgid); /* records the msgid seen */
    if (!strcmp(msgid, "Hello world"))
        return "Bonjour <monde> & \"vous\"";
    if (!strcmp(msgid, "untranslated"))
        return NULL;
    return msgid;
}

static void test_translation_tag(void **state)
{
    (void)state;
    struct err e = {0};
    char seen[64] = "";
    const char *p1[] = {"t", "<p>{{_ Hello world}}</p>", NULL};
    char *got = render_set(p1, "{}", tr_fr, seen, &e);
    assert_non_null(got);
    assert_string_equal(got, "<p>Bonjour &lt;monde&gt; &amp; &quot;vous&quot;</p>");
    assert_string_equal(seen, "Hello world");
    free(got);

    /* padding is trimmed, inner spacing kept */
    const char *p2[] = {"t", "{{ _   Many  spaces\t}}", NULL};
    got = render_set(p2, "{}", tr_fr, seen, &e);
    assert_non_null(got);
    assert_string_equal(seen, "Many  spaces");
    assert_string_equal(got, "Many  spaces");
    free(got);

    /* no translator: the msgid itself, escaped; a NULL translation falls back the same way */
    const char *p3[] = {"t", "{{_ Fish & <chips>}}|{{_ untranslated}}", NULL};
    got = render_set(p3, "{}", NULL, NULL, &e);
    assert_non_null(got);
    assert_string_equal(got, "Fish &amp; &lt;chips&gt;|untranslated");
    free(got);
    got = render_set(p3, "{}", tr_fr, NULL, &e);
    assert_non_null(got);
    assert_string_equal(got, "Fish &amp; &lt;chips&gt;|untranslated");
    free(got);

    /* without a space it is an ordinary variable */
    check("{{_foo}}|{{_}}|{{#_foo}}in{{/_foo}}", "{\"_foo\":\"x\",\"_\":\"y\"}", "x|y|in");
    /* and it is never a standalone tag: it prints */
    check("a\n  {{_ b}}\nc", "{}", "a\n  b\nc");
}

static void test_nested_standalone_indentation(void **state)
{
    (void)state;
    const char *pairs[] = {"t",     "<ul>\n  {{>items}}\n</ul>\n",
                           "items", "{{#list}}\n<li>\n  {{>item}}\n</li>\n{{/list}}\n",
                           "item",  "{{name}}\n{{{raw}}}\n",
                           NULL};
    struct err e = {0};
    char *got = render_set(
        pairs, "{\"raw\":\"x\\ny\",\"list\":[{\"name\":\"A\"},{\"name\":\"B\"}]}", NULL, NULL, &e);
    assert_non_null(got);
    /* each level adds its own indentation once; a multi-line value is data, not re-indented */
    assert_string_equal(got, "<ul>\n  <li>\n    A\n    x\ny\n  </li>\n  <li>\n    B\n    x\ny\n"
                             "  </li>\n</ul>\n");
    free(got);
}

static void test_layout_inheritance(void **state)
{
    (void)state;
    const char *pairs[] = {"page",
                           "{{<layout}}\n"
                           "{{$title}}Films{{/title}}\n"
                           "{{$content}}\n"
                           "  <h1>{{_ Films}}</h1>\n"
                           "  {{>list}}\n"
                           "{{/content}}\n"
                           "{{/layout}}\n",
                           "layout",
                           "<title>{{$title}}Lanterne{{/title}}</title>\n"
                           "<main>\n"
                           "    {{$content}}\n"
                           "    {{/content}}\n"
                           "</main>\n",
                           "list",
                           "<ul>\n{{#films}}\n  <li>{{.}}</li>\n{{/films}}\n</ul>\n",
                           NULL};
    struct err e = {0};
    char *got = render_set(pairs, "{\"films\":[\"a\",\"b\"]}", NULL, NULL, &e);
    if (!got)
        fail_msg("%s", e.msg);
    assert_string_equal(got, "<title>Films</title>\n"
                             "<main>\n"
                             "    <h1>Films</h1>\n"
                             "    <ul>\n"
                             "      <li>a</li>\n"
                             "      <li>b</li>\n"
                             "    </ul>\n"
                             "</main>\n");
    free(got);
}

static void test_missing_templates(void **state)
{
    (void)state;
    check("[{{>nowhere}}][{{<nowhere}}{{$a}}x{{/a}}{{/nowhere}}]", "{}", "[][]");
    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(tpl_render(s, "nope", NULL, NULL, NULL, &out, &e), -1);
    assert_int_equal(e.status, 500);
    assert_non_null(strstr(e.msg, "nope"));
    assert_false(tpl_has(s, "nope"));
    buf_free(&out);
    tpl_set_free(s);
}

static void test_replace_and_failed_add(void **state)
{
    (void)state;
    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(tpl_set_add(s, "a", "one", 3, &e), 0);
    assert_int_equal(tpl_set_add(s, "a", "two", 3, &e), 0);
    /* a template that does not compile leaves the previous one in place */
    assert_int_equal(tpl_set_add(s, "a", "{{#x}}", 6, &e), -1);
    assert_int_equal(tpl_render(s, "a", NULL, NULL, NULL, &out, &e), 0);
    assert_string_equal(buf_cstr(&out), "two");
    /* many names: the table grows and keeps every one */
    for (int i = 0; i < 500; i++) {
        char name[32], src[32];
        snprintf(name, sizeof name, "n/%d", i);
        snprintf(src, sizeof src, "<%d>", i);
        assert_int_equal(tpl_set_add(s, name, src, strlen(src), &e), 0);
    }
    for (int i = 0; i < 500; i++) {
        char name[32], want[32];
        snprintf(name, sizeof name, "n/%d", i);
        snprintf(want, sizeof want, "<%d>", i);
        buf_reset(&out);
        assert_int_equal(tpl_render(s, name, NULL, NULL, NULL, &out, &e), 0);
        assert_string_equal(buf_cstr(&out), want);
    }
    buf_free(&out);
    tpl_set_free(s);
}

static void test_syntax_errors_name_the_line(void **state)
{
    (void)state;
    check_fails1("a\nb\n{{#x}}\nc", "{}", "template t line 3", "never closed");
    check_fails1("{{#a}}\n{{/b}}", "{}", "line 2", "does not match \"a\" opened on line 1");
    check_fails1("x\ny {{z", "{}", "line 2", "unclosed tag");
    check_fails1("x\n{{{z}}", "{}", "line 2", "unclosed tag");
    check_fails1("{{!\n\n}}\n{{/a}}", "{}", "line 4", "closes nothing");
    check_fails1("{{= x =}}", "{}", "line 1", "set-delimiter");
    check_fails1("{{=<% %>}}", "{}", "line 1", "set-delimiter");
    check_fails1("ok\n{{}}", "{}", "line 2", "empty tag");
    check_fails1("{{# }}{{/ }}", "{}", "line 1", "empty tag");
    check_fails1("{{<p}}{{$a}}{{/p}}{{/a}}", "{}", "line 1", "does not match");
    /* new delimiters are honoured for the closing tag too */
    check_fails1("{{=<% %>=}}\n<%#a%>\n{{/a}}", "{}", "line 2", "never closed");
}

static void test_include_depth_limit(void **state)
{
    (void)state;
    check_fails1("x{{>t}}", "{}", "nested deeper than 64", "partial");
    const char *parent[] = {"t", "{{<t}}{{/t}}", NULL};
    check_fails(parent, "{}", "nested deeper than 64", "parent");
    /* a block whose argument expands the same block again */
    const char *block[] = {"t", "{{<p}}{{$a}}{{$a}}x{{/a}}{{/a}}{{/p}}", "p", "{{$a}}{{/a}}", NULL};
    check_fails(block, "{}", "nested deeper than 64", "block");

    /* a chain of exactly TPL_MAX_INCLUDE_DEPTH partials renders; one more fails */
    for (int extra = 0; extra <= 1; extra++) {
        int n = TPL_MAX_INCLUDE_DEPTH + extra;
        struct tpl_set *s = tpl_set_new();
        struct err e = {0};
        for (int i = 0; i <= n; i++) {
            char name[16], src[32];
            snprintf(name, sizeof name, "p%d", i);
            if (i < n)
                snprintf(src, sizeof src, "{{>p%d}}", i + 1);
            else
                snprintf(src, sizeof src, "end");
            assert_int_equal(tpl_set_add(s, name, src, strlen(src), &e), 0);
        }
        struct buf out;
        buf_init(&out, 0);
        buf_puts(&out, "kept|");
        int rc = tpl_render(s, "p0", NULL, NULL, NULL, &out, &e);
        if (!extra) {
            assert_int_equal(rc, 0);
            assert_string_equal(buf_cstr(&out), "kept|end");
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(buf_cstr(&out), "kept|"); /* no half page */
        }
        buf_free(&out);
        tpl_set_free(s);
    }
}

static char *nested_sections(int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_puts(&b, "{{#l}}");
    buf_puts(&b, "x");
    for (int i = 0; i < n; i++)
        buf_puts(&b, "{{/l}}");
    return buf_detach(&b);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    char *ok = nested_sections(TPL_MAX_NESTING);
    check(ok, "{\"l\":true}", "x");
    free(ok);
    char *bad = nested_sections(TPL_MAX_NESTING + 1);
    check_fails1(bad, "{}", "line 1", "nested too deeply");
    free(bad);
}

static void test_render_steps_limit(void **state)
{
    (void)state;
    /* 4^20 iterations: well-formed, but far too costly */
    char *src = nested_sections(20);
    check_fails1(src, "{\"l\":[1,2,3,4]}", "steps", NULL);
    free(src);
}

static void test_source_size_limit(void **state)
{
    (void)state;
    size_t n = (size_t)TPL_MAX_SOURCE_SIZE + 1;
    char *src = xmalloc(n);
    memset(src, 'a', n);
    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    assert_int_equal(tpl_set_add(s, "big", src, n, &e), -1);
    assert_non_null(strstr(e.msg, "larger than"));
    assert_int_equal(tpl_set_add(s, "big", src, n - 1, &e), 0);
    tpl_set_free(s);
    free(src);
}

static void test_output_cap(void **state)
{
    (void)state;
    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    assert_int_equal(tpl_set_add(s, "t", "{{#l}}0123456789{{/l}}", 22, &e), 0);
    json_t *ctx = json_pack("{s:[iiii]}", "l", 1, 2, 3, 4);
    struct buf out;
    buf_init(&out, 32);
    assert_int_equal(tpl_render(s, "t", ctx, NULL, NULL, &out, &e), -1);
    assert_non_null(strstr(e.msg, "output larger than"));
    assert_int_equal(out.len, 0);
    buf_free(&out);
    json_decref(ctx);
    tpl_set_free(s);
}

static void test_indentation_limit(void **state)
{
    (void)state;
    /* each self-inclusion adds 2000 columns: the indentation cap trips before the depth one */
    struct buf src;
    buf_init(&src, 0);
    for (int i = 0; i < 2000; i++)
        buf_putc(&src, ' ');
    buf_puts(&src, "{{>t}}\n");
    check_fails1(buf_cstr(&src), "{}", "indentation deeper than", NULL);
    buf_free(&src);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_dir(void **state)
{
    (void)state;
    char root[] = "/tmp/tpl-test-XXXXXX";
    assert_non_null(mkdtemp(root));
    char p[512];
    snprintf(p, sizeof p, "%s/sub", root);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/sub/deeper", root);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/page.html", root);
    write_file(p, "[{{>sub/item}}|{{>sub/deeper/leaf}}]");
    snprintf(p, sizeof p, "%s/sub/item.html", root);
    write_file(p, "item {{v}}");
    snprintf(p, sizeof p, "%s/sub/deeper/leaf.html", root);
    write_file(p, "leaf");
    snprintf(p, sizeof p, "%s/sub/notes.txt", root);
    write_file(p, "not a template {{");
    snprintf(p, sizeof p, "%s/.hidden.html", root);
    write_file(p, "hidden");

    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    char dir[600];
    snprintf(dir, sizeof dir, "%s/", root); /* a trailing slash changes nothing */
    if (tpl_set_load_dir(s, dir, &e))
        fail_msg("%s", e.msg);
    assert_true(tpl_has(s, "page"));
    assert_true(tpl_has(s, "sub/item"));
    assert_true(tpl_has(s, "sub/deeper/leaf"));
    assert_false(tpl_has(s, "sub/notes"));
    assert_false(tpl_has(s, "page.html"));
    assert_false(tpl_has(s, ".hidden"));
    struct buf out;
    buf_init(&out, 0);
    json_t *ctx = json_pack("{s:s}", "v", "<1>");
    assert_int_equal(tpl_render(s, "page", ctx, NULL, NULL, &out, &e), 0);
    assert_string_equal(buf_cstr(&out), "[item &lt;1&gt;|leaf]");
    json_decref(ctx);
    buf_free(&out);
    tpl_set_free(s);

    /* a broken template names its file and line */
    snprintf(p, sizeof p, "%s/sub/broken.html", root);
    write_file(p, "ok\n{{#open}}\n");
    s = tpl_set_new();
    assert_int_equal(tpl_set_load_dir(s, root, &e), -1);
    assert_non_null(strstr(e.msg, "template sub/broken line 2"));
    tpl_set_free(s);
    unlink(p);

    /* more than TPL_MAX_DIR_DEPTH levels of directories */
    size_t len = (size_t)snprintf(p, sizeof p, "%s", root);
    for (int i = 0; i <= TPL_MAX_DIR_DEPTH; i++) {
        len += (size_t)snprintf(p + len, sizeof p - len, "/d");
        assert_int_equal(mkdir(p, 0700), 0);
    }
    s = tpl_set_new();
    assert_int_equal(tpl_set_load_dir(s, root, &e), -1);
    assert_non_null(strstr(e.msg, "deeper than"));
    tpl_set_free(s);
    /* ... while exactly TPL_MAX_DIR_DEPTH levels load */
    assert_int_equal(rmdir(p), 0);
    s = tpl_set_new();
    assert_int_equal(tpl_set_load_dir(s, root, &e), 0);
    tpl_set_free(s);

    s = tpl_set_new();
    assert_int_equal(tpl_set_load_dir(s, "/nonexistent/templates", &e), -1);
    assert_non_null(strstr(e.msg, "cannot open"));
    tpl_set_free(s);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes_by_default),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_truthiness),
        cmocka_unit_test(test_translation_tag),
        cmocka_unit_test(test_nested_standalone_indentation),
        cmocka_unit_test(test_layout_inheritance),
        cmocka_unit_test(test_missing_templates),
        cmocka_unit_test(test_replace_and_failed_add),
        cmocka_unit_test(test_syntax_errors_name_the_line),
        cmocka_unit_test(test_include_depth_limit),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_render_steps_limit),
        cmocka_unit_test(test_source_size_limit),
        cmocka_unit_test(test_output_cap),
        cmocka_unit_test(test_indentation_limit),
        cmocka_unit_test(test_load_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
