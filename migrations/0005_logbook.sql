-- 0005: the logbooks of workshop groups (issue 4, point 4): dated entries in Markdown, with
-- their history of edits. Portable SQL (SQLite and PostgreSQL), as in 0001.

-- entry_date is a day number, as the consents' dates (days since 1970-01-01; src/consent.h).
-- An entry is never deleted for real: deleted_at marks it, and it can be brought back within
-- LOGBOOK_UNDO_DAYS (src/logbook.h). Who sees it is computed by src/visibility.c on every read.
CREATE TABLE entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id       INTEGER NOT NULL REFERENCES groups(id),
    author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    entry_date     INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body_md        TEXT NOT NULL DEFAULT '',
    visibility     TEXT NOT NULL DEFAULT 'group'
                   CHECK (visibility IN ('group', 'network', 'public')),
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published')),
    deleted_at     INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX entries_group ON entries(group_id, entry_date);

-- The text an entry had before each edit: who changed it, when, and what it said.
CREATE TABLE entry_revisions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id       INTEGER NOT NULL REFERENCES entries(id),
    editor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at             INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body_md        TEXT NOT NULL
);
CREATE INDEX entry_revisions_entry ON entry_revisions(entry_id);
