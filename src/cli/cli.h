/* cli: the `lanterne` subcommands (one table row each) and the configuration they share,
 * read from flags first, then LANTERNE_* environment variables, then defaults. */
#ifndef LANTERNE_CLI_H
#define LANTERNE_CLI_H

#include "core/err.h"
#include "db/db.h"

struct config {
    const char *listen;          /* LANTERNE_LISTEN, default 127.0.0.1:8080 */
    const char *data_dir;        /* LANTERNE_DATA_DIR, default ./var */
    const char *database_url;    /* LANTERNE_DATABASE_URL, default sqlite:<data_dir>/lanterne.db */
    const char *base_url;        /* LANTERNE_BASE_URL, default http://<listen> */
    const char *share_dir;       /* LANTERNE_SHARE_DIR: templates/, static/, build/, default . */
    const char *territory_dir;   /* LANTERNE_TERRITORY_DIR, default
                                   <share>/node_modules/@etalab/decoupage-administratif/data */
    unsigned threads;            /* LANTERNE_THREADS, default: number of cores */
    const char *trusted_proxies; /* LANTERNE_TRUSTED_PROXIES, e.g. "127.0.0.1", default none */
    int quiet;
};

/* Parses the common flags out of argv (--listen, --data-dir, --database-url, --base-url,
 * --share-dir, --threads, --quiet) and keeps the rest in order in *rest. */
int cli_config(int argc, char **argv, struct config *cfg, char ***rest, int *nrest, struct err *e);
/* Opens the database (creating the data dir) and applies the migrations. */
int cli_open_db(const struct config *cfg, struct db **db, struct err *e);
const char *cli_path(const struct config *cfg, const char *rel); /* share_dir/rel, static buf */
int cli_has_flag(int argc, char **argv, const char *flag);
const char *cli_flag_value(int argc, char **argv, const char *flag);

int cli_serve(const struct config *cfg, int argc, char **argv);
int cli_init(const struct config *cfg, int argc, char **argv);
int cli_demo(const struct config *cfg, int argc, char **argv);
int cli_user(const struct config *cfg, int argc, char **argv);
int cli_routes(const struct config *cfg, int argc, char **argv);
int cli_worker(const struct config *cfg, int argc, char **argv);
int cli_jobs(const struct config *cfg, int argc, char **argv);
int cli_db(const struct config *cfg, int argc, char **argv);
int cli_image(const struct config *cfg, int argc, char **argv);
int cli_report(const struct config *cfg, int argc, char **argv);

#endif
