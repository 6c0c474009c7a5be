/* ffmpeg: running ffprobe and ffmpeg as child processes: an argv array (fork + execvp, never
 * a shell), their own process group killed on timeout, ffmpeg's -progress output parsed. */
#ifndef LANTERNE_FFMPEG_H
#define LANTERNE_FFMPEG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

/* What ffprobe says of a file. */
struct ffprobe_info {
    const char *format_name; /* "mov,mp4,m4a,3gp,3g2,mj2" */
    double duration;         /* seconds; 0 when unknown */
    int has_video, has_audio;
    int width, height;
    double fps; /* of the first video stream; 0 when unknown */
};

/* Probes path with ffprobe (time limit FFMPEG_PROBE_SECONDS). 0 with out filled, or -1 with
 * e: 422 with a French message for a file that is not a video ffprobe reads, 500 when
 * ffprobe cannot be run. Checks nothing else (see film_probe_check). */
enum { FFMPEG_PROBE_SECONDS = 30 };
int ffprobe_file(struct arena *a, const char *path, struct ffprobe_info *out, struct err *e);

/* Called at most every progress_ms with the output time reached (microseconds) and whether
 * ffmpeg says it ended; a non-zero return kills ffmpeg (cancellation). */
typedef int (*ffmpeg_progress_fn)(void *arg, int64_t out_time_us, int end);

struct ffmpeg_run {
    const char *const *argv;     /* argv[0] is the program, NULL-terminated */
    int timeout_s;               /* the process group is killed past it; 0 = no limit */
    const char *stderr_path;     /* standard error goes there (created, truncated) */
    ffmpeg_progress_fn progress; /* NULL: stdout ignored; else argv must say -progress pipe:1 */
    void *arg;
    int progress_ms; /* 0 = 250 */
};
/* Runs and waits. 0 when the program exited with status 0; else -1 with e->status 504
 * (timed out), 499 (cancelled by the progress callback) or 500 (failed; exit status in the
 * message), the message in English for logs: callers give people their own French one. */
int ffmpeg_exec(const struct ffmpeg_run *r, struct err *e);

/* The last max bytes of the file at path (starting at a line), in a; "" when unreadable. */
const char *ffmpeg_tail(struct arena *a, const char *path, size_t max);

#endif
