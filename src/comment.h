/* comment: comments on logbook entries: plain text by signed-in members who can see the entry,
 * approval of a group's participants' comments where the group asks for it, hiding by the
 * group's managers, and who sees which comment and which author's name. */
#ifndef LANTERNE_COMMENT_H
#define LANTERNE_COMMENT_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "logbook.h"

/* Limits. Lengths are in characters (Unicode code points). */
enum {
    COMMENT_BODY_MAX = 2000,
    COMMENT_LIST_MAX = 500, /* comments one entry shows, oldest first */
    COMMENT_QUEUE_MAX = 200 /* pending comments one moderation queue lists (all are counted) */
};

/* Audit subjects of the moderation actions (subject_id: the comment). */
#define COMMENT_AUDIT_HIDE "comment_hide"       /* before "visible", after "hidden" */
#define COMMENT_AUDIT_SHOW "comment_show"       /* before "hidden", after "visible" */
#define COMMENT_AUDIT_APPROVE "comment_approve" /* before "pending", after "published" */

/* Strings point into the arena given to the function that filled the struct. */
struct comment {
    int64_t id, entry_id, group_id;
    int64_t author_user_id; /* 0 once the account is gone */
    /* The author's name as the viewer may read it. comment_get gives the stored name;
     * comment_list and comment_queue apply comment_name_for first: author_masked is then 1
     * and author_name "" when the viewer may not know who wrote it (a young participant
     * seen from outside their group's circle): show a generic label instead. */
    const char *author_name;
    int author_masked;
    /* The author's name in the group (participants.display_name) when a participant of it;
     * "" otherwise, and "" once masked. */
    const char *author_group_name;
    int author_is_participant; /* the author is a participant of the comment's group */
    int author_is_young;       /* the author's account has the participant role */
    const char *body;          /* plain text: escape it, keep its line breaks */
    int published;             /* 0: waiting for a manager's approval */
    int64_t hidden_at;         /* unix seconds; 0 when not hidden */
    int64_t hidden_by;         /* who hid it; 0 when not hidden or the account is gone */
    const char *hidden_by_name;
    int64_t created_at;
    /* Filled by comment_queue only (the moderation page links to the entry). */
    const char *entry_title, *group_slug, *group_title;
};

/* Writes a comment by actor on entry en of g. actor must be signed in (403) and see the
 * entry (logbook_can_see; 404 otherwise, as for an entry that does not exist); a deleted
 * entry takes no comment (409). The body is trimmed; empty is 422 on "body", and so is one
 * longer than COMMENT_BODY_MAX or holding control characters other than line breaks.
 * In a group with require_comment_approval, a comment by one of its participants (who does
 * not manage it) waits for approval; every other comment is published at once. *pending
 * (may be NULL) tells which. */
int comment_create(struct db *db, const struct account *actor, const struct group *g,
                   const struct logbook_entry *en, const char *body, int64_t *id, int *pending,
                   struct err *e);

/* The comment, unchecked and with its author's stored name (404 if there is none). */
int comment_get(struct db *db, struct arena *a, int64_t id, struct comment *out, struct err *e);

/* 1 if viewer (NULL: anonymous) may read comment cm of entry en of g: the entry is visible
 * to them (logbook_can_see) and the comment is published and not hidden; a pending comment
 * only to its author and the group's managers; a hidden one only to the managers. */
int comment_can_see(struct db *db, const struct account *viewer, const struct group *g,
                    const struct logbook_entry *en, const struct comment *cm);

/* Applies the rule on authors' names to cm for viewer: the name of a young participant's
 * account (role participant) is shown only to the author, and, when the author is a
 * participant of g, to those who may see g's participants' names
 * (visibility_can_see_names); inside that circle it is their name in the group. Anyone
 * else's name (supervisors, coordinators) is shown as it is. */
void comment_name_for(struct db *db, const struct account *viewer, const struct group *g,
                      struct comment *cm);

/* The comments of entry en viewer may read (comment_can_see), oldest first, at most
 * COMMENT_LIST_MAX, names as comment_name_for gives them; *out in a. 404 when viewer may
 * not see the entry. */
int comment_list(struct db *db, struct arena *a, const struct account *viewer,
                 const struct group *g, const struct logbook_entry *en, struct comment **out,
                 int *n, struct err *e);

/* Hides (hide 1) or shows again (hide 0) comment id of g: the group's managers only
 * (group_can_manage: 403); 404 when the comment is not g's. The comment stays in the
 * database either way. A change writes its audit entry (COMMENT_AUDIT_HIDE / _SHOW) in the
 * same transaction; asking for the state the comment already has changes nothing. */
int comment_set_hidden(struct db *db, const struct account *actor, const struct group *g,
                       int64_t id, int hide, struct err *e);

/* Publishes a pending comment of g: managers only (403); 404 when the comment is not g's.
 * Audit entry COMMENT_AUDIT_APPROVE; approving a published comment changes nothing. */
int comment_approve(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                    struct err *e);

/* The pending comments, not hidden, on entries not deleted, of the groups actor moderates
 * (report_scope_where: supervisors their groups, coordinators their coordination's, admins
 * all), oldest first, at most COMMENT_QUEUE_MAX; *total counts them all. entry_title,
 * group_slug and group_title are filled; names are shown (the reader manages the group). */
int comment_queue(struct db *db, struct arena *a, const struct account *actor, struct comment **out,
                  int *n, int64_t *total, struct err *e);

#endif
