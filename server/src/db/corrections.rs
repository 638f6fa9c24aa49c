//! Corrections (更正) of published months: lines found after a month was published are
//! entered into a correction, which the township reviews, seals and publishes like a month.
//! The month and its own lines never change; a month has at most one open correction.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    ledger::{Kind, MonthStatus, QueueItem},
};
use uuid::Uuid;

use super::{Db, now, on_pool};

/// A stored correction.
#[derive(Debug, Clone)]
pub struct CorrectionRecord {
    pub id: Uuid,
    pub seq: i32,
    pub reason: String,
    pub status: MonthStatus,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Why a correction could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenRefused {
    /// The month is not published: its lines can still be entered directly.
    NotPublished,
    /// Another correction of the month is open.
    AlreadyOpen,
}

impl Db {
    /// Opens correction n+1 of a published month. The month's row is locked first, so two
    /// accountants opening at once get one correction and one `AlreadyOpen` (the partial
    /// unique index `ledger_corrections_open_key` guards the same rule).
    pub async fn open_correction(
        &self,
        month_id: Uuid,
        reason: &str,
        by: Uuid,
    ) -> Result<Result<Uuid, OpenRefused>, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let published = sqlx::query("UPDATE ledger_months SET status = status WHERE id = $1 AND status = 'published'")
                .bind(month_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if !published {
                return Ok(Err(OpenRefused::NotPublished));
            }
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM ledger_corrections WHERE month_id = $1 AND status <> 'published'",
            )
            .bind(month_id)
            .fetch_one(&mut *tx)
            .await?;
            if open > 0 {
                return Ok(Err(OpenRefused::AlreadyOpen));
            }
            sqlx::query(
                "INSERT INTO ledger_corrections (id, month_id, seq, reason, status, created_by, created_at)
                 SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, 'draft', $4, $5
                 FROM ledger_corrections WHERE month_id = $2",
            )
            .bind(id)
            .bind(month_id)
            .bind(reason)
            .bind(by)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Ok(id))
        })
    }

    /// A month's corrections, oldest first.
    pub async fn corrections(&self, month_id: Uuid) -> Result<Vec<CorrectionRecord>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            seq: i32,
            reason: String,
            status: String,
            created_at: DateTime<Utc>,
            published_at: Option<DateTime<Utc>>,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, seq, reason, status, created_at, published_at FROM ledger_corrections
             WHERE month_id = $1 ORDER BY seq",
        )
        .bind(month_id)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(CorrectionRecord {
                    status: MonthStatus::parse(&r.status)
                        .ok_or_else(|| super::ledger::corrupt("correction status", &r.status))?,
                    id: r.id,
                    seq: r.seq,
                    reason: r.reason,
                    created_at: r.created_at,
                    published_at: r.published_at,
                })
            })
            .collect()
    }

    /// The month's open correction, if any.
    pub async fn open_correction_of(&self, month_id: Uuid) -> Result<Option<CorrectionRecord>, sqlx::Error> {
        Ok(self
            .corrections(month_id)
            .await?
            .into_iter()
            .find(|c| c.status != MonthStatus::Published))
    }

    /// Draft → submitted; false if it was not a draft.
    pub async fn submit_correction(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE ledger_corrections SET status = 'submitted', submitted_at = $1 WHERE id = $2 AND status = 'draft'",
        )
        .bind(now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Submitted → published, only while it has lines and every one is sealed; false
    /// otherwise. Locks the correction's row first, as every write to its lines does.
    pub async fn publish_correction(&self, id: Uuid, by: Uuid) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE ledger_corrections SET status = status WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(
                "UPDATE ledger_corrections SET status = 'published', published_at = $1, published_by = $2
                 WHERE id = $3 AND status = 'submitted'
                   AND EXISTS (SELECT 1 FROM ledger_lines WHERE correction_id = $3)
                   AND NOT EXISTS (SELECT 1 FROM ledger_lines WHERE correction_id = $3 AND status <> 'approved')",
            )
            .bind(now())
            .bind(by)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Submitted corrections of the villages inside `region`, as review-queue items.
    pub async fn correction_queue(&self, region: &RegionCode) -> Result<Vec<QueueItem>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            village_code: String,
            village_name: String,
            month: String,
            seq: i32,
            submitted_at: DateTime<Utc>,
            pending: i64,
            approved: i64,
            rejected: i64,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.village_code, v.name AS village_name, m.month, c.seq, c.submitted_at,
                COALESCE(SUM(CASE WHEN l.status = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
                COALESCE(SUM(CASE WHEN l.status = 'approved' THEN 1 ELSE 0 END), 0) AS approved,
                COALESCE(SUM(CASE WHEN l.status = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected
             FROM ledger_corrections c
             JOIN ledger_months m ON m.id = c.month_id
             JOIN regions v ON v.code = m.village_code
             LEFT JOIN ledger_lines l ON l.correction_id = c.id
             WHERE c.status = 'submitted' AND m.village_code LIKE $1
             GROUP BY m.village_code, v.name, m.month, c.seq, c.submitted_at
             ORDER BY c.submitted_at, m.village_code",
        )
        .bind(format!("{}%", region.prefix()))
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(QueueItem {
                    village: RegionCode::parse(&r.village_code)
                        .map_err(|_| super::ledger::corrupt("region code", &r.village_code))?,
                    village_name: r.village_name,
                    month: sunlight_api::date::Month::parse(&r.month)
                        .map_err(|_| super::ledger::corrupt("month", &r.month))?,
                    pending: r.pending,
                    approved: r.approved,
                    rejected: r.rejected,
                    // Duplicate numbers are flagged on each line as the reviewer opens it.
                    duplicate_invoices: 0,
                    submitted_at: super::to_wire(r.submitted_at),
                    correction: Some(r.seq as u32),
                })
            })
            .collect()
    }
}

/// Income and expense of a set of lines.
pub fn totals(lines: &[sunlight_api::ledger::Line]) -> (i64, i64) {
    let sum = |k: Kind| lines.iter().filter(|l| l.kind == k).map(|l| l.amount_fen).sum::<i64>();
    (sum(Kind::Income), sum(Kind::Expense))
}
