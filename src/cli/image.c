/* image (cli): `lanterne image` runs photo files through the upload pipeline, as an operator's
 * check of a file and as the benchmark's workload; `--demo N` writes demo pictures instead. */
#include "cli/cli.h"
#include "core/mem.h"
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    IMAGE_CLI_THREADS_MAX = 256,
    IMAGE_CLI_DEMO_MAX = 100000, /* pictures one --demo run may write */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads a whole file, but never more than one byte over IMAGE_MAX_BYTES: that byte is enough
 * for image_process to refuse the file for its size. */
static int read_upload(const char *path, void **data, size_t *len, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int saved = fd < 0 ? errno : EINVAL;
        if (fd >= 0)
            close(fd);
        return err_set(e, 1, "cannot read: %s", strerror(saved));
    }
    size_t cap = (size_t)IMAGE_MAX_BYTES + 1, n = 0;
    size_t want = (size_t)st.st_size < cap ? (size_t)st.st_size : cap;
    char *p = xmalloc(want ? want : 1);
    while (n < want) {
        ssize_t r = read(fd, p + n, want - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;
            close(fd);
            free(p);
            return err_set(e, 1, "cannot read: %s", strerror(saved));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *data = p;
    *len = n;
    return 0;
}

struct run {
    char **files;
    int n;
    const char *out;
    atomic_int next, failed;
    pthread_mutex_t mu; /* one line at a time on stdout */
};

static void one_file(struct run *r, const char *path)
{
    struct err e = {0};
    struct image_info info;
    void *data = NULL;
    size_t len = 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *dir = NULL;
    int bad = read_upload(path, &data, &len, &e);
    if (!bad) {
        size_t n = strlen(r->out) + strlen(base) + 2;
        dir = xmalloc(n);
        snprintf(dir, n, "%s/%s", r->out, base);
        bad = image_process(data, len, dir, &info, &e);
    }
    pthread_mutex_lock(&r->mu);
    if (bad)
        printf("%s: %s\n", path, e.msg);
    else
        printf("%s: ok %dx%d\n", path, info.width, info.height);
    fflush(stdout);
    pthread_mutex_unlock(&r->mu);
    if (bad)
        atomic_fetch_add(&r->failed, 1);
    free(dir);
    free(data);
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n;)
        one_file(r, r->files[i]);
    return NULL;
}

/* --demo N: N pictures demo-0001.jpg ... of the given size, seeds 1..N. */
static int write_demos(const char *out, long count, const char *size)
{
    int w = 4000, h = 3000;
    char tail;
    if (size && (sscanf(size, "%dx%d%c", &w, &h, &tail) != 2 || w < 16 || h < 16)) {
        fprintf(stderr, "lanterne image: --size takes WIDTHxHEIGHT, e.g. 4000x3000\n");
        return 2;
    }
    for (long i = 1; i <= count; i++) {
        struct err e = {0};
        void *data;
        size_t len;
        char caption[64], path[4096];
        snprintf(caption, sizeof caption, "Atelier photo n° %ld", i);
        if (image_demo((unsigned)i, caption, w, h, &data, &len, &e)) {
            fprintf(stderr, "lanterne image: %s\n", e.msg);
            return 1;
        }
        snprintf(path, sizeof path, "%s/demo-%04ld.jpg", out, i);
        FILE *f = fopen(path, "wb");
        int bad = !f || fwrite(data, 1, len, f) != len;
        if (f && fclose(f) != 0)
            bad = 1;
        free(data);
        if (bad) {
            fprintf(stderr, "lanterne image: cannot write %s: %s\n", path, strerror(errno));
            return 1;
        }
        printf("%s\n", path);
    }
    return 0;
}

int cli_image(const struct config *cfg, int argc, char **argv)
{
    const char *out = "image-out", *demo = NULL, *size = NULL;
    char **files = xcalloc((size_t)argc + 1, sizeof *files);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char **dst = strcmp(argv[i], "--out") == 0    ? &out
                           : strcmp(argv[i], "--demo") == 0 ? &demo
                           : strcmp(argv[i], "--size") == 0 ? &size
                                                            : NULL;
        if (dst && i + 1 < argc)
            *dst = argv[++i];
        else if (dst || (argv[i][0] == '-' && argv[i][1])) {
            fprintf(stderr, "lanterne image: unexpected argument '%s' (see --help)\n", argv[i]);
            free(files);
            return 2;
        } else
            files[n++] = argv[i];
    }
    long count = 0;
    char *end = NULL;
    if (demo)
        count = strtol(demo, &end, 10);
    if ((demo && (!*demo || *end || count < 1 || count > IMAGE_CLI_DEMO_MAX)) ||
        (!demo && n == 0) || (demo && n > 0)) {
        fprintf(stderr, "usage: lanterne image [--out DIR] FILE...\n"
                        "       lanterne image --demo N [--size WxH] [--out DIR]\n");
        free(files);
        return 2;
    }
    struct err e = {0};
    if (image_init("lanterne", &e)) {
        fprintf(stderr, "lanterne image: %s\n", e.msg);
        free(files);
        return 1;
    }
    if (mkdir(out, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "lanterne image: cannot create %s: %s\n", out, strerror(errno));
        free(files);
        return 1;
    }
    if (demo) {
        free(files);
        return write_demos(out, count, size);
    }

    /* as many files in flight as the server has request threads (--threads, default: cores) */
    unsigned nt = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1)
        nt = 1;
    if (nt > IMAGE_CLI_THREADS_MAX)
        nt = IMAGE_CLI_THREADS_MAX;
    if (nt > (unsigned)n)
        nt = (unsigned)n;
    struct run r = {.files = files, .n = n, .out = out};
    atomic_init(&r.next, 0);
    atomic_init(&r.failed, 0);
    pthread_mutex_init(&r.mu, NULL);
    pthread_t *t = xcalloc(nt, sizeof *t);
    double t0 = now_s();
    unsigned started = 0;
    for (; started < nt; started++)
        if (pthread_create(&t[started], NULL, worker, &r) != 0)
            break;
    if (started == 0)
        worker(&r);
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double secs = now_s() - t0;
    int failed = atomic_load(&r.failed);
    printf("%d files, %d failed, %.2f s, %.2f files/s (%u threads)\n", n, failed, secs,
           secs > 0 ? n / secs : 0.0, started ? started : 1);
    pthread_mutex_destroy(&r.mu);
    free(t);
    free(files);
    return failed ? 1 : 0;
}
