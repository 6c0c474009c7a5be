/* web/call_app_page: the pages of applications to calls for projects: a referent's form
 * (communes typed one a line and resolved as the action form does), their list
 * (/candidatures), one application with its attachments, submission, the steering
 * committee's decision and the one step that makes an accepted application an action. */
#include "web/action_web.h"
#include "web/call_web.h"
#include "web/handlers.h"
#include "consent.h"
#include "core/text.h"
#include "structure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const APP_NOT_FOUND = N_("Candidature introuvable.");

int web_call_app_load(struct ctx *c, int i, struct call_app *out, int *rc)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, i), &id) || call_app_get(web_db(c), c->a, id, out, &e) ||
        !call_app_can_read(web_db(c), web_viewer(c), out)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, APP_NOT_FOUND);
        return -1;
    }
    return 0;
}

int web_call_communes(struct ctx *c, const char *const *items, int n, struct call_app_input *in,
                      struct err *e)
{
    const char **codes;
    int k = 0;
    if (web_action_communes(c, items, n, &codes, &k, e))
        return -1;
    in->commune_codes = codes;
    in->ncommunes = k;
    return 0;
}

static const char *app_url(struct ctx *c, int64_t id)
{
    return arena_printf(c->a, "/candidatures/%lld", (long long)id);
}

static const char *status_label(struct ctx *c, const char *status)
{
    return web_t(c, !strcmp(status, "draft")       ? N_("Brouillon")
                    : !strcmp(status, "submitted") ? N_("Déposée")
                    : !strcmp(status, "accepted")  ? N_("Acceptée")
                                                   : N_("Refusée"));
}

json_t *web_call_app_api_json(struct ctx *c, const struct call_app *app)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(app->id));
    json_object_set_new(o, "url", web_str(app_url(c, app->id)));
    json_object_set_new(o, "call_id", json_integer(app->call_id));
    json_object_set_new(o, "call_title", web_str(app->call_title));
    json_t *s = json_object();
    json_object_set_new(s, "id", json_integer(app->structure_id));
    json_object_set_new(s, "name", web_str(app->structure_name));
    json_object_set_new(o, "structure", s);
    json_object_set_new(o, "title", web_str(app->title));
    json_object_set_new(o, "project", web_str(app->project));
    json_object_set_new(o, "facilitator", web_str(app->facilitator));
    json_object_set_new(o, "planned_start", web_str(app->planned_start));
    json_object_set_new(o, "planned_end", web_str(app->planned_end));
    json_object_set_new(o, "public", web_str(app->public_desc));
    json_object_set_new(o, "action_type", web_str(app->action_type));
    json_object_set_new(o, "budget_requested", json_integer(app->budget_requested));
    json_object_set_new(o, "status", web_str(app->status));
    json_object_set_new(o, "amount_granted", json_integer(app->amount_granted));
    json_object_set_new(o, "decision_reason", web_str(app->decision_reason));
    json_object_set_new(o, "action_id",
                        app->action_id ? json_integer(app->action_id) : json_null());
    json_t *carr = json_array();
    for (int i = 0; i < app->ncommunes; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "code", web_str(app->communes[i].code));
        json_object_set_new(x, "name", web_str(app->communes[i].name));
        json_object_set_new(x, "departement", web_str(app->communes[i].departement_code));
        json_array_append_new(carr, x);
    }
    json_object_set_new(o, "communes", carr);
    json_t *farr = json_array();
    for (int i = 0; i < app->nfiles; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "id", json_integer(app->files[i].id));
        json_object_set_new(x, "name", web_str(app->files[i].name));
        json_object_set_new(x, "size", json_integer(app->files[i].size));
        json_object_set_new(x, "url",
                            web_str(arena_printf(c->a, "/api/v1/applications/%lld/files/%lld",
                                                 (long long)app->id, (long long)app->files[i].id)));
        json_array_append_new(farr, x);
    }
    json_object_set_new(o, "files", farr);
    json_object_set_new(o, "submitted_at",
                        app->submitted_at ? json_integer(app->submitted_at) : json_null());
    json_object_set_new(o, "decided_at",
                        app->decided_at ? json_integer(app->decided_at) : json_null());
    json_object_set_new(o, "created_at", json_integer(app->created_at));
    json_object_set_new(o, "updated_at", json_integer(app->updated_at));
    return o;
}

/* ---- the form ---- */

static const char *form_str(struct ctx *c, const char *key)
{
    const char *v = http_form(c->r, key);
    return v ? v : "";
}

/* Lines of a textarea, trimmed, empty ones left out. */
static const char **lines_of(struct ctx *c, const char *text, int *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == '\n';
    const char **v = arena_alloc(c->a, sizeof *v * (cap + 1));
    *n = 0;
    const char *p = text;
    while (*p) {
        size_t k = strcspn(p, "\n");
        const char *line = text_trim(c->a, arena_strndup(c->a, p, k));
        if (*line)
            v[(*n)++] = line;
        p += k;
        if (*p == '\n')
            p++;
    }
    return v;
}

struct form {
    struct call_app_input in;
    const char *communes, *budget;
};

static int read_form(struct ctx *c, struct form *s, struct err *e)
{
    memset(s, 0, sizeof *s);
    struct call_app_input *in = &s->in;
    const char *st = form_str(c, "structure_id");
    if (*st && web_parse_id(st, &in->structure_id))
        in->structure_id = -1;
    in->title = form_str(c, "title");
    in->project = form_str(c, "project");
    in->facilitator = form_str(c, "facilitator");
    in->planned_start = form_str(c, "planned_start");
    in->planned_end = form_str(c, "planned_end");
    in->public_desc = form_str(c, "public_desc");
    in->action_type = form_str(c, "action_type");
    s->budget = form_str(c, "budget_requested");
    s->communes = form_str(c, "communes");
    int failed = 0;
    if (web_call_parse_amount(s->budget, &in->budget_requested))
        failed = err_field(e, 422, "budget_requested", "Un nombre entier positif est attendu.");
    int nl;
    const char **lines = lines_of(c, s->communes, &nl);
    struct err ce = {0};
    if (web_call_communes(c, lines, nl, in, &ce) && !failed) {
        *e = ce;
        failed = -1;
    }
    return failed ? -1 : 0;
}

static void form_of(struct ctx *c, const struct call_app *app, struct form *s)
{
    memset(s, 0, sizeof *s);
    struct call_app_input *in = &s->in;
    in->structure_id = app->structure_id;
    in->title = app->title;
    in->project = app->project;
    in->facilitator = app->facilitator;
    in->planned_start = app->planned_start;
    in->planned_end = app->planned_end;
    in->public_desc = app->public_desc;
    in->action_type = app->action_type;
    s->budget = arena_printf(c->a, "%lld", (long long)app->budget_requested);
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < app->ncommunes; i++)
        buf_printf(&b, "%s (%s)\n", app->communes[i].name, app->communes[i].departement_code);
    s->communes = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
}

/* The referent's structures as options; 0 when they have none. */
static int structures_json(struct ctx *c, json_t *m, int64_t selected)
{
    int64_t *ids;
    int n = 0;
    struct err e = {0};
    json_t *arr = json_array();
    if (account_structures(web_db(c), c->a, c->user.id, &ids, &n, &e))
        n = 0;
    for (int i = 0; i < n; i++) {
        struct structure st;
        if (structure_get(web_db(c), c->a, ids[i], &st, &e))
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(st.id));
        json_object_set_new(o, "label", web_str(st.name));
        json_object_set_new(o, "selected", json_boolean(st.id == selected || n == 1));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "structures", arr);
    return n;
}

static int form_page(struct ctx *c, int status, const struct call *k, const struct call_app *app,
                     const struct form *s, const struct err *e)
{
    json_t *m = json_object();
    json_t *ko = json_object();
    json_object_set_new(ko, "title", web_str(k->title));
    json_object_set_new(ko, "url", web_str(arena_printf(c->a, "/appels/%lld", (long long)k->id)));
    json_object_set_new(ko, "closes_on", web_str(k->closes_on));
    json_object_set_new(m, "k", ko);
    if (app) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "action", web_str(app_url(c, app->id)));
        json_object_set_new(m, "app_url", web_str(app_url(c, app->id)));
    } else
        json_object_set_new(
            m, "action",
            web_str(arena_printf(c->a, "/appels/%lld/candidatures", (long long)k->id)));
    structures_json(c, m, s->in.structure_id);
    const struct call_app_input *in = &s->in;
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in->title));
    json_object_set_new(v, "project", web_str(in->project));
    json_object_set_new(v, "facilitator", web_str(in->facilitator));
    json_object_set_new(v, "planned_start", web_str(in->planned_start));
    json_object_set_new(v, "planned_end", web_str(in->planned_end));
    json_object_set_new(v, "public_desc", web_str(in->public_desc));
    json_object_set_new(v, "budget_requested", web_str(s->budget));
    json_object_set_new(v, "communes", web_str(s->communes));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "types", web_action_choices(c, action_types, in->action_type));
    json_t *errs = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(errs, e->field, web_str(e->msg));
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status)
        json_object_set_new(m, "error", web_str(e->msg));
    json_object_set_new(m, "errors", errs);
    return web_page(c, status, "call/app_form", m);
}

int web_call_app_new(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    json_t *probe = json_object();
    int n = structures_json(c, probe, 0);
    json_decref(probe);
    if (c->user.role != ROLE_SUPERVISOR || n == 0)
        return web_error(c, 403,
                         N_("Seuls les référents d'une structure peuvent candidater en son nom."));
    if (call_state(&k, consent_today()) != CALL_OPEN)
        return web_error(c, 422, N_("Cet appel n'est pas ouvert aux candidatures."));
    struct form s;
    memset(&s, 0, sizeof s);
    s.in.title = s.in.project = s.in.facilitator = s.in.planned_start = s.in.planned_end = "";
    s.in.public_desc = s.in.action_type = "";
    s.budget = s.communes = "";
    return form_page(c, 200, &k, NULL, &s, NULL);
}

int web_call_app_create(struct ctx *c)
{
    struct call k;
    int rc;
    if (web_call_load(c, 0, &k, &rc))
        return rc;
    struct form s;
    struct err e = {0};
    int64_t id;
    if (read_form(c, &s, &e) == 0 &&
        call_app_create(web_db(c), &c->user, k.id, &s.in, consent_today(), &id, &e) == 0) {
        web_flash(c, N_("Brouillon de candidature enregistré : ajoutez vos pièces jointes puis "
                        "déposez-la."));
        return web_redirect(c, app_url(c, id));
    }
    if (e.status == 422)
        return form_page(c, 422, &k, NULL, &s, &e);
    return web_err(c, &e);
}

int web_call_app_edit(struct ctx *c)
{
    struct call_app app;
    struct call k;
    int rc;
    struct err e = {0};
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    if (!call_is_referent(web_db(c), web_viewer(c), app.structure_id))
        return web_error(
            c, 403, N_("Seuls les référents de la structure peuvent modifier sa candidature."));
    if (strcmp(app.status, "draft"))
        return web_error(c, 409, N_("Une candidature déposée ne peut plus être modifiée."));
    if (call_get(web_db(c), c->a, app.call_id, &k, &e))
        return web_err(c, &e);
    struct form s;
    form_of(c, &app, &s);
    return form_page(c, 200, &k, &app, &s, NULL);
}

int web_call_app_update(struct ctx *c)
{
    struct call_app app;
    struct call k;
    int rc;
    struct err e = {0};
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    if (call_get(web_db(c), c->a, app.call_id, &k, &e))
        return web_err(c, &e);
    struct form s;
    if (read_form(c, &s, &e) == 0 && call_app_update(web_db(c), &c->user, app.id, &s.in, &e) == 0) {
        web_flash(c, N_("Candidature enregistrée."));
        return web_redirect(c, app_url(c, app.id));
    }
    if (e.status == 422)
        return form_page(c, 422, &k, &app, &s, &e);
    return web_err(c, &e);
}

/* ---- the list of one's applications ---- */

int web_call_app_mine(struct ctx *c)
{
    struct call_app *apps;
    int n;
    struct err e = {0};
    if (call_app_list_mine(web_db(c), c->a, &c->user, &apps, &n, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = web_call_app_row(c, &apps[i]);
        json_object_set_new(o, "declined", json_boolean(!strcmp(apps[i].status, "declined")));
        json_object_set_new(o, "reason", web_str(apps[i].decision_reason));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "apps", arr);
    json_object_set_new(m, "has_apps", json_boolean(n > 0));
    return web_page(c, 200, "call/mine", m);
}

/* ---- one application ---- */

static int show_page(struct ctx *c, int status, const struct call_app *app, const char *error,
                     const char *amount_raw, const char *reason_raw)
{
    struct db *db = web_db(c);
    const struct account *viewer = web_viewer(c);
    json_t *m = json_object();
    json_t *o = json_object();
    json_object_set_new(o, "url", web_str(app_url(c, app->id)));
    json_object_set_new(o, "title", web_str(app->title));
    json_object_set_new(o, "project", web_str(app->project));
    json_object_set_new(o, "facilitator", web_str(app->facilitator));
    json_object_set_new(o, "planned_start", web_str(app->planned_start));
    json_object_set_new(o, "planned_end", web_str(app->planned_end));
    json_object_set_new(o, "public_desc", web_str(app->public_desc));
    json_object_set_new(o, "type_label",
                        web_str(web_action_label(c, action_types, app->action_type)));
    json_object_set_new(o, "budget_requested", json_integer(app->budget_requested));
    json_object_set_new(o, "amount_granted", json_integer(app->amount_granted));
    json_object_set_new(o, "reason", web_str(app->decision_reason));
    json_object_set_new(o, "structure", web_str(app->structure_name));
    json_object_set_new(o, "applicant", web_str(app->applicant_name));
    json_object_set_new(o, "status_label", web_str(status_label(c, app->status)));
    json_object_set_new(o, "call_title", web_str(app->call_title));
    json_object_set_new(o, "call_url",
                        web_str(arena_printf(c->a, "/appels/%lld", (long long)app->call_id)));
    int draft = !strcmp(app->status, "draft"), submitted = !strcmp(app->status, "submitted");
    int accepted = !strcmp(app->status, "accepted"), declined = !strcmp(app->status, "declined");
    json_object_set_new(o, "is_draft", json_boolean(draft));
    json_object_set_new(o, "is_submitted", json_boolean(submitted));
    json_object_set_new(o, "is_accepted", json_boolean(accepted));
    json_object_set_new(o, "is_declined", json_boolean(declined));
    json_t *carr = json_array();
    for (int i = 0; i < app->ncommunes; i++)
        json_array_append_new(carr, web_str(arena_printf(c->a, "%s (%s)", app->communes[i].name,
                                                         app->communes[i].departement_code)));
    json_object_set_new(o, "communes", carr);
    json_t *farr = json_array();
    for (int i = 0; i < app->nfiles; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", web_str(app->files[i].name));
        json_object_set_new(x, "size_kb", json_integer((app->files[i].size + 1023) / 1024));
        json_object_set_new(x, "url",
                            web_str(arena_printf(c->a, "%s/pieces/%lld", app_url(c, app->id),
                                                 (long long)app->files[i].id)));
        json_array_append_new(farr, x);
    }
    json_object_set_new(o, "files", farr);
    json_object_set_new(o, "has_files", json_boolean(app->nfiles > 0));
    if (app->action_id)
        json_object_set_new(o, "action_url", web_str(web_action_url(c, app->action_id)));
    json_object_set_new(m, "app", o);
    int referent = call_is_referent(db, viewer, app->structure_id);
    int manage = call_can_manage(viewer, app->coordination_id);
    json_object_set_new(m, "can_edit", json_boolean(referent && draft));
    json_object_set_new(m, "can_upload",
                        json_boolean(referent && draft && app->nfiles < CALL_APP_FILES_MAX));
    json_object_set_new(m, "files_max", json_integer(CALL_APP_FILES_MAX));
    json_object_set_new(m, "file_mb", json_integer(CALL_APP_FILE_MAX_BYTES / (1024 * 1024)));
    json_object_set_new(m, "can_decide", json_boolean(manage && submitted));
    json_object_set_new(m, "can_make_action", json_boolean(manage && accepted && !app->action_id));
    json_object_set_new(m, "show_budget", json_boolean(manage || referent));
    if (error)
        json_object_set_new(m, "error", web_str(error));
    json_t *v = json_object();
    json_object_set_new(v, "amount", web_str(amount_raw ? amount_raw : ""));
    json_object_set_new(v, "reason", web_str(reason_raw ? reason_raw : ""));
    const char *decision = amount_raw || reason_raw ? http_form(c->r, "decision") : NULL;
    json_object_set_new(v, "accepted", json_boolean(decision && !strcmp(decision, "accepted")));
    json_object_set_new(v, "declined", json_boolean(decision && !strcmp(decision, "declined")));
    json_object_set_new(m, "values", v);
    return web_page(c, status, "call/app_show", m);
}

int web_call_app_show(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    return show_page(c, 200, &app, NULL, NULL, NULL);
}

/* After a refused step: 422 and 413 on the page itself, anything else as an error page. */
static int refused(struct ctx *c, const struct err *e, const char *amount, const char *reason)
{
    if (e->status != 422 && e->status != 413)
        return web_err(c, e);
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    return show_page(c, e->status, &app, e->msg, amount, reason);
}

int web_call_app_submit(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    struct err e = {0};
    if (call_app_submit(web_db(c), &c->user, app.id, consent_today(), &e))
        return refused(c, &e, NULL, NULL);
    web_flash(c, N_("Candidature déposée : la coordination l'examinera."));
    return web_redirect(c, app_url(c, app.id));
}

int web_call_app_upload(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    int stored = 0;
    for (const struct http_file *f = c->r->files; f; f = f->next) {
        if (strcmp(f->field, "file"))
            continue;
        struct err e = {0};
        int64_t id;
        if (call_app_file_add(web_db(c), &c->user, app.id, g_app.data_dir, f->filename, f->data,
                              f->len, &id, &e)) {
            if (e.status != 422 && e.status != 413)
                return web_err(c, &e);
            const char *msg = f->filename && *f->filename
                                  ? arena_printf(c->a, "%s : %s", f->filename, e.msg)
                                  : e.msg;
            struct err shown = {0};
            shown.status = e.status;
            snprintf(shown.msg, sizeof shown.msg, "%s", msg);
            return refused(c, &shown, NULL, NULL);
        }
        stored++;
    }
    if (!stored) {
        struct err e = {0};
        err_set(&e, 422, "Choisissez un fichier PDF.");
        return refused(c, &e, NULL, NULL);
    }
    web_flash(c, N_("Pièce jointe ajoutée."));
    return web_redirect(c, app_url(c, app.id));
}

int web_call_app_file(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    int64_t fid;
    const struct call_app_file *f = NULL;
    if (web_parse_id(web_param(c, 1), &fid) == 0)
        for (int i = 0; i < app.nfiles; i++)
            if (app.files[i].id == fid)
                f = &app.files[i];
    if (!f)
        return web_error(c, 404, N_("Pièce jointe introuvable."));
    const char *path = call_app_file_path(c->a, g_app.data_dir, f->storage_key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        return web_error(c, 404, N_("Pièce jointe introuvable."));
    }
    http_add_header(
        c->r, "Content-Disposition",
        arena_printf(c->a, "attachment; filename=\"piece-%lld.pdf\"", (long long)f->id));
    /* X-Content-Type-Options: nosniff comes with every answer (the security headers) */
    http_add_header(c->r, "Cache-Control", "private, no-store");
    return http_respond_file(c->r, fd, "application/pdf", (uint64_t)st.st_size) ? -1 : 0;
}

int web_call_app_decide(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    const char *decision = form_str(c, "decision");
    const char *amount_raw = form_str(c, "amount");
    const char *reason = form_str(c, "reason");
    struct err e = {0};
    int64_t amount = 0;
    int accept = !strcmp(decision, "accepted");
    if (!accept && strcmp(decision, "declined")) {
        if (!call_can_manage(web_viewer(c), app.coordination_id))
            return web_error(c, 403,
                             N_("Seuls les coordinateurs de la coordination de l'appel peuvent "
                                "statuer sur ses candidatures."));
        err_set(&e, 422, "Choisissez la décision : acceptée ou refusée.");
        return refused(c, &e, amount_raw, reason);
    }
    if (accept && (web_call_parse_amount(amount_raw, &amount) || !*amount_raw))
        amount = 0; /* call_app_decide refuses it with its message */
    int over = 0;
    if (call_app_decide(web_db(c), &c->user, app.id, accept, amount, reason, &over, &e))
        return refused(c, &e, amount_raw, reason);
    web_flash(c, over ? N_("Décision enregistrée. Attention : les montants accordés dépassent "
                           "l'enveloppe de l'appel.")
                      : N_("Décision enregistrée."));
    return web_redirect(c, app_url(c, app.id));
}

int web_call_app_action(struct ctx *c)
{
    struct call_app app;
    int rc;
    if (web_call_app_load(c, 0, &app, &rc))
        return rc;
    struct err e = {0};
    int64_t id;
    if (call_app_to_action(web_db(c), &c->user, app.id, &id, &e))
        return web_err(c, &e);
    web_flash(c, N_("Action créée à partir de la candidature"));
    return web_redirect(c, arena_printf(c->a, "/actions/%lld/modifier", (long long)id));
}
