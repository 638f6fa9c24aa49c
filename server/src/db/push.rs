//! Villages' group robots and the queue of messages posted to them.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    robot::{Delivery, DeliveryStatus},
};
use uuid::Uuid;

use super::{Db, ledger::corrupt, on_pool, to_wire};

/// A message a process has claimed for sending.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub village_code: String,
    pub body: String,
    pub attempts: i32,
    /// `robot` (the village's group) or `wechat` (one person's WeChat, `user_id`).
    pub channel: String,
    pub user_id: Option<Uuid>,
    pub kind: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    body: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Sets (or replaces) a village's robot.
    pub async fn set_robot(
        &self,
        village: &RegionCode,
        url: &str,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO group_robots (village_code, url, set_by, set_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (village_code) DO UPDATE SET url = $2, set_by = $3, set_at = $4",
        )
        .bind(village.as_str())
        .bind(url)
        .bind(by)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Removes a village's robot; false when it had none. Messages not yet sent are given
    /// up when their turn comes.
    pub async fn remove_robot(&self, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM group_robots WHERE village_code = $1")
            .bind(village.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A village's robot address and when it was set.
    pub async fn robot(&self, village: &RegionCode) -> Result<Option<(String, DateTime<Utc>)>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as("SELECT url, set_at FROM group_robots WHERE village_code = $1")
            .bind(village.as_str())
            .fetch_optional(p)
            .await)
    }

    /// Queues a message for a village's group, once per `event_key` and only if the
    /// village has a robot; true when it was queued now.
    pub async fn enqueue_push(
        &self,
        village: &RegionCode,
        event_key: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query(
            "INSERT INTO push_deliveries (id, village_code, event_key, body, status, attempts, next_attempt_at, created_at)
             SELECT $1, $2, $3, $4, 'pending', 0, $5, $5
             WHERE EXISTS (SELECT 1 FROM group_robots WHERE village_code = $2)
             ON CONFLICT (event_key) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(village.as_str())
        .bind(event_key)
        .bind(body)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Claims the next message due, until `until`: the conditional update lets one process
    /// of many take it; a claim that ran out (its process died) is taken again.
    pub async fn claim_push(&self, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<Option<Claimed>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "UPDATE push_deliveries SET claimed_until = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM push_deliveries
                         WHERE status = 'pending' AND next_attempt_at <= $1
                           AND (claimed_until IS NULL OR claimed_until <= $1)
                         ORDER BY next_attempt_at, id LIMIT 1)
               AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $1)
             RETURNING id, village_code, body, attempts, channel, user_id, kind",
        )
        .bind(now)
        .bind(until)
        .fetch_optional(p)
        .await)
    }

    /// Marks a claimed message sent.
    pub async fn push_sent(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE push_deliveries SET status = 'sent', sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
    pub async fn push_failed(&self, id: Uuid, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE push_deliveries SET last_error = $2, claimed_until = NULL,
                status = CASE WHEN $3 THEN 'pending' ELSE 'failed' END,
                next_attempt_at = COALESCE($4, next_attempt_at)
             WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at.is_some())
        .bind(retry_at)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// A village's last 20 messages, newest first.
    pub async fn deliveries(&self, village: &RegionCode) -> Result<Vec<Delivery>, sqlx::Error> {
        let rows: Vec<DeliveryRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, body, status, attempts, last_error, created_at, sent_at FROM push_deliveries
             WHERE village_code = $1 AND channel = 'robot' ORDER BY created_at DESC, id DESC LIMIT 20",
        )
        .bind(village.as_str())
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Delivery {
                    id: r.id,
                    text: r.body,
                    status: match r.status.as_str() {
                        "pending" => DeliveryStatus::Pending,
                        "sent" => DeliveryStatus::Sent,
                        "failed" => DeliveryStatus::Failed,
                        other => return Err(corrupt("delivery status", other)),
                    },
                    attempts: u32::try_from(r.attempts).map_err(|_| corrupt("attempts", &r.attempts.to_string()))?,
                    last_error: r.last_error,
                    created_at: to_wire(r.created_at),
                    sent_at: r.sent_at.map(to_wire),
                })
            })
            .collect()
    }
}
