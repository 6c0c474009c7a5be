-- 0002: the durable job queue (src/job.c): work done outside requests, by `lanterne worker`
-- or the worker thread of `lanterne serve`, that survives restarts and killed workers.
-- Times in this table are unix MILLISECONDS (leases are seconds long, so seconds are too
-- coarse); they need 64 bits, which INTEGER is on both engines (the pg driver makes it BIGINT).

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,              -- a row of the handler table in src/job.c
    payload      TEXT NOT NULL DEFAULT '{}', -- a JSON object, read by the handler
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0, -- claims so far, the current one included
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,           -- not claimed before this (back-off pushes it)
    lease_until  INTEGER,                    -- while running: claimable again after this
    worker       TEXT,                       -- who holds the lease (or held it last)
    last_error   TEXT,                       -- the last failure, in words a person can read
    unique_key   TEXT UNIQUE,                -- set by job_enqueue_once; NULLs never collide
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER                     -- when it became done or dead
);
-- Claiming looks for queued jobs that are due, oldest first...
CREATE INDEX jobs_due ON jobs(state, run_at);
-- ...and for running jobs whose worker stopped renewing its lease.
CREATE INDEX jobs_lease ON jobs(state, lease_until);
