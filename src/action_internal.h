/* action_internal: what action.c, action_list.c and figures.c share: the columns of an
 * action row and how to read them. */
#ifndef LANTERNE_ACTION_INTERNAL_H
#define LANTERNE_ACTION_INTERNAL_H

#include "action.h"

/* 1 when the action counts as rural: rural 'yes', or 'auto' with one of its communes under
 * ACTION_RURAL_POPULATION inhabitants (2000, written out: SQL cannot read the enum). */
#define ACTION_IS_RURAL_SQL                                                                        \
    "CASE WHEN ac.rural = 'yes' THEN 1 WHEN ac.rural = 'no' THEN 0 WHEN EXISTS (SELECT 1 FROM "    \
    "action_communes xc JOIN communes xm ON xm.code = xc.commune_code WHERE xc.action_id = ac.id " \
    "AND xm.population < 2000) THEN 1 ELSE 0 END"

#define ACTION_COLS                                                                                \
    "ac.id, ac.coordination_id, co.name, co.slug, ac.title, ac.description, ac.type, ac.status, "  \
    "ac.start_date, ac.end_date, ac.year, ac.month, COALESCE(ac.lead_structure_id, 0), "           \
    "COALESCE(ls.name, ''), ac.rural, " ACTION_IS_RURAL_SQL ", ac.participants_u12, "              \
    "ac.participants_12_17, ac.participants_18_25, ac.participants_o25, "                          \
    "ac.participants_female, ac.participants_male, ac.participants_other, ac.spectators, "         \
    "ac.spectators_include_participants, ac.practice_hours, ac.films_made, "                       \
    "ac.budget_requested, ac.budget_granted, ac.budget_cofunding, ac.created_at, ac.updated_at"
#define ACTION_FROM                                                                                \
    " FROM actions ac JOIN coordinations co ON co.id = ac.coordination_id "                        \
    "LEFT JOIN structures ls ON ls.id = ac.lead_structure_id"

void action_read_row(struct db_stmt *s, struct arena *a, struct action *out);
/* Fills the lists of out (communes, partners, facilitators, tags, groups, films). */
int action_read_lists(struct db *db, struct arena *a, struct action *out, struct err *e);

#endif
