/* tpl/compile: Mustache source to node arrays. A tokenizer (delimiters included), a pass that
 * settles standalone lines, and a builder that nests sections and stores text and names. */
#include "tpl/compile.h"
#include "core/buf.h"
#include "core/mem.h"
#include "tpl/tpl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tok {
    uint8_t kind;
    uint8_t removed;    /* text of a standalone line: dropped */
    uint8_t standalone; /* tag on a line holding only whitespace and non-printing tags */
    uint8_t pre_ws;     /* only whitespace and non-printing tags precede it on its line */
    int line;
    const char *s; /* text, or the trimmed tag content without its sigil */
    size_t n;
    size_t wfrom;  /* index of the first token of its line */
    size_t nl_off; /* standalone block: indentation of the following source line */
    size_t nl_len;
};

struct comp {
    const char *name;
    const char *src;
    size_t len;
    struct err *e;
    struct tok *toks;
    size_t ntoks, tcap;
    /* output */
    struct buf pool;
    struct node *nodes;
    size_t nnodes, ncap;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

static int syntax(struct comp *c, int line, const char *what)
{
    return err_set(c->e, 500, "template %s line %d: %s", c->name, line, what);
}

/* Length to print of a name in an error message: enough to recognise it. */
static int shown(size_t n)
{
    return n > TPL_MAX_NAME_IN_MSG ? TPL_MAX_NAME_IN_MSG : (int)n;
}

static struct tok *tok_push(struct comp *c)
{
    if (c->ntoks == c->tcap) {
        c->tcap = c->tcap ? c->tcap * 2 : 64;
        c->toks = xrealloc(c->toks, c->tcap * sizeof *c->toks);
    }
    struct tok *t = &c->toks[c->ntoks++];
    memset(t, 0, sizeof *t);
    return t;
}

static int set_delims(struct comp *c, int line, const char *s, size_t n, const char **otag,
                      size_t *olen, const char **ctag, size_t *clen)
{
    if (n < 1 || s[n - 1] != '=')
        return syntax(c, line, "set-delimiter tag must end with '='");
    n--;
    trim(&s, &n);
    size_t i = 0;
    while (i < n && !is_space(s[i]))
        i++;
    const char *o = s, *cl = s + i;
    size_t on = i, cn = n - i;
    trim(&cl, &cn);
    if (!on || !cn || memchr(o, '=', on) || memchr(cl, '=', cn))
        return syntax(c, line, "invalid set-delimiter tag");
    for (size_t k = 0; k < cn; k++)
        if (is_space(cl[k]))
            return syntax(c, line, "invalid set-delimiter tag");
    *otag = o;
    *olen = on;
    *ctag = cl;
    *clen = cn;
    return 0;
}

/* Splits the source into text tokens (one per line, newline included) and tag tokens,
 * applying set-delimiter tags as they come. */
static int tokenize(struct comp *c)
{
    const char *src = c->src, *otag = "{{", *ctag = "}}";
    size_t len = c->len, olen = 2, clen = 2, pos = 0;
    int line = 1;

    while (pos < len) {
        const char *p = memmem(src + pos, len - pos, otag, olen);
        size_t tstart = p ? (size_t)(p - src) : len;
        while (pos < tstart) {
            const char *nl = memchr(src + pos, '\n', tstart - pos);
            size_t e = nl ? (size_t)(nl - src) + 1 : tstart;
            struct tok *t = tok_push(c);
            t->kind = K_TEXT;
            t->s = src + pos;
            t->n = e - pos;
            t->line = line;
            line += nl != NULL;
            pos = e;
        }
        if (!p)
            break;

        size_t q = tstart + olen, after;
        const char *cs;
        size_t cn;
        int kind = K_VAR;
        if (q < len && src[q] == '{') {
            /* triple mustache: the closing delimiter must be preceded by '}' */
            size_t r = q + 1;
            for (;;) {
                const char *m = r <= len ? memmem(src + r, len - r, ctag, clen) : NULL;
                if (!m)
                    return syntax(c, line, "unclosed tag");
                size_t mi = (size_t)(m - src);
                if (mi > q + 1 && src[mi - 1] == '}') {
                    cs = src + q + 1;
                    cn = mi - 1 - (q + 1);
                    after = mi + clen;
                    break;
                }
                r = mi + 1;
            }
            kind = K_RAW;
        } else {
            const char *m = memmem(src + q, len - q, ctag, clen);
            if (!m)
                return syntax(c, line, "unclosed tag");
            cs = src + q;
            cn = (size_t)(m - cs);
            after = (size_t)(m - src) + clen;
            if (cn) {
                switch (cs[0]) {
                case '#':
                    kind = K_SECTION;
                    break;
                case '^':
                    kind = K_INVERTED;
                    break;
                case '/':
                    kind = K_CLOSE;
                    break;
                case '>':
                    kind = K_PARTIAL;
                    break;
                case '<':
                    kind = K_PARENT;
                    break;
                case '$':
                    kind = K_BLOCK;
                    break;
                case '&':
                    kind = K_RAW;
                    break;
                case '!':
                    kind = K_COMMENT;
                    break;
                case '=':
                    kind = K_DELIM;
                    break;
                default:
                    break;
                }
                if (kind != K_VAR) {
                    cs++;
                    cn--;
                }
            }
        }

        int tline = line;
        for (size_t i = tstart; i < after; i++)
            line += src[i] == '\n';
        pos = after;

        if (kind == K_DELIM) {
            if (set_delims(c, tline, cs, cn, &otag, &olen, &ctag, &clen))
                return -1;
        } else if (kind != K_COMMENT) {
            trim(&cs, &cn);
            /* "_" followed by whitespace marks a translation; "_foo" stays a variable */
            if (kind == K_VAR && cn >= 2 && cs[0] == '_' && is_space(cs[1])) {
                kind = K_TRANS;
                cs++;
                cn--;
                trim(&cs, &cn);
            }
            if (!cn)
                return syntax(c, tline, "empty tag");
        }
        struct tok *t = tok_push(c);
        t->kind = (uint8_t)kind;
        t->s = cs;
        t->n = cn;
        t->line = tline;
    }
    return 0;
}

static int prints_in_place(int kind)
{
    return kind == K_TEXT || kind == K_VAR || kind == K_RAW || kind == K_TRANS;
}

/* Whitespace-only text; the line's own ending ("\n" or "\r\n") is allowed at the end. */
static int blank_text(const struct tok *t, int line_end)
{
    size_t n = t->n;
    if (line_end) {
        n--; /* the '\n' */
        if (n && t->s[n - 1] == '\r')
            n--;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_blank(t->s[i]))
            return 0;
    return 1;
}

/* A line holding only whitespace and tags that print nothing in place is "standalone": the
 * whole line (indentation and newline) disappears. Generalised from the spec's one-tag rule
 * because inheritance puts several tags on a line ("{{<parent}}{{$block}}"). A parameter
 * block opened and closed on one line prints its content there, so it keeps its line. */
static int mark_standalone(struct comp *c)
{
    struct {
        uint8_t kind, def;
        size_t line;
    } stk[TPL_MAX_NESTING];
    int depth = 0;
    size_t i = 0, lineno = 0;

    while (i < c->ntoks) {
        size_t j = i;
        while (j < c->ntoks &&
               !(c->toks[j].kind == K_TEXT && c->toks[j].s[c->toks[j].n - 1] == '\n'))
            j++;
        int has_nl = j < c->ntoks;
        size_t last = has_nl ? j : c->ntoks - 1;
        int ok = 1, ntags = 0, seen_out = 0;

        for (size_t k = i; k <= last; k++) {
            struct tok *t = &c->toks[k];
            t->wfrom = i;
            t->pre_ws = !seen_out;
            if (t->kind == K_TEXT) {
                if (!blank_text(t, has_nl && k == last)) {
                    ok = 0;
                    seen_out = 1;
                }
                continue;
            }
            if (prints_in_place(t->kind)) {
                ok = 0;
                seen_out = 1;
                continue;
            }
            ntags++;
            switch (t->kind) {
            case K_SECTION:
            case K_INVERTED:
            case K_PARENT:
            case K_BLOCK:
                if (depth == TPL_MAX_NESTING)
                    return syntax(c, t->line, "sections nested too deeply");
                stk[depth].kind = t->kind;
                stk[depth].def = t->kind == K_BLOCK && depth && stk[depth - 1].kind == K_PARENT;
                stk[depth].line = lineno;
                depth++;
                if (t->kind == K_PARENT)
                    seen_out = 1;
                break;
            case K_CLOSE:
                if (depth) {
                    depth--;
                    if (stk[depth].kind == K_BLOCK && !stk[depth].def && stk[depth].line == lineno)
                        ok = 0;
                }
                break;
            case K_PARTIAL:
                seen_out = 1;
                break;
            default:
                break;
            }
        }

        if (ok && ntags) {
            /* where the next source line starts, for a standalone block's indentation */
            size_t next = has_nl ? (size_t)(c->toks[last].s + c->toks[last].n - c->src) : c->len;
            size_t nl_len = 0;
            while (next + nl_len < c->len && is_blank(c->src[next + nl_len]))
                nl_len++;
            for (size_t k = i; k <= last; k++) {
                struct tok *t = &c->toks[k];
                if (t->kind == K_TEXT) {
                    t->removed = 1;
                } else {
                    t->standalone = 1;
                    t->nl_off = next;
                    t->nl_len = nl_len;
                }
            }
        }
        i = last + 1;
        lineno++;
    }
    return 0;
}

static struct node *node_push(struct comp *c, int kind, int line)
{
    if (c->nnodes == c->ncap) {
        c->ncap = c->ncap ? c->ncap * 2 : 32;
        c->nodes = xrealloc(c->nodes, c->ncap * sizeof *c->nodes);
    }
    struct node *n = &c->nodes[c->nnodes++];
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->line = (uint32_t)line;
    return n;
}

/* The pool only grows during compilation and never reaches its cap (sources are capped far
 * below it), so appends cannot fail. */
static size_t pool_add(struct comp *c, const char *s, size_t n)
{
    size_t off = c->pool.len;
    buf_append(&c->pool, s, n);
    return off;
}

static void store_name(struct comp *c, struct node *n, const struct tok *t)
{
    n->off = c->pool.len;
    if (t->n == 1 && t->s[0] == '.') {
        buf_putc(&c->pool, 0);
        return;
    }
    n->nparts = 1;
    for (size_t i = 0; i < t->n; i++) {
        char ch = t->s[i];
        if (ch == '.') {
            ch = 0;
            n->nparts++;
        }
        buf_putc(&c->pool, ch);
    }
    buf_putc(&c->pool, 0);
    n->len = t->n;
}

static void store_string(struct comp *c, struct node *n, const struct tok *t)
{
    n->off = pool_add(c, t->s, t->n);
    n->len = t->n;
    buf_putc(&c->pool, 0);
}

/* Indentation made of the whitespace text tokens from the start of t's line up to t. */
static void store_line_indent(struct comp *c, struct node *n, size_t k)
{
    const struct tok *t = &c->toks[k];
    n->ind_off = c->pool.len;
    for (size_t i = t->wfrom; i < k; i++)
        if (c->toks[i].kind == K_TEXT)
            buf_append(&c->pool, c->toks[i].s, c->toks[i].n);
    n->ind_len = c->pool.len - n->ind_off;
}

static void flush_text(struct comp *c, struct buf *text, int bol, int line)
{
    if (!text->len)
        return;
    struct node *n = node_push(c, K_TEXT, line);
    n->bol = (uint8_t)bol;
    n->off = pool_add(c, text->data, text->len);
    n->len = text->len;
    buf_reset(text);
}

static size_t cut_blank(const char *s, size_t n, size_t max)
{
    size_t k = 0;
    while (k < max && k < n && is_blank(s[k]))
        k++;
    return k;
}

/* An argument block ({{$x}} inside {{<p}}) is re-indented where it is expanded: its own
 * indentation is cut here, once, from every source line it holds, including the indentation
 * recorded by nested partials and blocks. Nested parents cut their own arguments. */
static void cut_argument_indent(struct comp *c, size_t b)
{
    size_t dn = c->nodes[b].ind_len;
    if (!dn)
        return;
    for (size_t i = b + 1; i < c->nodes[b].end;) {
        struct node *n = &c->nodes[i];
        if (n->kind == K_TEXT) {
            char *s = c->pool.data + n->off;
            size_t r = 0, w = 0;
            int at_bol = n->bol;
            while (r < n->len) {
                if (at_bol)
                    r += cut_blank(s + r, n->len - r, dn);
                at_bol = 0;
                while (r < n->len) {
                    char ch = s[r++];
                    s[w++] = ch;
                    if (ch == '\n') {
                        at_bol = 1;
                        break;
                    }
                }
            }
            n->len = w;
        } else if (n->kind == K_PARTIAL || n->kind == K_PARENT || n->kind == K_BLOCK) {
            size_t k = cut_blank(c->pool.data + n->ind_off, n->ind_len, dn);
            n->ind_off += k;
            n->ind_len -= k;
        }
        i = n->kind == K_PARENT ? n->end : i + 1;
    }
}

static int build(struct comp *c)
{
    size_t stk[TPL_MAX_NESTING]; /* node index of each open container */
    size_t stk_tok[TPL_MAX_NESTING];
    int depth = 0, text_bol = 0, text_line = 0;
    struct buf text;
    buf_init(&text, 0);

    for (size_t k = 0; k < c->ntoks; k++) {
        const struct tok *t = &c->toks[k];
        if (t->kind == K_TEXT) {
            if (t->removed)
                continue;
            if (!text.len) {
                size_t at = (size_t)(t->s - c->src);
                text_bol = at == 0 || c->src[at - 1] == '\n';
                text_line = t->line;
            }
            buf_append(&text, t->s, t->n);
            continue;
        }
        if (t->kind == K_COMMENT || t->kind == K_DELIM)
            continue;
        flush_text(c, &text, text_bol, text_line);

        if (t->kind == K_CLOSE) {
            if (!depth) {
                buf_free(&text);
                return err_set(c->e, 500,
                               "template %s line %d: closing tag \"%.*s\" closes nothing", c->name,
                               t->line, shown(t->n), t->s);
            }
            const struct tok *open = &c->toks[stk_tok[depth - 1]];
            if (open->n != t->n || memcmp(open->s, t->s, t->n)) {
                buf_free(&text);
                return err_set(c->e, 500,
                               "template %s line %d: closing tag \"%.*s\" does not match \"%.*s\" "
                               "opened on line %d",
                               c->name, t->line, shown(t->n), t->s, shown(open->n), open->s,
                               open->line);
            }
            size_t b = stk[--depth];
            c->nodes[b].end = (uint32_t)c->nnodes;
            if (c->nodes[b].kind == K_BLOCK && c->nodes[b].def)
                cut_argument_indent(c, b);
            continue;
        }

        struct node *n = node_push(c, t->kind, t->line);
        switch (t->kind) {
        case K_VAR:
        case K_RAW:
        case K_SECTION:
        case K_INVERTED:
            store_name(c, n, t);
            break;
        case K_TRANS:
        case K_PARTIAL:
        case K_PARENT:
        case K_BLOCK:
            store_string(c, n, t);
            break;
        default:
            break;
        }
        if (t->kind == K_PARTIAL || t->kind == K_PARENT) {
            n->standalone = t->standalone;
            if (t->standalone)
                store_line_indent(c, n, k);
        } else if (t->kind == K_BLOCK) {
            n->def = depth && c->nodes[stk[depth - 1]].kind == K_PARENT;
            n->standalone = t->standalone;
            if (t->standalone) {
                /* "when the block opening tag is standalone, indentation is determined by
                 * [its] content": the first line after the tag */
                n->ind_off = pool_add(c, c->src + t->nl_off, t->nl_len);
                n->ind_len = t->nl_len;
            } else if (t->pre_ws) {
                store_line_indent(c, n, k);
            }
        }
        if (t->kind == K_SECTION || t->kind == K_INVERTED || t->kind == K_PARENT ||
            t->kind == K_BLOCK) {
            if (depth == TPL_MAX_NESTING) {
                buf_free(&text);
                return syntax(c, t->line, "sections nested too deeply");
            }
            stk[depth] = c->nnodes - 1;
            stk_tok[depth] = k;
            depth++;
        }
    }
    flush_text(c, &text, text_bol, text_line);
    buf_free(&text);
    if (depth) {
        const struct tok *open = &c->toks[stk_tok[depth - 1]];
        return err_set(c->e, 500, "template %s line %d: \"%.*s\" is never closed", c->name,
                       open->line, shown(open->n), open->s);
    }
    return 0;
}

void tpl_free(struct tpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->pool);
    free(t->nodes);
    free(t);
}

struct tpl *tpl_compile(const char *name, const char *src, size_t len, struct err *e)
{
    if (len > TPL_MAX_SOURCE_SIZE) {
        err_set(e, 500, "template %s: larger than %d bytes", name, TPL_MAX_SOURCE_SIZE);
        return NULL;
    }
    struct comp c = {.name = name, .src = src, .len = len, .e = e};
    buf_init(&c.pool, 0);
    struct tpl *t = NULL;
    if (tokenize(&c) || mark_standalone(&c) || build(&c))
        goto done;
    t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->pool = buf_detach(&c.pool);
    t->nodes = c.nodes;
    t->nnodes = c.nnodes;
    c.nodes = NULL;
done:
    free(c.toks);
    free(c.nodes);
    buf_free(&c.pool);
    return t;
}
