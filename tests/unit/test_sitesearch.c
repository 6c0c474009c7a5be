/* test_sitesearch: unit tests for src/search.c: what the site search and the showcase lists
 * return to each viewer (protected groups, network entries, pending and deleted entries),
 * agreement with visibility_can_see_group and logbook_can_see, query limits, pagination over
 * visible results only, snippets; on SQLite, or PostgreSQL (testdb.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "logbook.h"
#include "search.h"
#include "visibility.h"
#include "groupfix.h"

static struct group get(struct fx *f, int64_t gid)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, gid, &g, &e))
        fail_msg("group_get: %s", e.msg);
    return g;
}

static int64_t write_entry(struct fx *f, const struct account *by, int64_t gid, const char *title,
                           const char *body, const char *vis)
{
    struct group g = get(f, gid);
    struct logbook_input in = {.title = title, .body_md = body, .visibility = vis};
    struct err e = {0};
    int64_t id = 0;
    if (logbook_create(f->db, by, &g, &in, &id, &e))
        fail_msg("create %s: %d %s", title, e.status, e.msg);
    return id;
}

static int64_t protected_group(struct fx *f)
{
    struct group_input gi = {.title = "Unité Comète",
                             .year = 2024,
                             .structure_id = f->mjc,
                             .description = "Un atelier d'animation en volume.",
                             .is_protected = &(int){1}};
    struct err e = {0};
    int64_t gid = 0;
    if (group_create(f->db, &f->sup_a, &gi, &gid, &e))
        fail_msg("protected group: %s", e.msg);
    return gid;
}

struct result {
    struct sitesearch_hit *hits;
    int n;
    int64_t total;
};

static struct result search(struct fx *f, const struct account *viewer, const char *q)
{
    struct result r;
    struct err e = {0};
    if (sitesearch_query(f->db, f->a, viewer, q, 1, SITESEARCH_PER_PAGE_MAX, &r.hits, &r.n,
                         &r.total, &e))
        fail_msg("search \"%s\": %d %s", q, e.status, e.msg);
    assert_true(r.n <= r.total);
    return r;
}

static int found(struct fx *f, const struct account *viewer, const char *q,
                 enum sitesearch_kind kind, int64_t id)
{
    struct result r = search(f, viewer, q);
    for (int i = 0; i < r.n; i++)
        if (r.hits[i].kind == kind && r.hits[i].id == id)
            return 1;
    return 0;
}

static const char *who(const struct account *a)
{
    return a ? a->login : "anonymous";
}

/* ---- groups ---- */

static void test_groups_case_accents(void **state)
{
    struct fx *f = *state;
    /* "Ciné-club des Halles" is a network page: members of the network, not anonymous */
    assert_true(found(f, &f->part_a, "CINE club", SITESEARCH_GROUP, f->gb));
    assert_true(found(f, &f->part_a, "ciné-CLUB", SITESEARCH_GROUP, f->gb));
    assert_false(found(f, NULL, "cine club", SITESEARCH_GROUP, f->gb));
    /* "Atelier documentaire" is public */
    assert_true(found(f, NULL, "DOCUMENTAIRE", SITESEARCH_GROUP, f->ga));
    assert_true(found(f, NULL, "docu", SITESEARCH_GROUP, f->ga));
    /* a word must begin a word: "mentaire" is inside one */
    assert_false(found(f, NULL, "mentaire", SITESEARCH_GROUP, f->ga));
    /* the structure's name, and words spread over the title and the structure's name */
    assert_true(found(f, NULL, "lille", SITESEARCH_GROUP, f->ga));
    assert_true(found(f, NULL, "documentaire Lille", SITESEARCH_GROUP, f->ga));
    assert_false(found(f, NULL, "documentaire amiens", SITESEARCH_GROUP, f->ga));
    assert_true(found(f, &f->sup_a, "amiens", SITESEARCH_GROUP, f->gb));
    /* the description */
    struct group_input up = {.description = "Portraits filmés des habitants du quartier."};
    struct err e = {0};
    assert_int_equal(group_update(f->db, &f->sup_a, f->ga, &up, &e), 0);
    assert_true(found(f, NULL, "habitants quartier", SITESEARCH_GROUP, f->ga));
    struct result r = search(f, NULL, "habitants");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.hits[0].title, "Atelier documentaire");
    assert_string_equal(r.hits[0].group_title, "Atelier documentaire");
    assert_string_equal(r.hits[0].structure_name, "MJC Lille");
    assert_string_equal(r.hits[0].snippet, "Portraits filmés des habitants du quartier.");
}

static void test_protected_group(void **state)
{
    struct fx *f = *state;
    int64_t gid = protected_group(f);
    int64_t en =
        write_entry(f, &f->sup_a, gid, "Comète au travail", "Le robot cherche sa clé.", "group");
    /* by title, by description, by entry: nobody outside the group's circle finds anything */
    const char *queries[] = {"Unité Comète", "comete", "animation volume", "robot cherche",
                             "comète travail"};
    const struct account *outside[] = {NULL, &f->part_b, &f->sup_b, &f->coord_acap};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
            struct result r = search(f, outside[i], queries[k]);
            if (r.total != 0)
                fail_msg("%s finds \"%s\" in a protected group (%lld)", who(outside[i]), queries[k],
                         (long long)r.total);
        }
    /* its circle does: its supervisor, its structure's supervisor, its coordination, admins */
    const struct account *inside[] = {&f->sup_a, &f->sup_struct, &f->coord_hc, &f->admin};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        if (!found(f, inside[i], "comete", SITESEARCH_GROUP, gid))
            fail_msg("%s does not find the protected group", who(inside[i]));
        if (!found(f, inside[i], "robot", SITESEARCH_ENTRY, en))
            fail_msg("%s does not find the protected group's entry", who(inside[i]));
    }
    /* part_a takes part in group A at the same structure, not in this one */
    assert_false(found(f, &f->part_a, "comete", SITESEARCH_GROUP, gid));
}

/* ---- entries ---- */

static void test_entry_levels(void **state)
{
    struct fx *f = *state;
    int64_t pub =
        write_entry(f, &f->sup_a, f->ga, "Projection publique", "Un écran géant.", "public");
    int64_t net =
        write_entry(f, &f->sup_a, f->ga, "Réunion réseau", "Un écran partagé.", "network");
    int64_t grp = write_entry(f, &f->sup_a, f->ga, "Entre nous", "Un écran intime.", "group");
    /* anonymous: the public entry only */
    assert_true(found(f, NULL, "ecran", SITESEARCH_ENTRY, pub));
    assert_false(found(f, NULL, "ecran", SITESEARCH_ENTRY, net));
    assert_false(found(f, NULL, "reunion reseau", SITESEARCH_ENTRY, net));
    assert_false(found(f, NULL, "ecran", SITESEARCH_ENTRY, grp));
    assert_int_equal(search(f, NULL, "ecran").total, 1);
    /* another group's participant is in the network */
    assert_true(found(f, &f->part_b, "ecran", SITESEARCH_ENTRY, net));
    assert_false(found(f, &f->part_b, "ecran", SITESEARCH_ENTRY, grp));
    assert_int_equal(search(f, &f->part_b, "ecran").total, 2);
    /* the group's own circle sees all three */
    assert_int_equal(search(f, &f->part_a, "ecran").total, 3);
    assert_int_equal(search(f, &f->coord_hc, "écran").total, 3);
    /* a public entry of a network page is not public */
    int64_t b = write_entry(f, &f->sup_b, f->gb, "Ciné-débat", "Un écran en plein air.", "public");
    assert_false(found(f, NULL, "ecran", SITESEARCH_ENTRY, b));
    assert_true(found(f, &f->part_a, "ecran", SITESEARCH_ENTRY, b));
    /* the hit carries its group */
    struct result r = search(f, NULL, "projection publique");
    assert_int_equal(r.n, 1);
    assert_int_equal(r.hits[0].kind, SITESEARCH_ENTRY);
    assert_int_equal(r.hits[0].group_id, f->ga);
    assert_string_equal(r.hits[0].group_title, "Atelier documentaire");
    assert_string_equal(r.hits[0].title, "Projection publique");
}

static void test_pending_and_deleted(void **state)
{
    struct fx *f = *state;
    int64_t id = write_entry(f, &f->part_a, f->ga, "Mon rôle", "Je joue la voisine.", "public");
    /* pending: found by no one, not even its author or the managers */
    const struct account *all[] = {NULL, &f->part_a, &f->sup_a, &f->coord_hc, &f->admin};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (found(f, all[i], "voisine", SITESEARCH_ENTRY, id))
            fail_msg("%s finds a pending entry", who(all[i]));
    struct group g = get(f, f->ga);
    struct err e = {0};
    assert_int_equal(logbook_approve(f->db, &f->sup_a, &g, id, &e), 0);
    assert_true(found(f, NULL, "voisine", SITESEARCH_ENTRY, id));
    /* deleted: gone for everyone, back once restored */
    assert_int_equal(logbook_delete(f->db, &f->sup_a, &g, id, 1000, &e), 0);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (found(f, all[i], "voisine", SITESEARCH_ENTRY, id))
            fail_msg("%s finds a deleted entry", who(all[i]));
    assert_int_equal(logbook_undelete(f->db, &f->sup_a, &g, id, 2000, &e), 0);
    assert_true(found(f, NULL, "voisine", SITESEARCH_ENTRY, id));
    /* an edit that changes the text is found by its new words only */
    struct logbook_input up = {.body_md = "Je joue le facteur."};
    assert_int_equal(logbook_update(f->db, &f->sup_a, &g, id, &up, &e), 0);
    assert_false(found(f, NULL, "voisine", SITESEARCH_ENTRY, id));
    assert_true(found(f, NULL, "facteur", SITESEARCH_ENTRY, id));
}

/* The search's filter is the SQL form of the rules: for every viewer, it finds exactly the
 * groups visibility_can_see_group shows and the published entries logbook_can_see shows. */
static void test_agrees_with_rules(void **state)
{
    struct fx *f = *state;
    int64_t prot = protected_group(f);
    int64_t gids[] = {f->ga, f->gb, prot};
    const char *levels[] = {"group", "network", "public"};
    for (size_t i = 0; i < 3; i++) {
        struct group g = get(f, gids[i]);
        const struct account *by = gids[i] == f->gb ? &f->sup_b : &f->sup_a;
        for (size_t k = 0; k < 3; k++) {
            if (g.is_protected && k > 0)
                continue;
            write_entry(f, by, gids[i], "Lanterne magique", "Tournage.", levels[k]);
        }
    }
    /* every group's title holds "Atelier", "Ciné" or "Comète": give them a common word */
    for (size_t i = 0; i < 3; i++) {
        struct group_input up = {.description = "Lanterne magique."};
        struct err e = {0};
        struct group g = get(f, gids[i]);
        const struct account *by = gids[i] == f->gb ? &f->sup_b : &f->sup_a;
        if (group_update(f->db, by, g.id, &up, &e))
            fail_msg("update: %s", e.msg);
    }
    const struct account *viewers[] = {NULL,           &f->admin,  &f->coord_hc,
                                       &f->coord_acap, &f->sup_a,  &f->sup_b,
                                       &f->sup_struct, &f->part_a, &f->part_b};
    for (size_t v = 0; v < sizeof viewers / sizeof viewers[0]; v++) {
        struct result r = search(f, viewers[v], "lanterne magique");
        int expect = 0;
        for (size_t i = 0; i < 3; i++) {
            struct group g = get(f, gids[i]);
            int see = visibility_can_see_group(f->db, viewers[v], &g);
            expect += see;
            if (see != found(f, viewers[v], "lanterne magique", SITESEARCH_GROUP, g.id))
                fail_msg("%s: group %s: rule says %d", who(viewers[v]), g.title, see);
            struct logbook_entry *items;
            int n;
            struct err e = {0};
            /* the group's circle lists its entries; check each against the rule */
            if (logbook_list(f->db, f->a, &f->admin, &g, &items, &n, &e))
                fail_msg("list: %s", e.msg);
            for (int k = 0; k < n; k++) {
                int can = items[k].published && !items[k].deleted_at &&
                          logbook_can_see(f->db, viewers[v], &g, &items[k]);
                expect += can;
                if (can != found(f, viewers[v], "lanterne magique", SITESEARCH_ENTRY, items[k].id))
                    fail_msg("%s: entry %lld (%s) of %s: rule says %d", who(viewers[v]),
                             (long long)items[k].id, visibility_level_name(items[k].visibility),
                             g.title, can);
            }
        }
        if (r.total != expect)
            fail_msg("%s: total %lld, expected %d", who(viewers[v]), (long long)r.total, expect);
    }
}

/* ---- limits, pages, order ---- */

static void test_query_limits(void **state)
{
    struct fx *f = *state;
    struct sitesearch_hit *hits;
    int n;
    int64_t total;
    struct err e = {0};
    /* shorter than SITESEARCH_Q_MIN once trimmed */
    const char *too_short[] = {"", "   ", "a", " é "};
    for (size_t i = 0; i < sizeof too_short / sizeof too_short[0]; i++) {
        err_clear(&e);
        assert_int_equal(
            sitesearch_query(f->db, f->a, NULL, too_short[i], 1, 10, &hits, &n, &total, &e), -1);
        assert_int_equal(e.status, 422);
        assert_string_equal(e.field, "q");
    }
    err_clear(&e);
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "ét", 1, 10, &hits, &n, &total, &e), 0);
    /* SITESEARCH_Q_MAX characters (2 bytes each here) pass, one more does not */
    char q[4 * SITESEARCH_Q_MAX + 8] = "";
    for (int i = 0; i < SITESEARCH_Q_MAX; i++)
        strcat(q, i % 20 == 10 ? " " : "é");
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, q, 1, 10, &hits, &n, &total, &e), 0);
    strcat(q, "é");
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, q, 1, 10, &hits, &n, &total, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "q");
    /* more words than a search takes */
    err_clear(&e);
    assert_int_equal(
        sitesearch_query(f->db, f->a, NULL, "a b c d e f g h i j k", 1, 10, &hits, &n, &total, &e),
        -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(
        sitesearch_query(f->db, f->a, NULL, "a b c d e f g h i j", 1, 10, &hits, &n, &total, &e),
        0);
    /* punctuation alone: nothing to look for, nothing found */
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "!!", 1, 10, &hits, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    /* not UTF-8 */
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "\xff\xfe", 1, 10, &hits, &n, &total, &e),
                     -1);
    assert_int_equal(e.status, 422);
}

static void test_pages_count_visible_only(void **state)
{
    struct fx *f = *state;
    /* 8 public and 8 network entries with the same word: anonymous pages over the 8 only */
    for (int i = 0; i < 16; i++) {
        char title[32];
        snprintf(title, sizeof title, "Bobine %d", i);
        write_entry(f, &f->sup_a, f->ga, title, "Montage.", i % 2 ? "network" : "public");
    }
    struct sitesearch_hit *hits;
    int n;
    int64_t total;
    struct err e = {0};
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "bobine", 1, 3, &hits, &n, &total, &e), 0);
    assert_int_equal(total, 8);
    assert_int_equal(n, 3);
    /* newest first: the same day, so the last written first */
    assert_string_equal(hits[0].title, "Bobine 14");
    assert_string_equal(hits[2].title, "Bobine 10");
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "bobine", 3, 3, &hits, &n, &total, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(hits[1].title, "Bobine 0");
    assert_int_equal(sitesearch_query(f->db, f->a, NULL, "bobine", 4, 3, &hits, &n, &total, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 8);
    assert_int_equal(
        sitesearch_query(f->db, f->a, &f->part_b, "bobine", 1, 50, &hits, &n, &total, &e), 0);
    assert_int_equal(total, 16);
    assert_int_equal(n, 16);
}

static void test_rank(void **state)
{
    struct fx *f = *state;
    /* a title holding every word comes first, then one other column, then words spread over
     * columns; groups before entries within each */
    int64_t in_body = write_entry(f, &f->sup_a, f->ga, "Séance du mardi",
                                  "Nous avons filmé la **pluie** sur le toit.", "public");
    int64_t in_title = write_entry(f, &f->sup_a, f->ga, "Pluie sur le toit", "", "public");
    int64_t spread = write_entry(f, &f->sup_a, f->ga, "Pluie", "Vue depuis le toit.", "public");
    struct result r = search(f, NULL, "pluie toit");
    assert_int_equal(r.n, 3);
    assert_int_equal(r.hits[0].id, in_title);
    assert_int_equal(r.hits[1].id, in_body);
    assert_int_equal(r.hits[2].id, spread);
    /* the snippet of a body hit is its text, Markdown gone, the words apart */
    assert_string_equal(r.hits[1].snippet, "Nous avons filmé la pluie sur le toit.");
    int marked = 0;
    for (int i = 0; i < r.hits[1].npieces; i++)
        if (r.hits[1].pieces[i].hit) {
            marked++;
            assert_true(!strcmp(r.hits[1].pieces[i].text, "pluie") ||
                        !strcmp(r.hits[1].pieces[i].text, "toit"));
        }
    assert_int_equal(marked, 2);
    /* the group comes before the entries in the same rank */
    struct result g = search(f, NULL, "atelier");
    assert_true(g.n >= 1);
    assert_int_equal(g.hits[0].kind, SITESEARCH_GROUP);
}

static void test_snippet_window(void **state)
{
    struct fx *f = *state;
    char body[2000] = "";
    for (int i = 0; i < 60; i++)
        strcat(body, "avant ");
    strcat(body, "Œuvre cachée ");
    for (int i = 0; i < 60; i++)
        strcat(body, "après ");
    int64_t id = write_entry(f, &f->sup_a, f->ga, "Long texte", body, "public");
    /* ligatures: "oeuvre" finds "Œuvre" */
    struct result r = search(f, NULL, "oeuvre");
    assert_int_equal(r.n, 1);
    assert_int_equal(r.hits[0].id, id);
    /* the window starts near the word, cut at words, marked as cut at both ends */
    const char *s = r.hits[0].snippet;
    assert_true(strncmp(s, "…", strlen("…")) == 0);
    assert_non_null(strstr(s, "Œuvre cachée"));
    assert_true(strcmp(s + strlen(s) - strlen("…"), "…") == 0);
    assert_true(strlen(s) < 3 * SITESEARCH_SNIPPET_CHARS);
    int marked = 0;
    for (int i = 0; i < r.hits[0].npieces; i++)
        if (r.hits[0].pieces[i].hit) {
            marked++;
            assert_string_equal(r.hits[0].pieces[i].text, "Œuvre");
        }
    assert_int_equal(marked, 1);
}

static void test_plain_and_excerpt(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(
        sitesearch_plain(a, "# Titre\n\nDu *texte* & des <b>balises</b>.\n\n- un\n- deux"),
        "Titre Du texte & des balises. un deux");
    assert_string_equal(sitesearch_plain(a, ""), "");
    assert_string_equal(sitesearch_excerpt(a, "court", 10), "court");
    assert_string_equal(sitesearch_excerpt(a, "un deux trois quatre", 10), "un deux…");
    assert_string_equal(sitesearch_excerpt(a, "anticonstitutionnellement", 5), "antic…");
    /* counted in characters, never cutting one in two */
    assert_string_equal(sitesearch_excerpt(a, "été été été", 7), "été été…");
    arena_free(a);
}

/* ---- the showcase lists ---- */

static void test_showcase_lists(void **state)
{
    struct fx *f = *state;
    int64_t prot = protected_group(f);
    write_entry(f, &f->sup_a, prot, "Secret", "", "group");
    int64_t old = write_entry(f, &f->sup_a, f->ga, "Ancienne", "Texte.", "public");
    int64_t net = write_entry(f, &f->sup_a, f->ga, "Réseau", "", "network");
    int64_t pending = write_entry(f, &f->part_a, f->ga, "En attente", "", "public");
    int64_t b = write_entry(f, &f->sup_b, f->gb, "Page réseau", "", "public");
    int64_t recent = write_entry(f, &f->sup_a, f->ga, "Récente", "", "public");
    struct sitesearch_entry *items;
    int n;
    struct err e = {0};
    assert_int_equal(sitesearch_entries(f->db, f->a, NULL, 0, 10, 1, &items, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(items[0].id, recent);
    assert_int_equal(items[1].id, old);
    assert_string_equal(items[1].body_md, "Texte.");
    assert_string_equal(items[1].group_slug, get(f, f->ga).slug);
    /* without the body, and limited */
    assert_int_equal(sitesearch_entries(f->db, f->a, NULL, 0, 1, 0, &items, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_null(items[0].body_md);
    /* a member of the network: the network entry and the network page's entry too */
    assert_int_equal(sitesearch_entries(f->db, f->a, &f->part_b, 0, 10, 0, &items, &n, &e), 0);
    assert_int_equal(n, 4);
    int seen_net = 0, seen_b = 0;
    for (int i = 0; i < n; i++) {
        seen_net |= items[i].id == net;
        seen_b |= items[i].id == b;
        assert_true(items[i].id != pending);
    }
    assert_true(seen_net && seen_b);
    /* one group's */
    assert_int_equal(sitesearch_entries(f->db, f->a, NULL, f->gb, 10, 0, &items, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sitesearch_entries(f->db, f->a, &f->part_a, f->gb, 10, 0, &items, &n, &e), 0);
    assert_int_equal(n, 1);
    /* the protected group's circle sees its entry */
    assert_int_equal(sitesearch_entries(f->db, f->a, &f->coord_hc, prot, 10, 0, &items, &n, &e), 0);
    assert_int_equal(n, 1);
    /* groups: anonymous visitors see the public one only */
    struct sitesearch_group *groups;
    assert_int_equal(sitesearch_groups(f->db, f->a, NULL, 100, &groups, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(groups[0].id, f->ga);
    assert_int_equal(sitesearch_groups(f->db, f->a, &f->admin, 100, &groups, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sitesearch_groups(f->db, f->a, &f->sup_b, 100, &groups, &n, &e), 0);
    assert_int_equal(n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_groups_case_accents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_and_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agrees_with_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages_count_visible_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snippet_window, setup, teardown),
        cmocka_unit_test(test_plain_and_excerpt),
        cmocka_unit_test_setup_teardown(test_showcase_lists, setup, teardown),
    };
    char name[64];
    snprintf(name, sizeof name, "sitesearch on %s", testdb_engine());
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
