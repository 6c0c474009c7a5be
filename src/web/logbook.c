/* web/logbook: a group's logbook pages: the entries the viewer may read with the form to write
 * one, an entry, its edit form, approval, deletion (confirmed, undoable) and history. */
#include "web/handlers.h"
#include "consent.h"
#include "group.h"
#include "logbook.h"
#include "visibility.h"

#include <string.h>
#include <time.h>

static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");

static const char *time_str(struct ctx *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!localtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm))
        return "";
    return arena_strdup(c->a, buf);
}

static const char *entry_url(struct ctx *c, const struct group *g, int64_t id, const char *suffix)
{
    return arena_printf(c->a, "/groupes/%s/carnet/%lld%s", g->slug, (long long)id,
                        suffix ? suffix : "");
}

/* load_group, then the entry of the {id} segment if the viewer may read it (404 otherwise,
 * whether it does not exist or is hidden). */
static int load_entry(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    if (web_group_load(c, g, rc))
        return -1;
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, 1), &id) || logbook_get(web_db(c), c->a, g, id, en, &e) ||
        !logbook_can_see(web_db(c), web_viewer(c), g, en)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    return 0;
}

int web_entry_load_id(struct ctx *c, int64_t id, struct group *g, struct logbook_entry *en, int *rc)
{
    struct db *db = web_db(c);
    struct err e = {0};
    if (logbook_get_by_id(db, c->a, id, g, en, &e) ||
        !visibility_can_see_group(db, web_viewer(c), g) ||
        !logbook_can_see(db, web_viewer(c), g, en)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    return 0;
}

int web_logbook_load(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    return load_entry(c, g, en, rc);
}

static json_t *group_json(const struct group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", web_str(g->slug));
    json_object_set_new(o, "title", web_str(g->title));
    json_object_set_new(o, "is_protected", json_boolean(g->is_protected));
    return o;
}

/* Young people's names stay inside the group's circle: outside it, the author of an entry is
 * named only when their account is a supervisor's or above. */
static const char *author_name(struct ctx *c, const struct group *g, const struct logbook_entry *en)
{
    struct db *db = web_db(c);
    if (visibility_can_see_names(db, web_viewer(c), g))
        return en->author_name;
    struct account u;
    struct err e = {0};
    if (en->author_user_id > 0 && account_get(db, c->a, en->author_user_id, &u, &e) == 0 &&
        u.role >= ROLE_SUPERVISOR)
        return en->author_name;
    return web_t(c, N_("Un participant"));
}

static json_t *entry_json(struct ctx *c, const struct group *g, const struct logbook_entry *en,
                          int body)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(en->id));
    json_object_set_new(o, "url", web_str(entry_url(c, g, en->id, NULL)));
    json_object_set_new(o, "title", web_str(en->title));
    json_object_set_new(o, "date", web_str(web_day_str(c, en->entry_date)));
    json_object_set_new(o, "author", web_str(author_name(c, g, en)));
    json_object_set_new(o, "visibility_label",
                        web_str(web_t(c, visibility_level_label(en->visibility))));
    json_object_set_new(o, "pending", json_boolean(!en->published));
    json_object_set_new(o, "deleted", json_boolean(en->deleted_at != 0));
    if (body)
        json_object_set_new(o, "body_html", web_str(logbook_render_md(c->a, en->body_md)));
    return o;
}

/* The visibility options, the selected one marked; a protected group offers only "group". */
static json_t *vis_options(struct ctx *c, const struct group *g, const char *sel)
{
    json_t *arr = json_array();
    for (enum vis_level l = VIS_GROUP; l <= VIS_PUBLIC; l++) {
        if (g->is_protected && l > VIS_GROUP)
            break;
        const char *name = visibility_level_name(l);
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(name));
        json_object_set_new(o, "label", web_str(web_t(c, visibility_level_label(l))));
        json_object_set_new(o, "selected",
                            json_boolean(sel && *sel ? !strcmp(sel, name) : l == VIS_GROUP));
        json_array_append_new(arr, o);
    }
    return arr;
}

static void set_form(struct ctx *c, json_t *m, const struct group *g,
                     const struct logbook_input *in, const struct err *e)
{
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in ? in->title : ""));
    json_object_set_new(v, "body_md", web_str(in ? in->body_md : ""));
    json_object_set_new(v, "entry_date",
                        web_str(in && in->entry_date && *in->entry_date
                                    ? in->entry_date
                                    : web_day_str(c, consent_today())));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "visibilities", vis_options(c, g, in ? in->visibility : NULL));
    json_t *errs = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(errs, e->field, json_string(e->msg));
        json_object_set_new(m, "field_error", json_string(e->field));
        json_object_set_new(m, "field_message", json_string(e->msg));
    } else if (e && e->status) {
        json_object_set_new(m, "error", json_string(e->msg));
    }
    json_object_set_new(m, "errors", errs);
}

static void read_form(struct ctx *c, struct logbook_input *in)
{
    in->title = http_form(c->r, "title");
    in->body_md = http_form(c->r, "body_md");
    in->visibility = http_form(c->r, "visibility");
    in->entry_date = http_form(c->r, "entry_date");
}

/* ---- the logbook ---- */

static int book_page(struct ctx *c, int status, const struct group *g,
                     const struct logbook_input *in, const struct err *fe)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct logbook_entry *items;
    int n;
    if (logbook_list(db, c->a, web_viewer(c), g, &items, &n, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(g));
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = entry_json(c, g, &items[i], 1);
        web_photos_model(c, o, g, &items[i]);
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "entries", arr);
    json_object_set_new(m, "has_entries", json_boolean(n > 0));
    int can_write = logbook_can_write(db, web_viewer(c), g);
    json_object_set_new(m, "can_write", json_boolean(can_write));
    json_object_set_new(m, "can_publish",
                        json_boolean(can_write && group_can_manage(db, &c->user, g)));
    if (can_write)
        set_form(c, m, g, in, fe);
    return web_page(c, status, "logbook/index", m);
}

int web_logbook_show(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load(c, &g, &rc))
        return rc;
    web_showcase_group(c, &g);
    return book_page(c, 200, &g, NULL, NULL);
}

int web_logbook_create(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load(c, &g, &rc))
        return rc;
    struct logbook_input in;
    read_form(c, &in);
    struct err e = {0};
    int64_t id;
    if (logbook_create(web_db(c), &c->user, &g, &in, &id, &e)) {
        if (e.status == 422)
            return book_page(c, 422, &g, &in, &e);
        return web_err(c, &e);
    }
    web_flash(
        c, group_can_manage(web_db(c), &c->user, &g)
               ? N_("Entrée publiée.")
               : N_("Entrée enregistrée : elle sera visible une fois approuvée par un encadrant."));
    return web_redirect(c, entry_url(c, &g, id, NULL));
}

/* ---- one entry ---- */

int web_logbook_entry(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct db *db = web_db(c);
    int manage = web_viewer(c) && group_can_manage(db, &c->user, &g);
    int edit = logbook_can_edit(db, web_viewer(c), &g, &en);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(&g));
    json_object_set_new(m, "e", entry_json(c, &g, &en, 1));
    json_object_set_new(m, "can_edit", json_boolean(edit && !en.deleted_at));
    json_object_set_new(m, "can_approve", json_boolean(manage && !en.published && !en.deleted_at));
    json_object_set_new(m, "can_history", json_boolean(manage));
    json_object_set_new(m, "can_undo", json_boolean(edit && en.deleted_at));
    json_object_set_new(m, "can_edit_photos", json_boolean(edit && !en.deleted_at));
    web_photos_model(c, m, &g, &en);
    web_showcase_entry(c, &g, &en);
    /* its comments (a refused comment form comes back with 422) */
    return web_page(c, web_comment_model(c, m, &g, &en), "logbook/entry", m);
}

static int edit_page(struct ctx *c, int status, const struct group *g,
                     const struct logbook_entry *en, const struct logbook_input *in,
                     const struct err *e)
{
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(g));
    json_object_set_new(m, "e", entry_json(c, g, en, 0));
    set_form(c, m, g, in, e);
    return web_page(c, status, "logbook/form", m);
}

/* load_entry, then the right to change it (403) on an entry not deleted (404). */
static int load_editable(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    if (load_entry(c, g, en, rc))
        return -1;
    if (en->deleted_at) {
        *rc = web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    if (!logbook_can_edit(web_db(c), web_viewer(c), g, en)) {
        *rc = web_error(
            c, 403, "Seuls l'auteur de l'entrée et les encadrants du groupe peuvent la modifier.");
        return -1;
    }
    return 0;
}

int web_logbook_edit(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    struct logbook_input in = {.title = en.title,
                               .body_md = en.body_md,
                               .visibility = visibility_level_name(en.visibility),
                               .entry_date = web_day_str(c, en.entry_date)};
    return edit_page(c, 200, &g, &en, &in, NULL);
}

int web_logbook_update(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    struct logbook_input in;
    read_form(c, &in);
    struct err e = {0};
    if (logbook_update(web_db(c), &c->user, &g, en.id, &in, &e)) {
        if (e.status == 422 || e.status == 409)
            return edit_page(c, e.status, &g, &en, &in, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Entrée enregistrée.");
    return web_redirect(c, entry_url(c, &g, en.id, NULL));
}

int web_logbook_approve(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    if (logbook_approve(web_db(c), &c->user, &g, en.id, &e))
        return web_err(c, &e);
    web_flash(c, "Entrée publiée.");
    return web_redirect(c, entry_url(c, &g, en.id, NULL));
}

int web_logbook_delete_confirm(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(&g));
    json_object_set_new(m, "e", entry_json(c, &g, &en, 0));
    json_object_set_new(m, "notice",
                        web_str(web_tf(c,
                                       "L'entrée disparaîtra du carnet. Vous pourrez annuler la "
                                       "suppression depuis sa page pendant %d jours.",
                                       LOGBOOK_UNDO_DAYS)));
    return web_page(c, 200, "logbook/delete", m);
}

int web_logbook_delete(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    if (logbook_delete(web_db(c), &c->user, &g, en.id, (int64_t)time(NULL), &e))
        return web_err(c, &e);
    web_flash(c, "Entrée supprimée.");
    /* the entry page offers the undo to those who may use it */
    return web_redirect(c, entry_url(c, &g, en.id, NULL));
}

int web_logbook_undo(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    if (logbook_undelete(web_db(c), &c->user, &g, en.id, (int64_t)time(NULL), &e))
        return web_err(c, &e);
    web_flash(c, "Entrée rétablie.");
    return web_redirect(c, entry_url(c, &g, en.id, NULL));
}

int web_logbook_history(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    struct logbook_revision *rs;
    int n;
    if (logbook_history(web_db(c), c->a, &c->user, &g, en.id, &rs, &n, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(&g));
    json_object_set_new(m, "e", entry_json(c, &g, &en, 0));
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", web_str(time_str(c, rs[i].at)));
        json_object_set_new(o, "editor", web_str(rs[i].editor_name));
        json_object_set_new(o, "title", web_str(rs[i].title));
        json_object_set_new(o, "body_md", web_str(rs[i].body_md));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "revisions", arr);
    json_object_set_new(m, "has_revisions", json_boolean(n > 0));
    return web_page(c, 200, "logbook/history", m);
}
