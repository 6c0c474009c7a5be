/* demo: a plausible network for trying Lanterne. Coordinations for every région (two in
 * Hauts-de-France as in the brochure), structures in the most populous communes of each
 * territory, and one account per role; everything is marked is_demo. */
#include "demo.h"
#include "demo_year.h"
#include "account.h"
#include "consent.h"
#include "coordination.h"
#include "core/mem.h"
#include "ffmpeg.h"
#include "film.h"
#include "film_internal.h"
#include "group.h"
#include "logbook.h"
#include "participant.h"
#include "photo.h"
#include "structure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DEMO_STRUCTURES_PER_COORDINATION = 10 };

/* Coordinations added by the demo beside the reference ones seeded by `init`. */
static const struct {
    const char *slug, *name;
    const char *deps[14];
} demo_coordinations[] = {
    {"ile-de-france",
     "Passeurs d'images Île-de-France (démo)",
     {"75", "77", "78", "91", "92", "93", "94", "95"}},
    {"centre-val-de-loire",
     "Passeurs d'images Centre-Val de Loire (démo)",
     {"18", "28", "36", "37", "41", "45"}},
    {"bourgogne-franche-comte",
     "Passeurs d'images Bourgogne-Franche-Comté (démo)",
     {"21", "25", "39", "58", "70", "71", "89", "90"}},
    {"normandie", "Passeurs d'images Normandie (démo)", {"14", "27", "50", "61", "76"}},
    {"grand-est",
     "Passeurs d'images Grand Est (démo)",
     {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}},
    {"pays-de-la-loire",
     "Passeurs d'images Pays de la Loire (démo)",
     {"44", "49", "53", "72", "85"}},
    {"bretagne", "Passeurs d'images Bretagne (démo)", {"22", "29", "35", "56"}},
    {"nouvelle-aquitaine",
     "Passeurs d'images Nouvelle-Aquitaine (démo)",
     {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}},
    {"occitanie-ouest",
     "Passeurs d'images Occitanie Pyrénées (démo)",
     {"09", "12", "31", "32", "46", "65", "81", "82"}},
    {"occitanie-est",
     "Passeurs d'images Occitanie Méditerranée (démo)",
     {"11", "30", "34", "48", "66"}},
    {"auvergne", "Passeurs d'images Auvergne (démo)", {"03", "15", "43", "63"}},
    {"rhone-alpes",
     "Passeurs d'images Rhône-Alpes (démo)",
     {"01", "07", "26", "38", "42", "69", "73", "74"}},
    {"provence-alpes-cote-d-azur",
     "Passeurs d'images Provence-Alpes-Côte d'Azur (démo)",
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
    return db_scalar_int(db, &e, 0, "SELECT COUNT(*) FROM settings WHERE key = 'demo_loaded'", "") >
           0;
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

/* Workshop groups of the demo, in Hors Cadre and Acap. Hosts: HC = the supervisor's Hors
 * Cadre structure, HC2 = another Hors Cadre structure, ACAP = an Acap structure, PJJ = a
 * judicial-youth-protection unit of either (or any of their structures). */
enum demo_host { HOST_HC, HOST_HC2, HOST_ACAP, HOST_PJJ };
/* Consent kinds of the demo participants. */
enum demo_consent {
    C_NONE_RECORD,
    C_GROUP,
    C_NETWORK,
    C_PUBLIC,
    C_WITHDRAWN,
    C_EXPIRED,
    C_NO_RECORD
};

struct demo_participant {
    const char *name, *band;
    enum demo_consent consent;
    int link_jeune;
};
struct demo_entry {
    const char *title, *body, *visibility;
    int days_ago;
};
static const struct {
    const char *slug, *title, *visibility, *facilitators, *status, *description;
    enum demo_host host;
    int is_protected, by_supervisor, add_supervisor;
    struct demo_participant participants[7];
    struct demo_entry entries[4];
} demo_groups[] = {
    {"demo-lumieres-du-quartier",
     "Lumières du quartier (démo)",
     "public",
     "Inès Réalisatrice (démo)\nPaul Chef-op (démo)",
     "in_progress",
     "Un atelier de **court métrage** de fiction : écriture, tournage et montage d'un film de "
     "dix minutes sur le quartier, imaginé par les jeunes.",
     HOST_HC,
     0,
     1,
     1,
     {{"Lou", "12-14", C_PUBLIC, 1},
      {"Sami", "12-14", C_NETWORK, 0},
      {"Jade", "15-17", C_GROUP, 0},
      {"Noé", "15-17", C_NONE_RECORD, 0},
      {"Mila", "6-11", C_WITHDRAWN, 0}},
     {{"Premier jour : on invente l'histoire",
       "Nous avons fait connaissance et joué à des **jeux d'écriture**.\n\n"
       "Chacun a proposé une idée de film :\n\n"
       "- une course-poursuite à vélo ;\n"
       "- un chat qui disparaît ;\n"
       "- une fête de quartier sous la pluie.\n\n"
       "Le groupe a choisi *le chat qui disparaît*.",
       "public", 21},
      {"Le découpage technique",
       "Aujourd'hui, nous avons appris les **valeurs de plan** : plan large, plan moyen, gros "
       "plan.\n\n> « Un gros plan, c'est quand on veut que le spectateur ressente ce que "
       "ressent le personnage. »\n\nNous avons dessiné un storyboard de douze cases.",
       "network", 14},
      {"Tournage dans la cour",
       "Première journée de tournage ! Il a fallu recommencer la scène de la porte "
       "**sept fois** à cause d'un avion.\n\nProchaine étape : le son.",
       "group", 7}}},
    {"demo-portraits-sonores",
     "Portraits sonores et images (démo)",
     "network",
     "Karim Monteur (démo)",
     "in_progress",
     "Un atelier documentaire : les jeunes réalisent des portraits croisés, en son et en "
     "image, des habitants de leur commune.",
     HOST_ACAP,
     0,
     0,
     1,
     {{"Rayan", "15-17", C_PUBLIC, 0},
      {"Zoé", "12-14", C_GROUP, 0},
      {"Étoile filante", "18-25", C_EXPIRED, 0},
      {"Adam", "6-11", C_NETWORK, 0}},
     {{"Écouter avant de filmer",
       "Séance consacrée au **son** : micro-cravate, perche et casque.\n\n"
       "Exercice : enregistrer une minute de bruits de la rue, puis deviner d'où ils "
       "viennent.",
       "network", 18},
      {"Préparer les questions",
       "Nous avons préparé les questions des entretiens.\n\n"
       "1. Depuis quand habitez-vous ici ?\n"
       "2. Quel est votre endroit préféré ?\n"
       "3. Qu'aimeriez-vous changer ?\n\n"
       "*Règle d'or* : écouter la réponse avant de poser la question suivante.",
       "group", 9}}},
    {"demo-atelier-animation",
     "Atelier d'animation image par image (démo)",
     "group",
     "Sophie Animatrice (démo)",
     "in_progress",
     "Un atelier de cinéma d'animation en volume (pâte à modeler et papier découpé) mené "
     "avec une unité éducative.",
     HOST_PJJ,
     1,
     0,
     0,
     {{"Pseudo « Comète »", "15-17", C_GROUP, 0},
      {"Pseudo « Orage »", "15-17", C_NONE_RECORD, 0},
      {"Pseudo « Lynx »", "12-14", C_GROUP, 0}},
     {{"Fabriquer les personnages",
       "Chacun a modelé son personnage en pâte à modeler. Le décor est en **carton** et "
       "papier peint.\n\nIl faut environ *douze images* pour une seconde de film.",
       "group", 12},
      {"Les premières secondes animées",
       "Nous avons animé la première scène : un robot qui cherche sa clé.\n\n"
       "Résultat : **quatre secondes** de film après deux heures de travail. Tout le monde "
       "était fier !",
       "group", 5}}},
    {"demo-cine-club-ados",
     "Ciné-club des ados (démo)",
     "public",
     "Marc Projectionniste (démo)",
     "preparing",
     "Les jeunes choisissent, présentent et débattent des films, puis tournent une "
     "bande-annonce de leur programmation.",
     HOST_HC2,
     0,
     0,
     0,
     {{"Léna", "15-17", C_PUBLIC, 0},
      {"Tom", "12-14", C_NETWORK, 0},
      {"Yasmine", "18-25", C_GROUP, 0},
      {"Hugo", "15-17", C_NO_RECORD, 0},
      {"Nina", "12-14", C_PUBLIC, 0},
      {"Malo", "6-11", C_GROUP, 0}},
     {{"Choisir le premier film",
       "Vote à main levée entre trois films. Le gagnant : une **comédie musicale**.\n\n"
       "Nous avons préparé une courte présentation pour le public.",
       "public", 10},
      {"Tourner une bande-annonce",
       "Une bande-annonce doit donner envie **sans tout raconter**.\n\n"
       "- trente secondes maximum ;\n- trois plans forts ;\n- une musique.",
       "network", 3},
      {"Bilan de la première séance",
       "Vingt spectateurs sont venus. Le débat a duré plus longtemps que prévu !", "public", 1}}},
};

/* A structure of coordination coord (of that type when type is set), the n-th such, or 0. */
static int64_t find_structure(struct db *db, struct arena *a, const char *coord, const char *type,
                              int nth, struct err *e)
{
    struct coordination co;
    if (coordination_get(db, a, coord, &co, e))
        return -1;
    struct structure_filter f = {.coordination_id = co.id, .type = type, .per_page = 100};
    struct structure *list;
    int n;
    int64_t total;
    if (structure_list(db, a, &f, &list, &n, &total, e))
        return -1;
    return nth < n ? list[nth].id : 0;
}

static const char *day_str(struct arena *a, int64_t day)
{
    char buf[11];
    consent_day_format(day, buf);
    return arena_strdup(a, buf);
}

static int add_consent(struct db *db, struct arena *a, const struct account *actor, int64_t pid,
                       const struct demo_participant *p, struct err *e)
{
    int64_t today = consent_today();
    struct consent_input in = {
        .parent_agreed = 1, .minor_agreed = 1, .signed_on = day_str(a, today - 40)};
    switch (p->consent) {
    case C_NO_RECORD:
        return 0;
    case C_NONE_RECORD:
        in = (struct consent_input){.level = "none",
                                    .note = "Les parents ont refusé la diffusion des images."};
        break;
    case C_GROUP:
        in.level = "group";
        break;
    case C_NETWORK:
        in.level = "network";
        break;
    case C_PUBLIC:
    case C_WITHDRAWN:
        in.level = "public";
        break;
    case C_EXPIRED:
        in.level = "public";
        in.signed_on = day_str(a, today - 730);
        in.expires_on = day_str(a, today - 30);
        in.note = "Autorisation valable pour l'atelier de l'an dernier.";
        break;
    }
    if (consent_record(db, actor, pid, &in, e))
        return -1;
    if (p->consent == C_WITHDRAWN &&
        consent_withdraw(db, actor, pid, "Retrait demandé par les parents.", e))
        return -1;
    return 0;
}

/* Photos drawn by code (shapes and a caption, no real faces) on some entries, tagged so
 * the consent rules show: on the first public entry of "Lumières du quartier", one photo
 * tags Lou (public consent), one Sami (network), one Noé (no form): an anonymous visitor
 * sees one of them, a member of the network two, the group's supervisor three. */
static const struct demo_photo {
    const char *group;
    int entry; /* index in the group's entries */
    const char *caption, *alt;
    const char *tags[2]; /* participants' names */
} demo_photos[] = {
    {"demo-lumieres-du-quartier",
     0,
     "Jeux d'écriture",
     "Cercles de couleur autour d'une table, le titre « Jeux d'écriture »",
     {"Lou", NULL}},
    {"demo-lumieres-du-quartier",
     0,
     "Le tableau des idées",
     "Formes colorées sur un tableau, le titre « Le tableau des idées »",
     {"Sami", NULL}},
    {"demo-lumieres-du-quartier",
     0,
     "Le vote",
     "Formes géométriques, le titre « Le vote »",
     {"Noé", NULL}},
    {"demo-lumieres-du-quartier",
     0,
     "Le décor",
     "Le décor dessiné : formes et couleurs vives",
     {NULL, NULL}},
    {"demo-lumieres-du-quartier",
     1,
     "Storyboard",
     "Douze cases de storyboard esquissées",
     {"Jade", NULL}},
    {"demo-lumieres-du-quartier",
     2,
     "La cour",
     "La cour de tournage en formes simples",
     {"Lou", "Sami"}},
    {"demo-portraits-sonores",
     0,
     "Micro et perche",
     "Un micro et une perche dessinés",
     {"Rayan", NULL}},
    {"demo-portraits-sonores",
     1,
     "Les questions",
     "Une feuille de questions stylisée",
     {"Zoé", NULL}},
    {"demo-atelier-animation",
     0,
     "Pâte à modeler",
     "Personnages en pâte à modeler stylisés",
     {"Pseudo « Comète »", NULL}},
    {"demo-cine-club-ados",
     0,
     "Le vote",
     "Mains levées stylisées, le titre « Le vote »",
     {"Léna", "Nina"}},
    {"demo-cine-club-ados", 2, "La salle", "Rangées de sièges de cinéma stylisées", {NULL, NULL}},
};

/* The id of the group's participant with that name, or 0. */
static int64_t participant_named(struct db *db, int64_t gid, const char *name, struct err *e)
{
    return db_scalar_int(db, e, 0,
                         "SELECT id FROM participants WHERE group_id = ? AND display_name = ?",
                         "is", gid, name);
}

static int add_photos(struct db *db, struct arena *a, const struct account *mgr,
                      const struct group *g, int entry_index, int64_t eid, const char *data_dir,
                      struct err *e)
{
    struct logbook_entry en;
    if (logbook_get(db, a, g, eid, &en, e))
        return -1;
    for (size_t k = 0; k < sizeof demo_photos / sizeof *demo_photos; k++) {
        const struct demo_photo *dp = &demo_photos[k];
        if (strcmp(dp->group, g->slug) || dp->entry != entry_index)
            continue;
        void *data = NULL;
        size_t len = 0;
        int64_t pid;
        if (image_demo((unsigned)k + 1, dp->caption, 1600, 1200, &data, &len, e))
            return -1;
        int rc = photo_add(db, mgr, g, &en, data_dir, data, len, dp->alt, &pid, e);
        free(data);
        if (rc)
            return -1;
        int64_t tags[2];
        int n = 0;
        for (int t = 0; t < 2 && dp->tags[t]; t++)
            if ((tags[n] = participant_named(db, g->id, dp->tags[t], e)) > 0)
                n++;
        if (e->status || photo_update(db, mgr, g, &en, pid, NULL, tags, n, e))
            return -1;
    }
    return 0;
}

static int add_groups(struct db *db, struct arena *a, int64_t hc, const char *data_dir,
                      struct err *e)
{
    struct account admin, sup, jeune;
    if (account_get_by_login(db, a, "admin", &admin, e) ||
        account_get_by_login(db, a, "encadrant", &sup, e) ||
        account_get_by_login(db, a, "jeune", &jeune, e))
        return -1;
    int64_t hosts[4];
    hosts[HOST_HC] = hc;
    if ((hosts[HOST_HC2] = find_structure(db, a, "hors-cadre", "cinema", 0, e)) < 0 ||
        (hosts[HOST_ACAP] = find_structure(db, a, "acap-pole-regional-image", NULL, 0, e)) < 0 ||
        (hosts[HOST_PJJ] = find_structure(db, a, "hors-cadre", "pjj_unit", 0, e)) < 0)
        return -1;
    if (!hosts[HOST_PJJ] &&
        (hosts[HOST_PJJ] = find_structure(db, a, "acap-pole-regional-image", "pjj_unit", 0, e)) < 0)
        return -1;
    if (!hosts[HOST_PJJ] &&
        (hosts[HOST_PJJ] = find_structure(db, a, "acap-pole-regional-image", NULL, 1, e)) < 0)
        return -1;
    if (!hosts[HOST_HC2] && (hosts[HOST_HC2] = find_structure(db, a, "hors-cadre", NULL, 1, e)) < 0)
        return -1;
    if (!hosts[HOST_HC2])
        hosts[HOST_HC2] = hc;
    if (!hosts[HOST_ACAP])
        hosts[HOST_ACAP] = hc;
    if (!hosts[HOST_PJJ])
        hosts[HOST_PJJ] = hc;
    if (!hc)
        return 0; /* no Hors Cadre structure: nothing to host the groups */
    int64_t today = consent_today();
    int year = atoi(day_str(a, today));
    for (size_t i = 0; i < sizeof demo_groups / sizeof *demo_groups; i++) {
        const struct account *mgr = demo_groups[i].by_supervisor ? &sup : &admin;
        struct group_input gi = {0};
        gi.slug = demo_groups[i].slug;
        gi.title = demo_groups[i].title;
        gi.year = year;
        gi.structure_id = hosts[demo_groups[i].host];
        gi.description = demo_groups[i].description;
        gi.facilitators = demo_groups[i].facilitators;
        gi.status = demo_groups[i].status;
        gi.visibility = demo_groups[i].visibility;
        gi.is_protected = &demo_groups[i].is_protected;
        gi.is_demo = 1;
        int64_t gid;
        if (group_create(db, mgr, &gi, &gid, e))
            return -1;
        if (!demo_groups[i].by_supervisor && demo_groups[i].add_supervisor &&
            group_set_supervisors(db, &admin, gid, &sup.id, 1, e))
            return -1;
        if (demo_groups[i].add_supervisor)
            mgr = &sup;
        int linked = 0;
        for (int j = 0; j < 7 && demo_groups[i].participants[j].name; j++) {
            const struct demo_participant *p = &demo_groups[i].participants[j];
            struct participant_input pi = {.display_name = p->name,
                                           .age_band = p->band,
                                           .under15 = -1,
                                           .user_id = p->link_jeune ? jeune.id : 0};
            linked |= p->link_jeune;
            int64_t pid;
            if (participant_add(db, mgr, gid, &pi, &pid, e) || add_consent(db, a, mgr, pid, p, e))
                return -1;
        }
        struct group g;
        if (group_get(db, a, gid, &g, e))
            return -1;
        for (int j = 0; j < 4 && demo_groups[i].entries[j].title; j++) {
            const struct demo_entry *en = &demo_groups[i].entries[j];
            struct logbook_input li = {.title = en->title,
                                       .body_md = en->body,
                                       .visibility = en->visibility,
                                       .entry_date = day_str(a, today - en->days_ago)};
            int64_t eid;
            if (logbook_create(db, mgr, &g, &li, &eid, e) ||
                (data_dir && add_photos(db, a, mgr, &g, j, eid, data_dir, e)))
                return -1;
        }
        if (linked) {
            /* A participant's own entry, waiting for the supervisor's approval. */
            struct logbook_input li = {
                .title = "Mon rôle dans le film",
                .body_md = "Je joue la voisine qui cherche son chat. J'ai dû apprendre à "
                           "**ne pas regarder la caméra** !",
                .visibility = "group",
                .entry_date = day_str(a, today)};
            int64_t eid;
            if (logbook_create(db, &jeune, &g, &li, &eid, e))
                return -1;
        }
    }
    return 0;
}

static int add_films(struct db *db, struct arena *a, const char *data_dir, FILE *out,
                     struct err *e);

/* The actions of the current year (up to today) and of the years-1 before it (issue 6). */
static int add_years(struct db *db, struct arena *a, int years, FILE *out, struct err *e)
{
    int year = atoi(day_str(a, consent_today()));
    return years > 0 ? demo_year_generate(db, year - years + 1, year, DEMO_YEAR_SEED, out, e) : 0;
}

int demo_load(struct db *db, const char *data_dir, FILE *out, struct err *e)
{
    return demo_load_years(db, data_dir, DEMO_YEAR_DEFAULT_YEARS, out, e);
}

int demo_load_years(struct db *db, const char *data_dir, int years, FILE *out, struct err *e)
{
    if (demo_present(db)) {
        fprintf(out, "Demo dataset already loaded.\n");
        return 1;
    }
    struct arena *a = arena_new();
    int64_t hc = 0;
    if (db_begin(db, e))
        goto fail;
    if (add_coordinations(db, e) || add_structures(db, a, &hc, e) || add_accounts(db, a, hc, e) ||
        add_groups(db, a, hc, data_dir, e) || (data_dir && add_films(db, a, data_dir, out, e)) ||
        add_years(db, a, years, out, e) ||
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

/* ---- films (issue 5) ---- */

/* Three short films drawn by ffmpeg's test sources (a pattern, a tone, the title written on
 * it), each run through the same pipeline as an uploaded film (film_process), so the library
 * plays at once. Credits name participants whose consent reaches the film's audience. */
static const struct demo_film {
    const char *group, *title, *synopsis, *genre, *visibility, *licence, *source;
    const char *theme;
    int tone_hz;
    const char *credit_role[2], *credit_name[2]; /* a participant's name, or a facilitator's */
    int credit_is_participant[2];
} demo_films[] = {
    {"demo-lumieres-du-quartier",
     "Le chat de la voisine",
     "Une voisine cherche son chat dans tout le quartier ; les enfants mènent l'enquête.",
     "fiction",
     "public",
     "cc-by-nc-nd",
     "testsrc2",
     "youth",
     440,
     {"Réalisation", "Accompagnement"},
     {"Lou", "Inès Réalisatrice (démo)"},
     {1, 0}},
    {"demo-cine-club-ados",
     "Bande-annonce de la saison",
     "La bande-annonce de la programmation choisie par les ados du ciné-club.",
     "clip",
     "public",
     "cc-by",
     "smptebars",
     "education",
     660,
     {"Montage", "Voix"},
     {"Léna", "Nina"},
     {1, 1}},
    {"demo-portraits-sonores",
     "Portraits croisés",
     "Des habitants racontent l'endroit qu'ils préfèrent dans leur commune.",
     "documentary",
     "network",
     "all-rights-reserved",
     "testsrc2",
     "territory",
     330,
     {"Entretiens", "Montage"},
     {"Rayan", "Karim Monteur (démo)"},
     {1, 0}},
};

enum { DEMO_FILM_SECONDS = 8, DEMO_FILM_TIMEOUT = 120 };

/* Draws the film's source file at path; without the title when drawtext cannot run. */
static int draw_demo_film(struct arena *a, const struct demo_film *df, const char *dir,
                          const char *path, struct err *e)
{
    const char *title_file = arena_printf(a, "%s/title.txt", dir);
    FILE *fp = fopen(title_file, "w");
    if (!fp)
        return err_set(e, 500, "Écriture impossible dans %s.", dir);
    fputs(df->title, fp);
    fclose(fp);
    /* the filter graph takes the file name as an option value: keep to plain paths */
    int plain = strpbrk(title_file, "':\\,;[]=") == NULL;
    for (int with_title = plain; with_title >= 0; with_title--) {
        const char *video = arena_printf(
            a, "%s=size=854x480:rate=25:duration=%d%s%s%s", df->source, DEMO_FILM_SECONDS,
            with_title ? ",drawtext=textfile=" : "", with_title ? title_file : "",
            with_title ? ":fontsize=40:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12:"
                         "x=(w-text_w)/2:y=h-th-40"
                       : "");
        const char *audio =
            arena_printf(a, "sine=frequency=%d:duration=%d", df->tone_hz, DEMO_FILM_SECONDS);
        const char *argv[] = {"ffmpeg",  "-v",   "error",   "-y",        "-nostdin",  "-f",
                              "lavfi",   "-i",   video,     "-f",        "lavfi",     "-i",
                              audio,     "-c:v", "libx264", "-preset",   "ultrafast", "-pix_fmt",
                              "yuv420p", "-c:a", "aac",     "-shortest", "-f",        "mp4",
                              path,      NULL};
        struct ffmpeg_run r = {.argv = argv, .timeout_s = DEMO_FILM_TIMEOUT};
        struct err fe = {0};
        if (ffmpeg_exec(&r, &fe) == 0) {
            unlink(title_file);
            return 0;
        }
        if (!with_title) {
            unlink(title_file);
            return err_set(e, 500, "ffmpeg n'a pas pu dessiner le film de démonstration : %s",
                           fe.msg);
        }
    }
    return 0;
}

static int add_films(struct db *db, struct arena *a, const char *data_dir, FILE *out, struct err *e)
{
    struct account admin;
    if (account_get_by_login(db, a, "admin", &admin, e))
        return -1;
    for (size_t i = 0; i < sizeof demo_films / sizeof *demo_films; i++) {
        const struct demo_film *df = &demo_films[i];
        struct group g;
        if (group_get_by_slug(db, a, df->group, &g, e)) {
            if (e->status == 404) {
                err_clear(e);
                continue;
            }
            return -1;
        }
        struct film_credit credits[2];
        int nc = 0;
        for (int k = 0; k < 2; k++) {
            credits[nc] = (struct film_credit){.role = df->credit_role[k]};
            if (df->credit_is_participant[k]) {
                credits[nc].participant_id = participant_named(db, g.id, df->credit_name[k], e);
                if (e->status)
                    return -1;
                if (credits[nc].participant_id <= 0)
                    continue;
            } else {
                credits[nc].name = df->credit_name[k];
            }
            nc++;
        }
        const char *themes[] = {df->theme};
        struct film_input in = {.title = df->title,
                                .synopsis = df->synopsis,
                                .genre = df->genre,
                                .visibility = df->visibility,
                                .licence = df->licence,
                                .language = "fr",
                                .download_allowed = &(int){1},
                                .entry_id = -1,
                                .themes = themes,
                                .nthemes = 1,
                                .credits = credits,
                                .ncredits = nc};
        int64_t id;
        struct film f;
        if (film_create(db, &admin, g.id, &in, &id, e) || film_get(db, a, id, &f, e))
            return -1;
        const char *dir = film_dir(a, data_dir, f.storage_key);
        if (film_mkdir_p(dir))
            return err_set(e, 500, "Le dossier %s n'a pas pu être créé.", dir);
        /* without ffmpeg the films stay drafts: the rest of the demo is still worth having */
        struct err fe = {0};
        if (draw_demo_film(a, df, dir, arena_printf(a, "%s/original", dir), &fe)) {
            fprintf(out, "Demo film left as a draft: %s (%s)\n", df->title, fe.msg);
            continue;
        }
        if (db_execf(db, e, "UPDATE films SET has_original = 1, status = 'processing' WHERE id = ?",
                     "i", id) != 1)
            return -1;
        if (film_process(db, id, data_dir, NULL, &fe))
            fprintf(out, "Demo film failed: %s (%s)\n", df->title, fe.msg);
        else
            fprintf(out, "Demo film ready: %s (%s)\n", df->title, df->group);
    }
    return 0;
}
