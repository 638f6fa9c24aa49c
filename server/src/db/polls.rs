//! Polls with secret ballots. Who voted (`poll_eligible.voted`) and what was voted
//! (`poll_slots`) share no column, and casting a vote inserts no row: every ballot slot is
//! laid down, blank and in random order, when the poll opens, and a vote overwrites one
//! random blank slot in place and flips the voter's flag in place (see ARCHITECTURE.md,
//! "Ballots are secret").

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
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Option(Uuid, Uuid),
    Rating(Uuid, i32),
    Text(Uuid, String),
}

#[derive(Debug)]
pub enum VoteError {
    AlreadyVoted,
    /// A changeable poll: no ballot of this poll carries this voter's token.
    UnknownToken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for VoteError {
    fn from(e: sqlx::Error) -> Self {
        VoteError::Db(e)
    }
}

/// Free text on a ballot: at most this many characters.
pub const TEXT_MAX_CHARS: usize = 500;
/// A text answer's room in a slot: two bytes of length, then UTF-8 padded with zeros.
const TEXT_FIELD: usize = 2 + 4 * TEXT_MAX_CHARS;
/// Every slot's token hash has this length, random until a voter sets theirs.
pub const TOKEN_HASH_LEN: usize = 32;
/// Live results are the tally as it stood when the number of ballots last reached a
/// multiple of this, so what a watcher sees change is always the sum of this many ballots.
pub const LIVE_BATCH: i64 = sunlight_api::poll::MIN_LIVE_BALLOTS;

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored ballot: {what}").into())
}

/// The fixed layout of a poll's ballot slots, so that every slot of a poll has the same
/// size whatever it holds: per question, in order, two bytes (a bitmap of the chosen
/// options), one byte (a rating 1–5, 0 for none), or [`TEXT_FIELD`] bytes (free text).
pub struct BallotLayout<'a> {
    questions: &'a [PollQuestion],
}

impl<'a> BallotLayout<'a> {
    pub fn new(questions: &'a [PollQuestion]) -> Self {
        BallotLayout { questions }
    }

    fn width(q: &PollQuestion) -> usize {
        match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => 2,
            QuestionKind::Rating => 1,
            QuestionKind::Text => TEXT_FIELD,
        }
    }

    pub fn size(&self) -> usize {
        self.questions.iter().map(Self::width).sum()
    }

    /// An unused slot: zeros, the same length as any ballot.
    pub fn blank(&self) -> Vec<u8> {
        vec![0; self.size()]
    }

    /// The answers in the poll's layout. Answers must be validated first (option ids the
    /// question's own, ratings 1–5, texts within [`TEXT_MAX_CHARS`]).
    pub fn encode(&self, answers: &[Answer]) -> Result<Vec<u8>, sqlx::Error> {
        let mut out = Vec::with_capacity(self.size());
        for q in self.questions {
            match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => {
                    let mut bits = 0u16;
                    for a in answers {
                        if let Answer::Option(qid, o) = a
                            && *qid == q.id
                        {
                            let at = q
                                .options
                                .iter()
                                .position(|x| x.id == *o)
                                .ok_or_else(|| corrupt("option"))?;
                            bits |= 1u16.checked_shl(at as u32).ok_or_else(|| corrupt("too many options"))?;
                        }
                    }
                    out.extend_from_slice(&bits.to_le_bytes());
                }
                QuestionKind::Rating => {
                    let r = answers.iter().find_map(|a| match a {
                        Answer::Rating(qid, r) if *qid == q.id => Some(*r),
                        _ => None,
                    });
                    out.push(u8::try_from(r.unwrap_or(0)).map_err(|_| corrupt("rating"))?);
                }
                QuestionKind::Text => {
                    let t = answers
                        .iter()
                        .find_map(|a| match a {
                            Answer::Text(qid, t) if *qid == q.id => Some(t.as_bytes()),
                            _ => None,
                        })
                        .unwrap_or_default();
                    if t.len() > TEXT_FIELD - 2 {
                        return Err(corrupt("text too long"));
                    }
                    out.extend_from_slice(&(t.len() as u16).to_le_bytes());
                    out.extend_from_slice(t);
                    out.resize(out.len() + TEXT_FIELD - 2 - t.len(), 0);
                }
            }
        }
        Ok(out)
    }

    /// Counts the given ballots; free texts sorted, so their order says nothing.
    pub fn tally<B: AsRef<[u8]>>(&self, ballots: &[B]) -> Result<Vec<QuestionResult>, sqlx::Error> {
        let mut out: Vec<QuestionResult> = self
            .questions
            .iter()
            .map(|q| QuestionResult {
                question: q.id,
                votes: vec![0; q.options.len()],
                ratings: vec![0; 5],
                texts: Vec::new(),
            })
            .collect();
        for b in ballots {
            let b = b.as_ref();
            if b.len() != self.size() {
                return Err(corrupt("length"));
            }
            let mut at = 0;
            for (q, r) in self.questions.iter().zip(out.iter_mut()) {
                let field = &b[at..at + Self::width(q)];
                at += field.len();
                match q.kind {
                    QuestionKind::Single | QuestionKind::Multiple => {
                        let bits = u16::from_le_bytes([field[0], field[1]]);
                        if bits >> q.options.len() != 0 {
                            return Err(corrupt("option bit"));
                        }
                        for (i, n) in r.votes.iter_mut().enumerate() {
                            *n += i64::from(bits >> i & 1);
                        }
                    }
                    QuestionKind::Rating => match field[0] {
                        0 => {}
                        v @ 1..=5 => r.ratings[usize::from(v) - 1] += 1,
                        _ => return Err(corrupt("rating")),
                    },
                    QuestionKind::Text => {
                        let n = usize::from(u16::from_le_bytes([field[0], field[1]]));
                        if n > TEXT_FIELD - 2 {
                            return Err(corrupt("text length"));
                        }
                        if n > 0 {
                            let t = std::str::from_utf8(&field[2..2 + n]).map_err(|_| corrupt("text"))?;
                            r.texts.push(t.to_owned());
                        }
                    }
                }
            }
        }
        for r in &mut out {
            r.texts.sort();
        }
        Ok(out)
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// Lays `n` blank slots for a poll, each with a random id and a random token hash.
/// All are alike, so the order they are written in says nothing.
macro_rules! lay_slots {
    ($tx:expr, $poll:expr, $n:expr, $blank:expr) => {
        for _ in 0..$n {
            sqlx::query("INSERT INTO poll_slots (id, poll_id, used, token_hash, answers) VALUES ($1, $2, 0, $3, $4)")
                .bind(Uuid::new_v4())
                .bind($poll)
                .bind(&random_bytes::<TOKEN_HASH_LEN>()[..])
                .bind($blank)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// Overwrites one uniformly random unused slot with a ballot; the `used = 0` in the write
/// makes a concurrent vote that picked the same slot try another.
macro_rules! fill_slot {
    ($tx:expr, $poll:expr, $hash:expr, $blob:expr) => {{
        let mut filled = false;
        for _ in 0..16 {
            let n = sqlx::query(
                "UPDATE poll_slots SET used = 1, token_hash = $2, answers = $3
                 WHERE id = (SELECT id FROM poll_slots WHERE poll_id = $1 AND used = 0 ORDER BY random() LIMIT 1)
                   AND used = 0",
            )
            .bind($poll)
            .bind($hash)
            .bind($blob)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if n == 1 {
                filled = true;
                break;
            }
        }
        if !filled {
            return Err(sqlx::Error::Protocol("no free ballot slot for an eligible voter".into()).into());
        }
    }};
}

/// Exact results of a poll, or the live snapshot: (ballots, eligible, per question).
pub type Tally = (i64, i64, Vec<QuestionResult>);

const SELECT_POLL: &str =
    "SELECT id, region_code, title, per, opens_at, closes_at, live_results, allow_change FROM polls";

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
        qs.into_iter()
            .map(|(qid, kind, prompt, max)| {
                Ok(PollQuestion {
                    id: qid,
                    kind: QuestionKind::parse(&kind).ok_or_else(|| corrupt("question kind"))?,
                    prompt,
                    max_choices: u32::try_from(max).map_err(|_| corrupt("max choices"))?,
                    options: opts
                        .iter()
                        .filter(|(_, q, _)| *q == qid)
                        .map(|(o, _, label)| PollOption {
                            id: *o,
                            label: label.clone(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Polls open to a village, or made by staff of a region (newest first).
    pub async fn polls_for(&self, region: &RegionCode) -> Result<Vec<PollRow>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT_POLL} WHERE id IN (SELECT poll_id FROM poll_villages WHERE village_code LIKE $1)
                OR region_code LIKE $1 ORDER BY opens_at DESC, id"
        ));
        on_pool!(self, p => sqlx::query_as(sql).bind(format!("{}%", region.prefix())).fetch_all(p).await)
    }

    /// Once the poll has opened: fixes the eligible list and lays one blank ballot slot per
    /// eligible person or household, all in one transaction; later calls change nothing.
    pub async fn fix_eligible(&self, poll: &PollRow) -> Result<(), sqlx::Error> {
        if now() < poll.opens_at {
            return Ok(());
        }
        let key = match poll.per() {
            Per::Person => "g.user_id",
            Per::Household => "g.household_id",
        };
        let insert = sqlx::AssertSqlSafe(format!(
            "INSERT INTO poll_eligible (poll_id, voter_key, voted)
             SELECT DISTINCT $1, {key}, 0 FROM grants g
             WHERE g.role = 'villager' AND {key} IS NOT NULL
               AND g.region_code IN (SELECT village_code FROM poll_villages WHERE poll_id = $1)
             ON CONFLICT DO NOTHING"
        ));
        let questions = self.poll_questions(poll.id).await?;
        let blank = BallotLayout::new(&questions).blank();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let claimed = sqlx::query("UPDATE polls SET fixed = true WHERE id = $1 AND fixed = false")
                .bind(poll.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 1 {
                let n = sqlx::query(insert).bind(poll.id).execute(&mut *tx).await?.rows_affected();
                lay_slots!(tx, poll.id, n, &blank);
            }
            tx.commit().await
        })
    }

    /// (eligible, voted) for this person or household.
    pub async fn poll_flags(&self, poll: Uuid, key: Uuid) -> Result<(bool, bool), sqlx::Error> {
        let voted: Option<i32> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT voted FROM poll_eligible WHERE poll_id = $1 AND voter_key = $2",
        )
        .bind(poll)
        .bind(key)
        .fetch_optional(p)
        .await)?;
        match voted {
            None => Ok((false, false)),
            Some(0) => Ok((true, false)),
            Some(1) => Ok((true, true)),
            Some(_) => Err(corrupt("voted flag")),
        }
    }

    /// Marks `key` as voted (on its existing row, `voted = 0` in the write: a second vote of
    /// the same person or household matches nothing) and overwrites a random blank slot
    /// with the ballot, in one transaction. Every `LIVE_BATCH`-th ballot also refreshes
    /// the live snapshot.
    pub async fn cast_ballot(
        &self,
        poll: Uuid,
        key: Uuid,
        token_hash: &[u8; TOKEN_HASH_LEN],
        ballot: &[u8],
        layout: &BallotLayout<'_>,
    ) -> Result<(), VoteError> {
        // On PostgreSQL, votes on one poll take turns, so that each live snapshot counts
        // exactly the ballots before it (SQLite's single writer already does this).
        // (On SQLite a read first would make the transaction's later write fail when another
        // vote commits in between, so the first statement there is the write.)
        let take_turn = self.backend() == super::Backend::Postgres;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if take_turn {
                sqlx::query("SELECT 1 FROM polls WHERE id = $1 FOR UPDATE").bind(poll).execute(&mut *tx).await?;
            }
            let flipped = sqlx::query("UPDATE poll_eligible SET voted = 1 WHERE poll_id = $1 AND voter_key = $2 AND voted = 0")
                .bind(poll)
                .bind(key)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if flipped != 1 {
                return Err(VoteError::AlreadyVoted);
            }
            fill_slot!(tx, poll, &token_hash[..], ballot);
            let blobs: Vec<Vec<u8>> = sqlx::query_scalar("SELECT answers FROM poll_slots WHERE poll_id = $1 AND used = 1")
                .bind(poll)
                .fetch_all(&mut *tx)
                .await?;
            let count = blobs.len() as i64;
            if count % LIVE_BATCH == 0 {
                let tally = serde_json::to_string(&layout.tally(&blobs)?).map_err(|e| sqlx::Error::Encode(e.into()))?;
                sqlx::query(
                    "INSERT INTO poll_live_results (poll_id, ballots, tally) VALUES ($1, $2, $3)
                     ON CONFLICT (poll_id) DO UPDATE SET ballots = excluded.ballots, tally = excluded.tally",
                )
                .bind(poll)
                .bind(count)
                .bind(tally)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces, in place, the ballot that carries this voter's token hash; only someone
    /// recorded as having voted gets here.
    pub async fn replace_ballot(
        &self,
        poll: Uuid,
        token_hash: &[u8; TOKEN_HASH_LEN],
        ballot: &[u8],
    ) -> Result<(), VoteError> {
        on_pool!(self, p => {
            let n = sqlx::query("UPDATE poll_slots SET answers = $3 WHERE poll_id = $1 AND used = 1 AND token_hash = $2")
                .bind(poll)
                .bind(&token_hash[..])
                .bind(ballot)
                .execute(p)
                .await?
                .rows_affected();
            match n {
                0 => Err(VoteError::UnknownToken),
                1 => Ok(()),
                _ => Err(VoteError::Db(corrupt("token hash on several ballots"))),
            }
        })
    }

    /// The exact counts of a poll (for a closed poll).
    pub async fn poll_results(&self, poll: Uuid, questions: &[PollQuestion]) -> Result<Tally, sqlx::Error> {
        let blobs: Vec<Vec<u8>> = on_pool!(self, p => sqlx::query_scalar("SELECT answers FROM poll_slots WHERE poll_id = $1 AND used = 1")
            .bind(poll)
            .fetch_all(p)
            .await)?;
        let eligible = self.poll_eligible_count(poll).await?;
        Ok((
            blobs.len() as i64,
            eligible,
            BallotLayout::new(questions).tally(&blobs)?,
        ))
    }

    /// The live snapshot: the counts as they stood when the number of ballots last reached a
    /// multiple of [`LIVE_BATCH`]; `None` before the first.
    pub async fn poll_live_results(&self, poll: Uuid) -> Result<Option<Tally>, sqlx::Error> {
        let row: Option<(i64, String)> = on_pool!(self, p => sqlx::query_as("SELECT ballots, tally FROM poll_live_results WHERE poll_id = $1")
            .bind(poll)
            .fetch_optional(p)
            .await)?;
        let Some((ballots, tally)) = row else { return Ok(None) };
        let questions = serde_json::from_str(&tally).map_err(|_| corrupt("live tally"))?;
        Ok(Some((ballots, self.poll_eligible_count(poll).await?, questions)))
    }

    /// How many are on a poll's list (households or people), once it is fixed.
    pub async fn poll_eligible_count(&self, poll: Uuid) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1")
            .bind(poll)
            .fetch_one(p)
            .await)
    }
}

/// A legacy answer row: (ballot, question, option, rating, text).
type LegacyAnswer = (Uuid, Uuid, Option<Uuid>, Option<i32>, Option<String>);

impl Db {
    /// Moves ballots stored before ballot slots (one row per ballot and per answer, in
    /// insertion order) into slots laid for each opened poll, with a fresh random token hash
    /// (such ballots can no longer be changed), then drops the old tables. Runs once, after
    /// the migrations; a no-op once the old tables are gone.
    pub async fn upgrade_legacy_ballots(&self) -> Result<(), sqlx::Error> {
        let legacy: bool = match self {
            Db::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'poll_ballots'",
                )
                .fetch_one(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_scalar("SELECT to_regclass('poll_ballots') IS NOT NULL")
                    .fetch_one(p)
                    .await?
            }
        };
        if !legacy {
            return Ok(());
        }
        let polls: Vec<Uuid> =
            on_pool!(self, p => sqlx::query_scalar("SELECT id FROM polls WHERE fixed = true").fetch_all(p).await)?;
        let mut plans = Vec::new();
        for poll in polls {
            let questions = self.poll_questions(poll).await?;
            plans.push((poll, questions));
        }
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for (poll, questions) in &plans {
                let layout = BallotLayout::new(questions);
                let rows: Vec<LegacyAnswer> = sqlx::query_as(
                    "SELECT b.id, a.question_id, a.option_id, a.rating, a.answer_text
                     FROM poll_ballots b LEFT JOIN poll_answers a ON a.ballot_id = b.id WHERE b.poll_id = $1",
                )
                .bind(poll)
                .fetch_all(&mut *tx)
                .await?;
                let mut ballots: std::collections::BTreeMap<Uuid, Vec<Answer>> = std::collections::BTreeMap::new();
                for (ballot, q, option, rating, text) in rows {
                    let answers = ballots.entry(ballot).or_default();
                    match (option, rating, text) {
                        (Some(o), None, None) => answers.push(Answer::Option(q, o)),
                        (None, Some(r), None) => answers.push(Answer::Rating(q, r)),
                        (None, None, Some(t)) => answers.push(Answer::Text(q, t)),
                        _ => {}
                    }
                }
                let eligible: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1")
                    .bind(poll)
                    .fetch_one(&mut *tx)
                    .await?;
                let laid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM poll_slots WHERE poll_id = $1")
                    .bind(poll)
                    .fetch_one(&mut *tx)
                    .await?;
                let blank = layout.blank();
                lay_slots!(tx, poll, (eligible.max(ballots.len() as i64) - laid).max(0), &blank);
                for answers in ballots.values() {
                    let blob = layout.encode(answers)?;
                    fill_slot!(tx, poll, &random_bytes::<TOKEN_HASH_LEN>()[..], &blob);
                }
            }
            sqlx::query("DROP TABLE poll_answers").execute(&mut *tx).await?;
            sqlx::query("DROP TABLE poll_ballots").execute(&mut *tx).await?;
            tx.commit().await
        })?;
        // The old tables' pages, in insertion order, would otherwise linger on SQLite's
        // free list and in the write-ahead log: rebuild the file and empty the log.
        if let Db::Sqlite(p) = self {
            sqlx::query("VACUUM").execute(p).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await?;
        }
        Ok(())
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
