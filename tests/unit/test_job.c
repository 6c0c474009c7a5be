/* test_job: the job queue through job.h: enqueue, claim order, leases, heartbeats, back-off,
 * dead letters, retry, and workers; on SQLite, and on PostgreSQL when LANTERNE_TEST_DATABASE_URL
 * names one (each test then empties it first: it must be a throwaway database). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "db/db.h"
#include "job.h"

enum {
    RACE_JOBS = 300,  /* claimed by two threads at once */
    WORKER_JOBS = 60, /* run by two workers */
    WAIT_MS = 30000   /* longest a test waits for workers */
};

static const char *pg_url; /* from LANTERNE_TEST_DATABASE_URL */

/* A database that several connections share: a temporary file on SQLite, the emptied test
 * database on PostgreSQL. */
struct fx {
    char dir[64];
    char url[256];
    char out[128]; /* a file test_sleep jobs append to */
    struct db *db;
    struct arena *ar;
};

static struct db *open_ok(const char *url)
{
    struct db *db = NULL;
    struct err e = {0};
    if (db_open(url, &db, &e))
        fail_msg("db_open(%s): %s", url, e.msg);
    return db;
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e = {0};
    snprintf(f->dir, sizeof f->dir, "/tmp/lanterne-test-job-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->out, sizeof f->out, "%s/out.txt", f->dir);
    if (pg_url) {
        snprintf(f->url, sizeof f->url, "%s", pg_url);
        f->db = open_ok(f->url);
        if (db_exec(f->db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public", &e)) {
            fprintf(stderr, "setup: %s\n", e.msg);
            return -1;
        }
    } else {
        snprintf(f->url, sizeof f->url, "sqlite:%s/test.db", f->dir);
        f->db = open_ok(f->url);
    }
    if (db_migrate(f->db, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->ar = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const names[] = {"test.db", "test.db-wal", "test.db-shm", "out.txt"};
    db_close(f->db);
    arena_free(f->ar);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static int64_t enqueue_ok(struct db *db, const char *kind, const char *payload, int64_t run_at,
                          int max_attempts)
{
    int64_t id = 0;
    struct err e = {0};
    if (job_enqueue(db, kind, payload, run_at, max_attempts, &id, &e))
        fail_msg("job_enqueue(%s): %s", kind, e.msg);
    assert_true(id > 0);
    return id;
}

/* 1 with the job in *j, or 0; fails the test on an error. */
static int claim(struct db *db, struct arena *ar, const char *worker, int lease_ms, struct job *j)
{
    struct err e = {0};
    int r = job_claim(db, ar, worker, NULL, lease_ms, j, &e);
    if (r < 0)
        fail_msg("job_claim: %s", e.msg);
    return r;
}

static struct job get_ok(struct fx *f, int64_t id)
{
    struct job j;
    struct err e = {0};
    if (job_get(f->db, f->ar, id, &j, &e))
        fail_msg("job_get(%lld): %s", (long long)id, e.msg);
    return j;
}

static void exec_ok(struct db *db, const char *sql, const char *types, int64_t v)
{
    struct err e = {0};
    int64_t n = types[0] ? db_execf(db, &e, sql, types, v) : db_execf(db, &e, sql, types);
    if (n < 0)
        fail_msg("%s: %s", sql, e.msg);
}

/* ---- the life of a job ------------------------------------------------------------------- */

static void test_enqueue_claim_complete(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t t0 = now_ms();
    int64_t id = enqueue_ok(f->db, "session_purge", "{\"why\":\"test\"}", 0, 0);
    struct job j = get_ok(f, id);
    assert_string_equal(j.state, "queued");
    assert_string_equal(j.kind, "session_purge");
    assert_string_equal(j.payload, "{\"why\":\"test\"}");
    assert_int_equal(j.attempts, 0);
    assert_int_equal(j.max_attempts, JOB_MAX_ATTEMPTS_DEFAULT);
    assert_true(j.run_at >= t0 && j.run_at <= now_ms());
    assert_null(j.worker);
    assert_null(j.last_error);

    struct job c;
    assert_int_equal(claim(f->db, f->ar, "w1", 5000, &c), 1);
    assert_int_equal(c.id, id);
    assert_string_equal(c.state, "running");
    assert_string_equal(c.worker, "w1");
    assert_int_equal(c.attempts, 1);
    assert_true(c.lease_until >= t0 + 5000 && c.lease_until <= now_ms() + 5000);
    /* running under a live lease: nobody else gets it */
    struct job other;
    assert_int_equal(claim(f->db, f->ar, "w2", 5000, &other), 0);

    assert_int_equal(job_complete(f->db, id, "w1", &e), 0);
    j = get_ok(f, id);
    assert_string_equal(j.state, "done");
    assert_true(j.finished_at >= t0);
    assert_int_equal(j.lease_until, 0);
    assert_int_equal(claim(f->db, f->ar, "w1", 5000, &c), 0);
    /* completing twice is "lost", not a second completion */
    assert_int_equal(job_complete(f->db, id, "w1", &e), 1);
}

static void test_enqueue_refusals(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id;
    assert_int_equal(job_enqueue(f->db, "no_such_kind", "{}", 0, 0, &id, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "kind");
    assert_non_null(strstr(e.msg, "no_such_kind"));
    static const char *const bad[] = {"[1]", "\"x\"", "{", "{\"a\":1,\"a\":2}", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        assert_int_equal(job_enqueue(f->db, "session_purge", bad[i], 0, 0, &id, &e), -1);
        assert_int_equal(e.status, 422);
        assert_string_equal(e.field, "payload");
    }
    /* the payload limit, crossed by one byte */
    char *big = xmalloc(JOB_PAYLOAD_MAX + 2);
    memset(big, ' ', JOB_PAYLOAD_MAX + 1);
    big[0] = '{';
    big[JOB_PAYLOAD_MAX - 1] = '}';
    big[JOB_PAYLOAD_MAX] = 0;
    assert_int_equal(job_enqueue(f->db, "session_purge", big, 0, 0, &id, &e), 0);
    big[JOB_PAYLOAD_MAX] = ' ';
    big[JOB_PAYLOAD_MAX + 1] = 0;
    assert_int_equal(job_enqueue(f->db, "session_purge", big, 0, 0, &id, &e), -1);
    assert_string_equal(e.field, "payload");
    free(big);
    assert_int_equal(
        job_enqueue(f->db, "session_purge", NULL, 0, JOB_MAX_ATTEMPTS_LIMIT + 1, &id, &e), -1);
    assert_string_equal(e.field, "max_attempts");
    assert_int_equal(job_enqueue(f->db, "session_purge", NULL, 0, -1, &id, &e), -1);
    /* the test kind exists only where LANTERNE_TEST_JOBS=1 */
    unsetenv("LANTERNE_TEST_JOBS");
    assert_int_equal(job_enqueue(f->db, "test_sleep", "{}", 0, 0, &id, &e), -1);
    assert_string_equal(e.field, "kind");
    setenv("LANTERNE_TEST_JOBS", "1", 1);
    assert_int_equal(job_enqueue(f->db, "test_sleep", "{}", 0, 0, &id, &e), 0);
}

static void test_claim_order(void **state)
{
    struct fx *f = *state;
    int64_t now = now_ms();
    int64_t later = enqueue_ok(f->db, "session_purge", NULL, now + 60000, 0);
    int64_t b = enqueue_ok(f->db, "session_purge", NULL, now - 1000, 0);
    int64_t a = enqueue_ok(f->db, "session_purge", NULL, now - 2000, 0);
    int64_t c = enqueue_ok(f->db, "session_purge", NULL, now - 1000, 0); /* ties: by id */
    int64_t want[] = {a, b, c};
    struct job j;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
        assert_int_equal(j.id, want[i]);
    }
    /* not due yet */
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 0);
    assert_string_equal(get_ok(f, later).state, "queued");
}

static void test_claim_kinds(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t purge = enqueue_ok(f->db, "session_purge", NULL, now_ms() - 1000, 0);
    int64_t prune = enqueue_ok(f->db, "login_failures_prune", NULL, 0, 0);
    const char *const only_prune[] = {"login_failures_prune", NULL};
    const char *const none[] = {NULL};
    struct job j;
    assert_int_equal(job_claim(f->db, f->ar, "w", none, 5000, &j, &e), 0);
    assert_int_equal(job_claim(f->db, f->ar, "w", only_prune, 5000, &j, &e), 1);
    assert_int_equal(j.id, prune);
    assert_int_equal(job_claim(f->db, f->ar, "w", only_prune, 5000, &j, &e), 0);
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(j.id, purge);
    /* a worker name is required, and leases have a floor */
    assert_int_equal(job_claim(f->db, f->ar, "", NULL, 5000, &j, &e), -1);
    assert_int_equal(job_claim(f->db, f->ar, "w", NULL, JOB_LEASE_MS_MIN - 1, &j, &e), -1);
    const char *const unknown[] = {"session_purge", "nope", NULL};
    assert_int_equal(job_kinds_check(unknown, &e), -1);
    assert_non_null(strstr(e.msg, "nope"));
}

/* ---- two claimers at once ---------------------------------------------------------------- */

struct racer {
    const char *url;
    char name[16];
    int64_t *ids; /* what this racer claimed, in order */
    int n;
    char err[320];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct db *db = NULL;
    struct err e = {0};
    if (db_open(r->url, &db, &e)) {
        snprintf(r->err, sizeof r->err, "open: %s", e.msg);
        return NULL;
    }
    struct arena *ar = arena_new();
    for (;;) {
        struct job j;
        int got = job_claim(db, ar, r->name, NULL, 60000, &j, &e);
        if (got < 0) {
            snprintf(r->err, sizeof r->err, "claim: %s", e.msg);
            break;
        }
        if (got == 0)
            break;
        r->ids[r->n++] = j.id;
        if (job_complete(db, j.id, r->name, &e) != 0) {
            snprintf(r->err, sizeof r->err, "complete %lld: %s", (long long)j.id, e.msg);
            break;
        }
    }
    arena_free(ar);
    db_close(db);
    return NULL;
}

static void test_no_double_claim(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(db_begin(f->db, &e), 0);
    for (int i = 0; i < RACE_JOBS; i++)
        enqueue_ok(f->db, "session_purge", NULL, 0, 0);
    assert_int_equal(db_commit(f->db, &e), 0);
    struct racer rs[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&rs[i], 0, sizeof rs[i]);
        rs[i].url = f->url;
        snprintf(rs[i].name, sizeof rs[i].name, "racer%d", i);
        rs[i].ids = xcalloc(RACE_JOBS, sizeof *rs[i].ids);
        assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    char *seen = xcalloc(RACE_JOBS + 1, 1);
    for (int i = 0; i < 2; i++) {
        if (rs[i].err[0])
            fail_msg("%s: %s", rs[i].name, rs[i].err);
        for (int k = 0; k < rs[i].n; k++) {
            int64_t id = rs[i].ids[k];
            assert_true(id >= 1 && id <= RACE_JOBS);
            if (seen[id])
                fail_msg("job %lld claimed twice", (long long)id);
            seen[id] = 1;
        }
    }
    assert_int_equal(rs[0].n + rs[1].n, RACE_JOBS);
    struct job_counts c;
    assert_int_equal(job_counts(f->db, NULL, &c, &e), 0);
    assert_int_equal(c.done, RACE_JOBS);
    assert_int_equal(c.queued + c.running + c.dead, 0);
    free(seen);
    free(rs[0].ids);
    free(rs[1].ids);
}

/* ---- leases ------------------------------------------------------------------------------ */

static void test_lease_expiry_reclaim(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct db *db2 = open_ok(f->url);
    int64_t id = enqueue_ok(f->db, "session_purge", NULL, 0, 0);
    struct job a, b;
    assert_int_equal(claim(f->db, f->ar, "A", 200, &a), 1);
    assert_int_equal(job_heartbeat(f->db, id, "A", 200, &e), 0);
    assert_int_equal(claim(db2, f->ar, "B", 200, &b), 0);
    sleep_ms(300); /* A was killed: no more heartbeats */
    assert_int_equal(claim(db2, f->ar, "B", 5000, &b), 1);
    assert_int_equal(b.id, id);
    assert_int_equal(b.attempts, 2);
    assert_string_equal(b.worker, "B");
    /* A comes back: everything it tries says the job is no longer its own */
    assert_int_equal(job_heartbeat(f->db, id, "A", 200, &e), 1);
    assert_int_equal(job_complete(f->db, id, "A", &e), 1);
    assert_int_equal(job_fail(f->db, id, "A", "trop tard", &e), 1);
    struct job j = get_ok(f, id);
    assert_string_equal(j.state, "running");
    assert_string_equal(j.worker, "B");
    assert_null(j.last_error);
    assert_int_equal(job_complete(db2, id, "B", &e), 0);
    assert_string_equal(get_ok(f, id).state, "done");
    db_close(db2);
}

static void test_heartbeat_keeps_lease(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = enqueue_ok(f->db, "session_purge", NULL, 0, 0);
    struct job j;
    assert_int_equal(claim(f->db, f->ar, "A", 300, &j), 1);
    for (int i = 0; i < 4; i++) { /* 600 ms in all: twice the lease */
        sleep_ms(150);
        assert_int_equal(job_heartbeat(f->db, id, "A", 300, &e), 0);
        assert_int_equal(claim(f->db, f->ar, "B", 300, &j), 0);
    }
    assert_true(get_ok(f, id).lease_until > now_ms());
    /* a heartbeat never revives a job that is not running */
    assert_int_equal(job_complete(f->db, id, "A", &e), 0);
    assert_int_equal(job_heartbeat(f->db, id, "A", 300, &e), 1);
    assert_string_equal(get_ok(f, id).state, "done");
}

/* A job that keeps outliving its workers is what kills them: after max_attempts expired
 * leases it is dead, with a message saying why, instead of being claimed again. */
static void test_expired_leases_bury(void **state)
{
    struct fx *f = *state;
    int64_t id = enqueue_ok(f->db, "session_purge", NULL, 0, 2);
    struct job j;
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(claim(f->db, f->ar, "mortal", 100, &j), 1);
        assert_int_equal(j.attempts, i);
        sleep_ms(150);
    }
    assert_int_equal(claim(f->db, f->ar, "next", 100, &j), 0);
    j = get_ok(f, id);
    assert_string_equal(j.state, "dead");
    assert_non_null(strstr(j.last_error, "2 fois"));
    assert_true(j.finished_at > 0);
}

/* ---- failures ---------------------------------------------------------------------------- */

static void test_backoff_schedule(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    assert_int_equal(job_backoff_ms(1), JOB_BACKOFF_BASE_MS);
    assert_int_equal(job_backoff_ms(2), 2 * JOB_BACKOFF_BASE_MS);
    assert_int_equal(job_backoff_ms(3), 4 * JOB_BACKOFF_BASE_MS);
    assert_int_equal(job_backoff_ms(4), 8 * JOB_BACKOFF_BASE_MS);
    for (int a = 1; a < 100; a++) {
        assert_true(job_backoff_ms(a) <= JOB_BACKOFF_MAX_MS);
        assert_true(job_backoff_ms(a + 1) >= job_backoff_ms(a));
    }
    assert_int_equal(job_backoff_ms(60), JOB_BACKOFF_MAX_MS);
    assert_int_equal(job_backoff_ms(1000000), JOB_BACKOFF_MAX_MS);

    /* each failure puts run_at that far ahead, and the job is not claimable before */
    int64_t id = enqueue_ok(f->db, "session_purge", NULL, 0, 4);
    for (int attempt = 1; attempt <= 3; attempt++) {
        struct job j;
        assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
        assert_int_equal(j.attempts, attempt);
        int64_t t0 = now_ms();
        assert_int_equal(job_fail(f->db, id, "w", "Le serveur de fichiers ne répond pas.", &e), 0);
        j = get_ok(f, id);
        assert_string_equal(j.state, "queued");
        assert_string_equal(j.last_error, "Le serveur de fichiers ne répond pas.");
        assert_int_equal(j.lease_until, 0);
        assert_true(j.run_at >= t0 + job_backoff_ms(attempt));
        assert_true(j.run_at <= now_ms() + job_backoff_ms(attempt));
        assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 0);
        exec_ok(f->db, "UPDATE jobs SET run_at = 0 WHERE id = ?", "i", id); /* time passes */
    }
}

static void test_dead_letter_and_retry(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    const char *why = "La vidéo « Été 2024 » est illisible : le fichier est tronqué.";
    int64_t id = enqueue_ok(f->db, "session_purge", NULL, 0, 2);
    struct job j;
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(job_fail(f->db, id, "w", "première erreur", &e), 0);
    exec_ok(f->db, "UPDATE jobs SET run_at = 0 WHERE id = ?", "i", id);
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(j.attempts, 2);
    assert_string_equal(j.last_error, "première erreur");
    assert_int_equal(job_fail(f->db, id, "w", why, &e), 0);
    j = get_ok(f, id);
    assert_string_equal(j.state, "dead");
    assert_string_equal(j.last_error, why);
    assert_int_equal(j.attempts, 2);
    assert_true(j.finished_at > 0);
    exec_ok(f->db, "UPDATE jobs SET run_at = 0 WHERE id = ?", "i", id);
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 0);

    struct job_counts c;
    assert_int_equal(job_counts(f->db, NULL, &c, &e), 0);
    assert_int_equal(c.dead, 1);

    /* an operator fixed the cause: the job gets a fresh set of attempts */
    assert_int_equal(job_retry(f->db, id, &e), 0);
    j = get_ok(f, id);
    assert_string_equal(j.state, "queued");
    assert_int_equal(j.attempts, 0);
    assert_int_equal(j.finished_at, 0);
    assert_int_equal(job_retry(f->db, id, &e), -1);
    assert_int_equal(e.status, 409);
    assert_int_equal(job_retry(f->db, id + 1000, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(j.attempts, 1);
    assert_int_equal(job_complete(f->db, id, "w", &e), 0);
}

/* ---- reading ----------------------------------------------------------------------------- */

static void test_list_and_counts(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    for (int i = 0; i < 5; i++)
        enqueue_ok(f->db, "session_purge", NULL, 0, 0);
    for (int i = 0; i < 3; i++)
        enqueue_ok(f->db, "login_failures_prune", NULL, 0, 0);
    struct job j;
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(job_complete(f->db, j.id, "w", &e), 0);
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);

    struct job_counts c;
    assert_int_equal(job_counts(f->db, NULL, &c, &e), 0);
    assert_int_equal(c.queued, 6);
    assert_int_equal(c.running, 1);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.dead, 0);
    assert_int_equal(job_counts(f->db, "login_failures_prune", &c, &e), 0);
    assert_int_equal(c.queued, 3);

    struct job *list;
    int n;
    int64_t total;
    struct job_filter all = {.per_page = 3, .page = 1};
    assert_int_equal(job_list(f->db, f->ar, &all, &list, &n, &total, &e), 0);
    assert_int_equal(total, 8);
    assert_int_equal(n, 3);
    assert_true(list[0].id > list[1].id && list[1].id > list[2].id); /* newest first */
    all.page = 3;
    assert_int_equal(job_list(f->db, f->ar, &all, &list, &n, &total, &e), 0);
    assert_int_equal(n, 2);
    struct job_filter q = {.state = "queued", .kind = "session_purge"};
    assert_int_equal(job_list(f->db, f->ar, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 3);
    for (int i = 0; i < n; i++) {
        assert_string_equal(list[i].state, "queued");
        assert_string_equal(list[i].kind, "session_purge");
    }
    struct job_filter bad = {.state = "lost"};
    assert_int_equal(job_list(f->db, f->ar, &bad, &list, &n, &total, &e), -1);
    assert_int_equal(e.status, 422);
    assert_int_equal(job_get(f->db, f->ar, 99999, &j, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_enqueue_once(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(job_enqueue_once(f->db, "session_purge", NULL, 0, 0, "purge@1", &id1, &e), 0);
    assert_true(id1 > 0);
    assert_int_equal(job_enqueue_once(f->db, "session_purge", NULL, 0, 0, "purge@1", &id2, &e), 1);
    assert_int_equal(id2, 0);
    /* still once after it ran */
    struct job j;
    assert_int_equal(claim(f->db, f->ar, "w", 5000, &j), 1);
    assert_int_equal(job_complete(f->db, j.id, "w", &e), 0);
    assert_int_equal(job_enqueue_once(f->db, "session_purge", NULL, 0, 0, "purge@1", &id2, &e), 1);
    assert_int_equal(job_enqueue_once(f->db, "session_purge", NULL, 0, 0, "purge@2", &id2, &e), 0);
    struct job_counts c;
    assert_int_equal(job_counts(f->db, NULL, &c, &e), 0);
    assert_int_equal(c.queued + c.done, 2);
    assert_int_equal(job_enqueue_once(f->db, "session_purge", NULL, 0, 0, "", &id2, &e), -1);
}

/* ---- workers ----------------------------------------------------------------------------- */

static int64_t count_done(struct db *db, const char *kind)
{
    struct job_counts c;
    struct err e = {0};
    if (job_counts(db, kind, &c, &e))
        fail_msg("job_counts: %s", e.msg);
    return c.done;
}

static int wait_done(struct db *db, const char *kind, int64_t want)
{
    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        if (count_done(db, kind) >= want)
            return 1;
        sleep_ms(20);
    }
    return 0;
}

/* Two workers, each with its heartbeat thread, share the jobs: every one is run once, by the
 * run that committed it, and the file the jobs append to says so line by line. */
static void test_workers_run_each_once(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    char payload[256];
    snprintf(payload, sizeof payload, "{\"ms\":2,\"file\":\"%s\"}", f->out);
    assert_int_equal(db_begin(f->db, &e), 0);
    for (int i = 0; i < WORKER_JOBS; i++)
        enqueue_ok(f->db, "test_sleep", payload, 0, 0);
    assert_int_equal(db_commit(f->db, &e), 0);
    const char *const kinds[] = {"test_sleep", NULL};
    struct job_worker_opts o = {.poll_ms = 20, .lease_ms = 1000, .kinds = kinds, .quiet = 1};
    struct job_worker *w1 = job_worker_start(f->url, "unit-1", &o, &e);
    struct job_worker *w2 = job_worker_start(f->url, "unit-2", &o, &e);
    assert_non_null(w1);
    assert_non_null(w2);
    int ok = wait_done(f->db, "test_sleep", WORKER_JOBS);
    job_worker_stop(w1);
    job_worker_stop(w2);
    assert_true(ok);

    int seen[WORKER_JOBS + 1] = {0};
    int by[2] = {0};
    FILE *in = fopen(f->out, "r");
    assert_non_null(in);
    long long id;
    int attempt;
    char who[64];
    while (fscanf(in, "%lld %d %63s", &id, &attempt, who) == 3) {
        assert_true(id >= 1 && id <= WORKER_JOBS);
        assert_int_equal(attempt, 1);
        seen[id]++;
        by[strcmp(who, "unit-1") == 0 ? 0 : 1]++;
    }
    fclose(in);
    for (int i = 1; i <= WORKER_JOBS; i++)
        if (seen[i] != 1)
            fail_msg("job %d ran %d times", i, seen[i]);
    assert_int_equal(by[0] + by[1], WORKER_JOBS);
}

/* A failing handler goes through job_fail (with its message); a worker that runs every kind
 * also queues the hourly maintenance, and runs it: old login failures are pruned. */
static void test_worker_failures_and_maintenance(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    int64_t id = enqueue_ok(f->db, "test_sleep", "{\"fail_until\":1}", 0, 1);
    int64_t bad = enqueue_ok(f->db, "test_sleep", "{\"ms\":-5}", 0, 1);
    exec_ok(f->db, "INSERT INTO login_failures (scope, at) VALUES ('login:x', ?)", "i", 0);
    struct job_worker_opts o = {.poll_ms = 20, .lease_ms = 1000, .quiet = 1};
    struct job_worker *w = job_worker_start(f->url, "maint", &o, &e);
    assert_non_null(w);
    int ok = wait_done(f->db, "job_prune", 1) && wait_done(f->db, "login_failures_prune", 1) &&
             wait_done(f->db, "session_purge", 1);
    for (int waited = 0; ok && waited < WAIT_MS; waited += 20) {
        struct job_counts c;
        assert_int_equal(job_counts(f->db, "test_sleep", &c, &e), 0);
        if (c.dead == 2)
            break;
        sleep_ms(20);
    }
    job_worker_stop(w);
    assert_true(ok);
    struct job j = get_ok(f, id);
    assert_string_equal(j.state, "dead");
    assert_string_equal(j.last_error, "Échec provoqué par le test (tentative 1).");
    j = get_ok(f, bad);
    assert_string_equal(j.state, "dead");
    assert_non_null(strstr(j.last_error, "hors limites"));
    assert_int_equal(db_scalar_int(f->db, &e, -1, "SELECT COUNT(*) FROM login_failures", ""), 0);
    /* once per hour: the periodic jobs are there once each, whatever the loop did */
    assert_int_equal(
        db_scalar_int(f->db, &e, -1, "SELECT COUNT(*) FROM jobs WHERE kind = 'session_purge'", ""),
        1);

    /* the URL must be one a second connection (the heartbeat) can share */
    assert_null(job_worker_start("sqlite::memory:", "m", &o, &e));
    const char *const unknown[] = {"nope", NULL};
    o.kinds = unknown;
    assert_null(job_worker_start(f->url, "m", &o, &e));
    job_worker_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enqueue_claim_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enqueue_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_double_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_expiry_reclaim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_keeps_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_leases_bury, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letter_and_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enqueue_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workers_run_each_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_failures_and_maintenance, setup, teardown),
    };
    /* test_sleep exists only in processes that ask for it */
    setenv("LANTERNE_TEST_JOBS", "1", 1);
    const char *url = getenv("LANTERNE_TEST_DATABASE_URL");
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        pg_url = url;
    return cmocka_run_group_tests_name(pg_url ? "job on PostgreSQL" : "job on SQLite", tests, NULL,
                                       NULL);
}
