/* demo_year_internal: what demo_year.c (the generator, the territories, the years),
 * demo_year_action.c (one action) and demo_year_words.c (its title) share. Private to the
 * demo_year module. */
#ifndef LANTERNE_DEMO_YEAR_INTERNAL_H
#define LANTERNE_DEMO_YEAR_INTERNAL_H

#include <stdint.h>

#include "action.h"
#include "core/mem.h"

/* ---- the generator (demo_year.c): splitmix64, small and good enough for demo data ---- */

struct rng {
    uint64_t s;
};

/* Uniform in [0, 1). */
double demo_year_unit(struct rng *r);
/* Uniform integer in [lo, hi]. */
int64_t demo_year_between(struct rng *r, int64_t lo, int64_t hi);
/* 1 with probability p. */
int demo_year_chance(struct rng *r, double p);
/* In [lo, hi], most often near lo: unit^k leans low when k > 1. */
int64_t demo_year_skewed(struct rng *r, int64_t lo, int64_t hi, int k);
/* An index drawn from integer weights (at least one positive). */
int demo_year_weighted(struct rng *r, const int *w, int n);

#define NELEM(x) ((int)(sizeof(x) / sizeof *(x)))
#define PICK(r, list) ((list)[demo_year_between((r), 0, NELEM(list) - 1)])

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

/* The forms of a film workshop (demo_year_action.c); demo_year_words.c names them in this order. */
enum { DEMO_YEAR_FORMS = 4 };
extern const char *const demo_year_form_codes[DEMO_YEAR_FORMS];

/* ---- the territory of each coordination (demo_year.c) ---- */

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

/* A commune of p drawn by population; NULL when p is empty. */
const struct commune *demo_year_pool_pick(const struct pool *p, struct rng *r);

/* ---- one action ---- */

/* What one action needs besides its input: the strings live in the arena of its year. */
struct draft {
    struct action_input in;
    const char *communes[6];
    int64_t partners[2];
    const char *facilitators[2];
    const char *themes[3], *forms[2], *publics[5];
};

/* A coordination's year being drawn: the strings live in the arena a. */
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

/* One action of kind k into d (demo_year_action.c); 0, or -1 when the territory has no commune. */
int demo_year_draw_action(struct rng *r, struct year_ctx *c, enum kind k, int first,
                          struct draft *d);
/* The title and description of d, drawn for its kind, commune and forms (demo_year_words.c). */
void demo_year_draw_title(struct rng *r, struct year_ctx *c, enum kind k, int first,
                          const struct commune *where, struct draft *d);

#endif
