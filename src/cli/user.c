/* user: `lanterne user add|list|passwd|disable`, account management from the shell
 * (the first admin is made here, and a forgotten password is reset here). */
#include "account.h"
#include "cli/cli.h"
#include "coordination.h"
#include "core/mem.h"
#include "session.h"

#include <stdio.h>
#include <string.h>

static int read_password(const char *given, char *out, size_t cap)
{
    if (given) {
        snprintf(out, cap, "%s", given);
        return 0;
    }
    fprintf(stderr, "Password (one line on standard input): ");
    if (!fgets(out, (int)cap, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

static int user_add(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    struct account_new n = {0};
    n.login = cli_flag_value(argc, argv, "--login");
    n.display_name = cli_flag_value(argc, argv, "--name");
    n.email = cli_flag_value(argc, argv, "--email");
    const char *role = cli_flag_value(argc, argv, "--role");
    const char *coord = cli_flag_value(argc, argv, "--coordination");
    if (!n.login || !role)
        return err_set(e, 2, "user add needs --login and --role (see --help)");
    if (!n.display_name)
        n.display_name = n.login;
    if (account_role_parse(role, &n.role) || n.role == ROLE_ANON)
        return err_set(e, 2, "unknown role '%s' (admin, coordinator, supervisor, participant)",
                       role);
    if (coord) {
        struct coordination co;
        if (coordination_get(db, a, coord, &co, e))
            return -1;
        n.coordination_id = co.id;
    }
    char pw[1100];
    if (read_password(cli_flag_value(argc, argv, "--password"), pw, sizeof pw))
        return err_set(e, 2, "no password given");
    n.password = pw;
    int64_t id;
    if (account_create(db, &n, &id, e))
        return -1;
    printf("created account %s (id %lld, %s)\n", n.login, (long long)id, role);
    return 0;
}

static int user_list(struct db *db, struct arena *a, struct err *e)
{
    printf("%-6s %-24s %-12s %-9s %s\n", "id", "login", "role", "status", "name");
    for (int page = 1;; page++) {
        struct account_filter f = {.role = -1, .page = page, .per_page = ACCOUNT_PER_PAGE_MAX};
        struct account *list;
        int n;
        int64_t total;
        if (account_list(db, a, &f, &list, &n, &total, e))
            return -1;
        for (int i = 0; i < n; i++)
            printf("%-6lld %-24s %-12s %-9s %s\n", (long long)list[i].id, list[i].login,
                   account_role_name(list[i].role), list[i].disabled ? "disabled" : "active",
                   list[i].display_name);
        if ((int64_t)page * ACCOUNT_PER_PAGE_MAX >= total)
            break;
    }
    return 0;
}

static int user_passwd(struct db *db, struct arena *a, int argc, char **argv, struct err *e)
{
    if (argc < 1 || argv[0][0] == '-')
        return err_set(e, 2, "user passwd needs a LOGIN");
    struct account u;
    if (account_get_by_login(db, a, argv[0], &u, e))
        return -1;
    char pw[1100];
    if (read_password(cli_flag_value(argc, argv, "--password"), pw, sizeof pw))
        return err_set(e, 2, "no password given");
    if (account_set_password(db, u.id, pw, e))
        return -1;
    /* a reset is often done because the password leaked: end every open session */
    int64_t ended = session_destroy_user(db, u.id, NULL, e);
    if (ended < 0)
        return -1;
    printf("password changed for %s (%lld sessions ended)\n", u.login, (long long)ended);
    return 0;
}

static int user_disable(struct db *db, struct arena *a, int argc, char **argv, int disable,
                        struct err *e)
{
    if (argc < 1)
        return err_set(e, 2, "user %s needs a LOGIN", disable ? "disable" : "enable");
    struct account u;
    if (account_get_by_login(db, a, argv[0], &u, e))
        return -1;
    if (account_set_disabled(db, u.id, disable, e))
        return -1;
    printf(disable ? "disabled %s (its sessions are closed)\n" : "enabled %s\n", u.login);
    return 0;
}

int cli_user(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    struct db *db;
    if (argc < 1) {
        fprintf(stderr, "lanterne user: add, list, passwd, disable or enable (see --help)\n");
        return 2;
    }
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne user: %s\n", e.msg);
        return 1;
    }
    struct arena *a = arena_new();
    int rc;
    const char *sub = argv[0];
    if (strcmp(sub, "add") == 0)
        rc = user_add(db, a, argc - 1, argv + 1, &e);
    else if (strcmp(sub, "list") == 0)
        rc = user_list(db, a, &e);
    else if (strcmp(sub, "passwd") == 0)
        rc = user_passwd(db, a, argc - 1, argv + 1, &e);
    else if (strcmp(sub, "disable") == 0)
        rc = user_disable(db, a, argc - 1, argv + 1, 1, &e);
    else if (strcmp(sub, "enable") == 0)
        rc = user_disable(db, a, argc - 1, argv + 1, 0, &e);
    else
        rc = err_set(&e, 2, "unknown subcommand '%s' (add, list, passwd, disable, enable)", sub);
    if (rc)
        fprintf(stderr, "lanterne user %s: %s\n", sub, e.msg);
    arena_free(a);
    db_close(db);
    return rc ? (e.status == 2 ? 2 : 1) : 0;
}
