/* web/tus: the tus 1.0 endpoint under /api/v1/uploads (see src/tus.h). PATCH and POST bodies
 * are streamed to the file (http_server_opts.is_stream): constant memory whatever the size. */
#include "tus.h"
#include "view/i18n.h"
#include "web/handlers.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char OCTET_STREAM[] = "application/offset+octet-stream";
static const char BASE[] = "/api/v1/uploads";

int web_is_stream(const char *method, const char *path)
{
    if (!method || !path)
        return 0;
    if (strcmp(method, "POST") == 0)
        return strcmp(path, BASE) == 0;
    if (strcmp(method, "PATCH") == 0) {
        size_t n = sizeof BASE - 1;
        return strncmp(path, BASE, n) == 0 && path[n] == '/' && path[n + 1] &&
               !strchr(path + n + 1, '/');
    }
    return 0;
}

static void http_date(char out[40], int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void add_u64(struct req *r, const char *name, uint64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, v);
    http_add_header(r, name, s);
}

static void common_headers(struct ctx *c)
{
    http_add_header(c->r, "Tus-Resumable", TUS_VERSION);
    http_add_header(c->r, "Cache-Control", "no-store");
}

static void state_headers(struct ctx *c, const struct tus_upload *u)
{
    add_u64(c->r, "Upload-Offset", u->offset);
    if (!u->completed_at) {
        char d[40];
        http_date(d, u->expires_at);
        http_add_header(c->r, "Upload-Expires", d);
    }
}

static int version_ok(struct ctx *c)
{
    const char *v = http_header(c->r, "Tus-Resumable");
    if (v && strcmp(v, TUS_VERSION) == 0)
        return 1;
    http_add_header(c->r, "Tus-Version", TUS_VERSION);
    web_error(c, 412, "Version du protocole tus non prise en charge (1.0.0 attendue).");
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
        return -1;
    *out = strtoull(s, NULL, 10);
    return 0;
}

static int is_octet_stream(const char *ct)
{
    return ct && strncasecmp(ct, OCTET_STREAM, sizeof OCTET_STREAM - 1) == 0 &&
           (ct[sizeof OCTET_STREAM - 1] == 0 || ct[sizeof OCTET_STREAM - 1] == ';');
}

/* Upload-Checksum, if sent: 0 (*has set), or -1 once a 400 is sent. */
static int read_checksum(struct ctx *c, unsigned char digest[32], int *has)
{
    const char *h = http_header(c->r, "Upload-Checksum");
    *has = 0;
    if (!h)
        return 0;
    int rc = tus_checksum_parse(h, digest);
    if (rc == -2) {
        web_error(c, 400, "Algorithme de somme de contrôle non pris en charge (sha256 seul).");
        return -1;
    }
    if (rc) {
        web_error(c, 400, "En-tête Upload-Checksum mal formé.");
        return -1;
    }
    *has = 1;
    return 0;
}

/* ---- the streamed body ---------------------------------------------------------------- */

struct tus_req {
    struct ctx *c;
    struct tus_write w;
    int creating; /* POST with a body: answer 201 */
};

static int on_chunk(struct req *r, void *ctx, const char *data, size_t len)
{
    struct tus_req *t = ctx;
    return tus_write_chunk(&t->w, data, len);
}

static void on_end(struct req *r, void *ctx, int complete)
{
    struct tus_req *t = ctx;
    struct ctx *c = t->c;
    struct db *db = db_pool_get(g_app.pool);
    i18n_use(c->lang);
    struct err e = {0};
    int done = 0;
    int rc = tus_write_end(&t->w, db, !complete, &done, &e);
    if (!rc && done)
        rc = tus_finish(db, &c->user, &t->w.up, &e);
    if (complete) {
        state_headers(c, &t->w.up);
        if (rc)
            web_err(c, &e);
        else
            http_respond(r, t->creating ? 201 : 204, NULL, "", 0);
    } else if (rc && e.status >= 500) {
        fprintf(stderr, "lanterne: upload %s interrupted: %s\n", t->w.up.id, e.msg);
    }
    db_pool_put(g_app.pool, db);
    i18n_use(NULL);
}

static int stream_into(struct ctx *c, const struct tus_upload *u, int creating)
{
    unsigned char digest[32];
    int has;
    if (read_checksum(c, digest, &has))
        return 0;
    const char *cl = http_header(c->r, "Content-Length");
    uint64_t n;
    if (cl && !parse_u64(cl, &n) && n > u->length - u->offset)
        return web_error(c, 413, "Le corps dépasse la taille annoncée de l'envoi.");
    struct tus_req *t = arena_alloc(c->a, sizeof *t);
    t->c = c;
    t->creating = creating;
    struct err e = {0};
    if (tus_write_begin(&t->w, web_db(c), u, has ? digest : NULL, &e))
        return web_err(c, &e);
    struct http_stream s = {on_chunk, on_end, t};
    http_stream_begin(c->r, &s);
    return 0;
}

/* ---- handlers ------------------------------------------------------------------------- */

/* OPTIONS /api/v1/uploads: what this server supports */
int web_api_upload_options(struct ctx *c)
{
    common_headers(c);
    http_add_header(c->r, "Tus-Version", TUS_VERSION);
    http_add_header(c->r, "Tus-Extension", TUS_EXTENSIONS);
    http_add_header(c->r, "Tus-Checksum-Algorithm", "sha256");
    add_u64(c->r, "Tus-Max-Size", tus_max_bytes());
    return http_respond(c->r, 204, NULL, "", 0);
}

/* POST /api/v1/uploads: creation, and creation-with-upload when a body comes along */
int web_api_upload_create(struct ctx *c)
{
    common_headers(c);
    if (!version_ok(c))
        return 0;
    uint64_t length;
    const char *ul = http_header(c->r, "Upload-Length");
    if (!ul && http_header(c->r, "Upload-Defer-Length"))
        return web_error(c, 400,
                         "La longueur différée (Upload-Defer-Length) n'est pas prise "
                         "en charge : envoyez Upload-Length.");
    if (parse_u64(ul, &length))
        return web_error(c, 400, "En-tête Upload-Length absent ou invalide.");
    struct err e = {0};
    struct tus_upload u;
    if (tus_create(web_db(c), c->a, &c->user, length, http_header(c->r, "Upload-Metadata"), &u,
                   &e)) {
        if (e.status == 413)
            add_u64(c->r, "Tus-Max-Size", tus_max_bytes());
        return web_err(c, &e);
    }
    http_add_header(c->r, "Location", arena_printf(c->a, "%s/%s", BASE, u.id));
    if (is_octet_stream(c->r->content_type) && length > 0)
        return stream_into(c, &u, 1);
    if (length == 0 && tus_finish(web_db(c), &c->user, &u, &e))
        return web_err(c, &e);
    state_headers(c, &u);
    return http_respond(c->r, 201, NULL, "", 0);
}

/* HEAD (and GET) /api/v1/uploads/{id}: the offset to resume from */
int web_api_upload_head(struct ctx *c)
{
    common_headers(c);
    if (strcmp(c->r->method, "HEAD") == 0 && !version_ok(c))
        return 0;
    struct err e = {0};
    struct tus_upload u;
    if (tus_get(web_db(c), c->a, web_param(c, 0), c->user.id, &u, &e))
        return web_err(c, &e);
    state_headers(c, &u);
    add_u64(c->r, "Upload-Length", u.length);
    const char *meta = tus_metadata_header(c->a, u.metadata);
    if (*meta)
        http_add_header(c->r, "Upload-Metadata", meta);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(u.id));
    json_object_set_new(o, "length", json_integer((json_int_t)u.length));
    json_object_set_new(o, "offset", json_integer((json_int_t)u.offset));
    json_object_set_new(o, "kind", json_string(u.kind));
    json_object_set_new(o, "target_id", json_integer(u.target_id));
    json_object_set_new(o, "completed", json_boolean(u.completed_at != 0));
    json_object_set_new(o, "expires_at", json_integer(u.expires_at));
    return web_json(c, 200, o);
}

/* PATCH /api/v1/uploads/{id}: bytes at Upload-Offset */
int web_api_upload_patch(struct ctx *c)
{
    common_headers(c);
    if (!version_ok(c))
        return 0;
    if (!is_octet_stream(c->r->content_type))
        return web_error(c, 415, "Le corps doit être de type application/offset+octet-stream.");
    uint64_t offset;
    if (parse_u64(http_header(c->r, "Upload-Offset"), &offset))
        return web_error(c, 400, "En-tête Upload-Offset absent ou invalide.");
    struct err e = {0};
    struct tus_upload u;
    if (tus_get(web_db(c), c->a, web_param(c, 0), c->user.id, &u, &e))
        return web_err(c, &e);
    if (offset != u.offset) {
        state_headers(c, &u);
        return web_error(c, 409, "Upload-Offset ne correspond pas à la position de l'envoi.");
    }
    if (u.offset == u.length) {
        /* every byte is in but the target refused it last time: try again */
        if (!u.completed_at && tus_finish(web_db(c), &c->user, &u, &e))
            return web_err(c, &e);
        state_headers(c, &u);
        return http_respond(c->r, 204, NULL, "", 0);
    }
    return stream_into(c, &u, 0);
}

/* DELETE /api/v1/uploads/{id}: termination */
int web_api_upload_delete(struct ctx *c)
{
    common_headers(c);
    if (!version_ok(c))
        return 0;
    struct err e = {0};
    struct tus_upload u;
    if (tus_get(web_db(c), c->a, web_param(c, 0), c->user.id, &u, &e) ||
        tus_delete(web_db(c), &u, &e))
        return web_err(c, &e);
    return http_respond(c->r, 204, NULL, "", 0);
}

/* GET /test-files/{name}: a file of <data dir>/test-files, with byte ranges; exists
 * only when LANTERNE_TEST_JOBS=1 (tests/http/range.test.mjs, bench/range.sh). */
int web_test_file(struct ctx *c)
{
    const char *t = getenv("LANTERNE_TEST_JOBS");
    const char *name = web_param(c, 0);
    if (!t || strcmp(t, "1") != 0 || !name || name[0] == '.' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            strlen(name))
        return web_error(c, 404, "Cette ressource n'existe pas.");
    const char *path = arena_printf(c->a, "%s/test-files/%s", g_app.data_dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return web_error(c, 404, "Cette ressource n'existe pas.");
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime);
    http_add_header(c->r, "ETag", etag);
    http_add_header(c->r, "Cache-Control", "public, max-age=60");
    return http_respond_file(c->r, fd, "application/octet-stream", (uint64_t)st.st_size);
}
