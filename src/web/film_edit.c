/* web/film_edit: the forms that create and edit a film (record, credits, captions, poster),
 * the upload page, retrying and deleting. */
#include "web/film_web.h"
#include "web/handlers.h"
#include "participant.h"
#include "web/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    FILM_FORM_CREDIT_ROWS = 3 /* empty credit lines offered below the existing ones */
};
/* ---- creating and editing ---- */

static int form_int(struct ctx *c, const char *name)
{
    const char *v = http_form(c->r, name);
    if (!v || !*v)
        return 0;
    if (strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        return 1; /* out of every range: the domain names the field */
    return atoi(v);
}

/* The record's fields from the form into in (arrays in the arena). */
static void read_record(struct ctx *c, struct film_input *in, int *download)
{
    in->title = http_form(c->r, "title");
    in->synopsis = http_form(c->r, "synopsis");
    in->year = form_int(c, "year");
    in->genre = http_form(c->r, "genre");
    in->language = http_form(c->r, "language");
    in->licence = http_form(c->r, "licence");
    in->visibility = http_form(c->r, "visibility");
    *download = http_form(c->r, "download_allowed") != NULL;
    in->download_allowed = download;
    in->entry_id = -1;
    in->poster = -1;
    const char **themes = arena_alloc(c->a, sizeof *themes * (c->r->form.n + 1));
    int nt = 0;
    for (size_t i = 0; i < c->r->form.n; i++)
        if (!strcmp(c->r->form.items[i].key, "themes"))
            themes[nt++] = c->r->form.items[i].value;
    in->themes = themes;
    in->nthemes = nt;
    /* tags: comma-separated */
    const char *tv = http_form(c->r, "tags");
    const char **tags = arena_alloc(c->a, sizeof *tags * (FILM_TAGS_MAX * 4 + 1));
    int ntg = 0;
    if (tv) {
        const char *p = tv;
        while (*p && ntg < FILM_TAGS_MAX * 4) {
            size_t k = strcspn(p, ",");
            tags[ntg++] = arena_strndup(c->a, p, k);
            p += k;
            if (*p == ',')
                p++;
        }
    }
    in->tags = tags;
    in->ntags = ntg;
}

static json_t *errors_json(const struct err *e)
{
    json_t *o = json_object();
    if (e && e->status && e->field)
        json_object_set_new(o, e->field, web_str(e->msg));
    return o;
}

static void set_errors(json_t *m, const struct err *e)
{
    json_object_set_new(m, "errors", errors_json(e));
    if (e && e->status && e->field) {
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status)
        json_object_set_new(m, "error", web_str(e->msg));
}

static const struct film_choice visibilities[] = {
    {"group", N_("le groupe")},
    {"network", N_("le réseau")},
    {"public", N_("tout le monde")},
    {NULL, NULL},
};

/* The record form: new (f NULL, groups to choose from) or edit. values from in. */
static int record_form(struct ctx *c, int status, const struct film *f, const struct group *g,
                       const struct film_input *in, int download, int64_t group_id,
                       const struct err *e)
{
    json_t *m = json_object();
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in->title));
    json_object_set_new(v, "synopsis", web_str(in->synopsis));
    if (in->year > 0)
        json_object_set_new(v, "year", json_integer(in->year));
    json_object_set_new(v, "language",
                        web_str(in->language && *in->language ? in->language : "fr"));
    json_object_set_new(v, "download_allowed", json_boolean(download));
    struct buf tb;
    buf_init(&tb, 0);
    for (int i = 0; i < in->ntags; i++)
        buf_printf(&tb, "%s%s", i ? ", " : "", in->tags[i]);
    json_object_set_new(v, "tags", web_str(buf_cstr(&tb)));
    buf_free(&tb);
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "genres", web_film_choices(c, film_genres, in->genre));
    json_object_set_new(m, "licences", web_film_choices(c, film_licences, in->licence));
    json_object_set_new(
        m, "visibilities",
        web_film_choices(c, visibilities, in->visibility ? in->visibility : "group"));
    json_t *th = json_array();
    for (int i = 0; film_themes[i].code; i++) {
        int on = 0;
        for (int k = 0; k < in->nthemes; k++)
            on |= !strcmp(in->themes[k], film_themes[i].code);
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(film_themes[i].code));
        json_object_set_new(o, "label", web_str(web_t(c, film_themes[i].label)));
        json_object_set_new(o, "checked", json_boolean(on));
        json_array_append_new(th, o);
    }
    json_object_set_new(m, "themes", th);
    if (f) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "action", web_str(web_film_page_url(c, f->id)));
        json_object_set_new(m, "f", web_film_json(c, f, g));
    } else {
        json_object_set_new(m, "action", web_str("/films"));
        struct group_filter gf = {0};
        gf.viewer = &c->user;
        gf.per_page = 100;
        gf.page = 1;
        struct group *gs;
        int n;
        int64_t total;
        struct err ge = {0};
        if (group_list(web_db(c), c->a, &gf, &gs, &n, &total, &ge))
            n = 0;
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) {
            if (!film_can_edit(web_db(c), &c->user, &gs[i]))
                continue;
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(gs[i].id));
            json_object_set_new(o, "title", web_str(gs[i].title));
            json_object_set_new(o, "year", json_integer(gs[i].year));
            json_object_set_new(o, "selected", json_boolean(gs[i].id == group_id));
            json_array_append_new(arr, o);
        }
        json_object_set_new(m, "has_groups", json_boolean(json_array_size(arr) > 0));
        json_object_set_new(m, "groups", arr);
    }
    set_errors(m, e);
    return web_page(c, status, "film/form", m);
}

int web_film_new(struct ctx *c)
{
    struct film_input in = {0};
    int64_t gid = 0;
    const char *slug = http_query(c->r, "groupe");
    if (slug) {
        struct group g;
        struct err e = {0};
        if (group_get_by_slug(web_db(c), c->a, slug, &g, &e) == 0)
            gid = g.id;
    }
    return record_form(c, 200, NULL, NULL, &in, 0, gid, NULL);
}

int web_film_create(struct ctx *c)
{
    struct film_input in = {0};
    int download;
    read_record(c, &in, &download);
    int64_t gid = 0, id;
    struct err e = {0};
    const char *gv = http_form(c->r, "group_id");
    if (!gv || web_parse_id(gv, &gid)) {
        err_field(&e, 422, "group_id", N_("Choisissez le groupe qui a fait le film."));
        return record_form(c, 422, NULL, NULL, &in, download, 0, &e);
    }
    if (film_create(web_db(c), &c->user, gid, &in, &id, &e)) {
        if (e.status == 422 || e.status == 404) {
            if (e.status == 404)
                err_field(&e, 422, "group_id", N_("Choisissez le groupe qui a fait le film."));
            return record_form(c, 422, NULL, NULL, &in, download, gid, &e);
        }
        return web_err(c, &e);
    }
    web_flash(c, N_("Film créé : envoyez maintenant son fichier vidéo."));
    return web_redirect(c, arena_printf(c->a, "/films/%lld/fichier", (long long)id));
}

static struct film_input input_of(const struct film *f, int *download)
{
    struct film_input in = {0};
    in.title = f->title;
    in.synopsis = f->synopsis;
    in.year = f->year;
    in.genre = f->genre;
    in.language = f->language;
    in.licence = f->licence;
    in.visibility = visibility_level_name(f->visibility);
    *download = f->download_allowed;
    in.themes = f->themes;
    in.nthemes = f->nthemes;
    in.tags = f->tags;
    in.ntags = f->ntags;
    return in;
}

static json_t *people_json(struct ctx *c, const struct film *f, struct participant *ps, int np)
{
    json_t *arr = json_array();
    for (int j = 0; j < np; j++) {
        int on = 0;
        for (int k = 0; k < f->nappearing; k++)
            on |= f->appearing[k] == ps[j].id;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ps[j].id));
        json_object_set_new(o, "name", web_str(ps[j].display_name));
        json_object_set_new(o, "checked", json_boolean(on));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The page of credits, people appearing, captions and poster. */
static int extras_page(struct ctx *c, int status, const struct film *f, const struct group *g,
                       const char *error, const char *section)
{
    struct db *db = web_db(c);
    struct participant *ps;
    int np;
    struct err e = {0};
    if (participant_list(db, c->a, g->id, &ps, &np, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, f, g));
    json_t *rows = json_array();
    for (int i = 0; i < f->ncredits + FILM_FORM_CREDIT_ROWS; i++) {
        const struct film_credit *cr = i < f->ncredits ? &f->credits[i] : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "n", json_integer(i));
        json_object_set_new(o, "role", web_str(cr ? cr->role : ""));
        json_object_set_new(o, "name", web_str(cr && !cr->participant_id ? cr->name : ""));
        json_t *opts = json_array();
        for (int j = 0; j < np; j++) {
            json_t *p = json_object();
            json_object_set_new(p, "id", json_integer(ps[j].id));
            json_object_set_new(p, "name", web_str(ps[j].display_name));
            json_object_set_new(p, "selected", json_boolean(cr && cr->participant_id == ps[j].id));
            json_array_append_new(opts, p);
        }
        json_object_set_new(o, "participants", opts);
        json_array_append_new(rows, o);
    }
    json_object_set_new(m, "credit_rows", rows);
    json_object_set_new(m, "people", people_json(c, f, ps, np));
    json_object_set_new(m, "has_people", json_boolean(np > 0));
    struct film_signer s = {0};
    int public_ = film_can_see(db, NULL, g, f);
    json_object_set_new(m, "captions", web_film_captions_json(c, &s, f, public_));
    json_object_set_new(m, "has_captions", json_boolean(f->ncaptions > 0));
    json_object_set_new(m, "caption_max_kb", json_integer(FILM_CAPTION_BYTES_MAX / 1024));
    if (web_film_is_ready(f)) {
        json_t *posters = json_array();
        for (int i = 1; i <= FILM_POSTERS; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "n", json_integer(i));
            json_object_set_new(
                o, "src",
                web_str(web_film_url(c, &s, f, public_, arena_printf(c->a, "poster-%d.jpg", i))));
            json_object_set_new(o, "checked", json_boolean(i == (f->poster >= 1 ? f->poster : 1)));
            json_array_append_new(posters, o);
        }
        json_object_set_new(m, "posters", posters);
        json_object_set_new(m, "has_posters", json_true());
    }
    if (error && section) {
        json_t *er = json_object();
        json_object_set_new(er, section, web_str(error));
        json_object_set_new(m, "section_errors", er);
    }
    return web_page(c, status, "film/extras", m);
}

int web_film_edit(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    int download;
    struct film_input in = input_of(&f, &download);
    return record_form(c, 200, &f, &g, &in, download, 0, NULL);
}

int web_film_update(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    struct film_input in = {0};
    int download;
    read_record(c, &in, &download);
    struct err e = {0};
    if (film_update(web_db(c), &c->user, f.id, &in, &e)) {
        if (e.status == 422)
            return record_form(c, 422, &f, &g, &in, download, 0, &e);
        return web_err(c, &e);
    }
    web_flash(c, N_("Film enregistré."));
    return web_redirect(c, web_film_page_url(c, f.id));
}

int web_film_extras(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    return extras_page(c, 200, &f, &g, NULL, NULL);
}

static const char *extras_url(struct ctx *c, const struct film *f)
{
    return arena_printf(c->a, "/films/%lld/generique", (long long)f->id);
}

int web_film_credits(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    struct film_credit *cr = arena_alloc(c->a, sizeof *cr * (FILM_CREDITS_MAX + 1));
    int ncr = 0;
    int64_t *app = arena_alloc(c->a, sizeof *app * (FILM_APPEARING_MAX + 1));
    int napp = 0;
    for (int i = 0; i < FILM_CREDITS_MAX + FILM_FORM_CREDIT_ROWS && ncr <= FILM_CREDITS_MAX; i++) {
        const char *role = http_form(c->r, arena_printf(c->a, "role_%d", i));
        const char *who = http_form(c->r, arena_printf(c->a, "participant_%d", i));
        const char *name = http_form(c->r, arena_printf(c->a, "name_%d", i));
        int64_t pid = 0;
        if (who && *who && web_parse_id(who, &pid))
            return extras_page(c, 422, &f, &g,
                               web_t(c, N_("Seuls les participants du groupe peuvent être "
                                           "crédités.")),
                               "credits");
        if ((!role || !*role) && !pid && (!name || !*name))
            continue; /* an empty line */
        cr[ncr].role = role ? role : "";
        cr[ncr].participant_id = pid;
        cr[ncr].name = pid ? NULL : (name ? name : "");
        ncr++;
    }
    for (size_t i = 0; i < c->r->form.n && napp <= FILM_APPEARING_MAX; i++) {
        if (strcmp(c->r->form.items[i].key, "appearing"))
            continue;
        int64_t id;
        if (web_parse_id(c->r->form.items[i].value, &id))
            return extras_page(c, 422, &f, &g,
                               web_t(c, N_("Seuls les participants du groupe peuvent être "
                                           "identifiés.")),
                               "credits");
        app[napp++] = id;
    }
    struct film_input in = {0};
    in.year = -1;
    in.entry_id = -1;
    in.poster = -1;
    in.credits = cr;
    in.ncredits = ncr;
    in.appearing = app;
    in.nappearing = napp;
    struct err e = {0};
    if (film_update(web_db(c), &c->user, f.id, &in, &e)) {
        if (e.status == 422)
            return extras_page(c, 422, &f, &g, e.msg, "credits");
        return web_err(c, &e);
    }
    web_flash(c, N_("Générique enregistré."));
    return web_redirect(c, extras_url(c, &f));
}

int web_film_poster(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    struct film_input in = {0};
    in.year = -1;
    in.entry_id = -1;
    in.poster = form_int(c, "poster");
    if (in.poster < 1)
        in.poster = FILM_POSTERS + 1; /* refused by the domain with its message */
    struct err e = {0};
    if (film_update(web_db(c), &c->user, f.id, &in, &e)) {
        if (e.status == 422)
            return extras_page(c, 422, &f, &g, e.msg, "poster");
        return web_err(c, &e);
    }
    web_flash(c, N_("Affiche choisie."));
    return web_redirect(c, extras_url(c, &f));
}

int web_film_caption_upload(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    const struct http_file *file = http_file_get(c->r, "captions");
    const char *lang = http_form(c->r, "lang");
    int sdh = http_form(c->r, "sdh") != NULL;
    if (!file || !file->len)
        return extras_page(c, 422, &f, &g,
                           web_t(c, N_("Choisissez un fichier de sous-titres WebVTT ou SRT.")),
                           "captions");
    struct err e = {0};
    if (film_caption_put(web_db(c), &c->user, f.id, g_app.data_dir, lang ? lang : "", sdh,
                         file->data, file->len, &e)) {
        if (e.status == 422 || e.status == 413)
            return extras_page(c, e.status, &f, &g, e.msg, "captions");
        return web_err(c, &e);
    }
    web_flash(c, N_("Sous-titres enregistrés."));
    return web_redirect(c, extras_url(c, &f));
}

int web_film_caption_delete(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    const char *lang = http_form(c->r, "lang");
    int sdh = form_int(c, "sdh") == 1;
    struct err e = {0};
    if (film_caption_delete(web_db(c), &c->user, f.id, g_app.data_dir, lang ? lang : "", sdh, &e))
        return web_err(c, &e);
    web_flash(c, N_("Sous-titres supprimés."));
    return web_redirect(c, extras_url(c, &f));
}

int web_film_upload_page(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, &f, &g));
    json_object_set_new(m, "tus_js", web_str(assets_url("vendor/tus.min.js")));
    json_object_set_new(m, "upload_js", web_str(assets_url("js/upload.js")));
    json_object_set_new(m, "max_gb", json_integer((json_int_t)(FILM_MAX_BYTES >> 30)));
    json_object_set_new(m, "replace", json_boolean(strcmp(f.status, "draft") != 0));
    json_object_set_new(m, "processing", json_boolean(!strcmp(f.status, "processing")));
    return web_page(c, 200, "film/upload", m);
}

int web_film_retry(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    struct err e = {0};
    if (film_retry(web_db(c), &c->user, f.id, &e))
        return web_err(c, &e);
    web_flash(c, N_("Le traitement du film recommence."));
    return web_redirect(c, web_film_page_url(c, f.id));
}

int web_film_delete_confirm(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, &f, &g));
    return web_page(c, 200, "film/delete", m);
}

int web_film_delete(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load_editable(c, &f, &g, &rc))
        return rc;
    struct err e = {0};
    if (film_delete(web_db(c), &c->user, f.id, g_app.data_dir, &e))
        return web_err(c, &e);
    web_flash(c, N_("Film supprimé."));
    return web_redirect(c, arena_printf(c->a, "/groupes/%s", g.slug));
}
