//! The publication log's tables: each county's entries in order, its size, and the heads
//! the server signed (`publication.rs` decides what goes in; this only stores it).

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode, Timestamp,
    published::{EntryKind, LogEntry},
    transparency::TreeHead,
};

use super::{Db, ledger::corrupt, on_pool, to_wire};

#[derive(sqlx::FromRow)]
struct EntryRow {
    kind: String,
    village_code: String,
    subject: String,
    at: DateTime<Utc>,
    content: String,
}

impl EntryRow {
    fn into_entry(self) -> Result<LogEntry, sqlx::Error> {
        Ok(LogEntry {
            kind: EntryKind::parse(&self.kind).ok_or_else(|| corrupt("log entry kind", &self.kind))?,
            village: RegionCode::parse(&self.village_code).map_err(|_| corrupt("region code", &self.village_code))?,
            subject: self.subject,
            at: to_wire(self.at),
            content: self.content,
        })
    }
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    county: String,
    size: i64,
    root: String,
    at: DateTime<Utc>,
    signature: String,
}

impl HeadRow {
    fn into_head(self) -> Result<TreeHead, sqlx::Error> {
        Ok(TreeHead {
            log: RegionCode::parse(&self.county).map_err(|_| corrupt("region code", &self.county))?,
            size: u64::try_from(self.size).map_err(|_| corrupt("log size", &self.size.to_string()))?,
            root: self.root,
            at: to_wire(self.at),
            signature: self.signature,
        })
    }
}

fn instant(t: Timestamp) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp_millis(t.0).ok_or_else(|| corrupt("log time", &t.0.to_string()))
}

impl Db {
    /// Appends `entry` to its county's log and returns its place; `None` when an entry
    /// of the same disclosure is already there (appending is idempotent). The county's
    /// size row is taken first, so concurrent appends queue and places never repeat.
    pub async fn append_log_entry(&self, county: &RegionCode, entry: &LogEntry) -> Result<Option<u64>, sqlx::Error> {
        let at = instant(entry.at)?;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let size: i64 = sqlx::query_scalar(
                "INSERT INTO log_sizes (county, size) VALUES ($1, 1)
                 ON CONFLICT (county) DO UPDATE SET size = log_sizes.size + 1
                 RETURNING size",
            )
            .bind(county.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO log_entries (county, idx, kind, village_code, subject, at, content)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (kind, village_code, subject) DO NOTHING",
            )
            .bind(county.as_str())
            .bind(size - 1)
            .bind(entry.kind.as_str())
            .bind(entry.village.as_str())
            .bind(&entry.subject)
            .bind(at)
            .bind(&entry.content)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            tx.commit().await?;
            Ok(Some((size - 1) as u64))
        })
    }

    /// A county's whole log, in order. A gap in the places is corruption, not skipped.
    pub async fn log_entries(&self, county: &RegionCode) -> Result<Vec<LogEntry>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            idx: i64,
            #[sqlx(flatten)]
            entry: EntryRow,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT idx, kind, village_code, subject, at, content FROM log_entries WHERE county = $1 ORDER BY idx",
        )
        .bind(county.as_str())
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| {
                if r.idx != i as i64 {
                    return Err(corrupt("log place", &r.idx.to_string()));
                }
                r.entry.into_entry()
            })
            .collect()
    }

    /// The counties whose log has entries.
    pub async fn log_counties(&self) -> Result<Vec<RegionCode>, sqlx::Error> {
        let rows: Vec<String> = on_pool!(self, p => sqlx::query_scalar("SELECT county FROM log_sizes ORDER BY county")
            .fetch_all(p)
            .await)?;
        rows.iter()
            .map(|c| RegionCode::parse(c).map_err(|_| corrupt("region code", c)))
            .collect()
    }

    /// The head signed at `size` entries, if one was.
    pub async fn log_head(&self, county: &RegionCode, size: u64) -> Result<Option<TreeHead>, sqlx::Error> {
        let row: Option<HeadRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT county, size, root, at, signature FROM log_heads WHERE county = $1 AND size = $2",
        )
        .bind(county.as_str())
        .bind(size as i64)
        .fetch_optional(p)
        .await)?;
        row.map(HeadRow::into_head).transpose()
    }

    /// The largest head kept for a county.
    pub async fn latest_log_head(&self, county: &RegionCode) -> Result<Option<TreeHead>, sqlx::Error> {
        let row: Option<HeadRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT county, size, root, at, signature FROM log_heads WHERE county = $1 ORDER BY size DESC LIMIT 1",
        )
        .bind(county.as_str())
        .fetch_optional(p)
        .await)?;
        row.map(HeadRow::into_head).transpose()
    }

    /// Keeps a signed head, unless one of that size is kept already (two processes that
    /// sign at once: the first stays, and both then serve it).
    pub async fn keep_log_head(&self, head: &TreeHead) -> Result<(), sqlx::Error> {
        let at = instant(head.at)?;
        on_pool!(self, p => sqlx::query(
            "INSERT INTO log_heads (county, size, root, at, signature) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (county, size) DO NOTHING",
        )
        .bind(head.log.as_str())
        .bind(head.size as i64)
        .bind(&head.root)
        .bind(at)
        .bind(&head.signature)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// The heads kept for a county, by size, after `after` entries, at most `limit`.
    pub async fn log_heads(
        &self,
        county: &RegionCode,
        after: Option<u64>,
        limit: i64,
    ) -> Result<Vec<TreeHead>, sqlx::Error> {
        let rows: Vec<HeadRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT county, size, root, at, signature FROM log_heads
             WHERE county = $1 AND size > $2 ORDER BY size LIMIT $3",
        )
        .bind(county.as_str())
        .bind(after.map_or(-1, |a| a as i64))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        rows.into_iter().map(HeadRow::into_head).collect()
    }

    /// Published months and corrections that have no entry yet (published before the log
    /// existed, or whose logging failed after publication): `(village, month, correction
    /// number)`, oldest first.
    pub async fn unlogged_publications(
        &self,
    ) -> Result<Vec<(RegionCode, sunlight_api::date::Month, Option<u32>)>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            village_code: String,
            month: String,
            seq: Option<i32>,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT village_code, month, seq FROM (
                 SELECT m.village_code, m.month, NULL AS seq, m.published_at
                 FROM ledger_months m
                 WHERE m.status = 'published' AND NOT EXISTS (
                     SELECT 1 FROM log_entries e
                     WHERE e.kind = 'ledger_month' AND e.village_code = m.village_code AND e.subject = m.month)
                 UNION ALL
                 SELECT m.village_code, m.month, c.seq, c.published_at
                 FROM ledger_corrections c JOIN ledger_months m ON m.id = c.month_id
                 WHERE c.status = 'published' AND NOT EXISTS (
                     SELECT 1 FROM log_entries e
                     WHERE e.kind = 'ledger_correction' AND e.village_code = m.village_code
                       AND e.subject = m.month || '/' || CAST(c.seq AS TEXT))
             ) u ORDER BY published_at, village_code, month, seq",
        )
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    RegionCode::parse(&r.village_code).map_err(|_| corrupt("region code", &r.village_code))?,
                    sunlight_api::date::Month::parse(&r.month).map_err(|_| corrupt("month", &r.month))?,
                    r.seq.map(|s| s as u32),
                ))
            })
            .collect()
    }

    /// Published catalogue entries the log lacks an entry of (or, withdrawn, a tombstone
    /// of), oldest first.
    pub async fn unlogged_catalogue_entries(&self) -> Result<Vec<uuid::Uuid>, sqlx::Error> {
        let published: Vec<(uuid::Uuid, Option<chrono::DateTime<chrono::Utc>>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, withdrawn_at FROM disclosures WHERE status = 'published' ORDER BY published_at, id",
        )
        .fetch_all(p)
        .await)?;
        let logged: Vec<(String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT kind, subject FROM log_entries WHERE kind IN ('catalogue_entry', 'tombstone')",
        )
        .fetch_all(p)
        .await)?;
        let logged: std::collections::HashSet<(String, String)> = logged.into_iter().collect();
        Ok(published
            .into_iter()
            .filter(|(id, withdrawn)| {
                let kind = if withdrawn.is_some() {
                    "tombstone"
                } else {
                    "catalogue_entry"
                };
                !logged.contains(&(kind.to_owned(), id.to_string()))
            })
            .map(|(id, _)| id)
            .collect())
    }
}
