//! Organizations, their members and invitations, follow-up figures and audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use instruments::wire::staff::{
    AuditEntry, CampaignFollowUp, Invitation, InvitationDelivery, Member, NewInvitation, NewOrganization,
    NotificationSettings, Organization, Role,
};
use instruments::wire::ErrorBody;

use super::AppState;
use crate::access::Permission;
use crate::auth::{new_token, token_hash, Staff};
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath};
use crate::mail::InvitationMail;

/// Invitation links work this long (seconds).
pub const INVITATION_SECS: i64 = 72 * 3600;

/// The organizations the caller holds a role in (all, for a platform admin).
/// Admits: any signed-in staff member.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations",
    responses((status = 200, body = Vec<Organization>), (status = 401, body = ErrorBody)))]
pub async fn list_organizations(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<Vec<Organization>>, ApiError> {
    let only = staff.visible_organizations();
    Ok(Json(state.store.organizations(only.as_deref()).await?))
}

/// Creates an organization. Admits: platform_admin.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", request_body = NewOrganization,
    responses((status = 201, body = Organization), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_organization(
    State(state): State<AppState>,
    staff: Staff,
    AppJson(body): AppJson<NewOrganization>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("invalid_field", "name", "give a name of 1–200 characters"));
    }
    let org = state.store.create_organization(name, body.kind, crate::day::now()).await?;
    state.store.audit(Some(staff.user_id), Some(org.id), "organization_created", name).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// One organization. Admits: platform_admin; org_admin and counselor of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}", tag = "organizations",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_organization(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<Organization>, ApiError> {
    staff.require(Permission::SeeOrganization(org))?;
    Ok(Json(state.store.organization(org).await?))
}

/// The people holding roles in the organization. Admits: platform_admin; org_admin of
/// this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/members", tag = "organizations",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Vec<Member>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<Vec<Member>>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    Ok(Json(state.store.members(org).await?))
}

/// Invites a person as org_admin or counselor. With mail configured the link goes
/// to the invited address only, and the answer is the same whether or not the address
/// has an account; an existing account's owner must sign in to accept. Without mail,
/// `--invitation-links` returns the link to hand over; otherwise 409
/// `mail_not_configured`. 503 `mail_failed` when the relay refuses (nothing is
/// stored). Admits: platform_admin; org_admin of this organization.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/invitations", tag = "organizations",
    params(("org" = i64, Path, description = "Organization id")), request_body = NewInvitation,
    responses((status = 201, body = Invitation), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    AppJson(body): AppJson<NewInvitation>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    let organization = state.store.organization(org).await?;
    let email = valid_email(&body.email)?;
    if body.role == Role::PlatformAdmin {
        return Err(ApiError::invalid("invalid_field", "role", "invite org_admin or counselor"));
    }
    let token = new_token();
    let expires_at = crate::day::now() + INVITATION_SECS;
    let delivery = match (&state.mailer, state.settings.invitation_links) {
        (Some(mailer), _) => {
            let mail = InvitationMail {
                to: &email,
                organization: &organization.name,
                role: body.role.as_str(),
                token: &token,
                valid_hours: INVITATION_SECS / 3600,
            };
            // Sent before the invitation is stored: no database transaction waits on
            // the relay, and a failed send leaves nothing behind.
            mailer.send_invitation(&mail).await.map_err(|err| {
                tracing::warn!(error = format!("{err:#}"), "invitation mail not sent");
                ApiError::MailFailed
            })?;
            InvitationDelivery::Email
        }
        (None, true) => InvitationDelivery::Link,
        (None, false) => {
            return Err(ApiError::conflict(
                "mail_not_configured",
                None,
                "this server sends invitations by e-mail and has no mail relay: start it with --smtp-url \
                 (or create the account with `xinan users create`)",
            ))
        }
    };
    state.store.create_invitation(&token_hash(&token), org, &email, body.role, staff.user_id, expires_at).await?;
    let subject = format!("{email} as {}", body.role.as_str());
    state.store.audit(Some(staff.user_id), Some(org), "invitation_created", &subject).await?;
    let (link, token) = match delivery {
        InvitationDelivery::Email => (None, None),
        InvitationDelivery::Link => (Some(format!("/staff/invitation/{token}")), Some(token)),
    };
    Ok((StatusCode::CREATED, Json(Invitation { delivery, link, token, expires_at })))
}

/// A plausible e-mail address, lower-cased.
///
/// # Errors
/// 422 naming `email`.
pub fn valid_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email)
    } else {
        Err(ApiError::invalid("invalid_field", "email", "not an e-mail address"))
    }
}

/// Follow-up figures of each campaign of the organization. Admits: platform_admin;
/// org_admin and counselor of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/follow-up", tag = "follow-up",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Vec<CampaignFollowUp>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follow_up_figures(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<Vec<CampaignFollowUp>>, ApiError> {
    staff.require(Permission::SeeOrganization(org))?;
    state.store.organization(org).await?;
    let now = crate::day::now();
    let mut out = Vec::new();
    for campaign in state.store.campaigns_of(org).await? {
        let figures = state.store.follow_up_figures(campaign.id, now).await?;
        out.push(CampaignFollowUp { campaign: campaign.code, name: campaign.name, figures });
    }
    Ok(Json(out))
}

/// The organization's audit log, newest first (at most 1000 entries). Admits:
/// platform_admin; org_admin of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/audit", tag = "audit",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn organization_audit(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    Ok(Json(state.store.audit_entries(Some(org)).await?))
}

/// The whole platform's audit log, newest first (at most 1000 entries). Admits:
/// platform_admin.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn platform_audit(State(state): State<AppState>, staff: Staff) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    staff.require(Permission::AdministerPlatform)?;
    Ok(Json(state.store.audit_entries(None).await?))
}

/// The organization's webhook for urgent warnings. Admits: platform_admin; org_admin
/// of this organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}/notifications", tag = "follow-up",
    params(("org" = i64, Path, description = "Organization id")),
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_notifications(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
) -> Result<Json<NotificationSettings>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    Ok(Json(state.store.notification_settings(org).await?))
}

/// Sets (or with `null` removes) the webhook that receives a POST for every urgent
/// warning: `json`, or `robot` for a WeCom/DingTalk group robot. The host must resolve
/// to public addresses (422 naming `webhook_url` otherwise). The message names the
/// organization, level, campaign and a link, never answers, scores or codes. Admits:
/// platform_admin; org_admin of this organization.
#[utoipa::path(put, path = "/api/v1/organizations/{org}/notifications", tag = "follow-up",
    params(("org" = i64, Path, description = "Organization id")), request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_notifications(
    State(state): State<AppState>,
    staff: Staff,
    AppPath(org): AppPath<i64>,
    AppJson(mut settings): AppJson<NotificationSettings>,
) -> Result<Json<NotificationSettings>, ApiError> {
    staff.require(Permission::ManageOrganization(org))?;
    state.store.organization(org).await?;
    settings.webhook_url = settings.webhook_url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(url) = &settings.webhook_url {
        let parsed = crate::notify::webhook::parse(url)?;
        crate::notify::webhook::resolve(&parsed, state.settings.notify.allow_private_webhooks).await?;
    }
    state.store.set_notification_settings(org, &settings, staff.user_id, crate::day::now()).await?;
    Ok(Json(settings))
}
