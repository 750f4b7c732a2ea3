//! What a hostile client can make the server do: hold connections open with slow
//! headers or bodies, send control characters the databases treat differently, or
//! paths that are not UTF-8. Every answer is the JSON error shape, the same on both
//! engines, and nothing is stored.

use std::time::{Duration, Instant};

use instruments::wire::staff::Role;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use xinan_tests::{on_both_databases, TestApp};

use crate::support::{campaign_spec, error_of, submission};

on_both_databases!(
    slow_clients_are_cut_off_and_others_are_still_served,
    nul_and_control_characters_are_refused_naming_the_field,
    a_path_that_is_not_utf8_gets_the_json_404,
);

/// Reads until the server closes the connection; what it sent, or `None` when it
/// kept the connection open past `limit` (a generous bound, not a measurement).
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let result = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    result.ok().map(|()| String::from_utf8_lossy(&seen).into_owned())
}

async fn slow_clients_are_cut_off_and_others_are_still_served(app: TestApp) {
    let Some(app) = TestApp::spawn_configured(app.engine, |s| {
        s.limits.header_timeout_secs = 1;
        s.limits.body_timeout_secs = 1;
        s.limits.max_connections = 40;
    })
    .await
    else {
        return;
    };
    let addr = app.base.trim_start_matches("http://").to_owned();
    // More half-sent requests than the server serves at once.
    let mut slow = Vec::new();
    for _ in 0..60 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(b"GET /api/v1/instruments HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        slow.push(stream);
    }
    // A body that never arrives.
    let mut dribble = TcpStream::connect(&addr).await.unwrap();
    dribble
        .write_all(
            b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em",
        )
        .await
        .unwrap();
    // An idle connection that never sends a byte.
    let mut idle = TcpStream::connect(&addr).await.unwrap();

    // Everyone else is still served (as soon as the slow ones are cut off).
    let started = Instant::now();
    let ok = reqwest::Client::new().get(app.url("/api/v1/instruments")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let served_after = started.elapsed();
    assert_eq!(app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await.status(), 201);

    for (i, stream) in slow.iter_mut().enumerate() {
        assert!(read_until_closed(stream, Duration::from_secs(30)).await.is_some(), "slow header {i} still open");
    }
    let answer = read_until_closed(&mut dribble, Duration::from_secs(30)).await.expect("slow body cut off");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(read_until_closed(&mut idle, Duration::from_secs(30)).await.is_some(), "idle connection still open");
    println!("{:?}: a normal request was served {served_after:?} after 60 slow ones took every slot", app.engine);
}

async fn nul_and_control_characters_are_refused_naming_the_field(app: TestApp) {
    let platform = app.staff("platform@example.org", Role::PlatformAdmin, None).await;
    let org = app.demo_org().await;
    let before = (app.count("submissions").await, app.count("organizations").await, app.count("campaigns").await);

    let mut with_nul_key = submission();
    with_nul_key["idempotency_key"] = json!("key\u{0}1");
    let mut with_nul_cohort = submission();
    with_nul_cohort["cohort"]["grade"] = json!("8\u{0}");
    let mut spec = campaign_spec("NUL-COHORT", "anonymous");
    spec["cohort"][0]["values"][0] = json!("7\u{0}");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/api/v1/campaigns/DEMO/submissions", with_nul_key, "idempotency_key"),
        ("/api/v1/campaigns/DEMO/submissions", with_nul_cohort, "cohort.grade"),
        ("/api/v1/session", json!({"email": "a\u{0}@example.org", "password": "x"}), "email"),
        ("/api/v1/organizations", json!({"name": "School\u{0}", "kind": "school"}), "name"),
        ("/api/v1/organizations", json!({"name": "Bell\u{7}School", "kind": "school"}), "name"),
        ("/api/v1/organizations", json!({"name": "C1\u{85}School", "kind": "school"}), "name"),
    ];
    for (path, body, field) in cases {
        let response = platform.post(path, &body).await;
        let error = error_of(response, 422).await;
        assert_eq!(error["code"], "invalid_text", "{path} {body}");
        assert_eq!(error["field"], field, "{path} {body}");
    }
    let response = platform.post(&format!("/api/v1/organizations/{org}/campaigns"), &spec).await;
    let error = error_of(response, 422).await;
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("invalid_text"), Some("cohort[0].values[0]")));

    // In paths too: a campaign code, an instrument id, an invitation token.
    for path in ["/api/v1/campaigns/DE%00MO", "/api/v1/instruments/phq%009", "/api/v1/invitations/ab%00cd"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        let error = error_of(response, 422).await;
        assert_eq!(error["code"], "invalid_text", "{path}");
    }
    // Tabs and line breaks are text, and stay allowed where text is free.
    let fine = platform.post("/api/v1/organizations", &json!({"name": "Two\tWords", "kind": "school"})).await;
    assert_eq!(fine.status(), 201);
    let after = (app.count("submissions").await, app.count("organizations").await - 1, app.count("campaigns").await);
    assert_eq!(before, after, "nothing refused was stored");
}

async fn a_path_that_is_not_utf8_gets_the_json_404(app: TestApp) {
    for path in [
        "/api/v1/campaigns/%FF",
        "/api/v1/score/%FF",
        "/api/v1/instruments/%FF",
        "/api/v1/invitations/%FF",
        "/api/v1/campaigns/%FF/submissions",
        "/api/",
        "/api",
    ] {
        let method = if path.contains("score") || path.ends_with("submissions") { "POST" } else { "GET" };
        let response = app
            .http
            .request(method.parse().unwrap(), app.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        assert!(
            response.headers()["content-type"].to_str().unwrap().starts_with("application/json"),
            "{method} {path}"
        );
        let error = error_of(response, 404).await;
        assert_eq!(error["code"], "not_found", "{path}");
    }
}
