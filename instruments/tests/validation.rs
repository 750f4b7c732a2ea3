//! The loader refuses a bad instrument file with a message naming the file, the
//! field (and line) and the reason. One test per rule.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use instruments::{library, load, LoadError};
use serde_json::{json, Value};

mod generated;

/// PHQ-9 as shipped, as a JSON value to break in one place.
fn phq9() -> Value {
    serde_json::from_str(library::FILES[0].1).unwrap()
}

fn load_value(value: &Value) -> Result<instruments::Definition, LoadError> {
    load("broken.json", &serde_json::to_string_pretty(value).unwrap())
}

/// The single problem's rendering, asserting there is exactly one.
fn only_problem(value: &Value) -> String {
    let err = load_value(value).expect_err("the file must be refused");
    assert_eq!(err.problems().len(), 1, "{err}");
    err.to_string()
}

#[test]
fn bundled_files_all_load() {
    for (name, text) in library::FILES {
        load(name, text).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(library::all().len(), library::FILES.len());
}

#[test]
fn loader_rejects_overlapping_bands() {
    let mut v = phq9();
    v["bands"][1]["min"] = json!(4);
    let message = only_problem(&v);
    assert!(message.contains("broken.json:"), "{message}");
    assert!(message.contains("bands[1].min: band mild (4–9) overlaps band minimal (0–4)"), "{message}");
}

#[test]
fn loader_rejects_bands_with_a_gap() {
    let mut v = phq9();
    v["bands"][2]["min"] = json!(11);
    let message = only_problem(&v);
    assert!(
        message.contains(
            "bands: bands leave a gap: possible score 10 is in no band (1 of the possible scores 0–27 uncovered)"
        ),
        "{message}"
    );
}

#[test]
fn loader_rejects_bands_short_of_the_highest_score() {
    let mut v = phq9();
    v["bands"][4]["max"] = json!(26);
    assert!(only_problem(&v).contains("possible score 27 is in no band"));
}

#[test]
fn loader_rejects_duplicate_option_values() {
    let mut v = phq9();
    v["option_sets"]["frequency"][2]["value"] = json!(1);
    let message = only_problem(&v);
    assert!(message.contains("option_sets.frequency: duplicate option value 1"), "{message}");
}

#[test]
fn loader_rejects_a_flag_on_an_unknown_item() {
    let mut v = phq9();
    v["flags"][0]["when"]["item"] = json!("phq9_99");
    let message = only_problem(&v);
    assert!(message.contains("flags[0].when: flag critical: unknown item `phq9_99`"), "{message}");
}

#[test]
fn loader_rejects_an_item_missing_a_declared_translation() {
    let mut v = phq9();
    v["items"][3]["text"].as_object_mut().unwrap().remove("zh-Hans");
    let message = only_problem(&v);
    assert!(message.contains("items[3].text: missing translation for zh-Hans"), "{message}");
}

#[test]
fn loader_rejects_an_unknown_key_with_its_line() {
    let mut v = phq9();
    v["items"][0]["weight"] = json!(2);
    let err = load_value(&v).unwrap_err();
    assert!(matches!(err, LoadError::Syntax { .. }));
    let message = err.to_string();
    let line = err.problems()[0].line.expect("a line");
    assert!(message.starts_with(&format!("broken.json:{line}: items[0].weight: unknown field `weight`")), "{message}");
}

#[test]
fn loader_rejects_an_instrument_without_licence() {
    let mut v = phq9();
    v["licence"]["statement"] = json!("");
    let message = only_problem(&v);
    assert!(message.contains("licence: an instrument without a licence"), "{message}");
}

#[test]
fn loader_reports_the_line_of_a_semantic_problem() {
    let mut v = phq9();
    v["option_sets"]["frequency"][2]["value"] = json!(1);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let expected_line = text.lines().position(|l| l.contains("\"frequency\": [")).unwrap() + 1;
    let err = load("broken.json", &text).unwrap_err();
    assert_eq!(err.problems()[0].line, Some(expected_line));
    assert!(err.to_string().contains(&format!("broken.json:{expected_line}: option_sets.frequency")));
}

#[test]
fn loader_reports_bad_json_with_file_and_line() {
    let err = load("x.json", "{\n  \"id\": \"x\",\n  oops\n}").unwrap_err();
    assert_eq!(err.problems()[0].line, Some(3));
    assert!(err.to_string().starts_with("x.json:3: "), "{err}");
}

#[test]
fn loader_lists_every_problem_at_once() {
    let mut v = phq9();
    v["bands"][1]["min"] = json!(4);
    v["flags"][0]["when"]["item"] = json!("nope");
    assert_eq!(load_value(&v).unwrap_err().problems().len(), 2);
}

#[test]
fn definitions_round_trip_through_json() {
    for definition in library::all() {
        let text = serde_json::to_string(definition).unwrap();
        assert_eq!(&load("again.json", &text).unwrap(), definition);
    }
}

#[test]
fn loader_rejects_an_optional_scored_item_without_a_missing_data_rule() {
    let mut v = phq9();
    v["items"][2]["required"] = json!(false);
    let message = only_problem(&v);
    assert!(
        message.contains("scoring.items: `phq9_3` is optional, so this scale needs a missing-data rule"),
        "{message}"
    );
}

#[test]
fn loader_rejects_prorated_totals_that_fall_between_bands() {
    let mut v = phq9();
    for item in v["items"].as_array_mut().unwrap().iter_mut().take(9) {
        item["required"] = json!(false);
    }
    v["scoring"]["missing"] = json!({"max_missing": 1, "fill": "prorate"});
    let message = only_problem(&v);
    assert!(message.contains("bands: bands leave a gap: possible score 4.5 is in no band"), "{message}");
    v["scoring"]["missing"]["rounding"] = json!("nearest");
    load_value(&v).expect("rounded prorated totals fall in the bands");
}

#[test]
fn loader_rejects_a_condition_without_bounds() {
    let mut v = phq9();
    v["positive_screen"] = json!({"on": "total"});
    let message = only_problem(&v);
    assert!(message.contains("positive_screen: give at_least, at_most or both"), "{message}");
}

#[test]
fn loader_rejects_an_instrument_without_population() {
    let mut v = phq9();
    v.as_object_mut().unwrap().remove("population");
    let message = load_value(&v).unwrap_err().to_string();
    assert!(message.contains("missing field `population`"), "{message}");
}

/// Sets every item's options to `values`, and makes every item required under no
/// missing-data rule and without subscales, for band tests on the total alone.
fn with_option_values(mut v: Value, values: &[i64]) -> Value {
    v["option_sets"]["likert"] = values.iter().map(|x| json!({"value": x, "label": {"en": x.to_string()}})).collect();
    for item in v["items"].as_array_mut().unwrap() {
        item["required"] = json!(true);
    }
    let scoring = v["scoring"].as_object_mut().unwrap();
    scoring.remove("subscales");
    scoring.remove("missing");
    v
}

#[test]
fn loader_rejects_a_gap_on_an_attainable_score_of_a_1000_item_instrument() {
    let mut v = generated::instrument(1000);
    load_value(&v).expect("the generated instrument is valid");
    v["bands"][1]["min"] = json!(1001);
    let message = only_problem(&v);
    assert!(
        message.contains(
            "bands: bands leave a gap: possible score 1000 is in no band (1 of the possible scores 0–4000 uncovered)"
        ),
        "{message}"
    );
}

#[test]
fn loader_accepts_a_gap_between_attainable_scores_of_a_1000_item_instrument() {
    // Options 0 and 2 make every sum even: 999 cannot be scored, 1000 can.
    let mut v = with_option_values(generated::instrument(1000), &[0, 2]);
    v["bands"] = json!([
        {"id": "low", "label": {"en": "low"}, "min": 0, "max": 998},
        {"id": "high", "label": {"en": "high"}, "min": 1000, "max": 2000}
    ]);
    load_value(&v).expect("no attainable score falls in the gap");
    v["bands"][0]["max"] = json!(997);
    v["bands"][1]["min"] = json!(999);
    assert!(only_problem(&v).contains("possible score 998 is in no band"));
}

#[test]
fn loader_refuses_an_instrument_with_more_items_than_the_cap() {
    let err = load_value(&generated::instrument(2001)).expect_err("over the cap");
    let message = err.to_string();
    assert_eq!(err.problems().len(), 2, "{message}");
    assert!(err.problems().iter().all(|p| p.line.is_some()), "{message}");
    assert!(message.contains(": items: has 2001 items; at most 2000 are allowed"), "{message}");
    assert!(message.contains(": scoring.items: has 2001 items; at most 2000 are allowed"), "{message}");
}

#[test]
fn loader_refuses_an_option_set_with_more_options_than_the_cap() {
    let v = with_option_values(generated::instrument(10), &(0..102).collect::<Vec<_>>());
    let message = only_problem(&v);
    assert!(message.contains("option_sets.likert: has 102 options; at most 101 are allowed"), "{message}");
}

#[test]
fn loader_refuses_bands_with_too_many_possible_sums_to_check() {
    // 4,001 possible sums for each of 301 answered counts.
    let mut v = generated::instrument(1000);
    v["scoring"]["missing"]["max_missing"] = json!(300);
    let message = only_problem(&v);
    assert!(
        message.contains(
            "bands: too many possible sums to check these bands against: 4001 sums for each of 301 answered count(s), \
             1204301 in all, more than the 1000000 the loader checks"
        ),
        "{message}"
    );
}

#[test]
fn loader_refuses_bands_too_costly_to_check() {
    // 101 options with gaps between them: no run of consecutive values to add at once.
    let values: Vec<i64> = (0..=100).map(|x| 2 * x).collect();
    let mut v = with_option_values(generated::instrument(2000), &values);
    v["bands"] = json!([{"id": "all", "label": {"en": "all"}, "min": 0, "max": 400_000}]);
    let message = only_problem(&v);
    assert!(message.contains("bands: checking these bands against every possible score would take "), "{message}");
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_containing(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line has {needle}")) + 1
}

#[test]
fn loader_points_a_problem_in_an_inherited_missing_data_rule_at_the_subscale() {
    // The subscale has no `missing` of its own: it inherits scoring.missing, which
    // allows more missing answers than the subscale has items.
    let mut v = phq9();
    for item in v["items"].as_array_mut().unwrap().iter_mut().take(9) {
        item["required"] = json!(false);
    }
    v["scoring"]["missing"] = json!({"max_missing": 2, "fill": "prorate", "rounding": "nearest"});
    v["scoring"]["subscales"] = json!([{
        "id": "mood", "label": {"en": "Mood", "zh-Hans": "情绪"}, "method": "sum",
        "items": ["phq9_1", "phq9_2"]
    }]);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let err = load("broken.json", &text).unwrap_err();
    let message = err.to_string();
    assert_eq!(err.problems().len(), 1, "{message}");
    let subscale = line_containing(&text, "\"subscales\": [") + 1;
    assert_eq!(err.problems()[0].line, Some(subscale), "{message}");
    assert!(
        message.contains(&format!(
            "broken.json:{subscale}: scoring.subscales[0]: the missing-data rule inherited from scoring.missing \
             allows 2 missing answers, but the subscale has only 2 items; give it its own `missing`"
        )),
        "{message}"
    );
}

#[test]
fn loader_finds_the_line_of_a_key_written_with_json_escapes() {
    let mut v = phq9();
    v["bands"][2]["min"] = json!(11);
    let text = serde_json::to_string_pretty(&v).unwrap().replace("\"bands\": [", "\"\\u0062ands\": [");
    let err = load("broken.json", &text).unwrap_err();
    assert_eq!(err.problems()[0].field, "bands");
    assert_eq!(err.problems()[0].line, Some(line_containing(&text, "\"\\u0062ands\"")), "{err}");
}

#[test]
fn loader_finds_the_line_of_an_option_set_whose_name_has_a_dot() {
    let mut v = phq9();
    let sets = v["option_sets"].as_object_mut().unwrap();
    let mut frequency = sets.remove("frequency").unwrap();
    frequency[2]["value"] = json!(1);
    sets.insert("freq.v2".into(), frequency);
    for item in v["items"].as_array_mut().unwrap().iter_mut().take(9) {
        item["options"] = json!("freq.v2");
    }
    let text = serde_json::to_string_pretty(&v).unwrap();
    let err = load("broken.json", &text).unwrap_err();
    let line = line_containing(&text, "\"freq.v2\": [");
    assert!(err.to_string().contains(&format!("broken.json:{line}: option_sets.freq.v2: duplicate option value 1")));
}

#[test]
fn loader_reports_invalid_utf8_with_line_and_byte_offset() {
    let text = serde_json::to_string_pretty(&phq9()).unwrap();
    let offset = text.find("Not at all").unwrap();
    let mut bytes = text.into_bytes();
    bytes[offset] = 0xFF;
    let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    let err = instruments::load_bytes("broken.json", &bytes).unwrap_err();
    assert!(matches!(err, LoadError::Encoding { offset: at, .. } if at == offset), "{err:?}");
    assert_eq!(err.problems()[0].line, Some(line));
    assert_eq!(
        err.to_string(),
        format!("broken.json:{line}: not UTF-8: byte 0xff at offset {offset}; save the file as UTF-8")
    );
}

#[test]
fn loader_reads_utf8_bytes_as_load_reads_text() {
    let (name, text) = library::FILES[0];
    assert_eq!(instruments::load_bytes(name, text.as_bytes()), load(name, text));
}
