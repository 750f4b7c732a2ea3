//! Receiving a respondent's answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use instruments::wire::{ErrorBody, SubmissionReceipt, SubmissionRequest};

use super::campaigns::unusable_code;
use super::AppState;
use crate::db::{digest, Inserted};
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};

/// Re-scores and stores a submission; answers only once it is committed.
///
/// Retrying with the same `idempotency_key` returns the first answer (200) and stores
/// nothing new, so a browser that lost the connection may simply send again.
#[utoipa::path(post, path = "/api/v1/campaigns/{code}/submissions", tag = "campaigns",
    params(("code" = String, Path, description = "Campaign code")),
    request_body = SubmissionRequest,
    responses(
        (status = 201, body = SubmissionReceipt, description = "Stored"),
        (status = 200, body = SubmissionReceipt, description = "Already stored under this idempotency key"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    description = "409 `campaign_not_open` before the opening day or after closing. In a coded campaign the \
        `access_code` is used up and becomes the respondent code; in a panel campaign it is a code of the \
        organization's code book, which answers each campaign once (409 `already_submitted`). A submission with a flag opens a follow-up \
        case in the same transaction; an urgent one also its notifications, sent after the answer. \
        Admits: anyone.")]
pub async fn submit_responses(
    State(state): State<AppState>,
    AppPath(code): AppPath<String>,
    AppJson(mut request): AppJson<SubmissionRequest>,
) -> Result<(StatusCode, Json<SubmissionReceipt>), ApiError> {
    let store = &state.store;
    let campaign = store.campaign_by_code(&code).await?;
    if let Some(typed) = request.access_code.take() {
        let code = crate::respondent_code::normalize_access_code(&typed).ok_or_else(|| unusable_code("access_code"))?;
        request.access_code = Some(code);
    }
    let digest = digest(&campaign.code, &request);
    let replay = |stored: crate::db::Stored| {
        if stored.digest == digest {
            Ok((StatusCode::OK, Json(stored.receipt)))
        } else {
            Err(ApiError::IdempotencyConflict)
        }
    };
    if let Some(stored) = store.submission_by_key(&request.idempotency_key).await? {
        return replay(stored);
    }
    let now = crate::day::now();
    let levels = crate::followup::levels::current(store).await?;
    let mut accepted = crate::screening::accept(&campaign, &request, &levels, now)?;
    // An urgent warning's notifications are written with it; by mail only when mail is
    // configured (the webhook, if any, always).
    let urgent = accepted.warning.as_mut().is_some_and(|warning| {
        warning.email = state.mailer.is_some();
        warning.urgent
    });
    match store
        .insert_submission(&campaign, &request, &accepted.scores, accepted.warning.as_ref(), &digest, now)
        .await?
    {
        Inserted::New(receipt) => {
            if urgent {
                state.notifier.wake();
            }
            Ok((StatusCode::CREATED, Json(receipt)))
        }
        Inserted::CodeUnusable => Err(unusable_code("access_code")),
        Inserted::AlreadyAnswered => Err(ApiError::conflict(
            "already_submitted",
            Some("access_code"),
            "this code has already answered this screening",
        )),
        Inserted::KeyTaken => {
            let stored = store
                .submission_by_key(&request.idempotency_key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("idempotency key taken but not readable"))?;
            replay(stored)
        }
    }
}
