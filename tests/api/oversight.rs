//! The villagers' financial oversight group (民主理财小组): the cadre appoints villagers of
//! the village; a member reads the submitted month and signs it; the township publishes a
//! month only after an agreeing signature where the village has a group; the signatures
//! are shown with the month, and nobody else may sign.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::ledger::{FinanceGroup, LedgerMonth, Line, MonthSignatures, MonthStatus, MonthToSign};

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2024-03";

/// A one-line month of the village with the line's invoice photo, submitted and its line
/// sealed: waiting to be published. Answers the photo's id.
async fn submitted_month(app: &TestApp) -> uuid::Uuid {
    let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
    let url = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
    let res = acc
        .post(
            &format!("{url}/lines"),
            &json!({"date": format!("{MONTH}-15"), "kind": "expense", "amount": "860", "category": "办公费",
                    "counterparty": "清水文具店", "counterparty_is_person": false, "invoice_no": "35990001", "note": ""}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let line: Line = json(res).await;
    let res = acc
        .client
        .post(acc.url(&format!("api/ledger-lines/{}/attachments", line.id)))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(png())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let photo: sunlight_api::ledger::Attachment = json(res).await;
    assert_eq!(
        acc.post(&format!("{url}/submit"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = rev
        .post(
            &format!("api/ledger-lines/{}/review", line.id),
            &json!({"approve": true, "reason": "纸质发票已核"}),
        )
        .await;
    assert!(res.status().is_success());
    photo.id
}

db_test!(
    a_village_with_a_group_publishes_a_month_only_after_a_member_agrees,
    |app| {
        app.demo().await;
        app.set_today("2024-04-20");
        let (cadre, rev, villager) = (
            app.signed_in("13800000003").await,
            app.signed_in("13800000004").await,
            app.signed_in("13800000001").await,
        );
        let group = format!("api/regions/{VILLAGE}/finance-group");
        // Only a villager of the village can sit on it; the accountant cannot appoint.
        let err = expect_error(
            cadre.post(&group, &json!({"mobile": "13800000004"})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("mobile"));
        let err = expect_error(
            cadre.post(&group, &json!({"mobile": "13999999999"})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("mobile"));
        // The cadre is a villager of the village too: he may not oversee himself.
        let me = app.db.user_id_by_mobile("13800000003").await.unwrap().unwrap();
        app.db
            .grant(me, sunlight_api::Role::Villager, &code(VILLAGE), None)
            .await
            .unwrap();
        let err = expect_error(
            cadre.post(&group, &json!({"mobile": "13800000003"})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("mobile"));
        // Nor may the township's reviewer, or the city's administrator, who gave himself a
        // villager's grant: whoever holds an office over the village does not oversee it.
        for mobile in ["13800000004", "13800000009"] {
            let official = app.db.user_id_by_mobile(mobile).await.unwrap().unwrap();
            app.db
                .grant(official, sunlight_api::Role::Villager, &code(VILLAGE), None)
                .await
                .unwrap();
            let err = expect_error(cadre.post(&group, &json!({ "mobile": mobile })).await, 422, "invalid").await;
            assert_eq!(err.field.as_deref(), Some("mobile"), "{mobile}");
        }
        let acc = app.signed_in("13800000002").await;
        assert_eq!(
            acc.post(&group, &json!({"mobile": "13800000001"})).await.status(),
            StatusCode::FORBIDDEN
        );
        let g: FinanceGroup = json(cadre.post(&group, &json!({"mobile": "13800000001"})).await).await;
        assert_eq!(
            g.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["张秀英"]
        );
        expect_error(
            cadre.post(&group, &json!({"mobile": "13800000001"})).await,
            409,
            "conflict",
        )
        .await;
        // Who sits on it is public.
        let public: FinanceGroup = json(app.get(&group).await).await;
        assert_eq!(public.members.len(), 1);

        let photo = submitted_month(&app).await;
        let month = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
        let signatures = format!("{month}/signatures");
        // The member sees the invoice's photo too (not its original); the public does not.
        let thumb = format!("api/files/{photo}/thumb");
        assert_eq!(villager.get(&thumb).await.status(), StatusCode::OK);
        assert_eq!(
            villager.get(&format!("api/files/{photo}/original")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.get(&thumb).await.status(), StatusCode::NOT_FOUND);
        // The member reads the month while it waits; the public does not.
        let seen: LedgerMonth = json(villager.get(&month).await).await;
        assert_eq!((seen.status, seen.lines.len()), (Some(MonthStatus::Submitted), 1));
        let public: LedgerMonth = json(app.get(&month).await).await;
        assert!(public.lines.is_empty());
        assert_eq!(app.get(&signatures).await.status(), StatusCode::NOT_FOUND);
        let todo: Vec<MonthToSign> = json(villager.get("api/me/months-to-sign").await).await;
        assert_eq!(todo.len(), 1);
        assert_eq!(todo[0].month.to_string(), MONTH);

        // Not signed: the township cannot publish it.
        let err = expect_error(rev.post(&format!("{month}/publish"), &json!({})).await, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some("signatures"));
        // Disagreeing needs a reason; a reviewer is no member.
        let err = expect_error(
            villager.post(&signatures, &json!({"agree": false})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("opinion"));
        assert_eq!(
            rev.post(&signatures, &json!({"agree": true})).await.status(),
            StatusCode::FORBIDDEN
        );
        let res = villager
            .post(&signatures, &json!({"agree": true, "opinion": "凭证齐全，同意公开。"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let s: MonthSignatures = json(res).await;
        assert_eq!((s.required, s.may_sign, s.signatures.len()), (true, false, 1));
        // Once per member and month.
        expect_error(
            villager.post(&signatures, &json!({"agree": true})).await,
            409,
            "wrong_state",
        )
        .await;
        let todo: Vec<MonthToSign> = json(villager.get("api/me/months-to-sign").await).await;
        assert!(todo.is_empty());

        assert_eq!(
            rev.post(&format!("{month}/publish"), &json!({})).await.status(),
            StatusCode::NO_CONTENT
        );
        // Published: everyone sees who signed, and the month's page says so.
        let s: MonthSignatures = json(app.get(&signatures).await).await;
        assert_eq!(s.signatures[0].name, "张秀英");
        assert!(s.signatures[0].agree);
        let page = app
            .get(&format!("ledger/{VILLAGE}/{MONTH}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("民主理财小组审核") && page.contains("凭证齐全，同意公开。"));
        // A published month takes no more signatures; a member can be dismissed (their
        // signature stays with the month).
        expect_error(
            villager
                .post(&signatures, &json!({"agree": false, "opinion": "迟到的异议"}))
                .await,
            409,
            "wrong_state",
        )
        .await;
        let g: FinanceGroup = json(cadre.delete(&format!("{group}/{}", g.members[0].user)).await).await;
        assert!(g.members.is_empty());
        assert_eq!(
            cadre
                .delete(&format!("{group}/{}", uuid::Uuid::new_v4()))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
);

db_test!(a_village_without_a_group_publishes_as_before, |app| {
    app.demo().await;
    app.set_today("2024-04-20");
    let rev = app.signed_in("13800000004").await;
    submitted_month(&app).await;
    let month = format!("api/regions/{VILLAGE}/ledger/{MONTH}");
    let s: MonthSignatures = json(rev.get(&format!("{month}/signatures")).await).await;
    assert!(!s.required && s.signatures.is_empty() && !s.may_sign);
    assert_eq!(
        rev.post(&format!("{month}/publish"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
});
