/* web/action_import: the CSV import of actions in three steps without JavaScript (upload,
 * column mapping with a preview, all-or-nothing import), the template file, and the export
 * (/actions.csv and GET /api/v1/actions/export). The format itself is in src/action_csv.c. */
#include "web/handlers.h"
#include "action_csv.h"
#include "coordination.h"
#include "core/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    IMPORT_TTL_S = 3600,    /* an uploaded file waits this long for its mapping */
    IMPORT_TOKEN_BYTES = 16 /* random bytes of a file's name (32 hex digits) */
};

#define IMPORT_DIR "imports"
static const char CSV_TYPE[] = "text/csv; charset=utf-8";

/* ---- the files waiting between steps ---- */

/* <data dir>/imports/u<account>-<token>.csv: the account is part of the name, so another
 * account asking for the same token finds no file. */
static const char *import_path(struct ctx *c, const char *token)
{
    return arena_printf(c->a, "%s/" IMPORT_DIR "/u%lld-%s.csv", g_app.data_dir,
                        (long long)c->user.id, token);
}

static int token_ok(const char *t)
{
    return t && strlen(t) == 2 * IMPORT_TOKEN_BYTES &&
           strspn(t, "0123456789abcdef") == 2 * IMPORT_TOKEN_BYTES;
}

/* Deletes the files of every account older than IMPORT_TTL_S. */
static void import_clean(struct ctx *c)
{
    const char *dir = arena_printf(c->a, "%s/" IMPORT_DIR, g_app.data_dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] != 'u' || !strstr(de->d_name, ".csv"))
            continue;
        const char *p = arena_printf(c->a, "%s/%s", dir, de->d_name);
        struct stat st;
        if (!stat(p, &st) && now - st.st_mtime > IMPORT_TTL_S)
            unlink(p);
    }
    closedir(d);
}

static int import_store(struct ctx *c, const char *data, size_t len, char *token, struct err *e)
{
    const char *dir = arena_printf(c->a, "%s/" IMPORT_DIR, g_app.data_dir);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return err_set(e, 500, "Le fichier n'a pas pu être enregistré.");
    unsigned char rnd[IMPORT_TOKEN_BYTES];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(token, 2 * IMPORT_TOKEN_BYTES + 1, rnd, sizeof rnd);
    const char *path = import_path(c, token);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(e, 500, "Le fichier n'a pas pu être enregistré.");
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(path);
            return err_set(e, 500, "Le fichier n'a pas pu être enregistré.");
        }
        off += (size_t)w;
    }
    close(fd);
    return 0;
}

/* The file of token, read back for this account: 404 when it is not theirs, gone or
 * expired. */
static int import_load(struct ctx *c, const char *token, struct buf *b, struct err *e)
{
    if (!token_ok(token))
        return err_set(e, 404, "Ce fichier n'est plus disponible : envoyez-le à nouveau.");
    const char *path = import_path(c, token);
    struct stat st;
    if (stat(path, &st) || time(NULL) - st.st_mtime > IMPORT_TTL_S) {
        unlink(path);
        return err_set(e, 404,
                       "Ce fichier n'est plus disponible (il est gardé une heure) : "
                       "envoyez-le à nouveau.");
    }
    buf_init(b, (size_t)CSV_MAX_BYTES + 1);
    struct err re = {0};
    if (buf_read_file(b, path, &re))
        return err_set(e, 404, "Ce fichier n'est plus disponible : envoyez-le à nouveau.");
    return 0;
}

/* ---- the coordination imported into ---- */

/* From the form (admins choose; a coordinator's is their own, another is a 403). */
static int import_coordination(struct ctx *c, struct coordination *co, struct err *e)
{
    const char *v = http_form(c->r, "coordination_id");
    int64_t id = 0;
    if (v && *v && web_parse_id(v, &id))
        return err_field(e, 422, "coordination_id", "Choisissez une coordination.");
    if (c->user.role != ROLE_ADMIN) {
        if (!id)
            id = c->user.coordination_id;
        if (!action_can_edit(web_viewer(c), id))
            return err_set(e, 403,
                           "Vous ne pouvez importer des actions que dans votre "
                           "coordination.");
    } else if (!id)
        return err_field(e, 422, "coordination_id", "Choisissez une coordination.");
    if (coordination_get_by_id(web_db(c), c->a, id, co, e))
        return -1;
    return 0;
}

/* ---- step 1: the upload form, with the description of the columns ---- */

static int upload_page(struct ctx *c, int status, const char *error, int64_t selected)
{
    json_t *m = json_object();
    struct err e = {0};
    int admin = c->user.role == ROLE_ADMIN;
    json_object_set_new(m, "is_admin", json_boolean(admin));
    if (admin) {
        struct coordination *cs;
        int n;
        if (coordination_names(web_db(c), c->a, &cs, &n, &e)) {
            json_decref(m);
            return web_err(c, &e);
        }
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(cs[i].id));
            json_object_set_new(o, "label", web_str(cs[i].name));
            json_object_set_new(o, "selected", json_boolean(cs[i].id == selected));
            json_array_append_new(arr, o);
        }
        json_object_set_new(m, "coordinations", arr);
    } else {
        struct coordination co;
        if (!action_can_edit(web_viewer(c), c->user.coordination_id)) {
            json_decref(m);
            return web_error(c, 403,
                             N_("Vous ne pouvez importer des actions que dans votre "
                                "coordination."));
        }
        if (coordination_get_by_id(web_db(c), c->a, c->user.coordination_id, &co, &e)) {
            json_decref(m);
            return web_err(c, &e);
        }
        json_object_set_new(m, "coordination_name", web_str(co.name));
    }
    json_t *cols = json_array();
    for (int f = 0; f < ACSV_NFIELDS; f++) {
        const struct action_csv_column *col = &action_csv_columns[f];
        json_t *o = json_object();
        json_object_set_new(o, "key", web_str(col->key));
        json_object_set_new(o, "meaning", web_str(web_t(c, col->meaning)));
        json_object_set_new(o, "accepted", web_str(web_t(c, col->accepted)));
        json_object_set_new(o, "example", web_str(col->example));
        json_object_set_new(o, "required", json_boolean(col->required));
        json_array_append_new(cols, o);
    }
    json_object_set_new(m, "columns", cols);
    json_t *types = json_array();
    for (int i = 0; action_types[i].code; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", web_str(action_types[i].code));
        json_object_set_new(o, "label", web_str(web_t(c, action_types[i].label)));
        json_array_append_new(types, o);
    }
    json_object_set_new(m, "types", types);
    json_object_set_new(m, "max_mb", json_integer(CSV_MAX_BYTES / (1024 * 1024)));
    if (error)
        json_object_set_new(m, "error", web_str(error));
    return web_page(c, status, "action/import", m);
}

int web_action_import_form(struct ctx *c)
{
    return upload_page(c, 200, NULL, 0);
}

/* ---- step 2: the mapping page ---- */

static const char *delim_name(struct ctx *c, char d)
{
    return d == ','    ? web_t(c, N_("virgule"))
           : d == '\t' ? web_t(c, N_("tabulation"))
                       : web_t(c, N_("point-virgule"));
}

/* map: the chosen field of each column (NULL: guessed from the headers). */
static int mapping_page(struct ctx *c, int status, const char *token, const struct coordination *co,
                        const struct csv_table *t, const int *map, const char *error)
{
    json_t *m = json_object();
    json_object_set_new(m, "token", web_str(token));
    json_object_set_new(m, "coordination_id", json_integer(co->id));
    json_object_set_new(m, "coordination_name", web_str(co->name));
    json_object_set_new(m, "encoding", web_str(csv_encoding_name(t->encoding)));
    json_object_set_new(m, "delimiter", web_str(delim_name(c, t->delim)));
    int rows = 0;
    for (int i = 0; i < t->nrows; i++)
        rows += !csv_row_blank(&t->rows[i]);
    json_object_set_new(m, "nrows", json_integer(rows));
    json_t *cols = json_array();
    for (int i = 0; i < t->header.n; i++) {
        int sel = map ? map[i] : action_csv_guess(t->header.fields[i]);
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(i));
        json_object_set_new(o, "header", web_str(t->header.fields[i]));
        json_t *opts = json_array();
        for (int f = 0; f < ACSV_NFIELDS; f++) {
            json_t *op = json_object();
            json_object_set_new(op, "key", web_str(action_csv_columns[f].key));
            json_object_set_new(op, "label", web_str(web_t(c, action_csv_columns[f].meaning)));
            json_object_set_new(op, "selected", json_boolean(sel == f));
            json_array_append_new(opts, op);
        }
        json_object_set_new(o, "options", opts);
        json_object_set_new(o, "ignored", json_boolean(sel < 0));
        json_array_append_new(cols, o);
    }
    json_object_set_new(m, "columns", cols);
    json_t *prev = json_array();
    for (int i = 0, shown = 0; i < t->nrows && shown < ACTION_CSV_PREVIEW_ROWS; i++) {
        if (csv_row_blank(&t->rows[i]))
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(t->rows[i].line));
        json_t *cells = json_array();
        for (int k = 0; k < t->rows[i].n; k++)
            json_array_append_new(cells, web_str(t->rows[i].fields[k]));
        json_object_set_new(o, "cells", cells);
        json_array_append_new(prev, o);
        shown++;
    }
    json_object_set_new(m, "preview", prev);
    if (error)
        json_object_set_new(m, "error", web_str(error));
    return web_page(c, status, "action/import_map", m);
}

int web_action_import_upload(struct ctx *c)
{
    struct err e = {0};
    struct coordination co;
    if (import_coordination(c, &co, &e)) {
        if (e.status == 422)
            return upload_page(c, 422, e.msg, 0);
        return web_err(c, &e);
    }
    const struct http_file *f = http_file_get(c->r, "file");
    if (!f || f->len == 0)
        return upload_page(c, 422, web_t(c, N_("Choisissez un fichier CSV à importer.")), co.id);
    struct csv_table t;
    if (csv_read(c->a, f->data, f->len, NULL, &t, &e))
        return upload_page(c, e.status == 413 ? 413 : 422,
                           web_tf(c, "Ce fichier n'est pas un CSV lisible : %s", e.msg), co.id);
    if (t.header.n < 1 || t.nrows == 0)
        return upload_page(c, 422,
                           web_t(c, N_("Le fichier ne contient aucune ligne après "
                                       "l'en-tête.")),
                           co.id);
    import_clean(c);
    char token[2 * IMPORT_TOKEN_BYTES + 1];
    if (import_store(c, f->data, f->len, token, &e))
        return web_err(c, &e);
    return mapping_page(c, 200, token, &co, &t, NULL, NULL);
}

/* ---- step 3: the import ---- */

int web_action_import_run(struct ctx *c)
{
    struct err e = {0};
    const char *token = web_param(c, 0);
    struct coordination co;
    if (import_coordination(c, &co, &e))
        return web_err(c, &e);
    struct buf b;
    if (import_load(c, token, &b, &e))
        return web_err(c, &e);
    struct csv_table t;
    int rc = csv_read(c->a, b.data, b.len, NULL, &t, &e);
    buf_free(&b);
    if (rc)
        return web_err(c, &e);
    int *map = arena_alloc(c->a, sizeof *map * (size_t)(t.header.n + 1));
    for (int i = 0; i < t.header.n; i++) {
        const char *v = http_form(c->r, arena_printf(c->a, "col%d", i));
        map[i] = v && *v ? action_csv_field_of(v) : -1;
        if (v && *v && map[i] < 0)
            return mapping_page(c, 422, token, &co, &t, map,
                                web_tf(c, "Colonne inconnue : « %s ».", v));
    }
    struct action_csv_result res;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (action_csv_import(web_db(c), c->a, web_viewer(c), &t, map, co.id, &res, &e)) {
        /* a bad mapping, or a file of blank rows: the mapping page again, with the reason */
        if (e.status == 422)
            return mapping_page(c, 422, token, &co, &t, map, e.msg);
        return web_err(c, &e);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    json_t *m = json_object();
    json_object_set_new(m, "coordination_name", web_str(co.name));
    json_object_set_new(m, "list_url",
                        web_str(arena_printf(c->a, "/actions?coordination=%s", co.slug)));
    if (res.nerrors) {
        json_t *errs = json_array();
        for (int i = 0; i < res.nerrors && i < ACTION_CSV_ERRORS_MAX; i++)
            json_array_append_new(errs, web_str(web_tf(c, "Ligne %d : %s", res.errors[i].line,
                                                       res.errors[i].message)));
        json_object_set_new(m, "errors", errs);
        json_object_set_new(m, "nerrors", json_integer(res.nerrors));
        json_object_set_new(m, "more",
                            json_integer(res.nerrors > ACTION_CSV_ERRORS_MAX
                                             ? res.nerrors - ACTION_CSV_ERRORS_MAX
                                             : 0));
        json_object_set_new(m, "has_more", json_boolean(res.nerrors > ACTION_CSV_ERRORS_MAX));
        return web_page(c, 422, "action/import_errors", m);
    }
    unlink(import_path(c, token));
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    json_object_set_new(m, "imported", json_integer(res.imported));
    json_object_set_new(m, "summary", web_str(web_tf(c, "%d actions importées", res.imported)));
    json_object_set_new(m, "seconds", web_str(arena_printf(c->a, "%.1f", ms / 1000.0)));
    http_add_header(c->r, "X-Import-Ms", arena_printf(c->a, "%.0f", ms));
    return web_page(c, 200, "action/import_done", m);
}

/* ---- export ---- */

/* The filters of /actions (and of the list API) from the query; 0, or -1 with e. */
static int export_filter(struct ctx *c, struct action_filter *f, struct err *e)
{
    memset(f, 0, sizeof *f);
    const char *year = http_query(c->r, "year");
    if (year && *year) {
        if (strlen(year) > 4 || strspn(year, "0123456789") != strlen(year))
            return err_field(e, 400, "year", "Le paramètre year est une année.");
        f->year = atoi(year);
    }
    f->q = http_query(c->r, "q");
    f->type = http_query(c->r, "type");
    f->status = http_query(c->r, "status");
    f->commune_code = http_query(c->r, "commune");
    const char *coord = http_query(c->r, "coordination");
    if (coord && *coord) {
        struct coordination co;
        if (coordination_get(web_db(c), c->a, coord, &co, e))
            return -1;
        f->coordination_id = co.id;
    }
    return 0;
}

/* Budgets: admins; a coordinator when the export is restricted to their coordination. */
static int export_budget(struct ctx *c, const struct action_filter *f)
{
    if (c->user.role == ROLE_ADMIN)
        return action_can_see_budget(web_viewer(c), 0);
    return f->coordination_id && action_can_see_budget(web_viewer(c), f->coordination_id);
}

static int export_delim(struct ctx *c, char *d, struct err *e)
{
    const char *sep = http_query(c->r, "sep");
    *d = ';';
    if (!sep || !*sep || !strcmp(sep, "semicolon"))
        return 0;
    if (!strcmp(sep, "comma")) {
        *d = ',';
        return 0;
    }
    return err_field(e, 400, "sep", "Le paramètre sep vaut semicolon ou comma.");
}

static int send_csv(struct ctx *c, const struct action_filter *f, char delim, const char *filename)
{
    struct err e = {0};
    struct buf out;
    buf_init(&out, 0);
    if (action_csv_export(web_db(c), f, export_budget(c, f), delim,
                          CSV_BOM | CSV_CRLF | CSV_GUARD_FORMULAS, &out, &e)) {
        buf_free(&out);
        if (e.status == 422)
            e.status = 400;
        return web_err(c, &e);
    }
    http_add_header(c->r, "Content-Disposition",
                    arena_printf(c->a, "attachment; filename=\"%s\"", filename));
    http_add_header(c->r, "Cache-Control", "private, no-store");
    return web_body(c, 200, CSV_TYPE, &out);
}

int web_action_csv(struct ctx *c)
{
    struct err e = {0};
    struct action_filter f;
    char d;
    if (export_filter(c, &f, &e) || export_delim(c, &d, &e))
        return web_err(c, &e);
    return send_csv(c, &f, d, "actions.csv");
}

int web_action_import_template(struct ctx *c)
{
    struct buf out;
    buf_init(&out, 0);
    char d;
    struct err e = {0};
    if (export_delim(c, &d, &e)) {
        buf_free(&out);
        return web_err(c, &e);
    }
    action_csv_write_header(&out, 1, d, CSV_BOM | CSV_CRLF);
    http_add_header(c->r, "Content-Disposition", "attachment; filename=\"modele-actions.csv\"");
    return web_body(c, 200, CSV_TYPE, &out);
}

int web_api_action_export(struct ctx *c)
{
    struct err e = {0};
    struct action_filter f;
    if (export_filter(c, &f, &e))
        return web_err(c, &e);
    const char *format = http_query(c->r, "format");
    if (!format || !*format || !strcmp(format, "json")) {
        int budget = export_budget(c, &f);
        struct action_filter pf = f;
        pf.per_page = ACTION_PER_PAGE_MAX;
        pf.with_lists = 1;
        pf.sort = "oldest";
        json_t *items = json_array();
        int64_t total = 0;
        for (pf.page = 1;; pf.page++) {
            struct action *as;
            int n;
            if (action_list(web_db(c), c->a, &pf, &as, &n, &total, &e)) {
                json_decref(items);
                if (e.status == 422)
                    e.status = 400;
                return web_err(c, &e);
            }
            for (int i = 0; i < n; i++) {
                const char **v = action_csv_values(c->a, &as[i], budget);
                json_t *o = json_object();
                for (int k = 0; k < ACSV_NFIELDS; k++)
                    if (budget || !action_csv_columns[k].budget)
                        json_object_set_new(o, action_csv_columns[k].key, web_str(v[k]));
                json_array_append_new(items, o);
            }
            if (n < pf.per_page || (int64_t)pf.page * pf.per_page >= total)
                break;
        }
        json_t *body = json_object();
        json_t *cols = json_array();
        for (int k = 0; k < ACSV_NFIELDS; k++)
            if (budget || !action_csv_columns[k].budget)
                json_array_append_new(cols, web_str(action_csv_columns[k].key));
        json_object_set_new(body, "columns", cols);
        json_object_set_new(body, "items", items);
        json_object_set_new(body, "total", json_integer(total));
        return web_json(c, 200, body);
    }
    if (strcmp(format, "csv")) {
        err_field(&e, 400, "format", "Le paramètre format vaut json ou csv.");
        return web_err(c, &e);
    }
    char d;
    if (export_delim(c, &d, &e))
        return web_err(c, &e);
    return send_csv(c, &f, d, "actions.csv");
}
