//! Conformance of the bundled instruments' scoring to their published rules, run natively and,
//! compiled to wasm32, in headless Chromium: both must give the same results.
//!
//! Sources: Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a brief
//! depression severity measure. J Gen Intern Med 2001;16(9):606-613 (bands 0–4, 5–9,
//! 10–14, 15–19, 20–27; item 9 needs attention whatever the total; the difficulty
//! question is not scored). Spitzer RL et al. A brief measure for assessing generalized
//! anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097 (bands 0–4,
//! 5–9, 10–14, 15–21).
//!
//! The other bundled instruments, one scoring rule each (details in the file's `citations`):
//! - PHQ-2: Kroenke K et al. Medical Care 2003;41(11):1284-1292 (sum 0–6, positive ≥ 3).
//! - GAD-2: Kroenke K et al. Ann Intern Med 2007;146(5):317-325 (sum 0–6, positive ≥ 3; cut-off via secondary sources).
//! - WHO-5: Topp CW et al. Psychother Psychosom 2015;84:167-176 (raw 0–25 × 4; ≤ 50 and ≤ 28 via secondary sources).
//! - K10: ABS 4817.0.55.001 (2012), Tables D–E (items 1–5, 10–50; 10–15, 16–21, 22–29, 30–50).
//! - K6: Kessler RC et al. Int J Methods Psychiatr Res 2010;19(S1):4-22 (coded 4–0, 0–24); ≥ 13, ≥ 5: Prochaska 2012.
//! - CES-D: Radloff LS. Appl Psychol Meas 1977;1:385-401 (reverse 4, 8, 12, 16; 0–60; ≥ 16; > 4 missing not scored).
//! - PCL-5: Comorbidity Guidelines (AU) after Weathers et al. 2013 (sum 0–80; 31–33, Xin'an uses 33; clusters B/C/D/E).
//! - PSC-17: Gardner W et al. Ambul Child Health 1999;5:225-236 (I ≥ 5, A ≥ 7, E ≥ 7, total ≥ 15; blank = 0, 4+ void).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use instruments::{library, score, Answers, ScoreError};
use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    name: String,
    instrument: String,
    answers: Answers,
    /// `null` for "not scorable".
    total: Option<f64>,
    band: Option<String>,
    flags: Vec<String>,
    /// Checked when given.
    #[serde(default)]
    positive: Option<bool>,
    /// Subscale totals (`null`: not scorable), checked when given.
    #[serde(default)]
    subscales: BTreeMap<String, Option<f64>>,
}

fn vectors() -> Vec<Vector> {
    let parsed: Vectors = serde_json::from_str(include_str!("vectors.json")).expect("vectors.json parses");
    parsed.vectors
}

#[test]
fn every_vector_scores_as_published() {
    let vectors = vectors();
    assert!(vectors.len() >= 20, "the vector file lost its vectors");
    for v in &vectors {
        let definition = library::get(&v.instrument).expect("bundled instrument");
        let got = score(definition, &v.answers).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!((got.total, &got.band, &got.flags), (v.total, &v.band, &v.flags), "{}", v.name);
        if v.positive.is_some() {
            assert_eq!(got.positive, v.positive, "{}: positive screen", v.name);
        }
        for (id, expected) in &v.subscales {
            let got = got.subscales.get(id).unwrap_or_else(|| panic!("{}: no subscale {id}", v.name));
            assert_eq!(got.total, *expected, "{}: subscale {id}", v.name);
        }
        assert_eq!(got.engine, instruments::ENGINE_VERSION);
    }
}

#[test]
fn every_band_edge_of_both_instruments_is_covered_by_a_vector() {
    let vectors = vectors();
    for definition in library::all() {
        for band in &definition.bands {
            for edge in [band.min, band.max] {
                assert!(
                    vectors.iter().any(|v| v.instrument == definition.id && v.total == Some(edge)),
                    "{} band {} edge {edge} has no vector",
                    definition.id,
                    band.id
                );
            }
        }
    }
}

fn phq9_answers(values: [i64; 9]) -> Answers {
    values.iter().enumerate().map(|(i, v)| (format!("phq9_{}", i + 1), *v)).collect()
}

#[test]
fn scoring_rejects_missing_answer_naming_the_item() {
    let mut answers = phq9_answers([1; 9]);
    answers.remove("phq9_4");
    let err = score(library::get("phq9").unwrap(), &answers).unwrap_err();
    assert_eq!(err, ScoreError::MissingAnswer { item: "phq9_4".into() });
    assert_eq!(err.to_string(), "item phq9_4: answer missing");
}

#[test]
fn scoring_rejects_out_of_range_answer() {
    let mut answers = phq9_answers([0; 9]);
    answers.insert("phq9_2".into(), 4);
    let err = score(library::get("phq9").unwrap(), &answers).unwrap_err();
    assert_eq!(err.to_string(), "item phq9_2: answer 4 is not one of [0, 1, 2, 3]");
}

#[test]
fn scoring_rejects_unknown_item() {
    let mut answers = phq9_answers([0; 9]);
    answers.insert("phq9_11".into(), 0);
    let err = score(library::get("phq9").unwrap(), &answers).unwrap_err();
    assert_eq!(err, ScoreError::UnknownItem { item: "phq9_11".into() });
}

#[test]
fn phq9_difficulty_question_is_hidden_when_every_item_is_zero() {
    let phq9 = library::get("phq9").unwrap();
    let mut answers = phq9_answers([0; 9]);
    assert!(!instruments::scoring::is_shown(phq9, "phq9_10", &answers));
    answers.insert("phq9_10".into(), 1);
    assert_eq!(score(phq9, &answers).unwrap_err(), ScoreError::NotShown { item: "phq9_10".into() });
    answers.insert("phq9_3".into(), 1);
    assert!(instruments::scoring::is_shown(phq9, "phq9_10", &answers));
    assert_eq!(score(phq9, &answers).unwrap().total, Some(1.0));
}

#[cfg(target_arch = "wasm32")]
#[test]
fn wasm_tests_really_run_in_chromium() {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
    let agent = js_sys::Reflect::get(&navigator, &"userAgent".into()).unwrap().as_string().unwrap();
    assert!(agent.contains("Chrome"), "user agent: {agent}");
}
