/* job: the durable job queue (table jobs, migrations/0002_jobs.sql); workers in job_worker.c.
 * Ownership of a running job is its worker name plus state 'running': every write checks both. */
#include "job_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    JOB_CLAIM_TRIES = 8, /* dead-lettered or raced rows skipped before giving up */
    JOB_SQL_MAX = 4096
};

/* Every column, in the order job_row reads them. */
#define JOB_COLS                                                                                   \
    "id, kind, payload, state, attempts, max_attempts, run_at, lease_until, worker, "              \
    "last_error, created_at, updated_at, finished_at"
/* A job a worker may take: queued and due, or running under a lease that ran out. Binds now
 * twice. */
#define JOB_DUE "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?))"

int64_t job_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- rows -------------------------------------------------------------------------------- */

static const char *col_str(struct db_stmt *s, struct arena *ar, int col)
{
    const char *v = db_col_text(s, col);
    return v ? arena_strndup(ar, v, db_col_len(s, col)) : NULL;
}

static int64_t col_time(struct db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? 0 : db_col_int(s, col);
}

static void job_row(struct db_stmt *s, struct arena *ar, struct job *j)
{
    j->id = db_col_int(s, 0);
    j->kind = col_str(s, ar, 1);
    j->payload = col_str(s, ar, 2);
    j->state = col_str(s, ar, 3);
    j->attempts = (int)db_col_int(s, 4);
    j->max_attempts = (int)db_col_int(s, 5);
    j->run_at = col_time(s, 6);
    j->lease_until = col_time(s, 7);
    j->worker = col_str(s, ar, 8);
    j->last_error = col_str(s, ar, 9);
    j->created_at = col_time(s, 10);
    j->updated_at = col_time(s, 11);
    j->finished_at = col_time(s, 12);
}

/* ---- enqueue ----------------------------------------------------------------------------- */

static int job_insert(struct db *db, const char *kind, const char *payload, int64_t run_at,
                      int max_attempts, const char *unique_key, int64_t *id, struct err *e)
{
    if (id)
        *id = 0;
    if (!job_handler_find(kind))
        return err_field(e, 422, "kind", "Type de tâche inconnu : « %s ».", kind ? kind : "");
    if (!payload)
        payload = "{}";
    size_t plen = strlen(payload);
    if (plen > JOB_PAYLOAD_MAX)
        return err_field(e, 422, "payload", "Les paramètres de la tâche dépassent %d octets.",
                         JOB_PAYLOAD_MAX);
    json_error_t je;
    json_t *p = json_loadb(payload, plen, JSON_REJECT_DUPLICATES, &je);
    int is_object = json_is_object(p);
    json_decref(p);
    if (!is_object)
        return err_field(e, 422, "payload",
                         "Les paramètres de la tâche doivent être un objet JSON.");
    if (max_attempts == 0)
        max_attempts = JOB_MAX_ATTEMPTS_DEFAULT;
    if (max_attempts < 1 || max_attempts > JOB_MAX_ATTEMPTS_LIMIT)
        return err_field(e, 422, "max_attempts",
                         "Le nombre d'essais doit être compris entre 1 et %d.",
                         JOB_MAX_ATTEMPTS_LIMIT);
    if (run_at < 0)
        return err_field(e, 422, "run_at", "La date d'exécution est invalide.");
    int64_t now = job_now_ms();
    if (run_at == 0)
        run_at = now;
    struct err le = {0};
    int64_t got;
    if (unique_key)
        got = db_scalar_int(db, &le, 0,
                            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, "
                            "run_at, unique_key, created_at, updated_at) "
                            "VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (unique_key) DO NOTHING RETURNING id",
                            "ssiisii", kind, payload, (int64_t)max_attempts, run_at, unique_key,
                            now, now);
    else
        got = db_scalar_int(db, &le, 0,
                            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, "
                            "run_at, created_at, updated_at) "
                            "VALUES (?, ?, 'queued', 0, ?, ?, ?, ?) RETURNING id",
                            "ssiiii", kind, payload, (int64_t)max_attempts, run_at, now, now);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (id)
        *id = got;
    return got == 0 ? 1 : 0; /* no id back: the unique key was taken */
}

int job_enqueue(struct db *db, const char *kind, const char *payload_json, int64_t run_at_ms,
                int max_attempts, int64_t *id, struct err *e)
{
    return job_insert(db, kind, payload_json, run_at_ms, max_attempts, NULL, id, e) < 0 ? -1 : 0;
}

int job_enqueue_once(struct db *db, const char *kind, const char *payload_json, int64_t run_at_ms,
                     int max_attempts, const char *unique_key, int64_t *id, struct err *e)
{
    if (!unique_key || !*unique_key)
        return err_field(e, 422, "unique_key", "La clé d'unicité de la tâche est vide.");
    return job_insert(db, kind, payload_json, run_at_ms, max_attempts, unique_key, id, e);
}

/* ---- claim ------------------------------------------------------------------------------- */

/* Prepares "SELECT <what> FROM jobs WHERE <due> [AND kind IN (...)] <tail>" with its values
 * bound. The SQL is built from constant pieces and one '?' per kind: no value enters it. */
static int due_stmt(struct db *db, const char *what, const char *tail, const char *const *kinds,
                    int64_t now, struct db_stmt **out, struct err *e)
{
    struct buf sql;
    buf_init(&sql, JOB_SQL_MAX);
    int nk = 0;
    int full = buf_printf(&sql, "SELECT %s FROM jobs WHERE " JOB_DUE, what);
    if (kinds) {
        full |= buf_puts(&sql, " AND kind IN (");
        for (; kinds[nk]; nk++)
            full |= buf_puts(&sql, nk ? ", ?" : "?");
        full |= buf_puts(&sql, ")");
    }
    full |= buf_puts(&sql, tail);
    int rc = -1;
    if (full)
        err_set(e, 500, "job claim: query too long");
    else if (db_prepare(db, buf_cstr(&sql), out, e) == 0) {
        db_bind_int(*out, 1, now);
        db_bind_int(*out, 2, now);
        for (int i = 0; i < nk; i++)
            db_bind_text(*out, 3 + i, kinds[i]);
        rc = 0;
    }
    buf_free(&sql);
    return rc;
}

/* Outside any transaction: an idle worker polls without taking SQLite's write lock. */
static int job_probe(struct db *db, const char *const *kinds, int64_t now, struct err *e)
{
    struct db_stmt *s;
    if (due_stmt(db, "id", " LIMIT 1", kinds, now, &s, e))
        return -1;
    int rc = db_step(s, e);
    db_finalize(s);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* A job that has been taken by max_attempts workers which all died or hung is most likely
 * what kills them: it stops here, with a message saying so, instead of taking down more. */
static int job_bury(struct db *db, int64_t id, int attempts, int64_t now, struct err *e)
{
    struct err msg = {0};
    err_set(&msg, 500,
            "Abandonnée : le programme qui la traitait s'est arrêté ou a cessé de répondre, "
            "%d fois de suite.",
            attempts);
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?, "
                         "finished_at = ?, updated_at = ? "
                         "WHERE id = ? AND state = 'running' AND lease_until < ?",
                         "siiii", msg.msg, now, now, id, now);
    if (n > 0)
        fprintf(stderr, "lanterne: job %lld dead: its lease expired %d times\n", (long long)id,
                attempts);
    return n < 0 ? -1 : 0;
}

int job_claim(struct db *db, struct arena *ar, const char *worker, const char *const *kinds,
              int lease_ms, struct job *out, struct err *e)
{
    if (!worker || !*worker || strlen(worker) > JOB_WORKER_MAX)
        return err_set(e, 500, "job claim: the worker name must be 1 to %d bytes", JOB_WORKER_MAX);
    if (lease_ms < JOB_LEASE_MS_MIN)
        return err_set(e, 500, "job claim: a lease must last at least %d ms", JOB_LEASE_MS_MIN);
    if (kinds && !kinds[0])
        return 0;
    int64_t now = job_now_ms();
    int found = job_probe(db, kinds, now, e);
    if (found <= 0)
        return found;

    /* SQLite: db_begin is BEGIN IMMEDIATE, so from here to the commit this is the only
     * writer in any process and the row read below cannot be claimed by anyone else.
     * PostgreSQL: FOR UPDATE SKIP LOCKED locks the row, and concurrent claimers pass over
     * it to the next one instead of waiting. The UPDATE repeats the due test either way, so
     * a row that stopped being due is never taken. */
    if (db_begin(db, e))
        return -1;
    char tail[128];
    snprintf(tail, sizeof tail, " ORDER BY run_at, id LIMIT 1%s", db_sql_skip_locked(db));
    int claimed = 0;
    for (int tries = 0; tries < JOB_CLAIM_TRIES && !claimed; tries++) {
        now = job_now_ms();
        struct db_stmt *s;
        if (due_stmt(db, "id, state, attempts, max_attempts", tail, kinds, now, &s, e))
            goto fail;
        int rc = db_step(s, e);
        int64_t id = rc == DB_ROW ? db_col_int(s, 0) : 0;
        int running = rc == DB_ROW && strcmp(db_col_text(s, 1), "running") == 0;
        int attempts = rc == DB_ROW ? (int)db_col_int(s, 2) : 0;
        int max_attempts = rc == DB_ROW ? (int)db_col_int(s, 3) : 0;
        db_finalize(s);
        if (rc < 0)
            goto fail;
        if (rc == DB_DONE)
            break;
        if (running && attempts >= max_attempts) {
            if (job_bury(db, id, attempts, now, e))
                goto fail;
            continue;
        }
        if (db_prepare(db,
                       "UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                       "lease_until = ?, worker = ?, updated_at = ? "
                       "WHERE id = ? AND " JOB_DUE " RETURNING " JOB_COLS,
                       &s, e))
            goto fail;
        db_bind_int(s, 1, now + lease_ms);
        db_bind_text(s, 2, worker);
        db_bind_int(s, 3, now);
        db_bind_int(s, 4, id);
        db_bind_int(s, 5, now);
        db_bind_int(s, 6, now);
        rc = db_step(s, e);
        if (rc == DB_ROW) {
            job_row(s, ar, out);
            claimed = 1;
        }
        db_finalize(s);
        if (rc < 0)
            goto fail;
    }
    if (db_commit(db, e))
        return -1;
    return claimed;
fail:
    db_rollback(db);
    return -1;
}

/* ---- the life of a claimed job ----------------------------------------------------------- */

int job_heartbeat(struct db *db, int64_t id, const char *worker, int lease_ms, struct err *e)
{
    int64_t now = job_now_ms();
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET lease_until = ?, updated_at = ? "
                         "WHERE id = ? AND worker = ? AND state = 'running'",
                         "iiis", now + lease_ms, now, id, worker);
    return n < 0 ? -1 : n == 0;
}

int job_complete(struct db *db, int64_t id, const char *worker, struct err *e)
{
    int64_t now = job_now_ms();
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ?, "
                         "updated_at = ? WHERE id = ? AND worker = ? AND state = 'running'",
                         "iiis", now, now, id, worker);
    return n < 0 ? -1 : n == 0;
}

int64_t job_backoff_ms(int attempts)
{
    int64_t d = JOB_BACKOFF_BASE_MS;
    for (int i = 1; i < attempts && d < JOB_BACKOFF_MAX_MS; i++)
        d *= 2;
    return d < JOB_BACKOFF_MAX_MS ? d : JOB_BACKOFF_MAX_MS;
}

/* job_fail, telling the caller which way it went: 0 requeued, 2 dead, 1 lost, -1 error. */
int job_fail_state(struct db *db, int64_t id, const char *worker, const char *message, int last,
                   struct err *e)
{
    if (!message || !*message)
        message = "Échec sans message.";
    if (db_begin(db, e))
        return -1;
    struct db_stmt *s = NULL;
    int rc = -1;
    if (db_prepare(db,
                   "SELECT attempts, max_attempts FROM jobs "
                   "WHERE id = ? AND worker = ? AND state = 'running'",
                   &s, e))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, worker);
    int step = db_step(s, e);
    int attempts = step == DB_ROW ? (int)db_col_int(s, 0) : 0;
    int max_attempts = step == DB_ROW ? (int)db_col_int(s, 1) : 0;
    db_finalize(s);
    if (step < 0)
        goto out;
    if (step == DB_DONE) {
        rc = 1;
        goto out;
    }
    int64_t now = job_now_ms();
    int64_t n;
    if (last || attempts >= max_attempts)
        n = db_execf(db, e,
                     "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?, "
                     "finished_at = ?, updated_at = ? "
                     "WHERE id = ? AND worker = ? AND state = 'running'",
                     "siiis", message, now, now, id, worker);
    else
        n = db_execf(db, e,
                     "UPDATE jobs SET state = 'queued', lease_until = NULL, last_error = ?, "
                     "run_at = ?, updated_at = ? "
                     "WHERE id = ? AND worker = ? AND state = 'running'",
                     "siiis", message, now + job_backoff_ms(attempts), now, id, worker);
    if (n < 0)
        goto out;
    /* n is 0 only when another worker took the job since the read: impossible on SQLite,
     * whose transaction is single-writer; on PostgreSQL the read took no row lock */
    rc = n == 0 ? 1 : attempts >= max_attempts ? 2 : 0;
out:
    if (rc < 0) {
        db_rollback(db);
        return -1;
    }
    return db_commit(db, e) ? -1 : rc;
}

int job_fail(struct db *db, int64_t id, const char *worker, const char *message, struct err *e)
{
    int rc = job_fail_state(db, id, worker, message, 0, e);
    return rc == 2 ? 0 : rc;
}

int job_retry(struct db *db, int64_t id, struct err *e)
{
    int64_t now = job_now_ms();
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, "
                         "lease_until = NULL, finished_at = NULL, updated_at = ? "
                         "WHERE id = ? AND state = 'dead'",
                         "iii", now, now, id);
    if (n < 0)
        return -1;
    if (n > 0)
        return 0;
    struct arena *ar = arena_new();
    struct job j;
    int rc = job_get(db, ar, id, &j, e);
    if (rc == 0)
        rc = err_set(e, 409, "Seule une tâche abandonnée peut être relancée ; celle-ci est « %s ».",
                     j.state);
    arena_free(ar);
    return rc;
}

int job_begin_final(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    if (ctx->final_open)
        return 0;
    if (db_begin(db, e))
        return -1;
    /* a write, not a read: on SQLite the transaction already excludes every other writer;
     * on PostgreSQL this takes the row lock that makes claimers skip the row until commit */
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET updated_at = ? "
                         "WHERE id = ? AND worker = ? AND state = 'running'",
                         "iis", job_now_ms(), j->id, ctx->worker);
    if (n <= 0) {
        db_rollback(db);
        if (n < 0)
            return -1;
        atomic_store(&ctx->lost, 1);
        return 1;
    }
    ctx->final_open = 1;
    return 0;
}

int job_ctx_should_stop(const struct job_ctx *ctx)
{
    return atomic_load(ctx->stop) || atomic_load(&ctx->lost);
}

void job_ctx_give_up(struct job_ctx *ctx)
{
    if (ctx)
        ctx->give_up = 1;
}

/* ---- reading ----------------------------------------------------------------------------- */

int job_get(struct db *db, struct arena *ar, int64_t id, struct job *out, struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int rc = db_step(s, e);
    if (rc == DB_ROW)
        job_row(s, ar, out);
    db_finalize(s);
    if (rc < 0)
        return -1;
    if (rc == DB_DONE)
        return err_set(e, 404, "Aucune tâche n'a le numéro %lld.", (long long)id);
    return 0;
}

static int job_state_valid(const char *s)
{
    static const char *const states[] = {"queued", "running", "done", "dead"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(s, states[i]) == 0)
            return 1;
    return 0;
}

int job_list(struct db *db, struct arena *ar, const struct job_filter *f, struct job **out, int *n,
             int64_t *total, struct err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (f->state && !job_state_valid(f->state))
        return err_field(e, 422, "state",
                         "État de tâche inconnu : « %s » (queued, running, done ou dead).",
                         f->state);
    int per_page = f->per_page <= 0 ? JOB_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > JOB_PER_PAGE_MAX)
        per_page = JOB_PER_PAGE_MAX;
    int page = f->page < 1 ? 1 : f->page;
    /* only the filters given become SQL, so the planner can use the (state, run_at) index */
    char where[64];
    snprintf(where, sizeof where, "%s%s", f->state ? " AND state = ?" : "",
             f->kind ? " AND kind = ?" : "");
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM jobs WHERE 1 = 1%s", where);
    struct db_stmt *s;
    if (db_prepare(db, sql, &s, e))
        return -1;
    int idx = 1;
    if (f->state)
        db_bind_text(s, idx++, f->state);
    if (f->kind)
        db_bind_text(s, idx++, f->kind);
    int rc = db_step(s, e);
    if (rc == DB_ROW)
        *total = db_col_int(s, 0);
    db_finalize(s);
    if (rc < 0)
        return -1;
    snprintf(sql, sizeof sql,
             "SELECT " JOB_COLS " FROM jobs WHERE 1 = 1%s ORDER BY id DESC LIMIT ? OFFSET ?",
             where);
    if (db_prepare(db, sql, &s, e))
        return -1;
    idx = 1;
    if (f->state)
        db_bind_text(s, idx++, f->state);
    if (f->kind)
        db_bind_text(s, idx++, f->kind);
    db_bind_int(s, idx++, per_page);
    db_bind_int(s, idx, (int64_t)(page - 1) * per_page);
    struct job *list = arena_alloc(ar, sizeof *list * (size_t)per_page);
    int k = 0;
    while ((rc = db_step(s, e)) == DB_ROW && k < per_page)
        job_row(s, ar, &list[k++]);
    db_finalize(s);
    if (rc < 0)
        return -1;
    *out = list;
    *n = k;
    return 0;
}

int job_counts(struct db *db, const char *kind, struct job_counts *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s;
    if (db_prepare(db,
                   kind ? "SELECT state, COUNT(*) FROM jobs WHERE kind = ? GROUP BY state"
                        : "SELECT state, COUNT(*) FROM jobs GROUP BY state",
                   &s, e))
        return -1;
    if (kind)
        db_bind_text(s, 1, kind);
    int rc;
    while ((rc = db_step(s, e)) == DB_ROW) {
        const char *st = db_col_text(s, 0);
        int64_t c = db_col_int(s, 1);
        if (strcmp(st, "queued") == 0)
            out->queued = c;
        else if (strcmp(st, "running") == 0)
            out->running = c;
        else if (strcmp(st, "done") == 0)
            out->done = c;
        else if (strcmp(st, "dead") == 0)
            out->dead = c;
    }
    db_finalize(s);
    return rc < 0 ? -1 : 0;
}
