/* pagecache: rendered pages kept for anonymous visitors, per database connection, each
 * entry stamped with the connection's data version so any committed write invalidates it. */
#ifndef LANTERNE_PAGECACHE_H
#define LANTERNE_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

enum {
    PAGECACHE_SLOTS = 128,                /* per connection, direct-mapped by key hash */
    PAGECACHE_MAX_ENTRY = 256 * 1024,     /* larger pages are not kept */
    PAGECACHE_MAX_BYTES = 4 * 1024 * 1024 /* per connection */
};

struct pagecache_hit {
    const char *ctype;
    const void *body; /* valid while the connection is held */
    size_t len;
};

/* 1 on a hit (version and key equal), 0 otherwise. */
int pagecache_get(struct db *db, const char *key, uint64_t version, struct pagecache_hit *hit);
void pagecache_put(struct db *db, const char *key, uint64_t version, const char *ctype,
                   const void *body, size_t len);

#endif
