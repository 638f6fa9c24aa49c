//! The region tree.

use sunlight_api::{RegionCode, RegionLevel, dto::RegionSummary};

use super::{Db, on_pool};

#[derive(sqlx::FromRow)]
struct RegionRow {
    code: String,
    level: String,
    name: String,
}

impl RegionRow {
    fn into_summary(self) -> Option<RegionSummary> {
        Some(RegionSummary {
            code: RegionCode::parse(&self.code).ok()?,
            level: RegionLevel::parse(&self.level)?,
            name: self.name,
        })
    }
}

impl Db {
    /// Inserts a region if its code is new; the parent must already exist.
    pub async fn upsert_region(&self, code: &RegionCode, name: &str) -> Result<(), sqlx::Error> {
        let parent = code.parent().map(String::from);
        on_pool!(self, p => sqlx::query(
            "INSERT INTO regions (code, parent_code, level, name) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(code.as_str())
        .bind(parent)
        .bind(code.level().as_str())
        .bind(name)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    pub async fn region(&self, code: &RegionCode) -> Result<Option<RegionSummary>, sqlx::Error> {
        let row: Option<RegionRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name FROM regions WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(p)
        .await)?;
        Ok(row.and_then(RegionRow::into_summary))
    }

    pub async fn region_children(&self, code: &RegionCode) -> Result<Vec<RegionSummary>, sqlx::Error> {
        let rows: Vec<RegionRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name FROM regions WHERE parent_code = $1 ORDER BY code",
        )
        .bind(code.as_str())
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().filter_map(RegionRow::into_summary).collect())
    }

    /// The regions with no parent (the cities).
    pub async fn region_roots(&self) -> Result<Vec<RegionSummary>, sqlx::Error> {
        let rows: Vec<RegionRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name FROM regions WHERE parent_code IS NULL ORDER BY code",
        )
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().filter_map(RegionRow::into_summary).collect())
    }
}

impl Db {
    /// Whether the published disclosures of `village` are public (its county has not kept
    /// them to villagers). A region with no county above it is public.
    pub async fn disclosures_public(&self, village: &RegionCode) -> Result<bool, sqlx::Error> {
        let county = format!("{}000000", &village.as_str()[..6]);
        let villagers_only: Option<bool> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT villagers_only FROM regions WHERE code = $1 AND level = 'county'",
        )
        .bind(&county)
        .fetch_optional(p)
        .await)?;
        Ok(!villagers_only.unwrap_or(false))
    }

    /// Sets whether a county keeps its villages' disclosures to villagers.
    pub async fn set_villagers_only(&self, county: &RegionCode, villagers_only: bool) -> Result<(), sqlx::Error> {
        on_pool!(self, p => sqlx::query("UPDATE regions SET villagers_only = $1 WHERE code = $2")
            .bind(villagers_only)
            .bind(county.as_str())
            .execute(p)
            .await
            .map(|_| ()))
    }
}
