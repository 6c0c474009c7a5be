/* config: flags and LANTERNE_* environment variables into one struct config, and the
 * helpers every subcommand shares (opening the database, finding shared files). */
#include "cli/cli.h"
#include "core/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_has_flag(int argc, char **argv, const char *flag)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return 1;
    return 0;
}

const char *cli_flag_value(int argc, char **argv, const char *flag)
{
    size_t fl = strlen(flag);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], flag) == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], flag, fl) == 0 && argv[i][fl] == '=')
            return argv[i] + fl + 1;
    }
    return NULL;
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static char *joinf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *s = xmalloc(n);
    snprintf(s, n, fmt, a, b ? b : "");
    return s;
}

int cli_config(int argc, char **argv, struct config *cfg, char ***rest, int *nrest, struct err *e)
{
    static const char *valued[] = {
        "--listen", "--data-dir", "--database-url", "--base-url", "--share-dir", "--threads", NULL};
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = env_or("LANTERNE_LISTEN", "127.0.0.1:8080");
    cfg->data_dir = env_or("LANTERNE_DATA_DIR", "var");
    cfg->database_url = env_or("LANTERNE_DATABASE_URL", NULL);
    cfg->base_url = env_or("LANTERNE_BASE_URL", NULL);
    cfg->share_dir = env_or("LANTERNE_SHARE_DIR", ".");
    cfg->territory_dir = env_or("LANTERNE_TERRITORY_DIR", NULL);
    const char *threads = env_or("LANTERNE_THREADS", NULL);
    cfg->trusted_proxies = env_or("LANTERNE_TRUSTED_PROXIES", NULL);
    char **out = xcalloc((size_t)argc + 1, sizeof *out);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--quiet") == 0) {
            cfg->quiet = 1;
            continue;
        }
        int taken = 0;
        for (const char **v = valued; *v; v++) {
            size_t vl = strlen(*v);
            const char *val = NULL;
            if (strcmp(a, *v) == 0) {
                if (i + 1 >= argc)
                    return err_set(e, 2, "%s needs a value", *v);
                val = argv[++i];
            } else if (strncmp(a, *v, vl) == 0 && a[vl] == '=')
                val = a + vl + 1;
            if (!val)
                continue;
            taken = 1;
            if (strcmp(*v, "--listen") == 0)
                cfg->listen = val;
            else if (strcmp(*v, "--data-dir") == 0)
                cfg->data_dir = val;
            else if (strcmp(*v, "--database-url") == 0)
                cfg->database_url = val;
            else if (strcmp(*v, "--base-url") == 0)
                cfg->base_url = val;
            else if (strcmp(*v, "--share-dir") == 0)
                cfg->share_dir = val;
            else
                threads = val;
            break;
        }
        if (!taken)
            out[n++] = argv[i];
    }
    if (threads) {
        char *end;
        long t = strtol(threads, &end, 10);
        if (*end || t < 1 || t > 256)
            return err_set(e, 2, "--threads must be a number from 1 to 256");
        cfg->threads = (unsigned)t;
    }
    if (!cfg->database_url)
        cfg->database_url = joinf("sqlite:%s/lanterne.db", cfg->data_dir, NULL);
    if (!cfg->base_url)
        cfg->base_url = joinf("http://%s", cfg->listen, NULL);
    if (!cfg->territory_dir)
        cfg->territory_dir =
            joinf("%s/%s", cfg->share_dir, "node_modules/@etalab/decoupage-administratif/data");
    *rest = out;
    *nrest = n;
    return 0;
}

const char *cli_path(const struct config *cfg, const char *rel)
{
    static __thread char path[4096];
    snprintf(path, sizeof path, "%s/%s", cfg->share_dir, rel);
    return path;
}

int cli_open_db(const struct config *cfg, struct db **db, struct err *e)
{
    if (mkdir(cfg->data_dir, 0750) && errno != EEXIST)
        return err_set(e, 500, "cannot create data directory %s: %s", cfg->data_dir,
                       strerror(errno));
    if (db_open(cfg->database_url, db, e))
        return -1;
    if (db_migrate(*db, e)) {
        db_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}
