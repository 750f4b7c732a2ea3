//! `POST /api/v1/campaigns/{code}/submissions`: re-scored, validated, stored once.

use serde_json::{json, Value};
use sqlx::Row as _;
use xinan_tests::{on_both_databases, TestApp};

use crate::support::{error_of, phq9, submission};

const SUBMIT: &str = "/api/v1/campaigns/DEMO/submissions";

on_both_databases!(
    a_valid_submission_is_stored_with_server_scores,
    resending_the_same_key_returns_the_first_answer_and_stores_nothing,
    a_reused_key_with_other_answers_is_refused,
    concurrent_retries_store_exactly_one_submission,
    invalid_answers_are_refused_naming_the_item,
    a_client_score_that_differs_is_refused,
    instruments_and_versions_outside_the_campaign_are_refused,
    cohort_values_outside_the_campaign_are_refused,
    unknown_fields_are_refused,
    an_unknown_campaign_is_404,
);

async fn a_valid_submission_is_stored_with_server_scores(app: TestApp) {
    let response = app.post_json(SUBMIT, &submission()).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    let code = receipt["respondent_code"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    assert!(code.chars().all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)), "{code}");
    assert_eq!(receipt["results"][0]["total"], 9);
    assert_eq!(receipt["results"][0]["flags"], json!(["critical"]));
    assert_eq!(receipt["results"][1]["band"], "severe");

    // Acknowledged means committed: a separate connection sees it.
    let row =
        sqlx::query("SELECT respondent_code, submitted_on FROM submissions").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(row.get::<String, _>("respondent_code"), code);
    assert_eq!(row.get::<String, _>("submitted_on"), server::day::today());
    let results = sqlx::query("SELECT instrument, engine, total, band, flags, answers FROM results ORDER BY position")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].get::<f64, _>("total"), 9.0);
    assert_eq!(results[0].get::<String, _>("engine"), instruments::ENGINE_VERSION);
    assert_eq!(results[0].get::<String, _>("flags"), "[\"critical\"]");
    let answers: Value = serde_json::from_str(&results[0].get::<String, _>("answers")).unwrap();
    assert_eq!(answers, phq9([1; 9]));
    let cohort: String = sqlx::query_scalar("SELECT value FROM submission_cohort WHERE attribute = 'grade'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(cohort, "8");
}

async fn resending_the_same_key_returns_the_first_answer_and_stores_nothing(app: TestApp) {
    let body = submission();
    let first = app.post_json(SUBMIT, &body).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = app.post_json(SUBMIT, &body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(app.count("submissions").await, 1);
    assert_eq!(app.count("results").await, 2);
}

async fn a_reused_key_with_other_answers_is_refused(app: TestApp) {
    let body = submission();
    assert_eq!(app.post_json(SUBMIT, &body).await.status(), 201);
    let mut other = body.clone();
    other["cohort"]["grade"] = json!("9");
    let error = error_of(app.post_json(SUBMIT, &other).await, 409).await;
    assert_eq!(error["field"], "idempotency_key");
    assert_eq!(app.count("submissions").await, 1);
}

async fn concurrent_retries_store_exactly_one_submission(app: TestApp) {
    let body = submission();
    let handles: Vec<_> = (0..8).map(|_| tokio::spawn(app.http.post(app.url(SUBMIT)).json(&body).send())).collect();
    let mut statuses = Vec::new();
    let mut codes = Vec::new();
    for handle in handles {
        let response = handle.await.unwrap().unwrap();
        statuses.push(response.status().as_u16());
        codes.push(response.json::<Value>().await.unwrap()["respondent_code"].clone());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
    codes.dedup();
    assert_eq!(codes.len(), 1, "every retry gets the same respondent code");
    assert_eq!(app.count("submissions").await, 1);
}

async fn invalid_answers_are_refused_naming_the_item(app: TestApp) {
    let mut body = submission();
    body["results"][0]["answers"]["phq9_5"] = json!(4);
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[0].answers.phq9_5");
    assert_eq!(error["code"], "invalid_answer");

    let mut body = submission();
    body["results"][1]["answers"].as_object_mut().unwrap().remove("gad7_7");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[1].answers.gad7_7");

    let mut body = submission();
    body["results"][1]["answers"]["gad7_8"] = json!(1);
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[1].answers.gad7_8");
    assert_eq!(app.count("submissions").await, 0);
}

async fn a_client_score_that_differs_is_refused(app: TestApp) {
    let mut body = submission();
    body["results"][0]["client_score"]["total"] = json!(8);
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[0].client_score");
    assert_eq!(error["code"], "score_mismatch");

    let mut body = submission();
    body["results"][0]["client_score"]["flags"] = json!([]);
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[0].client_score");
    assert_eq!(app.count("submissions").await, 0);
}

async fn instruments_and_versions_outside_the_campaign_are_refused(app: TestApp) {
    let mut body = submission();
    body["results"][1]["version"] = json!("0.9");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[1].version");

    let mut body = submission();
    body["results"][1]["instrument"] = json!("who5");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[1].instrument");

    let mut body = submission();
    body["results"].as_array_mut().unwrap().pop();
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!((error["field"].as_str(), error["code"].as_str()), (Some("results"), Some("missing_instrument")));

    let mut body = submission();
    let duplicate = body["results"][0].clone();
    body["results"].as_array_mut().unwrap().push(duplicate);
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "results[2].instrument");
    assert_eq!(app.count("submissions").await, 0);
}

async fn cohort_values_outside_the_campaign_are_refused(app: TestApp) {
    let mut body = submission();
    body["cohort"]["grade"] = json!("12");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "cohort.grade");

    let mut body = submission();
    body["cohort"]["school"] = json!("No. 1 Middle School");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "cohort.school");

    let mut body = submission();
    body["cohort"] = json!({});
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "cohort.grade");

    let mut body = submission();
    body["idempotency_key"] = json!("1234");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert_eq!(error["field"], "idempotency_key");
    assert_eq!(app.count("submissions").await, 0);
}

async fn unknown_fields_are_refused(app: TestApp) {
    let mut body = submission();
    body["name"] = json!("Zhang San");
    let error = error_of(app.post_json(SUBMIT, &body).await, 422).await;
    assert!(error["message"].as_str().unwrap().contains("unknown field `name`"), "{error}");
    assert_eq!(app.count("submissions").await, 0);
}

async fn an_unknown_campaign_is_404(app: TestApp) {
    let error = error_of(app.post_json("/api/v1/campaigns/NOPE/submissions", &submission()).await, 404).await;
    assert_eq!(error["code"], "not_found");
    assert_eq!(app.count("submissions").await, 0);
}
