-- +goose Up
-- The AWS Organizations organisation (package org), as loaded by
-- `iamtrim ingest org`: accounts, the OU tree, and the SCPs and RCPs with
-- where they are attached, in the layout of org.File. Content-keyed, so
-- loading the same organisation twice stores nothing new (it only becomes
-- the latest again); the analysis reads the latest.
CREATE TABLE org_snapshot (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL,
    digest          text COLLATE "C" NOT NULL UNIQUE,
    taken_at        timestamptz NOT NULL DEFAULT now(),
    organization_id text COLLATE "C" NOT NULL DEFAULT '',
    management      text COLLATE "C" NOT NULL DEFAULT '',
    accounts        int NOT NULL DEFAULT 0,
    body            jsonb NOT NULL
);
-- "the latest organisation"
CREATE INDEX org_snapshot_taken_at ON org_snapshot (taken_at DESC, id DESC);

-- +goose Down
DROP TABLE org_snapshot;
