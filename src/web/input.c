/* input: what every area reads from a request the same way: numeric ids in the path and a
 * JSON object as the body, with the same refusals (404 for a bad id, 400 for a bad body). */
#include "web/web.h"

#include <string.h>

enum { ID_DIGITS_MAX = 18 }; /* keeps a parsed id inside int64_t */

int web_parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > ID_DIGITS_MAX)
        return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

json_t *web_json_body(struct ctx *c, int *rc)
{
    const char *msg;
    json_error_t je;
    json_t *j = NULL;

    if (!c->r->body.data || c->r->body.len == 0) {
        msg = N_("Le corps de la requête est vide : un objet JSON est attendu.");
        goto refuse;
    }
    /* a member given twice has no agreed meaning (first or last?): refused, not guessed */
    j = json_loadb(c->r->body.data, c->r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        msg = N_("Le corps de la requête n'est pas un JSON valide.");
        goto refuse;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        msg = N_("Le corps de la requête doit être un objet JSON.");
        goto refuse;
    }
    return j;
refuse:
    *rc = web_error(c, 400, msg);
    return NULL;
}
