/* film: the films workshop groups make: the record (title, synopsis, genre, themes, credits,
 * people appearing, licence, visibility), who may see one (the group's rule and the consents
 * of everyone credited or appearing, asked of src/visibility.h on every read), collections,
 * captions, the processing status, the media files on disk and the tus upload target. */
#ifndef LANTERNE_FILM_H
#define LANTERNE_FILM_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "group.h"
#include "visibility.h"

struct buf;
struct job;
struct job_ctx;

enum {
    FILM_TITLE_MAX = 200,     /* characters */
    FILM_SYNOPSIS_MAX = 5000, /* characters */
    FILM_TAGS_MAX = 20,       /* free tags on one film */
    FILM_TAG_MAX = 40,        /* characters of one tag */
    FILM_THEMES_MAX = 5,      /* themes of the fixed list on one film */
    FILM_CREDITS_MAX = 60,    /* credit lines */
    FILM_ROLE_MAX = 80,       /* characters of a credit role */
    FILM_NAME_MAX = 120,      /* characters of a facilitator's name in a credit */
    FILM_APPEARING_MAX = 60,  /* participants appearing */
    FILM_LANGUAGE_MAX = 16,   /* a BCP 47 tag: "fr", "fr-FR", "oc" */
    FILM_YEAR_MIN = 1991,     /* the scheme began in 1991 */
    FILM_YEAR_MAX = 2100,
    FILM_CAPTIONS_MAX = 10, /* caption tracks on one film */
    FILM_CAPTION_BYTES_MAX = 512 * 1024,
    FILM_COLLECTION_TITLE_MAX = 160,
    FILM_COLLECTION_DESCRIPTION_MAX = 4000,
    FILM_PER_PAGE_DEFAULT = 24,
    FILM_PER_PAGE_MAX = 100,
    FILM_MAX_SECONDS = 2 * 3600, /* the longest film accepted */
    FILM_POSTERS = 3,            /* poster candidates: at 10 %, 50 %, 90 % of the duration */
    FILM_ERROR_MAX = 500,        /* characters of the message shown to people */
    FILM_STDERR_TAIL = 4000      /* bytes of ffmpeg's standard error kept for operators */
};
/* The largest original accepted (bytes): the upload server's limit applies too. */
#define FILM_MAX_BYTES ((uint64_t)8 << 30)

/* A code and its French label (a message id: translate it for display). */
struct film_choice {
    const char *code, *label;
};
/* NULL-terminated lists (last element {NULL, NULL}). */
extern const struct film_choice film_genres[];   /* fiction, documentary, docu-fiction, ... */
extern const struct film_choice film_themes[];   /* youth, citizenship, environment, ... */
extern const struct film_choice film_licences[]; /* all-rights-reserved, cc-by, cc-by-sa, ... */
extern const struct film_choice film_statuses[]; /* draft, uploading, processing, ready, failed */
/* The label of code in list, or NULL when code is not one of them. */
const char *film_choice_label(const struct film_choice *list, const char *code);

/* One credit line: a role and either a participant of the film's group (participant_id)
 * or a facilitator's name (participant_id 0). name is filled on reads either way (the
 * participant's display name: show it only when visibility_can_see_names allows; else the
 * caller shows the role alone). */
struct film_credit {
    const char *role;
    int64_t participant_id;
    const char *name;
};

/* A caption track: <media dir>/captions/<lang>[-sdh].vtt. */
struct film_caption {
    const char *lang;  /* BCP 47 */
    int sdh;           /* captions for the deaf and hard of hearing */
    const char *label; /* what the player shows: "Français", "Français (SME)" */
    const char *file;  /* "captions/fr.vtt", "captions/fr-sdh.vtt" (see film_file_path) */
};

/* Strings and arrays point into the arena given to the function that filled the struct. */
struct film {
    int64_t id, group_id;
    int64_t entry_id;         /* the logbook entry it comes from; 0 if none */
    int64_t uploader_user_id; /* who created it; 0 once the account is gone */
    const char *title, *synopsis;
    int year;
    double duration;   /* seconds, from the file; 0 before processing */
    int width, height; /* of the source, 0 before processing */
    const char *genre; /* a code of film_genres */
    const char *language;
    const char *licence; /* a code of film_licences */
    int download_allowed;
    enum vis_level visibility; /* VIS_GROUP, VIS_NETWORK or VIS_PUBLIC */
    const char *status;        /* a code of film_statuses */
    int progress;              /* percent while processing */
    int eta_seconds;           /* time left while processing, -1 unknown */
    const char *error;         /* French, for people, when failed ("" otherwise) */
    const char *error_detail;  /* the tail of ffmpeg's stderr, for operators only */
    int poster;                /* chosen poster candidate, 1..FILM_POSTERS; 0 none yet */
    const char *storage_key;   /* directory name under <data dir>/media/films/ */
    const char *renditions;    /* heights of the HLS ladder, "240 480 720" */
    int loudnorm;              /* loudness normalised at processing */
    int64_t created_at, updated_at, processed_at;
    const char **themes; /* codes of film_themes */
    int nthemes;
    const char **tags;
    int ntags;
    struct film_credit *credits;
    int ncredits;
    int64_t *appearing; /* participant ids, ascending */
    int nappearing;
    int64_t *tagged; /* credited participants and those appearing, ascending, no repeats */
    int ntagged;
    struct film_caption *captions;
    int ncaptions;
    int64_t *collections; /* ids of the collections it is in */
    int ncollections;
    /* from the group, for lists and pages */
    const char *group_title, *group_slug;
    int64_t coordination_id;
};

/* What create and update write. On update, NULL strings and negative numbers keep the
 * current value; arrays are replaced when their pointer is non-NULL (n may be 0). */
struct film_input {
    const char *title; /* required on create (422 on "title") */
    const char *synopsis;
    int year;             /* 0 on create = the group's year */
    const char *genre;    /* a code; NULL or "" on create = "other" */
    const char *language; /* "" or NULL on create = "fr" */
    const char *licence;  /* a code; NULL or "" on create = "all-rights-reserved" */
    const int *download_allowed;
    const char *visibility; /* "group", "network", "public"; NULL or "" on create = "group" */
    int64_t entry_id;       /* -1 keeps, 0 none; else an entry of the group (422 on "entry") */
    int poster;             /* -1 or 0 keeps; 1..FILM_POSTERS once processed (422 "poster") */
    const int *loudnorm;
    const char *const *themes; /* codes (422 on "themes") */
    int nthemes;
    const char *const *tags; /* trimmed, empty ones dropped, duplicates merged */
    int ntags;
    const struct film_credit *credits; /* 422 on "credits" */
    int ncredits;
    const int64_t *appearing; /* participants of the group (422 on "appearing") */
    int nappearing;
};

/* 1 if actor may edit the film of group g, upload its file, manage its captions: whoever may
 * write in the group's logbook (logbook_can_write) and its managers. */
int film_can_edit(struct db *db, const struct account *actor, const struct group *g);

/* 1 if viewer (NULL: anonymous) may see film f of group g: the group is visible to them and
 * visibility_can_see_item lets the film through for its visibility and the people tagged
 * (credited or appearing), consents read now. A film that is not ready is seen only by
 * those who may edit it. */
int film_can_see(struct db *db, const struct account *viewer, const struct group *g,
                 const struct film *f);

/* Creates a draft film (no file) in group_id: film_can_edit (403), 404 for no group;
 * 422 with the field named for invalid input, including a protected group's film beyond
 * "group" (on "visibility"). */
int film_create(struct db *db, const struct account *actor, int64_t group_id,
                const struct film_input *in, int64_t *id, struct err *e);
int film_update(struct db *db, const struct account *actor, int64_t id, const struct film_input *in,
                struct err *e);
/* Removes the film (row, credits, captions, files under data_dir) for good (403/404). */
int film_delete(struct db *db, const struct account *actor, int64_t id, const char *data_dir,
                struct err *e);

/* The film with everything attached, whoever may see it (404 if there is none). */
int film_get(struct db *db, struct arena *a, int64_t id, struct film *out, struct err *e);

/* Library filters. Only films viewer may see are listed: the group rule is evaluated in SQL
 * (visibility_groups_where), the consents after, page by page (the page is refilled so that
 * pagination stays exact). Films that are not ready are listed only when
 * include_unready is set and the viewer may edit them. */
struct film_filter {
    const struct account *viewer; /* NULL: anonymous */
    int unrestricted;             /* everything, for the command line and jobs */
    int64_t coordination_id;      /* 0 = any */
    int64_t group_id;             /* 0 = any */
    int64_t collection_id;        /* 0 = any */
    int year;                     /* 0 = any */
    const char *genre;            /* NULL or "" = any */
    const char *theme;            /* NULL or "" = any */
    const char *q;                /* title, synopsis, tags contain it; NULL or "" = any */
    const char *sort;             /* "new" (default: newest first), "old", "title", "year" */
    int public_only;              /* only films whose visibility is public (feeds, home) */
    int include_unready;
    int page, per_page; /* page from 1; per_page <= 0 = default, capped at _MAX */
};
/* One page; *total counts every match the viewer may see. *out in a. */
int film_list(struct db *db, struct arena *a, const struct film_filter *f, struct film **out,
              int *n, int64_t *total, struct err *e);

/* ---- collections: curated lists kept by coordinators (of their coordination) or admins
 * (the national team, coordination 0). */
struct film_collection {
    int64_t id;
    const char *slug, *title, *description;
    int64_t coordination_id; /* 0: national */
    int64_t created_by;
    int64_t created_at, updated_at;
    int nfilms; /* in the list (not all visible to every viewer) */
};
/* 1 if actor may create collections for coordination_id (0 = national: admins). */
int film_collection_can_manage(const struct account *actor, int64_t coordination_id);
/* title required (422 "title"); slug derived from the title. */
int film_collection_create(struct db *db, const struct account *actor, int64_t coordination_id,
                           const char *title, const char *description, int64_t *id, struct err *e);
int film_collection_update(struct db *db, const struct account *actor, int64_t id,
                           const char *title, const char *description, struct err *e);
int film_collection_delete(struct db *db, const struct account *actor, int64_t id, struct err *e);
int film_collection_get(struct db *db, struct arena *a, int64_t id, struct film_collection *out,
                        struct err *e);
int film_collection_get_by_slug(struct db *db, struct arena *a, const char *slug,
                                struct film_collection *out, struct err *e);
/* Every collection, national first then by title. */
int film_collection_list(struct db *db, struct arena *a, struct film_collection **out, int *n,
                         struct err *e);
/* Adds / removes a film (403 unless film_collection_can_manage; 404). position: appended. */
int film_collection_add(struct db *db, const struct account *actor, int64_t collection_id,
                        int64_t film_id, struct err *e);
int film_collection_remove(struct db *db, const struct account *actor, int64_t collection_id,
                           int64_t film_id, struct err *e);

/* ---- captions */
/* Stores a caption track for lang (BCP 47, 422 on "lang") and sdh from WebVTT or SRT bytes
 * (converted; 422 on "captions" with the line at fault, 413 past FILM_CAPTION_BYTES_MAX),
 * replacing the track of the same lang and flag. film_can_edit (403). */
int film_caption_put(struct db *db, const struct account *actor, int64_t film_id,
                     const char *data_dir, const char *lang, int sdh, const char *data, size_t len,
                     struct err *e);
int film_caption_delete(struct db *db, const struct account *actor, int64_t film_id,
                        const char *data_dir, const char *lang, int sdh, struct err *e);

/* ---- media on disk: <data_dir>/media/films/<storage_key>/
 *   original                    the uploaded file, never served
 *   hls/master.m3u8             the master playlist
 *   hls/<h>p.m3u8, hls/<h>p_<n>.ts   a rendition (h in 240 480 720 1080) and its segments
 *   film.mp4                    H.264 + AAC, faststart (download, players without HLS)
 *   poster-1.jpg .. poster-3.jpg    the poster candidates
 *   storyboard.jpg              10x10 tiles, STORYBOARD_* below
 *   captions/<lang>[-sdh].vtt   caption tracks
 */
enum { FILM_STORYBOARD_COLS = 10, FILM_STORYBOARD_ROWS = 10, FILM_STORYBOARD_TILE_W = 160 };
/* <data_dir>/media/films/<key>, in a. */
const char *film_dir(struct arena *a, const char *data_dir, const char *storage_key);
/* 1 if name is a file of the list above that may be served (never "original"): the
 * playlists, segments, film.mp4, posters, storyboard, captions; no "..", no other paths. */
int film_file_ok(const char *name);
/* The full path of name for film f in a, or NULL when film_file_ok refuses name. The file
 * may not exist (the caller stats it). */
const char *film_file_path(struct arena *a, const char *data_dir, const struct film *f,
                           const char *name);
/* The MIME type of a served file by its name ("application/vnd.apple.mpegurl", "video/mp2t",
 * "video/mp4", "image/jpeg", "text/vtt"). */
const char *film_file_type(const char *name);

/* ---- processing */
/* The data directory the job handler and the upload hooks use (set at start by serve and
 * demo; "var" by default). */
void film_set_data_dir(const char *data_dir);
const char *film_data_dir(void);

/* Runs the whole pipeline on f's original synchronously (probe, renditions, MP4, posters,
 * storyboard), updating status, progress and the error in the film's row as it goes: 0
 * ready, -1 failed (e holds the French message also stored). ctx may be NULL (demo, tests). */
int film_process(struct db *db, int64_t film_id, const char *data_dir, struct job_ctx *ctx,
                 struct err *e);
/* The job "film_process" (payload {"film_id": n}). */
int film_job_process(struct db *db, const struct job *j, struct job_ctx *ctx, struct err *e);
/* Gives the film a new original from a file at path (renamed into the film's directory):
 * status becomes 'processing' and a film_process job is enqueued. film_can_edit (403/404).
 * Used by the upload hook, the retry action and the tests. */
int film_set_original(struct db *db, const struct account *actor, int64_t film_id, const char *path,
                      struct err *e);
/* Processes again from the stored original (after a failure): 403/404, 409 when there is
 * no original or the film is processing. */
int film_retry(struct db *db, const struct account *actor, int64_t film_id, struct err *e);

/* ---- tus upload target (kind "film", target id = film id); film_register_upload_target
 * registers them with src/tus.h. */
int film_upload_authorize(struct db *db, const struct account *actor, int64_t target_id,
                          uint64_t length, struct err *e);
int film_upload_complete(struct db *db, const struct account *actor, int64_t target_id,
                         const char *path, const char *upload_id, struct err *e);
int film_register_upload_target(void);

#endif
