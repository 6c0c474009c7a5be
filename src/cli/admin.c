/* admin: `lanterne init`, `lanterne demo` and `lanterne routes`, the commands that set a
 * database up and describe the server to its tests. */
#include "cli/cli.h"
#include "coordination.h"
#include "demo.h"
#include "demo_year.h"
#include "territory.h"
#include "web/web.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int cli_init(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    struct db *db;
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne init: %s\n", e.msg);
        return 1;
    }
    fprintf(stderr, "lanterne init: schema version %d\n", db_schema_version(db));
    int rc = territory_import(db, cfg->territory_dir, &e);
    if (rc < 0) {
        fprintf(stderr, "lanterne init: territory import from %s: %s\n", cfg->territory_dir, e.msg);
        db_close(db);
        return 1;
    }
    fprintf(stderr, "lanterne init: %lld communes\n", (long long)territory_commune_count(db, &e));
    /* fresh statistics after a bulk load, so both planners use the indexes at once */
    if (db_exec(db, "ANALYZE", &e))
        fprintf(stderr, "lanterne init: ANALYZE: %s\n", e.msg);
    if (coordination_seed(db, &e)) {
        fprintf(stderr, "lanterne init: coordinations: %s\n", e.msg);
        db_close(db);
        return 1;
    }
    fprintf(stderr, "lanterne init: %lld coordinations\n", (long long)coordination_count(db, &e));
    db_close(db);
    return 0;
}

int cli_demo(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    struct db *db;
    const char *years_arg = cli_flag_value(argc, argv, "--years");
    char *end = NULL;
    long years = years_arg ? strtol(years_arg, &end, 10) : DEMO_YEAR_DEFAULT_YEARS;
    if (years_arg && (!*years_arg || *end || years < 0 || years > DEMO_YEAR_MAX_YEARS)) {
        fprintf(stderr, "lanterne demo: --years takes a number from 0 to %d\n",
                DEMO_YEAR_MAX_YEARS);
        return 2;
    }
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne demo: %s\n", e.msg);
        return 1;
    }
    int rc = demo_load_years(db, cfg->data_dir, (int)years, stdout, &e);
    if (rc < 0)
        fprintf(stderr, "lanterne demo: %s\n", e.msg);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

int cli_routes(const struct config *cfg, int argc, char **argv)
{
    json_t *list = json_array();
    for (const struct route *r = web_routes; r->method; r++) {
        json_t *o = json_object();
        json_object_set_new(o, "method", json_string(r->method));
        json_object_set_new(o, "pattern", json_string(r->pattern));
        json_object_set_new(o, "min_role", json_string(account_role_name(r->min_role)));
        json_object_set_new(o, "api", json_boolean(r->flags & ROUTE_API));
        json_array_append_new(list, o);
    }
    char *s = json_dumps(list, JSON_INDENT(1));
    puts(s);
    free(s);
    json_decref(list);
    return 0;
}
