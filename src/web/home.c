/* home: the home page, the health check, static files and the language switch.
 * The home page shows only what the database holds: empty sections say so. */
#include "web/handlers.h"
#include "consent.h"
#include "coordination.h"
#include "search.h"
#include "structure.h"
#include "territory.h"
#include "web/assets.h"

#include <string.h>

enum {
    HOME_NEWS_MAX = 6, /* entries in "Dernières nouvelles des ateliers" */
    HOME_NEWS_EXCERPT_CHARS = 180
};

/* The newest entries the viewer may read, for the home page: an item per entry. Each item is
 * an object of its own, so whatever else an entry shows there (a photo) is one more member. */
static int news_model(struct ctx *c, json_t *m, struct err *e)
{
    struct sitesearch_entry *items;
    int n;
    const struct account *viewer = c->user.role == ROLE_ANON ? NULL : &c->user;
    if (sitesearch_entries(web_db(c), c->a, viewer, 0, HOME_NEWS_MAX, 1, &items, &n, e))
        return -1;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct sitesearch_entry *en = &items[i];
        char day[11];
        consent_day_format(en->entry_date, day);
        json_t *o = json_object();
        json_object_set_new(o, "title", web_str(en->title));
        json_object_set_new(o, "url",
                            web_str(arena_printf(c->a, "/groupes/%s/carnet/%lld", en->group_slug,
                                                 (long long)en->id)));
        json_object_set_new(o, "group_title", web_str(en->group_title));
        json_object_set_new(o, "group_url",
                            web_str(arena_printf(c->a, "/groupes/%s", en->group_slug)));
        json_object_set_new(o, "date", web_str(day));
        json_object_set_new(o, "excerpt",
                            web_str(sitesearch_excerpt(c->a, sitesearch_plain(c->a, en->body_md),
                                                       HOME_NEWS_EXCERPT_CHARS)));
        json_t *thumb = web_photo_thumb(c, en->group_id, en->id);
        if (thumb)
            json_object_set_new(o, "photo", thumb);
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "news", arr);
    json_object_set_new(m, "has_news", json_boolean(n > 0));
    return 0;
}

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
    if (news_model(c, m, &e)) {
        json_decref(m);
        return web_err(c, &e);
    }
    web_film_home_model(c, m);
    c->indexable = 1;
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
