//! Invitations by e-mail, through a real SMTP server (aiosmtpd, `xinan_tests::smtp`).

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::smtp::{messages_to, SmtpServer};
use xinan_tests::{on_both_databases, Engine, StaffClient, TestApp};

use crate::support::error_of;

on_both_databases!(
    with_mail_the_inviter_learns_nothing_and_only_the_mailbox_can_accept,
    a_relay_that_is_down_stores_no_invitation,
);

const PASSWORD: &str = "correct horse battery";

/// The one raw message sent to `to`.
fn message_to(messages: &[String], to: &str) -> String {
    let found = messages_to(messages, to);
    assert_eq!(found.len(), 1, "one mail to {to}: {messages:#?}");
    found[0].clone()
}

/// The invitation token in a mail.
fn token_in(mail: &str) -> String {
    let start = mail.find("/staff/invitation/").expect("a link in the mail") + "/staff/invitation/".len();
    mail[start..].chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn spawn_with_mail(engine: Engine, smtp: &SmtpServer) -> Option<TestApp> {
    let mail = smtp.settings("https://xinan.district.example");
    TestApp::spawn_configured(engine, |s| {
        s.staff.invitation_links = false;
        s.staff.mail = Some(mail);
    })
    .await
}

async fn with_mail_the_inviter_learns_nothing_and_only_the_mailbox_can_accept(app: TestApp) {
    // The harness spawns with links; this test needs its own server with mail.
    let smtp = SmtpServer::start();
    let Some(app) = spawn_with_mail(app.engine, &smtp).await else { return };
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    app.create_staff("existing@example.org", PASSWORD, Role::Counselor, Some(org)).await;

    let invitations = format!("/api/v1/organizations/{org}/invitations");
    let mut answers = Vec::new();
    for email in ["existing@example.org", "newcomer@example.org"] {
        let response = admin.post(&invitations, &json!({"email": email, "role": "org_admin"})).await;
        assert_eq!(response.status(), 201);
        let mut body: Value = response.json().await.unwrap();
        body.as_object_mut().unwrap().remove("expires_at");
        answers.push(body);
    }
    assert_eq!(answers[0], json!({"delivery": "email", "link": null, "token": null}));
    assert_eq!(answers[0], answers[1], "the same answer whether or not the address has an account");

    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let newcomer_mail = message_to(&messages, "newcomer@example.org");
    assert!(newcomer_mail.contains("https://xinan.district.example/staff/invitation/"), "{newcomer_mail}");
    for forbidden in ["respondent", "score", "PHQ", "DEMO"] {
        assert!(!newcomer_mail.contains(forbidden), "the mail names {forbidden}: {newcomer_mail}");
    }

    // The newcomer chooses a password from the mailed link.
    let token = token_in(&newcomer_mail);
    assert_eq!(token.len(), 64, "{newcomer_mail}");
    let accepted =
        app.post_json(&format!("/api/v1/invitations/{token}"), &json!({"password": "newcomer password"})).await;
    assert_eq!(accepted.status(), 204);
    StaffClient::sign_in(&app, "newcomer@example.org", "newcomer password").await;

    // The existing account's owner must sign in and confirm.
    let token = token_in(&message_to(&messages, "existing@example.org"));
    let refused = app.post_json(&format!("/api/v1/invitations/{token}"), &json!({"password": "not the owner's"})).await;
    assert_eq!(error_of(refused, 409).await["code"], "account_exists");
    let owner = StaffClient::sign_in(&app, "existing@example.org", PASSWORD).await;
    assert_eq!(owner.post(&format!("/api/v1/invitations/{token}/accept"), &Value::Null).await.status(), 204);
    let session = owner.get_json("/api/v1/session").await;
    assert_eq!(session["memberships"].as_array().unwrap().len(), 2, "{session}");
}

/// An org admin of the demo organization invites a counselor.
async fn invite_someone(app: &TestApp) -> reqwest::Response {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    admin
        .post(
            &format!("/api/v1/organizations/{org}/invitations"),
            &json!({"email": "x@example.org", "role": "counselor"}),
        )
        .await
}

async fn a_relay_that_is_down_stores_no_invitation(app: TestApp) {
    let smtp = SmtpServer::start();
    let Some(app) = spawn_with_mail(app.engine, &smtp).await else { return };
    drop(smtp);
    assert_eq!(error_of(invite_someone(&app).await, 503).await["code"], "mail_failed");
    assert_eq!(app.count("invitations").await, 0);

    // And a server with neither mail nor links refuses to make links at all.
    let Some(plain) = TestApp::spawn_configured(app.engine, |s| s.staff.invitation_links = false).await else { return };
    assert_eq!(error_of(invite_someone(&plain).await, 409).await["code"], "mail_not_configured");
    assert_eq!(plain.count("invitations").await, 0);
}
