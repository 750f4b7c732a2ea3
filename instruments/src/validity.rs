//! Careless and invalid answers, judged by rules in data — never at the cost of a
//! crisis: a mark is kept beside the result, it never suppresses or delays a warning.
//!
//! - **Page time**: fewer than [`ValidityRules::min_ms_per_item`] milliseconds per
//!   answered item on average, from the first item shown to the last answered
//!   (monotonic milliseconds the page sends; no wall-clock time) → `careless`.
//! - **Long string**: the same option on every scored item → `careless`, but only
//!   for instruments with reverse-scored items, where it is contradictory (an all-zero
//!   PHQ-9 is a normal answer).
//! - **Validity scales**: an instrument's own lie/validity items, e.g. 7 or more of 10
//!   endorsed → `invalid` (retest).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "validity")]
use crate::definition::Definition;
#[cfg(feature = "validity")]
use crate::scoring::Answers;

#[cfg(feature = "validity")]
/// Default of [`ValidityRules::min_ms_per_item`]: 2 seconds.
pub const MIN_MS_PER_ITEM: u32 = 2_000;

#[cfg(feature = "validity")]
/// An instrument's validity rules (the `validity` block of its file; all optional).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidityRules {
    /// Answering faster than this many milliseconds per item on average is careless
    /// (an integer: the browser parses definitions, and float parsing would weigh on
    /// the respondent page).
    #[serde(default = "min_ms")]
    pub min_ms_per_item: u32,
    /// Lie or validity scales of the instrument.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<ValidityScale>,
}

#[cfg(feature = "validity")]
impl Default for ValidityRules {
    fn default() -> Self {
        Self { min_ms_per_item: MIN_MS_PER_ITEM, scales: Vec::new() }
    }
}

#[cfg(feature = "validity")]
fn min_ms() -> u32 {
    MIN_MS_PER_ITEM
}

#[cfg(feature = "validity")]
/// A validity scale: `items`, each endorsed at `endorsed_at_least` or above; as many as
/// `invalid_at_least` endorsed makes the result invalid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidityScale {
    /// Scale id.
    pub id: String,
    /// Its items.
    pub items: Vec<String>,
    /// An item counts as endorsed at this value or above.
    pub endorsed_at_least: i64,
    /// This many endorsed items make the result invalid.
    pub invalid_at_least: usize,
}

/// When one item was first shown and answered, in milliseconds since the page opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemTiming {
    /// First shown.
    pub shown_ms: u64,
    /// Last answered.
    pub answered_ms: u64,
}

/// Timings by item id: a JSON object `{"<item id>": {"shown_ms", "answered_ms"}}`,
/// held as a list. (A map of a new value type would add its insertion code to the
/// respondent page's wasm; the page only ever appends.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timings(pub Vec<(String, ItemTiming)>);

impl Timings {
    /// No timings.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The timing of `item`, if any.
    pub fn get(&self, item: &str) -> Option<&ItemTiming> {
        self.0.iter().find(|(id, _)| id == item).map(|(_, t)| t)
    }
}

impl Serialize for Timings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(item, t)| (item, t)))
    }
}

impl<'de> Deserialize<'de> for Timings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A map keeps one timing per item; duplicates in the JSON keep the last.
        let map = BTreeMap::<String, ItemTiming>::deserialize(deserializer)?;
        Ok(Self(map.into_iter().collect()))
    }
}

/// What the rules make of a result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Validity {
    /// No rule applies.
    #[default]
    Valid,
    /// Answered too fast, or the same option throughout where that contradicts itself.
    Careless,
    /// The instrument's own validity scale says so: retest.
    Invalid,
}

impl Validity {
    /// Whether reports count the result out of prevalence by default.
    pub fn is_marked(self) -> bool {
        self != Self::Valid
    }
}

#[cfg(feature = "validity")]
/// Judges one result. `timings` may be empty (a client that sends none is judged by
/// its answers alone).
pub fn judge(definition: &Definition, answers: &Answers, timings: &Timings) -> Validity {
    let rules = &definition.validity;
    let scale_says = rules.scales.iter().any(|scale| {
        let endorsed =
            scale.items.iter().filter(|i| answers.get(*i).is_some_and(|v| *v >= scale.endorsed_at_least)).count();
        endorsed >= scale.invalid_at_least
    });
    if scale_says {
        return Validity::Invalid;
    }
    if too_fast(rules, answers, timings) || long_string(definition, answers) {
        return Validity::Careless;
    }
    Validity::Valid
}

#[cfg(feature = "validity")]
/// From the first item shown to the last answered, per answered item, under the limit.
fn too_fast(rules: &ValidityRules, answers: &Answers, timings: &Timings) -> bool {
    let answered: Vec<&ItemTiming> = answers.keys().filter_map(|item| timings.get(item)).collect();
    if answered.len() < 2 || answered.len() < answers.len() {
        return false;
    }
    let first = answered.iter().map(|t| t.shown_ms).min().unwrap_or_default();
    let last = answered.iter().map(|t| t.answered_ms).max().unwrap_or_default();
    last.saturating_sub(first) < u64::from(rules.min_ms_per_item) * answered.len() as u64
}

#[cfg(feature = "validity")]
/// The same value on every scored item of an instrument that reverses some.
fn long_string(definition: &Definition, answers: &Answers) -> bool {
    let scoring = &definition.scoring;
    if scoring.reverse.is_empty() || scoring.items.len() < 2 {
        return false;
    }
    let values: Option<Vec<i64>> = scoring.items.iter().map(|i| answers.get(i).copied()).collect();
    values.is_some_and(|v| v.windows(2).all(|w| w[0] == w[1]))
}

#[cfg(feature = "validity")]
/// Refuses timings that cannot be: an item the instrument does not have, answered
/// before shown, or later than a day after the page opened. Returns the item at fault.
pub fn check_timings(definition: &Definition, timings: &Timings) -> Result<(), (String, &'static str)> {
    const DAY_MS: u64 = 24 * 3600 * 1000;
    for (item, t) in &timings.0 {
        if !definition.items.iter().any(|i| &i.id == item) {
            return Err((item.clone(), "not an item of this instrument"));
        }
        if t.answered_ms < t.shown_ms {
            return Err((item.clone(), "answered_ms is before shown_ms"));
        }
        if t.answered_ms > DAY_MS {
            return Err((item.clone(), "more than a day after the page opened"));
        }
    }
    Ok(())
}

#[cfg(all(test, feature = "validity"))]
mod tests {
    use super::*;

    fn cesd() -> Definition {
        crate::load_bytes("cesd.json", include_bytes!("../library/cesd.json")).unwrap()
    }

    fn phq9() -> Definition {
        crate::load_bytes("phq9.json", include_bytes!("../library/phq9.json")).unwrap()
    }

    fn all(definition: &Definition, value: i64) -> Answers {
        definition.scoring.items.iter().map(|i| (i.clone(), value)).collect()
    }

    /// Items shown together at 0 and answered `ms_each` apart.
    fn paced(answers: &Answers, ms_each: u64) -> Timings {
        Timings(
            answers
                .keys()
                .enumerate()
                .map(|(n, item)| (item.clone(), ItemTiming { shown_ms: 0, answered_ms: (n as u64 + 1) * ms_each }))
                .collect(),
        )
    }

    #[test]
    fn a_fast_page_is_careless_and_a_steady_one_is_not() {
        let d = phq9();
        let mut answers = all(&d, 0);
        answers.insert("phq9_1".into(), 1);
        assert_eq!(judge(&d, &answers, &paced(&answers, 1_000)), Validity::Careless, "1 s an item");
        assert_eq!(judge(&d, &answers, &paced(&answers, 2_000)), Validity::Valid, "2 s an item is the limit");
        assert_eq!(judge(&d, &answers, &Timings::default()), Validity::Valid, "no timings, no page-time rule");
    }

    #[test]
    fn the_same_option_throughout_is_careless_only_where_items_are_reversed() {
        let (cesd, phq9) = (cesd(), phq9());
        assert!(!cesd.scoring.reverse.is_empty() && phq9.scoring.reverse.is_empty());
        let slow = |a: &Answers| paced(a, 5_000);
        let straight = all(&cesd, 2);
        assert_eq!(judge(&cesd, &straight, &slow(&straight)), Validity::Careless);
        let zeros = all(&phq9, 0);
        assert_eq!(judge(&phq9, &zeros, &slow(&zeros)), Validity::Valid, "an all-zero PHQ-9 is a normal answer");
        let mut varied = straight.clone();
        varied.insert(cesd.scoring.items[3].clone(), 1);
        assert_eq!(judge(&cesd, &varied, &slow(&varied)), Validity::Valid);
    }

    #[test]
    fn a_validity_scale_makes_a_result_invalid() {
        let mut d = phq9();
        let items: Vec<String> = d.scoring.items.iter().take(3).cloned().collect();
        d.validity.scales.push(ValidityScale { id: "lie".into(), items, endorsed_at_least: 2, invalid_at_least: 2 });
        let mut answers = all(&d, 0);
        answers.insert("phq9_1".into(), 3);
        answers.insert("phq9_4".into(), 1);
        assert_eq!(judge(&d, &answers, &paced(&answers, 5_000)), Validity::Valid);
        answers.insert("phq9_2".into(), 2);
        assert_eq!(judge(&d, &answers, &paced(&answers, 1)), Validity::Invalid, "invalid outranks careless");
    }

    #[test]
    fn impossible_timings_are_refused_naming_the_item() {
        let d = phq9();
        let bad = |item: &str, shown, answered| {
            Timings(vec![(item.to_owned(), ItemTiming { shown_ms: shown, answered_ms: answered })])
        };
        assert_eq!(check_timings(&d, &bad("phq9_1", 10, 20)), Ok(()));
        assert_eq!(check_timings(&d, &bad("phq9_1", 20, 10)).unwrap_err().0, "phq9_1");
        assert_eq!(check_timings(&d, &bad("nope", 1, 2)).unwrap_err().0, "nope");
        assert!(check_timings(&d, &bad("phq9_2", 0, 100_000_000)).is_err());
    }
}
