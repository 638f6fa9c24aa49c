//! Posting to villages' group robots (WeCom, DingTalk): what publishing says to the group,
//! the queue's worker, and its retries.
//!
//! An event is queued once (`push_deliveries.event_key` is unique) in the same request that
//! publishes, if the village has a robot. Any process's worker claims a due message with a
//! conditional update, posts it, and marks it sent, or schedules it again with backoff
//! (30 s, doubling, at most an hour) until [`MAX_ATTEMPTS`]. What does not hold: a process
//! that dies after the service accepted a message and before marking it sent leaves it to be
//! posted again when its claim runs out (the services take no idempotency key), so a group
//! may see a message twice after a crash, never zero times while the robot is set.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sunlight_api::{
    RegionCode,
    date::Month,
    robot::{MAX_ATTEMPTS, check_url},
    wechat::NoticeKind,
};
use tokio::sync::Notify;

use crate::{
    db::{Db, push::Claimed},
    http::AppState,
    wechat::{NotSent, Notice, WeChat},
};

/// How long a claim lasts: longer than a post may take.
const CLAIM: Duration = Duration::from_secs(60);
/// How often the worker looks for due messages when nothing wakes it.
const TICK: Duration = Duration::from_secs(15);

/// The robots' HTTP client and the worker's wake-up call.
#[derive(Clone)]
pub struct Robots {
    client: reqwest::Client,
    wake: Arc<Notify>,
    /// Tests send to a local receiver instead of the services' hosts, keeping the path.
    base: Option<String>,
}

impl std::fmt::Debug for Robots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Robots")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Installs rustls' ring provider for the process (once; later calls change nothing).
/// ring rather than aws-lc, whose C build is slow on small machines; it lacks only the
/// post-quantum key exchange, which a post to a group robot does not need.
#[allow(deprecated)]
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Robots {
    /// Wakes the worker: a message was queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn new(base: Option<String>) -> anyhow::Result<Robots> {
        install_crypto();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            // A robot answers where it is asked; a redirect elsewhere is a failure.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Robots {
            client,
            wake: Arc::new(Notify::new()),
            base: base.map(|b| b.trim_end_matches('/').to_owned()),
        })
    }

    /// Where a stored webhook is posted: the service itself, or the test receiver.
    fn target(&self, stored: &str) -> anyhow::Result<String> {
        let hook = check_url(stored).map_err(|e| anyhow::anyhow!("the stored robot address is not valid: {e}"))?;
        Ok(match &self.base {
            Some(base) => format!("{base}{}", hook.path_and_query),
            None => hook.url(),
        })
    }
}

/// The site's address for links in messages, if configured.
fn link(state: &AppState, path: &str) -> String {
    match &state.config.public_url {
        Some(u) => format!("\n{}/{path}", u.trim_end_matches('/')),
        None => String::new(),
    }
}

async fn enqueue(state: &AppState, village: &RegionCode, key: &str, body: String) {
    match state.db.enqueue_push(village, key, &body, state.clock.now()).await {
        Ok(true) => state.robots.wake.notify_one(),
        Ok(false) => {}
        // Publishing stands; the group is not told. Written down for the operator.
        Err(e) => tracing::error!(error = %e, village = %village, "a robot message could not be queued"),
    }
}

/// A village's name for a message (its code if it cannot be read).
pub(crate) async fn village_name(state: &AppState, village: &RegionCode) -> String {
    match state.db.region(village).await {
        Ok(Some(r)) => r.name,
        _ => village.to_string(),
    }
}

/// A month (or a correction of it) was published.
pub async fn month_published(state: &AppState, village: &RegionCode, month: Month, correction: Option<u32>) {
    let name = village_name(state, village).await;
    let (key, what) = match correction {
        None => (format!("month:{village}:{month}"), "收支账目已公开"),
        Some(n) => (format!("correction:{village}:{month}:{n}"), "收支账目更正已公开"),
    };
    let body = format!(
        "【阳光村务】{name} {}年{}月{what}，每笔附发票照片和乡镇审核。{}",
        month.year,
        month.month,
        link(state, &format!("ledger/{village}/{month}"))
    );
    enqueue(state, village, &key, body).await;
}

/// A catalogue entry was published.
pub async fn entry_published(state: &AppState, entry: &sunlight_api::catalogue::Entry) {
    let name = village_name(state, &entry.village).await;
    let body = format!(
        "【阳光村务】{name} 公开了“{}”（{} · {}）。{}",
        entry.title,
        entry.item_title,
        entry.period_label,
        link(
            state,
            &match &entry.project {
                Some(f) => format!("projects/{}#entry-{}", f.project, entry.id),
                None => format!("disclosures/{}#entry-{}", entry.village, entry.id),
            }
        )
    );
    enqueue(state, &entry.village, &format!("entry:{}", entry.id), body).await;
}

/// Backoff after the `attempts`-th failure: 30 s, doubling, at most an hour.
fn backoff(attempts: u32) -> Duration {
    let secs = 30u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(7));
    Duration::from_secs(secs.min(3600))
}

/// What the services answer: `{"errcode": 0, "errmsg": "ok"}` when they took the message.
#[derive(serde::Deserialize)]
struct Answer {
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

async fn post(robots: &Robots, url: &str, text: &str) -> Result<(), String> {
    let body = serde_json::json!({"msgtype": "text", "text": {"content": text}});
    let res = robots
        .client
        .post(url)
        .json(&body)
        .send()
        .await
        // Never the error's own text: it carries the address, and the address the secret.
        .map_err(|e| {
            if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "could not connect".to_owned()
            } else {
                "request failed".to_owned()
            }
        })?;
    let status = res.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let answer: Answer = res.json().await.map_err(|_| "not a robot's answer".to_owned())?;
    if answer.errcode != 0 {
        let msg: String = answer.errmsg.chars().take(120).collect();
        return Err(format!("errcode {}: {msg}", answer.errcode));
    }
    Ok(())
}

/// Sends one person's WeChat message (see `wechat.rs`).
async fn to_wechat(db: &Db, wechat: Option<&WeChat>, c: &Claimed) -> Result<(), NotSent> {
    let wechat = wechat.ok_or_else(|| NotSent::GiveUp("WeChat is not configured now".into()))?;
    let kind = c
        .kind
        .as_deref()
        .and_then(NoticeKind::parse)
        .ok_or_else(|| NotSent::GiveUp("no kind".into()))?;
    let notice: Notice = serde_json::from_str(&c.body).map_err(|_| NotSent::GiveUp("not a message".into()))?;
    let user = c.user_id.ok_or_else(|| NotSent::GiveUp("no person".into()))?;
    let sealed = db
        .wechat_openid(user)
        .await
        .map_err(|e| NotSent::Retry(format!("database: {e}")))?
        .ok_or_else(|| NotSent::GiveUp("the person's WeChat is no longer bound".into()))?;
    let openid = wechat
        .open(&sealed)
        .ok_or_else(|| NotSent::GiveUp("the openid cannot be opened with this AppSecret".into()))?;
    wechat.send(&openid, kind, &notice).await
}

/// Sends every message due now, one at a time, to villages' group robots and people's
/// WeChat; returns how many were tried.
pub async fn deliver_due(
    db: &Db,
    robots: &Robots,
    wechat: Option<&WeChat>,
    now: impl Fn() -> DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut tried = 0;
    loop {
        let at = now();
        let Some(c) = db.claim_push(at, at + CLAIM).await? else {
            return Ok(tried);
        };
        tried += 1;
        let attempts = u32::try_from(c.attempts).unwrap_or(u32::MAX);
        let village = RegionCode::parse(&c.village_code).map_err(|e| anyhow::anyhow!("stored region: {e}"))?;
        let sent = if c.channel == "wechat" {
            to_wechat(db, wechat, &c).await
        } else {
            match db.robot(&village).await? {
                None => Err("the village has no robot now".to_owned()),
                Some((url, _)) => match robots.target(&url) {
                    Ok(target) => post(robots, &target, &c.body).await,
                    Err(e) => Err(e.to_string()),
                },
            }
            .map_err(NotSent::Retry)
        };
        match sent {
            Ok(()) => db.push_sent(c.id, now()).await?,
            Err(e) => {
                let (e, may_retry) = match e {
                    NotSent::Retry(e) => (e, true),
                    NotSent::GiveUp(e) => (e, false),
                };
                let retry = (may_retry && attempts < MAX_ATTEMPTS).then(|| now() + backoff(attempts));
                tracing::warn!(village = %village, channel = %c.channel, attempts, error = %e, "a message was not delivered");
                db.push_failed(c.id, &e, retry).await?;
            }
        }
    }
}

/// Runs the worker for as long as the process lives: woken by a new message, or every
/// [`TICK`] for retries and for messages other processes queued.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            let clock = state.clock.clone();
            if let Err(e) = deliver_due(&state.db, &state.robots, state.wechat.as_deref(), move || clock.now()).await {
                tracing::error!(error = %format!("{e:#}"), "the robots' worker failed");
            }
            tokio::select! {
                _ = state.robots.wake.notified() => {}
                _ = tokio::time::sleep(TICK) => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(5), Duration::from_secs(480));
        assert_eq!(backoff(8), Duration::from_secs(3600));
        assert_eq!(backoff(40), Duration::from_secs(3600));
    }
}
