/* web/action: the action pages: the list with its filters and pages, one action with its
 * counts, links and (for those who may see it) budget, and deletion. The form is in
 * action_form.c, the API in action_api.c. */
#include "web/action_web.h"
#include "web/handlers.h"
#include "coordination.h"
#include "film.h"
#include "group.h"

#include <stdlib.h>
#include <string.h>

static const char *const ACTION_NOT_FOUND = N_("Action introuvable.");

const char *web_action_url(struct ctx *c, int64_t id)
{
    return arena_printf(c->a, "/actions/%lld", (long long)id);
}

const char *web_action_label(struct ctx *c, const struct action_choice *list, const char *code)
{
    const char *l = code ? action_choice_label(list, code) : NULL;
    return l ? web_t(c, l) : (code ? code : "");
}

json_t *web_action_choices(struct ctx *c, const struct action_choice *list, const char *selected)
{
    json_t *arr = json_array();
    for (int i = 0; list[i].code; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(list[i].code));
        json_object_set_new(o, "label", web_str(web_t(c, list[i].label)));
        json_object_set_new(o, "selected",
                            json_boolean(selected && !strcmp(selected, list[i].code)));
        json_array_append_new(arr, o);
    }
    return arr;
}

int web_action_load(struct ctx *c, int i, struct action *a, int *rc)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, i), &id) || action_get(web_db(c), c->a, id, a, &e)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, ACTION_NOT_FOUND);
        return -1;
    }
    return 0;
}

int web_action_load_editable(struct ctx *c, struct action *a, int *rc)
{
    if (web_action_load(c, 0, a, rc))
        return -1;
    if (!action_can_edit(web_viewer(c), a->coordination_id)) {
        *rc = web_error(c, 403,
                        N_("Seuls les coordinateurs de sa coordination peuvent modifier "
                           "cette action."));
        return -1;
    }
    return 0;
}

/* "12 mars 2026" style dates would need month names in two languages; the ISO date reads
 * the same in both. */
static const char *dates_label(struct ctx *c, const struct action *a)
{
    if (!strcmp(a->start_date, a->end_date))
        return web_tf(c, "le %s", a->start_date);
    return web_tf(c, "du %s au %s", a->start_date, a->end_date);
}

static json_t *labels_json(struct ctx *c, const struct action_choice *list, const char **codes,
                           int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, web_str(web_action_label(c, list, codes[i])));
    return arr;
}

static json_t *communes_json(const struct action *a)
{
    json_t *arr = json_array();
    for (int i = 0; i < a->ncommunes; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(a->communes[i].code));
        json_object_set_new(o, "name", web_str(a->communes[i].name));
        json_object_set_new(o, "departement", web_str(a->communes[i].departement_code));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The action as the pages show it (the list's rows and the action's page). */
static json_t *action_page_json(struct ctx *c, const struct action *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "url", web_str(web_action_url(c, a->id)));
    json_object_set_new(o, "title", web_str(a->title));
    json_object_set_new(o, "description", web_str(a->description));
    json_object_set_new(o, "type", web_str(a->type));
    json_object_set_new(o, "type_label", web_str(web_action_label(c, action_types, a->type)));
    json_object_set_new(o, "status", web_str(a->status));
    json_object_set_new(o, "status_label",
                        web_str(web_action_label(c, action_statuses, a->status)));
    json_object_set_new(o, "start_date", web_str(a->start_date));
    json_object_set_new(o, "end_date", web_str(a->end_date));
    json_object_set_new(o, "dates", web_str(dates_label(c, a)));
    json_t *co = json_object();
    json_object_set_new(co, "slug", web_str(a->coordination_slug));
    json_object_set_new(co, "name", web_str(a->coordination_name));
    json_object_set_new(o, "coordination", co);
    json_object_set_new(o, "communes", communes_json(a));
    json_object_set_new(o, "has_communes", json_boolean(a->ncommunes > 0));
    if (action_can_see_budget(web_viewer(c), a->coordination_id)) {
        json_t *b = json_object();
        json_object_set_new(b, "requested", json_integer(a->budget_requested));
        json_object_set_new(b, "granted", json_integer(a->budget_granted));
        json_object_set_new(b, "cofunding", json_integer(a->budget_cofunding));
        json_object_set_new(o, "budget", b);
    }
    return o;
}

/* ---- the list ---- */

static int query_int(struct ctx *c, const char *name)
{
    const char *v = http_query(c->r, name);
    if (!v || !*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        return 0;
    return atoi(v);
}

/* A link to another page of the same list: every filter kept, page replaced. */
static const char *page_link(struct ctx *c, int page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "/actions");
    char sep = '?';
    for (size_t i = 0; i < c->r->query.n; i++) {
        const struct kv *kv = &c->r->query.items[i];
        if (!strcmp(kv->key, "page") || !*kv->value)
            continue;
        buf_putc(&b, sep);
        buf_url(&b, kv->key, strlen(kv->key));
        buf_putc(&b, '=');
        buf_url(&b, kv->value, strlen(kv->value));
        sep = '&';
    }
    buf_printf(&b, "%cpage=%d", sep, page);
    const char *out = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const struct action_choice sorts[] = {
    {"date", N_("Les plus récentes")},
    {"oldest", N_("Les plus anciennes")},
    {"title", N_("Titre")},
    {NULL, NULL},
};

int web_action_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct action_filter f = {0};
    const char *q = http_query(c->r, "q");
    const char *type = http_query(c->r, "type");
    const char *status = http_query(c->r, "status");
    const char *sort = http_query(c->r, "sort");
    const char *coord = http_query(c->r, "coordination");
    const char *commune = http_query(c->r, "commune");
    /* a value outside the lists is ignored rather than refused: the page stays usable */
    f.q = q && *q ? q : NULL;
    f.type = type && action_choice_label(action_types, type) ? type : NULL;
    f.status = status && action_choice_label(action_statuses, status) ? status : NULL;
    f.sort = sort && action_choice_label(sorts, sort) ? sort : "date";
    f.commune_code = commune && *commune ? commune : NULL;
    f.year = query_int(c, "year");
    f.page = web_parse_page(http_query(c->r, "page"));
    f.per_page = ACTION_WEB_PER_PAGE;
    f.with_lists = 1;
    struct coordination *cs;
    int nc;
    if (coordination_names(db, c->a, &cs, &nc, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_t *carr = json_array();
    for (int i = 0; i < nc; i++) {
        int sel = coord && !strcmp(coord, cs[i].slug);
        if (sel)
            f.coordination_id = cs[i].id;
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(cs[i].slug));
        json_object_set_new(o, "label", web_str(cs[i].name));
        json_object_set_new(o, "selected", json_boolean(sel));
        json_array_append_new(carr, o);
    }
    json_object_set_new(m, "coordinations", carr);
    json_object_set_new(m, "types", web_action_choices(c, action_types, f.type));
    json_object_set_new(m, "statuses", web_action_choices(c, action_statuses, f.status));
    json_object_set_new(m, "sorts", web_action_choices(c, sorts, f.sort));
    json_t *v = json_object();
    json_object_set_new(v, "q", web_str(f.q));
    json_object_set_new(v, "commune", web_str(f.commune_code));
    if (f.year)
        json_object_set_new(v, "year", json_integer(f.year));
    json_object_set_new(m, "values", v);
    struct action *as;
    int n;
    int64_t total;
    if (action_list(db, c->a, &f, &as, &n, &total, &e)) {
        json_decref(m);
        return web_err(c, &e);
    }
    json_t *items = json_array();
    int any_budget = 0;
    for (int i = 0; i < n; i++) {
        json_t *o = action_page_json(c, &as[i]);
        any_budget |= json_object_get(o, "budget") != NULL;
        json_array_append_new(items, o);
    }
    json_object_set_new(m, "actions", items);
    json_object_set_new(m, "has_actions", json_boolean(n > 0));
    json_object_set_new(m, "show_budget", json_boolean(any_budget));
    int pages = (int)((total + f.per_page - 1) / f.per_page);
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "page", json_integer(f.page));
    json_object_set_new(m, "pages", json_integer(pages ? pages : 1));
    if (f.page > 1)
        json_object_set_new(m, "prev_url", web_str(page_link(c, f.page - 1)));
    if (f.page < pages)
        json_object_set_new(m, "next_url", web_str(page_link(c, f.page + 1)));
    json_object_set_new(m, "filtered", json_boolean(c->r->query.n > 0));
    /* coordinators create in their own coordination, admins anywhere */
    json_object_set_new(m, "can_create",
                        json_boolean(c->user.role == ROLE_ADMIN ||
                                     action_can_edit(web_viewer(c), c->user.coordination_id)));
    c->indexable = c->r->query.n == 0;
    return web_page(c, 200, "action/list", m);
}

/* ---- one action ---- */

static json_t *count_row(const char *label, int64_t v)
{
    json_t *o = json_object();
    json_object_set_new(o, "label", web_str(label));
    json_object_set_new(o, "value", json_integer(v));
    return o;
}

int web_action_show(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load(c, 0, &a, &rc))
        return rc;
    struct db *db = web_db(c);
    const struct account *viewer = web_viewer(c);
    json_t *m = json_object();
    json_t *o = action_page_json(c, &a);
    if (a.lead_structure_id) {
        json_t *l = json_object();
        json_object_set_new(
            l, "url",
            web_str(arena_printf(c->a, "/structures/%lld", (long long)a.lead_structure_id)));
        json_object_set_new(l, "name", web_str(a.lead_structure_name));
        json_object_set_new(o, "lead", l);
    }
    json_t *parr = json_array();
    for (int i = 0; i < a.npartners; i++) {
        json_t *p = json_object();
        json_object_set_new(
            p, "url", web_str(arena_printf(c->a, "/structures/%lld", (long long)a.partner_ids[i])));
        json_object_set_new(p, "name", web_str(a.partner_names[i]));
        json_array_append_new(parr, p);
    }
    json_object_set_new(o, "partners", parr);
    json_object_set_new(o, "has_partners", json_boolean(a.npartners > 0));
    json_t *farr = json_array();
    for (int i = 0; i < a.nfacilitators; i++)
        json_array_append_new(farr, web_str(a.facilitators[i]));
    json_object_set_new(o, "facilitators", farr);
    json_object_set_new(o, "has_facilitators", json_boolean(a.nfacilitators > 0));
    json_object_set_new(o, "themes", labels_json(c, action_themes, a.themes, a.nthemes));
    json_object_set_new(o, "has_themes", json_boolean(a.nthemes > 0));
    json_object_set_new(o, "forms", labels_json(c, action_forms, a.forms, a.nforms));
    json_object_set_new(o, "has_forms", json_boolean(a.nforms > 0));
    json_object_set_new(o, "publics", labels_json(c, action_publics, a.publics, a.npublics));
    json_object_set_new(o, "has_publics", json_boolean(a.npublics > 0));
    json_object_set_new(o, "rural_label",
                        web_str(a.is_rural ? web_t(c, N_("Oui")) : web_t(c, N_("Non"))));
    json_object_set_new(o, "rural_auto", json_boolean(!strcmp(a.rural, "auto")));
    /* counts */
    int64_t participants = action_participants(&a);
    json_t *ages = json_array();
    json_array_append_new(ages, count_row(web_t(c, N_("Moins de 12 ans")), a.p_u12));
    json_array_append_new(ages, count_row(web_t(c, N_("12 à 17 ans")), a.p_12_17));
    json_array_append_new(ages, count_row(web_t(c, N_("18 à 25 ans")), a.p_18_25));
    json_array_append_new(ages, count_row(web_t(c, N_("Plus de 25 ans")), a.p_o25));
    json_object_set_new(o, "ages", ages);
    json_object_set_new(o, "participants", json_integer(participants));
    json_object_set_new(o, "is_practice", json_boolean(action_type_is_practice(a.type)));
    if (a.has_gender) {
        json_t *g = json_array();
        json_array_append_new(g, count_row(web_t(c, N_("Filles et femmes")), a.p_female));
        json_array_append_new(g, count_row(web_t(c, N_("Garçons et hommes")), a.p_male));
        json_array_append_new(g, count_row(web_t(c, N_("Autre ou non précisé")), a.p_other));
        json_object_set_new(o, "genders", g);
        json_object_set_new(o, "has_genders", json_true());
    }
    json_object_set_new(o, "spectators", json_integer(a.spectators));
    json_object_set_new(o, "spectators_include_participants",
                        json_boolean(a.spectators_include_participants));
    json_object_set_new(o, "reached", json_integer(action_reached(&a)));
    json_object_set_new(o, "practice_hours", json_integer(a.practice_hours));
    json_object_set_new(o, "films_made", json_integer(a.films_made));
    /* links: only what the viewer may see */
    json_t *garr = json_array();
    for (int i = 0; i < a.ngroups; i++) {
        struct group g;
        struct err e = {0};
        if (group_get(db, c->a, a.group_ids[i], &g, &e) ||
            !visibility_can_see_group(db, viewer, &g))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "url", web_str(arena_printf(c->a, "/groupes/%s", g.slug)));
        json_object_set_new(x, "title", web_str(g.title));
        json_object_set_new(x, "year", json_integer(g.year));
        json_array_append_new(garr, x);
    }
    json_object_set_new(o, "has_groups", json_boolean(json_array_size(garr) > 0));
    json_object_set_new(o, "groups", garr);
    json_t *flarr = json_array();
    for (int i = 0; i < a.nfilms; i++) {
        struct film f;
        struct group g;
        struct err e = {0};
        if (film_get(db, c->a, a.film_ids[i], &f, &e) || group_get(db, c->a, f.group_id, &g, &e) ||
            !film_can_see(db, viewer, &g, &f))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "url", web_str(arena_printf(c->a, "/films/%lld", (long long)f.id)));
        json_object_set_new(x, "title", web_str(f.title));
        json_array_append_new(flarr, x);
    }
    json_object_set_new(o, "has_films", json_boolean(json_array_size(flarr) > 0));
    json_object_set_new(o, "films", flarr);
    json_object_set_new(m, "a", o);
    json_object_set_new(m, "can_edit", json_boolean(action_can_edit(viewer, a.coordination_id)));
    c->indexable = 1;
    return web_page(c, 200, "action/show", m);
}

/* ---- deletion ---- */

int web_action_delete_confirm(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load_editable(c, &a, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "a", action_page_json(c, &a));
    return web_page(c, 200, "action/delete", m);
}

int web_action_delete(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load_editable(c, &a, &rc))
        return rc;
    struct err e = {0};
    if (action_delete(web_db(c), &c->user, a.id, &e))
        return web_err(c, &e);
    web_flash(c, N_("Action supprimée."));
    return web_redirect(c, "/actions");
}
