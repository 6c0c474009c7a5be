/* territory: régions, départements and communes of France, imported from the official
 * @etalab/decoupage-administratif data, and the commune search every address form uses. */
#ifndef LANTERNE_TERRITORY_H
#define LANTERNE_TERRITORY_H

#include <stdint.h>

#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    TERRITORY_SEARCH_MIN_CHARS = 2,   /* characters of the normalized query */
    TERRITORY_SEARCH_MAX_BYTES = 100, /* longer queries are refused (422), no name is that long */
    TERRITORY_SEARCH_MAX_LIMIT = 50,
};

/* Where callers find the data when nothing else is configured (relative to the repo root). */
#define TERRITORY_DEFAULT_DATA_DIR "node_modules/@etalab/decoupage-administratif/data"

struct territory_commune {
    char code[8];          /* INSEE code, "59350", "2A004" */
    char departement[4];   /* "59", "2A", "971" */
    char region[4];        /* "32" */
    const char *name;      /* "Lille" */
    const char *postcodes; /* space separated, "59000 59160 59260 59777 59800" */
    int64_t population;    /* 0 when the data gives none */
};

struct territory_departement {
    char code[4];
    char region[4];
    const char *name;
    const char *zone; /* "metro", "drom" or "com" */
};

/* Reads regions.json, departements.json and communes.json from data_dir and upserts them
 * in one transaction (running it again updates names and populations, deletes nothing, so
 * rows that structures point at stay). Only current communes ("commune-actuelle") are kept.
 * Returns the number of communes imported (34,969 in decoupage-administratif 6.0.0), or
 * -1 with e filled (500, nothing written). */
int territory_import(struct db *db, const char *data_dir, struct err *e);

/* Communes with a word starting with each word of q, ignoring case, accents, hyphens and
 * apostrophes (the database's search index, the same on SQLite and PostgreSQL): "saint
 * etienne", "saint eti", "etienne" and "etienne saint" find Saint-Étienne, "st etienne" and
 * "tienne" do not. A query of digits (or 2A/2B then digits) matches INSEE codes and postcodes
 * by prefix instead. Ranked: an exact name first; then names that start with q or have a
 * word starting with q (q's words in the order typed); then the other matches; each by
 * population, largest first (codes and postcodes: by population only). Ties by name then
 * code, so pages are stable. limit is clamped to 1..TERRITORY_SEARCH_MAX_LIMIT. Results live
 * in a. Fewer than TERRITORY_SEARCH_MIN_CHARS characters, more than
 * TERRITORY_SEARCH_MAX_BYTES bytes or invalid UTF-8: 422 with e->field = "q". */
int territory_commune_search(struct db *db, struct arena *a, const char *q, int limit,
                             struct territory_commune **out, int *n, struct err *e);

/* One commune by INSEE code; 404 "Commune introuvable." when absent. */
int territory_commune_get(struct db *db, struct arena *a, const char *code,
                          struct territory_commune *out, struct err *e);

int64_t territory_commune_count(struct db *db, struct err *e); /* -1 on error */

/* All départements (overseas and collectivités included), ordered by code: 01 … 19, 21 …
 * 29, 2A, 2B, 30 … 95, 971 … */
int territory_departements(struct db *db, struct arena *a, struct territory_departement **out,
                           int *n, struct err *e);

/* One département by code; 404 "Département introuvable." when absent. */
int territory_departement_get(struct db *db, struct arena *a, const char *code,
                              struct territory_departement *out, struct err *e);

#endif
