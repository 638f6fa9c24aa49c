-- Foundation: regions, households, accounts, role grants, sessions, one-time codes.
-- Keep in step with ../sqlite/0001_foundation.sql: same tables, columns and constraint names.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 12),
    parent_code TEXT REFERENCES regions (code),
    level       TEXT NOT NULL CHECK (level IN ('city', 'county', 'township', 'village')),
    name        TEXT NOT NULL
);
CREATE INDEX regions_parent_idx ON regions (parent_code);

CREATE TABLE households (
    id           UUID PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions (code),
    number       TEXT NOT NULL,
    head_name    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT households_village_number_key UNIQUE (village_code, number)
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    mobile        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_mobile_key UNIQUE (mobile)
);

CREATE TABLE grants (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    household_id UUID REFERENCES households (id),
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT grants_user_role_region_key UNIQUE (user_id, role, region_code)
);
CREATE INDEX grants_region_idx ON grants (region_code);
CREATE INDEX grants_household_idx ON grants (household_id);

-- Only a hash of the session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE invite_codes (
    id           UUID PRIMARY KEY,
    code_hash    BYTEA NOT NULL UNIQUE,
    household_id UUID NOT NULL REFERENCES households (id),
    max_uses     INTEGER NOT NULL CHECK (max_uses > 0),
    uses         INTEGER NOT NULL DEFAULT 0,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    created_by   UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX invite_codes_household_idx ON invite_codes (household_id);

CREATE TABLE reset_codes (
    id         UUID PRIMARY KEY,
    code_hash  BYTEA NOT NULL UNIQUE,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reset_codes_user_idx ON reset_codes (user_id);
