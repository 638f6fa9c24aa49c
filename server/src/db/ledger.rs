//! The village ledger: months, lines, review and the township's seal.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sunlight_api::{
    RegionCode,
    date::{Date, Month},
    ledger::{Kind, Line, LineStatus, MonthStatus, MonthSummary, Question, QueueItem, Seal},
};
use uuid::Uuid;

use super::{Db, attachments::Scope, now, on_pool, to_wire};

/// A line's fields after validation, ready to store.
pub struct LineFields {
    pub date: Date,
    pub kind: Kind,
    pub amount_fen: i64,
    pub category: String,
    pub counterparty: String,
    pub counterparty_is_person: bool,
    pub invoice_no: Option<String>,
    pub note: Option<String>,
}

/// Who entered and sealed a month brought in from the past, when, and why its spending
/// carries no invoice files.
pub struct PastReview<'a> {
    pub accountant: Uuid,
    pub reviewer: Uuid,
    pub at: DateTime<Utc>,
    pub no_invoice_reason: &'a str,
}

/// A stored month.
#[derive(Debug, Clone)]
pub struct MonthRecord {
    pub id: Uuid,
    pub status: MonthStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted before the month ended, on purpose.
    pub closed_early: bool,
    pub published_at: Option<DateTime<Utc>>,
}

/// Where a line lives, for authorization and state checks.
#[derive(Debug, Clone)]
pub struct LinePlace {
    pub month_id: Uuid,
    pub village: RegionCode,
    pub month: Month,
    /// The state of the line's edition: its month's, or, for a line a correction added,
    /// that correction's.
    pub edition_status: MonthStatus,
    pub line_status: LineStatus,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    correction_id: Option<Uuid>,
    entry_date: NaiveDate,
    kind: String,
    amount_fen: i64,
    category: String,
    counterparty: String,
    counterparty_is_person: bool,
    invoice_no: Option<String>,
    note: Option<String>,
    status: String,
    reject_reason: Option<String>,
    no_invoice_reason: Option<String>,
    reviewed_at: Option<DateTime<Utc>>,
    reviewer_name: Option<String>,
    township_name: Option<String>,
    duplicates: i64,
}

pub(super) fn to_date(d: NaiveDate) -> Date {
    Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

fn from_date(d: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day).expect("a parsed Date is a real day")
}

/// A stored value that does not parse: the row is corrupt, and reading it is an error
/// (logged, and answered as an internal error), never a default.
pub(super) fn corrupt(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("corrupt stored {what}: {value:?}").into())
}

fn month_status(s: &str) -> Result<MonthStatus, sqlx::Error> {
    MonthStatus::parse(s).ok_or_else(|| corrupt("month status", s))
}

fn line_status(s: &str) -> Result<LineStatus, sqlx::Error> {
    LineStatus::parse(s).ok_or_else(|| corrupt("line status", s))
}

pub(super) fn month(s: &str) -> Result<Month, sqlx::Error> {
    Month::parse(s).map_err(|_| corrupt("month", s))
}

pub(super) fn region_code(s: &str) -> Result<RegionCode, sqlx::Error> {
    RegionCode::parse(s).map_err(|_| corrupt("region code", s))
}

impl LineRow {
    fn into_wire(self) -> Result<Line, sqlx::Error> {
        let status = line_status(&self.status)?;
        let seal = match (status, self.reviewed_at, self.reviewer_name, self.township_name) {
            (LineStatus::Approved, Some(at), Some(reviewer), Some(township)) => Some(Seal {
                township,
                reviewer,
                at: to_wire(at),
            }),
            _ => None,
        };
        Ok(Line {
            id: self.id,
            date: to_date(self.entry_date),
            kind: Kind::parse(&self.kind).ok_or_else(|| corrupt("line kind", &self.kind))?,
            amount_fen: self.amount_fen,
            category: self.category,
            counterparty: self.counterparty,
            counterparty_is_person: self.counterparty_is_person,
            invoice_no: self.invoice_no,
            note: self.note,
            status,
            reject_reason: self.reject_reason,
            seal,
            no_invoice_reason: self.no_invoice_reason,
            duplicate_invoice: self.duplicates > 0,
            attachments: Vec::new(),
            questions: Vec::new(),
        })
    }
}

/// Lines with the reviewer's name, the township's name, and how many other lines in the
/// same county carry the same invoice number.
const SELECT_LINES: &str =
    "SELECT l.id, l.correction_id, l.entry_date, l.kind, l.amount_fen, l.category, l.counterparty,
        l.counterparty_is_person, l.invoice_no, l.note, l.status, l.reject_reason, l.no_invoice_reason, l.reviewed_at,
        u.name AS reviewer_name, t.name AS township_name,
        (SELECT COUNT(*) FROM ledger_lines o JOIN ledger_months om ON om.id = o.month_id
          WHERE l.invoice_no IS NOT NULL AND o.invoice_no = l.invoice_no AND o.id <> l.id
            AND substr(om.village_code, 1, 6) = substr(m.village_code, 1, 6)) AS duplicates
     FROM ledger_lines l
     JOIN ledger_months m ON m.id = l.month_id
     JOIN regions v ON v.code = m.village_code
     LEFT JOIN regions t ON t.code = v.parent_code
     LEFT JOIN users u ON u.id = l.reviewed_by";

/// Inserts one line inside a caller's transaction: entered lines start pending; lines
/// brought in from the past arrive already sealed.
macro_rules! insert_line {
    ($exec:expr, $id:expr, $month:expr, $correction:expr, $f:expr, $status:expr, $reviewer:expr, $reviewed_at:expr, $by:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO ledger_lines (id, month_id, correction_id, entry_date, kind, amount_fen, category, counterparty,
                counterparty_is_person, invoice_no, note, status, reviewed_by, reviewed_at, created_by, created_at)
             VALUES ($1, $2, $16, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind($id)
        .bind($month)
        .bind(from_date($f.date))
        .bind($f.kind.as_str())
        .bind($f.amount_fen)
        .bind(&$f.category)
        .bind(&$f.counterparty)
        .bind($f.counterparty_is_person)
        .bind(&$f.invoice_no)
        .bind(&$f.note)
        .bind($status.as_str())
        .bind($reviewer)
        .bind($reviewed_at)
        .bind($by)
        .bind($at)
        .bind($correction)
        .execute($exec)
        .await
    };
}

/// Inside a caller's transaction: locks a month's row if it is not published, and says
/// whether it did. Every write to a month's lines starts here and publication takes the
/// same lock, so a line can never be written into a month that is being published: on
/// PostgreSQL the row lock orders the two, on SQLite the write lock does.
macro_rules! lock_open_month {
    ($exec:expr, $month:expr) => {
        sqlx::query("UPDATE ledger_months SET status = status WHERE id = $1 AND status <> 'published'")
            .bind($month)
            .execute($exec)
            .await?
            .rows_affected()
            == 1
    };
}

/// The same for a correction (更正) of a published month: its lines are written under
/// its row's lock, which its publication takes too.
macro_rules! lock_open_correction {
    ($exec:expr, $correction:expr) => {
        sqlx::query("UPDATE ledger_corrections SET status = status WHERE id = $1 AND status <> 'published'")
            .bind($correction)
            .execute($exec)
            .await?
            .rows_affected()
            == 1
    };
}

/// [`lock_open_month!`] for the edition of a line: its month, or the correction that
/// added it. Says whether that edition is open (and now locked).
macro_rules! lock_open_edition_of_line {
    ($exec:expr, $line:expr) => {
        sqlx::query(
            "UPDATE ledger_months SET status = status
             WHERE id = (SELECT month_id FROM ledger_lines WHERE id = $1 AND correction_id IS NULL)
               AND status <> 'published'",
        )
        .bind($line)
        .execute(&mut *$exec)
        .await?
        .rows_affected()
            + sqlx::query(
                "UPDATE ledger_corrections SET status = status
                 WHERE id = (SELECT correction_id FROM ledger_lines WHERE id = $1) AND status <> 'published'",
            )
            .bind($line)
            .execute(&mut *$exec)
            .await?
            .rows_affected()
            == 1
    };
}
pub(super) use lock_open_edition_of_line;

impl Db {
    pub async fn ledger_month(&self, village: &RegionCode, month: Month) -> Result<Option<MonthRecord>, sqlx::Error> {
        #[allow(clippy::type_complexity)]
        let row: Option<(Uuid, String, Option<DateTime<Utc>>, bool, Option<DateTime<Utc>>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, status, submitted_at, closed_early, published_at FROM ledger_months WHERE village_code = $1 AND month = $2",
        )
        .bind(village.as_str())
        .bind(month.to_string())
        .fetch_optional(p)
        .await)?;
        row.map(|(id, status, submitted_at, closed_early, published_at)| {
            Ok(MonthRecord {
                id,
                status: month_status(&status)?,
                submitted_at,
                closed_early,
                published_at,
            })
        })
        .transpose()
    }

    /// The month's record, created as a draft if it does not exist yet.
    pub async fn ensure_ledger_month(&self, village: &RegionCode, month: Month) -> Result<MonthRecord, sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO ledger_months (id, village_code, month, status) VALUES ($1, $2, $3, 'draft')
             ON CONFLICT (village_code, month) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(village.as_str())
        .bind(month.to_string())
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(self
            .ledger_month(village, month)
            .await?
            .expect("the month row exists now"))
    }

    /// Every line of a month, each with the correction that added it (`None`: the month's
    /// own), in one query, with the attachments and questions of them all.
    pub async fn month_lines(&self, month_id: Uuid) -> Result<Vec<(Option<Uuid>, Line)>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT_LINES} WHERE l.month_id = $1 ORDER BY l.entry_date, l.created_at, l.id"
        ));
        let rows: Vec<LineRow> = on_pool!(self, p => sqlx::query_as(sql).bind(month_id).fetch_all(p).await)?;
        let mut lines = rows
            .into_iter()
            .map(|r| Ok((r.correction_id, r.into_wire()?)))
            .collect::<Result<Vec<(Option<Uuid>, Line)>, sqlx::Error>>()?;
        for a in self.attachments_of(Scope::Month(month_id)).await? {
            if let Some((_, l)) = lines.iter_mut().find(|(_, l)| l.id == a.line_id) {
                l.attachments.push(a.attachment);
            }
        }
        for (line, q) in self.questions_of(Scope::Month(month_id)).await? {
            if let Some((_, l)) = lines.iter_mut().find(|(_, l)| l.id == line) {
                l.questions.push(q);
            }
        }
        Ok(lines)
    }

    pub async fn ledger_line(&self, id: Uuid) -> Result<Option<Line>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_LINES} WHERE l.id = $1"));
        let row: Option<LineRow> = on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?;
        let Some(mut line) = row.map(LineRow::into_wire).transpose()? else {
            return Ok(None);
        };
        line.attachments = self
            .attachments_of(Scope::Line(id))
            .await?
            .into_iter()
            .map(|a| a.attachment)
            .collect();
        line.questions = self
            .questions_of(Scope::Line(id))
            .await?
            .into_iter()
            .map(|(_, q)| q)
            .collect();
        Ok(Some(line))
    }

    /// The village, month and states of a line.
    pub async fn line_place(&self, id: Uuid) -> Result<Option<LinePlace>, sqlx::Error> {
        let row: Option<(Uuid, String, String, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.id, m.village_code, m.month, COALESCE(c.status, m.status), l.status
             FROM ledger_lines l JOIN ledger_months m ON m.id = l.month_id
             LEFT JOIN ledger_corrections c ON c.id = l.correction_id
             WHERE l.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        row.map(|(month_id, village, m, ms, ls)| {
            Ok(LinePlace {
                month_id,
                village: region_code(&village)?,
                month: month(&m)?,
                edition_status: month_status(&ms)?,
                line_status: line_status(&ls)?,
            })
        })
        .transpose()
    }

    /// Adds a line to a month that is not published; `None` when it is.
    pub async fn insert_ledger_line(
        &self,
        month_id: Uuid,
        correction: Option<Uuid>,
        f: &LineFields,
        by: Uuid,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        Ok(self
            .insert_ledger_lines(month_id, correction, std::slice::from_ref(f), by)
            .await?
            .map(|ids| ids[0]))
    }

    /// Rewrites a line that is not sealed in a month that is not published; it goes back to
    /// pending review and loses any rejection. False when the line is sealed, its month
    /// published, or it is gone.
    pub async fn update_ledger_line(&self, id: Uuid, f: &LineFields) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if !lock_open_edition_of_line!(tx, id) {
                return Ok(false);
            }
            let n = sqlx::query(
                "UPDATE ledger_lines SET entry_date = $1, kind = $2, amount_fen = $3, category = $4,
                    counterparty = $5, counterparty_is_person = $6, invoice_no = $7, note = $8,
                    status = 'pending', reject_reason = NULL, no_invoice_reason = NULL, reviewed_by = NULL, reviewed_at = NULL
                 WHERE id = $9 AND status <> 'approved'",
            )
            .bind(from_date(f.date))
            .bind(f.kind.as_str())
            .bind(f.amount_fen)
            .bind(&f.category)
            .bind(&f.counterparty)
            .bind(f.counterparty_is_person)
            .bind(&f.invoice_no)
            .bind(&f.note)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Removes a line that is not sealed in a month that is not published; false otherwise.
    pub async fn delete_ledger_line(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if !lock_open_edition_of_line!(tx, id) {
                return Ok(false);
            }
            let n = sqlx::query("DELETE FROM ledger_lines WHERE id = $1 AND status <> 'approved'")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Draft → submitted, after the month ended; false if the month was not a draft.
    pub async fn submit_ledger_month(&self, month_id: Uuid) -> Result<bool, sqlx::Error> {
        self.submit_ledger_month_as(month_id, false).await
    }

    /// Draft → submitted, recording whether it was closed before its month ended; false
    /// if the month was not a draft.
    pub async fn submit_ledger_month_as(&self, month_id: Uuid, closed_early: bool) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE ledger_months SET status = 'submitted', submitted_at = $1, closed_early = $2
             WHERE id = $3 AND status = 'draft'",
        )
        .bind(now())
        .bind(closed_early)
        .bind(month_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Submitted → published, only while every line is approved; false otherwise.
    ///
    /// The month's row is locked first, by the same no-op update every line write starts
    /// with, so the lines are counted only after any write under way has committed (its
    /// line is then seen) and no line write can commit until this one has (it then finds
    /// the month published and changes nothing).
    pub async fn publish_ledger_month(&self, month_id: Uuid, by: Uuid) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE ledger_months SET status = status WHERE id = $1")
                .bind(month_id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(
                "UPDATE ledger_months SET status = 'published', published_at = $1, published_by = $2
                 WHERE id = $3 AND status = 'submitted'
                   AND EXISTS (SELECT 1 FROM ledger_lines WHERE month_id = $3)
                   AND NOT EXISTS (SELECT 1 FROM ledger_lines WHERE month_id = $3 AND status <> 'approved')",
            )
            .bind(now())
            .bind(by)
            .bind(month_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Approves or rejects a pending line of a submitted month; false otherwise. `reason`
    /// is what the accountant must fix when rejecting; when approving, why a spending line
    /// with no invoice attached is sealed all the same, without which such a line is not
    /// sealed (false).
    pub async fn review_ledger_line(
        &self,
        id: Uuid,
        approve: bool,
        reason: Option<&str>,
        reviewer: Uuid,
    ) -> Result<bool, sqlx::Error> {
        let (status, reject_reason, no_invoice_reason) = if approve {
            (LineStatus::Approved, None, reason)
        } else {
            (LineStatus::Rejected, reason, None)
        };
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE ledger_lines SET status = $1, reject_reason = $2, reviewed_by = $3, reviewed_at = $4,
                no_invoice_reason = CASE WHEN kind = 'expense' AND NOT EXISTS
                    (SELECT 1 FROM ledger_attachments a WHERE a.line_id = ledger_lines.id) THEN $6 ELSE NULL END
             WHERE id = $5 AND status = 'pending'
               AND (EXISTS (SELECT 1 FROM ledger_months m
                            WHERE m.id = ledger_lines.month_id AND ledger_lines.correction_id IS NULL AND m.status = 'submitted')
                    OR EXISTS (SELECT 1 FROM ledger_corrections c
                               WHERE c.id = ledger_lines.correction_id AND c.status = 'submitted'))
               AND ($1 <> 'approved' OR kind <> 'expense' OR $6 IS NOT NULL
                    OR EXISTS (SELECT 1 FROM ledger_attachments a WHERE a.line_id = ledger_lines.id))",
        )
        .bind(status.as_str())
        .bind(reject_reason)
        .bind(reviewer)
        .bind(now())
        .bind(id)
        .bind(no_invoice_reason)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// (pending, approved, rejected) lines of a month's own (`correction` `None`) or of
    /// one of its corrections.
    pub async fn line_counts(&self, month_id: Uuid, correction: Option<Uuid>) -> Result<(i64, i64, i64), sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), 0)
             FROM ledger_lines WHERE month_id = $1
               AND (correction_id = $2 OR (correction_id IS NULL AND $2 IS NULL))",
        )
        .bind(month_id)
        .bind(correction)
        .fetch_one(p)
        .await)
    }

    /// The months of a year, with totals (a month's own lines and those of its published
    /// corrections); only published months when `published_only`.
    pub async fn ledger_year(
        &self,
        village: &RegionCode,
        year: i32,
        published_only: bool,
    ) -> Result<Vec<MonthSummary>, sqlx::Error> {
        // CAST: PostgreSQL's SUM of a BIGINT is NUMERIC.
        let rows: Vec<(String, String, i64, i64, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.month, m.status,
                CAST(COALESCE(SUM(CASE WHEN l.kind = 'income' THEN l.amount_fen ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN l.kind = 'expense' THEN l.amount_fen ELSE 0 END), 0) AS BIGINT),
                COUNT(l.id)
             FROM ledger_months m LEFT JOIN ledger_lines l ON l.month_id = m.id
                AND (l.correction_id IS NULL OR EXISTS (SELECT 1 FROM ledger_corrections c
                                                        WHERE c.id = l.correction_id AND c.status = 'published'))
             WHERE m.village_code = $1 AND m.month LIKE $2 AND (m.status = 'published' OR NOT $3)
             GROUP BY m.month, m.status ORDER BY m.month",
        )
        .bind(village.as_str())
        .bind(format!("{year:04}-%"))
        .bind(published_only)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(m, status, income_fen, expense_fen, lines)| {
                Ok(MonthSummary {
                    month: month(&m)?,
                    status: month_status(&status)?,
                    income_fen,
                    expense_fen,
                    lines,
                })
            })
            .collect()
    }

    /// Submitted months of the villages inside `region`, oldest submission first.
    pub async fn review_queue(&self, region: &RegionCode) -> Result<Vec<QueueItem>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            village_code: String,
            village_name: String,
            month: String,
            submitted_at: DateTime<Utc>,
            pending: i64,
            approved: i64,
            rejected: i64,
            duplicates: i64,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.village_code, v.name AS village_name, m.month, m.submitted_at,
                COALESCE(SUM(CASE WHEN l.status = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
                COALESCE(SUM(CASE WHEN l.status = 'approved' THEN 1 ELSE 0 END), 0) AS approved,
                COALESCE(SUM(CASE WHEN l.status = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected,
                COALESCE(SUM(CASE WHEN l.invoice_no IS NOT NULL AND EXISTS (
                    SELECT 1 FROM ledger_lines o JOIN ledger_months om ON om.id = o.month_id
                    WHERE o.invoice_no = l.invoice_no AND o.id <> l.id
                      AND substr(om.village_code, 1, 6) = substr(m.village_code, 1, 6)) THEN 1 ELSE 0 END), 0) AS duplicates
             FROM ledger_months m
             JOIN regions v ON v.code = m.village_code
             LEFT JOIN ledger_lines l ON l.month_id = m.id AND l.correction_id IS NULL
             WHERE m.status = 'submitted' AND m.village_code LIKE $1
             GROUP BY m.village_code, v.name, m.month, m.submitted_at
             ORDER BY m.submitted_at, m.village_code",
        )
        .bind(format!("{}%", region.prefix()))
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(QueueItem {
                    village: region_code(&r.village_code)?,
                    village_name: r.village_name,
                    month: month(&r.month)?,
                    pending: r.pending,
                    approved: r.approved,
                    rejected: r.rejected,
                    duplicate_invoices: r.duplicates,
                    submitted_at: to_wire(r.submitted_at),
                    correction: None,
                })
            })
            .collect()
    }
}

impl Db {
    /// Records a month that was entered, reviewed and published in the past, in one
    /// transaction: for demo data and for bringing in a village's earlier paper ledgers.
    /// Spending lines carry `no_invoice_reason`, as no invoice files come with them.
    pub async fn insert_published_month(
        &self,
        village: &RegionCode,
        month: Month,
        lines: &[LineFields],
        past: PastReview<'_>,
    ) -> Result<Vec<Uuid>, sqlx::Error> {
        let PastReview {
            accountant,
            reviewer,
            at,
            no_invoice_reason,
        } = past;
        let month_id = Uuid::new_v4();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO ledger_months (id, village_code, month, status, submitted_at, published_at, published_by)
                 VALUES ($1, $2, $3, 'published', $4, $4, $5)",
            )
            .bind(month_id)
            .bind(village.as_str())
            .bind(month.to_string())
            .bind(at)
            .bind(reviewer)
            .execute(&mut *tx)
            .await?;
            let mut ids = Vec::with_capacity(lines.len());
            for f in lines {
                let id = Uuid::new_v4();
                ids.push(id);
                insert_line!(&mut *tx, id, month_id, None::<Uuid>, f, LineStatus::Approved, Some(reviewer), Some(at), accountant, at)?;
                if f.kind == Kind::Expense {
                    sqlx::query("UPDATE ledger_lines SET no_invoice_reason = $1 WHERE id = $2")
                        .bind(no_invoice_reason)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Whether a village has any ledger month at all.
    pub async fn has_ledger(&self, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM ledger_months WHERE village_code = $1")
            .bind(village.as_str())
            .fetch_one(p)
            .await)?;
        Ok(n > 0)
    }
}

impl Db {
    /// Adds many lines to a month that is not published (or, with `correction`, to that
    /// correction of a published month while it is not published), in one transaction,
    /// all or none; returns their ids, or `None` when that edition is published.
    pub async fn insert_ledger_lines(
        &self,
        month_id: Uuid,
        correction: Option<Uuid>,
        lines: &[LineFields],
        by: Uuid,
    ) -> Result<Option<Vec<Uuid>>, sqlx::Error> {
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let open = match correction {
                None => lock_open_month!(&mut *tx, month_id),
                Some(c) => lock_open_correction!(&mut *tx, c),
            };
            if !open {
                return Ok(None);
            }
            let mut ids = Vec::with_capacity(lines.len());
            for f in lines {
                let id = Uuid::new_v4();
                ids.push(id);
                insert_line!(&mut *tx, id, month_id, correction, f, LineStatus::Pending, None::<Uuid>, None::<DateTime<Utc>>, by, at)?;
            }
            tx.commit().await?;
            Ok(Some(ids))
        })
    }
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: Uuid,
    line_id: Uuid,
    question: String,
    asked_at: DateTime<Utc>,
    answer: Option<String>,
    answerer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Questions of a month's lines (or of one line), oldest first, with the line each is on.
    pub async fn questions_of(&self, scope: Scope) -> Result<Vec<(Uuid, Question)>, sqlx::Error> {
        let (sql, id) = match scope {
            Scope::Month(id) => (
                "SELECT q.id, q.line_id, q.question, q.asked_at, q.answer, u.name AS answerer, q.answered_at
                 FROM ledger_questions q JOIN ledger_lines l ON l.id = q.line_id
                 LEFT JOIN users u ON u.id = q.answered_by
                 WHERE l.month_id = $1 ORDER BY q.asked_at, q.id",
                id,
            ),
            Scope::Line(id) => (
                "SELECT q.id, q.line_id, q.question, q.asked_at, q.answer, u.name AS answerer, q.answered_at
                 FROM ledger_questions q LEFT JOIN users u ON u.id = q.answered_by
                 WHERE q.line_id = $1 ORDER BY q.asked_at, q.id",
                id,
            ),
        };
        let rows: Vec<QuestionRow> = on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.line_id,
                    Question {
                        id: r.id,
                        question: r.question,
                        asked_at: to_wire(r.asked_at),
                        answer: r.answer,
                        answered_by: r.answerer,
                        answered_at: r.answered_at.map(to_wire),
                    },
                )
            })
            .collect())
    }

    pub async fn ask_question(&self, line: Uuid, by: Uuid, text: &str) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO ledger_questions (id, line_id, asked_by, question, asked_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(line)
        .bind(by)
        .bind(text)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(id)
    }

    /// The line a question is on.
    pub async fn question_line(&self, id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT line_id FROM ledger_questions WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await)
    }

    /// Records the answer; false if the question was answered already.
    pub async fn answer_question(&self, id: Uuid, by: Uuid, text: &str) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE ledger_questions SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answer IS NULL",
        )
        .bind(text)
        .bind(by)
        .bind(now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Db {
    /// A county's configured categories, in order; empty when it uses the defaults.
    pub async fn ledger_categories(&self, county: &str) -> Result<Vec<String>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT name FROM ledger_categories WHERE county_code = $1 ORDER BY position",
        )
        .bind(county)
        .fetch_all(p)
        .await)
    }

    /// Replaces a county's categories.
    pub async fn set_ledger_categories(&self, county: &str, names: &[String]) -> Result<(), sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM ledger_categories WHERE county_code = $1")
                .bind(county)
                .execute(&mut *tx)
                .await?;
            for (i, name) in names.iter().enumerate() {
                sqlx::query("INSERT INTO ledger_categories (county_code, position, name) VALUES ($1, $2, $3)")
                    .bind(county)
                    .bind(i as i32)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }
}

/// A person's payment in a published edition, for 我的补助: `(line, month, date, category,
/// counterparty, amount, note)`.
pub type PaidLine = (Uuid, Month, Date, String, String, i64, Option<String>);

impl Db {
    /// The spending lines paid to private persons in a village's published months and
    /// published corrections of `year`, by date.
    pub async fn paid_to_persons(&self, village: &RegionCode, year: i32) -> Result<Vec<PaidLine>, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            month: String,
            entry_date: NaiveDate,
            category: String,
            counterparty: String,
            counterparty_is_person: bool,
            amount_fen: i64,
            note: Option<String>,
        }
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT l.id, m.month, l.entry_date, l.category, l.counterparty, l.counterparty_is_person, l.amount_fen, l.note
             FROM ledger_lines l
             JOIN ledger_months m ON m.id = l.month_id
             LEFT JOIN ledger_corrections c ON c.id = l.correction_id
             WHERE m.village_code = $1 AND m.month LIKE $2 AND m.status = 'published' AND l.kind = 'expense'
               AND (l.correction_id IS NULL OR c.status = 'published')
             ORDER BY l.entry_date, l.created_at, l.id",
        )
        .bind(village.as_str())
        .bind(format!("{year:04}-%"))
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .filter(|r| r.counterparty_is_person)
            .map(|r| {
                let month = Month::parse(&r.month).map_err(|_| corrupt("month", &r.month))?;
                Ok((
                    r.id,
                    month,
                    to_date(r.entry_date),
                    r.category,
                    r.counterparty,
                    r.amount_fen,
                    r.note,
                ))
            })
            .collect()
    }
}
