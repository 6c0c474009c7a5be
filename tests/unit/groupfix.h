/* groupfix.h: the fixture test_consent.c, test_group.c and test_visibility.c share. Hors Cadre
 * holds the Nord (a youth club in Lille), Acap the Somme (a social centre in Amiens). sup_a
 * opens group A (public page) at the youth club; sup_struct works at the youth club without
 * being listed on A; sup_b runs group B (network page) at the social centre; part_a and part_b
 * are the participant accounts of A and B.
 *
 * Header-only (static functions): a test includes it after cmocka.h. */
#ifndef LANTERNE_GROUPFIX_H
#define LANTERNE_GROUPFIX_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "account.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "participant.h"
#include "testdb.h"

struct fx {
    struct db *db;
    struct arena *a;
    int64_t hc, acap, mjc, cs;
    struct account admin, coord_hc, coord_acap, sup_a, sup_struct, sup_b, part_a, part_b;
    int64_t ga, gb;
};

static const char TERRITORY_SQL[] =
    "INSERT INTO regions (code, name, zone) VALUES ('32', 'Hauts-de-France', 'metro');"
    "INSERT INTO departements (code, name, region_code, zone) VALUES"
    " ('59', 'Nord', '32', 'metro'), ('80', 'Somme', '32', 'metro');"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code) VALUES"
    " ('59350', 'Lille', 'lille', '59', '32'), ('80021', 'Amiens', 'amiens', '80', '32');";

/* The id a fixture INSERT ... RETURNING gave; aborts the run when it failed. */
static int64_t must(const struct err *e, int64_t id, const char *what)
{
    if (e->status || id <= 0) {
        fprintf(stderr, "fixture %s: %s\n", what, e->msg);
        abort();
    }
    return id;
}

static struct account user(struct fx *f, const char *login, enum role role, int64_t coord)
{
    static const char *const roles[] = {"", "participant", "supervisor", "coordinator", "admin"};
    struct err e = {0};
    /* accounts without a coordination hold NULL there (a foreign key), hence two forms */
    int64_t id = coord ? db_scalar_int(f->db, &e, 0,
                                       "INSERT INTO users (login, display_name, password_hash, "
                                       "role, coordination_id, created_at, updated_at) "
                                       "VALUES (?, ?, 'x', ?, ?, 0, 0) RETURNING id",
                                       "sssi", login, login, roles[role], coord)
                       : db_scalar_int(f->db, &e, 0,
                                       "INSERT INTO users (login, display_name, password_hash, "
                                       "role, created_at, updated_at) "
                                       "VALUES (?, ?, 'x', ?, 0, 0) RETURNING id",
                                       "sss", login, login, roles[role]);
    return (struct account){.id = must(&e, id, login),
                            .login = login,
                            .display_name = login,
                            .role = role,
                            .coordination_id = coord};
}

static int64_t coordination(struct fx *f, const char *slug, const char *name)
{
    struct err e = {0};
    return must(&e,
                db_scalar_int(f->db, &e, 0,
                              "INSERT INTO coordinations (slug, name, kind, created_at, "
                              "updated_at) VALUES (?, ?, 'regional', 0, 0) RETURNING id",
                              "ss", slug, name),
                slug);
}

static int64_t structure(struct fx *f, const char *name, const char *type, const char *commune)
{
    struct err e = {0};
    return must(&e,
                db_scalar_int(f->db, &e, 0,
                              "INSERT INTO structures (name, name_norm, type, commune_code, "
                              "created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id",
                              "ssss", name, name, type, commune),
                name);
}

static void attach(struct fx *f, int64_t user_id, int64_t structure_id)
{
    struct err e = {0};
    if (db_execf(f->db, &e, "INSERT INTO user_structures (user_id, structure_id) VALUES (?, ?)",
                 "ii", user_id, structure_id) != 1)
        fail_msg("attach: %s", e.msg);
}

static int64_t mkgroup(struct fx *f, const struct account *by, const char *title, int64_t st,
                       const char *vis)
{
    struct group_input in = {.title = title, .year = 2024, .structure_id = st, .visibility = vis};
    struct err e = {0};
    int64_t id = 0;
    if (group_create(f->db, by, &in, &id, &e))
        fail_msg("create %s: %d %s (%s)", title, e.status, e.msg, e.field ? e.field : "-");
    assert_true(id > 0);
    return id;
}

static int64_t mkpart(struct fx *f, const struct account *by, int64_t gid, const char *name,
                      const char *band, int64_t user_id)
{
    struct participant_input in = {
        .display_name = name, .age_band = band, .under15 = -1, .user_id = user_id};
    struct err e = {0};
    int64_t id = 0;
    if (participant_add(f->db, by, gid, &in, &id, &e))
        fail_msg("participant %s: %d %s", name, e.status, e.msg);
    return id;
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = {0};
    f->db = testdb_open();
    if (!f->db || db_exec(f->db, TERRITORY_SQL, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->a = arena_new();
    f->hc = coordination(f, "hors-cadre", "Hors Cadre");
    f->acap = coordination(f, "acap", "Acap");
    if (db_execf(f->db, &e,
                 "INSERT INTO coordination_departements (departement_code, coordination_id) "
                 "VALUES ('59', ?), ('80', ?)",
                 "ii", f->hc, f->acap) != 2) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->mjc = structure(f, "MJC Lille", "youth_club", "59350");
    f->cs = structure(f, "CS Amiens", "social_centre", "80021");
    f->admin = user(f, "admin", ROLE_ADMIN, 0);
    f->coord_hc = user(f, "coord-hc", ROLE_COORDINATOR, f->hc);
    f->coord_acap = user(f, "coord-acap", ROLE_COORDINATOR, f->acap);
    f->sup_a = user(f, "sup-a", ROLE_SUPERVISOR, 0);
    f->sup_struct = user(f, "sup-struct", ROLE_SUPERVISOR, 0);
    f->sup_b = user(f, "sup-b", ROLE_SUPERVISOR, 0);
    f->part_a = user(f, "part-a", ROLE_PARTICIPANT, 0);
    f->part_b = user(f, "part-b", ROLE_PARTICIPANT, 0);
    attach(f, f->sup_a.id, f->mjc);
    attach(f, f->sup_struct.id, f->mjc);
    attach(f, f->sup_b.id, f->cs);
    f->ga = mkgroup(f, &f->sup_a, "Atelier documentaire", f->mjc, "public");
    f->gb = mkgroup(f, &f->sup_b, "Ciné-club des Halles", f->cs, "network");
    /* sup_a opened A and is listed on it; sup_struct only works at the structure */
    mkpart(f, &f->sup_a, f->ga, "Inès", "12-14", f->part_a.id);
    mkpart(f, &f->sup_b, f->gb, "Yanis", "15-17", f->part_b.id);
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

#endif
