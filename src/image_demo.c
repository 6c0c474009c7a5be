/* image_demo: pictures drawn by code for the demo dataset, the tests and the benchmark: a
 * gradient, coloured shapes, a caption and a film grain, never a real face. */
#include "image.h"

#include "core/mem.h"
#include "core/text.h"

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

/* Captions are drawn with a small built-in 5x7 font, not with vips_text: Pango's fontconfig
 * thread (pango 1.50) raced with the drawing thread and crashed `lanterne demo` now and then,
 * and a font needs nothing installed. Text goes through text_norm first (lowercase ASCII,
 * accents removed), then is drawn in capitals; characters without a glyph are spaces. */
enum { GLYPH_W = 5, GLYPH_H = 7 };
static const struct {
    char c;
    unsigned char rows[GLYPH_H]; /* 5 bits a row, most significant on the left */
} glyphs[] = {
    {'a', {14, 17, 17, 31, 17, 17, 17}}, {'b', {30, 17, 17, 30, 17, 17, 30}},
    {'c', {14, 17, 16, 16, 16, 17, 14}}, {'d', {30, 17, 17, 17, 17, 17, 30}},
    {'e', {31, 16, 16, 30, 16, 16, 31}}, {'f', {31, 16, 16, 30, 16, 16, 16}},
    {'g', {14, 17, 16, 23, 17, 17, 15}}, {'h', {17, 17, 17, 31, 17, 17, 17}},
    {'i', {14, 4, 4, 4, 4, 4, 14}},      {'j', {7, 2, 2, 2, 2, 18, 12}},
    {'k', {17, 18, 20, 24, 20, 18, 17}}, {'l', {16, 16, 16, 16, 16, 16, 31}},
    {'m', {17, 27, 21, 21, 17, 17, 17}}, {'n', {17, 17, 25, 21, 19, 17, 17}},
    {'o', {14, 17, 17, 17, 17, 17, 14}}, {'p', {30, 17, 17, 30, 16, 16, 16}},
    {'q', {14, 17, 17, 17, 21, 18, 13}}, {'r', {30, 17, 17, 30, 20, 18, 17}},
    {'s', {15, 16, 16, 14, 1, 1, 30}},   {'t', {31, 4, 4, 4, 4, 4, 4}},
    {'u', {17, 17, 17, 17, 17, 17, 14}}, {'v', {17, 17, 17, 17, 17, 10, 4}},
    {'w', {17, 17, 17, 21, 21, 21, 10}}, {'x', {17, 17, 10, 4, 10, 17, 17}},
    {'y', {17, 17, 10, 4, 4, 4, 4}},     {'z', {31, 1, 2, 4, 8, 16, 31}},
    {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},
    {'2', {14, 17, 1, 2, 4, 8, 31}},     {'3', {30, 1, 1, 14, 1, 1, 30}},
    {'4', {2, 6, 10, 18, 31, 2, 2}},     {'5', {31, 16, 30, 1, 1, 17, 14}},
    {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},
    {'8', {14, 17, 17, 14, 17, 17, 14}}, {'9', {14, 17, 17, 15, 1, 2, 12}},
};

static const unsigned char *glyph(char c)
{
    for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
        if (glyphs[i].c == c)
            return glyphs[i].rows;
    return NULL;
}

/* White caption on a dark band along the bottom, centred, as large as fits. */
static int caption_on(VipsImage *im, const char *caption, int w, int h)
{
    int band = h / 8 > 8 ? h / 8 : 8;
    double dark[3] = {20, 20, 28}, white[3] = {255, 255, 255};
    if (vips_draw_rect(im, dark, 3, 0, h - band, w, band, "fill", TRUE, NULL))
        return -1;
    struct arena *a = arena_new();
    const char *t = text_norm(a, caption);
    int n = (int)strlen(t), rc = 0;
    /* each character is GLYPH_W + 1 cells wide; a cell is px pixels */
    int px = n ? (w * 9 / 10) / (n * (GLYPH_W + 1)) : 0;
    if (px > band * 6 / 10 / GLYPH_H)
        px = band * 6 / 10 / GLYPH_H;
    if (px >= 1) {
        int x0 = (w - n * (GLYPH_W + 1) * px) / 2, y0 = h - band + (band - GLYPH_H * px) / 2;
        for (int i = 0; i < n && rc == 0; i++) {
            const unsigned char *g = glyph(t[i]);
            for (int r = 0; g && r < GLYPH_H && rc == 0; r++)
                for (int col = 0; col < GLYPH_W && rc == 0; col++)
                    if (g[r] & (1u << (GLYPH_W - 1 - col)))
                        rc = vips_draw_rect(im, white, 3, x0 + (i * (GLYPH_W + 1) + col) * px,
                                            y0 + r * px, px, px, "fill", TRUE, NULL);
        }
    }
    arena_free(a);
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
    VipsImage *noise = NULL, *grain = NULL, *final = NULL;
    void *buf = NULL;
    size_t n = 0;
    int rc = -1;
    /* diagonal gradient: d = (x/w + y/h) / 2, then c0 + d * (c1 - c0) */
    if (vips_xyz(&xy, w, h, NULL) || vips_linear(xy, &l, to_unit, zero, 2, NULL) ||
        vips_bandmean(l, &d, NULL) || vips_linear(d, &grad, a, c0, 3, NULL) ||
        vips_cast_uchar(grad, &u, NULL) || !(mem = vips_image_copy_memory(u)) ||
        draw_shapes(mem, &s, w, h))
        goto fail;
    if (caption && *caption && caption_on(mem, caption, w, h))
        goto fail;
    if (vips_gaussnoise(&noise, w, h, "sigma", (double)DEMO_GRAIN, "mean", 0.0, "seed", (int)seed,
                        NULL) ||
        vips_add(mem, noise, &grain, NULL) || vips_cast_uchar(grain, &final, NULL) ||
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
    VipsImage *all[] = {xy, l, d, grad, u, mem, noise, grain, final};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            g_object_unref(all[i]);
    return rc;
}

/* Under LeakSanitizer (`make asan`): x265 (HEIC encoding, which only the tests use) loses a
 * block per encoder. It is not ours to fix, so it is suppressed by library, in every binary that
 * links this file; the program must define this hook nowhere else. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libx265.so\n";
}
