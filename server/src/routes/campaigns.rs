//! Public campaign information, fetched once by the respondent's browser.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use instruments::wire::{Anonymity, Campaign, CheckAccessCode, ErrorBody};

use super::AppState;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

/// A campaign with the full definitions of its instruments. Admits: anyone.
#[utoipa::path(get, path = "/api/v1/campaigns/{code}", tag = "campaigns",
    params(("code" = String, Path, description = "Campaign code from the screening link")),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    AppPath(code): AppPath<String>,
) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(state.store.campaign_by_code(&code).await?.to_wire()))
}

/// Whether an access code can start this coded campaign (or a book code this panel
/// campaign): 204, or 422 `invalid_access_code` (unknown, retired or already used; one
/// message for all). Admits: anyone.
#[utoipa::path(post, path = "/api/v1/campaigns/{code}/access-codes/check", tag = "campaigns",
    params(("code" = String, Path, description = "Campaign code")), request_body = CheckAccessCode,
    responses((status = 204, description = "The code is usable"), (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_access_code(
    State(state): State<AppState>,
    AppPath(code): AppPath<String>,
    AppJson(body): AppJson<CheckAccessCode>,
) -> Result<StatusCode, ApiError> {
    let campaign = state.store.campaign_by_code(&code).await?;
    let usable = match (campaign.anonymity, crate::respondent_code::normalize_access_code(&body.code)) {
        (Anonymity::Anonymous, _) => {
            return Err(ApiError::invalid("invalid_field", "code", "this screening takes no access code"))
        }
        (_, None) => false,
        (Anonymity::Coded, Some(access)) => state.store.access_code_usable(campaign.id, &access).await?,
        (Anonymity::Panel, Some(book)) => {
            state.store.panel_code_usable(campaign.organization_id, campaign.id, &book).await?
        }
    };
    if usable {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unusable_code("code"))
    }
}

/// The one answer for an access code that is unknown, mistyped or used.
pub fn unusable_code(field: &str) -> ApiError {
    ApiError::invalid(
        "invalid_access_code",
        field,
        "this code is not valid for this screening, or it was already used; check it or ask your school",
    )
}
