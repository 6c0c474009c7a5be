/* test_tpl_spec: runs every case of the Mustache spec conformance suite against src/tpl.
 * One cmocka test per spec file; the closing "tpl-spec: N passed, M failed" line is what CI reads.
 */
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

#include "core/mem.h"
#include "tpl/tpl.h"

/* The test's own template gets a name no spec partial uses. */
#define SPEC_MAIN "(spec template)"

struct spec_file {
    char *path;
    char *base;
};

static int n_passed, n_failed;

/* Escapes control characters so that whitespace differences are visible in reports. */
static void show(const char *label, const char *s)
{
    printf("    %s \"", label);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '\r')
            fputs("\\r", stdout);
        else if (*s == '\t')
            fputs("\\t", stdout);
        else
            putchar(*s);
    }
    puts("\"");
}

static int run_case(const char *file, json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *tmpl = json_string_value(json_object_get(c, "template"));
    const char *want = json_string_value(json_object_get(c, "expected"));
    json_t *data = json_object_get(c, "data");
    json_t *partials = json_object_get(c, "partials");
    if (!name || !tmpl || !want) {
        printf("FAIL %s: malformed case\n", file);
        return 0;
    }

    struct tpl_set *set = tpl_set_new();
    struct err e = {0};
    struct buf out;
    buf_init(&out, 0);
    int ok = 0;
    const char *pname;
    json_t *psrc;
    json_object_foreach(partials, pname, psrc)
    {
        const char *p = json_string_value(psrc);
        if (p && tpl_set_add(set, pname, p, strlen(p), &e)) {
            printf("FAIL %s / %s: partial %s: %s\n", file, name, pname, e.msg);
            goto done;
        }
    }
    if (tpl_set_add(set, SPEC_MAIN, tmpl, strlen(tmpl), &e) ||
        tpl_render(set, SPEC_MAIN, data, NULL, NULL, &out, &e)) {
        printf("FAIL %s / %s: %s\n", file, name, e.msg);
        show("template", tmpl);
        goto done;
    }
    ok = strcmp(buf_cstr(&out), want) == 0;
    if (!ok) {
        printf("FAIL %s / %s\n", file, name);
        show("template", tmpl);
        show("expected", want);
        show("got     ", buf_cstr(&out));
    }
done:
    buf_free(&out);
    tpl_set_free(set);
    return ok;
}

static void test_spec_file(void **state)
{
    const struct spec_file *f = *state;
    json_error_t jerr;
    json_t *root = json_load_file(f->path, 0, &jerr);
    if (!root) {
        n_failed++;
        fail_msg("%s: %s (line %d)", f->path, jerr.text, jerr.line);
    }
    json_t *tests = json_object_get(root, "tests");
    size_t i, failed = 0;
    json_t *c;
    json_array_foreach(tests, i, c)
    {
        if (run_case(f->base, c)) {
            n_passed++;
        } else {
            n_failed++;
            failed++;
        }
    }
    size_t total = json_array_size(tests);
    json_decref(root);
    if (failed)
        fail_msg("%s: %zu of %zu cases failed", f->base, failed, total);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct spec_file *)a)->base, ((const struct spec_file *)b)->base);
}

static const char *find_dir(int argc, char **argv)
{
    /* the suite is vendored in the repository (MIT, see its LICENSE and SOURCE_COMMIT) */
    static const char *const fallbacks[] = {"tests/conformance/mustache"};
    if (argc > 1)
        return argv[1];
    const char *env = getenv("MUSTACHE_SPEC_DIR");
    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks; i++) {
        struct stat st;
        if (stat(fallbacks[i], &st) == 0 && S_ISDIR(st.st_mode))
            return fallbacks[i];
    }
    return fallbacks[0];
}

int main(int argc, char **argv)
{
    const char *dir = find_dir(argc, argv);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "tpl-spec: cannot open spec directory %s\n", dir);
        printf("tpl-spec: 0 passed, 1 failed\n");
        return 1;
    }
    struct spec_file *files = NULL;
    size_t nfiles = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json"))
            continue;
        files = xrealloc(files, (nfiles + 1) * sizeof *files);
        files[nfiles].base = xstrdup(de->d_name);
        size_t plen = strlen(dir) + n + 2;
        files[nfiles].path = xmalloc(plen);
        snprintf(files[nfiles].path, plen, "%s/%s", dir, de->d_name);
        nfiles++;
    }
    closedir(d);
    if (!nfiles) {
        fprintf(stderr, "tpl-spec: no *.json spec files in %s\n", dir);
        printf("tpl-spec: 0 passed, 1 failed\n");
        return 1;
    }
    qsort(files, nfiles, sizeof *files, by_name);

    struct CMUnitTest *tests = xcalloc(nfiles, sizeof *tests);
    for (size_t i = 0; i < nfiles; i++) {
        tests[i].name = files[i].base;
        tests[i].test_func = test_spec_file;
        tests[i].initial_state = &files[i];
    }
    int rc = _cmocka_run_group_tests("tpl-spec", tests, nfiles, NULL, NULL);

    for (size_t i = 0; i < nfiles; i++) {
        free(files[i].path);
        free(files[i].base);
    }
    free(files);
    free(tests);
    fflush(stderr);
    printf("tpl-spec: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed || rc ? 1 : 0;
}
