-- A village's villagers' financial oversight group (民主理财小组): villagers the village
-- appoints, who review each month's accounts and sign them before the township publishes
-- them. Where a village has a group, a month is published only with a member's agreeing
-- signature; every signature (agreeing or not, with its opinion) is shown with the month.
-- Keep in step with ../postgres/0022_finance_group.sql.

CREATE TABLE finance_group_members (
    village_code TEXT NOT NULL REFERENCES regions (code),
    user_id      BLOB NOT NULL REFERENCES users (id),
    appointed_by BLOB NOT NULL REFERENCES users (id),
    appointed_at TEXT NOT NULL,
    CONSTRAINT finance_group_members_pkey PRIMARY KEY (village_code, user_id)
);

CREATE TABLE ledger_signatures (
    month_id  BLOB NOT NULL REFERENCES ledger_months (id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users (id),
    agree     INTEGER NOT NULL CHECK (agree IN (0, 1)),
    opinion   TEXT,
    signed_at TEXT NOT NULL,
    CONSTRAINT ledger_signatures_pkey PRIMARY KEY (month_id, user_id)
);
