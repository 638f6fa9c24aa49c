//! Private reports (举报) and the offices' key groups. Every column that could say what a
//! report is about holds ciphertext; nothing here records who filed a report.

use chrono::{DateTime, Datelike, Utc};
use sunlight_api::{RegionCode, report::ReportStatus};
use uuid::Uuid;

use super::{Db, is_unique_violation, now, on_pool};

/// Writes an office key row inside the transaction `$tx`, on either engine.
macro_rules! insert_office_key {
    ($tx:expr, $key_id:expr, $office:expr, $key:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO office_keys (id, office_code, public_key, active, created_at, signed_by, signature)
             VALUES ($1, $2, $3, TRUE, $4, $5, $6)",
        )
        .bind($key_id)
        .bind($office.as_str())
        .bind($key.public_key)
        .bind($at)
        .bind($key.signed_by)
        .bind($key.signature)
        .execute(&mut *$tx)
        .await
    };
}

/// Stores a signed admission inside the transaction `$tx`, on either engine.
macro_rules! insert_admission {
    ($tx:expr, $office:expr, $a:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO office_admissions (id, office_code, account_id, public_key, signing_key, admitted_by, signed_at, signature, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::new_v4())
        .bind($office.as_str())
        .bind($a.account_id)
        .bind(&$a.public_key)
        .bind(&$a.signing_key)
        .bind($a.admitted_by)
        .bind($a.signed_at)
        .bind(&$a.signature)
        .bind($at)
        .execute(&mut *$tx)
        .await
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeKeyRow {
    pub id: Uuid,
    pub public_key: Vec<u8>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// The member who made the key pair and their signature over its public key.
    pub signed_by: Option<Uuid>,
    pub signature: Option<Vec<u8>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecoveryRow {
    pub public_key: Vec<u8>,
    /// The recovery code's signing key: the office's root.
    pub signing_key: Option<Vec<u8>>,
}

/// A signed admission, as the browser that signed it sent it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdmissionRow {
    pub account_id: Uuid,
    pub public_key: Vec<u8>,
    pub signing_key: Vec<u8>,
    /// `None` for the recovery key.
    pub admitted_by: Option<Uuid>,
    pub signed_at: i64,
    pub signature: Vec<u8>,
}

/// A new office key pair's public half, with who made it and their signature over it.
pub struct NewOfficeKey<'a> {
    pub public_key: &'a [u8],
    pub signed_by: Uuid,
    pub signature: &'a [u8],
}

/// Why a grant was not stored.
#[derive(Debug)]
pub enum GrantError {
    /// The granter (the recovery key when granting with it) holds no copy of this key.
    KeyNotHeld,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for GrantError {
    fn from(e: sqlx::Error) -> Self {
        GrantError::Db(e)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub account_id: Uuid,
    pub name: String,
    pub public_key: Vec<u8>,
    pub signing_key: Option<Vec<u8>>,
    pub locked_secret: Vec<u8>,
    pub salt: Vec<u8>,
    pub memory_kib: i32,
    pub passes: i32,
    pub head: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WrapRow {
    pub key_id: Uuid,
    pub holder: Uuid,
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub office_code: String,
    pub key_id: Uuid,
    pub sealed_key: Vec<u8>,
    pub filer_key: Vec<u8>,
    pub body: Vec<u8>,
    pub status: String,
    pub case_number: Option<String>,
    pub assignee: Option<Uuid>,
    pub filed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ReportRow {
    pub fn status(&self) -> ReportStatus {
        ReportStatus::parse(&self.status).unwrap_or(ReportStatus::Received)
    }

    pub fn office(&self) -> anyhow::Result<RegionCode> {
        RegionCode::parse(&self.office_code).map_err(|e| anyhow::anyhow!("stored office code: {e}"))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: Uuid,
    pub status: String,
    pub case_number: Option<String>,
    pub assignee_name: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub messages: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub party: String,
    pub body: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: Uuid,
    pub party: String,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessRow {
    pub report_id: Uuid,
    pub case_number: Option<String>,
    pub who: String,
    pub action: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountRow {
    pub office_code: String,
    pub name: String,
    pub status: String,
    pub n: i64,
}

/// A report to store, as the filer's phone made it.
pub struct NewReportRow {
    pub idempotency_key: Uuid,
    pub office: RegionCode,
    pub key_id: Uuid,
    pub sealed_key: Vec<u8>,
    pub filer_key: Vec<u8>,
    pub body: Vec<u8>,
    pub lookup_hash: String,
}

#[derive(Debug)]
pub enum FileError {
    /// The same receipt code with another idempotency key: not a retry.
    LookupTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for FileError {
    fn from(e: sqlx::Error) -> Self {
        FileError::Db(e)
    }
}

const SELECT_REPORT: &str = "SELECT id, office_code, key_id, sealed_key, filer_key, body, status, case_number, assignee, filed_at, updated_at FROM reports";

impl Db {
    pub async fn office_keys(&self, office: &RegionCode) -> Result<Vec<OfficeKeyRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT id, public_key, active, created_at, signed_by, signature FROM office_keys WHERE office_code = $1 ORDER BY created_at, id",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    /// The key that receives an office's new reports, if it has been set up.
    pub async fn active_office_key(&self, office: &RegionCode) -> Result<Option<OfficeKeyRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT id, public_key, active, created_at, signed_by, signature FROM office_keys WHERE office_code = $1 AND active = TRUE",
        )
        .bind(office.as_str())
        .fetch_optional(p)
        .await)
    }

    pub async fn office_recovery(&self, office: &RegionCode) -> Result<Option<RecoveryRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as("SELECT public_key, signing_key FROM office_recovery WHERE office_code = $1")
            .bind(office.as_str())
            .fetch_optional(p)
            .await)
    }

    /// Every stored admission of an office, oldest first.
    pub async fn office_admissions(&self, office: &RegionCode) -> Result<Vec<AdmissionRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT account_id, public_key, signing_key, admitted_by, signed_at, signature
             FROM office_admissions WHERE office_code = $1 ORDER BY created_at, id",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    pub async fn office_members(&self, office: &RegionCode) -> Result<Vec<MemberRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT m.account_id, u.name, m.public_key, m.signing_key, m.locked_secret, m.salt, m.memory_kib, m.passes, m.head
             FROM office_members m JOIN users u ON u.id = m.account_id
             WHERE m.office_code = $1 ORDER BY m.enrolled_at, m.account_id",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    /// Every sealed copy of the office's keys, for every holder.
    pub async fn office_wraps(&self, office: &RegionCode) -> Result<Vec<WrapRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT w.key_id, w.holder, w.sealed FROM office_key_wraps w
             JOIN office_keys k ON k.id = w.key_id WHERE k.office_code = $1",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    /// Enrols (or re-enrols, after a forgotten passphrase) an inspector's own key. A
    /// re-enrolment drops the member's copies of the office keys: a member must let them in
    /// again.
    #[allow(clippy::too_many_arguments)]
    pub async fn enroll_member(
        &self,
        office: &RegionCode,
        account: Uuid,
        public_key: &[u8],
        signing_key: &[u8],
        locked_secret: &[u8],
        salt: &[u8],
        memory_kib: i32,
        passes: i32,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "DELETE FROM office_key_wraps WHERE holder = $1
                 AND key_id IN (SELECT id FROM office_keys WHERE office_code = $2)",
            )
            .bind(account)
            .bind(office.as_str())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO office_members (office_code, account_id, public_key, signing_key, locked_secret, salt, memory_kib, passes, head, enrolled_at)
                 VALUES ($1, $2, $3, $9, $4, $5, $6, $7, FALSE, $8)
                 ON CONFLICT (office_code, account_id) DO UPDATE SET public_key = excluded.public_key,
                   signing_key = excluded.signing_key, locked_secret = excluded.locked_secret, salt = excluded.salt,
                   memory_kib = excluded.memory_kib, passes = excluded.passes",
            )
            .bind(office.as_str())
            .bind(account)
            .bind(public_key)
            .bind(locked_secret)
            .bind(salt)
            .bind(memory_kib)
            .bind(passes)
            .bind(now())
            .bind(signing_key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
    }

    /// Sets up an office's first key pair; its maker becomes the office head, admitted by
    /// the recovery key (`admission`). `false` when the office already has keys.
    #[allow(clippy::too_many_arguments)]
    pub async fn setup_office(
        &self,
        office: &RegionCode,
        head: Uuid,
        key: &NewOfficeKey<'_>,
        recovery_public: &[u8],
        recovery_signing: &[u8],
        my_wrap: &[u8],
        recovery_wrap: &[u8],
        admission: &AdmissionRow,
    ) -> Result<bool, sqlx::Error> {
        let key_id = Uuid::new_v4();
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO office_recovery (office_code, public_key, signing_key, created_at) VALUES ($1, $2, $4, $3)
                 ON CONFLICT (office_code) DO NOTHING",
            )
            .bind(office.as_str())
            .bind(recovery_public)
            .bind(at)
            .bind(recovery_signing)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            insert_office_key!(tx, key_id, office, key, at)?;
            insert_admission!(tx, office, admission, at)?;
            for (holder, sealed) in [(head, my_wrap), (Uuid::nil(), recovery_wrap)] {
                sqlx::query("INSERT INTO office_key_wraps (key_id, holder, sealed) VALUES ($1, $2, $3)")
                    .bind(key_id)
                    .bind(holder)
                    .bind(sealed)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE office_members SET head = TRUE WHERE office_code = $1 AND account_id = $2")
                .bind(office.as_str())
                .bind(head)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Stores a member's copies of the office keys, given by `granter` (the nil id for the
    /// recovery key), with the signed admission that lets them in. Each copy is written
    /// only while the granter holds that key themself, in the same statement. Copies the
    /// member already holds are replaced only when `replace` (let in again with the
    /// recovery code, after a new enrolment).
    pub async fn grant_member(
        &self,
        office: &RegionCode,
        granter: Uuid,
        wraps: &[(Uuid, Vec<u8>)],
        replace: bool,
        admission: &AdmissionRow,
    ) -> Result<(), GrantError> {
        let sql = if replace {
            "INSERT INTO office_key_wraps (key_id, holder, sealed) SELECT $1, $2, $3
             WHERE EXISTS (SELECT 1 FROM office_key_wraps WHERE key_id = $1 AND holder = $4)
             ON CONFLICT (key_id, holder) DO UPDATE SET sealed = excluded.sealed"
        } else {
            "INSERT INTO office_key_wraps (key_id, holder, sealed) SELECT $1, $2, $3
             WHERE EXISTS (SELECT 1 FROM office_key_wraps WHERE key_id = $1 AND holder = $4)
             ON CONFLICT (key_id, holder) DO NOTHING"
        };
        let member = admission.account_id;
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for (key_id, sealed) in wraps {
                let written = sqlx::query(sql)
                    .bind(key_id)
                    .bind(member)
                    .bind(sealed)
                    .bind(granter)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if written == 0 {
                    // Either the member already held this copy, or the granter does not.
                    let held: Option<i32> =
                        sqlx::query_scalar("SELECT 1 FROM office_key_wraps WHERE key_id = $1 AND holder = $2")
                            .bind(key_id)
                            .bind(granter)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if held.is_none() {
                        return Err(GrantError::KeyNotHeld);
                    }
                }
            }
            insert_admission!(tx, office, admission, at)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a member, their copies of every office key and their admissions, retires
    /// the active key and makes `key` the office's new one, sealed to the remaining members
    /// and the recovery key (`wraps`, the recovery's under the nil id), with the head's
    /// fresh admissions of the remaining members.
    pub async fn remove_member(
        &self,
        office: &RegionCode,
        member: Uuid,
        key: &NewOfficeKey<'_>,
        wraps: &[(Uuid, Vec<u8>)],
        admissions: &[AdmissionRow],
    ) -> Result<(), sqlx::Error> {
        let key_id = Uuid::new_v4();
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "DELETE FROM office_key_wraps WHERE holder = $1
                 AND key_id IN (SELECT id FROM office_keys WHERE office_code = $2)",
            )
            .bind(member)
            .bind(office.as_str())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM office_members WHERE office_code = $1 AND account_id = $2")
                .bind(office.as_str())
                .bind(member)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM office_admissions WHERE office_code = $1 AND account_id = $2")
                .bind(office.as_str())
                .bind(member)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE office_keys SET active = FALSE WHERE office_code = $1 AND active = TRUE")
                .bind(office.as_str())
                .execute(&mut *tx)
                .await?;
            insert_office_key!(tx, key_id, office, key, at)?;
            for a in admissions {
                insert_admission!(tx, office, a, at)?;
            }
            for (holder, sealed) in wraps {
                sqlx::query("INSERT INTO office_key_wraps (key_id, holder, sealed) VALUES ($1, $2, $3)")
                    .bind(key_id)
                    .bind(holder)
                    .bind(sealed)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }

    /// Stores a filed report. A retry with the same idempotency key returns the report
    /// already stored.
    pub async fn file_report(&self, r: &NewReportRow) -> Result<ReportRow, FileError> {
        let id = Uuid::new_v4();
        let at = now();
        let insert = on_pool!(self, p => sqlx::query(
            "INSERT INTO reports (id, office_code, key_id, sealed_key, filer_key, body, lookup_hash, idempotency_key, status, filed_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $9)",
        )
        .bind(id)
        .bind(r.office.as_str())
        .bind(r.key_id)
        .bind(&r.sealed_key)
        .bind(&r.filer_key)
        .bind(&r.body)
        .bind(&r.lookup_hash)
        .bind(r.idempotency_key)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()));
        match insert {
            Ok(_) => {}
            Err(e)
                if is_unique_violation(&e, "reports_idempotency_key")
                    || is_unique_violation(&e, "reports_lookup_key") =>
            {
                let sql = sqlx::AssertSqlSafe(format!(
                    "{SELECT_REPORT} WHERE idempotency_key = $1 AND lookup_hash = $2"
                ));
                let existing: Option<ReportRow> = on_pool!(self, p => sqlx::query_as(sql)
                    .bind(r.idempotency_key)
                    .bind(&r.lookup_hash)
                    .fetch_optional(p)
                    .await)?;
                return existing.ok_or(FileError::LookupTaken);
            }
            Err(e) => return Err(e.into()),
        }
        self.report(id).await?.ok_or(FileError::Db(sqlx::Error::RowNotFound))
    }

    pub async fn report(&self, id: Uuid) -> Result<Option<ReportRow>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE id = $1"));
        on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)
    }

    pub async fn report_by_lookup(&self, lookup_hash: &str) -> Result<Option<ReportRow>, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE lookup_hash = $1"));
        on_pool!(self, p => sqlx::query_as(sql).bind(lookup_hash).fetch_optional(p).await)
    }

    pub async fn report_messages(&self, report: Uuid) -> Result<Vec<MessageRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT id, party, body, created_at FROM report_messages WHERE report_id = $1 ORDER BY created_at, id",
        )
        .bind(report)
        .fetch_all(p)
        .await)
    }

    pub async fn report_files(&self, report: Uuid) -> Result<Vec<FileRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT id, party, bytes, created_at FROM report_files WHERE report_id = $1 ORDER BY created_at, id",
        )
        .bind(report)
        .fetch_all(p)
        .await)
    }

    pub async fn report_file_body(&self, report: Uuid, file: Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT body FROM report_files WHERE report_id = $1 AND id = $2")
            .bind(report)
            .bind(file)
            .fetch_optional(p)
            .await)
    }

    pub async fn add_report_message(
        &self,
        report: Uuid,
        party: &str,
        author: Option<Uuid>,
        body: &[u8],
    ) -> Result<(), sqlx::Error> {
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO report_messages (id, report_id, party, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Uuid::new_v4())
                .bind(report)
                .bind(party)
                .bind(author)
                .bind(body)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE reports SET updated_at = $2 WHERE id = $1")
                .bind(report)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
    }

    /// Adds an evidence file; `None` when the report already has the most it may have.
    pub async fn add_report_file(&self, report: Uuid, party: &str, body: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
        let id = Uuid::new_v4();
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_files WHERE report_id = $1")
                .bind(report)
                .fetch_one(&mut *tx)
                .await?;
            if count >= sunlight_api::report::MAX_FILES {
                return Ok(None);
            }
            sqlx::query("INSERT INTO report_files (id, report_id, party, body, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(report)
                .bind(party)
                .bind(body)
                .bind(body.len() as i64)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE reports SET updated_at = $2 WHERE id = $1")
                .bind(report)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// When each report waiting for acceptance in `office` was filed.
    pub async fn received_reports(&self, office: &RegionCode) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT filed_at FROM reports WHERE office_code = $1 AND status = 'received'",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    pub async fn inbox(&self, office: &RegionCode) -> Result<Vec<InboxRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT r.id, r.status, r.case_number, u.name AS assignee_name, r.filed_at, r.updated_at,
                    (SELECT COUNT(*) FROM report_messages m WHERE m.report_id = r.id) AS messages
             FROM reports r LEFT JOIN users u ON u.id = r.assignee
             WHERE r.office_code = $1 ORDER BY r.updated_at DESC, r.id",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    /// Moves a report from `from` to `to` (if it is still in `from`), giving it a case
    /// number when it is accepted and storing the message to the filer in the same
    /// transaction. `false` when the report was no longer in `from`.
    pub async fn set_report_status(
        &self,
        report: &ReportRow,
        to: ReportStatus,
        message: Option<&[u8]>,
        by: Uuid,
    ) -> Result<bool, sqlx::Error> {
        let at = now();
        for _attempt in 0..5 {
            let result: Result<bool, sqlx::Error> = on_pool!(self, p => {
                let mut tx = p.begin().await?;
                let case_number = if to == ReportStatus::Accepted {
                    let year = at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")).year();
                    let prefix = format!("{year}-");
                    let n: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM reports WHERE office_code = $1 AND case_number LIKE $2",
                    )
                    .bind(&report.office_code)
                    .bind(format!("{prefix}%"))
                    .fetch_one(&mut *tx)
                    .await?;
                    Some(format!("{prefix}{:04}", n + 1))
                } else {
                    report.case_number.clone()
                };
                let changed = sqlx::query(
                    "UPDATE reports SET status = $2, case_number = $3, updated_at = $4 WHERE id = $1 AND status = $5",
                )
                .bind(report.id)
                .bind(to.as_str())
                .bind(&case_number)
                .bind(at)
                .bind(&report.status)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                if let Some(body) = message {
                    sqlx::query("INSERT INTO report_messages (id, report_id, party, author_id, body, created_at) VALUES ($1, $2, 'office', $3, $4, $5)")
                        .bind(Uuid::new_v4())
                        .bind(report.id)
                        .bind(by)
                        .bind(body)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            });
            match result {
                // Two acceptances at once in one office: count again.
                Err(e) if is_unique_violation(&e, "reports_case_key") => continue,
                other => return other,
            }
        }
        Err(sqlx::Error::Protocol("could not number the case".into()))
    }

    pub async fn assign_report(&self, report: Uuid, assignee: Option<Uuid>) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("UPDATE reports SET assignee = $2, updated_at = $3 WHERE id = $1")
            .bind(report)
            .bind(assignee)
            .bind(now())
            .execute(p)
            .await
            .map(|_| ()))
    }

    pub async fn transfer_report(
        &self,
        report: Uuid,
        to: &RegionCode,
        key_id: Uuid,
        sealed_key: &[u8],
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE reports SET office_code = $2, key_id = $3, sealed_key = $4, assignee = NULL, updated_at = $5 WHERE id = $1",
        )
        .bind(report)
        .bind(to.as_str())
        .bind(key_id)
        .bind(sealed_key)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()))
    }

    pub async fn log_report_access(
        &self,
        report: Uuid,
        office: &RegionCode,
        account: Uuid,
        action: &str,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO report_access (id, report_id, office_code, account_id, action, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4())
        .bind(report)
        .bind(office.as_str())
        .bind(account)
        .bind(action)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// The newest 500 entries of an office's access log.
    pub async fn access_log(&self, office: &RegionCode) -> Result<Vec<AccessRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT a.report_id, r.case_number, u.name AS who, a.action, a.at
             FROM report_access a JOIN reports r ON r.id = a.report_id JOIN users u ON u.id = a.account_id
             WHERE a.office_code = $1 ORDER BY a.at DESC, a.id LIMIT 500",
        )
        .bind(office.as_str())
        .fetch_all(p)
        .await)
    }

    /// Reports per office and status for every office in `region`.
    pub async fn report_counts(&self, region: &RegionCode) -> Result<Vec<CountRow>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT r.office_code, g.name, r.status, COUNT(*) AS n
             FROM reports r JOIN regions g ON g.code = r.office_code
             WHERE r.office_code LIKE $1 GROUP BY r.office_code, g.name, r.status ORDER BY r.office_code",
        )
        .bind(format!("{}%", region.prefix()))
        .fetch_all(p)
        .await)
    }
}
