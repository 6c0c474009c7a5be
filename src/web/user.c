/* user: the admin pages that manage accounts (list, new, edit), and the helpers the other
 * two files of the area share (web/user.h). Handlers read input, call account, pick a view. */
#include "web/handlers.h"
#include "session.h"
#include "structure.h"
#include "web/user.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    USER_PAGE_SIZE = 20,          /* rows per page on the admin list */
    USER_STRUCTURE_CHOICES = 500, /* structures offered in the supervisor select */
};

static const char LIST_URL[] = "/admin/utilisateurs";

/* ---- helpers shared with account_page.c and user_api.c (see web/user.h) ------------- */

/* The roles an admin can give, highest first; their labels are account_role_label's. */
static const enum role given_roles[] = {ROLE_ADMIN, ROLE_COORDINATOR, ROLE_SUPERVISOR,
                                        ROLE_PARTICIPANT};
enum { NROLES = sizeof given_roles / sizeof given_roles[0] };

const char *user_role_label(struct ctx *c, enum role r)
{
    for (size_t i = 0; i < NROLES; i++)
        if (given_roles[i] == r)
            return web_t(c, account_role_label(r));
    return "";
}

/* A page number or page size, 1..max; -1 for anything else. */
int user_parse_small(const char *s, int max)
{
    int64_t v;
    if (web_parse_id(s, &v) || v > max)
        return -1;
    return (int)v;
}

const char *user_iso_utc(struct ctx *c, int64_t t)
{
    char b[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(c->a, b);
}

/* Dates for people: day first in French, ISO order in English; server local time. */
const char *user_human_date(struct ctx *c, int64_t t, int with_time)
{
    char b[32];
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int en = strcmp(c->lang, "en") == 0;
    const char *fmt =
        with_time ? (en ? "%Y-%m-%d %H:%M" : "%d/%m/%Y %H:%M") : (en ? "%Y-%m-%d" : "%d/%m/%Y");
    strftime(b, sizeof b, fmt, &tm);
    return arena_strdup(c->a, b);
}

/* Domain errors name the database column; forms and the API call it "coordination". */
void user_rename_field(struct err *e)
{
    if (e->field && strcmp(e->field, "coordination_id") == 0)
        e->field = "coordination";
}

int user_coords_load(struct ctx *c, struct user_coords *cs, struct err *e)
{
    cs->items = NULL;
    cs->n = 0;
    return coordination_names(web_db(c), c->a, &cs->items, &cs->n, e);
}

const struct coordination *user_coords_find(const struct user_coords *cs, int64_t id)
{
    for (int i = 0; cs && i < cs->n; i++)
        if (cs->items[i].id == id)
            return &cs->items[i];
    return NULL;
}

int user_has_id(const int64_t *ids, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Admins cannot lock themselves out: the last admin doing so would leave no one to undo it. */
void user_check_self(struct ctx *c, int64_t id, enum role role, int disabled, json_t *errors)
{
    if (id != c->user.id)
        return;
    if (role != ROLE_ADMIN)
        json_object_set_new(errors, "role",
                            web_str(web_t(c, "Vous ne pouvez pas retirer votre propre rôle "
                                             "d'administrateur·rice.")));
    if (disabled)
        json_object_set_new(
            errors, "disabled",
            web_str(web_t(c, "Vous ne pouvez pas désactiver votre propre compte.")));
}

/* ---- admin list ---------------------------------------------------------------------- */

/* "/admin/utilisateurs?role=…&q=…&page=N" keeping the filters of the current list. */
static const char *list_url(struct ctx *c, const char *role, const char *q, int page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, LIST_URL);
    char sep = '?';
    if (role && *role) {
        buf_printf(&b, "%crole=", sep);
        buf_url(&b, role, (size_t)-1);
        sep = '&';
    }
    if (q && *q) {
        buf_printf(&b, "%cq=", sep);
        buf_url(&b, q, (size_t)-1);
        sep = '&';
    }
    if (page > 1)
        buf_printf(&b, "%cpage=%d", sep, page);
    const char *s = arena_strdup(c->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

int web_user_list(struct ctx *c)
{
    struct err e = {0};
    const char *q = http_query(c->r, "q");
    const char *role_s = http_query(c->r, "role");
    enum role role;
    /* an unknown role in the address (an old bookmark, a typo) lists every role */
    if (!role_s || account_role_parse(role_s, &role) || role == ROLE_ANON)
        role_s = "";
    int page = user_parse_small(http_query(c->r, "page"), WEB_PAGE_MAX);
    if (page < 1)
        page = 1;

    struct account_filter f = {.role = -1, .q = q, .page = page, .per_page = USER_PAGE_SIZE};
    if (*role_s)
        f.role = (int)role;
    struct account *list;
    int n;
    int64_t total;
    struct user_coords cs;
    if (account_list(web_db(c), c->a, &f, &list, &n, &total, &e) || user_coords_load(c, &cs, &e))
        return web_err(c, &e);

    json_t *m = json_object();
    json_object_set_new(m, "q", web_str(q));
    json_t *roles = json_array();
    for (size_t i = 0; i < NROLES; i++) {
        const char *name = account_role_name(given_roles[i]);
        json_t *o = json_object();
        json_object_set_new(o, "value", web_str(name));
        json_object_set_new(o, "label", web_str(user_role_label(c, given_roles[i])));
        json_object_set_new(o, "selected", json_boolean(strcmp(name, role_s) == 0));
        json_array_append_new(roles, o);
    }
    json_object_set_new(m, "roles", roles);

    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        const struct account *u = &list[i];
        const struct coordination *k = user_coords_find(&cs, u->coordination_id);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(u->id));
        json_object_set_new(o, "login", web_str(u->login));
        json_object_set_new(o, "display_name", web_str(u->display_name));
        json_object_set_new(o, "email", web_str(u->email));
        json_object_set_new(o, "role_label", web_str(user_role_label(c, u->role)));
        if (k)
            json_object_set_new(o, "coordination", web_str(k->name));
        json_object_set_new(o, "disabled", json_boolean(u->disabled));
        json_object_set_new(o, "created", web_str(user_human_date(c, u->created_at, 0)));
        json_object_set_new(o, "created_iso", web_str(user_iso_utc(c, u->created_at)));
        json_array_append_new(items, o);
    }
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "filtered", json_boolean(*role_s || (q && *q)));
    /* a page past the end (an old link after deletions) says so instead of "no accounts" */
    json_object_set_new(m, "beyond", json_boolean(n == 0 && total > 0));
    json_object_set_new(m, "first_url", web_str(list_url(c, role_s, q, 1)));
    /* one message per case: French puts 0 in the singular, English does not */
    json_object_set_new(m, "total_label",
                        web_str(total == 0   ? web_t(c, "Aucun compte")
                                : total == 1 ? web_t(c, "1 compte")
                                             : web_tf(c, "%lld comptes", (long long)total)));
    int pages = (int)((total + USER_PAGE_SIZE - 1) / USER_PAGE_SIZE);
    if (pages > 1) {
        json_t *p = json_object();
        json_object_set_new(p, "page", json_integer(page));
        json_object_set_new(p, "pages", json_integer(pages));
        json_object_set_new(p, "label", web_str(web_tf(c, "Page %d sur %d", page, pages)));
        if (page > 1)
            json_object_set_new(p, "prev", web_str(list_url(c, role_s, q, page - 1)));
        if (page < pages)
            json_object_set_new(p, "next", web_str(list_url(c, role_s, q, page + 1)));
        json_object_set_new(m, "pagination", p);
    }
    return web_page(c, 200, "admin/users", m);
}

/* ---- admin form ---------------------------------------------------------------------- */

struct user_form {
    int64_t id; /* 0 when creating */
    const char *login, *display_name, *email;
    enum role role;
    int64_t coordination_id;
    int64_t *structures;
    int nstructures;
    int disabled;
};

static json_t *structure_option(const struct structure *s, int selected)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "name", web_str(s->name));
    if (s->commune_name && *s->commune_name)
        json_object_set_new(o, "commune", web_str(s->commune_name));
    json_object_set_new(o, "selected", json_boolean(selected));
    return o;
}

/* The first USER_STRUCTURE_CHOICES structures by name, then any chosen structure beyond
 * them, so that saving an edit never silently drops a structure the select could not show. */
static int structure_options(struct ctx *c, const struct user_form *f, json_t *out, int *truncated,
                             struct err *e)
{
    struct structure_filter sf = {0};
    sf.per_page = STRUCTURE_PER_PAGE_MAX;
    int shown = 0;
    int64_t *seen = arena_alloc(c->a, sizeof *seen * USER_STRUCTURE_CHOICES);
    *truncated = 0;
    for (sf.page = 1; shown < USER_STRUCTURE_CHOICES; sf.page++) {
        struct structure *items;
        int n;
        int64_t total;
        if (structure_list(web_db(c), c->a, &sf, &items, &n, &total, e))
            return -1;
        for (int i = 0; i < n && shown < USER_STRUCTURE_CHOICES; i++) {
            json_array_append_new(
                out, structure_option(&items[i],
                                      user_has_id(f->structures, f->nstructures, items[i].id)));
            seen[shown++] = items[i].id;
        }
        *truncated = total > shown;
        if (n < sf.per_page)
            break;
    }
    for (int i = 0; i < f->nstructures; i++) {
        if (user_has_id(seen, shown, f->structures[i]))
            continue;
        struct structure s;
        struct err ge = {0};
        if (structure_get(web_db(c), c->a, f->structures[i], &s, &ge)) {
            if (ge.status == 404)
                continue; /* deleted meanwhile: account_set_structures will say so */
            *e = ge;
            return -1;
        }
        json_array_append_new(out, structure_option(&s, 1));
    }
    return 0;
}

/* Renders the new/edit form; errors maps field names to messages (stolen, may be NULL). */
static int form_page(struct ctx *c, int status, const struct user_form *f, json_t *errors,
                     const char *form_error)
{
    struct err e = {0};
    struct user_coords cs;
    json_t *structures = json_array();
    int truncated = 0;
    if (user_coords_load(c, &cs, &e) || structure_options(c, f, structures, &truncated, &e)) {
        json_decref(structures);
        json_decref(errors);
        return web_err(c, &e);
    }

    json_t *m = json_object();
    json_object_set_new(m, "is_new", json_boolean(f->id == 0));
    json_object_set_new(
        m, "action",
        web_str(f->id ? arena_printf(c->a, "%s/%lld", LIST_URL, (long long)f->id) : LIST_URL));
    json_object_set_new(m, "login", web_str(f->login));
    json_object_set_new(m, "display_name", web_str(f->display_name));
    json_object_set_new(m, "email", web_str(f->email));
    json_object_set_new(m, "disabled", json_boolean(f->disabled));
    json_object_set_new(m, "is_self", json_boolean(f->id && f->id == c->user.id));

    json_t *roles = json_array();
    for (size_t i = 0; i < NROLES; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "value", web_str(account_role_name(given_roles[i])));
        json_object_set_new(o, "label", web_str(user_role_label(c, given_roles[i])));
        json_object_set_new(o, "selected", json_boolean(given_roles[i] == f->role));
        json_array_append_new(roles, o);
    }
    json_object_set_new(m, "roles", roles);

    json_t *coords = json_array();
    for (int i = 0; i < cs.n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(cs.items[i].id));
        json_object_set_new(o, "name", web_str(cs.items[i].name));
        json_object_set_new(o, "selected", json_boolean(cs.items[i].id == f->coordination_id));
        json_array_append_new(coords, o);
    }
    json_object_set_new(m, "coordinations", coords);
    json_object_set_new(m, "no_coordination", json_boolean(f->coordination_id == 0));

    json_object_set_new(m, "has_structures", json_boolean(json_array_size(structures) > 0));
    json_object_set_new(m, "structures", structures);
    json_object_set_new(m, "structures_truncated", json_boolean(truncated));
    json_object_set_new(m, "structure_choices", json_integer(USER_STRUCTURE_CHOICES));

    if (errors && json_object_size(errors) > 0 && !form_error)
        form_error = N_("Le formulaire contient des erreurs : corrigez les champs signalés.");
    if (form_error)
        json_object_set_new(m, "error", web_str(web_t(c, form_error)));
    json_object_set_new(m, "errors", errors ? errors : json_object());
    return web_page(c, status, "admin/user_form", m);
}

/* Reads the posted fields shared by create and update into f; problems go into errors. */
static void read_form(struct ctx *c, struct user_form *f, json_t *errors)
{
    const char *v;
    f->display_name = http_form(c->r, "display_name");
    f->email = http_form(c->r, "email");
    if (!f->display_name)
        f->display_name = "";
    if (!f->email)
        f->email = "";

    v = http_form(c->r, "role");
    if (!v || account_role_parse(v, &f->role) || f->role == ROLE_ANON) {
        f->role = ROLE_PARTICIPANT;
        json_object_set_new(errors, "role", web_str(web_t(c, "Choisissez un rôle dans la liste.")));
    }

    v = http_form(c->r, "coordination");
    f->coordination_id = 0;
    if (v && *v && web_parse_id(v, &f->coordination_id))
        json_object_set_new(errors, "coordination", web_str(web_t(c, "Coordination inconnue.")));

    /* a multi-select sends one "structures" pair per chosen option */
    const struct kvlist *form = &c->r->form;
    f->structures = arena_alloc(c->a, sizeof *f->structures * (form->n ? form->n : 1));
    f->nstructures = 0;
    int bad = 0;
    for (size_t i = 0; i < form->n; i++) {
        if (strcmp(form->items[i].key, "structures") != 0)
            continue;
        int64_t id;
        if (web_parse_id(form->items[i].value, &id))
            bad = 1;
        else if (!user_has_id(f->structures, f->nstructures, id))
            f->structures[f->nstructures++] = id;
    }
    if (bad)
        json_object_set_new(errors, "structures", web_str(web_t(c, "Structure inconnue.")));

    v = http_form(c->r, "disabled");
    f->disabled = v && *v;
}

/* Puts a domain error next to its field, or answers with an error page when it is not
 * about a field (database failure, account gone). Returns the handler's result. */
static int form_failed(struct ctx *c, const struct user_form *f, struct err *e)
{
    user_rename_field(e);
    if (e->status == 500 || !e->field)
        return web_err(c, e);
    json_t *errors = json_object();
    json_object_set_new(errors, e->field, web_str(e->msg)); /* translated when set */
    return form_page(c, e->status, f, errors, NULL);
}

int web_user_new(struct ctx *c)
{
    struct user_form f = {.login = "", .display_name = "", .email = "", .role = ROLE_PARTICIPANT};
    return form_page(c, 200, &f, NULL, NULL);
}

int web_user_create(struct ctx *c)
{
    struct err e = {0};
    struct user_form f = {0};
    json_t *errors = json_object();
    f.login = http_form(c->r, "login");
    if (!f.login)
        f.login = "";
    read_form(c, &f, errors);
    const char *password = http_form(c->r, "password");
    if (!password || !*password)
        json_object_set_new(errors, "password",
                            web_str(web_t(c, "Choisissez un mot de passe pour ce compte.")));
    if (json_object_size(errors) > 0)
        return form_page(c, 422, &f, errors, NULL);
    json_decref(errors);

    struct db *db = web_db(c);
    struct account_new an = {
        .login = f.login,
        .display_name = f.display_name,
        .email = f.email,
        .password = password,
        .role = f.role,
        .coordination_id = f.coordination_id,
    };
    int64_t id;
    /* one transaction: a refused structure must not leave a half-made account behind */
    if (db_begin(db, &e))
        return web_err(c, &e);
    if (account_create(db, &an, &id, &e) ||
        (f.role == ROLE_SUPERVISOR && f.nstructures &&
         account_set_structures(db, id, f.structures, (size_t)f.nstructures, &e)) ||
        (f.disabled && account_set_disabled(db, id, 1, &e)) || db_commit(db, &e)) {
        db_rollback(db);
        return form_failed(c, &f, &e);
    }
    web_flash(c, "Le compte a été créé.");
    return web_redirect(c, LIST_URL);
}

/* The account named by the route's {id}: 0, or -1 once a 404/500 page has been sent. */
static int load_target(struct ctx *c, struct account *u, int *rc)
{
    struct err e = {0};
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id)) {
        *rc = web_error(c, 404, "Compte introuvable.");
        return -1;
    }
    if (account_get(web_db(c), c->a, id, u, &e)) {
        *rc = web_err(c, &e);
        return -1;
    }
    return 0;
}

int web_user_edit(struct ctx *c)
{
    struct err e = {0};
    struct account u;
    int rc;
    if (load_target(c, &u, &rc))
        return rc;
    struct user_form f = {
        .id = u.id,
        .login = u.login,
        .display_name = u.display_name,
        .email = u.email,
        .role = u.role,
        .coordination_id = u.coordination_id,
        .disabled = u.disabled,
    };
    if (account_structures(web_db(c), c->a, u.id, &f.structures, &f.nstructures, &e))
        return web_err(c, &e);
    return form_page(c, 200, &f, NULL, NULL);
}

int web_user_update(struct ctx *c)
{
    struct err e = {0};
    struct account u;
    int rc;
    if (load_target(c, &u, &rc))
        return rc;
    struct user_form f = {.id = u.id, .login = u.login};
    json_t *errors = json_object();
    read_form(c, &f, errors);
    user_check_self(c, u.id, f.role, f.disabled, errors);
    if (json_object_size(errors) > 0)
        return form_page(c, 422, &f, errors, NULL);
    json_decref(errors);

    const char *password = http_form(c->r, "password");
    struct db *db = web_db(c);
    /* structures belong to supervisors only: another role leaves none behind */
    size_t nst = f.role == ROLE_SUPERVISOR ? (size_t)f.nstructures : 0;
    if (db_begin(db, &e))
        return web_err(c, &e);
    if (account_update(db, u.id, f.display_name, f.email, f.role, f.coordination_id, &e) ||
        (password && *password && account_set_password(db, u.id, password, &e)) ||
        /* a new password ends the person's other sessions, as a reset should */
        (password && *password &&
         session_destroy_user(db, u.id, u.id == c->user.id ? c->session_token : NULL, &e) < 0) ||
        (f.disabled != u.disabled && account_set_disabled(db, u.id, f.disabled, &e)) ||
        account_set_structures(db, u.id, f.structures, nst, &e) || db_commit(db, &e)) {
        db_rollback(db);
        return form_failed(c, &f, &e);
    }
    web_flash(c, "Le compte a été modifié.");
    return web_redirect(c, LIST_URL);
}
