//! A village's group robot (群机器人): the WeCom or DingTalk webhook that publishing posts a
//! short message to, so the village's group hears of it. Only those two services' own
//! addresses are accepted: the webhook is how a message leaves the server, and it must not
//! be pointed anywhere else.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Timestamp,
    error::{FieldError, Invalid},
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The services whose group robots are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// 企业微信群机器人: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`
    Wecom,
    /// 钉钉群机器人: `https://oapi.dingtalk.com/robot/send?access_token=…`
    Dingtalk,
}

impl Service {
    fn host(self) -> &'static str {
        match self {
            Service::Wecom => "qyapi.weixin.qq.com",
            Service::Dingtalk => "oapi.dingtalk.com",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Service::Wecom => "/cgi-bin/webhook/send",
            Service::Dingtalk => "/robot/send",
        }
    }

    fn secret_param(self) -> &'static str {
        match self {
            Service::Wecom => "key",
            Service::Dingtalk => "access_token",
        }
    }
}

/// A webhook address that passed [`check_url`]: its service, and the path and query to post
/// to on the service's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub service: Service,
    /// `/cgi-bin/webhook/send?key=…`: what follows the host.
    pub path_and_query: String,
    secret: String,
}

impl Webhook {
    /// The whole address, on the service's own host.
    pub fn url(&self) -> String {
        format!("https://{}{}", self.service.host(), self.path_and_query)
    }

    /// The secret shortened for showing: its first four and last four characters.
    pub fn masked(&self) -> String {
        let s: Vec<char> = self.secret.chars().collect();
        let keep = |r: std::ops::Range<usize>| s[r].iter().collect::<String>();
        if s.len() <= 8 {
            "…".to_owned()
        } else {
            format!("{}…{}", keep(0..4), keep(s.len() - 4..s.len()))
        }
    }
}

/// Checks a webhook address as a cadre pastes it from the group's robot settings: HTTPS,
/// exactly one of the two services' hosts (no port, no user, nothing else), the robot path,
/// and one secret parameter of letters, digits, `-` and `_`.
pub fn check_url(raw: &str) -> Result<Webhook, Invalid> {
    let bad = || Invalid::new("url", FieldError::BadFormat);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::new("url", FieldError::Required));
    }
    if raw.len() > 300 {
        return Err(Invalid::new("url", FieldError::TooLong));
    }
    let rest = raw.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path_and_query) = rest.split_at(rest.find('/').ok_or_else(bad)?);
    let service = [Service::Wecom, Service::Dingtalk]
        .into_iter()
        .find(|s| host.eq_ignore_ascii_case(s.host()))
        .ok_or_else(|| Invalid::new("url", FieldError::NotListed))?;
    let (path, query) = path_and_query.split_once('?').ok_or_else(bad)?;
    if path != service.path() || query.contains('#') {
        return Err(bad());
    }
    let mut secret = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').ok_or_else(bad)?;
        let ok = !value.is_empty()
            && value.len() <= 128
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if name != service.secret_param() || !ok || secret.is_some() {
            return Err(bad());
        }
        secret = Some(value.to_owned());
    }
    let secret = secret.ok_or_else(bad)?;
    Ok(Webhook {
        service,
        path_and_query: format!("{}?{}={secret}", service.path(), service.secret_param()),
        secret,
    })
}

/// `PUT /api/regions/{village}/group-robot`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetGroupRobot {
    pub url: String,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be tried again.
    Pending,
    Sent,
    /// Given up after [`MAX_ATTEMPTS`].
    Failed,
}

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// One message to the group, as the cadre sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Delivery {
    pub id: Uuid,
    pub text: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// What the service answered last, when it failed.
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// `GET /api/regions/{village}/group-robot`: the robot, masked, and its last messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupRobot {
    /// None when the village has no robot.
    pub service: Option<Service>,
    /// The secret's first and last four characters.
    pub masked: Option<String>,
    pub set_at: Option<Timestamp>,
    /// The last 20 messages, newest first.
    pub deliveries: Vec<Delivery>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_services_robot_addresses_pass() {
        let w =
            check_url(" https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa ")
                .unwrap();
        assert_eq!(w.service, Service::Wecom);
        assert_eq!(
            w.url(),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
        );
        assert_eq!(w.masked(), "693a…5aaa");
        let d = check_url("https://oapi.dingtalk.com/robot/send?access_token=abc123def456").unwrap();
        assert_eq!(d.service, Service::Dingtalk);
        for (bad, reason) in [
            ("", FieldError::Required),
            (
                "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
                FieldError::BadFormat,
            ),
            (
                "https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=abc",
                FieldError::NotListed,
            ),
            ("https://evil.cn/cgi-bin/webhook/send?key=abc", FieldError::NotListed),
            (
                "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc",
                FieldError::NotListed,
            ),
            (
                "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
                FieldError::NotListed,
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/other?key=abc",
                FieldError::BadFormat,
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
                FieldError::BadFormat,
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a&key=b",
                FieldError::BadFormat,
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a&url=http://x",
                FieldError::BadFormat,
            ),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a%2Fb",
                FieldError::BadFormat,
            ),
            ("https://oapi.dingtalk.com/robot/send?key=abc", FieldError::BadFormat),
        ] {
            assert_eq!(check_url(bad).map_err(|e| e.reason), Err(reason), "{bad}");
        }
    }
}
