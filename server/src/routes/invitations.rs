//! Accepting an invitation: only the invited person can. The link goes to the invited
//! address (with mail); a new account is created from the link, but an address that
//! already has an account is never changed from it: its owner signs in and confirms.
//! So an admin who squats an address cannot later collect another organization's
//! role for it, and no role reaches an existing account without its owner's consent.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use instruments::wire::staff::{AcceptInvitation, InvitationInfo};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::auth::{password, token_hash, Staff};
use crate::db::Accepted;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

fn invalid() -> ApiError {
    ApiError::invalid("invalid_invitation", "token", "this invitation link is not valid or has expired")
}

/// What an invitation link offers: organization, address, role, expiry. It does not
/// say whether the address has an account. Admits: anyone with the link.
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "organizations",
    params(("token" = String, Path, description = "The token of the invitation link")),
    responses((status = 200, body = InvitationInfo), (status = 422, body = ErrorBody)))]
pub async fn get_invitation(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
) -> Result<Json<InvitationInfo>, ApiError> {
    let pending = state.store.pending_invitation(&token_hash(&token), crate::day::now()).await?.ok_or_else(invalid)?;
    Ok(Json(InvitationInfo {
        organization: pending.organization_name,
        email: pending.email,
        role: pending.role,
        expires_at: pending.expires_at,
    }))
}

/// Creates the invited address's account with this password and the role. An address
/// that already has an account gets 409 `account_exists` and nothing changes: sign in
/// and confirm with `…/accept`. The token is looked up before any password is hashed,
/// and hashing is bounded (503 with `Retry-After` when busy). Admits: anyone with the
/// link.
#[utoipa::path(post, path = "/api/v1/invitations/{token}", tag = "organizations",
    params(("token" = String, Path, description = "The token of the invitation link")),
    request_body = AcceptInvitation,
    responses((status = 204, description = "Account created; sign in"), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
    AppJson(body): AppJson<AcceptInvitation>,
) -> Result<StatusCode, ApiError> {
    let hashed_token = token_hash(&token);
    let now = crate::day::now();
    // A made-up token costs one indexed lookup, never an argon2 hash.
    let pending = state.store.pending_invitation(&hashed_token, now).await?.ok_or_else(invalid)?;
    if state.store.user_id(&pending.email).await?.is_some() {
        return Err(account_exists());
    }
    password::check_new(&body.password).map_err(|e| ApiError::invalid("weak_password", "password", e.to_string()))?;
    let secret = body.password;
    let hash = state.passwords.run(move || password::hash(&secret)).await?;
    match state.store.accept_invitation_new_account(&hashed_token, &hash, now).await? {
        Accepted::NewAccount(_) => Ok(StatusCode::NO_CONTENT),
        Accepted::AccountExists => Err(account_exists()),
        Accepted::Invalid | Accepted::RoleAdded(_) | Accepted::WrongAccount => Err(invalid()),
    }
}

fn account_exists() -> ApiError {
    ApiError::conflict(
        "account_exists",
        None,
        "this address already has an account: sign in with it, then accept the invitation",
    )
}

/// The signed-in owner of the invited address accepts: the role is added to their
/// account. Any other account gets 403 `wrong_account` and nothing changes.
/// Admits: the signed-in staff member the invitation is addressed to.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "organizations",
    params(("token" = String, Path, description = "The token of the invitation link")),
    responses((status = 204, description = "Role added to the signed-in account"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm_invitation(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(token): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    match state.store.accept_invitation_as(&token_hash(&token), staff.user_id, &staff.email, crate::day::now()).await? {
        Accepted::RoleAdded(_) => Ok(StatusCode::NO_CONTENT),
        Accepted::WrongAccount => Err(ApiError::WrongAccount),
        Accepted::Invalid | Accepted::NewAccount(_) | Accepted::AccountExists => Err(invalid()),
    }
}
