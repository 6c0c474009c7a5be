/* film_files: the media layout on disk, a new original, retrying, and the tus upload target
 * (see film.h). */
#include "film.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "consent.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"
#include "film_internal.h"
#include "job.h"
#include "logbook.h"
#include "tus.h"

/* ---- files ---- */

const char *film_dir(struct arena *a, const char *data_dir, const char *storage_key)
{
    return arena_printf(a, "%s/media/films/%s", data_dir, storage_key);
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int height_ok(const char *s, size_t n)
{
    static const char *const hs[] = {"240", "480", "720", "1080"};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (strlen(hs[i]) == n && memcmp(hs[i], s, n) == 0)
            return 1;
    return 0;
}

int film_file_ok(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "film.mp4") == 0 || strcmp(name, "storyboard.jpg") == 0 ||
        strcmp(name, "hls/master.m3u8") == 0)
        return 1;
    if (strncmp(name, "poster-", 7) == 0 && name[7] >= '1' && name[7] <= '0' + FILM_POSTERS &&
        strcmp(name + 8, ".jpg") == 0)
        return 1;
    if (strncmp(name, "hls/", 4) == 0) {
        const char *r = name + 4;
        const char *p = strchr(r, 'p');
        if (!p || !height_ok(r, (size_t)(p - r)))
            return 0;
        if (strcmp(p, "p.m3u8") == 0)
            return 1;
        if (p[1] != '_')
            return 0;
        const char *dot = strrchr(p, '.');
        return dot && strcmp(dot, ".ts") == 0 && all_digits(p + 2, (size_t)(dot - p - 2)) &&
               dot - p - 2 <= 6;
    }
    if (strncmp(name, "captions/", 9) == 0) {
        const char *r = name + 9;
        const char *dot = strrchr(r, '.');
        if (!dot || strcmp(dot, ".vtt") != 0)
            return 0;
        size_t n = (size_t)(dot - r);
        char lang[FILM_LANGUAGE_MAX + 8];
        if (n >= sizeof lang)
            return 0;
        memcpy(lang, r, n);
        lang[n] = 0;
        if (n > 4 && strcmp(lang + n - 4, "-sdh") == 0)
            lang[n - 4] = 0;
        return film_lang_ok(lang);
    }
    return 0;
}

const char *film_file_path(struct arena *a, const char *data_dir, const struct film *f,
                           const char *name)
{
    if (!film_file_ok(name) || !f->storage_key || !*f->storage_key)
        return NULL;
    return arena_printf(a, "%s/%s", film_dir(a, data_dir, f->storage_key), name);
}

const char *film_file_type(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".m3u8") == 0)
        return "application/vnd.apple.mpegurl";
    if (strcmp(dot, ".ts") == 0)
        return "video/mp2t";
    if (strcmp(dot, ".mp4") == 0)
        return "video/mp4";
    if (strcmp(dot, ".jpg") == 0)
        return "image/jpeg";
    if (strcmp(dot, ".vtt") == 0)
        return "text/vtt; charset=utf-8";
    return "application/octet-stream";
}

int film_mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0750) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0750) && errno != EEXIST ? -1 : 0;
}

/* ---- a new original, retry, upload hooks ---- */

int film_set_original(struct db *db, const struct account *actor, int64_t film_id, const char *path,
                      struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1;
    if (film_load_editable(db, a, actor, film_id, &f, &g, NULL, e))
        goto done;
    if (strcmp(f.status, "processing") == 0) {
        err_set(e, 409, "Le film est en cours de préparation : attendez la fin pour le remplacer.");
        goto done;
    }
    /* Every new original gets a new storage key: the segments of a public film are cached as
     * immutable under their URL, so a replaced film must not reuse its old file names. The
     * captions move along; the old folder goes once the new key is committed. */
    unsigned char rnd[16];
    char key[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(key, sizeof key, rnd, sizeof rnd);
    const char *old_dir = film_dir(a, film_data_dir(), f.storage_key);
    const char *dir = film_dir(a, film_data_dir(), key);
    if (film_mkdir_p(dir)) {
        err_set(e, 500, "Le dossier du film n'a pas pu être créé.");
        goto done;
    }
    const char *dest = arena_printf(a, "%s/original", dir);
    if (rename(path, dest)) {
        err_set(e, 500, "Le fichier envoyé n'a pas pu être rangé : %s", strerror(errno));
        film_remove_tree(dir);
        goto done;
    }
    const char *old_caps = arena_printf(a, "%s/captions", old_dir);
    const char *new_caps = arena_printf(a, "%s/captions", dir);
    int caps_moved = rename(old_caps, new_caps) == 0;
    if (!caps_moved && errno != ENOENT) {
        err_set(e, 500, "Les sous-titres du film n'ont pas pu être déplacés : %s", strerror(errno));
        rename(dest, path);
        film_remove_tree(dir);
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    char payload[64];
    snprintf(payload, sizeof payload, FILM_JOB_PAYLOAD, (long long)film_id);
    if (db_begin(db, e))
        goto undo;
    if (db_execf(db, e,
                 "UPDATE films SET status = 'processing', progress = 0, eta_seconds = -1, "
                 "error = '', error_detail = '', has_original = 1, storage_key = ?, "
                 "renditions = '', updated_at = ? WHERE id = ?",
                 "sii", key, now, film_id) != 1 ||
        job_enqueue(db, "film_process", payload, 0, FILM_JOB_ATTEMPTS, NULL, e)) {
        db_rollback(db);
        goto undo;
    }
    if (db_commit(db, e))
        goto undo;
    film_remove_tree(old_dir);
    rc = 0;
    goto done;
undo:
    /* the upload goes back where it was so that it can be completed again */
    if (caps_moved)
        rename(new_caps, old_caps);
    rename(dest, path);
    film_remove_tree(dir);
done:
    arena_free(a);
    return rc;
}

int film_retry(struct db *db, const struct account *actor, int64_t film_id, struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1, has_orig = 0;
    if (film_load_editable(db, a, actor, film_id, &f, &g, &has_orig, e))
        goto done;
    if (strcmp(f.status, "processing") == 0) {
        err_set(e, 409, "Le film est déjà en cours de préparation.");
        goto done;
    }
    if (!has_orig) {
        err_set(e, 409, "Ce film n'a pas encore de fichier : envoyez-en un.");
        goto done;
    }
    char payload[64];
    snprintf(payload, sizeof payload, FILM_JOB_PAYLOAD, (long long)film_id);
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE films SET status = 'processing', progress = 0, eta_seconds = -1, "
                 "error = '', error_detail = '', updated_at = ? WHERE id = ?",
                 "ii", (int64_t)time(NULL), film_id) != 1 ||
        job_enqueue(db, "film_process", payload, 0, FILM_JOB_ATTEMPTS, NULL, e)) {
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int film_upload_authorize(struct db *db, const struct account *actor, int64_t target_id,
                          uint64_t length, struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1;
    if (film_load_editable(db, a, actor, target_id, &f, &g, NULL, e))
        goto done;
    if (strcmp(f.status, "processing") == 0) {
        err_set(e, 409, "Le film est en cours de préparation : attendez la fin pour le remplacer.");
        goto done;
    }
    if (length == 0) {
        err_set(e, 422, "Le fichier est vide.");
        goto done;
    }
    if (length > FILM_MAX_BYTES) {
        err_set(e, 413, "Le fichier dépasse la taille maximale d'un film (%llu Go).",
                (unsigned long long)(FILM_MAX_BYTES >> 30));
        goto done;
    }
    /* the film shows "uploading" while the bytes come (the draft stays a draft otherwise) */
    if (db_execf(db, e,
                 "UPDATE films SET status = 'uploading', updated_at = ? WHERE id = ? AND status "
                 "IN ('draft', 'uploading')",
                 "ii", (int64_t)time(NULL), target_id) < 0)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int film_upload_complete(struct db *db, const struct account *actor, int64_t target_id,
                         const char *path, const char *upload_id, struct err *e)
{
    (void)upload_id;
    return film_set_original(db, actor, target_id, path, e);
}

int film_register_upload_target(void)
{
    static const struct tus_target t = {
        .kind = "film",
        .authorize = film_upload_authorize,
        .complete = film_upload_complete,
    };
    if (tus_target_find("film"))
        return 0;
    return tus_register_target(&t);
}
