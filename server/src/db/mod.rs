//! The database: an embedded SQLite file by default, PostgreSQL when the URL says so.
//!
//! This module is the only place that knows SQL dialects. Queries are written once, in the
//! common subset both engines accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`), and
//! run on whichever pool is live through [`on_pool!`]. Each backend has its own migration
//! folder, because DDL types differ (UUID vs BLOB, TIMESTAMPTZ vs TEXT).

pub mod accounts;
pub mod attachments;
pub mod calendar;
pub mod catalogue;
pub mod codes;
pub mod corrections;
pub mod demands;
pub mod households;
pub mod ledger;
pub mod log;
pub mod oversight;
pub mod polls;
pub mod projects;
pub mod push;
pub mod regions;
pub mod reports;
pub mod sessions;
pub mod wechat;

use std::{path::Path, str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// A connection pool to one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool `db` holds. The body is compiled once
/// per backend, so every query in it must type-check for both.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_pool;

impl Db {
    /// The rows of `sql(marks)` for a list of ids, asked in chunks of at most 100 (`marks`
    /// is `$1, $2, …` for a chunk's ids) so that neither engine meets its limit on
    /// parameters; a page's lists (a year of a village's entries, their files, questions
    /// and payments) hold a few hundred at most.
    pub(super) async fn rows_for_ids<R>(
        &self,
        ids: &[uuid::Uuid],
        sql: impl Fn(&str) -> String,
    ) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut out = Vec::new();
        for chunk in ids.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = sql(&marks.join(", "));
            let rows: Vec<R> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            anyhow::bail!(
                "database URL must start with sqlite: or postgres:// (got {:?})",
                redact_url(url)
            )
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL with any password replaced, safe to print.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Connects and runs the backend's migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let db = match Backend::of_url(url)? {
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .with_context(|| format!("bad SQLite URL {url:?}"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // Deleted content is overwritten, not left in free space (ballots and
                    // anything else that must not outlive its deletion).
                    .pragma("secure_delete", "on")
                    .busy_timeout(Duration::from_secs(10));
                if let Some(dir) = opts.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .with_context(|| format!("cannot open the SQLite database {url:?}"))?;
                Db::Sqlite(pool)
            }
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)
                    .with_context(|| format!("bad PostgreSQL URL {:?}", redact_url(url)))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(opts)
                    .await
                    .with_context(|| format!("cannot reach PostgreSQL at {}", redact_url(url)))?;
                Db::Postgres(pool)
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        }
        .context("database migration failed")?;
        self.upgrade_legacy_ballots()
            .await
            .context("moving ballots into ballot slots failed")?;
        self.ship_calendar()
            .await
            .context("writing the shipped working-day calendar failed")
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The newest migration version applied.
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = true",
        )
        .fetch_one(p)
        .await)
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// The default SQLite URL inside a data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("sunlight.db").display())
}

/// True when a query failed on the named unique constraint (both backends name it the same,
/// because the migrations give every unique constraint an explicit name).
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            // PostgreSQL reports the constraint name; SQLite reports the columns.
            e.constraint() == Some(constraint) || e.message().contains(constraint_columns(constraint))
        }
        _ => false,
    }
}

/// SQLite's unique-violation message names `table.column` pairs instead of the constraint;
/// the constraint names below are the single source of what they guard.
fn constraint_columns(constraint: &str) -> &'static str {
    match constraint {
        "users_mobile_key" => "users.mobile",
        "households_village_number_key" => "households.village_code, households.number",
        "grants_user_role_region_key" => "grants.user_id, grants.role, grants.region_code",
        "reports_lookup_key" => "reports.lookup_hash",
        "reports_idempotency_key" => "reports.idempotency_key",
        "reports_case_key" => "reports.office_code, reports.case_number",
        "demands_number_key" => "demands.number",
        "disclosures_period_key" => "disclosures.village_code, disclosures.item_key, disclosures.period",
        "disclosures_correction_key" => "disclosures.corrects",
        "project_payments_pkey" => "project_payments.line_id",
        "finance_group_members_pkey" => "finance_group_members.village_code, finance_group_members.user_id",
        "ledger_signatures_pkey" => "ledger_signatures.month_id, ledger_signatures.user_id",
        _ => "\u{0}never",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_backends_and_hide_passwords() {
        assert_eq!(Backend::of_url("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgres://u:p@h/db").unwrap(), Backend::Postgres);
        assert!(Backend::of_url("mysql://h/db").is_err());
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert!(!format!("{:#}", Backend::of_url("mysql://u:secret@h").unwrap_err()).contains("secret"));
    }
}

/// The current instant, truncated to milliseconds so that it survives both backends'
/// storage unchanged (SQLite keeps text, PostgreSQL microseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let ms = chrono::Utc::now().timestamp_millis();
    chrono::DateTime::from_timestamp_millis(ms).expect("current time is in range")
}

/// Converts a stored instant to its wire form.
pub fn to_wire(t: chrono::DateTime<chrono::Utc>) -> sunlight_api::Timestamp {
    sunlight_api::Timestamp(t.timestamp_millis())
}

/// Keyset pagination cursors: the sort key of the last row of a page, opaque to clients.
pub mod cursor {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use uuid::Uuid;

    /// Encodes a `(text key, id)` sort position.
    pub fn encode(key: &str, id: Uuid) -> String {
        let mut raw = id.as_bytes().to_vec();
        raw.extend_from_slice(key.as_bytes());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Decodes a cursor; `None` for anything a client tampered with.
    pub fn decode(cursor: &str) -> Option<(String, Uuid)> {
        let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        if raw.len() < 16 {
            return None;
        }
        let id = Uuid::from_slice(&raw[..16]).ok()?;
        let key = String::from_utf8(raw[16..].to_vec()).ok()?;
        Some((key, id))
    }

    #[cfg(test)]
    #[test]
    fn round_trips_and_rejects_garbage() {
        let id = Uuid::new_v4();
        assert_eq!(decode(&encode("户号 12", id)), Some(("户号 12".to_owned(), id)));
        assert_eq!(decode("!!"), None);
        assert_eq!(decode("AAAA"), None);
    }
}
