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

/// What a WeChat subscription message is about. The person agrees in the shell
/// (`wx.requestSubscribeMessage`), each agreement allowing one message of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A question the person asked (on a ledger line, an entry, a project's stage) was answered.
    QuestionAnswered,
    /// A demand the person follows was taken (受理).
    DemandAccepted,
    /// A demand the person follows was answered (答复).
    DemandAnswered,
    /// A demand the person follows was closed (办结).
    DemandClosed,
    /// A poll was opened in the person's village.
    PollOpened,
    /// A month's accounts were published in the person's village.
    MonthPublished,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::QuestionAnswered,
        NoticeKind::DemandAccepted,
        NoticeKind::DemandAnswered,
        NoticeKind::DemandClosed,
        NoticeKind::PollOpened,
        NoticeKind::MonthPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::QuestionAnswered => "question_answered",
            NoticeKind::DemandAccepted => "demand_accepted",
            NoticeKind::DemandAnswered => "demand_answered",
            NoticeKind::DemandClosed => "demand_closed",
            NoticeKind::PollOpened => "poll_opened",
            NoticeKind::MonthPublished => "month_published",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `GET /api/wechat/templates`: the message templates this server sends, for the shell to
/// ask the person's agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoticeTemplate {
    pub kind: NoticeKind,
    pub template_id: String,
}

/// `POST /api/wechat/subscriptions`: a fresh `wx.login` code and the template ids the
/// person accepted in `wx.requestSubscribeMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WeChatSubscribe {
    pub code: String,
    pub accepted: Vec<String>,
}

/// How many messages of a kind the person's agreements still allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Allowance {
    pub kind: NoticeKind,
    pub remaining: u32,
}

/// The most messages of one kind agreements can hold in store.
pub const MAX_ALLOWANCE: u32 = 50;
