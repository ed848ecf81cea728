-- The fleet's model registry: checkpoints, VAEs, LoRAs, embeddings and hypernetworks stored in the models bucket.
-- sha256 is the identity (uploading the same file twice gives one row); (kind, name) is what requests name.
-- model_hash is A1111's "shorthash" (first 10 hex of sha256, shown in titles and infotext "Model hash"),
-- legacy_hash A1111's old model_hash() (first 8 hex of sha256 over 64 KiB at offset 1 MiB).
CREATE TABLE models (
    id          BIGSERIAL   PRIMARY KEY,
    kind        TEXT        NOT NULL CHECK (kind IN ('checkpoint', 'vae', 'lora', 'embedding', 'hypernetwork')),
    name        TEXT        NOT NULL,
    sha256      CHAR(64)    NOT NULL,
    model_hash  CHAR(10)    NOT NULL,
    legacy_hash CHAR(8)     NOT NULL,
    size_bytes  BIGINT      NOT NULL,
    object_key  TEXT        NOT NULL,
    uploaded_by TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT models_sha256 UNIQUE (sha256),
    CONSTRAINT models_kind_name UNIQUE (kind, name)
);

CREATE INDEX models_by_kind ON models (kind, name);
