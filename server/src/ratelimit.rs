//! A small in-memory fixed-window rate limiter, keyed by strings such as `ip:1.2.3.4` or
//! `mobile:138…`. One process serves a deployment; a restart forgets the counts, which
//! only ever makes the limiter more lenient.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    window: Duration,
    buckets: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(window: Duration) -> Self {
        RateLimiter {
            window,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt under `key`; `Err(seconds to wait)` once `limit` is exceeded.
    pub fn hit(&self, key: &str, limit: u32) -> Result<(), u32> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            let window = self.window;
            buckets.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = buckets.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1) as u32);
        }
        entry.1 += 1;
        Ok(())
    }

    /// Whether `key` is still under `limit` counted attempts in its window, without
    /// counting this one; `Err(seconds to wait)` when it is not.
    pub fn check(&self, key: &str, limit: u32) -> Result<(), u32> {
        let now = Instant::now();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        match buckets.get(key) {
            Some((start, n)) if now.duration_since(*start) < self.window && *n >= limit => {
                let wait = self.window.saturating_sub(now.duration_since(*start));
                Err(wait.as_secs().max(1) as u32)
            }
            _ => Ok(()),
        }
    }

    /// Counts one attempt under `key` (a failed one, where only failures count).
    pub fn record(&self, key: &str) {
        let _ = self.hit(key, u32::MAX);
    }

    /// Forgets `key` (after a successful sign-in, for instance).
    pub fn clear(&self, key: &str) {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_resets() {
        let rl = RateLimiter::new(Duration::from_secs(60));
        for _ in 0..3 {
            assert!(rl.hit("a", 3).is_ok());
        }
        assert!(rl.hit("a", 3).unwrap_err() >= 1);
        assert!(rl.hit("b", 3).is_ok());
        rl.clear("a");
        assert!(rl.hit("a", 3).is_ok());
        let quick = RateLimiter::new(Duration::from_millis(1));
        assert!(quick.hit("k", 1).is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(quick.hit("k", 1).is_ok());
    }

    #[test]
    fn check_does_not_count_and_record_does() {
        let rl = RateLimiter::new(Duration::from_secs(60));
        for _ in 0..10 {
            assert!(rl.check("a", 2).is_ok());
        }
        rl.record("a");
        assert!(rl.check("a", 2).is_ok());
        rl.record("a");
        assert!(rl.check("a", 2).unwrap_err() >= 1);
        assert!(rl.check("b", 2).is_ok());
    }
}
