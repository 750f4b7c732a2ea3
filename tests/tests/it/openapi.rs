//! The OpenAPI document describes every API route the server answers.

use serde_json::Value;
use xinan_tests::{Engine, TestApp};

#[tokio::test]
async fn openapi_document_lists_every_route_and_every_route_exists() {
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let org = app.demo_org().await;
    let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in paths {
        for method in
            item.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
        {
            documented.push(format!("{} {path}", method.to_uppercase()));
            // Every operation states who it admits (the issue: "with the roles it admits").
            let operation = &item[method.as_str()];
            let words = format!(
                "{} {}",
                operation["summary"].as_str().unwrap_or(""),
                operation["description"].as_str().unwrap_or("")
            );
            assert!(words.contains("Admits:"), "{method} {path} does not say which roles it admits: {words}");
            let url = app.url(&concrete(path, org));
            let request = app.http.request(method.to_uppercase().parse().unwrap(), url);
            let request = if method == "get" { request } else { request.json(&serde_json::json!({})) };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let route_missing = status == 405 || (status == 404 && body["error"]["message"] == "API route not found");
            assert!(!route_missing, "{method} {path} is documented but not served ({status})");
            // Every documented error response uses the one error schema.
            for (code, response) in item[method.as_str()]["responses"].as_object().unwrap() {
                if code.starts_with('4') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {code}");
                }
            }
        }
    }
    // Public and staff routes alike; the authorization matrix checks that its table
    // names exactly these operations.
    assert!(documented.len() > 6, "{documented:?}");
    assert!(documented.contains(&"GET /api/v1/openapi.json".to_owned()));
}

/// A documented path with its parameters filled in with values that exist.
fn concrete(path: &str, org: i64) -> String {
    let numeric = path.starts_with("/api/v1/cases/") || path.starts_with("/api/v1/platform/");
    let id = if numeric { "1" } else { "phq9" };
    path.replace("{org}", &org.to_string())
        .replace("{code}", "DEMO")
        .replace("{id}", id)
        .replace("{token}", "0123abcd")
        .replace("{referral}", "1")
}

/// Signed in as the platform admin (so no role check stops the request early), every
/// documented operation called with nonsense path parameters and an empty body answers
/// any 4xx with the one error body.
#[tokio::test]
async fn nonsense_parameters_get_the_one_error_body_on_every_route() {
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let admin = app.staff("platform@example.org", instruments::wire::staff::Role::PlatformAdmin, None).await;
    let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut operations: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .filter(|(method, _)| ["GET", "POST", "PUT", "DELETE"].contains(&method.as_str()))
        .collect();
    // Signing out last keeps the session for the others.
    operations.sort_by_key(|(method, path)| (method == "DELETE" && path == "/api/v1/session", path.clone()));
    let mut wrong = Vec::new();
    for (method, path) in operations {
        let concrete =
            ["{org}", "{code}", "{id}", "{token}"].iter().fold(path.clone(), |p, param| p.replace(param, "x-1"));
        let body = (method != "GET").then(|| serde_json::json!({}));
        let response = admin.send(method.parse().unwrap(), &concrete, body.as_ref()).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if doc["paths"][&path][method.to_lowercase()]["responses"].get(status.to_string()).is_none() {
            wrong.push(format!("{method} {concrete}: {status} is not documented"));
        }
        if (400..500).contains(&status) {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let error = &body["error"];
            if !(error["code"].is_string() && error["message"].is_string() && error.get("field").is_some()) {
                wrong.push(format!("{method} {concrete}: {status} {text:.200}"));
            }
        }
    }
    assert!(wrong.is_empty(), "undocumented statuses or 4xx answers without the error body:\n{}", wrong.join("\n"));
}

/// Every operation with a JSON body answers a body that is not JSON 400, one not
/// declared as JSON 415 and one over 64 KiB 413, each documented; every staff
/// operation answers no session 401, documented.
#[tokio::test]
async fn extractor_rejections_are_answered_and_documented() {
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let org = app.demo_org().await;
    let admin = app.staff("platform@example.org", instruments::wire::staff::Role::PlatformAdmin, None).await;
    let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let oversized = format!("{{\"pad\":\"{}\"}}", "x".repeat(64 * 1024));
    let bodies: [(&str, String, u16); 3] = [
        ("application/json", "not json".into(), 400),
        ("text/plain", "{}".into(), 415),
        ("application/json", oversized, 413),
    ];
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let documented = |status: u16| operation["responses"].get(status.to_string()).is_some();
            let url = app.url(&concrete(path, org));
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            if operation.get("requestBody").is_some() {
                for (content_type, body, expected) in &bodies {
                    let response = admin
                        .http
                        .request(method.clone(), &url)
                        .header("x-csrf-token", &admin.csrf)
                        .header("content-type", *content_type)
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    if status != *expected || !documented(status) {
                        let documented = documented(status);
                        wrong.push(format!(
                            "{method} {path}, {content_type}: {status} (want {expected}), documented: {documented}"
                        ));
                    }
                }
            }
            let admits = operation["description"].as_str().or(operation["summary"].as_str()).unwrap_or("");
            if !admits.rsplit_once("Admits:").is_some_and(|(_, who)| who.trim_start().starts_with("anyone")) {
                let status = app.http.request(method.clone(), &url).send().await.unwrap().status().as_u16();
                if status != 401 || !documented(401) {
                    wrong.push(format!(
                        "{method} {path} without a session: {status} (want 401), documented: {}",
                        documented(401)
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "extractor rejections not answered as documented:\n{}", wrong.join("\n"));
}
