-- 0010: the films of workshop groups (issue 5, points 1, 3 and 4): the record, its credits,
-- the people appearing, themes, tags, captions, collections. Portable SQL (SQLite and
-- PostgreSQL), as in 0001.

-- Files are under <data dir>/media/films/<storage_key>/ (src/film.h). status: draft (no file
-- yet), uploading, processing (progress in percent, eta_seconds left, -1 unknown), ready,
-- failed (error: a French message for people; error_detail: the tail of ffmpeg's standard
-- error for operators, never shown to users). Who may see a film is computed on every read
-- from the group, the film's visibility and the consents of everyone credited or appearing.
CREATE TABLE films (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id         INTEGER NOT NULL REFERENCES groups(id),
    entry_id         INTEGER REFERENCES entries(id) ON DELETE SET NULL,
    uploader_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title            TEXT NOT NULL,
    synopsis         TEXT NOT NULL DEFAULT '',
    year             INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL DEFAULT 0,
    width            INTEGER NOT NULL DEFAULT 0,
    height           INTEGER NOT NULL DEFAULT 0,
    genre            TEXT NOT NULL DEFAULT 'other',
    language         TEXT NOT NULL DEFAULT 'fr',
    licence          TEXT NOT NULL DEFAULT 'all-rights-reserved',
    download_allowed INTEGER NOT NULL DEFAULT 0,
    visibility       TEXT NOT NULL DEFAULT 'group'
                     CHECK (visibility IN ('group', 'network', 'public')),
    status           TEXT NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'uploading', 'processing', 'ready', 'failed')),
    progress         INTEGER NOT NULL DEFAULT 0,
    eta_seconds      INTEGER NOT NULL DEFAULT -1,
    error            TEXT NOT NULL DEFAULT '',
    error_detail     TEXT NOT NULL DEFAULT '',
    poster           INTEGER NOT NULL DEFAULT 0,
    storage_key      TEXT NOT NULL UNIQUE,
    renditions       TEXT NOT NULL DEFAULT '',
    loudnorm         INTEGER NOT NULL DEFAULT 0,
    has_original     INTEGER NOT NULL DEFAULT 0,
    search_norm      TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    processed_at     INTEGER
);
-- search_norm: title, synopsis and tags through text_norm (lower case, no accents), for the
-- library's search. has_original: an original file is stored (a retry can start from it).
CREATE INDEX films_group ON films(group_id);
CREATE INDEX films_created ON films(created_at);

-- Credit lines in order: a role and a participant of the film's group, or a facilitator's
-- name (participant_id NULL).
CREATE TABLE film_credits (
    film_id        INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    role           TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    name           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (film_id, position)
);
CREATE INDEX film_credits_participant ON film_credits(participant_id);

-- Participants of the group who appear in the film (on screen or by voice).
CREATE TABLE film_appearing (
    film_id        INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (film_id, participant_id)
);
CREATE INDEX film_appearing_participant ON film_appearing(participant_id);

-- Codes of the fixed theme list (src/film.c, film_themes).
CREATE TABLE film_themes (
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    theme   TEXT NOT NULL,
    PRIMARY KEY (film_id, theme)
);
CREATE INDEX film_themes_theme ON film_themes(theme);

CREATE TABLE film_tags (
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (film_id, tag)
);

-- Caption tracks: captions/<lang>[-sdh].vtt in the film's directory.
CREATE TABLE film_captions (
    film_id    INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    sdh        INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (film_id, lang, sdh)
);

-- Curated lists kept by coordinators (coordination_id) or the national team (NULL).
CREATE TABLE film_collections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    coordination_id INTEGER REFERENCES coordinations(id),
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE film_collection_items (
    collection_id INTEGER NOT NULL REFERENCES film_collections(id) ON DELETE CASCADE,
    film_id       INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, film_id)
);
CREATE INDEX film_collection_items_film ON film_collection_items(film_id);
