//! Private reports (举报): filing and following up without an account, and the
//! discipline inspection offices' work on them.
//!
//! The server holds ciphertext and routing fields only. The filing and receipt routes take
//! no session and record no account and no address: the rate limiter keeps addresses in
//! memory for a quarter of an hour, and request logs carry method and path only (the
//! receipt token travels in a header, never in a path).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, RegionCode, RegionLevel,
    error::FieldError,
    report::{
        AccessEntry, Assign, Challenge, Enroll, Filed, GrantMember, InboxItem, KeyWrap, MAX_FILE_BYTES, MAX_TEXT_B64,
        Member, MyKey, NewMessage, NewReport, OfficeCounts, OfficeKey, OfficeKeyInfo, OfficeReport, OfficeState, Party,
        Place, RECEIPT_HEADER, ReceiptView, RemoveMember, ReportStatus, SetupOffice, StatusChange, ThreadFile,
        ThreadMessage, Transfer,
    },
};
use sunlight_seal::{KdfParams, b64, fingerprint, lookup_hash, pow_check, unb64};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath, ApiQuery, ClientIp},
};
use crate::{
    authz::{Action, Actor, authorize, authorize_key_grant, authorize_office_head},
    db::{
        reports::{FileError, MemberRow, NewReportRow, OfficeKeyRow, ReportRow, WrapRow},
        to_wire,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_evidence))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FILE_BYTES + 1024))
        .routes(routes!(places))
        .routes(routes!(offices_for))
        .routes(routes!(challenge))
        .routes(routes!(file))
        .routes(routes!(receipt))
        .routes(routes!(filer_message))
        .routes(routes!(filer_file))
        .routes(routes!(office))
        .routes(routes!(enroll))
        .routes(routes!(setup))
        .routes(routes!(grant))
        .routes(routes!(remove))
        .routes(routes!(inbox))
        .routes(routes!(open))
        .routes(routes!(office_file))
        .routes(routes!(office_message))
        .routes(routes!(set_status))
        .routes(routes!(assign))
        .routes(routes!(transfer))
        .routes(routes!(access_log))
        .routes(routes!(counts))
}

/// Outstanding proof-of-work challenges: each is good once, for ten minutes.
#[derive(Default)]
pub struct Challenges(Mutex<HashMap<String, Instant>>);

const CHALLENGE_LIFE: Duration = Duration::from_secs(600);

impl Challenges {
    fn issue(&self) -> String {
        let challenge = sunlight_seal::hex(&rand::random::<[u8; 16]>());
        let now = Instant::now();
        let mut book = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if book.len() > 50_000 {
            book.retain(|_, at| now.duration_since(*at) < CHALLENGE_LIFE);
        }
        book.insert(challenge.clone(), now);
        challenge
    }

    fn take(&self, challenge: &str) -> bool {
        let mut book = self.0.lock().unwrap_or_else(|e| e.into_inner());
        book.remove(challenge).is_some_and(|at| at.elapsed() < CHALLENGE_LIFE)
    }
}

fn limit(state: &AppState, ip: &ClientIp, what: &str, n: u32) -> ApiResult<()> {
    state
        .limiter
        .hit(&format!("report-{what}:{}", ip.0), n)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })
}

/// Decodes base64 of at most `max` characters, or refuses `field`.
fn bytes(text: &str, field: &'static str, max: usize) -> ApiResult<Vec<u8>> {
    if text.is_empty() {
        return Err(ApiError::invalid(field, FieldError::Required));
    }
    if text.len() > max {
        return Err(ApiError::invalid(field, FieldError::TooLong));
    }
    unb64(text).ok_or(ApiError::invalid(field, FieldError::BadFormat))
}

/// A 32-byte public key in base64.
fn public_key(text: &str, field: &'static str) -> ApiResult<Vec<u8>> {
    let key = bytes(text, field, 64)?;
    if key.len() == 32 {
        Ok(key)
    } else {
        Err(ApiError::invalid(field, FieldError::BadFormat))
    }
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().unwrap_or([0; 32])
}

const SEALED_MAX: usize = 512;

/// An office's region, if it is one: a township, county or city that exists.
async fn office_region(state: &AppState, code: &RegionCode) -> ApiResult<String> {
    if code.level() == RegionLevel::Village {
        return Err(ApiError::NotFound);
    }
    Ok(state.db.region(code).await?.ok_or(ApiError::NotFound)?.name)
}

#[derive(Debug, Deserialize, IntoParams)]
struct PlaceQuery {
    /// A region's code; absent for the top level.
    parent: Option<String>,
}

/// The region tree, for choosing the village a report is about. Public: region names are.
#[utoipa::path(get, path = "/api/report-places", tag = "reports", params(PlaceQuery),
    responses((status = 200, body = Vec<Place>), (status = 404, body = ErrorBody)))]
async fn places(State(state): State<AppState>, ApiQuery(q): ApiQuery<PlaceQuery>) -> ApiResult<Json<Vec<Place>>> {
    let children = match q.parent {
        Some(p) => {
            let code = RegionCode::parse(&p).map_err(|_| ApiError::NotFound)?;
            state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
            state.db.region_children(&code).await?
        }
        None => state.db.region_roots().await?,
    };
    Ok(Json(
        children
            .into_iter()
            .map(|r| Place {
                code: r.code,
                level: r.level,
                name: r.name,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct VillageQuery {
    village: String,
}

/// The offices above a village (township, county, city) and each one's current public key.
#[utoipa::path(get, path = "/api/report-offices", tag = "reports", params(VillageQuery),
    responses((status = 200, body = Vec<OfficeKeyInfo>), (status = 404, body = ErrorBody)))]
async fn offices_for(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<VillageQuery>,
) -> ApiResult<Json<Vec<OfficeKeyInfo>>> {
    let village = RegionCode::parse(&q.village).map_err(|_| ApiError::NotFound)?;
    if village.level() != RegionLevel::Village || state.db.region(&village).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let mut out = Vec::new();
    let mut next = village.parent();
    while let Some(code) = next {
        if let Some(region) = state.db.region(&code).await? {
            let active = state.db.active_office_key(&code).await?;
            out.push(OfficeKeyInfo {
                code: region.code,
                level: region.level,
                name: region.name,
                key_id: active.as_ref().map(|k| k.id),
                fingerprint: active.as_ref().map(|k| fingerprint(&key32(&k.public_key))),
                public_key: active.map(|k| b64(&k.public_key)),
            });
        }
        next = code.parent();
    }
    Ok(Json(out))
}

/// A proof-of-work puzzle, good for one filing within ten minutes.
#[utoipa::path(post, path = "/api/report-challenges", tag = "reports",
    responses((status = 200, body = Challenge), (status = 429, body = ErrorBody)))]
async fn challenge(State(state): State<AppState>, ip: ClientIp) -> ApiResult<Json<Challenge>> {
    limit(&state, &ip, "challenge", 60)?;
    Ok(Json(Challenge {
        challenge: state.challenges.issue(),
        bits: state.config.report_pow_bits,
    }))
}

/// Files a report: routing fields and ciphertext, made in the filer's phone. No account,
/// no address is stored with it. Sending the same report again (same idempotency key and
/// receipt) answers as the first time and files nothing new.
#[utoipa::path(post, path = "/api/reports", tag = "reports", request_body = NewReport,
    responses((status = 201, body = Filed), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn file(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(r): ApiJson<NewReport>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    limit(&state, &ip, "file", 20)?;
    let lookup = r.lookup.trim();
    if lookup.len() != 64 || !lookup.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid("lookup", FieldError::BadFormat));
    }
    let row = NewReportRow {
        idempotency_key: r.idempotency_key,
        office: r.office.clone(),
        key_id: r.key_id,
        sealed_key: bytes(&r.sealed_key, "sealed_key", SEALED_MAX)?,
        filer_key: bytes(&r.filer_key, "filer_key", SEALED_MAX)?,
        body: bytes(&r.body, "body", MAX_TEXT_B64)?,
        lookup_hash: lookup_hash(&lookup.to_ascii_lowercase()),
    };
    let office_name = office_region(&state, &r.office)
        .await
        .map_err(|_| ApiError::invalid("office", FieldError::NotListed))?;
    let active = state.db.active_office_key(&r.office).await?;
    if active.map(|k| k.id) != Some(r.key_id) {
        // The office has no key yet, or made a new one since the phone asked.
        return Err(ApiError::invalid("key_id", FieldError::NotListed));
    }
    let already = state.db.report_by_lookup(&row.lookup_hash).await?;
    if already.is_none()
        && !(state.challenges.take(&r.pow.challenge)
            && pow_check(&r.pow.challenge, state.config.report_pow_bits, r.pow.nonce))
    {
        return Err(ApiError::invalid("pow", FieldError::BadFormat));
    }
    let stored = match state.db.file_report(&row).await {
        Ok(stored) => stored,
        Err(FileError::LookupTaken) => return Err(ApiError::Conflict("receipt")),
        Err(FileError::Db(e)) => return Err(e.into()),
    };
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            filed_at: to_wire(stored.filed_at),
            office_name,
        }),
    ))
}

/// The report a receipt header names; every failure looks the same.
async fn by_receipt(state: &AppState, ip: &ClientIp, headers: &HeaderMap) -> ApiResult<ReportRow> {
    let token = headers
        .get(RECEIPT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let found = if token.len() == 64 {
        state.db.report_by_lookup(&lookup_hash(&token)).await?
    } else {
        None
    };
    match found {
        Some(r) => Ok(r),
        None => {
            // Misses are counted, so codes cannot be guessed at speed (80 bits cannot be
            // guessed at all, but a mistyped code should not cost the server much either).
            limit(state, ip, "miss", 30)?;
            Err(ApiError::NotFound)
        }
    }
}

fn party(s: &str) -> Party {
    if s == "office" { Party::Office } else { Party::Filer }
}

async fn thread(state: &AppState, r: &ReportRow) -> ApiResult<(Vec<ThreadMessage>, Vec<ThreadFile>)> {
    let messages = state
        .db
        .report_messages(r.id)
        .await?
        .into_iter()
        .map(|m| ThreadMessage {
            id: m.id,
            from: party(&m.party),
            body: b64(&m.body),
            at: to_wire(m.created_at),
        })
        .collect();
    let files = state
        .db
        .report_files(r.id)
        .await?
        .into_iter()
        .map(|f| ThreadFile {
            id: f.id,
            from: party(&f.party),
            bytes: f.bytes,
            at: to_wire(f.created_at),
        })
        .collect();
    Ok((messages, files))
}

/// What the filer sees with their receipt code (sent in the `x-sunlight-receipt` header as
/// the code's lookup token): status, case number, the report and the thread, encrypted.
#[utoipa::path(get, path = "/api/report-receipt", tag = "reports",
    responses((status = 200, body = ReceiptView), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn receipt(State(state): State<AppState>, ip: ClientIp, headers: HeaderMap) -> ApiResult<Json<ReceiptView>> {
    let r = by_receipt(&state, &ip, &headers).await?;
    let office = r.office()?;
    let office_name = state.db.region(&office).await?.map(|g| g.name).unwrap_or_default();
    let (messages, files) = thread(&state, &r).await?;
    Ok(Json(ReceiptView {
        status: r.status(),
        case_number: r.case_number.clone(),
        office_name,
        filed_at: to_wire(r.filed_at),
        updated_at: to_wire(r.updated_at),
        filer_key: b64(&r.filer_key),
        body: b64(&r.body),
        messages,
        files,
    }))
}

/// The filer writes to the office.
#[utoipa::path(post, path = "/api/report-receipt/messages", tag = "reports", request_body = NewMessage,
    responses((status = 201), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn filer_message(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(m): ApiJson<NewMessage>,
) -> ApiResult<StatusCode> {
    let r = by_receipt(&state, &ip, &headers).await?;
    limit(&state, &ip, "message", 60)?;
    let body = bytes(&m.body, "body", MAX_TEXT_B64)?;
    state.db.add_report_message(r.id, "filer", None, &body).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, serde::Serialize, ToSchema)]
struct Added {
    id: Uuid,
}

/// The filer adds an evidence file, encrypted in the phone (photos re-encoded first).
#[utoipa::path(post, path = "/api/report-receipt/files", tag = "reports",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Added), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn add_evidence(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Added>)> {
    let r = by_receipt(&state, &ip, &headers).await?;
    let body = super::extract::body_bytes(body)?;
    if body.len() < 41 {
        return Err(ApiError::invalid("file", FieldError::Required));
    }
    let id = state
        .db
        .add_report_file(r.id, "filer", &body)
        .await?
        .ok_or(ApiError::WrongState("too many files"))?;
    Ok((StatusCode::CREATED, Json(Added { id })))
}

fn ciphertext(body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

/// One evidence file, encrypted, for the filer.
#[utoipa::path(get, path = "/api/report-receipt/files/{id}", tag = "reports", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn filer_file(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let r = by_receipt(&state, &ip, &headers).await?;
    let body = state.db.report_file_body(r.id, id).await?.ok_or(ApiError::NotFound)?;
    Ok(ciphertext(body))
}

// ---- the office ----

/// The actor may work this office's reports; the office's name.
async fn in_office(state: &AppState, actor: &Actor, code: &str) -> ApiResult<(RegionCode, String)> {
    let office = RegionCode::parse(code).map_err(|_| ApiError::NotFound)?;
    authorize(actor, Action::WorkReports, &office)?;
    let name = office_region(state, &office).await?;
    Ok((office, name))
}

/// Whether `holder` has a sealed copy of every key the office has (and it has one).
fn holds_every_key(keys: &[OfficeKeyRow], wraps: &[WrapRow], holder: Uuid) -> bool {
    !keys.is_empty()
        && keys
            .iter()
            .all(|k| wraps.iter().any(|w| w.key_id == k.id && w.holder == holder))
}

fn me_in(members: &[MemberRow], actor: &Actor) -> Option<MemberRow> {
    members.iter().find(|m| m.account_id == actor.0.id).cloned()
}

/// The office's key group as one of its inspectors sees it: keys and fingerprints, members,
/// and the inspector's own locked key and copies of the office keys.
#[utoipa::path(get, path = "/api/offices/{code}", tag = "reports", params(("code" = String, Path)),
    responses((status = 200, body = OfficeState), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn office(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<OfficeState>> {
    let (office, name) = in_office(&state, &actor, &code).await?;
    let keys = state.db.office_keys(&office).await?;
    let members = state.db.office_members(&office).await?;
    let wraps = state.db.office_wraps(&office).await?;
    let recovery = state.db.office_recovery(&office).await?;
    let wraps_of = |holder: Uuid| {
        wraps
            .iter()
            .filter(|w| w.holder == holder)
            .map(|w| KeyWrap {
                key_id: w.key_id,
                sealed: b64(&w.sealed),
            })
            .collect::<Vec<_>>()
    };
    let me = me_in(&members, &actor).map(|m| MyKey {
        public_key: b64(&m.public_key),
        locked_secret: b64(&m.locked_secret),
        salt: b64(&m.salt),
        memory_kib: m.memory_kib.max(0) as u32,
        passes: m.passes.max(0) as u32,
        head: m.head,
        wraps: wraps_of(m.account_id),
    });
    Ok(Json(OfficeState {
        level: office.level(),
        code: office,
        name,
        keys: keys
            .iter()
            .map(|k| OfficeKey {
                id: k.id,
                public_key: b64(&k.public_key),
                fingerprint: fingerprint(&key32(&k.public_key)),
                active: k.active,
                created_at: to_wire(k.created_at),
            })
            .collect(),
        recovery_fingerprint: recovery.as_ref().map(|k| fingerprint(&key32(k))),
        recovery_public_key: recovery.as_ref().map(|k| b64(k)),
        recovery_wraps: wraps_of(Uuid::nil()),
        members: members
            .iter()
            .map(|m| Member {
                account: m.account_id,
                name: m.name.clone(),
                head: m.head,
                fingerprint: fingerprint(&key32(&m.public_key)),
                public_key: b64(&m.public_key),
                granted: holds_every_key(&keys, &wraps, m.account_id),
            })
            .collect(),
        me,
    }))
}

/// Enrols the signed-in inspector's own key pair (made in their browser, its secret locked
/// under their passphrase). Enrolling again, after a forgotten passphrase, drops their
/// copies of the office keys until a member lets them in again.
#[utoipa::path(post, path = "/api/offices/{code}/members", tag = "reports", params(("code" = String, Path)), request_body = Enroll,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enroll(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(e): ApiJson<Enroll>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let public = public_key(&e.public_key, "public_key")?;
    let locked = bytes(&e.locked_secret, "locked_secret", SEALED_MAX)?;
    let salt = bytes(&e.salt, "salt", 64)?;
    if salt.len() != 16 {
        return Err(ApiError::invalid("salt", FieldError::BadFormat));
    }
    let params = KdfParams {
        memory_kib: e.memory_kib,
        passes: e.passes,
    };
    if !params.acceptable() {
        return Err(ApiError::invalid("memory_kib", FieldError::OutOfRange));
    }
    state
        .db
        .enroll_member(
            &office,
            actor.0.id,
            &public,
            &locked,
            &salt,
            e.memory_kib as i32,
            e.passes as i32,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the office up to receive reports: its first key pair and its recovery key, made in
/// the browser of the inspector who becomes its head.
#[utoipa::path(post, path = "/api/offices/{code}/setup", tag = "reports", params(("code" = String, Path)), request_body = SetupOffice,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn setup(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(s): ApiJson<SetupOffice>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    if me_in(&members, &actor).is_none() {
        return Err(ApiError::WrongState("enrol first"));
    }
    let public = public_key(&s.public_key, "public_key")?;
    let recovery = public_key(&s.recovery_public_key, "recovery_public_key")?;
    let mine = bytes(&s.my_wrap, "my_wrap", SEALED_MAX)?;
    let theirs = bytes(&s.recovery_wrap, "recovery_wrap", SEALED_MAX)?;
    if !state
        .db
        .setup_office(&office, actor.0.id, &public, &recovery, &mine, &theirs)
        .await?
    {
        return Err(ApiError::Conflict("office keys"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Lets an enrolled inspector in: a member who holds the keys seals every one of them to the
/// newcomer in their browser. Copies a member already holds are kept, not replaced, unless
/// the member seals to themself (with the recovery code).
#[utoipa::path(post, path = "/api/offices/{code}/grants", tag = "reports", params(("code" = String, Path)), request_body = GrantMember,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn grant(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(g): ApiJson<GrantMember>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    if me_in(&members, &actor).is_none() {
        return Err(ApiError::WrongState("enrol first"));
    }
    if !members.iter().any(|m| m.account_id == g.member) {
        return Err(ApiError::invalid("member", FieldError::NotListed));
    }
    let keys = state.db.office_keys(&office).await?;
    let held = state.db.office_wraps(&office).await?;
    authorize_key_grant(&actor, holds_every_key(&keys, &held, actor.0.id), g.member)?;
    let mut wraps = Vec::new();
    for k in &keys {
        let w = g
            .wraps
            .iter()
            .find(|w| w.key_id == k.id)
            .ok_or(ApiError::invalid("wraps", FieldError::Required))?;
        wraps.push((k.id, bytes(&w.sealed, "wraps", SEALED_MAX)?));
    }
    if keys.is_empty() || g.wraps.len() != keys.len() {
        return Err(ApiError::invalid("wraps", FieldError::NotListed));
    }
    state.db.grant_member(g.member, &wraps, g.member == actor.0.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The head removes an inspector: their copies of the keys go, and a new office key pair,
/// made in the head's browser and sealed to every remaining member and the recovery key,
/// receives reports from now on.
#[utoipa::path(post, path = "/api/offices/{code}/removals", tag = "reports", params(("code" = String, Path)), request_body = RemoveMember,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(r): ApiJson<RemoveMember>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    authorize_office_head(me_in(&members, &actor).map(|m| m.head))?;
    if r.member == actor.0.id || !members.iter().any(|m| m.account_id == r.member) {
        return Err(ApiError::invalid("member", FieldError::NotListed));
    }
    let keys = state.db.office_keys(&office).await?;
    let wraps_now = state.db.office_wraps(&office).await?;
    let public = public_key(&r.public_key, "public_key")?;
    let mut wraps = vec![(Uuid::nil(), bytes(&r.recovery_wrap, "recovery_wrap", SEALED_MAX)?)];
    for m in members.iter().filter(|m| m.account_id != r.member) {
        let granted = holds_every_key(&keys, &wraps_now, m.account_id);
        let given = r.wraps.iter().find(|w| w.member == m.account_id);
        match given {
            Some(w) => wraps.push((m.account_id, bytes(&w.sealed, "wraps", SEALED_MAX)?)),
            None if granted => return Err(ApiError::invalid("wraps", FieldError::Required)),
            None => {}
        }
    }
    state.db.remove_member(&office, r.member, &public, &wraps).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The office's reports: status and times, never content.
#[utoipa::path(get, path = "/api/offices/{code}/reports", tag = "reports", params(("code" = String, Path)),
    responses((status = 200, body = Vec<InboxItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn inbox(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    Ok(Json(
        state
            .db
            .inbox(&office)
            .await?
            .into_iter()
            .map(|r| InboxItem {
                id: r.id,
                status: ReportStatus::parse(&r.status).unwrap_or(ReportStatus::Received),
                case_number: r.case_number,
                assignee: r.assignee_name,
                filed_at: to_wire(r.filed_at),
                updated_at: to_wire(r.updated_at),
                messages: r.messages,
            })
            .collect(),
    ))
}

/// A report of this office, for the actor to work on; the action goes in the access log.
async fn office_report(
    state: &AppState,
    actor: &Actor,
    code: &str,
    id: Uuid,
    action: &str,
) -> ApiResult<(RegionCode, ReportRow)> {
    let (office, _) = in_office(state, actor, code).await?;
    let r = state.db.report(id).await?.ok_or(ApiError::NotFound)?;
    if r.office_code != office.as_str() {
        return Err(ApiError::NotFound);
    }
    state.db.log_report_access(id, &office, actor.0.id, action).await?;
    Ok((office, r))
}

/// Opens one report (written to the office's access log).
#[utoipa::path(get, path = "/api/offices/{code}/reports/{id}", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = OfficeReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn open(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id)): ApiPath<(String, Uuid)>,
) -> ApiResult<Json<OfficeReport>> {
    let (_, r) = office_report(&state, &actor, &code, id, "open").await?;
    let (messages, files) = thread(&state, &r).await?;
    Ok(Json(OfficeReport {
        id: r.id,
        status: r.status(),
        case_number: r.case_number.clone(),
        assignee: r.assignee,
        filed_at: to_wire(r.filed_at),
        updated_at: to_wire(r.updated_at),
        key_id: r.key_id,
        sealed_key: b64(&r.sealed_key),
        body: b64(&r.body),
        messages,
        files,
    }))
}

/// One evidence file of a report, encrypted (written to the access log).
#[utoipa::path(get, path = "/api/offices/{code}/reports/{id}/files/{file}", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path), ("file" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn office_file(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id, file)): ApiPath<(String, Uuid, Uuid)>,
) -> ApiResult<Response> {
    let (_, r) = office_report(&state, &actor, &code, id, "file").await?;
    let body = state.db.report_file_body(r.id, file).await?.ok_or(ApiError::NotFound)?;
    Ok(ciphertext(body))
}

/// The office writes to the filer.
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/messages", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path)), request_body = NewMessage,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn office_message(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id)): ApiPath<(String, Uuid)>,
    ApiJson(m): ApiJson<NewMessage>,
) -> ApiResult<StatusCode> {
    let body = bytes(&m.body, "body", MAX_TEXT_B64)?;
    let (_, r) = office_report(&state, &actor, &code, id, "message").await?;
    state
        .db
        .add_report_message(r.id, "office", Some(actor.0.id), &body)
        .await?;
    Ok(StatusCode::CREATED)
}

/// Moves a report on: accepted (立案, numbered), not accepted (with the reason for the
/// filer), investigating, concluded (with the conclusion for the filer).
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/status", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path)), request_body = StatusChange,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_status(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id)): ApiPath<(String, Uuid)>,
    ApiJson(c): ApiJson<StatusChange>,
) -> ApiResult<StatusCode> {
    let message = match &c.message {
        Some(m) if !m.is_empty() => Some(bytes(m, "message", MAX_TEXT_B64)?),
        _ if c.status.needs_message() => return Err(ApiError::invalid("message", FieldError::Required)),
        _ => None,
    };
    let (_, r) = office_report(&state, &actor, &code, id, "status").await?;
    if !r.status().next().contains(&c.status) {
        return Err(ApiError::WrongState("status"));
    }
    if !state
        .db
        .set_report_status(&r, c.status, message.as_deref(), actor.0.id)
        .await?
    {
        return Err(ApiError::WrongState("status changed meanwhile"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Assigns a report to one of the office's inspectors (or to nobody).
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/assignee", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path)), request_body = Assign,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id)): ApiPath<(String, Uuid)>,
    ApiJson(a): ApiJson<Assign>,
) -> ApiResult<StatusCode> {
    let (office, r) = office_report(&state, &actor, &code, id, "assign").await?;
    if let Some(who) = a.assignee
        && !state
            .db
            .office_members(&office)
            .await?
            .iter()
            .any(|m| m.account_id == who)
    {
        return Err(ApiError::invalid("assignee", FieldError::NotListed));
    }
    state.db.assign_report(r.id, a.assignee).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves a report to another office, its content key re-sealed in the inspector's browser
/// to that office's current key. This office no longer sees it.
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/transfer", tag = "reports",
    params(("code" = String, Path), ("id" = Uuid, Path)), request_body = Transfer,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, id)): ApiPath<(String, Uuid)>,
    ApiJson(t): ApiJson<Transfer>,
) -> ApiResult<StatusCode> {
    let sealed = bytes(&t.sealed_key, "sealed_key", SEALED_MAX)?;
    let (office, r) = office_report(&state, &actor, &code, id, "transfer").await?;
    if t.to == office || office_region(&state, &t.to).await.is_err() {
        return Err(ApiError::invalid("to", FieldError::NotListed));
    }
    let active = state.db.active_office_key(&t.to).await?;
    if active.map(|k| k.id) != Some(t.key_id) {
        return Err(ApiError::invalid("key_id", FieldError::NotListed));
    }
    state.db.transfer_report(r.id, &t.to, t.key_id, &sealed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who opened or acted on which report, newest first: for the office head.
#[utoipa::path(get, path = "/api/offices/{code}/access-log", tag = "reports", params(("code" = String, Path)),
    responses((status = 200, body = Vec<AccessEntry>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn access_log(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<AccessEntry>>> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    authorize_office_head(me_in(&members, &actor).map(|m| m.head))?;
    Ok(Json(
        state
            .db
            .access_log(&office)
            .await?
            .into_iter()
            .map(|a| AccessEntry {
                report: a.report_id,
                case_number: a.case_number,
                who: a.who,
                action: a.action,
                at: to_wire(a.at),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct RegionQuery {
    region: String,
}

/// How many reports each office in a region has received, accepted and concluded: numbers
/// for dashboards, never content.
#[utoipa::path(get, path = "/api/report-counts", tag = "reports", params(RegionQuery),
    responses((status = 200, body = Vec<OfficeCounts>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn counts(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiResult<Json<Vec<OfficeCounts>>> {
    let region = RegionCode::parse(&q.region).map_err(|_| ApiError::NotFound)?;
    authorize(&actor, Action::ViewReportCounts, &region)?;
    let mut out: Vec<OfficeCounts> = Vec::new();
    for row in state.db.report_counts(&region).await? {
        let Ok(code) = RegionCode::parse(&row.office_code) else {
            continue;
        };
        if out.last().is_none_or(|o| o.office != code) {
            out.push(OfficeCounts {
                office: code,
                name: row.name.clone(),
                received: 0,
                accepted: 0,
                concluded: 0,
                open: 0,
            });
        }
        let o = out.last_mut().expect("just pushed");
        let status = ReportStatus::parse(&row.status).unwrap_or(ReportStatus::Received);
        o.received += row.n;
        if matches!(
            status,
            ReportStatus::Accepted | ReportStatus::Investigating | ReportStatus::Concluded
        ) {
            o.accepted += row.n;
        }
        if status == ReportStatus::Concluded {
            o.concluded += row.n;
        }
        if matches!(
            status,
            ReportStatus::Received | ReportStatus::Accepted | ReportStatus::Investigating
        ) {
            o.open += row.n;
        }
    }
    Ok(Json(out))
}
