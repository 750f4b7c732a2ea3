//! Population report bodies: `GET /api/v1/reports/...` as JSON, and the one value
//! every other format (CSV, XLSX, printable HTML, the dashboard) is rendered from.
//!
//! A group smaller than the campaign's minimum group size is a [`Cell::Suppressed`]:
//! it carries no count, share, mean or interval at all, so no format can leak one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::staff::FollowUpFigures;
use crate::definition::Text;

/// What a report covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// One campaign (one wave).
    Campaign {
        /// Campaign code.
        code: String,
        /// Campaign name.
        name: Text,
        /// Organization id.
        organization_id: i64,
    },
    /// Several waves of the same screening, oldest first.
    Trend {
        /// Campaign codes, oldest first.
        codes: Vec<String>,
        /// Organization id.
        organization_id: i64,
    },
    /// One organization: each campaign's totals.
    Organization {
        /// Organization id.
        id: i64,
        /// Its name.
        name: String,
    },
    /// The whole platform (district roll-up): each organization's latest campaign.
    Platform,
}

/// A report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// What it covers.
    pub scope: Scope,
    /// Day it was computed (UTC).
    pub generated_on: String,
    /// Groups below this many respondents are suppressed.
    pub min_group_size: u32,
    /// Cohort attributes grouped by (0, 1 or 2), with their labels; empty for roll-ups.
    pub grouping: Vec<Attribute>,
    /// Coverage: for coded campaigns, codes used of codes issued.
    pub participation: Option<Participation>,
    /// Follow-up of flagged results (campaign and roll-up totals only).
    pub follow_up: Option<FollowUpFigures>,
    /// Headline indicators (platform and organization roll-ups).
    pub headline: Option<Headline>,
    /// One section per instrument.
    pub instruments: Vec<InstrumentSection>,
    /// How warnings were worked (organization and platform roll-ups only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceIndicators>,
}

/// Service indicators: how the warnings of the screened were worked, per level — what
/// city indicator systems evaluate. One row per campaign (organization report) or per
/// organization (platform report), after the total; a row is shown only when as many
/// were screened as the minimum group size, with complementary suppression so that no
/// hidden row follows from the total minus the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceIndicators {
    /// The levels the rows break down by, most urgent first: the platform's levels,
    /// then any level a warning still carries that the platform no longer defines.
    pub levels: Vec<ServiceLevel>,
    /// The total first (`group` empty), then one row per member.
    pub rows: Vec<ServiceRow>,
}

/// A warning level as a report names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLevel {
    /// Level id.
    pub id: String,
    /// Its label per locale.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub label: Text,
}

/// One row of the service indicators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRow {
    /// `campaign` or `organization` → its code or name; empty for the total.
    pub group: BTreeMap<String, String>,
    /// The figures, or the fact that the row is hidden.
    pub cell: ServiceCell,
}

/// A row's service figures, or nothing but the fact that it is hidden.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ServiceCell {
    /// Fewer screened than the minimum group size, or hidden so that another small
    /// row cannot be recovered by subtraction.
    Suppressed {
        /// The minimum group size k.
        below: u32,
    },
    /// The figures.
    Shown(ServiceFigures),
}

/// The service figures of a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceFigures {
    /// Submissions committed (people screened).
    pub screened: u64,
    /// Every level together.
    pub total: LevelService,
    /// One entry per level of [`ServiceIndicators::levels`], in that order.
    pub levels: Vec<LevelService>,
}

/// How the warnings of one level (by their current level) were worked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelService {
    /// Level id; `null` for every level together.
    pub level: Option<String>,
    /// Warnings opened.
    pub warnings: u64,
    /// Warnings per 1,000 screened; `null` when none were screened.
    pub per_thousand: Option<f64>,
    /// Warnings whose first contact is due by now or was made: the denominator of
    /// `contacted_in_time_share` (a warning not yet due is not yet late).
    pub contact_due: u64,
    /// Of those, first contact made by the level's deadline.
    pub contacted_in_time: u64,
    /// `contacted_in_time / contact_due`; `null` when nothing was due.
    pub contacted_in_time_share: Option<f64>,
    /// Median minutes from opening to first contact; `null` when none contacted.
    pub median_minutes_to_contact: Option<f64>,
    /// Referrals (转介) made.
    pub referrals: u64,
    /// Of those, receipt confirmed by the destination.
    pub referrals_confirmed: u64,
    /// Warnings closed.
    pub closed: u64,
    /// Warnings lifted (解除).
    pub lifted: u64,
    /// Median days from opening to closing or lifting; `null` when none finished.
    pub median_days_open: Option<f64>,
}

/// A cohort attribute used for grouping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attribute {
    /// Attribute id (e.g. `grade`).
    pub id: String,
    /// Its question per locale.
    pub label: Text,
}

/// Coverage of a coded campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    /// Access codes issued.
    pub issued: u64,
    /// Access codes used.
    pub used: u64,
    /// `used / issued`; `null` when none issued.
    pub share: Option<f64>,
}

/// A band of an instrument, for column headings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandHeading {
    /// Band id.
    pub id: String,
    /// Label per locale.
    pub label: Text,
}

/// Everything about one instrument in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentSection {
    /// Instrument id.
    pub instrument: String,
    /// Version.
    pub version: String,
    /// Title per locale.
    pub title: Text,
    /// Bands in order, lowest score first.
    pub bands: Vec<BandHeading>,
    /// The positive-screen rule in words per locale (e.g. "total ≥ 10"); `null` without one.
    pub cut_off: Option<Text>,
    /// Subscale ids in order.
    pub subscales: Vec<String>,
    /// Rows: first everyone (empty `group`), then each group; for a trend, one row per
    /// wave; for roll-ups, one row per campaign or organization.
    pub rows: Vec<Row>,
    /// Comparison of the rows' positive-screen prevalence (groups, or consecutive waves).
    pub comparison: Option<Comparison>,
}

/// One row of a section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Row {
    /// The group's values by attribute id (empty: everyone); for a trend the campaign
    /// code under `wave`; for roll-ups `campaign` or `organization`.
    pub group: BTreeMap<String, String>,
    /// The figures, or suppressed.
    pub cell: Cell,
}

/// A group's figures, or nothing but the fact that it is small.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Cell {
    /// Fewer respondents than the minimum group size, or suppressed so that another
    /// small group cannot be recovered by subtraction. Shown as "<k".
    Suppressed {
        /// The minimum group size k.
        below: u32,
    },
    /// The figures (boxed: a report holds many suppressed cells).
    Shown(Box<Figures>),
}

/// A group's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Respondents.
    pub n: u64,
    /// Of them, results without a total (too many items unanswered).
    pub not_scorable: u64,
    /// Count and share per band, in the section's band order (shares of scorable results).
    pub bands: Vec<Share>,
    /// Positive screens at the cut-off, with a 95 % Wilson interval.
    pub positive: Option<Prevalence>,
    /// Mean total with a 95 % t interval.
    pub mean: Option<Mean>,
    /// Subscale means, in the section's subscale order.
    pub subscales: Vec<Option<Mean>>,
    /// Cronbach's alpha of the items over complete responses; only when n ≥ 30.
    pub alpha: Option<Alpha>,
    /// Results with a critical flag; only in organization and platform roll-ups.
    pub critical: Option<u64>,
    /// Results marked careless or invalid (a class with many had a problem in
    /// administration). `positive` leaves them out; `positive_with_marked` does not.
    #[serde(default)]
    pub marked: u64,
    /// Positive screens counting the marked results too (boxed: most groups have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_with_marked: Option<Box<Prevalence>>,
}

/// A count and its share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// Count.
    pub count: u64,
    /// Share of the scorable results; `null` when none.
    pub share: Option<f64>,
}

/// A prevalence with its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prevalence {
    /// Positive screens.
    pub count: u64,
    /// Of this many scorable results (those not marked careless or invalid, unless
    /// counted with them).
    #[serde(default)]
    pub of: u64,
    /// `count / of`.
    pub share: f64,
    /// 95 % Wilson score interval.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// A mean with its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mean {
    /// Results averaged.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// 95 % t interval, lower bound (`null` when n < 2).
    pub low: Option<f64>,
    /// Upper bound.
    pub high: Option<f64>,
}

/// Internal consistency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alpha {
    /// Cronbach's alpha.
    pub value: f64,
    /// Complete responses it is computed on.
    pub n: u64,
}

/// How the rows' prevalences compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// Pearson chi-square test of positive screen × row, over shown rows.
    pub chi_square: Option<ChiSquareTest>,
    /// Differences in prevalence: each shown group against the rest of the shown
    /// groups, or each wave against the previous one.
    pub differences: Vec<Difference>,
}

/// A chi-square test result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChiSquareTest {
    /// Statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// p-value.
    pub p_value: f64,
}

/// A difference in prevalence, `a − b`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    /// Row compared (its `group`).
    pub a: BTreeMap<String, String>,
    /// Row compared against (empty: all other shown groups together).
    pub b: BTreeMap<String, String>,
    /// Prevalence of `a` minus prevalence of `b`.
    pub difference: f64,
    /// 95 % Newcombe hybrid score interval.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Headline indicators of a district (platform report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headline {
    /// Respondents of each organization's latest campaign, summed.
    pub respondents: u64,
    /// Screening coverage over coded campaigns: codes used / codes issued.
    pub coverage: Option<f64>,
    /// Positive-screen rate per instrument id (all organizations' latest campaigns).
    pub positive_rates: BTreeMap<String, f64>,
    /// Share of flags acknowledged within 24 hours.
    pub followed_up_within_24h: Option<f64>,
    /// Change in positive-screen rate since the previous wave, per instrument id.
    pub trend: BTreeMap<String, f64>,
}
