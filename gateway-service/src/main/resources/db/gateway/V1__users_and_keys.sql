-- Users, their API keys (only a SHA-256 of each key is kept) and per-day image counts for quotas.
CREATE TABLE users (
    name                 TEXT PRIMARY KEY,
    admin                BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash        TEXT,
    max_concurrent_jobs  INTEGER NOT NULL,
    max_images_per_day   INTEGER NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id           BIGSERIAL PRIMARY KEY,
    user_name    TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    key_hash     TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE daily_usage (
    user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    day       DATE NOT NULL,
    images    INTEGER NOT NULL,
    PRIMARY KEY (user_name, day)
);
