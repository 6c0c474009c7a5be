/* err: filling error records.
 * Kept tiny on purpose: formatting is bounded by the record's own buffer. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *(*g_translate)(const char *msgid);

void err_set_translator(const char *(*fn)(const char *msgid))
{
    g_translate = fn;
}

const char *err_tr(const char *msgid)
{
    const char *t = g_translate && msgid ? g_translate(msgid) : NULL;
    return t ? t : msgid;
}

/* One formatter for both setters, so a record is always filled the same way. The format is
 * a French message id, translated before the values go in (the catalog checks that both
 * have the same conversions), so messages with numbers or names translate too. */
__attribute__((format(printf, 4, 0))) static void fill(struct err *e, int status, const char *field,
                                                       const char *fmt, va_list ap)
{
    e->status = status;
    e->field = field;
    vsnprintf(e->msg, sizeof e->msg, err_tr(fmt), ap);
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
