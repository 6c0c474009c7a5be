/* film_list: the library listing with its filters, sorting and pagination (see film.h). */
#include "film.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "consent.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"
#include "film_internal.h"
#include "job.h"
#include "logbook.h"
#include "tus.h"

/* ---- listing ---- */

static const struct visibility_cols film_vis_cols = {
    .id = "g.id",
    .structure_id = "g.structure_id",
    .coordination_id = "cd.coordination_id",
    .is_protected = "g.protected",
    .visibility = "g.visibility",
};

static const char *like_contains(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(a, 2 * n + 3), *w = p;
    *w++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            *w++ = '\\';
        *w++ = s[i];
    }
    *w++ = '%';
    *w = 0;
    return p;
}

int film_list(struct db *db, struct arena *a, const struct film_filter *f, struct film **out,
              int *n, int64_t *total, struct err *e)
{
    static const struct film_filter none = {0};
    *out = NULL;
    *n = 0;
    *total = 0;
    if (!f)
        f = &none;
    if (f->genre && *f->genre && !film_choice_label(film_genres, f->genre))
        return err_field(e, 400, "genre", "Genre inconnu.");
    if (f->theme && *f->theme && !film_choice_label(film_themes, f->theme))
        return err_field(e, 400, "theme", "Thème inconnu.");
    int page = f->page < 1 ? 1 : f->page;
    int per_page = f->per_page <= 0 ? FILM_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > FILM_PER_PAGE_MAX)
        per_page = FILM_PER_PAGE_MAX;
    if (page > 100000)
        return 0;
    const struct account *viewer = film_signed_in(f->viewer) ? f->viewer : NULL;
    const char *pattern = NULL;
    if (f->q && *f->q) {
        const char *norm = text_norm(a, f->q);
        if (!*norm || strlen(f->q) > 400)
            return 0;
        pattern = like_contains(a, norm);
    }
    const char *order = " ORDER BY f.created_at DESC, f.id DESC";
    if (f->sort && strcmp(f->sort, "old") == 0)
        order = " ORDER BY f.created_at, f.id";
    else if (f->sort && strcmp(f->sort, "title") == 0)
        order = " ORDER BY LOWER(f.title), f.id";
    else if (f->sort && strcmp(f->sort, "year") == 0)
        order = " ORDER BY f.year DESC, f.created_at DESC, f.id DESC";

    struct buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT f.id, f.group_id, f.status, f.visibility" FILM_FROM " WHERE 1 = 1");
    if (!f->include_unready)
        buf_puts(&sql, " AND f.status = 'ready'");
    if (f->public_only || (!viewer && !f->unrestricted))
        buf_puts(&sql, " AND f.visibility = 'public'");
    if (f->coordination_id > 0)
        buf_puts(&sql, " AND cd.coordination_id = ?");
    if (f->group_id > 0)
        buf_puts(&sql, " AND f.group_id = ?");
    if (f->collection_id > 0)
        buf_puts(&sql, " AND f.id IN (SELECT film_id FROM film_collection_items WHERE "
                       "collection_id = ?)");
    if (f->year)
        buf_puts(&sql, " AND f.year = ?");
    if (f->genre && *f->genre)
        buf_puts(&sql, " AND f.genre = ?");
    if (f->theme && *f->theme)
        buf_puts(&sql, " AND f.id IN (SELECT film_id FROM film_themes WHERE theme = ?)");
    if (pattern)
        buf_puts(&sql, " AND f.search_norm LIKE ? ESCAPE '\\'");
    if (!f->unrestricted)
        visibility_groups_where(&sql, viewer, &film_vis_cols);
    if (f->collection_id > 0 && (!f->sort || !*f->sort))
        buf_puts(&sql, " ORDER BY (SELECT position FROM film_collection_items WHERE "
                       "collection_id = ? AND film_id = f.id), f.id");
    else
        buf_puts(&sql, order);
    struct db_stmt *st = NULL;
    int rc = -1;
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    int i = 1;
    if (f->coordination_id > 0)
        db_bind_int(st, i++, f->coordination_id);
    if (f->group_id > 0)
        db_bind_int(st, i++, f->group_id);
    if (f->collection_id > 0)
        db_bind_int(st, i++, f->collection_id);
    if (f->year)
        db_bind_int(st, i++, f->year);
    if (f->genre && *f->genre)
        db_bind_text(st, i++, f->genre);
    if (f->theme && *f->theme)
        db_bind_text(st, i++, f->theme);
    if (pattern)
        db_bind_text(st, i++, pattern);
    if (!f->unrestricted)
        i = visibility_groups_bind(st, i, viewer);
    if (f->collection_id > 0 && (!f->sort || !*f->sort))
        db_bind_int(st, i++, f->collection_id);
    /* candidates, in order: id, group, status, visibility */
    struct cand {
        int64_t id, group_id;
        int ready;
        enum vis_level vis;
    };
    int cap = 64, nc = 0, r;
    struct cand *cs = xmalloc(sizeof *cs * (size_t)cap);
    while ((r = db_step(st, e)) == DB_ROW) {
        if (nc == cap) {
            cap *= 2;
            cs = xrealloc(cs, sizeof *cs * (size_t)cap);
        }
        struct cand *c = &cs[nc++];
        c->id = db_col_int(st, 0);
        c->group_id = db_col_int(st, 1);
        c->ready = db_col_text(st, 2) && strcmp(db_col_text(st, 2), "ready") == 0;
        c->vis = VIS_GROUP;
        visibility_level_parse(db_col_text(st, 3), &c->vis);
    }
    db_finalize(st);
    st = NULL;
    if (r < 0) {
        free(cs);
        goto done;
    }
    /* the consents, film by film (only the people tagged are read): a page is exact because
     * every candidate is checked; the page's films are then read in full */
    struct film *list = arena_alloc(a, sizeof *list * (size_t)per_page);
    int64_t skip = (int64_t)(page - 1) * per_page, seen = 0;
    struct arena *ga = NULL;
    struct group g = {0};
    int64_t gid = 0;
    int failed = 0;
    for (int k = 0; k < nc && !failed; k++) {
        const struct cand *c = &cs[k];
        if (!f->unrestricted) {
            if (c->group_id != gid) {
                arena_free(ga);
                ga = arena_new();
                if (group_get(db, ga, c->group_id, &g, e)) {
                    failed = 1;
                    break;
                }
                gid = c->group_id;
            }
            struct arena *ta = arena_new();
            struct film light = {.id = c->id,
                                 .group_id = c->group_id,
                                 .status = c->ready ? "ready" : "draft",
                                 .visibility = c->vis};
            int ok = film_tagged(db, ta, c->id, &light.tagged, &light.ntagged, e) == 0;
            int visible = ok && film_can_see(db, viewer, &g, &light);
            arena_free(ta);
            if (!ok) {
                failed = 1;
                break;
            }
            if (!visible)
                continue;
        }
        if (seen >= skip && *n < per_page) {
            if (film_get(db, a, c->id, &list[*n], e)) {
                failed = 1;
                break;
            }
            (*n)++;
        }
        seen++;
    }
    arena_free(ga);
    free(cs);
    if (failed)
        goto done;
    *total = seen;
    *out = list;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}
