/* test_action_csv: the CSV format of actions (src/action_csv.c): headers matched by name and
 * synonym, codes given by label, every conversion error with its message, communes by code,
 * by name and by "Nom (département)" with ambiguity and suggestions, the all-or-nothing
 * import, and export then import giving the same actions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "action_csv.h"
#include "groupfix.h"

static const char MORE_SQL[] =
    "INSERT INTO regions (code, name, zone) VALUES ('11', 'Île-de-France', 'metro'), "
    "('04', 'La Réunion', 'drom');"
    "INSERT INTO departements (code, name, region_code, zone) VALUES "
    "('93', 'Seine-Saint-Denis', '11', 'metro'), ('974', 'La Réunion', '04', 'drom');"
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code, population) "
    "VALUES ('93066', 'Saint-Denis', 'saint denis', '93', '11', 113000), "
    "('97411', 'Saint-Denis', 'saint denis', '974', '04', 153000), "
    "('59009', 'Villeneuve-d''Ascq', 'villeneuve d ascq', '59', '32', 62000);"
    /* the fixture stores names as given; structure.c stores the search form */
    "UPDATE structures SET name_norm = 'mjc lille' WHERE name = 'MJC Lille';"
    "UPDATE structures SET name_norm = 'cs amiens' WHERE name = 'CS Amiens';";

static int setup_csv(void **state)
{
    if (setup(state))
        return -1;
    struct fx *f = *state;
    struct err e = {0};
    return db_exec(f->db, MORE_SQL, &e) ? -1 : 0;
}

/* Reads text as a CSV file into t (in f's arena), the map guessed from its header. */
static int *read_csv(struct fx *f, const char *text, struct csv_table *t)
{
    struct err e = {0};
    if (csv_read(f->a, text, strlen(text), NULL, t, &e))
        fail_msg("csv_read: %s", e.msg);
    int *map = arena_alloc(f->a, sizeof *map * (size_t)t->header.n);
    for (int i = 0; i < t->header.n; i++)
        map[i] = action_csv_guess(t->header.fields[i]);
    return map;
}

static void test_guess(void **state)
{
    (void)state;
    static const struct {
        const char *header;
        int field;
    } cases[] = {
        {"titre", ACSV_TITLE},
        {"Titre", ACSV_TITLE},
        {"Intitulé", ACSV_TITLE},
        {"Type d'action", ACSV_TYPE},
        {"Date de début", ACSV_START},
        {"DATE DE FIN", ACSV_END},
        {"start_date", ACSV_START},
        {"Code INSEE", ACSV_COMMUNES},
        {"Commune", ACSV_COMMUNES},
        {"Structure porteuse", ACSV_LEAD},
        {"Thématique", ACSV_THEMES},
        {"Publics", ACSV_PUBLICS},
        {"Public", ACSV_PUBLICS},
        {"participants_moins_12", ACSV_P_U12},
        {"Participants 12-17 ans", ACSV_P_12_17},
        {"Plus de 25 ans", ACSV_P_O25},
        {"Garçons", ACSV_MALE},
        {"Nombre de spectateurs", ACSV_SPECTATORS},
        {"spectateurs_incluent_participants", ACSV_SPECTATORS_INCLUDE},
        {"Heures de pratique", ACSV_HOURS},
        {"Films réalisés", ACSV_FILMS},
        {"Budget demandé", ACSV_BUDGET_REQUESTED},
        {"Subvention", ACSV_BUDGET_GRANTED},
        {"Co-financement", ACSV_BUDGET_COFUNDING},
        {"Remarques", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (action_csv_guess(cases[i].header) != cases[i].field)
            fail_msg("%s: %d, expected %d", cases[i].header, action_csv_guess(cases[i].header),
                     cases[i].field);
    /* every column's own key finds it */
    for (int f = 0; f < ACSV_NFIELDS; f++) {
        assert_int_equal(action_csv_guess(action_csv_columns[f].key), f);
        assert_int_equal(action_csv_field_of(action_csv_columns[f].key), f);
    }
    assert_int_equal(action_csv_field_of("nope"), -1);
}

static void test_choice(void **state)
{
    (void)state;
    assert_string_equal(action_csv_choice(action_types, "Ciné-débat"), "debate");
    assert_string_equal(action_csv_choice(action_types, "CINE DEBAT"), "debate");
    assert_string_equal(action_csv_choice(action_types, "debate"), "debate");
    assert_string_equal(action_csv_choice(action_types, "Séance en plein air"), "open_air");
    assert_string_equal(action_csv_choice(action_types, "workshop_film"), "workshop_film");
    assert_null(action_csv_choice(action_types, "atelier cuisine"));
    assert_null(action_csv_choice(action_types, ""));
    assert_string_equal(action_csv_choice(action_statuses, "réalisée"), "done");
    assert_string_equal(action_csv_choice(action_themes, "egalite filles garcons"), "equality");
    assert_string_equal(action_csv_choice(action_publics, "QPV"), "qpv");
    assert_string_equal(action_csv_choice(action_rural, "Oui"), "yes");
}

/* The error of the one row of "header\nrow": its message, or "" when it converted. */
static const char *row_error(struct fx *f, const char *text, struct action_input *in)
{
    struct csv_table t;
    int *map = read_csv(f, text, &t);
    struct action_csv_conv *cv = action_csv_conv_new(f->db, f->a);
    static struct err e;
    err_clear(&e);
    if (action_csv_row(cv, &t.header, map, &t.rows[0], f->hc, in, &e)) {
        assert_int_equal(e.status, 422);
        return e.msg;
    }
    return "";
}

static void test_row(void **state)
{
    struct fx *f = *state;
    struct action_input in;
    assert_string_equal(
        row_error(f,
                  "Titre;Type;Statut;Début;Fin;Communes;Thématiques;Formes;Publics;Rural;"
                  "Participants 12-17 ans;Filles;Garçons;Spectateurs;spectateurs_incluent_"
                  "participants;Heures;Budget demandé;Structure porteuse;Partenaires;Intervenants\n"
                  "Atelier;Atelier de pratique : réalisation de film;En cours;03/02/2025;"
                  "2025-06-30;59350 | Saint-Denis (93), saint denis (La Réunion);Citoyenneté, "
                  "environnement;Documentaire;qpv|Handicap;non;12;7;5;1 200;oui;30;1 500,00;"
                  "mjc lille;CS Amiens|MJC Lille; Marie Dupont | Karim B. \n",
                  &in),
        "");
    assert_string_equal(in.title, "Atelier");
    assert_string_equal(in.type, "workshop_film");
    assert_string_equal(in.status, "in_progress");
    assert_string_equal(in.start_date, "2025-02-03");
    assert_string_equal(in.end_date, "2025-06-30");
    assert_int_equal(in.ncommunes, 3);
    assert_string_equal(in.commune_codes[0], "59350");
    assert_string_equal(in.commune_codes[1], "93066");
    assert_string_equal(in.commune_codes[2], "97411");
    assert_int_equal(in.nthemes, 2);
    assert_string_equal(in.themes[0], "citizenship");
    assert_string_equal(in.themes[1], "environment");
    assert_string_equal(in.forms[0], "documentary");
    assert_int_equal(in.npublics, 2);
    assert_string_equal(in.publics[1], "disability");
    assert_string_equal(in.rural, "no");
    assert_int_equal(in.p_12_17, 12);
    assert_true(in.has_gender);
    assert_int_equal(in.p_female, 7);
    assert_int_equal(in.spectators, 1200);
    assert_true(in.spectators_include_participants);
    assert_int_equal(in.practice_hours, 30);
    assert_int_equal(in.budget_requested, 1500);
    assert_int_equal(in.lead_structure_id, f->mjc);
    assert_int_equal(in.npartners, 2);
    assert_int_equal(in.partner_ids[0], f->cs);
    assert_int_equal(in.nfacilitators, 2);
    assert_string_equal(in.facilitators[1], "Karim B.");
    struct err e = {0};
    assert_int_equal(action_validate(f->db, &f->coord_hc, &in, &e), 0);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"titre;type\nA;atelier cuisine\n", "type : type inconnu « atelier cuisine »."},
        {"titre;Statut\nA;terminée\n", "Statut : statut inconnu « terminée »."},
        {"titre;debut\nA;32/13\n",
         "debut : date attendue (AAAA-MM-JJ ou JJ/MM/AAAA), pas « 32/13 »."},
        {"titre;Spectateurs\nA;douze\n",
         "Spectateurs : un nombre entier est attendu, pas « douze »."},
        {"titre;budget_accorde\nA;12,50\n",
         "budget_accorde : un nombre entier est attendu, pas « 12,50 »."},
        {"titre;communes\nA;Saint-Denis\n",
         "communes : la commune « Saint-Denis » est ambiguë : 93066 (Seine-Saint-Denis) ou 97411 "
         "(La Réunion) ?"},
        {"titre;communes\nA;Amien\n",
         "communes : commune introuvable « Amien ». Vouliez-vous dire : Amiens (80) ?"},
        {"titre;communes\nA;Lille Centre\n",
         "communes : commune introuvable « Lille Centre ». Vouliez-vous dire : Lille (59) ?"},
        {"titre;communes\nA;Saint-Denis (59)\n",
         "communes : commune introuvable « Saint-Denis (59) ». Vouliez-vous dire : Saint-Denis "
         "(974), Saint-Denis (93) ?"},
        {"titre;communes\nA;Zzyzx\n", "communes : commune introuvable « Zzyzx »."},
        {"titre;communes\nA;99999\n",
         "communes : commune inconnue « 99999 » (aucune commune n'a ce code INSEE)."},
        {"titre;Structure porteuse\nA;Cinéma fantôme\n",
         "Structure porteuse : structure introuvable « Cinéma fantôme »."},
        {"titre;partenaires\nA;424242\n", "partenaires : aucune structure n'a le numéro 424242."},
        {"titre;Thématiques\nA;Jeunesse, cuisine\n", "Thématiques : valeur inconnue « cuisine »."},
        {"titre;rural\nA;peut-être\n",
         "rural : « oui », « non » ou « auto » est attendu, pas « peut-être »."},
        {"titre;spectateurs_incluent_participants\nA;bof\n",
         "spectateurs_incluent_participants : « oui » ou « non » est attendu, pas « bof »."},
        {"titre;type\nA;\n", "type : le type de l'action est obligatoire."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *m = row_error(f, bad[i].text, &in);
        if (strcmp(m, bad[i].msg))
            fail_msg("%s\n  got:      %s\n  expected: %s", bad[i].text, m, bad[i].msg);
    }
}

static void test_map_check(void **state)
{
    (void)state;
    struct err e = {0};
    int ok[] = {ACSV_TITLE, ACSV_TYPE, ACSV_START, ACSV_END, ACSV_COMMUNES, -1};
    assert_int_equal(action_csv_map_check(ok, 6, &e), 0);
    int twice[] = {ACSV_TITLE, ACSV_TYPE, ACSV_START, ACSV_END, ACSV_COMMUNES, ACSV_TITLE};
    assert_int_equal(action_csv_map_check(twice, 6, &e), -1);
    assert_string_equal(e.msg, "Deux colonnes du fichier sont associées à « titre » : "
                               "gardez-en une.");
    int missing[] = {ACSV_TITLE, ACSV_TYPE, ACSV_START, ACSV_END, -1};
    assert_int_equal(action_csv_map_check(missing, 5, &e), -1);
    assert_string_equal(e.msg, "Aucune colonne du fichier n'est associée à « communes », qui est "
                               "obligatoire.");
}

static const char GOOD[] =
    "titre;description;Type;statut;Date de début;Date de fin;Communes;Thématiques;Formes;"
    "publics;participants_12_17;filles;garcons;autres;Spectateurs;heures;films;budget_demande;"
    "budget_accorde;cofinancement;structure_porteuse;partenaires;intervenants;rural;"
    "spectateurs_incluent_participants\n"
    "Atelier « lumière »;\"Deux lignes\nde description\";Atelier de pratique : réalisation de "
    "film;Réalisée;2025-03-01;2025-06-30;59350|Saint-Denis (974);citizenship|youth;fiction;qpv;"
    "10;6;4;0;80;30;1;5000;4000;1000;MJC Lille;CS Amiens;Marie Dupont|Karim B.;auto;oui\n"
    "\n"
    "Ciné-débat au centre;;Ciné-débat;;01/10/2025;01/10/2025;Amiens;;;;0;;;;45;0;0;0;0;0;;;;oui;"
    "non\n"
    "=HYPERLINK;-5 degrés;Séance en plein air;prévue;2025-07-14;2025-07-14;80021;Environnement;;"
    ";;;;;300;;;;;;;;;;\n";

static int64_t count_actions(struct fx *f, int64_t coord)
{
    struct err e = {0};
    return db_scalar_int(f->db, &e, -1, "SELECT COUNT(*) FROM actions WHERE coordination_id = ?",
                         "i", coord);
}

static void test_import_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct csv_table t;
    struct action_csv_result res;
    struct err e = {0};
    /* the third row ends before it starts, the fourth has an unknown type */
    char bad[sizeof GOOD + 256];
    snprintf(bad, sizeof bad, "%s%s", GOOD,
             "Trop tôt;;debate;;2025-05-02;2025-05-01;59350\nX;;cuisine;;2025-05-02;2025-05-03;"
             "59350\n");
    /* the extra rows have fewer fields: pad them with the reader's allow_short */
    struct csv_read_opts opts = {.allow_short = 1};
    assert_int_equal(csv_read(f->a, bad, strlen(bad), &opts, &t, &e), 0);
    int *map = arena_alloc(f->a, sizeof *map * (size_t)t.header.n);
    for (int i = 0; i < t.header.n; i++)
        map[i] = action_csv_guess(t.header.fields[i]);
    assert_int_equal(action_csv_import(f->db, f->a, &f->coord_hc, &t, map, f->hc, &res, &e), 0);
    assert_int_equal(res.imported, 0);
    assert_int_equal(res.nerrors, 2);
    assert_int_equal(res.errors[0].line, 7);
    assert_string_equal(res.errors[0].message,
                        "Date de fin : La fin ne peut pas précéder le début.");
    assert_int_equal(res.errors[1].line, 8);
    assert_string_equal(res.errors[1].message, "Type : type inconnu « cuisine ».");
    assert_int_equal(count_actions(f, f->hc), 0);
    /* another coordination's coordinator: the whole import is a 403 */
    map = read_csv(f, GOOD, &t);
    assert_int_equal(action_csv_import(f->db, f->a, &f->coord_acap, &t, map, f->hc, &res, &e), -1);
    assert_int_equal(e.status, 403);
    /* a file of blank rows only */
    map = read_csv(f, "titre;type;debut;fin;communes\n;;;;\n", &t);
    assert_int_equal(action_csv_import(f->db, f->a, &f->coord_hc, &t, map, f->hc, &res, &e), -1);
    assert_int_equal(e.status, 422);
    /* the good rows all go in */
    map = read_csv(f, GOOD, &t);
    assert_int_equal(action_csv_import(f->db, f->a, &f->coord_hc, &t, map, f->hc, &res, &e), 0);
    assert_int_equal(res.nerrors, 0);
    assert_int_equal(res.imported, 3);
    assert_int_equal(count_actions(f, f->hc), 3);
}

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    struct csv_table t;
    struct action_csv_result res;
    struct err e = {0};
    int *map = read_csv(f, GOOD, &t);
    assert_int_equal(action_csv_import(f->db, f->a, &f->coord_hc, &t, map, f->hc, &res, &e), 0);
    assert_int_equal(res.imported, 3);
    struct buf out1, out2;
    buf_init(&out1, 0);
    buf_init(&out2, 0);
    struct action_filter hc = {.coordination_id = f->hc};
    assert_int_equal(action_csv_export(f->db, &hc, 1, ';', CSV_BOM | CSV_CRLF, &out1, &e), 0);
    /* the export's header is every column's key; re-read, it maps to every field */
    map = read_csv(f, buf_cstr(&out1), &t);
    assert_int_equal(t.header.n, ACSV_NFIELDS);
    for (int i = 0; i < ACSV_NFIELDS; i++)
        assert_int_equal(map[i], i);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(t.rows[0].fields[ACSV_COMMUNES], "59350|97411");
    assert_string_equal(t.rows[0].fields[ACSV_FACILITATORS], "Marie Dupont|Karim B.");
    assert_string_equal(t.rows[0].fields[ACSV_DESCRIPTION], "Deux lignes\nde description");
    assert_string_equal(t.rows[2].fields[ACSV_FEMALE], ""); /* oldest first */
    assert_string_equal(t.rows[1].fields[ACSV_TITLE], "=HYPERLINK");
    /* into an empty coordination: the same actions */
    assert_int_equal(action_csv_import(f->db, f->a, &f->admin, &t, map, f->acap, &res, &e), 0);
    assert_int_equal(res.imported, 3);
    struct action_filter acap = {.coordination_id = f->acap};
    assert_int_equal(action_csv_export(f->db, &acap, 1, ';', CSV_BOM | CSV_CRLF, &out2, &e), 0);
    assert_string_equal(buf_cstr(&out1), buf_cstr(&out2));
    /* without budgets: the three columns are left out */
    buf_reset(&out2);
    assert_int_equal(action_csv_export(f->db, &acap, 0, ',', 0, &out2, &e), 0);
    assert_null(strstr(buf_cstr(&out2), "budget_"));
    assert_null(strstr(buf_cstr(&out2), "cofinancement"));
    /* the formula guard, for spreadsheets */
    buf_reset(&out2);
    assert_int_equal(action_csv_export(f->db, &acap, 0, ';', CSV_GUARD_FORMULAS, &out2, &e), 0);
    assert_non_null(strstr(buf_cstr(&out2), "'=HYPERLINK;'-5 degrés"));
    buf_free(&out1);
    buf_free(&out2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_choice),
        cmocka_unit_test_setup_teardown(test_row, setup_csv, teardown),
        cmocka_unit_test(test_map_check),
        cmocka_unit_test_setup_teardown(test_import_all_or_nothing, setup_csv, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup_csv, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
