/* web/figures_model: the figures of a year turned into the API document, the CSV and the
 * page model of the figures pages and the yearly report (see figures_model.h). */
#include "web/figures_model.h"
#include "action.h"
#include "coordination.h"
#include "core/csv.h"
#include "film.h"
#include "view/chart.h"
#include "view/i18n.h"
#include "view/svgmap.h"
#include "web/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum unit { U_COUNT, U_PERCENT, U_EURO, U_HOUR };

enum {
    F_BUDGET = 1, /* shown only with show_budget */
    F_NATION = 2, /* the nation only */
    F_DATA = 4,   /* in the API and the CSV, not among the page's key figures */
};

struct fig_def {
    const char *key, *label;
    enum unit unit;
    unsigned flags;
};

/* Every figure, in the order of the page, the API and the CSV. */
static const struct fig_def FIGS[] = {
    {"actions", N_("Actions"), U_COUNT, 0},
    {"reached", N_("Personnes touchées"), U_COUNT, 0},
    {"participants", N_("Participants aux ateliers de pratique"), U_COUNT, 0},
    {"spectators", N_("Spectateurs"), U_COUNT, F_DATA},
    {"films", N_("Films réalisés"), U_COUNT, 0},
    {"communes", N_("Communes concernées"), U_COUNT, 0},
    {"coordinations", N_("Coordinations actives"), U_COUNT, F_NATION},
    {"qpv_actions", N_("Actions en quartier prioritaire"), U_COUNT, F_DATA},
    {"qpv_share", N_("Part des actions en quartier prioritaire"), U_PERCENT, 0},
    {"rural_actions", N_("Actions en commune rurale"), U_COUNT, F_DATA},
    {"rural_share", N_("Part des actions en commune rurale"), U_PERCENT, 0},
    {"hours", N_("Heures de pratique"), U_HOUR, 0},
    {"budget_requested", N_("Budget demandé"), U_EURO, F_BUDGET},
    {"budget_granted", N_("Budget accordé"), U_EURO, F_BUDGET},
    {"budget_cofunding", N_("Cofinancements"), U_EURO, F_BUDGET},
};
enum { NFIGS = sizeof FIGS / sizeof FIGS[0] };

static const char *const MONTHS[12] = {
    N_("janvier"), N_("février"), N_("mars"),      N_("avril"),   N_("mai"),      N_("juin"),
    N_("juillet"), N_("août"),    N_("septembre"), N_("octobre"), N_("novembre"), N_("décembre"),
};
static const char *const MONTHS_SHORT[12] = {
    N_("janv."), N_("févr."), N_("mars"),  N_("avr."), N_("mai"),  N_("juin"),
    N_("juil."), N_("août"),  N_("sept."), N_("oct."), N_("nov."), N_("déc."),
};

/* U+202F, the narrow no-break space of French typography (as chart.c writes numbers) */
#define NNBSP "\xe2\x80\xaf"
/* U+2212, the minus sign */
#define MINUS "\xe2\x88\x92"

static int64_t fig_value(const struct figures *f, int i)
{
    const char *k = FIGS[i].key;
    if (!strcmp(k, "actions"))
        return f->actions;
    if (!strcmp(k, "reached"))
        return f->reached;
    if (!strcmp(k, "participants"))
        return f->participants;
    if (!strcmp(k, "spectators"))
        return f->spectators;
    if (!strcmp(k, "films"))
        return f->films;
    if (!strcmp(k, "communes"))
        return f->communes;
    if (!strcmp(k, "coordinations"))
        return f->coordinations;
    if (!strcmp(k, "qpv_actions"))
        return f->qpv_actions;
    if (!strcmp(k, "qpv_share"))
        return figures_percent(f->qpv_actions, f->actions);
    if (!strcmp(k, "rural_actions"))
        return f->rural_actions;
    if (!strcmp(k, "rural_share"))
        return figures_percent(f->rural_actions, f->actions);
    if (!strcmp(k, "hours"))
        return f->hours;
    if (!strcmp(k, "budget_requested"))
        return f->budget_requested;
    if (!strcmp(k, "budget_granted"))
        return f->budget_granted;
    return f->budget_cofunding;
}

static int fig_shown(const struct figures_report *r, int i)
{
    if ((FIGS[i].flags & F_BUDGET) && !r->show_budget)
        return 0;
    if ((FIGS[i].flags & F_NATION) && r->coordination_id)
        return 0;
    return 1;
}

/* The change from the previous year: percent for counts, points for shares (a share of a
 * share says little); *known 0 when there is nothing to compare with. */
static int fig_change(const struct figures_report *r, int i, int *known)
{
    int64_t now = fig_value(&r->cur, i), before = fig_value(&r->prev, i);
    if (FIGS[i].unit == U_PERCENT) {
        *known = r->prev.actions > 0;
        return *known ? (int)(now - before) : 0;
    }
    return figures_change(now, before, known);
}

int figures_current_year(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

int figures_parse_year(const char *s)
{
    if (!s || strlen(s) != 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int y = atoi(s);
    return y >= ACTION_YEAR_MIN && y <= ACTION_YEAR_MAX ? y : -1;
}

int figures_report_load(struct db *db, struct arena *a, int year, const char *slug,
                        const struct account *viewer, int operator, struct figures_report * r,
                        struct err *e)
{
    memset(r, 0, sizeof *r);
    if (year < ACTION_YEAR_MIN || year > ACTION_YEAR_MAX)
        return err_field(e, 422, "year", "Une année entre %d et %d est attendue.", ACTION_YEAR_MIN,
                         ACTION_YEAR_MAX);
    r->year = year;
    if (slug && *slug) {
        struct coordination co;
        if (coordination_get(db, a, slug, &co, e))
            return -1;
        r->coordination_id = co.id;
        r->slug = co.slug;
        r->name = co.name;
    }
    if (figures_compute(db, a, year, r->coordination_id, &r->cur, e))
        return -1;
    if (year > ACTION_YEAR_MIN) {
        if (figures_compute(db, a, year - 1, r->coordination_id, &r->prev, e))
            return -1;
    } else {
        /* before the first year there is nothing: the same tables, all zeros */
        r->prev = r->cur;
        r->prev.year = year - 1;
        r->prev.actions = r->prev.reached = r->prev.participants = r->prev.spectators = 0;
        r->prev.films = r->prev.communes = r->prev.coordinations = r->prev.qpv_actions = 0;
        r->prev.rural_actions = r->prev.hours = 0;
        r->prev.budget_requested = r->prev.budget_granted = r->prev.budget_cofunding = 0;
        r->prev.by_type = arena_alloc(a, sizeof *r->prev.by_type * (size_t)(r->cur.ntypes + 1));
        for (int i = 0; i < r->cur.ntypes; i++) {
            r->prev.by_type[i] = r->cur.by_type[i];
            r->prev.by_type[i].value = 0;
        }
        memset(r->prev.by_month, 0, sizeof r->prev.by_month);
        r->prev.ncoordinations = r->prev.ndepartements = 0;
    }
    r->show_budget = operator|| action_can_see_budget(viewer, r->coordination_id);
    return 0;
}

/* The value of the type code in the previous year's table (same order, but look it up). */
static int64_t prev_type(const struct figures *p, const char *code)
{
    for (int i = 0; i < p->ntypes; i++)
        if (!strcmp(p->by_type[i].code, code))
            return p->by_type[i].value;
    return 0;
}

/* ---- the API document ---- */

json_t *figures_report_json(const struct figures_report *r)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "year", json_integer(r->year));
    json_object_set_new(doc, "previous_year", json_integer(r->year - 1));
    if (r->coordination_id) {
        json_t *co = json_object();
        json_object_set_new(co, "slug", web_str(r->slug));
        json_object_set_new(co, "name", web_str(r->name));
        json_object_set_new(doc, "coordination", co);
    } else
        json_object_set_new(doc, "coordination", json_null());
    json_object_set_new(doc, "budget_included", json_boolean(r->show_budget));

    json_t *figs = json_object();
    for (int i = 0; i < NFIGS; i++) {
        if (!fig_shown(r, i))
            continue;
        json_t *o = json_object();
        int known;
        int ch = fig_change(r, i, &known);
        static const char *const units[] = {"count", "percent", "euro", "hour"};
        json_object_set_new(o, "value", json_integer(fig_value(&r->cur, i)));
        json_object_set_new(o, "previous", json_integer(fig_value(&r->prev, i)));
        json_object_set_new(o, "change", known ? json_integer(ch) : json_null());
        json_object_set_new(o, "unit", json_string(units[FIGS[i].unit]));
        json_object_set_new(figs, FIGS[i].key, o);
    }
    json_object_set_new(doc, "figures", figs);

    json_t *types = json_array();
    for (int i = 0; i < r->cur.ntypes; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(r->cur.by_type[i].code));
        json_object_set_new(o, "label", web_str(r->cur.by_type[i].label));
        json_object_set_new(o, "value", json_integer(r->cur.by_type[i].value));
        json_object_set_new(o, "previous",
                            json_integer(prev_type(&r->prev, r->cur.by_type[i].code)));
        json_array_append_new(types, o);
    }
    json_object_set_new(doc, "by_type", types);

    json_t *months = json_array();
    for (int m = 0; m < 12; m++) {
        json_t *o = json_object();
        json_object_set_new(o, "month", json_integer(m + 1));
        json_object_set_new(o, "value", json_integer(r->cur.by_month[m]));
        json_object_set_new(o, "previous", json_integer(r->prev.by_month[m]));
        json_array_append_new(months, o);
    }
    json_object_set_new(doc, "by_month", months);

    json_t *coords = json_array();
    for (int i = 0; i < r->cur.ncoordinations; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "slug", web_str(r->cur.by_coordination[i].code));
        json_object_set_new(o, "name", web_str(r->cur.by_coordination[i].label));
        json_object_set_new(o, "value", json_integer(r->cur.by_coordination[i].value));
        json_array_append_new(coords, o);
    }
    json_object_set_new(doc, "by_coordination", coords);

    json_t *deps = json_array();
    for (int i = 0; i < r->cur.ndepartements; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(r->cur.by_departement[i].code));
        json_object_set_new(o, "name", web_str(r->cur.by_departement[i].label));
        json_object_set_new(o, "value", json_integer(r->cur.by_departement[i].value));
        json_array_append_new(deps, o);
    }
    json_object_set_new(doc, "by_departement", deps);
    return doc;
}

/* ---- CSV ---- */

static int csv_line(struct buf *out, const char *const *f, int n)
{
    return csv_write_row_flags(out, f, n, ';', CSV_BOM | CSV_CRLF);
}

int figures_report_csv(const struct figures_report *r, const char *lang, struct buf *out)
{
    char v[32], p[32], c[32];
    const char *head[] = {i18n_get(lang, "Chiffre"), i18n_get(lang, "Valeur"),
                          i18n_get(lang, "Année précédente"), i18n_get(lang, "Évolution")};
    if (csv_line(out, head, 4))
        return -1;
    for (int i = 0; i < NFIGS; i++) {
        if (!fig_shown(r, i))
            continue;
        int known, ch = fig_change(r, i, &known);
        snprintf(v, sizeof v, "%lld", (long long)fig_value(&r->cur, i));
        snprintf(p, sizeof p, "%lld", (long long)fig_value(&r->prev, i));
        if (known)
            snprintf(c, sizeof c, ch > 0 ? "+%d" : "%d", ch);
        else
            c[0] = 0;
        const char *row[] = {FIGS[i].key, v, p, c};
        if (csv_line(out, row, 4))
            return -1;
    }
    /* by type */
    const char *th[] = {i18n_get(lang, "Type"), i18n_get(lang, "Code"), i18n_get(lang, "Valeur"),
                        i18n_get(lang, "Année précédente")};
    if (buf_puts(out, "\r\n") || csv_line(out, th, 4))
        return -1;
    for (int i = 0; i < r->cur.ntypes; i++) {
        snprintf(v, sizeof v, "%lld", (long long)r->cur.by_type[i].value);
        snprintf(p, sizeof p, "%lld", (long long)prev_type(&r->prev, r->cur.by_type[i].code));
        const char *row[] = {i18n_get(lang, r->cur.by_type[i].label), r->cur.by_type[i].code, v, p};
        if (csv_line(out, row, 4))
            return -1;
    }
    /* by month */
    const char *mh[] = {i18n_get(lang, "Mois"), i18n_get(lang, "Numéro"), i18n_get(lang, "Valeur"),
                        i18n_get(lang, "Année précédente")};
    if (buf_puts(out, "\r\n") || csv_line(out, mh, 4))
        return -1;
    for (int m = 0; m < 12; m++) {
        char num[8];
        snprintf(num, sizeof num, "%d", m + 1);
        snprintf(v, sizeof v, "%lld", (long long)r->cur.by_month[m]);
        snprintf(p, sizeof p, "%lld", (long long)r->prev.by_month[m]);
        const char *row[] = {i18n_get(lang, MONTHS[m]), num, v, p};
        if (csv_line(out, row, 4))
            return -1;
    }
    /* by coordination (the nation) */
    if (r->cur.ncoordinations) {
        const char *ch[] = {i18n_get(lang, "Coordination"), i18n_get(lang, "Code"),
                            i18n_get(lang, "Valeur")};
        if (buf_puts(out, "\r\n") || csv_line(out, ch, 3))
            return -1;
        for (int i = 0; i < r->cur.ncoordinations; i++) {
            snprintf(v, sizeof v, "%lld", (long long)r->cur.by_coordination[i].value);
            const char *row[] = {r->cur.by_coordination[i].label, r->cur.by_coordination[i].code,
                                 v};
            if (csv_line(out, row, 3))
                return -1;
        }
    }
    const char *dh[] = {i18n_get(lang, "Département"), i18n_get(lang, "Code"),
                        i18n_get(lang, "Valeur")};
    if (buf_puts(out, "\r\n") || csv_line(out, dh, 3))
        return -1;
    for (int i = 0; i < r->cur.ndepartements; i++) {
        snprintf(v, sizeof v, "%lld", (long long)r->cur.by_departement[i].value);
        const char *row[] = {r->cur.by_departement[i].label, r->cur.by_departement[i].code, v};
        if (csv_line(out, row, 3))
            return -1;
    }
    return 0;
}

/* ---- the page model ---- */

struct pm {
    struct db *db;
    struct arena *a;
    const char *lang;
    const struct account *viewer;
    const struct figures_report *r;
};

static const char *tr(const struct pm *p, const char *msgid)
{
    return i18n_get(p->lang, msgid);
}

/* "12 400" */
static const char *num(const struct pm *p, int64_t v)
{
    struct buf b;
    buf_init(&b, 0);
    chart_format_int(&b, v);
    const char *s = arena_strdup(p->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* A figure with its unit: "12 400", "38 %", "12 400 €", "1 200 h". */
static const char *fig_text(const struct pm *p, enum unit u, int64_t v)
{
    switch (u) {
    case U_PERCENT:
        return arena_printf(p->a, "%s" NNBSP "%%", num(p, v));
    case U_EURO:
        return arena_printf(p->a, "%s" NNBSP "€", num(p, v));
    case U_HOUR:
        return arena_printf(p->a, "%s" NNBSP "h", num(p, v));
    default:
        return num(p, v);
    }
}

/* "+8 %", "−3 %", "+2 points", "nouveau"; "" when there is nothing to say. */
static const char *change_text(const struct pm *p, int i, const char **cls)
{
    int known, ch = fig_change(p->r, i, &known);
    int64_t now = fig_value(&p->r->cur, i);
    if (!known) {
        *cls = now > 0 ? "new" : "";
        return now > 0 ? tr(p, "nouveau") : "";
    }
    *cls = ch > 0 ? "up" : ch < 0 ? "down" : "same";
    const char *sign = ch > 0 ? "+" : ch < 0 ? MINUS : "";
    int mag = ch < 0 ? -ch : ch;
    if (FIGS[i].unit == U_PERCENT)
        return arena_printf(p->a, "%s%d" NNBSP "%s", sign, mag,
                            tr(p, mag > 1 ? "points" : "point"));
    return arena_printf(p->a, "%s%s" NNBSP "%%", sign, num(p, mag));
}

static json_t *key_item(const struct pm *p, int i)
{
    const char *cls = "";
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(FIGS[i].key));
    json_object_set_new(o, "label", web_str(tr(p, FIGS[i].label)));
    json_object_set_new(o, "value", web_str(fig_text(p, FIGS[i].unit, fig_value(&p->r->cur, i))));
    json_object_set_new(o, "previous",
                        web_str(fig_text(p, FIGS[i].unit, fig_value(&p->r->prev, i))));
    const char *chg = change_text(p, i, &cls);
    json_object_set_new(o, "change", web_str(chg));
    json_object_set_new(o, "change_class", web_str(cls));
    return o;
}

static const char *svg_or_null(struct buf *b, struct arena *a, int rc)
{
    const char *s = rc == 0 && b->len ? arena_strdup(a, buf_cstr(b)) : NULL;
    buf_free(b);
    return s;
}

static void set_svg(json_t *o, const char *svg)
{
    if (svg)
        json_object_set_new(o, "svg", json_string(svg));
}

static json_t *types_model(const struct pm *p)
{
    const struct figures *f = &p->r->cur;
    const char **labels = arena_alloc(p->a, sizeof *labels * (size_t)(f->ntypes + 1));
    int64_t *vals = arena_alloc(p->a, sizeof *vals * (size_t)(f->ntypes + 1));
    json_t *rows = json_array();
    for (int i = 0; i < f->ntypes; i++) {
        labels[i] = tr(p, f->by_type[i].label);
        vals[i] = f->by_type[i].value;
        json_t *o = json_object();
        json_object_set_new(o, "label", web_str(labels[i]));
        json_object_set_new(o, "value", web_str(num(p, vals[i])));
        json_object_set_new(o, "previous",
                            web_str(num(p, prev_type(&p->r->prev, f->by_type[i].code))));
        json_array_append_new(rows, o);
    }
    struct chart_series s = {.name = arena_printf(p->a, "%d", p->r->year), .values = vals};
    struct chart_opts o = {.id = "chart-types",
                           .title = arena_printf(p->a, tr(p, "Actions par type en %d"), p->r->year),
                           .orient = CHART_HORIZONTAL};
    struct buf b;
    buf_init(&b, 0);
    json_t *m = json_object();
    set_svg(m, svg_or_null(&b, p->a, chart_bars(&b, &o, &s, 1, labels, f->ntypes)));
    json_object_set_new(m, "rows", rows);
    return m;
}

static json_t *months_model(const struct pm *p)
{
    const char *labels[12];
    json_t *rows = json_array();
    for (int m = 0; m < 12; m++) {
        labels[m] = tr(p, MONTHS_SHORT[m]);
        json_t *o = json_object();
        json_object_set_new(o, "label", web_str(tr(p, MONTHS[m])));
        json_object_set_new(o, "value", web_str(num(p, p->r->cur.by_month[m])));
        json_object_set_new(o, "previous", web_str(num(p, p->r->prev.by_month[m])));
        json_array_append_new(rows, o);
    }
    struct chart_series s[2] = {
        {.name = arena_printf(p->a, "%d", p->r->year), .values = p->r->cur.by_month},
        {.name = arena_printf(p->a, "%d", p->r->year - 1), .values = p->r->prev.by_month},
    };
    struct chart_opts o = {.id = "chart-months",
                           .title = arena_printf(p->a, tr(p, "Actions par mois en %d et %d"),
                                                 p->r->year, p->r->year - 1),
                           .orient = CHART_VERTICAL};
    struct buf b;
    buf_init(&b, 0);
    json_t *m = json_object();
    set_svg(m, svg_or_null(&b, p->a, chart_bars(&b, &o, s, 2, labels, 12)));
    json_object_set_new(m, "rows", rows);
    return m;
}

static json_t *coords_model(const struct pm *p, int with_links)
{
    const struct figures *f = &p->r->cur;
    int n = f->ncoordinations;
    const char **labels = arena_alloc(p->a, sizeof *labels * (size_t)(n + 1));
    int64_t *vals = arena_alloc(p->a, sizeof *vals * (size_t)(n + 1));
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        labels[i] = f->by_coordination[i].label;
        vals[i] = f->by_coordination[i].value;
        json_t *o = json_object();
        json_object_set_new(o, "label", web_str(labels[i]));
        json_object_set_new(o, "value", web_str(num(p, vals[i])));
        if (with_links)
            json_object_set_new(o, "url",
                                web_str(arena_printf(p->a, "/coordinations/%s/chiffres?annee=%d",
                                                     f->by_coordination[i].code, p->r->year)));
        json_array_append_new(rows, o);
    }
    struct chart_series s = {.name = arena_printf(p->a, "%d", p->r->year), .values = vals};
    struct chart_opts o = {
        .id = "chart-coordinations",
        .title = arena_printf(p->a, tr(p, "Actions par coordination en %d"), p->r->year),
        .orient = CHART_HORIZONTAL};
    struct buf b;
    buf_init(&b, 0);
    json_t *m = json_object();
    set_svg(m, svg_or_null(&b, p->a,
                           chart_bars(&b, &o, &s, 1, labels,
                                      n > CHART_MAX_CATEGORIES ? CHART_MAX_CATEGORIES : n)));
    json_object_set_new(m, "rows", rows);
    return m;
}

static const char *actions_count(const struct pm *p, int64_t n)
{
    if (n == 1)
        return tr(p, "1 action");
    return arena_printf(p->a, tr(p, "%s actions"), num(p, n));
}

static json_t *map_model(const struct pm *p)
{
    const struct figures *f = &p->r->cur;
    int n = f->ndepartements;
    int64_t *vals = arena_alloc(p->a, sizeof *vals * (size_t)(n + 1));
    int *levels = arena_alloc(p->a, sizeof *levels * (size_t)(n + 1));
    struct svgmap_shade *shades = arena_alloc(p->a, sizeof *shades * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        vals[i] = f->by_departement[i].value;
    int64_t upper[SVGMAP_LEVELS];
    int k = chart_map_levels(vals, n, levels, upper);
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        const struct figures_row *d = &f->by_departement[i];
        shades[i].code = d->code;
        shades[i].level = levels[i];
        shades[i].label =
            arena_printf(p->a, "%s (%s) : %s", d->label, d->code, actions_count(p, d->value));
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(d->code));
        json_object_set_new(o, "name", web_str(d->label));
        json_object_set_new(o, "value", web_str(num(p, d->value)));
        json_array_append_new(rows, o);
    }
    json_t *legend = json_array();
    for (int j = 0; j < k; j++) {
        struct buf b;
        buf_init(&b, 0);
        chart_format_range(&b, j ? upper[j - 1] + 1 : 1, upper[j]);
        json_t *o = json_object();
        json_object_set_new(o, "level", json_integer(j + 1));
        json_object_set_new(o, "range", web_str(buf_cstr(&b)));
        buf_free(&b);
        json_array_append_new(legend, o);
    }
    const char *title =
        p->r->name
            ? arena_printf(p->a, tr(p, "Carte des actions de %s en %d"), p->r->name, p->r->year)
            : arena_printf(p->a, tr(p, "Carte des actions en France en %d"), p->r->year);
    struct buf b;
    buf_init(&b, 0);
    json_t *m = json_object();
    set_svg(m, svg_or_null(&b, p->a, svgmap_render(&b, shades, (size_t)n, title, "carte-actions")));
    json_object_set_new(m, "title", web_str(title));
    json_object_set_new(m, "legend", legend);
    json_object_set_new(m, "has_legend", json_boolean(k > 0));
    json_object_set_new(m, "rows", rows);
    json_object_set_new(m, "has_rows", json_boolean(n > 0));
    return m;
}

/* "3 mars 2026" from "2026-03-03" (as given when it is not a date). */
static const char *date_text(const struct pm *p, const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
        return iso ? iso : "";
    return arena_printf(p->a, "%d %s %d", d, tr(p, MONTHS[m - 1]), y);
}

static json_t *action_item(const struct pm *p, const struct action *ac)
{
    json_t *o = json_object();
    json_object_set_new(o, "title", web_str(ac->title));
    json_object_set_new(o, "url", web_str(arena_printf(p->a, "/actions/%lld", (long long)ac->id)));
    const char *dates = date_text(p, ac->start_date);
    if (ac->end_date && *ac->end_date && strcmp(ac->end_date, ac->start_date))
        dates = arena_printf(p->a, tr(p, "du %s au %s"), dates, date_text(p, ac->end_date));
    json_object_set_new(o, "dates", web_str(dates));
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < ac->ncommunes; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_printf(&b, "%s (%s)", ac->communes[i].name, ac->communes[i].departement_code);
    }
    json_object_set_new(o, "communes", web_str(buf_cstr(&b)));
    buf_free(&b);
    if (!p->r->coordination_id)
        json_object_set_new(o, "coordination", web_str(ac->coordination_name));
    int has_text = ac->description && *ac->description;
    json_object_set_new(o, "has_description", json_boolean(has_text));
    if (has_text)
        json_object_set_new(o, "lines", web_comment_lines(ac->description));
    const char *st = action_choice_label(action_statuses, ac->status);
    json_object_set_new(o, "status", web_str(st ? tr(p, st) : ac->status));
    return o;
}

/* Every action of the year that counts (not cancelled), grouped by type in the order of the
 * types. */
static json_t *actions_model(const struct pm *p, struct err *e)
{
    int nt = p->r->cur.ntypes;
    json_t **lists = arena_alloc(p->a, sizeof *lists * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++)
        lists[i] = json_array();
    json_t *groups = NULL;
    int64_t seen = 0, total = 0;
    for (int page = 1;; page++) {
        struct action_filter f = {.coordination_id = p->r->coordination_id,
                                  .year = p->r->year,
                                  .sort = "oldest",
                                  .page = page,
                                  .all = 1,
                                  .with_lists = 1};
        struct action *list;
        int n;
        if (action_list(p->db, p->a, &f, &list, &n, &total, e))
            goto fail;
        for (int i = 0; i < n; i++) {
            if (!strcmp(list[i].status, "cancelled"))
                continue;
            for (int t = 0; t < nt; t++)
                if (!strcmp(p->r->cur.by_type[t].code, list[i].type))
                    json_array_append_new(lists[t], action_item(p, &list[i]));
        }
        seen += n;
        if (n == 0 || seen >= total)
            break;
    }
    groups = json_array();
    for (int t = 0; t < nt; t++) {
        size_t n = json_array_size(lists[t]);
        if (!n) {
            json_decref(lists[t]);
            continue;
        }
        json_t *g = json_object();
        json_object_set_new(g, "label", web_str(tr(p, p->r->cur.by_type[t].label)));
        json_object_set_new(g, "count", web_str(actions_count(p, (int64_t)n)));
        json_object_set_new(g, "id",
                            web_str(arena_printf(p->a, "type-%s", p->r->cur.by_type[t].code)));
        json_object_set_new(g, "actions", lists[t]);
        json_array_append_new(groups, g);
    }
    return groups;
fail:
    for (int i = 0; i < nt; i++)
        json_decref(lists[i]);
    return NULL;
}

/* The films of the year viewer may see (operator: what anonymous visitors see, since a
 * report leaves the platform). */
static json_t *films_model(const struct pm *p, struct err *e)
{
    json_t *films = json_array();
    int64_t seen = 0, total = 0;
    for (int page = 1;; page++) {
        struct film_filter f = {.viewer = p->viewer,
                                .coordination_id = p->r->coordination_id,
                                .year = p->r->year,
                                .sort = "title",
                                .public_only = p->viewer == NULL,
                                .page = page,
                                .per_page = FILM_PER_PAGE_MAX};
        struct film *list;
        int n;
        if (film_list(p->db, p->a, &f, &list, &n, &total, e)) {
            json_decref(films);
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "title", web_str(list[i].title));
            json_object_set_new(o, "url",
                                web_str(arena_printf(p->a, "/films/%lld", (long long)list[i].id)));
            json_object_set_new(o, "group", web_str(list[i].group_title));
            json_array_append_new(films, o);
        }
        seen += n;
        if (n == 0 || seen >= total)
            break;
    }
    return films;
}

/* The years of the select, newest first: from the earliest action's year (or this one) to
 * the current year, and the year shown when it lies outside. */
static json_t *years_model(const struct pm *p, int current, struct err *e)
{
    struct action_filter f = {.sort = "oldest", .per_page = 1, .page = 1};
    struct action *first;
    int n;
    int64_t total;
    if (action_list(p->db, p->a, &f, &first, &n, &total, e))
        return NULL;
    int lo =
        n && first[0].year >= ACTION_YEAR_MIN && first[0].year < current ? first[0].year : current;
    int hi = current;
    if (p->r->year < lo)
        lo = p->r->year;
    if (p->r->year > hi)
        hi = p->r->year;
    json_t *years = json_array();
    for (int y = hi; y >= lo; y--) {
        json_t *o = json_object();
        json_object_set_new(o, "value", json_integer(y));
        json_object_set_new(o, "selected", json_boolean(y == p->r->year));
        json_array_append_new(years, o);
    }
    return years;
}

json_t *figures_page_model(struct db *db, struct arena *a, const char *lang,
                           const struct account *viewer, const struct figures_report *r, int report,
                           int current_year, struct err *e)
{
    struct pm p = {.db = db, .a = a, .lang = lang, .viewer = viewer, .r = r};
    json_t *m = json_object();
    json_object_set_new(m, "year", json_integer(r->year));
    json_object_set_new(m, "previous_year", json_integer(r->year - 1));
    json_object_set_new(m, "is_nation", json_boolean(r->coordination_id == 0));
    json_object_set_new(m, "is_report", json_boolean(report));
    const char *scope = r->name ? r->name : tr(&p, "France entière");
    json_object_set_new(m, "scope", web_str(scope));
    const char *base = "";
    if (r->slug) {
        json_object_set_new(m, "slug", web_str(r->slug));
        base = arena_printf(a, "/coordinations/%s", r->slug);
        json_object_set_new(m, "coordination_url", web_str(base));
    }
    json_object_set_new(m, "figures_url", web_str(arena_printf(a, "%s/chiffres", base)));
    json_object_set_new(m, "figures_year_url",
                        web_str(arena_printf(a, "%s/chiffres?annee=%d", base, r->year)));
    json_object_set_new(m, "report_url", web_str(arena_printf(a, "%s/bilan/%d", base, r->year)));
    json_object_set_new(m, "api_url",
                        web_str(r->slug ? arena_printf(a, "/api/v1/figures?year=%d&coordination=%s",
                                                       r->year, r->slug)
                                        : arena_printf(a, "/api/v1/figures?year=%d", r->year)));

    json_t *keys = json_array(), *budget = json_array();
    for (int i = 0; i < NFIGS; i++) {
        if (!fig_shown(r, i) || (FIGS[i].flags & F_DATA))
            continue;
        json_array_append_new(FIGS[i].flags & F_BUDGET ? budget : keys, key_item(&p, i));
    }
    json_object_set_new(m, "keys", keys);
    json_object_set_new(m, "show_budget", json_boolean(r->show_budget));
    json_object_set_new(m, "budget", budget);
    json_object_set_new(m, "has_actions", json_boolean(r->cur.actions > 0));
    json_object_set_new(m, "types", types_model(&p));
    json_object_set_new(m, "months", months_model(&p));
    if (!r->coordination_id)
        json_object_set_new(m, "coordinations", coords_model(&p, !report));
    json_object_set_new(m, "map", map_model(&p));

    if (!report) {
        json_t *years = years_model(&p, current_year, e);
        if (!years)
            goto fail;
        json_object_set_new(m, "years", years);
        return m;
    }
    json_t *groups = actions_model(&p, e);
    if (!groups)
        goto fail;
    json_object_set_new(m, "action_groups", groups);
    json_object_set_new(m, "has_action_groups", json_boolean(json_array_size(groups) > 0));
    json_t *films = films_model(&p, e);
    if (!films)
        goto fail;
    json_object_set_new(m, "has_films", json_boolean(json_array_size(films) > 0));
    json_object_set_new(m, "films", films);
    return m;
fail:
    json_decref(m);
    return NULL;
}
