//! Notification latency: from a level-1 warning's commit (the submission's 201) to
//! the counselor's mail arriving at a real SMTP server (aiosmtpd), over 100 warnings
//! one after another, on SQLite and (with `TEST_POSTGRES_URL`) PostgreSQL.
//!
//! `XINAN_PYTHON=<python with aiosmtpd> cargo bench -p xinan-tests --bench notify_latency`

use std::time::{Duration, Instant};

use instruments::wire::staff::Role;
use serde_json::json;
use xinan_tests::smtp::SmtpServer;
use xinan_tests::{Engine, TestApp};

const WARNINGS: usize = 100;

fn urgent_submission() -> serde_json::Value {
    let phq9: serde_json::Map<String, serde_json::Value> = (1..=9).map(|i| (format!("phq9_{i}"), json!(1))).collect();
    let gad7: serde_json::Map<String, serde_json::Value> = (1..=7).map(|i| (format!("gad7_{i}"), json!(0))).collect();
    json!({
        "idempotency_key": uuid::Uuid::new_v4().to_string(),
        "cohort": {"grade": "8"},
        "consent": {"health": true},
        "results": [
            {"instrument": "phq9", "version": "1.0.0", "answers": phq9,
             "client_score": {"total": 9, "band": "mild", "flags": ["critical"]}},
            {"instrument": "gad7", "version": "1.0.0", "answers": gad7,
             "client_score": {"total": 0, "band": "minimal", "flags": []}}
        ]
    })
}

async fn measure(engine: Engine) {
    let smtp = SmtpServer::start();
    let mail = smtp.settings("https://xinan.district.example");
    let Some(app) = TestApp::spawn_configured(engine, |s| s.staff.mail = Some(mail)).await else { return };
    let org = app.demo_org().await;
    app.create_staff("counselor@example.org", "a long enough password", Role::Counselor, Some(org)).await;
    let mut latencies = Vec::with_capacity(WARNINGS);
    for i in 0..WARNINGS {
        let response = app.post_json("/api/v1/campaigns/DEMO/submissions", &urgent_submission()).await;
        assert_eq!(response.status(), 201);
        let committed = Instant::now();
        let deadline = committed + Duration::from_secs(30);
        while smtp.count() <= i {
            assert!(Instant::now() < deadline, "mail {i} did not arrive");
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        latencies.push(committed.elapsed());
    }
    latencies.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{engine:?}: commit → mail received over {WARNINGS} level-1 warnings: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(latencies[WARNINGS / 2]),
        ms(latencies[WARNINGS * 9 / 10]),
        ms(latencies[WARNINGS - 1]),
    );
}

#[tokio::main]
async fn main() {
    measure(Engine::Sqlite).await;
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        measure(Engine::Postgres).await;
    } else {
        println!("PostgreSQL: not measured (TEST_POSTGRES_URL is not set)");
    }
}
