//! Demands (诉求): filing once, every step of the state machine and its refusals, who may
//! read a private demand, the clock sending overdue demands up across a holiday and a
//! make-up working day (and catching up after downtime, exactly once with two processes),
//! joining, merging, rating and reopening, photos, the to-do counts, the dashboard and
//! its export, the counties' limits.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sunlight_api::{
    RegionLevel, Role,
    demand::{Demand, DemandState, DemandStats, EventKind, Step, TodoItem, TodoKind},
};
use uuid::Uuid;

use super::*;

const VILLAGE: &str = "359901101201";
const TOWNSHIP: &str = "359901101000";

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn ms(s: &str) -> i64 {
    at(s).timestamp_millis()
}

fn streetlight(public: bool) -> Value {
    json!({"text": "村口的路灯坏了一个月，晚上看不见路", "class": "service", "subcategory": "道路交通",
           "public": public, "idempotency_key": Uuid::new_v4()})
}

async fn file(app: &TestApp, who: &Client, body: &Value) -> reqwest::Response {
    who.post(app.url(&format!("api/regions/{VILLAGE}/demands")))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn step(app: &TestApp, who: &Client, id: Uuid, body: Value) -> reqwest::Response {
    who.post(app.url(&format!("api/demands/{id}/steps")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn show(app: &TestApp, who: &Client, id: Uuid) -> reqwest::Response {
    who.get(app.url(&format!("api/demands/{id}"))).send().await.unwrap()
}

/// A signed-in villager of household `number` of the demo village.
async fn villager(app: &TestApp, mobile: &str, number: &str) -> Client {
    let hh = app
        .db
        .household_by_number(&code(VILLAGE), number)
        .await
        .unwrap()
        .unwrap();
    let id = app.account(mobile, Role::Villager, VILLAGE, Some(hh.id)).await;
    app.session_for(id).await
}

async fn demo_client(app: &TestApp, mobile: &str) -> Client {
    let id = app.db.user_id_by_mobile(mobile).await.unwrap().unwrap();
    app.session_for(id).await
}

fn kinds(d: &Demand) -> Vec<EventKind> {
    d.events.iter().map(|e| e.kind).collect()
}

async fn todo(app: &TestApp, who: &Client) -> Vec<TodoItem> {
    json(who.get(app.url("api/me/todo")).send().await.unwrap()).await
}

fn todo_count(items: &[TodoItem], kind: TodoKind) -> u32 {
    items.iter().filter(|i| i.kind == kind).map(|i| i.count).sum()
}

db_test!(a_demand_is_filed_once_worked_closed_rated_and_reopened, |app| {
    app.demo().await;
    app.clock().set(at("2026-11-02T02:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let cadre = demo_client(&app, "13800000003").await;
    let township = demo_client(&app, "13800000005").await;
    let neighbour = villager(&app, "13900000021", "003").await;

    // A double tap (the same idempotency key twice) files once.
    let body = streetlight(false);
    let res = file(&app, &filer, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d: Demand = json(res).await;
    let res = file(&app, &filer, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let again: Demand = json(res).await;
    assert_eq!(again.summary.id, d.summary.id);
    let id = d.summary.id;
    assert_eq!(d.summary.state, DemandState::Filed);
    assert_eq!(d.summary.level, RegionLevel::Village);
    assert_eq!(kinds(&d), [EventKind::Filed]);
    // Three working days from Monday 2 November: the end of Thursday 5 November, China time.
    assert_eq!(d.summary.due_at.unwrap().0, ms("2026-11-05T16:00:00Z"));
    assert!(d.contact.is_none(), "a filer is not shown their own contact as staff");

    // A private demand: its cadre sees it with the filer's contact; a neighbour does not
    // learn it exists, on the list or by its id.
    let seen: Demand = json(show(&app, &cadre, id).await).await;
    assert_eq!(seen.contact.as_deref(), Some("张秀英 13800000001"));
    assert_eq!(seen.steps, [Step::Accept, Step::Escalate, Step::Merge]);
    expect_error(show(&app, &neighbour, id).await, 404, "not_found").await;
    let list: sunlight_api::Page<sunlight_api::demand::DemandSummary> = json(
        neighbour
            .get(app.url(&format!("api/regions/{VILLAGE}/demands")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.items.iter().all(|s| s.id != id));

    // Refusals: a step not in the state machine, a post that may not take it, a township
    // handler on what the village holds.
    expect_error(
        step(&app, &cadre, id, json!({"step": "close", "note": "修好了"})).await,
        409,
        "demand_step_refused",
    )
    .await;
    expect_error(
        step(&app, &filer, id, json!({"step": "accept"})).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        step(&app, &township, id, json!({"step": "accept"})).await,
        403,
        "forbidden",
    )
    .await;
    let body = expect_error(
        step(&app, &cadre, id, json!({"step": "answer", "note": "  "})).await,
        409,
        "demand_step_refused",
    )
    .await;
    assert_eq!(body.field, None);

    // The cadre takes it, answers, and closes it with what was done.
    let d: Demand = json(step(&app, &cadre, id, json!({"step": "accept"})).await).await;
    assert_eq!(d.summary.state, DemandState::Accepted);
    expect_error(
        step(&app, &cadre, id, json!({"step": "answer", "note": ""})).await,
        422,
        "invalid",
    )
    .await;
    let _: Demand = json(
        step(
            &app,
            &cadre,
            id,
            json!({"step": "answer", "note": "已联系电工，明天来修"}),
        )
        .await,
    )
    .await;
    let d: Demand = json(step(&app, &cadre, id, json!({"step": "close", "note": "换了新灯泡和线路"})).await).await;
    assert_eq!(d.summary.state, DemandState::Closed);
    assert!(d.summary.due_at.is_none());
    assert_eq!(d.events.last().unwrap().by.as_deref(), Some("陈书记"));
    assert_eq!(d.events.last().unwrap().role, Some(Role::Cadre));

    // The filer's to-do list has it to rate; the history names no villager.
    assert_eq!(todo_count(&todo(&app, &filer).await, TodoKind::DemandsToRate), 1);
    let mine: Demand = json(show(&app, &filer, id).await).await;
    assert_eq!(mine.steps, [Step::Rate, Step::Reopen]);
    assert!(
        mine.events
            .iter()
            .filter(|e| e.kind == EventKind::Filed)
            .all(|e| e.by.is_none())
    );

    // Not satisfied: rated, then reopened, which sends it one level up.
    let d: Demand = json(
        step(
            &app,
            &filer,
            id,
            json!({"step": "rate", "rating": "unsatisfied", "note": "灯还是不亮"}),
        )
        .await,
    )
    .await;
    assert_eq!(d.my_rating, Some(sunlight_api::demand::Satisfaction::Unsatisfied));
    assert_eq!(todo_count(&todo(&app, &filer).await, TodoKind::DemandsToRate), 0);
    expect_error(
        step(&app, &filer, id, json!({"step": "rate", "rating": "satisfied"})).await,
        409,
        "already_rated",
    )
    .await;
    let d: Demand = json(step(&app, &filer, id, json!({"step": "reopen", "note": "灯还是不亮"})).await).await;
    assert_eq!(d.summary.state, DemandState::Filed);
    assert_eq!(d.summary.holder.as_str(), TOWNSHIP);
    assert!(d.reopened);
    // The village no longer holds it; the township's handler does.
    expect_error(
        step(&app, &cadre, id, json!({"step": "accept"})).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(todo_count(&todo(&app, &township).await, TodoKind::NewDemands), 1);
    let _: Demand = json(step(&app, &township, id, json!({"step": "accept"})).await).await;
    let d: Demand = json(
        step(
            &app,
            &township,
            id,
            json!({"step": "close", "note": "镇里更换了整条线路"}),
        )
        .await,
    )
    .await;
    assert_eq!(d.events.last().unwrap().role, Some(Role::Handler));
    // Reopened once already: not again.
    let mine: Demand = json(show(&app, &filer, id).await).await;
    assert!(!mine.steps.contains(&Step::Reopen));
    expect_error(
        step(&app, &filer, id, json!({"step": "reopen", "note": "还是不行"})).await,
        409,
        "demand_step_refused",
    )
    .await;
    assert_eq!(
        kinds(&mine),
        [
            EventKind::Filed,
            EventKind::Accepted,
            EventKind::Answered,
            EventKind::Closed,
            EventKind::Rated,
            EventKind::Reopened,
            EventKind::Accepted,
            EventKind::Closed
        ]
    );
});

db_test!(filing_refuses_what_it_must, |app| {
    app.demo().await;
    let filer = demo_client(&app, "13800000001").await;
    // A complaint about a cadre never becomes a demand the village can read.
    let res = file(
        &app,
        &filer,
        &json!({"text": "村主任收红包", "class": "petition", "subcategory": "违规用权",
        "public": false, "idempotency_key": Uuid::new_v4()}),
    )
    .await;
    let body = expect_error(res, 422, "invalid").await;
    assert_eq!(body.field.as_deref(), Some("class"));
    assert_eq!(body.reason, Some(sunlight_api::error::FieldError::BelongsInReport));
    let res = file(
        &app,
        &filer,
        &json!({"text": "路灯", "class": "service", "subcategory": "账目疑问",
        "public": true, "idempotency_key": Uuid::new_v4()}),
    )
    .await;
    assert_eq!(
        expect_error(res, 422, "invalid").await.field.as_deref(),
        Some("subcategory")
    );
    let res = file(
        &app,
        &filer,
        &json!({"text": "   ", "class": "service", "subcategory": "道路交通",
        "public": true, "idempotency_key": Uuid::new_v4()}),
    )
    .await;
    assert_eq!(expect_error(res, 422, "invalid").await.field.as_deref(), Some("text"));
    let res = file(
        &app,
        &filer,
        &json!({"text": "路".repeat(1001), "class": "service", "subcategory": "道路交通",
        "public": true, "idempotency_key": Uuid::new_v4()}),
    )
    .await;
    assert_eq!(
        expect_error(res, 422, "invalid").await.reason,
        Some(sunlight_api::error::FieldError::TooLong)
    );
    // Staff file nothing; a villager files only in their own village.
    let cadre_only = app.account("13900000031", Role::Cadre, VILLAGE, None).await;
    let res = file(&app, &app.session_for(cadre_only).await, &streetlight(true)).await;
    expect_error(res, 403, "forbidden").await;
    let res = filer
        .post(app.url("api/regions/359901101202/demands"))
        .json(&streetlight(true))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;
    // Nothing was stored by any of these.
    let n: i64 =
        sunlight_server::on_pool!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM demands").fetch_one(p).await)
            .unwrap();
    assert_eq!(n, 0);
});

db_test!(
    the_clock_sends_overdue_demands_up_across_holidays_and_catches_up_once,
    |app| {
        app.demo().await;
        let calendar = sunlight_api::workdays::Calendar::china();
        // Wednesday 23 September 2026, 10:00 in China. Three working days: Thursday 24, then
        // (25–27 the Mid-Autumn holiday) Monday 28 and Tuesday 29.
        app.clock().set(at("2026-09-23T02:00:00Z"));
        let filer = demo_client(&app, "13800000001").await;
        let d: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
        let id = d.summary.id;
        assert_eq!(d.summary.due_at.unwrap().0, ms("2026-09-29T16:00:00Z"));

        // A second before the limit nothing moves.
        assert_eq!(
            sunlight_server::demands::sweep(&app.db, &calendar, at("2026-09-29T15:59:59Z"))
                .await
                .unwrap(),
            0
        );
        // Past it: overdue, sent to the township. Its five working days count from 30
        // September: 1–7 October is the National Day holiday, Saturday 10 October a make-up
        // working day, so Thursday 8, Friday 9, Saturday 10, Monday 12, Tuesday 13.
        app.clock().set(at("2026-09-30T01:00:00Z"));
        sunlight_server::demands::sweep(&app.db, &calendar, app.clock().now())
            .await
            .unwrap();
        let d: Demand = json(show(&app, &filer, id).await).await;
        assert_eq!(d.summary.holder.as_str(), TOWNSHIP);
        assert_eq!(d.summary.state, DemandState::Filed);
        assert!(d.summary.overdue);
        assert_eq!(d.summary.due_at.unwrap().0, ms("2026-10-13T16:00:00Z"));
        let overdue = d.events.last().unwrap();
        assert_eq!(overdue.kind, EventKind::Overdue);
        assert_eq!(overdue.at.0, ms("2026-09-29T16:00:00Z"));
        assert_eq!(overdue.by, None);

        // The township sees it; so does the township's inspector, in the overdue list and the
        // to-do count, and may press it.
        let township = demo_client(&app, "13800000005").await;
        let held: sunlight_api::Page<sunlight_api::demand::DemandSummary> = json(
            township
                .get(app.url(&format!("api/regions/{TOWNSHIP}/demands?view=held")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(held.items.iter().map(|s| s.id).collect::<Vec<_>>(), [id]);
        let inspector = demo_client(&app, "13800000006").await;
        let list: sunlight_api::Page<sunlight_api::demand::DemandSummary> = json(
            inspector
                .get(app.url(&format!("api/regions/{TOWNSHIP}/demands?view=overdue")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list.items.iter().map(|s| s.id).collect::<Vec<_>>(), [id]);
        assert_eq!(todo_count(&todo(&app, &inspector).await, TodoKind::OverdueToPress), 1);
        let d: Demand = json(step(&app, &inspector, id, json!({"step": "press", "note": "请尽快办理"})).await).await;
        assert_eq!(d.events.last().unwrap().role, Some(Role::Inspector));

        // The server was down from October to December: the sweep catches up level by level,
        // each limit counted from the one before, and the city, with nowhere to send it,
        // marks it late. County: ten working days from 14 October end on 28 October; city:
        // fifteen from 29 October end on 19 November.
        app.clock().set(at("2026-12-01T02:00:00Z"));
        let other = sunlight_server::Db::connect(&app.db_url).await.unwrap();
        let (a, b) = tokio::join!(
            sunlight_server::demands::sweep(&app.db, &calendar, app.clock().now()),
            sunlight_server::demands::sweep(&other, &calendar, app.clock().now()),
        );
        // Three escalations are due (the process's own minute clock may have written some).
        assert!(a.unwrap() + b.unwrap() <= 3);
        assert_eq!(
            sunlight_server::demands::sweep(&app.db, &calendar, app.clock().now())
                .await
                .unwrap(),
            0
        );
        let d: Demand = json(show(&app, &filer, id).await).await;
        assert_eq!(d.summary.level, RegionLevel::City);
        let overdue: Vec<i64> = d
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Overdue)
            .map(|e| e.at.0)
            .collect();
        assert_eq!(
            overdue,
            [
                ms("2026-09-29T16:00:00Z"),
                ms("2026-10-13T16:00:00Z"),
                ms("2026-10-28T16:00:00Z"),
                ms("2026-11-19T16:00:00Z")
            ]
        );
        other.close().await;
    }
);

db_test!(two_steps_at_once_leave_one, |app| {
    app.demo().await;
    app.clock().set(at("2026-11-02T02:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let cadre = demo_client(&app, "13800000003").await;
    for _ in 0..3 {
        let d: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
        let id = d.summary.id;
        let (a, b) = tokio::join!(
            step(&app, &cadre, id, json!({"step": "accept"})),
            step(&app, &cadre, id, json!({"step": "escalate", "note": "村里解决不了"})),
        );
        let mut codes = [a.status().as_u16(), b.status().as_u16()];
        codes.sort();
        // Both land (accept, then escalate from accepted), or one lands and the other is
        // refused: decided on a state that changed (409), or, when the escalation came
        // first, by a cadre whose village no longer holds it (403).
        assert!(
            codes == [200, 200] || codes == [200, 409] || codes == [200, 403],
            "got {codes:?}"
        );
        let d: Demand = json(show(&app, &filer, id).await).await;
        // The history holds exactly the steps that were answered 200.
        let steps = d.events.len() - 1;
        assert_eq!(steps, codes.iter().filter(|c| **c == 200).count());
        let escalated = d.events.iter().any(|e| e.kind == EventKind::Escalated);
        if escalated {
            assert_eq!(
                (d.summary.state, d.summary.holder.as_str()),
                (DemandState::Filed, TOWNSHIP)
            );
        } else {
            assert_eq!(
                (d.summary.state, d.summary.holder.as_str()),
                (DemandState::Accepted, VILLAGE)
            );
        }
        assert!(matches!(d.summary.state, DemandState::Filed | DemandState::Accepted));
    }
});

db_test!(
    neighbours_join_similar_demands_and_merged_filers_follow_and_rate,
    |app| {
        app.demo().await;
        app.clock().set(at("2026-11-02T02:00:00Z"));
        let first = demo_client(&app, "13800000001").await;
        let second = villager(&app, "13900000041", "003").await;
        let third = villager(&app, "13900000042", "004").await;
        let cadre = demo_client(&app, "13800000003").await;
        let a: Demand = json(file(&app, &first, &streetlight(true)).await).await;
        // The second villager types the same problem: it is offered to join.
        let similar: Vec<sunlight_api::demand::DemandSummary> = json(
            second
                .get(app.url(&format!("api/regions/{VILLAGE}/demands/similar?text=村口路灯坏了")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(similar.iter().map(|s| s.id).collect::<Vec<_>>(), [a.summary.id]);
        let unrelated: Vec<sunlight_api::demand::DemandSummary> = json(
            second
                .get(app.url(&format!(
                    "api/regions/{VILLAGE}/demands/similar?text=医保卡丢了怎么补办"
                )))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(unrelated.is_empty());
        let joined: Demand = json(
            second
                .post(app.url(&format!("api/demands/{}/join", a.summary.id)))
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(joined.summary.followers, 2);
        assert!(joined.summary.mine && !joined.can_join);
        let res = second
            .post(app.url(&format!("api/demands/{}/join", a.summary.id)))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        expect_error(res, 409, "conflict").await;

        // The third filed it anyway; the cadre merges it into the first.
        let c: Demand = json(
            file(
                &app,
                &third,
                &json!({"text": "路灯不亮", "class": "service", "subcategory": "道路交通",
        "public": false, "idempotency_key": Uuid::new_v4()}),
            )
            .await,
        )
        .await;
        expect_error(
            step(
                &app,
                &cadre,
                c.summary.id,
                json!({"step": "merge", "into": c.summary.id}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        let merged: Demand = json(
            step(
                &app,
                &cadre,
                c.summary.id,
                json!({"step": "merge", "into": a.summary.id}),
            )
            .await,
        )
        .await;
        assert_eq!(merged.summary.state, DemandState::Merged);
        assert_eq!(merged.merged_into, Some(a.summary.id));
        let a2: Demand = json(show(&app, &third, a.summary.id).await).await;
        assert_eq!(a2.summary.followers, 3);
        assert!(a2.summary.mine);
        assert_eq!(a2.events.last().unwrap().kind, EventKind::Absorbed);

        // Closed: every follower rates it, and the ratings count each.
        let _: Demand = json(step(&app, &cadre, a.summary.id, json!({"step": "accept"})).await).await;
        let _: Demand = json(step(&app, &cadre, a.summary.id, json!({"step": "close", "note": "已修好"})).await).await;
        for (who, rating) in [(&first, "satisfied"), (&second, "basic"), (&third, "satisfied")] {
            let _: Demand = json(step(&app, who, a.summary.id, json!({"step": "rate", "rating": rating})).await).await;
        }
        let done: Demand = json(show(&app, &first, a.summary.id).await).await;
        assert_eq!(
            (done.ratings.satisfied, done.ratings.basic, done.ratings.unsatisfied),
            (2, 1, 0)
        );
        // A neighbour who did not follow it cannot rate it.
        let fourth = villager(&app, "13900000043", "005").await;
        expect_error(
            step(
                &app,
                &fourth,
                a.summary.id,
                json!({"step": "rate", "rating": "unsatisfied"}),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
);

async fn add_photo(app: &TestApp, who: &Client, id: Uuid, body: Vec<u8>) -> reqwest::Response {
    who.post(app.url(&format!("api/demands/{id}/photos")))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(body)
        .send()
        .await
        .unwrap()
}

db_test!(photos_come_with_the_demand_and_with_its_result, |app| {
    app.demo().await;
    app.clock().set(at("2026-11-02T02:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let cadre = demo_client(&app, "13800000003").await;
    let neighbour = villager(&app, "13900000051", "003").await;
    let d: Demand = json(file(&app, &filer, &streetlight(false)).await).await;
    let id = d.summary.id;
    let res = add_photo(&app, &filer, id, png()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let photo: sunlight_api::ledger::Attachment = json(res).await;
    expect_error(
        add_photo(&app, &filer, id, b"not a picture".to_vec()).await,
        415,
        "unsupported_file",
    )
    .await;
    // A private demand's photo is as hidden as the demand.
    let res = neighbour
        .get(app.url(&format!("api/demand-photos/{}/thumb", photo.id)))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;
    let res = cadre
        .get(app.url(&format!("api/demand-photos/{}/thumb", photo.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Once taken, the filer adds no more; the cadre adds what was done, shown with the close.
    let _: Demand = json(step(&app, &cadre, id, json!({"step": "accept"})).await).await;
    expect_error(add_photo(&app, &filer, id, png()).await, 409, "demand_step_refused").await;
    expect_error(add_photo(&app, &neighbour, id, png()).await, 404, "not_found").await;
    let res = add_photo(&app, &cadre, id, png()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let result: sunlight_api::ledger::Attachment = json(res).await;
    let d: Demand = json(step(&app, &cadre, id, json!({"step": "close", "note": "修好了"})).await).await;
    assert_eq!(d.photos.iter().map(|p| p.id).collect::<Vec<_>>(), [photo.id]);
    let close = d.events.iter().find(|e| e.kind == EventKind::Closed).unwrap();
    assert_eq!(close.photos.iter().map(|p| p.id).collect::<Vec<_>>(), [result.id]);
    // The file sweep knows them as stored files of a row.
    let known = app.db.attachment_ids().await.unwrap();
    assert!(known.contains(&photo.id) && known.contains(&result.id));
    let res = filer
        .get(app.url(&format!("api/demand-photos/{}/screen", result.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
});

db_test!(the_dashboard_counts_and_exports_a_region, |app| {
    app.demo().await;
    app.clock().set(at("2026-11-02T02:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let cadre = demo_client(&app, "13800000003").await;
    let a: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
    let b: Demand = json(
        file(
            &app,
            &filer,
            &json!({"text": "低保补贴没有公示", "class": "disclosure", "subcategory": "补贴发放",
        "public": true, "idempotency_key": Uuid::new_v4()}),
        )
        .await,
    )
    .await;
    let _: Demand = json(step(&app, &cadre, a.summary.id, json!({"step": "accept"})).await).await;
    // Closed on the sixth calendar day: not "within five days".
    app.clock().set(at("2026-11-08T02:00:00Z"));
    let _: Demand = json(step(&app, &cadre, a.summary.id, json!({"step": "close", "note": "修好了"})).await).await;
    let _: Demand = json(step(&app, &cadre, b.summary.id, json!({"step": "accept"})).await).await;
    let _: Demand = json(step(&app, &cadre, b.summary.id, json!({"step": "close", "note": "已补公示"})).await).await;
    let _: Demand = json(step(&app, &filer, b.summary.id, json!({"step": "rate", "rating": "basic"})).await).await;
    let county = demo_client(&app, "13800000007").await;
    let s: DemandStats = json(
        county
            .get(app.url("api/regions/359901000000/demand-stats?year=2026"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s.total.received, 2);
    assert_eq!(s.total.closed, 2);
    assert_eq!(s.total.closed_quick, 0, "b closed on day 6 as well");
    assert_eq!(s.total.rated, 1);
    assert_eq!(
        s.total.unrated_closed, 1,
        "a closed demand nobody rated is unrated, not satisfied"
    );
    assert_eq!(s.total.satisfaction, Some(60));
    let town = s.children.iter().find(|r| r.key == TOWNSHIP).unwrap();
    assert_eq!(town.counts.received, 2);
    assert_eq!(s.months[10].counts.received, 2);
    assert_eq!(
        s.classes
            .iter()
            .find(|r| r.key == "disclosure")
            .unwrap()
            .counts
            .received,
        1
    );
    expect_error(
        county
            .get(app.url("api/regions/359901000000/demand-stats?year=2099"))
            .send()
            .await
            .unwrap(),
        422,
        "invalid",
    )
    .await;
    let csv = county
        .get(app.url("api/regions/359901000000/demand-stats/export?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("清水县（359901000000）") && text.contains("2026年") && text.contains("导出时间"),
        "{text}"
    );
    assert!(text.contains("桃源镇,2,2,0"), "{text}");
    let xlsx = county
        .get(app.url("api/regions/359901000000/demand-stats/export?year=2026&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    // Villagers and cadres see no dashboard.
    expect_error(
        filer
            .get(app.url("api/regions/359901101201/demand-stats"))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
});

db_test!(a_county_sets_its_limits, |app| {
    app.demo().await;
    let admin = demo_client(&app, "13800000009").await;
    let put = |who: &Client, body: Value| {
        who.put(app.url("api/regions/359901000000/demand-limits"))
            .json(&body)
            .send()
    };
    let res = put(&admin, json!({"village": 2, "township": 4, "county": 8, "city": 12}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    expect_error(
        put(&admin, json!({"village": 0, "township": 4, "county": 8, "city": 12}))
            .await
            .unwrap(),
        422,
        "invalid",
    )
    .await;
    let cadre = demo_client(&app, "13800000003").await;
    expect_error(
        put(&cadre, json!({"village": 9, "township": 9, "county": 9, "city": 9}))
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    // A demand filed now gets the village's two working days.
    app.clock().set(at("2026-11-02T02:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let d: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
    assert_eq!(d.summary.due_at.unwrap().0, ms("2026-11-04T16:00:00Z"));
});

async fn post_voice(app: &TestApp, who: &Client, id: Uuid, bytes: Vec<u8>) -> reqwest::Response {
    who.post(app.url(&format!("api/demands/{id}/voice")))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

db_test!(a_voice_note_is_kept_as_every_phone_plays_it, |app| {
    app.demo().await;
    let filer = demo_client(&app, "13800000001").await;
    let cadre = demo_client(&app, "13800000003").await;
    let d: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
    let id = d.summary.id;
    assert!(d.can_add_voice && d.voice_seconds.is_none());
    let stored = || async {
        let n: i64 = sunlight_server::on_pool!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM demand_voices")
            .fetch_one(p)
            .await)
        .unwrap();
        n
    };

    // What is not a recording, or runs past a minute, is refused with its own reason.
    expect_error(
        post_voice(&app, &filer, id, b"#!/bin/sh\nrm -rf /".to_vec()).await,
        415,
        "not_audio",
    )
    .await;
    expect_error(post_voice(&app, &filer, id, png()).await, 415, "not_audio").await;
    let mut broken = tone(3, "webm");
    broken.truncate(60);
    expect_error(post_voice(&app, &filer, id, broken).await, 415, "not_audio").await;
    expect_error(
        post_voice(&app, &filer, id, tone(65, "webm")).await,
        422,
        "recording_too_long",
    )
    .await;
    // It is the filer's alone to add.
    expect_error(post_voice(&app, &cadre, id, tone(2, "webm")).await, 403, "forbidden").await;
    assert_eq!(stored().await, 0, "nothing refused was kept");

    // iOS records AAC in MP4: kept as AAC in MP4, every phone plays it.
    let res = post_voice(&app, &filer, id, tone(3, "mp4")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d: Demand = json(res).await;
    assert_eq!(d.voice_seconds, Some(3));
    assert!(!d.can_add_voice);
    let res = cadre
        .get(app.url(&format!("api/demands/{id}/voice")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "audio/mp4");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 file");
    // One voice note per demand.
    expect_error(
        post_voice(&app, &filer, id, tone(2, "webm")).await,
        409,
        "demand_step_refused",
    )
    .await;

    // Android records Opus in WebM: transcoded the same way. Once the cadre has taken the
    // demand, the filer adds nothing more.
    let other: Demand = json(file(&app, &filer, &streetlight(false)).await).await;
    let res = post_voice(&app, &filer, other.summary.id, tone(2, "webm")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json::<Demand>(res).await.voice_seconds, Some(2));
    let third: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
    let res = step(&app, &cadre, third.summary.id, json!({"step": "accept"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    expect_error(
        post_voice(&app, &filer, third.summary.id, tone(2, "webm")).await,
        409,
        "demand_step_refused",
    )
    .await;
    // A villager of another village does not learn the recording exists.
    let stranger = app.account("13900000041", Role::Villager, "359901101202", None).await;
    let res = app
        .session_for(stranger)
        .await
        .get(app.url(&format!("api/demands/{id}/voice")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored().await, 2);
    // The file sweep knows the recordings as stored files of a row.
    let ids = app.db.attachment_ids().await.unwrap();
    let rows: Vec<Uuid> = sunlight_server::on_pool!(&app.db, p => sqlx::query_scalar("SELECT id FROM demand_voices")
        .fetch_all(p)
        .await)
    .unwrap();
    assert!(rows.iter().all(|r| ids.contains(r)));
});

db_test!(
    a_city_administrator_adds_next_year_and_waiting_demands_get_deadlines,
    |app| {
        use sunlight_api::workdays::CalendarView;
        app.demo().await;
        // Wednesday 30 December 2026: three working days run into 2027, which the shipped
        // calendar does not have. The demand is filed all the same, waiting for a deadline.
        app.clock().set(at("2026-12-30T02:00:00Z"));
        let filer = demo_client(&app, "13800000001").await;
        let d: Demand = json(file(&app, &filer, &streetlight(true)).await).await;
        let id = d.summary.id;
        assert_eq!(d.summary.due_at, None);
        assert!(d.summary.awaiting_calendar);

        let city_admin = demo_client(&app, "13800000009").await;
        let view: CalendarView = json(city_admin.get(app.url("api/calendar")).send().await.unwrap()).await;
        assert_eq!(view.missing, Some(2027));
        assert_eq!(view.demands_waiting, 1);
        assert_eq!(view.years.iter().map(|y| y.year).collect::<Vec<_>>(), [2026]);
        assert_eq!(
            view.years[0].days.len(),
            39,
            "the 2026 notice: 33 days off, 6 make-up days"
        );
        assert_eq!(view.years[0].updated_by, None, "shipped with the product");
        let items = todo(&app, &city_admin).await;
        let asked = items
            .iter()
            .find(|i| i.kind == TodoKind::CalendarYear)
            .expect("the admin is asked");
        assert_eq!((asked.year, asked.count), (Some(2027), 1));

        let put = |who: &Client, year: i32, body: Value| {
            let req = who.put(app.url(&format!("api/calendar/{year}"))).json(&body);
            async move { req.send().await.unwrap() }
        };
        let table = json!({"source": "国务院办公厅通知（测试）", "days": [
        {"date": "2027-01-01", "kind": "holiday"}, {"date": "2027-01-02", "kind": "holiday"},
        {"date": "2027-01-03", "kind": "holiday"}]});
        // A county's administrator cannot move every county's deadlines.
        let county_admin = app.account("13900000051", Role::Admin, "359901000000", None).await;
        expect_error(
            put(&app.session_for(county_admin).await, 2027, table.clone()).await,
            403,
            "forbidden",
        )
        .await;
        // Mistakes are refused with the field and the reason.
        let weekday_makeup = json!({"source": "通知", "days": [{"date": "2027-01-01", "kind": "holiday"},
        {"date": "2027-01-04", "kind": "workday"}]});
        let body = expect_error(put(&city_admin, 2027, weekday_makeup).await, 422, "invalid").await;
        assert_eq!(body.reason, Some(sunlight_api::error::FieldError::NotAWeekend));
        let wrong_year = json!({"source": "通知", "days": [{"date": "2028-01-01", "kind": "holiday"}]});
        assert_eq!(
            expect_error(put(&city_admin, 2027, wrong_year).await, 422, "invalid")
                .await
                .reason,
            Some(sunlight_api::error::FieldError::OutOfRange)
        );
        let unsourced = json!({"source": "", "days": [{"date": "2027-01-01", "kind": "holiday"}]});
        assert_eq!(
            expect_error(put(&city_admin, 2027, unsourced).await, 422, "invalid")
                .await
                .field
                .as_deref(),
            Some("source")
        );
        assert_eq!(
            expect_error(put(&city_admin, 2031, table.clone()).await, 422, "invalid")
                .await
                .field
                .as_deref(),
            Some("year"),
            "not a year that can be published yet"
        );

        let res = put(&city_admin, 2027, table).await;
        assert_eq!(res.status(), StatusCode::OK);
        let view: CalendarView = json(res).await;
        assert_eq!(view.missing, None);
        let y2027 = view.years.iter().find(|y| y.year == 2027).unwrap();
        assert_eq!(y2027.updated_by.as_deref(), Some("刘管理"));
        // Saving the year counted the waiting demand's deadline: Thursday 31 December (1),
        // then 1–3 January off, Monday 4 (2) and Tuesday 5 January (3).
        let d: Demand = json(show(&app, &filer, id).await).await;
        assert_eq!(d.summary.due_at.map(|t| t.0), Some(ms("2027-01-05T16:00:00Z")));
        assert!(!d.summary.awaiting_calendar);
        let view: CalendarView = json(city_admin.get(app.url("api/calendar")).send().await.unwrap()).await;
        assert_eq!(view.demands_waiting, 0);
        assert!(
            todo(&app, &city_admin)
                .await
                .iter()
                .all(|i| i.kind != TodoKind::CalendarYear)
        );
    }
);

db_test!(one_account_files_at_most_ten_demands_a_day, |app| {
    app.demo().await;
    // 23:00 in China: the limit lifts at midnight, an hour on.
    app.clock().set(at("2026-11-02T15:00:00Z"));
    let filer = demo_client(&app, "13800000001").await;
    let mut last = Value::Null;
    for _ in 0..sunlight_api::demand::MAX_PER_DAY {
        last = streetlight(true);
        assert_eq!(file(&app, &filer, &last).await.status(), StatusCode::CREATED);
    }
    let body = expect_error(file(&app, &filer, &streetlight(true)).await, 429, "rate_limited").await;
    assert_eq!(body.retry_after, Some(3600));
    // A retry of one already filed still finds it.
    assert_eq!(file(&app, &filer, &last).await.status(), StatusCode::OK);
    // Another household of the village (the same mobile network, maybe) is not held back.
    let neighbour = villager(&app, "13900000061", "003").await;
    assert_eq!(
        file(&app, &neighbour, &streetlight(true)).await.status(),
        StatusCode::CREATED
    );
    // The next day she files again.
    app.clock().set(at("2026-11-02T16:00:00Z"));
    assert_eq!(
        file(&app, &filer, &streetlight(true)).await.status(),
        StatusCode::CREATED
    );
});
