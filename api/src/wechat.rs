//! Signing in inside the WeChat mini-program (`miniprogram/`): what its native pages send
//! and receive. The web-view page itself never sees a WeChat identity: it gets a one-time
//! ticket in its address and trades it for the ordinary session cookie.

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `POST /api/wechat/session`: the code `wx.login` gave the mini-program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WeChatCode {
    pub code: String,
}

/// What a WeChat sign-in answers: a `ticket` for the web-view when this WeChat is bound to
/// an account, or else a `bind` token for [`WeChatBind`] (the person signs in once with
/// their mobile number and password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WeChatSignIn {
    /// One use, for a minute: `GET /wechat/enter?t=…` trades it for the session cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// One use, for ten minutes: binds this WeChat to the account signed in with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// The bound account's name and village, for the shell's home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
}

/// `POST /api/wechat/bind`: the bind token and the account's usual credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WeChatBind {
    pub bind: String,
    pub mobile: String,
    pub password: String,
}

/// How long a web-view ticket lives.
pub const TICKET_SECONDS: i64 = 60;
/// How long a bind token lives.
pub const BIND_SECONDS: i64 = 600;
