/* report: recording reports ("signaler") of what a visitor can see, throttled by a keyed hash
 * of the client address, closing them, and the moderation queue's scope and lists. */
#include "report.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "comment.h"
#include "consent.h"
#include "core/text.h"
#include "core/valid.h"
#include "group.h"
#include "logbook.h"
#include "session.h"
#include "visibility.h"

static const char *const TARGET_NOT_FOUND = N_("Contenu introuvable.");
static const char *const REPORT_NOT_FOUND = N_("Signalement introuvable.");

enum { TAGS_MAX = 200 }; /* people tagged on one photo read for the visibility check */

static const char *const kind_names[] = {"entry", "comment", "photo", "group"};

const struct report_reason report_reasons[] = {
    {"minor_data", N_("Informations personnelles sur un mineur")},
    {"no_consent", N_("Image diffusée sans consentement")},
    {"offensive", N_("Contenu choquant ou offensant")},
    {"other", N_("Autre raison")},
    {NULL, NULL},
};

const char *report_kind_name(enum report_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "";
}

int report_kind_parse(const char *s, enum report_kind *out)
{
    for (unsigned i = 0; s && i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(s, kind_names[i])) {
            *out = (enum report_kind)i;
            return 0;
        }
    return -1;
}

const char *report_reason_label(const char *code)
{
    for (const struct report_reason *r = report_reasons; code && r->code; r++)
        if (!strcmp(r->code, code))
            return r->label;
    return NULL;
}

static int signed_in(const struct account *u)
{
    return u && u->id > 0 && u->role != ROLE_ANON && !u->disabled;
}

int report_can_moderate(const struct account *u)
{
    return signed_in(u) && u->role >= ROLE_SUPERVISOR;
}

/* ---- the scope of a moderation queue ---- */

void report_scope_where(struct buf *sql, const struct account *u, const char *group_col,
                        const char *structure_col, const char *coordination_col)
{
    if (!report_can_moderate(u)) {
        buf_puts(sql, " AND 1 = 0");
        return;
    }
    if (u->role == ROLE_ADMIN)
        return;
    /* group_can_manage: the coordination's coordinators, and supervisors (or above) listed
     * on the group or attached to its structure */
    buf_puts(sql, " AND (");
    if (u->role == ROLE_COORDINATOR && u->coordination_id > 0)
        buf_printf(sql, "%s = ? OR ", coordination_col);
    buf_printf(sql,
               "%s IN (SELECT group_id FROM group_supervisors WHERE user_id = ?) OR "
               "%s IN (SELECT structure_id FROM user_structures WHERE user_id = ?))",
               group_col, structure_col);
}

int report_scope_bind(struct db_stmt *st, int idx, const struct account *u)
{
    if (!report_can_moderate(u) || u->role == ROLE_ADMIN)
        return idx;
    if (u->role == ROLE_COORDINATOR && u->coordination_id > 0)
        db_bind_int(st, idx++, u->coordination_id);
    db_bind_int(st, idx++, u->id);
    db_bind_int(st, idx++, u->id);
    return idx;
}

/* ---- what is reported ---- */

static const struct account *who(const struct account *u)
{
    return signed_in(u) ? u : NULL;
}

static int not_found(struct err *e)
{
    return err_set(e, 404, "%s", err_tr(TARGET_NOT_FOUND));
}

/* A lookup failed: a 404 stays the one "not found" answer, anything else is passed on. */
static int lookup_failed(struct err *e, const struct err *le)
{
    if (le->status && le->status != 404) {
        *e = *le;
        return -1;
    }
    return not_found(e);
}

static void fill(struct report_target *o, const struct group *g, const struct logbook_entry *en)
{
    o->group_id = g->id;
    o->group_slug = g->slug;
    o->group_title = g->title;
    o->entry_id = en ? en->id : 0;
    o->entry_title = en ? en->title : "";
}

/* The photo's entry and the people tagged on it, then the rule of src/photo.h's
 * photo_can_see: the entry visible to the viewer, and visibility_can_see_item letting the
 * photo through for the entry's level and the consents of everyone tagged. */
static int resolve_photo(struct db *db, struct arena *a, const struct account *viewer, int64_t id,
                         struct report_target *out, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, "SELECT group_id, entry_id FROM photos WHERE id = ?", &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int r = db_step(st, e);
    int64_t gid = 0, eid = 0;
    if (r == DB_ROW) {
        gid = db_col_int(st, 0);
        eid = db_col_int(st, 1);
    }
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return not_found(e);
    struct group g;
    struct logbook_entry en;
    struct err le = {0};
    if (group_get(db, a, gid, &g, &le) || logbook_get(db, a, &g, eid, &en, &le))
        return lookup_failed(e, &le);
    if (!visibility_can_see_group(db, viewer, &g) || !logbook_can_see(db, viewer, &g, &en))
        return not_found(e);
    int64_t *tags = arena_alloc(a, sizeof *tags * TAGS_MAX);
    int n = 0;
    if (db_prepare(db,
                   "SELECT participant_id FROM photo_tags WHERE photo_id = ? "
                   "ORDER BY participant_id",
                   &st, e))
        return -1;
    db_bind_int(st, 1, id);
    while ((r = db_step(st, e)) == DB_ROW && n < TAGS_MAX)
        tags[n++] = db_col_int(st, 0);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r == DB_ROW) /* more people than we read: fail closed */
        return not_found(e);
    if (!visibility_can_see_item(db, viewer, &g, en.visibility, tags, n, consent_today()))
        return not_found(e);
    fill(out, &g, &en);
    return 0;
}

int report_resolve(struct db *db, struct arena *a, const struct account *viewer,
                   enum report_kind kind, int64_t id, struct report_target *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->id = id;
    out->group_slug = out->group_title = out->entry_title = "";
    viewer = who(viewer);
    if (id <= 0)
        return not_found(e);
    struct group g;
    struct logbook_entry en;
    struct comment cm;
    struct err le = {0};
    switch (kind) {
    case REPORT_GROUP:
        if (group_get(db, a, id, &g, &le))
            return lookup_failed(e, &le);
        if (!visibility_can_see_group(db, viewer, &g))
            return not_found(e);
        fill(out, &g, NULL);
        return 0;
    case REPORT_ENTRY:
        if (logbook_get_by_id(db, a, id, &g, &en, &le))
            return lookup_failed(e, &le);
        if (!visibility_can_see_group(db, viewer, &g) || !logbook_can_see(db, viewer, &g, &en))
            return not_found(e);
        fill(out, &g, &en);
        return 0;
    case REPORT_COMMENT:
        if (comment_get(db, a, id, &cm, &le) || logbook_get_by_id(db, a, cm.entry_id, &g, &en, &le))
            return lookup_failed(e, &le);
        if (!visibility_can_see_group(db, viewer, &g) || !comment_can_see(db, viewer, &g, &en, &cm))
            return not_found(e);
        fill(out, &g, &en);
        return 0;
    case REPORT_PHOTO:
        return resolve_photo(db, a, viewer, id, out, e);
    }
    return not_found(e);
}

/* ---- recording and closing ---- */

/* Hex of a keyed BLAKE2b-256 of the client address: the same address gives the same value,
 * and without the server secret no value can be traced back to an address (there are only
 * 2^32 IPv4 addresses: an unkeyed hash would be reversed in minutes). */
static int addr_hash(struct db *db, const char *addr, char out[SESSION_HASH_HEX + 1], struct err *e)
{
    unsigned char key[SESSION_SECRET_LEN], h[32];
    if (session_secret(db, "report_secret", key, e))
        return -1;
    const char *s = addr ? addr : "";
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), key, sizeof key);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, SESSION_HASH_HEX + 1, h, sizeof h);
    return 0;
}

int report_create(struct db *db, const struct account *reporter, const char *addr,
                  const struct report_input *in, int64_t now, int64_t *id, struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    if (addr_hash(db, addr, hash, e))
        return -1;
    struct arena *a = arena_new();
    int rc = -1, in_tx = 0;
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    /* counted in the transaction of the insert, so parallel reports cannot all slip in */
    int64_t recent = db_scalar_int(db, e, 0,
                                   "SELECT COUNT(*) FROM reports WHERE addr_hash = ? AND "
                                   "created_at > ?",
                                   "si", hash, now - 3600);
    if (e->status)
        goto done;
    if (recent >= REPORT_PER_ADDRESS_HOUR) {
        err_set(e, 429,
                "Trop de signalements envoyés depuis votre connexion : réessayez dans une heure.");
        goto done;
    }
    enum report_kind kind;
    if (report_kind_parse(in->kind, &kind)) {
        err_field(e, 422, "type",
                  "Indiquez ce que vous signalez : une entrée, un commentaire, une photo ou un "
                  "groupe.");
        goto done;
    }
    if (!report_reason_label(in->reason)) {
        err_field(e, 422, "reason", "Choisissez la raison du signalement.");
        goto done;
    }
    const char *note = text_trim(a, in->note);
    if (valid_text(note, "note", N_("La précision"), REPORT_NOTE_MAX, 1, e))
        goto done;
    struct report_target t;
    if (report_resolve(db, a, reporter, kind, in->id, &t, e))
        goto done;
    const struct account *r = who(reporter);
    struct db_stmt *st;
    if (db_prepare(db,
                   "INSERT INTO reports (target_kind, target_id, group_id, entry_id, reason, "
                   "note, reporter_user_id, addr_hash, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_text(st, 1, report_kind_name(kind));
    db_bind_int(st, 2, t.id);
    db_bind_int(st, 3, t.group_id);
    if (t.entry_id)
        db_bind_int(st, 4, t.entry_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, in->reason);
    db_bind_text(st, 6, note);
    if (r)
        db_bind_int(st, 7, r->id);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, hash);
    db_bind_int(st, 9, now);
    int s = db_step(st, e);
    *id = s == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    if (s != DB_ROW || *id <= 0) {
        if (!e->status)
            err_set(e, 500, "Le signalement n'a pas pu être enregistré.");
        goto done;
    }
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

#define REPORT_COLS                                                                                \
    "r.id, r.target_kind, r.target_id, r.group_id, COALESCE(r.entry_id, 0), g.slug, g.title, "     \
    "r.reason, r.note, r.created_at, COALESCE(r.closed_at, 0), COALESCE(r.closed_by, 0), "         \
    "r.resolution, COALESCE(re.title, '')"

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_report(struct db_stmt *st, struct arena *a, struct report_item *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_col_int(st, 0);
    if (report_kind_parse(db_col_text(st, 1), &o->kind))
        o->kind = REPORT_GROUP;
    o->target_id = db_col_int(st, 2);
    o->group_id = db_col_int(st, 3);
    o->entry_id = db_col_int(st, 4);
    o->group_slug = col_dup(a, st, 5);
    o->group_title = col_dup(a, st, 6);
    o->reason = col_dup(a, st, 7);
    o->note = col_dup(a, st, 8);
    o->created_at = db_col_int(st, 9);
    o->closed_at = db_col_int(st, 10);
    o->closed_by = db_col_int(st, 11);
    o->resolution = col_dup(a, st, 12);
    o->entry_title = col_dup(a, st, 13);
}

int report_get(struct db *db, struct arena *a, int64_t id, struct report_item *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return err_set(e, 404, "%s", err_tr(REPORT_NOT_FOUND));
    struct db_stmt *st;
    if (db_prepare(db,
                   "SELECT " REPORT_COLS " FROM reports r JOIN groups g ON g.id = r.group_id "
                   "LEFT JOIN entries re ON re.id = r.entry_id WHERE r.id = ?",
                   &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_report(st, a, out);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(REPORT_NOT_FOUND));
    return 0;
}

int report_close(struct db *db, const struct account *actor, int64_t id, const char *resolution,
                 struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct report_item it;
    struct group g;
    if (report_get(db, a, id, &it, e) || group_get(db, a, it.group_id, &g, e))
        goto done;
    if (!signed_in(actor) || !group_can_manage(db, actor, &g)) {
        err_set(e, 403,
                "Seuls les encadrants du groupe et sa coordination peuvent clore ce signalement.");
        goto done;
    }
    if (it.closed_at) {
        err_set(e, 409, "Ce signalement est déjà clos.");
        goto done;
    }
    const char *res = text_trim(a, resolution);
    if (valid_text(res, "resolution", N_("La note de clôture"), REPORT_RESOLUTION_MAX, 1, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    int64_t n = db_execf(db, e,
                         "UPDATE reports SET closed_at = ?, closed_by = ?, resolution = ? "
                         "WHERE id = ? AND closed_at IS NULL",
                         "iisi", (int64_t)time(NULL), actor->id, res, id);
    if (n != 1 || audit_add(db, actor, g.id, REPORT_AUDIT_CLOSE, id, "open", "closed", e)) {
        if (!e->status)
            err_set(e, 409, "Ce signalement est déjà clos.");
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

/* ---- the queue ---- */

/* A group row with its coordination, as group.c reads it. */
#define SCOPE_JOINS                                                                                \
    " JOIN structures s ON s.id = g.structure_id JOIN communes c ON c.code = s.commune_code "      \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code"

/* Counts then reads up to REPORT_QUEUE_MAX rows of a queue query: from_where is everything
 * after the column list, before the scope; order its ORDER BY. read fills item i. */
static int queue_read(struct db *db, struct arena *a, const struct account *actor, const char *cols,
                      const char *from_where, const char *order, size_t size,
                      void (*read)(struct db_stmt *, struct arena *, void *), void **out, int *n,
                      int64_t *total, struct err *e)
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
    buf_printf(&sql, "SELECT COUNT(*)%s", from_where);
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
    buf_printf(&sql, "SELECT %s%s", cols, from_where);
    report_scope_where(&sql, actor, "g.id", "g.structure_id", "cd.coordination_id");
    buf_printf(&sql, " ORDER BY %s LIMIT %d", order, (int)REPORT_QUEUE_MAX);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    report_scope_bind(st, 1, actor);
    char *items = arena_alloc(a, size * REPORT_QUEUE_MAX);
    int k = 0;
    while (k < REPORT_QUEUE_MAX && (r = db_step(st, e)) == DB_ROW)
        read(st, a, items + size * (size_t)k++);
    if (r < 0)
        goto done;
    *out = items;
    *n = k;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}

static void read_report_v(struct db_stmt *st, struct arena *a, void *o)
{
    read_report(st, a, o);
}

int report_queue(struct db *db, struct arena *a, const struct account *actor,
                 struct report_item **out, int *n, int64_t *total, struct err *e)
{
    void *items;
    int rc = queue_read(db, a, actor, REPORT_COLS,
                        " FROM reports r JOIN groups g ON g.id = r.group_id" SCOPE_JOINS
                        " LEFT JOIN entries re ON re.id = r.entry_id"
                        " WHERE r.closed_at IS NULL",
                        "r.id", sizeof **out, read_report_v, &items, n, total, e);
    *out = items;
    return rc;
}

static void read_pending(struct db_stmt *st, struct arena *a, void *p)
{
    struct report_pending_entry *o = p;
    o->id = db_col_int(st, 0);
    o->group_id = db_col_int(st, 1);
    o->group_slug = col_dup(a, st, 2);
    o->group_title = col_dup(a, st, 3);
    o->title = col_dup(a, st, 4);
    o->author_name = col_dup(a, st, 5);
    o->entry_date = db_col_int(st, 6);
    o->created_at = db_col_int(st, 7);
}

int report_pending_entries(struct db *db, struct arena *a, const struct account *actor,
                           struct report_pending_entry **out, int *n, int64_t *total, struct err *e)
{
    void *items;
    /* the reader manages the group: a participant's name in the group is shown */
    int rc = queue_read(
        db, a, actor,
        "e.id, e.group_id, g.slug, g.title, e.title, "
        "COALESCE(p.display_name, u.display_name, ''), e.entry_date, e.created_at",
        " FROM entries e JOIN groups g ON g.id = e.group_id" SCOPE_JOINS
        " LEFT JOIN users u ON u.id = e.author_user_id "
        "LEFT JOIN participants p ON p.group_id = e.group_id AND p.user_id = e.author_user_id"
        " WHERE e.status = 'pending' AND e.deleted_at IS NULL",
        "e.id", sizeof **out, read_pending, &items, n, total, e);
    *out = items;
    return rc;
}
