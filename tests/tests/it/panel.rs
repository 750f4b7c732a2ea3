//! The same person across waves: the code book, panel campaigns that take a book code
//! once each, one code's timeline for its own school only, and deletion on request
//! that leaves no row and reports that stay exact.

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{campaign_spec, error_of, phq9};

on_both_databases!(
    two_panel_campaigns_link_one_codes_results_on_the_timeline,
    a_code_answers_a_campaign_once_even_when_200_try_at_once,
    a_deleted_code_leaves_no_row_and_reports_equal_a_campaign_that_never_had_it,
);

/// A panel campaign `code` of `org` (PHQ-9, grades 7–9).
async fn panel_campaign(admin: &StaffClient, org: i64, code: &str) {
    let response = admin.post(&format!("/api/v1/organizations/{org}/campaigns"), &campaign_spec(code, "panel")).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

async fn book(admin: &StaffClient, org: i64, count: u32) -> Vec<String> {
    let response = admin.post(&format!("/api/v1/organizations/{org}/panel-codes"), &json!({"count": count})).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

/// A PHQ-9 submission with `answers`, made with book code `code`, the client's score
/// as the server's scoring gives it.
fn with_code(code: &str, answers: [i64; 9]) -> Value {
    let definition = instruments::library::get("phq9").unwrap();
    let values: instruments::Answers =
        definition.scoring.items.iter().zip(answers).map(|(item, v)| (item.clone(), v)).collect();
    let score = instruments::score(definition, &values).unwrap();
    let client = instruments::wire::ClientScore::of(&score);
    json!({"idempotency_key": uuid::Uuid::new_v4().to_string(), "cohort": {"grade": "7"}, "access_code": code,
        "results": [{"instrument": "phq9", "version": "1.0.0", "answers": phq9(answers), "client_score": client}],
        "consent": {"health": true}})
}

async fn submit(app: &TestApp, campaign: &str, body: &Value) -> reqwest::Response {
    app.post_json(&format!("/api/v1/campaigns/{campaign}/submissions"), body).await
}

async fn check(app: &TestApp, campaign: &str, code: &str) -> u16 {
    let path = format!("/api/v1/campaigns/{campaign}/access-codes/check");
    app.post_json(&path, &json!({"code": code})).await.status().as_u16()
}

async fn two_panel_campaigns_link_one_codes_results_on_the_timeline(app: TestApp) {
    // Arrange
    let org = app.demo_org().await;
    let admin = app.staff("head@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let platform = app.staff("district@example.org", Role::PlatformAdmin, None).await;
    let error =
        error_of(admin.post(&format!("/api/v1/organizations/{org}/panel-codes"), &json!({"count": 0})).await, 422)
            .await;
    assert_eq!(error["field"], "count");
    let codes = book(&admin, org, 3).await;
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.len() == 10), "{codes:?}");
    let (a, b, c) = (&codes[0], &codes[1], &codes[2]);
    panel_campaign(&admin, org, "Y2025").await;
    panel_campaign(&admin, org, "Y2026").await;
    let other = platform.post("/api/v1/organizations", &json!({"name": "Other school", "kind": "school"})).await;
    let other = other.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let stranger = app.staff("other@example.org", Role::Counselor, Some(other)).await;
    let elsewhere = book(&platform, other, 1).await;

    // Act: A answers both years (the first with item 9), B the first only.
    assert_eq!(check(&app, "Y2025", a).await, 204);
    assert_eq!(check(&app, "Y2025", &elsewhere[0]).await, 422, "another school's code");
    let first = submit(&app, "Y2025", &with_code(a, [1; 9])).await;
    assert_eq!(first.status(), 201);
    assert_eq!(first.json::<Value>().await.unwrap()["respondent_code"], a.as_str(), "the receipt shows the book code");
    let again = error_of(submit(&app, "Y2025", &with_code(a, [0; 9])).await, 409).await;
    assert_eq!((again["code"].as_str(), again["field"].as_str()), (Some("already_submitted"), Some("access_code")));
    assert_eq!(check(&app, "Y2025", a).await, 422, "used for this campaign");
    assert_eq!(check(&app, "Y2026", a).await, 204, "not yet for the next one");
    // Typed as respondents type it: lower case, with a space.
    let typed = format!("{} {}", a[..5].to_lowercase(), &a[5..]);
    assert_eq!(submit(&app, "Y2026", &with_code(&typed, [0; 9])).await.status(), 201);
    assert_eq!(submit(&app, "Y2025", &with_code(b, [0; 9])).await.status(), 201);
    let unknown = error_of(submit(&app, "Y2026", &with_code("ABCDEFGHJK", [0; 9])).await, 422).await;
    assert_eq!(unknown["field"], "access_code");

    // Assert: the timeline links A's two years, oldest first, with the warning.
    let path = format!("/api/v1/organizations/{org}/respondents/{a}");
    let timeline = counselor.get_json(&path).await;
    assert_eq!(timeline["code"], a.as_str());
    let waves = timeline["waves"].as_array().unwrap();
    let campaigns: Vec<&str> = waves.iter().map(|w| w["campaign"].as_str().unwrap()).collect();
    assert_eq!(campaigns, ["Y2025", "Y2026"]);
    assert_eq!(waves[0]["results"][0]["total"], 9);
    assert_eq!(waves[1]["results"][0]["total"], 0);
    assert_eq!(waves[0]["warning"]["case"]["level"], "level1");
    assert_eq!(waves[0]["warning"]["case"]["respondent_code"], a.as_str(), "the warning is known by the book code");
    assert_eq!(waves[1]["warning"], Value::Null);
    assert_eq!(admin.get(&path).await.status(), 200, "the school's admin too");
    assert_eq!(platform.get(&path).await.status(), 403, "a person is followed by their own school");
    assert_eq!(stranger.get(&path).await.status(), 403);
    assert_eq!(counselor.get(&format!("/api/v1/organizations/{org}/respondents/ABCDEFGHJK")).await.status(), 404);
    let audit = admin.get_json(&format!("/api/v1/organizations/{org}/audit")).await;
    let views = audit.as_array().unwrap().iter().filter(|e| e["action"] == "respondent_viewed").count();
    assert_eq!(views, 2, "every view is audited");
    // The queue finds the warning by the book code.
    let queue = counselor.get_json(&format!("/api/v1/organizations/{org}/cases?code={a}")).await;
    assert_eq!(queue["cases"].as_array().unwrap().len(), 1, "{queue}");

    // Retiring C: it takes nothing new.
    let retired = admin.post(&format!("/api/v1/organizations/{org}/panel-codes/{c}/retire"), &json!({})).await;
    assert_eq!(retired.status(), 200);
    assert!(retired.json::<Value>().await.unwrap()["retired_at"].is_i64());
    assert_eq!(check(&app, "Y2026", c).await, 422);
    assert_eq!(submit(&app, "Y2026", &with_code(c, [0; 9])).await.status(), 422);
    assert_eq!(
        counselor.post(&format!("/api/v1/organizations/{org}/panel-codes/{b}/retire"), &json!({})).await.status(),
        403
    );

    // The book as JSON, CSV for the school's own key, and slips of the codes in use.
    let listed = admin.get_json(&format!("/api/v1/organizations/{org}/panel-codes")).await;
    let counts: Vec<(String, i64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap().to_owned(), p["submissions"].as_i64().unwrap()))
        .collect();
    let mut expected = vec![(a.clone(), 2), (b.clone(), 1), (c.clone(), 0)];
    expected.sort();
    assert_eq!(counts, expected, "by code within a batch");
    let csv = admin.get(&format!("/api/v1/organizations/{org}/panel-codes?format=csv")).await.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0].trim_start_matches('\u{feff}'), "code,generated_on,retired_on,submissions,kept_by_the_school");
    assert_eq!(lines.len(), 4);
    let line_a = lines.iter().find(|l| l.starts_with(&format!("{a},"))).unwrap();
    assert!(line_a.ends_with(",2,"), "{line_a}");
    let slips = admin.get(&format!("/api/v1/organizations/{org}/panel-codes?format=html")).await.text().await.unwrap();
    assert_eq!(slips.matches("class=\"slip\"").count(), 2, "the retired code gets no slip");
    let grouped = |code: &str| format!("{} {}", &code[..5], &code[5..]);
    assert!(slips.contains(&grouped(a)) && !slips.contains(&grouped(c)) && !slips.contains("style="));
    assert_eq!(counselor.get(&format!("/api/v1/organizations/{org}/panel-codes")).await.status(), 403);
}

async fn a_code_answers_a_campaign_once_even_when_200_try_at_once(app: TestApp) {
    // Arrange
    let org = app.demo_org().await;
    let admin = app.staff("head@example.org", Role::OrgAdmin, Some(org)).await;
    let code = book(&admin, org, 1).await.remove(0);
    panel_campaign(&admin, org, "RACE").await;

    // Act: 200 different submissions of one code at once.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (http, url, body) =
            (app.http.clone(), app.url("/api/v1/campaigns/RACE/submissions"), with_code(&code, [0; 9]));
        tasks.spawn(async move { http.post(url).json(&body).send().await.unwrap().status().as_u16() });
    }
    let statuses = tasks.join_all().await;

    // Assert
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions WHERE panel_code = $1")
        .bind(&code)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

async fn a_deleted_code_leaves_no_row_and_reports_equal_a_campaign_that_never_had_it(app: TestApp) {
    // Arrange: WAVE holds 12 codes, one of them (X) with a warning worked by a counselor;
    // TWIN the same 11 others' answers only.
    let org = app.demo_org().await;
    let admin = app.staff("head@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let platform = app.staff("district@example.org", Role::PlatformAdmin, None).await;
    let codes = book(&admin, org, 12).await;
    let twins = book(&admin, org, 11).await;
    panel_campaign(&admin, org, "WAVE").await;
    panel_campaign(&admin, org, "TWIN").await;
    let x = &codes[0];
    assert_eq!(submit(&app, "WAVE", &with_code(x, [3, 3, 3, 3, 3, 3, 3, 3, 3])).await.status(), 201);
    for (i, (code, twin)) in codes[1..].iter().zip(&twins).enumerate() {
        let answers = [(i % 4) as i64, 1, 0, 2, 0, 1, (i % 3) as i64, 0, 0];
        assert_eq!(submit(&app, "WAVE", &with_code(code, answers)).await.status(), 201);
        assert_eq!(submit(&app, "TWIN", &with_code(twin, answers)).await.status(), 201);
    }
    let case: i64 = sqlx::query_scalar(
        "SELECT k.id FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.panel_code = $1",
    )
    .bind(x)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let contacted = counselor.post(&format!("/api/v1/cases/{case}/events"), &json!({"to": "contacted"})).await;
    assert_eq!(contacted.status(), 200);
    let before = admin.get_json("/api/v1/reports/campaigns/WAVE?by=grade").await;
    assert_eq!(before["instruments"][0]["rows"][0]["cell"]["n"], 12);

    // Act: only the school's admin may delete.
    let path = format!("/api/v1/organizations/{org}/respondents/{x}");
    assert_eq!(counselor.send(reqwest::Method::DELETE, &path, None).await.status(), 403);
    assert_eq!(platform.send(reqwest::Method::DELETE, &path, None).await.status(), 403);
    let deleted = admin.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(deleted.json::<Value>().await.unwrap(), json!({"submissions": 1, "warnings": 1}));

    // Assert: no row anywhere, and the report is the twin's.
    for (table, sql) in [
        ("panel_codes", "SELECT COUNT(*) FROM panel_codes WHERE code = $1"),
        ("submissions", "SELECT COUNT(*) FROM submissions WHERE panel_code = $1"),
    ] {
        let n: i64 = sqlx::query_scalar(sql).bind(x).fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(n, 0, "{table}");
    }
    for table in ["cases", "case_events", "case_levels", "notifications"] {
        let column = if table == "cases" { "id" } else { "case_id" };
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
            .bind(case)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM results r WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = r.submission_id)",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    let after = admin.get_json("/api/v1/reports/campaigns/WAVE?by=grade").await;
    let twin = admin.get_json("/api/v1/reports/campaigns/TWIN?by=grade").await;
    assert_eq!(after["instruments"], twin["instruments"], "the report equals one that never had the code");
    assert_eq!(after["instruments"][0]["rows"][0]["cell"]["n"], 11);
    assert_eq!(admin.send(reqwest::Method::DELETE, &path, None).await.status(), 404, "nothing left to delete");
    let audit = admin.get_json(&format!("/api/v1/organizations/{org}/audit")).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "respondent_deleted"), "{audit}");
}
