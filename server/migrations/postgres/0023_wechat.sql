-- Signing in inside the WeChat mini-program: a WeChat identity bound once to an account,
-- the one-time tickets the web-view trades for a session (and the bind tokens that
-- let an unbound WeChat bind after the account's password); what each person agreed
-- to be sent, and the messages themselves, in the queue of group robots' messages.
-- Keep in step with ../sqlite/0023_wechat.sql: same tables, columns and constraint names.

CREATE TABLE wechat_bindings (
    -- SHA-256 of the mini-program's openid for the person: the database holds no WeChat id.
    openid_hash BYTEA PRIMARY KEY,
    -- The openid itself, sealed (XChaCha20-Poly1305) under a key derived from the AppSecret:
    -- what subscription messages are addressed to, unreadable from the database alone.
    openid_sealed BYTEA NOT NULL,
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
    openid_sealed BYTEA,
    expires_at  TIMESTAMPTZ NOT NULL,
    CHECK ((purpose = 'enter' AND user_id IS NOT NULL) OR (purpose = 'bind' AND openid_hash IS NOT NULL AND openid_sealed IS NOT NULL))
);
CREATE INDEX wechat_tickets_expiry_idx ON wechat_tickets (expires_at);

-- Each agreement in the shell (wx.requestSubscribeMessage) allows one message of its kind.
CREATE TABLE wechat_allowances (
    user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('question_answered', 'demand_accepted', 'demand_answered', 'demand_closed', 'poll_opened', 'month_published')),
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (user_id, kind)
);

-- The one outgoing queue: a village's group robot ('robot'), or one person's WeChat
-- ('wechat', with the person and the message's kind). The event key stays unique across both.
ALTER TABLE push_deliveries ADD COLUMN channel TEXT NOT NULL DEFAULT 'robot' CHECK (channel IN ('robot', 'wechat'));
ALTER TABLE push_deliveries ADD COLUMN user_id UUID REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE push_deliveries ADD COLUMN kind TEXT;
