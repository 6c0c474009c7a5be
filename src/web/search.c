/* web/search: the site search page (/recherche) and its API (/api/v1/search), over the groups
 * and logbook entries the viewer may see (src/search.h decides what matches and who sees it). */
#include "web/handlers.h"
#include "consent.h"
#include "search.h"

#include <stdlib.h>
#include <string.h>

static const char *hit_url(struct ctx *c, const struct sitesearch_hit *h)
{
    if (h->kind == SITESEARCH_GROUP)
        return arena_printf(c->a, "/groupes/%s", h->group_slug);
    return arena_printf(c->a, "/groupes/%s/carnet/%lld", h->group_slug, (long long)h->id);
}

/* ---- the page ---- */

static const char *page_url(struct ctx *c, const char *q, int page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "/recherche?q=");
    buf_url(&b, q, (size_t)-1);
    if (page > 1)
        buf_printf(&b, "&page=%d", page);
    const char *s = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static json_t *hit_page_json(struct ctx *c, const struct sitesearch_hit *h)
{
    json_t *o = json_object();
    int group = h->kind == SITESEARCH_GROUP;
    json_object_set_new(o, "is_group", json_boolean(group));
    json_object_set_new(o, "kind_label",
                        web_str(web_t(c, group ? N_("Groupe") : N_("Entrée de carnet"))));
    json_object_set_new(o, "title", web_str(h->title));
    json_object_set_new(o, "url", web_str(hit_url(c, h)));
    json_object_set_new(o, "group_title", web_str(h->group_title));
    json_object_set_new(o, "group_url", web_str(arena_printf(c->a, "/groupes/%s", h->group_slug)));
    json_object_set_new(o, "structure_name", web_str(h->structure_name));
    if (!group)
        json_object_set_new(o, "date", web_str(web_day_str(c, h->entry_date)));
    json_t *pieces = json_array();
    for (int i = 0; i < h->npieces; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "text", web_str(h->pieces[i].text));
        json_object_set_new(p, "hit", json_boolean(h->pieces[i].hit));
        json_array_append_new(pieces, p);
    }
    json_object_set_new(o, "has_snippet", json_boolean(h->npieces > 0));
    json_object_set_new(o, "snippet", pieces);
    return o;
}

int web_search(struct ctx *c)
{
    const char *q = http_query(c->r, "q");
    int page = web_parse_page(http_query(c->r, "page"));
    json_t *m = json_object();
    json_t *values = json_object();
    json_object_set_new(values, "q", web_str(q));
    json_object_set_new(m, "values", values);
    json_t *errors = json_object();
    json_object_set_new(m, "errors", errors);
    if (!q) /* the empty form */
        return web_page(c, 200, "search/results", m);

    struct err e = {0};
    struct sitesearch_hit *hits;
    int n;
    int64_t total;
    if (sitesearch_query(web_db(c), c->a, web_viewer(c), q, page, SITESEARCH_PER_PAGE_DEFAULT,
                         &hits, &n, &total, &e)) {
        if (e.status != 422) {
            json_decref(m);
            return web_err(c, &e);
        }
        json_object_set_new(errors, "q", json_string(e.msg));
        return web_page(c, 422, "search/results", m);
    }
    json_object_set_new(m, "searched", json_true());
    web_film_search_model(c, m, q);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, hit_page_json(c, &hits[i]));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total_label",
                        web_str(total == 1 ? web_t(c, "1 résultat")
                                           : web_tf(c, "%lld résultats", (long long)total)));
    json_object_set_new(m, "empty_label",
                        web_str(total == 0 ? web_tf(c, "Aucun résultat pour « %s ».", q)
                                           : web_t(c, "Aucun résultat sur cette page.")));
    int pages = (int)((total + SITESEARCH_PER_PAGE_DEFAULT - 1) / SITESEARCH_PER_PAGE_DEFAULT);
    if (pages < 1)
        pages = 1;
    json_object_set_new(m, "paginated", json_boolean(pages > 1));
    json_object_set_new(m, "page_label", web_str(web_tf(c, "Page %d sur %d", page, pages)));
    if (page > 1)
        json_object_set_new(m, "prev_url",
                            web_str(page_url(c, q, page > pages ? pages : page - 1)));
    if (page < pages)
        json_object_set_new(m, "next_url", web_str(page_url(c, q, page + 1)));
    return web_page(c, 200, "search/results", m);
}

/* ---- the API ---- */

static json_t *hit_api_json(struct ctx *c, const struct sitesearch_hit *h)
{
    json_t *o = json_object();
    int group = h->kind == SITESEARCH_GROUP;
    json_object_set_new(o, "kind", json_string(group ? "group" : "entry"));
    json_object_set_new(o, "id", json_integer(h->id));
    json_object_set_new(o, "title", web_str(h->title));
    json_object_set_new(o, "url", web_str(hit_url(c, h)));
    json_t *g = json_object();
    json_object_set_new(g, "id", json_integer(h->group_id));
    json_object_set_new(g, "slug", web_str(h->group_slug));
    json_object_set_new(g, "title", web_str(h->group_title));
    json_object_set_new(g, "url", web_str(arena_printf(c->a, "/groupes/%s", h->group_slug)));
    json_object_set_new(o, "group", g);
    if (group)
        json_object_set_new(o, "structure_name", web_str(h->structure_name));
    else
        json_object_set_new(o, "date", web_str(web_day_str(c, h->entry_date)));
    json_object_set_new(o, "snippet", web_str(h->snippet));
    return o;
}

int web_api_search(struct ctx *c)
{
    int page = web_parse_page(http_query(c->r, "page"));
    int per_page = SITESEARCH_PER_PAGE_DEFAULT;
    const char *pp = http_query(c->r, "per_page");
    if (pp) {
        char *end;
        long v = strtol(pp, &end, 10);
        if (!*pp || *end || v < 1 || v > SITESEARCH_PER_PAGE_MAX)
            return web_error(c, 400,
                             "Le paramètre per_page doit être un entier de 1 à 50 "
                             "(50 résultats par page au plus).");
        per_page = (int)v;
    }
    struct err e = {0};
    struct sitesearch_hit *hits;
    int n;
    int64_t total;
    if (sitesearch_query(web_db(c), c->a, web_viewer(c), http_query(c->r, "q"), page, per_page,
                         &hits, &n, &total, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, hit_api_json(c, &hits[i]));
    return web_json(c, 200, web_list_body(items, page, per_page, total));
}
