//! Warnings (预警): the platform's levels, interview form and referral directory, and
//! the records of a warning's life (level changes, interviews, referrals, visits).
//!
//! Days are `YYYY-MM-DD`; times are Unix seconds. Requests refuse unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{Severity, Text};

/// One warning level of the platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningLevel {
    /// Stable id (lowercase letters, digits, `_`), e.g. `level1`; stored with warnings.
    pub id: String,
    /// 1 is the most urgent; unique.
    pub rank: u8,
    /// Label per locale, e.g. `{"zh-Hans": "一级预警", "en": "Urgent"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
    /// Display colour, `#rrggbb`. Never the only cue: the label and symbol go with it.
    pub colour: String,
    /// A short text symbol shown beside the colour, e.g. `!!!`.
    pub symbol: String,
    /// First contact is due this many minutes after the warning opens or changes level.
    pub first_contact_minutes: u32,
}

/// Which level a flag opens. Either `severity` alone (the default for every flag of
/// that severity) or `instrument` and `flag` together (one instrument's flag).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagLevel {
    /// Every flag of this severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// One instrument …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    /// … and one of its flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// The level id.
    pub level: String,
}

/// `GET`/`PUT /api/v1/platform/warning-levels`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningLevels {
    /// The levels, most urgent first.
    pub levels: Vec<WarningLevel>,
    /// Flag → level; every severity must be mapped.
    pub flag_levels: Vec<FlagLevel>,
}

impl WarningLevels {
    /// The level with this id.
    pub fn level(&self, id: &str) -> Option<&WarningLevel> {
        self.levels.iter().find(|l| l.id == id)
    }
}

/// What kind of answer a form field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldKind {
    /// A day, `YYYY-MM-DD`.
    Date,
    /// One of the options.
    Choice,
    /// Any number of the options.
    Choices,
    /// Free text (no names or numbers; at most 2,000 characters).
    Text,
}

/// One option of a choice field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormOption {
    /// Stored value.
    pub id: String,
    /// Label per locale.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
}

/// One field of the interview form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// Stable id, e.g. `risk`.
    pub id: String,
    /// Label per locale.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
    /// Kind of answer.
    pub kind: FieldKind,
    /// Options of a choice field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FormOption>,
    /// Whether the server refuses a record without it.
    pub required: bool,
    /// For a date field: the answer schedules the next follow-up visit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub schedules_visit: bool,
}

/// `GET`/`PUT /api/v1/platform/interview-form`: the interview record (约谈记录).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterviewForm {
    /// Fields in display order.
    pub fields: Vec<FormField>,
}

/// The answer to one form field: one text (date, choice, text) or several (choices).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldValue {
    /// Date, choice or text.
    One(String),
    /// Choices.
    Many(Vec<String>),
}

/// `POST /api/v1/cases/{id}/interviews`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInterview {
    /// Answers by field id.
    pub values: BTreeMap<String, FieldValue>,
}

/// A recorded interview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interview {
    /// Id.
    pub id: i64,
    /// When it was recorded.
    pub at: i64,
    /// Who recorded it (e-mail).
    pub by: String,
    /// Answers by field id, as checked against the form of that time.
    pub values: BTreeMap<String, FieldValue>,
}

/// Kind of referral destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DestinationKind {
    /// A hospital (psychiatric department, mental health centre).
    Hospital,
    /// A district guidance centre.
    GuidanceCentre,
    /// A hotline.
    Hotline,
    /// Anything else.
    Other,
}

/// `POST /api/v1/platform/referral-destinations`, `PUT …/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDestination {
    /// Name of the service (not of a person).
    pub name: String,
    /// Kind.
    pub kind: DestinationKind,
    /// Level ids it takes.
    pub levels: Vec<String>,
    /// A contact line for the service (switchboard, hotline, address).
    pub contact: String,
    /// Offered for new referrals.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A referral destination of the platform's directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralDestination {
    /// Id.
    pub id: i64,
    /// As given.
    #[serde(flatten)]
    pub destination: NewDestination,
}

/// `POST /api/v1/cases/{id}/referrals` (转介).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReferral {
    /// A destination of the directory.
    pub destination_id: i64,
    /// The day of the referral.
    pub referred_on: String,
    /// A short note (no names or numbers).
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/cases/{id}/referrals/{referral}`: what came back. Each field is
/// set once; a set field is never overwritten.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralUpdate {
    /// The day the destination confirmed it received the referral.
    #[serde(default)]
    pub confirmed_on: Option<String>,
    /// The outcome (no names or numbers).
    #[serde(default)]
    pub outcome: Option<String>,
}

/// A referral of a warning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    /// Id.
    pub id: i64,
    /// When it was recorded.
    pub at: i64,
    /// Who recorded it (e-mail).
    pub by: String,
    /// Destination id.
    pub destination_id: i64,
    /// Destination name.
    pub destination: String,
    /// Day of the referral.
    pub referred_on: String,
    /// Note.
    pub note: String,
    /// Day the destination confirmed receipt.
    pub confirmed_on: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
}

/// `POST /api/v1/cases/{id}/visits` (回访).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVisit {
    /// The day of the visit.
    pub visited_on: String,
    /// A short note (no names or numbers).
    #[serde(default)]
    pub note: String,
    /// The next visit, if one is planned.
    #[serde(default)]
    pub next_visit_on: Option<String>,
}

/// A follow-up visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// When it was recorded.
    pub at: i64,
    /// Who recorded it (e-mail).
    pub by: String,
    /// Day of the visit.
    pub visited_on: String,
    /// Note.
    pub note: String,
    /// The next visit planned then.
    pub next_visit_on: Option<String>,
}

/// `PUT /api/v1/cases/{id}/next-visit`: plan (or cancel, `null`) the next visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextVisit {
    /// The day, or `null`.
    pub on: Option<String>,
}

/// `POST /api/v1/cases/{id}/level`: a re-check (复核) result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLevel {
    /// The new level id.
    pub level: String,
    /// Why (required; at most 500 characters; no names or numbers).
    pub reason: String,
}

/// One level of a warning's history. The first is the level the screening opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelChange {
    /// When.
    pub at: i64,
    /// Who (e-mail); `null` for the level the screening opened.
    pub by: Option<String>,
    /// Level before; `null` at opening.
    pub from: Option<String>,
    /// Level after.
    pub to: String,
    /// Why.
    pub reason: String,
    /// First contact was due then.
    pub due_at: i64,
}

/// How many unfinished warnings hold one level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelCount {
    /// Level id.
    pub level: String,
    /// Unfinished warnings at that level.
    pub count: i64,
}
