-- What several gateway replicas must agree on lives in the row, changed by single statements that only move a
-- generation forward: the image count and batch size (the concurrent-jobs limit counts batches in SQL), the priority
-- and whether the broker confirmed the request (so a sweeper can publish one a dead gateway inserted and never sent),
-- the jobs already counted as skipped (a redelivered skip counts once), and the UTC day its images were counted
-- against the user's quota (the images it never makes are given back to that day when it ends).
ALTER TABLE generations
    ADD COLUMN image_count  INTEGER,
    ADD COLUMN batch_size   INTEGER,
    ADD COLUMN priority     INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN published    BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN skipped_jobs TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN quota_day    DATE;

UPDATE generations SET
    batch_size = (parameters -> 'batch' ->> 'size')::int,
    image_count = (parameters -> 'batch' ->> 'size')::int * (parameters -> 'batch' ->> 'count')::int;

ALTER TABLE generations
    ALTER COLUMN image_count SET NOT NULL,
    ALTER COLUMN batch_size SET NOT NULL;

CREATE INDEX generations_unpublished ON generations (accepted_at) WHERE NOT published;

-- Which replica sweeps (publishes what a dead gateway left unpublished, counts images stored behind the events'
-- back): the one holding this lease, renewed while it runs and taken over once it lapses.
CREATE TABLE sweeper_lease (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    until  TIMESTAMPTZ NOT NULL
);
