/* test_ffmpeg: unit tests for src/ffmpeg.c and the film pipeline (src/film_job.c) on tiny
 * clips made here with ffmpeg's test sources: the time limit kills the whole process group,
 * progress is parsed; a 3 s clip becomes renditions ffprobe reads; an MP4 carrying a GPS
 * location atom leaves no trace of it in any output; a file that probes but breaks midway
 * (truncated, or corrupt after the header) ends failed with a French message and the film
 * takes a new file; a non-video file is refused. Needs ffmpeg and ffprobe on the PATH. Runs
 * on SQLite, and on PostgreSQL through LANTERNE_TEST_DATABASE_URL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "consent.h"
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "ffmpeg.h"
#include "film.h"
#include "film_internal.h"
#include "job.h"
#include "participant.h"
#include "groupfix.h"

static char g_dir[256];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const char *const *argv)
{
    struct err e = {0};
    struct ffmpeg_run r = {.argv = argv, .timeout_s = 120};
    if (ffmpeg_exec(&r, &e))
        fail_msg("%s: %s", argv[0], e.msg);
}

/* A clip of seconds at w x h with a tone, in g_dir/name; extra args before the output. */
static const char *clip(struct arena *a, const char *name, int seconds, int w, int h,
                        const char *const *extra)
{
    const char *out = arena_printf(a, "%s/%s", g_dir, name);
    const char *argv[40] = {
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        arena_printf(a, "testsrc2=size=%dx%d:rate=25:duration=%d", w, h, seconds),
        "-f",
        "lavfi",
        "-i",
        arena_printf(a, "sine=frequency=440:duration=%d", seconds),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest"};
    int n = 0;
    while (argv[n])
        n++;
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n++] = out;
    argv[n] = NULL;
    run(argv);
    return out;
}

static int file_contains(const char *path, const char *needle)
{
    struct buf b;
    buf_init(&b, 1 << 30);
    struct err e = {0};
    if (buf_read_file(&b, path, &e)) {
        buf_free(&b);
        fail_msg("read %s: %s", path, e.msg);
    }
    int found = b.len && memmem(b.data, b.len, needle, strlen(needle)) != NULL;
    buf_free(&b);
    return found;
}

/* Every regular file under dir (recursively) must not contain needle; returns files seen. */
static int scan_tree(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "original") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            n += scan_tree(path, needle);
            continue;
        }
        if (file_contains(path, needle))
            fail_msg("%s contains %s", path, needle);
        n++;
    }
    closedir(d);
    return n;
}

/* ffprobe's format tags of path, as text. */
static const char *format_tags(struct arena *a, const char *path)
{
    const char *out = arena_printf(a, "%s/tags.txt", g_dir);
    /* ffprobe writes to a file of its own (-o): ffmpeg_exec captures no output */
    const char *argv2[] = {"ffprobe",
                           "-v",
                           "error",
                           "-show_entries",
                           "format_tags:stream_tags",
                           "-of",
                           "default",
                           "-o",
                           out,
                           path,
                           NULL};
    run(argv2);
    struct buf b;
    buf_init(&b, 0);
    struct err e = {0};
    buf_read_file(&b, out, &e);
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static struct film film_now(struct fx *f, int64_t id)
{
    struct film fm;
    struct err e = {0};
    if (film_get(f->db, f->a, id, &fm, &e))
        fail_msg("film_get: %s", e.msg);
    return fm;
}

static int64_t new_film(struct fx *f)
{
    struct film_input in = {.title = "Essai", .visibility = "group", .entry_id = -1};
    struct err e = {0};
    int64_t id = 0;
    if (film_create(f->db, &f->sup_a, f->ga, &in, &id, &e))
        fail_msg("film_create: %s", e.msg);
    return id;
}

/* Gives film id the file at path (a copy: the original is moved into the film's dir). */
static void give(struct fx *f, int64_t id, const char *path)
{
    const char *copy = arena_printf(f->a, "%s.upload", path);
    const char *argv[] = {"cp", path, copy, NULL};
    run(argv);
    struct err e = {0};
    if (film_set_original(f->db, &f->sup_a, id, copy, &e))
        fail_msg("film_set_original: %d %s", e.status, e.msg);
}

/* ---- the runner ---- */

static int count_progress(void *arg, int64_t out_us, int end)
{
    int *calls = arg;
    (*calls)++;
    if (end)
        calls[1] = (int)(out_us / 1000);
    return 0;
}

static void test_exec(void **state)
{
    (void)state;
    struct err e = {0};
    /* the time limit kills the group: the shell's own child too */
    const char *argv[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
    struct ffmpeg_run r = {.argv = argv, .timeout_s = 1};
    double t0 = now_s();
    assert_int_equal(ffmpeg_exec(&r, &e), -1);
    assert_int_equal(e.status, 504);
    assert_true(now_s() - t0 < 3);
    /* a missing program */
    const char *nope[] = {"lanterne-no-such-program", NULL};
    struct ffmpeg_run r2 = {.argv = nope, .timeout_s = 5};
    assert_int_equal(ffmpeg_exec(&r2, &e), -1);
    assert_int_equal(e.status, 500);
    /* exit status */
    const char *f1[] = {"false", NULL};
    struct ffmpeg_run r3 = {.argv = f1, .timeout_s = 5};
    assert_int_equal(ffmpeg_exec(&r3, &e), -1);
    /* progress */
    const char *nul = arena_printf(((struct fx *)*state)->a, "%s/p.mp4", g_dir);
    const char *ff[] = {"ffmpeg", "-v",        "error",   "-nostdin",
                        "-y",     "-progress", "pipe:1",  "-nostats",
                        "-f",     "lavfi",     "-i",      "testsrc2=size=160x90:rate=25:duration=2",
                        "-c:v",   "libx264",   "-preset", "ultrafast",
                        nul,      NULL};
    int calls[2] = {0, 0};
    struct ffmpeg_run r4 = {
        .argv = ff, .timeout_s = 60, .progress = count_progress, .arg = calls, .progress_ms = 1};
    if (ffmpeg_exec(&r4, &e))
        fail_msg("ffmpeg: %s", e.msg);
    assert_true(calls[0] >= 1);
    assert_true(calls[1] >= 1900 && calls[1] <= 2100);
}

static void test_probe(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    struct ffprobe_info in;
    const char *v = clip(f->a, "p.mp4", 1, 320, 180, NULL);
    assert_int_equal(ffprobe_file(f->a, v, &in, &e), 0);
    assert_int_equal(in.has_video, 1);
    assert_int_equal(in.has_audio, 1);
    assert_int_equal(in.width, 320);
    assert_int_equal(in.height, 180);
    assert_true(in.duration > 0.9 && in.duration < 1.2);
    const char *txt = arena_printf(f->a, "%s/notes.txt", g_dir);
    FILE *fp = fopen(txt, "w");
    fputs("Bonjour, ceci n'est pas une vidéo.\n", fp);
    fclose(fp);
    assert_int_equal(ffprobe_file(f->a, txt, &in, &e), -1);
    assert_int_equal(e.status, 422);
    assert_non_null(strstr(e.msg, "vidéo"));
}

/* ---- the pipeline ---- */

static void test_pipeline_and_gps(void **state)
{
    struct fx *f = *state;
    static const char *const gps[] = {
        "-metadata", "location=+48.8566+002.3522/", "-metadata", "make=LanterneCam",
        "-movflags", "use_metadata_tags",           NULL};
    const char *src = clip(f->a, "gps.mp4", 3, 1280, 720, gps);
    /* the source does carry the atom */
    assert_true(file_contains(src, "+48.8566+002.3522"));
    assert_non_null(strstr(format_tags(f->a, src), "48.8566"));
    int64_t id = new_film(f);
    give(f, id, src);
    struct err e = {0};
    if (film_process(f->db, id, g_dir, NULL, &e))
        fail_msg("film_process: %d %s (%s)", e.status, e.msg, film_now(f, id).error_detail);
    struct film fm = film_now(f, id);
    assert_string_equal(fm.status, "ready");
    assert_int_equal(fm.progress, 100);
    assert_string_equal(fm.renditions, "240 480 720");
    assert_true(fm.duration > 2.9 && fm.duration < 3.2);
    assert_int_equal(fm.width, 1280);
    assert_int_equal(fm.poster, 2);
    /* every output exists and ffprobe reads it */
    static const char *const files[] = {"hls/master.m3u8", "hls/240p.m3u8",   "hls/480p.m3u8",
                                        "hls/720p.m3u8",   "hls/240p_000.ts", "hls/480p_000.ts",
                                        "hls/720p_000.ts", "film.mp4",        "poster-1.jpg",
                                        "poster-2.jpg",    "poster-3.jpg",    "storyboard.jpg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *p = film_file_path(f->a, g_dir, &fm, files[i]);
        assert_non_null(p);
        struct ffprobe_info in;
        if (ffprobe_file(f->a, p, &in, &e))
            fail_msg("%s: %s", files[i], e.msg);
        assert_int_equal(in.has_video, 1);
    }
    struct ffprobe_info in;
    assert_int_equal(ffprobe_file(f->a, film_file_path(f->a, g_dir, &fm, "hls/720p.m3u8"), &in, &e),
                     0);
    assert_int_equal(in.height, 720);
    assert_int_equal(in.has_audio, 1);
    /* the extra first frame and the thumbnails are gone, the storyboard is the sprite */
    const char *fdir = film_dir(f->a, g_dir, fm.storage_key);
    assert_int_equal(access(arena_printf(f->a, "%s/poster-0.jpg", fdir), F_OK), -1);
    assert_int_equal(access(arena_printf(f->a, "%s/new", fdir), F_OK), -1);
    assert_int_equal(
        ffprobe_file(f->a, film_file_path(f->a, g_dir, &fm, "storyboard.jpg"), &in, &e), 0);
    assert_int_equal(in.width, FILM_STORYBOARD_COLS * FILM_STORYBOARD_TILE_W);
    /* no trace of the location or the device: bytes and tags of every output */
    const char *dir = film_dir(f->a, g_dir, fm.storage_key);
    assert_true(scan_tree(dir, "48.8566") >= 12);
    scan_tree(dir, "LanterneCam");
    const char *tags = format_tags(f->a, film_file_path(f->a, g_dir, &fm, "film.mp4"));
    assert_null(strstr(tags, "location"));
    assert_null(strstr(tags, "make"));
    tags = format_tags(f->a, film_file_path(f->a, g_dir, &fm, "poster-2.jpg"));
    assert_null(strstr(tags, "48.8566"));
    /* the master playlist names the ladder */
    assert_true(
        file_contains(film_file_path(f->a, g_dir, &fm, "hls/master.m3u8"), "RESOLUTION=1280x720"));
    assert_true(file_contains(film_file_path(f->a, g_dir, &fm, "hls/720p.m3u8"),
                              "#EXT-X-PLAYLIST-TYPE:VOD"));
}

static void test_broken_then_replaced(void **state)
{
    struct fx *f = *state;
    static const char *const fast[] = {"-movflags", "+faststart", NULL};
    const char *good = clip(f->a, "good.mp4", 3, 640, 360, fast);
    /* truncated in the middle of mdat: ffprobe still reads the header */
    struct stat st;
    assert_int_equal(stat(good, &st), 0);
    const char *cut = arena_printf(f->a, "%s/cut.mp4", g_dir);
    {
        FILE *in = fopen(good, "rb"), *out = fopen(cut, "wb");
        char *buf = malloc((size_t)st.st_size);
        assert_int_equal(fread(buf, 1, (size_t)st.st_size, in), (size_t)st.st_size);
        fwrite(buf, 1, (size_t)st.st_size / 2, out);
        free(buf);
        fclose(in);
        fclose(out);
    }
    struct err e = {0};
    struct ffprobe_info pi;
    assert_int_equal(ffprobe_file(f->a, cut, &pi, &e), 0);
    assert_true(pi.duration > 2.9);
    int64_t id = new_film(f);
    give(f, id, cut);
    assert_int_equal(film_process(f->db, id, g_dir, NULL, &e), -1);
    struct film fm = film_now(f, id);
    assert_string_equal(fm.status, "failed");
    assert_non_null(strstr(fm.error, "abîmé ou incomplet"));
    assert_true(strlen(fm.error_detail) > 0);
    /* nothing half-made is left to serve */
    assert_int_equal(access(film_file_path(f->a, g_dir, &fm, "film.mp4"), F_OK), -1);
    assert_int_equal(access(film_file_path(f->a, g_dir, &fm, "hls/master.m3u8"), F_OK), -1);

    /* the film takes a new file, through the job handler this time */
    give(f, id, good);
    assert_string_equal(film_now(f, id).status, "processing");
    struct job j = {.id = 1,
                    .kind = "film_process",
                    .payload = arena_printf(f->a, "{\"film_id\": %lld}", (long long)id)};
    film_set_data_dir(g_dir);
    if (film_job_process(f->db, &j, NULL, &e))
        fail_msg("job: %s", e.msg);
    fm = film_now(f, id);
    assert_string_equal(fm.status, "ready");
    assert_string_equal(fm.error, "");
    assert_string_equal(fm.renditions, "240");

    /* corrupt bytes after the header */
    const char *bad = arena_printf(f->a, "%s/corrupt.mp4", g_dir);
    {
        FILE *in = fopen(good, "rb"), *out = fopen(bad, "wb");
        char *buf = malloc((size_t)st.st_size);
        assert_int_equal(fread(buf, 1, (size_t)st.st_size, in), (size_t)st.st_size);
        srand(42);
        for (long k = st.st_size / 3; k < st.st_size * 5 / 6; k++)
            buf[k] = (char)(rand() & 0xff);
        fwrite(buf, 1, (size_t)st.st_size, out);
        free(buf);
        fclose(in);
        fclose(out);
    }
    int64_t id2 = new_film(f);
    give(f, id2, bad);
    assert_int_equal(film_process(f->db, id2, g_dir, NULL, &e), -1);
    fm = film_now(f, id2);
    assert_string_equal(fm.status, "failed");
    assert_non_null(strstr(fm.error, "abîmé"));
    assert_int_equal(film_retry(f->db, &f->sup_a, id2, &e), 0);
}

static void test_refused(void **state)
{
    struct fx *f = *state;
    struct err e = {0};
    /* text */
    const char *txt = arena_printf(f->a, "%s/notes.txt", g_dir);
    FILE *fp = fopen(txt, "w");
    fputs("Ceci est un texte.\n", fp);
    fclose(fp);
    int64_t id = new_film(f);
    give(f, id, txt);
    assert_int_equal(film_process(f->db, id, g_dir, NULL, &e), -1);
    struct film fm = film_now(f, id);
    assert_string_equal(fm.status, "failed");
    assert_non_null(strstr(fm.error, "n'est pas une vidéo"));
    /* sound only */
    const char *snd = arena_printf(f->a, "%s/tone.m4a", g_dir);
    const char *argv[] = {"ffmpeg",          "-v",   "error", "-y", "-nostdin", "-f", "lavfi", "-i",
                          "sine=duration=1", "-c:a", "aac",   snd,  NULL};
    run(argv);
    int64_t id2 = new_film(f);
    give(f, id2, snd);
    assert_int_equal(film_process(f->db, id2, g_dir, NULL, &e), -1);
    assert_non_null(strstr(film_now(f, id2).error, "pas d'image vidéo"));
    /* the job handler refuses a payload without a film */
    struct job j = {.id = 1, .kind = "film_process", .payload = "{}"};
    assert_int_equal(film_job_process(f->db, &j, NULL, &e), -1);
    assert_int_equal(e.status, 422);
}

/* The job through the durable queue and a real worker thread (as `lanterne serve` runs it),
 * on a database the worker's own connections reach: a SQLite file, or the PostgreSQL one. */
static void test_worker(void **state)
{
    struct fx *f = *state;
    const char *url = testdb_pg_url();
    struct fx w = {0};
    struct err e = {0};
    if (!url) { /* the fixture's database is in memory: make the same one in a file */
        url = arena_printf(f->a, "sqlite:%s/worker.db", g_dir);
        if (db_open(url, &w.db, &e) || db_migrate(w.db, &e) || db_exec(w.db, TERRITORY_SQL, &e))
            fail_msg("worker db: %s", e.msg);
        w.a = arena_new();
        w.hc = coordination(&w, "hors-cadre", "Hors Cadre");
        if (db_execf(w.db, &e,
                     "INSERT INTO coordination_departements (departement_code, coordination_id) "
                     "VALUES ('59', ?)",
                     "i", w.hc) != 1)
            fail_msg("worker db: %s", e.msg);
        w.mjc = structure(&w, "MJC Lille", "youth_club", "59350");
        w.sup_a = user(&w, "sup-a", ROLE_SUPERVISOR, 0);
        attach(&w, w.sup_a.id, w.mjc);
        w.ga = mkgroup(&w, &w.sup_a, "Atelier documentaire", w.mjc, "public");
        f = &w;
    }
    static const char *const fast[] = {"-movflags", "+faststart", NULL};
    const char *src = clip(f->a, "w.mp4", 2, 320, 240, fast);
    int64_t id = new_film(f);
    give(f, id, src);
    /* a worker takes the job and dies (it never comes back): the job's second claim, after
     * the lease ran out, does the work */
    const char *const kinds[] = {"film_process", NULL};
    struct job dead;
    assert_int_equal(job_claim(f->db, f->a, "died", kinds, JOB_LEASE_MS_MIN, &dead, &e), 1);
    struct job_worker_opts o = {.poll_ms = 50, .quiet = 1};
    struct job_worker *wk = job_worker_start(url, "unit-film", &o, &e);
    assert_non_null(wk);
    const char *status = "processing";
    for (int i = 0; i < 600 && strcmp(status, "processing") == 0; i++) {
        usleep(100 * 1000);
        status = film_now(f, id).status;
    }
    job_worker_stop(wk);
    assert_string_equal(status, "ready");
    struct job_counts jc;
    assert_int_equal(job_counts(f->db, "film_process", &jc, &e), 0);
    assert_int_equal(jc.done, 1);
    assert_int_equal(jc.dead, 0);
    /* a file that is not a video: the job ends dead with the French message */
    const char *txt = arena_printf(f->a, "%s/w.txt", g_dir);
    FILE *fp = fopen(txt, "w");
    fputs("texte", fp);
    fclose(fp);
    give(f, id, txt);
    wk = job_worker_start(url, "unit-film", &o, &e);
    assert_non_null(wk);
    for (int i = 0; i < 300 && strcmp(status, "failed") != 0; i++) {
        usleep(100 * 1000);
        status = film_now(f, id).status;
    }
    for (int i = 0; i < 50 && jc.dead == 0; i++) { /* the job is marked after the film */
        usleep(100 * 1000);
        job_counts(f->db, "film_process", &jc, &e);
    }
    job_worker_stop(wk);
    assert_string_equal(status, "failed");
    assert_int_equal(jc.dead, 1);
    struct job *jobs;
    int n;
    int64_t total;
    struct job_filter jf = {.state = "dead", .kind = "film_process"};
    assert_int_equal(job_list(f->db, f->a, &jf, &jobs, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(jobs[0].last_error, "n'est pas une vidéo"));
    if (w.db) {
        db_close(w.db);
        arena_free(w.a);
    }
}

static int setup_ff(void **state)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/lanterne-test-ffmpeg-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    film_set_data_dir(g_dir);
    return setup(state);
}

static int teardown_ff(void **state)
{
    film_remove_tree(g_dir);
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exec, setup_ff, teardown_ff),
        cmocka_unit_test_setup_teardown(test_probe, setup_ff, teardown_ff),
        cmocka_unit_test_setup_teardown(test_pipeline_and_gps, setup_ff, teardown_ff),
        cmocka_unit_test_setup_teardown(test_broken_then_replaced, setup_ff, teardown_ff),
        cmocka_unit_test_setup_teardown(test_refused, setup_ff, teardown_ff),
        cmocka_unit_test_setup_teardown(test_worker, setup_ff, teardown_ff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
