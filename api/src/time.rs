//! Instants on the wire, and their display in China time.
//!
//! Instants travel as Unix milliseconds (UTC). People in Sunlight all live in China, which
//! has one fixed offset (+08:00, no daylight saving), so the client shows every instant
//! in that offset whatever the phone's own time zone says.

use serde::{Deserialize, Serialize};

/// A UTC instant, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// China Standard Time, UTC+08:00.
pub const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// A civil date and time of day in China.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChinaTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl Timestamp {
    pub fn china(self) -> ChinaTime {
        let local = self.0 + CHINA_OFFSET_MS;
        let days = local.div_euclid(86_400_000);
        let ms_of_day = local.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        ChinaTime {
            year,
            month,
            day,
            hour: (ms_of_day / 3_600_000) as u32,
            minute: (ms_of_day / 60_000 % 60) as u32,
        }
    }

    /// `2026-11-24 19:58` in China time.
    /// The last China date a deadline at this instant (the midnight ending that day)
    /// leaves, `2026-12-18`: what people are told, rather than the next day's 00:00.
    pub fn deadline_day(self) -> String {
        let t = Timestamp(self.0 - 1).china();
        format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
    }

    pub fn china_string(self) -> String {
        let t = self.china();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.minute
        )
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_china_time() {
        // 2026-11-24T11:58:00Z is 19:58 in Beijing.
        assert_eq!(Timestamp(1_795_521_480_000).china_string(), "2026-11-24 19:58");
        // 16:30 UTC on 31 Dec is already New Year in China.
        assert_eq!(Timestamp(1_767_198_600_000).china_string(), "2026-01-01 00:30");
        assert_eq!(Timestamp(0).china_string(), "1970-01-01 08:00");
        // Midnight in China ending 1 January 2026 is 16:00 UTC that day.
        assert_eq!(Timestamp(1_767_283_200_000).china_string(), "2026-01-02 00:00");
        assert_eq!(Timestamp(1_767_283_200_000).deadline_day(), "2026-01-01");
        assert_eq!(Timestamp(-28_800_001).china_string(), "1969-12-31 23:59");
    }
}
