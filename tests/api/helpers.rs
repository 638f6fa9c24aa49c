//! Test harness: starts the real application on port 0 over a fresh database, SQLite or
//! PostgreSQL, and gives tests a typed client.
//!
//! PostgreSQL tests run when `TEST_POSTGRES_URL` names a server (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each test process migrates one template
//! database once; each test then gets its own copy (`CREATE DATABASE … TEMPLATE …`).

use std::{path::PathBuf, str::FromStr};

use reqwest::{Client, Response, StatusCode};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{ConnectOptions, Connection, postgres::PgConnectOptions};
use sunlight_api::{ErrorBody, Password, RegionCode, Role};
use sunlight_server::{Application, Config, Db, auth, db::accounts::NewUser, demo};
use tokio::sync::OnceCell;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running application with its own database and data directory.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub backend: Backend,
    /// The database's URL, for a second connection pool (a second server process).
    pub db_url: String,
    pub dir: tempfile::TempDir,
    /// The public half of the app's publication log key, as a phone pins it.
    pub log_key: [u8; 32],
    /// A client with a cookie jar, signed in by [`TestApp::sign_in`].
    pub client: Client,
}

/// Options for starting an app.
#[derive(Default, Clone)]
pub struct Options {
    pub dist: Option<PathBuf>,
    pub base_path: Option<String>,
    pub trusted_proxy: Option<std::net::IpAddr>,
    pub secure_cookies: bool,
    /// Where group robots' messages go instead of WeCom's and DingTalk's hosts.
    pub robot_base: Option<String>,
    pub public_url: Option<String>,
    /// WeChat sign-in and messages.
    pub wechat: Option<WeChatOptions>,
}

/// WeChat for a test app: the AppID, the AppSecret (written to a file in the app's data
/// directory), a local stand-in for WeChat's API, and the templates file's JSON.
#[derive(Clone, Default)]
pub struct WeChatOptions {
    pub app_id: String,
    pub secret: String,
    pub base: String,
    pub templates: Option<String>,
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The clock of each running app, by its base URL, so that every copy of a `TestApp`
/// reaches the same one.
static CLOCKS: std::sync::Mutex<Vec<(String, sunlight_server::clock::Clock)>> = std::sync::Mutex::new(Vec::new());

fn pg_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

/// The URL of a database with another name on the same server.
fn with_database(url: &str, name: &str) -> String {
    let opts = PgConnectOptions::from_str(url).expect("TEST_POSTGRES_URL parses");
    opts.database(name).to_url_lossy().to_string()
}

async fn pg_admin(url: &str) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(url)
        .await
        .expect("connect to TEST_POSTGRES_URL")
}

/// A fresh PostgreSQL database copied from this process's migrated template.
async fn fresh_postgres(url: &str) -> String {
    let template = TEMPLATE
        .get_or_init(|| async {
            let name = format!("sunlight_tpl_{}", Uuid::new_v4().simple());
            let mut admin = pg_admin(url).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create template database");
            let db = Db::connect(&with_database(url, &name)).await.expect("migrate template");
            db.close().await;
            name
        })
        .await;
    let name = format!("sunlight_test_{}", Uuid::new_v4().simple());
    let mut admin = pg_admin(url).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE {template}"
    )))
    .execute(&mut admin)
    .await
    .expect("create test database");
    with_database(url, &name)
}

/// The session cookie a sign-in response sets, as a `Cookie` header value (`name=token`),
/// for replaying it from another client.
pub fn session_cookie(res: &Response) -> String {
    let set = res.headers()["set-cookie"].to_str().expect("an ASCII cookie");
    set.split(';').next().expect("a cookie").to_owned()
}

pub fn client() -> Client {
    // The server's HTTP client brings rustls into the workspace's reqwest: its provider first.
    sunlight_server::push::install_crypto();
    Client::builder().cookie_store(true).build().expect("client")
}

impl TestApp {
    /// Starts an app, or `None` for PostgreSQL when no server is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, opts: Options) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match backend {
            Backend::Sqlite => sunlight_server::db::default_sqlite_url(dir.path()),
            Backend::Postgres => fresh_postgres(&pg_url()?).await,
        };
        let config = Config {
            dist: opts.dist.unwrap_or_else(|| dir.path().join("no-dist")),
            base_path: opts.base_path.unwrap_or_else(|| "/".into()),
            secure_cookies: opts.secure_cookies,
            trusted_proxy: opts.trusted_proxy,
            robot_base: opts.robot_base,
            public_url: opts.public_url,
            ..Config::local(dir.path(), url.clone())
        };
        let config = match opts.wechat {
            Some(w) => {
                let file = dir.path().join("wechat-secret");
                std::fs::write(&file, format!("{}\n", w.secret)).expect("secret file");
                let templates = w.templates.map(|json| {
                    let path = dir.path().join("wechat-templates.json");
                    std::fs::write(&path, json).expect("templates file");
                    path
                });
                Config {
                    wechat_app_id: Some(w.app_id),
                    wechat_secret_file: Some(file),
                    wechat_templates: templates,
                    wechat_base: Some(w.base),
                    ..config
                }
            }
            None => config,
        };
        // The log key's default place is the data directory; each test app has its own.
        let log_key = sunlight_server::log_key::LogKey::generate(&config.log_key_path()).expect("log key");
        let log_public = log_key.public();
        let base_path = config.base_path();
        let app = Application::build(config).await.expect("application builds");
        let port = app.port();
        let db = app.db().clone();
        let base = format!("http://127.0.0.1:{port}{base_path}");
        {
            // A port is reused once its app is gone: the new app's clock replaces the old
            // one's, or a test would move a dead app's clock (and its own would not move).
            let mut clocks = CLOCKS.lock().unwrap();
            clocks.retain(|(b, _)| *b != base);
            clocks.push((base.clone(), app.clock()));
        }
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            base,
            db,
            backend,
            db_url: url,
            dir,
            log_key: log_public,
            client: client(),
        })
    }

    /// The app's clock: the server's "now" for rules that depend on today.
    pub fn clock(&self) -> sunlight_server::clock::Clock {
        let clocks = CLOCKS.lock().unwrap();
        clocks
            .iter()
            .find(|(base, _)| *base == self.base)
            .map(|(_, c)| c.clone())
            .expect("every spawned app has a clock")
    }

    /// Fixes the server's today (noon in China) for rules that depend on it.
    pub fn set_today(&self, date: &str) {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a test date");
        let noon_china = day.and_hms_opt(4, 0, 0).expect("a time").and_utc();
        self.clock().set(noon_china);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// Loads the demo regions, households and accounts.
    pub async fn demo(&self) {
        let storage = sunlight_server::storage::Storage::new(self.dir.path());
        demo::load(&self.db, &storage).await.expect("demo data loads");
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post<B: Serialize>(&self, path: &str, body: &B) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .header(sunlight_api::CSRF_HEADER, "1")
            .send()
            .await
            .expect("request")
    }

    /// Another client of the same application, signed in as `mobile` with the demo
    /// password: a second phone.
    pub async fn signed_in(&self, mobile: &str) -> TestApp {
        let t = TestApp {
            base: self.base.clone(),
            db: self.db.clone(),
            backend: self.backend,
            db_url: self.db_url.clone(),
            dir: tempfile::tempdir().unwrap(),
            log_key: self.log_key,
            client: client(),
        };
        t.sign_in(mobile, sunlight_server::demo::DEMO_PASSWORD).await;
        t
    }

    /// Signs this app's client in; panics unless it works.
    pub async fn sign_in(&self, mobile: &str, password: &str) {
        let res = self
            .post(
                "api/session",
                &serde_json::json!({"mobile": mobile, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "sign in as {mobile}");
    }

    /// Creates an account holding one role, straight in the database.
    pub async fn account(&self, mobile: &str, role: Role, region: &str, household: Option<Uuid>) -> Uuid {
        let hash = password_hash().await;
        let id = match self.db.user_id_by_mobile(mobile).await.unwrap() {
            Some(id) => id,
            None => self
                .db
                .create_user(NewUser {
                    name: "测试",
                    mobile,
                    password_hash: hash,
                })
                .await
                .expect("create user"),
        };
        self.db.grant(id, role, &code(region), household).await.expect("grant");
        id
    }

    /// A client signed in as `user` through a session made straight in the database.
    pub async fn session_for(&self, user: Uuid) -> Client {
        let token = auth::new_session_token();
        let expires = chrono::Utc::now() + chrono::Duration::days(1);
        self.db
            .create_session(&auth::hash_token(&token), user, expires)
            .await
            .unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            format!("{}={token}", auth::SESSION_COOKIE).parse().unwrap(),
        );
        Client::builder().default_headers(headers).build().unwrap()
    }
}

/// The password every test account has.
pub const PASSWORD: &str = "test-password";

/// One Argon2 hash of [`PASSWORD`], computed once per process.
pub async fn password_hash() -> &'static str {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| async { auth::hash_password(&Password::parse(PASSWORD).unwrap()).await.unwrap() })
        .await
}

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("test region code")
}

/// Reads a JSON body, panicking with the body text if it is not `T`.
pub async fn json<T: DeserializeOwned>(res: Response) -> T {
    let text = res.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("unexpected body {text}: {e}"))
}

/// Asserts the status and error code of an error response and returns the body.
pub async fn expect_error(res: Response, status: u16, code: &str) -> ErrorBody {
    let got = res.status().as_u16();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "status; body: {text}");
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|e| panic!("error body {text}: {e}"));
    assert_eq!(
        serde_json::to_value(body.code).unwrap(),
        code,
        "error code; body: {text}"
    );
    body
}

/// Runs a test body once on SQLite and once on PostgreSQL. The PostgreSQL run is reported
/// as ignored, with its reason, when no server was configured at build time (`build.rs`).
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::db_test!($name, $crate::Options::default(), |$app| $body);
    };
    ($name:ident, $opts:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::TestApp::spawn_with($crate::Backend::Sqlite, $opts)
                    .await
                    .expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(postgres_tests),
                ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
            )]
            async fn postgres() {
                let $app = $crate::TestApp::spawn_with($crate::Backend::Postgres, $opts)
                    .await
                    .expect("TEST_POSTGRES_URL is set at run time too");
                $body
            }
        }
    };
}

/// A recording of a tone `seconds` long as a phone's browser sends it: `webm` (Opus, as
/// Android records) or `mp4` (AAC, as iOS does). Made by ffmpeg, which the set-up installs
/// for the server's voice notes.
pub fn tone(seconds: u32, format: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("tone.{format}"));
    let codec = if format == "mp4" { "aac" } else { "libopus" };
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args(["-c:a", codec, "-y"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success(), "ffmpeg made the test recording");
    std::fs::read(out).unwrap()
}

/// A small valid PNG (8×8, black), as a phone's photo stands in for.
pub fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(8, 8))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
