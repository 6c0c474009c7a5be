/* router: matches a request against the route table, loads the user (session cookie or
 * API token), negotiates the language, enforces the role and CSRF, then calls the handler. */
#include "web/web.h"
#include "apitoken.h"
#include "consent.h"
#include "session.h"
#include "view/i18n.h"
#include "web/assets.h"
#include "web/pagecache.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct app g_app;

static const char SESSION_COOKIE[] = "lanterne_session";
static const char NONCE_COOKIE[] = "lanterne_csrf";

/* Matches path against pattern; "{x}" takes one segment, a trailing "*" the rest. */
static int match(const char *pattern, const char *path, struct ctx *c)
{
    const char *p = pattern, *s = path;
    c->nparams = 0;
    while (*p) {
        if (*p == '*') {
            if (c->nparams < WEB_MAX_PARAMS)
                c->params[c->nparams++] = arena_strdup(c->a, s);
            return 1;
        }
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = s;
            while (*se && *se != '/')
                se++;
            if (se == s || c->nparams >= WEB_MAX_PARAMS)
                return 0;
            c->params[c->nparams++] = arena_strndup(c->a, s, (size_t)(se - s));
            p = pe + 1;
            s = se;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *s == 0;
}

static int is_write(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
           strcmp(m, "DELETE") == 0;
}

struct db *web_db(struct ctx *c)
{
    if (!c->db)
        c->db = db_pool_get(g_app.pool);
    return c->db;
}

const char *web_param(struct ctx *c, int i)
{
    return i < c->nparams ? c->params[i] : NULL;
}

const char *web_t(struct ctx *c, const char *msgid)
{
    return i18n_get(c->lang, msgid);
}

const char *web_tf(struct ctx *c, const char *fmt, ...)
{
    /* the catalog checks that a translation has the same conversions as its id */
    const char *tf = web_t(c, fmt);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, tf, ap);
    va_end(ap);
    if (n < 0)
        return "";
    char *p = arena_alloc(c->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, tf, ap);
    va_end(ap);
    return p;
}

int web_is(struct ctx *c, enum role r)
{
    return c->user.role >= r;
}

void web_set_session_cookie(struct ctx *c, const char *token)
{
    char v[256];
    snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", SESSION_COOKIE,
             token ? token : "", g_app.secure_cookies ? "; Secure" : "",
             token ? "" : "; Max-Age=0");
    http_add_header(c->r, "Set-Cookie", v);
}

/* Who is asking: a Bearer token (API), else the session cookie. */
static int load_user(struct ctx *c, int *via_token, struct err *e)
{
    c->user.role = ROLE_ANON;
    const char *auth = http_header(c->r, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        int rc = apitoken_lookup(web_db(c), c->a, auth + 7, &c->user, e);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return err_set(e, 401, "Jeton d'API invalide.");
        *via_token = 1;
        return 0;
    }
    const char *tok = http_cookie(c->r, SESSION_COOKIE);
    if (tok && *tok) {
        char csrf[SESSION_TOKEN_LEN + 1];
        int rc = session_lookup(web_db(c), c->a, tok, &c->user, csrf, e);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            c->session_token = tok;
            snprintf(c->csrf, sizeof c->csrf, "%s", csrf);
            return 0;
        }
        c->user.role = ROLE_ANON;
    }
    return 0;
}

/* Anonymous visitors get their CSRF token only when a page needs one (a form): a token
 * bound to a random nonce cookie (signed double submit). Pages without forms stay free of
 * cookies, so they can be cached and shared. */
const char *web_csrf(struct ctx *c)
{
    if (c->csrf[0] || c->user.role != ROLE_ANON)
        return c->csrf;
    struct err e = {0};
    const char *nonce = http_cookie(c->r, NONCE_COOKIE);
    char fresh[SESSION_TOKEN_LEN + 1];
    if (!nonce || strlen(nonce) != SESSION_TOKEN_LEN) {
        session_random_token(fresh);
        nonce = fresh;
        char v[160];
        snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", NONCE_COOKIE, nonce,
                 g_app.secure_cookies ? "; Secure" : "");
        http_add_header(c->r, "Set-Cookie", v);
    }
    if (session_anon_csrf(web_db(c), nonce, c->csrf, &e))
        c->csrf[0] = 0;
    return c->csrf;
}

static int csrf_ok(struct ctx *c)
{
    if (c->user.role == ROLE_ANON && !c->csrf[0]) {
        /* verify against the nonce the visitor already holds; never mint one here */
        const char *nonce = http_cookie(c->r, NONCE_COOKIE);
        struct err e = {0};
        if (!nonce || strlen(nonce) != SESSION_TOKEN_LEN ||
            session_anon_csrf(web_db(c), nonce, c->csrf, &e))
            return 0;
    }
    const char *sent = http_form(c->r, "_csrf");
    if (!sent)
        sent = http_header(c->r, "X-CSRF-Token");
    size_t n = strlen(c->csrf);
    return sent && n && strlen(sent) == n && sodium_memcmp(sent, c->csrf, n) == 0;
}

static void pick_lang(struct ctx *c)
{
    c->lang = i18n_negotiate(http_cookie(c->r, "lang"), http_header(c->r, "Accept-Language"));
}

/* Anonymous GETs of cacheable routes: no session, no flash, no token. */
static int try_cache(struct ctx *c, const struct route *rt, const char *method)
{
    struct req *r = c->r;
    if (!g_app.page_cache || !(rt->flags & ROUTE_CACHE) || strcmp(method, "GET") != 0 ||
        http_cookie(r, SESSION_COOKIE) || http_cookie(r, "lanterne_flash") ||
        http_header(r, "Authorization"))
        return 0;
    struct buf key;
    buf_init(&key, 8192);
    /* today's date in the key: what a page shows may change with the calendar alone (an
     * expired consent, the newest entries), which no commit tells the cache */
    buf_printf(&key, "%lld %s %s?", (long long)consent_today(), c->lang, r->path);
    for (size_t i = 0; i < r->query.n; i++) {
        buf_url(&key, r->query.items[i].key, (size_t)-1);
        buf_putc(&key, '=');
        buf_url(&key, r->query.items[i].value, (size_t)-1);
        buf_putc(&key, '&');
    }
    struct err e = {0};
    uint64_t ver;
    int hit = 0;
    if (key.len < 8000 && db_data_version(web_db(c), &ver, &e) == 0) {
        struct pagecache_hit h;
        if (pagecache_get(c->db, buf_cstr(&key), ver, &h)) {
            http_respond(r, 200, h.ctype, h.body, h.len);
            hit = 1;
        } else {
            c->cache_key = arena_strdup(c->a, buf_cstr(&key));
            c->cache_version = ver;
        }
    }
    buf_free(&key);
    return hit;
}

int web_handle(struct req *r)
{
    struct ctx *c = arena_alloc(r->arena, sizeof *c);
    struct err e = {0};
    c->r = r;
    c->a = r->arena;
    r->app = c;
    c->user.role = ROLE_ANON;
    c->api = strncmp(r->path, "/api/", 5) == 0;
    /* data and media files are for programs and pages, not for search engines' results */
    if (c->api || strncmp(r->path, "/media/", 7) == 0)
        http_add_header(r, "X-Robots-Tag", "noindex");
    pick_lang(c);
    i18n_use(c->lang); /* domain messages (err_set) come out in the visitor's language */
    int rc = 0;

    if (r->bad) {
        rc = web_error(c, r->bad,
                       r->bad == 400   ? N_("La requête est mal formée (encodage ou champs).")
                       : r->bad == 414 ? N_("L'adresse demandée est trop longue.")
                       : r->bad == 431 ? N_("Les en-têtes de la requête sont trop volumineux.")
                                       : N_("La requête est trop volumineuse."));
        goto done;
    }

    const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    const struct route *found = NULL;
    char allow[128] = "";
    for (const struct route *rt = web_routes; rt->method; rt++) {
        if (!match(rt->pattern, r->path, c))
            continue;
        if (strcmp(rt->method, method) == 0) {
            found = rt;
            break;
        }
        if (!strstr(allow, rt->method)) {
            if (allow[0])
                strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
            strncat(allow, rt->method, sizeof allow - strlen(allow) - 1);
        }
    }
    if (!found) {
        if (allow[0]) {
            http_add_header(r, "Allow", allow);
            rc = web_error(c, 405, "Cette méthode n'est pas permise sur cette adresse.");
        } else
            rc = web_error(c, 404,
                           c->api ? N_("Cette ressource n'existe pas.")
                                  : N_("Cette page n'existe pas."));
        goto done;
    }
    /* re-run the match to capture the parameters of the route found */
    match(found->pattern, r->path, c);
    c->route = found;
    if (found->flags & ROUTE_API)
        c->api = 1;

    if (try_cache(c, found, method))
        goto done;
    if (!(found->flags & ROUTE_PUBLIC)) {
        int via_token = 0;
        if (load_user(c, &via_token, &e)) {
            rc = web_err(c, &e);
            goto done;
        }
        c->via_token = via_token;
    }
    if (c->user.role < found->min_role) {
        if (c->user.role == ROLE_ANON && !c->api && strcmp(method, "GET") == 0) {
            struct buf loc;
            buf_init(&loc, 0);
            buf_puts(&loc, "/connexion?next=");
            buf_url(&loc, r->path, (size_t)-1);
            rc = web_redirect(c, buf_cstr(&loc));
            buf_free(&loc);
        } else if (c->user.role == ROLE_ANON)
            rc = web_error(c, 401,
                           c->api ? N_("Authentifiez-vous : session ou jeton d'API.")
                                  : N_("Connectez-vous pour accéder à cette page."));
        else
            rc = web_error(c, 403,
                           c->api ? N_("Votre rôle ne permet pas cette opération.")
                                  : N_("Votre rôle ne permet pas d'accéder à cette page."));
        goto done;
    }
    /* after the role check, so an anonymous API write learns it must authenticate (401) */
    if (is_write(r->method) && !(found->flags & ROUTE_PUBLIC) && !c->via_token && !csrf_ok(c)) {
        rc = web_error(c, 403,
                       "Le formulaire a expiré ou ne vient pas de ce site (jeton CSRF). "
                       "Rechargez la page et réessayez.");
        goto done;
    }
    rc = found->handler(c);
    if (rc && !r->responded)
        rc = web_error(c, 500, "Une erreur interne est survenue.");
done:
    if (c->db)
        db_pool_put(g_app.pool, c->db);
    c->db = NULL;
    i18n_use(NULL);
    return rc;
}
