/* film: the film record, reading and writing it, and who may see a film (see film.h). The
 * library listing is in film_list.c, the files on disk and the upload target in
 * film_files.c, collections and captions in film_collection.c, the pipeline in film_job.c. */
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

const struct film_choice film_genres[] = {
    {"fiction", N_("Fiction")},
    {"documentary", N_("Documentaire")},
    {"docu-fiction", N_("Docu-fiction")},
    {"animation", N_("Animation")},
    {"clip", N_("Clip")},
    {"experimental", N_("Expérimental")},
    {"commissioned", N_("Film de commande")},
    {"other", N_("Autre")},
    {NULL, NULL},
};

const struct film_choice film_themes[] = {
    {"youth", N_("Jeunesse")},
    {"education", N_("Éducation")},
    {"citizenship", N_("Citoyenneté")},
    {"interculturality", N_("Interculturalité")},
    {"environment", N_("Environnement")},
    {"insertion", N_("Insertion")},
    {"heritage", N_("Patrimoine")},
    {"territory", N_("Territoire")},
    {"memory", N_("Mémoire")},
    {"equality", N_("Égalité filles-garçons")},
    {"discrimination", N_("Discriminations")},
    {"sport", N_("Sport")},
    {"music", N_("Musique")},
    {"family", N_("Famille")},
    {"digital", N_("Numérique et écrans")},
    {NULL, NULL},
};

const struct film_choice film_licences[] = {
    {"all-rights-reserved", N_("Tous droits réservés")},
    {"cc-by", N_("Creative Commons Attribution (CC BY)")},
    {"cc-by-sa", N_("Creative Commons Attribution, partage dans les mêmes conditions (CC BY-SA)")},
    {"cc-by-nd", N_("Creative Commons Attribution, pas de modification (CC BY-ND)")},
    {"cc-by-nc", N_("Creative Commons Attribution, pas d'utilisation commerciale (CC BY-NC)")},
    {"cc-by-nc-sa",
     N_("Creative Commons Attribution, pas d'utilisation commerciale, partage dans les mêmes "
        "conditions (CC BY-NC-SA)")},
    {"cc-by-nc-nd",
     N_("Creative Commons Attribution, pas d'utilisation commerciale, pas de modification "
        "(CC BY-NC-ND)")},
    {NULL, NULL},
};

const struct film_choice film_statuses[] = {
    {"draft", N_("Brouillon (pas encore de fichier)")}, {"uploading", N_("Envoi en cours")},
    {"processing", N_("Préparation en cours")},         {"ready", N_("Prêt")},
    {"failed", N_("Échec de la préparation")},          {NULL, NULL},
};

const char *film_choice_label(const struct film_choice *list, const char *code)
{
    if (!code)
        return NULL;
    for (; list->code; list++)
        if (strcmp(list->code, code) == 0)
            return list->label;
    return NULL;
}

static const char *g_data_dir = "var";

void film_set_data_dir(const char *data_dir)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", data_dir && *data_dir ? data_dir : "var");
    g_data_dir = dir;
}

const char *film_data_dir(void)
{
    return g_data_dir;
}

#define FILM_NOT_FOUND N_("Ce film n'existe pas.")

/* ---- reading ---- */

#define FILM_COLS                                                                                  \
    "f.id, f.group_id, COALESCE(f.entry_id, 0), COALESCE(f.uploader_user_id, 0), f.title, "        \
    "f.synopsis, f.year, f.duration_ms, f.width, f.height, f.genre, f.language, f.licence, "       \
    "f.download_allowed, f.visibility, f.status, f.progress, f.eta_seconds, f.error, "             \
    "f.error_detail, f.poster, f.storage_key, f.renditions, f.loudnorm, f.created_at, "            \
    "f.updated_at, COALESCE(f.processed_at, 0), g.title, g.slug, cd.coordination_id, "             \
    "f.has_original"

static const char *col_str(struct db_stmt *s, struct arena *a, int i)
{
    const char *v = db_col_text(s, i);
    return arena_strdup(a, v ? v : "");
}

static void read_film(struct db_stmt *s, struct arena *a, struct film *f, int *has_original)
{
    memset(f, 0, sizeof *f);
    f->id = db_col_int(s, 0);
    f->group_id = db_col_int(s, 1);
    f->entry_id = db_col_int(s, 2);
    f->uploader_user_id = db_col_int(s, 3);
    f->title = col_str(s, a, 4);
    f->synopsis = col_str(s, a, 5);
    f->year = (int)db_col_int(s, 6);
    f->duration = (double)db_col_int(s, 7) / 1000.0;
    f->width = (int)db_col_int(s, 8);
    f->height = (int)db_col_int(s, 9);
    f->genre = col_str(s, a, 10);
    f->language = col_str(s, a, 11);
    f->licence = col_str(s, a, 12);
    f->download_allowed = (int)db_col_int(s, 13);
    enum vis_level v = VIS_GROUP;
    visibility_level_parse(db_col_text(s, 14), &v);
    f->visibility = v;
    f->status = col_str(s, a, 15);
    f->progress = (int)db_col_int(s, 16);
    f->eta_seconds = (int)db_col_int(s, 17);
    f->error = col_str(s, a, 18);
    f->error_detail = col_str(s, a, 19);
    f->poster = (int)db_col_int(s, 20);
    f->storage_key = col_str(s, a, 21);
    f->renditions = col_str(s, a, 22);
    f->loudnorm = (int)db_col_int(s, 23);
    f->created_at = db_col_int(s, 24);
    f->updated_at = db_col_int(s, 25);
    f->processed_at = db_col_int(s, 26);
    f->group_title = col_str(s, a, 27);
    f->group_slug = col_str(s, a, 28);
    f->coordination_id = db_col_is_null(s, 29) ? 0 : db_col_int(s, 29);
    if (has_original)
        *has_original = (int)db_col_int(s, 30);
}

/* Ids (column 0) of a one-parameter query, ascending as the query orders them, in a. */
static int read_ids(struct db *db, struct arena *a, const char *sql, int64_t id, int64_t **out,
                    int *n, struct err *e)
{
    struct db_stmt *s;
    *out = NULL;
    *n = 0;
    if (db_prepare(db, sql, &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int cap = 8, r;
    int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)cap);
    while ((r = db_step(s, e)) == DB_ROW) {
        if (*n == cap) {
            int64_t *more = arena_alloc(a, sizeof *ids * (size_t)cap * 2);
            memcpy(more, ids, sizeof *ids * (size_t)cap);
            ids = more;
            cap *= 2;
        }
        ids[(*n)++] = db_col_int(s, 0);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    *out = ids;
    return 0;
}

int film_tagged(struct db *db, struct arena *a, int64_t film_id, int64_t **ids, int *n,
                struct err *e)
{
    struct db_stmt *s;
    *ids = NULL;
    *n = 0;
    if (db_prepare(db,
                   "SELECT participant_id FROM film_credits WHERE film_id = ? AND participant_id "
                   "IS NOT NULL UNION SELECT participant_id FROM film_appearing WHERE film_id = ? "
                   "ORDER BY 1",
                   &s, e))
        return -1;
    db_bind_int(s, 1, film_id);
    db_bind_int(s, 2, film_id);
    int64_t *out = arena_alloc(a, sizeof *out * (FILM_CREDITS_MAX + FILM_APPEARING_MAX + 16));
    int r;
    while ((r = db_step(s, e)) == DB_ROW && *n < FILM_CREDITS_MAX + FILM_APPEARING_MAX + 16)
        out[(*n)++] = db_col_int(s, 0);
    db_finalize(s);
    if (r < 0)
        return -1;
    *ids = out;
    return 0;
}

static int load_attached(struct db *db, struct arena *a, struct film *f, struct err *e)
{
    struct db_stmt *s;
    int r;
    /* themes */
    if (db_prepare(db, "SELECT theme FROM film_themes WHERE film_id = ? ORDER BY theme", &s, e))
        return -1;
    db_bind_int(s, 1, f->id);
    f->themes = arena_alloc(a, sizeof *f->themes * (FILM_THEMES_MAX + 16));
    while ((r = db_step(s, e)) == DB_ROW && f->nthemes < FILM_THEMES_MAX + 16)
        f->themes[f->nthemes++] = col_str(s, a, 0);
    db_finalize(s);
    if (r < 0)
        return -1;
    /* tags */
    if (db_prepare(db, "SELECT tag FROM film_tags WHERE film_id = ? ORDER BY tag", &s, e))
        return -1;
    db_bind_int(s, 1, f->id);
    f->tags = arena_alloc(a, sizeof *f->tags * (FILM_TAGS_MAX + 16));
    while ((r = db_step(s, e)) == DB_ROW && f->ntags < FILM_TAGS_MAX + 16)
        f->tags[f->ntags++] = col_str(s, a, 0);
    db_finalize(s);
    if (r < 0)
        return -1;
    /* credits */
    if (db_prepare(db,
                   "SELECT fc.role, COALESCE(fc.participant_id, 0), "
                   "COALESCE(p.display_name, fc.name) FROM film_credits fc LEFT JOIN "
                   "participants p ON p.id = fc.participant_id WHERE fc.film_id = ? "
                   "ORDER BY fc.position",
                   &s, e))
        return -1;
    db_bind_int(s, 1, f->id);
    f->credits = arena_alloc(a, sizeof *f->credits * (FILM_CREDITS_MAX + 16));
    while ((r = db_step(s, e)) == DB_ROW && f->ncredits < FILM_CREDITS_MAX + 16) {
        struct film_credit *c = &f->credits[f->ncredits++];
        c->role = col_str(s, a, 0);
        c->participant_id = db_col_int(s, 1);
        c->name = col_str(s, a, 2);
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    if (read_ids(db, a, "SELECT participant_id FROM film_appearing WHERE film_id = ? ORDER BY 1",
                 f->id, &f->appearing, &f->nappearing, e))
        return -1;
    if (film_tagged(db, a, f->id, &f->tagged, &f->ntagged, e))
        return -1;
    /* captions */
    if (db_prepare(db, "SELECT lang, sdh FROM film_captions WHERE film_id = ? ORDER BY lang, sdh",
                   &s, e))
        return -1;
    db_bind_int(s, 1, f->id);
    f->captions = arena_alloc(a, sizeof *f->captions * (FILM_CAPTIONS_MAX + 4));
    while ((r = db_step(s, e)) == DB_ROW && f->ncaptions < FILM_CAPTIONS_MAX + 4) {
        struct film_caption *c = &f->captions[f->ncaptions++];
        c->lang = col_str(s, a, 0);
        c->sdh = (int)db_col_int(s, 1);
        c->label = film_caption_label(a, c->lang, c->sdh);
        c->file = arena_printf(a, "captions/%s%s.vtt", c->lang, c->sdh ? "-sdh" : "");
    }
    db_finalize(s);
    if (r < 0)
        return -1;
    return read_ids(db, a,
                    "SELECT collection_id FROM film_collection_items WHERE film_id = ? ORDER BY 1",
                    f->id, &f->collections, &f->ncollections, e);
}

/* A film shown as processing whose job is no longer queued or running: its worker died
 * as often as the job may be claimed (or the job was removed). Shown as failed, so it can be
 * retried or replaced. 1 interrupted (f changed), 0 not, -1 error. */
static int interrupted(struct db *db, int64_t id, struct film *f, struct err *e)
{
    char payload[64];
    snprintf(payload, sizeof payload, FILM_JOB_PAYLOAD, (long long)id);
    struct err le = {0};
    int64_t live = db_scalar_int(db, &le, 0,
                                 "SELECT COUNT(*) FROM jobs WHERE kind = 'film_process' AND "
                                 "payload = ? AND state IN ('queued', 'running')",
                                 "s", payload);
    if (le.status) {
        *e = le;
        return -1;
    }
    if (live > 0)
        return 0;
    f->status = "failed";
    f->progress = 0;
    f->error = err_tr(N_("La préparation a été interrompue (le serveur s'est arrêté pendant le "
                         "travail) : relancez-la."));
    return 1;
}

int film_get_ex(struct db *db, struct arena *a, int64_t id, struct film *out, int *has_original,
                struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT " FILM_COLS FILM_FROM " WHERE f.id = ?", &s, e))
        return -1;
    db_bind_int(s, 1, id);
    int r = db_step(s, e);
    if (r == DB_ROW)
        read_film(s, a, out, has_original);
    db_finalize(s);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "%s", err_tr(FILM_NOT_FOUND));
    if (!strcmp(out->status, "processing") && interrupted(db, id, out, e) < 0)
        return -1;
    return load_attached(db, a, out, e);
}

int film_get(struct db *db, struct arena *a, int64_t id, struct film *out, struct err *e)
{
    return film_get_ex(db, a, id, out, NULL, e);
}

/* ---- rights ---- */

int film_can_edit(struct db *db, const struct account *actor, const struct group *g)
{
    if (!film_signed_in(actor))
        return 0;
    return group_can_manage(db, actor, g) || logbook_can_write(db, actor, g);
}

int film_can_see(struct db *db, const struct account *viewer, const struct group *g,
                 const struct film *f)
{
    if (f->group_id != g->id)
        return 0;
    const struct account *v = film_signed_in(viewer) ? viewer : NULL;
    if (strcmp(f->status, "ready") != 0)
        return v && film_can_edit(db, v, g);
    return visibility_can_see_item(db, v, g, f->visibility, f->tagged, f->ntagged, consent_today());
}

/* ---- writing ---- */

struct checked {
    const char *title, *synopsis, *genre, *language, *licence, *search;
    int year, download, loudnorm, poster;
    enum vis_level vis;
    int64_t entry_id;
    const char **themes, **tags;
    int nthemes, ntags;
    struct film_credit *credits;
    int ncredits;
    const int64_t *appearing;
    int nappearing;
    int set_themes, set_tags, set_credits, set_appearing;
};

static int lang_ok(const char *s)
{
    /* BCP 47, kept simple: 2-3 letters, then -subtags of 2-8 letters or digits */
    size_t n = strlen(s);
    if (n < 2 || n > FILM_LANGUAGE_MAX)
        return 0;
    size_t i = 0;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (i < n) {
        if (s[i] != '-')
            return 0;
        size_t j = ++i;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i - j < 2 || i - j > 8)
            return 0;
    }
    return 1;
}

int film_lang_ok(const char *s)
{
    return s && lang_ok(s);
}

/* 1 if pid is a participant of group gid, 0 not, -1 error */
static int participant_of(struct db *db, int64_t pid, int64_t gid, struct err *e)
{
    struct err le = {0};
    int64_t n =
        db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM participants WHERE id = ? AND group_id = ?",
                      "ii", pid, gid);
    if (le.status) {
        *e = le;
        return -1;
    }
    return n > 0;
}

static int check_input(struct db *db, struct arena *a, const struct group *g,
                       const struct film_input *in, const struct film *cur, int cur_has_file,
                       struct checked *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    const char *t = in->title ? text_trim(a, in->title) : NULL;
    if (t) {
        if (!*t)
            return err_field(e, 422, "title", "Donnez un titre au film.");
        if (valid_text(t, "title", N_("Le titre"), FILM_TITLE_MAX, 0, e))
            return -1;
        v->title = t;
    } else if (cur) {
        v->title = cur->title;
    } else {
        return err_field(e, 422, "title", "Donnez un titre au film.");
    }
    if (in->synopsis) {
        v->synopsis = text_trim(a, in->synopsis);
        if (valid_text(v->synopsis, "synopsis", N_("Le synopsis"), FILM_SYNOPSIS_MAX, 1, e))
            return -1;
    } else {
        v->synopsis = cur ? cur->synopsis : "";
    }
    if (in->year > 0) {
        if (in->year < FILM_YEAR_MIN || in->year > FILM_YEAR_MAX)
            return err_field(e, 422, "year", "L'année doit être comprise entre %d et %d.",
                             FILM_YEAR_MIN, FILM_YEAR_MAX);
        v->year = in->year;
    } else if (in->year < 0 && !cur) {
        return err_field(e, 422, "year", "L'année doit être comprise entre %d et %d.",
                         FILM_YEAR_MIN, FILM_YEAR_MAX);
    } else {
        v->year = cur ? cur->year : g->year;
    }
    if (in->genre && *in->genre) {
        if (!film_choice_label(film_genres, in->genre))
            return err_field(e, 422, "genre", "Choisissez un genre de la liste.");
        v->genre = in->genre;
    } else {
        v->genre = cur ? cur->genre : "other";
    }
    if (in->language && *in->language) {
        if (!lang_ok(in->language))
            return err_field(e, 422, "language",
                             "La langue doit être un code comme « fr », « en » ou « oc ».");
        v->language = in->language;
    } else {
        v->language = cur ? cur->language : "fr";
    }
    if (in->licence && *in->licence) {
        if (!film_choice_label(film_licences, in->licence))
            return err_field(e, 422, "licence", "Choisissez une licence de la liste.");
        v->licence = in->licence;
    } else {
        v->licence = cur ? cur->licence : "all-rights-reserved";
    }
    v->download =
        in->download_allowed ? (*in->download_allowed != 0) : (cur ? cur->download_allowed : 0);
    v->loudnorm = in->loudnorm ? (*in->loudnorm != 0) : (cur ? cur->loudnorm : 0);
    if (in->visibility && *in->visibility) {
        if (visibility_level_parse(in->visibility, &v->vis) || v->vis == VIS_NONE)
            return err_field(e, 422, "visibility",
                             "Choisissez une visibilité : groupe, réseau ou public.");
    } else {
        v->vis = cur ? cur->visibility : VIS_GROUP;
    }
    if (visibility_check_level(g->is_protected, v->vis, e))
        return -1;
    /* -1 keeps, 0 none, else an entry of the group */
    v->entry_id = in->entry_id < 0 ? (cur ? cur->entry_id : 0) : in->entry_id;
    if (v->entry_id > 0) {
        struct err le = {0};
        int64_t n = db_scalar_int(db, &le, 0,
                                  "SELECT COUNT(*) FROM entries WHERE id = ? AND group_id = ? "
                                  "AND deleted_at IS NULL",
                                  "ii", v->entry_id, g->id);
        if (le.status) {
            *e = le;
            return -1;
        }
        if (!n)
            return err_field(e, 422, "entry", "Cette entrée n'est pas dans le carnet du groupe.");
    }
    v->poster = cur ? cur->poster : 0;
    if (in->poster > 0) {
        if (in->poster > FILM_POSTERS)
            return err_field(e, 422, "poster", "Choisissez une des %d affiches proposées.",
                             FILM_POSTERS);
        if (!cur || strcmp(cur->status, "ready") != 0)
            return err_field(e, 422, "poster",
                             "Les affiches seront proposées quand le film sera prêt.");
        v->poster = in->poster;
    }
    (void)cur_has_file;
    /* themes */
    if (in->themes) {
        v->set_themes = 1;
        if (in->nthemes > FILM_THEMES_MAX)
            return err_field(e, 422, "themes", "Choisissez au plus %d thèmes.", FILM_THEMES_MAX);
        v->themes = arena_alloc(a, sizeof *v->themes * (size_t)(in->nthemes + 1));
        for (int i = 0; i < in->nthemes; i++) {
            if (!film_choice_label(film_themes, in->themes[i]))
                return err_field(e, 422, "themes", "Choisissez les thèmes dans la liste.");
            int dup = 0;
            for (int k = 0; k < v->nthemes; k++)
                dup |= strcmp(v->themes[k], in->themes[i]) == 0;
            if (!dup)
                v->themes[v->nthemes++] = in->themes[i];
        }
    }
    if (in->tags) {
        v->set_tags = 1;
        v->tags = arena_alloc(a, sizeof *v->tags * (size_t)(in->ntags + 1));
        for (int i = 0; i < in->ntags; i++) {
            const char *tg = in->tags[i] ? text_trim(a, in->tags[i]) : "";
            if (!*tg)
                continue;
            if (valid_text(tg, "tags", N_("Un mot-clé"), FILM_TAG_MAX, 0, e))
                return -1;
            tg = text_norm(a, tg);
            if (!*tg)
                continue;
            int dup = 0;
            for (int k = 0; k < v->ntags; k++)
                dup |= strcmp(v->tags[k], tg) == 0;
            if (dup)
                continue;
            if (v->ntags == FILM_TAGS_MAX)
                return err_field(e, 422, "tags", "Au plus %d mots-clés.", FILM_TAGS_MAX);
            v->tags[v->ntags++] = tg;
        }
    }
    if (in->credits) {
        v->set_credits = 1;
        if (in->ncredits > FILM_CREDITS_MAX)
            return err_field(e, 422, "credits", "Au plus %d lignes de générique.",
                             FILM_CREDITS_MAX);
        v->credits = arena_alloc(a, sizeof *v->credits * (size_t)(in->ncredits + 1));
        for (int i = 0; i < in->ncredits; i++) {
            const struct film_credit *c = &in->credits[i];
            const char *role = c->role ? text_trim(a, c->role) : "";
            const char *name = c->name ? text_trim(a, c->name) : "";
            if (!*role && !*name && c->participant_id <= 0)
                continue; /* an empty line of the form */
            if (!*role)
                return err_field(e, 422, "credits", "Ligne %d du générique : indiquez le rôle.",
                                 i + 1);
            if (valid_text(role, "credits", N_("Le rôle"), FILM_ROLE_MAX, 0, e))
                return -1;
            struct film_credit *o = &v->credits[v->ncredits++];
            o->role = role;
            if (c->participant_id > 0) {
                int ok = participant_of(db, c->participant_id, g->id, e);
                if (ok < 0)
                    return -1;
                if (!ok)
                    return err_field(e, 422, "credits",
                                     "Ligne %d du générique : cette personne n'est pas un "
                                     "participant du groupe.",
                                     i + 1);
                o->participant_id = c->participant_id;
                o->name = "";
            } else {
                if (!*name)
                    return err_field(e, 422, "credits",
                                     "Ligne %d du générique : choisissez un participant ou "
                                     "écrivez le nom d'un intervenant.",
                                     i + 1);
                if (valid_text(name, "credits", N_("Le nom"), FILM_NAME_MAX, 0, e))
                    return -1;
                o->name = name;
            }
        }
    }
    if (in->appearing) {
        v->set_appearing = 1;
        if (in->nappearing > FILM_APPEARING_MAX)
            return err_field(e, 422, "appearing", "Au plus %d personnes apparaissant.",
                             FILM_APPEARING_MAX);
        int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)(in->nappearing + 1));
        int m = 0;
        for (int i = 0; i < in->nappearing; i++) {
            int ok = participant_of(db, in->appearing[i], g->id, e);
            if (ok < 0)
                return -1;
            if (!ok)
                return err_field(e, 422, "appearing",
                                 "Une des personnes choisies n'est pas un participant du groupe.");
            int dup = 0;
            for (int k = 0; k < m; k++)
                dup |= ids[k] == in->appearing[i];
            if (!dup)
                ids[m++] = in->appearing[i];
        }
        v->appearing = ids;
        v->nappearing = m;
    }
    /* the search text: title, synopsis, tags */
    struct buf sb;
    buf_init(&sb, 0);
    buf_printf(&sb, "%s %s", v->title, v->synopsis);
    if (v->set_tags)
        for (int i = 0; i < v->ntags; i++)
            buf_printf(&sb, " %s", v->tags[i]);
    else if (cur)
        for (int i = 0; i < cur->ntags; i++)
            buf_printf(&sb, " %s", cur->tags[i]);
    v->search = text_norm(a, buf_cstr(&sb));
    buf_free(&sb);
    return 0;
}

static int write_lists(struct db *db, int64_t id, const struct checked *v, struct err *e)
{
    if (v->set_themes) {
        if (db_execf(db, e, "DELETE FROM film_themes WHERE film_id = ?", "i", id) < 0)
            return -1;
        for (int i = 0; i < v->nthemes; i++)
            if (db_execf(db, e, "INSERT INTO film_themes (film_id, theme) VALUES (?, ?)", "is", id,
                         v->themes[i]) != 1)
                return -1;
    }
    if (v->set_tags) {
        if (db_execf(db, e, "DELETE FROM film_tags WHERE film_id = ?", "i", id) < 0)
            return -1;
        for (int i = 0; i < v->ntags; i++)
            if (db_execf(db, e, "INSERT INTO film_tags (film_id, tag) VALUES (?, ?)", "is", id,
                         v->tags[i]) != 1)
                return -1;
    }
    if (v->set_credits) {
        if (db_execf(db, e, "DELETE FROM film_credits WHERE film_id = ?", "i", id) < 0)
            return -1;
        for (int i = 0; i < v->ncredits; i++) {
            const struct film_credit *c = &v->credits[i];
            int64_t r = c->participant_id > 0
                            ? db_execf(db, e,
                                       "INSERT INTO film_credits (film_id, position, role, "
                                       "participant_id, name) VALUES (?, ?, ?, ?, '')",
                                       "iisi", id, (int64_t)i, c->role, c->participant_id)
                            : db_execf(db, e,
                                       "INSERT INTO film_credits (film_id, position, role, name) "
                                       "VALUES (?, ?, ?, ?)",
                                       "iiss", id, (int64_t)i, c->role, c->name);
            if (r != 1)
                return -1;
        }
    }
    if (v->set_appearing) {
        if (db_execf(db, e, "DELETE FROM film_appearing WHERE film_id = ?", "i", id) < 0)
            return -1;
        for (int i = 0; i < v->nappearing; i++)
            if (db_execf(db, e,
                         "INSERT INTO film_appearing (film_id, participant_id) VALUES (?, ?)", "ii",
                         id, v->appearing[i]) != 1)
                return -1;
    }
    return 0;
}

/* The ids tagged, as text for the audit log: "3 5 8". */
static const char *ids_text(struct arena *a, const int64_t *ids, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? " " : "", (long long)ids[i]);
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

int film_create(struct db *db, const struct account *actor, int64_t group_id,
                const struct film_input *in, int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    struct group g;
    struct checked v;
    int rc = -1;
    if (group_get(db, a, group_id, &g, e))
        goto done;
    if (!film_can_edit(db, actor, &g)) {
        err_set(e, 403, "Seuls les membres du groupe peuvent y ajouter un film.");
        goto done;
    }
    if (check_input(db, a, &g, in, NULL, 0, &v, e))
        goto done;
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    char key[33];
    sodium_bin2hex(key, sizeof key, rnd, sizeof rnd);
    int64_t now = (int64_t)time(NULL);
    if (db_begin(db, e))
        goto done;
    struct err ie = {0};
    *id = db_scalar_int(
        db, &ie, 0,
        "INSERT INTO films (group_id, entry_id, uploader_user_id, title, synopsis, year, genre, "
        "language, licence, download_allowed, visibility, loudnorm, storage_key, search_norm, "
        "created_at, updated_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?) "
        "RETURNING id",
        "iiississsisissii", g.id, v.entry_id, actor->id, v.title, v.synopsis, (int64_t)v.year,
        v.genre, v.language, v.licence, (int64_t)v.download, visibility_level_name(v.vis),
        (int64_t)v.loudnorm, key, v.search, now, now);
    if (ie.status || *id <= 0) {
        *e = ie;
        if (!e->status)
            err_set(e, 500, "Le film n'a pas pu être enregistré.");
        db_rollback(db);
        goto done;
    }
    if (write_lists(db, *id, &v, e))
        goto fail;
    if (v.set_credits || v.set_appearing) {
        int64_t *tagged;
        int nt;
        if (film_tagged(db, a, *id, &tagged, &nt, e) ||
            audit_add(db, actor, g.id, "film_tags", *id, "", ids_text(a, tagged, nt), e))
            goto fail;
    }
    if (db_commit(db, e))
        goto done;
    rc = 0;
    goto done;
fail:
    db_rollback(db);
done:
    arena_free(a);
    return rc;
}

/* The film id of a group actor may edit, read into f and g (403/404). */
int film_load_editable(struct db *db, struct arena *a, const struct account *actor, int64_t id,
                       struct film *f, struct group *g, int *has_original, struct err *e)
{
    if (film_get_ex(db, a, id, f, has_original, e) || group_get(db, a, f->group_id, g, e))
        return -1;
    if (!film_can_edit(db, actor, g)) {
        /* who may not even see it is told it does not exist */
        if (!film_can_see(db, actor, g, f))
            return err_set(e, 404, "%s", err_tr(FILM_NOT_FOUND));
        return err_set(e, 403, "Seuls les membres du groupe peuvent modifier ce film.");
    }
    return 0;
}

int film_update(struct db *db, const struct account *actor, int64_t id, const struct film_input *in,
                struct err *e)
{
    struct arena *a = arena_new();
    struct film cur;
    struct group g;
    struct checked v;
    int rc = -1, has_orig = 0;
    if (film_load_editable(db, a, actor, id, &cur, &g, &has_orig, e) ||
        check_input(db, a, &g, in, &cur, has_orig, &v, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e,
                 "UPDATE films SET title = ?, synopsis = ?, year = ?, genre = ?, language = ?, "
                 "licence = ?, download_allowed = ?, visibility = ?, loudnorm = ?, poster = ?, "
                 "search_norm = ?, updated_at = ? WHERE id = ?",
                 "ssisssisiisii", v.title, v.synopsis, (int64_t)v.year, v.genre, v.language,
                 v.licence, (int64_t)v.download, visibility_level_name(v.vis), (int64_t)v.loudnorm,
                 (int64_t)v.poster, v.search, now, id) != 1)
        goto fail;
    if (in->entry_id >= 0 &&
        db_execf(db, e, "UPDATE films SET entry_id = NULLIF(?, 0) WHERE id = ?", "ii", v.entry_id,
                 id) < 0)
        goto fail;
    if (write_lists(db, id, &v, e))
        goto fail;
    if (v.set_credits || v.set_appearing) {
        int64_t *tagged;
        int nt;
        if (film_tagged(db, a, id, &tagged, &nt, e))
            goto fail;
        const char *before = ids_text(a, cur.tagged, cur.ntagged);
        const char *after = ids_text(a, tagged, nt);
        if (strcmp(before, after) != 0 &&
            audit_add(db, actor, g.id, "film_tags", id, before, after, e))
            goto fail;
    }
    if (cur.visibility != v.vis &&
        audit_add(db, actor, g.id, "film_visibility", id, visibility_level_name(cur.visibility),
                  visibility_level_name(v.vis), e))
        goto fail;
    if (db_commit(db, e))
        goto done;
    rc = 0;
    goto done;
fail:
    if (!e->status)
        err_set(e, 409, "Le film a changé entre-temps : rechargez la page.");
    db_rollback(db);
done:
    arena_free(a);
    return rc;
}

/* Removes dir and everything under it (the film's own tree: regular files and directories). */
void film_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char path[4096];
            if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
                continue;
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                film_remove_tree(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

int film_delete(struct db *db, const struct account *actor, int64_t id, const char *data_dir,
                struct err *e)
{
    struct arena *a = arena_new();
    struct film f;
    struct group g;
    int rc = -1;
    if (film_load_editable(db, a, actor, id, &f, &g, NULL, e))
        goto done;
    if (strcmp(f.status, "processing") == 0) {
        err_set(e, 409, "Le film est en cours de préparation : attendez la fin pour le supprimer.");
        goto done;
    }
    if (db_begin(db, e))
        goto done;
    if (db_execf(db, e, "DELETE FROM films WHERE id = ?", "i", id) != 1 ||
        audit_add(db, actor, g.id, "film_delete", id, f.title, "", e)) {
        db_rollback(db);
        goto done;
    }
    if (db_commit(db, e))
        goto done;
    film_remove_tree(film_dir(a, data_dir, f.storage_key));
    rc = 0;
done:
    arena_free(a);
    return rc;
}
