/* action_web: what the action pages (action.c), the form (action_form.c) and the action API
 * (action_api.c) share: loading an action, its JSON shapes, commune resolution. */
#ifndef LANTERNE_WEB_ACTION_WEB_H
#define LANTERNE_WEB_ACTION_WEB_H

#include "action.h"
#include "web/web.h"

enum {
    ACTION_WEB_PER_PAGE = 20,        /* actions on one page of /actions */
    ACTION_COMMUNE_CANDIDATES = 50,  /* communes looked at to resolve one typed name */
    ACTION_COMMUNE_SUGGESTIONS = 3,  /* close names offered for a name that matches none */
    ACTION_FORM_STRUCTURES_MAX = 500 /* structures offered as lead and partners in the form */
};

/* The action of path parameter i. 0, or -1 once a 404 (or 500) is sent (*rc its result). */
int web_action_load(struct ctx *c, int i, struct action *a, int *rc);
/* The same, then 403 unless the viewer may edit it. */
int web_action_load_editable(struct ctx *c, struct action *a, int *rc);
/* "/actions/<id>" in the request's arena. */
const char *web_action_url(struct ctx *c, int64_t id);
/* The translated label of code in list (the code itself when unknown, "" for NULL). */
const char *web_action_label(struct ctx *c, const struct action_choice *list, const char *code);
/* [{code, label, selected}] of list for a <select>. */
json_t *web_action_choices(struct ctx *c, const struct action_choice *list, const char *selected);
/* The action as the API shows it to the viewer (budget only for action_can_see_budget,
 * linked groups and films only those the viewer may see). */
json_t *web_action_api_json(struct ctx *c, const struct action *a);

/* Communes as typed, one per item: an INSEE code ("59350", "2A004"), a name ("Lille") or a
 * name and its département ("Saint-Denis (93)"), resolved through the territory search. A
 * name shared by several communes is a 422 on "communes" naming the candidates. *codes (in
 * the arena) and *n; 0, or -1 with e. Empty items are skipped. */
int web_action_communes(struct ctx *c, const char *const *items, int nitems, const char ***codes,
                        int *n, struct err *e);

#endif
