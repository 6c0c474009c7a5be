/* apitoken: personal API tokens, so a person's scripts can call the JSON API as them.
 * The plaintext is shown once at creation; only its hash is kept. */
#ifndef LANTERNE_APITOKEN_H
#define LANTERNE_APITOKEN_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "session.h"

struct db;
struct arena;

enum {
    /* "lnt_" then 32 random bytes in base64url: the prefix lets secret scanners and people
     * recognise a leaked Lanterne token */
    APITOKEN_LEN = 4 + SESSION_TOKEN_LEN,
    APITOKEN_NAME_MAX = 100, /* characters */
    APITOKEN_MAX_PER_USER = 50,
    /* last_used_at is written at most this often per token, so scripts polling the API do
     * not turn every read into a write */
    APITOKEN_TOUCH_INTERVAL = 60 /* seconds */
};

#define APITOKEN_PREFIX "lnt_"

struct apitoken {
    int64_t id;
    const char *name; /* in the caller's arena */
    int64_t created_at;
    int64_t last_used_at; /* 0 if never used */
};

/* Creates a token named name (1 to APITOKEN_NAME_MAX characters, else 422 on "name") for
 * user_id; out receives the plaintext, to show once. 422 when the user already has
 * APITOKEN_MAX_PER_USER tokens, 404 if the user does not exist. */
int apitoken_create(struct db *db, int64_t user_id, const char *name, char out[APITOKEN_LEN + 1],
                    int64_t *id_out, struct err *e);
/* 0 found (user filled, strings in ar), 1 unknown token or disabled account, -1 error. */
int apitoken_lookup(struct db *db, struct arena *ar, const char *token, struct account *user,
                    struct err *e);
/* A user's tokens, newest first, allocated in ar. */
int apitoken_list(struct db *db, struct arena *ar, int64_t user_id, struct apitoken **out, int *n,
                  struct err *e);
/* Revokes token id; 404 when it does not exist or is not user_id's. */
int apitoken_delete(struct db *db, int64_t user_id, int64_t id, struct err *e);

#endif
