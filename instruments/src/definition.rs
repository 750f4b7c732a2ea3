//! The instrument file schema.
//!
//! These types are the wire format of instrument files and of
//! `GET /api/v1/instruments/{id}`: renaming a field breaks every stored file, so
//! fields only ever get added, with defaults. Every struct refuses unknown keys, so a
//! typo in a file is an error instead of a silently ignored rule.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A language tag such as `en` or `zh-Hans`.
///
/// Kept as the tag the file declares; the loader checks every text against the
/// file's declared locales, so an unknown tag cannot slip through.
///
/// # Example
/// ```
/// use instruments::Locale;
/// let zh = Locale::parse("zh-Hans").unwrap();
/// assert_eq!(zh.as_str(), "zh-Hans");
/// assert!(Locale::parse("zh Hans").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "zh-Hans"))]
pub struct Locale(String);

impl Locale {
    /// Parses a BCP 47-like tag: letters and digits in subtags of 1–8, joined by `-`.
    ///
    /// # Errors
    /// A message naming the bad tag.
    pub fn parse(tag: &str) -> Result<Self, String> {
        let ok = !tag.is_empty()
            && tag
                .split('-')
                .all(|part| (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if ok {
            Ok(Self(tag.to_owned()))
        } else {
            Err(format!("`{tag}` is not a language tag such as `en` or `zh-Hans`"))
        }
    }

    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Locale {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Locale> for String {
    fn from(value: Locale) -> Self {
        value.0
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text in every locale the instrument declares.
pub type Text = BTreeMap<Locale, String>;

/// One version of one questionnaire, as written in its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Definition {
    /// Stable identifier, lowercase letters, digits and `_` (e.g. `phq9`).
    pub id: String,
    /// Version of this file's content; stored with every result.
    pub version: String,
    /// Locales every text in the file must have.
    pub locales: Vec<Locale>,
    /// Name shown to respondents.
    pub title: Text,
    /// The stem read before the items.
    pub instructions: Text,
    /// The period the questions ask about (e.g. "last 2 weeks").
    pub recall_period: Text,
    /// Who the instrument is validated for; campaigns may only use it for them.
    pub population: Population,
    /// LOINC code of the panel, where the instrument has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
    /// Named lists of response options that items refer to.
    pub option_sets: BTreeMap<String, Vec<ResponseOption>>,
    /// Items in display order.
    pub items: Vec<Item>,
    /// How the total is computed.
    pub scoring: Scoring,
    /// Severity bands over the total; together they cover every possible total once.
    pub bands: Vec<Band>,
    /// Rules that raise flags for counselor follow-up.
    #[serde(default)]
    pub flags: Vec<FlagRule>,
    /// When a result counts as a positive screen (used by reports), e.g. total ≥ 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_screen: Option<Condition>,
    /// The licence that allows us to embed the instrument.
    pub licence: Licence,
    /// References for the instrument and its validated translations.
    pub citations: Vec<String>,
    /// Where each locale's wording was taken from.
    pub sources: BTreeMap<Locale, String>,
    /// When a result is marked careless or invalid (defaults: 2 s an item; the same
    /// option throughout where items are reversed; no validity scale).
    #[cfg(feature = "validity")]
    #[serde(default, skip_serializing_if = "is_default")]
    pub validity: crate::validity::ValidityRules,
}

/// The people an instrument is validated for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Population {
    /// Groups, e.g. `child`, `adolescent`, `adult`.
    pub groups: Vec<Group>,
    /// Youngest age (years) the instrument is validated for.
    pub min_age: u8,
    /// Oldest age, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u8>,
    /// Who answers: the person themself, or a parent about a child.
    #[serde(default)]
    pub informant: Informant,
}

/// A population group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Group {
    /// Under 12.
    Child,
    /// 12 to 17.
    Adolescent,
    /// 18 and over.
    Adult,
}

/// Who fills in the questionnaire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Informant {
    /// The respondent about themself.
    #[default]
    SelfReport,
    /// A parent or carer about a child.
    Parent,
}

impl Population {
    /// Whether respondents aged `min..=max` all fall in the validated range.
    pub fn covers(&self, min: u8, max: u8) -> bool {
        min >= self.min_age && self.max_age.is_none_or(|top| max <= top)
    }
}

/// One response option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseOption {
    /// The value scored (before any reversal).
    pub value: i32,
    /// The option's label.
    pub label: Text,
    /// LOINC answer code, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
}

/// One question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// Identifier, unique in the instrument (e.g. `phq9_9`).
    pub id: String,
    /// The question as published.
    pub text: Text,
    /// The key of the option set in `option_sets`.
    pub options: String,
    /// Whether an answer is needed when the item is shown.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    /// Shown only when this holds on earlier answers (PHQ-9 item 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// LOINC code of the question, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// How raw answers become a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scoring {
    /// Sum or mean of the scored items.
    pub method: Method,
    /// The items that count towards the total, in any order.
    pub items: Vec<String>,
    /// Items scored in reverse: value becomes (lowest + highest option value) − value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reverse: Vec<String>,
    /// Applied to the sum or mean, e.g. WHO-5's raw × 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// What happens when scored items are left unanswered (default: all are required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingRule>,
    /// Whether a higher total means more symptoms (default) or better well-being.
    #[serde(default, skip_serializing_if = "is_default")]
    pub direction: Direction,
    /// LOINC code of the total score, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
    /// Scores over subsets of items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscales: Vec<Subscale>,
}

/// How unanswered scored items are handled. Beyond `max_missing` the score is
/// "not scorable" and reported as such: never a silent zero.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingRule {
    /// Most unanswered items that still allow a score.
    pub max_missing: usize,
    /// What stands in for an unanswered item.
    pub fill: Fill,
    /// How a prorated score is rounded.
    #[serde(default)]
    pub rounding: Rounding,
}

/// What stands in for an unanswered item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Fill {
    /// The sum is scaled up: sum × items / answered (a mean is taken over answered items).
    Prorate,
    /// The item counts as the lowest option value (PSC-17: blank = 0).
    Lowest,
}

/// Rounding of a prorated score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rounding {
    /// Kept as computed.
    #[default]
    None,
    /// To the nearest whole number, halves away from zero.
    Nearest,
}

/// Which way a score points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    /// More symptoms, higher score (PHQ-9).
    #[default]
    HigherIsWorse,
    /// Better well-being, higher score (WHO-5).
    HigherIsBetter,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Sum or mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Method {
    /// Sum of the (reversed where declared) item values.
    Sum,
    /// Mean of the item values.
    Mean,
}

/// `score × multiply + add`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transform {
    /// Factor (default 1).
    #[serde(default = "one")]
    pub multiply: f64,
    /// Offset (default 0).
    #[serde(default)]
    pub add: f64,
}

fn one() -> f64 {
    1.0
}

/// A score over a subset of items, with optional bands of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscale {
    /// Identifier, unique in the instrument.
    pub id: String,
    /// Name shown in reports.
    pub label: Text,
    /// Sum or mean.
    pub method: Method,
    /// Items of the subscale (reversal follows `scoring.reverse`).
    pub items: Vec<String>,
    /// Applied to the subscale's sum or mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// Unanswered items in the subscale (default: the instrument's rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingRule>,
    /// Bands over the subscale's score (none, or covering every possible score).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
}

/// A severity band: an inclusive range of scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    /// Identifier (e.g. `moderately_severe`), stored with results.
    pub id: String,
    /// Label shown to the respondent.
    pub label: Text,
    /// Lowest score in the band.
    pub min: f64,
    /// Highest score in the band.
    pub max: f64,
}

impl Band {
    /// Whether `score` lies in the band.
    pub fn contains(&self, score: f64) -> bool {
        score >= self.min - EPSILON && score <= self.max + EPSILON
    }
}

/// Scores are sums, means and products of small integers; this absorbs float noise.
pub(crate) const EPSILON: f64 = 1e-9;

/// A rule that raises a flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRule {
    /// Flag raised (e.g. `critical`), unique in the instrument.
    pub id: String,
    /// How urgent the flag is; orders the counselor queue.
    pub severity: Severity,
    /// When the flag is raised.
    pub when: Condition,
}

/// Urgency of a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// Needs attention today (e.g. thoughts of self-harm).
    Critical,
    /// A severe score.
    High,
    /// Worth knowing.
    Info,
}

/// A condition on answers or scores: a value compared with `at_least` and/or
/// `at_most` (both inclusive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Condition {
    /// The answer to `item` (raw value, before reversal).
    Item {
        /// Item id.
        item: String,
        /// Lower bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Upper bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
    /// Some answer among `items`.
    AnyItem {
        /// Item ids.
        items: Vec<String>,
        /// Lower bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Upper bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
    /// The total (never holds when the total is not scorable).
    Total {
        /// Lower bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Upper bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
    /// A subscale's score (never holds when it is not scorable).
    Subscale {
        /// Subscale id.
        subscale: String,
        /// Lower bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Upper bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_most: Option<f64>,
    },
}

impl Condition {
    /// The bounds `(at_least, at_most)`.
    pub fn bounds(&self) -> (Option<f64>, Option<f64>) {
        match self {
            Self::Item { at_least, at_most, .. }
            | Self::AnyItem { at_least, at_most, .. }
            | Self::Total { at_least, at_most }
            | Self::Subscale { at_least, at_most, .. } => (*at_least, *at_most),
        }
    }

    /// Whether `value` lies within the bounds.
    pub fn admits(&self, value: f64) -> bool {
        let (low, high) = self.bounds();
        low.is_none_or(|l| value >= l - EPSILON) && high.is_none_or(|h| value <= h + EPSILON)
    }
}

/// The licence under which an instrument may be embedded. Loading refuses a file
/// without one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Licence {
    /// SPDX-like identifier, or `LicenseRef-…` for a statement.
    pub id: String,
    /// The statement that grants the use, quoted.
    pub statement: String,
    /// Day the licence was last checked (YYYY-MM-DD).
    pub checked: String,
}

impl Definition {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// The options an item offers.
    pub fn options_of(&self, item: &Item) -> &[ResponseOption] {
        self.option_sets.get(&item.options).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The band id and label for a total, if any band holds it.
    pub fn band_for(&self, total: f64) -> Option<&Band> {
        self.bands.iter().find(|band| band.contains(total))
    }
}

/// A text in `locale`, else in any locale it has (never panics on a partial text).
pub fn localized<'a>(text: &'a Text, locale: &Locale) -> &'a str {
    text.get(locale).or_else(|| text.values().next()).map(String::as_str).unwrap_or("")
}
