//! Credentials: password hashing, session tokens and one-time codes.

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sunlight_api::{InviteCode, Password};

pub const SESSION_COOKIE: &str = "sunlight_session";
pub const SESSION_DAYS: i64 = 30;
/// Marks a phone that has signed in before; sign-in limits treat it as the owner's.
pub const DEVICE_COOKIE: &str = "sunlight_device";
/// Browsers keep a cookie at most about 400 days.
pub const DEVICE_DAYS: i64 = 400;

/// Hashes a password with Argon2id (default parameters) on a blocking thread.
pub async fn hash_password(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash on a blocking thread. A malformed stored hash
/// counts as a mismatch (and is logged), never as an error the caller could tell apart.
pub async fn verify_password(password: &str, stored: &str) -> bool {
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => {
            tracing::error!("a stored password hash is malformed");
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// A fresh random session token (256 bits), as it goes into the cookie.
pub fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a session token.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A fresh one-time code (invite or password reset).
pub fn new_code() -> InviteCode {
    let mut bytes = [0u8; InviteCode::LEN];
    rand::rng().fill_bytes(&mut bytes);
    InviteCode::from_random(bytes)
}

/// What the database keeps of a one-time code; the purpose is mixed in so an invite
/// code's hash can never be replayed as a reset code's.
pub fn hash_code(purpose: &str, code: &InviteCode) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    h.update([0]);
    h.update(code.canonical().as_bytes());
    h.finalize().to_vec()
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, path: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path={path}; Max-Age={}; HttpOnly; SameSite=Lax{}",
        SESSION_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that marks this browser as a device its accounts signed in from.
pub fn device_cookie(token: &str, path: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={token}; Path={path}; Max-Age={}; HttpOnly; SameSite=Lax{}",
        DEVICE_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends a session.
pub fn clear_cookie(path: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_mismatch() {
        let p = Password::parse("correct horse").unwrap();
        let h = hash_password(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h).await);
        assert!(!verify_password("wrong horse!", &h).await);
        assert!(!verify_password("correct horse", "not a hash").await);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_session_token();
        assert_ne!(a, new_session_token());
        assert_eq!(hash_token(&a).len(), 32);
        let c = new_code();
        assert_ne!(hash_code("invite", &c), hash_code("reset", &c));
    }

    #[test]
    fn cookies_follow_config() {
        let c = session_cookie("t", "/x/", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure") && c.contains("Path=/x/"));
        assert!(!session_cookie("t", "/", false).contains("Secure"));
    }
}
