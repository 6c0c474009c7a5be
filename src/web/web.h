/* web: the layer between HTTP and the domain. The route table, the per-request context
 * (user, language, CSRF, database connection) and the ways a handler answers. */
#ifndef LANTERNE_WEB_H
#define LANTERNE_WEB_H

#include <jansson.h>

#include "account.h"
#include "db/db.h"
#include "http/http.h"

/* Process-wide state, set up once at start and read-only afterwards. */
struct app {
    struct db_pool *pool;
    struct tpl_set *tpl;
    const char *base_url;
    const char *data_dir;
    const char *static_dir;
    int secure_cookies; /* base URL is https */
    int demo;           /* the demo dataset is loaded: pages say so */
    int page_cache;     /* anonymous pages may be served from the page cache */
};
extern struct app g_app;

enum route_flags {
    ROUTE_API = 1,    /* errors as application/problem+json; Bearer tokens accepted */
    ROUTE_PUBLIC = 2, /* no session lookup needed (static files, health) */
    ROUTE_CACHE = 4,  /* anonymous GETs may be answered from the page cache */
};

struct ctx;
typedef int (*route_fn)(struct ctx *c);

struct route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/structures/{id}": one segment per {param} */
    route_fn handler;
    enum role min_role; /* at least this role; ROLE_ANON = everyone */
    unsigned flags;
};

/* The route table (src/web/routes.c), terminated by a NULL method. */
extern const struct route web_routes[];

enum { WEB_MAX_PARAMS = 4 };

struct ctx {
    struct req *r;
    struct arena *a;
    struct db *db;       /* taken from the pool on first use, see web_db() */
    struct account user; /* role ROLE_ANON when nobody is logged in */
    const char *session_token;
    char csrf[64];    /* token forms must echo back in _csrf */
    const char *lang; /* "fr" or "en" */
    const struct route *route;
    const char *params[WEB_MAX_PARAMS];
    int nparams;
    int api;
    int via_token;         /* authenticated by an API token: no CSRF check */
    const char *cache_key; /* set when the answer may be stored in the page cache */
    uint64_t cache_version;
    /* What the layout's <head> says of this page. Pages are noindex unless their handler
     * sets indexable: the public pages the sitemap lists (feed.c), and only when answered
     * 200 at their own address, without query parameters. feed_url: an Atom feed to link
     * (rel="alternate"), with its title. */
    int indexable;
    const char *feed_url, *feed_title;
};

/* Entry point given to the HTTP core. */
int web_handle(struct req *r);
int web_init(const char *template_dir, const char *static_dir, const char *locale_dir,
             const char *map_json, struct err *e);
void web_shutdown(void);

struct db *web_db(struct ctx *c);
/* The CSRF token for this visitor's forms (anonymous visitors get one on demand). */
const char *web_csrf(struct ctx *c);
const char *web_param(struct ctx *c, int i);
/* Translation of a French message id into the request's language. */
const char *web_t(struct ctx *c, const char *msgid);
/* The same for a message with values: fmt (a French message id with %d, %s ...) is
 * translated first, then the values are formatted in; the result lives in the request's
 * arena. Never format first: "12 structures" is no message id. */
const char *web_tf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Input read the same way by every area (input.c). */
/* Past this page a list is empty anyway; the cap keeps page arithmetic far from overflow. */
enum { WEB_PAGE_MAX = 1000000 };
/* A positive decimal id, digits only: "12abc", "-1", "0", "+3" and anything past int64_t
 * are not ids. 0 and *out set, or -1. */
int web_parse_id(const char *s, int64_t *out);
/* The request body as a JSON object the caller must json_decref, or NULL once a 400 problem
 * has been sent (*rc is that answer's result): empty body, malformed JSON, a member given
 * twice, or anything but an object. */
json_t *web_json_body(struct ctx *c, int *rc);
/* Member name of a JSON body: absent leaves *out as it is, null gives "" (or 0), another
 * type is a 422 on name. 0, or -1 with e. The string is copied into the request's arena. */
int web_body_str(struct ctx *c, json_t *root, const char *name, const char **out, struct err *e);
int web_body_int(json_t *root, const char *name, int64_t *out, struct err *e);
/* The signed-in account, or NULL for an anonymous visitor (what the domain's "viewer"
 * arguments expect). */
const struct account *web_viewer(struct ctx *c);
/* A page number, leniently: anything but a positive integer is page 1; capped at
 * WEB_PAGE_MAX. */
int web_parse_page(const char *s);
/* The page (lenient, as above) and per_page (1..max, def when absent, else a 400 naming it)
 * query parameters of an API list. 0, or -1 once the 400 is sent (*rc its result). */
int web_read_paging(struct ctx *c, int def, int max, int *page, int *per_page, int *rc);
/* The items [*from, *to) of n that make page page of per_page. */
void web_page_slice(int n, int page, int per_page, int *from, int *to);
/* A day number (src/consent.h) as YYYY-MM-DD in the request's arena; as JSON, null for 0. */
const char *web_day_str(struct ctx *c, int64_t day);
json_t *web_day_json(int64_t day);
/* Adds msg (a French message id, translated here) to the per-member errors of an API answer
 * under key, unless key already has one: the first refusal of a member wins, it is the one
 * the client fixes first. */
void web_field_error(struct ctx *c, json_t *fields, const char *key, const char *msg);

/* A JSON string for a model: NULL gives "", and so does text that is not valid UTF-8 (domain
 * strings are validated; should one slip through, the page shows nothing rather than lose
 * the key its template expects). */
json_t *web_str(const char *s);
/* The body of a paginated API list, {"items", "page", "per_page", "total"}: one shape for
 * every collection so clients page through all of them alike. Steals items. */
json_t *web_list_body(json_t *items, int page, int per_page, int64_t total);

/* Answers. Each returns 0 once the response is queued. */
int web_page(struct ctx *c, int status, const char *tpl, json_t *model); /* steals model */
int web_json(struct ctx *c, int status, json_t *body);                   /* steals body */
int web_redirect(struct ctx *c, const char *location);                   /* 303 */
/* Any other body (XML, plain text), kept for the page cache as pages are; ctype must be a
 * string constant (the cache keeps the pointer). Takes b's memory. */
int web_body(struct ctx *c, int status, const char *ctype, struct buf *b);
int web_error(struct ctx *c, int status, const char *msg); /* page or problem */
int web_err(struct ctx *c, const struct err *e);           /* from an err */
/* 422 problem with per-field errors for the API. */
int web_problem_fields(struct ctx *c, int status, const char *title, json_t *fields);

/* Flash message shown on the next page (stored in a short-lived cookie). */
void web_flash(struct ctx *c, const char *msg);

/* Role helpers. */
int web_is(struct ctx *c, enum role r); /* at least r */

/* Sets the session cookie (token NULL clears it). */
void web_set_session_cookie(struct ctx *c, const char *token);

#endif
