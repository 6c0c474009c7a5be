/* web/film_collection_web: the pages of film collections (curated lists kept by coordinators
 * for their coordination and by the national team): the list of collections, a collection's
 * page, and the forms that create, edit and delete one and add or remove its films. */
#include "web/film_web.h"
#include "web/handlers.h"
#include "coordination.h"
#include "core/text.h"
#include "search.h"

#include <stdio.h>
#include <string.h>

static const char *const COLLECTION_NOT_FOUND = N_("Collection introuvable.");
static const char *const FILM_NOT_FOUND = N_("Film introuvable.");

enum {
    COLLECTION_EXCERPT_CHARS = 200 /* of the description, on the list of collections */
};

/* ---- shared pieces ---- */

static const char *collection_url(struct ctx *c, const struct film_collection *col,
                                  const char *suffix)
{
    return arena_printf(c->a, "/films/collections/%s%s", col->slug, suffix ? suffix : "");
}

/* The collection of the first parameter; otherwise a 404 is sent (*rc). */
static int load(struct ctx *c, struct film_collection *col, int *rc)
{
    struct err e = {0};
    if (film_collection_get_by_slug(web_db(c), c->a, web_param(c, 0), col, &e)) {
        *rc = e.status == 404 ? web_error(c, 404, COLLECTION_NOT_FOUND) : web_err(c, &e);
        return -1;
    }
    return 0;
}

static int may_manage(struct ctx *c, const struct film_collection *col)
{
    return film_collection_can_manage(web_viewer(c), col->coordination_id);
}

/* load, then 403 unless the viewer may manage the collection. */
static int load_managed(struct ctx *c, struct film_collection *col, int *rc)
{
    if (load(c, col, rc))
        return -1;
    if (!may_manage(c, col)) {
        *rc = web_error(c, 403,
                        N_("Seuls la coordination de cette collection et l'équipe nationale "
                           "peuvent la modifier."));
        return -1;
    }
    return 0;
}

/* "Collection nationale" or the name of the collection's coordination. */
static const char *owner_label(struct ctx *c, const struct film_collection *col,
                               const struct coordination *cs, int nc)
{
    if (!col->coordination_id)
        return web_t(c, N_("Collection nationale"));
    for (int i = 0; i < nc; i++)
        if (cs[i].id == col->coordination_id)
            return cs[i].name;
    return "";
}

static json_t *collection_json(struct ctx *c, const struct film_collection *col)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", web_str(col->slug));
    json_object_set_new(o, "title", web_str(col->title));
    json_object_set_new(o, "description", web_str(col->description));
    json_object_set_new(o, "url", web_str(collection_url(c, col, NULL)));
    json_object_set_new(o, "edit_url", web_str(collection_url(c, col, "/modifier")));
    json_object_set_new(o, "delete_url", web_str(collection_url(c, col, "/supprimer")));
    return o;
}

static void set_errors(json_t *m, const struct err *e)
{
    json_t *o = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(o, e->field, web_str(e->msg));
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status)
        json_object_set_new(m, "error", web_str(e->msg));
    json_object_set_new(m, "errors", o);
}

/* The films of collection col the viewer may see: one page (page from 1), in the list's
 * order; 0 or -1 with e. */
static int visible_films(struct ctx *c, const struct film_collection *col, int page, int per_page,
                         struct film **fs, int *n, int64_t *total, struct err *e)
{
    struct film_filter f = {0};
    f.viewer = web_viewer(c);
    f.collection_id = col->id;
    f.sort = NULL; /* the curated order */
    f.page = page;
    f.per_page = per_page;
    return film_list(web_db(c), c->a, &f, fs, n, total, e);
}

/* ---- the list of collections ---- */

int web_film_collection_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct film_collection *cl;
    int n, nc;
    struct coordination *cs;
    if (film_collection_list(db, c->a, &cl, &n, &e) || coordination_names(db, c->a, &cs, &nc, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        struct film *fs;
        int k;
        int64_t visible;
        if (visible_films(c, &cl[i], 1, 1, &fs, &k, &visible, &e)) {
            json_decref(items);
            return web_err(c, &e);
        }
        json_t *o = collection_json(c, &cl[i]);
        json_object_set_new(
            o, "excerpt",
            web_str(sitesearch_excerpt(c->a, cl[i].description, COLLECTION_EXCERPT_CHARS)));
        json_object_set_new(o, "owner", web_str(owner_label(c, &cl[i], cs, nc)));
        json_object_set_new(o, "national", json_boolean(cl[i].coordination_id == 0));
        const char *count = visible == 0   ? web_t(c, N_("aucun film visible"))
                            : visible == 1 ? web_t(c, N_("1 film"))
                                           : web_tf(c, "%lld films", (long long)visible);
        json_object_set_new(o, "count", web_str(count));
        json_object_set_new(o, "can_manage", json_boolean(may_manage(c, &cl[i])));
        json_array_append_new(items, o);
    }
    json_t *m = json_object();
    json_object_set_new(m, "collections", items);
    json_object_set_new(m, "has_collections", json_boolean(n > 0));
    /* anyone who may keep a collection: an admin, or a coordinator (of their coordination) */
    const struct account *v = web_viewer(c);
    json_object_set_new(m, "can_create",
                        json_boolean(v && film_collection_can_manage(
                                              v, v->role == ROLE_ADMIN ? 0 : v->coordination_id)));
    c->indexable = c->r->query.n == 0;
    return web_page(c, 200, "film/collections", m);
}

/* ---- a collection's page ---- */

/* The page, with the management forms for those who may manage it; status 422 and e when
 * adding a film failed (film_value: what was typed). */
static int collection_page(struct ctx *c, int status, const struct film_collection *col,
                           const struct err *e, const char *film_value)
{
    int page = web_parse_page(http_query(c->r, "page"));
    struct film *fs;
    int n;
    int64_t total;
    struct err le = {0};
    if (visible_films(c, col, page, FILM_PER_PAGE_DEFAULT, &fs, &n, &total, &le))
        return web_err(c, &le);
    struct coordination *cs;
    int nc;
    if (coordination_names(web_db(c), c->a, &cs, &nc, &le))
        return web_err(c, &le);
    json_t *m = json_object();
    json_t *o = collection_json(c, col);
    json_object_set_new(o, "owner", web_str(owner_label(c, col, cs, nc)));
    json_object_set_new(m, "collection", o);
    struct film_signer s = {0};
    json_t *cards = json_array(), *rows = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(cards, web_film_card(c, &s, &fs[i]));
        json_t *r = json_object();
        json_object_set_new(r, "id", json_integer(fs[i].id));
        json_object_set_new(r, "title", web_str(fs[i].title));
        json_object_set_new(r, "url", web_str(web_film_page_url(c, fs[i].id)));
        json_object_set_new(r, "remove_url",
                            web_str(arena_printf(c->a, "/films/collections/%s/films/%lld/retirer",
                                                 col->slug, (long long)fs[i].id)));
        json_array_append_new(rows, r);
    }
    json_object_set_new(m, "films", cards);
    json_object_set_new(m, "has_films", json_boolean(n > 0));
    int pages = (int)((total + FILM_PER_PAGE_DEFAULT - 1) / FILM_PER_PAGE_DEFAULT);
    json_object_set_new(m, "page", json_integer(page));
    json_object_set_new(m, "pages", json_integer(pages ? pages : 1));
    if (page > 1)
        json_object_set_new(
            m, "prev_url",
            web_str(arena_printf(c->a, "%s?page=%d", collection_url(c, col, NULL), page - 1)));
    if (page < pages)
        json_object_set_new(
            m, "next_url",
            web_str(arena_printf(c->a, "%s?page=%d", collection_url(c, col, NULL), page + 1)));
    if (may_manage(c, col)) {
        json_t *mg = json_object();
        json_object_set_new(mg, "rows", rows);
        json_object_set_new(mg, "add_url", web_str(collection_url(c, col, "/films")));
        json_object_set_new(mg, "film_value", web_str(film_value));
        json_object_set_new(m, "manage", mg);
    } else
        json_decref(rows);
    set_errors(m, e);
    c->indexable = status == 200 && c->r->query.n == 0;
    return web_page(c, status, "film/collection", m);
}

int web_film_collection(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load(c, &col, &rc))
        return rc;
    return collection_page(c, 200, &col, NULL, NULL);
}

/* ---- creating, editing, deleting ---- */

/* The form: new (col NULL: the owner to choose for admins) or edit. */
static int collection_form(struct ctx *c, int status, const struct film_collection *col,
                           const char *title, const char *description, const char *owner,
                           const struct err *e)
{
    json_t *m = json_object();
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(title));
    json_object_set_new(v, "description", web_str(description));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "title_max", json_integer(FILM_COLLECTION_TITLE_MAX));
    json_object_set_new(m, "description_max", json_integer(FILM_COLLECTION_DESCRIPTION_MAX));
    if (col) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "collection", collection_json(c, col));
        json_object_set_new(m, "action", web_str(collection_url(c, col, "/modifier")));
    } else {
        json_object_set_new(m, "action", web_str("/films/collections"));
        struct coordination *cs;
        int nc;
        struct err le = {0};
        if (coordination_names(web_db(c), c->a, &cs, &nc, &le)) {
            json_decref(m);
            return web_err(c, &le);
        }
        if (c->user.role == ROLE_ADMIN) {
            json_t *arr = json_array();
            for (int i = 0; i < nc; i++) {
                if (cs[i].kind && !strcmp(cs[i].kind, "national"))
                    continue; /* the national team's collections are the "national" choice */
                json_t *o = json_object();
                json_object_set_new(o, "code", web_str(cs[i].slug));
                json_object_set_new(o, "label", web_str(cs[i].name));
                json_object_set_new(o, "selected",
                                    json_boolean(owner && !strcmp(owner, cs[i].slug)));
                json_array_append_new(arr, o);
            }
            json_object_set_new(m, "owners", arr);
            json_object_set_new(m, "choose_owner", json_true());
        } else {
            for (int i = 0; i < nc; i++)
                if (cs[i].id == c->user.coordination_id)
                    json_object_set_new(m, "owner_name", web_str(cs[i].name));
        }
    }
    set_errors(m, e);
    return web_page(c, status, "film/collection-form", m);
}

int web_film_collection_new(struct ctx *c)
{
    return collection_form(c, 200, NULL, NULL, NULL, NULL, NULL);
}

int web_film_collection_create(struct ctx *c)
{
    struct db *db = web_db(c);
    const char *title = http_form(c->r, "title");
    const char *desc = http_form(c->r, "description");
    const char *owner = http_form(c->r, "coordination");
    struct err e = {0};
    /* admins choose (empty: national); coordinators keep their own unless they name another */
    int64_t coord = c->user.role == ROLE_ADMIN ? 0 : c->user.coordination_id;
    if (owner && *owner) {
        struct coordination co;
        if (coordination_get(db, c->a, owner, &co, &e)) {
            if (e.status != 404)
                return web_err(c, &e);
            err_clear(&e);
            err_field(&e, 422, "coordination", N_("Choisissez une coordination de la liste."));
            return collection_form(c, 422, NULL, title, desc, owner, &e);
        }
        coord = co.kind && !strcmp(co.kind, "national") ? 0 : co.id;
    }
    int64_t id;
    if (film_collection_create(db, &c->user, coord, title ? title : "", desc ? desc : "", &id,
                               &e)) {
        if (e.status == 422)
            return collection_form(c, 422, NULL, title, desc, owner, &e);
        return web_err(c, &e);
    }
    struct film_collection col;
    if (film_collection_get(db, c->a, id, &col, &e))
        return web_err(c, &e);
    web_flash(c, N_("Collection créée : ajoutez-y des films."));
    return web_redirect(c, collection_url(c, &col, NULL));
}

int web_film_collection_edit(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    return collection_form(c, 200, &col, col.title, col.description, NULL, NULL);
}

int web_film_collection_update(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    const char *title = http_form(c->r, "title");
    const char *desc = http_form(c->r, "description");
    struct err e = {0};
    /* an absent title is an empty one here: the form always sends it */
    if (film_collection_update(web_db(c), &c->user, col.id, title ? title : "", desc ? desc : "",
                               &e)) {
        if (e.status == 422)
            return collection_form(c, 422, &col, title, desc, NULL, &e);
        return web_err(c, &e);
    }
    web_flash(c, N_("Collection enregistrée."));
    return web_redirect(c, collection_url(c, &col, NULL));
}

int web_film_collection_delete_confirm(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "collection", collection_json(c, &col));
    /* whole sentences with the title in them: word order is the language's */
    json_object_set_new(m, "page_title",
                        web_str(web_tf(c, "Supprimer la collection « %s »", col.title)));
    json_object_set_new(
        m, "question",
        web_str(web_tf(c,
                       "Supprimer la collection « %s » ? La liste disparaît ; les films qu'elle "
                       "contient ne sont pas supprimés.",
                       col.title)));
    return web_page(c, 200, "film/collection-delete", m);
}

int web_film_collection_delete(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    struct err e = {0};
    if (film_collection_delete(web_db(c), &c->user, col.id, &e))
        return web_err(c, &e);
    web_flash(c, N_("Collection supprimée. Ses films n'ont pas été supprimés."));
    return web_redirect(c, "/films/collections");
}

/* ---- the films of a collection ---- */

/* Why film fid cannot be added to col by the viewer (a 422 on "film_id" in e), or 0. */
static int check_addable(struct ctx *c, const struct film_collection *col, int64_t fid,
                         struct err *e)
{
    struct db *db = web_db(c);
    struct film f;
    struct group g;
    struct err le = {0};
    if (film_get(db, c->a, fid, &f, &le) || group_get(db, c->a, f.group_id, &g, &le) ||
        !film_can_see(db, web_viewer(c), &g, &f)) {
        if (le.status && le.status != 404) {
            *e = le;
            return -1;
        }
        /* one message for "no such film" and "not visible to you": nothing leaks */
        return err_field(e, 422, "film_id", "Aucun film n° %lld parmi ceux que vous pouvez voir.",
                         (long long)fid);
    }
    for (int i = 0; i < f.ncollections; i++)
        if (f.collections[i] == col->id)
            return err_field(e, 422, "film_id", "Le film « %s » est déjà dans cette collection.",
                             f.title);
    return 0;
}

int web_film_collection_add_film(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    const char *v = http_form(c->r, "film_id");
    struct err e = {0};
    int64_t fid = 0;
    /* the number as typed: surrounding blanks and a leading "#" are fine */
    const char *t = text_trim(c->a, v ? v : "");
    if (web_parse_id(*t == '#' ? t + 1 : t, &fid))
        err_field(&e, 422, "film_id",
                  N_("Indiquez le numéro du film : le nombre à la fin de l'adresse de sa page "
                     "(/films/12)."));
    else
        check_addable(c, &col, fid, &e);
    if (!e.status && film_collection_add(web_db(c), &c->user, col.id, fid, &e) && e.status == 404)
        err_field(&e, 422, "film_id", "Aucun film n° %lld parmi ceux que vous pouvez voir.",
                  (long long)fid);
    if (e.status == 422)
        return collection_page(c, 422, &col, &e, v);
    if (e.status)
        return web_err(c, &e);
    web_flash(c, N_("Film ajouté à la collection."));
    return web_redirect(c, collection_url(c, &col, NULL));
}

int web_film_collection_remove_film(struct ctx *c)
{
    struct film_collection col;
    int rc;
    if (load_managed(c, &col, &rc))
        return rc;
    int64_t fid;
    if (web_parse_id(web_param(c, 1), &fid))
        return web_error(c, 404, FILM_NOT_FOUND);
    struct err e = {0};
    if (film_collection_remove(web_db(c), &c->user, col.id, fid, &e))
        return web_err(c, &e);
    web_flash(c, N_("Film retiré de la collection. Le film lui-même n'a pas été supprimé."));
    return web_redirect(c, collection_url(c, &col, NULL));
}

/* ---- on a film's page ---- */

/* The collections holding f (links) and, for those who manage some, those f may join. */
static json_t *film_collections(struct ctx *c, const struct film *f, int *nmanaged, json_t **in,
                                const char *selected)
{
    struct film_collection *cl;
    int n;
    struct err e = {0};
    json_t *choices = json_array();
    *in = json_array();
    *nmanaged = 0;
    if (film_collection_list(web_db(c), c->a, &cl, &n, &e))
        return choices;
    for (int i = 0; i < n; i++) {
        int member = 0;
        for (int k = 0; k < f->ncollections; k++)
            member |= f->collections[k] == cl[i].id;
        if (member) {
            json_t *o = json_object();
            json_object_set_new(o, "title", web_str(cl[i].title));
            json_object_set_new(o, "url", web_str(collection_url(c, &cl[i], NULL)));
            json_array_append_new(*in, o);
        } else if (may_manage(c, &cl[i])) {
            json_t *o = json_object();
            json_object_set_new(o, "code", web_str(cl[i].slug));
            json_object_set_new(o, "label", web_str(cl[i].title));
            json_object_set_new(o, "selected",
                                json_boolean(selected && !strcmp(selected, cl[i].slug)));
            json_array_append_new(choices, o);
            (*nmanaged)++;
        }
    }
    return choices;
}

void web_film_collections_model(struct ctx *c, json_t *m, const struct film *f)
{
    int nmanaged;
    json_t *in;
    json_t *choices = film_collections(c, f, &nmanaged, &in, NULL);
    json_t *o = json_object();
    json_object_set_new(o, "in", in);
    json_object_set_new(o, "has_in", json_boolean(json_array_size(in) > 0));
    json_object_set_new(o, "choices", choices);
    json_object_set_new(o, "can_add", json_boolean(nmanaged > 0));
    json_object_set_new(o, "action",
                        web_str(arena_printf(c->a, "/films/%lld/collections", (long long)f->id)));
    json_object_set_new(m, "film_collections", o);
}

/* The add-to-collection form on a page of its own, with its error (422). */
static int add_form_page(struct ctx *c, const struct film *f, const struct group *g,
                         const char *selected, const struct err *e)
{
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, f, g));
    int nmanaged;
    json_t *in;
    json_t *choices = film_collections(c, f, &nmanaged, &in, selected);
    json_decref(in);
    json_object_set_new(m, "choices", choices);
    json_object_set_new(m, "has_choices", json_boolean(nmanaged > 0));
    json_object_set_new(m, "action",
                        web_str(arena_printf(c->a, "/films/%lld/collections", (long long)f->id)));
    set_errors(m, e);
    return web_page(c, 422, "film/collection-add", m);
}

int web_film_add_to_collection(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    const char *slug = http_form(c->r, "collection");
    struct film_collection col;
    struct err e = {0};
    if (!slug || !*slug || film_collection_get_by_slug(web_db(c), c->a, slug, &col, &e)) {
        if (e.status && e.status != 404)
            return web_err(c, &e);
        err_clear(&e);
        err_field(&e, 422, "collection", N_("Choisissez une collection de la liste."));
        return add_form_page(c, &f, &g, slug, &e);
    }
    if (!may_manage(c, &col))
        return web_error(c, 403,
                         N_("Seuls la coordination de cette collection et l'équipe nationale "
                            "peuvent la modifier."));
    if (check_addable(c, &col, f.id, &e) ||
        film_collection_add(web_db(c), &c->user, col.id, f.id, &e)) {
        if (e.status == 422) {
            e.field = "collection";
            return add_form_page(c, &f, &g, slug, &e);
        }
        return web_err(c, &e);
    }
    web_flash(c, N_("Film ajouté à la collection."));
    return web_redirect(c, web_film_page_url(c, f.id));
}
