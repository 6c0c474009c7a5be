/* fuzz_tpl: libFuzzer target for src/tpl: compiles arbitrary bytes as a template and renders it.
 * It sits beside a small layout and partial (and can include itself) against a fixed context. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tpl/tpl.h"

static const char layout[] = "<title>{{$title}}T{{/title}}</title>\n"
                             "  {{$body}}\n"
                             "  default {{x}}\n"
                             "  {{/body}}\n"
                             "{{#list}}\n  {{>item}}\n{{/list}}\n";

static const char item[] = "<li>{{name}}{{^name}}{{.}}{{/name}}</li>\n{{$extra}}{{/extra}}";

static const char context[] =
    "{\"x\":\"<&>\\\"'\",\"n\":42,\"r\":1.21,\"t\":true,\"f\":false,\"z\":null,\"e\":\"\","
    "\"a\":{\"b\":{\"c\":\"deep\"}},\"list\":[{\"name\":\"one\"},\"two\",3,[4,5],{}],"
    "\"multi\":\"line1\\nline2\\n\",\"_x\":\"under\"}";

static const char *translate(void *ud, const char *msgid)
{
    (void)ud;
    return strlen(msgid) % 2 ? msgid : "traduit <b>";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *ctx;
    if (!ctx)
        ctx = json_loads(context, 0, NULL);

    struct tpl_set *s = tpl_set_new();
    struct err e = {0};
    tpl_set_add(s, "layout", layout, sizeof layout - 1, &e);
    tpl_set_add(s, "item", item, sizeof item - 1, &e);
    if (tpl_set_add(s, "fuzz", (const char *)data, size, &e) == 0) {
        struct buf out;
        buf_init(&out, 1 << 20); /* keeps blow-ups cheap; the cap is a handled error */
        tpl_render(s, "fuzz", ctx, size % 2 ? translate : NULL, NULL, &out, &e);
        buf_reset(&out);
        tpl_render(s, "layout", ctx, NULL, NULL, &out, &e);
        buf_free(&out);
    }
    tpl_set_free(s);
    return 0;
}
