-- The worker faults counted towards draining (lost heartbeats, overruns, deaths holding a job), kept so that a
-- restarted or newly active scheduler goes on counting where the last one stopped. Rows older than the fault window
-- no longer count and are deleted as new ones come.
CREATE TABLE worker_faults (
    worker_id TEXT        NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (worker_id, at)
);
