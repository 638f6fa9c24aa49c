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
        ANSWER_WORKING_DAYS, AccessEntry, Assign, Challenge, Enroll, Filed, GrantMember, InboxItem, KeyWrap,
        MAX_FILE_BYTES, MAX_TEXT_B64, Member, MyKey, NewMessage, NewReport, OfficeCounts, OfficeKey, OfficeKeyInfo,
        OfficeReport, OfficeState, Party, Place, RECEIPT_HEADER, ReceiptView, RemoveMember, ReportStatus, SetupOffice,
        SignedAdmission, StatusChange, ThreadFile, ThreadMessage, Transfer,
    },
};
use sunlight_seal::{
    Admission, AdmittedBy, KdfParams, MemberKeys, b64, fingerprint, lookup_hash, pow_check, trust::verify_members,
    unb64,
};
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
        reports::{
            AdmissionRow, FileError, GrantError, MemberRow, NewOfficeKey, NewReportRow, OfficeKeyRow, RecoveryRow,
            ReportRow, WrapRow,
        },
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

/// A 64-byte Ed25519 signature in base64.
fn signature(text: &str, field: &'static str) -> ApiResult<Vec<u8>> {
    let sig = bytes(text, field, 128)?;
    if sig.len() == 64 {
        Ok(sig)
    } else {
        Err(ApiError::invalid(field, FieldError::BadFormat))
    }
}

/// An admission as a browser sent it, decoded (not yet checked).
fn admission_in(a: &SignedAdmission) -> ApiResult<AdmissionRow> {
    Ok(AdmissionRow {
        account_id: a.member,
        public_key: public_key(&a.public_key, "admission")?,
        signing_key: public_key(&a.signing_key, "admission")?,
        admitted_by: a.by,
        signed_at: a.at_ms,
        signature: signature(&a.signature, "admission")?,
    })
}

fn admission_out(a: &AdmissionRow) -> SignedAdmission {
    SignedAdmission {
        member: a.account_id,
        public_key: b64(&a.public_key),
        signing_key: b64(&a.signing_key),
        by: a.admitted_by,
        at_ms: a.signed_at,
        signature: b64(&a.signature),
    }
}

/// A stored key of fixed length; anything else is a corrupt row, never a default.
fn stored<const N: usize>(bytes: &[u8], what: &str) -> ApiResult<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("stored {what} has {} bytes", bytes.len())))
}

fn to_seal(a: &AdmissionRow) -> ApiResult<Admission> {
    Ok(Admission {
        member: a.account_id,
        public_key: stored(&a.public_key, "admission key")?,
        signing_key: stored(&a.signing_key, "admission signing key")?,
        by: a.admitted_by.map_or(AdmittedBy::Recovery, AdmittedBy::Member),
        at_ms: a.signed_at,
        signature: stored(&a.signature, "admission signature")?,
    })
}

fn member_keys(m: &MemberRow) -> ApiResult<MemberKeys> {
    Ok(MemberKeys {
        account: m.account_id,
        public_key: stored(&m.public_key, "member key")?,
        signing_key: m
            .signing_key
            .as_deref()
            .map(|k| stored(k, "member signing key"))
            .transpose()?,
    })
}

/// The office's root signing key, when it was set up with one.
fn root_of(recovery: &Option<RecoveryRow>) -> ApiResult<Option<[u8; 32]>> {
    recovery
        .as_ref()
        .and_then(|r| r.signing_key.as_deref())
        .map(|k| stored(k, "root key"))
        .transpose()
}

/// Whether `a` admits `m`'s current keys.
fn admits(a: &AdmissionRow, m: &MemberRow) -> bool {
    a.account_id == m.account_id && a.public_key == m.public_key && Some(&a.signing_key) == m.signing_key.as_ref()
}

/// Checks that `signer_key` signed the admission `a` into `office`.
fn check_admission(office: &RegionCode, a: &AdmissionRow, signer_key: &[u8]) -> ApiResult<()> {
    let signer: [u8; 32] = signer_key
        .try_into()
        .map_err(|_| ApiError::invalid("admission", FieldError::BadFormat))?;
    if to_seal(a)?.signed_by(office.as_str(), &signer) {
        Ok(())
    } else {
        Err(ApiError::invalid("admission", FieldError::BadFormat))
    }
}

/// Checks that `signer_key` signed an office public key.
fn check_key_signature(office: &RegionCode, public: &[u8], sig: &[u8], signer_key: Option<&Vec<u8>>) -> ApiResult<()> {
    let bad = || ApiError::invalid("key_signature", FieldError::BadFormat);
    let signer: [u8; 32] = signer_key.and_then(|k| k.as_slice().try_into().ok()).ok_or_else(bad)?;
    let sig: [u8; 64] = sig.try_into().map_err(|_| bad())?;
    let public: [u8; 32] = public.try_into().map_err(|_| bad())?;
    if sunlight_seal::trust::office_key_signed_by(office.as_str(), &public, &signer, &sig) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Which members' current keys a stored admission chain proves, in `members`' order.
fn proven(
    office: &RegionCode,
    recovery: &Option<RecoveryRow>,
    admissions: &[AdmissionRow],
    members: &[MemberRow],
) -> ApiResult<Vec<bool>> {
    let Some(root) = root_of(recovery)? else {
        return Ok(vec![false; members.len()]);
    };
    let admissions = admissions.iter().map(to_seal).collect::<ApiResult<Vec<_>>>()?;
    let members = members.iter().map(member_keys).collect::<ApiResult<Vec<_>>>()?;
    Ok(verify_members(office.as_str(), &root, &admissions, &members)
        .into_iter()
        .map(|m| m.is_some())
        .collect())
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
#[into_params(parameter_in = Query)]
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
#[into_params(parameter_in = Query)]
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
            let recovery = state.db.office_recovery(&code).await?;
            let admissions = if active.is_some() {
                state.db.office_admissions(&code).await?
            } else {
                Vec::new()
            };
            out.push(OfficeKeyInfo {
                code: region.code,
                level: region.level,
                name: region.name,
                key_id: active.as_ref().map(|k| k.id),
                fingerprint: active.as_ref().map(|k| fingerprint(&key32(&k.public_key))),
                key_signed_by: active.as_ref().and_then(|k| k.signed_by),
                key_signature: active.as_ref().and_then(|k| k.signature.as_deref().map(b64)),
                public_key: active.map(|k| b64(&k.public_key)),
                root_key: recovery.and_then(|r| r.signing_key.as_deref().map(b64)),
                admissions: admissions.iter().map(admission_out).collect(),
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
#[utoipa::path(get, path = "/api/report-receipt", tag = "reports", security(("report_receipt" = [])),
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
#[utoipa::path(post, path = "/api/report-receipt/messages", tag = "reports", security(("report_receipt" = [])), request_body = NewMessage,
    responses((status = 201), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
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
#[utoipa::path(post, path = "/api/report-receipt/files", tag = "reports", security(("report_receipt" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Added), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 429, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/api/report-receipt/files/{id}", tag = "reports", security(("report_receipt" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody), (status = 403, body = ErrorBody)))]
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
#[utoipa::path(get, path = "/api/offices/{code}", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)),
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
    let admissions = state.db.office_admissions(&office).await?;
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
                signed_by: k.signed_by,
                signature: k.signature.as_deref().map(b64),
            })
            .collect(),
        recovery_fingerprint: recovery.as_ref().map(|k| fingerprint(&key32(&k.public_key))),
        recovery_public_key: recovery.as_ref().map(|k| b64(&k.public_key)),
        recovery_wraps: wraps_of(Uuid::nil()),
        root_key: recovery.as_ref().and_then(|r| r.signing_key.as_deref().map(b64)),
        admissions: admissions.iter().map(admission_out).collect(),
        members: members
            .iter()
            .map(|m| Member {
                account: m.account_id,
                name: m.name.clone(),
                head: m.head,
                fingerprint: fingerprint(&key32(&m.public_key)),
                public_key: b64(&m.public_key),
                signing_key: m.signing_key.as_deref().map(b64),
                granted: holds_every_key(&keys, &wraps, m.account_id),
            })
            .collect(),
        me,
    }))
}

/// Enrols the signed-in inspector's own key pair (made in their browser, its secret locked
/// under their passphrase). Enrolling again, after a forgotten passphrase, drops their
/// copies of the office keys until a member lets them in again.
#[utoipa::path(post, path = "/api/offices/{code}/members", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)), request_body = Enroll,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enroll(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(e): ApiJson<Enroll>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let public = public_key(&e.public_key, "public_key")?;
    let signing = public_key(&e.signing_key, "signing_key")?;
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
            &signing,
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
#[utoipa::path(post, path = "/api/offices/{code}/setup", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)), request_body = SetupOffice,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn setup(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(s): ApiJson<SetupOffice>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    let Some(me) = me_in(&members, &actor) else {
        return Err(ApiError::WrongState("enrol first"));
    };
    if state.db.office_recovery(&office).await?.is_some() {
        return Err(ApiError::Conflict("office keys"));
    }
    let public = public_key(&s.public_key, "public_key")?;
    let recovery = public_key(&s.recovery_public_key, "recovery_public_key")?;
    let root = public_key(&s.recovery_signing_key, "recovery_signing_key")?;
    let mine = bytes(&s.my_wrap, "my_wrap", SEALED_MAX)?;
    let theirs = bytes(&s.recovery_wrap, "recovery_wrap", SEALED_MAX)?;
    // The recovery key admits the founding head, and the head vouches for the office key.
    let admission = admission_in(&s.admission)?;
    if admission.admitted_by.is_some() || !admits(&admission, &me) {
        return Err(ApiError::invalid("admission", FieldError::NotListed));
    }
    check_admission(&office, &admission, &root)?;
    let key_signature = signature(&s.key_signature, "key_signature")?;
    check_key_signature(&office, &public, &key_signature, me.signing_key.as_ref())?;
    let key = NewOfficeKey {
        public_key: &public,
        signed_by: actor.0.id,
        signature: &key_signature,
    };
    if !state
        .db
        .setup_office(&office, actor.0.id, &key, &recovery, &root, &mine, &theirs, &admission)
        .await?
    {
        return Err(ApiError::Conflict("office keys"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Lets an enrolled inspector in: a member who holds the keys seals every one of them to the
/// newcomer in their browser. Copies a member already holds are kept, not replaced, unless
/// the member seals to themself (with the recovery code).
#[utoipa::path(post, path = "/api/offices/{code}/grants", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)), request_body = GrantMember,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn grant(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(g): ApiJson<GrantMember>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    let Some(me) = me_in(&members, &actor) else {
        return Err(ApiError::WrongState("enrol first"));
    };
    let Some(newcomer) = members.iter().find(|m| m.account_id == g.member) else {
        return Err(ApiError::invalid("member", FieldError::NotListed));
    };
    let admission = admission_in(&g.admission)?;
    if !admits(&admission, newcomer) {
        return Err(ApiError::invalid("admission", FieldError::NotListed));
    }
    // Who gives the keys: the actor, or (only to themself) the recovery key.
    let by_recovery = admission.admitted_by.is_none();
    authorize_key_grant(&actor, g.member, by_recovery)?;
    let granter = if by_recovery {
        let root = root_of(&state.db.office_recovery(&office).await?)?
            .ok_or(ApiError::invalid("admission", FieldError::BadFormat))?;
        check_admission(&office, &admission, &root)?;
        Uuid::nil()
    } else {
        if admission.admitted_by != Some(actor.0.id) {
            return Err(ApiError::invalid("admission", FieldError::NotListed));
        }
        let mine = me
            .signing_key
            .as_deref()
            .ok_or(ApiError::invalid("admission", FieldError::BadFormat))?;
        check_admission(&office, &admission, mine)?;
        actor.0.id
    };
    let keys = state.db.office_keys(&office).await?;
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
    match state
        .db
        .grant_member(&office, granter, &wraps, by_recovery, &admission)
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(GrantError::KeyNotHeld) => Err(ApiError::KeyGrant(sunlight_api::ErrorCode::KeyNotHeld)),
        Err(GrantError::Db(e)) => Err(e.into()),
    }
}

/// The head removes an inspector: their copies of the keys go, and a new office key pair,
/// made in the head's browser and sealed to every remaining member and the recovery key,
/// receives reports from now on.
#[utoipa::path(post, path = "/api/offices/{code}/removals", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)), request_body = RemoveMember,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(r): ApiJson<RemoveMember>,
) -> ApiResult<StatusCode> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let members = state.db.office_members(&office).await?;
    let me = me_in(&members, &actor);
    authorize_office_head(me.as_ref().map(|m| m.head))?;
    let me = me.ok_or(ApiError::Forbidden)?;
    if r.member == actor.0.id || !members.iter().any(|m| m.account_id == r.member) {
        return Err(ApiError::invalid("member", FieldError::NotListed));
    }
    let keys = state.db.office_keys(&office).await?;
    let wraps_now = state.db.office_wraps(&office).await?;
    let recovery = state.db.office_recovery(&office).await?;
    let proven = proven(
        &office,
        &recovery,
        &state.db.office_admissions(&office).await?,
        &members,
    )?;
    let public = public_key(&r.public_key, "public_key")?;
    let key_signature = signature(&r.key_signature, "key_signature")?;
    check_key_signature(&office, &public, &key_signature, me.signing_key.as_ref())?;
    let mut wraps = vec![(Uuid::nil(), bytes(&r.recovery_wrap, "recovery_wrap", SEALED_MAX)?)];
    let mut admissions = Vec::new();
    for (m, proven) in members.iter().zip(proven).filter(|(m, _)| m.account_id != r.member) {
        let granted = holds_every_key(&keys, &wraps_now, m.account_id);
        match r.wraps.iter().find(|w| w.member == m.account_id) {
            // Nothing is sealed to a member no admission chain proves, whatever rows exist.
            Some(_) if !proven => return Err(ApiError::invalid("wraps", FieldError::NotListed)),
            Some(w) => wraps.push((m.account_id, bytes(&w.sealed, "wraps", SEALED_MAX)?)),
            None if granted && proven => return Err(ApiError::invalid("wraps", FieldError::Required)),
            None => {}
        }
        // The head signs every other remaining proven member in again.
        if let Some(a) = r.admissions.iter().find(|a| a.member == m.account_id) {
            let a = admission_in(a)?;
            if !proven || a.admitted_by != Some(actor.0.id) || !admits(&a, m) {
                return Err(ApiError::invalid("admissions", FieldError::NotListed));
            }
            let mine = me
                .signing_key
                .as_deref()
                .ok_or(ApiError::invalid("admissions", FieldError::BadFormat))?;
            check_admission(&office, &a, mine)?;
            admissions.push(a);
        }
    }
    if r.wraps.iter().any(|w| {
        !members
            .iter()
            .any(|m| m.account_id == w.member && m.account_id != r.member)
    }) || r.admissions.len() != admissions.len()
    {
        return Err(ApiError::invalid("wraps", FieldError::NotListed));
    }
    let key = NewOfficeKey {
        public_key: &public,
        signed_by: actor.0.id,
        signature: &key_signature,
    };
    state
        .db
        .remove_member(&office, r.member, &key, &wraps, &admissions)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The office's reports: status and times, never content.
#[utoipa::path(get, path = "/api/offices/{code}/reports", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Vec<InboxItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn inbox(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    let (office, _) = in_office(&state, &actor, &code).await?;
    let calendar = state.db.calendar().await?;
    let now = state.clock.now();
    Ok(Json(
        state
            .db
            .inbox(&office)
            .await?
            .into_iter()
            .map(|r| {
                let status = ReportStatus::parse(&r.status).unwrap_or(ReportStatus::Received);
                let due = (status == ReportStatus::Received)
                    .then(|| crate::demands::working_deadline(&calendar, r.filed_at, ANSWER_WORKING_DAYS))
                    .flatten();
                InboxItem {
                    id: r.id,
                    status,
                    case_number: r.case_number,
                    assignee: r.assignee_name,
                    filed_at: to_wire(r.filed_at),
                    updated_at: to_wire(r.updated_at),
                    messages: r.messages,
                    answer_due: due.map(to_wire),
                    late: due.is_some_and(|d| d <= now),
                }
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
#[utoipa::path(get, path = "/api/offices/{code}/reports/{id}", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(get, path = "/api/offices/{code}/reports/{id}/files/{file}", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/messages", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/status", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/assignee", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(post, path = "/api/offices/{code}/reports/{id}/transfer", tag = "reports", security(("sunlight_session" = [])),
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
#[utoipa::path(get, path = "/api/offices/{code}/access-log", tag = "reports", security(("sunlight_session" = [])), params(("code" = String, Path)),
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
#[into_params(parameter_in = Query)]
struct RegionQuery {
    region: String,
}

/// How many reports each office in a region has received, accepted and concluded: numbers
/// for dashboards, never content.
#[utoipa::path(get, path = "/api/report-counts", tag = "reports", security(("sunlight_session" = [])), params(RegionQuery),
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
