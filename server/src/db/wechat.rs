//! WeChat bindings and the one-time tickets of the mini-program's sign-in (`wechat.rs`).
//! Tickets are stored as their SHA-256 and taken with a `DELETE … RETURNING`, so a ticket
//! is spent by exactly one request, whichever process serves it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, now, on_pool};

/// What a ticket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Trades for a session of `user`.
    Enter,
    /// Binds a WeChat (its openid's hash) to the account that signs in with it.
    Bind,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Enter => "enter",
            Purpose::Bind => "bind",
        }
    }
}

/// What a ticket held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub user: Option<Uuid>,
    pub openid_hash: Option<Vec<u8>>,
}

/// A ticket's row as a `DELETE … RETURNING` gives it: user, openid hash, expiry.
type TicketRow = (Option<Uuid>, Option<Vec<u8>>, DateTime<Utc>);

impl Db {
    /// The account this WeChat is bound to.
    pub async fn wechat_user(&self, openid_hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT user_id FROM wechat_bindings WHERE openid_hash = $1")
            .bind(openid_hash)
            .fetch_optional(p)
            .await)
    }

    /// Binds a WeChat to an account; false when either is bound already.
    pub async fn bind_wechat(&self, openid_hash: &[u8], user: Uuid) -> Result<bool, sqlx::Error> {
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO wechat_bindings (openid_hash, user_id, bound_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(openid_hash)
        .bind(user)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(res == 1)
    }

    /// Removes the account's WeChat binding (and its unspent tickets); false when it had none.
    pub async fn unbind_wechat(&self, user: Uuid) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => sqlx::query("DELETE FROM wechat_tickets WHERE user_id = $1")
            .bind(user)
            .execute(p)
            .await
            .map(|_| ()))?;
        let n = on_pool!(self, p => sqlx::query("DELETE FROM wechat_bindings WHERE user_id = $1")
            .bind(user)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Whether the account has a WeChat bound.
    pub async fn has_wechat(&self, user: Uuid) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM wechat_bindings WHERE user_id = $1")
            .bind(user)
            .fetch_one(p)
            .await)?;
        Ok(n > 0)
    }

    /// Stores a new ticket (its hash), clearing the expired ones first.
    pub async fn issue_ticket(
        &self,
        token_hash: &[u8],
        purpose: Purpose,
        held: &Held,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("DELETE FROM wechat_tickets WHERE expires_at <= $1")
            .bind(at)
            .execute(p)
            .await
            .map(|_| ()))?;
        on_pool!(self, p => sqlx::query(
            "INSERT INTO wechat_tickets (token_hash, purpose, user_id, openid_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(held.user)
        .bind(held.openid_hash.as_deref())
        .bind(expires_at)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// What a live ticket holds, without spending it.
    pub async fn peek_ticket(
        &self,
        token_hash: &[u8],
        purpose: Purpose,
        at: DateTime<Utc>,
    ) -> Result<Option<Held>, sqlx::Error> {
        let row: Option<(Option<Uuid>, Option<Vec<u8>>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id, openid_hash FROM wechat_tickets WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|(user, openid_hash)| Held { user, openid_hash }))
    }

    /// Spends a ticket: what it held if it was live, `None` if it was unknown, spent
    /// already or expired (an expired one is removed all the same).
    pub async fn take_ticket(
        &self,
        token_hash: &[u8],
        purpose: Purpose,
        at: DateTime<Utc>,
    ) -> Result<Option<Held>, sqlx::Error> {
        let row: Option<TicketRow> = on_pool!(self, p => sqlx::query_as(
            "DELETE FROM wechat_tickets WHERE token_hash = $1 AND purpose = $2 RETURNING user_id, openid_hash, expires_at",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(p)
        .await)?;
        Ok(row
            .filter(|(_, _, expires)| *expires > at)
            .map(|(user, openid_hash, _)| Held { user, openid_hash }))
    }
}
