//! Configuration, from flags or environment variables.

use std::{net::IpAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::db;

#[derive(Parser, Debug)]
#[command(name = "sunlight", version, about = "阳光村务 Sunlight: village affairs in the open")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API and the built client.
    Serve {
        /// Load the demo regions, households and accounts first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo data (idempotent) and exit.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Make the key that signs the publication log's tree heads, once per deployment, and
    /// print its public half (every server process is given the same file; an existing
    /// file is never replaced).
    Key {
        /// Where to write the secret key.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Args, Clone)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SUNLIGHT_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// `sqlite://…` or `postgres://…`; default: an SQLite file in the data directory.
    #[arg(long = "database", env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the SQLite file and uploaded files live.
    #[arg(long, env = "SUNLIGHT_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The built client (Trunk's `dist/`).
    #[arg(long, env = "SUNLIGHT_DIST", default_value = "dist", global = true)]
    pub dist: PathBuf,
    /// The path prefix the page is served under, e.g. `/cunwu/` behind a proxy.
    #[arg(long, env = "SUNLIGHT_BASE_PATH", default_value = "/", global = true)]
    pub base_path: String,
    /// Mark the session cookie `Secure` (set this when served over HTTPS).
    #[arg(long, env = "SUNLIGHT_SECURE_COOKIES", default_value_t = false, global = true)]
    pub secure_cookies: bool,
    /// The reverse proxy whose `X-Forwarded-For` is believed.
    #[arg(long, env = "SUNLIGHT_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<IpAddr>,
    /// The address people reach Sunlight at, e.g. `https://cunwu.example.cn/cunwu/`: what
    /// the printed QR codes point to. Default: the host of the request that asks for one.
    #[arg(long, env = "SUNLIGHT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Leading zero bits of the proof of work a report filing must carry (each bit doubles
    /// the phone's work: 18 is a fraction of a second).
    #[arg(long, env = "SUNLIGHT_REPORT_POW_BITS", default_value_t = 18, global = true)]
    pub report_pow_bits: u32,
    /// The publication log's signing key, as `sunlight key` wrote it. Default: `log-key`
    /// in the data directory.
    #[arg(long, env = "SUNLIGHT_LOG_KEY", global = true)]
    pub log_key: Option<PathBuf>,
    /// For tests: post group robots' messages to this base (a local receiver) instead of
    /// the WeCom and DingTalk hosts, keeping each robot's path and key.
    #[arg(long, env = "SUNLIGHT_ROBOT_BASE", global = true, hide = true)]
    pub robot_base: Option<String>,
    /// The WeChat mini-program's AppID (`wx…`), for signing in inside WeChat (with
    /// `--wechat-secret-file`; without both, WeChat sign-in is off).
    #[arg(long, env = "SUNLIGHT_WECHAT_APP_ID", global = true)]
    pub wechat_app_id: Option<String>,
    /// A file holding the mini-program's AppSecret (one line, mode 0600): kept out of the
    /// command line and the environment, read once at start, never logged.
    #[arg(long, env = "SUNLIGHT_WECHAT_SECRET_FILE", global = true)]
    pub wechat_secret_file: Option<PathBuf>,
    /// A JSON file naming the subscription message templates chosen in the mini-program's
    /// console, by kind (README, "Inside WeChat"); without it no message is sent.
    #[arg(long, env = "SUNLIGHT_WECHAT_TEMPLATES", global = true)]
    pub wechat_templates: Option<PathBuf>,
    /// For tests: WeChat's API at this base (a local stand-in) instead of its host.
    #[arg(long, env = "SUNLIGHT_WECHAT_BASE", global = true, hide = true)]
    pub wechat_base: Option<String>,
}

impl Config {
    /// A local server on a free port with every default, its files in `data_dir` and its
    /// database at `database_url`: what tests and benchmarks start from (with a light
    /// proof of work for filing reports).
    pub fn local(data_dir: &std::path::Path, database_url: String) -> Config {
        Config {
            bind: "127.0.0.1:0".into(),
            database_url: Some(database_url),
            data_dir: data_dir.to_owned(),
            dist: data_dir.join("no-dist"),
            base_path: "/".into(),
            secure_cookies: false,
            trusted_proxy: None,
            public_url: None,
            report_pow_bits: 4,
            log_key: None,
            robot_base: None,
            wechat_app_id: None,
            wechat_secret_file: None,
            wechat_templates: None,
            wechat_base: None,
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| db::default_sqlite_url(&self.data_dir))
    }

    /// Where the publication log's signing key is read from.
    pub fn log_key_path(&self) -> PathBuf {
        self.log_key.clone().unwrap_or_else(|| self.data_dir.join("log-key"))
    }

    /// The base path, normalised to start and end with `/`.
    pub fn base_path(&self) -> String {
        let trimmed = self.base_path.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_owned()
        } else {
            format!("/{trimmed}/")
        }
    }
}

// Hand-written so that a database password never reaches a log line.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &db::redact_url(&self.database_url()))
            .field("data_dir", &self.data_dir)
            .field("dist", &self.dist)
            .field("base_path", &self.base_path())
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxy", &self.trusted_proxy)
            .field("public_url", &self.public_url)
            .field("report_pow_bits", &self.report_pow_bits)
            .field("log_key", &self.log_key_path())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_normalise_and_debug_hides_passwords() {
        let mut c = Cli::parse_from(["sunlight", "serve", "--database", "postgres://u:hunter2@h/db"]).config;
        assert_eq!(c.base_path(), "/");
        c.base_path = "cunwu".into();
        assert_eq!(c.base_path(), "/cunwu/");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
