//! Urgent warnings are told at once, reliably: mail through a real SMTP server
//! (aiosmtpd) and an organization webhook to a real HTTP receiver, with nothing
//! personal in either; a receiver that is down gets the message when it is back; two
//! servers on one database send each notification once.

use std::time::Duration;

use instruments::wire::staff::Role;
use reqwest::Method;
use serde_json::{json, Value};
use xinan_tests::receiver::{closed_port, url_on, Receiver};
use xinan_tests::smtp::{decode_quoted_printable, messages_to, SmtpServer};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{error_of, high_submission, submission};

on_both_databases!(
    an_urgent_warning_reaches_counselors_by_mail_and_webhook_with_nothing_personal,
    a_webhook_must_be_http_and_public_and_only_its_org_admin_sets_it,
    a_receiver_that_is_down_gets_the_notification_when_it_is_back,
    two_servers_on_one_database_send_each_notification_once,
);

const SUBMIT: &str = "/api/v1/campaigns/DEMO/submissions";
const PUBLIC_URL: &str = "https://xinan.district.example";
const WAIT: Duration = Duration::from_secs(20);

/// A server on `app`'s engine with mail through `smtp`, webhooks to loopback allowed,
/// and retries after 200 ms.
async fn spawn_notifying(app: &TestApp, smtp: Option<&SmtpServer>) -> Option<TestApp> {
    let mail = smtp.map(|s| s.settings(PUBLIC_URL));
    TestApp::spawn_configured(app.engine, |s| {
        s.staff.mail = mail;
        s.staff.notify.public_url = Some(PUBLIC_URL.into());
        s.staff.notify.allow_private_webhooks = true;
        s.staff.notify.retry_base_ms = 200;
        s.staff.notify.retry_cap_ms = 400;
        s.staff.notify.poll_ms = 100;
    })
    .await
}

/// Submits to DEMO; the case id and the respondent code.
async fn raise(app: &TestApp, body: &Value) -> (i64, String) {
    let response = app.post_json(SUBMIT, body).await;
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

async fn set_webhook(admin: &StaffClient, org: i64, url: &str, format: &str) {
    let body = json!({"webhook_url": url, "webhook_format": format});
    let response = admin.send(Method::PUT, &format!("/api/v1/organizations/{org}/notifications"), Some(&body)).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

/// Waits until every notification of the database is sent; their number.
async fn all_sent(app: &TestApp) -> i64 {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE state <> 'sent'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        if pending == 0 {
            return app.count("notifications").await;
        }
        assert!(std::time::Instant::now() < deadline, "{pending} notifications still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Nothing in `text` that belongs to the respondent: the code, cohort, instruments,
/// scores or flags.
/// (The message's own disclaimer, which names what it leaves out, is not looked at.)
fn assert_nothing_personal(text: &str, code: &str) {
    let text = text.replace("This notice holds no answers, scores or personal data.", "");
    for forbidden in [code, "grade", "phq9", "gad7", "PHQ", "GAD", "score", "total", "critical", "severe", "answers"] {
        assert!(!text.contains(forbidden), "a notification holds `{forbidden}`: {text}");
        assert!(!forbidden.is_empty());
    }
}

async fn an_urgent_warning_reaches_counselors_by_mail_and_webhook_with_nothing_personal(app: TestApp) {
    let smtp = SmtpServer::start();
    let receiver = Receiver::start().await;
    let Some(app) = spawn_notifying(&app, Some(&smtp)).await else { return };
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    app.create_staff("second@example.org", "a long enough password", Role::Counselor, Some(org)).await;
    let platform = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let other: Value = platform
        .post("/api/v1/organizations", &json!({"name": "Other school", "kind": "school"}))
        .await
        .json()
        .await
        .unwrap();
    let other = other["id"].as_i64().unwrap();
    app.create_staff("elsewhere@example.org", "a long enough password", Role::Counselor, Some(other)).await;
    set_webhook(&admin, org, &receiver.url(), "json").await;

    // A level-2 warning tells nobody at once; a level-1 warning tells both counselors
    // of the organization and its webhook, and nobody elsewhere.
    raise(&app, &high_submission()).await;
    let (id, code) = raise(&app, &submission()).await;
    let mails = smtp.wait_for(2, WAIT).await;
    let posts = receiver.wait_for(1, WAIT).await;
    assert_eq!(all_sent(&app).await, 3);
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert!(messages_to(&mails, "elsewhere@example.org").is_empty());
    let link = format!("{PUBLIC_URL}/staff/case/{id}");
    for to in ["counselor@example.org", "second@example.org"] {
        let mail = decode_quoted_printable(&messages_to(&mails, to).pop().expect("a mail to each counselor"));
        for expected in ["Demo", "一级预警", "Urgent", "演示测评", "Demo screening", link.as_str()] {
            assert!(mail.contains(expected), "the mail lacks {expected}: {mail}");
        }
        assert_nothing_personal(&mail, &code);
    }
    let post = &posts[0];
    assert_eq!(post["event"], "warning_opened");
    assert_eq!(post["organization"], "Demo");
    assert_eq!(post["level"], "level1");
    assert_eq!(post["level_label"]["zh-Hans"], "一级预警");
    assert_eq!(post["campaign"]["en"], "Demo screening");
    assert_eq!(post["case_id"], id);
    assert_eq!(post["case_url"], link);
    let keys: Vec<&String> = post.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "no other fields: {post}");
    assert_nothing_personal(&post.to_string(), &code);

    // The warning's timeline lists what was sent.
    let detail = counselor.get_json(&format!("/api/v1/cases/{id}")).await;
    let sent = detail["notifications"].as_array().unwrap();
    assert_eq!(sent.len(), 3, "{detail}");
    assert!(sent.iter().all(|n| n["sent"] == true && n["kind"] == "warning_opened"), "{detail}");
    assert_eq!(sent.iter().filter(|n| n["channel"] == "email").count(), 2);

    // Raised to level 1 after a re-check: told again, as a group robot's text message.
    set_webhook(&admin, org, &receiver.url(), "robot").await;
    let (high, high_code) = raise(&app, &high_submission()).await;
    let raised = json!({"level": "level1", "reason": "said at the re-check that she has a plan"});
    assert_eq!(counselor.post(&format!("/api/v1/cases/{high}/level"), &raised).await.status(), 200);
    let posts = receiver.wait_for(2, WAIT).await;
    smtp.wait_for(4, WAIT).await;
    assert_eq!(all_sent(&app).await, 6);
    let robot = &posts[1];
    assert_eq!(robot["msgtype"], "text");
    let content = robot["text"]["content"].as_str().unwrap();
    assert!(content.contains("复核后升为一级预警") && content.contains(&format!("/staff/case/{high}")), "{content}");
    assert_nothing_personal(content, &high_code);
    // Lowering or re-raising within level 1 tells nobody.
    let lowered = json!({"level": "level3", "reason": "calmer at the interview"});
    assert_eq!(counselor.post(&format!("/api/v1/cases/{high}/level"), &lowered).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.count("notifications").await, 6);
}

async fn a_webhook_must_be_http_and_public_and_only_its_org_admin_sets_it(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let path = format!("/api/v1/organizations/{org}/notifications");
    assert_eq!(admin.get_json(&path).await, json!({"webhook_url": null, "webhook_format": "json"}));
    // The default server refuses the internal network: loopback, private ranges,
    // link-local (cloud metadata), IPv6 loopback and mapped addresses.
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "not a url",
    ] {
        let body = json!({"webhook_url": url, "webhook_format": "json"});
        let error = error_of(admin.send(Method::PUT, &path, Some(&body)).await, 422).await;
        assert_eq!(error["field"], "webhook_url", "{url}: {error}");
    }
    let long = format!("https://example.org/{}", "a".repeat(2100));
    let body = json!({"webhook_url": long, "webhook_format": "json"});
    assert_eq!(error_of(admin.send(Method::PUT, &path, Some(&body)).await, 422).await["field"], "webhook_url");
    let body = json!({"webhook_url": null, "webhook_format": "telegram"});
    assert_eq!(admin.send(Method::PUT, &path, Some(&body)).await.status(), 422);
    assert_eq!(app.count("organization_notifications").await, 0, "nothing refused is stored");
    // A counselor can neither read nor set it.
    assert_eq!(counselor.get(&path).await.status(), 403);
    let body = json!({"webhook_url": null, "webhook_format": "json"});
    assert_eq!(counselor.send(Method::PUT, &path, Some(&body)).await.status(), 403);
}

async fn a_receiver_that_is_down_gets_the_notification_when_it_is_back(app: TestApp) {
    let Some(app) = spawn_notifying(&app, None).await else { return };
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let port = closed_port();
    set_webhook(&admin, org, &url_on(port), "json").await;

    // The submission is answered while the receiver is down; attempts fail and are
    // recorded.
    let (id, _) = raise(&app, &submission()).await;
    let deadline = std::time::Instant::now() + WAIT;
    while app.count("notification_attempts").await < 2 {
        assert!(std::time::Instant::now() < deadline, "no failed attempts recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let detail = counselor.get_json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["notifications"][0]["sent"], false, "{detail}");
    assert!(detail["notifications"][0]["attempts"].as_i64().unwrap() >= 2, "{detail}");

    let receiver = Receiver::start_on(port).await;
    let posts = receiver.wait_for(1, WAIT).await;
    assert_eq!(all_sent(&app).await, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.bodies().len(), 1, "delivered once: {posts:#?}");
    assert_eq!(posts[0]["case_id"], id);
    let outcomes: Vec<String> = sqlx::query_scalar("SELECT outcome FROM notification_attempts ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(outcomes.last().map(String::as_str), Some("sent"));
    assert!(outcomes[..outcomes.len() - 1].iter().all(|o| o == "failed"), "{outcomes:?}");
}

async fn two_servers_on_one_database_send_each_notification_once(app: TestApp) {
    let smtp = SmtpServer::start();
    let receiver = Receiver::start().await;
    let Some(first) = spawn_notifying(&app, Some(&smtp)).await else { return };
    let mail = smtp.settings(PUBLIC_URL);
    // The second polls all the time, so both contend for every row.
    let second = first
        .spawn_beside(|s| {
            s.staff.mail = Some(mail);
            s.staff.notify.allow_private_webhooks = true;
            s.staff.notify.poll_ms = 5;
        })
        .await;
    let org = first.demo_org().await;
    let admin = first.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    first.create_staff("counselor@example.org", "a long enough password", Role::Counselor, Some(org)).await;
    set_webhook(&admin, org, &receiver.url(), "json").await;

    let warnings = 20;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..warnings {
        let target = if i % 2 == 0 { first.url(SUBMIT) } else { second.url(SUBMIT) };
        let http = first.http.clone();
        tasks.spawn(async move { http.post(target).json(&submission()).send().await.unwrap().status().as_u16() });
    }
    assert!(tasks.join_all().await.iter().all(|s| *s == 201));
    let posts = receiver.wait_for(warnings, WAIT).await;
    let mails = smtp.wait_for(warnings, WAIT).await;
    assert_eq!(all_sent(&first).await, 2 * warnings as i64);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut cases: Vec<i64> = receiver.bodies().iter().map(|p| p["case_id"].as_i64().unwrap()).collect();
    cases.sort_unstable();
    cases.dedup();
    assert_eq!((posts.len(), cases.len(), smtp.count()), (warnings, warnings, warnings), "each once: {mails:#?}");
    let sent_attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification_attempts WHERE outcome = 'sent'")
        .fetch_one(first.store.pool())
        .await
        .unwrap();
    assert_eq!(sent_attempts, 2 * warnings as i64);
}
