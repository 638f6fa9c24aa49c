//! China's working days (工作日): Monday to Friday, except the public holidays, plus the
//! weekend days the State Council makes working days around them (调休上班). Deadlines
//! that the rules set in working days (a demand's time limit at each level; a real-name
//! report's answer within 15 working days) count on this calendar.
//!
//! The State Council publishes each year's holidays in November of the year before, so the
//! calendar knows only the years it has a table for, and refuses to count past them rather
//! than guess: an administrator adds the next year's table when it is published.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{Timestamp, date::Date, error::FieldError};

/// What the notice says of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday, or a weekday off in its place (放假).
    Holiday,
    /// A Saturday or Sunday worked in exchange (调休上班).
    #[serde(rename = "workday")]
    MakeUpWorkday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::MakeUpWorkday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        [DayKind::Holiday, DayKind::MakeUpWorkday]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One day of a year's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarDay {
    pub date: Date,
    pub kind: DayKind,
}

/// A year's table as stored: the days the notice names, where it comes from and who
/// entered it (nobody: shipped with the product).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarYear {
    pub year: i32,
    /// The notice it follows, e.g. 国办发明电〔2025〕7号.
    pub source: String,
    /// The administrator who entered or last changed it; absent: shipped with the product.
    pub updated_by: Option<String>,
    pub updated_at: Timestamp,
    pub days: Vec<CalendarDay>,
}

/// `GET /api/calendar`: the years the working-day calendar covers, and the year an
/// administrator must add now, if any (the next year, from November, when the State
/// Council publishes it; or one that an open demand's deadline already needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarView {
    pub years: Vec<CalendarYear>,
    pub missing: Option<i32>,
    /// Open demands without a deadline because their year is missing.
    pub demands_waiting: u32,
}

/// `PUT /api/calendar/{year}`: a year's holidays and make-up working days, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarIn {
    /// The notice it follows (required, at most 100 characters).
    pub source: String,
    pub days: Vec<CalendarDay>,
}

impl CalendarIn {
    /// Checks a year's table: every day in that year, none twice, make-up working days
    /// on a Saturday or Sunday, and at least one holiday (an empty table is a mistake: China
    /// has had public holidays every year). Returns the field and what is wrong.
    pub fn check(&self, year: i32) -> Result<(), (&'static str, FieldError)> {
        let source = self.source.trim();
        if source.is_empty() {
            return Err(("source", FieldError::Required));
        }
        if source.chars().count() > 100 {
            return Err(("source", FieldError::TooLong));
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.days {
            if d.date.year != year {
                return Err(("days", FieldError::OutOfRange));
            }
            if !seen.insert(d.date) {
                return Err(("days", FieldError::Duplicate));
            }
            if d.kind == DayKind::MakeUpWorkday && !d.date.is_weekend() {
                return Err(("days", FieldError::NotAWeekend));
            }
        }
        if !self.days.iter().any(|d| d.kind == DayKind::Holiday) {
            return Err(("days", FieldError::Required));
        }
        Ok(())
    }
}

/// Reads the dates an administrator types from a notice: separated by commas, spaces or
/// lines, each a date (`2027-01-01`) or a range (`2027-02-06~2027-02-12`, also with `至`
/// or `..`). Returns the dates in order, or the piece it could not read.
pub fn parse_dates(text: &str) -> Result<Vec<Date>, String> {
    let mut out = std::collections::BTreeSet::new();
    let pieces = text
        .split(|c: char| c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c.is_whitespace())
        .filter(|p| !p.is_empty());
    for piece in pieces {
        let range = ["~", "～", "至", ".."].iter().find_map(|sep| piece.split_once(sep));
        match range {
            Some((a, b)) => {
                let (a, b) = (
                    Date::parse(a.trim()).map_err(|_| piece.to_string())?,
                    Date::parse(b.trim()).map_err(|_| piece.to_string())?,
                );
                // A notice's range is days of one holiday, never more than a few weeks.
                if b < a || b.days_since(a) > 31 {
                    return Err(piece.to_string());
                }
                let mut d = a;
                while d <= b {
                    out.insert(d);
                    d = d.next();
                }
            }
            None => {
                out.insert(Date::parse(piece).map_err(|_| piece.to_string())?);
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// A date past the years the calendar has a table for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeyondCalendar {
    /// The year whose holidays an administrator has to add.
    pub year: i32,
}

impl std::fmt::Display for BeyondCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the working-day calendar has no table for {}", self.year)
    }
}

/// The holidays and make-up working days of the years it covers.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: Vec<i32>,
    days: BTreeMap<Date, DayKind>,
}

/// 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 4 November 2025):
/// 元旦 1–3 Jan, work Sun 4 Jan; 春节 15–23 Feb, work Sat 14 and Sat 28 Feb; 清明节 4–6
/// Apr; 劳动节 1–5 May, work Sat 9 May; 端午节 19–21 Jun; 中秋节 25–27 Sep; 国庆节 1–7
/// Oct, work Sun 20 Sep and Sat 10 Oct.
#[rustfmt::skip]
pub const CHINA_2026: &[(u32, u32, DayKind)] = {
    use DayKind::{Holiday as H, MakeUpWorkday as W};
    &[
        (1, 1, H), (1, 2, H), (1, 3, H), (1, 4, W),
        (2, 14, W), (2, 15, H), (2, 16, H), (2, 17, H), (2, 18, H), (2, 19, H), (2, 20, H),
        (2, 21, H), (2, 22, H), (2, 23, H), (2, 28, W),
        (4, 4, H), (4, 5, H), (4, 6, H),
        (5, 1, H), (5, 2, H), (5, 3, H), (5, 4, H), (5, 5, H), (5, 9, W),
        (6, 19, H), (6, 20, H), (6, 21, H),
        (9, 20, W), (9, 25, H), (9, 26, H), (9, 27, H),
        (10, 1, H), (10, 2, H), (10, 3, H), (10, 4, H), (10, 5, H), (10, 6, H), (10, 7, H), (10, 10, W),
    ]
};

impl Calendar {
    /// The calendar of the years stored (as `GET /api/calendar` lists them).
    pub fn from_years(years: &[CalendarYear]) -> Calendar {
        let mut c = Calendar::default();
        for y in years {
            c.add_year(y.year, y.days.iter().map(|d| (d.date, d.kind)));
        }
        c
    }

    /// The last year it has a table for.
    pub fn last_year(&self) -> Option<i32> {
        self.years.iter().copied().max()
    }

    /// The year an administrator should add now: this year if it is missing; from
    /// November (the State Council publishes the next year's holidays in November or
    /// December), next year; and whenever a demand waits for one (`undated`), the year after
    /// the last.
    pub fn year_to_add(&self, today: Date, undated: bool) -> Option<i32> {
        if !self.years.contains(&today.year) {
            return Some(today.year);
        }
        let next = today.year + 1;
        if today.month >= 11 && !self.years.contains(&next) {
            return Some(next);
        }
        undated.then(|| self.last_year().map_or(today.year, |y| y + 1))
    }

    /// The years it has a table for.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// The calendar shipped with the product: the years whose notices are published.
    pub fn china() -> Calendar {
        let mut c = Calendar::default();
        c.add_year(
            2026,
            CHINA_2026
                .iter()
                .map(|&(month, day, kind)| (Date { year: 2026, month, day }, kind)),
        );
        c
    }

    /// Adds (or replaces) a year's table: its holidays and make-up working days.
    pub fn add_year(&mut self, year: i32, days: impl IntoIterator<Item = (Date, DayKind)>) {
        self.days.retain(|d, _| d.year != year);
        self.days.extend(days.into_iter().filter(|(d, _)| d.year == year));
        if !self.years.contains(&year) {
            self.years.push(year);
        }
    }

    /// Whether `date` is a working day; an error for a year without a table.
    pub fn is_working_day(&self, date: Date) -> Result<bool, BeyondCalendar> {
        if !self.years.contains(&date.year) {
            return Err(BeyondCalendar { year: date.year });
        }
        Ok(match self.days.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::MakeUpWorkday) => true,
            None => !date.is_weekend(),
        })
    }

    /// The `n`th working day after `from` (`from` itself not counted): a limit of three
    /// working days from a demand received on `from` ends at the close of that day.
    pub fn add_working_days(&self, from: Date, n: u32) -> Result<Date, BeyondCalendar> {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            day = day.next();
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn weekends_are_known_from_the_date_alone() {
        // 2026-01-03 was a Saturday, 2026-01-05 a Monday; 2000-02-29 a Tuesday.
        assert!(d("2026-01-03").is_weekend() && d("2026-01-04").is_weekend());
        assert!(!d("2026-01-05").is_weekend() && !d("2000-02-29").is_weekend());
        assert_eq!(d("2026-12-31").next(), d("2027-01-01"));
        assert_eq!(d("2028-02-28").next(), d("2028-02-29"));
    }

    #[test]
    fn every_day_of_the_2026_notice() {
        let c = Calendar::china();
        // Every holiday is off, every make-up day worked, as the notice lists them.
        for &(month, day, kind) in CHINA_2026 {
            let date = Date { year: 2026, month, day };
            assert_eq!(c.is_working_day(date), Ok(kind == DayKind::MakeUpWorkday), "{date}");
            // Make-up days are weekend days; a holiday on a weekday is a day off in lieu.
            if kind == DayKind::MakeUpWorkday {
                assert!(date.is_weekend(), "{date}");
            }
        }
        // 33 days off in all (3 + 9 + 3 + 5 + 3 + 3 + 7) and six make-up working days.
        let off = CHINA_2026.iter().filter(|(_, _, k)| *k == DayKind::Holiday).count();
        let on = CHINA_2026
            .iter()
            .filter(|(_, _, k)| *k == DayKind::MakeUpWorkday)
            .count();
        assert_eq!((off, on), (33, 6));
        // An ordinary weekend and an ordinary weekday.
        assert_eq!(c.is_working_day(d("2026-03-07")), Ok(false));
        assert_eq!(c.is_working_day(d("2026-03-09")), Ok(true));
    }

    #[test]
    fn limits_count_across_a_holiday_and_a_make_up_day() {
        let c = Calendar::china();
        // Received Friday 13 Feb: Saturday 14 is worked (1), 15–23 are the Spring Festival,
        // Tuesday 24 (2), Wednesday 25 (3).
        assert_eq!(c.add_working_days(d("2026-02-13"), 3), Ok(d("2026-02-25")));
        // Received on New Year's Eve: 1–3 Jan off, Sunday 4 Jan worked (1), Monday 5 (2).
        assert_eq!(c.is_working_day(d("2025-12-31")), Err(BeyondCalendar { year: 2025 }));
        assert_eq!(c.add_working_days(d("2026-01-01"), 2), Ok(d("2026-01-05")));
        // A township's five days from Thursday 30 April: 1–5 May off, then 6, 7, 8, Saturday 9
        // (worked) and Monday 11.
        assert_eq!(c.add_working_days(d("2026-04-30"), 5), Ok(d("2026-05-11")));
    }

    #[test]
    fn the_year_to_add_is_asked_for_in_time() {
        let c = Calendar::china();
        assert_eq!(c.year_to_add(d("2026-10-31"), false), None);
        assert_eq!(c.year_to_add(d("2026-11-01"), false), Some(2027));
        assert_eq!(c.year_to_add(d("2026-06-01"), true), Some(2027));
        assert_eq!(c.year_to_add(d("2027-01-02"), false), Some(2027));
        let mut c = c;
        c.add_year(2027, []);
        assert_eq!(c.year_to_add(d("2026-12-31"), false), None);
    }

    #[test]
    fn an_administrator_types_the_notice_s_dates() {
        assert_eq!(
            parse_dates("2027-01-01~2027-01-03，2027-02-07\n 2027-10-01至2027-10-02").unwrap(),
            vec![
                d("2027-01-01"),
                d("2027-01-02"),
                d("2027-01-03"),
                d("2027-02-07"),
                d("2027-10-01"),
                d("2027-10-02")
            ]
        );
        assert_eq!(parse_dates("  ").unwrap(), vec![]);
        assert_eq!(parse_dates("2027-01-01, 1月2日"), Err("1月2日".to_string()));
        assert_eq!(
            parse_dates("2027-01-05~2027-01-01"),
            Err("2027-01-05~2027-01-01".to_string())
        );
        assert!(
            parse_dates("2027-01-01~2027-03-01").is_err(),
            "a range of months is a typing mistake"
        );
    }

    #[test]
    fn a_year_s_table_is_checked_before_it_counts() {
        let day = |s: &str, kind| CalendarDay { date: d(s), kind };
        let table = |days: Vec<CalendarDay>| CalendarIn {
            source: "国办发明电〔2026〕9号".into(),
            days,
        };
        let ok = table(vec![
            day("2027-01-01", DayKind::Holiday),
            day("2027-01-02", DayKind::MakeUpWorkday),
        ]);
        // 2 January 2027 is a Saturday.
        assert_eq!(ok.check(2027), Ok(()));
        assert_eq!(ok.check(2028), Err(("days", FieldError::OutOfRange)));
        let weekday = table(vec![
            day("2027-01-01", DayKind::Holiday),
            day("2027-01-04", DayKind::MakeUpWorkday),
        ]);
        assert_eq!(weekday.check(2027), Err(("days", FieldError::NotAWeekend)));
        let twice = table(vec![
            day("2027-01-01", DayKind::Holiday),
            day("2027-01-01", DayKind::MakeUpWorkday),
        ]);
        assert_eq!(twice.check(2027), Err(("days", FieldError::Duplicate)));
        assert_eq!(table(vec![]).check(2027), Err(("days", FieldError::Required)));
        let unsourced = CalendarIn {
            source: " ".into(),
            ..ok
        };
        assert_eq!(unsourced.check(2027), Err(("source", FieldError::Required)));
    }

    #[test]
    fn no_counting_past_the_end_of_the_table() {
        let mut c = Calendar::china();
        assert_eq!(
            c.add_working_days(d("2026-12-28"), 5),
            Err(BeyondCalendar { year: 2027 })
        );
        // Once an administrator adds 2027 (here: no holidays in its first week), it counts.
        c.add_year(2027, []);
        assert_eq!(c.add_working_days(d("2026-12-28"), 5), Ok(d("2027-01-04")));
    }
}
