//! A respondent whose network drops can reopen the link and still answer: the page
//! shell and the campaign come from the service worker's cache, the browser scores,
//! and the submission waits on the device.

use std::time::Duration;

use fantoccini::{Client, Locator};
use xinan_tests::{Engine, TestApp};

use crate::browser::{answer_everything, click_button};
use crate::chromium::{browser, dist};

/// Waits until the campaign is in the service worker's cache.
async fn wait_until_cached(client: &Client, path: &str) -> Result<(), fantoccini::error::CmdError> {
    let script = "const done = arguments[arguments.length - 1];
                  caches.match(arguments[0]).then((r) => done(!!r), () => done(false));";
    for _ in 0..100 {
        if client.execute_async(script, vec![path.into()]).await?.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never reached the offline cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screening_reopens_and_scores_without_network() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        client.goto(&app.url("/c/DEMO")).await?;
        click_button(&client, "I agree").await?;
        wait_until_cached(&client, "/api/v1/campaigns/DEMO").await?;

        app.stop_server().await;
        client.refresh().await?;
        click_button(&client, "I agree").await?;
        assert_eq!(answer_everything(&client).await?, 1 + 10 + 7);
        click_button(&client, "Submit").await?;
        let total = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#result [data-instrument='phq9'] .total"))
            .await?
            .text()
            .await?;
        let result = client.find(Locator::Css("#result")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>((total, result))
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let (total, result) = outcome.expect("the offline flow completes");
    assert_eq!(total.trim(), "18", "the browser scored offline");
    assert!(result.contains("Saved on this device"), "the answers wait on the device: {result}");
    assert_eq!(app.count("submissions").await, 0, "nothing reached the stopped server");
}
