/* web/figures: the figures pages (/chiffres, /coordinations/{slug}/chiffres), the yearly
 * report (/bilan/{year}, /coordinations/{slug}/bilan/{year}) and GET /api/v1/figures. The
 * models come from figures_model.c, which `lanterne report` shares. */
#include "web/figures_model.h"
#include "http/http.h"
#include "web/handlers.h"

#include <string.h>

static const char *const BAD_YEAR = N_("Une année entre 2000 et 2100 est attendue.");

/* ?annee= (page) or ?year= (API): the current year when absent, -1 when invalid. */
static int query_year(struct ctx *c, const char *name)
{
    const char *s = http_query(c->r, name);
    if (!s)
        return figures_current_year();
    return figures_parse_year(s);
}

static int figures_page(struct ctx *c, const char *slug)
{
    int year = query_year(c, "annee");
    if (year < 0)
        return web_error(c, 422, BAD_YEAR);
    struct err e = {0};
    struct figures_report r;
    if (figures_report_load(web_db(c), c->a, year, slug, web_viewer(c), 0, &r, &e))
        return web_err(c, &e);
    json_t *m = figures_page_model(web_db(c), c->a, c->lang, web_viewer(c), &r, 0,
                                   figures_current_year(), &e);
    if (!m)
        return web_err(c, &e);
    return web_page(c, 200, "figures/index", m);
}

int web_figures_nation(struct ctx *c)
{
    return figures_page(c, NULL);
}

int web_figures_coordination(struct ctx *c)
{
    return figures_page(c, web_param(c, 0));
}

static int report_page(struct ctx *c, const char *slug, const char *year_s)
{
    int year = figures_parse_year(year_s);
    if (year < 0)
        return web_error(c, 422, BAD_YEAR);
    struct err e = {0};
    struct figures_report r;
    if (figures_report_load(web_db(c), c->a, year, slug, web_viewer(c), 0, &r, &e))
        return web_err(c, &e);
    json_t *m = figures_page_model(web_db(c), c->a, c->lang, web_viewer(c), &r, 1,
                                   figures_current_year(), &e);
    if (!m)
        return web_err(c, &e);
    return web_page(c, 200, "figures/report", m);
}

int web_report_nation(struct ctx *c)
{
    return report_page(c, NULL, web_param(c, 0));
}

int web_report_coordination(struct ctx *c)
{
    return report_page(c, web_param(c, 0), web_param(c, 1));
}

int web_api_figures(struct ctx *c)
{
    int year = query_year(c, "year");
    if (year < 0) {
        json_t *f = json_object();
        json_object_set_new(f, "year", json_string(web_t(c, BAD_YEAR)));
        return web_problem_fields(c, 422, BAD_YEAR, f);
    }
    struct err e = {0};
    struct figures_report r;
    const char *slug = http_query(c->r, "coordination");
    if (figures_report_load(web_db(c), c->a, year, slug, web_viewer(c), 0, &r, &e))
        return web_err(c, &e);
    return web_json(c, 200, figures_report_json(&r));
}
