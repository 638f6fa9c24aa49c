-- The working-day calendar as data an administrator can extend (the product ships 2026 and
-- writes it at start when absent), when each demand's holder got it (so a deadline that
-- could not be counted can be once its year is added), and demands' voice notes.
-- Keep in step with ../sqlite/0016_calendar_and_voice.sql.

CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    source     TEXT NOT NULL,
    -- NULL: shipped with the product.
    updated_by UUID REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years (year),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday'))
);
CREATE INDEX calendar_days_year_idx ON calendar_days (year);

ALTER TABLE demands ADD COLUMN held_since TIMESTAMPTZ;
UPDATE demands SET held_since = filed_at;
-- Open demands whose deadline is still to be counted.
CREATE INDEX demands_undated_idx ON demands (held_since) WHERE state IN ('filed', 'accepted') AND due_at IS NULL
    AND late_since IS NULL;

-- A voice note filed with a demand (at most one), kept as the server transcoded it (AAC in
-- MP4, which every phone plays) under the storage name `id`.
CREATE TABLE demand_voices (
    id         UUID PRIMARY KEY,
    demand_id  UUID NOT NULL REFERENCES demands (id),
    seconds    INTEGER NOT NULL CHECK (seconds BETWEEN 1 AND 60),
    bytes      INTEGER NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT demand_voices_demand_key UNIQUE (demand_id)
);
