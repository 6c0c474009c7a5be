/* csv: the CSV reader (encoding detection, Windows-1252 decoding, RFC 4180 parsing in place)
 * and writer (quoting, CRLF, BOM, formula guard). Pure: no I/O, memory from the caller's arena. */
#include "core/csv.h"

#include <string.h>

#include "core/text.h"

static const char BOM[] = "\xEF\xBB\xBF";

/* Windows-1252 bytes 0x80..0x9F as code points, 0 for the five it leaves undefined.
 * 0xA0..0xFF are U+00A0..U+00FF, as in Latin-1. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80 € ‚ ƒ „ … † ‡ */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,      /* 88 ˆ ‰ Š ‹ Œ Ž */
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90 ‘ ’ “ ” • – — */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178, /* 98 ˜ ™ š › œ ž Ÿ */
};

static int is_delim(char c)
{
    return c == ',' || c == ';' || c == '\t';
}

/* Physical line of byte off in s[0..n): 1 + the line ends before it, CRLF counting once. Only
 * used on error paths, so the decoder's hot loop need not count lines. */
static int line_at(const unsigned char *s, size_t n, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
            line++;
    return line;
}

/* Offset of the first byte that does not start a strict UTF-8 sequence (text.c's rules: each
 * sequence is the shortest prefix text_utf8_valid accepts), n if there is none. Error path. */
static size_t utf8_bad_offset(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = 1;
        while (k <= 4 && i + k <= n && !text_utf8_valid((const char *)s + i, k))
            k++;
        if (k > 4 || i + k > n)
            return i;
        i += k;
    }
    return n;
}

static size_t utf8_put(unsigned char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (unsigned char)(0xE0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
}

static unsigned cp1252(unsigned char c)
{
    return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

/* The text of p[0..n) (BOM already dropped) as UTF-8 in a writable, NUL-terminated arena copy
 * with one spare byte, which the in-place parser needs. */
static int decode(struct arena *a, const unsigned char *p, size_t n, struct csv_table *t,
                  char **out, size_t *outn, struct err *e)
{
    const unsigned char *nul = n ? memchr(p, 0, n) : NULL;
    if (nul) {
        t->err_line = line_at(p, n, (size_t)(nul - p));
        return err_set(e, 422, "Ligne %d : caractère nul (octet 0) interdit dans un fichier CSV.",
                       t->err_line);
    }
    if (text_utf8_valid((const char *)p, n)) {
        t->encoding = CSV_UTF8;
        *out = arena_alloc(a, n + 1);
        if (n)
            memcpy(*out, p, n);
        *outn = n;
        return 0;
    }
    if (t->bom) {
        t->err_line = line_at(p, n, utf8_bad_offset(p, n));
        return err_set(e, 422,
                       "Ligne %d : le fichier commence par la marque UTF-8 (BOM) mais contient "
                       "des octets qui ne sont pas de l'UTF-8.",
                       t->err_line);
    }
    /* Windows-1252: one pass to size the result (and find undefined bytes), one to write it. */
    size_t size = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned cp = cp1252(p[i]);
        if (!cp && p[i]) {
            t->err_line = line_at(p, n, i);
            return err_set(e, 422,
                           "Ligne %d : octet 0x%02X inconnu ; le fichier n'est ni en UTF-8 ni en "
                           "Windows-1252.",
                           t->err_line, p[i]);
        }
        size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    }
    t->encoding = CSV_WINDOWS_1252;
    unsigned char *o = arena_alloc(a, size + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += utf8_put(o + k, cp1252(p[i]));
    *out = (char *)o;
    *outn = size;
    return 0;
}

/* The delimiter of , ; tab found most often outside quotes on the line starting at s[i] (a
 * quoted header name may hold a line break). Ties go to ;, then , (French spreadsheets write ;
 * and French text holds more commas than semicolons); a one-column file gets ;. */
static char detect_delim(const char *s, size_t n, size_t i)
{
    static const char cand[3] = {';', ',', '\t'};
    int count[3] = {0, 0, 0};
    int quoted = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            if (c == '\r' || c == '\n')
                break;
            for (int k = 0; k < 3; k++)
                count[k] += c == cand[k];
        }
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

struct parser {
    char *s; /* the decoded text, s[n] == 0, rewritten in place into the fields */
    size_t n, i;
    int line; /* physical line of s[i] */
    char delim;
    struct csv_table *t;
    struct err *e;
};

static void skip_blank_lines(struct parser *ps)
{
    while (ps->i < ps->n && (ps->s[ps->i] == '\r' || ps->s[ps->i] == '\n')) {
        if (ps->s[ps->i] == '\r' && ps->s[ps->i + 1] == '\n')
            ps->i++;
        ps->i++;
        ps->line++;
    }
}

/* One record from ps->i (not at a line end) into fields (CSV_MAX_COLUMNS slots). Each field is
 * unquoted into the text itself and NUL-terminated there: the write position never passes the
 * read position (a field's terminator takes the place of the delimiter, line end or closing
 * quote after it, or of the spare byte at the end), so the fields cost no copy. */
static int parse_row(struct parser *ps, const char **fields, int *nfields)
{
    char *s = ps->s;
    size_t n = ps->n, i = ps->i;
    int row_line = ps->line, nf = 0;
    for (;;) {
        int field_line = ps->line;
        char *start, *w;
        char c;
        if (s[i] == '"') {
            start = w = s + ++i;
            for (;;) {
                if (i >= n) {
                    ps->t->err_line = field_line;
                    return err_set(ps->e, 422, "Ligne %d : guillemet non fermé.", field_line);
                }
                c = s[i];
                if (c == '"') {
                    if (s[i + 1] != '"') {
                        i++;
                        break;
                    }
                    i++; /* "" stands for one quote */
                } else if (c == '\n' || (c == '\r' && s[i + 1] != '\n')) {
                    ps->line++;
                }
                *w++ = s[i++];
            }
            c = s[i];
            if (i < n && c != ps->delim && c != '\r' && c != '\n') {
                ps->t->err_line = ps->line;
                return err_set(ps->e, 422,
                               "Ligne %d : caractère inattendu après un guillemet fermant (un "
                               "champ entre guillemets doit être suivi du séparateur ou d'une fin "
                               "de ligne).",
                               ps->line);
            }
        } else {
            start = s + i;
            while (i < n && s[i] != ps->delim && s[i] != '\r' && s[i] != '\n') {
                if (s[i] == '"') {
                    ps->t->err_line = ps->line;
                    return err_set(ps->e, 422,
                                   "Ligne %d : guillemet au milieu d'un champ ; mettez ce champ "
                                   "entre guillemets et doublez les guillemets qu'il contient.",
                                   ps->line);
                }
                i++;
            }
            w = s + i;
            c = s[i]; /* read before the terminator overwrites it */
        }
        if (nf == CSV_MAX_COLUMNS) {
            ps->t->err_line = row_line;
            return err_set(ps->e, 422, "Ligne %d : plus de %d colonnes.", row_line,
                           CSV_MAX_COLUMNS);
        }
        if ((size_t)(w - start) > CSV_MAX_FIELD_BYTES) {
            ps->t->err_line = field_line;
            return err_set(ps->e, 422, "Ligne %d, colonne %d : champ de plus de %d octets.",
                           field_line, nf + 1, CSV_MAX_FIELD_BYTES);
        }
        *w = 0;
        fields[nf++] = start;
        if (i < n && c == ps->delim) {
            i++;
            continue;
        }
        if (i < n) { /* a line end: CRLF, LF or CR */
            if (c == '\r' && s[i + 1] == '\n')
                i++;
            i++;
            ps->line++;
        }
        break;
    }
    ps->i = i;
    *nfields = nf;
    return 0;
}

int csv_read(struct arena *a, const void *data, size_t len, const struct csv_read_opts *opts,
             struct csv_table *t, struct err *e)
{
    memset(t, 0, sizeof *t);
    char delim = opts ? opts->delim : 0;
    int allow_short = opts && opts->allow_short;
    if (delim && !is_delim(delim))
        return err_set(e, 500, "Séparateur CSV non pris en charge.");
    if (len > CSV_MAX_BYTES)
        return err_set(e, 413, "Le fichier CSV dépasse %d Mio.", CSV_MAX_BYTES / (1024 * 1024));

    const unsigned char *p = data;
    size_t n = len;
    /* Excel's "Unicode text" is UTF-16 with a BOM: say so rather than "NUL byte on line 1" */
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return err_set(e, 422,
                       "Ce fichier est en UTF-16 : enregistrez-le au format « CSV UTF-8 » ou « CSV "
                       "(séparateur : point-virgule) ».");
    if (n >= 3 && memcmp(p, BOM, 3) == 0) {
        t->bom = 1;
        p += 3;
        n -= 3;
    }
    struct parser ps = {.line = 1, .t = t, .e = e};
    if (decode(a, p, n, t, &ps.s, &ps.n, e))
        return -1;

    skip_blank_lines(&ps);
    if (ps.i >= ps.n)
        return err_set(e, 422, "Le fichier CSV est vide.");
    t->delim = ps.delim = delim ? delim : detect_delim(ps.s, ps.n, ps.i);

    const char *scratch[CSV_MAX_COLUMNS];
    int nf;
    t->header.line = ps.line;
    if (parse_row(&ps, scratch, &nf))
        return -1;
    t->header.n = nf;
    t->header.fields = arena_alloc(a, (size_t)nf * sizeof *t->header.fields);
    memcpy(t->header.fields, scratch, (size_t)nf * sizeof *scratch);

    int cap = 0;
    for (;;) {
        skip_blank_lines(&ps);
        if (ps.i >= ps.n)
            break;
        int line = ps.line;
        if (t->nrows == CSV_MAX_ROWS) {
            t->err_line = line;
            return err_set(e, 422, "Ligne %d : le fichier dépasse %d lignes de données.", line,
                           CSV_MAX_ROWS);
        }
        if (parse_row(&ps, scratch, &nf))
            return -1;
        if (nf > t->header.n || (nf < t->header.n && !allow_short)) {
            t->err_line = line;
            return err_set(e, 422, "Ligne %d : %d champ(s) au lieu de %d comme l'en-tête.", line,
                           nf, t->header.n);
        }
        if (t->nrows == cap) {
            /* doubling in the arena: the arrays left behind add up to less than the last one */
            int ncap = cap ? cap * 2 : 64;
            if (ncap > CSV_MAX_ROWS)
                ncap = CSV_MAX_ROWS;
            struct csv_row *rows = arena_alloc(a, (size_t)ncap * sizeof *rows);
            if (t->nrows)
                memcpy(rows, t->rows, (size_t)t->nrows * sizeof *rows);
            t->rows = rows;
            cap = ncap;
        }
        struct csv_row *r = &t->rows[t->nrows++];
        r->line = line;
        r->n = t->header.n;
        r->fields = arena_alloc(a, (size_t)r->n * sizeof *r->fields);
        memcpy(r->fields, scratch, (size_t)nf * sizeof *scratch);
        for (int k = nf; k < r->n; k++)
            r->fields[k] = "";
    }
    return 0;
}

const char *csv_encoding_name(enum csv_encoding enc)
{
    return enc == CSV_WINDOWS_1252 ? "Windows-1252" : "UTF-8";
}

int csv_row_blank(const struct csv_row *r)
{
    for (int k = 0; k < r->n; k++)
        for (const char *c = r->fields[k]; *c; c++)
            if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n')
                return 0;
    return 1;
}

/* Whether a field (after the guard's apostrophe, if guarded) must be quoted to read back the
 * same; see csv.h. */
static int must_quote(const char *s, size_t n, char delim, int guarded, int alone)
{
    if (n == 0)
        return alone && !guarded;
    if (!guarded && (s[0] == ' ' || s[0] == '\t' || (n >= 3 && memcmp(s, BOM, 3) == 0)))
        return 1;
    if (s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return 1;
    return 0;
}

static int put_field(struct buf *out, const char *s, char delim, unsigned flags, int alone)
{
    size_t n = strlen(s);
    int guard = (flags & CSV_GUARD_FORMULAS) && n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = must_quote(s, n, delim, guard, alone);
    if (quote && buf_putc(out, '"'))
        return -1;
    if (guard && buf_putc(out, '\''))
        return -1;
    if (!quote)
        return buf_append(out, s, n);
    const char *q;
    while ((q = memchr(s, '"', n)) != NULL) {
        size_t k = (size_t)(q - s) + 1; /* up to and with the quote, then the quote again */
        if (buf_append(out, s, k) || buf_putc(out, '"'))
            return -1;
        s += k;
        n -= k;
    }
    if (buf_append(out, s, n) || buf_putc(out, '"'))
        return -1;
    return 0;
}

int csv_write_row_flags(struct buf *out, const char *const *fields, int n, char delim,
                        unsigned flags)
{
    if (n < 1 || !is_delim(delim))
        return -1;
    size_t start = out->len;
    if ((flags & CSV_BOM) && out->len == 0 && buf_append(out, BOM, 3))
        goto fail;
    for (int k = 0; k < n; k++) {
        if (k && buf_putc(out, delim))
            goto fail;
        if (put_field(out, fields[k] ? fields[k] : "", delim, flags, n == 1))
            goto fail;
    }
    if (buf_puts(out, flags & CSV_CRLF ? "\r\n" : "\n"))
        goto fail;
    return 0;
fail:
    out->len = start;
    if (out->data)
        out->data[start] = 0;
    return -1;
}

int csv_write_row(struct buf *out, const char *const *fields, int n, char delim)
{
    return csv_write_row_flags(out, fields, n, delim, 0);
}
