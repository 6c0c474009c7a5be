/* action_csv: actions to and from CSV files (issue 6): the columns, matching a file's headers
 * to them, turning a row into an action_input, the all-or-nothing import, and the export. */
#ifndef LANTERNE_ACTION_CSV_H
#define LANTERNE_ACTION_CSV_H

#include <stdint.h>

#include "account.h"
#include "action.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum action_csv_field {
    ACSV_TITLE,
    ACSV_DESCRIPTION,
    ACSV_TYPE,
    ACSV_STATUS,
    ACSV_START,
    ACSV_END,
    ACSV_COMMUNES,
    ACSV_LEAD,
    ACSV_PARTNERS,
    ACSV_FACILITATORS,
    ACSV_THEMES,
    ACSV_FORMS,
    ACSV_PUBLICS,
    ACSV_RURAL,
    ACSV_P_U12,
    ACSV_P_12_17,
    ACSV_P_18_25,
    ACSV_P_O25,
    ACSV_FEMALE,
    ACSV_MALE,
    ACSV_OTHER,
    ACSV_SPECTATORS,
    ACSV_SPECTATORS_INCLUDE,
    ACSV_HOURS,
    ACSV_FILMS,
    ACSV_BUDGET_REQUESTED,
    ACSV_BUDGET_GRANTED,
    ACSV_BUDGET_COFUNDING,
    ACSV_NFIELDS
};

enum {
    ACTION_CSV_PREVIEW_ROWS = 10, /* rows shown on the mapping page */
    ACTION_CSV_ERRORS_MAX = 1000, /* bad rows listed (the count says how many in all) */
};

/* One column of the file format. Texts are French message ids. */
struct action_csv_column {
    const char *key;      /* the header the export writes: "titre", "debut", ... */
    const char *field;    /* the field action_create names in its errors: "title", ... */
    const char *meaning;  /* what it holds */
    const char *accepted; /* the values accepted */
    const char *example;
    int required; /* an import must map it */
    int budget;   /* exported only to those who may see budgets */
};
extern const struct action_csv_column action_csv_columns[ACSV_NFIELDS];

/* The field a header names (its normalized form equals a column's key, the field's name or
 * one of the usual synonyms: "Date de début", "Code INSEE", "Thématique"...), or -1. */
int action_csv_guess(const char *header);
/* The field of key ("titre"), or -1. */
int action_csv_field_of(const char *key);

/* The code of list whose code or French label equals value, ignoring case, accents and
 * punctuation ("Ciné-débat", "cine debat" and "debate" give "debate"), or NULL. */
const char *action_csv_choice(const struct action_choice *list, const char *value);

/* A conversion session: caches the communes and structures already looked up, so a file
 * naming the same commune on 2,000 rows asks the database once. Lives in a. */
struct action_csv_conv;
struct action_csv_conv *action_csv_conv_new(struct db *db, struct arena *a);

/* Row r of a file to in (strings in the conversion's arena). map[i] is the field of column i
 * (-1: ignored); header gives the column names used in messages. 0, or -1 with e: 422, its
 * message prefixed with the column's name as the file writes it ("type : valeur inconnue
 * « atelier cuisine »."); communes not found come with the three closest names. */
int action_csv_row(struct action_csv_conv *cv, const struct csv_row *header, const int *map,
                   const struct csv_row *r, int64_t coordination_id, struct action_input *in,
                   struct err *e);

/* One bad row. */
struct action_csv_error {
    int line;
    const char *message; /* "type : valeur inconnue « atelier cuisine »." */
};
struct action_csv_result {
    int imported;                    /* rows written (0 when any row is bad) */
    int nerrors;                     /* bad rows, all counted */
    struct action_csv_error *errors; /* the first ACTION_CSV_ERRORS_MAX of them */
};

/* Checks map: a field mapped twice, or a required field not mapped, is a 422 naming it. */
int action_csv_map_check(const int *map, int ncols, struct err *e);

/* Imports every non-blank row of t into coordination_id as actor: each row converted and
 * checked with action_validate; if any is bad, nothing is written and res lists them (0 is
 * still returned: the file was read); otherwise all are written in one transaction (a
 * failure rolls every one back: -1 with e). -1 with e too for a bad map or no row at all. */
int action_csv_import(struct db *db, struct arena *a, const struct account *actor,
                      const struct csv_table *t, const int *map, int64_t coordination_id,
                      struct action_csv_result *res, struct err *e);

/* The fields of a as the export writes them, in column order (ACSV_NFIELDS strings in a;
 * budget columns "" unless with_budget). */
const char **action_csv_values(struct arena *a, const struct action *ac, int with_budget);
/* The header row: every column, or all but the budget ones. */
int action_csv_write_header(struct buf *out, int with_budget, char delim, unsigned flags);
int action_csv_write_row(struct buf *out, struct arena *a, const struct action *ac, int with_budget,
                         char delim, unsigned flags);
/* Every action matching f (its paging ignored), header first, to out. */
int action_csv_export(struct db *db, const struct action_filter *f, int with_budget, char delim,
                      unsigned flags, struct buf *out, struct err *e);

#endif
