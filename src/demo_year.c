/* demo_year: years of plausible actions for every coordination of the demo (see
 * demo_year.h). Everything is drawn from one small seeded generator, so the same seed gives
 * the same rows; each coordination and year has its own stream, so one territory's data do not
 * depend on the others'. */
#include "demo_year.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "action.h"
#include "consent.h"
#include "core/mem.h"

/* ---- the generator: splitmix64, small and good enough for demo data ---- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A stream of its own for (seed, text, n): FNV-1a of the text, mixed with the rest. */
static struct rng rng_for(uint64_t seed, const char *text, int64_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    struct rng r = {seed ^ h};
    r.s ^= rng_next(&r) + (uint64_t)n * 0xD1B54A32D192ED03ull;
    rng_next(&r);
    return r;
}

/* Uniform in [0, 1). */
static double unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static int64_t between(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(unit(r) * (double)(hi - lo + 1));
}

static int chance(struct rng *r, double p)
{
    return unit(r) < p;
}

/* In [lo, hi], most often near lo: unit^k leans low when k > 1. */
static int64_t skewed(struct rng *r, int64_t lo, int64_t hi, int k)
{
    double u = unit(r), v = u;
    for (int i = 1; i < k; i++)
        v *= u;
    return lo + (int64_t)(v * (double)(hi - lo + 1));
}

/* An index drawn from integer weights (at least one positive). */
static int weighted(struct rng *r, const int *w, int n)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int64_t x = between(r, 0, total - 1);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static int64_t round_to(int64_t v, int64_t step)
{
    return (v + step / 2) / step * step;
}

/* ---- the network's habits ---- */

enum kind {
    K_OPEN_AIR,
    K_FILM,
    K_PROGRAMMING,
    K_OTHER,
    K_DEBATE,
    K_OUTING,
    K_FESTIVAL,
    K_DISCOVERY,
    K_MEETING,
    K_TRAINING,
    K_ITINERANT,
    K_COUNT
};

static const char *const kind_code[K_COUNT] = {
    "open_air",       "workshop_film",  "workshop_programming",
    "workshop_other", "debate",         "outing",
    "festival",       "discovery",      "meeting",
    "training",       "itinerant_stage"};

/* Per thousand actions of a regional coordination: open air 20 %, film-making 25 %, other
 * practice and programming 10 %, mediation 35 %, meetings, trainings and stages the rest. */
static const int kind_weight[K_COUNT] = {200, 250, 50, 50, 140, 90, 50, 70, 30, 40, 30};

/* Start months, January first. Open air in summer; workshops during terms and more in the
 * February, April, July and October holidays; little in August but the summer itself. */
static const int months_open_air[12] = {0, 0, 0, 0, 3, 14, 36, 33, 11, 3, 0, 0};
static const int months_workshop[12] = {7, 12, 8, 12, 7, 5, 13, 3, 6, 13, 9, 5};
static const int months_mediation[12] = {9, 9, 10, 9, 9, 8, 6, 3, 8, 10, 11, 8};
static const int months_meeting[12] = {8, 10, 10, 9, 10, 12, 4, 0, 10, 12, 10, 5};
static const int months_itinerant[12] = {1, 3, 2, 8, 4, 8, 30, 20, 4, 12, 2, 1};

static const char *const theme_codes[] = {
    "youth",    "education", "citizenship", "interculturality", "environment",    "insertion",
    "heritage", "territory", "memory",      "equality",         "discrimination", "digital"};
static const int theme_weight[] = {20, 14, 14, 8, 8, 5, 6, 9, 5, 6, 5, 6};

static const char *const form_codes[] = {"fiction", "documentary", "animation", "hybrid"};
static const int form_weight[] = {40, 30, 18, 12};
/* "Atelier de fiction", "Atelier d'animation"... */
static const char *const form_workshop[] = {"de fiction", "documentaire", "d'animation",
                                            "de création hybride"};

static const char *const first_names[] = {
    "Camille", "Julien",  "Sarah", "Mehdi",  "Claire",  "Thomas",  "Léa",    "Karim",
    "Sophie",  "Nicolas", "Amina", "Hugo",   "Élodie",  "Antoine", "Nadia",  "Maxime",
    "Chloé",   "Rachid",  "Manon", "Pierre", "Inès",    "Vincent", "Julie",  "Samir",
    "Laura",   "Mathieu", "Fatou", "Romain", "Aurélie", "Yann",    "Lucie",  "Olivier",
    "Émilie",  "Bastien", "Leïla", "Damien", "Marion",  "Adrien",  "Salomé", "Jérôme"};
static const char *const last_names[] = {
    "Martin",   "Bernard", "Petit",   "Durand",  "Leroy",    "Moreau",  "Simon",   "Laurent",
    "Lefèvre",  "Michel",  "Garcia",  "David",   "Bertrand", "Roux",    "Vincent", "Fournier",
    "Morel",    "Girard",  "André",   "Mercier", "Dupont",   "Lambert", "Bonnet",  "François",
    "Martinez", "Legrand", "Garnier", "Faure",   "Rousseau", "Blanc",   "Guérin",  "Muller",
    "Henry",    "Roussel", "Nicolas", "Perrin",  "Morin",    "Mathieu", "Clément", "Gauthier"};

/* Kinds of venue, and how "at the venue" begins ("au Collège", "à la MJC"). */
static const struct {
    const char *name, *at;
} venue_kinds[] = {{"Collège", "au"},
                   {"Lycée", "au"},
                   {"Centre social", "au"},
                   {"MJC", "à la"},
                   {"Maison de quartier", "à la"},
                   {"Médiathèque", "à la"},
                   {"Espace jeunes", "à l'"},
                   {"Foyer rural", "au"},
                   {"Lycée professionnel", "au"},
                   {"Accueil de loisirs", "à l'"}};
static const char *const venue_names[] = {
    "Jean-Moulin",     "Louise-Michel", "Simone-Veil",     "Victor-Hugo",      "Jules-Ferry",
    "Aimé-Césaire",    "Marie-Curie",   "Jacques-Prévert", "Olympe-de-Gouges", "Pablo-Neruda",
    "Joséphine-Baker", "Albert-Camus",  "Gisèle-Halimi",   "Jean-Jaurès",      "Colette",
    "Agnès-Varda",     "Léo-Lagrange",  "Lucie-Aubrac",    "Nelson-Mandela",   "Germaine-Tillion",
    "Jean-Zay",        "Paul-Éluard",   "George-Sand",     "Romain-Rolland"};

/* Silent films in the public domain in France (their authors died more than 70 years ago),
 * for open-air screenings and debates. */
static const char *const classics[] = {"Le Voyage dans la Lune",
                                       "Nosferatu le vampire",
                                       "Le Cuirassé Potemkine",
                                       "Nanouk l'Esquimau",
                                       "L'Homme à la caméra",
                                       "Fantômas",
                                       "Les Vampires",
                                       "Judex",
                                       "Le Voyage à travers l'impossible",
                                       "Le Royaume des fées",
                                       "Fièvre",
                                       "La Souriante Madame Beudet",
                                       "L'Aurore",
                                       "Tabou"};

static const char *const other_practices[] = {"stop motion",
                                              "photo et cinéma",
                                              "pré-cinéma et jouets optiques",
                                              "image et son",
                                              "effets spéciaux",
                                              "vidéo et danse",
                                              "cinéma d'animation en papier découpé",
                                              "reportage photo"};

static const char *const discovery_topics[] = {
    "le cinéma muet",      "le court métrage", "le cinéma d'animation", "le documentaire",
    "les effets spéciaux", "le burlesque",     "le pré-cinéma",         "la musique de film"};

static const char *const festivals[] = {"Regards jeunes",    "Courts devant les écrans",
                                        "Image en herbe",    "Écrans mêlés",
                                        "Court toujours",    "Lucarnes",
                                        "Petites lanternes", "Cinéma des cimes"};

static const char *const training_topics[] = {"l'éducation aux images",
                                              "animer un ciné-débat",
                                              "le droit à l'image des mineurs",
                                              "monter un atelier d'animation",
                                              "accompagner un atelier de programmation",
                                              "écrire un projet pour l'appel à projets",
                                              "filmer avec un téléphone",
                                              "l'accessibilité des séances"};

static const char *const journeys[] = {"Sur la route",    "Traversées",   "Paysages habités",
                                       "Le fil de l'eau", "Nos villages", "D'un bourg à l'autre"};

#define NELEM(x) ((int)(sizeof(x) / sizeof *(x)))
#define PICK(r, list) ((list)[between((r), 0, NELEM(list) - 1)])

/* ---- the territory of each coordination ---- */

struct commune {
    const char *code, *name;
    int64_t population;
};

/* Communes drawn by population: cum[i] is the population of communes 0..i. */
struct pool {
    struct commune *c;
    int64_t *cum;
    int n;
};

struct structure_ref {
    int64_t id;
    const char *commune;
};

struct territory {
    int64_t id;
    const char *slug;
    int national;
    int64_t population;
    struct pool big, small; /* communes from ACTION_RURAL_POPULATION inhabitants, and under */
    struct structure_ref *st;
    int nst;
};

static void pool_add(struct arena *a, struct pool *p, int *cap, const struct commune *c)
{
    if (p->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        struct commune *nc = arena_alloc(a, sizeof *nc * (size_t)*cap);
        int64_t *ncum = arena_alloc(a, sizeof *ncum * (size_t)*cap);
        if (p->n) {
            memcpy(nc, p->c, sizeof *nc * (size_t)p->n);
            memcpy(ncum, p->cum, sizeof *ncum * (size_t)p->n);
        }
        p->c = nc;
        p->cum = ncum;
    }
    p->c[p->n] = *c;
    p->cum[p->n] = (p->n ? p->cum[p->n - 1] : 0) + c->population;
    p->n++;
}

static const struct commune *pool_pick(const struct pool *p, struct rng *r)
{
    if (!p->n || p->cum[p->n - 1] <= 0)
        return NULL;
    int64_t x = between(r, 0, p->cum[p->n - 1] - 1);
    int lo = 0, hi = p->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (p->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &p->c[lo];
}

/* k communes of p drawn by population, none twice (fewer when p is small): the places a
 * coordination works in year after year. */
static struct pool pool_subset(struct arena *a, const struct pool *p, int k, struct rng *r)
{
    struct pool out = {0};
    int cap = 0;
    if (k >= p->n) {
        for (int i = 0; i < p->n; i++)
            pool_add(a, &out, &cap, &p->c[i]);
        return out;
    }
    char *used = arena_alloc(a, (size_t)p->n + 1);
    for (int tries = 0; out.n < k && tries < 8 * k; tries++) {
        const struct commune *c = pool_pick(p, r);
        if (!c)
            break;
        if (!used[c - p->c]) {
            used[c - p->c] = 1;
            pool_add(a, &out, &cap, c);
        }
    }
    return out;
}

static int load_territory(struct db *db, struct arena *a, struct territory *t, struct err *e)
{
    struct db_stmt *s;
    /* the national coordination meets in the country's largest cities */
    const char *sql =
        t->national ? "SELECT code, name, population FROM communes WHERE population > 0 "
                      "ORDER BY population DESC, code LIMIT 30"
                    : "SELECT c.code, c.name, c.population FROM communes c JOIN "
                      "coordination_departements cd ON cd.departement_code = c.departement_code "
                      "WHERE cd.coordination_id = ? AND c.population > 0 ORDER BY c.code";
    if (db_prepare(db, sql, &s, e))
        return -1;
    if (!t->national)
        db_bind_int(s, 1, t->id);
    int rc, capb = 0, caps = 0;
    while ((rc = db_step(s, e)) == DB_ROW) {
        struct commune c = {arena_strdup(a, db_col_text(s, 0)), arena_strdup(a, db_col_text(s, 1)),
                            db_col_int(s, 2)};
        t->population += c.population;
        if (c.population < ACTION_RURAL_POPULATION && !t->national)
            pool_add(a, &t->small, &caps, &c);
        else
            pool_add(a, &t->big, &capb, &c);
    }
    db_finalize(s);
    if (rc < 0)
        return -1;
    if (t->national)
        return 0;
    if (db_prepare(db,
                   "SELECT s.id, s.commune_code FROM structures s JOIN communes c ON c.code = "
                   "s.commune_code JOIN coordination_departements cd ON cd.departement_code = "
                   "c.departement_code WHERE cd.coordination_id = ? ORDER BY s.id",
                   &s, e))
        return -1;
    db_bind_int(s, 1, t->id);
    int cap = 0;
    while ((rc = db_step(s, e)) == DB_ROW) {
        if (t->nst == cap) {
            cap = cap ? cap * 2 : 16;
            struct structure_ref *n = arena_alloc(a, sizeof *n * (size_t)cap);
            if (t->nst)
                memcpy(n, t->st, sizeof *n * (size_t)t->nst);
            t->st = n;
        }
        t->st[t->nst].id = db_col_int(s, 0);
        t->st[t->nst].commune = arena_strdup(a, db_col_text(s, 1));
        t->nst++;
    }
    db_finalize(s);
    return rc < 0 ? -1 : 0;
}

/* The coordinations with their territories, national first when there is one. */
static int load_network(struct db *db, struct arena *a, struct territory **out, int *n,
                        struct err *e)
{
    struct db_stmt *s;
    if (db_prepare(db, "SELECT id, slug, kind FROM coordinations ORDER BY id", &s, e))
        return -1;
    int rc, cap = 0;
    *n = 0;
    *out = NULL;
    while ((rc = db_step(s, e)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            struct territory *t = arena_alloc(a, sizeof *t * (size_t)cap);
            if (*n)
                memcpy(t, *out, sizeof *t * (size_t)*n);
            *out = t;
        }
        struct territory *t = &(*out)[(*n)++];
        t->id = db_col_int(s, 0);
        t->slug = arena_strdup(a, db_col_text(s, 1));
        t->national = strcmp(db_col_text(s, 2), "national") == 0;
    }
    db_finalize(s);
    if (rc < 0)
        return -1;
    for (int i = 0; i < *n; i++)
        if (load_territory(db, a, &(*out)[i], e))
            return -1;
    return 0;
}

/* ---- one action ---- */

/* What one action needs besides its input: the strings live in the arena of its year. */
struct draft {
    struct action_input in;
    const char *communes[6];
    int64_t partners[2];
    const char *facilitators[2];
    const char *themes[3], *forms[2], *publics[5];
};

static int is_workshop(enum kind k)
{
    return k == K_FILM || k == K_PROGRAMMING || k == K_OTHER;
}

static int is_mediation(enum kind k)
{
    return k == K_DEBATE || k == K_OUTING || k == K_FESTIVAL || k == K_DISCOVERY;
}

static int days_in_month(int year, int month)
{
    return (int)(consent_day(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) -
                 consent_day(year, month, 1));
}

static const char *day_str(struct arena *a, int64_t day)
{
    char buf[11];
    consent_day_format(day, buf);
    return arena_strdup(a, buf);
}

/* Start and end days: the season of the kind, the length of the kind, within the year. */
static void draw_dates(struct rng *r, enum kind k, int year, int64_t *d0, int64_t *d1)
{
    const int *months = k == K_OPEN_AIR                     ? months_open_air
                        : is_workshop(k)                    ? months_workshop
                        : is_mediation(k)                   ? months_mediation
                        : k == K_MEETING || k == K_TRAINING ? months_meeting
                                                            : months_itinerant;
    int month = weighted(r, months, 12) + 1;
    *d0 = consent_day(year, month, (int)between(r, 1, days_in_month(year, month)));
    int64_t len = 0; /* days after the first */
    int holidays = month == 2 || month == 4 || month == 7 || month == 10;
    switch (k) {
    case K_FILM:
        len = holidays && chance(r, 0.6) ? between(r, 4, 11) : between(r, 21, 150);
        break;
    case K_PROGRAMMING:
        len = between(r, 30, 180);
        break;
    case K_OTHER:
        len = holidays && chance(r, 0.5) ? between(r, 2, 6) : between(r, 14, 90);
        break;
    case K_FESTIVAL:
        len = between(r, 1, 6);
        break;
    case K_MEETING:
    case K_TRAINING:
        len = between(r, 0, 2);
        break;
    case K_ITINERANT:
        len = between(r, 1, 5);
        break;
    default: /* screenings, debates, outings, discovery sessions: one day */
        break;
    }
    int64_t last = consent_day(year, 12, 31);
    *d1 = *d0 + len > last ? last : *d0 + len;
}

/* Participants by age band (and by gender for about half the workshops). */
static void draw_participants(struct rng *r, enum kind k, struct action_input *in)
{
    int64_t n;
    int band[4]; /* per hundred: under 12, 12-17, 18-25, over 25 */
    if (k == K_FILM) {
        n = between(r, 10, 15);
        memcpy(band, (int[]){5, 70, 22, 3}, sizeof band);
        in->practice_hours = between(r, 20, 60);
    } else if (k == K_PROGRAMMING) {
        n = between(r, 6, 12);
        memcpy(band, (int[]){4, 66, 27, 3}, sizeof band);
        in->practice_hours = between(r, 10, 30);
    } else {
        /* image workshops often take a whole class or a leisure-centre group */
        n = between(r, 16, 48);
        memcpy(band, (int[]){28, 48, 14, 10}, sizeof band);
        in->practice_hours = between(r, 6, 30);
    }
    int64_t *slot[4] = {&in->p_u12, &in->p_12_17, &in->p_18_25, &in->p_o25};
    for (int64_t i = 0; i < n; i++)
        (*slot[weighted(r, band, 4)])++;
    if (chance(r, 0.5)) {
        in->has_gender = 1;
        for (int64_t i = 0; i < n; i++) {
            double u = unit(r);
            if (u < 0.49)
                in->p_female++;
            else if (u < 0.98)
                in->p_male++;
            else
                in->p_other++;
        }
    }
}

static int64_t draw_spectators(struct rng *r, enum kind k)
{
    switch (k) {
    case K_OPEN_AIR:
        return skewed(r, 50, 550, 2);
    case K_DEBATE:
        return between(r, 20, 120);
    case K_OUTING:
        return between(r, 12, 60);
    case K_FESTIVAL:
        return between(r, 20, 120);
    case K_DISCOVERY:
        return between(r, 15, 100);
    case K_MEETING:
        return between(r, 20, 90);
    case K_TRAINING:
        return between(r, 8, 25);
    case K_ITINERANT:
        return between(r, 20, 100);
    default: /* a workshop's restitution screening */
        return between(r, 20, 150);
    }
}

/* Granted, requested and co-funding, in euros. */
static void draw_budget(struct rng *r, enum kind k, struct action_input *in)
{
    int64_t g;
    if (k == K_FILM)
        g = between(r, 3000, 12000);
    else if (is_workshop(k))
        g = between(r, 2000, 7000);
    else if (k == K_OPEN_AIR)
        g = between(r, 800, 3000);
    else if (is_mediation(k))
        g = between(r, 300, 2500);
    else if (k == K_ITINERANT)
        g = between(r, 1500, 5000);
    else
        g = between(r, 500, 6000);
    in->budget_granted = round_to(g, 50);
    in->budget_requested =
        chance(r, 0.2) ? in->budget_granted
                       : round_to(in->budget_granted + (int64_t)(unit(r) * 0.35 * (double)g), 50);
    in->budget_cofunding = round_to((int64_t)(unit(r) * 0.5 * (double)in->budget_granted), 10);
}

/* A venue's name into *name, and "at it" ("à la MJC Colette") into *at (may be NULL). */
static void venue(struct rng *r, struct arena *a, const char **name, const char **at)
{
    int k = (int)between(r, 0, NELEM(venue_kinds) - 1);
    const char *who = PICK(r, venue_names);
    *name = arena_printf(a, "%s %s", venue_kinds[k].name, who);
    if (at)
        *at = arena_printf(a, "%s%s%s %s", venue_kinds[k].at,
                           strcmp(venue_kinds[k].at, "à l'") ? " " : "", venue_kinds[k].name, who);
}

/* "de Paris", "d'Amiens", "d'Évreux". */
static const char *of_town(struct arena *a, const char *town)
{
    static const char *const vowels[] = {"A", "E", "I", "O", "U", "Y", "É",
                                         "È", "Ê", "Î", "Ô", "Â", "Œ"};
    for (int i = 0; i < NELEM(vowels); i++)
        if (!strncmp(town, vowels[i], strlen(vowels[i])))
            return arena_printf(a, "d'%s", town);
    return arena_printf(a, "de %s", town);
}

/* Codes drawn from weights, none twice, into out; returns how many. */
static int draw_codes(struct rng *r, const char *const *codes, const int *w, int n, int want,
                      const char **out)
{
    int got = 0, tries = 0;
    while (got < want && tries++ < 20) {
        const char *c = codes[weighted(r, w, n)];
        int dup = 0;
        for (int i = 0; i < got; i++)
            dup |= out[i] == c;
        if (!dup)
            out[got++] = c;
    }
    return got;
}

struct year_ctx {
    struct arena *a;
    const struct territory *t;
    int year;
    int64_t today;
    const char **facilitators; /* the coordination's regular facilitators */
    int nfacilitators;
    const char *journey; /* this year's itinerant workshop */
    int stage;
};

static void draw_title(struct rng *r, struct year_ctx *c, enum kind k, int first,
                       const struct commune *where, struct draft *d)
{
    struct arena *a = c->a;
    const char *town = where->name, *film = PICK(r, classics);
    const char *fac = d->in.nfacilitators ? d->facilitators[0] : "une équipe de professionnels";
    const char *t = NULL, *desc = NULL, *v;
    switch (k) {
    case K_FILM: {
        const char *form = form_workshop[0], *at;
        for (int i = 0; d->in.nforms && i < NELEM(form_codes); i++)
            if (!strcmp(d->in.forms[0], form_codes[i]))
                form = form_workshop[i];
        venue(r, a, &v, &at);
        t = arena_printf(a, "Atelier %s — %s, %s", form, v, town);
        desc = chance(r, 0.5)
                   ? arena_printf(a,
                                  "Les jeunes %s écrivent, tournent et montent un court "
                                  "métrage avec %s. Le film est projeté en fin d'atelier.",
                                  of_town(a, town), fac)
                   : arena_printf(a,
                                  "Un atelier de réalisation %s : de l'idée au montage, "
                                  "accompagné par %s.",
                                  at, fac);
        break;
    }
    case K_PROGRAMMING:
        venue(r, a, &v, NULL);
        t = arena_printf(a, "Atelier de programmation — %s, %s", v, town);
        desc = arena_printf(a,
                            "Les jeunes choisissent les films d'une séance publique à %s, "
                            "préparent leur présentation et animent le débat.",
                            town);
        break;
    case K_OTHER: {
        const char *p = PICK(r, other_practices);
        venue(r, a, &v, NULL);
        t = arena_printf(a, "Atelier %s — %s, %s", p, v, town);
        desc = arena_printf(a, "Un atelier de pratique de l'image (%s) mené avec %s.", p, fac);
        break;
    }
    case K_OPEN_AIR:
        t = arena_printf(a, "Séance plein air : %s à %s", film, town);
        desc = arena_printf(a,
                            "Une projection en plein air, gratuite et ouverte à tous, "
                            "préparée avec les jeunes du quartier. Film : %s.",
                            film);
        break;
    case K_DEBATE:
        t = arena_printf(a, "Ciné-débat autour de « %s » — %s", film, town);
        desc = arena_printf(a, "Projection suivie d'un débat avec le public, animé par %s.", fac);
        break;
    case K_OUTING:
        venue(r, a, &v, NULL);
        t = arena_printf(a, "Sortie au cinéma — %s, %s", v, town);
        desc = arena_printf(a, "Un groupe découvre une salle de cinéma, la cabine de projection "
                               "et un film choisi ensemble.");
        break;
    case K_FESTIVAL: {
        const char *f = PICK(r, festivals);
        t = arena_printf(a, "Parcours festival « %s » — jeunes %s", f, of_town(a, town));
        desc = arena_printf(a,
                            "Des jeunes suivent le festival « %s » : séances, rencontres avec "
                            "des réalisateurs et un jury de jeunes.",
                            f);
        break;
    }
    case K_DISCOVERY: {
        const char *topic = PICK(r, discovery_topics);
        t = arena_printf(a, "Séance découverte : %s — %s", topic, town);
        desc = arena_printf(a, "Une séance pour découvrir %s, avec des extraits et un échange.",
                            topic);
        break;
    }
    case K_MEETING:
        if (c->t->national && first) {
            t = arena_printf(a, "Rencontres nationales Passeurs d'images %d", c->year);
            desc = arena_printf(a, "Les coordinations régionales et leurs partenaires se "
                                   "retrouvent : projections de films d'ateliers, tables rondes.");
        } else if (first) {
            t = arena_printf(a, "Rencontre régionale %d — %s", c->year, town);
            desc = arena_printf(a, "Jeunes et professionnels de la région se retrouvent : "
                                   "projection des films d'ateliers de l'année, débats, ateliers "
                                   "de découverte.");
        } else {
            t = arena_printf(a, "%s — %s",
                             c->t->national ? "Réunion du réseau des coordinations"
                                            : "Réunion des partenaires",
                             town);
            desc = arena_printf(a, "Bilan des actions en cours et préparation de la saison.");
        }
        break;
    case K_TRAINING: {
        const char *topic = PICK(r, training_topics);
        t = arena_printf(a, "%s : %s", c->t->national ? "Formation nationale" : "Formation", topic);
        desc = arena_printf(a,
                            "Un module pour les professionnels de la jeunesse, de l'éducation "
                            "et de la culture, à %s.",
                            town);
        break;
    }
    case K_ITINERANT:
        t = arena_printf(a, "Atelier itinérant « %s » — étape %d : %s", c->journey, ++c->stage,
                         town);
        desc = arena_printf(a,
                            "Une étape de l'atelier itinérant : les jeunes filment le "
                            "territoire et ses habitants, %s aux communes voisines.",
                            of_town(a, town));
        break;
    default:
        break;
    }
    d->in.title = t;
    d->in.description = desc;
}

/* Done before today (a few cancelled), in progress around it, planned after. */
static const char *draw_status(struct rng *r, int64_t today, int64_t d0, int64_t d1)
{
    if (d1 < today)
        return chance(r, 0.03) ? "cancelled" : "done";
    if (d0 > today)
        return chance(r, 0.01) ? "cancelled" : "planned";
    return "in_progress";
}

static void draw_publics(struct rng *r, enum kind k, int64_t population, struct draft *d)
{
    struct action_input *in = &d->in;
    if (k == K_MEETING || k == K_TRAINING)
        return;
    /* priority neighbourhoods are in towns; open-air screenings go there most */
    double qpv = population >= 10000  ? (k == K_OPEN_AIR ? 0.72 : 0.5)
                 : population >= 5000 ? 0.2
                                      : 0;
    if (chance(r, qpv))
        d->publics[in->npublics++] = "qpv";
    int inside = is_workshop(k) || k == K_DEBATE || k == K_DISCOVERY;
    if (k != K_OPEN_AIR && chance(r, inside ? 0.05 : 0.02))
        d->publics[in->npublics++] = "pjj";
    if (chance(r, 0.04))
        d->publics[in->npublics++] = "disability";
    if (inside && chance(r, 0.02))
        d->publics[in->npublics++] = "hospital";
    if (inside && chance(r, 0.02))
        d->publics[in->npublics++] = "prison";
    in->publics = d->publics;
}

static void draw_people(struct rng *r, struct year_ctx *c, enum kind k, struct draft *d)
{
    struct action_input *in = &d->in;
    int nfac = is_workshop(k)                        ? (chance(r, 0.3) ? 2 : 1)
               : k == K_TRAINING || k == K_ITINERANT ? (int)between(r, 1, 2)
               : k == K_DEBATE                       ? chance(r, 0.6)
               : k == K_DISCOVERY                    ? chance(r, 0.5)
               : k == K_FESTIVAL                     ? chance(r, 0.3)
               : k == K_MEETING                      ? chance(r, 0.5)
               : k == K_OPEN_AIR                     ? chance(r, 0.15)
                                                     : 0;
    for (int i = 0; i < nfac && c->nfacilitators > i; i++) {
        const char *f;
        do
            f = c->facilitators[between(r, 0, c->nfacilitators - 1)];
        while (i && f == d->facilitators[0]);
        d->facilitators[in->nfacilitators++] = f;
    }
    in->facilitators = d->facilitators;
}

static void draw_structures(struct rng *r, const struct territory *t, const char *commune,
                            struct draft *d)
{
    struct action_input *in = &d->in;
    if (!t->nst || chance(r, 0.15))
        return;
    /* a structure of the action's own commune when there is one, mostly */
    int here = -1, seen = 0;
    for (int i = 0; i < t->nst; i++)
        if (!strcmp(t->st[i].commune, commune) && between(r, 0, seen++) == 0)
            here = i;
    in->lead_structure_id =
        here >= 0 && chance(r, 0.7) ? t->st[here].id : t->st[between(r, 0, t->nst - 1)].id;
    int np = t->nst < 2 ? 0 : chance(r, 0.1) ? 2 : chance(r, 0.28) ? 1 : 0;
    for (int tries = 0; in->npartners < np && tries < 10; tries++) {
        int64_t id = t->st[between(r, 0, t->nst - 1)].id;
        if (id != in->lead_structure_id && (!in->npartners || id != d->partners[0]))
            d->partners[in->npartners++] = id;
    }
    in->partner_ids = d->partners;
}

static void draw_counts(struct rng *r, enum kind k, int first, struct draft *d)
{
    struct action_input *in = &d->in;
    const char *st = in->status;
    if (!strcmp(st, "cancelled") || !strcmp(st, "planned"))
        return;
    int done = !strcmp(st, "done");
    if (is_workshop(k)) {
        draw_participants(r, k, in);
        if (done && chance(r, 0.75)) {
            in->spectators = draw_spectators(r, k);
            in->spectators_include_participants = chance(r, 0.4);
        }
        if (done && k == K_FILM) {
            double u = unit(r);
            in->films_made = u < 0.08 ? 0 : u < 0.9 ? 1 : 2;
        } else if (done && k == K_OTHER) {
            in->films_made = chance(r, 0.1);
        }
        return;
    }
    in->spectators = k == K_MEETING && first ? between(r, 100, 200) : draw_spectators(r, k);
}

/* One action of kind k into d; 0, or -1 when the territory has no commune. */
static int draw_action(struct rng *r, struct year_ctx *c, enum kind k, int first, struct draft *d)
{
    const struct territory *t = c->t;
    struct action_input *in = &d->in;
    memset(d, 0, sizeof *d);
    in->coordination_id = t->id;
    in->type = kind_code[k];
    in->is_demo = 1;
    /* communes by population, with a share of small rural ones; stages cross several */
    int want = k == K_ITINERANT ? (int)between(r, 2, 6) : 1;
    double small = k == K_ITINERANT ? 0.3 : 0.13;
    const struct commune *where = NULL;
    for (int tries = 0; in->ncommunes < want && tries < 40; tries++) {
        const struct commune *cm = chance(r, small) ? pool_pick(&t->small, r) : NULL;
        if (!cm)
            cm = pool_pick(&t->big, r);
        if (!cm)
            cm = pool_pick(&t->small, r);
        if (!cm)
            break;
        int dup = 0;
        for (int i = 0; i < in->ncommunes; i++)
            dup |= d->communes[i] == cm->code;
        if (dup)
            continue;
        d->communes[in->ncommunes++] = cm->code;
        if (!where)
            where = cm;
    }
    if (!where)
        return -1;
    in->commune_codes = d->communes;
    if (where->population >= ACTION_RURAL_POPULATION && where->population < 3500 && chance(r, 0.15))
        in->rural = "yes"; /* a small town the coordination counts as rural */
    int64_t d0, d1;
    draw_dates(r, k, c->year, &d0, &d1);
    in->start_date = day_str(c->a, d0);
    in->end_date = day_str(c->a, d1);
    in->status = draw_status(r, c->today, d0, d1);
    draw_structures(r, t, where->code, d);
    draw_people(r, c, k, d);
    double u = unit(r);
    in->nthemes = draw_codes(r, theme_codes, theme_weight, NELEM(theme_codes),
                             u < 0.5    ? 1
                             : u < 0.85 ? 2
                                        : 3,
                             d->themes);
    in->themes = d->themes;
    if (k == K_FILM)
        in->nforms = draw_codes(r, form_codes, form_weight, NELEM(form_codes),
                                chance(r, 0.15) ? 2 : 1, d->forms);
    else if (k == K_OTHER && chance(r, 0.65))
        d->forms[in->nforms++] = chance(r, 0.75) ? "animation" : "hybrid";
    else if (k == K_ITINERANT && chance(r, 0.8))
        d->forms[in->nforms++] = chance(r, 0.75) ? "documentary" : "hybrid";
    in->forms = d->forms;
    draw_publics(r, k, where->population, d);
    draw_counts(r, k, first, d);
    draw_budget(r, k, in);
    if (!strcmp(in->status, "cancelled"))
        in->budget_granted = in->budget_cofunding = 0;
    draw_title(r, c, k, first, where, d);
    return 0;
}

/* ---- the years ---- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

struct totals {
    int64_t actions, reached, participants, films;
    int64_t written, next_analyze; /* over the whole run */
};

static void add_totals(struct totals *s, const struct action_input *in)
{
    if (!strcmp(in->status, "cancelled"))
        return;
    struct action a = {.p_u12 = in->p_u12,
                       .p_12_17 = in->p_12_17,
                       .p_18_25 = in->p_18_25,
                       .p_o25 = in->p_o25,
                       .spectators = in->spectators,
                       .spectators_include_participants = in->spectators_include_participants};
    s->actions++;
    s->reached += action_reached(&a);
    s->participants += action_participants(&a);
    s->films += in->films_made;
}

/* The coordination's regular facilitators, the same every year. */
static void facilitators_of(struct arena *a, uint64_t seed, const struct territory *t,
                            struct year_ctx *c)
{
    struct rng r = rng_for(seed, t->slug, -1);
    int n = 6 + (int)(t->population / 600000);
    if (n > 16)
        n = 16;
    c->facilitators = arena_alloc(a, sizeof *c->facilitators * (size_t)n);
    for (int i = 0; i < n; i++)
        c->facilitators[i] = arena_printf(a, "%s %s", PICK(&r, first_names), PICK(&r, last_names));
    c->nfacilitators = n;
}

static int coordination_year(struct db *db, const struct account *actor, struct year_ctx *c, int n,
                             struct rng *r, struct totals *tot, struct err *e)
{
    if (db_begin(db, e))
        return -1;
    c->journey = PICK(r, journeys);
    c->stage = 0;
    for (int i = 0; i < n; i++) {
        enum kind k = i == 0           ? K_MEETING
                      : c->t->national ? (chance(r, 0.4) ? K_MEETING : K_TRAINING)
                                       : (enum kind)weighted(r, kind_weight, K_COUNT);
        struct draft d;
        if (draw_action(r, c, k, i == 0, &d))
            break;
        int64_t id;
        if (action_create(db, actor, &d.in, &id, e)) {
            db_rollback(db);
            return -1;
        }
        add_totals(tot, &d.in);
    }
    /* PostgreSQL plans the foreign-key checks of the lists once per connection: planned while
     * actions was empty, they scan it whole for every row (25 s a year when the demo runs in
     * one transaction). Fresh statistics make it plan them again, on the primary key: each
     * time the rows written have doubled. */
    tot->written += n;
    if (tot->written >= tot->next_analyze && !strcmp(db_dialect(db), "postgresql")) {
        tot->next_analyze = tot->written * 2;
        if (db_exec(db,
                    "ANALYZE actions, action_communes, action_tags, action_facilitators, "
                    "action_partners",
                    e)) {
            db_rollback(db);
            return -1;
        }
    }
    return db_commit(db, e);
}

int demo_year_generate_on(struct db *db, int first_year, int last_year, uint64_t seed,
                          int64_t today, FILE *out, struct err *e)
{
    if (first_year > last_year || first_year < ACTION_YEAR_MIN || last_year > ACTION_YEAR_MAX ||
        last_year - first_year >= DEMO_YEAR_MAX_YEARS)
        return err_set(e, 422, "Les années de démonstration vont de %d à %d, %d au plus.",
                       ACTION_YEAR_MIN, ACTION_YEAR_MAX, DEMO_YEAR_MAX_YEARS);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct arena *a = arena_new();
    int rc = -1;
    struct err le = {0};
    int64_t admin = db_scalar_int(
        db, &le, 0,
        "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id LIMIT 1", "");
    if (le.status) {
        *e = le;
        goto done;
    }
    if (!admin) {
        err_set(e, 500,
                "Aucun compte administrateur : les actions de démonstration ne peuvent "
                "pas être créées.");
        goto done;
    }
    struct account actor = {.id = admin, .role = ROLE_ADMIN};
    struct territory *net;
    int nnet;
    if (load_network(db, a, &net, &nnet, e))
        goto done;
    int64_t regional_population = 0;
    for (int i = 0; i < nnet; i++)
        if (!net[i].national)
            regional_population += net[i].population;
    /* Each coordination returns to the same towns and villages year after year: about one
     * place for five actions in towns, one for twelve in villages under 2,000 inhabitants. */
    for (int i = 0; i < nnet; i++) {
        struct territory *t = &net[i];
        if (t->national || !regional_population)
            continue;
        struct rng r = rng_for(seed, t->slug, -2);
        double n = DEMO_YEAR_NETWORK_ACTIONS * (double)t->population / (double)regional_population;
        t->big = pool_subset(a, &t->big, 3 + (int)(n / 5), &r);
        t->small = pool_subset(a, &t->small, 2 + (int)(n / 12), &r);
    }
    struct year_ctx *ctx = arena_alloc(a, sizeof *ctx * (size_t)(nnet ? nnet : 1));
    for (int i = 0; i < nnet; i++) {
        ctx[i].t = &net[i];
        facilitators_of(a, seed, &net[i], &ctx[i]);
    }
    char buf[11];
    consent_day_format(today, buf);
    int current = atoi(buf);
    struct totals run = {.next_analyze = 50};
    for (int year = first_year; year <= last_year; year++) {
        /* the network's size this year: a slight upward trend and a few percent either way */
        struct rng yr = rng_for(seed, "network", year);
        double target = DEMO_YEAR_NETWORK_ACTIONS * (1.0 + 0.015 * (year - current + 1)) *
                        (1.0 + 0.03 * (2 * unit(&yr) - 1));
        struct totals tot = {.written = run.written, .next_analyze = run.next_analyze};
        for (int i = 0; i < nnet; i++) {
            const struct territory *t = &net[i];
            struct rng r = rng_for(seed, t->slug, year);
            int n;
            if (t->national)
                n = (int)between(&r, 10, 14);
            else if (!regional_population || !t->population)
                continue;
            else {
                double share = (double)t->population / (double)regional_population;
                n = (int)(target * share * (1.0 + 0.06 * (2 * unit(&r) - 1)) + 0.5);
                if (n < 12)
                    n = 12;
            }
            ctx[i].a = arena_new();
            ctx[i].year = year;
            ctx[i].today = today;
            int crc = coordination_year(db, &actor, &ctx[i], n, &r, &tot, e);
            arena_free(ctx[i].a);
            if (crc)
                goto done;
        }
        run = tot;
        if (out)
            fprintf(out,
                    "Demo year %d: %lld actions (not cancelled), %lld people reached, %lld "
                    "workshop participants, %lld films.\n",
                    year, (long long)tot.actions, (long long)tot.reached,
                    (long long)tot.participants, (long long)tot.films);
    }
    if (out)
        fprintf(out, "Demo actions: %d years in %.1f s.\n", last_year - first_year + 1,
                seconds_since(&t0));
    rc = 0;
done:
    arena_free(a);
    return rc;
}

int demo_year_generate(struct db *db, int first_year, int last_year, uint64_t seed, FILE *out,
                       struct err *e)
{
    return demo_year_generate_on(db, first_year, last_year, seed, consent_today(), out, e);
}
