-- 0006: photos of logbook entries and the participants tagged on them (issue 4, point 5).
-- Portable SQL (SQLite and PostgreSQL), as in 0001.

-- Only the derivatives are kept on disk, under <data dir>/media/photos/<key>/ (src/photo.h):
-- 320, 1024 and 2048 px wide, WebP and JPEG, every one stripped of its metadata. The raw
-- upload is never written. sizes holds the actual size of each derivative, "WxH WxH WxH",
-- smallest first (small pictures are not enlarged). Who may see a photo is computed on every
-- read from its entry and the consents of the people tagged on it (src/visibility.c).
CREATE TABLE photos (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id         INTEGER NOT NULL REFERENCES entries(id),
    group_id         INTEGER NOT NULL REFERENCES groups(id),
    uploader_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    storage_key      TEXT NOT NULL UNIQUE,
    alt              TEXT NOT NULL DEFAULT '',
    width            INTEGER NOT NULL,
    height           INTEGER NOT NULL,
    sizes            TEXT NOT NULL,
    position         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX photos_entry ON photos(entry_id, position);
CREATE INDEX photos_group ON photos(group_id);

-- A participant of the photo's group shown on it. Untagging deletes the row: the audit log
-- keeps the before and after of every change (subject 'photo_tags').
CREATE TABLE photo_tags (
    photo_id       INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (photo_id, participant_id)
);
CREATE INDEX photo_tags_participant ON photo_tags(participant_id);
