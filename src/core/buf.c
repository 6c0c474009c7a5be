/* buf: growable buffer and escaping writers.
 * Every write checks the cap; a failed write leaves the buffer as it was. */
#include "core/buf.h"
#include "core/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : BUF_DEFAULT_MAX;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

char *buf_detach(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *buf_cstr(struct buf *b)
{
    return b->data ? b->data : "";
}

static int grow(struct buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    if (grow(b, n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || grow(b, (size_t)n))
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

static size_t len_of(const char *s, size_t n)
{
    return n == (size_t)-1 ? (s ? strlen(s) : 0) : n;
}

/* An escaping writer that hits the cap takes back what it wrote from start: the buffer never
 * ends on half an escape sequence. Returns -1 for the writer to pass on. */
static int undo(struct buf *b, size_t start)
{
    b->len = start;
    if (b->data)
        b->data[start] = 0;
    return -1;
}

int buf_read_file(struct buf *b, const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, 500, "cannot open %s: %s", path, strerror(errno));
    size_t start = b->len, n;
    char chunk[16384];
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(b, chunk, n)) {
            rc = err_set(e, 500, "%s is larger than %zu bytes", path, b->max);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = err_set(e, 500, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (rc)
        undo(b, start);
    return rc;
}

int buf_html(struct buf *b, const char *s, size_t n)
{
    n = len_of(s, n);
    size_t start = b->len, run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        if (buf_append(b, s + run, i - run) || buf_puts(b, rep))
            goto fail;
        run = i + 1;
    }
    if (buf_append(b, s + run, n - run))
        goto fail;
    return 0;
fail:
    return undo(b, start);
}

int buf_url(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    n = len_of(s, n);
    size_t start = b->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.' || c == '~';
        int r =
            keep ? buf_putc(b, (char)c) : buf_append(b, (char[]){'%', hex[c >> 4], hex[c & 15]}, 3);
        if (r)
            return undo(b, start);
    }
    return 0;
}

int buf_json(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    n = len_of(s, n);
    size_t start = b->len, run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        const char *rep = NULL;
        size_t rl = 2;
        if (c == '"')
            rep = "\\\"";
        else if (c == '\\')
            rep = "\\\\";
        else if (c == '\n')
            rep = "\\n";
        else if (c == '\r')
            rep = "\\r";
        else if (c == '\t')
            rep = "\\t";
        else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            /* <, >, & escaped too so JSON can sit inside HTML safely */
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            rep = esc;
            rl = 6;
        } else
            continue;
        if (buf_append(b, s + run, i - run) || buf_append(b, rep, rl))
            goto fail;
        run = i + 1;
    }
    if (buf_append(b, s + run, n - run))
        goto fail;
    return 0;
fail:
    return undo(b, start);
}

int buf_csv(struct buf *b, const char *s, size_t n, char sep)
{
    n = len_of(s, n);
    int quote = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = 1;
    /* a leading = + - @ would be run as a formula by spreadsheet software */
    int guard = n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
    size_t start = b->len;
    if ((quote || guard) && buf_putc(b, '"'))
        goto fail;
    if (guard && buf_putc(b, '\''))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && buf_putc(b, '"'))
            goto fail;
        if (buf_putc(b, s[i]))
            goto fail;
    }
    if ((quote || guard) && buf_putc(b, '"'))
        goto fail;
    return 0;
fail:
    return undo(b, start);
}
