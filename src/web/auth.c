/* auth: log in and log out. A successful login replaces any earlier session and
 * redirects to the page asked for (local paths only). */
#include "web/web.h"
#include "session.h"

#include <string.h>

static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    return next;
}

/* error is a message in the request's language, or NULL. */
static int login_form(struct ctx *c, int status, const char *login, const char *next,
                      const char *error)
{
    web_csrf(c); /* the form needs a token even before any session exists */
    json_t *m = json_object();
    json_object_set_new(m, "login", json_string(login ? login : ""));
    json_object_set_new(m, "next", json_string(safe_next(next)));
    if (error)
        json_object_set_new(m, "error", json_string(error));
    return web_page(c, status, "auth/login", m);
}

int web_login_get(struct ctx *c)
{
    if (c->user.role != ROLE_ANON)
        return web_redirect(c, safe_next(http_query(c->r, "next")));
    return login_form(c, 200, NULL, http_query(c->r, "next"), NULL);
}

int web_login_post(struct ctx *c)
{
    const char *login = http_form(c->r, "login");
    const char *password = http_form(c->r, "password");
    const char *next = http_form(c->r, "next");
    struct err e = {0};
    if (!login || !*login || !password || !*password)
        return login_form(c, 422, login, next,
                          web_t(c, "Saisissez votre identifiant et votre mot de passe."));
    struct account user;
    if (account_authenticate(web_db(c), c->a, login, password, c->r->addr, &user, &e)) {
        if (e.status == 500)
            return web_err(c, &e);
        return login_form(c, e.status, login, next, e.msg);
    }
    if (c->session_token)
        session_destroy(web_db(c), c->session_token, &e);
    char token[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
    if (session_create(web_db(c), user.id, token, csrf, &e))
        return web_err(c, &e);
    web_set_session_cookie(c, token);
    return web_redirect(c, safe_next(next));
}

int web_logout(struct ctx *c)
{
    struct err e = {0};
    if (c->session_token && session_destroy(web_db(c), c->session_token, &e))
        return web_err(c, &e);
    web_set_session_cookie(c, NULL);
    web_flash(c, "Vous êtes déconnecté·e.");
    return web_redirect(c, "/");
}
