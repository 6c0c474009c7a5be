/* visibility: who may see a group, its items and its participants' names, computed from the
 * group, the viewer's ties to it and the consents on each read; nothing here is cached. */
#include "visibility.h"

#include <string.h>

#include "account.h"
#include "consent.h"
#include "core/buf.h"
#include "group.h"

static const char *const level_names[] = {"none", "group", "network", "public"};
static const char *const level_labels[] = {N_("Personne"), N_("Le groupe et sa coordination"),
                                           N_("Les membres du réseau"), N_("Tout le monde")};

const char *visibility_level_name(enum vis_level l)
{
    if ((int)l < VIS_NONE || l > VIS_PUBLIC)
        return "";
    return level_names[l];
}

const char *visibility_level_label(enum vis_level l)
{
    if ((int)l < VIS_NONE || l > VIS_PUBLIC)
        return "";
    return level_labels[l];
}

int visibility_level_parse(const char *s, enum vis_level *out)
{
    if (!s)
        return -1;
    for (int i = VIS_NONE; i <= VIS_PUBLIC; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum vis_level)i;
            return 0;
        }
    }
    return -1;
}

/* Logged in, as far as seeing goes: a disabled account sees what an anonymous visitor sees. */
static int logged_in(const struct account *v)
{
    return v && v->id > 0 && v->role > ROLE_ANON && !v->disabled;
}

enum vis_level visibility_viewer_level(struct db *db, const struct account *viewer,
                                       const struct group *g)
{
    if (!logged_in(viewer))
        return VIS_PUBLIC;
    if (g && (group_can_manage(db, viewer, g) || group_is_member(db, viewer, g)))
        return VIS_GROUP;
    return VIS_NETWORK;
}

/* The group's page for a viewer already placed at level vl. */
static int page_visible(const struct group *g, enum vis_level vl)
{
    if (g->is_protected)
        return vl == VIS_GROUP;
    return g->visibility >= vl;
}

int visibility_can_see_group(struct db *db, const struct account *viewer, const struct group *g)
{
    if (!g || g->id <= 0)
        return 0;
    return page_visible(g, visibility_viewer_level(db, viewer, g));
}

int visibility_can_see_item(struct db *db, const struct account *viewer, const struct group *g,
                            enum vis_level item_visibility, const int64_t *tagged_participants,
                            int n, int64_t today)
{
    if (!g || g->id <= 0 || n < 0 || (n > 0 && !tagged_participants))
        return 0;
    if ((int)item_visibility < VIS_GROUP || item_visibility > VIS_PUBLIC)
        return 0;
    enum vis_level vl = visibility_viewer_level(db, viewer, g);
    /* an item lives on its group's page: showing it where the page is hidden would reveal
     * the group (and in a protected group, page_visible already limits to VIS_GROUP) */
    if (!page_visible(g, vl) || item_visibility < vl)
        return 0;
    if (vl == VIS_GROUP && group_can_manage(db, viewer, g))
        return 1;
    for (int i = 0; i < n; i++) {
        struct consent c;
        struct err le;
        err_clear(&le);
        if (consent_current(db, NULL, tagged_participants[i], today, &c, &le))
            return 0;
        if (c.group_id != g->id || c.effective < vl)
            return 0;
    }
    return 1;
}

int visibility_can_see_names(struct db *db, const struct account *viewer, const struct group *g)
{
    /* The names of young people stay inside the group's own circle (its members, its
     * coordination, admins) in every group: a public page shows the group, not who is in
     * it, whatever each participant consented to for images. */
    return visibility_can_see_group(db, viewer, g) &&
           visibility_viewer_level(db, viewer, g) == VIS_GROUP;
}

int visibility_check_level(int is_protected, enum vis_level level, struct err *e)
{
    if ((int)level < VIS_GROUP || level > VIS_PUBLIC)
        return err_field(e, 422, "visibility",
                         "Visibilité inconnue : choisissez groupe, réseau ou public.");
    if (is_protected && level > VIS_GROUP)
        return err_field(e, 422, "visibility",
                         "Un groupe protégé ne peut pas être rendu visible au-delà du groupe.");
    return 0;
}

int visibility_set_group(struct db *db, const struct account *actor, int64_t group_id,
                         enum vis_level level, struct err *e)
{
    /* the rules are checked once the group is read (protected or not); this early check
     * only keeps an out-of-range number from becoming a string */
    const char *name = visibility_level_name(level);
    if (!*name || level == VIS_NONE)
        return visibility_check_level(0, level, e);
    struct group_input in = {.visibility = name};
    return group_update(db, actor, group_id, &in, e);
}

/* ---- the same rule in SQL ---- */

int visibility_groups_where(struct buf *sql, const struct account *viewer,
                            const struct visibility_cols *c)
{
    if (!logged_in(viewer))
        return buf_printf(sql, " AND (%s = 0 AND %s = 'public')", c->is_protected, c->visibility);
    if (viewer->role == ROLE_ADMIN)
        return 0; /* every group is in an admin's circle */
    /* mirrors visibility_viewer_level + page_visible: unprotected pages open to the network,
     * or the viewer in the group's circle (group_is_member, group_can_manage) */
    buf_printf(sql, " AND ((%s = 0 AND %s IN ('network', 'public'))", c->is_protected,
               c->visibility);
    buf_printf(sql, " OR %s IN (SELECT group_id FROM participants WHERE user_id = ?)", c->id);
    if (viewer->role >= ROLE_SUPERVISOR) {
        buf_printf(sql, " OR %s IN (SELECT group_id FROM group_supervisors WHERE user_id = ?)",
                   c->id);
        buf_printf(sql, " OR %s IN (SELECT structure_id FROM user_structures WHERE user_id = ?)",
                   c->structure_id);
    }
    if (viewer->role == ROLE_COORDINATOR && viewer->coordination_id > 0)
        buf_printf(sql, " OR %s = ?", c->coordination_id);
    return buf_puts(sql, ")");
}

int visibility_groups_bind(struct db_stmt *st, int idx, const struct account *viewer)
{
    if (!logged_in(viewer) || viewer->role == ROLE_ADMIN)
        return idx;
    db_bind_int(st, idx++, viewer->id);
    if (viewer->role >= ROLE_SUPERVISOR) {
        db_bind_int(st, idx++, viewer->id);
        db_bind_int(st, idx++, viewer->id);
    }
    if (viewer->role == ROLE_COORDINATOR && viewer->coordination_id > 0)
        db_bind_int(st, idx++, viewer->coordination_id);
    return idx;
}
