-- The publication log (公开记录): each county's append-only list of what was published,
-- the leaves of its Merkle tree (sunlight_api::transparency), and the tree heads the
-- server signed. Entries and heads are only ever inserted.
-- Keep in step with ../sqlite/0017_publication_log.sql.

CREATE TABLE log_entries (
    county       TEXT NOT NULL,
    idx          BIGINT NOT NULL CHECK (idx >= 0),
    kind         TEXT NOT NULL,
    village_code TEXT NOT NULL,
    subject      TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    -- SHA-256 of the disclosure's canonical encoding (sunlight_api::published), hex.
    content      TEXT NOT NULL,
    CONSTRAINT log_entries_pkey PRIMARY KEY (county, idx),
    CONSTRAINT log_entries_subject_key UNIQUE (kind, village_code, subject)
);

-- How many entries each county's log holds. Appending takes this row's lock, so entries
-- get the places 0, 1, 2, … with no gap and no two alike.
CREATE TABLE log_sizes (
    county TEXT PRIMARY KEY,
    size   BIGINT NOT NULL CHECK (size >= 0)
);

CREATE TABLE log_heads (
    county    TEXT NOT NULL,
    size      BIGINT NOT NULL CHECK (size >= 0),
    root      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    signature TEXT NOT NULL,
    CONSTRAINT log_heads_pkey PRIMARY KEY (county, size)
);
