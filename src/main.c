/* main: the `lanterne` program. A table of subcommands, each with its own --help;
 * configuration comes from flags, then LANTERNE_* environment variables. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#ifndef LANTERNE_VERSION
#define LANTERNE_VERSION "0.1.0"
#endif

struct command {
    const char *name;
    int (*run)(const struct config *cfg, int argc, char **argv);
    const char *summary;
    const char *help;
};

static int cmd_version(const struct config *cfg, int argc, char **argv)
{
    printf("lanterne %s\n", LANTERNE_VERSION);
    return 0;
}

static const char COMMON_HELP[] =
    "Common options (each also read from the environment):\n"
    "  --listen HOST:PORT     LANTERNE_LISTEN        (default 127.0.0.1:8080)\n"
    "  --data-dir DIR         LANTERNE_DATA_DIR      (default ./var)\n"
    "  --database-url URL     LANTERNE_DATABASE_URL  (default sqlite:<data-dir>/lanterne.db)\n"
    "  --base-url URL         LANTERNE_BASE_URL      (default http://<listen>)\n"
    "  --share-dir DIR        LANTERNE_SHARE_DIR     (templates/, static/, build/; default .)\n"
    "  --threads N            LANTERNE_THREADS       (default: number of cores)\n"
    "  --quiet                no access log\n"
    "  LANTERNE_TRUSTED_PROXIES=ADDR[,ADDR]  peers whose X-Forwarded-For gives the client\n"
    "  LANTERNE_PAGE_CACHE=off  render every anonymous page (no page cache)\n"
    "  LANTERNE_UPLOAD_MAX_BYTES=N  the largest film upload (default 8589934592, 8 GiB)\n";

static const struct command commands[] = {
    {"serve", cli_serve, "run the web server",
     "usage: lanterne serve [--no-worker] [options]\n"
     "Applies pending migrations, then serves HTTP until SIGTERM or SIGINT (requests in\n"
     "flight get up to 10 s to finish). Also runs one job worker thread (see `lanterne\n"
     "worker`), stopped after the HTTP server, unless --no-worker or LANTERNE_WORKER=off.\n"},
    {"init", cli_init, "create the database: migrations and reference data",
     "usage: lanterne init [options]\n"
     "Applies migrations, imports communes, départements and régions (from\n"
     "LANTERNE_TERRITORY_DIR, default node_modules/@etalab/decoupage-administratif/data)\n"
     "and seeds the coordinations named in the brochure. Safe to run again.\n"},
    {"demo", cli_demo, "load the demo dataset (once)",
     "usage: lanterne demo [--years N] [options]\n"
     "Adds a plausible network (coordinations, ~200 structures in real communes, one\n"
     "account per role) and prints the demo accounts. Does nothing if already loaded.\n"
     "Also generates about 2,500 actions a year for the current year and the N-1 before it\n"
     "(--years N, default 5, at most 30; 0: none).\n"},
    {"user", cli_user, "manage accounts: add, list, passwd, disable, enable",
     "usage: lanterne user add --login L --name NAME --role ROLE [--email E]\n"
     "                         [--coordination SLUG] [--password P]\n"
     "       lanterne user list\n"
     "       lanterne user passwd LOGIN [--password P]\n"
     "       lanterne user disable LOGIN    (also ends its sessions)\n"
     "       lanterne user enable LOGIN\n"
     "ROLE is admin, coordinator, supervisor or participant. Without --password the\n"
     "password is read from standard input (one line). passwd ends the account's sessions.\n"},
    {"routes", cli_routes, "print the route table as JSON",
     "usage: lanterne routes\n"
     "Prints every route (method, pattern, least role) as JSON; the role-matrix test\n"
     "reads it.\n"},
    {"worker", cli_worker, "run job workers until SIGTERM or SIGINT",
     "usage: lanterne worker [--id NAME] [--kinds KIND,...] [--concurrency N]\n"
     "                       [--poll-ms N] [--lease-ms N]\n"
     "Runs queued jobs (table jobs) in this process: claims one under a lease, renews the\n"
     "lease while it runs, marks it done, or on failure queues it again after a back-off\n"
     "(10 s, doubling, at most 1 h) until its attempts are used up (then it is 'dead').\n"
     "A job whose worker died is taken up again once its lease (--lease-ms, default\n"
     "60000) expires. --kinds limits the kinds taken (default: all); --concurrency runs N\n"
     "workers as threads; --id names them (default HOST:PID; must be unique among live\n"
     "workers); --poll-ms is how often an idle worker looks (default 1000). Kinds:\n"
     "film_process (a film's processing, with ffmpeg), and the hourly maintenance jobs it\n"
     "also queues: session_purge, login_failures_prune, job_prune, upload_expire\n"
     "(unfinished uploads 24 h after their last write). A job whose input is refused\n"
     "(a film file that cannot be decoded) is not tried again. On SIGTERM or SIGINT,\n"
     "finishes the jobs in hand, then exits. `lanterne serve` runs one worker thread of\n"
     "its own unless given --no-worker or LANTERNE_WORKER=off.\n"},
    {"jobs", cli_jobs, "look at the job queue: list, counts, retry, enqueue",
     "usage: lanterne jobs list [--state queued|running|done|dead] [--kind K] [--limit N]\n"
     "       lanterne jobs counts [--kind K]\n"
     "       lanterne jobs retry ID          (queue a dead job again, attempts reset)\n"
     "       lanterne jobs enqueue KIND [JSON|-] [--max-attempts N] [--delay-ms N]\n"
     "list prints tab-separated columns, newest first (--limit 0: all). enqueue takes a\n"
     "JSON object (default {}), or with - one object per line of standard input, all\n"
     "queued in one transaction.\n"},
    {"db", cli_db, "move a database: copy between SQLite and PostgreSQL",
     "usage: lanterne db copy --from URL --to URL [--batch N]\n"
     "       lanterne db copy --verify-only --from URL --to URL\n"
     "Copies every table of the --from database into the --to one (sqlite:PATH or\n"
     "postgresql://...; stop the servers first). The target is migrated, must be empty and\n"
     "at the source's schema version; rows keep their ids, search indexes are rebuilt by\n"
     "the target itself. All in one transaction on the target, N rows read at a time\n"
     "(default 1000). Then each table's rows are counted and checksummed on both sides and\n"
     "printed (TABLE ROWS CHECKSUM OK|MISMATCH); the exit status is 1 on any difference\n"
     "or error, 2 on a usage error. Progress of tables over 10,000 rows goes to stderr.\n"
     "--verify-only compares the two databases, changing neither.\n"},
    {"image", cli_image, "run photo files through the upload pipeline",
     "usage: lanterne image [--out DIR] FILE...\n"
     "       lanterne image --demo N [--size WxH] [--out DIR]\n"
     "Checks each FILE as an upload is checked (type from its content, at most 20 MB and 60\n"
     "megapixels, decodable) and writes its derivatives into DIR/<file name>/ (default\n"
     "./image-out): 320, 1024 and 2048 pixels wide, WebP and JPEG, upright, stripped of all\n"
     "metadata. Prints one line per file (ok WxH, or why it was refused) and a summary with\n"
     "files per second; --threads files are processed at once (default: one per core). The\n"
     "exit status is 1 if any file was refused. --demo writes N demo pictures drawn by code\n"
     "(demo-0001.jpg..., default 4000x3000) into DIR instead.\n"},
    {"report", cli_report, "write the yearly report (bilan): html, csv or json",
     "usage: lanterne report [--year Y] [--coordination SLUG] [--format html|csv|json]\n"
     "                       [--output FILE] [--lang fr|en]\n"
     "Writes the year in figures of the nation (or of the coordination SLUG) for year Y\n"
     "(default: the current year), with the changes from the year before: json is the\n"
     "document of GET /api/v1/figures; csv (semicolons, UTF-8 with a BOM) has one line per\n"
     "figure (figure;value;previous year;change) then the tables by type, month,\n"
     "coordination and departement; html (the default) is the report page of /bilan/Y as\n"
     "one self-contained file, to print or save as PDF. Budget totals are included. Writes\n"
     "to FILE, or to standard output. Exit status 2 for an unknown coordination or a bad\n"
     "year.\n"},
    {"version", cmd_version, "print the version", "usage: lanterne version\n"},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: lanterne COMMAND [options]\n\nCommands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n%s\nRun 'lanterne COMMAND --help' for a command's own help.\n", COMMON_HELP);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(NULL, 0, NULL);
    const struct command *cmd = NULL;
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            cmd = c;
    if (!cmd) {
        fprintf(stderr, "lanterne: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (cli_has_flag(argc - 2, argv + 2, "--help") || cli_has_flag(argc - 2, argv + 2, "-h")) {
        printf("%s\n%s", cmd->help, COMMON_HELP);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "lanterne: libsodium failed to initialise\n");
        return 1;
    }
    /* static: what the config points to lives as long as the process (and stays reachable
     * for the leak checker) */
    static struct config cfg;
    static char **rest;
    struct err e = {0};
    int nrest;
    if (cli_config(argc - 2, argv + 2, &cfg, &rest, &nrest, &e)) {
        fprintf(stderr, "lanterne %s: %s\n", cmd->name, e.msg);
        return 2;
    }
    return cmd->run(&cfg, nrest, rest);
}
