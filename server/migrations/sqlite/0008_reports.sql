-- Private reports (举报) to discipline inspection offices. The server holds ciphertext and
-- the routing fields it needs (office, key, status, times), never content, never who filed:
-- no account id, no address. Keep in step with ../postgres/0008_reports.sql.

-- An office's X25519 public keys; the newest active one receives new reports.
CREATE TABLE office_keys (
    id          BLOB PRIMARY KEY,
    office_code TEXT NOT NULL REFERENCES regions (code),
    public_key  BLOB NOT NULL,
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX office_keys_active_key ON office_keys (office_code) WHERE active = 1;

-- The public half of the office's recovery key (its code is printed, never stored).
CREATE TABLE office_recovery (
    office_code TEXT PRIMARY KEY REFERENCES regions (code),
    public_key  BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- Inspectors' own key pairs, the secret locked under their passphrase (Argon2id).
CREATE TABLE office_members (
    office_code   TEXT NOT NULL REFERENCES regions (code),
    account_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key    BLOB NOT NULL,
    locked_secret BLOB NOT NULL,
    salt          BLOB NOT NULL,
    memory_kib    INTEGER NOT NULL,
    passes        INTEGER NOT NULL,
    head          INTEGER NOT NULL,
    enrolled_at   TEXT NOT NULL,
    PRIMARY KEY (office_code, account_id)
);

-- Office secret keys sealed to a member's key, or to the recovery key (holder = nil UUID).
CREATE TABLE office_key_wraps (
    key_id BLOB NOT NULL REFERENCES office_keys (id) ON DELETE CASCADE,
    holder BLOB NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (key_id, holder)
);

CREATE TABLE reports (
    id              BLOB PRIMARY KEY,
    office_code     TEXT NOT NULL REFERENCES regions (code),
    key_id          BLOB NOT NULL REFERENCES office_keys (id),
    sealed_key      BLOB NOT NULL,
    filer_key       BLOB NOT NULL,
    body            BLOB NOT NULL,
    lookup_hash     TEXT NOT NULL,
    idempotency_key BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'not_accepted', 'investigating', 'concluded')),
    case_number     TEXT,
    assignee        BLOB REFERENCES users (id) ON DELETE SET NULL,
    filed_at        TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CONSTRAINT reports_lookup_key UNIQUE (lookup_hash),
    CONSTRAINT reports_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT reports_case_key UNIQUE (office_code, case_number)
);
CREATE INDEX reports_office_idx ON reports (office_code, updated_at);

CREATE TABLE report_messages (
    id         BLOB PRIMARY KEY,
    report_id  BLOB NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    party      TEXT NOT NULL CHECK (party IN ('filer', 'office')),
    author_id  BLOB REFERENCES users (id) ON DELETE SET NULL,
    body       BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_messages_report_idx ON report_messages (report_id, created_at);

CREATE TABLE report_files (
    id         BLOB PRIMARY KEY,
    report_id  BLOB NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    party      TEXT NOT NULL CHECK (party IN ('filer', 'office')),
    body       BLOB NOT NULL,
    bytes      INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_files_report_idx ON report_files (report_id, created_at);

-- Every time an inspector opens a report or its files, or acts on it.
CREATE TABLE report_access (
    id         BLOB PRIMARY KEY,
    report_id  BLOB NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    office_code TEXT NOT NULL REFERENCES regions (code),
    account_id BLOB NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX report_access_office_idx ON report_access (office_code, at);
