-- +goose Up
-- Recommendations written by `iamtrim recommend`, one row per principal and
-- analysis window (as_of, window_days); re-running on the same evidence
-- rewrites the same row. The report shows whether a proven one exists.
CREATE TABLE recommendation (
    principal_arn text COLLATE "C" NOT NULL,
    as_of         date NOT NULL,
    window_days   int NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    proven        boolean NOT NULL,
    kept          int NOT NULL,
    removed       int NOT NULL,
    digest        text COLLATE "C" NOT NULL,
    body          jsonb NOT NULL,
    PRIMARY KEY (principal_arn, as_of, window_days)
);
-- "the latest recommendation of each principal"
CREATE INDEX recommendation_latest ON recommendation (principal_arn, as_of DESC);

-- +goose Down
DROP TABLE recommendation;
