//! The HTTP surface: the JSON API under `/api/v1`, its OpenAPI document, and the app.

mod campaigns;
mod cases;
mod instruments;
mod invitations;
mod organizations;
mod platform;
mod reports;
mod respondents;
mod score;
mod session;
mod staff_campaigns;
mod submissions;

pub use organizations::valid_email;

use std::collections::btree_map::Entry;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{ResponseBuilder, Responses};
use utoipa::openapi::{Ref, RefOr};
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
    /// Reports built at once, off the async runtime (at most [`REPORT_BUILDERS`]).
    pub report_builders: Arc<tokio::sync::Semaphore>,
    /// Wakes the notification worker after a commit that wrote notifications.
    pub notifier: crate::notify::Notifier,
}

/// Reports built at once: each takes a blocking thread and a core, so two leave the
/// intake's workers free on a two-core machine.
pub const REPORT_BUILDERS: usize = 2;

impl AppState {
    /// State over a store with the given settings.
    ///
    /// # Errors
    /// Mail settings that do not make a mailer.
    pub fn new(store: Store, settings: StaffSettings) -> anyhow::Result<Self> {
        // reqwest and lettre share rustls; one crypto provider for the process.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mailer = settings.mail.as_ref().map(Mailer::new).transpose()?;
        Ok(Self {
            store,
            limiter: Arc::default(),
            passwords: Arc::default(),
            settings: Arc::new(settings),
            mailer,
            report_builders: Arc::new(tokio::sync::Semaphore::new(REPORT_BUILDERS)),
            notifier: crate::notify::Notifier::default(),
        })
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
                       session, 403 when the account's roles do not admit the call or the token is missing or \
                       wrong. Each operation's description ends with the roles it admits. Every error has the \
                       body `ErrorBody` with a 4xx status; a method a path has no operation for gets 405.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(openapi_document),
    components(schemas(::instruments::wire::ErrorBody))
)]
struct ApiDoc;

/// The API routes together with their OpenAPI description: both come from the same
/// `routes!` declarations, so a route cannot exist undocumented.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
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
        .routes(routes!(organizations::get_notifications, organizations::put_notifications))
        .routes(routes!(staff_campaigns::list_campaigns, staff_campaigns::create_campaign))
        .routes(routes!(staff_campaigns::get_managed_campaign, staff_campaigns::update_campaign))
        .routes(routes!(staff_campaigns::set_campaign_state))
        .routes(routes!(staff_campaigns::generate_access_codes, staff_campaigns::list_access_codes))
        .routes(routes!(staff_campaigns::access_codes_csv))
        .routes(routes!(staff_campaigns::access_code_slips))
        .routes(routes!(respondents::generate_panel_codes, respondents::list_panel_codes))
        .routes(routes!(respondents::retire_panel_code))
        .routes(routes!(respondents::person_timeline, respondents::delete_person))
        .routes(routes!(cases::case_queue))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::change_case))
        .routes(routes!(cases::change_level))
        .routes(routes!(cases::add_interview))
        .routes(routes!(cases::add_referral))
        .routes(routes!(cases::update_referral))
        .routes(routes!(cases::add_visit))
        .routes(routes!(cases::set_next_visit))
        .routes(routes!(platform::get_warning_levels, platform::put_warning_levels))
        .routes(routes!(platform::get_interview_form, platform::put_interview_form))
        .routes(routes!(platform::list_destinations, platform::create_destination))
        .routes(routes!(platform::update_destination))
        .routes(routes!(reports::campaign_report_route))
        .routes(routes!(reports::trend_report_route))
        .routes(routes!(reports::organization_report_route))
        .routes(routes!(reports::platform_report_route))
        .routes(routes!(reports::export_responses))
        .with_state(state)
        .split_for_parts();
    document_extractor_statuses(&mut doc);
    (router, doc)
}

/// Who an operation admits, read from its description's `Admits:` line; the extractors
/// it takes follow from that, and so do the statuses they answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Admits {
    /// No session needed ("anyone", "anyone with the link").
    Anyone,
    /// Any session; no role is checked.
    AnyStaff,
    /// Some roles only.
    Roles,
}

impl Admits {
    fn of(operation: &Operation) -> Self {
        let words = format!(
            "{} {}",
            operation.summary.as_deref().unwrap_or(""),
            operation.description.as_deref().unwrap_or("")
        );
        let admits = words.rsplit_once("Admits:").map_or("", |(_, rest)| rest).trim_start();
        if admits.starts_with("anyone") {
            Self::Anyone
        } else if admits.starts_with("any signed-in staff member") {
            Self::AnyStaff
        } else {
            Self::Roles
        }
    }
}

/// The statuses an operation's extractors answer before its handler runs, added to
/// what the handler declares: one rule here instead of a line in every handler, so no
/// operation can leave one out.
/// - A JSON body (`AppJson`): 400 malformed JSON, 413 over [`BODY_LIMIT`], 415 not
///   declared as JSON, 422 JSON of the wrong shape.
/// - A path parameter (`AppPath`): 404, also for a segment that cannot be one (or is
///   not UTF-8); 422 `invalid_text` for one holding control characters.
/// - A slow body: 408 (the body-read timeout).
/// - A staff session (`Staff`): 401 without one; 403 when roles are checked, and on
///   POST, PUT and DELETE for a missing or wrong `X-CSRF-Token`.
///
/// 405 (`method_not_allowed_fallback`) answers a method a path has no operation for, so
/// it belongs to no operation and is stated in the document's description.
fn document_extractor_statuses(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_path_parameter = path.contains('{');
        let operations = [
            (&mut item.get, true),
            (&mut item.head, true),
            (&mut item.options, true),
            (&mut item.put, false),
            (&mut item.post, false),
            (&mut item.delete, false),
            (&mut item.patch, false),
            (&mut item.trace, true),
        ];
        for (operation, safe) in operations {
            let Some(operation) = operation.as_mut() else { continue };
            let admits = Admits::of(operation);
            let mut statuses: Vec<(&str, String)> = Vec::new();
            if operation.request_body.is_some() {
                statuses.push(("400", "Malformed JSON".into()));
                statuses.push(("413", format!("Body larger than {} KiB", BODY_LIMIT / 1024)));
                statuses.push(("415", "Body not declared as JSON (`Content-Type: application/json`)".into()));
                statuses.push(("422", "A field is missing, of the wrong type or has a value it may not have".into()));
                statuses.push(("408", "The body was not sent in time (slow clients are cut off)".into()));
            }
            if has_path_parameter {
                statuses.push(("404", "Nothing found at this path".into()));
                statuses.push(("422", "A path segment holds control characters (`invalid_text`)".into()));
            }
            if admits != Admits::Anyone {
                statuses.push(("401", "No valid staff session".into()));
                match (admits, safe) {
                    (Admits::Roles, true) => statuses.push(("403", "The account's roles do not admit this".into())),
                    (Admits::Roles, false) => statuses.push((
                        "403",
                        "The account's roles do not admit this, or `X-CSRF-Token` is missing or wrong".into(),
                    )),
                    (_, false) => statuses.push(("403", "`X-CSRF-Token` is missing or wrong".into())),
                    (_, true) => {}
                }
            }
            for (status, description) in statuses {
                add_error_response(&mut operation.responses, status, description);
            }
        }
    }
}

/// Adds `status` with the error body unless the handler declared it; a declared one
/// without a description gets this one.
fn add_error_response(responses: &mut Responses, status: &str, description: String) {
    match responses.responses.entry(status.to_owned()) {
        Entry::Occupied(mut declared) => {
            if let RefOr::T(response) = declared.get_mut() {
                if response.description.is_empty() {
                    response.description = description;
                }
            }
        }
        Entry::Vacant(missing) => {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            missing.insert(RefOr::T(
                ResponseBuilder::new().description(description).content("application/json", body).build(),
            ));
        }
    }
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
