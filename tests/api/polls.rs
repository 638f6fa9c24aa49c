//! Polls: creation, secret ballots per person or household, refusals, results under one
//! rule for everyone (staff and exports included), a concurrent double vote from one
//! household, changing a ballot with its token, two villagers on one phone, and the
//! database file read as a forensic examiner would.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::{
    Role,
    poll::{Poll, PollState, PollSummary},
};
use sunlight_server::on_pool;

use super::*;

const VILLAGE: &str = "359901101201";

fn ms(offset_hours: i64) -> i64 {
    (chrono::Utc::now() + chrono::Duration::hours(offset_hours)).timestamp_millis()
}

fn new_poll(per: &str, live: bool, change: bool) -> Value {
    json!({
        "title": "村部门前路灯改造方案",
        "questions": [
            {"kind": "single", "prompt": "您同意改造方案吗？", "options": ["同意", "不同意", "弃权"]},
            {"kind": "multiple", "prompt": "优先改造哪些路段？", "options": ["村口", "学校", "祠堂", "河边"], "max_choices": 2},
            {"kind": "rating", "prompt": "对上次改造满意吗？"},
            {"kind": "text", "prompt": "其他意见"}
        ],
        "per": per, "opens_at": ms(-1), "closes_at": ms(48),
        "live_results": live, "allow_change": change
    })
}

async fn cadre(app: &TestApp) -> TestApp {
    app.signed_in("13800000003").await
}

/// A signed-in villager of household `number` of the demo village.
async fn villager(app: &TestApp, mobile: &str, number: &str) -> reqwest::Client {
    let hh = app
        .db
        .household_by_number(&code(VILLAGE), number)
        .await
        .unwrap()
        .unwrap();
    let id = app.account(mobile, Role::Villager, VILLAGE, Some(hh.id)).await;
    app.session_for(id).await
}

fn ballot(p: &Poll, choice: usize, picks: &[usize]) -> Value {
    json!({"answers": [
        {"question": p.questions[0].id, "options": [p.questions[0].options[choice].id]},
        {"question": p.questions[1].id, "options": picks.iter().map(|i| p.questions[1].options[*i].id).collect::<Vec<_>>()},
        {"question": p.questions[2].id, "rating": 4},
        {"question": p.questions[3].id, "text": "路灯要选节能的"}
    ]})
}

/// Moves a poll's closing time into the past.
async fn close(app: &TestApp, poll: &Poll) {
    on_pool!(&app.db, p => sqlx::query("UPDATE polls SET closes_at = $1 WHERE id = $2")
        .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
        .bind(poll.id).execute(p).await.map(|_| ()))
    .unwrap();
}

async fn cast(app: &TestApp, who: &reqwest::Client, poll: &Poll, body: &Value) -> reqwest::Response {
    who.post(app.url(&format!("api/polls/{}/ballots", poll.id)))
        .json(body)
        .send()
        .await
        .unwrap()
}

db_test!(a_household_votes_once_in_secret, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    // Registered before the poll opens, so on its list.
    let (a, b) = (
        villager(&app, "13700000001", "003").await,
        villager(&app, "13700000002", "003").await,
    );
    let other = villager(&app, "13700000003", "004").await;
    let res = c
        .post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("household", false, false),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let poll: Poll = json(res).await;
    assert_eq!(poll.state, PollState::Open);
    // Two members of household 003 race; exactly one ballot counts.
    let body = ballot(&poll, 0, &[0, 1]);
    let (ra, rb) = tokio::join!(cast(&app, &a, &poll, &body), cast(&app, &b, &poll, &body));
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    expect_error(cast(&app, &a, &poll, &body).await, 409, "already_voted").await;
    // Another household votes; results wait for the close, for staff too.
    assert_eq!(
        cast(&app, &other, &poll, &ballot(&poll, 1, &[2])).await.status(),
        StatusCode::CREATED
    );
    let seen: Poll = json(
        other
            .get(app.url(&format!("api/polls/{}", poll.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(seen.voted && !seen.can_vote && seen.results.is_none());
    let staff: Poll = json(c.get(&format!("api/polls/{}", poll.id)).await).await;
    assert!(
        staff.results.is_none(),
        "staff see no counts before an after-closing poll closes"
    );
    expect_error(
        c.get(&format!("api/polls/{}/results.csv", poll.id)).await,
        409,
        "results_not_shown",
    )
    .await;
    expect_error(
        c.get(&format!("api/polls/{}/results.xlsx", poll.id)).await,
        409,
        "results_not_shown",
    )
    .await;
    close(&app, &poll).await;
    let staff: Poll = json(c.get(&format!("api/polls/{}", poll.id)).await).await;
    let r = staff.results.unwrap();
    assert_eq!(r.ballots, 2);
    assert_eq!(r.questions[0].votes, vec![1, 1, 0]);
    assert_eq!(r.questions[1].votes, vec![1, 1, 1, 0]);
    assert_eq!(r.questions[2].ratings, vec![0, 0, 0, 2, 0]);
    assert_eq!(r.questions[3].texts.len(), 2);
    assert!(r.eligible >= 2, "households with registered members when it opened");
    // Nothing in the ballot slots names a voter or a time.
    let slot_cols: Vec<String> = match app.backend {
        Backend::Sqlite => on_pool!(&app.db, p => sqlx::query_scalar("SELECT name FROM pragma_table_info('poll_slots')").fetch_all(p).await).unwrap(),
        Backend::Postgres => on_pool!(&app.db, p => sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'poll_slots'").fetch_all(p).await).unwrap(),
    };
    let mut cols = slot_cols.clone();
    cols.sort();
    assert_eq!(cols, vec!["answers", "id", "poll_id", "token_hash", "used"]);
    // The list shows it, with this household's standing.
    let list: Vec<PollSummary> = json(
        a.get(app.url(&format!("api/regions/{VILLAGE}/polls")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.iter().any(|p| p.id == poll.id && p.voted));
    // Staff export the results.
    let csv = c
        .get(&format!("api/polls/{}/results.csv", poll.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("同意") && csv.contains("路灯要选节能的"));
    let xlsx = c
        .get(&format!("api/polls/{}/results.xlsx", poll.id))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"), "an XLSX (zip) workbook");
});

db_test!(bad_ballots_and_bad_times_are_refused, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let v = villager(&app, "13700000011", "005").await;
    let late = villager(&app, "13700000013", "006").await;
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", true, false),
        )
        .await,
    )
    .await;
    let too_many = ballot(&poll, 0, &[0, 1, 2]);
    let e = expect_error(cast(&app, &v, &poll, &too_many).await, 422, "invalid").await;
    assert_eq!(e.field.as_deref(), Some("options"));
    let mut tampered = ballot(&poll, 0, &[0]);
    tampered["answers"][0]["options"] = json!([poll.questions[1].options[0].id]);
    expect_error(cast(&app, &v, &poll, &tampered).await, 422, "invalid").await;
    let mut bad_rating = ballot(&poll, 0, &[0]);
    bad_rating["answers"][2]["rating"] = json!(6);
    expect_error(cast(&app, &v, &poll, &bad_rating).await, 422, "invalid").await;
    // Staff do not vote (the accountant holds no villager role here).
    let acc = app.db.user_id_by_mobile("13800000002").await.unwrap().unwrap();
    let acc = app.session_for(acc).await;
    expect_error(cast(&app, &acc, &poll, &ballot(&poll, 0, &[0])).await, 403, "forbidden").await;
    // A villager of another village does not even see it.
    let elsewhere = app.account("13700000012", Role::Villager, "359901101202", None).await;
    let elsewhere = app.session_for(elsewhere).await;
    expect_error(
        cast(&app, &elsewhere, &poll, &ballot(&poll, 0, &[0])).await,
        404,
        "not_found",
    )
    .await;
    // Someone who joined after the poll opened is not on its fixed list.
    let hh = app
        .db
        .household_by_number(&code(VILLAGE), "007")
        .await
        .unwrap()
        .unwrap();
    let newcomer = app.account("13700000014", Role::Villager, VILLAGE, Some(hh.id)).await;
    let newcomer = app.session_for(newcomer).await;
    expect_error(
        cast(&app, &newcomer, &poll, &ballot(&poll, 0, &[0])).await,
        403,
        "not_eligible",
    )
    .await;
    assert_eq!(
        cast(&app, &late, &poll, &ballot(&poll, 0, &[0])).await.status(),
        StatusCode::CREATED
    );
    // Live results stay hidden below five ballots.
    let seen: Poll = json(
        late.get(app.url(&format!("api/polls/{}", poll.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(seen.results.is_none());
    // Early and late.
    let mut early = new_poll("person", true, false);
    early["opens_at"] = json!(ms(5));
    let early: Poll = json(c.post(&format!("api/regions/{VILLAGE}/polls"), &early).await).await;
    expect_error(
        cast(&app, &late, &early, &ballot(&early, 0, &[0])).await,
        409,
        "poll_not_open",
    )
    .await;
    on_pool!(&app.db, p => sqlx::query("UPDATE polls SET opens_at = $1, closes_at = $2 WHERE id = $3")
        .bind(chrono::Utc::now() - chrono::Duration::hours(3))
        .bind(chrono::Utc::now() - chrono::Duration::hours(1))
        .bind(early.id).execute(p).await.map(|_| ()))
    .unwrap();
    expect_error(
        cast(&app, &late, &early, &ballot(&early, 0, &[0])).await,
        409,
        "poll_closed",
    )
    .await;
    // Bad polls are refused too.
    let mut backwards = new_poll("person", true, false);
    backwards["closes_at"] = json!(ms(-2));
    let e = expect_error(
        c.post(&format!("api/regions/{VILLAGE}/polls"), &backwards).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(e.field.as_deref(), Some("closes_at"));
    let mut outside = new_poll("person", true, false);
    outside["villages"] = json!(["359901101202"]);
    expect_error(
        c.post(&format!("api/regions/{VILLAGE}/polls"), &outside).await,
        422,
        "invalid",
    )
    .await;
});

db_test!(a_ballot_can_be_changed_only_with_its_token, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let v = villager(&app, "13700000021", "008").await;
    let poll: Poll = json(
        c.post(&format!("api/regions/{VILLAGE}/polls"), &new_poll("person", true, true))
            .await,
    )
    .await;
    let mut first = ballot(&poll, 0, &[0]);
    first["token"] = json!("a-secret-token-kept-on-the-phone");
    assert_eq!(cast(&app, &v, &poll, &first).await.status(), StatusCode::CREATED);
    let mut second = ballot(&poll, 1, &[1]);
    second["token"] = json!("someone-elses-guess-0000");
    expect_error(cast(&app, &v, &poll, &second).await, 409, "ballot_token_unknown").await;
    let mut tokenless = ballot(&poll, 1, &[1]);
    tokenless["token"] = Value::Null;
    expect_error(cast(&app, &v, &poll, &tokenless).await, 409, "already_voted").await;
    second["token"] = json!("a-secret-token-kept-on-the-phone");
    assert_eq!(cast(&app, &v, &poll, &second).await.status(), StatusCode::OK);
    close(&app, &poll).await;
    let staff: Poll = json(c.get(&format!("api/polls/{}", poll.id)).await).await;
    let r = staff.results.unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.clone()), (1, vec![0, 1, 0]));
});

db_test!(a_poll_carries_its_plan_for_voters_to_read, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let v = villager(&app, "13700000031", "009").await;
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", true, false),
        )
        .await,
    )
    .await;
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let res = c
        .client
        .post(app.url(&format!("api/polls/{}/documents", poll.id)))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // Villagers cannot attach; they read it from the poll.
    let res = v
        .post(app.url(&format!("api/polls/{}/documents", poll.id)))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "forbidden").await;
    let seen: Poll = json(v.get(app.url(&format!("api/polls/{}", poll.id))).send().await.unwrap()).await;
    assert_eq!(seen.documents.len(), 1);
    // The poll says how many may vote: the villagers registered when it opened.
    let registered: i64 = on_pool!(&app.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1").bind(poll.id).fetch_one(p).await)
    .unwrap();
    assert!(registered >= 1);
    assert_eq!(seen.eligible, Some(registered));
    let got = v
        .get(app.url(&format!("api/poll-documents/{}/pdf", seen.documents[0].id)))
        .send()
        .await
        .unwrap();
    assert!(
        got.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
    // The demo county keeps disclosures public: anyone reads the plan, as the poll itself.
    let doc_url = app.url(&format!("api/poll-documents/{}/pdf", seen.documents[0].id));
    let stranger = app.account("13700000032", Role::Villager, "359902101201", None).await;
    let stranger = app.session_for(stranger).await;
    assert_eq!(stranger.get(&doc_url).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(reqwest::get(&doc_url).await.unwrap().status(), StatusCode::OK);
    // Where the county keeps them to its villagers, a person of another county learns
    // nothing of it, and nobody signed in is asked to sign in; the staff's original stays theirs.
    app.db
        .set_villagers_only(&sunlight_api::RegionCode::parse("359901000000").unwrap(), true)
        .await
        .unwrap();
    expect_error(stranger.get(&doc_url).send().await.unwrap(), 404, "not_found").await;
    expect_error(reqwest::get(&doc_url).await.unwrap(), 401, "not_signed_in").await;
    let original = app.url(&format!("api/poll-documents/{}/original", seen.documents[0].id));
    expect_error(v.get(&original).send().await.unwrap(), 403, "forbidden").await;
    // Once someone has voted, the documents stay as the voters saw them.
    assert_eq!(
        cast(&app, &v, &poll, &ballot(&poll, 0, &[0])).await.status(),
        StatusCode::CREATED
    );
    let res = c
        .client
        .post(app.url(&format!("api/polls/{}/documents", poll.id)))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "poll_has_votes").await;
    let seen: Poll = json(v.get(app.url(&format!("api/polls/{}", poll.id))).send().await.unwrap()).await;
    assert_eq!(seen.documents.len(), 1);
});

db_test!(live_results_move_only_in_whole_batches, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(villager(&app, &format!("1370000020{i}"), &format!("{:03}", i + 1)).await);
    }
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", true, false),
        )
        .await,
    )
    .await;
    let staff_view = || async { json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await).await };
    for (i, v) in voters.iter().enumerate() {
        assert_eq!(
            cast(&app, v, &poll, &ballot(&poll, i % 2, &[0])).await.status(),
            StatusCode::CREATED
        );
        let seen: Poll = json(v.get(app.url(&format!("api/polls/{}", poll.id))).send().await.unwrap()).await;
        let staff = staff_view().await;
        assert_eq!(
            seen.results.as_ref().map(|r| r.ballots),
            staff.results.as_ref().map(|r| r.ballots)
        );
        match i + 1 {
            1..=4 => {
                assert!(staff.results.is_none(), "below the minimum, nobody sees counts");
                expect_error(
                    c.get(&format!("api/polls/{}/results.csv", poll.id)).await,
                    409,
                    "results_not_shown",
                )
                .await;
            }
            _ => {
                // The sixth ballot changes nothing anyone sees until the tenth.
                let r = staff.results.unwrap();
                assert_eq!(r.ballots, 5);
                assert_eq!(r.questions[0].votes, vec![3, 2, 0]);
                assert!(
                    seen.results.unwrap().questions[3].texts.is_empty(),
                    "suggestions are for staff"
                );
                let csv = c
                    .get(&format!("api/polls/{}/results.csv", poll.id))
                    .await
                    .text()
                    .await
                    .unwrap();
                assert!(csv.contains("投票人数,5,"), "{csv}");
            }
        }
    }
    close(&app, &poll).await;
    let r = staff_view().await.results.unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.clone()), (6, vec![3, 3, 0]));
});

db_test!(two_villagers_on_one_phone_neither_overwrites_the_other, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    // A family phone: both members end up sending the same stored token.
    let a = villager(&app, "13700000301", "010").await;
    let b = villager(&app, "13700000302", "010").await;
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", false, true),
        )
        .await,
    )
    .await;
    let with_token = |choice: usize| {
        let mut body = ballot(&poll, choice, &[0]);
        body["token"] = json!("the-family-phone-token-0001");
        body
    };
    assert_eq!(
        cast(&app, &a, &poll, &with_token(0)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        cast(&app, &b, &poll, &with_token(1)).await.status(),
        StatusCode::CREATED
    );
    // Each changes only their own ballot with it.
    assert_eq!(cast(&app, &a, &poll, &with_token(2)).await.status(), StatusCode::OK);
    close(&app, &poll).await;
    let r = json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await)
        .await
        .results
        .unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.clone()), (2, vec![0, 1, 1]));

    // On a per-household poll, the member who did not vote cannot change the household's
    // ballot with the token the phone kept for the other.
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("household", false, true),
        )
        .await,
    )
    .await;
    let with_token = |choice: usize| {
        let mut body = ballot(&poll, choice, &[0]);
        body["token"] = json!("the-family-phone-token-0001");
        body
    };
    assert_eq!(
        cast(&app, &a, &poll, &with_token(0)).await.status(),
        StatusCode::CREATED
    );
    expect_error(cast(&app, &b, &poll, &with_token(1)).await, 409, "ballot_token_unknown").await;
    close(&app, &poll).await;
    let r = json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await)
        .await
        .results
        .unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.clone()), (1, vec![1, 0, 0]));
});

/// One B-tree cell as an examiner reads it off the file: where it lies and what it holds.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    page: u32,
    offset: u16,
    rowid: i64,
    /// Each column: (serial type, bytes).
    columns: Vec<(u64, Vec<u8>)>,
}

fn varint(b: &[u8]) -> (u64, usize) {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(9) {
        if i == 8 {
            return ((v << 8) | u64::from(*byte), 9);
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    panic!("truncated varint");
}

fn serial_len(t: u64) -> usize {
    match t {
        0 | 8 | 9 => 0,
        1..=4 => t as usize,
        5 => 6,
        6 | 7 => 8,
        t if t >= 12 => ((t - 12) / 2) as usize,
        _ => panic!("reserved serial type {t}"),
    }
}

/// Every cell of the rowid table rooted at `root`, and for each of its pages the free-space
/// bookkeeping (first freeblock, cell content start, fragmented bytes).
fn table_cells(file: &[u8], root: u32, cells: &mut Vec<Cell>, pages: &mut Vec<(u32, u16, u16, u8)>) {
    let size = match u16::from_be_bytes([file[16], file[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    let usable = size - usize::from(file[20]);
    let page = &file[(root as usize - 1) * size..root as usize * size];
    let h = if root == 1 { 100 } else { 0 };
    let kind = page[h];
    let n = usize::from(u16::from_be_bytes([page[h + 3], page[h + 4]]));
    pages.push((
        root,
        u16::from_be_bytes([page[h + 1], page[h + 2]]),
        u16::from_be_bytes([page[h + 5], page[h + 6]]),
        page[h + 7],
    ));
    let pointers = h + if kind == 5 { 12 } else { 8 };
    for i in 0..n {
        let at = usize::from(u16::from_be_bytes([page[pointers + 2 * i], page[pointers + 2 * i + 1]]));
        match kind {
            5 => {
                let child = u32::from_be_bytes(page[at..at + 4].try_into().unwrap());
                table_cells(file, child, cells, pages);
            }
            13 => {
                let (payload, a) = varint(&page[at..]);
                let (rowid, b) = varint(&page[at + a..]);
                assert!(payload as usize <= usable - 35, "a ballot record fits in its page");
                let record = &page[at + a + b..at + a + b + payload as usize];
                let (header, mut p) = varint(record);
                let mut body = header as usize;
                let mut columns = Vec::new();
                while p < header as usize {
                    let (t, l) = varint(&record[p..]);
                    p += l;
                    let len = serial_len(t);
                    columns.push((t, record[body..body + len].to_vec()));
                    body += len;
                }
                cells.push(Cell {
                    page: root,
                    offset: at as u16,
                    rowid: rowid as i64,
                    columns,
                });
            }
            k => panic!("page {root} of a table is of kind {k}"),
        }
    }
    if kind == 5 {
        let right = u32::from_be_bytes(page[h + 8..h + 12].try_into().unwrap());
        table_cells(file, right, cells, pages);
    }
}

/// The cells of `poll_slots` and `poll_eligible` for one poll, and the bookkeeping of their
/// pages, read from the SQLite file itself after a full checkpoint.
async fn sqlite_layout(app: &TestApp, poll: uuid::Uuid) -> (Vec<Cell>, Vec<Cell>, Vec<(u32, u16, u16, u8)>) {
    let sunlight_server::Db::Sqlite(pool) = &app.db else {
        unreachable!("read only on SQLite")
    };
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
    let root = |table: &'static str| async move {
        let r: i64 = sqlx::query_scalar("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = $1")
            .bind(table)
            .fetch_one(pool)
            .await
            .unwrap();
        r as u32
    };
    let (slots_root, eligible_root) = (root("poll_slots").await, root("poll_eligible").await);
    let file = std::fs::read(app.dir.path().join("sunlight.db")).unwrap();
    let mut pages = Vec::new();
    let mut slots = Vec::new();
    table_cells(&file, slots_root, &mut slots, &mut pages);
    slots.retain(|c| c.columns[1].1 == poll.as_bytes());
    let mut eligible = Vec::new();
    table_cells(&file, eligible_root, &mut eligible, &mut pages);
    eligible.retain(|c| c.columns[0].1 == poll.as_bytes());
    (slots, eligible, pages)
}

/// Where each cell lies: (rowid, page, offset, serial types of its columns, with the flag a
/// vote flips, 0 → 1 or serial type 8 → 9, read as 8).
fn places(cells: &[Cell]) -> Vec<(i64, u32, u16, Vec<u64>)> {
    let mut out: Vec<_> = cells
        .iter()
        .map(|c| {
            let mut types: Vec<u64> = c.columns.iter().map(|(t, _)| *t).collect();
            types.iter_mut().filter(|t| **t == 9).for_each(|t| *t = 8);
            (c.rowid, c.page, c.offset, types)
        })
        .collect();
    out.sort();
    out
}

/// The attack that used to work: order both tables' cells by where they lie in the file and
/// pair the n-th voter who voted with the n-th ballot cast.
fn pair_by_position(slots: &[Cell], eligible: &[Cell]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let voted = |c: &&Cell| c.columns[2].0 == 9;
    let mut s: Vec<&Cell> = slots.iter().filter(voted).collect();
    let mut e: Vec<&Cell> = eligible.iter().filter(voted).collect();
    s.sort_by_key(|c| (c.page, c.offset));
    e.sort_by_key(|c| (c.page, c.offset));
    e.iter()
        .zip(s)
        .map(|(e, s)| (e.columns[1].1.clone(), s.columns[4].1.clone()))
        .collect()
}

db_test!(the_database_file_does_not_pair_voters_with_ballots, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let mut voters = Vec::new();
    for i in 0..8 {
        let mobile = format!("1370000040{i}");
        let client = villager(&app, &mobile, &format!("{:03}", i + 1)).await;
        let id = app.db.user_id_by_mobile(&mobile).await.unwrap().unwrap();
        voters.push((id, client));
    }
    let mut spec = new_poll("person", false, true);
    spec["questions"] = json!([
        {"kind": "single", "prompt": "您同意改造方案吗？", "options": ["同意", "不同意"]},
        {"kind": "text", "prompt": "其他意见"}
    ]);
    let poll: Poll = json(c.post(&format!("api/regions/{VILLAGE}/polls"), &spec).await).await;
    let slot_ids = || async {
        on_pool!(&app.db, p => sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM poll_slots WHERE poll_id = $1 ORDER BY id")
            .bind(poll.id).fetch_all(p).await)
        .unwrap()
    };
    let laid = slot_ids().await;
    let eligible: i64 =
        on_pool!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM poll_eligible WHERE poll_id = $1")
        .bind(poll.id).fetch_one(p).await)
        .unwrap();
    assert_eq!(
        laid.len() as i64,
        eligible,
        "one slot per eligible person, laid when the poll opened"
    );
    let before = match app.backend {
        Backend::Sqlite => Some(sqlite_layout(&app, poll.id).await),
        Backend::Postgres => None,
    };
    // Each voter writes something only they would: the truth an examiner tries to recover.
    let said = |i: usize| format!("第{i}位村民的意见");
    for (i, (_, v)) in voters.iter().enumerate() {
        let body = json!({"answers": [
            {"question": poll.questions[0].id, "options": [poll.questions[0].options[i % 2].id]},
            {"question": poll.questions[1].id, "text": said(i)}
        ], "token": format!("the-phone-token-of-voter-{i}")});
        assert_eq!(cast(&app, v, &poll, &body).await.status(), StatusCode::CREATED);
    }
    // A changed ballot is rewritten in place too.
    let body = json!({"answers": [
        {"question": poll.questions[0].id, "options": [poll.questions[0].options[1].id]},
        {"question": poll.questions[1].id, "text": said(0)}
    ], "token": "the-phone-token-of-voter-0"});
    assert_eq!(cast(&app, &voters[0].1, &poll, &body).await.status(), StatusCode::OK);
    // Voting inserted no row, on either engine.
    assert_eq!(slot_ids().await, laid);
    let Some((slots0, eligible0, pages0)) = before else {
        return;
    };
    let (slots1, eligible1, pages1) = sqlite_layout(&app, poll.id).await;
    assert_eq!(slots1.iter().filter(|c| c.columns[2].0 == 9).count(), voters.len());
    assert_eq!(eligible1.iter().filter(|c| c.columns[2].0 == 9).count(), voters.len());
    // (a) Every cell lies where it lay before anyone voted, with the same shape, and no page
    // gained a freeblock or fragment that could keep an older copy.
    assert_eq!(places(&slots1), places(&slots0));
    assert_eq!(places(&eligible1), places(&eligible0));
    assert_eq!(pages1, pages0);
    // (b) So ordering cells by position gives exactly the order of the blank slots laid at
    // opening, before any vote: the attack's pairing is fixed before anyone voted, and
    // carries nothing about who cast which ballot.
    let order = |cells: &[Cell]| {
        let mut v: Vec<_> = cells.iter().map(|c| (c.page, c.offset, c.rowid)).collect();
        v.sort();
        v.into_iter().map(|x| x.2).collect::<Vec<_>>()
    };
    assert_eq!(order(&slots1), order(&slots0));
    assert_eq!(order(&eligible1), order(&eligible0));
    let pairs = pair_by_position(&slots1, &eligible1);
    assert_eq!(pairs.len(), voters.len());
    let right = pairs
        .iter()
        .filter(|(voter, answers)| {
            let i = voters
                .iter()
                .position(|(id, _)| id.as_bytes()[..] == voter[..])
                .unwrap();
            let text = said(i);
            answers.windows(text.len()).any(|w| w == text.as_bytes())
        })
        .count();
    eprintln!(
        "the position attack paired {right} of {} voters correctly (chance: 1 on average)",
        voters.len()
    );
});

/// (question, option, rating, text) of a ballot stored the old way.
type LegacyAnswer = (uuid::Uuid, Option<uuid::Uuid>, Option<i32>, Option<&'static str>);

db_test!(ballots_from_before_slots_are_moved_into_slots, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", false, false),
        )
        .await,
    )
    .await;
    // The tables ballots lived in before slots, with one ballot in them.
    let (ballots, answers) = match app.backend {
        Backend::Sqlite => (
            "CREATE TABLE poll_ballots (id BLOB PRIMARY KEY, poll_id BLOB NOT NULL, token_hash BLOB UNIQUE) WITHOUT ROWID",
            "CREATE TABLE poll_answers (id BLOB PRIMARY KEY, ballot_id BLOB NOT NULL, question_id BLOB NOT NULL,
                option_id BLOB, rating INTEGER, answer_text TEXT) WITHOUT ROWID",
        ),
        Backend::Postgres => (
            "CREATE TABLE poll_ballots (id UUID PRIMARY KEY, poll_id UUID NOT NULL, token_hash BYTEA UNIQUE)",
            "CREATE TABLE poll_answers (id UUID PRIMARY KEY, ballot_id UUID NOT NULL, question_id UUID NOT NULL,
                option_id UUID, rating INTEGER, answer_text TEXT)",
        ),
    };
    let ballot_id = uuid::Uuid::new_v4();
    let q = &poll.questions;
    let rows: Vec<LegacyAnswer> = vec![
        (q[0].id, Some(q[0].options[1].id), None, None),
        (q[1].id, Some(q[1].options[0].id), None, None),
        (q[1].id, Some(q[1].options[2].id), None, None),
        (q[2].id, None, Some(3), None),
        (q[3].id, None, None, Some("旧的意见")),
    ];
    on_pool!(&app.db, p => {
        sqlx::query(ballots).execute(p).await.unwrap();
        sqlx::query(answers).execute(p).await.unwrap();
        sqlx::query("INSERT INTO poll_ballots (id, poll_id, token_hash) VALUES ($1, $2, NULL)")
            .bind(ballot_id).bind(poll.id).execute(p).await.unwrap();
        for (question, option, rating, text) in &rows {
            sqlx::query("INSERT INTO poll_answers (id, ballot_id, question_id, option_id, rating, answer_text) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(uuid::Uuid::new_v4()).bind(ballot_id).bind(question).bind(option).bind(rating).bind(text)
                .execute(p).await.unwrap();
        }
    });
    app.db.upgrade_legacy_ballots().await.unwrap();
    // Done once: the old tables are gone, and a second run changes nothing.
    app.db.upgrade_legacy_ballots().await.unwrap();
    close(&app, &poll).await;
    let r = json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await)
        .await
        .results
        .unwrap();
    assert_eq!(r.ballots, 1);
    assert_eq!(r.questions[0].votes, vec![0, 1, 0]);
    assert_eq!(r.questions[1].votes, vec![1, 0, 1, 0]);
    assert_eq!(r.questions[2].ratings, vec![0, 0, 1, 0, 0]);
    assert_eq!(r.questions[3].texts, vec!["旧的意见".to_owned()]);
});

db_test!(villagers_voting_at_once_each_fill_their_own_slot, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(villager(&app, &format!("1370000050{i}"), &format!("{:03}", i + 1)).await);
    }
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", true, false),
        )
        .await,
    )
    .await;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, v) in voters.into_iter().enumerate() {
        let url = app.url(&format!("api/polls/{}/ballots", poll.id));
        let body = ballot(&poll, i % 3, &[0]);
        tasks.spawn(async move { v.post(url).json(&body).send().await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    // Six ballots in six slots; the live snapshot counts the first five whole.
    let r = json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await)
        .await
        .results
        .unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.iter().sum::<i64>()), (5, 5));
    close(&app, &poll).await;
    let r = json::<Poll>(c.get(&format!("api/polls/{}", poll.id)).await)
        .await
        .results
        .unwrap();
    assert_eq!((r.ballots, r.questions[0].votes.clone()), (6, vec![2, 2, 2]));
});

db_test!(a_polls_results_are_a_public_page_under_the_same_rule, |app| {
    app.demo().await;
    let c = cadre(&app).await;
    // On the village's list before the poll opens, which fixes who may vote.
    let voter = villager(&app, "13700000041", "003").await;
    let poll: Poll = json(
        c.post(
            &format!("api/regions/{VILLAGE}/polls"),
            &new_poll("person", false, false),
        )
        .await,
    )
    .await;
    assert_eq!(
        cast(&app, &voter, &poll, &ballot(&poll, 0, &[1])).await.status(),
        StatusCode::CREATED
    );
    let anyone = client();
    let page = |anyone: &reqwest::Client| {
        let url = app.url(&format!("polls/{}", poll.id));
        let req = anyone.get(url);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    // Open, results after closing: anyone sees the poll, not a count, and a link to vote.
    let (status, body) = page(&anyone).await;
    assert_eq!(status, 200);
    assert!(body.contains("村部门前路灯改造方案") && body.contains("结果将在投票结束后公布"));
    assert!(!body.contains("参与 1"));
    assert!(body.contains(&format!("polls/{}?app", poll.id)));
    let seen: Poll = json(
        anyone
            .get(app.url(&format!("api/polls/{}", poll.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(seen.results.is_none() && !seen.can_vote && !seen.voted);
    // Closed: the counts, never the suggestions (staff only) nor who voted.
    close(&app, &poll).await;
    let (_, body) = page(&anyone).await;
    assert!(body.contains("参与 1 / "), "{body}");
    assert!(!body.contains("路灯要选节能的"), "suggestions are for the poll's staff");
    let seen: Poll = json(
        anyone
            .get(app.url(&format!("api/polls/{}", poll.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(seen.results.unwrap().questions.iter().all(|q| q.texts.is_empty()));
    // A county that keeps its disclosures to villagers keeps its polls too.
    app.db.set_villagers_only(&code("359901000000"), true).await.unwrap();
    let (status, body) = page(&anyone).await;
    assert_eq!(status, 401);
    assert!(!body.contains("村部门前路灯改造方案"));
    let elsewhere = app.account("13700000042", Role::Villager, "359902101201", None).await;
    let elsewhere = app.session_for(elsewhere).await;
    assert_eq!(
        elsewhere
            .get(app.url(&format!("api/polls/{}", poll.id)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(page(&voter).await.0, 200, "the village's own villager still reads it");
    // Nonsense ids are a page that says so.
    let res = anyone.get(app.url("polls/not-a-poll")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});
