/* web/user: what the three files of the accounts area share: the admin pages (user.c), a
 * person's own page with their API tokens (account_page.c) and the users API (user_api.c). */
#ifndef LANTERNE_WEB_USER_H
#define LANTERNE_WEB_USER_H

#include "coordination.h"
#include "web/web.h"

/* The label the network uses for role r, in the request's language ("" for none). */
const char *user_role_label(struct ctx *c, enum role r);

/* A page number or page size, 1..max; -1 for anything else. */
int user_parse_small(const char *s, int max);

/* t as "2024-05-31T12:00:00Z", for machines (the API, datetime attributes). */
const char *user_iso_utc(struct ctx *c, int64_t t);
/* Dates for people: day first in French, ISO order in English; server local time. */
const char *user_human_date(struct ctx *c, int64_t t, int with_time);

/* Domain errors name the database column; forms and the API call it "coordination". */
void user_rename_field(struct err *e);

/* 1 if id is among ids[0..n). */
int user_has_id(const int64_t *ids, int n, int64_t id);

/* Adds to errors what an admin may not do to their own account (id is the edited one). */
void user_check_self(struct ctx *c, int64_t id, enum role role, int disabled, json_t *errors);

/* The coordinations, loaded once per request and looked up by id. */
struct user_coords {
    struct coordination *items;
    int n;
};
int user_coords_load(struct ctx *c, struct user_coords *cs, struct err *e);
const struct coordination *user_coords_find(const struct user_coords *cs, int64_t id);

#endif
