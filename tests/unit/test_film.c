/* test_film: unit tests for src/film.c and src/film_collection.c: validation and limits at
 * their edges, the consent rule (a film crediting a participant whose consent is only
 * "network"; a withdrawal; a protected group), the library listing, collections, captions,
 * the media file names, the upload hooks. Runs on SQLite, and on PostgreSQL through
 * LANTERNE_TEST_DATABASE_URL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "consent.h"
#include "core/mem.h"
#include "db/db.h"
#include "film.h"
#include "film_internal.h"
#include "group.h"
#include "job.h"
#include "logbook.h"
#include "groupfix.h"

static char g_dir[256];

static struct group get(struct fx *f, int64_t gid)
{
    struct group g;
    struct err e = {0};
    if (group_get(f->db, f->a, gid, &g, &e))
        fail_msg("group_get: %s", e.msg);
    return g;
}

static void consent(struct fx *f, const struct account *by, int64_t pid, const char *level)
{
    struct consent_input in = {
        .level = level, .parent_agreed = 1, .minor_agreed = 1, .signed_on = "2024-01-10"};
    struct err e = {0};
    if (consent_record(f->db, by, pid, &in, &e))
        fail_msg("consent %s: %d %s", level, e.status, e.msg);
}

static int64_t mkfilm(struct fx *f, const struct account *by, int64_t gid, const char *vis,
                      const struct film_credit *credits, int nc, const int64_t *appearing, int na)
{
    struct film_input in = {.title = "Le pont",
                            .visibility = vis,
                            .entry_id = -1,
                            .credits = credits,
                            .ncredits = nc,
                            .appearing = appearing,
                            .nappearing = na};
    struct err e = {0};
    int64_t id = 0;
    if (film_create(f->db, by, gid, &in, &id, &e))
        fail_msg("film_create: %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
    return id;
}

static void make_ready(struct fx *f, int64_t id)
{
    struct err e = {0};
    assert_int_equal(db_execf(f->db, &e, "UPDATE films SET status = 'ready' WHERE id = ?", "i", id),
                     1);
}

static int sees(struct fx *f, const struct account *viewer, int64_t id)
{
    struct film fm;
    struct group g;
    struct err e = {0};
    if (film_get(f->db, f->a, id, &fm, &e) || group_get(f->db, f->a, fm.group_id, &g, &e))
        fail_msg("get: %s", e.msg);
    return film_can_see(f->db, viewer, &g, &fm);
}

/* How many films viewer finds in the library. */
static int64_t listed(struct fx *f, const struct account *viewer)
{
    struct film_filter fl = {.viewer = viewer};
    struct film *out;
    int n;
    int64_t total;
    struct err e = {0};
    if (film_list(f->db, f->a, &fl, &out, &n, &total, &e))
        fail_msg("film_list: %s", e.msg);
    assert_int_equal(n, total);
    return total;
}

static void test_consent_network_only(void **state)
{
    struct fx *f = *state;
    int64_t p = mkpart(f, &f->sup_a, f->ga, "Noé", "15-17", 0);
    consent(f, &f->sup_a, p, "network");
    struct film_credit cr[] = {{.role = "Réalisation", .participant_id = p}};
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", cr, 1, NULL, 0);
    make_ready(f, id);
    assert_int_equal(sees(f, NULL, id), 0);      /* anonymous */
    assert_int_equal(sees(f, &f->sup_b, id), 1); /* a network member */
    assert_int_equal(sees(f, &f->sup_a, id), 1);
    assert_int_equal(listed(f, NULL), 0);
    assert_int_equal(listed(f, &f->sup_b), 1);
    /* the same film without credit is public */
    int64_t id2 = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, NULL, 0);
    make_ready(f, id2);
    assert_int_equal(sees(f, NULL, id2), 1);
    assert_int_equal(listed(f, NULL), 1);
    /* appearing counts as tagged too */
    struct film_input in = {.entry_id = -1, .appearing = &p, .nappearing = 1};
    struct err e = {0};
    assert_int_equal(film_update(f->db, &f->sup_a, id2, &in, &e), 0);
    assert_int_equal(sees(f, NULL, id2), 0);
    assert_int_equal(listed(f, NULL), 0);
}

static void test_withdrawal(void **state)
{
    struct fx *f = *state;
    int64_t p = mkpart(f, &f->sup_a, f->ga, "Lou", "12-14", 0);
    consent(f, &f->sup_a, p, "public");
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, &p, 1);
    make_ready(f, id);
    assert_int_equal(sees(f, NULL, id), 1);
    struct err e = {0};
    assert_int_equal(consent_withdraw(f->db, &f->sup_a, p, "retrait", &e), 0);
    assert_int_equal(sees(f, NULL, id), 0);
    assert_int_equal(sees(f, &f->sup_b, id), 0);
    assert_int_equal(sees(f, &f->sup_a, id), 1); /* its managers still do */
    /* no consent at all: hidden beyond the managers too */
    int64_t q = mkpart(f, &f->sup_a, f->ga, "Sans accord", "15-17", 0);
    int64_t id2 = mkfilm(f, &f->sup_a, f->ga, "network", NULL, 0, &q, 1);
    make_ready(f, id2);
    assert_int_equal(sees(f, &f->sup_b, id2), 0);
}

static void test_protected(void **state)
{
    struct fx *f = *state;
    struct group_input gi = {.title = "Atelier protégé",
                             .year = 2024,
                             .structure_id = f->mjc,
                             .visibility = "group",
                             .is_protected = &(int){1}};
    struct err e = {0};
    int64_t gid = 0;
    assert_int_equal(group_create(f->db, &f->sup_a, &gi, &gid, &e), 0);
    int64_t p = mkpart(f, &f->sup_a, gid, "Comète", "15-17", 0);
    consent(f, &f->sup_a, p, "public");
    struct film_input in = {.title = "Film", .visibility = "public", .entry_id = -1};
    int64_t id = 0;
    assert_int_equal(film_create(f->db, &f->sup_a, gid, &in, &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "visibility");
    in.visibility = "network";
    err_clear(&e);
    assert_int_equal(film_create(f->db, &f->sup_a, gid, &in, &id, &e), -1);
    assert_int_equal(e.status, 422);
    id = mkfilm(f, &f->sup_a, gid, "group", NULL, 0, &p, 1);
    make_ready(f, id);
    assert_int_equal(sees(f, NULL, id), 0);
    assert_int_equal(sees(f, &f->sup_b, id), 0);
    assert_int_equal(sees(f, &f->coord_acap, id), 0);
    assert_int_equal(sees(f, &f->coord_hc, id), 1);
    assert_int_equal(sees(f, &f->sup_a, id), 1);
    /* and an update cannot widen it either */
    struct film_input up = {.visibility = "public", .entry_id = -1};
    err_clear(&e);
    assert_int_equal(film_update(f->db, &f->sup_a, id, &up, &e), -1);
    assert_int_equal(e.status, 422);
}

static void test_validation(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = 0;
    char title[FILM_TITLE_MAX + 2];
    memset(title, 'a', sizeof title);
    title[FILM_TITLE_MAX] = 0;
    struct film_input in = {.title = title, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &in, &id, &e), 0);
    title[FILM_TITLE_MAX] = 'a';
    title[FILM_TITLE_MAX + 1] = 0;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &in, &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "title");
    struct film_input t2 = {.title = "  ", .entry_id = -1};
    err_clear(&e);
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &t2, &id, &e), -1);
    assert_string_equal(e.field, "title");
    /* year edges */
    struct film_input y = {.title = "A", .year = FILM_YEAR_MIN, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &y, &id, &e), 0);
    y.year = FILM_YEAR_MIN - 1;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &y, &id, &e), -1);
    assert_string_equal(e.field, "year");
    /* genre, licence, language, themes */
    struct film_input g = {.title = "A", .genre = "western", .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &g, &id, &e), -1);
    assert_string_equal(e.field, "genre");
    struct film_input l = {.title = "A", .licence = "gpl", .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &l, &id, &e), -1);
    assert_string_equal(e.field, "licence");
    struct film_input lg = {.title = "A", .language = "français", .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &lg, &id, &e), -1);
    assert_string_equal(e.field, "language");
    const char *themes[FILM_THEMES_MAX + 1] = {"youth",       "education", "citizenship",
                                               "environment", "heritage",  "memory"};
    struct film_input th = {
        .title = "A", .themes = themes, .nthemes = FILM_THEMES_MAX, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &th, &id, &e), 0);
    struct film fm;
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_int_equal(fm.nthemes, FILM_THEMES_MAX);
    th.nthemes = FILM_THEMES_MAX + 1;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &th, &id, &e), -1);
    assert_string_equal(e.field, "themes");
    const char *bad[] = {"astrology"};
    struct film_input th2 = {.title = "A", .themes = bad, .nthemes = 1, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &th2, &id, &e), -1);
    /* credits: a participant of another group, a line without role or name */
    int64_t pb =
        db_scalar_int(f->db, &e, 0, "SELECT id FROM participants WHERE group_id = ?", "i", f->gb);
    struct film_credit c1[] = {{.role = "Son", .participant_id = pb}};
    struct film_input cr = {.title = "A", .credits = c1, .ncredits = 1, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &cr, &id, &e), -1);
    assert_string_equal(e.field, "credits");
    struct film_credit c2[] = {{.role = "Montage", .name = ""}};
    cr.credits = c2;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &cr, &id, &e), -1);
    struct film_credit c3[] = {{.role = "Intervenant", .name = "Claire Dupont"},
                               {.role = "", .name = ""}};
    cr.credits = c3;
    cr.ncredits = 2;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &cr, &id, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_int_equal(fm.ncredits, 1);
    assert_string_equal(fm.credits[0].name, "Claire Dupont");
    assert_int_equal(fm.ntagged, 0);
    /* appearing: someone of another group */
    struct film_input ap = {.title = "A", .appearing = &pb, .nappearing = 1, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &ap, &id, &e), -1);
    assert_string_equal(e.field, "appearing");
    /* tags: normalised, merged, at most FILM_TAGS_MAX */
    const char *tags[FILM_TAGS_MAX + 2];
    char tb[FILM_TAGS_MAX + 2][8];
    for (int i = 0; i < FILM_TAGS_MAX + 1; i++) {
        snprintf(tb[i], sizeof tb[i], "t%d", i);
        tags[i] = tb[i];
    }
    struct film_input tg = {.title = "A", .tags = tags, .ntags = FILM_TAGS_MAX, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &tg, &id, &e), 0);
    tg.ntags = FILM_TAGS_MAX + 1;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &tg, &id, &e), -1);
    assert_string_equal(e.field, "tags");
    const char *dup[] = {"Été", "été ", ""};
    struct film_input td = {.title = "A", .tags = dup, .ntags = 3, .entry_id = -1};
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &td, &id, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_int_equal(fm.ntags, 1);
    /* poster before processing */
    struct film_input po = {.poster = 2, .entry_id = -1};
    assert_int_equal(film_update(f->db, &f->sup_a, id, &po, &e), -1);
    assert_string_equal(e.field, "poster");
    /* rights */
    struct film_input ok = {.title = "A", .entry_id = -1};
    err_clear(&e);
    assert_int_equal(film_create(f->db, &f->sup_b, f->ga, &ok, &id, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(film_create(f->db, NULL, f->ga, &ok, &id, &e), -1);
    assert_int_equal(film_create(f->db, &f->sup_a, 999999, &ok, &id, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_update_get_delete(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct group g = get(f, f->ga);
    struct logbook_input li = {.title = "Tournage", .body_md = "x", .visibility = "public"};
    int64_t entry = 0;
    assert_int_equal(logbook_create(f->db, &f->sup_a, &g, &li, &entry, &e), 0);
    const char *themes[] = {"youth"};
    struct film_input in = {.title = "Titre",
                            .synopsis = "Un pont, deux rives.",
                            .genre = "documentary",
                            .licence = "cc-by-sa",
                            .language = "fr",
                            .download_allowed = &(int){1},
                            .visibility = "network",
                            .entry_id = entry,
                            .themes = themes,
                            .nthemes = 1};
    int64_t id = 0;
    assert_int_equal(film_create(f->db, &f->sup_a, f->ga, &in, &id, &e), 0);
    struct film fm;
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.title, "Titre");
    assert_string_equal(fm.status, "draft");
    assert_string_equal(fm.genre, "documentary");
    assert_string_equal(fm.licence, "cc-by-sa");
    assert_int_equal(fm.download_allowed, 1);
    assert_int_equal(fm.visibility, VIS_NETWORK);
    assert_int_equal(fm.entry_id, entry);
    assert_int_equal(fm.year, 2024);
    assert_int_equal(fm.nthemes, 1);
    assert_string_equal(fm.group_slug, g.slug);
    /* a draft is seen by its editors only */
    assert_int_equal(sees(f, &f->sup_a, id), 1);
    assert_int_equal(sees(f, &f->sup_b, id), 0);
    struct film_input up = {.title = "Nouveau titre", .entry_id = 0};
    assert_int_equal(film_update(f->db, &f->sup_a, id, &up, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.title, "Nouveau titre");
    assert_string_equal(fm.synopsis, "Un pont, deux rives.");
    assert_int_equal(fm.entry_id, 0);
    assert_int_equal(fm.nthemes, 1);
    /* someone outside: a ready network film they may see is 403, else 404 */
    make_ready(f, id);
    err_clear(&e);
    assert_int_equal(film_update(f->db, &f->sup_b, id, &up, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(film_update(f->db, NULL, id, &up, &e), -1);
    assert_int_equal(e.status, 404);
    /* search */
    struct film_filter fl = {.viewer = &f->sup_b, .q = "RIVES"};
    struct film *out;
    int n;
    int64_t total;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    fl.q = "absent";
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    fl.q = NULL;
    fl.genre = "documentary";
    fl.theme = "youth";
    fl.year = 2024;
    fl.coordination_id = f->hc;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    fl.coordination_id = f->acap;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    assert_int_equal(film_delete(f->db, &f->sup_b, id, g_dir, &e), -1);
    assert_int_equal(film_delete(f->db, &f->sup_a, id, g_dir, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_pagination(void **state)
{
    struct fx *f = *state;
    int64_t p = mkpart(f, &f->sup_a, f->ga, "Réseau", "15-17", 0);
    consent(f, &f->sup_a, p, "network");
    /* 7 public films, every other one crediting p: anonymous visitors see 4 */
    for (int i = 0; i < 7; i++) {
        struct film_credit cr[] = {{.role = "Image", .participant_id = p}};
        int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", cr, i % 2, NULL, 0);
        make_ready(f, id);
    }
    struct film_filter fl = {.viewer = NULL, .per_page = 3, .page = 1};
    struct film *out;
    int n;
    int64_t total;
    struct err e = {0};
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 4);
    assert_int_equal(n, 3);
    fl.page = 2;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].ntagged, 0);
    fl.viewer = &f->sup_b;
    fl.page = 1;
    fl.per_page = 0;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 7);
    /* group B's network page stays hidden from anonymous visitors even for a public film */
    int64_t idb = mkfilm(f, &f->sup_b, f->gb, "public", NULL, 0, NULL, 0);
    make_ready(f, idb);
    assert_int_equal(sees(f, NULL, idb), 0);
    assert_int_equal(listed(f, NULL), 4);
}

static void test_collections(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t c = 0;
    assert_int_equal(film_collection_create(f->db, &f->sup_a, 0, "Sélection", "", &c, &e), -1);
    assert_int_equal(e.status, 403);
    assert_int_equal(film_collection_create(f->db, &f->coord_hc, f->acap, "X", "", &c, &e), -1);
    assert_int_equal(film_collection_create(f->db, &f->coord_hc, f->hc, "", "", &c, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(
        film_collection_create(f->db, &f->coord_hc, f->hc, "Coups de cœur", "Nord", &c, &e), 0);
    int64_t nat = 0;
    assert_int_equal(
        film_collection_create(f->db, &f->admin, 0, "Coups de cœur", "National", &nat, &e), 0);
    struct film_collection col;
    assert_int_equal(film_collection_get(f->db, f->a, nat, &col, &e), 0);
    assert_int_equal(col.coordination_id, 0);
    assert_string_not_equal(col.slug, "coups-de-coeur");
    assert_int_equal(film_collection_get_by_slug(f->db, f->a, "coups-de-coeur", &col, &e), 0);
    assert_int_equal(col.id, c);
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, NULL, 0);
    make_ready(f, id);
    assert_int_equal(film_collection_add(f->db, &f->coord_acap, c, id, &e), -1);
    assert_int_equal(film_collection_add(f->db, &f->coord_hc, c, id, &e), 0);
    assert_int_equal(film_collection_add(f->db, &f->coord_hc, c, id, &e), 0);
    struct film_filter fl = {.collection_id = c};
    struct film *out;
    int n;
    int64_t total;
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    struct film_collection *cl;
    assert_int_equal(film_collection_list(f->db, f->a, &cl, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cl[0].id, nat);
    assert_int_equal(cl[1].nfilms, 1);
    assert_int_equal(film_collection_remove(f->db, &f->coord_hc, c, id, &e), 0);
    assert_int_equal(film_list(f->db, f->a, &fl, &out, &n, &total, &e), 0);
    assert_int_equal(total, 0);
    assert_int_equal(film_collection_update(f->db, &f->coord_hc, c, "Autre", NULL, &e), 0);
    assert_int_equal(film_collection_delete(f->db, &f->coord_acap, c, &e), -1);
    assert_int_equal(film_collection_delete(f->db, &f->coord_hc, c, &e), 0);
}

static void test_captions(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, NULL, 0);
    static const char srt[] = "1\r\n00:00:01,000 --> 00:00:02,500\r\nBonjour\r\n\r\n";
    assert_int_equal(
        film_caption_put(f->db, &f->sup_a, id, g_dir, "fr", 1, srt, sizeof srt - 1, &e), 0);
    struct film fm;
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_int_equal(fm.ncaptions, 1);
    assert_int_equal(fm.captions[0].sdh, 1);
    assert_string_equal(fm.captions[0].file, "captions/fr-sdh.vtt");
    const char *path = film_file_path(f->a, g_dir, &fm, fm.captions[0].file);
    assert_non_null(path);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[64];
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "WEBVTT\n");
    fclose(fp);
    static const char bad[] = "WEBVTT\n\n00:01.000 -> 00:02.000\nx\n";
    assert_int_equal(
        film_caption_put(f->db, &f->sup_a, id, g_dir, "en", 0, bad, sizeof bad - 1, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(
        film_caption_put(f->db, &f->sup_a, id, g_dir, "../x", 0, srt, sizeof srt - 1, &e), -1);
    assert_string_equal(e.field, "lang");
    assert_int_equal(
        film_caption_put(f->db, &f->sup_b, id, g_dir, "fr", 0, srt, sizeof srt - 1, &e), -1);
    assert_int_equal(film_caption_delete(f->db, &f->sup_a, id, g_dir, "fr", 1, &e), 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(film_caption_delete(f->db, &f->sup_a, id, g_dir, "fr", 1, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_file_names(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "film.mp4",        "storyboard.jpg",  "poster-1.jpg",        "poster-3.jpg",
        "hls/master.m3u8", "hls/240p.m3u8",   "hls/1080p.m3u8",      "hls/720p_000.ts",
        "hls/480p_123.ts", "captions/fr.vtt", "captions/fr-sdh.vtt", "captions/pt-BR.vtt"};
    static const char *const bad[] = {"original",          "../original",        "poster-0.jpg",
                                      "poster-4.jpg",      "hls/360p.m3u8",      "hls/720p_.ts",
                                      "hls/720p_0a.ts",    "hls/../original",    "captions/..vtt",
                                      "captions/x/fr.vtt", "ffmpeg.log",         "new/film.mp4",
                                      "hls/master.m3u8x",  "/etc/passwd",        "",
                                      "film.mp4/",         "hls/720p_0000001.ts"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!film_file_ok(ok[i]))
            fail_msg("refused %s", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (film_file_ok(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_null(film_file_ok(NULL) ? "x" : NULL);
    assert_string_equal(film_file_type("hls/master.m3u8"), "application/vnd.apple.mpegurl");
    assert_string_equal(film_file_type("hls/240p_001.ts"), "video/mp2t");
    assert_string_equal(film_file_type("film.mp4"), "video/mp4");
    assert_string_equal(film_choice_label(film_genres, "docu-fiction"), "Docu-fiction");
    assert_null(film_choice_label(film_genres, "western"));
}

static void test_upload_hooks(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, NULL, 0);
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, id, 1000, &e), 0);
    struct film fm;
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "uploading");
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, id, FILM_MAX_BYTES, &e), 0);
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, id, FILM_MAX_BYTES + 1, &e), -1);
    assert_int_equal(e.status, 413);
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, id, 0, &e), -1);
    assert_int_equal(e.status, 422);
    err_clear(&e);
    assert_int_equal(film_upload_authorize(f->db, &f->sup_b, id, 1000, &e), -1);
    assert_int_equal(e.status, 404); /* not ready: sup_b cannot see it */
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, 999999, 1000, &e), -1);
    assert_int_equal(e.status, 404);
    /* complete: the file is moved in, the film is processing, a job is queued */
    char src[512];
    snprintf(src, sizeof src, "%s/upload-1", g_dir);
    FILE *fp = fopen(src, "w");
    assert_non_null(fp);
    fputs("not a video", fp);
    fclose(fp);
    assert_int_equal(film_upload_complete(f->db, &f->sup_a, id, src, "abc", &e), 0);
    assert_int_equal(access(src, F_OK), -1);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "processing");
    const char *orig = arena_printf(f->a, "%s/original", film_dir(f->a, g_dir, fm.storage_key));
    assert_int_equal(access(orig, F_OK), 0);
    struct job_counts jc;
    assert_int_equal(job_counts(f->db, "film_process", &jc, &e), 0);
    assert_int_equal(jc.queued, 1);
    /* a second upload while processing: 409 */
    assert_int_equal(film_upload_authorize(f->db, &f->sup_a, id, 1000, &e), -1);
    assert_int_equal(e.status, 409);
    /* the job refuses the file with a French message; the film can be retried/replaced */
    assert_int_equal(film_process(f->db, id, g_dir, NULL, &e), -1);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "failed");
    assert_non_null(strstr(fm.error, "vidéo"));
    assert_int_equal(film_retry(f->db, &f->sup_a, id, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "processing");
}

/* Run the oldest due film_process job the way a worker does; returns the handler's result. */
static int run_film_job(struct fx *f, struct err *e)
{
    const char *const kinds[] = {"film_process", NULL};
    struct job j;
    if (job_claim(f->db, f->a, "w1", kinds, JOB_LEASE_MS_MIN, &j, e) != 1)
        fail_msg("no film job to claim: %s", e->msg);
    const struct job_handler *h = job_handler_find("film_process");
    assert_non_null(h);
    int rc = h->run(f->db, &j, NULL, e);
    struct err je = {0};
    if (rc == 0)
        assert_int_equal(job_complete(f->db, j.id, "w1", &je), 0);
    else
        assert_int_equal(job_fail(f->db, j.id, "w1", e->msg, &je), 0);
    return rc;
}

static void test_replace_and_interrupt(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = mkfilm(f, &f->sup_a, f->ga, "public", NULL, 0, NULL, 0);
    static const char vtt[] = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour\n";
    assert_int_equal(
        film_caption_put(f->db, &f->sup_a, id, g_dir, "fr", 0, vtt, sizeof vtt - 1, &e), 0);
    struct film fm;
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    const char *key0 = fm.storage_key;
    char src[512];
    snprintf(src, sizeof src, "%s/upload-2", g_dir);
    FILE *fp = fopen(src, "w");
    assert_non_null(fp);
    fputs("not a video either", fp);
    fclose(fp);
    /* a new original gets a new storage key; the captions move along, the old folder goes */
    assert_int_equal(film_set_original(f->db, &f->sup_a, id, src, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_not_equal(fm.storage_key, key0);
    const char *dir = film_dir(f->a, g_dir, fm.storage_key);
    assert_int_equal(access(arena_printf(f->a, "%s/original", dir), F_OK), 0);
    assert_int_equal(access(arena_printf(f->a, "%s/captions/fr.vtt", dir), F_OK), 0);
    assert_int_equal(access(film_dir(f->a, g_dir, key0), F_OK), -1);
    /* a decoding failure is recorded on the film (a worker then buries the job: test_ffmpeg);
     * a second run of the same job finds the film no longer processing and does nothing */
    assert_int_equal(run_film_job(f, &e), -1);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "failed");
    assert_int_equal(
        db_execf(f->db, &e, "UPDATE jobs SET run_at = 0 WHERE kind = 'film_process'", ""), 1);
    assert_int_equal(run_film_job(f, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "failed");
    struct job_counts jc;
    assert_int_equal(job_counts(f->db, "film_process", &jc, &e), 0);
    assert_int_equal(jc.queued + jc.running, 0);
    /* a job whose workers all died: the film shows as interrupted, and can be retried */
    assert_int_equal(film_retry(f->db, &f->sup_a, id, &e), 0);
    assert_int_equal(db_execf(f->db, &e,
                              "UPDATE jobs SET state = 'dead' WHERE kind = 'film_process' AND "
                              "state = 'queued'",
                              ""),
                     1);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "failed");
    assert_non_null(strstr(fm.error, "interrompue"));
    assert_int_equal(film_retry(f->db, &f->sup_a, id, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "processing");
    /* a job for a film no longer processing does nothing */
    assert_int_equal(db_execf(f->db, &e, "UPDATE films SET status = 'ready' WHERE id = ?", "i", id),
                     1);
    assert_int_equal(run_film_job(f, &e), 0);
    assert_int_equal(film_get(f->db, f->a, id, &fm, &e), 0);
    assert_string_equal(fm.status, "ready");
}

static int setup_film(void **state)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/lanterne-test-film-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    film_set_data_dir(g_dir);
    return setup(state);
}

static int teardown_film(void **state)
{
    film_remove_tree(g_dir);
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_consent_network_only, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_withdrawal, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_protected, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_validation, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_update_get_delete, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_pagination, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_collections, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_captions, setup_film, teardown_film),
        cmocka_unit_test(test_file_names),
        cmocka_unit_test_setup_teardown(test_upload_hooks, setup_film, teardown_film),
        cmocka_unit_test_setup_teardown(test_replace_and_interrupt, setup_film, teardown_film),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
