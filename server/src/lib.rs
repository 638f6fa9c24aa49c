//! The Sunlight server: an axum API over SQLite or PostgreSQL, which also serves the
//! built Leptos client. `main.rs` only parses the command line; everything else is here
//! so that tests can start the real application on port 0.

pub mod auth;
pub mod authz;
pub mod clock;
pub mod config;
pub mod db;
pub mod demands;
pub mod demo;
pub mod http;
pub mod ledger_import;
pub mod log_key;
pub mod logging;
pub mod publication;
pub mod push;
pub mod ratelimit;
pub mod storage;
pub mod uploads;
pub mod voice;
pub mod wechat;

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::Config;
pub use db::Db;

/// A built application: database connected and migrated, listener bound.
pub struct Application {
    listener: TcpListener,
    state: http::AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database_url()).await?;
        Self::with_db(config, db).await
    }

    /// Builds around an existing database (tests hand in a fresh one).
    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&config.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {}", config.bind, e))?;
        let key_path = config.log_key_path();
        let log_key = log_key::LogKey::load(&key_path).with_context(|| {
            format!(
                "the publication log needs its signing key: make it once with `sunlight key --out {}` \
                 and give every server process the same file",
                key_path.display()
            )
        })?;
        let state = http::AppState::new(config, db, log_key).context("cannot prepare the client files")?;
        Ok(Application { listener, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Where uploaded files are kept.
    pub fn storage(&self) -> &storage::Storage {
        &self.state.storage
    }

    /// The application's clock; tests fix it to a day of their choosing.
    pub fn clock(&self) -> clock::Clock {
        self.state.clock.clone()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.state.db.clone();
        // What was published and not logged (a crash between the two, or data brought in
        // straight to the database, as the demo's) is logged before the first request, so
        // that no phone asks before it is.
        if let Err(e) = publication::catch_up(&self.state).await {
            tracing::error!(error = %e, "publication log catch-up failed");
        }
        spawn_housekeeping(self.state.clone());
        push::spawn_worker(self.state.clone());
        demands::spawn_clock(db.clone(), self.state.clock.clone());
        let app = http::router(self.state);
        axum::serve(self.listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        db.close().await;
        Ok(())
    }
}

/// Background chores, at start and hourly: publications not logged yet are logged, the
/// day's file of signed heads is written once a day, expired sessions are purged, and stored files that no row names (a crash between
/// writing and committing, a removed attachment) are swept.
fn spawn_housekeeping(state: http::AppState) {
    let (db, storage) = (state.db.clone(), state.storage.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = publication::catch_up(&state).await {
                tracing::error!(error = %e, "publication log catch-up failed");
            }
            if let Err(e) = publication::write_daily_heads(&state).await {
                tracing::error!(error = %e, "the daily file of log heads was not written");
            }
            match db.purge_expired_sessions().await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            if let Err(e) = sweep_files(&db, &storage).await {
                tracing::warn!(error = %e, "file sweep failed");
            }
        }
    });
}

/// Removes stored files older than an hour that belong to no attachment row.
pub async fn sweep_files(db: &Db, storage: &storage::Storage) -> anyhow::Result<usize> {
    let ids = db.attachment_ids().await?;
    let known = |name: &str| {
        name.get(..36)
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
            .is_some_and(|id| ids.contains(&id))
    };
    let n = storage.sweep(std::time::Duration::from_secs(3600), known).await?;
    if n > 0 {
        tracing::info!(removed = n, "orphaned files swept");
    }
    Ok(n)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
