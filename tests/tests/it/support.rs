//! Request bodies shared by the API tests.

use serde_json::{json, Value};

/// PHQ-9 answers in item order (item 10 left out).
pub fn phq9(values: [i64; 9]) -> Value {
    let map: serde_json::Map<String, Value> =
        values.iter().enumerate().map(|(i, v)| (format!("phq9_{}", i + 1), json!(v))).collect();
    Value::Object(map)
}

/// GAD-7 answers in item order.
pub fn gad7(values: [i64; 7]) -> Value {
    let map: serde_json::Map<String, Value> =
        values.iter().enumerate().map(|(i, v)| (format!("gad7_{}", i + 1), json!(v))).collect();
    Value::Object(map)
}

/// A valid submission to DEMO: PHQ-9 total 9 with item 9 at 1 (critical), GAD-7 total 15.
pub fn submission() -> Value {
    json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "cohort": {"grade": "8"},
        "results": [
            {"instrument": "phq9", "version": "1.0.0", "answers": phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]),
             "client_score": {"total": 9, "band": "mild", "flags": ["critical"]}},
            {"instrument": "gad7", "version": "1.0.0", "answers": gad7([3, 3, 3, 3, 3, 0, 0]),
             "client_score": {"total": 15, "band": "severe", "flags": ["severe"]}}
        ],
        "consent": {"health": true}
    })
}

/// A submission to DEMO without any flag (all answers 0).
pub fn unflagged_submission() -> Value {
    json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "cohort": {"grade": "7"},
        "results": [
            {"instrument": "phq9", "version": "1.0.0", "answers": phq9([0; 9]),
             "client_score": {"total": 0, "band": "minimal", "flags": []}},
            {"instrument": "gad7", "version": "1.0.0", "answers": gad7([0; 7]),
             "client_score": {"total": 0, "band": "minimal", "flags": []}}
        ],
        "consent": {"health": true}
    })
}

/// Asserts the one error shape and returns it.
pub async fn error_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("error body is JSON");
    let error = &body["error"];
    assert!(error["code"].is_string() && error["message"].is_string(), "{body}");
    assert!(error.get("field").is_some(), "field must be present (null or a name): {body}");
    error.clone()
}

/// A submission to DEMO whose only flag is GAD-7 `severe` (severity high): PHQ-9 all 0.
pub fn high_submission() -> Value {
    json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "cohort": {"grade": "9"},
        "results": [
            {"instrument": "phq9", "version": "1.0.0", "answers": phq9([0; 9]),
             "client_score": {"total": 0, "band": "minimal", "flags": []}},
            {"instrument": "gad7", "version": "1.0.0", "answers": gad7([3, 3, 3, 3, 3, 0, 0]),
             "client_score": {"total": 15, "band": "severe", "flags": ["severe"]}}
        ],
        "consent": {"health": true}
    })
}

/// A submission to a campaign made from [`campaign_spec`] (PHQ-9 only): total 9 with
/// item 9 at 1, so it raises the critical flag.
pub fn phq9_submission() -> Value {
    json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "cohort": {"grade": "8"},
        "results": [
            {"instrument": "phq9", "version": "1.0.0", "answers": phq9([1; 9]),
             "client_score": {"total": 9, "band": "mild", "flags": ["critical"]}}
        ],
        "consent": {"health": true}
    })
}

/// A valid campaign: PHQ-9 for grades 7–9 (ages 12–16), in Chinese and English,
/// open from 2000 to 9999, with `anonymity` (`"anonymous"` or `"coded"`).
pub fn campaign_spec(code: &str, anonymity: &str) -> Value {
    json!({
        "code": code,
        "name": {"zh-Hans": "春季测评", "en": "Spring screening"},
        "instruments": [{"id": "phq9", "version": "1.0.0"}],
        "cohort": [{"id": "grade", "label": {"zh-Hans": "年级", "en": "Grade"}, "values": ["7", "8", "9"]}],
        "opens_on": "2000-01-01",
        "closes_on": "9999-12-31",
        "locales": ["zh-Hans", "en"],
        "crisis_resources": {"zh-Hans": "心理援助热线 12356", "en": "Call 988"},
        "anonymity": anonymity,
        "min_age": 12,
        "max_age": 16
    })
}

/// One valid DEMO submission in `grade` with these PHQ-9 answers (GAD-7 all 0).
pub async fn submit_demo(app: &xinan_tests::TestApp, grade: &str, phq: [i64; 9]) {
    let mut results = Vec::new();
    for (id, answers) in [("phq9", phq9(phq)), ("gad7", gad7([0; 7]))] {
        let score: Value =
            app.post_json(&format!("/api/v1/score/{id}"), &json!({"answers": answers})).await.json().await.unwrap();
        results.push(json!({"instrument": id, "version": "1.0.0", "answers": answers,
            "client_score": {"total": score["total"], "band": score["band"], "flags": score["flags"]}}));
    }
    let body = json!({"idempotency_key": uuid::Uuid::new_v4().to_string(), "cohort": {"grade": grade},
        "results": results, "consent": {"health": true}});
    assert_eq!(app.post_json("/api/v1/campaigns/DEMO/submissions", &body).await.status(), 201);
}
