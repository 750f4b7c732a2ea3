//! FHIR R4 Questionnaire → native definition and report.
//!
//! Reads what has a native meaning (single-choice items, coded options with values,
//! translations, `enableWhen`, display texts) into a `Draft`; everything else is
//! listed in the report, expressions with their text. A Questionnaire exported by
//! Xin'an carries its native definition, which is used as is once the FHIR body is
//! shown to agree with it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::draft::{finish, Draft, DraftCondition, DraftItem, DraftOption, Texts};
use super::fhir::{translation, LOINC, TRANSLATION, VALUE_EXTENSIONS, XINAN_DEFINITION};
use super::fhir_round_trip::round_trip;
use super::{ImportError, ImportOptions, Imported};

pub(crate) const FORMAT: &str = "FHIR Questionnaire";

/// Imports the Questionnaire in `text`; `file` names it in messages.
///
/// # Errors
/// [`ImportError`] when the text is not a Questionnaire with at least one
/// single-choice item, states no licence and none is given, or is a Xin'an export
/// whose body was edited.
pub fn import(file: &str, text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let q: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson {
        file: file.to_owned(),
        line: e.line(),
        reason: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    let kind = q["resourceType"].as_str().unwrap_or("missing");
    if kind != "Questionnaire" {
        return Err(ImportError::NotAnInstrument {
            file: file.to_owned(),
            reason: format!("resourceType is {kind}; expected a FHIR Questionnaire"),
        });
    }
    let draft = Reader::new(file, &q).read();
    if draft.items.is_empty() {
        return Err(ImportError::NotAnInstrument {
            file: file.to_owned(),
            reason: "no single-choice item (type choice with answer options) to import".into(),
        });
    }
    let embedded = q["extension"].as_array().and_then(|list| list.iter().find(|e| e["url"] == XINAN_DEFINITION));
    match embedded.and_then(|e| e["valueString"].as_str()) {
        Some(native) => round_trip(file, draft, native, options),
        None => finish(draft, options),
    }
}

/// Extensions the reader does not interpret, counted by URL for one report line each.
#[derive(Default)]
struct Unknown {
    count: usize,
    places: Vec<String>,
    samples: Vec<String>,
}

/// A coded answer: system and code, to match `enableWhen` answers.
type Code = (Option<String>, String);

struct Reader<'a> {
    q: &'a Value,
    draft: Draft,
    /// linkId and option codes of each carried item, by draft index.
    links: Vec<(String, Vec<Code>)>,
    /// Display and group texts (`Some`) and questions (`None`) in document order.
    events: Vec<Option<(Texts, String)>>,
    unknown: BTreeMap<String, Unknown>,
    groups: usize,
    assumed_loinc: usize,
}

impl<'a> Reader<'a> {
    fn new(file: &str, q: &'a Value) -> Self {
        let draft = Draft { format: FORMAT, source: file.to_owned(), ..Draft::default() };
        Self { q, draft, links: Vec::new(), events: Vec::new(), unknown: BTreeMap::new(), groups: 0, assumed_loinc: 0 }
    }

    fn read(mut self) -> Draft {
        let q = self.q;
        let s = |v: &Value| v.as_str().filter(|s| !s.trim().is_empty()).map(str::to_owned);
        self.draft.primary = s(&q["language"]).unwrap_or_else(|| {
            self.draft.report.approximate("language: the Questionnaire states none; its texts are taken as en");
            "en".into()
        });
        let id = s(&q["id"]).map(|id| format!("Questionnaire/{id}"));
        self.draft.reference = s(&q["url"]).or(id).unwrap_or_else(|| self.draft.source.clone());
        if let Some(publisher) = s(&q["publisher"]) {
            self.draft.reference = format!("{} (published by {publisher})", self.draft.reference);
        }
        self.draft.name = s(&q["name"]).or_else(|| s(&q["title"])).or_else(|| s(&q["id"])).unwrap_or_default();
        self.draft.version = s(&q["version"]);
        self.draft.title = self.texts(q, "title", "the title");
        if self.draft.title.is_empty() {
            self.draft.report.approximate(format!("title: none in the source; `{}` stands in", self.draft.name));
            self.draft.title.insert(self.draft.primary.clone(), self.draft.name.clone());
        }
        self.draft.loinc = loinc(&q["code"]).or_else(|| {
            let ids = q["identifier"].as_array()?;
            ids.iter().find(|i| i["system"] == LOINC).and_then(|i| s(&i["value"]))
        });
        self.draft.licence = s(&q["copyright"]);
        let description = self.texts(q, "description", "the description");
        if !description.is_empty() {
            self.events.push(Some((description, "description".into())));
        }
        if let Some(purpose) = s(&q["purpose"]) {
            self.draft.report.leave("the Questionnaire's purpose", Some(purpose));
        }
        self.extensions(q, "the Questionnaire", false);
        self.walk(&q["item"]);
        self.place_texts();
        self.finish_report();
        self.draft
    }

    /// A text and its translations; untagged text is in the primary language.
    fn texts(&mut self, owner: &Value, field: &str, place: &str) -> Texts {
        let mut texts = Texts::new();
        if let Some(main) = owner[field].as_str().filter(|t| !t.trim().is_empty()) {
            texts.insert(self.draft.primary.clone(), main.to_owned());
        }
        for e in owner[format!("_{field}")]["extension"].as_array().into_iter().flatten() {
            match translation(e) {
                Some((lang, content)) if e["url"] == TRANSLATION => {
                    if !content.trim().is_empty() {
                        texts.insert(lang, content);
                    }
                }
                _ => self.unknown(e, &format!("{place} ({field})")),
            }
        }
        texts
    }

    /// Reports every extension of `owner` except option values when `values` is set
    /// (read by [`Self::value`]) and the Xin'an definition.
    fn extensions(&mut self, owner: &Value, place: &str, values: bool) {
        for key in ["extension", "modifierExtension"] {
            for e in owner[key].as_array().into_iter().flatten() {
                let url = e["url"].as_str().unwrap_or_default();
                if url == XINAN_DEFINITION || (values && VALUE_EXTENSIONS.contains(&url)) {
                    continue;
                }
                self.unknown(e, place);
            }
        }
    }

    /// Expressions are listed one by one with their text; other extensions are
    /// counted per URL.
    fn unknown(&mut self, e: &Value, place: &str) {
        let url = e["url"].as_str().unwrap_or("(no url)");
        if let Some(expression) = e.get("valueExpression") {
            let name = expression["name"].as_str().or(expression["description"].as_str()).unwrap_or("unnamed");
            let language = expression["language"].as_str().unwrap_or("unknown language");
            let kind = url.rsplit('/').next().unwrap_or(url);
            self.draft.report.leave(
                format!("{kind} `{name}` ({language}) on {place}"),
                expression["expression"].as_str().map(str::to_owned),
            );
            return;
        }
        let entry = self.unknown.entry(url.to_owned()).or_default();
        entry.count += 1;
        if entry.places.len() < 3 && !entry.places.iter().any(|p| p == place) {
            entry.places.push(place.to_owned());
        }
        let text = ["valueString", "valueMarkdown"].iter().find_map(|k| e[*k].as_str());
        if let Some(text) = text.or(e["valueCodeableConcept"]["text"].as_str()) {
            if entry.samples.len() < 3 && !entry.samples.iter().any(|s| s == text) {
                entry.samples.push(text.to_owned());
            }
        }
    }

    fn walk(&mut self, items: &Value) {
        for it in items.as_array().into_iter().flatten() {
            let link = it["linkId"].as_str().unwrap_or("(no linkId)").to_owned();
            let place = format!("item {link}");
            self.extensions(it, &place, false);
            let kind = it["type"].as_str().unwrap_or("(no type)");
            match kind {
                "group" | "display" => {
                    self.groups += usize::from(kind == "group");
                    let text = self.texts(it, "text", &place);
                    if !text.is_empty() {
                        self.events.push(Some((text, link.clone())));
                    }
                }
                "choice" | "open-choice" | "coding" => self.question(it, &link, &place),
                other => {
                    let calculated = it["extension"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|e| e["url"].as_str().is_some_and(|u| u.ends_with("calculatedExpression")));
                    if calculated && self.draft.total_loinc.is_none() {
                        self.draft.total_loinc = loinc(&it["code"]);
                    }
                    let text = it["text"].as_str().map(str::to_owned);
                    self.draft.report.leave(format!("{place} ({other}): not a single-choice question"), text);
                }
            }
            if it["item"].is_array() {
                if kind != "group" {
                    self.draft.report.approximate(format!("items nested under {place} flattened"));
                }
                self.walk(&it["item"]);
            }
        }
    }

    fn question(&mut self, it: &Value, link: &str, place: &str) {
        let text = self.texts(it, "text", place);
        let quoted = text.get(&self.draft.primary).cloned();
        if it["repeats"] == true {
            self.draft.report.leave(format!("{place}: allows several answers; a Xin'an item takes one"), quoted);
            return;
        }
        let options = match self.options(it, place) {
            Ok(options) if !options.is_empty() && !text.is_empty() => options,
            Ok(_) => return self.draft.report.leave(format!("{place}: no text or no answer options"), quoted),
            Err(reason) => return self.draft.report.leave(format!("{place}: {reason}"), quoted),
        };
        if it["type"] == "open-choice" {
            self.draft.report.approximate(format!("{place}: open-choice; its free-text answer is not carried"));
        }
        let condition = self.enable_when(it, place);
        let (options, codes): (Vec<DraftOption>, Vec<Code>) = options.into_iter().unzip();
        self.links.push((link.to_owned(), codes));
        self.draft.items.push(DraftItem {
            source_id: link.to_owned(),
            text,
            required: it["required"] == true,
            loinc: loinc(&it["code"]),
            options,
            condition,
        });
        self.events.push(None);
    }

    fn options(&mut self, it: &Value, place: &str) -> Result<Vec<(DraftOption, Code)>, String> {
        if let Some(list) = it["answerOption"].as_array() {
            return list
                .iter()
                .enumerate()
                .map(|(k, o)| self.answer_option(o, &format!("{place} option {}", k + 1)))
                .collect();
        }
        match it["answerValueSet"].as_str() {
            Some(reference) => self.value_set(reference, place),
            None => Ok(Vec::new()),
        }
    }

    fn answer_option(&mut self, o: &Value, place: &str) -> Result<(DraftOption, Code), String> {
        let value = self.value(o, place)?;
        if let Some(coding) = o.get("valueCoding") {
            return Ok(self.coded(coding, value, place));
        }
        if let Some(s) = o["valueString"].as_str() {
            let label = self.texts(o, "valueString", place);
            return Ok((DraftOption { value, label, loinc: None }, (None, s.to_owned())));
        }
        if let Some(n) = o["valueInteger"].as_i64() {
            let label = Texts::from([(self.draft.primary.clone(), n.to_string())]);
            let value = value.or_else(|| i32::try_from(n).ok());
            return Ok((DraftOption { value, label, loinc: None }, (None, n.to_string())));
        }
        Err("only valueCoding, valueString and valueInteger answers are carried".into())
    }

    fn coded(&mut self, coding: &Value, value: Option<i32>, place: &str) -> (DraftOption, Code) {
        let system = coding["system"].as_str().map(str::to_owned);
        let code = coding["code"].as_str().unwrap_or_default().to_owned();
        let mut label = self.texts(coding, "display", place);
        if label.is_empty() {
            label.insert(self.draft.primary.clone(), code.clone());
        }
        // LHC-Forms writes LOINC answer codes (LA…-n) without a system.
        let loinc = match system.as_deref() {
            Some(LOINC) => Some(code.clone()),
            None if is_loinc_answer(&code) => {
                self.assumed_loinc += 1;
                Some(code.clone())
            }
            _ => None,
        };
        (DraftOption { value, label, loinc }, (system, code))
    }

    /// An option's value from ordinalValue / itemWeight / iso21090-CO-value; other
    /// extensions on the option are reported.
    fn value(&mut self, owner: &Value, place: &str) -> Result<Option<i32>, String> {
        self.extensions(owner, place, true);
        let mut found: Option<i32> = None;
        for e in owner["extension"].as_array().into_iter().flatten() {
            if !VALUE_EXTENSIONS.contains(&e["url"].as_str().unwrap_or_default()) {
                continue;
            }
            let n = e["valueDecimal"]
                .as_f64()
                .or(e["valueInteger"].as_f64())
                .ok_or("a value extension without a number")?;
            if n.fract() != 0.0 || n.abs() > f64::from(i32::MAX) {
                return Err(format!("option value {n} is not a whole number"));
            }
            if found.is_some_and(|f| f64::from(f) != n) {
                return Err(format!("two value extensions disagree ({} and {n})", found.unwrap_or_default()));
            }
            found = Some(n as i32);
        }
        Ok(found)
    }

    /// A contained ValueSet (`#id`): its expansion, else its composed concepts.
    fn value_set(&mut self, reference: &str, place: &str) -> Result<Vec<(DraftOption, Code)>, String> {
        let not_here = || format!("answerValueSet {reference} is not contained in the file");
        let id = reference.strip_prefix('#').ok_or_else(not_here)?;
        let contained = self.q["contained"].as_array().into_iter().flatten();
        let set =
            contained.into_iter().find(|r| r["resourceType"] == "ValueSet" && r["id"] == id).ok_or_else(not_here)?;
        let mut concepts: Vec<(Option<String>, &Value)> = Vec::new();
        if let Some(list) = set["expansion"]["contains"].as_array() {
            concepts.extend(list.iter().map(|c| (c["system"].as_str().map(str::to_owned), c)));
        } else {
            for include in set["compose"]["include"].as_array().into_iter().flatten() {
                let system = include["system"].as_str().map(str::to_owned);
                concepts.extend(include["concept"].as_array().into_iter().flatten().map(|c| (system.clone(), c)));
            }
        }
        let mut options = Vec::new();
        for (k, (system, concept)) in concepts.into_iter().enumerate() {
            let place = format!("{place} option {}", k + 1);
            let value = self.value(concept, &place)?;
            let mut coding = concept.clone();
            coding["system"] = system.map_or(Value::Null, Value::String);
            let (mut option, code) = self.coded(&coding, value, &place);
            for d in concept["designation"].as_array().into_iter().flatten() {
                if let (Some(lang), Some(text)) = (d["language"].as_str(), d["value"].as_str()) {
                    option.label.insert(lang.to_owned(), text.to_owned());
                }
            }
            options.push((option, code));
        }
        Ok(options)
    }

    /// `enableWhen` in option positions. `any` unions and `all` intersects the
    /// answers of one question; `all` across questions has no native equivalent.
    fn enable_when(&mut self, it: &Value, place: &str) -> Option<DraftCondition> {
        let list = it["enableWhen"].as_array().filter(|l| !l.is_empty())?;
        let any = it["enableBehavior"] == "any";
        let source_text = format!(
            "enableBehavior {}: {}",
            it["enableBehavior"].as_str().unwrap_or("(none)"),
            serde_json::to_string(&it["enableWhen"]).unwrap_or_default()
        );
        let mut shows: Vec<(usize, BTreeSet<usize>)> = Vec::new();
        for rule in list {
            let question = rule["question"].as_str().unwrap_or_default();
            let Some(index) = self.links.iter().position(|(link, _)| link == question) else {
                let what = format!("{place}: enableWhen on {question}, not an earlier carried question; always shown");
                self.draft.report.leave(what, Some(source_text));
                return None;
            };
            let Some(matching) = answers_matching(rule, &self.links[index].1) else {
                let what = format!("{place}: enableWhen operator or answer not carried; always shown");
                self.draft.report.leave(what, Some(source_text));
                return None;
            };
            if rule["operator"] == "!=" {
                self.draft.report.approximate(format!("{place}: enableWhen `!=` read as \"answered otherwise\""));
            }
            match shows.iter_mut().find(|(i, _)| *i == index) {
                Some((_, set)) if any => set.extend(matching),
                Some((_, set)) => set.retain(|k| matching.contains(k)),
                None => shows.push((index, matching)),
            }
        }
        if !any && shows.len() > 1 {
            let what = format!("{place}: enableWhen requires answers to several questions at once; always shown");
            self.draft.report.leave(what, Some(source_text));
            return None;
        }
        Some(DraftCondition { shows, source_text })
    }

    /// Texts before the last question become the instructions; those after it
    /// (closing words, scoring notes) are reported, never shown as a stem.
    fn place_texts(&mut self) {
        let first = self.events.iter().position(Option::is_none);
        let last = self.events.iter().rposition(Option::is_none);
        for (position, event) in std::mem::take(&mut self.events).into_iter().enumerate() {
            let Some((text, link)) = event else { continue };
            if last.is_some_and(|last| position > last) {
                let shown = text.get(&self.draft.primary).or(text.values().next()).cloned();
                self.draft.report.leave(format!("display text after the last question ({link})"), shown);
                continue;
            }
            if first.is_some_and(|first| position > first) {
                self.draft
                    .report
                    .approximate(format!("display text between questions ({link}) moved to the instructions"));
            }
            self.draft.instructions.push(text);
        }
    }

    fn finish_report(&mut self) {
        if self.groups > 0 {
            self.draft
                .report
                .approximate(format!("{} group(s) flattened; their texts read as display texts", self.groups));
        }
        if self.assumed_loinc > 0 {
            self.draft.report.approximate(format!(
                "{} answer codes without a system taken as LOINC (their LA…-n form)",
                self.assumed_loinc
            ));
        }
        for (url, unknown) in std::mem::take(&mut self.unknown) {
            let what = format!("extension {url} on {} element(s), e.g. {}", unknown.count, unknown.places.join("; "));
            let samples = (!unknown.samples.is_empty()).then(|| unknown.samples.join("\n"));
            self.draft.report.leave(what, samples);
        }
    }
}

/// Option positions an `enableWhen` rule admits (`None`: not expressible).
fn answers_matching(rule: &Value, codes: &[Code]) -> Option<BTreeSet<usize>> {
    let all = || (0..codes.len()).collect::<BTreeSet<usize>>();
    let answer: Option<Code> = if let Some(c) = rule.get("answerCoding") {
        Some((c["system"].as_str().map(str::to_owned), c["code"].as_str()?.to_owned()))
    } else if let Some(s) = rule["answerString"].as_str() {
        Some((None, s.to_owned()))
    } else {
        rule["answerInteger"].as_i64().map(|n| (None, n.to_string()))
    };
    let equal = |answer: &Code| -> BTreeSet<usize> {
        codes
            .iter()
            .enumerate()
            .filter(|(_, (system, code))| *code == answer.1 && (answer.0.is_none() || *system == answer.0))
            .map(|(k, _)| k)
            .collect()
    };
    let matching = match (rule["operator"].as_str()?, answer) {
        ("exists", _) if rule["answerBoolean"] == true => all(),
        ("=", Some(answer)) => equal(&answer),
        ("!=", Some(answer)) => all().difference(&equal(&answer)).copied().collect(),
        _ => return None,
    };
    (!matching.is_empty()).then_some(matching)
}

fn loinc(codes: &Value) -> Option<String> {
    let codes = codes.as_array()?;
    codes.iter().find(|c| c["system"] == LOINC).and_then(|c| c["code"].as_str()).map(str::to_owned)
}

/// `LA6568-5`: "LA", digits, "-", one check digit.
fn is_loinc_answer(code: &str) -> bool {
    code.strip_prefix("LA").and_then(|rest| rest.split_once('-')).is_some_and(|(digits, check)| {
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && check.len() == 1
            && check.chars().all(|c| c.is_ascii_digit())
    })
}
