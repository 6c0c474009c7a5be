/* web/moderation: "signaler" (the report form anyone may fill in about what they can see, and
 * POST /api/v1/reports) and the moderation page of supervisors and coordinators: entries and
 * comments waiting for approval, open reports to close (and GET /api/v1/moderation). */
#include "web/handlers.h"
#include "comment.h"
#include "consent.h"
#include "report.h"
#include "web/user.h"

#include <string.h>
#include <time.h>

static const char *const TARGET_NOT_FOUND = N_("Contenu introuvable.");

/* Where the reported content is shown. */
static const char *target_url(struct ctx *c, enum report_kind k, int64_t id, const char *slug,
                              int64_t entry_id)
{
    switch (k) {
    case REPORT_ENTRY:
        return arena_printf(c->a, "/groupes/%s/carnet/%lld", slug, (long long)id);
    case REPORT_COMMENT:
        return arena_printf(c->a, "/groupes/%s/carnet/%lld#commentaire-%lld", slug,
                            (long long)entry_id, (long long)id);
    case REPORT_PHOTO:
        return arena_printf(c->a, "/groupes/%s/carnet/%lld/photos/%lld", slug, (long long)entry_id,
                            (long long)id);
    case REPORT_GROUP:
        break;
    }
    return arena_printf(c->a, "/groupes/%s", slug);
}

static const char *kind_label(struct ctx *c, enum report_kind k)
{
    switch (k) {
    case REPORT_ENTRY:
        return web_t(c, "Entrée du carnet");
    case REPORT_COMMENT:
        return web_t(c, "Commentaire");
    case REPORT_PHOTO:
        return web_t(c, "Photo");
    case REPORT_GROUP:
        break;
    }
    return web_t(c, "Page du groupe");
}

static const char *reason_label(struct ctx *c, const char *code)
{
    const char *l = report_reason_label(code);
    return l ? web_t(c, l) : code;
}

/* ---- the report form ---- */

/* What the form says is being reported. */
static const char *intro(struct ctx *c, const struct report_target *t)
{
    switch (t->kind) {
    case REPORT_ENTRY:
        return web_tf(c, "Vous signalez l'entrée « %s » du carnet de « %s ».", t->entry_title,
                      t->group_title);
    case REPORT_COMMENT:
        return web_tf(c, "Vous signalez un commentaire de l'entrée « %s » du carnet de « %s ».",
                      t->entry_title, t->group_title);
    case REPORT_PHOTO:
        return web_tf(c, "Vous signalez une photo de l'entrée « %s » du carnet de « %s ».",
                      t->entry_title, t->group_title);
    case REPORT_GROUP:
        break;
    }
    return web_tf(c, "Vous signalez la page du groupe « %s ».", t->group_title);
}

static int form_page(struct ctx *c, int status, const struct report_target *t, const char *reason,
                     const char *note, const struct err *e)
{
    web_csrf(c); /* anonymous visitors may report too: their form needs a token */
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string(report_kind_name(t->kind)));
    json_object_set_new(m, "id", json_integer(t->id));
    json_object_set_new(m, "intro", web_str(intro(c, t)));
    json_object_set_new(m, "back_url",
                        web_str(target_url(c, t->kind, t->id, t->group_slug, t->entry_id)));
    json_t *rs = json_array();
    for (const struct report_reason *r = report_reasons; r->code; r++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(r->code));
        json_object_set_new(o, "label", web_str(web_t(c, r->label)));
        json_object_set_new(o, "checked", json_boolean(reason && !strcmp(reason, r->code)));
        json_array_append_new(rs, o);
    }
    json_object_set_new(m, "reasons", rs);
    json_object_set_new(m, "note", web_str(note));
    json_object_set_new(m, "note_hint",
                        web_str(web_tf(c,
                                       "Facultatif, %d caractères au plus. N'y écrivez pas "
                                       "d'informations personnelles.",
                                       REPORT_NOTE_MAX)));
    json_t *errs = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(errs, e->field, web_str(e->msg));
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status) {
        json_object_set_new(m, "error", web_str(e->msg));
    }
    json_object_set_new(m, "errors", errs);
    return web_page(c, status, "report/form", m);
}

/* The target named by type and id, if the visitor may see it; the 404 otherwise. */
static int load_target(struct ctx *c, const char *type, const char *id_s, struct report_target *t,
                       int *rc)
{
    enum report_kind k;
    int64_t id;
    struct err e = {0};
    if (report_kind_parse(type, &k) || web_parse_id(id_s, &id) ||
        report_resolve(web_db(c), c->a, web_viewer(c), k, id, t, &e)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, TARGET_NOT_FOUND);
        return -1;
    }
    return 0;
}

int web_report_form(struct ctx *c)
{
    struct report_target t;
    int rc;
    if (load_target(c, http_query(c->r, "type"), http_query(c->r, "id"), &t, &rc))
        return rc;
    return form_page(c, 200, &t, NULL, NULL, NULL);
}

int web_report_create(struct ctx *c)
{
    struct report_target t;
    int rc;
    const char *type = http_form(c->r, "type");
    if (load_target(c, type, http_form(c->r, "id"), &t, &rc))
        return rc;
    struct report_input in = {.kind = type,
                              .id = t.id,
                              .reason = http_form(c->r, "reason"),
                              .note = http_form(c->r, "note")};
    struct err e = {0};
    int64_t id;
    if (report_create(web_db(c), web_viewer(c), c->r->addr, &in, (int64_t)time(NULL), &id, &e)) {
        if (e.status == 422 || e.status == 429)
            return form_page(c, e.status, &t, in.reason, in.note, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Merci : votre signalement a été transmis à l'équipe de modération du groupe.");
    return web_redirect(c, target_url(c, t.kind, t.id, t.group_slug, t.entry_id));
}

int web_api_report_create(struct ctx *c)
{
    int rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct report_input in = {0};
    const char *const strings[] = {"type", "reason", "note"};
    const char **dest[] = {&in.kind, &in.reason, &in.note};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, strings[i]);
        if (json_is_string(v))
            *dest[i] = json_string_value(v);
        else if (v && !(i == 2 && json_is_null(v)))
            json_object_set_new(fields, strings[i],
                                web_str(web_t(c, "Ce champ doit être une chaîne de caractères.")));
    }
    json_t *id = json_object_get(body, "id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        json_object_set_new(fields, "id",
                            web_str(web_t(c, "Indiquez le numéro de ce que vous signalez.")));
    else
        in.id = json_integer_value(id);
    if (json_object_size(fields)) {
        json_decref(body);
        return web_problem_fields(c, 422, "Certains champs sont invalides.", fields);
    }
    json_decref(fields);
    struct err e = {0};
    int64_t rid;
    int failed =
        report_create(web_db(c), web_viewer(c), c->r->addr, &in, (int64_t)time(NULL), &rid, &e);
    json_decref(body); /* in's strings point into it until here */
    if (failed)
        return web_err(c, &e);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(rid));
    json_object_set_new(o, "status", json_string("open"));
    return web_json(c, 202, o);
}

/* ---- the moderation queue ---- */

struct queue {
    struct report_pending_entry *entries;
    int nentries;
    int64_t tentries;
    struct comment *comments;
    int ncomments;
    int64_t tcomments;
    struct report_item *reports;
    int nreports;
    int64_t treports;
};

static int load_queue(struct ctx *c, struct queue *q, struct err *e)
{
    memset(q, 0, sizeof *q);
    struct db *db = web_db(c);
    if (report_pending_entries(db, c->a, &c->user, &q->entries, &q->nentries, &q->tentries, e) ||
        comment_queue(db, c->a, &c->user, &q->comments, &q->ncomments, &q->tcomments, e) ||
        report_queue(db, c->a, &c->user, &q->reports, &q->nreports, &q->treports, e))
        return -1;
    return 0;
}

/* A section of the page: its heading with the count, its items, a note when some are left out
 * (the oldest REPORT_QUEUE_MAX come first). */
static json_t *section(struct ctx *c, const char *heading, json_t *items, int n, int64_t total)
{
    json_t *o = json_object();
    json_object_set_new(o, "heading", web_str(heading));
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "has_items", json_boolean(n > 0));
    json_object_set_new(o, "more",
                        web_str(total > n ? web_tf(c,
                                                   "Les %d plus anciens sont affichés "
                                                   "sur %lld.",
                                                   n, (long long)total)
                                          : ""));
    return o;
}

static const char *scope_label(struct ctx *c)
{
    if (c->user.role == ROLE_ADMIN)
        return web_t(c, "Tous les groupes d'atelier.");
    if (c->user.role == ROLE_COORDINATOR)
        return web_t(c, "Les groupes d'atelier de votre coordination et ceux que vous encadrez.");
    return web_t(c, "Les groupes d'atelier que vous encadrez.");
}

/* The page; closing report err_id failed with e (its form shows the error and the note). */
static int moderation_page(struct ctx *c, int status, int64_t err_id, const char *resolution,
                           const struct err *fe)
{
    struct queue q;
    struct err e = {0};
    if (load_queue(c, &q, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "scope", web_str(scope_label(c)));

    json_t *arr = json_array();
    for (int i = 0; i < q.nentries; i++) {
        const struct report_pending_entry *p = &q.entries[i];
        json_t *o = json_object();
        const char *url =
            arena_printf(c->a, "/groupes/%s/carnet/%lld", p->group_slug, (long long)p->id);
        json_object_set_new(o, "title", web_str(p->title));
        json_object_set_new(o, "url", web_str(url));
        json_object_set_new(o, "group_title", web_str(p->group_title));
        json_object_set_new(o, "group_url",
                            web_str(arena_printf(c->a, "/groupes/%s", p->group_slug)));
        json_object_set_new(
            o, "author", web_str(*p->author_name ? p->author_name : web_t(c, "Compte supprimé")));
        json_object_set_new(o, "date", web_str(web_day_str(c, p->entry_date)));
        json_object_set_new(o, "approve_action", web_str(arena_printf(c->a, "%s/approuver", url)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(
        m, "entries",
        section(c, web_tf(c, "Entrées en attente d'approbation (%lld)", (long long)q.tentries), arr,
                q.nentries, q.tentries));

    arr = json_array();
    for (int i = 0; i < q.ncomments; i++) {
        const struct comment *cm = &q.comments[i];
        json_t *o = json_object();
        const char *entry =
            arena_printf(c->a, "/groupes/%s/carnet/%lld", cm->group_slug, (long long)cm->entry_id);
        const char *base = arena_printf(c->a, "%s/commentaires/%lld", entry, (long long)cm->id);
        json_object_set_new(
            o, "author", web_str(*cm->author_name ? cm->author_name : web_t(c, "Compte supprimé")));
        json_object_set_new(o, "lines", web_comment_lines(cm->body));
        json_object_set_new(o, "entry_title", web_str(cm->entry_title));
        json_object_set_new(
            o, "url", web_str(arena_printf(c->a, "%s#commentaire-%lld", entry, (long long)cm->id)));
        json_object_set_new(o, "group_title", web_str(cm->group_title));
        json_object_set_new(o, "date", web_str(user_human_date(c, cm->created_at, 1)));
        json_object_set_new(o, "approve_action", web_str(arena_printf(c->a, "%s/approuver", base)));
        json_object_set_new(o, "hide_action", web_str(arena_printf(c->a, "%s/masquer", base)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(
        m, "comments",
        section(c,
                web_tf(c, "Commentaires en attente d'approbation (%lld)", (long long)q.tcomments),
                arr, q.ncomments, q.tcomments));

    arr = json_array();
    for (int i = 0; i < q.nreports; i++) {
        const struct report_item *r = &q.reports[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(r->id));
        json_object_set_new(o, "kind", web_str(kind_label(c, r->kind)));
        json_object_set_new(o, "entry_title", web_str(r->entry_title));
        json_object_set_new(
            o, "url", web_str(target_url(c, r->kind, r->target_id, r->group_slug, r->entry_id)));
        json_object_set_new(o, "group_title", web_str(r->group_title));
        json_object_set_new(o, "reason", web_str(reason_label(c, r->reason)));
        json_object_set_new(o, "has_note", json_boolean(*r->note));
        json_object_set_new(o, "note_lines", web_comment_lines(r->note));
        json_object_set_new(o, "date", web_str(user_human_date(c, r->created_at, 1)));
        json_object_set_new(
            o, "close_action",
            web_str(arena_printf(c->a, "/moderation/signalements/%lld/clore", (long long)r->id)));
        int failed = err_id == r->id && fe && fe->status;
        json_object_set_new(o, "error", web_str(failed ? fe->msg : ""));
        json_object_set_new(o, "resolution", web_str(failed ? resolution : ""));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "reports",
                        section(c, web_tf(c, "Signalements ouverts (%lld)", (long long)q.treports),
                                arr, q.nreports, q.treports));
    json_object_set_new(
        m, "resolution_hint",
        web_str(web_tf(c, "Facultatif, %d caractères au plus.", REPORT_RESOLUTION_MAX)));
    return web_page(c, status, "moderation/index", m);
}

int web_moderation(struct ctx *c)
{
    return moderation_page(c, 200, 0, NULL, NULL);
}

int web_report_close(struct ctx *c)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Signalement introuvable.");
    const char *resolution = http_form(c->r, "resolution");
    struct err e = {0};
    if (report_close(web_db(c), &c->user, id, resolution, &e)) {
        if (e.status == 422)
            return moderation_page(c, 422, id, resolution, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Signalement clos.");
    return web_redirect(c, "/moderation");
}

/* ---- the queue as JSON ---- */

static json_t *group_ref(const char *slug, const char *title)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", web_str(slug));
    json_object_set_new(o, "title", web_str(title));
    return o;
}

static json_t *api_section(json_t *items, int64_t total)
{
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "items", items);
    return o;
}

int web_api_moderation(struct ctx *c)
{
    struct queue q;
    struct err e = {0};
    if (load_queue(c, &q, &e))
        return web_err(c, &e);
    json_t *body = json_object();

    json_t *arr = json_array();
    for (int i = 0; i < q.nentries; i++) {
        const struct report_pending_entry *p = &q.entries[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(p->id));
        json_object_set_new(o, "title", web_str(p->title));
        json_object_set_new(o, "url",
                            web_str(arena_printf(c->a, "/groupes/%s/carnet/%lld", p->group_slug,
                                                 (long long)p->id)));
        json_object_set_new(o, "group", group_ref(p->group_slug, p->group_title));
        json_object_set_new(o, "author", web_str(p->author_name));
        json_object_set_new(o, "date", web_str(web_day_str(c, p->entry_date)));
        json_object_set_new(o, "created_at", web_str(user_iso_utc(c, p->created_at)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(body, "entries", api_section(arr, q.tentries));

    arr = json_array();
    for (int i = 0; i < q.ncomments; i++) {
        const struct comment *cm = &q.comments[i];
        struct group g = {.id = cm->group_id, .slug = cm->group_slug, .title = cm->group_title};
        json_t *o = web_comment_api_json(c, &g, cm);
        json_object_set_new(o, "entry_title", web_str(cm->entry_title));
        json_object_set_new(o, "group", group_ref(cm->group_slug, cm->group_title));
        json_array_append_new(arr, o);
    }
    json_object_set_new(body, "comments", api_section(arr, q.tcomments));

    arr = json_array();
    for (int i = 0; i < q.nreports; i++) {
        const struct report_item *r = &q.reports[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(r->id));
        json_object_set_new(o, "type", json_string(report_kind_name(r->kind)));
        json_object_set_new(o, "target_id", json_integer(r->target_id));
        json_object_set_new(o, "entry_id", r->entry_id ? json_integer(r->entry_id) : json_null());
        json_object_set_new(
            o, "url", web_str(target_url(c, r->kind, r->target_id, r->group_slug, r->entry_id)));
        json_object_set_new(o, "group", group_ref(r->group_slug, r->group_title));
        json_object_set_new(o, "reason", web_str(r->reason));
        json_object_set_new(o, "note", web_str(r->note));
        json_object_set_new(o, "created_at", web_str(user_iso_utc(c, r->created_at)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(body, "reports", api_section(arr, q.treports));
    return web_json(c, 200, body);
}
