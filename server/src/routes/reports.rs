//! Population reports: JSON, CSV, XLSX and printable HTML, all rendered from one
//! `Report` value built from aggregates; and the raw-data export.
//!
//! Handlers read what a report needs, then build and render it [`off_runtime`]: the
//! async workers only ever wait on I/O, so intake never waits behind a report.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use instruments::wire::report::{Participation, Report, Scope};
use instruments::wire::staff::Anonymity;
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::campaign::Campaign;
use crate::error::ApiError;
use crate::extract::AppPath;
use crate::report::campaign::{campaign_report, grouping, Inputs, ReportError};
use crate::report::labels::Lang;
use crate::report::rollup::{self, Wave};
use crate::report::service;

/// What the query string asks for: `by` (repeatable), `format`, `lang`, `campaigns`.
#[derive(Debug, Default)]
struct Query {
    by: Vec<String>,
    format: Format,
    lang: Option<Lang>,
    campaigns: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
    Html,
}

fn parse_query(raw: Option<&str>) -> Result<Query, ApiError> {
    let mut query = Query::default();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = value.replace("%2C", ",").replace("%2c", ",");
        match key {
            "by" => query.by.push(value),
            "format" => {
                query.format = match value.as_str() {
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    "xlsx" => Format::Xlsx,
                    "html" => Format::Html,
                    _ => return Err(ApiError::invalid("invalid_field", "format", "format is json, csv, xlsx or html")),
                }
            }
            "lang" => {
                query.lang = Some(match value.as_str() {
                    "zh" | "zh-Hans" => Lang::Zh,
                    "en" => Lang::En,
                    _ => return Err(ApiError::invalid("invalid_field", "lang", "lang is zh or en")),
                })
            }
            "campaigns" => query.campaigns.extend(value.split(',').filter(|c| !c.is_empty()).map(str::to_owned)),
            other => return Err(ApiError::invalid("invalid_field", other, "unknown query parameter")),
        }
    }
    Ok(query)
}

/// Runs `build` (a report's construction and rendering) off the async runtime, on a
/// blocking thread, after waiting for one of the server's report permits
/// (`AppState::report_builders`). The work is CPU-bound and, for a campaign with many
/// cohort questions, can take long: on an async worker it would stall every request
/// that worker serves (submissions included), and unbounded it could take every
/// blocking thread; more reports wait for a permit without holding a thread. The
/// permit goes with the work, so a client that hangs up frees it only when the work
/// is done.
async fn off_runtime<T: Send + 'static>(
    state: &AppState,
    build: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = state
        .report_builders
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("report builders: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        build()
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("building a report: {e}")))?
}

/// Writes a download (any format but JSON) in the audit log: before the report is
/// built, so that the log shows who asked even while it is being made.
async fn audit_export(
    state: &AppState,
    staff: &Staff,
    organization: Option<i64>,
    query: &Query,
    name: &str,
) -> Result<(), ApiError> {
    if query.format != Format::Json {
        let subject = format!("report {name} ({:?})", query.format).to_lowercase();
        state.store.audit(Some(staff.user_id), organization, "report_exported", &subject).await?;
    }
    Ok(())
}

/// The report in the format asked for (CPU work: run it [`off_runtime`]).
fn render(report: Report, query: &Query, name: &str) -> Result<Response, ApiError> {
    let lang = query.lang.unwrap_or(Lang::Zh);
    let file = |ext: &str| format!("attachment; filename=\"xinan-{name}.{ext}\"");
    Ok(match query.format {
        Format::Json => Json(report).into_response(),
        Format::Csv => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, file("csv"))],
            crate::report::csv::report_csv(&report, lang),
        )
            .into_response(),
        Format::Xlsx => {
            let bytes = crate::report::xlsx::report_xlsx(&report, lang)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing the workbook: {e}")))?;
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, file("xlsx")),
                ],
                bytes,
            )
                .into_response()
        }
        Format::Html => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned())],
            crate::report::html::report_html(&report, lang),
        )
            .into_response(),
    })
}

type Aggregates = (Vec<crate::db::aggregates::CellRow>, Vec<crate::db::aggregates::MomentRow>);

/// The aggregates of each campaign, in order.
async fn aggregates_of(state: &AppState, campaigns: &[&Campaign]) -> Result<Vec<Aggregates>, ApiError> {
    let mut out = Vec::with_capacity(campaigns.len());
    for campaign in campaigns {
        out.push(state.store.report_aggregates(campaign.id).await?);
    }
    Ok(out)
}

/// Each campaign as a row of a roll-up, labelled `label` → its code or `names[i]`.
fn waves<'a>(
    campaigns: &[&'a Campaign],
    aggregates: &'a [Aggregates],
    label: &str,
    names: Option<&[String]>,
    today: &str,
) -> Vec<Wave<'a>> {
    campaigns
        .iter()
        .zip(aggregates)
        .enumerate()
        .map(|(i, (campaign, (cells, moments)))| {
            let name = names.map_or_else(|| campaign.code.clone(), |n| n[i].clone());
            Wave {
                group: BTreeMap::from([(label.to_owned(), name)]),
                inputs: Inputs { campaign, cells, moments, today: today.to_owned() },
            }
        })
        .collect()
}

/// One row of the service indicators: the warnings of `campaigns`, labelled
/// `label` → `name`.
async fn service_member(
    state: &AppState,
    label: &str,
    name: String,
    campaigns: &[&Campaign],
) -> Result<service::Member, ApiError> {
    let mut member = service::Member { group: BTreeMap::from([(label.to_owned(), name)]), ..Default::default() };
    for campaign in campaigns {
        let (screened, cases) = state.store.service_facts(campaign.id).await?;
        member.screened += screened;
        member.cases.extend(cases);
    }
    Ok(member)
}

/// The larger minimum group size of some campaigns (10 when there are none).
fn min_group_of<'a>(campaigns: impl IntoIterator<Item = &'a Campaign>) -> u32 {
    campaigns.into_iter().map(|c| c.min_group_size).max().unwrap_or(10)
}

fn report_error(err: ReportError) -> ApiError {
    ApiError::invalid("invalid_grouping", "by", err.to_string())
}

/// One campaign's report: everyone, then groups of up to two cohort attributes
/// (`?by=grade&by=gender`). `format=json|csv|xlsx|html`, `lang=zh|en`. Groups below
/// the campaign's minimum size are suppressed, with complementary suppression across
/// every grouping of the campaign. Admits: platform_admin; org_admin of the campaign's
/// organization.
#[utoipa::path(get, path = "/api/v1/reports/campaigns/{code}", tag = "reports",
    params(("code" = String, Path, description = "Campaign code"),
        ("by" = Option<Vec<String>>, Query, description = "Cohort attribute ids, at most two"),
        ("format" = Option<String>, Query, description = "json (default), csv, xlsx or html"),
        ("lang" = Option<String>, Query, description = "zh (default) or en")),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn campaign_report_route(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(code): AppPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = parse_query(raw.as_deref())?;
    let campaign = state.store.campaign_by_code(&code.to_ascii_uppercase()).await?;
    staff.require(Permission::ManageOrganization(campaign.organization_id))?;
    grouping(&campaign, &query.by).map_err(report_error)?;
    let (cells, moments) = state.store.report_aggregates(campaign.id).await?;
    let today = crate::day::today();
    let detail = state.store.campaign_detail(&campaign, &today).await?;
    let participation = (campaign.anonymity == Anonymity::Coded).then(|| {
        let (issued, used) = (detail.codes_issued.max(0) as u64, detail.codes_used.max(0) as u64);
        Participation { issued, used, share: (issued > 0).then(|| used as f64 / issued as f64) }
    });
    let now = crate::day::now();
    let follow_up = state.store.follow_up_figures(campaign.id, now).await?;
    audit_export(&state, &staff, Some(campaign.organization_id), &query, &campaign.code).await?;
    off_runtime(&state, move || {
        let inputs = Inputs { campaign: &campaign, cells: &cells, moments: &moments, today };
        let mut report = campaign_report(&inputs, &query.by).map_err(report_error)?;
        report.participation = participation;
        report.follow_up = Some(follow_up);
        render(report, &query, &campaign.code)
    })
    .await
}

/// Several waves of a screening (`?campaigns=SPRING,AUTUMN`, oldest first, one
/// organization): each wave's figures and the change in prevalence from wave to wave.
/// Admits: platform_admin; org_admin of the campaigns' organization.
#[utoipa::path(get, path = "/api/v1/reports/trend", tag = "reports",
    params(("campaigns" = String, Query, description = "Campaign codes, comma-separated, oldest first"),
        ("format" = Option<String>, Query, description = "json (default), csv, xlsx or html"),
        ("lang" = Option<String>, Query, description = "zh (default) or en")),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trend_report_route(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = parse_query(raw.as_deref())?;
    if query.campaigns.is_empty() || query.campaigns.len() > 24 {
        return Err(ApiError::invalid("invalid_field", "campaigns", "name 1–24 campaign codes, oldest first"));
    }
    let mut campaigns = Vec::new();
    for code in &query.campaigns {
        campaigns.push(state.store.campaign_by_code(&code.to_ascii_uppercase()).await?);
    }
    let org = campaigns[0].organization_id;
    if campaigns.iter().any(|c| c.organization_id != org) {
        return Err(ApiError::invalid("invalid_field", "campaigns", "the waves must belong to one organization"));
    }
    staff.require(Permission::ManageOrganization(org))?;
    let aggregates = aggregates_of(&state, &campaigns.iter().collect::<Vec<_>>()).await?;
    let today = crate::day::today();
    audit_export(&state, &staff, Some(org), &query, "trend").await?;
    off_runtime(&state, move || {
        let campaigns: Vec<&Campaign> = campaigns.iter().collect();
        let report = rollup::trend_report(&waves(&campaigns, &aggregates, "wave", None, &today), org, today.clone());
        render(report, &query, "trend")
    })
    .await
}

/// An organization's campaigns, one row each, with critical-flag counts; and the
/// service indicators (how its warnings were worked, per level) for each campaign and
/// all of them. Admits: platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/reports/organizations/{org}", tag = "reports",
    params(("org" = i64, Path, description = "Organization id"),
        ("format" = Option<String>, Query, description = "json (default), csv, xlsx or html"),
        ("lang" = Option<String>, Query, description = "zh (default) or en")),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn organization_report_route(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = parse_query(raw.as_deref())?;
    staff.require(Permission::ManageOrganization(org))?;
    let organization = state.store.organization(org).await?;
    let owned = state.store.campaigns_of(org).await?;
    let aggregates = aggregates_of(&state, &owned.iter().rev().collect::<Vec<_>>()).await?;
    let today = crate::day::today();
    let now = crate::day::now();
    let levels = crate::followup::levels::current(&state.store).await?.levels;
    let mut members = Vec::with_capacity(owned.len());
    for campaign in owned.iter().rev() {
        members.push(service_member(&state, "campaign", campaign.code.clone(), &[campaign]).await?);
    }
    let k = min_group_of(&owned);
    let name = format!("organization-{org}");
    audit_export(&state, &staff, Some(org), &query, &name).await?;
    off_runtime(&state, move || {
        let campaigns: Vec<&Campaign> = owned.iter().rev().collect();
        let scope = Scope::Organization { id: organization.id, name: organization.name.clone() };
        let rows = waves(&campaigns, &aggregates, "campaign", None, &today);
        let mut report = rollup::rollup_report(scope, &rows, false, today.clone());
        report.service = Some(service::indicators(&levels, &members, k, now));
        render(report, &query, &name)
    })
    .await
}

/// The district roll-up: each organization's latest campaign, the district total
/// (complementary suppression keeps small organizations hidden), and headline
/// indicators: respondents, coverage of coded campaigns, positive-screen rates, flags
/// acknowledged within 24 h, and the change since each organization's previous wave;
/// and the service indicators of each organization's begun campaigns and the district.
/// Admits: platform_admin.
#[utoipa::path(get, path = "/api/v1/reports/platform", tag = "reports",
    params(("format" = Option<String>, Query, description = "json (default), csv, xlsx or html"),
        ("lang" = Option<String>, Query, description = "zh (default) or en")),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn platform_report_route(
    State(state): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = parse_query(raw.as_deref())?;
    staff.require(Permission::AdministerPlatform)?;
    let today = crate::day::today();
    let now = crate::day::now();
    let mut latest = Vec::new();
    let mut previous = Vec::new();
    let mut members = Vec::new();
    let mut k = None::<u32>;
    let (mut issued, mut used, mut raised, mut acknowledged) = (0u64, 0u64, 0i64, 0i64);
    for organization in state.store.organizations(None).await? {
        // Newest first: the latest wave that has begun, and the one before it.
        let begun: Vec<Campaign> =
            state.store.campaigns_of(organization.id).await?.into_iter().filter(|c| c.opens_on <= today).collect();
        if let Some(campaign) = begun.first() {
            let detail = state.store.campaign_detail(campaign, &today).await?;
            if campaign.anonymity == Anonymity::Coded {
                issued += detail.codes_issued.max(0) as u64;
                used += detail.codes_used.max(0) as u64;
            }
            let figures = state.store.follow_up_figures(campaign.id, now).await?;
            raised += figures.flags_raised;
            acknowledged += figures.acknowledged_within_24h;
            latest.push((organization.name.clone(), campaign.clone()));
        }
        if let Some(campaign) = begun.get(1) {
            previous.push((organization.name.clone(), campaign.clone()));
        }
        if !begun.is_empty() {
            let all: Vec<&Campaign> = begun.iter().collect();
            members.push(service_member(&state, "organization", organization.name.clone(), &all).await?);
            k = k.max(Some(min_group_of(&begun)));
        }
    }
    let levels = crate::followup::levels::current(&state.store).await?.levels;
    let latest_count = latest.len();
    let (names, campaigns): (Vec<String>, Vec<Campaign>) = latest.into_iter().chain(previous).unzip();
    let aggregates = aggregates_of(&state, &campaigns.iter().collect::<Vec<_>>()).await?;
    let coverage = (issued > 0).then(|| used as f64 / issued as f64);
    let within = (raised > 0).then(|| acknowledged as f64 / raised as f64);
    audit_export(&state, &staff, None, &query, "district").await?;
    off_runtime(&state, move || {
        let campaigns: Vec<&Campaign> = campaigns.iter().collect();
        let waves = waves(&campaigns, &aggregates, "organization", Some(&names), &today);
        let (latest, before) = waves.split_at(latest_count);
        let mut report = rollup::rollup_report(Scope::Platform, latest, true, today.clone());
        let earlier = rollup::rollup_report(Scope::Platform, before, true, today.clone());
        let previous_rates = earlier
            .instruments
            .iter()
            .filter_map(|s| match s.rows.first().map(|r| &r.cell) {
                Some(instruments::wire::report::Cell::Shown(f)) => {
                    f.positive.as_ref().map(|p| (s.instrument.clone(), p.share))
                }
                _ => None,
            })
            .collect();
        report.headline = Some(rollup::headline(&report, coverage, within, &previous_rates));
        report.service = Some(service::indicators(&levels, &members, k.unwrap_or(10), now));
        render(report, &query, "district")
    })
    .await
}

/// Raw data of a campaign, one CSV line per submission with every answer, streamed:
/// day, respondent code (coded campaigns only), cohort values, then per instrument its
/// answers, total and band. Written in the audit log. Admits: org_admin of the
/// campaign's organization only (not platform admins: raw answers stay with the
/// organization that collected them).
#[utoipa::path(get, path = "/api/v1/reports/campaigns/{code}/responses.csv", tag = "reports",
    params(("code" = String, Path, description = "Campaign code")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_responses(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(code): AppPath<String>,
) -> Result<Response, ApiError> {
    let campaign = state.store.campaign_by_code(&code.to_ascii_uppercase()).await?;
    staff.require(Permission::ExportRawData(campaign.organization_id))?;
    state
        .store
        .audit(
            Some(staff.user_id),
            Some(campaign.organization_id),
            "responses_exported",
            &format!("campaign {}", campaign.code),
        )
        .await?;
    let chunks = crate::db::responses_csv(state.store.clone(), campaign.clone());
    let disposition = format!("attachment; filename=\"xinan-{}-responses.csv\"", campaign.code);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(chunks),
    )
        .into_response())
}
