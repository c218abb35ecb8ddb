-- +goose Up
-- Core: one row per iamtrim invocation that wrote something, so every
-- stored result can say which run and version produced it.
CREATE TABLE run (
    id          bigserial PRIMARY KEY,
    command     text NOT NULL,
    version     text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'partial', 'failed')),
    summary     jsonb
);

-- +goose Down
DROP TABLE run;
