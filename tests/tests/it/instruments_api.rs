//! `GET /api/v1/instruments`, `GET /api/v1/instruments/{id}` and `POST /api/v1/score/{id}`.

use serde_json::{json, Value};
use xinan_tests::{on_both_databases, TestApp};

use crate::support::{error_of, phq9};

on_both_databases!(
    instruments_are_listed_with_items_locales_and_licence,
    an_instrument_is_served_in_full,
    an_unknown_instrument_is_404,
    scoring_returns_total_band_and_flags_and_stores_nothing,
    scoring_names_the_item_at_fault,
);

async fn instruments_are_listed_with_items_locales_and_licence(app: TestApp) {
    let list: Vec<Value> = app.http.get(app.url("/api/v1/instruments")).send().await.unwrap().json().await.unwrap();
    let phq9 = list.iter().find(|i| i["id"] == "phq9").expect("phq9 listed");
    assert_eq!(phq9["items"], 10);
    assert_eq!(phq9["version"], "1.0.0");
    assert_eq!(phq9["locales"], json!(["en", "zh-Hans"]));
    assert_eq!(phq9["licence"], "LicenseRef-PHQ-free-use");
    assert!(list.iter().any(|i| i["id"] == "gad7" && i["items"] == 7));
}

async fn an_instrument_is_served_in_full(app: TestApp) {
    let body: Value = app.http.get(app.url("/api/v1/instruments/gad7")).send().await.unwrap().json().await.unwrap();
    let definition: instruments::Definition = serde_json::from_value(body).expect("a full definition");
    assert_eq!(&definition, instruments::library::get("gad7").unwrap());
}

async fn an_unknown_instrument_is_404(app: TestApp) {
    let response = app.http.get(app.url("/api/v1/instruments/sdq")).send().await.unwrap();
    assert_eq!(error_of(response, 404).await["code"], "not_found");
    let response = app.post_json("/api/v1/score/sdq", &json!({"answers": {}})).await;
    error_of(response, 404).await;
}

async fn scoring_returns_total_band_and_flags_and_stores_nothing(app: TestApp) {
    let response = app.post_json("/api/v1/score/phq9", &json!({"answers": phq9([3, 3, 3, 3, 3, 3, 2, 0, 1])})).await;
    assert_eq!(response.status(), 200);
    let score: Value = response.json().await.unwrap();
    assert_eq!(score["instrument"], "phq9");
    assert_eq!(score["version"], "1.0.0");
    assert_eq!(score["engine"], instruments::ENGINE_VERSION);
    assert_eq!(score["total"], 21);
    assert_eq!(score["band"], "severe");
    assert_eq!(score["flags"], json!(["critical", "severe"]));
    assert_eq!(score["subscales"], json!({}));
    assert_eq!(app.count("submissions").await, 0);
    assert_eq!(app.count("results").await, 0);
}

async fn scoring_names_the_item_at_fault(app: TestApp) {
    let mut answers = phq9([0; 9]);
    answers.as_object_mut().unwrap().remove("phq9_4");
    let error = error_of(app.post_json("/api/v1/score/phq9", &json!({"answers": answers})).await, 422).await;
    assert_eq!(error["field"], "answers.phq9_4");
    assert_eq!(error["message"], "item phq9_4: answer missing");

    let mut answers = phq9([0; 9]);
    answers["phq9_2"] = json!(9);
    let error = error_of(app.post_json("/api/v1/score/phq9", &json!({"answers": answers})).await, 422).await;
    assert_eq!(error["field"], "answers.phq9_2");

    let mut answers = phq9([0; 9]);
    answers["phq9_12"] = json!(0);
    let error = error_of(app.post_json("/api/v1/score/phq9", &json!({"answers": answers})).await, 422).await;
    assert_eq!(error["field"], "answers.phq9_12");

    let mut answers = phq9([0; 9]);
    answers["phq9_1"] = json!("often");
    let error = error_of(app.post_json("/api/v1/score/phq9", &json!({"answers": answers})).await, 422).await;
    assert_eq!(error["field"], "answers.phq9_1");
}
