//! The reference page `/instruments` in headless Chromium: every bundled instrument
//! has its section, with PHQ-9's facts as published, in English and in Chinese.

use std::time::Duration;

use fantoccini::{Client, Locator};
use instruments::Locale;
use xinan_tests::{Engine, TestApp};

use crate::chromium::{browser, dist};

type CmdResult<T> = Result<T, fantoccini::error::CmdError>;

/// Opens `path` in a browser preferring `language`, waits for PHQ-9's section, runs
/// `check`, and closes the browser whatever happened.
async fn on_reference_page<F>(language: &str, path: &str, check: F)
where
    F: AsyncFnOnce(&Client) -> CmdResult<()>,
{
    let app = TestApp::spawn_with_dist(Engine::Sqlite, Some(dist())).await.unwrap();
    let (client, _driver, profile) = browser(language).await;
    let outcome = async {
        client.goto(&app.url(path)).await?;
        client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#instrument-phq9")).await?;
        check(&client).await
    }
    .await;
    client.close().await.ok();
    let _ = std::fs::remove_dir_all(profile);
    outcome.expect("the reference page shows what the library holds");
}

/// The texts of the elements `css` matches.
async fn texts(client: &Client, css: &str) -> CmdResult<Vec<String>> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await? {
        texts.push(element.text().await?.trim().to_owned());
    }
    Ok(texts)
}

fn title(definition: &instruments::Definition, tag: &str) -> String {
    let locale = Locale::parse(tag).unwrap();
    let english = Locale::parse("en").unwrap();
    definition.title.get(&locale).or_else(|| definition.title.get(&english)).cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_lists_every_instrument_with_its_facts() {
    on_reference_page("en-US", "/instruments", async |client| {
        let all = instruments::library::all();
        for definition in all {
            let id = &definition.id;
            let heading = client.find(Locator::Css(&format!("#instrument-{id} h2"))).await?.text().await?;
            assert_eq!(heading.trim(), title(definition, "en"), "{id}");
            let link = client.find(Locator::Css(&format!("nav.toc a[href='#instrument-{id}']"))).await?;
            assert_eq!(link.text().await?.trim(), title(definition, "en"), "{id} in the contents");
            let items = texts(client, &format!("#instrument-{id} .items dd")).await?;
            assert_eq!(items, [definition.items.len().to_string()], "{id}");
        }
        assert_eq!(client.find_all(Locator::Css("section[id^='instrument-']")).await?.len(), all.len());

        let phq9 = instruments::library::get("phq9").unwrap();
        assert_eq!(texts(client, "#instrument-phq9 .items dd").await?, ["10"]);
        let bands = texts(client, "#instrument-phq9 .bands dd").await?;
        assert!(bands.iter().any(|b| b == "20–27: Severe depression"), "{bands:?}");
        assert_eq!(bands.len(), phq9.bands.len());
        let cutoff = texts(client, "#instrument-phq9 .cutoff dd").await?;
        assert_eq!(cutoff, ["Total score ≥ 10"]);
        let licence = texts(client, "#instrument-phq9 .licence dd").await?;
        assert_eq!(licence.first().map(String::as_str), Some(phq9.licence.id.as_str()), "{licence:?}");
        assert!(licence.iter().any(|l| l.ends_with(&phq9.licence.checked)), "{licence:?}");
        let id = texts(client, "#instrument-phq9 .id dd").await?;
        assert_eq!(id, [format!("phq9 · v{}", phq9.version)]);

        // A link to one instrument lands on it, although the sections arrive after the
        // page has loaded.
        let last = &all.last().unwrap().id;
        let page = client.current_url().await?;
        client.goto(&format!("{page}#instrument-{last}")).await?;
        // Only the fragment changed: load the page again as a followed link would.
        client.refresh().await?;
        let section = format!("instrument-{last}");
        client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id(&section)).await?;
        let focused = client.execute("return document.activeElement.id", vec![]).await?;
        assert_eq!(focused.as_str(), Some(section.as_str()));
        let scrolled = client.execute("return window.scrollY", vec![]).await?;
        assert!(scrolled.as_f64().unwrap_or(0.0) > 0.0, "scrolled to {section}: {scrolled}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_speaks_chinese_and_switches_to_english() {
    on_reference_page("zh-CN", "/instruments/", async |client| {
        for definition in instruments::library::all() {
            let heading = client.find(Locator::Css(&format!("#instrument-{} h2", definition.id))).await?.text().await?;
            // In Chinese where the instrument has Chinese, else in English.
            assert_eq!(heading.trim(), title(definition, "zh-Hans"), "{}", definition.id);
        }
        let phq9 = texts(client, "#instrument-phq9 h2").await?;
        assert_eq!(phq9, ["患者健康问卷（PHQ-9）"]);
        assert_eq!(texts(client, "#instrument-phq9 .cutoff dd").await?, ["总分 ≥ 10"]);

        client.find(Locator::Css("nav.lang button[lang='en']")).await?.click().await?;
        let english = "//section[@id='instrument-phq9']/h2[normalize-space(.)='Patient Health Questionnaire (PHQ-9)']";
        client.wait().at_most(Duration::from_secs(5)).for_element(Locator::XPath(english)).await?;
        assert_eq!(texts(client, "#instrument-phq9 .cutoff dd").await?, ["Total score ≥ 10"]);
        Ok(())
    })
    .await;
}
