/* visibility: the one place that decides who may see a group, its entries and photos, and
 * its participants' names, from the group's settings and the consents, on every read. */
#ifndef LANTERNE_VISIBILITY_H
#define LANTERNE_VISIBILITY_H

#include <stdint.h>

#include "core/err.h"

struct db;
struct account;
struct group;
struct buf;
struct db_stmt;

/* Circles of people, from the narrowest to the widest:
 *   none    no one (a consent refused or withdrawn),
 *   group   the group (its supervisors and participants) and its coordination,
 *   network any logged-in member of the network,
 *   public  anyone.
 * Content carries the WIDEST circle allowed to see it (a page's visibility, a consent);
 * a viewer has the NARROWEST circle they belong to. Content is visible to a viewer when
 * content level >= viewer level: public content reaches everyone, group content only the
 * group. The numbers are stored nowhere: the database holds the names. */
enum vis_level { VIS_NONE = 0, VIS_GROUP = 1, VIS_NETWORK = 2, VIS_PUBLIC = 3 };

/* "none", "group", "network", "public" ("" if out of range). */
const char *visibility_level_name(enum vis_level l);
/* The French label of a level (a message id: translate it for display). */
const char *visibility_level_label(enum vis_level l);
/* 0 with *out set, or -1 for anything else than the names above (out untouched). */
int visibility_level_parse(const char *s, enum vis_level *out);

/* The narrowest circle viewer belongs to for group g: VIS_PUBLIC for an anonymous visitor
 * (NULL, ROLE_ANON or a disabled account), VIS_GROUP for the group's members and managers
 * (group_is_member, group_can_manage: its coordination's coordinators and admins),
 * VIS_NETWORK for any other account. Errors reading rights fail closed (wider circle). */
enum vis_level visibility_viewer_level(struct db *db, const struct account *viewer,
                                       const struct group *g);

/* 1 if viewer may see the group's page. A protected group only to its own circle; any other
 * when its page visibility reaches the viewer's circle. */
int visibility_can_see_group(struct db *db, const struct account *viewer, const struct group *g);

/* 1 if viewer may see an item of group g (an entry, or a photo of it): the group's page is
 * visible to the viewer, the item's own visibility reaches the viewer's circle, and every
 * participant tagged on it (ids, n of them, all of g) has an effective consent (see
 * consent_effective_level, expiry checked against today, a day number) reaching it too.
 * The people who manage the group (group_can_manage) see every item whatever the consents:
 * they hold the paper forms and must be able to untag, blur or remove a photo. A tagged id
 * that is not a participant of g, or any database error, hides the item. In a protected
 * group nothing reaches beyond VIS_GROUP, whatever the settings. */
int visibility_can_see_item(struct db *db, const struct account *viewer, const struct group *g,
                            enum vis_level item_visibility, const int64_t *tagged_participants,
                            int n, int64_t today);

/* 1 if viewer may see the names of g's participants: only the group's own circle (its
 * members, its coordination, admins: VIS_GROUP), in every group, protected or not. */
int visibility_can_see_names(struct db *db, const struct account *viewer, const struct group *g);

/* Sets the visibility of g's page (VIS_GROUP, VIS_NETWORK or VIS_PUBLIC), in one transaction
 * with its audit entry ('group_visibility', before and after level names). 403 unless
 * group_can_manage; 422 on "visibility" for VIS_NONE or out of range, and for a protected
 * group beyond VIS_GROUP ("Un groupe protégé ne peut pas être rendu visible au-delà du
 * groupe."); 404 when the group does not exist. Setting the level it already has changes
 * nothing and writes no audit entry. */
int visibility_set_group(struct db *db, const struct account *actor, int64_t group_id,
                         enum vis_level level, struct err *e);

/* The rule for a page or entry setting: 0, or 422 on "visibility" for VIS_NONE or out of
 * range, and for a protected group beyond VIS_GROUP. group.c and the logbook call it before
 * writing a level. */
int visibility_check_level(int is_protected, enum vis_level level, struct err *e);

/* The SQL form of visibility_can_see_group, for lists and searches that must page over what
 * the viewer may see (filtering after the query would break pagination). Appends
 * " AND (...)" to sql, using the given column expressions of the query's group row (id,
 * structure id, coordination id, protected flag, visibility); visibility_groups_bind binds
 * its parameters from index idx and returns the next free index. The unit tests check that
 * both forms agree. */
struct visibility_cols {
    const char *id, *structure_id, *coordination_id, *is_protected, *visibility;
};
int visibility_groups_where(struct buf *sql, const struct account *viewer,
                            const struct visibility_cols *cols);
int visibility_groups_bind(struct db_stmt *st, int idx, const struct account *viewer);

#endif
