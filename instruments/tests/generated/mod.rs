//! A large synthetic instrument, generated rather than checked in: the loader's
//! cost on big instruments is measured (`benches/load.rs`) and tested on it.

use serde_json::{json, Value};

/// `items` five-point items (0–4), every fifth reversed, all optional under a
/// rounded prorating rule that allows a tenth of them to be missing, with two
/// banded subscales (odd and even items) that inherit the rule. Valid as generated.
pub fn instrument(items: usize) -> Value {
    let t = |s: &str| json!({"en": s});
    let ids: Vec<String> = (1..=items).map(|i| format!("q{i}")).collect();
    let options: Vec<Value> = (0..=4).map(|v| json!({"value": v, "label": t(&v.to_string())})).collect();
    let item_list: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "text": t("How often?"), "options": "likert", "required": false}))
        .collect();
    let reverse: Vec<&String> = ids.iter().step_by(5).collect();
    let odd: Vec<&String> = ids.iter().step_by(2).collect();
    let even: Vec<&String> = ids.iter().skip(1).step_by(2).collect();
    let subscale = |id: &str, members: &[&String]| {
        let top = 4 * members.len();
        json!({
            "id": id, "label": t(id), "method": "sum", "items": members,
            "bands": [
                {"id": "low", "label": t("low"), "min": 0, "max": top / 2 - 1},
                {"id": "high", "label": t("high"), "min": top / 2, "max": top}
            ]
        })
    };
    let n = items;
    json!({
        "id": "generated", "version": "1", "locales": ["en"],
        "title": t("Generated"), "instructions": t("Answer"), "recall_period": t("2 weeks"),
        "population": {"groups": ["adult"], "min_age": 18},
        "option_sets": {"likert": options},
        "items": item_list,
        "scoring": {
            "method": "sum", "items": ids, "reverse": reverse,
            "missing": {"max_missing": n / 10, "fill": "prorate", "rounding": "nearest"},
            "subscales": [subscale("odd", &odd), subscale("even", &even)]
        },
        "bands": [
            {"id": "minimal", "label": t("minimal"), "min": 0, "max": n - 1},
            {"id": "mild", "label": t("mild"), "min": n, "max": 2 * n - 1},
            {"id": "moderate", "label": t("moderate"), "min": 2 * n, "max": 3 * n - 1},
            {"id": "severe", "label": t("severe"), "min": 3 * n, "max": 4 * n}
        ],
        "licence": {"id": "CC0-1.0", "statement": "generated for tests", "checked": "2026-11-22"},
        "citations": ["none"], "sources": {"en": "generated"}
    })
}
