/* call_web: what the call pages (call.c, call_app_page.c) and the call API (call_api.c)
 * share: loading a call or an application with the viewer's rights, their JSON shapes. */
#ifndef LANTERNE_WEB_CALL_WEB_H
#define LANTERNE_WEB_CALL_WEB_H

#include "call.h"
#include "web/web.h"

/* The call of path parameter i. 0, or -1 once a 404 (or 500) is sent (*rc its result). */
int web_call_load(struct ctx *c, int i, struct call *out, int *rc);
/* The application of path parameter i that the viewer may read (404 otherwise). */
int web_call_app_load(struct ctx *c, int i, struct call_app *out, int *rc);
/* "upcoming", "open" or "closed" today. */
const char *web_call_state_code(const struct call *k);
/* The call as the API shows it (budget figures only for call_can_manage). */
json_t *web_call_api_json(struct ctx *c, const struct call *k);
/* The application as the API shows it. */
json_t *web_call_app_api_json(struct ctx *c, const struct call_app *app);
/* The application's input from the communes typed (one per item, resolved as the action form
 * does): *codes in the arena. 0, or -1 with e (422 on "communes"). */
int web_call_communes(struct ctx *c, const char *const *items, int n, struct call_app_input *in,
                      struct err *e);
/* An application as one row of a list (the call's page, /candidatures). */
json_t *web_call_app_row(struct ctx *c, const struct call_app *app);
/* An amount in euros as typed: digits, spaces between thousands; "" is 0. 0, or -1. */
int web_call_parse_amount(const char *raw, int64_t *v);

#endif
