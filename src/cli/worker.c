/* worker: `lanterne worker` runs job workers in a process of their own until SIGTERM/SIGINT;
 * `lanterne jobs list|counts|retry|enqueue` lets an operator look at and steer the queue. */
#include "cli/cli.h"
#include "core/mem.h"
#include "film.h"
#include "job.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    WORKER_CONCURRENCY_MAX = 64,
    WORKER_MS_MAX = 24 * 3600 * 1000,   /* longest poll or lease the flags accept */
    JOBS_LINE_MAX = JOB_PAYLOAD_MAX + 2 /* one payload per line on stdin, with its newline */
};

/* A decimal flag value within [min, max]; def when the flag is absent. */
static int int_flag(int argc, char **argv, const char *flag, long min, long max, long def,
                    long *out, struct err *e)
{
    const char *v = cli_flag_value(argc, argv, flag);
    *out = def;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max)
        return err_set(e, 2, "%s must be a number from %ld to %ld", flag, min, max);
    *out = n;
    return 0;
}

/* Splits "a,b" in place into a NULL-terminated list (at most JOB_KINDS_MAX names). */
static int split_kinds(char *s, const char **out, struct err *e)
{
    int n = 0;
    for (char *save = NULL, *k = strtok_r(s, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        if (n == JOB_KINDS_MAX)
            return err_set(e, 2, "--kinds takes at most %d kinds", JOB_KINDS_MAX);
        out[n++] = k;
    }
    out[n] = NULL;
    if (n == 0)
        return err_set(e, 2, "--kinds needs at least one kind");
    struct err ke = {0};
    if (job_kinds_check(out, &ke))
        return err_set(e, 2, "--kinds: %s", ke.msg);
    return 0;
}

int cli_worker(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    static const char *const valued[] = {"--id",       "--kinds",       "--poll-ms",
                                         "--lease-ms", "--concurrency", NULL};
    for (int i = 0; i < argc; i++) {
        int known = 0;
        for (const char *const *v = valued; *v; v++)
            if (strcmp(argv[i], *v) == 0 && i + 1 < argc) {
                known = 1;
                i++;
            } else if (strncmp(argv[i], *v, strlen(*v)) == 0 && argv[i][strlen(*v)] == '=')
                known = 1;
        if (!known) {
            fprintf(stderr, "lanterne worker: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    long poll, lease, conc;
    const char *kinds[JOB_KINDS_MAX + 1];
    char *kinds_arg = NULL;
    const char *kv = cli_flag_value(argc, argv, "--kinds");
    struct job_worker_opts o = {.quiet = cfg->quiet};
    if (int_flag(argc, argv, "--poll-ms", 1, WORKER_MS_MAX, JOB_POLL_MS_DEFAULT, &poll, &e) ||
        int_flag(argc, argv, "--lease-ms", JOB_LEASE_MS_MIN, WORKER_MS_MAX, JOB_LEASE_MS_DEFAULT,
                 &lease, &e) ||
        int_flag(argc, argv, "--concurrency", 1, WORKER_CONCURRENCY_MAX, 1, &conc, &e) ||
        (kv && split_kinds(kinds_arg = xstrdup(kv), kinds, &e))) {
        fprintf(stderr, "lanterne worker: %s\n", e.msg);
        free(kinds_arg);
        return 2;
    }
    o.poll_ms = (int)poll;
    o.lease_ms = (int)lease;
    o.kinds = kv ? kinds : NULL;

    /* migrations first, so a worker started before any server still finds its table */
    struct db *db;
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne worker: %s\n", e.msg);
        free(kinds_arg);
        return 1;
    }
    db_close(db);

    /* blocked before any thread exists, so only sigwait below ever takes them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    char base[JOB_WORKER_MAX - 16];
    const char *id = cli_flag_value(argc, argv, "--id");
    if (id)
        snprintf(base, sizeof base, "%s", id);
    else {
        char host[64] = "localhost";
        gethostname(host, sizeof host - 1);
        snprintf(base, sizeof base, "%s:%ld", host, (long)getpid());
    }
    film_set_data_dir(cfg->data_dir); /* where film_process jobs find the films */
    struct job_worker **ws = xcalloc((size_t)conc, sizeof *ws);
    int rc = 0;
    for (long i = 0; i < conc && rc == 0; i++) {
        char name[JOB_WORKER_MAX + 1];
        if (conc == 1)
            snprintf(name, sizeof name, "%s", base);
        else
            snprintf(name, sizeof name, "%s/%d", base, (int)i + 1);
        ws[i] = job_worker_start(cfg->database_url, name, &o, &e);
        if (!ws[i]) {
            fprintf(stderr, "lanterne worker: %s\n", e.msg);
            rc = e.status == 2 ? 2 : 1;
        }
    }
    if (rc == 0) {
        fprintf(stderr, "lanterne: worker %s started (%ld thread%s, lease %ld ms, poll %ld ms)\n",
                base, conc, conc > 1 ? "s" : "", lease, poll);
        int sig = 0;
        sigwait(&set, &sig);
        fprintf(stderr, "lanterne: worker %s: signal %d, finishing the jobs in hand\n", base, sig);
    }
    for (long i = 0; i < conc; i++)
        job_worker_stop(ws[i]);
    if (rc == 0)
        fprintf(stderr, "lanterne: worker %s stopped\n", base);
    free(ws);
    free(kinds_arg);
    return rc;
}

/* ---- lanterne jobs ----------------------------------------------------------------------- */

static const char *fmt_time(int64_t ms, char *out, size_t cap)
{
    if (!ms)
        return "-";
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

/* Tabs and line breaks in a message would shift the columns of the listing. */
static void put_field(const char *s)
{
    for (; s && *s; s++)
        putchar((unsigned char)*s < ' ' ? ' ' : *s);
    if (!s)
        putchar('-');
}

static int jobs_list(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    long limit;
    if (int_flag(argc, argv, "--limit", 0, 1000000000L, JOB_PER_PAGE_DEFAULT, &limit, e))
        return -1;
    struct job_filter f = {.state = cli_flag_value(argc, argv, "--state"),
                           .kind = cli_flag_value(argc, argv, "--kind"),
                           .per_page = JOB_PER_PAGE_MAX};
    printf("id\tstate\tkind\tattempts\tworker\trun_at\tlast_error\n");
    long shown = 0;
    for (f.page = 1;; f.page++) {
        struct job *list;
        int n;
        int64_t total;
        if (job_list(db, a, &f, &list, &n, &total, e))
            return -1;
        for (int i = 0; i < n && (limit == 0 || shown < limit); i++, shown++) {
            char t[32];
            printf("%lld\t%s\t%s\t%d/%d\t", (long long)list[i].id, list[i].state, list[i].kind,
                   list[i].attempts, list[i].max_attempts);
            put_field(list[i].worker);
            printf("\t%s\t", fmt_time(list[i].run_at, t, sizeof t));
            put_field(list[i].last_error);
            putchar('\n');
        }
        if ((limit && shown >= limit) || (int64_t)f.page * JOB_PER_PAGE_MAX >= total)
            break;
    }
    return 0;
}

static int jobs_counts(struct db *db, int argc, char **argv, struct err *e)
{
    struct job_counts c;
    if (job_counts(db, cli_flag_value(argc, argv, "--kind"), &c, e))
        return -1;
    printf("queued %lld\nrunning %lld\ndone %lld\ndead %lld\n", (long long)c.queued,
           (long long)c.running, (long long)c.done, (long long)c.dead);
    return 0;
}

static int jobs_retry(struct db *db, int argc, char **argv, struct err *e)
{
    char *end;
    long long id = argc > 0 ? strtoll(argv[0], &end, 10) : 0;
    if (argc < 1 || *end || id < 1)
        return err_set(e, 2, "jobs retry needs a job ID");
    if (job_retry(db, id, e))
        return -1;
    printf("job %lld queued again\n", id);
    return 0;
}

/* KIND JSON adds one job; KIND - adds one per line of standard input, in one transaction so
 * a bad line adds none. */
static int jobs_enqueue(struct db *db, int argc, char **argv, struct err *e)
{
    long max_attempts, delay;
    if (argc < 1 || argv[0][0] == '-')
        return err_set(e, 2, "jobs enqueue needs a KIND (and a JSON payload, or - for stdin)");
    if (int_flag(argc, argv, "--max-attempts", 1, JOB_MAX_ATTEMPTS_LIMIT, 0, &max_attempts, e) ||
        int_flag(argc, argv, "--delay-ms", 0, 1000000000L, 0, &delay, e))
        return -1;
    const char *kind = argv[0];
    const char *payload = argc > 1 && strncmp(argv[1], "--", 2) != 0 ? argv[1] : "{}";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t run_at = delay ? (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + delay : 0;
    int64_t id, first = 0, count = 0;
    if (strcmp(payload, "-") != 0) {
        if (job_enqueue(db, kind, payload, run_at, (int)max_attempts, &id, e))
            return -1;
        printf("job %lld queued\n", (long long)id);
        return 0;
    }
    char *line = xmalloc(JOBS_LINE_MAX + 1);
    int rc = db_begin(db, e);
    while (rc == 0 && fgets(line, JOBS_LINE_MAX + 1, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        rc = job_enqueue(db, kind, line, run_at, (int)max_attempts, &id, e);
        if (rc == 0 && !count++)
            first = id;
    }
    if (rc == 0)
        rc = db_commit(db, e);
    else
        db_rollback(db);
    free(line);
    if (rc == 0)
        printf("%lld jobs queued (ids %lld to %lld)\n", (long long)count, (long long)first,
               (long long)id);
    return rc;
}

int cli_jobs(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    if (argc < 1) {
        fprintf(stderr, "lanterne jobs: list, counts, retry or enqueue (see --help)\n");
        return 2;
    }
    struct db *db;
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne jobs: %s\n", e.msg);
        return 1;
    }
    struct arena *a = arena_new();
    const char *sub = argv[0];
    int rc;
    if (strcmp(sub, "list") == 0)
        rc = jobs_list(db, a, argc - 1, argv + 1, &e);
    else if (strcmp(sub, "counts") == 0)
        rc = jobs_counts(db, argc - 1, argv + 1, &e);
    else if (strcmp(sub, "retry") == 0)
        rc = jobs_retry(db, argc - 1, argv + 1, &e);
    else if (strcmp(sub, "enqueue") == 0)
        rc = jobs_enqueue(db, argc - 1, argv + 1, &e);
    else
        rc = err_set(&e, 2, "unknown subcommand '%s' (list, counts, retry, enqueue)", sub);
    if (rc)
        fprintf(stderr, "lanterne jobs %s: %s\n", sub, e.msg);
    arena_free(a);
    db_close(db);
    return rc ? (e.status == 2 ? 2 : 1) : 0;
}
