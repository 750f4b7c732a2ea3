//! The scoring engine: one pure function from a definition and answers to a score.
//!
//! The browser runs it to show the result at once; the server runs it again on every
//! submission and stores only its own result. Both must agree bit for bit, which is
//! why it lives here and nowhere else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{
    Condition, Definition, Fill, Method, MissingRule, ResponseOption, Rounding, Scoring, Subscale, Transform, EPSILON,
};
use crate::error::ScoreError;
use crate::loader::MAX_SUMS;

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
    /// Careless or invalid by the instrument's validity rules (judged by the server
    /// with the page's timings; the engine alone says `valid`). Never affects flags.
    /// The browser has no use for it (a receipt's is ignored there).
    #[cfg(feature = "validity")]
    #[serde(default)]
    pub validity: crate::validity::Validity,
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
        #[cfg(feature = "validity")]
        validity: crate::validity::Validity::Valid,
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
    ///
    /// The attainable sums are found as bit sets, one per number of skipped items,
    /// grown item by item: cost is items × skippable counts × span of sums / 64,
    /// never the number of answer combinations. A run of consecutive option values
    /// is added in a logarithmic number of shifts, so the usual contiguous scales
    /// cost about as much as an interval would. `scored` holds each item's scored
    /// values ([`scored_values_by_item`]).
    ///
    /// # Errors
    /// [`TooLarge`] before any work is done, when the scale has more (answered count,
    /// sum) pairs than [`MAX_SUMS`] or would take more than `budget` (which is
    /// charged for the work done).
    pub(crate) fn possible_scores(&self, scored: &ScoredValues<'_>, budget: &mut u64) -> Result<Vec<f64>, TooLarge> {
        let n = self.items.len();
        let may_skip = match self.missing {
            Some(MissingRule { fill: Fill::Prorate, max_missing, .. }) => max_missing.min(n),
            _ => 0,
        };
        let none = Vec::new();
        let values: Vec<&Vec<i64>> = self.items.iter().map(|id| scored.get(id.as_str()).unwrap_or(&none)).collect();
        // Sums are kept offset by `base` so that every step is a shift to the left: an
        // item adds `value - low`, a skipped one `-low`, with `low` its lowest value, or
        // 0 when the item may be skipped and that is lower.
        let low = |v: &Vec<i64>| v.first().map_or(0, |&lo| if may_skip > 0 { lo.min(0) } else { lo });
        let high = |v: &Vec<i64>| v.last().map_or(0, |&hi| if may_skip > 0 { hi.max(0) } else { hi });
        let base: i64 = values.iter().map(|v| low(v)).sum();
        let span = 1 + values.iter().map(|v| high(v).abs_diff(low(v))).sum::<u64>();
        let counts = may_skip as u64 + 1;
        if span.saturating_mul(counts) > MAX_SUMS {
            return Err(TooLarge::Sums { span, counts });
        }
        // Within MAX_SUMS, so every offset fits a usize.
        let steps: Vec<Step> = values.iter().map(|v| Step::of(v, low(v))).collect();
        let words = span.div_ceil(64) as usize;
        let passes: u64 = steps.iter().map(Step::passes).sum();
        let needed = (counts * words as u64).saturating_mul(passes) + span * counts;
        if needed > *budget {
            return Err(TooLarge::Work { needed, left: *budget });
        }
        *budget -= needed;
        // sums[j]: the offset sums reachable with j of the items so far skipped.
        let mut sums = vec![vec![0u64; words]; may_skip + 1];
        sums[0][0] = 1;
        let (mut next, mut run) = (vec![0u64; words], vec![0u64; words]);
        // Highest offset reachable so far: words above it are still zero and skipped.
        let mut reach = 0;
        for (i, step) in steps.iter().enumerate() {
            reach += step.runs.last().map_or(0, |&(start, len)| start + len - 1).max(step.skip);
            let live = (reach / 64 + 1).min(words);
            let (next, run) = (&mut next[..live], &mut run[..live]);
            // Downwards, so that sums[j - 1] still holds the sums before this item.
            for j in (0..=may_skip.min(i + 1)).rev() {
                next.fill(0);
                for &(start, len) in &step.runs {
                    run.copy_from_slice(&sums[j][..live]);
                    smear(run, len);
                    or_shifted(next, run, start);
                }
                if j > 0 {
                    or_shifted(next, &sums[j - 1][..live], step.skip);
                }
                sums[j][..live].copy_from_slice(next);
            }
        }
        let mut scores = Vec::new();
        for (skipped, bits) in sums.iter().enumerate().filter(|(skipped, _)| *skipped < n) {
            for (w, &word) in bits.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let offset = (w * 64) as i64 + i64::from(word.trailing_zeros());
                    scores.push(self.finish(base + offset, n - skipped));
                    word &= word - 1;
                }
            }
        }
        scores.sort_by(f64::total_cmp);
        scores.dedup_by(|a, b| (*a - *b).abs() < EPSILON);
        Ok(scores)
    }
}

/// Scored values of every item by id, ascending ([`scored_values_by_item`]).
pub(crate) type ScoredValues<'a> = BTreeMap<&'a str, Vec<i64>>;

/// The scored values of every item, computed once for all the scales a loader checks.
pub(crate) fn scored_values_by_item(definition: &Definition) -> ScoredValues<'_> {
    definition.items.iter().map(|item| (item.id.as_str(), scored_values(definition, &item.id))).collect()
}

/// Why [`Scale::possible_scores`] refused to enumerate.
#[derive(Debug)]
pub(crate) enum TooLarge {
    /// `span` possible sums for each of `counts` answered counts exceed [`MAX_SUMS`].
    Sums {
        /// Highest minus lowest possible sum, plus one.
        span: u64,
        /// Answered counts the missing-data rule admits.
        counts: u64,
    },
    /// The enumeration would cost `needed` word operations, more than the `left` of its budget.
    Work {
        /// Estimated cost.
        needed: u64,
        /// What remained of the budget.
        left: u64,
    },
}

/// One item in the enumeration: its values less the base, as runs of consecutive
/// offsets `(start, length)`, and the offset that skipping it adds.
struct Step {
    runs: Vec<(usize, usize)>,
    skip: usize,
}

impl Step {
    fn of(values: &[i64], low: i64) -> Self {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for v in values {
            let offset = (v - low) as usize;
            match runs.last_mut() {
                Some((start, len)) if *start + *len == offset => *len += 1,
                _ => runs.push((offset, 1)),
            }
        }
        Self { runs, skip: usize::try_from(-low).unwrap_or(0) }
    }

    /// Passes over a bit set that adding this item costs (the budget's unit).
    fn passes(&self) -> u64 {
        2 + self.runs.iter().map(|&(_, len)| 2 + u64::from(len.next_power_of_two().trailing_zeros())).sum::<u64>()
    }
}

/// `bits |= bits << t` for every `t < len`, in about log2(len) shifts.
fn smear(bits: &mut [u64], len: usize) {
    let mut covered = 1;
    while covered < len {
        let by = covered.min(len - covered);
        // Downwards, so that each word is read before it is changed.
        let (w, b) = (by / 64, by % 64);
        for i in (w..bits.len()).rev() {
            bits[i] |= shifted(bits, i - w, b);
        }
        covered += by;
    }
}

/// `dst |= src << by`; bits shifted past the end fall off (no sum reaches them).
fn or_shifted(dst: &mut [u64], src: &[u64], by: usize) {
    let (w, b) = (by / 64, by % 64);
    for (i, word) in dst.iter_mut().enumerate().skip(w) {
        *word |= shifted(src, i - w, b);
    }
}

/// Word `i` of `src` shifted left by `b < 64` bits, with the bits carried from word `i - 1`.
fn shifted(src: &[u64], i: usize, b: usize) -> u64 {
    let carry = if b > 0 && i > 0 { src[i - 1] >> (64 - b) } else { 0 };
    (src[i] << b) | carry
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;

    /// A scale over up to four items, each with its own option values, as a file
    /// would declare it (not validated: any shape the enumeration may meet).
    fn scale_definition() -> impl Strategy<Value = Definition> {
        // Spread by a factor, so that sums also cross the 64-bit words they are kept in.
        let values = (proptest::collection::btree_set(-3i32..=6, 1..=4), prop_oneof![Just(1), Just(7), Just(40)])
            .prop_map(|(values, factor)| values.into_iter().map(|v| v * factor).collect::<Vec<i32>>());
        let item = (values, any::<bool>());
        let missing = prop_oneof![
            Just(Value::Null),
            (0usize..=4, any::<bool>()).prop_map(|(m, round)| json!({
                "max_missing": m, "fill": "prorate", "rounding": if round { "nearest" } else { "none" }
            })),
            (0usize..=4).prop_map(|m| json!({"max_missing": m, "fill": "lowest"})),
        ];
        let transform = prop_oneof![
            Just(Value::Null),
            (prop_oneof![Just(-2.0), Just(0.5), Just(3.0)], prop_oneof![Just(0.0), Just(1.5)])
                .prop_map(|(multiply, add)| json!({"multiply": multiply, "add": add})),
        ];
        (proptest::collection::vec(item, 1..=4), any::<bool>(), missing, transform).prop_map(
            |(items, mean, missing, transform)| {
                let t = json!({"en": "x"});
                let ids: Vec<String> = (0..items.len()).map(|i| format!("q{i}")).collect();
                let sets: serde_json::Map<String, Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, (values, _))| {
                        (format!("s{i}"), values.iter().map(|v| json!({"value": v, "label": t})).collect())
                    })
                    .collect();
                let mut scoring = json!({
                    "method": if mean { "mean" } else { "sum" },
                    "items": ids,
                    "reverse": ids.iter().zip(&items).filter(|(_, (_, r))| *r).map(|(id, _)| id).collect::<Vec<_>>(),
                });
                if !missing.is_null() {
                    scoring["missing"] = missing;
                }
                if !transform.is_null() {
                    scoring["transform"] = transform;
                }
                let items: Vec<Value> = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| json!({"id": id, "text": t, "options": format!("s{i}")}))
                    .collect();
                serde_json::from_value(json!({
                    "id": "p", "version": "1", "locales": ["en"], "title": t, "instructions": t,
                    "recall_period": t, "population": {"groups": ["adult"], "min_age": 18},
                    "option_sets": sets, "items": items, "scoring": scoring, "bands": [],
                    "licence": {"id": "x", "statement": "x", "checked": "2026-01-01"},
                    "citations": ["x"], "sources": {"en": "x"}
                }))
                .expect("a definition")
            },
        )
    }

    /// Every score the engine gives over every way of answering or skipping.
    fn scores_by_brute_force(definition: &Definition) -> Vec<f64> {
        let scale = Scale::of_total(&definition.scoring);
        let mut patterns = vec![BTreeMap::new()];
        for id in scale.items() {
            let choices = scored_values(definition, id);
            patterns = patterns
                .into_iter()
                .flat_map(|answers| {
                    let skipped = std::iter::once(answers.clone());
                    let answered = choices.iter().map(move |&v| {
                        let mut answers = answers.clone();
                        answers.insert(id.clone(), v);
                        answers
                    });
                    skipped.chain(answered).collect::<Vec<_>>()
                })
                .collect();
        }
        let mut scores: Vec<f64> = patterns.iter().filter_map(|values| scale.score(definition, values)).collect();
        scores.sort_by(f64::total_cmp);
        scores.dedup_by(|a, b| (*a - *b).abs() < EPSILON);
        scores
    }

    proptest! {
        #[test]
        fn possible_scores_are_exactly_those_the_engine_can_give(definition in scale_definition()) {
            let scored = scored_values_by_item(&definition);
            let possible = Scale::of_total(&definition.scoring).possible_scores(&scored, &mut { u64::MAX }).unwrap();
            let expected = scores_by_brute_force(&definition);
            prop_assert_eq!(possible.len(), expected.len(), "{:?} vs {:?}", possible, expected);
            for (p, e) in possible.iter().zip(&expected) {
                prop_assert!((p - e).abs() < EPSILON, "{:?} vs {:?}", possible, expected);
            }
        }
    }

    #[test]
    fn possible_scores_refuse_a_scale_beyond_the_cap_before_enumerating() {
        let scoring: Scoring = serde_json::from_value(json!({
            "method": "sum", "items": ["q1"], "missing": {"max_missing": 1, "fill": "prorate"}
        }))
        .unwrap();
        let scored = BTreeMap::from([("q1", vec![0, i64::from(i32::MAX)])]);
        let refused = Scale::of_total(&scoring).possible_scores(&scored, &mut { u64::MAX });
        assert!(matches!(refused, Err(TooLarge::Sums { counts: 2, .. })), "{refused:?}");
    }
}
