//! Signing in and out, rate limits, registration with invite codes, password resets.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::{
    Role,
    dto::{IssuedCode, Me, SessionState},
};
use sunlight_server::{demo::DEMO_PASSWORD, on_pool};

use super::*;

const VILLAGE: &str = "359901101201";
const TOWNSHIP: &str = "359901101000";

db_test!(sign_in_me_and_sign_out, |app| {
    app.demo().await;
    let res = app
        .post(
            "api/session",
            &json!({"mobile": "138 0000 0001", "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let me: Me = json(res).await;
    assert_eq!(me.name, "张秀英");
    assert_eq!(me.village().unwrap().region.as_str(), VILLAGE);
    let me2: Me = json(app.get("api/me").await).await;
    assert_eq!(me2, me);
    let state: SessionState = json(app.get("api/session").await).await;
    assert_eq!(state.me, Some(me));
    assert_eq!(app.delete("api/session").await.status(), StatusCode::NO_CONTENT);
    expect_error(app.get("api/me").await, 401, "not_signed_in").await;
    // Asking who is signed in is not refused: nobody is an answer.
    let res = app.get("api/session").await;
    assert_eq!(res.status(), StatusCode::OK);
    let state: SessionState = json(res).await;
    assert_eq!(state.me, None);
});

db_test!(logout_kills_the_session_on_the_server, |app| {
    app.demo().await;
    let res = app
        .post(
            "api/session",
            &json!({"mobile": "13800000001", "password": DEMO_PASSWORD}),
        )
        .await;
    let cookie = session_cookie(&res);
    let other = reqwest::Client::new();
    let me = other
        .get(app.url("api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    app.delete("api/session").await;
    // The old cookie, replayed from elsewhere, no longer opens anything.
    let me = other
        .get(app.url("api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    expect_error(me, 401, "not_signed_in").await;
});

db_test!(unknown_number_and_wrong_password_answer_alike, |app| {
    app.demo().await;
    let wrong = expect_error(
        app.post(
            "api/session",
            &json!({"mobile": "13800000001", "password": "wrong-password"}),
        )
        .await,
        401,
        "bad_credentials",
    )
    .await;
    let unknown = expect_error(
        app.post(
            "api/session",
            &json!({"mobile": "13999999999", "password": "wrong-password"}),
        )
        .await,
        401,
        "bad_credentials",
    )
    .await;
    let malformed = expect_error(
        app.post("api/session", &json!({"mobile": "12", "password": "wrong-password"}))
            .await,
        401,
        "bad_credentials",
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
});

db_test!(sign_in_is_rate_limited_per_account, |app| {
    app.demo().await;
    for _ in 0..5 {
        expect_error(
            app.post(
                "api/session",
                &json!({"mobile": "13800000001", "password": "wrong-password"}),
            )
            .await,
            401,
            "bad_credentials",
        )
        .await;
    }
    // Even the right password is refused now, and the client is told how long to wait.
    let res = app
        .post(
            "api/session",
            &json!({"mobile": "13800000001", "password": DEMO_PASSWORD}),
        )
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let body = expect_error(res, 429, "rate_limited").await;
    assert!(body.retry_after.unwrap() > 0);
    // Another account is unaffected.
    app.sign_in("13800000002", DEMO_PASSWORD).await;
});

fn behind_proxy() -> Options {
    Options {
        trusted_proxy: Some([127, 0, 0, 1].into()),
        ..Default::default()
    }
}

/// One sign-in attempt from `ip` (as the trusted proxy forwards it) with its own client,
/// or with `client` when given (a phone that keeps its cookies).
async fn attempt_from(
    app: &TestApp,
    client: Option<&reqwest::Client>,
    ip: &str,
    mobile: &str,
    password: &str,
) -> StatusCode {
    let fresh = sunlight_tests::client();
    client
        .unwrap_or(&fresh)
        .post(app.url("api/session"))
        .header("x-forwarded-for", format!("10.9.9.9, {ip}"))
        .json(&json!({"mobile": mobile, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

db_test!(failures_are_limited_per_forwarded_address, behind_proxy(), |app| {
    for n in 0..100 {
        let mobile = format!("139{n:08}");
        assert_eq!(
            attempt_from(&app, None, "203.0.113.7", &mobile, "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt_from(&app, None, "203.0.113.7", "13900000999", "wrong-password").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The proxy's own address is not what is limited: another client behind it goes on.
    assert_eq!(
        attempt_from(&app, None, "203.0.113.8", "13900000999", "wrong-password").await,
        StatusCode::UNAUTHORIZED
    );
});

db_test!(a_village_behind_one_address_signs_in_together, behind_proxy(), |app| {
    app.demo().await;
    // One villager forgets their password and tries five times...
    for _ in 0..5 {
        assert_eq!(
            attempt_from(&app, None, "198.51.100.1", "13800000001", "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // ...while sixty others behind the same mobile-network address sign in, some twice.
    for n in 0..60 {
        let mobile = format!("137{n:08}");
        app.account(&mobile, Role::Villager, VILLAGE, None).await;
        for _ in 0..1 + n % 2 {
            assert_eq!(
                attempt_from(&app, None, "198.51.100.1", &mobile, PASSWORD).await,
                StatusCode::OK,
                "{mobile}"
            );
        }
    }
});

db_test!(
    an_attacker_with_many_addresses_never_locks_the_owners_phone,
    behind_proxy(),
    |app| {
        app.demo().await;
        // The owner's phone signed in before (it keeps the device cookie), then signed out.
        let phone = sunlight_tests::client();
        assert_eq!(
            attempt_from(&app, Some(&phone), "198.51.100.1", "13800000001", DEMO_PASSWORD).await,
            StatusCode::OK
        );
        let res = phone
            .delete(app.url("api/session"))
            .header(sunlight_api::CSRF_HEADER, "1")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        // An attacker guesses from twenty addresses, then is held back wherever he goes.
        for n in 0..20 {
            let ip = format!("203.0.113.{n}");
            assert_eq!(
                attempt_from(&app, None, &ip, "13800000001", &format!("guess-{n}")).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            attempt_from(&app, None, "203.0.113.200", "13800000001", DEMO_PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // The owner's own phone still signs in, from home or anywhere.
        assert_eq!(
            attempt_from(&app, Some(&phone), "198.51.100.1", "13800000001", DEMO_PASSWORD).await,
            StatusCode::OK
        );
        assert_eq!(
            attempt_from(&app, Some(&phone), "192.0.2.50", "13800000001", DEMO_PASSWORD).await,
            StatusCode::OK
        );
        // A family member on the same phone is a stranger to this account until they sign in.
        assert_eq!(
            attempt_from(&app, Some(&phone), "198.51.100.1", "13800000003", DEMO_PASSWORD).await,
            StatusCode::OK
        );
    }
);

db_test!(an_ipv6_network_counts_as_one_address, behind_proxy(), |app| {
    app.demo().await;
    for n in 1..=5 {
        let ip = format!("2001:db8:1:2::{n}");
        assert_eq!(
            attempt_from(&app, None, &ip, "13800000001", "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Another address of the same /64 is the same phone or home.
    assert_eq!(
        attempt_from(&app, None, "2001:db8:1:2:abcd::9", "13800000001", DEMO_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another /64 is someone else: the account itself is not locked.
    assert_eq!(
        attempt_from(&app, None, "2001:db8:1:3::1", "13800000001", DEMO_PASSWORD).await,
        StatusCode::OK
    );
});

/// Issues an invite code for household `number` of the demo village as the demo cadre.
async fn invite(app: &TestApp, number: &str, max_uses: u32) -> IssuedCode {
    let cadre = TestApp {
        client: client(),
        ..clone_app(app)
    };
    cadre.sign_in("13800000003", DEMO_PASSWORD).await;
    let household = app
        .db
        .household_by_number(&code(VILLAGE), number)
        .await
        .unwrap()
        .unwrap();
    let res = cadre
        .post(
            &format!("api/households/{}/invites", household.id),
            &json!({"max_uses": max_uses, "valid_days": 7}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    json(res).await
}

/// A second handle on the same running app with its own cookie jar.
fn clone_app(app: &TestApp) -> TestApp {
    TestApp {
        base: app.base.clone(),
        db: app.db.clone(),
        backend: app.backend,
        db_url: app.db_url.clone(),
        dir: tempfile::tempdir().unwrap(),
        log_key: app.log_key,
        client: client(),
    }
}

fn registration(code: &str, mobile: &str) -> serde_json::Value {
    json!({"invite_code": code, "name": "王小明", "mobile": mobile, "password": "a-good-password"})
}

db_test!(register_with_an_invite_code, |app| {
    app.demo().await;
    let code = invite(&app, "005", 2).await;
    assert_eq!(code.code.len(), 9, "shown as ABCD-EFGH");
    // Lower case and without the hyphen works too.
    let typed = code.code.replace('-', "").to_lowercase();
    let res = app
        .post("api/registrations", &registration(&typed, "13712345678"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let me: Me = json(res).await;
    let village = me.village().unwrap();
    assert_eq!(village.region.as_str(), VILLAGE);
    assert!(village.household.is_some());
    // Signed in straight away.
    assert_eq!(app.get("api/me").await.status(), StatusCode::OK);
    let household = app
        .db
        .household_by_number(&super::code(VILLAGE), "005")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(household.members, 1);
});

db_test!(invite_codes_run_out_and_bad_input_is_named, |app| {
    app.demo().await;
    let code = invite(&app, "006", 1).await;
    let other = clone_app(&app);
    expect_error(
        app.post("api/registrations", &registration("ABCD-EFG", "13712345678"))
            .await,
        422,
        "invalid",
    )
    .await;
    let bad_mobile = expect_error(
        app.post("api/registrations", &registration(&code.code, "1371234"))
            .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(bad_mobile.field.as_deref(), Some("mobile"));
    let mut short = registration(&code.code, "13712345678");
    short["password"] = json!("short");
    let body = expect_error(app.post("api/registrations", &short).await, 422, "invalid").await;
    assert_eq!(body.field.as_deref(), Some("password"));
    // A number that is already registered: refused, and the code is not used up by it.
    expect_error(
        app.post("api/registrations", &registration(&code.code, "13800000002"))
            .await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(
        app.post("api/registrations", &registration(&code.code, "13712345678"))
            .await
            .status(),
        StatusCode::CREATED
    );
    // Used up.
    expect_error(
        other
            .post("api/registrations", &registration(&code.code, "13712345679"))
            .await,
        422,
        "invite_invalid",
    )
    .await;
    expect_error(
        other
            .post("api/registrations", &registration("ABCD-EFGH", "13712345679"))
            .await,
        422,
        "invite_invalid",
    )
    .await;
});

db_test!(revoked_and_expired_invite_codes_are_refused, |app| {
    app.demo().await;
    let revoked = invite(&app, "007", 5).await;
    let cadre = clone_app(&app);
    cadre.sign_in("13800000003", DEMO_PASSWORD).await;
    assert_eq!(
        cadre.delete(&format!("api/invites/{}", revoked.id)).await.status(),
        StatusCode::NO_CONTENT
    );
    expect_error(
        app.post("api/registrations", &registration(&revoked.code, "13712345678"))
            .await,
        422,
        "invite_invalid",
    )
    .await;
    let expired = invite(&app, "008", 5).await;
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    on_pool!(&app.db, p => sqlx::query("UPDATE invite_codes SET expires_at = $1 WHERE id = $2").bind(past).bind(expired.id).execute(p).await.map(|_| ())).unwrap();
    expect_error(
        app.post("api/registrations", &registration(&expired.code, "13712345678"))
            .await,
        422,
        "invite_invalid",
    )
    .await;
});

db_test!(two_people_racing_for_the_last_use_of_a_code, |app| {
    app.demo().await;
    let code = invite(&app, "009", 1).await;
    let (a, b) = (clone_app(&app), clone_app(&app));
    let (body_a, body_b) = (
        registration(&code.code, "13712345601"),
        registration(&code.code, "13712345602"),
    );
    let (ra, rb) = tokio::join!(
        a.post("api/registrations", &body_a),
        b.post("api/registrations", &body_b)
    );
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 422]);
    let household = app
        .db
        .household_by_number(&super::code(VILLAGE), "009")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(household.members, 1);
});

db_test!(password_reset_with_a_code_from_the_cadre, |app| {
    app.demo().await;
    let villager = clone_app(&app);
    villager.sign_in("13800000001", DEMO_PASSWORD).await;
    let me: Me = json(villager.get("api/me").await).await;
    let cadre = clone_app(&app);
    cadre.sign_in("13800000003", DEMO_PASSWORD).await;
    let res = cadre
        .post(&format!("api/users/{}/reset-codes", me.id), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let issued: IssuedCode = json(res).await;
    let reset = json!({"mobile": "13800000001", "code": issued.code, "password": "a-new-password"});
    // A wrong code first.
    let wrong = json!({"mobile": "13800000001", "code": "ABCD-EFGH", "password": "a-new-password"});
    expect_error(app.post("api/password-resets", &wrong).await, 422, "reset_code_invalid").await;
    assert_eq!(
        app.post("api/password-resets", &reset).await.status(),
        StatusCode::NO_CONTENT
    );
    // Used once only; the old password and the old session are gone.
    expect_error(app.post("api/password-resets", &reset).await, 422, "reset_code_invalid").await;
    expect_error(villager.get("api/me").await, 401, "not_signed_in").await;
    expect_error(
        app.post(
            "api/session",
            &json!({"mobile": "13800000001", "password": DEMO_PASSWORD}),
        )
        .await,
        401,
        "bad_credentials",
    )
    .await;
    app.sign_in("13800000001", "a-new-password").await;
    // The person is told, at sign-in and in 我的, until they acknowledge it.
    let me: Me = json(app.get("api/me").await).await;
    assert_eq!(me.password_resets.len(), 1);
    assert_eq!(me.password_resets[0].issued_by, "陈书记");
    assert!(!me.password_resets[0].noticed);
    let res = app.post("api/me/password-resets/noticed", &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me: Me = json(app.get("api/me").await).await;
    assert!(me.password_resets[0].noticed, "acknowledged");
    // The township's inspector and the administrator see the reset on record; the cadre
    // who issued it cannot read the list.
    for mobile in ["13800000006", "13800000009"] {
        let overseer = clone_app(&app);
        overseer.sign_in(mobile, DEMO_PASSWORD).await;
        let list: Vec<sunlight_api::dto::ResetRecord> =
            json(overseer.get(&format!("api/regions/{TOWNSHIP}/password-resets")).await).await;
        let r = list
            .iter()
            .find(|r| r.account_name == "张秀英")
            .expect("the reset is listed");
        assert_eq!(r.issued_by, "陈书记");
        assert!(r.reset_at.is_some() && r.noticed_at.is_some());
        assert_eq!(r.account_mobile, "138****0001");
    }
    expect_error(
        cadre.get(&format!("api/regions/{VILLAGE}/password-resets")).await,
        403,
        "forbidden",
    )
    .await;
    // A cadre may not reset a staff member's password: that is for admins.
    let accountant = app.db.user_id_by_mobile("13800000002").await.unwrap().unwrap();
    expect_error(
        cadre
            .post(&format!("api/users/{accountant}/reset-codes"), &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
});

db_test!(sessions_of_an_account_with_many_roles, |app| {
    app.demo().await;
    let id = app.account("13600000000", Role::Inspector, "359902000000", None).await;
    app.account("13600000000", Role::Villager, VILLAGE, None).await;
    app.sign_in("13600000000", PASSWORD).await;
    let me: Me = json(app.get("api/me").await).await;
    assert_eq!(me.id, id);
    assert!(me.has_role(Role::Inspector) && me.has_role(Role::Villager));
});
