/* group: workshop groups (a title, a year, a host structure, facilitators, supervisors,
 * a status, a page visibility, a protected flag), their validation and who manages them. */
#ifndef LANTERNE_GROUP_H
#define LANTERNE_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "visibility.h"

/* Limits. Lengths are in characters (Unicode code points). */
enum {
    GROUP_TITLE_MAX = 160,
    GROUP_SLUG_MIN = 2,
    GROUP_SLUG_MAX = 80, /* [a-z0-9-], so characters = bytes */
    GROUP_DESCRIPTION_MAX = 8000,
    GROUP_FACILITATORS_MAX = 20,      /* names (lines) */
    GROUP_FACILITATOR_NAME_MAX = 120, /* per name */
    GROUP_SUPERVISORS_MAX = 50,
    GROUP_YEAR_MIN = 1991, /* the scheme began in 1991 */
    GROUP_YEAR_MAX = 2100,
    GROUP_PER_PAGE_DEFAULT = 20,
    GROUP_PER_PAGE_MAX = 100
};

/* Statuses: code (stored) and French label (msgid). NULL-terminated, in workshop order. */
struct group_status {
    const char *code, *label;
};
extern const struct group_status group_statuses[];
const char *group_status_label(const char *code); /* NULL if unknown */

/* Strings point into the arena given to the function that filled the struct. */
struct group {
    int64_t id;
    const char *slug, *title;
    int year;
    int64_t structure_id;
    const char *structure_name;
    int64_t coordination_id; /* through the structure's commune; 0 when none */
    const char *description;
    const char *facilitators; /* names, one a line */
    const char *status;       /* a code of group_statuses */
    int is_protected;
    enum vis_level visibility; /* of the page: VIS_GROUP, VIS_NETWORK or VIS_PUBLIC */
    int require_comment_approval;
    int64_t cover_photo_id; /* 0 if none */
    int is_demo;
    int64_t created_at, updated_at;
};

/* For create and update. On update, NULL strings and flags, year 0 and structure_id 0 keep
 * the current value; on create they mean empty, missing (year, structure: 422) or 0. The
 * flags are pointers so that a zeroed input can never lift a protection by accident
 * (write .is_protected = &(int){1}). facilitators: one name a line; blank lines and
 * surrounding blanks are dropped. */
struct group_input {
    const char *slug; /* optional: derived from the title (and the year if taken) */
    const char *title;
    int year;
    int64_t structure_id;
    const char *description;
    const char *facilitators;
    const char *status;      /* a code; "" or NULL on create = "preparing" */
    const char *visibility;  /* "group", "network", "public"; "" or NULL on create = "group" */
    const int *is_protected; /* 0 or 1 */
    const int *require_comment_approval;
    int is_demo; /* create only */
};

struct group_filter {
    /* Lists only what viewer may see (visibility_can_see_group, evaluated in SQL); NULL is
     * an anonymous visitor. unrestricted lists everything, for the command line and jobs. */
    const struct account *viewer;
    int unrestricted;
    int64_t coordination_id, structure_id; /* 0 = any */
    int year;                              /* 0 = any */
    const char *status;                    /* NULL or "" = any */
    const char *q;      /* title contains this, ignoring case and accents; NULL or "" = any */
    int64_t member_id;  /* groups this account supervises or takes part in; 0 = any */
    int page, per_page; /* page from 1; per_page <= 0 = default, capped at _MAX */
};

/* Rights, all failing closed (0) on a database error.
 * Managers: admins; coordinators of the group's coordination; supervisors attached to the
 * group or to its structure. */
int group_can_manage(struct db *db, const struct account *u, const struct group *g);
/* Members: the supervisors of the group or of its structure, and its participants' accounts.
 * (Coordinators are not members; visibility counts them in the group's circle.) */
int group_is_member(struct db *db, const struct account *u, const struct group *g);
/* May u create a group hosted by this structure? Admins; coordinators of its coordination;
 * supervisors attached to it. */
int group_can_create(struct db *db, const struct account *u, int64_t structure_id);

/* Validates (422 with the field named: "title", "slug", "year", "structure_id",
 * "description", "facilitators", "status", "visibility"), checks rights (403), writes.
 * A slug asked for and taken is 409 on "slug". A protected group beyond VIS_GROUP is 422
 * on "visibility"; protecting a group without naming a visibility narrows it to "group".
 * A supervisor who creates a group becomes one of its supervisors. Changes of visibility
 * and of the protected flag are written to the audit log in the same transaction. Lifting
 * the protection is for the group's coordination (coordinators, admins) only (403). Moving
 * a group to another structure needs group_can_create there too. */
int group_create(struct db *db, const struct account *actor, const struct group_input *in,
                 int64_t *id, struct err *e);
int group_update(struct db *db, const struct account *actor, int64_t id,
                 const struct group_input *in, struct err *e);

/* 0, or -1 with e (404 when there is no such group). No rights checked: callers ask
 * visibility_can_see_group before showing anything. */
int group_get(struct db *db, struct arena *a, int64_t id, struct group *out, struct err *e);
int group_get_by_slug(struct db *db, struct arena *a, const char *slug, struct group *out,
                      struct err *e);
/* One page, most recent year first, then by title; *total counts every match. */
int group_list(struct db *db, struct arena *a, const struct group_filter *f, struct group **out,
               int *n, int64_t *total, struct err *e);

/* The group's own supervisors (accounts of role supervisor or above, not disabled). set
 * replaces the whole list (duplicates ignored; 422 on "supervisors" for an unknown or
 * unfit account or more than GROUP_SUPERVISORS_MAX); 403 unless group_can_manage. */
int group_set_supervisors(struct db *db, const struct account *actor, int64_t group_id,
                          const int64_t *user_ids, size_t n, struct err *e);
/* Ascending ids allocated in a. */
int group_supervisors(struct db *db, struct arena *a, int64_t group_id, int64_t **ids, int *n,
                      struct err *e);

#endif
