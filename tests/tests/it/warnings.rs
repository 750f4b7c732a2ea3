//! Warnings (预警): levels as platform data, the first-contact deadline, and the life
//! of a warning through the API — re-check, interview, referral, visits, closing —
//! with the "no names, no numbers" guard on every free-text field.

use instruments::wire::staff::Role;
use reqwest::Method;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{error_of, high_submission, submission};

const SUBMIT: &str = "/api/v1/campaigns/DEMO/submissions";

on_both_databases!(
    a_phq9_item_9_answer_opens_a_level_1_warning_due_30_minutes_later,
    a_counselor_works_a_warning_from_re_check_to_closing,
    every_free_text_field_refuses_phone_id_and_email_and_changes_nothing,
    warning_levels_are_checked_and_changing_them_never_rewrites_a_warning,
    the_queue_filters_by_level_state_campaign_cohort_due_and_code,
);

/// Submits to DEMO; returns the case id and the respondent code.
async fn raise(app: &TestApp, body: Value) -> (i64, String) {
    let response = app.post_json(SUBMIT, &body).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    let code = receipt["respondent_code"].as_str().unwrap().to_owned();
    let id = sqlx::query_scalar(
        "SELECT k.id FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.respondent_code = $1",
    )
    .bind(&code)
    .fetch_one(app.store.pool())
    .await
    .expect("a flagged submission raises a case");
    (id, code)
}

/// Sends and expects 200; returns the JSON.
async fn ok(client: &StaffClient, method: Method, path: &str, body: Value) -> Value {
    let response = client.send(method.clone(), path, Some(&body)).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{method} {path} {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn post(client: &StaffClient, path: &str, body: Value) -> Value {
    ok(client, Method::POST, path, body).await
}

fn interview(plan: &str) -> Value {
    json!({"values": {
        "date": server::day::today(), "mode": "face_to_face", "present": ["student", "homeroom_teacher"],
        "risk": "medium", "protective_factors": "close to grandmother; plays basketball", "plan": plan,
        "next_follow_up": "2099-01-15"
    }})
}

async fn destination(admin: &StaffClient, levels: Value) -> i64 {
    let body = json!({"name": "District mental health centre", "kind": "hospital", "levels": levels,
        "contact": "outpatient desk, weekdays"});
    post(admin, "/api/v1/platform/referral-destinations", body).await["id"].as_i64().unwrap()
}

async fn a_phq9_item_9_answer_opens_a_level_1_warning_due_30_minutes_later(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let before = server::day::now();
    let (id, _) = raise(&app, submission()).await;
    let (high, _) = raise(&app, high_submission()).await;

    let detail = counselor.get_json(&format!("/api/v1/cases/{id}")).await;
    let case = &detail["case"];
    assert_eq!(case["level"], "level1");
    let opened = case["opened_at"].as_i64().unwrap();
    assert!(opened >= before);
    assert_eq!(case["due_at"].as_i64().unwrap(), opened + 30 * 60);
    assert_eq!(case["overdue"], false);
    assert_eq!(case["first_contact_at"], Value::Null);
    let history = detail["level_changes"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["by"], Value::Null, "opened by the screening");
    assert_eq!(history[0]["from"], Value::Null);
    assert_eq!(history[0]["to"], "level1");

    let high = counselor.get_json(&format!("/api/v1/cases/{high}")).await;
    assert_eq!(high["case"]["level"], "level2");
    let opened = high["case"]["opened_at"].as_i64().unwrap();
    assert_eq!(high["case"]["due_at"].as_i64().unwrap(), opened + 24 * 3600);

    // Past its due time without contact, it is overdue; contact is what counts.
    sqlx::query("UPDATE cases SET due_at = $1 WHERE id = $2")
        .bind(server::day::now() - 1)
        .bind(id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let path = format!("/api/v1/cases/{id}/events");
    let acknowledged = post(&counselor, &path, json!({"to": "acknowledged"})).await;
    assert_eq!(acknowledged["case"]["overdue"], true, "acknowledging is not contact");
    let contacted = post(&counselor, &path, json!({"to": "contacted"})).await;
    assert_eq!(contacted["case"]["overdue"], false);
    assert!(contacted["case"]["first_contact_at"].as_i64().is_some());
}

async fn a_counselor_works_a_warning_from_re_check_to_closing(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let admin = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let urgent_only = destination(&admin, json!(["level1"])).await;
    let centre = destination(&admin, json!(["level1", "level2"])).await;
    let (id, _) = raise(&app, submission()).await;
    let case = format!("/api/v1/cases/{id}");

    // Re-check (复核): lower to level 2 with a reason; the reason is required.
    for (body, field) in [
        (json!({"level": "level2", "reason": "  "}), "reason"),
        (json!({"level": "level9", "reason": "x"}), "level"),
        (json!({"level": "level1", "reason": "same"}), "level"),
        (json!({"level": "level2", "reason": "x".repeat(501)}), "reason"),
    ] {
        let error = error_of(counselor.post(&format!("{case}/level"), &body).await, 422).await;
        assert_eq!(error["field"], field, "{body}");
    }
    let before = server::day::now();
    let lowered = post(
        &counselor,
        &format!("{case}/level"),
        json!({"level": "level2", "reason": "re-check with the homeroom teacher: item 9 misread"}),
    )
    .await;
    assert_eq!(lowered["case"]["level"], "level2");
    let due = lowered["case"]["due_at"].as_i64().unwrap();
    assert!((before + 24 * 3600..=server::day::now() + 24 * 3600).contains(&due), "due follows the new level");
    let history = lowered["level_changes"].as_array().unwrap();
    assert_eq!(history.len(), 2, "nothing is overwritten");
    assert_eq!(history[1]["from"], "level1");
    assert_eq!(history[1]["to"], "level2");
    assert_eq!(history[1]["by"], "counselor@example.org");
    assert_eq!(history[1]["reason"], "re-check with the homeroom teacher: item 9 misread");

    // Interview (约谈记录): required fields enforced; it is first contact and plans the visit.
    let mut missing = interview("weekly talks");
    missing["values"].as_object_mut().unwrap().remove("plan");
    let error = error_of(counselor.post(&format!("{case}/interviews"), &missing).await, 422).await;
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("field_required"), Some("values.plan")));
    let mut named = interview("weekly talks");
    named["values"]["student_name"] = json!("李明");
    let error = error_of(counselor.post(&format!("{case}/interviews"), &named).await, 422).await;
    assert_eq!(error["field"], "values.student_name");
    let interviewed = post(&counselor, &format!("{case}/interviews"), interview("weekly talks")).await;
    assert_eq!(interviewed["case"]["state"], "contacted");
    assert!(interviewed["case"]["first_contact_at"].as_i64().is_some());
    assert_eq!(interviewed["case"]["next_visit_on"], "2099-01-15");
    assert_eq!(interviewed["interviews"][0]["values"]["present"], json!(["student", "homeroom_teacher"]));

    // Referral (转介): the destination must take the warning's level.
    let today = server::day::today();
    let refer = |d: i64| json!({"destination_id": d, "referred_on": today, "note": "outpatient assessment"});
    let error = error_of(counselor.post(&format!("{case}/referrals"), &refer(urgent_only)).await, 422).await;
    assert_eq!(error["field"], "destination_id");
    let error = error_of(counselor.post(&format!("{case}/referrals"), &refer(999_999)).await, 422).await;
    assert_eq!(error["field"], "destination_id");
    let referred = post(&counselor, &format!("{case}/referrals"), refer(centre)).await;
    assert_eq!(referred["case"]["state"], "referred");
    let referral = referred["referrals"][0]["id"].as_i64().unwrap();
    assert_eq!(referred["referrals"][0]["destination"], "District mental health centre");
    let update = format!("{case}/referrals/{referral}");
    let confirmed = post(&counselor, &update, json!({"confirmed_on": today})).await;
    assert_eq!(confirmed["referrals"][0]["confirmed_on"], today.as_str());
    let error = error_of(counselor.post(&update, &json!({"confirmed_on": "2026-01-01"})).await, 409).await;
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("already_set"), Some("confirmed_on")));
    post(&counselor, &update, json!({"outcome": "assessed; outpatient therapy every two weeks"})).await;

    // Visits (回访) go on after the referral, then the warning is closed.
    let error = error_of(
        counselor.post(&format!("{case}/visits"), &json!({"visited_on": today, "next_visit_on": "2020-01-01"})).await,
        422,
    )
    .await;
    assert_eq!(error["field"], "next_visit_on");
    let visited = post(
        &counselor,
        &format!("{case}/visits"),
        json!({"visited_on": today, "note": "attending therapy", "next_visit_on": "2099-02-01"}),
    )
    .await;
    assert_eq!(visited["case"]["next_visit_on"], "2099-02-01");
    assert_eq!(visited["visits"][0]["note"], "attending therapy");
    let closed =
        post(&counselor, &format!("{case}/events"), json!({"to": "closed", "outcome": "stable after three months"}))
            .await;
    assert_eq!(closed["case"]["state"], "closed");
    let error = error_of(counselor.post(&format!("{case}/interviews"), &interview("more")).await, 409).await;
    assert_eq!(error["code"], "case_finished");

    let states: Vec<&str> = closed["events"].as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap()).collect();
    assert_eq!(states, ["contacted", "referred", "closed"]);
}

async fn every_free_text_field_refuses_phone_id_and_email_and_changes_nothing(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let admin = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let centre = destination(&admin, json!([])).await;
    let (id, _) = raise(&app, submission()).await;
    let case = format!("/api/v1/cases/{id}");
    let today = server::day::today();
    post(&counselor, &format!("{case}/referrals"), json!({"destination_id": centre, "referred_on": today})).await;
    let referral = counselor.get_json(&case).await["referrals"][0]["id"].as_i64().unwrap();

    let identifying = [
        "家长电话 138 1234 5678",
        "+86 13912345678",
        "身份证 11010520080101234X",
        "mail li.ming@school.edu.cn",
        "ｌｉ＠ｑｑ．ｃｏｍ",
    ];
    // (path, body with the text at `field`, field as the error names it)
    type Body = fn(&str, &str) -> Value;
    let fields: [(String, Body, &str); 9] = [
        (format!("{case}/events"), |t, _| json!({"to": "closed", "note": t, "outcome": "done"}), "note"),
        (format!("{case}/events"), |t, _| json!({"to": "lifted", "outcome": t}), "outcome"),
        (format!("{case}/level"), |t, _| json!({"level": "level2", "reason": t}), "reason"),
        (
            format!("{case}/interviews"),
            |t, _| {
                let mut body = interview("plan");
                body["values"]["protective_factors"] = json!(t);
                body
            },
            "values.protective_factors",
        ),
        (format!("{case}/interviews"), |t, _| interview(t), "values.plan"),
        (
            format!("{case}/referrals"),
            |t, d| json!({"destination_id": d.parse::<i64>().unwrap(), "referred_on": "2026-12-01", "note": t}),
            "note",
        ),
        (format!("{case}/referrals/{referral}"), |t, _| json!({"outcome": t}), "outcome"),
        (format!("{case}/visits"), |t, _| json!({"visited_on": "2026-12-01", "note": t}), "note"),
        (format!("{case}/events"), |t, _| json!({"to": "closed", "note": "ok", "outcome": t}), "outcome"),
    ];
    let before = counselor.get_json(&case).await;
    for (path, body, field) in &fields {
        for text in identifying {
            let body = body(text, &centre.to_string());
            let error = error_of(counselor.post(path, &body).await, 422).await;
            assert_eq!(error["code"], "identifying_text", "{path} {body}");
            assert_eq!(error["field"], *field, "{path} {body}");
        }
    }
    assert_eq!(counselor.get_json(&case).await, before, "nothing changed");

    // Near misses are ordinary notes.
    for text in ["第 12 周复查，PHQ-9 由 19 降到 8", "@班主任 周三 14:30 面谈", "1381234567"] {
        let note = post(&counselor, &format!("{case}/visits"), json!({"visited_on": today, "note": text})).await;
        assert_eq!(note["visits"].as_array().unwrap().last().unwrap()["note"], text);
    }
}

async fn warning_levels_are_checked_and_changing_them_never_rewrites_a_warning(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let levels = counselor.get_json("/api/v1/platform/warning-levels").await;
    assert_eq!(levels["levels"][0]["id"], "level1");
    assert_eq!(levels["levels"][0]["first_contact_minutes"], 30);
    assert_eq!(levels["levels"][0]["label"]["zh-Hans"], "一级预警");
    let (old, _) = raise(&app, submission()).await;
    let old_due = counselor.get_json(&format!("/api/v1/cases/{old}")).await["case"]["due_at"].clone();

    let put = |body: Value| {
        let admin = &admin;
        async move { admin.send(Method::PUT, "/api/v1/platform/warning-levels", Some(&body)).await }
    };
    let mut broken = levels.clone();
    broken["levels"][1]["rank"] = json!(1);
    assert_eq!(error_of(put(broken).await, 422).await["field"], "levels[1].rank");
    let mut broken = levels.clone();
    broken["levels"][2]["first_contact_minutes"] = json!(0);
    assert_eq!(error_of(put(broken).await, 422).await["field"], "levels[2].first_contact_minutes");
    let mut broken = levels.clone();
    broken["flag_levels"].as_array_mut().unwrap().pop();
    assert_eq!(error_of(put(broken).await, 422).await["field"], "flag_levels");
    // level1 is held by an unfinished warning: it cannot go.
    let mut without = levels.clone();
    without["levels"].as_array_mut().unwrap().remove(0);
    without["levels"][0]["rank"] = json!(1);
    without["levels"][1]["rank"] = json!(2);
    without["flag_levels"][0]["level"] = json!("level2");
    let error = error_of(put(without).await, 409).await;
    assert_eq!(error["code"], "level_in_use");
    assert_eq!(counselor.get_json("/api/v1/platform/warning-levels").await, levels, "nothing changed");

    // A longer deadline, and both flags of the DEMO submission mapped to level 3 by
    // instrument: new warnings follow, the old one keeps its level and due time.
    let mut changed = levels.clone();
    changed["levels"][0]["first_contact_minutes"] = json!(120);
    let overrides = changed["flag_levels"].as_array_mut().unwrap();
    overrides.push(json!({"instrument": "phq9", "flag": "critical", "level": "level3"}));
    overrides.push(json!({"instrument": "gad7", "flag": "severe", "level": "level3"}));
    let saved = ok(&admin, Method::PUT, "/api/v1/platform/warning-levels", changed.clone()).await;
    assert_eq!(saved, changed);
    assert_eq!(counselor.get_json("/api/v1/platform/warning-levels").await, changed);
    let old_now = counselor.get_json(&format!("/api/v1/cases/{old}")).await;
    assert_eq!((old_now["case"]["level"].clone(), old_now["case"]["due_at"].clone()), (json!("level1"), old_due));
    let (new, _) = raise(&app, submission()).await;
    let new = counselor.get_json(&format!("/api/v1/cases/{new}")).await;
    assert_eq!(new["case"]["level"], "level3");
    let opened = new["case"]["opened_at"].as_i64().unwrap();
    assert_eq!(new["case"]["due_at"].as_i64().unwrap(), opened + 72 * 3600);
}

async fn the_queue_filters_by_level_state_campaign_cohort_due_and_code(app: TestApp) {
    let org = app.demo_org().await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let (urgent, urgent_code) = raise(&app, submission()).await; // level 1, grade 8
    let (high, _) = raise(&app, high_submission()).await; // level 2, grade 9
    let (late, _) = raise(&app, high_submission()).await;
    sqlx::query("UPDATE cases SET due_at = $1 WHERE id = $2")
        .bind(server::day::now() - 60)
        .bind(late)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (visit_today, _) = raise(&app, high_submission()).await;
    post(&counselor, &format!("/api/v1/cases/{visit_today}/events"), json!({"to": "contacted"})).await;
    ok(
        &counselor,
        Method::PUT,
        &format!("/api/v1/cases/{visit_today}/next-visit"),
        json!({"on": server::day::today()}),
    )
    .await;
    post(&counselor, &format!("/api/v1/cases/{high}/events"), json!({"to": "acknowledged"})).await;

    let queue = |query: &str| {
        let counselor = &counselor;
        let path = format!("/api/v1/organizations/{org}/cases{query}");
        async move {
            let answer = counselor.get_json(&path).await;
            let mut ids: Vec<i64> =
                answer["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
            ids.sort_unstable();
            (ids, answer)
        }
    };
    let (all, answer) = queue("").await;
    assert_eq!(all, [urgent, high, late, visit_today]);
    assert_eq!(answer["counts"], json!([{"level": "level1", "count": 1}, {"level": "level2", "count": 3}]));
    assert_eq!(answer["overdue"], 1);
    assert_eq!(queue("?level=level1").await.0, [urgent]);
    assert_eq!(queue("?state=acknowledged").await.0, [high]);
    assert_eq!(queue("?cohort=grade:8").await.0, [urgent]);
    assert_eq!(queue("?campaign=DEMO&level=level2").await.0, [high, late, visit_today]);
    assert_eq!(queue("?campaign=OTHER").await.0, Vec::<i64>::new());
    assert_eq!(queue("?due=overdue").await.0, [late]);
    // Level 1 is due within 30 minutes, so today (unless opened just before midnight
    // UTC); a late one is overdue, not "due today".
    let (today, answer) = queue("?due=today").await;
    assert!(today.contains(&visit_today) && !today.contains(&late), "{today:?}");
    assert_eq!(answer["due_today"].as_i64().unwrap(), today.len() as i64);
    assert_eq!(queue(&format!("?code={}", urgent_code.to_lowercase())).await.0, [urgent]);
    let (filtered, answer) = queue("?level=level1").await;
    assert_eq!(filtered.len(), 1);
    assert_eq!(answer["counts"][1]["count"], 3, "counts are the organization's, whatever the filters");
    for (query, field) in
        [("?state=gone", "state"), ("?due=tomorrow", "due"), ("?cohort=grade8", "cohort"), ("?sort=x", "sort")]
    {
        let error = error_of(counselor.get(&format!("/api/v1/organizations/{org}/cases{query}")).await, 422).await;
        assert_eq!(error["field"], field, "{query}");
    }
}
