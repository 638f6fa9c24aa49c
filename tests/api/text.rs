//! Text that reads differently from what was typed is refused everywhere, through one
//! check of every string in a request body.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_server::demo::DEMO_PASSWORD;

use super::*;

const VILLAGE: &str = "359901101201";

db_test!(bidi_and_invisible_characters_and_stray_newlines_are_refused, |app| {
    app.demo().await;
    app.sign_in("13800000002", DEMO_PASSWORD).await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let line = |counterparty: &str, note: &str| {
        json!({"date": format!("{month}-01"), "kind": "expense", "amount": "12", "category": "办公费",
               "counterparty": counterparty, "note": note})
    };
    let path = format!("api/regions/{VILLAGE}/ledger/{month}/lines");
    // "店<RLO>FDP.exe" would show as "店exe.PDF" on villagers' pages.
    let body = expect_error(app.post(&path, &line("店\u{202e}FDP.exe", "")).await, 422, "invalid").await;
    assert_eq!(body.field.as_deref(), Some("counterparty"));
    assert_eq!(serde_json::to_value(body.reason).unwrap(), "invisible_character");
    for sneaky in ["文具\u{200b}店", "文具店\u{2066}", "\u{feff}文具店", "文具\u{2028}店"] {
        let body = expect_error(app.post(&path, &line(sneaky, "")).await, 422, "invalid").await;
        assert_eq!(body.field.as_deref(), Some("counterparty"), "{sneaky:?}");
    }
    // A newline in a one-line field is refused; in a note it is kept.
    let body = expect_error(app.post(&path, &line("文具\n店", "")).await, 422, "invalid").await;
    assert_eq!(serde_json::to_value(body.reason).unwrap(), "line_break");
    let res = app.post(&path, &line("文具店", "第一行\n第二行")).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    // The same rule guards every other body, a sign-in's included.
    let res = app
        .post(
            "api/session",
            &json!({"mobile": "13800000001\u{200b}", "password": DEMO_PASSWORD}),
        )
        .await;
    expect_error(res, 422, "invalid").await;
    // A spreadsheet's cells are not JSON, and meet the same rule row by row.
    let csv = format!("日期,收支,金额（元）,科目,收付款方\n{month}-01,支出,12,办公费,店\u{202e}FDP.exe\n");
    let res = app
        .client
        .post(app.url(&format!("api/regions/{VILLAGE}/ledger/{month}/import")))
        .header("content-type", "text/csv")
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(csv)
        .send()
        .await
        .unwrap();
    let body = expect_error(res, 422, "invalid").await;
    assert_eq!(body.rows.len(), 1, "{body:?}");
    assert_eq!((body.rows[0].row, body.rows[0].field.as_str()), (2, "counterparty"));
    assert_eq!(serde_json::to_value(body.rows[0].code).unwrap(), "invisible_character");
});
