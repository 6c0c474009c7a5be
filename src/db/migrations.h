/* migrations: the table of numbered schema migrations embedded at build time.
 * Generated from migrations/NNNN_name.sql by scripts/embed-migrations.sh. */
#ifndef LANTERNE_MIGRATIONS_H
#define LANTERNE_MIGRATIONS_H

struct db_migration {
    int number;
    const char *name;
    const char *sql;
};

/* terminated by an entry with number 0 */
extern const struct db_migration db_migrations[];

#endif
