//! The only module that talks HTTP: a small `fetch` wrapper and one function per
//! endpoint, typed with `instruments::wire`.
//!
//! Plain `web-sys` fetch instead of an HTTP crate keeps the wasm small; every request
//! has a timeout so that a stalled mobile connection counts as "offline" instead of
//! leaving the respondent waiting.

use std::fmt;

use instruments::wire::ErrorBody;
#[cfg(not(feature = "staff"))]
use instruments::wire::{Campaign, CheckAccessCode, SubmissionReceipt};
use leptos::prelude::{set_timeout, window};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

#[cfg(feature = "staff")]
pub mod staff;

/// How long a request may take before it counts as a network failure.
const TIMEOUT_MS: u64 = 20_000;

/// Why a request failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiClientError {
    /// No answer: offline, DNS, connection reset, or timed out.
    Network,
    /// The server answered with an error status.
    Status {
        /// HTTP status.
        status: u16,
        /// The server's `{"error":{…}}` message, when the body had one.
        message: Option<String>,
        /// The server's error code (e.g. `not_found`).
        code: Option<String>,
        /// The request field at fault, when the server named one.
        field: Option<String>,
    },
    /// A success status with a body that is not what the contract says.
    Decode(String),
}

impl ApiClientError {
    /// Whether sending the same request later may succeed.
    #[cfg(not(feature = "staff"))]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network => true,
            Self::Status { status, .. } => is_retryable_status(*status),
            Self::Decode(_) => false,
        }
    }

    /// Whether the server said the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Whether a failed request is worth sending again: server errors and the 4xx codes
/// that mean "later" (timeout, too early, rate limited). Other 4xx answers are final.
#[cfg(not(feature = "staff"))]
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || status >= 500
}

impl fmt::Display for ApiClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network => f.write_str("network error"),
            Self::Status { message: Some(message), .. } => f.write_str(message),
            Self::Status { status, .. } => write!(f, "HTTP {status}"),
            Self::Decode(reason) => write!(f, "unexpected reply: {reason}"),
        }
    }
}

/// `GET /api/v1/campaigns/{code}`: the campaign with its full definitions.
///
/// # Errors
/// [`ApiClientError`]; a 404 means the campaign is unknown.
#[cfg(not(feature = "staff"))]
pub async fn get_campaign(code: &str) -> Result<Campaign, ApiClientError> {
    fetch_json("GET", &format!("/api/v1/campaigns/{code}"), None).await
}

/// `POST /api/v1/campaigns/{campaign}/access-codes/check`: whether an access code may
/// be used (204). A 422 with code `invalid_access_code` means unknown or used.
///
/// # Errors
/// [`ApiClientError`].
#[cfg(not(feature = "staff"))]
pub async fn check_access_code(campaign: &str, code: String) -> Result<(), ApiClientError> {
    let body = serde_json::to_string(&CheckAccessCode { code }).unwrap_or_default();
    send("POST", &format!("/api/v1/campaigns/{campaign}/access-codes/check"), Some(body), None).await.map(drop)
}

/// `POST /api/v1/campaigns/{code}/submissions` with a serialized
/// [`SubmissionRequest`](instruments::wire::SubmissionRequest) (the outbox keeps the
/// body as sent). Safe to repeat: the idempotency key makes the server store the
/// submission once.
///
/// # Errors
/// [`ApiClientError`]; see [`ApiClientError::is_retryable`].
#[cfg(not(feature = "staff"))]
pub async fn submit(code: &str, body: String) -> Result<SubmissionReceipt, ApiClientError> {
    fetch_json("POST", &format!("/api/v1/campaigns/{code}/submissions"), Some(body)).await
}

async fn fetch_json<T: DeserializeOwned>(method: &str, url: &str, body: Option<String>) -> Result<T, ApiClientError> {
    let text = send(method, url, body, None).await?;
    serde_json::from_str(&text).map_err(|e| ApiClientError::Decode(e.to_string()))
}

/// One request: the body of a success, or the error. `csrf` is sent as
/// `X-CSRF-Token` (the staff API wants it on every change).
async fn send(method: &str, url: &str, body: Option<String>, csrf: Option<&str>) -> Result<String, ApiClientError> {
    let (status, text) = fetch(method, url, body, csrf).await.map_err(|_| ApiClientError::Network)?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let detail = serde_json::from_str::<ErrorBody>(&text).ok().map(|b| b.error);
    Err(match detail {
        Some(d) => ApiClientError::Status { status, message: Some(d.message), code: Some(d.code), field: d.field },
        None => ApiClientError::Status { status, message: None, code: None, field: None },
    })
}

/// One request; the status and body text, or the JS error.
async fn fetch(method: &str, url: &str, body: Option<String>, csrf: Option<&str>) -> Result<(u16, String), JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    let controller = AbortController::new()?;
    init.set_signal(Some(&controller.signal()));
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(url, &init)?;
    let headers = request.headers();
    headers.set("accept", "application/json")?;
    if body.is_some() {
        headers.set("content-type", "application/json")?;
    }
    if let Some(token) = csrf {
        headers.set("x-csrf-token", token)?;
    }
    set_timeout(move || controller.abort(), std::time::Duration::from_millis(TIMEOUT_MS));
    let response: Response = JsFuture::from(window().fetch_with_request(&request)).await?.unchecked_into();
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok((response.status(), text))
}

#[cfg(all(test, not(feature = "staff")))]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_are_retried() {
        for status in [408, 425, 429, 500, 502, 503] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 413, 422] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }
}
