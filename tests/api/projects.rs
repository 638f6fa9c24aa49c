//! Projects and disposals: the chain in order, what the public sees of it, payments linked
//! from the ledger (counted once published, flagged beyond the contract), villagers'
//! questions on a stage, a corrected figure, the log's check of a stage's figure, and the
//! project's page, sign and QR code.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::{
    catalogue::{Entry, EntryStatus},
    project::{Project, ProjectSummary, Stage},
};
use uuid::Uuid;

use super::*;

const VILLAGE: &str = "359901101201";
const OTHER_VILLAGE: &str = "359901101202";

/// Submits and publishes an entry (a stage) as the village's accountant and the township's
/// reviewer.
async fn publish(acc: &TestApp, rev: &TestApp, id: Uuid) -> Entry {
    assert_eq!(
        acc.post(&format!("api/disclosures/{id}/submit"), &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    let e: Entry = json(
        rev.post(&format!("api/disclosures/{id}/review"), &json!({"approve": true}))
            .await,
    )
    .await;
    assert_eq!(e.status, EntryStatus::Published);
    e
}

async fn stage(acc: &TestApp, project: Uuid, body: serde_json::Value) -> reqwest::Response {
    acc.post(&format!("api/projects/{project}/stages"), &body).await
}

/// A line of the village's accounts in a month of its own (2031 on, out of the demo's
/// way), published if `published`.
async fn ledger_line(app: &TestApp, month: u32, fen: i64, kind: sunlight_api::ledger::Kind, published: bool) -> Uuid {
    let month = sunlight_api::date::Month { year: 2031, month };
    let village = code(VILLAGE);
    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
    let record = app.db.ensure_ledger_month(&village, month).await.unwrap();
    let fields = sunlight_server::db::ledger::LineFields {
        date: sunlight_api::date::Date {
            year: month.year,
            month: month.month,
            day: 3,
        },
        kind,
        amount_fen: fen,
        category: "工程款".into(),
        counterparty: "清水建筑队".into(),
        counterparty_is_person: false,
        invoice_no: Some(format!("3599{month}{fen}")),
        note: None,
    };
    let line = app
        .db
        .insert_ledger_line(record.id, None, &fields, admin)
        .await
        .unwrap()
        .unwrap();
    if published {
        assert!(app.db.submit_ledger_month(record.id).await.unwrap());
        assert!(
            app.db
                .review_ledger_line(line, true, Some("测试"), admin)
                .await
                .unwrap()
        );
        assert!(app.db.publish_ledger_month(record.id, admin).await.unwrap());
    }
    line
}

db_test!(
    a_project_passes_its_chain_in_order_and_is_public_from_its_first_published_stage,
    |app| {
        app.demo().await;
        app.set_today("2024-06-30");
        let (acc, rev, villager) = (
            app.signed_in("13800000002").await,
            app.signed_in("13800000004").await,
            app.signed_in("13800000001").await,
        );
        let res = acc
        .post(
            &format!("api/regions/{VILLAGE}/projects"),
            &json!({"kind": "works", "title": "村道路灯安装工程", "description": "48 盏太阳能路灯", "budget_fen": 30_000_000}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let p: Project = json(res).await;
        assert_eq!(p.next, vec![Stage::Approval]);
        // Bad input: no title, a negative budget.
        let err = expect_error(
            acc.post(
                &format!("api/regions/{VILLAGE}/projects"),
                &json!({"kind": "works", "title": " ", "budget_fen": 1}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("title"));
        let err = expect_error(
            acc.post(
                &format!("api/regions/{VILLAGE}/projects"),
                &json!({"kind": "works", "title": "x", "budget_fen": -1}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("budget_fen"));

        // Nothing published yet: the public and villagers do not see it at all.
        let one = format!("api/projects/{}", p.id);
        assert_eq!(villager.get(&one).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&one).await.status(), StatusCode::NOT_FOUND);
        let list: Vec<ProjectSummary> = json(app.get(&format!("api/regions/{VILLAGE}/projects")).await).await;
        assert!(list.is_empty());
        let list: Vec<ProjectSummary> = json(acc.get(&format!("api/regions/{VILLAGE}/projects")).await).await;
        assert_eq!(list.len(), 1);

        // A stage before the one before it is refused, as is a day after today.
        let err = expect_error(
            stage(
                &acc,
                p.id,
                json!({"stage": "contract", "date": "2024-02-01", "amount_fen": 100}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("stage"));
        let err = expect_error(
            stage(&acc, p.id, json!({"stage": "approval", "date": "2024-07-01"})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("date"));
        let res = stage(
            &acc,
            p.id,
            json!({"stage": "approval", "date": "2024-01-10", "note": "村民代表会议 27 人同意"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let approval: Entry = json(res).await;
        assert_eq!(approval.status, EntryStatus::Draft);
        assert_eq!(approval.title, "村道路灯安装工程 · 立项");
        assert_eq!(approval.project.as_ref().map(|f| f.stage), Some(Stage::Approval));
        // The villager cannot record a stage; a cadre of another village does not see it.
        assert_eq!(
            stage(&villager, p.id, json!({"stage": "tender", "date": "2024-02-01"}))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        publish(&acc, &rev, approval.id).await;
        let seen: Project = json(villager.get(&one).await).await;
        assert_eq!(
            (seen.stage, seen.progress_pct, seen.stages.len()),
            (Some(Stage::Approval), None, 1)
        );
        assert!(
            seen.next.is_empty(),
            "only the village's staff are told what comes next"
        );

        let tender: Entry = json(stage(&acc, p.id, json!({"stage": "tender", "date": "2024-02-01"})).await).await;
        publish(&acc, &rev, tender.id).await;
        // A contract needs its amount.
        let err = expect_error(
            stage(&acc, p.id, json!({"stage": "contract", "date": "2024-03-01"})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("amount_fen"));
        let contract: Entry = json(
            stage(
                &acc,
                p.id,
                json!({"stage": "contract", "date": "2024-03-01", "amount_fen": 26_800_000}),
            )
            .await,
        )
        .await;
        publish(&acc, &rev, contract.id).await;
        let built: Entry = json(
            stage(
                &acc,
                p.id,
                json!({"stage": "construction", "date": "2024-04-01", "progress_pct": 40}),
            )
            .await,
        )
        .await;
        publish(&acc, &rev, built.id).await;
        // Progress never goes back; acceptance waits for 100%.
        let err = expect_error(
            stage(
                &acc,
                p.id,
                json!({"stage": "construction", "date": "2024-05-01", "progress_pct": 30}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("progress_pct"));
        assert_eq!(
            stage(&acc, p.id, json!({"stage": "acceptance", "date": "2024-05-01"}))
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // A draft stage is the village's: the public sees the published chain only.
        let more: Entry = json(
            stage(
                &acc,
                p.id,
                json!({"stage": "construction", "date": "2024-05-01", "progress_pct": 80}),
            )
            .await,
        )
        .await;
        let public: Project = json(app.get(&one).await).await;
        assert_eq!(public.stages.len(), 4);
        assert!(public.stages.iter().all(|e| e.status == EntryStatus::Published));
        assert_eq!(
            (public.stage, public.progress_pct),
            (Some(Stage::Construction), Some(40))
        );
        assert_eq!(public.money.contract_fen, Some(26_800_000));
        let staff: Project = json(acc.get(&one).await).await;
        assert_eq!(staff.stages.len(), 5);
        assert_eq!(staff.next, vec![Stage::Construction]);
        publish(&acc, &rev, more.id).await;
        let public: Project = json(app.get(&one).await).await;
        assert_eq!(public.progress_pct, Some(80));
        // The stages stay out of the catalogue's own list of entries.
        let board: sunlight_api::catalogue::VillageDisclosures =
            json(app.get(&format!("api/regions/{VILLAGE}/disclosures?year=2024")).await).await;
        assert!(board.entries.iter().all(|e| e.project.is_none()));
    }
);

db_test!(
    payments_count_once_published_and_paying_beyond_the_contract_is_flagged,
    |app| {
        use sunlight_api::ledger::Kind;
        app.demo().await;
        app.set_today("2024-06-30");
        let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
        let p: Project = json(
            acc.post(
                &format!("api/regions/{VILLAGE}/projects"),
                &json!({"kind": "works", "title": "水渠清淤", "budget_fen": 1_000_000}),
            )
            .await,
        )
        .await;
        for (s, body) in [
            ("approval", json!({"stage": "approval", "date": "2024-01-10"})),
            ("tender", json!({"stage": "tender", "date": "2024-01-20"})),
            (
                "contract",
                json!({"stage": "contract", "date": "2024-02-01", "amount_fen": 800_000}),
            ),
        ] {
            let e: Entry = json(stage(&acc, p.id, body).await).await;
            assert_eq!(e.project.unwrap().stage.as_str(), s);
            publish(&acc, &rev, e.id).await;
        }
        let paid = ledger_line(&app, 1, 500_000, Kind::Expense, true).await;
        let pending = ledger_line(&app, 2, 400_000, Kind::Expense, false).await;
        let income = ledger_line(&app, 3, 1_000, Kind::Income, true).await;
        let url = format!("api/projects/{}/payments", p.id);
        for line in [paid, pending] {
            assert_eq!(acc.post(&url, &json!({"line": line})).await.status(), StatusCode::OK);
        }
        // Twice, or an income line for works, or another village's project: refused.
        expect_error(acc.post(&url, &json!({"line": paid})).await, 409, "conflict").await;
        let err = expect_error(acc.post(&url, &json!({"line": income})).await, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some("line"));
        expect_error(acc.post(&url, &json!({"line": Uuid::new_v4()})).await, 422, "invalid").await;

        // The public count the published month only; the staff see both lines.
        let public: Project = json(app.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!(public.payments.len(), 1);
        assert_eq!((public.money.paid_fen, public.money.over_contract), (500_000, false));
        let staff: Project = json(acc.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!(staff.payments.len(), 2);
        assert_eq!(staff.money.paid_fen, 500_000);

        // Published, the second payment takes the project beyond its contract: flagged.
        let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
        let month = app
            .db
            .ledger_month(&code(VILLAGE), sunlight_api::date::Month { year: 2031, month: 2 })
            .await
            .unwrap()
            .unwrap();
        // A payment of an unpublished month can still be unlinked, and linked again.
        assert_eq!(acc.delete(&format!("{url}/{pending}")).await.status(), StatusCode::OK);
        assert_eq!(acc.post(&url, &json!({"line": pending})).await.status(), StatusCode::OK);
        assert!(app.db.submit_ledger_month(month.id).await.unwrap());
        assert!(
            app.db
                .review_ledger_line(pending, true, Some("测试"), admin)
                .await
                .unwrap()
        );
        assert!(app.db.publish_ledger_month(month.id, admin).await.unwrap());
        let public: Project = json(app.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!((public.money.paid_fen, public.money.over_contract), (900_000, true));
        let list: Vec<ProjectSummary> = json(app.get(&format!("api/regions/{VILLAGE}/projects")).await).await;
        assert!(list[0].money.over_contract);
        // What was shown as paid stays linked.
        expect_error(acc.delete(&format!("{url}/{pending}")).await, 409, "wrong_state").await;
        let page = app.get(&format!("projects/{}", p.id)).await.text().await.unwrap();
        assert!(page.contains("已付款超过合同金额"));
    }
);

db_test!(
    villagers_ask_about_a_published_stage_without_their_name_and_the_village_answers,
    |app| {
        app.demo().await;
        app.set_today("2024-06-30");
        let (acc, rev, villager, cadre) = (
            app.signed_in("13800000002").await,
            app.signed_in("13800000004").await,
            app.signed_in("13800000001").await,
            app.signed_in("13800000003").await,
        );
        let p: Project = json(
            acc.post(
                &format!("api/regions/{VILLAGE}/projects"),
                &json!({"kind": "disposal", "title": "鱼塘发包", "budget_fen": 1_200_000}),
            )
            .await,
        )
        .await;
        let e: Entry = json(stage(&acc, p.id, json!({"stage": "approval", "date": "2024-05-01"})).await).await;
        let ask = format!("api/disclosures/{}/questions", e.id);
        // A draft takes no questions: it does not exist for the villager.
        assert_eq!(
            villager.post(&ask, &json!({"text": "底价怎么定的？"})).await.status(),
            StatusCode::NOT_FOUND
        );
        publish(&acc, &rev, e.id).await;
        expect_error(villager.post(&ask, &json!({"text": "  "})).await, 422, "invalid").await;
        assert_eq!(
            villager.post(&ask, &json!({"text": "底价怎么定的？"})).await.status(),
            StatusCode::CREATED
        );
        // Only villagers ask (the township's reviewer does not); a villager of another village
        // is not this village's.
        assert_eq!(
            rev.post(&ask, &json!({"text": "问"})).await.status(),
            StatusCode::FORBIDDEN
        );
        let stranger = app
            .account("13912345678", sunlight_api::Role::Villager, OTHER_VILLAGE, None)
            .await;
        let res = app
            .session_for(stranger)
            .await
            .post(app.url(&ask))
            .json(&json!({"text": "问"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // Everyone sees the question, nobody sees who asked.
        let shown = app
            .get(&format!("api/disclosures/{}", e.id))
            .await
            .text()
            .await
            .unwrap();
        assert!(shown.contains("底价怎么定的？"));
        assert!(!shown.contains("张秀英") && !shown.contains("13800000001"));
        let seen: Entry = serde_json::from_str(&shown).unwrap();
        let q = seen.questions[0].id;
        // The village answers once; the villager cannot answer.
        let answer = format!("api/disclosure-questions/{q}/answer");
        assert_eq!(
            villager.post(&answer, &json!({"text": "答"})).await.status(),
            StatusCode::FORBIDDEN
        );
        let answered: Entry = json(
            cadre
                .post(&answer, &json!({"text": "按评估价定的，评估报告见附件。"}))
                .await,
        )
        .await;
        assert_eq!(answered.questions[0].answered_by.as_deref(), Some("陈书记"));
        expect_error(acc.post(&answer, &json!({"text": "再答"})).await, 409, "wrong_state").await;
        let page = app.get(&format!("projects/{}", p.id)).await.text().await.unwrap();
        assert!(page.contains("底价怎么定的？") && page.contains("按评估价定的"));
        assert!(page.contains(&format!("demands/ask/{}", e.id)));
    }
);

db_test!(
    a_stage_figure_is_corrected_as_a_new_version_and_a_figure_edited_in_the_database_fails_the_check,
    |app| {
        app.demo().await;
        app.set_today("2024-06-30");
        let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
        let p: Project = json(
            acc.post(
                &format!("api/regions/{VILLAGE}/projects"),
                &json!({"kind": "works", "title": "村部屋顶修缮", "budget_fen": 500_000}),
            )
            .await,
        )
        .await;
        let mut contract = None;
        for body in [
            json!({"stage": "approval", "date": "2024-01-10"}),
            json!({"stage": "tender", "date": "2024-01-20"}),
            json!({"stage": "contract", "date": "2024-02-01", "amount_fen": 450_000}),
        ] {
            let e: Entry = json(stage(&acc, p.id, body).await).await;
            contract = Some(publish(&acc, &rev, e.id).await);
        }
        let contract = contract.unwrap();
        // The log binds the stage's figure: the entry as shown checks; its amount changed in
        // the database does not.
        let one = format!("api/disclosures/{}", contract.id);
        let shown: Entry = json(app.get(&one).await).await;
        let proof: sunlight_api::published::EntryProof = json(app.get(&format!("{one}/proof")).await).await;
        sunlight_api::published::check_entry(&shown, &proof, &app.log_key)
            .expect("the stage as shown is the one logged");
        sunlight_server::on_pool!(&app.db, p => sqlx::query("UPDATE disclosures SET amount_fen = $1 WHERE id = $2")
        .bind(45_000_i64)
        .bind(contract.id)
        .execute(p)
        .await
        .map(|_| ()))
        .unwrap();
        let edited: Entry = json(app.get(&one).await).await;
        assert_eq!(edited.project.as_ref().unwrap().amount_fen, Some(45_000));
        assert_eq!(
            sunlight_api::published::check_entry(&edited, &proof, &app.log_key),
            Err(sunlight_api::published::Problem::Altered)
        );
        // Put back, the contract is corrected the honest way: a new version with its reason.
        sunlight_server::on_pool!(&app.db, p => sqlx::query("UPDATE disclosures SET amount_fen = $1 WHERE id = $2")
        .bind(450_000_i64)
        .bind(contract.id)
        .execute(p)
        .await
        .map(|_| ()))
        .unwrap();
        let fix = json!({"title": contract.title, "body": "补充协议增加 20 盏", "reason": "签订补充协议", "amount_fen": 520_000});
        let err = expect_error(
            acc.post(
                &format!("{one}/corrections"),
                &json!({"title": "t", "body": "", "reason": "r", "progress_pct": 5}),
            )
            .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("progress_pct"));
        let res = acc.post(&format!("{one}/corrections"), &fix).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let correction: Entry = json(res).await;
        assert_eq!(correction.project.as_ref().unwrap().amount_fen, Some(520_000));
        let before: Project = json(app.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!(before.money.contract_fen, Some(450_000));
        publish(&acc, &rev, correction.id).await;
        let after: Project = json(app.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!(after.money.contract_fen, Some(520_000));
        // Both versions stay on the chain; the next stage is still building.
        assert_eq!(after.stages.len(), 4);
        let staff: Project = json(acc.get(&format!("api/projects/{}", p.id)).await).await;
        assert_eq!(staff.next, vec![Stage::Construction]);
    }
);

db_test!(the_project_page_shows_the_chain_and_its_sign_carries_a_qr_code, |app| {
    app.demo().await;
    app.set_today("2024-06-30");
    let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
    let p: Project = json(
        acc.post(
            &format!("api/regions/{VILLAGE}/projects"),
            &json!({"kind": "works", "title": "村道路灯安装工程", "budget_fen": 30_000_000}),
        )
        .await,
    )
    .await;
    // Not published yet: no page, no sign, no code for anyone but staff.
    for path in ["", "/sign", "/qr.svg"] {
        assert_eq!(
            app.get(&format!("projects/{}{path}", p.id)).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(app.get("projects/not-a-uuid").await.status(), StatusCode::NOT_FOUND);
    let e: Entry = json(
        stage(
            &acc,
            p.id,
            json!({"stage": "approval", "date": "2024-01-10", "note": "代表会议通过"}),
        )
        .await,
    )
    .await;
    let res = acc
        .client
        .post(acc.url(&format!("api/disclosures/{}/files", e.id)))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(png())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    publish(&acc, &rev, e.id).await;
    let res = app.get(&format!("projects/{}", p.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    for words in [
        "村道路灯安装工程",
        "立项",
        "招投标",
        "结算",
        "代表会议通过",
        "黄审核",
        "¥300,000.00",
        "api/disclosure-files/",
    ] {
        assert!(page.contains(words), "the page shows {words}");
    }
    // No app: the page's one script is the log check (verify.js), and each published stage
    // carries the JSON it was drawn from for it.
    assert_eq!(page.matches("<script src").count(), 1);
    assert!(page.contains(r#"<script src="verify.js" defer>"#) && !page.contains(".wasm"));
    assert!(
        page.contains("data-log=\"{&quot;id&quot;:"),
        "the stages carry their JSON"
    );
    let sign = app.get(&format!("projects/{}/sign", p.id)).await.text().await.unwrap();
    assert!(sign.contains("<svg") && sign.contains(&format!("projects/{}", p.id)));
    let res = app.get(&format!("projects/{}/qr.svg", p.id)).await;
    assert_eq!(
        res.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap(),
        "image/svg+xml"
    );
    // The village's notice board lists it.
    let board = app
        .get(&format!("disclosures/{VILLAGE}?year=2024"))
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains(&format!("projects/{}", p.id)));
});
