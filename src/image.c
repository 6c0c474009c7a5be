/* image: the photo pipeline on libvips. An upload is trusted for nothing: libmagic names its type,
 * the decoder of that type alone reads its header, and only then are pixels decoded, once. */
#include "image.h"

#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>
#include <webp/encode.h>

const int image_widths[IMAGE_SIZES] = {320, 1024, 2048};

enum {
    IMAGE_FILES = 2 * IMAGE_SIZES, /* a WebP and a JPEG of each size */
    IMAGE_WEBP_Q = 80,
    IMAGE_JPEG_Q = 82,
    /* libwebp cannot encode a side longer than this: a panorama is sized down to fit */
    IMAGE_WEBP_MAX_SIDE = 16383,
    /* libmagic cookies kept for reuse: loading the database costs far more than a lookup */
    IMAGE_MAGIC_POOL = 16,
};

static const char PHOTO[] = "photo"; /* the form field every refusal names */

/* libwebp's effort ("method", 0 fast to 6 small) per size; 4 is libwebp's default. The 2048 is
 * the costliest file to make (at 4, half of all the CPU an upload takes) and the least often
 * served: at 2 it costs a third as much for 0 to 1.3 % more bytes at the same PSNR (measured on
 * the benchmark's photos, docs/performance.md), while the small sizes, served on every list,
 * would grow 3 to 6 %. */
static const int webp_effort[IMAGE_SIZES] = {4, 4, 2};

/* The accepted types: what libmagic must say, and the one libvips loader allowed to read it.
 * The loader is checked again on the bytes (vips_foreign_find_load_buffer) so that no other
 * decoder (SVG, PDF, ImageMagick's...) is ever reached through a file crafted to fool one side. */
struct kind {
    const char *mime;
    const char *loader; /* libvips class of the buffer loader */
    int (*load)(void *buf, size_t len, VipsImage **out, ...);
};
static const struct kind kinds[] = {
    {"image/jpeg", "VipsForeignLoadJpegBuffer", vips_jpegload_buffer},
    {"image/png", "VipsForeignLoadPngBuffer", vips_pngload_buffer},
    {"image/webp", "VipsForeignLoadWebpBuffer", vips_webpload_buffer},
    {"image/heic", "VipsForeignLoadHeifBuffer", vips_heifload_buffer},
    {"image/heif", "VipsForeignLoadHeifBuffer", vips_heifload_buffer},
};

/* ---- start-up ------------------------------------------------------------------------------ */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const char *g_argv0;
static int g_ready;     /* written once under g_once, read after it */
static char g_why[200]; /* why libvips did not start */

static void vips_message(char *dst, size_t n)
{
    char *m = vips_error_buffer_copy(); /* takes and clears the (process-wide) buffer */
    size_t k = m ? strcspn(m, "\n") : 0;
    snprintf(dst, n, "%.*s", (int)k, m ? m : "");
    g_free(m);
}

static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data) {}

static void init_once(void)
{
    if (VIPS_INIT(g_argv0 ? g_argv0 : "lanterne")) {
        vips_message(g_why, sizeof g_why);
        return;
    }
    /* Every upload is new: the operation cache would only keep references to buffers and
     * pixels of past requests alive. */
    vips_cache_set_max(0);
    /* Loaders libvips itself marks as unsafe on untrusted input stay off, whatever calls vips. */
    vips_block_untrusted_set(TRUE);
    /* A broken upload can make a decoder warn once per row: thousands of lines in the server's
     * log for one file. The refusal itself is what matters, and image_process reports it. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, quiet, NULL);
    g_ready = 1;
}

static int ensure_init(struct err *e)
{
    pthread_once(&g_once, init_once);
    if (!g_ready)
        return err_set(e, 500, "image: libvips did not start: %s", g_why);
    return 0;
}

/* ---- libmagic: a small pool of cookies, since a magic_t is not thread-safe ----------------- */

static pthread_mutex_t g_magic_mu = PTHREAD_MUTEX_INITIALIZER;
static magic_t g_magic[IMAGE_MAGIC_POOL];
static int g_nmagic;

static magic_t magic_take(void)
{
    magic_t m = NULL;
    pthread_mutex_lock(&g_magic_mu);
    if (g_nmagic > 0)
        m = g_magic[--g_nmagic];
    pthread_mutex_unlock(&g_magic_mu);
    if (m)
        return m;
    /* compressed or archive contents are not photos: no need to look inside them */
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
                   MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF);
    if (m && magic_load(m, NULL) != 0) {
        magic_close(m);
        m = NULL;
    }
    return m;
}

static void magic_give(magic_t m)
{
    pthread_mutex_lock(&g_magic_mu);
    if (g_nmagic < IMAGE_MAGIC_POOL) {
        g_magic[g_nmagic++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&g_magic_mu);
    if (m)
        magic_close(m);
}

int image_init(const char *argv0, struct err *e)
{
    if (!g_argv0)
        g_argv0 = argv0;
    if (ensure_init(e))
        return -1;
    magic_t m = magic_take(); /* loads the database now, so a missing one shows at start */
    if (!m)
        return err_set(e, 500, "image: cannot load the libmagic database");
    magic_give(m);
    return 0;
}

/* The accepted kind the bytes are, NULL if none (e set). */
static const struct kind *sniff(const void *data, size_t len, struct err *e)
{
    magic_t m = magic_take();
    if (!m) {
        err_set(e, 500, "image: cannot load the libmagic database");
        return NULL;
    }
    const char *mime = magic_buffer(m, data, len);
    const struct kind *k = NULL;
    for (size_t i = 0; mime && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(mime, kinds[i].mime) == 0)
            k = &kinds[i];
    magic_give(m);
    if (k) {
        const char *loader = vips_foreign_find_load_buffer(data, len);
        if (!loader || strcmp(loader, k->loader) != 0)
            k = NULL;
        vips_error_clear();
    }
    if (!k)
        err_field(e, 422, PHOTO, "Ce fichier n'est pas une photo JPEG, PNG, WebP ou HEIC.");
    return k;
}

/* ---- pixels -------------------------------------------------------------------------------- */

static int unreadable(struct err *e)
{
    char why[200];
    vips_message(why, sizeof why); /* only to clear it: the person gets no decoder jargon */
    return err_field(e, 422, PHOTO, "Cette image est illisible ou incomplète.");
}

/* Removes every metadata field (EXIF, XMP, IPTC, ICC, comments, orientation...) from an image
 * we own, so nothing can reach a file even if a saver kept something despite strip. */
static void drop_metadata(VipsImage *im)
{
    gchar **names = vips_image_get_fields(im);
    for (gchar **n = names; n && *n; n++)
        vips_image_remove(im, *n); /* the basic header fields are not removable: a no-op */
    g_strfreev(names);
}

/* 8-bit sRGB, 3 bands or 4 with alpha, in memory, decoded once, with no metadata left. (On an
 * image that is already so, these conversions pass the pixels through untouched.) */
static VipsImage *settle(VipsImage *in)
{
    VipsImage *c = NULL, *b = NULL, *u = NULL, *mem = NULL;
    if (vips_colourspace(in, &c, VIPS_INTERPRETATION_sRGB, NULL))
        goto done;
    int keep = vips_image_hasalpha(c) ? 4 : 3;
    if (vips_image_get_bands(c) < keep || vips_extract_band(c, &b, 0, "n", keep, NULL) ||
        vips_cast_uchar(b, &u, NULL))
        goto done;
    mem = vips_image_copy_memory(u); /* the decode happens here: errors show here */
    if (mem)
        drop_metadata(mem);
done:
    if (c)
        g_object_unref(c);
    if (b)
        g_object_unref(b);
    if (u)
        g_object_unref(u);
    return mem;
}

/* Encoded bytes of one derivative, and how to free them. */
struct blob {
    void *p;
    size_t n;
    void (*release)(void *);
};

/* WebP straight from libwebp: the bytes hold the picture and nothing else. (libvips 8.14.1's
 * webpsave writes an EXIF block of its own even with strip set, the bug of libvips issue 3340.) */
static int webp_encode(VipsImage *im, int effort, struct blob *out)
{
    WebPConfig cfg;
    WebPPicture pic;
    WebPMemoryWriter wr;
    if (!WebPConfigInit(&cfg) || !WebPPictureInit(&pic))
        return -1;
    cfg.quality = IMAGE_WEBP_Q;
    cfg.method = effort;
    cfg.thread_level = 1; /* a second thread for the analysis pass */
    pic.width = vips_image_get_width(im);
    pic.height = vips_image_get_height(im);
    WebPMemoryWriterInit(&wr);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &wr;
    const uint8_t *px = (const uint8_t *)VIPS_IMAGE_ADDR(im, 0, 0);
    int stride = (int)VIPS_IMAGE_SIZEOF_LINE(im);
    int ok = vips_image_get_bands(im) == 4 ? WebPPictureImportRGBA(&pic, px, stride)
                                           : WebPPictureImportRGB(&pic, px, stride);
    ok = ok && WebPEncode(&cfg, &pic);
    WebPPictureFree(&pic);
    if (!ok) {
        WebPMemoryWriterClear(&wr);
        vips_error("image", "libwebp error %d", (int)pic.error_code);
        return -1;
    }
    out->p = wr.mem;
    out->n = wr.size;
    out->release = WebPFree;
    return 0;
}

static int jpeg_encode(VipsImage *im, struct blob *out)
{
    VipsImage *flat = NULL;
    /* JPEG has no alpha: transparency goes white rather than libvips' default black */
    if (vips_image_hasalpha(im)) {
        double white[] = {255, 255, 255};
        VipsArrayDouble *bg = vips_array_double_new(white, 3);
        int bad = vips_flatten(im, &flat, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (bad)
            return -1;
    }
    int bad = vips_jpegsave_buffer(flat ? flat : im, &out->p, &out->n, "Q", IMAGE_JPEG_Q,
                                   "optimize_coding", TRUE, "interlace", TRUE, "strip", TRUE, NULL);
    if (!bad)
        out->release = g_free;
    if (flat)
        g_object_unref(flat);
    return bad ? -1 : 0;
}

struct webp_job {
    VipsImage *im;
    int effort;
    struct blob *out;
    int rc;
};

static void *webp_thread(void *arg)
{
    struct webp_job *j = arg;
    j->rc = webp_encode(j->im, j->effort, j->out);
    return NULL;
}

/* The next smaller size from one already in memory (upright, sRGB: no rotation, no colour work). */
static VipsImage *smaller(VipsImage *from, int width)
{
    VipsImage *t = NULL, *mem = NULL;
    if (vips_thumbnail_image(from, &t, width, "height", IMAGE_WEBP_MAX_SIDE, "size", VIPS_SIZE_DOWN,
                             "no_rotate", TRUE, NULL))
        return NULL;
    mem = vips_image_copy_memory(t);
    g_object_unref(t);
    return mem;
}

/* ---- files --------------------------------------------------------------------------------- */

static const char *const file_names[IMAGE_FILES] = {"320.webp", "320.jpg",   "1024.webp",
                                                    "1024.jpg", "2048.webp", "2048.jpg"};

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes the files under temporary names, then renames them all, so a reader never sees a
 * half-written file. On failure nothing of this call is left, the directory included if it
 * made it. */
static int write_files(const char *dir, struct blob *blobs, struct err *e)
{
    char tmp[IMAGE_FILES][4096], fin[IMAGE_FILES][4096];
    int made = 0, ntmp = 0, nfin = 0, rc = -1;
    struct stat st;
    for (int i = 0; i < IMAGE_FILES; i++) {
        int a = snprintf(tmp[i], sizeof tmp[i], "%s/.%s.XXXXXX", dir, file_names[i]);
        int b = snprintf(fin[i], sizeof fin[i], "%s/%s", dir, file_names[i]);
        if (a < 0 || b < 0 || (size_t)a >= sizeof tmp[i] || (size_t)b >= sizeof fin[i])
            return err_set(e, 500, "image: directory name too long");
    }
    if (mkdir(dir, 0750) == 0)
        made = 1;
    else if (errno != EEXIST)
        return err_set(e, 500, "image: cannot create %.150s: %s", dir, strerror(errno));
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, 500, "image: %.150s is not a directory", dir);
    for (; ntmp < IMAGE_FILES; ntmp++) {
        int fd = mkostemp(tmp[ntmp], O_CLOEXEC);
        if (fd < 0) {
            err_set(e, 500, "image: cannot write in %.150s: %s", dir, strerror(errno));
            goto done;
        }
        int bad = fchmod(fd, 0640) || write_all(fd, blobs[ntmp].p, blobs[ntmp].n);
        int saved = errno;
        if (close(fd) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
        if (bad) {
            ntmp++; /* this one exists: remove it too */
            err_set(e, 500, "image: cannot write %.150s: %s", tmp[ntmp - 1], strerror(saved));
            goto done;
        }
    }
    for (; nfin < IMAGE_FILES; nfin++)
        if (rename(tmp[nfin], fin[nfin]) != 0) {
            err_set(e, 500, "image: cannot rename %.150s: %s", tmp[nfin], strerror(errno));
            goto done;
        }
    rc = 0;
done:
    if (rc) {
        for (int i = 0; i < nfin; i++)
            unlink(fin[i]);
        for (int i = nfin; i < ntmp; i++)
            unlink(tmp[i]);
        if (made)
            rmdir(dir);
    }
    return rc;
}

/* ---- the pipeline -------------------------------------------------------------------------- */

int image_process(const void *data, size_t len, const char *dir, struct image_info *out,
                  struct err *e)
{
    VipsImage *head = NULL, *big = NULL, *sized[IMAGE_SIZES] = {NULL};
    struct blob blobs[IMAGE_FILES] = {{NULL, 0, NULL}};
    int rc = -1;

    if (len == 0)
        return err_field(e, 422, PHOTO, "Le fichier est vide.");
    if (len > IMAGE_MAX_BYTES)
        return err_field(e, 413, PHOTO, "Le fichier dépasse %d Mo.",
                         IMAGE_MAX_BYTES / (1024 * 1024));
    if (ensure_init(e))
        return -1;
    const struct kind *k = sniff(data, len, e);
    if (!k)
        return -1;

    /* The header alone: a lazy, sequential load decodes no pixel until asked. */
    if (k->load((void *)data, len, &head, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                VIPS_FAIL_ON_ERROR, NULL)) {
        unreadable(e);
        goto done;
    }
    int w = vips_image_get_width(head), h = vips_image_get_height(head);
    if ((int64_t)w * h > IMAGE_MAX_PIXELS) {
        vips_error_clear();
        err_field(e, 422, PHOTO, "Image trop grande : %d × %d pixels (au plus %d millions).", w, h,
                  IMAGE_MAX_PIXELS / 1000000);
        goto done;
    }
    int swap = vips_image_get_orientation_swap(head);
    /* Colour management only when there is a profile to honour (or CMYK, which has a default
     * one): asked for on a plain sRGB picture it would cost a useless round trip per pixel. */
    int managed = vips_image_get_typeof(head, VIPS_META_ICC_NAME) ||
                  vips_image_get_interpretation(head) == VIPS_INTERPRETATION_CMYK;

    /* One decode: the largest size straight from the bytes (shrink-on-load for JPEG, WebP and
     * HEIC; auto-rotation; embedded profile to sRGB), then each smaller one from the one above
     * it, in memory. A truncated or corrupt file fails here, before any file is written.
     * (libvips 8.14 does not pass thumbnail's own fail_on to the loader: option_string does.) */
    int top = image_widths[IMAGE_SIZES - 1];
    int bad =
        managed
            ? vips_thumbnail_buffer((void *)data, len, &big, top, "height", IMAGE_WEBP_MAX_SIDE,
                                    "size", VIPS_SIZE_DOWN, "option_string", "fail_on=error",
                                    "export_profile", "srgb", NULL)
            : vips_thumbnail_buffer((void *)data, len, &big, top, "height", IMAGE_WEBP_MAX_SIDE,
                                    "size", VIPS_SIZE_DOWN, "option_string", "fail_on=error", NULL);
    if (bad || !(sized[IMAGE_SIZES - 1] = settle(big))) {
        unreadable(e);
        goto done;
    }

    /* The largest WebP is the longest single step: a second thread encodes it while this one
     * makes the smaller sizes and the JPEGs (an upload's wall time: -15 %). */
    struct webp_job job = {sized[IMAGE_SIZES - 1], webp_effort[IMAGE_SIZES - 1],
                           &blobs[IMAGE_FILES - 2], 0};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, webp_thread, &job) == 0;
    if (!threaded)
        webp_thread(&job);
    const char *failed = NULL;
    if (jpeg_encode(sized[IMAGE_SIZES - 1], &blobs[IMAGE_FILES - 1]))
        failed = file_names[IMAGE_FILES - 1];
    for (int i = IMAGE_SIZES - 2; i >= 0 && !failed; i--) {
        if (!(sized[i] = smaller(sized[i + 1], image_widths[i])) ||
            webp_encode(sized[i], webp_effort[i], &blobs[2 * i]))
            failed = file_names[2 * i];
        else if (jpeg_encode(sized[i], &blobs[2 * i + 1]))
            failed = file_names[2 * i + 1];
    }
    if (threaded)
        pthread_join(th, NULL);
    if (!failed && job.rc)
        failed = file_names[IMAGE_FILES - 2];
    if (failed) {
        char why[200];
        vips_message(why, sizeof why);
        err_set(e, 500, "image: cannot make %s: %s", failed, why);
        goto done;
    }
    if (write_files(dir, blobs, e))
        goto done;

    memset(out, 0, sizeof *out);
    out->width = swap ? h : w;
    out->height = swap ? w : h;
    for (int i = 0; i < IMAGE_SIZES; i++) {
        out->widths[i] = vips_image_get_width(sized[i]);
        out->heights[i] = vips_image_get_height(sized[i]);
    }
    out->mime = k->mime;
    rc = 0;
done:
    for (int i = 0; i < IMAGE_FILES; i++)
        if (blobs[i].p)
            blobs[i].release(blobs[i].p);
    for (int i = 0; i < IMAGE_SIZES; i++)
        if (sized[i])
            g_object_unref(sized[i]);
    if (big)
        g_object_unref(big);
    if (head)
        g_object_unref(head);
    return rc;
}
