//! What is stored about a respondent, and nothing more.

use sqlx::{Column as _, Row as _};
use xinan_tests::{on_both_databases, TestApp};

use crate::support::submission;

on_both_databases!(
    stored_rows_hold_no_identifying_columns,
    responses_are_never_cached,
    the_raw_export_does_not_list_submissions_in_the_order_they_arrived,
);

/// Adding a column to these tables must be a conscious decision: this test lists
/// exactly what may be stored. No address, user agent, cookie or time of day.
async fn stored_rows_hold_no_identifying_columns(app: TestApp) {
    let response = app
        .http
        .post(app.url("/api/v1/campaigns/DEMO/submissions"))
        .header("user-agent", "Mozilla/5.0 (identifying)")
        .header("x-forwarded-for", "203.0.113.7")
        .json(&submission())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let expected: [(&str, &[&str]); 4] = [
        (
            "submissions",
            &[
                "id",
                "campaign_id",
                "respondent_code",
                "idempotency_key",
                "request_digest",
                "receipt",
                "submitted_on",
                "consent_health",
                "consent_guardian",
                // A panel campaign's book code: a pseudonym only the school can resolve.
                "panel_code",
            ],
        ),
        // The flagged submission's case: staff-side, so it keeps the time it was raised.
        (
            "cases",
            &[
                "id",
                "organization_id",
                "campaign_id",
                "submission_id",
                "severity_rank",
                "flags",
                "cohort",
                "state",
                "opened_at",
                "acknowledged_at",
                "contacted_at",
                "finished_at",
                "level",
                "level_rank",
                "due_at",
                "next_visit_on",
            ],
        ),
        ("submission_cohort", &["submission_id", "attribute", "value"]),
        (
            "results",
            &[
                "submission_id",
                "position",
                "instrument",
                "version",
                "engine",
                "answers",
                "total",
                "band",
                "flags",
                "subscales",
                "answer_values",
            ],
        ),
    ];
    for (table, columns) in expected {
        let row = sqlx::query(&format!("SELECT * FROM {table}")).fetch_one(app.store.pool()).await.unwrap();
        let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, columns, "columns of {table}");
    }
    let day: String =
        sqlx::query_scalar("SELECT submitted_on FROM submissions").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(day.len(), 10, "only the day is stored: {day}");
    let everything: Vec<String> =
        sqlx::query_scalar("SELECT answers FROM results").fetch_all(app.store.pool()).await.unwrap();
    assert!(everything.iter().all(|a| !a.contains("203.0.113.7") && !a.contains("Mozilla")));
}

async fn responses_are_never_cached(app: TestApp) {
    let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
}

/// The browser tests load the app under this policy, so they prove the app satisfies it.
#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let app = TestApp::spawn(xinan_tests::Engine::Sqlite).await.unwrap();
    let response = app.http.get(app.url("/c/DEMO")).send().await.unwrap();
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_eq!(policy, server::routes::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
}

/// Cases keep the second a flag was raised; rows in arrival order would bracket the
/// time of every submission between two flagged ones. The export is in respondent-code
/// order, which is random.
async fn the_raw_export_does_not_list_submissions_in_the_order_they_arrived(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", instruments::wire::staff::Role::OrgAdmin, Some(org)).await;
    let campaigns = format!("/api/v1/organizations/{org}/campaigns");
    assert_eq!(admin.post(&campaigns, &crate::support::campaign_spec("ORDER", "coded")).await.status(), 201);
    let codes = admin.post(&format!("{campaigns}/ORDER/access-codes"), &serde_json::json!({"count": 24})).await;
    let codes: serde_json::Value = codes.json().await.unwrap();
    let mut arrived = Vec::new();
    for code in codes.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_owned()) {
        let mut body = crate::support::phq9_submission();
        body["access_code"] = serde_json::json!(code);
        assert_eq!(app.post_json("/api/v1/campaigns/ORDER/submissions", &body).await.status(), 201);
        arrived.push(code);
    }
    let csv = admin.get("/api/v1/reports/campaigns/ORDER/responses.csv").await.text().await.unwrap();
    let exported: Vec<String> =
        csv.lines().skip(1).map(|line| line.split(',').nth(1).unwrap().trim_matches('"').to_owned()).collect();
    let mut sorted = arrived.clone();
    sorted.sort();
    assert_eq!(exported, sorted, "rows in respondent-code order");
    // 24 random codes arrive in sorted order with probability 1/24!.
    assert_ne!(exported, arrived, "rows not in arrival order");
}
