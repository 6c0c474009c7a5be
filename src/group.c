/* group: validation, storage and rights of workshop groups. The coordination is read through
 * the host structure's commune, never stored; visibility changes are audited with the write. */
#include "group.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"
#include "structure.h"

const struct group_status group_statuses[] = {
    {"preparing", N_("En préparation")},
    {"in_progress", N_("En cours")},
    {"finished", N_("Terminé")},
    {NULL, NULL},
};

/* Paths under /groupes/ that are pages of their own, so no group may take them as its slug. */
static const char *const reserved_slugs[] = {"nouveau", "nouvelle", NULL};

enum {
    /* a derived slug already taken gets the year, then -2, -3...: past this many the person
     * is asked to choose one */
    SLUG_TRIES = 50,
    PAGE_MAX = 1000000 /* pages past this are answered empty (no overflowing OFFSET) */
};

static const char *const NOT_FOUND = N_("Groupe introuvable.");

const char *group_status_label(const char *code)
{
    if (!code)
        return NULL;
    for (const struct group_status *s = group_statuses; s->code; s++)
        if (strcmp(s->code, code) == 0)
            return s->label;
    return NULL;
}

/* ---- reading ---- */

#define GROUP_COLS                                                                                 \
    "g.id, g.slug, g.title, g.year, g.structure_id, s.name, cd.coordination_id, g.description, "   \
    "g.facilitators, g.status, g.protected, g.visibility, g.require_comment_approval, "            \
    "g.cover_photo_id, g.is_demo, g.created_at, g.updated_at"
#define GROUP_FROM                                                                                 \
    " FROM groups g JOIN structures s ON s.id = g.structure_id "                                   \
    "JOIN communes c ON c.code = s.commune_code "                                                  \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code"

static const struct visibility_cols group_vis_cols = {
    .id = "g.id",
    .structure_id = "g.structure_id",
    .coordination_id = "cd.coordination_id",
    .is_protected = "g.protected",
    .visibility = "g.visibility",
};

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_group(struct db_stmt *st, struct arena *a, struct group *g)
{
    memset(g, 0, sizeof *g);
    g->id = db_col_int(st, 0);
    g->slug = col_dup(a, st, 1);
    g->title = col_dup(a, st, 2);
    g->year = (int)db_col_int(st, 3);
    g->structure_id = db_col_int(st, 4);
    g->structure_name = col_dup(a, st, 5);
    g->coordination_id = db_col_is_null(st, 6) ? 0 : db_col_int(st, 6);
    g->description = col_dup(a, st, 7);
    g->facilitators = col_dup(a, st, 8);
    g->status = col_dup(a, st, 9);
    g->is_protected = db_col_int(st, 10) != 0;
    /* an unreadable level reads as the narrowest page visibility: failing closed */
    if (visibility_level_parse(db_col_text(st, 11), &g->visibility) || g->visibility < VIS_GROUP)
        g->visibility = VIS_GROUP;
    g->require_comment_approval = db_col_int(st, 12) != 0;
    g->cover_photo_id = db_col_is_null(st, 13) ? 0 : db_col_int(st, 13);
    g->is_demo = db_col_int(st, 14) != 0;
    g->created_at = db_col_int(st, 15);
    g->updated_at = db_col_int(st, 16);
}

static int get_where(struct db *db, struct arena *a, const char *where, int64_t id,
                     const char *slug, struct group *out, struct err *e)
{
    struct db_stmt *st;
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT " GROUP_COLS GROUP_FROM " WHERE %s", where);
    if (db_prepare(db, sql, &st, e))
        return -1;
    if (slug)
        db_bind_text(st, 1, slug);
    else
        db_bind_int(st, 1, id);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_group(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW)
        return err_set(e, 404, "%s", err_tr(NOT_FOUND));
    return 0;
}

int group_get(struct db *db, struct arena *a, int64_t id, struct group *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return err_set(e, 404, "%s", err_tr(NOT_FOUND));
    return get_where(db, a, "g.id = ?", id, NULL, out, e);
}

int group_get_by_slug(struct db *db, struct arena *a, const char *slug, struct group *out,
                      struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!slug || !*slug || strlen(slug) > GROUP_SLUG_MAX)
        return err_set(e, 404, "%s", err_tr(NOT_FOUND));
    return get_where(db, a, "g.slug = ?", 0, slug, out, e);
}

/* ---- rights ---- */

static int active(const struct account *u)
{
    return u && u->id > 0 && !u->disabled && u->role > ROLE_ANON;
}

/* Supervisors (and above) attached to the group itself or to its host structure. */
static int attached(struct db *db, const struct account *u, const struct group *g)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(db, &le, 0,
                              "SELECT COUNT(*) FROM group_supervisors WHERE group_id = ? AND "
                              "user_id = ?",
                              "ii", g->id, u->id);
    if (le.status)
        return 0;
    return v > 0 || account_has_structure(db, u->id, g->structure_id);
}

/* Admins, and coordinators of coordination coord_id (0, outside every territory, is the
 * admins' alone: a coordinator without a coordination must not match it). */
static int is_coordination(const struct account *u, int64_t coord_id)
{
    if (!active(u))
        return 0;
    if (u->role == ROLE_ADMIN)
        return 1;
    return u->role == ROLE_COORDINATOR && coord_id > 0 && u->coordination_id == coord_id;
}

int group_can_manage(struct db *db, const struct account *u, const struct group *g)
{
    if (!active(u) || !g || g->id <= 0)
        return 0;
    if (is_coordination(u, g->coordination_id))
        return 1;
    /* a participant account listed as supervisor by mistake (or demoted since) manages
     * nothing: the role is checked, not only the attachment */
    return u->role >= ROLE_SUPERVISOR && attached(db, u, g);
}

int group_is_member(struct db *db, const struct account *u, const struct group *g)
{
    if (!active(u) || !g || g->id <= 0)
        return 0;
    if (u->role >= ROLE_SUPERVISOR && attached(db, u, g))
        return 1;
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(db, &le, 0,
                              "SELECT COUNT(*) FROM participants WHERE group_id = ? AND "
                              "user_id = ?",
                              "ii", g->id, u->id);
    return le.status == 0 && v > 0;
}

int group_can_create(struct db *db, const struct account *u, int64_t structure_id)
{
    if (!active(u) || u->role < ROLE_SUPERVISOR || structure_id <= 0)
        return 0;
    struct arena *a = arena_new();
    struct structure s;
    struct err le;
    err_clear(&le);
    int ok = 0;
    if (structure_get(db, a, structure_id, &s, &le) == 0)
        ok = is_coordination(u, s.coordination_id) ||
             (u->role == ROLE_SUPERVISOR && account_has_structure(db, u->id, structure_id));
    arena_free(a);
    return ok;
}

/* ---- validation ---- */

static int slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < GROUP_SLUG_MIN || n > GROUP_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int slug_reserved(const char *s)
{
    for (int i = 0; reserved_slugs[i]; i++)
        if (strcmp(s, reserved_slugs[i]) == 0)
            return 1;
    return 0;
}

/* text_slug of the title, cut at a hyphen so no word is split, leaving room for the
 * "-YYYY-NN" a collision may add. */
static char *slug_from_title(struct arena *a, const char *title)
{
    enum { ROOM = GROUP_SLUG_MAX - 8 };
    char *s = text_slug(a, title);
    size_t n = strlen(s);
    if (n > ROOM) {
        n = ROOM;
        while (n > 0 && s[n] != '-')
            n--;
        if (n == 0)
            n = ROOM;
        while (n > 0 && s[n - 1] == '-')
            n--;
        s[n] = 0;
    }
    return s;
}

/* 1 if another group than self holds slug, 0 if free, -1 on error. */
static int slug_taken(struct db *db, const char *slug, int64_t self, struct err *e)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM groups WHERE slug = ? AND id <> ?",
                              "si", slug, self);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    return v > 0;
}

/* The facilitators' names, one a line: trimmed, blank lines dropped, each checked. */
static int clean_facilitators(struct arena *a, const char *in, const char **out, struct err *e)
{
    struct buf b;
    int count = 0, rc = -1;
    buf_init(&b, 0);
    const char *p = in ? in : "";
    while (*p) {
        size_t len = strcspn(p, "\n");
        char *name = text_trim(a, arena_strndup(a, p, len));
        p += len;
        if (*p == '\n')
            p++;
        if (!*name)
            continue;
        if (++count > GROUP_FACILITATORS_MAX) {
            err_field(e, 422, "facilitators", "Au plus %d intervenants (un par ligne).",
                      GROUP_FACILITATORS_MAX);
            goto done;
        }
        if (valid_text(name, "facilitators", N_("Le nom d'un intervenant"),
                       GROUP_FACILITATOR_NAME_MAX, 0, e))
            goto done;
        if (count > 1)
            buf_putc(&b, '\n');
        buf_puts(&b, name);
    }
    *out = arena_strdup(a, buf_cstr(&b));
    rc = 0;
done:
    buf_free(&b);
    return rc;
}

/* Validated values ready to be written. */
struct clean {
    const char *slug, *title, *title_norm, *description, *facilitators, *status;
    int year;
    int64_t structure_id;
    int is_protected, require_comment_approval;
    enum vis_level visibility;
};

/* Checks the fields of in merged over cur (NULL on create), in the order of the form, so the
 * first error reported is the first one a person meets on the page. Rights and the slug's
 * uniqueness are checked by the caller. */
static int validate(struct db *db, struct arena *a, const struct group_input *in,
                    const struct group *cur, struct clean *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    v->title = text_trim(a, in->title ? in->title : cur ? cur->title : "");
    const char *slug = text_trim(a, in->slug);
    v->description = text_trim(a, in->description ? in->description : cur ? cur->description : "");
    v->status = text_trim(a, in->status ? in->status : cur ? cur->status : "");
    v->year = in->year ? in->year : cur ? cur->year : 0;
    v->structure_id = in->structure_id ? in->structure_id : cur ? cur->structure_id : 0;
    v->is_protected = in->is_protected ? *in->is_protected != 0 : cur ? cur->is_protected : 0;
    v->require_comment_approval = in->require_comment_approval ? *in->require_comment_approval != 0
                                  : cur                        ? cur->require_comment_approval
                                                               : 0;

    if (!*v->title)
        return err_field(e, 422, "title", "Le titre est obligatoire.");
    if (valid_text(v->title, "title", N_("Le titre"), GROUP_TITLE_MAX, 0, e))
        return -1;
    v->title_norm = text_norm(a, v->title);

    /* an emptied slug keeps the current one: addresses people bookmarked must not change
     * because a form was sent with the field blank */
    if (!*slug && cur)
        slug = cur->slug;
    if (*slug) {
        if (slug_reserved(slug))
            return err_field(e, 422, "slug",
                             "L'identifiant « %s » est réservé par le site : choisissez-en un "
                             "autre.",
                             slug);
        if (!slug_ok(slug))
            return err_field(e, 422, "slug",
                             "L'identifiant d'adresse doit compter de %d à %d caractères : "
                             "lettres minuscules sans accent, chiffres et tirets (ni au début ni "
                             "à la fin).",
                             GROUP_SLUG_MIN, GROUP_SLUG_MAX);
    }
    v->slug = slug; /* "" on create: derived once the year is known */

    if (!v->year)
        return err_field(e, 422, "year", "L'année est obligatoire.");
    if (v->year < GROUP_YEAR_MIN || v->year > GROUP_YEAR_MAX)
        return err_field(e, 422, "year", "L'année doit être comprise entre %d et %d.",
                         GROUP_YEAR_MIN, GROUP_YEAR_MAX);

    if (v->structure_id <= 0)
        return err_field(e, 422, "structure_id", "La structure est obligatoire.");
    struct err le;
    err_clear(&le);
    int64_t exists = db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM structures WHERE id = ?", "i",
                                   v->structure_id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (!exists)
        return err_field(e, 422, "structure_id", "Structure inconnue.");

    if (valid_text(v->description, "description", N_("La description"), GROUP_DESCRIPTION_MAX, 1,
                   e))
        return -1;
    if (clean_facilitators(a,
                           in->facilitators ? in->facilitators
                           : cur            ? cur->facilitators
                                            : "",
                           &v->facilitators, e))
        return -1;

    if (!*v->status)
        v->status = "preparing";
    if (!group_status_label(v->status))
        return err_field(e, 422, "status", "Statut de groupe inconnu.");

    const char *vis = in->visibility ? text_trim(a, in->visibility) : "";
    if (*vis) {
        if (visibility_level_parse(vis, &v->visibility))
            return err_field(e, 422, "visibility",
                             "Visibilité inconnue : choisissez groupe, réseau ou public.");
    } else if (cur && !(v->is_protected && !cur->is_protected)) {
        v->visibility = cur->visibility;
    } else {
        /* a new group, or a group being protected without a level named: protection is
         * the stronger wish, so the page narrows to the group instead of refusing */
        v->visibility = VIS_GROUP;
    }
    return visibility_check_level(v->is_protected, v->visibility, e);
}

/* A free slug for a new group: the one asked for (409 if taken), or one derived from the
 * title, with the year and then a number added while taken. */
static int pick_slug(struct db *db, struct arena *a, struct clean *v, struct err *e)
{
    if (*v->slug) {
        int t = slug_taken(db, v->slug, 0, e);
        if (t < 0)
            return -1;
        if (t)
            return err_field(e, 409, "slug",
                             "L'identifiant « %s » est déjà pris par un autre groupe.", v->slug);
        return 0;
    }
    const char *base = slug_from_title(a, v->title);
    if (strlen(base) < GROUP_SLUG_MIN || slug_reserved(base))
        return err_field(e, 422, "slug",
                         "Impossible de tirer un identifiant d'adresse de ce titre : "
                         "saisissez-en un (lettres a-z, chiffres et tirets).");
    for (int i = 0; i < SLUG_TRIES; i++) {
        const char *s = i == 0   ? base
                        : i == 1 ? arena_printf(a, "%s-%d", base, v->year)
                                 : arena_printf(a, "%s-%d-%d", base, v->year, i);
        int t = slug_taken(db, s, 0, e);
        if (t < 0)
            return -1;
        if (!t) {
            v->slug = s;
            return 0;
        }
    }
    return err_field(e, 409, "slug",
                     "Plusieurs groupes portent déjà ce titre : choisissez un identifiant "
                     "d'adresse.");
}

/* Participants never create or edit groups: said before validation so they are not walked
 * through a form they may never submit. */
static int check_role(const struct account *u, struct err *e)
{
    if (!active(u) || u->role < ROLE_SUPERVISOR)
        return err_set(e, 403, "Votre rôle ne permet pas de gérer les groupes.");
    return 0;
}

/* ---- writing ---- */

int group_create(struct db *db, const struct account *actor, const struct group_input *in,
                 int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    struct clean v;
    struct db_stmt *st = NULL;
    int rc = -1, in_tx = 0;

    if (id)
        *id = 0;
    if (check_role(actor, e) || validate(db, a, in, NULL, &v, e))
        goto done;
    if (!group_can_create(db, actor, v.structure_id)) {
        err_field(e, 403, "structure_id",
                  "Vous ne pouvez pas créer de groupe pour cette structure.");
        goto done;
    }
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (pick_slug(db, a, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_prepare(db,
                   "INSERT INTO groups (slug, title, title_norm, year, structure_id, description, "
                   "facilitators, status, protected, visibility, require_comment_approval, "
                   "is_demo, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_text(st, 1, v.slug);
    db_bind_text(st, 2, v.title);
    db_bind_text(st, 3, v.title_norm);
    db_bind_int(st, 4, v.year);
    db_bind_int(st, 5, v.structure_id);
    db_bind_text(st, 6, v.description);
    db_bind_text(st, 7, v.facilitators);
    db_bind_text(st, 8, v.status);
    db_bind_int(st, 9, v.is_protected);
    db_bind_text(st, 10, visibility_level_name(v.visibility));
    db_bind_int(st, 11, v.require_comment_approval);
    db_bind_int(st, 12, in->is_demo ? 1 : 0);
    db_bind_int(st, 13, now);
    db_bind_int(st, 14, now);
    int r = db_step(st, e);
    if (r < 0) {
        /* a concurrent creation took the slug between the check and the insert */
        if (e && e->status == 409)
            err_field(e, 409, "slug", "L'identifiant « %s » est déjà pris par un autre groupe.",
                      v.slug);
        goto done;
    }
    if (r != DB_ROW) {
        err_set(e, 500, "Création du groupe : aucun identifiant renvoyé.");
        goto done;
    }
    int64_t gid = db_col_int(st, 0);
    db_finalize(st);
    st = NULL;
    /* the supervisor who opens a group looks after it; coordinators and admins manage it
     * through their role and are not listed */
    if (actor->role == ROLE_SUPERVISOR &&
        db_execf(db, e, "INSERT INTO group_supervisors (group_id, user_id) VALUES (?, ?)", "ii",
                 gid, actor->id) < 0)
        goto done;
    /* the first level is a visibility decision too: the coordination sees who opened what */
    if (audit_add(db, actor, gid, AUDIT_GROUP_VISIBILITY, gid, "",
                  visibility_level_name(v.visibility), e) ||
        (v.is_protected && audit_add(db, actor, gid, AUDIT_GROUP_PROTECTED, gid, "", "1", e)))
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    if (id)
        *id = gid;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

int group_update(struct db *db, const struct account *actor, int64_t id,
                 const struct group_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct group cur;
    struct clean v;
    int rc = -1, in_tx = 0;

    if (check_role(actor, e))
        goto done;
    /* rights read and row written in one transaction, so a concurrent move of the group
     * or of its structure cannot slip between the check and the write */
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (group_get(db, a, id, &cur, e))
        goto done;
    if (!group_can_manage(db, actor, &cur)) {
        err_set(e, 403, "Vous ne gérez pas ce groupe.");
        goto done;
    }
    if (validate(db, a, in, &cur, &v, e))
        goto done;
    /* protection exists for young people who must never be identified: lifting it is the
     * coordination's decision, not the supervisor's */
    if (cur.is_protected && !v.is_protected && !is_coordination(actor, cur.coordination_id)) {
        err_field(e, 403, "is_protected",
                  "Seule la coordination peut lever la protection d'un groupe.");
        goto done;
    }
    if (v.structure_id != cur.structure_id && !group_can_create(db, actor, v.structure_id)) {
        err_field(e, 403, "structure_id",
                  "Vous ne pouvez pas rattacher ce groupe à cette structure.");
        goto done;
    }
    if (strcmp(v.slug, cur.slug) != 0) {
        int t = slug_taken(db, v.slug, id, e);
        if (t < 0)
            goto done;
        if (t) {
            err_field(e, 409, "slug", "L'identifiant « %s » est déjà pris par un autre groupe.",
                      v.slug);
            goto done;
        }
    }
    int64_t changed = db_execf(
        db, e,
        "UPDATE groups SET slug = ?, title = ?, title_norm = ?, year = ?, structure_id = ?, "
        "description = ?, facilitators = ?, status = ?, protected = ?, visibility = ?, "
        "require_comment_approval = ?, updated_at = ? WHERE id = ?",
        "sssiisssisiii", v.slug, v.title, v.title_norm, (int64_t)v.year, v.structure_id,
        v.description, v.facilitators, v.status, (int64_t)v.is_protected,
        visibility_level_name(v.visibility), (int64_t)v.require_comment_approval,
        (int64_t)time(NULL), id);
    if (changed < 0) {
        if (e && e->status == 409)
            err_field(e, 409, "slug", "L'identifiant « %s » est déjà pris par un autre groupe.",
                      v.slug);
        goto done;
    }
    if (changed == 0) {
        err_set(e, 404, "%s", err_tr(NOT_FOUND));
        goto done;
    }
    if (v.visibility != cur.visibility &&
        audit_add(db, actor, id, AUDIT_GROUP_VISIBILITY, id, visibility_level_name(cur.visibility),
                  visibility_level_name(v.visibility), e))
        goto done;
    if (v.is_protected != cur.is_protected &&
        audit_add(db, actor, id, AUDIT_GROUP_PROTECTED, id, cur.is_protected ? "1" : "0",
                  v.is_protected ? "1" : "0", e))
        goto done;
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

/* ---- listing ---- */

/* "%<s with LIKE's own metacharacters made literal>%", for "LIKE ? ESCAPE '\'". text_norm
 * already turns % and _ into spaces; escaping anyway keeps this correct if it ever stops. */
static char *like_contains(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(a, 2 * n + 3), *w = p;
    *w++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            *w++ = '\\';
        *w++ = s[i];
    }
    *w++ = '%';
    *w = 0;
    return p;
}

/* The WHERE clause of a filter; bind_filter binds its parameters in the same order. Only
 * fixed SQL fragments go into the text; pattern is the title search (NULL for none). */
static void filter_sql(struct buf *b, const struct group_filter *f, const char *pattern)
{
    buf_puts(b, " WHERE 1 = 1");
    if (f->coordination_id > 0)
        buf_puts(b, " AND cd.coordination_id = ?");
    if (f->structure_id > 0)
        buf_puts(b, " AND g.structure_id = ?");
    if (f->year)
        buf_puts(b, " AND g.year = ?");
    if (f->status && *f->status)
        buf_puts(b, " AND g.status = ?");
    if (pattern)
        buf_puts(b, " AND g.title_norm LIKE ? ESCAPE '\\'");
    if (f->member_id > 0)
        buf_puts(b, " AND (g.id IN (SELECT group_id FROM group_supervisors WHERE user_id = ?)"
                    " OR g.id IN (SELECT group_id FROM participants WHERE user_id = ?)"
                    " OR g.structure_id IN (SELECT structure_id FROM user_structures"
                    " WHERE user_id = ?))");
    if (!f->unrestricted)
        visibility_groups_where(b, f->viewer, &group_vis_cols);
}

static int bind_filter(struct db_stmt *st, const struct group_filter *f, const char *pattern)
{
    int i = 1;
    if (f->coordination_id > 0)
        db_bind_int(st, i++, f->coordination_id);
    if (f->structure_id > 0)
        db_bind_int(st, i++, f->structure_id);
    if (f->year)
        db_bind_int(st, i++, f->year);
    if (f->status && *f->status)
        db_bind_text(st, i++, f->status);
    if (pattern)
        db_bind_text(st, i++, pattern);
    if (f->member_id > 0)
        for (int k = 0; k < 3; k++)
            db_bind_int(st, i++, f->member_id);
    if (!f->unrestricted)
        i = visibility_groups_bind(st, i, f->viewer);
    return i;
}

int group_list(struct db *db, struct arena *a, const struct group_filter *f, struct group **out,
               int *n, int64_t *total, struct err *e)
{
    static const struct group_filter none = {0};
    struct buf sql;
    struct db_stmt *st = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (!f)
        f = &none;
    if (f->status && *f->status && !group_status_label(f->status))
        return err_field(e, 400, "status", "Statut de groupe inconnu.");
    int page = f->page < 1 ? 1 : f->page;
    int per_page = f->per_page <= 0 ? GROUP_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > GROUP_PER_PAGE_MAX)
        per_page = GROUP_PER_PAGE_MAX;

    const char *pattern = NULL;
    if (f->q && *f->q) {
        size_t qn = strlen(f->q);
        const char *norm = text_norm(a, f->q);
        /* a title_norm is never longer than its title (4 bytes a character at most), so a
         * longer query cannot match; and a query of punctuation alone ("%", "_") has no
         * searchable text: neither may fall back to listing everything */
        int blank = strspn(f->q, " \t\r\n") == qn;
        if (!blank && (qn > 4 * (size_t)GROUP_TITLE_MAX || !*norm))
            return 0;
        if (*norm)
            pattern = like_contains(a, norm);
    }

    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT COUNT(*)" GROUP_FROM);
    filter_sql(&sql, f, pattern);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    bind_filter(st, f, pattern);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    *total = r == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    st = NULL;
    if (*total == 0 || page > PAGE_MAX) {
        rc = 0;
        goto done;
    }

    buf_reset(&sql);
    buf_puts(&sql, "SELECT " GROUP_COLS GROUP_FROM);
    filter_sql(&sql, f, pattern);
    buf_puts(&sql, " ORDER BY g.year DESC, g.title_norm, g.id LIMIT ? OFFSET ?");
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    int i = bind_filter(st, f, pattern);
    db_bind_int(st, i++, per_page);
    db_bind_int(st, i, (int64_t)(page - 1) * per_page);
    struct group *list = arena_alloc(a, sizeof *list * (size_t)per_page);
    int count = 0;
    while (count < per_page && (r = db_step(st, e)) == DB_ROW)
        read_group(st, a, &list[count++]);
    if (r < 0)
        goto done;
    *out = list;
    *n = count;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}

/* ---- supervisors ---- */

/* 1 if id is an enabled account of role supervisor or above, 0 if not, -1 on error. */
static int fit_supervisor(struct db *db, int64_t id, struct err *e)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(db, &le, 0,
                              "SELECT COUNT(*) FROM users WHERE id = ? AND disabled = 0 AND "
                              "role IN ('supervisor', 'coordinator', 'admin')",
                              "i", id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    return v > 0;
}

int group_set_supervisors(struct db *db, const struct account *actor, int64_t group_id,
                          const int64_t *user_ids, size_t n, struct err *e)
{
    struct arena *a = arena_new();
    struct group g;
    int rc = -1, in_tx = 0;

    if (check_role(actor, e))
        goto done;
    if (n > GROUP_SUPERVISORS_MAX) {
        err_field(e, 422, "supervisors", "Au plus %d encadrants par groupe.",
                  GROUP_SUPERVISORS_MAX);
        goto done;
    }
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (group_get(db, a, group_id, &g, e))
        goto done;
    if (!group_can_manage(db, actor, &g)) {
        err_set(e, 403, "Vous ne gérez pas ce groupe.");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        int ok = user_ids[i] > 0 ? fit_supervisor(db, user_ids[i], e) : 0;
        if (ok < 0)
            goto done;
        if (!ok) {
            err_field(e, 422, "supervisors",
                      "Le compte n°%lld n'existe pas ou n'est pas un compte d'encadrant.",
                      (long long)user_ids[i]);
            goto done;
        }
    }
    if (db_execf(db, e, "DELETE FROM group_supervisors WHERE group_id = ?", "i", group_id) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        /* a duplicate in the list inserts nothing */
        if (db_execf(db, e,
                     "INSERT INTO group_supervisors (group_id, user_id) VALUES (?, ?) "
                     "ON CONFLICT DO NOTHING",
                     "ii", group_id, user_ids[i]) < 0)
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

int group_supervisors(struct db *db, struct arena *a, int64_t group_id, int64_t **ids, int *n,
                      struct err *e)
{
    struct db_stmt *st;
    *ids = NULL;
    *n = 0;
    if (db_prepare(db, "SELECT user_id FROM group_supervisors WHERE group_id = ? ORDER BY user_id",
                   &st, e))
        return -1;
    db_bind_int(st, 1, group_id);
    int cap = 0, r;
    while ((r = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 8;
            int64_t *bigger = arena_alloc(a, sizeof *bigger * (size_t)ncap);
            if (*n)
                memcpy(bigger, *ids, sizeof *bigger * (size_t)*n);
            *ids = bigger;
            cap = ncap;
        }
        (*ids)[(*n)++] = db_col_int(st, 0);
    }
    db_finalize(st);
    return r < 0 ? -1 : 0;
}
