/* demo: the demo dataset `make run` loads on first start: a plausible network (all
 * coordinations, ~200 structures in real communes, one account per role). */
#ifndef LANTERNE_DEMO_H
#define LANTERNE_DEMO_H

#include <stdio.h>

#include "db/db.h"

/* Loads the dataset once (a settings row remembers it) and prints the demo accounts to
 * out. Photos drawn by code go to data_dir/media (NULL: no photos). Returns 1 if it was
 * already loaded, 0 when loaded now, -1 on error (nothing written in the database: one
 * transaction). */
int demo_load(struct db *db, const char *data_dir, FILE *out, struct err *e);
/* The same with years of demo actions (the current year and years-1 before it; 0: none)
 * instead of DEMO_YEAR_DEFAULT_YEARS (demo_year.h). */
int demo_load_years(struct db *db, const char *data_dir, int years, FILE *out, struct err *e);
/* 1 when the demo dataset is present (the UI then says so). */
int demo_present(struct db *db);

#endif
