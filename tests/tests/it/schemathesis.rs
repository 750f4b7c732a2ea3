//! schemathesis, fed the server's own OpenAPI document, sends generated requests to
//! every operation and fails on any 5xx or any status the document does not list:
//! once without a session and once signed in as a platform admin.
//!
//! `SCHEMATHESIS` names the tool (`cargo xtask test` passes the one `cargo xtask
//! setup` installs); without it, `schemathesis` on PATH. Missing, the test fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use instruments::wire::staff::Role;
use xinan_tests::TestApp;

use crate::support::submission;

/// The signed-in run's account; also one of the texts tried in bodies.
const ADMIN: &str = "fuzz-admin@example.org";
/// Test cases per operation and phase: enough to reach every extractor's rejection
/// (wrong types, missing fields, odd path segments), few enough for a 2-core CI.
const MAX_EXAMPLES: u32 = 15;
/// The same inputs on every run, so a failure seen once is seen again.
const SEED: u32 = 20_251_101;
/// Far above what one run takes: a hang fails here rather than stalling CI.
const RUN_LIMIT: Duration = Duration::from_secs(240);

async fn schemathesis_finds_no_server_error_nor_undocumented_status(app: TestApp) {
    // Arrange
    let tool = schemathesis();
    let admin = app.staff(ADMIN, Role::PlatformAdmin, None).await;
    let signed_in = [format!("Cookie: {}", admin.cookie), format!("X-CSRF-Token: {}", admin.csrf)];
    // A flagged submission, so a case exists for the follow-up operations to find.
    assert_eq!(app.post_json("/api/v1/campaigns/DEMO/submissions", &submission()).await.status(), 201);
    let case: i64 = sqlx::query_scalar("SELECT MAX(id) FROM cases").fetch_one(app.store.pool()).await.unwrap();
    let config = config(app.demo_org().await, case);

    // Act
    let anonymous = run(&tool, &app, &config, "anonymous", &[], &[]).await;
    // Signing out would end the session the rest of the run uses; the anonymous run
    // covers that operation (401).
    let staff = run(&tool, &app, &config, "platform admin", &signed_in, &["--exclude-operation-id", "sign_out"]).await;

    // Assert
    let failed: Vec<&Run> = [&anonymous, &staff].into_iter().filter(|r| !r.passed).collect();
    assert!(
        failed.is_empty(),
        "schemathesis found 5xx or undocumented statuses on {:?}:\n{}",
        app.engine,
        failed.iter().map(|r| r.report()).collect::<Vec<_>>().join("\n")
    );
}

xinan_tests::on_both_databases!(schemathesis_finds_no_server_error_nor_undocumented_status);

/// schemathesis's configuration. Random path segments and ids almost never name
/// something that exists, so values that do (the demo campaign and organization, the
/// instruments, the case) stand in for a share of them, to get past 404 into the
/// handlers. Random text almost never holds a NUL, which PostgreSQL cannot store, nor
/// an e-mail or code that exists, so the body's text fields sometimes get one.
fn config(org: i64, case: i64) -> String {
    let mut toml = format!(
        r#"[dictionaries.existing]
values = ["DEMO", "phq9", "gad7"]

[dictionaries.ids]
values = [{org}, {case}]

[dictionaries.text]
values = ["a\u0000b", "\u0000", "DEMO", "phq9", "{ADMIN}"]

[generation.dictionaries]
string = {{ dictionary = "existing", probability = 0.3 }}
integer = {{ dictionary = "ids", probability = 0.3 }}

[parameters]
"#
    );
    for field in ["name", "email", "password", "code", "note", "outcome", "idempotency_key", "access_code"] {
        toml.push_str(&format!("\"body.{field}\" = {{ dictionary = \"text\", probability = 0.2 }}\n"));
    }
    toml
}

/// The tool, checked to be the v4 whose flags [`run`] uses.
fn schemathesis() -> PathBuf {
    let tool = PathBuf::from(std::env::var_os("SCHEMATHESIS").unwrap_or_else(|| "schemathesis".into()));
    let version = std::process::Command::new(&tool).arg("--version").stdin(Stdio::null()).output();
    let version = match version {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Ok(out) => panic!(
            "schemathesis at {} is broken ({}): {}; run `cargo xtask setup`",
            tool.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "\n\n*** schemathesis is NOT INSTALLED ({}: {e}). Run `cargo xtask setup`, then the tests through \
             `cargo xtask test`, or set SCHEMATHESIS=/path/to/schemathesis ***\n",
            tool.display()
        ),
    };
    assert!(version.starts_with("schemathesis, version 4."), "{}: {version}; this test needs v4", tool.display());
    tool
}

struct Run {
    who: &'static str,
    passed: bool,
    command: String,
    output: String,
    took: Duration,
}

impl Run {
    fn report(&self) -> String {
        format!("=== {} ({:.0?}): {}\n{}", self.who, self.took, self.command, self.output)
    }
}

/// One schemathesis run against `app`, with `headers` on every request.
async fn run(tool: &Path, app: &TestApp, config: &str, who: &'static str, headers: &[String], extra: &[&str]) -> Run {
    let work = std::env::temp_dir().join(format!("xinan-schemathesis-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&work).expect("schemathesis work dir");
    // Our configuration: none found in a parent directory applies.
    let config_file = work.join("schemathesis.toml");
    std::fs::write(&config_file, config).expect("schemathesis.toml");
    let mut args: Vec<String> = vec!["--config-file".into(), config_file.display().to_string(), "--no-color".into()];
    args.extend(
        [
            "run",
            &app.url("/api/v1/openapi.json"),
            // Requests go to the server under test only, whatever the document says.
            "--url",
            &app.base,
            "--max-redirects",
            "0",
            "--checks",
            "not_a_server_error,status_code_conformance",
            "--max-examples",
            &MAX_EXAMPLES.to_string(),
            "--seed",
            &SEED.to_string(),
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--request-timeout",
            "20",
            // The document's schemas are large (a campaign spec); generating them may
            // be slow, and that is not what this test is about.
            "--suppress-health-check",
            "all",
            "--output-truncate",
            "false",
            // The reproduction must show the real values (an idempotency key, a
            // password); the secrets are this throwaway server's.
            "--output-sanitize",
            "false",
        ]
        .map(str::to_owned),
    );
    for header in headers {
        args.extend(["--header".to_owned(), header.clone()]);
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let command = format!("{} {}", tool.display(), args.join(" "));

    let mut cmd = tokio::process::Command::new(tool);
    // A clean environment: no proxy, no SCHEMATHESIS_* setting, no hooks module.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &work)
        .env("PYTHONIOENCODING", "utf-8")
        .env("NO_COLOR", "1")
        .args(&args)
        .current_dir(&work)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let started = Instant::now();
    let output = tokio::time::timeout(RUN_LIMIT, cmd.output())
        .await
        .unwrap_or_else(|_| panic!("schemathesis ({who}) ran longer than {RUN_LIMIT:?}: {command}"))
        .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&work);
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    eprintln!("schemathesis ({who}, {:?}) took {took:.0?}", app.engine);
    Run { who, passed: output.status.success(), command, output: text, took }
}
