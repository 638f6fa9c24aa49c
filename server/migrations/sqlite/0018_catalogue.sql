-- The disclosure catalogue (公开目录) and the entries villages post for its items.
-- Keep in step with ../postgres/0018_catalogue.sql.

-- A county's items, versioned: the row of a key with the latest `since` not after a month
-- is the item as it stood then (retired = 1: gone from that month). A county without rows
-- uses the built-in catalogue.
CREATE TABLE catalogue_items (
    county_code TEXT NOT NULL REFERENCES regions (code),
    item_key    TEXT NOT NULL,
    since       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    section     TEXT NOT NULL CHECK (section IN ('party', 'village', 'finance')),
    title       TEXT NOT NULL,
    frequency   TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly', 'event')),
    deadline    INTEGER NOT NULL CHECK (deadline BETWEEN 1 AND 60),
    retired     INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    changed_by  BLOB REFERENCES users (id),
    changed_at  TEXT NOT NULL,
    CONSTRAINT catalogue_items_pkey PRIMARY KEY (county_code, item_key, since)
);

CREATE TABLE disclosures (
    id           BLOB PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions (code),
    item_key     TEXT NOT NULL,
    item_title   TEXT NOT NULL,
    section      TEXT NOT NULL CHECK (section IN ('party', 'village', 'finance')),
    frequency    TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly', 'event')),
    period       TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
    review_note  TEXT,
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    submitted_at TEXT,
    published_at TEXT,
    published_by BLOB REFERENCES users (id)
);
-- One entry per item and period (events may have several on one day).
CREATE UNIQUE INDEX disclosures_period_key ON disclosures (village_code, item_key, period) WHERE frequency <> 'event';
CREATE INDEX disclosures_village_idx ON disclosures (village_code, period);
CREATE INDEX disclosures_status_idx ON disclosures (status, village_code);

CREATE TABLE disclosure_files (
    id            BLOB PRIMARY KEY,
    disclosure_id BLOB NOT NULL REFERENCES disclosures (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('image', 'pdf')),
    width         INTEGER,
    height        INTEGER,
    created_by    BLOB NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX disclosure_files_disclosure_idx ON disclosure_files (disclosure_id);
