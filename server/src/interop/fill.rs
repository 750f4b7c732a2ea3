//! The facts no source states, or states only partly: languages common to every
//! text, licence, population, and the codes worth naming in the report.

use std::collections::BTreeSet;

use instruments::definition::{Group, Informant, Item, Licence, Population};
use instruments::Locale;

use super::draft::{Draft, DraftItem, Texts};
use super::{ImportError, ImportOptions, Report, DEFAULT_MIN_AGE};

/// The languages every text has, the source's primary one first; the others are
/// reported with the first text that lacks them. A partial translation would make
/// the respondent meet a mixed-language questionnaire, so it is never carried.
pub(crate) fn locales(
    title: &Texts,
    instructions: &[Texts],
    items: &[DraftItem],
    primary: &str,
    report: &mut Report,
) -> Option<Vec<(String, Locale)>> {
    let mut texts: Vec<(String, &Texts)> = vec![("title".into(), title)];
    texts.extend(instructions.iter().map(|t| ("instructions".to_owned(), t)));
    for item in items {
        texts.push((format!("item {}", item.source_id), &item.text));
        for (k, option) in item.options.iter().enumerate() {
            texts.push((format!("item {} option {}", item.source_id, k + 1), &option.label));
        }
    }
    let candidates: BTreeSet<&String> = texts.iter().flat_map(|(_, t)| t.keys()).collect();
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for tag in candidates {
        let missing: Vec<&str> = texts.iter().filter(|(_, t)| !t.contains_key(tag)).map(|(p, _)| p.as_str()).collect();
        match (Locale::parse(tag), missing.as_slice()) {
            (Ok(locale), []) => kept.push((tag.clone(), locale)),
            (Err(_), _) => dropped.push(format!("{tag}: not a language tag")),
            (Ok(_), [place]) => dropped.push(format!("{tag}: no text for {place}")),
            (Ok(_), [place, rest @ ..]) => {
                dropped.push(format!("{tag}: no text for {place} and {} other text(s)", rest.len()))
            }
        }
    }
    if !dropped.is_empty() {
        report.leave(format!("{} language(s) missing from some texts", dropped.len()), Some(dropped.join("\n")));
    }
    let first =
        kept.iter().position(|(tag, _)| tag == primary).or_else(|| kept.iter().position(|(tag, _)| tag == "en"));
    if let Some(first) = first {
        let primary = kept.remove(first);
        kept.insert(0, primary);
    }
    (!kept.is_empty()).then_some(kept)
}

pub(crate) fn licence(draft: &Draft, options: &ImportOptions, report: &mut Report) -> Result<Licence, ImportError> {
    let statement = match (&options.licence, &draft.licence) {
        (Some(given), Some(stated)) if given != stated => {
            report.approximate(format!("licence from --licence; the source's own statement was: {stated}"));
            given.clone()
        }
        (Some(given), _) => given.clone(),
        (None, Some(stated)) => stated.clone(),
        (None, None) => return Err(ImportError::NoLicence { file: draft.source.clone(), format: draft.format }),
    };
    report.approximate(format!(
        "licence: id LicenseRef-imported, checked {} (the day of the import): confirm the statement covers this use",
        options.today
    ));
    Ok(Licence { id: "LicenseRef-imported".into(), statement, checked: options.today.clone() })
}

/// No source format states a validated population, so it comes from the caller, or
/// defaults to adults from [`DEFAULT_MIN_AGE`]: the narrowest safe claim.
pub(crate) fn population(options: &ImportOptions, report: &mut Report) -> Population {
    let min_age = options.min_age.unwrap_or(DEFAULT_MIN_AGE);
    let groups = options.groups.clone().unwrap_or_else(|| match min_age {
        0..=11 => vec![Group::Child, Group::Adolescent, Group::Adult],
        12..=17 => vec![Group::Adolescent, Group::Adult],
        _ => vec![Group::Adult],
    });
    let how = match (options.min_age, &options.groups) {
        (None, None) => "default, as the source states none; set --min-age and --groups",
        (_, None) => "groups follow --min-age",
        _ => "as given",
    };
    let names: Vec<&str> = groups.iter().map(|g| group_name(*g)).collect();
    report.approximate(format!("population: {} from age {min_age} ({how})", names.join(", ")));
    Population { groups, min_age, max_age: None, informant: Informant::SelfReport }
}

/// A group as instrument files write it (`adult`).
pub fn group_name(group: Group) -> &'static str {
    match group {
        Group::Child => "child",
        Group::Adolescent => "adolescent",
        Group::Adult => "adult",
    }
}

pub(crate) fn codes(draft: &Draft, items: &[Item], report: &mut Report) {
    if let Some(loinc) = &draft.loinc {
        report.also.push(format!("LOINC panel code {loinc}"));
    }
    if let Some(loinc) = &draft.total_loinc {
        report.also.push(format!("LOINC code of the total {loinc}"));
    }
    let coded = items.iter().filter(|i| i.loinc.is_some()).count();
    let options = draft.items.iter().flat_map(|i| &i.options).filter(|o| o.loinc.is_some()).count();
    if coded + options > 0 {
        report.also.push(format!("LOINC codes of {coded} items and {options} options"));
    }
    if draft.licence.is_some() {
        report.also.push("the licence statement stated by the source".into());
    }
    if !draft.citations.is_empty() {
        report.also.push(format!("{} citation(s)", draft.citations.len()));
    }
}
