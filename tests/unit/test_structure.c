/* test_structure: unit tests for src/structure.c (validation limits, rights, list filters,
 * search and pagination) on a fresh database (SQLite in memory, or PostgreSQL with
 * LANTERNE_TEST_DATABASE_URL: testdb.h) with a small hand-made territory. */
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
#include "testdb.h"
#include "structure.h"

/* The territory: Hors Cadre holds Nord and Pas-de-Calais, Acap the Somme, and nobody
 * holds Paris or Corse-du-Sud (communes there are for admins only). */
struct fx {
    struct db *db;
    struct arena *a;
    int64_t hc, acap;
    struct account admin, coord_hc, coord_acap, coord_none, supervisor, participant;
};

static const char TERRITORY_SQL[] =
    "INSERT INTO regions (code, name, zone) VALUES ('32', 'Hauts-de-France', 'metro'),"
    " ('11', 'Île-de-France', 'metro'), ('94', 'Corse', 'metro');"
    "INSERT INTO departements (code, name, region_code, zone) VALUES"
    " ('59', 'Nord', '32', 'metro'), ('62', 'Pas-de-Calais', '32', 'metro'),"
    " ('80', 'Somme', '32', 'metro'), ('75', 'Paris', '11', 'metro'),"
    " ('2A', 'Corse-du-Sud', '94', 'metro');"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code) VALUES"
    " ('59350', 'Lille', 'lille', '59', '32'), ('59512', 'Roubaix', 'roubaix', '59', '32'),"
    " ('62041', 'Arras', 'arras', '62', '32'), ('80021', 'Amiens', 'amiens', '80', '32'),"
    " ('75056', 'Paris', 'paris', '75', '11'), ('2A004', 'Ajaccio', 'ajaccio', '2A', '94');";

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = {0};
    if (!(f->db = testdb_open()) || db_exec(f->db, TERRITORY_SQL, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->hc = db_scalar_int(f->db, &e, 0,
                          "INSERT INTO coordinations (slug, name, kind, created_at, updated_at) "
                          "VALUES ('hors-cadre', 'Hors Cadre', 'regional', 0, 0) RETURNING id",
                          "");
    f->acap = db_scalar_int(f->db, &e, 0,
                            "INSERT INTO coordinations (slug, name, kind, created_at, updated_at) "
                            "VALUES ('acap', 'Acap – Pôle régional image', 'regional', 0, 0) "
                            "RETURNING id",
                            "");
    if (e.status || db_execf(f->db, &e,
                             "INSERT INTO coordination_departements (departement_code, "
                             "coordination_id) VALUES ('59', ?), ('62', ?), ('80', ?)",
                             "iii", f->hc, f->hc, f->acap) != 3) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->a = arena_new();
    f->admin = (struct account){.id = 1, .login = "admin", .role = ROLE_ADMIN};
    f->coord_hc = (struct account){
        .id = 2, .login = "hc", .role = ROLE_COORDINATOR, .coordination_id = f->hc};
    f->coord_acap = (struct account){
        .id = 3, .login = "acap", .role = ROLE_COORDINATOR, .coordination_id = f->acap};
    f->coord_none = (struct account){.id = 4, .login = "none", .role = ROLE_COORDINATOR};
    f->supervisor = (struct account){
        .id = 5, .login = "sup", .role = ROLE_SUPERVISOR, .coordination_id = f->hc};
    f->participant = (struct account){.id = 6, .login = "p", .role = ROLE_PARTICIPANT};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    db_close(f->db);
    arena_free(f->a);
    free(f);
    return 0;
}

/* A valid input to start each variation from. */
static struct structure_input base(void)
{
    return (struct structure_input){
        .name = "MJC du Faubourg", .type = "youth_club", .commune_code = "59350"};
}

static int64_t mk(struct fx *f, const struct account *u, const char *name, const char *type,
                  const char *commune)
{
    struct structure_input in = {.name = name, .type = type, .commune_code = commune};
    struct err e = {0};
    int64_t id = 0;
    if (structure_create(f->db, u, &in, &id, &e))
        fail_msg("create %s: %d %s", name, e.status, e.msg);
    assert_true(id > 0);
    return id;
}

/* Creates in as admin and checks the outcome: 0 for success, or the status and field. */
static void expect(struct fx *f, const struct structure_input *in, int status, const char *field)
{
    struct err e = {0};
    int64_t id = 0;
    int rc = structure_create(f->db, &f->admin, in, &id, &e);
    if (status == 0) {
        if (rc)
            fail_msg("expected success, got %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
        assert_true(id > 0);
        return;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(e.status, status);
    if (field) {
        assert_non_null(e.field);
        assert_string_equal(e.field, field);
    }
    assert_true(e.msg[0] != 0);
}

/* n copies of c, allocated in the fixture's arena. */
static char *rep(struct fx *f, const char *c, size_t n)
{
    size_t len = strlen(c);
    char *s = arena_alloc(f->a, len * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, c, len);
    return s;
}

static void test_types(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "municipality", "intercommunality", "social_centre", "youth_club", "association", "cinema",
        "pjj_unit",     "medico_social",    "hospital",      "prison",     "school",      "other"};
    size_t n = 0;
    while (structure_types[n].code)
        n++;
    assert_int_equal(n, sizeof codes / sizeof codes[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(structure_types[i].code, codes[i]);
        assert_non_null(structure_type_label(codes[i]));
    }
    assert_string_equal(structure_type_label("youth_club"), "Maison des jeunes / MJC");
    assert_string_equal(structure_type_label("pjj_unit"),
                        "Unité de la protection judiciaire de la jeunesse");
    assert_null(structure_type_label("mjc"));
    assert_null(structure_type_label(""));
    assert_null(structure_type_label(NULL));
}

static void test_name_limits(void **state)
{
    struct fx *f = *state;
    struct structure_input in = base();

    in.name = NULL;
    expect(f, &in, 422, "name");
    in.name = "";
    expect(f, &in, 422, "name");
    in.name = "  \t ";
    expect(f, &in, 422, "name");
    in.name = rep(f, "a", STRUCTURE_NAME_MAX);
    expect(f, &in, 0, NULL);
    in.name = rep(f, "a", STRUCTURE_NAME_MAX + 1);
    expect(f, &in, 422, "name");
    /* characters, not bytes: 200 "é" are 400 bytes and fit, 201 do not */
    in.name = rep(f, "é", STRUCTURE_NAME_MAX);
    expect(f, &in, 0, NULL);
    in.name = rep(f, "é", STRUCTURE_NAME_MAX + 1);
    expect(f, &in, 422, "name");
    /* surrounding blanks do not count */
    in.name = arena_printf(f->a, "  %s  ", rep(f, "b", STRUCTURE_NAME_MAX));
    expect(f, &in, 0, NULL);
    in.name = "Nom\x01"
              "caché";
    expect(f, &in, 422, "name");
    in.name = "Nom\nsur deux lignes";
    expect(f, &in, 422, "name");
    in.name = "Bad \xC3\x28 UTF-8";
    expect(f, &in, 422, "name");
}

static void test_type_and_commune(void **state)
{
    struct fx *f = *state;
    struct structure_input in = base();
    struct err e = {0};

    in.type = NULL;
    expect(f, &in, 422, "type");
    in.type = "mjc";
    expect(f, &in, 422, "type");
    in.type = "cinema";
    expect(f, &in, 0, NULL);

    in.commune_code = "";
    expect(f, &in, 422, "commune_code");
    in.commune_code = "99999";
    expect(f, &in, 422, "commune_code");
    assert_int_equal(structure_create(f->db, &f->admin, &in, NULL, &e), -1);
    assert_string_equal(e.msg, "Commune inconnue.");
    in.commune_code = "'; DROP TABLE communes; --";
    expect(f, &in, 422, "commune_code");

    /* Corsican codes are stored upper case, whatever was typed */
    in.commune_code = " 2a004 ";
    int64_t id;
    assert_int_equal(structure_create(f->db, &f->admin, &in, &id, &e), 0);
    struct structure s;
    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_string_equal(s.commune_code, "2A004");
    assert_string_equal(s.commune_name, "Ajaccio");
    assert_string_equal(s.departement, "2A");
    assert_int_equal(s.coordination_id, 0);
    assert_null(s.coordination_slug);
}

static void test_field_limits(void **state)
{
    struct fx *f = *state;
    struct structure_input in = base();

    in.address = rep(f, "r", STRUCTURE_FIELD_MAX);
    expect(f, &in, 0, NULL);
    in.address = rep(f, "r", STRUCTURE_FIELD_MAX + 1);
    expect(f, &in, 422, "address");
    in.address = rep(f, "è", STRUCTURE_FIELD_MAX);
    expect(f, &in, 0, NULL);
    in.address = NULL;

    in.phone = rep(f, "0", STRUCTURE_FIELD_MAX);
    expect(f, &in, 0, NULL);
    in.phone = rep(f, "0", STRUCTURE_FIELD_MAX + 1);
    expect(f, &in, 422, "phone");
    in.phone = "03 20 00 00 00";
    expect(f, &in, 0, NULL);

    /* the e-mail's own length limit, then its shape */
    const char *dom = "@exemple.fr";
    in.email = arena_printf(f->a, "%s%s", rep(f, "m", STRUCTURE_FIELD_MAX - strlen(dom)), dom);
    expect(f, &in, 0, NULL);
    in.email = arena_printf(f->a, "%s%s", rep(f, "m", STRUCTURE_FIELD_MAX + 1 - strlen(dom)), dom);
    expect(f, &in, 422, "email");
    static const char *const good_mail[] = {"contact@mjc-lille.fr", "a.b+c@sous.domaine.org", ""};
    static const char *const bad_mail[] = {"contact",       "contact@",       "@exemple.fr",
                                           "a@b",           "a b@exemple.fr", "a@@exemple.fr",
                                           "a@exemple..fr", "<a@exemple.fr>", "a@.exemple.fr"};
    for (size_t i = 0; i < sizeof good_mail / sizeof *good_mail; i++) {
        in.email = good_mail[i];
        expect(f, &in, 0, NULL);
    }
    for (size_t i = 0; i < sizeof bad_mail / sizeof *bad_mail; i++) {
        in.email = bad_mail[i];
        expect(f, &in, 422, "email");
    }
    in.email = NULL;

    const char *http = "https://exemple.fr/";
    in.website = arena_printf(f->a, "%s%s", http, rep(f, "p", STRUCTURE_FIELD_MAX - strlen(http)));
    expect(f, &in, 0, NULL);
    in.website =
        arena_printf(f->a, "%s%s", http, rep(f, "p", STRUCTURE_FIELD_MAX + 1 - strlen(http)));
    expect(f, &in, 422, "website");
    static const char *const good_web[] = {"https://www.exemple.fr", "http://exemple.fr/a?b=c#d",
                                           "HTTPS://EXEMPLE.FR", ""};
    static const char *const bad_web[] = {"javascript:alert(1)",
                                          "data:text/html,<script>alert(1)</script>",
                                          "ftp://exemple.fr",
                                          "www.exemple.fr",
                                          "https://",
                                          "https:///chemin",
                                          "https://moi@autre-site.fr",
                                          "https://exemple.fr/a b",
                                          "https://exemple.fr/\"onmouseover=\"x"};
    for (size_t i = 0; i < sizeof good_web / sizeof *good_web; i++) {
        in.website = good_web[i];
        expect(f, &in, 0, NULL);
    }
    for (size_t i = 0; i < sizeof bad_web / sizeof *bad_web; i++) {
        in.website = bad_web[i];
        expect(f, &in, 422, "website");
    }
    in.website = NULL;

    /* the description may hold line breaks; its limit is in characters too */
    in.description = arena_printf(f->a, "%s\n%s", rep(f, "d", STRUCTURE_TEXT_MAX / 2),
                                  rep(f, "ô", STRUCTURE_TEXT_MAX / 2 - 1));
    expect(f, &in, 0, NULL);
    in.description = rep(f, "d", STRUCTURE_TEXT_MAX + 1);
    expect(f, &in, 422, "description");
    in.description = "texte\x07";
    expect(f, &in, 422, "description");
}

static void test_can_manage_matrix(void **state)
{
    struct fx *f = *state;
    const int64_t none = 0;

    assert_true(structure_can_manage(&f->admin, f->hc));
    assert_true(structure_can_manage(&f->admin, f->acap));
    assert_true(structure_can_manage(&f->admin, none));
    assert_true(structure_can_manage(&f->coord_hc, f->hc));
    assert_false(structure_can_manage(&f->coord_hc, f->acap));
    assert_false(structure_can_manage(&f->coord_hc, none));
    assert_true(structure_can_manage(&f->coord_acap, f->acap));
    assert_false(structure_can_manage(&f->coord_acap, f->hc));
    /* a coordinator attached to no coordination holds no territory, not "no coordination" */
    assert_false(structure_can_manage(&f->coord_none, none));
    assert_false(structure_can_manage(&f->coord_none, f->hc));
    /* a supervisor is never a manager, even with the right coordination id */
    assert_false(structure_can_manage(&f->supervisor, f->hc));
    assert_false(structure_can_manage(&f->participant, f->hc));
    assert_false(structure_can_manage(NULL, f->hc));
}

static void expect_refused(int rc, const struct err *e, int status)
{
    assert_int_equal(rc, -1);
    assert_int_equal(e->status, status);
}

static void test_create_rights(void **state)
{
    struct fx *f = *state;
    struct structure_input in = base();
    struct err e = {0};
    int64_t id;

    /* Lille (59): Hors Cadre's */
    assert_int_equal(structure_create(f->db, &f->coord_hc, &in, &id, &e), 0);
    expect_refused(structure_create(f->db, &f->coord_acap, &in, &id, &e), &e, 403);
    assert_string_equal(e.msg,
                        "Cette structure n'est pas dans le territoire de votre coordination.");
    assert_string_equal(e.field, "commune_code");
    expect_refused(structure_create(f->db, &f->coord_none, &in, &id, &e), &e, 403);
    expect_refused(structure_create(f->db, &f->supervisor, &in, &id, &e), &e, 403);
    expect_refused(structure_create(f->db, &f->participant, &in, &id, &e), &e, 403);
    expect_refused(structure_create(f->db, NULL, &in, &id, &e), &e, 403);

    /* Amiens (80): Acap's */
    in.commune_code = "80021";
    expect_refused(structure_create(f->db, &f->coord_hc, &in, &id, &e), &e, 403);
    assert_int_equal(structure_create(f->db, &f->coord_acap, &in, &id, &e), 0);

    /* Paris: no coordination, admins only */
    in.commune_code = "75056";
    expect_refused(structure_create(f->db, &f->coord_hc, &in, &id, &e), &e, 403);
    expect_refused(structure_create(f->db, &f->coord_none, &in, &id, &e), &e, 403);
    assert_int_equal(structure_create(f->db, &f->admin, &in, &id, &e), 0);

    /* nothing refused was written */
    assert_int_equal(structure_count(f->db, &e), 3);
}

static void test_update_rights_and_partial(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct structure s;
    int64_t id = mk(f, &f->coord_hc, "Centre social Fives", "social_centre", "59350");
    struct structure_input in = {.phone = "03 20 00 00 00"};

    /* absent fields keep their value */
    assert_int_equal(structure_update(f->db, &f->coord_hc, id, &in, &e), 0);
    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_string_equal(s.name, "Centre social Fives");
    assert_string_equal(s.type, "social_centre");
    assert_string_equal(s.phone, "03 20 00 00 00");

    /* the old place counts: Acap cannot touch a Hors Cadre structure, even to "move" it in */
    in = (struct structure_input){.commune_code = "80021"};
    expect_refused(structure_update(f->db, &f->coord_acap, id, &in, &e), &e, 403);
    /* the new place counts: Hors Cadre cannot send it to the Somme */
    expect_refused(structure_update(f->db, &f->coord_hc, id, &in, &e), &e, 403);
    assert_string_equal(e.field, "commune_code");
    expect_refused(structure_update(f->db, &f->supervisor, id, &in, &e), &e, 403);
    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_string_equal(s.commune_code, "59350");
    assert_int_equal(s.coordination_id, f->hc);

    /* within its territory a coordinator may move it (Lille -> Arras, both Hors Cadre) */
    in.commune_code = "62041";
    assert_int_equal(structure_update(f->db, &f->coord_hc, id, &in, &e), 0);
    /* an admin may move it anywhere; the coordination follows the commune */
    in.commune_code = "80021";
    assert_int_equal(structure_update(f->db, &f->admin, id, &in, &e), 0);
    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_int_equal(s.coordination_id, f->acap);
    assert_string_equal(s.coordination_slug, "acap");
    assert_string_equal(s.commune_name, "Amiens");

    /* validation applies to updates too, and an empty required field is refused */
    in = (struct structure_input){.name = ""};
    expect_refused(structure_update(f->db, &f->admin, id, &in, &e), &e, 422);
    assert_string_equal(e.field, "name");
    in = (struct structure_input){.name = rep(f, "n", STRUCTURE_NAME_MAX + 1)};
    expect_refused(structure_update(f->db, &f->admin, id, &in, &e), &e, 422);

    /* unknown structures */
    in = (struct structure_input){.name = "X"};
    expect_refused(structure_update(f->db, &f->admin, id + 1000, &in, &e), &e, 404);
    expect_refused(structure_update(f->db, &f->admin, 0, &in, &e), &e, 404);
}

static void test_coordination_is_derived(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct structure s;
    int64_t id = mk(f, &f->admin, "Cinéma Le Méliès", "cinema", "62041");

    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_int_equal(s.coordination_id, f->hc);
    /* hand the Pas-de-Calais to Acap: the structure follows without being touched */
    assert_int_equal(db_execf(f->db, &e,
                              "UPDATE coordination_departements SET coordination_id = ? "
                              "WHERE departement_code = '62'",
                              "i", f->acap),
                     1);
    assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
    assert_int_equal(s.coordination_id, f->acap);
    assert_true(structure_can_manage(&f->coord_acap, s.coordination_id));
    assert_false(structure_can_manage(&f->coord_hc, s.coordination_id));
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct structure s;
    int64_t id = mk(f, &f->coord_hc, "Association Tout Court", "association", "59512");
    int64_t paris = mk(f, &f->admin, "Maison de quartier", "social_centre", "75056");

    /* a supervisor attached to it: the link goes with the structure */
    int64_t uid = db_scalar_int(f->db, &e, 0,
                                "INSERT INTO users (login, display_name, password_hash, role, "
                                "created_at, updated_at) VALUES ('sup', 'Sup', 'x', "
                                "'supervisor', 0, 0) RETURNING id",
                                "");
    assert_int_equal(
        db_execf(f->db, &e, "INSERT INTO user_structures VALUES (?, ?)", "ii", uid, id), 1);

    expect_refused(structure_delete(f->db, &f->coord_acap, id, &e), &e, 403);
    expect_refused(structure_delete(f->db, &f->supervisor, id, &e), &e, 403);
    expect_refused(structure_delete(f->db, &f->coord_hc, paris, &e), &e, 403);
    assert_int_equal(structure_delete(f->db, &f->coord_hc, id, &e), 0);
    expect_refused(structure_get(f->db, f->a, id, &s, &e), &e, 404);
    expect_refused(structure_delete(f->db, &f->coord_hc, id, &e), &e, 404);
    assert_int_equal(db_scalar_int(f->db, &e, -1,
                                   "SELECT COUNT(*) FROM user_structures WHERE structure_id = ?",
                                   "i", id),
                     0);
    assert_int_equal(structure_delete(f->db, &f->admin, paris, &e), 0);
    assert_int_equal(structure_count(f->db, &e), 0);
}

static int64_t list_total(struct fx *f, struct structure_filter flt, int *n)
{
    struct structure *items;
    int64_t total = -1;
    struct err e = {0};
    int dummy;
    if (structure_list(f->db, f->a, &flt, &items, n ? n : &dummy, &total, &e))
        fail_msg("list: %d %s", e.status, e.msg);
    return total;
}

static void test_list_filters_and_pages(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char name[64];

    for (int i = 0; i < 25; i++) {
        snprintf(name, sizeof name, "Association %02d", i);
        mk(f, &f->admin, name, "association", i % 5 ? "59350" : "59512");
    }
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "Cinéma %d", i);
        mk(f, &f->admin, name, "cinema", "80021");
    }
    mk(f, &f->admin, "Maison des jeunes", "youth_club", "75056");
    mk(f, &f->admin, "Centre social", "social_centre", "75056");

    int n;
    assert_int_equal(list_total(f, (struct structure_filter){0}, &n), 32);
    assert_int_equal(n, STRUCTURE_PER_PAGE_DEFAULT);
    assert_int_equal(list_total(f, (struct structure_filter){.coordination_id = f->hc}, &n), 25);
    assert_int_equal(n, 20);
    assert_int_equal(
        list_total(f, (struct structure_filter){.coordination_id = f->hc, .page = 2}, &n), 25);
    assert_int_equal(n, 5);
    /* past the end: no rows, the total still says how many there are */
    assert_int_equal(
        list_total(f, (struct structure_filter){.coordination_id = f->hc, .page = 3}, &n), 25);
    assert_int_equal(n, 0);
    assert_int_equal(list_total(f, (struct structure_filter){.page = 2000000000}, &n), 32);
    assert_int_equal(n, 0);
    /* page < 1 is the first page */
    assert_int_equal(list_total(f, (struct structure_filter){.page = -4, .per_page = 7}, &n), 32);
    assert_int_equal(n, 7);
    assert_int_equal(list_total(f, (struct structure_filter){.page = 5, .per_page = 7}, &n), 32);
    assert_int_equal(n, 4);
    /* per_page is capped */
    for (int i = 0; i < STRUCTURE_PER_PAGE_MAX; i++) {
        snprintf(name, sizeof name, "Zone %03d", i);
        mk(f, &f->admin, name, "other", "2A004");
    }
    assert_int_equal(list_total(f, (struct structure_filter){.per_page = 100000}, &n), 132);
    assert_int_equal(n, STRUCTURE_PER_PAGE_MAX);
    assert_int_equal(
        list_total(f, (struct structure_filter){.per_page = STRUCTURE_PER_PAGE_MAX + 1, .page = 2},
                   &n),
        132);
    assert_int_equal(n, 32);

    assert_int_equal(list_total(f, (struct structure_filter){.coordination_id = f->acap}, &n), 5);
    assert_int_equal(list_total(f, (struct structure_filter){.type = "cinema"}, &n), 5);
    assert_int_equal(list_total(f, (struct structure_filter){.commune_code = "59512"}, &n), 5);
    assert_int_equal(list_total(f, (struct structure_filter){.commune_code = "75056"}, &n), 2);
    assert_int_equal(
        list_total(f, (struct structure_filter){.coordination_id = f->acap, .type = "association"},
                   &n),
        0);
    assert_int_equal(n, 0);
    assert_int_equal(list_total(f,
                                (struct structure_filter){.coordination_id = f->hc,
                                                          .type = "association",
                                                          .commune_code = "59350"},
                                &n),
                     20);
    /* a coordination that does not exist matches nothing */
    assert_int_equal(list_total(f, (struct structure_filter){.coordination_id = 999999}, &n), 0);

    /* unknown type: refused, not ignored */
    struct structure *items;
    int64_t total;
    struct structure_filter bad = {.type = "mjc"};
    assert_int_equal(structure_list(f->db, f->a, &bad, &items, &n, &total, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "type");
}

static void test_list_order(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct structure *items;
    int n;
    int64_t total;

    mk(f, &f->admin, "Zèbre", "other", "59350");
    mk(f, &f->admin, "abeille", "other", "59350");
    mk(f, &f->admin, "Étoile", "other", "59350");
    int64_t b1 = mk(f, &f->admin, "Bis", "other", "59350");
    int64_t b2 = mk(f, &f->admin, "BIS", "other", "59350");
    assert_int_equal(structure_list(f->db, f->a, NULL, &items, &n, &total, &e), 0);
    assert_int_equal(n, 5);
    assert_string_equal(items[0].name, "abeille");
    assert_int_equal(items[1].id, b1); /* same search form: by id */
    assert_int_equal(items[2].id, b2);
    assert_string_equal(items[3].name, "Étoile");
    assert_string_equal(items[4].name, "Zèbre");
    assert_string_equal(items[0].commune_name, "Lille");
    assert_string_equal(items[0].coordination_slug, "hors-cadre");
    assert_string_equal(items[0].coordination_name, "Hors Cadre");
}

static int64_t q_total(struct fx *f, const char *q)
{
    return list_total(f, (struct structure_filter){.q = q}, NULL);
}

static void test_search(void **state)
{
    struct fx *f = *state;

    mk(f, &f->admin, "Maison des Jeunes Élan", "youth_club", "59350");
    mk(f, &f->admin, "Cœur de Cité", "association", "59350");
    mk(f, &f->admin, "Ciné 100% jeunes", "cinema", "59350");
    mk(f, &f->admin, "Ciné 1000 jeunes", "cinema", "59350");
    mk(f, &f->admin, "a_b", "other", "59350");
    mk(f, &f->admin, "axb", "other", "59350");
    mk(f, &f->admin, "Centre d'animation", "social_centre", "59350");

    /* accents and case ignored, both ways */
    assert_int_equal(q_total(f, "elan"), 1);
    assert_int_equal(q_total(f, "ÉLAN"), 1);
    assert_int_equal(q_total(f, "  Élan "), 1);
    assert_int_equal(q_total(f, "coeur"), 1);
    assert_int_equal(q_total(f, "CŒUR DE"), 1);
    assert_int_equal(q_total(f, "jeunes"), 3);
    assert_int_equal(q_total(f, "ciné"), 2);
    assert_int_equal(q_total(f, "d'anim"), 1);
    assert_int_equal(q_total(f, "introuvable"), 0);
    /* LIKE's wildcards are text: "_" does not stand for "x", "%" for anything */
    assert_int_equal(q_total(f, "a_b"), 1);
    assert_int_equal(q_total(f, "a%b"), 1);
    assert_int_equal(q_total(f, "1_0"), 0);
    assert_int_equal(q_total(f, "1%0 jeunes"), 0);
    assert_int_equal(q_total(f, "%"), 0);
    assert_int_equal(q_total(f, "_"), 0);
    assert_int_equal(q_total(f, "%%"), 0);
    assert_int_equal(q_total(f, "\\"), 0);
    assert_int_equal(q_total(f, "'"), 0);
    /* empty or blank: no filter */
    assert_int_equal(q_total(f, ""), 7);
    assert_int_equal(q_total(f, "   "), 7);
    /* far longer than any name: nothing, without a scan */
    assert_int_equal(q_total(f, rep(f, "a", 4 * STRUCTURE_NAME_MAX + 1)), 0);
    /* combined with another filter */
    assert_int_equal(
        list_total(f, (struct structure_filter){.q = "jeunes", .type = "cinema"}, NULL), 2);
}

static void test_metacharacters_stored_as_text(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct structure s;
    static const char *const names[] = {
        "Robert'); DROP TABLE structures;--",
        "<script>alert(\"x\")</script> & Cie",
        "50% \"off\" \\ _underscore_ ; -- /* */",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct structure_input in = base();
        in.name = names[i];
        in.address = "1 rue de l'Église <b>";
        in.description = "Ligne 1\n<img src=x onerror=alert(1)>\n' OR '1'='1";
        int64_t id;
        assert_int_equal(structure_create(f->db, &f->admin, &in, &id, &e), 0);
        assert_int_equal(structure_get(f->db, f->a, id, &s, &e), 0);
        assert_string_equal(s.name, names[i]);
        assert_string_equal(s.address, in.address);
        assert_string_equal(s.description, in.description);
    }
    assert_int_equal(structure_count(f->db, &e), 3);
    assert_int_equal(q_total(f, "drop table"), 1);
    assert_int_equal(q_total(f, "script"), 1);
    assert_int_equal(q_total(f, "50"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test_setup_teardown(test_name_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_and_commune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_can_manage_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_rights_and_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coordination_is_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metacharacters_stored_as_text, setup, teardown),
    };
    return cmocka_run_group_tests_name(testdb_pg_url() ? "structure on PostgreSQL" : "structure",
                                       tests, NULL, NULL);
}
