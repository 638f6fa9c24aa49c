-- Devices an account has signed in from, so that sign-in limits never lock the owner out
-- of a phone that already signed in; and what the person has been told of password resets.
-- Keep in step with ../sqlite/0012_devices_and_resets.sql: same tables, columns and constraint names.

CREATE TABLE known_devices (
    token_hash   BYTEA NOT NULL,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    -- One phone shared by a family is a known device for each of them.
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user_idx ON known_devices (user_id);

-- A reset code is spent when it is redeemed or replaced by a newer one (used_at); these
-- say which, and when the person whose password was reset saw the notice of it (at
-- sign-in or in 我的).
ALTER TABLE reset_codes ADD COLUMN redeemed_at TIMESTAMPTZ;
ALTER TABLE reset_codes ADD COLUMN noticed_at TIMESTAMPTZ;
