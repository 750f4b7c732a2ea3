//! Accepting an invitation link.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use instruments::wire::staff::AcceptInvitation;
use instruments::wire::ErrorBody;

use super::AppState;
use crate::auth::{password, token_hash};
use crate::db::Accepted;
use crate::error::ApiError;
use crate::extract::AppJson;

/// Uses an invitation: a new account gets this password; an existing account keeps
/// its own and gains the role. The answer is the same either way. Admits: anyone with
/// the link.
#[utoipa::path(post, path = "/api/v1/invitations/{token}", tag = "organizations",
    params(("token" = String, Path, description = "The token of the invitation link")),
    request_body = AcceptInvitation,
    responses((status = 204, description = "Role added; sign in"), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    AppJson(body): AppJson<AcceptInvitation>,
) -> Result<StatusCode, ApiError> {
    password::check_new(&body.password).map_err(|e| ApiError::invalid("weak_password", "password", e.to_string()))?;
    let secret = body.password;
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| anyhow::anyhow!("hashing panicked: {e}"))?;
    match state.store.accept_invitation(&token_hash(&token), &hash, crate::day::now()).await? {
        Accepted::Invalid => {
            Err(ApiError::invalid("invalid_invitation", "token", "this invitation link is not valid or has expired"))
        }
        Accepted::NewAccount(_) | Accepted::RoleAdded(_) => Ok(StatusCode::NO_CONTENT),
    }
}
