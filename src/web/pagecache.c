/* pagecache: a direct-mapped cache of response bodies hung on each database connection.
 * A connection serves one request at a time, so no lock is needed; validity comes from
 * db_data_version, which moves on every commit by any connection or process. */
#include "web/pagecache.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    char *key;
    uint64_t version;
    const char *ctype; /* static strings only */
    void *body;
    size_t len;
};

struct cache {
    struct entry slots[PAGECACHE_SLOTS];
    size_t bytes;
};

static void cache_free(void *p)
{
    struct cache *c = p;
    for (int i = 0; i < PAGECACHE_SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
    }
    free(c);
}

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void drop(struct cache *c, struct entry *en)
{
    c->bytes -= en->len;
    free(en->key);
    free(en->body);
    memset(en, 0, sizeof *en);
}

int pagecache_get(struct db *db, const char *key, uint64_t version, struct pagecache_hit *hit)
{
    struct cache *c = db_user_data(db);
    if (!c)
        return 0;
    struct entry *en = &c->slots[hash(key) % PAGECACHE_SLOTS];
    if (!en->key || strcmp(en->key, key) != 0)
        return 0;
    if (en->version != version) {
        drop(c, en);
        return 0;
    }
    hit->ctype = en->ctype;
    hit->body = en->body;
    hit->len = en->len;
    return 1;
}

void pagecache_put(struct db *db, const char *key, uint64_t version, const char *ctype,
                   const void *body, size_t len)
{
    if (len > PAGECACHE_MAX_ENTRY)
        return;
    struct cache *c = db_user_data(db);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        db_set_user_data(db, c, cache_free);
    }
    struct entry *en = &c->slots[hash(key) % PAGECACHE_SLOTS];
    if (en->key)
        drop(c, en);
    /* over budget: empty the slots with stale versions first, then everything */
    if (c->bytes + len > PAGECACHE_MAX_BYTES) {
        for (int i = 0; i < PAGECACHE_SLOTS; i++)
            if (c->slots[i].key && c->slots[i].version != version)
                drop(c, &c->slots[i]);
        for (int i = 0; i < PAGECACHE_SLOTS && c->bytes + len > PAGECACHE_MAX_BYTES; i++)
            if (c->slots[i].key)
                drop(c, &c->slots[i]);
    }
    en->key = xstrdup(key);
    en->version = version;
    en->ctype = ctype;
    en->body = xmalloc(len ? len : 1);
    memcpy(en->body, body, len);
    en->len = len;
    c->bytes += len;
}
