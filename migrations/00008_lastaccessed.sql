-- +goose Up
-- IAM last-accessed data (issue 12): which services, and for the services
-- IAM tracks action by action which actions, each principal last used, over
-- IAM's 400-day tracking period.

-- The catalog keeps the Service Reference's SupportedBy
-- "IAM Action Last Accessed": IAM reports that action's last access on its
-- own, so its absence from the data means "not accessed".
ALTER TABLE catalog_action ADD COLUMN last_accessed_tracked boolean NOT NULL DEFAULT false;

-- One dated snapshot per principal and report: a file of
-- `aws iam get-service-last-accessed-details`, or one completed
-- GenerateServiceLastAccessedDetails job. digest covers the principal, the
-- report's date and its content, so loading the same data again stores
-- nothing new.
CREATE TABLE lastaccess_snapshot (
    id             bigserial PRIMARY KEY,
    principal_arn  text COLLATE "C" NOT NULL,
    account_id     text COLLATE "C" NOT NULL,
    source         text NOT NULL,
    job_id         text COLLATE "C" NOT NULL DEFAULT '',
    -- ACTION_LEVEL or SERVICE_LEVEL, as the job was generated.
    granularity    text COLLATE "C" NOT NULL CHECK (granularity IN ('ACTION_LEVEL', 'SERVICE_LEVEL')),
    -- When IAM produced the report (JobCompletionDate, else JobCreationDate).
    taken_at       timestamptz NOT NULL,
    -- The earliest time the report speaks for: taken_at less IAM's 400-day
    -- tracking period. "Never accessed" means never since then.
    tracking_start timestamptz NOT NULL,
    digest         text COLLATE "C" NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- "the newest snapshot of principal P"
CREATE INDEX lastaccess_snapshot_principal ON lastaccess_snapshot (principal_arn, taken_at DESC, id DESC);

-- Services the principal's policies allow, with their last access (NULL:
-- not accessed in the tracking period).
CREATE TABLE lastaccess_service (
    snapshot_id        bigint NOT NULL REFERENCES lastaccess_snapshot (id) ON DELETE CASCADE,
    service            text COLLATE "C" NOT NULL,
    service_name       text NOT NULL DEFAULT '',
    last_authenticated timestamptz,
    last_region        text COLLATE "C" NOT NULL DEFAULT '',
    last_entity        text COLLATE "C" NOT NULL DEFAULT '',
    total_entities     int NOT NULL DEFAULT 0,
    -- true when the report carried TrackedActionsLastAccessed for it.
    action_level       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (snapshot_id, service)
);

-- Tracked actions the report lists (action is the name without prefix).
CREATE TABLE lastaccess_action (
    snapshot_id   bigint NOT NULL,
    service       text COLLATE "C" NOT NULL,
    action        text COLLATE "C" NOT NULL,
    last_accessed timestamptz,
    last_region   text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (snapshot_id, service, action),
    FOREIGN KEY (snapshot_id, service) REFERENCES lastaccess_service (snapshot_id, service) ON DELETE CASCADE
);

-- GenerateServiceLastAccessedDetails jobs started and not yet stored: a run
-- killed while IAM works resumes with the same job instead of starting over.
-- The row goes in the transaction that stores the job's snapshot.
CREATE TABLE lastaccess_job (
    principal_arn text COLLATE "C" PRIMARY KEY,
    job_id        text COLLATE "C" NOT NULL,
    granularity   text COLLATE "C" NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE lastaccess_job;
DROP TABLE lastaccess_action;
DROP TABLE lastaccess_service;
DROP TABLE lastaccess_snapshot;
ALTER TABLE catalog_action DROP COLUMN last_accessed_tracked;
