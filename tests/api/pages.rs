//! Server-rendered village pages: published accounts readable by anyone with the link (a
//! county can keep them to its villagers), names masked as in the app, text escaped,
//! drafts never shown, and the same answers from the API.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sunlight_api::ledger::{LedgerMonth, Line};

use super::*;

const VILLAGE: &str = "359901101201";
const COUNTY: &str = "359901000000";

fn line(date: &str, kind: &str, amount: &str, category: &str, counterparty: &str, person: bool) -> Value {
    json!({"date": date, "kind": kind, "amount": amount, "category": category,
           "counterparty": counterparty, "counterparty_is_person": person, "invoice_no": "", "note": ""})
}

async fn text(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.text().await.unwrap())
}

db_test!(published_accounts_are_a_page_anyone_with_the_link_reads, |app| {
    app.demo().await;
    app.set_today("2025-04-10");
    let acc = app.signed_in("13800000002").await;
    let rev = app.signed_in("13800000004").await;
    let admin = app.signed_in("13800000009").await;
    let villager = app.signed_in("13800000001").await;
    // March: a payment to a private person and a shop whose name tries to be markup.
    let mar = format!("api/regions/{VILLAGE}/ledger/2025-03");
    let mut lines = Vec::new();
    for body in [
        line("2025-03-10", "expense", "300", "补贴发放", "张晓明", true),
        line("2025-03-11", "expense", "20", "办公费", "<b>店</b>", false),
    ] {
        let l: Line = json(acc.post(&format!("{mar}/lines"), &body).await).await;
        lines.push(l.id);
    }
    acc.post(&format!("{mar}/submit"), &json!({})).await;
    for id in lines {
        let res = rev
            .post(
                &format!("api/ledger-lines/{id}/review"),
                &json!({"approve": true, "reason": "小额"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // Submitted, not yet published: nobody outside the staff sees a line of it.
    let anyone = client();
    let (status, _, body) = text(
        anyone
            .get(app.url(&format!("ledger/{VILLAGE}/2025-03")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("这个月的账目还没有公开。"));
    assert!(
        !body.contains("张*明") && !body.contains("店"),
        "no line of a month under review: {body}"
    );
    assert_eq!(
        rev.post(&format!("{mar}/publish"), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );

    // Anyone, with no account, reads the published month as a page.
    let (status, kind, body) = text(
        anyone
            .get(app.url(&format!("ledger/{VILLAGE}/2025-03")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("上坪村 · 2025-03"));
    assert!(
        body.contains("张*明") && !body.contains("张晓明"),
        "a private person's name is masked"
    );
    assert!(
        body.contains("&lt;b&gt;店&lt;/b&gt;") && !body.contains("<b>店</b>"),
        "text is escaped"
    );
    assert!(
        body.contains("桃源镇") && body.contains("已审核"),
        "the township's seal"
    );
    assert!(
        body.contains(&format!("ledger/{VILLAGE}/2025-03?app")),
        "asking a question opens the app"
    );
    assert!(!body.contains("_bg.wasm"), "the page does not load the app");
    // The same from the API, for the app.
    let m: LedgerMonth = json(anyone.get(app.url(&mar)).send().await.unwrap()).await;
    assert_eq!(m.lines.len(), 2);
    assert!(m.lines.iter().any(|l| l.counterparty == "张*明"));
    // The year, with a link to the month.
    let (status, _, body) = text(
        anyone
            .get(app.url(&format!("ledger/{VILLAGE}?year=2025")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!("ledger/{VILLAGE}/2025-03\"")));
    // `?app` is the app's page, not this one.
    let (status, _, body) = text(
        anyone
            .get(app.url(&format!("ledger/{VILLAGE}/2025-03?app")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!body.contains("张*明"));
    // Nonsense addresses are a page that says so.
    for bad in [
        "ledger/12345/2025-03",
        "ledger/359901101299/2025-03",
        "ledger/359901101201/2025-13",
    ] {
        let (status, _, body) = text(anyone.get(app.url(bad)).send().await.unwrap()).await;
        assert_eq!(status, 404, "{bad}");
        assert!(body.contains("没有找到这个页面"), "{bad}");
    }

    // The county keeps its disclosures to villagers: anyone is asked to sign in.
    assert_eq!(
        admin
            .client
            .put(admin.url(&format!("api/regions/{COUNTY}/disclosure-access")))
            .json(&json!({"villagers_only": true}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (status, _, body) = text(
        anyone
            .get(app.url(&format!("ledger/{VILLAGE}/2025-03")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("仅限本村村民") && !body.contains("张*明"));
    expect_error(anyone.get(app.url(&mar)).send().await.unwrap(), 401, "not_signed_in").await;
    // The villager of the village still reads it, page and API alike.
    let (status, _, body) = text(villager.get(&format!("ledger/{VILLAGE}/2025-03")).await).await;
    assert_eq!(status, 200);
    assert!(body.contains("张*明"));
    assert_eq!(villager.get(&mar).await.status(), StatusCode::OK);
    // A villager of another village does not (as before: 404, as if it did not exist).
    let other = app
        .account("13900000123", sunlight_api::Role::Villager, "359901101202", None)
        .await;
    let outsider = app.session_for(other).await;
    assert_eq!(
        outsider.get(app.url(&mar)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Only the county's administrator sets it.
    expect_error(
        villager
            .client
            .put(villager.url(&format!("api/regions/{COUNTY}/disclosure-access")))
            .json(&json!({"villagers_only": false}))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    let access: Value = json(admin.get(&format!("api/regions/{COUNTY}/disclosure-access")).await).await;
    assert_eq!(access, json!({"villagers_only": true}));
});

db_test!(every_village_has_a_poster_with_its_qr_code, |app| {
    app.demo().await;
    let anyone = client();
    let (status, kind, body) = text(anyone.get(app.url(&format!("poster/{VILLAGE}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"));
    assert!(body.contains("上坪村") && body.contains("<svg"));
    // It points at the village's page on the host it was asked from.
    assert!(body.contains(&format!("{}ledger/{VILLAGE}", app.base)), "{body}");
    let res = anyone
        .get(app.url(&format!("poster/{VILLAGE}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    // Only villages have posters.
    for bad in ["poster/359901101000", "poster/359901101299", "poster/x/qr.svg"] {
        assert_eq!(
            anyone.get(app.url(bad)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    // The year page links to it.
    let (_, _, body) = text(anyone.get(app.url(&format!("ledger/{VILLAGE}"))).send().await.unwrap()).await;
    assert!(body.contains(&format!("poster/{VILLAGE}\"")));
});

db_test!(a_stale_session_reads_public_pages_as_anyone_and_nothing_more, |app| {
    app.demo().await;
    // A phone keeps the cookie of a session the server has since deleted (signed out on
    // another tab, or reset): it reads what anyone reads, and is no one in particular.
    let res = app
        .post(
            "api/session",
            &json!({"mobile": "13800000001", "password": sunlight_server::demo::DEMO_PASSWORD}),
        )
        .await;
    let cookie = session_cookie(&res);
    assert_eq!(app.delete("api/session").await.status(), StatusCode::NO_CONTENT);
    let stale = reqwest::Client::new();
    let get = |path: String| stale.get(app.url(&path)).header("cookie", &cookie).send();
    for path in [
        format!("ledger/{VILLAGE}"),
        format!("api/regions/{VILLAGE}/ledger?year=2026"),
    ] {
        assert_eq!(get(path.clone()).await.unwrap().status(), StatusCode::OK, "{path}");
    }
    let state: sunlight_api::dto::SessionState = json(get("api/session".into()).await.unwrap()).await;
    assert_eq!(state.me, None);
    expect_error(get("api/me".into()).await.unwrap(), 401, "not_signed_in").await;
    // Where the county keeps its pages to its villagers, the same cookie is asked to sign in.
    app.db
        .set_villagers_only(&sunlight_api::RegionCode::parse(COUNTY).unwrap(), true)
        .await
        .unwrap();
    let (status, _, body) = text(get(format!("ledger/{VILLAGE}")).await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(body.contains("请先登录"), "{body}");
    expect_error(
        get(format!("api/regions/{VILLAGE}/ledger?year=2026")).await.unwrap(),
        401,
        "not_signed_in",
    )
    .await;
});

db_test!(a_demand_s_status_is_a_page_for_those_who_may_read_it, |app| {
    app.demo().await;
    let filer = app.signed_in("13800000001").await;
    let cadre = app.signed_in("13800000003").await;
    let body = json!({"text": "村口的路灯坏了<script>alert(1)</script>", "class": "service", "subcategory": "道路交通",
        "public": false, "idempotency_key": uuid::Uuid::new_v4()});
    let d: sunlight_api::demand::Demand =
        json(filer.post(&format!("api/regions/{VILLAGE}/demands"), &body).await).await;
    let id = d.summary.id;
    let path = format!("demands/{id}");

    // The filer reads it as a page: the state, the holder, the history; nothing to run.
    let (status, kind, html) = text(filer.get(&path).await).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"));
    assert!(html.contains("待受理") && html.contains("办理记录") && html.contains("提出诉求"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the text is escaped"
    );
    assert!(
        !html.contains(".wasm") && !html.contains("<script>alert"),
        "no app, no injected script"
    );
    assert!(
        html.contains(&format!("demands/{id}?app")),
        "steps are taken in the app"
    );
    // The cadre's page names the steps' way in too; the filer's name shows to him only.
    let (_, _, staff) = text(cadre.get(&path).await).await;
    assert!(staff.contains("待受理"));

    // Nobody signed in is asked to sign in; a villager it is private from learns nothing.
    let (status, _, html) = text(client().get(app.url(&path)).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(html.contains("请先登录") && !html.contains("路灯"));
    let neighbour = app
        .account("13900000071", sunlight_api::Role::Villager, VILLAGE, None)
        .await;
    let res = app
        .session_for(neighbour)
        .await
        .get(app.url(&path))
        .send()
        .await
        .unwrap();
    let (status, _, html) = text(res).await;
    assert_eq!(status, 404);
    assert!(!html.contains("路灯"));
    // `/demands/new` and `?app` are the app's page, not a demand.
    let (status, _, html) = text(filer.get("demands/new").await).await;
    assert_eq!(status, 200);
    assert!(!html.contains("办理记录"));
    let (_, _, html) = text(filer.get(&format!("{path}?app")).await).await;
    assert!(!html.contains("办理记录"));
});
