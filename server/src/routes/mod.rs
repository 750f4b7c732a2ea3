//! The HTTP surface: the JSON API under `/api/v1`, its OpenAPI document, and the app.

mod campaigns;
mod instruments;
mod score;
mod submissions;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::assets::Assets;
use crate::db::Store;
use crate::error::ApiError;
use crate::extract::BODY_LIMIT;

/// What handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xin'an API",
        description = "Anonymous mental-health screening: instruments, scoring and submissions. \
                       Every error has the body `ErrorBody` with a 4xx status.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(openapi_document),
    components(schemas(::instruments::wire::ErrorBody))
)]
struct ApiDoc;

/// The API routes together with their OpenAPI description: both come from the same
/// `routes!` declarations, so a route cannot exist undocumented.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(instruments::list_instruments))
        .routes(routes!(instruments::get_instrument))
        .routes(routes!(score::score_answers))
        .routes(routes!(campaigns::get_campaign))
        .routes(routes!(submissions::submit_responses))
        .with_state(state)
        .split_for_parts();
    (router, doc)
}

/// The whole application: API, OpenAPI document and the browser app.
pub fn router(state: AppState, assets: Assets) -> Router {
    let (api, doc) = api(state);
    let doc = Arc::new(doc);
    let api = api
        .route("/api/v1/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
        .route("/api/{*rest}", any(|| async { ApiError::NotFound("API route".into()) }))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(api_headers));
    api.fallback_service(assets.service()).layer(middleware::from_fn(common_headers))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
#[allow(dead_code)]
async fn openapi_document() {}

/// API answers may hold scores: no cache anywhere may keep them.
async fn api_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What the page may load and run: only this origin's files, plus compiling the wasm
/// app. No inline script or style, no third-party anything, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers on every response. The campaign code is in the page URL: never leak it to
/// other sites through the referrer.
async fn common_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
