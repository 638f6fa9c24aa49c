//! `/wechat/enter?t=…&to=…`: where the mini-program's web-view opens. The one-time ticket
//! (`http::wechat`) is spent for the ordinary session cookie, and the page goes on to `to`
//! (a path inside Sunlight) without the ticket in its address. A ticket that is unknown,
//! spent or expired gets a page saying what to do, never a session.

use axum::{
    extract::Query,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::html;
use serde::Deserialize;

use super::{Doc, Here, page};

const EXPIRED_TITLE: &str = "进入链接已失效";
const EXPIRED: &str =
    "这个进入链接已经用过或超过一分钟。请回到小程序首页，再点一次「进入阳光村务」；也可以用手机号和密码登录。";
const SIGN_IN: &str = "用手机号和密码登录";

#[derive(Debug, Deserialize)]
pub(super) struct Enter {
    t: Option<String>,
    to: Option<String>,
}

/// A path inside Sunlight to go on to (`ledger/…`, `demands`), relative to its base: no
/// scheme, host, leading slash, `..` or backslash, so the page cannot be sent elsewhere.
pub(crate) fn inside(to: &str) -> Option<&str> {
    let ok = to.len() <= 300
        && !to.starts_with('/')
        && !to.contains("..")
        && !to.contains("//")
        && !to.contains(':')
        && to
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.?=&%#".contains(&b));
    ok.then_some(to)
}

pub(super) async fn enter(here: Here, Query(q): Query<Enter>) -> Response {
    let state = &here.state;
    let to = q.to.as_deref().and_then(inside).unwrap_or("");
    let user = match q.t.as_deref() {
        Some(t) => match crate::http::wechat::enter(state, t).await {
            Ok(user) => user,
            Err(e) => return super::refused(&here, e),
        },
        None => None,
    };
    let Some(user) = user else {
        let mut res = page(
            &here,
            StatusCode::UNAUTHORIZED,
            Doc::plain(EXPIRED_TITLE),
            html! {
                div.empty role="alert" {
                    p { (EXPIRED) }
                    p { a.button href="login" { (SIGN_IN) } }
                }
            },
        );
        res.headers_mut()
            .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        return res;
    };
    // The same session, and cookie, as signing in with a password starts.
    let session = match crate::http::session::start_session(state, user, StatusCode::OK).await {
        Ok((_, session, _)) => session,
        Err(e) => return super::refused(&here, e),
    };
    let location = format!("{}{to}", state.config.base_path());
    let mut res = (StatusCode::SEE_OTHER, session).into_response();
    let headers = res.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, location);
    }
    // The ticket is in this address: it is spent, and no next page is told of it.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::inside;

    #[test]
    fn only_paths_inside_sunlight_are_followed() {
        for ok in [
            "",
            "ledger/359901101201/2026-10",
            "demands",
            "projects/0f0e?x=1#entry-2",
        ] {
            assert_eq!(inside(ok), Some(ok), "{ok}");
        }
        for bad in [
            "/ledger",
            "//evil.example/x",
            "https://evil.example/",
            "javascript:alert(1)",
            "ledger/../../etc",
            "a\\b",
            "ledger/\u{4e00}",
        ] {
            assert_eq!(inside(bad), None, "{bad}");
        }
    }
}
