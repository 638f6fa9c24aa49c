//! Benchmark: the city's demand dashboard (`GET /api/regions/{city}/demand-stats`) over a
//! year of 30,000 generated demands across the demo city's fourteen villages, answered by
//! the real application over HTTP. Prints the median and the 95th percentile of 30 calls.
//! On SQLite by default; on PostgreSQL when `BENCH_POSTGRES_URL` names a database.
//!
//! Run with `cargo bench -p sunlight-tests --bench demand_dashboard` (`scripts/bench` does).

use std::time::{Duration, Instant};

use chrono::TimeZone;
use sunlight_api::{RegionCode, RegionLevel, Role};
use sunlight_server::{Application, Config, Db, auth, demo};

const TARGET: usize = 30_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| sunlight_server::db::default_sqlite_url(dir.path()));
    let db = Db::connect(&url).await?;
    let storage = sunlight_server::storage::Storage::new(dir.path());
    demo::load(&db, &storage).await?;

    // A villager per village files; the city's inspector reads the dashboard.
    let filer = db.user_id_by_mobile("13800000001").await?.expect("demo villager");
    let mut villages = Vec::new();
    for r in all_villages(&db, &RegionCode::parse("359900000000")?).await? {
        villages.push(demo::demands::Village {
            code: r,
            filers: vec![filer],
            cadre: "书记".into(),
        });
    }
    let from = chrono::Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a date");
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 12, 31, 0, 0, 0)
        .single()
        .expect("a date");
    let per_month = (TARGET / villages.len() / 12) as u64 + 1;
    let mut rows = demo::demands::generate(&villages, per_month, from, now, 7);
    rows.truncate(TARGET);
    let started = Instant::now();
    for chunk in rows.chunks(2_000) {
        db.insert_demand_history(chunk).await?;
    }
    eprintln!(
        "{} demands written in {:.1} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    // What a running database has: statistics, and (PostgreSQL) a visibility map, which
    // autovacuum keeps after a load like this one and which lets the counts read the
    // covering index alone.
    match &db {
        Db::Postgres(p) => {
            sqlx::query("VACUUM ANALYZE demands").execute(p).await?;
        }
        Db::Sqlite(p) => {
            sqlx::query("ANALYZE").execute(p).await?;
        }
    }

    let inspector = db.user_id_by_mobile("13800000007").await?.expect("demo inspector");
    db.grant(inspector, Role::Inspector, &RegionCode::parse("359900000000")?, None)
        .await?;
    let token = auth::new_session_token();
    db.create_session(
        &auth::hash_token(&token),
        inspector,
        chrono::Utc::now() + chrono::Duration::days(1),
    )
    .await?;

    // The two reads the endpoint makes, timed apart.
    for _ in 0..3 {
        let t = Instant::now();
        sunlight_server::demands::stats(&db, &RegionCode::parse("359900000000")?, 2026, now).await?;
        let a = t.elapsed();
        let t = Instant::now();
        let city = RegionCode::parse("359900000000")?;
        db.demands(sunlight_server::db::demands::Scope::Overdue(&city), None, 50, now)
            .await?;
        eprintln!(
            "counts {:.1} ms, overdue list {:.1} ms",
            a.as_secs_f64() * 1e3,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let config = Config::local(dir.path(), url.clone());
    sunlight_server::log_key::LogKey::generate(&config.log_key_path())?;
    let app = Application::with_db(config, db.clone()).await?;
    app.clock().set(now);
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let get = |path: String| {
        client
            .get(format!("http://127.0.0.1:{port}/{path}"))
            .header("cookie", format!("{}={token}", auth::SESSION_COOKIE))
            .send()
    };
    let mut times = Vec::new();
    for i in 0..33 {
        let t = Instant::now();
        let res = get("api/regions/359900000000/demand-stats?year=2026".into()).await?;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await?;
        if i == 0 {
            eprintln!(
                "received {}, overdue now {}",
                body["total"]["received"], body["total"]["overdue_now"]
            );
        }
        if i >= 3 {
            times.push(t.elapsed());
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "city demand dashboard ({}, {} demands): median {:.1} ms, p95 {:.1} ms",
        db.backend().as_str(),
        rows.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100])
    );
    Ok(())
}

async fn all_villages(db: &Db, root: &RegionCode) -> anyhow::Result<Vec<RegionCode>> {
    let mut out = Vec::new();
    let mut todo = vec![root.clone()];
    while let Some(r) = todo.pop() {
        for c in db.region_children(&r).await? {
            if c.level == RegionLevel::Village {
                out.push(c.code);
            } else {
                todo.push(c.code);
            }
        }
    }
    Ok(out)
}
