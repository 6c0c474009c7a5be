/* job: the durable job queue (table jobs, migrations/0002_jobs.sql) and its workers.
 * Ownership of a running job is its worker name plus state 'running': every write checks both. */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "session.h"

enum {
    JOB_CLAIM_TRIES = 8,   /* dead-lettered or raced rows skipped before giving up */
    JOB_NAP_SLICE_MS = 50, /* an idle worker notices a stop request this fast */
    JOB_TEST_SLEEP_MAX_MS = 600 * 1000,
    JOB_PERIODIC_ATTEMPTS = 3, /* a maintenance run that fails thrice waits for the next */
    JOB_SQL_MAX = 4096
};

/* Every column, in the order job_row reads them. */
#define JOB_COLS                                                                                   \
    "id, kind, payload, state, attempts, max_attempts, run_at, lease_until, worker, "              \
    "last_error, created_at, updated_at, finished_at"
/* A job a worker may take: queued and due, or running under a lease that ran out. Binds now
 * twice. */
#define JOB_DUE "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?))"

struct job_ctx {
    const char *worker;
    atomic_int *stop; /* the worker's stop request */
    atomic_int lost;  /* the heartbeat found the job taken over */
    int final_open;   /* job_begin_final opened the completion transaction */
};

/* Worker clocks decide leases, so the machines of a multi-node set-up must keep their clocks
 * in step (NTP); a skew much smaller than the lease is harmless. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* ---- handlers ---------------------------------------------------------------------------- */

static int run_session_purge(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    struct err ie = {0};
    if (session_purge_expired(db, &ie) < 0)
        return err_set(e, 500, "La suppression des sessions expirées a échoué : %s", ie.msg);
    return 0;
}

static int run_login_failures_prune(struct db *db, const struct job *j, struct job_ctx *ctx,
                                    struct err *e)
{
    struct err ie = {0};
    if (account_prune_failures(db, &ie) < 0)
        return err_set(e, 500, "Le nettoyage des tentatives de connexion échouées a échoué : %s",
                       ie.msg);
    return 0;
}

static int run_job_prune(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    struct err ie = {0};
    if (db_execf(db, &ie, "DELETE FROM jobs WHERE state = 'done' AND finished_at < ?", "i",
                 now_ms() - JOB_DONE_KEEP_MS) < 0)
        return err_set(e, 500, "Le nettoyage des tâches terminées a échoué : %s", ie.msg);
    return 0;
}

/* For the test suites: sleeps payload.ms, fails while attempts <= payload.fail_until, then
 * appends "id attempt worker" to payload.file inside the completion transaction, so a line
 * whose attempt is the job's final attempt count was written by the run that committed. */
static int run_test_sleep(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    json_error_t je;
    json_t *p = json_loads(j->payload, 0, &je);
    json_int_t ms = 0, fail_until = 0;
    const char *file = NULL;
    int rc = 0;
    if (!p || json_unpack_ex(p, &je, 0, "{s?I, s?s, s?I}", "ms", &ms, "file", &file, "fail_until",
                             &fail_until)) {
        rc = err_set(e, 422, "Paramètres de la tâche de test illisibles : %s", je.text);
        goto done;
    }
    if (ms < 0 || ms > JOB_TEST_SLEEP_MAX_MS || (file && file[0] != '/')) {
        rc = err_set(e, 422, "Paramètres de la tâche de test hors limites.");
        goto done;
    }
    sleep_ms(ms);
    if (j->attempts <= fail_until) {
        rc = err_set(e, 500, "Échec provoqué par le test (tentative %d).", j->attempts);
        goto done;
    }
    if (!file)
        goto done;
    int fin = job_begin_final(db, j, ctx, e);
    if (fin) {
        rc = fin < 0 ? -1 : 0; /* lost: nothing written, the completion will say so */
        goto done;
    }
    char line[JOB_WORKER_MAX + 64];
    int n = snprintf(line, sizeof line, "%lld %d %s\n", (long long)j->id, j->attempts, ctx->worker);
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    /* one short write on an O_APPEND file: lines of concurrent workers never interleave */
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        rc = err_set(e, 500, "Écriture impossible dans %s : %s", file, strerror(errno));
    if (fd >= 0)
        close(fd);
done:
    json_decref(p);
    return rc;
}

static const struct job_handler job_handlers[] = {
    {"session_purge", run_session_purge, 1, 0},
    {"login_failures_prune", run_login_failures_prune, 1, 0},
    {"job_prune", run_job_prune, 1, 0},
    {"test_sleep", run_test_sleep, 0, 1},
};

static int job_handler_enabled(const struct job_handler *h)
{
    if (!h->test_only)
        return 1;
    /* test_sleep writes to any file its payload names: never in production */
    const char *t = getenv("LANTERNE_TEST_JOBS");
    return t && strcmp(t, "1") == 0;
}

const struct job_handler *job_handler_find(const char *kind)
{
    if (!kind)
        return NULL;
    for (size_t i = 0; i < sizeof job_handlers / sizeof job_handlers[0]; i++)
        if (strcmp(job_handlers[i].kind, kind) == 0 && job_handler_enabled(&job_handlers[i]))
            return &job_handlers[i];
    return NULL;
}

int job_kinds_check(const char *const *kinds, struct err *e)
{
    size_t n = 0;
    for (; kinds && kinds[n]; n++)
        if (!job_handler_find(kinds[n]))
            return err_field(e, 422, "kind", "Type de tâche inconnu : « %s ».", kinds[n]);
    if (n > JOB_KINDS_MAX)
        return err_field(e, 422, "kind", "Trop de types de tâches (au plus %d).", JOB_KINDS_MAX);
    return 0;
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
    int64_t now = now_ms();
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
    int64_t now = now_ms();
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
        now = now_ms();
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
    int64_t now = now_ms();
    int64_t n = db_execf(db, e,
                         "UPDATE jobs SET lease_until = ?, updated_at = ? "
                         "WHERE id = ? AND worker = ? AND state = 'running'",
                         "iiis", now + lease_ms, now, id, worker);
    return n < 0 ? -1 : n == 0;
}

int job_complete(struct db *db, int64_t id, const char *worker, struct err *e)
{
    int64_t now = now_ms();
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
static int job_fail_state(struct db *db, int64_t id, const char *worker, const char *message,
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
    int64_t now = now_ms();
    int64_t n;
    if (attempts >= max_attempts)
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
    int rc = job_fail_state(db, id, worker, message, e);
    return rc == 2 ? 0 : rc;
}

int job_retry(struct db *db, int64_t id, struct err *e)
{
    int64_t now = now_ms();
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
                         "iis", now_ms(), j->id, ctx->worker);
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

/* ---- workers ----------------------------------------------------------------------------- */

/* One worker: the connection jobs run on, and a heartbeat thread with a connection of its
 * own that renews the lease of the job in hand every third of the lease, however long the
 * handler blocks (a transcode may run for many minutes in one call). */
struct job_worker {
    pthread_t thread;
    atomic_int own_stop; /* the stop flag of a worker made by job_worker_start */
    atomic_int *stop;
    struct db *db, *hb_db;
    char name[JOB_WORKER_MAX + 1];
    int poll_ms, lease_ms, quiet;
    const char *kinds[JOB_KINDS_MAX + 1];
    int64_t maintenance_slot; /* the hour the periodic kinds were last enqueued for */

    pthread_t hb_thread;
    int hb_started;
    pthread_mutex_t mu; /* guards the hb_ fields below */
    pthread_cond_t cv;
    int hb_quit;
    int64_t hb_job;         /* 0 when idle */
    int64_t hb_next;        /* monotonic ms of the next renewal */
    struct job_ctx *hb_ctx; /* of hb_job, to flag a lost lease */
};

/* Threads made here never take the process's SIGTERM or SIGINT: the signal thread of the
 * program (sigwait in http_serve or cli_worker) must be the one to get them. */
static int spawn_blocked(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static void *wk_heartbeat(void *arg)
{
    struct job_worker *w = arg;
    int every = w->lease_ms / 3;
    pthread_mutex_lock(&w->mu);
    while (!w->hb_quit) {
        if (!w->hb_job) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        int64_t wait = w->hb_next - mono_ms();
        if (wait > 0) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += wait / 1000;
            until.tv_nsec += (wait % 1000) * 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&w->cv, &w->mu, &until);
            continue; /* look again: the job may have ended or changed meanwhile */
        }
        int64_t job = w->hb_job;
        w->hb_next = mono_ms() + every;
        /* not under the lock: on SQLite the renewal may wait for the job's own transaction */
        pthread_mutex_unlock(&w->mu);
        struct err e = {0};
        int r = job_heartbeat(w->hb_db, job, w->name, w->lease_ms, &e);
        pthread_mutex_lock(&w->mu);
        if (r < 0)
            fprintf(stderr, "lanterne: worker %s: job %lld: lease renewal failed: %s\n", w->name,
                    (long long)job, e.msg);
        else if (r == 1 && w->hb_job == job) {
            atomic_store(&w->hb_ctx->lost, 1);
            fprintf(stderr, "lanterne: worker %s: job %lld: lease lost to another worker\n",
                    w->name, (long long)job);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void wk_watch(struct job_worker *w, int64_t job, struct job_ctx *ctx)
{
    pthread_mutex_lock(&w->mu);
    w->hb_job = job;
    w->hb_ctx = ctx;
    w->hb_next = mono_ms() + w->lease_ms / 3;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void wk_close(struct job_worker *w)
{
    if (w->hb_started) {
        pthread_mutex_lock(&w->mu);
        w->hb_quit = 1;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->hb_thread, NULL);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
    db_close(w->db);
    db_close(w->hb_db);
}

static int wk_open(struct job_worker *w, const char *db_url, const char *worker,
                   const struct job_worker_opts *o, struct err *e)
{
    if (!worker || !*worker || strlen(worker) > JOB_WORKER_MAX)
        return err_set(e, 2, "worker name must be 1 to %d bytes", JOB_WORKER_MAX);
    if (db_url && strcmp(db_url, "sqlite::memory:") == 0)
        return err_set(e, 2,
                       "a worker needs a shared database: each connection to "
                       "sqlite::memory: is a separate one");
    snprintf(w->name, sizeof w->name, "%s", worker);
    w->poll_ms = o && o->poll_ms > 0 ? o->poll_ms : JOB_POLL_MS_DEFAULT;
    w->lease_ms = o && o->lease_ms > 0 ? o->lease_ms : JOB_LEASE_MS_DEFAULT;
    w->quiet = o && o->quiet;
    if (w->lease_ms < JOB_LEASE_MS_MIN)
        return err_set(e, 2, "a lease must last at least %d ms", JOB_LEASE_MS_MIN);
    size_t n = 0;
    if (o && o->kinds) {
        if (job_kinds_check(o->kinds, e))
            return -1;
        for (; o->kinds[n]; n++)
            w->kinds[n] = o->kinds[n];
    } else {
        /* only what this process can run: a test kind stays queued for a test worker */
        for (size_t i = 0; i < sizeof job_handlers / sizeof job_handlers[0]; i++)
            if (job_handler_enabled(&job_handlers[i]))
                w->kinds[n++] = job_handlers[i].kind;
    }
    w->kinds[n] = NULL;
    if (db_open(db_url, &w->db, e) || db_open(db_url, &w->hb_db, e)) {
        wk_close(w);
        return -1;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (spawn_blocked(&w->hb_thread, wk_heartbeat, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        wk_close(w);
        return err_set(e, 500, "cannot start the heartbeat thread");
    }
    w->hb_started = 1;
    return 0;
}

/* Enqueues the periodic kinds this worker runs once per clock hour. The key names the hour,
 * so however many workers and processes try, each kind is added once per hour. */
static void wk_maintenance(struct job_worker *w)
{
    int64_t slot = now_ms() / JOB_MAINTENANCE_EVERY_MS;
    if (slot == w->maintenance_slot)
        return;
    int ok = 1;
    for (size_t i = 0; w->kinds[i]; i++) {
        const struct job_handler *h = job_handler_find(w->kinds[i]);
        if (!h || !h->periodic)
            continue;
        char key[JOB_KIND_MAX + 32];
        snprintf(key, sizeof key, "%s@%lld", h->kind, (long long)slot);
        struct err e = {0};
        if (job_enqueue_once(w->db, h->kind, "{}", 0, JOB_PERIODIC_ATTEMPTS, key, NULL, &e) < 0) {
            fprintf(stderr, "lanterne: worker %s: cannot enqueue %s: %s\n", w->name, h->kind,
                    e.msg);
            ok = 0;
        }
    }
    if (ok)
        w->maintenance_slot = slot;
}

static void wk_run(struct job_worker *w, struct job *j)
{
    struct job_ctx ctx = {.worker = w->name, .stop = w->stop};
    atomic_init(&ctx.lost, 0);
    const struct job_handler *h = job_handler_find(j->kind);
    int64_t t0 = mono_ms();
    struct err e = {0};
    wk_watch(w, j->id, &ctx);
    int rc = h ? h->run(w->db, j, &ctx, &e)
               : err_set(&e, 500, "Aucun traitement n'existe ici pour les tâches « %s ».", j->kind);
    wk_watch(w, 0, NULL);
    int64_t ms = mono_ms() - t0;
    struct err ce = {0};
    int r;
    if (rc == 0) {
        r = job_complete(w->db, j->id, w->name, &ce);
        if (ctx.final_open) {
            if (r != 0)
                db_rollback(w->db);
            else if (db_commit(w->db, &ce))
                r = -1;
        }
        if (r == 0) {
            if (!w->quiet)
                fprintf(stderr, "lanterne: worker %s: job %lld (%s) done in %lld ms\n", w->name,
                        (long long)j->id, j->kind, (long long)ms);
            return;
        }
        if (r == 1) {
            fprintf(stderr,
                    "lanterne: worker %s: job %lld (%s) finished after its lease went "
                    "to another worker; result dropped\n",
                    w->name, (long long)j->id, j->kind);
            return;
        }
        /* the work is done but not recorded: let the retry machinery take it from here */
        err_set(&e, 500, "Le travail a abouti mais n'a pas pu être enregistré : %s", ce.msg);
    } else if (ctx.final_open) {
        db_rollback(w->db);
    }
    r = job_fail_state(w->db, j->id, w->name, e.msg, &ce);
    if (r < 0)
        fprintf(stderr,
                "lanterne: worker %s: job %lld (%s) failed (%s) and could not be "
                "recorded: %s\n",
                w->name, (long long)j->id, j->kind, e.msg, ce.msg);
    else if (r == 1)
        fprintf(stderr,
                "lanterne: worker %s: job %lld (%s) failed after its lease went to "
                "another worker: %s\n",
                w->name, (long long)j->id, j->kind, e.msg);
    else
        fprintf(stderr, "lanterne: worker %s: job %lld (%s) attempt %d of %d failed%s: %s\n",
                w->name, (long long)j->id, j->kind, j->attempts, j->max_attempts,
                r == 2 ? ", now dead" : ", will retry", e.msg);
}

/* Waits ms, or less if asked to stop. */
static void wk_nap(struct job_worker *w, int ms)
{
    int64_t end = mono_ms() + ms;
    for (int64_t left = ms; left > 0 && !atomic_load(w->stop); left = end - mono_ms())
        sleep_ms(left < JOB_NAP_SLICE_MS ? left : JOB_NAP_SLICE_MS);
}

static void wk_loop(struct job_worker *w)
{
    while (!atomic_load(w->stop)) {
        wk_maintenance(w);
        struct arena *ar = arena_new();
        struct job j;
        struct err e = {0};
        int r = job_claim(w->db, ar, w->name, w->kinds, w->lease_ms, &j, &e);
        if (r == 1)
            wk_run(w, &j);
        else if (r < 0)
            fprintf(stderr, "lanterne: worker %s: cannot claim a job: %s\n", w->name, e.msg);
        arena_free(ar);
        if (r != 1)
            wk_nap(w, w->poll_ms); /* also after an error: the database may be restarting */
    }
}

int job_worker_run(const char *db_url, const char *worker, atomic_int *stop,
                   const struct job_worker_opts *o, struct err *e)
{
    struct job_worker *w = xcalloc(1, sizeof *w);
    w->stop = stop;
    if (wk_open(w, db_url, worker, o, e)) {
        free(w);
        return -1;
    }
    wk_loop(w);
    wk_close(w);
    free(w);
    return 0;
}

static void *wk_thread(void *arg)
{
    wk_loop(arg);
    return NULL;
}

struct job_worker *job_worker_start(const char *db_url, const char *worker,
                                    const struct job_worker_opts *o, struct err *e)
{
    struct job_worker *w = xcalloc(1, sizeof *w);
    atomic_init(&w->own_stop, 0);
    w->stop = &w->own_stop;
    if (wk_open(w, db_url, worker, o, e)) {
        free(w);
        return NULL;
    }
    if (spawn_blocked(&w->thread, wk_thread, w)) {
        wk_close(w);
        free(w);
        err_set(e, 500, "cannot start the worker thread");
        return NULL;
    }
    return w;
}

void job_worker_stop(struct job_worker *w)
{
    if (!w)
        return;
    atomic_store(w->stop, 1);
    pthread_join(w->thread, NULL);
    wk_close(w);
    free(w);
}
