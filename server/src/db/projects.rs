//! Projects and disposals: the projects themselves, their stages (disclosure entries that
//! name them), the ledger lines linked to them, and villagers' questions on published
//! entries.

use chrono::{DateTime, NaiveDate, Utc};
use sunlight_api::{
    RegionCode, Timestamp,
    catalogue::{Entry, Section},
    fields::mask_name,
    ledger::Question,
    project::{PROJECT_ITEM, Payment, ProjectKind, StageFacts},
};
use uuid::Uuid;

use super::{
    Db,
    catalogue::{ENTRY_COLUMNS, EntryRow},
    ledger::{corrupt, month, region_code, to_date},
    now, on_pool, to_wire,
};

/// A project as stored.
#[derive(Debug, Clone)]
pub struct ProjectRecord {
    pub id: Uuid,
    pub village: RegionCode,
    pub kind: ProjectKind,
    pub title: String,
    pub description: String,
    pub budget_fen: i64,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: Uuid,
    village_code: String,
    kind: String,
    title: String,
    description: String,
    budget_fen: i64,
    created_at: DateTime<Utc>,
}

impl ProjectRow {
    fn into_record(self) -> Result<ProjectRecord, sqlx::Error> {
        Ok(ProjectRecord {
            id: self.id,
            village: region_code(&self.village_code)?,
            kind: ProjectKind::parse(&self.kind).ok_or_else(|| corrupt("project kind", &self.kind))?,
            title: self.title,
            description: self.description,
            budget_fen: self.budget_fen,
            created_at: to_wire(self.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    project_id: Uuid,
    line_id: Uuid,
    month: String,
    entry_date: NaiveDate,
    amount_fen: i64,
    category: String,
    counterparty: String,
    counterparty_is_person: bool,
    invoice_no: Option<String>,
    edition_status: String,
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: Uuid,
    disclosure_id: Uuid,
    question: String,
    asked_at: DateTime<Utc>,
    answer: Option<String>,
    answerer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
}

/// What a new project stores.
pub struct NewProjectRow<'a> {
    pub village: &'a RegionCode,
    pub kind: ProjectKind,
    pub title: &'a str,
    pub description: &'a str,
    pub budget_fen: i64,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

/// What a new stage stores.
pub struct NewStageRow<'a> {
    pub village: &'a RegionCode,
    /// The stage's label (立项, 施工 …), as the entry's item title.
    pub label: &'a str,
    pub date: &'a str,
    pub title: &'a str,
    pub note: &'a str,
    pub facts: &'a StageFacts,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

const PROJECT_COLUMNS: &str = "id, village_code, kind, title, description, budget_fen, created_at";

/// The linked lines' columns, with the status of the edition each line is in (a line of a
/// correction counts once the correction is published).
const PAYMENT_COLUMNS: &str = "pp.project_id, l.id AS line_id, m.month, l.entry_date, l.amount_fen, l.category,
    l.counterparty, l.counterparty_is_person, l.invoice_no, COALESCE(c.status, m.status) AS edition_status
    FROM project_payments pp JOIN ledger_lines l ON l.id = pp.line_id
    JOIN ledger_months m ON m.id = l.month_id
    LEFT JOIN ledger_corrections c ON c.id = l.correction_id";

impl Db {
    pub async fn insert_project(&self, n: NewProjectRow<'_>) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO projects (id, village_code, kind, title, description, budget_fen, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(n.village.as_str())
        .bind(n.kind.as_str())
        .bind(n.title)
        .bind(n.description)
        .bind(n.budget_fen)
        .bind(n.by)
        .bind(n.at)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(id)
    }

    pub async fn project(&self, id: Uuid) -> Result<Option<ProjectRecord>, sqlx::Error> {
        let row: Option<ProjectRow> = on_pool!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1")),
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        row.map(ProjectRow::into_record).transpose()
    }

    /// A village's projects, newest first.
    pub async fn projects_of(&self, village: &RegionCode) -> Result<Vec<ProjectRecord>, sqlx::Error> {
        let rows: Vec<ProjectRow> = on_pool!(self, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {PROJECT_COLUMNS} FROM projects WHERE village_code = $1 ORDER BY created_at DESC, id"
            )),
        )
        .bind(village.as_str())
        .fetch_all(p)
        .await)?;
        rows.into_iter().map(ProjectRow::into_record).collect()
    }

    /// The stages recorded for some projects (every version, drafts too), oldest first,
    /// with their files and questions.
    pub async fn project_stages(&self, projects: &[Uuid]) -> Result<Vec<Entry>, sqlx::Error> {
        let rows: Vec<EntryRow> = self
            .rows_for_ids(projects, |marks| {
                format!("SELECT {ENTRY_COLUMNS} WHERE d.project_id IN ({marks}) ORDER BY d.period, d.created_at, d.id")
            })
            .await?;
        self.with_files(rows).await
    }

    /// Stores a stage as a draft entry of its project.
    pub async fn insert_stage(&self, s: NewStageRow<'_>) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO disclosures (id, village_code, item_key, item_title, section, frequency, period, title, body,
                status, created_by, created_at, project_id, stage, progress_pct, amount_fen)
             VALUES ($1, $2, $3, $4, $5, 'event', $6, $7, $8, 'draft', $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(s.village.as_str())
        .bind(PROJECT_ITEM)
        .bind(s.label)
        .bind(Section::Village.as_str())
        .bind(s.date)
        .bind(s.title)
        .bind(s.note)
        .bind(s.by)
        .bind(s.at)
        .bind(s.facts.project)
        .bind(s.facts.stage.as_str())
        .bind(s.facts.progress_pct.map(i32::from))
        .bind(s.facts.amount_fen)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(id)
    }

    /// The lines linked to some projects, by date, with the project each pays.
    pub async fn project_payments(&self, projects: &[Uuid]) -> Result<Vec<(Uuid, Payment)>, sqlx::Error> {
        let rows: Vec<PaymentRow> = self
            .rows_for_ids(projects, |marks| {
                format!("SELECT {PAYMENT_COLUMNS} WHERE pp.project_id IN ({marks}) ORDER BY l.entry_date, l.id")
            })
            .await?;
        let mut out = Vec::new();
        for r in rows {
            out.push((
                r.project_id,
                Payment {
                    line: r.line_id,
                    month: month(&r.month)?,
                    date: to_date(r.entry_date),
                    amount_fen: r.amount_fen,
                    category: r.category,
                    counterparty: if r.counterparty_is_person {
                        mask_name(&r.counterparty)
                    } else {
                        r.counterparty
                    },
                    invoice_no: r.invoice_no,
                    published: r.edition_status == "published",
                },
            ));
        }
        Ok(out)
    }

    /// The project a line is linked to, if any.
    pub async fn payment_project(&self, line: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT project_id FROM project_payments WHERE line_id = $1")
            .bind(line)
            .fetch_optional(p)
            .await)
    }

    /// Links a line to a project; false when the line is linked already (to any project).
    pub async fn link_payment(&self, project: Uuid, line: Uuid, by: Uuid) -> Result<bool, sqlx::Error> {
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO project_payments (line_id, project_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(line)
        .bind(project)
        .bind(by)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()));
        match res {
            Ok(()) => Ok(true),
            Err(e) if super::is_unique_violation(&e, "project_payments_pkey") => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn unlink_payment(&self, project: Uuid, line: Uuid) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM project_payments WHERE project_id = $1 AND line_id = $2")
            .bind(project)
            .bind(line)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Questions on some entries, oldest first, with the entry each is on.
    pub async fn entry_questions(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, Question)>, sqlx::Error> {
        let rows: Vec<QuestionRow> = self
            .rows_for_ids(ids, |marks| {
                format!(
                    "SELECT q.id, q.disclosure_id, q.question, q.asked_at, q.answer, u.name AS answerer, q.answered_at
                     FROM disclosure_questions q LEFT JOIN users u ON u.id = q.answered_by
                     WHERE q.disclosure_id IN ({marks}) ORDER BY q.asked_at, q.id"
                )
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.disclosure_id,
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

    /// A villager's question on a published entry that stands; false when it does not.
    pub async fn ask_about_entry(
        &self,
        entry: Uuid,
        by: Uuid,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "INSERT INTO disclosure_questions (id, disclosure_id, asked_by, question, asked_at)
             SELECT $1, $2, $3, $4, $5
             WHERE EXISTS (SELECT 1 FROM disclosures WHERE id = $2 AND status = 'published' AND withdrawn_at IS NULL)",
        )
        .bind(Uuid::new_v4())
        .bind(entry)
        .bind(by)
        .bind(text)
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The entry a question is on.
    pub async fn question_entry(&self, question: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT disclosure_id FROM disclosure_questions WHERE id = $1")
            .bind(question)
            .fetch_optional(p)
            .await)
    }

    /// Answers a question once; false when it is answered already.
    pub async fn answer_about_entry(
        &self,
        question: Uuid,
        by: Uuid,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE disclosure_questions SET answer = $1, answered_by = $2, answered_at = $3
             WHERE id = $4 AND answer IS NULL",
        )
        .bind(text)
        .bind(by)
        .bind(at)
        .bind(question)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
