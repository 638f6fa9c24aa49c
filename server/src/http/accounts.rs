//! Accounts in a region: list them, create staff accounts, issue password reset codes.

use axum::{Json, extract::State, http::StatusCode};
use chrono::Duration;
use sunlight_api::{
    ErrorBody, Mobile, Page, Password, PersonName, RegionCode,
    dto::{Account, IssuedCode, NewStaff, ResetRecord},
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
    authz::{Action, Actor, authorize, authorize_on_person, staff_role_fits},
    db::{
        accounts::{AccountError, NewUser},
        now, to_wire,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create_staff))
        .routes(routes!(issue_reset_code))
        .routes(routes!(password_resets))
}

/// The accounts holding a role at exactly this region (villagers of a village, its staff),
/// by name. Mobile numbers are masked.
#[utoipa::path(get, path = "/api/regions/{code}/accounts", tag = "accounts", security(("sunlight_session" = [])),
    params(("code" = String, Path), PageQuery),
    responses((status = 200, body = Page<Account>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Account>>> {
    authorize(&actor, Action::ListAccounts, &code)?;
    let (after, limit) = page.parse()?;
    let (items, next) = state.db.list_accounts(&code, after, limit).await?;
    Ok(Json(Page { items, next }))
}

/// Creates a staff account with a role at this region, or adds the role to the existing
/// account with that mobile number (its password is then left unchanged).
#[utoipa::path(post, path = "/api/regions/{code}/accounts", tag = "accounts", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = NewStaff,
    responses((status = 201, body = Account), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_staff(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(req): ApiJson<NewStaff>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    authorize(&actor, Action::ManageStaff, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let name = PersonName::parse(&req.name)?;
    let mobile = Mobile::parse(&req.mobile)?;
    let password = Password::parse(&req.password)?;
    if !staff_role_fits(req.role, &code) {
        return Err(ApiError::invalid("role", FieldError::WrongLevel));
    }
    let hash = auth::hash_password(&password).await?;
    let user = NewUser {
        name: name.as_str(),
        mobile: mobile.as_str(),
        password_hash: &hash,
    };
    let (id, _new) = match state.db.create_staff(user, req.role, &code).await {
        Ok(r) => r,
        Err(AccountError::MobileTaken) => return Err(ApiError::Conflict("mobile")),
        Err(AccountError::InviteInvalid) => return Err(ApiError::InviteInvalid),
        Err(AccountError::Db(e)) => return Err(e.into()),
    };
    let me = state.db.me(id).await?.ok_or(ApiError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(Account {
            id,
            name: me.name,
            mobile: mobile.masked(),
            roles: me.grants.iter().filter(|g| g.region == code).map(|g| g.role).collect(),
            household_number: None,
            created_at: to_wire(now()),
        }),
    ))
}

/// Issues a one-time password reset code (valid 24 hours) for someone, to hand over in
/// person. Any earlier unused code of theirs stops working.
#[utoipa::path(post, path = "/api/users/{id}/reset-codes", tag = "accounts", security(("sunlight_session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 201, body = IssuedCode), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn issue_reset_code(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<IssuedCode>)> {
    let target = state.db.grants_of(id).await?;
    authorize_on_person(&actor, Action::IssueResetCode, &target)?;
    let code = auth::new_code();
    let expires_at = now() + Duration::hours(24);
    let rid = state
        .db
        .create_reset_code(&auth::hash_code("reset", &code), id, expires_at, actor.0.id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCode {
            id: rid,
            code: code.display(),
            expires_at: to_wire(expires_at),
        }),
    ))
}

/// Every password reset code issued for accounts in a region (newest first, at most 200):
/// for whom, by whom, and whether it was used. Administrators and inspectors see it, so
/// that a cadre who resets a villager's password to act as them is on record.
#[utoipa::path(get, path = "/api/regions/{code}/password-resets", tag = "accounts", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<ResetRecord>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn password_resets(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<Vec<ResetRecord>>> {
    authorize(&actor, Action::ViewPasswordResets, &code)?;
    state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.db.password_resets_in(&code, 200).await?))
}
