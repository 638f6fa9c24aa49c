//! WeChat bindings and the one-time tickets of the mini-program's sign-in (`wechat.rs`).
//! Tickets are stored as their SHA-256 and taken with a `DELETE … RETURNING`, so a ticket
//! is spent by exactly one request, whichever process serves it.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    wechat::{Allowance, NoticeKind},
};
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

/// What a ticket held: an enter ticket its person, a bind token the WeChat (its openid's
/// hash, and the openid sealed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Held {
    pub user: Option<Uuid>,
    pub openid_hash: Option<Vec<u8>>,
    pub openid_sealed: Option<Vec<u8>>,
}

/// A ticket's row.
#[derive(sqlx::FromRow)]
struct TicketRow {
    user_id: Option<Uuid>,
    openid_hash: Option<Vec<u8>>,
    openid_sealed: Option<Vec<u8>>,
    expires_at: DateTime<Utc>,
}

impl TicketRow {
    fn held(self) -> Held {
        Held {
            user: self.user_id,
            openid_hash: self.openid_hash,
            openid_sealed: self.openid_sealed,
        }
    }
}

impl Db {
    /// The account this WeChat is bound to.
    pub async fn wechat_user(&self, openid_hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT user_id FROM wechat_bindings WHERE openid_hash = $1")
            .bind(openid_hash)
            .fetch_optional(p)
            .await)
    }

    /// Binds a WeChat to an account; false when either is bound already.
    pub async fn bind_wechat(&self, openid_hash: &[u8], openid_sealed: &[u8], user: Uuid) -> Result<bool, sqlx::Error> {
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO wechat_bindings (openid_hash, openid_sealed, user_id, bound_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(openid_hash)
        .bind(openid_sealed)
        .bind(user)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(res == 1)
    }

    /// Removes the account's WeChat binding (with its unspent tickets and its agreements to
    /// messages); false when it had none.
    pub async fn unbind_wechat(&self, user: Uuid) -> Result<bool, sqlx::Error> {
        for sql in [
            "DELETE FROM wechat_tickets WHERE user_id = $1",
            "DELETE FROM wechat_allowances WHERE user_id = $1",
        ] {
            on_pool!(self, p => sqlx::query(sql).bind(user).execute(p).await.map(|_| ()))?;
        }
        let n = on_pool!(self, p => sqlx::query("DELETE FROM wechat_bindings WHERE user_id = $1")
            .bind(user)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// The account's WeChat openid, sealed, if one is bound.
    pub async fn wechat_openid(&self, user: Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT openid_sealed FROM wechat_bindings WHERE user_id = $1")
            .bind(user)
            .fetch_optional(p)
            .await)
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
            "INSERT INTO wechat_tickets (token_hash, purpose, user_id, openid_hash, openid_sealed, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(held.user)
        .bind(held.openid_hash.as_deref())
        .bind(held.openid_sealed.as_deref())
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
        let row: Option<TicketRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id, openid_hash, openid_sealed, expires_at FROM wechat_tickets
             WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(at)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(TicketRow::held))
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
            "DELETE FROM wechat_tickets WHERE token_hash = $1 AND purpose = $2
             RETURNING user_id, openid_hash, openid_sealed, expires_at",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(p)
        .await)?;
        Ok(row.filter(|r| r.expires_at > at).map(TicketRow::held))
    }

    /// One more message of each kind, as the person agreed (at most `max` in store).
    pub async fn add_allowances(&self, user: Uuid, kinds: &[NoticeKind], max: u32) -> Result<(), sqlx::Error> {
        for kind in kinds {
            on_pool!(self, p => sqlx::query(
                "INSERT INTO wechat_allowances (user_id, kind, remaining) VALUES ($1, $2, 1)
                 ON CONFLICT (user_id, kind) DO UPDATE
                 SET remaining = CASE WHEN wechat_allowances.remaining < $3 THEN wechat_allowances.remaining + 1
                                      ELSE wechat_allowances.remaining END",
            )
            .bind(user)
            .bind(kind.as_str())
            .bind(i64::from(max))
            .execute(p)
            .await
            .map(|_| ()))?;
        }
        Ok(())
    }

    /// What the person's agreements still allow, kind by kind.
    pub async fn allowances(&self, user: Uuid) -> Result<Vec<Allowance>, sqlx::Error> {
        let rows: Vec<(String, i32)> = on_pool!(self, p => sqlx::query_as(
            "SELECT kind, remaining FROM wechat_allowances WHERE user_id = $1 ORDER BY kind",
        )
        .bind(user)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, n)| {
                Some(Allowance {
                    kind: NoticeKind::parse(&k)?,
                    remaining: u32::try_from(n).ok()?,
                })
            })
            .collect())
    }

    /// Queues one WeChat message to `user`, spending one of their allowances of its kind,
    /// once per `event_key`: false (and nothing spent) when they have none left, or the
    /// event was queued already.
    pub async fn enqueue_notice(
        &self,
        user: Uuid,
        kind: NoticeKind,
        village: &RegionCode,
        event_key: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let spent = sqlx::query(
                "UPDATE wechat_allowances SET remaining = remaining - 1 WHERE user_id = $1 AND kind = $2 AND remaining > 0",
            )
            .bind(user)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent != 1 {
                return Ok(false);
            }
            let queued = sqlx::query(
                "INSERT INTO push_deliveries
                   (id, village_code, event_key, body, status, attempts, next_attempt_at, created_at, channel, user_id, kind)
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, 'wechat', $6, $7)
                 ON CONFLICT (event_key) DO NOTHING",
            )
            .bind(Uuid::new_v4())
            .bind(village.as_str())
            .bind(event_key)
            .bind(body)
            .bind(now)
            .bind(user)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if queued != 1 {
                // Queued already by another request or process: nothing spent twice.
                return Ok(false);
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The villagers of `village` who agreed to a message of this kind and have one left.
    pub async fn notice_recipients(&self, village: &RegionCode, kind: NoticeKind) -> Result<Vec<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT a.user_id FROM wechat_allowances a
             JOIN grants g ON g.user_id = a.user_id AND g.region_code = $1 AND g.role = 'villager'
             WHERE a.kind = $2 AND a.remaining > 0",
        )
        .bind(village.as_str())
        .bind(kind.as_str())
        .fetch_all(p)
        .await)
    }

    /// Who asked a ledger line's question, and in which village.
    pub async fn ledger_question_asker(&self, question: Uuid) -> Result<Option<(Uuid, String)>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT q.asked_by, m.village_code FROM ledger_questions q
             JOIN ledger_lines l ON l.id = q.line_id JOIN ledger_months m ON m.id = l.month_id WHERE q.id = $1",
        )
        .bind(question)
        .fetch_optional(p)
        .await)
    }

    /// Who asked a question on a catalogue entry or project stage.
    pub async fn entry_question_asker(&self, question: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT asked_by FROM disclosure_questions WHERE id = $1")
            .bind(question)
            .fetch_optional(p)
            .await)
    }

    /// Everyone who follows a demand (its filer and whoever joined it).
    pub async fn demand_followers(&self, demand: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT user_id FROM demand_followers WHERE demand_id = $1")
            .bind(demand)
            .fetch_all(p)
            .await)
    }
}
