/* test_account: unit tests for accounts, login throttling, sessions, CSRF tokens and API tokens.
 * Each test gets a fresh database with the migrations applied: SQLite in memory, or the
 * PostgreSQL database of LANTERNE_TEST_DATABASE_URL emptied first (testdb.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "account.h"
#include "apitoken.h"
#include "core/mem.h"
#include "db/db.h"
#include "session.h"
#include "testdb.h"

struct fx {
    struct db *db;
    struct arena *ar;
    int64_t coord;  /* a coordination, for coordinators */
    int64_t s1, s2; /* two structures */
};

static const char *const good_pw = "correct horse battery";

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e;
    err_clear(&e);
    if (!(f->db = testdb_open()))
        return -1;
    f->ar = arena_new();
    f->coord = db_scalar_int(f->db, &e, 0,
                             "INSERT INTO coordinations (slug, name, kind, created_at, updated_at) "
                             "VALUES ('idf', 'Île-de-France', 'regional', 0, 0) RETURNING id",
                             "");
    if (e.status ||
        db_exec(f->db,
                "INSERT INTO regions (code, name, zone) VALUES ('11', 'Île-de-France', 'metro');"
                "INSERT INTO departements (code, name, region_code, zone) "
                "VALUES ('75', 'Paris', '11', 'metro');"
                "INSERT INTO communes (code, name, name_norm, departement_code, region_code) "
                "VALUES ('75056', 'Paris', 'paris', '75', '11');",
                &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->s1 = db_scalar_int(f->db, &e, 0,
                          "INSERT INTO structures (name, name_norm, type, commune_code, "
                          "created_at, updated_at) VALUES ('MJC', 'mjc', 'mjc', '75056', 0, 0) "
                          "RETURNING id",
                          "");
    f->s2 = db_scalar_int(f->db, &e, 0,
                          "INSERT INTO structures (name, name_norm, type, commune_code, "
                          "created_at, updated_at) VALUES ('Cinéma', 'cinema', 'cinema', "
                          "'75056', 0, 0) RETURNING id",
                          "");
    if (e.status) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    db_close(f->db);
    arena_free(f->ar);
    free(f);
    return 0;
}

static char *repeat(char c, size_t n)
{
    char *s = xmalloc(n + 1);
    memset(s, c, n);
    s[n] = 0;
    return s;
}

/* n copies of a UTF-8 sequence */
static char *repeat_str(const char *u, size_t n)
{
    size_t l = strlen(u);
    char *s = xmalloc(l * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * l, u, l);
    s[l * n] = 0;
    return s;
}

static int create(struct fx *f, const char *login, const char *name, const char *email,
                  const char *pw, enum role role, int64_t coord, int64_t *id, struct err *e)
{
    struct account_new a = {.login = login,
                            .display_name = name,
                            .email = email,
                            .password = pw,
                            .role = role,
                            .coordination_id = coord};
    err_clear(e);
    return account_create(f->db, &a, id, e);
}

static int64_t mk(struct fx *f, const char *login, enum role role)
{
    struct err e;
    int64_t id = 0;
    int rc = create(f, login, "Quelqu'un", NULL, good_pw, role,
                    role == ROLE_COORDINATOR ? f->coord : 0, &id, &e);
    if (rc)
        fprintf(stderr, "mk %s: %s\n", login, e.msg);
    assert_int_equal(rc, 0);
    assert_true(id > 0);
    return id;
}

static void expect_create_err(struct fx *f, const char *login, const char *name, const char *email,
                              const char *pw, enum role role, int64_t coord, int status,
                              const char *field)
{
    struct err e;
    int64_t id = 0;
    assert_int_equal(create(f, login, name, email, pw, role, coord, &id, &e), -1);
    assert_int_equal(e.status, status);
    assert_non_null(e.field);
    assert_string_equal(e.field, field);
    assert_true(e.msg[0] != 0);
}

static void expect_create_ok(struct fx *f, const char *login, const char *name, const char *email,
                             const char *pw, enum role role, int64_t coord)
{
    struct err e;
    int64_t id = 0;
    int rc = create(f, login, name, email, pw, role, coord, &id, &e);
    if (rc)
        fprintf(stderr, "unexpected: %s (%s)\n", e.msg, e.field ? e.field : "-");
    assert_int_equal(rc, 0);
    assert_true(id > 0);
}

static int64_t count(struct fx *f, const char *sql, const char *types, const char *s)
{
    struct err e;
    err_clear(&e);
    int64_t n = types[0] ? db_scalar_int(f->db, &e, 0, sql, types, s)
                         : db_scalar_int(f->db, &e, 0, sql, types);
    assert_int_equal(e.status, 0);
    return n;
}

/* ---- roles ---- */

static void test_roles(void **state)
{
    enum role r = ROLE_ANON;
    assert_string_equal(account_role_name(ROLE_ANON), "anonymous");
    assert_string_equal(account_role_name(ROLE_PARTICIPANT), "participant");
    assert_string_equal(account_role_name(ROLE_SUPERVISOR), "supervisor");
    assert_string_equal(account_role_name(ROLE_COORDINATOR), "coordinator");
    assert_string_equal(account_role_name(ROLE_ADMIN), "admin");
    assert_string_equal(account_role_name((enum role)9), "");
    assert_int_equal(account_role_parse("coordinator", &r), 0);
    assert_int_equal(r, ROLE_COORDINATOR);
    assert_int_equal(account_role_parse("Admin", &r), -1);
    assert_int_equal(account_role_parse(NULL, &r), -1);
    assert_int_equal(r, ROLE_COORDINATOR);
    assert_true(ROLE_ADMIN > ROLE_COORDINATOR && ROLE_COORDINATOR > ROLE_SUPERVISOR &&
                ROLE_SUPERVISOR > ROLE_PARTICIPANT && ROLE_PARTICIPANT > ROLE_ANON);
}

/* ---- creation and validation ---- */

static void test_create_and_get(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    int64_t id = 0;
    assert_int_equal(create(f, "Alice.Martin", "  Alice Martin ", "alice@example.fr", good_pw,
                            ROLE_SUPERVISOR, 0, &id, &e),
                     0);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_int_equal(a.id, id);
    assert_string_equal(a.login, "alice.martin");
    assert_string_equal(a.display_name, "Alice Martin");
    assert_string_equal(a.email, "alice@example.fr");
    assert_int_equal(a.role, ROLE_SUPERVISOR);
    assert_int_equal(a.coordination_id, 0);
    assert_int_equal(a.disabled, 0);
    assert_int_equal(a.is_demo, 0);
    assert_true(llabs(a.created_at - (int64_t)time(NULL)) < 5);

    assert_int_equal(account_get_by_login(f->db, f->ar, "ALICE.martin", &a, &e), 0);
    assert_int_equal(a.id, id);
    assert_int_equal(account_get_by_login(f->db, f->ar, "bob", &a, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(account_get_by_login(f->db, f->ar, "bad login!", &a, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(account_get(f->db, f->ar, id + 100, &a, &e), -1);
    assert_int_equal(e.status, 404);

    /* a participant needs no e-mail; a coordinator keeps its coordination; demo flag kept */
    struct account_new n = {.login = "coord",
                            .display_name = "Coord",
                            .password = good_pw,
                            .role = ROLE_COORDINATOR,
                            .coordination_id = f->coord,
                            .is_demo = 1};
    assert_int_equal(account_create(f->db, &n, &id, &e), 0);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_int_equal(a.coordination_id, f->coord);
    assert_int_equal(a.is_demo, 1);
    assert_string_equal(a.email, "");
    mk(f, "participant", ROLE_PARTICIPANT);
}

static void test_login_limits(void **state)
{
    struct fx *f = *state;
    char *l64 = repeat('a', ACCOUNT_LOGIN_MAX), *l65 = repeat('b', ACCOUNT_LOGIN_MAX + 1);
    expect_create_err(f, "ab", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_err(f, "", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_err(f, NULL, "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_ok(f, "abc", "N", NULL, good_pw, ROLE_PARTICIPANT, 0);
    expect_create_ok(f, l64, "N", NULL, good_pw, ROLE_PARTICIPANT, 0);
    expect_create_err(f, l65, "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_ok(f, "a.b_c-9", "N", NULL, good_pw, ROLE_PARTICIPANT, 0);
    expect_create_err(f, "a b", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_err(f, "andré", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_err(f, "a@b", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    expect_create_err(f, "a%b", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "login");
    free(l64);
    free(l65);
}

static void test_duplicate_login(void **state)
{
    struct fx *f = *state;
    mk(f, "dupont", ROLE_PARTICIPANT);
    expect_create_err(f, "dupont", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 409, "login");
    /* logins are lowercased, so case does not make a new one */
    expect_create_err(f, "DuPont", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, 409, "login");
    struct err e;
    int64_t id;
    create(f, "dupont", "N", NULL, good_pw, ROLE_PARTICIPANT, 0, &id, &e);
    assert_string_equal(e.msg, "Cet identifiant est déjà pris.");
}

static void test_display_name_limits(void **state)
{
    struct fx *f = *state;
    /* 'é' is two bytes: the limit counts characters, not bytes */
    char *n120 = repeat_str("é", ACCOUNT_DISPLAY_NAME_MAX);
    char *n121 = repeat_str("é", ACCOUNT_DISPLAY_NAME_MAX + 1);
    expect_create_err(f, "u01", "", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "display_name");
    expect_create_err(f, "u02", "   ", NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "display_name");
    expect_create_err(f, "u03", NULL, NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "display_name");
    expect_create_ok(f, "u04", "X", NULL, good_pw, ROLE_PARTICIPANT, 0);
    expect_create_ok(f, "u05", n120, NULL, good_pw, ROLE_PARTICIPANT, 0);
    expect_create_err(f, "u06", n121, NULL, good_pw, ROLE_PARTICIPANT, 0, 422, "display_name");
    expect_create_err(f, "u07", "bad \xff utf8", NULL, good_pw, ROLE_PARTICIPANT, 0, 422,
                      "display_name");
    expect_create_err(f, "u08", "overlong \xc0\xaf", NULL, good_pw, ROLE_PARTICIPANT, 0, 422,
                      "display_name");
    expect_create_err(f, "u09", "line\nbreak", NULL, good_pw, ROLE_PARTICIPANT, 0, 422,
                      "display_name");
    free(n120);
    free(n121);
}

static void test_email_limits(void **state)
{
    struct fx *f = *state;
    /* 254 bytes in all: local part of 64, '@', a domain of 189 */
    char *local = repeat('l', 64), *dom = repeat('d', 185);
    char e254[300], e255[300];
    snprintf(e254, sizeof e254, "%s@%s.com", local, dom);
    snprintf(e255, sizeof e255, "%s@%sd.com", local, dom);
    assert_int_equal(strlen(e254), ACCOUNT_EMAIL_MAX);
    assert_int_equal(strlen(e255), ACCOUNT_EMAIL_MAX + 1);
    expect_create_ok(f, "e01", "N", "", good_pw, ROLE_SUPERVISOR, 0);
    expect_create_ok(f, "e02", "N", "nom@domaine.fr", good_pw, ROLE_SUPERVISOR, 0);
    expect_create_ok(f, "e03", "N", e254, good_pw, ROLE_SUPERVISOR, 0);
    expect_create_err(f, "e04", "N", e255, good_pw, ROLE_SUPERVISOR, 0, 422, "email");
    const char *bad[] = {"nope",    "a@b",     "@b.fr",   "a@@b.fr",  "a@b@c.fr", "a b@c.fr",
                         "a@.b.fr", "a@b.fr.", "a@b..fr", "<a@b.fr>", "a@b.fr\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_create_err(f, "e05", "N", bad[i], good_pw, ROLE_SUPERVISOR, 0, 422, "email");
    free(local);
    free(dom);
}

static void test_password_limits(void **state)
{
    struct fx *f = *state;
    char *p9 = repeat('p', ACCOUNT_PASSWORD_MIN - 1), *p10 = repeat('p', ACCOUNT_PASSWORD_MIN);
    char *p1024 = repeat('p', ACCOUNT_PASSWORD_MAX), *p1025 = repeat('p', ACCOUNT_PASSWORD_MAX + 1);
    /* 9 'é' are 18 bytes but 9 characters: still too short */
    char *u9 = repeat_str("é", ACCOUNT_PASSWORD_MIN - 1), *u10 = repeat_str("é", 10);
    expect_create_err(f, "p01", "N", NULL, p9, ROLE_PARTICIPANT, 0, 422, "password");
    expect_create_err(f, "p01", "N", NULL, NULL, ROLE_PARTICIPANT, 0, 422, "password");
    expect_create_ok(f, "p02", "N", NULL, p10, ROLE_PARTICIPANT, 0);
    expect_create_ok(f, "p03", "N", NULL, p1024, ROLE_PARTICIPANT, 0);
    expect_create_err(f, "p04", "N", NULL, p1025, ROLE_PARTICIPANT, 0, 422, "password");
    expect_create_err(f, "p05", "N", NULL, u9, ROLE_PARTICIPANT, 0, 422, "password");
    expect_create_ok(f, "p06", "N", NULL, u10, ROLE_PARTICIPANT, 0);
    expect_create_err(f, "p07", "N", NULL, "abcdefghij\xff", ROLE_PARTICIPANT, 0, 422, "password");
    free(p9);
    free(p10);
    free(p1024);
    free(p1025);
    free(u9);
    free(u10);
}

static void test_role_rules(void **state)
{
    struct fx *f = *state;
    expect_create_err(f, "r01", "N", NULL, good_pw, ROLE_ANON, 0, 422, "role");
    expect_create_err(f, "r02", "N", NULL, good_pw, (enum role)5, 0, 422, "role");
    expect_create_err(f, "r03", "N", NULL, good_pw, ROLE_COORDINATOR, 0, 422, "coordination_id");
    expect_create_err(f, "r04", "N", NULL, good_pw, ROLE_COORDINATOR, f->coord + 50, 422,
                      "coordination_id");
    expect_create_err(f, "r05", "N", NULL, good_pw, ROLE_ADMIN, -1, 422, "coordination_id");
    expect_create_ok(f, "r06", "N", NULL, good_pw, ROLE_COORDINATOR, f->coord);
    expect_create_ok(f, "r07", "N", NULL, good_pw, ROLE_ADMIN, 0);
    expect_create_ok(f, "r08", "N", NULL, good_pw, ROLE_SUPERVISOR, f->coord);
}

static void test_hash_not_plaintext(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct db_stmt *st;
    int64_t id = mk(f, "hashed", ROLE_PARTICIPANT);
    assert_int_equal(db_prepare(f->db, "SELECT password_hash FROM users WHERE id = ?", &st, &e), 0);
    db_bind_int(st, 1, id);
    assert_int_equal(db_step(st, &e), DB_ROW);
    const char *h = db_col_text(st, 0);
    assert_non_null(h);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_null(strstr(h, good_pw));
    assert_null(strstr(h, "horse"));
    db_finalize(st);
}

/* A hash made at another cost (here the test cost) is upgraded on the next good login. */
static void test_rehash(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    mk(f, "oldhash", ROLE_PARTICIPANT);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE password_hash LIKE ?", "s",
                           "$argon2id$v=19$m=8,%"),
                     1);
    setenv("LANTERNE_PWHASH_FAST", "0", 1);
    int rc = account_authenticate(f->db, f->ar, "oldhash", good_pw, NULL, &a, &e);
    setenv("LANTERNE_PWHASH_FAST", "1", 1);
    assert_int_equal(rc, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE password_hash LIKE ?", "s",
                           "$argon2id$v=19$m=65536,t=2,%"),
                     1);
    /* the fast mode never downgrades a hash */
    assert_int_equal(account_authenticate(f->db, f->ar, "oldhash", good_pw, NULL, &a, &e), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM users WHERE password_hash LIKE ?", "s",
                           "$argon2id$v=19$m=65536,t=2,%"),
                     1);
}

/* ---- update, password, disable ---- */

static void test_update(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    int64_t id = mk(f, "upd", ROLE_PARTICIPANT);
    err_clear(&e);
    assert_int_equal(
        account_update(f->db, id, "Nouveau Nom", "n@x.fr", ROLE_COORDINATOR, f->coord, &e), 0);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_string_equal(a.display_name, "Nouveau Nom");
    assert_string_equal(a.email, "n@x.fr");
    assert_int_equal(a.role, ROLE_COORDINATOR);
    assert_int_equal(a.coordination_id, f->coord);
    assert_string_equal(a.login, "upd");

    assert_int_equal(account_update(f->db, id, "N", "", ROLE_SUPERVISOR, 0, &e), 0);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_int_equal(a.coordination_id, 0);
    assert_int_equal(a.role, ROLE_SUPERVISOR);

    assert_int_equal(account_update(f->db, id, "", "", ROLE_SUPERVISOR, 0, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "display_name");
    assert_int_equal(account_update(f->db, id, "N", "bad", ROLE_SUPERVISOR, 0, &e), -1);
    assert_string_equal(e.field, "email");
    assert_int_equal(account_update(f->db, id, "N", "", ROLE_COORDINATOR, 0, &e), -1);
    assert_string_equal(e.field, "coordination_id");
    assert_int_equal(account_update(f->db, id, "N", "", ROLE_ANON, 0, &e), -1);
    assert_string_equal(e.field, "role");
    assert_int_equal(account_update(f->db, id + 99, "N", "", ROLE_ADMIN, 0, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_set_password(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    int64_t id = mk(f, "pwd", ROLE_PARTICIPANT);
    assert_int_equal(account_set_password(f->db, id, "short", &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "password");
    assert_int_equal(account_set_password(f->db, id, "un nouveau mot de passe", &e), 0);
    assert_int_equal(account_authenticate(f->db, f->ar, "pwd", good_pw, "1.2.3.4", &a, &e), -1);
    assert_int_equal(e.status, 401);
    assert_int_equal(
        account_authenticate(f->db, f->ar, "pwd", "un nouveau mot de passe", "1.2.3.4", &a, &e), 0);
    assert_int_equal(account_set_password(f->db, id + 99, "un nouveau mot de passe", &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_disable_ends_sessions(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    char tok[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1], c2[SESSION_TOKEN_LEN + 1];
    int64_t id = mk(f, "dis", ROLE_SUPERVISOR);
    assert_int_equal(session_create(f->db, id, tok, csrf, &e), 0);
    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 0);
    assert_int_equal(account_set_disabled(f->db, id, 1, &e), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions", "", NULL), 0);
    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 1);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_int_equal(a.disabled, 1);
    assert_int_equal(account_set_disabled(f->db, id, 0, &e), 0);
    assert_int_equal(account_get(f->db, f->ar, id, &a, &e), 0);
    assert_int_equal(a.disabled, 0);
    assert_int_equal(account_set_disabled(f->db, id + 99, 1, &e), -1);
    assert_int_equal(e.status, 404);
}

/* ---- listing ---- */

static void test_list(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account *list;
    int n;
    int64_t total;
    struct account_new a = {.display_name = "Membre", .password = good_pw};
    char login[32];
    /* 105 participants p000..p104: more than the largest page */
    for (int i = 0; i < 105; i++) {
        snprintf(login, sizeof login, "p%03d", i);
        a.login = login;
        a.role = ROLE_PARTICIPANT;
        assert_int_equal(account_create(f->db, &a, NULL, &e), 0);
    }
    int64_t c = 0;
    struct account_new co = {.login = "zoe_coord",
                             .display_name = "Zoé 100% Réelle",
                             .password = good_pw,
                             .role = ROLE_COORDINATOR,
                             .coordination_id = f->coord};
    assert_int_equal(account_create(f->db, &co, &c, &e), 0);
    mk(f, "ann", ROLE_SUPERVISOR);

    struct account_filter all = {.role = -1};
    assert_int_equal(account_list(f->db, f->ar, &all, &list, &n, &total, &e), 0);
    assert_int_equal(total, 107);
    assert_int_equal(n, ACCOUNT_PER_PAGE_DEFAULT);
    assert_string_equal(list[0].login, "ann");
    assert_string_equal(list[1].login, "p000");

    struct account_filter big = {.role = -1, .per_page = ACCOUNT_PER_PAGE_MAX + 1};
    assert_int_equal(account_list(f->db, f->ar, &big, &list, &n, &total, &e), 0);
    assert_int_equal(n, ACCOUNT_PER_PAGE_MAX);
    big.page = 2;
    assert_int_equal(account_list(f->db, f->ar, &big, &list, &n, &total, &e), 0);
    assert_int_equal(n, 7);
    assert_string_equal(list[6].login, "zoe_coord");
    big.page = 3;
    assert_int_equal(account_list(f->db, f->ar, &big, &list, &n, &total, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 107);

    struct account_filter byrole = {.role = ROLE_SUPERVISOR};
    assert_int_equal(account_list(f->db, f->ar, &byrole, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].login, "ann");

    struct account_filter bycoord = {.role = -1, .coordination_id = f->coord};
    assert_int_equal(account_list(f->db, f->ar, &bycoord, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, c);

    struct account_filter q = {.role = -1, .q = "P10"};
    assert_int_equal(account_list(f->db, f->ar, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 5); /* p100..p104 */
    /* LIKE wildcards in q are plain characters */
    q.q = "%";
    assert_int_equal(account_list(f->db, f->ar, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1); /* only "Zoé 100% Réelle" holds a '%' */
    q.q = "_";
    assert_int_equal(account_list(f->db, f->ar, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 1); /* zoe_coord */
    q.q = "membre";             /* display name, case-insensitive */
    assert_int_equal(account_list(f->db, f->ar, &q, &list, &n, &total, &e), 0);
    assert_int_equal(total, 105);

    struct account_filter zero = {0}; /* a zeroed filter lists everyone */
    assert_int_equal(account_list(f->db, f->ar, &zero, &list, &n, &total, &e), 0);
    assert_int_equal(total, 107);
    assert_int_equal(account_list(f->db, f->ar, NULL, &list, &n, &total, &e), 0);
    assert_int_equal(total, 107);

    struct account_filter badrole = {.role = 7};
    assert_int_equal(account_list(f->db, f->ar, &badrole, &list, &n, &total, &e), -1);
    assert_int_equal(e.status, 422);
}

/* ---- structures ---- */

static void test_structures(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t *ids;
    int n;
    int64_t id = mk(f, "sup", ROLE_SUPERVISOR);
    int64_t both[] = {f->s2, f->s1, f->s2};
    assert_int_equal(account_set_structures(f->db, id, both, 3, &e), 0);
    assert_int_equal(account_structures(f->db, f->ar, id, &ids, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_true(ids[0] < ids[1]);
    assert_int_equal(account_has_structure(f->db, id, f->s1), 1);
    assert_int_equal(account_has_structure(f->db, id, f->s2), 1);

    int64_t one[] = {f->s2};
    assert_int_equal(account_set_structures(f->db, id, one, 1, &e), 0);
    assert_int_equal(account_has_structure(f->db, id, f->s1), 0);
    assert_int_equal(account_has_structure(f->db, id, f->s2), 1);

    /* an unknown structure refuses the whole change */
    int64_t bad[] = {f->s1, 9999};
    assert_int_equal(account_set_structures(f->db, id, bad, 2, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "structures");
    assert_int_equal(account_structures(f->db, f->ar, id, &ids, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], f->s2);

    assert_int_equal(account_set_structures(f->db, id, NULL, 0, &e), 0);
    assert_int_equal(account_structures(f->db, f->ar, id, &ids, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(account_set_structures(f->db, id + 99, one, 1, &e), -1);
    assert_int_equal(e.status, 404);
}

/* ---- authentication and throttling ---- */

static void test_authenticate(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    int64_t id = mk(f, "auth", ROLE_ADMIN);
    err_clear(&e);
    assert_int_equal(account_authenticate(f->db, f->ar, "AUTH", good_pw, "10.0.0.1", &a, &e), 0);
    assert_int_equal(a.id, id);
    assert_string_equal(a.login, "auth");
    assert_int_equal(a.role, ROLE_ADMIN);

    assert_int_equal(
        account_authenticate(f->db, f->ar, "auth", "wrong password", "10.0.0.1", &a, &e), -1);
    assert_int_equal(e.status, 401);
    assert_string_equal(e.msg, "Identifiant ou mot de passe incorrect.");
    char msg[sizeof e.msg];
    memcpy(msg, e.msg, sizeof msg);

    /* an unknown login gets the very same answer */
    assert_int_equal(account_authenticate(f->db, f->ar, "nobody", good_pw, "10.0.0.1", &a, &e), -1);
    assert_int_equal(e.status, 401);
    assert_string_equal(e.msg, msg);
    assert_int_equal(account_authenticate(f->db, f->ar, NULL, NULL, NULL, &a, &e), -1);
    assert_int_equal(e.status, 401);

    /* and so does a disabled account, even with the right password */
    assert_int_equal(account_set_disabled(f->db, id, 1, &e), 0);
    assert_int_equal(account_authenticate(f->db, f->ar, "auth", good_pw, "10.0.0.2", &a, &e), -1);
    assert_int_equal(e.status, 401);
    assert_string_equal(e.msg, msg);

    /* every failure was recorded for the login and for the address (none for NULL addr) */
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "login:auth"), 2);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "addr:10.0.0.1"), 2);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "login:nobody"), 1);

    /* junk logins are kept to printable ASCII and bounded in the failure table */
    char *huge = repeat('\xff', 5000);
    assert_int_equal(account_authenticate(f->db, f->ar, huge, good_pw, "10.0.0.3", &a, &e), -1);
    assert_int_equal(e.status, 401);
    free(huge);
    assert_int_equal(count(f, "SELECT max(length(scope)) FROM login_failures", "", NULL),
                     6 + ACCOUNT_LOGIN_MAX);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope LIKE ?", "s", "login:???%"), 1);
}

static void test_throttle_per_login(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    mk(f, "victim", ROLE_PARTICIPANT);
    for (int i = 0; i < THROTTLE_MAX_PER_LOGIN; i++) {
        char addr[32];
        /* from different addresses: the per-login count alone must trigger */
        snprintf(addr, sizeof addr, "198.51.100.%d", i);
        assert_int_equal(
            account_authenticate(f->db, f->ar, "victim", "wrong password", addr, &a, &e), -1);
        assert_int_equal(e.status, 401);
    }
    /* the sixth attempt is refused before the password is looked at, even a correct one */
    assert_int_equal(account_authenticate(f->db, f->ar, "victim", good_pw, "203.0.113.9", &a, &e),
                     -1);
    assert_int_equal(e.status, 429);
    assert_string_equal(e.msg, "Trop de tentatives de connexion. Réessayez dans quelques minutes.");
    /* refusals are not failures: they do not extend the lock-out */
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "login:victim"),
        THROTTLE_MAX_PER_LOGIN);
    /* the same login in capitals is the same account */
    assert_int_equal(account_authenticate(f->db, f->ar, "VICTIM", good_pw, "203.0.113.9", &a, &e),
                     -1);
    assert_int_equal(e.status, 429);

    /* once the failures are older than the window, the correct password works again */
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE login_failures SET at = at - %d", THROTTLE_WINDOW);
    assert_int_equal(db_exec(f->db, sql, &e), 0);
    assert_int_equal(account_authenticate(f->db, f->ar, "victim", good_pw, "203.0.113.9", &a, &e),
                     0);

    /* four failures, then success: the success forgets them, so five more are allowed */
    db_exec(f->db, "DELETE FROM login_failures", &e);
    for (int i = 0; i < THROTTLE_MAX_PER_LOGIN - 1; i++)
        account_authenticate(f->db, f->ar, "victim", "wrong password", NULL, &a, &e);
    assert_int_equal(account_authenticate(f->db, f->ar, "victim", good_pw, NULL, &a, &e), 0);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "login:victim"), 0);
    for (int i = 0; i < THROTTLE_MAX_PER_LOGIN - 1; i++)
        account_authenticate(f->db, f->ar, "victim", "wrong password", NULL, &a, &e);
    assert_int_equal(account_authenticate(f->db, f->ar, "victim", good_pw, NULL, &a, &e), 0);
}

static void test_throttle_per_addr(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    mk(f, "bob", ROLE_PARTICIPANT);
    const char *addr = "192.0.2.1";
    /* spraying many logins from one address: each login stays under its own limit */
    for (int i = 0; i < THROTTLE_MAX_PER_ADDR; i++) {
        char login[32];
        snprintf(login, sizeof login, "guess%02d", i);
        assert_int_equal(account_authenticate(f->db, f->ar, login, "wrong password", addr, &a, &e),
                         -1);
        assert_int_equal(e.status, 401);
    }
    assert_int_equal(account_authenticate(f->db, f->ar, "bob", good_pw, addr, &a, &e), -1);
    assert_int_equal(e.status, 429);
    /* the same account from elsewhere is fine */
    assert_int_equal(account_authenticate(f->db, f->ar, "bob", good_pw, "192.0.2.2", &a, &e), 0);
    /* one short of the limit still passes */
    db_exec(f->db,
            "DELETE FROM login_failures WHERE id = (SELECT MIN(id) FROM login_failures "
            "WHERE scope = 'addr:192.0.2.1')",
            &e);
    assert_int_equal(account_authenticate(f->db, f->ar, "bob", good_pw, addr, &a, &e), 0);
    /* a success clears the login's failures, not the address's */
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM login_failures WHERE scope = ?", "s", "addr:192.0.2.1"),
        THROTTLE_MAX_PER_ADDR - 1);
}

static void test_prune_failures(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t now = (int64_t)time(NULL);
    assert_true(db_execf(f->db, &e, "INSERT INTO login_failures (scope, at) VALUES (?, ?), (?, ?)",
                         "sisi", "login:x", now - THROTTLE_WINDOW - 1, "login:x", now) == 2);
    assert_int_equal(account_prune_failures(f->db, &e), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM login_failures", "", NULL), 1);
}

/* ---- sessions ---- */

static void test_sessions(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    char tok[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1], c2[SESSION_TOKEN_LEN + 1];
    int64_t id = mk(f, "sess", ROLE_SUPERVISOR);
    err_clear(&e);
    assert_int_equal(session_create(f->db, id, tok, csrf, &e), 0);
    assert_int_equal(strlen(tok), SESSION_TOKEN_LEN);
    assert_int_equal(strlen(csrf), SESSION_TOKEN_LEN);
    assert_string_not_equal(tok, csrf);

    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 0);
    assert_int_equal(a.id, id);
    assert_string_equal(a.login, "sess");
    assert_string_equal(c2, csrf);
    assert_int_equal(session_csrf_check(c2, csrf), 1);

    /* only the hash is stored */
    char hash[SESSION_HASH_HEX + 1];
    session_token_hash(tok, hash);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", "s", tok), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", "s", hash), 1);
    int64_t exp = count(f, "SELECT expires_at - created_at FROM sessions", "", NULL);
    assert_int_equal(exp, SESSION_LIFETIME);

    /* unknown and malformed tokens are simply "no session" */
    char other[SESSION_TOKEN_LEN + 1];
    session_random_token(other);
    assert_int_equal(session_lookup(f->db, f->ar, other, &a, c2, &e), 1);
    assert_int_equal(session_lookup(f->db, f->ar, "", &a, c2, &e), 1);
    assert_int_equal(session_lookup(f->db, f->ar, NULL, &a, c2, &e), 1);
    char bad[SESSION_TOKEN_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[5] = '!';
    assert_int_equal(session_lookup(f->db, f->ar, bad, &a, c2, &e), 1);

    /* past half its life, a used session is extended to a full lifetime */
    int64_t now = (int64_t)time(NULL);
    db_execf(f->db, &e, "UPDATE sessions SET expires_at = ?", "i", now + 3600);
    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 0);
    int64_t newexp = count(f, "SELECT expires_at FROM sessions", "", NULL);
    assert_true(newexp >= now + SESSION_LIFETIME - 5);

    /* expired */
    db_execf(f->db, &e, "UPDATE sessions SET expires_at = ?", "i", now - 1);
    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 1);
    assert_int_equal(session_purge_expired(f->db, &e), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions", "", NULL), 0);

    /* destroy */
    assert_int_equal(session_create(f->db, id, tok, csrf, &e), 0);
    assert_int_equal(session_destroy(f->db, tok, &e), 0);
    assert_int_equal(session_lookup(f->db, f->ar, tok, &a, c2, &e), 1);
    assert_int_equal(session_destroy(f->db, tok, &e), 0);
    assert_int_equal(session_destroy(f->db, "junk", &e), 0);

    /* end all sessions but the current one */
    char t1[SESSION_TOKEN_LEN + 1], t2[SESSION_TOKEN_LEN + 1], t3[SESSION_TOKEN_LEN + 1];
    assert_int_equal(session_create(f->db, id, t1, csrf, &e), 0);
    assert_int_equal(session_create(f->db, id, t2, csrf, &e), 0);
    assert_int_equal(session_create(f->db, id, t3, csrf, &e), 0);
    assert_int_equal(session_destroy_user(f->db, id, t2, &e), 2);
    assert_int_equal(session_lookup(f->db, f->ar, t1, &a, c2, &e), 1);
    assert_int_equal(session_lookup(f->db, f->ar, t2, &a, c2, &e), 0);
    assert_int_equal(session_destroy_user(f->db, id, NULL, &e), 1);

    /* a session for no one */
    assert_int_equal(session_create(f->db, id + 99, tok, csrf, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_csrf_check(void **state)
{
    assert_int_equal(session_csrf_check("abc", "abc"), 1);
    assert_int_equal(session_csrf_check("abc", "abd"), 0);
    assert_int_equal(session_csrf_check("abc", "ab"), 0);
    assert_int_equal(session_csrf_check("", ""), 0);
    assert_int_equal(session_csrf_check(NULL, "abc"), 0);
    assert_int_equal(session_csrf_check("abc", NULL), 0);
}

static void test_anon_csrf(void **state)
{
    struct fx *f = *state;
    struct err e;
    char nonce[SESSION_TOKEN_LEN + 1], other[SESSION_TOKEN_LEN + 1];
    char tok[SESSION_TOKEN_LEN + 1], tok2[SESSION_TOKEN_LEN + 1];
    session_random_token(nonce);
    session_random_token(other);
    err_clear(&e);
    assert_int_equal(session_anon_csrf(f->db, nonce, tok, &e), 0);
    assert_int_equal(strlen(tok), SESSION_TOKEN_LEN);
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, tok, &e), 0);
    /* stateless but stable: the same nonce gives the same token */
    assert_int_equal(session_anon_csrf(f->db, nonce, tok2, &e), 0);
    assert_string_equal(tok, tok2);

    /* tampering with the token, or pairing it with another nonce, fails */
    memcpy(tok2, tok, sizeof tok2);
    tok2[0] = tok2[0] == 'A' ? 'B' : 'A';
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, tok2, &e), 1);
    memcpy(tok2, tok, sizeof tok2);
    tok2[SESSION_TOKEN_LEN - 1] = tok2[SESSION_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, tok2, &e), 1);
    assert_int_equal(session_anon_csrf_verify(f->db, other, tok, &e), 1);
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, "", &e), 1);
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, NULL, &e), 1);
    assert_int_equal(session_anon_csrf_verify(f->db, "", tok, &e), 1);
    /* the token is no use as a nonce for itself (a MAC, not an echo) */
    assert_int_equal(session_anon_csrf_verify(f->db, tok, tok, &e), 1);
    assert_int_equal(session_anon_csrf(f->db, "short", tok2, &e), -1);
    assert_int_equal(e.status, 400);

    /* the secret lives in settings; a new secret invalidates old tokens */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM settings WHERE key = ?", "s", "csrf_secret"),
                     1);
    db_exec(f->db, "DELETE FROM settings WHERE key = 'csrf_secret'", &e);
    assert_int_equal(session_anon_csrf_verify(f->db, nonce, tok, &e), 1);
}

static void test_secret(void **state)
{
    struct fx *f = *state;
    struct err e;
    unsigned char a[SESSION_SECRET_LEN], b[SESSION_SECRET_LEN], zero[SESSION_SECRET_LEN] = {0};
    assert_int_equal(session_secret(f->db, "media_secret", a, &e), 0);
    assert_int_equal(session_secret(f->db, "media_secret", b, &e), 0);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_int_equal(session_secret(f->db, "other_secret", b, &e), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(
        count(f, "SELECT length(value) FROM settings WHERE key = ?", "s", "media_secret"),
        2 * SESSION_SECRET_LEN);
    db_exec(f->db, "UPDATE settings SET value = 'zz' WHERE key = 'media_secret'", &e);
    assert_int_equal(session_secret(f->db, "media_secret", a, &e), -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(session_secret(f->db, "", a, &e), -1);
}

/* Two connections to one database (a file on SQLite), as two server processes would have: they
 * share the secret. */
static void test_secret_shared(void **state)
{
    struct err e;
    char path[] = "/tmp/lanterne-test-account-XXXXXX";
    char url[1024], wal[160], shm[160];
    const char *pg = testdb_pg_url();
    if (pg) {
        snprintf(url, sizeof url, "%s", pg); /* the fixture's database, migrated by setup */
    } else {
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(url, sizeof url, "sqlite:%s", path);
    }
    struct db *d1, *d2;
    assert_int_equal(db_open(url, &d1, &e), 0);
    assert_int_equal(db_migrate(d1, &e), 0);
    assert_int_equal(db_open(url, &d2, &e), 0);
    char nonce[SESSION_TOKEN_LEN + 1], tok[SESSION_TOKEN_LEN + 1];
    session_random_token(nonce);
    assert_int_equal(session_anon_csrf(d1, nonce, tok, &e), 0);
    assert_int_equal(session_anon_csrf_verify(d2, nonce, tok, &e), 0);
    db_close(d1);
    db_close(d2);
    if (pg)
        return;
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
}

/* ---- API tokens ---- */

static void test_apitokens(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct account a;
    char tok[APITOKEN_LEN + 1], tok2[APITOKEN_LEN + 1];
    int64_t tid = 0, tid2 = 0;
    int64_t id = mk(f, "scripter", ROLE_COORDINATOR);
    int64_t other = mk(f, "other", ROLE_PARTICIPANT);
    err_clear(&e);

    assert_int_equal(apitoken_create(f->db, id, "export nocturne", tok, &tid, &e), 0);
    assert_int_equal(strlen(tok), APITOKEN_LEN);
    assert_true(strncmp(tok, "lnt_", 4) == 0);
    assert_true(tid > 0);
    assert_int_equal(apitoken_create(f->db, id, "deuxième", tok2, &tid2, &e), 0);
    assert_string_not_equal(tok, tok2);

    /* only the hash is stored */
    char hash[SESSION_HASH_HEX + 1];
    session_token_hash(tok, hash);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", "s", tok), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", "s", hash),
                     1);

    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NULL", "", NULL), 2);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok, &a, &e), 0);
    assert_int_equal(a.id, id);
    assert_int_equal(a.role, ROLE_COORDINATOR);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NULL", "", NULL), 1);

    struct apitoken *list;
    int n;
    assert_int_equal(apitoken_list(f->db, f->ar, id, &list, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, tid2); /* newest first */
    assert_string_equal(list[0].name, "deuxième");
    assert_int_equal(list[0].last_used_at, 0);
    assert_true(list[1].last_used_at > 0);
    assert_int_equal(apitoken_list(f->db, f->ar, other, &list, &n, &e), 0);
    assert_int_equal(n, 0);

    /* wrong, truncated, unprefixed tokens are unknown */
    char bad[APITOKEN_LEN + 1];
    memcpy(bad, tok, sizeof bad);
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_int_equal(apitoken_lookup(f->db, f->ar, bad, &a, &e), 1);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok + 4, &a, &e), 1);
    assert_int_equal(apitoken_lookup(f->db, f->ar, "lnt_", &a, &e), 1);
    assert_int_equal(apitoken_lookup(f->db, f->ar, NULL, &a, &e), 1);

    /* someone else cannot delete it */
    assert_int_equal(apitoken_delete(f->db, other, tid, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok, &a, &e), 0);
    assert_int_equal(apitoken_delete(f->db, id, tid, &e), 0);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok, &a, &e), 1);
    assert_int_equal(apitoken_delete(f->db, id, tid, &e), -1);
    assert_int_equal(e.status, 404);

    /* disabled accounts' tokens stop working, and work again when re-enabled */
    assert_int_equal(account_set_disabled(f->db, id, 1, &e), 0);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok2, &a, &e), 1);
    assert_int_equal(account_set_disabled(f->db, id, 0, &e), 0);
    assert_int_equal(apitoken_lookup(f->db, f->ar, tok2, &a, &e), 0);

    assert_int_equal(apitoken_create(f->db, id + 99, "x", tok, &tid, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_apitoken_limits(void **state)
{
    struct fx *f = *state;
    struct err e;
    char tok[APITOKEN_LEN + 1];
    int64_t tid;
    int64_t id = mk(f, "limits", ROLE_SUPERVISOR);
    char *n100 = repeat_str("é", APITOKEN_NAME_MAX), *n101 = repeat_str("é", APITOKEN_NAME_MAX + 1);
    assert_int_equal(apitoken_create(f->db, id, "", tok, &tid, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "name");
    assert_int_equal(apitoken_create(f->db, id, NULL, tok, &tid, &e), -1);
    assert_int_equal(apitoken_create(f->db, id, n101, tok, &tid, &e), -1);
    assert_string_equal(e.field, "name");
    assert_int_equal(apitoken_create(f->db, id, "tab\there", tok, &tid, &e), -1);
    assert_int_equal(apitoken_create(f->db, id, "bad \xff", tok, &tid, &e), -1);
    assert_int_equal(apitoken_create(f->db, id, n100, tok, &tid, &e), 0);
    assert_int_equal(apitoken_create(f->db, id, "a", tok, &tid, &e), 0);
    for (int i = 2; i < APITOKEN_MAX_PER_USER; i++)
        assert_int_equal(apitoken_create(f->db, id, "more", tok, &tid, &e), 0);
    assert_int_equal(apitoken_create(f->db, id, "one too many", tok, &tid, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(tok, "");
    struct apitoken *list;
    int n;
    assert_int_equal(apitoken_list(f->db, f->ar, id, &list, &n, &e), 0);
    assert_int_equal(n, APITOKEN_MAX_PER_USER);
    free(n100);
    free(n101);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    /* minimal argon2id cost: hundreds of hashes in a few seconds */
    setenv("LANTERNE_PWHASH_FAST", "1", 1);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_roles),
        T(test_create_and_get),
        T(test_login_limits),
        T(test_duplicate_login),
        T(test_display_name_limits),
        T(test_email_limits),
        T(test_password_limits),
        T(test_role_rules),
        T(test_hash_not_plaintext),
        T(test_rehash),
        T(test_update),
        T(test_set_password),
        T(test_disable_ends_sessions),
        T(test_list),
        T(test_structures),
        T(test_authenticate),
        T(test_throttle_per_login),
        T(test_throttle_per_addr),
        T(test_prune_failures),
        T(test_sessions),
        T(test_csrf_check),
        T(test_anon_csrf),
        T(test_secret),
        T(test_secret_shared),
        T(test_apitokens),
        T(test_apitoken_limits),
    };
#undef T
    return cmocka_run_group_tests_name(testdb_pg_url() ? "account on PostgreSQL" : "account", tests,
                                       NULL, NULL);
}
