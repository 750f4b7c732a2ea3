//! JSON bodies exchanged between the browser app and the server.
//!
//! Both sides compile these very types, so the contract cannot drift. Requests refuse
//! unknown fields: a client cannot slip extra (possibly identifying) data into a
//! submission unnoticed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{Definition, Locale, Text};
use crate::scoring::{number, Answers, Score};

pub mod report;
pub mod staff;
pub mod warning;

pub use staff::{Anonymity, CampaignState};

/// `POST /api/v1/score/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRequest {
    /// Answers by item id.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub answers: Answers,
}

/// What the browser computed; the server's own score must equal it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientScore {
    /// Total, or `null` when not scorable.
    #[serde(with = "number::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub total: Option<f64>,
    /// Band id, or `null`.
    pub band: Option<String>,
    /// Flag ids.
    pub flags: Vec<String>,
}

impl ClientScore {
    /// The parts of a score the client reports.
    pub fn of(score: &Score) -> Self {
        Self { total: score.total, band: score.band.clone(), flags: score.flags.clone() }
    }

    /// Whether the client's score agrees with `score` (totals within float noise).
    pub fn agrees_with(&self, score: &Score) -> bool {
        let totals = match (self.total, score.total) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-6,
            (None, None) => true,
            _ => false,
        };
        totals && self.band == score.band && self.flags == score.flags
    }
}

/// One instrument's answers within a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentAnswers {
    /// Instrument id.
    pub instrument: String,
    /// Instrument version.
    pub version: String,
    /// Answers by item id.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub answers: Answers,
    /// The score the browser showed.
    pub client_score: ClientScore,
    /// Per item, when it was first shown and answered (milliseconds since the page
    /// opened, a monotonic clock): the page-time rule of careless answering.
    #[serde(default, skip_serializing_if = "crate::validity::Timings::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, crate::validity::ItemTiming>))]
    pub timings: crate::validity::Timings,
}

/// `POST /api/v1/campaigns/{code}/submissions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionRequest {
    /// A UUID the client generates once per submission; resending it is safe.
    pub idempotency_key: String,
    /// Cohort values by attribute id (e.g. `{"grade": "8"}`).
    pub cohort: BTreeMap<String, String>,
    /// One entry per instrument of the campaign.
    pub results: Vec<InstrumentAnswers>,
    /// What the respondent agreed to.
    pub consent: ConsentGiven,
    /// The one-time access code of a coded campaign; absent for anonymous ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_code: Option<String>,
}

/// The consent step's answers, stored as yes/no facts with the submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentGiven {
    /// Explicit consent to processing health information; must be `true`.
    pub health: bool,
    /// A guardian agreed; required `true` when the campaign asks for it, else `null`.
    #[serde(default)]
    pub guardian: Option<bool>,
}

/// `POST /api/v1/campaigns/{code}/access-codes/check`: is this code usable?
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckAccessCode {
    /// As typed (spaces, dashes and case are ignored).
    pub code: String,
}

/// The answer to a stored submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionReceipt {
    /// Random code shown to the respondent (8 characters, Crockford base32).
    pub respondent_code: String,
    /// The server's scores, in the order submitted.
    pub results: Vec<Score>,
}

/// An entry of `GET /api/v1/instruments`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentSummary {
    /// Instrument id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title per locale.
    pub title: Text,
    /// Number of items.
    pub items: usize,
    /// Locales offered.
    pub locales: Vec<Locale>,
    /// Licence id.
    pub licence: String,
}

impl InstrumentSummary {
    /// The summary of a definition.
    pub fn of(definition: &Definition) -> Self {
        Self {
            id: definition.id.clone(),
            version: definition.version.clone(),
            title: definition.title.clone(),
            items: definition.items.len(),
            locales: definition.locales.clone(),
            licence: definition.licence.id.clone(),
        }
    }
}

/// A cohort question and the answers a campaign allows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortAttribute {
    /// Attribute id (e.g. `grade`).
    pub id: String,
    /// The question per locale.
    pub label: Text,
    /// Allowed values, in display order.
    pub values: Vec<String>,
}

/// `GET /api/v1/campaigns/{code}`: everything the browser needs to run the
/// screening offline once loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    /// The code in the link.
    pub code: String,
    /// Name per locale.
    pub name: Text,
    /// Locales offered to respondents.
    pub locales: Vec<Locale>,
    /// Cohort questions asked before the instruments.
    pub cohort: Vec<CohortAttribute>,
    /// Crisis resources per locale.
    pub crisis_resources: Text,
    /// Full definitions of the campaign's instruments, in order.
    pub instruments: Vec<Definition>,
    /// Open link, or one-time access codes.
    pub anonymity: Anonymity,
    /// Extra consent wording per locale (the page adds the fixed statement of the mode).
    pub consent: Text,
    /// The respondent must confirm that a guardian agreed.
    pub guardian_consent: bool,
    /// Whether submissions are taken today.
    pub state: CampaignState,
    /// First day submissions are taken (`YYYY-MM-DD`).
    pub opens_on: String,
    /// Last day submissions are taken.
    pub closes_on: String,
    /// What the respondent is shown of their result (crisis resources always, when an
    /// answer calls for them).
    #[serde(default)]
    pub result_visibility: ResultVisibility,
}

/// What a respondent is shown of their result after submitting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ResultVisibility {
    /// Score, band and what it means.
    #[default]
    Full,
    /// The band only, without the score.
    Band,
    /// No score: a thank-you page.
    None,
}

impl ResultVisibility {
    /// The youngest age shown a result by default: below it, `none`.
    pub const DEFAULT_MIN_AGE: u8 = 14;

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Band => "band",
            Self::None => "none",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Full, Self::Band, Self::None].into_iter().find(|v| v.as_str() == s)
    }

    /// What a campaign shows when its administrator did not say: nothing to
    /// respondents who may be younger than 14.
    pub fn default_for(min_age: u8) -> Self {
        if min_age < Self::DEFAULT_MIN_AGE {
            Self::None
        } else {
            Self::Full
        }
    }
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, for people and for programs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code (e.g. `invalid_answer`).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault (e.g. `results[0].answers.phq9_3`), if any.
    pub field: Option<String>,
}
