/* multipart: multipart/form-data bodies (RFC 7578, framed as in RFC 2046). Text parts become
 * form fields, file parts point into the body. The body is untrusted: nothing past len is read. */
#include "http/http.h"
#include "core/text.h"

#include <string.h>
#include <strings.h>

enum { BOUNDARY_MAX = 70 }; /* RFC 2046, section 5.1.1 */

#define NOT_FOUND ((size_t)-1)

/* A part's headers, as far as form-data needs them. */
struct part {
    const char *name;
    const char *filename;
    const char *filename_star; /* RFC 5987 form, decoded; wins over filename */
    const char *ctype;
    int is_file;
    int seen_cd, seen_ct;
};

/* RFC 9110 token characters. */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars, space included (it may not end a boundary). */
static int is_bchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("'()+_,-./:=? ", c) != NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 1 if s[0..n) is lit, ignoring ASCII case. */
static int ci_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static size_t skip_ows(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static size_t skip_token(const char *s, size_t n, size_t i)
{
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

/* A quoted-string starting at s[*i] == '"', unquoted into the arena (NUL-terminated).
 * Quoted pairs \" and \\ are undone; any other backslash is kept, since old browsers send
 * Windows paths (C:\photos\a.jpg) unescaped, and a \" with no quote after it is a kept
 * backslash then the closing quote (a name ending in a backslash, sent by a browser that
 * escapes only the quote). -1 if the string is not closed. */
static int unquote(struct arena *a, const char *s, size_t n, size_t *i, char **out, size_t *outlen)
{
    char *d = arena_alloc(a, n - *i + 1);
    size_t j = 0;
    for (size_t k = *i + 1; k < n; k++) {
        char c = s[k];
        if (c == '\\' && k + 1 < n && (s[k + 1] == '\\' || s[k + 1] == '"')) {
            if (s[k + 1] == '"' && !memchr(s + k + 2, '"', n - k - 2)) {
                d[j++] = '\\';
                continue;
            }
            d[j++] = s[++k];
            continue;
        }
        if (c == '"') {
            d[j] = 0;
            *i = k + 1;
            *out = d;
            *outlen = j;
            return 0;
        }
        d[j++] = c;
    }
    return -1;
}

/* Browsers (the HTML standard's form-data encoding) escape only '"', CR and LF in names
 * and filenames, as %22, %0D and %0A; any other '%' is the character itself. */
static size_t undo_browser_escapes(char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n) {
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            int v = hi * 16 + lo;
            if (hi >= 0 && lo >= 0 && (v == '"' || v == '\r' || v == '\n')) {
                s[j++] = (char)v;
                i += 2;
                continue;
            }
        }
        s[j++] = s[i];
    }
    s[j] = 0;
    return j;
}

/* A parameter value at s[*i]: a quoted-string or a token. Valid UTF-8 without NUL. */
static int param_value(struct arena *a, const char *s, size_t n, size_t *i, char **out)
{
    char *v;
    size_t vlen;
    if (*i < n && s[*i] == '"') {
        if (unquote(a, s, n, i, &v, &vlen))
            return -1;
    } else {
        size_t end = skip_token(s, n, *i);
        if (end == *i)
            return -1;
        vlen = end - *i;
        v = arena_strndup(a, s + *i, vlen);
        *i = end;
    }
    vlen = undo_browser_escapes(v, vlen);
    if (memchr(v, 0, vlen) || !text_utf8_valid(v, vlen))
        return -1;
    *out = v;
    return 0;
}

/* filename*=UTF-8''na%C3%AFve.jpg (RFC 5987). NULL when the charset is not UTF-8 or the
 * encoding is bad: the parameter is then ignored, as RFC 7578 allows. */
static const char *ext_value(struct arena *a, const char *v)
{
    const char *q1 = strchr(v, '\'');
    if (!q1 || !ci_eq(v, (size_t)(q1 - v), "utf-8"))
        return NULL;
    const char *q2 = strchr(q1 + 1, '\'');
    if (!q2)
        return NULL;
    char *out;
    if (url_decode(a, q2 + 1, strlen(q2 + 1), 0, &out))
        return NULL;
    return out;
}

/* Content-Disposition: form-data; name="field"; filename="a.jpg" */
static int parse_disposition(struct arena *a, const char *s, size_t n, struct part *p)
{
    size_t i = skip_token(s, n, 0);
    if (!ci_eq(s, i, "form-data"))
        return -1;
    int seen_name = 0, seen_filename = 0, seen_star = 0;
    for (;;) {
        i = skip_ows(s, n, i);
        if (i == n)
            break;
        if (s[i] != ';')
            return -1;
        i = skip_ows(s, n, i + 1);
        if (i == n)
            break; /* a trailing ';' */
        size_t ns = i;
        i = skip_token(s, n, i);
        size_t nlen = i - ns;
        if (!nlen)
            return -1;
        i = skip_ows(s, n, i);
        if (i == n || s[i] != '=')
            return -1;
        i = skip_ows(s, n, i + 1);
        char *v;
        if (param_value(a, s, n, &i, &v))
            return -1;
        if (ci_eq(s + ns, nlen, "name")) {
            if (seen_name++)
                return -1;
            p->name = v;
        } else if (ci_eq(s + ns, nlen, "filename")) {
            if (seen_filename++)
                return -1;
            p->filename = v;
            p->is_file = 1;
        } else if (ci_eq(s + ns, nlen, "filename*")) {
            if (seen_star++)
                return -1;
            p->filename_star = ext_value(a, v);
            p->is_file = 1;
        }
    }
    return p->name ? 0 : -1;
}

/* One header line (without its CRLF). Unknown headers are ignored. */
static int parse_header(struct arena *a, const char *s, size_t n, struct part *p)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -1;
    }
    size_t colon = skip_token(s, n, 0);
    if (colon == 0 || colon == n || s[colon] != ':')
        return -1; /* also folded lines, which start with a blank */
    size_t vs = skip_ows(s, n, colon + 1), ve = n;
    while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
        ve--;
    if (ci_eq(s, colon, "content-disposition")) {
        if (p->seen_cd++)
            return -1;
        return parse_disposition(a, s + vs, ve - vs, p);
    }
    if (ci_eq(s, colon, "content-type")) {
        if (p->seen_ct++ || !text_utf8_valid(s + vs, ve - vs))
            return -1;
        p->ctype = arena_strndup(a, s + vs, ve - vs);
    }
    return 0;
}

/* The header block of the part starting at pos; *body_start is past its blank line.
 * The block, blank line included, must fit HTTP_MAX_PART_HEADER_BYTES. */
static int parse_headers(struct arena *a, const char *b, size_t len, size_t pos, struct part *p,
                         size_t *body_start)
{
    size_t lim = len - pos > HTTP_MAX_PART_HEADER_BYTES ? pos + HTTP_MAX_PART_HEADER_BYTES : len;
    size_t i = pos;
    for (;;) {
        size_t eol = i;
        while (eol + 1 < lim && !(b[eol] == '\r' && b[eol + 1] == '\n'))
            eol++;
        if (eol + 1 >= lim)
            return -1; /* truncated, or too many header bytes */
        if (eol == i) {
            *body_start = eol + 2;
            break;
        }
        if (parse_header(a, b + i, eol - i, p))
            return -1;
        i = eol + 2;
    }
    if (!p->seen_cd)
        return -1;
    return 0;
}

/* What follows a boundary at b[at]: "--" for the last one, then blanks and CRLF (or, after
 * the last one, the end of the body). 1 with *next past it, or 0 if this is not a delimiter
 * (the bytes are then content). */
static int delim_tail(const char *b, size_t len, size_t at, size_t *next, int *closing)
{
    int close = 0;
    if (len - at >= 2 && b[at] == '-' && b[at + 1] == '-') {
        close = 1;
        at += 2;
    }
    at = skip_ows(b, len, at);
    if (close && at == len) {
        *next = at;
        *closing = 1;
        return 1;
    }
    if (len - at >= 2 && b[at] == '\r' && b[at + 1] == '\n') {
        *next = at + 2;
        *closing = close;
        return 1;
    }
    return 0;
}

/* The first delimiter (CRLF "--" boundary) at or after from, or NOT_FOUND. */
static size_t find_delim(const char *b, size_t len, size_t from, const char *delim, size_t dlen,
                         size_t *next, int *closing)
{
    while (from < len && len - from >= dlen) {
        const char *hit = memmem(b + from, len - from, delim, dlen);
        if (!hit)
            return NOT_FOUND;
        size_t at = (size_t)(hit - b);
        if (delim_tail(b, len, at + dlen, next, closing))
            return at;
        from = at + 1;
    }
    return NOT_FOUND;
}

/* The boundary parameter of a multipart/form-data Content-Type, into out (NUL-terminated). */
static int get_boundary(const char *ct, char *out, size_t *olen)
{
    if (!multipart_is_form_data(ct))
        return -1;
    size_t n = strlen(ct);
    size_t i = strlen("multipart/form-data");
    int found = 0;
    for (;;) {
        i = skip_ows(ct, n, i);
        if (i == n)
            break;
        if (ct[i] != ';')
            return -1;
        i = skip_ows(ct, n, i + 1);
        if (i == n)
            break;
        size_t ns = i;
        i = skip_token(ct, n, i);
        size_t nlen = i - ns;
        if (!nlen || i == n || ct[i] != '=')
            return -1;
        i++;
        const char *v;
        size_t vlen;
        if (i < n && ct[i] == '"') {
            size_t k = i + 1; /* quoted pairs are skipped; a boundary may hold none */
            while (k < n && ct[k] != '"')
                k += ct[k] == '\\' && k + 1 < n ? 2 : 1;
            if (k >= n)
                return -1;
            v = ct + i + 1;
            vlen = k - i - 1;
            i = k + 1;
        } else {
            size_t end = skip_token(ct, n, i);
            v = ct + i;
            vlen = end - i;
            i = end;
        }
        if (!ci_eq(ct + ns, nlen, "boundary"))
            continue;
        if (found++ || vlen == 0 || vlen > BOUNDARY_MAX || v[vlen - 1] == ' ')
            return -1;
        for (size_t k = 0; k < vlen; k++)
            if (!is_bchar((unsigned char)v[k]))
                return -1; /* also a backslash in a quoted boundary */
        memcpy(out, v, vlen);
        out[vlen] = 0;
        *olen = vlen;
    }
    return found ? 0 : -1;
}

int multipart_is_form_data(const char *ct)
{
    static const char type[] = "multipart/form-data";
    if (!ct || strncasecmp(ct, type, sizeof type - 1) != 0)
        return 0;
    char c = ct[sizeof type - 1];
    return c == 0 || c == ';' || c == ' ' || c == '\t';
}

int multipart_parse(struct arena *a, const char *content_type, const char *body, size_t len,
                    struct kvlist *fields, struct http_file **files, size_t max_parts)
{
    char delim[4 + BOUNDARY_MAX + 1] = "\r\n--";
    size_t blen;
    if (get_boundary(content_type, delim + 4, &blen))
        return -1;
    size_t dlen = 4 + blen;
    if (!body)
        len = 0;

    /* The first boundary opens the body, or ends a preamble line. */
    size_t pos;
    int closing;
    int at_start = len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0 &&
                   delim_tail(body, len, dlen - 2, &pos, &closing);
    if (!at_start && find_delim(body, len, 0, delim, dlen, &pos, &closing) == NOT_FOUND)
        return -1;

    /* Collected apart, added only once the whole body is known to be well formed. */
    struct kvlist got = {0};
    struct http_file *head = NULL, **tail = &head;
    size_t nparts = 0;
    while (!closing) {
        if (++nparts > max_parts)
            return -2;
        struct part p = {0};
        size_t start, next;
        if (parse_headers(a, body, len, pos, &p, &start))
            return -1;
        size_t end = find_delim(body, len, start, delim, dlen, &next, &closing);
        if (end == NOT_FOUND)
            return -1; /* no final boundary */
        size_t n = end - start;
        const char *fname = p.filename_star ? p.filename_star : p.filename ? p.filename : "";
        if (!p.is_file) {
            if (memchr(body + start, 0, n) || !text_utf8_valid(body + start, n))
                return -1;
            kv_add(a, &got, p.name, arena_strndup(a, body + start, n));
        } else if (*fname || n) { /* no name and no bytes: a file input left empty */
            struct http_file *f = arena_alloc(a, sizeof *f);
            f->field = p.name;
            f->filename = fname;
            f->content_type = p.ctype ? p.ctype : "";
            f->data = body + start;
            f->len = n;
            *tail = f;
            tail = &f->next;
        }
        pos = next;
    }

    for (size_t i = 0; i < got.n; i++)
        kv_add(a, fields, got.items[i].key, got.items[i].value);
    while (*files)
        files = &(*files)->next;
    *files = head;
    return 0;
}

const struct http_file *http_file_get(const struct req *r, const char *field)
{
    for (const struct http_file *f = r->files; f; f = f->next)
        if (strcmp(f->field, field) == 0)
            return f;
    return NULL;
}
