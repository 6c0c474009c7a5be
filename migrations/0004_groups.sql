-- 0004: workshop groups, their participants, consent records for images of minors, and the
-- audit log of every change of consent or visibility (issue 4, domain part).
-- Portable SQL (SQLite and PostgreSQL), as in 0001. Visibility is never stored as a copy:
-- src/visibility.c computes it from these rows on every read.

CREATE TABLE groups (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                     TEXT NOT NULL UNIQUE,
    title                    TEXT NOT NULL,
    title_norm               TEXT NOT NULL,  -- text_norm(title), for sorting and filtering
    year                     INTEGER NOT NULL,
    -- the host structure; the group's coordination is read through its commune, not stored
    structure_id             INTEGER NOT NULL REFERENCES structures(id),
    description              TEXT NOT NULL DEFAULT '',
    facilitators             TEXT NOT NULL DEFAULT '', -- names, one a line
    status                   TEXT NOT NULL DEFAULT 'preparing'
                             CHECK (status IN ('preparing', 'in_progress', 'finished')),
    protected                INTEGER NOT NULL DEFAULT 0 CHECK (protected IN (0, 1)),
    -- who may see the group's page: the widest circle allowed
    visibility               TEXT NOT NULL DEFAULT 'group'
                             CHECK (visibility IN ('group', 'network', 'public')),
    require_comment_approval INTEGER NOT NULL DEFAULT 0
                             CHECK (require_comment_approval IN (0, 1)),
    -- no foreign key yet: the photos table comes with the photo migration
    cover_photo_id           INTEGER,
    is_demo                  INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    -- the last line of defence behind src/group.c: a protected group stays within the group
    CHECK (protected = 0 OR visibility = 'group')
);
CREATE INDEX groups_structure ON groups(structure_id);
CREATE INDEX groups_year ON groups(year);

CREATE TABLE group_supervisors (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_supervisors_user ON group_supervisors(user_id);

-- Young people, as little as the workshop needs: a first name or pseudonym, an age band
-- (never a birth date), the under-15 flag that decides who must sign, and an optional
-- participant account. Rows are never deleted with their group (no cascade): consent
-- records point here and must not be lost.
CREATE TABLE participants (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id     INTEGER NOT NULL REFERENCES groups(id),
    display_name TEXT NOT NULL,
    age_band     TEXT NOT NULL CHECK (age_band IN ('6-11', '12-14', '15-17', '18-25', '26+')),
    under15      INTEGER NOT NULL CHECK (under15 IN (0, 1)),
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- the flag follows from the band; stored because the law speaks of "under 15" and
    -- every reader should not have to know which bands that means
    CHECK ((under15 = 1 AND age_band IN ('6-11', '12-14'))
        OR (under15 = 0 AND age_band IN ('15-17', '18-25', '26+'))),
    UNIQUE (group_id, user_id) -- NULLs never collide, on both engines
);
CREATE INDEX participants_group ON participants(group_id);
CREATE INDEX participants_user ON participants(user_id);

-- Consent records are append-only: a change or a withdrawal is a new row, the current
-- consent is a participant's row with the highest id. Nothing updates or deletes them
-- (src/consent.c has no such function). Each row names the one it supersedes; the UNIQUE
-- makes the history a single chain, so two supervisors recording at once cannot both
-- supersede the same row (the second one gets a conflict and reloads).
-- Dates written on the paper form (signed_on, expires_on) are day numbers: days since
-- 1970-01-01 in the proleptic Gregorian calendar (2024-09-01 = 19967). Integers compare
-- the same on both engines with no date function; src/consent.c converts from and to
-- YYYY-MM-DD. A consent is valid through its expires_on day included.
CREATE TABLE consents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    group_id       INTEGER NOT NULL REFERENCES groups(id),
    level          TEXT NOT NULL CHECK (level IN ('none', 'group', 'network', 'public')),
    parent_agreed  INTEGER NOT NULL DEFAULT 0 CHECK (parent_agreed IN (0, 1)),
    minor_agreed   INTEGER NOT NULL DEFAULT 0 CHECK (minor_agreed IN (0, 1)),
    signed_on      INTEGER,           -- day number; required above 'none'
    expires_on     INTEGER,           -- day number, NULL = no end date
    note           TEXT NOT NULL DEFAULT '',
    recorded_by    INTEGER NOT NULL REFERENCES users(id),
    recorded_at    INTEGER NOT NULL,  -- unix seconds
    withdrawn      INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    supersedes_id  INTEGER UNIQUE REFERENCES consents(id),
    CHECK (withdrawn = 0 OR level = 'none'),
    CHECK (level = 'none' OR (parent_agreed = 1 AND signed_on IS NOT NULL)),
    CHECK (expires_on IS NULL OR signed_on IS NULL OR expires_on > signed_on)
);
CREATE INDEX consents_participant ON consents(participant_id, id);
CREATE INDEX consents_group ON consents(group_id);

-- Who changed a consent or a visibility, when, from what to what. A log outlives what it
-- names, so no foreign keys: an entry stays readable whatever happens to the account or
-- the group later. The coordination reads it through the group's structure.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,  -- unix seconds
    actor_user_id INTEGER,           -- NULL for the system (jobs, command line)
    group_id      INTEGER,
    subject       TEXT NOT NULL,     -- 'consent', 'group_visibility', 'group_protected', ...
    subject_id    INTEGER,           -- what the subject names (a participant, a group...)
    before_value  TEXT NOT NULL DEFAULT '',
    after_value   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_group ON audit_log(group_id, id);
