/* audit: the log of every change of consent or visibility (who, when, before, after),
 * written in the transaction of the change and read by the group's coordination. */
#ifndef LANTERNE_AUDIT_H
#define LANTERNE_AUDIT_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    AUDIT_SUBJECT_MAX = 40, /* bytes, [a-z_] */
    AUDIT_VALUE_MAX = 1000, /* bytes of before / after */
    AUDIT_PER_PAGE_DEFAULT = 50,
    AUDIT_PER_PAGE_MAX = 200
};

/* Subjects written by the modules of issue 4 (others may add their own, [a-z_]). */
#define AUDIT_CONSENT "consent"                       /* subject_id: the participant */
#define AUDIT_CONSENT_WITHDRAWAL "consent_withdrawal" /* subject_id: the participant */
#define AUDIT_GROUP_VISIBILITY "group_visibility"     /* subject_id: the group */
#define AUDIT_GROUP_PROTECTED "group_protected"       /* subject_id: the group, values 0/1 */
#define AUDIT_ENTRY_VISIBILITY "entry_visibility"     /* subject_id: the logbook entry */
#define AUDIT_ENTRY_APPROVAL "entry_approval" /* subject_id: the entry; pending -> published */

/* Strings point into the arena given to audit_list. */
struct audit_entry {
    int64_t id, at;                       /* at: unix seconds */
    int64_t actor_user_id;                /* 0 for the system */
    const char *actor_login, *actor_name; /* "" when the account is gone or for the system */
    int64_t group_id;                     /* 0 when the change concerns no group */
    const char *group_title;              /* "" when none or gone */
    const char *subject;
    int64_t subject_id;
    const char *before, *after;
};

struct audit_filter {
    int64_t group_id;        /* 0 = any */
    int64_t coordination_id; /* 0 = any: groups whose structure lies in its territory now */
    const char *subject;     /* NULL or "" = any */
    int page, per_page;      /* page from 1; per_page <= 0 = default, capped at _MAX */
};

/* Appends one entry, timed now, by actor (NULL for the system). Call it inside the
 * transaction of the change it records, so both are written or neither. group_id and
 * subject_id 0 store NULL; before/after NULL store "". 500 for a subject outside [a-z_]
 * or values over the limits: callers pass fixed subjects and short values. */
int audit_add(struct db *db, const struct account *actor, int64_t group_id, const char *subject,
              int64_t subject_id, const char *before, const char *after, struct err *e);

/* One page, newest first; *out allocated in a, *total counts every match. */
int audit_list(struct db *db, struct arena *a, const struct audit_filter *f,
               struct audit_entry **out, int *n, int64_t *total, struct err *e);

/* May u read the audit log of coordination coord_id? Admins anywhere; coordinators of that
 * coordination. Supervisors see consent history through consent_history instead. */
int audit_can_read(const struct account *u, int64_t coord_id);

#endif
