/* text: strict UTF-8 decoding plus the folding tables behind text_norm and text_slug.
 * Tables cover what French names use (Latin-1 Supplement, Latin Extended-A), no ICU needed. */
#include "core/text.h"

#include <string.h>

/* Decodes one code point at s (n bytes available). Returns its length, or 0 when the bytes
 * there are not strict UTF-8, so both the validator and the normalizer share one decoder. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned char c = s[0];
    size_t len;
    unsigned long v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte or 0xF8..0xFF as a lead */
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int text_utf8_valid(const char *s, size_t n)
{
    return text_utf8_len(s, n) >= 0;
}

long text_utf8_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned long cp;
    long count = 0;

    while (n > 0) {
        size_t len = utf8_decode(p, n, &cp);
        if (len == 0)
            return -1;
        p += len;
        n -= len;
        count++;
    }
    return count;
}

int text_has_control(const char *s, size_t n, int allow_newlines)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7F)
            return 1;
    }
    return 0;
}

/* Sentinels for fold(): SEP marks a word boundary, DROP vanishes without one (soft hyphen,
 * combining accents of decomposed input), NULL keeps the code point as it is. */
static const char SEP[] = " ";
static const char DROP[] = "";

/* U+00C0..U+00FF; × and ÷ are the two symbols in the block. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  /* C0 */
    "d", "n", "o", "o", "o", "o", "o",  SEP, "o", "u", "u", "u", "u", "y", "th", "ss", /* D0 */
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  /* E0 */
    "d", "n", "o", "o", "o", "o", "o",  SEP, "o", "u", "u", "u", "u", "y", "th", "y",  /* F0 */
};

/* U+0100..U+017F: capital and small letters alternate, so each row folds pairs. */
static const char *const latin_ext_a[128] = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d", /* 0100 */
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g", /* 0110 */
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i", /* 0120 */
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", /* 0130 */
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o", /* 0140 */
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", /* 0150 */
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", /* 0160 */
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s", /* 0170 */
};

_Static_assert(sizeof latin1 / sizeof latin1[0] == 0x40, "latin1 covers U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a / sizeof latin_ext_a[0] == 0x80,
               "latin_ext_a covers U+0100..U+017F");

/* Non-ASCII code point -> replacement (see SEP, DROP), or NULL to keep it. */
static const char *fold(unsigned long cp)
{
    if (cp >= 0x100 && cp <= 0x17F)
        return latin_ext_a[cp - 0x100];
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp == 0xAD) /* soft hyphen: invisible, must not split a word */
        return DROP;
    if (cp >= 0x80 && cp <= 0xBF) /* C1 controls, nbsp, « » ° and other symbols */
        return SEP;
    if (cp >= 0x300 && cp <= 0x36F) /* combining accents: "e" + U+0301 is "é" */
        return DROP;
    if (cp == 0x2BC) /* modifier letter apostrophe, typed for ’ by some keyboards */
        return SEP;
    if (cp == 0x1E9E) /* capital sharp s */
        return "ss";
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) /* zero width */
        return DROP;
    if (cp >= 0x2000 && cp <= 0x206F) /* spaces, dashes, quotes (’ “ ”), ellipsis … */
        return SEP;
    if (cp == 0x3000)
        return SEP;
    return NULL;
}

/* Output that collapses separators: a space is written only before the next real text,
 * which also trims both ends. */
struct out {
    char *p;
    size_t len;
    int pending;
    char sep;
};

static void out_sep(struct out *o)
{
    if (o->len > 0)
        o->pending = 1;
}

static void out_text(struct out *o, const char *t, size_t n)
{
    if (n == 0)
        return;
    if (o->pending) {
        o->p[o->len++] = o->sep;
        o->pending = 0;
    }
    memcpy(o->p + o->len, t, n);
    o->len += n;
}

char *text_norm(struct arena *a, const char *s)
{
    if (!s)
        return arena_strdup(a, "");
    size_t n = strlen(s);
    /* Every replacement is at most as long as the bytes it replaces, and a separator
     * space is paid for by the byte(s) that caused it. */
    struct out o = {arena_alloc(a, n + 1), 0, 0, ' '};
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned long cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            out_sep(&o);
            i++;
            continue;
        }
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                out_text(&o, &c, 1);
            else
                out_sep(&o);
        } else {
            const char *r = fold(cp);
            if (!r)
                out_text(&o, s + i, len);
            else if (r == SEP)
                out_sep(&o);
            else
                out_text(&o, r, strlen(r));
        }
        i += len;
    }
    o.p[o.len] = 0;
    return o.p;
}

char *text_slug(struct arena *a, const char *s)
{
    const char *norm = text_norm(a, s);
    size_t n = strlen(norm);
    struct out o = {arena_alloc(a, n + 1), 0, 0, '-'};

    for (size_t i = 0; i < n; i++) {
        char c = norm[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out_text(&o, &c, 1);
        else
            out_sep(&o); /* spaces and the bytes of scripts a URL slug cannot spell */
    }
    o.p[o.len] = 0;
    return o.p;
}

char *text_trim(struct arena *a, const char *s)
{
    if (!s)
        return arena_strdup(a, "");
    const char *end = s + strlen(s);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    return arena_strndup(a, s, (size_t)(end - s));
}
