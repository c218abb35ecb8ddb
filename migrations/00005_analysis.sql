-- +goose Up
-- What the trails logged (package trails), as loaded by
-- `iamtrim ingest trails`; the analyzer reads the latest one. Content-keyed,
-- so loading the same configuration twice changes nothing.
CREATE TABLE trail_config (
    id         bigserial PRIMARY KEY,
    source     text NOT NULL,
    digest     text COLLATE "C" NOT NULL UNIQUE,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    config     jsonb NOT NULL
);

-- One analysis run: its window and the evidence it used. The quarterly
-- report compares snapshots, so they are never updated after being written.
CREATE TABLE analysis_snapshot (
    id                bigserial PRIMARY KEY,
    created_at        timestamptz NOT NULL DEFAULT now(),
    as_of             date NOT NULL,
    window_days       int NOT NULL CHECK (window_days > 0),
    catalog_version   bigint,
    authz_snapshot_id bigint,
    trail_config_id   bigint,
    scope             text COLLATE "C" NOT NULL DEFAULT '',
    params            jsonb NOT NULL DEFAULT '{}',
    digest            text COLLATE "C" NOT NULL
);
-- "the latest analysis as of date D" and "the previous quarter's"
CREATE INDEX analysis_snapshot_as_of ON analysis_snapshot (as_of DESC, id DESC);
-- A re-run over the same evidence and parameters finds its earlier snapshot.
CREATE UNIQUE INDEX analysis_snapshot_digest ON analysis_snapshot (digest);

-- One row per principal of an analysis: the counts reports sort and compare
-- on, and the full result (the analyze JSON object) for detail pages.
CREATE TABLE analysis_principal (
    snapshot_id   bigint NOT NULL REFERENCES analysis_snapshot (id) ON DELETE CASCADE,
    principal_arn text COLLATE "C" NOT NULL,
    kind          text COLLATE "C" NOT NULL,
    account_id    text COLLATE "C" NOT NULL,
    name          text COLLATE "C" NOT NULL,
    granted       int NOT NULL,
    used          int NOT NULL,
    unused        int NOT NULL,
    unobservable  int NOT NULL,
    denied        bigint NOT NULL,
    risk          double precision NOT NULL,
    high_risk_unused int NOT NULL,
    flags         text[] COLLATE "C" NOT NULL DEFAULT '{}',
    last_used     timestamptz,
    result        jsonb NOT NULL,
    PRIMARY KEY (snapshot_id, principal_arn)
);
-- "principal P across snapshots" for quarter-over-quarter change
CREATE INDEX analysis_principal_arn ON analysis_principal (principal_arn, snapshot_id DESC);
-- "snapshot S by risk"
CREATE INDEX analysis_principal_risk ON analysis_principal (snapshot_id, risk DESC);

-- +goose Down
DROP TABLE analysis_principal;
DROP TABLE analysis_snapshot;
DROP TABLE trail_config;
