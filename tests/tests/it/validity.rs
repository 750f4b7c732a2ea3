//! Careless and invalid answers: marked by the server from the page's timings and the
//! answers, counted out of prevalence (and shown with them too), and never at the cost
//! of a warning.

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, TestApp};

use crate::support::error_of;

on_both_databases!(
    a_fast_straight_line_cesd_is_marked_careless_and_counted_out_of_prevalence,
    a_fast_critical_answer_is_marked_and_still_opens_its_warning,
    impossible_timings_are_refused_naming_the_item_and_store_nothing,
);

/// One result of `instrument` with `values` in item order, its client score as the
/// engine gives it, and items answered `ms_each` apart after being shown together.
fn result(instrument: &str, values: &[i64], ms_each: u64) -> Value {
    let definition = instruments::library::get(instrument).unwrap();
    let answers: instruments::Answers =
        definition.scoring.items.iter().zip(values).map(|(item, v)| (item.clone(), *v)).collect();
    let score = instruments::score(definition, &answers).unwrap();
    let timings: serde_json::Map<String, Value> = definition
        .scoring
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| (item.clone(), json!({"shown_ms": 0, "answered_ms": (n as u64 + 1) * ms_each})))
        .collect();
    json!({"instrument": instrument, "version": definition.version, "answers": answers,
        "client_score": instruments::wire::ClientScore::of(&score), "timings": timings})
}

fn body(cohort: Value, results: Vec<Value>) -> Value {
    json!({"idempotency_key": uuid::Uuid::new_v4().to_string(), "cohort": cohort, "results": results,
        "consent": {"health": true}})
}

async fn a_fast_straight_line_cesd_is_marked_careless_and_counted_out_of_prevalence(app: TestApp) {
    // Arrange: a CES-D screening of employees.
    let org = app.demo_org().await;
    let admin = app.staff("hr@example.org", Role::OrgAdmin, Some(org)).await;
    let spec = json!({"code": "STAFF", "name": {"en": "Staff wellbeing"}, "instruments": [{"id": "cesd", "version": "1.0.0"}],
        "cohort": [], "opens_on": "2000-01-01", "closes_on": "9999-12-31", "locales": ["en"],
        "crisis_resources": {"en": "Call 988"}, "anonymity": "anonymous", "min_age": 18, "max_age": 65});
    let created = admin.post(&format!("/api/v1/organizations/{org}/campaigns"), &spec).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let submit = |result: Value| {
        let app = &app;
        async move {
            let response = app.post_json("/api/v1/campaigns/STAFF/submissions", &body(json!({}), vec![result])).await;
            assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
            response.json::<Value>().await.unwrap()["results"][0].clone()
        }
    };
    // Ten steady answers (5 s an item): four positive (total ≥ 16), six not.
    let mut positive = [1i64; 20];
    positive[0] = 3; // 3 + 15×1 + the 4 reversed items at 3 − 1 = 2 each: 26 ≥ 16
    for _ in 0..4 {
        let score = submit(result("cesd", &positive, 5_000)).await;
        assert_eq!((score["validity"].as_str(), score["positive"].as_bool()), (Some("valid"), Some(true)));
    }
    let mut calm = [0i64; 20];
    for r in [3, 7, 11, 15] {
        calm[r] = 3; // the reversed items at 3 score 0
    }
    for _ in 0..6 {
        let score = submit(result("cesd", &calm, 5_000)).await;
        assert_eq!((score["validity"].as_str(), score["positive"].as_bool()), (Some("valid"), Some(false)));
    }

    // Act: two fast straight lines of 3 (contradictory where items reverse) and one
    // varied but fast (half a second an item).
    for _ in 0..2 {
        let score = submit(result("cesd", &[3; 20], 300)).await;
        assert_eq!((score["validity"].as_str(), score["positive"].as_bool()), (Some("careless"), Some(true)));
    }
    let score = submit(result("cesd", &calm, 500)).await;
    assert_eq!(score["validity"], "careless");
    let slow_straight = submit(result("cesd", &[2; 20], 5_000)).await;
    assert_eq!(slow_straight["validity"], "careless", "the same option throughout, even slowly");

    // Assert: 14 respondents, 4 marked; prevalence 4 of the 10 valid, 7 of 14 with them.
    let report = admin.get_json("/api/v1/reports/campaigns/STAFF").await;
    let all = &report["instruments"][0]["rows"][0]["cell"];
    assert_eq!(all["n"], 14);
    assert_eq!(all["marked"], 4);
    assert_eq!((all["positive"]["count"].as_u64(), all["positive"]["of"].as_u64()), (Some(4), Some(10)));
    assert_eq!(all["positive"]["share"], 0.4);
    assert_eq!(all["positive_with_marked"]["count"], 7);
    assert_eq!(all["positive_with_marked"]["share"], 0.5);
    let csv = admin.get("/api/v1/reports/campaigns/STAFF?format=csv&lang=en").await.text().await.unwrap();
    let heading = csv.lines().next().unwrap();
    assert!(heading.ends_with("Marked careless or invalid,Prevalence with marked results"), "{heading}");
    let html = admin.get("/api/v1/reports/campaigns/STAFF?format=html&lang=en").await.text().await.unwrap();
    assert!(html.contains("4 · 28.6%") && html.contains("50.0%"), "marked count and share, rate with them");
}

async fn a_fast_critical_answer_is_marked_and_still_opens_its_warning(app: TestApp) {
    // Act: PHQ-9 with item 9 and GAD-7 in a tenth of a second an item.
    let results = vec![result("phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 1], 100), result("gad7", &[0; 7], 100)];
    let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &body(json!({"grade": "8"}), results)).await;

    // Assert
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["results"][0]["validity"], "careless");
    assert_eq!(receipt["results"][0]["flags"], json!(["critical"]));
    let level: String = sqlx::query_scalar(
        "SELECT k.level FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.respondent_code = $1",
    )
    .bind(receipt["respondent_code"].as_str().unwrap())
    .fetch_one(app.store.pool())
    .await
    .expect("the warning opens regardless of the mark");
    assert_eq!(level, "level1");
}

async fn impossible_timings_are_refused_naming_the_item_and_store_nothing(app: TestApp) {
    let good = || vec![result("phq9", &[0; 9], 3_000), result("gad7", &[0; 7], 3_000)];
    let mut backwards = good();
    backwards[0]["timings"]["phq9_1"] = json!({"shown_ms": 5000, "answered_ms": 10});
    let mut unknown = good();
    unknown[0]["timings"]["phq9_99"] = json!({"shown_ms": 0, "answered_ms": 10});
    let mut negative = good();
    negative[1]["timings"]["gad7_2"] = json!({"shown_ms": -1, "answered_ms": 10});
    for (results, field, status) in [
        (backwards, "results[0].timings.phq9_1", 422),
        (unknown, "results[0].timings.phq9_99", 422),
        (negative, "results[1].timings.gad7_2.shown_ms", 422),
    ] {
        let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &body(json!({"grade": "7"}), results)).await;
        let error = error_of(response, status).await;
        assert!(error["field"].as_str().unwrap_or_default().starts_with(field), "{error}");
    }
    assert_eq!(app.count("submissions").await, 0);
}
