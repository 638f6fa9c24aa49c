//! The authorization matrix: every role × where the resource lies relative to the role's
//! region (own, ancestor, descendant, sibling) × every endpoint, asserting the exact
//! status. The expectations below are the written rules, independent of the server's
//! code:
//! - a resource in a region the role does not cover (ancestor, sibling) answers 404;
//! - a covered resource answers 403 unless the role is one the endpoint allows;
//! - an allowed call on a village-only resource addressed at another level answers 422.
//!
//! The list of endpoints must equal the OpenAPI document's: an endpoint added without a
//! row here fails `every_endpoint_has_a_matrix_row`.

use std::{
    collections::BTreeSet,
    sync::atomic::{AtomicU32, Ordering},
};

use reqwest::{Client, Method};
use serde_json::json;
use sunlight_api::{RegionCode, RegionLevel, Role};
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Own,
    Ancestor,
    Descendant,
    Sibling,
}

const WHERES: [Where; 4] = [Where::Own, Where::Ancestor, Where::Descendant, Where::Sibling];

/// What an endpoint acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A region, by code; an endpoint for one level only answers 422 at the others.
    Region { only: Option<RegionLevel> },
    /// A household, its invite, or a villager: these exist only in villages.
    InVillage,
    /// No region: public or about oneself.
    Public(u16),
    /// About the signed-in person; 401 for nobody.
    Myself(u16),
    /// A discipline inspection office's reports: worked only by inspectors of that very
    /// region, so a covering grant from above gets 403 too.
    Office,
    /// A village's published disclosures, which the demo's county keeps public: anyone
    /// reads them, signed in or not, of that village or not (422 at other levels).
    PublicVillage,
    /// A file of a published line, or a village's poll: anyone reads it where the county
    /// is public.
    PublicInVillage,
    /// A county's publication log, which anyone reads (422 at other levels).
    PublicCounty,
    /// A region inside a county (its limits are its county's): 422 at the city.
    InCounty,
    /// A county's disclosure catalogue, which anyone reads wherever the county's
    /// disclosures are public: 422 at the city, which has none.
    PublicInCounty,
    /// The whole deployment (the working-day calendar): only an allowed role held at the
    /// city, whichever region the request names.
    Deployment,
}

struct Endpoint {
    method: &'static str,
    path: &'static str,
    target: Target,
    allowed: &'static [Role],
    success: u16,
}

use Role::*;
const ALL: &[Role] = &[Villager, Accountant, Cadre, Reviewer, Handler, Inspector, Admin];
const HOUSEHOLD_MANAGERS: &[Role] = &[Cadre, Admin];

/// One row per endpoint.
const fn ep(
    method: &'static str,
    path: &'static str,
    target: Target,
    allowed: &'static [Role],
    success: u16,
) -> Endpoint {
    Endpoint {
        method,
        path,
        target,
        allowed,
        success,
    }
}

const ANY: Target = Target::Region { only: None };
const VILLAGE: Target = Target::Region {
    only: Some(RegionLevel::Village),
};
const COUNTY: Target = Target::Region {
    only: Some(RegionLevel::County),
};
const IN_VILLAGE: Target = Target::InVillage;
const OFFICE: Target = Target::Office;

#[rustfmt::skip]
const ENDPOINTS: &[Endpoint] = &[
    ep("GET", "/api/health", Target::Public(200), ALL, 200),
    ep("POST", "/api/session", Target::Public(401), ALL, 401),
    ep("GET", "/api/session", Target::Public(200), ALL, 200),
    ep("DELETE", "/api/session", Target::Myself(204), ALL, 204),
    ep("GET", "/api/me", Target::Myself(200), ALL, 200),
    ep("POST", "/api/registrations", Target::Public(422), ALL, 422),
    ep("POST", "/api/password-resets", Target::Public(422), ALL, 422),
    // WeChat sign-in is not configured here (tests/api/wechat.rs tries it configured).
    ep("POST", "/api/wechat/session", Target::Public(404), ALL, 404),
    ep("POST", "/api/wechat/bind", Target::Public(404), ALL, 404),
    ep("POST", "/api/wechat/unbind", Target::Public(404), ALL, 404),
    ep("GET", "/api/wechat/templates", Target::Public(404), ALL, 404),
    ep("POST", "/api/wechat/subscriptions", Target::Public(404), ALL, 404),
    ep("GET", "/api/regions/{code}", ANY, ALL, 200),
    ep("GET", "/api/regions/{code}/households", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("POST", "/api/regions/{code}/households", VILLAGE, HOUSEHOLD_MANAGERS, 201),
    ep("POST", "/api/regions/{code}/households/import", VILLAGE, HOUSEHOLD_MANAGERS, 201),
    ep("GET", "/api/regions/{code}/invites", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("POST", "/api/households/{id}/invites", IN_VILLAGE, HOUSEHOLD_MANAGERS, 201),
    ep("DELETE", "/api/invites/{id}", IN_VILLAGE, HOUSEHOLD_MANAGERS, 204),
    ep("GET", "/api/regions/{code}/accounts", ANY, HOUSEHOLD_MANAGERS, 200),
    ep("POST", "/api/regions/{code}/accounts", ANY, &[Admin], 201),
    ep("POST", "/api/users/{id}/reset-codes", IN_VILLAGE, HOUSEHOLD_MANAGERS, 201),
    ep("GET", "/api/regions/{code}/password-resets", ANY, &[Inspector, Admin], 200),
    ep("POST", "/api/me/password-resets/noticed", Target::Myself(204), ALL, 204),
    ep("GET", "/api/regions/{code}/ledger", Target::PublicVillage, ALL, 200),
    ep("GET", "/api/regions/{code}/ledger/{month}", Target::PublicVillage, ALL, 200),
    ep("GET", "/api/regions/{code}/ledger/{month}/proof", Target::PublicVillage, ALL, 200),
    ep("GET", "/api/me/subsidies", Target::Myself(404), ALL, 404),
    ep("GET", "/api/log-key", Target::Public(200), ALL, 200),
    ep("GET", "/api/log-heads", Target::Public(200), ALL, 200),
    ep("GET", "/api/log-heads/{day}", Target::Public(404), ALL, 404),
    ep("GET", "/api/regions/{code}/log", Target::PublicCounty, ALL, 200),
    ep("GET", "/api/regions/{code}/log/heads", Target::PublicCounty, ALL, 200),
    ep("GET", "/api/regions/{code}/log/consistency", Target::PublicCounty, ALL, 200),
    ep("POST", "/api/regions/{code}/ledger/{month}/lines", VILLAGE, &[Accountant], 201),
    ep("POST", "/api/regions/{code}/ledger/{month}/submit", VILLAGE, &[Accountant], 204),
    ep("POST", "/api/regions/{code}/ledger/{month}/publish", VILLAGE, &[Reviewer], 204),
    ep("POST", "/api/regions/{code}/ledger/{month}/corrections", VILLAGE, &[Accountant], 201),
    ep("PUT", "/api/ledger-lines/{id}", IN_VILLAGE, &[Accountant], 200),
    ep("DELETE", "/api/ledger-lines/{id}", IN_VILLAGE, &[Accountant], 204),
    ep("POST", "/api/ledger-lines/{id}/review", IN_VILLAGE, &[Reviewer], 200),
    ep("GET", "/api/regions/{code}/review-queue", ANY, &[Reviewer], 200),
    ep("POST", "/api/ledger-lines/{id}/attachments", IN_VILLAGE, &[Accountant], 201),
    ep("GET", "/api/files/{id}/{variant}", Target::PublicInVillage, ALL, 200),
    ep("GET", "/api/regions/{code}/disclosure-access", COUNTY, &[Admin], 200),
    ep("PUT", "/api/regions/{code}/disclosure-access", COUNTY, &[Admin], 200),
    ep("DELETE", "/api/attachments/{id}", IN_VILLAGE, &[Accountant], 204),
    ep("POST", "/api/regions/{code}/ledger/{month}/import", VILLAGE, &[Accountant], 201),
    ep("GET", "/api/ledger-template.xlsx", Target::Public(200), ALL, 200),
    ep("POST", "/api/ledger-lines/{id}/questions", IN_VILLAGE, &[Villager], 201),
    ep("POST", "/api/ledger-questions/{id}/answer", IN_VILLAGE, &[Accountant], 200),
    ep("GET", "/api/regions/{code}/ledger-categories", ANY, ALL, 200),
    ep("PUT", "/api/regions/{code}/ledger-categories", COUNTY, &[Admin], 200),
    ep("GET", "/api/regions/{code}/polls", ANY, ALL, 200),
    ep("POST", "/api/regions/{code}/polls", ANY, HOUSEHOLD_MANAGERS, 201),
    ep("GET", "/api/polls/{id}", Target::PublicInVillage, ALL, 200),
    ep("POST", "/api/polls/{id}/ballots", IN_VILLAGE, &[Villager], 201),
    ep("GET", "/api/polls/{id}/results.csv", IN_VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("GET", "/api/polls/{id}/results.xlsx", IN_VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("POST", "/api/polls/{id}/documents", IN_VILLAGE, HOUSEHOLD_MANAGERS, 201),
    ep("GET", "/api/poll-documents/{id}/{variant}", Target::PublicInVillage, ALL, 200),
    // Filing and following up need no account and answer everyone alike: a signed-in
    // cadre without the receipt code gets exactly what a stranger gets.
    ep("GET", "/api/report-places", Target::Public(200), ALL, 200),
    ep("GET", "/api/report-offices", Target::Public(200), ALL, 200),
    ep("POST", "/api/report-challenges", Target::Public(200), ALL, 200),
    ep("POST", "/api/reports", Target::Public(400), ALL, 400),
    ep("GET", "/api/report-receipt", Target::Public(404), ALL, 404),
    ep("POST", "/api/report-receipt/messages", Target::Public(404), ALL, 404),
    ep("POST", "/api/report-receipt/files", Target::Public(404), ALL, 404),
    ep("GET", "/api/report-receipt/files/{id}", Target::Public(404), ALL, 404),
    ep("GET", "/api/report-counts", ANY, &[Inspector], 200),
    ep("GET", "/api/offices/{code}", OFFICE, &[Inspector], 200),
    ep("POST", "/api/offices/{code}/members", OFFICE, &[Inspector], 204),
    // The office is already set up by its fixture head: 409 is past authorization.
    ep("POST", "/api/offices/{code}/setup", OFFICE, &[Inspector], 409),
    ep("POST", "/api/offices/{code}/grants", OFFICE, &[Inspector], 204),
    // Only the office head removes members and reads the access log; the matrix's
    // inspectors are members, not heads (the head's success is in reports.rs).
    ep("POST", "/api/offices/{code}/removals", OFFICE, &[Inspector], 403),
    ep("GET", "/api/offices/{code}/access-log", OFFICE, &[Inspector], 403),
    ep("GET", "/api/offices/{code}/reports", OFFICE, &[Inspector], 200),
    ep("GET", "/api/offices/{code}/reports/{id}", OFFICE, &[Inspector], 200),
    ep("GET", "/api/offices/{code}/reports/{id}/files/{file}", OFFICE, &[Inspector], 200),
    ep("POST", "/api/offices/{code}/reports/{id}/messages", OFFICE, &[Inspector], 201),
    ep("POST", "/api/offices/{code}/reports/{id}/status", OFFICE, &[Inspector], 204),
    ep("POST", "/api/offices/{code}/reports/{id}/assignee", OFFICE, &[Inspector], 204),
    ep("POST", "/api/offices/{code}/reports/{id}/transfer", OFFICE, &[Inspector], 204),
    // Demands: the fixture is a public demand filed by another villager of the village,
    // held by the village (so only its cadre works it: HandleDemands is held at the
    // holding region itself, and a township's staff get 403 like any other post).
    ep("POST", "/api/regions/{code}/demands", VILLAGE, &[Villager], 201),
    ep("GET", "/api/regions/{code}/demands", VILLAGE, ALL, 200),
    ep("GET", "/api/regions/{code}/demands/similar", ANY, &[Villager], 200),
    ep("GET", "/api/demands/{id}", IN_VILLAGE, ALL, 200),
    ep("POST", "/api/demands/{id}/steps", IN_VILLAGE, &[Cadre], 200),
    ep("POST", "/api/demands/{id}/join", IN_VILLAGE, &[Villager], 200),
    ep("POST", "/api/demands/{id}/photos", IN_VILLAGE, &[Cadre], 201),
    ep("GET", "/api/demand-photos/{id}/{variant}", IN_VILLAGE, ALL, 200),
    ep("GET", "/api/me/demands", Target::Myself(200), ALL, 200),
    ep("GET", "/api/me/todo", Target::Myself(200), ALL, 200),
    ep("GET", "/api/regions/{code}/demand-stats", ANY, &[Handler, Inspector], 200),
    ep("GET", "/api/regions/{code}/demand-stats/export", ANY, &[Handler, Inspector], 200),
    ep("GET", "/api/regions/{code}/demand-limits", Target::InCounty, ALL, 200),
    ep("PUT", "/api/regions/{code}/demand-limits", COUNTY, &[Admin], 200),
    // The voice note is its filer's alone to add (the fixture's filer is not an actor).
    ep("POST", "/api/demands/{id}/voice", IN_VILLAGE, &[], 201),
    ep("GET", "/api/demands/{id}/voice", IN_VILLAGE, ALL, 200),
    ep("GET", "/api/calendar", Target::Myself(200), ALL, 200),
    // The disclosure catalogue and its entries.
    ep("GET", "/api/regions/{code}/catalogue", Target::PublicInCounty, ALL, 200),
    ep("PUT", "/api/regions/{code}/catalogue", COUNTY, &[Admin], 200),
    ep("GET", "/api/regions/{code}/disclosures", Target::PublicVillage, ALL, 200),
    ep("POST", "/api/regions/{code}/disclosures", VILLAGE, &[Accountant, Cadre], 201),
    ep("GET", "/api/disclosures/{id}", Target::PublicInVillage, ALL, 200),
    ep("GET", "/api/disclosures/{id}/proof", Target::PublicInVillage, ALL, 200),
    ep("PUT", "/api/disclosures/{id}", IN_VILLAGE, &[Accountant, Cadre], 200),
    ep("DELETE", "/api/disclosures/{id}", IN_VILLAGE, &[Accountant, Cadre], 204),
    ep("POST", "/api/disclosures/{id}/submit", IN_VILLAGE, &[Accountant, Cadre], 200),
    ep("POST", "/api/disclosures/{id}/review", IN_VILLAGE, &[Reviewer], 200),
    ep("POST", "/api/disclosures/{id}/corrections", IN_VILLAGE, &[Accountant, Cadre], 201),
    ep("POST", "/api/disclosures/{id}/withdraw", IN_VILLAGE, &[Reviewer, Admin], 200),
    ep("POST", "/api/disclosures/{id}/files", IN_VILLAGE, &[Accountant, Cadre], 201),
    ep("GET", "/api/disclosure-files/{id}/{variant}", Target::PublicInVillage, ALL, 200),
    ep("DELETE", "/api/disclosure-files/{id}", IN_VILLAGE, &[Accountant, Cadre], 204),
    ep("GET", "/api/regions/{code}/disclosure-queue", ANY, &[Reviewer], 200),
    // The villagers' financial oversight group and its signatures on months.
    ep("GET", "/api/regions/{code}/finance-group", Target::PublicVillage, ALL, 200),
    ep("POST", "/api/regions/{code}/finance-group", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("DELETE", "/api/regions/{code}/finance-group/{user}", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("GET", "/api/regions/{code}/ledger/{month}/signatures", Target::PublicVillage, ALL, 200),
    ep("POST", "/api/regions/{code}/ledger/{month}/signatures", VILLAGE, &[Villager], 201),
    ep("GET", "/api/me/months-to-sign", Target::Myself(200), ALL, 200),
    // Projects and disposals, their stages and payments, and questions on entries.
    ep("GET", "/api/regions/{code}/projects", Target::PublicVillage, ALL, 200),
    ep("POST", "/api/regions/{code}/projects", VILLAGE, &[Accountant, Cadre], 201),
    ep("GET", "/api/projects/{id}", Target::PublicInVillage, ALL, 200),
    ep("POST", "/api/projects/{id}/stages", IN_VILLAGE, &[Accountant, Cadre], 201),
    ep("POST", "/api/projects/{id}/payments", IN_VILLAGE, &[Accountant, Cadre], 200),
    ep("DELETE", "/api/projects/{id}/payments/{line}", IN_VILLAGE, &[Accountant, Cadre], 200),
    ep("POST", "/api/disclosures/{id}/questions", IN_VILLAGE, &[Villager], 201),
    ep("POST", "/api/disclosure-questions/{id}/answer", IN_VILLAGE, &[Accountant, Cadre], 200),
    ep("GET", "/api/regions/{code}/completeness", ANY, &[Accountant, Cadre, Reviewer, Inspector, Admin], 200),
    ep("GET", "/api/regions/{code}/group-robot", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("PUT", "/api/regions/{code}/group-robot", VILLAGE, HOUSEHOLD_MANAGERS, 200),
    ep("DELETE", "/api/regions/{code}/group-robot", VILLAGE, HOUSEHOLD_MANAGERS, 204),
    ep("PUT", "/api/calendar/{year}", Target::Deployment, &[Admin], 200),
];

/// A public demand of `village`, filed through the API by a villager of its own (not the
/// matrix's actor): its id, and the id of the photo it was filed with.
async fn demand_fixture(app: &TestApp, village: &RegionCode) -> (Uuid, Uuid) {
    let filer = app
        .account(&format!("133{:08}", next()), Villager, village.as_str(), None)
        .await;
    let client = app.session_for(filer).await;
    let res = client
        .post(app.url(&format!("api/regions/{village}/demands")))
        .json(
            &json!({"text": "村口路灯坏了", "class": "service", "subcategory": "道路交通", "public": true,
                      "idempotency_key": Uuid::new_v4()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the demand fixture is filed");
    let id: Uuid = serde_json::from_value(json::<serde_json::Value>(res).await["summary"]["id"].clone()).unwrap();
    let res = client
        .post(app.url(&format!("api/demands/{id}/photos")))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(png())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the demand fixture's photo is stored");
    let photo = json::<sunlight_api::ledger::Attachment>(res).await.id;
    (id, photo)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryState {
    Draft,
    Submitted,
    Published,
}

/// A catalogue entry of `village` (an event, so that several may share a day) written by an
/// accountant of its own through the API, with a photo if `file`, and taken to `state`.
async fn disclosure_fixture(
    app: &TestApp,
    village: &RegionCode,
    state: EntryState,
    file: bool,
) -> (Uuid, Option<Uuid>) {
    let writer = app
        .account(&format!("134{:08}", next()), Accountant, village.as_str(), None)
        .await;
    let writer = app.session_for(writer).await;
    let res = writer
        .post(app.url(&format!("api/regions/{village}/disclosures")))
        .json(&json!({"item": "party-decisions", "period": "2099-05-01", "title": "支部决议", "body": "内容"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the disclosure fixture is written");
    let id = json::<sunlight_api::catalogue::Entry>(res).await.id;
    let mut photo = None;
    if file {
        let res = writer
            .post(app.url(&format!("api/disclosures/{id}/files")))
            .header(sunlight_api::CSRF_HEADER, "1")
            .body(png())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "the disclosure fixture's photo is stored");
        photo = Some(json::<sunlight_api::ledger::Attachment>(res).await.id);
    }
    if state == EntryState::Draft {
        return (id, photo);
    }
    let res = writer
        .post(app.url(&format!("api/disclosures/{id}/submit")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the disclosure fixture is submitted");
    if state == EntryState::Published {
        let reviewer = app
            .account(
                &format!("134{:08}", next()),
                Reviewer,
                village.parent().unwrap().as_str(),
                None,
            )
            .await;
        let res = app
            .session_for(reviewer)
            .await
            .post(app.url(&format!("api/disclosures/{id}/review")))
            .json(&json!({"approve": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "the disclosure fixture is published");
    }
    (id, photo)
}

/// A works project of `village` made in the database; with its approval published if
/// `published` (so that anyone may read it where the county is public).
async fn project_fixture(app: &TestApp, village: &RegionCode, published: bool) -> Uuid {
    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
    let at = chrono::Utc::now() - chrono::Duration::days(1);
    let id = app
        .db
        .insert_project(sunlight_server::db::projects::NewProjectRow {
            village,
            kind: sunlight_api::project::ProjectKind::Works,
            title: "矩阵工程",
            description: "",
            budget_fen: 100,
            by: admin,
            at,
        })
        .await
        .unwrap();
    if published {
        let facts = sunlight_api::project::StageFacts {
            project: id,
            stage: sunlight_api::project::Stage::Approval,
            progress_pct: None,
            amount_fen: None,
        };
        let stage = app
            .db
            .insert_stage(sunlight_server::db::projects::NewStageRow {
                village,
                label: "立项",
                date: "2024-01-01",
                title: "矩阵工程 · 立项",
                note: "",
                facts: &facts,
                by: admin,
                at,
            })
            .await
            .unwrap();
        assert!(app.db.submit_disclosure(stage, at).await.unwrap());
        assert!(app.db.review_disclosure(stage, true, None, admin, at).await.unwrap());
    }
    id
}

/// Base64 of `n` arbitrary bytes: key material the server stores but cannot check.
fn b64(n: usize) -> String {
    sunlight_seal::b64(&vec![7u8; n])
}

/// The recovery code of every fixture office.
fn fixture_recovery() -> sunlight_seal::RecoveryCode {
    sunlight_seal::RecoveryCode::parse("MATR IXRE COVE RYC0 DE00 0000 0000 0000").expect("a recovery code")
}

/// An office at `region` set up by a head of its own, with one report carrying one file:
/// (report id, file id). Nothing for a village, where no office is.
async fn office_fixture(app: &TestApp, region: &RegionCode) -> (Uuid, Uuid) {
    if region.level() == RegionLevel::Village {
        return (Uuid::nil(), Uuid::nil());
    }
    let head = app
        .account(&format!("135{:08}", next()), Inspector, region.as_str(), None)
        .await;
    app.db
        .enroll_member(region, head, &[1; 32], &[11; 32], &[2; 72], &[3; 16], 8192, 1)
        .await
        .unwrap();
    // A second call finds the office set up and changes nothing. Its root is the fixture's
    // recovery code, so that an inspector can be let in with it below.
    let key = sunlight_server::db::reports::NewOfficeKey {
        public_key: &[4; 32],
        signed_by: head,
        signature: &[12; 64],
    };
    let founding = sunlight_server::db::reports::AdmissionRow {
        account_id: head,
        public_key: vec![1; 32],
        signing_key: vec![11; 32],
        admitted_by: None,
        signed_at: 0,
        signature: vec![13; 64],
    };
    app.db
        .setup_office(
            region,
            head,
            &key,
            &[5; 32],
            &fixture_recovery().signer().public(),
            &[6; 80],
            &[6; 80],
            &founding,
        )
        .await
        .unwrap();
    let key_id = app.db.active_office_key(region).await.unwrap().unwrap().id;
    let report = app
        .db
        .file_report(&sunlight_server::db::reports::NewReportRow {
            idempotency_key: Uuid::new_v4(),
            office: region.clone(),
            key_id,
            sealed_key: vec![8; 80],
            filer_key: vec![9; 72],
            body: vec![10; 100],
            lookup_hash: format!("{:064x}", next()),
        })
        .await
        .unwrap();
    let file = app
        .db
        .add_report_file(report.id, "filer", &[11; 100])
        .await
        .unwrap()
        .unwrap();
    (report.id, file)
}

/// Attaches a photo to `line` in `region` as an accountant of that village would.
async fn attach(app: &TestApp, region: &RegionCode, line: Uuid) -> Uuid {
    let n = next();
    let acc = app
        .account(&format!("134{:08}", n), Accountant, region.as_str(), None)
        .await;
    let client = app.session_for(acc).await;
    let res = client
        .post(app.url(&format!("api/ledger-lines/{line}/attachments")))
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(png())
        .send()
        .await
        .unwrap();
    let status = res.status();
    if status != reqwest::StatusCode::CREATED {
        panic!("attaching answered {status}: {}", res.text().await.unwrap_or_default());
    }
    json::<sunlight_api::ledger::Attachment>(res).await.id
}

/// The state a ledger fixture is left in.
#[derive(Clone, Copy)]
enum MonthState {
    Draft,
    Submitted,
    Sealed,
    Published,
}

/// A month of its own (one per call, so cells never share state) with one line, in a
/// village; for other levels only the month's name is returned, as nothing can exist there.
async fn ledger_fixture(app: &TestApp, region: &RegionCode, state: MonthState) -> (String, Uuid) {
    // One count per backend (both matrices run in this process at once), from 2030 so
    // that no fixture meets the demo's months; 840 months to 2099.
    static MONTHS: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];
    let n = MONTHS[app.backend as usize].fetch_add(1, Ordering::Relaxed);
    assert!(n < 840, "the matrix ran out of fixture months");
    let month = sunlight_api::date::Month {
        year: 2030 + (n / 12) as i32,
        month: n % 12 + 1,
    };
    if region.level() != RegionLevel::Village {
        return (month.to_string(), Uuid::nil());
    }
    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
    let record = app.db.ensure_ledger_month(region, month).await.unwrap();
    let fields = sunlight_server::db::ledger::LineFields {
        date: sunlight_api::date::Date {
            year: month.year,
            month: month.month,
            day: 1,
        },
        kind: sunlight_api::ledger::Kind::Expense,
        amount_fen: 100,
        category: "办公费".into(),
        counterparty: "矩阵".into(),
        counterparty_is_person: false,
        invoice_no: None,
        note: None,
    };
    let line = app
        .db
        .insert_ledger_line(record.id, None, &fields, admin)
        .await
        .unwrap()
        .expect("a draft month takes lines");
    if matches!(
        state,
        MonthState::Submitted | MonthState::Sealed | MonthState::Published
    ) {
        assert!(app.db.submit_ledger_month(record.id).await.unwrap());
    }
    if matches!(state, MonthState::Sealed | MonthState::Published) {
        assert!(
            app.db
                .review_ledger_line(line, true, Some("矩阵：无发票"), admin)
                .await
                .unwrap()
        );
    }
    if matches!(state, MonthState::Published) {
        assert!(app.db.publish_ledger_month(record.id, admin).await.unwrap());
    }
    (month.to_string(), line)
}

/// A photo on the one line of a published month: attached while the line is a draft,
/// then taken through submission, review and publication.
async fn attach_published(app: &TestApp, region: &RegionCode) -> Uuid {
    let (month, line) = ledger_fixture(app, region, MonthState::Draft).await;
    let id = attach(app, region, line).await;
    let record = app
        .db
        .ledger_month(region, sunlight_api::date::Month::parse(&month).unwrap())
        .await
        .unwrap()
        .unwrap();
    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
    assert!(app.db.submit_ledger_month(record.id).await.unwrap());
    assert!(
        app.db
            .review_ledger_line(line, true, Some("矩阵：无发票"), admin)
            .await
            .unwrap()
    );
    assert!(app.db.publish_ledger_month(record.id, admin).await.unwrap());
    id
}

/// An open one-question poll for a village: (poll id, question id) and its first option.
async fn poll_fixture(app: &TestApp, village: &RegionCode) -> ((Uuid, Uuid), Uuid) {
    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
    let spec = sunlight_server::db::polls::PollSpec {
        title: "矩阵".into(),
        villages: vec![village.clone()],
        per: sunlight_api::poll::Per::Person,
        opens_at: chrono::Utc::now() - chrono::Duration::hours(1),
        closes_at: chrono::Utc::now() + chrono::Duration::hours(1),
        live_results: true,
        allow_change: false,
        questions: vec![(
            sunlight_api::poll::QuestionKind::Single,
            "同意吗？".into(),
            1,
            vec!["同意".into(), "不同意".into()],
        )],
    };
    let id = app.db.create_poll(village, &spec, admin).await.unwrap();
    let q = app.db.poll_questions(id).await.unwrap().remove(0);
    ((id, q.id), q.options[0].id)
}

fn line_body(month: &str) -> serde_json::Value {
    json!({"date": format!("{month}-01"), "kind": "expense", "amount": "1.00", "category": "办公费", "counterparty": "矩阵"})
}

/// Who acts in the matrix, and where: village roles in 上坪村, the others in 桃源镇, and an
/// admin and an inspector of 清水县 too, so that county-level endpoints have a home.
const ACTORS: &[(Role, &str)] = &[
    (Villager, "359901101201"),
    (Accountant, "359901101201"),
    (Cadre, "359901101201"),
    (Reviewer, "359901101000"),
    (Handler, "359901101000"),
    (Inspector, "359901101000"),
    (Admin, "359901101000"),
    (Inspector, "359901000000"),
    (Admin, "359901000000"),
    (Admin, "359900000000"),
];

/// The region where a resource lies relative to `home`, if the tree has one.
fn region_at(home: &RegionCode, w: Where) -> Option<RegionCode> {
    match w {
        Where::Own => Some(home.clone()),
        Where::Ancestor => home.parent(),
        Where::Descendant => match home.level() {
            RegionLevel::Village => None,
            RegionLevel::Township => Some(code(&format!("{}201", home.prefix()))),
            RegionLevel::County => Some(code(&format!("{}101000", home.prefix()))),
            RegionLevel::City => Some(code(&format!("{}01000000", home.prefix()))),
        },
        Where::Sibling => Some(match home.level() {
            RegionLevel::Village => code(&format!("{}202", &home.as_str()[..9])),
            RegionLevel::Township => code(&format!("{}102000", &home.as_str()[..6])),
            RegionLevel::County => code(&format!("{}02000000", &home.as_str()[..4])),
            RegionLevel::City => return None,
        }),
    }
}

fn expected(ep: &Endpoint, role: Role, home: &RegionCode, w: Where, region: &RegionCode) -> u16 {
    match ep.target {
        Target::Public(s) | Target::Myself(s) => return s,
        Target::Deployment if ep.allowed.contains(&role) && home.level() == RegionLevel::City => return ep.success,
        Target::Deployment => return 403,
        Target::PublicVillage if region.level() != RegionLevel::Village => return 422,
        Target::PublicVillage | Target::PublicInVillage => return ep.success,
        Target::PublicCounty if region.level() != RegionLevel::County => return 422,
        Target::PublicCounty => return ep.success,
        Target::PublicInCounty if region.level() == RegionLevel::City => return 422,
        Target::PublicInCounty => return ep.success,
        _ => {}
    }
    if matches!(w, Where::Ancestor | Where::Sibling) {
        return 404;
    }
    if ep.target == Target::Office && w == Where::Descendant {
        return 403;
    }
    if !ep.allowed.contains(&role) {
        return 403;
    }
    if let Target::Region { only: Some(level) } = ep.target
        && region.level() != level
    {
        return 422;
    }
    if ep.target == Target::InCounty && region.level() == RegionLevel::City {
        return 422;
    }
    ep.success
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn next() -> u32 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// Makes the request for one cell, creating whatever the endpoint acts on in `region`.
async fn call(app: &TestApp, client: &Client, ep: &Endpoint, region: &RegionCode) -> u16 {
    let n = next();
    let village_household = || async {
        app.db
            .household_by_number(region, "001")
            .await
            .unwrap()
            .expect("demo household 001")
            .id
    };
    let mut raw: Option<Vec<u8>> = None;
    let (path, body) = match ep.path {
        "/api/households/{id}/invites" => (
            format!("api/households/{}/invites", village_household().await),
            json!({"max_uses": 1, "valid_days": 1}),
        ),
        "/api/invites/{id}" => {
            let hh = village_household().await;
            let hash = sunlight_server::auth::hash_code("invite", &sunlight_server::auth::new_code());
            let creator = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
            let id = app
                .db
                .create_invite(&hash, hh, 1, chrono::Utc::now() + chrono::Duration::days(1), creator)
                .await
                .unwrap();
            (format!("api/invites/{id}"), json!(null))
        }
        "/api/users/{id}/reset-codes" => {
            let mobile = format!("131{:08}", n);
            let id = app.account(&mobile, Villager, region.as_str(), None).await;
            (format!("api/users/{id}/reset-codes"), json!({}))
        }
        "/api/regions/{code}/households" => (
            format!("api/regions/{region}/households"),
            json!({"number": format!("M{n}"), "head_name": "矩阵"}),
        ),
        "/api/regions/{code}/households/import" => (
            format!("api/regions/{region}/households/import"),
            json!({"csv": format!("户号,户主姓名\nI{n}a,甲\nI{n}b,乙\n")}),
        ),
        "/api/regions/{code}/accounts" => {
            let role = match region.level() {
                RegionLevel::Village => "accountant",
                RegionLevel::Township => "reviewer",
                _ => "inspector",
            };
            let body =
                json!({"name": "矩阵", "mobile": format!("132{:08}", n), "role": role, "password": "matrix-pass"});
            (format!("api/regions/{region}/accounts"), body)
        }
        "/api/regions/{code}/ledger" => (format!("api/regions/{region}/ledger?year=2030"), json!(null)),
        "/api/regions/{code}/ledger/{month}" => (format!("api/regions/{region}/ledger/2030-01"), json!(null)),
        "/api/regions/{code}/ledger/{month}/proof" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Published).await;
            (format!("api/regions/{region}/ledger/{month}/proof"), json!(null))
        }
        "/api/regions/{code}/log/consistency" => {
            (format!("api/regions/{region}/log/consistency?from=0&to=0"), json!(null))
        }
        "/api/regions/{code}/ledger/{month}/lines" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Draft).await;
            (format!("api/regions/{region}/ledger/{month}/lines"), line_body(&month))
        }
        "/api/regions/{code}/ledger-categories" if ep.method == "PUT" => (
            format!("api/regions/{region}/ledger-categories"),
            json!({"categories": ["办公费", "工程款", "矩阵科目"]}),
        ),
        // Public stays public, so that the cells after this one see the same county.
        "/api/regions/{code}/disclosure-access" if ep.method == "PUT" => (
            format!("api/regions/{region}/disclosure-access"),
            json!({"villagers_only": false}),
        ),
        "/api/regions/{code}/polls" if ep.method == "POST" => {
            let villages: Vec<&str> = if region.level() == RegionLevel::Village {
                Vec::new()
            } else {
                ["359901101201", "359901102201", "359902101201"]
                    .into_iter()
                    .filter(|v| region.contains(&code(v)))
                    .take(1)
                    .collect()
            };
            (
                format!("api/regions/{region}/polls"),
                json!({
                    "title": "矩阵", "villages": villages, "per": "person", "live_results": true, "allow_change": false,
                    "opens_at": (chrono::Utc::now() - chrono::Duration::hours(1)).timestamp_millis(),
                    "closes_at": (chrono::Utc::now() + chrono::Duration::hours(1)).timestamp_millis(),
                    "questions": [{"kind": "single", "prompt": "同意吗？", "options": ["同意", "不同意"]}]
                }),
            )
        }
        "/api/polls/{id}"
        | "/api/polls/{id}/ballots"
        | "/api/polls/{id}/results.csv"
        | "/api/polls/{id}/results.xlsx" => {
            let (poll, option) = poll_fixture(app, region).await;
            if ep.path.contains("/results.") {
                // Results are exported once shown, for everyone alike: close the poll.
                sunlight_server::on_pool!(&app.db, p => sqlx::query("UPDATE polls SET closes_at = $1 WHERE id = $2")
                    .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
                    .bind(poll.0)
                    .execute(p)
                    .await
                    .map(|_| ()))
                .unwrap();
            }
            let body = json!({"answers": [{"question": poll.1, "options": [option]}]});
            (ep.path[1..].replace("{id}", &poll.0.to_string()), body)
        }
        "/api/polls/{id}/documents" => {
            let ((poll, _), _) = poll_fixture(app, region).await;
            raw = Some(png());
            (format!("api/polls/{poll}/documents"), json!(null))
        }
        "/api/poll-documents/{id}/{variant}" => {
            let ((poll, _), _) = poll_fixture(app, region).await;
            let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
            let res = app
                .session_for(admin)
                .await
                .post(app.url(&format!("api/polls/{poll}/documents")))
                .header(sunlight_api::CSRF_HEADER, "1")
                .body(png())
                .send()
                .await
                .unwrap();
            let doc: sunlight_api::ledger::Attachment = json(res).await;
            (format!("api/poll-documents/{}/thumb", doc.id), json!(null))
        }
        "/api/ledger-lines/{id}/questions" => {
            let (_, line) = ledger_fixture(app, region, MonthState::Published).await;
            (
                format!("api/ledger-lines/{line}/questions"),
                json!({"text": "为什么？"}),
            )
        }
        "/api/ledger-questions/{id}/answer" => {
            let (_, line) = ledger_fixture(app, region, MonthState::Published).await;
            let asker = app.db.user_id_by_mobile("13800000001").await.unwrap().unwrap();
            let q = app.db.ask_question(line, asker, "为什么？").await.unwrap();
            (format!("api/ledger-questions/{q}/answer"), json!({"text": "因为。"}))
        }
        "/api/regions/{code}/ledger/{month}/import" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Draft).await;
            raw = Some(format!("日期,收支,金额,科目,收付款方\n{month}-02,支出,3.50,办公费,矩阵\n").into_bytes());
            (format!("api/regions/{region}/ledger/{month}/import"), json!(null))
        }
        "/api/regions/{code}/ledger/{month}/submit" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Draft).await;
            (format!("api/regions/{region}/ledger/{month}/submit"), json!({}))
        }
        "/api/regions/{code}/ledger/{month}/corrections" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Published).await;
            (
                format!("api/regions/{region}/ledger/{month}/corrections"),
                json!({"reason": "漏记一笔"}),
            )
        }
        "/api/regions/{code}/ledger/{month}/publish" => {
            let (month, _) = ledger_fixture(app, region, MonthState::Sealed).await;
            // Other cells appoint villages' oversight groups: this month is signed by one,
            // so that it may be published whatever they did.
            if region.level() == RegionLevel::Village {
                let member = app
                    .account(&format!("132{:08}", n), Villager, region.as_str(), None)
                    .await;
                let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
                let _ = app.db.appoint(region, member, admin).await.unwrap();
                let record = app
                    .db
                    .ledger_month(region, sunlight_api::date::Month::parse(&month).unwrap())
                    .await
                    .unwrap()
                    .unwrap();
                assert!(
                    app.db
                        .sign_month(record.id, member, true, None, chrono::Utc::now())
                        .await
                        .unwrap()
                );
            }
            (format!("api/regions/{region}/ledger/{month}/publish"), json!({}))
        }
        "/api/ledger-lines/{id}" => {
            let (month, line) = ledger_fixture(app, region, MonthState::Draft).await;
            (format!("api/ledger-lines/{line}"), line_body(&month))
        }
        "/api/ledger-lines/{id}/attachments" => {
            let (_, line) = ledger_fixture(app, region, MonthState::Draft).await;
            raw = Some(png());
            (format!("api/ledger-lines/{line}/attachments"), json!(null))
        }
        "/api/files/{id}/{variant}" => {
            let id = attach_published(app, region).await;
            (format!("api/files/{id}/thumb"), json!(null))
        }
        "/api/attachments/{id}" => {
            let (_, line) = ledger_fixture(app, region, MonthState::Draft).await;
            let id = attach(app, region, line).await;
            (format!("api/attachments/{id}"), json!(null))
        }
        "/api/ledger-lines/{id}/review" => {
            let (_, line) = ledger_fixture(app, region, MonthState::Submitted).await;
            (
                format!("api/ledger-lines/{line}/review"),
                json!({"approve": true, "reason": "矩阵：无发票"}),
            )
        }
        "/api/demands/{id}" | "/api/demands/{id}/steps" | "/api/demands/{id}/join" | "/api/demands/{id}/photos" => {
            let (id, _) = demand_fixture(app, region).await;
            if ep.path.ends_with("/photos") {
                raw = Some(png());
            }
            (ep.path[1..].replace("{id}", &id.to_string()), json!({"step": "accept"}))
        }
        "/api/demands/{id}/voice" if ep.method == "POST" => {
            let (id, _) = demand_fixture(app, region).await;
            raw = Some(tone(2, "webm"));
            (format!("api/demands/{id}/voice"), json!(null))
        }
        "/api/demands/{id}/voice" => {
            let (id, _) = demand_fixture(app, region).await;
            let filer = app.db.demand(id).await.unwrap().unwrap().filer;
            let res = app
                .session_for(filer)
                .await
                .post(app.url(&format!("api/demands/{id}/voice")))
                .header(sunlight_api::CSRF_HEADER, "1")
                .body(tone(2, "webm"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "the fixture's voice note is stored");
            (format!("api/demands/{id}/voice"), json!(null))
        }
        "/api/calendar/{year}" => {
            let year = sunlight_server::demands::china_date(app.clock().now()).year + 1;
            (
                format!("api/calendar/{year}"),
                json!({"source": "矩阵", "days": [{"date": format!("{year}-01-01"), "kind": "holiday"}]}),
            )
        }
        "/api/regions/{code}/group-robot" => {
            if region.level() == RegionLevel::Village {
                let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
                app.db
                    .set_robot(
                        region,
                        "https://oapi.dingtalk.com/robot/send?access_token=matrix0000",
                        admin,
                        chrono::Utc::now(),
                    )
                    .await
                    .unwrap();
            }
            (
                format!("api/regions/{region}/group-robot"),
                json!({"url": "https://oapi.dingtalk.com/robot/send?access_token=matrix0001"}),
            )
        }
        "/api/regions/{code}/catalogue" if ep.method == "PUT" => (
            format!("api/regions/{region}/catalogue"),
            json!({"items": [{"key": "", "section": "village", "title": "矩阵事项", "frequency": "event", "deadline": 7}]}),
        ),
        "/api/regions/{code}/disclosures" if ep.method == "POST" => (
            format!("api/regions/{region}/disclosures"),
            json!({"item": "party-decisions", "period": "2099-06-01", "title": "矩阵", "body": "矩阵"}),
        ),
        "/api/disclosures/{id}"
        | "/api/disclosures/{id}/proof"
        | "/api/disclosures/{id}/submit"
        | "/api/disclosures/{id}/review"
        | "/api/disclosures/{id}/corrections"
        | "/api/disclosures/{id}/withdraw" => {
            let state = match (ep.method, ep.path) {
                ("GET", _) | (_, "/api/disclosures/{id}/corrections" | "/api/disclosures/{id}/withdraw") => {
                    EntryState::Published
                }
                (_, "/api/disclosures/{id}/review") => EntryState::Submitted,
                _ => EntryState::Draft,
            };
            let (id, _) = disclosure_fixture(app, region, state, false).await;
            (
                ep.path[1..].replace("{id}", &id.to_string()),
                json!({"title": "矩阵", "body": "矩阵", "approve": true, "note": "", "reason": "矩阵"}),
            )
        }
        "/api/regions/{code}/finance-group" if ep.method == "POST" => {
            // A villager of the village (a new one per cell) to appoint.
            let mobile = format!("133{:08}", n);
            if region.level() == RegionLevel::Village {
                app.account(&mobile, Villager, region.as_str(), None).await;
            }
            (format!("api/regions/{region}/finance-group"), json!({"mobile": mobile}))
        }
        "/api/regions/{code}/finance-group/{user}" => {
            let member = if region.level() == RegionLevel::Village {
                let user = app
                    .account(&format!("133{:08}", n), Villager, region.as_str(), None)
                    .await;
                let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
                assert!(app.db.appoint(region, user, admin).await.unwrap());
                user
            } else {
                Uuid::new_v4()
            };
            (format!("api/regions/{region}/finance-group/{member}"), json!(null))
        }
        "/api/regions/{code}/ledger/{month}/signatures" => {
            // GET: a published month; POST: a submitted one the caller sits on the group of.
            let state = if ep.method == "GET" {
                MonthState::Published
            } else {
                MonthState::Submitted
            };
            let (month, _) = ledger_fixture(app, region, state).await;
            if ep.method == "POST" && region.level() == RegionLevel::Village {
                let me = client
                    .get(app.url("api/me"))
                    .send()
                    .await
                    .unwrap()
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|m| m["id"].as_str().and_then(|s| s.parse::<Uuid>().ok()));
                if let Some(me) = me {
                    let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
                    let _ = app.db.appoint(region, me, admin).await.unwrap();
                }
            }
            (
                format!("api/regions/{region}/ledger/{month}/signatures"),
                json!({"agree": true}),
            )
        }
        "/api/regions/{code}/projects" if ep.method == "POST" => (
            format!("api/regions/{region}/projects"),
            json!({"kind": "works", "title": "矩阵工程", "budget_fen": 100}),
        ),
        "/api/projects/{id}" => {
            let id = project_fixture(app, region, true).await;
            (format!("api/projects/{id}"), json!(null))
        }
        "/api/projects/{id}/stages" => {
            let id = project_fixture(app, region, false).await;
            (
                format!("api/projects/{id}/stages"),
                json!({"stage": "approval", "date": "2024-01-01", "note": "矩阵"}),
            )
        }
        "/api/projects/{id}/payments" => {
            let id = project_fixture(app, region, false).await;
            let (_, line) = ledger_fixture(app, region, MonthState::Draft).await;
            (format!("api/projects/{id}/payments"), json!({"line": line}))
        }
        "/api/projects/{id}/payments/{line}" => {
            let id = project_fixture(app, region, false).await;
            let (_, line) = ledger_fixture(app, region, MonthState::Draft).await;
            let admin = app.db.user_id_by_mobile("13800000009").await.unwrap().unwrap();
            assert!(app.db.link_payment(id, line, admin).await.unwrap());
            (format!("api/projects/{id}/payments/{line}"), json!(null))
        }
        "/api/disclosures/{id}/questions" => {
            let (id, _) = disclosure_fixture(app, region, EntryState::Published, false).await;
            (format!("api/disclosures/{id}/questions"), json!({"text": "为什么？"}))
        }
        "/api/disclosure-questions/{id}/answer" => {
            let (id, _) = disclosure_fixture(app, region, EntryState::Published, false).await;
            let asker = app.db.user_id_by_mobile("13800000001").await.unwrap().unwrap();
            assert!(
                app.db
                    .ask_about_entry(id, asker, "为什么？", chrono::Utc::now())
                    .await
                    .unwrap()
            );
            let q = app.db.entry_questions(&[id]).await.unwrap()[0].1.id;
            (
                format!("api/disclosure-questions/{q}/answer"),
                json!({"text": "因为。"}),
            )
        }
        "/api/disclosures/{id}/files" => {
            let (id, _) = disclosure_fixture(app, region, EntryState::Draft, false).await;
            raw = Some(png());
            (format!("api/disclosures/{id}/files"), json!(null))
        }
        "/api/disclosure-files/{id}/{variant}" => {
            let (_, file) = disclosure_fixture(app, region, EntryState::Published, true).await;
            (format!("api/disclosure-files/{}/thumb", file.unwrap()), json!(null))
        }
        "/api/disclosure-files/{id}" => {
            let (_, file) = disclosure_fixture(app, region, EntryState::Draft, true).await;
            (format!("api/disclosure-files/{}", file.unwrap()), json!(null))
        }
        "/api/demand-photos/{id}/{variant}" => {
            let (_, photo) = demand_fixture(app, region).await;
            (format!("api/demand-photos/{photo}/thumb"), json!(null))
        }
        "/api/regions/{code}/demands" if ep.method == "POST" => (
            format!("api/regions/{region}/demands"),
            json!({"text": "水管漏水", "class": "service", "subcategory": "水电气", "public": false, "idempotency_key": Uuid::new_v4()}),
        ),
        "/api/regions/{code}/demands/similar" => {
            (format!("api/regions/{region}/demands/similar?text=路灯"), json!(null))
        }
        "/api/regions/{code}/demand-limits" if ep.method == "PUT" => (
            format!("api/regions/{region}/demand-limits"),
            json!({"village": 3, "township": 5, "county": 10, "city": 15}),
        ),
        "/api/session" => (
            ep.path[1..].to_owned(),
            json!({"mobile": format!("139{:08}", n), "password": "not-the-password"}),
        ),
        "/api/registrations" => (
            ep.path[1..].to_owned(),
            json!({"invite_code": "ABCD-EFGH", "name": "某", "mobile": format!("137{:08}", n), "password": "password-1"}),
        ),
        "/api/password-resets" => (
            ep.path[1..].to_owned(),
            json!({"mobile": format!("139{:08}", n), "code": "ABCD-EFGH", "password": "password-1"}),
        ),
        "/api/wechat/session" | "/api/wechat/unbind" => (ep.path[1..].to_owned(), json!({"code": "0a1b2c3d"})),
        "/api/wechat/subscriptions" => (ep.path[1..].to_owned(), json!({"code": "0a1b2c3d", "accepted": []})),
        "/api/wechat/bind" => (
            ep.path[1..].to_owned(),
            json!({"bind": "not-a-token", "mobile": format!("139{:08}", n), "password": "not-the-password"}),
        ),
        "/api/report-offices" => ("api/report-offices?village=359901101201".to_owned(), json!(null)),
        "/api/report-counts" => (format!("api/report-counts?region={region}"), json!(null)),
        "/api/reports" => (ep.path[1..].to_owned(), json!({"not": "a report"})),
        "/api/report-receipt/messages" => (ep.path[1..].to_owned(), json!({"body": b64(60)})),
        "/api/report-receipt/files" => {
            raw = Some(vec![1; 100]);
            (ep.path[1..].to_owned(), json!(null))
        }
        "/api/report-receipt/files/{id}" => (format!("api/report-receipt/files/{}", Uuid::new_v4()), json!(null)),
        p if p.starts_with("/api/offices/") => {
            let (report, file) = office_fixture(app, region).await;
            // The actor enrols first where they may, as an inspector would.
            let enrol = json!({"public_key": b64(32), "signing_key": b64(32), "locked_secret": b64(72), "salt": b64(16), "memory_kib": 8192, "passes": 1});
            if p != "/api/offices/{code}/members" {
                let _ = client
                    .post(app.url(&format!("api/offices/{region}/members")))
                    .json(&enrol)
                    .send()
                    .await
                    .unwrap();
            }
            let keys = if region.level() == RegionLevel::Village {
                Vec::new()
            } else {
                app.db.office_keys(region).await.unwrap()
            };
            let members = if region.level() == RegionLevel::Village {
                Vec::new()
            } else {
                app.db.office_members(region).await.unwrap()
            };
            let someone = members.first().map(|m| m.account_id).unwrap_or_default();
            let body = match p {
                "/api/offices/{code}/members" => enrol,
                "/api/offices/{code}/setup" => {
                    let admission = json!({"member": someone, "public_key": b64(32), "signing_key": b64(32), "by": null, "at_ms": 0, "signature": b64(64)});
                    json!({"public_key": b64(32), "recovery_public_key": b64(32), "my_wrap": b64(80), "recovery_wrap": b64(80),
                           "recovery_signing_key": b64(32), "key_signature": b64(64), "admission": admission})
                }
                // An enrolled member without the keys lets themself in with the office's
                // recovery code: the recovery key signs their keys.
                "/api/offices/{code}/grants" => {
                    let me = client.get(app.url("api/me")).send().await.unwrap();
                    let me: Uuid = if me.status() == 200 {
                        serde_json::from_value(json::<serde_json::Value>(me).await["id"].clone()).unwrap()
                    } else {
                        someone
                    };
                    let a = sunlight_seal::Admission::sign(
                        region.as_str(),
                        me,
                        [7; 32],
                        [7; 32],
                        0,
                        sunlight_seal::AdmittedBy::Recovery,
                        &fixture_recovery().signer(),
                    );
                    let admission = json!({"member": me, "public_key": b64(32), "signing_key": b64(32), "by": null,
                                           "at_ms": 0, "signature": sunlight_seal::b64(&a.signature)});
                    json!({"member": me, "wraps": keys.iter().map(|k| json!({"key_id": k.id, "sealed": b64(80)})).collect::<Vec<_>>(),
                           "admission": admission})
                }
                "/api/offices/{code}/removals" => {
                    json!({"member": someone, "public_key": b64(32), "key_signature": b64(64), "wraps": [], "recovery_wrap": b64(80), "admissions": []})
                }
                "/api/offices/{code}/reports/{id}/messages" => json!({"body": b64(60)}),
                "/api/offices/{code}/reports/{id}/status" => json!({"status": "accepted"}),
                "/api/offices/{code}/reports/{id}/assignee" => json!({"assignee": null}),
                "/api/offices/{code}/reports/{id}/transfer" => {
                    let to = region.parent().unwrap_or_else(|| code("359901000000"));
                    office_fixture(app, &to).await;
                    let key = app.db.active_office_key(&to).await.unwrap().unwrap();
                    json!({"to": to, "key_id": key.id, "sealed_key": b64(80)})
                }
                _ => json!(null),
            };
            let path = p[1..]
                .replace("{code}", region.as_str())
                .replace("{id}", &report.to_string())
                .replace("{file}", &file.to_string());
            (path, body)
        }
        p => (p[1..].replace("{code}", region.as_str()), json!(null)),
    };
    let method = Method::from_bytes(ep.method.as_bytes()).unwrap();
    // Each call comes from its own address behind the trusted proxy, so the sign-in rate
    // limits (tested elsewhere) never decide a cell.
    let mut req = client
        .request(method.clone(), app.url(&path))
        .header(sunlight_api::CSRF_HEADER, "1")
        .header("x-forwarded-for", format!("198.51.100.{}", n % 250));
    if let Some(bytes) = raw {
        req = req.body(bytes);
    } else if method == Method::POST || method == Method::PUT {
        req = req.json(&body);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn run_matrix(app: TestApp) {
    app.demo().await;
    // The ledger fixtures' months (2030 on) have ended and their lines are not in the future.
    app.set_today("2099-12-31");
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut not_applicable = 0;
    for (i, (role, home)) in ACTORS.iter().copied().enumerate() {
        let home = code(home);
        let user = app.account(&format!("130{:08}", i), role, home.as_str(), None).await;
        for ep in ENDPOINTS {
            for w in WHERES {
                let Some(region) = region_at(&home, w) else {
                    not_applicable += 1;
                    continue;
                };
                if matches!(ep.target, Target::InVillage | Target::PublicInVillage)
                    && region.level() != RegionLevel::Village
                {
                    // Households, invites and villagers exist only in villages.
                    not_applicable += 1;
                    continue;
                }
                // A fresh session per cell, so signing out in one cell does not affect others.
                let client = app.session_for(user).await;
                let want = expected(ep, role, &home, w, &region);
                let got = call(&app, &client, ep, &region).await;
                cells += 1;
                if got != want {
                    failures.push(format!(
                        "{role:?} {w:?} ({region}) {} {}: want {want}, got {got}",
                        ep.method, ep.path
                    ));
                }
            }
        }
    }
    // Nobody signed in: every endpoint that is not public wants a session.
    let anonymous = client();
    for ep in ENDPOINTS {
        let want = match ep.target {
            Target::Public(s) => s,
            Target::PublicVillage | Target::PublicInVillage | Target::PublicCounty | Target::PublicInCounty => {
                ep.success
            }
            _ => 401,
        };
        let at = if ep.target == Target::PublicCounty {
            "359901000000"
        } else {
            "359901101201"
        };
        let got = call(&app, &anonymous, ep, &code(at)).await;
        cells += 1;
        if got != want {
            failures.push(format!("anonymous {} {}: want {want}, got {got}", ep.method, ep.path));
        }
    }
    eprintln!("authorization matrix: {cells} cells checked, {not_applicable} not applicable");
    assert!(cells > 500, "the matrix shrank to {cells} cells");
    assert!(
        failures.is_empty(),
        "{} matrix cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn behind_proxy() -> Options {
    Options {
        trusted_proxy: Some([127, 0, 0, 1].into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_sqlite() {
    run_matrix(TestApp::spawn_with(Backend::Sqlite, behind_proxy()).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn matrix_postgres() {
    let app = TestApp::spawn_with(Backend::Postgres, behind_proxy())
        .await
        .expect("TEST_POSTGRES_URL is set at run time too");
    run_matrix(app).await;
}

#[test]
fn every_endpoint_has_a_matrix_row() {
    let doc = serde_json::to_value(sunlight_server::http::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let in_matrix: BTreeSet<String> = ENDPOINTS.iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    let missing: Vec<_> = documented.difference(&in_matrix).collect();
    let stale: Vec<_> = in_matrix.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the authorization matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for endpoints that do not exist: {stale:?}"
    );
}

#[test]
fn the_region_relations_are_what_they_say() {
    let v = code("359901101201");
    assert_eq!(region_at(&v, Where::Sibling), Some(code("359901101202")));
    assert_eq!(region_at(&v, Where::Ancestor), Some(code("359901101000")));
    let t = code("359901101000");
    assert_eq!(region_at(&t, Where::Descendant), Some(v.clone()));
    assert_eq!(region_at(&t, Where::Sibling), Some(code("359901102000")));
    assert!(!t.contains(&code("359901102000")) && t.contains(&v));
}
