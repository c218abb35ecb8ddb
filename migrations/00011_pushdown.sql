-- +goose Up
-- The ledger of queries pushed down to Athena or CloudTrail Lake (ingest
-- athena, ingest lake; package ingest/pushdown, issue 15). One row per
-- (source, target, window, query text): the query's execution id is
-- stored as soon as the engine accepts it, so that a run killed while the
-- query runs or while its result is paged resumes that execution instead
-- of paying for a new scan; rows_done counts the result rows already added
-- to the rollups, in the same transaction as their rollup rows, so that a
-- resumed run skips exactly those and a finished one (status 'done') adds
-- nothing again.
CREATE TABLE ingest_pushdown (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'athena' or 'lake'.
    source        text COLLATE "C" NOT NULL CHECK (source IN ('athena', 'lake')),
    -- "database.table" (Athena) or the event data store (Lake).
    target        text COLLATE "C" NOT NULL,
    since         timestamptz NOT NULL,
    until         timestamptz NOT NULL CHECK (until > since),
    -- sha256 of the query text, hex.
    query_hash    text COLLATE "C" NOT NULL,
    -- QueryExecutionId (Athena) or QueryId (Lake); '' until started.
    execution_id  text COLLATE "C" NOT NULL DEFAULT '',
    status        text COLLATE "C" NOT NULL DEFAULT 'started'
                  CHECK (status IN ('started', 'done', 'failed')),
    rows_done     bigint NOT NULL DEFAULT 0,
    events        bigint NOT NULL DEFAULT 0,
    bytes_scanned bigint NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, target, since, until, query_hash)
);

-- +goose Down
DROP TABLE ingest_pushdown;
