/* db search: full-text search declared by `-- @search` lines, the same on every engine.
 * Here: parsing declarations and queries; each driver builds and queries its own index. */
#include "db/db.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/text.h"
#include "db/driver.h"

enum {
    SEARCH_LINE_MAX = 256 /* one `-- @search` declaration */
};

static const char search_tag[] = "@search";

static const char *search_skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int search_is_ident_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/* Names are spliced into DDL and queries, so only plain identifiers pass: nothing a quote,
 * a comment or a keyword boundary could hide in. */
static int search_ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > DB_IDENT_MAX || !search_is_ident_char(s[0], 1))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!search_is_ident_char(s[i], 0))
            return 0;
    return 1;
}

static int search_read_ident(const char **pp, char out[DB_IDENT_MAX + 1])
{
    const char *p = search_skip_space(*pp);
    size_t n = 0;
    while (search_is_ident_char(p[n], n == 0)) {
        if (n == DB_IDENT_MAX)
            return -1;
        out[n] = p[n];
        n++;
    }
    if (n == 0)
        return -1;
    out[n] = 0;
    *pp = p + n;
    return 0;
}

static int search_read_keyword(const char **pp, const char *kw)
{
    const char *p = search_skip_space(*pp);
    size_t n = strlen(kw);
    if (strncasecmp(p, kw, n) != 0 || search_is_ident_char(p[n], 0))
        return -1;
    *pp = p + n;
    return 0;
}

static int search_read_char(const char **pp, char c)
{
    const char *p = search_skip_space(*pp);
    if (*p != c)
        return -1;
    *pp = p + 1;
    return 0;
}

/* <index> ON <table>(<key column>) USING (<text column>) */
static int search_parse(const char *spec, struct db_search_spec *sp, struct err *e)
{
    const char *p = spec;
    if (search_read_ident(&p, sp->index) || search_read_keyword(&p, "ON") ||
        search_read_ident(&p, sp->table) || search_read_char(&p, '(') ||
        search_read_ident(&p, sp->key) || search_read_char(&p, ')') ||
        search_read_keyword(&p, "USING") || search_read_char(&p, '(') ||
        search_read_ident(&p, sp->text) || search_read_char(&p, ')'))
        goto bad;
    while (*p == ' ' || *p == '\t' || *p == '\r') /* a CRLF migration file */
        p++;
    if (*p)
        goto bad;
    return 0;
bad:
    return err_set(e, 500,
                   "bad search index declaration \"%.80s\": expected <index> ON "
                   "<table>(<key column>) USING (<text column>), plain names of at most %d "
                   "characters",
                   spec, DB_IDENT_MAX);
}

int db_search_create(struct db *db, const char *spec, struct err *e)
{
    struct db_search_spec sp;
    if (search_parse(spec ? spec : "", &sp, e))
        return -1;
    return db->drv->search_create(db, &sp, e);
}

int db_search_directives(struct db *db, const char *sql, struct err *e)
{
    char line[SEARCH_LINE_MAX];
    for (const char *p = sql; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *q = search_skip_space(p);
        if (strncmp(q, "--", 2) == 0) {
            q = search_skip_space(q + 2);
            size_t tn = sizeof search_tag - 1;
            if (strncmp(q, search_tag, tn) == 0 && (q[tn] == ' ' || q[tn] == '\t')) {
                size_t n = len - (size_t)(q + tn - p);
                if (n >= sizeof line)
                    return err_set(e, 500, "search index declaration too long: \"%.60s\"", q);
                memcpy(line, q + tn, n);
                line[n] = 0;
                if (db_search_create(db, line, e))
                    return -1;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Symbols and emoji: no engine indexes them, but SQLite then matches nothing for such a word
 * while PostgreSQL drops it from the query. Treated as spaces, both agree. */
static int search_is_symbol(unsigned long cp)
{
    return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE000 && cp <= 0xF8FF);
}

/* Length of the UTF-8 sequence at p and its code point; text_norm's output is valid UTF-8. */
static size_t search_utf8(const unsigned char *p, unsigned long *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    unsigned long v = p[0] & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return i;
        }
        v = (v << 6) | (p[i] & 0x3F);
    }
    *cp = v;
    return n;
}

/* Splits the normalized query into words in a. Returns the count, or -1 past max. */
static int search_words(struct arena *a, const char *norm, const char **words, int max)
{
    size_t len = strlen(norm);
    char *w = arena_alloc(a, len + 1);
    int n = 0;
    size_t wl = 0;
    const unsigned char *p = (const unsigned char *)norm;
    for (size_t i = 0;;) {
        unsigned long cp = 0;
        size_t step = p[i] ? search_utf8(p + i, &cp) : 0;
        if (!p[i] || cp == ' ' || search_is_symbol(cp)) {
            if (wl > 0) {
                if (n == max)
                    return -1;
                words[n++] = arena_strndup(a, w, wl);
                wl = 0;
            }
            if (!p[i])
                break;
        } else {
            memcpy(w + wl, p + i, step);
            wl += step;
        }
        i += step;
    }
    return n;
}

/* Joining an index to its table needs each engine's own layout of the index (SQLite: the FTS
 * table over <index>_doc; PostgreSQL: the <index> table and its lanterne_fr tsvector), which
 * the driver contract does not expose yet: the two statements live here, by dialect. Both
 * take what the drivers' search_sql takes (the match expression, the limit) and end with
 * its order, so ties come as db_search gives them. */
static char *search_ordered_sql(struct db *db, struct arena *a, const char *index,
                                const struct db_search_order *o)
{
    const char *dir = o->desc ? "DESC" : "ASC";
    if (strcmp(db_dialect(db), "postgresql") == 0)
        /* ::text as in pg_search_create, which stores every key as text */
        return arena_printf(a,
                            "SELECT s.key FROM %s s JOIN %s t ON t.%s::text = s.key"
                            " WHERE s.doc @@ to_tsquery('lanterne_fr', ?)"
                            " ORDER BY t.%s %s NULLS LAST, length(s.body), s.key COLLATE \"C\""
                            " LIMIT ?",
                            index, o->table, o->key, o->column, dir);
    /* the FTS table drives: each match reaches its row by two primary-key lookups */
    return arena_printf(a,
                        "SELECT d.key FROM %s JOIN %s_doc d ON d.id = %s.rowid"
                        " JOIN %s t ON t.%s = d.key WHERE %s MATCH ?"
                        " ORDER BY t.%s %s NULLS LAST, length(d.body), d.key LIMIT ?",
                        index, index, index, o->table, o->key, index, o->column, dir);
}

static int search_run(struct db *db, struct arena *a, const char *index,
                      const struct db_search_order *order, const char *query, int limit,
                      struct db_search_hit **hits, int *n, struct err *e)
{
    const char *words[DB_SEARCH_WORDS_MAX];
    struct db_stmt *st = NULL;
    *hits = NULL;
    *n = 0;
    if (!index || !search_ident_ok(index))
        return err_set(e, 500, "bad search index name \"%.60s\"", index ? index : "(null)");
    if (order &&
        (!order->table || !search_ident_ok(order->table) || !order->key ||
         !search_ident_ok(order->key) || !order->column || !search_ident_ok(order->column)))
        return err_set(e, 500,
                       "bad search order for index %s: table, key and column must be "
                       "plain names of at most %d characters",
                       index, DB_IDENT_MAX);
    if (limit < 1 || limit > DB_SEARCH_LIMIT_MAX)
        return err_set(e, 500, "search limit must be between 1 and %d, not %d", DB_SEARCH_LIMIT_MAX,
                       limit);
    if (!query)
        query = "";
    if (strlen(query) > DB_SEARCH_QUERY_MAX)
        return err_set(e, 400, "Le texte recherché est trop long (%d caractères au plus).",
                       DB_SEARCH_QUERY_MAX);
    int nw = search_words(a, text_norm(a, query), words, DB_SEARCH_WORDS_MAX);
    if (nw < 0)
        return err_set(e, 400, "Trop de mots dans la recherche (%d au plus).", DB_SEARCH_WORDS_MAX);
    if (nw == 0)
        return 0;
    const char *sql =
        order ? search_ordered_sql(db, a, index, order) : db->drv->search_sql(a, index);
    if (db_prepare(db, sql, &st, e))
        return -1;
    db_bind_text(st, 1, db->drv->search_match(a, words, nw));
    db_bind_int(st, 2, limit);
    struct db_search_hit *out = arena_alloc(a, (size_t)limit * sizeof *out);
    int count = 0, rc = DB_DONE;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        out[count++].key = arena_strdup(a, db_col_text(st, 0) ? db_col_text(st, 0) : "");
    db_finalize(st);
    if (rc < 0)
        return -1;
    *hits = out;
    *n = count;
    return 0;
}

int db_search(struct db *db, struct arena *a, const char *index, const char *query, int limit,
              struct db_search_hit **hits, int *n, struct err *e)
{
    return search_run(db, a, index, NULL, query, limit, hits, n, e);
}

int db_search_ordered(struct db *db, struct arena *a, const char *index,
                      const struct db_search_order *order, const char *query, int limit,
                      struct db_search_hit **hits, int *n, struct err *e)
{
    if (!order) {
        *hits = NULL;
        *n = 0;
        return err_set(e, 500, "db_search_ordered needs an order");
    }
    return search_run(db, a, index, order, query, limit, hits, n, e);
}
