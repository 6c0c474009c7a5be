/* mem: allocation that aborts on failure, so callers never juggle NULL from malloc.
 * Also the arena: a per-request memory pool freed at once at the end. */
#ifndef LANTERNE_MEM_H
#define LANTERNE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

struct arena;

struct arena *arena_new(void);
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_used(const struct arena *a);
void arena_free(struct arena *a);

#endif
