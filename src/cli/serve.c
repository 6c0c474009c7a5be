/* serve: the `lanterne serve` command. Opens the database pool, applies migrations,
 * compiles templates once, loads static files, catalogs and map, then serves. */
#include "cli/cli.h"
#include "demo.h"
#include "film.h"
#include "job.h"
#include "tus.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 for the routes whose body may reach HTTP_MAX_UPLOAD_BYTES (defined in src/web/). */
int web_is_upload(const char *method, const char *path);
/* 1 for the routes whose body is streamed to their handler (src/web/tus.c). */
int web_is_stream(const char *method, const char *path);

int cli_serve(const struct config *cfg, int argc, char **argv)
{
    struct err e = {0};
    struct db *db;
    int no_worker = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--no-worker") == 0) {
            no_worker = 1;
            continue;
        }
        fprintf(stderr, "lanterne serve: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    const char *wenv = getenv("LANTERNE_WORKER");
    if (wenv && strcmp(wenv, "off") == 0)
        no_worker = 1;
    if (cli_open_db(cfg, &db, &e)) {
        fprintf(stderr, "lanterne serve: %s\n", e.msg);
        return 1;
    }
    g_app.demo = demo_present(db);
    db_close(db);
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    g_app.pool = db_pool_open(cfg->database_url, (int)threads + 2, &e);
    if (!g_app.pool) {
        fprintf(stderr, "lanterne serve: %s\n", e.msg);
        return 1;
    }
    g_app.base_url = cfg->base_url;
    const char *pc = getenv("LANTERNE_PAGE_CACHE");
    g_app.page_cache = !(pc && strcmp(pc, "off") == 0);
    g_app.data_dir = cfg->data_dir;
    g_app.secure_cookies = strncmp(cfg->base_url, "https://", 8) == 0;
    char tdir[4096], sdir[4096], ldir[4096], map[4096];
    snprintf(tdir, sizeof tdir, "%s", cli_path(cfg, "templates"));
    snprintf(sdir, sizeof sdir, "%s", cli_path(cfg, "static"));
    snprintf(ldir, sizeof ldir, "%s", cli_path(cfg, "build/locale"));
    snprintf(map, sizeof map, "%s", cli_path(cfg, "build/gen/departements-map.json"));
    if (web_init(tdir, sdir, ldir, map, &e)) {
        fprintf(stderr, "lanterne serve: %s\n", e.msg);
        return 1;
    }
    struct http_server_opts o = {.listen = cfg->listen,
                                 .threads = threads,
                                 .handler = web_handle,
                                 .quiet = cfg->quiet,
                                 .trusted_proxies = cfg->trusted_proxies};
    o.is_upload = web_is_upload;
    o.is_stream = web_is_stream;
    if (tus_init(cfg->data_dir, &e)) {
        fprintf(stderr, "lanterne serve: %s\n", e.msg);
        web_shutdown();
        db_pool_close(g_app.pool);
        return 1;
    }
    film_set_data_dir(cfg->data_dir); /* the film_process jobs and the "film" upload target */
    film_register_upload_target();
    /* the worker thread blocks every signal: http_serve's sigwait still gets SIGTERM */
    struct job_worker *worker = NULL;
    if (!no_worker) {
        char name[JOB_WORKER_MAX + 1], host[64] = "localhost";
        gethostname(host, sizeof host - 1);
        snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
        struct job_worker_opts wo = {.quiet = cfg->quiet};
        worker = job_worker_start(cfg->database_url, name, &wo, &e);
        if (!worker) {
            fprintf(stderr, "lanterne serve: job worker: %s\n", e.msg);
            web_shutdown();
            db_pool_close(g_app.pool);
            return 1;
        }
    }
    int rc = http_serve(&o, &e);
    if (rc)
        fprintf(stderr, "lanterne serve: %s\n", e.msg);
    /* after the HTTP server: requests in flight may still have queued work; the job in
     * hand is finished (a killed process would leave it to another worker's lease check) */
    job_worker_stop(worker);
    web_shutdown();
    db_pool_close(g_app.pool);
    return rc ? 1 : 0;
}
