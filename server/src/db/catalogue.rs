//! The disclosure catalogue's versions, the entries villages post for its items, and
//! their files.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    catalogue::{Entry, EntryStatus, Frequency, Item, Section, Tombstone},
    date::Month,
    ledger::{Attachment, AttachmentKind},
    project::{Stage, StageFacts},
};
use uuid::Uuid;

use super::{Db, ledger::corrupt, now, on_pool, to_wire};

/// One stored version of an item.
#[derive(Debug, Clone)]
pub struct ItemVersion {
    pub item: Item,
    pub since: Month,
    pub position: i32,
    pub retired: bool,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    item_key: String,
    since: String,
    position: i32,
    section: String,
    title: String,
    frequency: String,
    deadline: i32,
    retired: i32,
}

impl ItemRow {
    fn into_version(self) -> Result<ItemVersion, sqlx::Error> {
        Ok(ItemVersion {
            since: Month::parse(&self.since).map_err(|_| corrupt("catalogue month", &self.since))?,
            position: self.position,
            retired: self.retired != 0,
            item: Item {
                section: Section::parse(&self.section).ok_or_else(|| corrupt("catalogue section", &self.section))?,
                frequency: Frequency::parse(&self.frequency)
                    .ok_or_else(|| corrupt("catalogue frequency", &self.frequency))?,
                deadline: u32::try_from(self.deadline)
                    .map_err(|_| corrupt("catalogue deadline", &self.deadline.to_string()))?,
                key: self.item_key,
                title: self.title,
            },
        })
    }
}

/// The items of a catalogue as they stood in `month`, in order, from a county's versions.
pub fn in_force(versions: &[ItemVersion], month: Month) -> Vec<Item> {
    let mut latest: Vec<&ItemVersion> = Vec::new();
    for v in versions.iter().filter(|v| v.since <= month) {
        match latest.iter_mut().find(|l| l.item.key == v.item.key) {
            Some(l) if l.since < v.since => *l = v,
            Some(_) => {}
            None => latest.push(v),
        }
    }
    latest.retain(|v| !v.retired);
    latest.sort_by_key(|v| (v.position, v.item.key.clone()));
    latest.into_iter().map(|v| v.item.clone()).collect()
}

#[derive(sqlx::FromRow)]
pub(super) struct EntryRow {
    id: Uuid,
    village_code: String,
    item_key: String,
    item_title: String,
    section: String,
    frequency: String,
    period: String,
    title: String,
    body: String,
    status: String,
    review_note: Option<String>,
    created_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    published_by_name: Option<String>,
    corrects: Option<Uuid>,
    correction_reason: Option<String>,
    corrected_by: Option<Uuid>,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawn_reason: Option<String>,
    withdrawn_by_name: Option<String>,
    project_id: Option<Uuid>,
    stage: Option<String>,
    progress_pct: Option<i32>,
    amount_fen: Option<i64>,
}

pub(super) const ENTRY_COLUMNS: &str =
    "d.id, d.village_code, d.item_key, d.item_title, d.section, d.frequency, d.period, d.title,
    d.body, d.status, d.review_note, d.created_at, d.published_at, u.name AS published_by_name,
    d.corrects, d.correction_reason,
    (SELECT c.id FROM disclosures c WHERE c.corrects = d.id AND c.status = 'published') AS corrected_by,
    d.withdrawn_at, d.withdrawn_reason, w.name AS withdrawn_by_name,
    d.project_id, d.stage, d.progress_pct, d.amount_fen
    FROM disclosures d LEFT JOIN users u ON u.id = d.published_by LEFT JOIN users w ON w.id = d.withdrawn_by";

/// An entry as stored, with the frequency its period is written in.
pub struct StoredEntry {
    pub entry: Entry,
    pub frequency: Frequency,
}

impl EntryRow {
    fn into_stored(self) -> Result<StoredEntry, sqlx::Error> {
        let frequency = Frequency::parse(&self.frequency).ok_or_else(|| corrupt("frequency", &self.frequency))?;
        let period_label = sunlight_api::catalogue::Period::parse(&self.period, frequency)
            .map_err(|_| corrupt("disclosure period", &self.period))?
            .label();
        let project = match (self.project_id, self.stage) {
            (Some(project), Some(stage)) => Some(StageFacts {
                project,
                stage: Stage::parse(&stage).ok_or_else(|| corrupt("project stage", &stage))?,
                progress_pct: self
                    .progress_pct
                    .map(|p| u8::try_from(p).map_err(|_| corrupt("progress", &p.to_string())))
                    .transpose()?,
                amount_fen: self.amount_fen,
            }),
            _ => None,
        };
        Ok(StoredEntry {
            frequency,
            entry: Entry {
                id: self.id,
                village: RegionCode::parse(&self.village_code)
                    .map_err(|_| corrupt("region code", &self.village_code))?,
                item: self.item_key,
                item_title: self.item_title,
                section: Section::parse(&self.section).ok_or_else(|| corrupt("section", &self.section))?,
                period: self.period,
                period_label,
                title: self.title,
                body: self.body,
                status: EntryStatus::parse(&self.status).ok_or_else(|| corrupt("disclosure status", &self.status))?,
                review_note: self.review_note,
                created_at: to_wire(self.created_at),
                published_at: self.published_at.map(to_wire),
                published_by: self.published_by_name,
                files: Vec::new(),
                corrects: self.corrects,
                correction_reason: self.correction_reason,
                corrected_by: self.corrected_by,
                withdrawn: self.withdrawn_at.map(|at| Tombstone {
                    reason: self.withdrawn_reason.unwrap_or_default(),
                    by: self.withdrawn_by_name.unwrap_or_default(),
                    at: to_wire(at),
                }),
                project,
                questions: Vec::new(),
            },
        })
    }
}

/// What a correction says: its text, why, and (a project's stage) its figure.
pub struct NewVersion<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub reason: &'a str,
    pub facts: Option<&'a StageFacts>,
}

/// What a new entry stores.
pub struct NewEntryRow<'a> {
    pub village: &'a RegionCode,
    pub item: &'a Item,
    pub period: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub by: Uuid,
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: Uuid,
    disclosure_id: Uuid,
    kind: String,
    width: Option<i32>,
    height: Option<i32>,
}

impl FileRow {
    fn into_pair(self) -> Result<(Uuid, Attachment), sqlx::Error> {
        let size = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
        Ok((
            self.disclosure_id,
            Attachment {
                id: self.id,
                kind: match self.kind.as_str() {
                    "image" => AttachmentKind::Image,
                    "pdf" => AttachmentKind::Pdf,
                    other => return Err(corrupt("attachment kind", other)),
                },
                width: size(self.width),
                height: size(self.height),
            },
        ))
    }
}

/// A published entry as completeness counts it.
#[derive(sqlx::FromRow)]
pub struct PublishedRow {
    pub village_code: String,
    pub item_key: String,
    pub frequency: String,
    pub period: String,
    pub id: Option<Uuid>,
    pub published_at: DateTime<Utc>,
}

impl Db {
    /// Every stored version of a county's catalogue (none: the built-in one applies).
    pub async fn catalogue_versions(&self, county: &RegionCode) -> Result<Vec<ItemVersion>, sqlx::Error> {
        let rows: Vec<ItemRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT item_key, since, position, section, title, frequency, deadline, retired
             FROM catalogue_items WHERE county_code = $1 ORDER BY since, position",
        )
        .bind(county.as_str())
        .fetch_all(p)
        .await)?;
        rows.into_iter().map(ItemRow::into_version).collect()
    }

    /// Stores a county's catalogue as it applies from `since`: `base` (the built-in items,
    /// when the county had none stored) first as the version in force before, then every
    /// version in `changes`, replacing any written for the same month before.
    pub async fn save_catalogue(
        &self,
        county: &RegionCode,
        base: &[ItemVersion],
        changes: &[ItemVersion],
        by: Uuid,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for (v, who) in base.iter().map(|v| (v, None)).chain(changes.iter().map(|v| (v, Some(by)))) {
                sqlx::query(
                    "INSERT INTO catalogue_items
                        (county_code, item_key, since, position, section, title, frequency, deadline, retired, changed_by, changed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (county_code, item_key, since) DO UPDATE SET position = $4, section = $5, title = $6,
                        frequency = $7, deadline = $8, retired = $9, changed_by = $10, changed_at = $11",
                )
                .bind(county.as_str())
                .bind(&v.item.key)
                .bind(v.since.to_string())
                .bind(v.position)
                .bind(v.item.section.as_str())
                .bind(&v.item.title)
                .bind(v.item.frequency.as_str())
                .bind(v.item.deadline as i32)
                .bind(i32::from(v.retired))
                .bind(who)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Stores a new draft entry; `None` when the item already has an entry for the period.
    pub async fn insert_disclosure(&self, e: NewEntryRow<'_>) -> Result<Option<Uuid>, sqlx::Error> {
        let id = Uuid::new_v4();
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO disclosures (id, village_code, item_key, item_title, section, frequency, period, title, body,
                status, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11)",
        )
        .bind(id)
        .bind(e.village.as_str())
        .bind(&e.item.key)
        .bind(&e.item.title)
        .bind(e.item.section.as_str())
        .bind(e.item.frequency.as_str())
        .bind(e.period)
        .bind(e.title)
        .bind(e.body)
        .bind(e.by)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()));
        match res {
            Ok(_) => Ok(Some(id)),
            Err(e) if super::is_unique_violation(&e, "disclosures_period_key") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The demo's history only: an entry published at a past instant.
    pub async fn insert_published_disclosure(
        &self,
        e: NewEntryRow<'_>,
        created: DateTime<Utc>,
        published: DateTime<Utc>,
        reviewer: Uuid,
    ) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO disclosures (id, village_code, item_key, item_title, section, frequency, period, title, body,
                status, created_by, created_at, submitted_at, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'published', $10, $11, $11, $12, $13)",
        )
        .bind(id)
        .bind(e.village.as_str())
        .bind(&e.item.key)
        .bind(&e.item.title)
        .bind(e.item.section.as_str())
        .bind(e.item.frequency.as_str())
        .bind(e.period)
        .bind(e.title)
        .bind(e.body)
        .bind(e.by)
        .bind(created)
        .bind(published)
        .bind(reviewer)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(id)
    }

    /// Starts a correction of a published entry: a draft copying its item and period;
    /// `None` when the entry already has a correction (drafted or published).
    pub async fn insert_correction(
        &self,
        original: &Entry,
        frequency: Frequency,
        new: NewVersion<'_>,
        by: Uuid,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        let NewVersion {
            title,
            body,
            reason,
            facts,
        } = new;
        let id = Uuid::new_v4();
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO disclosures (id, village_code, item_key, item_title, section, frequency, period, title, body,
                status, created_by, created_at, corrects, correction_reason, project_id, stage, progress_pct, amount_fen)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11, $12, $13, $14, $15, $16, $17
             WHERE EXISTS (SELECT 1 FROM disclosures WHERE id = $12 AND status = 'published' AND withdrawn_at IS NULL)",
        )
        .bind(id)
        .bind(original.village.as_str())
        .bind(&original.item)
        .bind(&original.item_title)
        .bind(original.section.as_str())
        .bind(frequency.as_str())
        .bind(&original.period)
        .bind(title)
        .bind(body)
        .bind(by)
        .bind(now())
        .bind(original.id)
        .bind(reason)
        .bind(facts.map(|f| f.project))
        .bind(facts.map(|f| f.stage.as_str()))
        .bind(facts.and_then(|f| f.progress_pct).map(i32::from))
        .bind(facts.and_then(|f| f.amount_fen))
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
        match res {
            Ok(1) => Ok(Some(id)),
            Ok(_) => Ok(None),
            Err(e) if super::is_unique_violation(&e, "disclosures_correction_key") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Withholds a published entry by law: its title, text and files are removed for good
    /// (the files' rows now, their bytes with the next storage sweep); its row stays with
    /// the tombstone. False when it is not published or already withdrawn.
    pub async fn withdraw_disclosure(
        &self,
        id: Uuid,
        reason: &str,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE disclosures SET title = '', body = '', withdrawn_at = $2, withdrawn_by = $3, withdrawn_reason = $4
                 WHERE id = $1 AND status = 'published' AND withdrawn_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .bind(by)
            .bind(reason)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM disclosure_files WHERE disclosure_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            // secure_delete zeroed the old row in its page; the write-ahead log still holds
            // the page as it was until a checkpoint empties it.
            if let Db::Sqlite(p) = self {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await?;
            }
            Ok(true)
        })
    }

    /// Whether a village has any entry (the demo loads its entries once).
    pub async fn has_disclosures(&self, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM disclosures WHERE village_code = $1")
            .bind(village.as_str())
            .fetch_one(p)
            .await)?;
        Ok(n > 0)
    }

    /// One entry with its files.
    pub async fn disclosure(&self, id: Uuid) -> Result<Option<StoredEntry>, sqlx::Error> {
        let row: Option<EntryRow> = on_pool!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {ENTRY_COLUMNS} WHERE d.id = $1")),
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let mut stored = row.into_stored()?;
        stored.entry.files = self
            .disclosure_files(&[id])
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        stored.entry.questions = self.entry_questions(&[id]).await?.into_iter().map(|(_, q)| q).collect();
        Ok(Some(stored))
    }

    /// A village's entries for periods of a year (periods start with the year), newest
    /// period first; only published ones unless `all`.
    pub async fn disclosures_of(&self, village: &RegionCode, year: i32, all: bool) -> Result<Vec<Entry>, sqlx::Error> {
        let rows: Vec<EntryRow> = on_pool!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {ENTRY_COLUMNS} WHERE d.village_code = $1 AND d.period LIKE $2
                      AND d.project_id IS NULL AND (d.status = 'published' OR $3) ORDER BY d.period DESC, d.created_at DESC")),
        )
        .bind(village.as_str())
        .bind(format!("{year:04}%"))
        .bind(all)
        .fetch_all(p)
        .await)?;
        self.with_files(rows).await
    }

    /// Submitted entries of every village in a region, oldest first: the township's queue.
    pub async fn disclosure_queue(&self, region: &RegionCode) -> Result<Vec<Entry>, sqlx::Error> {
        let rows: Vec<EntryRow> = on_pool!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {ENTRY_COLUMNS} WHERE d.village_code LIKE $1 AND d.status = 'submitted'
                      ORDER BY d.submitted_at, d.id LIMIT 200")),
        )
        .bind(format!("{}%", region.prefix()))
        .fetch_all(p)
        .await)?;
        self.with_files(rows).await
    }

    pub(super) async fn with_files(&self, rows: Vec<EntryRow>) -> Result<Vec<Entry>, sqlx::Error> {
        let mut entries = rows
            .into_iter()
            .map(|r| r.into_stored().map(|s| s.entry))
            .collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
        for (owner, file) in self.disclosure_files(&ids).await? {
            if let Some(e) = entries.iter_mut().find(|e| e.id == owner) {
                e.files.push(file);
            }
        }
        for (owner, q) in self.entry_questions(&ids).await? {
            if let Some(e) = entries.iter_mut().find(|e| e.id == owner) {
                e.questions.push(q);
            }
        }
        Ok(entries)
    }

    /// The files of some entries, oldest first.
    pub async fn disclosure_files(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Attachment)>, sqlx::Error> {
        let rows: Vec<FileRow> = self
            .rows_for_ids(ids, |marks| {
                format!(
                    "SELECT id, disclosure_id, kind, width, height FROM disclosure_files
                     WHERE disclosure_id IN ({marks}) ORDER BY created_at, id"
                )
            })
            .await?;
        rows.into_iter().map(FileRow::into_pair).collect()
    }

    /// A file of an entry: the entry it belongs to and the file.
    pub async fn disclosure_file(&self, id: Uuid) -> Result<Option<(Uuid, Attachment)>, sqlx::Error> {
        let row: Option<FileRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, disclosure_id, kind, width, height FROM disclosure_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        row.map(FileRow::into_pair).transpose()
    }

    /// Removes a file of an entry still in draft; false otherwise.
    pub async fn delete_disclosure_file(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "DELETE FROM disclosure_files WHERE id = $1
               AND disclosure_id IN (SELECT id FROM disclosures WHERE status = 'draft')",
        )
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Changes a draft's text; false when it is not a draft.
    pub async fn update_disclosure(&self, id: Uuid, title: &str, body: &str) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE disclosures SET title = $2, body = $3 WHERE id = $1 AND status = 'draft'",
        )
        .bind(id)
        .bind(title)
        .bind(body)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Deletes a draft (never submitted, or returned); false otherwise.
    pub async fn delete_disclosure(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM disclosures WHERE id = $1 AND status = 'draft'")
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Sends a draft to the township at `at`; false when it is not a draft.
    pub async fn submit_disclosure(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE disclosures SET status = 'submitted', submitted_at = $2, review_note = NULL
             WHERE id = $1 AND status = 'draft'",
        )
        .bind(id)
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Publishes a submitted entry at `at` (the application's clock, which completeness
    /// judges by) or returns it to draft with a note; false when it is not submitted
    /// (someone decided first).
    pub async fn review_disclosure(
        &self,
        id: Uuid,
        approve: bool,
        note: Option<&str>,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let n = if approve {
            on_pool!(self, p => sqlx::query(
                "UPDATE disclosures SET status = 'published', published_at = $2, published_by = $3, review_note = $4
                 WHERE id = $1 AND status = 'submitted'",
            )
            .bind(id)
            .bind(at)
            .bind(by)
            .bind(note)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?
        } else {
            on_pool!(self, p => sqlx::query(
                "UPDATE disclosures SET status = 'draft', review_note = $2, submitted_at = NULL
                 WHERE id = $1 AND status = 'submitted'",
            )
            .bind(id)
            .bind(note)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?
        };
        Ok(n == 1)
    }

    /// Every published entry of the villages in a region with periods in `year`, and every
    /// published ledger month of theirs, as the monthly accounts item counts them.
    pub async fn published_in(&self, region: &RegionCode, year: i32) -> Result<Vec<PublishedRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT village_code, item_key, frequency, period, id, published_at FROM disclosures
             WHERE village_code LIKE $1 AND period LIKE $2 AND status = 'published'
             UNION ALL
             SELECT village_code, $3 AS item_key, 'monthly' AS frequency, month AS period, NULL AS id, published_at
             FROM ledger_months WHERE village_code LIKE $1 AND month LIKE $2 AND status = 'published'
               AND published_at IS NOT NULL",
        )
        .bind(format!("{}%", region.prefix()))
        .bind(format!("{year:04}%"))
        .bind(sunlight_api::catalogue::LEDGER_ITEM)
        .fetch_all(p)
        .await)
    }

    /// The villages of a region with their townships' names, by code.
    pub async fn villages_in(&self, region: &RegionCode) -> Result<Vec<(RegionCode, String, String)>, sqlx::Error> {
        let rows: Vec<(String, String, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT v.code, v.name, t.name FROM regions v LEFT JOIN regions t ON t.code = v.parent_code
             WHERE v.level = 'village' AND v.code LIKE $1 ORDER BY v.code",
        )
        .bind(format!("{}%", region.prefix()))
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(c, n, t)| {
                Ok((
                    RegionCode::parse(&c).map_err(|_| corrupt("region code", &c))?,
                    n,
                    t.unwrap_or_default(),
                ))
            })
            .collect()
    }
}
