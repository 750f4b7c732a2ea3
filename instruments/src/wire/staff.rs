//! JSON bodies of the staff API: sign-in, organizations, campaigns, access codes,
//! invitations, the follow-up queue and the audit log.
//!
//! Times are whole seconds since the Unix epoch (UTC); days are `YYYY-MM-DD`.
//! Staff-side rows may carry a time (a case must know when it became overdue); the
//! respondent's submission itself only ever keeps its day.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CohortAttribute;
use crate::definition::{Condition, Locale, Severity, Text};
use crate::scoring::Score;

/// What a staff member may be, per organization (platform admin: the whole platform).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Everything on the platform, reports across organizations.
    PlatformAdmin,
    /// One organization's campaigns, codes, users, audit log and reports.
    OrgAdmin,
    /// One organization's follow-up queue.
    Counselor,
}

impl Role {
    /// The wire name (`platform_admin`, `org_admin`, `counselor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform_admin",
            Self::OrgAdmin => "org_admin",
            Self::Counselor => "counselor",
        }
    }

    /// Parses the wire name; the CLI also accepts dashes (`platform-admin`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.replace('-', "_").as_str() {
            "platform_admin" => Some(Self::PlatformAdmin),
            "org_admin" => Some(Self::OrgAdmin),
            "counselor" => Some(Self::Counselor),
            _ => None,
        }
    }
}

/// `POST /api/v1/session`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// Account e-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `GET /api/v1/session`: who is signed in, and the token every state-changing request
/// must echo in the `X-CSRF-Token` header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Account e-mail.
    pub email: String,
    /// Whether the account administers the whole platform.
    pub platform_admin: bool,
    /// Roles held in organizations.
    pub memberships: Vec<Membership>,
    /// Echo in `X-CSRF-Token` on POST, PUT and DELETE.
    pub csrf_token: String,
}

/// A role in one organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    /// The organization.
    pub organization: Organization,
    /// The role there (`org_admin` or `counselor`).
    pub role: Role,
}

/// What kind of place screens its people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrganizationKind {
    /// Students.
    School,
    /// Employees.
    Employer,
}

/// A school or employer on the platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// Id in URLs.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// School or employer.
    pub kind: OrganizationKind,
}

/// `POST /api/v1/organizations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOrganization {
    /// Display name (1–200 characters).
    pub name: String,
    /// School or employer.
    pub kind: OrganizationKind,
}

/// A person with a role in an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// Account e-mail.
    pub email: String,
    /// Role in this organization.
    pub role: Role,
}

/// `POST /api/v1/organizations/{org}/invitations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInvitation {
    /// Who is invited.
    pub email: String,
    /// `org_admin` or `counselor`.
    pub role: Role,
}

/// How an invitation reaches the invited person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InvitationDelivery {
    /// Mailed to the invited address; nobody else ever sees the link.
    Email,
    /// Shown to the inviter, who hands it over (an installation without mail that
    /// chose `--invitation-links`).
    Link,
}

/// A created invitation. With mail, the answer is the same whether or not the address
/// has an account, and holds no link: only the invited person receives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// How the link travels.
    pub delivery: InvitationDelivery,
    /// With `link` delivery only: path of the page that accepts it,
    /// e.g. `/staff/invitation/TOKEN`.
    pub link: Option<String>,
    /// With `link` delivery only: the secret token in the link.
    pub token: Option<String>,
    /// When the link stops working (72 hours after creation).
    pub expires_at: i64,
}

/// `GET /api/v1/invitations/{token}`: what the link offers, for its page. It does not
/// say whether the address has an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    /// The inviting organization's name.
    pub organization: String,
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: Role,
    /// When the link stops working.
    pub expires_at: i64,
}

/// `POST /api/v1/invitations/{token}`: creates the invited address's account with this
/// password. An address that has an account is refused: its owner signs in and
/// confirms with `POST /api/v1/invitations/{token}/accept`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    /// At least 10 characters.
    pub password: String,
}

/// Whether respondents can be reached after a flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Anonymity {
    /// An open link; nobody can be reached afterwards.
    #[default]
    Anonymous,
    /// One-time access codes handed out by the school, which alone knows who got which.
    Coded,
    /// Codes of the organization's code book, kept by a person from wave to wave: one
    /// submission per code per campaign, and one code's results link over time. The
    /// school alone knows whose code is whose.
    Panel,
}

impl Anonymity {
    /// Whether respondents enter a code (coded and panel campaigns).
    pub fn takes_code(self) -> bool {
        self != Self::Anonymous
    }
}

/// Whether a campaign takes submissions today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CampaignState {
    /// Before `opens_on`.
    NotYetOpen,
    /// Between `opens_on` and `closes_on`, and not closed by an admin.
    Open,
    /// After `closes_on`, or closed by an admin.
    Closed,
}

/// An instrument of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentRef {
    /// Instrument id (e.g. `phq9`).
    pub id: String,
    /// Version in the library.
    pub version: String,
}

/// `POST`/`PUT` a campaign: everything an administrator decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignSpec {
    /// Code in the link: 3–32 of A–Z, 0–9 and `-` (upper-cased on input).
    pub code: String,
    /// Name per locale.
    pub name: Text,
    /// Instruments in the order asked.
    pub instruments: Vec<InstrumentRef>,
    /// Cohort questions and their allowed values.
    pub cohort: Vec<CohortAttribute>,
    /// First day submissions are taken.
    pub opens_on: String,
    /// Last day submissions are taken.
    pub closes_on: String,
    /// Locales offered to respondents.
    pub locales: Vec<Locale>,
    /// Crisis resources per locale.
    pub crisis_resources: Text,
    /// Open link or one-time access codes.
    pub anonymity: Anonymity,
    /// Smallest group a report may show (default 10, never below 5).
    #[serde(default = "default_min_group_size")]
    pub min_group_size: u32,
    /// Extra consent wording per locale, shown after the fixed statement of the mode.
    #[serde(default)]
    pub consent: Text,
    /// Youngest respondent age (years).
    pub min_age: u8,
    /// Oldest respondent age (years).
    pub max_age: u8,
    /// Respondents under 14 must confirm that a guardian agreed.
    #[serde(default)]
    pub guardian_consent: bool,
    /// What a respondent is shown of their result. Left out: `none` when respondents
    /// may be under 14 (some city rules forbid giving them results directly), else
    /// `full`; stored and returned resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_visibility: Option<crate::wire::ResultVisibility>,
}

fn default_min_group_size() -> u32 {
    10
}

/// A campaign as staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignDetail {
    /// The organization holding it.
    pub organization_id: i64,
    /// What the administrator decided.
    pub spec: CampaignSpec,
    /// Whether it takes submissions today.
    pub state: CampaignState,
    /// Closed by an administrator regardless of dates.
    pub closed_by_admin: bool,
    /// Submissions stored.
    pub submissions: i64,
    /// Access codes issued (coded campaigns).
    pub codes_issued: i64,
    /// Access codes used.
    pub codes_used: i64,
}

/// `POST …/campaigns/{code}/state`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetCampaignState {
    /// `true` closes now; `false` lifts an admin's close (dates still apply; opening
    /// before `opens_on` moves `opens_on` to today).
    pub closed: bool,
}

/// `POST …/campaigns/{code}/access-codes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerateCodes {
    /// How many new codes (1–5000).
    pub count: u32,
}

/// `POST /api/v1/organizations/{org}/panel-codes`: the new codes of the book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelCodes {
    /// The codes generated, 10 Crockford base32 characters each.
    pub codes: Vec<String>,
}

/// A code of an organization's code book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelCode {
    /// The code.
    pub code: String,
    /// When it was generated (Unix seconds).
    pub created_at: i64,
    /// When it was retired (the person left); `null` while in use.
    pub retired_at: Option<i64>,
    /// Submissions made with it, over every campaign.
    pub submissions: i64,
}

/// `GET /api/v1/organizations/{org}/respondents/{code}`: one code's results over time
/// — a follow-up tool for counselors, never a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonTimeline {
    /// The book code.
    pub code: String,
    /// When it was retired, if it was.
    pub retired_at: Option<i64>,
    /// Its submissions, oldest first.
    pub waves: Vec<TimelineWave>,
}

/// One submission of a code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineWave {
    /// Campaign code.
    pub campaign: String,
    /// Campaign name per locale.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub campaign_name: Text,
    /// Day submitted.
    pub submitted_on: String,
    /// The server's scores, in the order asked.
    pub results: Vec<Score>,
    /// The warning it opened, with its levels, interviews and the rest of its history.
    pub warning: Option<CaseDetail>,
}

/// `DELETE /api/v1/organizations/{org}/respondents/{code}`: what was deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedPerson {
    /// Submissions deleted, with their results.
    pub submissions: u64,
    /// Warnings deleted, with their history.
    pub warnings: u64,
}

/// One access code and whether it was used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessCode {
    /// The code (10 characters, Crockford base32, shown in groups of 5).
    pub code: String,
    /// Whether a submission used it.
    pub used: bool,
}

/// State of a follow-up case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseState {
    /// Raised, nobody has looked yet.
    Open,
    /// A counselor has it.
    Acknowledged,
    /// The respondent was reached (through the school for coded campaigns).
    Contacted,
    /// Referred to a service (a referral is recorded); visits go on until closed.
    Referred,
    /// Finished, with an outcome; final.
    Closed,
    /// Lifted (解除) after a re-check, with the reason; final.
    Lifted,
}

impl CaseState {
    /// States reachable from this one.
    pub fn next(self) -> &'static [CaseState] {
        match self {
            Self::Open => &[Self::Acknowledged, Self::Contacted, Self::Closed, Self::Lifted],
            Self::Acknowledged => &[Self::Contacted, Self::Closed, Self::Lifted],
            Self::Contacted => &[Self::Closed, Self::Lifted],
            Self::Referred => &[Self::Closed, Self::Lifted],
            Self::Closed | Self::Lifted => &[],
        }
    }

    /// Closed or lifted: nothing more is done.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Closed | Self::Lifted)
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Acknowledged, Self::Contacted, Self::Referred, Self::Closed, Self::Lifted]
            .into_iter()
            .find(|state| state.as_str() == s)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Contacted => "contacted",
            Self::Referred => "referred",
            Self::Closed => "closed",
            Self::Lifted => "lifted",
        }
    }
}

/// Which rule of which instrument raised a flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaisedFlag {
    /// Instrument id.
    pub instrument: String,
    /// Flag id in the instrument file.
    pub flag: String,
    /// Its severity.
    pub severity: Severity,
    /// The rule that fired, as written in the instrument file.
    pub when: Condition,
}

/// A case in the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    /// Case id.
    pub id: i64,
    /// Organization.
    pub organization_id: i64,
    /// Campaign code.
    pub campaign: String,
    /// Campaign name.
    pub campaign_name: Text,
    /// Whether the school can reach the respondent (coded campaign).
    pub anonymity: Anonymity,
    /// The respondent code (for coded campaigns: the access code the school handed out).
    pub respondent_code: String,
    /// Cohort values.
    pub cohort: BTreeMap<String, String>,
    /// Highest severity among the flags.
    pub severity: Severity,
    /// Every flag raised.
    pub flags: Vec<RaisedFlag>,
    /// The server's scores of the submission.
    pub results: Vec<Score>,
    /// Current state.
    pub state: CaseState,
    /// When the case was raised.
    pub opened_at: i64,
    /// Warning level id (see `GET /api/v1/platform/warning-levels`).
    pub level: String,
    /// When first contact is due: the current level's deadline after it was set.
    pub due_at: i64,
    /// When first contact (an interview or the `contacted` state) was recorded.
    pub first_contact_at: Option<i64>,
    /// Unfinished and first contact not recorded by `due_at`.
    pub overdue: bool,
    /// The next follow-up visit (回访), if planned.
    pub next_visit_on: Option<String>,
    /// Unfinished and the planned visit's day has passed.
    pub visit_late: bool,
}

/// One change of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    /// When.
    pub at: i64,
    /// Who (e-mail).
    pub by: String,
    /// State before.
    pub from: CaseState,
    /// State after.
    pub to: CaseState,
    /// The counselor's note (no names).
    pub note: String,
    /// Outcome, required when closing.
    pub outcome: Option<String>,
}

/// `GET /api/v1/cases/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    /// As in the queue.
    pub case: CaseSummary,
    /// State changes, oldest first.
    pub events: Vec<CaseEvent>,
    /// Levels, oldest first; the first is the one the screening opened.
    pub level_changes: Vec<super::warning::LevelChange>,
    /// Interviews, oldest first.
    pub interviews: Vec<super::warning::Interview>,
    /// Referrals, oldest first.
    pub referrals: Vec<super::warning::Referral>,
    /// Follow-up visits, oldest first.
    pub visits: Vec<super::warning::Visit>,
    /// Notifications sent about it, oldest first.
    pub notifications: Vec<CaseNotification>,
}

/// `GET /api/v1/organizations/{org}/cases`: the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseQueue {
    /// Unfinished warnings per level of the whole organization, whatever the filters.
    pub counts: Vec<super::warning::LevelCount>,
    /// Unfinished warnings overdue for first contact, whatever the filters.
    pub overdue: i64,
    /// Unfinished warnings with first contact or a visit due today, whatever the filters.
    pub due_today: i64,
    /// The cases that match the filters: overdue first, then by level, then oldest.
    pub cases: Vec<CaseSummary>,
}

/// `POST /api/v1/cases/{id}/events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCaseEvent {
    /// The new state; must follow from the current one.
    pub to: CaseState,
    /// A short note, at most 500 characters; no names.
    #[serde(default)]
    pub note: String,
    /// Required when `to` is `closed` or `lifted` (the reason).
    #[serde(default)]
    pub outcome: Option<String>,
}

/// Follow-up figures of one campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpFigures {
    /// Cases raised.
    pub flags_raised: i64,
    /// Cases acknowledged (or moved further) within 24 hours of being raised.
    pub acknowledged_within_24h: i64,
    /// That count as a share of `flags_raised`; `null` when no flags.
    pub acknowledged_within_24h_share: Option<f64>,
    /// Median hours from raised to first `contacted`; `null` when none contacted.
    pub median_hours_to_contact: Option<f64>,
    /// Cases not yet referred or closed.
    pub open_cases: i64,
    /// Of those, open beyond the overdue limit.
    pub overdue_cases: i64,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When.
    pub at: i64,
    /// Who (e-mail), or `null` for a failed sign-in of an unknown account.
    pub actor: Option<String>,
    /// Organization concerned, if any.
    pub organization_id: Option<i64>,
    /// What: `login`, `login_failed`, `case_viewed`, `case_changed`, `campaign_created`, …
    pub action: String,
    /// What it was done to, e.g. `case 12`, `campaign SPRING`.
    pub subject: String,
}

/// Follow-up figures of one campaign, as listed for an organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignFollowUp {
    /// Campaign code.
    pub campaign: String,
    /// Campaign name.
    pub name: Text,
    /// Its figures.
    pub figures: FollowUpFigures,
}

/// How an organization's webhook message is shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookFormat {
    /// `{"event", "organization", "level", "level_label", "campaign", "case_id", "case_url"}`.
    Json,
    /// `{"msgtype": "text", "text": {"content": …}}`, which WeCom and DingTalk group
    /// robots accept.
    Robot,
}

/// `GET`/`PUT /api/v1/organizations/{org}/notifications`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    /// An `https://` (or `http://`) URL that receives a POST for every urgent
    /// warning; `null` for none.
    pub webhook_url: Option<String>,
    /// Message shape.
    pub webhook_format: WebhookFormat,
}

/// How a notification travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotificationChannel {
    /// E-mail to one counselor.
    Email,
    /// The organization's webhook.
    Webhook,
}

/// A notification about a warning, as its timeline shows it (not to whom).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNotification {
    /// `warning_opened` or `warning_raised`.
    pub kind: String,
    /// Channel.
    pub channel: NotificationChannel,
    /// Delivered.
    pub sent: bool,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it was written (with the warning).
    pub created_at: i64,
    /// When it was delivered.
    pub sent_at: Option<i64>,
}
