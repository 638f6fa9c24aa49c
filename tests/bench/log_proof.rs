//! Benchmark: the publication log of a county with many entries. Each proof is answered
//! from the county's whole list of entries (the tree is recomputed per request, not kept),
//! so this measures what that costs: a month's proof and the county's head over HTTP,
//! with 2,000, 20,000 and 50,000 entries in the county (a county of 300 villages logs
//! about 3,600 months a year, more with corrections and, later, catalogue items).
//! On SQLite by default; on PostgreSQL when `BENCH_POSTGRES_URL` names a database.
//!
//! Run with `cargo bench -p sunlight-tests --bench log_proof` (`scripts/bench` does).

use std::time::{Duration, Instant};

use sunlight_api::{
    RegionCode, Timestamp,
    published::{EntryKind, LogEntry, MonthProof, check_month},
    transparency::to_hex,
};
use sunlight_server::{Application, Config, Db, demo};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| sunlight_server::db::default_sqlite_url(dir.path()));
    let db = Db::connect(&url).await?;
    demo::load(&db, &sunlight_server::storage::Storage::new(dir.path())).await?;
    let config = Config::local(dir.path(), url.clone());
    let key = sunlight_server::log_key::LogKey::generate(&config.log_key_path())?.public();
    let app = Application::with_db(config, db.clone()).await?;
    let base = format!("http://127.0.0.1:{}/", app.port());
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let county = RegionCode::parse("359901000000")?;
    let village = "359901101201";
    let year: sunlight_api::ledger::LedgerYear = http
        .get(format!("{base}api/regions/{village}/ledger?year=2026"))
        .send()
        .await?
        .json()
        .await?;
    let month = year.months.first().expect("the demo publishes months").month;
    let month_url = format!("{base}api/regions/{village}/ledger/{month}");
    // The demo's months were logged at start; the rest are filler entries of other villages.
    let first: MonthProof = http.get(format!("{month_url}/proof")).send().await?.json().await?;
    let mut size = first.head.size;
    for target in [2_000u64, 20_000, 50_000] {
        let started = Instant::now();
        while size < target {
            let entry = LogEntry {
                kind: EntryKind::LedgerMonth,
                village: RegionCode::parse("359901999999")?,
                subject: format!("filler-{size}"),
                at: Timestamp(1_767_225_600_000),
                content: to_hex(&[size as u8; 32]),
            };
            db.append_log_entry(&county, &entry).await?;
            size += 1;
        }
        eprintln!("{target} entries ({:.1} s to append)", started.elapsed().as_secs_f64());
        let shown: sunlight_api::ledger::LedgerMonth = http.get(&month_url).send().await?.json().await?;
        let mut proofs = Vec::new();
        let mut heads = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let proof: MonthProof = http.get(format!("{month_url}/proof")).send().await?.json().await?;
            proofs.push(t.elapsed());
            check_month(&shown, &proof, &key).map_err(|p| anyhow::anyhow!("{p:?}"))?;
            let t = Instant::now();
            http.get(format!("{base}api/regions/{county}/log"))
                .send()
                .await?
                .error_for_status()?;
            heads.push(t.elapsed());
        }
        println!(
            "{target:>6} entries: month proof median {:.1} ms (p95 {:.1}); head median {:.1} ms",
            ms(median(&mut proofs)),
            ms(p95(&mut proofs)),
            ms(median(&mut heads))
        );
    }
    Ok(())
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p95(v: &mut [Duration]) -> Duration {
    v.sort();
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
