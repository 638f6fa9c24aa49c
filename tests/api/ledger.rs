//! The ledger: entry, submission, review with the seal, publication, what villagers see.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::ledger::{LedgerMonth, LedgerYear, Line, LineStatus, MonthStatus, QueueItem};
use sunlight_server::demo::DEMO_PASSWORD;

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2025-03";

/// Three signed-in people of the demo: the accountant, the township reviewer, a villager.
async fn people(app: &TestApp) -> (TestApp, TestApp, TestApp) {
    app.demo().await;
    let mut out = Vec::new();
    for mobile in ["13800000002", "13800000004", "13800000001"] {
        let t = TestApp {
            base: app.base.clone(),
            db: app.db.clone(),
            backend: app.backend,
            dir: tempfile::tempdir().unwrap(),
            client: client(),
        };
        t.sign_in(mobile, DEMO_PASSWORD).await;
        out.push(t);
    }
    let villager = out.pop().unwrap();
    let reviewer = out.pop().unwrap();
    (out.pop().unwrap(), reviewer, villager)
}

fn line(date: &str, kind: &str, amount: &str, category: &str, counterparty: &str, invoice: &str) -> Value {
    json!({"date": date, "kind": kind, "amount": amount, "category": category,
           "counterparty": counterparty, "invoice_no": invoice, "note": ""})
}

async fn add(acc: &TestApp, body: &Value) -> Line {
    let res = acc
        .post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines"), body)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    json(res).await
}

db_test!(a_month_from_entry_to_publication, |app| {
    let (acc, rev, villager) = people(&app).await;
    let lines_url = format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines");
    // Bad input is named.
    for (body, field) in [
        (line("2025-04-01", "expense", "10", "办公费", "文具店", ""), "date"),
        (
            line("2025-03-31", "expense", "10.005", "办公费", "文具店", ""),
            "amount",
        ),
        (line("2025-03-31", "expense", "0", "办公费", "文具店", ""), "amount"),
        (line("2025-03-31", "expense", "10", "", "文具店", ""), "category"),
        (line("2025-03-31", "expense", "10", "办公费", " ", ""), "counterparty"),
        (
            line("2025-03-31", "expense", "10", "办公费", "文具店", "NO 1"),
            "invoice_no",
        ),
    ] {
        let err = expect_error(acc.post(&lines_url, &body).await, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some(field), "{body}");
    }
    let wrong_kind = acc
        .post(
            &lines_url,
            &json!({"date": "2025-03-01", "kind": "gift", "amount": "1", "category": "a", "counterparty": "b"}),
        )
        .await;
    expect_error(wrong_kind, 400, "bad_request").await;

    let office = add(
        &acc,
        &line("2025-03-05", "expense", "1,234.50", "办公费", "云溪文具店", "INV-001"),
    )
    .await;
    let mut allowance = line("2025-03-10", "expense", "300", "补贴发放", "张晓明", "");
    allowance["counterparty_is_person"] = json!(true);
    let allowance = add(&acc, &allowance).await;
    let income = add(
        &acc,
        &line("2025-03-20", "income", "5000", "集体收入", "鱼塘承包户", ""),
    )
    .await;
    assert_eq!(office.amount_fen, 123_450);
    assert_eq!(office.status, LineStatus::Pending);

    // A villager sees nothing of a month that is not published.
    let seen: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(seen.status, None);
    assert!(seen.lines.is_empty());
    let year: LedgerYear = json(villager.get(&format!("api/regions/{VILLAGE}/ledger?year=2025")).await).await;
    assert!(year.months.iter().all(|m| m.month.to_string() != MONTH));

    // The reviewer cannot act before submission; the accountant cannot review.
    expect_error(
        rev.post(
            &format!("api/ledger-lines/{}/review", office.id),
            &json!({"approve": true}),
        )
        .await,
        409,
        "wrong_state",
    )
    .await;
    expect_error(
        acc.post(
            &format!("api/ledger-lines/{}/review", office.id),
            &json!({"approve": true}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit"), &json!({}))
            .await,
        409,
        "wrong_state",
    )
    .await;

    let queue: Vec<QueueItem> = json(rev.get("api/regions/359901101000/review-queue").await).await;
    let item = queue
        .iter()
        .find(|q| q.village.as_str() == VILLAGE && q.month.to_string() == MONTH)
        .unwrap();
    assert_eq!((item.pending, item.approved, item.rejected), (3, 0, 0));

    // Rejected with a reason; the accountant sees it, fixes the line, and it comes back.
    let no_reason = expect_error(
        rev.post(
            &format!("api/ledger-lines/{}/review", office.id),
            &json!({"approve": false}),
        )
        .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(no_reason.field.as_deref(), Some("reason"));
    let rejected: Line = json(
        rev.post(
            &format!("api/ledger-lines/{}/review", office.id),
            &json!({"approve": false, "reason": "发票金额与记账不符"}),
        )
        .await,
    )
    .await;
    assert_eq!(rejected.status, LineStatus::Rejected);
    expect_error(
        rev.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/publish"), &json!({}))
            .await,
        409,
        "wrong_state",
    )
    .await;
    let fixed: Line = json(
        acc.client
            .put(acc.url(&format!("api/ledger-lines/{}", office.id)))
            .json(&line(
                "2025-03-05",
                "expense",
                "1234.00",
                "办公费",
                "云溪文具店",
                "INV-001",
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (fixed.status, fixed.amount_fen, fixed.reject_reason.clone()),
        (LineStatus::Pending, 123_400, None)
    );

    for l in [&office, &allowance, &income] {
        let sealed: Line = json(
            rev.post(&format!("api/ledger-lines/{}/review", l.id), &json!({"approve": true}))
                .await,
        )
        .await;
        let seal = sealed.seal.expect("an approved line carries the seal");
        assert_eq!((seal.township.as_str(), seal.reviewer.as_str()), ("桃源镇", "黄审核"));
    }
    // A sealed line can no longer be changed or removed.
    expect_error(
        acc.delete(&format!("api/ledger-lines/{}", office.id)).await,
        409,
        "wrong_state",
    )
    .await;
    assert_eq!(
        rev.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/publish"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        acc.post(&lines_url, &line("2025-03-30", "expense", "1", "办公费", "x", ""))
            .await,
        409,
        "wrong_state",
    )
    .await;

    let seen: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(seen.status, Some(MonthStatus::Published));
    assert_eq!((seen.income_fen, seen.expense_fen), (500_000, 153_400));
    assert_eq!(seen.categories[0].category, "办公费");
    assert_eq!(seen.categories[0].expense_fen, 123_400);
    let masked = seen.lines.iter().find(|l| l.id == allowance.id).unwrap();
    assert_eq!(masked.counterparty, "张*明");
    assert!(seen.lines.iter().all(|l| l.seal.is_some()));
    let year: LedgerYear = json(villager.get(&format!("api/regions/{VILLAGE}/ledger?year=2025")).await).await;
    let march = year.months.iter().find(|m| m.month.to_string() == MONTH).unwrap();
    assert_eq!(
        (march.income_fen, march.expense_fen, march.lines),
        (500_000, 153_400, 3)
    );
});

db_test!(the_same_invoice_twice_in_a_county_is_flagged, |app| {
    let (acc, rev, _villager) = people(&app).await;
    add(&acc, &line("2025-03-05", "expense", "100", "工程款", "建筑队", "DUP-9")).await;
    // Another village of the same county used the same invoice number.
    let other = "359901102201";
    let other_acc = app
        .account("13500000002", sunlight_api::Role::Accountant, other, None)
        .await;
    let other_client = app.session_for(other_acc).await;
    let res = other_client
        .post(app.url(&format!("api/regions/{other}/ledger/{MONTH}/lines")))
        .json(&line("2025-03-06", "expense", "100", "工程款", "建筑队", "DUP-9"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit"), &json!({}))
        .await;
    let queue: Vec<QueueItem> = json(rev.get("api/regions/359901101000/review-queue").await).await;
    assert_eq!(
        queue
            .iter()
            .find(|q| q.village.as_str() == VILLAGE)
            .unwrap()
            .duplicate_invoices,
        1
    );
    let month: LedgerMonth = json(rev.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert!(month.lines[0].duplicate_invoice);
    // Bad months and years are refused.
    expect_error(
        rev.get(&format!("api/regions/{VILLAGE}/ledger/2025-13")).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        rev.get(&format!("api/regions/{VILLAGE}/ledger?year=1900")).await,
        422,
        "invalid",
    )
    .await;
    expect_error(
        rev.get(&format!("api/regions/{VILLAGE}/ledger")).await,
        400,
        "bad_request",
    )
    .await;
});

db_test!(villagers_ask_and_the_accountant_answers_on_record, |app| {
    let (acc, rev, villager) = people(&app).await;
    let l = add(
        &acc,
        &line("2025-03-05", "expense", "800", "招待费", "农家饭店", "INV-300"),
    )
    .await;
    // Not published yet: for the villager the line does not exist.
    expect_error(
        villager
            .post(
                &format!("api/ledger-lines/{}/questions", l.id),
                &json!({"text": "招待谁？"}),
            )
            .await,
        404,
        "not_found",
    )
    .await;
    acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit"), &json!({}))
        .await;
    rev.post(&format!("api/ledger-lines/{}/review", l.id), &json!({"approve": true}))
        .await;
    rev.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/publish"), &json!({}))
        .await;
    expect_error(
        villager
            .post(&format!("api/ledger-lines/{}/questions", l.id), &json!({"text": "  "}))
            .await,
        422,
        "invalid",
    )
    .await;
    let res = villager
        .post(
            &format!("api/ledger-lines/{}/questions", l.id),
            &json!({"text": "这顿饭招待的是谁？"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let asked: Line = json(res).await;
    let q = asked.questions[0].clone();
    assert_eq!((q.question.as_str(), q.answer.clone()), ("这顿饭招待的是谁？", None));
    // Staff do not ask; villagers do not answer.
    expect_error(
        acc.post(&format!("api/ledger-lines/{}/questions", l.id), &json!({"text": "?"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        villager
            .post(&format!("api/ledger-questions/{}/answer", q.id), &json!({"text": "!"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let answered: Line = json(
        acc.post(
            &format!("api/ledger-questions/{}/answer", q.id),
            &json!({"text": "县农业局检查组，共 6 人，有接待清单。"}),
        )
        .await,
    )
    .await;
    assert_eq!(answered.questions[0].answered_by.as_deref(), Some("林会计"));
    expect_error(
        acc.post(
            &format!("api/ledger-questions/{}/answer", q.id),
            &json!({"text": "again"}),
        )
        .await,
        409,
        "wrong_state",
    )
    .await;
    // On record for everyone who reads the month, without the asker's name.
    let month: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    let on_record = &month.lines.iter().find(|x| x.id == l.id).unwrap().questions[0];
    assert!(on_record.answer.as_deref().unwrap().contains("检查组"));
    let raw = villager
        .get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("张秀英"), "the asker is never named");
});

db_test!(a_county_sets_its_own_categories, |app| {
    let (acc, _rev, _villager) = people(&app).await;
    let defaults: sunlight_api::ledger::Categories =
        json(acc.get(&format!("api/regions/{VILLAGE}/ledger-categories")).await).await;
    assert!(defaults.default && defaults.categories.contains(&"办公费".to_owned()));
    let admin = app
        .account("13500000009", sunlight_api::Role::Admin, "359901000000", None)
        .await;
    let admin = app.session_for(admin).await;
    let put = |body: Value| {
        admin
            .put(app.url("api/regions/359901000000/ledger-categories"))
            .header(sunlight_api::CSRF_HEADER, "1")
            .json(&body)
            .send()
    };
    expect_error(
        put(json!({"categories": ["办公费", "办公费"]})).await.unwrap(),
        422,
        "invalid",
    )
    .await;
    expect_error(put(json!({"categories": [" "]})).await.unwrap(), 422, "invalid").await;
    assert_eq!(
        put(json!({"categories": ["办公费", "道路养护"]}))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let now: sunlight_api::ledger::Categories =
        json(acc.get(&format!("api/regions/{VILLAGE}/ledger-categories")).await).await;
    assert_eq!(
        (now.categories, now.default),
        (vec!["办公费".to_owned(), "道路养护".to_owned()], false)
    );
    // A category outside the county's list is refused; one inside it is taken.
    let body = expect_error(
        acc.post(
            &format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines"),
            &line("2025-03-02", "expense", "5", "工程款", "某队", ""),
        )
        .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(
        (body.field.as_deref(), body.reason),
        (Some("category"), Some(sunlight_api::error::FieldError::NotListed))
    );
    add(&acc, &line("2025-03-02", "expense", "5", "道路养护", "某队", "")).await;
    // Only at county level.
    let town = admin
        .put(app.url("api/regions/359901101000/ledger-categories"))
        .header(sunlight_api::CSRF_HEADER, "1")
        .json(&json!({"categories": ["x"]}))
        .send()
        .await
        .unwrap();
    expect_error(town, 422, "invalid").await;
});
