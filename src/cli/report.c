/* report (cli): `lanterne report` writes the yearly report (bilan) of the nation or of one
 * coordination as HTML, CSV or JSON, from the same models as the web pages and the API. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/mem.h"
#include "tpl/tpl.h"
#include "view/i18n.h"
#include "view/svgmap.h"
#include "web/figures_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tr(void *ud, const char *msgid)
{
    return i18n_get(ud, msgid);
}

/* The HTML report: the web page's body (templates/figures/report_body.html through
 * report_doc.html), with the site's stylesheet inlined so the file stands alone. */
static int render_html(const struct config *cfg, struct db *db, struct arena *a, const char *lang,
                       const struct figures_report *r, struct buf *out, struct err *e)
{
    char tdir[4096], css[4096];
    snprintf(tdir, sizeof tdir, "%s", cli_path(cfg, "templates"));
    snprintf(css, sizeof css, "%s", cli_path(cfg, "static/css/site.css"));
    struct tpl_set *set = tpl_set_new();
    struct buf style;
    buf_init(&style, 0);
    int rc = -1;
    json_t *m = NULL;
    if (tpl_set_load_dir(set, tdir, e) || buf_read_file(&style, css, e))
        goto done;
    m = figures_page_model(db, a, lang, NULL, r, 1, figures_current_year(), e);
    if (!m)
        goto done;
    json_t *site = json_object();
    json_object_set_new(site, "lang", json_string(lang));
    /* the stylesheet is ours, read from the share dir: inlined as it is */
    json_object_set_new(site, "inline_css", json_string(buf_cstr(&style)));
    json_object_set_new(m, "site", site);
    rc = tpl_render(set, "figures/report_doc", m, tr, (void *)lang, out, e);
done:
    json_decref(m);
    buf_free(&style);
    tpl_set_free(set);
    return rc;
}

static int write_out(const char *path, const struct buf *b)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        perror(path);
        return -1;
    }
    size_t n = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    int bad = n != b->len;
    if (path)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad)
        fprintf(stderr, "lanterne report: cannot write %s\n", path ? path : "standard output");
    return bad ? -1 : 0;
}

int cli_report(const struct config *cfg, int argc, char **argv)
{
    const char *year_s = cli_flag_value(argc, argv, "--year");
    const char *slug = cli_flag_value(argc, argv, "--coordination");
    const char *format = cli_flag_value(argc, argv, "--format");
    const char *output = cli_flag_value(argc, argv, "--output");
    const char *lang = cli_flag_value(argc, argv, "--lang");
    if (!format)
        format = "html";
    if (!lang)
        lang = "fr";
    int year = year_s ? figures_parse_year(year_s) : figures_current_year();
    if (year < 0) {
        fprintf(stderr, "lanterne report: --year takes a year from 2000 to 2100\n");
        return 2;
    }
    if (strcmp(format, "html") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "lanterne report: --format is html, csv or json\n");
        return 2;
    }
    if (strcmp(lang, "fr") && strcmp(lang, "en")) {
        fprintf(stderr, "lanterne report: --lang is fr or en\n");
        return 2;
    }

    struct err e = {0};
    struct db *db = NULL;
    struct arena *a = arena_new();
    struct buf out;
    buf_init(&out, 0);
    int rc = 1;
    char ldir[4096], map[4096];
    snprintf(ldir, sizeof ldir, "%s", cli_path(cfg, "build/locale"));
    snprintf(map, sizeof map, "%s", cli_path(cfg, "build/gen/departements-map.json"));
    if (i18n_load(ldir, &e))
        goto fail;
    i18n_use(lang);
    if (strcmp(format, "html") == 0 && svgmap_load(map, &e))
        goto fail;
    if (cli_open_db(cfg, &db, &e))
        goto fail;
    struct figures_report r;
    /* an operator's tool: budgets are shown */
    if (figures_report_load(db, a, year, slug, NULL, 1, &r, &e))
        goto fail;
    if (strcmp(format, "json") == 0) {
        json_t *doc = figures_report_json(&r);
        char *s = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        if (!s || buf_puts(&out, s) || buf_putc(&out, '\n')) {
            free(s);
            err_set(&e, 500, "Le document est trop volumineux.");
            goto fail;
        }
        free(s);
    } else if (strcmp(format, "csv") == 0) {
        if (figures_report_csv(&r, lang, &out)) {
            err_set(&e, 500, "Le document est trop volumineux.");
            goto fail;
        }
    } else if (render_html(cfg, db, a, lang, &r, &out, &e))
        goto fail;
    rc = write_out(output, &out) ? 1 : 0;
    goto done;
fail:
    fprintf(stderr, "lanterne report: %s\n", e.msg);
    rc = e.status == 404 || e.status == 422 ? 2 : 1;
done:
    buf_free(&out);
    if (db)
        db_close(db);
    arena_free(a);
    svgmap_free();
    i18n_free();
    i18n_use(NULL);
    return rc;
}
