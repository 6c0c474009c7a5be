/* consent: the image-right consents of participants, entered by a supervisor from the signed
 * paper form; an append-only history whose latest record is the one in force. */
#ifndef LANTERNE_CONSENT_H
#define LANTERNE_CONSENT_H

#include <stdint.h>

#include "account.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"
#include "visibility.h"

enum {
    CONSENT_NOTE_MAX = 1000, /* characters */
    CONSENT_YEAR_MIN = 2000, /* dates outside these years are typing mistakes */
    CONSENT_YEAR_MAX = 2100,
    CONSENT_HISTORY_MAX = 1000 /* records one history read returns, newest first */
};

/* Dates of the paper form are day numbers: days since 1970-01-01 (proleptic Gregorian),
 * 0 meaning "no date" (no consent is dated 1970). They compare as integers on both engines
 * and carry no time zone: a consent signed "on the 3rd" is the 3rd wherever it is read. */
int64_t consent_day(int year, int month, int day); /* no range check */
/* Strict "YYYY-MM-DD", a real calendar date within CONSENT_YEAR_MIN..MAX: 0 with *out, or -1. */
int consent_day_parse(const char *s, int64_t *out);
/* "YYYY-MM-DD" into out (11 bytes); "" for 0. */
void consent_day_format(int64_t day, char out[11]);
/* Today's day number in the server's local time zone (Europe/Paris in production): the day
 * expiry is judged against. Tests pass their own "today" to the functions below instead. */
int64_t consent_today(void);

/* One record. Strings point into the arena given to the function that filled it (NULL when
 * that arena was NULL). */
struct consent {
    int64_t id; /* 0: no record at all (nothing consented) */
    int64_t participant_id, group_id;
    enum vis_level level;          /* as recorded: the widest circle agreed */
    int parent_agreed;             /* the parent or guardian (an adult participant: themselves) */
    int minor_agreed;              /* the young person, required under 15 */
    int under15;                   /* the participant's flag now, which the agreements answer to */
    int64_t signed_on, expires_on; /* day numbers, 0 = none */
    const char *note;
    int64_t recorded_by; /* the account that entered it */
    const char *recorded_by_name;
    int64_t recorded_at; /* unix seconds */
    int withdrawn;
    int64_t supersedes_id;    /* the record it replaced, 0 for the first */
    enum vis_level effective; /* consent_effective_level(this, today) where today was given */
};

struct consent_input {
    const char *level; /* "none", "group", "network", "public" */
    int parent_agreed, minor_agreed;
    const char *signed_on;  /* "YYYY-MM-DD"; required above "none" */
    const char *expires_on; /* "YYYY-MM-DD" after signed_on, or NULL / "" for no end */
    const char *note;       /* free text, optional */
};

/* Appends a record for participant_id and its audit entry (AUDIT_CONSENT, before and after
 * the recorded levels), in one transaction. 403 unless the actor manages the participant's
 * group (group_can_manage); 404 for an unknown participant. 422 with the field named:
 * "level" unknown; above "none", "parent_agreed" unticked, or for a participant under 15
 * either box unticked ("minor_agreed" or "parent_agreed": both must be ticked),
 * "signed_on" missing, malformed or in the future, "expires_on" malformed or not after
 * signed_on, "note" too long or with control characters. 409 when another record was
 * appended meanwhile (the history is a single chain: reload and try again). */
int consent_record(struct db *db, const struct account *actor, int64_t participant_id,
                   const struct consent_input *in, struct err *e);

/* Appends a withdrawal: level "none", withdrawn, no agreements or dates, with the note
 * (optional, same limits), and its audit entry (AUDIT_CONSENT_WITHDRAWAL). Same rights and
 * errors as consent_record; 409 when nothing is in force to withdraw (no record, or the
 * latest already at "none"). */
int consent_withdraw(struct db *db, const struct account *actor, int64_t participant_id,
                     const char *note, struct err *e);

/* The record in force: the participant's latest. A participant with no record gets 0 and a
 * zeroed *out (id 0, level VIS_NONE) with participant_id, group_id and under15 filled; an
 * unknown participant is 404. out->effective is computed for today (a day number). a may be
 * NULL when the strings are not needed (visibility checks). No rights checked: consents are
 * shown only to those who manage the group (group_can_manage), the caller's to ask. */
int consent_current(struct db *db, struct arena *a, int64_t participant_id, int64_t today,
                    struct consent *out, struct err *e);

/* The level a record grants on day today: VIS_NONE when there is no record, or it is a
 * withdrawal, or an agreement it needs is missing (the parent's; under 15 the young
 * person's too), or it is not signed yet or expired (expires_on < today: valid through its
 * last day). Otherwise its recorded level. */
enum vis_level consent_effective_level(const struct consent *c, int64_t today);

/* Every record of the participant, newest first (at most CONSENT_HISTORY_MAX), allocated
 * in a; effective is computed for today. 404 for an unknown participant. */
int consent_history(struct db *db, struct arena *a, int64_t participant_id, int64_t today,
                    struct consent **out, int *n, struct err *e);

#endif
