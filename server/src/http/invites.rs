//! Household invite codes: issued by a village cadre or an admin, handed over in person,
//! used by villagers to register.

use axum::{Json, extract::State, http::StatusCode};
use chrono::Duration;
use sunlight_api::{
    ErrorBody, Page, RegionCode, RegionLevel,
    dto::{Invite, IssuedCode, NewInvite},
    error::FieldError,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath, ApiQuery},
    households::PageQuery,
};
use crate::{
    auth,
    authz::{Action, Actor, authorize},
    db::{now, to_wire},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(issue))
        .routes(routes!(revoke))
}

/// The village's invite codes, newest first (the codes themselves are never shown again).
#[utoipa::path(get, path = "/api/regions/{code}/invites", tag = "invites", security(("sunlight_session" = [])),
    params(("code" = String, Path), PageQuery),
    responses((status = 200, body = Page<Invite>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Invite>>> {
    authorize(&actor, Action::ManageInvites, &code)?;
    if code.level() != RegionLevel::Village {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    let (after, limit) = page.parse()?;
    let (items, next) = state.db.list_invites(code.as_str(), after, limit).await?;
    Ok(Json(Page { items, next }))
}

/// Issues an invite code for a household. The answer is the only time the code is shown.
#[utoipa::path(post, path = "/api/households/{id}/invites", tag = "invites", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)), request_body = NewInvite,
    responses((status = 201, body = IssuedCode), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewInvite>,
) -> ApiResult<(StatusCode, Json<IssuedCode>)> {
    let household = state.db.household(id).await?.ok_or(ApiError::NotFound)?;
    authorize(&actor, Action::ManageInvites, &household.village)?;
    if !(1..=20).contains(&req.max_uses) {
        return Err(ApiError::invalid("max_uses", FieldError::OutOfRange));
    }
    if !(1..=90).contains(&req.valid_days) {
        return Err(ApiError::invalid("valid_days", FieldError::OutOfRange));
    }
    let code = auth::new_code();
    let expires_at = now() + Duration::days(i64::from(req.valid_days));
    let id = state
        .db
        .create_invite(
            &auth::hash_code("invite", &code),
            household.id,
            req.max_uses as i32,
            expires_at,
            actor.0.id,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCode {
            id,
            code: code.display(),
            expires_at: to_wire(expires_at),
        }),
    ))
}

/// Revokes an invite code; registering with it fails from now on.
#[utoipa::path(delete, path = "/api/invites/{id}", tag = "invites", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    let village = state.db.invite_village(id).await?.ok_or(ApiError::NotFound)?;
    let village = RegionCode::parse(&village).map_err(|e| anyhow::anyhow!("stored region code: {e}"))?;
    authorize(&actor, Action::ManageInvites, &village)?;
    state.db.revoke_invite(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
