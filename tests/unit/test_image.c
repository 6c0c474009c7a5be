/* test_image: unit tests for src/image.c: the six derivatives of each accepted type, their sizes,
 * auto-rotation, the stripping of every metadata, and each refusal with its status and message.
 * Every input is made here (imgfix.h): no binary fixture is committed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imgfix.h"

extern char **environ;

static char root[64]; /* a temporary directory for this run */

static const char *const FILES[] = {"320.webp", "320.jpg",   "1024.webp",
                                    "1024.jpg", "2048.webp", "2048.jpg"};

static const char NOT_PHOTO[] = "Ce fichier n'est pas une photo JPEG, PNG, WebP ou HEIC.";
static const char UNREADABLE[] = "Cette image est illisible ou incomplète.";

static const char *path_in(const char *dir, const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static const char *fresh_dir(const char *name) /* root/name, not created */
{
    static char p[4][128];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", root, name);
    return p[i];
}

static int entries(const char *dir) /* files in dir, -1 if it does not exist */
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void remove_dir(const char *dir)
{
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
        unlink(path_in(dir, FILES[i]));
    rmdir(dir);
}

static struct bytes read_file(const char *path)
{
    struct bytes b = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bytes_put(&b, buf, n);
    fclose(f);
    return b;
}

static int contains(const struct bytes *b, const char *s)
{
    return memmem(b->p, b->n, s, strlen(s)) != NULL;
}

/* Each derivative exists, has the size image_process reported and the right format. */
static void check_files(const char *dir, const struct image_info *info)
{
    for (int i = 0; i < IMAGE_SIZES; i++)
        for (int j = 0; j < 2; j++) {
            const char *p = path_in(dir, FILES[2 * i + j]);
            struct bytes b = read_file(p);
            if (j == 0)
                assert_true(b.n > 12 && memcmp(b.p, "RIFF", 4) == 0 &&
                            memcmp(b.p + 8, "WEBP", 4) == 0);
            else
                assert_true(b.n > 3 && b.p[0] == 0xff && b.p[1] == 0xd8 && b.p[2] == 0xff);
            VipsImage *im = vips_image_new_from_buffer(b.p, b.n, "", NULL);
            assert_non_null(im);
            assert_int_equal(vips_image_get_width(im), info->widths[i]);
            assert_int_equal(vips_image_get_height(im), info->heights[i]);
            g_object_unref(im);
            free(b.p);
        }
    assert_int_equal(entries(dir), 6); /* and nothing else: no temporary file left */
}

static void expect_sizes(const struct image_info *info, int w, int h)
{
    assert_int_equal(info->width, w);
    assert_int_equal(info->height, h);
    for (int i = 0; i < IMAGE_SIZES; i++) {
        int dw = w < image_widths[i] ? w : image_widths[i];
        assert_int_equal(info->widths[i], dw);
        /* vips rounds the height to the nearest pixel */
        int dh = (int)((double)h * dw / w + 0.5);
        assert_true(abs(info->heights[i] - dh) <= 1);
    }
}

/* ---- accepted -------------------------------------------------------------------------------- */

/* w x h, 4:3, wider than 1024 and narrower than 2048 */
static void accepts(enum fmt f, const char *mime, const char *name, int w)
{
    struct bytes in;
    int h = w * 3 / 4;
    if (make_photo(&in, f, 7, w, h, 0, 0)) {
        print_message("(skipped: this libvips cannot write %s)\n", mime);
        return;
    }
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir(name);
    int rc = image_process(in.p, in.n, dir, &info, &e);
    if (rc)
        print_message("%s: %d %s\n", mime, e.status, e.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(info.mime, mime);
    expect_sizes(&info, w, h);
    assert_int_equal(info.widths[0], 320);
    assert_int_equal(info.heights[0], 240);
    assert_int_equal(info.widths[2], w); /* never upscaled */
    check_files(dir, &info);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0750);
    remove_dir(dir);
    free(in.p);
}

static void test_jpeg(void **state)
{
    accepts(FMT_JPEG, "image/jpeg", "jpeg", 1200);
}

static void test_png(void **state)
{
    accepts(FMT_PNG, "image/png", "png", 1200);
}

static void test_webp(void **state)
{
    accepts(FMT_WEBP, "image/webp", "webp", 1200);
}

static void test_heic(void **state)
{
    accepts(FMT_HEIC, "image/heic", "heic", 640); /* HEVC encoding is slow */
}

static void test_large_jpeg_three_sizes(void **state)
{
    struct bytes in;
    assert_int_equal(make_photo(&in, FMT_JPEG, 11, 2600, 1950, 0, 0), 0);
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("large");
    assert_int_equal(image_process(in.p, in.n, dir, &info, &e), 0);
    expect_sizes(&info, 2600, 1950);
    assert_int_equal(info.widths[2], 2048);
    assert_int_equal(info.heights[2], 1536);
    check_files(dir, &info);
    remove_dir(dir);
    free(in.p);
}

static void test_small_not_upscaled(void **state)
{
    struct bytes in;
    assert_int_equal(make_photo(&in, FMT_JPEG, 3, 200, 150, 0, 0), 0);
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("small");
    assert_int_equal(image_process(in.p, in.n, dir, &info, &e), 0);
    for (int i = 0; i < IMAGE_SIZES; i++) {
        assert_int_equal(info.widths[i], 200);
        assert_int_equal(info.heights[i], 150);
    }
    check_files(dir, &info);
    remove_dir(dir);
    free(in.p);
}

/* An existing directory is used as it is, and earlier derivatives are replaced. */
static void test_existing_dir_replaced(void **state)
{
    const char *dir = fresh_dir("again");
    struct bytes a, b;
    assert_int_equal(make_photo(&a, FMT_JPEG, 21, 400, 300, 0, 0), 0);
    assert_int_equal(make_photo(&b, FMT_JPEG, 22, 300, 400, 0, 0), 0);
    struct image_info info;
    struct err e = {0};
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(image_process(a.p, a.n, dir, &info, &e), 0);
    assert_int_equal(image_process(b.p, b.n, dir, &info, &e), 0);
    assert_int_equal(info.width, 300);
    check_files(dir, &info);
    remove_dir(dir);
    free(a.p);
    free(b.p);
}

/* ---- orientation -------------------------------------------------------------------------- */

/* Stored 400 x 300 with a white top-left quadrant and orientation 6 (turn 90° clockwise to
 * show): shown 300 x 400 with the white quadrant at the top right. */
static void test_auto_rotation(void **state)
{
    VipsImage *black = NULL, *im = NULL, *c = NULL;
    assert_int_equal(vips_black(&black, 400, 300, "bands", 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(black, &c, NULL), 0);
    im = vips_image_copy_memory(c);
    assert_non_null(im);
    double white[3] = {255, 255, 255};
    assert_int_equal(vips_draw_rect(im, white, 3, 0, 0, 200, 150, "fill", TRUE, NULL), 0);
    vips_image_set_int(im, VIPS_META_ORIENTATION, 6);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(vips_jpegsave_buffer(im, &buf, &len, "Q", 95, NULL), 0);

    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("rotated");
    assert_int_equal(image_process(buf, len, dir, &info, &e), 0);
    expect_sizes(&info, 300, 400);
    check_files(dir, &info);
    VipsImage *out = vips_image_new_from_file(path_in(dir, "320.jpg"), NULL);
    assert_non_null(out);
    double px[3], *v = NULL;
    int n = 0;
    assert_int_equal(vips_getpoint(out, &v, &n, 280, 20, NULL), 0);
    memcpy(px, v, sizeof px);
    g_free(v);
    assert_true(px[0] > 200); /* top right: white */
    assert_int_equal(vips_getpoint(out, &v, &n, 20, 20, NULL), 0);
    assert_true(v[0] < 50); /* top left: black */
    g_free(v);
    assert_int_equal(vips_getpoint(out, &v, &n, 280, 380, NULL), 0);
    assert_true(v[0] < 50); /* bottom right: black */
    g_free(v);
    /* no orientation left for a viewer to apply a second time */
    assert_false(vips_image_get_typeof(out, VIPS_META_ORIENTATION) &&
                 vips_image_get_orientation(out) != 1);
    g_object_unref(out);
    remove_dir(dir);
    g_free(buf);
    g_object_unref(im);
    g_object_unref(c);
    g_object_unref(black);
}

/* ---- metadata ----------------------------------------------------------------------------- */

/* What must never leave the server, as bytes in any derivative. */
static const char *const LEAKS[] = {
    "Exif",   "EXIF",        "GPS",  "Canon", "Someone",       "http://ns.adobe.com/xap",
    "XMP ",   "ICC_PROFILE", "ICCP", "iCCP",  "Photoshop 3.0", "8BIM",
    "secret",
};

static int have_exiftool(void)
{
    return access("/usr/bin/exiftool", X_OK) == 0;
}

/* exiftool's JSON view of files (up to 6), grouped by family 1 (IFD0, GPS, XMP-dc, IPTC,
 * ICC_Profile...), NUL-terminated. One run for several files: perl takes a while to start. */
static struct bytes exiftool_json(const char *const *files, int n)
{
    char out[128];
    snprintf(out, sizeof out, "%s/exiftool.json", root);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[12] = {"exiftool", "-j", "-a", "-G1", "-u"};
    for (int i = 0; i < n && i < 6; i++)
        argv[5 + i] = (char *)files[i];
    pid_t pid;
    int status;
    assert_int_equal(posix_spawn(&pid, "/usr/bin/exiftool", &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    struct bytes b = read_file(out);
    bytes_put(&b, "", 1);
    unlink(out);
    return b;
}

/* Runs the exiftool command of a phone-like edit on a file. */
static void exiftool_tag(const char *file)
{
    char *argv[] = {"exiftool",
                    "-q",
                    "-overwrite_original",
                    "-GPSLatitude=48.85",
                    "-GPSLatitudeRef=N",
                    "-GPSLongitude=2.35",
                    "-GPSLongitudeRef=E",
                    "-Make=Canon",
                    "-Model=EOS",
                    "-XMP-dc:Creator=Someone",
                    "-IPTC:Keywords=test",
                    "-Comment=secret",
                    (char *)file,
                    NULL};
    pid_t pid;
    int status;
    assert_int_equal(posix_spawn(&pid, "/usr/bin/exiftool", NULL, NULL, argv, environ), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The groups and values exiftool shows for metadata we put in (File, JFIF, RIFF and
 * Composite groups only describe the encoding). */
static const char *const EXIFTOOL_LEAKS[] = {
    "\"IFD0:",      "\"ExifIFD:",     "\"GPS:", "\"XMP",   "\"IPTC:", "\"ICC",
    "\"Photoshop:", "\"File:Comment", "Canon",  "Someone", "secret",  "48 deg",
};

static void check_stripped(const char *dir)
{
    char paths[6][256];
    const char *all[6];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        const char *p = path_in(dir, FILES[i]);
        snprintf(paths[i], sizeof paths[i], "%s", p);
        all[i] = paths[i];
        struct bytes b = read_file(p);
        for (size_t j = 0; j < sizeof LEAKS / sizeof LEAKS[0]; j++)
            if (contains(&b, LEAKS[j]))
                fail_msg("%s still holds \"%s\"", FILES[i], LEAKS[j]);
        VipsImage *im = vips_image_new_from_buffer(b.p, b.n, "", NULL);
        assert_non_null(im);
        assert_false(vips_image_get_typeof(im, VIPS_META_EXIF_NAME));
        assert_false(vips_image_get_typeof(im, VIPS_META_XMP_NAME));
        assert_false(vips_image_get_typeof(im, VIPS_META_IPTC_NAME));
        assert_false(vips_image_get_typeof(im, VIPS_META_ICC_NAME));
        assert_false(vips_image_get_typeof(im, "jpeg-comment"));
        g_object_unref(im);
        free(b.p);
    }
    if (have_exiftool()) {
        struct bytes j = exiftool_json(all, 6);
        for (size_t k = 0; k < sizeof EXIFTOOL_LEAKS / sizeof EXIFTOOL_LEAKS[0]; k++)
            if (contains(&j, EXIFTOOL_LEAKS[k]))
                fail_msg("exiftool sees %s in a derivative: %s", EXIFTOOL_LEAKS[k], j.p);
        free(j.p);
    }
}

static void strips(enum fmt f, const char *name)
{
    struct bytes in;
    if (make_photo(&in, f, 5, 640, 480, 1, 0)) {
        print_message("(skipped: this libvips cannot write %s)\n", name);
        return;
    }
    char src[128];
    snprintf(src, sizeof src, "%s/%s-source", root, name);
    if (f == FMT_JPEG && have_exiftool()) {
        FILE *fp = fopen(src, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(in.p, 1, in.n, fp), in.n);
        assert_int_equal(fclose(fp), 0);
        exiftool_tag(src);
        free(in.p);
        in = read_file(src);
        const char *one[] = {src};
        struct bytes j = exiftool_json(one, 1);
        /* the test is only worth something if the source does carry it all */
        for (size_t k = 0; k < sizeof EXIFTOOL_LEAKS / sizeof EXIFTOOL_LEAKS[0]; k++)
            if (!contains(&j, EXIFTOOL_LEAKS[k]) && strcmp(EXIFTOOL_LEAKS[k], "\"Photoshop:"))
                fail_msg("the source lacks %s: %s", EXIFTOOL_LEAKS[k], j.p);
        free(j.p);
        unlink(src);
    }
    /* whatever the format, the source carries EXIF with GPS, XMP and the ICC profile */
    VipsImage *s = vips_image_new_from_buffer(in.p, in.n, "", NULL);
    assert_non_null(s);
    assert_true(vips_image_get_typeof(s, VIPS_META_EXIF_NAME));
    assert_true(vips_image_get_typeof(s, "exif-ifd3-GPSLatitude"));
    assert_true(vips_image_get_typeof(s, VIPS_META_XMP_NAME));
    assert_true(vips_image_get_typeof(s, VIPS_META_ICC_NAME));
    g_object_unref(s);
    assert_true(contains(&in, "Canon"));
    if (f != FMT_PNG) /* PNG keeps XMP compressed */
        assert_true(contains(&in, "http://ns.adobe.com/xap"));
    if (f == FMT_JPEG) {
        assert_true(contains(&in, "ICC_PROFILE"));
        assert_true(contains(&in, "Photoshop 3.0"));
        assert_true(contains(&in, "secret"));
    }

    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir(name);
    assert_int_equal(image_process(in.p, in.n, dir, &info, &e), 0);
    check_files(dir, &info);
    check_stripped(dir);
    remove_dir(dir);
    free(in.p);
}

static void test_strips_jpeg(void **state)
{
    strips(FMT_JPEG, "meta-jpeg");
}

static void test_strips_png(void **state)
{
    strips(FMT_PNG, "meta-png");
}

static void test_strips_webp(void **state)
{
    strips(FMT_WEBP, "meta-webp");
}

/* ---- colour ------------------------------------------------------------------------------- */

/* A flat Display P3 picture comes out in sRGB numbers: with its profile stripped, a browser
 * reads every file as sRGB, so the pixels themselves must have been converted. */
static void test_profile_to_srgb(void **state)
{
    VipsImage *black = NULL, *lin = NULL, *flat = NULL, *ref = NULL;
    double a[3] = {1, 1, 1}, p3[3] = {200, 100, 50};
    assert_int_equal(vips_black(&black, 64, 48, "bands", 3, NULL), 0);
    assert_int_equal(vips_linear(black, &lin, a, p3, 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(lin, &flat, NULL), 0);
    VipsBlob *icc = NULL;
    assert_int_equal(vips_profile_load("p3", &icc, NULL), 0);
    size_t n;
    const void *prof = vips_blob_get(icc, &n);
    vips_image_set_blob_copy(flat, VIPS_META_ICC_NAME, prof, n);
    vips_area_unref(VIPS_AREA(icc));
    void *png = NULL;
    size_t len = 0;
    assert_int_equal(vips_pngsave_buffer(flat, &png, &len, NULL), 0);

    /* what the pixel is in sRGB, and that it differs enough from the P3 numbers to tell */
    double *want = NULL;
    int nb = 0;
    assert_int_equal(vips_icc_transform(flat, &ref, "srgb", "embedded", TRUE, NULL), 0);
    assert_int_equal(vips_getpoint(ref, &want, &nb, 10, 10, NULL), 0);
    assert_true(fabs(want[0] - p3[0]) + fabs(want[1] - p3[1]) + fabs(want[2] - p3[2]) > 20);

    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("p3");
    assert_int_equal(image_process(png, len, dir, &info, &e), 0);
    check_files(dir, &info);
    for (int f = 0; f < 2; f++) {
        VipsImage *out = vips_image_new_from_file(path_in(dir, f ? "320.jpg" : "320.webp"), NULL);
        assert_non_null(out);
        assert_false(vips_image_get_typeof(out, VIPS_META_ICC_NAME));
        double *got = NULL;
        int ng = 0;
        assert_int_equal(vips_getpoint(out, &got, &ng, 10, 10, NULL), 0);
        for (int i = 0; i < 3; i++)
            if (fabs(got[i] - want[i]) > 6)
                fail_msg("%s: channel %d is %.0f, sRGB wants %.0f", f ? "jpg" : "webp", i, got[i],
                         want[i]);
        g_free(got);
        g_object_unref(out);
    }
    remove_dir(dir);
    g_free(want);
    g_free(png);
    g_object_unref(ref);
    g_object_unref(flat);
    g_object_unref(lin);
    g_object_unref(black);
}

/* CMYK JPEGs (from print workflows), with and without their profile, come out in sRGB. */
static void test_cmyk_to_srgb(void **state)
{
    VipsImage *black = NULL, *lin = NULL, *flat = NULL, *cmyk = NULL;
    double a[3] = {1, 1, 1}, rgb[3] = {200, 100, 50};
    assert_int_equal(vips_black(&black, 64, 48, "bands", 3, NULL), 0);
    assert_int_equal(vips_linear(black, &lin, a, rgb, 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(lin, &flat, NULL), 0);
    assert_int_equal(vips_icc_transform(flat, &cmyk, "cmyk", "input_profile", "srgb", NULL), 0);
    assert_int_equal(vips_image_get_bands(cmyk), 4);
    for (int keep = 1; keep >= 0; keep--) {
        VipsImage *c = NULL;
        assert_int_equal(vips_copy(cmyk, &c, NULL), 0);
        if (!keep)
            vips_image_remove(c, VIPS_META_ICC_NAME);
        void *jpg = NULL;
        size_t len = 0;
        assert_int_equal(vips_jpegsave_buffer(c, &jpg, &len, "Q", 95, NULL), 0);
        struct image_info info;
        struct err e = {0};
        const char *dir = fresh_dir("cmyk");
        assert_int_equal(image_process(jpg, len, dir, &info, &e), 0);
        check_files(dir, &info);
        VipsImage *out = vips_image_new_from_file(path_in(dir, "320.jpg"), NULL);
        assert_non_null(out);
        assert_int_equal(vips_image_get_bands(out), 3);
        double *got = NULL;
        int ng = 0;
        assert_int_equal(vips_getpoint(out, &got, &ng, 10, 10, NULL), 0);
        for (int i = 0; i < 3; i++)
            if (fabs(got[i] - rgb[i]) > 12)
                fail_msg("CMYK %s profile: channel %d is %.0f, not %.0f", keep ? "with" : "without",
                         i, got[i], rgb[i]);
        g_free(got);
        g_object_unref(out);
        remove_dir(dir);
        g_free(jpg);
        g_object_unref(c);
    }
    g_object_unref(cmyk);
    g_object_unref(flat);
    g_object_unref(lin);
    g_object_unref(black);
}

/* ---- refused ------------------------------------------------------------------------------ */

/* Refused with this status and message, leaving no directory behind, nor anything in one that
 * was already there. */
static void refused(const void *p, size_t n, int status, const char *msg)
{
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("refused");
    assert_int_equal(image_process(p, n, dir, &info, &e), -1);
    assert_int_equal(e.status, status);
    assert_string_equal(e.msg, msg);
    assert_non_null(e.field);
    assert_string_equal(e.field, "photo");
    assert_int_equal(entries(dir), -1);

    assert_int_equal(mkdir(dir, 0750), 0);
    err_clear(&e);
    assert_int_equal(image_process(p, n, dir, &info, &e), -1);
    assert_int_equal(e.status, status);
    assert_string_equal(e.msg, msg);
    assert_int_equal(entries(dir), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_refuses_empty(void **state)
{
    refused("", 0, 422, "Le fichier est vide.");
}

static void test_refuses_too_many_bytes(void **state)
{
    unsigned char *big = xmalloc((size_t)IMAGE_MAX_BYTES + 1);
    struct bytes jpg;
    assert_int_equal(make_photo(&jpg, FMT_JPEG, 1, 64, 48, 0, 0), 0);
    memset(big, 0, (size_t)IMAGE_MAX_BYTES + 1);
    memcpy(big, jpg.p, jpg.n); /* a real JPEG with trailing bytes: refused for its size alone */
    refused(big, (size_t)IMAGE_MAX_BYTES + 1, 413, "Le fichier dépasse 20 Mo.");
    /* one byte less is not refused for its size (the zeros after the JPEG are ignored) */
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("max-bytes");
    int rc = image_process(big, IMAGE_MAX_BYTES, dir, &info, &e);
    assert_true(rc == 0 || e.status != 413);
    remove_dir(dir);
    free(big);
    free(jpg.p);
}

static void test_refuses_other_types(void **state)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                              "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                              "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
    static const char svg[] =
        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" "
        "height=\"100\"><script>alert(document.cookie)</script><rect width=\"100\" "
        "height=\"100\" fill=\"red\"/></svg>\n";
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a',  1,    0,    1,    0,    0x80,
                                        0,   0,   0,   0,   0,   0xff, 0xff, 0xff, 0x21, 0xf9, 4,
                                        1,   0,   0,   0,   0,   0x2c, 0,    0,    0,    0,    1,
                                        0,   1,   0,   0,   2,   2,    0x44, 1,    0,    0x3b};
    static const char text[] = "Bonjour, ceci est un texte et non une photo.\n";
    static const char html[] = "<!DOCTYPE html><html><body><img src=x onerror=alert(1)>"
                               "</body></html>\n";
    refused(pdf, sizeof pdf - 1, 422, NOT_PHOTO);
    refused(svg, sizeof svg - 1, 422, NOT_PHOTO);
    refused(gif, sizeof gif, 422, NOT_PHOTO);
    refused(text, sizeof text - 1, 422, NOT_PHOTO);
    refused(html, sizeof html - 1, 422, NOT_PHOTO);
    unsigned char zeros[4096] = {0};
    refused(zeros, sizeof zeros, 422, NOT_PHOTO);
}

/* A real 30000 x 30000 PNG (900 megapixels, about 1 MB): refused from its header alone. */
static void test_refuses_huge_png(void **state)
{
    struct bytes png = png_black(30000, 1000);
    assert_true(png.n > 500000 && png.n < 2000000);
    refused(png.p, png.n, 422, "Image trop grande : 30000 × 30000 pixels (au plus 60 millions).");
    free(png.p);
}

/* The pixel limit, by header-only PNGs: one pixel over is too big; exactly at it passes the size
 * check and fails later, as the file has no pixel data (so no 60-megapixel decode here). */
static void test_pixel_limit(void **state)
{
    assert_int_equal(151 * 397351, IMAGE_MAX_PIXELS + 1);
    struct bytes over = png_header_only(397351, 151);
    refused(over.p, over.n, 422, "Image trop grande : 397351 × 151 pixels (au plus 60 millions).");
    free(over.p);
    assert_int_equal(8000 * 7500, IMAGE_MAX_PIXELS);
    struct bytes at = png_header_only(8000, 7500);
    refused(at.p, at.n, 422, UNREADABLE);
    free(at.p);
}

static void test_refuses_truncated(void **state)
{
    struct bytes jpg;
    assert_int_equal(make_photo(&jpg, FMT_JPEG, 9, 800, 600, 0, 0), 0);
    refused(jpg.p, jpg.n / 2, 422, UNREADABLE);
    struct bytes png;
    assert_int_equal(make_photo(&png, FMT_PNG, 9, 800, 600, 0, 0), 0);
    refused(png.p, png.n / 2, 422, UNREADABLE);
    struct bytes webp;
    assert_int_equal(make_photo(&webp, FMT_WEBP, 9, 800, 600, 0, 0), 0);
    refused(webp.p, webp.n / 2, 422, UNREADABLE);
    /* a JPEG header and nothing after it */
    refused(jpg.p, 600, 422, UNREADABLE);
    free(jpg.p);
    free(png.p);
    free(webp.p);
}

static void test_refuses_corrupt(void **state)
{
    struct bytes png;
    assert_int_equal(make_photo(&png, FMT_PNG, 9, 300, 200, 0, 0), 0);
    /* scramble the compressed pixels in the middle of the file */
    for (size_t i = png.n / 3; i < png.n / 3 + 64; i++)
        png.p[i] ^= 0x5a;
    refused(png.p, png.n, 422, UNREADABLE);
    free(png.p);
}

/* A parent that does not exist is a server error, and nothing is created. */
static void test_missing_parent(void **state)
{
    struct bytes jpg;
    assert_int_equal(make_photo(&jpg, FMT_JPEG, 4, 64, 48, 0, 0), 0);
    struct image_info info;
    struct err e = {0};
    const char *dir = fresh_dir("no/such/dir");
    assert_int_equal(image_process(jpg.p, jpg.n, dir, &info, &e), -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(entries(fresh_dir("no")), -1);
    free(jpg.p);
}

/* ---- threads and the demo pictures -------------------------------------------------------- */

struct job {
    struct bytes in;
    char dir[128];
    int rc, w;
    struct image_info info;
};

static void *run_job(void *arg)
{
    struct job *j = arg;
    struct err e = {0};
    for (int k = 0; k < 3 && j->rc == 0; k++)
        j->rc = image_process(j->in.p, j->in.n, j->dir, &j->info, &e);
    return NULL;
}

static void test_threads(void **state)
{
    enum { N = 4 };
    struct job jobs[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].w = 300 + 100 * i;
        assert_int_equal(
            make_photo(&jobs[i].in, i % 2 ? FMT_PNG : FMT_JPEG, 30 + i, jobs[i].w, 300, 0, 0), 0);
        snprintf(jobs[i].dir, sizeof jobs[i].dir, "%s", fresh_dir(i % 2 ? "t1" : "t0"));
        jobs[i].dir[strlen(jobs[i].dir) - 1] = (char)('0' + i);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].rc, 0);
        assert_string_equal(jobs[i].info.mime, i % 2 ? "image/png" : "image/jpeg");
        expect_sizes(&jobs[i].info, jobs[i].w, 300);
        check_files(jobs[i].dir, &jobs[i].info);
        remove_dir(jobs[i].dir);
        free(jobs[i].in.p);
    }
}

static void test_demo_deterministic(void **state)
{
    void *a, *b, *c;
    size_t na, nb, nc;
    struct err e = {0};
    assert_int_equal(image_demo(42, "Atelier & « photo » <b>", 320, 200, &a, &na, &e), 0);
    assert_int_equal(image_demo(42, "Atelier & « photo » <b>", 320, 200, &b, &nb, &e), 0);
    assert_int_equal(image_demo(43, "Atelier & « photo » <b>", 320, 200, &c, &nc, &e), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_false(na == nc && memcmp(a, c, na) == 0);
    VipsImage *im = vips_image_new_from_buffer(a, na, "", NULL);
    assert_non_null(im);
    assert_int_equal(vips_image_get_width(im), 320);
    assert_int_equal(vips_image_get_height(im), 200);
    g_object_unref(im);
    free(a);
    free(b);
    free(c);
    assert_int_equal(image_demo(1, NULL, 4, 4, &a, &na, &e), -1);
    assert_null(a);
}

static int setup(void **state)
{
    struct err e = {0};
    if (image_init("test_image", &e)) {
        fprintf(stderr, "image_init: %s\n", e.msg);
        return -1;
    }
    assert_int_equal(image_init("test_image", &e), 0); /* idempotent */
    snprintf(root, sizeof root, "/tmp/lanterne-test-image-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    return rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_webp),
        cmocka_unit_test(test_heic),
        cmocka_unit_test(test_large_jpeg_three_sizes),
        cmocka_unit_test(test_small_not_upscaled),
        cmocka_unit_test(test_existing_dir_replaced),
        cmocka_unit_test(test_auto_rotation),
        cmocka_unit_test(test_strips_jpeg),
        cmocka_unit_test(test_strips_png),
        cmocka_unit_test(test_strips_webp),
        cmocka_unit_test(test_profile_to_srgb),
        cmocka_unit_test(test_cmyk_to_srgb),
        cmocka_unit_test(test_refuses_empty),
        cmocka_unit_test(test_refuses_too_many_bytes),
        cmocka_unit_test(test_refuses_other_types),
        cmocka_unit_test(test_refuses_huge_png),
        cmocka_unit_test(test_pixel_limit),
        cmocka_unit_test(test_refuses_truncated),
        cmocka_unit_test(test_refuses_corrupt),
        cmocka_unit_test(test_missing_parent),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_demo_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
