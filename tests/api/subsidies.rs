//! 我的补助: a villager's household's subsidies as the published accounts record them,
//! beside the village's published list with names masked; the API and the server's page.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::ledger::{Line, MySubsidies};

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2024-03";

fn paid(category: &str, to: &str, amount: &str) -> Value {
    json!({"date": "2024-03-15", "kind": "expense", "amount": amount, "category": category,
           "counterparty": to, "counterparty_is_person": true, "invoice_no": "", "note": "困难群众临时救助"})
}

db_test!(a_household_sees_its_subsidies_beside_the_village_list, |app| {
    app.demo().await;
    app.set_today("2024-04-10");
    let (acc, rev, villager) = (
        app.signed_in("13800000002").await,
        app.signed_in("13800000004").await,
        app.signed_in("13800000001").await,
    );
    let url = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
    // Payments are matched by the head of household's name as the village recorded it.
    let head = app
        .db
        .household_by_number(&code(VILLAGE), "001")
        .await
        .unwrap()
        .unwrap()
        .head_name;
    assert_ne!(head, "张秀英", "the demo villager is a member, not the head");
    let mut lines = Vec::new();
    for body in [
        paid("补贴发放", &head, "300"),
        paid("补贴发放", "王春梅", "500"),
        // Paid to the head, but wages, not a subsidy.
        paid("劳务费", &head, "200"),
        // Paid to someone named as the villager named her own account: not matched, or
        // anyone could unmask a neighbour by registering under the neighbour's name.
        paid("补贴发放", "张秀英", "100"),
    ] {
        let res = acc.post(&format!("{url}/lines"), &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        lines.push(json::<Line>(res).await);
    }
    // Nothing shows before the month is published.
    let before: MySubsidies = json(villager.get("api/me/subsidies?year=2024").await).await;
    assert!(before.mine.is_empty() && before.list.is_empty());
    assert_eq!(before.members, vec![head.clone()]);

    assert_eq!(
        acc.post(&format!("{url}/submit"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    for l in &lines {
        let res = rev
            .post(
                &format!("api/ledger-lines/{}/review", l.id),
                &json!({"approve": true, "reason": "签领表代替发票"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(
        rev.post(&format!("{url}/publish"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );

    let s: MySubsidies = json(villager.get("api/me/subsidies?year=2024").await).await;
    assert_eq!(s.household, "001");
    assert_eq!(s.mine.len(), 1);
    assert_eq!(
        (s.mine[0].recipient.as_str(), s.mine[0].amount_fen),
        (head.as_str(), 30000)
    );
    assert_eq!(s.mine[0].line, lines[0].id);
    assert_eq!(s.mine_fen, 30000);
    let masked = sunlight_api::fields::mask_name(&head);
    // One date, so in the order they were entered (or of their ids, within a millisecond).
    let mut names: Vec<(&str, bool)> = s.list.iter().map(|p| (p.recipient.as_str(), p.mine)).collect();
    names.sort();
    let mut want = vec![(masked.as_str(), true), ("王*梅", false), ("张*英", false)];
    want.sort();
    assert_eq!(names, want);
    assert_eq!(s.list_fen, 90000);
    // Another year has none.
    let other: MySubsidies = json(villager.get("api/me/subsidies?year=2023").await).await;
    assert!(other.list.iter().all(|p| p.month.year == 2023));

    // Bad input and people without a household.
    expect_error(villager.get("api/me/subsidies?year=1999").await, 422, "invalid").await;
    expect_error(villager.get("api/me/subsidies?year=soon").await, 400, "bad_request").await;
    expect_error(acc.get("api/me/subsidies").await, 404, "not_found").await;
    expect_error(app.get("api/me/subsidies").await, 401, "not_signed_in").await;

    // The server's page says the same, and asks a stranger to sign in.
    let page = villager.get("me/subsidies?year=2024").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for word in [
        "我的补助",
        "本户领取",
        head.as_str(),
        "¥300.00",
        masked.as_str(),
        "王*梅",
        "¥900.00",
    ] {
        assert!(html.contains(word), "the page shows {word}");
    }
    assert!(html.contains(&format!("ledger/{VILLAGE}/{MONTH}?app#line-{}", lines[0].id)));
    assert!(!html.contains("王春梅"), "other people's names stay masked");
    assert!(
        !html.contains("张秀英"),
        "names people gave their accounts unmask nothing"
    );
    let stranger = app.get("me/subsidies").await;
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
    assert!(stranger.text().await.unwrap().contains("href=\"login\""));
    assert_eq!(acc.get("me/subsidies").await.status(), StatusCode::NOT_FOUND);
});
