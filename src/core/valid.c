/* valid: the e-mail and web address shape checks and the free-text field check behind
 * valid.h. Pure functions on bytes, no allocation, so any module (and the fuzzers) can call
 * them. */
#include "core/valid.h"

#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/text.h"

/* 1 if a byte of s is a space, a control character, DEL or one of extra. */
static int has_forbidden(const char *s, const char *extra)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || strchr(extra, *p))
            return 1;
    return 0;
}

int valid_email(const char *s, size_t local_max)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || (size_t)(at - s) > local_max)
        return 0;
    if (has_forbidden(s, "<>()[]\\,;:\""))
        return 0;
    const char *dom = at + 1;
    size_t dn = strlen(dom);
    return strchr(dom, '.') && dom[0] != '.' && dom[0] != '-' && dom[dn - 1] != '.' &&
           dom[dn - 1] != '-' && !strstr(dom, "..");
}

int valid_http_url(const char *s)
{
    const char *host;
    if (strncasecmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return 0;
    size_t hn = strcspn(host, "/?#");
    if (hn == 0 || memchr(host, '@', hn) || host[0] == '.' || host[0] == ':')
        return 0;
    return !has_forbidden(s, "<>\"`{}|\\^");
}

int valid_text(const char *v, const char *field, const char *what, size_t max, int multiline,
               struct err *e)
{
    size_t n = strlen(v);
    long chars = text_utf8_len(v, n);
    if (chars < 0 || text_has_control(v, n, multiline))
        return err_field(e, 422, field, "%s contient des caractères invalides.", err_tr(what));
    if ((size_t)chars > max)
        return err_field(e, 422, field, "%s doit comporter au plus %zu caractères.", err_tr(what),
                         max);
    return 0;
}
