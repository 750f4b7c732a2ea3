//! A respondent completes the DEMO screening in headless Chromium; the total the page
//! shows must be the one the server stored.
//!
//! Needs the app built (`cargo xtask build-app`; `XINAN_DIST` names the directory)
//! and chromedriver (`CHROMEDRIVER`, default `/usr/bin/chromedriver`).

use std::time::Duration;

use fantoccini::{Client, Locator};
use sqlx::Row as _;
use xinan_tests::{Engine, TestApp};

use crate::chromium::{browser, dist};

/// Answers every radio group on the page, including ones that appear as answers
/// arrive (PHQ-9 item 10): option value 2 where offered, else the first option.
pub(crate) async fn answer_everything(client: &Client) -> Result<usize, fantoccini::error::CmdError> {
    let mut answered = 0;
    loop {
        let mut progressed = false;
        for group in client.find_all(Locator::Css("[role=radiogroup]")).await? {
            if !group.find_all(Locator::Css("input[type=radio]:checked")).await?.is_empty() {
                continue;
            }
            let inputs = group.find_all(Locator::Css("input[type=radio]")).await?;
            let mut choice = inputs.first().cloned().expect("a radio group has options");
            for input in &inputs {
                if input.attr("value").await?.as_deref() == Some("2") {
                    choice = input.clone();
                }
            }
            // Click as a person would: on the option's label text.
            let id = choice.attr("id").await?;
            match id {
                Some(id) if !client.find_all(Locator::Css(&format!("label[for='{id}']"))).await?.is_empty() => {
                    client.find(Locator::Css(&format!("label[for='{id}']"))).await?.click().await?
                }
                _ => choice.click().await?,
            }
            answered += 1;
            progressed = true;
        }
        if !progressed {
            return Ok(answered);
        }
    }
}

pub(crate) async fn click_button(client: &Client, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let xpath = format!("//button[normalize-space(.)='{text}']");
    client.wait().at_most(Duration::from_secs(20)).for_element(Locator::XPath(&xpath)).await?.click().await
}

/// What the page showed after submitting.
struct Shown {
    code: String,
    phq9_total: String,
    crisis: String,
}

/// Completes DEMO in a browser preferring `language`, pressing the buttons by their
/// visible names (`agree` on the consent step), and checks the shown PHQ-9 total
/// against the database.
async fn complete_demo(language: &str, agree: &str, submit: &str) -> Shown {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let (client, _driver, profile) = browser(language).await;
    let outcome = async {
        client.goto(&app.url("/c/DEMO")).await?;
        click_button(&client, agree).await?;
        let answered = answer_everything(&client).await?;
        assert_eq!(answered, 1 + 10 + 7, "grade, PHQ-9 with item 10, GAD-7");
        click_button(&client, submit).await?;
        let code = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#result .respondent-code"))
            .await?
            .text()
            .await?;
        let status = client.find(Locator::Css("#result")).await?;
        assert_eq!(status.attr("role").await?.as_deref(), Some("status"));
        let phq9_total = client.find(Locator::Css("#result [data-instrument='phq9'] .total")).await?.text().await?;
        let crisis = client.find(Locator::Css("#result .crisis")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>(Shown { code: code.trim().to_owned(), phq9_total, crisis })
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let shown = outcome.expect("the browser flow completes");

    let row = sqlx::query(
        "SELECT r.total FROM results r JOIN submissions s ON s.id = r.submission_id
         WHERE s.respondent_code = $1 AND r.instrument = 'phq9'",
    )
    .bind(&shown.code)
    .fetch_one(app.store.pool())
    .await
    .expect("the displayed respondent code is stored");
    let stored: f64 = row.get("total");
    assert_eq!(shown.phq9_total.trim(), format!("{stored}"), "displayed total equals stored total");
    assert_eq!(stored, 18.0, "all PHQ-9 items answered 2");
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_completes_phq9_in_chinese_and_sees_the_stored_total() {
    let shown = complete_demo("zh-CN", "同意并继续", "提交").await;
    assert!(shown.crisis.contains("12356"), "item 9 answered: the Chinese crisis line is shown: {}", shown.crisis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employee_completes_the_screening_in_english() {
    let shown = complete_demo("en-US", "I agree", "Submit").await;
    assert!(shown.crisis.contains("988"), "item 9 answered: the crisis line is shown: {}", shown.crisis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_consent_ends_with_help_and_sends_nothing() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let (client, _driver, profile) = browser("zh-CN").await;
    let outcome = async {
        client.goto(&app.url("/c/DEMO")).await?;
        let consent = client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("consent")).await?;
        let statement = consent.text().await?;
        // No question is on screen before consenting.
        let visible_questions = client
            .execute(
                "return [...document.querySelectorAll('[role=radiogroup]')].filter(g => g.offsetParent).length",
                vec![],
            )
            .await?;
        click_button(&client, "不同意").await?;
        let declined = client.find(Locator::Id("declined")).await?;
        let shown = declined.is_displayed().await?;
        Ok::<_, fantoccini::error::CmdError>((statement, visible_questions, shown, declined.text().await?))
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let (statement, visible_questions, shown, declined) = outcome.expect("the consent step works");
    assert!(statement.contains("健康信息") && statement.contains("之后没有人能联系到你"), "{statement}");
    assert_eq!(visible_questions.as_i64(), Some(0), "no question before consent");
    assert!(shown, "declining shows the end of the session");
    assert!(declined.contains("12356"), "with the crisis resources: {declined}");
    assert_eq!(app.count("submissions").await, 0, "nothing was sent");
}

/// A panel campaign: the student types their book code (loosely), reads that answers
/// link over time, answers, and sees their book code back; the same code cannot start
/// the campaign a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_answers_a_panel_campaign_with_the_book_code_once() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let org = app.demo_org().await;
    let admin = app.staff("head@example.org", instruments::wire::staff::Role::OrgAdmin, Some(org)).await;
    let mut spec = crate::support::campaign_spec("YEAR7", "panel");
    spec["result_visibility"] = serde_json::json!("full");
    assert_eq!(admin.post(&format!("/api/v1/organizations/{org}/campaigns"), &spec).await.status(), 201);
    let codes = admin.post(&format!("/api/v1/organizations/{org}/panel-codes"), &serde_json::json!({"count": 1})).await;
    let code = codes.json::<serde_json::Value>().await.unwrap()["codes"][0].as_str().unwrap().to_owned();
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        client.goto(&app.url("/c/YEAR7")).await?;
        let typed = format!("{}-{}", code[..5].to_lowercase(), &code[5..]);
        let input = client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("access-code")).await?;
        input.send_keys(&typed).await?;
        click_button(&client, "Continue").await?;
        let consent = client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("consent")).await?;
        let statement = consent.text().await?;
        client.find(Locator::Id("agree")).await?.click().await?;
        answer_everything(&client).await?;
        click_button(&client, "Submit").await?;
        let shown = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#result .respondent-code"))
            .await?
            .text()
            .await?;
        // The next student at the same computer tries the same code.
        client.goto(&app.url("/c/YEAR7")).await?;
        let input = client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("access-code")).await?;
        input.send_keys(&code).await?;
        click_button(&client, "Continue").await?;
        let mut refused = String::new();
        for _ in 0..100 {
            refused = client.find(Locator::Id("access-error")).await?.text().await?;
            if !refused.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, fantoccini::error::CmdError>((statement, shown, refused))
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let (statement, shown, refused) = outcome.expect("the panel flow completes");
    assert!(statement.contains("same code in every screening"), "the panel statement: {statement}");
    assert!(statement.contains("kept until your school asks for them to be deleted"), "{statement}");
    let plain: String = shown.chars().filter(char::is_ascii_alphanumeric).collect();
    assert_eq!(plain, code, "the book code is shown back");
    assert!(refused.contains("already used"), "{refused}");
    let receipts: Vec<String> = sqlx::query_scalar("SELECT receipt FROM submissions WHERE panel_code = $1")
        .bind(&code)
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(receipts.len(), 1);
    // The page sent its timings: a robot answers ten items in well under 2 s each, so
    // the result is marked careless — and its item-9 warning opened all the same.
    let receipt: serde_json::Value = serde_json::from_str(&receipts[0]).unwrap();
    assert_eq!(receipt["results"][0]["validity"], "careless", "{receipt}");
    assert_eq!(app.count("cases").await, 1, "the mark never suppresses a warning");
}

/// A campaign for 12–16 year-olds shows no score by default ("thank you"), yet an
/// answer that calls for them still brings up the crisis resources.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_score_campaign_thanks_the_student_and_still_shows_crisis_resources() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let org = app.demo_org().await;
    let admin = app.staff("head@example.org", instruments::wire::staff::Role::OrgAdmin, Some(org)).await;
    let spec = crate::support::campaign_spec("QUIET", "anonymous");
    assert_eq!(admin.post(&format!("/api/v1/organizations/{org}/campaigns"), &spec).await.status(), 201);
    let public = app.http.get(app.url("/api/v1/campaigns/QUIET")).send().await.unwrap();
    let public: serde_json::Value = public.json().await.unwrap();
    assert_eq!(public["result_visibility"], "none", "under 14: no score by default");
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        client.goto(&app.url("/c/QUIET")).await?;
        click_button(&client, "I agree").await?;
        answer_everything(&client).await?;
        click_button(&client, "Submit").await?;
        let result = client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#result")).await?;
        let crisis =
            client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#result .crisis")).await?;
        let crisis_text = crisis.text().await?;
        let heading = client.find(Locator::Css("#result-h")).await?.text().await?;
        let mut shown = 0;
        for block in client.find_all(Locator::Css("#result [data-instrument], #result .total, #result .band")).await? {
            shown += usize::from(block.is_displayed().await?);
        }
        Ok::<_, fantoccini::error::CmdError>((result.text().await?, crisis_text, heading, shown))
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let (text, crisis, heading, blocks) = outcome.expect("the no-score flow completes");
    assert!(heading.contains("Thank you") && !heading.contains("Your results"), "{heading}");
    assert_eq!(blocks, 0, "no score, no band on screen: {text}");
    assert!(!text.contains("18"), "the total is nowhere on screen: {text}");
    assert!(crisis.contains("988"), "item 9 answered: the crisis line is shown: {crisis}");
    let totals: Vec<f64> = sqlx::query_scalar("SELECT total FROM results").fetch_all(app.store.pool()).await.unwrap();
    assert_eq!(totals, [18.0], "scored and stored all the same");
}
