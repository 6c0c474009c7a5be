/* fuzz_cookie: libFuzzer target for cookie_parse in src/http/url.c: a Cookie header as
 * libmicrohttpd hands it over (NUL-terminated, any bytes), checked pair by pair. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    char *header = arena_strndup(a, (const char *)data, size); /* stops at a NUL, as MHD would */
    struct kvlist jar = {0};

    int rc = cookie_parse(a, header, &jar, HTTP_MAX_FORM_FIELDS);
    if ((rc != 0 && rc != -2) || jar.n > HTTP_MAX_FORM_FIELDS)
        abort();
    for (size_t i = 0; i < jar.n; i++) {
        const char *k = jar.items[i].key, *v = jar.items[i].value;
        if (!k || !v || !k[0] || strchr(k, ';') || strchr(k, '=') || strchr(v, ';'))
            abort();
        if (k[0] == ' ' || k[0] == '\t')
            abort(); /* separators before a name are skipped */
        if (strlen(k) + strlen(v) + 1 > strlen(header))
            abort(); /* a pair is never longer than the header it came from */
    }
    if (jar.n && kv_get(&jar, jar.items[0].key) != jar.items[0].value)
        abort();
    (void)kv_get(&jar, "lanterne_session");
    (void)kv_get(&jar, "");

    struct kvlist none = {0};
    if (cookie_parse(a, NULL, &none, HTTP_MAX_FORM_FIELDS) != 0 || none.n)
        abort();

    arena_free(a);
    return 0;
}
