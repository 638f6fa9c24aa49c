//! `GET /api/regions/{code}`: a region, its path and its children.

use axum::{Json, extract::State};
use sunlight_api::{ErrorBody, RegionCode, RegionLevel, dto::RegionView};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::ApiPath,
};
use crate::authz::{Action, Actor, authorize};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(region))
}

/// A region the caller covers, with the ancestors they also cover and its children.
#[utoipa::path(get, path = "/api/regions/{code}", tag = "regions", security(("sunlight_session" = [])),
    params(("code" = String, Path, description = "12-digit region code")),
    responses((status = 200, body = RegionView), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn region(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<RegionCode>,
) -> ApiResult<Json<RegionView>> {
    authorize(&actor, Action::ViewRegion, &code)?;
    let this = state.db.region(&code).await?.ok_or(ApiError::NotFound)?;
    let mut ancestors = Vec::new();
    let mut up = code.parent();
    while let Some(c) = up {
        if actor.sees(&c)
            && let Some(r) = state.db.region(&c).await?
        {
            ancestors.push(r);
        }
        up = c.parent();
    }
    ancestors.reverse();
    let households = match this.level {
        RegionLevel::Village => Some(state.db.count_households(&code).await?),
        _ => None,
    };
    Ok(Json(RegionView {
        code: this.code,
        name: this.name,
        level: this.level,
        ancestors,
        children: state.db.region_children(&code).await?,
        households,
    }))
}
