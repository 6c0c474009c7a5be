/* init: loading what the web layer needs once, at start-up: compiled templates, static
 * files, translation catalogs and the map outlines. */
#include "web/web.h"
#include "tpl/tpl.h"
#include "view/i18n.h"
#include "view/svgmap.h"
#include "web/assets.h"

int web_init(const char *template_dir, const char *static_dir, const char *locale_dir,
             const char *map_json, struct err *e)
{
    g_app.tpl = tpl_set_new();
    if (tpl_set_load_dir(g_app.tpl, template_dir, e))
        return -1;
    if (!tpl_has(g_app.tpl, "layout") || !tpl_has(g_app.tpl, "error"))
        return err_set(e, 500, "templates missing in %s (layout, error)", template_dir);
    if (assets_load(static_dir, e))
        return -1;
    if (i18n_load(locale_dir, e))
        return -1;
    if (svgmap_load(map_json, e))
        return -1;
    return 0;
}

void web_shutdown(void)
{
    tpl_set_free(g_app.tpl);
    g_app.tpl = NULL;
    assets_free();
    i18n_free();
    svgmap_free();
}
