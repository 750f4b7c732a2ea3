//! The scoring engine: one pure function from a definition and answers to a score.
//!
//! The browser runs it to show the result at once; the server runs it again on every
//! submission and stores only its own result. Both must agree bit for bit, which is
//! why it lives here and nowhere else.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::definition::{
    Condition, Definition, Fill, Method, MissingRule, ResponseOption, Rounding, Scoring, Subscale, Transform, EPSILON,
};
use crate::error::ScoreError;

/// Version of the scoring engine, stored with every result so that a score can be
/// traced to the rules that produced it.
pub const ENGINE_VERSION: &str = concat!("xinan-engine/", env!("CARGO_PKG_VERSION"));

/// Answers by item id. Values are `i64` so that a wild value is reported as out of
/// range rather than failing to parse.
pub type Answers = BTreeMap<String, i64>;

/// The result of scoring one instrument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// Instrument id.
    pub instrument: String,
    /// Instrument version.
    pub version: String,
    /// [`ENGINE_VERSION`] of the engine that scored.
    pub engine: String,
    /// Total after reversal, aggregation, missing-data rule and transform; `null`
    /// when too many items are unanswered ("not scorable").
    #[serde(with = "number::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub total: Option<f64>,
    /// Id of the band holding the total; `null` when not scorable.
    pub band: Option<String>,
    /// Ids of the flags raised, in the order the rules are written.
    pub flags: Vec<String>,
    /// Subscale scores by id.
    pub subscales: BTreeMap<String, SubscaleScore>,
    /// Whether the result is a positive screen; `null` without a cut-off or a total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<bool>,
    /// Scored items left unanswered (their effect is set by the missing-data rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The score of one subscale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscaleScore {
    /// Subscale score; `null` when not scorable.
    #[serde(with = "number::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub total: Option<f64>,
    /// Band id, when the subscale has bands and a score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
}

/// Scores `answers` on `definition`.
///
/// # Errors
/// [`ScoreError`] naming the first item at fault: unknown, missing, out of range, or
/// answered while hidden.
///
/// # Example
/// ```
/// let phq9 = instruments::library::get("phq9").unwrap();
/// let answers = (1..=9).map(|i| (format!("phq9_{i}"), 1)).collect();
/// let score = instruments::score(phq9, &answers).unwrap();
/// assert_eq!((score.total, score.band.as_deref()), (Some(9.0), Some("mild")));
/// assert_eq!(score.flags, ["critical"]);
/// ```
pub fn score(definition: &Definition, answers: &Answers) -> Result<Score, ScoreError> {
    check_answers(definition, answers)?;
    let values = item_values(definition, answers);
    let scoring = &definition.scoring;
    let total = Scale::of_total(scoring).score(definition, &values);
    let mut subscales = BTreeMap::new();
    for sub in &scoring.subscales {
        let total = Scale::of_subscale(scoring, sub).score(definition, &values);
        let band = total.and_then(|t| sub.bands.iter().find(|b| b.contains(t))).map(|b| b.id.clone());
        subscales.insert(sub.id.clone(), SubscaleScore { total, band });
    }
    let facts = Facts { answers, total, subscales: &subscales };
    let flags = definition.flags.iter().filter(|rule| facts.holds(&rule.when)).map(|rule| rule.id.clone()).collect();
    let positive = match (&definition.positive_screen, total) {
        (Some(rule), Some(_)) => Some(facts.holds(rule)),
        _ => None,
    };
    Ok(Score {
        instrument: definition.id.clone(),
        version: definition.version.clone(),
        engine: ENGINE_VERSION.to_owned(),
        total,
        band: total.and_then(|t| definition.band_for(t)).map(|b| b.id.clone()),
        flags,
        subscales,
        positive,
        missing: scoring.items.iter().filter(|id| !answers.contains_key(*id)).cloned().collect(),
    })
}

/// Whether `item` is shown given the answers so far (items without a condition always are).
pub fn is_shown(definition: &Definition, item_id: &str, answers: &Answers) -> bool {
    let Some(item) = definition.item(item_id) else { return false };
    let no_subscales = BTreeMap::new();
    let facts = Facts { answers, total: None, subscales: &no_subscales };
    item.show_if.as_ref().is_none_or(|condition| facts.holds(condition))
}

fn check_answers(definition: &Definition, answers: &Answers) -> Result<(), ScoreError> {
    if let Some(unknown) = answers.keys().find(|id| definition.item(id).is_none()) {
        return Err(ScoreError::UnknownItem { item: unknown.clone() });
    }
    for item in &definition.items {
        let shown = is_shown(definition, &item.id, answers);
        match answers.get(&item.id) {
            None if shown && item.required => return Err(ScoreError::MissingAnswer { item: item.id.clone() }),
            None => {}
            Some(_) if !shown => return Err(ScoreError::NotShown { item: item.id.clone() }),
            Some(&value) => {
                let options = definition.options_of(item);
                if !options.iter().any(|o| i64::from(o.value) == value) {
                    return Err(ScoreError::OutOfRange {
                        item: item.id.clone(),
                        value,
                        allowed: options.iter().map(|o| o.value).collect(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Scored value of every answered item, reversed where the definition says so (what
/// item statistics such as Cronbach's alpha are computed on).
pub fn item_values(definition: &Definition, answers: &Answers) -> BTreeMap<String, i64> {
    answers
        .iter()
        .map(|(id, &value)| {
            let value = match definition.item(id) {
                Some(item) if definition.scoring.reverse.contains(id) => {
                    let (lo, hi) = value_range(definition.options_of(item));
                    lo + hi - value
                }
                _ => value,
            };
            (id.clone(), value)
        })
        .collect()
}

fn value_range(options: &[ResponseOption]) -> (i64, i64) {
    let values = options.iter().map(|o| i64::from(o.value));
    (values.clone().min().unwrap_or(0), values.max().unwrap_or(0))
}

/// The scored values an item can take (after reversal), ascending.
fn scored_values(definition: &Definition, id: &str) -> Vec<i64> {
    let Some(item) = definition.item(id) else { return Vec::new() };
    let options = definition.options_of(item);
    let reversed = definition.scoring.reverse.iter().any(|r| r == id);
    let (lo, hi) = value_range(options);
    let mut values: Vec<i64> =
        options.iter().map(|o| i64::from(o.value)).map(|v| if reversed { lo + hi - v } else { v }).collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// A total or a subscale: which items, and how they combine.
pub(crate) struct Scale<'a> {
    items: &'a [String],
    method: Method,
    transform: Option<Transform>,
    missing: Option<MissingRule>,
}

impl<'a> Scale<'a> {
    pub(crate) fn of_total(scoring: &'a Scoring) -> Self {
        Self { items: &scoring.items, method: scoring.method, transform: scoring.transform, missing: scoring.missing }
    }

    pub(crate) fn of_subscale(scoring: &'a Scoring, sub: &'a Subscale) -> Self {
        Self {
            items: &sub.items,
            method: sub.method,
            transform: sub.transform,
            missing: sub.missing.or(scoring.missing),
        }
    }

    /// The items of the scale.
    pub(crate) fn items(&self) -> &[String] {
        self.items
    }

    /// The missing-data rule that applies.
    pub(crate) fn missing(&self) -> Option<MissingRule> {
        self.missing
    }

    fn score(&self, definition: &Definition, values: &BTreeMap<String, i64>) -> Option<f64> {
        let mut sum = 0;
        let mut answered = 0;
        for id in self.items {
            match values.get(id) {
                Some(v) => {
                    sum += v;
                    answered += 1;
                }
                None => {
                    if let Some(MissingRule { fill: Fill::Lowest, .. }) = self.missing {
                        sum += scored_values(definition, id).first().copied().unwrap_or(0);
                    }
                }
            }
        }
        let missing = self.items.len() - answered;
        if missing > self.missing.map_or(0, |rule| rule.max_missing) || answered == 0 {
            return None;
        }
        Some(self.finish(sum, answered))
    }

    /// Turns a sum over `answered` of the scale's items into the reported score.
    /// Shared by scoring and by the loader's enumeration of possible scores, so the
    /// two cannot drift apart.
    fn finish(&self, sum: i64, answered: usize) -> f64 {
        let n = self.items.len();
        let lowest_filled = matches!(self.missing, Some(MissingRule { fill: Fill::Lowest, .. }));
        // With `Lowest`, the sum already covers every item.
        let counted = if lowest_filled { n } else { answered };
        // Sums of small integers are exact in f64; only means, prorating and transforms round.
        let raw = match self.method {
            Method::Sum if counted == n => sum as f64,
            Method::Sum => sum as f64 * n as f64 / counted as f64,
            Method::Mean => sum as f64 / counted as f64,
        };
        let raw = match self.missing {
            Some(MissingRule { rounding: Rounding::Nearest, .. }) if counted < n => raw.round(),
            _ => raw,
        };
        match self.transform {
            Some(t) => raw * t.multiply + t.add,
            None => raw,
        }
    }

    /// Every score the scale can produce, ascending, including prorated ones. Used
    /// by the loader to prove that bands cover each possible score exactly once.
    pub(crate) fn possible_scores(&self, definition: &Definition) -> Vec<f64> {
        let may_skip = match self.missing {
            Some(MissingRule { fill: Fill::Prorate, max_missing, .. }) => max_missing,
            _ => 0,
        };
        // sums[k] = the sums reachable with exactly k items answered.
        let mut sums: Vec<BTreeSet<i64>> = vec![BTreeSet::from([0])];
        for id in self.items {
            let values = scored_values(definition, id);
            let mut next: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); sums.len() + 1];
            for (k, set) in sums.iter().enumerate() {
                next[k].extend(set.iter().copied()); // skipped
                for s in set {
                    next[k + 1].extend(values.iter().map(|v| s + v));
                }
            }
            sums = next;
        }
        let n = self.items.len();
        let mut scores: Vec<f64> = sums
            .iter()
            .enumerate()
            .filter(|(k, _)| *k > 0 && n - k <= may_skip)
            .flat_map(|(k, set)| set.iter().map(move |&sum| self.finish(sum, k)))
            .collect();
        scores.sort_by(f64::total_cmp);
        scores.dedup_by(|a, b| (*a - *b).abs() < EPSILON);
        scores
    }
}

/// What conditions are evaluated against.
struct Facts<'a> {
    answers: &'a Answers,
    total: Option<f64>,
    subscales: &'a BTreeMap<String, SubscaleScore>,
}

impl Facts<'_> {
    fn holds(&self, condition: &Condition) -> bool {
        let answer = |item: &str| self.answers.get(item).map(|&v| v as f64);
        let admits = |value: Option<f64>| value.is_some_and(|v| condition.admits(v));
        match condition {
            Condition::Item { item, .. } => admits(answer(item)),
            Condition::AnyItem { items, .. } => items.iter().any(|i| admits(answer(i))),
            Condition::Total { .. } => admits(self.total),
            Condition::Subscale { subscale, .. } => admits(self.subscales.get(subscale).and_then(|s| s.total)),
        }
    }
}

/// Serializes whole numbers without a fraction (`12`, not `12.0`) so that integer
/// scores read naturally in JSON and in exports.
pub mod number {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `value` as an integer when it is one.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.fract() == 0.0 && value.abs() < 9.0e15 {
            serializer.serialize_i64(*value as i64)
        } else {
            serializer.serialize_f64(*value)
        }
    }

    /// Reads any JSON number.
    ///
    /// # Errors
    /// When the value is not a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        f64::deserialize(deserializer)
    }

    /// The same for a number that may be `null`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes `null` or the number as [`super::serialize`] does.
        ///
        /// # Errors
        /// Whatever the serializer returns.
        pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads `null` or a number.
        ///
        /// # Errors
        /// When the value is neither.
        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
            Option::<f64>::deserialize(deserializer)
        }
    }
}
