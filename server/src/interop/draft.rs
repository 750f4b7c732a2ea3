//! The format-neutral middle of every import, and the one place where the gaps a
//! source leaves are filled: ids, values, languages, scoring, bands, licence,
//! population.
//!
//! Importers only *read* their format into a [`Draft`]; every decision is taken here,
//! so a FHIR and a ReproSchema import of the same instrument are filled alike, and
//! every filled gap is written to the report.

use std::collections::{BTreeMap, BTreeSet};

use instruments::definition::{Band, Condition, Direction, Item, Method, ResponseOption, Scoring};
use instruments::{Definition, Text};

use super::condition::{describe, from_admitted, merge, Admitted};
use super::fill::{codes, licence, locales, population};
use super::{ImportError, ImportOptions, Imported, Report};

/// Texts by language tag as the source writes it; empty texts are never stored.
pub(crate) type Texts = BTreeMap<String, String>;

/// What a source says, before any gap is filled.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// Format name for messages, e.g. "FHIR Questionnaire".
    pub format: &'static str,
    /// File or folder as given.
    pub source: String,
    /// How the source names itself (canonical URL, id), for citations.
    pub reference: String,
    /// The source's name, from which an id is derived when none is given.
    pub name: String,
    pub version: Option<String>,
    /// Language of texts the source does not tag.
    pub primary: String,
    pub title: Texts,
    /// Stem texts in order; joined with blank lines.
    pub instructions: Vec<Texts>,
    pub items: Vec<DraftItem>,
    pub loinc: Option<String>,
    pub total_loinc: Option<String>,
    pub licence: Option<String>,
    pub citations: Vec<String>,
    /// What the reader already knows it left behind or approximated.
    pub report: Report,
}

/// One single-choice question.
#[derive(Debug, Default)]
pub(crate) struct DraftItem {
    pub source_id: String,
    pub text: Texts,
    pub required: bool,
    pub loinc: Option<String>,
    /// Never empty: a reader leaves an item without options behind.
    pub options: Vec<DraftOption>,
    pub condition: Option<DraftCondition>,
}

/// A display condition in the source's own terms: option positions, not values,
/// because values may only be decided later (from option order).
#[derive(Debug, Default)]
pub(crate) struct DraftCondition {
    /// Per earlier item (its index in `items`), the options that show this item.
    pub shows: Vec<(usize, BTreeSet<usize>)>,
    /// The condition as the source writes it, for the report.
    pub source_text: String,
}

/// One response option.
#[derive(Debug, Default)]
pub(crate) struct DraftOption {
    pub value: Option<i32>,
    pub label: Texts,
    pub loinc: Option<String>,
}

/// Fills the gaps and builds the definition. The result is not validated here: the
/// caller runs the loader, which names what is still wrong.
///
/// # Errors
/// [`ImportError::NoLicence`] when neither the source nor the caller gives a licence,
/// and [`ImportError::NotAnInstrument`] when no language has every text.
pub(crate) fn finish(mut draft: Draft, options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut report = std::mem::take(&mut draft.report);
    report.source = format!("{} ({})", draft.source, draft.format);
    let id = match &options.id {
        Some(id) => id.clone(),
        None => {
            let id = identifier(&draft.name);
            report.approximate(format!("instrument id `{id}` derived from `{}` (choose one with --id)", draft.name));
            id
        }
    };
    let ids = item_ids(&draft.items, &id);
    report.items = draft.items.iter().zip(&ids).map(|(item, id)| (item.source_id.clone(), id.clone())).collect();
    report.options = draft.items.iter().map(|item| item.options.len()).sum();
    let values = Values::decide(&draft.items, &ids, &mut report);
    let show_ifs: Vec<Option<Condition>> = draft
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| item.condition.as_ref().and_then(|c| values.condition(i, c, &mut report)))
        .collect();
    let scored = values.scored(&show_ifs, &mut report);
    let mut instructions = std::mem::take(&mut draft.instructions);
    if instructions.is_empty() {
        report.approximate("instructions: the source has none; the title stands in");
        instructions.push(draft.title.clone());
    }
    let locales = locales(&draft.title, &instructions, &draft.items, &draft.primary, &mut report).ok_or_else(|| {
        ImportError::NotAnInstrument {
            file: draft.source.clone(),
            reason: "no language has every text (title, instructions, every item and option)".into(),
        }
    })?;
    report.locales = locales.iter().map(|(tag, _)| tag.clone()).collect();
    let text = |texts: &Texts| -> Text {
        locales.iter().map(|(tag, locale)| (locale.clone(), texts.get(tag).cloned().unwrap_or_default())).collect()
    };
    let same = |s: &str| -> Text { locales.iter().map(|(_, locale)| (locale.clone(), s.to_owned())).collect() };
    let joined: Texts = locales
        .iter()
        .map(|(tag, _)| {
            (tag.clone(), instructions.iter().filter_map(|t| t.get(tag).cloned()).collect::<Vec<_>>().join("\n\n"))
        })
        .collect();

    let made_required: Vec<&str> =
        scored.iter().filter(|&&i| !draft.items[i].required).map(|&i| ids[i].as_str()).collect();
    if !made_required.is_empty() {
        report.approximate(format!(
            "made required, as they count towards the total and a total over a silent gap is refused: {}",
            made_required.join(", ")
        ));
    }
    let mut option_sets: BTreeMap<String, Vec<ResponseOption>> = BTreeMap::new();
    let mut items = Vec::new();
    for (i, (item, show_if)) in draft.items.iter().zip(show_ifs).enumerate() {
        let opts: Vec<ResponseOption> = item
            .options
            .iter()
            .zip(&values.of[i])
            .map(|(o, &value)| ResponseOption { value, label: text(&o.label), loinc: o.loinc.clone() })
            .collect();
        let name = match option_sets.iter().find(|(_, existing)| **existing == opts) {
            Some((name, _)) => name.clone(),
            None => {
                let name = format!("options_{}", option_sets.len() + 1);
                option_sets.insert(name.clone(), opts);
                name
            }
        };
        let required = item.required || scored.contains(&i);
        items.push(Item {
            id: ids[i].clone(),
            text: text(&item.text),
            options: name,
            required,
            show_if,
            loinc: item.loinc.clone(),
        });
    }

    let (lo, hi) = scored.iter().fold((0, 0), |(lo, hi), &i| {
        (lo + values.of[i].iter().min().copied().unwrap_or(0), hi + values.of[i].iter().max().copied().unwrap_or(0))
    });
    report.approximate(format!(
        "bands: the source states none; one band {lo}–{hi} holds every total (no severity, no cut-off, no flags)"
    ));
    let scored_ids: Vec<String> = scored.iter().map(|&i| ids[i].clone()).collect();
    report.scoring = format!("total: sum of {} items ({}), {lo}–{hi}", scored_ids.len(), scored_ids.join(", "));

    let version = draft.version.clone().unwrap_or_else(|| {
        report.approximate("version: the source states none; 1.0.0");
        "1.0.0".to_owned()
    });
    report.approximate("recall period: the source states none apart from its wording; set to \"—\"");
    let licence = licence(&draft, options, &mut report)?;
    let population = population(options, &mut report);
    let mut citations = draft.citations.clone();
    if citations.is_empty() {
        report.approximate(format!("citations: none in the source; the {} itself is cited", draft.format));
        citations.push(format!("{} {}", draft.format, draft.reference));
    }
    codes(&draft, &items, &mut report);
    // The file name only: a local path would leak the importer's machine into the file.
    let file =
        std::path::Path::new(&draft.source).file_name().map_or(draft.source.clone(), |n| n.to_string_lossy().into());
    let sources = locales
        .iter()
        .map(|(tag, locale)| {
            (locale.clone(), format!("{} {}: the {tag} text, imported from {file}", draft.format, draft.reference))
        })
        .collect();
    let definition = Definition {
        id,
        version,
        locales: locales.iter().map(|(_, locale)| locale.clone()).collect(),
        title: text(&draft.title),
        instructions: text(&joined),
        recall_period: same("—"),
        population,
        loinc: draft.loinc.clone(),
        option_sets,
        items,
        scoring: Scoring {
            method: Method::Sum,
            items: scored_ids,
            reverse: Vec::new(),
            transform: None,
            missing: None,
            direction: Direction::default(),
            loinc: draft.total_loinc.clone(),
            subscales: Vec::new(),
        },
        bands: vec![Band { id: "total".into(), label: same(&format!("{lo}–{hi}")), min: lo.into(), max: hi.into() }],
        flags: Vec::new(),
        positive_screen: None,
        licence,
        citations,
        sources,
        validity: Default::default(),
    };
    Ok(Imported { definition, report })
}

/// A native identifier from any name: lowercase ASCII letters, digits and `_`.
pub(crate) fn identifier(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('_') {
            id.push('_');
        }
    }
    let id = id.trim_end_matches('_');
    if id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.to_owned()
    } else {
        format!("instrument_{id}").trim_end_matches('_').to_owned()
    }
}

pub(crate) fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Source ids that are already native identifiers are kept (so an export comes back
/// unchanged); others (FHIR `/44250-9`, UUIDs, `PSC-17-Y_1`) become `<id>_<n>` by
/// position, the convention of the bundled files.
fn item_ids(items: &[DraftItem], id: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let own = &item.source_id;
        let chosen = if is_identifier(own) && !ids.contains(own) { own.clone() } else { format!("{id}_{}", n + 1) };
        ids.push(chosen);
    }
    ids
}

/// The option values of every item, and whether they came from the source.
struct Values<'a> {
    ids: &'a [String],
    of: Vec<Vec<i32>>,
    /// Whether the item's values are the source's own.
    stated: Vec<bool>,
}

impl<'a> Values<'a> {
    /// An item's values are the source's when every option has one; otherwise they
    /// follow option order from 0, which is right for most screeners and wrong for
    /// some (WHO-5 lists its highest value first), so it is always reported.
    fn decide(items: &[DraftItem], ids: &'a [String], report: &mut Report) -> Self {
        let stated: Vec<bool> = items.iter().map(|item| item.options.iter().all(|o| o.value.is_some())).collect();
        let of: Vec<Vec<i32>> = items
            .iter()
            .zip(&stated)
            .map(|(item, &stated)| {
                if stated {
                    item.options.iter().map(|o| o.value.unwrap_or_default()).collect()
                } else {
                    (0..item.options.len() as i32).collect()
                }
            })
            .collect();
        let from_order: Vec<String> = ids.iter().zip(&stated).filter(|(_, s)| !**s).map(|(id, _)| id.clone()).collect();
        if !from_order.is_empty() {
            let partly =
                items.iter().zip(&stated).any(|(item, s)| !s && item.options.iter().any(|o| o.value.is_some()));
            report.approximate(format!(
                "values from option order (first option 0, then 1, 2, …) for {} item(s) whose options carry no values{}: {}",
                from_order.len(),
                if partly { " (values on only some options were ignored)" } else { "" },
                from_order.join(", ")
            ));
        }
        Self { ids, of, stated }
    }

    fn values_of(&self, id: &str) -> Vec<i32> {
        self.ids.iter().position(|i| i == id).map(|p| self.of[p].clone()).unwrap_or_default()
    }

    fn condition(&self, item: usize, condition: &DraftCondition, report: &mut Report) -> Option<Condition> {
        let mut admitted = Admitted::new();
        for (earlier, shown_by) in &condition.shows {
            merge(&mut admitted, &self.ids[*earlier], shown_by.iter().map(|&k| self.of[*earlier][k]));
        }
        let native = from_admitted(&admitted, |id| self.values_of(id));
        match &native {
            Some(c) => report.conditions.push((self.ids[item].clone(), describe(c))),
            None => report.leave(
                format!("display condition of {}: no native bound fits it; the item is always shown", self.ids[item]),
                Some(condition.source_text.clone()),
            ),
        }
        native
    }

    /// Which items count towards the total: those with the source's own values (all
    /// items when no item has any), minus conditional ones, which the engine refuses
    /// to score. Scored items are made required: a total over a silent gap is refused.
    fn scored(&self, show_ifs: &[Option<Condition>], report: &mut Report) -> BTreeSet<usize> {
        let any_stated = self.stated.iter().any(|&s| s);
        let (mut scored, mut unvalued, mut conditional) = (BTreeSet::new(), Vec::new(), Vec::new());
        for (i, id) in self.ids.iter().enumerate() {
            if any_stated && !self.stated[i] {
                unvalued.push(id.as_str());
            } else if show_ifs[i].is_some() {
                conditional.push(id.as_str());
            } else {
                scored.insert(i);
            }
        }
        if !unvalued.is_empty() {
            report.approximate(format!(
                "not in the total, as the source gives their options no values: {}",
                unvalued.join(", ")
            ));
        }
        if !conditional.is_empty() {
            report.approximate(format!(
                "not in the total, as they are shown only under a condition: {}",
                conditional.join(", ")
            ));
        }
        scored
    }
}
