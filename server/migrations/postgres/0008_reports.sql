-- Private reports (举报) to discipline inspection offices. The server holds ciphertext and
-- the routing fields it needs (office, key, status, times), never content, never who filed:
-- no account id, no address. Keep in step with ../sqlite/0008_reports.sql.

-- An office's X25519 public keys; the newest active one receives new reports.
CREATE TABLE office_keys (
    id          UUID PRIMARY KEY,
    office_code TEXT NOT NULL REFERENCES regions (code),
    public_key  BYTEA NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX office_keys_active_key ON office_keys (office_code) WHERE active = TRUE;

-- The public half of the office's recovery key (its code is printed, never stored).
CREATE TABLE office_recovery (
    office_code TEXT PRIMARY KEY REFERENCES regions (code),
    public_key  BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Inspectors' own key pairs, the secret locked under their passphrase (Argon2id).
CREATE TABLE office_members (
    office_code   TEXT NOT NULL REFERENCES regions (code),
    account_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key    BYTEA NOT NULL,
    locked_secret BYTEA NOT NULL,
    salt          BYTEA NOT NULL,
    memory_kib    INTEGER NOT NULL,
    passes        INTEGER NOT NULL,
    head          BOOLEAN NOT NULL,
    enrolled_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (office_code, account_id)
);

-- Office secret keys sealed to a member's key, or to the recovery key (holder = nil UUID).
CREATE TABLE office_key_wraps (
    key_id UUID NOT NULL REFERENCES office_keys (id) ON DELETE CASCADE,
    holder UUID NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (key_id, holder)
);

CREATE TABLE reports (
    id              UUID PRIMARY KEY,
    office_code     TEXT NOT NULL REFERENCES regions (code),
    key_id          UUID NOT NULL REFERENCES office_keys (id),
    sealed_key      BYTEA NOT NULL,
    filer_key       BYTEA NOT NULL,
    body            BYTEA NOT NULL,
    lookup_hash     TEXT NOT NULL,
    idempotency_key UUID NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'not_accepted', 'investigating', 'concluded')),
    case_number     TEXT,
    assignee        UUID REFERENCES users (id) ON DELETE SET NULL,
    filed_at        TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT reports_lookup_key UNIQUE (lookup_hash),
    CONSTRAINT reports_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT reports_case_key UNIQUE (office_code, case_number)
);
CREATE INDEX reports_office_idx ON reports (office_code, updated_at);

CREATE TABLE report_messages (
    id         UUID PRIMARY KEY,
    report_id  UUID NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    party      TEXT NOT NULL CHECK (party IN ('filer', 'office')),
    author_id  UUID REFERENCES users (id) ON DELETE SET NULL,
    body       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_messages_report_idx ON report_messages (report_id, created_at);

CREATE TABLE report_files (
    id         UUID PRIMARY KEY,
    report_id  UUID NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    party      TEXT NOT NULL CHECK (party IN ('filer', 'office')),
    body       BYTEA NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_files_report_idx ON report_files (report_id, created_at);

-- Every time an inspector opens a report or its files, or acts on it.
CREATE TABLE report_access (
    id         UUID PRIMARY KEY,
    report_id  UUID NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    office_code TEXT NOT NULL REFERENCES regions (code),
    account_id UUID NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_access_office_idx ON report_access (office_code, at);
