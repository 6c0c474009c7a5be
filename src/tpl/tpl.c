/* tpl: the Mustache engine behind every HTML page: the named set, loading a directory, and
 * rendering the flat node arrays compile.c makes (standalone lines settled at compile time). */
#include "tpl/tpl.h"
#include "tpl/compile.h"
#include "core/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct slot {
    char *name;
    struct tpl *t;
};

struct tpl_set {
    struct slot *slots;
    size_t cap, count; /* cap is a power of two, or 0 */
};

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
    struct tpl *t = tpl_compile(name, src ? src : "", src ? len : 0, e);
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
