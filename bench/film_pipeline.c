/* film_pipeline: the driver of bench/pipeline.sh. Runs the film pipeline of src/film_job.c
 * (film_transcode: probe, one ffmpeg run with progress parsing, the checks of the outputs)
 * outside the database, or prints the ffmpeg command it runs so the benchmark can run the
 * same command bare.
 *   film_pipeline run INPUT OUTDIR    prints the wall time in seconds
 *   film_pipeline argv INPUT OUTDIR   prints ffmpeg's argv, one argument a line */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "film_internal.h"

static int progress_calls;

static int on_progress(void *arg, int64_t out_us, int end)
{
    progress_calls++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "run") && strcmp(argv[1], "argv"))) {
        fprintf(stderr, "usage: film_pipeline run|argv INPUT OUTDIR\n");
        return 2;
    }
    struct err e = {0};
    if (strcmp(argv[1], "argv") == 0) {
        if (film_pipeline_print(argv[2], argv[3], stdout, &e)) {
            fprintf(stderr, "film_pipeline: %s\n", e.msg);
            return 1;
        }
        return 0;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct arena *a = arena_new();
    struct film_transcoded r;
    double duration = 0;
    int rc = film_transcode(a, argv[2], argv[3], 0, on_progress, NULL, &duration, &r, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "film_pipeline: %s\n%s\n", e.msg, r.tail);
        arena_free(a);
        return 1;
    }
    printf("%.3f\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    fprintf(stderr, "film_pipeline: %.1f s of film, renditions %s, %d progress reports\n", duration,
            r.renditions, progress_calls);
    arena_free(a);
    return 0;
}
