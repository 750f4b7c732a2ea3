//! The OpenAPI document describes every API route the server answers.

use serde_json::Value;
use xinan_tests::{Engine, TestApp};

#[tokio::test]
async fn openapi_document_lists_every_route_and_every_route_exists() {
    let app = TestApp::spawn(Engine::Sqlite).await.unwrap();
    let doc: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in paths {
        for method in
            item.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
        {
            documented.push(format!("{} {path}", method.to_uppercase()));
            let url = app.url(&path.replace("{id}", "phq9").replace("{code}", "DEMO"));
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
    documented.sort();
    assert_eq!(
        documented,
        [
            "GET /api/v1/campaigns/{code}",
            "GET /api/v1/instruments",
            "GET /api/v1/instruments/{id}",
            "GET /api/v1/openapi.json",
            "POST /api/v1/campaigns/{code}/submissions",
            "POST /api/v1/score/{id}",
        ]
    );
}
