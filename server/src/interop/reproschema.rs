//! ReproSchema activity folder → native definition and report.
//!
//! An activity is a folder: `<name>_schema` (order, visibility, `compute`), one
//! JSON-LD file per item under `items/`, and shared `valueConstraints`. References
//! are relative `@id`s and are resolved inside the folder only: an import never
//! fetches, so its result depends on the files under review and nothing else.
//! `compute` and non-trivial `isVis` are JavaScript; they are reported, not run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::draft::{finish, Draft, DraftCondition, DraftItem, DraftOption, Texts};
use super::{ImportError, ImportOptions, Imported};

const FORMAT: &str = "ReproSchema activity";

/// Imports the activity in `folder`.
///
/// # Errors
/// [`ImportError`] when the folder has no single `*_schema` activity, a referenced
/// file cannot be read or is not JSON, no item is a single-choice question, or no
/// licence is given (ReproSchema activities state none).
pub fn import(folder: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let shown = folder.display().to_string();
    let unreadable = |e: std::io::Error| ImportError::Unreadable { file: shown.clone(), reason: e.to_string() };
    let root = folder.canonicalize().map_err(unreadable)?;
    let mut schemas: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(unreadable)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_schema")))
        .collect();
    let schema_path = match schemas.len() {
        1 => schemas.remove(0),
        n => {
            return Err(ImportError::NotAnInstrument {
                file: shown,
                reason: format!("expected one activity file named *_schema, found {n}"),
            })
        }
    };
    let mut files = Files { root, shown: shown.clone(), cache: BTreeMap::new() };
    let schema = files.read(&schema_path)?;
    if schema["category"] != "Activity" && !schema["@type"].as_str().is_some_and(|t| t.ends_with("Activity")) {
        return Err(ImportError::NotAnInstrument { file: files.name(&schema_path), reason: "not an Activity".into() });
    }
    let mut reader =
        Reader { files, draft: Draft { format: FORMAT, source: shown.clone(), ..Draft::default() }, vars: Vec::new() };
    reader.header(&schema);
    reader.items(&schema, &schema_path)?;
    reader.unreferenced(&schema)?;
    if reader.draft.items.is_empty() {
        return Err(ImportError::NotAnInstrument { file: shown, reason: "no single-choice item to import".into() });
    }
    let computed = computes(&schema, &reader.vars);
    let mut imported = finish(reader.draft, options)?;
    note_computes(&mut imported, computed);
    Ok(imported)
}

/// The folder's files, read once each and never outside it.
struct Files {
    root: PathBuf,
    shown: String,
    cache: BTreeMap<PathBuf, Value>,
}

impl Files {
    fn name(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        format!("{}/{}", self.shown.trim_end_matches('/'), relative.display())
    }

    /// `reference` relative to the file in `from`, kept inside the folder.
    fn resolve(&self, from: &Path, reference: &str) -> Result<PathBuf, String> {
        if reference.contains("://") {
            return Err(format!("{reference} is a URL; only files inside the folder are read"));
        }
        let mut path = from.parent().unwrap_or(&self.root).to_path_buf();
        for part in Path::new(reference).components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir => {
                    path.pop();
                }
                Component::Normal(name) => path.push(name),
                _ => return Err(format!("{reference} is an absolute path")),
            }
        }
        if path.starts_with(&self.root) {
            Ok(path)
        } else {
            Err(format!("{reference} points outside the folder"))
        }
    }

    fn read(&mut self, path: &Path) -> Result<Value, ImportError> {
        if let Some(value) = self.cache.get(path) {
            return Ok(value.clone());
        }
        let file = self.name(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| ImportError::Unreadable { file: file.clone(), reason: e.to_string() })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| ImportError::NotJson {
            file,
            line: e.line(),
            reason: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
        })?;
        self.cache.insert(path.to_owned(), value.clone());
        Ok(value)
    }
}

struct Reader {
    files: Files,
    draft: Draft,
    /// Variable name of each carried item, by draft index.
    vars: Vec<String>,
}

impl Reader {
    fn header(&mut self, schema: &Value) {
        let d = &mut self.draft;
        d.primary = "en".into();
        let id = schema["id"].as_str().or(schema["@id"].as_str()).unwrap_or("activity");
        d.name = id.trim_end_matches("_schema").to_owned();
        d.version = schema["version"].as_str().map(str::to_owned);
        d.reference = format!("{id}{}", d.version.as_ref().map(|v| format!(" version {v}")).unwrap_or_default());
        d.title = texts(&schema["prefLabel"], "en");
        if d.title.is_empty() {
            d.title.insert("en".into(), d.name.clone());
            d.report.approximate(format!("title: no prefLabel; `{}` stands in", d.name));
        }
        let preamble = texts(&schema["preamble"], "en");
        if !preamble.is_empty() {
            d.instructions.push(preamble);
        }
        let citations: BTreeSet<String> = texts(&schema["citation"], "en").into_values().collect();
        d.citations = citations.into_iter().collect();
        d.licence =
            ["license", "licence", "schema:license"].iter().find_map(|k| texts(&schema[*k], "en").into_values().next());
        if schema["ui"]["shuffle"] == true {
            d.report.approximate("shuffle: items keep their listed order");
        }
    }

    fn items(&mut self, schema: &Value, schema_path: &Path) -> Result<(), ImportError> {
        let properties = schema["ui"]["addProperties"].as_array().cloned().unwrap_or_default();
        for entry in schema["ui"]["order"].as_array().into_iter().flatten() {
            let reference = entry.as_str().unwrap_or_default();
            let props = properties.iter().find(|p| p["isAbout"] == reference).cloned().unwrap_or(Value::Null);
            let var = props["variableName"].as_str().unwrap_or(reference.rsplit('/').next().unwrap_or(reference));
            let path = match self.files.resolve(schema_path, reference) {
                Ok(path) => path,
                Err(reason) => {
                    self.draft.report.leave(format!("{var}: {reason}"), None);
                    continue;
                }
            };
            let item = self.files.read(&path)?;
            match &props["isVis"] {
                Value::Bool(false) => {
                    self.draft.report.leave(format!("{var}: hidden (isVis false)"), None);
                    continue;
                }
                _ => self.item(var, &item, &path, &props)?,
            }
        }
        Ok(())
    }

    fn item(&mut self, var: &str, item: &Value, path: &Path, props: &Value) -> Result<(), ImportError> {
        let text = {
            let question = texts(&item["question"], "en");
            if question.is_empty() {
                texts(&item["prefLabel"], "en")
            } else {
                question
            }
        };
        let quoted = text.get("en").cloned();
        let options = match &item["responseOptions"] {
            Value::String(reference) => match self.files.resolve(path, reference) {
                Ok(at) => self.files.read(&at)?,
                Err(reason) => {
                    self.draft.report.leave(format!("{var}: responseOptions {reason}"), quoted);
                    return Ok(());
                }
            },
            other => other.clone(),
        };
        let input = item["ui"]["inputType"].as_str().unwrap_or("unknown input");
        let Some(choices) = options["choices"].as_array().filter(|c| !c.is_empty()) else {
            self.draft.report.leave(format!("{var} ({input}): not a single-choice question"), quoted);
            return Ok(());
        };
        if options["multipleChoice"] == true {
            self.draft.report.leave(format!("{var}: allows several answers; a Xin'an item takes one"), quoted);
            return Ok(());
        }
        let mut draft_options = Vec::new();
        for choice in choices {
            let value = match &choice["value"] {
                Value::Null => None,
                v => match v.as_i64().and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => Some(n),
                    None => {
                        self.draft.report.leave(format!("{var}: choice value {v} is not a whole number"), quoted);
                        return Ok(());
                    }
                },
            };
            let mut label = texts(&choice["name"], "en");
            if label.is_empty() {
                label.insert("en".into(), value.map(|v| v.to_string()).unwrap_or_default());
            }
            draft_options.push(DraftOption { value, label, loinc: None });
        }
        let condition = match &props["isVis"] {
            Value::String(expression) => self.visibility(var, expression),
            _ => None,
        };
        self.vars.push(var.to_owned());
        self.draft.items.push(DraftItem {
            source_id: var.to_owned(),
            text,
            required: props["valueRequired"] == true,
            loinc: None,
            options: draft_options,
            condition,
        });
        Ok(())
    }

    /// `isVis` of the form `a > 0 || b > 0 …` (comparisons of earlier items with
    /// numbers, joined by `||`); anything else is JavaScript the import does not run.
    fn visibility(&mut self, var: &str, expression: &str) -> Option<DraftCondition> {
        let parsed = expression.split("||").try_fold(Vec::<(usize, BTreeSet<usize>)>::new(), |mut shows, term| {
            let (name, op, number) = comparison(term)?;
            let index = self.vars.iter().position(|v| v == name)?;
            let matching: BTreeSet<usize> = self.draft.items[index]
                .options
                .iter()
                .enumerate()
                .filter(|(k, o)| op(f64::from(o.value.unwrap_or(*k as i32)), number))
                .map(|(k, _)| k)
                .collect();
            match shows.iter_mut().find(|(i, _)| *i == index) {
                Some((_, set)) => set.extend(matching),
                None => shows.push((index, matching)),
            }
            Some(shows)
        });
        match parsed {
            Some(shows) => Some(DraftCondition { shows, source_text: expression.to_owned() }),
            None => {
                self.draft.report.leave(
                    format!("{var}: visibility condition (JavaScript) not carried; always shown"),
                    Some(expression.to_owned()),
                );
                None
            }
        }
    }

    /// Properties outside `order` (computed totals) and item files nothing refers to
    /// (PHQ-9's `phq9_category`) are reported with their labels.
    fn unreferenced(&mut self, schema: &Value) -> Result<(), ImportError> {
        let order: Vec<&str> =
            schema["ui"]["order"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut mentioned: BTreeSet<String> = order.iter().map(|s| s.to_string()).collect();
        for props in schema["ui"]["addProperties"].as_array().into_iter().flatten() {
            let about = props["isAbout"].as_str().unwrap_or_default();
            mentioned.insert(about.to_owned());
            if !order.contains(&about) {
                let var = props["variableName"].as_str().unwrap_or(about);
                self.draft
                    .report
                    .leave(format!("{var}: listed but not in the order (a computed value, not a question)"), None);
            }
        }
        let dir = self.files.root.join("items");
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(()) };
        let mut names: Vec<String> =
            entries.filter_map(Result::ok).filter_map(|e| e.file_name().into_string().ok()).collect();
        names.sort();
        for name in names {
            let reference = format!("items/{name}");
            if mentioned.contains(&reference) {
                continue;
            }
            let item = self.files.read(&dir.join(&name))?;
            let label = texts(&item["prefLabel"], "en").get("en").cloned().unwrap_or_default();
            let choices: Vec<String> = item["responseOptions"]["choices"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| texts(&c["name"], "en").get("en").cloned())
                .collect();
            let text = (!choices.is_empty()).then(|| format!("choices: {}", choices.join(", ")));
            self.draft.report.leave(format!("{reference} ({label}): not referenced by the activity"), text);
        }
        Ok(())
    }
}

/// A comparison of an answer with a number.
type Compare = fn(f64, f64) -> bool;

/// A term `name OP number`, with OP one of `>= <= === == !== != > <`.
fn comparison(term: &str) -> Option<(&str, Compare, f64)> {
    let term = term.trim().trim_start_matches('(').trim_end_matches(')').trim();
    if term.contains("&&") {
        return None;
    }
    let operators: [(&str, Compare); 8] = [
        (">=", |a, b| a >= b),
        ("<=", |a, b| a <= b),
        ("===", |a, b| a == b),
        ("==", |a, b| a == b),
        ("!==", |a, b| a != b),
        ("!=", |a, b| a != b),
        (">", |a, b| a > b),
        ("<", |a, b| a < b),
    ];
    let (symbol, op) = operators.into_iter().find(|(symbol, _)| term.contains(symbol))?;
    let (name, number) = term.split_once(symbol)?;
    Some((name.trim(), op, number.trim().parse().ok()?))
}

/// A language map (`{"en": …}`), a plain string (taken as `primary`), or JSON-LD
/// `[{"@language", "@value"}]`; empty strings (PSC-17-Y's `"es": ""`) count as absent.
fn texts(value: &Value, primary: &str) -> Texts {
    let mut texts = Texts::new();
    match value {
        Value::String(s) => {
            texts.insert(primary.to_owned(), s.clone());
        }
        Value::Object(map) => {
            for (lang, text) in map {
                if let Some(s) = text.as_str() {
                    texts.insert(lang.clone(), s.to_owned());
                }
            }
        }
        Value::Array(list) => {
            for entry in list {
                if let (Some(lang), Some(s)) = (entry["@language"].as_str(), entry["@value"].as_str()) {
                    texts.insert(lang.to_owned(), s.to_owned());
                }
            }
        }
        _ => {}
    }
    texts.retain(|_, s| !s.trim().is_empty());
    texts
}

/// Each `compute` entry: its variable, its JavaScript, and the items it adds up
/// when it is a plain `a + b + …` of carried items.
fn computes(schema: &Value, vars: &[String]) -> Vec<(String, String, Option<BTreeSet<String>>)> {
    let mut out = Vec::new();
    for entry in schema["compute"].as_array().into_iter().flatten() {
        let var = entry["variableName"].as_str().unwrap_or("(unnamed)").to_owned();
        let expression = entry["jsExpression"].as_str().unwrap_or_default().to_owned();
        let terms: Option<BTreeSet<String>> =
            expression.split('+').map(|t| Some(t.trim().to_owned()).filter(|t| vars.contains(t))).collect();
        out.push((var, expression, terms));
    }
    out
}

/// Reports each `compute` with whether the imported total adds up the same items,
/// so a reviewer sees at once whether the default sum matches the source's intent.
fn note_computes(imported: &mut Imported, computed: Vec<(String, String, Option<BTreeSet<String>>)>) {
    let native: BTreeMap<&String, &String> = imported.report.items.iter().map(|(from, to)| (from, to)).collect();
    let scored: BTreeSet<String> = imported.definition.scoring.items.iter().cloned().collect();
    let mut notes = Vec::new();
    for (var, expression, terms) in computed {
        let summed: Option<BTreeSet<String>> =
            terms.map(|t| t.iter().filter_map(|v| native.get(v).map(|s| s.to_string())).collect());
        let verdict = match summed {
            Some(summed) if summed == scored => "; it adds up exactly the items of the imported total",
            Some(_) => "; it adds up other items than the imported total",
            None => "; it is not a plain sum of items",
        };
        notes.push((format!("compute {var} (JavaScript, not run){verdict}"), expression));
    }
    for (what, expression) in notes {
        imported.report.leave(what, Some(expression));
    }
}
