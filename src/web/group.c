/* web/group: the workshop group pages (list, page, form), their participants and consents,
 * and the group's audit log. Every visibility decision is asked of src/visibility.h. */
#include "web/handlers.h"
#include "audit.h"
#include "consent.h"
#include "group.h"
#include "participant.h"
#include "structure.h"
#include "visibility.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A coordinator's or an admin's structure select is read in pages of this size, up to
 * STRUCTURE_OPTIONS_MAX options: a select longer than that is no use to anyone. */
enum { STRUCTURE_OPTIONS_MAX = 2000 };

static const char *const GROUP_NOT_FOUND = N_("Groupe introuvable.");

/* ---- helpers ---- */

/* A ticked checkbox: present and not empty (a browser sends its value only when ticked). */
static int checked(struct ctx *c, const char *name)
{
    const char *v = http_form(c->r, name);
    return v && *v;
}

static json_t *errors_json(const struct err *e)
{
    json_t *o = json_object();
    if (e && e->status && e->field)
        json_object_set_new(o, e->field, json_string(e->msg));
    return o;
}

/* errors, and the summary above the form (field_error/field_message or error). */
static void set_errors(json_t *m, const struct err *e)
{
    json_object_set_new(m, "errors", errors_json(e));
    if (e && e->status && e->field) {
        json_object_set_new(m, "field_error", json_string(e->field));
        json_object_set_new(m, "field_message", json_string(e->msg));
    } else if (e && e->status) {
        json_object_set_new(m, "error", json_string(e->msg));
    }
}

static const char *status_label(struct ctx *c, const char *code)
{
    const char *l = group_status_label(code);
    return l ? web_t(c, l) : code;
}

static const char *level_label(struct ctx *c, enum vis_level l)
{
    return web_t(c, visibility_level_label(l));
}

/* Unix seconds as "YYYY-MM-DD HH:MM" in the server's time zone (Europe/Paris in production). */
static const char *time_str(struct ctx *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!localtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm))
        return "";
    return arena_strdup(c->a, buf);
}

static const char *group_url(struct ctx *c, const struct group *g, const char *suffix)
{
    return arena_printf(c->a, "/groupes/%s%s", g->slug, suffix ? suffix : "");
}

/* The group of the {slug} segment, if the viewer may see it. A group the viewer may not
 * see answers the same 404 as no group at all, so its existence does not leak. 0, or -1
 * once the answer is sent (*rc its result). */
int web_group_load(struct ctx *c, struct group *g, int *rc)
{
    struct err e = {0};
    struct db *db = web_db(c);
    if (group_get_by_slug(db, c->a, web_param(c, 0), g, &e)) {
        *rc = e.status == 404 ? web_error(c, 404, GROUP_NOT_FOUND) : web_err(c, &e);
        return -1;
    }
    if (!visibility_can_see_group(db, web_viewer(c), g)) {
        *rc = web_error(c, 404, GROUP_NOT_FOUND);
        return -1;
    }
    return 0;
}

/* load_visible, then the right to manage the group (403). */
int web_group_load_managed(struct ctx *c, struct group *g, int *rc)
{
    if (web_group_load(c, g, rc))
        return -1;
    if (!group_can_manage(web_db(c), &c->user, g)) {
        *rc = web_error(c, 403,
                        "Seuls les encadrants du groupe et sa coordination peuvent le gérer.");
        return -1;
    }
    return 0;
}

/* The participant of the {id} segment, which must belong to g (404 otherwise). */
int web_group_load_participant(struct ctx *c, const struct group *g, struct participant *p, int *rc)
{
    int64_t id;
    struct err e = {0};
    if (web_parse_id(web_param(c, 1), &id) || participant_get(web_db(c), c->a, id, p, &e) ||
        p->group_id != g->id) {
        *rc = e.status && e.status != 404 ? web_err(c, &e)
                                          : web_error(c, 404, "Participant introuvable.");
        return -1;
    }
    return 0;
}

static json_t *group_json(struct ctx *c, const struct group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(g->id));
    json_object_set_new(o, "slug", web_str(g->slug));
    json_object_set_new(o, "title", web_str(g->title));
    json_object_set_new(o, "year", json_integer(g->year));
    json_object_set_new(o, "structure_id", json_integer(g->structure_id));
    json_object_set_new(o, "structure_name", web_str(g->structure_name));
    json_object_set_new(o, "description", web_str(g->description));
    json_object_set_new(o, "status_label", web_str(status_label(c, g->status)));
    json_object_set_new(o, "visibility_label", web_str(level_label(c, g->visibility)));
    json_object_set_new(o, "is_protected", json_boolean(g->is_protected));
    json_object_set_new(o, "is_public",
                        json_boolean(!g->is_protected && g->visibility == VIS_PUBLIC));
    json_t *fac = json_array();
    const char *p = g->facilitators ? g->facilitators : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n)
            json_array_append_new(fac, web_str(arena_strndup(c->a, p, n)));
        p += n;
        if (*p)
            p++;
    }
    json_object_set_new(o, "has_facilitators", json_boolean(json_array_size(fac) > 0));
    json_object_set_new(o, "facilitators", fac);
    return o;
}

/* ---- the list ---- */

int web_group_list(struct ctx *c)
{
    struct err e = {0};
    struct group_filter f = {.viewer = web_viewer(c),
                             .page = web_parse_page(http_query(c->r, "page")),
                             .per_page = GROUP_PER_PAGE_DEFAULT};
    struct group *items;
    int n;
    int64_t total;
    if (group_list(web_db(c), c->a, &f, &items, &n, &total, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, group_json(c, &items[i]));
    json_object_set_new(m, "items", arr);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total_label",
                        web_str(total == 0   ? web_t(c, "Aucun groupe")
                                : total == 1 ? web_t(c, "1 groupe")
                                             : web_tf(c, "%lld groupes", (long long)total)));
    int pages = (int)((total + f.per_page - 1) / f.per_page);
    if (pages < 1)
        pages = 1;
    json_object_set_new(m, "paginated", json_boolean(pages > 1));
    json_object_set_new(m, "page_label", web_str(web_tf(c, "Page %d sur %d", f.page, pages)));
    if (f.page > 1)
        json_object_set_new(m, "prev_url",
                            json_string(arena_printf(c->a, "/groupes?page=%d", f.page - 1)));
    if (f.page < pages)
        json_object_set_new(m, "next_url",
                            json_string(arena_printf(c->a, "/groupes?page=%d", f.page + 1)));
    json_object_set_new(m, "can_create", json_boolean(web_is(c, ROLE_SUPERVISOR)));
    c->indexable = 1;
    return web_page(c, 200, "group/list", m);
}

/* ---- the group page ---- */

int web_group_show(struct ctx *c)
{
    struct group g;
    int rc;
    struct err e = {0};
    struct db *db = web_db(c);
    if (web_group_load(c, &g, &rc))
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(c, &g));
    int can_manage = c->user.role != ROLE_ANON && group_can_manage(db, &c->user, &g);
    json_object_set_new(m, "can_manage", json_boolean(can_manage));
    json_object_set_new(m, "can_read_audit",
                        json_boolean(can_manage || (c->user.role != ROLE_ANON &&
                                                    audit_can_read(&c->user, g.coordination_id))));
    int names = visibility_can_see_names(db, web_viewer(c), &g);
    json_object_set_new(m, "show_names", json_boolean(names));
    if (names) {
        struct participant *ps;
        int n;
        if (participant_list(db, c->a, g.id, &ps, &n, &e)) {
            json_decref(m);
            return web_err(c, &e);
        }
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, web_str(ps[i].display_name));
        json_object_set_new(m, "participants", arr);
        json_object_set_new(m, "has_participants", json_boolean(n > 0));
    }
    web_showcase_group(c, &g);
    web_photo_cover(c, m, &g);
    web_film_group_model(c, m, &g);
    return web_page(c, 200, "group/show", m);
}

/* ---- the form ---- */

/* The structures u may host a group in: a supervisor's own, a coordinator's territory,
 * all for an admin. Options marked selected for sel. */
static int structure_options(struct ctx *c, int64_t sel, json_t **out, struct err *e)
{
    struct db *db = web_db(c);
    json_t *arr = json_array();
    if (c->user.role == ROLE_SUPERVISOR) {
        int64_t *ids;
        int n;
        if (account_structures(db, c->a, c->user.id, &ids, &n, e))
            goto fail;
        for (int i = 0; i < n; i++) {
            struct structure s;
            if (structure_get(db, c->a, ids[i], &s, e))
                goto fail;
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(s.id));
            json_object_set_new(o, "name", web_str(s.name));
            json_object_set_new(o, "selected", json_boolean(s.id == sel));
            json_array_append_new(arr, o);
        }
    } else if (c->user.role >= ROLE_COORDINATOR) {
        struct structure_filter f = {.per_page = STRUCTURE_PER_PAGE_MAX};
        if (c->user.role == ROLE_COORDINATOR)
            f.coordination_id = c->user.coordination_id > 0 ? c->user.coordination_id : -1;
        for (f.page = 1; json_array_size(arr) < STRUCTURE_OPTIONS_MAX; f.page++) {
            struct structure *items;
            int n;
            int64_t total;
            if (structure_list(db, c->a, &f, &items, &n, &total, e))
                goto fail;
            for (int i = 0; i < n; i++) {
                json_t *o = json_object();
                json_object_set_new(o, "id", json_integer(items[i].id));
                json_object_set_new(o, "name", web_str(items[i].name));
                json_object_set_new(o, "selected", json_boolean(items[i].id == sel));
                json_array_append_new(arr, o);
            }
            if (n < f.per_page)
                break;
        }
    }
    *out = arr;
    return 0;
fail:
    json_decref(arr);
    return -1;
}

/* The form, new (g NULL) or edit, with in's values kept and e's message next to its field. */
static int form_page(struct ctx *c, int status, const struct group *g, const struct group_input *in,
                     const struct err *e)
{
    struct err le = {0};
    json_t *structures;
    if (structure_options(c, in->structure_id, &structures, &le))
        return web_err(c, &le);
    json_t *m = json_object();
    json_t *v = json_object();
    json_object_set_new(v, "title", web_str(in->title));
    if (in->year)
        json_object_set_new(v, "year", json_integer(in->year));
    else
        json_object_set_new(v, "year", json_string(""));
    json_object_set_new(v, "description", web_str(in->description));
    json_object_set_new(v, "facilitators", web_str(in->facilitators));
    json_object_set_new(v, "is_protected", json_boolean(in->is_protected && *in->is_protected));
    json_object_set_new(
        v, "require_comment_approval",
        json_boolean(in->require_comment_approval && *in->require_comment_approval));
    json_object_set_new(m, "values", v);
    json_object_set_new(m, "structures", structures);

    json_t *st = json_array();
    for (const struct group_status *s = group_statuses; s->code; s++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(s->code));
        json_object_set_new(o, "label", json_string(web_t(c, s->label)));
        json_object_set_new(
            o, "selected",
            json_boolean(in->status ? strcmp(in->status, s->code) == 0 : s == group_statuses));
        json_array_append_new(st, o);
    }
    json_object_set_new(m, "statuses", st);

    /* a protected group stays within the group: wider options are shown but disabled */
    int locked = g && g->is_protected;
    json_t *vis = json_array();
    for (enum vis_level l = VIS_GROUP; l <= VIS_PUBLIC; l++) {
        const char *name = visibility_level_name(l);
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(name));
        json_object_set_new(o, "label", json_string(level_label(c, l)));
        json_object_set_new(o, "selected",
                            json_boolean(in->visibility && *in->visibility
                                             ? strcmp(in->visibility, name) == 0
                                             : l == VIS_GROUP));
        json_object_set_new(o, "disabled", json_boolean(locked && l > VIS_GROUP));
        json_array_append_new(vis, o);
    }
    json_object_set_new(m, "visibilities", vis);
    set_errors(m, e);
    json_object_set_new(m, "editing", json_boolean(g != NULL));
    json_object_set_new(m, "action", json_string(g ? group_url(c, g, NULL) : "/groupes"));
    json_object_set_new(m, "cancel_url", json_string(g ? group_url(c, g, NULL) : "/groupes"));
    return web_page(c, status, "group/form", m);
}

/* Reads the posted form; year left 0 when not a number (the domain answers 422 on "year"). */
static void read_form(struct ctx *c, struct group_input *in, int *protected_flag,
                      int *approval_flag)
{
    memset(in, 0, sizeof *in);
    in->title = http_form(c->r, "title");
    const char *y = http_form(c->r, "year");
    if (y && *y) {
        char *end;
        long v = strtol(y, &end, 10);
        in->year = (!*end && v > 0 && v < 100000) ? (int)v : -1;
    }
    const char *sid = http_form(c->r, "structure_id");
    int64_t id = 0;
    in->structure_id = sid && !web_parse_id(sid, &id) ? id : 0;
    in->description = http_form(c->r, "description");
    in->facilitators = http_form(c->r, "facilitators");
    in->status = http_form(c->r, "status");
    in->visibility = http_form(c->r, "visibility");
    *protected_flag = checked(c, "is_protected");
    in->is_protected = protected_flag;
    *approval_flag = checked(c, "require_comment_approval");
    in->require_comment_approval = approval_flag;
}

static int save(struct ctx *c, const struct group *g)
{
    struct group_input in;
    int prot, approval;
    struct err e = {0};
    int64_t id = g ? g->id : 0;
    read_form(c, &in, &prot, &approval);
    if (in.year < 0) {
        err_field(&e, 422, "year", "L'année doit être un nombre, par exemple 2026.");
        in.year = 0;
        return form_page(c, 422, g, &in, &e);
    }
    if (!g && !in.structure_id) {
        err_field(&e, 422, "structure_id", "Choisissez la structure qui accueille le groupe.");
        return form_page(c, 422, g, &in, &e);
    }
    int rc = g ? group_update(web_db(c), &c->user, id, &in, &e)
               : group_create(web_db(c), &c->user, &in, &id, &e);
    if (rc) {
        if (e.field && (e.status == 422 || e.status == 409 || e.status == 403))
            return form_page(c, e.status, g, &in, &e);
        return web_err(c, &e);
    }
    struct group saved;
    if (group_get(web_db(c), c->a, id, &saved, &e))
        return web_err(c, &e);
    web_flash(c, "Groupe enregistré.");
    return web_redirect(c, group_url(c, &saved, NULL));
}

int web_group_new(struct ctx *c)
{
    struct group_input in = {0};
    /* most groups are created for the current season */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    in.year = tm.tm_year + 1900;
    return form_page(c, 200, NULL, &in, NULL);
}

int web_group_create(struct ctx *c)
{
    return save(c, NULL);
}

int web_group_edit(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    int prot = g.is_protected, approval = g.require_comment_approval;
    struct group_input in = {
        .title = g.title,
        .year = g.year,
        .structure_id = g.structure_id,
        .description = g.description,
        .facilitators = g.facilitators,
        .status = g.status,
        .visibility = visibility_level_name(g.visibility),
        .is_protected = &prot,
        .require_comment_approval = &approval,
    };
    return form_page(c, 200, &g, &in, NULL);
}

int web_group_update(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    return save(c, &g);
}

/* ---- participants ---- */

static int participants_page(struct ctx *c, int status, const struct group *g,
                             const struct participant_input *in, const struct err *e)
{
    struct db *db = web_db(c);
    struct err le = {0};
    struct participant *ps;
    int n;
    if (participant_list(db, c->a, g->id, &ps, &n, &le))
        return web_err(c, &le);
    int64_t today = consent_today();
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(c, g));
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        struct consent cur;
        if (consent_current(db, NULL, ps[i].id, today, &cur, &le)) {
            json_decref(arr);
            json_decref(m);
            return web_err(c, &le);
        }
        enum vis_level eff = consent_effective_level(&cur, today);
        const struct participant_age_band *band = participant_age_band(ps[i].age_band);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ps[i].id));
        json_object_set_new(o, "name", web_str(ps[i].display_name));
        json_object_set_new(o, "age_band", web_str(band ? web_t(c, band->label) : ps[i].age_band));
        json_object_set_new(o, "under15", json_boolean(ps[i].under15));
        json_object_set_new(o, "level", json_string(visibility_level_name(eff)));
        json_object_set_new(o, "level_label", web_str(level_label(c, eff)));
        json_object_set_new(o, "has_record", json_boolean(cur.id > 0));
        json_object_set_new(
            o, "consent_url",
            json_string(arena_printf(c->a, "/groupes/%s/participants/%lld/consentement", g->slug,
                                     (long long)ps[i].id)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "participants", arr);
    json_object_set_new(m, "has_participants", json_boolean(n > 0));
    json_t *v = json_object();
    json_object_set_new(v, "display_name", web_str(in ? in->display_name : NULL));
    json_object_set_new(m, "values", v);
    json_t *bands = json_array();
    for (const struct participant_age_band *b = participant_age_bands; b->code; b++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(b->code));
        json_object_set_new(o, "label", json_string(web_t(c, b->label)));
        json_object_set_new(o, "selected",
                            json_boolean(in && in->age_band && strcmp(in->age_band, b->code) == 0));
        json_array_append_new(bands, o);
    }
    json_object_set_new(m, "age_bands", bands);
    set_errors(m, e);
    return web_page(c, status, "group/participants", m);
}

int web_group_participants(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    return participants_page(c, 200, &g, NULL, NULL);
}

int web_group_participant_add(struct ctx *c)
{
    struct group g;
    int rc;
    if (web_group_load_managed(c, &g, &rc))
        return rc;
    struct participant_input in = {.display_name = http_form(c->r, "display_name"),
                                   .age_band = http_form(c->r, "age_band"),
                                   .under15 = -1};
    struct err e = {0};
    int64_t id;
    if (participant_add(web_db(c), &c->user, g.id, &in, &id, &e)) {
        if (e.field && (e.status == 422 || e.status == 409))
            return participants_page(c, e.status, &g, &in, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Participant ajouté.");
    return web_redirect(c, group_url(c, &g, "/participants"));
}

/* ---- consents ---- */

static int consent_page(struct ctx *c, int status, const struct group *g,
                        const struct participant *p, const struct consent_input *in,
                        const struct err *e, const struct err *we)
{
    struct db *db = web_db(c);
    struct err le = {0};
    int64_t today = consent_today();
    struct consent *hist;
    int n;
    if (consent_history(db, c->a, p->id, today, &hist, &n, &le))
        return web_err(c, &le);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(c, g));
    json_t *po = json_object();
    json_object_set_new(po, "id", json_integer(p->id));
    json_object_set_new(po, "name", web_str(p->display_name));
    json_object_set_new(po, "under15", json_boolean(p->under15));
    json_object_set_new(m, "p", po);
    const char *base =
        arena_printf(c->a, "/groupes/%s/participants/%lld", g->slug, (long long)p->id);
    json_object_set_new(m, "action", json_string(arena_printf(c->a, "%s/consentement", base)));
    json_object_set_new(m, "withdraw_action", json_string(arena_printf(c->a, "%s/retrait", base)));

    enum vis_level cur = n > 0 ? hist[0].effective : VIS_NONE;
    json_object_set_new(m, "current_label", web_str(level_label(c, cur)));
    json_object_set_new(m, "can_withdraw", json_boolean(n > 0 && hist[0].level != VIS_NONE));

    static const char *const explain[] = {
        N_("Aucune diffusion : le visage et le prénom de ce participant ne sont montrés à "
           "personne."),
        N_("Le groupe : visible par les membres du groupe, ses encadrants et sa coordination."),
        N_("Le réseau : visible par toute personne connectée au réseau Passeurs d'images."),
        N_("Public : visible par tout le monde sur internet."),
    };
    const char *chosen =
        in && in->level ? in->level : (n > 0 ? visibility_level_name(hist[0].level) : "none");
    json_t *levels = json_array();
    for (enum vis_level l = VIS_NONE; l <= VIS_PUBLIC; l++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(visibility_level_name(l)));
        json_object_set_new(o, "label", json_string(level_label(c, l)));
        json_object_set_new(o, "explain", json_string(web_t(c, explain[l])));
        json_object_set_new(o, "checked",
                            json_boolean(strcmp(chosen, visibility_level_name(l)) == 0));
        json_array_append_new(levels, o);
    }
    json_object_set_new(m, "levels", levels);

    json_t *v = json_object();
    json_object_set_new(v, "parent_agreed", json_boolean(in && in->parent_agreed));
    json_object_set_new(v, "minor_agreed", json_boolean(in && in->minor_agreed));
    json_object_set_new(v, "signed_on", web_str(in ? in->signed_on : NULL));
    json_object_set_new(v, "expires_on", web_str(in ? in->expires_on : NULL));
    json_object_set_new(v, "note", web_str(in ? in->note : NULL));
    json_object_set_new(m, "values", v);
    set_errors(m, e);
    if (we && we->status)
        json_object_set_new(m, "withdraw_error", json_string(we->msg));

    json_t *h = json_array();
    for (int i = 0; i < n; i++) {
        const struct consent *r = &hist[i];
        json_t *o = json_object();
        json_object_set_new(o, "level_label", web_str(level_label(c, r->level)));
        json_object_set_new(o, "effective_label", web_str(level_label(c, r->effective)));
        json_object_set_new(o, "withdrawn", json_boolean(r->withdrawn));
        json_object_set_new(o, "parent_agreed", json_boolean(r->parent_agreed));
        json_object_set_new(o, "minor_agreed", json_boolean(r->minor_agreed));
        json_object_set_new(o, "signed_on", web_str(web_day_str(c, r->signed_on)));
        json_object_set_new(o, "expires_on", web_str(web_day_str(c, r->expires_on)));
        json_object_set_new(o, "note", web_str(r->note));
        json_object_set_new(o, "recorded_by", web_str(r->recorded_by_name));
        json_object_set_new(o, "recorded_at", web_str(time_str(c, r->recorded_at)));
        json_array_append_new(h, o);
    }
    json_object_set_new(m, "history", h);
    json_object_set_new(m, "has_history", json_boolean(n > 0));
    return web_page(c, status, "group/consent", m);
}

int web_group_consent(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    return consent_page(c, 200, &g, &p, NULL, NULL, NULL);
}

int web_group_consent_record(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    struct consent_input in = {
        .level = http_form(c->r, "level"),
        .parent_agreed = checked(c, "parent_agreed"),
        .minor_agreed = checked(c, "minor_agreed"),
        .signed_on = http_form(c->r, "signed_on"),
        .expires_on = http_form(c->r, "expires_on"),
        .note = http_form(c->r, "note"),
    };
    struct err e = {0};
    if (!in.level || !*in.level) {
        err_field(&e, 422, "level", "Choisissez le niveau de diffusion accepté.");
        return consent_page(c, 422, &g, &p, &in, &e, NULL);
    }
    if (consent_record(web_db(c), &c->user, p.id, &in, &e)) {
        if (e.field && e.status == 422)
            return consent_page(c, 422, &g, &p, &in, &e, NULL);
        if (e.status == 409)
            return consent_page(c, 409, &g, &p, &in, &e, NULL);
        return web_err(c, &e);
    }
    web_flash(c, "Consentement enregistré.");
    return web_redirect(c, group_url(c, &g, "/participants"));
}

int web_group_consent_withdraw(struct ctx *c)
{
    struct group g;
    struct participant p;
    int rc;
    if (web_group_load_managed(c, &g, &rc) || web_group_load_participant(c, &g, &p, &rc))
        return rc;
    struct err e = {0};
    if (!checked(c, "confirm")) {
        err_set(&e, 422, "Cochez la case de confirmation pour retirer le consentement.");
        return consent_page(c, 422, &g, &p, NULL, NULL, &e);
    }
    if (consent_withdraw(web_db(c), &c->user, p.id, http_form(c->r, "withdraw_note"), &e)) {
        if (e.status == 422 || e.status == 409)
            return consent_page(c, e.status, &g, &p, NULL, NULL, &e);
        return web_err(c, &e);
    }
    web_flash(c, "Consentement retiré.");
    return web_redirect(c, group_url(c, &g, "/participants"));
}

/* ---- the audit log ---- */

static const char *subject_label(struct ctx *c, const char *s)
{
    if (!strcmp(s, AUDIT_CONSENT))
        return web_t(c, "Consentement");
    if (!strcmp(s, AUDIT_CONSENT_WITHDRAWAL))
        return web_t(c, "Retrait de consentement");
    if (!strcmp(s, AUDIT_GROUP_VISIBILITY))
        return web_t(c, "Visibilité de la page");
    if (!strcmp(s, AUDIT_GROUP_PROTECTED))
        return web_t(c, "Groupe protégé");
    if (!strcmp(s, AUDIT_ENTRY_VISIBILITY))
        return web_t(c, "Visibilité d'une entrée");
    if (!strcmp(s, AUDIT_ENTRY_APPROVAL))
        return web_t(c, "Entrée approuvée et publiée");
    if (!strcmp(s, "photo_tags"))
        return web_t(c, "Personnes identifiées sur une photo");
    if (!strcmp(s, "photo_deleted"))
        return web_t(c, "Photo supprimée");
    if (!strcmp(s, "comment_hide"))
        return web_t(c, "Commentaire masqué");
    if (!strcmp(s, "comment_show"))
        return web_t(c, "Commentaire réaffiché");
    if (!strcmp(s, "comment_approve"))
        return web_t(c, "Commentaire approuvé");
    if (!strcmp(s, "report_close"))
        return web_t(c, "Signalement clos");
    return s;
}

/* A stored value as a person reads it: a level's label, yes/no for the protected flag. */
static const char *value_label(struct ctx *c, const char *subject, const char *v)
{
    enum vis_level l;
    if (!v || !*v)
        return "—";
    if (!strcmp(subject, AUDIT_GROUP_PROTECTED))
        return web_t(c, strcmp(v, "1") == 0 ? N_("oui") : N_("non"));
    if (!strcmp(subject, AUDIT_ENTRY_APPROVAL))
        return web_t(c, strcmp(v, "published") == 0 ? N_("publiée") : N_("en attente"));
    if (!strcmp(subject, "photo_tags") || !strcmp(subject, "photo_deleted")) {
        /* participant ids, as names (the journal is read within the group's circle) */
        const char *out = "";
        for (const char *p = v; *p;) {
            int64_t pid = strtoll(p, NULL, 10);
            struct participant pa;
            struct err e = {0};
            const char *name = pid > 0 && participant_get(web_db(c), c->a, pid, &pa, &e) == 0
                                   ? pa.display_name
                                   : "?";
            out = arena_printf(c->a, "%s%s%s", out, *out ? ", " : "", name);
            p += strcspn(p, ",");
            p += *p == ',';
        }
        return out;
    }
    if (visibility_level_parse(v, &l) == 0)
        return level_label(c, l);
    return v;
}

int web_group_journal(struct ctx *c)
{
    struct group g;
    int rc;
    struct db *db = web_db(c);
    if (web_group_load(c, &g, &rc))
        return rc;
    if (!group_can_manage(db, &c->user, &g) && !audit_can_read(&c->user, g.coordination_id))
        return web_error(c, 403,
                         "Le journal est réservé aux encadrants du groupe et à sa coordination.");
    struct audit_filter f = {.group_id = g.id,
                             .page = web_parse_page(http_query(c->r, "page")),
                             .per_page = AUDIT_PER_PAGE_DEFAULT};
    struct audit_entry *items;
    int n;
    int64_t total;
    struct err e = {0};
    if (audit_list(db, c->a, &f, &items, &n, &total, &e))
        return web_err(c, &e);
    /* participants by id, to name the subject of consent entries */
    struct participant *ps;
    int np;
    if (participant_list(db, c->a, g.id, &ps, &np, &e))
        return web_err(c, &e);
    json_t *m = json_object();
    json_object_set_new(m, "g", group_json(c, &g));
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct audit_entry *a = &items[i];
        json_t *o = json_object();
        json_object_set_new(o, "at", web_str(time_str(c, a->at)));
        json_object_set_new(o, "actor", web_str(*a->actor_name ? a->actor_name : a->actor_login));
        json_object_set_new(o, "subject", web_str(subject_label(c, a->subject)));
        const char *who = "";
        if (!strncmp(a->subject, "consent", 7))
            for (int k = 0; k < np; k++)
                if (ps[k].id == a->subject_id)
                    who = ps[k].display_name;
        json_object_set_new(o, "who", web_str(who));
        json_object_set_new(o, "before", web_str(value_label(c, a->subject, a->before)));
        json_object_set_new(o, "after", web_str(value_label(c, a->subject, a->after)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "items", arr);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    int pages = (int)((total + f.per_page - 1) / f.per_page);
    if (pages < 1)
        pages = 1;
    json_object_set_new(m, "paginated", json_boolean(pages > 1));
    json_object_set_new(m, "page_label", web_str(web_tf(c, "Page %d sur %d", f.page, pages)));
    if (f.page > 1)
        json_object_set_new(m, "prev_url",
                            json_string(arena_printf(c->a, "%s?page=%d",
                                                     group_url(c, &g, "/journal"), f.page - 1)));
    if (f.page < pages)
        json_object_set_new(m, "next_url",
                            json_string(arena_printf(c->a, "%s?page=%d",
                                                     group_url(c, &g, "/journal"), f.page + 1)));
    return web_page(c, 200, "group/journal", m);
}
