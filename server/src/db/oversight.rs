//! A village's villagers' financial oversight group (民主理财小组) and its signatures on
//! months.

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    ledger::{GroupMember, Signature},
};
use uuid::Uuid;

use super::{Db, now, on_pool, to_wire};

/// A signature as stored: who, agreeing or not, their opinion, when.
type SignatureRow = (Uuid, String, bool, Option<String>, DateTime<Utc>);

impl Db {
    /// The group's members, in the order they were appointed.
    pub async fn group_members(&self, village: &RegionCode) -> Result<Vec<GroupMember>, sqlx::Error> {
        let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT g.user_id, u.name, g.appointed_at FROM finance_group_members g JOIN users u ON u.id = g.user_id
             WHERE g.village_code = $1 ORDER BY g.appointed_at, g.user_id",
        )
        .bind(village.as_str())
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(user, name, at)| GroupMember {
                user,
                name,
                appointed_at: to_wire(at),
            })
            .collect())
    }

    /// Whether `user` holds a villager's grant in the village (who may sit on its group).
    pub async fn is_villager_of(&self, user: Uuid, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM grants WHERE user_id = $1 AND region_code = $2 AND role = $3",
        )
        .bind(user)
        .bind(village.as_str())
        .bind(sunlight_api::Role::Villager.as_str())
        .fetch_one(p)
        .await)?;
        Ok(n > 0)
    }

    /// Whether `user` holds an office over the village: any grant other than a villager's
    /// on the village or a region above it (its accountant and cadres, the township's
    /// reviewers and handlers, inspectors, administrators). The group oversees the village's
    /// officials, so none of them sits on it, even one who gave himself a villager's grant.
    pub async fn holds_office_over(&self, user: Uuid, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let regions: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT region_code FROM grants WHERE user_id = $1 AND role <> $2",
        )
        .bind(user)
        .bind(sunlight_api::Role::Villager.as_str())
        .fetch_all(p)
        .await)?;
        Ok(regions
            .iter()
            .filter_map(|r| RegionCode::parse(r).ok())
            .any(|r| r.contains(village)))
    }

    /// Whether `user` sits on the village's group.
    pub async fn in_group(&self, village: &RegionCode, user: Uuid) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM finance_group_members WHERE village_code = $1 AND user_id = $2",
        )
        .bind(village.as_str())
        .bind(user)
        .fetch_one(p)
        .await)?;
        Ok(n > 0)
    }

    /// Appoints a member; false when they are one already.
    pub async fn appoint(&self, village: &RegionCode, user: Uuid, by: Uuid) -> Result<bool, sqlx::Error> {
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO finance_group_members (village_code, user_id, appointed_by, appointed_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(village.as_str())
        .bind(user)
        .bind(by)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()));
        match res {
            Ok(()) => Ok(true),
            Err(e) if super::is_unique_violation(&e, "finance_group_members_pkey") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Removes a member (their past signatures stay); false when they were not one.
    pub async fn dismiss(&self, village: &RegionCode, user: Uuid) -> Result<bool, sqlx::Error> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM finance_group_members WHERE village_code = $1 AND user_id = $2")
            .bind(village.as_str())
            .bind(user)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A month's signatures, oldest first.
    pub async fn signatures(&self, month: Uuid) -> Result<Vec<(Uuid, Signature)>, sqlx::Error> {
        let rows: Vec<SignatureRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT s.user_id, u.name, s.agree, s.opinion, s.signed_at FROM ledger_signatures s JOIN users u ON u.id = s.user_id
             WHERE s.month_id = $1 ORDER BY s.signed_at, s.user_id",
        )
        .bind(month)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(user, name, agree, opinion, at)| {
                (
                    user,
                    Signature {
                        name,
                        agree,
                        opinion,
                        signed_at: to_wire(at),
                    },
                )
            })
            .collect())
    }

    /// A member signs a month waiting for review; false when they signed it already or it
    /// is not waiting for review.
    pub async fn sign_month(
        &self,
        month: Uuid,
        user: Uuid,
        agree: bool,
        opinion: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let res = on_pool!(self, p => sqlx::query(
            "INSERT INTO ledger_signatures (month_id, user_id, agree, opinion, signed_at)
             SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM ledger_months WHERE id = $1 AND status = 'submitted')",
        )
        .bind(month)
        .bind(user)
        .bind(agree)
        .bind(opinion)
        .bind(at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
        match res {
            Ok(n) => Ok(n == 1),
            Err(e) if super::is_unique_violation(&e, "ledger_signatures_pkey") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The demo's history only: an agreeing signature on a month already published.
    pub async fn record_past_signature(
        &self,
        month: Uuid,
        user: Uuid,
        opinion: &str,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO ledger_signatures (month_id, user_id, agree, opinion, signed_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(month)
        .bind(user)
        .bind(true)
        .bind(opinion)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Months waiting for review in the villages where `user` sits on the group and has
    /// not signed yet: (village, its name, month).
    pub async fn months_to_sign(&self, user: Uuid) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as(
            "SELECT m.village_code, r.name, m.month FROM ledger_months m
             JOIN finance_group_members g ON g.village_code = m.village_code AND g.user_id = $1
             JOIN regions r ON r.code = m.village_code
             WHERE m.status = 'submitted'
               AND NOT EXISTS (SELECT 1 FROM ledger_signatures s WHERE s.month_id = m.id AND s.user_id = $1)
             ORDER BY m.month, m.village_code",
        )
        .bind(user)
        .fetch_all(p)
        .await)
    }
}
