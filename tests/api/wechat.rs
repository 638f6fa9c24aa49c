//! Signing in inside the WeChat mini-program, against a local stand-in for WeChat's
//! `code2session`: an unbound WeChat binds once after the account's password, later visits
//! get a one-time ticket that the web-view trades for the session cookie; a ticket replayed,
//! expired, used for the other purpose or read back out of an address is worth nothing.

use std::sync::{Arc, Mutex};

use reqwest::{StatusCode, redirect::Policy};
use serde_json::json;
use sunlight_api::wechat::WeChatSignIn;

use super::*;

const APP_ID: &str = "wx0123456789abcdef";
const SECRET: &str = "5e3c0ffee0ddba11d00dfacade1234ab";

/// WeChat's `code2session`, as far as the server uses it: `ok-{openid}` is a good code,
/// `busy` is WeChat's "system busy", anything else an invalid code. Records each query.
async fn wechat() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/sns/jscode2session",
        axum::routing::get(move |uri: axum::http::Uri| {
            let record = record.clone();
            async move {
                let query = uri.query().unwrap_or("").to_owned();
                let q: std::collections::HashMap<String, String> =
                    reqwest::Url::parse(&format!("http://wechat/?{query}"))
                        .unwrap()
                        .query_pairs()
                        .into_owned()
                        .collect();
                record.lock().unwrap().push(query);
                let app_ok = q.get("appid").map(String::as_str) == Some(APP_ID)
                    && q.get("secret").map(String::as_str) == Some(SECRET)
                    && q.get("grant_type").map(String::as_str) == Some("authorization_code");
                let code = q.get("js_code").cloned().unwrap_or_default();
                // WeChat answers with status 200 and JSON as text/plain, errors included.
                match code.strip_prefix("ok-") {
                    _ if !app_ok => r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#.to_owned(),
                    Some(openid) => json!({"openid": openid, "session_key": "c2Vzc2lvbi1rZXk="}).to_string(),
                    None if code == "busy" => r#"{"errcode":-1,"errmsg":"system error"}"#.to_owned(),
                    None => r#"{"errcode":40029,"errmsg":"invalid code"}"#.to_owned(),
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// A web-view: its own cookies, and redirects seen rather than followed.
fn webview() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(app: &TestApp, code: &str) -> WeChatSignIn {
    json(app.post("api/wechat/session", &json!({ "code": code })).await).await
}

async fn enter(app: &TestApp, web: &reqwest::Client, ticket: &str, to: &str) -> reqwest::Response {
    web.get(app.url(&format!("wechat/enter?t={ticket}&to={to}")))
        .send()
        .await
        .unwrap()
}

async fn run(backend: Backend) {
    let (base, seen) = wechat().await;
    let opts = Options {
        wechat: Some((APP_ID.into(), SECRET.into(), base)),
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with(backend, opts).await else {
        return;
    };
    app.demo().await;

    // A WeChat bound to no account: a bind token, no ticket.
    let first = sign_in(&app, "ok-oVillagerA").await;
    assert_eq!(first.ticket, None);
    let bind = first.bind.clone().expect("a bind token");
    // The server asked WeChat with the mini-program's id and secret, and the code.
    assert!(seen.lock().unwrap()[0].contains("js_code=ok-oVillagerA"));

    // A wrong password does not bind, and does not spend the token.
    let err = expect_error(
        app.post(
            "api/wechat/bind",
            &json!({"bind": bind, "mobile": "13800000001", "password": "wrong-password"}),
        )
        .await,
        401,
        "bad_credentials",
    )
    .await;
    assert_eq!(err.field, None);
    let bound: WeChatSignIn = json(
        app.post(
            "api/wechat/bind",
            &json!({"bind": bind, "mobile": "13800000001", "password": "Sunlight2026"}),
        )
        .await,
    )
    .await;
    assert_eq!(bound.name.as_deref(), Some("张秀英"));
    assert_eq!(bound.village.as_deref(), Some("上坪村"));
    let ticket = bound.ticket.clone().expect("a ticket");
    // The bind token is spent.
    expect_error(
        app.post(
            "api/wechat/bind",
            &json!({"bind": bind, "mobile": "13800000001", "password": "Sunlight2026"}),
        )
        .await,
        401,
        "not_signed_in",
    )
    .await;

    // The web-view trades the ticket for the session and goes on, without the ticket.
    let web = webview();
    let res = enter(&app, &web, &ticket, "ledger/359901101201").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/ledger/359901101201");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("HttpOnly"));
    let me: sunlight_api::dto::Me = json(web.get(app.url("api/me")).send().await.unwrap()).await;
    assert_eq!(me.mobile, "13800000001");

    // Replayed (from history, a log, a screenshot of the address): worth nothing.
    let thief = webview();
    let res = enter(&app, &thief, &ticket, "").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.unwrap().contains("进入链接已失效"));
    assert_eq!(
        thief.get(app.url("api/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // The next visit: straight to a ticket. Not an address outside Sunlight.
    let again = sign_in(&app, "ok-oVillagerA").await;
    assert_eq!(again.bind, None);
    let res = enter(&app, &webview(), again.ticket.as_deref().unwrap(), "//evil.example/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");

    // A ticket lives a minute.
    let late = sign_in(&app, "ok-oVillagerA").await.ticket.unwrap();
    app.clock().set(app.clock().now() + chrono::Duration::seconds(61));
    assert_eq!(
        enter(&app, &webview(), &late, "").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Each token for its own purpose: a ticket binds nothing, a bind token enters nothing.
    let other = sign_in(&app, "ok-oSomeoneElse").await;
    let (their_bind, a_ticket) = (
        other.bind.unwrap(),
        sign_in(&app, "ok-oVillagerA").await.ticket.unwrap(),
    );
    assert_eq!(
        enter(&app, &webview(), &their_bind, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    expect_error(
        app.post(
            "api/wechat/bind",
            &json!({"bind": a_ticket, "mobile": "13800000002", "password": "Sunlight2026"}),
        )
        .await,
        401,
        "not_signed_in",
    )
    .await;
    // One WeChat per account: another WeChat cannot take 张秀英's account.
    expect_error(
        app.post(
            "api/wechat/bind",
            &json!({"bind": their_bind, "mobile": "13800000001", "password": "Sunlight2026"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    // What WeChat refuses, or cannot answer, and what is no code at all.
    expect_error(
        app.post("api/wechat/session", &json!({"code": "expired-code"})).await,
        401,
        "bad_credentials",
    )
    .await;
    expect_error(
        app.post("api/wechat/session", &json!({"code": "busy"})).await,
        503,
        "internal",
    )
    .await;
    let err = expect_error(
        app.post("api/wechat/session", &json!({"code": " "})).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(err.field.as_deref(), Some("code"));

    // Unbound from the shell (换一个账号): the next WeChat sign-in asks for a password again.
    let unbind = "api/wechat/unbind";
    let res = app.post(unbind, &json!({"code": "ok-oVillagerA"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.post(unbind, &json!({"code": "ok-oVillagerA"})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    expect_error(
        app.post(unbind, &json!({"code": "expired-code"})).await,
        401,
        "bad_credentials",
    )
    .await;
    let after = sign_in(&app, "ok-oVillagerA").await;
    assert!(after.ticket.is_none() && after.bind.is_some());

    // Bound again; the owner's phone is lost and the password reset: that WeChat no longer
    // signs in, and its unspent ticket is void.
    let rebound: WeChatSignIn = json(
        app.post(
            "api/wechat/bind",
            &json!({"bind": after.bind.unwrap(), "mobile": "13800000001", "password": "Sunlight2026"}),
        )
        .await,
    )
    .await;
    let me = app.db.user_id_by_mobile("13800000001").await.unwrap().unwrap();
    let hash = sunlight_server::auth::hash_password(&sunlight_api::Password::parse("another-password-1").unwrap())
        .await
        .unwrap();
    app.db.set_password(me, &hash).await.unwrap();
    assert_eq!(
        enter(&app, &webview(), rebound.ticket.as_deref().unwrap(), "")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(sign_in(&app, "ok-oVillagerA").await.bind.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wechat_binds_once_and_enters_by_one_time_tickets_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn a_wechat_binds_once_and_enters_by_one_time_tickets_postgres() {
    run(Backend::Postgres).await;
}

db_test!(without_wechat_configured_there_is_no_wechat_sign_in, |app| {
    expect_error(
        app.post("api/wechat/session", &json!({"code": "ok-o1"})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post(
            "api/wechat/bind",
            &json!({"bind": "x", "mobile": "13800000001", "password": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let res = enter(&app, &webview(), "anything", "").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get("set-cookie").is_none());
});
