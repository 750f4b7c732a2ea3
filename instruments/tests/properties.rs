#![cfg(not(target_arch = "wasm32"))]
//! Invariants of the scoring engine over random answers.

use instruments::{library, score, Answers};
use proptest::prelude::*;

fn answers(prefix: &'static str, n: usize) -> impl Strategy<Value = Answers> {
    proptest::collection::vec(0i64..=3, n).prop_map(move |values| {
        values.into_iter().enumerate().map(|(i, v)| (format!("{prefix}_{}", i + 1), v)).collect()
    })
}

proptest! {
    #[test]
    fn phq9_score_is_the_sum_in_range_with_a_band(answers in answers("phq9", 9)) {
        let s = score(library::get("phq9").unwrap(), &answers).unwrap();
        prop_assert_eq!(s.total, Some(answers.values().sum::<i64>() as f64));
        prop_assert!(s.total.is_some_and(|t| (0.0..=27.0).contains(&t)));
        prop_assert!(s.band.is_some());
        prop_assert_eq!(s.flags.contains(&"critical".to_string()), answers["phq9_9"] >= 1);
    }

    #[test]
    fn gad7_score_is_the_sum_in_range_with_a_band(answers in answers("gad7", 7)) {
        let s = score(library::get("gad7").unwrap(), &answers).unwrap();
        prop_assert_eq!(s.total, Some(answers.values().sum::<i64>() as f64));
        prop_assert!(s.band.is_some());
    }

    #[test]
    fn out_of_range_values_are_always_refused(value in prop_oneof![i64::MIN..0, 4..i64::MAX]) {
        let mut answers: Answers = (1..=7).map(|i| (format!("gad7_{i}"), 0)).collect();
        answers.insert("gad7_5".into(), value);
        prop_assert!(score(library::get("gad7").unwrap(), &answers).is_err());
    }
}
