//! The session cookie and the [`Staff`] extractor every staff endpoint takes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method};
use instruments::wire::staff::Role;
use rand::RngCore as _;

use crate::error::ApiError;
use crate::routes::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "xinan_session";
/// Header that must repeat the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in staff member, with every role they hold.
#[derive(Clone, Debug)]
pub struct Staff {
    /// Account id.
    pub user_id: i64,
    /// Account e-mail.
    pub email: String,
    /// Administers the whole platform.
    pub platform_admin: bool,
    /// (organization id, role) pairs.
    pub roles: Vec<(i64, Role)>,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// Hash of the session token (to end the session).
    pub session_hash: String,
}

/// 256 random bits, hex: session cookies, CSRF and invitation tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database keeps of a token: its SHA-256, so a leaked table opens nothing.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `Set-Cookie` for a new session. No `Max-Age`: the browser forgets it on exit, and
/// the server expires it after inactivity.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"))
        .expect("hex token is a valid header value")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"))
        .expect("static header value")
}

/// The session cookie's value, if the request has one.
pub(crate) fn cookie_token(parts: &Parts) -> Option<String> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
        },
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie_token(parts).ok_or(ApiError::Unauthenticated)?;
        let now = crate::day::now();
        let staff = state
            .store
            .staff_by_session(&token_hash(&token), now, state.settings.session_idle_secs)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
            if !constant_time_eq(sent, staff.csrf_token.as_bytes()) {
                return Err(ApiError::CsrfFailed);
            }
        }
        Ok(staff)
    }
}
