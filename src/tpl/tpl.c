/* tpl: the Mustache engine behind every HTML page. Templates are compiled once into flat node
 * arrays (standalone lines and indentation settled at compile time) and rendered from those. */
#include "tpl/tpl.h"
#include "core/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Token kinds; the first ones double as node kinds. */
enum kind {
    K_TEXT,
    K_VAR,      /* {{name}}: HTML-escaped */
    K_RAW,      /* {{{name}}} and {{&name}} */
    K_TRANS,    /* {{_ English text}}: our translation tag */
    K_SECTION,  /* {{#name}} */
    K_INVERTED, /* {{^name}} */
    K_PARTIAL,  /* {{>name}} */
    K_PARENT,   /* {{<name}}: a partial taking block arguments */
    K_BLOCK,    /* {{$name}}: a parameter, or an argument when directly inside a parent */
    K_CLOSE,    /* tokens only from here on */
    K_COMMENT,
    K_DELIM,
};

/* Indentation strings pushed by nested standalone partials are capped so that a hostile
 * template cannot grow them without bound. */
enum { TPL_MAX_INDENT = 64 * 1024, TPL_MAX_NAME_IN_MSG = 60 };

struct node {
    uint8_t kind;
    uint8_t standalone; /* partial, parent, block: the indentation applies to the first line too */
    uint8_t def;        /* block directly inside a parent: an argument, never rendered in place */
    uint8_t bol;        /* text that starts a source line (where argument indentation is cut) */
    uint32_t nparts;    /* lookups: number of dotted parts; 0 means the implicit iterator "." */
    uint32_t end;       /* containers: index just past their last child */
    uint32_t line;
    size_t off, len;         /* into the pool: text, NUL-separated name parts, or msgid */
    size_t ind_off, ind_len; /* into the pool: indentation (partial, parent, block) */
};

struct tpl {
    char *name;
    char *pool;
    struct node *nodes;
    size_t nnodes;
};

struct slot {
    char *name;
    struct tpl *t;
};

struct tpl_set {
    struct slot *slots;
    size_t cap, count; /* cap is a power of two, or 0 */
};

/* ---- compilation ---------------------------------------------------------------------- */

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

static void tpl_free(struct tpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->pool);
    free(t->nodes);
    free(t);
}

static struct tpl *compile(const char *name, const char *src, size_t len, struct err *e)
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

/* ---- the set -------------------------------------------------------------------------- */

static size_t hash_name(const char *s)
{
    size_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct slot *slot_find(const struct tpl_set *s, const char *name)
{
    if (!s->cap)
        return NULL;
    for (size_t i = hash_name(name) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        struct slot *sl = &s->slots[i];
        if (!sl->name || strcmp(sl->name, name) == 0)
            return sl;
    }
}

static const struct tpl *set_get(const struct tpl_set *s, const char *name)
{
    struct slot *sl = slot_find(s, name);
    return sl && sl->name ? sl->t : NULL;
}

struct tpl_set *tpl_set_new(void)
{
    return xcalloc(1, sizeof(struct tpl_set));
}

void tpl_set_free(struct tpl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cap; i++) {
        free(s->slots[i].name);
        tpl_free(s->slots[i].t);
    }
    free(s->slots);
    free(s);
}

static void set_grow(struct tpl_set *s)
{
    struct slot *old = s->slots;
    size_t ocap = s->cap;
    s->cap = ocap ? ocap * 2 : 64;
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    for (size_t i = 0; i < ocap; i++)
        if (old[i].name)
            *slot_find(s, old[i].name) = old[i];
    free(old);
}

int tpl_set_add(struct tpl_set *s, const char *name, const char *src, size_t len, struct err *e)
{
    struct tpl *t = compile(name, src ? src : "", src ? len : 0, e);
    if (!t)
        return -1;
    if ((s->count + 1) * 10 > s->cap * 7)
        set_grow(s);
    struct slot *sl = slot_find(s, name);
    if (sl->name) {
        tpl_free(sl->t);
    } else {
        sl->name = xstrdup(name);
        s->count++;
    }
    sl->t = t;
    return 0;
}

int tpl_has(const struct tpl_set *s, const char *name)
{
    return set_get(s, name) != NULL;
}

static int load_tree(struct tpl_set *s, struct buf *path, size_t root_len, int depth, struct err *e)
{
    if (depth > TPL_MAX_DIR_DEPTH)
        return err_set(e, 500, "templates: %s is nested deeper than %d directories", path->data,
                       TPL_MAX_DIR_DEPTH);
    DIR *d = opendir(path->data);
    if (!d)
        return err_set(e, 500, "templates: cannot open %s: %s", path->data, strerror(errno));
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        if (de->d_name[0] == '.') /* ".", "..", and editors' hidden files */
            continue;
        size_t save = path->len;
        if (buf_putc(path, '/') || buf_puts(path, de->d_name)) {
            rc = err_set(e, 500, "templates: path too long under %s", path->data);
            break;
        }
        struct stat st;
        size_t nlen = strlen(de->d_name);
        if (stat(path->data, &st) != 0) {
            rc = err_set(e, 500, "templates: cannot stat %s: %s", path->data, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = load_tree(s, path, root_len, depth + 1, e);
        } else if (S_ISREG(st.st_mode) && nlen > 5 && !strcmp(de->d_name + nlen - 5, ".html")) {
            struct buf src;
            buf_init(&src, TPL_MAX_SOURCE_SIZE);
            rc = buf_read_file(&src, path->data, e);
            if (!rc) {
                /* the name is the path under the root, without ".html" */
                char *name = xstrndup(path->data + root_len + 1, path->len - root_len - 1 - 5);
                rc = tpl_set_add(s, name, src.data ? src.data : "", src.len, e);
                free(name);
            }
            buf_free(&src);
        }
        path->len = save;
        path->data[save] = 0;
    }
    closedir(d);
    return rc;
}

int tpl_set_load_dir(struct tpl_set *s, const char *dir, struct err *e)
{
    struct buf path;
    buf_init(&path, 4096);
    if (buf_puts(&path, dir)) {
        buf_free(&path);
        return err_set(e, 500, "templates: directory name too long");
    }
    while (path.len > 1 && path.data[path.len - 1] == '/')
        path.data[--path.len] = 0;
    int rc = load_tree(s, &path, path.len, 0, e);
    buf_free(&path);
    return rc;
}

/* ---- rendering ------------------------------------------------------------------------ */

/* The context stack lives on the C stack: one frame per section level, no allocation. */
struct ctx {
    json_t *v;
    const struct ctx *up;
};

/* Block arguments in force: one frame per parent tag being expanded, innermost first. */
struct args {
    const struct tpl *t;
    size_t parent; /* index of the parent node whose block children are the arguments */
    const struct args *up;
};

struct rstate {
    const struct tpl_set *set;
    tpl_translate_fn tr;
    void *tr_ud;
    struct buf *out;
    struct err *e;
    const char *root;
    const struct args *args;
    struct buf ind; /* indentation of every enclosing standalone partial, concatenated */
    size_t steps;
    int depth; /* partials, parents and block expansions in progress */
    int owed;  /* a template line has started: the indentation is due before its next byte */
};

static int too_big(struct rstate *st)
{
    return err_set(st->e, 500, "template %s: output larger than %zu bytes", st->root, st->out->max);
}

static int too_costly(struct rstate *st)
{
    return err_set(st->e, 500, "template %s: rendering took more than %d steps", st->root,
                   TPL_MAX_RENDER_STEPS);
}

static int pay_indent(struct rstate *st)
{
    st->owed = 0;
    if (st->ind.len && buf_append(st->out, st->ind.data, st->ind.len))
        return too_big(st);
    return 0;
}

/* Template text: indentation goes before each of its lines (lazily, so that a line that
 * ends up empty, or the end of the partial, gets none). */
static int put_text(struct rstate *st, const char *s, size_t n)
{
    if (!n) /* a line emptied by argument re-indentation */
        return 0;
    if (!st->ind.len) {
        if (buf_append(st->out, s, n))
            return too_big(st);
        st->owed = s[n - 1] == '\n';
        return 0;
    }
    while (n) {
        if (st->owed && pay_indent(st))
            return -1;
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        if (buf_append(st->out, s, k))
            return too_big(st);
        st->owed = nl != NULL;
        s += k;
        n -= k;
    }
    return 0;
}

/* Values are data, not template lines: newlines inside them are not indented. */
static int put_value_str(struct rstate *st, const char *s, size_t n, int esc)
{
    if (!n)
        return 0;
    if (st->owed && pay_indent(st))
        return -1;
    if (esc ? buf_html(st->out, s, n) : buf_append(st->out, s, n))
        return too_big(st);
    return 0;
}

static int put_value(struct rstate *st, json_t *v, int esc)
{
    char num[64];
    const char *s = num;
    size_t n;
    switch (json_typeof(v)) {
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER:
        n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        /* shortest form that reads back as the same double: 1.21, not 1.2100000000000000 */
        double d = json_real_value(v);
        n = (size_t)snprintf(num, sizeof num, "%.15g", d);
        if (strtod(num, NULL) != d)
            n = (size_t)snprintf(num, sizeof num, "%.17g", d);
        /* a process that set LC_NUMERIC must not turn 1.21 into "1,21" */
        for (char *p = num; *p; p++)
            if (*p == ',')
                *p = '.';
        break;
    }
    case JSON_TRUE:
        s = "true";
        n = 4;
        break;
    case JSON_FALSE:
        s = "false";
        n = 5;
        break;
    default: /* null, objects and arrays print nothing */
        return 0;
    }
    return put_value_str(st, s, n, esc);
}

static json_t *lookup(const struct ctx *c, const struct tpl *t, const struct node *n)
{
    if (!n->nparts)
        return c->v;
    const char *key = t->pool + n->off;
    json_t *v = NULL;
    for (; c; c = c->up)
        if (json_is_object(c->v) && (v = json_object_get(c->v, key)))
            break;
    /* the remaining parts resolve only inside the first match: no masking from below */
    for (uint32_t i = 1; v && i < n->nparts; i++) {
        key += strlen(key) + 1;
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
    }
    return v;
}

static int truthy(json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    default:
        return 1;
    }
}

static int render_range(struct rstate *st, const struct tpl *t, size_t i, size_t end,
                        const struct ctx *c);

/* Pushes indentation for a standalone tag. If the line has already started (the tag sits on
 * the first line of an inline partial), the indentation is written at once for this line. */
static int push_indent(struct rstate *st, const char *s, size_t n, int standalone)
{
    if (!n)
        return 0;
    if (standalone && !st->owed && buf_append(st->out, s, n))
        return too_big(st);
    if (buf_append(&st->ind, s, n))
        return err_set(st->e, 500, "template %s: indentation deeper than %d bytes", st->root,
                       TPL_MAX_INDENT);
    return 0;
}

static int enter(struct rstate *st, const char *what, const char *name)
{
    if (st->depth >= TPL_MAX_INCLUDE_DEPTH)
        return err_set(st->e, 500,
                       "template %s: %s \"%.*s\" nested deeper than %d levels (recursion?)",
                       st->root, what, TPL_MAX_NAME_IN_MSG, name, TPL_MAX_INCLUDE_DEPTH);
    st->depth++;
    return 0;
}

static int include(struct rstate *st, const struct tpl *t, const struct node *n,
                   const struct ctx *c, const struct args *args)
{
    const char *name = t->pool + n->off;
    const struct tpl *p = set_get(st->set, name);
    if (!p) /* the spec: a missing partial renders as nothing */
        return 0;
    if (enter(st, n->kind == K_PARTIAL ? "partial" : "parent", name))
        return -1;
    size_t save = st->ind.len;
    const struct args *saved_args = st->args;
    int rc = 0;
    if (n->standalone)
        rc = push_indent(st, t->pool + n->ind_off, n->ind_len, 1);
    if (args)
        st->args = args;
    if (!rc)
        rc = render_range(st, p, 0, p->nnodes, c);
    st->args = saved_args;
    st->ind.len = save;
    st->depth--;
    return rc;
}

static int is_container(int kind)
{
    return kind == K_SECTION || kind == K_INVERTED || kind == K_PARENT || kind == K_BLOCK;
}

/* The outermost argument wins: a child template overrides what its parents pass on. */
static int find_argument(const struct rstate *st, const char *name, const struct tpl **at,
                         size_t *ai)
{
    int found = 0;
    for (const struct args *a = st->args; a; a = a->up) {
        const struct node *nodes = a->t->nodes;
        for (size_t j = a->parent + 1; j < nodes[a->parent].end;) {
            const struct node *k = &nodes[j];
            if (k->kind == K_BLOCK && k->def && strcmp(a->t->pool + k->off, name) == 0) {
                *at = a->t;
                *ai = j;
                found = 1;
                break;
            }
            j = is_container(k->kind) ? k->end : j + 1;
        }
    }
    return found;
}

static int expand_block(struct rstate *st, const struct tpl *t, size_t i, const struct ctx *c)
{
    const struct node *n = &t->nodes[i];
    const struct tpl *at;
    size_t ai;
    if (!find_argument(st, t->pool + n->off, &at, &ai))
        return render_range(st, t, i + 1, n->end, c); /* default content, as written */
    if (enter(st, "block", t->pool + n->off))
        return -1;
    size_t save = st->ind.len;
    int rc = push_indent(st, t->pool + n->ind_off, n->ind_len, n->standalone);
    if (!rc)
        rc = render_range(st, at, ai + 1, at->nodes[ai].end, c);
    st->ind.len = save;
    st->depth--;
    return rc;
}

static int render_range(struct rstate *st, const struct tpl *t, size_t i, size_t end,
                        const struct ctx *c)
{
    while (i < end) {
        const struct node *n = &t->nodes[i];
        if (++st->steps > TPL_MAX_RENDER_STEPS)
            return too_costly(st);
        switch (n->kind) {
        case K_TEXT:
            if (put_text(st, t->pool + n->off, n->len))
                return -1;
            i++;
            break;
        case K_VAR:
        case K_RAW: {
            json_t *v = lookup(c, t, n);
            if (v && put_value(st, v, n->kind == K_VAR))
                return -1;
            i++;
            break;
        }
        case K_TRANS: {
            const char *msgid = t->pool + n->off;
            const char *s = st->tr ? st->tr(st->tr_ud, msgid) : msgid;
            if (!s)
                s = msgid;
            if (put_value_str(st, s, strlen(s), 1))
                return -1;
            i++;
            break;
        }
        case K_SECTION: {
            json_t *v = lookup(c, t, n);
            if (truthy(v)) {
                if (json_is_array(v)) {
                    size_t k;
                    json_t *el;
                    json_array_foreach(v, k, el)
                    {
                        struct ctx sub = {el, c};
                        if (++st->steps > TPL_MAX_RENDER_STEPS)
                            return too_costly(st);
                        if (render_range(st, t, i + 1, n->end, &sub))
                            return -1;
                    }
                } else {
                    struct ctx sub = {v, c};
                    if (render_range(st, t, i + 1, n->end, &sub))
                        return -1;
                }
            }
            i = n->end;
            break;
        }
        case K_INVERTED:
            if (!truthy(lookup(c, t, n)) && render_range(st, t, i + 1, n->end, c))
                return -1;
            i = n->end;
            break;
        case K_PARTIAL:
            if (include(st, t, n, c, NULL))
                return -1;
            i++;
            break;
        case K_PARENT: {
            struct args a = {t, i, st->args};
            if (include(st, t, n, c, &a))
                return -1;
            i = n->end;
            break;
        }
        case K_BLOCK:
            /* arguments are only ever rendered through the parent that receives them */
            if (!n->def && expand_block(st, t, i, c))
                return -1;
            i = n->end;
            break;
        default:
            i++;
            break;
        }
    }
    return 0;
}

int tpl_render(const struct tpl_set *s, const char *name, json_t *ctx, tpl_translate_fn tr,
               void *tr_ud, struct buf *out, struct err *e)
{
    const struct tpl *t = set_get(s, name);
    if (!t)
        return err_set(e, 500, "template %s not found", name);
    struct rstate st = {
        .set = s, .tr = tr, .tr_ud = tr_ud, .out = out, .e = e, .root = name, .owed = 1};
    buf_init(&st.ind, TPL_MAX_INDENT);
    struct ctx root = {ctx, NULL};
    size_t start = out->len;
    int rc = render_range(&st, t, 0, t->nnodes, &root);
    buf_free(&st.ind);
    if (rc && out->data) { /* no half page on failure */
        out->len = start;
        out->data[start] = 0;
    }
    return rc;
}
