//! Staff authentication: argon2id passwords, server-side sessions in an HttpOnly,
//! SameSite=Strict cookie, a CSRF token echoed in a header, and sign-in limits.
//!
//! Respondents never authenticate: screening stays anonymous.

pub mod limiter;
pub mod password;
mod session;

pub use limiter::LoginLimiter;
pub use session::{clear_cookie, new_token, session_cookie, token_hash, Staff, COOKIE, CSRF_HEADER};
