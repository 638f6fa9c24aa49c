//! The application's clock. Rules that depend on today (a month has ended, a line is not
//! dated in the future) ask this clock, never the system directly, so tests can fix the
//! day. In production it is the system clock; nothing in the server ever sets it.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Datelike, Duration, Utc};
use sunlight_api::date::{Date, Month};

/// The current instant, or a fixed one set by a test. Cheap to clone; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Fixes the clock at `at` (tests only).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(Utc::now)
    }

    /// Today's date in China (a fixed +08:00), where the accounts are kept.
    pub fn today(&self) -> Date {
        let local = self.now() + Duration::hours(8);
        Date {
            year: local.year(),
            month: local.month(),
            day: local.day(),
        }
    }

    /// This month in China.
    pub fn this_month(&self) -> Month {
        self.today().month()
    }
}
