/* svgmap: loads the département outlines extracted from @gouvfr/dsfr-chart at build time and
 * writes them as one inline SVG with per-département classes; layout of the insets lives here. */
#include "view/svgmap.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

enum {
    MAINLAND_MIN = 96, /* 01..95 with 2A/2B instead of 20 */
    CODE_MAX = 3,
};

/* Inset row under the mainland, in mainland viewBox units (1010 wide in dsfr-chart 2.0.4).
 * Every inset viewBox is 50 units high, so one height gives them all the same scale. */
#define ROW_GAP 20.0
#define INSET_PAD 10.0
#define INSET_HEIGHT 160.0
#define LABEL_HEIGHT 50.0
#define LABEL_BASELINE 36.0
#define LABEL_FONT_SIZE 30

static const struct {
    const char *code;
    const char *label;
} overseas_names[] = {
    {"971", "Guadeloupe"}, {"972", "Martinique"}, {"973", "Guyane"},
    {"974", "La Réunion"}, {"976", "Mayotte"},
};
enum { OVERSEAS = sizeof overseas_names / sizeof overseas_names[0] };

struct outline {
    char code[CODE_MAX + 1];
    char *d;
};

struct inset {
    struct outline o;
    const char *label;
    char *viewbox;
};

struct map {
    char *source;
    char *viewbox;
    double vb[4];             /* x, y, width, height of the mainland viewBox */
    struct outline *mainland; /* sorted by code, for bsearch */
    size_t nmainland;
    struct inset insets[OVERSEAS];
};

/* Written once by svgmap_load before threads start, only read afterwards. */
static struct map *the_map;

static void map_free(struct map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nmainland; i++)
        free(m->mainland[i].d);
    for (size_t i = 0; i < OVERSEAS; i++) {
        free(m->insets[i].o.d);
        free(m->insets[i].viewbox);
    }
    free(m->mainland);
    free(m->viewbox);
    free(m->source);
    free(m);
}

void svgmap_free(void)
{
    map_free(the_map);
    the_map = NULL;
}

const char *svgmap_source(void)
{
    return the_map ? the_map->source : "";
}

/* Path data goes into our pages: accept the SVG path grammar's characters only, so a
 * tampered file cannot smuggle markup even before escaping. */
static int path_ok(const char *d)
{
    if (!d || !*d || (*d != 'M' && *d != 'm'))
        return 0;
    return strspn(d, "MmLlHhVvCcSsQqTtAaZz0123456789eE.,+- \t\n") == strlen(d);
}

/* "minx miny width height", spaces or commas between; width and height positive. */
static int viewbox_parse(const char *s, double vb[4])
{
    if (!s)
        return 0;
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        while (*p == ' ' || *p == ',')
            p++;
        char *end;
        vb[i] = strtod(p, &end);
        if (end == p)
            return 0;
        p = end;
    }
    while (*p == ' ')
        p++;
    return *p == 0 && vb[2] > 0 && vb[3] > 0;
}

static int code_ok(const char *c)
{
    size_t n = strlen(c);
    if (n < 2 || n > CODE_MAX)
        return 0;
    return strspn(c, "0123456789AB") == n;
}

static int outline_cmp(const void *a, const void *b)
{
    return strcmp(((const struct outline *)a)->code, ((const struct outline *)b)->code);
}

static int load_mainland(struct map *m, json_t *mainland, const char *path, struct err *e)
{
    const char *vb = json_string_value(json_object_get(mainland, "viewBox"));
    if (!viewbox_parse(vb, m->vb))
        return err_set(e, 500, "%.150s : viewBox de la métropole absente ou invalide", path);
    m->viewbox = xstrdup(vb);

    json_t *deps = json_object_get(mainland, "departements");
    if (!json_is_object(deps))
        return err_set(e, 500, "%.150s : liste des départements absente", path);
    m->mainland = xcalloc(json_object_size(deps) + 1, sizeof *m->mainland);
    const char *code;
    json_t *jd;
    json_object_foreach(deps, code, jd)
    {
        const char *d = json_string_value(jd);
        if (!code_ok(code) || !path_ok(d))
            return err_set(e, 500, "%.150s : tracé du département « %.8s » invalide", path, code);
        struct outline *o = &m->mainland[m->nmainland++];
        memcpy(o->code, code, strlen(code) + 1);
        o->d = xstrdup(d);
    }
    if (m->nmainland < MAINLAND_MIN)
        return err_set(e, 500, "%.150s : %zu départements métropolitains, %d attendus", path,
                       m->nmainland, MAINLAND_MIN);
    qsort(m->mainland, m->nmainland, sizeof *m->mainland, outline_cmp);
    return 0;
}

static int load_overseas(struct map *m, json_t *overseas, const char *path, struct err *e)
{
    for (size_t i = 0; i < OVERSEAS; i++) {
        const char *code = overseas_names[i].code;
        json_t *o = json_object_get(overseas, code);
        const char *vb = json_string_value(json_object_get(o, "viewBox"));
        const char *d = json_string_value(json_object_get(o, "d"));
        double box[4];
        if (!viewbox_parse(vb, box) || !path_ok(d))
            return err_set(e, 500, "%.150s : tracé de l'outre-mer %s absent ou invalide", path,
                           code);
        struct inset *in = &m->insets[i];
        memcpy(in->o.code, code, strlen(code) + 1);
        in->o.d = xstrdup(d);
        in->viewbox = xstrdup(vb);
        in->label = overseas_names[i].label;
    }
    return 0;
}

int svgmap_load(const char *json_path, struct err *e)
{
    json_error_t jerr;
    struct map *m = NULL;
    json_t *root = json_load_file(json_path, 0, &jerr);
    if (!root)
        return err_set(e, 500, "Lecture de la carte %.150s impossible : %.80s", json_path,
                       jerr.text);
    m = xcalloc(1, sizeof *m);
    const char *source = json_string_value(json_object_get(root, "source"));
    m->source = xstrdup(source ? source : "");
    if (load_mainland(m, json_object_get(root, "mainland"), json_path, e) ||
        load_overseas(m, json_object_get(root, "overseas"), json_path, e))
        goto fail;
    json_decref(root);
    svgmap_free();
    the_map = m;
    return 0;
fail:
    json_decref(root);
    map_free(m);
    return -1;
}

/* ---- rendering ---- */

static int esc(struct buf *b, const char *s)
{
    return buf_html(b, s, (size_t)-1);
}

static const struct svgmap_shade *shade_of(const struct svgmap_shade *const *idx, size_t i)
{
    return idx ? idx[i] : NULL;
}

static int put_path(struct buf *b, const struct outline *o, const struct svgmap_shade *s)
{
    int level = s ? s->level : 0;
    if (level < 0)
        level = 0;
    if (level > SVGMAP_LEVELS)
        level = SVGMAP_LEVELS;
    if (buf_printf(b, "<path class=\"lvl-%d\" data-code=\"", level) || esc(b, o->code) ||
        buf_puts(b, "\" d=\"") || esc(b, o->d))
        return -1;
    if (!s || !s->label)
        return buf_puts(b, "\"/>\n");
    if (buf_puts(b, "\"><title>") || esc(b, s->label) || buf_puts(b, "</title></path>\n"))
        return -1;
    return 0;
}

/* Position in the map's list of the département with this code: mainland first, then the
 * insets. -1 when the map has no such département. */
static long find_code(const struct map *m, const char *code)
{
    struct outline key;
    size_t n = strlen(code);
    if (n > CODE_MAX)
        return -1;
    memcpy(key.code, code, n + 1);
    const struct outline *hit =
        bsearch(&key, m->mainland, m->nmainland, sizeof *m->mainland, outline_cmp);
    if (hit)
        return hit - m->mainland;
    for (size_t i = 0; i < OVERSEAS; i++)
        if (strcmp(m->insets[i].o.code, code) == 0)
            return (long)(m->nmainland + i);
    return -1;
}

static int render(struct buf *b, const struct map *m, const struct svgmap_shade *const *idx,
                  const char *title, const char *id)
{
    double cell = m->vb[2] / OVERSEAS;
    double row_y = m->vb[1] + m->vb[3] + ROW_GAP;
    double height = m->vb[3] + ROW_GAP + INSET_HEIGHT + LABEL_HEIGHT;

    if (buf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"svgmap\" "
                   "viewBox=\"%g %g %g %g\" role=\"img\" aria-labelledby=\"",
                   m->vb[0], m->vb[1], m->vb[2], height) ||
        esc(b, id) || buf_puts(b, "-title\">\n<title id=\"") || esc(b, id) ||
        buf_puts(b, "-title\">") || esc(b, title) ||
        buf_puts(b, "</title>\n<g class=\"svgmap-mainland\">\n"))
        return -1;
    for (size_t i = 0; i < m->nmainland; i++)
        if (put_path(b, &m->mainland[i], shade_of(idx, i)))
            return -1;
    if (buf_puts(b, "</g>\n"))
        return -1;

    for (size_t i = 0; i < OVERSEAS; i++) {
        const struct inset *in = &m->insets[i];
        double x = m->vb[0] + (double)i * cell;
        /* nested <svg>: its viewBox maps the inset's own coordinates into the cell, and
         * the default preserveAspectRatio centres it without distortion */
        if (buf_printf(b,
                       "<g class=\"svgmap-inset\">\n<svg x=\"%g\" y=\"%g\" width=\"%g\" "
                       "height=\"%g\" viewBox=\"",
                       x + INSET_PAD, row_y, cell - 2 * INSET_PAD, INSET_HEIGHT) ||
            esc(b, in->viewbox) || buf_puts(b, "\">\n") ||
            put_path(b, &in->o, shade_of(idx, m->nmainland + i)) ||
            buf_printf(b,
                       "</svg>\n<text class=\"svgmap-label\" x=\"%g\" y=\"%g\" "
                       "text-anchor=\"middle\" font-size=\"%d\">",
                       x + cell / 2, row_y + INSET_HEIGHT + LABEL_BASELINE, LABEL_FONT_SIZE) ||
            esc(b, in->label) || buf_puts(b, "</text>\n</g>\n"))
            return -1;
    }
    return buf_puts(b, "</svg>\n");
}

int svgmap_render(struct buf *out, const struct svgmap_shade *shades, size_t n, const char *title,
                  const char *id)
{
    const struct map *m = the_map;
    if (!m)
        return -1;
    if (!title)
        title = err_tr(N_("Carte des départements"));
    if (!id || !*id)
        id = "svgmap";

    /* one slot per département drawn, so each path finds its shade without a search */
    const struct svgmap_shade **idx = NULL;
    if (n > 0) {
        idx = xcalloc(m->nmainland + OVERSEAS, sizeof *idx);
        for (size_t i = 0; i < n; i++) {
            if (!shades[i].code)
                continue;
            long at = find_code(m, shades[i].code);
            if (at >= 0)
                idx[at] = &shades[i];
        }
    }
    size_t start = out->len;
    int rc = render(out, m, idx, title, id);
    if (rc) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    free(idx);
    return rc;
}
