/* audit: appending to and paging through the audit log. Entries are never updated or
 * deleted; the coordination filter follows each group's structure to its territory now. */
#include "audit.h"

#include <string.h>
#include <time.h>

#include "core/buf.h"

/* Pages past this are answered empty rather than risking an overflowing OFFSET. */
enum { PAGE_MAX = 1000000 };

static int subject_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > AUDIT_SUBJECT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return 0;
    return 1;
}

int audit_add(struct db *db, const struct account *actor, int64_t group_id, const char *subject,
              int64_t subject_id, const char *before, const char *after, struct err *e)
{
    struct db_stmt *st;
    if (!before)
        before = "";
    if (!after)
        after = "";
    /* programming errors, not user input: a 500 so they surface in tests */
    if (!subject_ok(subject))
        return err_set(e, 500, "audit: invalid subject");
    if (strlen(before) > AUDIT_VALUE_MAX || strlen(after) > AUDIT_VALUE_MAX)
        return err_set(e, 500, "audit: value too long");
    if (db_prepare(db,
                   "INSERT INTO audit_log (at, actor_user_id, group_id, subject, subject_id, "
                   "before_value, after_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   &st, e))
        return -1;
    db_bind_int(st, 1, (int64_t)time(NULL));
    if (actor && actor->id > 0)
        db_bind_int(st, 2, actor->id);
    else
        db_bind_null(st, 2);
    if (group_id > 0)
        db_bind_int(st, 3, group_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, subject);
    if (subject_id > 0)
        db_bind_int(st, 5, subject_id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, before);
    db_bind_text(st, 7, after);
    int rc = db_step(st, e);
    db_finalize(st);
    return rc < 0 ? -1 : 0;
}

int audit_can_read(const struct account *u, int64_t coord_id)
{
    if (!u || u->disabled)
        return 0;
    if (u->role == ROLE_ADMIN)
        return 1;
    return u->role == ROLE_COORDINATOR && coord_id > 0 && u->coordination_id == coord_id;
}

#define AUDIT_COLS                                                                                 \
    "l.id, l.at, l.actor_user_id, u.login, u.display_name, l.group_id, g.title, l.subject, "       \
    "l.subject_id, l.before_value, l.after_value"
/* Left joins all the way: an entry stays listed whatever became of what it names. */
#define AUDIT_FROM                                                                                 \
    " FROM audit_log l LEFT JOIN users u ON u.id = l.actor_user_id "                               \
    "LEFT JOIN groups g ON g.id = l.group_id "                                                     \
    "LEFT JOIN structures s ON s.id = g.structure_id "                                             \
    "LEFT JOIN communes c ON c.code = s.commune_code "                                             \
    "LEFT JOIN coordination_departements cd ON cd.departement_code = c.departement_code"

static void filter_sql(struct buf *b, const struct audit_filter *f)
{
    buf_puts(b, " WHERE 1 = 1");
    if (f->group_id > 0)
        buf_puts(b, " AND l.group_id = ?");
    if (f->coordination_id > 0)
        buf_puts(b, " AND cd.coordination_id = ?");
    if (f->subject && *f->subject)
        buf_puts(b, " AND l.subject = ?");
}

static int bind_filter(struct db_stmt *st, const struct audit_filter *f)
{
    int i = 1;
    if (f->group_id > 0)
        db_bind_int(st, i++, f->group_id);
    if (f->coordination_id > 0)
        db_bind_int(st, i++, f->coordination_id);
    if (f->subject && *f->subject)
        db_bind_text(st, i++, f->subject);
    return i;
}

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

int audit_list(struct db *db, struct arena *a, const struct audit_filter *f,
               struct audit_entry **out, int *n, int64_t *total, struct err *e)
{
    static const struct audit_filter none = {0};
    struct buf sql;
    struct db_stmt *st = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (!f)
        f = &none;
    int page = f->page < 1 ? 1 : f->page;
    int per_page = f->per_page <= 0 ? AUDIT_PER_PAGE_DEFAULT : f->per_page;
    if (per_page > AUDIT_PER_PAGE_MAX)
        per_page = AUDIT_PER_PAGE_MAX;

    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT COUNT(*)" AUDIT_FROM);
    filter_sql(&sql, f);
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    bind_filter(st, f);
    int r = db_step(st, e);
    if (r < 0)
        goto done;
    *total = r == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    st = NULL;
    if (*total == 0 || page > PAGE_MAX) {
        rc = 0;
        goto done;
    }

    buf_reset(&sql);
    buf_puts(&sql, "SELECT " AUDIT_COLS AUDIT_FROM);
    filter_sql(&sql, f);
    buf_puts(&sql, " ORDER BY l.id DESC LIMIT ? OFFSET ?");
    if (db_prepare(db, buf_cstr(&sql), &st, e))
        goto done;
    int i = bind_filter(st, f);
    db_bind_int(st, i++, per_page);
    db_bind_int(st, i, (int64_t)(page - 1) * per_page);
    struct audit_entry *list = arena_alloc(a, sizeof *list * (size_t)per_page);
    int count = 0;
    while (count < per_page && (r = db_step(st, e)) == DB_ROW) {
        struct audit_entry *x = &list[count++];
        x->id = db_col_int(st, 0);
        x->at = db_col_int(st, 1);
        x->actor_user_id = db_col_is_null(st, 2) ? 0 : db_col_int(st, 2);
        x->actor_login = col_dup(a, st, 3);
        x->actor_name = col_dup(a, st, 4);
        x->group_id = db_col_is_null(st, 5) ? 0 : db_col_int(st, 5);
        x->group_title = col_dup(a, st, 6);
        x->subject = col_dup(a, st, 7);
        x->subject_id = db_col_is_null(st, 8) ? 0 : db_col_int(st, 8);
        x->before = col_dup(a, st, 9);
        x->after = col_dup(a, st, 10);
    }
    if (r < 0)
        goto done;
    *out = list;
    *n = count;
    rc = 0;
done:
    if (st)
        db_finalize(st);
    buf_free(&sql);
    return rc;
}
