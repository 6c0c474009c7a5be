/* tus: resumable uploads (tus 1.0: core, creation, creation-with-upload, termination,
 * expiration, checksum sha256). An upload is a file <data dir>/uploads/<id> and a row of the
 * uploads table; its bytes are written where they belong (pwrite at the offset) and only then
 * counted (the offset column), so the offset a client is told never exceeds the bytes in the
 * file, whatever moment the process is killed at. The disk is synced every
 * TUS_SYNC_INTERVAL_S of an upload; after a machine crash (another boot id) an upload goes
 * back to its synced offset. A finished upload is handed to the target its metadata names
 * (kind + target), which takes the file. */
#ifndef LANTERNE_TUS_H
#define LANTERNE_TUS_H

#include <sodium.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct arena;
struct account;
struct job;
struct job_ctx;

#define TUS_VERSION "1.0.0"
#define TUS_EXTENSIONS "creation,creation-with-upload,termination,expiration,checksum"
/* the largest upload, unless LANTERNE_UPLOAD_MAX_BYTES says otherwise */
#define TUS_MAX_BYTES ((uint64_t)8 << 30)
/* an unfinished upload is deleted this long after its last write */
#define TUS_EXPIRE_SECONDS (24 * 3600)
/* free space an upload may never take on the uploads file system */
#define TUS_DISK_RESERVE_BYTES ((uint64_t)256 << 20)

enum {
    TUS_ID_LEN = 32,            /* hex characters of an id */
    TUS_METADATA_MAX = 4096,    /* bytes of the Upload-Metadata header */
    TUS_WRITE_BUF = 512 * 1024, /* bytes gathered before one pwrite */
    TUS_CONCURRENT_MAX = 256,   /* uploads written at the same time in one process */
    /* a request for an upload another request is writing waits (423) until that one has
     * received nothing for this long, then takes over (the other's client is gone) */
    TUS_STALE_MS = 2000,
    TUS_STATUS_CHECKSUM = 460, /* the tus checksum extension's mismatch status */
    /* the bytes of an upload are fdatasynced at the end of a request when this many seconds
     * passed since the last time: a machine crash loses at most that much of an upload
     * (a killed process loses nothing), and fast uploads do not wait for the disk */
    TUS_SYNC_INTERVAL_S = 10,
    TUS_BOOT_ID_LEN = 36, /* /proc/sys/kernel/random/boot_id */
};

struct tus_upload {
    char id[TUS_ID_LEN + 1];
    int64_t owner_id;
    uint64_t length, offset;
    const char *metadata; /* JSON object of the decoded Upload-Metadata pairs */
    const char *kind;
    int64_t target_id;
    const char *path;                                         /* the file */
    int64_t created_at, updated_at, expires_at, completed_at; /* unix seconds; 0 unset */
    uint64_t synced_offset;                                   /* bytes known on the disk */
    int64_t synced_at;
    char boot_id[TUS_BOOT_ID_LEN + 1]; /* boot of the last write */
};

struct tus_target {
    const char *kind;
    /* may actor upload length bytes for target_id? 0, or -1 with e (403/404/422) */
    int (*authorize)(struct db *db, const struct account *actor, int64_t target_id, uint64_t length,
                     struct err *e);
    /* called once, in the request that writes the last byte, after the file is complete
     * (written, not necessarily on the disk yet: a target that keeps the file fsyncs it
     * before relying on it): path is the upload's file (the callee may rename it
     * elsewhere), upload_id its id. 0 or -1 with e. */
    int (*complete)(struct db *db, const struct account *actor, int64_t target_id, const char *path,
                    const char *upload_id, struct err *e);
};

/* At start, before serving (not thread-safe). 0, or -1 when the table is full or the kind
 * is taken. */
int tus_register_target(const struct tus_target *t);
/* The target of kind, or NULL. The kinds "test" and "null" exist when LANTERNE_TEST_JOBS=1:
 * both take any target id; "test" appends "<upload id> <sha256 hex> <length>" to
 * <data dir>/tus-test.log, "null" does nothing (benchmarks). */
const struct tus_target *tus_target_find(const char *kind);

/* The directory uploads are written to is <data_dir>/uploads (created here). */
int tus_init(const char *data_dir, struct err *e);
const char *tus_dir(void);
/* TUS_MAX_BYTES or LANTERNE_UPLOAD_MAX_BYTES */
uint64_t tus_max_bytes(void);

/* Upload-Metadata ("key base64value,key2 base64value2, key3") to a JSON object text in a.
 * 0, or -1 with e (400: malformed, a key given twice, a value that is not UTF-8). */
int tus_metadata_parse(struct arena *a, const char *header, const char **json, struct err *e);
/* The JSON object back to the header form, in a. */
const char *tus_metadata_header(struct arena *a, const char *json);
/* "sha256 <base64 digest>": 0 with digest filled, -1 malformed, -2 another algorithm. */
int tus_checksum_parse(const char *header, unsigned char digest[32]);

/* Creates an upload of length bytes for actor: the metadata must name a registered kind
 * (422) and a target id the target's authorize accepts. 413 past tus_max_bytes() or past the
 * free disk space (keeping TUS_DISK_RESERVE_BYTES). out's strings in a. */
int tus_create(struct db *db, struct arena *a, const struct account *actor, uint64_t length,
               const char *metadata_header, struct tus_upload *out, struct err *e);
/* The upload id owned by owner_id: 404 when there is none (or another owner's), 410 when it
 * expired. An unfinished upload last written before the machine restarted (another boot
 * id) is first cut back to its synced offset. */
int tus_get(struct db *db, struct arena *a, const char *id, int64_t owner_id,
            struct tus_upload *out, struct err *e);
/* Deletes the row and the file: 423 while a request is writing the upload (one silent for
 * TUS_STALE_MS is taken over, as by a new PATCH). */
int tus_delete(struct db *db, const struct tus_upload *u, struct err *e);
/* Deletes every upload whose expires_at passed (rows and files); *n how many. */
int tus_expire(struct db *db, int64_t now, int *n, struct err *e);
/* The periodic job "upload_expire". */
int tus_job_expire(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e);

/* One PATCH (or the body of a creation-with-upload) being written: at most one per upload
 * at a time in the process (tus_write_begin answers 423 otherwise). */
struct tus_write {
    struct tus_upload up; /* as read at the start; up.offset advances once recorded */
    int fd;
    uint64_t start;    /* offset at the start of this request */
    uint64_t received; /* bytes of the body received so far */
    int over;          /* more bytes came than the upload has room for */
    int failed;        /* a write failed: errno in err_no */
    int err_no;
    int superseded; /* another request took the upload over */
    int slot;
    uint64_t gen;
    int has_checksum;
    unsigned char checksum[32];
    crypto_hash_sha256_state sha;
    char *buf; /* TUS_WRITE_BUF bytes */
    size_t buf_len;
};

/* Takes the upload's lock, checks that the offset in the database is still u->offset (409
 * otherwise), opens the file at that offset (truncating any bytes past it: those a killed
 * process, or an interrupted request that was taken over, wrote but never counted). checksum
 * NULL or 32 bytes. 0, or -1 with e (423 locked, 409 already complete or moved, 500). */
int tus_write_begin(struct tus_write *w, struct db *db, const struct tus_upload *u,
                    const unsigned char *checksum, struct err *e);
/* Appends body bytes. 0, or -1 once they do not fit (over the length) or cannot be written. */
int tus_write_chunk(struct tus_write *w, const char *data, size_t len);
/* Ends the request's writing: flushes, fdatasyncs when TUS_SYNC_INTERVAL_S passed since the
 * upload's last sync (or when the boot id cannot be read), checks the checksum (460 on a mismatch:
 * the file is cut back to the start offset and nothing is counted), then records the new offset.
 * aborted: the client went away; the bytes received are kept (without checksum: a checksum
 * covers a whole request, so an aborted checksummed request keeps nothing). Returns 0 with
 * *done = 1 when the upload is now complete (the caller then calls tus_finish), or -1 with e
 * (460, 413 more bytes than the upload's length, 500). Releases the lock and the file. */
int tus_write_end(struct tus_write *w, struct db *db, int aborted, int *done, struct err *e);
/* Hands a complete upload to its target and marks it completed. */
int tus_finish(struct db *db, const struct account *actor, struct tus_upload *u, struct err *e);

#endif
