-- +goose Up
-- CloudTrail ingest (package ingest). Raw events are aggregated in Go and
-- only aggregates are written; the tables below are what the analyzer reads.
-- All text compared in keys uses COLLATE "C" (byte order: fast, stable).
-- Strings taken from logs are bounded in length by the ingester before they
-- get here and are never interpolated into SQL.

-- Ledger: one row per source object (a log file, an S3 object, or a
-- CloudTrail API window region x day). A row is written in the same
-- transaction as the rows derived from the object, so "done" means "every
-- event of this object is counted". Ingesters claim rows with
-- SELECT ... FOR UPDATE SKIP LOCKED, which is how several processes split
-- the work. An object whose size or version changed is ingested again
-- (eventID dedup keeps the totals right).
CREATE TABLE ingest_object (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'file', 's3' or 'api'.
    source      text COLLATE "C" NOT NULL CHECK (source IN ('file', 's3', 'api')),
    -- Absolute path, s3://bucket/key, or api://account/region/YYYY-MM-DD.
    key         text COLLATE "C" NOT NULL,
    size        bigint NOT NULL DEFAULT 0,
    -- mtime (files), ETag (S3) or the fetched window (API; "complete" once
    -- the whole day is settled), with "#filter" appended when --since,
    -- --until, --account or --region left records out.
    version     text COLLATE "C" NOT NULL DEFAULT '',
    status      text COLLATE "C" NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    -- What cloudtrail.ReadObject recognized (records, array, digest, ...).
    shape       text COLLATE "C" NOT NULL DEFAULT '',
    records     bigint NOT NULL DEFAULT 0, -- records read from the object
    events      bigint NOT NULL DEFAULT 0, -- new events (after dedup)
    duplicates  bigint NOT NULL DEFAULT 0,
    unmapped    bigint NOT NULL DEFAULT 0,
    denied      bigint NOT NULL DEFAULT 0,
    errors      integer NOT NULL DEFAULT 0, -- bad records
    -- The first errors, "path:record N: reason", newline separated, bounded.
    error       text NOT NULL DEFAULT '',
    attempts    integer NOT NULL DEFAULT 0,
    ingested_by text NOT NULL DEFAULT '', -- host:pid of the last ingester
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, key)
);
CREATE INDEX ingest_object_status ON ingest_object (status) WHERE status <> 'done';

-- Dedup: every event ever counted, by (eventTime to the second, eventID).
-- An event present in two sources (overlapping trails, files and the API)
-- has the same eventTime in each, and is counted by whichever commits
-- first; INSERT ... ON CONFLICT DO NOTHING RETURNING tells the ingester
-- which events are new before it aggregates. Leading with the time keeps
-- one log file's inserts on a few index pages (random UUIDs first would
-- touch every page of the index for every file). Partitioned by month of
-- event_time (UTC); partitions ingest_event_seen_pYYYYMM are created by the
-- ingester on demand. An eventID that is not a UUID is stored as a
-- name-based UUID (SHA-1) of its text.
CREATE TABLE ingest_event_seen (
    event_time timestamptz NOT NULL,
    event_id   uuid NOT NULL,
    PRIMARY KEY (event_time, event_id)
) PARTITION BY RANGE (event_time);

-- Principal dimension: one row per IAM identity seen in the logs. The
-- rollups' principal_id columns hold its ids without a FOREIGN KEY: the
-- per-row check (and its row lock on the principal, contended by every
-- concurrent ingester) doubled the cost of writing rollups, and the
-- ingester only writes ids it read from this table. For
-- assumed roles the ARN is the role's (sessionIssuer), never the session's.
-- AWS services calling on their own (userIdentity.type AWSService) appear as
-- principals of type AWSService with their service name.
CREATE TABLE usage_principal (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    arn        text COLLATE "C" NOT NULL UNIQUE,
    account_id text COLLATE "C" NOT NULL, -- the principal's own account
    type       text COLLATE "C" NOT NULL, -- cloudtrail.PrincipalType
    name       text COLLATE "C" NOT NULL
);
CREATE INDEX usage_principal_account ON usage_principal (account_id, type);

-- Daily usage rollup: one row per principal x day x IAM action x resource x
-- invoking service x recipient account.
--   resource   '' when the event named no resource. An event that touched k
--              resources adds 1 to k rows, so sum(calls) over resources
--              counts such an event k times; it counts once per resource.
--   invoked_by '' for the principal's own calls; else the AWS service that
--              called on the principal's behalf (userIdentity.invokedBy).
--              Analyses of what a principal itself needs filter on ''.
--   account_id the account the call was logged for (recipientAccountId);
--              differs from usage_principal.account_id for cross-account use.
--   calls      all events, including denied and unauthenticated ones;
--              denied: the authorization failures among them (attempts,
--              not use); unauthenticated: calls rejected before
--              authorization (bad or expired credentials). Use is
--              calls - denied - unauthenticated.
-- The key order serves "for principal P over [from,to], per action".
CREATE TABLE usage_daily (
    principal_id bigint NOT NULL, -- usage_principal.id
    day          date NOT NULL,
    action       text COLLATE "C" NOT NULL,
    resource     text COLLATE "C" NOT NULL,
    invoked_by   text COLLATE "C" NOT NULL,
    account_id   text COLLATE "C" NOT NULL,
    calls           bigint NOT NULL,
    denied          bigint NOT NULL,
    unauthenticated bigint NOT NULL,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    PRIMARY KEY (principal_id, day, action, resource, invoked_by, account_id)
);
CREATE INDEX usage_daily_day ON usage_daily (day);

-- Events with no IAM action: kind 'unmapped' (the mapper could not tell
-- which action the call needs: a proof gap the analyzer must report) or
-- 'permissionless' (the call needs no IAM permission, e.g.
-- sts:GetCallerIdentity). Never dropped, counted by (eventSource, eventName).
CREATE TABLE usage_unmapped_daily (
    principal_id bigint NOT NULL, -- usage_principal.id
    day          date NOT NULL,
    kind         text COLLATE "C" NOT NULL CHECK (kind IN ('unmapped', 'permissionless')),
    event_source text COLLATE "C" NOT NULL,
    event_name   text COLLATE "C" NOT NULL,
    invoked_by   text COLLATE "C" NOT NULL,
    account_id   text COLLATE "C" NOT NULL,
    calls           bigint NOT NULL,
    denied          bigint NOT NULL,
    unauthenticated bigint NOT NULL,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    PRIMARY KEY (principal_id, day, kind, event_source, event_name, invoked_by, account_id)
);
CREATE INDEX usage_unmapped_daily_name ON usage_unmapped_daily (event_source, event_name);

-- Context rollup for condition suggestions: where and how a principal
-- called from. network is the VPC endpoint id ('vpce-...') for calls that
-- came through one (aws:SourceVpce), else the caller's IPv4 /24 or IPv6 /48
-- ('203.0.113.0/24', for aws:SourceIp), else '' (sourceIPAddress was an AWS
-- service name). user_agent_class is a coarse class ('console', 'cli',
-- 'sdk-go', 'service', 'other', ...).
CREATE TABLE usage_context_daily (
    principal_id     bigint NOT NULL, -- usage_principal.id
    day              date NOT NULL,
    region           text COLLATE "C" NOT NULL,
    network          text COLLATE "C" NOT NULL,
    mfa              boolean NOT NULL,
    user_agent_class text COLLATE "C" NOT NULL,
    calls            bigint NOT NULL,
    PRIMARY KEY (principal_id, day, region, network, mfa, user_agent_class)
);

-- Log coverage: a row means "logs for this account, region and day were
-- ingested" (events may be 0: an S3 object or API window for that day held
-- nothing new; first_seen and last_seen are then NULL). events counts new
-- (deduplicated) events by their recipient account, region and UTC day.
-- The analyzer computes the observation window from it.
CREATE TABLE log_coverage_daily (
    account_id text COLLATE "C" NOT NULL,
    region     text COLLATE "C" NOT NULL,
    day        date NOT NULL,
    events     bigint NOT NULL,
    first_seen timestamptz,
    last_seen  timestamptz,
    PRIMARY KEY (account_id, region, day)
);

-- CloudTrail API resumption point: the newest eventTime ingested per
-- account and region through LookupEvents.
CREATE TABLE ingest_api_cursor (
    account_id      text COLLATE "C" NOT NULL,
    region          text COLLATE "C" NOT NULL,
    last_event_time timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, region)
);

-- Raw events, only with --keep-raw: each new (deduplicated) event's JSON
-- (\u0000 escapes and invalid UTF-8 replaced by U+FFFD, as jsonb requires).
-- Partitioned by month like ingest_event_seen (cloudtrail_event_raw_pYYYYMM).
CREATE TABLE cloudtrail_event_raw (
    day           date NOT NULL,
    event_id      uuid NOT NULL,
    event_time    timestamptz NOT NULL,
    account_id    text COLLATE "C" NOT NULL,
    region        text COLLATE "C" NOT NULL,
    event_source  text COLLATE "C" NOT NULL,
    event_name    text COLLATE "C" NOT NULL,
    principal_arn text COLLATE "C" NOT NULL, -- usage_principal.arn
    raw          jsonb NOT NULL,
    PRIMARY KEY (day, event_id)
) PARTITION BY RANGE (day);

-- +goose Down
DROP TABLE cloudtrail_event_raw;
DROP TABLE ingest_api_cursor;
DROP TABLE log_coverage_daily;
DROP TABLE usage_context_daily;
DROP TABLE usage_unmapped_daily;
DROP TABLE usage_daily;
DROP TABLE usage_principal;
DROP TABLE ingest_event_seen;
DROP TABLE ingest_object;
