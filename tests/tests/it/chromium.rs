//! Headless Chromium driven over WebDriver (fantoccini + chromedriver), shared by the
//! browser tests.
//!
//! Needs the app built (`cargo xtask build-app`; `XINAN_DIST` names the directory)
//! and chromedriver (`CHROMEDRIVER`, default `/usr/bin/chromedriver`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// The built app: `XINAN_DIST`, else `app/dist`.
pub fn dist() -> PathBuf {
    let dist = std::env::var_os("XINAN_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../app/dist"));
    assert!(
        dist.join("index.html").is_file(),
        "the app is not built at {}: run `cargo xtask build-app`",
        dist.display()
    );
    dist
}

/// A headless Chromium whose preferred language is `language`, and its driver process.
pub async fn browser(language: &str) -> (Client, tokio::process::Child, PathBuf) {
    let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let driver = tokio::process::Command::new(&driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromedriver at {driver_path}: {e} (run `cargo xtask setup`)"));
    let profile = std::env::temp_dir().join(format!("xinan-chrome-{}-{port}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=390,900",
                format!("--lang={language}"),
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {"intl.accept_languages": language},
        }),
    );
    let mut last_error = None;
    for _ in 0..100 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (client, driver, profile),
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot connect to chromedriver: {last_error:?}");
}
