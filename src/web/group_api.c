/* web/group_api: the JSON API of workshop groups (/api/v1/groups): the groups a caller may
 * see, their participants and consents (for those who manage the group) and their audit log.
 * Every visibility decision is asked of src/visibility.h, as on the HTML side (group.c). */
#include "web/handlers.h"
#include "audit.h"
#include "consent.h"
#include "coordination.h"
#include "group.h"
#include "logbook.h"
#include "participant.h"
#include "visibility.h"
#include "web/user.h"

#include <stdlib.h>
#include <string.h>

enum {
    /* a group has at most PARTICIPANT_PER_GROUP_MAX participants: one page holds them all */
    API_PARTICIPANTS_PER_PAGE_DEFAULT = 100,
    API_PARTICIPANTS_PER_PAGE_MAX = PARTICIPANT_PER_GROUP_MAX,
    API_CONSENTS_PER_PAGE_DEFAULT = 50,
    API_CONSENTS_PER_PAGE_MAX = 200,
    /* coordinations named in one answer, remembered so each is read once */
    API_COORDS_CACHED = 32,
};

static const char *const NOT_A_STRING = N_("Ce champ doit être une chaîne de caractères.");
static const char *const NOT_A_FLAG = N_("Ce champ doit valoir true ou false.");

/* ---- helpers ---- */

static json_t *id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

/* A text member: NULL when absent, "" for null, else the string (a refusal otherwise). */
static const char *get_text(struct ctx *c, json_t *body, const char *key, json_t *fields)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return NULL;
    if (json_is_null(v))
        return "";
    if (json_is_string(v))
        return json_string_value(v);
    web_field_error(c, fields, key, NOT_A_STRING);
    return NULL;
}

/* A boolean member into *out: 1 when given, 0 when absent (*out untouched), -1 refused. */
static int get_flag(struct ctx *c, json_t *body, const char *key, json_t *fields, int *out)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        web_field_error(c, fields, key, NOT_A_FLAG);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

static int refuse_fields(struct ctx *c, json_t *fields)
{
    return web_problem_fields(c, 422, "Certains champs sont invalides.", fields);
}

/* ---- loading what the path names ---- */

/* ---- groups as JSON ---- */

/* Coordinations already read in this answer. */
struct coord_cache {
    int n;
    int64_t id[API_COORDS_CACHED];
    const char *slug[API_COORDS_CACHED], *name[API_COORDS_CACHED];
};

/* {id, slug, name} of coordination id, or null for 0. NULL with e on a database error. */
static json_t *coordination_ref(struct ctx *c, struct coord_cache *cc, int64_t id, struct err *e)
{
    if (id <= 0)
        return json_null();
    int k;
    for (k = 0; k < cc->n && cc->id[k] != id; k++)
        ;
    if (k == cc->n) {
        struct coordination co;
        if (coordination_get_by_id(web_db(c), c->a, id, &co, e))
            return NULL;
        if (cc->n < API_COORDS_CACHED)
            cc->n++;
        else
            k = API_COORDS_CACHED - 1;
        cc->id[k] = id;
        cc->slug[k] = co.slug;
        cc->name[k] = co.name;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "slug", web_str(cc->slug[k]));
    json_object_set_new(o, "name", web_str(cc->name[k]));
    return o;
}

/* A group as the API shows it in lists and on its own. NULL with e on a database error. */
static json_t *group_json(struct ctx *c, struct coord_cache *cc, const struct group *g,
                          struct err *e)
{
    json_t *coord = coordination_ref(c, cc, g->coordination_id, e);
    if (!coord)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(g->id));
    json_object_set_new(o, "slug", web_str(g->slug));
    json_object_set_new(o, "title", web_str(g->title));
    json_object_set_new(o, "year", json_integer(g->year));
    json_t *st = json_object();
    json_object_set_new(st, "id", json_integer(g->structure_id));
    json_object_set_new(st, "name", web_str(g->structure_name));
    json_object_set_new(o, "structure", st);
    json_object_set_new(o, "coordination", coord);
    json_object_set_new(o, "description", web_str(g->description));
    json_t *fac = json_array();
    const char *p = g->facilitators ? g->facilitators : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n)
            json_array_append_new(fac, web_str(arena_strndup(c->a, p, n)));
        p += n;
        if (*p)
            p++;
    }
    json_object_set_new(o, "facilitators", fac);
    const char *sl = group_status_label(g->status);
    json_object_set_new(o, "status", web_str(g->status));
    json_object_set_new(o, "status_label", web_str(sl ? web_t(c, sl) : g->status));
    json_object_set_new(o, "visibility", web_str(visibility_level_name(g->visibility)));
    json_object_set_new(o, "visibility_label",
                        web_str(web_t(c, visibility_level_label(g->visibility))));
    json_object_set_new(o, "is_protected", json_boolean(g->is_protected));
    json_object_set_new(o, "require_comment_approval", json_boolean(g->require_comment_approval));
    /* the cover is a photo like any other: named only to those who may see it */
    json_t *cover = json_object();
    web_photo_cover(c, cover, g);
    json_object_set_new(o, "cover_photo_id",
                        id_or_null(json_object_get(cover, "cover") ? g->cover_photo_id : 0));
    json_decref(cover);
    json_object_set_new(o, "created_at", web_str(user_iso_utc(c, g->created_at)));
    json_object_set_new(o, "updated_at", web_str(user_iso_utc(c, g->updated_at)));
    return o;
}

/* The group on its own: group_json, what the caller may do with it, and its participants'
 * names for its own circle only (null for everyone else). */
static int answer_group(struct ctx *c, int status, const struct group *g)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct coord_cache cc = {0};
    json_t *o = group_json(c, &cc, g, &e);
    if (!o)
        return web_err(c, &e);
    const struct account *v = web_viewer(c);
    json_object_set_new(o, "can_manage", json_boolean(v && group_can_manage(db, v, g)));
    json_object_set_new(o, "can_write", json_boolean(logbook_can_write(db, v, g)));
    if (visibility_can_see_names(db, v, g)) {
        struct participant *ps;
        int n;
        if (participant_list(db, c->a, g->id, &ps, &n, &e)) {
            json_decref(o);
            return web_err(c, &e);
        }
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) {
            json_t *p = json_object();
            json_object_set_new(p, "id", json_integer(ps[i].id));
            json_object_set_new(p, "display_name", web_str(ps[i].display_name));
            json_array_append_new(arr, p);
        }
        json_object_set_new(o, "participants", arr);
    } else {
        json_object_set_new(o, "participants", json_null());
    }
    return web_json(c, status, o);
}

/* ---- groups ---- */

int web_api_group_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    int rc;
    struct group_filter f = {.viewer = web_viewer(c)};
    if (web_read_paging(c, GROUP_PER_PAGE_DEFAULT, GROUP_PER_PAGE_MAX, &f.page, &f.per_page, &rc))
        return rc;
    const char *v = http_query(c->r, "coordination");
    if (v && *v) {
        struct coordination co;
        int64_t id;
        if (web_parse_id(v, &id) == 0 ? coordination_get_by_id(db, c->a, id, &co, &e)
                                      : coordination_get(db, c->a, v, &co, &e)) {
            if (e.status != 404)
                return web_err(c, &e);
            err_field(&e, 400, "coordination", "Coordination inconnue.");
            return web_err(c, &e);
        }
        f.coordination_id = co.id;
    }
    v = http_query(c->r, "structure");
    if (v && *v && web_parse_id(v, &f.structure_id)) {
        err_field(&e, 400, "structure",
                  "Le paramètre structure doit être le numéro d'une structure.");
        return web_err(c, &e);
    }
    v = http_query(c->r, "year");
    if (v && *v) {
        char *end;
        long y = strtol(v, &end, 10);
        if (*end || y < GROUP_YEAR_MIN || y > GROUP_YEAR_MAX) {
            err_field(&e, 400, "year", "Le paramètre year doit être une année de %d à %d.",
                      GROUP_YEAR_MIN, GROUP_YEAR_MAX);
            return web_err(c, &e);
        }
        f.year = (int)y;
    }
    f.status = http_query(c->r, "status");
    f.q = http_query(c->r, "q");

    struct group *items;
    int n;
    int64_t total;
    if (group_list(db, c->a, &f, &items, &n, &total, &e))
        return web_err(c, &e);
    struct coord_cache cc = {0};
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = group_json(c, &cc, &items[i], &e);
        if (!o) {
            json_decref(arr);
            return web_err(c, &e);
        }
        json_array_append_new(arr, o);
    }
    return web_json(c, 200, web_list_body(arr, f.page, f.per_page, total));
}

int web_api_group_get(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load(c, &g, &rc))
        return rc;
    return answer_group(c, 200, &g);
}

/* Where the members of a group body are kept while the domain reads them. */
struct group_body {
    struct group_input in;
    int is_protected, require_comment_approval;
};

/* Reads the members of a group body into gb->in: absent members stay unset (a PUT keeps
 * them). facilitators is a list of names (or the names one a line); structure_id may also
 * come as the {"id": ...} object GET returns, so a fetched group can be sent back as is. */
static void read_group_body(struct ctx *c, json_t *body, struct group_body *gb, json_t *fields)
{
    struct group_input *in = &gb->in;
    memset(gb, 0, sizeof *gb);
    in->title = get_text(c, body, "title", fields);
    in->slug = get_text(c, body, "slug", fields);
    in->description = get_text(c, body, "description", fields);
    in->status = get_text(c, body, "status", fields);
    in->visibility = get_text(c, body, "visibility", fields);

    json_t *y = json_object_get(body, "year");
    if (y) {
        json_int_t v = json_is_integer(y) ? json_integer_value(y) : 0;
        if (!json_is_integer(y))
            web_field_error(c, fields, "year", "L'année doit être un nombre, par exemple 2026.");
        /* out of range: any value the domain refuses with its own message (0 would mean
         * "keep" or "missing") */
        in->year = v >= 1 && v <= GROUP_YEAR_MAX ? (int)v : -1;
    }

    json_t *s = json_object_get(body, "structure_id");
    if (!s) {
        json_t *so = json_object_get(body, "structure");
        if (json_is_object(so))
            s = json_object_get(so, "id");
    }
    if (s) {
        if (!json_is_integer(s))
            web_field_error(c, fields, "structure_id", "La structure s'indique par son numéro.");
        else
            in->structure_id = json_integer_value(s) > 0 ? json_integer_value(s) : -1;
    }

    json_t *fac = json_object_get(body, "facilitators");
    if (fac && json_is_array(fac)) {
        struct buf b;
        buf_init(&b, 0);
        size_t i;
        json_t *x;
        json_array_foreach(fac, i, x)
        {
            if (!json_is_string(x)) {
                web_field_error(c, fields, "facilitators",
                                "Les intervenants s'indiquent par une liste de noms.");
                break;
            }
            if (i)
                buf_putc(&b, '\n');
            buf_puts(&b, json_string_value(x));
        }
        in->facilitators = arena_strdup(c->a, buf_cstr(&b));
        buf_free(&b);
    } else if (fac) {
        in->facilitators = get_text(c, body, "facilitators", fields);
    }

    if (get_flag(c, body, "is_protected", fields, &gb->is_protected) == 1)
        in->is_protected = &gb->is_protected;
    if (get_flag(c, body, "require_comment_approval", fields, &gb->require_comment_approval) == 1)
        in->require_comment_approval = &gb->require_comment_approval;
}

int web_api_group_create(struct ctx *c)
{
    int rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct group_body gb;
    read_group_body(c, body, &gb, fields);
    if (json_object_size(fields)) {
        json_decref(body);
        return refuse_fields(c, fields);
    }
    json_decref(fields);
    struct err e = {0};
    int64_t id;
    if (group_create(web_db(c), &c->user, &gb.in, &id, &e)) {
        json_decref(body);
        return web_err(c, &e);
    }
    json_decref(body); /* gb.in points into it until here */
    struct group g;
    if (group_get(web_db(c), c->a, id, &g, &e))
        return web_err(c, &e);
    http_add_header(c->r, "Location", arena_printf(c->a, "/api/v1/groups/%s", g.slug));
    return answer_group(c, 201, &g);
}

int web_api_group_update(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct group_body gb;
    read_group_body(c, body, &gb, fields);
    if (json_object_size(fields)) {
        json_decref(body);
        return refuse_fields(c, fields);
    }
    json_decref(fields);
    struct err e = {0};
    /* group_update checks the visibility against the protection (422), who may lift a
     * protection (403), and writes the audit entries of both in its transaction */
    if (group_update(web_db(c), &c->user, g.id, &gb.in, &e)) {
        json_decref(body);
        return web_err(c, &e);
    }
    json_decref(body);
    if (group_get(web_db(c), c->a, g.id, &g, &e))
        return web_err(c, &e);
    return answer_group(c, 200, &g);
}

/* ---- consents as JSON ---- */

static json_t *consent_json(struct ctx *c, const struct consent *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "level", web_str(visibility_level_name(r->level)));
    json_object_set_new(o, "effective_level", web_str(visibility_level_name(r->effective)));
    json_object_set_new(o, "parent_agreed", json_boolean(r->parent_agreed));
    json_object_set_new(o, "young_agreed", json_boolean(r->minor_agreed));
    json_object_set_new(o, "under15", json_boolean(r->under15));
    json_object_set_new(o, "signed_on", web_day_json(r->signed_on));
    json_object_set_new(o, "expires_on", web_day_json(r->expires_on));
    json_object_set_new(o, "note", web_str(r->note));
    json_object_set_new(o, "withdrawn", json_boolean(r->withdrawn));
    json_t *by = json_object();
    json_object_set_new(by, "id", id_or_null(r->recorded_by));
    json_object_set_new(by, "name", web_str(r->recorded_by_name));
    json_object_set_new(o, "recorded_by", by);
    json_object_set_new(o, "recorded_at", web_str(user_iso_utc(c, r->recorded_at)));
    json_object_set_new(o, "supersedes_id", id_or_null(r->supersedes_id));
    return o;
}

/* ---- participants ---- */

/* A participant for those who manage the group: the name, the age band, the account (its
 * login only) and the consent in force today. NULL with e on a database error. */
static json_t *participant_json(struct ctx *c, const struct participant *p, int64_t today,
                                struct err *e)
{
    struct db *db = web_db(c);
    struct consent cur;
    if (consent_current(db, c->a, p->id, today, &cur, e))
        return NULL;
    json_t *acct = json_null();
    if (p->user_id > 0) {
        struct account u;
        struct err le = {0};
        if (account_get(db, c->a, p->user_id, &u, &le) == 0) {
            acct = json_object();
            json_object_set_new(acct, "id", json_integer(u.id));
            json_object_set_new(acct, "login", web_str(u.login));
        } else if (le.status != 404) {
            *e = le;
            return NULL;
        }
    }
    const struct participant_age_band *band = participant_age_band(p->age_band);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "display_name", web_str(p->display_name));
    json_object_set_new(o, "age_band", web_str(p->age_band));
    json_object_set_new(o, "age_band_label", web_str(band ? web_t(c, band->label) : p->age_band));
    json_object_set_new(o, "under15", json_boolean(p->under15));
    json_object_set_new(o, "account", acct);
    json_object_set_new(o, "consent_level",
                        web_str(visibility_level_name(consent_effective_level(&cur, today))));
    json_object_set_new(o, "consent", cur.id ? consent_json(c, &cur) : json_null());
    json_object_set_new(o, "created_at", web_str(user_iso_utc(c, p->created_at)));
    json_object_set_new(o, "updated_at", web_str(user_iso_utc(c, p->updated_at)));
    return o;
}

static int answer_participant(struct ctx *c, int status, int64_t id)
{
    struct participant p;
    struct err e = {0};
    if (participant_get(web_db(c), c->a, id, &p, &e))
        return web_err(c, &e);
    json_t *o = participant_json(c, &p, consent_today(), &e);
    if (!o)
        return web_err(c, &e);
    return web_json(c, status, o);
}

int web_api_participant_list(struct ctx *c)
{
    struct group g;
    int rc, page, per_page;
    if (web_group_load_managed(c, &g, &rc) ||
        web_read_paging(c, API_PARTICIPANTS_PER_PAGE_DEFAULT, API_PARTICIPANTS_PER_PAGE_MAX, &page,
                        &per_page, &rc))
        return rc;
    struct err e = {0};
    struct participant *ps;
    int n, from, to;
    if (participant_list(web_db(c), c->a, g.id, &ps, &n, &e))
        return web_err(c, &e);
    web_page_slice(n, page, per_page, &from, &to);
    int64_t today = consent_today();
    json_t *arr = json_array();
    for (int i = from; i < to; i++) {
        json_t *o = participant_json(c, &ps[i], today, &e);
        if (!o) {
            json_decref(arr);
            return web_err(c, &e);
        }
        json_array_append_new(arr, o);
    }
    return web_json(c, 200, web_list_body(arr, page, per_page, n));
}

int web_api_participant_get(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    return answer_participant(c, 200, p.id);
}

/* "account": {"login", "password"} asks for a participant account (pseudonym and password
 * given by the supervisor, no e-mail), named like the participant. 1 when asked (an is
 * filled), 0 when absent, 2 for null (no account: unlink), -1 refused (fields says why). */
static int read_account(struct ctx *c, json_t *body, const char *name, struct account_new *an,
                        json_t *fields)
{
    json_t *v = json_object_get(body, "account");
    if (!v)
        return 0;
    if (json_is_null(v))
        return 2;
    json_t *login = json_object_get(v, "login"), *pw = json_object_get(v, "password");
    if (!json_is_object(v) || !json_is_string(login) || !json_is_string(pw)) {
        web_field_error(c, fields, "account",
                        "Le compte s'indique par un objet {\"login\": ..., \"password\": ...}.");
        return -1;
    }
    memset(an, 0, sizeof *an);
    an->login = json_string_value(login);
    an->password = json_string_value(pw);
    an->display_name = name;
    an->role = ROLE_PARTICIPANT;
    return 1;
}

/* account_create's refusals name its own fields: the API's body nests them in "account". */
static void account_field(struct err *e)
{
    if (!e->field)
        return;
    if (!strcmp(e->field, "login"))
        e->field = "account.login";
    else if (!strcmp(e->field, "password"))
        e->field = "account.password";
}

/* Reads the participant members of body into in (absent ones left as they are). */
static void read_participant_body(struct ctx *c, json_t *body, struct participant_input *in,
                                  json_t *fields)
{
    in->display_name = get_text(c, body, "display_name", fields);
    in->age_band = get_text(c, body, "age_band", fields);
    json_t *u = json_object_get(body, "under15");
    if (u && json_is_boolean(u))
        in->under15 = json_is_true(u);
    else if (u && !json_is_null(u))
        web_field_error(c, fields, "under15", NOT_A_FLAG);
}

/* Creates (id 0) or updates participant id of g from the JSON body, with the account it
 * asks for, in one transaction; answers with the participant as stored. */
static int save_participant(struct ctx *c, const struct group *g, const struct participant *cur)
{
    int rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct participant_input in = {.under15 = -1, .user_id = cur ? -1 : 0};
    read_participant_body(c, body, &in, fields);
    struct account_new an;
    const char *name = in.display_name ? in.display_name : cur ? cur->display_name : "";
    int acct = read_account(c, body, name, &an, fields);
    if (acct == 2)
        in.user_id = 0;
    if (json_object_size(fields)) {
        json_decref(body);
        return refuse_fields(c, fields);
    }
    json_decref(fields);

    struct db *db = web_db(c);
    struct err e = {0};
    if (acct == 1 && cur && cur->user_id > 0) {
        json_decref(body);
        err_field(&e, 409, "account",
                  "Ce participant a déjà un compte : retirez-le d'abord (\"account\": null).");
        return web_err(c, &e);
    }
    int64_t id = cur ? cur->id : 0;
    if (db_begin(db, &e)) {
        json_decref(body);
        return web_err(c, &e);
    }
    int bad = 0;
    if (acct == 1 && account_create(db, &an, &in.user_id, &e)) {
        account_field(&e);
        bad = 1;
    }
    if (!bad)
        bad = cur ? participant_update(db, &c->user, id, &in, &e)
                  : participant_add(db, &c->user, g->id, &in, &id, &e);
    if (!bad)
        bad = db_commit(db, &e);
    json_decref(body); /* in and an point into it until here */
    if (bad) {
        db_rollback(db);
        return web_err(c, &e);
    }
    if (!cur)
        http_add_header(
            c->r, "Location",
            arena_printf(c->a, "/api/v1/groups/%s/participants/%lld", g->slug, (long long)id));
    return answer_participant(c, cur ? 200 : 201, id);
}

int web_api_participant_create(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    return save_participant(c, &g, NULL);
}

int web_api_participant_update(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    return save_participant(c, &g, &p);
}

/* ---- consents ---- */

int web_api_consent_list(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc, page, per_page;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc) ||
        web_read_paging(c, API_CONSENTS_PER_PAGE_DEFAULT, API_CONSENTS_PER_PAGE_MAX, &page,
                        &per_page, &rc))
        return rc;
    struct err e = {0};
    struct consent *hist;
    int n, from, to;
    if (consent_history(web_db(c), c->a, p.id, consent_today(), &hist, &n, &e))
        return web_err(c, &e);
    web_page_slice(n, page, per_page, &from, &to);
    json_t *arr = json_array();
    for (int i = from; i < to; i++)
        json_array_append_new(arr, consent_json(c, &hist[i]));
    return web_json(c, 200, web_list_body(arr, page, per_page, n));
}

/* Answers 201 with the record now in force (the one just appended), its Location the
 * participant's history, whose first item it is. */
static int answer_new_consent(struct ctx *c, const struct group *g, const struct participant *p)
{
    struct consent cur;
    struct err e = {0};
    if (consent_current(web_db(c), c->a, p->id, consent_today(), &cur, &e))
        return web_err(c, &e);
    http_add_header(c->r, "Location",
                    arena_printf(c->a, "/api/v1/groups/%s/participants/%lld/consents", g->slug,
                                 (long long)p->id));
    return web_json(c, 201, consent_json(c, &cur));
}

int web_api_consent_record(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    json_t *body = web_json_body(c, &rc);
    if (!body)
        return rc;
    json_t *fields = json_object();
    struct consent_input in = {0};
    in.level = get_text(c, body, "level", fields);
    if (!json_object_get(fields, "level") && (!in.level || !*in.level))
        web_field_error(c, fields, "level", "Choisissez le niveau de diffusion accepté.");
    get_flag(c, body, "parent_agreed", fields, &in.parent_agreed);
    get_flag(c, body, "young_agreed", fields, &in.minor_agreed);
    in.signed_on = get_text(c, body, "signed_on", fields);
    in.expires_on = get_text(c, body, "expires_on", fields);
    in.note = get_text(c, body, "note", fields);
    if (json_object_size(fields)) {
        json_decref(body);
        return refuse_fields(c, fields);
    }
    json_decref(fields);
    struct err e = {0};
    int bad = consent_record(web_db(c), &c->user, p.id, &in, &e);
    json_decref(body);
    if (bad) {
        /* the domain's name for the young person's box; the API calls it young_agreed */
        if (e.field && !strcmp(e.field, "minor_agreed"))
            e.field = "young_agreed";
        return web_err(c, &e);
    }
    return answer_new_consent(c, &g, &p);
}

int web_api_consent_withdraw(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    /* the body is optional: {"note": "..."} */
    json_t *body = NULL;
    const char *note = NULL;
    if (c->r->body.len) {
        if (!(body = web_json_body(c, &rc)))
            return rc;
        json_t *fields = json_object();
        note = get_text(c, body, "note", fields);
        if (json_object_size(fields)) {
            json_decref(body);
            return refuse_fields(c, fields);
        }
        json_decref(fields);
    }
    struct err e = {0};
    int bad = consent_withdraw(web_db(c), &c->user, p.id, note, &e);
    json_decref(body);
    if (bad)
        return web_err(c, &e);
    return answer_new_consent(c, &g, &p);
}

/* ---- the audit log ---- */

static const char *subject_label(struct ctx *c, const char *s)
{
    if (!strcmp(s, AUDIT_CONSENT))
        return web_t(c, "Consentement");
    if (!strcmp(s, AUDIT_CONSENT_WITHDRAWAL))
        return web_t(c, "Retrait de consentement");
    if (!strcmp(s, AUDIT_GROUP_VISIBILITY))
        return web_t(c, "Visibilité de la page");
    if (!strcmp(s, AUDIT_GROUP_PROTECTED))
        return web_t(c, "Groupe protégé");
    if (!strcmp(s, AUDIT_ENTRY_VISIBILITY))
        return web_t(c, "Visibilité d'une entrée");
    return s;
}

int web_api_group_audit(struct ctx *c)
{
    struct group g;
    int rc;
    struct db *db = web_db(c);
    if (web_group_load(c, &g, &rc))
        return rc;
    if (!group_can_manage(db, &c->user, &g) && !audit_can_read(&c->user, g.coordination_id))
        return web_error(c, 403,
                         "Le journal est réservé aux encadrants du groupe et à sa coordination.");
    struct audit_filter f = {.group_id = g.id};
    if (web_read_paging(c, AUDIT_PER_PAGE_DEFAULT, AUDIT_PER_PAGE_MAX, &f.page, &f.per_page, &rc))
        return rc;
    struct audit_entry *items;
    int n, np;
    int64_t total;
    struct participant *ps;
    struct err e = {0};
    /* the readers of the log are the group's own circle: consent entries name the person */
    if (audit_list(db, c->a, &f, &items, &n, &total, &e) ||
        participant_list(db, c->a, g.id, &ps, &np, &e))
        return web_err(c, &e);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct audit_entry *a = &items[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(a->id));
        json_object_set_new(o, "at", web_str(user_iso_utc(c, a->at)));
        json_t *actor = json_null();
        if (a->actor_user_id > 0) {
            actor = json_object();
            json_object_set_new(actor, "id", json_integer(a->actor_user_id));
            json_object_set_new(actor, "login", web_str(a->actor_login));
            json_object_set_new(actor, "name", web_str(a->actor_name));
        }
        json_object_set_new(o, "actor", actor);
        json_object_set_new(o, "subject", web_str(a->subject));
        json_object_set_new(o, "subject_label", web_str(subject_label(c, a->subject)));
        json_object_set_new(o, "subject_id", id_or_null(a->subject_id));
        json_t *who = json_null();
        if (!strncmp(a->subject, "consent", 7))
            for (int k = 0; k < np; k++)
                if (ps[k].id == a->subject_id) {
                    who = json_object();
                    json_object_set_new(who, "id", json_integer(ps[k].id));
                    json_object_set_new(who, "display_name", web_str(ps[k].display_name));
                }
        json_object_set_new(o, "participant", who);
        json_object_set_new(o, "before", web_str(a->before));
        json_object_set_new(o, "after", web_str(a->after));
        json_array_append_new(arr, o);
    }
    return web_json(c, 200, web_list_body(arr, f.page, f.per_page, total));
}
