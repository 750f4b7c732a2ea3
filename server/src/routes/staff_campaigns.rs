//! Campaign management: create, edit, open and close, and access codes.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::Json;
use instruments::wire::staff::{AccessCode, Anonymity, CampaignDetail, CampaignSpec, GenerateCodes, SetCampaignState};
use instruments::wire::ErrorBody;
use instruments::{Locale, Text};

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::campaign::Campaign;
use crate::db::{NewCampaign, Saved};
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

/// The campaign `code` of organization `org`, after checking the caller may manage it.
async fn managed(state: &AppState, staff: &Staff, org: i64, code: &str) -> Result<Campaign, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    let campaign = state.store.campaign_by_code(&code.to_ascii_uppercase()).await?;
    if campaign.organization_id != org {
        return Err(ApiError::NotFound(format!("campaign {code}")));
    }
    Ok(campaign)
}

fn rule_error(err: &crate::db::CampaignRuleError) -> ApiError {
    ApiError::invalid("campaign_rule", err.field(), err.to_string())
}

/// The organization's campaigns, newest first. Admits: platform_admin; org_admin of
/// this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/campaigns", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Vec<CampaignDetail>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<Vec<CampaignDetail>>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    let today = crate::day::today();
    let mut out = Vec::new();
    for campaign in state.store.campaigns_of(org).await? {
        out.push(state.store.campaign_detail(&campaign, &today).await?);
    }
    Ok(Json(out))
}

/// Creates a campaign. Every instrument must exist, speak every offered language and
/// be validated for every respondent age (422 naming the field). Admits:
/// platform_admin; org_admin of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/campaigns", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id")), request_body = CampaignSpec,
    responses((status = 201, body = CampaignDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    AppJson(spec): AppJson<CampaignSpec>,
) -> Result<(StatusCode, Json<CampaignDetail>), ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    let new = NewCampaign::from_spec(org, &spec).map_err(|e| rule_error(&e))?;
    let today = crate::day::today();
    match state.store.create_campaign(&new, &today).await? {
        Saved::Done(_) => {}
        Saved::CodeTaken => {
            return Err(ApiError::conflict("code_taken", Some("code"), "another campaign already has this code"))
        }
        Saved::QuestionsFixed => unreachable!("a new campaign has no submissions"),
    }
    state.store.audit(Some(staff.user_id), Some(org), "campaign_created", &format!("campaign {}", new.code)).await?;
    let campaign = state.store.campaign_by_code(&new.code).await?;
    Ok((StatusCode::CREATED, Json(state.store.campaign_detail(&campaign, &today).await?)))
}

/// One campaign. Admits: platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/campaigns/{code}", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    responses((status = 200, body = CampaignDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_managed_campaign(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<Json<CampaignDetail>, ApiError> {
    let campaign = managed(&state, &staff, org, &code).await?;
    Ok(Json(state.store.campaign_detail(&campaign, &crate::day::today()).await?))
}

/// Replaces a campaign's settings. The code cannot change; instruments and cohort
/// questions cannot change once submissions exist (409). Admits: platform_admin;
/// org_admin of this organization.
#[utoipa::path(put, path = "/api/v1/organizations/{org}/campaigns/{code}", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    request_body = CampaignSpec,
    responses((status = 200, body = CampaignDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
    AppJson(spec): AppJson<CampaignSpec>,
) -> Result<Json<CampaignDetail>, ApiError> {
    let current = managed(&state, &staff, org, &code).await?;
    if !spec.code.trim().eq_ignore_ascii_case(&current.code) {
        return Err(ApiError::invalid("invalid_field", "code", "a campaign's code cannot change"));
    }
    let new = NewCampaign::edit_of(&current, &spec).map_err(|e| rule_error(&e))?;
    if state.store.update_campaign(&current, &new).await? == Saved::QuestionsFixed {
        return Err(ApiError::conflict(
            "campaign_has_submissions",
            Some("instruments"),
            "instruments and cohort questions cannot change once answers were submitted",
        ));
    }
    state
        .store
        .audit(Some(staff.user_id), Some(org), "campaign_updated", &format!("campaign {}", current.code))
        .await?;
    let campaign = state.store.campaign_by_code(&current.code).await?;
    Ok(Json(state.store.campaign_detail(&campaign, &crate::day::today()).await?))
}

/// Closes a campaign now, or reopens it (an opening day in the future becomes today;
/// a past closing day must be changed by editing). Admits: platform_admin; org_admin
/// of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/campaigns/{code}/state", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    request_body = SetCampaignState,
    responses((status = 200, body = CampaignDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_campaign_state(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
    AppJson(body): AppJson<SetCampaignState>,
) -> Result<Json<CampaignDetail>, ApiError> {
    let campaign = managed(&state, &staff, org, &code).await?;
    let today = crate::day::today();
    state.store.set_campaign_closed(&campaign, body.closed, &today).await?;
    let action = if body.closed { "campaign_closed" } else { "campaign_reopened" };
    state.store.audit(Some(staff.user_id), Some(org), action, &format!("campaign {}", campaign.code)).await?;
    let campaign = state.store.campaign_by_code(&campaign.code).await?;
    Ok(Json(state.store.campaign_detail(&campaign, &today).await?))
}

/// Generates new one-time access codes for a coded campaign (1–5000 at a time).
/// Admits: platform_admin; org_admin of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/campaigns/{code}/access-codes", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    request_body = GenerateCodes,
    responses((status = 201, body = Vec<AccessCode>, description = "The new codes"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn generate_access_codes(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
    AppJson(body): AppJson<GenerateCodes>,
) -> Result<(StatusCode, Json<Vec<AccessCode>>), ApiError> {
    let campaign = managed(&state, &staff, org, &code).await?;
    if !(1..=crate::db::MAX_CODE_BATCH).contains(&body.count) {
        return Err(ApiError::invalid("invalid_field", "count", "generate between 1 and 5000 codes at a time"));
    }
    if campaign.anonymity != Anonymity::Coded {
        return Err(ApiError::conflict(
            "campaign_not_coded",
            None,
            "this campaign is anonymous: it uses no access codes",
        ));
    }
    let codes = state.store.generate_access_codes(campaign.id, body.count, crate::day::now()).await?;
    let subject = format!("campaign {}: {} codes", campaign.code, codes.len());
    state.store.audit(Some(staff.user_id), Some(org), "codes_generated", &subject).await?;
    Ok((StatusCode::CREATED, Json(codes.into_iter().map(|code| AccessCode { code, used: false }).collect())))
}

async fn codes_for_export(
    state: &AppState,
    staff: &Staff,
    org: i64,
    code: &str,
    action: &str,
) -> Result<(Campaign, Vec<AccessCode>), ApiError> {
    let campaign = managed(state, staff, org, code).await?;
    let codes = state.store.access_codes(campaign.id).await?;
    let subject = format!("campaign {}: {} codes", campaign.code, codes.len());
    state.store.audit(Some(staff.user_id), Some(org), action, &subject).await?;
    Ok((campaign, codes))
}

/// Every access code of the campaign and whether it was used. Admits: platform_admin;
/// org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/campaigns/{code}/access-codes", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    responses((status = 200, body = Vec<AccessCode>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_access_codes(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<Json<Vec<AccessCode>>, ApiError> {
    Ok(Json(codes_for_export(&state, &staff, org, &code, "codes_viewed").await?.1))
}

/// The access codes as CSV (`code,used`), for a mail merge or a spreadsheet. Admits:
/// platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/campaigns/{code}/access-codes.csv", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn access_codes_csv(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let (campaign, codes) = codes_for_export(&state, &staff, org, &code, "codes_exported").await?;
    let mut csv = String::from("code,used\r\n");
    for c in &codes {
        csv.push_str(&format!("{},{}\r\n", c.code, if c.used { "yes" } else { "no" }));
    }
    let disposition = format!("attachment; filename=\"{}-access-codes.csv\"", campaign.code);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        csv,
    ))
}

/// A printable page of slips, one unused code per slip, with the link and what the
/// code means, to cut and hand out. Admits: platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/campaigns/{code}/access-codes/slips", tag = "campaign management",
    params(("org" = i64, Path, description = "Organization id"), ("code" = String, Path, description = "Campaign code")),
    responses((status = 200, content_type = "text/html", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn access_code_slips(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((org, code)): AppPath<(i64, String)>,
    headers: HeaderMap,
) -> Result<Html<String>, ApiError> {
    let (campaign, codes) = codes_for_export(&state, &staff, org, &code, "codes_exported").await?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let scheme = if state.settings.secure_cookies { "https" } else { "http" };
    let link = format!("{scheme}://{host}/c/{}", campaign.code);
    Ok(Html(slips_page(&campaign, &codes, &link)))
}

fn text_in<'a>(text: &'a Text, tag: &str) -> Option<&'a str> {
    Locale::parse(tag).ok().and_then(|l| text.get(&l)).map(String::as_str)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn slips_page(campaign: &Campaign, codes: &[AccessCode], link: &str) -> String {
    let zh = text_in(&campaign.name, "zh-Hans");
    let en = text_in(&campaign.name, "en");
    let title = escape(&[zh, en].into_iter().flatten().collect::<Vec<_>>().join(" · "));
    let link = escape(link);
    let mut slips = String::new();
    for c in codes.iter().filter(|c| !c.used) {
        let grouped = format!("{} {}", &c.code[..5], &c.code[5..]);
        slips.push_str(&format!(
            "<section class=\"slip\"><h2>{title}</h2><p class=\"link\">{link}</p>\
             <p class=\"code\">{grouped}</p>\
             <p>这是你的一次性测评码，只能使用一次。学校保存测评码与姓名的对应关系，心安系统不保存姓名。<br>\
             Your one-time access code; it works once. Your school keeps which code went to whom; Xin'an never holds names.</p>\
             </section>\n"
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — access codes</title><link rel=\"stylesheet\" href=\"/slips.css\"></head>\
         <body><main class=\"slips\">\n{slips}</main></body></html>\n"
    )
}
