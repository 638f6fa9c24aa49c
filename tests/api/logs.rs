//! The server's log at trace level, through the server's own logging layer: it must never
//! carry a peer's network address (a report's filer is anonymous), nor a group robot's
//! secret address. Its own test binary, as it installs the process's one global subscriber.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use sunlight_tests::{Backend, TestApp, client};
use tracing_subscriber::{EnvFilter, layer::SubscriberExt};

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_peer_address_is_logged_at_trace_level() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(buf.clone());
    let subscriber = tracing_subscriber::registry()
        .with(sunlight_server::logging::layer(EnvFilter::new("trace"), move || {
            sink.clone()
        }));
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this process");

    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // Report routes from fresh connections (each client opens its own), and a staff route.
    for path in ["api/report-places", "api/report-receipt", "api/health"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    let res = client()
        .post(app.url("api/report-challenges"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert!(res.status().as_u16() < 500);
    // Let the connections close, so their closing lines are written too.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // A village's group robot: its address (whose key is the secret) is set, and a
    // message fails to reach it (nothing listens), through the server's own HTTP client.
    robot_secret_stays_out_of_the_log().await;
    // The WeChat AppSecret travels in code2session's query: asked once of a WeChat that
    // answers (refusing the code), once of one that cannot be reached.
    wechat_secret_stays_out_of_the_log().await;

    let log = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("a message was not delivered"),
        "the failed delivery was logged"
    );
    assert!(
        !log.contains(ROBOT_KEY),
        "the robot's key is in the log: {}",
        log.lines().find(|l| l.contains(ROBOT_KEY)).unwrap_or_default()
    );
    assert!(
        log.contains("WeChat code2session: no answer"),
        "the unreachable WeChat was logged"
    );
    assert!(log.contains("refused a code"), "the refused code was logged");
    assert!(
        !log.contains(WECHAT_SECRET),
        "the WeChat AppSecret is in the log: {}",
        log.lines().find(|l| l.contains(WECHAT_SECRET)).unwrap_or_default()
    );
    assert!(log.contains("TRACE"), "the log was captured at trace level");
    assert!(log.contains("/api/report-places"), "request lines are logged");
    // The test's own HTTP client logs into the same process; only the server's lines count.
    let client_side = ["hyper_util::client", "reqwest::"];
    for line in log.lines().filter(|l| !client_side.iter().any(|c| l.contains(c))) {
        assert!(
            !line.contains("127.0.0.1"),
            "a log line carries a network address: {line}"
        );
    }
}

/// The key of a WeCom robot's address: whoever has it can post to the village's group.
const ROBOT_KEY: &str = "9c3e71d0-log-secret-robot";

async fn robot_secret_stays_out_of_the_log() {
    // A port nothing listens on: every post fails to connect.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let opts = sunlight_tests::Options {
        robot_base: Some(base.clone()),
        ..Default::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, opts).await.unwrap();
    app.demo().await;
    let cadre = app.signed_in("13800000003").await;
    let res = cadre
        .client
        .put(cadre.url("api/regions/359901101201/group-robot"))
        .json(&serde_json::json!({
            "url": format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}")
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let village = sunlight_api::RegionCode::parse("359901101201").unwrap();
    let now = chrono::Utc::now();
    assert!(
        app.db
            .enqueue_push(&village, "log-test", "测试消息", now)
            .await
            .unwrap()
    );
    let robots = sunlight_server::push::Robots::new(Some(base)).unwrap();
    let tried = sunlight_server::push::deliver_due(&app.db, &robots, None, move || now + chrono::Duration::hours(2))
        .await
        .unwrap();
    assert!(tried >= 1, "the message was tried");
}

/// The mini-program's AppSecret: whoever has it can act as the mini-program towards WeChat.
const WECHAT_SECRET: &str = "0ddba11c0ffee5ec2e7105ecre7a55e7";

async fn wechat_secret_stays_out_of_the_log() {
    // One WeChat that answers every code with "invalid code", one that nothing listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let answering = format!("http://{}", listener.local_addr().unwrap());
    let refuse = axum::Router::new().fallback(|| async { r#"{"errcode":40029,"errmsg":"invalid code"}"# });
    tokio::spawn(async move { axum::serve(listener, refuse).await.unwrap() });
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let unreachable = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    for (base, status) in [
        (answering, StatusCode::UNAUTHORIZED),
        (unreachable, StatusCode::SERVICE_UNAVAILABLE),
    ] {
        let opts = sunlight_tests::Options {
            wechat: Some(sunlight_tests::WeChatOptions {
                app_id: "wx0123456789abcdef".into(),
                secret: WECHAT_SECRET.into(),
                base,
                templates: None,
            }),
            ..Default::default()
        };
        let app = TestApp::spawn_with(Backend::Sqlite, opts).await.unwrap();
        let res = client()
            .post(app.url("api/wechat/session"))
            .json(&serde_json::json!({"code": "0a1b2c3d4e"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status);
    }
}
