//! Polls: creation, secret ballots per person or household, refusals, results as the poll
//! says, a concurrent double vote from one household, changing a ballot with its token.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::{
    Role,
    poll::{Poll, PollState, PollSummary},
};
use sunlight_server::{demo::DEMO_PASSWORD, on_pool};

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
    let t = TestApp {
        base: app.base.clone(),
        db: app.db.clone(),
        backend: app.backend,
        dir: tempfile::tempdir().unwrap(),
        client: client(),
    };
    t.sign_in("13800000003", DEMO_PASSWORD).await;
    t
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
    // Another household votes; results wait for the close, except for staff.
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
    let r = staff.results.unwrap();
    assert_eq!(r.ballots, 2);
    assert_eq!(r.questions[0].votes, vec![1, 1, 0]);
    assert_eq!(r.questions[1].votes, vec![1, 1, 1, 0]);
    assert_eq!(r.questions[2].ratings, vec![0, 0, 0, 2, 0]);
    assert_eq!(r.questions[3].texts.len(), 2);
    assert!(r.eligible >= 2, "households with registered members when it opened");
    // The ballot tables hold no voter: nothing links a ballot to a person or household.
    let ballot_cols: Vec<String> = match app.backend {
        Backend::Sqlite => on_pool!(&app.db, p => sqlx::query_scalar("SELECT name FROM pragma_table_info('poll_ballots')").fetch_all(p).await).unwrap(),
        Backend::Postgres => on_pool!(&app.db, p => sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'poll_ballots'").fetch_all(p).await).unwrap(),
    };
    let mut cols = ballot_cols.clone();
    cols.sort();
    assert_eq!(cols, vec!["id", "poll_id", "token_hash"]);
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
    expect_error(cast(&app, &v, &poll, &second).await, 409, "already_voted").await;
    second["token"] = json!("a-secret-token-kept-on-the-phone");
    assert_eq!(cast(&app, &v, &poll, &second).await.status(), StatusCode::OK);
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
    let stranger = app.account("13700000032", Role::Villager, "359902101201", None).await;
    let res = app
        .session_for(stranger)
        .await
        .get(app.url(&format!("api/poll-documents/{}/pdf", seen.documents[0].id)))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;
});
