/* demo: a plausible network for trying Lanterne. Coordinations for every région (two in
 * Hauts-de-France as in the brochure), structures in the most populous communes of each
 * territory, and one account per role; everything is marked is_demo. */
#include "demo.h"
#include "account.h"
#include "coordination.h"
#include "core/mem.h"
#include "structure.h"

#include <stdio.h>
#include <string.h>

enum { DEMO_STRUCTURES_PER_COORDINATION = 10 };

/* Coordinations added by the demo beside the reference ones seeded by `init`. */
static const struct {
    const char *slug, *name;
    const char *deps[14];
} demo_coordinations[] = {
    {"ile-de-france", "Passeurs d'images Île-de-France (démo)",
     {"75", "77", "78", "91", "92", "93", "94", "95"}},
    {"centre-val-de-loire", "Passeurs d'images Centre-Val de Loire (démo)",
     {"18", "28", "36", "37", "41", "45"}},
    {"bourgogne-franche-comte", "Passeurs d'images Bourgogne-Franche-Comté (démo)",
     {"21", "25", "39", "58", "70", "71", "89", "90"}},
    {"normandie", "Passeurs d'images Normandie (démo)", {"14", "27", "50", "61", "76"}},
    {"grand-est", "Passeurs d'images Grand Est (démo)",
     {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}},
    {"pays-de-la-loire", "Passeurs d'images Pays de la Loire (démo)",
     {"44", "49", "53", "72", "85"}},
    {"bretagne", "Passeurs d'images Bretagne (démo)", {"22", "29", "35", "56"}},
    {"nouvelle-aquitaine", "Passeurs d'images Nouvelle-Aquitaine (démo)",
     {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}},
    {"occitanie-ouest", "Passeurs d'images Occitanie Pyrénées (démo)",
     {"09", "12", "31", "32", "46", "65", "81", "82"}},
    {"occitanie-est", "Passeurs d'images Occitanie Méditerranée (démo)",
     {"11", "30", "34", "48", "66"}},
    {"auvergne", "Passeurs d'images Auvergne (démo)", {"03", "15", "43", "63"}},
    {"rhone-alpes", "Passeurs d'images Rhône-Alpes (démo)",
     {"01", "07", "26", "38", "42", "69", "73", "74"}},
    {"provence-alpes-cote-d-azur", "Passeurs d'images Provence-Alpes-Côte d'Azur (démo)",
     {"04", "05", "06", "13", "83", "84"}},
    {"corse", "Passeurs d'images Corse (démo)", {"2A", "2B"}},
    {"mayotte", "Passeurs d'images Mayotte (démo)", {"976"}},
};

/* Structure names are built from a kind and the commune's name. */
static const struct {
    const char *type, *fmt;
} demo_kinds[] = {
    {"youth_club", "Maison des jeunes et de la culture de %s"},
    {"social_centre", "Centre social et culturel de %s"},
    {"cinema", "Cinéma municipal de %s"},
    {"association", "Association Regards croisés – %s"},
    {"municipality", "Ville de %s – service jeunesse"},
    {"pjj_unit", "Unité éducative de milieu ouvert de %s"},
    {"medico_social", "Institut médico-éducatif de %s"},
    {"school", "Lycée professionnel de %s"},
    {"intercommunality", "Communauté de communes autour de %s"},
    {"hospital", "Centre hospitalier de %s – pédiatrie"},
};

static const struct {
    const char *login, *name, *role, *password, *coordination;
} demo_accounts[] = {
    {"admin", "Camille Admin (démo)", "admin", "lanterne-admin", NULL},
    {"coordination", "Nora Coordination (démo)", "coordinator", "lanterne-coord", "hors-cadre"},
    {"encadrant", "Yanis Encadrant (démo)", "supervisor", "lanterne-encadrant", NULL},
    {"jeune", "Lou (démo)", "participant", "lanterne-jeune", NULL},
};

int demo_present(struct db *db)
{
    struct err e = {0};
    return db_scalar_int(db, &e, 0, "SELECT COUNT(*) FROM settings WHERE key = 'demo_loaded'",
                         "") > 0;
}

static int add_coordinations(struct db *db, struct err *e)
{
    for (size_t i = 0; i < sizeof demo_coordinations / sizeof *demo_coordinations; i++) {
        struct coordination_input in = {0};
        const char *deps[14];
        int n = 0;
        for (; n < 14 && demo_coordinations[i].deps[n]; n++)
            deps[n] = demo_coordinations[i].deps[n];
        in.slug = demo_coordinations[i].slug;
        in.name = demo_coordinations[i].name;
        in.kind = "regional";
        in.description = "Coordination fictive créée pour la démonstration.";
        in.departements = deps;
        in.ndepartements = n;
        in.is_demo = 1;
        int64_t id;
        if (coordination_create(db, &in, &id, e))
            return -1;
    }
    return 0;
}

static int add_structures(struct db *db, struct arena *a, int64_t *first_hc, struct err *e)
{
    struct coordination *list;
    int n;
    if (coordination_list(db, a, &list, &n, e))
        return -1;
    struct account admin = {.role = ROLE_ADMIN};
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i].kind, "regional") != 0)
            continue;
        struct db_stmt *s;
        if (db_prepare(db,
                       "SELECT c.code, c.name FROM communes c "
                       "JOIN coordination_departements cd ON cd.departement_code = "
                       "c.departement_code WHERE cd.coordination_id = ? "
                       "ORDER BY c.population DESC, c.code LIMIT ?",
                       &s, e))
            return -1;
        db_bind_int(s, 1, list[i].id);
        db_bind_int(s, 2, DEMO_STRUCTURES_PER_COORDINATION);
        struct {
            char *code, *name;
        } picks[DEMO_STRUCTURES_PER_COORDINATION];
        int np = 0, rc;
        while ((rc = db_step(s, e)) == DB_ROW && np < DEMO_STRUCTURES_PER_COORDINATION) {
            picks[np].code = arena_strdup(a, db_col_text(s, 0));
            picks[np].name = arena_strdup(a, db_col_text(s, 1));
            np++;
        }
        db_finalize(s);
        if (rc < 0)
            return -1;
        for (int j = 0; j < np; j++, k++) {
            struct structure_input in = {0};
            const size_t nk = sizeof demo_kinds / sizeof *demo_kinds;
            in.type = demo_kinds[k % nk].type;
            in.name = arena_printf(a, demo_kinds[k % nk].fmt, picks[j].name);
            in.commune_code = picks[j].code;
            in.description = "Structure fictive créée pour la démonstration.";
            in.is_demo = 1;
            int64_t id;
            if (structure_create(db, &admin, &in, &id, e))
                return -1;
            if (strcmp(list[i].slug, "hors-cadre") == 0 && !*first_hc)
                *first_hc = id;
        }
    }
    return 0;
}

static int add_accounts(struct db *db, struct arena *a, int64_t hc_structure, struct err *e)
{
    for (size_t i = 0; i < sizeof demo_accounts / sizeof *demo_accounts; i++) {
        struct account_new n = {0};
        n.login = demo_accounts[i].login;
        n.display_name = demo_accounts[i].name;
        n.password = demo_accounts[i].password;
        n.is_demo = 1;
        account_role_parse(demo_accounts[i].role, &n.role);
        if (demo_accounts[i].coordination) {
            struct coordination co;
            if (coordination_get(db, a, demo_accounts[i].coordination, &co, e))
                return -1;
            n.coordination_id = co.id;
        }
        int64_t id;
        if (account_create(db, &n, &id, e))
            return -1;
        if (n.role == ROLE_SUPERVISOR && hc_structure &&
            account_set_structures(db, id, &hc_structure, 1, e))
            return -1;
    }
    return 0;
}

int demo_load(struct db *db, FILE *out, struct err *e)
{
    if (demo_present(db)) {
        fprintf(out, "Demo dataset already loaded.\n");
        return 1;
    }
    struct arena *a = arena_new();
    int64_t hc = 0;
    if (db_begin(db, e))
        goto fail;
    if (add_coordinations(db, e) || add_structures(db, a, &hc, e) ||
        add_accounts(db, a, hc, e) ||
        db_execf(db, e, "INSERT INTO settings (key, value) VALUES ('demo_loaded', '1')", "") < 0) {
        db_rollback(db);
        goto fail;
    }
    if (db_commit(db, e))
        goto fail;
    arena_free(a);
    fprintf(out, "Demo dataset loaded: %lld coordinations, %lld structures.\n",
            (long long)coordination_count(db, e), (long long)structure_count(db, e));
    fprintf(out, "Demo accounts (login / password / role):\n");
    for (size_t i = 0; i < sizeof demo_accounts / sizeof *demo_accounts; i++)
        fprintf(out, "  %-13s %-19s %s\n", demo_accounts[i].login, demo_accounts[i].password,
                demo_accounts[i].role);
    return 0;
fail:
    arena_free(a);
    return -1;
}
