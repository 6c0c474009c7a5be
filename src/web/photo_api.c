/* web/photo_api: the photos of logbook entries in the JSON API: list what the caller may see,
 * upload (multipart like the HTML form, or the image as the whole body), alt text and tags,
 * deletion. The same domain calls and the same visibility checks as the pages. */
#include "web/handlers.h"
#include "group.h"
#include "logbook.h"
#include "photo.h"
#include "visibility.h"

#include <string.h>

static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");
static const char *const PHOTO_NOT_FOUND = N_("Photo introuvable.");

/* The photo of the {id} parameter with its entry and group, if the caller may see it. */
static int load_photo(struct ctx *c, struct group *g, struct logbook_entry *en, struct photo *p,
                      int *rc)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, 0), &id) || photo_get(web_db(c), c->a, id, p, &e)) {
        *rc = e.status && e.status != 404 ? web_err(c, &e) : web_error(c, 404, PHOTO_NOT_FOUND);
        return -1;
    }
    int erc;
    if (web_entry_load_id(c, p->entry_id, g, en, &erc) ||
        !photo_can_see(web_db(c), web_viewer(c), g, en, p)) {
        if (!c->r->responded)
            erc = web_error(c, 404, PHOTO_NOT_FOUND);
        *rc = erc;
        return -1;
    }
    return 0;
}

static int entry_param(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id)) {
        *rc = web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    return web_entry_load_id(c, id, g, en, rc);
}

int web_api_photo_list(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (entry_param(c, &g, &en, &rc))
        return rc;
    struct db *db = web_db(c);
    struct photo *ps;
    int n;
    struct err e = {0};
    if (photo_list_entry(db, c->a, en.id, &ps, &n, &e))
        return web_err(c, &e);
    n = photo_filter_visible(db, web_viewer(c), &g, &en, ps, n);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, web_photo_api_json(c, &g, &en, &ps[i]));
    return web_json(c, 200, web_list_body(items, 1, PHOTO_PER_ENTRY_MAX, n));
}

static int answer_photo(struct ctx *c, const struct group *g, const struct logbook_entry *en,
                        int64_t id, int status)
{
    struct photo p;
    struct err e = {0};
    if (photo_get(web_db(c), c->a, id, &p, &e))
        return web_err(c, &e);
    if (status == 201)
        http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/photos/%lld", (long long)id));
    return web_json(c, status, web_photo_api_json(c, g, en, &p));
}

int web_api_photo_upload(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (entry_param(c, &g, &en, &rc))
        return rc;
    const void *data;
    size_t len;
    const char *alt;
    const struct http_file *f = http_file_get(c->r, "photo");
    if (f) {
        data = f->data;
        len = f->len;
        alt = http_form(c->r, "alt");
    } else if (c->r->content_type &&
               strncasecmp(c->r->content_type, "multipart/form-data", 19) != 0) {
        /* the image is the whole body; its declared type is ignored, the content decides */
        data = c->r->body.data;
        len = c->r->body.len;
        alt = http_query(c->r, "alt");
    } else {
        struct err e = {0};
        err_field(&e, 422, "photo", "Joignez la photo dans le champ « photo ».");
        return web_err(c, &e);
    }
    struct err e = {0};
    int64_t id;
    if (photo_add(web_db(c), &c->user, &g, &en, g_app.data_dir, data ? data : "", len, alt, &id,
                  &e))
        return web_err(c, &e);
    return answer_photo(c, &g, &en, id, 201);
}

int web_api_photo_get(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct photo p;
    int rc;
    if (load_photo(c, &g, &en, &p, &rc))
        return rc;
    return web_json(c, 200, web_photo_api_json(c, &g, &en, &p));
}

int web_api_photo_update(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct photo p;
    int rc;
    if (load_photo(c, &g, &en, &p, &rc))
        return rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    json_t *jalt = json_object_get(root, "alt");
    json_t *jtags = json_object_get(root, "tagged_participants");
    const char *alt = NULL;
    int64_t tags[PHOTO_TAGS_MAX + 1];
    int n = 0;
    if (jalt && !json_is_string(jalt))
        err_field(&e, 422, "alt", "Le texte alternatif doit être une chaîne de caractères.");
    else if (jalt)
        alt = arena_strdup(c->a, json_string_value(jalt));
    if (!e.status && jtags) {
        size_t i;
        json_t *v;
        if (!json_is_array(jtags))
            err_field(&e, 422, "tagged_participants",
                      "Les personnes identifiées sont une liste d'identifiants de participants.");
        else
            json_array_foreach(jtags, i, v)
            {
                if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                    err_field(&e, 422, "tagged_participants",
                              "Les personnes identifiées sont une liste d'identifiants de "
                              "participants.");
                    break;
                }
                if (n <= PHOTO_TAGS_MAX)
                    tags[n++] = json_integer_value(v);
            }
    }
    json_decref(root);
    if (e.status ||
        photo_update(web_db(c), &c->user, &g, &en, p.id, alt, jtags ? tags : NULL, n, &e))
        return web_err(c, &e);
    return answer_photo(c, &g, &en, p.id, 200);
}

int web_api_photo_delete(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    struct photo p;
    int rc;
    if (load_photo(c, &g, &en, &p, &rc))
        return rc;
    struct err e = {0};
    if (photo_delete(web_db(c), &c->user, &g, &en, p.id, g_app.data_dir, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}
