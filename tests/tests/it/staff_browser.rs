//! A newcomer's first screening, end to end in headless Chromium: a platform admin
//! signs in, creates a school and a coded PHQ-9 campaign, prints access codes; a
//! student uses one, consents and answers (item 9 raises the critical flag); the
//! admin invites a counselor, who sets a password, finds the case in the queue and
//! acknowledges it. And the reports dashboard: the district roll-up for a platform
//! admin, a campaign grouped by grade for the organization's admin.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use instruments::wire::staff::Role;
use serde_json::json;
use xinan_tests::{Engine, TestApp};

use crate::browser::{answer_everything, click_button};
use crate::chromium::{browser, dist};
use crate::support::submit_demo;

type CmdResult<T> = Result<T, fantoccini::error::CmdError>;

const ADMIN: &str = "admin@example.org";
const COUNSELOR: &str = "counselor@example.org";
const PASSWORD: &str = "a long enough password";

/// Says which element a failing step was about (WebDriver errors do not).
fn at<T>(css: &str, result: CmdResult<T>) -> CmdResult<T> {
    if let Err(e) = &result {
        eprintln!("failed at `{css}`: {e}");
    }
    result
}

async fn wait_css(client: &Client, css: &str) -> CmdResult<Element> {
    at(css, client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await)
}

/// Waits until the element `css` names is on screen (not just in the page).
async fn wait_shown(client: &Client, css: &str) -> CmdResult<Element> {
    let element = wait_css(client, css).await?;
    for _ in 0..200 {
        if element.is_displayed().await? {
            return Ok(element);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let errors = client.find_all(Locator::Css(".field-error, .error")).await?;
    let mut shown = Vec::new();
    for e in errors {
        shown.push(e.text().await?);
    }
    panic!("`{css}` never appeared; errors on the page: {shown:?}");
}

/// Clicks the element `css` names, once it is there.
async fn click(client: &Client, css: &str) -> CmdResult<()> {
    at(css, wait_css(client, css).await?.click().await)
}

/// Opens the folded action `css` names (a `<details>`) by clicking its summary, as a
/// counselor does, unless it is open already.
async fn unfold(client: &Client, css: &str) -> CmdResult<()> {
    let fold = wait_css(client, css).await?;
    if fold.attr("open").await?.is_none() {
        at(css, fold.find(Locator::Css("summary")).await?.click().await)?;
    }
    Ok(())
}

/// Replaces the text of the input `css` names.
async fn fill(client: &Client, css: &str, text: &str) -> CmdResult<()> {
    let input = wait_css(client, css).await?;
    at(css, input.clear().await)?;
    at(css, input.send_keys(text).await)
}

/// Opens `url`. The app navigates by itself after sign-in and sign-out; a `goto`
/// that lands while such a navigation is under way is aborted by it ("aborted by
/// navigation"), so it is sent again once the page has moved on.
async fn goto(client: &Client, url: &str) -> CmdResult<()> {
    for _ in 0..3 {
        match client.goto(url).await {
            Err(fantoccini::error::CmdError::NotW3C(v)) if v.as_str() == Some("aborted by navigation") => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
    client.goto(url).await
}

async fn sign_in(client: &Client, app: &TestApp, email: &str, password: &str) -> CmdResult<()> {
    goto(client, &app.url("/staff")).await?;
    fill(client, "#sign-in #email", email).await?;
    fill(client, "#sign-in #password", password).await?;
    click(client, "#sign-in-button").await?;
    // Signed in: the account bar names the account.
    let xpath = format!("//span[@id='account-email'][normalize-space(.)='{email}']");
    client.wait().at_most(Duration::from_secs(20)).for_element(Locator::XPath(&xpath)).await?;
    Ok(())
}

/// Letters and digits only, upper case: how codes compare whatever their grouping.
fn plain(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_runs_a_coded_screening_and_a_counselor_acknowledges_the_flag() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    app.create_staff(ADMIN, PASSWORD, Role::PlatformAdmin, None).await;
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        // The admin creates a school.
        sign_in(&client, &app, ADMIN, PASSWORD).await?;
        fill(&client, "#org-name", "Riverside Middle School").await?;
        click(&client, "#create-org").await?;
        let org_link = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::XPath("//ul[@id='org-list']//a[normalize-space(.)='Riverside Middle School']"))
            .await?;
        org_link.click().await?;

        // A coded PHQ-9 campaign for ages 13–15, grades 7–9.
        click(&client, "#new-campaign").await?;
        wait_css(&client, "#campaign-form").await?;
        fill(&client, "#f-code", "spring").await?;
        fill(&client, "#f-name-zh", "春季测评").await?;
        fill(&client, "#f-name-en", "Spring screening").await?;
        click(&client, "#f-instrument-phq9").await?;
        fill(&client, "#f-min-age", "13").await?;
        fill(&client, "#f-max-age", "15").await?;
        click(&client, "#f-guardian").await?;
        fill(&client, "#f-cohort-0-id", "grade").await?;
        fill(&client, "#f-cohort-0-label-zh", "年级").await?;
        fill(&client, "#f-cohort-0-label-en", "Grade").await?;
        fill(&client, "#f-cohort-0-values", "7, 8, 9").await?;
        click(&client, "#f-coded").await?;
        click(&client, "#campaign-save").await?;
        // Created: the campaign's page, /staff/org/{org}/campaign/SPRING.
        wait_css(&client, "#codes").await?;
        let path = client.current_url().await?.path().to_owned();
        assert!(path.ends_with("/campaign/SPRING"), "{path}");
        let org_url = app.url(path.split("/campaign/").next().unwrap_or_default());

        // Five access codes; one is read off the page.
        fill(&client, "#code-count", "5").await?;
        click(&client, "#generate-codes-button").await?;
        let mut codes = Vec::new();
        for _ in 0..200 {
            codes = client.find_all(Locator::Css("#access-codes .access-code code")).await?;
            if codes.len() == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(codes.len(), 5, "five codes are listed");
        let code = codes[0].text().await?;

        // A student opens the link, types the code loosely, consents and answers.
        client.goto(&app.url("/c/SPRING")).await?;
        let typed = {
            let p = plain(&code).to_ascii_lowercase();
            format!("{}-{}", &p[..5], &p[5..])
        };
        fill(&client, "#access-code", &typed).await?;
        click_button(&client, "Continue").await?;
        let consent = wait_shown(&client, "#consent").await?;
        let statement = consent.text().await?;
        assert!(statement.contains("Your school keeps a record"), "the coded statement: {statement}");
        click(&client, "#guardian").await?;
        click(&client, "#agree").await?;
        assert_eq!(answer_everything(&client).await?, 1 + 10, "grade and PHQ-9 with item 10");
        click_button(&client, "Submit").await?;
        let shown = wait_css(&client, "#result .respondent-code").await?.text().await?;
        assert_eq!(plain(&shown), plain(&code), "the respondent code is the access code");
        let crisis = client.find(Locator::Css("#result .crisis")).await?.text().await?;
        assert!(!crisis.is_empty(), "item 9 answered: crisis resources are shown");

        // The admin invites a counselor and hands over the link.
        client.goto(&org_url).await?;
        fill(&client, "#invite-email", COUNSELOR).await?;
        click(&client, "#invite-counselor").await?;
        click(&client, "#invite-button").await?;
        let link = wait_css(&client, "#invitation-link").await?.prop("value").await?.unwrap_or_default();
        assert!(link.contains("/staff/invitation/"), "{link}");
        click(&client, "#sign-out").await?;
        wait_css(&client, "#sign-in").await?;

        // The counselor chooses a password, signs in and finds the case.
        client.goto(&link).await?;
        fill(&client, "#new-password", PASSWORD).await?;
        fill(&client, "#repeat-password", PASSWORD).await?;
        click(&client, "#accept-button").await?;
        wait_shown(&client, "#go-sign-in").await?.click().await?;
        sign_in(&client, &app, COUNSELOR, PASSWORD).await?;
        client.goto(&org_url).await?;
        let case = wait_css(&client, "#case-list .case").await?;
        assert_eq!(case.attr("data-state").await?.as_deref(), Some("open"));
        let summary = case.text().await?;
        assert!(plain(&summary).contains(&plain(&code)), "the case names the code: {summary}");
        assert!(summary.contains("Critical"), "{summary}");
        assert!(summary.contains("Item 9 ≥ 1"), "the rule that flagged, in words: {summary}");
        case.find(Locator::Css("a.respondent-code")).await?.click().await?;

        // It is acknowledged with a note.
        unfold(&client, "#case-event-box").await?;
        let contact = wait_css(&client, "#contact").await?.text().await?;
        assert!(contact.contains("school can be asked"), "{contact}");
        click(&client, "#to-acknowledged").await?;
        fill(&client, "#case-note", "Asked the school to arrange a talk today.").await?;
        click(&client, "#case-save").await?;
        wait_css(&client, "#case[data-state='acknowledged']").await?;
        let events = wait_css(&client, "#events").await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>(events)
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let events = outcome.expect("the newcomer flow completes");
    assert!(events.contains("Asked the school to arrange a talk today."), "{events}");
    assert!(events.contains(COUNSELOR), "{events}");
}

/// The text of `href` fetched by the page itself (so with its session cookie).
async fn fetch_in_page(client: &Client, href: &str) -> CmdResult<String> {
    let script = "const [href, done] = arguments; \
        fetch(href).then(r => r.text().then(t => done(r.status + '\\n' + t)), e => done('failed ' + e));";
    let text = client.execute_async(script, vec![json!(href)]).await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// The text of the element `css` names, once it holds `expected`.
async fn wait_text(client: &Client, css: &str, expected: &str) -> CmdResult<String> {
    let element = wait_css(client, css).await?;
    let mut text = String::new();
    for _ in 0..200 {
        text = element.text().await?;
        if text.contains(expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_read_the_district_and_campaign_reports_and_download_them() {
    const DISTRICT: &str = "district@example.org";
    const SCHOOL_ADMIN: &str = "head@example.org";
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let org = app.demo_org().await;
    app.create_staff(DISTRICT, PASSWORD, Role::PlatformAdmin, None).await;
    app.create_staff(SCHOOL_ADMIN, PASSWORD, Role::OrgAdmin, Some(org)).await;
    // 12 in grade 7: half of them answer 2 everywhere (PHQ-9 total 18, item 9 flagged).
    for _ in 0..6 {
        submit_demo(&app, "7", [0; 9]).await;
        submit_demo(&app, "7", [2; 9]).await;
    }
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        // The district page, from the staff home page.
        sign_in(&client, &app, DISTRICT, PASSWORD).await?;
        click(&client, "#district-link").await?;
        let respondents = wait_text(&client, "#report-headline [data-indicator='respondents']", "12").await?;
        assert!(respondents.contains("Respondents") && respondents.contains("12"), "{respondents}");
        let rate = wait_css(&client, "#report-headline [data-indicator='positive-phq9']").await?.text().await?;
        assert!(rate.contains("50%"), "6 of 12 positive: {rate}");
        let chart = wait_css(&client, "#report-view svg").await?;
        assert!(chart.is_displayed().await?, "the chart is on screen");
        let district_text = wait_css(&client, "#report-view").await?.text().await?;
        assert!(district_text.contains("Demo"), "the organization's row: {district_text}");
        let service = wait_css(&client, "#report-view section.service").await?.text().await?;
        assert!(service.contains("Warnings per 1,000 screened") && service.contains("Urgent"), "{service}");
        let href = wait_css(&client, "#report-downloads #dl-csv").await?.attr("href").await?.unwrap_or_default();
        assert!(href.contains("/api/v1/reports/platform?format=csv"), "{href}");
        let csv = fetch_in_page(&client, &href).await?;
        assert!(csv.starts_with("200\n") && csv.contains("Demo"), "the district CSV names the organization: {csv}");
        assert!(client.find(Locator::Css("#dl-raw")).await.is_err(), "no raw data for the district");
        click(&client, "#sign-out").await?;
        wait_css(&client, "#sign-in").await?;

        // The school's admin: DEMO by grade, from the organization's page.
        sign_in(&client, &app, SCHOOL_ADMIN, PASSWORD).await?;
        goto(&client, &app.url(&format!("/staff/org/{org}"))).await?;
        click(&client, "#reports-link").await?;
        wait_css(&client, "#report-campaign option[value='DEMO']").await?;
        click(&client, "#by-grade").await?;
        click(&client, "#show-report").await?;
        wait_css(&client, "#report-view svg").await?;
        let flags = wait_text(&client, "#report-headline [data-indicator='flags-raised']", "6").await?;
        assert!(flags.contains('6'), "{flags}");
        let grouped = wait_css(&client, "#report-view").await?.text().await?;
        assert!(grouped.contains("Grade") || grouped.contains("grade"), "grouped by grade: {grouped}");
        let csv_href = wait_css(&client, "#dl-csv").await?.attr("href").await?.unwrap_or_default();
        assert!(csv_href.contains("/reports/campaigns/DEMO?by=grade&format=csv"), "{csv_href}");
        wait_css(&client, "#raw-warning").await?;
        let raw_href = wait_css(&client, "#dl-raw").await?.attr("href").await?.unwrap_or_default();
        let raw = fetch_in_page(&client, &raw_href).await?;
        Ok::<_, fantoccini::error::CmdError>(raw)
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let raw = outcome.expect("the reports dashboard works");
    assert!(raw.starts_with("200\n"), "{raw}");
    assert_eq!(raw.lines().count(), 1 + 1 + 12, "status, header and 12 submissions: {raw}");
}

/// Sets a date input (typing into one depends on the browser's locale) and tells the
/// app, as a person's choice would.
async fn set_date(client: &Client, css: &str, day: &str) -> CmdResult<()> {
    wait_css(client, css).await?;
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1];
        e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));";
    client.execute(script, vec![json!(css), json!(day)]).await.map(drop)
}

/// The text of the element `css` names once it contains `expected`.
async fn wait_contains(client: &Client, css: &str, expected: &str) -> CmdResult<String> {
    for _ in 0..200 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            let text = element.text().await?;
            if text.contains(expected) {
                return Ok(text);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await?,
        Err(_) => "(not there)".to_owned(),
    };
    panic!("`{css}` never contained {expected:?}: {text}");
}

/// With `XINAN_SCREENSHOTS=<dir>`, saves what the page looks like now (a phone's 390 px
/// width) as `<dir>/<name>.png`, for a person to look at.
async fn screenshot(client: &Client, name: &str) -> CmdResult<()> {
    if let Ok(dir) = std::env::var("XINAN_SCREENSHOTS") {
        let png = client.screenshot().await?;
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).expect("write screenshot");
    }
    Ok(())
}

/// A warning's whole life in the browser: the platform admin adds a referral
/// destination; a PHQ-9 item 9 answer opens a level-1 warning; the counselor finds it
/// at the top of the queue, re-checks and lowers it with a reason, records an
/// interview (a phone number in the plan is refused, with the reason, and nothing is
/// sent), refers, records the destination's confirmation, schedules a visit and
/// closes the warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counselor_works_a_warning_from_the_queue_to_closing() {
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let org = app.demo_org().await;
    app.create_staff(ADMIN, PASSWORD, Role::PlatformAdmin, None).await;
    app.create_staff(COUNSELOR, PASSWORD, Role::Counselor, Some(org)).await;
    submit_demo(&app, "8", [0; 9]).await;
    submit_demo(&app, "8", [1, 1, 1, 1, 1, 1, 1, 1, 1]).await;
    let (client, _driver, profile) = browser("en-US").await;
    let outcome = async {
        // The platform admin adds a destination that takes level 1 and 2 warnings.
        sign_in(&client, &app, ADMIN, PASSWORD).await?;
        click(&client, "#platform-settings").await?;
        fill(&client, "#destination-name", "District Mental Health Centre").await?;
        click(&client, "#destination-level-level1").await?;
        click(&client, "#destination-level-level2").await?;
        fill(&client, "#destination-contact", "outpatient desk, weekdays").await?;
        click(&client, "#destination-save").await?;
        wait_contains(&client, "#destination-list", "District Mental Health Centre").await?;
        click(&client, "#sign-out").await?;

        // The counselor's queue: one level-1 warning, due in 30 minutes.
        sign_in(&client, &app, COUNSELOR, PASSWORD).await?;
        goto(&client, &app.url(&format!("/staff/org/{org}"))).await?;
        let counts = wait_contains(&client, "#queue-counts [data-count='level1']", "1").await?;
        assert!(counts.contains("Urgent") && counts.contains("!!!"), "colour, symbol and words: {counts}");
        let row = wait_css(&client, "#case-list tr.case").await?;
        screenshot(&client, "queue").await?;
        assert_eq!(row.attr("data-level").await?.as_deref(), Some("level1"));
        let text = row.text().await?;
        assert!(text.contains("Urgent") && text.contains("Item 9 ≥ 1"), "{text}");
        // Filtering by level 3 leaves nothing; clearing brings it back.
        click(&client, "#queue-filter-box summary").await?;
        let level = wait_css(&client, "#filter-level").await?;
        level.select_by_value("level3").await?;
        click(&client, "#filter-apply").await?;
        wait_css(&client, "#case-list-empty").await?;
        click(&client, "#filter-clear").await?;
        let row = wait_css(&client, "#case-list tr.case").await?;
        row.find(Locator::Css("a.respondent-code")).await?.click().await?;

        // Re-check: lowered to level 2 with a reason.
        wait_css(&client, "#case[data-level='level1']").await?;
        unfold(&client, "#level-form-box").await?;
        wait_css(&client, "#new-level").await?.select_by_value("level2").await?;
        fill(&client, "#level-reason", "Re-checked by phone: safe at home tonight, no plan.").await?;
        click(&client, "#level-save").await?;
        wait_css(&client, "#case[data-level='level2']").await?;

        // The interview: a mobile number in the plan is refused before anything is sent.
        unfold(&client, "#interview-form-box").await?;
        click(&client, "#iv-mode-face_to_face").await?;
        click(&client, "#iv-present-student").await?;
        click(&client, "#iv-present-homeroom_teacher").await?;
        click(&client, "#iv-risk-medium").await?;
        fill(&client, "#iv-protective_factors", "Close to her grandmother; plays basketball.").await?;
        fill(&client, "#iv-plan", "Weekly talks; call her mother on 138 1234 5678.").await?;
        click(&client, "#interview-save").await?;
        let refused = wait_shown(&client, "#err-plan").await?.text().await?;
        assert!(refused.contains("mobile number"), "{refused}");
        fill(&client, "#iv-plan", "Weekly talks with the school counselor; the homeroom teacher keeps watch.").await?;
        set_date(&client, "#iv-next_follow_up", "2099-01-15").await?;
        click(&client, "#interview-save").await?;
        wait_contains(&client, "#events", "Weekly talks with the school counselor").await?;

        // Referral, and later the destination's confirmation and outcome.
        unfold(&client, "#referral-form-box").await?;
        click(&client, "#referral-save").await?;
        wait_css(&client, "#case[data-state='referred']").await?;
        unfold(&client, ".referral-update-box").await?;
        set_date(&client, ".referral-update #referral-confirmed", "2099-01-02").await?;
        fill(&client, ".referral-update #referral-outcome", "Seen at the outpatient clinic.").await?;
        click(&client, ".referral-update-save").await?;
        wait_contains(&client, "#events", "Seen at the outpatient clinic.").await?;

        // A follow-up visit that schedules the next one.
        unfold(&client, "#visit-form-box").await?;
        fill(&client, "#visit-note", "Calmer; attends classes.").await?;
        set_date(&client, "#visit-next", "2099-02-01").await?;
        click(&client, "#visit-save").await?;
        wait_contains(&client, "#next-visit", "2099-02-01").await?;
        screenshot(&client, "case").await?;

        // Closed with an outcome.
        unfold(&client, "#case-event-box").await?;
        click(&client, "#to-closed").await?;
        fill(&client, "#case-outcome", "Stable after referral; follow-up by the school.").await?;
        click(&client, "#case-save").await?;
        wait_css(&client, "#case[data-state='closed']").await?;
        let timeline = wait_css(&client, "#events").await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>(timeline)
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    let timeline = outcome.expect("the warning is worked to closing");
    for expected in [
        "Warning opened",
        "Re-checked by phone",
        "Interview record",
        "Homeroom teacher",
        "District Mental Health Centre",
        "Calmer; attends classes.",
        "Stable after referral",
    ] {
        assert!(timeline.contains(expected), "the timeline lacks {expected}: {timeline}");
    }
    assert!(!timeline.contains("138 1234 5678"), "{timeline}");
    let plans: Vec<String> =
        sqlx::query_scalar("SELECT answers FROM interviews").fetch_all(app.store.pool()).await.unwrap();
    assert_eq!(plans.len(), 1, "the refused interview was never stored: {plans:?}");
}
