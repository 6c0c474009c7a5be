/* consent: recording, withdrawing and reading image-right consents. Records are only ever
 * appended, each naming the one it supersedes; nothing here updates or deletes one. */
#include "consent.h"

#include <string.h>
#include <time.h>

#include "audit.h"
#include "core/text.h"
#include "group.h"
#include "participant.h"

/* ---- day numbers ---- */

/* Days from civil, after Howard Hinnant's public-domain algorithm: exact for every
 * Gregorian date, no table, no time zone. */
int64_t consent_day(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_day(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int consent_day_parse(const char *s, int64_t *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < CONSENT_YEAR_MIN || y > CONSENT_YEAR_MAX || m < 1 || m > 12 || d < 1)
        return -1;
    /* the round trip refuses 31 April and 29 February of common years */
    int64_t day = consent_day(y, m, d);
    int y2, m2, d2;
    civil_from_day(day, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return -1;
    *out = day;
    return 0;
}

void consent_day_format(int64_t day, char out[11])
{
    int y, m, d;
    if (day == 0) {
        out[0] = 0;
        return;
    }
    civil_from_day(day, &y, &m, &d);
    if (y < 0 || y > 9999) { /* no such date is ever stored: validation keeps to 2000-2100 */
        out[0] = 0;
        return;
    }
    /* written digit by digit: the compiler cannot see that y has four digits at most */
    const int parts[3] = {y, m, d};
    const int widths[3] = {4, 2, 2};
    char *w = out;
    for (int i = 0; i < 3; i++) {
        if (i)
            *w++ = '-';
        for (int k = widths[i] - 1, v = parts[i]; k >= 0; k--, v /= 10)
            w[k] = (char)('0' + v % 10);
        w += widths[i];
    }
    *w = 0;
}

int64_t consent_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return consent_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- reading ---- */

enum vis_level consent_effective_level(const struct consent *c, int64_t today)
{
    if (!c || c->id <= 0 || c->withdrawn || c->level <= VIS_NONE || c->level > VIS_PUBLIC)
        return VIS_NONE;
    if (!c->parent_agreed || (c->under15 && !c->minor_agreed))
        return VIS_NONE;
    if (c->signed_on == 0 || c->signed_on > today)
        return VIS_NONE;
    if (c->expires_on != 0 && c->expires_on < today)
        return VIS_NONE;
    return c->level;
}

/* The participant's columns come first and are there even when no consent row joins. */
#define CONSENT_COLS                                                                               \
    "p.id, p.group_id, p.under15, c.id, c.level, c.parent_agreed, c.minor_agreed, c.signed_on, "   \
    "c.expires_on, c.note, c.recorded_by, u.display_name, c.recorded_at, c.withdrawn, "            \
    "c.supersedes_id"
#define CONSENT_FROM                                                                               \
    " FROM participants p LEFT JOIN consents c ON c.participant_id = p.id "                        \
    "LEFT JOIN users u ON u.id = c.recorded_by"

static int64_t col_int0(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? 0 : db_col_int(st, col);
}

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    if (!a)
        return NULL;
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static void read_consent(struct db_stmt *st, struct arena *a, int64_t today, struct consent *c)
{
    memset(c, 0, sizeof *c);
    c->participant_id = db_col_int(st, 0);
    c->group_id = db_col_int(st, 1);
    c->under15 = db_col_int(st, 2) != 0;
    c->id = col_int0(st, 3);
    if (c->id > 0) {
        /* an unreadable level grants nothing */
        if (visibility_level_parse(db_col_text(st, 4), &c->level))
            c->level = VIS_NONE;
        c->parent_agreed = db_col_int(st, 5) != 0;
        c->minor_agreed = db_col_int(st, 6) != 0;
        c->signed_on = col_int0(st, 7);
        c->expires_on = col_int0(st, 8);
        c->note = col_dup(a, st, 9);
        c->recorded_by = col_int0(st, 10);
        c->recorded_by_name = col_dup(a, st, 11);
        c->recorded_at = col_int0(st, 12);
        c->withdrawn = db_col_int(st, 13) != 0;
        c->supersedes_id = col_int0(st, 14);
    }
    c->effective = consent_effective_level(c, today);
}

static const char *const NO_PARTICIPANT = N_("Participant introuvable.");

int consent_current(struct db *db, struct arena *a, int64_t participant_id, int64_t today,
                    struct consent *out, struct err *e)
{
    struct db_stmt *st;
    memset(out, 0, sizeof *out);
    if (participant_id <= 0)
        return err_set(e, 404, "%s", err_tr(NO_PARTICIPANT));
    /* ids are never reused and only grow, so the highest is the latest record */
    if (db_prepare(db,
                   "SELECT " CONSENT_COLS CONSENT_FROM " WHERE p.id = ? ORDER BY c.id DESC LIMIT 1",
                   &st, e))
        return -1;
    db_bind_int(st, 1, participant_id);
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_consent(st, a, today, out);
    db_finalize(st);
    if (rc < 0)
        return -1;
    if (rc != DB_ROW)
        return err_set(e, 404, "%s", err_tr(NO_PARTICIPANT));
    return 0;
}

int consent_history(struct db *db, struct arena *a, int64_t participant_id, int64_t today,
                    struct consent **out, int *n, struct err *e)
{
    struct db_stmt *st;
    *out = NULL;
    *n = 0;
    if (participant_id <= 0)
        return err_set(e, 404, "%s", err_tr(NO_PARTICIPANT));
    if (db_prepare(db,
                   "SELECT " CONSENT_COLS CONSENT_FROM " WHERE p.id = ? ORDER BY c.id DESC LIMIT ?",
                   &st, e))
        return -1;
    db_bind_int(st, 1, participant_id);
    db_bind_int(st, 2, CONSENT_HISTORY_MAX);
    struct consent *list = NULL;
    int count = 0, cap = 0, r, found = 0;
    while ((r = db_step(st, e)) == DB_ROW) {
        found = 1;
        if (db_col_is_null(st, 3)) /* the participant's row with no record joined */
            continue;
        if (count == cap) {
            int ncap = cap ? cap * 2 : 8;
            struct consent *bigger = arena_alloc(a, sizeof *bigger * (size_t)ncap);
            if (count)
                memcpy(bigger, list, sizeof *bigger * (size_t)count);
            list = bigger;
            cap = ncap;
        }
        read_consent(st, a, today, &list[count++]);
    }
    db_finalize(st);
    if (r < 0)
        return -1;
    if (!found)
        return err_set(e, 404, "%s", err_tr(NO_PARTICIPANT));
    *out = list;
    *n = count;
    return 0;
}

/* ---- writing ---- */

/* The note's checks, shared by record and withdraw. */
static int check_note(const char *note, struct err *e)
{
    size_t n = strlen(note);
    long chars = text_utf8_len(note, n);
    if (chars < 0 || text_has_control(note, n, 1))
        return err_field(e, 422, "note", "La note contient des caractères invalides.");
    if (chars > CONSENT_NOTE_MAX)
        return err_field(e, 422, "note", "La note doit comporter au plus %d caractères.",
                         CONSENT_NOTE_MAX);
    return 0;
}

/* A record about to be appended, validated. */
struct row {
    enum vis_level level;
    int parent_agreed, minor_agreed, withdrawn;
    int64_t signed_on, expires_on; /* 0 = NULL */
    const char *note;
};

/* The form's rules: the agreements the level needs (for the participant's age), the dates,
 * the note. Checked in the order of the paper form. */
static int validate(const struct consent_input *in, int under15, struct row *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    if (!in->level || visibility_level_parse(in->level, &v->level))
        return err_field(e, 422, "level",
                         "Niveau de consentement inconnu : aucun, groupe, réseau ou public.");
    v->parent_agreed = in->parent_agreed != 0;
    v->minor_agreed = in->minor_agreed != 0;
    if (v->level > VIS_NONE) {
        /* under 15 the young person agrees as well as the parents (CNIL; Code civil
         * art. 372-1): one box alone is not a consent */
        if (under15 && !(v->parent_agreed && v->minor_agreed))
            return err_field(e, 422, v->parent_agreed ? "minor_agreed" : "parent_agreed",
                             "Pour un participant de moins de 15 ans, l'accord du parent (ou "
                             "tuteur) et celui du jeune doivent tous deux être cochés.");
        if (!v->parent_agreed)
            return err_field(e, 422, "parent_agreed",
                             "L'accord du parent ou du tuteur (ou de la personne majeure "
                             "elle-même) doit être coché.");
    }
    int has_signed = in->signed_on && *in->signed_on;
    if (has_signed && consent_day_parse(in->signed_on, &v->signed_on))
        return err_field(e, 422, "signed_on",
                         "La date de signature doit être une date valide (AAAA-MM-JJ).");
    if (!has_signed && v->level > VIS_NONE)
        return err_field(e, 422, "signed_on", "La date de signature est obligatoire.");
    /* one day of slack: the server's today may be behind the overseas form's */
    if (has_signed && v->signed_on > consent_today() + 1)
        return err_field(e, 422, "signed_on", "La date de signature ne peut pas être à venir.");
    if (in->expires_on && *in->expires_on) {
        if (consent_day_parse(in->expires_on, &v->expires_on))
            return err_field(e, 422, "expires_on",
                             "La date d'expiration doit être une date valide (AAAA-MM-JJ).");
        if (v->signed_on && v->expires_on <= v->signed_on)
            return err_field(e, 422, "expires_on",
                             "La date d'expiration doit être postérieure à la date de signature.");
    }
    v->note = in->note ? in->note : "";
    return check_note(v->note, e);
}

/* Reads the participant and the record in force, and checks the actor manages the group;
 * inside the write's transaction so neither can change before the append. */
static int load(struct db *db, struct arena *a, const struct account *actor, int64_t participant_id,
                struct participant *p, struct consent *cur, struct err *e)
{
    struct group g;
    if (participant_get(db, a, participant_id, p, e) || group_get(db, a, p->group_id, &g, e))
        return -1;
    if (!group_can_manage(db, actor, &g))
        return err_set(e, 403,
                       "Seuls les encadrants du groupe et sa coordination peuvent "
                       "enregistrer les consentements.");
    return consent_current(db, NULL, participant_id, consent_today(), cur, e);
}

/* Appends v after cur, with its audit entry. */
static int append(struct db *db, const struct account *actor, const struct participant *p,
                  const struct consent *cur, const struct row *v, const char *subject,
                  struct err *e)
{
    struct db_stmt *st;
    if (db_prepare(db,
                   "INSERT INTO consents (participant_id, group_id, level, parent_agreed, "
                   "minor_agreed, signed_on, expires_on, note, recorded_by, recorded_at, "
                   "withdrawn, supersedes_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   &st, e))
        return -1;
    db_bind_int(st, 1, p->id);
    db_bind_int(st, 2, p->group_id);
    db_bind_text(st, 3, visibility_level_name(v->level));
    db_bind_int(st, 4, v->parent_agreed);
    db_bind_int(st, 5, v->minor_agreed);
    if (v->signed_on)
        db_bind_int(st, 6, v->signed_on);
    else
        db_bind_null(st, 6);
    if (v->expires_on)
        db_bind_int(st, 7, v->expires_on);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, v->note);
    db_bind_int(st, 9, actor->id);
    db_bind_int(st, 10, (int64_t)time(NULL));
    db_bind_int(st, 11, v->withdrawn);
    if (cur->id > 0)
        db_bind_int(st, 12, cur->id);
    else
        db_bind_null(st, 12);
    int r = db_step(st, e);
    db_finalize(st);
    if (r < 0) {
        /* supersedes_id is UNIQUE: someone appended after cur since it was read */
        if (e && e->status == 409)
            err_set(e, 409,
                    "Le consentement de ce participant vient d'être modifié par "
                    "quelqu'un d'autre : rechargez la page et recommencez.");
        return -1;
    }
    return audit_add(db, actor, p->group_id, subject, p->id,
                     cur->id > 0 ? visibility_level_name(cur->level) : "",
                     visibility_level_name(v->level), e);
}

int consent_record(struct db *db, const struct account *actor, int64_t participant_id,
                   const struct consent_input *in, struct err *e)
{
    struct arena *a = arena_new();
    struct participant p;
    struct consent cur;
    struct row v;
    int rc = -1, in_tx = 0;

    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (load(db, a, actor, participant_id, &p, &cur, e) || validate(in, p.under15, &v, e) ||
        append(db, actor, &p, &cur, &v, AUDIT_CONSENT, e))
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}

int consent_withdraw(struct db *db, const struct account *actor, int64_t participant_id,
                     const char *note, struct err *e)
{
    struct arena *a = arena_new();
    struct participant p;
    struct consent cur;
    struct row v = {.level = VIS_NONE, .withdrawn = 1, .note = note ? note : ""};
    int rc = -1, in_tx = 0;

    if (db_begin(db, e))
        goto done;
    in_tx = 1;
    if (load(db, a, actor, participant_id, &p, &cur, e) || check_note(v.note, e))
        goto done;
    /* an expired consent is still withdrawn on request: the record says the person asked,
     * which matters when a renewal is discussed */
    if (cur.id == 0 || cur.level == VIS_NONE) {
        err_set(e, 409, "Aucun consentement en cours à retirer pour ce participant.");
        goto done;
    }
    if (append(db, actor, &p, &cur, &v, AUDIT_CONSENT_WITHDRAWAL, e))
        goto done;
    in_tx = 0;
    if (db_commit(db, e))
        goto done;
    rc = 0;
done:
    if (in_tx)
        db_rollback(db);
    arena_free(a);
    return rc;
}
