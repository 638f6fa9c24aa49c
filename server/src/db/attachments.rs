//! Rows of attached files. The bytes are in [`crate::storage`]; a row is committed only
//! together with its files.

use std::future::Future;

use sunlight_api::ledger::{Attachment, AttachmentKind};
use uuid::Uuid;

use super::{Db, now, on_pool};

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
    fn into_place(self) -> AttachmentPlace {
        AttachmentPlace {
            attachment: Attachment {
                id: self.id,
                kind: if self.kind == "pdf" {
                    AttachmentKind::Pdf
                } else {
                    AttachmentKind::Image
                },
                width: self.width.map(|w| w.max(0) as u32),
                height: self.height.map(|h| h.max(0) as u32),
            },
            line_id: self.line_id,
        }
    }
}

impl Db {
    /// Inserts the row of a stored file and runs `store` (which moves the files into
    /// place) before the transaction commits; if `store` fails, nothing is committed.
    pub async fn insert_attachment<F, Fut>(
        &self,
        owner: Owner,
        a: &Attachment,
        by: Uuid,
        store: F,
    ) -> anyhow::Result<()>
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
            Owner::Poll(id) => (
                "INSERT INTO poll_documents (id, poll_id, kind, width, height, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                id,
            ),
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(sql)
                .bind(a.id)
                .bind(owner_id)
                .bind(kind)
                .bind(a.width.map(|w| w as i32))
                .bind(a.height.map(|h| h as i32))
                .bind(by)
                .bind(now())
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
        Ok(row.map(Row::into_place))
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
        Ok(rows.into_iter().map(Row::into_place).collect())
    }

    pub async fn delete_attachment(&self, id: Uuid) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("DELETE FROM ledger_attachments WHERE id = $1").bind(id).execute(p).await.map(|_| ()))
    }

    /// Every stored file's id (invoice attachments and poll documents), for the sweep.
    pub async fn attachment_ids(&self) -> Result<std::collections::HashSet<Uuid>, sqlx::Error> {
        let ids: Vec<Uuid> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM ledger_attachments UNION ALL SELECT id FROM poll_documents",
        )
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().collect())
    }
}
