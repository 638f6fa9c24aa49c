//! China's working days (工作日): Monday to Friday, except the public holidays, plus the
//! weekend days the State Council makes working days around them (调休上班). Deadlines
//! that the rules set in working days (a demand's time limit at each level; a real-name
//! report's answer within 15 working days) count on this calendar.
//!
//! The State Council publishes each year's holidays in November of the year before, so the
//! calendar knows only the years it has a table for, and refuses to count past them rather
//! than guess: an administrator adds the next year's table when it is published.

use std::collections::BTreeMap;

use crate::date::Date;

/// What the notice says of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday, or a weekday off in its place (放假).
    Holiday,
    /// A Saturday or Sunday worked in exchange (调休上班).
    MakeUpWorkday,
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
