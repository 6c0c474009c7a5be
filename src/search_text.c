/* sitesearch text: what the search and the showcase show of a text: Markdown as plain text,
 * excerpts cut on word boundaries, and the snippet of a search hit with its matched words
 * apart. Split from search.c, which finds and ranks the hits. */
#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "logbook.h"

enum {
    SNIPPET_SCAN_BYTES = 20000, /* how far into a text a snippet looks for a matched word */
    SNIPPET_LEAD_CHARS = 60     /* context kept before the first matched word */
};

/* ---- text for snippets ---- */

/* 1 if the tag at p ("<p>", "</li>", "<br />"...) begins or ends a block of text. */
static int block_tag(const char *p)
{
    static const char *const blocks[] = {"p",   "li",    "ul", "ol", "h1",         "h2",  "h3",
                                         "h4",  "h5",    "h6", "br", "blockquote", "pre", "hr",
                                         "div", "table", "tr", "td", "th"};
    p++;
    if (*p == '/')
        p++;
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))
        n++;
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strlen(blocks[i]) == n && strncmp(p, blocks[i], n) == 0)
            return 1;
    return 0;
}

const char *sitesearch_plain(struct arena *a, const char *md)
{
    const char *html = logbook_render_md(a, md ? md : "");
    size_t len = strlen(html);
    char *out = arena_alloc(a, len + 1), *o = out;
    int space = 1; /* at the start, or after a blank: drop further blanks */
    for (const char *p = html; *p;) {
        char ch = *p;
        if (ch == '<') {
            const char *gt = strchr(p, '>');
            ch = block_tag(p) ? ' ' : 0; /* between blocks a space; inside a line nothing */
            p = gt ? gt + 1 : p + strlen(p);
            if (!ch)
                continue;
        } else if (ch == '&') {
            static const struct {
                const char *name;
                char ch;
            } ents[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                        {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}};
            size_t k = 0, nents = sizeof ents / sizeof ents[0];
            while (k < nents && strncmp(p, ents[k].name, strlen(ents[k].name)) != 0)
                k++;
            if (k < nents) {
                ch = ents[k].ch;
                p += strlen(ents[k].name);
            } else {
                p++;
            }
        } else {
            p++;
        }
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
            if (!space)
                *o++ = ' ';
            space = 1;
        } else {
            *o++ = ch;
            space = 0;
        }
    }
    while (o > out && o[-1] == ' ')
        o--;
    *o = 0;
    return out;
}

/* Characters (code points) in s[0..n). */
static size_t chars_in(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* The byte offset max_chars characters into s (or its end). */
static size_t bytes_for(const char *s, size_t max_chars)
{
    size_t i = 0, c = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == max_chars)
                break;
            c++;
        }
        i++;
    }
    return i;
}

/* Word bytes: ASCII letters and digits, and every byte of a non-ASCII character (so UTF-8 is
 * never cut; a word may then carry an apostrophe or a guillemet, which only widens a mark). */
static int word_byte(unsigned char ch)
{
    return ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
           (ch >= 'A' && ch <= 'Z');
}

/* 1 if a word of text_norm(token) begins with one of the query's words. */
static int token_hits(struct arena *a, const char *tok, size_t n, const char *const *words,
                      int nwords)
{
    size_t ascii = 0;
    while (ascii < n && (unsigned char)tok[ascii] < 0x80)
        ascii++;
    if (ascii == n) { /* letters and digits only: text_norm would only lower the case */
        for (int k = 0; k < nwords; k++) {
            size_t ql = strlen(words[k]);
            if (ql <= n && strncasecmp(tok, words[k], ql) == 0)
                return 1;
        }
        return 0;
    }
    const char *norm = text_norm(a, arena_strndup(a, tok, n));
    for (const char *p = norm; *p;) {
        size_t wl = strcspn(p, " ");
        for (int k = 0; k < nwords; k++) {
            size_t ql = strlen(words[k]);
            if (ql <= wl && strncmp(p, words[k], ql) == 0)
                return 1;
        }
        p += wl;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* The first byte of the first matched word of text within SNIPPET_SCAN_BYTES, or -1. */
static long first_hit(struct arena *a, const char *text, const char *const *words, int nwords)
{
    size_t i = 0;
    while (text[i] && i < SNIPPET_SCAN_BYTES) {
        if (!word_byte((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (word_byte((unsigned char)text[j]))
            j++;
        if (token_hits(a, text + i, j - i, words, nwords))
            return (long)i;
        i = j;
    }
    return -1;
}

/* The start of text up to max_chars characters, cut after a whole word (or inside the first
 * word when it alone is longer); *cut set when something was left out. */
static const char *excerpt_cut(struct arena *a, const char *text, int max_chars, int *cut)
{
    size_t len = strlen(text);
    *cut = 0;
    if (max_chars < 1 || chars_in(text, len) <= (size_t)max_chars)
        return arena_strdup(a, text);
    *cut = 1;
    size_t end = bytes_for(text, (size_t)max_chars);
    size_t at = end;
    while (at > 0 && text[at] != ' ')
        at--;
    if (at == 0)
        at = end;
    while (at > 0 && text[at - 1] == ' ')
        at--;
    return arena_strndup(a, text, at);
}

const char *sitesearch_excerpt(struct arena *a, const char *text, int max_chars)
{
    int cut;
    const char *s = excerpt_cut(a, text ? text : "", max_chars, &cut);
    return cut ? arena_printf(a, "%s…", s) : s;
}

struct pieces {
    struct sitesearch_piece *v;
    int n, cap;
};

static void piece_add(struct arena *a, struct pieces *p, const char *text, size_t n, int hit)
{
    if (n == 0)
        return;
    if (p->n == p->cap) {
        int ncap = p->cap ? p->cap * 2 : 8;
        struct sitesearch_piece *nv = arena_alloc(a, (size_t)ncap * sizeof *nv);
        if (p->n)
            memcpy(nv, p->v, (size_t)p->n * sizeof *nv);
        p->v = nv;
        p->cap = ncap;
    }
    p->v[p->n++] = (struct sitesearch_piece){arena_strndup(a, text, n), hit};
}

/* The snippet of a hit: about SITESEARCH_SNIPPET_CHARS of text around its first matched word,
 * and the same in pieces with the matched words apart. */
void sitesearch_snippet(struct arena *a, const char *text, const char *const *words, int nwords,
                        struct sitesearch_hit *h)
{
    h->snippet = "";
    h->pieces = NULL;
    h->npieces = 0;
    if (!text || !*text)
        return;
    size_t start = 0;
    long hit = first_hit(a, text, words, nwords);
    /* a text that fits is shown whole; a longer one from a little before the word when the
     * word is not near its start */
    if (hit > 0 && chars_in(text, strlen(text)) > SITESEARCH_SNIPPET_CHARS &&
        chars_in(text, (size_t)hit) > SITESEARCH_SNIPPET_CHARS / 2) {
        /* some context before the word, from the start of a word */
        start = bytes_for(text, chars_in(text, (size_t)hit) - SNIPPET_LEAD_CHARS);
        if (text[start - 1] != ' ') /* inside a word: from the next one */
            while (start < (size_t)hit && text[start] != ' ')
                start++;
        while (text[start] == ' ')
            start++;
    }
    int cut;
    const char *win = excerpt_cut(a, text + start, SITESEARCH_SNIPPET_CHARS, &cut);
    h->snippet = arena_printf(a, "%s%s%s", start ? "…" : "", win, cut ? "…" : "");

    struct pieces ps = {NULL, 0, 0};
    if (start)
        piece_add(a, &ps, "…", strlen("…"), 0);
    size_t wl = strlen(win), run = 0; /* run: where the current unmatched text began */
    for (size_t i = 0; i < wl;) {
        if (!word_byte((unsigned char)win[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < wl && word_byte((unsigned char)win[j]))
            j++;
        if (token_hits(a, win + i, j - i, words, nwords)) {
            piece_add(a, &ps, win + run, i - run, 0);
            piece_add(a, &ps, win + i, j - i, 1);
            run = j;
        }
        i = j;
    }
    piece_add(a, &ps, win + run, wl - run, 0);
    if (cut)
        piece_add(a, &ps, "…", strlen("…"), 0);
    h->pieces = ps.v;
    h->npieces = ps.n;
}
