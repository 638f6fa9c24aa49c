//! Benchmark: completeness (红黄绿) of a county of 300 villages, each with a year of
//! catalogue entries, over HTTP: the inspector's completeness view and the to-do list, which
//! computes the same counts on every request (ARCHITECTURE.md, "The disclosure catalogue").
//! On SQLite by default; on PostgreSQL when `BENCH_POSTGRES_URL` names a database.
//!
//! Run with `cargo bench -p sunlight-tests --bench completeness` (`scripts/bench` does).

use std::time::{Duration, Instant};

use chrono::TimeZone;
use sunlight_api::{
    RegionCode,
    catalogue::{Frequency, LEDGER_ITEM, Period, default_items},
};
use sunlight_server::{Application, Config, Db, db::catalogue::NewEntryRow, demo};

const VILLAGES: u32 = 300;
const YEAR: i32 = 2025;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| sunlight_server::db::default_sqlite_url(dir.path()));
    let db = Db::connect(&url).await?;
    demo::load(&db, &sunlight_server::storage::Storage::new(dir.path())).await?;
    let author = db.user_id_by_mobile("13800000002").await?.expect("demo accountant");
    let started = Instant::now();
    let items = default_items();
    let mut entries = 0;
    for n in 0..VILLAGES {
        // Villages spread over the county's two demo townships.
        let town = if n % 2 == 0 { "359901101" } else { "359901102" };
        let village = RegionCode::parse(&format!("{town}{:03}", 300 + n / 2))?;
        db.upsert_region(&village, &format!("测试{n}村")).await?;
        for item in items
            .iter()
            .filter(|i| i.key != LEDGER_ITEM && i.frequency != Frequency::Event)
        {
            for period in Period::of_year(item.frequency, YEAR) {
                // One period in eleven is never published, so that some villages are red.
                if (n as usize + entries).is_multiple_of(11) {
                    entries += 1;
                    continue;
                }
                let due = period.due(item.deadline);
                let at = chrono::Utc
                    .with_ymd_and_hms(due.year, due.month, due.day, 2, 0, 0)
                    .single()
                    .expect("a due day");
                db.insert_published_disclosure(
                    NewEntryRow {
                        village: &village,
                        item,
                        period: &period.to_string(),
                        title: "测试",
                        body: "测试",
                        by: author,
                    },
                    at,
                    at,
                    author,
                )
                .await?;
                entries += 1;
            }
        }
    }
    eprintln!(
        "{VILLAGES} villages, {entries} periods ({:.1} s to write)",
        started.elapsed().as_secs_f64()
    );
    let config = Config::local(dir.path(), url.clone());
    sunlight_server::log_key::LogKey::generate(&config.log_key_path())?;
    let app = Application::with_db(config, db.clone()).await?;
    app.clock().set(
        chrono::Utc
            .with_ymd_and_hms(YEAR + 1, 1, 20, 4, 0, 0)
            .single()
            .expect("a time"),
    );
    let base = format!("http://127.0.0.1:{}/", app.port());
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let res = http
        .post(format!("{base}api/session"))
        .json(&serde_json::json!({"mobile": "13800000007", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "the county inspector signs in: {}",
        res.status()
    );
    for (what, path) in [
        (
            "county completeness",
            format!("api/regions/359901000000/completeness?year={YEAR}"),
        ),
        ("the inspector's to-do list", "api/me/todo".to_owned()),
    ] {
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            let res = http.get(format!("{base}{path}")).send().await?;
            anyhow::ensure!(res.status().is_success(), "{what}: {}", res.status());
            res.bytes().await?;
            times.push(t.elapsed());
        }
        times.sort();
        eprintln!(
            "{what}: median {:.1} ms, slowest {:.1} ms",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
    }
    Ok(())
}
