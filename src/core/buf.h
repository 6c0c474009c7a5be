/* buf: a growable, length-carrying byte buffer with a hard size cap,
 * and the escaping writers (HTML, attribute, URL, JSON, CSV) all output goes through. */
#ifndef LANTERNE_BUF_H
#define LANTERNE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

enum { BUF_DEFAULT_MAX = 64 * 1024 * 1024 };

struct buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* appends that would pass this fail with -1 */
};

void buf_init(struct buf *b, size_t max); /* max 0 = BUF_DEFAULT_MAX */
void buf_free(struct buf *b);
void buf_reset(struct buf *b);       /* len = 0, keeps memory */
char *buf_detach(struct buf *b);     /* caller owns the malloc'd string */
const char *buf_cstr(struct buf *b); /* "" when empty */

int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Appends the whole file at path, in chunks, so the cap bounds what a file can make us hold.
 * -1 with a 500 naming the file when it cannot be opened or read or would pass the cap
 * ("larger than"); b is then as it was. */
int buf_read_file(struct buf *b, const char *path, struct err *e);

/* Escaping writers: n may be (size_t)-1 for a NUL-terminated string. */
int buf_html(struct buf *b, const char *s, size_t n);          /* & < > " ' escaped */
int buf_url(struct buf *b, const char *s, size_t n);           /* RFC 3986 unreserved kept */
int buf_json(struct buf *b, const char *s, size_t n);          /* JSON string body, no quotes */
int buf_csv(struct buf *b, const char *s, size_t n, char sep); /* one CSV field */

#endif
