/* user_api: the users JSON API (/api/v1/users, /api/v1/me): the user as JSON, and the
 * members a client may send, checked one by one so every refusal names its field. */
#include "web/handlers.h"
#include "session.h"
#include "web/user.h"

#include <string.h>

enum {
    /* structure ids accepted in one request: a supervisor works in a handful, and the check
     * costs one query per id */
    USER_STRUCTURES_MAX = 500,
};

/* The user as JSON: never the password hash, which account never returns. */
static json_t *user_json(struct ctx *c, const struct account *u, const struct user_coords *cs,
                         struct err *e)
{
    int64_t *ids;
    int n;
    if (account_structures(web_db(c), c->a, u->id, &ids, &n, e))
        return NULL;
    json_t *coord = json_null();
    if (u->coordination_id) {
        const struct coordination *k = user_coords_find(cs, u->coordination_id);
        struct coordination one;
        if (!k) {
            if (coordination_get_by_id(web_db(c), c->a, u->coordination_id, &one, e))
                return NULL;
            k = &one;
        }
        coord = json_object();
        json_object_set_new(coord, "id", json_integer(k->id));
        json_object_set_new(coord, "slug", web_str(k->slug));
        json_object_set_new(coord, "name", web_str(k->name));
    }
    json_t *st = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(st, json_integer(ids[i]));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "login", web_str(u->login));
    json_object_set_new(o, "display_name", web_str(u->display_name));
    json_object_set_new(o, "email", web_str(u->email));
    json_object_set_new(o, "role", web_str(account_role_name(u->role)));
    json_object_set_new(o, "coordination", coord);
    json_object_set_new(o, "structures", st);
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "created_at", web_str(user_iso_utc(c, u->created_at)));
    return o;
}

/* A string member: NULL when absent (*present 0). JSON null counts as "" where allow_null. */
static const char *get_string(struct ctx *c, json_t *body, const char *key, int allow_null,
                              json_t *fields, int *present)
{
    json_t *v = json_object_get(body, key);
    *present = v != NULL;
    if (!v)
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (allow_null && json_is_null(v))
        return "";
    web_field_error(c, fields, key, "Ce champ doit être une chaîne de caractères.");
    return NULL;
}

/* "coordination": a slug, an id, or null for none. */
static void get_coordination(struct ctx *c, json_t *body, json_t *fields, int64_t *id, int *present,
                             struct err *e)
{
    json_t *v = json_object_get(body, "coordination");
    *present = v != NULL;
    if (!v)
        return;
    if (json_is_null(v)) {
        *id = 0;
    } else if (json_is_integer(v) && json_integer_value(v) > 0) {
        *id = json_integer_value(v); /* existence is checked by account */
    } else if (json_is_string(v) && *json_string_value(v)) {
        struct coordination k;
        struct err ge = {0};
        const char *s = json_string_value(v);
        if (coordination_get(web_db(c), c->a, s, &k, &ge) == 0)
            *id = k.id;
        else if (ge.status == 404 && web_parse_id(s, id) == 0)
            ; /* an id sent as a string */
        else if (ge.status == 404)
            web_field_error(c, fields, "coordination", "Coordination inconnue.");
        else
            *e = ge;
    } else {
        web_field_error(c, fields, "coordination",
                        "La coordination s'indique par son identifiant court (slug), son numéro ou "
                        "null.");
    }
}

/* "structures": an array of positive integers, duplicates ignored. */
static void get_structures(struct ctx *c, json_t *body, json_t *fields, int64_t **ids, int *n,
                           int *present)
{
    json_t *v = json_object_get(body, "structures");
    *present = v != NULL;
    *n = 0;
    if (!v)
        return;
    if (!json_is_array(v) || json_array_size(v) > USER_STRUCTURES_MAX) {
        web_field_error(c, fields, "structures",
                        "Les structures s'indiquent par une liste de numéros (500 au plus).");
        return;
    }
    size_t len = json_array_size(v);
    *ids = arena_alloc(c->a, sizeof **ids * (len ? len : 1));
    for (size_t i = 0; i < len; i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            web_field_error(c, fields, "structures",
                            "Les structures s'indiquent par une liste de numéros (500 au plus).");
            *n = 0;
            return;
        }
        if (!user_has_id(*ids, *n, json_integer_value(x)))
            (*ids)[(*n)++] = json_integer_value(x);
    }
}

static int get_role(struct ctx *c, json_t *body, json_t *fields, enum role *role, int *present)
{
    int p;
    const char *s = get_string(c, body, "role", 0, fields, &p);
    *present = p;
    if (!p || json_object_get(fields, "role"))
        return 0;
    if (account_role_parse(s, role) || *role == ROLE_ANON) {
        web_field_error(c, fields, "role",
                        "Rôle inconnu : admin, coordinator, supervisor ou participant.");
        return -1;
    }
    return 0;
}

static int api_fields(struct ctx *c, json_t *fields)
{
    return web_problem_fields(c, 422, "Certains champs sont invalides.", fields);
}

/* After the members are read: answers the refusal if there is one, a failed lookup (e) first,
 * then the members in error (fields). 1 with the answer's result in *rc and body released,
 * or 0 to go on with body. fields is consumed either way. */
static int refused(struct ctx *c, json_t *body, json_t *fields, const struct err *e, int *rc)
{
    if (!e->status && json_object_size(fields) == 0) {
        json_decref(fields);
        return 0;
    }
    json_decref(body);
    if (e->status) {
        json_decref(fields);
        *rc = web_err(c, e);
    } else {
        *rc = api_fields(c, fields);
    }
    return 1;
}

/* Answers with the user as JSON (re-read, so the answer shows what was stored). */
static int api_user(struct ctx *c, int status, int64_t id)
{
    struct err e = {0};
    struct account u;
    struct user_coords cs;
    if (account_get(web_db(c), c->a, id, &u, &e) || user_coords_load(c, &cs, &e))
        return web_err(c, &e);
    json_t *o = user_json(c, &u, &cs, &e);
    if (!o)
        return web_err(c, &e);
    return web_json(c, status, o);
}

int web_api_user_list(struct ctx *c)
{
    struct err e = {0};
    json_t *fields = json_object();
    struct account_filter f = {.role = -1, .page = 1, .per_page = ACCOUNT_PER_PAGE_DEFAULT};
    const char *v = http_query(c->r, "role");
    enum role role;
    if (v && *v) {
        if (account_role_parse(v, &role) || role == ROLE_ANON)
            web_field_error(c, fields, "role",
                            "Rôle inconnu : admin, coordinator, supervisor ou participant.");
        else
            f.role = (int)role;
    }
    f.q = http_query(c->r, "q");
    if ((v = http_query(c->r, "page")) && (f.page = user_parse_small(v, WEB_PAGE_MAX)) < 1)
        web_field_error(c, fields, "page", "La page est un nombre entier à partir de 1.");
    if ((v = http_query(c->r, "per_page")) &&
        (f.per_page = user_parse_small(v, ACCOUNT_PER_PAGE_MAX)) < 1)
        web_field_error(c, fields, "per_page", "per_page est un nombre entier de 1 à 100.");
    if (json_object_size(fields) > 0)
        return api_fields(c, fields);
    json_decref(fields);

    struct account *list;
    int n;
    int64_t total;
    struct user_coords cs;
    if (account_list(web_db(c), c->a, &f, &list, &n, &total, &e) || user_coords_load(c, &cs, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = user_json(c, &list[i], &cs, &e);
        if (!o) {
            json_decref(items);
            return web_err(c, &e);
        }
        json_array_append_new(items, o);
    }
    return web_json(c, 200, web_list_body(items, f.page, f.per_page, total));
}

int web_api_user_get(struct ctx *c)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Compte introuvable.");
    return api_user(c, 200, id);
}

int web_api_me(struct ctx *c)
{
    return api_user(c, 200, c->user.id);
}

int web_api_user_create(struct ctx *c)
{
    struct err e = {0};
    int rc, p;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct account_new an = {0};
    int64_t *sids = NULL;
    int nsids = 0, has_role = 0, disabled = 0;
    an.login = get_string(c, body, "login", 0, fields, &p);
    an.display_name = get_string(c, body, "display_name", 0, fields, &p);
    an.email = get_string(c, body, "email", 1, fields, &p);
    an.password = get_string(c, body, "password", 0, fields, &p);
    get_role(c, body, fields, &an.role, &has_role);
    if (!has_role)
        web_field_error(c, fields, "role", "Le rôle est obligatoire.");
    get_coordination(c, body, fields, &an.coordination_id, &p, &e);
    get_structures(c, body, fields, &sids, &nsids, &p);
    json_t *d = json_object_get(body, "disabled");
    if (d && !json_is_boolean(d))
        web_field_error(c, fields, "disabled", "Ce champ doit valoir true ou false.");
    disabled = d && json_is_true(d);
    if (has_role && nsids && an.role != ROLE_SUPERVISOR)
        web_field_error(c, fields, "structures",
                        "Seul·es les encadrant·es peuvent être rattaché·es à des structures.");
    if (refused(c, body, fields, &e, &rc))
        return rc;

    struct db *db = web_db(c);
    int64_t id;
    if (db_begin(db, &e)) {
        json_decref(body);
        return web_err(c, &e);
    }
    if (account_create(db, &an, &id, &e) ||
        (nsids && account_set_structures(db, id, sids, (size_t)nsids, &e)) ||
        (disabled && account_set_disabled(db, id, 1, &e)) || db_commit(db, &e)) {
        db_rollback(db);
        json_decref(body);
        user_rename_field(&e);
        return web_err(c, &e);
    }
    json_decref(body); /* strings in an point into it until here */
    http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/users/%lld", (long long)id));
    return api_user(c, 201, id);
}

int web_api_user_update(struct ctx *c)
{
    struct err e = {0};
    int64_t id;
    struct account u;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Compte introuvable.");
    if (account_get(web_db(c), c->a, id, &u, &e))
        return web_err(c, &e);
    int rc, p;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;

    /* absent members keep their stored value */
    json_t *fields = json_object();
    const char *name = get_string(c, body, "display_name", 0, fields, &p);
    if (!p)
        name = u.display_name;
    const char *email = get_string(c, body, "email", 1, fields, &p);
    if (!p)
        email = u.email;
    const char *password = get_string(c, body, "password", 0, fields, &p);
    enum role role = u.role;
    get_role(c, body, fields, &role, &p);
    int64_t coord = u.coordination_id;
    get_coordination(c, body, fields, &coord, &p, &e);
    int64_t *sids = NULL;
    int nsids = 0, has_sids = 0;
    get_structures(c, body, fields, &sids, &nsids, &has_sids);
    int disabled = u.disabled;
    json_t *d = json_object_get(body, "disabled");
    if (d && !json_is_boolean(d))
        web_field_error(c, fields, "disabled", "Ce champ doit valoir true ou false.");
    else if (d)
        disabled = json_is_true(d);
    if (has_sids && nsids && role != ROLE_SUPERVISOR)
        web_field_error(c, fields, "structures",
                        "Seul·es les encadrant·es peuvent être rattaché·es à des structures.");
    user_check_self(c, id, role, disabled, fields);
    if (refused(c, body, fields, &e, &rc))
        return rc;

    struct db *db = web_db(c);
    /* leaving the supervisor role also leaves the structures */
    int set_sids = has_sids || (u.role == ROLE_SUPERVISOR && role != ROLE_SUPERVISOR);
    if (role != ROLE_SUPERVISOR)
        nsids = 0;
    if (db_begin(db, &e)) {
        json_decref(body);
        return web_err(c, &e);
    }
    if (account_update(db, id, name, email, role, coord, &e) ||
        (password && account_set_password(db, id, password, &e)) ||
        (password &&
         session_destroy_user(db, id, id == c->user.id ? c->session_token : NULL, &e) < 0) ||
        (disabled != u.disabled && account_set_disabled(db, id, disabled, &e)) ||
        (set_sids && account_set_structures(db, id, sids, (size_t)nsids, &e)) ||
        db_commit(db, &e)) {
        db_rollback(db);
        json_decref(body);
        user_rename_field(&e);
        return web_err(c, &e);
    }
    json_decref(body);
    return api_user(c, 200, id);
}
