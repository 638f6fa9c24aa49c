-- Villagers' questions on published ledger lines, and the accountant's answers, kept on
-- record under the line. The asker is stored for abuse handling and never shown.
-- Keep in step with ../sqlite/0004_questions.sql.

CREATE TABLE ledger_questions (
    id          UUID PRIMARY KEY,
    line_id     UUID NOT NULL REFERENCES ledger_lines (id) ON DELETE CASCADE,
    asked_by    UUID NOT NULL REFERENCES users (id),
    question    TEXT NOT NULL,
    asked_at    TIMESTAMPTZ NOT NULL,
    answer      TEXT,
    answered_by UUID REFERENCES users (id),
    answered_at TIMESTAMPTZ
);
CREATE INDEX ledger_questions_line_idx ON ledger_questions (line_id);
