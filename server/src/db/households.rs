//! Households (户) of a village.

use chrono::{DateTime, Utc};
use sunlight_api::{RegionCode, dto::Household};
use uuid::Uuid;

use super::{Db, cursor, now, on_pool, to_wire};

#[derive(sqlx::FromRow)]
struct HouseholdRow {
    id: Uuid,
    village_code: String,
    number: String,
    head_name: String,
    members: i64,
    created_at: DateTime<Utc>,
}

impl HouseholdRow {
    fn into_wire(self) -> Option<Household> {
        Some(Household {
            id: self.id,
            village: RegionCode::parse(&self.village_code).ok()?,
            number: self.number,
            head_name: self.head_name,
            members: self.members,
            created_at: to_wire(self.created_at),
        })
    }
}

/// A household to create: number (户号) and head of household (户主).
pub struct NewHousehold {
    pub number: String,
    pub head_name: String,
}

/// Why a batch of new households was refused.
pub enum CreateError {
    /// The number at this index (0-based) is already taken in the village.
    Duplicate(usize),
    Db(sqlx::Error),
}

/// The household columns with their member count, followed by a query's own clauses.
macro_rules! select_households {
    ($rest:literal) => {
        concat!(
            "SELECT h.id, h.village_code, h.number, h.head_name, h.created_at,
                (SELECT COUNT(*) FROM grants g WHERE g.household_id = h.id) AS members
             FROM households h ",
            $rest
        )
    };
}

impl Db {
    /// Creates all households in one transaction, or none.
    pub async fn create_households(
        &self,
        village: &RegionCode,
        batch: &[NewHousehold],
    ) -> Result<Vec<Uuid>, CreateError> {
        let created_at = now();
        on_pool!(self, p => {
            let mut tx = p.begin().await.map_err(CreateError::Db)?;
            let mut ids = Vec::with_capacity(batch.len());
            for (i, h) in batch.iter().enumerate() {
                let id = Uuid::new_v4();
                let res = sqlx::query(
                    "INSERT INTO households (id, village_code, number, head_name, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(village.as_str())
                .bind(&h.number)
                .bind(&h.head_name)
                .bind(created_at)
                .execute(&mut *tx)
                .await;
                match res {
                    Ok(_) => ids.push(id),
                    Err(e) if super::is_unique_violation(&e, "households_village_number_key") => {
                        return Err(CreateError::Duplicate(i));
                    }
                    Err(e) => return Err(CreateError::Db(e)),
                }
            }
            tx.commit().await.map_err(CreateError::Db)?;
            Ok(ids)
        })
    }

    /// One page of a village's households, ordered by number.
    pub async fn list_households(
        &self,
        village: &RegionCode,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<(Vec<Household>, Option<String>), sqlx::Error> {
        let (key, id) = after.unwrap_or_default();
        let sql = select_households!(
            "WHERE h.village_code = $1 AND (h.number > $2 OR (h.number = $2 AND h.id > $3))
             ORDER BY h.number, h.id LIMIT $4"
        );
        let rows: Vec<HouseholdRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(village.as_str())
            .bind(key)
            .bind(id)
            .bind(limit + 1)
            .fetch_all(p)
            .await)?;
        let more = rows.len() as i64 > limit;
        let items: Vec<Household> = rows
            .into_iter()
            .take(limit as usize)
            .filter_map(HouseholdRow::into_wire)
            .collect();
        let next = more
            .then(|| items.last().map(|h| cursor::encode(&h.number, h.id)))
            .flatten();
        Ok((items, next))
    }

    pub async fn household(&self, id: Uuid) -> Result<Option<Household>, sqlx::Error> {
        let sql = select_households!("WHERE h.id = $1");
        let row: Option<HouseholdRow> = on_pool!(self, p => sqlx::query_as(sql).bind(id).fetch_optional(p).await)?;
        Ok(row.and_then(HouseholdRow::into_wire))
    }

    pub async fn household_by_number(
        &self,
        village: &RegionCode,
        number: &str,
    ) -> Result<Option<Household>, sqlx::Error> {
        let sql = select_households!("WHERE h.village_code = $1 AND h.number = $2");
        let row: Option<HouseholdRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(village.as_str())
            .bind(number)
            .fetch_optional(p)
            .await)?;
        Ok(row.and_then(HouseholdRow::into_wire))
    }

    pub async fn count_households(&self, village: &RegionCode) -> Result<i64, sqlx::Error> {
        on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM households WHERE village_code = $1")
            .bind(village.as_str())
            .fetch_one(p)
            .await)
    }
}
