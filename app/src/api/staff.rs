//! The staff API, one function per endpoint, typed with `instruments::wire::staff`.
//!
//! The session is an HttpOnly cookie the browser sends by itself; every change (POST,
//! PUT, DELETE) also carries the session's CSRF token in `X-CSRF-Token`, kept here
//! once `GET /api/v1/session` has given it.

use std::cell::RefCell;
use std::future::Future;
use std::task::Poll;

use instruments::definition::Definition;
use instruments::wire::staff::{
    AcceptInvitation, AccessCode, AuditEntry, CampaignDetail, CampaignFollowUp, CampaignSpec, CaseDetail, CaseQueue,
    GenerateCodes, Invitation, InvitationInfo, Member, NewCaseEvent, NewInvitation, NewOrganization, Organization,
    SessionInfo, SetCampaignState, SignIn,
};
use instruments::wire::warning::{
    InterviewForm, NewDestination, NewInterview, NewLevel, NewReferral, NewVisit, ReferralDestination, ReferralUpdate,
    WarningLevels,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{fetch_json, send, ApiClientError};

thread_local! {
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the session's CSRF token (`None` once signed out).
pub fn set_csrf(token: Option<String>) {
    CSRF.set(token);
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiClientError> {
    fetch_json("GET", url, None).await
}

/// A change: JSON body, CSRF token; the reply's body.
async fn change(method: &str, url: &str, body: Option<&impl Serialize>) -> Result<String, ApiClientError> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let token = CSRF.with_borrow(Clone::clone);
    send(method, url, body, token.as_deref()).await
}

/// A change whose reply is JSON.
async fn change_json<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> Result<T, ApiClientError> {
    let text = change("POST", url, Some(body)).await?;
    serde_json::from_str(&text).map_err(|e| ApiClientError::Decode(e.to_string()))
}

/// `POST /api/v1/session`: 204 sets the session cookie; 401 wrong e-mail or
/// password; 429 too many attempts.
pub async fn sign_in(email: String, password: String) -> Result<(), ApiClientError> {
    change("POST", "/api/v1/session", Some(&SignIn { email, password })).await.map(drop)
}

/// `GET /api/v1/session`: who is signed in (401: nobody).
pub async fn session() -> Result<SessionInfo, ApiClientError> {
    get("/api/v1/session").await
}

/// `DELETE /api/v1/session`.
pub async fn sign_out() -> Result<(), ApiClientError> {
    change("DELETE", "/api/v1/session", None::<&()>).await.map(drop)
}

/// `GET /api/v1/organizations`: those the account may see.
pub async fn organizations() -> Result<Vec<Organization>, ApiClientError> {
    get("/api/v1/organizations").await
}

/// `GET /api/v1/organizations/{org}`.
pub async fn organization(org: i64) -> Result<Organization, ApiClientError> {
    get(&format!("/api/v1/organizations/{org}")).await
}

/// `POST /api/v1/organizations` (platform admins).
pub async fn create_organization(new: &NewOrganization) -> Result<Organization, ApiClientError> {
    change_json("/api/v1/organizations", new).await
}

fn campaigns_url(org: i64) -> String {
    format!("/api/v1/organizations/{org}/campaigns")
}

/// `GET …/campaigns`.
pub async fn campaigns(org: i64) -> Result<Vec<CampaignDetail>, ApiClientError> {
    get(&campaigns_url(org)).await
}

/// `GET …/campaigns/{code}`.
pub async fn campaign(org: i64, code: &str) -> Result<CampaignDetail, ApiClientError> {
    get(&format!("{}/{code}", campaigns_url(org))).await
}

/// `POST …/campaigns` → 201 with the campaign.
pub async fn create_campaign(org: i64, spec: &CampaignSpec) -> Result<CampaignDetail, ApiClientError> {
    change_json(&campaigns_url(org), spec).await
}

/// `PUT …/campaigns/{code}`.
pub async fn update_campaign(org: i64, code: &str, spec: &CampaignSpec) -> Result<(), ApiClientError> {
    change("PUT", &format!("{}/{code}", campaigns_url(org)), Some(spec)).await.map(drop)
}

/// `POST …/campaigns/{code}/state`: close now, or lift an administrator's close.
pub async fn set_campaign_state(org: i64, code: &str, closed: bool) -> Result<(), ApiClientError> {
    let url = format!("{}/{code}/state", campaigns_url(org));
    change("POST", &url, Some(&SetCampaignState { closed })).await.map(drop)
}

/// Path of a campaign's access codes (`.csv` and `/slips` are downloads).
pub fn access_codes_url(org: i64, code: &str) -> String {
    format!("{}/{code}/access-codes", campaigns_url(org))
}

/// `POST …/access-codes` → the new codes.
pub async fn generate_codes(org: i64, code: &str, count: u32) -> Result<Vec<AccessCode>, ApiClientError> {
    change_json(&access_codes_url(org, code), &GenerateCodes { count }).await
}

/// `GET …/access-codes`.
pub async fn access_codes(org: i64, code: &str) -> Result<Vec<AccessCode>, ApiClientError> {
    get(&access_codes_url(org, code)).await
}

/// `GET /api/v1/organizations/{org}/members`.
pub async fn members(org: i64) -> Result<Vec<Member>, ApiClientError> {
    get(&format!("/api/v1/organizations/{org}/members")).await
}

/// `POST /api/v1/organizations/{org}/invitations` → the link to hand over.
pub async fn invite(org: i64, new: &NewInvitation) -> Result<Invitation, ApiClientError> {
    change_json(&format!("/api/v1/organizations/{org}/invitations"), new).await
}

/// `POST /api/v1/invitations/{token}`: creates the invited address's account (409
/// `account_exists` when it has one).
pub async fn accept_invitation(token: &str, password: String) -> Result<(), ApiClientError> {
    change("POST", &format!("/api/v1/invitations/{token}"), Some(&AcceptInvitation { password })).await.map(drop)
}

/// `GET /api/v1/invitations/{token}`: what the link offers.
pub async fn invitation(token: &str) -> Result<InvitationInfo, ApiClientError> {
    get(&format!("/api/v1/invitations/{token}")).await
}

/// `POST /api/v1/invitations/{token}/accept`: the signed-in owner confirms.
pub async fn confirm_invitation(token: &str) -> Result<(), ApiClientError> {
    change("POST", &format!("/api/v1/invitations/{token}/accept"), None::<&()>).await.map(drop)
}

/// `GET /api/v1/organizations/{org}/cases?{query}` (`query` already encoded), in the
/// server's order, with the counts at the top of the queue.
pub async fn queue(org: i64, query: &str) -> Result<CaseQueue, ApiClientError> {
    get(&format!("/api/v1/organizations/{org}/cases?{query}")).await
}

/// `POST /api/v1/cases/{id}/level`: a re-check (复核) changes the level with a reason.
pub async fn change_level(id: i64, change: &NewLevel) -> Result<CaseDetail, ApiClientError> {
    change_json(&format!("/api/v1/cases/{id}/level"), change).await
}

/// `POST /api/v1/cases/{id}/interviews`: an interview record (约谈记录).
pub async fn add_interview(id: i64, interview: &NewInterview) -> Result<CaseDetail, ApiClientError> {
    change_json(&format!("/api/v1/cases/{id}/interviews"), interview).await
}

/// `POST /api/v1/cases/{id}/referrals`: a referral (转介).
pub async fn add_referral(id: i64, referral: &NewReferral) -> Result<CaseDetail, ApiClientError> {
    change_json(&format!("/api/v1/cases/{id}/referrals"), referral).await
}

/// `POST /api/v1/cases/{id}/referrals/{referral}`: receipt confirmed, outcome.
pub async fn update_referral(id: i64, referral: i64, update: &ReferralUpdate) -> Result<CaseDetail, ApiClientError> {
    change_json(&format!("/api/v1/cases/{id}/referrals/{referral}"), update).await
}

/// `POST /api/v1/cases/{id}/visits`: a follow-up visit (回访).
pub async fn add_visit(id: i64, visit: &NewVisit) -> Result<CaseDetail, ApiClientError> {
    change_json(&format!("/api/v1/cases/{id}/visits"), visit).await
}

/// `GET /api/v1/platform/warning-levels`.
pub async fn warning_levels() -> Result<WarningLevels, ApiClientError> {
    get("/api/v1/platform/warning-levels").await
}

/// `GET /api/v1/platform/interview-form`.
pub async fn interview_form() -> Result<InterviewForm, ApiClientError> {
    get("/api/v1/platform/interview-form").await
}

/// `GET /api/v1/platform/referral-destinations`.
pub async fn destinations() -> Result<Vec<ReferralDestination>, ApiClientError> {
    get("/api/v1/platform/referral-destinations").await
}

/// `POST /api/v1/platform/referral-destinations` (platform admins).
pub async fn add_destination(new: &NewDestination) -> Result<ReferralDestination, ApiClientError> {
    change_json("/api/v1/platform/referral-destinations", new).await
}

/// `GET /api/v1/cases/{id}`.
pub async fn case(id: i64) -> Result<CaseDetail, ApiClientError> {
    get(&format!("/api/v1/cases/{id}")).await
}

/// `POST /api/v1/cases/{id}/events`.
pub async fn add_case_event(id: i64, event: &NewCaseEvent) -> Result<(), ApiClientError> {
    change("POST", &format!("/api/v1/cases/{id}/events"), Some(event)).await.map(drop)
}

/// `GET /api/v1/organizations/{org}/follow-up`.
pub async fn follow_up(org: i64) -> Result<Vec<CampaignFollowUp>, ApiClientError> {
    get(&format!("/api/v1/organizations/{org}/follow-up")).await
}

/// `GET /api/v1/organizations/{org}/audit`, or the platform's `GET /api/v1/audit`.
pub async fn audit(org: Option<i64>) -> Result<Vec<AuditEntry>, ApiClientError> {
    match org {
        Some(org) => get(&format!("/api/v1/organizations/{org}/audit")).await,
        None => get("/api/v1/audit").await,
    }
}

/// `GET /api/v1/instruments`, then `GET /api/v1/instruments/{id}` for each, all at
/// once: every instrument the server offers, in its order.
///
/// # Errors
/// The first [`ApiClientError`] of any of the requests.
pub async fn instruments() -> Result<Vec<Definition>, ApiClientError> {
    let list: Vec<Listed> = get("/api/v1/instruments").await?;
    let requests =
        list.iter().map(|s| async move { get::<Definition>(&format!("/api/v1/instruments/{}", s.id)).await });
    join_all(requests.collect()).await.into_iter().collect()
}

/// The part of an [`InstrumentSummary`](instruments::wire::InstrumentSummary) needed:
/// the definition repeats the rest.
#[derive(Deserialize)]
struct Listed {
    id: String,
}

/// Awaits every future, polling them together (so their requests are in flight at the
/// same time), and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut ready = true;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => ready = false,
                }
            }
        }
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// `GET /api/v1/reports/…?format=json`: a population report (`url` names which).
pub async fn report(url: &str) -> Result<instruments::wire::report::Report, ApiClientError> {
    get(url).await
}

/// `GET /api/v1/reports/…?format=html`: the printable page, as text.
pub async fn report_page(url: &str) -> Result<String, ApiClientError> {
    send("GET", url, None, None).await
}
