/* web/film_media: the media files of films under /media/films/{id}/...: playlists, segments,
 * the MP4, posters, storyboard and captions, checked on every request against the film's
 * visibility for this viewer. Public films have plain URLs and cacheable answers; the others
 * signed expiring URLs bound to the viewer's account, and their HLS playlists are rewritten
 * per request so that every URI they name carries its own signature. The original upload is
 * never served (film_file_ok refuses it). */
#include "web/film_web.h"
#include "web/handlers.h"
#include "photo.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const FILM_FILE_NOT_FOUND = N_("Fichier du film introuvable.");

/* Segments of a public film never change once written (a new file is processed into a new
 * storage key): cached for a year. Playlists, posters, captions and the MP4 of a public film
 * briefly, so a withdrawn consent takes effect within minutes behind a shared cache. The
 * files of other films only by the viewer's browser. */
static const char CACHE_IMMUTABLE[] = "public, max-age=31536000, immutable";
static const char CACHE_PUBLIC[] = "public, max-age=300";
static const char CACHE_PLAYLIST[] = "public, max-age=60";
static const char CACHE_PRIVATE[] = "private, max-age=600";

enum { PLAYLIST_MAX_BYTES = 4 * 1024 * 1024 };

static void url_mac(const unsigned char key[32], int64_t film_id, const char *file,
                    int64_t account_id, int64_t expiry, char hex[2 * crypto_auth_BYTES + 1])
{
    struct buf msg;
    buf_init(&msg, 0);
    buf_printf(&msg, "film:%lld:%s:%lld:%lld", (long long)film_id, file, (long long)account_id,
               (long long)expiry);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)(msg.data ? msg.data : ""), (unsigned long long)msg.len,
                key);
    buf_free(&msg);
    sodium_bin2hex(hex, 2 * crypto_auth_BYTES + 1, mac, sizeof mac);
}

const char *web_film_sign(const unsigned char key[32], struct arena *a, int64_t film_id,
                          const char *file, int64_t account_id, int64_t now)
{
    int64_t expiry = (now + FILM_URL_TTL + FILM_URL_STEP - 1) / FILM_URL_STEP * FILM_URL_STEP;
    char hex[2 * crypto_auth_BYTES + 1];
    url_mac(key, film_id, file, account_id, expiry, hex);
    return arena_printf(a, "e=%lld&s=%s", (long long)expiry, hex);
}

int web_film_verify(const unsigned char key[32], int64_t film_id, const char *file,
                    int64_t account_id, const char *expiry, const char *sig, int64_t now)
{
    if (!expiry || !sig || !*expiry || strlen(expiry) > 18 ||
        strspn(expiry, "0123456789") != strlen(expiry) || strlen(sig) != 2 * crypto_auth_BYTES)
        return 1;
    int64_t exp = strtoll(expiry, NULL, 10);
    if (exp < now)
        return 1;
    char hex[2 * crypto_auth_BYTES + 1];
    url_mac(key, film_id, file, account_id, exp, hex);
    return sodium_memcmp(hex, sig, 2 * crypto_auth_BYTES) ? 1 : 0;
}

static int signer_ready(struct ctx *c, struct film_signer *s)
{
    if (!s->ready) {
        struct err e = {0};
        _Static_assert(PHOTO_KEY_LEN == 32, "one media secret");
        s->ready = photo_url_key(web_db(c), s->key, &e) ? -1 : 1;
    }
    return s->ready > 0;
}

const char *web_film_url(struct ctx *c, struct film_signer *s, const struct film *f, int public_,
                         const char *file)
{
    const char *base = arena_printf(c->a, "/media/films/%lld/%s", (long long)f->id, file);
    if (public_)
        return base;
    if (!signer_ready(c, s))
        return base; /* the media route will refuse it: nothing rather than a leak */
    return arena_printf(c->a, "%s?%s", base,
                        web_film_sign(s->key, c->a, f->id, file, c->user.id, (int64_t)time(NULL)));
}

static int not_found(struct ctx *c)
{
    http_add_header(c->r, "Cache-Control", "no-store");
    return web_error(c, 404, FILM_FILE_NOT_FOUND);
}

/* The directory part of file ("hls/" for "hls/720p.m3u8", "" for "film.mp4"). */
static const char *dir_of(struct arena *a, const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? arena_strndup(a, file, (size_t)(slash - file) + 1) : "";
}

/* A URI of the playlist, relative to its directory, with the signature for this viewer.
 * Absolute URIs and URIs leaving the directory are left as they are (the route refuses
 * them anyway). */
static void signed_uri(struct ctx *c, struct film_signer *s, const struct film *f, const char *dir,
                       const char *uri, size_t n, struct buf *out)
{
    const char *u = arena_strndup(c->a, uri, n);
    if (!n || strchr(u, ':') || strchr(u, '?') || u[0] == '/' || strstr(u, "..")) {
        buf_append(out, uri, n);
        return;
    }
    const char *file = arena_printf(c->a, "%s%s", dir, u);
    buf_append(out, uri, n);
    buf_puts(out, "?");
    buf_puts(out, web_film_sign(s->key, c->a, f->id, file, c->user.id, (int64_t)time(NULL)));
}

/* Rewrites an HLS playlist (RFC 8216): each URI line and each URI="..." attribute gets the
 * viewer's signature. */
static void rewrite_playlist(struct ctx *c, struct film_signer *s, const struct film *f,
                             const char *file, const char *text, size_t len, struct buf *out)
{
    const char *dir = dir_of(c->a, file);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        size_t line_end = end > i && text[end - 1] == '\r' ? end - 1 : end;
        const char *line = text + i;
        size_t ln = line_end - i;
        if (ln && line[0] != '#') {
            signed_uri(c, s, f, dir, line, ln, out);
        } else if (ln && line[0] == '#') {
            const char *at = NULL;
            for (size_t k = 0; k + 5 <= ln; k++)
                if (!memcmp(line + k, "URI=\"", 5)) {
                    at = line + k + 5;
                    break;
                }
            const char *q = at ? memchr(at, '"', (size_t)(line + ln - at)) : NULL;
            if (q) {
                buf_append(out, line, (size_t)(at - line));
                signed_uri(c, s, f, dir, at, (size_t)(q - at), out);
                buf_append(out, q, (size_t)(line + ln - q));
            } else
                buf_append(out, line, ln);
        }
        buf_append(out, "\n", 1);
        i = end + 1;
    }
}

static int is_segment(const char *file)
{
    size_t n = strlen(file);
    return (n > 3 && !strcmp(file + n - 3, ".ts")) || (n > 4 && !strcmp(file + n - 4, ".m4s"));
}

static int is_playlist(const char *file)
{
    size_t n = strlen(file);
    return n > 5 && !strcmp(file + n - 5, ".m3u8");
}

int web_media_film(struct ctx *c)
{
    struct db *db = web_db(c);
    int64_t id;
    const char *file = web_param(c, 1);
    if (web_parse_id(web_param(c, 0), &id) || !file || !film_file_ok(file))
        return not_found(c);
    struct film f;
    struct group g;
    struct err e = {0};
    if (film_get(db, c->a, id, &f, &e) || group_get(db, c->a, f.group_id, &g, &e)) {
        if (e.status && e.status != 404)
            return web_err(c, &e);
        return not_found(c);
    }
    int public_ = film_can_see(db, NULL, &g, &f);
    struct film_signer s = {0};
    const char *cache = is_segment(file)    ? CACHE_IMMUTABLE
                        : is_playlist(file) ? CACHE_PLAYLIST
                                            : CACHE_PUBLIC;
    if (!public_) {
        /* not public: this viewer must be allowed, and hold a URL signed for them */
        if (!film_can_see(db, web_viewer(c), &g, &f))
            return not_found(c);
        if (!signer_ready(c, &s))
            return web_error(c, 500, N_("La clé des liens signés n'a pas pu être lue."));
        if (web_film_verify(s.key, f.id, file, c->user.id, http_query(c->r, "e"),
                            http_query(c->r, "s"), (int64_t)time(NULL))) {
            http_add_header(c->r, "Cache-Control", "no-store");
            return web_error(c, 403, N_("Ce lien vers le film n'est pas valable ou a expiré."));
        }
        cache = CACHE_PRIVATE;
    }
    const char *path = film_file_path(c->a, g_app.data_dir, &f, file);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return not_found(c);
    }
    const char *ctype = film_file_type(file);
    http_add_header(c->r, "X-Robots-Tag", "noindex");
    http_add_header(c->r, "Cache-Control", cache);
    if (is_playlist(file) && !public_) {
        /* rewritten for this viewer: no ETag, read whole (playlists are small) */
        if (st.st_size > PLAYLIST_MAX_BYTES) {
            close(fd);
            return not_found(c);
        }
        struct buf in;
        buf_init(&in, PLAYLIST_MAX_BYTES + 1);
        char chunk[16384];
        ssize_t k;
        while ((k = read(fd, chunk, sizeof chunk)) > 0)
            buf_append(&in, chunk, (size_t)k);
        close(fd);
        struct buf out;
        buf_init(&out, 0);
        rewrite_playlist(c, &s, &f, file, in.data ? in.data : "", in.len, &out);
        buf_free(&in);
        return http_respond_buf(c->r, 200, ctype, &out) ? -1 : 0;
    }
    const char *etag =
        arena_printf(c->a, "\"%s-%llx-%llx\"", f.storage_key, (unsigned long long)st.st_size,
                     (unsigned long long)st.st_mtime);
    http_add_header(c->r, "ETag", etag);
    const char *inm = http_header(c->r, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        close(fd);
        return http_respond(c->r, 304, ctype, "", 0) ? -1 : 0;
    }
    if (!strcmp(file, "film.mp4") && http_query(c->r, "download") && f.download_allowed)
        http_add_header(
            c->r, "Content-Disposition",
            arena_printf(c->a, "attachment; filename=\"film-%lld.mp4\"", (long long)f.id));
    return http_respond_file(c->r, fd, ctype, (uint64_t)st.st_size) ? -1 : 0;
}
