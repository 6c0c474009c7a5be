/* web/call_api: calls for projects and applications in the JSON API: calls (list, get,
 * create, update, delete), a call's applications (coordinators), one's own (referents), one
 * application, a draft's creation and update, submission, the decision, the action made
 * from it, and the PDF attachments (multipart or raw body; download). The same domain calls
 * and rights as the pages. */
#include "web/call_web.h"
#include "web/handlers.h"
#include "consent.h"
#include "coordination.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- calls ---- */

int web_api_call_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    int64_t coord = 0;
    const char *slug = http_query(c->r, "coordination");
    if (slug && *slug) {
        struct coordination co;
        if (coordination_get(db, c->a, slug, &co, &e))
            return web_err(c, &e);
        coord = co.id;
    }
    struct call *ks;
    int n;
    if (call_list(db, c->a, coord, &ks, &n, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, web_call_api_json(c, &ks[i]));
    return web_json(c, 200, web_list_body(items, 1, n > 0 ? n : 1, n));
}

int web_api_call_get(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    return web_json(c, 200, web_call_api_json(c, &k));
}

static int call_answer(struct ctx *c, int64_t id, int status)
{
    struct call k;
    struct err e = {0};
    if (call_get(web_db(c), c->a, id, &k, &e))
        return web_err(c, &e);
    if (status == 201)
        http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/calls/%lld", (long long)id));
    return web_json(c, status, web_call_api_json(c, &k));
}

static int read_call(struct ctx *c, json_t *root, struct call_input *in, struct err *e)
{
    if (web_body_str(c, root, "title", &in->title, e) ||
        web_body_str(c, root, "rules", &in->rules, e) ||
        web_body_str(c, root, "opens_on", &in->opens_on, e) ||
        web_body_str(c, root, "closes_on", &in->closes_on, e) ||
        web_body_int(root, "budget", &in->budget, e))
        return -1;
    json_t *v = json_object_get(root, "coordination");
    if (v) {
        struct coordination co;
        struct err ge = {0};
        if (!json_is_string(v) ||
            coordination_get(web_db(c), c->a, json_string_value(v), &co, &ge)) {
            if (ge.status == 500) {
                *e = ge;
                return -1;
            }
            return err_field(e, 422, "coordination",
                             N_("La coordination est le slug d'une coordination existante."));
        }
        in->coordination_id = co.id;
    }
    return 0;
}

int web_api_call_create(struct ctx *c)
{
    int rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct call_input in = {.coordination_id = c->user.coordination_id};
    int64_t id = 0;
    int bad = read_call(c, root, &in, &e);
    if (!bad && !in.coordination_id)
        bad = err_field(&e, 422, "coordination", N_("Choisissez la coordination de l'appel."));
    if (!bad)
        bad = call_create(web_db(c), &c->user, &in, &id, &e);
    json_decref(root);
    if (bad)
        return web_err(c, &e);
    return call_answer(c, id, 201);
}

int web_api_call_update(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct call_input in = {.title = k.title,
                            .rules = k.rules,
                            .opens_on = k.opens_on,
                            .closes_on = k.closes_on,
                            .budget = k.budget};
    int bad = read_call(c, root, &in, &e) || call_update(web_db(c), &c->user, k.id, &in, &e);
    json_decref(root);
    if (bad)
        return web_err(c, &e);
    return call_answer(c, k.id, 200);
}

int web_api_call_delete(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    struct err e = {0};
    if (call_delete(web_db(c), &c->user, k.id, g_app.data_dir, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, "text/plain; charset=utf-8", "", 0) ? -1 : 0;
}

/* ---- applications ---- */

static json_t *apps_body(struct ctx *c, const struct call_app *apps, int n)
{
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, web_call_app_api_json(c, &apps[i]));
    return web_list_body(items, 1, n > 0 ? n : 1, n);
}

int web_api_call_apps(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    if (!call_can_manage(web_viewer(c), k.coordination_id))
        return web_error(c, 403,
                         N_("Seuls les coordinateurs de la coordination de l'appel voient ses "
                            "candidatures."));
    struct call_app *apps;
    int n;
    struct err e = {0};
    if (call_app_list_call(web_db(c), c->a, k.id, &apps, &n, &e))
        return web_err(c, &e);
    return web_json(c, 200, apps_body(c, apps, n));
}

int web_api_call_app_mine(struct ctx *c)
{
    struct call_app *apps;
    int n;
    struct err e = {0};
    if (call_app_list_mine(web_db(c), c->a, &c->user, &apps, &n, &e))
        return web_err(c, &e);
    return web_json(c, 200, apps_body(c, apps, n));
}

int web_api_call_app_get(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    return web_json(c, 200, web_call_app_api_json(c, &app));
}

/* The application as it now is; a 201 names location (NULL: the application itself). */
static int app_answer(struct ctx *c, int64_t id, int status, const char *location)
{
    struct call_app app;
    struct err e = {0};
    if (call_app_get(web_db(c), c->a, id, &app, &e))
        return web_err(c, &e);
    if (status == 201)
        http_add_header(c->r, "Location",
                        location ? location
                                 : arena_printf(c->a, "/api/v1/applications/%lld", (long long)id));
    return web_json(c, status, web_call_app_api_json(c, &app));
}

/* The members of root over in; communes (a list of texts) resolved as the form does. */
static int read_app(struct ctx *c, json_t *root, struct call_app_input *in, struct err *e)
{
    if (web_body_int(root, "structure_id", &in->structure_id, e) ||
        web_body_str(c, root, "title", &in->title, e) ||
        web_body_str(c, root, "project", &in->project, e) ||
        web_body_str(c, root, "facilitator", &in->facilitator, e) ||
        web_body_str(c, root, "planned_start", &in->planned_start, e) ||
        web_body_str(c, root, "planned_end", &in->planned_end, e) ||
        web_body_str(c, root, "public", &in->public_desc, e) ||
        web_body_str(c, root, "action_type", &in->action_type, e) ||
        web_body_int(root, "budget_requested", &in->budget_requested, e))
        return -1;
    json_t *v = json_object_get(root, "communes");
    if (!v)
        return 0;
    if (!json_is_array(v))
        return err_field(e, 422, "communes", N_("Ce champ est une liste de textes."));
    const char **items = arena_alloc(c->a, sizeof *items * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return err_field(e, 422, "communes", N_("Ce champ est une liste de textes."));
        items[i] = arena_strdup(c->a, json_string_value(x));
    }
    return web_call_communes(c, items, (int)json_array_size(v), in, e);
}

int web_api_call_app_create(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct call_app_input in = {0};
    int64_t id = 0;
    int bad = read_app(c, root, &in, &e) ||
              call_app_create(web_db(c), &c->user, k.id, &in, consent_today(), &id, &e);
    json_decref(root);
    if (bad)
        return web_err(c, &e);
    return app_answer(c, id, 201, NULL);
}

int web_api_call_app_update(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    const char **codes = arena_alloc(c->a, sizeof *codes * (size_t)(app.ncommunes + 1));
    for (int i = 0; i < app.ncommunes; i++)
        codes[i] = app.communes[i].code;
    struct call_app_input in = {.structure_id = app.structure_id,
                                .title = app.title,
                                .project = app.project,
                                .facilitator = app.facilitator,
                                .planned_start = app.planned_start,
                                .planned_end = app.planned_end,
                                .public_desc = app.public_desc,
                                .action_type = app.action_type,
                                .budget_requested = app.budget_requested,
                                .commune_codes = codes,
                                .ncommunes = app.ncommunes};
    int bad = read_app(c, root, &in, &e) || call_app_update(web_db(c), &c->user, app.id, &in, &e);
    json_decref(root);
    if (bad)
        return web_err(c, &e);
    return app_answer(c, app.id, 200, NULL);
}

int web_api_call_app_submit(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    struct err e = {0};
    if (call_app_submit(web_db(c), &c->user, app.id, consent_today(), &e))
        return web_err(c, &e);
    return app_answer(c, app.id, 200, NULL);
}

int web_api_call_app_decide(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    const char *decision = "", *reason = "";
    int64_t amount = 0;
    int bad = web_body_str(c, root, "decision", &decision, &e) ||
              web_body_str(c, root, "reason", &reason, &e) ||
              web_body_int(root, "amount", &amount, &e);
    json_decref(root);
    int accept = !strcmp(decision, "accepted");
    if (!bad && !accept && strcmp(decision, "declined")) {
        if (!call_can_manage(web_viewer(c), app.coordination_id))
            return web_error(c, 403,
                             N_("Seuls les coordinateurs de la coordination de l'appel peuvent "
                                "statuer sur ses candidatures."));
        bad = err_field(&e, 422, "decision", N_("La décision est accepted ou declined."));
    }
    int over = 0;
    if (!bad)
        bad = call_app_decide(web_db(c), &c->user, app.id, accept, amount, reason, &over, &e);
    if (bad)
        return web_err(c, &e);
    struct call_app out;
    if (call_app_get(web_db(c), c->a, app.id, &out, &e))
        return web_err(c, &e);
    json_t *o = web_call_app_api_json(c, &out);
    json_object_set_new(o, "over_envelope", json_boolean(over));
    return web_json(c, 200, o);
}

int web_api_call_app_action(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    struct err e = {0};
    int64_t id;
    if (call_app_to_action(web_db(c), &c->user, app.id, &id, &e))
        return web_err(c, &e);
    return app_answer(c, app.id, 201, arena_printf(c->a, "/api/v1/actions/%lld", (long long)id));
}

int web_api_call_app_file_add(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    const char *name = http_query(c->r, "name");
    const void *data = c->r->body.data;
    size_t len = c->r->body.len;
    const struct http_file *f = http_file_get(c->r, "file");
    if (f) {
        data = f->data;
        len = f->len;
        name = f->filename;
    } else if (multipart_is_form_data(c->r->content_type)) {
        struct err e = {0};
        err_field(&e, 422, "file", N_("Choisissez un fichier PDF."));
        return web_err(c, &e);
    }
    struct err e = {0};
    int64_t id;
    if (call_app_file_add(web_db(c), &c->user, app.id, g_app.data_dir, name, data ? data : "", len,
                          &id, &e))
        return web_err(c, &e);
    return app_answer(c, app.id, 201, NULL);
}

int web_api_call_app_file(struct ctx *c)
{
    return web_call_app_file(c);
}
