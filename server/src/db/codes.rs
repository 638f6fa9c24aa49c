//! One-time codes handed over in person: household invite codes and password reset codes.
//! Only a SHA-256 of each code is stored; the code itself is shown once, when issued.

use chrono::{DateTime, Utc};
use sunlight_api::dto::Invite;
use uuid::Uuid;

use super::{Db, cursor, now, on_pool, to_wire};

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: Uuid,
    household_id: Uuid,
    household_number: String,
    max_uses: i32,
    uses: i32,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<InviteRow> for Invite {
    fn from(r: InviteRow) -> Invite {
        Invite {
            id: r.id,
            household: r.household_id,
            household_number: r.household_number,
            max_uses: r.max_uses.max(0) as u32,
            uses: r.uses.max(0) as u32,
            expires_at: to_wire(r.expires_at),
            revoked: r.revoked_at.is_some(),
            created_at: to_wire(r.created_at),
        }
    }
}

/// A bound later than any stored instant that also sorts last as SQLite text.
fn far_future() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).expect("9999-12-31 is in range")
}

impl Db {
    pub async fn create_invite(
        &self,
        code_hash: &[u8],
        household: Uuid,
        max_uses: i32,
        expires_at: DateTime<Utc>,
        created_by: Uuid,
    ) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO invite_codes (id, code_hash, household_id, max_uses, expires_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(code_hash)
        .bind(household)
        .bind(max_uses)
        .bind(expires_at)
        .bind(created_by)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(id)
    }

    /// The village an invite code belongs to, for authorization.
    pub async fn invite_village(&self, id: Uuid) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar(
            "SELECT h.village_code FROM invite_codes i JOIN households h ON h.id = i.household_id WHERE i.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await)
    }

    pub async fn revoke_invite(&self, id: Uuid) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE invite_codes SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// One page of a village's invite codes, newest first.
    pub async fn list_invites(
        &self,
        village: &str,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<(Vec<Invite>, Option<String>), sqlx::Error> {
        // The cursor key is the creation instant in milliseconds, zero-padded to sort as text.
        let before = after
            .as_ref()
            .and_then(|(k, _)| k.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or_else(far_future);
        let before_id = after.map(|(_, id)| id).unwrap_or(Uuid::max());
        let rows: Vec<InviteRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.household_id, h.number AS household_number, i.max_uses, i.uses,
                    i.expires_at, i.revoked_at, i.created_at
             FROM invite_codes i JOIN households h ON h.id = i.household_id
             WHERE h.village_code = $1 AND (i.created_at < $2 OR (i.created_at = $2 AND i.id < $3))
             ORDER BY i.created_at DESC, i.id DESC LIMIT $4",
        )
        .bind(village)
        .bind(before)
        .bind(before_id)
        .bind(limit + 1)
        .fetch_all(p)
        .await)?;
        let more = rows.len() as i64 > limit;
        let items: Vec<Invite> = rows.into_iter().take(limit as usize).map(Invite::from).collect();
        let next = more
            .then(|| items.last().map(|i| cursor::encode(&i.created_at.0.to_string(), i.id)))
            .flatten();
        Ok((items, next))
    }

    pub async fn create_reset_code(
        &self,
        code_hash: &[u8],
        user: Uuid,
        expires_at: DateTime<Utc>,
        created_by: Uuid,
    ) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::new_v4();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // A new code replaces any earlier unused one.
            sqlx::query("UPDATE reset_codes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(now())
                .bind(user)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO reset_codes (id, code_hash, user_id, expires_at, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(code_hash)
            .bind(user)
            .bind(expires_at)
            .bind(created_by)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(id)
    }

    /// Uses a reset code of this user: true when it was live (and is now spent).
    pub async fn use_reset_code(&self, user: Uuid, code_hash: &[u8]) -> Result<bool, sqlx::Error> {
        let at = now();
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE reset_codes SET used_at = $1, redeemed_at = $1
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at)
        .bind(user)
        .bind(code_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
