//! Invitations by e-mail, through a real SMTP server (Python's aiosmtpd, started here
//! on a free loopback port and storing what it receives in a Maildir).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use server::config::{MailSettings, Secret};
use xinan_tests::{on_both_databases, Engine, StaffClient, TestApp};

use crate::support::error_of;

on_both_databases!(
    with_mail_the_inviter_learns_nothing_and_only_the_mailbox_can_accept,
    a_relay_that_is_down_stores_no_invitation,
);

const PASSWORD: &str = "correct horse battery";

/// An aiosmtpd process; killed on drop.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start() -> Self {
        let python = std::env::var("XINAN_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let probe = Command::new(&python).args(["-c", "import aiosmtpd"]).output();
        assert!(
            probe.as_ref().is_ok_and(|o| o.status.success()),
            "aiosmtpd is not installed for {python} (`cargo xtask setup` installs it): {probe:?}"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = std::env::temp_dir().join(format!("xinan-maildir-{port}-{}", std::process::id()));
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, maildir }
    }

    fn settings(&self, public_url: &str) -> MailSettings {
        MailSettings {
            smtp_url: Secret::new(format!("smtp://127.0.0.1:{}", self.port)),
            from: "xinan@district.example".into(),
            public_url: public_url.into(),
        }
    }

    /// Every message received, raw.
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// The raw message sent to `to` (quoted-printable soft breaks joined).
fn message_to(messages: &[String], to: &str) -> String {
    let found: Vec<&String> = messages.iter().filter(|m| m.lines().any(|l| l == format!("To: {to}"))).collect();
    assert_eq!(found.len(), 1, "one mail to {to}: {messages:#?}");
    found[0].replace("=\r\n", "").replace("=\n", "")
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
