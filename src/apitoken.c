/* apitoken: creation, lookup and revocation of personal API tokens.
 * Tokens are "lnt_" + a session-style random token; the table keeps their BLAKE2b hash only. */
#include "apitoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/text.h"
#include "db/db.h"

/* 1 if s is valid UTF-8 of 1..max code points without control characters. */
static int name_ok(const char *s, long max)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    long chars = text_utf8_len(s, n);
    return chars >= 0 && chars <= max && !text_has_control(s, n, 0);
}

int apitoken_create(struct db *db, int64_t user_id, const char *name, char out[APITOKEN_LEN + 1],
                    int64_t *id_out, struct err *e)
{
    char raw[SESSION_TOKEN_LEN + 1], hash[SESSION_HASH_HEX + 1];
    struct db_stmt *st = NULL;
    struct err le;

    out[0] = 0;
    if (!name_ok(name, APITOKEN_NAME_MAX))
        return err_field(e, 422, "name",
                         "Le nom du jeton est obligatoire et doit comporter au plus %d caractères "
                         "imprimables.",
                         APITOKEN_NAME_MAX);
    if (db_begin(db, e))
        return -1;
    err_clear(&le);
    int64_t exists = db_scalar_int(db, &le, 0, "SELECT 1 FROM users WHERE id = ?", "i", user_id);
    if (le.status)
        goto dberr;
    if (!exists) {
        err_set(e, 404, "Compte introuvable.");
        goto fail;
    }
    int64_t count = db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM api_tokens WHERE user_id = ?",
                                  "i", user_id);
    if (le.status)
        goto dberr;
    if (count >= APITOKEN_MAX_PER_USER) {
        err_set(e, 422, "Vous avez déjà %d jetons : supprimez-en un avant d'en créer un autre.",
                APITOKEN_MAX_PER_USER);
        goto fail;
    }

    session_random_token(raw);
    snprintf(out, APITOKEN_LEN + 1, "%s%s", APITOKEN_PREFIX, raw);
    sodium_memzero(raw, sizeof raw);
    session_token_hash(out, hash);
    if (db_prepare(db,
                   "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                   "VALUES (?, ?, ?, ?) RETURNING id",
                   &st, e))
        goto fail;
    db_bind_int(st, 1, user_id);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, hash);
    db_bind_int(st, 4, (int64_t)time(NULL));
    int r = db_step(st, e);
    if (r < 0)
        goto fail;
    if (r != DB_ROW) {
        err_set(e, 500, "Le jeton n'a pas pu être créé.");
        goto fail;
    }
    if (id_out)
        *id_out = db_col_int(st, 0);
    if (db_step(st, e) < 0)
        goto fail;
    db_finalize(st);
    st = NULL;
    if (db_commit(db, e))
        goto wipe;
    return 0;
dberr:
    if (e)
        *e = le;
fail:
    if (st)
        db_finalize(st);
    db_rollback(db);
wipe:
    sodium_memzero(out, APITOKEN_LEN + 1);
    return -1;
}

int apitoken_lookup(struct db *db, struct arena *ar, const char *token, struct account *user,
                    struct err *e)
{
    char hash[SESSION_HASH_HEX + 1];
    struct db_stmt *st;
    int64_t id = 0, user_id = 0, last_used = 0;

    /* the length check first: no hashing of arbitrarily long junk */
    if (!token || strlen(token) != APITOKEN_LEN ||
        strncmp(token, APITOKEN_PREFIX, strlen(APITOKEN_PREFIX)) != 0)
        return 1;
    session_token_hash(token, hash);
    if (db_prepare(db, "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ?", &st,
                   e))
        return -1;
    db_bind_text(st, 1, hash);
    int r = db_step(st, e);
    if (r == DB_ROW) {
        id = db_col_int(st, 0);
        user_id = db_col_int(st, 1);
        last_used = db_col_is_null(st, 2) ? 0 : db_col_int(st, 2);
    }
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return 1;

    struct err le;
    err_clear(&le);
    if (account_get(db, ar, user_id, user, &le)) {
        if (le.status == 404)
            return 1;
        if (e)
            *e = le;
        return -1;
    }
    if (user->disabled) {
        memset(user, 0, sizeof *user);
        return 1;
    }

    int64_t now = (int64_t)time(NULL);
    /* a failed touch is not worth refusing a valid token over: its error is dropped */
    if (now - last_used >= APITOKEN_TOUCH_INTERVAL)
        db_execf(db, NULL, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", "ii", now, id);
    return 0;
}

int apitoken_list(struct db *db, struct arena *ar, int64_t user_id, struct apitoken **out, int *n,
                  struct err *e)
{
    struct db_stmt *st;
    struct apitoken *list = arena_alloc(ar, sizeof *list * APITOKEN_MAX_PER_USER);
    int count = 0, r = DB_DONE;

    *out = NULL;
    *n = 0;
    if (db_prepare(db,
                   "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? "
                   "ORDER BY created_at DESC, id DESC",
                   &st, e))
        return -1;
    db_bind_int(st, 1, user_id);
    /* creation caps the count, so the array sized by the cap is enough */
    while (count < APITOKEN_MAX_PER_USER && (r = db_step(st, e)) == DB_ROW) {
        const char *name = db_col_text(st, 1);
        list[count].id = db_col_int(st, 0);
        list[count].name = arena_strdup(ar, name ? name : "");
        list[count].created_at = db_col_int(st, 2);
        list[count].last_used_at = db_col_is_null(st, 3) ? 0 : db_col_int(st, 3);
        count++;
    }
    db_finalize(st);
    if (count < APITOKEN_MAX_PER_USER && r < 0)
        return -1;
    *out = list;
    *n = count;
    return 0;
}

int apitoken_delete(struct db *db, int64_t user_id, int64_t id, struct err *e)
{
    int64_t n =
        db_execf(db, e, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?", "ii", id, user_id);
    if (n < 0)
        return -1;
    if (n == 0)
        return err_set(e, 404, "Jeton introuvable.");
    return 0;
}
