-- Each user's A1111 settings (POST /sdapi/v1/options): defaults for that user's later requests, on every replica.
CREATE TABLE user_options (
    user_name  TEXT PRIMARY KEY,
    options    JSONB NOT NULL DEFAULT '{}',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
