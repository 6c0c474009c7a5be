/* web/comment: the comments of a logbook entry: the part of the entry page that lists them with
 * the form to write one, the moderation buttons (approve, hide, show again), and the comments
 * API (/api/v1/entries/{id}/comments, /api/v1/comments/{id}). Rules live in src/comment.c. */
#include "web/handlers.h"
#include "comment.h"
#include "group.h"
#include "logbook.h"
#include "visibility.h"
#include "web/user.h"

#include <stdio.h>
#include <string.h>

static const char *const COMMENT_NOT_FOUND = N_("Commentaire introuvable.");
static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");

/* A comment form refused with a 422: web_comment_create renders the entry page again through
 * web_logbook_entry, whose call to web_comment_model finds the text and the error here. One
 * request at a time per thread, so a thread-local slot is enough. */
struct refused_form {
    const char *body;
    const struct err *e;
};
static _Thread_local const struct refused_form *refused;

static const char *entry_url(struct ctx *c, const struct group *g, int64_t entry_id)
{
    return arena_printf(c->a, "/groupes/%s/carnet/%lld", g->slug, (long long)entry_id);
}

/* The label of a comment's author for this viewer. */
static const char *author_label(struct ctx *c, const struct comment *cm)
{
    if (cm->author_masked)
        return web_t(c, "Un participant");
    if (!cm->author_user_id || !*cm->author_name)
        return web_t(c, "Compte supprimé");
    return cm->author_name;
}

json_t *web_comment_lines(const char *s)
{
    json_t *arr = json_array();
    int first = 1;
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n && s[n - 1] == '\r')
            n--;
        json_t *o = json_object();
        json_t *t = json_stringn(s, n);
        json_object_set_new(o, "text", t ? t : json_string(""));
        json_object_set_new(o, "first", json_boolean(first));
        json_array_append_new(arr, o);
        first = 0;
        if (!nl)
            break;
        s = nl + 1;
    }
    return arr;
}

/* ---- the entry page's comments ---- */

static json_t *item_json(struct ctx *c, const struct group *g, const struct comment *cm, int manage)
{
    json_t *o = json_object();
    const char *base = arena_printf(c->a, "%s/commentaires/%lld", entry_url(c, g, cm->entry_id),
                                    (long long)cm->id);
    json_object_set_new(o, "id", json_integer(cm->id));
    json_object_set_new(o, "anchor",
                        web_str(arena_printf(c->a, "commentaire-%lld", (long long)cm->id)));
    json_object_set_new(o, "author", web_str(author_label(c, cm)));
    json_object_set_new(o, "masked", json_boolean(cm->author_masked));
    json_object_set_new(o, "lines", web_comment_lines(cm->body));
    json_object_set_new(o, "date", web_str(user_human_date(c, cm->created_at, 1)));
    json_object_set_new(o, "iso", web_str(user_iso_utc(c, cm->created_at)));
    json_object_set_new(o, "pending", json_boolean(!cm->published));
    json_object_set_new(o, "hidden", json_boolean(cm->hidden_at != 0));
    json_object_set_new(
        o, "hidden_label",
        web_str(cm->hidden_at
                    ? web_tf(c, "Masqué par %s",
                             *cm->hidden_by_name ? cm->hidden_by_name : web_t(c, "Compte supprimé"))
                    : ""));
    json_object_set_new(o, "can_approve", json_boolean(manage && !cm->published));
    json_object_set_new(o, "can_hide", json_boolean(manage && !cm->hidden_at));
    json_object_set_new(o, "can_show", json_boolean(manage && cm->hidden_at));
    json_object_set_new(o, "approve_action", web_str(arena_printf(c->a, "%s/approuver", base)));
    json_object_set_new(o, "hide_action", web_str(arena_printf(c->a, "%s/masquer", base)));
    json_object_set_new(o, "show_action", web_str(arena_printf(c->a, "%s/afficher", base)));
    /* only what everyone who sees the entry may see can be reported */
    json_object_set_new(
        o, "report_url",
        web_str(cm->published && !cm->hidden_at
                    ? arena_printf(c->a, "/signaler?type=comment&id=%lld", (long long)cm->id)
                    : ""));
    return o;
}

static const char *count_heading(struct ctx *c, int n)
{
    if (n == 0)
        return web_t(c, "Commentaires");
    if (n == 1)
        return web_t(c, "1 commentaire");
    return web_tf(c, "%d commentaires", n);
}

int web_comment_model(struct ctx *c, json_t *m, const struct group *g,
                      const struct logbook_entry *en)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct comment *items;
    int n = 0;
    json_t *o = json_object();
    if (comment_list(db, c->a, web_viewer(c), g, en, &items, &n, &e)) {
        /* the entry itself may be shown: show it without its comments, and say why in the log */
        if (e.status >= 500)
            fprintf(stderr, "lanterne: comments of entry %lld: %s\n", (long long)en->id, e.msg);
        n = 0;
    }
    int manage = web_viewer(c) && group_can_manage(db, &c->user, g);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, item_json(c, g, &items[i], manage));
    json_object_set_new(o, "items", arr);
    json_object_set_new(o, "has_items", json_boolean(n > 0));
    json_object_set_new(o, "heading", web_str(count_heading(c, n)));
    const char *url = entry_url(c, g, en->id);
    json_object_set_new(
        o, "report_url",
        web_str(en->published && !en->deleted_at
                    ? arena_printf(c->a, "/signaler?type=entry&id=%lld", (long long)en->id)
                    : ""));
    /* every key is set, so that none is looked up in the page around the partial */
    int can_comment = web_viewer(c) && !en->deleted_at;
    const char *login = "";
    if (!web_viewer(c)) {
        struct buf next;
        buf_init(&next, 0);
        buf_puts(&next, "/connexion?next=");
        buf_url(&next, url, (size_t)-1);
        login = arena_strdup(c->a, buf_cstr(&next));
        buf_free(&next);
    }
    json_object_set_new(o, "login_url", web_str(login));
    json_object_set_new(o, "can_comment", json_boolean(can_comment));
    json_object_set_new(o, "action", web_str(arena_printf(c->a, "%s/commentaires", url)));
    /* members who do not manage the group are its participants */
    int waits =
        can_comment && g->require_comment_approval && !manage && group_is_member(db, &c->user, g);
    json_object_set_new(o, "waits_approval", json_boolean(waits));
    json_object_set_new(o, "max_label",
                        web_str(web_tf(c, "%d caractères au plus.", COMMENT_BODY_MAX)));
    json_object_set_new(o, "body", web_str(refused ? refused->body : ""));
    json_object_set_new(o, "error", web_str(refused ? refused->e->msg : ""));
    json_object_set_new(m, "comments", o);
    return refused ? refused->e->status : 200;
}

/* ---- writing and moderating ---- */

int web_comment_create(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (web_logbook_load(c, &g, &en, &rc))
        return rc;
    const char *body = http_form(c->r, "body");
    struct err e = {0};
    int64_t id;
    int pending = 0;
    if (comment_create(web_db(c), &c->user, &g, &en, body, &id, &pending, &e)) {
        if (e.status != 422)
            return web_err(c, &e);
        struct refused_form f = {.body = body ? body : "", .e = &e};
        refused = &f;
        rc = web_logbook_entry(c);
        refused = NULL;
        return rc;
    }
    web_flash(c, pending ? N_("Commentaire enregistré : il sera visible une fois approuvé par "
                              "un encadrant du groupe.")
                         : N_("Commentaire publié."));
    return web_redirect(
        c, arena_printf(c->a, "%s#commentaire-%lld", entry_url(c, &g, en.id), (long long)id));
}

/* Where a moderation button sends back: the page it was pressed on (a local path in the form's
 * "next"), else the comment on its entry page. */
static int back(struct ctx *c, const struct group *g, const struct logbook_entry *en, int64_t id)
{
    const char *next = http_form(c->r, "next");
    if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\')
        return web_redirect(c, next);
    return web_redirect(
        c, arena_printf(c->a, "%s#commentaire-%lld", entry_url(c, g, en->id), (long long)id));
}

/* The entry of {slug}/{id} and comment {cid} on it: 404 unless it is that entry's and the
 * viewer may see it (a manager sees them all). */
static int load_comment(struct ctx *c, struct group *g, struct logbook_entry *en,
                        struct comment *cm, int *rc)
{
    if (web_logbook_load(c, g, en, rc))
        return -1;
    int64_t cid;
    struct err e = {0};
    if (web_parse_id(web_param(c, 2), &cid) || comment_get(web_db(c), c->a, cid, cm, &e) ||
        !comment_can_see(web_db(c), web_viewer(c), g, en, cm)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, COMMENT_NOT_FOUND);
        return -1;
    }
    return 0;
}

static int moderate(struct ctx *c, int action)
{
    struct group g;
    struct logbook_entry en;
    struct comment cm;
    int rc;
    if (load_comment(c, &g, &en, &cm, &rc))
        return rc;
    struct err e = {0};
    int r = action == 'a' ? comment_approve(web_db(c), &c->user, &g, cm.id, &e)
                          : comment_set_hidden(web_db(c), &c->user, &g, cm.id, action == 'h', &e);
    if (r)
        return web_err(c, &e);
    web_flash(c, action == 'a'   ? N_("Commentaire approuvé.")
                 : action == 'h' ? N_("Commentaire masqué : seuls les encadrants le voient encore.")
                                 : N_("Commentaire de nouveau visible."));
    return back(c, &g, &en, cm.id);
}

int web_comment_hide(struct ctx *c)
{
    return moderate(c, 'h');
}

int web_comment_show(struct ctx *c)
{
    return moderate(c, 's');
}

int web_comment_approve(struct ctx *c)
{
    return moderate(c, 'a');
}

/* ---- API ---- */

json_t *web_comment_api_json(struct ctx *c, const struct group *g, const struct comment *cm)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(cm->id));
    json_object_set_new(o, "entry_id", json_integer(cm->entry_id));
    json_object_set_new(o, "url",
                        web_str(arena_printf(c->a, "%s#commentaire-%lld",
                                             entry_url(c, g, cm->entry_id), (long long)cm->id)));
    /* as the entries API does: both null when the author is not to be named to the caller */
    json_t *au = json_object();
    int named = !cm->author_masked && cm->author_user_id && *cm->author_name;
    json_object_set_new(au, "id", named ? json_integer(cm->author_user_id) : json_null());
    json_object_set_new(au, "name", named ? web_str(cm->author_name) : json_null());
    json_object_set_new(o, "author", au);
    json_object_set_new(o, "body", web_str(cm->body));
    json_object_set_new(o, "status", json_string(cm->published ? "published" : "pending"));
    json_object_set_new(o, "hidden", json_boolean(cm->hidden_at != 0));
    json_object_set_new(o, "hidden_by",
                        cm->hidden_at && *cm->hidden_by_name ? web_str(cm->hidden_by_name)
                                                             : json_null());
    json_object_set_new(o, "created_at", web_str(user_iso_utc(c, cm->created_at)));
    return o;
}

/* The entry of the {id} parameter if the caller may read it (404 otherwise). */
static int api_entry(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id)) {
        *rc = web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    return web_entry_load_id(c, id, g, en, rc);
}

/* The comment of the {id} parameter, its entry and group, if the caller may read it (404). */
static int api_comment(struct ctx *c, struct group *g, struct logbook_entry *en, struct comment *cm,
                       int *rc)
{
    int64_t id;
    struct err e = {0};
    struct db *db = web_db(c);
    if (web_parse_id(web_param(c, 0), &id) || comment_get(db, c->a, id, cm, &e) ||
        logbook_get_by_id(db, c->a, cm->entry_id, g, en, &e) ||
        !visibility_can_see_group(db, web_viewer(c), g) ||
        !comment_can_see(db, web_viewer(c), g, en, cm)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, COMMENT_NOT_FOUND);
        return -1;
    }
    comment_name_for(db, web_viewer(c), g, cm);
    return 0;
}

/* Answers with comment id as stored now, named for the caller. */
static int api_answer(struct ctx *c, int status, const struct group *g, int64_t id)
{
    struct comment cm;
    struct err e = {0};
    if (comment_get(web_db(c), c->a, id, &cm, &e))
        return web_err(c, &e);
    comment_name_for(web_db(c), web_viewer(c), g, &cm);
    return web_json(c, status, web_comment_api_json(c, g, &cm));
}

int web_api_comment_list(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (api_entry(c, &g, &en, &rc))
        return rc;
    struct comment *items;
    int n;
    struct err e = {0};
    if (comment_list(web_db(c), c->a, web_viewer(c), &g, &en, &items, &n, &e))
        return web_err(c, &e);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, web_comment_api_json(c, &g, &items[i]));
    json_t *body = json_object();
    json_object_set_new(body, "items", arr);
    return web_json(c, 200, body);
}

int web_api_comment_create(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (api_entry(c, &g, &en, &rc))
        return rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *v = json_object_get(body, "body");
    if (v && !json_is_string(v)) {
        json_decref(body);
        json_t *f = json_object();
        json_object_set_new(f, "body",
                            web_str(web_t(c, "Ce champ doit être une chaîne de "
                                             "caractères.")));
        return web_problem_fields(c, 422, "Certains champs sont invalides.", f);
    }
    struct err e = {0};
    int64_t id;
    int failed = comment_create(web_db(c), &c->user, &g, &en, v ? json_string_value(v) : NULL, &id,
                                NULL, &e);
    json_decref(body);
    if (failed)
        return web_err(c, &e);
    http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/comments/%lld", (long long)id));
    return api_answer(c, 201, &g, id);
}

int web_api_comment_get(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct comment cm;
    int rc;
    if (api_comment(c, &g, &en, &cm, &rc))
        return rc;
    return web_json(c, 200, web_comment_api_json(c, &g, &cm));
}

int web_api_comment_hide(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct comment cm;
    int rc;
    if (api_comment(c, &g, &en, &cm, &rc))
        return rc;
    /* {"hidden": false} shows the comment again; no body (or {}) hides it */
    int hide = 1;
    if (c->r->body.len) {
        json_t *body = web_json_body(c, &rc);
        if (!body)
            return rc;
        json_t *v = json_object_get(body, "hidden");
        if (v && !json_is_boolean(v)) {
            json_decref(body);
            json_t *f = json_object();
            json_object_set_new(f, "hidden",
                                web_str(web_t(c, "Ce champ doit valoir true ou false.")));
            return web_problem_fields(c, 422, "Certains champs sont invalides.", f);
        }
        hide = !v || json_is_true(v);
        json_decref(body);
    }
    struct err e = {0};
    if (comment_set_hidden(web_db(c), &c->user, &g, cm.id, hide, &e))
        return web_err(c, &e);
    return api_answer(c, 200, &g, cm.id);
}

int web_api_comment_approve(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct comment cm;
    int rc;
    if (api_comment(c, &g, &en, &cm, &rc))
        return rc;
    struct err e = {0};
    if (comment_approve(web_db(c), &c->user, &g, cm.id, &e))
        return web_err(c, &e);
    return api_answer(c, 200, &g, cm.id);
}
