/* dbcopy (cli): `lanterne db copy` moves a database between SQLite and PostgreSQL and prints
 * the per-table proof; `--verify-only` compares two databases without copying. */
#include "cli/cli.h"
#include "core/mem.h"
#include "dbcopy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum {
    DBCOPY_PROGRESS_ROWS = 10000 /* tables this big report on stderr as they go */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
    const char *verb, *table; /* what the last report was about */
    int64_t shown;            /* rows it said were done */
};

/* One line per DBCOPY_PROGRESS_ROWS rows of a big table, and one when it is done. */
static void progress(void *arg, const char *verb, const char *table, int64_t done, int64_t total)
{
    struct progress *p = arg;
    if (p->verb != verb || p->table != table) {
        p->verb = verb;
        p->table = table;
        p->shown = 0;
    }
    if (total < DBCOPY_PROGRESS_ROWS || done == p->shown)
        return;
    if (done < total && done / DBCOPY_PROGRESS_ROWS == p->shown / DBCOPY_PROGRESS_ROWS)
        return;
    fprintf(stderr, "lanterne db copy: %s %s: %" PRId64 " / %" PRId64 " rows\n", table, verb, done,
            total);
    p->shown = done;
}

static void print_report(const struct dbcopy_report *r)
{
    int64_t rows = 0;
    printf("%-28s %10s  %-32s  %s\n", "TABLE", "ROWS", "CHECKSUM", "RESULT");
    for (int i = 0; i < r->n; i++) {
        const struct dbcopy_table *t = &r->tables[i];
        rows += t->rows[DBCOPY_SOURCE];
        printf("%-28s %10" PRId64 "  %-32s  ", t->name, t->rows[DBCOPY_SOURCE],
               t->sum[DBCOPY_SOURCE]);
        if (dbcopy_table_same(t))
            printf("OK\n");
        else
            printf("MISMATCH: target has %" PRId64 " rows, checksum %s\n", t->rows[DBCOPY_TARGET],
                   t->sum[DBCOPY_TARGET]);
    }
    int bad = dbcopy_differences(r);
    if (bad)
        printf("%d of %d tables differ\n", bad, r->n);
    else
        printf("%d tables, %" PRId64 " rows: identical\n", r->n, rows);
}

/* db_open creates a missing SQLite file: for the source that would only hide a typo. */
static int source_exists(const char *url, struct err *e)
{
    struct stat st;
    if (strncmp(url, "sqlite:", 7) != 0)
        return 0;
    const char *path = url + 7;
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return 0;
    if (stat(path, &st) != 0)
        return err_set(e, 2, "--from: no database at %s (%s)", path, strerror(errno));
    return 0;
}

static int db_copy(int argc, char **argv)
{
    static const char *const valued[] = {"--from", "--to", "--batch", NULL};
    struct err e = {0};
    struct arena *a = NULL;
    struct db *from = NULL, *to = NULL;
    struct dbcopy_report r = {0};
    struct progress shown = {0};
    struct dbcopy_opts o = {.progress = progress, .arg = &shown};
    int verify_only = 0, rc = 1;
    for (int i = 0; i < argc; i++) {
        int known = strcmp(argv[i], "--verify-only") == 0;
        verify_only |= known;
        for (const char *const *v = valued; *v && !known; v++)
            if (strcmp(argv[i], *v) == 0 && i + 1 < argc) {
                known = 1;
                i++;
            } else if (strncmp(argv[i], *v, strlen(*v)) == 0 && argv[i][strlen(*v)] == '=') {
                known = 1;
            }
        if (!known) {
            fprintf(stderr, "lanterne db copy: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    const char *src = cli_flag_value(argc, argv, "--from");
    const char *dst = cli_flag_value(argc, argv, "--to");
    const char *batch = cli_flag_value(argc, argv, "--batch");
    if (!src || !dst || !*src || !*dst) {
        fprintf(stderr, "lanterne db copy: --from URL and --to URL are both needed\n");
        return 2;
    }
    /* URLs are not repeated in messages: a PostgreSQL one may hold a password */
    if (strcmp(src, dst) == 0) {
        fprintf(stderr, "lanterne db copy: --from and --to name the same database\n");
        return 2;
    }
    if (batch) {
        char *end;
        long b = strtol(batch, &end, 10);
        if (!*batch || *end || b < 1 || b > DBCOPY_BATCH_MAX) {
            fprintf(stderr, "lanterne db copy: --batch must be a number from 1 to %d\n",
                    DBCOPY_BATCH_MAX);
            return 2;
        }
        o.batch = (int)b;
    }
    if (source_exists(src, &e)) {
        fprintf(stderr, "lanterne db copy: %s\n", e.msg);
        return 2;
    }
    if (db_open(src, &from, &e)) {
        fprintf(stderr, "lanterne db copy: source: %s\n", e.msg);
        return 1;
    }
    if (db_open(dst, &to, &e)) {
        fprintf(stderr, "lanterne db copy: target: %s\n", e.msg);
        goto out;
    }
    a = arena_new();
    double t0 = now_s();
    if (verify_only) {
        if (dbcopy_verify(from, to, a, &o, &r, &e))
            goto fail;
        fprintf(stderr, "lanterne db copy: compared %d tables in %.2f s\n", r.n, now_s() - t0);
    } else {
        if (dbcopy_copy(from, to, a, &o, &r, &e))
            goto fail;
        double t1 = now_s();
        if (dbcopy_measure(to, DBCOPY_TARGET, a, &o, &r, &e))
            goto fail;
        fprintf(stderr,
                "lanterne db copy: copied %d tables in %.2f s, checked the target in %.2f s\n", r.n,
                t1 - t0, now_s() - t1);
    }
    print_report(&r);
    rc = dbcopy_differences(&r) ? 1 : 0;
    goto out;
fail:
    fprintf(stderr, "lanterne db copy: %s\n", e.msg);
out:
    db_close(from);
    db_close(to);
    if (a)
        arena_free(a);
    return rc;
}

int cli_db(const struct config *cfg, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "copy") == 0)
        return db_copy(argc - 1, argv + 1);
    fprintf(stderr, "lanterne db: expected a subcommand: copy (see lanterne db --help)\n");
    return 2;
}
