//! The scoring engine: one pure function from a definition and answers to a score.
//!
//! The browser runs it to show the result at once; the server runs it again on every
//! submission and stores only its own result. Both must agree bit for bit, which is
//! why it lives here and nowhere else.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::definition::{Condition, Definition, Method, Transform, EPSILON};
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
    /// Total after reversal, aggregation and transform.
    #[serde(with = "number")]
    pub total: f64,
    /// Id of the band holding the total.
    pub band: String,
    /// Ids of the flags raised, in the order the rules are written.
    pub flags: Vec<String>,
    /// Subscale scores by id.
    pub subscales: BTreeMap<String, SubscaleScore>,
}

/// The score of one subscale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscaleScore {
    /// Subscale score.
    #[serde(with = "number")]
    pub total: f64,
    /// Band id, when the subscale has bands.
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
/// assert_eq!((score.total, score.band.as_str()), (9.0, "mild"));
/// assert_eq!(score.flags, ["critical"]);
/// ```
pub fn score(definition: &Definition, answers: &Answers) -> Result<Score, ScoreError> {
    check_answers(definition, answers)?;
    let values = item_values(definition, answers);
    let scoring = &definition.scoring;
    let total = aggregate(&values, &scoring.items, scoring.method, scoring.transform);
    let subscales: BTreeMap<String, SubscaleScore> = scoring
        .subscales
        .iter()
        .map(|sub| {
            let total = aggregate(&values, &sub.items, sub.method, sub.transform);
            let band = sub
                .bands
                .iter()
                .find(|b| b.contains(total))
                .map(|b| b.id.clone());
            (sub.id.clone(), SubscaleScore { total, band })
        })
        .collect();
    let facts = Facts {
        answers,
        total: Some(total),
        subscales: &subscales,
    };
    let flags = definition
        .flags
        .iter()
        .filter(|rule| facts.holds(&rule.when))
        .map(|rule| rule.id.clone())
        .collect();
    Ok(Score {
        instrument: definition.id.clone(),
        version: definition.version.clone(),
        engine: ENGINE_VERSION.to_owned(),
        total,
        band: definition
            .band_for(total)
            .map(|b| b.id.clone())
            .unwrap_or_default(),
        flags,
        subscales,
    })
}

/// Whether `item` is shown given the answers so far (items without a condition always are).
pub fn is_shown(definition: &Definition, item_id: &str, answers: &Answers) -> bool {
    let Some(item) = definition.item(item_id) else {
        return false;
    };
    let no_subscales = BTreeMap::new();
    let facts = Facts {
        answers,
        total: None,
        subscales: &no_subscales,
    };
    item.show_if
        .as_ref()
        .is_none_or(|condition| facts.holds(condition))
}

fn check_answers(definition: &Definition, answers: &Answers) -> Result<(), ScoreError> {
    if let Some(unknown) = answers.keys().find(|id| definition.item(id).is_none()) {
        return Err(ScoreError::UnknownItem {
            item: unknown.clone(),
        });
    }
    for item in &definition.items {
        let shown = is_shown(definition, &item.id, answers);
        match answers.get(&item.id) {
            None if shown && item.required => {
                return Err(ScoreError::MissingAnswer {
                    item: item.id.clone(),
                })
            }
            None => {}
            Some(_) if !shown => {
                return Err(ScoreError::NotShown {
                    item: item.id.clone(),
                })
            }
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

/// Scored value of every answered item, reversed where the definition says so.
fn item_values(definition: &Definition, answers: &Answers) -> BTreeMap<String, i64> {
    answers
        .iter()
        .map(|(id, &value)| {
            let reversed = definition.scoring.reverse.contains(id);
            let value = match definition.item(id) {
                Some(item) if reversed => {
                    let (lo, hi) = value_range(definition.options_of(item));
                    lo + hi - value
                }
                _ => value,
            };
            (id.clone(), value)
        })
        .collect()
}

fn value_range(options: &[crate::definition::ResponseOption]) -> (i64, i64) {
    let values = options.iter().map(|o| i64::from(o.value));
    (values.clone().min().unwrap_or(0), values.max().unwrap_or(0))
}

fn aggregate(
    values: &BTreeMap<String, i64>,
    items: &[String],
    method: Method,
    transform: Option<Transform>,
) -> f64 {
    let sum: i64 = items.iter().filter_map(|id| values.get(id)).sum();
    finish(sum, items.len(), method, transform)
}

/// Turns a sum over `n` items into the reported score. Shared by scoring and by the
/// loader's enumeration of possible scores, so the two cannot drift apart.
fn finish(sum: i64, n: usize, method: Method, transform: Option<Transform>) -> f64 {
    // Sums of small integers are exact in f64; only means and transforms round.
    let raw = match method {
        Method::Sum => sum as f64,
        Method::Mean if n == 0 => 0.0,
        Method::Mean => sum as f64 / n as f64,
    };
    match transform {
        Some(t) => raw * t.multiply + t.add,
        None => raw,
    }
}

/// Every score the given items can produce, ascending. Used by the loader to prove
/// that bands cover each possible score exactly once.
pub(crate) fn possible_scores(
    definition: &Definition,
    items: &[String],
    method: Method,
    transform: Option<Transform>,
) -> Vec<f64> {
    let mut sums = BTreeSet::from([0i64]);
    for id in items {
        let Some(item) = definition.item(id) else {
            continue;
        };
        let options = definition.options_of(item);
        let reversed = definition.scoring.reverse.contains(id);
        let (lo, hi) = value_range(options);
        let values: BTreeSet<i64> = options
            .iter()
            .map(|o| i64::from(o.value))
            .map(|v| if reversed { lo + hi - v } else { v })
            .collect();
        sums = sums
            .iter()
            .flat_map(|s| values.iter().map(move |v| s + v))
            .collect();
    }
    let mut scores: Vec<f64> = sums
        .into_iter()
        .map(|sum| finish(sum, items.len(), method, transform))
        .collect();
    scores.sort_by(f64::total_cmp);
    scores.dedup_by(|a, b| (*a - *b).abs() < EPSILON);
    scores
}

/// What conditions are evaluated against.
struct Facts<'a> {
    answers: &'a Answers,
    total: Option<f64>,
    subscales: &'a BTreeMap<String, SubscaleScore>,
}

impl Facts<'_> {
    fn holds(&self, condition: &Condition) -> bool {
        let at =
            |value: Option<f64>, threshold: f64| value.is_some_and(|v| v >= threshold - EPSILON);
        let answer = |item: &str| self.answers.get(item).map(|&v| v as f64);
        match condition {
            Condition::Item { item, at_least } => at(answer(item), *at_least),
            Condition::AnyItem { items, at_least } => {
                items.iter().any(|i| at(answer(i), *at_least))
            }
            Condition::Total { at_least } => at(self.total, *at_least),
            Condition::Subscale { subscale, at_least } => {
                at(self.subscales.get(subscale).map(|s| s.total), *at_least)
            }
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
}
