//! Server-side sessions. The cookie carries a random token; only its SHA-256 is stored.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, now, on_pool};

impl Db {
    pub async fn create_session(
        &self,
        token_hash: &[u8],
        user: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user)
        .bind(now())
        .bind(expires_at)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The user of a live session.
    pub async fn session_user(&self, token_hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(p)
        .await)
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64, sqlx::Error> {
        let done = on_pool!(self, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
