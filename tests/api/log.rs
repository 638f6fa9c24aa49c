//! The publication log (公开记录): every published month and correction is logged as
//! villagers see it, the phone's check (`sunlight_api::published`, the code the phone
//! runs) passes on what was published and fails once a row is edited under the server,
//! and a rewritten history fails the consistency check against a head kept from before.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::{
    RegionCode,
    ledger::{LedgerMonth, Line},
    published::{
        ConsistencyProof, EntryKind, LogEntry, MonthProof, Problem, PublicKey, check_extends, check_month,
        content_hash, month_content,
    },
    transparency::{TreeHead, to_hex},
};

use super::*;

const VILLAGE: &str = "359901101201";
const COUNTY: &str = "359901000000";
const MONTH: &str = "2025-03";

async fn people(app: &TestApp) -> (TestApp, TestApp, TestApp) {
    app.demo().await;
    app.set_today("2025-04-10");
    (
        app.signed_in("13800000002").await,
        app.signed_in("13800000004").await,
        app.signed_in("13800000001").await,
    )
}

fn income(date: &str, amount: &str, from: &str) -> Value {
    json!({"date": date, "kind": "income", "amount": amount, "category": "集体收入",
           "counterparty": from, "invoice_no": "", "note": ""})
}

/// Enters one line into `month` (or its open correction), submits, seals and publishes it.
async fn publish_one(acc: &TestApp, rev: &TestApp, month: &str, body: &Value) {
    let url = format!("api/regions/{VILLAGE}/ledger/{month}");
    let res = acc.post(&format!("{url}/lines"), body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let line: Line = json(res).await;
    let ok = |res: reqwest::Response, what: &str| {
        assert!(res.status().is_success(), "{what}: {}", res.status());
    };
    ok(acc.post(&format!("{url}/submit"), &json!({})).await, "submit");
    ok(
        rev.post(
            &format!("api/ledger-lines/{}/review", line.id),
            &json!({"approve": true}),
        )
        .await,
        "seal",
    );
    ok(rev.post(&format!("{url}/publish"), &json!({})).await, "publish");
}

/// What a phone does: the month as shown, and its proof.
async fn shown(reader: &TestApp, month: &str) -> (LedgerMonth, MonthProof) {
    let m: LedgerMonth = json(reader.get(&format!("api/regions/{VILLAGE}/ledger/{month}")).await).await;
    let res = reader.get(&format!("api/regions/{VILLAGE}/ledger/{month}/proof")).await;
    assert_eq!(res.status(), StatusCode::OK);
    (m, json(res).await)
}

async fn consistency(reader: &TestApp, from: u64, to: u64) -> ConsistencyProof {
    let res = reader
        .get(&format!("api/regions/{COUNTY}/log/consistency?from={from}&to={to}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    json(res).await
}

async fn sql(app: &TestApp, statement: &'static str, binds: &[&str]) {
    sunlight_server::on_pool!(&app.db, p => {
        let mut q = sqlx::query(statement);
        for b in binds {
            q = q.bind(b.to_string());
        }
        q.execute(p).await.map(|_| ())
    })
    .expect("direct edit");
}

db_test!(publications_are_logged_and_proven_to_anyone, |app| {
    let (acc, rev, villager) = people(&app).await;
    // A private person pays: villagers see the name masked, staff in full.
    let mut rent = income("2025-03-12", "5000", "张晓明");
    rent["counterparty_is_person"] = json!(true);
    publish_one(&acc, &rev, MONTH, &rent).await;

    // The key the server signs with is the one it publishes.
    let key: PublicKey = json(app.get("api/log-key").await).await;
    assert_eq!(key.public_key, to_hex(&app.log_key));

    // A villager's phone and a passer-by's (the county is public) both verify the month.
    let (month, proof) = shown(&villager, MONTH).await;
    check_month(&month, &proof, &app.log_key).expect("the published month verifies");
    let (m2, p2) = shown(&app, MONTH).await;
    assert_eq!(
        check_month(&m2, &p2, &app.log_key),
        check_month(&month, &proof, &app.log_key)
    );
    let entry = &proof.entries[0].entry;
    assert_eq!((entry.kind, entry.subject.as_str()), (EntryKind::LedgerMonth, MONTH));
    assert_eq!(entry.content, to_hex(&content_hash(&month_content(&month))));
    // The accountant's view (names in full) hashes the same: staff are checked too.
    let (staff_view, staff_proof) = shown(&acc, MONTH).await;
    assert_eq!(staff_view.lines[0].counterparty, "张晓明");
    assert_eq!(month.lines[0].counterparty, "张*明");
    check_month(&staff_view, &staff_proof, &app.log_key).expect("the staff view verifies");
    // Another key does not vouch for it.
    assert_eq!(check_month(&month, &proof, &[7u8; 32]), Err(Problem::BadSignature));

    // The head endpoint serves the same head, and the list of heads holds it.
    let head: TreeHead = json(app.get(&format!("api/regions/{COUNTY}/log")).await).await;
    assert_eq!(head, proof.head);
    let heads: sunlight_api::Page<TreeHead> = json(app.get(&format!("api/regions/{COUNTY}/log/heads")).await).await;
    assert!(heads.items.contains(&head));
    assert!(heads.items.windows(2).all(|w| w[0].size < w[1].size));

    // A correction is logged as its own entry; the new head extends the old one.
    let kept = proof.head.clone();
    acc.post(
        &format!("api/regions/{VILLAGE}/ledger/{MONTH}/corrections"),
        &json!({"reason": "漏记一笔租金"}),
    )
    .await;
    publish_one(&acc, &rev, MONTH, &income("2025-03-20", "800", "门面租户")).await;
    let (month, proof) = shown(&villager, MONTH).await;
    assert_eq!(month.corrections.len(), 1);
    assert_eq!(proof.entries.len(), 2);
    check_month(&month, &proof, &app.log_key).expect("the month and its correction verify");
    assert!(proof.head.size > kept.size);
    let c = consistency(&villager, kept.size, proof.head.size).await;
    check_extends(&kept, &proof.head, &c, &app.log_key).expect("the log grew without changing");
    // A proof for other sizes than the heads' does not connect them.
    let wrong = consistency(&villager, 0, proof.head.size).await;
    assert_eq!(
        check_extends(&kept, &proof.head, &wrong, &app.log_key),
        Err(Problem::Forked)
    );
    // A phone holding the newer head is not fooled by the older one served again.
    assert_eq!(
        check_extends(&proof.head, &kept, &c, &app.log_key),
        Err(Problem::RolledBack)
    );
    // Someone with the database takes the correction back off the page: its entry is
    // still given with the month's, and the phone sees what is missing.
    sql(&app, "UPDATE ledger_corrections SET status = 'draft'", &[]).await;
    let (hidden, proof) = shown(&villager, MONTH).await;
    assert!(hidden.corrections.is_empty());
    assert_eq!(proof.entries.len(), 2);
    assert_eq!(check_month(&hidden, &proof, &app.log_key), Err(Problem::Hidden));
});

db_test!(a_row_edited_after_publication_fails_the_phones_check, |app| {
    let (acc, rev, villager) = people(&app).await;
    publish_one(&acc, &rev, MONTH, &income("2025-03-12", "5000", "鱼塘承包户")).await;
    let (month, proof) = shown(&villager, MONTH).await;
    check_month(&month, &proof, &app.log_key).expect("verifies before the edit");

    // Someone with the database raises the amount in place.
    sql(
        &app,
        "UPDATE ledger_lines SET amount_fen = amount_fen + 100000
         WHERE month_id = (SELECT id FROM ledger_months WHERE village_code = $1 AND month = $2)",
        &[VILLAGE, MONTH],
    )
    .await;
    let (edited, proof) = shown(&villager, MONTH).await;
    assert_eq!(edited.income_fen, month.income_fen + 100000, "the edit shows");
    assert_eq!(check_month(&edited, &proof, &app.log_key), Err(Problem::Altered));

    // Or puts it back and changes who paid: the same.
    sql(
        &app,
        "UPDATE ledger_lines SET amount_fen = amount_fen - 100000, counterparty = '某公司'
         WHERE month_id = (SELECT id FROM ledger_months WHERE village_code = $1 AND month = $2)",
        &[VILLAGE, MONTH],
    )
    .await;
    let (edited, proof) = shown(&villager, MONTH).await;
    assert_eq!(edited.income_fen, month.income_fen);
    assert_eq!(check_month(&edited, &proof, &app.log_key), Err(Problem::Altered));
});

db_test!(a_rewritten_history_fails_the_consistency_check, |app| {
    let (acc, rev, villager) = people(&app).await;
    publish_one(&acc, &rev, MONTH, &income("2025-03-12", "5000", "鱼塘承包户")).await;
    let (month, kept) = shown(&villager, MONTH).await;
    check_month(&month, &kept, &app.log_key).unwrap();
    let kept = kept.head;

    // Someone with the database edits the month, rewrites its entry to match, and drops
    // the heads the server signed, so that it would sign new ones.
    sql(
        &app,
        "UPDATE ledger_lines SET amount_fen = 1
         WHERE month_id = (SELECT id FROM ledger_months WHERE village_code = $1 AND month = $2)",
        &[VILLAGE, MONTH],
    )
    .await;
    let edited: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    let forged = to_hex(&content_hash(&month_content(&edited)));
    sql(
        &app,
        "UPDATE log_entries SET content = $1 WHERE village_code = $2 AND subject = $3",
        &[&forged, VILLAGE, MONTH],
    )
    .await;
    sql(&app, "DELETE FROM log_heads WHERE county = $1", &[COUNTY]).await;
    // The server will not sign over it: the last head it signed is kept beside its key,
    // outside the database. The month's proof fails, which the phone shows as a warning.
    expect_error(
        villager
            .get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/proof"))
            .await,
        500,
        "internal",
    )
    .await;
    expect_error(app.get(&format!("api/regions/{COUNTY}/log")).await, 500, "internal").await;

    // An operator who holds the server's files as well removes that record too.
    std::fs::remove_file(app.dir.path().join(format!("log-heads/last/{COUNTY}.json"))).unwrap();
    // A phone that never saw the log before is satisfied: that is what kept heads are for.
    let (shown_now, proof) = shown(&villager, MONTH).await;
    check_month(&shown_now, &proof, &app.log_key).expect("a consistent forgery verifies on its own");
    assert_eq!(proof.head.size, kept.size);
    assert_ne!(proof.head.root, kept.root);
    // A phone (or an outsider) that kept the earlier head is not.
    let c = consistency(&villager, kept.size, proof.head.size).await;
    assert_eq!(
        check_extends(&kept, &proof.head, &c, &app.log_key),
        Err(Problem::Forked)
    );
    // Nor after the log grows past it.
    publish_one(&acc, &rev, "2025-02", &income("2025-02-12", "10", "某户")).await;
    let (_, later) = shown(&villager, "2025-02").await;
    assert!(later.head.size > kept.size);
    let c = consistency(&villager, kept.size, later.head.size).await;
    assert_eq!(
        check_extends(&kept, &later.head, &c, &app.log_key),
        Err(Problem::Forked)
    );
});

db_test!(demo_months_are_logged_and_bad_requests_are_named, |app| {
    app.demo().await;
    // The demo wrote its months straight into the database after this server's catch-up
    // ran: they are not logged, and reading a proof logs nothing, so the phone says so
    // (the next catch-up logs them; see the test of a second process).
    let year: sunlight_api::ledger::LedgerYear =
        json(app.get(&format!("api/regions/{VILLAGE}/ledger?year=2026")).await).await;
    let demo_month = year
        .months
        .first()
        .expect("the demo publishes months")
        .month
        .to_string();
    let (month, proof) = shown(&app, &demo_month).await;
    assert!(proof.entries.is_empty());
    assert_eq!(check_month(&month, &proof, &app.log_key), Err(Problem::NotLogged));

    // Not a county, no such county, sizes the log does not have, a bad cursor.
    expect_error(app.get(&format!("api/regions/{VILLAGE}/log")).await, 422, "invalid").await;
    expect_error(app.get("api/regions/359900000000/log").await, 422, "invalid").await;
    expect_error(app.get("api/regions/359977000000/log").await, 404, "not_found").await;
    expect_error(
        app.get(&format!("api/regions/{COUNTY}/log/consistency?from=2&to=1"))
            .await,
        422,
        "invalid",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{COUNTY}/log/consistency?from=0&to=99999"))
            .await,
        422,
        "invalid",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{COUNTY}/log/consistency?from=x&to=1"))
            .await,
        400,
        "bad_request",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{COUNTY}/log/heads?cursor=zz")).await,
        400,
        "bad_request",
    )
    .await;
    // A month not published has no proof; nor does a month that is not a month.
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/ledger/2031-01/proof")).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/ledger/2031-13/proof")).await,
        404,
        "not_found",
    )
    .await;

    // Where the county keeps disclosures to its villagers, a month's proof is theirs too.
    let admin = app.signed_in("13800000009").await;
    let res = admin
        .client
        .put(admin.url(&format!("api/regions/{COUNTY}/disclosure-access")))
        .json(&json!({"villagers_only": true}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/ledger/{demo_month}/proof"))
            .await,
        401,
        "not_signed_in",
    )
    .await;
    let villager = app.signed_in("13800000001").await;
    let (month, _) = shown(&villager, &demo_month).await;
    assert_eq!(month.month.to_string(), demo_month);
    // The county's heads stay public: they hold counts and hashes, no content.
    assert_eq!(
        app.get(&format!("api/regions/{COUNTY}/log")).await.status(),
        StatusCode::OK
    );
});

db_test!(concurrent_appends_take_distinct_places, |app| {
    app.demo().await;
    let county = code(COUNTY);
    let entry = |n: usize| LogEntry {
        kind: EntryKind::LedgerMonth,
        village: code(VILLAGE),
        subject: format!("2099-{:02}", n % 12 + 1) + &"x".repeat(n / 12),
        at: sunlight_api::Timestamp(1_700_000_000_000),
        content: to_hex(&[n as u8; 32]),
    };
    let tasks: Vec<_> = (0..16)
        .map(|n| {
            let db = app.db.clone();
            let county = county.clone();
            let e = entry(n);
            tokio::spawn(async move { db.append_log_entry(&county, &e).await })
        })
        .collect();
    let mut places = Vec::new();
    for t in tasks {
        places.push(t.await.unwrap().expect("append").expect("a new entry"));
    }
    places.sort();
    assert_eq!(places, (0..16).collect::<Vec<u64>>());
    // The same disclosure again is not a second entry.
    assert_eq!(app.db.append_log_entry(&county, &entry(3)).await.unwrap(), None);
    let all = app.db.log_entries(&county).await.unwrap();
    assert_eq!(all.len(), 16);
    assert!(all.iter().all(|e| e.village == RegionCode::parse(VILLAGE).unwrap()));
});

db_test!(
    a_second_process_logs_the_backlog_and_writes_the_days_file_of_heads,
    |app| {
        app.demo().await;
        // A second server process on the same database, with the same key (every process of a
        // deployment is given the same file) and a data directory of its own.
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(app.dir.path().join("log-key"), dir.path().join("log-key")).unwrap();
        let config = sunlight_server::Config::local(dir.path(), app.db_url.clone());
        let second = sunlight_server::Application::build(config).await.unwrap();
        let base = format!("http://127.0.0.1:{}/", second.port());
        tokio::spawn(second.run_until_stopped());
        let http = client();
        // At start it logs what the demo published and writes today's file of heads.
        let mut days: Vec<String> = Vec::new();
        for _ in 0..100 {
            days = http
                .get(format!("{base}api/log-heads"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if !days.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(days.len(), 1, "today's file is written at start");
        let heads: Vec<TreeHead> = http
            .get(format!("{base}api/log-heads/{}", days[0]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ours = heads
            .iter()
            .find(|h| h.log.as_str() == COUNTY)
            .expect("the demo county's head");
        assert!(
            ours.size >= 12,
            "the demo's twelve months of the village are logged: {}",
            ours.size
        );
        for h in &heads {
            h.verify(&app.log_key)
                .expect("every head in the file is signed with the key");
        }
        // The first process serves the same log: the present head extends the day's.
        let now: TreeHead = json(app.get(&format!("api/regions/{COUNTY}/log")).await).await;
        let c = consistency(&app, ours.size, now.size).await;
        check_extends(ours, &now, &c, &app.log_key).expect("the day's head is extended");
        // A day with no file, or no day at all.
        expect_error(app.get("api/log-heads/2001-01-01").await, 404, "not_found").await;
        expect_error(app.get("api/log-heads/yesterday").await, 404, "not_found").await;
    }
);
