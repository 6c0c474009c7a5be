/* participant: validation and storage of a group's participants. Deliberately thin: no birth
 * date, surname, contact or photo of the person is ever stored here. */
#include "participant.h"

#include <string.h>
#include <time.h>

#include "core/text.h"
#include "group.h"

const struct participant_age_band participant_age_bands[] = {
    {"6-11", N_("6 à 11 ans"), 1},    {"12-14", N_("12 à 14 ans"), 1},
    {"15-17", N_("15 à 17 ans"), 0},  {"18-25", N_("18 à 25 ans"), 0},
    {"26+", N_("26 ans et plus"), 0}, {NULL, NULL, 0},
};

static const char *const NOT_FOUND = N_("Participant introuvable.");

const struct participant_age_band *participant_age_band(const char *code)
{
    if (!code)
        return NULL;
    for (const struct participant_age_band *b = participant_age_bands; b->code; b++)
        if (strcmp(b->code, code) == 0)
            return b;
    return NULL;
}

/* ---- reading ---- */

#define PART_COLS "id, group_id, display_name, age_band, under15, user_id, created_at, updated_at"

static void read_participant(struct db_stmt *st, struct arena *a, struct participant *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_int(st, 0);
    p->group_id = db_col_int(st, 1);
    const char *s = db_col_text(st, 2);
    p->display_name = arena_strdup(a, s ? s : "");
    s = db_col_text(st, 3);
    p->age_band = arena_strdup(a, s ? s : "");
    p->under15 = db_col_int(st, 4) != 0;
    p->user_id = db_col_is_null(st, 5) ? 0 : db_col_int(st, 5);
    p->created_at = db_col_int(st, 6);
    p->updated_at = db_col_int(st, 7);
}

int participant_get(struct db *db, struct arena *a, int64_t id, struct participant *out,
                    struct err *e)
{
    struct db_stmt *st;
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return err_set(e, 404, "%s", err_tr(NOT_FOUND));
    if (db_prepare(db, "SELECT " PART_COLS " FROM participants WHERE id = ?", &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_participant(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW)
        return err_set(e, 404, "%s", err_tr(NOT_FOUND));
    return 0;
}

int participant_list(struct db *db, struct arena *a, int64_t group_id, struct participant **out,
                     int *n, struct err *e)
{
    struct db_stmt *st;
    *out = NULL;
    *n = 0;
    /* the cap is enforced on insert; the LIMIT only bounds what a bad row count could cost */
    if (db_prepare(db,
                   "SELECT " PART_COLS " FROM participants WHERE group_id = ? ORDER BY id LIMIT ?",
                   &st, e))
        return -1;
    db_bind_int(st, 1, group_id);
    db_bind_int(st, 2, PARTICIPANT_PER_GROUP_MAX);
    struct participant *list = arena_alloc(a, sizeof *list * PARTICIPANT_PER_GROUP_MAX);
    int count = 0, r = DB_DONE;
    while (count < PARTICIPANT_PER_GROUP_MAX && (r = db_step(st, e)) == DB_ROW)
        read_participant(st, a, &list[count++]);
    db_finalize(st);
    if (r < 0)
        return -1;
    *out = list;
    *n = count;
    return 0;
}

/* ---- validation ---- */

struct clean {
    const char *display_name;
    const struct participant_age_band *band;
    int under15;
    int64_t user_id;
};

/* 1 if id is an enabled participant account, 0 if not, -1 on error. Supervisors and
 * coordinators are never linked as participants: their rights would leak into the group's
 * participant circle and back. */
static int fit_account(struct db *db, int64_t id, struct err *e)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(db, &le, 0,
                              "SELECT COUNT(*) FROM users WHERE id = ? AND disabled = 0 AND "
                              "role = 'participant'",
                              "i", id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    return v > 0;
}

/* Checks in merged over cur (NULL on create), in the order of the form. */
static int validate(struct db *db, struct arena *a, const struct participant_input *in,
                    const struct participant *cur, struct clean *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    const char *name = in->display_name ? in->display_name : cur ? cur->display_name : "";
    v->display_name = text_trim(a, name);
    const char *band = in->age_band ? in->age_band : cur ? cur->age_band : "";
    band = text_trim(a, band);
    v->user_id = in->user_id < 0 ? (cur ? cur->user_id : 0) : in->user_id;

    if (!*v->display_name)
        return err_field(e, 422, "display_name", "Le prénom ou pseudonyme est obligatoire.");
    size_t n = strlen(v->display_name);
    long chars = text_utf8_len(v->display_name, n);
    if (chars < 0 || text_has_control(v->display_name, n, 0))
        return err_field(e, 422, "display_name",
                         "Le prénom ou pseudonyme contient des caractères invalides.");
    if (chars > PARTICIPANT_NAME_MAX)
        return err_field(e, 422, "display_name",
                         "Le prénom ou pseudonyme doit comporter au plus %d caractères.",
                         PARTICIPANT_NAME_MAX);

    if (!*band)
        return err_field(e, 422, "age_band", "La tranche d'âge est obligatoire.");
    v->band = participant_age_band(band);
    if (!v->band)
        return err_field(e, 422, "age_band", "Tranche d'âge inconnue.");
    /* the flag decides who must sign the consent: a contradiction is a typing mistake that
     * could drop the young person's own agreement, so it is refused, not corrected */
    if (in->under15 >= 0 && (in->under15 != 0) != v->band->under15)
        return err_field(e, 422, "under15",
                         "La case « moins de 15 ans » ne correspond pas à la tranche d'âge "
                         "choisie.");
    v->under15 = v->band->under15;

    if (v->user_id > 0) {
        int ok = fit_account(db, v->user_id, e);
        if (ok < 0)
            return -1;
        if (!ok)
            return err_field(e, 422, "user_id",
                             "Ce compte n'existe pas ou n'est pas un compte de participant.");
    }
    return 0;
}

/* ---- writing ---- */

/* Reads the group and checks the actor manages it; called inside the write's transaction so
 * the rights cannot change between the check and the write. */
static int check_managed(struct db *db, struct arena *a, const struct account *actor,
                         int64_t group_id, struct err *e)
{
    struct group g;
    if (group_get(db, a, group_id, &g, e))
        return -1;
    if (!group_can_manage(db, actor, &g))
        return err_set(e, 403, "Vous ne gérez pas ce groupe.");
    return 0;
}

static int taken_account(struct err *e)
{
    return err_field(e, 409, "user_id",
                     "Ce compte est déjà celui d'un autre participant du groupe.");
}

int participant_add(struct db *db, const struct account *actor, int64_t group_id,
                    const struct participant_input *in, int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    struct clean v;
    struct db_stmt *st = NULL;
    int rc = -1, in_tx = 0;

    if (id)
        *id = 0;
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (check_managed(db, a, actor, group_id, e) || validate(db, a, in, NULL, &v, e))
        goto done;
    struct err le;
    err_clear(&le);
    int64_t count = db_scalar_int(
        db, &le, 0, "SELECT COUNT(*) FROM participants WHERE group_id = ?", "i", group_id);
    if (le.status) {
        if (e)
            *e = le;
        goto done;
    }
    if (count >= PARTICIPANT_PER_GROUP_MAX) {
        err_field(e, 422, "group_id", "Un groupe compte au plus %d participants.",
                  PARTICIPANT_PER_GROUP_MAX);
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    if (db_prepare(db,
                   "INSERT INTO participants (group_id, display_name, age_band, under15, user_id, "
                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_int(st, 1, group_id);
    db_bind_text(st, 2, v.display_name);
    db_bind_text(st, 3, v.band->code);
    db_bind_int(st, 4, v.under15);
    if (v.user_id > 0)
        db_bind_int(st, 5, v.user_id);
    else
        db_bind_null(st, 5);
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, now);
    int r = db_step(st, e);
    if (r < 0) {
        if (e && e->status == 409)
            taken_account(e);
        goto done;
    }
    if (r != DB_ROW) {
        err_set(e, 500, "Ajout du participant : aucun identifiant renvoyé.");
        goto done;
    }
    int64_t pid = db_col_int(st, 0);
    db_finalize(st);
    st = NULL;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    if (id)
        *id = pid;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

int participant_update(struct db *db, const struct account *actor, int64_t id,
                       const struct participant_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct participant cur;
    struct clean v;
    int rc = -1, in_tx = 0;

    /* the participant is read inside the transaction, so its group cannot change between
     * the rights check and the write */
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (participant_get(db, a, id, &cur, e) || check_managed(db, a, actor, cur.group_id, e) ||
        validate(db, a, in, &cur, &v, e))
        goto done;
    int64_t changed;
    if (v.user_id > 0)
        changed = db_execf(db, e,
                           "UPDATE participants SET display_name = ?, age_band = ?, under15 = ?, "
                           "user_id = ?, updated_at = ? WHERE id = ?",
                           "ssiiii", v.display_name, v.band->code, (int64_t)v.under15, v.user_id,
                           (int64_t)time(NULL), id);
    else
        changed = db_execf(db, e,
                           "UPDATE participants SET display_name = ?, age_band = ?, under15 = ?, "
                           "user_id = NULL, updated_at = ? WHERE id = ?",
                           "ssiii", v.display_name, v.band->code, (int64_t)v.under15,
                           (int64_t)time(NULL), id);
    if (changed < 0) {
        if (e && e->status == 409)
            taken_account(e);
        goto done;
    }
    if (changed == 0) {
        err_set(e, 404, "%s", err_tr(NOT_FOUND));
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
