//! Scoring semantics on small synthetic instruments: each rule of the engine in
//! isolation, so a failure points at one rule rather than at one instrument.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use instruments::{load, score, Answers, Definition};
use serde_json::{json, Value};

/// Four items scored 0–3; `patch` is merged into the top level.
fn instrument(patch: Value) -> Definition {
    let t = |s: &str| json!({"en": s});
    let options: Vec<Value> = (0..=3).map(|v| json!({"value": v, "label": t(&v.to_string())})).collect();
    let items: Vec<Value> = (1..=4).map(|i| json!({"id": format!("q{i}"), "text": t("q"), "options": "f"})).collect();
    let mut v = json!({
        "id": "toy", "version": "1", "locales": ["en"],
        "title": t("Toy"), "instructions": t("Answer"), "recall_period": t("2 weeks"),
        "population": {"groups": ["adult"], "min_age": 18},
        "option_sets": {"f": options},
        "items": items,
        "scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"]},
        "bands": [{"id": "all", "label": t("all"), "min": 0, "max": 12}],
        "licence": {"id": "CC0-1.0", "statement": "public domain", "checked": "2026-11-22"},
        "citations": ["none"], "sources": {"en": "test"}
    });
    for (key, value) in patch.as_object().unwrap() {
        v[key] = value.clone();
    }
    load("toy.json", &v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn answers(values: &[(usize, i64)]) -> Answers {
    values.iter().map(|(i, v)| (format!("q{i}"), *v)).collect()
}

fn optional_items() -> Value {
    let t = json!({"en": "q"});
    let items: Vec<Value> =
        (1..=4).map(|i| json!({"id": format!("q{i}"), "text": t, "options": "f", "required": false})).collect();
    Value::Array(items)
}

#[test]
fn reverse_items_score_lowest_plus_highest_minus_value() {
    let toy = instrument(json!({"scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"], "reverse": ["q2"]}}));
    let s = score(&toy, &answers(&[(1, 0), (2, 0), (3, 0), (4, 0)])).unwrap();
    assert_eq!(s.total, Some(3.0), "q2 answered 0 scores 3");
}

#[test]
fn mean_and_linear_transform_apply_in_that_order() {
    let toy = instrument(json!({
        "scoring": {"method": "mean", "items": ["q1", "q2", "q3", "q4"], "transform": {"multiply": 25, "add": 0}},
        "bands": [{"id": "all", "label": {"en": "all"}, "min": 0, "max": 75}]
    }));
    let s = score(&toy, &answers(&[(1, 3), (2, 1), (3, 0), (4, 2)])).unwrap();
    assert_eq!(s.total, Some(37.5), "mean 1.5 × 25");
}

#[test]
fn subscales_have_their_own_scores_and_bands() {
    let toy = instrument(json!({"scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"], "subscales": [
        {"id": "a", "label": {"en": "A"}, "method": "sum", "items": ["q1", "q2"],
         "bands": [{"id": "low", "label": {"en": "low"}, "min": 0, "max": 2}, {"id": "high", "label": {"en": "high"}, "min": 3, "max": 6}]},
        {"id": "b", "label": {"en": "B"}, "method": "mean", "items": ["q3", "q4"]}
    ]}}));
    let s = score(&toy, &answers(&[(1, 3), (2, 1), (3, 0), (4, 1)])).unwrap();
    assert_eq!(s.subscales["a"].total, Some(4.0));
    assert_eq!(s.subscales["a"].band.as_deref(), Some("high"));
    assert_eq!(s.subscales["b"].total, Some(0.5));
    assert_eq!(s.subscales["b"].band, None);
}

#[test]
fn prorating_scales_the_sum_up_to_all_items_and_rounds_as_stated() {
    let toy = instrument(json!({
        "items": optional_items(),
        "scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"],
                    "missing": {"max_missing": 1, "fill": "prorate", "rounding": "nearest"}}
    }));
    let s = score(&toy, &answers(&[(1, 3), (2, 1), (3, 1)])).unwrap();
    assert_eq!(s.total, Some(7.0), "5 × 4 / 3 = 6.67, rounded");
    assert_eq!(s.missing, ["q4"]);
}

#[test]
fn too_many_missing_items_make_the_score_not_scorable_never_zero() {
    let toy = instrument(json!({
        "items": optional_items(),
        "scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"],
                    "missing": {"max_missing": 1, "fill": "prorate", "rounding": "nearest"}},
        "flags": [{"id": "q1_high", "severity": "info", "when": {"on": "item", "item": "q1", "at_least": 3}},
                  {"id": "total_high", "severity": "high", "when": {"on": "total", "at_least": 1}}],
        "positive_screen": {"on": "total", "at_least": 1}
    }));
    let s = score(&toy, &answers(&[(1, 3), (2, 1)])).unwrap();
    assert_eq!((s.total, s.band.as_deref(), s.positive), (None, None, None));
    assert_eq!(s.flags, ["q1_high"], "item flags still fire; total flags cannot");
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["total"], Value::Null);
}

#[test]
fn lowest_fill_counts_a_blank_as_the_lowest_value() {
    let toy = instrument(json!({
        "items": optional_items(),
        "scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"], "reverse": ["q4"],
                    "missing": {"max_missing": 2, "fill": "lowest"}}
    }));
    let s = score(&toy, &answers(&[(1, 3), (2, 1)])).unwrap();
    assert_eq!(s.total, Some(4.0), "blank q3 and reversed q4 count 0");
}

#[test]
fn at_most_conditions_flag_low_scores() {
    let toy = instrument(json!({
        "scoring": {"method": "sum", "items": ["q1", "q2", "q3", "q4"], "direction": "higher_is_better"},
        "flags": [{"id": "low", "severity": "high", "when": {"on": "total", "at_most": 2}}],
        "positive_screen": {"on": "total", "at_most": 4}
    }));
    let low = score(&toy, &answers(&[(1, 1), (2, 1), (3, 0), (4, 0)])).unwrap();
    assert_eq!((low.flags.as_slice(), low.positive), (["low".to_string()].as_slice(), Some(true)));
    let high = score(&toy, &answers(&[(1, 3), (2, 3), (3, 0), (4, 0)])).unwrap();
    assert_eq!((high.flags.len(), high.positive), (0, Some(false)));
}

#[test]
fn population_covers_only_ages_inside_its_range() {
    let toy = instrument(json!({"population": {"groups": ["adolescent"], "min_age": 12, "max_age": 18}}));
    assert!(toy.population.covers(12, 15));
    assert!(!toy.population.covers(11, 15));
    assert!(!toy.population.covers(14, 19));
}
