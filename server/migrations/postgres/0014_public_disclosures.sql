-- Whether a county keeps its villages' published disclosures to signed-in villagers
-- (仅限本村村民) rather than public like a notice board (村务公开栏, the default).
-- Meaningful on counties only. Keep in step with ../sqlite/0014_public_disclosures.sql.

ALTER TABLE regions ADD COLUMN villagers_only BOOLEAN NOT NULL DEFAULT FALSE;
