/* action: the action record, its checks and its lists (see action.h). Listing is in
 * action_list.c. */
#include "action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consent.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"
#include "action_internal.h"

const struct action_choice action_types[] = {
    {"workshop_film", N_("Atelier de pratique : réalisation de film")},
    {"workshop_programming", N_("Atelier de programmation")},
    {"workshop_other", N_("Atelier de pratique : autre pratique de l'image")},
    {"debate", N_("Ciné-débat")},
    {"outing", N_("Sortie au cinéma")},
    {"festival", N_("Parcours de festival")},
    {"discovery", N_("Séance découverte")},
    {"open_air", N_("Séance en plein air")},
    {"meeting", N_("Rencontre")},
    {"training", N_("Formation ou module de sensibilisation")},
    {"itinerant_stage", N_("Étape d'un atelier itinérant")},
    {NULL, NULL},
};

const struct action_choice action_statuses[] = {
    {"planned", N_("Prévue")},
    {"in_progress", N_("En cours")},
    {"done", N_("Réalisée")},
    {"cancelled", N_("Annulée")},
    {NULL, NULL},
};

const struct action_choice action_themes[] = {
    {"youth", N_("Jeunesse")},
    {"education", N_("Éducation")},
    {"citizenship", N_("Citoyenneté")},
    {"interculturality", N_("Interculturalité")},
    {"environment", N_("Environnement")},
    {"insertion", N_("Insertion")},
    {"heritage", N_("Patrimoine")},
    {"territory", N_("Territoire")},
    {"memory", N_("Mémoire")},
    {"equality", N_("Égalité filles-garçons")},
    {"discrimination", N_("Discriminations")},
    {"digital", N_("Numérique et écrans")},
    {NULL, NULL},
};

const struct action_choice action_forms[] = {
    {"fiction", N_("Fiction")},
    {"documentary", N_("Documentaire")},
    {"animation", N_("Animation")},
    {"hybrid", N_("Forme hybride")},
    {NULL, NULL},
};

const struct action_choice action_publics[] = {
    {"qpv", N_("Quartier prioritaire (QPV)")},
    {"pjj", N_("Protection judiciaire de la jeunesse")},
    {"disability", N_("Handicap")},
    {"hospital", N_("Hôpital")},
    {"prison", N_("Prison")},
    {NULL, NULL},
};

const struct action_choice action_rural[] = {
    {"auto", N_("Selon les communes (moins de 2 000 habitants)")},
    {"yes", N_("Oui")},
    {"no", N_("Non")},
    {NULL, NULL},
};

const char *action_choice_label(const struct action_choice *list, const char *code)
{
    for (int i = 0; code && list[i].code; i++)
        if (!strcmp(list[i].code, code))
            return list[i].label;
    return NULL;
}

int action_type_is_practice(const char *type)
{
    return type && !strncmp(type, "workshop_", 9);
}

int64_t action_participants(const struct action *a)
{
    return a->p_u12 + a->p_12_17 + a->p_18_25 + a->p_o25;
}

int64_t action_reached(const struct action *a)
{
    int64_t p = action_participants(a);
    if (a->spectators_include_participants)
        return p > a->spectators ? p : a->spectators;
    return p + a->spectators;
}

/* ---- rights ---- */

int action_can_edit(const struct account *actor, int64_t coordination_id)
{
    if (!actor || actor->id <= 0 || actor->disabled)
        return 0;
    if (actor->role == ROLE_ADMIN)
        return 1;
    return actor->role == ROLE_COORDINATOR && coordination_id > 0 &&
           actor->coordination_id == coordination_id;
}

int action_can_see_budget(const struct account *actor, int64_t coordination_id)
{
    if (!actor || actor->id <= 0 || actor->disabled)
        return 0;
    if (actor->role == ROLE_ADMIN)
        return 1;
    return coordination_id > 0 && action_can_edit(actor, coordination_id);
}

/* ---- reading ---- */

int action_get(struct db *db, struct arena *a, int64_t id, struct action *out, struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT " ACTION_COLS ACTION_FROM " WHERE ac.id = ?", &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW)
        action_read_row(s, a, out);
    db_finalize(s);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "Cette action n'existe pas.");
    return action_read_lists(db, a, out, e);
}

/* ---- checking ---- */

struct checked {
    const char *title, *description, *type, *status, *rural, *search;
    const char *start_date, *end_date;
    int year, month;
};

static int choice_ok(const struct action_choice *list, const char *code)
{
    return action_choice_label(list, code) != NULL;
}

static int count_ok(int64_t v, const char *field, struct err *e)
{
    if (v < 0 || v > ACTION_COUNT_MAX)
        return err_field(e, 422, field, "Un nombre entre 0 et %d est attendu.", ACTION_COUNT_MAX);
    return 0;
}

static int budget_ok(int64_t v, const char *field, struct err *e)
{
    if (v < 0 || v > ACTION_BUDGET_MAX)
        return err_field(e, 422, field, "Un montant entre 0 et %d euros est attendu.",
                         ACTION_BUDGET_MAX);
    return 0;
}

static int date_ok(const char *s, const char *field, int64_t *day, struct err *e)
{
    if (!s || !*s)
        return err_field(e, 422, field, "La date est obligatoire.");
    if (consent_day_parse(s, day) || *day < consent_day(ACTION_YEAR_MIN, 1, 1) ||
        *day > consent_day(ACTION_YEAR_MAX, 12, 31))
        return err_field(e, 422, field, "Une date AAAA-MM-JJ entre %d et %d est attendue.",
                         ACTION_YEAR_MIN, ACTION_YEAR_MAX);
    return 0;
}

/* A list of codes from list, no repeats. */
static int codes_ok(const struct action_choice *list, const char *const *codes, int n,
                    const char *field, struct err *e)
{
    for (int i = 0; i < n; i++) {
        if (!choice_ok(list, codes[i]))
            return err_field(e, 422, field, "Valeur inconnue : « %s ».", codes[i] ? codes[i] : "");
        for (int j = 0; j < i; j++)
            if (!strcmp(codes[i], codes[j]))
                return err_field(e, 422, field, "« %s » est donné deux fois.", codes[i]);
    }
    return 0;
}

static int ids_unique(const int64_t *ids, int n, const char *field, struct err *e)
{
    for (int i = 0; i < n; i++) {
        if (ids[i] <= 0)
            return err_field(e, 422, field, "Identifiant invalide.");
        for (int j = 0; j < i; j++)
            if (ids[i] == ids[j])
                return err_field(e, 422, field, "Le même élément est donné deux fois.");
    }
    return 0;
}

/* 1 when every id of ids is a row of table (with the extra condition), 0 not, -1 error. */
static int rows_exist(struct db *db, const char *sql, const int64_t *ids, int n, int64_t arg,
                      struct err *e)
{
    for (int i = 0; i < n; i++) {
        struct err le = {0};
        int64_t c = arg ? db_scalar_int(db, &le, 0, sql, "ii", ids[i], arg)
                        : db_scalar_int(db, &le, 0, sql, "i", ids[i]);
        if (le.status) {
            *e = le;
            return -1;
        }
        if (c == 0)
            return 0;
    }
    return 1;
}

static int check_input(struct db *db, struct arena *a, const struct action_input *in,
                       int64_t coordination_id, struct checked *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    v->title = in->title ? text_trim(a, in->title) : "";
    if (!*v->title)
        return err_field(e, 422, "title", "Le titre est obligatoire.");
    if (valid_text(v->title, "title", N_("Le titre"), ACTION_TITLE_MAX, 0, e))
        return -1;
    v->description = in->description ? text_trim(a, in->description) : "";
    if (valid_text(v->description, "description", N_("La description"), ACTION_DESCRIPTION_MAX, 1,
                   e))
        return -1;
    if (!in->type || !choice_ok(action_types, in->type))
        return err_field(e, 422, "type", "Choisissez le type de l'action.");
    v->type = in->type;
    v->status = in->status && *in->status ? in->status : "planned";
    if (!choice_ok(action_statuses, v->status))
        return err_field(e, 422, "status", "Statut inconnu : « %s ».", v->status);
    v->rural = in->rural && *in->rural ? in->rural : "auto";
    if (!choice_ok(action_rural, v->rural))
        return err_field(e, 422, "rural", "Valeur inconnue : « %s ».", v->rural);
    int64_t d0, d1;
    if (date_ok(in->start_date, "start_date", &d0, e) || date_ok(in->end_date, "end_date", &d1, e))
        return -1;
    if (d1 < d0)
        return err_field(e, 422, "end_date", "La fin ne peut pas précéder le début.");
    if (d1 - d0 >= ACTION_DAYS_MAX)
        return err_field(e, 422, "end_date", "Une action dure au plus %d jours.", ACTION_DAYS_MAX);
    v->start_date = in->start_date;
    v->end_date = in->end_date;
    v->year = atoi(in->start_date);
    v->month = atoi(in->start_date + 5);
    if (count_ok(in->p_u12, "participants_u12", e) ||
        count_ok(in->p_12_17, "participants_12_17", e) ||
        count_ok(in->p_18_25, "participants_18_25", e) ||
        count_ok(in->p_o25, "participants_o25", e) || count_ok(in->spectators, "spectators", e) ||
        count_ok(in->practice_hours, "practice_hours", e) ||
        count_ok(in->films_made, "films_made", e))
        return -1;
    int64_t total = in->p_u12 + in->p_12_17 + in->p_18_25 + in->p_o25;
    if (in->has_gender) {
        if (count_ok(in->p_female, "participants_female", e) ||
            count_ok(in->p_male, "participants_male", e) ||
            count_ok(in->p_other, "participants_other", e))
            return -1;
        if (in->p_female + in->p_male + in->p_other != total)
            return err_field(e, 422, "participants_female",
                             "La répartition par genre (%lld) doit faire le total des "
                             "participants par âge (%lld).",
                             (long long)(in->p_female + in->p_male + in->p_other),
                             (long long)total);
    }
    if (!action_type_is_practice(v->type) && (total > 0 || in->practice_hours > 0))
        return err_field(e, 422, "participants_u12",
                         "Seuls les ateliers de pratique comptent des participants et des "
                         "heures de pratique ; comptez le public en spectateurs.");
    if (budget_ok(in->budget_requested, "budget_requested", e) ||
        budget_ok(in->budget_granted, "budget_granted", e) ||
        budget_ok(in->budget_cofunding, "budget_cofunding", e))
        return -1;
    /* lists */
    if (in->ncommunes < 1)
        return err_field(e, 422, "communes", "Indiquez au moins une commune.");
    if (in->ncommunes > ACTION_COMMUNES_MAX)
        return err_field(e, 422, "communes", "Au plus %d communes par action.",
                         ACTION_COMMUNES_MAX);
    for (int i = 0; i < in->ncommunes; i++) {
        const char *code = in->commune_codes[i];
        struct err le = {0};
        if (!code || !*code ||
            db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM communes WHERE code = ?", "s", code) ==
                0) {
            if (le.status) {
                *e = le;
                return -1;
            }
            return err_field(e, 422, "communes", "Commune inconnue : « %s ».", code ? code : "");
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(code, in->commune_codes[j]))
                return err_field(e, 422, "communes", "La commune %s est donnée deux fois.", code);
    }
    if (in->npartners > ACTION_PARTNERS_MAX)
        return err_field(e, 422, "partners", "Au plus %d structures partenaires.",
                         ACTION_PARTNERS_MAX);
    if (ids_unique(in->partner_ids, in->npartners, "partners", e))
        return -1;
    int ok = rows_exist(db, "SELECT COUNT(*) FROM structures WHERE id = ?", in->partner_ids,
                        in->npartners, 0, e);
    if (ok < 0)
        return -1;
    if (!ok)
        return err_field(e, 422, "partners", "Structure partenaire inconnue.");
    if (in->lead_structure_id) {
        int64_t lead = in->lead_structure_id;
        ok = rows_exist(db, "SELECT COUNT(*) FROM structures WHERE id = ?", &lead, 1, 0, e);
        if (ok < 0)
            return -1;
        if (!ok)
            return err_field(e, 422, "lead_structure", "Structure porteuse inconnue.");
    }
    if (in->nfacilitators > ACTION_FACILITATORS_MAX)
        return err_field(e, 422, "facilitators", "Au plus %d intervenants.",
                         ACTION_FACILITATORS_MAX);
    for (int i = 0; i < in->nfacilitators; i++) {
        const char *f = in->facilitators[i] ? text_trim(a, in->facilitators[i]) : "";
        if (!*f || valid_text(f, "facilitators", N_("Le nom d'un intervenant"),
                              ACTION_FACILITATOR_MAX, 0, e))
            return e->status ? -1
                             : err_field(e, 422, "facilitators",
                                         "Le nom d'un intervenant ne peut pas être vide.");
    }
    if (codes_ok(action_themes, in->themes, in->nthemes, "themes", e) ||
        codes_ok(action_forms, in->forms, in->nforms, "forms", e) ||
        codes_ok(action_publics, in->publics, in->npublics, "publics", e))
        return -1;
    if (in->ngroups > ACTION_LINKS_MAX || in->nfilms > ACTION_LINKS_MAX)
        return err_field(e, 422, in->ngroups > ACTION_LINKS_MAX ? "groups" : "films",
                         "Au plus %d groupes et %d films liés.", ACTION_LINKS_MAX,
                         ACTION_LINKS_MAX);
    if (ids_unique(in->group_ids, in->ngroups, "groups", e) ||
        ids_unique(in->film_ids, in->nfilms, "films", e))
        return -1;
    /* groups and films of the action's own coordination (their structure's département) */
    ok = rows_exist(db,
                    "SELECT COUNT(*) FROM groups g JOIN structures s ON s.id = g.structure_id "
                    "JOIN communes c ON c.code = s.commune_code JOIN coordination_departements cd "
                    "ON cd.departement_code = c.departement_code WHERE g.id = ? AND "
                    "cd.coordination_id = ?",
                    in->group_ids, in->ngroups, coordination_id, e);
    if (ok < 0)
        return -1;
    if (!ok)
        return err_field(e, 422, "groups", "Ce groupe n'est pas du territoire de la coordination.");
    ok = rows_exist(
        db,
        "SELECT COUNT(*) FROM films f JOIN groups g ON g.id = f.group_id JOIN structures "
        "s ON s.id = g.structure_id JOIN communes c ON c.code = s.commune_code JOIN "
        "coordination_departements cd ON cd.departement_code = c.departement_code "
        "WHERE f.id = ? AND cd.coordination_id = ?",
        in->film_ids, in->nfilms, coordination_id, e);
    if (ok < 0)
        return -1;
    if (!ok)
        return err_field(e, 422, "films", "Ce film n'est pas du territoire de la coordination.");
    if (in->films_made < in->nfilms)
        return err_field(e, 422, "films_made", "L'action a au moins produit ses %d films liés.",
                         in->nfilms);
    v->search = text_norm(a, arena_printf(a, "%s %s", v->title, v->description));
    return 0;
}

/* ---- writing ---- */

static int write_lists(struct db *db, int64_t id, const struct action_input *in, int replace,
                       struct err *e)
{
    static const char *const tables[] = {"action_communes",     "action_partners",
                                         "action_facilitators", "action_tags",
                                         "action_groups",       "action_films"};
    char sql[96];
    if (replace)
        for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
            snprintf(sql, sizeof sql, "DELETE FROM %s WHERE action_id = ?", tables[t]);
            if (db_execf(db, e, sql, "i", id) < 0)
                return -1;
        }
    for (int i = 0; i < in->ncommunes; i++)
        if (db_execf(db, e, "INSERT INTO action_communes (action_id, commune_code) VALUES (?, ?)",
                     "is", id, in->commune_codes[i]) < 0)
            return -1;
    for (int i = 0; i < in->npartners; i++)
        if (db_execf(db, e, "INSERT INTO action_partners (action_id, structure_id) VALUES (?, ?)",
                     "ii", id, in->partner_ids[i]) < 0)
            return -1;
    for (int i = 0; i < in->nfacilitators; i++) {
        struct arena *a = arena_new();
        int64_t r = db_execf(db, e,
                             "INSERT INTO action_facilitators (action_id, position, name) "
                             "VALUES (?, ?, ?)",
                             "iis", id, (int64_t)i, text_trim(a, in->facilitators[i]));
        arena_free(a);
        if (r < 0)
            return -1;
    }
    const struct {
        const char *kind;
        const char *const *codes;
        int n;
    } tags[] = {{"theme", in->themes, in->nthemes},
                {"form", in->forms, in->nforms},
                {"public", in->publics, in->npublics}};
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++)
        for (int i = 0; i < tags[t].n; i++)
            if (db_execf(db, e, "INSERT INTO action_tags (action_id, kind, code) VALUES (?, ?, ?)",
                         "iss", id, tags[t].kind, tags[t].codes[i]) < 0)
                return -1;
    for (int i = 0; i < in->ngroups; i++)
        if (db_execf(db, e, "INSERT INTO action_groups (action_id, group_id) VALUES (?, ?)", "ii",
                     id, in->group_ids[i]) < 0)
            return -1;
    for (int i = 0; i < in->nfilms; i++)
        if (db_execf(db, e, "INSERT INTO action_films (action_id, film_id) VALUES (?, ?)", "ii", id,
                     in->film_ids[i]) < 0)
            return -1;
    return 0;
}

static int coordination_exists(struct db *db, int64_t id, struct err *e)
{
    struct err le = {0};
    int64_t n =
        db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM coordinations WHERE id = ?", "i", id);
    if (le.status) {
        *e = le;
        return -1;
    }
    if (!n)
        return err_set(e, 404, "Cette coordination n'existe pas.");
    return 0;
}

int action_validate(struct db *db, const struct account *actor, const struct action_input *in,
                    struct err *e)
{
    if (coordination_exists(db, in->coordination_id, e))
        return -1;
    if (!action_can_edit(actor, in->coordination_id))
        return err_set(e, 403,
                       "Seuls les coordinateurs de cette coordination peuvent y ajouter "
                       "une action.");
    struct arena *a = arena_new();
    struct checked v;
    int rc = check_input(db, a, in, in->coordination_id, &v, e);
    arena_free(a);
    return rc;
}

#define GENDER(in, v) ((in)->has_gender ? (v) : -1)

int action_create(struct db *db, const struct account *actor, const struct action_input *in,
                  int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    struct checked v;
    int rc = -1;
    if (coordination_exists(db, in->coordination_id, e))
        goto done;
    if (!action_can_edit(actor, in->coordination_id)) {
        err_set(e, 403,
                "Seuls les coordinateurs de cette coordination peuvent y ajouter "
                "une action.");
        goto done;
    }
    if (check_input(db, a, in, in->coordination_id, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_begin(db, e))
        goto done;
    struct err ie = {0};
    *id = db_scalar_int(
        db, &ie, 0,
        "INSERT INTO actions (coordination_id, title, description, type, status, start_date, "
        "end_date, year, month, lead_structure_id, rural, participants_u12, participants_12_17, "
        "participants_18_25, participants_o25, participants_female, participants_male, "
        "participants_other, spectators, spectators_include_participants, practice_hours, "
        "films_made, budget_requested, budget_granted, budget_cofunding, search_norm, is_demo, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, "
        "?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), NULLIF(?, -1), ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "NULLIF(?, 0), ?, ?) RETURNING id",
        "issssssiiisiiiiiiiiiiiiiisiiii", in->coordination_id, v.title, v.description, v.type,
        v.status, v.start_date, v.end_date, (int64_t)v.year, (int64_t)v.month,
        in->lead_structure_id, v.rural, in->p_u12, in->p_12_17, in->p_18_25, in->p_o25,
        (int64_t)GENDER(in, in->p_female), (int64_t)GENDER(in, in->p_male),
        (int64_t)GENDER(in, in->p_other), in->spectators,
        (int64_t)(in->spectators_include_participants != 0), in->practice_hours, in->films_made,
        in->budget_requested, in->budget_granted, in->budget_cofunding, v.search,
        (int64_t)(in->is_demo != 0), actor->id, now, now);
    if (ie.status || *id <= 0) {
        *e = ie;
        if (!e->status)
            err_set(e, 500, "L'action n'a pas pu être enregistrée.");
        db_rollback(db);
        goto done;
    }
    if (write_lists(db, *id, in, 0, e)) {
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* The coordination of action id, which actor must be allowed to edit. */
static int load_editable(struct db *db, const struct account *actor, int64_t id, int64_t *coord,
                         struct err *e)
{
    struct err le = {0};
    *coord = db_scalar_int(db, &le, 0, "SELECT coordination_id FROM actions WHERE id = ?", "i", id);
    if (le.status) {
        *e = le;
        return -1;
    }
    if (!*coord)
        return err_set(e, 404, "Cette action n'existe pas.");
    if (!action_can_edit(actor, *coord))
        return err_set(e, 403,
                       "Seuls les coordinateurs de sa coordination peuvent modifier "
                       "cette action.");
    return 0;
}

int action_update(struct db *db, const struct account *actor, int64_t id,
                  const struct action_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct checked v;
    int rc = -1;
    int64_t coord;
    if (load_editable(db, actor, id, &coord, e))
        goto done;
    if (in->coordination_id && in->coordination_id != coord) {
        /* moving an action: the actor must be allowed on both sides */
        if (coordination_exists(db, in->coordination_id, e))
            goto done;
        if (!action_can_edit(actor, in->coordination_id)) {
            err_set(e, 403, "Vous ne pouvez pas confier cette action à une autre coordination.");
            goto done;
        }
        coord = in->coordination_id;
    }
    if (check_input(db, a, in, coord, &v, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE actions SET coordination_id = ?, title = ?, description = ?, type = ?, "
                 "status = ?, start_date = ?, end_date = ?, year = ?, month = ?, "
                 "lead_structure_id = NULLIF(?, 0), rural = ?, participants_u12 = ?, "
                 "participants_12_17 = ?, participants_18_25 = ?, participants_o25 = ?, "
                 "participants_female = NULLIF(?, -1), participants_male = NULLIF(?, -1), "
                 "participants_other = NULLIF(?, -1), spectators = ?, "
                 "spectators_include_participants = ?, practice_hours = ?, films_made = ?, "
                 "budget_requested = ?, budget_granted = ?, budget_cofunding = ?, "
                 "search_norm = ?, updated_at = ? WHERE id = ?",
                 "issssssiiisiiiiiiiiiiiiiisii", coord, v.title, v.description, v.type, v.status,
                 v.start_date, v.end_date, (int64_t)v.year, (int64_t)v.month, in->lead_structure_id,
                 v.rural, in->p_u12, in->p_12_17, in->p_18_25, in->p_o25,
                 (int64_t)GENDER(in, in->p_female), (int64_t)GENDER(in, in->p_male),
                 (int64_t)GENDER(in, in->p_other), in->spectators,
                 (int64_t)(in->spectators_include_participants != 0), in->practice_hours,
                 in->films_made, in->budget_requested, in->budget_granted, in->budget_cofunding,
                 v.search, (int64_t)time(NULL), id) != 1 ||
        write_lists(db, id, in, 1, e)) {
        if (!e->status)
            err_set(e, 404, "Cette action n'existe pas.");
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int action_delete(struct db *db, const struct account *actor, int64_t id, struct err *e)
{
    int64_t coord;
    if (load_editable(db, actor, id, &coord, e))
        return -1;
    if (db_begin(db, e))
        return -1;
    /* an application that became this action goes back to being only accepted */
    if (db_execf(db, e, "UPDATE applications SET action_id = NULL WHERE action_id = ?", "i", id) <
            0 ||
        db_execf(db, e, "DELETE FROM actions WHERE id = ?", "i", id) != 1) {
        if (!e->status)
            err_set(e, 404, "Cette action n'existe pas.");
        db_rollback(db);
        return -1;
    }
    return db_commit(db, e);
}
