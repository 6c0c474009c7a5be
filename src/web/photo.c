/* web/photo: the photos of a logbook entry: the gallery model shared by the pages that show
 * them, one photo's page, the page where the entry's editors upload, describe and tag them,
 * and the media route that serves the derivatives after checking, on every request, that
 * this viewer may see this photo. */
#include "web/handlers.h"
#include "consent.h"
#include "group.h"
#include "logbook.h"
#include "participant.h"
#include "photo.h"
#include "visibility.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const PHOTO_NOT_FOUND = N_("Photo introuvable.");

/* Media answers: public photos may be cached by anyone for a short while, so a withdrawn
 * consent takes effect within minutes even behind a shared cache; the others only by the
 * viewer's browser, never by a proxy. */
static const char CACHE_PUBLIC[] = "public, max-age=300";
static const char CACHE_PRIVATE[] = "private, max-age=600";

/* ---- the gallery model ---- */

struct signer {
    unsigned char key[PHOTO_KEY_LEN];
    int ready; /* 1 key read, -1 failed */
};

/* The URL of one derivative for this viewer: plain when an anonymous visitor may see the
 * photo, signed for the viewer's account otherwise. */
static const char *file_url(struct ctx *c, struct signer *s, const struct photo *p, int public_,
                            const char *file)
{
    const char *base = arena_printf(c->a, "/media/photos/%lld/%s", (long long)p->id, file);
    if (public_)
        return base;
    if (!s->ready) {
        struct err e = {0};
        s->ready = photo_url_key(web_db(c), s->key, &e) ? -1 : 1;
    }
    if (s->ready < 0)
        return base; /* the media route will refuse it: no photo rather than a leak */
    return arena_printf(c->a, "%s?%s", base,
                        photo_url_sign(s->key, c->a, p->id, file, c->user.id, (int64_t)time(NULL)));
}

static const char *srcset(struct ctx *c, struct signer *s, const struct photo *p, int public_,
                          const char *ext)
{
    const char *out = "";
    for (int i = 0; i < IMAGE_SIZES; i++) {
        if (i && p->widths[i] <= p->widths[i - 1])
            break; /* a small picture: the larger files are the same size */
        const char *f = arena_printf(c->a, "%d.%s", image_widths[i], ext);
        out = arena_printf(c->a, "%s%s%s %dw", out, i ? ", " : "", file_url(c, s, p, public_, f),
                           p->widths[i]);
    }
    return out;
}

static const char *photo_page_url(struct ctx *c, const struct group *g,
                                  const struct logbook_entry *en, int64_t pid)
{
    return arena_printf(c->a, "/groupes/%s/carnet/%lld/photos/%lld", g->slug, (long long)en->id,
                        (long long)pid);
}

/* Names of the people tagged, for viewers allowed to see names (NULL array otherwise). */
static json_t *tag_names(struct ctx *c, const struct photo *p)
{
    json_t *arr = json_array();
    for (int i = 0; i < p->ntagged; i++) {
        struct participant pa;
        struct err e = {0};
        if (participant_get(web_db(c), c->a, p->tagged[i], &pa, &e) == 0)
            json_array_append_new(arr, web_str(pa.display_name));
    }
    return arr;
}

static json_t *photo_json(struct ctx *c, struct signer *s, const struct group *g,
                          const struct logbook_entry *en, const struct photo *p, int names)
{
    struct db *db = web_db(c);
    int public_ = photo_can_see(db, NULL, g, en, p);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "alt", web_str(p->alt));
    json_object_set_new(o, "no_alt", json_boolean(!*p->alt));
    json_object_set_new(o, "page_url", web_str(photo_page_url(c, g, en, p->id)));
    json_object_set_new(o, "srcset_webp", web_str(srcset(c, s, p, public_, "webp")));
    json_object_set_new(o, "srcset_jpg", web_str(srcset(c, s, p, public_, "jpg")));
    char f[32];
    snprintf(f, sizeof f, "%d.jpg", image_widths[1]);
    json_object_set_new(o, "src", web_str(file_url(c, s, p, public_, f)));
    snprintf(f, sizeof f, "%d.jpg", image_widths[IMAGE_SIZES - 1]);
    json_object_set_new(o, "full", web_str(file_url(c, s, p, public_, f)));
    json_object_set_new(o, "width", json_integer(p->widths[1]));
    json_object_set_new(o, "height", json_integer(p->heights[1]));
    json_object_set_new(o, "public", json_boolean(public_));
    if (names && p->ntagged) {
        json_object_set_new(o, "tags", tag_names(c, p));
        json_object_set_new(o, "has_tags", json_true());
    }
    return o;
}

void web_photos_model(struct ctx *c, json_t *m, const struct group *g,
                      const struct logbook_entry *en)
{
    struct db *db = web_db(c);
    struct photo *ps;
    int n;
    struct err e = {0};
    if (photo_list_entry(db, c->a, en->id, &ps, &n, &e))
        n = 0;
    n = photo_filter_visible(db, web_viewer(c), g, en, ps, n);
    int names = visibility_can_see_names(db, web_viewer(c), g);
    struct signer s = {0};
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, photo_json(c, &s, g, en, &ps[i], names));
    json_object_set_new(m, "photos", arr);
    json_object_set_new(m, "has_photos", json_boolean(n > 0));
}

void web_photo_cover(struct ctx *c, json_t *m, const struct group *g)
{
    if (!g->cover_photo_id)
        return;
    struct db *db = web_db(c);
    struct photo p;
    struct logbook_entry en;
    struct err e = {0};
    if (photo_get(db, c->a, g->cover_photo_id, &p, &e) || p.group_id != g->id ||
        logbook_get(db, c->a, g, p.entry_id, &en, &e) ||
        !photo_can_see(db, web_viewer(c), g, &en, &p))
        return;
    struct signer s = {0};
    json_object_set_new(m, "cover", photo_json(c, &s, g, &en, &p, 0));
}

/* ---- the media route ---- */

static int not_found(struct ctx *c)
{
    http_add_header(c->r, "Cache-Control", "no-store");
    return web_error(c, 404, PHOTO_NOT_FOUND);
}

static int send_file(struct ctx *c, const char *path, const char *ctype, const char *etag)
{
    const char *inm = http_header(c->r, "If-None-Match");
    http_add_header(c->r, "ETag", etag);
    if (inm && !strcmp(inm, etag))
        return http_respond(c->r, 304, ctype, "", 0) ? -1 : 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 || st.st_size > IMAGE_MAX_BYTES * 4) {
        if (fd >= 0)
            close(fd);
        return not_found(c);
    }
    struct buf b;
    buf_init(&b, 0);
    char chunk[65536];
    ssize_t k;
    while ((k = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)k);
    close(fd);
    if (k < 0) {
        buf_free(&b);
        return web_error(c, 500, N_("La photo n'a pas pu être lue."));
    }
    return http_respond_buf(c->r, 200, ctype, &b) ? -1 : 0;
}

int web_media_photo(struct ctx *c)
{
    struct db *db = web_db(c);
    int64_t id;
    const char *file = web_param(c, 1);
    if (web_parse_id(web_param(c, 0), &id) || !photo_file_ok(file))
        return not_found(c);
    struct photo p;
    struct group g;
    struct logbook_entry en;
    struct err e = {0};
    if (photo_get(db, c->a, id, &p, &e) || group_get(db, c->a, p.group_id, &g, &e) ||
        logbook_get(db, c->a, &g, p.entry_id, &en, &e)) {
        if (e.status && e.status != 404)
            return web_err(c, &e);
        return not_found(c);
    }
    const char *cache = CACHE_PUBLIC;
    if (!photo_can_see(db, NULL, &g, &en, &p)) {
        /* not public: this viewer must be allowed, and hold a URL signed for them */
        if (!photo_can_see(db, web_viewer(c), &g, &en, &p))
            return not_found(c);
        unsigned char key[PHOTO_KEY_LEN];
        if (photo_url_key(db, key, &e))
            return web_err(c, &e);
        if (photo_url_verify(key, p.id, file, c->user.id, http_query(c->r, "e"),
                             http_query(c->r, "s"), (int64_t)time(NULL))) {
            http_add_header(c->r, "Cache-Control", "no-store");
            return web_error(c, 403, N_("Ce lien vers la photo n'est pas valable ou a expiré."));
        }
        cache = CACHE_PRIVATE;
    }
    http_add_header(c->r, "Cache-Control", cache);
    const char *ctype = strstr(file, ".webp") ? "image/webp" : "image/jpeg";
    const char *path =
        arena_printf(c->a, "%s/%s", photo_dir(c->a, g_app.data_dir, p.storage_key), file);
    return send_file(c, path, ctype, arena_printf(c->a, "\"%s-%s\"", p.storage_key, file));
}

/* ---- one photo's page ---- */

/* The group, the entry and the photo of {slug}, {id}, {pid} that the viewer may see. */
static int load_photo(struct ctx *c, struct group *g, struct logbook_entry *en, struct photo *p,
                      int *rc)
{
    if (web_logbook_load(c, g, en, rc))
        return -1;
    int64_t pid;
    struct err e = {0};
    if (web_parse_id(web_param(c, 2), &pid) || photo_get(web_db(c), c->a, pid, p, &e) ||
        !photo_can_see(web_db(c), web_viewer(c), g, en, p)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, PHOTO_NOT_FOUND);
        return -1;
    }
    return 0;
}

static json_t *group_json(const struct group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "slug", web_str(g->slug));
    json_object_set_new(o, "title", web_str(g->title));
    return o;
}

static json_t *entry_json(struct ctx *c, const struct group *g, const struct logbook_entry *en)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(en->id));
    json_object_set_new(o, "title", web_str(en->title));
    json_object_set_new(
        o, "url",
        web_str(arena_printf(c->a, "/groupes/%s/carnet/%lld", g->slug, (long long)en->id)));
    return o;
}

int web_photo_show(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct photo p;
    int rc;
    if (load_photo(c, &g, &en, &p, &rc))
        return rc;
    struct db *db = web_db(c);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(&g));
    json_object_set_new(m, "e", entry_json(c, &g, &en));
    web_photos_model(c, m, &g, &en);
    /* this photo, and its neighbours among those the viewer may see */
    json_t *arr = json_object_get(m, "photos");
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        if (json_integer_value(json_object_get(o, "id")) != p.id)
            continue;
        json_object_set(m, "photo", o);
        json_object_set_new(m, "position", json_integer((json_int_t)i + 1));
        json_object_set_new(m, "count", json_integer((json_int_t)n));
        if (i > 0)
            json_object_set(m, "prev", json_array_get(arr, i - 1));
        if (i + 1 < n)
            json_object_set(m, "next", json_array_get(arr, i + 1));
    }
    json_object_set_new(
        m, "can_edit",
        json_boolean(logbook_can_edit(db, web_viewer(c), &g, &en) && !en.deleted_at));
    json_object_set_new(
        m, "can_report",
        json_boolean(json_is_true(json_object_get(json_object_get(m, "photo"), "public"))));
    return web_page(c, 200, "photo/show", m);
}

/* ---- the editors' page: upload, alt text, tags ---- */

/* web_logbook_load, then the right to change the entry's photos (403). */
static int load_editable(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    if (web_logbook_load(c, g, en, rc))
        return -1;
    if (en->deleted_at || !logbook_can_edit(web_db(c), web_viewer(c), g, en)) {
        *rc = web_error(c, 403,
                        N_("Seuls l'auteur de l'entrée et les encadrants du groupe peuvent "
                           "modifier ses photos."));
        return -1;
    }
    return 0;
}

static const char *level_label(struct ctx *c, enum vis_level l)
{
    return l == VIS_NONE ? web_t(c, N_("aucune diffusion")) : web_t(c, visibility_level_label(l));
}

/* Every photo of the entry (editors see them all), each with the participants as checkboxes. */
static int manage_page(struct ctx *c, int status, const struct group *g,
                       const struct logbook_entry *en, const char *error, int64_t error_photo)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct photo *ps;
    int n;
    struct participant *parts;
    int np;
    if (photo_list_entry(db, c->a, en->id, &ps, &n, &e) ||
        participant_list(db, c->a, g->id, &parts, &np, &e))
        return web_err(c, &e);
    int64_t today = consent_today();
    const char **labels = arena_alloc(c->a, sizeof *labels * (size_t)(np ? np : 1));
    for (int j = 0; j < np; j++) {
        struct consent cur;
        enum vis_level l = VIS_NONE;
        if (consent_current(db, NULL, parts[j].id, today, &cur, &e) == 0)
            l = consent_effective_level(&cur, today);
        labels[j] = level_label(c, l);
    }
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(g));
    json_object_set_new(m, "e", entry_json(c, g, en));
    struct signer s = {0};
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = photo_json(c, &s, g, en, &ps[i], 0);
        json_object_set_new(o, "action", web_str(photo_page_url(c, g, en, ps[i].id)));
        json_object_set_new(o, "is_cover", json_boolean(g->cover_photo_id == ps[i].id));
        json_t *people = json_array();
        for (int j = 0; j < np; j++) {
            int on = 0;
            for (int k = 0; k < ps[i].ntagged; k++)
                on |= ps[i].tagged[k] == parts[j].id;
            json_t *t = json_object();
            json_object_set_new(t, "id", json_integer(parts[j].id));
            json_object_set_new(t, "name", web_str(parts[j].display_name));
            json_object_set_new(t, "level", web_str(labels[j]));
            json_object_set_new(t, "checked", json_boolean(on));
            json_object_set_new(t, "input_id",
                                web_str(arena_printf(c->a, "t-%lld-%lld", (long long)ps[i].id,
                                                     (long long)parts[j].id)));
            json_array_append_new(people, t);
        }
        json_object_set_new(o, "people", people);
        json_object_set_new(o, "has_people", json_boolean(np > 0));
        if (error && error_photo == ps[i].id)
            json_object_set_new(o, "photo_error", web_str(error));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "photos", arr);
    json_object_set_new(m, "has_photos", json_boolean(n > 0));
    json_object_set_new(m, "room", json_integer(PHOTO_PER_ENTRY_MAX - n));
    json_object_set_new(m, "can_cover", json_boolean(group_can_manage(db, &c->user, g)));
    json_object_set_new(m, "max_mb", json_integer(IMAGE_MAX_BYTES / (1024 * 1024)));
    json_object_set_new(
        m, "upload_api",
        web_str(arena_printf(c->a, "/api/v1/entries/%lld/photos", (long long)en->id)));
    if (error && !error_photo)
        json_object_set_new(m, "error", web_str(error));
    return web_page(c, status, "photo/manage", m);
}

int web_photo_manage(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    return manage_page(c, 200, &g, &en, NULL, 0);
}

static const char *manage_url(struct ctx *c, const struct group *g, const struct logbook_entry *en)
{
    return arena_printf(c->a, "/groupes/%s/carnet/%lld/photos", g->slug, (long long)en->id);
}

int web_photo_upload(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    const char *alt = http_form(c->r, "alt");
    int stored = 0;
    const char *errors = NULL;
    int status = 0;
    for (const struct http_file *f = c->r->files; f; f = f->next) {
        if (strcmp(f->field, "photo"))
            continue;
        struct err e = {0};
        int64_t id;
        if (photo_add(web_db(c), &c->user, &g, &en, g_app.data_dir, f->data, f->len, alt, &id,
                      &e)) {
            if (e.status != 413 && e.status != 422)
                return web_err(c, &e);
            const char *name = f->filename && *f->filename ? f->filename : "";
            errors = arena_printf(c->a, "%s%s%s%s%s", errors ? errors : "", errors ? " " : "", name,
                                  *name ? " : " : "", e.msg);
            status = status ? status : e.status;
            continue;
        }
        stored++;
    }
    if (!stored && !errors)
        return manage_page(c, 422, &g, &en, web_t(c, N_("Choisissez au moins une photo.")), 0);
    if (errors) {
        if (stored)
            errors = web_tf(c, N_("%d photo(s) ajoutée(s). Refusée(s) : %s"), stored, errors);
        return manage_page(c, status, &g, &en, errors, 0);
    }
    web_flash(c, stored == 1 ? N_("Photo ajoutée : décrivez-la et identifiez les personnes.")
                             : N_("Photos ajoutées : décrivez-les et identifiez les personnes."));
    return web_redirect(c, manage_url(c, &g, &en));
}

int web_photo_update(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    int64_t pid;
    if (web_parse_id(web_param(c, 2), &pid))
        return web_error(c, 404, PHOTO_NOT_FOUND);
    int64_t tags[PHOTO_TAGS_MAX + 1];
    int n = 0;
    for (size_t i = 0; i < c->r->form.n; i++) {
        if (strcmp(c->r->form.items[i].key, "tag"))
            continue;
        int64_t t;
        if (web_parse_id(c->r->form.items[i].value, &t))
            return manage_page(c, 422, &g, &en,
                               web_t(c, N_("Seuls les participants du groupe peuvent être "
                                           "identifiés.")),
                               pid);
        if (n <= PHOTO_TAGS_MAX)
            tags[n++] = t;
    }
    struct err e = {0};
    const char *alt = http_form(c->r, "alt");
    if (photo_update(web_db(c), &c->user, &g, &en, pid, alt ? alt : "", tags, n, &e)) {
        if (e.status == 422)
            return manage_page(c, 422, &g, &en, e.msg, pid);
        return web_err(c, &e);
    }
    web_flash(c, N_("Photo enregistrée."));
    return web_redirect(c, manage_url(c, &g, &en));
}

int web_photo_delete_confirm(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    int64_t pid;
    struct photo p;
    struct err e = {0};
    if (web_parse_id(web_param(c, 2), &pid) || photo_get(web_db(c), c->a, pid, &p, &e) ||
        p.entry_id != en.id)
        return web_error(c, 404, PHOTO_NOT_FOUND);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(&g));
    json_object_set_new(m, "e", entry_json(c, &g, &en));
    struct signer s = {0};
    json_object_set_new(m, "photo", photo_json(c, &s, &g, &en, &p, 0));
    json_object_set_new(
        m, "action", web_str(arena_printf(c->a, "%s/supprimer", photo_page_url(c, &g, &en, pid))));
    json_object_set_new(m, "back", web_str(manage_url(c, &g, &en)));
    return web_page(c, 200, "photo/delete", m);
}

int web_photo_delete(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    int64_t pid;
    if (web_parse_id(web_param(c, 2), &pid))
        return web_error(c, 404, PHOTO_NOT_FOUND);
    struct err e = {0};
    if (photo_delete(web_db(c), &c->user, &g, &en, pid, g_app.data_dir, &e))
        return web_err(c, &e);
    web_flash(c, N_("Photo supprimée."));
    return web_redirect(c, manage_url(c, &g, &en));
}

json_t *web_photo_api_json(struct ctx *c, const struct group *g, const struct logbook_entry *en,
                           const struct photo *p)
{
    struct db *db = web_db(c);
    struct signer s = {0};
    int public_ = photo_can_see(db, NULL, g, en, p);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "entry_id", json_integer(p->entry_id));
    json_object_set_new(o, "alt", web_str(p->alt));
    json_object_set_new(o, "width", json_integer(p->width));
    json_object_set_new(o, "height", json_integer(p->height));
    json_object_set_new(o, "public", json_boolean(public_));
    json_t *ds = json_array();
    for (int i = 0; i < IMAGE_SIZES; i++) {
        json_t *d = json_object();
        json_object_set_new(d, "width", json_integer(p->widths[i]));
        json_object_set_new(d, "height", json_integer(p->heights[i]));
        const char *fw = arena_printf(c->a, "%d.webp", image_widths[i]);
        const char *fj = arena_printf(c->a, "%d.jpg", image_widths[i]);
        json_object_set_new(d, "webp", web_str(file_url(c, &s, p, public_, fw)));
        json_object_set_new(d, "jpeg", web_str(file_url(c, &s, p, public_, fj)));
        json_array_append_new(ds, d);
    }
    json_object_set_new(o, "derivatives", ds);
    if (visibility_can_see_names(db, web_viewer(c), g)) {
        json_t *t = json_array();
        for (int i = 0; i < p->ntagged; i++)
            json_array_append_new(t, json_integer(p->tagged[i]));
        json_object_set_new(o, "tagged_participants", t);
    }
    json_object_set_new(o, "created_at", json_integer(p->created_at));
    return o;
}

int web_photo_cover_set(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_editable(c, &g, &en, &rc))
        return rc;
    int64_t pid;
    struct photo p;
    struct err e = {0};
    if (web_parse_id(web_param(c, 2), &pid) || photo_get(web_db(c), c->a, pid, &p, &e) ||
        p.entry_id != en.id)
        return web_error(c, 404, PHOTO_NOT_FOUND);
    if (photo_set_cover(web_db(c), &c->user, &g, pid, &e))
        return web_err(c, &e);
    web_flash(c, N_("Photo de couverture du groupe choisie."));
    return web_redirect(c, manage_url(c, &g, &en));
}

/* The group and the entry of those ids, and the entry's photos this viewer may see. */
static int visible_photos(struct ctx *c, const struct account *who, int64_t group_id,
                          int64_t entry_id, struct group *g, struct logbook_entry *en,
                          struct photo **ps, int *n)
{
    struct db *db = web_db(c);
    struct err e = {0};
    if (group_get(db, c->a, group_id, g, &e) || logbook_get(db, c->a, g, entry_id, en, &e) ||
        !logbook_can_see(db, who, g, en) || photo_list_entry(db, c->a, entry_id, ps, n, &e))
        return -1;
    *n = photo_filter_visible(db, who, g, en, *ps, *n);
    return 0;
}

json_t *web_photo_thumb(struct ctx *c, int64_t group_id, int64_t entry_id)
{
    struct group g;
    struct logbook_entry en;
    struct photo *ps;
    int n;
    if (visible_photos(c, web_viewer(c), group_id, entry_id, &g, &en, &ps, &n) || n == 0)
        return NULL;
    struct signer s = {0};
    return photo_json(c, &s, &g, &en, &ps[0], 0);
}

const char *web_photos_public_html(struct ctx *c, int64_t group_id, int64_t entry_id)
{
    struct group g;
    struct logbook_entry en;
    struct photo *ps;
    int n;
    if (visible_photos(c, NULL, group_id, entry_id, &g, &en, &ps, &n) || n == 0)
        return "";
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++) {
        buf_printf(&b,
                   "<p><img src=\"/media/photos/%lld/%d.jpg\" width=\"%d\" height=\"%d\" alt=\"",
                   (long long)ps[i].id, image_widths[1], ps[i].widths[1], ps[i].heights[1]);
        buf_html(&b, ps[i].alt, strlen(ps[i].alt));
        buf_puts(&b, "\"></p>\n");
    }
    const char *out = arena_strndup(c->a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}
