/* film_internal: what film.c, film_collection.c and film_job.c share. */
#ifndef LANTERNE_FILM_INTERNAL_H
#define LANTERNE_FILM_INTERNAL_H

#include "film.h"

/* A processing job is claimed at most twice: once, and again if its worker died (its lease
 * ran out). A file that cannot be decoded will not decode better later: such a failure is
 * recorded on the film (shown at once with a way to retry) and ends the job. */
enum { FILM_JOB_ATTEMPTS = 2 };

/* The payload of a film's processing job: {"film_id": N}, exactly (film_get_ex looks the
 * job up by it). */
#define FILM_JOB_PAYLOAD "{\"film_id\": %lld}"

/* Joins a film (f) to its group (g), structure (s), commune (c) and coordination (cd). */
#define FILM_FROM                                                                                  \
    " FROM films f JOIN groups g ON g.id = f.group_id "                                            \
    "JOIN structures s ON s.id = g.structure_id "                                                  \
    "JOIN communes c ON c.code = s.commune_code "                                                  \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code"

/* A signed-in, enabled account. */
static inline int film_signed_in(const struct account *u)
{
    return u && u->id > 0 && u->role != ROLE_ANON && !u->disabled;
}

int film_get_ex(struct db *db, struct arena *a, int64_t id, struct film *out, int *has_original,
                struct err *e);
int film_load_editable(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                       struct film *f, struct group *g, int *has_original, struct err *e);
/* Participants credited or appearing, ascending, no repeats, in a. */
int film_tagged(struct db *db, struct arena *a, int64_t film_id, int64_t **ids, int *n,
                struct err *e);
void film_remove_tree(const char *dir);
int film_mkdir_p(const char *path);
int film_lang_ok(const char *s);
/* "Français", "Français (SME)" for a caption track, in a. */
const char *film_caption_label(struct arena *a, const char *lang, int sdh);

#include <stdio.h>

#include "ffmpeg.h"

/* What film_transcode made. */
struct film_transcoded {
    struct ffprobe_info info; /* of the source */
    const char *renditions;   /* "240 480 720" */
    const char *tail;         /* for operators, on failure: the end of ffmpeg's log */
};
/* The pipeline without the database: probes input (refusing what film_process refuses),
 * then one ffmpeg run writing every output under out (created; removed again on failure;
 * ffmpeg's log is <out>.log while it runs). *duration (if non-NULL) is set once probed, for
 * the progress callback. 0, or -1 with the French message in e. */
int film_transcode(struct arena *a, const char *input, const char *out, int loudnorm,
                   ffmpeg_progress_fn progress, void *arg, double *duration,
                   struct film_transcoded *r, struct err *e);
/* Prints the two ffmpeg commands film_process runs on input (outputs under out), one
 * argument a line, the commands separated by a line "--". */
int film_pipeline_print(const char *input, const char *out, FILE *fp, struct err *e);

#endif
