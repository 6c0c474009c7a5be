/* tpl: our Mustache engine. Templates are compiled once (at start-up) into node lists and
 * rendered against jansson values; HTML-escaping is the default. */
#ifndef LANTERNE_TPL_H
#define LANTERNE_TPL_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Limits; each has a test that crosses it. */
enum {
    TPL_MAX_SOURCE_SIZE = 4 * 1024 * 1024, /* bytes in one template */
    TPL_MAX_NESTING = 64,       /* sections, parents and blocks open at once in one template */
    TPL_MAX_INCLUDE_DEPTH = 64, /* partials, parents and block expansions inside each other */
    TPL_MAX_RENDER_STEPS = 10 * 1000 * 1000, /* nodes visited by one render: stops blow-ups */
    TPL_MAX_DIR_DEPTH = 16,                  /* directory levels under tpl_set_load_dir */
};

/* Semantics are the Mustache spec's (with ~inheritance), plus:
 * - falsey values are missing, null, false, [] and "" (the spec leaves "" open; an empty
 *   string being falsey lets {{#summary}}<p>{{summary}}</p>{{/summary}} skip empty fields);
 * - integers print as integers, reals in their shortest round-trip form, booleans as
 *   true/false, objects and arrays as nothing;
 * - {{_ Texte français}} prints tr(tr_ud, "Some English text"), HTML-escaped.
 * Standalone lines may hold several silent tags ("{{<layout}}{{$content}}"). As the spec's
 * "Standalone block" case requires, a block opened and closed on one line prints there and
 * keeps its newline; write a layout's slot as "  {{$content}}\n  {{/content}}" instead. */

struct tpl_set; /* named, compiled templates; partials and parents resolve by name */

/* Translation hook for the `{{_ Some text}}` tag (our extension): returns the translated
 * message for msgid (or msgid itself). The result is HTML-escaped on output. */
typedef const char *(*tpl_translate_fn)(void *ud, const char *msgid);

struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *s);
/* Compile src under name (replacing any earlier one). Syntax errors fill e with the
 * template name and line. */
int tpl_set_add(struct tpl_set *s, const char *name, const char *src, size_t len, struct err *e);
/* Compile every *.html file under dir, recursively; "structure/list.html" is named
 * "structure/list". */
int tpl_set_load_dir(struct tpl_set *s, const char *dir, struct err *e);
int tpl_has(const struct tpl_set *s, const char *name);
/* Render name with ctx; a missing partial renders as nothing (as the spec says), a missing
 * top-level template is an error. tr may be NULL (msgid printed as is). */
int tpl_render(const struct tpl_set *s, const char *name, json_t *ctx, tpl_translate_fn tr,
               void *tr_ud, struct buf *out, struct err *e);

#endif
