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
    /// The figures.
    Shown(Figures),
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
    /// Of scorable results.
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
