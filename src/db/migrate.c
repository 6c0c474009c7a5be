/* db migrate: brings a database's schema up to the migrations embedded in the program.
 * Each migration runs in its own transaction, so a failure leaves the previous schema. */
#include "db/db.h"

#include <stdio.h>
#include <time.h>

#include "db/driver.h"
#include "db/migrations.h"

static const char *const sql_create_table = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                            "number INTEGER PRIMARY KEY, "
                                            "name TEXT NOT NULL, "
                                            "applied_at INTEGER NOT NULL)";

/* The table is generated from a file glob; a mistake there (two files with one number)
 * would otherwise apply in a surprising order or skip a migration silently. */
static int migrate_check_table(int *latest, struct err *e)
{
    int prev = 0;
    for (const struct db_migration *m = db_migrations; m->number; m++) {
        if (m->number <= prev || !m->name || !m->sql)
            return err_set(e, 500, "embedded migration table is out of order near %s",
                           m->name ? m->name : "(unnamed)");
        prev = m->number;
    }
    *latest = prev;
    return 0;
}

static int migrate_is_applied(struct db *db, int number, struct err *e)
{
    return (int)db_scalar_int(db, e, 0, "SELECT COUNT(*) FROM schema_migrations WHERE number = ?",
                              "i", (int64_t)number);
}

/* Applies one migration unless another process did it first: the check is repeated
 * inside the transaction, whose write lock makes concurrent starters wait their turn. */
static int migrate_one(struct db *db, const struct db_migration *m, struct err *e)
{
    char why[sizeof e->msg];
    int applied = migrate_is_applied(db, m->number, e);
    if (e->status)
        return -1;
    if (applied)
        return 0;
    if (db_begin(db, e))
        return -1;
    applied = migrate_is_applied(db, m->number, e);
    if (e->status)
        goto fail;
    if (!applied) {
        if (db_exec(db, m->sql, e))
            goto fail;
        /* after the SQL, so an index may be declared next to its table and filled from
         * rows the same migration inserted */
        if (db_search_directives(db, m->sql, e))
            goto fail;
        if (db_execf(db, e,
                     "INSERT INTO schema_migrations (number, name, applied_at) "
                     "VALUES (?, ?, ?)",
                     "isi", (int64_t)m->number, m->name, (int64_t)time(NULL)) < 0)
            goto fail;
    }
    if (db_commit(db, e))
        goto report; /* commit already rolled back */
    return 0;
fail:
    db_rollback(db);
report:
    snprintf(why, sizeof why, "%s", e->msg);
    return err_set(e, 500, "migration %s failed and was rolled back: %s", m->name, why);
}

static int migrate_all(struct db *db, int latest, struct err *e)
{
    if (db_exec(db, sql_create_table, e))
        return -1;
    int have = db_schema_version(db);
    if (have > latest)
        return err_set(e, 500,
                       "the database is at migration %d but this program knows only up to %d: "
                       "run a newer version",
                       have, latest);
    for (const struct db_migration *m = db_migrations; m->number; m++)
        if (migrate_one(db, m, e))
            return -1;
    return 0;
}

int db_migrate(struct db *db, struct err *e)
{
    int latest = 0;
    err_clear(e);
    if (migrate_check_table(&latest, e))
        return -1;
    /* DDL and the per-migration transactions cannot nest inside a caller's transaction */
    if (db->tx_depth > 0)
        return err_set(e, 500, "db_migrate must not run inside a transaction");
    /* On PostgreSQL, BEGIN takes no lock: two servers starting together would both see a
     * migration as missing (or race on CREATE TABLE IF NOT EXISTS), so the driver
     * serializes the whole run. SQLite's BEGIN IMMEDIATE already does. */
    if (db->drv->migrate_lock && db->drv->migrate_lock(db, 1, e))
        return -1;
    int rc = migrate_all(db, latest, e);
    if (db->drv->migrate_lock) {
        struct err ignored;
        db->drv->migrate_lock(db, 0, &ignored);
    }
    return rc;
}

int db_schema_version(struct db *db)
{
    struct err e;
    int64_t v = db_scalar_int(db, &e, 0, "SELECT MAX(number) FROM schema_migrations", "");
    return e.status ? 0 : (int)v; /* no table yet: nothing applied */
}
