use std::process::ExitCode;

use clap::Parser;
use sunlight_server::{
    Application, Db,
    config::{Cli, Command},
    demo,
};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::registry()
        .with(sunlight_server::logging::layer(
            sunlight_server::logging::env_filter(),
            std::io::stdout,
        ))
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, never a panic trace.
            eprintln!("sunlight: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    tracing::info!(?config, "starting");
    match cli.command {
        Command::Key { out } => {
            let key = sunlight_server::log_key::LogKey::generate(&out)?;
            println!(
                "public key of the publication log: {}",
                sunlight_api::transparency::to_hex(&key.public())
            );
        }
        Command::Migrate => {
            Db::connect(&config.database_url()).await?.close().await;
        }
        Command::Demo => {
            let db = Db::connect(&config.database_url()).await?;
            demo::load_all(&db, &sunlight_server::storage::Storage::new(&config.data_dir)).await?;
            db.close().await;
        }
        Command::Serve { demo: with_demo } => {
            let key_path = config.log_key_path();
            if with_demo && !key_path.exists() {
                // A demo makes its own key; a deployment makes one by hand, once.
                std::fs::create_dir_all(&config.data_dir)?;
                let key = sunlight_server::log_key::LogKey::generate(&key_path)?;
                tracing::info!(
                    path = %key_path.display(),
                    public = %sunlight_api::transparency::to_hex(&key.public()),
                    "demo: made the publication log's key"
                );
            }
            let app = Application::build(config.clone()).await?;
            if with_demo {
                demo::load_all(app.db(), app.storage()).await?;
            }
            tracing::info!(
                "listening on http://{}:{}{}",
                host_of(&config.bind),
                app.port(),
                config.base_path()
            );
            app.run_until_stopped().await?;
        }
    }
    Ok(())
}

fn host_of(bind: &str) -> &str {
    bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind)
}
