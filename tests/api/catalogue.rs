//! The disclosure catalogue: a county's items and their versions, the entries villages
//! write, the township's review, who sees what, and completeness (红黄绿) with the to-do
//! list's counts. The tests run in 2024, a year the demo's accounts never reach, so that
//! what is due is only what they write.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::{
    catalogue::{Catalogue, Completeness, Entry, EntryStatus, Light, Standing, VillageDisclosures},
    demand::{TodoItem, TodoKind},
};

use super::*;

const VILLAGE: &str = "359901101201";
const TOWNSHIP: &str = "359901101000";
const COUNTY: &str = "359901000000";

async fn put_json(app: &TestApp, path: &str, body: &serde_json::Value) -> reqwest::Response {
    app.client.put(app.url(path)).json(body).send().await.unwrap()
}

async fn upload(app: &TestApp, path: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

db_test!(an_entry_is_written_returned_and_published_and_only_then_public, |app| {
    app.demo().await;
    app.set_today("2024-04-20");
    let (acc, rev, villager) = (
        app.signed_in("13800000002").await,
        app.signed_in("13800000004").await,
        app.signed_in("13800000001").await,
    );
    let new = json!({"item": "party-dues", "period": "2024-Q1", "title": "2024年第一季度党费收缴和使用",
                     "body": "应缴 1,860.00 元，实缴 1,860.00 元。"});
    let res = acc.post(&format!("api/regions/{VILLAGE}/disclosures"), &new).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let entry: Entry = json(res).await;
    assert_eq!(
        (entry.status, entry.period_label.as_str()),
        (EntryStatus::Draft, "2024年第一季度")
    );
    // One entry per item and period.
    expect_error(
        acc.post(&format!("api/regions/{VILLAGE}/disclosures"), &new).await,
        409,
        "conflict",
    )
    .await;

    // A draft is the village's: a villager and anyone signed out see nothing of it.
    let one = format!("api/disclosures/{}", entry.id);
    assert_eq!(villager.get(&one).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&one).await.status(), StatusCode::NOT_FOUND);
    let list: VillageDisclosures = json(app.get(&format!("api/regions/{VILLAGE}/disclosures?year=2024")).await).await;
    assert!(list.entries.is_empty());

    let res = upload(&acc, &format!("{one}/files"), png()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let photo: sunlight_api::ledger::Attachment = json(res).await;
    // Not a picture or PDF: refused by the one upload pipeline.
    let res = upload(&acc, &format!("{one}/files"), b"plain text, not a picture".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert_eq!(
        acc.post(&format!("{one}/submit"), &json!({})).await.status(),
        StatusCode::OK
    );
    // Submitted: the village can no longer change it or its files.
    expect_error(
        put_json(&acc, &one, &json!({"title": "改", "body": ""})).await,
        409,
        "wrong_state",
    )
    .await;
    expect_error(upload(&acc, &format!("{one}/files"), png()).await, 409, "wrong_state").await;
    // The accountant cannot publish it; a return needs its reason.
    assert_eq!(
        acc.post(&format!("{one}/review"), &json!({"approve": true}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let err = expect_error(
        rev.post(&format!("{one}/review"), &json!({"approve": false, "note": "  "}))
            .await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(err.field.as_deref(), Some("note"));
    let returned: Entry = json(
        rev.post(
            &format!("{one}/review"),
            &json!({"approve": false, "note": "请附上党费收据照片"}),
        )
        .await,
    )
    .await;
    assert_eq!(returned.status, EntryStatus::Draft);
    assert_eq!(returned.review_note.as_deref(), Some("请附上党费收据照片"));

    let fixed: Entry = json(
        put_json(
            &acc,
            &one,
            &json!({"title": "2024年第一季度党费收缴和使用情况", "body": "见附件。"}),
        )
        .await,
    )
    .await;
    assert_eq!(fixed.title, "2024年第一季度党费收缴和使用情况");
    assert_eq!(
        acc.post(&format!("{one}/submit"), &json!({})).await.status(),
        StatusCode::OK
    );
    let published: Entry = json(rev.post(&format!("{one}/review"), &json!({"approve": true})).await).await;
    assert_eq!(published.status, EntryStatus::Published);
    assert_eq!(published.published_by.as_deref(), Some("黄审核"));
    assert_eq!(published.files.len(), 1);
    // A second decision finds nothing to decide; what is published cannot be deleted.
    expect_error(
        rev.post(&format!("{one}/review"), &json!({"approve": true})).await,
        409,
        "wrong_state",
    )
    .await;
    expect_error(acc.delete(&one).await, 409, "wrong_state").await;
    expect_error(
        acc.delete(&format!("api/disclosure-files/{}", photo.id)).await,
        409,
        "wrong_state",
    )
    .await;

    // Published: anyone reads it (the demo county is public), without the review notes.
    let seen: Entry = json(app.get(&one).await).await;
    assert_eq!(seen.review_note, None);
    assert_eq!(seen.body, "见附件。");
    let res = app.get(&format!("api/disclosure-files/{}/thumb", photo.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        villager
            .get(&format!("api/disclosure-files/{}/original", photo.id))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let list: VillageDisclosures = json(app.get(&format!("api/regions/{VILLAGE}/disclosures?year=2024")).await).await;
    assert_eq!(list.entries.len(), 1);
    let dues = list
        .obligations
        .iter()
        .find(|o| o.item == "party-dues" && o.period == "2024-Q1")
        .expect("the quarter is due");
    // Due on April 15th, published on the 20th.
    assert_eq!((dues.standing, dues.entry), (Standing::Late, Some(entry.id)));

    // The server's page shows it to anyone, with the sealing reviewer's name.
    let page = app.get(&format!("disclosures/{VILLAGE}?year=2024")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("2024年第一季度党费收缴和使用情况") && html.contains("黄审核"),
        "{html}"
    );
    assert!(html.contains("逾期公开"));
});

db_test!(a_bad_entry_is_refused_with_the_field_named, |app| {
    app.demo().await;
    app.set_today("2024-04-20");
    let acc = app.signed_in("13800000002").await;
    let url = format!("api/regions/{VILLAGE}/disclosures");
    for (body, field, reason) in [
        (
            json!({"item": "no-such-item", "period": "2024-Q1", "title": "t", "body": ""}),
            "item",
            "not_listed",
        ),
        // The monthly accounts are the ledger's, entered there.
        (
            json!({"item": "finance-monthly", "period": "2024-03", "title": "t", "body": ""}),
            "item",
            "not_listed",
        ),
        (
            json!({"item": "party-dues", "period": "2024-03", "title": "t", "body": ""}),
            "period",
            "bad_format",
        ),
        (
            json!({"item": "party-dues", "period": "2024-Q3", "title": "t", "body": ""}),
            "period",
            "in_future",
        ),
        (
            json!({"item": "party-decisions", "period": "2024-04-21", "title": "t", "body": ""}),
            "period",
            "in_future",
        ),
        (
            json!({"item": "party-organisation", "period": "2024", "title": "  ", "body": ""}),
            "title",
            "required",
        ),
        (
            json!({"item": "party-organisation", "period": "2024", "title": "t".repeat(61), "body": ""}),
            "title",
            "too_long",
        ),
        (
            json!({"item": "party-organisation", "period": "2024", "title": "t", "body": "长".repeat(2001)}),
            "body",
            "too_long",
        ),
    ] {
        let err = expect_error(acc.post(&url, &body).await, 422, "invalid").await;
        assert_eq!(err.field.as_deref(), Some(field), "{body}");
        assert_eq!(serde_json::to_value(err.reason).unwrap(), json!(reason), "{body}");
    }
    // A villager writes nothing; another village's accountant does not see this one.
    let villager = app.signed_in("13800000001").await;
    let ok = json!({"item": "party-organisation", "period": "2024", "title": "t", "body": ""});
    assert_eq!(villager.post(&url, &ok).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        acc.post("api/regions/359901101202/disclosures", &ok).await.status(),
        StatusCode::NOT_FOUND
    );
});

db_test!(completeness_counts_what_is_due_late_and_missing_red_first, |app| {
    app.demo().await;
    app.set_today("2024-04-20");
    let (acc, rev, inspector, cadre) = (
        app.signed_in("13800000002").await,
        app.signed_in("13800000004").await,
        app.signed_in("13800000006").await,
        app.signed_in("13800000003").await,
    );
    // By April 20th 2024: three months of accounts (due the 10th of the next month) and
    // the ten quarterly items' first quarter (due April 15th) are missing everywhere.
    let c: Completeness = json(
        inspector
            .get(&format!("api/regions/{TOWNSHIP}/completeness?year=2024"))
            .await,
    )
    .await;
    assert_eq!(c.villages.len(), 4);
    assert!(
        c.villages
            .iter()
            .all(|v| v.counts.missing == 13 && v.light == Light::Red)
    );
    assert_eq!((c.red, c.yellow, c.green), (4, 0, 0));
    assert_eq!(c.counts.missing, 52);

    // 上坪村 publishes one quarter's item, late.
    let e: Entry = json(
        acc.post(
            &format!("api/regions/{VILLAGE}/disclosures"),
            &json!({"item": "party-meetings", "period": "2024-Q1", "title": "三会一课", "body": ""}),
        )
        .await,
    )
    .await;
    // Waiting for review: in the reviewer's to-do list.
    acc.post(&format!("api/disclosures/{}/submit", e.id), &json!({})).await;
    let todo: Vec<TodoItem> = json(rev.get("api/me/todo").await).await;
    let waiting = todo
        .iter()
        .find(|i| i.kind == TodoKind::DisclosuresToReview)
        .expect("in the to-do list");
    assert_eq!((waiting.count, waiting.region.as_str()), (1, TOWNSHIP));
    let queue: Vec<Entry> = json(rev.get(&format!("api/regions/{TOWNSHIP}/disclosure-queue")).await).await;
    assert_eq!(queue.iter().map(|q| q.id).collect::<Vec<_>>(), vec![e.id]);
    rev.post(&format!("api/disclosures/{}/review", e.id), &json!({"approve": true}))
        .await;

    let c: Completeness = json(
        inspector
            .get(&format!("api/regions/{TOWNSHIP}/completeness?year=2024"))
            .await,
    )
    .await;
    let ours = c.villages.iter().find(|v| v.village.as_str() == VILLAGE).unwrap();
    assert_eq!((ours.counts.missing, ours.counts.late), (12, 1));
    // More missing first: 上坪村, with one fewer, comes last.
    assert_eq!(c.villages.last().unwrap().village.as_str(), VILLAGE);
    assert!(ours.missing.iter().all(|o| o.standing == Standing::Missing));
    assert!(ours.missing.windows(2).all(|w| w[0].due <= w[1].due), "oldest first");

    // The counts are in the to-do lists: villages in red for the inspector, missing items
    // for the village's cadre.
    let todo: Vec<TodoItem> = json(inspector.get("api/me/todo").await).await;
    let red = todo
        .iter()
        .find(|i| i.kind == TodoKind::VillagesInRed)
        .expect("red villages listed");
    assert_eq!(red.count, 4);
    // The list counts last year too (what fell due in January stays on it): nothing of
    // 2023 was published, 12 months, 40 quarters and 8 years of items.
    let todo: Vec<TodoItem> = json(cadre.get("api/me/todo").await).await;
    let missing = todo
        .iter()
        .find(|i| i.kind == TodoKind::DisclosuresMissing)
        .expect("missing items listed");
    assert_eq!(missing.count, 12 + 60);

    // Before any deadline has passed, a village is green; three days before one, yellow.
    app.set_today("2024-02-01");
    let c: Completeness = json(
        inspector
            .get(&format!("api/regions/{VILLAGE}/completeness?year=2024"))
            .await,
    )
    .await;
    assert_eq!((c.villages[0].light, c.villages[0].counts.due), (Light::Green, 1));
    app.set_today("2024-02-08");
    let c: Completeness = json(
        inspector
            .get(&format!("api/regions/{VILLAGE}/completeness?year=2024"))
            .await,
    )
    .await;
    assert_eq!((c.villages[0].light, c.villages[0].counts.due_soon), (Light::Yellow, 1));
    // Completeness is staff's: a villager gets 403, a year not yet begun 422.
    let villager = app.signed_in("13800000001").await;
    assert_eq!(
        villager
            .get(&format!("api/regions/{VILLAGE}/completeness"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    expect_error(
        inspector
            .get(&format!("api/regions/{TOWNSHIP}/completeness?year=2030"))
            .await,
        422,
        "invalid",
    )
    .await;
});

db_test!(
    catalogue_changes_apply_from_next_month_and_old_periods_keep_their_rules,
    |app| {
        app.demo().await;
        app.set_today("2024-02-10");
        let admin = app.signed_in("13800000009").await;
        let url = format!("api/regions/{COUNTY}/catalogue");
        let before: Catalogue = json(app.get(&format!("{url}?month=2024-02")).await).await;
        assert!(before.default);
        assert_eq!(before.items.len(), 27);
        // Drop party dues, make the meetings monthly, add an item of the county's own.
        let mut items: Vec<serde_json::Value> = before
            .items
            .iter()
            .filter(|i| i.key != "party-dues")
            .map(|i| serde_json::to_value(i).unwrap())
            .collect();
        for i in &mut items {
            if i["key"] == "party-meetings" {
                i["frequency"] = json!("monthly");
                i["deadline"] = json!(5);
            }
        }
        items.push(json!({"key": "", "section": "village", "title": "村集体经济合作社分红", "frequency": "yearly", "deadline": 31}));
        let saved: Catalogue = json(put_json(&admin, &url, &json!({ "items": items })).await).await;
        assert_eq!((saved.month.to_string().as_str(), saved.items.len()), ("2024-03", 27));
        let added = saved.items.iter().find(|i| i.title == "村集体经济合作社分红").unwrap();
        assert!(added.key.starts_with("c-"));

        // February still runs on the old catalogue; March on the new one.
        let feb: Catalogue = json(app.get(&format!("{url}?month=2024-02")).await).await;
        assert!(!feb.default);
        assert!(feb.items.iter().any(|i| i.key == "party-dues"));
        let mar: Catalogue = json(app.get(&format!("api/regions/{VILLAGE}/catalogue?month=2024-03")).await).await;
        assert!(!mar.items.iter().any(|i| i.key == "party-dues"));
        assert_eq!(
            serde_json::to_value(mar.items.iter().find(|i| i.key == "party-meetings").unwrap().frequency).unwrap(),
            json!("monthly")
        );

        // In April, the first quarter (begun under the old rules) still owes party dues and a
        // quarterly meetings entry; March owes a monthly one.
        app.set_today("2024-04-20");
        let cadre = app.signed_in("13800000003").await;
        let d: VillageDisclosures =
            json(cadre.get(&format!("api/regions/{VILLAGE}/disclosures?year=2024")).await).await;
        let owed: Vec<(&str, &str)> = d
            .obligations
            .iter()
            .filter(|o| o.item.starts_with("party-"))
            .map(|o| (o.item.as_str(), o.period.as_str()))
            .collect();
        assert!(owed.contains(&("party-dues", "2024-Q1")), "{owed:?}");
        assert!(owed.contains(&("party-meetings", "2024-Q1")), "{owed:?}");
        assert!(owed.contains(&("party-meetings", "2024-03")), "{owed:?}");
        assert!(!owed.contains(&("party-meetings", "2024-02")), "{owed:?}");

        // Bad catalogues are refused with the field named; nobody but an administrator edits.
        let one = |v: serde_json::Value| json!({ "items": [v] });
        for (body, field) in [
            (json!({"items": []}), "items"),
            (
                one(json!({"key": "", "section": "party", "title": " ", "frequency": "yearly", "deadline": 31})),
                "title",
            ),
            (
                one(json!({"key": "", "section": "party", "title": "t", "frequency": "yearly", "deadline": 0})),
                "deadline",
            ),
            (
                one(json!({"key": "", "section": "party", "title": "t", "frequency": "event", "deadline": 61})),
                "deadline",
            ),
            (
                one(json!({"key": "made-up", "section": "party", "title": "t", "frequency": "yearly", "deadline": 31})),
                "key",
            ),
            (
                one(
                    json!({"key": "finance-monthly", "section": "finance", "title": "t", "frequency": "yearly", "deadline": 31}),
                ),
                "frequency",
            ),
        ] {
            let err = expect_error(put_json(&admin, &url, &body).await, 422, "invalid").await;
            assert_eq!(err.field.as_deref(), Some(field), "{body}");
        }
        assert_eq!(
            put_json(&cadre, &url, &json!({ "items": items })).await.status(),
            StatusCode::NOT_FOUND
        );
        let reviewer = app.signed_in("13800000004").await;
        assert_eq!(
            put_json(
                &reviewer,
                &format!("api/regions/{TOWNSHIP}/catalogue"),
                &json!({ "items": items })
            )
            .await
            .status(),
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(a_villagers_only_county_keeps_its_entries_from_strangers, |app| {
    app.demo().await;
    app.set_today("2024-04-20");
    let admin = app.signed_in("13800000009").await;
    put_json(
        &admin,
        &format!("api/regions/{COUNTY}/disclosure-access"),
        &json!({"villagers_only": true}),
    )
    .await;
    expect_error(
        app.get(&format!("api/regions/{VILLAGE}/disclosures")).await,
        401,
        "not_signed_in",
    )
    .await;
    let page = app.get(&format!("disclosures/{VILLAGE}")).await;
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let villager = app.signed_in("13800000001").await;
    assert_eq!(
        villager
            .get(&format!("api/regions/{VILLAGE}/disclosures"))
            .await
            .status(),
        StatusCode::OK
    );
    // A villager of another village of the county is a stranger here.
    assert_eq!(
        villager.get("api/regions/359901101202/disclosures").await.status(),
        StatusCode::NOT_FOUND
    );
});

db_test!(
    a_published_entry_is_logged_and_an_edit_of_its_row_fails_the_check,
    |app| {
        app.demo().await;
        app.set_today("2024-04-20");
        let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
        let e: Entry = json(
        acc.post(
            &format!("api/regions/{VILLAGE}/disclosures"),
            &json!({"item": "village-assistance", "period": "2024-Q1", "title": "一季度低保", "body": "12 户 19 人"}),
        )
        .await,
    )
    .await;
        let one = format!("api/disclosures/{}", e.id);
        // Not published: no proof to give.
        assert_eq!(app.get(&format!("{one}/proof")).await.status(), StatusCode::NOT_FOUND);
        acc.post(&format!("{one}/submit"), &json!({})).await;
        rev.post(&format!("{one}/review"), &json!({"approve": true})).await;

        let shown: Entry = json(app.get(&one).await).await;
        let proof: sunlight_api::published::EntryProof = json(app.get(&format!("{one}/proof")).await).await;
        sunlight_api::published::check_entry(&shown, &proof, &app.log_key)
            .expect("the entry as shown is the one logged");
        // Someone with the database changes what was published: the check fails.
        sunlight_server::on_pool!(&app.db, p => sqlx::query("UPDATE disclosures SET body = $1 WHERE id = $2")
        .bind("12 户 9 人")
        .bind(e.id)
        .execute(p)
        .await
        .map(|_| ()))
        .unwrap();
        let edited: Entry = json(app.get(&one).await).await;
        assert_eq!(edited.body, "12 户 9 人");
        let proof: sunlight_api::published::EntryProof = json(app.get(&format!("{one}/proof")).await).await;
        assert_eq!(
            sunlight_api::published::check_entry(&edited, &proof, &app.log_key),
            Err(sunlight_api::published::Problem::Altered)
        );
        // Another county's log, or a key that is not the server's, is refused too.
        assert_eq!(
            sunlight_api::published::check_entry(&shown, &proof, &[9; 32]),
            Err(sunlight_api::published::Problem::BadSignature)
        );
    }
);

db_test!(
    a_correction_is_a_new_version_and_a_withdrawal_leaves_a_signed_tombstone,
    |app| {
        app.demo().await;
        app.set_today("2024-04-12");
        let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
        let publish = |id: uuid::Uuid| {
            let (acc, rev) = (&acc, &rev);
            async move {
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
        };
        let first: Entry = json(
            acc.post(
                &format!("api/regions/{VILLAGE}/disclosures"),
                &json!({"item": "village-assistance", "period": "2024-Q1", "title": "一季度低保名单",
                    "body": "刘明辉 身份证 350102199001011234，每月 600 元"}),
            )
            .await,
        )
        .await;
        let first = publish(first.id).await;

        // A correction is a draft of its own, naming what it corrects and why.
        let url = format!("api/disclosures/{}/corrections", first.id);
        let err = expect_error(
            acc.post(&url, &json!({"title": "t", "body": "", "reason": " "})).await,
            422,
            "invalid",
        )
        .await;
        assert_eq!(err.field.as_deref(), Some("reason"));
        let fix = json!({"title": "一季度低保名单（更正）", "body": "刘明辉，每月 650 元", "reason": "金额录错：应为 650 元"});
        let res = acc.post(&url, &fix).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let draft: Entry = json(res).await;
        assert_eq!((draft.status, draft.corrects), (EntryStatus::Draft, Some(first.id)));
        expect_error(acc.post(&url, &fix).await, 409, "wrong_state").await;
        let second = publish(draft.id).await;
        assert_eq!(second.correction_reason.as_deref(), Some("金额录错：应为 650 元"));
        // The first stays as published, and says it was corrected; only the latest is corrected.
        let again: Entry = json(app.get(&format!("api/disclosures/{}", first.id)).await).await;
        assert_eq!(
            (again.body.as_str(), again.corrected_by),
            (first.body.as_str(), Some(second.id))
        );
        expect_error(acc.post(&url, &fix).await, 409, "wrong_state").await;
        // The period was published on time by the first version (due April 15th).
        let d: VillageDisclosures = json(app.get(&format!("api/regions/{VILLAGE}/disclosures?year=2024")).await).await;
        let o = d.obligations.iter().find(|o| o.item == "village-assistance").unwrap();
        assert_eq!((o.standing, o.entry), (Standing::OnTime, Some(first.id)));

        // The first version published an ID number: it is withdrawn by law.
        let withdraw = format!("api/disclosures/{}/withdraw", first.id);
        assert_eq!(
            acc.post(&withdraw, &json!({"reason": "x"})).await.status(),
            StatusCode::FORBIDDEN
        );
        expect_error(rev.post(&withdraw, &json!({"reason": ""})).await, 422, "invalid").await;
        let gone: Entry = json(
            rev.post(&withdraw, &json!({"reason": "误公开了身份证号码，依法撤下"}))
                .await,
        )
        .await;
        assert!(gone.title.is_empty() && gone.body.is_empty() && gone.files.is_empty());
        let t = gone.withdrawn.clone().expect("a tombstone");
        assert_eq!(
            (t.reason.as_str(), t.by.as_str()),
            ("误公开了身份证号码，依法撤下", "黄审核")
        );
        expect_error(
            rev.post(&withdraw, &json!({"reason": "again"})).await,
            409,
            "wrong_state",
        )
        .await;
        // Nobody reads the number again, through the API or the page; the tombstone is checked
        // against the log, where the entry's own record stays.
        let shown: Entry = json(app.get(&format!("api/disclosures/{}", first.id)).await).await;
        assert!(!serde_json::to_string(&shown).unwrap().contains("350102199001011234"));
        let page = app
            .get(&format!("disclosures/{VILLAGE}?year=2024"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("350102199001011234"));
        assert!(page.contains("已依法撤下") && page.contains("误公开了身份证号码") && page.contains("金额录错"));
        let proof: sunlight_api::published::EntryProof =
            json(app.get(&format!("api/disclosures/{}/proof", first.id)).await).await;
        assert!(proof.entry.is_some() && proof.tombstone.is_some());
        sunlight_api::published::check_entry(&shown, &proof, &app.log_key).expect("the tombstone is the one logged");
        // A tombstone edited in the database fails its check.
        sunlight_server::on_pool!(&app.db, p => sqlx::query("UPDATE disclosures SET withdrawn_reason = $1 WHERE id = $2")
        .bind("应村干部要求撤下")
        .bind(first.id)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
        let edited: Entry = json(app.get(&format!("api/disclosures/{}", first.id)).await).await;
        assert_eq!(
            sunlight_api::published::check_entry(&edited, &proof, &app.log_key),
            Err(sunlight_api::published::Problem::Altered)
        );
        // What was withdrawn cannot be corrected.
        expect_error(acc.post(&url, &fix).await, 409, "wrong_state").await;
    }
);

/// Someone with a copy of the SQLite file and its write-ahead log after a withdrawal finds
/// nothing of what was withdrawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_entry_is_not_in_a_copy_of_the_sqlite_files() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.demo().await;
    app.set_today("2024-04-12");
    let (acc, rev) = (app.signed_in("13800000002").await, app.signed_in("13800000004").await);
    let secret = "身份证350102199001019876";
    let e: Entry = json(
        acc.post(
            &format!("api/regions/{VILLAGE}/disclosures"),
            &json!({"item": "village-assistance", "period": "2024-Q1", "title": "一季度低保名单", "body": secret}),
        )
        .await,
    )
    .await;
    acc.post(&format!("api/disclosures/{}/submit", e.id), &json!({})).await;
    rev.post(&format!("api/disclosures/{}/review", e.id), &json!({"approve": true}))
        .await;
    let files = || {
        ["sunlight.db", "sunlight.db-wal"]
            .iter()
            .filter_map(|f| std::fs::read(app.dir.path().join(f)).ok())
            .collect::<Vec<_>>()
    };
    let holds = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(files().iter().any(|b| holds(b)), "the test reads where the text was");
    let res = rev
        .post(
            &format!("api/disclosures/{}/withdraw", e.id),
            &json!({"reason": "误公开身份证号"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        !files().iter().any(|b| holds(b)),
        "the withdrawn text is still in the files"
    );
}
