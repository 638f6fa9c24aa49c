-- Documents attached to a poll (e.g. the renovation plan), through the same upload
-- pipeline as invoice photos. Keep in step with ../postgres/0007_poll_documents.sql.

CREATE TABLE poll_documents (
    id         BLOB PRIMARY KEY,
    poll_id    BLOB NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'pdf')),
    width      INTEGER,
    height     INTEGER,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX poll_documents_poll_idx ON poll_documents (poll_id);
