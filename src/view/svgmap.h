/* svgmap: server-side SVG map of the French départements (mainland plus the five overseas
 * départements as labelled insets), shaded per département, for pages that work without JS. */
#ifndef LANTERNE_SVGMAP_H
#define LANTERNE_SVGMAP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Where the build puts the outlines (scripts/extract-map.mjs). */
#define SVGMAP_DEFAULT_JSON "build/gen/departements-map.json"

enum { SVGMAP_LEVELS = 5 }; /* shading levels 1..5; 0 is "not highlighted" */

struct svgmap_shade {
    const char *code;  /* "59", "2A", "974"; codes not on the map are ignored */
    int level;         /* 0 = not highlighted, 1..SVGMAP_LEVELS intensity (clamped) */
    const char *label; /* tooltip text, e.g. "Nord (59) : Hors Cadre"; NULL for none */
};

/* Loads the outlines produced by scripts/extract-map.mjs. Call once at start-up, before
 * threads start: afterwards the map is only read, so svgmap_render is thread-safe. Loading
 * again replaces the map (again only while no thread renders). 500 with e filled when the
 * file is unreadable or does not hold the 96 mainland and 5 overseas outlines. */
int svgmap_load(const char *json_path, struct err *e);
void svgmap_free(void);

/* Where the outlines come from, e.g. "@gouvfr/dsfr-chart 2.0.4 (MIT)", for the credits
 * page; "" when nothing is loaded. */
const char *svgmap_source(void);

/* Appends one inline <svg role="img"> to out: every département drawn as a path with
 * class "lvl-N" (N = its shade's level, 0 when it has none) and data-code, a <title> child
 * when its shade has a label; the accessible name is title (in a <title id="ID-title">;
 * NULL gives "Carte des départements" in the language err_tr follows).
 * Overseas insets sit in a labelled row under the mainland. Colours belong to the site's
 * CSS (.svgmap .lvl-N): the markup has no style attribute, so a strict CSP holds. When a
 * code appears in several shades the last one wins. Returns 0, or -1 when no map is loaded
 * or out is full (out is then left as it was). */
int svgmap_render(struct buf *out, const struct svgmap_shade *shades, size_t n, const char *title,
                  const char *id);

#endif
