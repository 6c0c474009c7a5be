/* ffmpeg: ffprobe and ffmpeg as child processes (see ffmpeg.h). */
#include "ffmpeg.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"

enum {
    PROBE_OUT_MAX = 1 << 20, /* bytes of ffprobe's JSON read at most */
    LINE_MAX_BYTES = 1024
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts argv in a process group of its own, killed if the server dies, stdin from /dev/null,
 * stdout to out_fd's pipe end (or /dev/null when -1), stderr to err_fd (or /dev/null). Only
 * async-signal-safe calls between fork and exec: the server has threads. */
static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        /* dies with the server: a killed worker must not leave ffmpeg writing into a folder
         * the job's next attempt is about to use (the signal follows the forking thread,
         * which waits for this child anyway) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(null_fd, 0);
        dup2(out_fd >= 0 ? out_fd : null_fd, 1);
        dup2(err_fd >= 0 ? err_fd : null_fd, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(null_fd);
    if (pid > 0)
        setpgid(pid, pid); /* also here: no window where a kill of the group misses it */
    return pid;
}

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

static int wait_child(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* Line parser for -progress output: key=value lines; out_time_us and progress=end. */
struct progress_state {
    char line[LINE_MAX_BYTES];
    size_t len;
    int64_t out_us;
    int end;
};

static void progress_feed(struct progress_state *p, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c != '\n') {
            if (p->len < sizeof p->line - 1)
                p->line[p->len++] = c;
            continue;
        }
        p->line[p->len] = 0;
        if (strncmp(p->line, "out_time_us=", 12) == 0) {
            char *end;
            long long v = strtoll(p->line + 12, &end, 10);
            if (end != p->line + 12 && v >= 0)
                p->out_us = v;
        } else if (strcmp(p->line, "progress=end") == 0) {
            p->end = 1;
        }
        p->len = 0;
    }
}

int ffmpeg_exec(const struct ffmpeg_run *r, struct err *e)
{
    int err_fd = -1, pipefd[2] = {-1, -1};
    if (r->stderr_path) {
        err_fd = open(r->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (err_fd < 0)
            return err_set(e, 500, "cannot open %s: %s", r->stderr_path, strerror(errno));
    }
    if (r->progress && pipe2(pipefd, O_CLOEXEC)) {
        if (err_fd >= 0)
            close(err_fd);
        return err_set(e, 500, "pipe: %s", strerror(errno));
    }
    pid_t pid = spawn(r->argv, pipefd[1], err_fd);
    if (err_fd >= 0)
        close(err_fd);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (pid < 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        return err_set(e, 500, "fork: %s", strerror(errno));
    }
    int64_t start = mono_ms(), deadline = r->timeout_s > 0 ? start + r->timeout_s * 1000LL : 0;
    int every = r->progress_ms > 0 ? r->progress_ms : 250;
    int64_t last_report = 0;
    int timed_out = 0, cancelled = 0;
    struct progress_state ps = {.out_us = 0};
    if (pipefd[0] >= 0) {
        for (;;) {
            int64_t now = mono_ms();
            int wait = 1000;
            if (deadline) {
                if (now >= deadline) {
                    timed_out = 1;
                    break;
                }
                if (deadline - now < wait)
                    wait = (int)(deadline - now);
            }
            struct pollfd pf = {.fd = pipefd[0], .events = POLLIN};
            int pr = poll(&pf, 1, wait);
            if (pr < 0 && errno != EINTR)
                break;
            if (pr > 0) {
                char chunk[4096];
                ssize_t got = read(pipefd[0], chunk, sizeof chunk);
                if (got < 0 && errno == EINTR)
                    continue;
                if (got <= 0)
                    break; /* EOF: ffmpeg is ending */
                progress_feed(&ps, chunk, (size_t)got);
                now = mono_ms();
                if (ps.end || now - last_report >= every) {
                    last_report = now;
                    if (r->progress(r->arg, ps.out_us, ps.end)) {
                        cancelled = 1;
                        break;
                    }
                }
            }
        }
        close(pipefd[0]);
    }
    /* wait for the exit, still under the deadline */
    int st = 0;
    for (;;) {
        if (timed_out || cancelled) {
            kill_group(pid);
            st = wait_child(pid);
            break;
        }
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            st = -1;
            break;
        }
        if (deadline && mono_ms() >= deadline) {
            timed_out = 1;
            continue;
        }
        struct timespec nap = {0, 20 * 1000000};
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL); /* any grandchild left in the group */
    if (timed_out)
        return err_set(e, 504, "%s timed out after %d s", r->argv[0], r->timeout_s);
    if (cancelled)
        return err_set(e, 499, "%s cancelled", r->argv[0]);
    if (st == -1)
        return err_set(e, 500, "%s: waitpid failed", r->argv[0]);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return err_set(e, 500, "%s could not be run (is it installed?)", r->argv[0]);
    if (WIFSIGNALED(st))
        return err_set(e, 500, "%s killed by signal %d", r->argv[0], WTERMSIG(st));
    return err_set(e, 500, "%s exited with status %d", r->argv[0], WEXITSTATUS(st));
}

/* Runs argv with stdout read into out (at most PROBE_OUT_MAX bytes) under a time limit. */
static int capture(const char *const *argv, int timeout_s, struct buf *out, struct err *e)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC))
        return err_set(e, 500, "pipe: %s", strerror(errno));
    pid_t pid = spawn(argv, pipefd[1], -1);
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        return err_set(e, 500, "fork: %s", strerror(errno));
    }
    int64_t deadline = mono_ms() + timeout_s * 1000LL;
    int timed_out = 0, too_big = 0;
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pf = {.fd = pipefd[0], .events = POLLIN};
        int pr = poll(&pf, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        char chunk[8192];
        ssize_t got = read(pipefd[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (out->len + (size_t)got > PROBE_OUT_MAX) {
            too_big = 1;
            break;
        }
        buf_append(out, chunk, (size_t)got);
    }
    close(pipefd[0]);
    if (timed_out || too_big)
        kill_group(pid);
    int st = wait_child(pid);
    if (timed_out)
        return err_set(e, 504, "%s timed out", argv[0]);
    if (too_big)
        return err_set(e, 500, "%s wrote too much", argv[0]);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return err_set(e, 500, "%s could not be run (is it installed?)", argv[0]);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 1; /* ran, but did not like the file */
    return 0;
}

static double num_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return strtod(json_string_value(v), NULL);
    if (json_is_number(v))
        return json_number_value(v);
    return 0;
}

int ffprobe_file(struct arena *a, const char *path, struct ffprobe_info *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    const char *argv[] = {"ffprobe",
                          "-v",
                          "error",
                          "-print_format",
                          "json",
                          "-show_format",
                          "-show_streams",
                          "-i",
                          arena_printf(a, "file:%s", path),
                          NULL};
    struct buf b;
    buf_init(&b, PROBE_OUT_MAX + 1);
    int rc = capture(argv, FFMPEG_PROBE_SECONDS, &b, e);
    if (rc < 0) {
        buf_free(&b);
        return -1;
    }
    json_error_t je;
    json_t *root = rc == 0 ? json_loadb(b.data ? b.data : "", b.len, 0, &je) : NULL;
    buf_free(&b);
    json_t *fmt = root ? json_object_get(root, "format") : NULL;
    if (!fmt) {
        json_decref(root);
        return err_set(e, 422,
                       "Ce fichier n'est pas une vidéo lisible : envoyez un fichier vidéo "
                       "(MP4, MOV, MKV, WebM, AVI…).");
    }
    const char *fname = json_string_value(json_object_get(fmt, "format_name"));
    out->format_name = arena_strdup(a, fname ? fname : "");
    out->duration = num_field(fmt, "duration");
    json_t *streams = json_object_get(root, "streams");
    size_t i;
    json_t *s;
    json_array_foreach(streams, i, s)
    {
        const char *type = json_string_value(json_object_get(s, "codec_type"));
        if (!type)
            continue;
        json_t *disp = json_object_get(s, "disposition");
        int attached = disp && json_integer_value(json_object_get(disp, "attached_pic")) == 1;
        if (strcmp(type, "video") == 0 && !attached && !out->has_video) {
            out->has_video = 1;
            out->width = (int)json_integer_value(json_object_get(s, "width"));
            out->height = (int)json_integer_value(json_object_get(s, "height"));
            const char *fr = json_string_value(json_object_get(s, "avg_frame_rate"));
            int num = 0, den = 0;
            if (fr && sscanf(fr, "%d/%d", &num, &den) == 2 && den > 0 && num > 0)
                out->fps = (double)num / den;
            if (out->duration <= 0)
                out->duration = num_field(s, "duration");
        } else if (strcmp(type, "audio") == 0) {
            out->has_audio = 1;
        }
    }
    json_decref(root);
    return 0;
}

const char *ffmpeg_tail(struct arena *a, const char *path, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "";
    struct stat st;
    if (fstat(fd, &st) || st.st_size <= 0) {
        close(fd);
        return "";
    }
    size_t n = (size_t)st.st_size < max ? (size_t)st.st_size : max;
    char *s = arena_alloc(a, n + 1);
    ssize_t got = pread(fd, s, n, st.st_size - (off_t)n);
    close(fd);
    if (got <= 0)
        return "";
    s[got] = 0;
    if ((size_t)st.st_size > max) {
        char *nl = strchr(s, '\n');
        if (nl)
            return nl + 1;
    }
    return s;
}
