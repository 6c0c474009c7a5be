/* structure: partners on the ground (youth clubs, social centres, cinemas...). A structure
 * sits in a commune; its coordination follows from the commune's département. */
#ifndef LANTERNE_STRUCTURE_H
#define LANTERNE_STRUCTURE_H

#include <stdint.h>

#include "account.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    STRUCTURE_NAME_MAX = 200,
    STRUCTURE_FIELD_MAX = 300,
    STRUCTURE_TEXT_MAX = 4000,
    STRUCTURE_PER_PAGE_DEFAULT = 20,
    STRUCTURE_PER_PAGE_MAX = 100,
};

/* The structure types: code (stored) and French label (msgid). NULL-terminated. */
struct structure_type {
    const char *code, *label;
};
extern const struct structure_type structure_types[];
const char *structure_type_label(const char *code); /* NULL if unknown */

struct structure {
    int64_t id;
    const char *name, *type, *commune_code, *commune_name, *departement;
    const char *address, *email, *phone, *website, *description;
    int64_t coordination_id; /* 0 when the département has no coordination */
    const char *coordination_slug, *coordination_name;
    int is_demo;
};

struct structure_input {
    const char *name, *type, *commune_code, *address, *email, *phone, *website, *description;
    int is_demo;
};

struct structure_filter {
    int64_t coordination_id; /* 0 = any */
    const char *type;        /* NULL = any */
    const char *commune_code;
    const char *q;      /* name contains (accent/case-insensitive) */
    int page, per_page; /* page from 1 */
};

int64_t structure_count(struct db *db, struct err *e);
int structure_list(struct db *db, struct arena *a, const struct structure_filter *f,
                   struct structure **out, int *n, int64_t *total, struct err *e);
int structure_get(struct db *db, struct arena *a, int64_t id, struct structure *out,
                  struct err *e); /* 404 */
/* May this user create/edit/delete structures in coordination coord_id?
 * Admins everywhere; coordinators of that coordination only. */
int structure_can_manage(const struct account *u, int64_t coord_id);
/* Create/update/delete check the rights of u (403), validate (422 with field), write. */
int structure_create(struct db *db, const struct account *u, const struct structure_input *in,
                     int64_t *id, struct err *e);
int structure_update(struct db *db, const struct account *u, int64_t id,
                     const struct structure_input *in, struct err *e);
int structure_delete(struct db *db, const struct account *u, int64_t id, struct err *e);

#endif
