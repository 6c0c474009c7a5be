/* account: validation, storage and authentication of user accounts.
 * Passwords are argon2id hashes (libsodium); failed logins are throttled through login_failures. */
#include "account.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/valid.h"
#include "db/db.h"

/* authenticate prunes old failures on about one call in this many: often enough to keep the
 * table small, rarely enough that the unindexed delete costs nothing on average. */
enum { PRUNE_ONE_IN = 64 };

/* Worst case of a valid display name in bytes (4-byte UTF-8 sequences), plus NUL. */
enum { DISPLAY_NAME_BYTES = ACCOUNT_DISPLAY_NAME_MAX * 4 + 1 };

static const char *const role_names[] = {"anonymous", "participant", "supervisor", "coordinator",
                                         "admin"};

#define USER_COLS                                                                                  \
    "id, login, display_name, email, role, coordination_id, disabled, is_demo, created_at"

static const char *const bad_credentials = N_("Identifiant ou mot de passe incorrect.");

const char *account_role_name(enum role r)
{
    if ((int)r < ROLE_ANON || r > ROLE_ADMIN)
        return "";
    return role_names[r];
}

int account_role_parse(const char *s, enum role *out)
{
    if (!s)
        return -1;
    for (int i = ROLE_ANON; i <= ROLE_ADMIN; i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return -1;
}

/* Lowercases and validates a login into out. */
static int check_login(const char *in, char out[ACCOUNT_LOGIN_MAX + 1], struct err *e)
{
    size_t n = in ? strlen(in) : 0;
    if (n < ACCOUNT_LOGIN_MIN)
        return err_field(e, 422, "login", "L'identifiant doit comporter au moins %d caractères.",
                         ACCOUNT_LOGIN_MIN);
    if (n > ACCOUNT_LOGIN_MAX)
        return err_field(e, 422, "login", "L'identifiant doit comporter au plus %d caractères.",
                         ACCOUNT_LOGIN_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return err_field(e, 422, "login",
                             "L'identifiant ne peut contenir que des lettres sans accent, des "
                             "chiffres et les signes . _ -");
        out[i] = c;
    }
    out[n] = 0;
    return 0;
}

/* Trims surrounding spaces (a name pasted with a trailing space is the same name) into out. */
static int check_display_name(const char *in, char out[DISPLAY_NAME_BYTES], struct err *e)
{
    const char *s = in ? in : "";
    size_t n = strlen(s);
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        return err_field(e, 422, "display_name", "Le nom affiché est obligatoire.");
    long chars = text_utf8_len(s, n);
    if (chars < 0 || text_has_control(s, n, 0))
        return err_field(e, 422, "display_name",
                         "Le nom affiché contient des caractères invalides.");
    if (chars > ACCOUNT_DISPLAY_NAME_MAX)
        return err_field(e, 422, "display_name",
                         "Le nom affiché doit comporter au plus %d caractères.",
                         ACCOUNT_DISPLAY_NAME_MAX);
    memcpy(out, s, n); /* n <= 4 * chars, so it fits */
    out[n] = 0;
    return 0;
}

/* The shape rules are valid_email's; the length and UTF-8 checks are the account's own. */
static int check_email(const char *s, struct err *e)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    if (n > ACCOUNT_EMAIL_MAX)
        return err_field(e, 422, "email", "L'adresse e-mail doit comporter au plus %d caractères.",
                         ACCOUNT_EMAIL_MAX);
    if (!text_utf8_valid(s, n) || !valid_email(s, VALID_EMAIL_LOCAL_MAX))
        return err_field(e, 422, "email",
                         "L'adresse e-mail n'a pas l'air valide (exemple : nom@domaine.fr).");
    return 0;
}

static int check_password(const char *pw, struct err *e)
{
    const char *s = pw ? pw : "";
    long chars = text_utf8_len(s, strlen(s));
    if (chars < 0)
        return err_field(e, 422, "password", "Le mot de passe contient des caractères invalides.");
    if (chars < ACCOUNT_PASSWORD_MIN)
        return err_field(e, 422, "password",
                         "Le mot de passe doit comporter au moins %d caractères.",
                         ACCOUNT_PASSWORD_MIN);
    if (chars > ACCOUNT_PASSWORD_MAX)
        return err_field(e, 422, "password",
                         "Le mot de passe doit comporter au plus %d caractères.",
                         ACCOUNT_PASSWORD_MAX);
    return 0;
}

static int check_role(struct db *db, enum role role, int64_t coordination_id, struct err *e)
{
    if ((int)role <= ROLE_ANON || role > ROLE_ADMIN)
        return err_field(e, 422, "role", "Rôle invalide.");
    if (coordination_id < 0)
        return err_field(e, 422, "coordination_id", "Coordination inconnue.");
    if (role == ROLE_COORDINATOR && coordination_id == 0)
        return err_field(e, 422, "coordination_id",
                         "Un coordinateur doit être rattaché à une coordination.");
    if (coordination_id == 0)
        return 0;
    struct err le;
    err_clear(&le);
    int64_t found =
        db_scalar_int(db, &le, 0, "SELECT 1 FROM coordinations WHERE id = ?", "i", coordination_id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (!found)
        return err_field(e, 422, "coordination_id", "Coordination inconnue.");
    return 0;
}

/* LANTERNE_PWHASH_FAST=1 exists so the test suite can create hundreds of accounts quickly. */
/* Returns 1 in the fast (test) mode. */
static int pwhash_cost(unsigned long long *ops, size_t *mem)
{
    const char *fast = getenv("LANTERNE_PWHASH_FAST");
    if (fast && strcmp(fast, "1") == 0) {
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
        return 1;
    }
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return 0;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], struct err *e)
{
    unsigned long long ops;
    size_t mem;
    pwhash_cost(&ops, &mem);
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(e, 500, "Impossible de chiffrer le mot de passe (mémoire insuffisante).");
    return 0;
}

/* A hash of a random password, verified when a login does not exist so that an unknown
 * login takes as long as a wrong password. Made once per process at the current cost. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    char pw[33];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
    if (hash_password(pw, dummy_hash, NULL) != 0)
        dummy_hash[0] = 0;
}

static int bind_id_or_null(struct db_stmt *s, int idx, int64_t id)
{
    return id ? db_bind_int(s, idx, id) : db_bind_null(s, idx);
}

static void row_to_account(struct db_stmt *s, struct arena *ar, struct account *out)
{
    const char *t;
    memset(out, 0, sizeof *out);
    out->id = db_col_int(s, 0);
    out->login = arena_strdup(ar, (t = db_col_text(s, 1)) ? t : "");
    out->display_name = arena_strdup(ar, (t = db_col_text(s, 2)) ? t : "");
    out->email = arena_strdup(ar, (t = db_col_text(s, 3)) ? t : "");
    enum role r = ROLE_ANON;
    account_role_parse(db_col_text(s, 4), &r);
    out->role = r;
    out->coordination_id = db_col_is_null(s, 5) ? 0 : db_col_int(s, 5);
    out->disabled = db_col_int(s, 6) != 0;
    out->is_demo = db_col_int(s, 7) != 0;
    out->created_at = db_col_int(s, 8);
}

int account_create(struct db *db, const struct account_new *a, int64_t *id_out, struct err *e)
{
    char login[ACCOUNT_LOGIN_MAX + 1], name[DISPLAY_NAME_BYTES], hash[crypto_pwhash_STRBYTES];
    struct db_stmt *st = NULL;
    int rc = -1;

    if (check_login(a->login, login, e) || check_display_name(a->display_name, name, e) ||
        check_email(a->email, e) || check_password(a->password, e) ||
        check_role(db, a->role, a->coordination_id, e))
        return -1;

    struct err le;
    err_clear(&le);
    int64_t taken = db_scalar_int(db, &le, 0, "SELECT 1 FROM users WHERE login = ?", "s", login);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (taken)
        return err_field(e, 409, "login", "Cet identifiant est déjà pris.");

    if (hash_password(a->password, hash, e))
        return -1;

    time_t now = time(NULL);
    if (db_prepare(db,
                   "INSERT INTO users (login, display_name, email, password_hash, role, "
                   "coordination_id, disabled, is_demo, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
                   &st, e))
        goto done;
    db_bind_text(st, 1, login);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, a->email ? a->email : "");
    db_bind_text(st, 4, hash);
    db_bind_text(st, 5, account_role_name(a->role));
    bind_id_or_null(st, 6, a->coordination_id);
    db_bind_int(st, 7, a->is_demo ? 1 : 0);
    db_bind_int(st, 8, (int64_t)now);
    db_bind_int(st, 9, (int64_t)now);
    int r = db_step(st, &le);
    if (r < 0) {
        /* the only unique constraint is the login: someone took it since the check above */
        if (le.status == 409)
            err_field(e, 409, "login", "Cet identifiant est déjà pris.");
        else if (e)
            *e = le;
        goto done;
    }
    if (r != DB_ROW) {
        err_set(e, 500, "Le compte n'a pas pu être créé.");
        goto done;
    }
    if (id_out)
        *id_out = db_col_int(st, 0);
    if (db_step(st, e) < 0)
        goto done;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

static int get_where(struct db *db, struct arena *ar, const char *sql, int64_t id, const char *text,
                     struct account *out, struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db, sql, &st, e))
        return -1;
    if (text)
        db_bind_text(st, 1, text);
    else
        db_bind_int(st, 1, id);
    int r = db_step(st, e);
    if (r == DB_ROW)
        row_to_account(st, ar, out);
    db_finalize(st);
    if (r < 0)
        return -1;
    if (r != DB_ROW)
        return err_set(e, 404, "Compte introuvable.");
    return 0;
}

int account_get(struct db *db, struct arena *ar, int64_t id, struct account *out, struct err *e)
{
    return get_where(db, ar, "SELECT " USER_COLS " FROM users WHERE id = ?", id, NULL, out, e);
}

int account_get_by_login(struct db *db, struct arena *ar, const char *login, struct account *out,
                         struct err *e)
{
    char norm[ACCOUNT_LOGIN_MAX + 1];
    if (check_login(login, norm, NULL))
        return err_set(e, 404, "Compte introuvable.");
    return get_where(db, ar, "SELECT " USER_COLS " FROM users WHERE login = ?", 0, norm, out, e);
}

int account_update(struct db *db, int64_t id, const char *display_name, const char *email,
                   enum role role, int64_t coordination_id, struct err *e)
{
    char name[DISPLAY_NAME_BYTES];
    if (check_display_name(display_name, name, e) || check_email(email, e) ||
        check_role(db, role, coordination_id, e))
        return -1;
    /* NULLIF maps "no coordination" (0) to NULL, as the foreign key requires */
    int64_t n = db_execf(db, e,
                         "UPDATE users SET display_name = ?, email = ?, role = ?, "
                         "coordination_id = NULLIF(?, 0), updated_at = ? WHERE id = ?",
                         "sssiii", name, email ? email : "", account_role_name(role),
                         coordination_id, (int64_t)time(NULL), id);
    if (n < 0)
        return -1;
    if (n == 0)
        return err_set(e, 404, "Compte introuvable.");
    return 0;
}

int account_set_password(struct db *db, int64_t id, const char *password, struct err *e)
{
    char hash[crypto_pwhash_STRBYTES];
    if (check_password(password, e) || hash_password(password, hash, e))
        return -1;
    int64_t n = db_execf(db, e, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                         "sii", hash, (int64_t)time(NULL), id);
    sodium_memzero(hash, sizeof hash);
    if (n < 0)
        return -1;
    if (n == 0)
        return err_set(e, 404, "Compte introuvable.");
    return 0;
}

int account_set_disabled(struct db *db, int64_t id, int disabled, struct err *e)
{
    if (db_begin(db, e))
        return -1;
    int64_t n = db_execf(db, e, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", "iii",
                         (int64_t)(disabled ? 1 : 0), (int64_t)time(NULL), id);
    if (n < 0)
        goto fail;
    if (n == 0) {
        err_set(e, 404, "Compte introuvable.");
        goto fail;
    }
    if (disabled && db_execf(db, e, "DELETE FROM sessions WHERE user_id = ?", "i", id) < 0)
        goto fail;
    return db_commit(db, e);
fail:
    db_rollback(db);
    return -1;
}

/* Appends the WHERE clause of a filter; its parameters are bound by bind_filter in the
 * same order. Only fixed SQL fragments go into the text. */
static void filter_sql(struct buf *b, const struct account_filter *f, int has_q)
{
    buf_puts(b, " WHERE 1 = 1");
    if (f->role > ROLE_ANON)
        buf_puts(b, " AND role = ?");
    if (has_q)
        buf_puts(b, " AND (login LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')");
    if (f->coordination_id > 0)
        buf_puts(b, " AND coordination_id = ?");
}

static int bind_filter(struct db_stmt *st, const struct account_filter *f, const char *pattern)
{
    int i = 1;
    if (f->role > ROLE_ANON)
        db_bind_text(st, i++, account_role_name((enum role)f->role));
    if (pattern) {
        db_bind_text(st, i++, pattern);
        db_bind_text(st, i++, pattern);
    }
    if (f->coordination_id > 0)
        db_bind_int(st, i++, f->coordination_id);
    return i;
}

/* "%<q lowercased, with LIKE wildcards escaped>%" */
static char *like_pattern(struct arena *ar, const char *q)
{
    size_t n = strlen(q);
    char *p = arena_alloc(ar, 2 * n + 3), *w = p;
    *w++ = '%';
    for (size_t i = 0; i < n; i++) {
        char c = q[i];
        if (c == '%' || c == '_' || c == '\\')
            *w++ = '\\';
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        *w++ = c;
    }
    *w++ = '%';
    *w = 0;
    return p;
}

int account_list(struct db *db, struct arena *ar, const struct account_filter *f,
                 struct account **out, int *n, int64_t *total, struct err *e)
{
    struct account_filter d = {.role = -1, .page = 1};
    struct buf sql;
    struct db_stmt *st = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (!f)
        f = &d;
    if (f->role < -1 || f->role > ROLE_ADMIN)
        return err_field(e, 422, "role", "Rôle invalide.");
    int page = f->page < 1 ? 1 : f->page;
    int per_page = f->per_page <= 0 ? ACCOUNT_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > ACCOUNT_PER_PAGE_MAX)
        per_page = ACCOUNT_PER_PAGE_MAX;
    const char *pattern = NULL;
    if (f->q && *f->q) {
        /* nothing longer than a display name can match one */
        if (strlen(f->q) >= DISPLAY_NAME_BYTES)
            return 0;
        pattern = like_pattern(ar, f->q);
    }

    buf_init(&sql, 4096);
    buf_puts(&sql, "SELECT COUNT(*) FROM users");
    filter_sql(&sql, f, pattern != NULL);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    bind_filter(st, f, pattern);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    *total = r == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    st = NULL;

    buf_reset(&sql);
    buf_puts(&sql, "SELECT " USER_COLS " FROM users");
    filter_sql(&sql, f, pattern != NULL);
    buf_puts(&sql, " ORDER BY login LIMIT ? OFFSET ?");
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    int i = bind_filter(st, f, pattern);
    db_bind_int(st, i++, per_page);
    db_bind_int(st, i, (int64_t)(page - 1) * per_page);
    struct account *list = arena_alloc(ar, sizeof *list * (size_t)per_page);
    int count = 0;
    while ((r = db_step(st, e)) == DB_ROW && count < per_page)
        row_to_account(st, ar, &list[count++]);
    if (r < 0)
        goto done;
    *out = list;
    *n = count;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}

int account_set_structures(struct db *db, int64_t user_id, const int64_t *ids, size_t n,
                           struct err *e)
{
    struct err le;
    err_clear(&le);
    int64_t found = db_scalar_int(db, &le, 0, "SELECT 1 FROM users WHERE id = ?", "i", user_id);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    if (!found)
        return err_set(e, 404, "Compte introuvable.");

    if (db_begin(db, e))
        return -1;
    if (db_execf(db, e, "DELETE FROM user_structures WHERE user_id = ?", "i", user_id) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int64_t exists =
            db_scalar_int(db, &le, 0, "SELECT 1 FROM structures WHERE id = ?", "i", ids[i]);
        if (le.status) {
            if (e)
                *e = le;
            goto fail;
        }
        if (!exists) {
            err_field(e, 422, "structures", "Structure inconnue (n° %lld).", (long long)ids[i]);
            goto fail;
        }
        if (db_execf(db, e,
                     "INSERT INTO user_structures (user_id, structure_id) VALUES (?, ?) "
                     "ON CONFLICT DO NOTHING",
                     "ii", user_id, ids[i]) < 0)
            goto fail;
    }
    return db_commit(db, e);
fail:
    db_rollback(db);
    return -1;
}

int account_structures(struct db *db, struct arena *ar, int64_t user_id, int64_t **ids, int *n,
                       struct err *e)
{
    struct db_stmt *st;
    int64_t *tmp = NULL;
    size_t count = 0, cap = 0;
    int r, rc = -1;

    *ids = NULL;
    *n = 0;
    if (db_prepare(db,
                   "SELECT structure_id FROM user_structures WHERE user_id = ? "
                   "ORDER BY structure_id",
                   &st, e))
        return -1;
    db_bind_int(st, 1, user_id);
    while ((r = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            tmp = xrealloc(tmp, cap * sizeof *tmp);
        }
        tmp[count++] = db_col_int(st, 0);
    }
    db_finalize(st);
    if (r < 0)
        goto done;
    *ids = arena_alloc(ar, (count ? count : 1) * sizeof **ids);
    if (count)
        memcpy(*ids, tmp, count * sizeof *tmp);
    *n = (int)count;
    rc = 0;
done:
    free(tmp);
    return rc;
}

int account_has_structure(struct db *db, int64_t user_id, int64_t structure_id)
{
    struct err le;
    err_clear(&le);
    int64_t v = db_scalar_int(
        db, &le, 0, "SELECT 1 FROM user_structures WHERE user_id = ? AND structure_id = ?", "ii",
        user_id, structure_id);
    return le.status == 0 && v == 1;
}

int64_t account_prune_failures(struct db *db, struct err *e)
{
    return db_execf(db, e, "DELETE FROM login_failures WHERE at <= ?", "i",
                    (int64_t)time(NULL) - THROTTLE_WINDOW);
}

static int64_t failures_since(struct db *db, const char *scope, int64_t since, struct err *e)
{
    struct err le;
    err_clear(&le);
    int64_t n =
        db_scalar_int(db, &le, 0, "SELECT COUNT(*) FROM login_failures WHERE scope = ? AND at > ?",
                      "si", scope, since);
    if (le.status) {
        if (e)
            *e = le;
        return -1;
    }
    return n;
}

static int record_failure(struct db *db, const char *login_scope, const char *addr_scope,
                          int64_t now, struct err *e)
{
    if (db_begin(db, e))
        return -1;
    if (db_execf(db, e, "INSERT INTO login_failures (scope, at) VALUES (?, ?)", "si", login_scope,
                 now) < 0)
        goto fail;
    if (addr_scope && db_execf(db, e, "INSERT INTO login_failures (scope, at) VALUES (?, ?)", "si",
                               addr_scope, now) < 0)
        goto fail;
    return db_commit(db, e);
fail:
    db_rollback(db);
    return -1;
}

static char printable(char c)
{
    return (c > 0x20 && c < 0x7f) ? c : '?';
}

int account_authenticate(struct db *db, struct arena *ar, const char *login, const char *password,
                         const char *addr, struct account *out, struct err *e)
{
    /* The scope keys are what the client sent, lowercased like real logins, bounded so junk
     * cannot bloat the table, and kept to printable ASCII so every engine accepts the text
     * (such logins cannot exist anyway, so merging them under '?' loses nothing). */
    char login_scope[sizeof "login:" + ACCOUNT_LOGIN_MAX], addr_scope[sizeof "addr:" + 64];
    char hash[crypto_pwhash_STRBYTES] = "";
    const char *pw = password ? password : "";
    const char *lg = login ? login : "";
    struct account acc = {0};
    int found = 0, ok = 0;

    size_t ln = strlen(lg);
    if (ln > ACCOUNT_LOGIN_MAX)
        ln = ACCOUNT_LOGIN_MAX;
    memcpy(login_scope, "login:", 6);
    for (size_t i = 0; i < ln; i++) {
        char c = lg[i];
        login_scope[6 + i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : printable(c);
    }
    login_scope[6 + ln] = 0;
    if (addr) {
        snprintf(addr_scope, sizeof addr_scope, "addr:%.64s", addr);
        for (char *p = addr_scope; *p; p++)
            *p = printable(*p);
    }

    int64_t now = (int64_t)time(NULL);
    if (randombytes_uniform(PRUNE_ONE_IN) == 0)
        account_prune_failures(db, NULL);

    int64_t n_login = failures_since(db, login_scope, now - THROTTLE_WINDOW, e);
    if (n_login < 0)
        return -1;
    int64_t n_addr = addr ? failures_since(db, addr_scope, now - THROTTLE_WINDOW, e) : 0;
    if (n_addr < 0)
        return -1;
    if (n_login >= THROTTLE_MAX_PER_LOGIN || n_addr >= THROTTLE_MAX_PER_ADDR)
        return err_set(e, 429, "Trop de tentatives de connexion. Réessayez dans quelques minutes.");

    char norm[ACCOUNT_LOGIN_MAX + 1];
    if (check_login(lg, norm, NULL) == 0) {
        struct db_stmt *st;
        if (db_prepare(db, "SELECT " USER_COLS ", password_hash FROM users WHERE login = ?", &st,
                       e))
            return -1;
        db_bind_text(st, 1, norm);
        int r = db_step(st, e);
        if (r == DB_ROW) {
            row_to_account(st, ar, &acc);
            const char *h = db_col_text(st, 9);
            snprintf(hash, sizeof hash, "%s", h ? h : "");
            found = 1;
        }
        /* finalized before hashing: no statement stays open through the slow part */
        db_finalize(st);
        if (r < 0)
            return -1;
    }

    if (found) {
        ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
    } else {
        pthread_once(&dummy_once, dummy_init);
        /* the answer is meaningless: only the time spent matters */
        int dummy_rc = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));
        (void)dummy_rc;
    }

    if (!ok || acc.disabled) {
        if (record_failure(db, login_scope, addr ? addr_scope : NULL, now, e))
            return -1;
        return err_set(e, 401, "%s", err_tr(bad_credentials));
    }

    if (db_execf(db, e, "DELETE FROM login_failures WHERE scope = ?", "s", login_scope) < 0)
        return -1;

    /* Hashes made at an older (or test) cost are upgraded while the password is at hand;
     * never in the fast mode, which must not downgrade real hashes if it is ever set by
     * mistake. A failure here must not refuse a correct login. */
    unsigned long long ops;
    size_t mem;
    if (!pwhash_cost(&ops, &mem) && crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0) {
        char fresh[crypto_pwhash_STRBYTES];
        if (hash_password(pw, fresh, NULL) == 0)
            db_execf(db, NULL, "UPDATE users SET password_hash = ? WHERE id = ?", "si", fresh,
                     acc.id);
        sodium_memzero(fresh, sizeof fresh);
    }
    sodium_memzero(hash, sizeof hash);
    *out = acc;
    return 0;
}

const char *account_role_label(enum role r)
{
    switch (r) {
    case ROLE_ADMIN:
        return N_("Administrateur·rice national·e");
    case ROLE_COORDINATOR:
        return N_("Coordinateur·rice régional·e");
    case ROLE_SUPERVISOR:
        return N_("Encadrant·e");
    case ROLE_PARTICIPANT:
        return N_("Participant·e");
    default:
        return N_("Visiteur·euse");
    }
}
