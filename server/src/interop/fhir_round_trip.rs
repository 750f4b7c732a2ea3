//! Reading back a Questionnaire exported by Xin'an.
//!
//! The embedded native definition is used as is, but only once the FHIR body is
//! shown to say the same: someone who edited the FHIR texts must not have the edit
//! silently replaced by the embedded copy.

use std::collections::{BTreeMap, BTreeSet};

use instruments::{Definition, Text};

use super::condition::{admitted, describe};
use super::draft::{Draft, Texts};
use super::fhir::XINAN_DEFINITION;
use super::fhir_import::FORMAT;
use super::{ImportError, ImportOptions, Imported};

/// Uses the embedded definition, after checking the body says the same: a reader
/// who edited the FHIR texts must not have the edit silently dropped.
pub(crate) fn round_trip(
    file: &str,
    draft: Draft,
    native: &str,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let name = format!("{file} (extension {XINAN_DEFINITION})");
    let definition = instruments::load(&name, native).map_err(|e| ImportError::NotAnInstrument {
        file: file.to_owned(),
        reason: format!("its embedded Xin'an definition does not load: {e}"),
    })?;
    agree(&draft, &definition).map_err(|reason| ImportError::EditedAfterExport { file: file.to_owned(), reason })?;
    let mut report = draft.report;
    report.source = format!("{file} ({FORMAT}, exported by Xin'an)");
    report.items = definition.items.iter().map(|i| (i.id.clone(), i.id.clone())).collect();
    report.options = definition.items.iter().map(|i| definition.options_of(i).len()).sum();
    report.locales = definition.locales.iter().map(|l| l.to_string()).collect();
    report.conditions =
        definition.items.iter().filter_map(|i| i.show_if.as_ref().map(|c| (i.id.clone(), describe(c)))).collect();
    report.scoring = format!(
        "total: as the embedded Xin'an definition states it, exactly ({} items, {} bands, {} flags, {} subscales)",
        definition.scoring.items.len(),
        definition.bands.len(),
        definition.flags.len(),
        definition.scoring.subscales.len()
    );
    report.also.push("population, licence, citations and sources from the embedded definition".into());
    if options.id.is_some() || options.licence.is_some() || options.min_age.is_some() || options.groups.is_some() {
        report.approximate("--id, --licence, --min-age and --groups ignored: the embedded definition states its own");
    }
    Ok(Imported { definition, report })
}

/// The first way the FHIR body and the embedded definition differ, if any.
fn agree(draft: &Draft, d: &Definition) -> Result<(), String> {
    let tags = |t: &Text| -> Texts { t.iter().map(|(l, s)| (l.to_string(), s.clone())).collect() };
    if draft.title != tags(&d.title) {
        return Err("the title differs".into());
    }
    if draft.instructions != [tags(&d.instructions)] {
        return Err("the instructions differ".into());
    }
    if draft.items.len() != d.items.len() {
        return Err(format!("{} questions, the definition has {}", draft.items.len(), d.items.len()));
    }
    for (ours, theirs) in draft.items.iter().zip(&d.items) {
        let id = &theirs.id;
        if ours.source_id != *id {
            return Err(format!("question {} stands where the definition has {id}", ours.source_id));
        }
        if ours.text != tags(&theirs.text) || ours.required != theirs.required || ours.loinc != theirs.loinc {
            return Err(format!("item {id}: text, required or code differs"));
        }
        let options = d.options_of(theirs);
        let same_options = ours.options.len() == options.len()
            && ours
                .options
                .iter()
                .zip(options)
                .all(|(a, b)| a.value == Some(b.value) && a.label == tags(&b.label) && a.loinc == b.loinc);
        if !same_options {
            return Err(format!("item {id}: the options differ"));
        }
        let body: BTreeMap<String, BTreeSet<i32>> = ours
            .condition
            .iter()
            .flat_map(|c| &c.shows)
            .map(|(j, ks)| {
                let earlier = &draft.items[*j];
                (earlier.source_id.clone(), ks.iter().map(|&k| earlier.options[k].value.unwrap_or(k as i32)).collect())
            })
            .collect();
        let native: BTreeMap<String, BTreeSet<i32>> = theirs.show_if.iter().flat_map(|c| admitted(d, c)).collect();
        if body != native {
            return Err(format!("item {id}: the display condition differs"));
        }
    }
    Ok(())
}
