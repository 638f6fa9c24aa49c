//! Demands (诉求). A demand's row says where it stands; `demand_events` is its history,
//! inserted and never changed. Every step is one transaction whose first write is the
//! demand's row under the version the step was decided on (`WHERE id = $1 AND version =
//! $2`): a step decided on a state that has since changed matches nothing and is refused,
//! on either engine, so two people (or two server processes' clocks) acting at once leave
//! one step, never two.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode, RegionLevel,
    demand::{DemandClass, DemandState, EventKind, Limits, Satisfaction},
    ledger::{Attachment, AttachmentKind},
};
use uuid::Uuid;

use super::{Db, on_pool};

/// Appends a history row at the demand's next sequence number. Runs after the demand's
/// row was written in the same transaction, which serialises steps on the demand.
macro_rules! insert_event {
    ($tx:ident, $demand:expr, $e:expr) => {{
        let e: &NewEvent = $e;
        sqlx::query(
            "INSERT INTO demand_events (id, demand_id, seq, at, kind, actor_id, actor_label, holder_code, note, rating, other_id)
             VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM demand_events WHERE demand_id = $2),
                     $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(Uuid::new_v4())
        .bind($demand)
        .bind(e.at)
        .bind(e.kind.as_str())
        .bind(e.actor)
        .bind(&e.actor_label)
        .bind(e.holder.as_str())
        .bind(&e.note)
        .bind(e.rating.map(|r| r.as_str()))
        .bind(e.other)
        .execute(&mut *$tx)
        .await?;
    }};
}

fn corrupt(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored demand: bad {what} {value:?}").into())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    village_code: String,
    holder_code: String,
    class: String,
    subcategory: String,
    text: String,
    public: bool,
    state: String,
    filer_id: Uuid,
    filed_at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    held_since: Option<DateTime<Utc>>,
    late_since: Option<DateTime<Utc>>,
    overdue: bool,
    reopened: bool,
    closed_at: Option<DateTime<Utc>>,
    merged_into: Option<Uuid>,
    version: i32,
    followers: i64,
}

const COLUMNS: &str = "d.id, d.number, d.village_code, d.holder_code, d.class, d.subcategory, d.text, d.public,
    d.state, d.filer_id, d.filed_at, d.due_at, d.held_since, d.late_since, d.overdue, d.reopened, d.closed_at,
    d.merged_into, d.version, (SELECT COUNT(*) FROM demand_followers f WHERE f.demand_id = d.id) AS followers";

/// A demand as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandRecord {
    pub id: Uuid,
    pub number: String,
    pub village: RegionCode,
    pub holder: RegionCode,
    pub class: DemandClass,
    pub subcategory: String,
    pub text: String,
    pub public: bool,
    pub state: DemandState,
    pub filer: Uuid,
    pub filed_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    /// When its holder got it: what its deadline counts from.
    pub held_since: DateTime<Utc>,
    pub late_since: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub reopened: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub merged_into: Option<Uuid>,
    pub version: i32,
    pub followers: i64,
}

impl DemandRecord {
    pub fn level(&self) -> RegionLevel {
        self.holder.level()
    }

    /// The filing's date in China, as stored for the dashboard.
    pub fn filed_day(&self) -> String {
        crate::demands::china_date(self.filed_at).to_string()
    }

    /// Calendar days from filing to closing (China dates), once closed.
    pub fn closed_days(&self) -> Option<i32> {
        self.closed_at
            .map(|c| crate::demands::china_date(c).days_since(crate::demands::china_date(self.filed_at)) as i32)
    }

    /// Open and late: sent up by the clock at some level, past its holder's limit now, or
    /// (at the city) marked late. What inspectors press and the to-do lists count.
    pub fn overdue_at(&self, now: DateTime<Utc>) -> bool {
        self.state.is_open() && (self.overdue || self.late_since.is_some() || self.due_at.is_some_and(|d| d <= now))
    }
}

impl Row {
    fn into_record(self) -> Result<DemandRecord, sqlx::Error> {
        let region = |s: &str| RegionCode::parse(s).map_err(|_| corrupt("region", s));
        Ok(DemandRecord {
            id: self.id,
            village: region(&self.village_code)?,
            holder: region(&self.holder_code)?,
            class: DemandClass::parse(&self.class).ok_or_else(|| corrupt("class", &self.class))?,
            state: DemandState::parse(&self.state).ok_or_else(|| corrupt("state", &self.state))?,
            number: self.number,
            subcategory: self.subcategory,
            text: self.text,
            public: self.public,
            filer: self.filer_id,
            filed_at: self.filed_at,
            due_at: self.due_at,
            held_since: self.held_since.unwrap_or(self.filed_at),
            late_since: self.late_since,
            overdue: self.overdue,
            reopened: self.reopened,
            closed_at: self.closed_at,
            merged_into: self.merged_into,
            version: self.version,
            followers: self.followers,
        })
    }
}

/// One stored step of a demand's history.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub actor: Option<Uuid>,
    pub actor_label: Option<String>,
    pub holder: RegionCode,
    pub note: Option<String>,
    pub rating: Option<Satisfaction>,
    pub other: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    at: DateTime<Utc>,
    kind: String,
    actor_id: Option<Uuid>,
    actor_label: Option<String>,
    holder_code: String,
    note: Option<String>,
    rating: Option<String>,
    other_id: Option<Uuid>,
}

impl EventRow {
    fn into_record(self) -> Result<EventRecord, sqlx::Error> {
        Ok(EventRecord {
            id: self.id,
            at: self.at,
            kind: EventKind::parse(&self.kind).ok_or_else(|| corrupt("event", &self.kind))?,
            actor: self.actor_id,
            actor_label: self.actor_label,
            holder: RegionCode::parse(&self.holder_code).map_err(|_| corrupt("region", &self.holder_code))?,
            note: self.note,
            rating: self
                .rating
                .map(|r| Satisfaction::parse(&r).ok_or_else(|| corrupt("rating", &r)))
                .transpose()?,
            other: self.other_id,
        })
    }
}

/// A step to record: the demand's new standing and the history's new row.
#[derive(Debug, Clone)]
pub struct StepWrite {
    /// The demand as it will be after the step (its `version` is the one decided on).
    pub after: DemandRecord,
    pub event: NewEvent,
    /// A rating to store with the step (`rate`).
    pub rating: Option<(Uuid, Satisfaction)>,
    /// For a merge: the demand this one joins, whose history gets an `absorbed` row and
    /// whose followers gain this one's.
    pub merge_into: Option<(Uuid, NewEvent)>,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub actor: Option<Uuid>,
    pub actor_label: Option<String>,
    pub holder: RegionCode,
    pub note: Option<String>,
    pub rating: Option<Satisfaction>,
    pub other: Option<Uuid>,
}

/// Why a step was not recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum StepRefused {
    /// The demand changed since the step was decided (someone else acted first).
    Changed,
    /// A merge whose target is no longer open.
    TargetClosed,
    /// The person rated it already.
    AlreadyRated,
}

/// What to list.
#[derive(Debug, Clone)]
pub enum Scope<'a> {
    /// A village's demands that a villager sees: the public ones and those they follow.
    Village { village: &'a RegionCode, user: Uuid },
    /// Every demand of the villages inside a region, for its staff.
    Region(&'a RegionCode),
    /// The demands a region holds now.
    Holder(&'a RegionCode),
    /// Open demands past a limit in a region, longest overdue first.
    Overdue(&'a RegionCode),
    /// The demands a person files or follows.
    Following(Uuid),
}

/// The id of a demand and the person who filed it, for the filing's idempotency.
pub struct Filed {
    pub id: Uuid,
    pub created: bool,
}

impl Db {
    /// A county's working-day limits, the defaults where it set none.
    pub async fn demand_limits(&self, county: &RegionCode) -> Result<Limits, sqlx::Error> {
        let row: Option<(i32, i32, i32, i32)> = on_pool!(self, p => sqlx::query_as(
            "SELECT village, township, county, city FROM demand_limits WHERE county_code = $1",
        )
        .bind(county.as_str())
        .fetch_optional(p)
        .await)?;
        Ok(match row {
            Some((v, t, c, y)) => {
                let n = |x: i32| u32::try_from(x).map_err(|_| corrupt("limit", &x.to_string()));
                Limits {
                    village: n(v)?,
                    township: n(t)?,
                    county: n(c)?,
                    city: n(y)?,
                }
            }
            None => Limits::default(),
        })
    }

    pub async fn set_demand_limits(&self, county: &RegionCode, l: Limits, by: Uuid) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO demand_limits (county_code, village, township, county, city, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (county_code) DO UPDATE SET village = $2, township = $3, county = $4, city = $5,
                 updated_by = $6, updated_at = $7",
        )
        .bind(county.as_str())
        .bind(l.village as i32)
        .bind(l.township as i32)
        .bind(l.county as i32)
        .bind(l.city as i32)
        .bind(by)
        .bind(super::now())
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Files a demand with its first history row and its filer as first follower, once per
    /// (filer, idempotency key): a second call with the same key finds the first.
    pub async fn insert_demand(&self, d: &DemandRecord, key: Uuid, event: &NewEvent) -> Result<Filed, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO demands (id, number, village_code, holder_code, holder_level, class, subcategory, text,
                     public, state, filer_id, idempotency_key, filed_at, due_at, overdue, reopened, filed_day, held_since)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, FALSE, FALSE, $15, $13)
                 ON CONFLICT (filer_id, idempotency_key) DO NOTHING",
            )
            .bind(d.id)
            .bind(&d.number)
            .bind(d.village.as_str())
            .bind(d.holder.as_str())
            .bind(d.holder.level().as_str())
            .bind(d.class.as_str())
            .bind(&d.subcategory)
            .bind(&d.text)
            .bind(d.public)
            .bind(d.state.as_str())
            .bind(d.filer)
            .bind(key)
            .bind(d.filed_at)
            .bind(d.due_at)
            .bind(d.filed_day())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                let id: Uuid = sqlx::query_scalar("SELECT id FROM demands WHERE filer_id = $1 AND idempotency_key = $2")
                    .bind(d.filer)
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                return Ok(Filed { id, created: false });
            }
            sqlx::query("INSERT INTO demand_followers (demand_id, user_id, joined_at, seen_at) VALUES ($1, $2, $3, $3)")
                .bind(d.id)
                .bind(d.filer)
                .bind(d.filed_at)
                .execute(&mut *tx)
                .await?;
            insert_event!(tx, d.id, event);
            tx.commit().await?;
            Ok(Filed { id: d.id, created: true })
        })
    }

    pub async fn demand(&self, id: Uuid) -> Result<Option<DemandRecord>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM demands d WHERE d.id = $1");
        let row: Option<Row> =
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(Row::into_record).transpose()
    }

    /// A page of demands, newest first (overdue: longest overdue first), after `after`
    /// (the last row's filing time and id).
    pub async fn demands(
        &self,
        scope: Scope<'_>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<DemandRecord>, sqlx::Error> {
        /// A value a filter binds, in the order of its `?` marks.
        enum Bind {
            Text(String),
            User(Uuid),
            Now,
            Time(DateTime<Utc>),
            Id(Uuid),
        }
        let range = |r: &RegionCode| {
            vec![
                Bind::Text(format!("{:0<12}", r.prefix())),
                Bind::Text(format!("{:9<12}", r.prefix())),
            ]
        };
        let (filter, mut binds, order) = match &scope {
            Scope::Village { village, user } => (
                "d.village_code = ? AND d.state <> 'merged' AND (d.public = TRUE OR EXISTS
                    (SELECT 1 FROM demand_followers f WHERE f.demand_id = d.id AND f.user_id = ?))",
                vec![Bind::Text(village.as_str().to_owned()), Bind::User(*user)],
                "DESC",
            ),
            Scope::Region(r) => ("d.village_code BETWEEN ? AND ?", range(r), "DESC"),
            Scope::Holder(r) => (
                "d.holder_code = ? AND d.state IN ('filed', 'accepted')",
                vec![Bind::Text(r.as_str().to_owned())],
                "DESC",
            ),
            Scope::Overdue(r) => (
                "d.village_code BETWEEN ? AND ? AND d.state IN ('filed', 'accepted')
                 AND (d.overdue = TRUE OR d.late_since IS NOT NULL OR d.due_at <= ?)",
                range(r).into_iter().chain([Bind::Now]).collect(),
                "ASC",
            ),
            Scope::Following(u) => (
                "EXISTS (SELECT 1 FROM demand_followers f WHERE f.demand_id = d.id AND f.user_id = ?)",
                vec![Bind::User(*u)],
                "DESC",
            ),
        };
        let cmp = if order == "DESC" { "<" } else { ">" };
        let mut filter = filter.to_owned();
        if let Some((at, id)) = after {
            filter.push_str(&format!(
                " AND (d.filed_at {cmp} ? OR (d.filed_at = ? AND d.id {cmp} ?))"
            ));
            binds.extend([Bind::Time(at), Bind::Time(at), Bind::Id(id)]);
        }
        // Number the marks as both engines want them: $1, $2, …
        let mut numbered = String::with_capacity(filter.len() + 8);
        for (i, part) in filter.split('?').enumerate() {
            if i > 0 {
                numbered.push_str(&format!("${i}"));
            }
            numbered.push_str(part);
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM demands d WHERE {numbered} ORDER BY d.filed_at {order}, d.id {order} LIMIT {limit}"
        );
        let rows: Vec<Row> = on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for b in binds {
                q = match b {
                    Bind::Text(t) => q.bind(t),
                    Bind::User(u) | Bind::Id(u) => q.bind(u),
                    Bind::Now => q.bind(now),
                    Bind::Time(t) => q.bind(t),
                };
            }
            q.fetch_all(p).await
        })?;
        rows.into_iter().map(Row::into_record).collect()
    }

    /// Open public demands of a village, for finding one like a new text.
    pub async fn open_public_demands(&self, village: &RegionCode) -> Result<Vec<DemandRecord>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM demands d WHERE d.village_code = $1 AND d.public = TRUE
               AND d.state IN ('filed', 'accepted') ORDER BY d.filed_at DESC LIMIT 200"
        );
        let rows: Vec<Row> =
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(village.as_str()).fetch_all(p).await)?;
        rows.into_iter().map(Row::into_record).collect()
    }

    pub async fn demand_events(&self, id: Uuid) -> Result<Vec<EventRecord>, sqlx::Error> {
        let rows: Vec<EventRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, at, kind, actor_id, actor_label, holder_code, note, rating, other_id
             FROM demand_events WHERE demand_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        rows.into_iter().map(EventRow::into_record).collect()
    }

    /// Whether `user` follows the demand (filed it, joined it, or filed one merged into it).
    pub async fn demand_follower(&self, id: Uuid, user: Uuid) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM demand_followers WHERE demand_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user)
        .fetch_one(p)
        .await)?;
        Ok(n > 0)
    }

    /// Every demand `user` follows, to mark a list's own demands in one query.
    pub async fn followed_by(&self, user: Uuid) -> Result<std::collections::HashSet<Uuid>, sqlx::Error> {
        let ids: Vec<Uuid> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT demand_id FROM demand_followers WHERE user_id = $1",
        )
        .bind(user)
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().collect())
    }

    /// Marks the demand read by a follower now (for the to-do list's "answered" count).
    pub async fn demand_seen(&self, id: Uuid, user: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("UPDATE demand_followers SET seen_at = $3 WHERE demand_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .bind(at)
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Every rating of a demand: (person, rating).
    pub async fn demand_ratings(&self, id: Uuid) -> Result<Vec<(Uuid, Satisfaction)>, sqlx::Error> {
        let rows: Vec<(Uuid, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id, rating FROM demand_ratings WHERE demand_id = $1",
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(u, r)| Ok((u, Satisfaction::parse(&r).ok_or_else(|| corrupt("rating", &r))?)))
            .collect()
    }

    /// Adds a follower to an open demand with a `joined` row; false when it is not open
    /// or they follow it already.
    pub async fn join_demand(&self, id: Uuid, version: i32, user: Uuid, event: &NewEvent) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let open = sqlx::query(
                "UPDATE demands SET version = version + 1 WHERE id = $1 AND version = $2 AND state IN ('filed', 'accepted')",
            )
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if open != 1 {
                return Ok(false);
            }
            let added = sqlx::query(
                "INSERT INTO demand_followers (demand_id, user_id, joined_at, seen_at) VALUES ($1, $2, $3, $3)
                 ON CONFLICT (demand_id, user_id) DO NOTHING",
            )
            .bind(id)
            .bind(user)
            .bind(event.at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added != 1 {
                return Ok(false);
            }
            insert_event!(tx, id, event);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records a step: the demand's row under the version it was decided on, then its
    /// history row (and, for a merge, the target's), in one transaction.
    pub async fn record_step(&self, w: &StepWrite) -> Result<Result<(), StepRefused>, sqlx::Error> {
        let a = &w.after;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let changed = sqlx::query(
                "UPDATE demands SET state = $3, holder_code = $4, holder_level = $5, due_at = $6, late_since = $7,
                     overdue = $8, reopened = $9, closed_at = $10, merged_into = $11, closed_days = $12,
                     held_since = $13, version = version + 1
                 WHERE id = $1 AND version = $2",
            )
            .bind(a.id)
            .bind(a.version)
            .bind(a.state.as_str())
            .bind(a.holder.as_str())
            .bind(a.holder.level().as_str())
            .bind(a.due_at)
            .bind(a.late_since)
            .bind(a.overdue)
            .bind(a.reopened)
            .bind(a.closed_at)
            .bind(a.merged_into)
            .bind(a.closed_days())
            .bind(a.held_since)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Ok(Err(StepRefused::Changed));
            }
            if let Some((user, rating)) = w.rating {
                let stored = sqlx::query(
                    "INSERT INTO demand_ratings (demand_id, user_id, rating, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (demand_id, user_id) DO NOTHING",
                )
                .bind(a.id)
                .bind(user)
                .bind(rating.as_str())
                .bind(w.event.at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if stored != 1 {
                    return Ok(Err(StepRefused::AlreadyRated));
                }
                sqlx::query(
                    "UPDATE demands SET rating_points = rating_points + $2, rating_count = rating_count + 1 WHERE id = $1",
                )
                .bind(a.id)
                .bind(rating.points() as i32)
                .execute(&mut *tx)
                .await?;
            }
            insert_event!(tx, a.id, &w.event);
            if let Some((target, event)) = &w.merge_into {
                let open = sqlx::query(
                    "UPDATE demands SET version = version + 1 WHERE id = $1 AND state IN ('filed', 'accepted')",
                )
                .bind(target)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if open != 1 {
                    return Ok(Err(StepRefused::TargetClosed));
                }
                sqlx::query(
                    "INSERT INTO demand_followers (demand_id, user_id, joined_at, seen_at)
                     SELECT $1, user_id, $3, $3 FROM demand_followers WHERE demand_id = $2
                     ON CONFLICT (demand_id, user_id) DO NOTHING",
                )
                .bind(target)
                .bind(a.id)
                .bind(event.at)
                .execute(&mut *tx)
                .await?;
                insert_event!(tx, *target, event);
            }
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    /// Open demands whose holder's time has run out and that the clock has not marked yet.
    pub async fn demands_past_due(&self, now: DateTime<Utc>) -> Result<Vec<DemandRecord>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM demands d WHERE d.state IN ('filed', 'accepted') AND d.due_at <= $1
               AND d.late_since IS NULL ORDER BY d.due_at LIMIT 500"
        );
        let rows: Vec<Row> =
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).fetch_all(p).await)?;
        rows.into_iter().map(Row::into_record).collect()
    }

    /// Demands `filer` filed on a China date (`YYYY-MM-DD`), other than the one with `key`
    /// (a retry of a demand already filed is not a new one).
    pub async fn demands_filed_on(&self, filer: Uuid, day: &str, key: Uuid) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM demands WHERE filer_id = $1 AND filed_day = $2 AND idempotency_key <> $3",
        )
        .bind(filer)
        .bind(day)
        .bind(key)
        .fetch_one(p)
        .await)
    }

    /// Open demands without a deadline (their holder's limit ran past the calendar's
    /// years when they got it), for the clock to count once the year is added.
    pub async fn undated_demands(&self) -> Result<Vec<DemandRecord>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM demands d WHERE d.state IN ('filed', 'accepted') AND d.due_at IS NULL
               AND d.late_since IS NULL ORDER BY d.held_since LIMIT 500"
        );
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(Row::into_record).collect()
    }

    /// How many open demands wait for the calendar's next year to have a deadline.
    pub async fn count_undated_demands(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM demands WHERE state IN ('filed', 'accepted') AND due_at IS NULL AND late_since IS NULL",
        )
        .fetch_one(p)
        .await)
    }

    /// Sets the deadline of a demand that had none, unless it moved since it was read.
    pub async fn date_demand(&self, id: Uuid, version: i32, due_at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE demands SET due_at = $3, version = version + 1 WHERE id = $1 AND version = $2 AND due_at IS NULL",
        )
        .bind(id)
        .bind(version)
        .bind(due_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1))
    }

    /// Stores a voice note's row (its filer's, while the demand waits to be taken, once);
    /// runs `store` (which publishes the file) before committing. `false`: not allowed now.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_demand_voice<F, Fut>(
        &self,
        id: Uuid,
        demand: Uuid,
        seconds: u32,
        bytes: usize,
        by: Uuid,
        at: DateTime<Utc>,
        store: F,
    ) -> anyhow::Result<bool>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // The demand's row first, as every step takes it.
            let open = sqlx::query(
                "UPDATE demands SET version = version WHERE id = $1 AND state = 'filed' AND filer_id = $2",
            )
            .bind(demand)
            .bind(by)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if open != 1 {
                return Ok(false);
            }
            let added = sqlx::query(
                "INSERT INTO demand_voices (id, demand_id, seconds, bytes, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (demand_id) DO NOTHING",
            )
            .bind(id)
            .bind(demand)
            .bind(seconds as i32)
            .bind(bytes as i64)
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added != 1 {
                return Ok(false);
            }
            store().await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A demand's voice note: its stored file's id and length in seconds.
    pub async fn demand_voice(&self, demand: Uuid) -> Result<Option<(Uuid, u32)>, sqlx::Error> {
        let row: Option<(Uuid, i32)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, seconds FROM demand_voices WHERE demand_id = $1",
        )
        .bind(demand)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|(id, s)| (id, s.max(0) as u32)))
    }

    /// Stores a photo's row with the demand (`result` for what was done), up to `max` per
    /// kind, while the demand is in one of `states`; runs `store` before committing.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_demand_photo<F, Fut>(
        &self,
        demand: Uuid,
        result: bool,
        states: &[DemandState],
        max: i64,
        a: &Attachment,
        by: Uuid,
        at: DateTime<Utc>,
        store: F,
    ) -> anyhow::Result<bool>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let kind = match a.kind {
            AttachmentKind::Image => "image",
            AttachmentKind::Pdf => "pdf",
        };
        let allowed: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // The demand's row first, as every step takes it: a photo and a step that
            // closes the door come one after the other.
            let open = sqlx::query("UPDATE demands SET version = version WHERE id = $1 AND (state = $2 OR state = $3)")
                .bind(demand)
                .bind(allowed.first().copied().unwrap_or(""))
                .bind(allowed.get(1).copied().unwrap_or(""))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if open != 1 {
                return Ok(false);
            }
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM demand_photos WHERE demand_id = $1 AND result = $2")
                .bind(demand)
                .bind(result)
                .fetch_one(&mut *tx)
                .await?;
            if n >= max {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO demand_photos (id, demand_id, result, kind, width, height, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(a.id)
            .bind(demand)
            .bind(result)
            .bind(kind)
            .bind(a.width.map(|w| w as i32))
            .bind(a.height.map(|h| h as i32))
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            store().await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A demand's photos: (photo, is a result photo, uploaded at), oldest first; or the
    /// one photo `id` with its demand.
    pub async fn demand_photos(
        &self,
        demand: Option<Uuid>,
        id: Option<Uuid>,
    ) -> Result<Vec<(Uuid, Attachment, bool, DateTime<Utc>)>, sqlx::Error> {
        type PhotoRow = (Uuid, Uuid, String, Option<i32>, Option<i32>, bool, DateTime<Utc>);
        let rows: Vec<PhotoRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT demand_id, id, kind, width, height, result, created_at FROM demand_photos
             WHERE ($1 IS NULL OR demand_id = $1) AND ($2 IS NULL OR id = $2) AND ($1 IS NOT NULL OR $2 IS NOT NULL)
             ORDER BY created_at, id",
        )
        .bind(demand)
        .bind(id)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(d, id, kind, w, h, result, at)| {
                let size = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
                Ok((
                    d,
                    Attachment {
                        id,
                        kind: match kind.as_str() {
                            "image" => AttachmentKind::Image,
                            "pdf" => AttachmentKind::Pdf,
                            other => return Err(corrupt("photo kind", other)),
                        },
                        width: size(w),
                        height: size(h),
                    },
                    result,
                    at,
                ))
            })
            .collect()
    }
}

/// The dashboard's counts of one (village, class, month) group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatRow {
    pub village_code: String,
    pub class: String,
    /// `01`–`12`, the month of filing in China.
    pub month: String,
    pub received: i64,
    pub closed: i64,
    pub closed_quick: i64,
    pub overdue_now: i64,
    pub unrated_closed: i64,
    /// The ratings' points summed, and how many ratings.
    pub points: i64,
    pub ratings: i64,
}

impl Db {
    /// The demands of the villages inside `region` filed in `year` (China dates), counted
    /// per village, class and month in one query: the dashboard reads a few hundred rows
    /// whatever the number of demands.
    pub async fn demand_stat_rows(
        &self,
        region: &RegionCode,
        year: i32,
        quick_days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<StatRow>, sqlx::Error> {
        let prefix = region.prefix();
        let (lo, hi) = (format!("{prefix:0<12}"), format!("{prefix:9<12}"));
        on_pool!(self, p => sqlx::query_as(
            "SELECT d.village_code, d.class, substr(d.filed_day, 6, 2) AS month,
                    COUNT(*) AS received,
                    SUM(CASE WHEN d.state = 'closed' THEN 1 ELSE 0 END) AS closed,
                    SUM(CASE WHEN d.state = 'closed' AND d.closed_days <= $5 THEN 1 ELSE 0 END) AS closed_quick,
                    SUM(CASE WHEN d.state IN ('filed', 'accepted')
                              AND (d.overdue = TRUE OR d.late_since IS NOT NULL OR d.due_at <= $6) THEN 1 ELSE 0 END) AS overdue_now,
                    SUM(CASE WHEN d.state = 'closed' AND d.rating_count = 0 THEN 1 ELSE 0 END) AS unrated_closed,
                    CAST(SUM(d.rating_points) AS BIGINT) AS points,
                    CAST(SUM(d.rating_count) AS BIGINT) AS ratings
             FROM demands d
             WHERE d.village_code BETWEEN $1 AND $2 AND d.filed_day >= $3 AND d.filed_day < $4 AND d.state <> 'merged'
             GROUP BY d.village_code, d.class, substr(d.filed_day, 6, 2)",
        )
        .bind(lo)
        .bind(hi)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .bind(quick_days as i32)
        .bind(now)
        .fetch_all(p)
        .await)
    }

    /// The to-do counts of one post (role at region) of `user`.
    pub async fn todo_counts(
        &self,
        role: sunlight_api::Role,
        region: &RegionCode,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(sunlight_api::demand::TodoKind, i64)>, sqlx::Error> {
        use sunlight_api::{Role, demand::TodoKind};
        /// What a count's query binds as `$2` after the region (`$1`).
        enum Second {
            Nothing,
            Now,
            User,
        }
        let like = format!("{}%", region.prefix());
        let code = region.as_str().to_owned();
        let unanswered = "SELECT COUNT(*) FROM ledger_questions q JOIN ledger_lines l ON l.id = q.line_id
             JOIN ledger_months m ON m.id = l.month_id WHERE m.village_code = $1 AND q.answer IS NULL";
        let queries: Vec<(TodoKind, &str, String, Second)> = match role {
            Role::Cadre | Role::Handler => {
                let mut q = vec![
                    (
                        TodoKind::NewDemands,
                        "SELECT COUNT(*) FROM demands WHERE holder_code = $1 AND state = 'filed'",
                        code.clone(),
                        Second::Nothing,
                    ),
                    (
                        TodoKind::OverdueDemands,
                        "SELECT COUNT(*) FROM demands WHERE holder_code = $1 AND state IN ('filed', 'accepted')
                           AND (overdue = TRUE OR late_since IS NOT NULL OR due_at <= $2)",
                        code.clone(),
                        Second::Now,
                    ),
                ];
                if role == Role::Cadre {
                    q.push((TodoKind::UnansweredQuestions, unanswered, code.clone(), Second::Nothing));
                }
                q
            }
            Role::Inspector => vec![
                (
                    TodoKind::OverdueToPress,
                    "SELECT COUNT(*) FROM demands WHERE village_code LIKE $1 AND state IN ('filed', 'accepted')
                       AND (overdue = TRUE OR late_since IS NOT NULL OR due_at <= $2)",
                    like.clone(),
                    Second::Now,
                ),
                (
                    TodoKind::ReportsDue,
                    "SELECT COUNT(*) FROM reports WHERE office_code = $1 AND status = 'received'",
                    code.clone(),
                    Second::Nothing,
                ),
            ],
            Role::Accountant => vec![
                (
                    TodoKind::ReturnedLines,
                    "SELECT COUNT(*) FROM ledger_lines l JOIN ledger_months m ON m.id = l.month_id
                     WHERE m.village_code = $1 AND l.status = 'rejected'",
                    code.clone(),
                    Second::Nothing,
                ),
                (TodoKind::UnansweredQuestions, unanswered, code.clone(), Second::Nothing),
            ],
            Role::Reviewer => vec![(
                TodoKind::LinesToReview,
                "SELECT COUNT(*) FROM ledger_lines l JOIN ledger_months m ON m.id = l.month_id
                 WHERE m.village_code LIKE $1 AND m.status = 'submitted' AND l.status = 'pending'",
                like.clone(),
                Second::Nothing,
            )],
            Role::Villager => vec![
                (
                    TodoKind::DemandsToRate,
                    "SELECT COUNT(*) FROM demands d JOIN demand_followers f ON f.demand_id = d.id AND f.user_id = $2
                     WHERE d.village_code = $1 AND d.state = 'closed'
                       AND NOT EXISTS (SELECT 1 FROM demand_ratings r WHERE r.demand_id = d.id AND r.user_id = $2)",
                    code.clone(),
                    Second::User,
                ),
                (
                    TodoKind::DemandAnswers,
                    "SELECT COUNT(*) FROM demands d JOIN demand_followers f ON f.demand_id = d.id AND f.user_id = $2
                     WHERE d.village_code = $1 AND EXISTS (
                       SELECT 1 FROM demand_events e WHERE e.demand_id = d.id AND e.at > f.seen_at
                         AND e.kind IN ('accepted', 'answered', 'closed', 'escalated', 'sent_down', 'overdue', 'merged', 'absorbed'))",
                    code.clone(),
                    Second::User,
                ),
            ],
            Role::Admin => vec![],
        };
        let mut out = Vec::new();
        for (kind, sql, bind, second) in queries {
            let n: i64 = on_pool!(self, p => {
                let q = sqlx::query_scalar(sql).bind(&bind);
                match second {
                    Second::Nothing => q,
                    Second::Now => q.bind(now),
                    Second::User => q.bind(user),
                }
                .fetch_one(p)
                .await
            })?;
            out.push((kind, n));
        }
        Ok(out)
    }
}

/// A demand with its whole history, written at once (the demo's year, the benchmark's data).
pub struct HistoryRow {
    pub demand: DemandRecord,
    pub events: Vec<NewEvent>,
    pub ratings: Vec<(Uuid, Satisfaction, DateTime<Utc>)>,
}

impl Db {
    /// Writes demands with their histories in one transaction (never reachable from the
    /// API: the demo and the benchmark only).
    pub async fn insert_demand_history(&self, rows: &[HistoryRow]) -> Result<(), sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for r in rows {
                let d = &r.demand;
                sqlx::query(
                    "INSERT INTO demands (id, number, village_code, holder_code, holder_level, class, subcategory, text,
                         public, state, filer_id, idempotency_key, filed_at, due_at, late_since, overdue, reopened,
                         closed_at, merged_into, version, filed_day, closed_days, rating_points, rating_count, held_since)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                             $21, $22, $23, $24, $25)",
                )
                .bind(d.id)
                .bind(&d.number)
                .bind(d.village.as_str())
                .bind(d.holder.as_str())
                .bind(d.holder.level().as_str())
                .bind(d.class.as_str())
                .bind(&d.subcategory)
                .bind(&d.text)
                .bind(d.public)
                .bind(d.state.as_str())
                .bind(d.filer)
                .bind(d.id)
                .bind(d.filed_at)
                .bind(d.due_at)
                .bind(d.late_since)
                .bind(d.overdue)
                .bind(d.reopened)
                .bind(d.closed_at)
                .bind(d.merged_into)
                .bind(r.events.len() as i32)
                .bind(d.filed_day())
                .bind(d.closed_days())
                .bind(r.ratings.iter().map(|(_, s, _)| s.points() as i32).sum::<i32>())
                .bind(r.ratings.len() as i32)
                .bind(d.held_since)
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO demand_followers (demand_id, user_id, joined_at, seen_at) VALUES ($1, $2, $3, $3)")
                    .bind(d.id)
                    .bind(d.filer)
                    .bind(d.filed_at)
                    .execute(&mut *tx)
                    .await?;
                for e in &r.events {
                    insert_event!(tx, d.id, e);
                }
                for (user, rating, at) in &r.ratings {
                    sqlx::query("INSERT INTO demand_ratings (demand_id, user_id, rating, at) VALUES ($1, $2, $3, $4)")
                        .bind(d.id)
                        .bind(user)
                        .bind(rating.as_str())
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn count_demands(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM demands").fetch_one(p).await)
    }
}
