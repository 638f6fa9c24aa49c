-- Signing in inside the WeChat mini-program: a WeChat identity bound once to an account,
-- and the one-time tickets the web-view trades for a session (and the bind tokens that
-- let an unbound WeChat bind after the account's password).
-- Keep in step with ../sqlite/0023_wechat.sql: same tables, columns and constraint names.

CREATE TABLE wechat_bindings (
    -- SHA-256 of the mini-program's openid for the person: the database holds no WeChat id.
    openid_hash BYTEA PRIMARY KEY,
    -- One WeChat per account, one account per WeChat (a family's shared WeChat signs in
    -- as whoever bound it; the others use their passwords).
    user_id     UUID NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    bound_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE wechat_tickets (
    -- SHA-256 of the ticket: the ticket itself is only in the address it was handed to.
    token_hash  BYTEA PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('enter', 'bind')),
    user_id     UUID REFERENCES users (id) ON DELETE CASCADE,
    openid_hash BYTEA,
    expires_at  TIMESTAMPTZ NOT NULL,
    CHECK ((purpose = 'enter' AND user_id IS NOT NULL) OR (purpose = 'bind' AND openid_hash IS NOT NULL))
);
CREATE INDEX wechat_tickets_expiry_idx ON wechat_tickets (expires_at);
