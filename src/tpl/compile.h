/* tpl/compile: what the compiler (compile.c) hands the renderer (tpl.c): the node array a
 * template becomes, and the limits both halves enforce. Internal to src/tpl/. */
#ifndef LANTERNE_TPL_COMPILE_H
#define LANTERNE_TPL_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

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

/* Compiles src into a template named name, or NULL with e filled (the template name and
 * line of a syntax error, or a source over TPL_MAX_SOURCE_SIZE). Free with tpl_free. */
struct tpl *tpl_compile(const char *name, const char *src, size_t len, struct err *e);
void tpl_free(struct tpl *t); /* NULL is fine */

#endif
