//! The HTTP surface: the JSON API under `/api/v1`, its OpenAPI document, and the app.

mod campaigns;
mod cases;
mod instruments;
mod invitations;
mod organizations;
mod reports;
mod score;
mod session;
mod staff_campaigns;
mod submissions;

pub use organizations::valid_email;

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
use crate::auth::password::PasswordWork;
use crate::auth::LoginLimiter;
use crate::config::StaffSettings;
use crate::db::Store;
use crate::error::ApiError;
use crate::extract::BODY_LIMIT;
use crate::mail::Mailer;

/// What handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Recent sign-in attempts.
    pub limiter: Arc<LoginLimiter>,
    /// The bounded pool every password hash runs in.
    pub passwords: Arc<PasswordWork>,
    /// Sessions and follow-up settings.
    pub settings: Arc<StaffSettings>,
    /// Outgoing mail, when configured.
    pub mailer: Option<Mailer>,
}

impl AppState {
    /// State over a store with the given settings.
    ///
    /// # Errors
    /// Mail settings that do not make a mailer.
    pub fn new(store: Store, settings: StaffSettings) -> anyhow::Result<Self> {
        let mailer = settings.mail.as_ref().map(Mailer::new).transpose()?;
        Ok(Self { store, limiter: Arc::default(), passwords: Arc::default(), settings: Arc::new(settings), mailer })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xin'an API",
        description = "Anonymous mental-health screening: instruments, scoring and submissions; staff \
                       sign-in, organizations, campaigns, access codes, the follow-up queue and the audit log. \
                       Staff endpoints need the session cookie from `POST /api/v1/session`, and POST, PUT and \
                       DELETE also the header `X-CSRF-Token` (from `GET /api/v1/session`): 401 without a \
                       session, 403 when the account's roles do not admit the call. Each operation's \
                       description ends with the roles it admits. Every error has the body `ErrorBody` with \
                       a 4xx status.",
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
        .routes(routes!(campaigns::check_access_code))
        .routes(routes!(session::sign_in, session::get_session, session::sign_out))
        .routes(routes!(invitations::get_invitation, invitations::accept_invitation))
        .routes(routes!(invitations::confirm_invitation))
        .routes(routes!(organizations::list_organizations, organizations::create_organization))
        .routes(routes!(organizations::get_organization))
        .routes(routes!(organizations::list_members))
        .routes(routes!(organizations::create_invitation))
        .routes(routes!(organizations::follow_up_figures))
        .routes(routes!(organizations::organization_audit))
        .routes(routes!(organizations::platform_audit))
        .routes(routes!(staff_campaigns::list_campaigns, staff_campaigns::create_campaign))
        .routes(routes!(staff_campaigns::get_managed_campaign, staff_campaigns::update_campaign))
        .routes(routes!(staff_campaigns::set_campaign_state))
        .routes(routes!(staff_campaigns::generate_access_codes, staff_campaigns::list_access_codes))
        .routes(routes!(staff_campaigns::access_codes_csv))
        .routes(routes!(staff_campaigns::access_code_slips))
        .routes(routes!(cases::case_queue))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::change_case))
        .routes(routes!(reports::campaign_report_route))
        .routes(routes!(reports::trend_report_route))
        .routes(routes!(reports::organization_report_route))
        .routes(routes!(reports::platform_report_route))
        .routes(routes!(reports::export_responses))
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
        // `/api` and `/api/` are no page of the app either.
        .route("/api", any(|| async { ApiError::NotFound("API route".into()) }))
        .route("/api/", any(|| async { ApiError::NotFound("API route".into()) }))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(api_headers));
    api.fallback_service(assets.service()).layer(middleware::from_fn(common_headers))
}

/// The OpenAPI 3.1 document of this API. Admits: anyone.
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
