//! The authorization matrix: every endpoint × every principal (anonymous, the platform
//! admin, and an org admin and a counselor of the organization concerned — "own" — and
//! of another organization — "other"), each cell with the status it must get.
//!
//! The table names exactly the operations of the OpenAPI document, so an endpoint
//! cannot be added without deciding here whom it admits.

use std::collections::BTreeSet;

use instruments::wire::staff::Role;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use xinan_tests::{on_both_databases, StaffClient, TestApp};

use crate::support::{campaign_spec, error_of, phq9, submission};

on_both_databases!(
    every_endpoint_admits_exactly_the_roles_it_names,
    state_changing_requests_without_the_csrf_token_are_refused,
);

const PASSWORD: &str = "matrix password 1";

/// Who sends the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    PlatformAdmin,
    OrgAdminOwn,
    OrgAdminOther,
    CounselorOwn,
    CounselorOther,
}

const PRINCIPALS: [Who; 6] =
    [Who::Anonymous, Who::PlatformAdmin, Who::OrgAdminOwn, Who::OrgAdminOther, Who::CounselorOwn, Who::CounselorOther];

impl Who {
    fn label(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::PlatformAdmin => "platform_admin",
            Self::OrgAdminOwn => "org_admin own",
            Self::OrgAdminOther => "org_admin other",
            Self::CounselorOwn => "counselor own",
            Self::CounselorOther => "counselor other",
        }
    }

    /// The account's e-mail; anonymous callers sign in as `signin@example.org`.
    fn email(self) -> &'static str {
        match self {
            Self::Anonymous => "signin@example.org",
            Self::PlatformAdmin => "platform@example.org",
            Self::OrgAdminOwn => "admin-own@example.org",
            Self::OrgAdminOther => "admin-other@example.org",
            Self::CounselorOwn => "counselor-own@example.org",
            Self::CounselorOther => "counselor-other@example.org",
        }
    }
}

/// Whom an endpoint admits (the "Admits:" line of its documentation).
#[derive(Clone, Copy, Debug)]
enum Admits {
    /// Public: everybody, signed in or not.
    Anyone,
    /// Any signed-in staff member.
    SignedIn,
    /// Only the platform admin.
    PlatformAdmin,
    /// Platform admin; org admin and counselor of the organization.
    Members,
    /// Platform admin; org admin of the organization.
    OrgAdmins,
    /// Platform admin; counselor of the organization.
    Counselors,
    /// Only org admins of the organization, not even the platform admin (raw answers).
    OwnOrgAdmins,
    /// Only org admins and counselors of the organization, not the platform admin (a
    /// person's timeline).
    OwnStaff,
    /// Only the signed-in owner of the invited address, who is none of the principals
    /// (refused with `wrong_account`).
    Addressee,
}

impl Admits {
    fn admits(self, who: Who) -> bool {
        match self {
            Self::Anyone => true,
            Self::SignedIn => who != Who::Anonymous,
            Self::PlatformAdmin => who == Who::PlatformAdmin,
            Self::Members => matches!(who, Who::PlatformAdmin | Who::OrgAdminOwn | Who::CounselorOwn),
            Self::OrgAdmins => matches!(who, Who::PlatformAdmin | Who::OrgAdminOwn),
            Self::Counselors => matches!(who, Who::PlatformAdmin | Who::CounselorOwn),
            Self::OwnOrgAdmins => who == Who::OrgAdminOwn,
            Self::OwnStaff => matches!(who, Who::OrgAdminOwn | Who::CounselorOwn),
            Self::Addressee => false,
        }
    }
}

/// What a cell needs before its request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    /// Only the shared fixture: `{org}` is the own organization, `{code}` its coded
    /// campaign `MATRIX`, `{id}` the instrument `phq9`.
    Fixture,
    /// `{code}` is `DEMO`, which takes any number of anonymous submissions.
    Demo,
    /// `{code}` is a new anonymous campaign of the own organization.
    NewCampaign,
    /// `{id}` is a new open case of the own organization.
    NewCase,
    /// `{token}` is a new invitation to the own organization.
    NewInvitation,
    /// `{id}` is a new referral destination.
    NewDestination,
    /// `{id}` is a new open case of the own organization with a referral `{referral}`.
    NewReferral,
    /// `{code}` is a new code of the own organization's code book.
    NewPanelCode,
    /// The request replaces or ends the caller's session: sign in again afterwards.
    OwnSession,
}

/// The values a request template is filled with.
struct Fill {
    org: i64,
    code: String,
    id: String,
    token: String,
    /// An unused access code of `MATRIX`.
    access: String,
    /// The caller's e-mail.
    email: String,
    /// A number unique to the cell.
    n: usize,
    /// A referral of `{id}`.
    referral: String,
    /// A referral destination of the fixture.
    destination: i64,
    /// The platform's warning levels and interview form.
    levels: Value,
    form: Value,
}

fn destination(f: &Fill) -> Option<Value> {
    Some(json!({"name": format!("District guidance centre {}", f.n), "kind": "guidance_centre", "levels": [],
        "contact": "switchboard, weekdays 8:30–17:30"}))
}

fn interview(_: &Fill) -> Option<Value> {
    Some(json!({"values": {"date": server::day::today(), "mode": "phone", "present": ["student", "parent"],
        "risk": "low", "plan": "weekly talks with the school counselor"}}))
}

impl Fill {
    fn path(&self, template: &str) -> String {
        let path = template
            .replace("{org}", &self.org.to_string())
            .replace("{code}", &self.code)
            .replace("{id}", &self.id)
            .replace("{token}", &self.token)
            .replace("{referral}", &self.referral);
        // The trend report names its waves in the query.
        if template == "/api/v1/reports/trend" {
            format!("{path}?campaigns={}", self.code)
        } else {
            path
        }
    }
}

/// One row of the matrix.
struct Endpoint {
    method: Method,
    /// As in the OpenAPI document.
    path: &'static str,
    setup: Setup,
    body: fn(&Fill) -> Option<Value>,
    admits: Admits,
    /// The status of an admitted call.
    success: u16,
}

fn row(
    method: Method,
    path: &'static str,
    setup: Setup,
    body: fn(&Fill) -> Option<Value>,
    admits: Admits,
    success: u16,
) -> Endpoint {
    Endpoint { method, path, setup, body, admits, success }
}

fn no_body(_: &Fill) -> Option<Value> {
    None
}

/// Every endpoint of the API.
fn endpoints() -> Vec<Endpoint> {
    use Admits::*;
    use Setup::*;
    vec![
        // Public: the respondent's side, sign-in, invitations and this document.
        row(Method::GET, "/api/v1/instruments", Fixture, no_body, Anyone, 200),
        row(Method::GET, "/api/v1/instruments/{id}", Fixture, no_body, Anyone, 200),
        row(Method::POST, "/api/v1/score/{id}", Fixture, |_| Some(json!({"answers": phq9([1; 9])})), Anyone, 200),
        row(Method::GET, "/api/v1/campaigns/{code}", Fixture, no_body, Anyone, 200),
        row(Method::POST, "/api/v1/campaigns/{code}/submissions", Demo, |_| Some(submission()), Anyone, 201),
        row(
            Method::POST,
            "/api/v1/campaigns/{code}/access-codes/check",
            Fixture,
            |f| Some(json!({"code": f.access})),
            Anyone,
            204,
        ),
        row(
            Method::POST,
            "/api/v1/session",
            OwnSession,
            |f| Some(json!({"email": f.email, "password": PASSWORD})),
            Anyone,
            204,
        ),
        row(Method::GET, "/api/v1/invitations/{token}", NewInvitation, no_body, Anyone, 200),
        row(
            Method::POST,
            "/api/v1/invitations/{token}",
            NewInvitation,
            |_| Some(json!({"password": "invited password"})),
            Anyone,
            204,
        ),
        row(Method::POST, "/api/v1/invitations/{token}/accept", NewInvitation, no_body, Addressee, 204),
        row(Method::GET, "/api/v1/openapi.json", Fixture, no_body, Anyone, 200),
        // The session.
        row(Method::GET, "/api/v1/session", Fixture, no_body, SignedIn, 200),
        row(Method::DELETE, "/api/v1/session", OwnSession, no_body, SignedIn, 204),
        // Organizations, members, invitations, figures, audit.
        row(Method::GET, "/api/v1/organizations", Fixture, no_body, SignedIn, 200),
        row(
            Method::POST,
            "/api/v1/organizations",
            Fixture,
            |f| Some(json!({"name": format!("School {}", f.n), "kind": "school"})),
            PlatformAdmin,
            201,
        ),
        row(Method::GET, "/api/v1/organizations/{org}", Fixture, no_body, Members, 200),
        row(Method::GET, "/api/v1/organizations/{org}/members", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::POST,
            "/api/v1/organizations/{org}/invitations",
            Fixture,
            |f| Some(json!({"email": format!("invitee{}@example.org", f.n), "role": "counselor"})),
            OrgAdmins,
            201,
        ),
        row(Method::GET, "/api/v1/organizations/{org}/follow-up", Fixture, no_body, Members, 200),
        row(Method::GET, "/api/v1/organizations/{org}/audit", Fixture, no_body, OrgAdmins, 200),
        row(Method::GET, "/api/v1/organizations/{org}/notifications", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::PUT,
            "/api/v1/organizations/{org}/notifications",
            Fixture,
            |_| Some(json!({"webhook_url": null, "webhook_format": "json"})),
            OrgAdmins,
            200,
        ),
        row(Method::GET, "/api/v1/audit", Fixture, no_body, PlatformAdmin, 200),
        // Campaign management and access codes.
        // The code book and a person across waves.
        row(
            Method::POST,
            "/api/v1/organizations/{org}/panel-codes",
            Fixture,
            |_| Some(json!({"count": 2})),
            OrgAdmins,
            201,
        ),
        row(Method::GET, "/api/v1/organizations/{org}/panel-codes", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::POST,
            "/api/v1/organizations/{org}/panel-codes/{code}/retire",
            NewPanelCode,
            no_body,
            OrgAdmins,
            200,
        ),
        row(Method::GET, "/api/v1/organizations/{org}/respondents/{code}", NewPanelCode, no_body, OwnStaff, 200),
        row(Method::DELETE, "/api/v1/organizations/{org}/respondents/{code}", NewPanelCode, no_body, OwnOrgAdmins, 200),
        // Population reports.
        row(Method::GET, "/api/v1/reports/campaigns/{code}", Fixture, no_body, OrgAdmins, 200),
        row(Method::GET, "/api/v1/reports/trend", Fixture, no_body, OrgAdmins, 200),
        row(Method::GET, "/api/v1/reports/organizations/{org}", Fixture, no_body, OrgAdmins, 200),
        row(Method::GET, "/api/v1/reports/platform", Fixture, no_body, PlatformAdmin, 200),
        row(Method::GET, "/api/v1/reports/campaigns/{code}/responses.csv", Fixture, no_body, OwnOrgAdmins, 200),
        row(Method::GET, "/api/v1/organizations/{org}/campaigns", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::POST,
            "/api/v1/organizations/{org}/campaigns",
            Fixture,
            |f| Some(campaign_spec(&format!("NEW-{}", f.n), "anonymous")),
            OrgAdmins,
            201,
        ),
        row(Method::GET, "/api/v1/organizations/{org}/campaigns/{code}", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::PUT,
            "/api/v1/organizations/{org}/campaigns/{code}",
            NewCampaign,
            |f| Some(campaign_spec(&f.code, "anonymous")),
            OrgAdmins,
            200,
        ),
        row(
            Method::POST,
            "/api/v1/organizations/{org}/campaigns/{code}/state",
            NewCampaign,
            |_| Some(json!({"closed": true})),
            OrgAdmins,
            200,
        ),
        row(
            Method::POST,
            "/api/v1/organizations/{org}/campaigns/{code}/access-codes",
            Fixture,
            |_| Some(json!({"count": 2})),
            OrgAdmins,
            201,
        ),
        row(Method::GET, "/api/v1/organizations/{org}/campaigns/{code}/access-codes", Fixture, no_body, OrgAdmins, 200),
        row(
            Method::GET,
            "/api/v1/organizations/{org}/campaigns/{code}/access-codes.csv",
            Fixture,
            no_body,
            OrgAdmins,
            200,
        ),
        row(
            Method::GET,
            "/api/v1/organizations/{org}/campaigns/{code}/access-codes/slips",
            Fixture,
            no_body,
            OrgAdmins,
            200,
        ),
        // The follow-up queue and cases.
        row(Method::GET, "/api/v1/organizations/{org}/cases", Fixture, no_body, Counselors, 200),
        row(Method::GET, "/api/v1/cases/{id}", NewCase, no_body, Counselors, 200),
        row(
            Method::POST,
            "/api/v1/cases/{id}/events",
            NewCase,
            |_| Some(json!({"to": "acknowledged", "note": "asked the class teacher"})),
            Counselors,
            200,
        ),
        row(
            Method::POST,
            "/api/v1/cases/{id}/level",
            NewCase,
            |_| Some(json!({"level": "level2", "reason": "re-check: safe at home, plan agreed"})),
            Counselors,
            200,
        ),
        row(Method::POST, "/api/v1/cases/{id}/interviews", NewCase, interview, Counselors, 200),
        row(
            Method::POST,
            "/api/v1/cases/{id}/referrals",
            NewCase,
            |f| Some(json!({"destination_id": f.destination, "referred_on": server::day::today(), "note": ""})),
            Counselors,
            200,
        ),
        row(
            Method::POST,
            "/api/v1/cases/{id}/referrals/{referral}",
            NewReferral,
            |_| Some(json!({"confirmed_on": server::day::today()})),
            Counselors,
            200,
        ),
        row(
            Method::POST,
            "/api/v1/cases/{id}/visits",
            NewCase,
            |_| Some(json!({"visited_on": server::day::today(), "note": "calm", "next_visit_on": null})),
            Counselors,
            200,
        ),
        row(
            Method::PUT,
            "/api/v1/cases/{id}/next-visit",
            NewCase,
            |_| Some(json!({"on": "2099-01-10"})),
            Counselors,
            200,
        ),
        // The platform's follow-up data.
        row(Method::GET, "/api/v1/platform/warning-levels", Fixture, no_body, SignedIn, 200),
        row(Method::PUT, "/api/v1/platform/warning-levels", Fixture, |f| Some(f.levels.clone()), PlatformAdmin, 200),
        row(Method::GET, "/api/v1/platform/interview-form", Fixture, no_body, SignedIn, 200),
        row(Method::PUT, "/api/v1/platform/interview-form", Fixture, |f| Some(f.form.clone()), PlatformAdmin, 200),
        row(Method::GET, "/api/v1/platform/referral-destinations", Fixture, no_body, SignedIn, 200),
        row(Method::POST, "/api/v1/platform/referral-destinations", Fixture, destination, PlatformAdmin, 200),
        row(
            Method::PUT,
            "/api/v1/platform/referral-destinations/{id}",
            NewDestination,
            destination,
            PlatformAdmin,
            200,
        ),
    ]
}

/// The expected status of a cell: the success status when admitted, else 401 for
/// anonymous callers and 403 for signed-in ones.
fn expected(endpoint: &Endpoint, who: Who) -> u16 {
    if endpoint.admits.admits(who) {
        endpoint.success
    } else if who == Who::Anonymous {
        401
    } else {
        403
    }
}

/// Sends as `client`, or without any session when `None`.
async fn send(
    app: &TestApp,
    client: Option<&StaffClient>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Response {
    match client {
        Some(client) => client.send(method, path, body).await,
        None => {
            let mut request = app.http.request(method, app.url(path));
            if let Some(body) = body {
                request = request.json(body);
            }
            request.send().await.expect("request")
        }
    }
}

/// Asserts a 201 and returns its JSON.
async fn created(response: Response, what: &str) -> Value {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, 201, "{what}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// Asserts a 200 and returns its JSON.
async fn ok_json(response: Response, what: &str) -> Value {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{what}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// The id of the case raised by the submission with this respondent code.
async fn case_of(app: &TestApp, respondent_code: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT k.id FROM cases k JOIN submissions s ON s.id = k.submission_id WHERE s.respondent_code = $1",
    )
    .bind(respondent_code)
    .fetch_one(app.store.pool())
    .await
    .expect("the flagged submission raised a case")
}

async fn sign_in(app: &TestApp, who: Who) -> Option<StaffClient> {
    (who != Who::Anonymous).then_some(())?;
    Some(StaffClient::sign_in(app, who.email(), PASSWORD).await)
}

async fn every_endpoint_admits_exactly_the_roles_it_names(app: TestApp) {
    // The table is the API: exactly the operations the OpenAPI document lists.
    let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "put", "post", "delete", "patch", "head", "options"].contains(&m.as_str()))
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    let table = endpoints();
    let tabled: BTreeSet<String> = table.iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    assert_eq!(tabled.len(), table.len(), "an endpoint is listed twice");
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(missing.is_empty() && stale.is_empty(), "not in the matrix: {missing:?}; not in the API: {stale:?}");

    // The fixture: the demo organization is "own"; another school is "other".
    let own = app.demo_org().await;
    app.create_staff(Who::PlatformAdmin.email(), PASSWORD, Role::PlatformAdmin, None).await;
    let platform = StaffClient::sign_in(&app, Who::PlatformAdmin.email(), PASSWORD).await;
    let other = created(
        platform.post("/api/v1/organizations", &json!({"name": "Other school", "kind": "school"})).await,
        "other organization",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.create_staff(Who::Anonymous.email(), PASSWORD, Role::Counselor, Some(own)).await;
    app.create_staff(Who::OrgAdminOwn.email(), PASSWORD, Role::OrgAdmin, Some(own)).await;
    app.create_staff(Who::OrgAdminOther.email(), PASSWORD, Role::OrgAdmin, Some(other)).await;
    app.create_staff(Who::CounselorOwn.email(), PASSWORD, Role::Counselor, Some(own)).await;
    app.create_staff(Who::CounselorOther.email(), PASSWORD, Role::Counselor, Some(other)).await;
    let campaigns = format!("/api/v1/organizations/{own}/campaigns");
    created(platform.post(&campaigns, &campaign_spec("MATRIX", "coded")).await, "MATRIX").await;
    let codes =
        created(platform.post(&format!("{campaigns}/MATRIX/access-codes"), &json!({"count": 1})).await, "codes").await;
    let access = codes[0]["code"].as_str().unwrap().to_owned();
    let levels = platform.get_json("/api/v1/platform/warning-levels").await;
    let form = platform.get_json("/api/v1/platform/interview-form").await;
    let fill0 = Fill {
        org: own,
        code: String::new(),
        id: String::new(),
        token: String::new(),
        access: String::new(),
        email: String::new(),
        n: 0,
        referral: String::new(),
        destination: 0,
        levels: Value::Null,
        form: Value::Null,
    };
    let destination_id = ok_json(
        platform.post("/api/v1/platform/referral-destinations", &destination(&fill0).unwrap()).await,
        "destination",
    )
    .await["id"]
        .as_i64()
        .unwrap();

    let mut clients = Vec::new();
    for who in PRINCIPALS {
        clients.push(sign_in(&app, who).await);
    }

    let mut n = 0;
    let mut lines = Vec::new();
    let mut mismatches = Vec::new();
    for endpoint in &table {
        let mut line = format!("{:<7}{:<66}", endpoint.method.as_str(), endpoint.path);
        for (column, who) in PRINCIPALS.into_iter().enumerate() {
            n += 1;
            let mut fill = Fill {
                org: own,
                code: "MATRIX".into(),
                id: "phq9".into(),
                token: String::new(),
                access: access.clone(),
                email: who.email().into(),
                n,
                referral: String::new(),
                destination: destination_id,
                levels: levels.clone(),
                form: form.clone(),
            };
            match endpoint.setup {
                Setup::Fixture | Setup::OwnSession => {}
                Setup::Demo => fill.code = "DEMO".into(),
                Setup::NewCampaign => {
                    let code = format!("FRESH-{n}");
                    created(platform.post(&campaigns, &campaign_spec(&code, "anonymous")).await, &code).await;
                    fill.code = code;
                }
                Setup::NewCase => {
                    let receipt =
                        created(app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await, "case").await;
                    fill.id = case_of(&app, receipt["respondent_code"].as_str().unwrap()).await.to_string();
                }
                Setup::NewPanelCode => {
                    let made = created(
                        platform.post(&format!("/api/v1/organizations/{own}/panel-codes"), &json!({"count": 1})).await,
                        "panel code",
                    )
                    .await;
                    fill.code = made["codes"][0].as_str().unwrap().to_owned();
                }
                Setup::NewDestination => {
                    let made = ok_json(
                        platform.post("/api/v1/platform/referral-destinations", &destination(&fill).unwrap()).await,
                        "destination",
                    )
                    .await;
                    fill.id = made["id"].to_string();
                }
                Setup::NewReferral => {
                    let receipt =
                        created(app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await, "case").await;
                    fill.id = case_of(&app, receipt["respondent_code"].as_str().unwrap()).await.to_string();
                    let referral = json!({"destination_id": destination_id, "referred_on": server::day::today()});
                    let detail = ok_json(
                        platform.post(&format!("/api/v1/cases/{}/referrals", fill.id), &referral).await,
                        "referral",
                    )
                    .await;
                    fill.referral = detail["referrals"][0]["id"].to_string();
                }
                Setup::NewInvitation => {
                    let invitation = json!({"email": format!("accept{n}@example.org"), "role": "counselor"});
                    let invitation = created(
                        platform.post(&format!("/api/v1/organizations/{own}/invitations"), &invitation).await,
                        "invitation",
                    )
                    .await;
                    fill.token = invitation["token"].as_str().unwrap().to_owned();
                }
            }
            let path = fill.path(endpoint.path);
            let body = (endpoint.body)(&fill);
            let response = send(&app, clients[column].as_ref(), endpoint.method.clone(), &path, body.as_ref()).await;
            let actual = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let want = expected(endpoint, who);
            // A refusal must also say why, in the one error shape.
            let refusal_code = match want {
                401 => Some("unauthenticated"),
                403 if matches!(endpoint.admits, Admits::Addressee) => Some("wrong_account"),
                403 => Some("forbidden"),
                _ => None,
            };
            let code_ok = refusal_code.is_none_or(|code| {
                serde_json::from_str::<Value>(&text).is_ok_and(|body| body["error"]["code"] == code)
            });
            let ok = actual == want && code_ok;
            if !ok {
                mismatches.push(format!(
                    "{} {path} as {}: expected {want}, got {actual}: {text:.300}",
                    endpoint.method,
                    who.label()
                ));
            }
            line.push_str(&format!("{:>17}", format!("{want}/{actual}{}", if ok { "" } else { " ✗" })));
            if endpoint.setup == Setup::OwnSession && who != Who::Anonymous {
                clients[column] = sign_in(&app, who).await;
            }
        }
        lines.push(line);
    }
    let header = PRINCIPALS.iter().fold(format!("{:<73}", format!("{:?}: expected/actual", app.engine)), |h, who| {
        h + &format!("{:>17}", who.label())
    });
    println!("{header}\n{}", lines.join("\n"));
    assert!(mismatches.is_empty(), "{} of {} cells differ:\n{}", mismatches.len(), n, mismatches.join("\n"));
}

async fn state_changing_requests_without_the_csrf_token_are_refused(app: TestApp) {
    let org = app.demo_org().await;
    let admin = app.staff("admin@example.org", Role::OrgAdmin, Some(org)).await;
    let counselor = app.staff("counselor@example.org", Role::Counselor, Some(org)).await;
    let campaigns = format!("/api/v1/organizations/{org}/campaigns");
    let before = app.count("campaigns").await;

    // The cookie alone is not enough for POST, PUT and DELETE, nor another session's token.
    let attempts = [
        (Method::POST, campaigns.clone(), Some(campaign_spec("NO-CSRF", "anonymous")), None),
        (Method::POST, campaigns.clone(), Some(campaign_spec("NO-CSRF", "anonymous")), Some(counselor.csrf.as_str())),
        (Method::PUT, format!("{campaigns}/DEMO"), Some(campaign_spec("DEMO", "anonymous")), None),
        (Method::DELETE, "/api/v1/session".to_owned(), None, None),
        (Method::DELETE, "/api/v1/session".to_owned(), None, Some("not the token")),
    ];
    for (method, path, body, token) in attempts {
        let mut request = admin.http.request(method.clone(), app.url(&path));
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let error = error_of(request.send().await.unwrap(), 403).await;
        assert_eq!(error["code"], "csrf_failed", "{method} {path} with token {token:?}");
    }
    assert_eq!(app.count("campaigns").await, before, "nothing was created");
    let session = admin.get("/api/v1/session").await;
    assert_eq!(session.status(), 200, "the session was not ended; GET needs no token");
    let demo = admin.get_json(&format!("{campaigns}/DEMO")).await;
    assert_eq!(demo["spec"]["instruments"].as_array().unwrap().len(), 2, "DEMO was not changed");

    // With the token the same requests succeed.
    assert_eq!(admin.post(&campaigns, &campaign_spec("WITH-CSRF", "anonymous")).await.status(), 201);
    assert_eq!(admin.send(Method::DELETE, "/api/v1/session", None).await.status(), 204);
}
