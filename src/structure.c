/* structure: the partners on the ground, their validation, who may manage them, and the
 * filtered, paginated directory. The coordination is read through the commune, never stored. */
#include "structure.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/valid.h"

const struct structure_type structure_types[] = {
    {"municipality", N_("Commune / municipalité")},
    {"intercommunality", N_("Intercommunalité")},
    {"social_centre", N_("Centre social")},
    {"youth_club", N_("Maison des jeunes / MJC")},
    {"association", N_("Association")},
    {"cinema", N_("Cinéma")},
    {"pjj_unit", N_("Unité de la protection judiciaire de la jeunesse")},
    {"medico_social", N_("Établissement médico-social")},
    {"hospital", N_("Hôpital")},
    {"prison", N_("Établissement pénitentiaire")},
    {"school", N_("Établissement scolaire")},
    {"other", N_("Autre")},
    {NULL, NULL},
};

static const char *const OUTSIDE_TERRITORY =
    N_("Cette structure n'est pas dans le territoire de votre coordination.");

const char *structure_type_label(const char *code)
{
    if (!code)
        return NULL;
    for (const struct structure_type *t = structure_types; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t->label;
    return NULL;
}

/* ---- validation ---- */

/* The same shape rules as account and coordination e-mails (valid_email), but no 64-byte
 * limit before the '@': a structure's address is only held to STRUCTURE_FIELD_MAX, like its
 * other contact fields (length and characters are valid_text's). */
static int check_email(const char *s, struct err *e)
{
    if (*s && !valid_email(s, SIZE_MAX))
        return err_field(e, 422, "email",
                         "L'adresse e-mail n'a pas l'air valide (exemple : nom@domaine.fr).");
    return 0;
}

/* Only http(s) (valid_http_url): the value becomes a link on the structure's page. */
static int check_website(const char *s, struct err *e)
{
    if (*s && !valid_http_url(s))
        return err_field(e, 422, "website",
                         "Le site web doit être une adresse commençant par http:// ou https:// "
                         "(exemple : https://www.exemple.fr).");
    return 0;
}

/* Validated, trimmed values ready to be written. */
struct clean {
    const char *name, *name_norm, *type, *commune_code, *address, *email, *phone, *website,
        *description;
};

/* Checks every field of in (NULL fields count as empty) in the order of the form, so the
 * first error reported is the first one a person meets on the page. */
static int validate(struct arena *a, const struct structure_input *in, struct clean *out,
                    struct err *e)
{
    out->name = text_trim(a, in->name ? in->name : "");
    out->type = text_trim(a, in->type ? in->type : "");
    char *code = text_trim(a, in->commune_code ? in->commune_code : "");
    out->address = text_trim(a, in->address ? in->address : "");
    out->email = text_trim(a, in->email ? in->email : "");
    out->phone = text_trim(a, in->phone ? in->phone : "");
    out->website = text_trim(a, in->website ? in->website : "");
    out->description = text_trim(a, in->description ? in->description : "");
    /* INSEE codes are stored upper case ("2A004") */
    for (char *p = code; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    out->commune_code = code;

    if (!*out->name)
        return err_field(e, 422, "name", "Le nom est obligatoire.");
    if (valid_text(out->name, "name", N_("Le nom"), STRUCTURE_NAME_MAX, 0, e))
        return -1;
    if (!*out->type)
        return err_field(e, 422, "type", "Le type de structure est obligatoire.");
    if (!structure_type_label(out->type))
        return err_field(e, 422, "type", "Type de structure inconnu.");
    if (!*out->commune_code)
        return err_field(e, 422, "commune_code", "La commune est obligatoire.");
    if (valid_text(out->commune_code, "commune_code", N_("Le code de commune"), STRUCTURE_FIELD_MAX,
                   0, e))
        return -1;
    if (valid_text(out->address, "address", N_("L'adresse"), STRUCTURE_FIELD_MAX, 0, e) ||
        valid_text(out->email, "email", N_("L'adresse e-mail"), STRUCTURE_FIELD_MAX, 0, e) ||
        check_email(out->email, e) ||
        valid_text(out->phone, "phone", N_("Le téléphone"), STRUCTURE_FIELD_MAX, 0, e) ||
        valid_text(out->website, "website", N_("Le site web"), STRUCTURE_FIELD_MAX, 0, e) ||
        check_website(out->website, e) ||
        valid_text(out->description, "description", N_("La description"), STRUCTURE_TEXT_MAX, 1, e))
        return -1;
    out->name_norm = text_norm(a, out->name);
    return 0;
}

/* The coordination covering a commune, read through its département (0 when none).
 * 422 "Commune inconnue." on commune_code when the code is not a commune. */
static int commune_coordination(struct db *db, const char *code, int64_t *coord, struct err *e)
{
    struct db_stmt *st;
    *coord = 0;
    if (db_prepare(db,
                   "SELECT cd.coordination_id FROM communes c "
                   "LEFT JOIN coordination_departements cd "
                   "ON cd.departement_code = c.departement_code WHERE c.code = ?",
                   &st, e))
        return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st, e);
    if (rc == DB_ROW && !db_col_is_null(st, 0))
        *coord = db_col_int(st, 0);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW)
        return err_field(e, 422, "commune_code", "Commune inconnue.");
    return 0;
}

/* ---- rights ---- */

int structure_can_manage(const struct account *u, int64_t coord_id)
{
    if (!u)
        return 0;
    if (u->role == ROLE_ADMIN)
        return 1;
    /* a commune outside every coordination (coord_id 0) is nobody's territory but the
     * admins': a coordinator without a coordination (0) must not match it */
    return u->role == ROLE_COORDINATOR && coord_id > 0 && u->coordination_id == coord_id;
}

/* Only coordinators and admins manage structures at all; said before validation so a
 * supervisor is not walked through a form they may never submit. */
static int check_role(const struct account *u, struct err *e)
{
    if (!u || u->role < ROLE_COORDINATOR)
        return err_set(e, 403, "Votre rôle ne permet pas de gérer les structures.");
    return 0;
}

/* ---- reading ---- */

#define STRUCT_COLS                                                                                \
    "s.id, s.name, s.type, s.commune_code, c.name, c.departement_code, s.address, s.email, "       \
    "s.phone, s.website, s.description, s.is_demo, co.id, co.slug, co.name"
#define STRUCT_FROM                                                                                \
    " FROM structures s JOIN communes c ON c.code = s.commune_code "                               \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code "          \
    "LEFT JOIN coordinations co ON co.id = cd.coordination_id"

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_structure(struct db_stmt *st, struct arena *a, struct structure *s)
{
    memset(s, 0, sizeof *s);
    s->id = db_col_int(st, 0);
    s->name = col_dup(a, st, 1);
    s->type = col_dup(a, st, 2);
    s->commune_code = col_dup(a, st, 3);
    s->commune_name = col_dup(a, st, 4);
    s->departement = col_dup(a, st, 5);
    s->address = col_dup(a, st, 6);
    s->email = col_dup(a, st, 7);
    s->phone = col_dup(a, st, 8);
    s->website = col_dup(a, st, 9);
    s->description = col_dup(a, st, 10);
    s->is_demo = db_col_int(st, 11) != 0;
    if (!db_col_is_null(st, 12)) {
        s->coordination_id = db_col_int(st, 12);
        s->coordination_slug = col_dup(a, st, 13);
        s->coordination_name = col_dup(a, st, 14);
    }
}

int64_t structure_count(struct db *db, struct err *e)
{
    return db_scalar_int(db, e, 0, "SELECT COUNT(*) FROM structures", "");
}

int structure_get(struct db *db, struct arena *a, int64_t id, struct structure *out, struct err *e)
{
    struct db_stmt *st;
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return err_set(e, 404, "Structure introuvable.");
    if (db_prepare(db, "SELECT " STRUCT_COLS STRUCT_FROM " WHERE s.id = ?", &st, e))
        return -1;
    db_bind_int(st, 1, id);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_structure(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW)
        return err_set(e, 404, "Structure introuvable.");
    return 0;
}

/* "%<s with LIKE's own metacharacters made literal>%", for "LIKE ? ESCAPE '\'". text_norm
 * already turns % and _ into spaces; escaping anyway keeps this correct if it ever stops. */
static char *like_contains(struct arena *a, const char *s)
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

/* The WHERE clause of a filter; bind_filter binds its parameters in the same order. Only
 * fixed SQL fragments go into the text. */
static void filter_sql(struct buf *b, const struct structure_filter *f, const char *pattern)
{
    buf_puts(b, " WHERE 1 = 1");
    if (f->coordination_id > 0)
        buf_puts(b, " AND cd.coordination_id = ?");
    if (f->type && *f->type)
        buf_puts(b, " AND s.type = ?");
    if (f->commune_code && *f->commune_code)
        buf_puts(b, " AND s.commune_code = ?");
    if (pattern)
        buf_puts(b, " AND s.name_norm LIKE ? ESCAPE '\\'");
}

static int bind_filter(struct db_stmt *st, const struct structure_filter *f, const char *pattern)
{
    int i = 1;
    if (f->coordination_id > 0)
        db_bind_int(st, i++, f->coordination_id);
    if (f->type && *f->type)
        db_bind_text(st, i++, f->type);
    if (f->commune_code && *f->commune_code)
        db_bind_text(st, i++, f->commune_code);
    if (pattern)
        db_bind_text(st, i++, pattern);
    return i;
}

/* Pages past this are refused as empty rather than risking an overflowing OFFSET. */
enum { PAGE_MAX = 1000000 };

int structure_list(struct db *db, struct arena *a, const struct structure_filter *f,
                   struct structure **out, int *n, int64_t *total, struct err *e)
{
    static const struct structure_filter none = {0};
    struct buf sql;
    struct db_stmt *st = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (!f)
        f = &none;
    if (f->type && *f->type && !structure_type_label(f->type))
        return err_field(e, 400, "type", "Type de structure inconnu.");
    int page = f->page < 1 ? 1 : f->page;
    int per_page = f->per_page <= 0 ? STRUCTURE_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > STRUCTURE_PER_PAGE_MAX)
        per_page = STRUCTURE_PER_PAGE_MAX;

    const char *pattern = NULL;
    if (f->q && *f->q) {
        size_t qn = strlen(f->q);
        const char *norm = text_norm(a, f->q);
        /* a name_norm is never longer than its name (4 bytes a character at most), so a
         * longer query cannot match; and a query of punctuation alone ("%", "_") has no
         * searchable text: neither may fall back to listing everything */
        int blank = strspn(f->q, " \t\r\n") == qn;
        if (!blank && (qn > 4 * (size_t)STRUCTURE_NAME_MAX || !*norm))
            return 0;
        if (*norm)
            pattern = like_contains(a, norm);
    }

    buf_init(&sql, 4096);
    /* the joins matter to the count only when filtering by coordination; without it
     * counting the structures table alone avoids three lookups per row */
    buf_puts(&sql, f->coordination_id ? "SELECT COUNT(*)" STRUCT_FROM
                                      : "SELECT COUNT(*) FROM structures s");
    filter_sql(&sql, f, pattern);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    bind_filter(st, f, pattern);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    *total = r == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    st = NULL;
    if (*total == 0 || page > PAGE_MAX) {
        rc = 0;
        goto done;
    }

    buf_reset(&sql);
    buf_puts(&sql, "SELECT " STRUCT_COLS STRUCT_FROM);
    filter_sql(&sql, f, pattern);
    buf_puts(&sql, " ORDER BY s.name_norm, s.id LIMIT ? OFFSET ?");
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    int i = bind_filter(st, f, pattern);
    db_bind_int(st, i++, per_page);
    db_bind_int(st, i, (int64_t)(page - 1) * per_page);
    struct structure *list = arena_alloc(a, sizeof *list * (size_t)per_page);
    int count = 0;
    while (count < per_page && (r = db_step(st, e)) == DB_ROW)
        read_structure(st, a, &list[count++]);
    if (r < 0)
        goto done;
    *out = list;
    *n = count;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}

/* ---- writing ---- */

/* Rights on the commune a structure goes to: 403 on commune_code so the form shows the
 * refusal where the person can act on it. */
static int check_target(struct db *db, const struct account *u, const char *commune_code,
                        struct err *e)
{
    int64_t coord;
    if (commune_coordination(db, commune_code, &coord, e))
        return -1;
    if (!structure_can_manage(u, coord))
        return err_field(e, 403, "commune_code", "%s", err_tr(OUTSIDE_TERRITORY));
    return 0;
}

int structure_create(struct db *db, const struct account *u, const struct structure_input *in,
                     int64_t *id, struct err *e)
{
    struct arena *a = arena_new();
    struct clean v;
    struct db_stmt *st = NULL;
    int rc = -1;

    if (id)
        *id = 0;
    if (check_role(u, e) || validate(a, in, &v, e) || check_target(db, u, v.commune_code, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_prepare(db,
                   "INSERT INTO structures (name, name_norm, type, commune_code, address, email, "
                   "phone, website, description, is_demo, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_text(st, 1, v.name);
    db_bind_text(st, 2, v.name_norm);
    db_bind_text(st, 3, v.type);
    db_bind_text(st, 4, v.commune_code);
    db_bind_text(st, 5, v.address);
    db_bind_text(st, 6, v.email);
    db_bind_text(st, 7, v.phone);
    db_bind_text(st, 8, v.website);
    db_bind_text(st, 9, v.description);
    db_bind_int(st, 10, in->is_demo ? 1 : 0);
    db_bind_int(st, 11, now);
    db_bind_int(st, 12, now);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    if (r != DB_ROW) {
        err_set(e, 500, "Création de la structure : aucun identifiant renvoyé.");
        goto done;
    }
    if (id)
        *id = db_col_int(st, 0);
    rc = 0;
done:
    if (st)
        db_finalize(st);
    arena_free(a);
    return rc;
}

/* Opens the write transaction of an update or delete and reads the structure as it is now.
 * Rights are read and the row written in one transaction, so a concurrent move of the
 * structure cannot slip between the check and the write; and the coordinator must hold the
 * structure where it is now, not only where it goes. */
static int begin_managed(struct db *db, struct arena *a, const struct account *u, int64_t id,
                         struct structure *old, int *in_tx, struct err *e)
{
    if (db_begin(db, e))
        return -1;
    *in_tx = 1;
    if (structure_get(db, a, id, old, e))
        return -1;
    if (!structure_can_manage(u, old->coordination_id))
        return err_set(e, 403, "%s", err_tr(OUTSIDE_TERRITORY));
    return 0;
}

/* Ends the transaction of a one-row write: 404 when the row went away meanwhile. Once the
 * commit is tried the transaction is over, whatever its result, so no rollback follows. */
static int finish_write(struct db *db, int64_t changed, int *in_tx, struct err *e)
{
    if (changed < 0)
        return -1;
    if (changed == 0)
        return err_set(e, 404, "Structure introuvable.");
    *in_tx = 0;
    return db_commit(db, e);
}

/* NULL fields of in keep their current value, so the API's partial PUT and the full HTML
 * form share one path. is_demo is left alone: demo data is marked when it is created. */
int structure_update(struct db *db, const struct account *u, int64_t id,
                     const struct structure_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct structure old;
    struct clean v;
    int rc = -1, in_tx = 0;

    if (check_role(u, e) || begin_managed(db, a, u, id, &old, &in_tx, e))
        goto done;
    struct structure_input m = {
        .name = in->name ? in->name : old.name,
        .type = in->type ? in->type : old.type,
        .commune_code = in->commune_code ? in->commune_code : old.commune_code,
        .address = in->address ? in->address : old.address,
        .email = in->email ? in->email : old.email,
        .phone = in->phone ? in->phone : old.phone,
        .website = in->website ? in->website : old.website,
        .description = in->description ? in->description : old.description,
    };
    if (validate(a, &m, &v, e) || check_target(db, u, v.commune_code, e))
        goto done;
    int64_t changed =
        db_execf(db, e,
                 "UPDATE structures SET name = ?, name_norm = ?, type = ?, "
                 "commune_code = ?, address = ?, email = ?, phone = ?, "
                 "website = ?, description = ?, updated_at = ? WHERE id = ?",
                 "sssssssssii", v.name, v.name_norm, v.type, v.commune_code, v.address, v.email,
                 v.phone, v.website, v.description, (int64_t)time(NULL), id);
    if (finish_write(db, changed, &in_tx, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

int structure_delete(struct db *db, const struct account *u, int64_t id, struct err *e)
{
    struct arena *a = arena_new();
    struct structure old;
    int rc = -1, in_tx = 0;

    if (check_role(u, e) || begin_managed(db, a, u, id, &old, &in_tx, e))
        goto done;
    /* a hard delete: only user_structures points here, and it cascades */
    int64_t changed = db_execf(db, e, "DELETE FROM structures WHERE id = ?", "i", id);
    if (finish_write(db, changed, &in_tx, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}
