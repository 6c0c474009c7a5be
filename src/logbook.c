/* logbook: the entries of a group's logbook, their approval, history and soft deletion, and
 * the one Markdown renderer. Who may see an entry is asked of src/visibility.h. */
#include "logbook.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "consent.h"
#include "core/text.h"
#include "core/valid.h"

static const char *const ENTRY_NOT_FOUND = N_("Entrée du carnet introuvable.");

static const char ENTRY_COLS[] =
    "SELECT e.id, e.group_id, COALESCE(e.author_user_id, 0), COALESCE(u.display_name, ''), "
    "e.entry_date, e.title, e.body_md, e.visibility, e.status, COALESCE(e.deleted_at, 0), "
    "e.created_at, e.updated_at FROM entries e LEFT JOIN users u ON u.id = e.author_user_id ";

static int signed_in(const struct account *u)
{
    return u && u->role != ROLE_ANON && !u->disabled;
}

static int can_manage(struct db *db, const struct account *u, const struct group *g)
{
    return signed_in(u) && group_can_manage(db, u, g);
}

static void read_entry(struct db_stmt *st, struct arena *a, struct logbook_entry *o)
{
    o->id = db_col_int(st, 0);
    o->group_id = db_col_int(st, 1);
    o->author_user_id = db_col_int(st, 2);
    o->author_name = arena_strdup(a, db_col_text(st, 3) ? db_col_text(st, 3) : "");
    o->entry_date = db_col_int(st, 4);
    o->title = arena_strdup(a, db_col_text(st, 5) ? db_col_text(st, 5) : "");
    o->body_md = arena_strdup(a, db_col_text(st, 6) ? db_col_text(st, 6) : "");
    enum vis_level l = VIS_GROUP;
    if (visibility_level_parse(db_col_text(st, 7), &l))
        l = VIS_GROUP;
    o->visibility = l;
    const char *s = db_col_text(st, 8);
    o->published = s && !strcmp(s, "published");
    o->deleted_at = db_col_int(st, 9);
    o->created_at = db_col_int(st, 10);
    o->updated_at = db_col_int(st, 11);
}

int logbook_can_write(struct db *db, const struct account *actor, const struct group *g)
{
    return signed_in(actor) && (group_can_manage(db, actor, g) || group_is_member(db, actor, g));
}

int logbook_can_edit(struct db *db, const struct account *actor, const struct group *g,
                     const struct logbook_entry *en)
{
    if (!signed_in(actor) || en->group_id != g->id)
        return 0;
    if (group_can_manage(db, actor, g))
        return 1;
    return en->author_user_id == actor->id && group_is_member(db, actor, g);
}

int logbook_get_by_id(struct db *db, struct arena *a, int64_t entry_id, struct group *g,
                      struct logbook_entry *out, struct err *e)
{
    memset(g, 0, sizeof *g);
    memset(out, 0, sizeof *out);
    int64_t gid;
    if (logbook_entry_group(db, entry_id, &gid, e) || group_get(db, a, gid, g, e) ||
        logbook_get(db, a, g, entry_id, out, e))
        return -1;
    return 0;
}

int logbook_can_see(struct db *db, const struct account *viewer, const struct group *g,
                    const struct logbook_entry *en)
{
    if (en->group_id != g->id)
        return 0;
    if (en->deleted_at || !en->published)
        return logbook_can_edit(db, viewer, g, en);
    return visibility_can_see_item(db, signed_in(viewer) ? viewer : NULL, g, en->visibility, NULL,
                                   0, consent_today());
}

/* Trimmed, checked values of in over cur (NULL on create). */
struct checked {
    const char *title, *body;
    enum vis_level vis;
    int64_t day;
};

static int check_input(struct arena *a, const struct group *g, const struct logbook_input *in,
                       const struct logbook_entry *cur, struct checked *v, struct err *e)
{
    v->title = text_trim(a, in->title ? in->title : cur ? cur->title : "");
    v->body = text_trim(a, in->body_md ? in->body_md : cur ? cur->body_md : "");
    if (!*v->title)
        return err_field(e, 422, "title", "Le titre est obligatoire.");
    if (valid_text(v->title, "title", N_("Le titre"), LOGBOOK_TITLE_MAX, 0, e))
        return -1;
    if (valid_text(v->body, "body_md", N_("Le texte"), LOGBOOK_BODY_MAX, 1, e))
        return -1;
    const char *vis = in->visibility && *in->visibility ? in->visibility : NULL;
    if (!vis)
        v->vis = cur ? cur->visibility : VIS_GROUP;
    else if (visibility_level_parse(vis, &v->vis) || v->vis == VIS_NONE)
        return err_field(e, 422, "visibility",
                         "Choisissez une visibilité : groupe, réseau ou public.");
    if (visibility_check_level(g->is_protected, v->vis, e))
        return -1;
    const char *day = in->entry_date ? text_trim(a, in->entry_date) : NULL;
    if (day && *day) {
        if (consent_day_parse(day, &v->day))
            return err_field(e, 422, "entry_date", "La date doit être au format AAAA-MM-JJ.");
    } else {
        v->day = cur ? cur->entry_date : consent_today();
    }
    return 0;
}

int logbook_create(struct db *db, const struct account *actor, const struct group *g,
                   const struct logbook_input *in, int64_t *id, struct err *e)
{
    if (!logbook_can_write(db, actor, g))
        return err_set(e, 403, "Seuls les membres du groupe peuvent écrire dans son carnet.");
    struct arena *a = arena_new();
    struct checked v;
    int rc = -1;
    if (check_input(a, g, in, NULL, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    const char *status = group_can_manage(db, actor, g) ? "published" : "pending";
    *id =
        db_scalar_int(db, e, 0,
                      "INSERT INTO entries (group_id, author_user_id, entry_date, title, body_md, "
                      "visibility, status, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      "iiissssii", g->id, actor->id, v.day, v.title, v.body,
                      visibility_level_name(v.vis), status, now, now);
    if (e->status || *id <= 0) {
        if (!e->status)
            err_set(e, 500, "L'entrée n'a pas pu être enregistrée.");
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* The entry of g, not deleted (404 otherwise), that actor may change (403). */
static int load_editable(struct db *db, struct arena *a, const struct account *actor,
                         const struct group *g, int64_t id, struct logbook_entry *en, struct err *e)
{
    if (logbook_get(db, a, g, id, en, e))
        return -1;
    if (en->deleted_at)
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    if (!logbook_can_edit(db, actor, g, en))
        return err_set(
            e, 403, "Seuls l'auteur de l'entrée et les encadrants du groupe peuvent la modifier.");
    return 0;
}

int logbook_update(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                   const struct logbook_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct logbook_entry cur;
    struct checked v;
    int rc = -1;
    if (load_editable(db, a, actor, g, id, &cur, e) || check_input(a, g, in, &cur, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    int manager = group_can_manage(db, actor, g);
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e,
                 "INSERT INTO entry_revisions (entry_id, editor_user_id, at, title, body_md) "
                 "VALUES (?, ?, ?, ?, ?)",
                 "iiiss", id, actor->id, now, cur.title, cur.body_md) != 1 ||
        db_execf(db, e,
                 "UPDATE entries SET title = ?, body_md = ?, visibility = ?, entry_date = ?, "
                 "status = CASE WHEN ? = 1 THEN status ELSE 'pending' END, updated_at = ? "
                 "WHERE id = ? AND deleted_at IS NULL",
                 "sssiiii", v.title, v.body, visibility_level_name(v.vis), v.day, (int64_t)manager,
                 now, id) != 1 ||
        (v.vis != cur.visibility &&
         audit_add(db, actor, g->id, AUDIT_ENTRY_VISIBILITY, id,
                   visibility_level_name(cur.visibility), visibility_level_name(v.vis), e))) {
        if (!e->status)
            err_set(e, 409, "L'entrée a changé entre-temps : rechargez la page.");
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int logbook_approve(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                    struct err *e)
{
    struct arena *a = arena_new();
    struct logbook_entry en;
    int rc = -1;
    if (logbook_get(db, a, g, id, &en, e))
        goto done;
    if (!can_manage(db, actor, g)) {
        err_set(e, 403,
                "Seuls les encadrants du groupe et sa coordination peuvent approuver une entrée.");
        goto done;
    }
    if (en.deleted_at) {
        err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
        goto done;
    }
    if (en.published) {
        rc = 0; /* nothing changes, nothing to record */
        goto done;
    }
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e, "UPDATE entries SET status = 'published', updated_at = ? WHERE id = ?",
                 "ii", (int64_t)time(NULL), id) < 0 ||
        audit_add(db, actor, g->id, AUDIT_ENTRY_APPROVAL, id, "pending", "published", e)) {
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int logbook_delete(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                   int64_t now, struct err *e)
{
    struct arena *a = arena_new();
    struct logbook_entry en;
    int rc = -1;
    if (load_editable(db, a, actor, g, id, &en, e))
        goto done;
    if (db_execf(db, e, "UPDATE entries SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                 "ii", now, id) < 0)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int logbook_undelete(struct db *db, const struct account *actor, const struct group *g, int64_t id,
                     int64_t now, struct err *e)
{
    struct arena *a = arena_new();
    struct logbook_entry en;
    int rc = -1;
    if (logbook_get(db, a, g, id, &en, e))
        goto done;
    if (!logbook_can_edit(db, actor, g, &en)) {
        err_set(e, 403,
                "Seuls l'auteur de l'entrée et les encadrants du groupe peuvent la modifier.");
        goto done;
    }
    if (!en.deleted_at) {
        err_set(e, 409, "Cette entrée n'est pas supprimée.");
        goto done;
    }
    if (now - en.deleted_at > (int64_t)LOGBOOK_UNDO_DAYS * 86400) {
        err_set(e, 410, "La suppression date de plus de %d jours : elle ne peut plus être annulée.",
                LOGBOOK_UNDO_DAYS);
        goto done;
    }
    if (db_execf(db, e, "UPDATE entries SET deleted_at = NULL WHERE id = ?", "i", id) < 0)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int logbook_get(struct db *db, struct arena *a, const struct group *g, int64_t id,
                struct logbook_entry *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st;
    char sql[sizeof ENTRY_COLS + 64];
    snprintf(sql, sizeof sql, "%sWHERE e.id = ? AND e.group_id = ?", ENTRY_COLS);
    if (db_prepare(db, sql, &st, e))
        return -1;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, g->id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_entry(st, a, out);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    return 0;
}

int logbook_entry_group(struct db *db, int64_t id, int64_t *group_id, struct err *e)
{
    *group_id = 0;
    if (id <= 0)
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    struct err le = {0};
    int64_t gid = db_scalar_int(db, &le, 0, "SELECT group_id FROM entries WHERE id = ?", "i", id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (gid <= 0)
        return err_set(e, 404, "%s", err_tr(ENTRY_NOT_FOUND));
    *group_id = gid;
    return 0;
}

int logbook_list(struct db *db, struct arena *a, const struct account *viewer,
                 const struct group *g, struct logbook_entry **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st;
    char sql[sizeof ENTRY_COLS + 160];
    snprintf(sql, sizeof sql,
             "%sWHERE e.group_id = ? AND e.deleted_at IS NULL "
             "ORDER BY e.entry_date DESC, e.id DESC LIMIT %d",
             ENTRY_COLS, (int)LOGBOOK_LIST_MAX);
    if (db_prepare(db, sql, &st, e))
        return -1;
    db_bind_int(st, 1, g->id);
    struct logbook_entry *all = arena_alloc(a, sizeof *all * LOGBOOK_LIST_MAX);
    int k = 0;
    while (k < LOGBOOK_LIST_MAX && db_step(st, e) == DB_ROW)
        read_entry(st, a, &all[k++]);
    db_finalize(st);
    if (e->status)
        return -1;
    /* the rules live in visibility.c: ask them for each entry rather than copy them in SQL */
    int m = 0;
    for (int i = 0; i < k; i++)
        if (logbook_can_see(db, viewer, g, &all[i]))
            all[m++] = all[i];
    *out = all;
    *n = m;
    return 0;
}

int logbook_history(struct db *db, struct arena *a, const struct account *actor,
                    const struct group *g, int64_t id, struct logbook_revision **out, int *n,
                    struct err *e)
{
    *out = NULL;
    *n = 0;
    struct logbook_entry en;
    if (logbook_get(db, a, g, id, &en, e))
        return -1;
    if (!can_manage(db, actor, g))
        return err_set(
            e, 403, "Seuls les encadrants du groupe et sa coordination peuvent lire l'historique.");
    int64_t count =
        db_scalar_int(db, e, 0, "SELECT COUNT(*) FROM entry_revisions WHERE entry_id = ?", "i", id);
    if (e->status)
        return -1;
    struct db_stmt *st;
    if (db_prepare(db,
                   "SELECT r.id, r.entry_id, COALESCE(r.editor_user_id, 0), "
                   "COALESCE(u.display_name, ''), r.at, r.title, r.body_md "
                   "FROM entry_revisions r LEFT JOIN users u ON u.id = r.editor_user_id "
                   "WHERE r.entry_id = ? ORDER BY r.id DESC",
                   &st, e))
        return -1;
    db_bind_int(st, 1, id);
    struct logbook_revision *rs = arena_alloc(a, sizeof *rs * (size_t)(count + 1));
    int k = 0;
    while (k < count && db_step(st, e) == DB_ROW) {
        struct logbook_revision *r = &rs[k++];
        r->id = db_col_int(st, 0);
        r->entry_id = db_col_int(st, 1);
        r->editor_user_id = db_col_int(st, 2);
        r->editor_name = arena_strdup(a, db_col_text(st, 3) ? db_col_text(st, 3) : "");
        r->at = db_col_int(st, 4);
        r->title = arena_strdup(a, db_col_text(st, 5) ? db_col_text(st, 5) : "");
        r->body_md = arena_strdup(a, db_col_text(st, 6) ? db_col_text(st, 6) : "");
    }
    db_finalize(st);
    if (e->status)
        return -1;
    *out = rs;
    *n = k;
    return 0;
}

const char *logbook_render_md(struct arena *a, const char *md)
{
    if (!md)
        return "";
    char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_SAFE);
    if (!html)
        abort(); /* out of memory, as everywhere else */
    char *out = arena_strdup(a, html);
    free(html);
    return out;
}
