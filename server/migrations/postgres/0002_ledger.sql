-- The village ledger: months and their lines, reviewed and sealed by the township.
-- Keep in step with ../sqlite/0002_ledger.sql.

CREATE TABLE ledger_months (
    id           UUID PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions (code),
    month        TEXT NOT NULL CHECK (length(month) = 7),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
    submitted_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    published_by UUID REFERENCES users (id),
    CONSTRAINT ledger_months_village_month_key UNIQUE (village_code, month)
);

CREATE TABLE ledger_lines (
    id                     UUID PRIMARY KEY,
    month_id               UUID NOT NULL REFERENCES ledger_months (id) ON DELETE CASCADE,
    entry_date             DATE NOT NULL,
    kind                   TEXT NOT NULL CHECK (kind IN ('income', 'expense')),
    amount_fen             BIGINT NOT NULL CHECK (amount_fen > 0),
    category               TEXT NOT NULL,
    counterparty           TEXT NOT NULL,
    counterparty_is_person BOOLEAN NOT NULL DEFAULT FALSE,
    invoice_no             TEXT,
    note                   TEXT,
    status                 TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    reject_reason          TEXT,
    reviewed_by            UUID REFERENCES users (id),
    reviewed_at            TIMESTAMPTZ,
    created_by             UUID NOT NULL REFERENCES users (id),
    created_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_lines_month_idx ON ledger_lines (month_id);
CREATE INDEX ledger_lines_invoice_idx ON ledger_lines (invoice_no);
