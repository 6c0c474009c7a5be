/* coordination: the national coordination and the regional ones, each with a territory
 * (a set of départements; a département belongs to at most one coordination). */
#ifndef LANTERNE_COORDINATION_H
#define LANTERNE_COORDINATION_H

#include <stdint.h>

#include "core/mem.h"
#include "db/db.h"

enum {
    COORDINATION_NAME_MAX = 160,
    COORDINATION_TEXT_MAX = 4000, /* description */
    COORDINATION_FIELD_MAX = 300, /* address, email, phone, website, logo */
};

struct coordination {
    int64_t id;
    const char *slug, *name, *kind; /* kind: "national" or "regional" */
    const char *description, *address, *email, *phone, *website, *logo;
    int is_demo;
    const char **departements; /* codes, sorted */
    int ndepartements;
    int64_t nstructures; /* filled by list and get */
};

/* Input for create/update; departements is the full territory (replaces the old one). */
struct coordination_input {
    const char *slug; /* optional on create: derived from name */
    const char *name, *kind, *description, *address, *email, *phone, *website, *logo;
    const char **departements;
    int ndepartements;
    int is_demo;
};

int64_t coordination_count(struct db *db, struct err *e);
int coordination_list(struct db *db, struct arena *a, struct coordination **out, int *n,
                      struct err *e); /* national first, then by name */
/* Same order, without territories or structure counts: for select lists. */
int coordination_names(struct db *db, struct arena *a, struct coordination **out, int *n,
                       struct err *e);
int coordination_get(struct db *db, struct arena *a, const char *slug, struct coordination *out,
                     struct err *e); /* 404 */
int coordination_get_by_id(struct db *db, struct arena *a, int64_t id, struct coordination *out,
                           struct err *e);
/* Validates (422 with err_field naming the field, French message), checks that no
 * département is already another coordination's (409 naming it), writes in one transaction. */
int coordination_create(struct db *db, const struct coordination_input *in, int64_t *id,
                        struct err *e);
int coordination_update(struct db *db, int64_t id, const struct coordination_input *in,
                        struct err *e);
/* The coordination whose territory holds this département, 0 if none. */
int64_t coordination_for_departement(struct db *db, const char *dep, struct err *e);
/* Reference data: the national coordination and those the brochure names (Hors Cadre,
 * Acap – Pôle régional image, Guadeloupe, Guyane, Martinique, Réunion). Idempotent. */
int coordination_seed(struct db *db, struct err *e);

#endif
