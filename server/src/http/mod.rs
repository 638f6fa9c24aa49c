//! The HTTP layer: shared state, the one list of routes, and cross-cutting middleware.

pub mod error;
pub mod extract;
mod pages;
mod static_files;

mod accounts;
mod calendar;
pub(crate) mod catalogue;
mod demands;
pub use demands::number_of as demand_number;
pub(crate) mod files;
mod health;
mod households;
mod invites;
pub(crate) mod ledger;
mod log;
pub(crate) mod oversight;
mod polls;
pub(crate) mod projects;
mod regions;
mod reports;
mod robots;
pub(crate) mod session;
mod wechat;

use std::{sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderValue, Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use tower::ServiceExt;
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{Config, Db, ratelimit::RateLimiter, storage::Storage};
use error::ApiError;

/// Everything a handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub storage: Storage,
    pub challenges: Arc<reports::Challenges>,
    /// What time it is, for rules that depend on today; tests fix it.
    pub clock: crate::clock::Clock,
    /// Signs the publication log's tree heads (`publication.rs`).
    pub log_key: Arc<crate::log_key::LogKey>,
    /// Posts to villages' group robots (`push.rs`).
    pub robots: crate::push::Robots,
    /// Exchanges the mini-program's `wx.login` codes (`crate::wechat`); none where WeChat
    /// sign-in is not configured.
    pub wechat: Option<Arc<crate::wechat::WeChat>>,
    client: Arc<static_files::Client>,
}

impl AppState {
    pub fn new(config: Config, db: Db, log_key: crate::log_key::LogKey) -> anyhow::Result<AppState> {
        let client = static_files::Client::load(&config.dist, &config.base_path())?;
        Ok(AppState {
            db,
            limiter: Arc::new(RateLimiter::new(Duration::from_secs(15 * 60))),
            storage: Storage::new(&config.data_dir),
            challenges: Arc::new(reports::Challenges::default()),
            clock: crate::clock::Clock::system(),
            log_key: Arc::new(log_key),
            robots: crate::push::Robots::new(config.robot_base.clone())?,
            wechat: crate::wechat::from_config(&config)?,
            client: Arc::new(client),
            config: Arc::new(config),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Sunlight (阳光村务) API", description = "Village affairs in the open."),
    tags(
        (name = "system"), (name = "session"), (name = "regions"),
        (name = "households"), (name = "invites"), (name = "accounts"), (name = "ledger"), (name = "files"), (name = "polls"), (name = "reports"), (name = "demands"), (name = "calendar"), (name = "catalogue"), (name = "robots"), (name = "projects"), (name = "log"),
    )
)]
struct ApiDoc;

/// Every API route, each registered with its OpenAPI description. A route added any
/// other way would be missing from the document, and the test suite compares the
/// document with its authorization matrix.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(session::router())
        .merge(regions::router())
        .merge(households::router())
        .merge(invites::router())
        .merge(accounts::router())
        .merge(ledger::router())
        .merge(files::router())
        .merge(polls::router())
        .merge(reports::router())
        .merge(demands::router())
        .merge(calendar::router())
        .merge(catalogue::router())
        .merge(robots::router())
        .merge(projects::router())
        .merge(oversight::router())
        .merge(log::router())
        .merge(wechat::router())
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    complete(&mut doc);
    doc
}

/// The name of the security scheme of routes that need a session.
pub const SESSION_SCHEME: &str = "sunlight_session";

/// The name of the security scheme of a report's filer: the receipt code in a header.
pub const RECEIPT_SCHEME: &str = "report_receipt";

/// Adds to every operation the statuses it answers by construction, each with the error
/// body, from facts the document already states about the route: a route that needs a
/// session (it takes `Actor`, and says `security(("sunlight_session" = []))`) answers 401;
/// a JSON body answers 400 when it does not parse, 413 when it is too large and 422 when
/// its text is refused; any other body 400 and 413; a path parameter 404 when malformed;
/// a query 400; a mutating method 403 without JSON or the CSRF header; and every route
/// 500 on an internal error. Statuses that depend on what a handler decides (403 from
/// authorization, 404, 409, 422, 429) are in each handler's own annotation.
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, Ref, RefOr, ResponseBuilder,
        path::ParameterIn,
        security::{ApiKey, ApiKeyValue, SecurityScheme},
    };

    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SESSION_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::SESSION_COOKIE,
            "The session, set by POST /api/session",
        ))),
    );
    components.add_security_scheme(
        RECEIPT_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            sunlight_api::report::RECEIPT_HEADER,
            "The receipt code of a private report, which its filer keeps",
        ))),
    );
    let error = |why: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(why)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (op, mutating) in ops {
            let Some(op) = op.as_mut() else { continue };
            let signed_in = op
                .security
                .iter()
                .flatten()
                .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get(SESSION_SCHEME).is_some()));
            let params = op.parameters.iter().flatten().filter_map(|p| match p {
                RefOr::T(p) => Some(p.parameter_in.clone()),
                RefOr::Ref(_) => None,
            });
            let (path, query) = params.fold((false, false), |(p, q), at| match at {
                ParameterIn::Path => (true, q),
                ParameterIn::Query => (p, true),
                _ => (p, q),
            });
            let body = op.request_body.as_ref().map(|b| match b {
                RefOr::T(b) => b.content.contains_key("application/json"),
                RefOr::Ref(_) => true,
            });
            let mut add = |status: &str, why: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(why));
            };
            if body.is_some() || query {
                add("400", "The request does not parse");
            }
            if signed_in {
                add("401", "Not signed in");
            }
            if mutating {
                add("403", "Refused: neither JSON nor the CSRF header, or not allowed");
            }
            if path {
                add("404", "Not found");
            }
            if body.is_some() {
                add("413", "The body is too large");
            }
            if body == Some(true) {
                add("422", "A field is invalid");
            }
            add("500", "Internal error");
        }
    }
}

/// The whole application: API under `/api`, the client everywhere else, all under the
/// configured base path.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = api_routes().split_for_parts();
    complete(&mut doc);
    let doc = Arc::new(doc);
    let api = api
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route("/api/{*rest}", axum::routing::any(|| async { ApiError::NotFound }))
        .layer(middleware::from_fn(csrf_guard))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let app = Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(static_files::router())
        .with_state(state.clone())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // Method and path only: no query strings, no headers, no addresses.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }));
    let base = state.config.base_path();
    if base == "/" { app } else { under_prefix(app, base) }
}

/// Serves `app` under a path prefix (`/cunwu/`): the prefix is taken off before routing,
/// the bare prefix redirects to itself with a slash, and anything outside it is 404.
fn under_prefix(app: Router, base: String) -> Router {
    let bare = base.trim_end_matches('/').to_owned();
    Router::new().fallback(move |mut req: Request| {
        let app = app.clone();
        let base = base.clone();
        let bare = bare.clone();
        async move {
            let path = req.uri().path();
            if path == bare {
                return axum::response::Redirect::permanent(&base).into_response();
            }
            let Some(rest) = path.strip_prefix(&bare).filter(|r| r.starts_with('/')) else {
                return ApiError::NotFound.into_response();
            };
            let rest = match req.uri().query() {
                Some(q) => format!("{rest}?{q}"),
                None => rest.to_owned(),
            };
            match rest.parse() {
                Ok(uri) => *req.uri_mut() = uri,
                Err(_) => return ApiError::NotFound.into_response(),
            }
            match app.oneshot(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            }
        }
    })
}

/// Mutating requests must be JSON or carry the `x-sunlight` header. A cross-site form
/// can send neither without a CORS preflight, which this server never grants.
async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let marked = req.headers().contains_key(sunlight_api::CSRF_HEADER);
    if safe || json || marked {
        next.run(req).await
    } else {
        ApiError::Csrf.into_response()
    }
}
