-- A village's villagers' financial oversight group (民主理财小组): villagers the village
-- appoints, who review each month's accounts and sign them before the township publishes
-- them. Where a village has a group, a month is published only with a member's agreeing
-- signature; every signature (agreeing or not, with its opinion) is shown with the month.
-- Keep in step with ../sqlite/0022_finance_group.sql.

CREATE TABLE finance_group_members (
    village_code TEXT NOT NULL REFERENCES regions (code),
    user_id      UUID NOT NULL REFERENCES users (id),
    appointed_by UUID NOT NULL REFERENCES users (id),
    appointed_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT finance_group_members_pkey PRIMARY KEY (village_code, user_id)
);

CREATE TABLE ledger_signatures (
    month_id  UUID NOT NULL REFERENCES ledger_months (id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users (id),
    agree     BOOLEAN NOT NULL,
    opinion   TEXT,
    signed_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT ledger_signatures_pkey PRIMARY KEY (month_id, user_id)
);
