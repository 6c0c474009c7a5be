/* fuzz_form: libFuzzer target for application/x-www-form-urlencoded bodies, parsed the way
 * src/http/server.c does (url_parse_query on the raw body), then read with kv_get. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"
#include "http/http.h"

/* Keys the handlers read, plus two that only odd bodies produce. */
static const char *const keys[] = {
    "_csrf", "login", "password", "display_name", "email", "role", "structures", "name", "", " "};

/* A decoded field holds its "%XX"-less length: a shorter strlen means a NUL slipped in. */
static void check_field(const char *got, const char *raw, size_t n)
{
    size_t want = n;
    for (size_t i = 0; i < n; i++)
        if (raw[i] == '%')
            want -= 2;
    if (!got || strlen(got) != want || !text_utf8_valid(got, want))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The body buffer is not read past its length: the input is used as is, unterminated. */
    const char *body = (const char *)data;
    struct arena *a = arena_new();
    struct kvlist form = {0};
    int rc = url_parse_query(a, body, size, &form, HTTP_MAX_FORM_FIELDS);
    if (rc != 0 && rc != -1 && rc != -2)
        abort();
    if (form.n > HTTP_MAX_FORM_FIELDS)
        abort();

    /* Walk the body again independently: the n-th non-empty segment is the n-th pair. */
    size_t k = 0;
    for (size_t i = 0, start = 0; i <= size && k < form.n; i++) {
        if (i < size && body[i] != '&')
            continue;
        if (i > start) {
            const char *seg = body + start;
            size_t n = i - start;
            const char *eq = memchr(seg, '=', n);
            size_t klen = eq ? (size_t)(eq - seg) : n;
            check_field(form.items[k].key, seg, klen);
            if (eq)
                check_field(form.items[k].value, eq + 1, n - klen - 1);
            else if (!form.items[k].value || form.items[k].value[0])
                abort();
            k++;
        }
        start = i + 1;
    }
    if (k != form.n)
        abort();

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *v = kv_get(&form, keys[i]);
        if (v && !text_utf8_valid(v, strlen(v)))
            abort();
    }
    /* kv_get answers the first pair with a key: the first pair always answers for itself. */
    if (form.n && kv_get(&form, form.items[0].key) != form.items[0].value)
        abort();

    arena_free(a);
    return 0;
}
