/* film_web: what the film pages (film.c), the media route (film_media.c) and the film API
 * (film_api.c) share: loading a film the viewer may see, its media URLs (plain for films an
 * anonymous visitor may see, signed for the viewer's account otherwise), its JSON shapes. */
#ifndef LANTERNE_WEB_FILM_WEB_H
#define LANTERNE_WEB_FILM_WEB_H

#include "film.h"
#include "web/web.h"

/* Signed media URLs for films that are not public: an HMAC (the server secret
 * 'media_secret' shared with photos, domain-separated by a "film:" prefix) over the film,
 * the file, the viewer's account and an expiry time, rounded up to FILM_URL_STEP so one page
 * shows the same URLs for a while. A film lasts at most FILM_MAX_SECONDS: a URL outlives a
 * whole viewing with pauses. */
enum {
    FILM_URL_TTL = 4 * 3600, /* seconds a signed URL is at least valid */
    FILM_URL_STEP = 900
};

struct film_signer {
    unsigned char key[32];
    int ready; /* 1 key read, -1 failed */
};

/* "e=<expiry>&s=<signature>" for file of film_id and account_id (0: anonymous), in a. */
const char *web_film_sign(const unsigned char key[32], struct arena *a, int64_t film_id,
                          const char *file, int64_t account_id, int64_t now);
/* 0 when valid and not expired; 1 otherwise. */
int web_film_verify(const unsigned char key[32], int64_t film_id, const char *file,
                    int64_t account_id, const char *expiry, const char *sig, int64_t now);

/* The URL of one media file of f for this viewer: plain when public_, signed otherwise. */
const char *web_film_url(struct ctx *c, struct film_signer *s, const struct film *f, int public_,
                         const char *file);

/* The film of id with its group if the viewer may see it; otherwise a 404 is sent (*rc). */
int web_film_load(struct ctx *c, const char *id_param, struct film *f, struct group *g, int *rc);

/* The film as the API shows it to this viewer. */
json_t *web_film_api_json(struct ctx *c, const struct film *f, const struct group *g);
/* A film card for lists (title, URL, poster, group, year, genre, duration). */
json_t *web_film_card(struct ctx *c, struct film_signer *s, const struct film *f);
/* Shared by the pages (film.c) and the forms (film_edit.c). */
/* "/films/<id>", in the request's arena. */
const char *web_film_page_url(struct ctx *c, int64_t id);
/* The translated label of code in list ("" for none, the code itself if unknown). */
const char *web_film_label(struct ctx *c, const struct film_choice *list, const char *code);
/* web_film_load, then 403 unless the viewer may edit the film. */
int web_film_load_editable(struct ctx *c, struct film *f, struct group *g, int *rc);
int web_film_is_ready(const struct film *f);
/* The caption tracks of f with their media URLs, for the player. */
json_t *web_film_captions_json(struct ctx *c, struct film_signer *s, const struct film *f,
                               int public_);
/* The film's record as the pages show it. */
json_t *web_film_json(struct ctx *c, const struct film *f, const struct group *g);
/* [{code, label, selected}] of list for a <select>. */
json_t *web_film_choices(struct ctx *c, const struct film_choice *list, const char *selected);
/* "12 min 04 s" */
const char *web_film_duration(struct ctx *c, double seconds);

#endif
