-- Requests this fleet accepted, so a gateway restart loses none: state and counters, the parameters as JSON.
CREATE TABLE generations (
    id             TEXT PRIMARY KEY,
    user_name      TEXT NOT NULL,
    parameters     JSONB NOT NULL,
    accepted_at    TIMESTAMPTZ NOT NULL,
    state          TEXT NOT NULL,
    images_done    INTEGER NOT NULL DEFAULT 0,
    images_skipped INTEGER NOT NULL DEFAULT 0,
    stored_indexes INTEGER[] NOT NULL DEFAULT '{}',
    error          TEXT,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX generations_by_user ON generations (user_name, accepted_at DESC);
CREATE INDEX generations_active ON generations (state) WHERE state IN ('QUEUED', 'RUNNING');
