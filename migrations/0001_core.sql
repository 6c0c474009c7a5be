-- 0001: accounts, sessions, territory and the network directory.
-- Portable SQL (SQLite and PostgreSQL): INTEGER unix-second timestamps, TEXT codes,
-- ids from INTEGER PRIMARY KEY AUTOINCREMENT (never reused, so old links never point at
-- another row); the PostgreSQL driver turns it into an identity column.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    zone TEXT NOT NULL
);

CREATE TABLE departements (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    zone        TEXT NOT NULL
);

CREATE TABLE communes (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    name_norm        TEXT NOT NULL,
    departement_code TEXT NOT NULL REFERENCES departements(code),
    region_code      TEXT NOT NULL REFERENCES regions(code),
    population       INTEGER NOT NULL DEFAULT 0,
    postcodes        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX communes_name_norm ON communes(name_norm);
CREATE INDEX communes_departement ON communes(departement_code);

CREATE TABLE coordinations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('national', 'regional')),
    description TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    logo        TEXT NOT NULL DEFAULT '',
    is_demo     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A département belongs to at most one coordination: the primary key says so.
CREATE TABLE coordination_departements (
    departement_code TEXT PRIMARY KEY REFERENCES departements(code),
    coordination_id  INTEGER NOT NULL REFERENCES coordinations(id) ON DELETE CASCADE
);
CREATE INDEX coordination_departements_coord ON coordination_departements(coordination_id);

CREATE TABLE structures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    name_norm    TEXT NOT NULL,
    type         TEXT NOT NULL,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    address      TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    is_demo      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX structures_commune ON structures(commune_code);
CREATE INDEX structures_name_norm ON structures(name_norm);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    login           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'supervisor', 'participant')),
    coordination_id INTEGER REFERENCES coordinations(id),
    disabled        INTEGER NOT NULL DEFAULT 0,
    is_demo         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE user_structures (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, structure_id)
);

-- Sessions live in the database so several server processes can share them.
-- Only a hash of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins, per account and per address, for throttling.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    scope  TEXT NOT NULL,   -- 'login:<name>' or 'addr:<ip>'
    at     INTEGER NOT NULL
);
CREATE INDEX login_failures_scope ON login_failures(scope, at);

-- Personal API tokens for scripts; only a hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
