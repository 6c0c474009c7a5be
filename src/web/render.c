/* render: how handlers answer. Pages go through the layout with the common model
 * (user, language, CSRF token, assets); API answers are JSON or RFC 9457 problems. */
#include "web/web.h"
#include "tpl/tpl.h"
#include "view/i18n.h"
#include "web/assets.h"
#include "web/pagecache.h"

#include <strings.h>

#include <stdio.h>
#include <string.h>

static const char FLASH_COOKIE[] = "lanterne_flash";

static const char *tr(void *ud, const char *msgid)
{
    return i18n_get(((struct ctx *)ud)->lang, msgid);
}

/* A message id: translated where it is shown. */
static const char *status_title(int status, int api)
{
    switch (status) {
    case 400:
        return N_("Requête invalide");
    case 401:
        return api ? N_("Authentification requise") : N_("Connexion requise");
    case 403:
        return N_("Accès refusé");
    case 404:
        return api ? N_("Ressource introuvable") : N_("Page introuvable");
    case 405:
        return N_("Méthode non permise");
    case 409:
        return N_("Conflit");
    case 410:
        return N_("Plus disponible");
    case 413:
        return N_("Contenu trop volumineux");
    case 414:
        return N_("Adresse trop longue");
    case 431:
        return N_("En-têtes trop volumineux");
    case 422:
        return N_("Données invalides");
    case 429:
        return N_("Trop de tentatives");
    default:
        return N_("Erreur interne");
    }
}

static json_t *site_model(struct ctx *c, int status)
{
    json_t *site = json_object();
    /* only a public page at its own address is indexable: not an error, not a filtered or
     * paged view of a list */
    json_object_set_new(site, "indexable",
                        json_boolean(c->indexable && status == 200 && c->r->query.n == 0));
    if (c->feed_url) {
        json_t *feed = json_object();
        json_object_set_new(feed, "url", json_string(c->feed_url));
        json_object_set_new(feed, "title", web_str(c->feed_title));
        json_object_set_new(site, "feed", feed);
    }
    json_object_set_new(site, "lang", json_string(c->lang));
    json_object_set_new(site, "csrf", json_string(c->csrf));
    json_object_set_new(site, "path", json_string(c->r->path));
    json_object_set_new(site, "css", json_string(assets_url("css/site.css")));
    const char *js = assets_url("js/site.js");
    if (js)
        json_object_set_new(site, "js", json_string(js));
    json_object_set_new(site, "demo", json_boolean(g_app.demo));
    json_object_set_new(site, "is_en", json_boolean(strcmp(c->lang, "en") == 0));
    /* where to come back after login or a language switch: path and query, URL-encoded */
    struct buf back, next;
    buf_init(&back, 0);
    buf_init(&next, 0);
    buf_puts(&back, c->r->path);
    for (size_t i = 0; i < c->r->query.n; i++) {
        buf_putc(&back, i ? '&' : '?');
        buf_url(&back, c->r->query.items[i].key, (size_t)-1);
        buf_putc(&back, '=');
        buf_url(&back, c->r->query.items[i].value, (size_t)-1);
    }
    buf_url(&next, back.data, back.len);
    buf_free(&back);
    json_object_set_new(site, "next", json_string(buf_cstr(&next)));
    buf_free(&next);
    if (c->user.role != ROLE_ANON) {
        json_t *u = json_object();
        json_object_set_new(u, "id", json_integer(c->user.id));
        json_object_set_new(u, "login", json_string(c->user.login));
        json_object_set_new(u, "display_name", json_string(c->user.display_name));
        json_object_set_new(u, "role", json_string(account_role_name(c->user.role)));
        json_object_set_new(u, "role_label",
                            json_string(i18n_get(c->lang, account_role_label(c->user.role))));
        json_object_set_new(u, "is_admin", json_boolean(c->user.role == ROLE_ADMIN));
        json_object_set_new(u, "moderates", json_boolean(c->user.role >= ROLE_SUPERVISOR));
        json_object_set_new(u, "is_coordinator", json_boolean(c->user.role >= ROLE_COORDINATOR));
        json_object_set_new(u, "is_supervisor", json_boolean(c->user.role >= ROLE_SUPERVISOR));
        json_object_set_new(site, "user", u);
    }
    const char *flash = http_cookie(c->r, FLASH_COOKIE);
    if (flash && *flash) {
        char *msg;
        if (url_decode(c->a, flash, strlen(flash), 0, &msg) == 0)
            json_object_set_new(site, "flash", json_string(i18n_get(c->lang, msg)));
        char v[128];
        snprintf(v, sizeof v, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", FLASH_COOKIE,
                 g_app.secure_cookies ? "; Secure" : "");
        http_add_header(c->r, "Set-Cookie", v);
    }
    return site;
}

/* Keeps a copy for the page cache when the request asked for it and nothing personal
 * (a cookie) went into the answer. */
static void remember(struct ctx *c, int status, const char *ctype, struct buf *b)
{
    if (!c->cache_key || status != 200 || !c->db)
        return;
    for (struct http_hdr *h = c->r->headers; h; h = h->next)
        if (strcasecmp(h->name, "Set-Cookie") == 0)
            return;
    pagecache_put(c->db, c->cache_key, c->cache_version, ctype, b->data, b->len);
}

json_t *web_str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

json_t *web_list_body(json_t *items, int page, int per_page, int64_t total)
{
    json_t *body = json_object();
    json_object_set_new(body, "items", items);
    json_object_set_new(body, "page", json_integer(page));
    json_object_set_new(body, "per_page", json_integer(per_page));
    json_object_set_new(body, "total", json_integer(total));
    return body;
}

int web_page(struct ctx *c, int status, const char *tpl, json_t *model)
{
    struct buf out;
    struct err e = {0};
    buf_init(&out, 0);
    if (!model)
        model = json_object();
    json_object_set_new(model, "site", site_model(c, status));
    int rc = tpl_render(g_app.tpl, tpl, model, tr, c, &out, &e);
    json_decref(model);
    if (rc) {
        fprintf(stderr, "lanterne: render %s: %s\n", tpl, e.msg);
        buf_free(&out);
        const char *msg = web_t(c, "Erreur interne (gabarit).");
        return http_respond(c->r, 500, "text/plain; charset=utf-8", msg, strlen(msg));
    }
    remember(c, status, "text/html; charset=utf-8", &out);
    return http_respond_buf(c->r, status, "text/html; charset=utf-8", &out);
}

int web_body(struct ctx *c, int status, const char *ctype, struct buf *b)
{
    remember(c, status, ctype, b);
    return http_respond_buf(c->r, status, ctype, b);
}

int web_json(struct ctx *c, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s)
        return http_respond(c->r, 500, "application/json", "{}", 2);
    struct buf b = {.data = s, .len = strlen(s), .cap = strlen(s) + 1, .max = BUF_DEFAULT_MAX};
    remember(c, status, "application/json", &b);
    return http_respond_buf(c->r, status, "application/json", &b);
}

/* detail and the messages in fields are already in the request's language. */
static int problem(struct ctx *c, int status, const char *detail, json_t *fields)
{
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title", json_string(i18n_get(c->lang, status_title(status, c->api))));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "detail", json_string(detail));
    json_object_set_new(p, "instance", json_string(c->r->path));
    if (fields)
        json_object_set_new(p, "errors", fields);
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    struct buf b = {.data = s, .len = strlen(s), .cap = strlen(s) + 1, .max = BUF_DEFAULT_MAX};
    return http_respond_buf(c->r, status, "application/problem+json", &b);
}

int web_problem_fields(struct ctx *c, int status, const char *title, json_t *fields)
{
    return problem(c, status, web_t(c, title), fields);
}

/* The error page or problem for a message already in the request's language. */
static int error_answer(struct ctx *c, int status, const char *msg)
{
    if (c->api)
        return problem(c, status, msg, NULL);
    json_t *m = json_object();
    json_object_set_new(m, "status", json_integer(status));
    json_object_set_new(m, "title", json_string(i18n_get(c->lang, status_title(status, c->api))));
    json_object_set_new(m, "message", json_string(msg));
    return web_page(c, status, "error", m);
}

int web_error(struct ctx *c, int status, const char *msg)
{
    return error_answer(c, status, web_t(c, msg));
}

/* e->msg was translated when it was set (err_set follows the request's language), so it
 * is shown as it is: translating it again would look an English text up as a French id. */
int web_err(struct ctx *c, const struct err *e)
{
    int status = e->status >= 400 && e->status < 600 ? e->status : 500;
    if (status == 500 && e->msg[0])
        fprintf(stderr, "lanterne: %s %s: %s\n", c->r->method, c->r->path, e->msg);
    const char *msg = status == 500 ? web_t(c, "Une erreur interne est survenue.") : e->msg;
    if (c->api && e->field) {
        json_t *f = json_object();
        json_object_set_new(f, e->field, json_string(msg));
        return problem(c, status, msg, f);
    }
    return error_answer(c, status, msg);
}

int web_redirect(struct ctx *c, const char *location)
{
    /* only local redirects: an absolute or scheme-relative target is replaced by "/" */
    if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
        location = "/";
    http_add_header(c->r, "Location", location);
    return http_respond(c->r, 303, "text/plain; charset=utf-8", "", 0);
}

void web_flash(struct ctx *c, const char *msg)
{
    struct buf v;
    buf_init(&v, 0);
    buf_printf(&v, "%s=", FLASH_COOKIE);
    buf_url(&v, msg, (size_t)-1);
    buf_puts(&v, "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
    if (g_app.secure_cookies)
        buf_puts(&v, "; Secure");
    http_add_header(c->r, "Set-Cookie", buf_cstr(&v));
    buf_free(&v);
}
