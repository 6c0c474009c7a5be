/* web/film: the film pages: the film's page with its player, credits and processing status,
 * the embed page, the library with its filters, collection pages, the forms that create and
 * edit a film (record, credits, captions, poster) and the upload page, plus the films shown
 * on a group's page and on the home page. Media files are served by film_media.c, the API by
 * film_api.c. */
#include "web/film_web.h"
#include "web/handlers.h"
#include "coordination.h"
#include "participant.h"
#include "web/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const FILM_NOT_FOUND = N_("Film introuvable.");

enum {
    FILM_HOME_MAX = 4,         /* newest public films on the home page */
    FILM_GROUP_MAX = 12,       /* films on a group's page */
    FILM_FORM_CREDIT_ROWS = 3, /* empty credit lines offered below the existing ones */
    FILM_REFRESH_SECONDS = 10  /* meta refresh of a processing film's page without JS */
};

const struct account *web_film_viewer(struct ctx *c)
{
    return c->user.role == ROLE_ANON ? NULL : &c->user;
}

static const char *film_url(struct ctx *c, int64_t id)
{
    return arena_printf(c->a, "/films/%lld", (long long)id);
}

const char *web_film_duration(struct ctx *c, double seconds)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        return arena_printf(c->a, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
    return arena_printf(c->a, "%ld min %02ld s", s / 60, s % 60);
}

static const char *label(struct ctx *c, const struct film_choice *list, const char *code)
{
    const char *l = code ? film_choice_label(list, code) : NULL;
    return l ? web_t(c, l) : (code ? code : "");
}

int web_film_load(struct ctx *c, const char *id_param, struct film *f, struct group *g, int *rc)
{
    struct db *db = web_db(c);
    int64_t id;
    struct err e = {0};
    if (web_parse_id(id_param, &id) || film_get(db, c->a, id, f, &e) ||
        group_get(db, c->a, f->group_id, g, &e) || !film_can_see(db, web_film_viewer(c), g, f)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, FILM_NOT_FOUND);
        return -1;
    }
    return 0;
}

/* The film of the first parameter, which the viewer may edit (403 otherwise). */
static int load_editable(struct ctx *c, struct film *f, struct group *g, int *rc)
{
    if (web_film_load(c, web_param(c, 0), f, g, rc))
        return -1;
    if (!film_can_edit(web_db(c), web_film_viewer(c), g)) {
        *rc = web_error(c, 403,
                        N_("Seuls les membres du groupe et ses encadrants peuvent "
                           "modifier ce film."));
        return -1;
    }
    return 0;
}

static const char *poster_file(struct ctx *c, const struct film *f)
{
    return arena_printf(c->a, "poster-%d.jpg", f->poster >= 1 ? f->poster : 1);
}

static int is_ready(const struct film *f)
{
    return f->status && !strcmp(f->status, "ready");
}

json_t *web_film_card(struct ctx *c, struct film_signer *s, const struct film *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "title", web_str(f->title));
    json_object_set_new(o, "url", web_str(film_url(c, f->id)));
    json_object_set_new(o, "year", json_integer(f->year));
    json_object_set_new(o, "genre", web_str(label(c, film_genres, f->genre)));
    json_object_set_new(o, "group_title", web_str(f->group_title));
    json_object_set_new(o, "group_url", web_str(arena_printf(c->a, "/groupes/%s", f->group_slug)));
    if (is_ready(f)) {
        struct group g;
        struct err e = {0};
        int public_ = group_get(web_db(c), c->a, f->group_id, &g, &e) == 0 &&
                      film_can_see(web_db(c), NULL, &g, f);
        json_object_set_new(o, "poster",
                            web_str(web_film_url(c, s, f, public_, poster_file(c, f))));
        json_object_set_new(o, "duration", web_str(web_film_duration(c, f->duration)));
    } else {
        json_object_set_new(o, "status", web_str(label(c, film_statuses, f->status)));
    }
    return o;
}

static json_t *cards(struct ctx *c, struct film *fs, int n)
{
    struct film_signer s = {0};
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, web_film_card(c, &s, &fs[i]));
    return arr;
}

/* ---- the film's page ---- */

static json_t *credits_json(struct ctx *c, const struct film *f, int names)
{
    json_t *arr = json_array();
    for (int i = 0; i < f->ncredits; i++) {
        const struct film_credit *cr = &f->credits[i];
        json_t *o = json_object();
        json_object_set_new(o, "role", web_str(cr->role));
        /* a participant's name only within the group's circle, like photo tags; a
         * facilitator's name is public (the group's page shows it) */
        if (!cr->participant_id || names)
            json_object_set_new(o, "name", web_str(cr->name));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *captions_json(struct ctx *c, struct film_signer *s, const struct film *f,
                             int public_)
{
    json_t *arr = json_array();
    for (int i = 0; i < f->ncaptions; i++) {
        const struct film_caption *cp = &f->captions[i];
        json_t *o = json_object();
        json_object_set_new(o, "src", web_str(web_film_url(c, s, f, public_, cp->file)));
        json_object_set_new(o, "lang", web_str(cp->lang));
        json_object_set_new(o, "label", web_str(cp->label));
        json_object_set_new(o, "kind", web_str(cp->sdh ? "captions" : "subtitles"));
        json_object_set_new(o, "sdh", json_boolean(cp->sdh));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* What the player needs: the master playlist, the MP4, the poster and the captions. */
static void player_model(struct ctx *c, json_t *m, const struct film *f, int public_)
{
    struct film_signer s = {0};
    json_t *p = json_object();
    json_object_set_new(p, "hls", web_str(web_film_url(c, &s, f, public_, "hls/master.m3u8")));
    json_object_set_new(p, "mp4", web_str(web_film_url(c, &s, f, public_, "film.mp4")));
    json_object_set_new(p, "poster", web_str(web_film_url(c, &s, f, public_, poster_file(c, f))));
    json_object_set_new(p, "width", json_integer(f->width > 0 ? f->width : 1280));
    json_object_set_new(p, "height", json_integer(f->height > 0 ? f->height : 720));
    json_object_set_new(p, "captions", captions_json(c, &s, f, public_));
    json_object_set_new(m, "player", p);
    json_object_set_new(m, "hls_js", web_str(assets_url("vendor/hls.min.js")));
    json_object_set_new(m, "player_js", web_str(assets_url("js/player.js")));
    if (f->download_allowed) {
        const char *mp4 = web_film_url(c, &s, f, public_, "film.mp4");
        json_object_set_new(
            m, "download",
            web_str(arena_printf(c->a, "%s%sdownload=1", mp4, strchr(mp4, '?') ? "&" : "?")));
    }
}

static json_t *film_json(struct ctx *c, const struct film *f, const struct group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "title", web_str(f->title));
    json_object_set_new(o, "synopsis", web_str(f->synopsis));
    json_object_set_new(o, "url", web_str(film_url(c, f->id)));
    json_object_set_new(o, "year", json_integer(f->year));
    json_object_set_new(o, "genre", web_str(label(c, film_genres, f->genre)));
    json_object_set_new(o, "licence", web_str(label(c, film_licences, f->licence)));
    json_object_set_new(o, "language", web_str(f->language));
    json_object_set_new(o, "status", web_str(f->status));
    json_object_set_new(o, "status_label", web_str(label(c, film_statuses, f->status)));
    json_object_set_new(o, "visibility_label",
                        web_str(web_t(c, visibility_level_label(f->visibility))));
    if (f->duration > 0)
        json_object_set_new(o, "duration", web_str(web_film_duration(c, f->duration)));
    json_t *th = json_array();
    for (int i = 0; i < f->nthemes; i++)
        json_array_append_new(th, web_str(label(c, film_themes, f->themes[i])));
    json_object_set_new(o, "themes", th);
    json_object_set_new(o, "has_themes", json_boolean(f->nthemes > 0));
    json_t *tg = json_array();
    for (int i = 0; i < f->ntags; i++)
        json_array_append_new(tg, web_str(f->tags[i]));
    json_object_set_new(o, "tags", tg);
    json_object_set_new(o, "has_tags", json_boolean(f->ntags > 0));
    json_t *gr = json_object();
    json_object_set_new(gr, "title", web_str(g->title));
    json_object_set_new(gr, "slug", web_str(g->slug));
    json_object_set_new(o, "group", gr);
    if (f->entry_id)
        json_object_set_new(o, "entry_url",
                            web_str(arena_printf(c->a, "/groupes/%s/carnet/%lld", g->slug,
                                                 (long long)f->entry_id)));
    return o;
}

/* The processing state for the film's editors: progress while processing, the message and
 * the ways out after a failure, the way to the upload page before any file. */
static void status_model(struct ctx *c, json_t *m, const struct film *f)
{
    const char *st = f->status ? f->status : "";
    json_t *o = json_object();
    json_object_set_new(o, "state", web_str(st));
    json_object_set_new(o, "url",
                        web_str(arena_printf(c->a, "/api/v1/films/%lld/status", (long long)f->id)));
    json_object_set_new(o, "upload_url",
                        web_str(arena_printf(c->a, "/films/%lld/fichier", (long long)f->id)));
    json_object_set_new(o, "progress", json_integer(f->progress));
    if (f->eta_seconds >= 0)
        json_object_set_new(o, "eta", web_str(web_film_duration(c, f->eta_seconds)));
    int processing = !strcmp(st, "processing");
    json_object_set_new(o, "processing", json_boolean(processing));
    json_object_set_new(o, "failed", json_boolean(!strcmp(st, "failed")));
    json_object_set_new(o, "waiting",
                        json_boolean(!strcmp(st, "draft") || !strcmp(st, "uploading")));
    json_object_set_new(o, "error", web_str(f->error));
    json_object_set_new(m, "processing", o);
    json_object_set_new(m, "player_js", web_str(assets_url("js/player.js")));
    if (processing)
        json_object_set_new(m, "refresh", json_integer(FILM_REFRESH_SECONDS));
}

int web_film_show(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (web_film_load(c, web_param(c, 0), &f, &g, &rc))
        return rc;
    struct db *db = web_db(c);
    int public_ = film_can_see(db, NULL, &g, &f);
    int names = visibility_can_see_names(db, web_film_viewer(c), &g);
    int can_edit = film_can_edit(db, web_film_viewer(c), &g);
    json_t *m = json_object();
    json_object_set_new(m, "f", film_json(c, &f, &g));
    json_object_set_new(m, "credits", credits_json(c, &f, names));
    json_object_set_new(m, "has_credits", json_boolean(f.ncredits > 0));
    if (is_ready(&f))
        player_model(c, m, &f, public_);
    else if (can_edit)
        status_model(c, m, &f);
    json_object_set_new(m, "can_edit", json_boolean(can_edit));
    json_object_set_new(m, "public", json_boolean(public_));
    if (public_ && is_ready(&f))
        json_object_set_new(
            m, "embed_url",
            web_str(arena_printf(c->a, "%s/films/%lld/embed", g_app.base_url ? g_app.base_url : "",
                                 (long long)f.id)));
    c->indexable = public_ && is_ready(&f);
    return web_page(c, 200, "film/show", m);
}

int web_film_embed(struct ctx *c)
{
    struct film f;
    struct group g;
    struct err e = {0};
    struct db *db = web_db(c);
    int64_t id;
    /* public films only, whoever asks: an embed is shown on other sites */
    if (web_parse_id(web_param(c, 0), &id) || film_get(db, c->a, id, &f, &e) ||
        group_get(db, c->a, f.group_id, &g, &e) || !is_ready(&f) ||
        !film_can_see(db, NULL, &g, &f)) {
        if (e.status && e.status != 404)
            return web_err(c, &e);
        return web_error(c, 404, FILM_NOT_FOUND);
    }
    c->r->frame_ancestors = "*";
    json_t *m = json_object();
    json_object_set_new(m, "f", film_json(c, &f, &g));
    player_model(c, m, &f, 1);
    return web_page(c, 200, "film/embed", m);
}

/* ---- the library and collections ---- */

static json_t *choices(struct ctx *c, const struct film_choice *list, const char *selected)
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

static int query_int(struct ctx *c, const char *name)
{
    const char *v = http_query(c->r, name);
    if (!v || !*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        return 0;
    return atoi(v);
}

/* A link to another page of the same list: every filter kept, page replaced. */
static const char *page_link(struct ctx *c, const char *base, int page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, base);
    char sep = '?';
    for (size_t i = 0; i < c->r->query.n; i++) {
        const struct kv *kv = &c->r->query.items[i];
        if (!strcmp(kv->key, "page") || !*kv->value)
            continue;
        buf_printf(&b, "%c", sep);
        buf_url(&b, kv->key, strlen(kv->key));
        buf_puts(&b, "=");
        buf_url(&b, kv->value, strlen(kv->value));
        sep = '&';
    }
    buf_printf(&b, "%cpage=%d", sep, page);
    const char *out = arena_strndup(c->a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

static void pager(struct ctx *c, json_t *m, const char *base, int page, int per_page, int64_t total)
{
    int pages = (int)((total + per_page - 1) / per_page);
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "page", json_integer(page));
    json_object_set_new(m, "pages", json_integer(pages ? pages : 1));
    if (page > 1)
        json_object_set_new(m, "prev_url", web_str(page_link(c, base, page - 1)));
    if (page < pages)
        json_object_set_new(m, "next_url", web_str(page_link(c, base, page + 1)));
}

static const struct film_choice sorts[] = {
    {"new", N_("Les plus récents")},
    {"old", N_("Les plus anciens")},
    {"title", N_("Titre")},
    {"year", N_("Année")},
    {NULL, NULL},
};

/* The filters of the query string into f, and the form's model into m. */
static int library_filter(struct ctx *c, json_t *m, struct film_filter *f, struct err *e)
{
    struct db *db = web_db(c);
    memset(f, 0, sizeof *f);
    f->viewer = web_film_viewer(c);
    const char *q = http_query(c->r, "q");
    const char *genre = http_query(c->r, "genre");
    const char *theme = http_query(c->r, "theme");
    const char *sort = http_query(c->r, "sort");
    const char *coord = http_query(c->r, "coordination");
    const char *coll = http_query(c->r, "collection");
    f->q = q && *q ? q : NULL;
    f->genre = genre && film_choice_label(film_genres, genre) ? genre : NULL;
    f->theme = theme && film_choice_label(film_themes, theme) ? theme : NULL;
    f->sort = sort && film_choice_label(sorts, sort) ? sort : "new";
    f->year = query_int(c, "year");
    f->page = query_int(c, "page");
    if (f->page < 1 || f->page > WEB_PAGE_MAX)
        f->page = 1;
    f->per_page = FILM_PER_PAGE_DEFAULT;
    struct coordination *cs;
    int nc;
    if (coordination_names(db, c->a, &cs, &nc, e))
        return -1;
    json_t *carr = json_array();
    for (int i = 0; i < nc; i++) {
        int sel = coord && !strcmp(coord, cs[i].slug);
        if (sel)
            f->coordination_id = cs[i].id;
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(cs[i].slug));
        json_object_set_new(o, "label", web_str(cs[i].name));
        json_object_set_new(o, "selected", json_boolean(sel));
        json_array_append_new(carr, o);
    }
    struct film_collection *cl;
    int ncl;
    if (film_collection_list(db, c->a, &cl, &ncl, e))
        return -1;
    json_t *clarr = json_array();
    for (int i = 0; i < ncl; i++) {
        int sel = coll && !strcmp(coll, cl[i].slug);
        if (sel)
            f->collection_id = cl[i].id;
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(cl[i].slug));
        json_object_set_new(o, "label", web_str(cl[i].title));
        json_object_set_new(o, "url",
                            web_str(arena_printf(c->a, "/films/collections/%s", cl[i].slug)));
        json_object_set_new(o, "selected", json_boolean(sel));
        json_array_append_new(clarr, o);
    }
    json_t *v = json_object();
    json_object_set_new(v, "q", web_str(f->q));
    if (f->year)
        json_object_set_new(v, "year", json_integer(f->year));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "coordinations", carr);
    json_object_set_new(m, "collections", clarr);
    json_object_set_new(m, "has_collections", json_boolean(ncl > 0));
    json_object_set_new(m, "genres", choices(c, film_genres, f->genre));
    json_object_set_new(m, "themes", choices(c, film_themes, f->theme));
    json_object_set_new(m, "sorts", choices(c, sorts, f->sort));
    return 0;
}

int web_film_list(struct ctx *c)
{
    struct err e = {0};
    json_t *m = json_object();
    struct film_filter f;
    if (library_filter(c, m, &f, &e)) {
        json_decref(m);
        return web_err(c, &e);
    }
    struct film *fs;
    int n;
    int64_t total;
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e)) {
        json_decref(m);
        return web_err(c, &e);
    }
    json_object_set_new(m, "films", cards(c, fs, n));
    json_object_set_new(m, "has_films", json_boolean(n > 0));
    pager(c, m, "/films", f.page, f.per_page, total);
    json_object_set_new(m, "can_create", json_boolean(web_is(c, ROLE_PARTICIPANT)));
    c->indexable = c->r->query.n == 0;
    c->feed_url = "/films.atom";
    c->feed_title = web_t(c, N_("Nouveaux films d'atelier"));
    return web_page(c, 200, "film/list", m);
}

int web_film_collection(struct ctx *c)
{
    struct err e = {0};
    struct film_collection col;
    if (film_collection_get_by_slug(web_db(c), c->a, web_param(c, 0), &col, &e))
        return e.status == 404 ? web_error(c, 404, N_("Collection introuvable.")) : web_err(c, &e);
    struct film_filter f = {0};
    f.viewer = web_film_viewer(c);
    f.collection_id = col.id;
    f.sort = "new";
    f.page = query_int(c, "page");
    if (f.page < 1 || f.page > WEB_PAGE_MAX)
        f.page = 1;
    f.per_page = FILM_PER_PAGE_DEFAULT;
    struct film *fs;
    int n;
    int64_t total;
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_t *o = json_object();
    json_object_set_new(o, "title", web_str(col.title));
    json_object_set_new(o, "description", web_str(col.description));
    json_object_set_new(m, "collection", o);
    json_object_set_new(m, "films", cards(c, fs, n));
    json_object_set_new(m, "has_films", json_boolean(n > 0));
    pager(c, m, arena_printf(c->a, "/films/collections/%s", col.slug), f.page, f.per_page, total);
    c->indexable = c->r->query.n == 0;
    return web_page(c, 200, "film/collection", m);
}

void web_film_group_model(struct ctx *c, json_t *m, const struct group *g)
{
    struct film_filter f = {0};
    f.viewer = web_film_viewer(c);
    f.group_id = g->id;
    f.sort = "new";
    f.include_unready = 1;
    f.page = 1;
    f.per_page = FILM_GROUP_MAX;
    struct film *fs;
    int n;
    int64_t total;
    struct err e = {0};
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        n = 0;
    json_object_set_new(m, "films", cards(c, fs, n));
    json_object_set_new(m, "has_films", json_boolean(n > 0));
    json_object_set_new(m, "can_add_film",
                        json_boolean(film_can_edit(web_db(c), web_film_viewer(c), g)));
}

void web_film_home_model(struct ctx *c, json_t *m)
{
    struct film_filter f = {0};
    f.viewer = NULL; /* the home page shows the same to everyone: public films */
    f.public_only = 1;
    f.sort = "new";
    f.page = 1;
    f.per_page = FILM_HOME_MAX;
    struct film *fs;
    int n;
    int64_t total;
    struct err e = {0};
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        n = 0;
    json_object_set_new(m, "films", cards(c, fs, n));
    json_object_set_new(m, "has_films", json_boolean(n > 0));
}

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
    json_object_set_new(m, "genres", choices(c, film_genres, in->genre));
    json_object_set_new(m, "licences", choices(c, film_licences, in->licence));
    json_object_set_new(m, "visibilities",
                        choices(c, visibilities, in->visibility ? in->visibility : "group"));
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
        json_object_set_new(m, "action", web_str(film_url(c, f->id)));
        json_object_set_new(m, "f", film_json(c, f, g));
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
    json_object_set_new(m, "f", film_json(c, f, g));
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
    json_object_set_new(m, "captions", captions_json(c, &s, f, public_));
    json_object_set_new(m, "has_captions", json_boolean(f->ncaptions > 0));
    json_object_set_new(m, "caption_max_kb", json_integer(FILM_CAPTION_BYTES_MAX / 1024));
    if (is_ready(f)) {
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
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
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
    return web_redirect(c, film_url(c, f.id));
}

int web_film_extras(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
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
    if (load_editable(c, &f, &g, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "f", film_json(c, &f, &g));
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
    if (load_editable(c, &f, &g, &rc))
        return rc;
    struct err e = {0};
    if (film_retry(web_db(c), &c->user, f.id, &e))
        return web_err(c, &e);
    web_flash(c, N_("Le traitement du film recommence."));
    return web_redirect(c, film_url(c, f.id));
}

int web_film_delete_confirm(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (load_editable(c, &f, &g, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "f", film_json(c, &f, &g));
    return web_page(c, 200, "film/delete", m);
}

int web_film_delete(struct ctx *c)
{
    struct film f;
    struct group g;
    int rc;
    if (load_editable(c, &f, &g, &rc))
        return rc;
    struct err e = {0};
    if (film_delete(web_db(c), &c->user, f.id, g_app.data_dir, &e))
        return web_err(c, &e);
    web_flash(c, N_("Film supprimé."));
    return web_redirect(c, arena_printf(c->a, "/groupes/%s", g.slug));
}

/* ---- the Atom feed of new public films ---- */

static void xml_text(struct buf *b, const char *s)
{
    buf_html(b, s ? s : "", s ? strlen(s) : 0);
}

int web_film_feed(struct ctx *c)
{
    struct film_filter f = {0};
    f.viewer = NULL;
    f.public_only = 1;
    f.sort = "new";
    f.page = 1;
    f.per_page = 20;
    struct film *fs;
    int n;
    int64_t total;
    struct err e = {0};
    if (film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        return web_err(c, &e);
    const char *base = g_app.base_url ? g_app.base_url : "";
    struct buf b;
    buf_init(&b, 0);
    int64_t updated = 0;
    for (int i = 0; i < n; i++)
        if (fs[i].processed_at > updated)
            updated = fs[i].processed_at;
    char ts[32];
    time_t t = updated ? (time_t)updated : time(NULL); /* an empty feed: now */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                 "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
    xml_text(&b, web_t(c, N_("Nouveaux films d'atelier")));
    buf_printf(&b,
               "</title>\n<id>%s/films.atom</id>\n<link rel=\"self\" href=\"%s/films.atom\"/>\n"
               "<link rel=\"alternate\" href=\"%s/films\"/>\n<updated>%s</updated>\n",
               base, base, base, ts);
    buf_puts(&b, "<author><name>Lanterne</name></author>\n");
    for (int i = 0; i < n; i++) {
        t = (time_t)(fs[i].processed_at ? fs[i].processed_at : fs[i].created_at);
        gmtime_r(&t, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_puts(&b, "<entry>\n<title>");
        xml_text(&b, fs[i].title);
        buf_printf(&b,
                   "</title>\n<id>%s/films/%lld</id>\n<link href=\"%s/films/%lld\"/>\n"
                   "<updated>%s</updated>\n<summary>",
                   base, (long long)fs[i].id, base, (long long)fs[i].id, ts);
        xml_text(&b, fs[i].synopsis);
        buf_puts(&b, "</summary>\n</entry>\n");
    }
    buf_puts(&b, "</feed>\n");
    return web_body(c, 200, "application/atom+xml; charset=utf-8", &b);
}

/* ---- the site search and the sitemap ---- */

enum {
    FILM_SEARCH_MAX = 6,         /* films shown above "all the films that match" */
    FILM_SITEMAP_PAGES_MAX = 500 /* pages of FILM_PER_PAGE_MAX films */
};

void web_film_search_model(struct ctx *c, json_t *m, const char *q)
{
    struct film_filter f = {0};
    f.viewer = web_film_viewer(c);
    f.q = q;
    f.sort = "new";
    f.page = 1;
    f.per_page = FILM_SEARCH_MAX;
    struct film *fs;
    int n;
    int64_t total;
    struct err e = {0};
    if (!q || !*q || film_list(web_db(c), c->a, &f, &fs, &n, &total, &e))
        return;
    json_object_set_new(m, "films", cards(c, fs, n));
    json_object_set_new(m, "has_films", json_boolean(n > 0));
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "/films?q=");
    buf_url(&b, q, strlen(q));
    json_object_set_new(m, "films_url", web_str(buf_cstr(&b)));
    buf_free(&b);
}

int web_film_sitemap(struct ctx *c, const char ***paths, int64_t **updated, int *n, struct err *e)
{
    int cap = 64;
    *n = 0;
    *paths = arena_alloc(c->a, sizeof **paths * (size_t)cap);
    *updated = arena_alloc(c->a, sizeof **updated * (size_t)cap);
    for (int page = 1; page <= FILM_SITEMAP_PAGES_MAX; page++) {
        struct film_filter f = {0};
        f.public_only = 1; /* viewer NULL: what an anonymous visitor may see */
        f.sort = "new";
        f.page = page;
        f.per_page = FILM_PER_PAGE_MAX;
        struct film *fs;
        int k;
        int64_t total;
        if (film_list(web_db(c), c->a, &f, &fs, &k, &total, e))
            return -1;
        for (int i = 0; i < k; i++) {
            if (*n == cap) {
                cap *= 2;
                const char **np = arena_alloc(c->a, sizeof *np * (size_t)cap);
                int64_t *nu = arena_alloc(c->a, sizeof *nu * (size_t)cap);
                memcpy(np, *paths, sizeof *np * (size_t)*n);
                memcpy(nu, *updated, sizeof *nu * (size_t)*n);
                *paths = np;
                *updated = nu;
            }
            (*paths)[*n] = film_url(c, fs[i].id);
            (*updated)[*n] = fs[i].updated_at;
            (*n)++;
        }
        if (k < FILM_PER_PAGE_MAX || (int64_t)page * FILM_PER_PAGE_MAX >= total)
            break;
    }
    return 0;
}
