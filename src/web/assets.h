/* assets: the files under static/, read once at start, served from memory with strong
 * ETags; each also has a fingerprinted name that may be cached forever. */
#ifndef LANTERNE_ASSETS_H
#define LANTERNE_ASSETS_H

#include "core/err.h"
#include "http/http.h"

enum { ASSETS_MAX_FILE_BYTES = 8 * 1024 * 1024 };

int assets_load(const char *dir, struct err *e);
void assets_free(void);
/* "/static/css/site.1a2b3c4d5e.css" for "css/site.css" (or "/static/<rel>" if unknown). */
const char *assets_url(const char *rel);
/* Serves the asset named by rel (plain or fingerprinted); 404 when absent. 0 if answered. */
int assets_serve(struct req *r, const char *rel);

#endif
