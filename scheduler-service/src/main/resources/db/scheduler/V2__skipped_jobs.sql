-- A skipped job is over like a finished one but made no images: told apart, so that the outcome of a request can be
-- sent again exactly (to a gateway that asks about a request it still thinks live).
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('pending', 'released', 'running', 'done', 'skipped', 'failed', 'cancelled'));
