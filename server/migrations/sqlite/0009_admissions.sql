-- Membership of a reports office is proven by signatures (Ed25519), not asserted by the
-- server: the recovery key admits the founding head, an admitted member admits each
-- newcomer, and browsers check the chain before sealing office keys to anyone. The server
-- stores what the browsers signed; it cannot make a signature. Keep in step with
-- ../postgres/0009_admissions.sql.

-- A member's Ed25519 public key (derived from the same secret as their X25519 key).
-- Empty for enrolments made before this migration: such members are never proven.
ALTER TABLE office_members ADD COLUMN signing_key BLOB;

-- The office's root: the recovery code's signing key.
ALTER TABLE office_recovery ADD COLUMN signing_key BLOB;

-- Who made an office key pair, and their signature over its public key.
ALTER TABLE office_keys ADD COLUMN signed_by BLOB;
ALTER TABLE office_keys ADD COLUMN signature BLOB;

-- One signed admission: `account_id`'s keys, signed by `admitted_by` (a member's account;
-- NULL for the recovery key) at `signed_at` (Unix milliseconds, as signed).
CREATE TABLE office_admissions (
    id          BLOB PRIMARY KEY,
    office_code TEXT NOT NULL REFERENCES regions (code),
    account_id  BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key  BLOB NOT NULL,
    signing_key BLOB NOT NULL,
    admitted_by BLOB,
    signed_at   INTEGER NOT NULL,
    signature   BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX office_admissions_office_idx ON office_admissions (office_code, created_at);
