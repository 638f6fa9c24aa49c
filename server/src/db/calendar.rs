//! The working-day calendar as stored: the years an administrator added, and the year the
//! product ships, written at start when absent.

use chrono::{DateTime, Utc};
use sunlight_api::{
    date::Date,
    workdays::{CHINA_2026, Calendar, CalendarDay, CalendarIn, CalendarYear, DayKind},
};
use uuid::Uuid;

use super::{Db, ledger::corrupt, on_pool, to_wire};

/// The notice the shipped year follows.
const SHIPPED_SOURCE: &str = "国办发明电〔2025〕7号";

#[derive(sqlx::FromRow)]
struct YearRow {
    year: i32,
    source: String,
    updated_by: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DayRow {
    day: String,
    kind: String,
}

impl DayRow {
    fn into_day(self) -> Result<CalendarDay, sqlx::Error> {
        Ok(CalendarDay {
            date: Date::parse(&self.day).map_err(|_| corrupt("calendar day", &self.day))?,
            kind: DayKind::parse(&self.kind).ok_or_else(|| corrupt("calendar day kind", &self.kind))?,
        })
    }
}

impl Db {
    /// Writes the year the product ships (2026) unless it is there already: a table an
    /// administrator corrected stays as they left it.
    pub async fn ship_calendar(&self) -> Result<(), sqlx::Error> {
        let days: Vec<CalendarDay> = CHINA_2026
            .iter()
            .map(|&(month, day, kind)| CalendarDay {
                date: Date { year: 2026, month, day },
                kind,
            })
            .collect();
        self.write_calendar_year(2026, SHIPPED_SOURCE, &days, None, super::now(), false)
            .await
    }

    /// Adds a year's table or replaces it (`by` the administrator, at `at`).
    pub async fn set_calendar_year(
        &self,
        year: i32,
        table: &CalendarIn,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        self.write_calendar_year(year, table.source.trim(), &table.days, Some(by), at, true)
            .await
    }

    async fn write_calendar_year(
        &self,
        year: i32,
        source: &str,
        days: &[CalendarDay],
        by: Option<Uuid>,
        at: DateTime<Utc>,
        replace: bool,
    ) -> Result<(), sqlx::Error> {
        let upsert = if replace {
            "INSERT INTO calendar_years (year, source, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (year) DO UPDATE SET source = $2, updated_by = $3, updated_at = $4"
        } else {
            "INSERT INTO calendar_years (year, source, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (year) DO NOTHING"
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let written = sqlx::query(upsert)
                .bind(year)
                .bind(source)
                .bind(by)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if written == 0 {
                return Ok(());
            }
            sqlx::query("DELETE FROM calendar_days WHERE year = $1")
                .bind(year)
                .execute(&mut *tx)
                .await?;
            for d in days {
                sqlx::query("INSERT INTO calendar_days (day, year, kind) VALUES ($1, $2, $3)")
                    .bind(d.date.to_string())
                    .bind(year)
                    .bind(d.kind.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }

    /// The calendar deadlines count on: every stored year.
    pub async fn calendar(&self) -> Result<Calendar, sqlx::Error> {
        Ok(Calendar::from_years(&self.calendar_years().await?))
    }

    /// Every stored year with its days, oldest first.
    pub async fn calendar_years(&self) -> Result<Vec<CalendarYear>, sqlx::Error> {
        let (years, days): (Vec<YearRow>, Vec<DayRow>) = on_pool!(self, p => {
            let years = sqlx::query_as(
                "SELECT c.year, c.source, u.name AS updated_by, c.updated_at
                 FROM calendar_years c LEFT JOIN users u ON u.id = c.updated_by ORDER BY c.year",
            )
            .fetch_all(p)
            .await?;
            let days = sqlx::query_as("SELECT day, kind FROM calendar_days ORDER BY day").fetch_all(p).await?;
            (years, days)
        });
        let days = days.into_iter().map(DayRow::into_day).collect::<Result<Vec<_>, _>>()?;
        Ok(years
            .into_iter()
            .map(|y| CalendarYear {
                days: days.iter().filter(|d| d.date.year == y.year).copied().collect(),
                year: y.year,
                source: y.source,
                updated_by: y.updated_by,
                updated_at: to_wire(y.updated_at),
            })
            .collect())
    }
}
