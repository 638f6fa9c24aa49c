//! Households: create, list with keyset pages, CSV import that is all or nothing.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::{
    Page,
    dto::{Household, ImportResult, Invite},
};
use sunlight_server::demo::DEMO_PASSWORD;

use super::*;

const VILLAGE: &str = "359901101203";

async fn as_cadre_of_new_village(app: &TestApp) {
    app.demo().await;
    // The demo cadre runs 上坪村; make a cadre for 枫林村 too.
    app.account("13500000001", sunlight_api::Role::Cadre, VILLAGE, None)
        .await;
    app.sign_in("13500000001", PASSWORD).await;
}

db_test!(create_and_page_through_households, |app| {
    as_cadre_of_new_village(&app).await;
    let res = app
        .post(
            &format!("api/regions/{VILLAGE}/households"),
            &json!({"number": "A-100", "head_name": " 许明 "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let h: Household = json(res).await;
    assert_eq!(
        (h.number.as_str(), h.head_name.as_str(), h.members),
        ("A-100", "许明", 0)
    );
    let dup = expect_error(
        app.post(
            &format!("api/regions/{VILLAGE}/households"),
            &json!({"number": "A-100", "head_name": "别人"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(dup.field.as_deref(), Some("number"));
    let bad = expect_error(
        app.post(
            &format!("api/regions/{VILLAGE}/households"),
            &json!({"number": "A 1", "head_name": "许"}),
        )
        .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(bad.field.as_deref(), Some("number"));
    // 12 demo households + 1: pages of 5.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("api/regions/{VILLAGE}/households?limit=5&cursor={c}"),
            None => format!("api/regions/{VILLAGE}/households?limit=5"),
        };
        let page: Page<Household> = json(app.get(&url).await).await;
        assert!(page.items.len() <= 5);
        seen.extend(page.items.into_iter().map(|h| h.number));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 13);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by number, no repeats");
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/households?cursor=%%%")).await,
        422,
        "invalid",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/households?cursor=AAAA")).await,
        422,
        "invalid",
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/households?limit=0")).await,
        422,
        "invalid",
    )
    .await;
});

db_test!(import_is_all_or_nothing_with_row_errors, |app| {
    as_cadre_of_new_village(&app).await;
    let url = format!("api/regions/{VILLAGE}/households/import");
    let bad = "\u{feff}户号,户主姓名\r\n101,林一\r\n,林二\r\n101,林三\r\n104,\r\n105,林五\r\n";
    let body = expect_error(app.post(&url, &json!({"csv": bad})).await, 422, "invalid").await;
    let rows: Vec<(u32, &str)> = body.rows.iter().map(|r| (r.row, r.field.as_str())).collect();
    assert_eq!(rows, vec![(3, "number"), (4, "number"), (5, "head_name")]);
    // Nothing was saved, not even the good rows.
    assert!(
        app.db
            .household_by_number(&code(VILLAGE), "101")
            .await
            .unwrap()
            .is_none()
    );
    // A number that already exists in the village is a row error too.
    let clash = "户号,户主姓名\n201,甲\n001,乙\n";
    let body = expect_error(app.post(&url, &json!({"csv": clash})).await, 422, "invalid").await;
    assert_eq!(body.rows.len(), 1);
    assert_eq!(body.rows[0].row, 3);
    assert!(
        app.db
            .household_by_number(&code(VILLAGE), "201")
            .await
            .unwrap()
            .is_none()
    );
    expect_error(app.post(&url, &json!({"csv": "户号,户主姓名\n"})).await, 422, "invalid").await;
    let good = "户号,户主姓名\n101,林一\n102,林二\n";
    let res = app.post(&url, &json!({"csv": good})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json::<ImportResult>(res).await.created, 2);
});

db_test!(households_only_in_villages, |app| {
    app.demo().await;
    app.sign_in("13800000009", DEMO_PASSWORD).await;
    let body = expect_error(
        app.post(
            "api/regions/359901101000/households",
            &json!({"number": "1", "head_name": "甲"}),
        )
        .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(body.field.as_deref(), Some("region"));
    expect_error(app.get("api/regions/359901101299/households").await, 404, "not_found").await;
    expect_error(app.get("api/regions/not-a-code/households").await, 404, "not_found").await;
});

db_test!(invite_lists_show_use_and_revocation, |app| {
    as_cadre_of_new_village(&app).await;
    let h = app
        .db
        .household_by_number(&code(VILLAGE), "003")
        .await
        .unwrap()
        .unwrap();
    let url = format!("api/households/{}/invites", h.id);
    let bad = expect_error(
        app.post(&url, &json!({"max_uses": 0, "valid_days": 7})).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(bad.field.as_deref(), Some("max_uses"));
    let bad = expect_error(
        app.post(&url, &json!({"max_uses": 2, "valid_days": 91})).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(bad.field.as_deref(), Some("valid_days"));
    for _ in 0..3 {
        assert_eq!(
            app.post(&url, &json!({"max_uses": 2, "valid_days": 7})).await.status(),
            StatusCode::CREATED
        );
    }
    let first: Page<Invite> = json(app.get(&format!("api/regions/{VILLAGE}/invites?limit=2")).await).await;
    assert_eq!(first.items.len(), 2);
    let rest: Page<Invite> = json(
        app.get(&format!(
            "api/regions/{VILLAGE}/invites?limit=2&cursor={}",
            first.next.unwrap()
        ))
        .await,
    )
    .await;
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
    assert!(
        first
            .items
            .iter()
            .chain(&rest.items)
            .all(|i| i.household_number == "003" && i.uses == 0 && !i.revoked)
    );
    let id = rest.items[0].id;
    assert_eq!(
        app.delete(&format!("api/invites/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let all: Page<Invite> = json(app.get(&format!("api/regions/{VILLAGE}/invites")).await).await;
    assert!(all.items.iter().any(|i| i.id == id && i.revoked));
    // The list never carries the codes themselves.
    let raw = app
        .get(&format!("api/regions/{VILLAGE}/invites"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("\"code\""));
});
