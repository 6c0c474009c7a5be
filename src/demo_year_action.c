/* demo_year_action: one demo action drawn from the network's habits (see demo_year.h): its
 * kind's seasons and length, its communes, structures and facilitators, its publics,
 * participants, spectators and budget, and its status against today. Its title and
 * description come from demo_year_words.c. */
#include <string.h>

#include "action.h"
#include "consent.h"
#include "core/mem.h"
#include "demo_year_internal.h"

/* ---- the network's habits ---- */

static const char *const kind_code[K_COUNT] = {
    "open_air",       "workshop_film",  "workshop_programming",
    "workshop_other", "debate",         "outing",
    "festival",       "discovery",      "meeting",
    "training",       "itinerant_stage"};

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

const char *const demo_year_form_codes[DEMO_YEAR_FORMS] = {"fiction", "documentary", "animation",
                                                           "hybrid"};
static const int form_weight[DEMO_YEAR_FORMS] = {40, 30, 18, 12};

/* ---- one action ---- */

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
    int month = demo_year_weighted(r, months, 12) + 1;
    *d0 = consent_day(year, month, (int)demo_year_between(r, 1, days_in_month(year, month)));
    int64_t len = 0; /* days after the first */
    int holidays = month == 2 || month == 4 || month == 7 || month == 10;
    switch (k) {
    case K_FILM:
        len = holidays && demo_year_chance(r, 0.6) ? demo_year_between(r, 4, 11)
                                                   : demo_year_between(r, 21, 150);
        break;
    case K_PROGRAMMING:
        len = demo_year_between(r, 30, 180);
        break;
    case K_OTHER:
        len = holidays && demo_year_chance(r, 0.5) ? demo_year_between(r, 2, 6)
                                                   : demo_year_between(r, 14, 90);
        break;
    case K_FESTIVAL:
        len = demo_year_between(r, 1, 6);
        break;
    case K_MEETING:
    case K_TRAINING:
        len = demo_year_between(r, 0, 2);
        break;
    case K_ITINERANT:
        len = demo_year_between(r, 1, 5);
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
        n = demo_year_between(r, 10, 15);
        memcpy(band, (int[]){5, 70, 22, 3}, sizeof band);
        in->practice_hours = demo_year_between(r, 20, 60);
    } else if (k == K_PROGRAMMING) {
        n = demo_year_between(r, 6, 12);
        memcpy(band, (int[]){4, 66, 27, 3}, sizeof band);
        in->practice_hours = demo_year_between(r, 10, 30);
    } else {
        /* image workshops often take a whole class or a leisure-centre group */
        n = demo_year_between(r, 16, 48);
        memcpy(band, (int[]){28, 48, 14, 10}, sizeof band);
        in->practice_hours = demo_year_between(r, 6, 30);
    }
    int64_t *slot[4] = {&in->p_u12, &in->p_12_17, &in->p_18_25, &in->p_o25};
    for (int64_t i = 0; i < n; i++)
        (*slot[demo_year_weighted(r, band, 4)])++;
    if (demo_year_chance(r, 0.5)) {
        in->has_gender = 1;
        for (int64_t i = 0; i < n; i++) {
            double u = demo_year_unit(r);
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
        return demo_year_skewed(r, 50, 550, 2);
    case K_DEBATE:
        return demo_year_between(r, 20, 120);
    case K_OUTING:
        return demo_year_between(r, 12, 60);
    case K_FESTIVAL:
        return demo_year_between(r, 20, 120);
    case K_DISCOVERY:
        return demo_year_between(r, 15, 100);
    case K_MEETING:
        return demo_year_between(r, 20, 90);
    case K_TRAINING:
        return demo_year_between(r, 8, 25);
    case K_ITINERANT:
        return demo_year_between(r, 20, 100);
    default: /* a workshop's restitution screening */
        return demo_year_between(r, 20, 150);
    }
}

static int64_t round_to(int64_t v, int64_t step)
{
    return (v + step / 2) / step * step;
}

/* Granted, requested and co-funding, in euros. */
static void draw_budget(struct rng *r, enum kind k, struct action_input *in)
{
    int64_t g;
    if (k == K_FILM)
        g = demo_year_between(r, 3000, 12000);
    else if (is_workshop(k))
        g = demo_year_between(r, 2000, 7000);
    else if (k == K_OPEN_AIR)
        g = demo_year_between(r, 800, 3000);
    else if (is_mediation(k))
        g = demo_year_between(r, 300, 2500);
    else if (k == K_ITINERANT)
        g = demo_year_between(r, 1500, 5000);
    else
        g = demo_year_between(r, 500, 6000);
    in->budget_granted = round_to(g, 50);
    in->budget_requested =
        demo_year_chance(r, 0.2)
            ? in->budget_granted
            : round_to(in->budget_granted + (int64_t)(demo_year_unit(r) * 0.35 * (double)g), 50);
    in->budget_cofunding =
        round_to((int64_t)(demo_year_unit(r) * 0.5 * (double)in->budget_granted), 10);
}

/* Codes drawn from weights, none twice, into out; returns how many. */
static int draw_codes(struct rng *r, const char *const *codes, const int *w, int n, int want,
                      const char **out)
{
    int got = 0, tries = 0;
    while (got < want && tries++ < 20) {
        const char *c = codes[demo_year_weighted(r, w, n)];
        int dup = 0;
        for (int i = 0; i < got; i++)
            dup |= out[i] == c;
        if (!dup)
            out[got++] = c;
    }
    return got;
}

/* Done before today (a few cancelled), in progress around it, planned after. */
static const char *draw_status(struct rng *r, int64_t today, int64_t d0, int64_t d1)
{
    if (d1 < today)
        return demo_year_chance(r, 0.03) ? "cancelled" : "done";
    if (d0 > today)
        return demo_year_chance(r, 0.01) ? "cancelled" : "planned";
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
    if (demo_year_chance(r, qpv))
        d->publics[in->npublics++] = "qpv";
    int inside = is_workshop(k) || k == K_DEBATE || k == K_DISCOVERY;
    if (k != K_OPEN_AIR && demo_year_chance(r, inside ? 0.05 : 0.02))
        d->publics[in->npublics++] = "pjj";
    if (demo_year_chance(r, 0.04))
        d->publics[in->npublics++] = "disability";
    if (inside && demo_year_chance(r, 0.02))
        d->publics[in->npublics++] = "hospital";
    if (inside && demo_year_chance(r, 0.02))
        d->publics[in->npublics++] = "prison";
    in->publics = d->publics;
}

static void draw_people(struct rng *r, struct year_ctx *c, enum kind k, struct draft *d)
{
    struct action_input *in = &d->in;
    int nfac = is_workshop(k)                        ? (demo_year_chance(r, 0.3) ? 2 : 1)
               : k == K_TRAINING || k == K_ITINERANT ? (int)demo_year_between(r, 1, 2)
               : k == K_DEBATE                       ? demo_year_chance(r, 0.6)
               : k == K_DISCOVERY                    ? demo_year_chance(r, 0.5)
               : k == K_FESTIVAL                     ? demo_year_chance(r, 0.3)
               : k == K_MEETING                      ? demo_year_chance(r, 0.5)
               : k == K_OPEN_AIR                     ? demo_year_chance(r, 0.15)
                                                     : 0;
    for (int i = 0; i < nfac && c->nfacilitators > i; i++) {
        const char *f;
        do
            f = c->facilitators[demo_year_between(r, 0, c->nfacilitators - 1)];
        while (i && f == d->facilitators[0]);
        d->facilitators[in->nfacilitators++] = f;
    }
    in->facilitators = d->facilitators;
}

static void draw_structures(struct rng *r, const struct territory *t, const char *commune,
                            struct draft *d)
{
    struct action_input *in = &d->in;
    if (!t->nst || demo_year_chance(r, 0.15))
        return;
    /* a structure of the action's own commune when there is one, mostly */
    int here = -1, seen = 0;
    for (int i = 0; i < t->nst; i++)
        if (!strcmp(t->st[i].commune, commune) && demo_year_between(r, 0, seen++) == 0)
            here = i;
    in->lead_structure_id = here >= 0 && demo_year_chance(r, 0.7)
                                ? t->st[here].id
                                : t->st[demo_year_between(r, 0, t->nst - 1)].id;
    int np = t->nst < 2 ? 0 : demo_year_chance(r, 0.1) ? 2 : demo_year_chance(r, 0.28) ? 1 : 0;
    for (int tries = 0; in->npartners < np && tries < 10; tries++) {
        int64_t id = t->st[demo_year_between(r, 0, t->nst - 1)].id;
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
        if (done && demo_year_chance(r, 0.75)) {
            in->spectators = draw_spectators(r, k);
            in->spectators_include_participants = demo_year_chance(r, 0.4);
        }
        if (done && k == K_FILM) {
            double u = demo_year_unit(r);
            in->films_made = u < 0.08 ? 0 : u < 0.9 ? 1 : 2;
        } else if (done && k == K_OTHER) {
            in->films_made = demo_year_chance(r, 0.1);
        }
        return;
    }
    in->spectators =
        k == K_MEETING && first ? demo_year_between(r, 100, 200) : draw_spectators(r, k);
}

/* One action of kind k into d; 0, or -1 when the territory has no commune. */
int demo_year_draw_action(struct rng *r, struct year_ctx *c, enum kind k, int first,
                          struct draft *d)
{
    const struct territory *t = c->t;
    struct action_input *in = &d->in;
    memset(d, 0, sizeof *d);
    in->coordination_id = t->id;
    in->type = kind_code[k];
    in->is_demo = 1;
    /* communes by population, with a share of small rural ones; stages cross several */
    int want = k == K_ITINERANT ? (int)demo_year_between(r, 2, 6) : 1;
    double small = k == K_ITINERANT ? 0.3 : 0.13;
    const struct commune *where = NULL;
    for (int tries = 0; in->ncommunes < want && tries < 40; tries++) {
        const struct commune *cm =
            demo_year_chance(r, small) ? demo_year_pool_pick(&t->small, r) : NULL;
        if (!cm)
            cm = demo_year_pool_pick(&t->big, r);
        if (!cm)
            cm = demo_year_pool_pick(&t->small, r);
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
    if (where->population >= ACTION_RURAL_POPULATION && where->population < 3500 &&
        demo_year_chance(r, 0.15))
        in->rural = "yes"; /* a small town the coordination counts as rural */
    int64_t d0, d1;
    draw_dates(r, k, c->year, &d0, &d1);
    in->start_date = day_str(c->a, d0);
    in->end_date = day_str(c->a, d1);
    in->status = draw_status(r, c->today, d0, d1);
    draw_structures(r, t, where->code, d);
    draw_people(r, c, k, d);
    double u = demo_year_unit(r);
    in->nthemes = draw_codes(r, theme_codes, theme_weight, NELEM(theme_codes),
                             u < 0.5    ? 1
                             : u < 0.85 ? 2
                                        : 3,
                             d->themes);
    in->themes = d->themes;
    if (k == K_FILM)
        in->nforms = draw_codes(r, demo_year_form_codes, form_weight, NELEM(demo_year_form_codes),
                                demo_year_chance(r, 0.15) ? 2 : 1, d->forms);
    else if (k == K_OTHER && demo_year_chance(r, 0.65))
        d->forms[in->nforms++] = demo_year_chance(r, 0.75) ? "animation" : "hybrid";
    else if (k == K_ITINERANT && demo_year_chance(r, 0.8))
        d->forms[in->nforms++] = demo_year_chance(r, 0.75) ? "documentary" : "hybrid";
    in->forms = d->forms;
    draw_publics(r, k, where->population, d);
    draw_counts(r, k, first, d);
    draw_budget(r, k, in);
    if (!strcmp(in->status, "cancelled"))
        in->budget_granted = in->budget_cofunding = 0;
    demo_year_draw_title(r, c, k, first, where, d);
    return 0;
}
