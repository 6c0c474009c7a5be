/* session: signed-in sessions kept in the database, CSRF tokens and named server secrets.
 * Cookies carry a random token; only its hash is stored, so a leaked table signs no one in. */
#ifndef LANTERNE_SESSION_H
#define LANTERNE_SESSION_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"

struct db;
struct arena;

enum {
    SESSION_TOKEN_LEN = 43, /* 32 random bytes, base64url without padding */
    SESSION_HASH_HEX = 64,  /* hex of a 32-byte BLAKE2b hash */
    SESSION_SECRET_LEN = 32,
    SESSION_LIFETIME = 14 * 24 * 3600 /* seconds */
};

/* Fills out with a fresh random token (32 bytes from the system CSPRNG, base64url). The
 * HTTP layer uses it for the anonymous CSRF nonce cookie; api tokens use it too. */
void session_random_token(char out[SESSION_TOKEN_LEN + 1]);
/* The hex BLAKE2b-256 of a token: what the database stores instead of the token. */
void session_token_hash(const char *token, char out[SESSION_HASH_HEX + 1]);

/* Opens a session for user_id: token is the cookie value (give it to the browser, never
 * log it), csrf the value forms must echo back. Both NUL-terminated. Expires after
 * SESSION_LIFETIME, pushed back while the session is in use (see session_lookup). */
int session_create(struct db *db, int64_t user_id, char token[SESSION_TOKEN_LEN + 1],
                   char csrf[SESSION_TOKEN_LEN + 1], struct err *e);

/* Finds the session of a cookie value. 0 found, with user_out (strings in ar) and csrf_out
 * filled; 1 for no such session, an expired one or a disabled account (no error: the
 * visitor is simply anonymous); -1 on a database error. A session used after half its
 * lifetime is extended to a full one, so active people stay signed in. */
int session_lookup(struct db *db, struct arena *ar, const char *token, struct account *user_out,
                   char csrf_out[SESSION_TOKEN_LEN + 1], struct err *e);

/* Ends a session (sign out). 0 even if there was none. */
int session_destroy(struct db *db, const char *token, struct err *e);
/* Ends every session of a user except keep_token (NULL ends all): after a password change.
 * Returns the number ended, or -1. */
int64_t session_destroy_user(struct db *db, int64_t user_id, const char *keep_token, struct err *e);
/* Deletes expired sessions; returns how many, or -1. For a periodic job. */
int64_t session_purge_expired(struct db *db, struct err *e);

/* Compares an expected CSRF token with the one a form sent, in constant time.
 * 1 if they match (and are non-empty), 0 otherwise. */
int session_csrf_check(const char *expected, const char *given);

/* Anonymous CSRF, for forms shown before any session exists (the login form):
 *  - the HTTP layer gives each anonymous visitor a cookie `lanterne_csrf` holding a random
 *    nonce from session_random_token (HttpOnly, SameSite=Lax, Secure under https);
 *  - the form carries session_anon_csrf(nonce) in a hidden field;
 *  - on POST, session_anon_csrf_verify(cookie nonce, form field) must return 0.
 * The token is HMAC-SHA-512-256 (crypto_auth) of the nonce under the server secret
 * 'csrf_secret' (see session_secret), so it needs no server-side state and every process
 * sharing the database agrees. A forger would need to both set the victim's cookie and
 * know the secret. */
int session_anon_csrf(struct db *db, const char *nonce_cookie, char out[SESSION_TOKEN_LEN + 1],
                      struct err *e);
/* 0 when token matches the nonce, 1 when it does not (or either is malformed), -1 on error. */
int session_anon_csrf_verify(struct db *db, const char *nonce_cookie, const char *token,
                             struct err *e);

/* Reads the 32-byte secret stored in settings under key name (hex), creating it from the
 * system CSPRNG on first use. Concurrent first uses in several processes agree: the first
 * insert wins and everyone reads back the stored value. Used for anonymous CSRF
 * ('csrf_secret') and signed media URLs. */
int session_secret(struct db *db, const char *name, unsigned char out[SESSION_SECRET_LEN],
                   struct err *e);

#endif
