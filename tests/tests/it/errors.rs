//! Transport-level errors share the one error shape and change nothing.

use serde_json::json;
use xinan_tests::{on_both_databases, TestApp};

use crate::support::{error_of, submission};

on_both_databases!(
    malformed_json_is_400,
    a_body_over_64_kib_is_413,
    a_body_not_declared_json_is_415,
    unknown_api_routes_and_methods_answer_in_json,
);

async fn malformed_json_is_400(app: TestApp) {
    let response = app
        .http
        .post(app.url("/api/v1/campaigns/DEMO/submissions"))
        .header("content-type", "application/json")
        .body("{\"idempotency_key\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(response, 400).await["code"], "malformed_json");
    assert_eq!(app.count("submissions").await, 0);
}

async fn a_body_over_64_kib_is_413(app: TestApp) {
    let mut body = submission();
    body["padding"] = json!("x".repeat(70 * 1024));
    let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &body).await;
    assert_eq!(error_of(response, 413).await["code"], "payload_too_large");
    assert_eq!(app.count("submissions").await, 0);
}

async fn a_body_not_declared_json_is_415(app: TestApp) {
    let response = app
        .http
        .post(app.url("/api/v1/score/phq9"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    error_of(response, 415).await;
}

async fn unknown_api_routes_and_methods_answer_in_json(app: TestApp) {
    let response = app.http.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    error_of(response, 404).await;
    let response = app.http.delete(app.url("/api/v1/instruments")).send().await.unwrap();
    error_of(response, 405).await;
    let response = app.http.get(app.url("/api/v1/campaigns/NOPE")).send().await.unwrap();
    error_of(response, 404).await;
}
