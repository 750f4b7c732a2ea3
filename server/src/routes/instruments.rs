//! The instrument library.

use axum::Json;
use instruments::definition::Definition;
use instruments::wire::{ErrorBody, InstrumentSummary};

use crate::error::ApiError;
use crate::extract::AppPath;

/// Every instrument this server can administer. Admits: anyone.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "instruments",
    responses((status = 200, body = Vec<InstrumentSummary>)))]
pub async fn list_instruments() -> Json<Vec<InstrumentSummary>> {
    Json(instruments::library::all().iter().map(InstrumentSummary::of).collect())
}

/// The full definition of the newest version of an instrument. Admits: anyone.
#[utoipa::path(get, path = "/api/v1/instruments/{id}", tag = "instruments",
    params(("id" = String, Path, description = "Instrument id, e.g. phq9")),
    responses((status = 200, body = Definition), (status = 404, body = ErrorBody)))]
pub async fn get_instrument(AppPath(id): AppPath<String>) -> Result<Json<Definition>, ApiError> {
    instruments::library::get(&id)
        .map(|d| Json(d.clone()))
        .ok_or_else(|| ApiError::NotFound(format!("instrument {id}")))
}
