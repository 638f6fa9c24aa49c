//! `GET /api/health`

use axum::{Json, extract::State};
use sunlight_api::dto::Health;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{AppState, error::ApiResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Which backend serves and which schema version it is at.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(Health {
        backend: state.db.backend().as_str().to_owned(),
        schema_version: state.db.schema_version().await?,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
