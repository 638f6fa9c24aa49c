//! A village's villagers' financial oversight group (民主理财小组): the cadre appoints
//! villagers of the village; they review each submitted month and sign it, agreeing or
//! not with their opinion, before the township publishes it. Where a village has a group,
//! the township publishes a month only with an agreeing signature (see `ledger::publish`).

use axum::{Json, extract::State, http::StatusCode};
use sunlight_api::{
    ErrorBody, RegionCode,
    error::FieldError,
    ledger::{Appointment, FinanceGroup, MonthSignatures, MonthStatus, MonthToSign, SignMonth},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath},
    ledger::{readable, text, village_name},
};
use crate::authz::{Action, Actor, Reader, authorize, permits_reader};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(group, appoint))
        .routes(routes!(dismiss))
        .routes(routes!(signatures, sign))
        .routes(routes!(to_sign))
}

async fn group_of(state: &AppState, code: &RegionCode) -> ApiResult<FinanceGroup> {
    Ok(FinanceGroup {
        village: code.clone(),
        members: state.db.group_members(code).await?,
    })
}

/// Who sits on the village's group: public wherever the village's accounts are.
#[utoipa::path(get, path = "/api/regions/{code}/finance-group", tag = "ledger", security((), ("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = FinanceGroup), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn group(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<FinanceGroup>> {
    village_name(&state, &code).await?;
    readable(&state, &reader, &code).await?;
    Ok(Json(group_of(&state, &code).await?))
}

/// The cadre (or an administrator) appoints a villager of the village, by the mobile
/// number of their account.
#[utoipa::path(post, path = "/api/regions/{code}/finance-group", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = Appointment,
    responses((status = 200, body = FinanceGroup), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn appoint(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<Appointment>,
) -> ApiResult<Json<FinanceGroup>> {
    authorize(&actor, Action::ManageHouseholds, &code)?;
    village_name(&state, &code).await?;
    let mobile = sunlight_api::Mobile::parse(body.mobile.trim()).map_err(ApiError::from)?;
    let user = state
        .db
        .user_id_by_mobile(mobile.as_str())
        .await?
        .ok_or_else(|| ApiError::invalid("mobile", FieldError::NotListed))?;
    if !state.db.is_villager_of(user, &code).await? {
        return Err(ApiError::invalid("mobile", FieldError::NotInRegion));
    }
    // The group oversees the village's officials: none of them sits on it (a cadre is
    // often a villager too, and would otherwise appoint himself; an administrator could
    // give himself a villager's grant).
    if state.db.holds_office_over(user, &code).await? {
        return Err(ApiError::invalid("mobile", FieldError::NotListed));
    }
    if !state.db.appoint(&code, user, actor.0.id).await? {
        return Err(ApiError::Conflict("mobile"));
    }
    Ok(Json(group_of(&state, &code).await?))
}

/// Removes a member; the months they signed keep their signatures.
#[utoipa::path(delete, path = "/api/regions/{code}/finance-group/{user}", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("user" = Uuid, Path)),
    responses((status = 200, body = FinanceGroup), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn dismiss(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, user)): ApiPath<(RegionCode, Uuid)>,
) -> ApiResult<Json<FinanceGroup>> {
    authorize(&actor, Action::ManageHouseholds, &code)?;
    village_name(&state, &code).await?;
    if !state.db.dismiss(&code, user).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(group_of(&state, &code).await?))
}

/// Whether `reader` reads an unpublished month of the village (its lines and their files)
/// as a member of its group: only while the month waits for review.
pub(crate) async fn group_reads(
    state: &AppState,
    reader: &Reader,
    village: &RegionCode,
    status: MonthStatus,
) -> ApiResult<bool> {
    Ok(match reader {
        Reader::Person(a) if status == MonthStatus::Submitted => state.db.in_group(village, a.0.id).await?,
        _ => false,
    })
}

/// The month a signature is about, if `reader` may see it: published for everyone who may
/// read the village; waiting for review for its staff and its group's members too.
async fn month_of(
    state: &AppState,
    reader: &Reader,
    code: &RegionCode,
    month: &str,
) -> ApiResult<(crate::db::ledger::MonthRecord, bool)> {
    village_name(state, code).await?;
    readable(state, reader, code).await?;
    let month = sunlight_api::date::Month::parse(month).map_err(|_| ApiError::NotFound)?;
    let record = state.db.ledger_month(code, month).await?.ok_or(ApiError::NotFound)?;
    let member = match reader {
        Reader::Person(a) => state.db.in_group(code, a.0.id).await?,
        Reader::Anyone => false,
    };
    let staff = permits_reader(reader, Action::ViewUnpublishedLedger, code);
    if record.status != MonthStatus::Published && !staff && !member {
        return Err(ApiError::NotFound);
    }
    Ok((record, member))
}

async fn signatures_view(
    state: &AppState,
    reader: &Reader,
    code: RegionCode,
    record: &crate::db::ledger::MonthRecord,
    month: sunlight_api::date::Month,
    member: bool,
) -> ApiResult<MonthSignatures> {
    let signed = state.db.signatures(record.id).await?;
    let me = match reader {
        Reader::Person(a) => Some(a.0.id),
        Reader::Anyone => None,
    };
    let may_sign = member && record.status == MonthStatus::Submitted && !signed.iter().any(|(u, _)| Some(*u) == me);
    Ok(MonthSignatures {
        required: !state.db.group_members(&code).await?.is_empty(),
        village: code,
        month,
        signatures: signed.into_iter().map(|(_, s)| s).collect(),
        may_sign,
    })
}

/// The signatures on a month as `reader` may see them, for the month's page (`None` where
/// there is nothing they may see).
pub(crate) async fn month_signatures(
    state: &AppState,
    reader: &Reader,
    code: &RegionCode,
    month: sunlight_api::date::Month,
) -> Option<MonthSignatures> {
    let (record, member) = month_of(state, reader, code, &month.to_string()).await.ok()?;
    signatures_view(state, reader, code.clone(), &record, month, member)
        .await
        .ok()
}

/// The group's signatures on a month, and whether the caller may sign it now.
#[utoipa::path(get, path = "/api/regions/{code}/ledger/{month}/signatures", tag = "ledger", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = MonthSignatures), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn signatures(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
) -> ApiResult<Json<MonthSignatures>> {
    let (record, member) = month_of(&state, &reader, &code, &month).await?;
    let month = sunlight_api::date::Month::parse(&month).map_err(|_| ApiError::NotFound)?;
    Ok(Json(
        signatures_view(&state, &reader, code, &record, month, member).await?,
    ))
}

/// A member of the village's group signs a month waiting for review: agreeing, or not
/// with what is wrong (required). Once per member and month.
#[utoipa::path(post, path = "/api/regions/{code}/ledger/{month}/signatures", tag = "ledger", security(("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path, description = "YYYY-MM")), request_body = SignMonth,
    responses((status = 201, body = MonthSignatures), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
    ApiJson(body): ApiJson<SignMonth>,
) -> ApiResult<(StatusCode, Json<MonthSignatures>)> {
    authorize(&actor, Action::SignMonths, &code)?;
    let reader = Reader::Person(actor.clone());
    let (record, member) = month_of(&state, &reader, &code, &month).await?;
    // A member who has since taken an office over the village no longer signs.
    if !member || state.db.holds_office_over(actor.0.id, &code).await? {
        return Err(ApiError::Forbidden);
    }
    let opinion = text(&body.opinion, "opinion", 500)?;
    if !body.agree && opinion.is_none() {
        return Err(ApiError::invalid("opinion", FieldError::Required));
    }
    if !state
        .db
        .sign_month(record.id, actor.0.id, body.agree, opinion.as_deref(), state.clock.now())
        .await?
    {
        return Err(ApiError::WrongState(
            "the month is not waiting for review, or is signed by this member already",
        ));
    }
    let month = sunlight_api::date::Month::parse(&month).map_err(|_| ApiError::NotFound)?;
    let view = signatures_view(&state, &reader, code, &record, month, member).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The months waiting for the caller's signature, in every village whose group they sit
/// on.
#[utoipa::path(get, path = "/api/me/months-to-sign", tag = "ledger", security(("sunlight_session" = [])),
    responses((status = 200, body = Vec<MonthToSign>), (status = 401, body = ErrorBody)))]
async fn to_sign(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<MonthToSign>>> {
    let rows = state.db.months_to_sign(actor.0.id).await?;
    let mut out = Vec::new();
    for (village, village_name, month) in rows {
        out.push(MonthToSign {
            village: RegionCode::parse(&village)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored value: {e}")))?,
            village_name,
            month: sunlight_api::date::Month::parse(&month)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored value: {e}")))?,
        });
    }
    Ok(Json(out))
}
