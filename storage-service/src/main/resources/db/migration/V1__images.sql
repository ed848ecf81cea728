-- One row per stored image. (job_id, image_index) is the idempotency key: a redelivered job never duplicates.
CREATE TABLE images (
    id                BIGSERIAL PRIMARY KEY,
    request_id        TEXT             NOT NULL,
    job_id            TEXT             NOT NULL,
    image_index       INTEGER          NOT NULL,
    user_name         TEXT             NOT NULL,
    seed              BIGINT           NOT NULL,
    prompt            TEXT             NOT NULL,
    negative_prompt   TEXT             NOT NULL,
    parameters        JSONB            NOT NULL,
    infotext          TEXT             NOT NULL,
    model             TEXT,
    worker_id         TEXT,
    pipeline_seconds  DOUBLE PRECISION,
    peak_memory_bytes BIGINT,
    object_key        TEXT             NOT NULL,
    size_bytes        BIGINT           NOT NULL,
    created_at        TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CONSTRAINT images_job_image UNIQUE (job_id, image_index)
);

CREATE INDEX images_by_request ON images (request_id, image_index);
CREATE INDEX images_by_user ON images (user_name, created_at);
