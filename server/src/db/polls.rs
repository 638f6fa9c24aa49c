//! Polls with secret ballots. Who voted (`poll_voted`) and what was voted (`poll_ballots`,
//! `poll_answers`) are written in one transaction but share no column: a ballot has a
//! random id, no voter and no time.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    poll::{Per, PollOption, PollQuestion, QuestionKind, QuestionResult},
};
use uuid::Uuid;

use super::{Db, now, on_pool};

/// A poll's settings as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub id: Uuid,
    pub region_code: String,
    pub title: String,
    pub per: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub live_results: bool,
    pub allow_change: bool,
}

impl PollRow {
    pub fn per(&self) -> Per {
        if self.per == "household" {
            Per::Household
        } else {
            Per::Person
        }
    }
}

/// A validated poll to create.
pub struct PollSpec {
    pub title: String,
    pub villages: Vec<RegionCode>,
    pub per: Per,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub live_results: bool,
    pub allow_change: bool,
    /// (kind, prompt, max choices, options)
    pub questions: Vec<(QuestionKind, String, u32, Vec<String>)>,
}

/// One validated answer to store.
pub enum Answer {
    Option(Uuid, Uuid),
    Rating(Uuid, i32),
    Text(Uuid, String),
}

#[derive(Debug)]
pub enum VoteError {
    AlreadyVoted,
    /// A changeable poll: the token matches no ballot of this poll.
    UnknownToken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for VoteError {
    fn from(e: sqlx::Error) -> Self {
        VoteError::Db(e)
    }
}

const SELECT_POLL: &str =
    "SELECT id, region_code, title, per, opens_at, closes_at, live_results, allow_change FROM polls";

macro_rules! insert_answers {
    ($tx:expr, $ballot:expr, $answers:expr) => {
        for a in $answers {
            let (q, option, rating, text): (Uuid, Option<Uuid>, Option<i32>, Option<&str>) = match a {
                Answer::Option(q, o) => (*q, Some(*o), None, None),
                Answer::Rating(q, r) => (*q, None, Some(*r), None),
                Answer::Text(q, t) => (*q, None, None, Some(t.as_str())),
            };
            sqlx::query(
                "INSERT INTO poll_answers (id, ballot_id, question_id, option_id, rating, answer_text)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::new_v4())
            .bind($ballot)
            .bind(q)
            .bind(option)
            .bind(rating)
            .bind(text)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

impl Db {
    pub async fn create_poll(&self, region: &RegionCode, spec: &PollSpec, by: Uuid) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        let per = match spec.per {
            Per::Person => "person",
            Per::Household => "household",
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO polls (id, region_code, title, per, opens_at, closes_at, live_results, allow_change, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(region.as_str())
            .bind(&spec.title)
            .bind(per)
            .bind(spec.opens_at)
            .bind(spec.closes_at)
            .bind(spec.live_results)
            .bind(spec.allow_change)
            .bind(by)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            for v in &spec.villages {
                sqlx::query("INSERT INTO poll_villages (poll_id, village_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(v.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            for (i, (kind, prompt, max, options)) in spec.questions.iter().enumerate() {
                let q = Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO poll_questions (id, poll_id, position, kind, prompt, max_choices) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(q)
                .bind(id)
                .bind(i as i32)
                .bind(kind.as_str())
                .bind(prompt)
                .bind(*max as i32)
                .execute(&mut *tx)
                .await?;
                for (j, label) in options.iter().enumerate() {
                    sqlx::query("INSERT INTO poll_options (id, question_id, position, label) VALUES ($1, $2, $3, $4)")
                        .bind(Uuid::new_v4())
                        .bind(q)
                        .bind(j as i32)
                        .bind(label)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn poll(&self, id: Uuid) -> Result<Option<PollRow>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_POLL} WHERE id = $1"));
        on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)
    }

    pub async fn poll_villages(&self, id: Uuid) -> Result<Vec<String>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT village_code FROM poll_villages WHERE poll_id = $1 ORDER BY village_code")
            .bind(id)
            .fetch_all(p)
            .await)
    }

    pub async fn poll_questions(&self, id: Uuid) -> Result<Vec<PollQuestion>, sqlx::Error> {
        let qs: Vec<(Uuid, String, String, i32)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, kind, prompt, max_choices FROM poll_questions WHERE poll_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        let opts: Vec<(Uuid, Uuid, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT o.id, o.question_id, o.label FROM poll_options o JOIN poll_questions q ON q.id = o.question_id
             WHERE q.poll_id = $1 ORDER BY o.position",
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        Ok(qs
            .into_iter()
            .map(|(qid, kind, prompt, max)| PollQuestion {
                id: qid,
                kind: QuestionKind::parse(&kind).unwrap_or(QuestionKind::Text),
                prompt,
                max_choices: max.max(0) as u32,
                options: opts
                    .iter()
                    .filter(|(_, q, _)| *q == qid)
                    .map(|(o, _, label)| PollOption {
                        id: *o,
                        label: label.clone(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Polls open to a village, or made by staff of a region (newest first).
    pub async fn polls_for(&self, region: &RegionCode) -> Result<Vec<PollRow>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT_POLL} WHERE id IN (SELECT poll_id FROM poll_villages WHERE village_code LIKE $1)
                OR region_code LIKE $1 ORDER BY opens_at DESC, id"
        ));
        on_pool!(self, p => sqlx::query_as(sql).bind(format!("{}%", region.prefix())).fetch_all(p).await)
    }

    /// Fixes the eligible list once the poll has opened; later calls change nothing.
    pub async fn fix_eligible(&self, poll: &PollRow) -> Result<(), sqlx::Error> {
        if now() < poll.opens_at {
            return Ok(());
        }
        let key = match poll.per() {
            Per::Person => "g.user_id",
            Per::Household => "g.household_id",
        };
        let insert = sqlx::AssertSqlSafe(format!(
            "INSERT INTO poll_eligible (poll_id, voter_key)
             SELECT DISTINCT $1, {key} FROM grants g
             WHERE g.role = 'villager' AND {key} IS NOT NULL
               AND g.region_code IN (SELECT village_code FROM poll_villages WHERE poll_id = $1)
             ON CONFLICT DO NOTHING"
        ));
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let claimed = sqlx::query("UPDATE polls SET fixed = true WHERE id = $1 AND fixed = false")
                .bind(poll.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 1 {
                sqlx::query(insert).bind(poll.id).execute(&mut *tx).await?;
            }
            tx.commit().await
        })
    }

    pub async fn poll_flags(&self, poll: Uuid, key: Uuid) -> Result<(bool, bool), sqlx::Error> {
        let eligible: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1 AND voter_key = $2",
        )
        .bind(poll)
        .bind(key)
        .fetch_one(p)
        .await)?;
        let voted: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM poll_voted WHERE poll_id = $1 AND voter_key = $2",
        )
        .bind(poll)
        .bind(key)
        .fetch_one(p)
        .await)?;
        Ok((eligible > 0, voted > 0))
    }

    /// Records that `key` voted and stores the ballot, in one transaction; a second vote of
    /// the same person or household fails on `poll_voted`'s key.
    pub async fn cast_ballot(
        &self,
        poll: Uuid,
        key: Uuid,
        token_hash: Option<&[u8]>,
        answers: &[Answer],
    ) -> Result<(), VoteError> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let res = sqlx::query("INSERT INTO poll_voted (poll_id, voter_key) VALUES ($1, $2)")
                .bind(poll)
                .bind(key)
                .execute(&mut *tx)
                .await;
            match res {
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(VoteError::AlreadyVoted),
                Err(e) => return Err(VoteError::Db(e)),
                Ok(_) => {}
            }
            let ballot = Uuid::new_v4();
            sqlx::query("INSERT INTO poll_ballots (id, poll_id, token_hash) VALUES ($1, $2, $3)")
                .bind(ballot)
                .bind(poll)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            insert_answers!(tx, ballot, answers);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces the answers of the ballot whose token this is.
    pub async fn replace_ballot(&self, poll: Uuid, token_hash: &[u8], answers: &[Answer]) -> Result<(), VoteError> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let ballot: Option<Uuid> = sqlx::query_scalar("SELECT id FROM poll_ballots WHERE poll_id = $1 AND token_hash = $2")
                .bind(poll)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(ballot) = ballot else { return Err(VoteError::UnknownToken) };
            sqlx::query("DELETE FROM poll_answers WHERE ballot_id = $1").bind(ballot).execute(&mut *tx).await?;
            insert_answers!(tx, ballot, answers);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Counts for every question; free texts in a stable but meaningless order (by text).
    pub async fn poll_results(
        &self,
        poll: Uuid,
        questions: &[PollQuestion],
    ) -> Result<(i64, i64, Vec<QuestionResult>), sqlx::Error> {
        let ballots: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM poll_ballots WHERE poll_id = $1")
            .bind(poll)
            .fetch_one(p)
            .await)?;
        let eligible: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1")
            .bind(poll)
            .fetch_one(p)
            .await)?;
        let mut out = Vec::new();
        for q in questions {
            let by_option: Vec<(Option<Uuid>, Option<i32>, i64)> = on_pool!(self, p => sqlx::query_as(
                "SELECT option_id, rating, COUNT(*) FROM poll_answers WHERE question_id = $1 AND answer_text IS NULL
                 GROUP BY option_id, rating",
            )
            .bind(q.id)
            .fetch_all(p)
            .await)?;
            let texts: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
                "SELECT answer_text FROM poll_answers WHERE question_id = $1 AND answer_text IS NOT NULL ORDER BY answer_text",
            )
            .bind(q.id)
            .fetch_all(p)
            .await)?;
            let votes = q
                .options
                .iter()
                .map(|o| {
                    by_option
                        .iter()
                        .filter(|(id, _, _)| *id == Some(o.id))
                        .map(|r| r.2)
                        .sum()
                })
                .collect();
            let ratings = (1..=5)
                .map(|r| {
                    by_option
                        .iter()
                        .filter(|(_, rating, _)| *rating == Some(r))
                        .map(|r| r.2)
                        .sum()
                })
                .collect();
            out.push(QuestionResult {
                question: q.id,
                votes,
                ratings,
                texts,
            });
        }
        Ok((ballots, eligible, out))
    }
}

/// A poll document as stored: (id, poll, kind, width, height).
type DocumentRow = (Uuid, Uuid, String, Option<i32>, Option<i32>);

impl Db {
    /// The documents of a poll, oldest first; or, with `one`, that document and its poll.
    pub async fn poll_documents(
        &self,
        poll: Option<Uuid>,
        one: Option<Uuid>,
    ) -> Result<Vec<(Uuid, sunlight_api::ledger::Attachment)>, sqlx::Error> {
        let rows: Vec<DocumentRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, poll_id, kind, width, height FROM poll_documents
             WHERE ($1 IS NULL OR poll_id = $1) AND ($2 IS NULL OR id = $2) ORDER BY created_at, id",
        )
        .bind(poll)
        .bind(one)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, poll, kind, w, h)| {
                let kind = if kind == "pdf" {
                    sunlight_api::ledger::AttachmentKind::Pdf
                } else {
                    sunlight_api::ledger::AttachmentKind::Image
                };
                let a = sunlight_api::ledger::Attachment {
                    id,
                    kind,
                    width: w.map(|v| v.max(0) as u32),
                    height: h.map(|v| v.max(0) as u32),
                };
                (poll, a)
            })
            .collect())
    }
}
