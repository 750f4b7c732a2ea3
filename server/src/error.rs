//! The one error type of the HTTP API and the one place it becomes a response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use instruments::wire::{ErrorBody, ErrorDetail};
use instruments::ScoreError;

use crate::db::DbError;

/// Everything a request can fail with. Variants name causes; the status is decided
/// in `ApiError::status` only.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No such resource (campaign, instrument, route).
    #[error("{0} not found")]
    NotFound(String),
    /// The body is not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// The body is not declared as JSON.
    #[error("expected a body with Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body exceeds the 64 KiB limit.
    #[error("request body larger than 64 KiB")]
    PayloadTooLarge,
    /// The route exists, but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A field has a value the request may not have.
    #[error("{message}")]
    Invalid {
        /// Stable code, e.g. `invalid_answer`.
        code: &'static str,
        /// Path of the field, e.g. `results[0].answers.phq9_3`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The idempotency key was used before for a different request.
    #[error("this idempotency_key was already used for a different submission")]
    IdempotencyConflict,
    /// Anything else; details go to the log, never to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// An invalid field.
    pub fn invalid(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { code, field: field.into(), message: message.into() }
    }

    /// Scoring failures, located under `prefix` (e.g. `results[0].answers`).
    pub fn from_score(prefix: &str, err: &ScoreError) -> Self {
        let field = if prefix.is_empty() { err.item().to_owned() } else { format!("{prefix}.{}", err.item()) };
        Self::invalid("invalid_answer", field, err.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyConflict => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::MalformedJson(_) => "malformed_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Invalid { code, .. } => code,
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound(what) => Self::NotFound(what),
            DbError::Other(err) => Self::Internal(err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self {
            Self::Internal(err) => {
                // Logged once, with its cause chain; the client learns nothing internal.
                tracing::error!(error = format!("{err:#}"), "request failed");
                "internal error; the request was not stored".to_owned()
            }
            other => other.to_string(),
        };
        let field = match &self {
            Self::Invalid { field, .. } => Some(field.clone()),
            Self::IdempotencyConflict => Some("idempotency_key".to_owned()),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message, field } };
        (self.status(), Json(body)).into_response()
    }
}
