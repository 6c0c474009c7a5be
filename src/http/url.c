/* url: percent-decoding, query/form parsing and cookie parsing.
 * All input is untrusted: malformed encoding, bad UTF-8 and NUL bytes are refused. */
#include "http/http.h"
#include "core/text.h"

#include <string.h>

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

int url_decode(struct arena *a, const char *s, size_t n, int plus_is_space, char **out)
{
    char *d = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space)
            c = ' ';
        if (c == 0)
            return -1;
        d[j++] = c;
    }
    d[j] = 0;
    if (!text_utf8_valid(d, j))
        return -1;
    *out = d;
    return 0;
}

void kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct kv *items = arena_alloc(a, cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n].key = key;
    l->items[l->n].value = value;
    l->n++;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

int url_parse_query(struct arena *a, const char *s, size_t n, struct kvlist *out, size_t max_fields)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            char *k, *v;
            if (url_decode(a, s + i, eq - i, 1, &k))
                return -1;
            if (eq < end) {
                if (url_decode(a, s + eq + 1, end - eq - 1, 1, &v))
                    return -1;
            } else
                v = arena_strdup(a, "");
            if (out->n >= max_fields)
                return -2;
            kv_add(a, out, k, v);
        }
        i = end + 1;
    }
    return 0;
}

int cookie_parse(struct arena *a, const char *h, struct kvlist *out, size_t max_fields)
{
    if (!h)
        return 0;
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ';')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        const char *eq = memchr(start, '=', (size_t)(end - start));
        if (!eq || eq == start)
            continue;
        const char *vs = eq + 1, *ve = end;
        if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
            vs++;
            ve--;
        }
        if (out->n >= max_fields)
            return -2;
        kv_add(a, out, arena_strndup(a, start, (size_t)(eq - start)),
               arena_strndup(a, vs, (size_t)(ve - vs)));
    }
    return 0;
}
