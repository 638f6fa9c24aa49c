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

/// Devices an account has signed in from: the device cookie carries a random token, of
/// which only the SHA-256 is kept.
impl Db {
    pub async fn remember_device(&self, token_hash: &[u8], user: Uuid) -> Result<(), sqlx::Error> {
        let at = now();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = $3",
        )
        .bind(token_hash)
        .bind(user)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Whether this account has signed in from the device holding this token before.
    pub async fn is_known_device(&self, token_hash: &[u8], user: Uuid) -> Result<bool, sqlx::Error> {
        let found: Option<i32> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT 1 FROM known_devices WHERE token_hash = $1 AND user_id = $2",
        )
        .bind(token_hash)
        .bind(user)
        .fetch_optional(p)
        .await)?;
        Ok(found.is_some())
    }
}
