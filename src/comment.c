/* comment: writing, reading, approving and hiding the comments of logbook entries. Who sees a
 * comment follows its entry (logbook_can_see, hence src/visibility.c); young authors' names
 * follow visibility_can_see_names. */
#include "comment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"
#include "report.h"
#include "visibility.h"

static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");
static const char *const COMMENT_NOT_FOUND = N_("Commentaire introuvable.");

/* The author's stored names, the participant row of the comment's group (at most one: the
 * pair is UNIQUE) and who hid it. */
#define COMMENT_COLS                                                                               \
    "cm.id, cm.entry_id, cm.group_id, COALESCE(cm.author_user_id, 0), "                            \
    "COALESCE(u.display_name, ''), COALESCE(u.role, ''), COALESCE(p.display_name, ''), "           \
    "CASE WHEN p.id IS NULL THEN 0 ELSE 1 END, cm.body, cm.status, COALESCE(cm.hidden_at, 0), "    \
    "COALESCE(cm.hidden_by, 0), COALESCE(h.display_name, ''), cm.created_at"
#define COMMENT_JOINS                                                                              \
    " LEFT JOIN users u ON u.id = cm.author_user_id "                                              \
    "LEFT JOIN participants p ON p.group_id = cm.group_id AND p.user_id = cm.author_user_id "      \
    "LEFT JOIN users h ON h.id = cm.hidden_by"
enum { COMMENT_NCOLS = 14 };

static int signed_in(const struct account *u)
{
    return u && u->id > 0 && u->role != ROLE_ANON && !u->disabled;
}

static int can_manage(struct db *db, const struct account *u, const struct group *g)
{
    return signed_in(u) && group_can_manage(db, u, g);
}

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_comment(struct db_stmt *st, struct arena *a, struct comment *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_col_int(st, 0);
    o->entry_id = db_col_int(st, 1);
    o->group_id = db_col_int(st, 2);
    o->author_user_id = db_col_int(st, 3);
    o->author_name = col_dup(a, st, 4);
    const char *role = db_col_text(st, 5);
    o->author_is_young = role && !strcmp(role, "participant");
    o->author_group_name = col_dup(a, st, 6);
    o->author_is_participant = db_col_int(st, 7) != 0;
    o->body = col_dup(a, st, 8);
    const char *s = db_col_text(st, 9);
    o->published = s && !strcmp(s, "published");
    o->hidden_at = db_col_int(st, 10);
    o->hidden_by = db_col_int(st, 11);
    o->hidden_by_name = col_dup(a, st, 12);
    o->created_at = db_col_int(st, 13);
    o->entry_title = o->group_slug = o->group_title = "";
}

/* 1 if u is a participant (a young person's account) of g; fails closed (0) on error. */
static int is_participant(struct db *db, const struct account *u, const struct group *g)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(
        db, &le, 0, "SELECT COUNT(*) FROM participants WHERE group_id = ? AND user_id = ?", "ii",
        g->id, u->id);
    return le.status == 0 && v > 0;
}

int comment_create(struct db *db, const struct account *actor, const struct group *g,
                   const struct logbook_entry *en, const char *body, int64_t *id, int *pending,
                   struct err *e)
{
    if (!signed_in(actor))
        return err_set(e, 403, "Connectez-vous pour commenter.");
    if (en->group_id != g->id || !logbook_can_see(db, actor, g, en))
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    if (en->deleted_at)
        return err_set(e, 409,
                       "Cette entrée a été supprimée : elle ne reçoit plus de commentaires.");
    struct arena *a = arena_new();
    int rc = -1;
    const char *text = text_trim(a, body);
    if (!*text) {
        err_field(e, 422, "body", "Le commentaire est vide : écrivez quelques mots.");
        goto done;
    }
    if (valid_text(text, "body", N_("Le commentaire"), COMMENT_BODY_MAX, 1, e))
        goto done;
    int wait = g->require_comment_approval && !group_can_manage(db, actor, g) &&
               is_participant(db, actor, g);
    int64_t now = (int64_t)time(NULL);
    *id = db_scalar_int(db, e, 0,
                        "INSERT INTO comments (entry_id, group_id, author_user_id, body, status, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        "iiissii", en->id, g->id, actor->id, text, wait ? "pending" : "published",
                        now, now);
    if (e->status || *id <= 0) {
        if (!e->status)
            err_set(e, 500, "Le commentaire n'a pas pu être enregistré.");
        goto done;
    }
    if (pending)
        *pending = wait;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int comment_get(struct db *db, struct arena *a, int64_t id, struct comment *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return err_set(e, 404, "%s", err_tr(COMMENT_NOT_FOUND));
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " COMMENT_COLS " FROM comments cm" COMMENT_JOINS " WHERE cm.id = ?",
                   &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_comment(st, a, out);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(COMMENT_NOT_FOUND));
    return 0;
}

/* comment_can_see once the entry is known visible and the viewer's managing right known. */
static int visible(const struct account *viewer, int manager, const struct comment *cm)
{
    if (cm->hidden_at)
        return manager;
    if (!cm->published)
        return manager || (signed_in(viewer) && cm->author_user_id == viewer->id);
    return 1;
}

int comment_can_see(struct db *db, const struct account *viewer, const struct group *g,
                    const struct logbook_entry *en, const struct comment *cm)
{
    if (cm->group_id != g->id || cm->entry_id != en->id || en->group_id != g->id)
        return 0;
    if (!logbook_can_see(db, signed_in(viewer) ? viewer : NULL, g, en))
        return 0;
    return visible(viewer, can_manage(db, viewer, g), cm);
}

/* comment_name_for with visibility_can_see_names already asked (names: -1 = not yet). */
static void name_for(struct db *db, const struct account *viewer, const struct group *g,
                     struct comment *cm, int *names)
{
    if (!cm->author_is_young && !cm->author_is_participant)
        return; /* adults of the network sign with their name */
    if (signed_in(viewer) && cm->author_user_id && viewer->id == cm->author_user_id) {
        if (cm->author_is_participant && *cm->author_group_name)
            cm->author_name = cm->author_group_name;
        return;
    }
    if (cm->author_is_participant) {
        if (*names < 0)
            *names = visibility_can_see_names(db, signed_in(viewer) ? viewer : NULL, g);
        if (*names) {
            if (*cm->author_group_name)
                cm->author_name = cm->author_group_name;
            return;
        }
    }
    /* a young person of this group seen from outside its circle, or of another group: no
     * name, not even a pseudonym */
    cm->author_name = "";
    cm->author_group_name = "";
    cm->author_masked = 1;
}

void comment_name_for(struct db *db, const struct account *viewer, const struct group *g,
                      struct comment *cm)
{
    int names = -1;
    name_for(db, viewer, g, cm, &names);
}

int comment_list(struct db *db, struct arena *a, const struct account *viewer,
                 const struct group *g, const struct logbook_entry *en, struct comment **out,
                 int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (en->group_id != g->id || !logbook_can_see(db, signed_in(viewer) ? viewer : NULL, g, en))
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    struct db_stmt *st;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT " COMMENT_COLS " FROM comments cm" COMMENT_JOINS
             " WHERE cm.entry_id = ? AND cm.group_id = ? ORDER BY cm.id LIMIT %d",
             (int)COMMENT_LIST_MAX);
    if (db_prepare(db, sql, &st, e))
        return -1;
    db_bind_int(st, 1, en->id);
    db_bind_int(st, 2, g->id);
    struct comment *all = arena_alloc(a, sizeof *all * COMMENT_LIST_MAX);
    int k = 0;
    while (k < COMMENT_LIST_MAX && db_step(st, e) == DB_ROW)
        read_comment(st, a, &all[k++]);
    db_finalize(st);
    if (e->status)
        return -1;
    int manager = can_manage(db, viewer, g);
    int names = -1, m = 0;
    for (int i = 0; i < k; i++) {
        if (!visible(viewer, manager, &all[i]))
            continue;
        all[m] = all[i];
        name_for(db, viewer, g, &all[m], &names);
        m++;
    }
    *out = all;
    *n = m;
    return 0;
}

/* The comment id if it belongs to g (404 otherwise) and actor manages g (403). */
static int load_managed(struct db *db, struct arena *a, const struct account *actor,
                        const struct group *g, int64_t id, struct comment *cm, const char *denied,
                        struct err *e)
{
    struct err ge = {0};
    if (comment_get(db, a, id, cm, &ge) || cm->group_id != g->id) {
        if (ge.status && ge.status != 404) {
            *e = ge;
            return -1;
        }
        return err_set(e, 404, "%s", err_tr(COMMENT_NOT_FOUND));
    }
    if (!can_manage(db, actor, g))
        return err_set(e, 403, "%s", err_tr(denied));
    return 0;
}

/* Ends a state change: the row update (n rows changed) and its audit entry, then commits;
 * rolls back on any failure. */
static int finish(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                  int64_t n, const char *subject, const char *before, const char *after,
                  struct err *e)
{
    if (n != 1 || audit_add(db, actor, g->id, subject, id, before, after, e)) {
        if (!e->status)
            err_set(e, 409, "Le commentaire a changé entre-temps : rechargez la page.");
        db_rollback(db);
        return -1;
    }
    return db_commit(db, e);
}

int comment_set_hidden(struct db *db, const struct account *actor, const struct group *g,
                       int64_t id, int hide, struct err *e)
{
    struct arena *a = arena_new();
    struct comment cm;
    int rc = -1;
    if (load_managed(db, a, actor, g, id, &cm,
                     N_("Seuls les encadrants du groupe et sa coordination peuvent masquer un "
                        "commentaire."),
                     e))
        goto done;
    if ((cm.hidden_at != 0) == (hide != 0)) {
        rc = 0; /* already so: nothing to record */
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    if (db_begin(db, e))
        goto done;
    int64_t n = hide ? db_execf(db, e,
                                "UPDATE comments SET hidden_at = ?, hidden_by = ?, updated_at = ? "
                                "WHERE id = ? AND hidden_at IS NULL",
                                "iiii", now, actor->id, now, id)
                     : db_execf(db, e,
                                "UPDATE comments SET hidden_at = NULL, hidden_by = NULL, "
                                "updated_at = ? WHERE id = ? AND hidden_at IS NOT NULL",
                                "ii", now, id);
    rc = finish(db, actor, g, id, n, hide ? COMMENT_AUDIT_HIDE : COMMENT_AUDIT_SHOW,
                hide ? "visible" : "hidden", hide ? "hidden" : "visible", e);
done:
    arena_free(a);
    return rc;
}

int comment_approve(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                    struct err *e)
{
    struct arena *a = arena_new();
    struct comment cm;
    int rc = -1;
    if (load_managed(db, a, actor, g, id, &cm,
                     N_("Seuls les encadrants du groupe et sa coordination peuvent approuver un "
                        "commentaire."),
                     e))
        goto done;
    if (cm.published) {
        rc = 0;
        goto done;
    }
    if (db_begin(db, e))
        goto done;
    int64_t n = db_execf(db, e,
                         "UPDATE comments SET status = 'published', updated_at = ? "
                         "WHERE id = ? AND status = 'pending'",
                         "ii", (int64_t)time(NULL), id);
    rc = finish(db, actor, g, id, n, COMMENT_AUDIT_APPROVE, "pending", "published", e);
done:
    arena_free(a);
    return rc;
}

/* The moderation queue's joins: the entry, the group and its coordination (as in group.c). */
#define QUEUE_FROM                                                                                 \
    " FROM comments cm JOIN entries e ON e.id = cm.entry_id "                                      \
    "JOIN groups g ON g.id = cm.group_id JOIN structures s ON s.id = g.structure_id "              \
    "JOIN communes c ON c.code = s.commune_code "                                                  \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = "                             \
    "c.departement_code" COMMENT_JOINS                                                             \
    " WHERE cm.status = 'pending' AND cm.hidden_at IS NULL AND e.deleted_at IS NULL"

int comment_queue(struct db *db, struct arena *a, const struct account *actor, struct comment **out,
                  int *n, int64_t *total, struct err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (!report_can_moderate(actor))
        return 0;
    struct buf sql;
    struct db_stmt *st = NULL;
    int rc = -1;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT COUNT(*)" QUEUE_FROM);
    report_scope_where(&sql, actor, "g.id", "g.structure_id", "cd.coordination_id");
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    report_scope_bind(st, 1, actor);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    *total = r == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    st = NULL;
    if (*total == 0) {
        rc = 0;
        goto done;
    }
    buf_reset(&sql);
    buf_puts(&sql, "SELECT " COMMENT_COLS ", e.title, g.slug, g.title" QUEUE_FROM);
    report_scope_where(&sql, actor, "g.id", "g.structure_id", "cd.coordination_id");
    buf_printf(&sql, " ORDER BY cm.id LIMIT %d", (int)COMMENT_QUEUE_MAX);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    report_scope_bind(st, 1, actor);
    struct comment *list = arena_alloc(a, sizeof *list * COMMENT_QUEUE_MAX);
    int k = 0;
    while (k < COMMENT_QUEUE_MAX && (r = db_step(st, e)) == DB_ROW) {
        struct comment *cm = &list[k++];
        read_comment(st, a, cm);
        /* the reader manages the group: inside its circle, names are the group's */
        if (cm->author_is_participant && *cm->author_group_name)
            cm->author_name = cm->author_group_name;
        cm->entry_title = col_dup(a, st, COMMENT_NCOLS);
        cm->group_slug = col_dup(a, st, COMMENT_NCOLS + 1);
        cm->group_title = col_dup(a, st, COMMENT_NCOLS + 2);
    }
    if (r < 0)
        goto done;
    *out = list;
    *n = k;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}
