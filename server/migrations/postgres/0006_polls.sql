-- Polls (投票、征求意见) with secret ballots. `poll_voted` says who has voted; `poll_ballots`
-- and `poll_answers` say what was voted and hold no voter id and no time. The eligible list
-- is fixed in `poll_eligible` when the poll opens. Keep in step with ../sqlite/0006_polls.sql.

CREATE TABLE polls (
    id           UUID PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    title        TEXT NOT NULL,
    per          TEXT NOT NULL CHECK (per IN ('person', 'household')),
    opens_at     TIMESTAMPTZ NOT NULL,
    closes_at    TIMESTAMPTZ NOT NULL,
    live_results BOOLEAN NOT NULL,
    allow_change BOOLEAN NOT NULL,
    fixed        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE poll_villages (
    poll_id      UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    village_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (poll_id, village_code)
);

CREATE TABLE poll_questions (
    id          UUID PRIMARY KEY,
    poll_id     UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'rating', 'text')),
    prompt      TEXT NOT NULL,
    max_choices INTEGER NOT NULL
);

CREATE TABLE poll_options (
    id          UUID PRIMARY KEY,
    question_id UUID NOT NULL REFERENCES poll_questions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL
);

CREATE TABLE poll_eligible (
    poll_id   UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key UUID NOT NULL,
    PRIMARY KEY (poll_id, voter_key)
);

CREATE TABLE poll_voted (
    poll_id   UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_key UUID NOT NULL,
    CONSTRAINT poll_voted_pkey PRIMARY KEY (poll_id, voter_key)
);

CREATE TABLE poll_ballots (
    id         UUID PRIMARY KEY,
    poll_id    UUID NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    token_hash BYTEA UNIQUE
);

CREATE TABLE poll_answers (
    id          UUID PRIMARY KEY,
    ballot_id   UUID NOT NULL REFERENCES poll_ballots (id) ON DELETE CASCADE,
    question_id UUID NOT NULL REFERENCES poll_questions (id) ON DELETE CASCADE,
    option_id   UUID REFERENCES poll_options (id) ON DELETE CASCADE,
    rating      INTEGER,
    answer_text TEXT
);
CREATE INDEX poll_answers_question_idx ON poll_answers (question_id);
