/* demo_year_words: the words of a demo action (see demo_year.h): its title and description,
 * from venues, films in the public domain, practices, festivals and training topics of the
 * network. */
#include <string.h>

#include "core/mem.h"
#include "demo_year_internal.h"

/* "Atelier de fiction", "Atelier d'animation"...: demo_year_form_codes, in its order. */
static const char *const form_workshop[DEMO_YEAR_FORMS] = {"de fiction", "documentaire",
                                                           "d'animation", "de création hybride"};

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

/* A venue's name into *name, and "at it" ("à la MJC Colette") into *at (may be NULL). */
static void venue(struct rng *r, struct arena *a, const char **name, const char **at)
{
    int k = (int)demo_year_between(r, 0, NELEM(venue_kinds) - 1);
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

void demo_year_draw_title(struct rng *r, struct year_ctx *c, enum kind k, int first,
                          const struct commune *where, struct draft *d)
{
    struct arena *a = c->a;
    const char *town = where->name, *film = PICK(r, classics);
    const char *fac = d->in.nfacilitators ? d->facilitators[0] : "une équipe de professionnels";
    const char *t = NULL, *desc = NULL, *v;
    switch (k) {
    case K_FILM: {
        const char *form = form_workshop[0], *at;
        for (int i = 0; d->in.nforms && i < NELEM(demo_year_form_codes); i++)
            if (!strcmp(d->in.forms[0], demo_year_form_codes[i]))
                form = form_workshop[i];
        venue(r, a, &v, &at);
        t = arena_printf(a, "Atelier %s — %s, %s", form, v, town);
        desc = demo_year_chance(r, 0.5)
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
