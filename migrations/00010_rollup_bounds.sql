-- +goose Up
-- Bounded rollups (package ingest, issue 15). Resources reach usage_daily
-- already generalised: segments a workload mints (package lifecycle) are
-- "*", and S3 object keys are cut to a prefix depth. Beyond a cap of
-- distinct resources per principal x day x action x invoking service x
-- account, the calls go to one overflow row whose resource is '*': the
-- list of that day's resources is incomplete, and analyze and recommend
-- fall back to the current grant's scope for the action. Likewise
-- usage_context_daily keeps a capped number of distinct networks per
-- principal and day, the rest under network '*'.
--
-- One row: how the rollup was bounded. object_prefix_depth is the
-- shallowest depth any ingest cut S3 keys to (0: keys kept whole), so
-- that recommend knows it cannot scope objects deeper than that;
-- max_resources and max_networks the largest caps used.
CREATE TABLE ingest_rollup_bounds (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    object_prefix_depth integer NOT NULL CHECK (object_prefix_depth >= 0),
    max_resources       integer NOT NULL CHECK (max_resources > 0),
    max_networks        integer NOT NULL CHECK (max_networks > 0),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE ingest_rollup_bounds;
