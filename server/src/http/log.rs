//! The publication log (公开记录) over HTTP: the signing key, each county's signed heads
//! and consistency proofs, for anyone (an outsider keeps copies of the heads and later
//! asks that a newer one extends them), and a published month's proofs, for whoever may
//! read the month.

use axum::{Json, extract::State, http::header, response::IntoResponse};
use serde::Deserialize;
use sunlight_api::{
    ErrorBody, Page, RegionCode,
    date::{Date, Month},
    published::{ConsistencyProof, MonthProof, PublicKey},
    transparency::{TreeHead, to_hex},
};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiPath, ApiQuery},
};
use crate::{authz::Reader, publication};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(key))
        .routes(routes!(head))
        .routes(routes!(heads))
        .routes(routes!(consistency))
        .routes(routes!(month_proof))
        .routes(routes!(daily_heads))
        .routes(routes!(daily_files))
}

/// The days whose file of heads the server wrote, newest first.
#[utoipa::path(get, path = "/api/log-heads", tag = "log", responses((status = 200, body = Vec<String>)))]
async fn daily_files(State(state): State<AppState>) -> ApiResult<Json<Vec<String>>> {
    let mut days = Vec::new();
    match tokio::fs::read_dir(publication::heads_dir(&state)).await {
        Ok(mut dir) => {
            while let Some(e) = dir.next_entry().await.map_err(anyhow::Error::from)? {
                if let Some(day) = e.file_name().to_str().and_then(|n| n.strip_suffix(".json"))
                    && Date::parse(day).is_ok()
                {
                    days.push(day.to_owned());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow::Error::from(e).into()),
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    Ok(Json(days))
}

/// One day's file: every county's signed head as it stood when the day's file was
/// written. Copy it and keep it; later heads must extend it.
#[utoipa::path(get, path = "/api/log-heads/{day}", tag = "log", params(("day" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = Vec<TreeHead>)))]
async fn daily_heads(State(state): State<AppState>, ApiPath(day): ApiPath<String>) -> ApiResult<impl IntoResponse> {
    let day = Date::parse(&day).map_err(|_| ApiError::NotFound)?;
    let path = publication::heads_dir(&state).join(format!("{day}.json"));
    match tokio::fs::read(&path).await {
        Ok(bytes) => Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                // A day's file never changes once written.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ApiError::NotFound),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// The public half of the key that signs every county's tree heads (Ed25519). Phones pin
/// it; compare it with the one the county prints.
#[utoipa::path(get, path = "/api/log-key", tag = "log", responses((status = 200, body = PublicKey)))]
async fn key(State(state): State<AppState>) -> Json<PublicKey> {
    Json(PublicKey {
        public_key: to_hex(&state.log_key.public()),
    })
}

/// A county's log as it stands: its size and root, signed.
#[utoipa::path(get, path = "/api/regions/{code}/log", tag = "log", params(("code" = String, Path, description = "a county")),
    responses((status = 200, body = TreeHead), (status = 422, body = ErrorBody)))]
async fn head(State(state): State<AppState>, ApiPath(code): ApiPath<RegionCode>) -> ApiResult<Json<TreeHead>> {
    let county = publication::county(&state, &code).await?;
    Ok(Json(publication::tree(&state, &county).await?.head))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeadsQuery {
    /// The cursor of the page before (the `next` it gave).
    pub cursor: Option<String>,
}

const HEADS_PAGE: i64 = 100;

/// Every head the server signed for a county, smallest first: keep copies, and ask later
/// that the present head extends them.
#[utoipa::path(get, path = "/api/regions/{code}/log/heads", tag = "log", params(("code" = String, Path, description = "a county"), HeadsQuery),
    responses((status = 200, body = Page<TreeHead>), (status = 422, body = ErrorBody)))]
async fn heads(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<HeadsQuery>,
) -> ApiResult<Json<Page<TreeHead>>> {
    let county = publication::county(&state, &code).await?;
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            c.parse::<u64>()
                .map_err(|_| ApiError::BadRequest("bad cursor".into()))?,
        ),
    };
    let items = state.db.log_heads(&county, after, HEADS_PAGE).await?;
    let next = (items.len() as i64 == HEADS_PAGE)
        .then(|| items.last().map(|h| h.size.to_string()))
        .flatten();
    Ok(Json(Page { items, next }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The size of the earlier head.
    pub from: u64,
    /// The size of the later head (at most the log's present size).
    pub to: u64,
}

/// The proof that the county's log at `to` entries extends it at `from`: nothing of the
/// earlier tree was changed, removed or reordered.
#[utoipa::path(get, path = "/api/regions/{code}/log/consistency", tag = "log", params(("code" = String, Path, description = "a county"), ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 422, body = ErrorBody)))]
async fn consistency(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<RegionCode>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyProof>> {
    let county = publication::county(&state, &code).await?;
    Ok(Json(publication::consistency(&state, &county, q.from, q.to).await?))
}

/// A published month's entries in its county's log (the month and each published
/// correction), each with its proof against the present signed head, for the phone to
/// check what it shows. Readable by whoever may read the month.
#[utoipa::path(get, path = "/api/regions/{code}/ledger/{month}/proof", tag = "log", security((), ("sunlight_session" = [])),
    params(("code" = String, Path), ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = MonthProof), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn month_proof(
    State(state): State<AppState>,
    reader: Reader,
    ApiPath((code, month)): ApiPath<(RegionCode, String)>,
) -> ApiResult<Json<MonthProof>> {
    let month = Month::parse(&month).map_err(|_| ApiError::NotFound)?;
    super::ledger::readable(&state, &reader, &code).await?;
    publication::month_proof(&state, &code, month)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}
