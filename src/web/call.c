/* web/call: the pages of calls for projects: the list (/appels) with each call's state, one
 * call with its rules and, for its coordination's coordinators, the applications it received;
 * the form that opens or edits a call, and deletion after a confirmation page. The
 * applications' pages are in call_app_page.c, the API in call_api.c. */
#include "web/call_web.h"
#include "web/action_web.h"
#include "web/handlers.h"
#include "consent.h"
#include "coordination.h"

#include <stdlib.h>
#include <string.h>

static const char *const CALL_NOT_FOUND = N_("Appel à projets introuvable.");

int web_call_load(struct ctx *c, int i, struct call *out, int *rc)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, i), &id) || call_get(web_db(c), c->a, id, out, &e)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, CALL_NOT_FOUND);
        return -1;
    }
    return 0;
}

const char *web_call_state_code(const struct call *k)
{
    switch (call_state(k, consent_today())) {
    case CALL_UPCOMING:
        return "upcoming";
    case CALL_OPEN:
        return "open";
    default:
        return "closed";
    }
}

static const char *call_url(struct ctx *c, int64_t id)
{
    return arena_printf(c->a, "/appels/%lld", (long long)id);
}

static const char *state_label(struct ctx *c, const struct call *k)
{
    switch (call_state(k, consent_today())) {
    case CALL_UPCOMING:
        return web_tf(c, "à venir (ouvre le %s)", k->opens_on);
    case CALL_OPEN:
        return web_tf(c, "ouvert jusqu'au %s", k->closes_on);
    default:
        return web_tf(c, "clos depuis le %s", k->closes_on);
    }
}

static json_t *call_page_json(struct ctx *c, const struct call *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "url", web_str(call_url(c, k->id)));
    json_object_set_new(o, "title", web_str(k->title));
    json_object_set_new(o, "rules", web_str(k->rules));
    json_object_set_new(o, "opens_on", web_str(k->opens_on));
    json_object_set_new(o, "closes_on", web_str(k->closes_on));
    json_object_set_new(o, "state", web_str(web_call_state_code(k)));
    json_object_set_new(o, "state_label", web_str(state_label(c, k)));
    json_object_set_new(o, "is_open", json_boolean(call_state(k, consent_today()) == CALL_OPEN));
    json_object_set_new(o, "budget", json_integer(k->budget));
    json_t *co = json_object();
    json_object_set_new(co, "slug", web_str(k->coordination_slug));
    json_object_set_new(co, "name", web_str(k->coordination_name));
    json_object_set_new(o, "coordination", co);
    int manage = call_can_manage(web_viewer(c), k->coordination_id);
    json_object_set_new(o, "can_manage", json_boolean(manage));
    if (manage) {
        json_object_set_new(o, "submitted", json_integer(k->submitted));
        json_object_set_new(o, "accepted_total", json_integer(k->accepted_total));
        json_object_set_new(o, "over_envelope", json_boolean(k->accepted_total > k->budget));
    }
    return o;
}

json_t *web_call_api_json(struct ctx *c, const struct call *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "url", web_str(call_url(c, k->id)));
    json_t *co = json_object();
    json_object_set_new(co, "id", json_integer(k->coordination_id));
    json_object_set_new(co, "slug", web_str(k->coordination_slug));
    json_object_set_new(co, "name", web_str(k->coordination_name));
    json_object_set_new(o, "coordination", co);
    json_object_set_new(o, "title", web_str(k->title));
    json_object_set_new(o, "rules", web_str(k->rules));
    json_object_set_new(o, "opens_on", web_str(k->opens_on));
    json_object_set_new(o, "closes_on", web_str(k->closes_on));
    json_object_set_new(o, "state", web_str(web_call_state_code(k)));
    json_object_set_new(o, "budget", json_integer(k->budget));
    if (call_can_manage(web_viewer(c), k->coordination_id)) {
        json_object_set_new(o, "submitted", json_integer(k->submitted));
        json_object_set_new(o, "accepted_total", json_integer(k->accepted_total));
    }
    json_object_set_new(o, "created_at", json_integer(k->created_at));
    json_object_set_new(o, "updated_at", json_integer(k->updated_at));
    return o;
}

/* ---- the list ---- */

int web_call_list(struct ctx *c)
{
    struct err e = {0};
    struct call *ks;
    int n;
    if (call_list(web_db(c), c->a, 0, &ks, &n, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_t *open = json_array(), *upcoming = json_array(), *closed = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = call_page_json(c, &ks[i]);
        enum call_state st = call_state(&ks[i], consent_today());
        json_array_append_new(st == CALL_OPEN ? open : st == CALL_UPCOMING ? upcoming : closed, o);
    }
    json_object_set_new(m, "has_open", json_boolean(json_array_size(open) > 0));
    json_object_set_new(m, "has_upcoming", json_boolean(json_array_size(upcoming) > 0));
    json_object_set_new(m, "has_closed", json_boolean(json_array_size(closed) > 0));
    json_object_set_new(m, "open", open);
    json_object_set_new(m, "upcoming", upcoming);
    json_object_set_new(m, "closed", closed);
    json_object_set_new(m, "can_create",
                        json_boolean(c->user.role == ROLE_ADMIN ||
                                     call_can_manage(web_viewer(c), c->user.coordination_id)));
    json_object_set_new(m, "is_supervisor", json_boolean(c->user.role == ROLE_SUPERVISOR));
    return web_page(c, 200, "call/list", m);
}

/* ---- one call ---- */

static json_t *app_row_json(struct ctx *c, const struct call_app *app)
{
    json_t *o = json_object();
    json_object_set_new(o, "url",
                        web_str(arena_printf(c->a, "/candidatures/%lld", (long long)app->id)));
    json_object_set_new(o, "title", web_str(app->title));
    json_object_set_new(o, "structure", web_str(app->structure_name));
    json_object_set_new(o, "budget_requested", json_integer(app->budget_requested));
    json_object_set_new(o, "amount_granted", json_integer(app->amount_granted));
    json_object_set_new(o, "accepted", json_boolean(!strcmp(app->status, "accepted")));
    json_object_set_new(o, "status", web_str(app->status));
    json_object_set_new(o, "status_label",
                        web_str(web_t(c, !strcmp(app->status, "draft")       ? N_("Brouillon")
                                         : !strcmp(app->status, "submitted") ? N_("Déposée")
                                         : !strcmp(app->status, "accepted")  ? N_("Acceptée")
                                                                             : N_("Refusée"))));
    json_object_set_new(o, "call_title", web_str(app->call_title));
    json_object_set_new(o, "call_url", web_str(call_url(c, app->call_id)));
    return o;
}

json_t *web_call_app_row(struct ctx *c, const struct call_app *app)
{
    return app_row_json(c, app);
}

int web_call_show(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "k", call_page_json(c, &k));
    if (call_can_manage(web_viewer(c), k.coordination_id)) {
        struct call_app *apps;
        int n;
        struct err e = {0};
        if (call_app_list_call(web_db(c), c->a, k.id, &apps, &n, &e)) {
            json_decref(m);
            return web_err(c, &e);
        }
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, app_row_json(c, &apps[i]));
        json_object_set_new(m, "apps", arr);
        json_object_set_new(m, "has_apps", json_boolean(n > 0));
        json_object_set_new(m, "can_delete", json_boolean(k.submitted == 0));
    }
    json_object_set_new(m, "can_apply",
                        json_boolean(c->user.role == ROLE_SUPERVISOR &&
                                     call_state(&k, consent_today()) == CALL_OPEN));
    return web_page(c, 200, "call/show", m);
}

/* ---- the form ---- */

static int read_amount(const char *raw, int64_t *v)
{
    char buf[16];
    size_t k = 0;
    *v = 0;
    for (const char *p = raw ? raw : ""; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9' || k == 12)
            return -1;
        buf[k++] = *p;
    }
    buf[k] = 0;
    if (k)
        *v = strtoll(buf, NULL, 10);
    return 0;
}

int web_call_parse_amount(const char *raw, int64_t *v)
{
    return read_amount(raw, v);
}

static const char *form_str(struct ctx *c, const char *key)
{
    const char *v = http_form(c->r, key);
    return v ? v : "";
}

static int form_page(struct ctx *c, int status, const struct call *k, int64_t coord,
                     const struct call_input *in, const char *budget_raw, const struct err *e)
{
    json_t *m = json_object();
    if (k) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "action", web_str(call_url(c, k->id)));
        json_object_set_new(m, "k", call_page_json(c, k));
    } else
        json_object_set_new(m, "action", web_str("/appels"));
    struct db *db = web_db(c);
    struct err le = {0};
    struct coordination *cs;
    int nc;
    if (!k && c->user.role == ROLE_ADMIN && coordination_names(db, c->a, &cs, &nc, &le) == 0) {
        json_t *arr = json_array();
        for (int i = 0; i < nc; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(cs[i].id));
            json_object_set_new(o, "label", web_str(cs[i].name));
            json_object_set_new(o, "selected", json_boolean(cs[i].id == coord));
            json_array_append_new(arr, o);
        }
        json_object_set_new(m, "coordinations", arr);
        json_object_set_new(m, "is_admin", json_true());
    }
    struct coordination co;
    if (coord && coordination_get_by_id(db, c->a, coord, &co, &le) == 0)
        json_object_set_new(m, "coordination_name", web_str(co.name));
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in->title));
    json_object_set_new(v, "rules", web_str(in->rules));
    json_object_set_new(v, "opens_on", web_str(in->opens_on));
    json_object_set_new(v, "closes_on", web_str(in->closes_on));
    json_object_set_new(v, "budget", web_str(budget_raw));
    json_object_set_new(m, "values", v);
    json_t *errs = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(errs, e->field, web_str(e->msg));
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status)
        json_object_set_new(m, "error", web_str(e->msg));
    json_object_set_new(m, "errors", errs);
    return web_page(c, status, "call/form", m);
}

static int64_t chosen_coordination(struct ctx *c)
{
    int64_t id = 0;
    const char *v = http_form(c->r, "coordination_id");
    if (v && web_parse_id(v, &id) == 0)
        return id;
    return 0;
}

static int read_form(struct ctx *c, struct call_input *in, const char **budget_raw, struct err *e)
{
    memset(in, 0, sizeof *in);
    in->title = form_str(c, "title");
    in->rules = form_str(c, "rules");
    in->opens_on = form_str(c, "opens_on");
    in->closes_on = form_str(c, "closes_on");
    *budget_raw = form_str(c, "budget");
    if (read_amount(*budget_raw, &in->budget))
        return err_field(e, 422, "budget", "Un nombre entier positif est attendu.");
    return 0;
}

int web_call_new(struct ctx *c)
{
    if (c->user.role != ROLE_ADMIN && !call_can_manage(&c->user, c->user.coordination_id))
        return web_error(c, 403, N_("Seuls les coordinateurs peuvent ouvrir un appel à projets."));
    struct call_input in = {.title = "", .rules = "", .opens_on = "", .closes_on = ""};
    return form_page(c, 200, NULL, c->user.coordination_id, &in, "", NULL);
}

int web_call_create(struct ctx *c)
{
    int64_t coord = c->user.role == ROLE_ADMIN ? chosen_coordination(c) : c->user.coordination_id;
    struct call_input in;
    const char *raw;
    struct err e = {0};
    int64_t id;
    int bad = read_form(c, &in, &raw, &e);
    in.coordination_id = coord;
    if (!bad && c->user.role == ROLE_ADMIN && !coord)
        bad = err_field(&e, 422, "coordination_id", "Choisissez la coordination de l'appel.");
    if (!bad && call_create(web_db(c), &c->user, &in, &id, &e) == 0) {
        web_flash(c, N_("Appel à projets ouvert."));
        return web_redirect(c, call_url(c, id));
    }
    if (e.status == 404) {
        err_clear(&e);
        err_field(&e, 422, "coordination_id", "Choisissez la coordination de l'appel.");
    }
    if (e.status == 422)
        return form_page(c, 422, NULL, coord, &in, raw, &e);
    return web_err(c, &e);
}

static int load_managed(struct ctx *c, struct call *k, int *rc)
{
    if (web_call_load(c, 0, k, rc))
        return -1;
    if (!call_can_manage(web_viewer(c), k->coordination_id)) {
        *rc = web_error(c, 403,
                        N_("Seuls les coordinateurs de sa coordination peuvent modifier cet "
                           "appel à projets."));
        return -1;
    }
    return 0;
}

int web_call_edit(struct ctx *c)
{
    struct call k;
    int rc;
    if (load_managed(c, &k, &rc))
        return rc;
    struct call_input in = {
        .title = k.title, .rules = k.rules, .opens_on = k.opens_on, .closes_on = k.closes_on};
    return form_page(c, 200, &k, k.coordination_id, &in,
                     arena_printf(c->a, "%lld", (long long)k.budget), NULL);
}

int web_call_update(struct ctx *c)
{
    struct call k;
    int rc;
    if (load_managed(c, &k, &rc))
        return rc;
    struct call_input in;
    const char *raw;
    struct err e = {0};
    if (read_form(c, &in, &raw, &e) == 0 && call_update(web_db(c), &c->user, k.id, &in, &e) == 0) {
        web_flash(c, N_("Appel à projets enregistré."));
        return web_redirect(c, call_url(c, k.id));
    }
    if (e.status == 422)
        return form_page(c, 422, &k, k.coordination_id, &in, raw, &e);
    return web_err(c, &e);
}

int web_call_delete_confirm(struct ctx *c)
{
    struct call k;
    int rc;
    if (load_managed(c, &k, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "k", call_page_json(c, &k));
    json_object_set_new(m, "can_delete", json_boolean(k.submitted == 0));
    return web_page(c, 200, "call/delete", m);
}

int web_call_delete(struct ctx *c)
{
    struct call k;
    int rc;
    if (load_managed(c, &k, &rc))
        return rc;
    struct err e = {0};
    if (call_delete(web_db(c), &c->user, k.id, g_app.data_dir, &e))
        return web_err(c, &e);
    web_flash(c, N_("Appel à projets supprimé."));
    return web_redirect(c, "/appels");
}
