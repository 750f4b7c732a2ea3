//! The platform's follow-up data: warning levels, the interview form and the referral
//! directory. Every staff member reads them (the queue and forms need them); only the
//! platform admin changes them.

use axum::extract::State;
use axum::Json;
use instruments::wire::warning::{InterviewForm, NewDestination, ReferralDestination, WarningLevels};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};
use crate::followup::{form, levels, life};

/// The platform's warning levels and which flag opens which. Admits: any staff.
#[utoipa::path(get, path = "/api/v1/platform/warning-levels", tag = "follow-up",
    responses((status = 200, body = WarningLevels), (status = 401, body = ErrorBody)))]
pub async fn get_warning_levels(State(state): State<AppState>, _staff: Staff) -> Result<Json<WarningLevels>, ApiError> {
    Ok(Json(levels::current(&state.store).await?))
}

/// Replaces the warning levels, checked (ranks unique, every severity mapped,
/// deadlines positive; each error names its field). Existing warnings keep their
/// level and due time; a level that unfinished warnings hold cannot be removed (409).
/// Admits: platform_admin.
#[utoipa::path(put, path = "/api/v1/platform/warning-levels", tag = "follow-up", request_body = WarningLevels,
    responses((status = 200, body = WarningLevels), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_warning_levels(
    State(state): State<AppState>,
    staff: Staff,
    AppJson(mut new): AppJson<WarningLevels>,
) -> Result<Json<WarningLevels>, ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    levels::check(&new, instruments::library::get)?;
    life::check_levels_replace(&new, &state.store.unfinished_by_level().await?)?;
    new.levels.sort_by_key(|l| l.rank);
    state.store.save_platform_document(crate::db::WARNING_LEVELS, &new, staff.user_id, crate::day::now()).await?;
    Ok(Json(new))
}

/// The platform's interview form. Admits: any staff.
#[utoipa::path(get, path = "/api/v1/platform/interview-form", tag = "follow-up",
    responses((status = 200, body = InterviewForm), (status = 401, body = ErrorBody)))]
pub async fn get_interview_form(State(state): State<AppState>, _staff: Staff) -> Result<Json<InterviewForm>, ApiError> {
    Ok(Json(form::current(&state.store).await?))
}

/// Replaces the interview form; records already made keep their answers. Admits:
/// platform_admin.
#[utoipa::path(put, path = "/api/v1/platform/interview-form", tag = "follow-up", request_body = InterviewForm,
    responses((status = 200, body = InterviewForm), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_interview_form(
    State(state): State<AppState>,
    staff: Staff,
    AppJson(new): AppJson<InterviewForm>,
) -> Result<Json<InterviewForm>, ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    form::check_form(&new)?;
    state.store.save_platform_document(crate::db::INTERVIEW_FORM, &new, staff.user_id, crate::day::now()).await?;
    Ok(Json(new))
}

/// The referral directory. Admits: any staff.
#[utoipa::path(get, path = "/api/v1/platform/referral-destinations", tag = "follow-up",
    responses((status = 200, body = Vec<ReferralDestination>), (status = 401, body = ErrorBody)))]
pub async fn list_destinations(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<ReferralDestination>>, ApiError> {
    Ok(Json(state.store.referral_destinations().await?))
}

/// Adds a destination (a hospital, guidance centre or hotline, with the levels it
/// takes and a contact line). Admits: platform_admin.
#[utoipa::path(post, path = "/api/v1/platform/referral-destinations", tag = "follow-up", request_body = NewDestination,
    responses((status = 200, body = ReferralDestination), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_destination(
    State(state): State<AppState>,
    staff: Staff,
    AppJson(new): AppJson<NewDestination>,
) -> Result<Json<ReferralDestination>, ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    life::check_destination(&levels::current(&state.store).await?, &new)?;
    Ok(Json(state.store.save_referral_destination(None, &new, staff.user_id, crate::day::now()).await?))
}

/// Changes a destination (`active: false` withdraws it from new referrals; past
/// referrals keep it). Admits: platform_admin.
#[utoipa::path(put, path = "/api/v1/platform/referral-destinations/{id}", tag = "follow-up",
    params(("id" = i64, Path, description = "Destination id")), request_body = NewDestination,
    responses((status = 200, body = ReferralDestination), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_destination(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(id): AppPath<i64>,
    AppJson(new): AppJson<NewDestination>,
) -> Result<Json<ReferralDestination>, ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    life::check_destination(&levels::current(&state.store).await?, &new)?;
    Ok(Json(state.store.save_referral_destination(Some(id), &new, staff.user_id, crate::day::now()).await?))
}
