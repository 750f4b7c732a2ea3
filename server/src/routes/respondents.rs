//! The same person across waves: the organization's code book, one code's timeline,
//! and deleting everything stored under a code (PIPL).

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use instruments::wire::staff::{DeletedPerson, GenerateCodes, PanelCode, PanelCodes, PersonTimeline};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};
use crate::report::svg::escape;

/// A book code from a path, normalized as respondents type it; 404 when it cannot be one.
fn book_code(typed: &str) -> Result<String, ApiError> {
    crate::respondent_code::normalize_access_code(typed)
        .ok_or_else(|| ApiError::NotFound(format!("panel code {typed}")))
}

/// Generates new codes for the organization's code book: the school writes, outside
/// Xin'an, which code is whose. Admits: platform_admin; org_admin of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/panel-codes", tag = "respondents",
    params(("org" = i64, Path, description = "Organization id")), request_body = GenerateCodes,
    responses((status = 201, body = PanelCodes), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate_panel_codes(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    AppJson(body): AppJson<GenerateCodes>,
) -> Result<(StatusCode, Json<PanelCodes>), ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    if !(1..=crate::db::MAX_PANEL_BATCH).contains(&body.count) {
        return Err(ApiError::invalid("invalid_field", "count", "generate between 1 and 5000 codes at a time"));
    }
    let codes = state.store.generate_panel_codes(org, body.count, crate::day::now()).await?;
    let subject = format!("code book: {} codes", codes.len());
    state.store.audit(Some(staff.user_id), Some(org), "panel_codes_generated", &subject).await?;
    Ok((StatusCode::CREATED, Json(PanelCodes { codes })))
}

/// The code book: JSON (default), `?format=csv` (code, generated, retired, submissions,
/// and an empty column for the school's own key, to be kept outside Xin'an) or
/// `?format=html` (printable slips of the codes in use). Written in the audit log.
/// Admits: platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/panel-codes", tag = "respondents",
    params(("org" = i64, Path, description = "Organization id"),
        ("format" = Option<String>, Query, description = "json (default), csv or html")),
    responses((status = 200, body = Vec<PanelCode>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_panel_codes(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    let format = match raw.as_deref().unwrap_or("") {
        "" | "format=json" => "json",
        "format=csv" => "csv",
        "format=html" => "html",
        _ => return Err(ApiError::invalid("invalid_field", "format", "format is json, csv or html")),
    };
    let organization = state.store.organization(org).await?;
    let codes = state.store.panel_codes(org).await?;
    let subject = format!("code book: {} codes ({format})", codes.len());
    state.store.audit(Some(staff.user_id), Some(org), "panel_codes_viewed", &subject).await?;
    Ok(match format {
        "csv" => {
            let day = |at: Option<i64>| at.map(crate::day::day_of).unwrap_or_default();
            let mut csv = String::from("\u{feff}code,generated_on,retired_on,submissions,kept_by_the_school\r\n");
            for c in &codes {
                let line =
                    format!("{},{},{},{},\r\n", c.code, day(Some(c.created_at)), day(c.retired_at), c.submissions);
                csv.push_str(&line);
            }
            let disposition = format!("attachment; filename=\"xinan-code-book-{org}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                csv,
            )
                .into_response()
        }
        "html" => Html(slips(&organization.name, &codes)).into_response(),
        _ => Json(codes).into_response(),
    })
}

/// A printable page of slips, one code in use per slip, saying what it is for (the
/// same sheet as a coded campaign's slips, `/slips.css`).
fn slips(organization: &str, codes: &[PanelCode]) -> String {
    let title = escape(organization);
    let mut slips = String::new();
    for c in codes.iter().filter(|c| c.retired_at.is_none()) {
        let grouped = escape(&format!("{} {}", &c.code[..5], &c.code[5..]));
        slips.push_str(&format!(
            "<section class=\"slip\"><h2>{title}</h2><p class=\"code\">{grouped}</p>\
             <p>这是你的测评码，以后每次心理测评都使用同一个码，请妥善保管。学校保存测评码与姓名的对应关系，心安系统不保存姓名。<br>\
             Your screening code: use the same code in every screening, and keep it. Your school keeps whose code is whose; Xin'an never holds names.</p>\
             </section>\n"
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — code book</title><link rel=\"stylesheet\" href=\"/slips.css\"></head>\
         <body><main class=\"slips\">\n{slips}</main></body></html>\n"
    )
}

/// Retires a code (the person left): it takes no new submission; what it answered
/// stays until deleted. Admits: platform_admin; org_admin of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/panel-codes/{code}/retire", tag = "respondents",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Book code")),
    responses((status = 200, body = PanelCode), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn retire_panel_code(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<Json<PanelCode>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    let code = book_code(&code)?;
    let retired = state.store.retire_panel_code(org, &code, crate::day::now()).await?;
    state.store.audit(Some(staff.user_id), Some(org), "panel_code_retired", &format!("panel code {code}")).await?;
    Ok(Json(retired))
}

/// One code's results, campaign by campaign, oldest first, with its warnings, their
/// levels and interviews: a follow-up tool, never a report. Every view is written in
/// the audit log. Admits: counselor and org_admin of this organization (not the
/// platform: a person is followed by their own school).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/respondents/{code}", tag = "respondents",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Book code")),
    responses((status = 200, body = PersonTimeline), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn person_timeline(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<Json<PersonTimeline>, ApiError> {
    staff.require(Permission::FollowPerson(org))?;
    let code = book_code(&code)?;
    let timeline = state.store.person_timeline(org, &code, crate::day::now()).await?;
    state.store.audit(Some(staff.user_id), Some(org), "respondent_viewed", &format!("panel code {code}")).await?;
    Ok(Json(timeline))
}

/// Deletes everything stored under a code (a PIPL deletion request): its submissions,
/// results, warnings and their history, and the code; the report aggregates are
/// decremented in the same transaction, so reports stay exact. Audited. Admits:
/// org_admin of this organization only.
#[utoipa::path(delete, path = "/api/v1/organizations/{org}/respondents/{code}", tag = "respondents",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Book code")),
    responses((status = 200, body = DeletedPerson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_person(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<Json<DeletedPerson>, ApiError> {
    staff.require(Permission::ErasePerson(org))?;
    let code = book_code(&code)?;
    let deleted = state.store.delete_person(org, &code, Some(staff.user_id), crate::day::now()).await?;
    Ok(Json(DeletedPerson { submissions: deleted.submissions, warnings: deleted.warnings }))
}
