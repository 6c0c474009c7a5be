/* test_coordination: unit tests for src/coordination.c in a fresh database (SQLite in memory, or
 * PostgreSQL with LANTERNE_TEST_DATABASE_URL: testdb.h) holding only the régions and
 * départements the tests name (inserted by SQL: faster than a full import). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordination.h"
#include "core/mem.h"
#include "db/db.h"
#include "testdb.h"

struct fx {
    struct db *db;
    struct arena *a;
};

static const char REFERENCE_SQL[] =
    "INSERT INTO regions (code, name, zone) VALUES ('32', 'Hauts-de-France', 'metro'), "
    "('94', 'Corse', 'metro'), ('01', 'Guadeloupe', 'drom'), ('02', 'Martinique', 'drom'), "
    "('03', 'Guyane', 'drom'), ('04', 'La Réunion', 'drom');"
    "INSERT INTO departements (code, name, region_code, zone) VALUES "
    "('02', 'Aisne', '32', 'metro'), ('59', 'Nord', '32', 'metro'), "
    "('60', 'Oise', '32', 'metro'), ('62', 'Pas-de-Calais', '32', 'metro'), "
    "('80', 'Somme', '32', 'metro'), ('2A', 'Corse-du-Sud', '94', 'metro'), "
    "('971', 'Guadeloupe', '01', 'drom'), ('972', 'Martinique', '02', 'drom'), "
    "('973', 'Guyane', '03', 'drom'), ('974', 'La Réunion', '04', 'drom');"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code, population) "
    "VALUES ('59350', 'Lille', 'lille', '59', '32', 236234), "
    "('80021', 'Amiens', 'amiens', '80', '32', 133625);";

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = {0};
    if (!(f->db = testdb_open()) || db_exec(f->db, REFERENCE_SQL, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->a = arena_new();
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

/* A valid regional input the tests then spoil one field at a time. */
static struct coordination_input input(const char *name, const char **deps, int ndeps)
{
    struct coordination_input in = {.name = name, .kind = "regional"};
    in.departements = deps;
    in.ndepartements = ndeps;
    return in;
}

static char *repeat(struct arena *a, const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = arena_alloc(a, n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    return s;
}

static void assert_fails(int rc, const struct err *e, int status, const char *field)
{
    assert_int_equal(rc, -1);
    assert_int_equal(e->status, status);
    if (field) {
        assert_non_null(e->field);
        assert_string_equal(e->field, field);
    }
    assert_true(strlen(e->msg) > 0);
}

static int64_t create_ok(struct db *db, const struct coordination_input *in)
{
    struct err e = {0};
    int64_t id = 0;
    int rc = coordination_create(db, in, &id, &e);
    if (rc)
        fail_msg("create failed: %d %s (%s)", e.status, e.msg, e.field ? e.field : "-");
    assert_true(id > 0);
    return id;
}

/* ---- seed ---- */

static void test_seed_idempotent(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(coordination_seed(f->db, &e), 0);
    assert_int_equal(coordination_count(f->db, &e), 7);
    assert_int_equal(coordination_seed(f->db, &e), 0);
    assert_int_equal(coordination_count(f->db, &e), 7);

    struct coordination *list;
    int n;
    assert_int_equal(coordination_list(f->db, f->a, &list, &n, &e), 0);
    assert_int_equal(n, 7);
    assert_string_equal(list[0].slug, "nationale");
    assert_string_equal(list[0].kind, "national");
    assert_string_equal(list[0].name, "Passeurs d'images – coordination nationale");
    assert_int_equal(list[0].ndepartements, 0);
    /* then by name, accents and case ignored */
    assert_string_equal(list[1].name, "Acap – Pôle régional image");

    struct coordination c;
    assert_int_equal(coordination_get(f->db, f->a, "hors-cadre", &c, &e), 0);
    assert_int_equal(c.ndepartements, 2);
    assert_string_equal(c.departements[0], "59");
    assert_string_equal(c.departements[1], "62");
    assert_int_equal(c.is_demo, 0);
    assert_int_equal(coordination_get(f->db, f->a, "acap-pole-regional-image", &c, &e), 0);
    assert_int_equal(c.ndepartements, 3);
    assert_string_equal(c.departements[0], "02");
    assert_int_equal(coordination_for_departement(f->db, "80", &e), c.id);
    assert_int_equal(coordination_get(f->db, f->a, "la-reunion", &c, &e), 0);
    assert_string_equal(c.departements[0], "974");
    assert_string_equal(c.email, ""); /* nothing invented */
    assert_int_equal(coordination_for_departement(f->db, "2A", &e), 0);
}

/* An admin gave Nord to another coordination first: the seed leaves Hors Cadre out rather
 * than failing on every later start. */
static void test_seed_respects_existing_territory(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    const char *nord[] = {"59"};
    struct coordination_input in = input("Nord Images", nord, 1);
    int64_t id = create_ok(f->db, &in);
    assert_int_equal(coordination_seed(f->db, &e), 0);
    assert_int_equal(coordination_count(f->db, &e), 7); /* 6 seeded + ours */
    struct coordination c;
    assert_fails(coordination_get(f->db, f->a, "hors-cadre", &c, &e), &e, 404, NULL);
    assert_int_equal(coordination_for_departement(f->db, "59", &e), id);
}

static void test_seed_needs_departements(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(db_exec(f->db, "DELETE FROM communes; DELETE FROM departements", &e), 0);
    assert_fails(coordination_seed(f->db, &e), &e, 500, NULL);
    assert_int_equal(coordination_count(f->db, &e), 0);
}

/* ---- create: each limit at its edge ---- */

static void test_name_limits(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* characters, not bytes: 160 "é" are 320 bytes and still fit */
    char *max = repeat(f->a, "é", COORDINATION_NAME_MAX);
    struct coordination_input in = input(max, NULL, 0);
    in.slug = "long-name";
    int64_t id = create_ok(f->db, &in);
    struct coordination c;
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.name, max);

    in.name = repeat(f->a, "é", COORDINATION_NAME_MAX + 1);
    in.slug = "too-long-name";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");

    in.name = "";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");
    in.name = "  \t ";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");
    in.name = NULL;
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");
    in.name = "Nom\x01";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");
    in.name = "Nom \xC3\x28";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "name");
    assert_int_equal(coordination_count(f->db, &e), 1);
}

static void test_text_limits(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination_input in = input("Textes", NULL, 0);
    in.description = repeat(f->a, "a\n", COORDINATION_TEXT_MAX / 2);
    in.address = repeat(f->a, "à", COORDINATION_FIELD_MAX);
    create_ok(f->db, &in);

    in.slug = "textes-2";
    in.description = repeat(f->a, "x", COORDINATION_TEXT_MAX + 1);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "description");
    in.description = "";
    in.address = repeat(f->a, "à", COORDINATION_FIELD_MAX + 1);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "address");
    in.address = "";
    in.email = arena_printf(f->a, "%s@exemple.fr", repeat(f->a, "a", 20));
    in.phone = repeat(f->a, "1", COORDINATION_FIELD_MAX + 1);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "phone");
    in.phone = "";
    in.website = arena_printf(f->a, "https://%s.fr", repeat(f->a, "w", COORDINATION_FIELD_MAX));
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "website");
}

static void test_slug_rules(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination c;

    /* derived from the name when empty */
    struct coordination_input in = input("Ciné-Été à L'Haÿ", NULL, 0);
    int64_t id = create_ok(f->db, &in);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.slug, "cine-ete-a-l-hay");

    /* a derived slug is cut at a word boundary, within the limit */
    in.name = repeat(f->a, "cinema ", 20);
    id = create_ok(f->db, &in);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_true(strlen(c.slug) <= 80);
    assert_true(c.slug[strlen(c.slug) - 1] != '-');

    in.name = "Bords";
    in.slug = "ab"; /* the shortest */
    create_ok(f->db, &in);
    in.slug = repeat(f->a, "z", 80); /* the longest */
    create_ok(f->db, &in);

    const char *bad[] = {"a", "", "-ab", "ab-", "Ab", "a_b", "a b", "é-t", "nouvelle", NULL};
    bad[1] = repeat(f->a, "y", 81);
    for (int i = 0; bad[i]; i++) {
        in.slug = bad[i];
        assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "slug");
    }

    /* a name with nothing to slug needs an explicit one */
    in.slug = NULL;
    in.name = "Κινηματογράφος";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "slug");

    /* unique */
    in.name = "Autre";
    in.slug = "ab";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 409, "slug");
    in.slug = NULL;
    in.name = "Ciné Été à l'Haÿ"; /* same derived slug as the first */
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 409, "slug");
}

static void test_kind_rules(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination c;
    struct coordination_input in = input("Sans type", NULL, 0);
    in.kind = NULL;
    int64_t id = create_ok(f->db, &in);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.kind, "regional");

    in.name = "Mauvais type";
    in.kind = "departemental";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "kind");

    in.name = "Nationale";
    in.kind = "national";
    create_ok(f->db, &in);
    in.name = "Nationale bis";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 409, "kind");

    /* nor can a regional one become a second national one */
    in.name = "Sans type";
    in.slug = "sans-type";
    assert_fails(coordination_update(f->db, id, &in, &e), &e, 409, "kind");
}

static void test_contact_shapes(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination_input in = input("Contacts", NULL, 0);
    in.email = "contact@horscadre.eu";
    in.phone = "+33 (0)3 20 33 06 33";
    in.website = "HTTPS://www.horscadre.eu/a?b=c";
    in.logo = "/static/img/logo.png";
    create_ok(f->db, &in);

    in.name = "Contacts 2";
    in.slug = "contacts-2";
    const char *emails[] = {"contact", "@x.fr", "a@b",     "a@@b.fr",  "a b@c.fr",
                            "a@b.",    "a@.fr", "a@b..fr", "<a@b.fr>", NULL};
    for (int i = 0; emails[i]; i++) {
        in.email = emails[i];
        assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "email");
    }
    in.email = "";
    const char *sites[] = {
        "www.horscadre.eu", "javascript:alert(1)",      "ftp://x.fr", "https://", "http:///x",
        "https://a b.fr",   "https://x.fr/\"><script>", NULL};
    for (int i = 0; sites[i]; i++) {
        in.website = sites[i];
        assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "website");
    }
    in.website = "";
    const char *logos[] = {"//evil.example/logo.png", "data:image/png;base64,AA", "logo.png",
                           "javascript:x", NULL};
    for (int i = 0; logos[i]; i++) {
        in.logo = logos[i];
        assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "logo");
    }
    in.logo = "";
    in.phone = "03 20 33 06 33 poste 12";
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "phone");
    in.phone = "";
    create_ok(f->db, &in);
}

/* ---- territory ---- */

static void test_departements(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination c;

    /* trimmed, upper-cased, de-duplicated and sorted */
    const char *deps[] = {" 80 ", "2a", "02", "2A", "", "02"};
    struct coordination_input in = input("Sud et Corse", deps, 6);
    int64_t id = create_ok(f->db, &in);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_int_equal(c.ndepartements, 3);
    assert_string_equal(c.departements[0], "02");
    assert_string_equal(c.departements[1], "2A");
    assert_string_equal(c.departements[2], "80");

    const char *unknown[] = {"59", "99"};
    in = input("Inconnu", unknown, 2);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "departements");
    assert_non_null(strstr(e.msg, "« 99 »"));
    const char *weird[] = {"5\n9<b>"};
    in = input("Bizarre", weird, 1);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 422, "departements");
    assert_null(strstr(e.msg, "<b>"));
    assert_int_equal(coordination_for_departement(f->db, "59", &e), 0); /* nothing written */
}

static void test_departement_conflict(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(coordination_seed(f->db, &e), 0);
    const char *deps[] = {"971", "59"};
    struct coordination_input in = input("Nord bis", deps, 2);
    int64_t before = coordination_count(f->db, &e);
    assert_fails(coordination_create(f->db, &in, NULL, &e), &e, 409, "departements");
    /* sorted: 59 is met first */
    assert_string_equal(e.msg, "Le département 59 (Nord) appartient déjà à la coordination "
                               "Hors Cadre.");
    assert_int_equal(coordination_count(f->db, &e), before);

    /* a coordination may keep its own départements on update */
    struct coordination hc;
    assert_int_equal(coordination_get(f->db, f->a, "hors-cadre", &hc, &e), 0);
    struct coordination_input up = {.name = hc.name,
                                    .slug = hc.slug,
                                    .kind = hc.kind,
                                    .address = hc.address,
                                    .website = hc.website,
                                    .departements = hc.departements,
                                    .ndepartements = hc.ndepartements};
    assert_int_equal(coordination_update(f->db, hc.id, &up, &e), 0);

    /* giving one up frees it for another */
    const char *only62[] = {"62"};
    up.departements = only62;
    up.ndepartements = 1;
    assert_int_equal(coordination_update(f->db, hc.id, &up, &e), 0);
    const char *nord[] = {"59"};
    in = input("Nord bis", nord, 1);
    int64_t nb = create_ok(f->db, &in);
    assert_int_equal(coordination_for_departement(f->db, "59", &e), nb);
    assert_int_equal(coordination_for_departement(f->db, "62", &e), hc.id);
}

/* ---- update ---- */

static void test_update(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination c;
    const char *deps[] = {"59", "62"};
    struct coordination_input in = input("Hors Cadre", deps, 2);
    in.email = "contact@horscadre.eu";
    int64_t id = create_ok(f->db, &in);

    /* an empty slug keeps the current one */
    in.name = "Hors Cadre (versant nord)";
    in.slug = "";
    const char *one[] = {"59"};
    in.departements = one;
    in.ndepartements = 1;
    assert_int_equal(coordination_update(f->db, id, &in, &e), 0);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.slug, "hors-cadre");
    assert_string_equal(c.name, "Hors Cadre (versant nord)");
    assert_int_equal(c.ndepartements, 1);

    /* a failed update changes nothing */
    in.name = "Autre nom";
    in.email = "pas une adresse";
    assert_fails(coordination_update(f->db, id, &in, &e), &e, 422, "email");
    const char *bad[] = {"59", "00"};
    in.email = "";
    in.departements = bad;
    in.ndepartements = 2;
    assert_fails(coordination_update(f->db, id, &in, &e), &e, 422, "departements");
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.name, "Hors Cadre (versant nord)");
    assert_string_equal(c.email, "contact@horscadre.eu");

    /* name limit on update too */
    in.departements = one;
    in.ndepartements = 1;
    in.name = repeat(f->a, "n", COORDINATION_NAME_MAX);
    assert_int_equal(coordination_update(f->db, id, &in, &e), 0);
    in.name = repeat(f->a, "n", COORDINATION_NAME_MAX + 1);
    assert_fails(coordination_update(f->db, id, &in, &e), &e, 422, "name");

    /* renaming the slug to one taken */
    struct coordination_input other = input("Acap", NULL, 0);
    create_ok(f->db, &other);
    in.name = "Hors Cadre";
    in.slug = "acap";
    assert_fails(coordination_update(f->db, id, &in, &e), &e, 409, "slug");
    in.slug = "hors-cadre-nord";
    assert_int_equal(coordination_update(f->db, id, &in, &e), 0);
    assert_int_equal(coordination_get(f->db, f->a, "hors-cadre-nord", &c, &e), 0);
    assert_fails(coordination_get(f->db, f->a, "hors-cadre", &c, &e), &e, 404, NULL);

    assert_fails(coordination_update(f->db, id + 100, &in, &e), &e, 404, NULL);
}

/* ---- text is text ---- */

static void test_metacharacters(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct coordination c;
    const char *name = "Ciné <b>&amp;</b> \"l'écran\"; DROP TABLE coordinations; --";
    const char *desc = "' OR 1=1 -- <script>alert(1)</script>\n%_\\";
    struct coordination_input in = input(name, NULL, 0);
    in.description = desc;
    in.address = "1 rue d'O'Hara\n59000 Lille";
    int64_t id = create_ok(f->db, &in);
    assert_int_equal(coordination_get_by_id(f->db, f->a, id, &c, &e), 0);
    assert_string_equal(c.name, name);
    assert_string_equal(c.description, desc);
    assert_string_equal(c.address, "1 rue d'O'Hara\n59000 Lille");
    assert_string_equal(c.slug, "cine-b-amp-b-l-ecran-drop-table-coordinations");
    assert_int_equal(coordination_count(f->db, &e), 1);
    /* a slug that looks like SQL simply finds nothing */
    assert_fails(coordination_get(f->db, f->a, "' OR '1'='1", &c, &e), &e, 404, NULL);
}

static void test_structure_count(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(coordination_seed(f->db, &e), 0);
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO structures (name, name_norm, type, commune_code, "
                             "created_at, updated_at) VALUES "
                             "('MJC', 'mjc', 'mjc', '59350', 0, 0), "
                             "('CSC', 'csc', 'csc', '59350', 0, 0), "
                             "('Cinéma', 'cinema', 'cinema', '80021', 0, 0)",
                             &e),
                     0);
    struct coordination c;
    assert_int_equal(coordination_get(f->db, f->a, "hors-cadre", &c, &e), 0);
    assert_int_equal(c.nstructures, 2);
    struct coordination *list;
    int n;
    assert_int_equal(coordination_list(f->db, f->a, &list, &n, &e), 0);
    for (int i = 0; i < n; i++) {
        int64_t want = strcmp(list[i].slug, "hors-cadre") == 0                 ? 2
                       : strcmp(list[i].slug, "acap-pole-regional-image") == 0 ? 1
                                                                               : 0;
        assert_int_equal(list[i].nstructures, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_respects_existing_territory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_needs_departements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slug_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kind_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_departements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_departement_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metacharacters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structure_count, setup, teardown),
    };
    return cmocka_run_group_tests_name(
        testdb_pg_url() ? "coordination on PostgreSQL" : "coordination", tests, NULL, NULL);
}
