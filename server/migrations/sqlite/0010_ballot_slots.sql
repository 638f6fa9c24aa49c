-- Ballot slots (see ARCHITECTURE.md, "Ballots are secret"). When a poll opens, one
-- fixed-size slot per eligible person or household is laid down at once, in random order;
-- a vote overwrites one randomly chosen unused slot in place and flips `voted` on the
-- voter's pre-existing `poll_eligible` row (0 → 1, both stored without payload, so the
-- record keeps its size). No row is inserted when a vote is cast, so the file keeps no
-- order that pairs a voter with a ballot. Live results are shown from snapshots taken
-- every `LIVE_BATCH` ballots. Keep in step with ../postgres/0010_ballot_slots.sql.

CREATE TABLE poll_eligible_new (
    poll_id   BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key BLOB NOT NULL,
    voted     INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1)),
    CONSTRAINT poll_eligible_pkey PRIMARY KEY (poll_id, voter_key)
);
INSERT INTO poll_eligible_new (poll_id, voter_key, voted)
SELECT e.poll_id, e.voter_key,
       EXISTS (SELECT 1 FROM poll_voted v WHERE v.poll_id = e.poll_id AND v.voter_key = e.voter_key)
FROM poll_eligible e;
DROP TABLE poll_eligible;
ALTER TABLE poll_eligible_new RENAME TO poll_eligible;

-- `answers` has one fixed length per poll (see `db::polls::BallotLayout`); `token_hash` is
-- always 32 bytes (random until a voter who may change their ballot sets it).
CREATE TABLE poll_slots (
    id         BLOB PRIMARY KEY,
    poll_id    BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    token_hash BLOB NOT NULL,
    answers    BLOB NOT NULL
);
CREATE INDEX poll_slots_poll_idx ON poll_slots (poll_id);

-- The tally as it stood when the ballot count last reached a multiple of the batch size.
CREATE TABLE poll_live_results (
    poll_id BLOB PRIMARY KEY REFERENCES polls (id) ON DELETE CASCADE,
    ballots INTEGER NOT NULL,
    tally   TEXT NOT NULL
);

-- Ballots cast before this migration are moved into slots by the server when it starts
-- (`Db::upgrade_legacy_ballots`), which then drops these tables.
DROP TABLE poll_voted;
