/* web/film: the film pages: the film's page with its player, credits and processing status,
 * the embed page, the library with its filters, the films shown on a group's page and on
 * the home page, the Atom feed, search and sitemap entries. The forms are in film_edit.c,
 * media files in film_media.c, the API in film_api.c, collections in film_collection_web.c. */
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
    FILM_HOME_MAX = 4,        /* newest public films on the home page */
    FILM_GROUP_MAX = 12,      /* films on a group's page */
    FILM_REFRESH_SECONDS = 10 /* meta refresh of a processing film's page without JS */
};

const char *web_film_page_url(struct ctx *c, int64_t id)
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

const char *web_film_label(struct ctx *c, const struct film_choice *list, const char *code)
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
        group_get(db, c->a, f->group_id, g, &e) || !film_can_see(db, web_viewer(c), g, f)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, FILM_NOT_FOUND);
        return -1;
    }
    return 0;
}

/* The film of the first parameter, which the viewer may edit (403 otherwise). */
int web_film_load_editable(struct ctx *c, struct film *f, struct group *g, int *rc)
{
    if (web_film_load(c, web_param(c, 0), f, g, rc))
        return -1;
    if (!film_can_edit(web_db(c), web_viewer(c), g)) {
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

int web_film_is_ready(const struct film *f)
{
    return f->status && !strcmp(f->status, "ready");
}

json_t *web_film_card(struct ctx *c, struct film_signer *s, const struct film *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "title", web_str(f->title));
    json_object_set_new(o, "url", web_str(web_film_page_url(c, f->id)));
    json_object_set_new(o, "year", json_integer(f->year));
    json_object_set_new(o, "genre", web_str(web_film_label(c, film_genres, f->genre)));
    json_object_set_new(o, "group_title", web_str(f->group_title));
    json_object_set_new(o, "group_url", web_str(arena_printf(c->a, "/groupes/%s", f->group_slug)));
    if (web_film_is_ready(f)) {
        struct group g;
        struct err e = {0};
        int public_ = group_get(web_db(c), c->a, f->group_id, &g, &e) == 0 &&
                      film_can_see(web_db(c), NULL, &g, f);
        json_object_set_new(o, "poster",
                            web_str(web_film_url(c, s, f, public_, poster_file(c, f))));
        json_object_set_new(o, "duration", web_str(web_film_duration(c, f->duration)));
    } else {
        json_object_set_new(o, "status", web_str(web_film_label(c, film_statuses, f->status)));
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

json_t *web_film_captions_json(struct ctx *c, struct film_signer *s, const struct film *f,
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
    json_object_set_new(p, "captions", web_film_captions_json(c, &s, f, public_));
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

json_t *web_film_json(struct ctx *c, const struct film *f, const struct group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "title", web_str(f->title));
    json_object_set_new(o, "synopsis", web_str(f->synopsis));
    json_object_set_new(o, "url", web_str(web_film_page_url(c, f->id)));
    json_object_set_new(o, "year", json_integer(f->year));
    json_object_set_new(o, "genre", web_str(web_film_label(c, film_genres, f->genre)));
    json_object_set_new(o, "licence", web_str(web_film_label(c, film_licences, f->licence)));
    json_object_set_new(o, "language", web_str(f->language));
    json_object_set_new(o, "status", web_str(f->status));
    json_object_set_new(o, "status_label", web_str(web_film_label(c, film_statuses, f->status)));
    json_object_set_new(o, "visibility_label",
                        web_str(web_t(c, visibility_level_label(f->visibility))));
    if (f->duration > 0)
        json_object_set_new(o, "duration", web_str(web_film_duration(c, f->duration)));
    json_t *th = json_array();
    for (int i = 0; i < f->nthemes; i++)
        json_array_append_new(th, web_str(web_film_label(c, film_themes, f->themes[i])));
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
    int names = visibility_can_see_names(db, web_viewer(c), &g);
    int can_edit = film_can_edit(db, web_viewer(c), &g);
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, &f, &g));
    json_object_set_new(m, "credits", credits_json(c, &f, names));
    json_object_set_new(m, "has_credits", json_boolean(f.ncredits > 0));
    if (web_film_is_ready(&f))
        player_model(c, m, &f, public_);
    else if (can_edit)
        status_model(c, m, &f);
    json_object_set_new(m, "can_edit", json_boolean(can_edit));
    web_film_collections_model(c, m, &f);
    json_object_set_new(m, "public", json_boolean(public_));
    if (public_ && web_film_is_ready(&f))
        json_object_set_new(
            m, "embed_url",
            web_str(arena_printf(c->a, "%s/films/%lld/embed", g_app.base_url ? g_app.base_url : "",
                                 (long long)f.id)));
    c->indexable = public_ && web_film_is_ready(&f);
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
        group_get(db, c->a, f.group_id, &g, &e) || !web_film_is_ready(&f) ||
        !film_can_see(db, NULL, &g, &f)) {
        if (e.status && e.status != 404)
            return web_err(c, &e);
        return web_error(c, 404, FILM_NOT_FOUND);
    }
    c->r->frame_ancestors = "*";
    json_t *m = json_object();
    json_object_set_new(m, "f", web_film_json(c, &f, &g));
    player_model(c, m, &f, 1);
    return web_page(c, 200, "film/embed", m);
}

/* ---- the library and collections ---- */

json_t *web_film_choices(struct ctx *c, const struct film_choice *list, const char *selected)
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
    f->viewer = web_viewer(c);
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
    json_object_set_new(m, "genres", web_film_choices(c, film_genres, f->genre));
    json_object_set_new(m, "themes", web_film_choices(c, film_themes, f->theme));
    json_object_set_new(m, "sorts", web_film_choices(c, sorts, f->sort));
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

void web_film_group_model(struct ctx *c, json_t *m, const struct group *g)
{
    struct film_filter f = {0};
    f.viewer = web_viewer(c);
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
                        json_boolean(film_can_edit(web_db(c), web_viewer(c), g)));
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
    f.viewer = web_viewer(c);
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
            (*paths)[*n] = web_film_page_url(c, fs[i].id);
            (*updated)[*n] = fs[i].updated_at;
            (*n)++;
        }
        if (k < FILM_PER_PAGE_MAX || (int64_t)page * FILM_PER_PAGE_MAX >= total)
            break;
    }
    return 0;
}
