//! People's accounts (users) and the roles they hold (grants).

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode, RegionLevel, Role,
    dto::{Account, Grant, Me, PasswordReset, ResetRecord},
    fields::mask_mobile,
};
use uuid::Uuid;

use super::{Db, cursor, now, on_pool, to_wire};

/// A reset of one's own password: id, issuer's name, issued, redeemed, noticed.
type OwnResetRow = (Uuid, String, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);
/// A reset in a region's list: id, account's name and mobile, issuer's name, issued,
/// redeemed, noticed.
type ResetRow = (
    Uuid,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A new account's identity; the password arrives already hashed.
pub struct NewUser<'a> {
    pub name: &'a str,
    pub mobile: &'a str,
    pub password_hash: &'a str,
}

#[derive(Debug)]
pub enum AccountError {
    MobileTaken,
    /// The invite code is unknown, revoked, expired or used up.
    InviteInvalid,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        if super::is_unique_violation(&e, "users_mobile_key") {
            AccountError::MobileTaken
        } else {
            AccountError::Db(e)
        }
    }
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    region_code: String,
    region_name: String,
    region_level: String,
    household_id: Option<Uuid>,
}

impl GrantRow {
    fn into_wire(self) -> Option<Grant> {
        Some(Grant {
            role: Role::parse(&self.role)?,
            region: RegionCode::parse(&self.region_code).ok()?,
            region_name: self.region_name,
            region_level: RegionLevel::parse(&self.region_level)?,
            household: self.household_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: Uuid,
    name: String,
    mobile: String,
    role: String,
    household_number: Option<String>,
    created_at: DateTime<Utc>,
}

/// Inserts a user and returns their id (inside a caller's transaction or on a pool).
macro_rules! insert_user {
    ($exec:expr, $user:expr, $at:expr) => {{
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO users (id, name, mobile, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind($user.name)
            .bind($user.mobile)
            .bind($user.password_hash)
            .bind($at)
            .execute($exec)
            .await
            .map(|_| id)
    }};
}

macro_rules! insert_grant {
    ($exec:expr, $user:expr, $role:expr, $region:expr, $household:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO grants (id, user_id, role, region_code, household_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id, role, region_code) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind($user)
        .bind($role.as_str())
        .bind($region.as_str())
        .bind($household)
        .bind($at)
        .execute($exec)
        .await
        .map(|_| ())
    };
}

impl Db {
    /// The id and password hash of the account with this mobile number.
    pub async fn credentials(&self, mobile: &str) -> Result<Option<(Uuid, String)>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_as("SELECT id, password_hash FROM users WHERE mobile = $1")
            .bind(mobile)
            .fetch_optional(p)
            .await)
    }

    pub async fn user_id_by_mobile(&self, mobile: &str) -> Result<Option<Uuid>, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT id FROM users WHERE mobile = $1")
            .bind(mobile)
            .fetch_optional(p)
            .await)
    }

    /// The person and every role they hold, as the session extractor and `/api/me` need.
    pub async fn me(&self, user: Uuid) -> Result<Option<Me>, sqlx::Error> {
        let head: Option<(Uuid, String, String)> = on_pool!(self, p =>
            sqlx::query_as("SELECT id, name, mobile FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(p)
                .await)?;
        let Some((id, name, mobile)) = head else {
            return Ok(None);
        };
        Ok(Some(Me {
            id,
            name,
            mobile,
            grants: self.grants_of(user).await?,
            password_resets: self.password_resets_of(user).await?,
        }))
    }

    /// The resets of this person's password, newest first, at most ten.
    pub async fn password_resets_of(&self, user: Uuid) -> Result<Vec<PasswordReset>, sqlx::Error> {
        let rows: Vec<OwnResetRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT c.id, u.name, c.created_at, c.redeemed_at, c.noticed_at
             FROM reset_codes c JOIN users u ON u.id = c.created_by
             WHERE c.user_id = $1 AND c.redeemed_at IS NOT NULL
             ORDER BY c.redeemed_at DESC LIMIT 10",
        )
        .bind(user)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, issued_by, issued_at, reset_at, noticed_at)| PasswordReset {
                id,
                issued_by,
                issued_at: to_wire(issued_at),
                reset_at: to_wire(reset_at),
                noticed: noticed_at.is_some(),
            })
            .collect())
    }

    /// Marks every reset of this person's password as acknowledged.
    pub async fn notice_password_resets(&self, user: Uuid) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query(
            "UPDATE reset_codes SET noticed_at = $1 WHERE user_id = $2 AND redeemed_at IS NOT NULL AND noticed_at IS NULL",
        )
        .bind(now())
        .bind(user)
        .execute(p)
        .await
        .map(|_| ()))
    }

    /// Every reset code issued for an account holding a role inside `region`, newest first.
    pub async fn password_resets_in(&self, region: &RegionCode, limit: i64) -> Result<Vec<ResetRecord>, sqlx::Error> {
        let rows: Vec<ResetRow> = on_pool!(self, p => sqlx::query_as(
                "SELECT c.id, u.name, u.mobile, b.name, c.created_at, c.redeemed_at, c.noticed_at
                 FROM reset_codes c JOIN users u ON u.id = c.user_id JOIN users b ON b.id = c.created_by
                 WHERE EXISTS (SELECT 1 FROM grants g WHERE g.user_id = c.user_id AND g.region_code LIKE $1)
                 ORDER BY c.created_at DESC, c.id LIMIT $2",
            )
            .bind(format!("{}%", region.prefix()))
            .bind(limit)
            .fetch_all(p)
            .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, account_name, account_mobile, issued_by, issued_at, reset_at, noticed_at)| ResetRecord {
                    id,
                    account_name,
                    account_mobile: mask_mobile(&account_mobile),
                    issued_by,
                    issued_at: to_wire(issued_at),
                    reset_at: reset_at.map(to_wire),
                    noticed_at: noticed_at.map(to_wire),
                },
            )
            .collect())
    }

    pub async fn grants_of(&self, user: Uuid) -> Result<Vec<Grant>, sqlx::Error> {
        let rows: Vec<GrantRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT g.role, g.region_code, r.name AS region_name, r.level AS region_level, g.household_id
             FROM grants g JOIN regions r ON r.code = g.region_code
             WHERE g.user_id = $1 ORDER BY g.region_code, g.role",
        )
        .bind(user)
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().filter_map(GrantRow::into_wire).collect())
    }

    /// Creates an account holding no role yet.
    pub async fn create_user(&self, user: NewUser<'_>) -> Result<Uuid, AccountError> {
        let at = now();
        Ok(on_pool!(self, p => insert_user!(p, user, at))?)
    }

    /// Creates an account (or finds the one with this mobile number) and grants it a role.
    /// Returns the user id and whether the account is new.
    pub async fn create_staff(
        &self,
        user: NewUser<'_>,
        role: Role,
        region: &RegionCode,
    ) -> Result<(Uuid, bool), AccountError> {
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE mobile = $1")
                .bind(user.mobile)
                .fetch_optional(&mut *tx)
                .await?;
            let (id, new) = match existing {
                Some(id) => (id, false),
                None => (insert_user!(&mut *tx, user, at)?, true),
            };
            insert_grant!(&mut *tx, id, role, region, None::<Uuid>, at)?;
            tx.commit().await?;
            Ok((id, new))
        })
    }

    /// Registers a villager with an invite code: uses the code once, creates the account
    /// and grants the villager role in the code's household, all or nothing.
    pub async fn register_villager(&self, code_hash: &[u8], user: NewUser<'_>) -> Result<Uuid, AccountError> {
        let at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let household: Option<(Uuid, String)> = sqlx::query_as(
                "UPDATE invite_codes SET uses = uses + 1
                 WHERE code_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses
                 RETURNING household_id,
                    (SELECT village_code FROM households h WHERE h.id = invite_codes.household_id)",
            )
            .bind(code_hash)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((household, village)) = household else {
                return Err(AccountError::InviteInvalid);
            };
            let id = insert_user!(&mut *tx, user, at)?;
            let village = RegionCode::parse(&village).map_err(|e| AccountError::Db(sqlx::Error::Decode(e.into())))?;
            insert_grant!(&mut *tx, id, Role::Villager, village, Some(household), at)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Adds a role to an existing account (used by demo data and staff creation).
    pub async fn grant(
        &self,
        user: Uuid,
        role: Role,
        region: &RegionCode,
        household: Option<Uuid>,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        on_pool!(self, p => insert_grant!(p, user, role, region, household, at))?;
        Ok(())
    }

    /// Replaces the password hash, ends every session of the account and unbinds its WeChat
    /// (a lost phone's WeChat no longer signs in; the owner binds again with the new one).
    pub async fn set_password(&self, user: Uuid, password_hash: &str) -> Result<(), sqlx::Error> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            for sql in [
                "DELETE FROM sessions WHERE user_id = $1",
                "DELETE FROM wechat_tickets WHERE user_id = $1",
                "DELETE FROM wechat_bindings WHERE user_id = $1",
            ] {
                sqlx::query(sql).bind(user).execute(&mut *tx).await?;
            }
            tx.commit().await
        })
    }

    /// One page of the accounts holding a role at exactly this region, ordered by name.
    pub async fn list_accounts(
        &self,
        region: &RegionCode,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<(Vec<Account>, Option<String>), sqlx::Error> {
        let (key, id) = after.unwrap_or_default();
        // Page over users, then fetch their roles here; a user has few grants per region.
        let users: Vec<(Uuid, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT DISTINCT u.id, u.name FROM users u JOIN grants g ON g.user_id = u.id
             WHERE g.region_code = $1 AND (u.name > $2 OR (u.name = $2 AND u.id > $3))
             ORDER BY u.name, u.id LIMIT $4",
        )
        .bind(region.as_str())
        .bind(&key)
        .bind(id)
        .bind(limit + 1)
        .fetch_all(p)
        .await)?;
        let more = users.len() as i64 > limit;
        let mut items = Vec::new();
        for (uid, _) in users.iter().take(limit as usize) {
            let rows: Vec<AccountRow> = on_pool!(self, p => sqlx::query_as(
                "SELECT u.id, u.name, u.mobile, g.role, h.number AS household_number, u.created_at
                 FROM users u JOIN grants g ON g.user_id = u.id
                 LEFT JOIN households h ON h.id = g.household_id
                 WHERE u.id = $1 AND g.region_code = $2 ORDER BY g.role",
            )
            .bind(uid)
            .bind(region.as_str())
            .fetch_all(p)
            .await)?;
            let mut rows = rows.into_iter();
            let Some(first) = rows.next() else { continue };
            let mut account = Account {
                id: first.id,
                name: first.name,
                mobile: mask_mobile(&first.mobile),
                roles: Role::parse(&first.role).into_iter().collect(),
                household_number: first.household_number,
                created_at: to_wire(first.created_at),
            };
            for r in rows {
                account.roles.extend(Role::parse(&r.role));
                account.household_number = account.household_number.or(r.household_number);
            }
            items.push(account);
        }
        let next = more
            .then(|| items.last().map(|a| cursor::encode(&a.name, a.id)))
            .flatten();
        Ok((items, next))
    }
}
