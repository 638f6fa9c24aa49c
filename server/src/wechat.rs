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

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use serde::Deserialize;

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

/// The exchange configured for this server, if WeChat sign-in is set up.
pub fn from_config(config: &crate::Config) -> anyhow::Result<Option<Arc<dyn CodeExchange>>> {
    match (&config.wechat_app_id, &config.wechat_secret_file) {
        (Some(app_id), Some(file)) => Ok(Some(Arc::new(WeChatApi::new(
            app_id.clone(),
            AppSecret::read(file)?,
            config.wechat_base.clone(),
        )?))),
        (None, None) => Ok(None),
        _ => anyhow::bail!("WeChat sign-in needs both --wechat-app-id and --wechat-secret-file"),
    }
}

/// The hash under which a person's openid is kept: the database holds no WeChat id.
pub fn openid_hash(openid: &str) -> Vec<u8> {
    crate::auth::hash_token(&format!("sunlight wechat openid\0{openid}"))
}
