//! `cargo xtask test`: the one command CI runs (through .ci/run) and developers run
//! before pushing, so "green here" and "green in CI" mean the same thing.

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use crate::setup::{self, Tools};
use crate::toolchain::Workspace;
use crate::util::{self, Result, Steps};
use crate::web::{self, Profile};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Step names for `--only`, in the order they run.
pub const STEPS: &[&str] = &["fmt", "clippy", "app", "native", "wasm"];

/// Runs every step, or with `only` just those (setup always runs; `native` without
/// `app` uses whatever app/dist holds).
pub fn test(ws: &Workspace, only: Option<&[String]>) -> Result {
    let wanted = |step: &str| only.is_none_or(|list| list.iter().any(|s| s == step));
    let mut steps = Steps::new();
    // First, so a misconfigured CI fails in a second rather than after the builds.
    let postgres = if wanted("native") { Some(steps.run("postgres", postgres_policy)?) } else { None };
    let tools = steps.run("setup", || setup::setup(ws))?;
    if wanted("fmt") {
        steps.run("fmt", || util::run(ws.cargo().args(["fmt", "--all", "--", "--check"])))?;
    }
    if wanted("clippy") {
        // --workspace includes `app`: its logic compiles natively too, so it is linted
        // (and its plain unit tests run) without the wasm toolchain.
        steps.run("clippy", || {
            util::run(ws.cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
        })?;
        // The staff app is `app` with another feature: linted (and below, tested) on its own.
        steps.run("clippy (staff app)", || {
            util::run(ws.cargo().args([
                "clippy",
                "-p",
                "app",
                "--features",
                "staff",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
    }
    if wanted("app") {
        steps.run("build-app", || web::build_app(ws, &tools, Profile::Release))?;
        // The budget is enforced in CI (Debian toolchain, where it is measured); elsewhere
        // the figure is printed.
        let enforce = std::env::var("CI").is_ok_and(|v| v == "true");
        steps.run("size", || web::size(ws, enforce))?;
    }
    if let Some(postgres) = &postgres {
        steps.run("native tests", || native_tests(ws, &tools, postgres))?;
    }
    if wanted("wasm") {
        steps.run("wasm tests", || wasm_tests(ws, &tools))?;
    }
    steps.summary();
    if let Some(Postgres::Skip(reason)) = &postgres {
        loud(&format!("PostgreSQL tests were SKIPPED: {reason}"));
    }
    Ok(())
}

enum Postgres {
    Url(String),
    Skip(String),
}

/// CI must test PostgreSQL, so there a missing URL is an error. A developer without
/// a local server still gets a run, with a skip that cannot be overlooked.
fn postgres_policy() -> Result<Postgres> {
    if let Some(url) = util::env_nonempty("TEST_POSTGRES_URL") {
        eprintln!("PostgreSQL tests use TEST_POSTGRES_URL={}", util::redact(&url));
        return Ok(Postgres::Url(url));
    }
    if util::is_ci() {
        loud("CI=true but TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI");
        bail!("TEST_POSTGRES_URL is not set (required when CI=true)");
    }
    if util::env_nonempty("XINAN_SKIP_POSTGRES").as_deref() == Some("1") {
        let reason = "XINAN_SKIP_POSTGRES=1 was set by the caller".to_owned();
        loud(&format!("PostgreSQL tests will be SKIPPED: {reason}"));
        return Ok(Postgres::Skip(reason));
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], 5432));
    if TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
        eprintln!("TEST_POSTGRES_URL not set; 127.0.0.1:5432 answers, using {DEFAULT_POSTGRES_URL}");
        return Ok(Postgres::Url(DEFAULT_POSTGRES_URL.to_owned()));
    }
    let reason = "TEST_POSTGRES_URL is not set and nothing listens on 127.0.0.1:5432".to_owned();
    loud(&format!("PostgreSQL tests will be SKIPPED: {reason}"));
    Ok(Postgres::Skip(reason))
}

fn loud(message: &str) {
    let bar = "!".repeat(78);
    eprintln!("\n{bar}\n!! {message}\n{bar}\n");
}

/// Native tests (default members) with the contract the test code relies on: the built
/// app in XINAN_DIST, the browser, driver and schemathesis paths, and either
/// TEST_POSTGRES_URL or XINAN_SKIP_POSTGRES=1.
fn native_tests(ws: &Workspace, tools: &Tools, postgres: &Postgres) -> Result {
    let mut cmd = ws.cargo();
    cmd.args(["test", "--workspace"])
        .env("XINAN_DIST", ws.dist_dir())
        .env("CHROMEDRIVER", tools.chromedriver()?)
        .env("CHROMIUM", tools.chromium()?)
        .env("SCHEMATHESIS", tools.schemathesis()?)
        .env("XINAN_PYTHON", setup::test_python().ok_or("the test venv has no aiosmtpd: run `cargo xtask setup`")?);
    match postgres {
        Postgres::Url(url) => cmd.env("TEST_POSTGRES_URL", url).env_remove("XINAN_SKIP_POSTGRES"),
        Postgres::Skip(_) => cmd.env_remove("TEST_POSTGRES_URL").env("XINAN_SKIP_POSTGRES", "1"),
    };
    util::run(&mut cmd)?;
    // The staff app's logic (routes, roles, the campaign form, descriptions).
    util::run(ws.cargo().args(["test", "-p", "app", "--features", "staff"]))
}

/// `instruments` compiled to wasm32 and run in headless Chromium by
/// wasm-bindgen-test-runner, which reads the browser capabilities from
/// WASM_BINDGEN_TEST_WEBDRIVER_JSON (cargo runs it from the crate dir, so a
/// webdriver.json of ours could not be found there).
fn wasm_tests(ws: &Workspace, tools: &Tools) -> Result {
    let config = ws.scratch_dir()?.join("webdriver.json");
    fs::write(&config, webdriver_json(tools.chromium()?))
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    let mut cmd = ws.wasm_cargo(tools.rust, "test");
    cmd.args(["-p", "instruments"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &tools.test_runner)
        .env("CHROMEDRIVER", tools.chromedriver()?)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &config);
    // The runner prefers these over CHROMEDRIVER; NO_HEADLESS would wait for a human.
    for var in [
        "GECKODRIVER",
        "GECKODRIVER_REMOTE",
        "SAFARIDRIVER",
        "SAFARIDRIVER_REMOTE",
        "CHROMEDRIVER_REMOTE",
        "NO_HEADLESS",
    ] {
        cmd.env_remove(var);
    }
    util::run(&mut cmd)
}

/// Chromium flags for running as root on a machine without outside network: no
/// sandbox (root), and no background traffic (updates, sync, QUIC) that would hang.
fn webdriver_json(chromium: &Path) -> String {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ];
    let args: Vec<String> = args.iter().map(|a| json_string(a)).collect();
    format!(
        "{{\n  \"goog:chromeOptions\": {{\n    \"binary\": {},\n    \"args\": [{}]\n  }}\n}}\n",
        json_string(&chromium.to_string_lossy()),
        args.join(", ")
    )
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webdriver_json_names_the_binary() {
        let json = webdriver_json(Path::new("/opt/my \"chrome\"/chrome"));
        assert!(json.contains(r#""binary": "/opt/my \"chrome\"/chrome""#), "{json}");
        assert!(json.contains(r#""--no-sandbox""#));
    }
}
