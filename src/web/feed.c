/* web/feed: what the site offers to feed readers and search engines: the Atom feed of each
 * public logbook, sitemap.xml (the public pages, and only those), robots.txt, and the marks a
 * public page carries (indexable, a link to its feed). Public means visible to an anonymous
 * visitor, whoever asks: feeds and sitemaps are public documents. */
#include "web/handlers.h"
#include "coordination.h"
#include "group.h"
#include "logbook.h"
#include "search.h"
#include "structure.h"
#include "visibility.h"

#include <string.h>
#include <time.h>

enum {
    FEED_ENTRIES_MAX = 50,    /* entries in a logbook's feed, newest first */
    SITEMAP_URLS_MAX = 50000, /* the sitemap protocol's limit for one file */
    SITEMAP_STRUCTURE_PAGE = 100
};

static const char *const GROUP_NOT_FOUND = N_("Groupe introuvable.");
static const char ATOM_TYPE[] = "application/atom+xml; charset=utf-8";
static const char XML_TYPE[] = "application/xml; charset=utf-8";
static const char TEXT_TYPE[] = "text/plain; charset=utf-8";

/* The site's address without a trailing slash, to make absolute URLs. */
static const char *base_url(struct ctx *c)
{
    const char *b = g_app.base_url ? g_app.base_url : "";
    size_t n = strlen(b);
    while (n > 0 && b[n - 1] == '/')
        n--;
    return arena_strndup(c->a, b, n);
}

/* s as XML character data or attribute value: & < > " ' escaped, and the characters XML 1.0
 * does not allow (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) left out.
 * Text reaching here is valid UTF-8 (validated on input, or cmark's output). */
static void xml_text(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&apos;");
            break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                break;
            if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
                p += 2;
                break;
            }
            buf_putc(b, (char)*p);
        }
    }
}

/* Unix seconds as an RFC 3339 time in UTC (Atom), or only the date (sitemap's lastmod). */
static const char *utc_time(struct ctx *c, int64_t t, int date_only)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&tt, &tm) ||
        !strftime(buf, sizeof buf, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm))
        return date_only ? "1970-01-01" : "1970-01-01T00:00:00Z";
    return arena_strdup(c->a, buf);
}

/* ---- marks on public pages ---- */

static const char *feed_path(struct ctx *c, const char *slug)
{
    return arena_printf(c->a, "/groupes/%s/carnet.atom", slug);
}

static void mark_public(struct ctx *c, const struct group *g)
{
    c->indexable = 1;
    c->feed_url = feed_path(c, g->slug);
    c->feed_title = web_tf(c, "Carnet de bord : %s", g->title);
}

void web_showcase_group(struct ctx *c, const struct group *g)
{
    if (visibility_can_see_group(web_db(c), NULL, g))
        mark_public(c, g);
}

void web_showcase_entry(struct ctx *c, const struct group *g, const struct logbook_entry *en)
{
    if (logbook_can_see(web_db(c), NULL, g, en))
        mark_public(c, g);
}

/* ---- the Atom feed of a logbook ---- */

/* The HTML of an entry in its feed: its text, rendered as on its page. The one place that
 * decides what an entry shows in a feed, so whatever else an entry shows publicly is added
 * here. */
static const char *feed_entry_content(struct ctx *c, const struct group *g,
                                      const struct sitesearch_entry *en)
{
    /* the photos only an anonymous visitor may see: a feed is a public document */
    return arena_printf(c->a, "%s%s", logbook_render_md(c->a, en->body_md),
                        web_photos_public_html(c, g->id, en->id));
}

int web_feed_atom(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct group g;
    if (group_get_by_slug(db, c->a, web_param(c, 0), &g, &e)) {
        if (e.status == 404)
            return web_error(c, 404, GROUP_NOT_FOUND);
        return web_err(c, &e);
    }
    /* the same 404 for a group that exists but is not public: a feed reveals nothing */
    if (!visibility_can_see_group(db, NULL, &g))
        return web_error(c, 404, GROUP_NOT_FOUND);
    struct sitesearch_entry *items;
    int n;
    if (sitesearch_entries(db, c->a, NULL, g.id, FEED_ENTRIES_MAX, 1, &items, &n, &e))
        return web_err(c, &e);

    const char *base = base_url(c);
    const char *group_url = arena_printf(c->a, "%s/groupes/%s", base, g.slug);
    int64_t updated = g.updated_at;
    for (int i = 0; i < n; i++)
        if (items[i].updated_at > updated)
            updated = items[i].updated_at;

    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    /* xml:base: the links and images of an entry's HTML are relative to the site */
    buf_printf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\" xml:base=\"",
               c->lang);
    xml_text(&b, base);
    buf_puts(&b, "/\">\n");
    buf_printf(&b, "  <id>%s/carnet</id>\n", group_url);
    buf_puts(&b, "  <title>");
    xml_text(&b, web_tf(c, "Carnet de bord : %s", g.title));
    buf_puts(&b, "</title>\n");
    buf_printf(&b, "  <updated>%s</updated>\n", utc_time(c, updated, 0));
    buf_printf(&b, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"%s%s\"/>\n", base,
               feed_path(c, g.slug));
    buf_printf(&b, "  <link rel=\"alternate\" type=\"text/html\" href=\"%s/carnet\"/>\n",
               group_url);
    /* the group speaks for its logbook: never a participant's name */
    buf_puts(&b, "  <author><name>");
    xml_text(&b, g.title);
    buf_printf(&b, "</name><uri>%s</uri></author>\n", group_url);
    buf_puts(&b, "  <generator>Lanterne</generator>\n");
    for (int i = 0; i < n; i++) {
        const struct sitesearch_entry *en = &items[i];
        const char *url = arena_printf(c->a, "%s/carnet/%lld", group_url, (long long)en->id);
        buf_puts(&b, "  <entry>\n");
        buf_printf(&b, "    <id>%s</id>\n", url);
        buf_puts(&b, "    <title>");
        xml_text(&b, en->title);
        buf_puts(&b, "</title>\n");
        buf_printf(&b, "    <link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n", url);
        buf_printf(&b, "    <published>%s</published>\n", utc_time(c, en->created_at, 0));
        buf_printf(&b, "    <updated>%s</updated>\n", utc_time(c, en->updated_at, 0));
        buf_puts(&b, "    <content type=\"html\">");
        xml_text(&b, feed_entry_content(c, &g, en));
        buf_puts(&b, "</content>\n");
        buf_puts(&b, "  </entry>\n");
    }
    buf_puts(&b, "</feed>\n");
    return web_body(c, 200, ATOM_TYPE, &b);
}

/* ---- sitemap.xml ---- */

struct sitemap {
    struct buf b;
    const char *base;
    int count;
};

static void sitemap_url(struct sitemap *s, const char *path, const char *lastmod)
{
    if (s->count >= SITEMAP_URLS_MAX)
        return;
    s->count++;
    buf_puts(&s->b, "  <url><loc>");
    xml_text(&s->b, s->base);
    xml_text(&s->b, path);
    buf_puts(&s->b, "</loc>");
    if (lastmod)
        buf_printf(&s->b, "<lastmod>%s</lastmod>", lastmod);
    buf_puts(&s->b, "</url>\n");
}

static int cmp_group_id(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key, other = ((const struct sitesearch_group *)elem)->id;
    return (id > other) - (id < other);
}

int web_sitemap(struct ctx *c)
{
    struct db *db = web_db(c);
    struct err e = {0};
    struct sitemap s = {.base = base_url(c)};
    buf_init(&s.b, 0);
    buf_puts(&s.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    sitemap_url(&s, "/", NULL);

    sitemap_url(&s, "/coordinations", NULL);
    struct coordination *coords;
    int nc;
    if (coordination_names(db, c->a, &coords, &nc, &e))
        goto fail;
    for (int i = 0; i < nc; i++)
        sitemap_url(&s, arena_printf(c->a, "/coordinations/%s", coords[i].slug), NULL);

    sitemap_url(&s, "/structures", NULL);
    for (int page = 1; s.count < SITEMAP_URLS_MAX; page++) {
        struct structure_filter f = {.page = page, .per_page = SITEMAP_STRUCTURE_PAGE};
        struct structure *list;
        int ns;
        int64_t total;
        if (structure_list(db, c->a, &f, &list, &ns, &total, &e))
            goto fail;
        for (int i = 0; i < ns; i++)
            sitemap_url(&s, arena_printf(c->a, "/structures/%lld", (long long)list[i].id), NULL);
        if (ns < SITEMAP_STRUCTURE_PAGE || (int64_t)page * SITEMAP_STRUCTURE_PAGE >= total)
            break;
    }

    /* groups and entries an anonymous visitor may see: the pages that carry no noindex */
    sitemap_url(&s, "/groupes", NULL);
    struct sitesearch_group *groups;
    int ng;
    if (sitesearch_groups(db, c->a, NULL, SITESEARCH_LIST_MAX, &groups, &ng, &e))
        goto fail;
    struct sitesearch_entry *entries;
    int ne;
    if (sitesearch_entries(db, c->a, NULL, 0, SITESEARCH_LIST_MAX, 0, &entries, &ne, &e))
        goto fail;
    /* a logbook changes when its newest public entry does */
    int64_t *book_mod = arena_alloc(c->a, ((size_t)ng + 1) * sizeof *book_mod);
    for (int i = 0; i < ng; i++)
        book_mod[i] = groups[i].updated_at;
    for (int i = 0; i < ne; i++) {
        const struct sitesearch_group *g =
            bsearch(&entries[i].group_id, groups, (size_t)ng, sizeof *groups, cmp_group_id);
        if (g && entries[i].updated_at > book_mod[g - groups])
            book_mod[g - groups] = entries[i].updated_at;
    }
    for (int i = 0; i < ng; i++) {
        sitemap_url(&s, arena_printf(c->a, "/groupes/%s", groups[i].slug),
                    utc_time(c, groups[i].updated_at, 1));
        sitemap_url(&s, arena_printf(c->a, "/groupes/%s/carnet", groups[i].slug),
                    utc_time(c, book_mod[i], 1));
    }
    for (int i = 0; i < ne; i++)
        sitemap_url(&s,
                    arena_printf(c->a, "/groupes/%s/carnet/%lld", entries[i].group_slug,
                                 (long long)entries[i].id),
                    utc_time(c, entries[i].updated_at, 1));
    /* public films: the only film pages without noindex */
    sitemap_url(&s, "/films", NULL);
    const char **film_paths;
    int64_t *film_mod;
    int nf;
    if (web_film_sitemap(c, &film_paths, &film_mod, &nf, &e))
        goto fail;
    for (int i = 0; i < nf; i++)
        sitemap_url(&s, film_paths[i], utc_time(c, film_mod[i], 1));
    buf_puts(&s.b, "</urlset>\n");
    return web_body(c, 200, XML_TYPE, &s.b);
fail:
    buf_free(&s.b);
    return web_err(c, &e);
}

/* ---- robots.txt ---- */

int web_robots(struct ctx *c)
{
    struct buf b;
    buf_init(&b, 0);
    /* search results and the language switch are endless variations of other pages */
    buf_printf(&b,
               "# Lanterne: the public pages are listed in the sitemap; every other page says "
               "noindex.\n"
               "User-agent: *\n"
               "Disallow: /recherche\n"
               "Disallow: /langue/\n"
               "\n"
               "Sitemap: %s/sitemap.xml\n",
               base_url(c));
    return web_body(c, 200, TEXT_TYPE, &b);
}
