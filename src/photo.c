/* photo: rows in photos/photo_tags, derivatives on disk through src/image.h, and the one
 * rule for who sees a photo (the entry's, then every tagged person's consent). */
#include "photo.h"

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
#include "session.h"

static const char *const PHOTO_NOT_FOUND = N_("Photo introuvable.");

#define PHOTO_COLS                                                                                 \
    "id, entry_id, group_id, COALESCE(uploader_user_id, 0), storage_key, alt, width, height, "     \
    "sizes, position, created_at, updated_at"

const char *photo_dir(struct arena *a, const char *data_dir, const char *storage_key)
{
    return arena_printf(a, "%s/media/photos/%s", data_dir, storage_key);
}

int photo_file_ok(const char *file)
{
    for (int i = 0; i < IMAGE_SIZES; i++) {
        char w[16];
        int n = snprintf(w, sizeof w, "%d.", image_widths[i]);
        if (!strncmp(file, w, (size_t)n) && (!strcmp(file + n, "webp") || !strcmp(file + n, "jpg")))
            return 1;
    }
    return 0;
}

/* "WxH WxH WxH" <-> the arrays. */
static void sizes_format(const struct image_info *in, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < IMAGE_SIZES && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%dx%d", i ? " " : "", in->widths[i],
                              in->heights[i]);
}

static void sizes_parse(const char *s, struct photo *p)
{
    for (int i = 0; i < IMAGE_SIZES; i++) {
        int w = 0, h = 0, used = 0;
        if (!s || sscanf(s, "%dx%d%n", &w, &h, &used) < 2)
            w = h = 0;
        p->widths[i] = w;
        p->heights[i] = h;
        s = s ? s + used : NULL;
        while (s && *s == ' ')
            s++;
    }
}

static void read_photo(struct db_stmt *st, struct arena *a, struct photo *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_int(st, 0);
    p->entry_id = db_col_int(st, 1);
    p->group_id = db_col_int(st, 2);
    p->uploader_user_id = db_col_int(st, 3);
    p->storage_key = arena_strdup(a, db_col_text(st, 4) ? db_col_text(st, 4) : "");
    p->alt = arena_strdup(a, db_col_text(st, 5) ? db_col_text(st, 5) : "");
    p->width = (int)db_col_int(st, 6);
    p->height = (int)db_col_int(st, 7);
    sizes_parse(db_col_text(st, 8), p);
    p->position = (int)db_col_int(st, 9);
    p->created_at = db_col_int(st, 10);
    p->updated_at = db_col_int(st, 11);
}

/* The tags of the n photos ps (ids ascending per photo). */
static int read_tags(struct db *db, struct arena *a, struct photo *ps, int n, struct err *e)
{
    for (int i = 0; i < n; i++) {
        struct db_stmt *st;
        if (db_prepare(db,
                       "SELECT participant_id FROM photo_tags WHERE photo_id = ? "
                       "ORDER BY participant_id LIMIT ?",
                       &st, e))
            return -1;
        db_bind_int(st, 1, ps[i].id);
        db_bind_int(st, 2, PHOTO_TAGS_MAX);
        ps[i].tagged = arena_alloc(a, sizeof(int64_t) * PHOTO_TAGS_MAX);
        ps[i].ntagged = 0;
        int r;
        while ((r = db_step(st, e)) == DB_ROW && ps[i].ntagged < PHOTO_TAGS_MAX)
            ps[i].tagged[ps[i].ntagged++] = db_col_int(st, 0);
        db_finalize(st);
        if (r < 0)
            return -1;
    }
    return 0;
}

int photo_get(struct db *db, struct arena *a, int64_t id, struct photo *out, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " PHOTO_COLS " FROM photos WHERE id = ?", &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        read_photo(st, a, out);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(PHOTO_NOT_FOUND));
    return read_tags(db, a, out, 1, e);
}

int photo_list_entry(struct db *db, struct arena *a, int64_t entry_id, struct photo **out, int *n,
                     struct err *e)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st;
    if (db_prepare(db,
                   "SELECT " PHOTO_COLS " FROM photos WHERE entry_id = ? "
                   "ORDER BY position, id LIMIT ?",
                   &st, e))
        return -1;
    db_bind_int(st, 1, entry_id);
    db_bind_int(st, 2, PHOTO_PER_ENTRY_MAX);
    struct photo *list = arena_alloc(a, sizeof *list * PHOTO_PER_ENTRY_MAX);
    int count = 0, r;
    while ((r = db_step(st, e)) == DB_ROW && count < PHOTO_PER_ENTRY_MAX)
        read_photo(st, a, &list[count++]);
    db_finalize(st);
    if (r < 0 || read_tags(db, a, list, count, e))
        return -1;
    *out = list;
    *n = count;
    return 0;
}

/* ---- who sees a photo ---- */

static int signed_in(const struct account *u)
{
    return u && u->role != ROLE_ANON && !u->disabled;
}

int photo_can_see(struct db *db, const struct account *viewer, const struct group *g,
                  const struct logbook_entry *en, const struct photo *p)
{
    if (p->entry_id != en->id || p->group_id != g->id || en->group_id != g->id)
        return 0;
    if (!logbook_can_see(db, viewer, g, en))
        return 0;
    return visibility_can_see_item(db, signed_in(viewer) ? viewer : NULL, g, en->visibility,
                                   p->tagged, p->ntagged, consent_today());
}

int photo_filter_visible(struct db *db, const struct account *viewer, const struct group *g,
                         const struct logbook_entry *en, struct photo *ps, int n)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (photo_can_see(db, viewer, g, en, &ps[i]))
            ps[m++] = ps[i];
    return m;
}

/* ---- files ---- */

/* Removes dir and the files in it (derivatives only: no subdirectories). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char path[4096];
            if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) < (int)sizeof path)
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int mkdir_p(const char *path)
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

/* ---- writes ---- */

static int check_alt(struct arena *a, const char *alt, const char **out, struct err *e)
{
    *out = text_trim(a, alt ? alt : "");
    return valid_text(*out, "alt", N_("Le texte alternatif"), PHOTO_ALT_MAX, 0, e);
}

static int can_edit(struct db *db, const struct account *actor, const struct group *g,
                    const struct logbook_entry *en, struct err *e)
{
    if (en->group_id != g->id || en->deleted_at)
        return err_set(e, 404, "%s", err_tr(N_("Entrée du carnet introuvable.")));
    if (!logbook_can_edit(db, actor, g, en))
        return err_set(e, 403,
                       "Seuls l'auteur de l'entrée et les encadrants du groupe peuvent modifier "
                       "ses photos.");
    return 0;
}

int photo_add(struct db *db, const struct account *actor, const struct group *g,
              const struct logbook_entry *en, const char *data_dir, const void *data, size_t len,
              const char *alt, int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    const char *clean_alt;
    if (can_edit(db, actor, g, en, e) || check_alt(a, alt, &clean_alt, e))
        goto done;
    int64_t count =
        db_scalar_int(db, e, 0, "SELECT COUNT(*) FROM photos WHERE entry_id = ?", "i", en->id);
    if (e->status)
        goto done;
    if (count >= PHOTO_PER_ENTRY_MAX) {
        err_field(e, 422, "photo", "Une entrée peut avoir au plus %d photos.", PHOTO_PER_ENTRY_MAX);
        goto done;
    }
    unsigned char rnd[16];
    char key[2 * sizeof rnd + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(key, sizeof key, rnd, sizeof rnd);
    const char *parent = arena_printf(a, "%s/media/photos", data_dir);
    if (mkdir_p(parent)) {
        err_set(e, 500, "Le dossier des photos n'a pas pu être créé.");
        goto done;
    }
    const char *dir = photo_dir(a, data_dir, key);
    struct image_info info;
    if (image_process(data, len, dir, &info, e))
        goto done;
    char sizes[128];
    sizes_format(&info, sizes, sizeof sizes);
    int64_t now = (int64_t)time(NULL);
    *id = db_scalar_int(db, e, 0,
                        "INSERT INTO photos (entry_id, group_id, uploader_user_id, storage_key, "
                        "alt, width, height, sizes, position, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        "iiissiisiii", en->id, g->id, actor->id, key, clean_alt,
                        (int64_t)info.width, (int64_t)info.height, sizes, count, now, now);
    if (e->status || *id <= 0) {
        if (!e->status)
            err_set(e, 500, "La photo n'a pas pu être enregistrée.");
        remove_dir(dir);
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* Loads photo_id and checks it belongs to en. */
static int load_own(struct db *db, struct arena *a, const struct logbook_entry *en,
                    int64_t photo_id, struct photo *p, struct err *e)
{
    if (photo_get(db, a, photo_id, p, e))
        return -1;
    if (p->entry_id != en->id)
        return err_set(e, 404, "%s", err_tr(PHOTO_NOT_FOUND));
    return 0;
}

static const char *ids_text(struct arena *a, const int64_t *ids, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    const char *s = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Sorted, without duplicates, each a participant of g. */
static int check_tags(struct db *db, struct arena *a, const struct group *g, const int64_t *tags,
                      int n, int64_t **out, int *nout, struct err *e)
{
    if (n > PHOTO_TAGS_MAX)
        return err_field(e, 422, "tags", "Une photo peut identifier au plus %d personnes.",
                         PHOTO_TAGS_MAX);
    int64_t *s = arena_alloc(a, sizeof(int64_t) * (size_t)(n ? n : 1));
    if (n)
        memcpy(s, tags, sizeof(int64_t) * (size_t)n);
    qsort(s, (size_t)n, sizeof *s, cmp_id);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m && s[m - 1] == s[i])
            continue;
        int64_t ok = db_scalar_int(
            db, e, 0, "SELECT COUNT(*) FROM participants WHERE id = ? AND group_id = ?", "ii", s[i],
            g->id);
        if (e->status)
            return -1;
        if (!ok)
            return err_field(e, 422, "tags",
                             "Seuls les participants du groupe peuvent être identifiés.");
        s[m++] = s[i];
    }
    *out = s;
    *nout = m;
    return 0;
}

int photo_update(struct db *db, const struct account *actor, const struct group *g,
                 const struct logbook_entry *en, int64_t photo_id, const char *alt,
                 const int64_t *tags, int n, struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct photo p;
    const char *clean_alt = NULL;
    int64_t *clean_tags = NULL;
    int nclean = 0;
    if (can_edit(db, actor, g, en, e) || load_own(db, a, en, photo_id, &p, e))
        goto done;
    if (alt && check_alt(a, alt, &clean_alt, e))
        goto done;
    if (tags && check_tags(db, a, g, tags, n, &clean_tags, &nclean, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_begin(db, e))
        goto done;
    if (clean_alt && db_execf(db, e, "UPDATE photos SET alt = ?, updated_at = ? WHERE id = ?",
                              "sii", clean_alt, now, photo_id) < 0)
        goto fail;
    if (tags) {
        const char *before = ids_text(a, p.tagged, p.ntagged);
        const char *after = ids_text(a, clean_tags, nclean);
        if (strcmp(before, after)) {
            if (db_execf(db, e, "DELETE FROM photo_tags WHERE photo_id = ?", "i", photo_id) < 0)
                goto fail;
            for (int i = 0; i < nclean; i++)
                if (db_execf(db, e,
                             "INSERT INTO photo_tags (photo_id, participant_id) VALUES (?, ?)",
                             "ii", photo_id, clean_tags[i]) != 1)
                    goto fail;
            if (db_execf(db, e, "UPDATE photos SET updated_at = ? WHERE id = ?", "ii", now,
                         photo_id) < 0 ||
                audit_add(db, actor, g->id, "photo_tags", photo_id, before, after, e))
                goto fail;
        }
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
    goto done;
fail:
    if (!e->status)
        err_set(e, 500, "La photo n'a pas pu être enregistrée.");
    db_rollback(db);
done:
    arena_free(a);
    return rc;
}

int photo_delete(struct db *db, const struct account *actor, const struct group *g,
                 const struct logbook_entry *en, int64_t photo_id, const char *data_dir,
                 struct err *e)
{
    struct arena *a = arena_new();
    int rc = -1;
    struct photo p;
    if (can_edit(db, actor, g, en, e) || load_own(db, a, en, photo_id, &p, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e, "UPDATE groups SET cover_photo_id = NULL WHERE cover_photo_id = ?", "i",
                 photo_id) < 0 ||
        db_execf(db, e, "DELETE FROM photo_tags WHERE photo_id = ?", "i", photo_id) < 0 ||
        db_execf(db, e, "DELETE FROM photos WHERE id = ?", "i", photo_id) != 1 ||
        audit_add(db, actor, g->id, "photo_deleted", photo_id, ids_text(a, p.tagged, p.ntagged),
                  NULL, e)) {
        if (!e->status)
            err_set(e, 500, "La photo n'a pas pu être supprimée.");
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    /* the row is gone, so no URL reaches the files any more; then the files go */
    remove_dir(photo_dir(a, data_dir, p.storage_key));
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int photo_set_cover(struct db *db, const struct account *actor, const struct group *g,
                    int64_t photo_id, struct err *e)
{
    if (!signed_in(actor) || !group_can_manage(db, actor, g))
        return err_set(e, 403,
                       "Seuls les encadrants du groupe et sa coordination choisissent sa photo "
                       "de couverture.");
    if (photo_id) {
        int64_t gid =
            db_scalar_int(db, e, 0, "SELECT group_id FROM photos WHERE id = ?", "i", photo_id);
        if (e->status)
            return -1;
        if (gid != g->id)
            return err_set(e, 404, "%s", err_tr(PHOTO_NOT_FOUND));
    }
    int64_t now = (int64_t)time(NULL);
    if ((photo_id
             ? db_execf(db, e, "UPDATE groups SET cover_photo_id = ?, updated_at = ? WHERE id = ?",
                        "iii", photo_id, now, g->id)
             : db_execf(db, e,
                        "UPDATE groups SET cover_photo_id = NULL, updated_at = ? WHERE id = ?",
                        "ii", now, g->id)) != 1)
        return e->status ? -1 : err_set(e, 404, "%s", err_tr(N_("Groupe introuvable.")));
    return 0;
}

/* ---- signed URLs ---- */

int photo_url_key(struct db *db, unsigned char key[PHOTO_KEY_LEN], struct err *e)
{
    _Static_assert((int)PHOTO_KEY_LEN == (int)SESSION_SECRET_LEN, "one secret size");
    _Static_assert(PHOTO_KEY_LEN == crypto_auth_KEYBYTES, "an HMAC key");
    return session_secret(db, "media_secret", key, e);
}

static void url_mac(const unsigned char key[PHOTO_KEY_LEN], int64_t photo_id, const char *file,
                    int64_t account_id, int64_t expiry, char hex[2 * crypto_auth_BYTES + 1])
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "photo:%lld:%s:%lld:%lld", (long long)photo_id, file,
                     (long long)account_id, (long long)expiry);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)(n < (int)sizeof msg ? n : 0),
                key);
    sodium_bin2hex(hex, 2 * crypto_auth_BYTES + 1, mac, sizeof mac);
}

const char *photo_url_sign(const unsigned char key[PHOTO_KEY_LEN], struct arena *a,
                           int64_t photo_id, const char *file, int64_t account_id, int64_t now)
{
    int64_t expiry = (now + PHOTO_URL_TTL + PHOTO_URL_STEP - 1) / PHOTO_URL_STEP * PHOTO_URL_STEP;
    char hex[2 * crypto_auth_BYTES + 1];
    url_mac(key, photo_id, file, account_id, expiry, hex);
    return arena_printf(a, "e=%lld&s=%s", (long long)expiry, hex);
}

int photo_url_verify(const unsigned char key[PHOTO_KEY_LEN], int64_t photo_id, const char *file,
                     int64_t account_id, const char *expiry, const char *sig, int64_t now)
{
    if (!expiry || !sig || !*expiry || strlen(expiry) > 18 ||
        strspn(expiry, "0123456789") != strlen(expiry) || strlen(sig) != 2 * crypto_auth_BYTES)
        return 1;
    int64_t exp = strtoll(expiry, NULL, 10);
    if (exp < now)
        return 1;
    char hex[2 * crypto_auth_BYTES + 1];
    url_mac(key, photo_id, file, account_id, exp, hex);
    return sodium_memcmp(hex, sig, 2 * crypto_auth_BYTES) ? 1 : 0;
}
