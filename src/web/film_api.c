/* web/film_api: films in the JSON API: the library with its filters, one film, create,
 * update and delete, the processing status polled by the film page, caption tracks, and
 * collections. The same domain calls and visibility checks as the pages. */
#include "web/film_web.h"
#include "web/handlers.h"
#include "coordination.h"

#include <stdlib.h>
#include <string.h>

static const char *const FILM_NOT_FOUND = N_("Film introuvable.");
static const char *const COLLECTION_NOT_FOUND = N_("Collection introuvable.");

json_t *web_film_api_json(struct ctx *c, const struct film *f, const struct group *g)
{
    struct db *db = web_db(c);
    int public_ = film_can_see(db, NULL, g, f);
    int names = visibility_can_see_names(db, web_viewer(c), g);
    struct film_signer s = {0};
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "title", web_str(f->title));
    json_object_set_new(o, "synopsis", web_str(f->synopsis));
    json_object_set_new(o, "year", json_integer(f->year));
    json_object_set_new(o, "duration", json_real(f->duration));
    json_object_set_new(o, "genre", web_str(f->genre));
    json_object_set_new(o, "language", web_str(f->language));
    json_object_set_new(o, "licence", web_str(f->licence));
    json_object_set_new(o, "download_allowed", json_boolean(f->download_allowed));
    json_object_set_new(o, "visibility", web_str(visibility_level_name(f->visibility)));
    json_object_set_new(o, "status", web_str(f->status));
    json_object_set_new(o, "public", json_boolean(public_));
    json_object_set_new(o, "url", web_str(arena_printf(c->a, "/films/%lld", (long long)f->id)));
    json_t *gr = json_object();
    json_object_set_new(gr, "slug", web_str(g->slug));
    json_object_set_new(gr, "title", web_str(g->title));
    json_object_set_new(o, "group", gr);
    json_t *th = json_array();
    for (int i = 0; i < f->nthemes; i++)
        json_array_append_new(th, web_str(f->themes[i]));
    json_object_set_new(o, "themes", th);
    json_t *tg = json_array();
    for (int i = 0; i < f->ntags; i++)
        json_array_append_new(tg, web_str(f->tags[i]));
    json_object_set_new(o, "tags", tg);
    json_t *cr = json_array();
    for (int i = 0; i < f->ncredits; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "role", web_str(f->credits[i].role));
        if (!f->credits[i].participant_id || names)
            json_object_set_new(x, "name", web_str(f->credits[i].name));
        if (f->credits[i].participant_id && names)
            json_object_set_new(x, "participant_id", json_integer(f->credits[i].participant_id));
        json_array_append_new(cr, x);
    }
    json_object_set_new(o, "credits", cr);
    if (names) {
        json_t *ap = json_array();
        for (int i = 0; i < f->nappearing; i++)
            json_array_append_new(ap, json_integer(f->appearing[i]));
        json_object_set_new(o, "appearing", ap);
    }
    json_t *cap = json_array();
    for (int i = 0; i < f->ncaptions; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "lang", web_str(f->captions[i].lang));
        json_object_set_new(x, "sdh", json_boolean(f->captions[i].sdh));
        json_object_set_new(x, "label", web_str(f->captions[i].label));
        if (!strcmp(f->status, "ready"))
            json_object_set_new(x, "url",
                                web_str(web_film_url(c, &s, f, public_, f->captions[i].file)));
        json_array_append_new(cap, x);
    }
    json_object_set_new(o, "captions", cap);
    if (!strcmp(f->status, "ready")) {
        json_t *media = json_object();
        json_object_set_new(media, "hls",
                            web_str(web_film_url(c, &s, f, public_, "hls/master.m3u8")));
        json_object_set_new(media, "mp4", web_str(web_film_url(c, &s, f, public_, "film.mp4")));
        json_object_set_new(media, "poster",
                            web_str(web_film_url(c, &s, f, public_,
                                                 arena_printf(c->a, "poster-%d.jpg",
                                                              f->poster > 0 ? f->poster : 1))));
        json_object_set_new(media, "storyboard",
                            web_str(web_film_url(c, &s, f, public_, "storyboard.jpg")));
        json_object_set_new(o, "media", media);
    }
    json_object_set_new(o, "created_at", json_integer(f->created_at));
    json_object_set_new(o, "updated_at", json_integer(f->updated_at));
    return o;
}

/* A query parameter as a positive int, 0 when absent; -1 when malformed. */
static int qint(struct ctx *c, const char *name)
{
    const char *v = http_query(c->r, name);
    if (!v || !*v)
        return 0;
    if (strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        return -1;
    return atoi(v);
}

int web_api_film_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct film_filter f = {0};
    f.viewer = web_viewer(c);
    f.page = qint(c, "page");
    f.per_page = qint(c, "per_page");
    f.year = qint(c, "year");
    if (f.page < 0 || f.page > WEB_PAGE_MAX || f.per_page < 0 || f.per_page > FILM_PER_PAGE_MAX ||
        f.year < 0) {
        err_set(&e, 400, N_("Les paramètres page, per_page et year sont des entiers positifs."));
        return web_err(c, &e);
    }
    if (!f.page)
        f.page = 1;
    if (!f.per_page)
        f.per_page = FILM_PER_PAGE_DEFAULT;
    f.q = http_query(c->r, "q");
    f.genre = http_query(c->r, "genre");
    f.theme = http_query(c->r, "theme");
    f.sort = http_query(c->r, "sort");
    if (f.sort && strcmp(f.sort, "new") && strcmp(f.sort, "old") && strcmp(f.sort, "title") &&
        strcmp(f.sort, "year")) {
        err_field(&e, 400, "sort", N_("Le tri est new, old, title ou year."));
        return web_err(c, &e);
    }
    const char *coord = http_query(c->r, "coordination");
    if (coord && *coord) {
        struct coordination co;
        if (coordination_get(db, c->a, coord, &co, &e))
            return web_err(c, &e);
        f.coordination_id = co.id;
    }
    const char *coll = http_query(c->r, "collection");
    if (coll && *coll) {
        struct film_collection cl;
        if (film_collection_get_by_slug(db, c->a, coll, &cl, &e))
            return web_err(c, &e);
        f.collection_id = cl.id;
    }
    const char *gs = http_query(c->r, "group");
    if (gs && *gs) {
        struct group g;
        if (group_get_by_slug(db, c->a, gs, &g, &e) ||
            !visibility_can_see_group(db, web_viewer(c), &g))
            return web_error(c, 404, N_("Groupe introuvable."));
        f.group_id = g.id;
        f.include_unready = 1;
    }
    struct film *fs;
    int n;
    int64_t total;
    if (film_list(db, c->a, &f, &fs, &n, &total, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        struct group g;
        if (group_get(db, c->a, fs[i].group_id, &g, &e))
            continue;
        json_array_append_new(items, web_film_api_json(c, &fs[i], &g));
    }
    return web_json(c, 200, web_list_body(items, f.page, f.per_page, total));
}

int web_api_film_get(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    return web_json(c, 200, web_film_api_json(c, &f, &g));
}

int web_api_film_status(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    int editor = film_can_edit(web_db(c), web_viewer(c), &g);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f.id));
    json_object_set_new(o, "status", web_str(f.status));
    json_object_set_new(o, "progress", json_integer(f.progress));
    json_object_set_new(o, "eta_seconds",
                        f.eta_seconds >= 0 ? json_integer(f.eta_seconds) : json_null());
    if (editor && !strcmp(f.status, "failed"))
        json_object_set_new(o, "error", web_str(f.error));
    return web_json(c, 200, o);
}

/* An array of strings of root's member name into *out (arena), *n; NULL *out when absent.
 * -1 with e (422 on name) when it is not an array of strings. */
static int str_array(struct ctx *c, json_t *root, const char *name, const char *const **out, int *n,
                     int max, struct err *e)
{
    json_t *v = json_object_get(root, name);
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > (size_t)max)
        return err_field(e, 422, name, N_("Ce champ est une liste de %d textes au plus."), max);
    const char **arr = arena_alloc(c->a, sizeof *arr * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return err_field(e, 422, name, N_("Ce champ est une liste de %d textes au plus."), max);
        arr[(*n)++] = arena_strdup(c->a, json_string_value(x));
    }
    *out = arr;
    return 0;
}

static const char *str_of(struct ctx *c, json_t *root, const char *name, struct err *e)
{
    json_t *v = json_object_get(root, name);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        err_field(e, 422, name, N_("Ce champ doit être une chaîne de caractères."));
        return NULL;
    }
    return arena_strdup(c->a, json_string_value(v));
}

/* The members of a film body into in. 0, or -1 with e. */
static int read_body(struct ctx *c, json_t *root, struct film_input *in, int *download, int *loud,
                     struct err *e)
{
    in->year = -1;
    in->entry_id = -1;
    in->poster = -1;
    in->title = str_of(c, root, "title", e);
    in->synopsis = str_of(c, root, "synopsis", e);
    in->genre = str_of(c, root, "genre", e);
    in->language = str_of(c, root, "language", e);
    in->licence = str_of(c, root, "licence", e);
    in->visibility = str_of(c, root, "visibility", e);
    if (e->status)
        return -1;
    json_t *v;
    if ((v = json_object_get(root, "year"))) {
        if (!json_is_integer(v))
            return err_field(e, 422, "year", N_("L'année est un nombre entier."));
        in->year = (int)json_integer_value(v);
        if (in->year < 0)
            in->year = 1;
    }
    if ((v = json_object_get(root, "poster"))) {
        if (!json_is_integer(v))
            return err_field(e, 422, "poster", N_("L'affiche est un numéro de 1 à 3."));
        in->poster = json_integer_value(v) > 0 ? (int)json_integer_value(v) : FILM_POSTERS + 1;
    }
    if ((v = json_object_get(root, "entry_id"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return err_field(e, 422, "entry",
                             N_("L'entrée est un identifiant d'entrée du carnet."));
        in->entry_id = json_integer_value(v);
    }
    if ((v = json_object_get(root, "download_allowed"))) {
        if (!json_is_boolean(v))
            return err_field(e, 422, "download_allowed", N_("Ce champ est vrai ou faux."));
        *download = json_is_true(v);
        in->download_allowed = download;
    }
    if ((v = json_object_get(root, "loudnorm"))) {
        if (!json_is_boolean(v))
            return err_field(e, 422, "loudnorm", N_("Ce champ est vrai ou faux."));
        *loud = json_is_true(v);
        in->loudnorm = loud;
    }
    if (str_array(c, root, "themes", &in->themes, &in->nthemes, FILM_THEMES_MAX * 4, e) ||
        str_array(c, root, "tags", &in->tags, &in->ntags, FILM_TAGS_MAX * 4, e))
        return -1;
    if ((v = json_object_get(root, "appearing"))) {
        if (!json_is_array(v) || json_array_size(v) > FILM_APPEARING_MAX)
            return err_field(e, 422, "appearing",
                             N_("Les personnes à l'image sont une liste d'identifiants de "
                                "participants."));
        int64_t *ids = arena_alloc(c->a, sizeof *ids * (json_array_size(v) + 1));
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!json_is_integer(x) || json_integer_value(x) <= 0)
                return err_field(e, 422, "appearing",
                                 N_("Les personnes à l'image sont une liste d'identifiants de "
                                    "participants."));
            ids[i] = json_integer_value(x);
        }
        in->appearing = ids;
        in->nappearing = (int)json_array_size(v);
    }
    if ((v = json_object_get(root, "credits"))) {
        if (!json_is_array(v) || json_array_size(v) > FILM_CREDITS_MAX)
            return err_field(e, 422, "credits",
                             N_("Le générique est une liste de {role, participant_id ou "
                                "name}."));
        struct film_credit *cr = arena_alloc(c->a, sizeof *cr * (json_array_size(v) + 1));
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_t *role = json_object_get(x, "role");
            json_t *pid = json_object_get(x, "participant_id");
            json_t *name = json_object_get(x, "name");
            if (!json_is_object(x) || !json_is_string(role) || (pid && !json_is_integer(pid)) ||
                (name && !json_is_string(name)))
                return err_field(e, 422, "credits",
                                 N_("Le générique est une liste de {role, participant_id ou "
                                    "name}."));
            cr[i].role = arena_strdup(c->a, json_string_value(role));
            cr[i].participant_id = pid ? json_integer_value(pid) : 0;
            cr[i].name = name ? arena_strdup(c->a, json_string_value(name)) : NULL;
        }
        in->credits = cr;
        in->ncredits = (int)json_array_size(v);
    }
    return 0;
}

static int answer_film(struct ctx *c, int64_t id, int status)
{
    struct film f;
    struct group g;
    struct err e = {0};
    if (film_get(web_db(c), c->a, id, &f, &e) || group_get(web_db(c), c->a, f.group_id, &g, &e))
        return web_err(c, &e);
    if (status == 201)
        http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/films/%lld", (long long)id));
    return web_json(c, status, web_film_api_json(c, &f, &g));
}

int web_api_film_create(struct ctx *c)
{
    int rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct film_input in = {0};
    int download = 0, loud = 0;
    int64_t gid = 0, id;
    const char *slug = str_of(c, root, "group", &e);
    if (!e.status && read_body(c, root, &in, &download, &loud, &e) == 0) {
        if (in.year < 0)
            in.year = 0;
        if (in.entry_id < 0)
            in.entry_id = 0;
        if (in.poster < 0)
            in.poster = 0;
        struct group g;
        if (!slug || group_get_by_slug(web_db(c), c->a, slug, &g, &e) ||
            !visibility_can_see_group(web_db(c), &c->user, &g)) {
            err_clear(&e);
            err_field(&e, 422, "group", N_("Choisissez le groupe qui a fait le film."));
        } else
            gid = g.id;
    }
    json_decref(root);
    if (e.status || film_create(web_db(c), &c->user, gid, &in, &id, &e))
        return web_err(c, &e);
    return answer_film(c, id, 201);
}

int web_api_film_update(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct film_input in = {0};
    int download = 0, loud = 0;
    read_body(c, root, &in, &download, &loud, &e);
    json_decref(root);
    if (e.status || film_update(web_db(c), &c->user, f.id, &in, &e))
        return web_err(c, &e);
    return answer_film(c, f.id, 200);
}

int web_api_film_delete(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    struct err e = {0};
    if (film_delete(web_db(c), &c->user, f.id, g_app.data_dir, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}

/* PUT /api/v1/films/{id}/captions/{lang}: the WebVTT or SRT file, sdh=1 for captions for
 * the deaf and hard of hearing. */
int web_api_film_caption_put(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    /* multipart (the file in "captions", like the page's form) or the file as the body */
    const struct http_file *file = http_file_get(c->r, "captions");
    const char *sdh = http_form(c->r, "sdh");
    if (!sdh)
        sdh = http_query(c->r, "sdh");
    const char *data = file ? file->data : c->r->body.data;
    size_t len = file ? file->len : c->r->body.len;
    if (!file && multipart_is_form_data(c->r->content_type))
        len = 0;
    struct err e = {0};
    if (film_caption_put(web_db(c), &c->user, f.id, g_app.data_dir, web_param(c, 1),
                         sdh && !strcmp(sdh, "1"), data ? data : "", len, &e))
        return web_err(c, &e);
    return answer_film(c, f.id, 200);
}

int web_api_film_caption_delete(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    const char *sdh = http_query(c->r, "sdh");
    struct err e = {0};
    if (film_caption_delete(web_db(c), &c->user, f.id, g_app.data_dir, web_param(c, 1),
                            sdh && !strcmp(sdh, "1"), &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}

/* ---- collections ---- */

static json_t *collection_json(const struct film_collection *cl)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(cl->id));
    json_object_set_new(o, "slug", web_str(cl->slug));
    json_object_set_new(o, "title", web_str(cl->title));
    json_object_set_new(o, "description", web_str(cl->description));
    json_object_set_new(o, "coordination_id",
                        cl->coordination_id ? json_integer(cl->coordination_id) : json_null());
    return o;
}

int web_api_collection_list(struct ctx *c)
{
    struct film_collection *cl;
    int n;
    struct err e = {0};
    if (film_collection_list(web_db(c), c->a, &cl, &n, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, collection_json(&cl[i]));
    return web_json(c, 200, web_list_body(items, 1, n ? n : 1, n));
}

static int load_collection(struct ctx *c, struct film_collection *cl, int *rc)
{
    struct err e = {0};
    if (film_collection_get_by_slug(web_db(c), c->a, web_param(c, 0), cl, &e)) {
        *rc = e.status == 404 ? web_error(c, 404, COLLECTION_NOT_FOUND) : web_err(c, &e);
        return -1;
    }
    return 0;
}

int web_api_collection_get(struct ctx *c)
{
    struct film_collection cl;
    int rc;
    if (load_collection(c, &cl, &rc))
        return rc;
    struct film_filter f = {0};
    f.viewer = web_viewer(c);
    f.collection_id = cl.id;
    f.page = 1;
    f.per_page = FILM_PER_PAGE_MAX;
    struct film *fs;
    int n;
    int64_t total;
    struct err e = {0};
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        return web_err(c, &e);
    json_t *o = collection_json(&cl);
    json_t *ids = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ids, json_integer(fs[i].id));
    json_object_set_new(o, "films", ids);
    return web_json(c, 200, o);
}

int web_api_collection_create(struct ctx *c)
{
    int rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    const char *title = str_of(c, root, "title", &e);
    const char *desc = str_of(c, root, "description", &e);
    int64_t coord = c->user.role == ROLE_ADMIN ? 0 : c->user.coordination_id;
    json_t *v = json_object_get(root, "coordination_id");
    if (v && json_is_integer(v))
        coord = json_integer_value(v);
    json_decref(root);
    int64_t id;
    if (e.status ||
        film_collection_create(web_db(c), &c->user, coord, title, desc ? desc : "", &id, &e))
        return web_err(c, &e);
    struct film_collection cl;
    if (film_collection_get(web_db(c), c->a, id, &cl, &e))
        return web_err(c, &e);
    http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/collections/%s", cl.slug));
    return web_json(c, 201, collection_json(&cl));
}

int web_api_collection_add(struct ctx *c)
{
    struct film_collection cl;
    int rc;
    if (load_collection(c, &cl, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    json_t *v = json_object_get(root, "film_id");
    int64_t fid = json_is_integer(v) ? json_integer_value(v) : 0;
    json_decref(root);
    struct err e = {0};
    if (fid <= 0) {
        err_field(&e, 422, "film_id", N_("Indiquez l'identifiant du film."));
        return web_err(c, &e);
    }
    if (film_collection_add(web_db(c), &c->user, cl.id, fid, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}

int web_api_collection_remove(struct ctx *c)
{
    struct film_collection cl;
    int rc;
    if (load_collection(c, &cl, &rc))
        return rc;
    int64_t fid;
    struct err e = {0};
    if (web_parse_id(web_param(c, 1), &fid))
        return web_error(c, 404, FILM_NOT_FOUND);
    if (film_collection_remove(web_db(c), &c->user, cl.id, fid, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}

/* PATCH /api/v1/collections/{slug}: title and description, each optional (the slug stays, so
 * links keep working). */
int web_api_collection_update(struct ctx *c)
{
    struct film_collection cl;
    int rc;
    if (load_collection(c, &cl, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    const char *title = str_of(c, root, "title", &e);
    const char *desc = e.status ? NULL : str_of(c, root, "description", &e);
    json_decref(root);
    if (e.status || film_collection_update(web_db(c), &c->user, cl.id, title, desc, &e) ||
        film_collection_get(web_db(c), c->a, cl.id, &cl, &e))
        return web_err(c, &e);
    return web_json(c, 200, collection_json(&cl));
}

/* DELETE /api/v1/collections/{slug}: the list only; its films stay. */
int web_api_collection_delete(struct ctx *c)
{
    struct film_collection cl;
    int rc;
    if (load_collection(c, &cl, &rc))
        return rc;
    struct err e = {0};
    if (film_collection_delete(web_db(c), &c->user, cl.id, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}
