//! The counselor's warning queue and warning page: state, level (re-check),
//! interviews, referrals and visits. The rules are in `followup`; every change is
//! stored with its history and audit entry only if the warning is still as read.

use axum::extract::{RawQuery, State};
use axum::Json;
use instruments::wire::staff::{CaseDetail, CaseQueue, CaseState, NewCaseEvent};
use instruments::wire::warning::{NewInterview, NewLevel, NewReferral, NewVisit, NextVisit, ReferralUpdate};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::db::{Change, Changed, Due, QueueFilter};
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};
use crate::followup::{form, levels, life, FollowUpError};

/// The queue's filters from the query string; an unknown parameter or value is 422
/// naming it.
fn queue_filter(query: Option<&str>) -> Result<QueueFilter, ApiError> {
    let mut filter = QueueFilter::default();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let value = value.trim().to_owned();
        let bad = |message: &str| ApiError::invalid("invalid_query", key.to_string(), message.to_owned());
        match key.as_ref() {
            "include_finished" => filter.include_finished = value == "true",
            "level" if !value.is_empty() => filter.level = Some(value),
            "state" if !value.is_empty() => {
                filter.state = Some(CaseState::parse(&value).ok_or_else(|| bad("not a warning state"))?);
            }
            "campaign" if !value.is_empty() => filter.campaign = Some(value),
            "cohort" if !value.is_empty() => {
                let (attribute, value) = value.split_once(':').ok_or_else(|| bad("written attribute:value"))?;
                filter.cohort = Some((attribute.to_owned(), value.to_owned()));
            }
            "due" if !value.is_empty() => {
                filter.due = Some(match value.as_str() {
                    "today" => Due::Today,
                    "overdue" => Due::Overdue,
                    _ => return Err(bad("`today` or `overdue`")),
                });
            }
            "code" if !value.is_empty() => {
                // As the school wrote it: an access code in groups, or a respondent code.
                let code =
                    crate::respondent_code::normalize_access_code(&value).unwrap_or_else(|| value.to_ascii_uppercase());
                filter.code = Some(code);
            }
            "level" | "state" | "campaign" | "cohort" | "due" | "code" => {}
            _ => return Err(bad("not a filter of the queue")),
        }
    }
    Ok(filter)
}

/// The organization's warning queue: unfinished warnings (or all with
/// `include_finished=true`), overdue first, then by level, then oldest; with the
/// organization's counts per level, overdue and due today. Admits: platform_admin;
/// counselor of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/cases", tag = "follow-up",
    params(("org" = i64, Path, description = "Organization id"),
        ("include_finished" = Option<bool>, Query, description = "Also closed and lifted warnings"),
        ("level" = Option<String>, Query, description = "One level id"),
        ("state" = Option<String>, Query, description = "One state"),
        ("campaign" = Option<String>, Query, description = "One campaign code"),
        ("cohort" = Option<String>, Query, description = "One cohort value, attribute:value"),
        ("due" = Option<String>, Query, description = "`today` or `overdue`"),
        ("code" = Option<String>, Query, description = "A respondent or access code")),
    responses((status = 200, body = CaseQueue), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn case_queue(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    RawQuery(query): RawQuery,
) -> Result<Json<CaseQueue>, ApiError> {
    staff.require(Permission::FollowUpCases(org))?;
    state.store.organization(org).await?;
    let filter = queue_filter(query.as_deref())?;
    let now = crate::day::now();
    let queue = state.store.case_queue(org, &filter, now, &crate::day::day_of(now)).await?;
    state.store.audit(Some(staff.user_id), Some(org), "queue_viewed", &format!("{} cases", queue.cases.len())).await?;
    Ok(Json(queue))
}

async fn read_case(state: &AppState, id: i64) -> Result<CaseDetail, ApiError> {
    let now = crate::day::now();
    Ok(state.store.case(id, now, &crate::day::day_of(now)).await?)
}

async fn followed_case(state: &AppState, staff: &Staff, id: i64) -> Result<CaseDetail, ApiError> {
    let detail = read_case(state, id).await?;
    staff.require(Permission::FollowUpCases(detail.case.organization_id))?;
    Ok(detail)
}

/// Stores a checked change and answers with the warning as it is now.
async fn apply(
    state: &AppState,
    staff: &Staff,
    detail: &CaseDetail,
    change: Change<'_>,
) -> Result<Json<CaseDetail>, ApiError> {
    if state.store.change_case(&detail.case, staff.user_id, change, crate::day::now()).await? == Changed::Stale {
        return Err(FollowUpError::Stale.into());
    }
    Ok(Json(read_case(state, detail.case.id).await?))
}

/// One warning with its whole history; the view is written in the audit log. Admits:
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

/// Moves a warning on: open → acknowledged → contacted → closed, or lifted (解除)
/// from any unfinished state; closing and lifting need the outcome (the reason).
/// `referred` follows from recording a referral. Notes identify nobody. Admits:
/// platform_admin; counselor of the case's organization.
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
    life::check_event(&detail.case, &event)?;
    apply(&state, &staff, &detail, Change::State(&event)).await
}

/// A re-check (复核) raises or lowers the level, with a reason; first contact is then
/// due the new level's deadline from now. The old level stays in the history.
/// Admits: platform_admin; counselor of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/level", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NewLevel,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_level(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(request): AppJson<NewLevel>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    let all = levels::current(&state.store).await?;
    let re_check = life::check_level(&all, &detail.case, &request, crate::day::now())?;
    let notify = re_check.raised_to_urgent.then_some(state.mailer.is_some());
    let change =
        Change::Level { level: re_check.level, due_at: re_check.due_at, reason: request.reason.trim(), notify };
    let answer = apply(&state, &staff, &detail, change).await?;
    if notify.is_some() {
        state.notifier.wake();
    }
    Ok(answer)
}

/// Records an interview (约谈记录) on the platform's form; required fields are
/// enforced, who was present is recorded by role. It is first contact, and a date
/// field marked `schedules_visit` plans the next visit. Admits: platform_admin;
/// counselor of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/interviews", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NewInterview,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_interview(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(request): AppJson<NewInterview>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    if detail.case.state.is_finished() {
        return Err(FollowUpError::Finished(detail.case.state).into());
    }
    let checked = form::check_interview(&form::current(&state.store).await?, &request.values)?;
    apply(&state, &staff, &detail, Change::Interview(&checked)).await
}

/// Records a referral (转介) to a destination of the platform's directory that takes
/// the warning's level; the warning becomes `referred`, and visits go on. Admits:
/// platform_admin; counselor of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NewReferral,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_referral(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(request): AppJson<NewReferral>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    let destination = match state.store.referral_destination(request.destination_id).await {
        Err(crate::db::DbError::NotFound(_)) => {
            return Err(ApiError::invalid("invalid_field", "destination_id", "no such referral destination"))
        }
        other => other?,
    };
    life::check_referral(&detail.case, &destination, &request)?;
    let change =
        Change::Referral { destination: destination.id, referred_on: &request.referred_on, note: request.note.trim() };
    apply(&state, &staff, &detail, change).await
}

/// Records what came back of a referral: the day the destination confirmed receipt,
/// and the outcome; each once, never overwritten. Admits: platform_admin; counselor
/// of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals/{referral}", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id"), ("referral" = i64, Path, description = "Referral id")),
    request_body = ReferralUpdate,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_referral(
    State(state): State<AppState>,
    staff: Staff,
    AppPath((id, referral)): AppPath<(i64, i64)>,
    AppJson(update): AppJson<ReferralUpdate>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    let current = detail
        .referrals
        .iter()
        .find(|r| r.id == referral)
        .ok_or_else(|| ApiError::NotFound(format!("referral {referral} of case {id}")))?;
    life::check_referral_update(current, &update)?;
    let change = Change::ReferralUpdate {
        referral,
        confirmed_on: update.confirmed_on.as_deref(),
        outcome: update.outcome.as_deref().map(str::trim),
    };
    apply(&state, &staff, &detail, change).await
}

/// Records a follow-up visit (回访) and plans the next one (or none). Admits:
/// platform_admin; counselor of the case's organization.
#[utoipa::path(post, path = "/api/v1/cases/{id}/visits", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NewVisit,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_visit(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(visit): AppJson<NewVisit>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    life::check_visit(&detail.case, &visit)?;
    let change = Change::Visit {
        visited_on: &visit.visited_on,
        note: visit.note.trim(),
        next_visit_on: visit.next_visit_on.as_deref(),
    };
    apply(&state, &staff, &detail, change).await
}

/// Plans the next follow-up visit (回访), or cancels it with `null`. Admits:
/// platform_admin; counselor of the case's organization.
#[utoipa::path(put, path = "/api/v1/cases/{id}/next-visit", tag = "follow-up",
    params(("id" = i64, Path, description = "Case id")), request_body = NextVisit,
    responses((status = 200, body = CaseDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_next_visit(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(next): AppJson<NextVisit>,
) -> Result<Json<CaseDetail>, ApiError> {
    let detail = followed_case(&state, &staff, id).await?;
    life::check_next_visit(&detail.case, next.on.as_deref())?;
    apply(&state, &staff, &detail, Change::NextVisit(next.on.as_deref())).await
}
