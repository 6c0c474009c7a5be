/* figures: the year in figures, one SQL aggregate per table of the report (see figures.h). */
#include "figures.h"

#include <stdio.h>
#include <string.h>

#include "action.h"
#include "action_internal.h"

/* The actions that count: the year, not cancelled, and the coordination when one is given
 * (bound as ?, ?, ? : year, coordination id, coordination id). */
#define COUNTED " ac.year = ? AND ac.status <> 'cancelled' AND (? = 0 OR ac.coordination_id = ?)"

#define PARTICIPANTS_SQL                                                                           \
    "(ac.participants_u12 + ac.participants_12_17 + ac.participants_18_25 + ac.participants_o25)"
/* action_reached() in SQL */
#define REACHED_SQL                                                                                \
    "CASE WHEN ac.spectators_include_participants = 1 THEN CASE WHEN " PARTICIPANTS_SQL            \
    " > ac.spectators THEN " PARTICIPANTS_SQL " ELSE ac.spectators END ELSE " PARTICIPANTS_SQL     \
    " + ac.spectators END"

static int prepare_counted(struct db *db, const char *sql, int year, int64_t coord,
                           struct db_stmt **s, struct err *e)
{
    if (db_prepare(db, sql, s, e))
        return -1;
    db_bind_int(*s, 1, year);
    db_bind_int(*s, 2, coord);
    db_bind_int(*s, 3, coord);
    return 0;
}

static int totals(struct db *db, int year, int64_t coord, struct figures *f, struct err *e)
{
    struct db_stmt *s;
    if (prepare_counted(db,
                        "SELECT COUNT(*), COALESCE(SUM(" REACHED_SQL "), 0), "
                        "COALESCE(SUM(" PARTICIPANTS_SQL "), 0), COALESCE(SUM(ac.spectators), 0), "
                        "COALESCE(SUM(ac.films_made), 0), COUNT(DISTINCT ac.coordination_id), "
                        "COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM action_tags t WHERE "
                        "t.action_id = ac.id AND t.kind = 'public' AND t.code = 'qpv') THEN 1 "
                        "ELSE 0 END), 0), COALESCE(SUM(" ACTION_IS_RURAL_SQL "), 0), "
                        "COALESCE(SUM(ac.practice_hours), 0), "
                        "COALESCE(SUM(ac.budget_requested), 0), "
                        "COALESCE(SUM(ac.budget_granted), 0), "
                        "COALESCE(SUM(ac.budget_cofunding), 0) FROM actions ac WHERE" COUNTED,
                        year, coord, &s, e))
        return -1;
    int r = db_step(s, e);
    if (r == DB_ROW) {
        f->actions = db_col_int(s, 0);
        f->reached = db_col_int(s, 1);
        f->participants = db_col_int(s, 2);
        f->spectators = db_col_int(s, 3);
        f->films = db_col_int(s, 4);
        f->coordinations = db_col_int(s, 5);
        f->qpv_actions = db_col_int(s, 6);
        f->rural_actions = db_col_int(s, 7);
        f->hours = db_col_int(s, 8);
        f->budget_requested = db_col_int(s, 9);
        f->budget_granted = db_col_int(s, 10);
        f->budget_cofunding = db_col_int(s, 11);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    struct err le = {0};
    f->communes = db_scalar_int(db, &le, 0,
                                "SELECT COUNT(DISTINCT x.commune_code) FROM action_communes x "
                                "JOIN actions ac ON ac.id = x.action_id WHERE" COUNTED,
                                "iii", (int64_t)year, coord, coord);
    if (le.status) {
        *e = le;
        return -1;
    }
    return 0;
}

static int by_type_and_month(struct db *db, struct arena *a, int year, int64_t coord,
                             struct figures *f, struct err *e)
{
    int nt = 0;
    while (action_types[nt].code)
        nt++;
    f->by_type = arena_alloc(a, sizeof *f->by_type * (size_t)nt);
    f->ntypes = nt;
    for (int i = 0; i < nt; i++) {
        f->by_type[i].code = action_types[i].code;
        f->by_type[i].label = action_types[i].label;
    }
    struct db_stmt *s;
    if (prepare_counted(
            db, "SELECT ac.type, COUNT(*) FROM actions ac WHERE" COUNTED " GROUP BY ac.type", year,
            coord, &s, e))
        return -1;
    int r;
    while ((r = db_step(s, e)) == DB_ROW) {
        const char *code = db_col_text(s, 0);
        for (int i = 0; i < nt; i++)
            if (code && !strcmp(code, f->by_type[i].code))
                f->by_type[i].value = db_col_int(s, 1);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    if (prepare_counted(
            db, "SELECT ac.month, COUNT(*) FROM actions ac WHERE" COUNTED " GROUP BY ac.month",
            year, coord, &s, e))
        return -1;
    while ((r = db_step(s, e)) == DB_ROW) {
        int64_t m = db_col_int(s, 0);
        if (m >= 1 && m <= 12)
            f->by_month[m - 1] = db_col_int(s, 1);
    }
    db_finalize(s);
    return r < 0 ? -1 : 0;
}

/* Rows of a two- or three-column query (code, label, value) into *rows. */
static int collect(struct db_stmt *s, struct arena *a, struct figures_row **rows, int *n,
                   struct err *e)
{
    int cap = 0, r;
    *rows = NULL;
    *n = 0;
    while ((r = db_step(s, e)) == DB_ROW) {
        if (*n == cap) {
            int nc = cap ? cap * 2 : 32;
            struct figures_row *nr = arena_alloc(a, sizeof *nr * (size_t)nc);
            if (*n)
                memcpy(nr, *rows, sizeof *nr * (size_t)*n);
            *rows = nr;
            cap = nc;
        }
        struct figures_row *row = &(*rows)[(*n)++];
        const char *c = db_col_text(s, 0), *l = db_col_text(s, 1);
        row->code = arena_strdup(a, c ? c : "");
        row->label = arena_strdup(a, l ? l : "");
        row->value = db_col_int(s, 2);
    }
    db_finalize(s);
    return r < 0 ? -1 : 0;
}

static int by_place(struct db *db, struct arena *a, int year, int64_t coord, struct figures *f,
                    struct err *e)
{
    struct db_stmt *s;
    if (!coord) {
        if (db_prepare(db,
                       "SELECT co.slug, co.name, (SELECT COUNT(*) FROM actions ac WHERE "
                       "ac.coordination_id = co.id AND ac.year = ? AND ac.status <> "
                       "'cancelled') FROM coordinations co ORDER BY co.kind, co.name, co.id",
                       &s, e))
            return -1;
        db_bind_int(s, 1, year);
        if (collect(s, a, &f->by_coordination, &f->ncoordinations, e))
            return -1;
    }
    if (prepare_counted(db,
                        "SELECT c.departement_code, d.name, COUNT(DISTINCT ac.id) FROM actions ac "
                        "JOIN action_communes x ON x.action_id = ac.id JOIN communes c ON c.code "
                        "= x.commune_code JOIN departements d ON d.code = c.departement_code "
                        "WHERE" COUNTED " GROUP BY c.departement_code, d.name ORDER BY "
                        "c.departement_code",
                        year, coord, &s, e))
        return -1;
    return collect(s, a, &f->by_departement, &f->ndepartements, e);
}

int figures_compute(struct db *db, struct arena *a, int year, int64_t coord, struct figures *out,
                    struct err *e)
{
    memset(out, 0, sizeof *out);
    if (year < ACTION_YEAR_MIN || year > ACTION_YEAR_MAX)
        return err_field(e, 422, "year", "Une année entre %d et %d est attendue.", ACTION_YEAR_MIN,
                         ACTION_YEAR_MAX);
    if (coord) {
        struct err le = {0};
        if (!db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM coordinations WHERE id = ?", "i",
                           coord)) {
            if (le.status) {
                *e = le;
                return -1;
            }
            return err_set(e, 404, "Cette coordination n'existe pas.");
        }
    }
    out->year = year;
    out->coordination_id = coord;
    /* one snapshot: the figures of a report agree with each other even while actions are
     * written */
    if (db_begin_snapshot(db, e))
        return -1;
    int rc = totals(db, year, coord, out, e) || by_type_and_month(db, a, year, coord, out, e) ||
                     by_place(db, a, year, coord, out, e)
                 ? -1
                 : 0;
    db_rollback(db);
    return rc;
}

int figures_percent(int64_t part, int64_t whole)
{
    if (whole <= 0)
        return 0;
    return (int)((part * 200 + whole) / (2 * whole));
}

int figures_change(int64_t now, int64_t before, int *known)
{
    *known = before > 0;
    if (!*known)
        return 0;
    int64_t d = (now - before) * 200;
    d = d >= 0 ? (d + before) / (2 * before) : -((-d + before) / (2 * before));
    return (int)d;
}
