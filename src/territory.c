/* territory: imports the official list of régions, départements and communes, and answers
 * the lookups the rest of Lanterne needs (commune search and pickers, département lists). */
#include "territory.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"

enum {
    CODE_REGION_MAX = 3,      /* "84", "975" */
    CODE_DEPARTEMENT_MAX = 3, /* "59", "2A", "971" */
    CODE_COMMUNE_MAX = 5,     /* "59350", "2A004" */
    PATH_MAX_LEN = 4096,
};

/* ---- import ---- */

static json_t *load_array(const char *dir, const char *file, struct err *e)
{
    char path[PATH_MAX_LEN];
    json_error_t jerr;

    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        err_set(e, 500, "Chemin des données territoriales trop long : %.100s", dir);
        return NULL;
    }
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        err_set(e, 500, "Lecture de %.150s impossible : %.80s (ligne %d)", path, jerr.text,
                jerr.line);
        return NULL;
    }
    if (!json_is_array(root)) {
        json_decref(root);
        err_set(e, 500, "%.150s : une liste JSON était attendue", path);
        return NULL;
    }
    return root;
}

/* A string member, or NULL when it is missing or of another type. */
static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Codes become fixed-size struct members and URL parts: insist on what INSEE uses. */
static int code_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

static int bad_entry(struct err *e, const char *file, size_t i, const char *field)
{
    return err_set(e, 500, "%s : entrée %zu invalide (champ « %s » absent ou incorrect)", file, i,
                   field);
}

/* Runs one already-bound upsert and hands the cached statement back for the next row. */
static int step_done(struct db_stmt *st, struct err *e)
{
    int rc = db_step(st, e);
    db_finalize(st);
    return rc < 0 ? -1 : 0;
}

static const char SQL_REGION[] = "INSERT INTO regions (code, name, zone) VALUES (?, ?, ?) "
                                 "ON CONFLICT(code) DO UPDATE SET "
                                 "name = excluded.name, zone = excluded.zone";

static int import_regions(struct db *db, json_t *arr, struct err *e)
{
    size_t i;
    json_t *r;

    json_array_foreach(arr, i, r)
    {
        const char *code = jstr(r, "code"), *name = jstr(r, "nom"), *zone = jstr(r, "zone");
        if (!code_ok(code, CODE_REGION_MAX))
            return bad_entry(e, "regions.json", i, "code");
        if (!name || !zone)
            return bad_entry(e, "regions.json", i, name ? "zone" : "nom");
        struct db_stmt *st;
        if (db_prepare(db, SQL_REGION, &st, e))
            return -1;
        db_bind_text(st, 1, code);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, zone);
        if (step_done(st, e))
            return -1;
    }
    return 0;
}

static const char SQL_DEPARTEMENT[] =
    "INSERT INTO departements (code, name, region_code, zone) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(code) DO UPDATE SET "
    "name = excluded.name, region_code = excluded.region_code, zone = excluded.zone";

static int import_departements(struct db *db, json_t *arr, struct err *e)
{
    size_t i;
    json_t *d;

    json_array_foreach(arr, i, d)
    {
        const char *code = jstr(d, "code"), *name = jstr(d, "nom");
        const char *region = jstr(d, "region"), *zone = jstr(d, "zone");
        if (!code_ok(code, CODE_DEPARTEMENT_MAX))
            return bad_entry(e, "departements.json", i, "code");
        if (!code_ok(region, CODE_REGION_MAX))
            return bad_entry(e, "departements.json", i, "region");
        if (!name || !zone)
            return bad_entry(e, "departements.json", i, name ? "zone" : "nom");
        struct db_stmt *st;
        if (db_prepare(db, SQL_DEPARTEMENT, &st, e))
            return -1;
        db_bind_text(st, 1, code);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, region);
        db_bind_text(st, 4, zone);
        if (step_done(st, e))
            return -1;
    }
    return 0;
}

static const char SQL_COMMUNE[] =
    "INSERT INTO communes (code, name, name_norm, departement_code, region_code, population, "
    "postcodes) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(code) DO UPDATE SET "
    "name = excluded.name, name_norm = excluded.name_norm, "
    "departement_code = excluded.departement_code, region_code = excluded.region_code, "
    "population = excluded.population, postcodes = excluded.postcodes";

/* Returns the number of communes written, or -1. */
static int import_communes(struct db *db, json_t *arr, struct err *e)
{
    struct arena *a = arena_new(); /* the normalized names, all freed at the end */
    struct buf pc;
    size_t i;
    json_t *c;
    int count = 0;

    buf_init(&pc, 0);
    json_array_foreach(arr, i, c)
    {
        const char *type = jstr(c, "type");
        /* délégués, associées and Paris/Lyon/Marseille arrondissements share codes
         * with real communes or no longer exist as such: only current communes count */
        if (!type || strcmp(type, "commune-actuelle") != 0)
            continue;
        const char *code = jstr(c, "code"), *name = jstr(c, "nom");
        const char *dep = jstr(c, "departement"), *reg = jstr(c, "region");
        if (!code_ok(code, CODE_COMMUNE_MAX)) {
            bad_entry(e, "communes.json", i, "code");
            goto fail;
        }
        if (!name || !*name) {
            bad_entry(e, "communes.json", i, "nom");
            goto fail;
        }
        if (!code_ok(dep, CODE_DEPARTEMENT_MAX) || !code_ok(reg, CODE_REGION_MAX)) {
            bad_entry(e, "communes.json", i,
                      code_ok(dep, CODE_DEPARTEMENT_MAX) ? "region" : "departement");
            goto fail;
        }
        /* the TAAF districts and Clipperton have no population in the data, and the
         * TAAF no postcode either: both default rather than reject the entry */
        json_t *jpop = json_object_get(c, "population");
        int64_t pop = json_is_integer(jpop) ? (int64_t)json_integer_value(jpop) : 0;

        buf_reset(&pc);
        size_t k;
        json_t *jpc;
        json_array_foreach(json_object_get(c, "codesPostaux"), k, jpc)
        {
            const char *p = json_string_value(jpc);
            if (!p)
                continue;
            if ((pc.len && buf_putc(&pc, ' ')) || buf_puts(&pc, p)) {
                err_set(e, 500, "communes.json : codes postaux trop longs (entrée %zu)", i);
                goto fail;
            }
        }

        struct db_stmt *st;
        if (db_prepare(db, SQL_COMMUNE, &st, e))
            goto fail;
        db_bind_text(st, 1, code);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, text_norm(a, name));
        db_bind_text(st, 4, dep);
        db_bind_text(st, 5, reg);
        db_bind_int(st, 6, pop);
        db_bind_text(st, 7, buf_cstr(&pc));
        if (step_done(st, e))
            goto fail;
        count++;
    }
    buf_free(&pc);
    arena_free(a);
    return count;
fail:
    buf_free(&pc);
    arena_free(a);
    return -1;
}

int territory_import(struct db *db, const char *data_dir, struct err *e)
{
    json_t *regions = NULL, *departements = NULL, *communes = NULL;
    int count = -1, in_tx = 0;

    if (!data_dir)
        data_dir = TERRITORY_DEFAULT_DATA_DIR;
    /* parse everything first: a missing or broken file must not leave half an import */
    if (!(regions = load_array(data_dir, "regions.json", e)) ||
        !(departements = load_array(data_dir, "departements.json", e)) ||
        !(communes = load_array(data_dir, "communes.json", e)))
        goto done;
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    /* parents first: departements and communes reference them */
    if (import_regions(db, regions, e) || import_departements(db, departements, e))
        goto done;
    int n = import_communes(db, communes, e);
    if (n < 0)
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    count = n;
done:
    if (in_tx)
        db_rollback(db);
    json_decref(regions);
    json_decref(departements);
    json_decref(communes);
    return count;
}

/* ---- lookups ---- */

static void copy_code(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

#define COMMUNE_COLS "code, name, departement_code, region_code, population, postcodes"

static void read_commune(struct db_stmt *st, struct arena *a, struct territory_commune *c)
{
    copy_code(c->code, sizeof c->code, db_col_text(st, 0));
    c->name = col_dup(a, st, 1);
    copy_code(c->departement, sizeof c->departement, db_col_text(st, 2));
    copy_code(c->region, sizeof c->region, db_col_text(st, 3));
    c->population = db_col_int(st, 4);
    c->postcodes = col_dup(a, st, 5);
}

/* q% with LIKE's own metacharacters made literal, for "... LIKE ? ESCAPE '\'". */
static char *like_prefix(struct arena *a, const char *lead, const char *q)
{
    size_t nl = strlen(lead), nq = strlen(q);
    char *p = arena_alloc(a, nl + 2 * nq + 2), *o = p;

    memcpy(o, lead, nl);
    o += nl;
    for (size_t i = 0; i < nq; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            *o++ = '\\';
        *o++ = q[i];
    }
    *o++ = '%';
    *o = 0;
    return p;
}

/* Digits, or 2a/2b then digits (Corsica), up to the length of an INSEE code. */
static int looks_like_code(const char *q)
{
    size_t n = strlen(q), i = 0;
    if (n > CODE_COMMUNE_MAX)
        return 0;
    if (n >= 2 && q[0] == '2' && (q[1] == 'a' || q[1] == 'b'))
        i = 2;
    for (; i < n; i++)
        if (q[i] < '0' || q[i] > '9')
            return 0;
    return 1;
}

/* Codes: a plain LIKE scan, PostgreSQL runs it as is. They rank by population only: people
 * type postcodes far more often than INSEE codes, and "42100" should give Saint-Étienne
 * before the small commune whose INSEE code it is. */
static const char SQL_SEARCH_CODE[] =
    "SELECT " COMMUNE_COLS " FROM communes "
    "WHERE code LIKE ? ESCAPE '\\' OR postcodes LIKE ? ESCAPE '\\' OR postcodes LIKE ? ESCAPE '\\' "
    "ORDER BY population DESC, name_norm, code LIMIT ?";

/* Names go through the search index of migration 0003, which finds the communes having a
 * word that starts with each word of the query, in any order, the largest first. The index
 * cannot rank by what was typed, so the ranking happens here:
 *   0. the exact name (an indexed equality, asked first: "Rue", 3,000 people, must not be
 *      buried under Rueil-Malmaison);
 *   1. the words as typed: the name, or one of its words, starts with the query (what a LIKE
 *      on name_norm found before the index);
 *   2. the other matches ("etienne saint", "roche la");
 * each by population, largest first, ties by name then code, the same on both engines. */
static const char SQL_SEARCH_EXACT[] = "SELECT " COMMUNE_COLS " FROM communes WHERE name_norm = ? "
                                       "ORDER BY population DESC, code LIMIT ?";

/* Group 1 without the index, for search_scan; LIKE is case-sensitive on PostgreSQL, but
 * name_norm and the query are both lower case. */
static const char SQL_SEARCH_TYPED[] =
    "SELECT " COMMUNE_COLS " FROM communes "
    "WHERE (name_norm LIKE ? ESCAPE '\\' OR name_norm LIKE ? ESCAPE '\\') AND name_norm <> ? "
    "ORDER BY population DESC, name_norm, code LIMIT ?";

static const struct db_search_order commune_by_population = {"communes", "code", "population", 1};

enum {
    /* index hits asked for per result wanted: exact names and out-of-order matches are set
     * aside, and a full batch that does not settle the ranking is asked again, this many
     * times larger (up to DB_SEARCH_LIMIT_MAX) */
    SEARCH_BATCH_FACTOR = 4,
    SEARCH_FETCH_CHUNK = 64, /* codes per SQL_COMMUNES_IN: the number of its placeholders */
};

#define Q8 "?, ?, ?, ?, ?, ?, ?, ?"
/* One statement for any number of codes, unused places bound to NULL: the statement cache
 * keeps a single entry, and PostgreSQL one round trip per chunk. */
static const char SQL_COMMUNES_IN[] =
    "SELECT " COMMUNE_COLS ", name_norm FROM communes "
    "WHERE code IN (" Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ")";
#undef Q8

struct candidate {
    struct territory_commune c;
    const char *norm; /* name_norm */
    int group;        /* 1 or 2, as above */
};

static int candidate_cmp(const void *pa, const void *pb)
{
    const struct candidate *x = pa, *y = pb;
    if (x->group != y->group)
        return x->group - y->group;
    if (x->c.population != y->c.population)
        return x->c.population > y->c.population ? -1 : 1;
    int r = strcmp(x->norm, y->norm);
    return r ? r : strcmp(x->c.code, y->c.code);
}

/* The rows of the hits, exact names left out (listed already). *pmin: the smallest
 * population among all the hits' rows, i.e. the last hit's. */
static int fetch_candidates(struct db *db, struct arena *a, const struct db_search_hit *hits,
                            int nh, const char *norm, struct candidate **out, int *nc,
                            int64_t *pmin, struct err *e)
{
    struct candidate *cand = arena_alloc(a, (size_t)(nh ? nh : 1) * sizeof *cand);
    const char *word_start = arena_printf(a, " %s", norm);
    size_t nlen = strlen(norm);
    int count = 0;
    *pmin = INT64_MAX;
    for (int first = 0; first < nh; first += SEARCH_FETCH_CHUNK) {
        struct db_stmt *st;
        if (db_prepare(db, SQL_COMMUNES_IN, &st, e))
            return -1;
        for (int k = 0; k < SEARCH_FETCH_CHUNK; k++)
            db_bind_text(st, k + 1, first + k < nh ? hits[first + k].key : NULL);
        int rc;
        while ((rc = db_step(st, e)) == DB_ROW) {
            struct candidate *c = &cand[count];
            read_commune(st, a, &c->c);
            if (c->c.population < *pmin)
                *pmin = c->c.population;
            const char *rn = db_col_text(st, 6) ? db_col_text(st, 6) : "";
            if (strcmp(rn, norm) == 0)
                continue;
            c->norm = arena_strdup(a, rn);
            c->group = strncmp(rn, norm, nlen) == 0 || strstr(rn, word_start) ? 1 : 2;
            count++;
        }
        db_finalize(st);
        if (rc < 0)
            return -1;
    }
    *out = cand;
    *nc = count;
    return 0;
}

/* Group 1 by the scan that served before the index, then group 2 from cand. For words so
 * short ("la l") that thousands of larger communes match before the first in group 1. */
static int search_scan(struct db *db, struct arena *a, const char *norm, int limit,
                       const struct candidate *cand, int nc, struct territory_commune *res,
                       int *count, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, SQL_SEARCH_TYPED, &st, e))
        return -1;
    db_bind_text(st, 1, like_prefix(a, "", norm));
    db_bind_text(st, 2, like_prefix(a, "% ", norm));
    db_bind_text(st, 3, norm);
    db_bind_int(st, 4, limit - *count);
    int rc = DB_DONE;
    while (*count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_commune(st, a, &res[(*count)++]);
    db_finalize(st);
    if (rc < 0)
        return -1;
    for (int i = 0; i < nc && *count < limit; i++)
        if (cand[i].group == 2)
            res[(*count)++] = cand[i].c;
    return 0;
}

/* Appends to res (which holds *count exact names) the best of the other matches. */
static int search_index(struct db *db, struct arena *a, const char *norm, int limit,
                        struct territory_commune *res, int *count, struct err *e)
{
    int need = limit - *count;
    int batch = SEARCH_BATCH_FACTOR * limit + *count;
    if (batch > DB_SEARCH_LIMIT_MAX)
        batch = DB_SEARCH_LIMIT_MAX;
    for (;;) {
        struct db_search_hit *hits;
        struct candidate *cand;
        int nh, nc;
        int64_t pmin;
        if (db_search_ordered(db, a, "communes_search", &commune_by_population, norm, batch, &hits,
                              &nh, e) ||
            fetch_candidates(db, a, hits, nh, norm, &cand, &nc, &pmin, e))
            return -1;
        qsort(cand, (size_t)nc, sizeof *cand, candidate_cmp);
        int take = nc < need ? nc : need;
        /* A full batch holds every match larger than its last hit, but not all those of that
         * size nor the smaller ones, which rank higher when in a better group: the ranking
         * is settled if every result chosen is in group 1 and larger than the last hit. */
        int settled = nh < batch;
        if (!settled && take == need) {
            settled = 1;
            for (int i = 0; i < take; i++)
                if (cand[i].group != 1 || cand[i].c.population <= pmin)
                    settled = 0;
        }
        if (settled) {
            for (int i = 0; i < take; i++)
                res[(*count)++] = cand[i].c;
            return 0;
        }
        if (batch == DB_SEARCH_LIMIT_MAX)
            return search_scan(db, a, norm, limit, cand, nc, res, count, e);
        batch = batch > DB_SEARCH_LIMIT_MAX / SEARCH_BATCH_FACTOR ? DB_SEARCH_LIMIT_MAX
                                                                  : batch * SEARCH_BATCH_FACTOR;
    }
}

/* Words of a normalized query (text_norm leaves single spaces between words). */
static int word_count(const char *norm)
{
    int n = *norm ? 1 : 0;
    for (const char *p = norm; *p; p++)
        n += *p == ' ';
    return n;
}

static int search_names(struct db *db, struct arena *a, const char *norm, int limit,
                        struct territory_commune *res, int *count, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, SQL_SEARCH_EXACT, &st, e))
        return -1;
    db_bind_text(st, 1, norm);
    db_bind_int(st, 2, limit);
    int rc = DB_DONE;
    while (*count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_commune(st, a, &res[(*count)++]);
    db_finalize(st);
    if (rc < 0)
        return -1;
    /* no name has more words than the index takes in a query */
    if (*count == limit || word_count(norm) > DB_SEARCH_WORDS_MAX)
        return 0;
    return search_index(db, a, norm, limit, res, count, e);
}

int territory_commune_search(struct db *db, struct arena *a, const char *q, int limit,
                             struct territory_commune **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (!q)
        q = "";
    size_t qlen = strlen(q);
    if (qlen > TERRITORY_SEARCH_MAX_BYTES)
        return err_field(e, 422, "q", "Recherche trop longue : %d caractères au plus.",
                         TERRITORY_SEARCH_MAX_BYTES);
    if (!text_utf8_valid(q, qlen))
        return err_field(e, 422, "q", "Recherche illisible : le texte n'est pas en UTF-8.");
    const char *norm = text_norm(a, q);
    /* text_norm keeps only whole code points, so its result is valid UTF-8 */
    if (text_utf8_len(norm, strlen(norm)) < TERRITORY_SEARCH_MIN_CHARS)
        return err_field(e, 422, "q", "Saisissez au moins deux caractères.");
    if (limit < 1)
        limit = 1;
    if (limit > TERRITORY_SEARCH_MAX_LIMIT)
        limit = TERRITORY_SEARCH_MAX_LIMIT;

    struct territory_commune *res = arena_alloc(a, (size_t)limit * sizeof *res);
    int count = 0;
    if (!looks_like_code(norm)) {
        if (search_names(db, a, norm, limit, res, &count, e))
            return -1;
        *out = res;
        *n = count;
        return 0;
    }
    /* codes are stored upper case ("2A004") and PostgreSQL's LIKE is case-sensitive */
    char *up = arena_strdup(a, norm);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct db_stmt *st;
    if (db_prepare(db, SQL_SEARCH_CODE, &st, e))
        return -1;
    db_bind_text(st, 1, like_prefix(a, "", up));
    db_bind_text(st, 2, like_prefix(a, "", norm));
    db_bind_text(st, 3, like_prefix(a, "% ", norm));
    db_bind_int(st, 4, limit);
    int rc = DB_DONE;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_commune(st, a, &res[count++]);
    db_finalize(st);
    if (rc < 0)
        return -1;
    *out = res;
    *n = count;
    return 0;
}

int territory_commune_get(struct db *db, struct arena *a, const char *code,
                          struct territory_commune *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!code_ok(code, CODE_COMMUNE_MAX))
        return err_set(e, 404, "Commune introuvable.");
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " COMMUNE_COLS " FROM communes WHERE code = ?", &st, e))
        return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_commune(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc == DB_DONE)
        return err_set(e, 404, "Commune introuvable.");
    return 0;
}

int64_t territory_commune_count(struct db *db, struct err *e)
{
    struct err local;
    if (!e)
        e = &local; /* db_scalar_int reports failure through e only */
    int64_t n = db_scalar_int(db, e, 0, "SELECT count(*) FROM communes", "");
    return e->status ? -1 : n;
}

static void read_departement(struct db_stmt *st, struct arena *a, struct territory_departement *d)
{
    copy_code(d->code, sizeof d->code, db_col_text(st, 0));
    copy_code(d->region, sizeof d->region, db_col_text(st, 1));
    d->name = col_dup(a, st, 2);
    d->zone = col_dup(a, st, 3);
}

#define DEPARTEMENT_COLS "code, region_code, name, zone"

int territory_departements(struct db *db, struct arena *a, struct territory_departement **out,
                           int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " DEPARTEMENT_COLS " FROM departements ORDER BY code", &st, e))
        return -1;
    /* 109 today; grows by doubling, the arena keeps the outgrown copy until it is freed */
    int cap = 128, count = 0, rc;
    struct territory_departement *res = arena_alloc(a, (size_t)cap * sizeof *res);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            struct territory_departement *bigger = arena_alloc(a, 2 * (size_t)cap * sizeof *res);
            memcpy(bigger, res, (size_t)cap * sizeof *res);
            res = bigger;
            cap *= 2;
        }
        read_departement(st, a, &res[count++]);
    }
    db_finalize(st);
    if (rc < 0)
        return -1;
    *out = res;
    *n = count;
    return 0;
}

int territory_departement_get(struct db *db, struct arena *a, const char *code,
                              struct territory_departement *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!code_ok(code, CODE_DEPARTEMENT_MAX))
        return err_set(e, 404, "Département introuvable.");
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " DEPARTEMENT_COLS " FROM departements WHERE code = ?", &st, e))
        return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_departement(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc == DB_DONE)
        return err_set(e, 404, "Département introuvable.");
    return 0;
}
