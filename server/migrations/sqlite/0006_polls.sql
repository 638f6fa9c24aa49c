-- Polls (投票、征求意见) with secret ballots. `poll_voted` says who has voted; `poll_ballots`
-- and `poll_answers` say what was voted and hold no voter id and no time. The eligible list
-- is fixed in `poll_eligible` when the poll opens. Ballots and answers are WITHOUT ROWID
-- tables keyed by random ids, so SQLite keeps no insertion order for them. Keep in step with ../postgres/0006_polls.sql.

CREATE TABLE polls (
    id           BLOB PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    title        TEXT NOT NULL,
    per          TEXT NOT NULL CHECK (per IN ('person', 'household')),
    opens_at     TEXT NOT NULL,
    closes_at    TEXT NOT NULL,
    live_results INTEGER NOT NULL,
    allow_change INTEGER NOT NULL,
    fixed        INTEGER NOT NULL DEFAULT 0,
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);

CREATE TABLE poll_villages (
    poll_id      BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    village_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (poll_id, village_code)
);

CREATE TABLE poll_questions (
    id          BLOB PRIMARY KEY,
    poll_id     BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'rating', 'text')),
    prompt      TEXT NOT NULL,
    max_choices INTEGER NOT NULL
);

CREATE TABLE poll_options (
    id          BLOB PRIMARY KEY,
    question_id BLOB NOT NULL REFERENCES poll_questions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL
);

CREATE TABLE poll_eligible (
    poll_id   BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key BLOB NOT NULL,
    PRIMARY KEY (poll_id, voter_key)
);

CREATE TABLE poll_voted (
    poll_id   BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key BLOB NOT NULL,
    CONSTRAINT poll_voted_pkey PRIMARY KEY (poll_id, voter_key)
);

CREATE TABLE poll_ballots (
    id         BLOB PRIMARY KEY,
    poll_id    BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    token_hash BLOB UNIQUE
) WITHOUT ROWID;

CREATE TABLE poll_answers (
    id          BLOB PRIMARY KEY,
    ballot_id   BLOB NOT NULL REFERENCES poll_ballots (id) ON DELETE CASCADE,
    question_id BLOB NOT NULL REFERENCES poll_questions (id) ON DELETE CASCADE,
    option_id   BLOB REFERENCES poll_options (id) ON DELETE CASCADE,
    rating      INTEGER,
    answer_text TEXT
) WITHOUT ROWID;
CREATE INDEX poll_answers_question_idx ON poll_answers (question_id);
