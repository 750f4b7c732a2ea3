//! The only module that talks HTTP: a small `fetch` wrapper and one function per
//! endpoint, typed with `instruments::wire`.
//!
//! Plain `web-sys` fetch instead of an HTTP crate keeps the wasm small; every request
//! has a timeout so that a stalled mobile connection counts as "offline" instead of
//! leaving the respondent waiting.

use std::fmt;
use std::future::Future;
use std::task::Poll;

use instruments::definition::Definition;
use instruments::wire::{Campaign, ErrorBody, SubmissionReceipt};
use leptos::prelude::{set_timeout, window};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

use crate::state::is_retryable_status;

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
    },
    /// A success status with a body that is not what the contract says.
    Decode(String),
}

impl ApiClientError {
    /// Whether sending the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network => true,
            Self::Status { status, .. } => is_retryable_status(*status),
            Self::Decode(_) => false,
        }
    }

    /// Whether the server said the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Status { status: 404, .. })
    }
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
pub async fn get_campaign(code: &str) -> Result<Campaign, ApiClientError> {
    fetch_json("GET", &format!("/api/v1/campaigns/{code}"), None).await
}

/// `POST /api/v1/campaigns/{code}/submissions` with a serialized
/// [`SubmissionRequest`](instruments::wire::SubmissionRequest) (the outbox keeps the
/// body as sent). Safe to repeat: the idempotency key makes the server store the
/// submission once.
///
/// # Errors
/// [`ApiClientError`]; see [`ApiClientError::is_retryable`].
pub async fn submit(code: &str, body: String) -> Result<SubmissionReceipt, ApiClientError> {
    fetch_json("POST", &format!("/api/v1/campaigns/{code}/submissions"), Some(body)).await
}

/// `GET /api/v1/instruments`, then `GET /api/v1/instruments/{id}` for each, all at
/// once: every instrument the server offers, in its order.
///
/// # Errors
/// The first [`ApiClientError`] of any of the requests.
pub async fn get_instruments() -> Result<Vec<Definition>, ApiClientError> {
    let list: Vec<Listed> = fetch_json("GET", "/api/v1/instruments", None).await?;
    let requests = list
        .iter()
        .map(|s| async move { fetch_json::<Definition>("GET", &format!("/api/v1/instruments/{}", s.id), None).await });
    join_all(requests.collect()).await.into_iter().collect()
}

/// The part of an [`InstrumentSummary`](instruments::wire::InstrumentSummary) the app
/// reads: decoding the whole summary would cost ~4 KB of wasm for fields that the
/// definition repeats anyway.
#[derive(Deserialize)]
struct Listed {
    id: String,
}

/// Awaits every future, polling them together (so their requests are in flight at the
/// same time), and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut ready = true;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => ready = false,
                }
            }
        }
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

async fn fetch_json<T: DeserializeOwned>(method: &str, url: &str, body: Option<String>) -> Result<T, ApiClientError> {
    let (status, text) = fetch(method, url, body).await.map_err(|_| ApiClientError::Network)?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&text).map_err(|e| ApiClientError::Decode(e.to_string()));
    }
    let detail = serde_json::from_str::<ErrorBody>(&text).ok().map(|b| b.error);
    Err(ApiClientError::Status {
        status,
        message: detail.as_ref().map(|d| d.message.clone()),
        code: detail.map(|d| d.code),
    })
}

/// One request; the status and body text, or the JS error.
async fn fetch(method: &str, url: &str, body: Option<String>) -> Result<(u16, String), JsValue> {
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
    set_timeout(move || controller.abort(), std::time::Duration::from_millis(TIMEOUT_MS));
    let response: Response = JsFuture::from(window().fetch_with_request(&request)).await?.unchecked_into();
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok((response.status(), text))
}
