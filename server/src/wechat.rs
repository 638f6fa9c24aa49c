//! Signing in inside the WeChat mini-program (`miniprogram/`). The shell's `wx.login` code
//! is exchanged for the person's openid through [`CodeExchange`] (WeChat's `code2session`
//! in production, a local stand-in in tests); the openid is bound once to an account after
//! that account's password (`POST /api/wechat/bind`); later visits get a one-time ticket
//! that the web-view trades for the ordinary session cookie (`GET /wechat/enter?t=…`).
//!
//! The AppSecret lives only in the server's configuration (a file, like the log key). It
//! travels in code2session's query, as WeChat's API asks, by a client whose errors are
//! never logged as they are (they name the address); `tests/api/logs.rs` checks that no
//! trace of it reaches the log. The `session_key` WeChat answers with is dropped at once:
//! nothing here needs it, and it never reaches a client.
//!
//! Subscription messages (订阅消息): the person agrees in the shell, one message per
//! agreement and kind (`wechat_allowances`); an event queues one message per person in
//! the group robots' queue (`push_deliveries`, channel `wechat`, its event key unique),
//! spending an agreement in the same transaction; any process's worker sends it
//! (`push::deliver_due`) with a stable access token, retrying with the robots' backoff.
//! Each message says what happened, where and when. Reports never send one.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sunlight_api::{
    RegionCode, Timestamp,
    wechat::{NoticeKind, NoticeTemplate},
};
use uuid::Uuid;

use crate::http::AppState;

/// Why a code was not exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeError {
    /// WeChat refused the code (unknown, used, or from another mini-program): its errcode.
    Refused(i64),
    /// WeChat could not be reached, or answered something else than its API's JSON.
    Unavailable,
}

/// The exchange of a `wx.login` code for the person's openid.
pub trait CodeExchange: Send + Sync {
    fn openid<'a>(&'a self, code: &'a str) -> Pin<Box<dyn Future<Output = Result<String, ExchangeError>> + Send + 'a>>;
}

/// The mini-program's AppSecret: shown to no one (its `Debug` is a mark).
#[derive(Clone)]
pub struct AppSecret(String);

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppSecret(…)")
    }
}

impl AppSecret {
    /// Reads the secret from its file (one line).
    pub fn read(path: &std::path::Path) -> anyhow::Result<AppSecret> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the WeChat AppSecret file {}: {}", path.display(), e.kind()))?;
        let secret = text.trim();
        anyhow::ensure!(
            !secret.is_empty() && secret.bytes().all(|b| b.is_ascii_alphanumeric()),
            "the WeChat AppSecret file {} does not hold one AppSecret",
            path.display()
        );
        Ok(AppSecret(secret.to_owned()))
    }
}

/// WeChat's `code2session` over HTTPS.
pub struct WeChatApi {
    client: reqwest::Client,
    base: String,
    app_id: String,
    secret: AppSecret,
}

impl std::fmt::Debug for WeChatApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatApi")
            .field("base", &self.base)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

/// WeChat's API host.
pub const WECHAT_BASE: &str = "https://api.weixin.qq.com";

impl WeChatApi {
    pub fn new(app_id: String, secret: AppSecret, base: Option<String>) -> anyhow::Result<WeChatApi> {
        crate::push::install_crypto();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(WeChatApi {
            client,
            base: base
                .unwrap_or_else(|| WECHAT_BASE.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            app_id,
            secret,
        })
    }

    async fn exchange(&self, code: &str) -> Result<String, ExchangeError> {
        #[derive(Deserialize)]
        struct Answer {
            openid: Option<String>,
            #[serde(default)]
            errcode: i64,
        }
        let mut url = reqwest::Url::parse(&format!("{}/sns/jscode2session", self.base))
            .map_err(|_| ExchangeError::Unavailable)?;
        url.query_pairs_mut()
            .append_pair("appid", &self.app_id)
            .append_pair("secret", &self.secret.0)
            .append_pair("js_code", code)
            .append_pair("grant_type", "authorization_code");
        // Errors are dropped whole: reqwest's name the address, which holds the secret.
        let res = self.client.get(url).send().await.map_err(|_| {
            tracing::warn!("WeChat code2session: no answer");
            ExchangeError::Unavailable
        })?;
        let status = res.status();
        let text = res.text().await.map_err(|_| ExchangeError::Unavailable)?;
        // WeChat answers errors with status 200 and an errcode (and its JSON as text/plain).
        let answer: Answer = serde_json::from_str(&text).map_err(|_| {
            tracing::warn!(%status, "WeChat code2session: not its JSON");
            ExchangeError::Unavailable
        })?;
        match answer.openid.filter(|o| !o.is_empty() && answer.errcode == 0) {
            Some(openid) => Ok(openid),
            // -1: WeChat is busy; 45011: too many calls.
            None if matches!(answer.errcode, -1 | 45011) => Err(ExchangeError::Unavailable),
            None => {
                tracing::info!(errcode = answer.errcode, "WeChat code2session refused a code");
                Err(ExchangeError::Refused(answer.errcode))
            }
        }
    }
}

impl CodeExchange for WeChatApi {
    fn openid<'a>(&'a self, code: &'a str) -> Pin<Box<dyn Future<Output = Result<String, ExchangeError>> + Send + 'a>> {
        Box::pin(self.exchange(code))
    }
}

/// One template of the mini-program's console: its id and which of its fields carry what
/// happened (a `thing`), where (a `thing`) and when (a `time`).
#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    pub id: String,
    pub what: String,
    #[serde(rename = "where")]
    pub place: String,
    pub when: String,
}

/// WeChat for this server: the code exchange, the AppSecret's uses, the message templates
/// and the access token that sending needs.
pub struct WeChat {
    api: Arc<WeChatApi>,
    exchange: Arc<dyn CodeExchange>,
    templates: Vec<(NoticeKind, Template)>,
    /// The stable access token and until when it is used.
    token: tokio::sync::Mutex<Option<(String, DateTime<Utc>)>>,
}

impl std::fmt::Debug for WeChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChat").field("api", &self.api).finish_non_exhaustive()
    }
}

/// What a queued message says (its body in the queue, as JSON).
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct Notice {
    pub what: String,
    #[serde(rename = "where")]
    pub place: String,
    pub when: String,
    /// The page inside Sunlight it opens (`lib/url.js` in the shell takes `to`).
    pub page: String,
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum NotSent {
    /// Try again later.
    Retry(String),
    /// Never: the person withdrew their agreement, or the message cannot be sent.
    GiveUp(String),
}

impl WeChat {
    /// The exchange of `wx.login` codes.
    pub fn exchange(&self) -> &dyn CodeExchange {
        self.exchange.as_ref()
    }

    fn seal_key(&self) -> sunlight_seal::Key {
        use sha2::Digest;
        sha2::Sha256::new()
            .chain_update(b"sunlight openid seal v1\0")
            .chain_update(self.api.secret.0.as_bytes())
            .finalize()
            .into()
    }

    /// An openid sealed for the database: readable only with the AppSecret.
    pub fn seal(&self, openid: &str) -> Vec<u8> {
        use rand::RngCore;
        sunlight_seal::lock(&self.seal_key(), openid.as_bytes(), &mut |b| rand::rng().fill_bytes(b))
    }

    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        String::from_utf8(sunlight_seal::unlock(&self.seal_key(), sealed).ok()?).ok()
    }

    /// The templates the shell asks agreement for.
    pub fn templates(&self) -> Vec<NoticeTemplate> {
        self.templates
            .iter()
            .map(|(kind, t)| NoticeTemplate {
                kind: *kind,
                template_id: t.id.clone(),
            })
            .collect()
    }

    /// The kind a template id is for.
    pub fn kind_of(&self, template_id: &str) -> Option<NoticeKind> {
        self.templates
            .iter()
            .find(|(_, t)| t.id == template_id)
            .map(|(k, _)| *k)
    }

    /// The stable access token (one for every process: WeChat's `stable_token` answers
    /// each caller the same one until it expires).
    async fn access_token(&self, forget: bool) -> Result<String, NotSent> {
        #[derive(Deserialize)]
        struct Answer {
            access_token: Option<String>,
            #[serde(default)]
            expires_in: i64,
            #[serde(default)]
            errcode: i64,
        }
        let mut kept = self.token.lock().await;
        if forget {
            *kept = None;
        }
        if let Some((token, _)) = kept.as_ref().filter(|(_, until)| *until > Utc::now()) {
            return Ok(token.clone());
        }
        let body = serde_json::json!({
            "grant_type": "client_credential",
            "appid": self.api.app_id,
            "secret": self.api.secret.0,
            "force_refresh": false,
        });
        // The request carries the secret: its error is never logged as it is.
        let res = self
            .api
            .client
            .post(format!("{}/cgi-bin/stable_token", self.api.base))
            .json(&body)
            .send()
            .await
            .map_err(|_| NotSent::Retry("no answer for an access token".into()))?;
        let answer: Answer = res
            .json()
            .await
            .map_err(|_| NotSent::Retry("not an access token".into()))?;
        match answer.access_token.filter(|t| answer.errcode == 0 && !t.is_empty()) {
            Some(token) => {
                // Used until five minutes before it expires.
                let until = Utc::now() + chrono::Duration::seconds((answer.expires_in - 300).max(60));
                *kept = Some((token.clone(), until));
                Ok(token)
            }
            None => Err(NotSent::Retry(format!(
                "access token refused: errcode {}",
                answer.errcode
            ))),
        }
    }

    /// Sends one message to `openid`.
    pub async fn send(&self, openid: &str, kind: NoticeKind, notice: &Notice) -> Result<(), NotSent> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            errcode: i64,
        }
        let Some((_, t)) = self.templates.iter().find(|(k, _)| *k == kind) else {
            return Err(NotSent::GiveUp("no template for this kind any more".into()));
        };
        // A `thing` holds at most 20 characters.
        let thing = |s: &str| {
            if s.chars().count() <= 20 {
                s.to_owned()
            } else {
                format!("{}…", s.chars().take(19).collect::<String>())
            }
        };
        let mut data = serde_json::Map::new();
        data.insert(t.what.clone(), serde_json::json!({ "value": thing(&notice.what) }));
        data.insert(t.place.clone(), serde_json::json!({ "value": thing(&notice.place) }));
        data.insert(t.when.clone(), serde_json::json!({ "value": notice.when }));
        let page = format!(
            "pages/webview/webview?to={}",
            form_urlencoded::byte_serialize(notice.page.as_bytes()).collect::<String>()
        );
        let body = serde_json::json!({
            "touser": openid,
            "template_id": t.id,
            "page": page,
            "miniprogram_state": "formal",
            "lang": "zh_CN",
            "data": data,
        });
        for forget in [false, true] {
            let token = self.access_token(forget).await?;
            let mut url = reqwest::Url::parse(&format!("{}/cgi-bin/message/subscribe/send", self.api.base))
                .map_err(|_| NotSent::GiveUp("bad WeChat address".into()))?;
            url.query_pairs_mut().append_pair("access_token", &token);
            // The address carries the token: errors are named, never printed.
            let res = self.api.client.post(url).json(&body).send().await.map_err(|e| {
                NotSent::Retry(
                    if e.is_timeout() {
                        "timed out"
                    } else {
                        "could not connect"
                    }
                    .into(),
                )
            })?;
            let status = res.status();
            let answer: Answer = res
                .json()
                .await
                .map_err(|_| NotSent::Retry(format!("HTTP {}", status.as_u16())))?;
            match answer.errcode {
                0 => return Ok(()),
                // The token expired or was replaced: once more with a new one.
                40001 | 42001 | 40014 if !forget => continue,
                // The person has no agreement left at WeChat (refused, or used elsewhere).
                43101 => return Err(NotSent::GiveUp("errcode 43101: the person did not agree".into())),
                47003 | 40003 | 40037 => return Err(NotSent::GiveUp(format!("errcode {}", answer.errcode))),
                code => return Err(NotSent::Retry(format!("errcode {code}"))),
            }
        }
        Err(NotSent::Retry("the access token was refused twice".into()))
    }
}

/// WeChat as configured for this server, if sign-in is set up.
pub fn from_config(config: &crate::Config) -> anyhow::Result<Option<Arc<WeChat>>> {
    let (app_id, file) = match (&config.wechat_app_id, &config.wechat_secret_file) {
        (Some(app_id), Some(file)) => (app_id, file),
        (None, None) => return Ok(None),
        _ => anyhow::bail!("WeChat sign-in needs both --wechat-app-id and --wechat-secret-file"),
    };
    let api = Arc::new(WeChatApi::new(
        app_id.clone(),
        AppSecret::read(file)?,
        config.wechat_base.clone(),
    )?);
    let templates = match &config.wechat_templates {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the WeChat templates {}: {}", path.display(), e.kind()))?;
            let by_kind: std::collections::BTreeMap<String, Template> = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("the WeChat templates {} are not as README says: {e}", path.display()))?;
            by_kind
                .into_iter()
                .map(|(k, t)| {
                    let kind = NoticeKind::parse(&k).ok_or_else(|| anyhow::anyhow!("no message kind {k:?}"))?;
                    Ok((kind, t))
                })
                .collect::<anyhow::Result<Vec<_>>>()?
        }
    };
    Ok(Some(Arc::new(WeChat {
        exchange: api.clone(),
        api,
        templates,
        token: tokio::sync::Mutex::new(None),
    })))
}

/// Queues a message of `kind` to each of `users` about one event, for those who agreed to
/// one and have an agreement left. Where WeChat is not configured nothing happens.
pub async fn notify(
    state: &AppState,
    users: &[Uuid],
    kind: NoticeKind,
    event: &str,
    village: &RegionCode,
    what: String,
    page: String,
) {
    if state.wechat.is_none() || users.is_empty() {
        return;
    }
    let now = state.clock.now();
    let notice = Notice {
        what,
        place: crate::push::village_name(state, village).await,
        when: Timestamp(now.timestamp_millis()).china_string(),
        page,
    };
    let body = serde_json::to_string(&notice).unwrap_or_default();
    let mut queued = false;
    for user in users {
        match state
            .db
            .enqueue_notice(*user, kind, village, &format!("wechat:{event}:{user}"), &body, now)
            .await
        {
            Ok(q) => queued |= q,
            // The event stands; this person is not told. Written down for the operator.
            Err(e) => tracing::error!(error = %e, kind = kind.as_str(), "a WeChat message could not be queued"),
        }
    }
    if queued {
        state.robots.wake();
    }
}

/// The hash under which a person's openid is kept: the database holds no WeChat id.
pub fn openid_hash(openid: &str) -> Vec<u8> {
    crate::auth::hash_token(&format!("sunlight wechat openid\0{openid}"))
}
