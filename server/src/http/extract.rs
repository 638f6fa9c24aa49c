//! Extractors that turn every rejection into the API's own error body.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts},
    http::{HeaderMap, header, request::Parts},
};

use super::{AppState, error::ApiError};
use crate::{
    auth,
    authz::{Actor, Reader},
};

/// `axum::Json`, but a bad body answers `{code, message}` with 400/413, never plain text,
/// and every string in it passes `sunlight_api::text` (no invisible or direction-changing
/// characters anywhere, no line breaks outside multi-line fields) or the body is refused
/// with 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        sunlight_api::text::check_json(&value).map_err(|(field, reason)| ApiError::InvalidText(field, reason))?;
        // The path of the field in the message, as axum's own `Json` gives it.
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| ApiError::BadRequest(format!("wrong JSON fields: {}: {}", e.path(), e.inner())))
    }
}

/// `axum::extract::Path`, but a malformed id answers 404.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` with the API's error body.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The session token from the request's cookie, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, auth::SESSION_COOKIE)
}

/// The value of one cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(ApiError::NotSignedIn)?;
        let user = state
            .db
            .session_user(&auth::hash_token(&token))
            .await?
            .ok_or(ApiError::NotSignedIn)?;
        let me = state.db.me(user).await?.ok_or(ApiError::NotSignedIn)?;
        Ok(Actor(me))
    }
}

/// A page that anyone may read where disclosures are public: the signed-in person if the
/// session is valid, anyone otherwise. A database failure is still an error.
impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Actor::from_request_parts(parts, state).await {
            Ok(actor) => Ok(Reader::Person(actor)),
            Err(ApiError::NotSignedIn) => Ok(Reader::Anyone),
            Err(e) => Err(e),
        }
    }
}

/// The network a request came from, as rate limits count it: the peer, or, when the peer
/// is the configured trusted proxy, the last address that proxy appended to
/// `X-Forwarded-For`; an IPv6 address stands for its /64 (one phone or one home gets a
/// whole /64, so counting single IPv6 addresses would count nothing).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// An IPv4 address as it is (an IPv4-mapped IPv6 address as its IPv4 address); an IPv6
/// address as its /64 prefix.
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if state.config.trusted_proxy == Some(peer) {
            // Only the right-most entry is the proxy's own; earlier ones are the client's say.
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|s| s.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(ClientIp(network(ip)));
            }
        }
        Ok(ClientIp(network(peer)))
    }
}

/// A raw request body (an uploaded file), with the API's error body when it is too large
/// or cannot be read.
pub fn body_bytes(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::network;

    #[test]
    fn ipv6_counts_by_its_64_and_ipv4_as_it_is() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        assert_eq!(
            network("::ffff:10.1.2.3".parse().unwrap()),
            "10.1.2.3".parse::<std::net::IpAddr>().unwrap()
        );
        assert_ne!(
            network("10.1.2.3".parse().unwrap()),
            network("10.1.2.4".parse().unwrap())
        );
    }
}
