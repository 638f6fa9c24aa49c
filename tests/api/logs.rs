//! The server's log at trace level, through the server's own logging layer: it must never
//! carry a peer's network address (a report's filer is anonymous). Its own test binary, as
//! it installs the process's one global subscriber.

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

    let log = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
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
