//! Reports above one campaign: the waves of a screening (trend), an organization's
//! campaigns, and the district roll-up across organizations.

use std::collections::BTreeMap;

use instruments::definition::Definition;
use instruments::wire::report::{Cell, Figures, Headline, InstrumentSection, Report, Row, Scope};

use super::campaign::{campaign_totals, compare_waves, section, Inputs};
use super::suppression;

/// One campaign's inputs with the label of its row.
pub struct Wave<'a> {
    /// Row label: `wave`, `campaign` or `organization` → value.
    pub group: BTreeMap<String, String>,
    /// Its aggregates.
    pub inputs: Inputs<'a>,
}

/// The definitions of every instrument that appears in any wave, in first-seen order.
fn instruments_of<'a>(waves: &[Wave<'a>]) -> Vec<&'a Definition> {
    let mut out: Vec<&'a Definition> = Vec::new();
    for wave in waves {
        for d in &wave.inputs.campaign.instruments {
            if !out.iter().any(|o| o.id == d.id) {
                out.push(d);
            }
        }
    }
    out
}

fn totals_row(wave: &Wave<'_>, definition: &Definition, shown: bool, k: u32) -> Option<Row> {
    let has = wave.inputs.campaign.instruments.iter().any(|d| d.id == definition.id);
    has.then(|| Row {
        group: wave.group.clone(),
        cell: if shown {
            let mut figures = campaign_totals(definition, &wave.inputs);
            figures.critical = None;
            Cell::Shown(Box::new(figures))
        } else {
            Cell::Suppressed { below: k }
        },
    })
}

/// Waves of one screening, oldest first, each campaign's own minimum group size
/// applied to its own row; rows are never summed, so nothing can be subtracted.
pub fn trend_report(waves: &[Wave<'_>], organization_id: i64, today: String) -> Report {
    let k = waves.iter().map(|w| w.inputs.campaign.min_group_size).max().unwrap_or(10);
    let instruments = instruments_of(waves)
        .into_iter()
        .map(|definition| {
            let rows: Vec<Row> = waves
                .iter()
                .filter_map(|w| {
                    let n = respondents(w, definition);
                    totals_row(
                        w,
                        definition,
                        n >= u64::from(w.inputs.campaign.min_group_size),
                        w.inputs.campaign.min_group_size,
                    )
                })
                .collect();
            let comparison = Some(compare_waves(&rows));
            section(definition, rows, comparison)
        })
        .collect();
    let scope = Scope::Trend { codes: waves.iter().map(|w| w.inputs.campaign.code.clone()).collect(), organization_id };
    ungrouped(scope, today, k, instruments)
}

/// A report without cohort grouping; the caller adds participation, follow-up and
/// headline where they apply.
fn ungrouped(scope: Scope, today: String, k: u32, instruments: Vec<InstrumentSection>) -> Report {
    Report {
        scope,
        generated_on: today,
        min_group_size: k,
        grouping: Vec::new(),
        participation: None,
        follow_up: None,
        headline: None,
        instruments,
        service: None,
    }
}

fn respondents(wave: &Wave<'_>, definition: &Definition) -> u64 {
    wave.inputs.cells.iter().filter(|c| c.instrument == definition.id).map(|c| c.n.max(0) as u64).sum()
}

/// A roll-up: one row per campaign (organization scope) or per organization (platform
/// scope), then — platform only — the district total, with complementary suppression
/// so that no small row follows from the total minus the others. Critical-flag counts
/// appear here only, never below the organization.
pub fn rollup_report(scope: Scope, waves: &[Wave<'_>], with_total: bool, today: String) -> Report {
    let k = waves.iter().map(|w| w.inputs.campaign.min_group_size).max().unwrap_or(10);
    let instruments: Vec<InstrumentSection> = instruments_of(waves)
        .into_iter()
        .map(|definition| {
            let members: Vec<&Wave<'_>> =
                waves.iter().filter(|w| w.inputs.campaign.instruments.iter().any(|d| d.id == definition.id)).collect();
            let counts: Vec<u64> = members.iter().map(|w| respondents(w, definition)).collect();
            let (layout, system) = suppression::layout(&[members.len()]);
            let mut published = vec![0u64; system.cells];
            for (i, n) in counts.iter().enumerate() {
                published[layout.one_way(0, i)] = *n;
            }
            published[layout.total()] = counts.iter().sum();
            let suppressed = if with_total {
                suppression::suppress(&system, &published, u64::from(k))
            } else {
                published.iter().map(|n| *n < u64::from(k)).collect()
            };
            let mut rows = Vec::new();
            if with_total {
                let cell = if suppressed[layout.total()] {
                    Cell::Suppressed { below: k }
                } else {
                    Cell::Shown(Box::new(sum_figures(definition, &members)))
                };
                rows.push(Row { group: BTreeMap::new(), cell });
            }
            for (i, wave) in members.iter().enumerate() {
                let shown = !suppressed[layout.one_way(0, i)];
                let cell = if shown {
                    Cell::Shown(Box::new(campaign_totals(definition, &wave.inputs)))
                } else {
                    Cell::Suppressed { below: k }
                };
                rows.push(Row { group: wave.group.clone(), cell });
            }
            section(definition, rows, None)
        })
        .collect();
    ungrouped(scope, today, k, instruments)
}

/// The district figures: totals over every member's aggregates.
fn sum_figures(definition: &Definition, members: &[&Wave<'_>]) -> Figures {
    let cells: Vec<_> = members.iter().flat_map(|w| w.inputs.cells.iter().cloned()).collect();
    let moments: Vec<_> = members.iter().flat_map(|w| w.inputs.moments.iter().cloned()).collect();
    let first = members[0].inputs.campaign;
    let inputs = Inputs { campaign: first, cells: &cells, moments: &moments, today: String::new() };
    campaign_totals(definition, &inputs)
}

/// Headline indicators from a platform report's district rows and the previous waves.
pub fn headline(
    report: &Report,
    coverage: Option<f64>,
    followed_up_within_24h: Option<f64>,
    previous: &BTreeMap<String, f64>,
) -> Headline {
    let mut positive_rates = BTreeMap::new();
    let mut respondents = 0;
    for section in &report.instruments {
        if let Some(Row { cell: Cell::Shown(f), .. }) = section.rows.first() {
            respondents = respondents.max(f.n);
            if let Some(p) = &f.positive {
                positive_rates.insert(section.instrument.clone(), p.share);
            }
        }
    }
    let trend = positive_rates
        .iter()
        .filter_map(|(id, now)| previous.get(id).map(|before| (id.clone(), now - before)))
        .collect();
    Headline { respondents, coverage, positive_rates, followed_up_within_24h, trend }
}
