/* image_demo: pictures drawn by code for the demo dataset, the tests and the benchmark: a
 * gradient, coloured shapes, a caption and a film grain, never a real face. */
#include "image.h"

#include "core/mem.h"

#include <string.h>
#include <vips/vips.h>

enum {
    DEMO_MIN_SIDE = 16,
    DEMO_JPEG_Q = 90,
    DEMO_GRAIN = 6, /* standard deviation of the grain: a photo never compresses like a drawing */
};

/* xorshift32: the same picture for the same seed, on every machine */
static unsigned next(unsigned *s)
{
    unsigned x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static int between(unsigned *s, int lo, int hi) /* lo..hi inclusive */
{
    return lo + (int)(next(s) % (unsigned)(hi - lo + 1));
}

static void colour(unsigned *s, double rgb[3])
{
    for (int i = 0; i < 3; i++)
        rgb[i] = between(s, 30, 230);
}

/* Shapes and the caption band are drawn in place on an image in memory. */
static int draw_shapes(VipsImage *im, unsigned *s, int w, int h)
{
    int n = between(s, 6, 12), side = w < h ? w : h;
    for (int i = 0; i < n; i++) {
        double ink[3];
        colour(s, ink);
        int x = between(s, 0, w - 1), y = between(s, 0, h - 1);
        int r = between(s, side / 20 + 1, side / 5 + 1);
        int bad = next(s) % 2
                      ? vips_draw_circle(im, ink, 3, x, y, r, "fill", TRUE, NULL)
                      : vips_draw_rect(im, ink, 3, x - r, y - r / 2, 2 * r, r, "fill", TRUE, NULL);
        if (bad)
            return -1;
    }
    return 0;
}

/* White caption on a dark band along the bottom. */
static int caption_on(VipsImage *im, const char *caption, int w, int h, VipsImage **out)
{
    VipsImage *t = NULL, *te = NULL, *k = NULL, *white = NULL;
    int band = h / 8 > 8 ? h / 8 : 8, rc = -1;
    double dark[3] = {20, 20, 28};
    char *markup = g_markup_escape_text(caption, -1); /* vips_text reads Pango markup */
    if (vips_draw_rect(im, dark, 3, 0, h - band, w, band, "fill", TRUE, NULL) ||
        vips_text(&t, markup, "font", "sans bold", "width", w * 9 / 10, "height", band * 6 / 10,
                  NULL))
        goto done;
    int tx = (w - vips_image_get_width(t)) / 2,
        ty = h - band + (band - vips_image_get_height(t)) / 2;
    if (vips_embed(t, &te, tx > 0 ? tx : 0, ty, w, h, NULL) ||
        vips_black(&k, w, h, "bands", 3, NULL) || vips_linear1(k, &white, 1.0, 255.0, NULL) ||
        vips_ifthenelse(te, white, im, out, "blend", TRUE, NULL))
        goto done;
    rc = 0;
done:
    g_free(markup);
    if (t)
        g_object_unref(t);
    if (te)
        g_object_unref(te);
    if (k)
        g_object_unref(k);
    if (white)
        g_object_unref(white);
    return rc;
}

int image_demo(unsigned seed, const char *caption, int w, int h, void **data, size_t *len,
               struct err *e)
{
    *data = NULL;
    *len = 0;
    if (w < DEMO_MIN_SIDE || h < DEMO_MIN_SIDE || (long long)w * h > IMAGE_MAX_PIXELS)
        return err_set(e, 500, "image_demo: size %dx%d out of range", w, h);
    if (image_init(NULL, e))
        return -1;
    unsigned s = seed * 2654435761u ^ 0x9e3779b9u;
    if (!s)
        s = 1;
    double c0[3], c1[3], a[3];
    colour(&s, c0);
    colour(&s, c1);
    for (int i = 0; i < 3; i++)
        a[i] = c1[i] - c0[i];
    double to_unit[2] = {1.0 / w, 1.0 / h}, zero[2] = {0, 0};

    VipsImage *xy = NULL, *l = NULL, *d = NULL, *grad = NULL, *u = NULL, *mem = NULL;
    VipsImage *capt = NULL, *noise = NULL, *grain = NULL, *final = NULL;
    void *buf = NULL;
    size_t n = 0;
    int rc = -1;
    /* diagonal gradient: d = (x/w + y/h) / 2, then c0 + d * (c1 - c0) */
    if (vips_xyz(&xy, w, h, NULL) || vips_linear(xy, &l, to_unit, zero, 2, NULL) ||
        vips_bandmean(l, &d, NULL) || vips_linear(d, &grad, a, c0, 3, NULL) ||
        vips_cast_uchar(grad, &u, NULL) || !(mem = vips_image_copy_memory(u)) ||
        draw_shapes(mem, &s, w, h))
        goto fail;
    if (caption && *caption && caption_on(mem, caption, w, h, &capt))
        goto fail;
    if (vips_gaussnoise(&noise, w, h, "sigma", (double)DEMO_GRAIN, "mean", 0.0, "seed", (int)seed,
                        NULL) ||
        vips_add(capt ? capt : mem, noise, &grain, NULL) || vips_cast_uchar(grain, &final, NULL) ||
        vips_jpegsave_buffer(final, &buf, &n, "Q", DEMO_JPEG_Q, "strip", TRUE, NULL))
        goto fail;
    *data = xmalloc(n); /* the caller frees with free(), whatever allocator glib uses */
    memcpy(*data, buf, n);
    *len = n;
    rc = 0;
    goto done;
fail:;
    char *m = vips_error_buffer_copy();
    err_set(e, 500, "image_demo: %.200s", m ? m : "libvips failed");
    g_free(m);
done:
    g_free(buf);
    VipsImage *all[] = {xy, l, d, grad, u, mem, capt, noise, grain, final};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            g_object_unref(all[i]);
    return rc;
}

/* Under LeakSanitizer (`make asan`): fontconfig, which vips_text reaches through Pango, keeps
 * caches it never frees, and x265 (HEIC encoding, which only the tests use) loses a block per
 * encoder. Neither is ours to fix, so they are suppressed by library, in every binary that links
 * this file; the program must define this hook nowhere else. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libx265.so\n";
}
