/* job_worker: the workers that run the job queue: the claim loop, the heartbeat thread that
 * renews leases, signal masking, the handler table and built-in handlers, hourly maintenance. */
#include "job_internal.h"

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
#include "core/mem.h"
#include "db/db.h"
#include "film.h"
#include "session.h"
#include "tus.h"

enum {
    JOB_NAP_SLICE_MS = 50, /* an idle worker notices a stop request this fast */
    JOB_TEST_SLEEP_MAX_MS = 600 * 1000,
    JOB_PERIODIC_ATTEMPTS = 3, /* a maintenance run that fails thrice waits for the next */
};

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
                 job_now_ms() - JOB_DONE_KEEP_MS) < 0)
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
    {"upload_expire", tus_job_expire, 1, 0},
    {"test_sleep", run_test_sleep, 0, 1},
    {"film_process", film_job_process, 0, 0},
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
    int64_t slot = job_now_ms() / JOB_MAINTENANCE_EVERY_MS;
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
    r = job_fail_state(w->db, j->id, w->name, e.msg, ctx.give_up, &ce);
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
