/* err: filling error records.
 * Kept tiny on purpose: formatting is bounded by the record's own buffer. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

/* One formatter for both setters, so a record is always filled the same way. */
__attribute__((format(printf, 4, 0))) static void fill(struct err *e, int status, const char *field,
                                                       const char *fmt, va_list ap)
{
    e->status = status;
    e->field = field;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int err_set(struct err *e, int status, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    fill(e, status, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int err_field(struct err *e, int status, const char *field, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    fill(e, status, field, fmt, ap);
    va_end(ap);
    return -1;
}

void err_clear(struct err *e)
{
    if (!e)
        return;
    e->status = 0;
    e->field = NULL;
    e->msg[0] = 0;
}
