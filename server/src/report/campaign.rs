//! The report of one campaign, from its aggregates: a row for everyone, then one per
//! group of the chosen cohort attributes (none, one, or two at once).

use std::collections::{BTreeMap, HashMap};

use instruments::definition::{Condition, Definition};
use instruments::wire::report::{
    Alpha, Attribute, BandHeading, Cell, ChiSquareTest, Comparison, Difference, Figures, InstrumentSection, Mean,
    Prevalence, Report, Row, Scope, Share,
};
use instruments::{Locale, Text};

use super::stats::{self, Moments, CONFIDENCE};
use super::suppression;
use crate::campaign::Campaign;
use crate::db::aggregates::{CellRow, MomentRow};

/// Why a report cannot be made as asked.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Grouping by an attribute the campaign does not ask.
    #[error("campaign {campaign} has no cohort attribute `{attribute}`")]
    UnknownAttribute {
        /// Campaign code.
        campaign: String,
        /// The attribute asked for.
        attribute: String,
    },
    /// More than two attributes, or one twice.
    #[error("group by at most two different attributes")]
    Grouping,
}

/// Everything a campaign report is built from.
pub struct Inputs<'a> {
    /// The campaign.
    pub campaign: &'a Campaign,
    /// Its `report_cells`.
    pub cells: &'a [CellRow],
    /// Its `report_moments`.
    pub moments: &'a [MomentRow],
    /// Day of the report.
    pub today: String,
}

/// A row asked for: its group values, its published cell, and the value index it
/// requires of each attribute (`None`: any).
type RowSpec = (BTreeMap<String, String>, usize, Vec<Option<usize>>);

/// One group's aggregates of one instrument, summed over the cohort keys it holds.
#[derive(Default)]
struct Sums {
    n: u64,
    not_scorable: u64,
    positive: u64,
    critical: u64,
    /// Marked careless or invalid: all, those with a total, their positive screens.
    marked: u64,
    marked_scored: u64,
    marked_positive: u64,
    bands: BTreeMap<String, u64>,
    total: Moments,
    variables: BTreeMap<String, Moments>,
}

/// The positions in the campaign's cohort of the attributes `by` (0–2 ids) of a
/// report: cheap, so that a request is refused before any report work is started.
///
/// # Errors
/// [`ReportError`] for a grouping the campaign cannot have.
pub fn grouping(campaign: &Campaign, by: &[String]) -> Result<Vec<usize>, ReportError> {
    if by.len() > 2 || (by.len() == 2 && by[0] == by[1]) {
        return Err(ReportError::Grouping);
    }
    by.iter()
        .map(|id| {
            campaign
                .cohort
                .iter()
                .position(|a| &a.id == id)
                .ok_or_else(|| ReportError::UnknownAttribute { campaign: campaign.code.clone(), attribute: id.clone() })
        })
        .collect()
}

/// The campaign report grouped by `by` (0–2 attribute ids).
///
/// # Errors
/// [`ReportError`] for a grouping the campaign cannot have.
pub fn campaign_report(inputs: &Inputs<'_>, by: &[String]) -> Result<Report, ReportError> {
    let campaign = inputs.campaign;
    let positions = grouping(campaign, by)?;

    // Every cohort key as its values, in the order of the campaign's attributes.
    let keys: HashMap<&str, Vec<Option<usize>>> = inputs
        .cells
        .iter()
        .map(|c| c.cohort_key.as_str())
        .chain(inputs.moments.iter().map(|m| m.cohort_key.as_str()))
        .map(|key| (key, value_indices(campaign, key)))
        .collect();

    // Group sizes come from the first instrument (every submission answers all).
    let first = campaign.instruments.first().map(|d| d.id.as_str()).unwrap_or_default();
    // One extra value per attribute holds respondents without a (currently allowed)
    // value, so that every respondent counts in every equation and none can be
    // recovered as "the total minus the groups"; it is never shown.
    let counts_per_attribute: Vec<usize> = campaign.cohort.iter().map(|a| a.values.len() + 1).collect();
    let (layout, system) = suppression::layout(&counts_per_attribute);
    let mut published = vec![0u64; system.cells];
    for cell in inputs.cells.iter().filter(|c| c.instrument == first) {
        let values = &keys[cell.cohort_key.as_str()];
        for index in published_cells(&layout, values) {
            published[index] += cell.n.max(0) as u64;
        }
    }
    let k = u64::from(campaign.min_group_size);
    let suppressed = suppression::suppress(&system, &published, k);

    // The rows asked for: everyone, then each group, with their published cell.
    let mut rows: Vec<RowSpec> = vec![(BTreeMap::new(), layout.total(), vec![None; campaign.cohort.len()])];
    match positions.as_slice() {
        [] => {}
        [a] => {
            for (value_index, value) in campaign.cohort[*a].values.iter().enumerate() {
                let mut pattern = vec![None; campaign.cohort.len()];
                pattern[*a] = Some(value_index);
                let group = BTreeMap::from([(campaign.cohort[*a].id.clone(), value.clone())]);
                rows.push((group, layout.one_way(*a, value_index), pattern));
            }
        }
        [a, b] => {
            for (ai, av) in campaign.cohort[*a].values.iter().enumerate() {
                for (bi, bv) in campaign.cohort[*b].values.iter().enumerate() {
                    let mut pattern = vec![None; campaign.cohort.len()];
                    pattern[*a] = Some(ai);
                    pattern[*b] = Some(bi);
                    let group = BTreeMap::from([
                        (campaign.cohort[*a].id.clone(), av.clone()),
                        (campaign.cohort[*b].id.clone(), bv.clone()),
                    ]);
                    rows.push((group, layout.two_way(*a, ai, *b, bi), pattern));
                }
            }
        }
        _ => return Err(ReportError::Grouping),
    }

    let matches = |pattern: &[Option<usize>], key: &str| {
        let values = &keys[key];
        pattern.iter().zip(values).all(|(want, have)| want.is_none() || want == have)
    };
    let instruments = campaign
        .instruments
        .iter()
        .map(|definition| {
            let section_rows: Vec<Row> = rows
                .iter()
                .map(|(group, cell, pattern)| {
                    let cell = if suppressed[*cell] {
                        Cell::Suppressed { below: campaign.min_group_size }
                    } else {
                        let sums = sum_group(definition, inputs, |key| matches(pattern, key));
                        Cell::Shown(Box::new(figures(definition, &sums, false)))
                    };
                    Row { group: group.clone(), cell }
                })
                .collect();
            let comparison = (!positions.is_empty()).then(|| compare_groups(&section_rows[1..]));
            section(definition, section_rows, comparison)
        })
        .collect();

    Ok(Report {
        scope: Scope::Campaign {
            code: campaign.code.clone(),
            name: campaign.name.clone(),
            organization_id: campaign.organization_id,
        },
        generated_on: inputs.today.clone(),
        min_group_size: campaign.min_group_size,
        grouping: positions
            .iter()
            .map(|p| Attribute { id: campaign.cohort[*p].id.clone(), label: campaign.cohort[*p].label.clone() })
            .collect(),
        participation: None,
        follow_up: None,
        headline: None,
        instruments,
        service: None,
    })
}

/// The published cells a respondent with these values counts in: the total, each
/// attribute's group, and each pair's group.
fn published_cells(layout: &suppression::Layout, values: &[Option<usize>]) -> Vec<usize> {
    let given = layout.values_per_attribute();
    let value = |a: usize| values[a].unwrap_or(given[a] - 1);
    let mut cells = vec![layout.total()];
    for a in 0..values.len() {
        cells.push(layout.one_way(a, value(a)));
        for b in a + 1..values.len() {
            cells.push(layout.two_way(a, value(a), b, value(b)));
        }
    }
    cells
}

/// The index of each attribute's value in a stored cohort key (`None` if absent or no
/// longer allowed).
fn value_indices(campaign: &Campaign, key: &str) -> Vec<Option<usize>> {
    let values: BTreeMap<String, String> = serde_json::from_str(key).unwrap_or_default();
    campaign.cohort.iter().map(|a| values.get(&a.id).and_then(|v| a.values.iter().position(|x| x == v))).collect()
}

fn sum_group(definition: &Definition, inputs: &Inputs<'_>, mut holds: impl FnMut(&str) -> bool) -> Sums {
    let mut sums = Sums::default();
    for cell in inputs.cells.iter().filter(|c| c.instrument == definition.id && holds(&c.cohort_key)) {
        let n = cell.n.max(0) as u64;
        sums.n += n;
        sums.positive += cell.positive.max(0) as u64;
        sums.critical += cell.critical.max(0) as u64;
        let marked = cell.marked.max(0) as u64;
        sums.marked += marked;
        sums.marked_positive += cell.marked_positive.max(0) as u64;
        if !cell.band.is_empty() {
            sums.marked_scored += marked;
        }
        if cell.band.is_empty() {
            sums.not_scorable += n;
        } else {
            *sums.bands.entry(cell.band.clone()).or_default() += n;
            sums.total.merge(&Moments { n, sum: cell.total_sum, sum_sq: cell.total_sum_sq });
        }
    }
    for m in inputs.moments.iter().filter(|m| m.instrument == definition.id && holds(&m.cohort_key)) {
        let moments = Moments { n: m.n.max(0) as u64, sum: m.value_sum, sum_sq: m.value_sum_sq };
        sums.variables.entry(m.variable.clone()).or_default().merge(&moments);
    }
    sums
}

fn mean_of(m: &Moments) -> Option<Mean> {
    let mean = m.mean()?;
    let interval = stats::mean_interval(m, CONFIDENCE);
    Some(Mean { n: m.n, mean, low: interval.map(|(_, i)| i.low), high: interval.map(|(_, i)| i.high) })
}

/// The figures of one group; `critical` only for roll-ups above the campaign.
fn figures(definition: &Definition, sums: &Sums, with_critical: bool) -> Figures {
    let scored = sums.n - sums.not_scorable;
    let share = |count: u64| (scored > 0).then(|| count as f64 / scored as f64);
    let prevalence = |count: u64, of: u64| {
        (definition.positive_screen.is_some() && of > 0).then(|| {
            let interval = stats::wilson(count, of, CONFIDENCE);
            Prevalence {
                count,
                of,
                share: count as f64 / of as f64,
                low: interval.map_or(0.0, |i| i.low),
                high: interval.map_or(1.0, |i| i.high),
            }
        })
    };
    // Careless and invalid results are left out of prevalence by default; the figure
    // with them is beside it whenever there are any.
    let positive = prevalence(sums.positive - sums.marked_positive, scored - sums.marked_scored);
    let positive_with_marked = (sums.marked > 0).then(|| prevalence(sums.positive, scored)).flatten().map(Box::new);
    let items: Vec<Moments> =
        definition.scoring.items.iter().filter_map(|id| sums.variables.get(&format!("item:{id}")).copied()).collect();
    let alpha = sums.variables.get("items").and_then(|total| {
        (total.n >= stats::ALPHA_MIN_N && items.len() == definition.scoring.items.len())
            .then(|| stats::cronbach_alpha(&items, total))
            .flatten()
            .map(|value| Alpha { value, n: total.n })
    });
    Figures {
        n: sums.n,
        not_scorable: sums.not_scorable,
        bands: definition
            .bands
            .iter()
            .map(|b| {
                let count = sums.bands.get(&b.id).copied().unwrap_or(0);
                Share { count, share: share(count) }
            })
            .collect(),
        positive,
        mean: mean_of(&sums.total),
        subscales: definition
            .scoring
            .subscales
            .iter()
            .map(|s| sums.variables.get(&format!("sub:{}", s.id)).and_then(mean_of))
            .collect(),
        alpha,
        critical: with_critical.then_some(sums.critical),
        marked: sums.marked,
        positive_with_marked,
    }
}

/// The shown rows with their positives and scorable results, and the chi-square test
/// of positive screen × row over them.
fn positives(rows: &[Row]) -> (Vec<(&Row, u64, u64)>, Option<ChiSquareTest>) {
    let shown: Vec<(&Row, u64, u64)> = rows
        .iter()
        .filter_map(|r| match &r.cell {
            Cell::Shown(f) => f.positive.as_ref().map(|p| (r, p.count, p.of)),
            Cell::Suppressed { .. } => None,
        })
        .collect();
    let table: Vec<Vec<u64>> = shown.iter().map(|(_, k, n)| vec![*k, n - k]).collect();
    let chi_square =
        stats::chi_square(&table).map(|c| ChiSquareTest { statistic: c.statistic, df: c.df, p_value: c.p_value });
    (shown, chi_square)
}

/// Chi-square over the shown groups, and each shown group against the others.
fn compare_groups(rows: &[Row]) -> Comparison {
    let (shown, chi_square) = positives(rows);
    let (all_k, all_n) = shown.iter().fold((0, 0), |(k, n), (_, rk, rn)| (k + rk, n + rn));
    let differences = if shown.len() < 2 {
        Vec::new()
    } else {
        shown
            .iter()
            .filter_map(|(row, k, n)| {
                let (d, i) = stats::proportion_difference(*k, *n, all_k - k, all_n - n, CONFIDENCE)?;
                Some(Difference { a: row.group.clone(), b: BTreeMap::new(), difference: d, low: i.low, high: i.high })
            })
            .collect()
    };
    Comparison { chi_square, differences }
}

/// Each wave's prevalence against the previous wave's.
pub fn compare_waves(rows: &[Row]) -> Comparison {
    let (shown, chi_square) = positives(rows);
    let differences = shown
        .windows(2)
        .filter_map(|pair| {
            let ((before, k0, n0), (after, k1, n1)) = (pair[0], pair[1]);
            let (d, i) = stats::proportion_difference(k1, n1, k0, n0, CONFIDENCE)?;
            Some(Difference {
                a: after.group.clone(),
                b: before.group.clone(),
                difference: d,
                low: i.low,
                high: i.high,
            })
        })
        .collect();
    Comparison { chi_square, differences }
}

/// A section's headings around its rows.
pub fn section(definition: &Definition, rows: Vec<Row>, comparison: Option<Comparison>) -> InstrumentSection {
    InstrumentSection {
        instrument: definition.id.clone(),
        version: definition.version.clone(),
        title: definition.title.clone(),
        bands: definition.bands.iter().map(|b| BandHeading { id: b.id.clone(), label: b.label.clone() }).collect(),
        cut_off: definition.positive_screen.as_ref().map(|c| describe_cut_off(c, &definition.locales)),
        subscales: definition.scoring.subscales.iter().map(|s| s.id.clone()).collect(),
        rows,
        comparison,
    }
}

/// "total ≥ 10" in every locale of the instrument.
fn describe_cut_off(condition: &Condition, locales: &[Locale]) -> Text {
    let (what_en, what_zh, at_least, at_most) = match condition {
        Condition::Total { at_least, at_most } => ("total".to_owned(), "总分".to_owned(), at_least, at_most),
        Condition::Subscale { subscale, at_least, at_most } => {
            (format!("subscale {subscale}"), format!("分量表 {subscale}"), at_least, at_most)
        }
        Condition::Item { item, at_least, at_most } => {
            (format!("item {item}"), format!("条目 {item}"), at_least, at_most)
        }
        Condition::AnyItem { items, at_least, at_most } => {
            (format!("any of {}", items.join(", ")), format!("任一条目 {}", items.join("、")), at_least, at_most)
        }
    };
    let bounds = |what: &str| match (at_least, at_most) {
        (Some(lo), Some(hi)) => format!("{lo} ≤ {what} ≤ {hi}"),
        (Some(lo), None) => format!("{what} ≥ {lo}"),
        (None, Some(hi)) => format!("{what} ≤ {hi}"),
        (None, None) => what.to_owned(),
    };
    locales
        .iter()
        .map(|l| {
            let text = if l.as_str().starts_with("zh") { bounds(&what_zh) } else { bounds(&what_en) };
            (l.clone(), text)
        })
        .collect()
}

/// The figures of a whole campaign, with its critical count (for roll-ups).
pub fn campaign_totals(definition: &Definition, inputs: &Inputs<'_>) -> Figures {
    figures(definition, &sum_group(definition, inputs, |_| true), true)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use instruments::wire::report::Cell;
    use instruments::wire::staff::Anonymity;
    use instruments::wire::{ClientScore, CohortAttribute, InstrumentAnswers};
    use proptest::prelude::*;

    use super::*;
    use crate::db::aggregates::{contributions, Accumulator};

    fn campaign(values: &[usize], k: u32) -> Campaign {
        let text = |s: &str| -> Text { [(Locale::parse("en").unwrap(), s.to_owned())].into() };
        Campaign {
            id: 1,
            organization_id: 1,
            code: "PROP".into(),
            name: text("prop"),
            locales: vec![Locale::parse("en").unwrap()],
            crisis_resources: text("988"),
            cohort: values
                .iter()
                .enumerate()
                .map(|(a, n)| CohortAttribute {
                    id: format!("a{a}"),
                    label: text("attribute"),
                    values: (0..*n).map(|v| format!("v{v}")).collect(),
                })
                .collect(),
            instruments: vec![instruments::library::get("phq9").unwrap()],
            ages: (12, 16),
            opens_on: "2000-01-01".into(),
            closes_on: "9999-12-31".into(),
            closed_by_admin: false,
            anonymity: Anonymity::Anonymous,
            min_group_size: k,
            consent: Text::new(),
            guardian_consent: false,
            result_visibility: instruments::wire::ResultVisibility::None,
        }
    }

    /// Aggregates of `counts[i]` respondents in finest cell `i` (mixed-radix over the
    /// attributes), half of them answering all 1s and half all 0s.
    fn aggregates(campaign: &Campaign, counts: &[u64]) -> (Vec<CellRow>, Vec<MomentRow>) {
        let definition = campaign.instruments[0];
        let mut accumulator = Accumulator::default();
        for (cell, n) in counts.iter().enumerate() {
            let mut rest = cell;
            let cohort: BTreeMap<String, String> = campaign
                .cohort
                .iter()
                .map(|a| {
                    let v = rest % a.values.len();
                    rest /= a.values.len();
                    (a.id.clone(), a.values[v].clone())
                })
                .collect();
            for i in 0..*n {
                let answers: instruments::Answers =
                    definition.scoring.items.iter().map(|id| (id.clone(), (i % 2) as i64)).collect();
                let score = instruments::score(definition, &answers).unwrap();
                let result = InstrumentAnswers {
                    instrument: definition.id.clone(),
                    version: definition.version.clone(),
                    answers,
                    client_score: ClientScore::of(&score),
                    timings: Default::default(),
                };
                accumulator.add(contributions(campaign, &cohort, &[result], &[score]));
            }
        }
        accumulator.rows()
    }

    fn cohorts() -> impl Strategy<Value = (Vec<usize>, Vec<u64>, u32)> {
        (prop::collection::vec(1usize..=4, 1..=3), 5u32..=12).prop_flat_map(|(values, k)| {
            let cells: usize = values.iter().product();
            let counts = prop::collection::vec(prop_oneof![3 => Just(0u64), 4 => 1u64..8, 3 => 8u64..30], cells);
            (Just(values), counts, Just(k))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Everything every report of a campaign shows (each grouping: none, every
        /// attribute, every pair) never lets a suppressed group be computed.
        #[test]
        fn no_report_of_a_campaign_gives_a_suppressed_group_away((values, counts, k) in cohorts()) {
            let campaign = campaign(&values, k);
            let (cells, moments) = aggregates(&campaign, &counts);
            let inputs = Inputs { campaign: &campaign, cells: &cells, moments: &moments, today: "2026-11-22".into() };
            let (layout, system) = suppression::layout(&values.iter().map(|v| v + 1).collect::<Vec<_>>());
            // True size of every published cell, from the finest counts.
            let mut truth = vec![0u64; system.cells];
            for (cell, n) in counts.iter().enumerate() {
                let mut rest = cell;
                let indices: Vec<Option<usize>> = values.iter().map(|v| { let i = rest % v; rest /= v; Some(i) }).collect();
                for c in published_cells(&layout, &indices) {
                    truth[c] += n;
                }
            }
            // What the reports show; cells no report shows count as hidden.
            let mut shown = vec![false; system.cells];
            let mut groupings: Vec<Vec<String>> = vec![vec![]];
            for a in 0..values.len() {
                groupings.push(vec![format!("a{a}")]);
                for b in a + 1..values.len() {
                    groupings.push(vec![format!("a{a}"), format!("a{b}")]);
                }
            }
            for by in &groupings {
                let report = campaign_report(&inputs, by).unwrap();
                for row in &report.instruments[0].rows {
                    let index = |id: &str| row.group.get(id).map(|v| v[1..].parse::<usize>().unwrap());
                    let attrs: Vec<usize> = by.iter().map(|id| id[1..].parse().unwrap()).collect();
                    let cell = match attrs.as_slice() {
                        _ if row.group.is_empty() => layout.total(),
                        [a] => layout.one_way(*a, index(&by[0]).unwrap()),
                        [a, b] => layout.two_way(*a, index(&by[0]).unwrap(), *b, index(&by[1]).unwrap()),
                        _ => unreachable!(),
                    };
                    match &row.cell {
                        Cell::Shown(f) => {
                            prop_assert_eq!(f.n, truth[cell], "shown figures are the true ones");
                            prop_assert!(f.n >= u64::from(k), "a shown group has at least k respondents");
                            shown[cell] = true;
                        }
                        Cell::Suppressed { below } => prop_assert_eq!(*below, k),
                    }
                }
            }
            let hidden: Vec<bool> = shown.iter().map(|s| !s).collect();
            prop_assert!(suppression::derivable(&system, &truth, &hidden).is_empty(), "recoverable by subtraction");
            prop_assert!(suppression::determined(&system, &truth, &hidden).is_empty(), "recoverable by elimination");
        }
    }
}
