/* report: "signaler": reports of an entry, a comment, a photo or a group page by anyone who
 * can see it, throttled per client address; and the moderation queue of a supervisor or a
 * coordinator (pending entries, and the open reports of the groups they manage). */
#ifndef LANTERNE_REPORT_H
#define LANTERNE_REPORT_H

#include <stdint.h>

#include "account.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

/* Limits. Lengths are in characters (Unicode code points). */
enum {
    REPORT_NOTE_MAX = 1000,
    REPORT_RESOLUTION_MAX = 1000,
    REPORT_PER_ADDRESS_HOUR = 10, /* reports one client address may send in an hour; then 429 */
    REPORT_QUEUE_MAX = 200        /* items of one kind one moderation queue lists (all counted) */
};

/* Audit subject of closing a report (subject_id: the report; before "open", after "closed"). */
#define REPORT_AUDIT_CLOSE "report_close"

/* What may be reported. */
enum report_kind { REPORT_ENTRY, REPORT_COMMENT, REPORT_PHOTO, REPORT_GROUP };
/* "entry", "comment", "photo", "group" ("" if out of range). */
const char *report_kind_name(enum report_kind k);
/* 0 with *out set, or -1 for anything else than the names above. */
int report_kind_parse(const char *s, enum report_kind *out);

/* Reasons: code (stored) and French label (msgid). NULL-terminated, in the form's order. */
struct report_reason {
    const char *code, *label;
};
extern const struct report_reason report_reasons[];
const char *report_reason_label(const char *code); /* NULL if unknown */

/* What a report points at, once found and checked visible. Strings in the caller's arena. */
struct report_target {
    enum report_kind kind;
    int64_t id;
    int64_t group_id;
    const char *group_slug, *group_title;
    int64_t entry_id;        /* the entry that shows it; 0 for a group */
    const char *entry_title; /* "" for a group */
};

/* Finds what (kind, id) names and checks that viewer (NULL: anonymous) may see it: the group
 * page (visibility_can_see_group), the entry (logbook_can_see), the comment
 * (comment_can_see), the photo (its entry, and visibility_can_see_item with the people
 * tagged on it). 404 when it does not exist or viewer may not see it: the same answer. */
int report_resolve(struct db *db, struct arena *a, const struct account *viewer,
                   enum report_kind kind, int64_t id, struct report_target *out, struct err *e);

struct report_input {
    const char *kind;   /* "entry", "comment", "photo", "group" */
    int64_t id;         /* of the target; <= 0 is a 404 */
    const char *reason; /* a code of report_reasons */
    const char *note;   /* optional, at most REPORT_NOTE_MAX */
};

/* Records a report by reporter (NULL: anonymous) from client address addr (NULL: none, e.g.
 * the command line) at now (unix seconds). Checks in this order: more than
 * REPORT_PER_ADDRESS_HOUR reports from addr over the last hour is 429; an unknown kind is
 * 422 on "type"; an unknown reason 422 on "reason"; a note too long or with control
 * characters (line breaks allowed) 422 on "note"; the target must be visible to reporter
 * (report_resolve: 404). Only a keyed hash of addr is stored. */
int report_create(struct db *db, const struct account *reporter, const char *addr,
                  const struct report_input *in, int64_t now, int64_t *id, struct err *e);

/* Closes open report id with an optional resolution note (at most REPORT_RESOLUTION_MAX, 422
 * on "resolution"), recording who and when, with its audit entry in the same transaction.
 * Only the managers of the report's group (group_can_manage: 403); 404 for no such report;
 * 409 when it is closed already. */
int report_close(struct db *db, const struct account *actor, int64_t id, const char *resolution,
                 struct err *e);

/* An open report as the queue lists it. */
struct report_item {
    int64_t id;
    enum report_kind kind;
    int64_t target_id, group_id, entry_id;
    const char *group_slug, *group_title;
    const char *entry_title; /* "" for a group */
    const char *reason, *note;
    int64_t created_at;
    /* set by report_get only */
    int64_t closed_at, closed_by;
    const char *resolution;
};

/* The report, open or closed, unchecked (404 when there is none). */
int report_get(struct db *db, struct arena *a, int64_t id, struct report_item *out, struct err *e);

/* The open reports of the groups actor moderates, oldest first, at most REPORT_QUEUE_MAX;
 * *total counts them all. */
int report_queue(struct db *db, struct arena *a, const struct account *actor,
                 struct report_item **out, int *n, int64_t *total, struct err *e);

/* An entry waiting for approval, as the queue lists it. */
struct report_pending_entry {
    int64_t id, group_id;
    const char *group_slug, *group_title;
    const char *title, *author_name;
    int64_t entry_date; /* a day number */
    int64_t created_at;
};

/* The pending entries, not deleted, of the groups actor moderates, oldest first, at most
 * REPORT_QUEUE_MAX; *total counts them all. */
int report_pending_entries(struct db *db, struct arena *a, const struct account *actor,
                           struct report_pending_entry **out, int *n, int64_t *total,
                           struct err *e);

/* 1 if actor has a moderation queue: supervisors, coordinators and admins, signed in. */
int report_can_moderate(const struct account *actor);

/* The moderation scope in SQL, as group_can_manage decides it, for queries over several
 * groups: appends " AND (...)" to sql, for a query whose group row has the given column
 * expressions (the group's id, its structure's id, its coordination's id). Admins see every
 * group; coordinators the groups of their coordination; supervisors (and coordinators) the
 * groups they are listed on or whose structure they are attached to; anyone else none.
 * report_scope_bind binds its parameters from index idx and returns the next free index. */
void report_scope_where(struct buf *sql, const struct account *actor, const char *group_col,
                        const char *structure_col, const char *coordination_col);
int report_scope_bind(struct db_stmt *st, int idx, const struct account *actor);

#endif
