//! Population reports from aggregates, checked against hand-computed figures on both
//! engines: a known cohort of 25 DEMO submissions.
//!
//! grade 7: 6 × PHQ-9 all 0 and 6 × PHQ-9 all 2 (total 18, positive); grade 8: 10 ×
//! PHQ-9 all 1 (total 9); grade 9: 3 × all 0. GAD-7 all 0 throughout. k = 10, so grade
//! 9 (3) is suppressed and grade 8 with it (else 25 − 12 − 10 would give it away).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use instruments::wire::staff::Role;
use instruments::wire::{ClientScore, InstrumentAnswers};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{json, Value};
use server::db::bulk::Synthetic;
use server::db::{MAX_COHORT_QUESTIONS, MAX_COHORT_VALUES};
use xinan_tests::{on_both_databases, TestApp};

use crate::support::{campaign_spec, error_of, submission, submit_demo};

on_both_databases!(
    campaign_report_matches_hand_computed_figures_and_suppresses_small_grades,
    a_campaign_with_more_cohort_questions_than_reports_protect_quickly_is_refused,
    submissions_complete_while_heavy_reports_are_still_being_built,
    a_campaign_stored_above_the_cap_still_reports_and_edits_keeping_its_questions,
);

fn close(actual: &Value, expected: f64) {
    let a = actual.as_f64().unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-6, "{a} != {expected}");
}

async fn campaign_report_matches_hand_computed_figures_and_suppresses_small_grades(app: TestApp) {
    for _ in 0..6 {
        submit_demo(&app, "7", [0; 9]).await;
        submit_demo(&app, "7", [2; 9]).await;
    }
    for _ in 0..10 {
        submit_demo(&app, "8", [1; 9]).await;
    }
    for _ in 0..3 {
        submit_demo(&app, "9", [0; 9]).await;
    }
    let org = app.demo_org().await;
    let admin = app.staff("admin@school.example", Role::OrgAdmin, Some(org)).await;
    let report = admin.get_json("/api/v1/reports/campaigns/DEMO?by=grade").await;
    let phq = &report["instruments"][0];
    assert_eq!(phq["instrument"], "phq9");
    let rows = phq["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "everyone + grades 7, 8, 9");

    // Everyone: 25; bands minimal 9, mild 10, moderate 0, moderately severe 6, severe 0.
    let all = &rows[0]["cell"];
    assert_eq!(all["status"], "shown");
    assert_eq!(all["n"], 25);
    let counts: Vec<u64> = all["bands"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [9, 10, 0, 6, 0]);
    close(&all["bands"][0]["share"], 0.36);
    // 6 of 25 positive (total ≥ 10); Wilson 95 %: 0.11496 to 0.43430.
    assert_eq!(all["positive"]["count"], 6);
    close(&all["positive"]["share"], 0.24);
    assert!((all["positive"]["low"].as_f64().unwrap() - 0.114963).abs() < 1e-5);
    assert!((all["positive"]["high"].as_f64().unwrap() - 0.434297).abs() < 1e-5);
    // Mean (9·0 + 10·9 + 6·18)/25 = 7.92; t interval (24 df) 5.01848 to 10.82152.
    close(&all["mean"]["mean"], 7.92);
    assert!((all["mean"]["low"].as_f64().unwrap() - 5.018479).abs() < 1e-5);
    assert!((all["mean"]["high"].as_f64().unwrap() - 10.821521).abs() < 1e-5);
    assert!(all["alpha"].is_null(), "alpha only from 30 complete responses");
    assert!(all["critical"].is_null(), "critical counts never below the organization");

    // Grade 7: 12, half positive; mean 9, t interval 3.02740 to 14.97260.
    assert_eq!(rows[1]["group"], json!({"grade": "7"}));
    let g7 = &rows[1]["cell"];
    assert_eq!(g7["n"], 12);
    close(&g7["positive"]["share"], 0.5);
    assert!((g7["positive"]["low"].as_f64().unwrap() - 0.253782).abs() < 1e-5);
    close(&g7["mean"]["mean"], 9.0);
    assert!((g7["mean"]["low"].as_f64().unwrap() - 3.027402).abs() < 1e-5);
    // Grade 9 (3 < 10) and grade 8 (complementary) carry nothing but "<10".
    for row in &rows[2..] {
        assert_eq!(row["cell"], json!({"status": "suppressed", "below": 10}), "{row}");
    }
    // Only one shown group: no comparison can be made.
    assert!(phq["comparison"]["differences"].as_array().unwrap().is_empty());
    assert_eq!(report["follow_up"]["flags_raised"], 16, "item 9 ≥ 1 in 16 submissions");

    // The same report as CSV: suppressed rows show <10 and no number at all.
    let csv = admin.get("/api/v1/reports/campaigns/DEMO?by=grade&format=csv&lang=en").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    let grade9 = csv.lines().find(|l| l.contains("PHQ-9") && l.contains(",9,<10")).expect("grade 9 line");
    assert!(grade9.contains("<10"), "{grade9}");
    let after = grade9.split("<10").nth(1).unwrap();
    assert!(!after.chars().any(|c| c.is_ascii_digit()), "no figure for a suppressed group: {grade9}");

    let xlsx = admin.get("/api/v1/reports/campaigns/DEMO?by=grade&format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK", "an XLSX is a ZIP file");
    let html = admin.get("/api/v1/reports/campaigns/DEMO?by=grade&format=html&lang=zh").await.text().await.unwrap();
    assert!(html.contains("<svg") && !html.contains("style="), "charts, no inline styles");

    // Raw data: one line per submission, no respondent codes in an anonymous campaign.
    let raw = admin.get("/api/v1/reports/campaigns/DEMO/responses.csv").await;
    assert_eq!(raw.status(), 200);
    let raw = raw.text().await.unwrap();
    let lines: Vec<&str> = raw.lines().collect();
    assert_eq!(lines.len(), 26, "header + 25 submissions");
    assert!(lines[0].trim_start_matches('\u{feff}').starts_with("day,grade,phq9_1"), "{}", lines[0]);
    assert!(!lines[0].contains("respondent_code"));
    // day, grade, PHQ-9 items 1–10 (10 unasked), total, band, GAD-7 items 1–7, total, band.
    let day = server::day::today();
    let grade8 = format!("{day},\"8\",1,1,1,1,1,1,1,1,1,,9,\"mild\",0,0,0,0,0,0,0,0,\"minimal\"");
    assert_eq!(lines.iter().filter(|l| **l == grade8).count(), 10, "{grade8} in {raw}");
    let platform = app.staff("district@city.example", Role::PlatformAdmin, None).await;
    assert_eq!(platform.get("/api/v1/reports/campaigns/DEMO/responses.csv").await.status(), 403);
    let audit = admin.get_json(&format!("/api/v1/organizations/{org}/audit")).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"responses_exported") && actions.contains(&"report_exported"), "{actions:?}");

    // The district roll-up shows the organization (25 ≥ 10) with its critical count.
    let district = platform.get_json("/api/v1/reports/platform").await;
    let rows = district["instruments"][0]["rows"].as_array().unwrap();
    assert_eq!(rows[0]["cell"]["n"], 25);
    assert_eq!(rows[0]["cell"]["critical"], 16);
    close(&district["headline"]["positive_rates"]["phq9"], 0.24);
}

/// A cohort question `id` with `values` values.
fn question(id: &str, values: usize) -> Value {
    json!({"id": id, "label": {"zh-Hans": id, "en": id}, "values": (0..values).map(|v| format!("v{v}")).collect::<Vec<_>>()})
}

async fn a_campaign_with_more_cohort_questions_than_reports_protect_quickly_is_refused(app: TestApp) {
    // Arrange
    let org = app.demo_org().await;
    let admin = app.staff("admin@school.example", Role::OrgAdmin, Some(org)).await;
    let path = format!("/api/v1/organizations/{org}/campaigns");
    let mut spec = campaign_spec("WIDE", "anonymous");
    let questions = |n: usize, values: usize| -> Value { (0..n).map(|q| question(&format!("q{q}"), values)).collect() };

    // Act and assert: one question too many, or too many values in all, is refused…
    spec["cohort"] = questions(MAX_COHORT_QUESTIONS + 1, 2);
    let error = error_of(admin.post(&path, &spec).await, 422).await;
    assert_eq!(error["field"], "cohort", "{error}");
    assert!(error["message"].as_str().unwrap().contains(&MAX_COHORT_QUESTIONS.to_string()), "{error}");
    spec["cohort"] = questions(2, MAX_COHORT_VALUES / 2 + 1);
    assert_eq!(error_of(admin.post(&path, &spec).await, 422).await["field"], "cohort");

    // … and as many as reports protect quickly is fine.
    spec["cohort"] = questions(MAX_COHORT_QUESTIONS, 2);
    assert_eq!(admin.post(&path, &spec).await.status(), 201);
}

/// A campaign stored before the cap on cohort questions existed: `questions` of them
/// (grade, then 2–4 values each) and 800 respondents spread over them, which leaves
/// many small groups across the pairs, so its report takes suppression many rounds.
async fn heavy_campaign(app: &TestApp, admin: &xinan_tests::StaffClient, org: i64, questions: usize) {
    let spec = campaign_spec("HEAVY", "anonymous");
    assert_eq!(admin.post(&format!("/api/v1/organizations/{org}/campaigns"), &spec).await.status(), 201);
    let id = app.store.campaign_by_code("HEAVY").await.unwrap().id;
    for q in 1..questions {
        let attribute = question(&format!("q{q}"), 2 + q % 3);
        sqlx::query(
            "INSERT INTO cohort_attributes (campaign_id, position, attribute, label, allowed) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(q as i64)
        .bind(attribute["id"].as_str().unwrap())
        .bind(attribute["label"].to_string())
        .bind(attribute["values"].to_string())
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let campaign = app.store.campaign_by_code("HEAVY").await.unwrap();
    assert_eq!(campaign.cohort.len(), questions);
    let phq9 = campaign.instruments[0];
    let mut rng = StdRng::seed_from_u64(9);
    let batch: Vec<Synthetic> = (0..800)
        .map(|_| {
            let cohort: BTreeMap<String, String> = campaign
                .cohort
                .iter()
                .map(|a| (a.id.clone(), a.values[rng.random_range(0..a.values.len())].clone()))
                .collect();
            let answers: instruments::Answers =
                phq9.scoring.items.iter().map(|item| (item.clone(), rng.random_range(0..4))).collect();
            let score = instruments::score(phq9, &answers).unwrap();
            let result = InstrumentAnswers {
                instrument: phq9.id.clone(),
                version: phq9.version.clone(),
                answers,
                client_score: ClientScore::of(&score),
                timings: Default::default(),
            };
            Synthetic { cohort, results: vec![result], scores: vec![score] }
        })
        .collect();
    // Ids far above the ones intake will draw (PostgreSQL's sequence does not see them).
    app.store.bulk_insert(&campaign, 1_000_000, &batch, &server::day::today()).await.unwrap();
}

async fn submissions_complete_while_heavy_reports_are_still_being_built(app: TestApp) {
    // Arrange: a campaign above the cap (stored before it existed) still reports, but
    // its report is long work.
    let org = app.demo_org().await;
    let admin = Arc::new(app.staff("admin@school.example", Role::OrgAdmin, Some(org)).await);
    heavy_campaign(&app, &admin, org, 20).await;

    // Act: more heavy downloads than there are report builders, then, once every one
    // of them has been let in (each download is audited before it is built), a
    // submission to another campaign.
    let reports = 3;
    let done = Arc::new(AtomicUsize::new(0));
    let downloads: Vec<_> = (0..reports)
        .map(|_| {
            let (admin, done) = (admin.clone(), done.clone());
            tokio::spawn(async move {
                let response = admin.get("/api/v1/reports/campaigns/HEAVY?format=csv&lang=en").await;
                let status = response.status().as_u16();
                let body = response.text().await.unwrap();
                done.fetch_add(1, Ordering::SeqCst);
                (status, body)
            })
        })
        .collect();
    loop {
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'report_exported' AND subject = 'report heavy (csv)'",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        if audited == reports {
            break;
        }
        tokio::task::yield_now().await;
    }
    let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await;

    // Assert: intake answered while every report was still in flight.
    assert_eq!(response.status(), 201);
    assert_eq!(done.load(Ordering::SeqCst), 0, "a report finished before the submission did");
    for download in downloads {
        let (status, body) = download.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("PHQ-9"), "{body}");
    }
}

async fn a_campaign_stored_above_the_cap_still_reports_and_edits_keeping_its_questions(app: TestApp) {
    // Arrange
    let org = app.demo_org().await;
    let admin = app.staff("admin@school.example", Role::OrgAdmin, Some(org)).await;
    heavy_campaign(&app, &admin, org, MAX_COHORT_QUESTIONS + 2).await;
    let path = format!("/api/v1/organizations/{org}/campaigns/HEAVY");

    // Act
    let report = admin.get_json("/api/v1/reports/campaigns/HEAVY?by=q1&by=q2").await;
    let mut spec = admin.get_json(&path).await["spec"].clone();
    spec["name"]["en"] = json!("Renamed");
    let renamed = admin.send(reqwest::Method::PUT, &path, Some(&spec)).await.status();
    spec["cohort"].as_array_mut().unwrap().push(question("one_more", 2));
    let grown = admin.send(reqwest::Method::PUT, &path, Some(&spec)).await;

    // Assert
    assert_eq!(report["instruments"][0]["rows"][0]["cell"]["n"], 800);
    assert_eq!(renamed, 200, "other settings still change");
    assert_eq!(error_of(grown, 422).await["field"], "cohort", "but it may not grow");
}
