/* job: the durable job queue kept in the database (table jobs), and the workers that run it.
 * Enqueue, claim under a lease, heartbeat, retry with back-off, dead letters, handler table. */
#ifndef LANTERNE_JOB_H
#define LANTERNE_JOB_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct arena;

/* Limits and timings. Times are unix milliseconds throughout this module. */
enum {
    JOB_KIND_MAX = 64,                   /* bytes of a kind name */
    JOB_PAYLOAD_MAX = 64 * 1024,         /* bytes of a JSON payload */
    JOB_WORKER_MAX = 128,                /* bytes of a worker name */
    JOB_KINDS_MAX = 32,                  /* kinds one worker may be limited to */
    JOB_MAX_ATTEMPTS_DEFAULT = 5,        /* when enqueue is given 0 */
    JOB_MAX_ATTEMPTS_LIMIT = 100,        /* most a job may ask for */
    JOB_BACKOFF_BASE_MS = 10 * 1000,     /* wait before the 2nd attempt; doubles after */
    JOB_BACKOFF_MAX_MS = 60 * 60 * 1000, /* the doubling stops here */
    JOB_LEASE_MS_DEFAULT = 60 * 1000,    /* a killed worker's job waits this long */
    JOB_LEASE_MS_MIN = 100,              /* shorter leases would expire between beats */
    JOB_POLL_MS_DEFAULT = 1000,          /* idle worker: look for work this often */
    JOB_PER_PAGE_DEFAULT = 50,
    JOB_PER_PAGE_MAX = 1000,
    JOB_MAINTENANCE_EVERY_MS = 60 * 60 * 1000 /* periodic kinds run at most once per hour */
};
/* Finished jobs are deleted by the periodic job_prune this long after they are done (dead
 * jobs are kept: someone has to read why they failed). */
#define JOB_DONE_KEEP_MS (7 * 24 * 3600 * (int64_t)1000)

/* Strings point into the arena given to the function that filled the struct, or are NULL
 * where the column is (worker, last_error before any failure). Unset times are 0. */
struct job {
    int64_t id;
    const char *kind, *payload, *state; /* state: queued, running, done or dead */
    int attempts, max_attempts;
    int64_t run_at, lease_until;
    const char *worker, *last_error;
    int64_t created_at, updated_at, finished_at;
};

struct job_counts {
    int64_t queued, running, done, dead;
};

struct job_filter {
    const char *state; /* NULL for any, else one of the four states */
    const char *kind;  /* NULL for any */
    int page;          /* 1-based; < 1 means 1 */
    int per_page;      /* <= 0 means JOB_PER_PAGE_DEFAULT; capped at _MAX */
};

/* Given to a handler while it runs (see job_begin_final). */
struct job_ctx;

/* A kind of job. run returns 0 when the work is done, or -1 with e filled with a message a
 * person can read (it becomes last_error); the worker then completes or fails the job.
 * Handlers must be idempotent, or write their effect through job_begin_final: a worker may
 * die after the work but before the job is marked done, and the job then runs again. */
struct job_handler {
    const char *kind;
    int (*run)(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e);
    int periodic;  /* the workers enqueue it themselves, at most once an hour */
    int test_only; /* exists only when the environment has LANTERNE_TEST_JOBS=1 */
};

/* The handler of kind, or NULL when unknown or not enabled in this process. */
const struct job_handler *job_handler_find(const char *kind);

/* Adds a job. kind must have a handler here (422 otherwise, on "kind"), payload_json must be
 * a JSON object (NULL means {}; 422 on "payload"). run_at_ms 0 means now; max_attempts 0
 * means JOB_MAX_ATTEMPTS_DEFAULT. Joins the caller's transaction if one is open, so work
 * and its follow-up job are committed together. */
int job_enqueue(struct db *db, const char *kind, const char *payload_json, int64_t run_at_ms,
                int max_attempts, int64_t *id, struct err *e);
/* Same, unless a job with the same unique_key was ever enqueued (while it is still in the
 * table): then nothing is added. 0 added, 1 already there, -1 error. Holds across
 * processes and engines (a unique column, not a lookup that two processes could both pass). */
int job_enqueue_once(struct db *db, const char *kind, const char *payload_json, int64_t run_at_ms,
                     int max_attempts, const char *unique_key, int64_t *id, struct err *e);

/* Takes the oldest due job, one that is queued with run_at passed or running with its
 * lease expired (its worker died or hung), among kinds (NULL-terminated; NULL for any): it
 * becomes running, owned by worker until now + lease_ms, attempts + 1. No two workers, in
 * any process, ever get the same claim. A job whose lease expired after max_attempts claims
 * is made dead instead of running again (it kills its workers). 1 claimed (strings in ar),
 * 0 nothing to do, -1 error. */
int job_claim(struct db *db, struct arena *ar, const char *worker, const char *const *kinds,
              int lease_ms, struct job *out, struct err *e);
/* Pushes the lease to now + lease_ms. 0 done, 1 lost (the job is no longer running under
 * this worker: its lease expired and another worker took it), -1 error. */
int job_heartbeat(struct db *db, int64_t id, const char *worker, int lease_ms, struct err *e);
/* Marks the job done. 0, 1 lost (as above; nothing changed), -1 error. */
int job_complete(struct db *db, int64_t id, const char *worker, struct err *e);
/* Records a failed attempt with message: queued again after job_backoff_ms(attempts), or
 * dead once attempts reached max_attempts, message kept in last_error. 0, 1 lost, -1. */
int job_fail(struct db *db, int64_t id, const char *worker, const char *message, struct err *e);
/* The wait after the given number of failed attempts: JOB_BACKOFF_BASE_MS doubled for each
 * attempt after the first, at most JOB_BACKOFF_MAX_MS. */
int64_t job_backoff_ms(int attempts);
/* Requeues a dead job with a fresh set of attempts (last_error is kept until the next one).
 * 404 when there is no such job, 409 when it is not dead. */
int job_retry(struct db *db, int64_t id, struct err *e);

/* 0, or -1 with e (404 when there is no such job). */
int job_get(struct db *db, struct arena *ar, int64_t id, struct job *out, struct err *e);
/* One page, newest first; *out in ar; *total counts every match. 422 for an unknown state. */
int job_list(struct db *db, struct arena *ar, const struct job_filter *f, struct job **out, int *n,
             int64_t *total, struct err *e);
int job_counts(struct db *db, const char *kind, struct job_counts *out, struct err *e);

/* For a handler whose effect must happen exactly once: opens the transaction in which the
 * worker will also mark the job done, after checking that the job is still this worker's
 * (the row stays locked against claims until the commit). Write the effect, then return 0:
 * the effect and the completion commit together, or neither does. 1 when the job was lost
 * (return at once: nothing may be written), -1 error. */
int job_begin_final(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e);
/* 1 once the worker was asked to stop, or lost the job: a long handler may give up early
 * (return -1 with e filled, or 0 if it could finish cleanly). */
int job_ctx_should_stop(const struct job_ctx *ctx);
/* Called by a handler before it returns -1 when trying again cannot help (the input itself
 * is refused): the job becomes dead at once instead of being retried. ctx may be NULL. */
void job_ctx_give_up(struct job_ctx *ctx);

struct job_worker_opts {
    int poll_ms;              /* 0 means JOB_POLL_MS_DEFAULT */
    int lease_ms;             /* 0 means JOB_LEASE_MS_DEFAULT; heartbeats every third */
    const char *const *kinds; /* NULL-terminated, kept (not copied) while the worker runs;
                                 NULL means every kind enabled here */
    int quiet;                /* no line per job on standard error (failures still are) */
};

/* Checks that every kind of a NULL-terminated list has a handler here (422 naming it). */
int job_kinds_check(const char *const *kinds, struct err *e);

/* Runs jobs on its own connections to db_url until *stop becomes non-zero, then returns
 * after finishing the job in hand. Claims, runs with a heartbeat thread renewing the lease,
 * completes or fails; enqueues the periodic kinds it runs once an hour. worker must be
 * unique among live workers (hostname:pid is). Returns 0, or -1 when it cannot start. */
int job_worker_run(const char *db_url, const char *worker, atomic_int *stop,
                   const struct job_worker_opts *o, struct err *e);

/* job_worker_run on a thread of its own, which never receives SIGTERM or SIGINT (the
 * process's signal thread handles them). NULL with e when it cannot start. */
struct job_worker;
struct job_worker *job_worker_start(const char *db_url, const char *worker,
                                    const struct job_worker_opts *o, struct err *e);
/* Asks it to stop, waits for the job in hand to finish, frees it. NULL is fine. */
void job_worker_stop(struct job_worker *w);

#endif
