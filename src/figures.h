/* figures: the year in figures of a coordination or of the nation (issue 6, point 4),
 * computed from the action records on every call, never stored: actions by type, by month,
 * by coordination and by département, people reached, practice participants, films made,
 * distinct communes, active coordinations, priority-neighbourhood and rural shares, hours
 * of practice, budget totals. Cancelled actions do not count. */
#ifndef LANTERNE_FIGURES_H
#define LANTERNE_FIGURES_H

#include <stdint.h>

#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

struct figures_row {
    const char *code;  /* a type code, a coordination slug, a département code */
    const char *label; /* its name (types: the French label, a message id) */
    int64_t value;
};

struct figures {
    int year;
    int64_t coordination_id; /* 0: the nation */
    int64_t actions;
    int64_t reached;      /* participants plus spectators, nobody twice within an action */
    int64_t participants; /* of practice workshops */
    int64_t spectators;
    int64_t films;
    int64_t communes;      /* distinct communes with at least one action */
    int64_t coordinations; /* coordinations with at least one action */
    int64_t qpv_actions;   /* actions with the priority-neighbourhood public */
    int64_t rural_actions; /* actions counted as rural (action.h, is_rural) */
    int64_t hours;
    int64_t budget_requested, budget_granted, budget_cofunding;
    /* every type of action_types in its order, zeros included */
    struct figures_row *by_type;
    int ntypes;
    int64_t by_month[12];
    /* the nation: every coordination (zeros included), the national one first, then the
     * regional ones by name; a coordination: none */
    struct figures_row *by_coordination;
    int ncoordinations;
    /* départements with at least one action (an action in two départements counts in both) */
    struct figures_row *by_departement;
    int ndepartements;
};

/* The figures of year for coordination_id (0: the nation), in a. 422 for a year outside
 * ACTION_YEAR_MIN..MAX, 404 for an unknown coordination. */
int figures_compute(struct db *db, struct arena *a, int year, int64_t coordination_id,
                    struct figures *out, struct err *e);

/* Percent of part in whole, rounded to the nearest integer; 0 when whole is 0. */
int figures_percent(int64_t part, int64_t whole);
/* Change from before to now in percent, rounded; *known 0 when before is 0. */
int figures_change(int64_t now, int64_t before, int *known);

#endif
