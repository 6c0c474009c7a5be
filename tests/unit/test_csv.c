/* test_csv: unit tests for src/core/csv.c: encodings (UTF-8 with or without BOM, the whole
 * Windows-1252 table), delimiters, RFC 4180 quoting and line ends, every error with its line,
 * every limit at its edge, the writer's rules, and a seeded write-then-read round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/mem.h"

/* Reads a string literal (its NUL bytes included). */
#define READ_LIT(a, lit, opts, t, e) csv_read(a, lit, sizeof(lit) - 1, opts, t, e)

static int rd(struct arena *a, const char *s, const struct csv_read_opts *o, struct csv_table *t,
              struct err *e)
{
    err_clear(e);
    return csv_read(a, s, strlen(s), o, t, e);
}

/* The row has this line and exactly these fields. */
static void check_row(const struct csv_row *r, int line, int n, ...)
{
    assert_int_equal(r->line, line);
    assert_int_equal(r->n, n);
    va_list ap;
    va_start(ap, n);
    for (int k = 0; k < n; k++)
        assert_string_equal(r->fields[k], va_arg(ap, const char *));
    va_end(ap);
}

/* s fails with this status, line and message. */
static void check_fail(struct arena *a, const char *s, size_t n, const struct csv_read_opts *o,
                       int status, int line, const char *msg)
{
    struct csv_table t;
    struct err e;
    err_clear(&e);
    assert_int_equal(csv_read(a, s, n, o, &t, &e), -1);
    assert_int_equal(e.status, status);
    assert_int_equal(t.err_line, line);
    if (msg)
        assert_string_equal(e.msg, msg);
}

static void fails(struct arena *a, const char *s, int line, const char *msg)
{
    check_fail(a, s, strlen(s), NULL, 422, line, msg);
}

static void test_utf8_comma(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    assert_int_equal(rd(a, "titre,commune\nCiné-débat,Saint-Étienne\nAtelier,Lyon\n", NULL, &t, &e),
                     0);
    assert_int_equal(t.encoding, CSV_UTF8);
    assert_string_equal(csv_encoding_name(t.encoding), "UTF-8");
    assert_int_equal(t.bom, 0);
    assert_int_equal(t.delim, ',');
    check_row(&t.header, 1, 2, "titre", "commune");
    assert_int_equal(t.nrows, 2);
    check_row(&t.rows[0], 2, 2, "Ciné-débat", "Saint-Étienne");
    check_row(&t.rows[1], 3, 2, "Atelier", "Lyon");
    arena_free(a);
}

static void test_utf8_bom_semicolon(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    assert_int_equal(rd(a,
                        "\xEF\xBB\xBFTitre;Commune;Montant\r\n"
                        "\"Ciné-débat; « Les 400 coups »\";Montréal;1 200 €\r\n"
                        "Plein air;Fort-de-France;\"\"\r\n",
                        NULL, &t, &e),
                     0);
    assert_int_equal(t.encoding, CSV_UTF8);
    assert_int_equal(t.bom, 1);
    assert_int_equal(t.delim, ';');
    check_row(&t.header, 1, 3, "Titre", "Commune", "Montant"); /* no BOM left in "Titre" */
    assert_int_equal(t.nrows, 2);
    check_row(&t.rows[0], 2, 3, "Ciné-débat; « Les 400 coups »", "Montréal", "1 200 €");
    check_row(&t.rows[1], 3, 3, "Plein air", "Fort-de-France", "");
    arena_free(a);
}

static void test_windows1252(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    /* Montréal;Œuvre;€ then œuvre;€œ;café, as a French spreadsheet saves them */
    assert_int_equal(rd(a,
                        "Montr\xE9"
                        "al;\x8C"
                        "uvre;\x80\r\n\x9C"
                        "uvre;\x80\x9C;caf\xE9\r\n",
                        NULL, &t, &e),
                     0);
    assert_int_equal(t.encoding, CSV_WINDOWS_1252);
    assert_string_equal(csv_encoding_name(t.encoding), "Windows-1252");
    assert_int_equal(t.bom, 0);
    assert_int_equal(t.delim, ';');
    check_row(&t.header, 1, 3, "Montréal", "Œuvre", "€");
    assert_int_equal(t.nrows, 1);
    check_row(&t.rows[0], 2, 3, "œuvre", "€œ", "café");
    arena_free(a);
}

/* Every defined byte from 0x80 to 0xFF, one per row, against the characters written out. */
static void test_windows1252_table(void **state)
{
    (void)state;
    static const char *const high[32] = {
        "€",  NULL, "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š", "‹", "Œ", NULL, "Ž", NULL,
        NULL, "‘",  "’", "“", "”", "•", "–", "—", "˜", "™", "š", "›", "œ", NULL, "ž", "Ÿ",
    };
    struct arena *a = arena_new();
    char file[512];
    size_t n = 0;
    file[n++] = 'c';
    file[n++] = '\n';
    for (int c = 0x80; c <= 0xFF; c++) {
        if (c < 0xA0 && !high[c - 0x80])
            continue;
        file[n++] = (char)c;
        file[n++] = '\n';
    }
    struct csv_table t;
    struct err e;
    assert_int_equal(csv_read(a, file, n, NULL, &t, &e), 0);
    assert_int_equal(t.encoding, CSV_WINDOWS_1252);
    assert_int_equal(t.nrows, 128 - 5);
    int r = 0;
    for (int c = 0x80; c <= 0xFF; c++) {
        char want[4] = {0};
        if (c < 0xA0) {
            if (!high[c - 0x80])
                continue;
            strcpy(want, high[c - 0x80]);
        } else { /* U+00A0..U+00FF */
            want[0] = (char)(0xC0 | c >> 6);
            want[1] = (char)(0x80 | (c & 0x3F));
        }
        assert_string_equal(t.rows[r].fields[0], want);
        assert_int_equal(t.rows[r].line, r + 2);
        r++;
    }
    arena_free(a);
}

static void test_windows1252_undefined(void **state)
{
    (void)state;
    static const unsigned char undefined[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
    struct arena *a = arena_new();
    for (size_t k = 0; k < sizeof undefined; k++) {
        char file[64], msg[160];
        snprintf(file, sizeof file, "nom;ville\nCaf\xE9;Lyon\n%c;x\n", undefined[k]);
        snprintf(msg, sizeof msg,
                 "Ligne 3 : octet 0x%02X inconnu ; le fichier n'est ni en UTF-8 ni en "
                 "Windows-1252.",
                 undefined[k]);
        fails(a, file, 3, msg);
    }
    arena_free(a);
}

static void test_encoding_choice(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    /* valid UTF-8 without BOM is UTF-8 (é, €, a 4-byte emoji) */
    assert_int_equal(rd(a, "a;b\nété;€🎬\n", NULL, &t, &e), 0);
    assert_int_equal(t.encoding, CSV_UTF8);
    check_row(&t.rows[0], 2, 2, "été", "€🎬");
    /* pure ASCII counts as UTF-8 */
    assert_int_equal(rd(a, "a;b\n1;2\n", NULL, &t, &e), 0);
    assert_int_equal(t.encoding, CSV_UTF8);
    /* one stray byte makes the whole file Windows-1252, the UTF-8 looking parts included */
    assert_int_equal(rd(a, "a;b\n\xC3\xA9;\xE9\n", NULL, &t, &e), 0);
    assert_int_equal(t.encoding, CSV_WINDOWS_1252);
    check_row(&t.rows[0], 2, 2, "Ã©", "é");
    /* after a BOM the file says it is UTF-8: invalid bytes are an error naming their line */
    fails(a,
          "\xEF\xBB\xBF"
          "a;b\nc;d\n\"e\nf\";caf\xE9\n",
          4,
          "Ligne 4 : le fichier commence par la marque UTF-8 (BOM) mais contient des octets "
          "qui ne sont pas de l'UTF-8.");
    fails(a,
          "\xEF\xBB\xBF"
          "a;\xE2\x82\n",
          1, NULL); /* € cut short */
    /* UTF-16 (Excel's "Unicode text"), either byte order: a message of its own */
    const char *utf16 = "Ce fichier est en UTF-16 : enregistrez-le au format « CSV UTF-8 » ou "
                        "« CSV (séparateur : point-virgule) ».";
    check_fail(a, "\xFF\xFEt\0i\0\n\0", 8, NULL, 422, 0, utf16);
    check_fail(a, "\xFE\xFF\0t\0i\0\n", 8, NULL, 422, 0, utf16);
    arena_free(a);
}

static void test_delimiters(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    assert_int_equal(rd(a, "a;b;c\n1;2;3\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ';');
    assert_int_equal(rd(a, "a,b\n1,2\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    assert_int_equal(rd(a, "a\tb\n1\t2\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, '\t');
    check_row(&t.rows[0], 2, 2, "1", "2");
    /* the most frequent wins; ties go to ; then , */
    assert_int_equal(rd(a, "a,b,c;d\n1,2,3;4\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    check_row(&t.header, 1, 3, "a", "b", "c;d");
    assert_int_equal(rd(a, "a;b,c\n1;2,3\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ';');
    assert_int_equal(rd(a, "a,b\tc\n1,2\t3\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    /* only the header line counts, and only outside quotes (even across a quoted line break) */
    assert_int_equal(rd(a, "\"x;y;z\",\"b;\nc\"\n1,2\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    check_row(&t.header, 1, 2, "x;y;z", "b;\nc");
    check_row(&t.rows[0], 3, 2, "1", "2");
    assert_int_equal(rd(a, "a,b\n1;2;3;4;5;6,7\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    /* one column: ; so that French text with commas stays whole */
    assert_int_equal(rd(a, "Titre\nUn, deux, trois\n", NULL, &t, &e), 0);
    assert_int_equal(t.delim, ';');
    check_row(&t.rows[0], 2, 1, "Un, deux, trois");
    /* forced by the caller */
    struct csv_read_opts o = {.delim = ','};
    assert_int_equal(rd(a, "a;b;c\n1;2;3\n", &o, &t, &e), 0);
    assert_int_equal(t.delim, ',');
    check_row(&t.header, 1, 1, "a;b;c");
    o.delim = '\t';
    assert_int_equal(rd(a, "a,b\tc\n1,2\t3\n", &o, &t, &e), 0);
    check_row(&t.rows[0], 2, 2, "1,2", "3");
    o.delim = '|';
    assert_int_equal(rd(a, "a|b\n", &o, &t, &e), -1);
    assert_int_equal(e.status, 500);
    arena_free(a);
}

static void test_quotes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    assert_int_equal(rd(a,
                        "titre;description;note\n"
                        "\"Le \"\"Grand\"\" soir\";\"une;deux\";\"\"\n"
                        "\"sur\ndeux lignes\";\"et\r\ntrois\rlignes\";\"\"\"\"\n"
                        "fin;\"\";x\n",
                        NULL, &t, &e),
                     0);
    assert_int_equal(t.nrows, 3);
    check_row(&t.rows[0], 2, 3, "Le \"Grand\" soir", "une;deux", "");
    /* line breaks inside quotes are kept as they are and counted as physical lines */
    check_row(&t.rows[1], 3, 3, "sur\ndeux lignes", "et\r\ntrois\rlignes", "\"");
    check_row(&t.rows[2], 7, 3, "fin", "", "x");
    /* a quoted field at the very end of the file, and a quoted header */
    assert_int_equal(rd(a, "\"a\",\"b\"\r\n\"1\",\"2\"", NULL, &t, &e), 0);
    check_row(&t.header, 1, 2, "a", "b");
    check_row(&t.rows[0], 2, 2, "1", "2");
    arena_free(a);
}

static void test_line_ends(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    static const char *const files[] = {"h1;h2\n1;2\n3;4\n", "h1;h2\r\n1;2\r\n3;4\r\n",
                                        "h1;h2\r1;2\r3;4\r", "h1;h2\n1;2\r\n3;4",
                                        "h1;h2\r1;2\n3;4\r\n"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        assert_int_equal(rd(a, files[k], NULL, &t, &e), 0);
        check_row(&t.header, 1, 2, "h1", "h2");
        assert_int_equal(t.nrows, 2);
        check_row(&t.rows[0], 2, 2, "1", "2");
        check_row(&t.rows[1], 3, 2, "3", "4");
    }
    /* blank lines (LF, CRLF, CR) skipped anywhere, but counted */
    assert_int_equal(rd(a, "\n\r\nh1;h2\n\n1;2\r\n\r\n\r3;4\n\n", NULL, &t, &e), 0);
    check_row(&t.header, 3, 2, "h1", "h2");
    assert_int_equal(t.nrows, 2);
    check_row(&t.rows[0], 5, 2, "1", "2");
    check_row(&t.rows[1], 8, 2, "3", "4");
    /* a trailing delimiter is one more empty field; a lone "" is a record, not a blank line */
    assert_int_equal(rd(a, "a;b\n1;\n;\n", NULL, &t, &e), 0);
    check_row(&t.rows[0], 2, 2, "1", "");
    check_row(&t.rows[1], 3, 2, "", "");
    assert_true(csv_row_blank(&t.rows[1]));
    assert_false(csv_row_blank(&t.rows[0]));
    assert_int_equal(rd(a, "a\n\"\"\n\nb\n", NULL, &t, &e), 0);
    assert_int_equal(t.nrows, 2);
    check_row(&t.rows[0], 2, 1, "");
    check_row(&t.rows[1], 4, 1, "b");
    /* a header alone is a table without records */
    assert_int_equal(rd(a, "a;b\r\n", NULL, &t, &e), 0);
    assert_int_equal(t.nrows, 0);
    arena_free(a);
}

static void test_whitespace_kept(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    /* a quote after a blank is inside an unquoted field */
    assert_int_equal(rd(a, "a ; b\n  x  ;\ty\t\n \" \";\n", NULL, &t, &e), -1);
    assert_int_equal(t.err_line, 3);
    assert_int_equal(rd(a, "a ; b\n  x  ;\ty\t\n \t; \n", NULL, &t, &e), 0);
    check_row(&t.header, 1, 2, "a ", " b");
    check_row(&t.rows[0], 2, 2, "  x  ", "\ty\t");
    check_row(&t.rows[1], 3, 2, " \t", " ");
    assert_true(csv_row_blank(&t.rows[1]));
    arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* unclosed quote: the line where it opens */
    fails(a, "a;b\n1;2\nx;\"ouvert\nsuite\n", 3, "Ligne 3 : guillemet non fermé.");
    fails(a, "\"a;b\n", 1, "Ligne 1 : guillemet non fermé.");
    fails(a, "a;b\n1;\"", 2, "Ligne 2 : guillemet non fermé.");
    fails(a, "a;b\n\n\n1;\"x\"\"\n", 4, "Ligne 4 : guillemet non fermé.");
    /* a quote inside an unquoted field */
    fails(a, "a;b\n1;ab\"c\n", 2,
          "Ligne 2 : guillemet au milieu d'un champ ; mettez ce champ entre guillemets et "
          "doublez les guillemets qu'il contient.");
    fails(a, "a;b\n1;2\n3; \"x\"\n", 3, NULL);
    fails(a, "a;b\"\n", 1, NULL);
    /* anything but a delimiter or a line end after a closing quote, on the line it is on */
    fails(a, "a;b\n\"x\"y;2\n", 2,
          "Ligne 2 : caractère inattendu après un guillemet fermant (un champ entre guillemets "
          "doit être suivi du séparateur ou d'une fin de ligne).");
    fails(a, "a;b\n1;2\n\"x\ny\" ;2\n", 4, NULL);
    /* NUL bytes, in UTF-8 and in Windows-1252 files */
    check_fail(a, "a;b\n1;2\n3;\0\n", 12, NULL, 422, 3,
               "Ligne 3 : caractère nul (octet 0) interdit dans un fichier CSV.");
    check_fail(a, "a;b\r\n\xE9;\0", 8, NULL, 422, 2, NULL);
    check_fail(a, "\0", 1, NULL, 422, 1, NULL);
    /* rows with another number of fields than the header */
    fails(a, "a;b\n1;2\n1;2;3\n", 3, "Ligne 3 : 3 champ(s) au lieu de 2 comme l'en-tête.");
    fails(a, "a;b;c\n\n1;2\n", 3, "Ligne 3 : 2 champ(s) au lieu de 3 comme l'en-tête.");
    fails(a, "a;b;c\nx\n", 2, "Ligne 2 : 1 champ(s) au lieu de 3 comme l'en-tête.");
    /* empty files */
    fails(a, "", 0, "Le fichier CSV est vide.");
    fails(a, "\xEF\xBB\xBF", 0, "Le fichier CSV est vide.");
    fails(a, "\n\r\n\r", 0, "Le fichier CSV est vide.");
    arena_free(a);
}

static void test_short_rows(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    struct csv_read_opts o = {.allow_short = 1};
    assert_int_equal(rd(a, "a;b;c\n1\n1;2\n1;2;3\n;\n", &o, &t, &e), 0);
    assert_int_equal(t.nrows, 4);
    check_row(&t.rows[0], 2, 3, "1", "", "");
    check_row(&t.rows[1], 3, 3, "1", "2", "");
    check_row(&t.rows[2], 4, 3, "1", "2", "3");
    check_row(&t.rows[3], 5, 3, "", "", "");
    /* longer rows stay an error */
    check_fail(a, "a;b\n1;2;3\n", 10, &o, 422, 2,
               "Ligne 2 : 3 champ(s) au lieu de 2 comme l'en-tête.");
    arena_free(a);
}

static void test_limit_bytes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    size_t n = CSV_MAX_BYTES;
    char *file = malloc(n + 1);
    /* "c" then lines of 60000 x: exactly CSV_MAX_BYTES, every field under its own limit */
    memset(file, 'x', n + 1);
    file[0] = 'c';
    file[1] = '\n';
    for (size_t i = 2 + 60000; i < n; i += 60001)
        file[i] = '\n';
    struct csv_table t;
    struct err e;
    if (csv_read(a, file, n, NULL, &t, &e))
        fail_msg("at the limit: %d %s", e.status, e.msg);
    assert_int_equal(t.nrows, (int)((n - 2 + 60000) / 60001));
    check_fail(a, file, n + 1, NULL, 413, 0, "Le fichier CSV dépasse 10 Mio.");
    /* the BOM counts */
    memcpy(file, "\xEF\xBB\xBF", 3);
    file[3] = '\n';
    assert_int_equal(csv_read(a, file, n, NULL, &t, &e), 0);
    assert_int_equal(t.bom, 1);
    check_fail(a, file, n + 1, NULL, 413, 0, NULL);
    free(file);
    arena_free(a);
}

static void test_limit_rows(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    size_t n = 2 + 2 * ((size_t)CSV_MAX_ROWS + 1);
    char *file = malloc(n);
    file[0] = 'n';
    file[1] = '\n';
    for (size_t i = 2; i < n; i += 2) {
        file[i] = '1';
        file[i + 1] = '\n';
    }
    struct csv_table t;
    struct err e;
    assert_int_equal(csv_read(a, file, n - 2, NULL, &t, &e), 0);
    assert_int_equal(t.nrows, CSV_MAX_ROWS);
    assert_int_equal(t.rows[CSV_MAX_ROWS - 1].line, CSV_MAX_ROWS + 1);
    check_fail(a, file, n, NULL, 422, CSV_MAX_ROWS + 2,
               "Ligne 50002 : le fichier dépasse 50000 lignes de données.");
    /* blank lines are not records */
    char *spaced = malloc(n + 10);
    memcpy(spaced, file, n - 2);
    memcpy(spaced + n - 2, "\n\n\r\n", 4);
    assert_int_equal(csv_read(a, spaced, n + 2, NULL, &t, &e), 0);
    free(spaced);
    free(file);
    arena_free(a);
}

/* A row of n fields "c1;c2;…" (header) or "1;1;…" then a line end. */
static void put_row(struct buf *b, int n, int header)
{
    for (int k = 0; k < n; k++) {
        if (k)
            buf_putc(b, ';');
        if (header)
            buf_printf(b, "c%d", k + 1);
        else
            buf_putc(b, '1');
    }
    buf_putc(b, '\n');
}

static void test_limit_columns(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct buf b;
    buf_init(&b, 0);
    put_row(&b, CSV_MAX_COLUMNS, 1);
    put_row(&b, CSV_MAX_COLUMNS, 0);
    struct csv_table t;
    struct err e;
    assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &e), 0);
    assert_int_equal(t.header.n, CSV_MAX_COLUMNS);
    assert_string_equal(t.header.fields[CSV_MAX_COLUMNS - 1], "c100");
    assert_int_equal(t.rows[0].n, CSV_MAX_COLUMNS);
    /* one more in a record */
    put_row(&b, CSV_MAX_COLUMNS + 1, 0);
    check_fail(a, b.data, b.len, NULL, 422, 3, "Ligne 3 : plus de 100 colonnes.");
    /* one more in the header */
    buf_reset(&b);
    put_row(&b, CSV_MAX_COLUMNS + 1, 1);
    check_fail(a, b.data, b.len, NULL, 422, 1, "Ligne 1 : plus de 100 colonnes.");
    /* empty fields count too: 100 delimiters make 101 fields */
    buf_reset(&b);
    buf_puts(&b, "a\n");
    for (int k = 0; k < CSV_MAX_COLUMNS; k++)
        buf_putc(&b, ';');
    check_fail(a, b.data, b.len, NULL, 422, 2, NULL);
    buf_free(&b);
    arena_free(a);
}

/* "a;b\n1;" then a field of reps times unit, quoted or not, then a line end. */
static struct buf field_file(size_t reps, const char *unit, int quoted)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "a;b\n1;");
    if (quoted)
        buf_putc(&b, '"');
    for (size_t i = 0; i < reps; i++)
        buf_puts(&b, unit);
    if (quoted)
        buf_putc(&b, '"');
    buf_puts(&b, "\n");
    return b;
}

static void test_limit_field(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    const char *too_long = "Ligne 2, colonne 2 : champ de plus de 65536 octets.";
    struct buf b = field_file(CSV_MAX_FIELD_BYTES, "x", 0);
    assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &e), 0);
    assert_int_equal(strlen(t.rows[0].fields[1]), CSV_MAX_FIELD_BYTES);
    buf_free(&b);
    b = field_file(CSV_MAX_FIELD_BYTES + 1, "x", 0);
    check_fail(a, b.data, b.len, NULL, 422, 2, too_long);
    buf_free(&b);
    /* the limit is on the value: "" counts once (and the quotes around it not at all) */
    b = field_file(CSV_MAX_FIELD_BYTES, "\"\"", 1);
    assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &e), 0);
    assert_int_equal(strlen(t.rows[0].fields[1]), CSV_MAX_FIELD_BYTES);
    assert_int_equal(t.rows[0].fields[1][0], '"');
    buf_free(&b);
    b = field_file(CSV_MAX_FIELD_BYTES + 1, "\"\"", 1);
    check_fail(a, b.data, b.len, NULL, 422, 2, too_long);
    buf_free(&b);
    b = field_file(CSV_MAX_FIELD_BYTES + 1, "y", 1);
    check_fail(a, b.data, b.len, NULL, 422, 2, too_long);
    buf_free(&b);
    /* and once decoded: é is one byte in Windows-1252, two in UTF-8 */
    b = field_file(CSV_MAX_FIELD_BYTES / 2, "\xE9", 0);
    assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &e), 0);
    assert_int_equal(t.encoding, CSV_WINDOWS_1252);
    assert_int_equal(strlen(t.rows[0].fields[1]), CSV_MAX_FIELD_BYTES);
    buf_free(&b);
    b = field_file(CSV_MAX_FIELD_BYTES / 2 + 1, "\xE9", 0);
    check_fail(a, b.data, b.len, NULL, 422, 2, too_long);
    buf_free(&b);
    /* a long quoted field over several lines is named by the line it starts on */
    b = field_file(CSV_MAX_FIELD_BYTES / 2 + 1, "z\n", 1);
    check_fail(a, b.data, b.len, NULL, 422, 2, too_long);
    buf_free(&b);
    arena_free(a);
}

static const char *row_out(struct buf *b, unsigned flags, char delim, int n, ...)
{
    const char *f[16];
    va_list ap;
    va_start(ap, n);
    for (int k = 0; k < n; k++)
        f[k] = va_arg(ap, const char *);
    va_end(ap);
    buf_reset(b);
    assert_int_equal(csv_write_row_flags(b, f, n, delim, flags), 0);
    return buf_cstr(b);
}

static void test_writer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    const char *f2[] = {"a", "b"};
    assert_int_equal(csv_write_row(&b, f2, 2, ';'), 0);
    assert_string_equal(buf_cstr(&b), "a;b\n");
    /* quoted: the delimiter (only the one in use), a quote, CR, LF, blanks at either end */
    assert_string_equal(row_out(&b, 0, ';', 3, "x;y", "x,y", "x\ty"), "\"x;y\";x,y;x\ty\n");
    assert_string_equal(row_out(&b, 0, ',', 2, "x;y", "x,y"), "x;y,\"x,y\"\n");
    assert_string_equal(row_out(&b, 0, '\t', 2, "x\ty", "x,y"), "\"x\ty\"\tx,y\n");
    assert_string_equal(row_out(&b, 0, ';', 2, "le \"grand\" soir", "\""),
                        "\"le \"\"grand\"\" soir\";\"\"\"\"\n");
    assert_string_equal(row_out(&b, 0, ';', 3, "a\nb", "a\rb", "a\r\nb"),
                        "\"a\nb\";\"a\rb\";\"a\r\nb\"\n");
    assert_string_equal(row_out(&b, 0, ';', 4, " a", "a ", "\ta", "a b"),
                        "\" a\";\"a \";\"\ta\";a b\n");
    /* a BOM character at the start of a field would be taken for the file's own */
    assert_string_equal(row_out(&b, 0, ';', 2, "\xEF\xBB\xBFx", "y\xEF\xBB\xBF"),
                        "\"\xEF\xBB\xBFx\";y\xEF\xBB\xBF\n");
    /* empty fields: NULL counts as ""; alone on its row it is quoted, else a blank line */
    const char *nulls[] = {NULL, NULL};
    buf_reset(&b);
    assert_int_equal(csv_write_row(&b, nulls, 2, ';'), 0);
    assert_string_equal(buf_cstr(&b), ";\n");
    assert_string_equal(row_out(&b, 0, ';', 1, ""), "\"\"\n");
    assert_string_equal(row_out(&b, 0, ';', 1, "Montréal €"), "Montréal €\n");
    /* CRLF */
    assert_string_equal(row_out(&b, CSV_CRLF, ';', 2, "a", "b\nc"), "a;\"b\nc\"\r\n");
    /* BOM: only at the start of the output */
    buf_reset(&b);
    assert_int_equal(csv_write_row_flags(&b, f2, 2, ';', CSV_BOM | CSV_CRLF), 0);
    assert_int_equal(csv_write_row_flags(&b, f2, 2, ';', CSV_BOM | CSV_CRLF), 0);
    assert_string_equal(buf_cstr(&b), "\xEF\xBB\xBF"
                                      "a;b\r\na;b\r\n");
    /* bad arguments leave the buffer alone */
    assert_int_equal(csv_write_row(&b, f2, 0, ';'), -1);
    assert_int_equal(csv_write_row(&b, f2, 2, '|'), -1);
    assert_int_equal(csv_write_row(&b, f2, 2, '"'), -1);
    assert_int_equal(b.len, 13);
    buf_free(&b);
}

static void test_writer_guard(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    const unsigned g = CSV_GUARD_FORMULAS;
    assert_string_equal(row_out(&b, g, ';', 4, "=1+1", "+33", "-5", "@SUM(A1)"),
                        "'=1+1;'+33;'-5;'@SUM(A1)\n");
    assert_string_equal(row_out(&b, g, ';', 2, "\tcmd", "\rcmd"), "'\tcmd;\"'\rcmd\"\n");
    assert_string_equal(row_out(&b, g, '\t', 1, "\tcmd"), "\"'\tcmd\"\n");
    assert_string_equal(row_out(&b, g, ';', 1, "=HYPERLINK(\"http://x\";\"y\")"),
                        "\"'=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\"\n");
    /* only the first character matters; an empty field stays empty */
    assert_string_equal(row_out(&b, g, ';', 3, "a=b", " =x", ""), "a=b;\" =x\";\n");
    assert_string_equal(row_out(&b, g, ';', 1, ""), "\"\"\n");
    /* without the flag nothing changes */
    assert_string_equal(row_out(&b, 0, ';', 4, "=1+1", "+33", "-5", "@x"), "=1+1;+33;-5;@x\n");
    /* what a reader gets back */
    struct arena *a = arena_new();
    struct csv_table t;
    struct err e;
    row_out(&b, g, ';', 3, "=cmd|' /C calc'!A0", "-2", "ok");
    assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &e), 0);
    check_row(&t.header, 1, 3, "'=cmd|' /C calc'!A0", "'-2", "ok");
    arena_free(a);
    buf_free(&b);
}

static void test_writer_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    const char *f[] = {"abc", "d\"e"};
    assert_int_equal(csv_write_row(&b, f, 2, ';'), 0);
    assert_string_equal(buf_cstr(&b), "abc;\"d\"\"e\"\n");
    size_t len = b.len;
    const char *big[] = {"0123", "4567"};
    assert_int_equal(csv_write_row_flags(&b, big, 2, ';', CSV_CRLF), -1);
    assert_int_equal(b.len, len);
    assert_string_equal(buf_cstr(&b), "abc;\"d\"\"e\"\n");
    const char *fits[] = {"x"};
    assert_int_equal(csv_write_row(&b, fits, 1, ';'), 0);
    assert_int_equal(b.len, len + 2);
    buf_free(&b);
}

/* ---- round trip: what the writer writes, the reader reads back ---------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) /* xorshift64*: the same sequence on every libc */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % n;
}

static char *random_field(struct arena *a)
{
    static const char *const pieces[] = {
        "a",        "Z",     "0",   " ", "\t", ",", ";", "\"", "\"\"", "\r", "\n", "\r\n",
        "é",        "€",     "Œ",   "🎬", "=",  "-", "+", "@",  "'",    "«",  "»",  "\xEF\xBB\xBF",
        "Montréal", "ligne", "x y",
    };
    const size_t npieces = sizeof pieces / sizeof *pieces;
    char tmp[256];
    size_t len = 0;
    uint32_t count = rnd(4) == 0 ? 0 : rnd(10);
    for (uint32_t i = 0; i < count; i++) {
        const char *p = pieces[rnd((uint32_t)npieces)];
        size_t pl = strlen(p);
        memcpy(tmp + len, p, pl);
        len += pl;
    }
    return arena_strndup(a, tmp, len);
}

/* Physical line of offset off in s (CRLF once), to check each record's line. */
static int line_of(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
            line++;
    return line;
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char delims[] = {',', ';', '\t'};
    rng_state = 0x6c616e7465726e65ULL; /* fixed seed: a failure is reproducible */
    int total_rows = 0;
    for (int table = 0; table < 90; table++) {
        struct arena *a = arena_new();
        char delim = delims[table % 3];
        unsigned flags = rnd(2) ? CSV_CRLF : 0;
        flags |= rnd(2) ? CSV_BOM : 0;
        flags |= table % 5 == 4 ? CSV_GUARD_FORMULAS : 0;
        int plain_header = rnd(2);
        int ncol = 1 + (int)rnd(8);
        int nrows = 1 + (int)rnd(120);
        const char ***want = arena_alloc(a, (size_t)(nrows + 1) * sizeof *want);
        size_t *starts = arena_alloc(a, (size_t)(nrows + 1) * sizeof *starts);
        struct buf out;
        buf_init(&out, 0);
        for (int r = 0; r <= nrows; r++) {
            want[r] = arena_alloc(a, (size_t)ncol * sizeof **want);
            for (int c = 0; c < ncol; c++)
                want[r][c] = r == 0 && plain_header ? arena_printf(a, "col%d", c) : random_field(a);
            starts[r] = out.len;
            assert_int_equal(csv_write_row_flags(&out, want[r], ncol, delim, flags), 0);
        }

        struct csv_read_opts o = {.delim = delim};
        /* with a plain header of 2+ columns the delimiter is found on its own */
        if (plain_header && ncol > 1)
            o.delim = 0;
        struct csv_table t;
        struct err e;
        if (csv_read(a, out.data, out.len, &o, &t, &e))
            fail_msg("table %d: %s", table, e.msg);
        assert_int_equal(t.delim, delim);
        assert_int_equal(t.bom, (flags & CSV_BOM) != 0);
        assert_int_equal(t.encoding, CSV_UTF8);
        assert_int_equal(t.nrows, nrows);
        for (int r = 0; r <= nrows; r++) {
            const struct csv_row *row = r ? &t.rows[r - 1] : &t.header;
            assert_int_equal(row->n, ncol);
            assert_int_equal(row->line, line_of(out.data, starts[r]));
            for (int c = 0; c < ncol; c++) {
                const char *w = want[r][c];
                if ((flags & CSV_GUARD_FORMULAS) && w[0] && strchr("=+-@\t\r", w[0]))
                    w = arena_printf(a, "'%s", w);
                assert_string_equal(row->fields[c], w);
            }
        }
        total_rows += nrows;
        buf_free(&out);
        arena_free(a);
    }
    assert_true(total_rows >= 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_comma),
        cmocka_unit_test(test_utf8_bom_semicolon),
        cmocka_unit_test(test_windows1252),
        cmocka_unit_test(test_windows1252_table),
        cmocka_unit_test(test_windows1252_undefined),
        cmocka_unit_test(test_encoding_choice),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_whitespace_kept),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_short_rows),
        cmocka_unit_test(test_limit_bytes),
        cmocka_unit_test(test_limit_rows),
        cmocka_unit_test(test_limit_columns),
        cmocka_unit_test(test_limit_field),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_writer_guard),
        cmocka_unit_test(test_writer_cap),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
