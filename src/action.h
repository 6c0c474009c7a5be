/* action: the actions of the network's year (issue 6): workshops, mediation, open-air
 * screenings, meetings, trainings, stages of an itinerant workshop; their communes,
 * structures, facilitators, themes, forms, priority publics, counts and budget; who may read
 * and edit them. The figures built from them are in figures.c. */
#ifndef LANTERNE_ACTION_H
#define LANTERNE_ACTION_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    ACTION_TITLE_MAX = 200,        /* characters */
    ACTION_DESCRIPTION_MAX = 8000, /* characters */
    ACTION_COMMUNES_MAX = 60,      /* communes of one action (an itinerant workshop) */
    ACTION_PARTNERS_MAX = 30,      /* partner structures */
    ACTION_FACILITATORS_MAX = 20,
    ACTION_FACILITATOR_MAX = 120, /* characters of a facilitator's name */
    ACTION_LINKS_MAX = 50,        /* linked groups, and linked films */
    ACTION_COUNT_MAX = 1000000,   /* any count (participants of a band, spectators, hours) */
    ACTION_BUDGET_MAX = 10000000, /* euros, any budget line */
    ACTION_YEAR_MIN = 2000,
    ACTION_YEAR_MAX = 2100,
    ACTION_DAYS_MAX = 731,          /* an action lasts at most two years */
    ACTION_RURAL_POPULATION = 2000, /* a commune under this many inhabitants is rural */
    ACTION_PER_PAGE_DEFAULT = 50,
    ACTION_PER_PAGE_MAX = 200,
    ACTION_ALL_MAX = 100000, /* an unpaged read (action_filter.all) past this many: 413 */
    ACTION_BATCH_IDS = 500,  /* ids in one IN list when the lists of many actions are read */
};

/* A code and its French label (a message id: translate with err_tr / web_t). */
struct action_choice {
    const char *code, *label;
};
/* NULL-terminated lists. */
extern const struct action_choice action_types[];    /* workshop_film, ..., itinerant_stage */
extern const struct action_choice action_statuses[]; /* planned, in_progress, done, cancelled */
extern const struct action_choice action_themes[];   /* youth, education, citizenship, ... */
extern const struct action_choice action_forms[];    /* fiction, documentary, animation, hybrid */
extern const struct action_choice action_publics[];  /* qpv, pjj, disability, hospital, prison */
extern const struct action_choice action_rural[];    /* auto, yes, no */
/* The label of code in list, or NULL. */
const char *action_choice_label(const struct action_choice *list, const char *code);
/* 1 when type is a practice workshop (workshop_*), which has participants and hours. */
int action_type_is_practice(const char *type);

struct action_commune {
    const char *code, *name, *departement_code;
    int64_t population;
};

struct action {
    int64_t id, coordination_id;
    const char *coordination_name, *coordination_slug;
    const char *title, *description, *type, *status;
    const char *start_date, *end_date; /* YYYY-MM-DD */
    int year, month;
    int64_t lead_structure_id; /* 0: none */
    const char *lead_structure_name;
    const char *rural; /* auto, yes, no */
    int is_rural;      /* as the figures count it: rural 'yes', or 'auto' with a small commune */
    int64_t p_u12, p_12_17, p_18_25, p_o25;
    int has_gender; /* the three below were recorded */
    int64_t p_female, p_male, p_other;
    int64_t spectators;
    int spectators_include_participants;
    int64_t practice_hours, films_made;
    int64_t budget_requested, budget_granted, budget_cofunding;
    int64_t created_at, updated_at;
    /* lists, in the arena of the read */
    struct action_commune *communes;
    int ncommunes;
    int64_t *partner_ids;
    const char **partner_names;
    int npartners;
    const char **facilitators;
    int nfacilitators;
    const char **themes, **forms, **publics;
    int nthemes, nforms, npublics;
    int64_t *group_ids, *film_ids;
    int ngroups, nfilms;
};

/* Participants of the practice workshop (the four age bands). */
int64_t action_participants(const struct action *a);
/* People reached: participants plus spectators, never a person twice within the action
 * (when the audience includes the participants, the larger of the two). */
int64_t action_reached(const struct action *a);

/* For create and update: every field is taken as given (a whole form); lists replace. */
struct action_input {
    int64_t coordination_id; /* 0 on update: keep */
    const char *title, *description, *type, *status;
    const char *start_date, *end_date;
    int64_t lead_structure_id; /* 0 none */
    const char *rural;         /* NULL or "": auto */
    int64_t p_u12, p_12_17, p_18_25, p_o25;
    int has_gender;
    int64_t p_female, p_male, p_other;
    int64_t spectators;
    int spectators_include_participants;
    int64_t practice_hours, films_made;
    int64_t budget_requested, budget_granted, budget_cofunding;
    const char *const *commune_codes;
    int ncommunes;
    const int64_t *partner_ids;
    int npartners;
    const char *const *facilitators;
    int nfacilitators;
    const char *const *themes, *const *forms, *const *publics;
    int nthemes, nforms, npublics;
    const int64_t *group_ids, *film_ids;
    int ngroups, nfilms;
    int is_demo;
};

/* May actor create or edit actions of coordination_id? Admin: any; a coordinator: their
 * own coordination's. */
int action_can_edit(const struct account *actor, int64_t coordination_id);
/* May actor read the budget of coordination_id's actions (and its figures' budget totals)?
 * The same people: admins, and that coordination's coordinators. coordination_id 0 (the
 * nation): admins only. */
int action_can_see_budget(const struct account *actor, int64_t coordination_id);

/* Checks in against every rule (422 on the field: "title", "type", "start_date",
 * "communes", ...; 404 for an unknown coordination; 403 when actor may not edit it), then
 * writes the action and its lists in one transaction. *id set on create. */
int action_create(struct db *db, const struct account *actor, const struct action_input *in,
                  int64_t *id, struct err *e);
int action_update(struct db *db, const struct account *actor, int64_t id,
                  const struct action_input *in, struct err *e);
/* Every check action_create makes, without writing (for an import that lists every bad row
 * before writing any): 0, or -1 with e as action_create would fill it. */
int action_validate(struct db *db, const struct account *actor, const struct action_input *in,
                    struct err *e);
/* 403 unless actor may edit it; 404 unknown. */
int action_delete(struct db *db, const struct account *actor, int64_t id, struct err *e);
/* Anyone may read an action (its budget is for action_can_see_budget). 404 unknown. */
int action_get(struct db *db, struct arena *a, int64_t id, struct action *out, struct err *e);

struct action_filter {
    int64_t coordination_id;                      /* 0: all */
    int year;                                     /* 0: all */
    const char *type, *status, *q, *commune_code; /* NULL or "": any */
    const char *sort;   /* "date" (start_date, newest first: default), "title", "oldest" */
    int page, per_page; /* page from 1; per_page 0: ACTION_PER_PAGE_DEFAULT */
    int with_lists;     /* also read the lists (communes, ...) of each action listed */
    int all; /* internal readers (the yearly report, exports): every match at once, page and
                per_page ignored */
};
/* One page of actions; *total counts every match. Strings and arrays in a. 422 on a bad
 * filter (unknown type or status, per_page past ACTION_PER_PAGE_MAX). */
int action_list(struct db *db, struct arena *a, const struct action_filter *f, struct action **out,
                int *n, int64_t *total, struct err *e);

#endif
