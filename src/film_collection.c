/* film_collection: curated lists of films, and the caption tracks of a film (see film.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caption.h"
#include "core/text.h"
#include "core/valid.h"
#include "film_internal.h"

#define COLLECTION_NOT_FOUND N_("Cette collection n'existe pas.")

int film_collection_can_manage(const struct account *actor, int64_t coordination_id)
{
    if (!actor || actor->disabled || actor->id <= 0)
        return 0;
    if (actor->role == ROLE_ADMIN)
        return 1;
    return actor->role == ROLE_COORDINATOR && coordination_id > 0 &&
           actor->coordination_id == coordination_id;
}

#define COLL_COLS                                                                                  \
    "c.id, c.slug, c.title, c.description, COALESCE(c.coordination_id, 0), "                       \
    "COALESCE(c.created_by, 0), c.created_at, c.updated_at, "                                      \
    "(SELECT COUNT(*) FROM film_collection_items i WHERE i.collection_id = c.id)"

static void read_coll(struct db_stmt *s, struct arena *a, struct film_collection *c)
{
    c->id = db_col_int(s, 0);
    c->slug = arena_strdup(a, db_col_text(s, 1) ? db_col_text(s, 1) : "");
    c->title = arena_strdup(a, db_col_text(s, 2) ? db_col_text(s, 2) : "");
    c->description = arena_strdup(a, db_col_text(s, 3) ? db_col_text(s, 3) : "");
    c->coordination_id = db_col_int(s, 4);
    c->created_by = db_col_int(s, 5);
    c->created_at = db_col_int(s, 6);
    c->updated_at = db_col_int(s, 7);
    c->nfilms = (int)db_col_int(s, 8);
}

static int get_by(struct db *db, struct arena *a, const char *where, int64_t id, const char *slug,
                  struct film_collection *out, struct err *e)
{
    struct db_stmt *s;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " COLL_COLS " FROM film_collections c WHERE %s", where);
    if (db_prepare(db, sql, &s, e))
        return -1;
    if (slug)
        db_bind_text(s, 1, slug);
    else
        db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW)
        read_coll(s, a, out);
    db_finalize(s);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(COLLECTION_NOT_FOUND));
    return 0;
}

int film_collection_get(struct db *db, struct arena *a, int64_t id, struct film_collection *out,
                        struct err *e)
{
    return get_by(db, a, "c.id = ?", id, NULL, out, e);
}

int film_collection_get_by_slug(struct db *db, struct arena *a, const char *slug,
                                struct film_collection *out, struct err *e)
{
    return get_by(db, a, "c.slug = ?", 0, slug ? slug : "", out, e);
}

int film_collection_list(struct db *db, struct arena *a, struct film_collection **out, int *n,
                         struct err *e)
{
    struct db_stmt *s;
    *out = NULL;
    *n = 0;
    if (db_prepare(db,
                   "SELECT " COLL_COLS " FROM film_collections c ORDER BY "
                   "CASE WHEN c.coordination_id IS NULL THEN 0 ELSE 1 END, LOWER(c.title), c.id",
                   &s, e))
        return -1;
    int cap = 16, r;
    struct film_collection *list = arena_alloc(a, sizeof *list * (size_t)cap);
    while ((r = db_step(s, e)) == DB_ROW) {
        if (*n == cap) {
            struct film_collection *more = arena_alloc(a, sizeof *list * (size_t)cap * 2);
            memcpy(more, list, sizeof *list * (size_t)cap);
            list = more;
            cap *= 2;
        }
        read_coll(s, a, &list[(*n)++]);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    *out = list;
    return 0;
}

static int check_text(struct arena *a, const char *title, const char *description, int create,
                      const char **t, const char **d, struct err *e)
{
    *t = title ? text_trim(a, title) : NULL;
    *d = description ? text_trim(a, description) : NULL;
    if ((create || *t) && (!*t || !**t))
        return err_field(e, 422, "title", "Donnez un titre à la collection.");
    if (*t && valid_text(*t, "title", N_("Le titre"), FILM_COLLECTION_TITLE_MAX, 0, e))
        return -1;
    if (*d &&
        valid_text(*d, "description", N_("La description"), FILM_COLLECTION_DESCRIPTION_MAX, 1, e))
        return -1;
    return 0;
}

int film_collection_create(struct db *db, const struct account *actor, int64_t coordination_id,
                           const char *title, const char *description, int64_t *id, struct err *e)
{
    if (!film_collection_can_manage(actor, coordination_id))
        return err_set(e, 403,
                       "Seuls les coordinateurs (pour leur coordination) et l'équipe nationale "
                       "tiennent des collections.");
    struct arena *a = arena_new();
    const char *t, *d;
    int rc = -1;
    if (check_text(a, title, description, 1, &t, &d, e))
        goto done;
    const char *base = text_slug(a, t);
    if (!base || !*base)
        base = "collection";
    const char *slug = base;
    struct err le = {0};
    for (int k = 2; k < 1000; k++) {
        int64_t taken = db_scalar_int(
            db, &le, 0, "SELECT COUNT(*) FROM film_collections WHERE slug = ?", "s", slug);
        if (le.status) {
            *e = le;
            goto done;
        }
        if (!taken)
            break;
        slug = arena_printf(a, "%s-%d", base, k);
    }
    int64_t now = (int64_t)time(NULL);
    *id =
        db_scalar_int(db, &le, 0,
                      "INSERT INTO film_collections (slug, title, description, coordination_id, "
                      "created_by, created_at, updated_at) VALUES (?, ?, ?, NULLIF(?, 0), ?, ?, ?) "
                      "RETURNING id",
                      "sssiiii", slug, t, d ? d : "", coordination_id, actor->id, now, now);
    if (le.status || *id <= 0) {
        *e = le;
        if (!e->status)
            err_set(e, 500, "La collection n'a pas pu être enregistrée.");
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}

static int load_managed(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                        struct film_collection *c, struct err *e)
{
    if (film_collection_get(db, a, id, c, e))
        return -1;
    if (!film_collection_can_manage(actor, c->coordination_id))
        return err_set(e, 403, "Vous ne pouvez pas modifier cette collection.");
    return 0;
}

int film_collection_update(struct db *db, const struct account *actor, int64_t id,
                           const char *title, const char *description, struct err *e)
{
    struct arena *a = arena_new();
    struct film_collection c;
    const char *t, *d;
    int rc = -1;
    if (load_managed(db, a, actor, id, &c, e) || check_text(a, title, description, 0, &t, &d, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE film_collections SET title = ?, description = ?, updated_at = ? "
                 "WHERE id = ?",
                 "ssii", t ? t : c.title, d ? d : c.description, (int64_t)time(NULL), id) != 1)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int film_collection_delete(struct db *db, const struct account *actor, int64_t id, struct err *e)
{
    struct arena *a = arena_new();
    struct film_collection c;
    int rc = -1;
    if (load_managed(db, a, actor, id, &c, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e, "DELETE FROM film_collection_items WHERE collection_id = ?", "i", id) < 0 ||
        db_execf(db, e, "DELETE FROM film_collections WHERE id = ?", "i", id) != 1) {
        db_rollback(db);
        goto done;
    }
    rc = db_commit(db, e);
done:
    arena_free(a);
    return rc;
}

int film_collection_add(struct db *db, const struct account *actor, int64_t collection_id,
                        int64_t film_id, struct err *e)
{
    struct arena *a = arena_new();
    struct film_collection c;
    struct film f;
    int rc = -1;
    if (load_managed(db, a, actor, collection_id, &c, e) || film_get(db, a, film_id, &f, e))
        goto done;
    struct err le = {0};
    int64_t there = db_scalar_int(db, &le, 0,
                                  "SELECT COUNT(*) FROM film_collection_items WHERE "
                                  "collection_id = ? AND film_id = ?",
                                  "ii", collection_id, film_id);
    if (le.status) {
        *e = le;
        goto done;
    }
    if (there) {
        rc = 0;
        goto done;
    }
    if (db_execf(db, e,
                 "INSERT INTO film_collection_items (collection_id, film_id, position) VALUES "
                 "(?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM film_collection_items "
                 "WHERE collection_id = ?))",
                 "iii", collection_id, film_id, collection_id) != 1)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int film_collection_remove(struct db *db, const struct account *actor, int64_t collection_id,
                           int64_t film_id, struct err *e)
{
    struct arena *a = arena_new();
    struct film_collection c;
    int rc = -1;
    if (load_managed(db, a, actor, collection_id, &c, e))
        goto done;
    if (db_execf(db, e, "DELETE FROM film_collection_items WHERE collection_id = ? AND film_id = ?",
                 "ii", collection_id, film_id) < 0)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

/* ---- captions ---- */

static const struct {
    const char *code, *name;
} lang_names[] = {
    {"fr", N_("Français")},  {"en", N_("Anglais")},
    {"es", N_("Espagnol")},  {"de", N_("Allemand")},
    {"it", N_("Italien")},   {"ar", N_("Arabe")},
    {"pt", N_("Portugais")}, {"oc", N_("Occitan")},
    {"br", N_("Breton")},    {"eu", N_("Basque")},
    {"co", N_("Corse")},     {"ca", N_("Catalan")},
    {"tr", N_("Turc")},      {"ro", N_("Roumain")},
    {"zh", N_("Chinois")},   {"fcs", N_("Langue des signes française")},
};

const char *film_caption_label(struct arena *a, const char *lang, int sdh)
{
    const char *name = lang;
    size_t n = strcspn(lang, "-");
    for (size_t i = 0; i < sizeof lang_names / sizeof lang_names[0]; i++)
        if (strlen(lang_names[i].code) == n && strncmp(lang_names[i].code, lang, n) == 0)
            name = err_tr(lang_names[i].name);
    if (sdh)
        return arena_printf(a, "%s (%s)", name, err_tr(N_("SME")));
    return arena_strdup(a, name);
}

int film_caption_put(struct db *db, const struct account *actor, int64_t film_id,
                     const char *data_dir, const char *lang, int sdh, const char *data, size_t len,
                     struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1;
    if (film_load_editable(db, a, actor, film_id, &f, &g, NULL, e))
        goto done;
    if (!film_lang_ok(lang)) {
        err_field(e, 422, "lang", "La langue doit être un code comme « fr », « en » ou « oc ».");
        goto done;
    }
    int exists = 0;
    for (int i = 0; i < f.ncaptions; i++)
        exists |= strcmp(f.captions[i].lang, lang) == 0 && f.captions[i].sdh == (sdh != 0);
    if (!exists && f.ncaptions >= FILM_CAPTIONS_MAX) {
        err_field(e, 422, "captions", "Au plus %d pistes de sous-titres par film.",
                  FILM_CAPTIONS_MAX);
        goto done;
    }
    const char *vtt;
    size_t vlen;
    if (caption_to_webvtt(a, data, len, &vtt, &vlen, e))
        goto done;
    const char *dir = arena_printf(a, "%s/captions", film_dir(a, data_dir, f.storage_key));
    if (film_mkdir_p(dir)) {
        err_set(e, 500, "Le dossier des sous-titres n'a pas pu être créé.");
        goto done;
    }
    const char *path = arena_printf(a, "%s/%s%s.vtt", dir, lang, sdh ? "-sdh" : "");
    const char *tmp = arena_printf(a, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp || fwrite(vtt, 1, vlen, fp) != vlen || fflush(fp) || fsync(fileno(fp))) {
        if (fp)
            fclose(fp);
        unlink(tmp);
        err_set(e, 500, "Les sous-titres n'ont pas pu être enregistrés.");
        goto done;
    }
    fclose(fp);
    if (rename(tmp, path)) {
        unlink(tmp);
        err_set(e, 500, "Les sous-titres n'ont pas pu être enregistrés.");
        goto done;
    }
    if (!exists && db_execf(db, e,
                            "INSERT INTO film_captions (film_id, lang, sdh, created_at) VALUES "
                            "(?, ?, ?, ?)",
                            "isii", film_id, lang, (int64_t)(sdh != 0), (int64_t)time(NULL)) != 1)
        goto done;
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int film_caption_delete(struct db *db, const struct account *actor, int64_t film_id,
                        const char *data_dir, const char *lang, int sdh, struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1;
    if (film_load_editable(db, a, actor, film_id, &f, &g, NULL, e))
        goto done;
    if (!film_lang_ok(lang)) {
        err_set(e, 404, "Cette piste de sous-titres n'existe pas.");
        goto done;
    }
    int64_t n =
        db_execf(db, e, "DELETE FROM film_captions WHERE film_id = ? AND lang = ? AND sdh = ?",
                 "isi", film_id, lang, (int64_t)(sdh != 0));
    if (n < 0)
        goto done;
    if (n == 0) {
        err_set(e, 404, "Cette piste de sous-titres n'existe pas.");
        goto done;
    }
    unlink(arena_printf(a, "%s/captions/%s%s.vtt", film_dir(a, data_dir, f.storage_key), lang,
                        sdh ? "-sdh" : ""));
    rc = 0;
done:
    arena_free(a);
    return rc;
}
