-- Invoice photos and PDFs attached to ledger lines. The files live under the data
-- directory (see server/src/storage.rs); a row exists only for files that were stored whole.
-- Keep in step with ../postgres/0003_attachments.sql.

CREATE TABLE ledger_attachments (
    id         BLOB PRIMARY KEY,
    line_id    BLOB NOT NULL REFERENCES ledger_lines (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'pdf')),
    width      INTEGER,
    height     INTEGER,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_attachments_line_idx ON ledger_attachments (line_id);
