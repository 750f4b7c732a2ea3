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
    /// The client sent the body too slowly.
    #[error("the request body was not sent in time")]
    BodyTimeout,
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
    /// No valid staff session.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but the account's roles do not allow this.
    #[error("your account may not do this")]
    Forbidden,
    /// Signed in, but as someone other than the person this is for (an invitation).
    #[error("this invitation is for another e-mail address: sign in with that one")]
    WrongAccount,
    /// A state-changing request without the session's `X-CSRF-Token`.
    #[error("missing or wrong X-CSRF-Token header")]
    CsrfFailed,
    /// Wrong e-mail or password; the same message either way.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// Too many failed sign-ins; try again after this many seconds.
    #[error("too many failed sign-ins; try again in {0} seconds")]
    TooManyAttempts(i64),
    /// The request is valid but conflicts with the resource's state (a closed
    /// campaign, a used code, a taken campaign code).
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `campaign_not_open`.
        code: &'static str,
        /// The field at fault, if one is.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The mail relay did not take a mail; nothing was stored.
    #[error("the invitation e-mail could not be sent; nothing was stored, try again later")]
    MailFailed,
    /// Too much work of one kind is in progress (password hashing); try again shortly.
    #[error("{0}")]
    Busy(String),
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

    /// A conflict with the resource's state.
    pub fn conflict(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Conflict { code, field: field.map(str::to_owned), message: message.into() }
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
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyConflict | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfFailed | Self::WrongAccount => StatusCode::FORBIDDEN,
            Self::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy(_) | Self::MailFailed => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::MalformedJson(_) => "malformed_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::BodyTimeout => "body_timeout",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Invalid { code, .. } => code,
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::CsrfFailed => "csrf_failed",
            Self::WrongAccount => "wrong_account",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts(_) => "too_many_attempts",
            Self::Busy(_) => "busy",
            Self::MailFailed => "mail_failed",
            Self::Conflict { code, .. } => code,
            Self::Internal(_) => "internal",
        }
    }
}

impl From<crate::auth::password::Busy> for ApiError {
    fn from(err: crate::auth::password::Busy) -> Self {
        Self::Busy(err.to_string())
    }
}

impl From<crate::screening::ScreeningError> for ApiError {
    fn from(err: crate::screening::ScreeningError) -> Self {
        use crate::screening::ScreeningError as E;
        match err {
            E::Invalid { code, field, message } => Self::Invalid { code, field, message },
            E::NotOpen(message) => Self::Conflict { code: "campaign_not_open", field: None, message },
        }
    }
}

impl From<crate::notify::WebhookError> for ApiError {
    fn from(err: crate::notify::WebhookError) -> Self {
        Self::Invalid { code: "invalid_webhook", field: "webhook_url".into(), message: err.to_string() }
    }
}

impl From<crate::followup::FollowUpError> for ApiError {
    fn from(err: crate::followup::FollowUpError) -> Self {
        use crate::followup::FollowUpError as E;
        let message = err.to_string();
        match err {
            E::InvalidField { field, .. } => Self::Invalid { code: "invalid_field", field, message },
            E::Required { field } => Self::Invalid { code: "field_required", field, message },
            E::Identifying { field, .. } => Self::Invalid { code: "identifying_text", field, message },
            E::UnknownLevel { field, .. } => Self::Invalid { code: "unknown_level", field, message },
            E::LevelInUse { .. } => Self::Conflict { code: "level_in_use", field: Some("levels".into()), message },
            E::InvalidTransition { .. } => {
                Self::Conflict { code: "invalid_transition", field: Some("to".into()), message }
            }
            E::Finished(_) => Self::Conflict { code: "case_finished", field: None, message },
            E::AlreadySet { field } => Self::Conflict { code: "already_set", field: Some(field), message },
            E::Stale => Self::Conflict { code: "case_changed", field: None, message },
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
            Self::Conflict { field, .. } => field.clone(),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message, field } };
        let mut response = (self.status(), Json(body)).into_response();
        match self {
            Self::TooManyAttempts(seconds) => {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
            }
            Self::Busy(_) => {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, 1.into());
            }
            _ => {}
        }
        response
    }
}
