-- 0009: resumable uploads (tus 1.0, issue 5 point 2). Portable SQL (SQLite and PostgreSQL).

-- One upload in progress (or finished, until it expires). Its bytes are in the file at path
-- (<data dir>/uploads/<id>); upload_offset counts the bytes written to it (a killed process
-- loses none of them: they are in the kernel's page cache). synced_offset counts those known
-- to be on the disk (fdatasync at most every TUS_SYNC_INTERVAL_S of an upload), boot_id is
-- the kernel's boot id when upload_offset was written: after a machine crash (another boot
-- id) the upload goes back to synced_offset. metadata: the decoded Upload-Metadata pairs as a JSON
-- object; kind and target_id: who takes the file once complete (src/tus.h, struct
-- tus_target). expires_at: TUS_EXPIRE_SECONDS after the last write; the periodic job
-- upload_expire deletes the row and the file after it.
CREATE TABLE uploads (
    id             TEXT PRIMARY KEY,
    owner_user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    upload_length  INTEGER NOT NULL,
    upload_offset  INTEGER NOT NULL DEFAULT 0,
    metadata       TEXT NOT NULL DEFAULT '{}',
    kind           TEXT NOT NULL,
    target_id      INTEGER NOT NULL,
    path           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    completed_at   INTEGER,
    synced_offset  INTEGER NOT NULL DEFAULT 0,
    synced_at      INTEGER NOT NULL DEFAULT 0,
    boot_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX uploads_expires ON uploads(expires_at);
CREATE INDEX uploads_owner ON uploads(owner_user_id);
