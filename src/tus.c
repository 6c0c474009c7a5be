/* tus: resumable uploads, see tus.h. */
#include "tus.h"

#include "account.h"
#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

enum { TUS_TARGETS_MAX = 16 };

static const struct tus_target *g_targets[TUS_TARGETS_MAX];
static int g_ntargets;
static char g_dir[4096] = "var/uploads";
static char g_data_dir[4096] = "var";

/* ---- targets -------------------------------------------------------------------------- */

static int test_authorize(struct db *db, const struct account *actor, int64_t target_id,
                          uint64_t length, struct err *e)
{
    return 0;
}

/* For the test suites: records the sha256 of the finished file. */
static int test_complete(struct db *db, const struct account *actor, int64_t target_id,
                         const char *path, const char *upload_id, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, 500, "Lecture impossible de %s : %s", path, strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    char *b = xmalloc(1 << 20);
    uint64_t total = 0;
    ssize_t n;
    while ((n = read(fd, b, 1 << 20)) > 0) {
        crypto_hash_sha256_update(&st, (unsigned char *)b, (size_t)n);
        total += (uint64_t)n;
    }
    free(b);
    close(fd);
    unsigned char d[32];
    crypto_hash_sha256_final(&st, d);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    char log[4200], line[160];
    snprintf(log, sizeof log, "%s/tus-test.log", g_data_dir);
    int len = snprintf(line, sizeof line, "%s %s %" PRIu64 "\n", upload_id, hex, total);
    int lf = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (lf < 0 || write(lf, line, (size_t)len) != len) {
        if (lf >= 0)
            close(lf);
        return err_set(e, 500, "Écriture impossible dans %s.", log);
    }
    close(lf);
    return 0;
}

static int null_complete(struct db *db, const struct account *actor, int64_t target_id,
                         const char *path, const char *upload_id, struct err *e)
{
    return 0;
}

static const struct tus_target test_target = {"test", test_authorize, test_complete};
/* for bench/tus.sh: takes the file and does nothing with it */
static const struct tus_target null_target = {"null", test_authorize, null_complete};

int tus_register_target(const struct tus_target *t)
{
    if (g_ntargets >= TUS_TARGETS_MAX || !t || !t->kind || tus_target_find(t->kind))
        return -1;
    g_targets[g_ntargets++] = t;
    return 0;
}

const struct tus_target *tus_target_find(const char *kind)
{
    if (!kind)
        return NULL;
    for (int i = 0; i < g_ntargets; i++)
        if (strcmp(g_targets[i]->kind, kind) == 0)
            return g_targets[i];
    const char *t = getenv("LANTERNE_TEST_JOBS");
    if (t && strcmp(t, "1") == 0 && strcmp(kind, test_target.kind) == 0)
        return &test_target;
    if (t && strcmp(t, "1") == 0 && strcmp(kind, null_target.kind) == 0)
        return &null_target;
    return NULL;
}

/* ---- settings ------------------------------------------------------------------------- */

int tus_init(const char *data_dir, struct err *e)
{
    snprintf(g_data_dir, sizeof g_data_dir, "%s", data_dir);
    snprintf(g_dir, sizeof g_dir, "%s/uploads", data_dir);
    if (mkdir(g_dir, 0750) && errno != EEXIST)
        return err_set(e, 500, "cannot create %s: %s", g_dir, strerror(errno));
    return 0;
}

const char *tus_dir(void)
{
    return g_dir;
}

uint64_t tus_max_bytes(void)
{
    const char *s = getenv("LANTERNE_UPLOAD_MAX_BYTES");
    if (s && *s) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (!errno && !*end && v > 0)
            return (uint64_t)v;
    }
    return TUS_MAX_BYTES;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* ---- header forms --------------------------------------------------------------------- */

static int b64_decode(struct arena *a, const char *s, size_t n, char **out, size_t *outlen)
{
    size_t cap = n / 4 * 3 + 3;
    unsigned char *bin = arena_alloc(a, cap + 1);
    size_t len = 0;
    if (sodium_base642bin(bin, cap, s, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    bin[len] = 0;
    *out = (char *)bin;
    *outlen = len;
    return 0;
}

int tus_metadata_parse(struct arena *a, const char *header, const char **json, struct err *e)
{
    json_t *o = json_object();
    int rc = 0;
    if (header && strlen(header) > TUS_METADATA_MAX) {
        rc = err_set(e, 400, "En-tête Upload-Metadata trop long.");
        goto done;
    }
    for (const char *p = header ? header : ""; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        const char *sp = memchr(p, ' ', n);
        size_t klen = sp ? (size_t)(sp - p) : n;
        char *key = arena_strndup(a, p, klen);
        char *val = "";
        size_t vlen = 0;
        if (sp) {
            const char *v = sp + 1;
            size_t l = n - klen - 1;
            while (l && v[l - 1] == ' ')
                l--;
            if (b64_decode(a, v, l, &val, &vlen) || strlen(val) != vlen) {
                rc = err_set(e, 400, "Valeur illisible dans Upload-Metadata (clé « %s »).", key);
                goto done;
            }
        }
        json_t *js = json_stringn(val, vlen);
        if (!klen || !js || json_object_get(o, key)) {
            json_decref(js);
            rc = err_set(e, 400, "En-tête Upload-Metadata mal formé.");
            goto done;
        }
        json_object_set_new(o, key, js);
        p += n;
    }
    char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    *json = arena_strdup(a, txt);
    free(txt);
done:
    json_decref(o);
    return rc ? -1 : 0;
}

const char *tus_metadata_header(struct arena *a, const char *json)
{
    json_t *o = json_loads(json ? json : "{}", 0, NULL);
    struct buf b;
    buf_init(&b, 0);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (b.len)
            buf_putc(&b, ',');
        buf_puts(&b, k);
        if (n) {
            size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
            char *enc = arena_alloc(a, cap);
            sodium_bin2base64(enc, cap, (const unsigned char *)s, n,
                              sodium_base64_VARIANT_ORIGINAL);
            buf_putc(&b, ' ');
            buf_puts(&b, enc);
        }
    }
    json_decref(o);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

int tus_checksum_parse(const char *header, unsigned char digest[32])
{
    if (!header)
        return -1;
    const char *sp = strchr(header, ' ');
    if (!sp || sp == header)
        return -1;
    if ((size_t)(sp - header) != 6 || strncasecmp(header, "sha256", 6) != 0)
        return -2;
    size_t len = 0;
    const char *v = sp + 1;
    if (strlen(v) != 44 ||
        sodium_base642bin(digest, 32, v, 44, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        len != 32)
        return -1;
    return 0;
}

/* ---- rows ----------------------------------------------------------------------------- */

static const char COLS[] = "id, owner_user_id, upload_length, upload_offset, metadata, kind, "
                           "target_id, path, created_at, updated_at, expires_at, completed_at, "
                           "synced_offset, synced_at, boot_id";

static void read_row(struct db_stmt *s, struct arena *a, struct tus_upload *u)
{
    memset(u, 0, sizeof *u);
    snprintf(u->id, sizeof u->id, "%s", db_col_text(s, 0));
    u->owner_id = db_col_int(s, 1);
    u->length = (uint64_t)db_col_int(s, 2);
    u->offset = (uint64_t)db_col_int(s, 3);
    u->metadata = arena_strdup(a, db_col_text(s, 4));
    u->kind = arena_strdup(a, db_col_text(s, 5));
    u->target_id = db_col_int(s, 6);
    u->path = arena_strdup(a, db_col_text(s, 7));
    u->created_at = db_col_int(s, 8);
    u->updated_at = db_col_int(s, 9);
    u->expires_at = db_col_int(s, 10);
    u->completed_at = db_col_is_null(s, 11) ? 0 : db_col_int(s, 11);
    u->synced_offset = (uint64_t)db_col_int(s, 12);
    u->synced_at = db_col_int(s, 13);
    snprintf(u->boot_id, sizeof u->boot_id, "%s", db_col_text(s, 14) ? db_col_text(s, 14) : "");
}

static char g_boot_id[TUS_BOOT_ID_LEN + 1];
static pthread_once_t g_boot_once = PTHREAD_ONCE_INIT;

static void read_boot_id(void)
{
    FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!fp)
        return;
    char line[64] = "";
    if (fgets(line, sizeof line, fp) && strlen(line) >= TUS_BOOT_ID_LEN)
        memcpy(g_boot_id, line, TUS_BOOT_ID_LEN);
    fclose(fp);
}

/* The kernel's boot id, "" when it cannot be read (then every request syncs). */
static const char *boot_id(void)
{
    pthread_once(&g_boot_once, read_boot_id);
    return g_boot_id;
}

/* After a machine crash the bytes past synced_offset may not have reached the disk: the
 * upload goes back to synced_offset (once: the row then carries this boot's id). */
static int recover_after_crash(struct db *db, struct tus_upload *u, struct err *e)
{
    if (u->completed_at || !strcmp(u->boot_id, boot_id()) || u->synced_offset >= u->offset)
        return 0;
    if (truncate(u->path, (off_t)u->synced_offset) != 0 && errno != ENOENT)
        return err_set(e, 500, "Troncature impossible : %s", strerror(errno));
    int64_t n = db_execf(db, e,
                         "UPDATE uploads SET upload_offset = synced_offset, boot_id = ? "
                         "WHERE id = ? AND upload_offset = ? AND boot_id = ?",
                         "ssis", boot_id(), u->id, (int64_t)u->offset, u->boot_id);
    if (n < 0)
        return -1;
    if (n == 1)
        u->offset = u->synced_offset;
    snprintf(u->boot_id, sizeof u->boot_id, "%s", boot_id());
    return 0;
}

static int free_space_ok(uint64_t need, struct err *e)
{
    struct statvfs sv;
    if (statvfs(g_dir, &sv) != 0)
        return err_set(e, 500, "Espace disque inconnu pour %s : %s", g_dir, strerror(errno));
    uint64_t avail = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
    if (avail < TUS_DISK_RESERVE_BYTES || avail - TUS_DISK_RESERVE_BYTES < need)
        return err_set(e, 413, "Il n'y a pas assez d'espace disque pour ce fichier.");
    return 0;
}

int tus_create(struct db *db, struct arena *a, const struct account *actor, uint64_t length,
               const char *metadata_header, struct tus_upload *out, struct err *e)
{
    uint64_t max = tus_max_bytes();
    if (length > max)
        return err_set(e, 413, "Le fichier dépasse la taille maximale (%llu octets).",
                       (unsigned long long)max);
    const char *meta;
    if (tus_metadata_parse(a, metadata_header, &meta, e))
        return -1;
    json_t *o = json_loads(meta, 0, NULL);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *target = json_string_value(json_object_get(o, "target"));
    kind = kind ? arena_strdup(a, kind) : NULL;
    target = target ? arena_strdup(a, target) : NULL;
    json_decref(o);
    const struct tus_target *t = tus_target_find(kind);
    if (!t)
        return err_field(e, 422, "kind", "Type d'envoi inconnu (métadonnée « kind »).");
    int64_t target_id = 0;
    if (target && *target) {
        char *end;
        errno = 0;
        long long v = strtoll(target, &end, 10);
        if (errno || *end || v <= 0)
            return err_field(e, 422, "target", "Destination invalide (métadonnée « target »).");
        target_id = v;
    }
    if (t->authorize(db, actor, target_id, length, e))
        return -1;
    if (free_space_ok(length, e))
        return -1;
    memset(out, 0, sizeof *out);
    unsigned char rnd[TUS_ID_LEN / 2];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(out->id, sizeof out->id, rnd, sizeof rnd);
    out->owner_id = actor->id;
    out->length = length;
    out->metadata = meta;
    out->kind = kind;
    out->target_id = target_id;
    out->path = arena_printf(a, "%s/%s", g_dir, out->id);
    out->created_at = out->updated_at = out->synced_at = now_s();
    snprintf(out->boot_id, sizeof out->boot_id, "%s", boot_id());
    out->expires_at = out->created_at + TUS_EXPIRE_SECONDS;
    int fd = open(out->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return err_set(e, 500, "Création impossible de %s : %s", out->path, strerror(errno));
    close(fd);
    if (db_execf(db, e,
                 "INSERT INTO uploads (id, owner_user_id, upload_length, upload_offset, metadata, "
                 "kind, target_id, path, created_at, updated_at, expires_at, synced_at, boot_id) "
                 "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "siissisiiiis", out->id, out->owner_id, (int64_t)length, meta, kind, target_id,
                 out->path, out->created_at, out->updated_at, out->expires_at, out->created_at,
                 boot_id()) < 0) {
        unlink(out->path);
        return -1;
    }
    return 0;
}

int tus_get(struct db *db, struct arena *a, const char *id, int64_t owner_id,
            struct tus_upload *out, struct err *e)
{
    if (!id || strlen(id) != TUS_ID_LEN || strspn(id, "0123456789abcdef") != TUS_ID_LEN)
        return err_set(e, 404, "Cet envoi n'existe pas.");
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM uploads WHERE id = ?", COLS);
    struct db_stmt *s;
    if (db_prepare(db, sql, &s, e))
        return -1;
    db_bind_text(s, 1, id);
    int rc = db_step(s, e);
    if (rc == DB_ROW)
        read_row(s, a, out);
    db_finalize(s);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW || out->owner_id != owner_id)
        return err_set(e, 404, "Cet envoi n'existe pas.");
    if (out->expires_at < now_s())
        return err_set(e, 410, "Cet envoi a expiré.");
    return recover_after_crash(db, out, e);
}

static void unlink_quiet(const char *path)
{
    if (path && unlink(path) && errno != ENOENT)
        fprintf(stderr, "lanterne: cannot delete %s: %s\n", path, strerror(errno));
}

/* lock_take and lock_release come with the writing code below */
static int lock_take(const char *id, int *slot, uint64_t *gen);
static void lock_release(int slot, uint64_t gen);

int tus_delete(struct db *db, const struct tus_upload *u, struct err *e)
{
    int slot;
    uint64_t gen;
    int lk = lock_take(u->id, &slot, &gen);
    if (lk == -1)
        return err_set(e, 423, "Cet envoi reçoit déjà des données ; réessayez dans un instant.");
    if (lk == -2)
        return err_set(e, 503, "Trop d'envois en cours ; réessayez dans un instant.");
    int rc = db_execf(db, e, "DELETE FROM uploads WHERE id = ?", "s", u->id) < 0 ? -1 : 0;
    if (!rc)
        unlink_quiet(u->path);
    lock_release(slot, gen);
    return rc;
}

int tus_expire(struct db *db, int64_t now, int *n, struct err *e)
{
    struct arena *a = arena_new();
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM uploads WHERE expires_at < ? ORDER BY id", COLS);
    struct db_stmt *s;
    struct tus_upload *list = NULL;
    size_t cnt = 0, cap = 0;
    int rc = -1;
    if (db_prepare(db, sql, &s, e))
        goto out;
    db_bind_int(s, 1, now);
    int st;
    while ((st = db_step(s, e)) == DB_ROW) {
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            list = xrealloc(list, cap * sizeof *list);
        }
        read_row(s, a, &list[cnt++]);
    }
    db_finalize(s);
    if (st < 0)
        goto out;
    for (size_t i = 0; i < cnt; i++) {
        /* the row first: a file without a row is harmless, a row without a file is not */
        if (db_execf(db, e, "DELETE FROM uploads WHERE id = ? AND expires_at < ?", "si", list[i].id,
                     now) < 0)
            goto out;
        unlink_quiet(list[i].path);
    }
    if (n)
        *n = (int)cnt;
    rc = 0;
out:
    free(list);
    arena_free(a);
    return rc;
}

int tus_job_expire(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e)
{
    struct err ie = {0};
    if (tus_expire(db, now_s(), NULL, &ie))
        return err_set(e, 500, "Le nettoyage des envois expirés a échoué : %s", ie.msg);
    return 0;
}

/* ---- writing -------------------------------------------------------------------------- */

/* Who is writing which upload. A request whose client vanished may stay open until the
 * connection times out: a new request for the same upload takes over from a writer idle for
 * TUS_STALE_MS (never from one that is ending). The old writer then sees a new generation
 * and writes nothing more: each pwrite checks the generation under the slot's io mutex. */
struct slot {
    char id[TUS_ID_LEN + 1];
    uint64_t gen;
    int64_t last_ms;
    int ending;
    pthread_mutex_t io;
};
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot g_slots[TUS_CONCURRENT_MAX];
static uint64_t g_gen;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
    for (int i = 0; i < TUS_CONCURRENT_MAX; i++)
        pthread_mutex_init(&g_slots[i].io, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0 with *slot and *gen, -1 busy, -2 table full */
static int lock_take(const char *id, int *slot, uint64_t *gen)
{
    pthread_once(&g_once, slots_init);
    int free_slot = -1, rc = 0;
    int64_t now = mono_ms();
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < TUS_CONCURRENT_MAX; i++) {
        struct slot *sl = &g_slots[i];
        if (strcmp(sl->id, id) == 0) {
            if (sl->ending ||
                now - __atomic_load_n(&sl->last_ms, __ATOMIC_RELAXED) < TUS_STALE_MS) {
                rc = -1;
            } else {
                pthread_mutex_lock(&sl->io);
                sl->gen = ++g_gen;
                pthread_mutex_unlock(&sl->io);
                sl->last_ms = now;
                *slot = i;
                *gen = sl->gen;
            }
            pthread_mutex_unlock(&g_lock);
            return rc;
        }
        if (!sl->id[0] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        rc = -2;
    else {
        struct slot *sl = &g_slots[free_slot];
        snprintf(sl->id, sizeof sl->id, "%s", id);
        pthread_mutex_lock(&sl->io);
        sl->gen = ++g_gen;
        pthread_mutex_unlock(&sl->io);
        sl->last_ms = now;
        sl->ending = 0;
        *slot = free_slot;
        *gen = sl->gen;
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

/* 1 if still the writer (then no one can take over any more), 0 if superseded */
static int lock_ending(int slot, uint64_t gen)
{
    pthread_mutex_lock(&g_lock);
    struct slot *sl = &g_slots[slot];
    int mine = sl->gen == gen;
    if (mine)
        sl->ending = 1;
    pthread_mutex_unlock(&g_lock);
    return mine;
}

static void lock_release(int slot, uint64_t gen)
{
    pthread_mutex_lock(&g_lock);
    struct slot *sl = &g_slots[slot];
    if (sl->gen == gen) {
        sl->id[0] = 0;
        sl->ending = 0;
    }
    pthread_mutex_unlock(&g_lock);
}

int tus_write_begin(struct tus_write *w, struct db *db, const struct tus_upload *u,
                    const unsigned char *checksum, struct err *e)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (u->completed_at || u->offset >= u->length)
        return err_set(e, 409, "Cet envoi est déjà complet.");
    int lk = lock_take(u->id, &w->slot, &w->gen);
    if (lk == -1)
        return err_set(e, 423, "Cet envoi reçoit déjà des données ; réessayez dans un instant.");
    if (lk == -2)
        return err_set(e, 503, "Trop d'envois en cours ; réessayez dans un instant.");
    /* the offset as it is now that the upload is ours (a writer that ended meanwhile may
     * have moved it) */
    struct err de = {0};
    int64_t off =
        db_scalar_int(db, &de, -1, "SELECT upload_offset FROM uploads WHERE id = ?", "s", u->id);
    if (de.status || off < 0 || (uint64_t)off != u->offset) {
        lock_release(w->slot, w->gen);
        if (de.status)
            return err_set(e, 500, "%s", de.msg);
        return err_set(e, 409, "Upload-Offset ne correspond pas à la position de l'envoi.");
    }
    w->up = *u;
    w->start = u->offset;
    w->fd = open(u->path, O_WRONLY | O_CLOEXEC);
    /* bytes past the counted offset were written by a request that never finished */
    if (w->fd < 0 || ftruncate(w->fd, (off_t)u->offset) != 0) {
        int en = errno;
        if (w->fd >= 0)
            close(w->fd);
        w->fd = -1;
        lock_release(w->slot, w->gen);
        return err_set(e, 500, "Ouverture impossible de %s : %s", u->path, strerror(en));
    }
    if (checksum) {
        w->has_checksum = 1;
        memcpy(w->checksum, checksum, 32);
        crypto_hash_sha256_init(&w->sha);
    }
    w->buf = xmalloc(TUS_WRITE_BUF);
    return 0;
}

static int flush(struct tus_write *w)
{
    size_t done = 0;
    uint64_t at = w->start + w->received - w->buf_len;
    struct slot *sl = &g_slots[w->slot];
    pthread_mutex_lock(&sl->io);
    if (sl->gen != w->gen) {
        pthread_mutex_unlock(&sl->io);
        w->superseded = 1;
        return -1;
    }
    __atomic_store_n(&sl->last_ms, mono_ms(), __ATOMIC_RELAXED);
    while (done < w->buf_len) {
        ssize_t n = pwrite(w->fd, w->buf + done, w->buf_len - done, (off_t)(at + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            w->failed = 1;
            w->err_no = errno;
            pthread_mutex_unlock(&sl->io);
            return -1;
        }
        done += (size_t)n;
    }
    pthread_mutex_unlock(&sl->io);
    w->buf_len = 0;
    return 0;
}

int tus_write_chunk(struct tus_write *w, const char *data, size_t len)
{
    if (w->failed || w->over || w->superseded)
        return -1;
    __atomic_store_n(&g_slots[w->slot].last_ms, mono_ms(), __ATOMIC_RELAXED);
    if (len > w->up.length - w->start - w->received) {
        w->over = 1;
        return -1;
    }
    if (w->has_checksum)
        crypto_hash_sha256_update(&w->sha, (const unsigned char *)data, len);
    while (len) {
        size_t n = TUS_WRITE_BUF - w->buf_len;
        if (n > len)
            n = len;
        memcpy(w->buf + w->buf_len, data, n);
        w->buf_len += n;
        w->received += n;
        data += n;
        len -= n;
        if (w->buf_len == TUS_WRITE_BUF && flush(w))
            return -1;
    }
    return 0;
}

int tus_write_end(struct tus_write *w, struct db *db, int aborted, int *done, struct err *e)
{
    int rc = 0;
    uint64_t keep = w->start + w->received;
    *done = 0;
    if (w->superseded || !lock_ending(w->slot, w->gen)) {
        /* another request took the upload over: its bytes are not ours to touch */
        close(w->fd);
        free(w->buf);
        w->fd = -1;
        w->buf = NULL;
        return err_set(e, 409, "Un autre envoi a repris ce fichier.");
    }
    if (w->buf_len && !w->failed)
        flush(w);
    if (w->failed) {
        rc = err_set(e, 500, "Écriture impossible : %s", strerror(w->err_no));
        keep = w->start;
    } else if (w->over) {
        rc = err_set(e, 413, "Le corps dépasse la taille annoncée de l'envoi.");
        keep = w->start;
    } else if (w->has_checksum) {
        unsigned char d[32];
        crypto_hash_sha256_final(&w->sha, d);
        if (aborted)
            keep = w->start; /* a checksum covers the whole request */
        else if (sodium_memcmp(d, w->checksum, 32) != 0) {
            rc = err_set(e, TUS_STATUS_CHECKSUM,
                         "La somme de contrôle ne correspond pas aux données reçues.");
            keep = w->start;
        }
    }
    if (keep != w->start + w->received && ftruncate(w->fd, (off_t)keep) != 0 && !rc)
        rc = err_set(e, 500, "Troncature impossible : %s", strerror(errno));
    if (keep > w->start) {
        int64_t now = now_s();
        /* sync now and then, before the offset that says so is recorded: a machine crash then
         * costs at most TUS_SYNC_INTERVAL_S of the upload (recover_after_crash) */
        int sync = !*boot_id() || now - w->up.synced_at >= TUS_SYNC_INTERVAL_S;
        if (sync && fdatasync(w->fd) != 0) {
            if (!rc)
                rc = err_set(e, 500, "Écriture impossible (fsync) : %s", strerror(errno));
        } else {
            uint64_t synced = sync ? keep : w->up.synced_offset;
            int64_t synced_at = sync ? now : w->up.synced_at;
            struct err de = {0};
            int64_t changed =
                db_execf(db, &de,
                         "UPDATE uploads SET upload_offset = ?, synced_offset = ?, synced_at = ?, "
                         "boot_id = ?, updated_at = ?, expires_at = ? "
                         "WHERE id = ? AND upload_offset = ?",
                         "iiisiisi", (int64_t)keep, (int64_t)synced, synced_at, boot_id(), now,
                         now + TUS_EXPIRE_SECONDS, w->up.id, (int64_t)w->start);
            if (changed < 0) {
                if (!rc)
                    rc = err_set(e, de.status ? de.status : 500, "%s", de.msg);
            } else if (changed == 0) {
                if (!rc) /* deleted (expired) while the bytes came */
                    rc = err_set(e, 404, "Cet envoi n'existe pas.");
            } else {
                w->up.offset = keep;
                w->up.synced_offset = synced;
                w->up.synced_at = synced_at;
                w->up.updated_at = now;
                w->up.expires_at = now + TUS_EXPIRE_SECONDS;
                *done = !rc && keep == w->up.length;
            }
        }
    }
    close(w->fd);
    w->fd = -1;
    free(w->buf);
    w->buf = NULL;
    lock_release(w->slot, w->gen);
    return rc ? -1 : 0;
}

int tus_finish(struct db *db, const struct account *actor, struct tus_upload *u, struct err *e)
{
    const struct tus_target *t = tus_target_find(u->kind);
    if (!t)
        return err_set(e, 422, "Type d'envoi inconnu (métadonnée « kind »).");
    if (t->complete(db, actor, u->target_id, u->path, u->id, e))
        return -1;
    u->completed_at = now_s();
    return db_execf(db, e, "UPDATE uploads SET completed_at = ? WHERE id = ?", "is",
                    u->completed_at, u->id) < 0
               ? -1
               : 0;
}
