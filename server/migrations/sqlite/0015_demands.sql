-- Demands (诉求): a villager's request, held by one region at a time (the village, then the
-- township, county or city it is sent up to), with an append-only history.
-- Keep in step with ../postgres/0015_demands.sql: same tables, columns and constraint names.

-- Working days each level has, per county; a county without a row has the defaults
-- (village 3, township 5, county 10, city 15).
CREATE TABLE demand_limits (
    county_code TEXT PRIMARY KEY REFERENCES regions (code),
    village     INTEGER NOT NULL CHECK (village BETWEEN 1 AND 60),
    township    INTEGER NOT NULL CHECK (township BETWEEN 1 AND 60),
    county      INTEGER NOT NULL CHECK (county BETWEEN 1 AND 60),
    city        INTEGER NOT NULL CHECK (city BETWEEN 1 AND 60),
    updated_by  BLOB NOT NULL REFERENCES users (id),
    updated_at  TEXT NOT NULL
);

CREATE TABLE demands (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL,
    village_code    TEXT NOT NULL REFERENCES regions (code),
    holder_code     TEXT NOT NULL REFERENCES regions (code),
    holder_level    TEXT NOT NULL CHECK (holder_level IN ('village', 'township', 'county', 'city')),
    class           TEXT NOT NULL CHECK (class IN ('education', 'disclosure', 'service', 'opinion')),
    subcategory     TEXT NOT NULL,
    text            TEXT NOT NULL,
    public          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('filed', 'accepted', 'closed', 'merged')),
    filer_id        BLOB NOT NULL REFERENCES users (id),
    idempotency_key BLOB NOT NULL,
    filed_at        TEXT NOT NULL,
    -- The filing's date in China (YYYY-MM-DD), and, once closed, the calendar days it took
    -- (closed on the filing's date: 0): what the dashboard groups and counts by.
    filed_day       TEXT NOT NULL,
    closed_days     INTEGER,
    -- Its ratings summed (满意 100, 基本满意 60, 不满意 0) and counted, kept with the rating's
    -- own row in one transaction, so the dashboard reads no second table.
    rating_points   INTEGER NOT NULL DEFAULT 0,
    rating_count    INTEGER NOT NULL DEFAULT 0,
    -- When the holder's time runs out: NULL when not open, or past the calendar's table.
    due_at          TEXT,
    -- Set by the clock when the city, with no level above, runs past its limit.
    late_since      TEXT,
    -- Past a limit at some level, ever (and so escalated by the clock).
    overdue         INTEGER NOT NULL DEFAULT 0,
    reopened        INTEGER NOT NULL DEFAULT 0,
    closed_at       TEXT,
    merged_into     BLOB REFERENCES demands (id),
    -- Bumped by every step, so that a step's write names the version it was decided on.
    version         INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT demands_idempotency_key UNIQUE (filer_id, idempotency_key),
    CONSTRAINT demands_number_key UNIQUE (number)
);
CREATE INDEX demands_village_idx ON demands (village_code, filed_day);
-- Everything the dashboard counts, in the order it groups by: its one query reads this
-- index alone, already sorted.
CREATE INDEX demands_stats_idx ON demands (village_code, class, filed_day, state, closed_days, overdue, late_since,
    due_at, rating_points, rating_count);
CREATE INDEX demands_holder_idx ON demands (holder_code, state);
CREATE INDEX demands_due_idx ON demands (due_at);
-- The open ones, for the overdue lists and the to-do counts.
CREATE INDEX demands_open_idx ON demands (village_code, filed_at) WHERE state IN ('filed', 'accepted');

-- The households following a demand: its filer, those who joined it, and the filers of
-- demands merged into it. `seen_at` is when they last read it (for the to-do list).
CREATE TABLE demand_followers (
    demand_id BLOB NOT NULL REFERENCES demands (id),
    user_id   BLOB NOT NULL REFERENCES users (id),
    joined_at TEXT NOT NULL,
    seen_at   TEXT NOT NULL,
    CONSTRAINT demand_followers_pkey PRIMARY KEY (demand_id, user_id)
);
CREATE INDEX demand_followers_user_idx ON demand_followers (user_id);

-- Append-only: rows are inserted, never updated or deleted. `seq` orders a demand's steps
-- and is unique, so two steps decided on the same state cannot both be recorded.
CREATE TABLE demand_events (
    id          BLOB PRIMARY KEY,
    demand_id   BLOB NOT NULL REFERENCES demands (id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    actor_id    BLOB REFERENCES users (id),
    -- The staff member's name and role as shown in the history; NULL for villagers and the clock.
    actor_label TEXT,
    holder_code TEXT NOT NULL REFERENCES regions (code),
    note        TEXT,
    rating      TEXT,
    other_id    BLOB,
    CONSTRAINT demand_events_seq_key UNIQUE (demand_id, seq)
);

CREATE TABLE demand_ratings (
    demand_id BLOB NOT NULL REFERENCES demands (id),
    user_id   BLOB NOT NULL REFERENCES users (id),
    rating    TEXT NOT NULL CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
    at        TEXT NOT NULL,
    CONSTRAINT demand_ratings_pkey PRIMARY KEY (demand_id, user_id)
);

-- Photos filed with a demand (`result` false) or with its result (`result` true), through
-- the one upload pipeline.
CREATE TABLE demand_photos (
    id         BLOB PRIMARY KEY,
    demand_id  BLOB NOT NULL REFERENCES demands (id),
    result     INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'pdf')),
    width      INTEGER,
    height     INTEGER,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX demand_photos_demand_idx ON demand_photos (demand_id);
