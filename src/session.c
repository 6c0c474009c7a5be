/* session: database-backed sessions, CSRF tokens (per session and anonymous) and named secrets.
 * Tokens come from libsodium's CSRNG; only their BLAKE2b hashes are stored. */
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/mem.h"
#include "db/db.h"

static int token_shape_ok(const char *t)
{
    if (!t || strlen(t) != SESSION_TOKEN_LEN)
        return 0;
    for (const char *p = t; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

void session_random_token(char out[SESSION_TOKEN_LEN + 1])
{
    unsigned char rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, rnd, sizeof rnd,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(rnd, sizeof rnd);
}

void session_token_hash(const char *token, char out[SESSION_HASH_HEX + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, SESSION_HASH_HEX + 1, h, sizeof h);
}

int session_create(struct db *db, int64_t user_id, char token[SESSION_TOKEN_LEN + 1],
                   char csrf[SESSION_TOKEN_LEN + 1], struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    struct err le;
    err_clear(&le);
    session_random_token(token);
    session_random_token(csrf);
    session_token_hash(token, hash);
    int64_t now = (int64_t)time(NULL);
    if (db_execf(db, &le,
                 "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?, ?)",
                 "sisii", hash, user_id, csrf, now, now + SESSION_LIFETIME) < 0) {
        /* the foreign key on user_id is the only constraint a fresh random hash can hit */
        if (le.status == 409)
            err_set(e, 404, "Compte introuvable.");
        else if (e)
            *e = le;
        token[0] = csrf[0] = 0;
        return -1;
    }
    return 0;
}

int session_lookup(struct db *db, struct arena *ar, const char *token, struct account *user_out,
                   char csrf_out[SESSION_TOKEN_LEN + 1], struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    struct db_stmt *st;
    int64_t user_id = 0, expires_at = 0;

    if (!token_shape_ok(token))
        return 1;
    session_token_hash(token, hash);
    if (db_prepare(db, "SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = ?", &st,
                   e))
        return -1;
    db_bind_text(st, 1, hash);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        const char *c = db_col_text(st, 1);
        user_id = db_col_int(st, 0);
        expires_at = db_col_int(st, 2);
        snprintf(csrf_out, SESSION_TOKEN_LEN + 1, "%s", c ? c : "");
    }
    db_finalize(st);
    if (r < 0)
        return -1;
    int64_t now = (int64_t)time(NULL);
    if (r != DB_ROW || expires_at <= now)
        return 1;

    struct err le;
    err_clear(&le);
    if (account_get(db, ar, user_id, user_out, &le)) {
        if (le.status == 404)
            return 1;
        if (e)
            *e = le;
        return -1;
    }
    if (user_out->disabled) {
        memset(user_out, 0, sizeof *user_out); /* no half-filled user for an anonymous visitor */
        return 1;
    }

    /* Extending only past half-life keeps most requests free of writes. A failure to
     * extend must not turn away a valid session, so its error is dropped. */
    if (expires_at - now < SESSION_LIFETIME / 2)
        db_execf(db, NULL, "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", "is",
                 now + SESSION_LIFETIME, hash);
    return 0;
}

int session_destroy(struct db *db, const char *token, struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    if (!token_shape_ok(token))
        return 0;
    session_token_hash(token, hash);
    return db_execf(db, e, "DELETE FROM sessions WHERE token_hash = ?", "s", hash) < 0 ? -1 : 0;
}

int64_t session_destroy_user(struct db *db, int64_t user_id, const char *keep_token, struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    if (!keep_token)
        return db_execf(db, e, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
    session_token_hash(keep_token, hash);
    return db_execf(db, e, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "is",
                    user_id, hash);
}

int64_t session_purge_expired(struct db *db, struct err *e)
{
    return db_execf(db, e, "DELETE FROM sessions WHERE expires_at <= ?", "i", (int64_t)time(NULL));
}

int session_csrf_check(const char *expected, const char *given)
{
    if (!expected || !given)
        return 0;
    size_t n = strlen(expected);
    if (n == 0 || strlen(given) != n)
        return 0;
    return sodium_memcmp(expected, given, n) == 0;
}

int session_secret(struct db *db, const char *name, unsigned char out[SESSION_SECRET_LEN],
                   struct err *e)
{
    char hex[2 * SESSION_SECRET_LEN + 1];
    if (!name || !*name)
        return err_set(e, 500, "Nom de secret vide.");
    /* Two rounds at most: read; if absent, insert ours (a concurrent process may win the
     * race, hence DO NOTHING) and read again whichever value was stored. */
    for (int round = 0; round < 2; round++) {
        struct db_stmt *st;
        if (db_prepare(db, "SELECT value FROM settings WHERE key = ?", &st, e))
            return -1;
        db_bind_text(st, 1, name);
        int r = db_step(st, e);
        int bad = 0;
        if (r == DB_ROW) {
            const char *v = db_col_text(st, 0);
            size_t len = 0;
            bad = !v || strlen(v) != 2 * SESSION_SECRET_LEN ||
                  sodium_hex2bin(out, SESSION_SECRET_LEN, v, strlen(v), NULL, &len, NULL) != 0 ||
                  len != SESSION_SECRET_LEN;
        }
        db_finalize(st);
        if (r < 0)
            return -1;
        if (r == DB_ROW) {
            if (bad)
                return err_set(e, 500, "Le secret « %.40s » enregistré dans settings est invalide.",
                               name);
            return 0;
        }
        if (round == 1)
            break;
        unsigned char rnd[SESSION_SECRET_LEN];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
        sodium_memzero(rnd, sizeof rnd);
        int64_t n = db_execf(db, e,
                             "INSERT INTO settings (key, value) VALUES (?, ?) "
                             "ON CONFLICT DO NOTHING",
                             "ss", name, hex);
        sodium_memzero(hex, sizeof hex);
        if (n < 0)
            return -1;
    }
    return err_set(e, 500, "Le secret « %.40s » n'a pas pu être créé.", name);
}

int session_anon_csrf(struct db *db, const char *nonce_cookie, char out[SESSION_TOKEN_LEN + 1],
                      struct err *e)
{
    unsigned char key[SESSION_SECRET_LEN], mac[crypto_auth_BYTES];
    out[0] = 0;
    /* the HTTP layer makes nonces with session_random_token: anything else was tampered with */
    if (!token_shape_ok(nonce_cookie))
        return err_set(e, 400, "Jeton de sécurité invalide : rechargez la page.");
    if (session_secret(db, "csrf_secret", key, e))
        return -1;
    crypto_auth(mac, (const unsigned char *)nonce_cookie, strlen(nonce_cookie), key);
    sodium_memzero(key, sizeof key);
    sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int session_anon_csrf_verify(struct db *db, const char *nonce_cookie, const char *token,
                             struct err *e)
{
    char want[SESSION_TOKEN_LEN + 1];
    if (!token_shape_ok(nonce_cookie) || !token_shape_ok(token))
        return 1;
    if (session_anon_csrf(db, nonce_cookie, want, e))
        return -1;
    /* comparing the canonical encodings, in constant time, so no alternative spelling of the
     * same bytes is accepted and timing says nothing about how much matched */
    return session_csrf_check(want, token) ? 0 : 1;
}
