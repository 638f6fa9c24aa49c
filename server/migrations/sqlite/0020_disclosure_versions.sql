-- Published catalogue entries are never edited: a correction is a new version that names
-- the version it corrects and why; an entry withheld by law keeps its row (item, period,
-- publication) with a tombstone in place of its title, text and files.
-- Keep in step with ../postgres/0020_disclosure_versions.sql.

ALTER TABLE disclosures ADD COLUMN corrects BLOB REFERENCES disclosures (id);
ALTER TABLE disclosures ADD COLUMN correction_reason TEXT;
ALTER TABLE disclosures ADD COLUMN withdrawn_at TEXT;
ALTER TABLE disclosures ADD COLUMN withdrawn_by BLOB REFERENCES users (id);
ALTER TABLE disclosures ADD COLUMN withdrawn_reason TEXT;

-- One first version per item and period (events may have several); one correction of
-- each version (to correct again, correct the correction).
DROP INDEX disclosures_period_key;
CREATE UNIQUE INDEX disclosures_period_key ON disclosures (village_code, item_key, period)
    WHERE frequency <> 'event' AND corrects IS NULL;
CREATE UNIQUE INDEX disclosures_correction_key ON disclosures (corrects) WHERE corrects IS NOT NULL;
