/* coordination: the national and regional coordinations and their territories, with the
 * validation that keeps each département in at most one coordination's hands. */
#include "coordination.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "core/valid.h"

enum {
    SLUG_MIN = 2,
    SLUG_MAX = 80,
    /* a territory is a subset of the ~110 départements; far more entries is a broken
     * client, refused before anything is looked up */
    DEPARTEMENTS_INPUT_MAX = 200,
    DEP_CODE_MAX = 3, /* "59", "2A", "971" */
};

/* Paths under /coordinations/ that are pages of their own, so no coordination may take
 * them as its slug: its page would be unreachable. */
static const char *const reserved_slugs[] = {"nouvelle", NULL};

#define COLS "id, slug, name, kind, description, address, email, phone, website, logo, is_demo"

/* ---- reading ---- */

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_row(struct db_stmt *st, struct arena *a, struct coordination *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_col_int(st, 0);
    c->slug = col_dup(a, st, 1);
    c->name = col_dup(a, st, 2);
    c->kind = col_dup(a, st, 3);
    c->description = col_dup(a, st, 4);
    c->address = col_dup(a, st, 5);
    c->email = col_dup(a, st, 6);
    c->phone = col_dup(a, st, 7);
    c->website = col_dup(a, st, 8);
    c->logo = col_dup(a, st, 9);
    c->is_demo = (int)db_col_int(st, 10);
}

/* Appends code to c's territory (codes arrive sorted from the queries). */
static void add_departement(struct arena *a, struct coordination *c, const char *code, int *cap)
{
    if (c->ndepartements == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        const char **bigger = arena_alloc(a, (size_t)ncap * sizeof *bigger);
        if (c->ndepartements)
            memcpy(bigger, c->departements, (size_t)c->ndepartements * sizeof *bigger);
        c->departements = bigger;
        *cap = ncap;
    }
    c->departements[c->ndepartements++] = arena_strdup(a, code ? code : "");
}

/* Structures sit in communes; their coordination follows from the commune's département. */
static const char SQL_STRUCTURES_OF[] =
    "SELECT count(*) FROM structures s "
    "JOIN communes m ON m.code = s.commune_code "
    "JOIN coordination_departements cd ON cd.departement_code = m.departement_code "
    "WHERE cd.coordination_id = ?";

/* Territory and structure count of one coordination already read. */
static int complete_one(struct db *db, struct arena *a, struct coordination *c, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db,
                   "SELECT departement_code FROM coordination_departements "
                   "WHERE coordination_id = ? ORDER BY departement_code",
                   &st, e))
        return -1;
    db_bind_int(st, 1, c->id);
    int rc, cap = 0;
    while ((rc = db_step(st, e)) == DB_ROW)
        add_departement(a, c, db_col_text(st, 0), &cap);
    db_finalize(st);
    if (rc < 0)
        return -1;
    struct err le = {0};
    int64_t n = db_scalar_int(db, &le, 0, SQL_STRUCTURES_OF, "i", c->id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    c->nstructures = n;
    return 0;
}

int64_t coordination_count(struct db *db, struct err *e)
{
    struct err local;
    if (!e)
        e = &local; /* db_scalar_int reports failure through e only */
    int64_t n = db_scalar_int(db, e, 0, "SELECT count(*) FROM coordinations", "");
    return e->status ? -1 : n;
}

struct sort_item {
    struct coordination c;
    const char *key; /* text_norm(name): "Île-de-France" sorts with the I's, not after Z */
};

static int cmp_items(const void *pa, const void *pb)
{
    const struct sort_item *x = pa, *y = pb;
    int nx = strcmp(x->c.kind, "national") == 0, ny = strcmp(y->c.kind, "national") == 0;
    if (nx != ny)
        return ny - nx;
    int r = strcmp(x->key, y->key);
    if (r)
        return r;
    return x->c.id < y->c.id ? -1 : x->c.id > y->c.id;
}

static struct coordination *find_by_id(struct coordination *list, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (list[i].id == id)
            return &list[i];
    return NULL;
}

/* The coordinations alone, national first then by name; territories and counts not read. */
static int list_sorted(struct db *db, struct arena *a, struct coordination **out, int *n,
                       struct err *e)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st;
    int rc, count = 0, cap = 32;
    struct sort_item *items = arena_alloc(a, (size_t)cap * sizeof *items);

    if (db_prepare(db, "SELECT " COLS " FROM coordinations", &st, e))
        return -1;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            struct sort_item *bigger = arena_alloc(a, 2 * (size_t)cap * sizeof *items);
            memcpy(bigger, items, (size_t)cap * sizeof *items);
            items = bigger;
            cap *= 2;
        }
        read_row(st, a, &items[count].c);
        items[count].key = text_norm(a, items[count].c.name);
        count++;
    }
    db_finalize(st);
    if (rc < 0)
        return -1;
    qsort(items, (size_t)count, sizeof *items, cmp_items);

    struct coordination *res = arena_alloc(a, ((size_t)count + 1) * sizeof *res);
    for (int i = 0; i < count; i++)
        res[i] = items[i].c;
    *out = res;
    *n = count;
    return 0;
}

int coordination_names(struct db *db, struct arena *a, struct coordination **out, int *n,
                       struct err *e)
{
    return list_sorted(db, a, out, n, e);
}

int coordination_list(struct db *db, struct arena *a, struct coordination **out, int *n,
                      struct err *e)
{
    struct coordination *res;
    struct db_stmt *st;
    int rc, count;
    if (list_sorted(db, a, &res, &count, e))
        return -1;
    *out = NULL;
    *n = 0;
    int *caps = arena_alloc(a, ((size_t)count + 1) * sizeof *caps);

    /* two queries for the whole list rather than two per coordination */
    if (db_prepare(db,
                   "SELECT coordination_id, departement_code FROM coordination_departements "
                   "ORDER BY coordination_id, departement_code",
                   &st, e))
        return -1;
    while ((rc = db_step(st, e)) == DB_ROW) {
        struct coordination *c = find_by_id(res, count, db_col_int(st, 0));
        if (c)
            add_departement(a, c, db_col_text(st, 1), &caps[c - res]);
    }
    db_finalize(st);
    if (rc < 0)
        return -1;

    if (db_prepare(db,
                   "SELECT cd.coordination_id, count(*) FROM structures s "
                   "JOIN communes m ON m.code = s.commune_code "
                   "JOIN coordination_departements cd ON cd.departement_code = m.departement_code "
                   "GROUP BY cd.coordination_id",
                   &st, e))
        return -1;
    while ((rc = db_step(st, e)) == DB_ROW) {
        struct coordination *c = find_by_id(res, count, db_col_int(st, 0));
        if (c)
            c->nstructures = db_col_int(st, 1);
    }
    db_finalize(st);
    if (rc < 0)
        return -1;
    *out = res;
    *n = count;
    return 0;
}

/* Reads the one row the prepared, bound statement finds, then its territory. */
static int get_one(struct db *db, struct arena *a, struct db_stmt *st, struct coordination *out,
                   struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_row(st, a, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc == DB_DONE)
        return err_set(e, 404, "Coordination introuvable.");
    return complete_one(db, a, out, e);
}

int coordination_get(struct db *db, struct arena *a, const char *slug, struct coordination *out,
                     struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!slug || !*slug || strlen(slug) > SLUG_MAX)
        return err_set(e, 404, "Coordination introuvable.");
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " COLS " FROM coordinations WHERE slug = ?", &st, e))
        return -1;
    db_bind_text(st, 1, slug);
    return get_one(db, a, st, out, e);
}

int coordination_get_by_id(struct db *db, struct arena *a, int64_t id, struct coordination *out,
                           struct err *e)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st;
    if (db_prepare(db, "SELECT " COLS " FROM coordinations WHERE id = ?", &st, e))
        return -1;
    db_bind_int(st, 1, id);
    return get_one(db, a, st, out, e);
}

int64_t coordination_for_departement(struct db *db, const char *dep, struct err *e)
{
    struct err local;
    if (!e)
        e = &local;
    int64_t id = db_scalar_int(db, e, 0,
                               "SELECT coordination_id FROM coordination_departements "
                               "WHERE departement_code = ?",
                               "s", dep ? dep : "");
    return e->status ? -1 : id;
}

/* ---- validation ---- */

/* What create and update write, once checked and tidied. */
struct clean {
    const char *slug, *name, *kind, *description, *address, *email, *phone, *website, *logo;
    const char **deps;
    int ndeps;
};

/* Valid UTF-8, at most max characters, and no control characters except line breaks and
 * tabs where multiline is set: a stray control byte breaks JSON consumers and CSV exports.
 * label is the field's name, a message id marked with N_ and translated here. */
static int check_text(const char *v, const char *field, const char *label, size_t max,
                      int multiline, struct err *e)
{
    size_t n = strlen(v);
    long chars = text_utf8_len(v, n);
    if (chars < 0)
        return err_field(e, 422, field, "%s : le texte n'est pas lisible (UTF-8 invalide).",
                         err_tr(label));
    if ((size_t)chars > max)
        return err_field(e, 422, field, "%s : %zu caractères au plus.", err_tr(label), max);
    if (text_has_control(v, n, multiline))
        return err_field(e, 422, field, "%s : caractère de contrôle interdit.", err_tr(label));
    return 0;
}

static int slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < SLUG_MIN || n > SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    for (int i = 0; reserved_slugs[i]; i++)
        if (strcmp(s, reserved_slugs[i]) == 0)
            return 0;
    return 1;
}

/* The slug a name gives: text_slug cut to SLUG_MAX at a hyphen so no word is split. */
static const char *slug_from_name(struct arena *a, const char *name)
{
    char *s = text_slug(a, name);
    size_t n = strlen(s);
    if (n > SLUG_MAX) {
        n = SLUG_MAX;
        while (n > 0 && s[n] != '-')
            n--;
        if (n == 0)
            n = SLUG_MAX;
        while (n > 0 && s[n - 1] == '-')
            n--;
        s[n] = 0;
    }
    return s;
}

/* A logo is an http(s) address or a path on this site ("/static/..."). */
static int logo_ok(const char *s)
{
    if (s[0] == '/') {
        if (s[1] == '/' || s[1] == '\\')
            return 0; /* scheme-relative: another site */
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            if (*p <= ' ' || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
                return 0;
        return 1;
    }
    return valid_http_url(s);
}

static int phone_ok(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr(" +.-()/", *s))
            return 0;
    }
    return digits > 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Trims, upper-cases (Corsica's "2a"), sorts and de-duplicates the codes, and checks that
 * each one is a département we know. */
static int check_departements(struct db *db, struct arena *a, const struct coordination_input *in,
                              struct clean *out, struct err *e)
{
    if (in->ndepartements < 0 || in->ndepartements > DEPARTEMENTS_INPUT_MAX)
        return err_field(e, 422, "departements", "Trop de départements : %d au plus.",
                         DEPARTEMENTS_INPUT_MAX);
    const char **codes = arena_alloc(a, ((size_t)in->ndepartements + 1) * sizeof *codes);
    int n = 0;
    for (int i = 0; i < in->ndepartements; i++) {
        char *code = text_trim(a, in->departements ? in->departements[i] : NULL);
        if (!*code)
            continue; /* an empty choice in a form, not a département */
        for (char *p = code; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        codes[n++] = code;
    }
    qsort(codes, (size_t)n, sizeof *codes, cmp_str);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || strcmp(codes[m - 1], codes[i]) != 0)
            codes[m++] = codes[i];

    for (int i = 0; i < m; i++) {
        struct err le = {0};
        int64_t found = 0;
        if (strlen(codes[i]) <= DEP_CODE_MAX && text_utf8_valid(codes[i], strlen(codes[i]))) {
            found = db_scalar_int(db, &le, 0, "SELECT 1 FROM departements WHERE code = ?", "s",
                                  codes[i]);
            if (le.status) {
                if (e)
                    *e = le;
                return -1;
            }
        }
        if (!found) {
            /* the code comes from the client: shown only if it is short, readable text */
            int printable = text_utf8_valid(codes[i], strlen(codes[i])) && strlen(codes[i]) <= 10;
            for (const char *p = codes[i]; printable && *p; p++)
                printable = (unsigned char)*p >= ' ';
            if (printable)
                return err_field(e, 422, "departements", "Le département « %s » n'existe pas.",
                                 codes[i]);
            return err_field(e, 422, "departements", "Un des départements choisis n'existe pas.");
        }
    }
    out->deps = codes;
    out->ndeps = m;
    return 0;
}

/* Field checks (422), in the order the form shows the fields. cur_slug is the slug kept
 * when an update leaves the slug empty (NULL on create, where the name gives one). */
static int check_fields(struct db *db, struct arena *a, const struct coordination_input *in,
                        const char *cur_slug, struct clean *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->name = text_trim(a, in->name);
    out->slug = text_trim(a, in->slug);
    out->kind = text_trim(a, in->kind);
    out->description = text_trim(a, in->description);
    out->address = text_trim(a, in->address);
    out->email = text_trim(a, in->email);
    out->phone = text_trim(a, in->phone);
    out->website = text_trim(a, in->website);
    out->logo = text_trim(a, in->logo);

    if (!*out->name)
        return err_field(e, 422, "name", "Le nom est obligatoire.");
    if (check_text(out->name, "name", N_("Nom"), COORDINATION_NAME_MAX, 0, e))
        return -1;

    if (!*out->slug) {
        out->slug = cur_slug ? cur_slug : slug_from_name(a, out->name);
        if (strlen(out->slug) < SLUG_MIN)
            return err_field(e, 422, "slug",
                             "Impossible de tirer un identifiant d'adresse de ce nom : "
                             "saisissez-en un (lettres a-z, chiffres et tirets).");
    }
    for (int i = 0; reserved_slugs[i]; i++)
        if (strcmp(out->slug, reserved_slugs[i]) == 0)
            return err_field(e, 422, "slug",
                             "L'identifiant « %s » est réservé par le site : choisissez-en un "
                             "autre.",
                             reserved_slugs[i]);
    if (!slug_ok(out->slug))
        return err_field(e, 422, "slug",
                         "L'identifiant d'adresse doit compter de %d à %d caractères : lettres "
                         "minuscules sans accent, chiffres et tirets (ni au début ni à la fin).",
                         SLUG_MIN, SLUG_MAX);

    /* the form always sends a kind; an API client that omits it means the common case */
    if (!*out->kind)
        out->kind = "regional";
    if (strcmp(out->kind, "national") != 0 && strcmp(out->kind, "regional") != 0)
        return err_field(e, 422, "kind",
                         "Le type doit être « national » ou « regional » (régional).");

    if (check_text(out->description, "description", N_("Description"), COORDINATION_TEXT_MAX, 1,
                   e) ||
        check_text(out->address, "address", N_("Adresse"), COORDINATION_FIELD_MAX, 1, e) ||
        check_text(out->email, "email", N_("E-mail"), COORDINATION_FIELD_MAX, 0, e))
        return -1;
    if (*out->email && !valid_email(out->email, VALID_EMAIL_LOCAL_MAX))
        return err_field(e, 422, "email",
                         "L'adresse e-mail n'a pas la bonne forme (exemple : "
                         "contact@exemple.fr).");
    if (check_text(out->phone, "phone", N_("Téléphone"), COORDINATION_FIELD_MAX, 0, e))
        return -1;
    if (*out->phone && !phone_ok(out->phone))
        return err_field(e, 422, "phone",
                         "Le numéro de téléphone ne peut contenir que des chiffres, des espaces "
                         "et les signes + . - ( ) /.");
    if (check_text(out->website, "website", N_("Site web"), COORDINATION_FIELD_MAX, 0, e))
        return -1;
    if (*out->website && !valid_http_url(out->website))
        return err_field(e, 422, "website",
                         "L'adresse du site doit commencer par http:// ou https:// (exemple : "
                         "https://www.exemple.fr).");
    if (check_text(out->logo, "logo", N_("Logo"), COORDINATION_FIELD_MAX, 0, e))
        return -1;
    if (*out->logo && !logo_ok(out->logo))
        return err_field(e, 422, "logo",
                         "L'adresse du logo doit commencer par https://, http:// ou / (fichier "
                         "de ce site).");
    return check_departements(db, a, in, out, e);
}

/* Rules between coordinations (409), checked inside the write transaction so that two
 * admins saving at once cannot both pass them. self is 0 on create. */
static int check_conflicts(struct db *db, const struct clean *v, int64_t self, struct err *e)
{
    struct db_stmt *st;
    int rc;

    if (db_prepare(db, "SELECT name FROM coordinations WHERE slug = ? AND id <> ?", &st, e))
        return -1;
    db_bind_text(st, 1, v->slug);
    db_bind_int(st, 2, self);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        err_field(e, 409, "slug", "L'identifiant « %s » est déjà pris par la coordination %.120s.",
                  v->slug, db_col_text(st, 0));
    db_finalize(st);
    if (rc != DB_DONE)
        return -1;

    if (strcmp(v->kind, "national") == 0) {
        if (db_prepare(db, "SELECT name FROM coordinations WHERE kind = 'national' AND id <> ?",
                       &st, e))
            return -1;
        db_bind_int(st, 1, self);
        rc = db_step(st, e);
        if (rc == DB_ROW)
            err_field(e, 409, "kind",
                      "Il ne peut y avoir qu'une coordination nationale : c'est déjà %.120s.",
                      db_col_text(st, 0));
        db_finalize(st);
        if (rc != DB_DONE)
            return -1;
    }

    for (int i = 0; i < v->ndeps; i++) {
        if (db_prepare(db,
                       "SELECT d.name, c.name FROM coordination_departements cd "
                       "JOIN coordinations c ON c.id = cd.coordination_id "
                       "JOIN departements d ON d.code = cd.departement_code "
                       "WHERE cd.departement_code = ? AND cd.coordination_id <> ?",
                       &st, e))
            return -1;
        db_bind_text(st, 1, v->deps[i]);
        db_bind_int(st, 2, self);
        rc = db_step(st, e);
        if (rc == DB_ROW)
            err_field(e, 409, "departements",
                      "Le département %s (%.60s) appartient déjà à la coordination %.120s.",
                      v->deps[i], db_col_text(st, 0), db_col_text(st, 1));
        db_finalize(st);
        if (rc != DB_DONE)
            return -1;
    }
    return 0;
}

/* A constraint the checks above should have caught (another writer on PostgreSQL, say). */
static int write_failed(struct err *e)
{
    if (e && e->status == 409)
        return err_set(e, 409,
                       "Enregistrement impossible : l'identifiant ou un département vient "
                       "d'être pris par une autre coordination. Rechargez la page.");
    return -1;
}

static int write_territory(struct db *db, int64_t id, const struct clean *v, struct err *e)
{
    if (db_execf(db, e, "DELETE FROM coordination_departements WHERE coordination_id = ?", "i",
                 id) < 0)
        return -1;
    for (int i = 0; i < v->ndeps; i++)
        if (db_execf(db, e,
                     "INSERT INTO coordination_departements (departement_code, coordination_id) "
                     "VALUES (?, ?)",
                     "si", v->deps[i], id) < 0)
            return write_failed(e);
    return 0;
}

int coordination_create(struct db *db, const struct coordination_input *in, int64_t *id,
                        struct err *e)
{
    struct arena *a = arena_new();
    struct clean v;
    struct db_stmt *st = NULL;
    int rc = -1, in_tx = 0;
    int64_t new_id = 0;

    if (check_fields(db, a, in, NULL, &v, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (check_conflicts(db, &v, 0, e))
        goto done;
    int64_t now = (int64_t)time(NULL);
    if (db_prepare(db,
                   "INSERT INTO coordinations (slug, name, kind, description, address, email, "
                   "phone, website, logo, is_demo, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_text(st, 1, v.slug);
    db_bind_text(st, 2, v.name);
    db_bind_text(st, 3, v.kind);
    db_bind_text(st, 4, v.description);
    db_bind_text(st, 5, v.address);
    db_bind_text(st, 6, v.email);
    db_bind_text(st, 7, v.phone);
    db_bind_text(st, 8, v.website);
    db_bind_text(st, 9, v.logo);
    db_bind_int(st, 10, in->is_demo ? 1 : 0);
    db_bind_int(st, 11, now);
    db_bind_int(st, 12, now);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        new_id = db_col_int(st, 0);
        r = db_step(st, e); /* runs the statement to its end */
    } else if (r == DB_DONE) {
        err_set(e, 500, "La coordination n'a pas pu être créée.");
        r = -1;
    }
    db_finalize(st);
    if (r < 0) {
        write_failed(e);
        goto done;
    }
    if (write_territory(db, new_id, &v, e))
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    if (id)
        *id = new_id;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

int coordination_update(struct db *db, int64_t id, const struct coordination_input *in,
                        struct err *e)
{
    struct arena *a = arena_new();
    struct coordination cur;
    struct clean v;
    int rc = -1, in_tx = 0;

    if (coordination_get_by_id(db, a, id, &cur, e))
        goto done;
    /* an emptied slug keeps the current one: addresses people bookmarked must not change
     * because a field was left blank */
    if (check_fields(db, a, in, cur.slug, &v, e))
        goto done;
    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (check_conflicts(db, &v, id, e))
        goto done;
    int64_t changed =
        db_execf(db, e,
                 "UPDATE coordinations SET slug = ?, name = ?, kind = ?, description = ?, "
                 "address = ?, email = ?, phone = ?, website = ?, logo = ?, is_demo = ?, "
                 "updated_at = ? WHERE id = ?",
                 "sssssssssiii", v.slug, v.name, v.kind, v.description, v.address, v.email, v.phone,
                 v.website, v.logo, (int64_t)(in->is_demo ? 1 : 0), (int64_t)time(NULL), id);
    if (changed < 0) {
        write_failed(e);
        goto done;
    }
    if (changed == 0) {
        err_set(e, 404, "Coordination introuvable.");
        goto done;
    }
    if (write_territory(db, id, &v, e))
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

/* ---- reference data ---- */

struct seed {
    const char *slug, *name, *kind, *description, *address, *phone, *website;
    const char *deps[4]; /* NULL-terminated */
};

/* What the Hauts-de-France brochure (seed/) states, and nothing more: the overseas
 * coordinations are named there without details, so their details stay empty. Contact
 * people's own e-mail addresses are left out on purpose: they are personal data and
 * belong in user accounts. */
static const struct seed seeds[] = {
    {"nationale",
     "Passeurs d'images – coordination nationale",
     "national",
     "Coordination nationale du dispositif Passeurs d'images : centre de ressources et de mise "
     "en réseau des coordinations régionales.",
     "",
     "",
     "",
     {NULL}},
    {"hors-cadre",
     "Hors Cadre",
     "regional",
     "Coordination du versant nord des Hauts-de-France (Nord, Pas-de-Calais).",
     "72 rue Gutenberg\n59000 Lille",
     "03 20 33 06 33",
     "http://www.horscadre.eu",
     {"59", "62", NULL}},
    {"acap-pole-regional-image",
     "Acap – Pôle régional image",
     "regional",
     "Coordination du versant sud des Hauts-de-France (Aisne, Oise, Somme).",
     "8 rue Dijon – CS 90322\n80003 Amiens cedex 1",
     "03 22 72 68 30",
     "http://www.acap-cinema.com",
     {"02", "60", "80", NULL}},
    {"guadeloupe",
     "Coordination Passeurs d'images Guadeloupe",
     "regional",
     "",
     "",
     "",
     "",
     {"971", NULL}},
    {"guyane", "Coordination Passeurs d'images Guyane", "regional", "", "", "", "", {"973", NULL}},
    {"martinique",
     "Coordination Passeurs d'images Martinique",
     "regional",
     "",
     "",
     "",
     "",
     {"972", NULL}},
    {"la-reunion",
     "Coordination Passeurs d'images La Réunion",
     "regional",
     "",
     "",
     "",
     "",
     {"974", NULL}},
};

/* 1 when the seed entry must be left alone: it exists already, or an admin has since given
 * its role or territory to another coordination (re-creating it would only conflict). */
static int seed_skip(struct db *db, const struct seed *s, struct err *e)
{
    struct err le = {0};
    int64_t hit =
        db_scalar_int(db, &le, 0, "SELECT 1 FROM coordinations WHERE slug = ?", "s", s->slug);
    if (!le.status && !hit && strcmp(s->kind, "national") == 0)
        hit = db_scalar_int(db, &le, 0, "SELECT 1 FROM coordinations WHERE kind = 'national'", "");
    for (int i = 0; !le.status && !hit && s->deps[i]; i++)
        hit = db_scalar_int(db, &le, 0,
                            "SELECT 1 FROM coordination_departements WHERE departement_code = ?",
                            "s", s->deps[i]);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    return hit ? 1 : 0;
}

int coordination_seed(struct db *db, struct err *e)
{
    struct err le = {0};
    int64_t ndeps = db_scalar_int(db, &le, 0, "SELECT count(*) FROM departements", "");
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (ndeps == 0)
        return err_set(e, 500,
                       "Les départements ne sont pas importés : importez le découpage "
                       "territorial avant les coordinations.");
    /* all or nothing: a half-seeded network would be skipped as "done" next time */
    if (db_begin(db, e))
        return -1;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        const struct seed *s = &seeds[i];
        int skip = seed_skip(db, s, e);
        if (skip < 0)
            goto fail;
        if (skip)
            continue;
        int nd = 0;
        while (s->deps[nd])
            nd++;
        struct coordination_input in = {
            .slug = s->slug,
            .name = s->name,
            .kind = s->kind,
            .description = s->description,
            .address = s->address,
            .phone = s->phone,
            .website = s->website,
            .departements = (const char **)s->deps,
            .ndepartements = nd,
        };
        if (coordination_create(db, &in, NULL, e))
            goto fail;
    }
    return db_commit(db, e);
fail:
    db_rollback(db);
    return -1;
}
