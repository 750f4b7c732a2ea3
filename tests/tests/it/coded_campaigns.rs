//! Campaigns an organization runs: coded campaigns and their one-time access codes,
//! the rules a campaign must follow, opening days, closing, and consent.

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{campaign_spec, error_of, phq9_submission, submission};

on_both_databases!(
    an_org_admin_runs_a_coded_campaign_from_codes_to_submissions,
    campaign_rules_are_enforced_naming_the_field,
    a_campaign_takes_submissions_only_while_open,
    guardian_and_health_consent_are_required_when_asked,
    instruments_cannot_change_once_answers_were_submitted,
);

/// The demo organization's id and a signed-in org admin of it.
async fn org_admin(app: &TestApp) -> (i64, StaffClient) {
    let org = app.demo_org().await;
    (org, app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await)
}

/// Creates a campaign, which must succeed; returns its detail.
async fn create(admin: &StaffClient, org: i64, spec: &Value) -> Value {
    let response = admin.post(&format!("/api/v1/organizations/{org}/campaigns"), spec).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A PHQ-9 submission to a campaign made from `campaign_spec`, with an access code.
fn coded_submission(code: &str) -> Value {
    let mut body = phq9_submission();
    body["access_code"] = json!(code);
    body
}

/// `ABCDEFGHJK` as printed on a slip: `ABCDE FGHJK`.
fn grouped(code: &str) -> String {
    format!("{} {}", &code[..5], &code[5..])
}

async fn an_org_admin_runs_a_coded_campaign_from_codes_to_submissions(app: TestApp) {
    let (org, admin) = org_admin(&app).await;
    let detail = create(&admin, org, &campaign_spec("spring", "coded")).await;
    assert_eq!(detail["spec"]["code"], "SPRING", "codes are upper-cased");
    assert_eq!(detail["state"], "open");
    let campaign = format!("/api/v1/organizations/{org}/campaigns/SPRING");

    let response = admin.post(&format!("{campaign}/access-codes"), &json!({"count": 3})).await;
    assert_eq!(response.status(), 201);
    let generated: Value = response.json().await.unwrap();
    let codes: Vec<String> = generated.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().into()).collect();
    assert_eq!(codes.len(), 3);
    for code in &codes {
        assert_eq!(code.len(), 10);
        assert!(code.chars().all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)), "{code}");
    }

    // The list for a mail merge, and slips to cut and hand out.
    let csv = admin.get(&format!("{campaign}/access-codes.csv")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    let mut lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.remove(0), "code,used");
    let mut expected: Vec<String> = codes.iter().map(|c| format!("{c},no")).collect();
    lines.sort_unstable();
    expected.sort();
    assert_eq!(lines, expected);
    let slips = admin.get(&format!("{campaign}/access-codes/slips")).await;
    assert_eq!(slips.status(), 200);
    assert!(slips.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let slips = slips.text().await.unwrap();
    for code in &codes {
        assert!(slips.contains(&grouped(code)), "{code} is not on the slips");
    }

    // A respondent may check a code before answering, however they type it.
    let check = "/api/v1/campaigns/SPRING/access-codes/check";
    assert_eq!(app.post_json(check, &json!({"code": codes[0]})).await.status(), 204);
    let typed = format!("{}-{}", codes[1][..5].to_lowercase(), codes[1][5..].to_lowercase());
    assert_eq!(app.post_json(check, &json!({"code": typed})).await.status(), 204);
    for unknown in ["0000000000", "12345"] {
        let error = error_of(app.post_json(check, &json!({"code": unknown})).await, 422).await;
        assert_eq!(error["code"], "invalid_access_code", "{unknown}");
    }

    // The code becomes the respondent code, and works once.
    let submit = "/api/v1/campaigns/SPRING/submissions";
    let response = app.post_json(submit, &coded_submission(&grouped(&codes[0].to_lowercase()))).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["respondent_code"], codes[0].as_str());
    let error = error_of(app.post_json(submit, &coded_submission(&codes[0])).await, 422).await;
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("invalid_access_code"), Some("access_code")));
    let error = error_of(app.post_json(check, &json!({"code": codes[0]})).await, 422).await;
    assert_eq!(error["code"], "invalid_access_code");
    assert_eq!(app.count("submissions").await, 1);

    // A coded campaign needs a code; an anonymous one takes none.
    let error = error_of(app.post_json(submit, &phq9_submission()).await, 422).await;
    assert_eq!(error["field"], "access_code");
    let mut anonymous = submission();
    anonymous["access_code"] = json!(codes[2]);
    let error = error_of(app.post_json("/api/v1/campaigns/DEMO/submissions", &anonymous).await, 422).await;
    assert_eq!(error["field"], "access_code");
    assert_eq!(app.count("submissions").await, 1);

    // The admin sees the code as used; it is no longer printed.
    let listed = admin.get_json(&format!("{campaign}/access-codes")).await;
    let used: Vec<&str> =
        listed.as_array().unwrap().iter().filter(|c| c["used"] == true).map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(used, [codes[0].as_str()]);
    let csv = admin.get(&format!("{campaign}/access-codes.csv")).await.text().await.unwrap();
    assert!(csv.contains(&format!("{},yes", codes[0])), "{csv}");
    let slips = admin.get(&format!("{campaign}/access-codes/slips")).await.text().await.unwrap();
    assert!(!slips.contains(&grouped(&codes[0])));
    let detail = admin.get_json(&campaign).await;
    assert_eq!((detail["submissions"].as_i64(), detail["codes_issued"].as_i64()), (Some(1), Some(3)));
    assert_eq!(detail["codes_used"], 1);

    // The flag raised a case the school can act on: it names the code it handed out.
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let queue = counselor.get_json(&format!("/api/v1/organizations/{org}/cases")).await;
    assert_eq!(queue["cases"][0]["respondent_code"], codes[0].as_str());
    assert_eq!(queue["cases"][0]["anonymity"], "coded");
}

async fn campaign_rules_are_enforced_naming_the_field(app: TestApp) {
    let (org, admin) = org_admin(&app).await;
    let campaigns = format!("/api/v1/organizations/{org}/campaigns");
    let before = app.count("campaigns").await;

    // PHQ-9 is validated from age 12.
    let mut children = campaign_spec("CHILDREN", "anonymous");
    children["min_age"] = json!(8);
    let error = error_of(admin.post(&campaigns, &children).await, 422).await;
    assert_eq!(error["field"], "instruments[0]", "{error}");
    // WHO-5 has no validated Chinese wording.
    let mut who5 = campaign_spec("WELLBEING", "anonymous");
    who5["instruments"] = json!([{"id": "who5", "version": "1.0.0"}]);
    let error = error_of(admin.post(&campaigns, &who5).await, 422).await;
    assert_eq!(error["field"], "instruments[0]", "{error}");
    assert!(error["message"].as_str().unwrap().contains("zh-Hans"), "{error}");
    // Reports never show groups below 5.
    let mut small = campaign_spec("SMALL", "anonymous");
    small["min_group_size"] = json!(4);
    let error = error_of(admin.post(&campaigns, &small).await, 422).await;
    assert_eq!(error["field"], "min_group_size");
    assert_eq!(app.count("campaigns").await, before);

    // A code names one campaign on the whole platform.
    create(&admin, org, &campaign_spec("SPRING", "anonymous")).await;
    for taken in ["SPRING", "spring", "DEMO"] {
        let error = error_of(admin.post(&campaigns, &campaign_spec(taken, "coded")).await, 409).await;
        assert_eq!(error["field"], "code", "{taken}");
    }
    assert_eq!(app.count("campaigns").await, before + 1);
}

async fn a_campaign_takes_submissions_only_while_open(app: TestApp) {
    let (org, admin) = org_admin(&app).await;
    let tomorrow = server::day::day_of(server::day::now() + 86_400);
    let mut later = campaign_spec("LATER", "anonymous");
    later["opens_on"] = json!(tomorrow);
    assert_eq!(create(&admin, org, &later).await["state"], "not_yet_open");
    let error = error_of(app.post_json("/api/v1/campaigns/LATER/submissions", &phq9_submission()).await, 409).await;
    assert_eq!(error["code"], "campaign_not_open");
    assert!(error["message"].as_str().unwrap().contains(&tomorrow), "{error}");

    create(&admin, org, &campaign_spec("NOW", "anonymous")).await;
    let submit = "/api/v1/campaigns/NOW/submissions";
    assert_eq!(app.post_json(submit, &phq9_submission()).await.status(), 201);
    let state = format!("/api/v1/organizations/{org}/campaigns/NOW/state");
    let closed = admin.post(&state, &json!({"closed": true})).await;
    assert_eq!(closed.status(), 200);
    let closed: Value = closed.json().await.unwrap();
    assert_eq!((closed["state"].as_str(), closed["closed_by_admin"].as_bool()), (Some("closed"), Some(true)));
    let error = error_of(app.post_json(submit, &phq9_submission()).await, 409).await;
    assert_eq!(error["code"], "campaign_not_open");
    assert_eq!(
        app.http.get(app.url("/api/v1/campaigns/NOW")).send().await.unwrap().json::<Value>().await.unwrap()["state"],
        "closed"
    );

    // Reopened, it takes submissions again.
    let reopened: Value = admin.post(&state, &json!({"closed": false})).await.json().await.unwrap();
    assert_eq!(reopened["state"], "open");
    assert_eq!(app.post_json(submit, &phq9_submission()).await.status(), 201);
    assert_eq!(app.count("submissions").await, 2);
}

async fn guardian_and_health_consent_are_required_when_asked(app: TestApp) {
    let (org, admin) = org_admin(&app).await;
    let mut spec = campaign_spec("MINORS", "anonymous");
    spec["guardian_consent"] = json!(true);
    assert_eq!(create(&admin, org, &spec).await["spec"]["guardian_consent"], true);
    let submit = "/api/v1/campaigns/MINORS/submissions";
    let consent = |consent: Value| {
        let mut body = phq9_submission();
        body["consent"] = consent;
        body
    };
    for refused in [json!({"health": true}), json!({"health": true, "guardian": false})] {
        let error = error_of(app.post_json(submit, &consent(refused.clone())).await, 422).await;
        assert_eq!(error["field"], "consent.guardian", "{refused}");
    }
    let error = error_of(app.post_json(submit, &consent(json!({"health": false, "guardian": true}))).await, 422).await;
    assert_eq!(error["field"], "consent.health");
    assert_eq!(app.count("submissions").await, 0);
    assert_eq!(app.post_json(submit, &consent(json!({"health": true, "guardian": true}))).await.status(), 201);
    let guardian: Option<i64> =
        sqlx::query_scalar("SELECT consent_guardian FROM submissions").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(guardian, Some(1));

    // Health consent is required everywhere.
    let mut demo = submission();
    demo["consent"] = json!({"health": false});
    let error = error_of(app.post_json("/api/v1/campaigns/DEMO/submissions", &demo).await, 422).await;
    assert_eq!(error["field"], "consent.health");
    assert_eq!(app.count("submissions").await, 1);
}

async fn instruments_cannot_change_once_answers_were_submitted(app: TestApp) {
    let (org, admin) = org_admin(&app).await;
    create(&admin, org, &campaign_spec("FIXED", "anonymous")).await;
    let campaign = format!("/api/v1/organizations/{org}/campaigns/FIXED");
    assert_eq!(app.post_json("/api/v1/campaigns/FIXED/submissions", &phq9_submission()).await.status(), 201);

    let mut more = campaign_spec("FIXED", "anonymous");
    more["instruments"] = json!([{"id": "phq9", "version": "1.0.0"}, {"id": "gad7", "version": "1.0.0"}]);
    let response = admin.send(reqwest::Method::PUT, &campaign, Some(&more)).await;
    let error = error_of(response, 409).await;
    assert_eq!(error["field"], "instruments");
    assert_eq!(admin.get_json(&campaign).await["spec"]["instruments"].as_array().unwrap().len(), 1);

    // Other settings may still change.
    let mut renamed = campaign_spec("FIXED", "anonymous");
    renamed["name"]["en"] = json!("Spring screening, grade 8");
    assert_eq!(admin.send(reqwest::Method::PUT, &campaign, Some(&renamed)).await.status(), 200);
    assert_eq!(admin.get_json(&campaign).await["spec"]["name"]["en"], "Spring screening, grade 8");
}
