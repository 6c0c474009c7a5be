/* call: calls for projects of a coordination and the applications structures make to them
 * (issue 6): opening a call, writing and submitting an application with its PDF attachments,
 * the steering committee's decision, and the one step that turns an accepted application into
 * an action. Who may read and change what is decided here, never in the web layer. */
#ifndef LANTERNE_CALL_H
#define LANTERNE_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "action.h"
#include "core/err.h"
#include "core/mem.h"
#include "db/db.h"

enum {
    CALL_TITLE_MAX = 200,        /* characters */
    CALL_RULES_MAX = 20000,      /* characters of the rules */
    CALL_BUDGET_MAX = 100000000, /* euros of an envelope */
    CALL_APP_TITLE_MAX = ACTION_TITLE_MAX,
    CALL_APP_PROJECT_MAX = ACTION_DESCRIPTION_MAX,
    CALL_APP_PUBLIC_MAX = 2000,                 /* characters of the public described */
    CALL_APP_REASON_MAX = 2000,                 /* characters of a decline's reason */
    CALL_APP_FILES_MAX = 5,                     /* attachments of one application */
    CALL_APP_FILE_MAX_BYTES = 10 * 1024 * 1024, /* one attachment */
    CALL_APP_FILE_NAME_MAX = 200,               /* characters of an attachment's name as shown */
    CALL_LIST_MAX = 500,                        /* calls one list reads */
    CALL_APP_LIST_MAX = 1000,                   /* applications one list reads */
};

/* Where a call stands on a given day: opens_on and closes_on are both open days. */
enum call_state { CALL_UPCOMING = 0, CALL_OPEN = 1, CALL_CLOSED = 2 };

struct call {
    int64_t id, coordination_id;
    const char *coordination_name, *coordination_slug;
    const char *title, *rules, *opens_on, *closes_on; /* dates YYYY-MM-DD */
    int64_t budget;
    int64_t submitted;      /* applications beyond drafts */
    int64_t accepted_total; /* sum of the amounts granted */
    int64_t created_at, updated_at;
};

struct call_input {
    int64_t coordination_id; /* on update: 0 keeps it */
    const char *title, *rules, *opens_on, *closes_on;
    int64_t budget;
};

/* The state of c on day today (a day number, src/consent.h). */
enum call_state call_state(const struct call *c, int64_t today);
/* May actor open, edit or delete calls of coordination_id, and review their applications?
 * Admins, and that coordination's coordinators. */
int call_can_manage(const struct account *actor, int64_t coordination_id);

/* 403 unless call_can_manage; 422 on the field ("title", "opens_on", "closes_on", "rules",
 * "budget"); 404 unknown coordination. */
int call_create(struct db *db, const struct account *actor, const struct call_input *in,
                int64_t *id, struct err *e);
int call_update(struct db *db, const struct account *actor, int64_t id, const struct call_input *in,
                struct err *e);
/* Only while it has no application beyond drafts (409 otherwise); drafts go with it. */
int call_delete(struct db *db, const struct account *actor, int64_t id, const char *data_dir,
                struct err *e);
int call_get(struct db *db, struct arena *a, int64_t id, struct call *out, struct err *e);
/* Every call (of coordination_id, 0 all), the latest closing first. */
int call_list(struct db *db, struct arena *a, int64_t coordination_id, struct call **out, int *n,
              struct err *e);

/* ---- applications ---- */

struct call_app_file {
    int64_t id, application_id, size, created_at;
    const char *name, *storage_key;
};

struct call_app {
    int64_t id, call_id, structure_id, applicant_user_id;
    int64_t coordination_id; /* the call's */
    const char *call_title, *structure_name, *applicant_name;
    const char *title, *project, *facilitator, *planned_start, *planned_end, *public_desc;
    const char *action_type, *status; /* draft, submitted, accepted, declined */
    int64_t budget_requested, amount_granted;
    const char *decision_reason;
    int64_t decided_at, submitted_at, action_id, created_at, updated_at;
    struct action_commune *communes;
    int ncommunes;
    struct call_app_file *files;
    int nfiles;
};

struct call_app_input {
    int64_t structure_id; /* on update: 0 keeps it */
    const char *title, *project, *facilitator, *planned_start, *planned_end, *public_desc;
    const char *action_type;
    int64_t budget_requested;
    const char *const *commune_codes;
    int ncommunes;
};

/* Is actor a referent (a supervisor attached) of structure_id? */
int call_is_referent(struct db *db, const struct account *actor, int64_t structure_id);
/* May actor read app? Its structure's referents (drafts too), admins, and the call's
 * coordinators once submitted. Nobody else, not even that it exists. */
int call_app_can_read(struct db *db, const struct account *actor, const struct call_app *app);

/* A referent writes a draft for one of their structures while the call is open on today:
 * 403 not a referent of in->structure_id, 404 unknown call, 422 call not open or on a field
 * ("title", "action_type", "planned_start", "planned_end", "communes", "budget_requested",
 * "project", "facilitator", "public_desc"). */
int call_app_create(struct db *db, const struct account *actor, int64_t call_id,
                    const struct call_app_input *in, int64_t today, int64_t *id, struct err *e);
/* Drafts only (409 once submitted: nobody edits a submitted application). */
int call_app_update(struct db *db, const struct account *actor, int64_t id,
                    const struct call_app_input *in, struct err *e);
/* draft -> submitted, until closes_on: 422 once the call is closed (or not yet open), 409
 * when not a draft, 422 on "project" or "facilitator" left empty. */
int call_app_submit(struct db *db, const struct account *actor, int64_t id, int64_t today,
                    struct err *e);
/* The steering committee's decision on a submitted application (409 otherwise), recorded
 * by the call's coordinators or an admin (403). accept: amount 1..ACTION_BUDGET_MAX (422 on
 * "amount"); decline: reason required (422 on "reason"). *over_envelope (may be NULL) set to
 * 1 when the accepted amounts of the call now pass its envelope: allowed, worth a warning. */
int call_app_decide(struct db *db, const struct account *actor, int64_t id, int accept,
                    int64_t amount, const char *reason, int *over_envelope, struct err *e);
/* An accepted application becomes a planned action of the call's coordination, once (409
 * when it already has one, or is not accepted); *action_id set. */
int call_app_to_action(struct db *db, const struct account *actor, int64_t id, int64_t *action_id,
                       struct err *e);
int call_app_get(struct db *db, struct arena *a, int64_t id, struct call_app *out, struct err *e);
/* The applications of a call beyond drafts (what its coordinators review), newest first. */
int call_app_list_call(struct db *db, struct arena *a, int64_t call_id, struct call_app **out,
                       int *n, struct err *e);
/* The applications of actor's structures (drafts included), newest first. */
int call_app_list_mine(struct db *db, struct arena *a, const struct account *actor,
                       struct call_app **out, int *n, struct err *e);

/* ---- attachments ---- */

/* Adds a PDF (checked by its bytes: a "%PDF-" header and libmagic's application/pdf) to a
 * draft its referent writes: 413 past CALL_APP_FILE_MAX_BYTES, 422 on "file" when not a PDF
 * or past CALL_APP_FILES_MAX files. Written durably under <data_dir>/applications/. */
int call_app_file_add(struct db *db, const struct account *actor, int64_t app_id,
                      const char *data_dir, const char *name, const void *data, size_t len,
                      int64_t *id, struct err *e);
/* The attachment, 404 unknown. Reading it is for whoever may read its application. */
int call_app_file_get(struct db *db, struct arena *a, int64_t id, struct call_app_file *out,
                      struct err *e);
/* <data_dir>/applications/<key>.pdf in a. */
const char *call_app_file_path(struct arena *a, const char *data_dir, const char *storage_key);
/* 1 when data is a PDF by its content. */
int call_is_pdf(const void *data, size_t len);

#endif
