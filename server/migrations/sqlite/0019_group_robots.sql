-- Villages' group robots (WeCom / DingTalk webhooks) and the messages posted to them.
-- Keep in step with ../postgres/0019_group_robots.sql.

-- The webhook's address carries its secret key: it is never returned whole or logged.
CREATE TABLE group_robots (
    village_code TEXT PRIMARY KEY REFERENCES regions (code),
    url          TEXT NOT NULL,
    set_by       BLOB NOT NULL REFERENCES users (id),
    set_at       TEXT NOT NULL
);

-- One row per event (`event_key` is unique: an event is queued once whichever process
-- publishes it). A process claims a row by moving `claimed_until` forward; a claim that
-- ran out (the process died) is taken again.
CREATE TABLE push_deliveries (
    id              BLOB PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions (code),
    event_key       TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    CONSTRAINT push_deliveries_event_key UNIQUE (event_key)
);
CREATE INDEX push_deliveries_due_idx ON push_deliveries (status, next_attempt_at);
CREATE INDEX push_deliveries_village_idx ON push_deliveries (village_code, created_at);
