-- 0011: the network's year (issue 6): actions with their lists, calls for projects and the
-- applications made to them. Portable SQL (SQLite and PostgreSQL), as in 0001.

-- One action of a coordination (src/action.h for the codes). year and month are those of
-- start_date (YYYY-MM-DD), kept for the figures' GROUP BY. Counts: practice participants by
-- age band (optionally by gender: NULL when not recorded), spectators, hours of practice.
-- spectators_include_participants: the audience count already holds the workshop's own
-- participants (a restitution screening), so a person is never counted twice within one
-- action (src/figures.c). rural: 'auto' when the communes decide (one under
-- ACTION_RURAL_POPULATION inhabitants), 'yes' or 'no' when the action says otherwise. Budget
-- in whole euros. films_made: short films the action produced (at least its linked films).
CREATE TABLE actions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    coordination_id     INTEGER NOT NULL REFERENCES coordinations(id),
    title               TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    type                TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'planned'
                        CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    start_date          TEXT NOT NULL,
    end_date            TEXT NOT NULL,
    year                INTEGER NOT NULL,
    month               INTEGER NOT NULL,
    lead_structure_id   INTEGER REFERENCES structures(id) ON DELETE SET NULL,
    rural               TEXT NOT NULL DEFAULT 'auto' CHECK (rural IN ('auto', 'yes', 'no')),
    participants_u12    INTEGER NOT NULL DEFAULT 0,
    participants_12_17  INTEGER NOT NULL DEFAULT 0,
    participants_18_25  INTEGER NOT NULL DEFAULT 0,
    participants_o25    INTEGER NOT NULL DEFAULT 0,
    participants_female INTEGER,
    participants_male   INTEGER,
    participants_other  INTEGER,
    spectators          INTEGER NOT NULL DEFAULT 0,
    spectators_include_participants INTEGER NOT NULL DEFAULT 0,
    practice_hours      INTEGER NOT NULL DEFAULT 0,
    films_made          INTEGER NOT NULL DEFAULT 0,
    budget_requested    INTEGER NOT NULL DEFAULT 0,
    budget_granted      INTEGER NOT NULL DEFAULT 0,
    budget_cofunding    INTEGER NOT NULL DEFAULT 0,
    search_norm         TEXT NOT NULL DEFAULT '',
    is_demo             INTEGER NOT NULL DEFAULT 0,
    created_by          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX actions_year ON actions(year, coordination_id);
CREATE INDEX actions_coordination ON actions(coordination_id, start_date);

CREATE TABLE action_communes (
    action_id    INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    PRIMARY KEY (action_id, commune_code)
);
CREATE INDEX action_communes_commune ON action_communes(commune_code);

-- Partner structures (the lead structure is on the action itself).
CREATE TABLE action_partners (
    action_id    INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, structure_id)
);

-- Facilitators (image professionals) by name, in order.
CREATE TABLE action_facilitators (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (action_id, position)
);

-- Codes from the lists in src/action.c: kind 'theme', 'form' or 'public'.
CREATE TABLE action_tags (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('theme', 'form', 'public')),
    code      TEXT NOT NULL,
    PRIMARY KEY (action_id, kind, code)
);
CREATE INDEX action_tags_code ON action_tags(kind, code);

-- The workshop groups and films an action produced.
CREATE TABLE action_groups (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, group_id)
);
CREATE TABLE action_films (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    film_id   INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, film_id)
);

-- A call for projects of a coordination: open from opens_on to closes_on (inclusive),
-- budget: the envelope in euros.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    coordination_id INTEGER NOT NULL REFERENCES coordinations(id),
    title           TEXT NOT NULL,
    rules           TEXT NOT NULL DEFAULT '',
    opens_on        TEXT NOT NULL,
    closes_on       TEXT NOT NULL,
    budget          INTEGER NOT NULL DEFAULT 0,
    is_demo         INTEGER NOT NULL DEFAULT 0,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX calls_coordination ON calls(coordination_id, opens_on);

-- An application of a structure to a call, written by its referent (a supervisor). status:
-- draft (only its author sees it), submitted, accepted (amount_granted) or declined
-- (decision_reason). action_id: the action it became, once accepted.
CREATE TABLE applications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id           INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    structure_id      INTEGER NOT NULL REFERENCES structures(id),
    applicant_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title             TEXT NOT NULL,
    project           TEXT NOT NULL DEFAULT '',
    facilitator       TEXT NOT NULL DEFAULT '',
    planned_start     TEXT NOT NULL,
    planned_end       TEXT NOT NULL,
    public_desc       TEXT NOT NULL DEFAULT '',
    action_type       TEXT NOT NULL,
    budget_requested  INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'submitted', 'accepted', 'declined')),
    amount_granted    INTEGER NOT NULL DEFAULT 0,
    decision_reason   TEXT NOT NULL DEFAULT '',
    decided_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at        INTEGER,
    submitted_at      INTEGER,
    action_id         INTEGER REFERENCES actions(id) ON DELETE SET NULL,
    is_demo           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX applications_call ON applications(call_id, status);
CREATE INDEX applications_structure ON applications(structure_id);

CREATE TABLE application_communes (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    commune_code   TEXT NOT NULL REFERENCES communes(code),
    PRIMARY KEY (application_id, commune_code)
);

-- Attachments (PDF only, checked by content), stored under
-- <data dir>/applications/<storage_key>.pdf.
CREATE TABLE application_files (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    size           INTEGER NOT NULL,
    storage_key    TEXT NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL
);
CREATE INDEX application_files_app ON application_files(application_id);
