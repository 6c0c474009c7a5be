/* fuzz_multipart: libFuzzer target for multipart_parse in src/http/multipart.c. The input is
 * "<Content-Type>\n<body>"; the body is used unterminated, exactly as long as it is. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"
#include "http/http.h"

static void check_text(const char *s)
{
    if (!s || !text_utf8_valid(s, strlen(s)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t ctlen = nl ? (size_t)(nl - in) : size;
    const char *body = nl ? nl + 1 : in + size;
    size_t len = nl ? size - ctlen - 1 : 0;

    struct arena *a = arena_new();
    char *ct = arena_strndup(a, in, ctlen); /* a header value stops at a NUL, as MHD's would */
    struct kvlist fields = {0};
    struct http_file *files = NULL;
    int rc = multipart_parse(a, ct, body, len, &fields, &files, HTTP_MAX_MULTIPART_PARTS);
    if (rc != 0 && rc != -1 && rc != -2)
        abort();
    if (rc != 0 && (fields.n || files))
        abort(); /* nothing is added unless the whole body parses */
    if (rc == 0 && !multipart_is_form_data(ct))
        abort();

    size_t nfiles = 0;
    for (const struct http_file *f = files; f; f = f->next, nfiles++) {
        check_text(f->field);
        check_text(f->filename);
        check_text(f->content_type);
        if (f->data < body || f->len > len || f->data > body + len - f->len)
            abort(); /* a file lies inside the body */
        /* and is followed by a delimiter: CRLF "--" boundary */
        size_t after = (size_t)(f->data + f->len - body);
        if (len - after < 5 || memcmp(body + after, "\r\n--", 4) != 0)
            abort();
        if (!f->filename[0] && f->len == 0)
            abort(); /* empty file inputs are skipped */
    }
    for (size_t i = 0; i < fields.n; i++) {
        check_text(fields.items[i].key);
        check_text(fields.items[i].value);
    }
    if (fields.n + nfiles > HTTP_MAX_MULTIPART_PARTS)
        abort();

    /* A smaller part limit can only turn success into -2, and never hides a malformed body
     * behind success. */
    struct kvlist f2 = {0};
    struct http_file *files2 = NULL;
    int rc2 = multipart_parse(a, ct, body, len, &f2, &files2, 2);
    if (rc == -2 && rc2 != -2)
        abort();
    if (rc == -1 && rc2 == 0)
        abort();
    if (rc == 0 && fields.n + nfiles > 2 && rc2 != -2)
        abort();
    if (rc2 == 0 && (rc != 0 || f2.n != fields.n))
        abort();

    arena_free(a);
    return 0;
}
