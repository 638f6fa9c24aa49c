//! Signing in inside the WeChat mini-program, against a local stand-in for WeChat's
//! `code2session`: an unbound WeChat binds once after the account's password, later visits
//! get a one-time ticket that the web-view trades for the session cookie; a ticket replayed,
//! expired, used for the other purpose or read back out of an address is worth nothing.

use std::sync::{Arc, Mutex};

use reqwest::{StatusCode, redirect::Policy};
use serde_json::{Value, json};
use sunlight_api::wechat::{NoticeKind, WeChatSignIn};
use uuid::Uuid;

use super::*;

const APP_ID: &str = "wx0123456789abcdef";
const SECRET: &str = "5e3c0ffee0ddba11d00dfacade1234ab";

/// A stand-in for WeChat's API, as far as the server uses it. `code2session`: `ok-{openid}`
/// is a good code, `busy` is WeChat's "system busy", anything else an invalid code (each
/// query recorded). `stable_token`: a new token per call, counted. `subscribe/send`: each
/// message recorded with the token it came with, answered by the next scripted errcode
/// (0 once the script runs out), or 40001 for a token that is not the newest.
struct FakeWeChat {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
    sent: Arc<Mutex<Vec<(String, Value)>>>,
    tokens: Arc<Mutex<u32>>,
    script: Arc<Mutex<Vec<i64>>>,
}

async fn wechat() -> FakeWeChat {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = FakeWeChat {
        base: format!("http://{}", listener.local_addr().unwrap()),
        seen: Arc::default(),
        sent: Arc::default(),
        tokens: Arc::default(),
        script: Arc::default(),
    };
    let (seen, sent, tokens, script) = (
        fake.seen.clone(),
        fake.sent.clone(),
        fake.tokens.clone(),
        fake.script.clone(),
    );
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let (seen, sent, tokens, script) = (seen.clone(), sent.clone(), tokens.clone(), script.clone());
        async move {
            let query = uri.query().unwrap_or("").to_owned();
            let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&format!("http://wechat/?{query}"))
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect();
            let arg = |k: &str| q.get(k).cloned().unwrap_or_default();
            // WeChat answers with status 200 and JSON as text/plain, errors included.
            match uri.path() {
                "/sns/jscode2session" => {
                    seen.lock().unwrap().push(query.clone());
                    let app_ok =
                        arg("appid") == APP_ID && arg("secret") == SECRET && arg("grant_type") == "authorization_code";
                    let code = arg("js_code");
                    match code.strip_prefix("ok-") {
                        _ if !app_ok => r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#.to_owned(),
                        Some(openid) => json!({"openid": openid, "session_key": "c2Vzc2lvbi1rZXk="}).to_string(),
                        None if code == "busy" => r#"{"errcode":-1,"errmsg":"system error"}"#.to_owned(),
                        None => r#"{"errcode":40029,"errmsg":"invalid code"}"#.to_owned(),
                    }
                }
                "/cgi-bin/stable_token" => {
                    let b: Value = serde_json::from_str(&body).unwrap_or_default();
                    if b["appid"] != APP_ID || b["secret"] != SECRET {
                        return r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#.to_owned();
                    }
                    let mut n = tokens.lock().unwrap();
                    *n += 1;
                    json!({"access_token": format!("token-{n}"), "expires_in": 7200}).to_string()
                }
                "/cgi-bin/message/subscribe/send" => {
                    let token = arg("access_token");
                    sent.lock()
                        .unwrap()
                        .push((token.clone(), serde_json::from_str(&body).unwrap_or_default()));
                    let newest = format!("token-{}", tokens.lock().unwrap());
                    let code = if token != newest {
                        40001
                    } else {
                        let mut script = script.lock().unwrap();
                        if script.is_empty() { 0 } else { script.remove(0) }
                    };
                    json!({"errcode": code, "errmsg": "scripted"}).to_string()
                }
                _ => r#"{"errcode":404}"#.to_owned(),
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    fake
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
    let fake = wechat().await;
    let seen = fake.seen.clone();
    let opts = Options {
        wechat: Some(WeChatOptions {
            app_id: APP_ID.into(),
            secret: SECRET.into(),
            base: fake.base.clone(),
            templates: None,
        }),
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

/// The console's templates, one per kind: which of each template's fields carry what
/// happened, where and when.
const TEMPLATES: &str = r#"{
  "question_answered": {"id": "tpl-question", "what": "thing1", "where": "thing2", "when": "time3"},
  "demand_accepted": {"id": "tpl-accepted", "what": "thing4", "where": "thing5", "when": "time6"},
  "demand_answered": {"id": "tpl-answered", "what": "thing1", "where": "thing2", "when": "time3"},
  "demand_closed": {"id": "tpl-closed", "what": "thing1", "where": "thing2", "when": "time3"},
  "poll_opened": {"id": "tpl-poll", "what": "thing1", "where": "thing2", "when": "time3"},
  "month_published": {"id": "tpl-month", "what": "thing1", "where": "thing2", "when": "time3"}
}"#;

/// Waits (`seconds` at most) until the stand-in got `n` messages.
async fn sent(fake: &FakeWeChat, n: usize, seconds: u64) -> Vec<(String, Value)> {
    for _ in 0..seconds * 10 {
        if fake.sent.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    fake.sent.lock().unwrap().clone()
}

async fn messages(backend: Backend) {
    let fake = wechat().await;
    let opts = Options {
        wechat: Some(WeChatOptions {
            app_id: APP_ID.into(),
            secret: SECRET.into(),
            base: fake.base.clone(),
            templates: Some(TEMPLATES.into()),
        }),
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with(backend, opts).await else {
        return;
    };
    app.demo().await;
    app.set_today("2026-11-02");
    let templates: Vec<sunlight_api::wechat::NoticeTemplate> = json(app.get("api/wechat/templates").await).await;
    assert_eq!(templates.len(), 6);

    // 张秀英 binds her WeChat, then agrees to hear when a demand of hers is taken, twice
    // (two agreements, two messages), and when a question is answered.
    let bind = sign_in(&app, "ok-oZhangXiuying").await.bind.unwrap();
    let bound = app
        .post(
            "api/wechat/bind",
            &json!({"bind": bind, "mobile": "13800000001", "password": "Sunlight2026"}),
        )
        .await;
    assert_eq!(bound.status(), StatusCode::OK);
    let agree = |accepted: Value| json!({"code": "ok-oZhangXiuying", "accepted": accepted});
    let res = app
        .post(
            "api/wechat/subscriptions",
            &agree(json!(["tpl-accepted", "tpl-question"])),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let allowances: Vec<sunlight_api::wechat::Allowance> = json(
        app.post("api/wechat/subscriptions", &agree(json!(["tpl-accepted"])))
            .await,
    )
    .await;
    let left =
        |a: &[sunlight_api::wechat::Allowance], k: NoticeKind| a.iter().find(|x| x.kind == k).map(|x| x.remaining);
    assert_eq!(left(&allowances, NoticeKind::DemandAccepted), Some(2));
    assert_eq!(left(&allowances, NoticeKind::QuestionAnswered), Some(1));
    // Only this server's templates; only a bound WeChat.
    let err = expect_error(
        app.post("api/wechat/subscriptions", &agree(json!(["tpl-other"]))).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(err.field.as_deref(), Some("accepted"));
    expect_error(
        app.post(
            "api/wechat/subscriptions",
            &json!({"code": "ok-oNobody", "accepted": ["tpl-poll"]}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Her demand is taken by the village: one message, which WeChat first answers "busy".
    fake.script.lock().unwrap().push(-1);
    let villager = app.signed_in("13800000001").await;
    let filed = villager
        .post(
            "api/regions/359901101201/demands",
            &json!({"text": "村口的路灯坏了一个月，晚上看不见路", "class": "service", "subcategory": "道路交通",
                    "public": false, "idempotency_key": Uuid::new_v4()}),
        )
        .await;
    assert_eq!(filed.status(), StatusCode::CREATED);
    let demand: sunlight_api::demand::Demand = json(filed).await;
    let id = demand.summary.id;
    let cadre = app.signed_in("13800000003").await;
    let steps = format!("api/demands/{id}/steps");
    let res = cadre.post(&steps, &json!({"step": "accept"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // She agreed to nothing about answers: the answer sends nothing.
    let res = cadre.post(&steps, &json!({"step": "answer", "note": "已派电工"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Nor about polls: a new poll in her village sends nothing either.
    let poll = cadre
        .post(
            "api/regions/359901101201/polls",
            &json!({"title": "村部门前路灯改造方案", "villages": [], "per": "person",
                    "opens_at": chrono::Utc::now().timestamp_millis(),
                    "closes_at": chrono::Utc::now().timestamp_millis() + 86_400_000,
                    "live_results": false, "allow_change": false,
                    "questions": [{"kind": "single", "prompt": "同意吗？", "options": ["同意", "不同意"], "max_choices": 1}]}),
        )
        .await;
    assert_eq!(poll.status(), StatusCode::CREATED);

    // The server's worker tried at once and WeChat was busy; once its clock passes the
    // backoff (30 s), its next round (every 15 s) sends it.
    assert_eq!(sent(&fake, 1, 10).await.len(), 1);
    app.clock().set(app.clock().now() + chrono::Duration::minutes(5));
    let all = sent(&fake, 2, 25).await;
    assert_eq!(all.len(), 2, "one failed try and one delivery: {all:?}");
    let (_, message) = &all[1];
    assert_eq!(message["touser"], "oZhangXiuying");
    assert_eq!(message["template_id"], "tpl-accepted");
    assert_eq!(message["page"], format!("pages/webview/webview?to=demands%2F{id}"));
    // What happened, where and when, in the template's own fields.
    let what = message["data"]["thing4"]["value"].as_str().unwrap();
    assert!(what == "您的诉求已受理：道路交通", "{what}");
    assert_eq!(message["data"]["thing5"]["value"], "上坪村");
    let when = message["data"]["time6"]["value"].as_str().unwrap();
    assert!(when.len() == 16 && when.starts_with("2026-11-02 "), "{when}");
    // One token for both tries.
    assert_eq!(all[0].0, all[1].0);

    // One agreement was spent, one is left; the answer and the poll queued nothing.
    let me = app.db.user_id_by_mobile("13800000001").await.unwrap().unwrap();
    let left_now = |a: Vec<sunlight_api::wechat::Allowance>| left(&a, NoticeKind::DemandAccepted);
    assert_eq!(left_now(app.db.allowances(me).await.unwrap()), Some(1));

    // An access token WeChat no longer takes is replaced, within the same try.
    let second = villager
        .post(
            "api/regions/359901101201/demands",
            &json!({"text": "村东头的水渠堵了，请派人清理", "class": "service", "subcategory": "道路交通",
                    "public": false, "idempotency_key": Uuid::new_v4()}),
        )
        .await;
    let second: sunlight_api::demand::Demand = json(second).await;
    fake.script.lock().unwrap().push(40001);
    let res = cadre
        .post(
            &format!("api/demands/{}/steps", second.summary.id),
            &json!({"step": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let all = sent(&fake, 4, 10).await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert_ne!(all[2].0, all[3].0, "a new token for the second send");
    assert_eq!(*fake.tokens.lock().unwrap(), 2);
    assert_eq!(left_now(app.db.allowances(me).await.unwrap()), Some(0));
    // No agreement left: the next demand taken sends nothing; and nothing was sent twice.
    let third: sunlight_api::demand::Demand = json(
        villager
            .post(
                "api/regions/359901101201/demands",
                &json!({"text": "村小学门口需要减速带", "class": "service", "subcategory": "道路交通",
                        "public": false, "idempotency_key": Uuid::new_v4()}),
            )
            .await,
    )
    .await;
    let res = cadre
        .post(
            &format!("api/demands/{}/steps", third.summary.id),
            &json!({"step": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sent(&fake, 5, 3).await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_people_who_agreed_once_per_event_sqlite() {
    messages(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn messages_reach_people_who_agreed_once_per_event_postgres() {
    messages(Backend::Postgres).await;
}
