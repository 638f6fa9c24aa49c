-- Villagers' questions on published ledger lines, and the accountant's answers, kept on
-- record under the line. The asker is stored for abuse handling and never shown.
-- Keep in step with ../postgres/0004_questions.sql.

CREATE TABLE ledger_questions (
    id          BLOB PRIMARY KEY,
    line_id     BLOB NOT NULL REFERENCES ledger_lines (id) ON DELETE CASCADE,
    asked_by    BLOB NOT NULL REFERENCES users (id),
    question    TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT,
    answered_by BLOB REFERENCES users (id),
    answered_at TEXT
);
CREATE INDEX ledger_questions_line_idx ON ledger_questions (line_id);
