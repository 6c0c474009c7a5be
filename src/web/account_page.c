/* account_page: a person's own account page (/compte) and their personal API tokens,
 * created and revoked there. Handlers read input, call account/apitoken, pick a view. */
#include "web/handlers.h"
#include "apitoken.h"
#include "structure.h"
#include "web/user.h"

#include <sodium.h>

struct token_view {
    const char *name;       /* value kept in the create form */
    const char *name_error; /* message next to it, already translated */
    const char *plain;      /* a token just made, shown once */
    const char *plain_name;
};

static int account_page(struct ctx *c, int status, const struct token_view *tv)
{
    struct err e = {0};
    struct db *db = web_db(c);
    struct account me;
    struct apitoken *tokens;
    int ntokens;
    int64_t *sids;
    int nsids;
    if (account_get(db, c->a, c->user.id, &me, &e) ||
        apitoken_list(db, c->a, me.id, &tokens, &ntokens, &e) ||
        account_structures(db, c->a, me.id, &sids, &nsids, &e))
        return web_err(c, &e);

    json_t *m = json_object();
    json_t *u = json_object();
    json_object_set_new(u, "login", web_str(me.login));
    json_object_set_new(u, "display_name", web_str(me.display_name));
    if (me.email && *me.email)
        json_object_set_new(u, "email", web_str(me.email));
    json_object_set_new(u, "role_label", web_str(user_role_label(c, me.role)));
    json_object_set_new(u, "created", web_str(user_human_date(c, me.created_at, 0)));
    json_object_set_new(u, "created_iso", web_str(user_iso_utc(c, me.created_at)));
    if (me.coordination_id) {
        struct coordination k;
        if (coordination_get_by_id(db, c->a, me.coordination_id, &k, &e)) {
            json_decref(u);
            json_decref(m);
            return web_err(c, &e);
        }
        json_t *o = json_object();
        json_object_set_new(o, "name", web_str(k.name));
        json_object_set_new(o, "slug", web_str(k.slug));
        json_object_set_new(u, "coordination", o);
    }
    json_t *sts = json_array();
    for (int i = 0; i < nsids; i++) {
        struct structure s;
        struct err ge = {0};
        if (structure_get(db, c->a, sids[i], &s, &ge))
            continue; /* deleted since: the link table follows with ON DELETE CASCADE */
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(s.id));
        json_object_set_new(o, "name", web_str(s.name));
        json_array_append_new(sts, o);
    }
    json_object_set_new(u, "has_structures", json_boolean(json_array_size(sts) > 0));
    json_object_set_new(u, "structures", sts);
    json_object_set_new(m, "me", u);

    json_t *list = json_array();
    for (int i = 0; i < ntokens; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(tokens[i].id));
        json_object_set_new(o, "name", web_str(tokens[i].name));
        /* the token's name inside a whole sentence: the quotes are the language's own */
        json_object_set_new(o, "revoke_label",
                            web_str(web_tf(c, "Révoquer le jeton « %s »", tokens[i].name)));
        json_object_set_new(o, "created", web_str(user_human_date(c, tokens[i].created_at, 1)));
        json_object_set_new(o, "created_iso", web_str(user_iso_utc(c, tokens[i].created_at)));
        if (tokens[i].last_used_at) {
            json_object_set_new(o, "last_used",
                                web_str(user_human_date(c, tokens[i].last_used_at, 1)));
            json_object_set_new(o, "last_used_iso",
                                web_str(user_iso_utc(c, tokens[i].last_used_at)));
        }
        json_array_append_new(list, o);
    }
    json_object_set_new(m, "has_tokens", json_boolean(ntokens > 0));
    json_object_set_new(m, "tokens", list);
    json_object_set_new(m, "token_max", json_integer(APITOKEN_MAX_PER_USER));
    json_object_set_new(m, "token_name_max", json_integer(APITOKEN_NAME_MAX));
    json_object_set_new(m, "token_name", web_str(tv ? tv->name : ""));
    if (tv && tv->name_error)
        json_object_set_new(m, "token_error", web_str(tv->name_error));
    if (tv && tv->plain) {
        json_t *o = json_object();
        json_object_set_new(o, "value", web_str(tv->plain));
        json_object_set_new(o, "name", web_str(tv->plain_name));
        json_object_set_new(
            o, "label", web_str(web_tf(c, "Jeton « %s »", tv->plain_name ? tv->plain_name : "")));
        json_object_set_new(m, "new_token", o);
    }
    /* the page may hold a fresh token: it must not sit in any cache */
    http_add_header(c->r, "Cache-Control", "no-store");
    return web_page(c, status, "account", m);
}

int web_account_show(struct ctx *c)
{
    return account_page(c, 200, NULL);
}

int web_token_create(struct ctx *c)
{
    struct err e = {0};
    const char *name = http_form(c->r, "name");
    char plain[APITOKEN_LEN + 1];
    int64_t id;
    if (apitoken_create(web_db(c), c->user.id, name ? name : "", plain, &id, &e)) {
        if (e.status == 500 || e.status == 404)
            return web_err(c, &e);
        struct token_view tv = {.name = name, .name_error = e.msg};
        return account_page(c, e.status, &tv);
    }
    /* rendered here rather than redirected: the plaintext exists only in this response */
    struct token_view tv = {.plain = plain, .plain_name = name};
    int rc = account_page(c, 201, &tv);
    sodium_memzero(plain, sizeof plain);
    return rc;
}

int web_token_delete(struct ctx *c)
{
    struct err e = {0};
    int64_t id;
    if (web_parse_id(web_param(c, 0), &id))
        return web_error(c, 404, "Ce jeton n'existe pas.");
    if (apitoken_delete(web_db(c), c->user.id, id, &e))
        return web_err(c, &e);
    web_flash(c, "Le jeton a été révoqué : il ne donne plus accès à l'API.");
    return web_redirect(c, "/compte");
}
