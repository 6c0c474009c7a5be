/* participant: the young people of a workshop group, recorded by a supervisor with no more
 * than a first name or pseudonym, an age band, the under-15 flag and an optional account. */
#ifndef LANTERNE_PARTICIPANT_H
#define LANTERNE_PARTICIPANT_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    PARTICIPANT_NAME_MAX = 60,       /* characters: a first name or a pseudonym */
    PARTICIPANT_PER_GROUP_MAX = 200, /* a workshop, not a stadium; also bounds one list read */
};

/* Age bands: code (stored), French label (msgid), and whether the band is under 15, the age
 * below which the young person must agree as well as the parents. NULL-terminated. */
struct participant_age_band {
    const char *code, *label;
    int under15;
};
extern const struct participant_age_band participant_age_bands[];
/* The band with that code, or NULL. */
const struct participant_age_band *participant_age_band(const char *code);

/* Strings point into the arena given to the function that filled the struct. */
struct participant {
    int64_t id, group_id;
    const char *display_name, *age_band;
    int under15;
    int64_t user_id; /* the participant account, 0 if none */
    int64_t created_at, updated_at;
};

/* under15: 1 or 0, which must agree with the band (422 on "under15" if not), or -1 to take
 * it from the band. user_id: an account of role participant to link (created beforehand by
 * the web layer with account_create), 0 for none. On update, NULL strings keep the current
 * value, under15 -1 follows the (new) band, and user_id -1 keeps, 0 unlinks. */
struct participant_input {
    const char *display_name;
    const char *age_band;
    int under15;
    int64_t user_id;
};

/* Both check that the actor manages the group (group_can_manage: 403), validate (422 with
 * the field named: "display_name", "age_band", "under15", "user_id"; "group_id" past
 * PARTICIPANT_PER_GROUP_MAX) and write. An account already linked to another participant
 * of the group is 409 on "user_id". 404 for an unknown group or participant. */
int participant_add(struct db *db, const struct account *actor, int64_t group_id,
                    const struct participant_input *in, int64_t *id, struct err *e);
int participant_update(struct db *db, const struct account *actor, int64_t id,
                       const struct participant_input *in, struct err *e);

/* 0, or -1 with e (404). No rights checked: names are shown only where
 * visibility_can_see_names allows, the caller's to ask. */
int participant_get(struct db *db, struct arena *a, int64_t id, struct participant *out,
                    struct err *e);
/* All the group's participants in the order they were recorded (the same on every engine,
 * whatever its collation); *out allocated in a. */
int participant_list(struct db *db, struct arena *a, int64_t group_id, struct participant **out,
                     int *n, struct err *e);

#endif
