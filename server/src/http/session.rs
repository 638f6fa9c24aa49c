//! Signing in and out, registering with an invite code, resetting a password with a code.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use sunlight_api::{
    ErrorBody, InviteCode, Mobile, Password, PersonName,
    dto::{Me, Register, ResetPassword, SessionState, SignIn},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    AppState,
    error::{ApiError, ApiResult},
    extract::{ApiJson, ClientIp, cookie, session_token},
};
use crate::{
    auth,
    authz::{Actor, Reader},
    db::{
        accounts::{AccountError, NewUser},
        now,
    },
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session, sign_in, sign_out))
        .routes(routes!(me))
        .routes(routes!(notice_password_resets))
        .routes(routes!(register))
        .routes(routes!(reset_password))
}

/// Sign-in limits count failures only, never successful sign-ins, so a village behind one
/// mobile-network address does not lock itself out. In 15 minutes:
/// - from one network (an IPv4 address or an IPv6 /64), whatever the accounts;
pub(super) const NETWORK_FAILURES: u32 = 100;
/// - for one account from one network (someone mistyping stops others nowhere);
const PAIR_FAILURES: u32 = 5;
/// - for one account from devices it never signed in from, whatever the network (an
///   attacker with many addresses);
const ACCOUNT_FAILURES: u32 = 20;
/// - for one account on a device it signed in from before. The owner's own phone is never
///   held back by failures elsewhere.
const DEVICE_FAILURES: u32 = 10;
/// Registration and reset failures (a wrong invite or reset code) per network.
const CODE_FAILURES_PER_NETWORK: u32 = 30;
/// Reset failures per account.
const RESET_FAILURES_PER_ACCOUNT: u32 = 5;

/// A hash of a random password, checked against when the number is unknown so that an
/// unknown number takes as long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(auth::new_session_token().as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Refuses with 429 while `key` has `n` counted failures in its window.
pub(super) fn limit(state: &AppState, key: &str, n: u32) -> ApiResult<()> {
    state
        .limiter
        .check(key, n)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })
}

/// Starts a session for `user` and answers with its cookie and the person.
pub(crate) async fn start_session(
    state: &AppState,
    user: uuid::Uuid,
    status: StatusCode,
) -> ApiResult<(StatusCode, HeaderMap, Json<Me>)> {
    let token = auth::new_session_token();
    let expires = now() + Duration::days(auth::SESSION_DAYS);
    state
        .db
        .create_session(&auth::hash_token(&token), user, expires)
        .await?;
    let me = state.db.me(user).await?.ok_or(ApiError::NotSignedIn)?;
    let cookie = auth::session_cookie(&token, &state.config.base_path(), state.config.secure_cookies);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?,
    );
    Ok((status, headers, Json(me)))
}

/// Sign in with mobile number and password. An unknown number and a wrong password get
/// the same answer, in the same time.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SignIn>,
) -> ApiResult<impl IntoResponse + use<>> {
    let device_token = cookie(&headers, auth::DEVICE_COOKIE);
    let device = device_token.as_deref().map(auth::hash_token);
    let user = check_credentials(&state, ip, device.as_deref(), &req.mobile, &req.password).await?;
    let device_token = match device_token {
        Some(t) if t.len() == 43 => t,
        _ => auth::new_session_token(),
    };
    state.db.remember_device(&auth::hash_token(&device_token), user).await?;
    let (status, mut headers, body) = start_session(&state, user, StatusCode::OK).await?;
    let device_cookie = auth::device_cookie(&device_token, &state.config.base_path(), state.config.secure_cookies);
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&device_cookie).map_err(anyhow::Error::from)?,
    );
    Ok((status, headers, body))
}

/// The account whose mobile number and password these are, judged and limited as every
/// sign-in is (also binding a WeChat, `wechat.rs`): an unknown number and a wrong password
/// get the same answer, in the same time; failures count against the network, the pair
/// and the account, or only against the phone once it signed in to this account before.
pub(super) async fn check_credentials(
    state: &AppState,
    ip: std::net::IpAddr,
    device: Option<&[u8]>,
    mobile: &str,
    password: &str,
) -> ApiResult<uuid::Uuid> {
    let network_key = format!("login-ip:{ip}");
    limit(state, &network_key, NETWORK_FAILURES)?;
    let Ok(mobile) = Mobile::parse(mobile) else {
        state.limiter.record(&network_key);
        return Err(ApiError::BadCredentials);
    };
    let found = state.db.credentials(mobile.as_str()).await?;
    let known_device = match (&found, device) {
        (Some((user, _)), Some(device)) => state.db.is_known_device(device, *user).await?,
        _ => false,
    };
    // Which counters this attempt is judged by, and charged to if it fails.
    let keys: Vec<(String, u32)> = match (device, known_device) {
        (Some(device), true) => vec![(
            format!(
                "login-device:{}:{}",
                mobile.as_str(),
                URL_SAFE_NO_PAD.encode(&device[..16])
            ),
            DEVICE_FAILURES,
        )],
        _ => vec![
            (network_key, NETWORK_FAILURES),
            (format!("login-pair:{}:{ip}", mobile.as_str()), PAIR_FAILURES),
            (format!("login-account:{}", mobile.as_str()), ACCOUNT_FAILURES),
        ],
    };
    for (key, n) in &keys {
        limit(state, key, *n)?;
    }
    let (user, hash) = match &found {
        Some((id, hash)) => (Some(*id), hash.as_str()),
        None => (None, DUMMY_HASH.as_str()),
    };
    let ok = auth::verify_password(password, hash).await;
    match user {
        Some(user) if ok => {
            // The account-wide counter stays: the owner signing in somewhere does not give
            // an attacker elsewhere a fresh allowance.
            for (key, _) in keys.iter().filter(|(k, _)| !k.starts_with("login-account:")) {
                state.limiter.clear(key);
            }
            Ok(user)
        }
        _ => {
            for (key, _) in &keys {
                state.limiter.record(key);
            }
            Err(ApiError::BadCredentials)
        }
    }
}

/// Sign out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(delete, path = "/api/session", tag = "session", security(("sunlight_session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn sign_out(State(state): State<AppState>, _actor: Actor, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    if let Some(token) = session_token(&headers) {
        state.db.delete_session(&auth::hash_token(&token)).await?;
    }
    let cookie = auth::clear_cookie(&state.config.base_path(), state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]))
}

/// Who is signed in on this browser: the person, or nobody (200 either way).
#[utoipa::path(get, path = "/api/session", tag = "session", security((), ("sunlight_session" = [])),
    responses((status = 200, body = SessionState)))]
async fn session(reader: Reader) -> Json<SessionState> {
    Json(SessionState {
        me: match reader {
            Reader::Person(Actor(me)) => Some(me),
            Reader::Anyone => None,
        },
    })
}

/// The signed-in person and every role they hold.
#[utoipa::path(get, path = "/api/me", tag = "session", security(("sunlight_session" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(actor: Actor) -> Json<Me> {
    Json(actor.0)
}

/// The person acknowledges the notice that their password was reset with a code.
#[utoipa::path(post, path = "/api/me/password-resets/noticed", tag = "session", security(("sunlight_session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn notice_password_resets(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    state.db.notice_password_resets(actor.0.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A villager registers with the invite code their village issued to their household,
/// and is signed in.
#[utoipa::path(post, path = "/api/registrations", tag = "session", request_body = Register,
    responses((status = 201, body = Me), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<Register>,
) -> ApiResult<impl IntoResponse + use<>> {
    let network_key = format!("register-ip:{ip}");
    limit(&state, &network_key, CODE_FAILURES_PER_NETWORK)?;
    let code = InviteCode::parse_field(&req.invite_code, "invite_code")?;
    let name = PersonName::parse(&req.name)?;
    let mobile = Mobile::parse(&req.mobile)?;
    let password = Password::parse(&req.password)?;
    let hash = auth::hash_password(&password).await?;
    let user = NewUser {
        name: name.as_str(),
        mobile: mobile.as_str(),
        password_hash: &hash,
    };
    let id = match state
        .db
        .register_villager(&auth::hash_code("invite", &code), user)
        .await
    {
        Ok(id) => id,
        Err(AccountError::MobileTaken) => return Err(ApiError::Conflict("mobile")),
        Err(AccountError::InviteInvalid) => {
            state.limiter.record(&network_key);
            return Err(ApiError::InviteInvalid);
        }
        Err(AccountError::Db(e)) => return Err(e.into()),
    };
    start_session(&state, id, StatusCode::CREATED).await
}

/// Sets a new password with a one-time code from the village cadre or an admin. Every
/// session of the account ends.
#[utoipa::path(post, path = "/api/password-resets", tag = "session", request_body = ResetPassword,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<ResetPassword>,
) -> ApiResult<StatusCode> {
    let network_key = format!("reset-ip:{ip}");
    limit(&state, &network_key, CODE_FAILURES_PER_NETWORK)?;
    let mobile = Mobile::parse(&req.mobile)?;
    let code = InviteCode::parse(&req.code)?;
    let password = Password::parse(&req.password)?;
    let account_key = format!("reset-account:{}", mobile.as_str());
    limit(&state, &account_key, RESET_FAILURES_PER_ACCOUNT)?;
    let refused = || {
        state.limiter.record(&network_key);
        state.limiter.record(&account_key);
        ApiError::ResetCodeInvalid
    };
    let Some(user) = state.db.user_id_by_mobile(mobile.as_str()).await? else {
        return Err(refused());
    };
    if !state.db.use_reset_code(user, &auth::hash_code("reset", &code)).await? {
        return Err(refused());
    }
    let hash = auth::hash_password(&password).await?;
    state.db.set_password(user, &hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
