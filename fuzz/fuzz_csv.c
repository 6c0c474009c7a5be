/* fuzz_csv: libFuzzer target for src/core/csv.c: csv_read on any bytes (detected and forced
 * delimiters, short rows allowed or not), its invariants, and read(write(table)) == table. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/text.h"

static void check_row(const struct csv_row *r, int n)
{
    if (r->n != n || !r->fields)
        abort();
    for (int k = 0; k < n; k++) {
        const char *f = r->fields[k];
        if (!f)
            abort();
        size_t len = strlen(f);
        if (len > CSV_MAX_FIELD_BYTES || !text_utf8_valid(f, len))
            abort();
    }
}

static void check_table(const struct csv_table *t, const struct csv_read_opts *o)
{
    if (t->encoding != CSV_UTF8 && t->encoding != CSV_WINDOWS_1252)
        abort();
    if (t->delim != ',' && t->delim != ';' && t->delim != '\t')
        abort();
    if (o->delim && t->delim != o->delim)
        abort();
    if (t->header.n < 1 || t->header.n > CSV_MAX_COLUMNS || t->header.line < 1)
        abort();
    if (t->nrows < 0 || t->nrows > CSV_MAX_ROWS || (t->nrows && !t->rows))
        abort();
    check_row(&t->header, t->header.n);
    int line = t->header.line;
    for (int r = 0; r < t->nrows; r++) {
        check_row(&t->rows[r], t->header.n);
        if (t->rows[r].line <= line)
            abort(); /* records start on later and later lines */
        line = t->rows[r].line;
    }
}

static const char *expected(struct arena *a, const char *f, unsigned flags)
{
    if ((flags & CSV_GUARD_FORMULAS) && f[0] && strchr("=+-@\t\r", f[0]))
        return arena_printf(a, "'%s", f);
    return f;
}

/* Writes t back out and reads it again with the same delimiter: the same fields come back. */
static void round_trip(struct arena *a, const struct csv_table *t, unsigned flags)
{
    struct buf out;
    buf_init(&out, 0);
    int n = t->header.n;
    if (csv_write_row_flags(&out, t->header.fields, n, t->delim, flags))
        abort();
    for (int r = 0; r < t->nrows; r++)
        if (csv_write_row_flags(&out, t->rows[r].fields, n, t->delim, flags))
            abort();
    /* a guarded field one byte under the limit is over it once its apostrophe is added */
    int at_limit = 0;
    for (int r = -1; r < t->nrows; r++)
        for (int k = 0; k < n; k++)
            at_limit |=
                strlen((r < 0 ? &t->header : &t->rows[r])->fields[k]) >= CSV_MAX_FIELD_BYTES;
    if (out.len <= CSV_MAX_BYTES && !(at_limit && (flags & CSV_GUARD_FORMULAS))) {
        struct csv_read_opts o = {.delim = t->delim};
        struct csv_table back;
        struct err e;
        if (csv_read(a, out.data, out.len, &o, &back, &e))
            abort();
        if (back.encoding != CSV_UTF8 || back.bom != ((flags & CSV_BOM) != 0) ||
            back.nrows != t->nrows || back.header.n != n)
            abort();
        for (int r = -1; r < t->nrows; r++) {
            const struct csv_row *want = r < 0 ? &t->header : &t->rows[r];
            const struct csv_row *got = r < 0 ? &back.header : &back.rows[r];
            for (int k = 0; k < n; k++)
                if (strcmp(got->fields[k], expected(a, want->fields[k], flags)) != 0)
                    abort();
        }
    }
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[3] = {',', ';', '\t'};
    const struct csv_read_opts opts[] = {
        {0, 0},
        {0, 1},
        {delims[size % 3], 0},
        {delims[(size + 1) % 3], 1},
    };
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        struct arena *a = arena_new();
        struct csv_table t;
        struct err e;
        err_clear(&e);
        int rc = csv_read(a, data, size, &opts[i], &t, &e);
        if (rc == 0) {
            check_table(&t, &opts[i]);
            /* flags from the input, so each run tries another mix */
            unsigned flags = size ? data[size - 1] & (CSV_CRLF | CSV_BOM | CSV_GUARD_FORMULAS) : 0;
            round_trip(a, &t, flags);
        } else if (rc != -1 || (e.status != 422 && e.status != 413) || !e.msg[0] ||
                   t.err_line < 0) {
            abort();
        }
        arena_free(a);
    }
    return 0;
}
