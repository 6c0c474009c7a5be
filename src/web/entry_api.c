/* web/entry_api: the JSON API of logbook entries: a group's entries the caller may read and
 * writing one (/api/v1/groups/{slug}/entries), then one entry by its id (/api/v1/entries/{id}):
 * reading, editing, soft deletion and its undoing, approval. Who sees what is the logbook's
 * and src/visibility.h's to say, as on the HTML side (logbook.c). */
#include "web/handlers.h"
#include "consent.h"
#include "group.h"
#include "logbook.h"
#include "visibility.h"
#include "web/user.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    API_ENTRIES_PER_PAGE_DEFAULT = 20,
    API_ENTRIES_PER_PAGE_MAX = 100,
    /* authors whose right to be named is remembered within one answer */
    API_AUTHORS_CACHED = 32,
};

static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");

/* ---- helpers ---- */

/* ---- loading what the path names ---- */

/* The entry of the {id} segment and its group, if the caller may read both: one 404 for an
 * entry that does not exist, a hidden group's, or one the caller may not read. */
static int load_entry(struct ctx *c, struct group *g, struct logbook_entry *en, int *rc)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id)) {
        *rc = web_error(c, 404, ENTRY_NOT_FOUND);
        return -1;
    }
    return web_entry_load_id(c, id, g, en, rc);
}

/* ---- entries as JSON ---- */

/* Whether an entry's author may be named to this caller, remembered per author. */
struct authors {
    int n, names; /* names: the caller is in the group's circle */
    int64_t id[API_AUTHORS_CACHED];
    int shown[API_AUTHORS_CACHED];
};

static void authors_init(struct ctx *c, const struct group *g, struct authors *au)
{
    memset(au, 0, sizeof *au);
    au->names = visibility_can_see_names(web_db(c), web_viewer(c), g);
}

/* Young people's names stay inside the group's circle (visibility_can_see_names): outside
 * it, an author is named only when their account is a supervisor's or above. A participant,
 * or an account that is gone, stays anonymous; so does anyone when reading fails. */
static int author_shown(struct ctx *c, struct authors *au, int64_t user_id)
{
    if (au->names)
        return user_id > 0;
    if (user_id <= 0)
        return 0;
    for (int k = 0; k < au->n; k++)
        if (au->id[k] == user_id)
            return au->shown[k];
    struct account u;
    struct err e = {0};
    int shown = account_get(web_db(c), c->a, user_id, &u, &e) == 0 && u.role >= ROLE_SUPERVISOR;
    if (au->n < API_AUTHORS_CACHED) {
        au->id[au->n] = user_id;
        au->shown[au->n++] = shown;
    }
    return shown;
}

static json_t *entry_json(struct ctx *c, const struct group *g, struct authors *au,
                          const struct logbook_entry *en)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(en->id));
    json_t *go = json_object();
    json_object_set_new(go, "slug", web_str(g->slug));
    json_object_set_new(go, "title", web_str(g->title));
    json_object_set_new(o, "group", go);
    json_object_set_new(o, "entry_date", web_day_json(en->entry_date));
    json_object_set_new(o, "title", web_str(en->title));
    json_object_set_new(o, "body_md", web_str(en->body_md));
    json_object_set_new(o, "body_html", web_str(logbook_render_md(c->a, en->body_md)));
    json_object_set_new(o, "visibility", web_str(visibility_level_name(en->visibility)));
    json_object_set_new(o, "status", json_string(en->published ? "published" : "pending"));
    json_t *author = json_object();
    if (author_shown(c, au, en->author_user_id)) {
        json_object_set_new(author, "id", json_integer(en->author_user_id));
        json_object_set_new(author, "name", web_str(en->author_name));
    } else {
        json_object_set_new(author, "id", json_null());
        json_object_set_new(author, "name", json_null());
    }
    json_object_set_new(o, "author", author);
    if (en->deleted_at) {
        json_object_set_new(o, "deleted_at", web_str(user_iso_utc(c, en->deleted_at)));
        json_object_set_new(
            o, "restorable_until",
            web_str(user_iso_utc(c, en->deleted_at + (int64_t)LOGBOOK_UNDO_DAYS * 86400)));
    } else {
        json_object_set_new(o, "deleted_at", json_null());
        json_object_set_new(o, "restorable_until", json_null());
    }
    json_object_set_new(o, "created_at", web_str(user_iso_utc(c, en->created_at)));
    json_object_set_new(o, "updated_at", web_str(user_iso_utc(c, en->updated_at)));
    return o;
}

/* Answers with entry id of g as stored now. */
static int answer_entry(struct ctx *c, int status, const struct group *g, int64_t id)
{
    struct logbook_entry en;
    struct err e = {0};
    if (logbook_get(web_db(c), c->a, g, id, &en, &e))
        return web_err(c, &e);
    struct authors au;
    authors_init(c, g, &au);
    return web_json(c, status, entry_json(c, g, &au, &en));
}

/* Reads the members of an entry body: absent ones stay NULL (a PUT keeps them). 0, or -1
 * once a 422 naming the members of the wrong type is sent (*rc its result). */
static int read_entry_body(struct ctx *c, json_t *body, struct logbook_input *in, int *rc)
{
    static const struct {
        const char *key;
        size_t off;
    } members[] = {
        {"title", offsetof(struct logbook_input, title)},
        {"body_md", offsetof(struct logbook_input, body_md)},
        {"visibility", offsetof(struct logbook_input, visibility)},
        {"entry_date", offsetof(struct logbook_input, entry_date)},
    };
    memset(in, 0, sizeof *in);
    json_t *fields = json_object();
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *v = json_object_get(body, members[i].key);
        const char **slot = (const char **)((char *)in + members[i].off);
        if (!v)
            continue;
        if (json_is_string(v))
            *slot = json_string_value(v);
        else if (json_is_null(v))
            *slot = "";
        else
            json_object_set_new(fields, members[i].key,
                                web_str(web_t(c, "Ce champ doit être une chaîne de caractères.")));
    }
    if (json_object_size(fields)) {
        *rc = web_problem_fields(c, 422, "Certains champs sont invalides.", fields);
        return -1;
    }
    json_decref(fields);
    return 0;
}

/* ---- a group's entries ---- */

int web_api_entry_list(struct ctx *c)
{
    struct group g;
    int rc, page, per_page;
    if (web_group_load(c, &g, &rc) ||
        web_read_paging(c, API_ENTRIES_PER_PAGE_DEFAULT, API_ENTRIES_PER_PAGE_MAX, &page, &per_page,
                        &rc))
        return rc;
    struct err e = {0};
    struct logbook_entry *items;
    int n;
    if (logbook_list(web_db(c), c->a, web_viewer(c), &g, &items, &n, &e))
        return web_err(c, &e);
    int64_t skip = (int64_t)(page - 1) * per_page;
    int from = skip > n ? n : (int)skip;
    int to = n - from < per_page ? n : from + per_page;
    struct authors au;
    authors_init(c, &g, &au);
    json_t *arr = json_array();
    for (int i = from; i < to; i++)
        json_array_append_new(arr, entry_json(c, &g, &au, &items[i]));
    return web_json(c, 200, web_list_body(arr, page, per_page, n));
}

int web_api_entry_create(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load(c, &g, &rc))
        return rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    struct logbook_input in;
    if (read_entry_body(c, body, &in, &rc)) {
        json_decref(body);
        return rc;
    }
    struct err e = {0};
    int64_t id;
    /* managers publish at once; the group's participants write a pending entry */
    int bad = logbook_create(web_db(c), &c->user, &g, &in, &id, &e);
    json_decref(body);
    if (bad)
        return web_err(c, &e);
    http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/entries/%lld", (long long)id));
    return answer_entry(c, 201, &g, id);
}

/* ---- one entry ---- */

int web_api_entry_get(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct authors au;
    authors_init(c, &g, &au);
    return web_json(c, 200, entry_json(c, &g, &au, &en));
}

int web_api_entry_update(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    struct logbook_input in;
    if (read_entry_body(c, body, &in, &rc)) {
        json_decref(body);
        return rc;
    }
    struct err e = {0};
    /* the author (still a member) or a manager; a participant's edit goes back to approval;
     * a deleted entry is a 404 until it is restored */
    int bad = logbook_update(web_db(c), &c->user, &g, en.id, &in, &e);
    json_decref(body);
    if (bad)
        return web_err(c, &e);
    return answer_entry(c, 200, &g, en.id);
}

int web_api_entry_delete(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    if (logbook_delete(web_db(c), &c->user, &g, en.id, (int64_t)time(NULL), &e))
        return web_err(c, &e);
    /* the answer says until when the deletion can be undone */
    return answer_entry(c, 200, &g, en.id);
}

int web_api_entry_restore(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    /* 409 when it is not deleted, 410 past LOGBOOK_UNDO_DAYS */
    if (logbook_undelete(web_db(c), &c->user, &g, en.id, (int64_t)time(NULL), &e))
        return web_err(c, &e);
    return answer_entry(c, 200, &g, en.id);
}

int web_api_entry_approve(struct ctx *c)
{
    struct group g;
    struct logbook_entry en;
    int rc;
    if (load_entry(c, &g, &en, &rc))
        return rc;
    struct err e = {0};
    if (logbook_approve(web_db(c), &c->user, &g, en.id, &e))
        return web_err(c, &e);
    return answer_entry(c, 200, &g, en.id);
}
