/* web/figures_model: the year in figures as documents, built once and shared by the figures
 * pages, the yearly report (bilan), the JSON API and `lanterne report`, so every output
 * shows the same numbers. Knows no request: the language and the viewer are arguments. */
#ifndef LANTERNE_WEB_FIGURES_MODEL_H
#define LANTERNE_WEB_FIGURES_MODEL_H

#include <jansson.h>

#include "account.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "figures.h"

struct figures_report {
    int year;
    int64_t coordination_id; /* 0: the nation */
    const char *slug, *name; /* the coordination's; NULL for the nation */
    struct figures cur, prev;
    int show_budget; /* budget totals are part of every output */
};

/* The figures of year (and of the year before, for the changes) for the coordination of
 * slug (NULL or "": the nation). Budgets are shown to whom action_can_see_budget allows,
 * or to everyone when operator is set (the command line). 422 on "year" for a year outside
 * ACTION_YEAR_MIN..MAX, 404 for an unknown coordination. */
int figures_report_load(struct db *db, struct arena *a, int year, const char *slug,
                        const struct account *viewer, int operator, struct figures_report * r,
                        struct err *e);

/* The document of GET /api/v1/figures (and of `lanterne report --format json`). */
json_t *figures_report_json(const struct figures_report *r);

/* The same figures as CSV (semicolons, UTF-8 with a BOM): one line per figure (figure;
 * value; previous year; change), then the tables by type, month, coordination and
 * département. Labels in lang. 0 or -1 (out full). */
int figures_report_csv(const struct figures_report *r, const char *lang, struct buf *out);

/* The model of the figures page (report 0) or of the yearly report (report 1: also the
 * list of the year's actions and the films of the year viewer may see; operator: the
 * films anonymous visitors may see). Texts in lang. NULL with e filled on a read error. */
json_t *figures_page_model(struct db *db, struct arena *a, const char *lang,
                           const struct account *viewer, const struct figures_report *r, int report,
                           int current_year, struct err *e);

/* The year it is now (UTC), the default of the figures pages. */
int figures_current_year(void);

/* A year as given in a URL or a flag: four digits within ACTION_YEAR_MIN..MAX, or -1. */
int figures_parse_year(const char *s);

#endif
