//! Calendar dates and months, as people in China write them: `2026-11-24`, `2026-11`.
//! Stored as dates, never as instants.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn number(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Month {
    pub fn parse(raw: &str) -> Result<Month, Invalid> {
        let bad = || Invalid::new("month", FieldError::BadFormat);
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        let (year, month) = (number(y, 4).ok_or_else(bad)? as i32, number(m, 2).ok_or_else(bad)?);
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(Invalid::new("month", FieldError::OutOfRange));
        }
        Ok(Month { year, month })
    }

    pub fn contains(&self, d: &Date) -> bool {
        d.year == self.year && d.month == self.month
    }

    /// Months since January of year 0, so that months can be counted and compared.
    fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Month {
        let i = self.index() - n as i32;
        Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month `n` months after this one.
    pub fn plus(self, n: u32) -> Month {
        let i = self.index() + n as i32;
        Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    /// The last day of the month.
    pub fn last_day(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: days_in(self.year, self.month),
        }
    }
}

impl Date {
    pub fn parse(raw: &str) -> Result<Date, Invalid> {
        let bad = || Invalid::new("date", FieldError::BadFormat);
        let mut parts = raw.trim().splitn(3, '-');
        let year = number(parts.next().ok_or_else(bad)?, 4).ok_or_else(bad)? as i32;
        let month = number(parts.next().ok_or_else(bad)?, 2).ok_or_else(bad)?;
        let day = number(parts.next().ok_or_else(bad)?, 2).ok_or_else(bad)?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in(year, month) {
            return Err(Invalid::new("date", FieldError::OutOfRange));
        }
        Ok(Date { year, month, day })
    }

    pub fn month(&self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }

    /// The day after.
    pub fn next(self) -> Date {
        if self.day < days_in(self.year, self.month) {
            Date {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Date {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }

    /// Days since 1970-01-01 (negative before), by the proleptic Gregorian calendar.
    fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Calendar days from `earlier` to this date (negative when it is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.days_since_epoch() - earlier.days_since_epoch()
    }

    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
        matches!((self.days_since_epoch() + 3).rem_euclid(7), 5 | 6)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Month {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Month::parse(&s)
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

impl TryFrom<String> for Date {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Date::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// Both travel as the strings people write, so the document describes them as strings.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::{
        RefOr,
        schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type},
    };

    use super::{Date, Month};

    /// `2026-11`: the pattern of what the server writes; a year outside 2000–2100 is refused.
    pub const MONTH_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";
    /// `2026-11-09`.
    pub const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

    impl utoipa::PartialSchema for Month {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("month".into())))
                .pattern(Some(MONTH_PATTERN))
                .description(Some("A calendar month, YYYY-MM"))
                .examples(["2026-11"])
                .into()
        }
    }
    impl utoipa::ToSchema for Month {}

    impl utoipa::PartialSchema for Date {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .pattern(Some(DATE_PATTERN))
                .description(Some("A calendar date, YYYY-MM-DD"))
                .examples(["2026-11-09"])
                .into()
        }
    }
    impl utoipa::ToSchema for Date {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_months() {
        assert_eq!(Date::parse("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("2026-1-01").is_err());
        assert_eq!(Month::parse("2026-11").unwrap().to_string(), "2026-11");
        assert!(Month::parse("2026-00").is_err());
        assert!(Month::parse("26-11").is_err());
        assert!(
            Month::parse("2026-11")
                .unwrap()
                .contains(&Date::parse("2026-11-30").unwrap())
        );
    }

    #[test]
    fn counting_months() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.minus(0), m);
        assert_eq!(m.minus(2).to_string(), "2025-12");
        assert_eq!(m.minus(36).to_string(), "2023-02");
        assert_eq!(m.last_day().to_string(), "2026-02-28");
        assert_eq!(Month::parse("2028-02").unwrap().last_day().to_string(), "2028-02-29");
    }
}
