/* home: the home page, the health check, static files and the language switch.
 * The home page shows only what the database holds: empty sections say so. */
#include "web/web.h"
#include "coordination.h"
#include "structure.h"
#include "territory.h"
#include "web/assets.h"

#include <string.h>

int web_home(struct ctx *c)
{
    struct err e = {0};
    struct db *db = web_db(c);
    json_t *counts = json_object();
    int64_t nc = coordination_count(db, &e);
    int64_t ns = structure_count(db, &e);
    int64_t nm = territory_commune_count(db, &e);
    if (e.status) {
        json_decref(counts);
        return web_err(c, &e);
    }
    json_object_set_new(counts, "coordinations", json_integer(nc));
    json_object_set_new(counts, "structures", json_integer(ns));
    json_object_set_new(counts, "communes", json_integer(nm));
    json_t *m = json_object();
    json_object_set_new(m, "counts", counts);
    return web_page(c, 200, "home", m);
}

int web_healthz(struct ctx *c)
{
    struct err e = {0};
    int64_t one = db_scalar_int(web_db(c), &e, 0, "SELECT 1", "");
    if (e.status || one != 1) {
        static const char down[] = "{\"status\":\"unavailable\"}";
        return http_respond(c->r, 503, "application/json", down, sizeof down - 1);
    }
    static const char ok[] = "{\"status\":\"ok\"}";
    return http_respond(c->r, 200, "application/json", ok, sizeof ok - 1);
}

int web_static(struct ctx *c)
{
    const char *rel = web_param(c, 0);
    if (!rel || strstr(rel, "..") || assets_serve(c->r, rel) == 1)
        return web_error(c, 404, "Cette page n'existe pas.");
    return 0;
}

int web_lang(struct ctx *c)
{
    const char *to = web_param(c, 0);
    if (!to || (strcmp(to, "fr") != 0 && strcmp(to, "en") != 0))
        return web_error(c, 404, "Cette page n'existe pas.");
    char v[96];
    snprintf(v, sizeof v, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax%s", to,
             g_app.secure_cookies ? "; Secure" : "");
    http_add_header(c->r, "Set-Cookie", v);
    const char *next = http_query(c->r, "next");
    return web_redirect(c, next && *next ? next : "/");
}
