/* imgfix.h: inputs for test_image.c, all made in the test: demo pictures re-encoded by libvips,
 * PNGs written byte by byte with zlib (a real 30000 x 30000 one, header-only ones at the pixel
 * limit), metadata blocks (EXIF with GPS, XMP, IPTC, ICC, a comment) and files that are no photo.
 *
 * Header-only (static functions): a test includes it after cmocka.h. */
#ifndef LANTERNE_IMGFIX_H
#define LANTERNE_IMGFIX_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>
#include <zlib.h>

#include "core/mem.h"
#include "image.h"

/* A growable byte string for the files built here. */
struct bytes {
    unsigned char *p;
    size_t n, cap;
};

static void bytes_put(struct bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void bytes_be32(struct bytes *b, uint32_t v)
{
    uint32_t be = htonl(v);
    bytes_put(b, &be, 4);
}

/* ---- PNG by hand ------------------------------------------------------------------------- */

static void png_chunk(struct bytes *b, const char *type, const void *data, size_t n)
{
    bytes_be32(b, (uint32_t)n);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    bytes_put(b, type, 4);
    if (n) {
        bytes_put(b, data, n);
        crc = crc32(crc, data, (uInt)n);
    }
    bytes_be32(b, (uint32_t)crc);
}

/* Signature and IHDR of an 8-bit greyscale PNG of w x h. */
static void png_head(struct bytes *b, uint32_t w, uint32_t h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13] = {0};
    uint32_t bw = htonl(w), bh = htonl(h);
    memcpy(ihdr, &bw, 4);
    memcpy(ihdr + 4, &bh, 4);
    ihdr[8] = 8; /* bit depth; colour type 0 (grey), deflate, no filter method, no interlace */
    bytes_put(b, sig, sizeof sig);
    png_chunk(b, "IHDR", ihdr, sizeof ihdr);
}

/* A PNG whose header says w x h but whose pixel data ends after one short row. */
static struct bytes png_header_only(uint32_t w, uint32_t h)
{
    struct bytes b = {0};
    unsigned char row[17] = {0}, z[64];
    uLongf zn = sizeof z;
    assert_int_equal(compress(z, &zn, row, sizeof row), Z_OK);
    png_head(&b, w, h);
    png_chunk(&b, "IDAT", z, zn);
    png_chunk(&b, "IEND", NULL, 0);
    return b;
}

/* A complete, valid black PNG of side x side, rows_per_block dividing side. The zlib stream is
 * built from one deflated block of rows repeated: each block ends on a full flush (the
 * compressor forgets everything), so compressing the same rows again would give the same bytes.
 * The Adler-32 of the whole is combined from the block's. About 1 KB per megapixel. */
static struct bytes png_black(uint32_t side, uint32_t rows_per_block)
{
    struct bytes b = {0}, z = {0};
    size_t row = (size_t)side + 1, blk = row * rows_per_block; /* filter byte + pixels */
    unsigned char *zeros = xcalloc(1, blk);
    unsigned char out[1 << 16];
    z_stream s = {0};
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 9, Z_RLE), Z_OK); /* raw deflate */
    s.next_in = zeros;
    s.avail_in = (uInt)blk;
    do {
        s.next_out = out;
        s.avail_out = sizeof out;
        assert_true(deflate(&s, Z_FULL_FLUSH) != Z_STREAM_ERROR);
        bytes_put(&z, out, sizeof out - s.avail_out);
    } while (s.avail_out == 0);
    uLong a1 = adler32(adler32(0, NULL, 0), zeros, (uInt)blk), all = a1;
    struct bytes idat = {0};
    static const unsigned char zhead[2] = {0x78, 0xda};
    bytes_put(&idat, zhead, 2);
    for (uint32_t i = 0; i < side / rows_per_block; i++) {
        bytes_put(&idat, z.p, z.n);
        if (i)
            all = adler32_combine(all, a1, (z_off_t)blk);
    }
    s.next_out = out;
    s.avail_out = sizeof out;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END); /* the last, empty block */
    bytes_put(&idat, out, sizeof out - s.avail_out);
    deflateEnd(&s);
    bytes_be32(&idat, (uint32_t)all);

    png_head(&b, side, side);
    png_chunk(&b, "IDAT", idat.p, idat.n);
    png_chunk(&b, "IEND", NULL, 0);
    free(zeros);
    free(z.p);
    free(idat.p);
    return b;
}

/* ---- metadata blocks ---------------------------------------------------------------------- */

/* EXIF (little-endian TIFF) with IFD0 Make=Canon, Model=EOS and a GPS IFD at 48°51' N 2°21' E. */
static struct bytes exif_with_gps(void)
{
    struct bytes b = {0};
    const unsigned char tiff[] = {
        'E',
        'x',
        'i',
        'f',
        0,
        0,
        /* 0: TIFF header, IFD0 at 8 */
        'I',
        'I',
        42,
        0,
        8,
        0,
        0,
        0,
        /* 8: IFD0, 3 entries */
        3,
        0,
        0x0f,
        0x01,
        2,
        0,
        6,
        0,
        0,
        0,
        50,
        0,
        0,
        0, /* Make, ASCII[6] at 50 */
        0x10,
        0x01,
        2,
        0,
        4,
        0,
        0,
        0,
        'E',
        'O',
        'S',
        0, /* Model, ASCII[4] inline */
        0x25,
        0x88,
        4,
        0,
        1,
        0,
        0,
        0,
        56,
        0,
        0,
        0, /* GPSInfo IFD at 56 */
        0,
        0,
        0,
        0, /* no next IFD */
        /* 50 */
        'C',
        'a',
        'n',
        'o',
        'n',
        0,
        /* 56: GPS IFD, 5 entries */
        5,
        0,
        0x00,
        0x00,
        1,
        0,
        4,
        0,
        0,
        0,
        2,
        3,
        0,
        0, /* GPSVersionID 2.3.0.0 */
        0x01,
        0x00,
        2,
        0,
        2,
        0,
        0,
        0,
        'N',
        0,
        0,
        0, /* GPSLatitudeRef */
        0x02,
        0x00,
        5,
        0,
        3,
        0,
        0,
        0,
        122,
        0,
        0,
        0, /* GPSLatitude, RATIONAL[3] at 122 */
        0x03,
        0x00,
        2,
        0,
        2,
        0,
        0,
        0,
        'E',
        0,
        0,
        0, /* GPSLongitudeRef */
        0x04,
        0x00,
        5,
        0,
        3,
        0,
        0,
        0,
        146,
        0,
        0,
        0, /* GPSLongitude, RATIONAL[3] at 146 */
        0,
        0,
        0,
        0,
        /* 122: 48/1 51/1 0/1 */
        48,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        51,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        /* 146: 2/1 21/1 0/1 */
        2,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        21,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
    };
    bytes_put(&b, tiff, sizeof tiff);
    return b;
}

static const char XMP[] =
    "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
    "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
    "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description rdf:about='' "
    "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:xmp='http://ns.adobe.com/xap/1.0/'>"
    "<dc:creator><rdf:Seq><rdf:li>Someone</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>";

/* A Photoshop APP13 block holding one IPTC keyword, "test". */
static struct bytes iptc_keywords(void)
{
    struct bytes b = {0};
    static const unsigned char ps[] = {'P',  'h', 'o', 't', 'o', 's', 'h', 'o', 'p',  ' ',
                                       '3',  '.', '0', 0,   '8', 'B', 'I', 'M', 0x04, 0x04,
                                       0,    0,            /* name */
                                       0,    0,   0,   10, /* size */
                                       0x1c, 2,   25,  0,   4,   't', 'e', 's', 't',  0 /* pad */};
    bytes_put(&b, ps, sizeof ps);
    return b;
}

static void set_blob(VipsImage *im, const char *name, const void *p, size_t n)
{
    vips_image_set_blob_copy(im, name, p, n);
}

/* Attaches every kind of metadata a phone or an editor leaves in a photo. */
static void add_metadata(VipsImage *im)
{
    struct bytes exif = exif_with_gps(), iptc = iptc_keywords();
    VipsBlob *icc = NULL;
    set_blob(im, VIPS_META_EXIF_NAME, exif.p, exif.n);
    set_blob(im, VIPS_META_XMP_NAME, XMP, sizeof XMP - 1);
    set_blob(im, VIPS_META_IPTC_NAME, iptc.p, iptc.n);
    assert_int_equal(vips_profile_load("srgb", &icc, NULL), 0);
    size_t n;
    const void *p = vips_blob_get(icc, &n);
    set_blob(im, VIPS_META_ICC_NAME, p, n);
    vips_area_unref(VIPS_AREA(icc));
    vips_image_set_string(im, "jpeg-comment", "secret");
    free(exif.p);
    free(iptc.p);
}

/* ---- re-encoding -------------------------------------------------------------------------- */

enum fmt { FMT_JPEG, FMT_PNG, FMT_WEBP, FMT_HEIC };

/* A demo picture of w x h in the given format, optionally with metadata and an EXIF
 * orientation; the caller frees b.p. Returns -1 if this libvips cannot write the format. */
static int make_photo(struct bytes *out, enum fmt f, unsigned seed, int w, int h, int meta,
                      int orientation)
{
    void *jpg;
    size_t n;
    struct err e = {0};
    VipsImage *in = NULL, *im = NULL;
    void *buf = NULL;
    size_t len = 0;
    int rc = 0;
    assert_int_equal(image_demo(seed, "Atelier photo", w, h, &jpg, &n, &e), 0);
    in = vips_image_new_from_buffer(jpg, n, "", NULL);
    assert_non_null(in);
    assert_int_equal(vips_copy(in, &im, NULL), 0); /* metadata is set on our own copy */
    if (meta)
        add_metadata(im);
    if (orientation)
        vips_image_set_int(im, VIPS_META_ORIENTATION, orientation);
    switch (f) {
    case FMT_JPEG:
        rc = vips_jpegsave_buffer(im, &buf, &len, "Q", 90, NULL);
        break;
    case FMT_PNG:
        rc = vips_pngsave_buffer(im, &buf, &len, "compression", 1, NULL);
        break;
    case FMT_WEBP:
        rc = vips_webpsave_buffer(im, &buf, &len, "Q", 90, NULL);
        break;
    case FMT_HEIC:
        rc = vips_heifsave_buffer(im, &buf, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                                  NULL);
        break;
    }
    if (rc)
        vips_error_clear();
    memset(out, 0, sizeof *out);
    if (!rc)
        bytes_put(out, buf, len);
    g_free(buf);
    g_object_unref(im);
    g_object_unref(in);
    free(jpg);
    return rc ? -1 : 0;
}

#endif
