/* call: calls for projects (see call.h): the call record, its checks and rights. The
 * applications, their attachments and the decision are in call_app.c. */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "consent.h"
#include "core/text.h"
#include "core/valid.h"
#include "call_internal.h"

enum call_state call_state(const struct call *c, int64_t today)
{
    int64_t open = 0, close = 0;
    if (consent_day_parse(c->opens_on, &open) || consent_day_parse(c->closes_on, &close))
        return CALL_CLOSED;
    if (today < open)
        return CALL_UPCOMING;
    return today > close ? CALL_CLOSED : CALL_OPEN;
}

int call_can_manage(const struct account *actor, int64_t coordination_id)
{
    return action_can_edit(actor, coordination_id);
}

int call_date_ok(const char *s, const char *field, int64_t *day, struct err *e)
{
    if (!s || !*s)
        return err_field(e, 422, field, "La date est obligatoire.");
    if (consent_day_parse(s, day) || *day < consent_day(ACTION_YEAR_MIN, 1, 1) ||
        *day > consent_day(ACTION_YEAR_MAX, 12, 31))
        return err_field(e, 422, field, "Une date AAAA-MM-JJ entre %d et %d est attendue.",
                         ACTION_YEAR_MIN, ACTION_YEAR_MAX);
    return 0;
}

/* The input trimmed into out (strings in a), every rule checked. */
static int check_call(struct arena *a, const struct call_input *in, struct call_input *out,
                      struct err *e)
{
    *out = *in;
    out->title = text_trim(a, in->title ? in->title : "");
    out->rules = text_trim(a, in->rules ? in->rules : "");
    out->opens_on = text_trim(a, in->opens_on ? in->opens_on : "");
    out->closes_on = text_trim(a, in->closes_on ? in->closes_on : "");
    if (!*out->title)
        return err_field(e, 422, "title", "Le titre est obligatoire.");
    if (valid_text(out->title, "title", N_("Le titre"), CALL_TITLE_MAX, 0, e))
        return -1;
    int64_t d0, d1;
    if (call_date_ok(out->opens_on, "opens_on", &d0, e) ||
        call_date_ok(out->closes_on, "closes_on", &d1, e))
        return -1;
    if (d1 < d0)
        return err_field(e, 422, "closes_on", "La clôture ne peut pas précéder l'ouverture.");
    if (valid_text(out->rules, "rules", N_("Le règlement"), CALL_RULES_MAX, 1, e))
        return -1;
    if (in->budget < 0 || in->budget > CALL_BUDGET_MAX)
        return err_field(e, 422, "budget", "L'enveloppe va de 0 à %d euros.", CALL_BUDGET_MAX);
    return 0;
}

static int coordination_exists(struct db *db, int64_t id, struct err *e)
{
    struct err le = {0};
    int64_t n =
        db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM coordinations WHERE id = ?", "i", id);
    if (le.status) {
        *e = le;
        return -1;
    }
    return n ? 0 : err_set(e, 404, "Coordination introuvable.");
}

int call_create(struct db *db, const struct account *actor, const struct call_input *in,
                int64_t *id, struct err *e)
{
    if (coordination_exists(db, in->coordination_id, e))
        return -1;
    if (!call_can_manage(actor, in->coordination_id))
        return err_set(e, 403,
                       "Seuls les coordinateurs de cette coordination peuvent y ouvrir "
                       "un appel à projets.");
    struct arena *a = arena_new();
    struct call_input v;
    int rc = -1;
    if (check_call(a, in, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    *id = db_scalar_int(db, e, 0,
                        "INSERT INTO calls (coordination_id, title, rules, opens_on, closes_on, "
                        "budget, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        "issssiiii", in->coordination_id, v.title, v.rules, v.opens_on, v.closes_on,
                        v.budget, actor->id, now, now);
    if (e->status || *id <= 0) {
        if (!e->status)
            err_set(e, 500, "L'appel n'a pas pu être enregistré.");
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* The call's coordination, 404 unknown, 403 when actor may not manage it. */
static int load_managed(struct db *db, const struct account *actor, int64_t id, int64_t *coord,
                        struct err *e)
{
    struct err le = {0};
    *coord = db_scalar_int(db, &le, 0, "SELECT coordination_id FROM calls WHERE id = ?", "i", id);
    if (le.status) {
        *e = le;
        return -1;
    }
    if (!*coord)
        return err_set(e, 404, "Appel à projets introuvable.");
    if (!call_can_manage(actor, *coord))
        return err_set(e, 403,
                       "Seuls les coordinateurs de sa coordination peuvent modifier cet "
                       "appel à projets.");
    return 0;
}

int call_update(struct db *db, const struct account *actor, int64_t id, const struct call_input *in,
                struct err *e)
{
    int64_t coord;
    if (load_managed(db, actor, id, &coord, e))
        return -1;
    struct arena *a = arena_new();
    struct call_input v;
    int rc = -1;
    if (check_call(a, in, &v, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE calls SET title = ?, rules = ?, opens_on = ?, closes_on = ?, budget = ?, "
                 "updated_at = ? WHERE id = ?",
                 "ssssiii", v.title, v.rules, v.opens_on, v.closes_on, v.budget,
                 (int64_t)time(NULL), id) != 1) {
        if (!e->status)
            err_set(e, 404, "Appel à projets introuvable.");
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int call_delete(struct db *db, const struct account *actor, int64_t id, const char *data_dir,
                struct err *e)
{
    int64_t coord;
    if (load_managed(db, actor, id, &coord, e))
        return -1;
    struct arena *a = arena_new();
    int rc = -1;
    if (db_begin(db, e))
        goto done;
    int64_t beyond = db_scalar_int(
        db, e, 0, "SELECT COUNT(*) FROM applications WHERE call_id = ? AND status <> 'draft'", "i",
        id);
    if (e->status)
        goto fail;
    if (beyond) {
        err_set(e, 409, "Cet appel a déjà reçu des candidatures : il ne peut plus être supprimé.");
        goto fail;
    }
    /* the drafts' files go once the rows are gone */
    struct db_stmt *s;
    const char **keys = NULL;
    int nkeys = 0;
    int64_t nfiles = db_scalar_int(db, e, 0,
                                   "SELECT COUNT(*) FROM application_files f JOIN applications "
                                   "ap ON ap.id = f.application_id WHERE ap.call_id = ?",
                                   "i", id);
    if (e->status)
        goto fail;
    keys = arena_alloc(a, sizeof *keys * (size_t)(nfiles + 1));
    if (db_prepare(db,
                   "SELECT f.storage_key FROM application_files f JOIN applications ap ON "
                   "ap.id = f.application_id WHERE ap.call_id = ?",
                   &s, e))
        goto fail;
    db_bind_int(s, 1, id);
    int r;
    while ((r = db_step(s, e)) == DB_ROW && nkeys < nfiles)
        keys[nkeys++] = arena_strdup(a, db_col_text(s, 0));
    db_finalize(s);
    if (r < 0)
        goto fail;
    if (db_execf(db, e, "DELETE FROM calls WHERE id = ?", "i", id) != 1) {
        if (!e->status)
            err_set(e, 404, "Appel à projets introuvable.");
        goto fail;
    }
    if (db_commit(db, e))
        goto done;
    for (int i = 0; data_dir && i < nkeys; i++)
        unlink(call_app_file_path(a, data_dir, keys[i]));
    rc = 0;
    goto done;
fail:
    db_rollback(db);
done:
    arena_free(a);
    return rc;
}

#define CALL_COLS                                                                                  \
    "c.id, c.coordination_id, co.name, co.slug, c.title, c.rules, c.opens_on, c.closes_on, "       \
    "c.budget, c.created_at, c.updated_at, "                                                       \
    "(SELECT COUNT(*) FROM applications ap WHERE ap.call_id = c.id AND ap.status <> 'draft'), "    \
    "(SELECT COALESCE(SUM(ap.amount_granted), 0) FROM applications ap WHERE ap.call_id = c.id "    \
    "AND ap.status = 'accepted') "                                                                 \
    "FROM calls c JOIN coordinations co ON co.id = c.coordination_id"

static void read_call(struct db_stmt *s, struct arena *a, struct call *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_col_int(s, 0);
    c->coordination_id = db_col_int(s, 1);
    c->coordination_name = arena_strdup(a, db_col_text(s, 2));
    c->coordination_slug = arena_strdup(a, db_col_text(s, 3));
    c->title = arena_strdup(a, db_col_text(s, 4));
    c->rules = arena_strdup(a, db_col_text(s, 5));
    c->opens_on = arena_strdup(a, db_col_text(s, 6));
    c->closes_on = arena_strdup(a, db_col_text(s, 7));
    c->budget = db_col_int(s, 8);
    c->created_at = db_col_int(s, 9);
    c->updated_at = db_col_int(s, 10);
    c->submitted = db_col_int(s, 11);
    c->accepted_total = db_col_int(s, 12);
}

int call_get(struct db *db, struct arena *a, int64_t id, struct call *out, struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT " CALL_COLS " WHERE c.id = ?", &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW)
        read_call(s, a, out);
    db_finalize(s);
    if (r < 0)
        return -1;
    return r == DB_ROW ? 0 : err_set(e, 404, "Appel à projets introuvable.");
}

int call_list(struct db *db, struct arena *a, int64_t coordination_id, struct call **out, int *n,
              struct err *e)
{
    struct db_stmt *s;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * CALL_LIST_MAX);
    if (db_prepare(db,
                   "SELECT " CALL_COLS " WHERE (? = 0 OR c.coordination_id = ?) "
                   "ORDER BY c.closes_on DESC, c.id DESC LIMIT ?",
                   &s, e))
        return -1;
    db_bind_int(s, 1, coordination_id);
    db_bind_int(s, 2, coordination_id);
    db_bind_int(s, 3, CALL_LIST_MAX);
    int r;
    while ((r = db_step(s, e)) == DB_ROW)
        read_call(s, a, &(*out)[(*n)++]);
    db_finalize(s);
    return r < 0 ? -1 : 0;
}
