/* csv: reading and writing CSV files held in memory (RFC 4180), for the import and export of
 * actions: UTF-8 or Windows-1252, comma, semicolon or tab, errors naming the line at fault. */
#ifndef LANTERNE_CSV_H
#define LANTERNE_CSV_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

enum {
    CSV_MAX_BYTES = 10 * 1024 * 1024, /* the whole file, BOM included: 413 past it */
    CSV_MAX_ROWS = 50000,             /* records after the header: 422 past it */
    CSV_MAX_COLUMNS = 100,            /* fields in one row, header included: 422 past it */
    CSV_MAX_FIELD_BYTES = 64 * 1024,  /* one field once decoded to UTF-8: 422 past it */
};

enum csv_encoding {
    CSV_UTF8 = 1,     /* valid UTF-8, with or without a BOM (pure ASCII counts as UTF-8) */
    CSV_WINDOWS_1252, /* anything else, decoded through the full Windows-1252 table */
};

struct csv_read_opts {
    char delim;      /* 0: detected from the header line; ',' ';' or '\t' to force one */
    int allow_short; /* rows with fewer fields than the header get "" for the missing ones */
};

struct csv_row {
    int line;            /* physical line where the row starts, 1-based (blank lines count) */
    int n;               /* fields: every record has as many as the header */
    const char **fields; /* NUL-terminated UTF-8 (never NULL, may hold \r \n \t), in the arena */
};

struct csv_table {
    enum csv_encoding encoding; /* what the bytes were found to be */
    int bom;                    /* 1 if a UTF-8 BOM began the file (it is dropped) */
    char delim;                 /* the delimiter used: forced or detected */
    struct csv_row header;      /* the first non-blank row */
    struct csv_row *rows;       /* the records after it */
    int nrows;
    int err_line; /* after a failure: the line the message names, or 0 */
};

/* Reads a whole CSV file (data, len bytes) into t, everything allocated in a, so one
 * arena_free releases it; opts may be NULL (detect the delimiter, refuse short rows).
 * Encoding: a UTF-8 BOM is dropped; bytes that are valid UTF-8 are UTF-8; anything else is
 * decoded as Windows-1252 (bytes 0x81 0x8D 0x8F 0x90 0x9D, undefined there, are an error),
 * except after a BOM, where invalid UTF-8 is an error; a UTF-16 BOM has an error of its own.
 * Delimiter: the one of , ; tab found most often outside quotes on the header line (ties:
 * ; then , then tab; none: ;).
 * Parsing: RFC 4180 quotes (doubled "" inside), delimiters and line breaks inside quotes kept
 * as they are, line ends CRLF, LF or CR, the last line with or without one, empty lines
 * skipped, blanks around unquoted fields kept (callers trim). Refused, with the line: an
 * unclosed quote (the line it opens on), a quote inside an unquoted field or anything but a
 * delimiter or line end after a closing quote, a NUL byte, a row with another number of fields
 * than the header (unless allow_short, for fewer), and every limit above. Errors are 422
 * (413 past CSV_MAX_BYTES) with a French message ("Ligne 12 : guillemet non fermé.") and the
 * line in t->err_line. 0 or -1. Memory: about the decoded size plus a pointer per field. */
int csv_read(struct arena *a, const void *data, size_t len, const struct csv_read_opts *opts,
             struct csv_table *t, struct err *e);

/* "UTF-8" or "Windows-1252". */
const char *csv_encoding_name(enum csv_encoding enc);

/* 1 if every field of r is empty or only blanks (space, tab, CR, LF): the ";;;" lines
 * spreadsheets leave under a table, which importers usually skip. */
int csv_row_blank(const struct csv_row *r);

/* Writer flags. */
enum {
    CSV_CRLF = 1 << 0, /* end rows with CR LF (RFC 4180, Excel) instead of LF */
    CSV_BOM = 1 << 1,  /* when out is still empty, begin it with the UTF-8 BOM, which spreadsheet
                        * software needs to read the file as UTF-8: pass the same flags for
                        * every row */
    /* Formula-injection guard for files opened in spreadsheet software: a field starting with
     * = + - @ tab or CR gets a leading apostrophe, so "=HYPERLINK(…)" shows as text instead of
     * running. The value changes (a reader gets "'=…", "-5" becomes "'-5"), so ask for it only
     * for exports meant for spreadsheets, never for files meant to be imported again. */
    CSV_GUARD_FORMULAS = 1 << 2,
};

/* Appends one row of n fields (NULL counts as "") to out, delimiter delim (',' ';' or '\t'),
 * line end LF, no BOM, no guard. A field is quoted (with "" for ") when it contains the
 * delimiter, a quote, CR or LF, starts or ends with a space or tab, starts with a BOM
 * character (a reader would drop it), or is the only field of the row and empty (an empty line
 * would be skipped). Reading the result with csv_read gives back the same fields. -1 (out as
 * it was) when n < 1, the delimiter is not one of the three, or out's cap would be passed. */
int csv_write_row(struct buf *out, const char *const *fields, int n, char delim);
/* The same with CSV_* flags. */
int csv_write_row_flags(struct buf *out, const char *const *fields, int n, char delim,
                        unsigned flags);

#endif
