//! Staff sign-in and sign-out.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use instruments::wire::staff::{Membership, SessionInfo, SignIn};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::auth::{clear_cookie, new_token, password, session_cookie, token_hash, Staff};
use crate::error::ApiError;
use crate::extract::AppJson;

/// The client's address, held only in memory for the sign-in limit; never stored.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Signs in: 204 with an HttpOnly, SameSite=Strict session cookie. Wrong e-mail and
/// wrong password get the same 401; after 5 attempts per account or 20 per client in
/// 15 minutes that did not succeed, 429 with `Retry-After` (attempts are counted
/// before the password is checked, so parallel ones count too); 503 with
/// `Retry-After` when too many passwords are being checked at once. Admits: anyone.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 204, description = "Signed in; the cookie is set"),
        (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AppJson(body): AppJson<SignIn>,
) -> Result<impl IntoResponse, ApiError> {
    let email = body.email.trim().to_lowercase();
    let now = crate::day::now();
    // Counted before the password is checked, so parallel guesses cannot outrun it.
    let attempt = state.limiter.reserve(&email, client, now).map_err(ApiError::TooManyAttempts)?;
    let account = state.store.credentials(&email).await?;
    let hash = account.as_ref().map(|(_, h)| h.clone());
    let password = body.password;
    let ok = state.passwords.run(move || password::verify(&password, hash.as_deref())).await?;
    let user = account.map(|(id, _)| id);
    if !ok {
        state
            .store
            .audit(user, None, "login_failed", if user.is_some() { "wrong password" } else { "unknown account" })
            .await?;
        return Err(ApiError::InvalidCredentials);
    }
    let user = user.ok_or_else(|| anyhow::anyhow!("verified without an account"))?;
    state.limiter.succeed(attempt);
    let token = new_token();
    state.store.create_session(user, &token_hash(&token), &new_token(), now).await?;
    state.store.audit(Some(user), None, "login", "signed in").await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, session_cookie(&token, state.settings.secure_cookies))]),
    ))
}

/// Who is signed in, their roles, and the CSRF token to echo in `X-CSRF-Token`.
/// Admits: any signed-in staff member.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
pub async fn get_session(State(state): State<AppState>, staff: Staff) -> Result<Json<SessionInfo>, ApiError> {
    let organizations = state.store.organizations(None).await?;
    let memberships = staff
        .roles
        .iter()
        .filter_map(|(org, role)| {
            let organization = organizations.iter().find(|o| o.id == *org)?.clone();
            Some(Membership { organization, role: *role })
        })
        .collect();
    Ok(Json(SessionInfo {
        email: staff.email,
        platform_admin: staff.platform_admin,
        memberships,
        csrf_token: staff.csrf_token,
    }))
}

/// Signs out: ends the session and clears the cookie. Admits: any signed-in staff member.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sign_out(State(state): State<AppState>, staff: Staff) -> Result<impl IntoResponse, ApiError> {
    state.store.delete_session(&staff.session_hash).await?;
    state.store.audit(Some(staff.user_id), None, "logout", "signed out").await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, clear_cookie(state.settings.secure_cookies))])))
}
