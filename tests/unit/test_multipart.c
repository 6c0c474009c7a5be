/* test_multipart: unit tests for src/http/multipart.c (multipart/form-data bodies): fields and
 * files as browsers send them, boundaries, binary content, escapes, and every limit crossed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "http/http.h"

#define CT "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define B "------WebKitFormBoundary7MA4YWxkTrZu0gW" /* "--" + the boundary */

/* One parse. The body is copied into a buffer of exactly its length (no NUL after it), so
 * AddressSanitizer catches any read past the end. */
struct parsed {
    struct arena *a;
    char *body;
    struct kvlist fields;
    struct http_file *files;
    int rc;
};

static void parse_n(struct parsed *p, const char *ct, const char *body, size_t len, size_t max)
{
    memset(p, 0, sizeof *p);
    p->a = arena_new();
    p->body = xmalloc(len ? len : 1);
    memcpy(p->body, body, len);
    p->rc = multipart_parse(p->a, ct, p->body, len, &p->fields, &p->files, max);
}

static void parse(struct parsed *p, const char *ct, const char *body)
{
    parse_n(p, ct, body, strlen(body), HTTP_MAX_MULTIPART_PARTS);
}

static void done(struct parsed *p)
{
    free(p->body);
    arena_free(p->a);
}

static size_t nfiles(const struct http_file *f)
{
    size_t n = 0;
    for (; f; f = f->next)
        n++;
    return n;
}

/* A body is malformed: -1, and nothing was added. */
static void assert_malformed(const char *ct, const char *body)
{
    struct parsed p;
    parse(&p, ct, body);
    assert_int_equal(p.rc, -1);
    assert_int_equal(p.fields.n, 0);
    assert_null(p.files);
    done(&p);
}

static void assert_parses(const char *ct, const char *body)
{
    struct parsed p;
    parse(&p, ct, body);
    assert_int_equal(p.rc, 0);
    done(&p);
}

/* A form as Chrome sends it: text fields, then an <input type=file multiple> with two photos. */
static void test_fields_and_files(void **state)
{
    (void)state;
    const char *body = B "\r\n"
                         "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\n"
                         "tok123\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"caption\"\r\n\r\n"
                         "Atelier d'été à Saint-Étienne\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n"
                         "Content-Type: image/jpeg\r\n\r\n"
                         "JPEGDATA1\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"photos\"; filename=\"b.png\"\r\n"
                         "Content-Type: image/png\r\n\r\n"
                         "PNG2\r\n" B "--\r\n";
    struct parsed p;
    parse(&p, CT, body);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.fields.n, 2);
    assert_string_equal(kv_get(&p.fields, "_csrf"), "tok123");
    assert_string_equal(kv_get(&p.fields, "caption"), "Atelier d'été à Saint-Étienne");
    assert_int_equal(nfiles(p.files), 2);
    const struct http_file *f = p.files;
    assert_string_equal(f->field, "photos");
    assert_string_equal(f->filename, "a.jpg");
    assert_string_equal(f->content_type, "image/jpeg");
    assert_int_equal(f->len, 9);
    assert_memory_equal(f->data, "JPEGDATA1", 9);
    assert_true(f->data > p.body && f->data + f->len < p.body + strlen(body)); /* no copy */
    f = f->next;
    assert_string_equal(f->filename, "b.png");
    assert_string_equal(f->content_type, "image/png");
    assert_int_equal(f->len, 4);
    assert_memory_equal(f->data, "PNG2", 4);

    struct req r = {.files = p.files};
    assert_ptr_equal(http_file_get(&r, "photos"), p.files); /* the first one */
    assert_null(http_file_get(&r, "caption"));
    done(&p);
}

/* A field with a Content-Type but no filename is text; a file part without Content-Type
 * gets "". Header names and the disposition type are case-insensitive. */
static void test_text_and_headers(void **state)
{
    (void)state;
    const char *body = B "\r\n"
                         "content-disposition: FORM-DATA; NAME=\"note\"\r\n"
                         "Content-Type: text/plain; charset=UTF-8\r\n"
                         "X-Other: ignored\r\n\r\n"
                         "ligne 1\r\nligne 2\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=doc; filename=doc.bin\r\n\r\n"
                         "x\r\n" B "--";
    struct parsed p;
    parse(&p, CT, body);
    assert_int_equal(p.rc, 0);
    assert_string_equal(kv_get(&p.fields, "note"), "ligne 1\r\nligne 2");
    assert_int_equal(nfiles(p.files), 1);
    assert_string_equal(p.files->field, "doc");
    assert_string_equal(p.files->filename, "doc.bin");
    assert_string_equal(p.files->content_type, "");
    done(&p);
}

static void test_quoted_boundary(void **state)
{
    (void)state;
    const char *part = "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n";
    char body[256];
    /* quoted, with characters a token may not hold (space, ':', '?', '=') */
    snprintf(body, sizeof body, "--b:c d?=%s--b:c d?=--\r\n", part);
    assert_parses("multipart/form-data; boundary=\"b:c d?=\"", body);
    /* other parameters around it, any case, blanks around ';' */
    snprintf(body, sizeof body, "--xyz%s--xyz--\r\n", part);
    assert_parses("Multipart/Form-Data ; charset=utf-8 ;BOUNDARY=xyz; x=\"y\"", body);
    assert_parses("multipart/form-data; boundary=\"xyz\"", body);
    /* the same body under a different boundary has no final boundary */
    assert_malformed("multipart/form-data; boundary=xy", body);
}

static void test_bad_boundary(void **state)
{
    (void)state;
    const char *part = "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n";
    char b70[71], b71[72], ct[128], body[512];
    memset(b70, 'q', 70);
    b70[70] = 0;
    memset(b71, 'q', 71);
    b71[71] = 0;
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b70);
    snprintf(body, sizeof body, "--%s%s--%s--\r\n", b70, part, b70);
    assert_parses(ct, body); /* 70 characters: the most RFC 2046 allows */
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b71);
    snprintf(body, sizeof body, "--%s%s--%s--\r\n", b71, part, b71);
    assert_malformed(ct, body);

    snprintf(body, sizeof body, "--x%s--x--\r\n", part);
    assert_malformed(NULL, body);
    assert_malformed("multipart/form-data", body);                    /* no boundary */
    assert_malformed("multipart/form-data; boundary=", body);         /* empty */
    assert_malformed("multipart/form-data; boundary=\"\"", body);     /* empty, quoted */
    assert_malformed("multipart/form-data; boundary=\"x", body);      /* unterminated */
    assert_malformed("multipart/form-data; boundary=\"x \"", body);   /* ends with a space */
    assert_malformed("multipart/form-data; boundary=\"x\\y\"", body); /* not a bchar */
    assert_malformed("multipart/form-data; boundary=x; boundary=x", body);
    assert_malformed("multipart/mixed; boundary=x", body);
    assert_malformed("multipart/form-dataX; boundary=x", body);
    assert_malformed("application/x-www-form-urlencoded", body);
    assert_parses("multipart/form-data; boundary=x", body);
    assert_true(multipart_is_form_data("multipart/form-data; boundary=x"));
    assert_true(multipart_is_form_data("MULTIPART/FORM-DATA"));
    assert_false(multipart_is_form_data("multipart/form-datas"));
    assert_false(multipart_is_form_data(NULL));
}

/* Bytes that look like a boundary but are not a delimiter line stay in the file. */
static void test_boundary_like_content(void **state)
{
    (void)state;
    static const char content[] = "x" B "\r\n"      /* not after a line break */
                                  "x\r\n" B "X\r\n" /* longer than the boundary */
                                  "\r\n------WebKitFormBoundary7MA4YWxkTrZu0g\r\n" /* shorter */
                                  "\r\n" B "--x\r\n" /* a close delimiter followed by junk */
                                  "\r\n" B " x\r\n"  /* padding, then junk */
                                  "\r\n--\r\nend";
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "preamble\r\n" B "  \t\r\n" /* transport padding after a delimiter */
                 "Content-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n\r\n");
    buf_append(&b, content, sizeof content - 1);
    buf_puts(&b, "\r\n" B "-- \r\nepilogue\r\n" B "\r\nnot a part");
    struct parsed p;
    parse_n(&p, CT, b.data, b.len, HTTP_MAX_MULTIPART_PARTS);
    assert_int_equal(p.rc, 0);
    assert_int_equal(nfiles(p.files), 1);
    assert_int_equal(p.files->len, sizeof content - 1);
    assert_memory_equal(p.files->data, content, sizeof content - 1);
    done(&p);
    buf_free(&b);
}

/* Every byte value, NUL and bare CR/LF included, and a blank line, survive in a file. */
static void test_binary_file(void **state)
{
    (void)state;
    unsigned char bin[256 + 8];
    for (int i = 0; i < 256; i++)
        bin[i] = (unsigned char)i;
    memcpy(bin + 256, "\r\n\r\n\0\r\n\r", 8);
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n");
    buf_append(&b, bin, sizeof bin);
    buf_puts(&b,
             "\r\n" B "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nafter\r\n" B "--\r\n");
    struct parsed p;
    parse_n(&p, CT, b.data, b.len, HTTP_MAX_MULTIPART_PARTS);
    assert_int_equal(p.rc, 0);
    assert_int_equal(nfiles(p.files), 1);
    assert_int_equal(p.files->len, sizeof bin);
    assert_memory_equal(p.files->data, bin, sizeof bin);
    assert_string_equal(kv_get(&p.fields, "t"), "after");
    done(&p);
    buf_free(&b);
}

static void test_missing_final_boundary(void **state)
{
    (void)state;
    const char *head = B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n";
    char body[512];
    snprintf(body, sizeof body, "%sv", head); /* cut inside the value */
    assert_malformed(CT, body);
    snprintf(body, sizeof body, "%sv\r\n" B "\r\n", head); /* a delimiter, not the last one */
    assert_malformed(CT, body);
    snprintf(body, sizeof body, "%sv\r\n" B, head); /* cut right after the boundary */
    assert_malformed(CT, body);
    snprintf(body, sizeof body, "%sv\r\n" B "-", head);
    assert_malformed(CT, body);
    assert_malformed(CT, "no boundary at all");
    assert_malformed(CT, "");
    /* the close delimiter alone: a form without fields */
    assert_parses(CT, B "--\r\n");
    assert_parses(CT, B "--");
}

static void test_part_limit(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < HTTP_MAX_MULTIPART_PARTS + 1; i++)
        buf_printf(&b, B "\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
    size_t cut = 0; /* where the last part starts */
    for (int i = 0; i < HTTP_MAX_MULTIPART_PARTS; i++)
        cut = (size_t)(strstr(b.data + cut + 1, B) - b.data);
    buf_puts(&b, B "--\r\n");

    struct parsed p;
    parse_n(&p, CT, b.data, b.len, HTTP_MAX_MULTIPART_PARTS);
    assert_int_equal(p.rc, -2);
    assert_int_equal(p.fields.n, 0);
    done(&p);

    /* the same body without its last part: exactly HTTP_MAX_MULTIPART_PARTS parts */
    struct buf ok;
    buf_init(&ok, 0);
    buf_append(&ok, b.data, cut);
    buf_puts(&ok, B "--\r\n");
    parse_n(&p, CT, ok.data, ok.len, HTTP_MAX_MULTIPART_PARTS);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.fields.n, HTTP_MAX_MULTIPART_PARTS);
    assert_string_equal(kv_get(&p.fields, "f49"), "49");
    done(&p);

    /* skipped empty file parts count too */
    buf_reset(&ok);
    for (int i = 0; i < 3; i++)
        buf_puts(&ok,
                 B "\r\nContent-Disposition: form-data; name=\"p\"; filename=\"\"\r\n\r\n\r\n");
    buf_puts(&ok, B "--\r\n");
    parse_n(&p, CT, ok.data, ok.len, 2);
    assert_int_equal(p.rc, -2);
    done(&p);
    parse_n(&p, CT, ok.data, ok.len, 3);
    assert_int_equal(p.rc, 0);
    assert_null(p.files);
    done(&p);
    buf_free(&ok);
    buf_free(&b);
}

static void test_text_must_be_utf8(void **state)
{
    (void)state;
    const char *cd = "Content-Disposition: form-data; name=\"t\"\r\n\r\n";
    char body[256];
    snprintf(body, sizeof body, B "\r\n%sSaint-\xC9tienne\r\n" B "--\r\n", cd); /* Latin-1 */
    assert_malformed(CT, body);
    snprintf(body, sizeof body, B "\r\n%s\xC0\xAF\r\n" B "--\r\n", cd); /* overlong */
    assert_malformed(CT, body);
    snprintf(body, sizeof body, B "\r\n%s\xED\xA0\x80\r\n" B "--\r\n", cd); /* surrogate */
    assert_malformed(CT, body);

    /* a NUL byte in a text part */
    static const char nul[] =
        B "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\na\0b\r\n" B "--\r\n";
    struct parsed p;
    parse_n(&p, CT, nul, sizeof nul - 1, HTTP_MAX_MULTIPART_PARTS);
    assert_int_equal(p.rc, -1);
    done(&p);

    /* the same bytes in a file part are just bytes */
    snprintf(body, sizeof body,
             B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"
               "\xC9\xFF\r\n" B "--\r\n");
    assert_parses(CT, body);
    /* invalid UTF-8 in a field name or a filename */
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"\xFF\"\r\n\r\nv\r\n" B "--");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xE9.jpg\""
                           "\r\n\r\nv\r\n" B "--");
}

/* A file input left empty: filename="" and no bytes. */
static void test_empty_file_skipped(void **state)
{
    (void)state;
    const char *body = B "\r\n"
                         "Content-Disposition: form-data; name=\"photos\"; filename=\"\"\r\n"
                         "Content-Type: application/octet-stream\r\n\r\n"
                         "\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"nameless\"; filename=\"\"\r\n\r\n"
                         "data\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"empty\"; filename=\"vide.txt\"\r\n"
                         "\r\n"
                         "\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"t\"\r\n\r\n"
                         "\r\n" B "--\r\n";
    struct parsed p;
    parse(&p, CT, body);
    assert_int_equal(p.rc, 0);
    assert_int_equal(nfiles(p.files), 2);
    assert_string_equal(p.files->field, "nameless"); /* no filename, but bytes: kept */
    assert_string_equal(p.files->filename, "");
    assert_int_equal(p.files->len, 4);
    assert_string_equal(p.files->next->filename, "vide.txt"); /* a named empty file: kept */
    assert_int_equal(p.files->next->len, 0);
    assert_string_equal(kv_get(&p.fields, "t"), ""); /* an empty text field */
    done(&p);
}

static void test_bad_part_headers(void **state)
{
    (void)state;
    /* truncated inside the headers, or no blank line before the end */
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; na");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"a\"\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"a\"\r\n" B "--\r\n");
    /* no headers, no disposition, no name, wrong type, twice */
    assert_malformed(CT, B "\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Type: text/plain\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n" B
                           "--\r\n");
    assert_malformed(CT,
                     B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                           "Content-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(
        CT, B "\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n" B "--\r\n");
    /* broken lines: no colon, a folded line, a bare LF, an unterminated quote, junk params */
    assert_malformed(CT, B "\r\nContent-Disposition form-data; name=\"a\"\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n" B
                           "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"a\"\nX: y\r\n\r\nv\r\n" B
                           "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(CT, B "\r\nContent-Disposition: form-data name=\"a\"\r\n\r\nv\r\n" B "--\r\n");
    assert_malformed(
        CT, B "\r\nContent-Disposition: form-data; name=\"a\"\r\nX\x01: y\r\n\r\nv\r\n" B "--\r\n");
    /* LF-only line ends are not multipart/form-data */
    assert_malformed(CT, B "\nContent-Disposition: form-data; name=\"a\"\n\nv\n" B "--\n");
}

/* A part's headers, blank line included, fit HTTP_MAX_PART_HEADER_BYTES: one byte more fails. */
static void test_header_limit(void **state)
{
    (void)state;
    const char *cd = "Content-Disposition: form-data; name=\"a\"\r\n";
    const char *pad_name = "X-Pad: ";
    for (int over = 0; over <= 1; over++) {
        size_t fixed = strlen(cd) + strlen(pad_name) + 2 + 2; /* pad's CRLF, blank line */
        size_t pad = HTTP_MAX_PART_HEADER_BYTES - fixed + (size_t)over;
        struct buf b;
        buf_init(&b, 0);
        buf_puts(&b, B "\r\n");
        buf_puts(&b, cd);
        buf_puts(&b, pad_name);
        for (size_t i = 0; i < pad; i++)
            buf_putc(&b, 'p');
        buf_puts(&b, "\r\n\r\nv\r\n" B "--\r\n");
        struct parsed p;
        parse_n(&p, CT, b.data, b.len, HTTP_MAX_MULTIPART_PARTS);
        assert_int_equal(p.rc, over ? -1 : 0);
        if (!over)
            assert_string_equal(kv_get(&p.fields, "a"), "v");
        done(&p);
        buf_free(&b);
    }
}

/* Names and filenames as browsers and other clients escape them. */
static void test_escaped_names(void **state)
{
    (void)state;
    static const struct {
        const char *param; /* as sent */
        const char *want;
    } cases[] = {
        {"filename=\"a%22b.jpg\"", "a\"b.jpg"},          /* Chrome and Firefox */
        {"filename=\"l1%0Al2%0d.jpg\"", "l1\nl2\r.jpg"}, /* CR and LF */
        {"filename=\"100%.jpg\"", "100%.jpg"},           /* other '%' are themselves */
        {"filename=\"50%25.jpg\"", "50%25.jpg"},
        {"filename=\"a\\\"b.jpg\"", "a\"b.jpg"}, /* curl: a quoted pair */
        {"filename=\"a\\\\b.jpg\"", "a\\b.jpg"},
        {"filename=\"C:\\photos\\a.jpg\"", "C:\\photos\\a.jpg"}, /* old browsers: a Windows path */
        {"filename=\"dossier\\\"", "dossier\\"}, /* a trailing backslash, unescaped */
        {"filename=\"été.jpg\"", "été.jpg"},     /* raw UTF-8 */
        {"filename=plain.jpg", "plain.jpg"},     /* a token */
        {"filename=\"a;b=c.jpg\"", "a;b=c.jpg"},
        {"filename=\"x.jpg\"; filename*=UTF-8''%C3%A9t%C3%A9.jpg", "été.jpg"}, /* RFC 5987 wins */
        {"filename*=utf-8'fr'caf%C3%A9.jpg; filename=\"cafe.jpg\"", "café.jpg"},
        {"filename=\"x.jpg\"; filename*=ISO-8859-1''%E9.jpg", "x.jpg"}, /* ignored */
        {"filename=\"x.jpg\"; filename*=UTF-8''%ZZ.jpg", "x.jpg"},      /* ignored */
        {"filename=\"x.jpg\"; filename*=UTF-8''%C3.jpg", "x.jpg"},      /* ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 B "\r\nContent-Disposition: form-data; name=\"f%%22\"; %s\r\n\r\nx\r\n" B "--\r\n",
                 cases[i].param);
        struct parsed p;
        parse(&p, CT, body);
        assert_int_equal(p.rc, 0);
        assert_non_null(p.files);
        assert_string_equal(p.files->field, "f\"");
        assert_string_equal(p.files->filename, cases[i].want);
        done(&p);
    }
}

/* Fields and files are appended to what the lists already hold; a failed parse adds none. */
static void test_appends_only_on_success(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kvlist fields = {0};
    struct http_file first = {.field = "old", .filename = "old.jpg", .data = "", .len = 0};
    struct http_file *files = &first;
    kv_add(a, &fields, "q", "1");
    const char *good = B "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n" B "\r\n"
                         "Content-Disposition: form-data; name=\"f\"; filename=\"n.jpg\"\r\n\r\n"
                         "z\r\n" B "--\r\n";
    const char *bad = B "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n" B "\r\n"
                        "Content-Disposition: form-data; name=\"f\"; filename=\"n.jpg\"\r\n\r\n"
                        "z\r\n";
    assert_int_equal(multipart_parse(a, CT, bad, strlen(bad), &fields, &files, 10), -1);
    assert_int_equal(fields.n, 1);
    assert_null(first.next);
    assert_int_equal(multipart_parse(a, CT, good, strlen(good), &fields, &files, 10), 0);
    assert_int_equal(fields.n, 2);
    assert_string_equal(kv_get(&fields, "t"), "v");
    assert_ptr_equal(files, &first);
    assert_non_null(first.next);
    assert_string_equal(first.next->filename, "n.jpg");
    assert_int_equal(multipart_parse(a, CT, NULL, 0, &fields, &files, 10), -1);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_files),
        cmocka_unit_test(test_text_and_headers),
        cmocka_unit_test(test_quoted_boundary),
        cmocka_unit_test(test_bad_boundary),
        cmocka_unit_test(test_boundary_like_content),
        cmocka_unit_test(test_binary_file),
        cmocka_unit_test(test_missing_final_boundary),
        cmocka_unit_test(test_part_limit),
        cmocka_unit_test(test_text_must_be_utf8),
        cmocka_unit_test(test_empty_file_skipped),
        cmocka_unit_test(test_bad_part_headers),
        cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_escaped_names),
        cmocka_unit_test(test_appends_only_on_success),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
