-- +goose Up
-- Authorization inventory: dated snapshots of what IAM grants, as read from
-- `aws iam get-account-authorization-details` files or the live IAM API.
-- A snapshot is identified by the digest of its content, so loading the
-- same inventory twice yields the same snapshot. Every other table hangs off
-- a snapshot and goes with it (ON DELETE CASCADE).
CREATE TABLE authz_snapshot (
    id         bigserial PRIMARY KEY,
    source     text NOT NULL,
    digest     text COLLATE "C" NOT NULL UNIQUE,
    taken_at   timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    accounts   text[] COLLATE "C" NOT NULL DEFAULT '{}',
    warnings   jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX authz_snapshot_taken_at ON authz_snapshot (taken_at DESC, id DESC);
-- "the latest snapshot that covers account A"
CREATE INDEX authz_snapshot_accounts ON authz_snapshot USING gin (accounts);

-- Roles and users (the principals whose permissions iamtrim trims).
CREATE TABLE authz_principal (
    snapshot_id       bigint NOT NULL REFERENCES authz_snapshot (id) ON DELETE CASCADE,
    arn               text COLLATE "C" NOT NULL,
    kind              text COLLATE "C" NOT NULL CHECK (kind IN ('role', 'user')),
    account_id        text COLLATE "C" NOT NULL,
    name              text COLLATE "C" NOT NULL,
    path              text COLLATE "C" NOT NULL DEFAULT '/',
    principal_id      text COLLATE "C" NOT NULL DEFAULT '',
    create_date       timestamptz,
    trust_policy      jsonb,
    tags              jsonb NOT NULL DEFAULT '{}',
    last_used         timestamptz,
    last_used_region  text COLLATE "C" NOT NULL DEFAULT '',
    boundary_arn      text COLLATE "C" NOT NULL DEFAULT '',
    instance_profiles text[] COLLATE "C" NOT NULL DEFAULT '{}',
    PRIMARY KEY (snapshot_id, arn) -- "principal by ARN in snapshot S"
);
-- "snapshot S's principals of account A"
CREATE INDEX authz_principal_account ON authz_principal (snapshot_id, account_id, kind, name);
-- "every snapshot that knew this principal"
CREATE INDEX authz_principal_arn ON authz_principal (arn, snapshot_id DESC);

CREATE TABLE authz_group (
    snapshot_id bigint NOT NULL REFERENCES authz_snapshot (id) ON DELETE CASCADE,
    arn         text COLLATE "C" NOT NULL,
    account_id  text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    path        text COLLATE "C" NOT NULL DEFAULT '/',
    group_id    text COLLATE "C" NOT NULL DEFAULT '',
    create_date timestamptz,
    PRIMARY KEY (snapshot_id, arn)
);

-- User membership of groups, by group name as IAM reports it (a user's
-- groups are in the user's account).
CREATE TABLE authz_membership (
    snapshot_id bigint NOT NULL REFERENCES authz_snapshot (id) ON DELETE CASCADE,
    user_arn    text COLLATE "C" NOT NULL,
    group_name  text COLLATE "C" NOT NULL,
    ord         int NOT NULL,
    PRIMARY KEY (snapshot_id, user_arn, group_name)
);

-- Policies: managed ones keyed by ARN (owner_arn = ''), inline ones by their
-- owner (role, user or group ARN) and name (arn = ''). document is the
-- default version for managed policies.
CREATE TABLE authz_policy (
    snapshot_id     bigint NOT NULL REFERENCES authz_snapshot (id) ON DELETE CASCADE,
    kind            text COLLATE "C" NOT NULL CHECK (kind IN ('managed', 'inline')),
    owner_arn       text COLLATE "C" NOT NULL DEFAULT '',
    arn             text COLLATE "C" NOT NULL DEFAULT '',
    name            text COLLATE "C" NOT NULL,
    ord             int NOT NULL DEFAULT 0,
    path            text COLLATE "C" NOT NULL DEFAULT '',
    policy_id       text COLLATE "C" NOT NULL DEFAULT '',
    default_version text COLLATE "C" NOT NULL DEFAULT '',
    aws_managed     boolean NOT NULL DEFAULT false,
    document        jsonb,
    PRIMARY KEY (snapshot_id, kind, owner_arn, arn, name),
    CHECK ((kind = 'managed') = (arn <> '' AND owner_arn = ''))
);
CREATE INDEX authz_policy_owner ON authz_policy (snapshot_id, owner_arn) WHERE kind = 'inline';

-- Managed policies attached to a role, user or group.
CREATE TABLE authz_attachment (
    snapshot_id bigint NOT NULL REFERENCES authz_snapshot (id) ON DELETE CASCADE,
    owner_arn   text COLLATE "C" NOT NULL,
    policy_arn  text COLLATE "C" NOT NULL,
    ord         int NOT NULL,
    PRIMARY KEY (snapshot_id, owner_arn, policy_arn)
);
CREATE INDEX authz_attachment_policy ON authz_attachment (snapshot_id, policy_arn);

-- +goose Down
DROP TABLE authz_attachment;
DROP TABLE authz_policy;
DROP TABLE authz_membership;
DROP TABLE authz_group;
DROP TABLE authz_principal;
DROP TABLE authz_snapshot;
