/* http: the libmicrohttpd glue. A request arrives as a `struct req` with its own arena,
 * decoded path, query, form and cookies; handlers answer with http_respond*(). */
#ifndef LANTERNE_HTTP_H
#define LANTERNE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

/* Named limits: each one has a test that crosses it. */
enum {
    HTTP_MAX_HEADER_BYTES = 16 * 1024, /* request line + headers (MHD answers 431) */
    HTTP_MAX_BODY_BYTES = 1024 * 1024, /* any non-upload body; over it: 413 */
    /* a body sent to an upload route (http_server_opts.is_upload); over it: 413 */
    HTTP_MAX_UPLOAD_BYTES = 64 * 1024 * 1024,
    HTTP_MAX_MULTIPART_PARTS = 50, /* parts of a multipart/form-data body; over it: 400 */
    /* the header lines of one part of a multipart body, its blank line included; over: 400 */
    HTTP_MAX_PART_HEADER_BYTES = 8 * 1024,
    HTTP_MAX_FORM_FIELDS = 200,       /* query or form pairs; over it: 400 */
    HTTP_MAX_URL_BYTES = 4096,        /* path + query; over it: 414 */
    HTTP_SHUTDOWN_GRACE_SECONDS = 10, /* requests in flight get this long on SIGTERM */
};

struct kv {
    const char *key;
    const char *value;
};

struct kvlist {
    struct kv *items;
    size_t n, cap;
};

struct http_hdr {
    struct http_hdr *next;
    const char *name, *value;
};

struct MHD_Connection;
struct http_stream;

/* One file part of a multipart/form-data body. Strings live in the request's arena. */
struct http_file {
    struct http_file *next;
    const char *field;        /* form field name */
    const char *filename;     /* as sent by the client (never trusted for anything but
                                 display), may be "" */
    const char *content_type; /* as sent; never trusted; "" when the part has none */
    const char *data;         /* points into the body */
    size_t len;
};

struct req {
    struct MHD_Connection *conn;
    struct arena *arena;
    const char *method;
    const char *path; /* percent-decoded, valid UTF-8, no NUL */
    struct kvlist query;
    struct kvlist form; /* urlencoded bodies, and the text parts of multipart bodies */
    /* the file parts of a multipart/form-data body, in order; their bytes are in body */
    struct http_file *files;
    struct kvlist cookies;
    struct buf body; /* raw body (JSON API) */
    const char *content_type;
    char addr[64]; /* client address, text */
    uint64_t start_ns;
    int status;     /* status sent, for the access log */
    uint64_t bytes; /* body bytes sent */
    int responded;
    int bad;                     /* 400/413/414 detected while reading; set by the core */
    const char *frame_ancestors; /* CSP frame-ancestors value; "'none'" unless a handler allows */
    struct http_hdr *headers;    /* extra response headers */
    void *app;                   /* the web layer's per-request state */
    /* streaming bodies (http_server_opts.is_stream), managed by the core */
    int is_stream; /* the route streams its body: r->body stays empty */
    int stream_began, stream_ended, stream_stopped;
    struct http_stream *stream;
    uint64_t stream_dropped; /* bytes read and dropped after chunk() said stop */
};

/* A streamed request body. The handler of a streaming route runs as soon as the headers
 * are in (r->body and r->form are empty then); it either answers at once (an error: the
 * body is not read, and the connection is closed) or calls http_stream_begin, after which
 * chunk gets every body byte in order as it arrives, in pieces of at most a few tens of
 * KiB, so memory stays constant whatever the size. end is called exactly once:
 * complete = 1 after the last byte (answer there, as a handler would), or complete = 0 when
 * the client went away or timed out mid-body (no answer can be sent: keep what arrived). */
struct http_stream {
    /* 0, or -1 to stop: the rest of the body is read and dropped, end still comes */
    int (*chunk)(struct req *r, void *ctx, const char *data, size_t len);
    void (*end)(struct req *r, void *ctx, int complete);
    void *ctx;
};
/* s is copied into the request's arena. */
void http_stream_begin(struct req *r, const struct http_stream *s);

const char *http_header(struct req *r, const char *name); /* request header or NULL */
const char *kv_get(const struct kvlist *l, const char *key);
void kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value);
#define http_query(r, k) kv_get(&(r)->query, (k))
#define http_form(r, k) kv_get(&(r)->form, (k))
#define http_cookie(r, k) kv_get(&(r)->cookies, (k))
/* The first file part sent under field, or NULL. */
const struct http_file *http_file_get(const struct req *r, const char *field);

/* Adds a response header (copied into the request's arena). */
void http_add_header(struct req *r, const char *name, const char *value);
/* Sends a response; the body is copied (buf variant takes ownership and frees it).
 * Security headers are always added. Returns 0, or -1 if the connection is gone. */
int http_respond(struct req *r, int status, const char *ctype, const char *body, size_t len);
int http_respond_buf(struct req *r, int status, const char *ctype, struct buf *b);
/* Response body from a static, never-freed memory area (static files cache). */
int http_respond_static(struct req *r, int status, const char *ctype, const void *body, size_t len);

/* Answers with a file's bytes, sent by sendfile; takes ownership of fd (closed in every
 * case). Honours a single range of the Range header ("bytes=a-b", "bytes=a-", "bytes=-n"):
 * 206 with Content-Range; a range starting past the end: 416 with "Content-Range: bytes
 * *" "/size"; several ranges, a malformed header or none: 200 with the whole file.
 * Accept-Ranges: bytes is always sent. ETag, Cache-Control, If-None-Match: the caller's
 * (http_add_header before calling). */
int http_respond_file(struct req *r, int fd, const char *ctype, uint64_t size);

enum { HTTP_RANGE_NONE = 0, HTTP_RANGE_OK = 1, HTTP_RANGE_UNSATISFIABLE = 2 };
/* Parses a Range header value against a size. HTTP_RANGE_OK with *start and *len set
 * (len >= 1), HTTP_RANGE_UNSATISFIABLE (416), or HTTP_RANGE_NONE: no header, another unit,
 * several ranges or a malformed value (answer the whole file). */
int http_range_parse(const char *value, uint64_t size, uint64_t *start, uint64_t *len);

/* Decoding (exposed for tests and fuzzing). Return 0, or -1 on malformed percent-encoding,
 * invalid UTF-8 or a NUL byte; -2 when max_fields is passed. */
int url_decode(struct arena *a, const char *s, size_t n, int plus_is_space, char **out);
int url_parse_query(struct arena *a, const char *s, size_t n, struct kvlist *out,
                    size_t max_fields);
/* Cookie header → pairs; malformed pairs are skipped (browsers send odd things). */
int cookie_parse(struct arena *a, const char *header, struct kvlist *out, size_t max_fields);

/* 1 if the Content-Type is multipart/form-data (any parameters), 0 if not. */
int multipart_is_form_data(const char *content_type);
/* Parses a multipart/form-data body (RFC 7578) with the boundary from content_type.
 * Text parts go to *fields (values copied into a, NUL-terminated, must be valid UTF-8
 * without NUL like other form values), file parts (those with a filename or filename*
 * parameter) are appended to *files in order; a file part with filename "" and no bytes
 * (a file input left empty) is skipped. Nothing is added unless the whole body parses.
 * 0, or -1 malformed (no/invalid boundary, missing final boundary, bad part headers, more
 * than HTTP_MAX_PART_HEADER_BYTES of headers in a part, invalid UTF-8 in a name, a filename
 * or a text part), -2 more than max_parts parts. Never reads past body+len. */
int multipart_parse(struct arena *a, const char *content_type, const char *body, size_t len,
                    struct kvlist *fields, struct http_file **files, size_t max_parts);

typedef int (*http_handler_fn)(struct req *r);

struct http_server_opts {
    const char *listen;          /* "127.0.0.1:8080" */
    unsigned threads;            /* 0 = number of cores */
    http_handler_fn handler;     /* called once the whole request is read */
    int quiet;                   /* no access log */
    const char *trusted_proxies; /* comma-separated peer addresses whose X-Forwarded-For
                                    is believed (the last address in it is the client) */
    /* 1 when the request (decoded path) goes to an upload route: its body may then reach
     * HTTP_MAX_UPLOAD_BYTES instead of HTTP_MAX_BODY_BYTES. NULL: no upload routes. */
    int (*is_upload)(const char *method, const char *path);
    /* 1 when the request's body is streamed to its handler (see struct http_stream)
     * instead of buffered: no body size limit applies in the core. NULL: none. */
    int (*is_stream)(const char *method, const char *path);
};

/* Runs until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish
 * (up to HTTP_SHUTDOWN_GRACE_SECONDS) and returns. */
int http_serve(const struct http_server_opts *o, struct err *e);
uint64_t http_now_ns(void);

#endif
