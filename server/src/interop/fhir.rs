//! FHIR names shared by export and import, and the translation extension.
//!
//! `xinan.example` is a reserved example domain (RFC 2606): it keeps Xin'an's own
//! URLs unmistakably local until the project has a canonical base of its own.
//! Changing it breaks the round trip of files already exported, so it is one constant.

use instruments::{Locale, Text};
use serde_json::{json, Map, Value};

/// Base of every Xin'an canonical URL.
pub(crate) const XINAN: &str = "https://xinan.example/fhir";
/// Carries the whole native definition as JSON in `valueString`.
pub(crate) const XINAN_DEFINITION: &str = "https://xinan.example/fhir/StructureDefinition/xinan-definition";
/// Carries a stored score on a QuestionnaireResponse.
pub(crate) const XINAN_SCORE: &str = "https://xinan.example/fhir/StructureDefinition/xinan-score";
/// Core translation extension (on `_text`, `_title`, `_display`).
pub(crate) const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
/// R4 core option value.
pub(crate) const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// SDC 3 / R5 option value.
pub(crate) const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
/// Option value as STU3-era LHC-Forms wrote it.
pub(crate) const CO_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value";
/// Every extension read as an option's value.
pub(crate) const VALUE_EXTENSIONS: [&str; 3] = [ORDINAL_VALUE, ITEM_WEIGHT, CO_VALUE];
pub(crate) const LOINC: &str = "http://loinc.org";
/// linkId of the display item holding the instructions; `-` keeps it apart from
/// native item ids, which cannot contain one.
pub(crate) const INSTRUCTIONS: &str = "xinan-instructions";

/// Canonical URL of an instrument.
pub(crate) fn canonical(id: &str) -> String {
    format!("{XINAN}/Questionnaire/{id}")
}

/// Code system of an option set without LOINC answer codes; the code is the value.
pub(crate) fn option_system(id: &str, set: &str) -> String {
    format!("{XINAN}/CodeSystem/{id}-{set}")
}

/// Writes `field` in the primary locale and `_field` with the other locales as
/// translation extensions (FHIR's way of carrying languages in one resource).
pub(crate) fn put_text(object: &mut Map<String, Value>, field: &str, text: &Text, primary: &Locale) {
    let Some(main) = text.get(primary) else { return };
    object.insert(field.to_owned(), json!(main));
    let translations: Vec<Value> = text
        .iter()
        .filter(|(locale, _)| *locale != primary)
        .map(|(locale, content)| {
            json!({
                "url": TRANSLATION,
                "extension": [
                    { "url": "lang", "valueCode": locale.as_str() },
                    { "url": "content", "valueString": content }
                ]
            })
        })
        .collect();
    if !translations.is_empty() {
        object.insert(format!("_{field}"), json!({ "extension": translations }));
    }
}

/// The (lang, content) pair of a translation extension.
pub(crate) fn translation(extension: &Value) -> Option<(String, String)> {
    let parts = extension["extension"].as_array()?;
    let part = |name: &str| parts.iter().find(|p| p["url"] == name);
    let lang = part("lang")?["valueCode"].as_str()?;
    let content = part("content")?["valueString"].as_str()?;
    Some((lang.to_owned(), content.to_owned()))
}
