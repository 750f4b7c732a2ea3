//! Public campaign information, fetched once by the respondent's browser.

use axum::extract::{Path, State};
use axum::Json;
use instruments::wire::{Campaign, ErrorBody};

use super::AppState;
use crate::error::ApiError;

/// A campaign with the full definitions of its instruments.
#[utoipa::path(get, path = "/api/v1/campaigns/{code}", tag = "campaigns",
    params(("code" = String, Path, description = "Campaign code from the screening link")),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(state.store.campaign_by_code(&code).await?.to_wire()))
}
