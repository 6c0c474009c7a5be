/* server: libmicrohttpd daemon, request life cycle, limits, security headers, access log
 * and graceful shutdown. Handlers never see MHD: they get a complete `struct req`. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int g_quiet;
static const char *g_trusted; /* see http_server_opts.trusted_proxies */
static http_handler_fn g_handler;
static int (*g_is_upload)(const char *method, const char *path); /* may be NULL */
static int (*g_is_stream)(const char *method, const char *path); /* may be NULL */
static atomic_int g_in_flight;
static atomic_int g_stopping; /* answers then ask clients to close their connection */

uint64_t http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *http_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_add_header(struct req *r, const char *name, const char *value)
{
    struct http_hdr *h = arena_alloc(r->arena, sizeof *h);
    h->name = arena_strdup(r->arena, name);
    h->value = arena_strdup(r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

static int has_header(struct req *r, const char *name)
{
    for (struct http_hdr *h = r->headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            return 1;
    return 0;
}

static int queue(struct req *r, int status, const char *ctype, struct MHD_Response *resp,
                 size_t len)
{
    if (!resp)
        return -1;
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    /* Security headers on every response; scripts and styles only from our origin. */
    char csp[256];
    snprintf(csp, sizeof csp,
             "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
             "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors %s",
             r->frame_ancestors ? r->frame_ancestors : "'none'");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    if (!r->frame_ancestors)
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (!has_header(r, "Cache-Control"))
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
    for (struct http_hdr *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    if (atomic_load(&g_stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    int ok = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (ok != MHD_YES)
        return -1;
    r->status = status;
    r->bytes = len;
    r->responded = 1;
    return 0;
}

int http_respond(struct req *r, int status, const char *ctype, const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    return queue(r, status, ctype, resp, len);
}

int http_respond_buf(struct req *r, int status, const char *ctype, struct buf *b)
{
    size_t len = b->len;
    char *data = buf_detach(b);
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, data, free);
    if (!resp) {
        free(data);
        return -1;
    }
    return queue(r, status, ctype, resp, len);
}

int http_respond_static(struct req *r, int status, const char *ctype, const void *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    return queue(r, status, ctype, resp, len);
}

/* ---- files and byte ranges ------------------------------------------------------------ */

static int parse_u64(const char *s, const char *end, uint64_t *out)
{
    if (s == end)
        return -1;
    uint64_t v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int http_range_parse(const char *value, uint64_t size, uint64_t *start, uint64_t *len)
{
    if (!value)
        return HTTP_RANGE_NONE;
    while (*value == ' ' || *value == '\t')
        value++;
    if (strncasecmp(value, "bytes=", 6) != 0)
        return HTTP_RANGE_NONE;
    const char *p = value + 6;
    if (strchr(p, ','))
        return HTTP_RANGE_NONE; /* several ranges: the whole file */
    while (*p == ' ')
        p++;
    const char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *dash = memchr(p, '-', (size_t)(end - p));
    if (!dash)
        return HTTP_RANGE_NONE;
    uint64_t a, b;
    if (dash == p) { /* suffix: the last n bytes */
        if (parse_u64(dash + 1, end, &b))
            return HTTP_RANGE_NONE;
        if (b == 0 || size == 0)
            return HTTP_RANGE_UNSATISFIABLE;
        if (b > size)
            b = size;
        *start = size - b;
        *len = b;
        return HTTP_RANGE_OK;
    }
    if (parse_u64(p, dash, &a))
        return HTTP_RANGE_NONE;
    if (dash + 1 == end)
        b = UINT64_MAX;
    else if (parse_u64(dash + 1, end, &b) || b < a)
        return HTTP_RANGE_NONE;
    if (a >= size)
        return HTTP_RANGE_UNSATISFIABLE;
    if (b >= size)
        b = size - 1;
    *start = a;
    *len = b - a + 1;
    return HTTP_RANGE_OK;
}

int http_respond_file(struct req *r, int fd, const char *ctype, uint64_t size)
{
    uint64_t start = 0, len = size;
    int status = 200;
    char cr[96];
    http_add_header(r, "Accept-Ranges", "bytes");
    int rc = http_range_parse(http_header(r, "Range"), size, &start, &len);
    if (rc == HTTP_RANGE_UNSATISFIABLE) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
        http_add_header(r, "Content-Range", cr);
        return http_respond(r, 416, NULL, "", 0);
    }
    if (rc == HTTP_RANGE_OK) {
        status = 206;
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start, start + len - 1,
                 size);
        http_add_header(r, "Content-Range", cr);
    }
    if (len == 0) {
        close(fd);
        return http_respond(r, status, ctype, "", 0);
    }
    /* MHD closes fd when the response is destroyed (after the last byte, or on error) */
    struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(len, fd, start);
    if (!resp) {
        close(fd);
        return -1;
    }
    return queue(r, status, ctype, resp, (size_t)len);
}

void http_stream_begin(struct req *r, const struct http_stream *s)
{
    r->stream = arena_alloc(r->arena, sizeof *r->stream);
    *r->stream = *s;
    r->stream_began = 1;
}

static const char *plain_error(int status)
{
    switch (status) {
    case 400:
        return "Requête invalide.\n";
    case 413:
        return "Corps de requête trop volumineux.\n";
    case 414:
        return "Adresse trop longue.\n";
    case 431:
        return "En-têtes trop volumineux.\n";
    default:
        return "Erreur.\n";
    }
}

struct collect {
    struct req *r;
    int fields;
    size_t bytes; /* path + query, as sent */
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct collect *c = cls;
    struct req *r = c->r;
    char *k, *v;
    c->bytes += strlen(key) + (value ? strlen(value) + 1 : 0) + 1;
    if (c->bytes > HTTP_MAX_URL_BYTES) {
        r->bad = 414;
        return MHD_NO;
    }
    if (++c->fields > HTTP_MAX_FORM_FIELDS) {
        r->bad = 400;
        return MHD_NO;
    }
    /* the unescape callback is a no-op: we decode and validate here */
    if (url_decode(r->arena, key, strlen(key), 1, &k) ||
        url_decode(r->arena, value ? value : "", value ? strlen(value) : 0, 1, &v)) {
        r->bad = 400;
        return MHD_NO;
    }
    kv_add(r->arena, &r->query, k, v);
    return MHD_YES;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

static void fill_addr(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->addr, sizeof r->addr, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->addr, sizeof r->addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->addr, sizeof r->addr);
}

static int is_trusted(const char *addr)
{
    if (!g_trusted || !*g_trusted)
        return 0;
    size_t n = strlen(addr);
    for (const char *p = g_trusted; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        if (len == n && strncmp(p, addr, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Behind a reverse proxy the peer is the proxy: take the client from the last hop it added
 * to X-Forwarded-For, but only when the peer is a proxy we were told to trust. */
static void forwarded_addr(struct req *r)
{
    if (!is_trusted(r->addr))
        return;
    const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff || !*xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char tmp[64];
    size_t n = strcspn(last, " ");
    if (n == 0 || n >= sizeof tmp)
        return;
    memcpy(tmp, last, n);
    tmp[n] = 0;
    unsigned char bin[16];
    if (inet_pton(AF_INET, tmp, bin) == 1 || inet_pton(AF_INET6, tmp, bin) == 1)
        snprintf(r->addr, sizeof r->addr, "%s", tmp);
}

static struct req *req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct arena *a = arena_new();
    struct req *r = arena_alloc(a, sizeof *r);
    r->arena = a;
    r->conn = conn;
    r->start_ns = http_now_ns();
    atomic_fetch_add(&g_in_flight, 1); /* until the response is fully sent */
    r->method = arena_strdup(a, method);
    fill_addr(r);
    forwarded_addr(r);
    size_t ulen = strlen(url);
    char *path;
    if (ulen > HTTP_MAX_URL_BYTES) {
        r->bad = 414;
        r->path = "/";
    } else if (url_decode(a, url, ulen, 0, &path)) {
        r->bad = 400;
        r->path = arena_strndup(a, url, ulen);
    } else
        r->path = path;
    if (!r->bad) {
        struct collect c = {r, 0, ulen};
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
    }
    size_t hbytes = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hbytes);
    if (hbytes > HTTP_MAX_HEADER_BYTES)
        r->bad = 431;
    const char *cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
    if (!r->bad && cookie_parse(a, cookie, &r->cookies, HTTP_MAX_FORM_FIELDS))
        r->bad = 400;
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    r->content_type = ct ? arena_strdup(a, ct) : NULL;
    /* An upload route may take a larger body. The buffer still grows only as bytes arrive:
     * a Content-Length alone reserves nothing. */
    size_t max = HTTP_MAX_BODY_BYTES;
    if (!r->bad && g_is_upload && g_is_upload(r->method, r->path))
        max = HTTP_MAX_UPLOAD_BYTES;
    /* a streamed body is never buffered: its handler checks its size itself */
    if (!r->bad && g_is_stream && g_is_stream(r->method, r->path))
        r->is_stream = 1;
    buf_init(&r->body, r->is_stream ? 1 : max);
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (!r->is_stream && cl && strtoull(cl, NULL, 10) > max)
        r->bad = 413;
    return r;
}

static int is_form(const char *ct)
{
    return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* Errors found while reading still go through the handler (it sees r->bad and answers in
 * the site's look, or as a problem document under /api/); plain text is the last resort. */
static void answer_bad(struct req *r)
{
    g_handler(r);
    if (!r->responded)
        http_respond(r, r->bad, "text/plain; charset=utf-8", plain_error(r->bad),
                     strlen(plain_error(r->bad)));
}

/* Streaming routes: the handler runs on the headers, then gets the body piece by piece. */
static enum MHD_Result stream_start(struct req *r)
{
    if (r->bad) {
        answer_bad(r);
        return MHD_YES;
    }
    g_handler(r);
    if (!r->responded && !r->stream_began) {
        static const char msg[] = "Erreur interne.\n";
        http_respond(r, 500, "text/plain; charset=utf-8", msg, sizeof msg - 1);
    }
    return MHD_YES;
}

static enum MHD_Result stream_step(struct req *r, const char *data, size_t *size)
{
    if (*size) {
        if (r->stream_began && !r->stream_ended && !r->stream_stopped) {
            if (r->stream->chunk(r, r->stream->ctx, data, *size))
                r->stream_stopped = 1;
        } else {
            r->stream_dropped += *size;
            /* a client that goes on sending after a refusal is cut off */
            if (r->stream_dropped > HTTP_MAX_UPLOAD_BYTES) {
                *size = 0;
                return MHD_NO;
            }
        }
        *size = 0;
        return MHD_YES;
    }
    if (r->stream_began && !r->stream_ended) {
        r->stream_ended = 1;
        r->stream->end(r, r->stream->ctx, 1);
    }
    if (!r->responded) {
        static const char msg[] = "Erreur interne.\n";
        http_respond(r, 500, "text/plain; charset=utf-8", msg, sizeof msg - 1);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct req *r = *con_cls;
    if (!r) {
        r = req_new(conn, url, method);
        *con_cls = r;
        if (r->bad == 413 || r->bad == 414 || r->bad == 431)
            answer_bad(r); /* before reading the body at all; MHD then closes the connection */
        else if (r->is_stream)
            return stream_start(r);
        return MHD_YES;
    }
    if (r->is_stream)
        return stream_step(r, upload_data, upload_size);
    if (*upload_size) {
        /* past the limit the rest is read and dropped: MHD cannot answer mid-body for a
         * chunked upload, so the 413 goes out on the final call */
        if (!r->responded && !r->bad && buf_append(&r->body, upload_data, *upload_size)) {
            r->bad = 413;
            buf_free(&r->body);
            answer_bad(r);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->responded)
        return MHD_YES;
    if (r->bad) {
        answer_bad(r);
        return MHD_YES;
    }
    if (is_form(r->content_type) && r->body.len) {
        int rc =
            url_parse_query(r->arena, r->body.data, r->body.len, &r->form, HTTP_MAX_FORM_FIELDS);
        if (rc)
            r->bad = 400;
    } else if (multipart_is_form_data(r->content_type) && r->body.len) {
        /* text parts join r->form (so _csrf is found as in any form); files point into
         * r->body, which lives until on_completed */
        if (multipart_parse(r->arena, r->content_type, r->body.data, r->body.len, &r->form,
                            &r->files, HTTP_MAX_MULTIPART_PARTS))
            r->bad = 400;
    }
    g_handler(r);
    if (!r->responded) {
        static const char msg[] = "Erreur interne.\n";
        http_respond(r, 500, "text/plain; charset=utf-8", msg, sizeof msg - 1);
    }
    return MHD_YES;
}

/* The decoded path may hold control characters (%0A...): escape them so one request is
 * always one log line; long paths are cut. */
static void log_safe(char *out, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;
    for (; *s && j + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '\\') {
            out[j++] = '\\';
            out[j++] = 'x';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        } else
            out[j++] = (char)c;
    }
    if (*s && j + 4 < cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = 0;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *r = *con_cls;
    if (!r)
        return;
    if (r->stream_began && !r->stream_ended) {
        /* the client went away (or timed out) mid-body: the handler keeps what it has */
        r->stream_ended = 1;
        r->stream->end(r, r->stream->ctx, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    }
    if (!g_quiet) {
        double ms = (double)(http_now_ns() - r->start_ns) / 1e6;
        char path[512];
        log_safe(path, sizeof path, r->path);
        fprintf(stderr, "%s %s %s %d %llu %.2fms\n", r->addr, r->method, path,
                r->status ? r->status : 0, (unsigned long long)r->bytes, ms);
    }
    buf_free(&r->body);
    arena_free(r->arena);
    atomic_fetch_sub(&g_in_flight, 1);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct err *e)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return err_set(e, 400, "invalid listen address '%s' (expected HOST:PORT)", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return err_set(e, 400, "invalid port in '%s'", listen);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return err_set(e, 400, "invalid IPv4 address '%s'", host);
    return 0;
}

int http_serve(const struct http_server_opts *o, struct err *e)
{
    struct sockaddr_in sa;
    if (parse_listen(o->listen, &sa, e))
        return -1;
    g_quiet = o->quiet;
    g_trusted = o->trusted_proxies;
    g_handler = o->handler;
    g_is_upload = o->is_upload;
    g_is_stream = o->is_stream;
    unsigned threads = o->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    /* Block the signals in every thread; this one waits for them with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
            MHD_ALLOW_SUSPEND_RESUME,
        ntohs(sa.sin_port), NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(HTTP_MAX_HEADER_BYTES + 16 * 1024),
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (!d)
        return err_set(e, 500, "cannot listen on %s: %s", o->listen, strerror(errno));
    fprintf(stderr, "lanterne: listening on http://%s/ (%u threads)\n", o->listen, threads);

    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "lanterne: signal %d, stopping (up to %d s for requests in flight)\n", sig,
            HTTP_SHUTDOWN_GRACE_SECONDS);
    atomic_store(&g_stopping, 1);
    if (MHD_quiesce_daemon(d) == MHD_INVALID_SOCKET)
        fprintf(stderr, "lanterne: could not stop accepting connections\n");
    uint64_t deadline = http_now_ns() + (uint64_t)HTTP_SHUTDOWN_GRACE_SECONDS * 1000000000u;
    while (atomic_load(&g_in_flight) > 0 && http_now_ns() < deadline)
        usleep(20000);
    MHD_stop_daemon(d);
    fprintf(stderr, "lanterne: stopped\n");
    return 0;
}
