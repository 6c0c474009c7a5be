/* call_app: the applications made to a call for projects (see call.h): drafts written by a
 * structure's referent, submission while the call is open, the steering committee's
 * decision, the conversion into an action, and the PDF attachments. */
#include "call.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consent.h"
#include "core/text.h"
#include "core/valid.h"
#include "call_internal.h"

static const char *const APP_NOT_FOUND = N_("Candidature introuvable.");

/* ---- rights ---- */

int call_is_referent(struct db *db, const struct account *actor, int64_t structure_id)
{
    if (!actor || actor->id <= 0 || actor->disabled || actor->role != ROLE_SUPERVISOR)
        return 0;
    return account_has_structure(db, actor->id, structure_id);
}

int call_app_can_read(struct db *db, const struct account *actor, const struct call_app *app)
{
    if (!actor || actor->id <= 0 || actor->disabled)
        return 0;
    if (actor->role == ROLE_ADMIN)
        return strcmp(app->status, "draft") != 0 || app->applicant_user_id == actor->id;
    if (call_is_referent(db, actor, app->structure_id))
        return 1;
    return strcmp(app->status, "draft") != 0 && call_can_manage(actor, app->coordination_id);
}

/* ---- reading ---- */

#define APP_COLS                                                                                   \
    "ap.id, ap.call_id, ap.structure_id, COALESCE(ap.applicant_user_id, 0), c.coordination_id, "   \
    "c.title, s.name, COALESCE(u.display_name, ''), ap.title, ap.project, ap.facilitator, "        \
    "ap.planned_start, ap.planned_end, ap.public_desc, ap.action_type, ap.status, "                \
    "ap.budget_requested, ap.amount_granted, ap.decision_reason, COALESCE(ap.decided_at, 0), "     \
    "COALESCE(ap.submitted_at, 0), COALESCE(ap.action_id, 0), ap.created_at, ap.updated_at "       \
    "FROM applications ap JOIN calls c ON c.id = ap.call_id "                                      \
    "JOIN structures s ON s.id = ap.structure_id "                                                 \
    "LEFT JOIN users u ON u.id = ap.applicant_user_id"

static const char *col(struct arena *a, struct db_stmt *s, int i)
{
    const char *v = db_col_text(s, i);
    return arena_strdup(a, v ? v : "");
}

static void read_app(struct db_stmt *s, struct arena *a, struct call_app *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_col_int(s, 0);
    o->call_id = db_col_int(s, 1);
    o->structure_id = db_col_int(s, 2);
    o->applicant_user_id = db_col_int(s, 3);
    o->coordination_id = db_col_int(s, 4);
    o->call_title = col(a, s, 5);
    o->structure_name = col(a, s, 6);
    o->applicant_name = col(a, s, 7);
    o->title = col(a, s, 8);
    o->project = col(a, s, 9);
    o->facilitator = col(a, s, 10);
    o->planned_start = col(a, s, 11);
    o->planned_end = col(a, s, 12);
    o->public_desc = col(a, s, 13);
    o->action_type = col(a, s, 14);
    o->status = col(a, s, 15);
    o->budget_requested = db_col_int(s, 16);
    o->amount_granted = db_col_int(s, 17);
    o->decision_reason = col(a, s, 18);
    o->decided_at = db_col_int(s, 19);
    o->submitted_at = db_col_int(s, 20);
    o->action_id = db_col_int(s, 21);
    o->created_at = db_col_int(s, 22);
    o->updated_at = db_col_int(s, 23);
}

static int read_lists(struct db *db, struct arena *a, struct call_app *o, struct err *e)
{
    struct db_stmt *s;
    int r;
    int64_t n = db_scalar_int(
        db, e, 0, "SELECT COUNT(*) FROM application_communes WHERE application_id = ?", "i", o->id);
    if (e->status)
        return -1;
    o->communes = arena_alloc(a, sizeof *o->communes * (size_t)(n + 1));
    if (db_prepare(db,
                   "SELECT m.code, m.name, m.departement_code, COALESCE(m.population, 0) "
                   "FROM application_communes x JOIN communes m ON m.code = x.commune_code "
                   "WHERE x.application_id = ? ORDER BY m.name, m.code",
                   &s, e))
        return -1;
    db_bind_int(s, 1, o->id);
    while ((r = db_step(s, e)) == DB_ROW && o->ncommunes < n) {
        struct action_commune *c = &o->communes[o->ncommunes++];
        c->code = col(a, s, 0);
        c->name = col(a, s, 1);
        c->departement_code = col(a, s, 2);
        c->population = db_col_int(s, 3);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    o->files = arena_alloc(a, sizeof *o->files * (CALL_APP_FILES_MAX + 1));
    if (db_prepare(db,
                   "SELECT id, application_id, size, created_at, name, storage_key FROM "
                   "application_files WHERE application_id = ? ORDER BY id",
                   &s, e))
        return -1;
    db_bind_int(s, 1, o->id);
    while ((r = db_step(s, e)) == DB_ROW && o->nfiles < CALL_APP_FILES_MAX) {
        struct call_app_file *f = &o->files[o->nfiles++];
        f->id = db_col_int(s, 0);
        f->application_id = db_col_int(s, 1);
        f->size = db_col_int(s, 2);
        f->created_at = db_col_int(s, 3);
        f->name = col(a, s, 4);
        f->storage_key = col(a, s, 5);
    }
    db_finalize(s);
    return r < 0 ? -1 : 0;
}

int call_app_get(struct db *db, struct arena *a, int64_t id, struct call_app *out, struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT " APP_COLS " WHERE ap.id = ?", &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW)
        read_app(s, a, out);
    db_finalize(s);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(APP_NOT_FOUND));
    return read_lists(db, a, out, e);
}

static int list_where(struct db *db, struct arena *a, const char *where, int64_t arg,
                      struct call_app **out, int *n, struct err *e)
{
    struct db_stmt *s;
    *n = 0;
    *out = arena_alloc(a, sizeof **out * CALL_APP_LIST_MAX);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT " APP_COLS " WHERE %s ORDER BY ap.created_at DESC, ap.id DESC LIMIT %d", where,
             CALL_APP_LIST_MAX);
    if (db_prepare(db, sql, &s, e))
        return -1;
    db_bind_int(s, 1, arg);
    int r;
    while ((r = db_step(s, e)) == DB_ROW)
        read_app(s, a, &(*out)[(*n)++]);
    db_finalize(s);
    if (r < 0)
        return -1;
    for (int i = 0; i < *n; i++)
        if (read_lists(db, a, &(*out)[i], e))
            return -1;
    return 0;
}

int call_app_list_call(struct db *db, struct arena *a, int64_t call_id, struct call_app **out,
                       int *n, struct err *e)
{
    return list_where(db, a, "ap.call_id = ? AND ap.status <> 'draft'", call_id, out, n, e);
}

int call_app_list_mine(struct db *db, struct arena *a, const struct account *actor,
                       struct call_app **out, int *n, struct err *e)
{
    return list_where(db, a,
                      "ap.structure_id IN (SELECT structure_id FROM user_structures WHERE "
                      "user_id = ?)",
                      actor ? actor->id : 0, out, n, e);
}

/* ---- writing ---- */

static const char *trim(struct arena *a, const char *s)
{
    return text_trim(a, s ? s : "");
}

/* in trimmed into v, every rule checked (the same rules an action's would meet). */
static int check_app(struct db *db, struct arena *a, const struct call_app_input *in,
                     struct call_app_input *v, struct err *e)
{
    *v = *in;
    v->title = trim(a, in->title);
    v->project = trim(a, in->project);
    v->facilitator = trim(a, in->facilitator);
    v->planned_start = trim(a, in->planned_start);
    v->planned_end = trim(a, in->planned_end);
    v->public_desc = trim(a, in->public_desc);
    v->action_type = trim(a, in->action_type);
    if (!*v->title)
        return err_field(e, 422, "title", "Le titre du projet est obligatoire.");
    if (valid_text(v->title, "title", N_("Le titre"), CALL_APP_TITLE_MAX, 0, e) ||
        valid_text(v->project, "project", N_("La description du projet"), CALL_APP_PROJECT_MAX, 1,
                   e) ||
        valid_text(v->facilitator, "facilitator", N_("Le nom de l'intervenant"),
                   ACTION_FACILITATOR_MAX, 0, e) ||
        valid_text(v->public_desc, "public_desc", N_("Le public"), CALL_APP_PUBLIC_MAX, 1, e))
        return -1;
    if (!*v->action_type || !action_choice_label(action_types, v->action_type))
        return err_field(e, 422, "action_type", "Choisissez le type de l'action.");
    int64_t d0, d1;
    if (call_date_ok(v->planned_start, "planned_start", &d0, e) ||
        call_date_ok(v->planned_end, "planned_end", &d1, e))
        return -1;
    if (d1 < d0)
        return err_field(e, 422, "planned_end", "La fin ne peut pas précéder le début.");
    if (d1 - d0 > ACTION_DAYS_MAX)
        return err_field(e, 422, "planned_end", "Une action dure au plus %d jours.",
                         ACTION_DAYS_MAX);
    if (in->budget_requested < 0 || in->budget_requested > ACTION_BUDGET_MAX)
        return err_field(e, 422, "budget_requested", "Le budget demandé va de 0 à %d euros.",
                         ACTION_BUDGET_MAX);
    if (in->ncommunes < 1)
        return err_field(e, 422, "communes", "Indiquez au moins une commune.");
    if (in->ncommunes > ACTION_COMMUNES_MAX)
        return err_field(e, 422, "communes", "Au plus %d communes par action.",
                         ACTION_COMMUNES_MAX);
    for (int i = 0; i < in->ncommunes; i++) {
        const char *code = in->commune_codes[i];
        struct err le = {0};
        int64_t ok = db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM communes WHERE code = ?", "s",
                                   code ? code : "");
        if (le.status) {
            *e = le;
            return -1;
        }
        if (!ok)
            return err_field(e, 422, "communes", "Commune inconnue : « %s ».", code ? code : "");
        for (int j = 0; j < i; j++)
            if (!strcmp(in->commune_codes[j], code))
                return err_field(e, 422, "communes", "La commune %s est donnée deux fois.", code);
    }
    return 0;
}

static int write_communes(struct db *db, int64_t id, const struct call_app_input *v, struct err *e)
{
    if (db_execf(db, e, "DELETE FROM application_communes WHERE application_id = ?", "i", id) < 0)
        return -1;
    for (int i = 0; i < v->ncommunes; i++)
        if (db_execf(db, e,
                     "INSERT INTO application_communes (application_id, commune_code) "
                     "VALUES (?, ?)",
                     "is", id, v->commune_codes[i]) != 1)
            return -1;
    return 0;
}

int call_app_create(struct db *db, const struct account *actor, int64_t call_id,
                    const struct call_app_input *in, int64_t today, int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call c;
    if (call_get(db, a, call_id, &c, e))
        goto done;
    if (!call_is_referent(db, actor, in->structure_id)) {
        err_field(e, 403, "structure_id",
                  "Seuls les référents d'une structure peuvent candidater en son nom.");
        goto done;
    }
    if (call_state(&c, today) != CALL_OPEN) {
        err_set(e, 422, "Cet appel n'est pas ouvert : il va du %s au %s.", c.opens_on, c.closes_on);
        goto done;
    }
    struct call_app_input v;
    if (check_app(db, a, in, &v, e) || db_begin(db, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    *id = db_scalar_int(db, e, 0,
                        "INSERT INTO applications (call_id, structure_id, applicant_user_id, "
                        "title, project, facilitator, planned_start, planned_end, public_desc, "
                        "action_type, budget_requested, created_at, updated_at) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        "iiisssssssiii", call_id, v.structure_id, actor->id, v.title, v.project,
                        v.facilitator, v.planned_start, v.planned_end, v.public_desc, v.action_type,
                        v.budget_requested, now, now);
    if (e->status || *id <= 0 || write_communes(db, *id, &v, e)) {
        if (!e->status)
            err_set(e, 500, "La candidature n'a pas pu être enregistrée.");
        db_rollback(db);
        goto done;
    }
    rc = db_commit(db, e);
done:
    arena_free(a);
    return rc;
}

/* The application, readable by actor (404 otherwise, as if it did not exist). */
static int load_readable(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                         struct call_app *app, struct err *e)
{
    if (call_app_get(db, a, id, app, e))
        return -1;
    if (!call_app_can_read(db, actor, app))
        return err_set(e, 404, "%s", err_tr(APP_NOT_FOUND));
    return 0;
}

/* A draft actor may write: a referent of its structure. */
static int load_draft(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                      struct call_app *app, struct err *e)
{
    if (load_readable(db, a, actor, id, app, e))
        return -1;
    if (!call_is_referent(db, actor, app->structure_id))
        return err_set(e, 403,
                       "Seuls les référents de la structure peuvent modifier sa "
                       "candidature.");
    if (strcmp(app->status, "draft"))
        return err_set(e, 409, "Une candidature déposée ne peut plus être modifiée.");
    return 0;
}

int call_app_update(struct db *db, const struct account *actor, int64_t id,
                    const struct call_app_input *in, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call_app app;
    if (load_draft(db, a, actor, id, &app, e))
        goto done;
    struct call_app_input v;
    struct call_app_input given = *in;
    if (!given.structure_id)
        given.structure_id = app.structure_id;
    if (!call_is_referent(db, actor, given.structure_id)) {
        err_field(e, 403, "structure_id",
                  "Seuls les référents d'une structure peuvent candidater en son nom.");
        goto done;
    }
    if (check_app(db, a, &given, &v, e) || db_begin(db, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE applications SET structure_id = ?, title = ?, project = ?, "
                 "facilitator = ?, planned_start = ?, planned_end = ?, public_desc = ?, "
                 "action_type = ?, budget_requested = ?, updated_at = ? "
                 "WHERE id = ? AND status = 'draft'",
                 "isssssssiii", v.structure_id, v.title, v.project, v.facilitator, v.planned_start,
                 v.planned_end, v.public_desc, v.action_type, v.budget_requested,
                 (int64_t)time(NULL), id) != 1 ||
        write_communes(db, id, &v, e)) {
        if (!e->status)
            err_set(e, 409, "Une candidature déposée ne peut plus être modifiée.");
        db_rollback(db);
        goto done;
    }
    rc = db_commit(db, e);
done:
    arena_free(a);
    return rc;
}

int call_app_submit(struct db *db, const struct account *actor, int64_t id, int64_t today,
                    struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call_app app;
    struct call c;
    if (load_draft(db, a, actor, id, &app, e) || call_get(db, a, app.call_id, &c, e))
        goto done;
    enum call_state st = call_state(&c, today);
    if (st == CALL_CLOSED) {
        err_set(e, 422, "L'appel est clos depuis le %s : la candidature ne peut plus être déposée.",
                c.closes_on);
        goto done;
    }
    if (st == CALL_UPCOMING) {
        err_set(e, 422,
                "L'appel n'ouvre que le %s : la candidature ne peut pas encore être "
                "déposée.",
                c.opens_on);
        goto done;
    }
    if (!*app.project) {
        err_field(e, 422, "project", "Décrivez le projet avant de déposer la candidature.");
        goto done;
    }
    if (!*app.facilitator) {
        err_field(e, 422, "facilitator", "Nommez l'intervenant avant de déposer la candidature.");
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    if (db_execf(db, e,
                 "UPDATE applications SET status = 'submitted', submitted_at = ?, updated_at = ? "
                 "WHERE id = ? AND status = 'draft'",
                 "iii", now, now, id) != 1) {
        if (!e->status)
            err_set(e, 409, "Cette candidature a déjà été déposée.");
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* A submitted or decided application of a call actor manages. */
static int load_managed(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                        struct call_app *app, struct err *e)
{
    if (load_readable(db, a, actor, id, app, e))
        return -1;
    if (!call_can_manage(actor, app->coordination_id))
        return err_set(e, 403,
                       "Seuls les coordinateurs de la coordination de l'appel peuvent "
                       "statuer sur ses candidatures.");
    return 0;
}

int call_app_decide(struct db *db, const struct account *actor, int64_t id, int accept,
                    int64_t amount, const char *reason, int *over_envelope, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call_app app;
    struct call c;
    if (over_envelope)
        *over_envelope = 0;
    if (load_managed(db, a, actor, id, &app, e) || call_get(db, a, app.call_id, &c, e))
        goto done;
    if (strcmp(app.status, "submitted")) {
        err_set(e, 409,
                "Seule une candidature déposée et pas encore décidée peut recevoir une "
                "décision.");
        goto done;
    }
    const char *why = trim(a, reason);
    if (accept) {
        if (amount < 1 || amount > ACTION_BUDGET_MAX) {
            err_field(e, 422, "amount", "Le montant accordé va de 1 à %d euros.",
                      ACTION_BUDGET_MAX);
            goto done;
        }
        if (valid_text(why, "reason", N_("Le motif"), CALL_APP_REASON_MAX, 1, e))
            goto done;
    } else {
        if (!*why) {
            err_field(e, 422, "reason", "Le motif du refus est obligatoire.");
            goto done;
        }
        if (valid_text(why, "reason", N_("Le motif"), CALL_APP_REASON_MAX, 1, e))
            goto done;
        amount = 0;
    }
    int64_t now = (int64_t)time(NULL);
    if (db_execf(db, e,
                 "UPDATE applications SET status = ?, amount_granted = ?, decision_reason = ?, "
                 "decided_by = ?, decided_at = ?, updated_at = ? "
                 "WHERE id = ? AND status = 'submitted'",
                 "sisiiii", accept ? "accepted" : "declined", amount, why, actor->id, now, now,
                 id) != 1) {
        if (!e->status)
            err_set(e, 409, "Cette candidature a déjà reçu une décision.");
        goto done;
    }
    if (over_envelope && accept)
        *over_envelope = c.accepted_total + amount > c.budget;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int call_app_to_action(struct db *db, const struct account *actor, int64_t id, int64_t *action_id,
                       struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call_app app;
    if (load_managed(db, a, actor, id, &app, e))
        goto done;
    if (strcmp(app.status, "accepted")) {
        err_set(e, 409, "Seule une candidature acceptée devient une action.");
        goto done;
    }
    if (app.action_id) {
        err_set(e, 409, "Cette candidature est déjà devenue une action.");
        goto done;
    }
    const char **codes = arena_alloc(a, sizeof *codes * (size_t)(app.ncommunes + 1));
    for (int i = 0; i < app.ncommunes; i++)
        codes[i] = app.communes[i].code;
    const char *facilitators[1] = {app.facilitator};
    struct action_input in = {.coordination_id = app.coordination_id,
                              .title = app.title,
                              .description = app.project,
                              .type = app.action_type,
                              .status = "planned",
                              .start_date = app.planned_start,
                              .end_date = app.planned_end,
                              .lead_structure_id = app.structure_id,
                              .budget_requested = app.budget_requested,
                              .budget_granted = app.amount_granted,
                              .commune_codes = codes,
                              .ncommunes = app.ncommunes,
                              .facilitators = facilitators,
                              .nfacilitators = *app.facilitator ? 1 : 0};
    if (db_begin(db, e))
        goto done;
    if (action_create(db, actor, &in, action_id, e) ||
        db_execf(db, e,
                 "UPDATE applications SET action_id = ?, updated_at = ? WHERE id = ? AND "
                 "action_id IS NULL",
                 "iii", *action_id, (int64_t)time(NULL), id) != 1) {
        if (!e->status)
            err_set(e, 409, "Cette candidature est déjà devenue une action.");
        db_rollback(db);
        goto done;
    }
    rc = db_commit(db, e);
done:
    arena_free(a);
    return rc;
}

/* ---- attachments ---- */

const char *call_app_file_path(struct arena *a, const char *data_dir, const char *storage_key)
{
    return arena_printf(a, "%s/applications/%s.pdf", data_dir, storage_key);
}

int call_is_pdf(const void *data, size_t len)
{
    if (len < 5 || memcmp(data, "%PDF-", 5))
        return 0;
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
                           MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF);
    if (!m)
        return 0;
    int ok = 0;
    if (magic_load(m, NULL) == 0) {
        const char *mime = magic_buffer(m, data, len);
        ok = mime && !strcmp(mime, "application/pdf");
    }
    magic_close(m);
    return ok;
}

/* Writes data to path and syncs it (file and directory): durable before it is recorded. */
static int write_durable(const char *dir, const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) || close(fd)) {
        unlink(path);
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* The name shown for an upload: its last path segment, trimmed, ".pdf" when none given. */
static const char *display_name(struct arena *a, const char *name)
{
    const char *n = name ? name : "";
    const char *slash = strrchr(n, '/');
    if (slash)
        n = slash + 1;
    slash = strrchr(n, '\\');
    if (slash)
        n = slash + 1;
    n = text_trim(a, n);
    if (!*n || !text_utf8_valid(n, strlen(n)) || text_has_control(n, strlen(n), 0))
        return "document.pdf";
    if (text_utf8_len(n, strlen(n)) > CALL_APP_FILE_NAME_MAX) {
        /* cut at a character boundary */
        size_t k = 0;
        long chars = 0;
        while (n[k] && chars < CALL_APP_FILE_NAME_MAX) {
            k++;
            while ((n[k] & 0xC0) == 0x80)
                k++;
            chars++;
        }
        n = arena_strndup(a, n, k);
    }
    return n;
}

int call_app_file_add(struct db *db, const struct account *actor, int64_t app_id,
                      const char *data_dir, const char *name, const void *data, size_t len,
                      int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct call_app app;
    const char *path = NULL;
    if (load_draft(db, a, actor, app_id, &app, e))
        goto done;
    if (len > CALL_APP_FILE_MAX_BYTES) {
        err_field(e, 413, "file", "Un fichier joint fait au plus %d Mo.",
                  CALL_APP_FILE_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if (app.nfiles >= CALL_APP_FILES_MAX) {
        err_field(e, 422, "file", "Au plus %d fichiers joints par candidature.",
                  CALL_APP_FILES_MAX);
        goto done;
    }
    if (!call_is_pdf(data, len)) {
        err_field(e, 422, "file", "Seuls les fichiers PDF sont acceptés.");
        goto done;
    }
    unsigned char rnd[16];
    char key[2 * sizeof rnd + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(key, sizeof key, rnd, sizeof rnd);
    const char *dir = arena_printf(a, "%s/applications", data_dir);
    if (mkdir(dir, 0750) && errno != EEXIST) {
        err_set(e, 500, "Le dossier des pièces jointes n'a pas pu être créé.");
        goto done;
    }
    path = call_app_file_path(a, data_dir, key);
    if (write_durable(dir, path, data, len)) {
        path = NULL;
        err_set(e, 500, "Le fichier n'a pas pu être enregistré.");
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    /* checked again as the row goes in: a submission or another upload may have come in
     * between the checks above and now */
    *id = db_scalar_int(db, e, 0,
                        "INSERT INTO application_files (application_id, name, size, storage_key, "
                        "created_at) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "
                        "applications WHERE id = ? AND status = 'draft') AND (SELECT COUNT(*) "
                        "FROM application_files WHERE application_id = ?) < ? RETURNING id",
                        "isisiiii", app_id, display_name(a, name), (int64_t)len, key, now, app_id,
                        app_id, (int64_t)CALL_APP_FILES_MAX);
    if (e->status || *id <= 0) {
        if (!e->status)
            err_field(e, 409, "file",
                      "La candidature a été déposée ou a reçu %d fichiers entre-temps.",
                      CALL_APP_FILES_MAX);
        goto done;
    }
    path = NULL;
    rc = 0;
done:
    if (path)
        unlink(path);
    arena_free(a);
    return rc;
}

int call_app_file_get(struct db *db, struct arena *a, int64_t id, struct call_app_file *out,
                      struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db,
                   "SELECT id, application_id, size, created_at, name, storage_key FROM "
                   "application_files WHERE id = ?",
                   &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW) {
        out->id = db_col_int(s, 0);
        out->application_id = db_col_int(s, 1);
        out->size = db_col_int(s, 2);
        out->created_at = db_col_int(s, 3);
        out->name = col(a, s, 4);
        out->storage_key = col(a, s, 5);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    return r == DB_ROW ? 0 : err_set(e, 404, "Pièce jointe introuvable.");
}
