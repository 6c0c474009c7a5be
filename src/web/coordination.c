/* web/coordination: the coordinations' pages (list, one coordination with its territory map,
 * the admins' form) and their JSON API. Reads input, calls coordination.h, picks a view. */
#include "coordination.h"
#include "territory.h"
#include "view/svgmap.h"
#include "web/handlers.h"
#include "web/figures_model.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
    MAP_LEVEL = 3,               /* one shade for "in this territory": the CSS's middle tone */
    FORM_DEPARTEMENTS_MAX = 256, /* départements kept from a form; the domain refuses more */
};

/* ---- shared helpers ---- */

static const char *kind_label(struct ctx *c, const char *kind)
{
    return web_t(c, strcmp(kind, "national") == 0 ? N_("Coordination nationale")
                                                  : N_("Coordination régionale"));
}

/* "12 structures": one message per case, chosen here, as French puts 0 in the singular and
 * English does not. */
static const char *structures_label(struct ctx *c, int64_t n)
{
    if (n == 0)
        return web_t(c, "Aucune structure");
    if (n == 1)
        return web_t(c, "1 structure");
    return web_tf(c, "%lld structures", (long long)n);
}

/* The name of département code, or NULL (a territory row always has one; the list may be
 * empty when the territory import has not run). */
static const char *dep_name(const struct territory_departement *deps, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(deps[i].code, code) == 0)
            return deps[i].name;
    return NULL;
}

static const char *dep_label(struct ctx *c, const struct territory_departement *deps, int n,
                             const char *code)
{
    const char *name = dep_name(deps, n, code);
    return name ? arena_printf(c->a, "%s (%s)", name, code) : code;
}

/* "Nord (59), Pas-de-Calais (62)" */
static const char *deps_text(struct ctx *c, const struct coordination *co,
                             const struct territory_departement *deps, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < co->ndepartements; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, dep_label(c, deps, n, co->departements[i]));
    }
    const char *s = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* ---- JSON API ---- */

/* The stored values as input: what an edit starts from, in the form and in the API. */
static struct coordination_input input_of(const struct coordination *co)
{
    return (struct coordination_input){
        .slug = co->slug,
        .name = co->name,
        .kind = co->kind,
        .description = co->description,
        .address = co->address,
        .email = co->email,
        .phone = co->phone,
        .website = co->website,
        .logo = co->logo,
        .departements = co->departements,
        .ndepartements = co->ndepartements,
        .is_demo = co->is_demo,
    };
}

static json_t *api_object(const struct coordination *co)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(co->id));
    json_object_set_new(o, "slug", web_str(co->slug));
    json_object_set_new(o, "name", web_str(co->name));
    json_object_set_new(o, "kind", web_str(co->kind));
    json_object_set_new(o, "description", web_str(co->description));
    json_object_set_new(o, "address", web_str(co->address));
    json_object_set_new(o, "email", web_str(co->email));
    json_object_set_new(o, "phone", web_str(co->phone));
    json_object_set_new(o, "website", web_str(co->website));
    json_object_set_new(o, "logo", web_str(co->logo));
    json_t *deps = json_array();
    for (int i = 0; i < co->ndepartements; i++)
        json_array_append_new(deps, json_string(co->departements[i]));
    json_object_set_new(o, "departements", deps);
    json_object_set_new(o, "structures_count", json_integer(co->nstructures));
    return o;
}

int web_api_coordination_list(struct ctx *c)
{
    struct err e = {0};
    struct coordination *list;
    int n;
    if (coordination_list(web_db(c), c->a, &list, &n, &e))
        return web_err(c, &e);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, api_object(&list[i]));
    json_t *body = json_object();
    json_object_set_new(body, "items", items);
    return web_json(c, 200, body);
}

int web_api_coordination_get(struct ctx *c)
{
    struct err e = {0};
    struct coordination co;
    if (coordination_get(web_db(c), c->a, web_param(c, 0), &co, &e))
        return web_err(c, &e);
    return web_json(c, 200, api_object(&co));
}

/* The string members a client may send, and where each goes in the input. */
static const char **api_slot(struct coordination_input *in, const char *key)
{
    static const struct {
        const char *key;
        size_t off;
    } slots[] = {
        {"slug", offsetof(struct coordination_input, slug)},
        {"name", offsetof(struct coordination_input, name)},
        {"kind", offsetof(struct coordination_input, kind)},
        {"description", offsetof(struct coordination_input, description)},
        {"address", offsetof(struct coordination_input, address)},
        {"email", offsetof(struct coordination_input, email)},
        {"phone", offsetof(struct coordination_input, phone)},
        {"website", offsetof(struct coordination_input, website)},
        {"logo", offsetof(struct coordination_input, logo)},
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (strcmp(slots[i].key, key) == 0)
            return (const char **)((char *)in + slots[i].off);
    return NULL;
}

/* Overlays the members of the request's JSON object on in: absent members keep what in
 * holds (the current values on update), null empties a text. Strings are copied into the
 * request's arena. Members the API does not know (id, structures_count from a GET) are
 * ignored, so a client can send back what it read. Answers the request itself and returns
 * 1 when the body is unusable; 0 when in is ready. */
static int api_read_body(struct ctx *c, struct coordination_input *in)
{
    int rc;
    json_t *root = web_json_body(c, &rc);
    if (!root)
        return 1;

    json_t *errors = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const char **slot = api_slot(in, key);
        if (slot) {
            if (json_is_null(v))
                *slot = "";
            else if (json_is_string(v))
                *slot = arena_strndup(c->a, json_string_value(v), json_string_length(v));
            else
                json_object_set_new(errors, key,
                                    json_string(web_t(c, "Une chaîne de caractères est "
                                                         "attendue.")));
        } else if (strcmp(key, "departements") == 0) {
            size_t n = json_is_array(v) ? json_array_size(v) : 0, i;
            const char **codes = arena_alloc(c->a, (n + 1) * sizeof *codes);
            int ok = json_is_array(v);
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (!json_is_string(item)) {
                    ok = 0;
                    break;
                }
                codes[i] = arena_strdup(c->a, json_string_value(item));
            }
            if (!ok)
                json_object_set_new(errors, key,
                                    json_string(web_t(c, "Une liste de codes de département "
                                                         "est attendue, par exemple "
                                                         "[\"59\", \"62\"].")));
            /* more than an int holds is refused by the domain's own limit first */
            in->departements = codes;
            in->ndepartements =
                n > (size_t)FORM_DEPARTEMENTS_MAX ? FORM_DEPARTEMENTS_MAX + 1 : (int)n;
        }
    }
    json_decref(root);
    if (json_object_size(errors)) {
        web_problem_fields(c, 422, "Certains champs n'ont pas le bon type.", errors);
        return 1;
    }
    json_decref(errors);
    return 0;
}

static int api_answer(struct ctx *c, int status, int64_t id)
{
    struct err e = {0};
    struct coordination co;
    if (coordination_get_by_id(web_db(c), c->a, id, &co, &e))
        return web_err(c, &e);
    if (status == 201) {
        struct buf loc;
        buf_init(&loc, 0);
        buf_puts(&loc, "/api/v1/coordinations/");
        buf_url(&loc, co.slug, (size_t)-1);
        http_add_header(c->r, "Location", buf_cstr(&loc));
        buf_free(&loc);
    }
    return web_json(c, status, api_object(&co));
}

int web_api_coordination_create(struct ctx *c)
{
    struct err e = {0};
    struct coordination_input in = {0};
    if (api_read_body(c, &in))
        return 0;
    int64_t id;
    if (coordination_create(web_db(c), &in, &id, &e))
        return web_err(c, &e);
    return api_answer(c, 201, id);
}

int web_api_coordination_update(struct ctx *c)
{
    struct err e = {0};
    struct coordination cur;
    if (coordination_get(web_db(c), c->a, web_param(c, 0), &cur, &e))
        return web_err(c, &e);
    struct coordination_input in = input_of(&cur);
    if (api_read_body(c, &in))
        return 0;
    if (coordination_update(web_db(c), cur.id, &in, &e))
        return web_err(c, &e);
    return api_answer(c, 200, cur.id);
}

/* ---- pages ---- */

int web_coordination_list(struct ctx *c)
{
    struct err e = {0};
    struct db *db = web_db(c);
    struct coordination *list;
    struct territory_departement *deps;
    int n, nd;
    if (coordination_list(db, c->a, &list, &n, &e) ||
        territory_departements(db, c->a, &deps, &nd, &e))
        return web_err(c, &e);

    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        const struct coordination *co = &list[i];
        json_t *it = json_object();
        json_object_set_new(it, "slug", json_string(co->slug));
        json_object_set_new(it, "name", json_string(co->name));
        json_object_set_new(it, "kind_label", json_string(kind_label(c, co->kind)));
        json_object_set_new(it, "has_departements", json_boolean(co->ndepartements > 0));
        json_object_set_new(it, "departements", json_string(deps_text(c, co, deps, nd)));
        json_object_set_new(it, "structures_count", json_integer(co->nstructures));
        json_object_set_new(it, "structures_label",
                            json_string(structures_label(c, co->nstructures)));
        json_array_append_new(items, it);
    }
    json_t *m = json_object();
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "empty", json_boolean(n == 0));
    json_object_set_new(m, "can_edit", json_boolean(web_is(c, ROLE_ADMIN)));
    c->indexable = 1;
    return web_page(c, 200, "coordination/list", m);
}

/* "tel:" wants the number without its spaces and punctuation. */
static const char *tel_uri(struct ctx *c, const char *phone)
{
    char *s = arena_alloc(c->a, strlen(phone) + 5), *o = s;
    memcpy(o, "tel:", 4);
    o += 4;
    for (const char *p = phone; *p; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && o == s + 4))
            *o++ = *p;
    *o = 0;
    return s;
}

/* mailto: with the address percent-encoded, so a '?' or '#' in it cannot add headers. */
static const char *mailto_uri(struct ctx *c, const char *email)
{
    const char *at = strrchr(email, '@');
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "mailto:");
    if (at) {
        buf_url(&b, email, (size_t)(at - email));
        buf_putc(&b, '@');
        buf_url(&b, at + 1, (size_t)-1);
    } else
        buf_url(&b, email, (size_t)-1);
    const char *s = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* The territory as an inline SVG, or NULL when no map is loaded (the list next to it still
 * says everything the map shows). */
static const char *territory_map(struct ctx *c, const struct coordination *co,
                                 const struct territory_departement *deps, int nd)
{
    if (co->ndepartements == 0)
        return NULL;
    struct svgmap_shade *shades = arena_alloc(c->a, (size_t)co->ndepartements * sizeof *shades);
    for (int i = 0; i < co->ndepartements; i++) {
        shades[i].code = co->departements[i];
        shades[i].level = MAP_LEVEL;
        shades[i].label = dep_label(c, deps, nd, co->departements[i]);
    }
    const char *title = web_tf(c, "Carte du territoire de la coordination %s", co->name);
    struct buf b;
    buf_init(&b, 0);
    const char *svg = NULL;
    if (svgmap_render(&b, shades, (size_t)co->ndepartements, title, "carte-territoire") == 0 &&
        b.len)
        svg = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return svg;
}

int web_coordination_show(struct ctx *c)
{
    struct err e = {0};
    struct db *db = web_db(c);
    struct coordination co;
    struct territory_departement *deps;
    int nd;
    if (coordination_get(db, c->a, web_param(c, 0), &co, &e) ||
        territory_departements(db, c->a, &deps, &nd, &e))
        return web_err(c, &e);

    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(co.id));
    json_object_set_new(m, "slug", json_string(co.slug));
    json_object_set_new(m, "name", json_string(co.name));
    json_object_set_new(m, "kind_label", json_string(kind_label(c, co.kind)));
    json_object_set_new(m, "description", json_string(co.description));
    json_object_set_new(m, "address", json_string(co.address));
    json_object_set_new(m, "website", json_string(co.website));
    if (*co.email) {
        json_object_set_new(m, "email", json_string(co.email));
        json_object_set_new(m, "email_uri", json_string(mailto_uri(c, co.email)));
    }
    if (*co.phone) {
        json_object_set_new(m, "phone", json_string(co.phone));
        json_object_set_new(m, "phone_uri", json_string(tel_uri(c, co.phone)));
    }
    json_object_set_new(m, "has_contacts",
                        json_boolean(*co.address || *co.email || *co.phone || *co.website));
    /* the CSP lets images come from this site only: an outside logo would not load */
    if (co.logo[0] == '/')
        json_object_set_new(m, "logo", json_string(co.logo));

    json_t *list = json_array();
    for (int i = 0; i < co.ndepartements; i++) {
        json_t *d = json_object();
        const char *name = dep_name(deps, nd, co.departements[i]);
        json_object_set_new(d, "code", json_string(co.departements[i]));
        json_object_set_new(d, "name", json_string(name ? name : co.departements[i]));
        json_array_append_new(list, d);
    }
    json_object_set_new(m, "departements", list);
    json_object_set_new(m, "has_departements", json_boolean(co.ndepartements > 0));
    const char *map = territory_map(c, &co, deps, nd);
    if (map)
        json_object_set_new(m, "map", json_string(map));
    json_object_set_new(m, "structures_count", json_integer(co.nstructures));
    json_object_set_new(m, "structures_label", json_string(structures_label(c, co.nstructures)));
    json_object_set_new(m, "can_edit", json_boolean(web_is(c, ROLE_ADMIN)));
    json_object_set_new(m, "current_year", json_integer(figures_current_year()));
    c->indexable = 1;
    return web_page(c, 200, "coordination/show", m);
}

/* ---- the admins' form ---- */

/* Renders the form with in's values; e (may be NULL) puts its message next to its field. */
static int form_page(struct ctx *c, int status, const struct coordination *cur,
                     const struct coordination_input *in, const struct err *e)
{
    const char *orig_slug = cur ? cur->slug : NULL;
    struct err le = {0};
    struct db *db = web_db(c);
    struct territory_departement *deps;
    struct coordination *list;
    int nd, n;
    if (territory_departements(db, c->a, &deps, &nd, &le) ||
        coordination_list(db, c->a, &list, &n, &le))
        return web_err(c, &le);

    json_t *m = json_object();
    json_object_set_new(m, "is_new", json_boolean(orig_slug == NULL));
    if (cur) {
        json_object_set_new(m, "orig_slug", json_string(cur->slug));
        json_object_set_new(m, "orig_name", json_string(cur->name));
    }
    json_t *v = json_object();
    json_object_set_new(v, "name", web_str(in->name));
    json_object_set_new(v, "slug", web_str(in->slug));
    json_object_set_new(v, "description", web_str(in->description));
    json_object_set_new(v, "address", web_str(in->address));
    json_object_set_new(v, "email", web_str(in->email));
    json_object_set_new(v, "phone", web_str(in->phone));
    json_object_set_new(v, "website", web_str(in->website));
    json_object_set_new(v, "logo", web_str(in->logo));
    json_object_set_new(m, "v", v);

    const char *kind = in->kind && *in->kind ? in->kind : "regional";
    json_t *kinds = json_array();
    static const char *const kind_values[] = {"regional", "national"};
    for (int i = 0; i < 2; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "value", json_string(kind_values[i]));
        json_object_set_new(k, "label",
                            json_string(web_t(c, i == 0 ? N_("Régionale") : N_("Nationale"))));
        json_object_set_new(k, "selected", json_boolean(strcmp(kind, kind_values[i]) == 0));
        json_array_append_new(kinds, k);
    }
    json_object_set_new(m, "kinds", kinds);

    /* each option says who holds the département now, so a conflict is seen before saving */
    json_t *options = json_array();
    for (int i = 0; i < nd; i++) {
        const char *holder = NULL;
        for (int j = 0; j < n && !holder; j++) {
            if (orig_slug && strcmp(list[j].slug, orig_slug) == 0)
                continue;
            for (int k = 0; k < list[j].ndepartements; k++)
                if (strcmp(list[j].departements[k], deps[i].code) == 0) {
                    holder = list[j].name;
                    break;
                }
        }
        int selected = 0;
        for (int k = 0; k < in->ndepartements && !selected; k++)
            selected = in->departements[k] && strcasecmp(in->departements[k], deps[i].code) == 0;
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(deps[i].code));
        json_object_set_new(
            o, "label",
            json_string(holder
                            ? arena_printf(c->a, "%s – %s (%s)", deps[i].code, deps[i].name, holder)
                            : arena_printf(c->a, "%s – %s", deps[i].code, deps[i].name)));
        json_object_set_new(o, "selected", json_boolean(selected));
        json_array_append_new(options, o);
    }
    json_object_set_new(m, "departements", options);

    if (e && e->status) {
        const char *msg = e->msg; /* translated when it was set */
        json_t *errors = json_object();
        if (e->field)
            json_object_set_new(errors, e->field, json_string(msg));
        json_object_set_new(m, "errors", errors);
        json_object_set_new(m, "error", json_string(msg));
        if (e->field)
            json_object_set_new(m, "error_field", json_string(e->field));
    }
    return web_page(c, status, "coordination/form", m);
}

/* The form's fields; multiple "departements" pairs come from the <select multiple>. */
static void form_input(struct ctx *c, struct coordination_input *in)
{
    struct req *r = c->r;
    in->name = http_form(r, "name");
    in->slug = http_form(r, "slug");
    in->kind = http_form(r, "kind");
    in->description = http_form(r, "description");
    in->address = http_form(r, "address");
    in->email = http_form(r, "email");
    in->phone = http_form(r, "phone");
    in->website = http_form(r, "website");
    in->logo = http_form(r, "logo");
    size_t count = 0;
    for (size_t i = 0; i < r->form.n; i++)
        count += strcmp(r->form.items[i].key, "departements") == 0;
    const char **codes = arena_alloc(c->a, (count + 1) * sizeof *codes);
    int n = 0;
    for (size_t i = 0; i < r->form.n && n <= FORM_DEPARTEMENTS_MAX; i++)
        if (strcmp(r->form.items[i].key, "departements") == 0)
            codes[n++] = r->form.items[i].value;
    in->departements = codes;
    in->ndepartements = n;
}

/* A failed save: the form again with what was typed, unless the failure is not the
 * user's to fix. */
static int form_failed(struct ctx *c, const struct coordination *cur,
                       const struct coordination_input *in, const struct err *e)
{
    if (e->status != 422 && e->status != 409)
        return web_err(c, e);
    return form_page(c, e->status, cur, in, e);
}

static int saved(struct ctx *c, int64_t id)
{
    struct err e = {0};
    struct coordination co;
    if (coordination_get_by_id(web_db(c), c->a, id, &co, &e))
        return web_err(c, &e);
    web_flash(c, "Coordination enregistrée.");
    struct buf loc;
    buf_init(&loc, 0);
    buf_puts(&loc, "/coordinations/");
    buf_url(&loc, co.slug, (size_t)-1);
    int rc = web_redirect(c, buf_cstr(&loc));
    buf_free(&loc);
    return rc;
}

int web_coordination_new(struct ctx *c)
{
    struct coordination_input in = {.kind = "regional"};
    return form_page(c, 200, NULL, &in, NULL);
}

int web_coordination_create(struct ctx *c)
{
    struct err e = {0};
    struct coordination_input in = {0};
    form_input(c, &in);
    int64_t id;
    if (coordination_create(web_db(c), &in, &id, &e))
        return form_failed(c, NULL, &in, &e);
    return saved(c, id);
}

int web_coordination_edit(struct ctx *c)
{
    struct err e = {0};
    struct coordination co;
    if (coordination_get(web_db(c), c->a, web_param(c, 0), &co, &e))
        return web_err(c, &e);
    struct coordination_input in = input_of(&co);
    return form_page(c, 200, &co, &in, NULL);
}

int web_coordination_update(struct ctx *c)
{
    struct err e = {0};
    struct coordination co;
    if (coordination_get(web_db(c), c->a, web_param(c, 0), &co, &e))
        return web_err(c, &e);
    struct coordination_input in = {.is_demo = co.is_demo};
    form_input(c, &in);
    if (coordination_update(web_db(c), co.id, &in, &e))
        return form_failed(c, &co, &in, &e);
    return saved(c, co.id);
}
