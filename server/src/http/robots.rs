//! A village's group robot: set, removed and watched by its cadre (or an administrator
//! above), who sees every message's fate. The address is a secret (it lets anyone post to
//! the group): it is answered masked and never logged.

use axum::{Json, extract::State, http::StatusCode};
use sunlight_api::{
    ErrorBody, RegionCode, RegionLevel,
    error::FieldError,
    robot::{GroupRobot, SetGroupRobot, check_url},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ApiPath},
};
use crate::authz::{Action, Actor, authorize};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_robot, set_robot, remove_robot))
}

async fn village(state: &AppState, actor: &Actor, code: &RegionCode) -> ApiResult<()> {
    authorize(actor, Action::ManageGroupRobot, code)?;
    if code.level() != RegionLevel::Village {
        return Err(ApiError::invalid("region", FieldError::WrongLevel));
    }
    state.db.region(code).await?.ok_or(ApiError::NotFound)?;
    Ok(())
}

async fn answer(state: &AppState, code: &RegionCode) -> ApiResult<GroupRobot> {
    let robot = state.db.robot(code).await?;
    let hook = robot.as_ref().and_then(|(url, _)| check_url(url).ok());
    Ok(GroupRobot {
        service: hook.as_ref().map(|h| h.service),
        masked: hook.as_ref().map(|h| h.masked()),
        set_at: robot.map(|(_, at)| crate::db::to_wire(at)),
        deliveries: state.db.deliveries(code).await?,
    })
}

/// The village's robot (its address masked) and its last 20 messages with their fate.
#[utoipa::path(get, path = "/api/regions/{code}/group-robot", tag = "robots", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = GroupRobot), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_robot(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<GroupRobot>> {
    village(&state, &actor, &code).await?;
    Ok(Json(answer(&state, &code).await?))
}

/// Sets the village's robot: a WeCom (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`)
/// or DingTalk (`https://oapi.dingtalk.com/robot/send?access_token=…`) webhook, nothing else.
/// Publishing a month, a correction or a catalogue entry then posts to the group.
#[utoipa::path(put, path = "/api/regions/{code}/group-robot", tag = "robots", security(("sunlight_session" = [])),
    params(("code" = String, Path)), request_body = SetGroupRobot,
    responses((status = 200, body = GroupRobot), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_robot(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
    ApiJson(body): ApiJson<SetGroupRobot>,
) -> ApiResult<Json<GroupRobot>> {
    village(&state, &actor, &code).await?;
    let hook = check_url(&body.url).map_err(ApiError::from)?;
    state
        .db
        .set_robot(&code, &hook.url(), actor.0.id, state.clock.now())
        .await?;
    tracing::info!(village = %code, service = ?hook.service, "group robot set");
    Ok(Json(answer(&state, &code).await?))
}

/// Removes the village's robot; messages not yet sent are given up.
#[utoipa::path(delete, path = "/api/regions/{code}/group-robot", tag = "robots", security(("sunlight_session" = [])),
    params(("code" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove_robot(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<StatusCode> {
    village(&state, &actor, &code).await?;
    if !state.db.remove_robot(&code).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
