/* demo_year: years of plausible actions for every coordination of the demo (see
 * demo_year.h): the seeded generator, the territory each coordination works in, and the
 * years, coordination by coordination. Everything is drawn from one small seeded generator, so
 * the same seed gives the same rows; each coordination and year has its own stream, so one
 * territory's data do not depend on the others'. One action is drawn in demo_year_action.c,
 * its title and description in demo_year_words.c. */
#include "demo_year.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "action.h"
#include "consent.h"
#include "core/mem.h"
#include "demo_year_internal.h"

/* ---- the generator: splitmix64, small and good enough for demo data ---- */

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
double demo_year_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
int64_t demo_year_between(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(demo_year_unit(r) * (double)(hi - lo + 1));
}

int demo_year_chance(struct rng *r, double p)
{
    return demo_year_unit(r) < p;
}

/* In [lo, hi], most often near lo: unit^k leans low when k > 1. */
int64_t demo_year_skewed(struct rng *r, int64_t lo, int64_t hi, int k)
{
    double u = demo_year_unit(r), v = u;
    for (int i = 1; i < k; i++)
        v *= u;
    return lo + (int64_t)(v * (double)(hi - lo + 1));
}

/* An index drawn from integer weights (at least one positive). */
int demo_year_weighted(struct rng *r, const int *w, int n)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int64_t x = demo_year_between(r, 0, total - 1);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- the network's habits: how many actions of each kind, who runs them ---- */

/* Per thousand actions of a regional coordination: open air 20 %, film-making 25 %, other
 * practice and programming 10 %, mediation 35 %, meetings, trainings and stages the rest. */
static const int kind_weight[K_COUNT] = {200, 250, 50, 50, 140, 90, 50, 70, 30, 40, 30};

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

static const char *const journeys[] = {"Sur la route",    "Traversées",   "Paysages habités",
                                       "Le fil de l'eau", "Nos villages", "D'un bourg à l'autre"};

/* ---- the territory of each coordination ---- */

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

const struct commune *demo_year_pool_pick(const struct pool *p, struct rng *r)
{
    if (!p->n || p->cum[p->n - 1] <= 0)
        return NULL;
    int64_t x = demo_year_between(r, 0, p->cum[p->n - 1] - 1);
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
        const struct commune *c = demo_year_pool_pick(p, r);
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
                      : c->t->national ? (demo_year_chance(r, 0.4) ? K_MEETING : K_TRAINING)
                                       : (enum kind)demo_year_weighted(r, kind_weight, K_COUNT);
        struct draft d;
        if (demo_year_draw_action(r, c, k, i == 0, &d))
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
                        (1.0 + 0.03 * (2 * demo_year_unit(&yr) - 1));
        struct totals tot = {.written = run.written, .next_analyze = run.next_analyze};
        for (int i = 0; i < nnet; i++) {
            const struct territory *t = &net[i];
            struct rng r = rng_for(seed, t->slug, year);
            int n;
            if (t->national)
                n = (int)demo_year_between(&r, 10, 14);
            else if (!regional_population || !t->population)
                continue;
            else {
                double share = (double)t->population / (double)regional_population;
                n = (int)(target * share * (1.0 + 0.06 * (2 * demo_year_unit(&r) - 1)) + 0.5);
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
