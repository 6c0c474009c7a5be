/* photo: the photos of logbook entries: upload through src/image.h into derivatives on disk,
 * alt text, the participants tagged on each photo, and who may see one (the entry's rule and
 * the consents of everyone tagged, asked of src/visibility.h on every read). */
#ifndef LANTERNE_PHOTO_H
#define LANTERNE_PHOTO_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "image.h"
#include "logbook.h"

enum {
    PHOTO_ALT_MAX = 500,      /* characters of alt text */
    PHOTO_PER_ENTRY_MAX = 30, /* photos on one entry; the next upload is 422 */
    PHOTO_TAGS_MAX = 60       /* people tagged on one photo */
};

/* Strings and arrays point into the arena given to the function that filled the struct. */
struct photo {
    int64_t id, entry_id, group_id;
    int64_t uploader_user_id; /* 0 once the account is gone */
    const char *storage_key;  /* directory name under <data dir>/media/photos/ */
    const char *alt;
    int width, height;
    int widths[IMAGE_SIZES], heights[IMAGE_SIZES]; /* of each derivative, as image_widths */
    int position;
    int64_t created_at, updated_at;
    int64_t *tagged; /* participant ids, ascending */
    int ntagged;
};

/* <data_dir>/media/photos/<key>, in a: where a photo's derivatives are. */
const char *photo_dir(struct arena *a, const char *data_dir, const char *storage_key);
/* 1 if file names a derivative: "<w>.webp" or "<w>.jpg" with w one of image_widths. */
int photo_file_ok(const char *file);

/* Adds a photo to entry en of g from the uploaded bytes: actor must be allowed to edit the
 * entry (logbook_can_edit: 403), the entry not deleted (404), fewer than PHOTO_PER_ENTRY_MAX
 * photos on it (422 on "photo"), alt at most PHOTO_ALT_MAX (422 on "alt"); then
 * image_process checks the bytes and writes the derivatives (its 413/422 on "photo"). If
 * the row cannot be written the files are removed: nothing half-stored. */
int photo_add(struct db *db, const struct account *actor, const struct group *g,
              const struct logbook_entry *en, const char *data_dir, const void *data, size_t len,
              const char *alt, int64_t *id, struct err *e);

/* Changes the alt text (NULL keeps it) and, when tags is non-NULL, replaces the people
 * tagged (n ids, each a participant of g: 422 on "tags" otherwise; at most PHOTO_TAGS_MAX).
 * Who may edit the entry may do it (403). A change of tags goes into the audit log
 * (subject 'photo_tags', before and after as participant ids) in the same transaction. */
int photo_update(struct db *db, const struct account *actor, const struct group *g,
                 const struct logbook_entry *en, int64_t photo_id, const char *alt,
                 const int64_t *tags, int n, struct err *e);

/* Removes the photo (row, tags and files) for good; who may edit the entry (403). A group
 * whose cover it was loses its cover. */
int photo_delete(struct db *db, const struct account *actor, const struct group *g,
                 const struct logbook_entry *en, int64_t photo_id, const char *data_dir,
                 struct err *e);

/* Makes photo_id (a photo of g) the cover of g, or removes the cover when photo_id is 0.
 * Managers of the group only (403); 404 for a photo of another group. The cover is shown
 * only to viewers who may see that photo (photo_can_see), like any other photo. */
int photo_set_cover(struct db *db, const struct account *actor, const struct group *g,
                    int64_t photo_id, struct err *e);

/* The photo with its tags, whoever may see it (404 if it does not exist). */
int photo_get(struct db *db, struct arena *a, int64_t id, struct photo *out, struct err *e);
/* Every photo of an entry in order, with tags, unchecked; *out in a. */
int photo_list_entry(struct db *db, struct arena *a, int64_t entry_id, struct photo **out, int *n,
                     struct err *e);

/* 1 if viewer (NULL: anonymous) may see photo p of entry en of g: the entry is visible to
 * them (logbook_can_see) and visibility_can_see_item lets the photo through for the entry's
 * visibility and the people tagged, consents read now. */
int photo_can_see(struct db *db, const struct account *viewer, const struct group *g,
                  const struct logbook_entry *en, const struct photo *p);
/* Keeps in *ps (n of them, in place) the photos viewer may see; returns how many. */
int photo_filter_visible(struct db *db, const struct account *viewer, const struct group *g,
                         const struct logbook_entry *en, struct photo *ps, int n);

/* Signed URLs for photos that are not public: an HMAC (server secret 'media_secret') over
 * the photo, the file, the viewer's account and an expiry time. The expiry is rounded up to
 * PHOTO_URL_STEP so one page shows the same URL for a while (browser caches keep working). */
enum {
    PHOTO_URL_TTL = 3600, /* seconds a signed URL is at least valid */
    PHOTO_URL_STEP = 900
};
enum { PHOTO_KEY_LEN = 32 };
/* The signing key (read once per request by the caller, not once per URL). */
int photo_url_key(struct db *db, unsigned char key[PHOTO_KEY_LEN], struct err *e);
/* The query string "e=<expiry>&s=<signature>" for that file of photo_id, for account_id
 * (0 for anonymous), in a. */
const char *photo_url_sign(const unsigned char key[PHOTO_KEY_LEN], struct arena *a,
                           int64_t photo_id, const char *file, int64_t account_id, int64_t now);
/* 0 when sig is valid for those and expiry >= now; 1 when it is not (malformed, tampered,
 * for another photo, file or account, or expired). */
int photo_url_verify(const unsigned char key[PHOTO_KEY_LEN], int64_t photo_id, const char *file,
                     int64_t account_id, const char *expiry, const char *sig, int64_t now);

#endif
