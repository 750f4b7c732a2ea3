//! Report and export speed at 10k, 100k and 1M synthetic submissions (issue #5):
//! `cargo bench -p server --bench reports` (SQLite; set `BENCH_POSTGRES_URL` to a
//! database URL to run PostgreSQL too, and `BENCH_SIZES=10000,100000` to choose sizes).
//! Targets: a campaign report < 100 ms at 1M and flat across sizes; the raw CSV export
//! of 1M submissions < 10 s, streamed.
//!
//! First, the suppression solve of campaigns with many cohort questions (issue #9), at
//! the cap and past it (stored before the cap existed); target: well under a second at
//! the cap. `BENCH_ONLY=suppression` runs only that part, `BENCH_ONLY=database` only the
//! rest.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use instruments::wire::staff::{Anonymity, OrganizationKind};
use instruments::wire::{ClientScore, CohortAttribute, InstrumentAnswers};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use server::config::DatabaseUrl;
use server::db::bulk::Synthetic;
use server::db::{NewCampaign, Store};
use server::report::campaign::{campaign_report, Inputs};

fn text(en: &str, zh: &str) -> instruments::Text {
    [
        (instruments::Locale::parse("en").unwrap(), en.into()),
        (instruments::Locale::parse("zh-Hans").unwrap(), zh.into()),
    ]
    .into()
}

fn attribute(id: &str, values: &[&str]) -> CohortAttribute {
    CohortAttribute { id: id.into(), label: text(id, id), values: values.iter().map(|v| (*v).to_owned()).collect() }
}

fn synthetic(rng: &mut StdRng, campaign: &server::campaign::Campaign) -> Synthetic {
    let cohort: BTreeMap<String, String> =
        campaign.cohort.iter().map(|a| (a.id.clone(), a.values[rng.random_range(0..a.values.len())].clone())).collect();
    let mut results = Vec::new();
    let mut scores = Vec::new();
    for d in &campaign.instruments {
        // Skewed towards low answers, like a school population.
        let answers: instruments::Answers =
            d.scoring.items.iter().map(|id| (id.clone(), [0, 0, 0, 1, 1, 2, 3][rng.random_range(0..7)])).collect();
        let score = instruments::score(d, &answers).expect("valid synthetic answers");
        results.push(InstrumentAnswers {
            instrument: d.id.clone(),
            version: d.version.clone(),
            answers,
            client_score: ClientScore::of(&score),
            timings: Default::default(),
        });
        scores.push(score);
    }
    Synthetic { cohort, results, scores }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn run(url: &str, label: &str, size: usize) -> anyhow::Result<()> {
    let store = Store::connect(&DatabaseUrl::parse(url).map_err(anyhow::Error::msg)?).await?;
    let org = store.create_organization("Bench", OrganizationKind::School, 0).await?;
    let library = |id: &str| {
        let d = instruments::library::get(id).unwrap();
        (d.id.clone(), d.version.clone())
    };
    let classes: Vec<String> = (1..=12).map(|c| c.to_string()).collect();
    let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
    let new = NewCampaign {
        organization_id: org.id,
        code: format!("BENCH{size}"),
        name: text("Bench", "基准"),
        locales: vec![instruments::Locale::parse("zh-Hans").unwrap(), instruments::Locale::parse("en").unwrap()],
        crisis_resources: text("988", "12356"),
        cohort: vec![
            attribute("grade", &["7", "8", "9"]),
            attribute("class", &classes),
            attribute("gender", &["f", "m"]),
        ],
        instruments: vec![library("phq9"), library("gad7")],
        ages: (12, 16),
        dates: ("2000-01-01".into(), "9999-12-31".into()),
        anonymity: Anonymity::Anonymous,
        min_group_size: 10,
        consent: instruments::Text::new(),
        guardian_consent: false,
        result_visibility: instruments::wire::ResultVisibility::None,
    };
    store.create_campaign(&new, "2026-11-22").await?;
    let campaign = store.campaign_by_code(&new.code).await?;

    let mut rng = StdRng::seed_from_u64(size as u64);
    let started = Instant::now();
    let batch_size = 5_000;
    let first: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM submissions").fetch_one(store.pool()).await?;
    let mut next_id = first;
    while ((next_id - first) as usize) < size {
        let n = batch_size.min(size - (next_id - first) as usize);
        let batch: Vec<Synthetic> = (0..n).map(|_| synthetic(&mut rng, &campaign)).collect();
        store.bulk_insert(&campaign, next_id, &batch, "2026-11-22").await?;
        next_id += n as i64;
    }
    let seeded = started.elapsed();

    let mut times = Vec::new();
    let mut two_way = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let (cells, moments) = store.report_aggregates(campaign.id).await?;
        let inputs = Inputs { campaign: &campaign, cells: &cells, moments: &moments, today: "2026-11-22".into() };
        let report = campaign_report(&inputs, &["grade".into()])?;
        std::hint::black_box(&report);
        times.push(t.elapsed());
        let t = Instant::now();
        let (cells, moments) = store.report_aggregates(campaign.id).await?;
        let inputs = Inputs { campaign: &campaign, cells: &cells, moments: &moments, today: "2026-11-22".into() };
        std::hint::black_box(campaign_report(&inputs, &["grade".into(), "class".into()])?);
        two_way.push(t.elapsed());
    }

    let rss_before = peak_rss_kib();
    let t = Instant::now();
    let mut stream = Box::pin(server::db::responses_csv(store.clone(), campaign.clone()));
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let export = t.elapsed();
    let rss_after = peak_rss_kib();
    println!(
        "{label:<10} {size:>9} submissions | seed {:>7.1} s | report by grade {:>7.2} ms, grade×class {:>7.2} ms (median of 15) | CSV export {:>6.2} s, {} lines, {:.1} MB, peak RSS {} → {} MiB",
        seeded.as_secs_f64(),
        median(times).as_secs_f64() * 1000.0,
        median(two_way).as_secs_f64() * 1000.0,
        export.as_secs_f64(),
        lines - 1,
        bytes as f64 / 1e6,
        rss_before / 1024,
        rss_after / 1024,
    );
    anyhow::ensure!(lines - 1 == size, "export has {} lines for {size} submissions", lines - 1);
    Ok(())
}

/// A synthetic campaign of `questions` cohort questions with `values(q)` values each
/// (plus the never-shown "no value", as reports lay them out), answered by
/// `respondents` people of whom one in 40 skips each question; prints the suppression
/// solve of its report.
fn suppression_case(label: &str, questions: usize, values: impl Fn(usize) -> usize, respondents: usize) {
    use server::report::suppression;
    let per_attribute: Vec<usize> = (0..questions).map(|q| values(q) + 1).collect();
    let (layout, system) = suppression::layout(&per_attribute);
    let mut rng = StdRng::seed_from_u64(questions as u64);
    let mut counts = vec![0u64; system.cells];
    for _ in 0..respondents {
        let answers: Vec<usize> = per_attribute
            .iter()
            .map(|&n| if rng.random_range(0..40) == 0 { n - 1 } else { rng.random_range(0..n - 1) })
            .collect();
        counts[layout.total()] += 1;
        for (a, &va) in answers.iter().enumerate() {
            counts[layout.one_way(a, va)] += 1;
            for (b, &vb) in answers.iter().enumerate().skip(a + 1) {
                counts[layout.two_way(a, va, b, vb)] += 1;
            }
        }
    }
    let started = Instant::now();
    let hidden = suppression::suppress(&system, &counts, 10);
    let elapsed = started.elapsed();
    println!(
        "suppression {label:<24} {questions:>3} questions, {:>3} values, {respondents:>5} respondents | {:>6} cells, {:>6} below k, {:>6} hidden | solve {:>9.3} ms",
        per_attribute.iter().sum::<usize>() - questions,
        system.cells,
        counts.iter().filter(|&&n| n < 10).count(),
        hidden.iter().filter(|&&h| h).count(),
        elapsed.as_secs_f64() * 1000.0,
    );
}

/// The suppression of campaigns with many cohort questions (issue #9): below, at and
/// past the cap (campaigns stored before it still report), mostly small groups, k = 10.
/// `BENCH_SHAPES=12x16x7000,…` (questions × values each × respondents) runs those
/// instead.
fn suppression_bench() {
    if let Ok(shapes) = std::env::var("BENCH_SHAPES") {
        for shape in shapes.split(',') {
            let n: Vec<usize> = shape.split('x').map(|x| x.trim().parse().expect("BENCH_SHAPES: QxVxR")).collect();
            suppression_case("", n[0], |_| n[1], n[2]);
        }
        return;
    }
    let cap = server::db::MAX_COHORT_QUESTIONS;
    let two_to_four = |q: usize| 2 + q % 3;
    suppression_case("", 8, two_to_four, 200);
    suppression_case("at the cap", cap, two_to_four, 200);
    suppression_case("at the cap, all values", cap, |_| server::db::MAX_COHORT_VALUES / cap, 7000);
    suppression_case("past the cap", 16, two_to_four, 200);
    suppression_case("past the cap", 20, two_to_four, 200);
}

fn main() -> anyhow::Result<()> {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only != "database" {
        suppression_bench();
    }
    if only == "suppression" {
        return Ok(());
    }
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_SIZES: numbers"))
        .collect();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        for size in &sizes {
            let path = std::env::temp_dir().join(format!("xinan-bench-{size}-{}.db", std::process::id()));
            let result = run(&format!("sqlite://{}", path.display()), "sqlite", *size).await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            result?;
        }
        if let Ok(url) = std::env::var("BENCH_POSTGRES_URL") {
            for size in &sizes {
                run(&url, "postgres", *size).await?;
            }
        }
        Ok(())
    })
}
