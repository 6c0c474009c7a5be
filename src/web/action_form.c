/* web/action_form: the one form page that creates and edits an action (every field of
 * struct action_input), working without JavaScript: communes typed one a line and resolved
 * here through the territory search, the coordination's structures, groups and films offered
 * as lists. */
#include "web/action_web.h"
#include "web/handlers.h"
#include "coordination.h"
#include "core/text.h"
#include "film.h"
#include "group.h"
#include "structure.h"
#include "territory.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum {
    FORM_LINKS_LISTED = 100, /* groups, and films, offered as checkboxes */
    FORM_NUMBER_DIGITS = 12  /* longer is no count nor budget: refused as not a number */
};

/* ---- communes ---- */

/* An INSEE commune code: five digits, or 2A/2B and three digits for Corsica. */
static int looks_like_insee(const char *s)
{
    if (strlen(s) != 5)
        return 0;
    int i = 0;
    if (s[0] == '2' && strchr("abAB", s[1]))
        i = 2;
    for (; i < 5; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static char *upper(struct arena *a, const char *s)
{
    char *u = arena_strdup(a, s);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* One typed commune to its code. */
static int resolve_one(struct ctx *c, const char *t, const char **code, struct err *e)
{
    struct db *db = web_db(c);
    if (looks_like_insee(t)) {
        struct territory_commune tc;
        struct err ge = {0};
        if (territory_commune_get(db, c->a, upper(c->a, t), &tc, &ge)) {
            if (ge.status == 404)
                return err_field(e, 422, "communes", "Commune inconnue : « %s ».", t);
            *e = ge;
            return -1;
        }
        *code = arena_strdup(c->a, tc.code);
        return 0;
    }
    /* "Name (département)" */
    const char *name = t, *dep = NULL;
    size_t len = strlen(t);
    const char *open = strrchr(t, '(');
    if (len > 2 && t[len - 1] == ')' && open && open > t) {
        name = text_trim(c->a, arena_strndup(c->a, t, (size_t)(open - t)));
        dep = upper(c->a,
                    text_trim(c->a, arena_strndup(c->a, open + 1, len - 2 - (size_t)(open - t))));
    }
    struct territory_commune *list;
    int n;
    struct err se = {0};
    if (territory_commune_search(db, c->a, name, ACTION_COMMUNE_CANDIDATES, &list, &n, &se)) {
        if (se.status == 500) {
            *e = se;
            return -1;
        }
        n = 0; /* too short or unreadable: no commune by that name */
    }
    const char *norm = text_norm(c->a, name);
    int found = -1, nfound = 0;
    struct buf deps;
    buf_init(&deps, 0);
    /* the candidates by département code, so the message reads in order */
    int *order = arena_alloc(c->a, sizeof *order * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        int j = i;
        for (; j > 0 && strcmp(list[order[j - 1]].departement, list[i].departement) > 0; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (strcmp(text_norm(c->a, list[i].name), norm) ||
            (dep && strcmp(dep, list[i].departement)))
            continue;
        buf_printf(&deps, "%s%s", nfound ? ", " : "", list[i].departement);
        found = i;
        nfound++;
    }
    int rc = 0;
    if (nfound == 1)
        *code = arena_strdup(c->a, list[found].code);
    else if (nfound > 1)
        rc = err_field(e, 422, "communes", "%s : précisez le département (%s).", name,
                       buf_cstr(&deps));
    else if (n > 0) {
        buf_free(&deps);
        buf_init(&deps, 0);
        for (int i = 0; i < n && i < ACTION_COMMUNE_SUGGESTIONS; i++)
            buf_printf(&deps, "%s%s (%s)", i ? ", " : "", list[i].name, list[i].departement);
        rc = err_field(e, 422, "communes", "Commune introuvable : « %s ». Vouliez-vous dire : %s ?",
                       t, buf_cstr(&deps));
    } else
        rc = err_field(e, 422, "communes",
                       "Commune introuvable : « %s ». Saisissez son code INSEE (ex. 59350) ou "
                       "son nom suivi du département (ex. Saint-Denis (93)).",
                       t);
    buf_free(&deps);
    return rc;
}

int web_action_communes(struct ctx *c, const char *const *items, int nitems, const char ***codes,
                        int *n, struct err *e)
{
    const char **out = arena_alloc(c->a, sizeof *out * (size_t)(nitems + 1));
    *n = 0;
    *codes = out;
    for (int i = 0; i < nitems; i++) {
        const char *t = text_trim(c->a, items[i] ? items[i] : "");
        if (!*t)
            continue;
        if (*n >= ACTION_COMMUNES_MAX)
            return err_field(e, 422, "communes", "Au plus %d communes par action.",
                             ACTION_COMMUNES_MAX);
        if (resolve_one(c, t, &out[*n], e))
            return -1;
        (*n)++;
    }
    return 0;
}

/* ---- reading the form ---- */

/* The number fields: name (as the domain names its errors) and place in the input. */
static const struct {
    const char *name;
    size_t off;
} numbers[] = {
    {"participants_u12", offsetof(struct action_input, p_u12)},
    {"participants_12_17", offsetof(struct action_input, p_12_17)},
    {"participants_18_25", offsetof(struct action_input, p_18_25)},
    {"participants_o25", offsetof(struct action_input, p_o25)},
    {"participants_female", offsetof(struct action_input, p_female)},
    {"participants_male", offsetof(struct action_input, p_male)},
    {"participants_other", offsetof(struct action_input, p_other)},
    {"spectators", offsetof(struct action_input, spectators)},
    {"practice_hours", offsetof(struct action_input, practice_hours)},
    {"films_made", offsetof(struct action_input, films_made)},
    {"budget_requested", offsetof(struct action_input, budget_requested)},
    {"budget_granted", offsetof(struct action_input, budget_granted)},
    {"budget_cofunding", offsetof(struct action_input, budget_cofunding)},
};
enum { NNUMBERS = sizeof numbers / sizeof *numbers };

/* What was typed, kept to show it again, and what it means. */
struct form {
    struct action_input in;
    const char *raw[NNUMBERS];
    const char *communes, *facilitators;
};

/* Every value of a repeated field (checkboxes, multiple selects). */
static const char **values_of(struct ctx *c, const char *key, int *n)
{
    const char **v = arena_alloc(c->a, sizeof *v * (c->r->form.n + 1));
    *n = 0;
    for (size_t i = 0; i < c->r->form.n; i++)
        if (!strcmp(c->r->form.items[i].key, key))
            v[(*n)++] = c->r->form.items[i].value;
    return v;
}

static int ids_of(struct ctx *c, const char *key, const int64_t **out, int *n, struct err *e)
{
    int k;
    const char **v = values_of(c, key, &k);
    int64_t *ids = arena_alloc(c->a, sizeof *ids * (size_t)(k + 1));
    *n = 0;
    for (int i = 0; i < k; i++) {
        if (!*v[i])
            continue;
        if (web_parse_id(v[i], &ids[*n]))
            return err_field(e, 422, key, "Identifiant invalide.");
        (*n)++;
    }
    *out = ids;
    return 0;
}

/* Lines of a textarea. */
static const char **lines_of(struct ctx *c, const char *text, int *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == '\n';
    const char **v = arena_alloc(c->a, sizeof *v * (cap + 1));
    *n = 0;
    const char *p = text;
    while (*p) {
        size_t k = strcspn(p, "\n");
        const char *line = text_trim(c->a, arena_strndup(c->a, p, k));
        if (*line)
            v[(*n)++] = line;
        p += k;
        if (*p == '\n')
            p++;
    }
    return v;
}

/* A count or an amount: digits, spaces between thousands allowed ("1 500"). "" is 0. */
static int parse_number(struct ctx *c, const char *raw, int64_t *v)
{
    char buf[FORM_NUMBER_DIGITS + 1];
    size_t k = 0;
    *v = 0;
    for (const char *p = raw; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9' || k == FORM_NUMBER_DIGITS)
            return -1;
        buf[k++] = *p;
    }
    buf[k] = 0;
    if (k)
        *v = strtoll(buf, NULL, 10);
    return 0;
}

static const char *form_str(struct ctx *c, const char *key)
{
    const char *v = http_form(c->r, key);
    return v ? v : "";
}

/* The form into s. coord: the coordination the action goes to (0: keep). 0, or -1 with e on
 * the first field that cannot be read (a number, an id, a commune). */
static int read_form(struct ctx *c, struct form *s, int64_t coord, struct err *e)
{
    struct action_input *in = &s->in;
    memset(s, 0, sizeof *s);
    in->coordination_id = coord;
    in->title = form_str(c, "title");
    in->description = form_str(c, "description");
    in->type = form_str(c, "type");
    in->status = form_str(c, "status");
    in->start_date = form_str(c, "start_date");
    in->end_date = form_str(c, "end_date");
    in->rural = form_str(c, "rural");
    in->spectators_include_participants =
        http_form(c->r, "spectators_include_participants") != NULL;
    s->communes = form_str(c, "communes");
    s->facilitators = form_str(c, "facilitators");
    int nt, nf, np;
    in->themes = values_of(c, "themes", &nt);
    in->nthemes = nt;
    in->forms = values_of(c, "forms", &nf);
    in->nforms = nf;
    in->publics = values_of(c, "publics", &np);
    in->npublics = np;
    int nfac;
    in->facilitators = lines_of(c, s->facilitators, &nfac);
    in->nfacilitators = nfac;
    int failed = 0;
    for (int i = 0; i < NNUMBERS; i++) {
        s->raw[i] = form_str(c, numbers[i].name);
        int64_t v;
        if (parse_number(c, s->raw[i], &v)) {
            if (!failed++)
                err_field(e, 422, numbers[i].name, "Un nombre entier positif est attendu.");
            continue;
        }
        *(int64_t *)((char *)in + numbers[i].off) = v;
    }
    /* the gender split is recorded when any of its three fields is filled */
    in->has_gender =
        *text_trim(c->a, s->raw[4]) || *text_trim(c->a, s->raw[5]) || *text_trim(c->a, s->raw[6]);
    const char *lead = form_str(c, "lead_structure");
    if (*lead && web_parse_id(lead, &in->lead_structure_id) && !failed++)
        err_field(e, 422, "lead_structure", "Structure porteuse inconnue.");
    if (!failed && (ids_of(c, "partners", &in->partner_ids, &in->npartners, e) ||
                    ids_of(c, "groups", &in->group_ids, &in->ngroups, e) ||
                    ids_of(c, "films", &in->film_ids, &in->nfilms, e)))
        failed++;
    int nl;
    const char **lines = lines_of(c, s->communes, &nl);
    const char **codes;
    int ncodes = 0;
    struct err ce = {0};
    if (web_action_communes(c, lines, nl, &codes, &ncodes, &ce)) {
        if (!failed++)
            *e = ce;
    }
    in->commune_codes = codes;
    in->ncommunes = ncodes;
    return failed ? -1 : 0;
}

/* The form of an action as it is stored. */
static void form_of(struct ctx *c, const struct action *a, struct form *s)
{
    struct action_input *in = &s->in;
    memset(s, 0, sizeof *s);
    in->title = a->title;
    in->description = a->description;
    in->type = a->type;
    in->status = a->status;
    in->start_date = a->start_date;
    in->end_date = a->end_date;
    in->rural = a->rural;
    in->lead_structure_id = a->lead_structure_id;
    in->spectators_include_participants = a->spectators_include_participants;
    const int64_t vals[NNUMBERS] = {a->p_u12,           a->p_12_17,          a->p_18_25,
                                    a->p_o25,           a->p_female,         a->p_male,
                                    a->p_other,         a->spectators,       a->practice_hours,
                                    a->films_made,      a->budget_requested, a->budget_granted,
                                    a->budget_cofunding};
    for (int i = 0; i < NNUMBERS; i++)
        s->raw[i] = (i >= 4 && i <= 6 && !a->has_gender)
                        ? ""
                        : arena_printf(c->a, "%lld", (long long)vals[i]);
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < a->ncommunes; i++)
        buf_printf(&b, "%s (%s)\n", a->communes[i].name, a->communes[i].departement_code);
    s->communes = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    buf_init(&b, 0);
    for (int i = 0; i < a->nfacilitators; i++)
        buf_printf(&b, "%s\n", a->facilitators[i]);
    s->facilitators = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    in->partner_ids = a->partner_ids;
    in->npartners = a->npartners;
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

/* ---- the model ---- */

static int has_code(const char *const *codes, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (codes[i] && !strcmp(codes[i], code))
            return 1;
    return 0;
}

static int has_id(const int64_t *ids, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static json_t *checks(struct ctx *c, const struct action_choice *list, const char *const *codes,
                      int n)
{
    json_t *arr = json_array();
    for (int i = 0; list[i].code; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(list[i].code));
        json_object_set_new(o, "label", web_str(web_t(c, list[i].label)));
        json_object_set_new(o, "checked", json_boolean(has_code(codes, n, list[i].code)));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* One option or checkbox {id, label, checked} in arr; marks id as listed. */
static void option(json_t *arr, int64_t id, const char *label, int checked)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "label", web_str(label));
    json_object_set_new(o, "checked", json_boolean(checked));
    json_array_append_new(arr, o);
}

/* Ids chosen but not offered (a structure of another territory set through the API, a film
 * the editor may not see): kept as hidden fields so that saving the form keeps them. */
static json_t *kept(const int64_t *ids, int n, const int64_t *listed, int nlisted)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        if (!has_id(listed, nlisted, ids[i]))
            json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

/* The structures, groups and films of coordination coord the form offers. */
static void lists_model(struct ctx *c, json_t *m, int64_t coord, const struct action_input *in)
{
    struct db *db = web_db(c);
    struct err e = {0};
    json_t *lead = json_array(), *partners = json_array();
    int64_t *listed = arena_alloc(c->a, sizeof *listed * (ACTION_FORM_STRUCTURES_MAX + 1));
    int nlisted = 0;
    for (int page = 1; coord && nlisted < ACTION_FORM_STRUCTURES_MAX; page++) {
        struct structure_filter f = {0};
        f.coordination_id = coord;
        f.page = page;
        f.per_page = STRUCTURE_PER_PAGE_MAX;
        struct structure *ss;
        int n;
        int64_t total;
        if (structure_list(db, c->a, &f, &ss, &n, &total, &e))
            break;
        for (int i = 0; i < n && nlisted < ACTION_FORM_STRUCTURES_MAX; i++) {
            const char *label = arena_printf(c->a, "%s (%s)", ss[i].name, ss[i].commune_name);
            option(lead, ss[i].id, label, ss[i].id == in->lead_structure_id);
            option(partners, ss[i].id, label, has_id(in->partner_ids, in->npartners, ss[i].id));
            listed[nlisted++] = ss[i].id;
        }
        if (n < STRUCTURE_PER_PAGE_MAX || (int64_t)page * STRUCTURE_PER_PAGE_MAX >= total)
            break;
    }
    struct structure ls;
    if (in->lead_structure_id && !has_id(listed, nlisted, in->lead_structure_id) &&
        structure_get(db, c->a, in->lead_structure_id, &ls, &e) == 0)
        option(lead, ls.id, arena_printf(c->a, "%s (%s)", ls.name, ls.commune_name), 1);
    json_object_set_new(m, "lead_structures", lead);
    json_object_set_new(m, "has_structures", json_boolean(json_array_size(partners) > 0));
    json_object_set_new(m, "partner_structures", partners);
    json_object_set_new(m, "kept_partners", kept(in->partner_ids, in->npartners, listed, nlisted));

    json_t *groups = json_array();
    nlisted = 0;
    int64_t *glisted = arena_alloc(c->a, sizeof *glisted * (FORM_LINKS_LISTED + 1));
    struct group_filter gf = {0};
    gf.viewer = &c->user;
    gf.coordination_id = coord;
    gf.page = 1;
    gf.per_page = FORM_LINKS_LISTED;
    struct group *gs;
    int ng = 0;
    int64_t total;
    if (coord && group_list(db, c->a, &gf, &gs, &ng, &total, &e))
        ng = 0;
    for (int i = 0; i < ng; i++) {
        option(groups, gs[i].id, arena_printf(c->a, "%s (%d)", gs[i].title, gs[i].year),
               has_id(in->group_ids, in->ngroups, gs[i].id));
        glisted[nlisted++] = gs[i].id;
    }
    json_object_set_new(m, "groups", groups);
    json_object_set_new(m, "has_groups", json_boolean(ng > 0));
    json_object_set_new(m, "kept_groups", kept(in->group_ids, in->ngroups, glisted, nlisted));

    json_t *films = json_array();
    int64_t *flisted = arena_alloc(c->a, sizeof *flisted * (FORM_LINKS_LISTED + 1));
    nlisted = 0;
    struct film_filter ff = {0};
    ff.viewer = &c->user;
    ff.coordination_id = coord;
    ff.include_unready = 1;
    ff.sort = "new";
    ff.page = 1;
    ff.per_page = FORM_LINKS_LISTED;
    struct film *fs;
    int nf = 0;
    if (coord && film_list(db, c->a, &ff, &fs, &nf, &total, &e))
        nf = 0;
    for (int i = 0; i < nf; i++) {
        option(films, fs[i].id, arena_printf(c->a, "%s (%s)", fs[i].title, fs[i].group_title),
               has_id(in->film_ids, in->nfilms, fs[i].id));
        flisted[nlisted++] = fs[i].id;
    }
    json_object_set_new(m, "films", films);
    json_object_set_new(m, "has_films", json_boolean(nf > 0));
    json_object_set_new(m, "kept_films", kept(in->film_ids, in->nfilms, flisted, nlisted));
}

/* The form page. a: the action being edited (NULL: new). coord: the coordination whose
 * structures, groups and films are offered (0: an admin has not chosen one yet). */
static int form_page(struct ctx *c, int status, const struct action *a, int64_t coord,
                     const struct form *s, const struct err *e)
{
    struct db *db = web_db(c);
    const struct action_input *in = &s->in;
    json_t *m = json_object();
    if (a) {
        json_object_set_new(m, "editing", json_true());
        json_object_set_new(m, "action", web_str(web_action_url(c, a->id)));
        json_t *o = json_object();
        json_object_set_new(o, "title", web_str(a->title));
        json_object_set_new(o, "url", web_str(web_action_url(c, a->id)));
        json_object_set_new(m, "a", o);
    } else
        json_object_set_new(m, "action", web_str("/actions"));
    /* the coordination: chosen by admins, fixed for coordinators */
    struct coordination *cs;
    int nc;
    struct err le = {0};
    if (c->user.role == ROLE_ADMIN && coordination_names(db, c->a, &cs, &nc, &le) == 0) {
        json_t *arr = json_array();
        for (int i = 0; i < nc; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(cs[i].id));
            json_object_set_new(o, "slug", web_str(cs[i].slug));
            json_object_set_new(o, "label", web_str(cs[i].name));
            json_object_set_new(o, "selected", json_boolean(cs[i].id == coord));
            json_array_append_new(arr, o);
        }
        json_object_set_new(m, "coordinations", arr);
        json_object_set_new(m, "is_admin", json_true());
        /* an admin's first step; after a refused form, the form itself with its errors */
        json_object_set_new(m, "choose_coordination",
                            json_boolean(!a && !coord && !(e && e->status)));
    }
    struct coordination co;
    if (coord && coordination_get_by_id(db, c->a, coord, &co, &le) == 0)
        json_object_set_new(m, "coordination_name", web_str(co.name));
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in->title));
    json_object_set_new(v, "description", web_str(in->description));
    json_object_set_new(v, "start_date", web_str(in->start_date));
    json_object_set_new(v, "end_date", web_str(in->end_date));
    json_object_set_new(v, "communes", web_str(s->communes));
    json_object_set_new(v, "facilitators", web_str(s->facilitators));
    json_object_set_new(v, "spectators_include_participants",
                        json_boolean(in->spectators_include_participants));
    for (int i = 0; i < NNUMBERS; i++)
        json_object_set_new(v, numbers[i].name, web_str(s->raw[i]));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "types", web_action_choices(c, action_types, in->type));
    json_object_set_new(
        m, "statuses",
        web_action_choices(c, action_statuses, in->status && *in->status ? in->status : "planned"));
    json_object_set_new(
        m, "rurals",
        web_action_choices(c, action_rural, in->rural && *in->rural ? in->rural : "auto"));
    json_object_set_new(m, "themes", checks(c, action_themes, in->themes, in->nthemes));
    json_object_set_new(m, "forms", checks(c, action_forms, in->forms, in->nforms));
    json_object_set_new(m, "publics", checks(c, action_publics, in->publics, in->npublics));
    lists_model(c, m, coord, in);
    json_t *errs = json_object();
    if (e && e->status && e->field) {
        json_object_set_new(errs, e->field, web_str(e->msg));
        json_object_set_new(m, "field_error", web_str(e->field));
        json_object_set_new(m, "field_message", web_str(e->msg));
    } else if (e && e->status)
        json_object_set_new(m, "error", web_str(e->msg));
    json_object_set_new(m, "errors", errs);
    return web_page(c, status, "action/form", m);
}

/* ---- handlers ---- */

/* The coordination an admin chose (?coordination=slug, or the form's coordination_id). */
static int64_t chosen_coordination(struct ctx *c)
{
    int64_t id = 0;
    const char *slug = http_query(c->r, "coordination");
    struct coordination co;
    struct err e = {0};
    if (slug && *slug && coordination_get(web_db(c), c->a, slug, &co, &e) == 0)
        return co.id;
    const char *v = http_form(c->r, "coordination_id");
    if (v && web_parse_id(v, &id) == 0)
        return id;
    return 0;
}

int web_action_new(struct ctx *c)
{
    if (c->user.role != ROLE_ADMIN && !action_can_edit(&c->user, c->user.coordination_id))
        return web_error(c, 403, N_("Seuls les coordinateurs peuvent ajouter une action."));
    int64_t coord = c->user.role == ROLE_ADMIN ? chosen_coordination(c) : c->user.coordination_id;
    struct form s;
    memset(&s, 0, sizeof s);
    s.in.status = "planned";
    for (int i = 0; i < NNUMBERS; i++)
        s.raw[i] = "";
    s.communes = s.facilitators = "";
    return form_page(c, 200, NULL, coord, &s, NULL);
}

int web_action_create(struct ctx *c)
{
    int64_t coord = c->user.role == ROLE_ADMIN ? chosen_coordination(c) : c->user.coordination_id;
    struct form s;
    struct err e = {0};
    int64_t id;
    if (c->user.role == ROLE_ADMIN && !coord) {
        read_form(c, &s, 0, &e);
        err_clear(&e);
        err_field(&e, 422, "coordination_id", "Choisissez la coordination de l'action.");
        return form_page(c, 422, NULL, 0, &s, &e);
    }
    if (read_form(c, &s, coord, &e) == 0 &&
        action_create(web_db(c), &c->user, &s.in, &id, &e) == 0) {
        web_flash(c, N_("Action enregistrée."));
        return web_redirect(c, web_action_url(c, id));
    }
    if (e.status == 422)
        return form_page(c, 422, NULL, coord, &s, &e);
    if (e.status == 404) { /* a coordination that does not exist */
        err_clear(&e);
        err_field(&e, 422, "coordination_id", "Choisissez la coordination de l'action.");
        return form_page(c, 422, NULL, 0, &s, &e);
    }
    return web_err(c, &e);
}

int web_action_edit(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load_editable(c, &a, &rc))
        return rc;
    struct form s;
    form_of(c, &a, &s);
    return form_page(c, 200, &a, a.coordination_id, &s, NULL);
}

int web_action_update(struct ctx *c)
{
    struct action a;
    int rc;
    if (web_action_load_editable(c, &a, &rc))
        return rc;
    int64_t coord = c->user.role == ROLE_ADMIN ? chosen_coordination(c) : 0;
    struct form s;
    struct err e = {0};
    if (read_form(c, &s, coord, &e) == 0 &&
        action_update(web_db(c), &c->user, a.id, &s.in, &e) == 0) {
        web_flash(c, N_("Action enregistrée."));
        return web_redirect(c, web_action_url(c, a.id));
    }
    if (e.status == 422)
        return form_page(c, 422, &a, coord ? coord : a.coordination_id, &s, &e);
    if (e.status == 404 && coord) {
        err_clear(&e);
        err_field(&e, 422, "coordination_id", "Choisissez la coordination de l'action.");
        return form_page(c, 422, &a, a.coordination_id, &s, &e);
    }
    return web_err(c, &e);
}
