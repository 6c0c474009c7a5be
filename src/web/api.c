/* api: the API's own document (OpenAPI 3.1) and the territory endpoints (communes,
 * départements). Other areas keep their API handlers next to their pages. */
#include "web/handlers.h"
#include "territory.h"
#include "web/assets.h"

#include <stdlib.h>
#include <string.h>

enum { API_COMMUNES_DEFAULT = 10, API_COMMUNES_MAX = 50 };

int web_api_openapi(struct ctx *c)
{
    if (assets_serve(c->r, "openapi.json") == 1)
        return web_error(c, 404, "Document OpenAPI introuvable.");
    return 0;
}

static json_t *commune_json(const struct territory_commune *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(m->code));
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "departement", json_string(m->departement));
    json_object_set_new(o, "region", json_string(m->region));
    json_object_set_new(o, "population", json_integer(m->population));
    json_t *pcs = json_array();
    const char *p = m->postcodes ? m->postcodes : "";
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n)
            json_array_append_new(pcs, json_stringn(p, n));
        p += n;
        while (*p == ' ')
            p++;
    }
    json_object_set_new(o, "postcodes", pcs);
    return o;
}

int web_api_communes(struct ctx *c)
{
    const char *q = http_query(c->r, "q");
    const char *ls = http_query(c->r, "limit");
    int limit = API_COMMUNES_DEFAULT;
    if (ls) {
        char *end;
        long l = strtol(ls, &end, 10);
        if (*end || l < 1 || l > API_COMMUNES_MAX)
            return web_error(c, 400, "Le paramètre limit doit être un entier de 1 à 50.");
        limit = (int)l;
    }
    if (!q)
        return web_error(c, 400, "Le paramètre q est requis.");
    struct territory_commune *list;
    int n;
    struct err e = {0};
    if (territory_commune_search(web_db(c), c->a, q, limit, &list, &n, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, commune_json(&list[i]));
    json_t *body = json_object();
    json_object_set_new(body, "items", items);
    return web_json(c, 200, body);
}

int web_api_commune_get(struct ctx *c)
{
    struct territory_commune m;
    struct err e = {0};
    if (territory_commune_get(web_db(c), c->a, web_param(c, 0), &m, &e))
        return web_err(c, &e);
    return web_json(c, 200, commune_json(&m));
}

int web_api_departements(struct ctx *c)
{
    struct territory_departement *list;
    int n;
    struct err e = {0};
    if (territory_departements(web_db(c), c->a, &list, &n, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(list[i].code));
        json_object_set_new(o, "name", json_string(list[i].name));
        json_object_set_new(o, "region", json_string(list[i].region));
        json_object_set_new(o, "zone", json_string(list[i].zone));
        json_array_append_new(items, o);
    }
    json_t *body = json_object();
    json_object_set_new(body, "items", items);
    return web_json(c, 200, body);
}
