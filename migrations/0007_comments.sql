-- 0007: the exchange around logbooks (issue 4, point 7): comments on entries, their
-- approval and hiding by the group's managers, and reports ("signaler") of content to the
-- moderation queue. Portable SQL (SQLite and PostgreSQL), as in 0001.

-- A comment is plain text on an entry. group_id repeats the entry's group so the moderation
-- queue can be scoped without a join through entries. A comment is never deleted: a manager
-- hides it (hidden_at, hidden_by), and can show it again. status 'pending' waits for a
-- manager's approval (groups with require_comment_approval, for their participants).
-- Who sees it is computed on every read from its entry (src/comment.c, src/visibility.c).
CREATE TABLE comments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id       INTEGER NOT NULL REFERENCES entries(id),
    group_id       INTEGER NOT NULL REFERENCES groups(id),
    author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('pending', 'published')),
    hidden_at      INTEGER,
    hidden_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (hidden_by IS NULL OR hidden_at IS NOT NULL)
);
CREATE INDEX comments_entry ON comments(entry_id, id);
CREATE INDEX comments_group ON comments(group_id, status);

-- A report of a piece of content: (target_kind, target_id), with the group it belongs to (the
-- queue is scoped by group) and, for an entry, a comment or a photo, the entry that shows it
-- (the link the moderators follow). No foreign key on the target: it names rows of several
-- tables. The reporter's address is never stored: addr_hash is a keyed BLAKE2b of it
-- (server secret 'report_secret'), enough to count an address's reports over the last hour.
CREATE TABLE reports (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind      TEXT NOT NULL CHECK (target_kind IN ('entry', 'comment', 'photo', 'group')),
    target_id        INTEGER NOT NULL,
    group_id         INTEGER NOT NULL REFERENCES groups(id),
    entry_id         INTEGER REFERENCES entries(id),
    reason           TEXT NOT NULL
                     CHECK (reason IN ('minor_data', 'no_consent', 'offensive', 'other')),
    note             TEXT NOT NULL DEFAULT '',
    reporter_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    addr_hash        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    closed_at        INTEGER,
    closed_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolution       TEXT NOT NULL DEFAULT '',
    CHECK (closed_by IS NULL OR closed_at IS NOT NULL)
);
CREATE INDEX reports_group ON reports(group_id, closed_at);
CREATE INDEX reports_addr ON reports(addr_hash, created_at);
