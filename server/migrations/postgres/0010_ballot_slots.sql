-- Ballot slots (see ARCHITECTURE.md, "Ballots are secret"): one fixed-size slot per
-- eligible person or household laid down when the poll opens, in random order; a vote
-- overwrites one random unused slot and flips `voted` on the voter's `poll_eligible` row.
-- PostgreSQL still writes a new row version for each (see ARCHITECTURE.md for what that
-- leaves linkable). Keep in step with ../sqlite/0010_ballot_slots.sql.

ALTER TABLE poll_eligible ADD COLUMN voted INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1));
UPDATE poll_eligible e SET voted = 1
WHERE EXISTS (SELECT 1 FROM poll_voted v WHERE v.poll_id = e.poll_id AND v.voter_key = e.voter_key);

CREATE TABLE poll_slots (
    id         UUID PRIMARY KEY,
    poll_id    UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    token_hash BYTEA NOT NULL,
    answers    BYTEA NOT NULL
);
CREATE INDEX poll_slots_poll_idx ON poll_slots (poll_id);
-- Zero-filled padding would otherwise be compressed, making a slot's stored size depend
-- on what was written into it.
ALTER TABLE poll_slots ALTER COLUMN answers SET STORAGE EXTERNAL;

CREATE TABLE poll_live_results (
    poll_id UUID PRIMARY KEY REFERENCES polls (id) ON DELETE CASCADE,
    ballots BIGINT NOT NULL,
    tally   TEXT NOT NULL
);

DROP TABLE poll_voted;
