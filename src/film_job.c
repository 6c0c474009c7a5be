/* film_job: the processing pipeline of a film (job kind "film_process"): probe, then ONE
 * ffmpeg run that decodes the original once and feeds, through -filter_complex split, the
 * HLS ladder, the download MP4, the poster candidates and the storyboard's thumbnails (a
 * second, tiny run tiles the thumbnails: it reads 100 small JPEGs, not the film). Every
 * output is written without metadata (-map_metadata -1 -map_chapters -1, no data or subtitle
 * streams), so no GPS or device atom survives. Outputs go to <film dir>/new/ and replace the
 * previous ones only once ffmpeg succeeded and the outputs were checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "ffmpeg.h"
#include "film_internal.h"
#include "job.h"

enum {
    FILM_PROGRESS_MS = 500,    /* the film row is updated at most this often */
    FILM_TIMEOUT_BASE_S = 300, /* ffmpeg's time limit: this plus ... */
    FILM_TIMEOUT_FACTOR = 30,  /* ... this many seconds per second of film */
    FILM_ARGV_MAX = 256,
    FILM_DECODE_ERRORS_MIN = 10, /* errors tolerated while decoding (or 1 % of the frames) */
    FILM_LOG_SCAN_MAX = 4 << 20  /* bytes of ffmpeg's log read for them */
};

/* The ladder: height and video bit rate (kbit/s). */
static const struct rung {
    int height, kbps;
} rungs[] = {{240, 400}, {480, 1000}, {720, 2500}, {1080, 5000}};
#define NRUNGS ((int)(sizeof rungs / sizeof rungs[0]))

struct film_plan {
    const char *input; /* the original */
    const char *out;   /* the directory outputs are written to */
    double duration;
    int width, height, has_audio, loudnorm;
    int rung[NRUNGS]; /* indices into rungs of the ladder made */
    int nrungs;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The rungs a source of w x h gets: every one up to its short side (240p at least). */
static void plan_ladder(struct film_plan *p)
{
    int s = p->width < p->height ? p->width : p->height;
    p->nrungs = 0;
    for (int i = 0; i < NRUNGS; i++)
        if (rungs[i].height <= s || i == 0)
            p->rung[p->nrungs++] = i;
}

/* The ffmpeg command of a plan (argv, at most max entries with the NULL), strings in a. */
static int film_pipeline_argv(struct arena *a, const struct film_plan *p, const char **argv,
                              int max)
{
    int n = 0;
#define ARG(s)                                                                                     \
    do {                                                                                           \
        if (n < max - 1)                                                                           \
            argv[n++] = (s);                                                                       \
    } while (0)
    int portrait = p->height > p->width;
    double d = p->duration;
    struct buf fc;
    buf_init(&fc, 0);
    /* video: one split per rung, plus the storyboard; the top rung feeds the MP4 and the
     * posters too */
    buf_printf(&fc, "[0:v:0]split=%d", p->nrungs + 1);
    for (int i = 0; i < p->nrungs; i++)
        buf_printf(&fc, "[s%d]", i);
    buf_puts(&fc, "[sb];");
    for (int i = 0; i < p->nrungs; i++) {
        int h = rungs[p->rung[i]].height;
        buf_printf(&fc, "[s%d]scale=%s,format=yuv420p", i,
                   arena_printf(a, portrait ? "%d:-2" : "-2:%d", h));
        if (i == p->nrungs - 1)
            buf_printf(&fc, ",split=3[v%d][vmp4][vp0];", i);
        else
            buf_printf(&fc, "[v%d];", i);
    }
    /* posters at 10 %, 50 %, 90 %: the first frame at or after each time. The very first
     * frame is taken too (and dropped afterwards): ffmpeg reports progress only once every
     * output has started, and an output whose first frame comes at 10 % would hold the
     * progress at 0 until then. */
    buf_puts(&fc, "[vp0]select='eq(n\\,0)");
    for (int k = 0; k < FILM_POSTERS; k++) {
        double t = d * (k == 0 ? 0.1 : k == 1 ? 0.5 : 0.9);
        buf_printf(&fc, "+lt(prev_pts*TB\\,%.3f)*gte(pts*TB\\,%.3f)", t, t);
    }
    buf_puts(&fc, "'[vp];");
    /* storyboard: 100 thumbnails evenly spread, tiled afterwards by a second, tiny run
     * (film_storyboard_argv): a tile filter here would emit its only frame at the end, and
     * hold the progress report until then (see above) */
    int tiles = FILM_STORYBOARD_COLS * FILM_STORYBOARD_ROWS;
    buf_printf(&fc, "[sb]fps=%.6f,scale=%d:-2[vsb]", tiles / (d > 0.1 ? d : 0.1),
               FILM_STORYBOARD_TILE_W);
    if (p->has_audio) {
        buf_printf(&fc, ";[0:a:0]%saresample=async=1,asplit=%d",
                   p->loudnorm ? "loudnorm=I=-16:TP=-1.5:LRA=11," : "", p->nrungs + 1);
        for (int i = 0; i <= p->nrungs; i++)
            buf_printf(&fc, "[a%d]", i);
    }
    const char *graph = arena_strdup(a, buf_cstr(&fc));
    buf_free(&fc);

    ARG("ffmpeg");
    ARG("-hide_banner");
    ARG("-nostdin");
    ARG("-y");
    ARG("-v");
    ARG("error");
    ARG("-progress");
    ARG("pipe:1");
    ARG("-nostats");
    ARG("-i");
    ARG(arena_printf(a, "file:%s", p->input));
    ARG("-filter_complex");
    ARG(graph);
#define NOMETA()                                                                                   \
    do {                                                                                           \
        ARG("-map_metadata");                                                                      \
        ARG("-1");                                                                                 \
        ARG("-map_chapters");                                                                      \
        ARG("-1");                                                                                 \
        ARG("-dn");                                                                                \
        ARG("-sn");                                                                                \
    } while (0)
    /* the HLS ladder */
    struct buf vsm;
    buf_init(&vsm, 0);
    for (int i = 0; i < p->nrungs; i++) {
        ARG("-map");
        ARG(arena_printf(a, "[v%d]", i));
        if (p->has_audio) {
            ARG("-map");
            ARG(arena_printf(a, "[a%d]", i));
        }
        int kb = rungs[p->rung[i]].kbps;
        ARG(arena_printf(a, "-b:v:%d", i));
        ARG(arena_printf(a, "%dk", kb));
        ARG(arena_printf(a, "-maxrate:v:%d", i));
        ARG(arena_printf(a, "%dk", kb * 3 / 2));
        ARG(arena_printf(a, "-bufsize:v:%d", i));
        ARG(arena_printf(a, "%dk", kb * 2));
        if (p->has_audio)
            buf_printf(&vsm, "%sv:%d,a:%d,name:%dp", i ? " " : "", i, i, rungs[p->rung[i]].height);
        else
            buf_printf(&vsm, "%sv:%d,name:%dp", i ? " " : "", i, rungs[p->rung[i]].height);
    }
    NOMETA();
    ARG("-c:v");
    ARG("libx264");
    ARG("-preset");
    ARG("veryfast");
    ARG("-profile:v");
    ARG("high");
    ARG("-sc_threshold");
    ARG("0");
    ARG("-force_key_frames");
    ARG("expr:gte(t,n_forced*2)");
    if (p->has_audio) {
        ARG("-c:a");
        ARG("aac");
        ARG("-b:a");
        ARG("128k");
        ARG("-ac");
        ARG("2");
    }
    ARG("-f");
    ARG("hls");
    ARG("-hls_time");
    ARG("6");
    ARG("-hls_playlist_type");
    ARG("vod");
    ARG("-hls_flags");
    ARG("independent_segments");
    ARG("-hls_segment_type");
    ARG("mpegts");
    ARG("-hls_segment_filename");
    ARG(arena_printf(a, "%s/hls/%%v_%%03d.ts", p->out));
    ARG("-master_pl_name");
    ARG("master.m3u8");
    ARG("-var_stream_map");
    ARG(arena_strdup(a, buf_cstr(&vsm)));
    buf_free(&vsm);
    ARG(arena_printf(a, "%s/hls/%%v.m3u8", p->out));
    /* the MP4 */
    ARG("-map");
    ARG("[vmp4]");
    if (p->has_audio) {
        ARG("-map");
        ARG(arena_printf(a, "[a%d]", p->nrungs));
    }
    NOMETA();
    ARG("-c:v");
    ARG("libx264");
    ARG("-preset");
    ARG("veryfast");
    ARG("-crf");
    ARG("23");
    ARG("-profile:v");
    ARG("high");
    if (p->has_audio) {
        ARG("-c:a");
        ARG("aac");
        ARG("-b:a");
        ARG("128k");
        ARG("-ac");
        ARG("2");
    }
    ARG("-movflags");
    ARG("+faststart");
    ARG(arena_printf(a, "%s/film.mp4", p->out));
    /* the posters */
    ARG("-map");
    ARG("[vp]");
    NOMETA();
    ARG("-fps_mode");
    ARG("vfr");
    ARG("-frames:v");
    ARG(arena_printf(a, "%d", FILM_POSTERS + 1));
    ARG("-q:v");
    ARG("3");
    ARG("-start_number");
    ARG("0");
    ARG("-f");
    ARG("image2");
    ARG(arena_printf(a, "%s/poster-%%d.jpg", p->out));
    /* the storyboard's thumbnails */
    ARG("-map");
    ARG("[vsb]");
    NOMETA();
    ARG("-frames:v");
    ARG(arena_printf(a, "%d", tiles));
    ARG("-q:v");
    ARG("5");
    ARG("-f");
    ARG("image2");
    ARG(arena_printf(a, "%s/sb/%%03d.jpg", p->out));
    argv[n] = NULL;
#undef ARG
#undef NOMETA
    return n;
}

/* The second run: the thumbnails of <out>/sb tiled into <out>/storyboard.jpg. */
static int film_storyboard_argv(struct arena *a, const char *out, const char **argv, int max)
{
    const char *v[] = {"ffmpeg",
                       "-hide_banner",
                       "-nostdin",
                       "-y",
                       "-v",
                       "error",
                       "-framerate",
                       "25",
                       "-start_number",
                       "1",
                       "-i",
                       arena_printf(a, "%s/sb/%%03d.jpg", out),
                       "-vf",
                       arena_printf(a, "tile=%dx%d", FILM_STORYBOARD_COLS, FILM_STORYBOARD_ROWS),
                       "-frames:v",
                       "1",
                       "-map_metadata",
                       "-1",
                       "-q:v",
                       "5",
                       "-update",
                       "1",
                       arena_printf(a, "%s/storyboard.jpg", out),
                       NULL};
    int n = 0;
    for (; v[n] && n < max - 1; n++)
        argv[n] = v[n];
    argv[n] = NULL;
    return n;
}

/* poster-0.jpg (the first frame, see film_pipeline_argv) goes; the storyboard is tiled. */
static int finish_outputs(struct arena *a, const char *out, int timeout_s, struct err *e)
{
    unlink(arena_printf(a, "%s/poster-0.jpg", out));
    const char *argv[32];
    film_storyboard_argv(a, out, argv, 32);
    struct ffmpeg_run r = {
        .argv = argv, .timeout_s = timeout_s, .stderr_path = arena_printf(a, "%s.sb.log", out)};
    int rc = ffmpeg_exec(&r, e);
    unlink(r.stderr_path);
    film_remove_tree(arena_printf(a, "%s/sb", out));
    return rc;
}

/* ---- progress in the film row ---- */

struct progress {
    struct db *db;
    int64_t film_id;
    double duration;
    int64_t start_ms;
    struct job_ctx *ctx;
};

static int on_progress(void *arg, int64_t out_us, int end)
{
    struct progress *p = arg;
    if (p->ctx && job_ctx_should_stop(p->ctx))
        return 1;
    double frac = p->duration > 0 ? (double)out_us / (p->duration * 1e6) : 0;
    if (frac < 0)
        frac = 0;
    if (frac > 1 || end)
        frac = 1;
    int pct = (int)(frac * 100);
    if (pct > 99)
        pct = 99; /* 100 once the outputs are in place */
    int64_t el = mono_ms() - p->start_ms;
    int eta = frac > 0.01 ? (int)((double)el * (1 - frac) / frac / 1000) : -1;
    struct err e = {0};
    db_execf(p->db, &e,
             "UPDATE films SET progress = ?, eta_seconds = ? WHERE id = ? AND status = "
             "'processing'",
             "iii", (int64_t)pct, (int64_t)eta, p->film_id);
    return 0;
}

static void set_failed(struct db *db, int64_t film_id, const char *msg, const char *detail)
{
    struct err e = {0};
    if (db_execf(db, &e,
                 "UPDATE films SET status = 'failed', progress = 0, eta_seconds = -1, error = ?, "
                 "error_detail = ?, updated_at = ? WHERE id = ?",
                 "ssii", msg, detail ? detail : "", (int64_t)time(NULL), film_id) < 0)
        fprintf(stderr, "film %lld: cannot record the failure: %s\n", (long long)film_id, e.msg);
}

/* Lines of ffmpeg's log that tell of broken input data. */
static int decode_errors(const char *log)
{
    FILE *fp = fopen(log, "r");
    if (!fp)
        return 0;
    char line[1024];
    int n = 0;
    long read_bytes = 0;
    while (read_bytes < FILM_LOG_SCAN_MAX && fgets(line, sizeof line, fp)) {
        read_bytes += (long)strlen(line);
        if (strstr(line, "Error while decoding") || strstr(line, "partial file") ||
            strstr(line, "corrupt input packet") || strstr(line, "Invalid NAL unit"))
            n++;
    }
    fclose(fp);
    return n;
}

/* Moves the outputs of new/ into dir, replacing the previous ones (captions and the
 * original stay). */
static int install_outputs(struct arena *a, const char *dir, const char *out)
{
    film_remove_tree(arena_printf(a, "%s/hls", dir));
    if (rename(arena_printf(a, "%s/hls", out), arena_printf(a, "%s/hls", dir)))
        return -1;
    static const char *const files[] = {"film.mp4", "poster-1.jpg", "poster-2.jpg", "poster-3.jpg",
                                        "storyboard.jpg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *from = arena_printf(a, "%s/%s", out, files[i]);
        const char *to = arena_printf(a, "%s/%s", dir, files[i]);
        if (access(from, F_OK) == 0) {
            if (rename(from, to))
                return -1;
        } else {
            unlink(to);
        }
    }
    film_remove_tree(out);
    return 0;
}

/* Checks the probe: 0, or -1 with the French message in e. */
static int check_probe(const struct ffprobe_info *in, struct err *e)
{
    if (!in->has_video)
        return err_set(e, 422,
                       "Ce fichier ne contient pas d'image vidéo : envoyez le fichier du film "
                       "lui-même.");
    if (in->duration <= 0.05)
        return err_set(e, 422, "Ce fichier vidéo est vide (durée nulle).");
    if (in->duration > FILM_MAX_SECONDS)
        return err_set(e, 422,
                       "Le film dure plus de %d heures : la durée maximale est de %d "
                       "minutes.",
                       FILM_MAX_SECONDS / 3600, FILM_MAX_SECONDS / 60);
    if (in->width <= 0 || in->height <= 0 || in->width > 8192 || in->height > 8192)
        return err_set(e, 422,
                       "Les dimensions de l'image de ce fichier ne sont pas prises en "
                       "charge.");
    return 0;
}

int film_transcode(struct arena *a, const char *input, const char *out, int loudnorm,
                   ffmpeg_progress_fn progress, void *arg, double *duration,
                   struct film_transcoded *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    r->tail = "";
    struct err pe = {0};
    if (ffprobe_file(a, input, &r->info, &pe)) {
        if (pe.status == 422)
            err_set(e, 422, "%s", pe.msg);
        else
            err_set(e, 500,
                    "Le fichier n'a pas pu être analysé. Réessayez plus tard ou "
                    "contactez l'équipe.");
        r->tail = arena_strdup(a, pe.msg);
        return -1;
    }
    const struct ffprobe_info *info = &r->info;
    if (check_probe(info, e))
        return -1;
    if (duration)
        *duration = info->duration;
    struct film_plan p = {
        .input = input,
        .out = out,
        .duration = info->duration,
        .width = info->width,
        .height = info->height,
        .has_audio = info->has_audio,
        .loudnorm = loudnorm,
    };
    plan_ladder(&p);
    film_remove_tree(p.out);
    if (film_mkdir_p(arena_printf(a, "%s/hls", p.out)) ||
        film_mkdir_p(arena_printf(a, "%s/sb", p.out)))
        return err_set(e, 500, "Le dossier du film n'a pas pu être créé.");
    const char *argv[FILM_ARGV_MAX];
    film_pipeline_argv(a, &p, argv, FILM_ARGV_MAX);
    const char *log = arena_printf(a, "%s.log", out);
    struct ffmpeg_run run = {
        .argv = argv,
        .timeout_s = FILM_TIMEOUT_BASE_S + (int)(info->duration * FILM_TIMEOUT_FACTOR),
        .stderr_path = log,
        .progress = progress,
        .arg = arg,
        .progress_ms = FILM_PROGRESS_MS,
    };
    struct err fe = {0};
    int rc = -1;
    if (ffmpeg_exec(&run, &fe)) {
        r->tail = arena_printf(a, "%s\n%s", fe.msg, ffmpeg_tail(a, log, FILM_STDERR_TAIL));
        if (fe.status == 504)
            err_set(e, 500,
                    "La préparation du film a pris trop de temps et a été arrêtée. "
                    "Réessayez, ou envoyez un fichier plus court.");
        else if (fe.status == 499)
            err_set(e, 503, "La préparation a été interrompue (arrêt du serveur) : relancez-la.");
        else
            err_set(e, 422,
                    "La vidéo n'a pas pu être convertie : le fichier semble abîmé ou "
                    "incomplet. Exportez-le à nouveau depuis votre logiciel de montage "
                    "et envoyez-le.");
        goto fail;
    }
    /* ffmpeg carries on past broken data (exit status 0, a shorter or garbled film): the
     * outputs must cover the source, and decoding errors must stay rare */
    struct ffprobe_info made;
    struct err me = {0};
    int errors = decode_errors(log);
    int tolerated = (int)(info->duration * (info->fps > 0 ? info->fps : 25) / 100);
    if (tolerated < FILM_DECODE_ERRORS_MIN)
        tolerated = FILM_DECODE_ERRORS_MIN;
    if (access(arena_printf(a, "%s/hls/master.m3u8", p.out), F_OK) ||
        ffprobe_file(a, arena_printf(a, "%s/film.mp4", p.out), &made, &me) ||
        made.duration < info->duration * 0.95 - 0.5 || errors > tolerated) {
        r->tail = ffmpeg_tail(a, log, FILM_STDERR_TAIL);
        err_set(e, 422,
                "La vidéo n'a pas pu être convertie : le fichier semble abîmé ou "
                "incomplet. Exportez-le à nouveau depuis votre logiciel de montage et "
                "envoyez-le.");
        goto fail;
    }
    if (finish_outputs(a, p.out, FILM_TIMEOUT_BASE_S, &fe)) {
        r->tail = arena_strdup(a, fe.msg);
        err_set(e, 500,
                "La planche d'aperçus du film n'a pas pu être faite. Réessayez plus "
                "tard ou contactez l'équipe.");
        goto fail;
    }
    struct buf rb;
    buf_init(&rb, 0);
    for (int i = 0; i < p.nrungs; i++)
        buf_printf(&rb, "%s%d", i ? " " : "", rungs[p.rung[i]].height);
    r->renditions = arena_strdup(a, buf_cstr(&rb));
    buf_free(&rb);
    rc = 0;
    unlink(log);
    return 0;
fail:
    film_remove_tree(p.out);
    unlink(log);
    return rc;
}

int film_process(struct db *db, int64_t film_id, const char *data_dir, struct job_ctx *ctx,
                 struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    int has_orig = 0, rc = -1;
    const char *tail = "";
    if (film_get_ex(db, a, film_id, &f, &has_orig, e))
        goto done;
    const char *dir = film_dir(a, data_dir, f.storage_key);
    const char *orig = arena_printf(a, "%s/original", dir);
    if (!has_orig || access(orig, R_OK)) {
        err_set(e, 409, "Le fichier du film est introuvable : envoyez-le à nouveau.");
        goto fail;
    }
    /* an upload's last bytes may still be in the page cache only (tus does not wait for
     * the disk): the original is on the disk before anything is made from it */
    int ofd = open(orig, O_RDONLY | O_CLOEXEC);
    if (ofd >= 0) {
        fsync(ofd);
        close(ofd);
    }
    db_execf(db, e,
             "UPDATE films SET status = 'processing', progress = 0, eta_seconds = -1, error = "
             "'', error_detail = '' WHERE id = ?",
             "i", film_id);
    err_clear(e);
    struct progress pr = {db, film_id, 0, mono_ms(), ctx};
    struct film_transcoded r;
    const char *out = arena_printf(a, "%s/new", dir);
    if (film_transcode(a, orig, out, f.loudnorm, on_progress, &pr, &pr.duration, &r, e)) {
        tail = r.tail;
        goto fail;
    }
    if (install_outputs(a, dir, out)) {
        err_set(e, 500, "Les fichiers du film n'ont pas pu être rangés.");
        goto fail;
    }
    int64_t now = (int64_t)time(NULL);
    struct err ue = {0};
    int64_t changed = db_execf(
        db, &ue,
        "UPDATE films SET status = 'ready', progress = 100, eta_seconds = 0, error = '', "
        "error_detail = '', duration_ms = ?, width = ?, height = ?, renditions = ?, "
        "poster = CASE WHEN poster BETWEEN 1 AND 3 THEN poster ELSE 2 END, processed_at = ?, "
        "updated_at = ? WHERE id = ?",
        "iiisiii", (int64_t)(r.info.duration * 1000 + 0.5), (int64_t)r.info.width,
        (int64_t)r.info.height, r.renditions, now, now, film_id);
    if (changed != 1) {
        *e = ue;
        if (!e->status)
            err_set(e, 404, "Ce film n'existe plus.");
        goto done;
    }
    rc = 0;
    goto done;
fail:
    if (e->status != 503) /* stopped with the server: stays processing, the job comes back */
        set_failed(db, film_id, e->msg, tail);
done:
    arena_free(a);
    return rc;
}

int film_job_process(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    json_error_t je;
    json_t *p = json_loads(j->payload, 0, &je);
    json_int_t id = 0;
    if (!p || json_unpack_ex(p, &je, 0, "{s:I}", "film_id", &id) || id <= 0) {
        json_decref(p);
        job_ctx_give_up(ctx);
        return err_set(e, 422, "Paramètres de la tâche illisibles.");
    }
    json_decref(p);
    struct err le = {0};
    int64_t processing = db_scalar_int(
        db, &le, -1, "SELECT COUNT(*) FROM films WHERE id = ? AND status = 'processing'", "i",
        (int64_t)id);
    if (le.status) {
        *e = le;
        return -1;
    }
    if (processing == 0)
        return 0; /* deleted, or already finished by an attempt whose worker then died */
    if (film_process(db, (int64_t)id, film_data_dir(), ctx, e) == 0)
        return 0;
    /* stopped with the server: the film stays processing and the job comes back. Any other
     * failure is recorded on the film, for its people to read, with a way to retry: the job
     * is not tried again by itself. */
    if (e->status != 503)
        job_ctx_give_up(ctx);
    return -1;
}

/* For bench/pipeline.sh: the ffmpeg command film_process would run on input, one argument a
 * line, outputs under out. */
int film_pipeline_print(const char *input, const char *out, FILE *fp, struct err *e)
{
    struct arena *a = arena_new();
    struct ffprobe_info info;
    if (ffprobe_file(a, input, &info, e)) {
        arena_free(a);
        return -1;
    }
    struct film_plan p = {.input = input,
                          .out = out,
                          .duration = info.duration,
                          .width = info.width,
                          .height = info.height,
                          .has_audio = info.has_audio};
    plan_ladder(&p);
    const char *argv[FILM_ARGV_MAX];
    int n = film_pipeline_argv(a, &p, argv, FILM_ARGV_MAX);
    for (int i = 0; i < n; i++)
        fprintf(fp, "%s\n", argv[i]);
    fprintf(fp, "--\n");
    n = film_storyboard_argv(a, out, argv, FILM_ARGV_MAX);
    for (int i = 0; i < n; i++)
        fprintf(fp, "%s\n", argv[i]);
    arena_free(a);
    return 0;
}
