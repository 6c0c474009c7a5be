/* action_csv_row: a row of a CSV file to an action_input (see action_csv.h): the conversion
 * session that looks each commune and structure up once per file (with close names for a
 * commune not found), and the reading of lists, numbers, dates, codes and yes/no values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_csv.h"
#include "core/text.h"
#include "territory.h"

enum { CACHE_BUCKETS = 1024 };

/* A value looked up once: a commune code, a structure id, or the error it gave. */
struct cached {
    struct cached *next;
    char kind; /* 'c' commune, 's' structure */
    const char *key;
    const char *code;
    int64_t id;
    struct err e;
};

struct action_csv_conv {
    struct db *db;
    struct arena *a;
    struct cached *buckets[CACHE_BUCKETS];
};

struct action_csv_conv *action_csv_conv_new(struct db *db, struct arena *a)
{
    struct action_csv_conv *cv = arena_alloc(a, sizeof *cv);
    cv->db = db;
    cv->a = a;
    return cv;
}

static struct cached **cache_slot(struct action_csv_conv *cv, char kind, const char *key)
{
    uint32_t h = 2166136261u ^ (uint8_t)kind;
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    struct cached **s = &cv->buckets[h % CACHE_BUCKETS];
    while (*s && ((*s)->kind != kind || strcmp((*s)->key, key)))
        s = &(*s)->next;
    return s;
}

static char *upper(struct arena *a, const char *s)
{
    char *u = arena_strdup(a, s);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* An INSEE commune code: five digits, or 2A/2B and three digits for Corsica. */
static int looks_like_insee(const char *s)
{
    if (strlen(s) != 5)
        return 0;
    int i = 0;
    if (s[0] == '2' && strchr("abAB", s[1]))
        i = 2;
    for (; i < 5; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Up to three close names for t ("Lille (59), Lillers (62), ..."), "" when none. */
static const char *suggest(struct action_csv_conv *cv, const char *name)
{
    struct territory_commune *list = NULL;
    int n = 0;
    struct err se = {0};
    const char *q = name;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (territory_commune_search(cv->db, cv->a, q, 3, &list, &n, &se))
            n = 0;
        if (n > 0)
            break;
        /* nothing starts like the whole name: try its first word */
        const char *norm = text_norm(cv->a, name);
        size_t w = strcspn(norm, " ");
        if (!norm[w] || w < 3)
            break;
        q = arena_strndup(cv->a, norm, w);
    }
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n && i < 3; i++)
        buf_printf(&b, "%s%s (%s)", i ? ", " : "", list[i].name, list[i].departement);
    const char *s = arena_strdup(cv->a, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static int commune_lookup(struct action_csv_conv *cv, const char *col, const char *t,
                          const char **code, struct err *e)
{
    if (looks_like_insee(t)) {
        const char *u = upper(cv->a, t);
        struct err le = {0};
        int64_t n =
            db_scalar_int(cv->db, &le, 0, "SELECT COUNT(*) FROM communes WHERE code = ?", "s", u);
        if (le.status) {
            *e = le;
            return -1;
        }
        if (!n)
            return err_field(e, 422, "communes",
                             "%s : commune inconnue « %s » (aucune commune n'a "
                             "ce code INSEE).",
                             col, t);
        *code = u;
        return 0;
    }
    /* "Name (département)", the département by code or by name */
    const char *name = t, *dep = NULL;
    size_t len = strlen(t);
    const char *open = strrchr(t, '(');
    if (len > 2 && t[len - 1] == ')' && open && open > t) {
        name = text_trim(cv->a, arena_strndup(cv->a, t, (size_t)(open - t)));
        dep = text_trim(cv->a, arena_strndup(cv->a, open + 1, len - 2 - (size_t)(open - t)));
    }
    const char *dep_norm = dep ? text_norm(cv->a, dep) : NULL;
    struct db_stmt *s;
    if (db_prepare(cv->db,
                   "SELECT c.code, c.departement_code, d.name FROM communes c JOIN departements d "
                   "ON d.code = c.departement_code WHERE c.name_norm = ? ORDER BY "
                   "c.departement_code, c.code",
                   &s, e))
        return -1;
    db_bind_text(s, 1, text_norm(cv->a, name));
    struct buf cands;
    buf_init(&cands, 0);
    int r, nfound = 0;
    const char *last = NULL, *found = NULL;
    while ((r = db_step(s, e)) == DB_ROW) {
        const char *c = db_col_text(s, 0), *dc = db_col_text(s, 1), *dn = db_col_text(s, 2);
        if (dep_norm && strcmp(dep_norm, text_norm(cv->a, dc)) &&
            strcmp(dep_norm, text_norm(cv->a, dn)))
            continue;
        if (last)
            buf_printf(&cands, "%s%s", nfound > 1 ? ", " : "", last);
        last = arena_printf(cv->a, "%s (%s)", c, dn);
        found = arena_strdup(cv->a, c);
        nfound++;
    }
    db_finalize(s);
    int rc = 0;
    if (r < 0)
        rc = -1;
    else if (nfound == 1)
        *code = found;
    else if (nfound > 1)
        rc = err_field(e, 422, "communes", "%s : la commune « %s » est ambiguë : %s ou %s ?", col,
                       name, buf_cstr(&cands), last);
    else {
        const char *sg = suggest(cv, name);
        if (*sg)
            rc = err_field(e, 422, "communes",
                           "%s : commune introuvable « %s ». Vouliez-vous dire : %s ?", col, t, sg);
        else
            rc = err_field(e, 422, "communes", "%s : commune introuvable « %s ».", col, t);
    }
    buf_free(&cands);
    return rc;
}

static int is_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

static int structure_lookup(struct action_csv_conv *cv, const char *col, const char *t, int64_t *id,
                            struct err *e)
{
    struct err le = {0};
    if (is_digits(t) && strlen(t) < 15) {
        int64_t v = strtoll(t, NULL, 10);
        if (db_scalar_int(cv->db, &le, 0, "SELECT COUNT(*) FROM structures WHERE id = ?", "i", v) >
            0) {
            *id = v;
            return 0;
        }
        if (le.status) {
            *e = le;
            return -1;
        }
        return err_field(e, 422, "lead_structure", "%s : aucune structure n'a le numéro %s.", col,
                         t);
    }
    struct db_stmt *s;
    if (db_prepare(cv->db, "SELECT id FROM structures WHERE name_norm = ? ORDER BY id", &s, e))
        return -1;
    db_bind_text(s, 1, text_norm(cv->a, t));
    int r, n = 0;
    struct buf ids;
    buf_init(&ids, 0);
    while ((r = db_step(s, e)) == DB_ROW) {
        *id = db_col_int(s, 0);
        buf_printf(&ids, "%s%lld", n ? ", " : "", (long long)*id);
        n++;
    }
    db_finalize(s);
    int rc = 0;
    if (r < 0)
        rc = -1;
    else if (n == 0)
        rc = err_field(e, 422, "lead_structure", "%s : structure introuvable « %s ».", col, t);
    else if (n > 1)
        rc = err_field(e, 422, "lead_structure",
                       "%s : plusieurs structures s'appellent « %s » : donnez son numéro (%s).",
                       col, t, buf_cstr(&ids));
    buf_free(&ids);
    return rc;
}

/* A lookup through the cache (errors are cached too, with the column of their first use). */
static int cached_lookup(struct action_csv_conv *cv, char kind, const char *col, const char *t,
                         const char **code, int64_t *id, struct err *e)
{
    struct cached **slot = cache_slot(cv, kind, t);
    if (!*slot) {
        struct cached *c = arena_alloc(cv->a, sizeof *c);
        c->kind = kind;
        c->key = arena_strdup(cv->a, t);
        int rc = kind == 'c' ? commune_lookup(cv, col, t, &c->code, &c->e)
                             : structure_lookup(cv, col, t, &c->id, &c->e);
        if (rc && c->e.status != 422) {
            *e = c->e; /* a database failure is not remembered */
            return -1;
        }
        *slot = c;
    }
    if ((*slot)->e.status) {
        *e = (*slot)->e;
        return -1;
    }
    if (code)
        *code = (*slot)->code;
    if (id)
        *id = (*slot)->id;
    return 0;
}

/* Items of a list separated by | (and by commas when commas is set), trimmed, empty ones
 * skipped. */
static const char **split(struct arena *a, const char *s, int commas, int *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == '|' || (commas && *p == ',');
    const char **out = arena_alloc(a, sizeof *out * cap);
    *n = 0;
    const char *p = s;
    for (;;) {
        size_t k = strcspn(p, commas ? "|," : "|");
        const char *item = text_trim(a, arena_strndup(a, p, k));
        if (*item)
            out[(*n)++] = item;
        if (!p[k])
            break;
        p += k + 1;
    }
    return out;
}

/* A count or an amount: digits, with spaces as thousands separators allowed; "" is 0. */
static int number(struct arena *a, const char *col, const char *field, const char *raw,
                  int64_t *out, struct err *e)
{
    struct buf b;
    buf_init(&b, 0);
    for (const char *p = raw; *p; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (!strncmp(p, "\xc2\xa0", 2)) { /* no-break space */
            p++;
            continue;
        }
        if (!strncmp(p, "\xe2\x80\xaf", 3)) { /* narrow no-break space */
            p += 2;
            continue;
        }
        buf_putc(&b, *p);
    }
    const char *d = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    /* "12,00" or "12.0": a whole number written with decimals */
    char *dot = strpbrk(d, ",.");
    if (dot && dot > d && dot[1] && strspn(dot + 1, "0") == strlen(dot + 1))
        *dot = 0;
    if (!*d) {
        *out = 0;
        return 0;
    }
    if (!is_digits(d) || strlen(d) > 12)
        return err_field(e, 422, field, "%s : un nombre entier est attendu, pas « %s ».", col, raw);
    *out = strtoll(d, NULL, 10);
    return 0;
}

/* YYYY-MM-DD as is, DD/MM/YYYY turned into it; anything else is refused. "" stays "" (the
 * check of the action says it is required). */
static int date(struct arena *a, const char *col, const char *field, const char *t,
                const char **out, struct err *e)
{
    int d, m, y, k = 0;
    if (!*t) {
        *out = "";
        return 0;
    }
    if (strlen(t) == 10 && t[4] == '-' && t[7] == '-') {
        *out = t;
        return 0;
    }
    if (sscanf(t, "%2d/%2d/%4d%n", &d, &m, &y, &k) == 3 && t[k] == 0 && y >= 1000) {
        *out = arena_printf(a, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    return err_field(e, 422, field, "%s : date attendue (AAAA-MM-JJ ou JJ/MM/AAAA), pas « %s ».",
                     col, t);
}

static int codes(struct arena *a, const struct action_choice *list, const char *col,
                 const char *field, const char *t, const char *const **out, int *n, struct err *e)
{
    const char **items = split(a, t, 1, n);
    for (int i = 0; i < *n; i++) {
        const char *code = action_csv_choice(list, items[i]);
        if (!code)
            return err_field(e, 422, field, "%s : valeur inconnue « %s ».", col, items[i]);
        items[i] = code;
    }
    *out = items;
    return 0;
}

static int yes_no(const char *col, const char *t, int *out, struct err *e)
{
    static const char *const yes[] = {"oui", "o", "1", "yes", "y", "vrai", "true", "x"};
    static const char *const no[] = {"", "non", "n", "0", "no", "faux", "false"};
    struct arena *a = arena_new();
    const char *v = text_norm(a, t);
    int rc = -1;
    for (size_t i = 0; i < sizeof yes / sizeof *yes && rc; i++)
        if (!strcmp(v, yes[i])) {
            *out = 1;
            rc = 0;
        }
    for (size_t i = 0; i < sizeof no / sizeof *no && rc; i++)
        if (!strcmp(v, no[i])) {
            *out = 0;
            rc = 0;
        }
    arena_free(a);
    if (rc)
        return err_field(e, 422, "spectators_include_participants",
                         "%s : « oui » ou « non » est attendu, pas « %s ».", col, t);
    return 0;
}

int action_csv_row(struct action_csv_conv *cv, const struct csv_row *header, const int *map,
                   const struct csv_row *r, int64_t coordination_id, struct action_input *in,
                   struct err *e)
{
    struct arena *a = cv->a;
    memset(in, 0, sizeof *in);
    in->coordination_id = coordination_id;
    in->title = in->description = in->type = in->status = "";
    in->start_date = in->end_date = "";
    for (int i = 0; i < r->n && i < header->n; i++) {
        int f = map[i];
        if (f < 0 || f >= ACSV_NFIELDS)
            continue;
        const char *col = text_trim(a, header->fields[i]);
        if (!*col)
            col = action_csv_columns[f].key;
        const char *fld = action_csv_columns[f].field;
        const char *raw = r->fields[i];
        const char *t = text_trim(a, raw);
        int64_t *num = NULL;
        switch (f) {
        case ACSV_TITLE:
            in->title = t;
            break;
        case ACSV_DESCRIPTION:
            in->description = t;
            break;
        case ACSV_TYPE:
            if (!*t)
                return err_field(e, 422, fld, "%s : le type de l'action est obligatoire.", col);
            if (!(in->type = action_csv_choice(action_types, t)))
                return err_field(e, 422, fld, "%s : type inconnu « %s ».", col, t);
            break;
        case ACSV_STATUS:
            if (*t && !(in->status = action_csv_choice(action_statuses, t)))
                return err_field(e, 422, fld, "%s : statut inconnu « %s ».", col, t);
            break;
        case ACSV_START:
            if (date(a, col, fld, t, &in->start_date, e))
                return -1;
            break;
        case ACSV_END:
            if (date(a, col, fld, t, &in->end_date, e))
                return -1;
            break;
        case ACSV_COMMUNES: {
            int n;
            const char **items = split(a, t, 1, &n);
            if (n > ACTION_COMMUNES_MAX)
                return err_field(e, 422, fld, "%s : au plus %d communes par action.", col,
                                 ACTION_COMMUNES_MAX);
            const char **out = arena_alloc(a, sizeof *out * (size_t)(n + 1));
            for (int k = 0; k < n; k++)
                if (cached_lookup(cv, 'c', col, items[k], &out[k], NULL, e))
                    return -1;
            in->commune_codes = out;
            in->ncommunes = n;
            break;
        }
        case ACSV_LEAD:
            if (*t && cached_lookup(cv, 's', col, t, NULL, &in->lead_structure_id, e))
                return -1;
            break;
        case ACSV_PARTNERS: {
            int n;
            const char **items = split(a, t, 0, &n);
            if (n > ACTION_PARTNERS_MAX)
                return err_field(e, 422, fld, "%s : au plus %d structures partenaires.", col,
                                 ACTION_PARTNERS_MAX);
            int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)(n + 1));
            for (int k = 0; k < n; k++)
                if (cached_lookup(cv, 's', col, items[k], NULL, &ids[k], e)) {
                    e->field = fld;
                    return -1;
                }
            in->partner_ids = ids;
            in->npartners = n;
            break;
        }
        case ACSV_FACILITATORS:
            in->facilitators = split(a, t, 0, &in->nfacilitators);
            break;
        case ACSV_THEMES:
            if (codes(a, action_themes, col, fld, t, &in->themes, &in->nthemes, e))
                return -1;
            break;
        case ACSV_FORMS:
            if (codes(a, action_forms, col, fld, t, &in->forms, &in->nforms, e))
                return -1;
            break;
        case ACSV_PUBLICS:
            if (codes(a, action_publics, col, fld, t, &in->publics, &in->npublics, e))
                return -1;
            break;
        case ACSV_RURAL:
            if (*t && !(in->rural = action_csv_choice(action_rural, t)))
                return err_field(e, 422, fld,
                                 "%s : « oui », « non » ou « auto » est attendu, pas "
                                 "« %s ».",
                                 col, t);
            break;
        case ACSV_SPECTATORS_INCLUDE:
            if (yes_no(col, t, &in->spectators_include_participants, e))
                return -1;
            break;
        case ACSV_P_U12:
            num = &in->p_u12;
            break;
        case ACSV_P_12_17:
            num = &in->p_12_17;
            break;
        case ACSV_P_18_25:
            num = &in->p_18_25;
            break;
        case ACSV_P_O25:
            num = &in->p_o25;
            break;
        case ACSV_FEMALE:
            num = &in->p_female;
            break;
        case ACSV_MALE:
            num = &in->p_male;
            break;
        case ACSV_OTHER:
            num = &in->p_other;
            break;
        case ACSV_SPECTATORS:
            num = &in->spectators;
            break;
        case ACSV_HOURS:
            num = &in->practice_hours;
            break;
        case ACSV_FILMS:
            num = &in->films_made;
            break;
        case ACSV_BUDGET_REQUESTED:
            num = &in->budget_requested;
            break;
        case ACSV_BUDGET_GRANTED:
            num = &in->budget_granted;
            break;
        case ACSV_BUDGET_COFUNDING:
            num = &in->budget_cofunding;
            break;
        }
        if (num) {
            if (number(a, col, fld, t, num, e))
                return -1;
            if ((f == ACSV_FEMALE || f == ACSV_MALE || f == ACSV_OTHER) && *t)
                in->has_gender = 1;
        }
    }
    return 0;
}
