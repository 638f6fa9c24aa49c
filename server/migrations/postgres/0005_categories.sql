-- Ledger categories (科目) configured per county; a county without rows uses the default list.
-- Keep in step with ../sqlite/0005_categories.sql.

CREATE TABLE ledger_categories (
    county_code TEXT NOT NULL REFERENCES regions (code),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    CONSTRAINT ledger_categories_pkey PRIMARY KEY (county_code, name)
);
