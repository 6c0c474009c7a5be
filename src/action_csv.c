/* action_csv: the CSV format of actions (see action_csv.h): columns and their synonyms, the
 * check of a file's mapping, the all-or-nothing import, the export. Turning one row into an
 * action_input is in action_csv_row.c. */
#include "action_csv.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

const struct action_csv_column action_csv_columns[ACSV_NFIELDS] = {
    [ACSV_TITLE] = {"titre", "title", N_("Titre de l'action"), N_("Texte, obligatoire"),
                    "Atelier court métrage au collège Jean-Moulin", 1, 0},
    [ACSV_DESCRIPTION] = {"description", "description", N_("Description"), N_("Texte"),
                          "Un film de fiction en dix séances.", 0, 0},
    [ACSV_TYPE] = {"type", "type", N_("Type d'action"),
                   N_("Code ou libellé de la liste des types, obligatoire"), "Ciné-débat", 1, 0},
    [ACSV_STATUS] = {"statut", "status", N_("Statut"),
                     N_("Prévue, En cours, Réalisée, Annulée (vide : Prévue)"), "Réalisée", 0, 0},
    [ACSV_START] = {"debut", "start_date", N_("Date de début"),
                    N_("AAAA-MM-JJ ou JJ/MM/AAAA, obligatoire"), "2025-03-01", 1, 0},
    [ACSV_END] = {"fin", "end_date", N_("Date de fin"), N_("AAAA-MM-JJ ou JJ/MM/AAAA, obligatoire"),
                  "30/06/2025", 1, 0},
    [ACSV_COMMUNES] = {"communes", "communes", N_("Communes de l'action"),
                       N_("Codes INSEE ou « Nom (département) », séparés par | ou par une "
                          "virgule, obligatoire"),
                       "59350 | Saint-Denis (93)", 1, 0},
    [ACSV_LEAD] = {"structure_porteuse", "lead_structure", N_("Structure porteuse"),
                   N_("Numéro ou nom exact d'une structure de l'annuaire"), "MJC du Centre", 0, 0},
    [ACSV_PARTNERS] = {"partenaires", "partners", N_("Structures partenaires"),
                       N_("Numéros ou noms exacts, séparés par |"), "12 | Cinéma Le Méliès", 0, 0},
    [ACSV_FACILITATORS] = {"intervenants", "facilitators", N_("Intervenants"),
                           N_("Noms séparés par |"), "Marie Dupont | Karim Benali", 0, 0},
    [ACSV_THEMES] = {"thematiques", "themes", N_("Thématiques"),
                     N_("Codes ou libellés séparés par | ou par une virgule"),
                     "Citoyenneté | Environnement", 0, 0},
    [ACSV_FORMS] = {"formes", "forms", N_("Formes"),
                    N_("Fiction, Documentaire, Animation, Forme hybride, séparées par |"),
                    "Documentaire", 0, 0},
    [ACSV_PUBLICS] = {"publics", "publics", N_("Publics prioritaires"),
                      N_("Codes ou libellés séparés par | ou par une virgule"), "qpv | Handicap", 0,
                      0},
    [ACSV_RURAL] = {"rural", "rural", N_("Action en milieu rural"),
                    N_("oui, non ou auto (vide : auto, selon la population des communes)"), "auto",
                    0, 0},
    [ACSV_P_U12] = {"participants_moins_12", "participants_u12",
                    N_("Participants de moins de 12 ans"), N_("Nombre entier"), "0", 0, 0},
    [ACSV_P_12_17] = {"participants_12_17", "participants_12_17", N_("Participants de 12 à 17 ans"),
                      N_("Nombre entier"), "10", 0, 0},
    [ACSV_P_18_25] = {"participants_18_25", "participants_18_25", N_("Participants de 18 à 25 ans"),
                      N_("Nombre entier"), "2", 0, 0},
    [ACSV_P_O25] = {"participants_plus_25", "participants_o25",
                    N_("Participants de plus de 25 ans"), N_("Nombre entier"), "0", 0, 0},
    [ACSV_FEMALE] = {"filles", "participants_female", N_("Participantes (facultatif)"),
                     N_("Nombre entier ; avec garçons et autres, le total des participants"), "7",
                     0, 0},
    [ACSV_MALE] = {"garcons", "participants_male", N_("Participants garçons (facultatif)"),
                   N_("Nombre entier"), "5", 0, 0},
    [ACSV_OTHER] = {"autres", "participants_other",
                    N_("Participants d'un autre genre (facultatif)"), N_("Nombre entier"), "0", 0,
                    0},
    [ACSV_SPECTATORS] = {"spectateurs", "spectators", N_("Spectateurs"), N_("Nombre entier"), "80",
                         0, 0},
    [ACSV_SPECTATORS_INCLUDE] = {"spectateurs_incluent_participants",
                                 "spectators_include_participants",
                                 N_("Les spectateurs comptent-ils déjà les participants ?"),
                                 N_("oui ou non (vide : non)"), "non", 0, 0},
    [ACSV_HOURS] = {"heures", "practice_hours", N_("Heures de pratique"), N_("Nombre entier"), "30",
                    0, 0},
    [ACSV_FILMS] = {"films", "films_made", N_("Films réalisés"), N_("Nombre entier"), "1", 0, 0},
    [ACSV_BUDGET_REQUESTED] = {"budget_demande", "budget_requested", N_("Budget demandé (€)"),
                               N_("Nombre entier d'euros"), "5000", 0, 1},
    [ACSV_BUDGET_GRANTED] = {"budget_accorde", "budget_granted", N_("Budget accordé (€)"),
                             N_("Nombre entier d'euros"), "4000", 0, 1},
    [ACSV_BUDGET_COFUNDING] = {"cofinancement", "budget_cofunding", N_("Cofinancement (€)"),
                               N_("Nombre entier d'euros"), "1500", 0, 1},
};

/* Other names spreadsheets give the columns, in their normalized form. */
static const struct {
    int field;
    const char *name;
} synonyms[] = {
    {ACSV_TITLE, "intitule"},
    {ACSV_TITLE, "nom de l action"},
    {ACSV_TITLE, "titre de l action"},
    {ACSV_TITLE, "action"},
    {ACSV_DESCRIPTION, "descriptif"},
    {ACSV_DESCRIPTION, "resume"},
    {ACSV_TYPE, "type d action"},
    {ACSV_TYPE, "categorie"},
    {ACSV_STATUS, "etat"},
    {ACSV_START, "date de debut"},
    {ACSV_START, "date debut"},
    {ACSV_START, "debut de l action"},
    {ACSV_START, "du"},
    {ACSV_END, "date de fin"},
    {ACSV_END, "date fin"},
    {ACSV_END, "au"},
    {ACSV_COMMUNES, "commune"},
    {ACSV_COMMUNES, "code insee"},
    {ACSV_COMMUNES, "codes insee"},
    {ACSV_COMMUNES, "insee"},
    {ACSV_COMMUNES, "lieu"},
    {ACSV_COMMUNES, "lieux"},
    {ACSV_COMMUNES, "ville"},
    {ACSV_COMMUNES, "villes"},
    {ACSV_LEAD, "structure"},
    {ACSV_LEAD, "porteur"},
    {ACSV_LEAD, "structure porteuse du projet"},
    {ACSV_PARTNERS, "structures partenaires"},
    {ACSV_PARTNERS, "partenaire"},
    {ACSV_FACILITATORS, "intervenant"},
    {ACSV_FACILITATORS, "intervenantes"},
    {ACSV_FACILITATORS, "intervenants es"},
    {ACSV_FACILITATORS, "professionnels"},
    {ACSV_THEMES, "thematique"},
    {ACSV_THEMES, "themes"},
    {ACSV_THEMES, "theme"},
    {ACSV_FORMS, "forme"},
    {ACSV_FORMS, "genres"},
    {ACSV_FORMS, "genre"},
    {ACSV_PUBLICS, "public"},
    {ACSV_PUBLICS, "publics prioritaires"},
    {ACSV_RURAL, "ruralite"},
    {ACSV_RURAL, "milieu rural"},
    {ACSV_P_U12, "moins de 12 ans"},
    {ACSV_P_U12, "participants moins de 12 ans"},
    {ACSV_P_U12, "12 ans"},
    {ACSV_P_12_17, "12 17 ans"},
    {ACSV_P_12_17, "participants 12 17 ans"},
    {ACSV_P_18_25, "18 25 ans"},
    {ACSV_P_18_25, "participants 18 25 ans"},
    {ACSV_P_O25, "plus de 25 ans"},
    {ACSV_P_O25, "participants plus de 25 ans"},
    {ACSV_P_O25, "25 ans"},
    {ACSV_FEMALE, "participantes"},
    {ACSV_FEMALE, "participants filles"},
    {ACSV_FEMALE, "femmes"},
    {ACSV_MALE, "participants garcons"},
    {ACSV_MALE, "hommes"},
    {ACSV_OTHER, "autre"},
    {ACSV_OTHER, "autre genre"},
    {ACSV_SPECTATORS, "public"},
    {ACSV_SPECTATORS, "nombre de spectateurs"},
    {ACSV_SPECTATORS, "public touche"},
    {ACSV_SPECTATORS, "publics touches"},
    {ACSV_SPECTATORS_INCLUDE, "spectateurs dont participants"},
    {ACSV_HOURS, "heures de pratique"},
    {ACSV_HOURS, "nombre d heures"},
    {ACSV_FILMS, "films realises"},
    {ACSV_FILMS, "nombre de films"},
    {ACSV_BUDGET_REQUESTED, "montant demande"},
    {ACSV_BUDGET_REQUESTED, "budget demande"},
    {ACSV_BUDGET_GRANTED, "montant accorde"},
    {ACSV_BUDGET_GRANTED, "subvention"},
    {ACSV_BUDGET_GRANTED, "budget accorde"},
    {ACSV_BUDGET_COFUNDING, "co financement"},
    {ACSV_BUDGET_COFUNDING, "cofinancements"},
};

int action_csv_field_of(const char *key)
{
    for (int i = 0; key && i < ACSV_NFIELDS; i++)
        if (!strcmp(action_csv_columns[i].key, key))
            return i;
    return -1;
}

int action_csv_guess(const char *header)
{
    struct arena *a = arena_new();
    const char *h = text_norm(a, header);
    int found = -1;
    for (int i = 0; i < ACSV_NFIELDS && found < 0 && *h; i++)
        if (!strcmp(h, text_norm(a, action_csv_columns[i].key)) ||
            !strcmp(h, text_norm(a, action_csv_columns[i].field)) ||
            !strcmp(h, text_norm(a, action_csv_columns[i].meaning)))
            found = i;
    /* "public" is both the publics and the audience: the list of publics wins */
    for (size_t i = 0; i < sizeof synonyms / sizeof *synonyms && found < 0 && *h; i++)
        if (!strcmp(h, synonyms[i].name))
            found = synonyms[i].field;
    arena_free(a);
    return found;
}

const char *action_csv_choice(const struct action_choice *list, const char *value)
{
    struct arena *a = arena_new();
    const char *v = text_norm(a, value);
    const char *code = NULL;
    for (int i = 0; *v && list[i].code && !code; i++)
        if (!strcmp(v, text_norm(a, list[i].code)) || !strcmp(v, text_norm(a, list[i].label)) ||
            !strcmp(v, text_norm(a, err_tr(list[i].label))))
            code = list[i].code;
    arena_free(a);
    return code;
}

int action_csv_map_check(const int *map, int ncols, struct err *e)
{
    int seen[ACSV_NFIELDS] = {0};
    for (int i = 0; i < ncols; i++) {
        if (map[i] < 0)
            continue;
        if (map[i] >= ACSV_NFIELDS)
            return err_field(e, 422, "mapping", "Colonne inconnue.");
        if (seen[map[i]]++)
            return err_field(e, 422, "mapping",
                             "Deux colonnes du fichier sont associées à « %s » : gardez-en une.",
                             action_csv_columns[map[i]].key);
    }
    for (int f = 0; f < ACSV_NFIELDS; f++)
        if (action_csv_columns[f].required && !seen[f])
            return err_field(e, 422, "mapping",
                             "Aucune colonne du fichier n'est associée à « %s », qui est "
                             "obligatoire.",
                             action_csv_columns[f].key);
    return 0;
}

/* The name of the column behind a field the check of the action named. */
static const char *column_of(const struct csv_row *header, const int *map, const char *field)
{
    for (int f = 0; field && f < ACSV_NFIELDS; f++)
        if (!strcmp(action_csv_columns[f].field, field)) {
            for (int i = 0; i < header->n; i++)
                if (map[i] == f && *header->fields[i])
                    return header->fields[i];
            return action_csv_columns[f].key;
        }
    return NULL;
}

static void add_error(struct arena *a, struct action_csv_result *res, int line, const char *msg)
{
    if (res->nerrors < ACTION_CSV_ERRORS_MAX) {
        res->errors[res->nerrors].line = line;
        res->errors[res->nerrors].message = arena_strdup(a, msg);
    }
    res->nerrors++;
}

int action_csv_import(struct db *db, struct arena *a, const struct account *actor,
                      const struct csv_table *t, const int *map, int64_t coordination_id,
                      struct action_csv_result *res, struct err *e)
{
    memset(res, 0, sizeof *res);
    if (action_csv_map_check(map, t->header.n, e))
        return -1;
    res->errors = arena_alloc(a, sizeof *res->errors * ACTION_CSV_ERRORS_MAX);
    struct action_input *ins = arena_alloc(a, sizeof *ins * (size_t)(t->nrows + 1));
    int *lines = arena_alloc(a, sizeof *lines * (size_t)(t->nrows + 1));
    int n = 0;
    struct action_csv_conv *cv = action_csv_conv_new(db, a);
    for (int i = 0; i < t->nrows; i++) {
        const struct csv_row *r = &t->rows[i];
        if (csv_row_blank(r))
            continue;
        struct err re = {0};
        if (action_csv_row(cv, &t->header, map, r, coordination_id, &ins[n], &re)) {
            if (re.status != 422) {
                *e = re;
                return -1;
            }
            add_error(a, res, r->line, re.msg);
            continue;
        }
        if (action_validate(db, actor, &ins[n], &re)) {
            if (re.status != 422) { /* 403, 404, 500: the whole import stops */
                *e = re;
                return -1;
            }
            const char *col = column_of(&t->header, map, re.field);
            add_error(a, res, r->line, col ? arena_printf(a, "%s : %s", col, re.msg) : re.msg);
            continue;
        }
        lines[n++] = r->line;
    }
    if (res->nerrors)
        return 0;
    if (n == 0)
        return err_set(e, 422, "Le fichier ne contient aucune action.");
    if (db_begin(db, e))
        return -1;
    for (int i = 0; i < n; i++) {
        int64_t id;
        if (action_create(db, actor, &ins[i], &id, e)) {
            db_rollback(db);
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_set(e, e->status == 422 ? 422 : e->status,
                           "Ligne %d : %s Aucune action n'a été importée.", lines[i], msg);
        }
    }
    if (db_commit(db, e))
        return -1;
    res->imported = n;
    return 0;
}

/* ---- export ---- */

static const char *joined_codes(struct arena *a, const char *const *v, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "|" : "", v[i]);
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static const char *joined_ids(struct arena *a, const int64_t *v, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "|" : "", (long long)v[i]);
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

const char **action_csv_values(struct arena *a, const struct action *ac, int with_budget)
{
    const char **v = arena_alloc(a, sizeof *v * ACSV_NFIELDS);
#define NUM(x) arena_printf(a, "%lld", (long long)(x))
    v[ACSV_TITLE] = ac->title;
    v[ACSV_DESCRIPTION] = ac->description;
    v[ACSV_TYPE] = ac->type;
    v[ACSV_STATUS] = ac->status;
    v[ACSV_START] = ac->start_date;
    v[ACSV_END] = ac->end_date;
    const char **cc = arena_alloc(a, sizeof *cc * (size_t)(ac->ncommunes + 1));
    for (int i = 0; i < ac->ncommunes; i++)
        cc[i] = ac->communes[i].code;
    v[ACSV_COMMUNES] = joined_codes(a, cc, ac->ncommunes);
    v[ACSV_LEAD] = ac->lead_structure_id ? NUM(ac->lead_structure_id) : "";
    v[ACSV_PARTNERS] = joined_ids(a, ac->partner_ids, ac->npartners);
    v[ACSV_FACILITATORS] = joined_codes(a, ac->facilitators, ac->nfacilitators);
    v[ACSV_THEMES] = joined_codes(a, ac->themes, ac->nthemes);
    v[ACSV_FORMS] = joined_codes(a, ac->forms, ac->nforms);
    v[ACSV_PUBLICS] = joined_codes(a, ac->publics, ac->npublics);
    v[ACSV_RURAL] = ac->rural;
    v[ACSV_P_U12] = NUM(ac->p_u12);
    v[ACSV_P_12_17] = NUM(ac->p_12_17);
    v[ACSV_P_18_25] = NUM(ac->p_18_25);
    v[ACSV_P_O25] = NUM(ac->p_o25);
    v[ACSV_FEMALE] = ac->has_gender ? NUM(ac->p_female) : "";
    v[ACSV_MALE] = ac->has_gender ? NUM(ac->p_male) : "";
    v[ACSV_OTHER] = ac->has_gender ? NUM(ac->p_other) : "";
    v[ACSV_SPECTATORS] = NUM(ac->spectators);
    v[ACSV_SPECTATORS_INCLUDE] = ac->spectators_include_participants ? "oui" : "non";
    v[ACSV_HOURS] = NUM(ac->practice_hours);
    v[ACSV_FILMS] = NUM(ac->films_made);
    v[ACSV_BUDGET_REQUESTED] = with_budget ? NUM(ac->budget_requested) : "";
    v[ACSV_BUDGET_GRANTED] = with_budget ? NUM(ac->budget_granted) : "";
    v[ACSV_BUDGET_COFUNDING] = with_budget ? NUM(ac->budget_cofunding) : "";
#undef NUM
    return v;
}

int action_csv_write_header(struct buf *out, int with_budget, char delim, unsigned flags)
{
    const char *h[ACSV_NFIELDS];
    int n = 0;
    for (int f = 0; f < ACSV_NFIELDS; f++)
        if (with_budget || !action_csv_columns[f].budget)
            h[n++] = action_csv_columns[f].key;
    return csv_write_row_flags(out, h, n, delim, flags);
}

int action_csv_write_row(struct buf *out, struct arena *a, const struct action *ac, int with_budget,
                         char delim, unsigned flags)
{
    const char **v = action_csv_values(a, ac, with_budget);
    const char *row[ACSV_NFIELDS];
    int n = 0;
    for (int f = 0; f < ACSV_NFIELDS; f++)
        if (with_budget || !action_csv_columns[f].budget)
            row[n++] = v[f];
    return csv_write_row_flags(out, row, n, delim, flags);
}

int action_csv_export(struct db *db, const struct action_filter *f, int with_budget, char delim,
                      unsigned flags, struct buf *out, struct err *e)
{
    if (action_csv_write_header(out, with_budget, delim, flags))
        return err_set(e, 413, "L'export dépasse la taille permise.");
    struct action_filter pf = *f;
    pf.per_page = ACTION_PER_PAGE_MAX;
    pf.with_lists = 1;
    if (!pf.sort)
        pf.sort = "oldest";
    for (pf.page = 1;; pf.page++) {
        struct arena *a = arena_new();
        struct action *as;
        int n;
        int64_t total;
        if (action_list(db, a, &pf, &as, &n, &total, e)) {
            arena_free(a);
            return -1;
        }
        for (int i = 0; i < n; i++)
            if (action_csv_write_row(out, a, &as[i], with_budget, delim, flags)) {
                arena_free(a);
                return err_set(e, 413, "L'export dépasse la taille permise.");
            }
        arena_free(a);
        if (n < pf.per_page || (int64_t)pf.page * pf.per_page >= total)
            break;
    }
    return 0;
}
