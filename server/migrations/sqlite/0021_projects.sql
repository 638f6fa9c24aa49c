-- Engineering projects (工程项目) and asset disposals (资产处置), disclosed along their whole
-- chain. Each stage a village records is a disclosure entry (item 'project', an event on
-- the stage's date) that names its project: reviewed, sealed, logged, corrected and
-- withdrawn exactly as catalogue entries are. Ledger lines that paid a project (or that it
-- brought in) are linked to it, one project per line.
-- Keep in step with ../postgres/0021_projects.sql.

CREATE TABLE projects (
    id           BLOB PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions (code),
    kind         TEXT NOT NULL CHECK (kind IN ('works', 'disposal')),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    budget_fen   INTEGER NOT NULL CHECK (budget_fen >= 0),
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX projects_village_idx ON projects (village_code, created_at);

ALTER TABLE disclosures ADD COLUMN project_id BLOB REFERENCES projects (id);
ALTER TABLE disclosures ADD COLUMN stage TEXT
    CHECK (stage IN ('approval', 'tender', 'contract', 'construction', 'acceptance', 'settlement'));
ALTER TABLE disclosures ADD COLUMN progress_pct INTEGER CHECK (progress_pct BETWEEN 0 AND 100);
ALTER TABLE disclosures ADD COLUMN amount_fen INTEGER CHECK (amount_fen >= 0);
CREATE INDEX disclosures_project_idx ON disclosures (project_id) WHERE project_id IS NOT NULL;

CREATE TABLE project_payments (
    line_id    BLOB PRIMARY KEY REFERENCES ledger_lines (id) ON DELETE CASCADE,
    project_id BLOB NOT NULL REFERENCES projects (id),
    linked_by  BLOB NOT NULL REFERENCES users (id),
    linked_at  TEXT NOT NULL
);
CREATE INDEX project_payments_project_idx ON project_payments (project_id);

-- Villagers' questions on a published entry (a project's stage or any catalogue entry),
-- answered once by the village; who asked is kept and never shown.
CREATE TABLE disclosure_questions (
    id            BLOB PRIMARY KEY,
    disclosure_id BLOB NOT NULL REFERENCES disclosures (id),
    asked_by      BLOB NOT NULL REFERENCES users (id),
    question      TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    answer        TEXT,
    answered_by   BLOB REFERENCES users (id),
    answered_at   TEXT
);
CREATE INDEX disclosure_questions_disclosure_idx ON disclosure_questions (disclosure_id);
