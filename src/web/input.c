/* input: what every area reads from a request the same way: numeric ids in the path, a
 * JSON object as the body, the paging of lists (404 for a bad id, 400 for a bad body or
 * per_page), and the few conversions every area makes (the viewer, day numbers). */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include "consent.h"

enum { ID_DIGITS_MAX = 18 }; /* keeps a parsed id inside int64_t */

int web_parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > ID_DIGITS_MAX)
        return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

json_t *web_json_body(struct ctx *c, int *rc)
{
    const char *msg;
    json_error_t je;
    json_t *j = NULL;

    if (!c->r->body.data || c->r->body.len == 0) {
        msg = N_("Le corps de la requête est vide : un objet JSON est attendu.");
        goto refuse;
    }
    /* a member given twice has no agreed meaning (first or last?): refused, not guessed */
    j = json_loadb(c->r->body.data, c->r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        msg = N_("Le corps de la requête n'est pas un JSON valide.");
        goto refuse;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        msg = N_("Le corps de la requête doit être un objet JSON.");
        goto refuse;
    }
    return j;
refuse:
    *rc = web_error(c, 400, msg);
    return NULL;
}

const struct account *web_viewer(struct ctx *c)
{
    return c->user.role == ROLE_ANON ? NULL : &c->user;
}

int web_parse_page(const char *s)
{
    if (!s || !*s)
        return 1;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1)
        return 1;
    return v > WEB_PAGE_MAX ? WEB_PAGE_MAX : (int)v;
}

int web_read_paging(struct ctx *c, int def, int max, int *page, int *per_page, int *rc)
{
    *page = web_parse_page(http_query(c->r, "page"));
    *per_page = def;
    const char *pp = http_query(c->r, "per_page");
    if (!pp)
        return 0;
    char *end;
    long v = strtol(pp, &end, 10);
    if (!*pp || *end || v < 1 || v > max) {
        struct err e = {0};
        err_field(&e, 400, "per_page", "Le paramètre per_page doit être un entier de 1 à %d.", max);
        *rc = web_err(c, &e);
        return -1;
    }
    *per_page = (int)v;
    return 0;
}

void web_page_slice(int n, int page, int per_page, int *from, int *to)
{
    int64_t f = (int64_t)(page - 1) * per_page;
    *from = f > n ? n : (int)f;
    *to = n - *from < per_page ? n : *from + per_page;
}

const char *web_day_str(struct ctx *c, int64_t day)
{
    char buf[11];
    consent_day_format(day, buf);
    return arena_strdup(c->a, buf);
}

json_t *web_day_json(int64_t day)
{
    if (!day)
        return json_null();
    char buf[11];
    consent_day_format(day, buf);
    return web_str(buf);
}

void web_field_error(struct ctx *c, json_t *fields, const char *key, const char *msg)
{
    if (!json_object_get(fields, key))
        json_object_set_new(fields, key, web_str(web_t(c, msg)));
}

int web_body_str(struct ctx *c, json_t *root, const char *name, const char **out, struct err *e)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = "";
        return 0;
    }
    if (!json_is_string(v))
        return err_field(e, 422, name, N_("Ce champ doit être une chaîne de caractères."));
    *out = arena_strdup(c->a, json_string_value(v));
    return 0;
}

int web_body_int(json_t *root, const char *name, int64_t *out, struct err *e)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v))
        return err_field(e, 422, name, N_("Un nombre entier est attendu."));
    *out = json_integer_value(v);
    return 0;
}
