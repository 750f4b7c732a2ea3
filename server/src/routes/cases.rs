//! The counselor's follow-up queue and case page.

use axum::extract::{RawQuery, State};
use axum::Json;
use instruments::wire::staff::{CaseDetail, CaseState, CaseSummary, NewCaseEvent};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::db::Changed;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

/// Longest note or outcome (characters).
pub const NOTE_LIMIT: usize = 500;

/// The organization's follow-up queue: unfinished cases, overdue first, then by
/// severity, then oldest first; `?include_finished=true` adds referred and closed
/// cases. Admits: platform_admin; counselor of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/cases", tag = "follow-up",
    params(("org" = i64, Path, description = "Organization id"),
        ("include_finished" = Option<bool>, Query, description = "Also referred and closed cases")),
    responses((status = 200, body = Vec<CaseSummary>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn case_queue(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    staff.require(Permission::FollowUpCases(org))?;
    state.store.organization(org).await?;
    let include_finished = query.is_some_and(|q| q.split('&').any(|p| p == "include_finished=true"));
    let overdue_before = crate::day::now() - state.settings.overdue_after_secs;
    let cases = state.store.case_queue(org, include_finished, overdue_before).await?;
    state.store.audit(Some(staff.user_id), Some(org), "queue_viewed", &format!("{} cases", cases.len())).await?;
    Ok(Json(cases))
}

async fn followed_case(state: &AppState, staff: &Staff, id: i64) -> Result<CaseDetail, ApiError> {
    let overdue_before = crate::day::now() - state.settings.overdue_after_secs;
    let detail = state.store.case(id, overdue_before).await?;
    staff.require(Permission::FollowUpCases(detail.case.organization_id))?;
    Ok(detail)
}

/// One case with its history; the view is written in the audit log. Admits:
/// platform_admin; counselor of the case's organization.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    state
        .store
        .audit(Some(staff.user_id), Some(detail.case.organization_id), "case_viewed", &format!("case {id}"))
        .await?;
    Ok(Json(detail))
}

/// Moves a case on: open → acknowledged → contacted → referred or closed, with a short
/// note (no names); referring or closing needs an outcome. Admits: platform_admin;
/// counselor of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/events", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NewCaseEvent,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_case(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(event): AppJson<NewCaseEvent>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    let case = &detail.case;
    if !case.state.next().contains(&event.to) {
        return Err(ApiError::conflict(
            "invalid_transition",
            Some("to"),
            format!("a case that is {} cannot become {}", case.state.as_str(), event.to.as_str()),
        ));
    }
    if event.note.chars().count() > NOTE_LIMIT {
        return Err(ApiError::invalid("invalid_field", "note", "a note has at most 500 characters"));
    }
    let outcome = event.outcome.as_deref().map(str::trim).filter(|o| !o.is_empty());
    if matches!(event.to, CaseState::Referred | CaseState::Closed) && outcome.is_none() {
        return Err(ApiError::invalid(
            "outcome_required",
            "outcome",
            "say what the outcome was before closing or referring",
        ));
    }
    if outcome.is_some_and(|o| o.chars().count() > NOTE_LIMIT) {
        return Err(ApiError::invalid("invalid_field", "outcome", "an outcome has at most 500 characters"));
    }
    if state.store.change_case(case, staff.user_id, &event, crate::day::now()).await? == Changed::Stale {
        return Err(ApiError::conflict("case_changed", None, "someone changed this case meanwhile; reload it"));
    }
    let overdue_before = crate::day::now() - state.settings.overdue_after_secs;
    Ok(Json(state.store.case(id, overdue_before).await?))
}
