-- +goose Up
-- The IAM action catalog, one immutable version per distinct content digest
-- (package catalog). Results that depend on the catalog reference
-- catalog_version(id), so a version is never rewritten in place; at most one
-- is current.
CREATE TABLE catalog_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source     text COLLATE "C" NOT NULL,
    fetched_at timestamptz NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    digest     text COLLATE "C" NOT NULL UNIQUE,
    services   integer NOT NULL,
    actions    integer NOT NULL,
    is_current boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX catalog_version_one_current ON catalog_version (is_current) WHERE is_current;

-- One row per service document.
CREATE TABLE catalog_service (
    version_id  bigint NOT NULL REFERENCES catalog_version (id) ON DELETE CASCADE,
    service     text COLLATE "C" NOT NULL,
    doc_version text COLLATE "C" NOT NULL,
    PRIMARY KEY (version_id, service)
);

-- One row per action. action_key is the lower-case "svc:action" name, for
-- case-insensitive joins against CloudTrail-derived or policy-derived names.
CREATE TABLE catalog_action (
    version_id     bigint NOT NULL,
    service        text COLLATE "C" NOT NULL,
    action         text COLLATE "C" NOT NULL,
    access_level   text NOT NULL CHECK (access_level IN ('List', 'Read', 'Write', 'Permissions management', 'Tagging')),
    resource_types text[] NOT NULL,
    condition_keys text[] NOT NULL,
    action_key     text COLLATE "C" GENERATED ALWAYS AS (lower(service || ':' || action)) STORED,
    PRIMARY KEY (version_id, service, action),
    FOREIGN KEY (version_id, service) REFERENCES catalog_service (version_id, service) ON DELETE CASCADE
);
CREATE UNIQUE INDEX catalog_action_key ON catalog_action (version_id, action_key);

-- Resource types with their ARN formats.
CREATE TABLE catalog_resource (
    version_id     bigint NOT NULL,
    service        text COLLATE "C" NOT NULL,
    resource_type  text COLLATE "C" NOT NULL,
    arn_formats    text[] NOT NULL,
    condition_keys text[] NOT NULL,
    PRIMARY KEY (version_id, service, resource_type),
    FOREIGN KEY (version_id, service) REFERENCES catalog_service (version_id, service) ON DELETE CASCADE
);

-- Service condition keys and their value types.
CREATE TABLE catalog_condition_key (
    version_id bigint NOT NULL,
    service    text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    types      text[] NOT NULL,
    PRIMARY KEY (version_id, service, key),
    FOREIGN KEY (version_id, service) REFERENCES catalog_service (version_id, service) ON DELETE CASCADE
);

-- API operations and the actions AWS says they authorize (canonical
-- "svc:Action", published order). A superset of what one call needs.
-- Operations without a published mapping have an empty array.
CREATE TABLE catalog_operation (
    version_id         bigint NOT NULL,
    service            text COLLATE "C" NOT NULL,
    operation          text COLLATE "C" NOT NULL,
    authorized_actions text[] NOT NULL,
    PRIMARY KEY (version_id, service, operation),
    FOREIGN KEY (version_id, service) REFERENCES catalog_service (version_id, service) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE catalog_operation;
DROP TABLE catalog_condition_key;
DROP TABLE catalog_resource;
DROP TABLE catalog_action;
DROP TABLE catalog_service;
DROP TABLE catalog_version;
