/* account: people who sign in (participants, supervisors, coordinators, admins).
 * Creation and validation, argon2id passwords, throttled authentication, supervisor structures. */
#ifndef LANTERNE_ACCOUNT_H
#define LANTERNE_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct db;
struct arena;

/* Ordered on purpose: route tables ask for "at least this role" with >=. */
enum role {
    ROLE_ANON = 0,
    ROLE_PARTICIPANT = 1,
    ROLE_SUPERVISOR = 2,
    ROLE_COORDINATOR = 3,
    ROLE_ADMIN = 4
};

/* Limits. Lengths are in characters (Unicode code points) except where said. */
enum {
    ACCOUNT_LOGIN_MIN = 3,
    ACCOUNT_LOGIN_MAX = 64, /* [a-z0-9._-], so characters = bytes */
    ACCOUNT_DISPLAY_NAME_MAX = 120,
    ACCOUNT_EMAIL_MAX = 254, /* bytes; RFC 5321 path limit */
    ACCOUNT_PASSWORD_MIN = 10,
    ACCOUNT_PASSWORD_MAX = 1024,
    ACCOUNT_PER_PAGE_DEFAULT = 20,
    ACCOUNT_PER_PAGE_MAX = 100
};

/* Login throttling: failures are counted per account and per client address over a
 * sliding window; once a count reaches its maximum, attempts are refused (429) without
 * even checking the password, until old failures leave the window. */
enum {
    THROTTLE_WINDOW = 15 * 60, /* seconds */
    THROTTLE_MAX_PER_LOGIN = 5,
    THROTTLE_MAX_PER_ADDR = 20
};

/* Strings point into the arena given to the function that filled the struct. */
struct account {
    int64_t id;
    const char *login, *display_name, *email; /* email "" when none */
    enum role role;
    int64_t coordination_id; /* 0 if none */
    int disabled, is_demo;
    int64_t created_at; /* unix seconds */
};

struct account_new {
    const char *login; /* lowercased before validation */
    const char *display_name;
    const char *email; /* NULL or "" for none */
    const char *password;
    enum role role;
    int64_t coordination_id; /* required for coordinators, 0 = none */
    int is_demo;
};

struct account_filter {
    int role;                /* an enum role; -1 or ROLE_ANON (no account has it) for any */
    const char *q;           /* substring of login or display name, NULL/"" for any */
    int64_t coordination_id; /* 0 for any */
    int page;                /* 1-based; < 1 means 1 */
    int per_page;            /* <= 0 means ACCOUNT_PER_PAGE_DEFAULT; capped at _MAX */
};

/* "anonymous", "participant", "supervisor", "coordinator", "admin" ("" if out of range) */
const char *account_role_name(enum role r);
/* The French label of a role (a message id: translate it for display). */
const char *account_role_label(enum role r);
/* Accepts the names above; 0, or -1 for anything else (out untouched). */
int account_role_parse(const char *s, enum role *out);

/* Validation failures are 422 with e->field naming the field ("login", "display_name",
 * "email", "password", "role", "coordination_id") and a French message; a login already
 * taken is 409 on "login".
 * Passwords are hashed with argon2id at libsodium's INTERACTIVE cost. Setting the
 * environment variable LANTERNE_PWHASH_FAST=1 drops the cost to libsodium's minimum (still
 * argon2id): for the test suite only, never in production. Hashes record their own cost,
 * and authentication upgrades a hash made at another cost on the next successful login. */
int account_create(struct db *db, const struct account_new *a, int64_t *id_out, struct err *e);

/* 0, or -1 with e (404 when there is no such account). */
int account_get(struct db *db, struct arena *ar, int64_t id, struct account *out, struct err *e);
int account_get_by_login(struct db *db, struct arena *ar, const char *login, struct account *out,
                         struct err *e);

/* Same validation as account_create; 404 if the account does not exist. */
int account_update(struct db *db, int64_t id, const char *display_name, const char *email,
                   enum role role, int64_t coordination_id, struct err *e);
/* Leaves sessions alone: see session_destroy_user to end the other ones. */
int account_set_password(struct db *db, int64_t id, const char *password, struct err *e);
/* Disabling also ends all the account's sessions (its API tokens stop working too,
 * since lookups refuse disabled accounts). */
int account_set_disabled(struct db *db, int64_t id, int disabled, struct err *e);

/* One page of accounts ordered by login; *out is allocated in ar, *total counts all matches. */
int account_list(struct db *db, struct arena *ar, const struct account_filter *f,
                 struct account **out, int *n, int64_t *total, struct err *e);

/* Supervisors are attached to the structures they work in. set replaces the whole list
 * (duplicates ignored); unknown structures are 422 on "structures". */
int account_set_structures(struct db *db, int64_t user_id, const int64_t *ids, size_t n,
                           struct err *e);
/* Ascending ids allocated in ar. */
int account_structures(struct db *db, struct arena *ar, int64_t user_id, int64_t **ids, int *n,
                       struct err *e);
/* 1 if attached, 0 if not or on a database error (access checks fail closed). */
int account_has_structure(struct db *db, int64_t user_id, int64_t structure_id);

/* Checks a login and password; addr is the client address (NULL skips the per-address
 * count, e.g. for the command line). 0 with out filled, or -1 with e:
 *   429 "Trop de tentatives ..." when throttled (the password is not even checked),
 *   401 "Identifiant ou mot de passe incorrect." for an unknown login, a wrong password or a
 *       disabled account alike; each records one failure for the login and one for addr.
 * Success forgets the login's failures. Unknown logins still cost one hash verification
 * so response time does not tell which logins exist. */
int account_authenticate(struct db *db, struct arena *ar, const char *login, const char *password,
                         const char *addr, struct account *out, struct err *e);
/* Deletes failures older than the window. authenticate calls it now and then; a periodic
 * job may call it too. Returns the number of rows deleted, or -1. */
int64_t account_prune_failures(struct db *db, struct err *e);

#endif
