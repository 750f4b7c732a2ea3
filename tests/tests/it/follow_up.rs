//! Follow-up: a case for every flagged submission, the counselor's queue, case
//! transitions, follow-up figures, and the append-only audit log.

use std::collections::BTreeMap;

use instruments::wire::staff::{OrganizationKind, Role};
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, Engine, StaffClient, TestApp};

use crate::support::{error_of, high_submission, submission, unflagged_submission};

const SUBMIT: &str = "/api/v1/campaigns/DEMO/submissions";
const HOUR: i64 = 3600;

on_both_databases!(
    a_thousand_concurrent_flagged_submissions_raise_exactly_a_thousand_cases,
    the_queue_shows_overdue_warnings_first_then_by_level_then_oldest,
    a_case_moves_from_open_to_closed_with_notes_and_cannot_close_without_an_outcome,
    two_counselors_moving_a_case_at_once_change_it_once,
    follow_up_figures_count_what_happened_to_the_cases,
    logins_case_views_changes_and_exports_are_audited_and_the_log_cannot_be_rewritten,
);

/// Submits to DEMO and returns the id of the case it raised.
async fn raise(app: &TestApp, body: Value) -> i64 {
    let response = app.post_json(SUBMIT, &body).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    sqlx::query_scalar(
        "SELECT k.id FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.respondent_code = $1",
    )
    .bind(receipt["respondent_code"].as_str().unwrap())
    .fetch_one(app.store.pool())
    .await
    .expect("a flagged submission raises a case")
}

/// Pretends the case was raised `hours` earlier (and so first contact was due then).
async fn age(app: &TestApp, case: i64, hours: i64) {
    sqlx::query("UPDATE cases SET opened_at = opened_at - $1, due_at = due_at - $1 WHERE id = $2")
        .bind(hours * HOUR)
        .bind(case)
        .execute(app.store.pool())
        .await
        .unwrap();
}

/// Moves a case on; returns the response.
async fn event(counselor: &StaffClient, case: i64, body: Value) -> reqwest::Response {
    counselor.post(&format!("/api/v1/cases/{case}/events"), &body).await
}

/// Moves a case on, which must succeed; returns the case.
async fn moved(counselor: &StaffClient, case: i64, body: Value) -> Value {
    let response = event(counselor, case, body.clone()).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "case {case} with {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn other_organization(app: &TestApp) -> i64 {
    app.store.create_organization("Other school", OrganizationKind::School, server::day::now()).await.unwrap().id
}

async fn a_thousand_concurrent_flagged_submissions_raise_exactly_a_thousand_cases(app: TestApp) {
    let started = std::time::Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let (http, url) = (app.http.clone(), app.url(SUBMIT));
        requests.spawn(async move {
            match http.post(url).json(&submission()).send().await {
                Ok(response) => response.status().as_u16().to_string(),
                Err(err) => format!("transport error: {err}"),
            }
        });
    }
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(answer) = requests.join_next().await {
        *answers.entry(answer.expect("request task")).or_default() += 1;
    }
    println!("{:?}: 1,000 concurrent flagged submissions answered in {:.2?}", app.engine, started.elapsed());
    assert_eq!(answers, BTreeMap::from([("201".to_owned(), 1000)]));
    assert_eq!(app.count("submissions").await, 1000);
    assert_eq!(app.count("cases").await, 1000);
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT submission_id) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(distinct, 1000, "one case per submission");
}

async fn the_queue_shows_overdue_warnings_first_then_by_level_then_oldest(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let critical_now = raise(&app, submission()).await;
    let high_now = raise(&app, high_submission()).await;
    let high_overdue = raise(&app, high_submission()).await;
    age(&app, high_overdue, 25).await;
    let critical_overdue = raise(&app, submission()).await;
    age(&app, critical_overdue, 30).await;
    let critical_2h = raise(&app, submission()).await;
    age(&app, critical_2h, 2).await;
    // Old, but first contact was made, so it is not overdue; acknowledging is not contact.
    let high_contacted = raise(&app, high_submission()).await;
    age(&app, high_contacted, 26).await;
    moved(&counselor, high_contacted, json!({"to": "contacted"})).await;
    let high_acknowledged = raise(&app, high_submission()).await;
    age(&app, high_acknowledged, 25).await;
    moved(&counselor, high_acknowledged, json!({"to": "acknowledged"})).await;

    // A submission without a flag raises nothing.
    let cases = app.count("cases").await;
    assert_eq!(app.post_json(SUBMIT, &unflagged_submission()).await.status(), 201);
    assert_eq!(app.count("cases").await, cases);
    assert_eq!(cases, 7);

    let answer = counselor.get_json(&format!("/api/v1/organizations/{org}/cases")).await;
    let queue = answer["cases"].as_array().unwrap();
    let order: Vec<i64> = queue.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    // Level 1 is due 30 minutes after opening, level 2 after 24 hours.
    assert_eq!(
        order,
        [critical_overdue, critical_2h, high_overdue, high_acknowledged, critical_now, high_contacted, high_now]
    );
    let overdue: Vec<bool> = queue.iter().map(|c| c["overdue"].as_bool().unwrap()).collect();
    assert_eq!(overdue, [true, true, true, true, false, false, false]);
    let levels: Vec<&str> = queue.iter().map(|c| c["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["level1", "level1", "level2", "level2", "level1", "level2", "level2"]);
    let severity: Vec<&str> = queue.iter().map(|c| c["severity"].as_str().unwrap()).collect();
    assert_eq!(severity, ["critical", "critical", "high", "high", "critical", "high", "high"]);
    let due = |i: usize| queue[i]["due_at"].as_i64().unwrap() - queue[i]["opened_at"].as_i64().unwrap();
    assert_eq!((due(0), due(2)), (30 * 60, 24 * HOUR));
    assert_eq!(answer["counts"], json!([{"level": "level1", "count": 3}, {"level": "level2", "count": 4}]));
    assert_eq!(answer["overdue"], 4);
    assert_eq!(queue[0]["state"], "open");
    assert_eq!(queue[3]["state"], "acknowledged");
    assert_eq!(queue[5]["state"], "contacted");
    assert_eq!(queue[0]["campaign"], "DEMO");
    assert_eq!(queue[0]["cohort"], json!({"grade": "8"}));

    // A counselor elsewhere sees neither the queue nor a case.
    let elsewhere = app.staff("elsewhere@example.org", Role::Counselor, Some(other_organization(&app).await)).await;
    let error = error_of(elsewhere.get(&format!("/api/v1/organizations/{org}/cases")).await, 403).await;
    assert_eq!(error["code"], "forbidden");
    error_of(elsewhere.get(&format!("/api/v1/cases/{critical_now}")).await, 403).await;
    error_of(event(&elsewhere, critical_now, json!({"to": "acknowledged"})).await, 403).await;
    assert_eq!(counselor.get_json(&format!("/api/v1/cases/{critical_now}")).await["case"]["state"], "open");
}

async fn a_case_moves_from_open_to_closed_with_notes_and_cannot_close_without_an_outcome(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let case = raise(&app, submission()).await;
    let started = server::day::now();

    let acknowledged = moved(&counselor, case, json!({"to": "acknowledged", "note": "asked the class teacher"})).await;
    assert_eq!(acknowledged["case"]["state"], "acknowledged");
    moved(&counselor, case, json!({"to": "contacted", "note": "talked with the student"})).await;
    for outcome in [json!(null), json!("   ")] {
        let error = error_of(event(&counselor, case, json!({"to": "closed", "outcome": outcome})).await, 422).await;
        assert_eq!(error["field"], "outcome", "{outcome}");
    }
    let outcome = "seen by the school psychologist; no further action";
    let closed = moved(&counselor, case, json!({"to": "closed", "note": "done", "outcome": outcome})).await;
    assert_eq!(closed["case"]["state"], "closed");

    // A closed case stays closed; an open one cannot be opened again.
    let error = error_of(event(&counselor, case, json!({"to": "acknowledged"})).await, 409).await;
    assert_eq!(error["code"], "invalid_transition");
    let fresh = raise(&app, submission()).await;
    assert_eq!(
        error_of(event(&counselor, fresh, json!({"to": "open"})).await, 409).await["code"],
        "invalid_transition"
    );
    // A referral is recorded as one (`…/referrals`), not as a state.
    let error = error_of(event(&counselor, fresh, json!({"to": "referred", "outcome": "x"})).await, 409).await;
    assert_eq!(error["code"], "invalid_transition");
    // Lifting (解除) needs its reason.
    let lifted = raise(&app, submission()).await;
    let error = error_of(event(&counselor, lifted, json!({"to": "lifted"})).await, 422).await;
    assert_eq!(error["field"], "outcome");
    let reason = "re-check: answered item 9 by mistake, confirmed in interview";
    assert_eq!(moved(&counselor, lifted, json!({"to": "lifted", "outcome": reason})).await["case"]["state"], "lifted");

    let detail = counselor.get_json(&format!("/api/v1/cases/{case}")).await;
    let finished = server::day::now();
    let events = detail["events"].as_array().unwrap();
    let steps: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap(), e["note"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("open", "acknowledged", "asked the class teacher"),
            ("acknowledged", "contacted", "talked with the student"),
            ("contacted", "closed", "done")
        ]
    );
    for e in events {
        assert_eq!(e["by"], "counselor@example.org");
        let at = e["at"].as_i64().unwrap();
        assert!((started..=finished).contains(&at), "{at} not within {started}–{finished}");
    }
    assert_eq!(events[2]["outcome"], outcome);
    assert_eq!(events[0]["outcome"], Value::Null);

    // The queue leaves finished cases out unless asked.
    let ids =
        |queue: Value| queue["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let unfinished = counselor.get_json(&format!("/api/v1/organizations/{org}/cases")).await;
    assert_eq!(ids(unfinished), [fresh]);
    let all = counselor.get_json(&format!("/api/v1/organizations/{org}/cases?include_finished=true")).await;
    let mut all = ids(all);
    all.sort_unstable();
    assert_eq!(all, [case, fresh, lifted]);
}

async fn two_counselors_moving_a_case_at_once_change_it_once(app: TestApp) {
    let org = app.demo_org().await;
    let first = app.staff("first@example.org", Role::Counselor, Some(org)).await;
    let second = app.staff("second@example.org", Role::Counselor, Some(org)).await;
    let case = raise(&app, submission()).await;
    let (a, b) = tokio::join!(
        event(&first, case, json!({"to": "acknowledged", "note": "mine"})),
        event(&second, case, json!({"to": "acknowledged", "note": "mine"}))
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let detail = first.get_json(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);
}

async fn follow_up_figures_count_what_happened_to_the_cases(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let contacted_late = raise(&app, submission()).await;
    let closed = raise(&app, submission()).await;
    let acknowledged = raise(&app, high_submission()).await;
    let _open = raise(&app, submission()).await;
    let overdue = raise(&app, high_submission()).await;
    for case in [contacted_late, closed] {
        moved(&counselor, case, json!({"to": "acknowledged"})).await;
        moved(&counselor, case, json!({"to": "contacted"})).await;
    }
    moved(&counselor, closed, json!({"to": "closed", "outcome": "referred to the school psychologist"})).await;
    moved(&counselor, acknowledged, json!({"to": "acknowledged"})).await;
    // Contact came 30 hours after the flag for one case (so it was also acknowledged
    // late), 2 hours after for the other; the last case has waited 48 hours.
    for (case, hours) in [(contacted_late, 30), (closed, 2)] {
        sqlx::query("UPDATE cases SET opened_at = contacted_at - $1 WHERE id = $2")
            .bind(hours * HOUR)
            .bind(case)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    age(&app, overdue, 48).await;

    let figures = counselor.get_json(&format!("/api/v1/organizations/{org}/follow-up")).await;
    assert_eq!(figures.as_array().unwrap().len(), 1, "{figures}");
    assert_eq!(figures[0]["campaign"], "DEMO");
    assert_eq!(
        figures[0]["figures"],
        json!({
            "flags_raised": 5,
            // `closed` (2 h) and `acknowledged` (at once); not `contacted_late` (30 h).
            "acknowledged_within_24h": 2,
            "acknowledged_within_24h_share": 0.4,
            // Median of 30 h and 2 h.
            "median_hours_to_contact": 16.0,
            // All but `closed`.
            "open_cases": 4,
            "overdue_cases": 1
        })
    );
}

async fn logins_case_views_changes_and_exports_are_audited_and_the_log_cannot_be_rewritten(app: TestApp) {
    let org = app.demo_org().await;
    let started = server::day::now();
    let password = "counselor password";
    app.create_staff("counselor@example.org", password, Role::Counselor, Some(org)).await;
    for (email, wrong) in [("counselor@example.org", "wrong password"), ("nobody@example.org", password)] {
        let response = app.post_json("/api/v1/session", &json!({"email": email, "password": wrong})).await;
        assert_eq!(response.status(), 401);
    }
    let counselor = StaffClient::sign_in(&app, "counselor@example.org", password).await;
    let case = raise(&app, submission()).await;
    counselor.get_json(&format!("/api/v1/cases/{case}")).await;
    moved(&counselor, case, json!({"to": "acknowledged"})).await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let csv = admin.get(&format!("/api/v1/organizations/{org}/campaigns/DEMO/access-codes.csv")).await;
    assert_eq!(csv.status(), 200);
    let platform = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let log = platform.get_json("/api/v1/audit").await;
    let finished = server::day::now();

    let log = log.as_array().unwrap();
    let counselor_email = json!("counselor@example.org");
    let case_subject = format!("case {case}");
    let expected: [(&str, Value, Option<i64>, &str); 6] = [
        ("login_failed", counselor_email.clone(), None, "wrong password"),
        ("login_failed", Value::Null, None, "unknown account"),
        ("login", counselor_email.clone(), None, "signed in"),
        ("case_viewed", counselor_email.clone(), Some(org), &case_subject),
        ("case_changed", counselor_email.clone(), Some(org), &case_subject),
        ("codes_exported", json!("admin@example.org"), Some(org), "campaign DEMO"),
    ];
    for (action, actor, organization, subject) in expected {
        let found = log.iter().find(|e| {
            e["action"] == action && e["actor"] == actor && e["subject"].as_str().unwrap().starts_with(subject)
        });
        let entry = found.unwrap_or_else(|| panic!("no {action} by {actor} of {subject} in {log:#?}"));
        assert_eq!(entry["organization_id"], json!(organization), "{entry}");
        let at = entry["at"].as_i64().unwrap();
        assert!((started..=finished).contains(&at), "{entry}: not within {started}–{finished}");
    }
    // The organization's own log holds its entries, as its admin sees them.
    let own = admin.get_json(&format!("/api/v1/organizations/{org}/audit")).await;
    let actions: Vec<&str> = own.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["case_viewed", "case_changed", "codes_exported"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }

    // Append-only, whoever holds the database.
    let rows = app.count("audit_log").await;
    for statement in [
        "UPDATE audit_log SET subject = 'nothing happened'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'login_failed'",
    ] {
        let refused = sqlx::query(statement).execute(app.store.pool()).await;
        let error = refused.err().unwrap_or_else(|| panic!("{statement} was allowed")).to_string();
        assert!(error.contains("append-only"), "{statement}: refused for another reason: {error}");
    }
    if app.engine == Engine::Postgres {
        let error = sqlx::query("TRUNCATE audit_log").execute(app.store.pool()).await.expect_err("TRUNCATE refused");
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(app.count("audit_log").await, rows);
    let unchanged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE subject = 'nothing happened'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(unchanged, 0);
}
