//! Staff accounts created by admins, listed with masked numbers.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::{
    Page, Role,
    dto::{Account, Me},
};
use sunlight_server::demo::DEMO_PASSWORD;

use super::*;

db_test!(admin_creates_staff_in_their_subtree, |app| {
    app.demo().await;
    app.sign_in("13800000009", DEMO_PASSWORD).await;
    let town = "359902101000";
    let new = json!({"name": "何审核", "mobile": "13300000001", "role": "reviewer", "password": "reviewer-pass"});
    let res = app.post(&format!("api/regions/{town}/accounts"), &new).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Account = json(res).await;
    assert_eq!(a.mobile, "133****0001");
    assert_eq!(a.roles, vec![Role::Reviewer]);
    // The new person signs in and holds the role where it was given.
    let them = TestApp {
        client: client(),
        base: app.base.clone(),
        db: app.db.clone(),
        backend: app.backend,
        db_url: app.db_url.clone(),
        dir: tempfile::tempdir().unwrap(),
        log_key: app.log_key,
    };
    them.sign_in("13300000001", "reviewer-pass").await;
    let me: Me = json(them.get("api/me").await).await;
    assert_eq!(me.grants[0].region.as_str(), town);
    // A reviewer belongs at a township, not a village; villagers join by invite code.
    let at_village =
        json!({"name": "何审核", "mobile": "13300000002", "role": "reviewer", "password": "reviewer-pass"});
    let body = expect_error(
        app.post("api/regions/359902101201/accounts", &at_village).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(body.field.as_deref(), Some("role"));
    let villager = json!({"name": "何", "mobile": "13300000002", "role": "villager", "password": "reviewer-pass"});
    expect_error(
        app.post("api/regions/359902101201/accounts", &villager).await,
        422,
        "invalid",
    )
    .await;
    // The same number again adds a role to the same person.
    let again = json!({"name": "何审核", "mobile": "13300000001", "role": "inspector", "password": "ignored-pass"});
    let a2: Account = json(app.post(&format!("api/regions/{town}/accounts"), &again).await).await;
    assert_eq!(a2.id, a.id);
    them.sign_in("13300000001", "reviewer-pass").await;
    let list: Page<Account> = json(app.get(&format!("api/regions/{town}/accounts")).await).await;
    let listed = list.items.iter().find(|x| x.id == a.id).unwrap();
    assert_eq!(listed.roles, vec![Role::Inspector, Role::Reviewer]);
    assert!(list.items.iter().all(|x| x.mobile.contains("****")));
});

db_test!(a_township_admin_cannot_reach_beyond_the_township, |app| {
    app.demo().await;
    app.account("13300000009", Role::Admin, "359901101000", None).await;
    app.sign_in("13300000009", PASSWORD).await;
    let new = json!({"name": "某人", "mobile": "13300000003", "role": "inspector", "password": "inspector-pass"});
    expect_error(
        app.post("api/regions/359901000000/accounts", &new).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post("api/regions/359901102000/accounts", &new).await,
        404,
        "not_found",
    )
    .await;
    let ok = app.post("api/regions/359901101000/accounts", &new).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
});
