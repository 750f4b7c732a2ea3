//! Scoring without storing.

use axum::Json;
use instruments::wire::{ErrorBody, ScoreRequest};
use instruments::Score;

use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

/// Scores answers on an instrument; stores nothing. Admits: anyone.
#[utoipa::path(post, path = "/api/v1/score/{id}", tag = "instruments",
    params(("id" = String, Path, description = "Instrument id")),
    request_body = ScoreRequest,
    responses((status = 200, body = Score), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score_answers(
    AppPath(id): AppPath<String>,
    AppJson(request): AppJson<ScoreRequest>,
) -> Result<Json<Score>, ApiError> {
    let definition = instruments::library::get(&id).ok_or_else(|| ApiError::NotFound(format!("instrument {id}")))?;
    instruments::score(definition, &request.answers).map(Json).map_err(|err| ApiError::from_score("answers", &err))
}
