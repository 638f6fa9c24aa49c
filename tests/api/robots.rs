//! Group robots: a cadre sets the village's WeCom or DingTalk webhook (nothing else is
//! accepted), publishing posts one message per event to a local stand-in for the service,
//! a failure is retried with backoff, two processes never post one message twice, and the
//! cadre sees every message's fate without ever seeing the secret whole.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::{
    ledger::Line,
    robot::{DeliveryStatus, GroupRobot, Service},
};
use sunlight_server::push::{Robots, deliver_due};

use super::*;

const VILLAGE: &str = "359901101201";
const HOOK: &str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=5f2a9c1e-robot-secret-7d41";

/// A stand-in for the robots' service: records every post (address, body) and answers
/// HTTP 500 to the first `fail` of them, then WeCom's `{"errcode":0}`.
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn receiver(fail: usize) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let left = Arc::new(AtomicUsize::new(fail));
    let record = got.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let (record, left) = (record.clone(), left.clone());
        async move {
            record
                .lock()
                .unwrap()
                .push((uri.to_string(), serde_json::from_str(&body).unwrap_or(Value::Null)));
            if left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, String::new())
            } else {
                (axum::http::StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#.to_owned())
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, got }
}

impl Receiver {
    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    async fn wait_for(&self, n: usize) {
        for _ in 0..200 {
            if self.count() >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} posts, not {n}", self.count());
    }
}

async fn robot(app: &TestApp) -> GroupRobot {
    json(app.get(&format!("api/regions/{VILLAGE}/group-robot")).await).await
}

/// Publishes a one-line month of 2024 in the demo village.
async fn publish_month(app: &TestApp, month: &str) {
    let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
    let url = format!("api/regions/{VILLAGE}/ledger/{month}");
    let res = acc
        .post(
            &format!("{url}/lines"),
            &json!({"date": format!("{month}-15"), "kind": "income", "amount": "1200", "category": "集体收入",
                    "counterparty": "承包户", "counterparty_is_person": false, "invoice_no": "", "note": ""}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let line: Line = json(res).await;
    assert_eq!(
        acc.post(&format!("{url}/submit"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    rev.post(
        &format!("api/ledger-lines/{}/review", line.id),
        &json!({"approve": true, "reason": ""}),
    )
    .await;
    assert_eq!(
        rev.post(&format!("{url}/publish"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
}

async fn run(backend: Backend) {
    let service = receiver(1).await;
    let opts = Options {
        robot_base: Some(service.base.clone()),
        public_url: Some("https://cunwu.example.cn/".into()),
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with(backend, opts).await else {
        return;
    };
    app.demo().await;
    app.set_today("2024-04-10");
    let cadre = app.signed_in("13800000003").await;
    let url = format!("api/regions/{VILLAGE}/group-robot");

    // Only the two services' robot addresses; the field is named.
    for bad in [
        "https://example.cn/cgi-bin/webhook/send?key=abc",
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com.example.cn/cgi-bin/webhook/send?key=abc",
    ] {
        let res = cadre
            .client
            .put(cadre.url(&url))
            .json(&json!({"url": bad}))
            .send()
            .await
            .unwrap();
        let err = expect_error(res, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some("url"), "{bad}");
    }
    // The accountant and a villager may not set it.
    for mobile in ["13800000002", "13800000001"] {
        let other = app.signed_in(mobile).await;
        let res = other
            .client
            .put(other.url(&url))
            .json(&json!({"url": HOOK}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{mobile}");
    }
    // Nothing is queued for a village without a robot.
    publish_month(&app, "2024-01").await;
    let res = cadre
        .client
        .put(cadre.url(&url))
        .json(&json!({"url": HOOK}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let set: GroupRobot = json(res).await;
    assert_eq!(set.service, Some(Service::Wecom));
    assert_eq!(set.masked.as_deref(), Some("5f2a…7d41"));
    assert!(
        set.deliveries.is_empty(),
        "January was published before the robot was set"
    );
    let shown = cadre.get(&url).await.text().await.unwrap();
    assert!(
        !shown.contains("robot-secret"),
        "the secret is never answered whole: {shown}"
    );

    // Publishing March queues one message; the app's worker posts it at once, and the
    // stand-in fails it.
    publish_month(&app, "2024-03").await;
    service.wait_for(1).await;
    let (address, body) = service.got.lock().unwrap()[0].clone();
    assert_eq!(address, "/cgi-bin/webhook/send?key=5f2a9c1e-robot-secret-7d41");
    assert_eq!(body["msgtype"], "text");
    let text = body["text"]["content"].as_str().unwrap().to_owned();
    assert!(text.contains("上坪村") && text.contains("2024年3月"), "{text}");
    assert!(
        text.contains("https://cunwu.example.cn/ledger/359901101201/2024-03"),
        "{text}"
    );
    let mut r = robot(&cadre).await;
    for _ in 0..100 {
        if r.deliveries.first().is_some_and(|d| d.last_error.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        r = robot(&cadre).await;
    }
    let d = &r.deliveries[0];
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 1));
    assert_eq!(d.last_error.as_deref(), Some("HTTP 500"));

    // Not again before its backoff; after it, two processes race for it and one posts it.
    let robots_a = Robots::new(Some(service.base.clone())).unwrap();
    let robots_b = Robots::new(Some(service.base.clone())).unwrap();
    // The app's clock stands still at the day set, so its own worker never sees the backoff
    // pass; these workers are given their own times.
    let t0 = app.clock().now();
    let soon = move || t0 + chrono::Duration::seconds(5);
    assert_eq!(deliver_due(&app.db, &robots_a, None, soon).await.unwrap(), 0);
    let later = move || t0 + chrono::Duration::minutes(2);
    let (a, b) = tokio::join!(
        deliver_due(&app.db, &robots_a, None, later),
        deliver_due(&app.db, &robots_b, None, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "exactly one process took it");
    assert_eq!(service.count(), 2);
    let d = robot(&cadre).await.deliveries[0].clone();
    assert_eq!((d.status, d.attempts, d.last_error), (DeliveryStatus::Sent, 2, None));
    assert!(d.sent_at.is_some());

    // The same event is queued once, whoever publishes it again.
    let village = code(VILLAGE);
    assert!(
        !app.db
            .enqueue_push(&village, "month:359901101201:2024-03", "again", t0)
            .await
            .unwrap()
    );

    // A catalogue entry's publication is posted too, with its title and link.
    let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
    let entry: sunlight_api::catalogue::Entry = json(
        acc.post(
            &format!("api/regions/{VILLAGE}/disclosures"),
            &json!({"item": "party-dues", "period": "2024-Q1", "title": "一季度党费收缴", "body": "实缴 1,860.00 元"}),
        )
        .await,
    )
    .await;
    acc.post(&format!("api/disclosures/{}/submit", entry.id), &json!({}))
        .await;
    rev.post(
        &format!("api/disclosures/{}/review", entry.id),
        &json!({"approve": true}),
    )
    .await;
    service.wait_for(3).await;
    // Marked sent by the app's worker before these tests' own workers run again.
    for _ in 0..100 {
        if robot(&cadre)
            .await
            .deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Sent)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        robot(&cadre)
            .await
            .deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Sent)
    );
    let text = service.got.lock().unwrap()[2].1["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("一季度党费收缴"), "{text}");
    assert!(
        text.contains(&format!(
            "https://cunwu.example.cn/disclosures/{VILLAGE}#entry-{}",
            entry.id
        )),
        "{text}"
    );

    // Removed: what is still queued is given up with its reason, nothing is posted.
    assert!(
        app.db
            .enqueue_push(&village, "test:after-removal", "测试", t0 + chrono::Duration::days(1))
            .await
            .unwrap()
    );
    assert_eq!(cadre.delete(&url).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(cadre.delete(&url).await.status(), StatusCode::NOT_FOUND);
    let far = move || t0 + chrono::Duration::days(2);
    assert_eq!(deliver_due(&app.db, &robots_a, None, far).await.unwrap(), 1);
    assert_eq!(service.count(), 3);
    let r = robot(&cadre).await;
    assert_eq!(r.service, None);
    let removed = r.deliveries.iter().find(|d| d.text == "测试").unwrap();
    assert_eq!(removed.last_error.as_deref(), Some("the village has no robot now"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_reaches_the_group_once_with_retries_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn publishing_reaches_the_group_once_with_retries_postgres() {
    run(Backend::Postgres).await;
}
