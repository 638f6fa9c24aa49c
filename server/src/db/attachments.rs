//! Rows of attached files. The bytes are in [`crate::storage`]; a row is committed only
//! together with its files.

use std::future::Future;

use sunlight_api::ledger::{Attachment, AttachmentKind};
use uuid::Uuid;

use super::{
    Db,
    ledger::{corrupt, lock_open_edition_of_line},
    now, on_pool,
};

/// Which attachments to fetch.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Month(Uuid),
    Line(Uuid),
}

/// What a stored file belongs to: a ledger line's invoice, or a poll's document.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Line(Uuid),
    Poll(Uuid),
    /// A catalogue entry's photo or document, while the entry is a draft.
    Disclosure(Uuid),
}

/// An attachment and the line it belongs to.
pub struct AttachmentPlace {
    pub attachment: Attachment,
    pub line_id: Uuid,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    line_id: Uuid,
    kind: String,
    width: Option<i32>,
    height: Option<i32>,
}

impl Row {
    fn into_place(self) -> Result<AttachmentPlace, sqlx::Error> {
        let size = |v: Option<i32>| {
            v.map(|n| u32::try_from(n).map_err(|_| corrupt("attachment size", &n.to_string())))
                .transpose()
        };
        Ok(AttachmentPlace {
            attachment: Attachment {
                id: self.id,
                kind: match self.kind.as_str() {
                    "image" => AttachmentKind::Image,
                    "pdf" => AttachmentKind::Pdf,
                    other => return Err(corrupt("attachment kind", other)),
                },
                width: size(self.width)?,
                height: size(self.height)?,
            },
            line_id: self.line_id,
        })
    }
}

impl Db {
    /// Inserts the row of a stored file and runs `store` (which moves the files into
    /// place) before the transaction commits; if `store` fails, nothing is committed.
    /// A ledger line takes a file only while it is not sealed and its month not published;
    /// a poll takes a document only while nobody has voted on it; otherwise nothing is
    /// stored and the answer is false.
    pub async fn insert_attachment<F, Fut>(
        &self,
        owner: Owner,
        a: &Attachment,
        by: Uuid,
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
        let (sql, owner_id) = match owner {
            Owner::Line(id) => (
                "INSERT INTO ledger_attachments (id, line_id, kind, width, height, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                id,
            ),
            // Only before anyone has voted: the documents stay as the voters saw them.
            Owner::Poll(id) => (
                "INSERT INTO poll_documents (id, poll_id, kind, width, height, created_by, created_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7
                 WHERE NOT EXISTS (SELECT 1 FROM poll_eligible WHERE poll_id = $2 AND voted = 1)",
                id,
            ),
            // Only while the entry is a draft: what the township sealed stays as it saw it.
            Owner::Disclosure(id) => (
                "INSERT INTO disclosure_files (id, disclosure_id, kind, width, height, created_by, created_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7
                 WHERE EXISTS (SELECT 1 FROM disclosures WHERE id = $2 AND status = 'draft')",
                id,
            ),
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // On PostgreSQL a document takes its turn with the poll's votes (which lock the
            // poll's row), so a vote cannot slip in between the check and the insert; SQLite's
            // single writer does the same.
            if let Owner::Poll(poll) = owner
                && self.backend() == super::Backend::Postgres
            {
                sqlx::query("SELECT 1 FROM polls WHERE id = $1 FOR UPDATE").bind(poll).execute(&mut *tx).await?;
            }
            // Likewise a file takes its turn with the entry's submission.
            if let Owner::Disclosure(entry) = owner
                && self.backend() == super::Backend::Postgres
            {
                sqlx::query("SELECT 1 FROM disclosures WHERE id = $1 FOR UPDATE").bind(entry).execute(&mut *tx).await?;
            }
            if let Owner::Line(line) = owner {
                // The month first (as publication does), then the line itself, which a
                // reviewer's seal writes too: whichever comes second sees the first.
                if !lock_open_edition_of_line!(tx, line) {
                    return Ok(false);
                }
                let open = sqlx::query("UPDATE ledger_lines SET status = status WHERE id = $1 AND status <> 'approved'")
                    .bind(line)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if open != 1 {
                    return Ok(false);
                }
            }
            let inserted = sqlx::query(sql)
                .bind(a.id)
                .bind(owner_id)
                .bind(kind)
                .bind(a.width.map(|w| w as i32))
                .bind(a.height.map(|h| h as i32))
                .bind(by)
                .bind(now())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted != 1 {
                return Ok(false);
            }
            store().await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The demo's history only (never reachable from the API): the invoice photo of a line
    /// sealed in the past, stored as it would have been before the seal, so the line no
    /// longer carries the reason it was sealed without one.
    pub async fn attach_archived_invoice<F, Fut>(
        &self,
        line: Uuid,
        a: &Attachment,
        by: Uuid,
        store: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO ledger_attachments (id, line_id, kind, width, height, created_by, created_at)
                 VALUES ($1, $2, 'image', $3, $4, $5, $6)",
            )
            .bind(a.id)
            .bind(line)
            .bind(a.width.map(|w| w as i32))
            .bind(a.height.map(|h| h as i32))
            .bind(by)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE ledger_lines SET no_invoice_reason = NULL WHERE id = $1")
                .bind(line)
                .execute(&mut *tx)
                .await?;
            store().await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn attachment(&self, id: Uuid) -> Result<Option<AttachmentPlace>, sqlx::Error> {
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, line_id, kind, width, height FROM ledger_attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        row.map(Row::into_place).transpose()
    }

    /// The attachments of every line of a month (or of one line), oldest first.
    pub async fn attachments_of(&self, scope: Scope) -> Result<Vec<AttachmentPlace>, sqlx::Error> {
        let (sql, id) = match scope {
            Scope::Month(id) => (
                "SELECT a.id, a.line_id, a.kind, a.width, a.height FROM ledger_attachments a
                 JOIN ledger_lines l ON l.id = a.line_id WHERE l.month_id = $1 ORDER BY a.created_at, a.id",
                id,
            ),
            Scope::Line(id) => (
                "SELECT id, line_id, kind, width, height FROM ledger_attachments a WHERE line_id = $1
                 ORDER BY created_at, id",
                id,
            ),
        };
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_all(p).await)?;
        rows.into_iter().map(Row::into_place).collect()
    }

    /// Removes an invoice from a line that is not sealed in a month that is not
    /// published; false otherwise. Locks as [`Db::insert_attachment`] does.
    pub async fn delete_attachment(&self, id: Uuid) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let month = sqlx::query(
                "UPDATE ledger_months SET status = status
                 WHERE id = (SELECT l.month_id FROM ledger_attachments a JOIN ledger_lines l ON l.id = a.line_id
                             WHERE a.id = $1)
                   AND status <> 'published'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let line = sqlx::query(
                "UPDATE ledger_lines SET status = status
                 WHERE id = (SELECT line_id FROM ledger_attachments WHERE id = $1) AND status <> 'approved'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if month != 1 || line != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM ledger_attachments WHERE id = $1").bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Every stored file's id (invoice attachments, poll documents, demand photos and voices,
    /// catalogue entries' files), for the sweep.
    pub async fn attachment_ids(&self) -> Result<std::collections::HashSet<Uuid>, sqlx::Error> {
        let ids: Vec<Uuid> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM ledger_attachments UNION ALL SELECT id FROM poll_documents UNION ALL SELECT id FROM demand_photos
             UNION ALL SELECT id FROM demand_voices UNION ALL SELECT id FROM disclosure_files",
        )
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().collect())
    }
}
