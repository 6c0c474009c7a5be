/* fuzz_url: libFuzzer target for the URL and query decoder in src/http/url.c: url_decode
 * (path and query forms), url_parse_query, and decode(buf_url(x)) == x for valid text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/http.h"

/* Length url_decode must produce on success: each "%XX" becomes one byte. */
static size_t decoded_len(const char *s, size_t n)
{
    size_t pct = 0;
    for (size_t i = 0; i < n; i++)
        pct += s[i] == '%';
    return n - 2 * pct;
}

static void check_text(const char *s, size_t want)
{
    if (!s || strlen(s) != want || !text_utf8_valid(s, want))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct arena *a = arena_new();

    /* '+' only changes into ' ': both modes accept or refuse the same inputs, same length. */
    char *path = NULL, *query = NULL;
    int rp = url_decode(a, s, size, 0, &path);
    int rq = url_decode(a, s, size, 1, &query);
    if ((rp != 0 && rp != -1) || rp != rq)
        abort();
    if (rp == 0) {
        check_text(path, decoded_len(s, size));
        check_text(query, decoded_len(s, size));
        if (strchr(query, '+') && !memmem(s, size, "%2", 2))
            abort(); /* a '+' in the query form can only come from %2B */
    }

    /* Valid text without NUL survives encoding then decoding unchanged. */
    if (size <= 4096 && !memchr(s, 0, size) && text_utf8_valid(s, size)) {
        struct buf b;
        buf_init(&b, 0);
        if (buf_url(&b, s, size))
            abort();
        char *back = NULL;
        if (url_decode(a, b.data ? b.data : "", b.len, 1, &back) || strlen(back) != size ||
            memcmp(back, s, size) != 0)
            abort();
        buf_free(&b);
    }

    /* Query strings: pairs split on '&', empty segments skipped, the cap is a clean -2. */
    struct kvlist q = {0};
    int rc = url_parse_query(a, s, size, &q, HTTP_MAX_FORM_FIELDS);
    if (rc != 0 && rc != -1 && rc != -2)
        abort();
    if (q.n > HTTP_MAX_FORM_FIELDS)
        abort();
    size_t segments = 0;
    for (size_t i = 0, start = 0; i <= size; i++)
        if (i == size || s[i] == '&') {
            segments += i > start;
            start = i + 1;
        }
    if (rc == 0 && q.n != segments)
        abort();
    if (rc == -2 && segments <= HTTP_MAX_FORM_FIELDS)
        abort();
    for (size_t i = 0; i < q.n; i++) {
        if (!q.items[i].key || !q.items[i].value)
            abort();
        check_text(q.items[i].key, strlen(q.items[i].key));
        check_text(q.items[i].value, strlen(q.items[i].value));
    }
    if (q.n && kv_get(&q, q.items[0].key) != q.items[0].value)
        abort();

    arena_free(a);
    return 0;
}
