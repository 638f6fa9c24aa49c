//! Private reports: an office sets up its keys, a filer files with nothing but a receipt
//! code, the office reads and answers in its own "browser" (the same sealing code the
//! client runs), members come and go, reports move between offices, and none of the
//! report's words ever reach the database, its files or the logs in the clear.

use std::sync::{Arc, Mutex, OnceLock};

use reqwest::{Client, StatusCode};
use serde_json::json;
use sunlight_api::Role;
use sunlight_api::report::{
    Category, Challenge, FileHeader, Filed, Identity, InboxItem, MessageContent, OfficeCounts, OfficeKeyInfo,
    OfficeReport, OfficeState, RECEIPT_HEADER, ReceiptView, ReportContent, ReportStatus, SubjectLevel,
};
use sunlight_seal::{
    Admission, AdmittedBy, KdfParams, Key, KeyPair, Receipt, RecoveryCode, Signer, b64, lock, new_key, open_sealed_key,
    passphrase_key, pow_solve, seal_key,
    trust::{sign_office_key, verify_members},
    unb64, unlock, unlock_key,
};
use sunlight_server::on_pool;
use uuid::Uuid;

use super::*;

const VILLAGE: &str = "359901101201";
const TOWNSHIP: &str = "359901101000";
const COUNTY: &str = "359901000000";
/// Words that must never be stored or logged in the clear.
const MARKER: &str = "MARKER-7f3a-陈某挪用修路款";
const FILER_NAME: &str = "林举报";
const FILER_ID: &str = "11010519491231002X";

fn os(buf: &mut [u8]) {
    getrandom::fill(buf).unwrap();
}

/// Cheap Argon2 settings so the tests stay quick; the phone uses `KdfParams::DEFAULT`.
const FAST: KdfParams = KdfParams {
    memory_kib: 8 * 1024,
    passes: 1,
};

/// An inspector with a browser: their session and, once unlocked, their own key pair.
struct Inspector {
    id: Uuid,
    client: Client,
    keys: KeyPair,
}

impl Inspector {
    async fn new(app: &TestApp, mobile: &str, region: &str) -> Inspector {
        let id = app.account(mobile, Role::Inspector, region, None).await;
        Inspector {
            id,
            client: app.session_for(id).await,
            keys: KeyPair::generate(&mut os),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, app: &TestApp, path: &str) -> T {
        let res = self.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        json(res).await
    }

    async fn post(&self, app: &TestApp, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client.post(app.url(path)).json(&body).send().await.unwrap()
    }

    /// Enrols with a passphrase, as the office page does.
    async fn enroll(&self, app: &TestApp, office: &str, passphrase: &str) {
        let mut salt = [0u8; 16];
        os(&mut salt);
        let wrap = passphrase_key(passphrase, &salt, FAST).unwrap();
        let res = self
            .post(
                app,
                &format!("api/offices/{office}/members"),
                json!({"public_key": b64(&self.keys.public()), "signing_key": b64(&self.keys.signer().public()),
                       "locked_secret": b64(&sunlight_seal::lock_key(&wrap, self.keys.secret(), &mut os)),
                       "salt": b64(&salt), "memory_kib": FAST.memory_kib, "passes": FAST.passes}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    /// Unlocks their own key from the server's copy with the passphrase.
    async fn unlock(&self, app: &TestApp, office: &str, passphrase: &str) -> Result<KeyPair, sunlight_seal::OpenError> {
        let state: OfficeState = self.get(app, &format!("api/offices/{office}")).await;
        let me = state.me.expect("enrolled");
        let salt: [u8; 16] = unb64(&me.salt).unwrap().try_into().unwrap();
        let params = KdfParams {
            memory_kib: me.memory_kib,
            passes: me.passes,
        };
        let wrap = passphrase_key(passphrase, &salt, params)?;
        Ok(KeyPair::from_secret(unlock_key(
            &wrap,
            &unb64(&me.locked_secret).unwrap(),
        )?))
    }

    /// The office's key pairs this inspector holds, by key id.
    async fn office_keys(&self, app: &TestApp, office: &str) -> Vec<(Uuid, KeyPair)> {
        let state: OfficeState = self.get(app, &format!("api/offices/{office}")).await;
        state
            .me
            .map(|m| m.wraps)
            .unwrap_or_default()
            .iter()
            .map(|w| {
                let secret = open_sealed_key(&self.keys, &unb64(&w.sealed).unwrap()).expect("my wrap opens");
                (w.key_id, KeyPair::from_secret(secret))
            })
            .collect()
    }

    /// Sets up the office; returns its recovery code.
    async fn setup(&self, app: &TestApp, office: &str) -> RecoveryCode {
        let office_keys = KeyPair::generate(&mut os);
        let recovery = RecoveryCode::generate(&mut os);
        let res = self
            .post(
                app,
                &format!("api/offices/{office}/setup"),
                json!({"public_key": b64(&office_keys.public()), "recovery_public_key": b64(&recovery.key_pair().public()),
                   "my_wrap": b64(&seal_key(&self.keys.public(), office_keys.secret(), &mut os)),
                   "recovery_wrap": b64(&seal_key(&recovery.key_pair().public(), office_keys.secret(), &mut os)),
                   "recovery_signing_key": b64(&recovery.signer().public()),
                   "key_signature": b64(&sign_office_key(office, &office_keys.public(), &self.keys.signer())),
                   "admission": admission(office, self.id, &self.keys, AdmittedBy::Recovery, &recovery.signer())}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        recovery
    }

    /// This member signs `newcomer` in and seals every office key they hold to them.
    async fn grant(&self, app: &TestApp, office: &str, newcomer: &Inspector) -> reqwest::Response {
        let wraps: Vec<_> = self
            .office_keys(app, office)
            .await
            .iter()
            .map(|(id, pair)| json!({"key_id": id, "sealed": b64(&seal_key(&newcomer.keys.public(), pair.secret(), &mut os))}))
            .collect();
        let admission = admission(
            office,
            newcomer.id,
            &newcomer.keys,
            AdmittedBy::Member(self.id),
            &self.keys.signer(),
        );
        self.post(
            app,
            &format!("api/offices/{office}/grants"),
            json!({"member": newcomer.id, "wraps": wraps, "admission": admission}),
        )
        .await
    }

    /// Opens a report: its content key and what it says.
    async fn read(&self, app: &TestApp, office: &str, id: Uuid) -> (Key, ReportContent, OfficeReport) {
        let report: OfficeReport = self.get(app, &format!("api/offices/{office}/reports/{id}")).await;
        let keys = self.office_keys(app, office).await;
        let (_, pair) = keys
            .iter()
            .find(|(k, _)| *k == report.key_id)
            .expect("I hold the report's office key");
        let content_key = open_sealed_key(pair, &unb64(&report.sealed_key).unwrap()).unwrap();
        let body = unlock(&content_key, &unb64(&report.body).unwrap()).unwrap();
        (content_key, serde_json::from_slice(&body).unwrap(), report)
    }
}

/// An admission of `member`'s keys into `office`, as a browser signs it.
fn admission(office: &str, member: Uuid, keys: &KeyPair, by: AdmittedBy, signer: &Signer) -> serde_json::Value {
    let a = Admission::sign(
        office,
        member,
        keys.public(),
        keys.signer().public(),
        1_780_000_000_000,
        by,
        signer,
    );
    json!({"member": a.member, "public_key": b64(&a.public_key), "signing_key": b64(&a.signing_key),
           "by": match a.by { AdmittedBy::Recovery => None, AdmittedBy::Member(m) => Some(m) },
           "at_ms": a.at_ms, "signature": b64(&a.signature)})
}

/// Served admissions, decoded as a browser does.
fn decode(list: &[sunlight_api::report::SignedAdmission]) -> Vec<Admission> {
    list.iter()
        .map(|a| Admission {
            member: a.member,
            public_key: unb64(&a.public_key).unwrap().try_into().unwrap(),
            signing_key: unb64(&a.signing_key).unwrap().try_into().unwrap(),
            by: a.by.map_or(AdmittedBy::Recovery, AdmittedBy::Member),
            at_ms: a.at_ms,
            signature: unb64(&a.signature).unwrap().try_into().unwrap(),
        })
        .collect()
}

/// Who each member of the office is proven to be admitted by, as a browser checks it from
/// what the server serves (`None`: unproven).
fn proven(state: &OfficeState, root: &Key) -> Vec<(Uuid, Option<AdmittedBy>)> {
    let admissions = decode(&state.admissions);
    let members: Vec<_> = state
        .members
        .iter()
        .map(|m| sunlight_seal::MemberKeys {
            account: m.account,
            public_key: unb64(&m.public_key).unwrap().try_into().unwrap(),
            signing_key: m.signing_key.as_ref().map(|k| unb64(k).unwrap().try_into().unwrap()),
        })
        .collect();
    let by = verify_members(state.code.as_str(), root, &admissions, &members);
    state.members.iter().map(|m| m.account).zip(by).collect()
}

/// A filer's phone: the report, the content key and the receipt code.
struct Filing {
    receipt: Receipt,
    content_key: Key,
    idempotency_key: Uuid,
    office: String,
    key_id: Uuid,
    office_public: Key,
}

fn content(anonymous: bool) -> ReportContent {
    ReportContent {
        identity: (!anonymous).then(|| Identity {
            name: FILER_NAME.into(),
            id_card: FILER_ID.into(),
            mobile: "13912345678".into(),
        }),
        subject_name: "陈某".into(),
        subject_post: "村主任".into(),
        subject_level: SubjectLevel::Village,
        village: code(VILLAGE),
        village_name: "上坪村".into(),
        category: Category::Funds,
        text: format!("{MARKER}：修路款二十万元去向不明。"),
    }
}

/// Prepares a filing to the office at `level` above the village, as the phone does.
async fn prepare(app: &TestApp, office: &str) -> Filing {
    let offices: Vec<OfficeKeyInfo> = json(app.get(&format!("api/report-offices?village={VILLAGE}")).await).await;
    let o = offices
        .iter()
        .find(|o| o.code.as_str() == office)
        .expect("office listed");
    Filing {
        receipt: Receipt::generate(&mut os),
        content_key: new_key(&mut os),
        idempotency_key: Uuid::new_v4(),
        office: office.into(),
        key_id: o.key_id.expect("office ready"),
        office_public: unb64(o.public_key.as_ref().unwrap()).unwrap().try_into().unwrap(),
    }
}

async fn send(app: &TestApp, f: &Filing, what: &ReportContent) -> reqwest::Response {
    let challenge: Challenge = json(app.post("api/report-challenges", &json!({})).await).await;
    let nonce = pow_solve(&challenge.challenge, challenge.bits);
    let body = json!({
        "idempotency_key": f.idempotency_key, "office": f.office, "key_id": f.key_id,
        "sealed_key": b64(&seal_key(&f.office_public, &f.content_key, &mut os)),
        "filer_key": b64(&sunlight_seal::lock_key(&f.receipt.key(), &f.content_key, &mut os)),
        "body": b64(&lock(&f.content_key, &serde_json::to_vec(what).unwrap(), &mut os)),
        "lookup": f.receipt.lookup(),
        "pow": {"challenge": challenge.challenge, "nonce": nonce},
    });
    client().post(app.url("api/reports")).json(&body).send().await.unwrap()
}

async fn file(app: &TestApp, office: &str, anonymous: bool) -> Filing {
    let f = prepare(app, office).await;
    let res = send(app, &f, &content(anonymous)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    f
}

async fn follow(app: &TestApp, receipt: &Receipt) -> reqwest::Response {
    client()
        .get(app.url("api/report-receipt"))
        .header(RECEIPT_HEADER, receipt.lookup())
        .send()
        .await
        .unwrap()
}

fn read_message(key: &Key, body: &str) -> String {
    let m: MessageContent = serde_json::from_slice(&unlock(key, &unb64(body).unwrap()).unwrap()).unwrap();
    m.text
}

fn message(key: &Key, text: &str) -> String {
    b64(&lock(
        key,
        &serde_json::to_vec(&MessageContent { text: text.into() }).unwrap(),
        &mut os,
    ))
}

/// A township office with its head set up and unlocked.
async fn township_office(app: &TestApp) -> (Inspector, RecoveryCode) {
    app.demo().await;
    let head = Inspector::new(app, "13700000001", TOWNSHIP).await;
    head.enroll(app, TOWNSHIP, "正确的口令 2026").await;
    let recovery = head.setup(app, TOWNSHIP).await;
    (head, recovery)
}

db_test!(filing_following_up_and_the_office_answering, |app| {
    let (head, _) = township_office(&app).await;
    // Before any report, the inbox is empty and the filer's office list shows the key.
    assert!(
        head.get::<Vec<InboxItem>>(&app, &format!("api/offices/{TOWNSHIP}/reports"))
            .await
            .is_empty()
    );
    let f = file(&app, TOWNSHIP, true).await;

    // Evidence: a file encrypted in the phone, header inside.
    let header = FileHeader {
        name: "发票.jpg".into(),
        mime: "image/jpeg".into(),
        reencoded: true,
    };
    let mut plain = serde_json::to_vec(&header).unwrap();
    plain.splice(0..0, (plain.len() as u32).to_le_bytes());
    plain.extend_from_slice(format!("JPEG…{MARKER}").as_bytes());
    let res = client()
        .post(app.url("api/report-receipt/files"))
        .header(RECEIPT_HEADER, f.receipt.lookup())
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(lock(&f.content_key, &plain, &mut os))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // The filer follows up from another phone with nothing but the code.
    let typed = f.receipt.display().to_lowercase();
    let again = Receipt::parse(&typed).unwrap();
    let view: ReceiptView = json(follow(&app, &again).await).await;
    assert_eq!(view.status, ReportStatus::Received);
    assert_eq!(view.office_name, "桃源镇");
    let key = unlock_key(&again.key(), &unb64(&view.filer_key).unwrap()).unwrap();
    let mine: ReportContent = serde_json::from_slice(&unlock(&key, &unb64(&view.body).unwrap()).unwrap()).unwrap();
    assert_eq!(mine, content(true));
    assert_eq!(view.files.len(), 1);

    // The office head unlocks with the passphrase (a wrong one fails) and reads it.
    assert!(head.unlock(&app, TOWNSHIP, "错误的口令").await.is_err());
    assert_eq!(
        head.unlock(&app, TOWNSHIP, "正确的口令 2026").await.unwrap().public(),
        head.keys.public()
    );
    let inbox: Vec<InboxItem> = head.get(&app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    assert_eq!(inbox.len(), 1);
    let id = inbox[0].id;
    let (content_key, read, report) = head.read(&app, TOWNSHIP, id).await;
    assert_eq!(read.text, content(true).text);
    assert!(read.identity.is_none());
    let res = head
        .client
        .get(app.url(&format!(
            "api/offices/{TOWNSHIP}/reports/{id}/files/{}",
            report.files[0].id
        )))
        .send()
        .await
        .unwrap();
    let evidence = unlock(&content_key, &res.bytes().await.unwrap()).unwrap();
    let len = u32::from_le_bytes(evidence[..4].try_into().unwrap()) as usize;
    let got: FileHeader = serde_json::from_slice(&evidence[4..4 + len]).unwrap();
    assert_eq!(got, header);

    // The office answers; accepts (a case number); concluding needs a message.
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/messages"),
            json!({"body": message(&content_key, "请补充付款凭证。")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/status"),
            json!({"status": "concluded"}),
        )
        .await;
    expect_error(res, 422, "invalid").await;
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/status"),
            json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/status"),
            json!({"status": "accepted"}),
        )
        .await;
    expect_error(res, 409, "wrong_state").await;
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/status"),
            json!({"status": "concluded", "message": message(&content_key, "经查属实，已责令退回。")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // The filer sees status, case number and both messages, and writes back.
    let view: ReceiptView = json(follow(&app, &f.receipt).await).await;
    assert_eq!(view.status, ReportStatus::Concluded);
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(view.case_number.as_deref(), Some(format!("{year}-0001").as_str()));
    let texts: Vec<String> = view.messages.iter().map(|m| read_message(&key, &m.body)).collect();
    assert_eq!(texts, ["请补充付款凭证。", "经查属实，已责令退回。"]);
    let res = client()
        .post(app.url("api/report-receipt/messages"))
        .header(RECEIPT_HEADER, f.receipt.lookup())
        .json(&json!({"body": message(&key, "谢谢。")}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // The head's access log has every open, with who and what.
    let log: Vec<sunlight_api::report::AccessEntry> =
        head.get(&app, &format!("api/offices/{TOWNSHIP}/access-log")).await;
    assert!(
        log.iter()
            .any(|e| e.action == "open" && e.report == id && e.who == "测试")
    );
    assert!(log.iter().any(|e| e.action == "file"));
});

db_test!(a_double_tap_files_once_and_bad_filings_are_refused, |app| {
    let (_head, _) = township_office(&app).await;
    let f = prepare(&app, TOWNSHIP).await;
    let first = send(&app, &f, &content(false)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let second = send(&app, &f, &content(false)).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let a: Filed = json(first).await;
    let b: Filed = json(second).await;
    assert_eq!(a.filed_at, b.filed_at);
    let counted =
        on_pool!(&app.db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM reports").fetch_one(p).await)
            .unwrap();
    assert_eq!(counted, 1);
    // The same receipt under another idempotency key is not a retry.
    let clash = Filing {
        idempotency_key: Uuid::new_v4(),
        ..f
    };
    expect_error(send(&app, &clash, &content(false)).await, 409, "conflict").await;

    // No proof of work, a used challenge, a stale key, an office with no key.
    let g = prepare(&app, TOWNSHIP).await;
    let challenge: Challenge = json(app.post("api/report-challenges", &json!({})).await).await;
    let base = json!({
        "idempotency_key": Uuid::new_v4(), "office": TOWNSHIP, "key_id": g.key_id,
        "sealed_key": b64(&[1; 80]), "filer_key": b64(&[1; 72]), "body": b64(&[1; 90]),
        "lookup": g.receipt.lookup(), "pow": {"challenge": challenge.challenge, "nonce": 0},
    });
    let mut wrong_pow = base.clone();
    wrong_pow["pow"]["challenge"] = json!("made-up");
    let e = expect_error(app.post("api/reports", &wrong_pow).await, 422, "invalid").await;
    assert_eq!(e.field.as_deref(), Some("pow"));
    let mut stale = base.clone();
    stale["key_id"] = json!(Uuid::new_v4());
    let e = expect_error(app.post("api/reports", &stale).await, 422, "invalid").await;
    assert_eq!(e.field.as_deref(), Some("key_id"));
    let mut county = base.clone();
    county["office"] = json!(COUNTY);
    let e = expect_error(app.post("api/reports", &county).await, 422, "invalid").await;
    assert_eq!(e.field.as_deref(), Some("key_id"));
    let mut garbage = base.clone();
    garbage["body"] = json!("not base64!");
    let e = expect_error(app.post("api/reports", &garbage).await, 422, "invalid").await;
    assert_eq!(e.field.as_deref(), Some("body"));
    let mut huge = base.clone();
    huge["body"] = json!("A".repeat(sunlight_api::report::MAX_TEXT_B64 + 4));
    let e = expect_error(app.post("api/reports", &huge).await, 422, "invalid").await;
    assert_eq!(e.reason, Some(sunlight_api::error::FieldError::TooLong));

    // An unknown receipt answers 404 with nothing in it; so does a malformed one.
    expect_error(follow(&app, &Receipt::generate(&mut os)).await, 404, "not_found").await;
    let res = client()
        .get(app.url("api/report-receipt"))
        .header(RECEIPT_HEADER, "x")
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;
});

db_test!(higher_offices_count_but_never_read_and_transfers_re_seal, |app| {
    let (head, _) = township_office(&app).await;
    let county = Inspector::new(&app, "13700000002", COUNTY).await;
    county.enroll(&app, COUNTY, "县纪委口令").await;
    let county_recovery = county.setup(&app, COUNTY).await;
    // Before sealing to the county's key, a browser checks it was made by a member the
    // county's admissions prove, back to the county's root.
    let offices: Vec<OfficeKeyInfo> = json(app.get(&format!("api/report-offices?village={VILLAGE}")).await).await;
    let c = offices.iter().find(|o| o.code.as_str() == COUNTY).unwrap();
    let root: Key = unb64(c.root_key.as_ref().unwrap()).unwrap().try_into().unwrap();
    assert_eq!(root, county_recovery.signer().public());
    let decoded = decode(&c.admissions);
    let key: Key = unb64(c.public_key.as_ref().unwrap()).unwrap().try_into().unwrap();
    let signature = unb64(c.key_signature.as_ref().unwrap()).unwrap().try_into().unwrap();
    assert_eq!(c.key_signed_by, Some(county.id));
    assert!(sunlight_seal::trust::verify_office_key(
        COUNTY, &root, &decoded, &key, county.id, &signature
    ));
    // Under another root (an operator's invented chain, as a browser that recorded the
    // real one sees it), the same rows prove nothing.
    let other_root = RecoveryCode::generate(&mut os).signer().public();
    assert!(!sunlight_seal::trust::verify_office_key(
        COUNTY,
        &other_root,
        &decoded,
        &key,
        county.id,
        &signature
    ));
    file(&app, TOWNSHIP, true).await;
    file(&app, TOWNSHIP, false).await;
    let inbox: Vec<InboxItem> = head.get(&app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    let id = inbox[0].id;

    // The county sees numbers for the township, never its reports.
    let counts: Vec<OfficeCounts> = county.get(&app, &format!("api/report-counts?region={COUNTY}")).await;
    let t = counts.iter().find(|c| c.office.as_str() == TOWNSHIP).unwrap();
    assert_eq!((t.received, t.accepted, t.open), (2, 0, 2));
    let res = county
        .client
        .get(app.url(&format!("api/offices/{TOWNSHIP}/reports")))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "forbidden").await;
    let res = county
        .client
        .get(app.url(&format!("api/offices/{TOWNSHIP}/reports/{id}")))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "forbidden").await;
    let res = county
        .client
        .get(app.url(&format!("api/offices/{COUNTY}/reports/{id}")))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;

    // The township moves it up: the content key re-sealed to the county's key.
    let (content_key, _, _) = head.read(&app, TOWNSHIP, id).await;
    let offices: Vec<OfficeKeyInfo> = json(app.get(&format!("api/report-offices?village={VILLAGE}")).await).await;
    let c = offices.iter().find(|o| o.code.as_str() == COUNTY).unwrap();
    let county_public: Key = unb64(c.public_key.as_ref().unwrap()).unwrap().try_into().unwrap();
    let res = head
        .post(&app, &format!("api/offices/{TOWNSHIP}/reports/{id}/transfer"),
            json!({"to": COUNTY, "key_id": c.key_id, "sealed_key": b64(&seal_key(&county_public, &content_key, &mut os))}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, read, _) = county.read(&app, COUNTY, id).await;
    assert!(read.text.contains(MARKER));
    let res = head
        .client
        .get(app.url(&format!("api/offices/{TOWNSHIP}/reports/{id}")))
        .send()
        .await
        .unwrap();
    expect_error(res, 404, "not_found").await;
    // Village cadres, accountants, reviewers and admins of the township get nothing.
    for (mobile, role) in [("13700000011", Role::Cadre), ("13700000012", Role::Accountant)] {
        let who = app.account(mobile, role, VILLAGE, None).await;
        let c = app.session_for(who).await;
        let res = c
            .get(app.url(&format!("api/offices/{TOWNSHIP}/reports")))
            .send()
            .await
            .unwrap();
        expect_error(res, 404, "not_found").await;
    }
    for (mobile, role) in [("13700000013", Role::Reviewer), ("13700000014", Role::Admin)] {
        let who = app.account(mobile, role, TOWNSHIP, None).await;
        let c = app.session_for(who).await;
        let res = c
            .get(app.url(&format!("api/offices/{TOWNSHIP}/reports")))
            .send()
            .await
            .unwrap();
        expect_error(res, 403, "forbidden").await;
        let res = c
            .get(app.url(&format!("api/report-counts?region={TOWNSHIP}")))
            .send()
            .await
            .unwrap();
        expect_error(res, 403, "forbidden").await;
    }
});

db_test!(members_are_let_in_and_removed_and_recovery_opens_every_key, |app| {
    let (head, recovery) = township_office(&app).await;
    let old = file(&app, TOWNSHIP, true).await;
    let other = Inspector::new(&app, "13700000003", TOWNSHIP).await;
    other.enroll(&app, TOWNSHIP, "另一位的口令").await;
    // Enrolled but not let in: holds no office key.
    assert!(other.office_keys(&app, TOWNSHIP).await.is_empty());
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let pending = state.members.iter().find(|m| m.account == other.id).unwrap();
    assert!(!pending.granted);
    // Someone without the keys cannot let anyone in, even with well-formed copies.
    let third = Inspector::new(&app, "13700000004", TOWNSHIP).await;
    third.enroll(&app, TOWNSHIP, "第三位的口令").await;
    let keys_now: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let forged: Vec<_> = keys_now
        .keys
        .iter()
        .map(|k| json!({"key_id": k.id, "sealed": b64(&[9; 80])}))
        .collect();
    let signed = admission(
        TOWNSHIP,
        other.id,
        &other.keys,
        AdmittedBy::Member(third.id),
        &third.keys.signer(),
    );
    let res = third
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/grants"),
            json!({"member": other.id, "wraps": forged, "admission": signed}),
        )
        .await;
    expect_error(res, 403, "key_not_held").await;
    // The head checks the fingerprint, signs the newcomer in and seals every office key
    // to them.
    assert_eq!(pending.fingerprint, sunlight_seal::fingerprint(&other.keys.public()));
    let res = head.grant(&app, TOWNSHIP, &other).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let root = recovery.signer().public();
    let by = proven(&state, &root);
    assert!(by.contains(&(head.id, Some(AdmittedBy::Recovery))), "{by:?}");
    assert!(by.contains(&(other.id, Some(AdmittedBy::Member(head.id)))), "{by:?}");
    assert!(by.contains(&(third.id, None)), "{by:?}");
    let inbox: Vec<InboxItem> = other.get(&app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    let (_, read, _) = other.read(&app, TOWNSHIP, inbox[0].id).await;
    assert!(read.text.contains(MARKER));
    // A member with the keys cannot replace the copies another already holds.
    let forged: Vec<_> = keys_now
        .keys
        .iter()
        .map(|k| json!({"key_id": k.id, "sealed": b64(&[9; 80])}))
        .collect();
    let signed = admission(
        TOWNSHIP,
        head.id,
        &head.keys,
        AdmittedBy::Member(other.id),
        &other.keys.signer(),
    );
    let res = other
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/grants"),
            json!({"member": head.id, "wraps": forged, "admission": signed}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        head.office_keys(&app, TOWNSHIP).await.len(),
        1,
        "the head's copy still opens"
    );
    // A member who is not head cannot remove anyone or read the access log.
    let res = other
        .client
        .get(app.url(&format!("api/offices/{TOWNSHIP}/access-log")))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "forbidden").await;

    // The head removes them: a new office key for new reports, the removed member's copies
    // gone, and the head still reads old and new reports.
    let new_office = KeyPair::generate(&mut os);
    let res = head
        .post(&app, &format!("api/offices/{TOWNSHIP}/removals"), json!({
            "member": other.id, "public_key": b64(&new_office.public()),
            "key_signature": b64(&sign_office_key(TOWNSHIP, &new_office.public(), &head.keys.signer())),
            "wraps": [{"member": head.id, "sealed": b64(&seal_key(&head.keys.public(), new_office.secret(), &mut os))}],
            "recovery_wrap": b64(&seal_key(&recovery.key_pair().public(), new_office.secret(), &mut os)),
            "admissions": [],
        }))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    assert_eq!(state.keys.len(), 2);
    assert!(state.members.iter().all(|m| m.account != other.id));
    assert_eq!(state.keys.iter().filter(|k| k.active).count(), 1);
    let new = file(&app, TOWNSHIP, false).await;
    assert_ne!(new.key_id, old.key_id);
    assert!(other.office_keys(&app, TOWNSHIP).await.is_empty());
    let inbox: Vec<InboxItem> = head.get(&app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    assert_eq!(inbox.len(), 2);
    for item in &inbox {
        let (_, read, _) = head.read(&app, TOWNSHIP, item.id).await;
        assert!(read.text.contains(MARKER));
    }
    // The printed recovery code opens every key the office ever had.
    let typed = RecoveryCode::parse(&recovery.display().to_lowercase()).unwrap();
    assert_eq!(state.recovery_wraps.len(), 2);
    for w in &state.recovery_wraps {
        open_sealed_key(&typed.key_pair(), &unb64(&w.sealed).unwrap()).unwrap();
    }
    assert_eq!(
        state.recovery_fingerprint,
        Some(sunlight_seal::fingerprint(&typed.key_pair().public()))
    );
});

/// Everything the server process logs, at every level, from the moment a test installs it.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || Writer(sink.clone()))
            .finish();
        // Nothing else in this process installs a subscriber; the test asserts the log filled.
        let _ = tracing::subscriber::set_global_default(subscriber);
        buf
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The clear words of a filing, and their hex (how a dump shows binary columns).
fn secrets() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for s in [MARKER, FILER_NAME, FILER_ID, "13912345678"] {
        out.push(s.as_bytes().to_vec());
        out.push(sunlight_seal::hex(s.as_bytes()).into_bytes());
    }
    out
}

async fn file_everything(app: &TestApp) {
    let (head, _) = township_office(app).await;
    let f = file(app, TOWNSHIP, false).await;
    let res = client()
        .post(app.url("api/report-receipt/messages"))
        .header(RECEIPT_HEADER, f.receipt.lookup())
        .json(&json!({"body": message(&f.content_key, MARKER)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = client()
        .post(app.url("api/report-receipt/files"))
        .header(RECEIPT_HEADER, f.receipt.lookup())
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(lock(&f.content_key, MARKER.as_bytes(), &mut os))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let inbox: Vec<InboxItem> = head.get(app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    let (key, read, _) = head.read(app, TOWNSHIP, inbox[0].id).await;
    assert!(read.text.contains(MARKER), "the office reads what was filed");
    let res = head
        .post(
            app,
            &format!("api/offices/{TOWNSHIP}/reports/{}/messages", inbox[0].id),
            json!({"body": message(&key, MARKER)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_word_of_a_report_reaches_the_sqlite_files_or_the_logs() {
    let logs = captured_logs();
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    file_everything(&app).await;
    // Every file under the data directory: the database, its WAL and shared memory, uploads.
    let mut files = 0;
    let mut stack = vec![app.dir.path().to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            files += 1;
            for s in secrets() {
                assert!(
                    !contains(&bytes, &s),
                    "{} holds {:?}",
                    path.display(),
                    String::from_utf8_lossy(&s)
                );
            }
        }
    }
    assert!(files >= 2, "the database and its WAL were read ({files} files)");
    let logs = logs.lock().unwrap().clone();
    assert!(contains(&logs, b"/api/reports"), "the request log was captured");
    for s in secrets() {
        assert!(!contains(&logs, &s), "the logs hold {:?}", String::from_utf8_lossy(&s));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn no_word_of_a_report_reaches_a_postgres_dump() {
    let app = TestApp::spawn(Backend::Postgres)
        .await
        .expect("TEST_POSTGRES_URL is set at run time too");
    file_everything(&app).await;
    let url = match &app.db {
        sunlight_server::db::Db::Postgres(p) => {
            let opts = p.connect_options();
            format!(
                "postgres://{}@{}:{}/{}",
                opts.get_username(),
                opts.get_host(),
                opts.get_port(),
                opts.get_database().unwrap_or("postgres")
            )
        }
        _ => unreachable!(),
    };
    let out = std::process::Command::new("pg_dump")
        .args(["--data-only", "--dbname", &url])
        .output()
        .expect("pg_dump runs (it comes with PostgreSQL's client)");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        contains(&out.stdout, b"COPY public.reports"),
        "the dump has the reports table"
    );
    for s in secrets() {
        assert!(
            !contains(&out.stdout, &s),
            "the dump holds {:?}",
            String::from_utf8_lossy(&s)
        );
    }
}

db_test!(filings_and_wrong_codes_are_rate_limited_per_address, |app| {
    let (_head, _) = township_office(&app).await;
    // Twenty filings from one address in a quarter of an hour, then a wait.
    for _ in 0..20 {
        let f = prepare(&app, TOWNSHIP).await;
        assert_eq!(send(&app, &f, &content(true)).await.status(), StatusCode::CREATED);
    }
    let f = prepare(&app, TOWNSHIP).await;
    let e = expect_error(send(&app, &f, &content(true)).await, 429, "rate_limited").await;
    assert!(e.retry_after.unwrap_or(0) > 0);
    // Thirty wrong receipt codes, then a wait; nothing tells a guess from a typo.
    for _ in 0..30 {
        expect_error(follow(&app, &Receipt::generate(&mut os)).await, 404, "not_found").await;
    }
    expect_error(follow(&app, &Receipt::generate(&mut os)).await, 429, "rate_limited").await;
});

const GRANTS: &str = "api/offices/359901101000/grants";

/// Copies of every office key that open nothing: what an intruder posts as his own.
fn random_wraps(state: &OfficeState) -> Vec<serde_json::Value> {
    state
        .keys
        .iter()
        .map(|k| json!({"key_id": k.id, "sealed": b64(&[9; 80])}))
        .collect()
}

// An administrator makes himself an inspector of the office, enrols, and posts random bytes
// as his own copies of the office keys. Nobody lets themself in: the server refuses, and
// no admission chain would prove him to a browser anyway.
db_test!(an_inspector_cannot_give_themself_the_office_keys, |app| {
    let (head, recovery) = township_office(&app).await;
    let intruder = Inspector::new(&app, "13700000009", TOWNSHIP).await;
    intruder.enroll(&app, TOWNSHIP, "管理员自己的口令").await;
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    // Signed by himself, as if a member.
    let own = admission(
        TOWNSHIP,
        intruder.id,
        &intruder.keys,
        AdmittedBy::Member(intruder.id),
        &intruder.keys.signer(),
    );
    let res = intruder
        .post(
            &app,
            GRANTS,
            json!({"member": intruder.id, "wraps": random_wraps(&state), "admission": own}),
        )
        .await;
    expect_error(res, 403, "grant_to_self").await;
    // In the recovery key's name, without the recovery code.
    let fake = RecoveryCode::generate(&mut os).signer();
    let res = intruder
        .post(
            &app,
            GRANTS,
            json!({"member": intruder.id, "wraps": random_wraps(&state),
            "admission": admission(TOWNSHIP, intruder.id, &intruder.keys, AdmittedBy::Recovery, &fake)}),
        )
        .await;
    expect_error(res, 422, "invalid").await;
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let listed = state.members.iter().find(|m| m.account == intruder.id).unwrap();
    assert!(!listed.granted, "no copies were stored");
    assert!(intruder.office_keys(&app, TOWNSHIP).await.is_empty());
    assert!(proven(&state, &recovery.signer().public()).contains(&(intruder.id, None)));
});

// A member gives only office keys they hold themself: a grant that names a key version
// they lack is refused whole, and the newcomer gets nothing.
db_test!(a_member_gives_only_keys_they_hold, |app| {
    let (head, _) = township_office(&app).await;
    let member = Inspector::new(&app, "13700000003", TOWNSHIP).await;
    member.enroll(&app, TOWNSHIP, "成员自己的口令").await;
    assert_eq!(
        head.grant(&app, TOWNSHIP, &member).await.status(),
        StatusCode::NO_CONTENT
    );
    // The member's copy of the only key version goes missing (as after a lost row).
    let key_id = app.db.active_office_key(&code(TOWNSHIP)).await.unwrap().unwrap().id;
    on_pool!(&app.db, p => sqlx::query("DELETE FROM office_key_wraps WHERE key_id = $1 AND holder = $2")
        .bind(key_id)
        .bind(member.id)
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
    let newcomer = Inspector::new(&app, "13700000004", TOWNSHIP).await;
    newcomer.enroll(&app, TOWNSHIP, "新成员的口令").await;
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let signed = admission(
        TOWNSHIP,
        newcomer.id,
        &newcomer.keys,
        AdmittedBy::Member(member.id),
        &member.keys.signer(),
    );
    let res = member
        .post(
            &app,
            GRANTS,
            json!({"member": newcomer.id, "wraps": random_wraps(&state), "admission": signed}),
        )
        .await;
    expect_error(res, 403, "key_not_held").await;
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    assert!(
        state.admissions.iter().all(|a| a.member != newcomer.id),
        "no admission stored"
    );
    assert!(newcomer.office_keys(&app, TOWNSHIP).await.is_empty());
    // An admission signed by someone other than the granter is refused too.
    let wrong = admission(
        TOWNSHIP,
        newcomer.id,
        &newcomer.keys,
        AdmittedBy::Member(head.id),
        &member.keys.signer(),
    );
    let res = head
        .post(
            &app,
            GRANTS,
            json!({"member": newcomer.id, "wraps": random_wraps(&state), "admission": wrong}),
        )
        .await;
    expect_error(res, 422, "invalid").await;
});

// A member who forgot their passphrase enrols again and lets themself back in with the
// printed recovery code: the recovery key signs their new keys.
db_test!(the_recovery_code_lets_a_member_back_in, |app| {
    let (mut head, recovery) = township_office(&app).await;
    file(&app, TOWNSHIP, true).await;
    head.keys = KeyPair::generate(&mut os);
    head.enroll(&app, TOWNSHIP, "新的口令 2026 年").await;
    assert!(head.office_keys(&app, TOWNSHIP).await.is_empty());
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let root = recovery.signer().public();
    assert!(
        proven(&state, &root).contains(&(head.id, None)),
        "new keys are not yet admitted"
    );
    let wraps: Vec<_> = state
        .recovery_wraps
        .iter()
        .map(|w| {
            let secret = open_sealed_key(&recovery.key_pair(), &unb64(&w.sealed).unwrap()).unwrap();
            json!({"key_id": w.key_id, "sealed": b64(&seal_key(&head.keys.public(), &secret, &mut os))})
        })
        .collect();
    let res = head
        .post(
            &app,
            GRANTS,
            json!({"member": head.id, "wraps": wraps,
            "admission": admission(TOWNSHIP, head.id, &head.keys, AdmittedBy::Recovery, &recovery.signer())}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    assert!(proven(&state, &root).contains(&(head.id, Some(AdmittedBy::Recovery))));
    let inbox: Vec<InboxItem> = head.get(&app, &format!("api/offices/{TOWNSHIP}/reports")).await;
    let (_, read, _) = head.read(&app, TOWNSHIP, inbox[0].id).await;
    assert!(read.text.contains(MARKER));
});

// The head removes a member who had let someone in: the head signs the remaining members
// in again, and seals the new office key to proven members only, never to one whose copies
// the server merely lists.
db_test!(removal_seals_to_proven_members_only, |app| {
    let (head, recovery) = township_office(&app).await;
    let (a, b) = (
        Inspector::new(&app, "13700000003", TOWNSHIP).await,
        Inspector::new(&app, "13700000004", TOWNSHIP).await,
    );
    a.enroll(&app, TOWNSHIP, "甲的口令甲的口令").await;
    b.enroll(&app, TOWNSHIP, "乙的口令乙的口令").await;
    assert_eq!(head.grant(&app, TOWNSHIP, &a).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(a.grant(&app, TOWNSHIP, &b).await.status(), StatusCode::NO_CONTENT);
    // An intruder whose copies were written straight into the database.
    let intruder = Inspector::new(&app, "13700000009", TOWNSHIP).await;
    intruder.enroll(&app, TOWNSHIP, "管理员自己的口令").await;
    let key_id = app.db.active_office_key(&code(TOWNSHIP)).await.unwrap().unwrap().id;
    on_pool!(&app.db, p => sqlx::query("INSERT INTO office_key_wraps (key_id, holder, sealed) VALUES ($1, $2, $3)")
        .bind(key_id)
        .bind(intruder.id)
        .bind(vec![9u8; 80])
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    assert!(state.members.iter().find(|m| m.account == intruder.id).unwrap().granted);
    let root = recovery.signer().public();
    assert!(proven(&state, &root).contains(&(intruder.id, None)));

    let new_office = KeyPair::generate(&mut os);
    let seal_to = |k: &KeyPair| b64(&seal_key(&k.public(), new_office.secret(), &mut os));
    let removal = |wraps: Vec<serde_json::Value>| {
        json!({"member": a.id, "public_key": b64(&new_office.public()),
            "key_signature": b64(&sign_office_key(TOWNSHIP, &new_office.public(), &head.keys.signer())),
            "wraps": wraps,
            "recovery_wrap": b64(&seal_key(&recovery.key_pair().public(), new_office.secret(), &mut os)),
            "admissions": [admission(TOWNSHIP, b.id, &b.keys, AdmittedBy::Member(head.id), &head.keys.signer())]})
    };
    let mine = json!({"member": head.id, "sealed": seal_to(&head.keys)});
    let theirs = json!({"member": b.id, "sealed": seal_to(&b.keys)});
    let to_intruder = json!({"member": intruder.id, "sealed": seal_to(&intruder.keys)});
    let path = format!("api/offices/{TOWNSHIP}/removals");
    let res = head
        .post(&app, &path, removal(vec![mine.clone(), theirs.clone(), to_intruder]))
        .await;
    expect_error(res, 422, "invalid").await;
    // A key signature by someone other than the head is refused.
    let mut forged = removal(vec![mine.clone(), theirs.clone()]);
    forged["key_signature"] = json!(b64(&sign_office_key(TOWNSHIP, &new_office.public(), &a.keys.signer())));
    expect_error(head.post(&app, &path, forged).await, 422, "invalid").await;
    let res = head.post(&app, &path, removal(vec![mine, theirs])).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let state: OfficeState = head.get(&app, &format!("api/offices/{TOWNSHIP}")).await;
    let by = proven(&state, &root);
    assert!(by.contains(&(b.id, Some(AdmittedBy::Member(head.id)))), "{by:?}");
    assert!(by.contains(&(intruder.id, None)), "{by:?}");
    assert_eq!(b.office_keys(&app, TOWNSHIP).await.len(), 2);
    let active = state.keys.iter().find(|k| k.active).unwrap();
    assert!(sunlight_seal::trust::office_key_signed_by(
        TOWNSHIP,
        &new_office.public(),
        &head.keys.signer().public(),
        &unb64(active.signature.as_ref().unwrap()).unwrap().try_into().unwrap(),
    ));
});

fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

db_test!(the_office_sees_when_each_answer_is_due_on_working_days, |app| {
    let (head, _) = township_office(&app).await;
    file(&app, TOWNSHIP, false).await;
    let inbox = format!("api/offices/{TOWNSHIP}/reports");
    // Filed on Monday 21 September 2026 (10:00 in China). Fifteen working days: 22–24
    // September, then (25–27 Mid-Autumn) 28–30, then (1–7 October National Day) 8, 9,
    // Saturday 10 (a make-up working day), 12–16 and Monday 19 October.
    on_pool!(&app.db, p => sqlx::query("UPDATE reports SET filed_at = $1")
        .bind(instant("2026-09-21T02:00:00Z"))
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
    app.clock().set(instant("2026-10-19T15:59:00Z"));
    let items: Vec<InboxItem> = head.get(&app, &inbox).await;
    let due = instant("2026-10-19T16:00:00Z").timestamp_millis();
    assert_eq!(items[0].answer_due.map(|t| t.0), Some(due));
    assert!(!items[0].late);
    let todo: Vec<sunlight_api::demand::TodoItem> = head.get(&app, "api/me/todo").await;
    let count = |items: &[sunlight_api::demand::TodoItem], kind| {
        items.iter().filter(|i| i.kind == kind).map(|i| i.count).sum::<u32>()
    };
    assert_eq!(count(&todo, sunlight_api::demand::TodoKind::ReportsDue), 1);
    assert_eq!(count(&todo, sunlight_api::demand::TodoKind::ReportsLate), 0);
    // At the end of that day it is late, in the inbox and on the first screen.
    app.clock().set(instant("2026-10-19T16:00:00Z"));
    let items: Vec<InboxItem> = head.get(&app, &inbox).await;
    assert!(items[0].late);
    let todo: Vec<sunlight_api::demand::TodoItem> = head.get(&app, "api/me/todo").await;
    assert_eq!(count(&todo, sunlight_api::demand::TodoKind::ReportsLate), 1);
    // Answered (accepted), nothing is due any more.
    let id = items[0].id;
    let res = head
        .post(
            &app,
            &format!("api/offices/{TOWNSHIP}/reports/{id}/status"),
            json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let items: Vec<InboxItem> = head.get(&app, &inbox).await;
    assert_eq!((items[0].answer_due, items[0].late), (None, false));
    let todo: Vec<sunlight_api::demand::TodoItem> = head.get(&app, "api/me/todo").await;
    assert_eq!(count(&todo, sunlight_api::demand::TodoKind::ReportsLate), 0);
});
