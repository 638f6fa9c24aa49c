-- The ledger's honesty marks: a month submitted before it ended on purpose (closed early),
-- and the reason a reviewer gave for sealing a spending line with no invoice attached,
-- which villagers see. Keep in step with ../postgres/0011_ledger_integrity.sql.

ALTER TABLE ledger_months ADD COLUMN closed_early INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_lines ADD COLUMN no_invoice_reason TEXT;
