//! Service indicators in the organization and district reports, checked against
//! figures worked out by hand from warnings whose times the test sets; and the same
//! suppression as every other figure.

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{campaign_spec, high_submission, phq9, phq9_submission, submission, unflagged_submission};

on_both_databases!(service_indicators_match_hand_computed_figures_and_hide_small_organizations);

const MINUTE: i64 = 60;

/// Submits to `code`; returns the new case's id, if the submission raised one.
async fn submit(app: &TestApp, code: &str, body: Value) -> Option<i64> {
    let response = app.post_json(&format!("/api/v1/campaigns/{code}/submissions"), &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let receipt: Value = response.json().await.unwrap();
    sqlx::query_scalar(
        "SELECT k.id FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.respondent_code = $1",
    )
    .bind(receipt["respondent_code"].as_str().unwrap())
    .fetch_optional(app.store.pool())
    .await
    .unwrap()
}

/// Moves a warning's opening and deadline to `opened` and `due` minutes from now.
async fn times(app: &TestApp, case: i64, opened: i64, due: i64) {
    let now = server::day::now();
    sqlx::query("UPDATE cases SET opened_at = $1, due_at = $2 WHERE id = $3")
        .bind(now + opened * MINUTE)
        .bind(now + due * MINUTE)
        .bind(case)
        .execute(app.store.pool())
        .await
        .unwrap();
}

async fn ok(client: &StaffClient, path: &str, body: Value) {
    let response = client.post(path, &body).await;
    let status = response.status();
    assert_eq!(status, 200, "{path} {body}: {}", response.text().await.unwrap());
}

fn near(actual: &Value, expected: f64, within: f64) {
    let a = actual.as_f64().unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() <= within, "{a} is not {expected} ± {within}");
}

fn shown(row: &Value) -> &Value {
    assert_eq!(row["cell"]["status"], "shown", "{row}");
    &row["cell"]
}

async fn service_indicators_match_hand_computed_figures_and_hide_small_organizations(app: TestApp) {
    // Arrange: DEMO screens 15; four of them raise warnings, worked as follows.
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let org_admin = app.staff("head@example.org", Role::OrgAdmin, Some(org)).await;
    let platform = app.staff("district@city.example", Role::PlatformAdmin, None).await;
    let centre = platform
        .post(
            "/api/v1/platform/referral-destinations",
            &json!({"name": "District centre", "kind": "hospital", "levels": ["level1", "level2"], "contact": "desk"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for _ in 0..11 {
        assert!(submit(&app, "DEMO", unflagged_submission()).await.is_none());
    }
    let a = submit(&app, "DEMO", submission()).await.unwrap();
    let b = submit(&app, "DEMO", submission()).await.unwrap();
    submit(&app, "DEMO", high_submission()).await.unwrap();
    let d = submit(&app, "DEMO", submission()).await.unwrap();
    // A (level 1): opened 20 min ago, due in 10; interviewed now (in time), referred,
    // the referral confirmed, closed.
    times(&app, a, -20, 10).await;
    let today = server::day::today();
    let interview = json!({"values": {"date": today, "mode": "phone", "present": ["student"], "risk": "low",
        "protective_factors": "friends", "plan": "weekly talk", "next_follow_up": "2099-01-01"}});
    ok(&counselor, &format!("/api/v1/cases/{a}/interviews"), interview).await;
    let referral = json!({"destination_id": centre, "referred_on": today, "note": "assessment"});
    ok(&counselor, &format!("/api/v1/cases/{a}/referrals"), referral).await;
    let detail = counselor.get_json(&format!("/api/v1/cases/{a}")).await;
    let referral = detail["referrals"][0]["id"].as_i64().unwrap();
    ok(&counselor, &format!("/api/v1/cases/{a}/referrals/{referral}"), json!({"confirmed_on": today})).await;
    ok(&counselor, &format!("/api/v1/cases/{a}/events"), json!({"to": "closed", "outcome": "stable"})).await;
    // B (level 1): opened 90 min ago, due an hour ago; contacted now (late), lifted.
    times(&app, b, -90, -60).await;
    ok(&counselor, &format!("/api/v1/cases/{b}/events"), json!({"to": "contacted"})).await;
    ok(&counselor, &format!("/api/v1/cases/{b}/events"), json!({"to": "lifted", "outcome": "re-check normal"})).await;
    // C (level 2): opened now, due tomorrow: not yet due, so neither in time nor late.
    // D (level 1): opened two hours ago, due 90 min ago, never contacted: late.
    times(&app, d, -120, -90).await;

    // Act
    let report = org_admin.get_json(&format!("/api/v1/reports/organizations/{org}")).await;

    // Assert: by hand. Screened 15; warnings 4 (level 1: A, B, D; level 2: C).
    let service = &report["service"];
    let ids: Vec<&str> = service["levels"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["level1", "level2", "level3"]);
    let rows = service["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "the organization, then its one campaign");
    assert_eq!(rows[0]["group"], json!({}));
    assert_eq!(rows[1]["group"], json!({"campaign": "DEMO"}));
    let total = shown(&rows[0]);
    assert_eq!(total, shown(&rows[1]), "one campaign: the total is that campaign");
    assert_eq!(total["screened"], 15);
    let all = &total["total"];
    assert_eq!(all["level"], Value::Null);
    assert_eq!(all["warnings"], 4);
    near(&all["per_thousand"], 4000.0 / 15.0, 1e-9);
    // Due: A (contacted), B, D (past due); C not yet. In time: A only.
    assert_eq!((all["contact_due"].as_u64(), all["contacted_in_time"].as_u64()), (Some(3), Some(1)));
    near(&all["contacted_in_time_share"], 1.0 / 3.0, 1e-9);
    // Minutes to first contact: A 20, B 90 → median 55 (the calls take seconds).
    near(&all["median_minutes_to_contact"], 55.0, 0.5);
    assert_eq!((all["referrals"].as_u64(), all["referrals_confirmed"].as_u64()), (Some(1), Some(1)));
    assert_eq!((all["closed"].as_u64(), all["lifted"].as_u64()), (Some(1), Some(1)));
    // Days open: A 20 min, B 90 min → median 55 min.
    near(&all["median_days_open"], 55.0 / 1440.0, 0.5 / 1440.0);
    let level1 = &total["levels"][0];
    assert_eq!(level1["level"], "level1");
    assert_eq!(level1["warnings"], 3);
    near(&level1["per_thousand"], 200.0, 1e-9);
    assert_eq!((level1["contact_due"].as_u64(), level1["contacted_in_time"].as_u64()), (Some(3), Some(1)));
    let level2 = &total["levels"][1];
    assert_eq!((level2["warnings"].as_u64(), level2["contact_due"].as_u64()), (Some(1), Some(0)));
    assert_eq!(level2["contacted_in_time_share"], Value::Null, "nothing due yet");
    assert_eq!(level2["median_minutes_to_contact"], Value::Null);
    assert_eq!(total["levels"][2]["warnings"], 0);

    // The same figures in every format, in both languages.
    let csv = org_admin.get(&format!("/api/v1/reports/organizations/{org}?format=csv&lang=en")).await;
    let csv = csv.text().await.unwrap();
    let heading = csv.lines().find(|l| l.contains("Warnings per 1,000 screened")).expect("a service table");
    assert!(heading.starts_with("Campaign,Level,Screened,Warnings"), "{heading}");
    assert!(csv.contains("All,All levels,15,4,266.67,3,1,0.3333,"), "{csv}");
    assert!(csv.contains("All,Urgent,15,3,200.00,3,1,0.3333,"), "{csv}");
    let html = org_admin.get(&format!("/api/v1/reports/organizations/{org}?format=html&lang=zh")).await;
    let html = html.text().await.unwrap();
    assert!(html.contains("预警服务指标") && html.contains("每千人预警数") && html.contains("一级预警"), "{html}");
    assert!(html.contains("<td class=\"num\">266.7</td>") && !html.contains("style="));
    let xlsx = org_admin.get(&format!("/api/v1/reports/organizations/{org}?format=xlsx&lang=zh")).await;
    let xlsx = xlsx.bytes().await.unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    // PHQ-9, GAD-7, the service sheet, the notes (names in the ZIP's directory).
    let has = |name: &str| xlsx.windows(name.len()).any(|w| w == name.as_bytes());
    assert!(has("xl/worksheets/sheet4.xml") && !has("xl/worksheets/sheet5.xml"), "a sheet for the service");

    // Arrange the district: a school that screened 3 (below 10), all three urgent, and
    // one that screened 20 without a warning.
    other_school(&platform, "Small school", "SMALL").await;
    for _ in 0..3 {
        assert!(submit(&app, "SMALL", phq9_submission()).await.is_some());
    }
    other_school(&platform, "Large school", "LARGE").await;
    let calm = json!({"results": [{"instrument": "phq9", "version": "1.0.0", "answers": phq9([0; 9]),
        "client_score": {"total": 0, "band": "minimal", "flags": []}}], "cohort": {"grade": "7"},
        "consent": {"health": true}});
    for _ in 0..20 {
        let mut body = calm.clone();
        body["idempotency_key"] = json!(uuid::Uuid::new_v4().to_string());
        assert!(submit(&app, "LARGE", body).await.is_none());
    }

    // Act
    let district = platform.get_json("/api/v1/reports/platform").await;

    // Assert: the district total counts everyone; the small school is hidden, and so is
    // one more row, so that the total minus the others does not give it away.
    let rows = district["service"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "the district, then three organizations");
    let total = shown(&rows[0]);
    assert_eq!(total["screened"], 38);
    assert_eq!(total["total"]["warnings"], 7);
    near(&total["total"]["per_thousand"], 7000.0 / 38.0, 1e-9);
    assert_eq!(total["levels"][0]["warnings"], 6);
    let hidden: Vec<&str> = rows
        .iter()
        .filter(|r| r["cell"]["status"] == "suppressed")
        .map(|r| r["group"]["organization"].as_str().unwrap())
        .collect();
    assert!(hidden.contains(&"Small school"), "{hidden:?}");
    assert_eq!(hidden.len(), 2, "{hidden:?}");
    for row in rows.iter().filter(|r| r["cell"]["status"] == "suppressed") {
        assert_eq!(row["cell"], json!({"status": "suppressed", "below": 10}), "nothing but the fact");
    }
    let csv = platform.get("/api/v1/reports/platform?format=csv&lang=en").await.text().await.unwrap();
    let small_lines: Vec<&str> = csv.lines().filter(|l| l.contains("Small school")).collect();
    assert!(!small_lines.is_empty());
    for line in small_lines {
        assert!(!line.contains(",3,") && line.contains("<10"), "{line}");
    }
}

/// A new organization with a begun PHQ-9 campaign `code`; returns its id.
async fn other_school(platform: &StaffClient, name: &str, code: &str) -> i64 {
    let created = platform.post("/api/v1/organizations", &json!({"name": name, "kind": "school"})).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let campaign =
        platform.post(&format!("/api/v1/organizations/{id}/campaigns"), &campaign_spec(code, "anonymous")).await;
    assert_eq!(campaign.status(), 201, "{}", campaign.text().await.unwrap());
    id
}
