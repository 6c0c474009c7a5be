/* assets: static files held in memory. The fingerprint is the first 10 hex digits of the
 * content hash, so a changed file gets a new URL and old ones can be cached as immutable. */
#include "web/assets.h"
#include "core/buf.h"
#include "core/mem.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct asset {
    char *rel;         /* "css/site.css" */
    char *fingerprint; /* "css/site.1a2b3c4d5e.css" */
    char *url;         /* "/static/css/site.1a2b3c4d5e.css" */
    char etag[40];
    const char *ctype;
    unsigned char *data;
    size_t len;
};

static struct asset *g_assets;
static size_t g_n, g_cap;

static const char *ctype_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int add_file(const char *path, const char *rel, struct err *e)
{
    struct buf file;
    buf_init(&file, ASSETS_MAX_FILE_BYTES);
    if (buf_read_file(&file, path, e)) {
        buf_free(&file);
        return -1;
    }
    size_t size = file.len;
    unsigned char *data = (unsigned char *)buf_detach(&file);
    if (g_n == g_cap) {
        g_cap = g_cap ? g_cap * 2 : 32;
        g_assets = xrealloc(g_assets, g_cap * sizeof *g_assets);
    }
    struct asset *a = &g_assets[g_n++];
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, data, size, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    a->rel = xstrdup(rel);
    a->data = data;
    a->len = size;
    a->ctype = ctype_of(rel);
    snprintf(a->etag, sizeof a->etag, "\"%.32s\"", hex);
    const char *dot = strrchr(rel, '.');
    const char *slash = strrchr(rel, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - rel) : strlen(rel);
    size_t fl = strlen(rel) + 12;
    a->fingerprint = xmalloc(fl);
    snprintf(a->fingerprint, fl, "%.*s.%.10s%s", (int)stem, rel, hex, rel + stem);
    size_t ul = strlen(a->fingerprint) + 9;
    a->url = xmalloc(ul);
    snprintf(a->url, ul, "/static/%s", a->fingerprint);
    return 0;
}

static int walk(const char *dir, const char *prefix, struct err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, 500, "cannot open static directory %s", dir);
    struct dirent *de;
    int rc = 0;
    while (!rc && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[2048], rel[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(rel, sizeof rel, "%s%s", prefix, de->d_name);
        struct stat st;
        if (stat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/", rel);
            rc = walk(path, sub, e);
        } else if (S_ISREG(st.st_mode))
            rc = add_file(path, rel, e);
    }
    closedir(d);
    return rc;
}

int assets_load(const char *dir, struct err *e)
{
    return walk(dir, "", e);
}

void assets_free(void)
{
    for (size_t i = 0; i < g_n; i++) {
        free(g_assets[i].rel);
        free(g_assets[i].fingerprint);
        free(g_assets[i].url);
        free(g_assets[i].data);
    }
    free(g_assets);
    g_assets = NULL;
    g_n = g_cap = 0;
}

const char *assets_url(const char *rel)
{
    for (size_t i = 0; i < g_n; i++)
        if (strcmp(g_assets[i].rel, rel) == 0)
            return g_assets[i].url;
    return NULL;
}

int assets_serve(struct req *r, const char *rel)
{
    for (size_t i = 0; i < g_n; i++) {
        struct asset *a = &g_assets[i];
        int fp = strcmp(a->fingerprint, rel) == 0;
        if (!fp && strcmp(a->rel, rel) != 0)
            continue;
        http_add_header(r, "ETag", a->etag);
        http_add_header(r, "Cache-Control",
                        fp ? "public, max-age=31536000, immutable" : "public, max-age=300");
        const char *inm = http_header(r, "If-None-Match");
        if (inm && strstr(inm, a->etag))
            return http_respond_static(r, 304, NULL, "", 0);
        return http_respond_static(r, 200, a->ctype, a->data, a->len);
    }
    return 1;
}
