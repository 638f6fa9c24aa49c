-- Corrections (更正) of a published month: lines found after publication are entered into
-- a correction, which is reviewed, sealed and published like a month; the month and its
-- original lines stay as published. At most one correction of a month is open at a time.
-- Keep in step with ../postgres/0013_corrections.sql.

CREATE TABLE ledger_corrections (
    id           BLOB PRIMARY KEY,
    month_id     BLOB NOT NULL REFERENCES ledger_months (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    submitted_at TEXT,
    published_at TEXT,
    published_by BLOB REFERENCES users (id),
    CONSTRAINT ledger_corrections_month_seq_key UNIQUE (month_id, seq)
);
CREATE UNIQUE INDEX ledger_corrections_open_key ON ledger_corrections (month_id) WHERE status <> 'published';

-- NULL: one of the month's own lines; otherwise the correction that added it.
ALTER TABLE ledger_lines ADD COLUMN correction_id BLOB REFERENCES ledger_corrections (id) ON DELETE CASCADE;
CREATE INDEX ledger_lines_correction_idx ON ledger_lines (correction_id);
