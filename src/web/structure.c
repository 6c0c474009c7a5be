/* web/structure: the structure pages (filtered directory, details, form, deletion) and the
 * structure API. Handlers read input, call src/structure.c and pick a view or a JSON body. */
#include "web/handlers.h"
#include "coordination.h"
#include "core/text.h"
#include "structure.h"
#include "territory.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { COMMUNE_CANDIDATES = 10 };

/* ---- input helpers ---- */

static const char *trim(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

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

/* What someone typed in a commune field, as an INSEE code: a code is taken as is (upper
 * case), a name only when it points at one commune (a single result, or a single exact
 * name among the results: "Lille" yes, "Saint-Denis" no). *code is "" for an empty field.
 * Errors are on field with the given status; an unknown code is left to the caller. */
static int resolve_commune(struct ctx *c, const char *text, int status, const char *field,
                           const char **code, struct err *e)
{
    const char *t = trim(c->a, text ? text : "");
    *code = "";
    if (!*t)
        return 0;
    if (looks_like_insee(t)) {
        char *up = arena_strdup(c->a, t);
        for (char *p = up; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        *code = up;
        return 0;
    }
    struct territory_commune *list;
    int n;
    struct err se = {0};
    if (territory_commune_search(web_db(c), c->a, t, COMMUNE_CANDIDATES, &list, &n, &se)) {
        if (se.status == 500) {
            *e = se;
            return -1;
        }
        n = 0; /* too short or unreadable: no commune by that name */
    }
    if (n == 1) {
        *code = arena_strdup(c->a, list[0].code);
        return 0;
    }
    const char *norm = text_norm(c->a, t);
    int exact = -1, nexact = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(text_norm(c->a, list[i].name), norm) == 0) {
            exact = i;
            nexact++;
        }
    if (nexact == 1) {
        *code = arena_strdup(c->a, list[exact].code);
        return 0;
    }
    if (n == 0)
        return err_field(e, status, field,
                         "Commune inconnue : saisissez son code INSEE (ex. 59350 pour Lille) "
                         "ou son nom exact.");
    return err_field(e, status, field,
                     "Plusieurs communes portent ce nom : saisissez le code INSEE "
                     "(ex. 59350 pour Lille).");
}

/* ---- models ---- */

/* The structure as the API shows it; pages use the same object. */
static json_t *structure_json(struct ctx *c, const struct structure *s)
{
    json_t *o = json_object();
    const char *label = structure_type_label(s->type);
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "name", web_str(s->name));
    json_object_set_new(o, "type", web_str(s->type));
    json_object_set_new(o, "type_label", web_str(label ? web_t(c, label) : s->type));
    json_t *cm = json_object();
    json_object_set_new(cm, "code", web_str(s->commune_code));
    json_object_set_new(cm, "name", web_str(s->commune_name));
    json_object_set_new(cm, "departement", web_str(s->departement));
    json_object_set_new(o, "commune", cm);
    json_object_set_new(o, "address", web_str(s->address));
    json_object_set_new(o, "email", web_str(s->email));
    json_object_set_new(o, "phone", web_str(s->phone));
    json_object_set_new(o, "website", web_str(s->website));
    json_object_set_new(o, "description", web_str(s->description));
    if (s->coordination_id > 0) {
        json_t *co = json_object();
        json_object_set_new(co, "id", json_integer(s->coordination_id));
        json_object_set_new(co, "slug", web_str(s->coordination_slug));
        json_object_set_new(co, "name", web_str(s->coordination_name));
        json_object_set_new(o, "coordination", co);
    } else {
        json_object_set_new(o, "coordination", json_null());
    }
    return o;
}

/* The type options of a select, the chosen one marked (labels translated here because the
 * template only translates fixed text). */
static json_t *type_options(struct ctx *c, const char *selected)
{
    json_t *arr = json_array();
    for (const struct structure_type *t = structure_types; t->code; t++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(t->code));
        json_object_set_new(o, "label", json_string(web_t(c, t->label)));
        json_object_set_new(o, "selected",
                            json_boolean(selected && strcmp(selected, t->code) == 0));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* errors.{field} for the template (the message was translated when it was set). */
static json_t *errors_json(struct ctx *c, const struct err *e)
{
    json_t *o = json_object();
    if (e && e->field)
        json_object_set_new(o, e->field, json_string(e->msg));
    return o;
}

/* ---- the list page ---- */

/* Appends "name=value&" when value is not empty: pagination links keep the filters. */
static void query_param(struct buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    buf_puts(b, name);
    buf_putc(b, '=');
    buf_url(b, value, (size_t)-1);
    buf_putc(b, '&');
}

static json_t *page_url(struct ctx *c, json_t *values, int page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "/structures?");
    query_param(&b, "coordination", json_string_value(json_object_get(values, "coordination")));
    query_param(&b, "type", json_string_value(json_object_get(values, "type")));
    query_param(&b, "commune", json_string_value(json_object_get(values, "commune")));
    query_param(&b, "q", json_string_value(json_object_get(values, "q")));
    buf_printf(&b, "page=%d", page);
    json_t *s = json_string(buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* Finds a coordination by id or slug in an already loaded list, so the filter select and
 * the filter share one query. */
static const struct coordination *find_coordination(const struct coordination *list, int n,
                                                    const char *key)
{
    int64_t id = 0;
    int by_id = web_parse_id(key, &id) == 0;
    for (int i = 0; i < n; i++)
        if (by_id ? list[i].id == id : strcmp(list[i].slug, key) == 0)
            return &list[i];
    return NULL;
}

int web_structure_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0}, fe = {0};
    const char *coord_s = trim(c->a, http_query(c->r, "coordination"));
    const char *type_s = trim(c->a, http_query(c->r, "type"));
    const char *commune_s = trim(c->a, http_query(c->r, "commune"));
    const char *q = http_query(c->r, "q");
    struct structure_filter f = {.page = web_parse_page(http_query(c->r, "page")),
                                 .per_page = STRUCTURE_PER_PAGE_DEFAULT};

    struct coordination *coords;
    int ncoords;
    if (coordination_names(db, c->a, &coords, &ncoords, &e))
        return web_err(c, &e);

    /* each bad criterion is reported next to its field; the page answers 400 */
    const struct coordination *chosen = NULL;
    if (coord_s && *coord_s) {
        chosen = find_coordination(coords, ncoords, coord_s);
        if (chosen)
            f.coordination_id = chosen->id;
        else
            err_field(&fe, 400, "coordination", "Coordination inconnue.");
    }
    if (type_s && *type_s) {
        if (structure_type_label(type_s))
            f.type = type_s;
        else
            err_field(&fe, 400, "type", "Type de structure inconnu.");
    }
    if (commune_s && *commune_s && !fe.status) {
        const char *code;
        if (resolve_commune(c, commune_s, 400, "commune", &code, &fe) && fe.status == 500)
            return web_err(c, &fe);
        f.commune_code = code;
    }
    f.q = q;

    json_t *m = json_object();
    json_t *values = json_object();
    json_object_set_new(values, "coordination", web_str(chosen ? chosen->slug : coord_s));
    json_object_set_new(values, "type", web_str(type_s));
    json_object_set_new(values, "commune", web_str(commune_s));
    json_object_set_new(values, "q", web_str(q));
    json_object_set(m, "values", values);

    json_t *copts = json_array();
    for (int i = 0; i < ncoords; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "slug", json_string(coords[i].slug));
        json_object_set_new(o, "name", json_string(coords[i].name));
        json_object_set_new(o, "selected", json_boolean(chosen == &coords[i]));
        json_array_append_new(copts, o);
    }
    json_object_set_new(m, "coordinations", copts);
    json_object_set_new(m, "types", type_options(c, f.type));
    json_object_set_new(m, "errors", errors_json(c, &fe));
    json_object_set_new(m, "filtered",
                        json_boolean((coord_s && *coord_s) || (type_s && *type_s) ||
                                     (commune_s && *commune_s) || (q && *q)));
    json_object_set_new(m, "can_create", json_boolean(web_is(c, ROLE_COORDINATOR)));

    if (fe.status) {
        json_decref(values);
        json_object_set_new(m, "invalid", json_true());
        return web_page(c, 400, "structure/list", m);
    }

    struct structure *items;
    int n;
    int64_t total;
    if (structure_list(db, c->a, &f, &items, &n, &total, &e))
        goto fail;
    int pages = (int)((total + f.per_page - 1) / f.per_page);
    if (pages < 1)
        pages = 1;
    if (n == 0 && total > 0 && f.page > pages) {
        /* past the end (a list that shrank since the link was made): show the last page */
        f.page = pages;
        if (structure_list(db, c->a, &f, &items, &n, &total, &e))
            goto fail;
    }

    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct structure *s = &items[i];
        const char *label = structure_type_label(s->type);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(s->id));
        json_object_set_new(o, "name", web_str(s->name));
        json_object_set_new(o, "type_label", web_str(label ? web_t(c, label) : s->type));
        json_object_set_new(o, "commune_name", web_str(s->commune_name));
        json_object_set_new(o, "departement", web_str(s->departement));
        if (s->coordination_id > 0) {
            json_t *co = json_object();
            json_object_set_new(co, "slug", web_str(s->coordination_slug));
            json_object_set_new(co, "name", web_str(s->coordination_name));
            json_object_set_new(o, "coordination", co);
        } else {
            /* explicit false: a missing key would be looked up in the outer context */
            json_object_set_new(o, "coordination", json_false());
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "items", arr);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    /* one message per case, chosen here: French puts 0 in the singular, English does not */
    json_object_set_new(m, "total_label",
                        web_str(total == 0   ? web_t(c, "Aucune structure")
                                : total == 1 ? web_t(c, "1 structure")
                                             : web_tf(c, "%lld structures", (long long)total)));
    json_object_set_new(m, "page", json_integer(f.page));
    json_object_set_new(m, "pages", json_integer(pages));
    json_object_set_new(m, "page_label", web_str(web_tf(c, "Page %d sur %d", f.page, pages)));
    json_object_set_new(m, "paginated", json_boolean(pages > 1));
    if (f.page > 1)
        json_object_set_new(m, "prev_url", page_url(c, values, f.page - 1));
    if (f.page < pages)
        json_object_set_new(m, "next_url", page_url(c, values, f.page + 1));
    json_decref(values);
    c->indexable = 1;
    return web_page(c, 200, "structure/list", m);
fail:
    json_decref(values);
    json_decref(m);
    return web_err(c, &e);
}

/* ---- details ---- */

/* The structure named by the {id} segment; an id that is not one is a 404 like a missing
 * structure. */
static int load(struct ctx *c, struct structure *s, struct err *e)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return err_set(e, 404, "Structure introuvable.");
    return structure_get(web_db(c), c->a, id, s, e);
}

/* load, for the pages that lead to a change: 0, or -1 once the 404 (or 403 outside the
 * coordinator's territory) has been sent, with the answer's result in *rc. */
static int load_managed(struct ctx *c, struct structure *s, int *rc)
{
    struct err e = {0};
    if (load(c, s, &e)) {
        *rc = web_err(c, &e);
        return -1;
    }
    if (!structure_can_manage(&c->user, s->coordination_id)) {
        *rc = web_error(c, 403,
                        "Cette structure n'est pas dans le territoire de votre coordination.");
        return -1;
    }
    return 0;
}

int web_structure_show(struct ctx *c)
{
    struct structure s;
    struct err e = {0};
    if (load(c, &s, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "s", structure_json(c, &s));
    json_object_set_new(m, "can_manage",
                        json_boolean(structure_can_manage(&c->user, s.coordination_id)));
    c->indexable = 1;
    return web_page(c, 200, "structure/show", m);
}

/* ---- the form ---- */

/* The form, new (id 0) or edit, with in's values kept and e's message next to its field
 * (or above the form when it names none). */
static int form_page(struct ctx *c, int status, int64_t id, const struct structure_input *in,
                     const struct err *e)
{
    json_t *m = json_object();
    json_t *v = json_object();
    json_object_set_new(v, "name", web_str(in->name));
    json_object_set_new(v, "commune_code", web_str(in->commune_code));
    json_object_set_new(v, "address", web_str(in->address));
    json_object_set_new(v, "email", web_str(in->email));
    json_object_set_new(v, "phone", web_str(in->phone));
    json_object_set_new(v, "website", web_str(in->website));
    json_object_set_new(v, "description", web_str(in->description));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "types", type_options(c, in->type));
    json_object_set_new(m, "errors", errors_json(c, e));
    if (e && e->status && e->field) {
        json_object_set_new(m, "field_error", json_string(e->field));
        json_object_set_new(m, "field_message", json_string(e->msg));
    } else if (e && e->status) {
        json_object_set_new(m, "error", json_string(e->msg));
    }
    json_object_set_new(m, "editing", json_boolean(id > 0));
    /* a new structure posts to the collection, an edit to the structure; cancel goes back */
    const char *self =
        id > 0 ? arena_printf(c->a, "/structures/%lld", (long long)id) : "/structures";
    json_object_set_new(m, "action", json_string(self));
    json_object_set_new(m, "cancel_url", json_string(self));
    json_object_set_new(m, "is_coordinator", json_boolean(c->user.role == ROLE_COORDINATOR));
    return web_page(c, status, "structure/form", m);
}

static void read_form(struct ctx *c, struct structure_input *in)
{
    memset(in, 0, sizeof *in);
    in->name = http_form(c->r, "name");
    in->type = http_form(c->r, "type");
    in->commune_code = http_form(c->r, "commune_code");
    in->address = http_form(c->r, "address");
    in->email = http_form(c->r, "email");
    in->phone = http_form(c->r, "phone");
    in->website = http_form(c->r, "website");
    in->description = http_form(c->r, "description");
}

/* Runs create (id 0) or update from the posted form; re-renders the form on a refusal the
 * person can fix, redirects to the structure's page on success. */
static int save(struct ctx *c, int64_t id)
{
    struct structure_input in, typed;
    struct err e = {0};
    read_form(c, &in);
    typed = in; /* what was typed in the commune field is shown back, not its code */
    if (in.commune_code &&
        resolve_commune(c, in.commune_code, 422, "commune_code", &in.commune_code, &e)) {
        if (e.status == 500)
            return web_err(c, &e);
        return form_page(c, e.status, id, &typed, &e);
    }
    int rc = id > 0 ? structure_update(web_db(c), &c->user, id, &in, &e)
                    : structure_create(web_db(c), &c->user, &in, &id, &e);
    if (rc) {
        if (e.status == 422 || (e.status == 403 && e.field))
            return form_page(c, e.status, id, &typed, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Structure enregistrée.");
    return web_redirect(c, arena_printf(c->a, "/structures/%lld", (long long)id));
}

int web_structure_new(struct ctx *c)
{
    struct structure_input in = {0};
    return form_page(c, 200, 0, &in, NULL);
}

int web_structure_create(struct ctx *c)
{
    return save(c, 0);
}

int web_structure_edit(struct ctx *c)
{
    struct structure s;
    int rc;
    if (load_managed(c, &s, &rc))
        return rc;
    struct structure_input in = {
        .name = s.name,
        .type = s.type,
        .commune_code = s.commune_code,
        .address = s.address,
        .email = s.email,
        .phone = s.phone,
        .website = s.website,
        .description = s.description,
    };
    return form_page(c, 200, s.id, &in, NULL);
}

int web_structure_update(struct ctx *c)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Structure introuvable.");
    return save(c, id);
}

/* ---- deletion ---- */

int web_structure_delete_confirm(struct ctx *c)
{
    struct structure s;
    int rc;
    if (load_managed(c, &s, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "s", structure_json(c, &s));
    /* whole sentences with the name in them: word order and punctuation are the language's */
    json_object_set_new(m, "title", web_str(web_tf(c, "Supprimer la structure %s", s.name)));
    json_object_set_new(
        m, "question",
        web_str(web_tf(c, "Supprimer la structure %s ? Cette action est définitive.", s.name)));
    return web_page(c, 200, "structure/delete", m);
}

int web_structure_delete(struct ctx *c)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Structure introuvable.");
    if (structure_delete(web_db(c), &c->user, id, &e))
        return web_err(c, &e);
    web_flash(c, "Structure supprimée.");
    return web_redirect(c, "/structures");
}

/* ---- API ---- */

int web_api_structure_list(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct structure_filter f = {.page = web_parse_page(http_query(c->r, "page")),
                                 .per_page = STRUCTURE_PER_PAGE_DEFAULT};
    const char *pp = http_query(c->r, "per_page");
    if (pp) {
        char *end;
        long v = strtol(pp, &end, 10);
        if (!*pp || *end || v < 1 || v > STRUCTURE_PER_PAGE_MAX)
            return web_error(c, 400,
                             "Le paramètre per_page doit être un entier de 1 à 100 "
                             "(100 structures par page au plus).");
        f.per_page = (int)v;
    }
    const char *coord = trim(c->a, http_query(c->r, "coordination"));
    if (coord && *coord) {
        struct coordination co;
        int64_t id;
        int rc = web_parse_id(coord, &id) == 0 ? coordination_get_by_id(db, c->a, id, &co, &e)
                                               : coordination_get(db, c->a, coord, &co, &e);
        if (rc) {
            if (e.status == 404)
                return web_error(c, 400, "Coordination inconnue.");
            return web_err(c, &e);
        }
        f.coordination_id = co.id;
    }
    const char *type = trim(c->a, http_query(c->r, "type"));
    if (type && *type) {
        if (!structure_type_label(type))
            return web_error(c, 400, "Type de structure inconnu.");
        f.type = type;
    }
    const char *commune = http_query(c->r, "commune");
    if (commune && resolve_commune(c, commune, 400, "commune", &f.commune_code, &e))
        return web_err(c, &e);
    f.q = http_query(c->r, "q");

    struct structure *items;
    int n;
    int64_t total;
    if (structure_list(db, c->a, &f, &items, &n, &total, &e))
        return web_err(c, &e);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, structure_json(c, &items[i]));
    return web_json(c, 200, web_list_body(arr, f.page, f.per_page, total));
}

int web_api_structure_get(struct ctx *c)
{
    struct structure s;
    struct err e = {0};
    if (load(c, &s, &e))
        return web_err(c, &e);
    return web_json(c, 200, structure_json(c, &s));
}

/* Reads the body's members into in: absent members stay NULL (a PUT keeps them), null
 * clears them as in JSON Merge Patch (RFC 7396). "commune" is accepted as a code or as the
 * {"code": ...} object GET returns, so a fetched structure can be sent back as is. */
static int read_json(json_t *root, struct structure_input *in, struct err *e)
{
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"name", offsetof(struct structure_input, name)},
        {"type", offsetof(struct structure_input, type)},
        {"commune_code", offsetof(struct structure_input, commune_code)},
        {"address", offsetof(struct structure_input, address)},
        {"email", offsetof(struct structure_input, email)},
        {"phone", offsetof(struct structure_input, phone)},
        {"website", offsetof(struct structure_input, website)},
        {"description", offsetof(struct structure_input, description)},
    };
    memset(in, 0, sizeof *in);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = json_object_get(root, fields[i].key);
        const char **slot = (const char **)((char *)in + fields[i].off);
        if (!v)
            continue;
        if (json_is_null(v))
            *slot = "";
        else if (json_is_string(v))
            *slot = json_string_value(v);
        else
            return err_field(e, 422, fields[i].key,
                             "La valeur de « %s » doit être une chaîne de caractères.",
                             fields[i].key);
    }
    json_t *cm = json_object_get(root, "commune");
    if (cm && !in->commune_code) {
        if (json_is_object(cm))
            cm = json_object_get(cm, "code");
        if (json_is_string(cm))
            in->commune_code = json_string_value(cm);
        else if (!json_is_null(cm))
            return err_field(e, 422, "commune_code",
                             "La commune doit être donnée par son code INSEE (ex. \"59350\").");
    }
    return 0;
}

/* Runs create (id 0) or update from the JSON body, then answers with the structure as
 * stored: a refusal about a field names it ({"field": "message"}, web_err). */
static int api_save(struct ctx *c, int64_t id)
{
    struct structure_input in;
    struct err e = {0};
    int creating = id == 0, rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return rc;
    if (read_json(root, &in, &e) ||
        (creating ? structure_create(web_db(c), &c->user, &in, &id, &e)
                  : structure_update(web_db(c), &c->user, id, &in, &e))) {
        json_decref(root);
        return web_err(c, &e);
    }
    json_decref(root); /* in points into it until here */
    struct structure s;
    if (structure_get(web_db(c), c->a, id, &s, &e))
        return web_err(c, &e);
    if (creating)
        http_add_header(c->r, "Location",
                        arena_printf(c->a, "/api/v1/structures/%lld", (long long)id));
    return web_json(c, creating ? 201 : 200, structure_json(c, &s));
}

int web_api_structure_create(struct ctx *c)
{
    return api_save(c, 0);
}

int web_api_structure_update(struct ctx *c)
{
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Structure introuvable.");
    return api_save(c, id);
}

int web_api_structure_delete(struct ctx *c)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Structure introuvable.");
    if (structure_delete(web_db(c), &c->user, id, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}
