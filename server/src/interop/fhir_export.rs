//! Native definition → FHIR R4 Questionnaire (SDC style), and a stored result →
//! QuestionnaireResponse.
//!
//! The FHIR body is what other tools read: codes, texts with translations, option
//! values, display conditions. What FHIR can only say in FHIRPath (scoring, bands,
//! flags) travels as the native JSON in one extension, read back verbatim by
//! [`super::fhir_import`]; expressing it in FHIRPath would give a second, untested
//! scoring implementation.

use instruments::definition::ResponseOption;
use instruments::{Answers, Definition, Locale, Score};
use serde_json::{json, Map, Value};

use super::condition::admitted;
use super::fhir::{
    canonical, option_system, put_text, INSTRUCTIONS, ITEM_WEIGHT, LOINC, ORDINAL_VALUE, XINAN, XINAN_DEFINITION,
    XINAN_SCORE,
};

/// Why a result cannot be exported.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The score belongs to another instrument or version.
    #[error("the score is for {score}, not {definition}")]
    ScoreMismatch {
        /// `id version` of the definition.
        definition: String,
        /// `id version` of the score.
        score: String,
    },
    /// An answer names no item, or a value no option has.
    #[error("item {item}: answer {value} is not an option of this instrument")]
    UnknownAnswer {
        /// The item id.
        item: String,
        /// The value.
        value: i64,
    },
    /// `authored` must be a day, `YYYY-MM-DD`: Xin'an stores no time of day.
    #[error("`{0}` is not a day (YYYY-MM-DD)")]
    NotADay(String),
}

/// The definition as a FHIR R4 Questionnaire.
///
/// # Panics
/// Never for a loaded definition (it has at least one locale and serializes).
pub fn questionnaire(definition: &Definition) -> Value {
    let d = definition;
    let primary = &d.locales[0];
    let native = serde_json::to_string(d).expect("a definition serializes");
    let mut q = Map::new();
    q.insert("resourceType".into(), json!("Questionnaire"));
    // FHIR ids allow `-` but not `_`.
    q.insert("id".into(), json!(d.id.replace('_', "-")));
    q.insert("extension".into(), json!([{ "url": XINAN_DEFINITION, "valueString": native }]));
    q.insert("url".into(), json!(canonical(&d.id)));
    let mut identifiers = vec![json!({ "system": format!("{XINAN}/instrument"), "value": d.id })];
    if let Some(loinc) = &d.loinc {
        identifiers.push(json!({ "system": LOINC, "value": loinc }));
        q.insert("code".into(), json!([{ "system": LOINC, "code": loinc, "display": d.title[primary] }]));
    }
    q.insert("identifier".into(), json!(identifiers));
    q.insert("version".into(), json!(d.version));
    q.insert("name".into(), json!(name(&d.id)));
    put_text(&mut q, "title", &d.title, primary);
    q.insert("status".into(), json!("active"));
    q.insert("language".into(), json!(primary.as_str()));
    q.insert("copyright".into(), json!(d.licence.statement));
    let mut items = Vec::new();
    let mut instructions = Map::new();
    instructions.insert("linkId".into(), json!(INSTRUCTIONS));
    instructions.insert("type".into(), json!("display"));
    put_text(&mut instructions, "text", &d.instructions, primary);
    items.push(Value::Object(instructions));
    items.extend(d.items.iter().map(|item| question(d, item, primary)));
    q.insert("item".into(), Value::Array(items));
    Value::Object(q)
}

/// A computer-friendly FHIR `name`: starts with a capital, letters, digits and `_`.
fn name(id: &str) -> String {
    let mut chars = id.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn question(d: &Definition, item: &instruments::definition::Item, primary: &Locale) -> Value {
    let mut q = Map::new();
    q.insert("linkId".into(), json!(item.id));
    if let Some(loinc) = &item.loinc {
        q.insert("code".into(), json!([{ "system": LOINC, "code": loinc }]));
    }
    put_text(&mut q, "text", &item.text, primary);
    q.insert("type".into(), json!("choice"));
    q.insert("required".into(), json!(item.required));
    if let Some(condition) = &item.show_if {
        // One `=` per admitted coded answer, any of which enables the item: FHIR has
        // no "≥" on codings, and this form needs no FHIRPath to evaluate.
        let mut enable_when = Vec::new();
        for (earlier, values) in admitted(d, condition) {
            let Some(earlier_item) = d.item(&earlier) else { continue };
            for option in d.options_of(earlier_item).iter().filter(|o| values.contains(&o.value)) {
                enable_when.push(json!({
                    "question": earlier,
                    "operator": "=",
                    "answerCoding": coding(d, &earlier_item.options, option, primary, false)
                }));
            }
        }
        if enable_when.len() > 1 {
            q.insert("enableBehavior".into(), json!("any"));
        }
        q.insert("enableWhen".into(), Value::Array(enable_when));
    }
    let options: Vec<Value> = d
        .options_of(item)
        .iter()
        .map(|o| {
            // Both value extensions: R4 readers know ordinalValue, SDC 3 / R5 ones itemWeight.
            json!({
                "extension": [
                    { "url": ORDINAL_VALUE, "valueDecimal": o.value },
                    { "url": ITEM_WEIGHT, "valueDecimal": o.value }
                ],
                "valueCoding": coding(d, &item.options, o, primary, true)
            })
        })
        .collect();
    q.insert("answerOption".into(), Value::Array(options));
    Value::Object(q)
}

/// The coding of an option: its LOINC answer code, else a Xin'an code (the value).
fn coding(d: &Definition, set: &str, option: &ResponseOption, primary: &Locale, translated: bool) -> Value {
    let mut c = Map::new();
    match &option.loinc {
        Some(loinc) => {
            c.insert("system".into(), json!(LOINC));
            c.insert("code".into(), json!(loinc));
        }
        None => {
            c.insert("system".into(), json!(option_system(&d.id, set)));
            c.insert("code".into(), json!(option.value.to_string()));
        }
    }
    if translated {
        put_text(&mut c, "display", &option.label, primary);
    } else if let Some(label) = option.label.get(primary) {
        c.insert("display".into(), json!(label));
    }
    Value::Object(c)
}

/// A stored result as a QuestionnaireResponse: no `subject` and only the day in
/// `authored`, because Xin'an keeps nothing that identifies the respondent or the
/// time of day. The score travels in a Xin'an extension: the Questionnaire has no
/// total item to carry it.
///
/// # Errors
/// [`ExportError`] when the score is for another instrument, an answer is not an
/// option, or `day` is not `YYYY-MM-DD`.
pub fn questionnaire_response(
    definition: &Definition,
    answers: &Answers,
    score: &Score,
    day: &str,
) -> Result<Value, ExportError> {
    let d = definition;
    if score.instrument != d.id || score.version != d.version {
        return Err(ExportError::ScoreMismatch {
            definition: format!("{} {}", d.id, d.version),
            score: format!("{} {}", score.instrument, score.version),
        });
    }
    if !is_day(day) {
        return Err(ExportError::NotADay(day.to_owned()));
    }
    if let Some((item, &value)) = answers.iter().find(|(id, _)| d.item(id).is_none()) {
        return Err(ExportError::UnknownAnswer { item: item.clone(), value });
    }
    let primary = &d.locales[0];
    let mut items = Vec::new();
    for item in &d.items {
        let Some(&value) = answers.get(&item.id) else { continue };
        let option = d
            .options_of(item)
            .iter()
            .find(|o| i64::from(o.value) == value)
            .ok_or_else(|| ExportError::UnknownAnswer { item: item.id.clone(), value })?;
        items.push(json!({
            "linkId": item.id,
            "text": item.text.get(primary),
            "answer": [{ "valueCoding": coding(d, &item.options, option, primary, false) }]
        }));
    }
    let mut parts = vec![json!({ "url": "engine", "valueString": score.engine })];
    if let Some(total) = score.total {
        parts.push(json!({ "url": "total", "valueDecimal": number(total) }));
    }
    if let Some(loinc) = &d.scoring.loinc {
        parts.push(json!({ "url": "totalCode", "valueCoding": { "system": LOINC, "code": loinc } }));
    }
    if let Some(band) = &score.band {
        parts.push(json!({ "url": "band", "valueCode": band }));
    }
    parts.extend(score.flags.iter().map(|flag| json!({ "url": "flag", "valueCode": flag })));
    if let Some(positive) = score.positive {
        parts.push(json!({ "url": "positive", "valueBoolean": positive }));
    }
    Ok(json!({
        "resourceType": "QuestionnaireResponse",
        "extension": [{ "url": XINAN_SCORE, "extension": parts }],
        "questionnaire": format!("{}|{}", canonical(&d.id), d.version),
        "status": "completed",
        "authored": day,
        "item": items
    }))
}

/// Whole totals as integers (`12`, not `12.0`), as everywhere else in Xin'an.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}
