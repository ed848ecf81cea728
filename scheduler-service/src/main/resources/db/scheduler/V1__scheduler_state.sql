-- The scheduler's durable state (issue 14): what an active scheduler needs to carry on after a crash, a restart or a
-- takeover by another replica. The in-memory fair queue and leases are views rebuilt from these rows.

-- One row per planned request: its id is the key that keeps a redelivered or republished request from being planned
-- twice.
CREATE TABLE requests (
    request_id  TEXT PRIMARY KEY,
    user_name   TEXT NOT NULL,
    accepted_at TIMESTAMPTZ,
    trace       TEXT,
    planned_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The jobs of each request and where each stands. pending: waiting for its fair turn here; released: on a jobs queue
-- (queued_for names the worker whose own queue, NULL the shared one); running: a worker (worker_id) was seen taking
-- it at started_at; done, failed, cancelled: over. attempt is the attempt the copy on the broker carries;
-- lost_attempts counts those lost with their worker (crashed or killed holding the job).
CREATE TABLE jobs (
    job_id        TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES requests (request_id) ON DELETE CASCADE,
    user_name     TEXT NOT NULL,
    seq           BIGSERIAL NOT NULL,
    job           TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'released', 'running', 'done', 'failed', 'cancelled')),
    attempt       INTEGER NOT NULL DEFAULT 1,
    lost_attempts INTEGER NOT NULL DEFAULT 0,
    queued_for    TEXT,
    worker_id     TEXT,
    released_at   TIMESTAMPTZ,
    started_at    TIMESTAMPTZ,
    reason        TEXT
);

CREATE INDEX jobs_unfinished ON jobs (seq) WHERE state IN ('pending', 'released', 'running');
CREATE INDEX jobs_by_request ON jobs (request_id);

-- Fair-share usage per user: pixel-steps served, decayed to at; last_served orders ties (the release counter).
CREATE TABLE usage (
    user_name   TEXT PRIMARY KEY,
    pixel_steps DOUBLE PRECISION NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    last_served BIGINT NOT NULL
);

-- Workers told to stop taking jobs.
CREATE TABLE drained_workers (
    worker_id  TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    drained_at TIMESTAMPTZ NOT NULL
);
