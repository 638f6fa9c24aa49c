//! Signing in inside the WeChat mini-program (see `crate::wechat`): `POST /api/wechat/session`
//! trades the shell's `wx.login` code for a web-view ticket, or for a bind token when this
//! WeChat is bound to no account yet; `POST /api/wechat/bind` binds it after the account's
//! password; `POST /api/wechat/unbind` unbinds (with a fresh code); the web-view opens `/wechat/enter?t=…`
//! (`pages/wechat.rs`), which spends the ticket for the session cookie.
//!
//! Tickets and bind tokens are random (256 bits), kept as their SHA-256, spent once
//! (`Db::take_ticket`), and short-lived: a minute for a ticket, ten for a bind token.
//! None of this exists where the server is not configured for WeChat (404).

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use chrono::Duration;
use sunlight_api::{
    ErrorBody, RegionLevel,
    error::FieldError,
    wechat::{
        Allowance, BIND_SECONDS, MAX_ALLOWANCE, NoticeTemplate, TICKET_SECONDS, WeChatBind, WeChatCode, WeChatSignIn,
        WeChatSubscribe,
    },
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ClientIp, cookie},
    session::{NETWORK_FAILURES, check_credentials, limit},
};
use crate::{
    auth,
    db::wechat::{Held, Purpose},
    wechat::{ExchangeError, openid_hash},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(wechat_session))
        .routes(routes!(wechat_bind))
        .routes(routes!(wechat_unbind))
        .routes(routes!(templates))
        .routes(routes!(subscribe))
}

/// The subscription message templates this server sends (an empty list where none are
/// configured), for the shell's `wx.requestSubscribeMessage`.
#[utoipa::path(get, path = "/api/wechat/templates", tag = "session",
    responses((status = 200, body = Vec<NoticeTemplate>), (status = 404, body = ErrorBody)))]
async fn templates(State(state): State<AppState>) -> ApiResult<Json<Vec<NoticeTemplate>>> {
    Ok(Json(state.wechat.as_ref().ok_or(ApiError::NotFound)?.templates()))
}

/// Records what the person agreed to in `wx.requestSubscribeMessage` (the template ids
/// accepted; a fresh `wx.login` code says whose WeChat it is): one more message of each
/// kind, for the account this WeChat is bound to. Answers what is allowed now. A WeChat
/// bound to nothing is 404; an id that is not one of this server's templates is 422.
#[utoipa::path(post, path = "/api/wechat/subscriptions", tag = "session", request_body = WeChatSubscribe,
    responses((status = 200, body = Vec<Allowance>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn subscribe(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<WeChatSubscribe>,
) -> ApiResult<Json<Vec<Allowance>>> {
    let wechat = state.wechat.clone().ok_or(ApiError::NotFound)?;
    let kinds = req
        .accepted
        .iter()
        .map(|id| {
            wechat
                .kind_of(id)
                .ok_or(ApiError::invalid("accepted", FieldError::NotListed))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let (_, hash) = openid_of(&state, ip, &req.code).await?;
    let user = state.db.wechat_user(&hash).await?.ok_or(ApiError::NotFound)?;
    state.db.add_allowances(user, &kinds, MAX_ALLOWANCE).await?;
    Ok(Json(state.db.allowances(user).await?))
}

/// Makes a ticket (or bind token), keeps its hash, and gives it out once.
async fn issue(state: &AppState, purpose: Purpose, held: Held, seconds: i64) -> ApiResult<String> {
    let token = auth::new_session_token();
    let at = state.clock.now();
    state
        .db
        .issue_ticket(
            &auth::hash_token(&token),
            purpose,
            &held,
            at + Duration::seconds(seconds),
            at,
        )
        .await?;
    Ok(token)
}

/// The web-view's ticket for `user`, with the name and village the shell greets them by.
async fn ticket_for(state: &AppState, user: Uuid) -> ApiResult<WeChatSignIn> {
    let me = state.db.me(user).await?.ok_or(ApiError::NotSignedIn)?;
    let ticket = issue(
        state,
        Purpose::Enter,
        Held {
            user: Some(user),
            ..Held::default()
        },
        TICKET_SECONDS,
    )
    .await?;
    let village = me
        .grants
        .iter()
        .find(|g| g.region_level == RegionLevel::Village)
        .or(me.grants.first())
        .map(|g| g.region_name.clone());
    Ok(WeChatSignIn {
        ticket: Some(ticket),
        bind: None,
        name: Some(me.name),
        village,
    })
}

/// Who a `wx.login` code says this is (their openid, and its hash), asking WeChat. A code
/// WeChat refuses counts against the network's allowance.
async fn openid_of(state: &AppState, ip: std::net::IpAddr, code: &str) -> ApiResult<(String, Vec<u8>)> {
    let wechat = state.wechat.clone().ok_or(ApiError::NotFound)?;
    let key = format!("wechat-ip:{ip}");
    limit(state, &key, NETWORK_FAILURES)?;
    let code = code.trim();
    if code.is_empty()
        || code.len() > 128
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        state.limiter.record(&key);
        return Err(ApiError::invalid("code", FieldError::BadFormat));
    }
    match wechat.exchange().openid(code).await {
        Ok(openid) => {
            let hash = openid_hash(&openid);
            Ok((openid, hash))
        }
        Err(ExchangeError::Refused(_)) => {
            state.limiter.record(&key);
            Err(ApiError::BadCredentials)
        }
        Err(ExchangeError::Unavailable) => Err(ApiError::Unavailable("WeChat")),
    }
}

/// Signs in with WeChat: the shell's `wx.login` code, exchanged with WeChat for who this
/// is. A bound WeChat gets a web-view ticket; an unbound one a bind token. A code WeChat
/// refuses is 401, and counts against the network's allowance; WeChat not answering is 503.
#[utoipa::path(post, path = "/api/wechat/session", tag = "session", request_body = WeChatCode,
    responses((status = 200, body = WeChatSignIn), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn wechat_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<WeChatCode>,
) -> ApiResult<Json<WeChatSignIn>> {
    let (openid, hash) = openid_of(&state, ip, &req.code).await?;
    Ok(Json(match state.db.wechat_user(&hash).await? {
        Some(user) => ticket_for(&state, user).await?,
        None => WeChatSignIn {
            ticket: None,
            bind: Some(
                issue(
                    &state,
                    Purpose::Bind,
                    Held {
                        user: None,
                        openid_hash: Some(hash),
                        openid_sealed: state.wechat.as_ref().map(|w| w.seal(&openid)),
                    },
                    BIND_SECONDS,
                )
                .await?,
            ),
            name: None,
            village: None,
        },
    }))
}

/// Binds this WeChat to the account whose mobile number and password are given (limited
/// as every sign-in is), and answers with a web-view ticket. The bind token is spent only
/// by a right password; an unknown, spent or expired one is 401 (start again from
/// `wx.login`); an account or WeChat bound already is 409 (unbind in 我的 first).
#[utoipa::path(post, path = "/api/wechat/bind", tag = "session", request_body = WeChatBind,
    responses((status = 200, body = WeChatSignIn), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn wechat_bind(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<WeChatBind>,
) -> ApiResult<Json<WeChatSignIn>> {
    if state.wechat.is_none() {
        return Err(ApiError::NotFound);
    }
    let token = auth::hash_token(req.bind.trim());
    if state
        .db
        .peek_ticket(&token, Purpose::Bind, state.clock.now())
        .await?
        .is_none()
    {
        return Err(ApiError::NotSignedIn);
    }
    let device = cookie(&headers, auth::DEVICE_COOKIE).map(|t| auth::hash_token(&t));
    let user = check_credentials(&state, ip, device.as_deref(), &req.mobile, &req.password).await?;
    // Spent here, once: of two binds racing with one token, one wins.
    let held = state
        .db
        .take_ticket(&token, Purpose::Bind, state.clock.now())
        .await?
        .ok_or(ApiError::NotSignedIn)?;
    let (Some(hash), Some(sealed)) = (held.openid_hash, held.openid_sealed) else {
        return Err(ApiError::NotSignedIn);
    };
    if !state.db.bind_wechat(&hash, &sealed, user).await? {
        return Err(ApiError::Conflict("wechat"));
    }
    Ok(Json(ticket_for(&state, user).await?))
}

/// Unbinds this WeChat (the shell's 换一个账号: a fresh `wx.login` code proves whose
/// WeChat it is), so that the next WeChat sign-in asks for a password again. A WeChat bound
/// to nothing is 404. Resetting an account's password unbinds it too (`Db::set_password`).
#[utoipa::path(post, path = "/api/wechat/unbind", tag = "session", request_body = WeChatCode,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn wechat_unbind(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<WeChatCode>,
) -> ApiResult<StatusCode> {
    let (_, hash) = openid_of(&state, ip, &req.code).await?;
    match state.db.wechat_user(&hash).await? {
        Some(user) if state.db.unbind_wechat(user).await? => Ok(StatusCode::NO_CONTENT),
        _ => Err(ApiError::NotFound),
    }
}

/// Spends a web-view ticket: the person it was made for, or `None` for a ticket that is
/// unknown, spent or expired.
pub(crate) async fn enter(state: &AppState, ticket: &str) -> ApiResult<Option<Uuid>> {
    let held = state
        .db
        .take_ticket(&auth::hash_token(ticket), Purpose::Enter, state.clock.now())
        .await?;
    Ok(held.and_then(|h| h.user))
}
