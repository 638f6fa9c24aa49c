//! The ledger: entry, submission, review with the seal, publication, what villagers see.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::ledger::{LedgerMonth, LedgerYear, Line, LineStatus, MonthStatus, QueueItem};

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2025-03";

/// Three signed-in people of the demo: the accountant, the township reviewer, a villager.
/// Today is 10 April 2025 for the server, so March 2025 has ended.
async fn people(app: &TestApp) -> (TestApp, TestApp, TestApp) {
    app.demo().await;
    app.set_today("2025-04-10");
    (
        app.signed_in("13800000002").await,
        app.signed_in("13800000004").await,
        app.signed_in("13800000001").await,
    )
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
    // A date outside the month says so, not just "out of range".
    let body = line("2025-04-01", "expense", "10", "办公费", "文具店", "");
    let err = expect_error(acc.post(&lines_url, &body).await, 422, "invalid").await;
    assert_eq!(err.reason, Some(sunlight_api::error::FieldError::NotInMonth));
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

    // Spending without an invoice is sealed only with a reason, which villagers see.
    let no_reason = expect_error(
        rev.post(
            &format!("api/ledger-lines/{}/review", office.id),
            &json!({"approve": true}),
        )
        .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(no_reason.field.as_deref(), Some("reason"));
    for l in [&office, &allowance, &income] {
        let sealed: Line = json(
            rev.post(
                &format!("api/ledger-lines/{}/review", l.id),
                &json!({"approve": true, "reason": "发票遗失，有收款人签字的收据"}),
            )
            .await,
        )
        .await;
        assert_eq!(sealed.lacks_invoice(), l.id != income.id);
        assert_eq!(
            sealed.no_invoice_reason.is_some(),
            l.id != income.id,
            "the reason is kept only where an invoice is missing"
        );
        let seal = sealed.seal.expect("an approved line carries the seal");
        assert_eq!((seal.township.as_str(), seal.reviewer.as_str()), ("桃源镇", "黄审核"));
    }
    // A sealed line can no longer be changed or removed.
    expect_error(
        acc.delete(&format!("api/ledger-lines/{}", office.id)).await,
        409,
        "ledger_locked",
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
        "ledger_locked",
    )
    .await;

    let seen: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(seen.status, Some(MonthStatus::Published));
    assert_eq!((seen.income_fen, seen.expense_fen), (500_000, 153_400));
    assert_eq!(seen.categories[0].category, "办公费");
    assert_eq!(seen.categories[0].expense_fen, 123_400);
    let masked = seen.lines.iter().find(|l| l.id == allowance.id).unwrap();
    assert_eq!(masked.counterparty, "张*明");
    assert_eq!(
        masked.no_invoice_reason.as_deref(),
        Some("发票遗失，有收款人签字的收据")
    );
    assert!(seen.lines.iter().all(|l| l.seal.is_some()));
    let year: LedgerYear = json(villager.get(&format!("api/regions/{VILLAGE}/ledger?year=2025")).await).await;
    let march = year.months.iter().find(|m| m.month.to_string() == MONTH).unwrap();
    assert_eq!(
        (march.income_fen, march.expense_fen, march.lines),
        (500_000, 153_400, 3)
    );
});

db_test!(the_same_invoice_twice_in_a_county_is_flagged_to_reviewers_only, |app| {
    let (acc, rev, _villager) = people(&app).await;
    add(&acc, &line("2025-03-05", "expense", "100", "工程款", "建筑队", "DUP-9")).await;
    // Another village of the same county, in another township, used the same number.
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
    // That accountant does not learn that the number exists in an unpublished month of
    // another township's village, nor does ours.
    let theirs: Line = json(res).await;
    assert!(!theirs.duplicate_invoice);
    let seen: LedgerMonth = json(
        other_client
            .get(app.url(&format!("api/regions/{other}/ledger/{MONTH}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!seen.lines[0].duplicate_invoice);
    let ours: LedgerMonth = json(acc.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert!(!ours.lines[0].duplicate_invoice);
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
    rev.post(
        &format!("api/ledger-lines/{}/review", l.id),
        &json!({"approve": true, "reason": "接待清单在案"}),
    )
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

/// Sends `n` copies of a request at once and returns their statuses and bodies.
async fn at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<(u16, String)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|r| {
            tokio::spawn(async move {
                let res = r.send().await.expect("request");
                (res.status().as_u16(), res.text().await.expect("body"))
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

db_test!(
    a_line_never_changes_after_its_month_is_published_or_it_is_sealed,
    |app| {
        let (acc, rev, _villager) = people(&app).await;
        for month in ["2024-05", "2024-06", "2024-07", "2024-08"] {
            let lines_url = acc.url(&format!("api/regions/{VILLAGE}/ledger/{month}/lines"));
            // A pending spending line with an invoice, and an income line sealed already.
            let pending: Line = json(
                acc.client
                    .post(&lines_url)
                    .json(&line(&format!("{month}-02"), "expense", "10", "办公费", "店", ""))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            let photo = crate::files::jpeg_with_exif(32, 32);
            let res = acc
                .client
                .post(acc.url(&format!("api/ledger-lines/{}/attachments", pending.id)))
                .header(sunlight_api::CSRF_HEADER, "1")
                .header("content-type", "image/jpeg")
                .body(photo.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let income: Line = json(
                acc.client
                    .post(&lines_url)
                    .json(&line(&format!("{month}-03"), "income", "99", "集体收入", "承包户", ""))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                acc.post(&format!("api/regions/{VILLAGE}/ledger/{month}/submit"), &json!({}))
                    .await
                    .status(),
                StatusCode::NO_CONTENT
            );
            rev.post(
                &format!("api/ledger-lines/{}/review", income.id),
                &json!({"approve": true}),
            )
            .await;

            // Sealing the pending line races with edits, a second invoice and removal.
            let mut race = vec![
                rev.client
                    .post(rev.url(&format!("api/ledger-lines/{}/review", pending.id)))
                    .json(&json!({"approve": true})),
            ];
            for amount in ["11", "12", "13"] {
                race.push(
                    acc.client
                        .put(acc.url(&format!("api/ledger-lines/{}", pending.id)))
                        .json(&line(&format!("{month}-02"), "expense", amount, "办公费", "店", "")),
                );
            }
            race.push(
                acc.client
                    .post(acc.url(&format!("api/ledger-lines/{}/attachments", pending.id)))
                    .header(sunlight_api::CSRF_HEADER, "1")
                    .header("content-type", "image/jpeg")
                    .body(photo.clone()),
            );
            race.push(
                acc.client
                    .delete(acc.url(&format!("api/ledger-lines/{}", pending.id)))
                    .header(sunlight_api::CSRF_HEADER, "1"),
            );
            let answers = at_once(race).await;
            for (status, body) in &answers[1..] {
                // 404 once the removal has won.
                assert!(
                    [200, 201, 204, 404].contains(status) || (*status == 409 && body.contains("ledger_locked")),
                    "{status} {body}"
                );
            }
            let now: LedgerMonth = json(acc.get(&format!("api/regions/{VILLAGE}/ledger/{month}")).await).await;
            let after = now.lines.iter().find(|l| l.id == pending.id);
            if answers[0].0 == 200 {
                // What was sealed is what stays: no edit, file or removal landed after it.
                let sealed: Line = serde_json::from_str(&answers[0].1).unwrap();
                assert_eq!(after, Some(&sealed), "a sealed line changed");
                assert_eq!(sealed.status, LineStatus::Approved);
            } else {
                // The removal came first (the seal found no line, or read it half-removed,
                // without its invoice); then nothing else may have brought it back.
                assert!([404, 409, 422].contains(&answers[0].0), "{}", answers[0].1);
                assert!(after.is_none());
            }

            // Publishing races with new lines: each one lands before publication (and blocks
            // it) or is refused; a published month never holds an unsealed line.
            let mut race = vec![
                rev.client
                    .post(rev.url(&format!("api/regions/{VILLAGE}/ledger/{month}/publish")))
                    .json(&json!({})),
            ];
            for i in 0..6 {
                race.push(acc.client.post(&lines_url).json(&line(
                    &format!("{month}-1{i}"),
                    "income",
                    "1",
                    "集体收入",
                    "某户",
                    "",
                )));
            }
            let answers = at_once(race).await;
            for (status, body) in &answers[1..] {
                assert!(
                    *status == 201 || (*status == 409 && body.contains("ledger_locked")),
                    "{status} {body}"
                );
            }
            let now: LedgerMonth = json(acc.get(&format!("api/regions/{VILLAGE}/ledger/{month}")).await).await;
            if now.status == Some(MonthStatus::Published) {
                assert_eq!(answers[0].0, 204);
                assert!(
                    now.lines.iter().all(|l| l.status == LineStatus::Approved),
                    "a published month holds an unsealed line"
                );
            } else {
                assert!(now.lines.iter().any(|l| l.status == LineStatus::Pending));
            }
        }
    }
);

/// Writes a value the application would never write, past the schema's CHECK constraint,
/// into the rows of March 2025 in our village.
async fn corrupt(app: &TestApp, table: &str, column: &str, value: &str) {
    let ours = format!("village_code = '{VILLAGE}' AND month IN ('{MONTH}', '2025-13')");
    let rows = match table {
        "ledger_months" => ours,
        _ => format!("month_id IN (SELECT id FROM ledger_months WHERE {ours})"),
    };
    let update = format!("UPDATE {table} SET {column} = '{value}' WHERE {rows}");
    match &app.db {
        sunlight_server::Db::Sqlite(p) => {
            let mut c = p.acquire().await.unwrap();
            sqlx::query("PRAGMA ignore_check_constraints = ON")
                .execute(&mut *c)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(update))
                .execute(&mut *c)
                .await
                .unwrap();
            sqlx::query("PRAGMA ignore_check_constraints = OFF")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        sunlight_server::Db::Postgres(p) => {
            let drop = format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check");
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(p).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(update)).execute(p).await.unwrap();
        }
    }
}

db_test!(a_corrupt_stored_value_is_an_error_never_a_default, |app| {
    let (acc, rev, _villager) = people(&app).await;
    let l = add(&acc, &line("2025-03-05", "income", "10", "集体收入", "某户", "")).await;
    let month_url = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
    let internal = |res: reqwest::Response| async move { expect_error(res, 500, "internal").await };
    // A kind that is neither: once it read as spending.
    corrupt(&app, "ledger_lines", "kind", "gift").await;
    let body = internal(acc.get(&month_url).await).await;
    assert_eq!(body.message, "internal error", "the cause stays in the log");
    corrupt(&app, "ledger_lines", "kind", "income").await;
    // A line status that is none: once it read as pending, and could be reviewed.
    corrupt(&app, "ledger_lines", "status", "sealed?").await;
    internal(acc.get(&month_url).await).await;
    internal(
        rev.post(&format!("api/ledger-lines/{}/review", l.id), &json!({"approve": true}))
            .await,
    )
    .await;
    corrupt(&app, "ledger_lines", "status", "pending").await;
    acc.get(&month_url).await.error_for_status().unwrap();
    // A month status that is none: once it read as a draft, open for entry.
    corrupt(&app, "ledger_months", "status", "closed").await;
    internal(acc.get(&month_url).await).await;
    internal(
        acc.post(
            &format!("{month_url}/lines"),
            &line("2025-03-06", "income", "1", "集体收入", "某户", ""),
        )
        .await,
    )
    .await;
    corrupt(&app, "ledger_months", "status", "draft").await;
    // A month that is no month: once its row was silently left out of the year.
    corrupt(&app, "ledger_months", "month", "2025-13").await;
    internal(acc.get(&format!("api/regions/{VILLAGE}/ledger?year=2025")).await).await;
    internal(acc.delete(&format!("api/ledger-lines/{}", l.id)).await).await;
});

db_test!(amounts_are_read_strictly_with_the_expected_form_named, |app| {
    let (acc, _rev, _villager) = people(&app).await;
    let lines_url = format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines");
    for amount in ["5.", "1 2 3", ",,,5", "¥¥7", "1,23", "5.555"] {
        let body = expect_error(
            acc.post(&lines_url, &line("2025-03-05", "expense", amount, "办公费", "店", ""))
                .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(
            (body.field.as_deref(), body.reason),
            (Some("amount"), Some(sunlight_api::error::FieldError::NotAnAmount)),
            "{amount}"
        );
    }
    for (amount, fen) in [("¥1,234.5", 123_450), ("7元", 700), ("0.05", 5)] {
        let l = add(&acc, &line("2025-03-05", "expense", amount, "办公费", "店", "")).await;
        assert_eq!(l.amount_fen, fen, "{amount}");
    }
});

db_test!(months_open_for_entry_are_this_one_and_the_36_before, |app| {
    let (acc, _rev, _villager) = people(&app).await;
    let post = |month: &'static str, date: String| {
        let acc = &acc;
        async move {
            acc.post(
                &format!("api/regions/{VILLAGE}/ledger/{month}/lines"),
                &line(&date, "income", "1", "集体收入", "某户", ""),
            )
            .await
        }
    };
    // Today is 2025-04-10.
    for month in ["2100-12", "2000-01", "2025-05", "2022-03"] {
        let body = expect_error(post(month, format!("{month}-01")).await, 422, "invalid").await;
        assert_eq!(
            (body.field.as_deref(), body.reason),
            (Some("month"), Some(sunlight_api::error::FieldError::MonthNotOpen)),
            "{month}"
        );
    }
    let year: LedgerYear = json(acc.get(&format!("api/regions/{VILLAGE}/ledger?year=2100")).await).await;
    assert!(year.months.is_empty(), "no month was created");
    assert_eq!(post("2022-04", "2022-04-30".into()).await.status(), StatusCode::CREATED);
    assert_eq!(post("2025-04", "2025-04-10".into()).await.status(), StatusCode::CREATED);
    let body = expect_error(post("2025-04", "2025-04-11".into()).await, 422, "invalid").await;
    assert_eq!(
        (body.field.as_deref(), body.reason),
        (Some("date"), Some(sunlight_api::error::FieldError::InFuture))
    );
});

db_test!(a_month_is_submitted_after_it_ends_or_closed_early_on_record, |app| {
    let (acc, rev, villager) = people(&app).await;
    app.set_today("2025-03-20");
    let l = add(&acc, &line("2025-03-02", "income", "10", "集体收入", "某户", "")).await;
    let submit = format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit");
    expect_error(acc.post(&submit, &json!({})).await, 409, "month_not_ended").await;
    expect_error(acc.post(&submit, &json!(null)).await, 409, "month_not_ended").await;
    // On the last day it has still not ended (in China).
    app.set_today("2025-03-31");
    expect_error(acc.post(&submit, &json!({})).await, 409, "month_not_ended").await;
    assert_eq!(
        acc.post(&submit, &json!({"close_early": true})).await.status(),
        StatusCode::NO_CONTENT
    );
    rev.post(&format!("api/ledger-lines/{}/review", l.id), &json!({"approve": true}))
        .await;
    rev.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/publish"), &json!({}))
        .await;
    let seen: LedgerMonth = json(villager.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(seen.status, Some(MonthStatus::Published));
    assert!(seen.closed_early, "villagers see it was closed early");
    // A month that has ended is submitted plainly.
    app.set_today("2025-04-01");
    let feb = format!("api/regions/{VILLAGE}/ledger/2025-02");
    let res = acc
        .post(
            &format!("{feb}/lines"),
            &line("2025-02-02", "income", "10", "集体收入", "某户", ""),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        acc.post(&format!("{feb}/submit"), &json!(null)).await.status(),
        StatusCode::NO_CONTENT
    );
    let feb: LedgerMonth = json(acc.get(&feb).await).await;
    assert_eq!((feb.status, feb.closed_early), (Some(MonthStatus::Submitted), false));
});

db_test!(
    spending_found_after_publication_is_a_correction_sealed_beside_the_month,
    |app| {
        let (acc, rev, villager) = people(&app).await;
        let month_url = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
        let original = add(&acc, &line("2025-03-05", "income", "500", "集体收入", "鱼塘承包户", "")).await;
        acc.post(&format!("{month_url}/submit"), &json!({})).await;
        rev.post(
            &format!("api/ledger-lines/{}/review", original.id),
            &json!({"approve": true}),
        )
        .await;
        // Nothing to correct before publication: lines are still entered directly.
        expect_error(
            acc.post(&format!("{month_url}/corrections"), &json!({"reason": "漏记"}))
                .await,
            409,
            "wrong_state",
        )
        .await;
        assert_eq!(
            rev.post(&format!("{month_url}/publish"), &json!({})).await.status(),
            StatusCode::NO_CONTENT
        );

        // A line found later cannot go into the published month itself.
        let found = line("2025-03-28", "expense", "86.40", "水电费", "县供电公司", "");
        expect_error(
            acc.post(&format!("{month_url}/lines"), &found).await,
            409,
            "ledger_locked",
        )
        .await;
        // A correction says why; only the village's accountant opens one.
        let err = expect_error(
            acc.post(&format!("{month_url}/corrections"), &json!({"reason": "  "}))
                .await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("reason"));
        expect_error(
            villager
                .post(&format!("{month_url}/corrections"), &json!({"reason": "漏记"}))
                .await,
            403,
            "forbidden",
        )
        .await;
        // Two accountants' taps at once open one correction.
        let why = json!({"reason": "三月电费单四月才到，补记"});
        let opened = at_once(vec![
            acc.client.post(acc.url(&format!("{month_url}/corrections"))).json(&why),
            acc.client.post(acc.url(&format!("{month_url}/corrections"))).json(&why),
        ])
        .await;
        let mut codes: Vec<u16> = opened.iter().map(|(s, _)| *s).collect();
        codes.sort();
        assert_eq!(codes, vec![201, 409], "{opened:?}");
        assert!(opened.iter().any(|(_, b)| b.contains("correction_open")));

        let added = add(&acc, &found).await;
        // The original line stays as published.
        expect_error(
            acc.client
                .put(acc.url(&format!("api/ledger-lines/{}", original.id)))
                .json(&line("2025-03-05", "income", "5", "集体收入", "鱼塘承包户", ""))
                .send()
                .await
                .unwrap(),
            409,
            "ledger_locked",
        )
        .await;
        // Villagers see nothing of a correction until it is published.
        let seen: LedgerMonth = json(villager.get(&month_url).await).await;
        assert!(seen.corrections.is_empty());
        assert_eq!((seen.income_fen, seen.expense_fen, seen.lines.len()), (50_000, 0, 1));
        let staff: LedgerMonth = json(acc.get(&month_url).await).await;
        assert_eq!(
            staff.lines.len(),
            1,
            "the month's own lines are not mixed with the correction's"
        );
        let c = staff.open_correction().expect("an open correction");
        assert_eq!((c.seq, c.status, c.lines.len()), (1, MonthStatus::Draft, 1));

        // Submitted (no month end needed), then in the township's queue as correction 1.
        assert_eq!(
            acc.post(&format!("{month_url}/submit"), &json!({})).await.status(),
            StatusCode::NO_CONTENT
        );
        let queue: Vec<QueueItem> = json(rev.get("api/regions/359901101000/review-queue").await).await;
        let item = queue.iter().find(|q| q.month.to_string() == MONTH).expect("queued");
        assert_eq!((item.correction, item.pending), (Some(1), 1));
        expect_error(
            rev.post(&format!("{month_url}/publish"), &json!({})).await,
            409,
            "wrong_state",
        )
        .await;
        // Sealed like any spending line without an invoice: with a reason villagers see.
        let review = format!("api/ledger-lines/{}/review", added.id);
        let err = expect_error(rev.post(&review, &json!({"approve": true})).await, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some("reason"));
        assert_eq!(
            rev.post(
                &review,
                &json!({"approve": true, "reason": "电费单由供电公司统一开具，已核对缴费记录"})
            )
            .await
            .status(),
            StatusCode::OK
        );
        assert_eq!(
            rev.post(&format!("{month_url}/publish"), &json!({})).await.status(),
            StatusCode::NO_CONTENT
        );

        // Villagers now see the month as first published, and the correction beside it.
        let seen: LedgerMonth = json(villager.get(&month_url).await).await;
        assert_eq!((seen.income_fen, seen.expense_fen, seen.lines.len()), (50_000, 0, 1));
        assert_eq!(seen.corrections.len(), 1);
        let c = &seen.corrections[0];
        assert_eq!((c.seq, c.status, c.expense_fen), (1, MonthStatus::Published, 8_640));
        assert_eq!(c.reason, "三月电费单四月才到，补记");
        assert!(c.published_at.is_some());
        assert!(c.lines[0].seal.is_some());
        assert_eq!(seen.corrected_totals(), (50_000, 8_640));
        let year: LedgerYear = json(villager.get(&format!("api/regions/{VILLAGE}/ledger?year=2025")).await).await;
        let m = year.months.iter().find(|m| m.month.to_string() == MONTH).unwrap();
        assert_eq!((m.income_fen, m.expense_fen, m.lines), (50_000, 8_640, 2));
        // A published correction never changes either; a second one can follow.
        expect_error(
            acc.delete(&format!("api/ledger-lines/{}", added.id)).await,
            409,
            "ledger_locked",
        )
        .await;
        expect_error(
            acc.post(&format!("{month_url}/lines"), &found).await,
            409,
            "ledger_locked",
        )
        .await;
        assert_eq!(
            acc.post(&format!("{month_url}/corrections"), &json!({"reason": "又发现一笔"}))
                .await
                .status(),
            StatusCode::CREATED
        );
        let staff: LedgerMonth = json(acc.get(&month_url).await).await;
        assert_eq!(staff.corrections.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
    }
);

db_test!(the_demo_carries_invoice_photos_and_no_seal_dated_in_the_future, |app| {
    app.demo().await;
    // Last month in China, which the demo published "on the first days of this month".
    let china = chrono::Utc::now() + chrono::Duration::hours(8);
    let (y, m) = (china.format("%Y").to_string(), china.format("%m").to_string());
    let (y, m): (i32, u32) = (y.parse().unwrap(), m.parse().unwrap());
    let last = if m == 1 {
        format!("{}-12", y - 1)
    } else {
        format!("{y}-{:02}", m - 1)
    };
    let month: LedgerMonth = json(app.get(&format!("api/regions/{VILLAGE}/ledger/{last}")).await).await;
    assert_eq!(month.status, Some(MonthStatus::Published));
    let now_ms = chrono::Utc::now().timestamp_millis();
    for l in &month.lines {
        let seal = l.seal.as_ref().expect("every demo line is sealed");
        assert!(seal.at.0 <= now_ms, "a seal dated in the future: {}", seal.at.0);
        if l.kind == sunlight_api::ledger::Kind::Expense {
            assert_eq!(l.attachments.len(), 1, "an invoice photo on {}", l.counterparty);
            assert!(!l.lacks_invoice() && l.no_invoice_reason.is_none());
        }
    }
    // The photo is served as the upload pipeline made it, to anyone where the county is public.
    let photo = month.lines.iter().flat_map(|l| &l.attachments).next().expect("a photo");
    let res = app.get(&format!("api/files/{}/thumb", photo.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
});
