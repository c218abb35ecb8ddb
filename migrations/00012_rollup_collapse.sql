-- +goose Up
-- Resources of one kind folded at ingest (package ingest/rollup, issue
-- 15): per principal x day x action x invoking service x account, the
-- first collapse_at-1 distinct resources of a kind are stored exact and
-- the others in one row whose resource is their common prefix then "*",
-- as recommend's --collapse-at would make of them. collapse_at is the
-- smallest threshold any ingest folded at (0: never folded), so that
-- recommend can say when it is asked to list more resources of a kind
-- than the rollup kept.
ALTER TABLE ingest_rollup_bounds
    ADD COLUMN collapse_at integer NOT NULL DEFAULT 0 CHECK (collapse_at >= 0);

-- +goose Down
ALTER TABLE ingest_rollup_bounds DROP COLUMN collapse_at;
