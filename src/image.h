/* image: the photo pipeline. Checks an upload by its content, then writes three sizes of it,
 * upright, in WebP and JPEG, stripped of every metadata (photos are mostly of minors). */
#ifndef LANTERNE_IMAGE_H
#define LANTERNE_IMAGE_H

#include <stddef.h>

#include "core/err.h"

enum {
    IMAGE_MAX_BYTES = 20 * 1024 * 1024, /* one uploaded file; over it: 413 */
    IMAGE_MAX_PIXELS = 60000000,        /* width x height read from the header, before any pixel is
                                           decoded; over it: 422 */
    IMAGE_SIZES = 3,
};
extern const int image_widths[IMAGE_SIZES]; /* 320, 1024, 2048: nominal derivative widths */
struct image_info {
    int width, height;       /* of the picture after auto-rotation */
    int widths[IMAGE_SIZES]; /* actual width of each derivative (never upscaled:
                                min(nominal, width)) */
    int heights[IMAGE_SIZES];
    const char *mime; /* detected type of the upload: image/jpeg, image/png, image/webp,
                         image/heic (or image/heif) */
};

/* Once per process before any other call (VIPS_INIT; idempotent, thread-safe to call from main).
 * 0 or -1 with e. */
int image_init(const char *argv0, struct err *e);

/* Checks an upload by its content and writes, into directory dir (created with mode 0750 if
 * missing; parent must exist), the files
 *     320.webp 320.jpg 1024.webp 1024.jpg 2048.webp 2048.jpg   (named after the nominal width)
 * auto-rotated from the EXIF orientation, and every one stripped of ALL metadata (EXIF, GPS, XMP,
 * IPTC, ICC profile, comments; colours are converted to sRGB first).
 * Checks, in this order, each failing with err_field(e, status, "photo", <French message>) and
 * leaving nothing in dir (files written are removed; the directory too if this call created it):
 *   - len == 0: 422 "Le fichier est vide."
 *   - len > IMAGE_MAX_BYTES: 413 "Le fichier dépasse %d Mo." (20)
 *   - libmagic type not JPEG/PNG/WebP/HEIC/HEIF (e.g. PDF named .jpg, SVG with a script, GIF,
 *     text): 422 "Ce fichier n'est pas une photo JPEG, PNG, WebP ou HEIC."
 *   - header says width*height > IMAGE_MAX_PIXELS (e.g. 30000x30000 PNG): 422 "Image trop
 *     grande : %d × %d pixels (au plus %d millions)." — decided from the header only, no pixel
 *     decoded
 *   - decoding fails (truncated JPEG, corrupt data: loaded with fail_on=error so a truncated file
 *     is an error, not grey pixels): 422 "Cette image est illisible ou incomplète."
 * Other failures (directory, disk, encoder) are 500s. Returns 0 and fills *out, or -1.
 * Thread-safe (called from several HTTP threads at once). */
int image_process(const void *data, size_t len, const char *dir, struct image_info *out,
                  struct err *e);

/* A demo picture drawn by code (no real faces): coloured shapes and a caption, seeded, w x h, as
 * JPEG bytes in *data (free with free()). Used by the demo dataset; deterministic for a given
 * seed. */
int image_demo(unsigned seed, const char *caption, int w, int h, void **data, size_t *len,
               struct err *e);

#endif
