//! Staff sign-in, sessions and invitations.

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::error_of;

on_both_databases!(
    signing_in_sets_an_http_only_same_site_strict_session_cookie,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    five_failures_hold_an_account_back_even_with_the_right_password,
    twenty_failures_from_one_client_hold_back_every_account,
    signing_out_ends_the_session_on_the_server,
    an_idle_session_expires,
    an_invitation_creates_an_account_once,
    an_expired_invitation_is_refused,
    an_existing_account_gains_a_role_only_when_its_owner_signs_in_and_accepts,
    a_squatted_address_cannot_collect_another_organizations_role,
    an_org_admin_cannot_give_the_platform_admin_a_role,
    two_hundred_parallel_guesses_get_five_password_checks,
    sixty_parallel_guesses_from_one_client_get_twenty_password_checks,
    a_made_up_invitation_token_is_refused_before_any_password_is_hashed,
);

const PASSWORD: &str = "correct horse battery";

/// Signs in without a cookie store; returns the `Set-Cookie` header.
async fn sign_in_raw(app: &TestApp, email: &str, password: &str) -> (u16, String, Value) {
    let response = app.post_json("/api/v1/session", &json!({"email": email, "password": password})).await;
    let status = response.status().as_u16();
    let cookie = response.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, cookie, body)
}

/// `name=value` of a `Set-Cookie` header.
fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

async fn session_with_cookie(app: &TestApp, cookie: &str) -> reqwest::Response {
    app.http.get(app.url("/api/v1/session")).header("cookie", cookie).send().await.unwrap()
}

async fn signing_in_sets_an_http_only_same_site_strict_session_cookie(app: TestApp) {
    let org = app.demo_org().await;
    app.create_staff("counselor@example.org", PASSWORD, Role::Counselor, Some(org)).await;
    // E-mail addresses are not case-sensitive.
    let (status, set_cookie, _) = sign_in_raw(&app, " Counselor@Example.org", PASSWORD).await;
    assert_eq!(status, 204);
    let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("xinan_session="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&attribute), "{attribute} missing: {set_cookie}");
    }
    assert!(
        !set_cookie.contains("Max-Age") && !set_cookie.contains("Expires"),
        "a browser-session cookie: {set_cookie}"
    );
    // The database holds only a hash of the cookie's secret.
    let token = pair(&set_cookie).trim_start_matches("xinan_session=");
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_one(app.store.pool()).await.unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored, server::auth::token_hash(token));

    let session: Value = session_with_cookie(&app, pair(&set_cookie)).await.json().await.unwrap();
    assert_eq!(session["email"], "counselor@example.org");
    assert_eq!(session["platform_admin"], false);
    assert_eq!(
        session["memberships"],
        json!([{"organization": {"id": org, "name": "Demo", "kind": "school"}, "role": "counselor"}])
    );
    assert_eq!(session["csrf_token"].as_str().unwrap().len(), 64);
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(app: TestApp) {
    app.create_staff("admin@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    let (status, cookie, wrong_password) = sign_in_raw(&app, "admin@example.org", "not the password").await;
    assert_eq!((status, cookie.as_str()), (401, ""));
    let (status, cookie, unknown_email) = sign_in_raw(&app, "nobody@example.org", PASSWORD).await;
    assert_eq!((status, cookie.as_str()), (401, ""));
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password["error"]["code"], "invalid_credentials");
}

async fn five_failures_hold_an_account_back_even_with_the_right_password(app: TestApp) {
    app.create_staff("admin@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    app.create_staff("colleague@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    for attempt in 1..=5 {
        let (status, ..) = sign_in_raw(&app, "admin@example.org", &format!("guess number {attempt}")).await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    let response = app.post_json("/api/v1/session", &json!({"email": "admin@example.org", "password": PASSWORD})).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("set-cookie").is_none());
    let retry_after: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After: {retry_after}");
    assert_eq!(error_of(response, 429).await["code"], "too_many_attempts");
    // Another account from the same client is not held back.
    assert_eq!(sign_in_raw(&app, "colleague@example.org", PASSWORD).await.0, 204);
}

async fn twenty_failures_from_one_client_hold_back_every_account(app: TestApp) {
    app.create_staff("admin@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    // Four guesses each at five addresses: no account reaches its own limit.
    for attempt in 0..20 {
        let (status, ..) = sign_in_raw(&app, &format!("guess{}@example.org", attempt % 5), "a guessed password").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    let response = app.post_json("/api/v1/session", &json!({"email": "admin@example.org", "password": PASSWORD})).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_of(response, 429).await["code"], "too_many_attempts");
}

async fn signing_out_ends_the_session_on_the_server(app: TestApp) {
    app.create_staff("admin@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    let (_, set_cookie, _) = sign_in_raw(&app, "admin@example.org", PASSWORD).await;
    let cookie = pair(&set_cookie).to_owned();
    let session: Value = session_with_cookie(&app, &cookie).await.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap();

    let response = app
        .http
        .delete(app.url("/api/v1/session"))
        .header("cookie", &cookie)
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("xinan_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    // The old cookie, replayed, opens nothing.
    let error = error_of(session_with_cookie(&app, &cookie).await, 401).await;
    assert_eq!(error["code"], "unauthenticated");
    assert_eq!(app.count("sessions").await, 0);

    // The same through a browser-like client.
    let staff = StaffClient::sign_in(&app, "admin@example.org", PASSWORD).await;
    assert_eq!(staff.send(reqwest::Method::DELETE, "/api/v1/session", None).await.status(), 204);
    assert_eq!(staff.get("/api/v1/session").await.status(), 401);
}

async fn an_idle_session_expires(app: TestApp) {
    let staff = app.staff("admin@example.org", Role::PlatformAdmin, None).await;
    assert_eq!(staff.get("/api/v1/session").await.status(), 200);
    // 31 minutes without a request (the default limit is 30).
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 1860").execute(app.store.pool()).await.unwrap();
    assert_eq!(error_of(staff.get("/api/v1/organizations").await, 401).await["code"], "unauthenticated");
}

/// Invites `email` as `role` to the demo organization; returns the token.
async fn invite(admin: &StaffClient, org: i64, email: &str, role: &str) -> String {
    let response =
        admin.post(&format!("/api/v1/organizations/{org}/invitations"), &json!({"email": email, "role": role})).await;
    let status = response.status().as_u16();
    let invitation: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["delivery"], "link");
    let token = invitation["token"].as_str().unwrap().to_owned();
    assert_eq!(invitation["link"], format!("/staff/invitation/{token}"));
    let expires_in = invitation["expires_at"].as_i64().unwrap() - server::day::now();
    assert!((72 * 3600 - 60..=72 * 3600).contains(&expires_in), "{invitation}");
    token
}

async fn accept(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(&format!("/api/v1/invitations/{token}"), &json!({"password": password})).await
}

async fn an_invitation_creates_an_account_once(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let token = invite(&admin, org, "New.Counselor@example.org", "counselor").await;

    let error = error_of(accept(&app, &token, "short").await, 422).await;
    assert_eq!(error["field"], "password");
    assert_eq!(accept(&app, &token, "my own password").await.status(), 204);
    let counselor = StaffClient::sign_in(&app, "new.counselor@example.org", "my own password").await;
    let session = counselor.get_json("/api/v1/session").await;
    assert_eq!(session["memberships"][0]["role"], "counselor");
    assert_eq!(session["memberships"][0]["organization"]["id"], org);
    assert_eq!(counselor.get(&format!("/api/v1/organizations/{org}/cases")).await.status(), 200);

    // A link works once; an unknown one gets the same answer.
    for token in [token.as_str(), "0123456789abcdef"] {
        let error = error_of(accept(&app, token, "another password").await, 422).await;
        assert_eq!(error["code"], "invalid_invitation", "{token}");
    }
    let members = admin.get_json(&format!("/api/v1/organizations/{org}/members")).await;
    assert!(members.as_array().unwrap().contains(&json!({"email": "new.counselor@example.org", "role": "counselor"})));

    // Only org_admin and counselor can be invited, and only with an e-mail address.
    let invitations = format!("/api/v1/organizations/{org}/invitations");
    let error =
        error_of(admin.post(&invitations, &json!({"email": "x@example.org", "role": "platform_admin"})).await, 422)
            .await;
    assert_eq!(error["field"], "role");
    let error =
        error_of(admin.post(&invitations, &json!({"email": "not an address", "role": "counselor"})).await, 422).await;
    assert_eq!(error["field"], "email");
}

async fn an_expired_invitation_is_refused(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let token = invite(&admin, org, "late@example.org", "counselor").await;
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE token_hash = $2")
        .bind(server::day::now() - 1)
        .bind(server::auth::token_hash(&token))
        .execute(app.store.pool())
        .await
        .unwrap();
    let error = error_of(accept(&app, &token, "my own password").await, 422).await;
    assert_eq!(error["code"], "invalid_invitation");
    assert_eq!(app.store.user_id("late@example.org").await.unwrap(), None, "no account was created");
}

async fn roles(client: &StaffClient) -> Vec<(i64, String)> {
    let session = client.get_json("/api/v1/session").await;
    let mut roles: Vec<(i64, String)> = session["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["organization"]["id"].as_i64().unwrap(), m["role"].as_str().unwrap().to_owned()))
        .collect();
    roles.sort();
    roles
}

async fn confirm(client: &StaffClient, token: &str) -> reqwest::Response {
    client.post(&format!("/api/v1/invitations/{token}/accept"), &Value::Null).await
}

async fn an_existing_account_gains_a_role_only_when_its_owner_signs_in_and_accepts(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    app.create_staff("counselor@example.org", PASSWORD, Role::Counselor, Some(org)).await;
    let token = invite(&admin, org, "counselor@example.org", "org_admin").await;

    // The link alone changes nothing for an existing account: not the role, not the password.
    let error = error_of(accept(&app, &token, "a password never used").await, 409).await;
    assert_eq!(error["code"], "account_exists");
    assert_eq!(sign_in_raw(&app, "counselor@example.org", "a password never used").await.0, 401);
    let owner = StaffClient::sign_in(&app, "counselor@example.org", PASSWORD).await;
    assert_eq!(roles(&owner).await, [(org, "counselor".to_owned())]);

    // Someone else's session cannot accept it either.
    let error = error_of(confirm(&admin, &token).await, 403).await;
    assert_eq!(error["code"], "wrong_account");
    assert_eq!(roles(&admin).await, [(org, "org_admin".to_owned())]);

    // The owner sees what is offered and confirms; the new role is on their account.
    let info = owner.get_json(&format!("/api/v1/invitations/{token}")).await;
    assert_eq!(info["email"], "counselor@example.org");
    assert_eq!(info["role"], "org_admin");
    assert_eq!(confirm(&owner, &token).await.status(), 204);
    assert_eq!(roles(&owner).await, [(org, "counselor".to_owned()), (org, "org_admin".to_owned())]);
    assert_eq!(owner.get(&format!("/api/v1/organizations/{org}/members")).await.status(), 200);
    assert_eq!(error_of(confirm(&owner, &token).await, 422).await["code"], "invalid_invitation", "used once");
    let audit = admin.get_json(&format!("/api/v1/organizations/{org}/audit")).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "role_confirmed"), "{audit}");
}

/// The probe's chain: an org admin accepts its own invitation for someone else's
/// address, then waits for another organization to invite that address.
async fn a_squatted_address_cannot_collect_another_organizations_role(app: TestApp) {
    let platform = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let mut orgs = Vec::new();
    for name in ["School A", "School B"] {
        let created = platform.post("/api/v1/organizations", &json!({"name": name, "kind": "school"})).await;
        orgs.push(created.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let (a, b) = (orgs[0], orgs[1]);
    let attacker = app.staff("admin-a@example.org", Role::OrgAdmin, Some(a)).await;
    let admin_b = app.staff("admin-b@example.org", Role::OrgAdmin, Some(b)).await;

    // A squats the address of B's future counselor.
    let squat = invite(&attacker, a, "teacher@example.org", "counselor").await;
    assert_eq!(accept(&app, &squat, "attacker's password").await.status(), 204);

    // B invites the real person, who uses B's link with a password of their own.
    let real = invite(&admin_b, b, "teacher@example.org", "counselor").await;
    let error = error_of(accept(&app, &real, "the teacher's own password").await, 409).await;
    assert_eq!(error["code"], "account_exists");
    // The attacker's own session cannot accept B's invitation.
    assert_eq!(error_of(confirm(&attacker, &real).await, 403).await["code"], "wrong_account");

    // Signed in as the squatted address, the attacker still has no way into B.
    let squatter = StaffClient::sign_in(&app, "teacher@example.org", "attacker's password").await;
    assert_eq!(roles(&squatter).await, [(a, "counselor".to_owned())]);
    assert_eq!(
        error_of(squatter.get(&format!("/api/v1/organizations/{b}/cases")).await, 403).await["code"],
        "forbidden"
    );
    let members = admin_b.get_json(&format!("/api/v1/organizations/{b}/members")).await;
    assert_eq!(members.as_array().unwrap().len(), 1, "only B's admin: {members}");
}

/// Enumeration and role-granting through the link: the answer for the platform
/// admin's address is the same as for any address, and nothing changes.
async fn an_org_admin_cannot_give_the_platform_admin_a_role(app: TestApp) {
    let org = app.demo_org().await;
    app.create_staff("platform@example.org", PASSWORD, Role::PlatformAdmin, None).await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let invitations = format!("/api/v1/organizations/{org}/invitations");
    let mut answers = Vec::new();
    for email in ["platform@example.org", "nobody-yet@example.org"] {
        let response = admin.post(&invitations, &json!({"email": email, "role": "org_admin"})).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        let keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
        answers.push((status, keys, body["delivery"].clone()));
    }
    assert_eq!(answers[0], answers[1], "creating an invitation does not tell whether the address has an account");

    let token = invite(&admin, org, "platform@example.org", "org_admin").await;
    assert_eq!(error_of(accept(&app, &token, "an attacker's password").await, 409).await["code"], "account_exists");
    assert_eq!(sign_in_raw(&app, "platform@example.org", "an attacker's password").await.0, 401);
    let owner = StaffClient::sign_in(&app, "platform@example.org", PASSWORD).await;
    assert!(roles(&owner).await.is_empty(), "no role was added without the owner");
}

/// Fires `n` sign-ins at once, each from its own connection; counts the statuses.
async fn parallel_sign_ins(app: &TestApp, emails: Vec<String>) -> std::collections::BTreeMap<u16, usize> {
    let mut tasks = tokio::task::JoinSet::new();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(emails.len()));
    for email in emails {
        let url = app.url("/api/v1/session");
        let start = start.clone();
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            start.wait().await;
            let body = json!({"email": email, "password": "a wrong password"});
            client.post(url).json(&body).send().await.expect("sign-in request").status().as_u16()
        });
    }
    let mut counts = std::collections::BTreeMap::new();
    for status in tasks.join_all().await {
        *counts.entry(status).or_default() += 1;
    }
    counts
}

async fn two_hundred_parallel_guesses_get_five_password_checks(app: TestApp) {
    let org = app.demo_org().await;
    app.create_staff("target@example.org", PASSWORD, Role::Counselor, Some(org)).await;
    let counts = parallel_sign_ins(&app, vec!["target@example.org".to_owned(); 200]).await;
    assert_eq!(counts.get(&401), Some(&server::auth::limiter::PER_ACCOUNT), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&(200 - server::auth::limiter::PER_ACCOUNT)), "{counts:?}");
    // Held back, even with the right password.
    assert_eq!(sign_in_raw(&app, "target@example.org", PASSWORD).await.0, 429);
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(failures, 5, "exactly five passwords were checked");
}

async fn sixty_parallel_guesses_from_one_client_get_twenty_password_checks(app: TestApp) {
    let emails = (0..60).map(|i| format!("user{i}@example.org")).collect();
    let counts = parallel_sign_ins(&app, emails).await;
    assert_eq!(counts.get(&401), Some(&server::auth::limiter::PER_CLIENT), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&(60 - server::auth::limiter::PER_CLIENT)), "{counts:?}");
}

async fn a_made_up_invitation_token_is_refused_before_any_password_is_hashed(app: TestApp) {
    // A weak password is not even looked at when the token is unknown: the token comes first.
    let error = error_of(accept(&app, "0123456789abcdef", "short").await, 422).await;
    assert_eq!(error["code"], "invalid_invitation");
    assert_eq!(error["field"], "token");
}
