/* web/action_api: actions in the JSON API: the list with its filters, one action, create,
 * update (PUT: the members given replace, the others stay) and delete. The same domain calls
 * and rights as the pages; budget members only for those who may see them. */
#include "web/action_web.h"
#include "web/handlers.h"
#include "coordination.h"
#include "film.h"
#include "group.h"

#include <stdlib.h>
#include <string.h>

static json_t *strings_json(const char **v, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, web_str(v[i]));
    return arr;
}

static json_t *nullable(int has, int64_t v)
{
    return has ? json_integer(v) : json_null();
}

json_t *web_action_api_json(struct ctx *c, const struct action *a)
{
    struct db *db = web_db(c);
    const struct account *viewer = web_viewer(c);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "url", web_str(web_action_url(c, a->id)));
    json_t *co = json_object();
    json_object_set_new(co, "id", json_integer(a->coordination_id));
    json_object_set_new(co, "slug", web_str(a->coordination_slug));
    json_object_set_new(co, "name", web_str(a->coordination_name));
    json_object_set_new(o, "coordination", co);
    json_object_set_new(o, "title", web_str(a->title));
    json_object_set_new(o, "description", web_str(a->description));
    json_object_set_new(o, "type", web_str(a->type));
    json_object_set_new(o, "status", web_str(a->status));
    json_object_set_new(o, "start_date", web_str(a->start_date));
    json_object_set_new(o, "end_date", web_str(a->end_date));
    json_object_set_new(o, "year", json_integer(a->year));
    json_object_set_new(o, "month", json_integer(a->month));
    if (a->lead_structure_id) {
        json_t *l = json_object();
        json_object_set_new(l, "id", json_integer(a->lead_structure_id));
        json_object_set_new(l, "name", web_str(a->lead_structure_name));
        json_object_set_new(o, "lead_structure", l);
    } else
        json_object_set_new(o, "lead_structure", json_null());
    json_t *parr = json_array();
    for (int i = 0; i < a->npartners; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "id", json_integer(a->partner_ids[i]));
        json_object_set_new(p, "name", web_str(a->partner_names[i]));
        json_array_append_new(parr, p);
    }
    json_object_set_new(o, "partners", parr);
    json_t *carr = json_array();
    for (int i = 0; i < a->ncommunes; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "code", web_str(a->communes[i].code));
        json_object_set_new(x, "name", web_str(a->communes[i].name));
        json_object_set_new(x, "departement", web_str(a->communes[i].departement_code));
        json_object_set_new(x, "population", json_integer(a->communes[i].population));
        json_array_append_new(carr, x);
    }
    json_object_set_new(o, "communes", carr);
    json_object_set_new(o, "rural", web_str(a->rural));
    json_object_set_new(o, "is_rural", json_boolean(a->is_rural));
    json_object_set_new(o, "facilitators", strings_json(a->facilitators, a->nfacilitators));
    json_object_set_new(o, "themes", strings_json(a->themes, a->nthemes));
    json_object_set_new(o, "forms", strings_json(a->forms, a->nforms));
    json_object_set_new(o, "publics", strings_json(a->publics, a->npublics));
    json_object_set_new(o, "participants_u12", json_integer(a->p_u12));
    json_object_set_new(o, "participants_12_17", json_integer(a->p_12_17));
    json_object_set_new(o, "participants_18_25", json_integer(a->p_18_25));
    json_object_set_new(o, "participants_o25", json_integer(a->p_o25));
    json_object_set_new(o, "participants_female", nullable(a->has_gender, a->p_female));
    json_object_set_new(o, "participants_male", nullable(a->has_gender, a->p_male));
    json_object_set_new(o, "participants_other", nullable(a->has_gender, a->p_other));
    json_object_set_new(o, "participants", json_integer(action_participants(a)));
    json_object_set_new(o, "spectators", json_integer(a->spectators));
    json_object_set_new(o, "spectators_include_participants",
                        json_boolean(a->spectators_include_participants));
    json_object_set_new(o, "reached", json_integer(action_reached(a)));
    json_object_set_new(o, "practice_hours", json_integer(a->practice_hours));
    json_object_set_new(o, "films_made", json_integer(a->films_made));
    if (action_can_see_budget(viewer, a->coordination_id)) {
        json_object_set_new(o, "budget_requested", json_integer(a->budget_requested));
        json_object_set_new(o, "budget_granted", json_integer(a->budget_granted));
        json_object_set_new(o, "budget_cofunding", json_integer(a->budget_cofunding));
    }
    json_t *garr = json_array();
    for (int i = 0; i < a->ngroups; i++) {
        struct group g;
        struct err e = {0};
        if (group_get(db, c->a, a->group_ids[i], &g, &e) ||
            !visibility_can_see_group(db, viewer, &g))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "id", json_integer(g.id));
        json_object_set_new(x, "slug", web_str(g.slug));
        json_object_set_new(x, "title", web_str(g.title));
        json_array_append_new(garr, x);
    }
    json_object_set_new(o, "groups", garr);
    json_t *farr = json_array();
    for (int i = 0; i < a->nfilms; i++) {
        struct film f;
        struct group g;
        struct err e = {0};
        if (film_get(db, c->a, a->film_ids[i], &f, &e) || group_get(db, c->a, f.group_id, &g, &e) ||
            !film_can_see(db, viewer, &g, &f))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "id", json_integer(f.id));
        json_object_set_new(x, "title", web_str(f.title));
        json_array_append_new(farr, x);
    }
    json_object_set_new(o, "films", farr);
    json_object_set_new(o, "created_at", json_integer(a->created_at));
    json_object_set_new(o, "updated_at", json_integer(a->updated_at));
    return o;
}

/* ---- the list ---- */

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

int web_api_action_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct action_filter f = {0};
    int rc;
    if (web_read_paging(c, ACTION_PER_PAGE_DEFAULT, ACTION_PER_PAGE_MAX, &f.page, &f.per_page, &rc))
        return rc;
    f.year = qint(c, "year");
    if (f.year < 0) {
        err_field(&e, 400, "year", N_("Le paramètre year est une année (un entier positif)."));
        return web_err(c, &e);
    }
    f.q = http_query(c->r, "q");
    f.type = http_query(c->r, "type");
    f.status = http_query(c->r, "status");
    f.sort = http_query(c->r, "sort");
    f.commune_code = http_query(c->r, "commune");
    f.with_lists = 1;
    const char *coord = http_query(c->r, "coordination");
    if (coord && *coord) {
        struct coordination co;
        if (coordination_get(db, c->a, coord, &co, &e))
            return web_err(c, &e);
        f.coordination_id = co.id;
    }
    struct action *as;
    int n;
    int64_t total;
    if (action_list(db, c->a, &f, &as, &n, &total, &e)) {
        if (e.status == 422) /* a filter out of its list: a bad request, not a bad body */
            e.status = 400;
        return web_err(c, &e);
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, web_action_api_json(c, &as[i]));
    return web_json(c, 200, web_list_body(items, f.page, f.per_page, total));
}

int web_api_action_get(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load(c, 0, &a, &rc))
        return rc;
    return web_json(c, 200, web_action_api_json(c, &a));
}

/* ---- the body ---- */

static int get_strings(struct ctx *c, json_t *root, const char *name, const char *const **out,
                       int *n, struct err *e)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return 0;
    if (!json_is_array(v))
        return err_field(e, 422, name, N_("Ce champ est une liste de textes."));
    const char **arr = arena_alloc(c->a, sizeof *arr * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return err_field(e, 422, name, N_("Ce champ est une liste de textes."));
        arr[i] = arena_strdup(c->a, json_string_value(x));
    }
    *out = arr;
    *n = (int)json_array_size(v);
    return 0;
}

static int get_ids(struct ctx *c, json_t *root, const char *name, const int64_t **out, int *n,
                   struct err *e)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return 0;
    if (!json_is_array(v))
        return err_field(e, 422, name, N_("Ce champ est une liste d'identifiants."));
    int64_t *arr = arena_alloc(c->a, sizeof *arr * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x))
            return err_field(e, 422, name, N_("Ce champ est une liste d'identifiants."));
        arr[i] = json_integer_value(x);
    }
    *out = arr;
    *n = (int)json_array_size(v);
    return 0;
}

/* The input of the action as stored, for an update: members absent from the body stay. */
static void input_of(const struct action *a, struct action_input *in)
{
    memset(in, 0, sizeof *in);
    in->title = a->title;
    in->description = a->description;
    in->type = a->type;
    in->status = a->status;
    in->start_date = a->start_date;
    in->end_date = a->end_date;
    in->rural = a->rural;
    in->lead_structure_id = a->lead_structure_id;
    in->p_u12 = a->p_u12;
    in->p_12_17 = a->p_12_17;
    in->p_18_25 = a->p_18_25;
    in->p_o25 = a->p_o25;
    in->has_gender = a->has_gender;
    in->p_female = a->p_female;
    in->p_male = a->p_male;
    in->p_other = a->p_other;
    in->spectators = a->spectators;
    in->spectators_include_participants = a->spectators_include_participants;
    in->practice_hours = a->practice_hours;
    in->films_made = a->films_made;
    in->budget_requested = a->budget_requested;
    in->budget_granted = a->budget_granted;
    in->budget_cofunding = a->budget_cofunding;
    in->partner_ids = a->partner_ids;
    in->npartners = a->npartners;
    in->facilitators = a->facilitators;
    in->nfacilitators = a->nfacilitators;
    in->themes = a->themes;
    in->nthemes = a->nthemes;
    in->forms = a->forms;
    in->nforms = a->nforms;
    in->publics = a->publics;
    in->npublics = a->npublics;
    in->group_ids = a->group_ids;
    in->ngroups = a->ngroups;
    in->film_ids = a->film_ids;
    in->nfilms = a->nfilms;
}

/* The members of root over in. 0, or -1 with e (422 on the member). */
static int read_body(struct ctx *c, json_t *root, struct action_input *in, struct err *e)
{
    if (web_body_str(c, root, "title", &in->title, e) ||
        web_body_str(c, root, "description", &in->description, e) ||
        web_body_str(c, root, "type", &in->type, e) ||
        web_body_str(c, root, "status", &in->status, e) ||
        web_body_str(c, root, "start_date", &in->start_date, e) ||
        web_body_str(c, root, "end_date", &in->end_date, e) ||
        web_body_str(c, root, "rural", &in->rural, e))
        return -1;
    if (web_body_int(root, "lead_structure", &in->lead_structure_id, e) ||
        web_body_int(root, "participants_u12", &in->p_u12, e) ||
        web_body_int(root, "participants_12_17", &in->p_12_17, e) ||
        web_body_int(root, "participants_18_25", &in->p_18_25, e) ||
        web_body_int(root, "participants_o25", &in->p_o25, e) ||
        web_body_int(root, "spectators", &in->spectators, e) ||
        web_body_int(root, "practice_hours", &in->practice_hours, e) ||
        web_body_int(root, "films_made", &in->films_made, e) ||
        web_body_int(root, "budget_requested", &in->budget_requested, e) ||
        web_body_int(root, "budget_granted", &in->budget_granted, e) ||
        web_body_int(root, "budget_cofunding", &in->budget_cofunding, e))
        return -1;
    /* the gender split: three integers, or three nulls (not recorded) */
    static const char *const genders[] = {"participants_female", "participants_male",
                                          "participants_other"};
    int64_t *gv[] = {&in->p_female, &in->p_male, &in->p_other};
    int given = 0, nulls = 0;
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(root, genders[i]);
        given += v != NULL;
        nulls += v && json_is_null(v);
    }
    if (given) {
        if (given != 3 || (nulls && nulls != 3))
            return err_field(e, 422, "participants_female",
                             N_("La répartition par genre donne les trois nombres, ou trois "
                                "null quand elle n'est pas connue."));
        in->has_gender = !nulls;
        for (int i = 0; i < 3 && !nulls; i++)
            if (web_body_int(root, genders[i], gv[i], e))
                return -1;
    }
    json_t *v = json_object_get(root, "spectators_include_participants");
    if (v) {
        if (!json_is_boolean(v))
            return err_field(e, 422, "spectators_include_participants",
                             N_("Ce champ est vrai ou faux."));
        in->spectators_include_participants = json_is_true(v);
    }
    if (get_strings(c, root, "facilitators", &in->facilitators, &in->nfacilitators, e) ||
        get_strings(c, root, "themes", &in->themes, &in->nthemes, e) ||
        get_strings(c, root, "forms", &in->forms, &in->nforms, e) ||
        get_strings(c, root, "publics", &in->publics, &in->npublics, e) ||
        get_ids(c, root, "partners", &in->partner_ids, &in->npartners, e) ||
        get_ids(c, root, "groups", &in->group_ids, &in->ngroups, e) ||
        get_ids(c, root, "films", &in->film_ids, &in->nfilms, e))
        return -1;
    const char *const *communes = NULL;
    int ncommunes = 0;
    if (json_object_get(root, "communes")) {
        if (get_strings(c, root, "communes", &communes, &ncommunes, e))
            return -1;
        const char **codes;
        if (web_action_communes(c, communes, ncommunes, &codes, &in->ncommunes, e))
            return -1;
        in->commune_codes = codes;
    }
    return 0;
}

/* The coordination member of root (a slug) as an id into *coord; absent leaves it. */
static int read_coordination(struct ctx *c, json_t *root, int64_t *coord, struct err *e)
{
    json_t *v = json_object_get(root, "coordination");
    if (!v)
        return 0;
    struct coordination co;
    struct err ge = {0};
    if (!json_is_string(v) || coordination_get(web_db(c), c->a, json_string_value(v), &co, &ge)) {
        if (ge.status == 500) {
            *e = ge;
            return -1;
        }
        return err_field(e, 422, "coordination",
                         N_("La coordination est le slug d'une coordination existante."));
    }
    *coord = co.id;
    return 0;
}

static int answer(struct ctx *c, int64_t id, int status)
{
    struct action a;
    struct err e = {0};
    if (action_get(web_db(c), c->a, id, &a, &e))
        return web_err(c, &e);
    if (status == 201)
        http_add_header(c->r, "Location",
                        arena_printf(c->a, "/api/v1/actions/%lld", (long long)id));
    return web_json(c, status, web_action_api_json(c, &a));
}

int web_api_action_create(struct ctx *c)
{
    int rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct action_input in = {0};
    in.coordination_id = c->user.coordination_id; /* a coordinator's own by default */
    int64_t id = 0;
    int bad = read_coordination(c, root, &in.coordination_id, &e) || read_body(c, root, &in, &e);
    json_decref(root);
    if (!bad && !in.coordination_id)
        err_field(&e, 422, "coordination", N_("Choisissez la coordination de l'action."));
    if (e.status || action_create(web_db(c), &c->user, &in, &id, &e))
        return web_err(c, &e);
    return answer(c, id, 201);
}

int web_api_action_update(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load(c, 0, &a, &rc))
        return rc;
    if (!action_can_edit(web_viewer(c), a.coordination_id))
        return web_error(c, 403,
                         N_("Seuls les coordinateurs de sa coordination peuvent modifier "
                            "cette action."));
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    struct err e = {0};
    struct action_input in;
    input_of(&a, &in);
    /* the communes as stored, unless the body gives others */
    const char **codes = arena_alloc(c->a, sizeof *codes * (size_t)(a.ncommunes + 1));
    for (int i = 0; i < a.ncommunes; i++)
        codes[i] = a.communes[i].code;
    in.commune_codes = codes;
    in.ncommunes = a.ncommunes;
    if (read_coordination(c, root, &in.coordination_id, &e) == 0)
        read_body(c, root, &in, &e);
    json_decref(root);
    if (e.status || action_update(web_db(c), &c->user, a.id, &in, &e))
        return web_err(c, &e);
    return answer(c, a.id, 200);
}

int web_api_action_delete(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load(c, 0, &a, &rc))
        return rc;
    struct err e = {0};
    if (action_delete(web_db(c), &c->user, a.id, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}
