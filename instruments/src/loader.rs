//! Parsing and checking instrument files.
//!
//! A definition that loads is safe to score: every reference resolves, every text has
//! every declared locale, and every possible total falls in exactly one band. The
//! checks run on the server at start-up, in `xinan instruments check`, and in the
//! browser on each definition it receives.

use std::collections::BTreeSet;

use crate::definition::{Band, Condition, Definition, Text, Transform, EPSILON};
use crate::error::{LoadError, Problem};
use crate::locate::line_of;
use crate::scoring::Scale;

/// Parses and validates one instrument file. `file` names it in error messages.
///
/// # Errors
/// [`LoadError::Syntax`] for bad JSON or a wrong shape (with line), and
/// [`LoadError::Invalid`] listing every rule the content breaks.
///
/// # Example
/// ```
/// let err = instruments::load("x.json", "{\"id\": \"x\"}").unwrap_err();
/// assert!(err.to_string().starts_with("x.json:"));
/// ```
pub fn load(file: &str, text: &str) -> Result<Definition, LoadError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let definition: Definition = serde_path_to_error::deserialize(de).map_err(|err| {
        let field = err.path().to_string();
        let inner = err.into_inner();
        LoadError::Syntax {
            file: file.to_owned(),
            problem: Problem {
                field: if field == "." { String::new() } else { field },
                line: Some(inner.line()).filter(|&l| l > 0),
                reason: strip_position(&inner.to_string()),
            },
        }
    })?;
    let mut problems = validate(&definition);
    for problem in &mut problems {
        problem.line = line_of(text, &problem.field);
    }
    if problems.is_empty() {
        Ok(definition)
    } else {
        Err(LoadError::Invalid { file: file.to_owned(), problems })
    }
}

/// serde_json appends " at line L column C"; the line is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Every rule the definition breaks; empty when it is valid. Lines are not filled in.
pub fn validate(definition: &Definition) -> Vec<Problem> {
    let mut check = Checker { problems: Vec::new(), definition };
    check.header();
    check.option_sets();
    check.items();
    check.scoring();
    let scoring = &definition.scoring;
    check.bands("bands", &definition.bands, &Scale::of_total(scoring));
    for (i, sub) in scoring.subscales.iter().enumerate() {
        if !sub.bands.is_empty() {
            let field = format!("scoring.subscales[{i}].bands");
            check.bands(&field, &sub.bands, &Scale::of_subscale(scoring, sub));
        }
    }
    check.flags();
    check.problems
}

struct Checker<'a> {
    problems: Vec<Problem>,
    definition: &'a Definition,
}

impl Checker<'_> {
    fn fail(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(Problem { field: field.into(), line: None, reason: reason.into() });
    }

    fn header(&mut self) {
        let d = self.definition;
        if !is_identifier(&d.id) {
            self.fail("id", "must be lowercase letters, digits and `_`, starting with a letter");
        }
        if d.version.trim().is_empty() {
            self.fail("version", "must not be empty");
        }
        if d.locales.is_empty() {
            self.fail("locales", "declare at least one locale");
        }
        if let Some(dup) = first_duplicate(d.locales.iter()) {
            self.fail("locales", format!("locale {dup} is declared twice"));
        }
        self.text("title", &d.title);
        self.text("instructions", &d.instructions);
        self.text("recall_period", &d.recall_period);
        if d.licence.id.trim().is_empty() || d.licence.statement.trim().is_empty() {
            self.fail("licence", "an instrument without a licence (id and statement) cannot be embedded");
        }
        if !is_day(&d.licence.checked) {
            self.fail("licence.checked", "must be the day the licence was checked, as YYYY-MM-DD");
        }
        let population = &d.population;
        if population.groups.is_empty() {
            self.fail("population.groups", "name at least one group (child, adolescent, adult)");
        }
        if population.max_age.is_some_and(|max| max < population.min_age) {
            self.fail("population.max_age", "is below min_age");
        }
        if d.citations.iter().all(|c| c.trim().is_empty()) {
            self.fail("citations", "cite at least the instrument's publication");
        }
        for locale in &d.locales {
            if !d.sources.contains_key(locale) {
                self.fail("sources", format!("no source given for the {locale} wording"));
            }
        }
    }

    /// Every declared locale present, and no other.
    fn text(&mut self, field: &str, text: &Text) {
        for locale in &self.definition.locales {
            if text.get(locale).is_none_or(|t| t.trim().is_empty()) {
                self.fail(field, format!("missing translation for {locale}"));
            }
        }
        for locale in text.keys() {
            if !self.definition.locales.contains(locale) {
                self.fail(field, format!("locale {locale} is not declared in `locales`"));
            }
        }
    }

    fn option_sets(&mut self) {
        for (name, options) in &self.definition.option_sets {
            let field = format!("option_sets.{name}");
            if options.is_empty() {
                self.fail(&field, "an option set needs at least one option");
            }
            if let Some(dup) = first_duplicate(options.iter().map(|o| o.value)) {
                self.fail(&field, format!("duplicate option value {dup}"));
            }
            for (i, option) in options.iter().enumerate() {
                self.text(&format!("{field}[{i}].label"), &option.label);
            }
        }
    }

    fn items(&mut self) {
        let d = self.definition;
        if d.items.is_empty() {
            self.fail("items", "an instrument needs at least one item");
        }
        if let Some(dup) = first_duplicate(d.items.iter().map(|i| &i.id)) {
            self.fail("items", format!("duplicate item id {dup}"));
        }
        for (i, item) in d.items.iter().enumerate() {
            if !is_identifier(&item.id) {
                self.fail(format!("items[{i}].id"), "must be lowercase letters, digits and `_`");
            }
            self.text(&format!("items[{i}].text"), &item.text);
            if !d.option_sets.contains_key(&item.options) {
                self.fail(format!("items[{i}].options"), format!("unknown option set `{}`", item.options));
            }
            if let Some(condition) = &item.show_if {
                let field = format!("items[{i}].show_if");
                match condition {
                    Condition::Item { .. } | Condition::AnyItem { .. } => {
                        let earlier: Vec<&str> = d.items[..i].iter().map(|it| it.id.as_str()).collect();
                        for id in condition_items(condition) {
                            if !earlier.contains(&id.as_str()) {
                                self.fail(&field, format!("`{id}` is not an earlier item"));
                            }
                        }
                        self.bounds(&field, condition);
                    }
                    _ => self.fail(&field, "a display condition may only look at earlier items"),
                }
            }
        }
    }

    fn scoring(&mut self) {
        let d = self.definition;
        let scoring = &d.scoring;
        if scoring.items.is_empty() {
            self.fail("scoring.items", "score at least one item");
        }
        self.scale("scoring", &Scale::of_total(scoring));
        for id in &scoring.reverse {
            if !scoring.items.contains(id) && !scoring.subscales.iter().any(|s| s.items.contains(id)) {
                self.fail("scoring.reverse", format!("`{id}` is not a scored item"));
            }
        }
        self.transform("scoring.transform", scoring.transform);
        if let Some(dup) = first_duplicate(scoring.subscales.iter().map(|s| &s.id)) {
            self.fail("scoring.subscales", format!("duplicate subscale id {dup}"));
        }
        for (i, sub) in scoring.subscales.iter().enumerate() {
            self.text(&format!("scoring.subscales[{i}].label"), &sub.label);
            self.scale(&format!("scoring.subscales[{i}]"), &Scale::of_subscale(scoring, sub));
            self.transform(&format!("scoring.subscales[{i}].transform"), sub.transform);
        }
    }

    /// Scored items must exist and always be shown, and may be left unanswered only
    /// under a missing-data rule: a score is never computed over a silent gap.
    fn scale(&mut self, field: &str, scale: &Scale<'_>) {
        let items_field = format!("{field}.items");
        if let Some(dup) = first_duplicate(scale.items().iter()) {
            self.fail(&items_field, format!("item {dup} is listed twice"));
        }
        for id in scale.items() {
            match self.definition.item(id) {
                None => self.fail(&items_field, format!("unknown item `{id}`")),
                Some(item) if item.show_if.is_some() => {
                    self.fail(&items_field, format!("`{id}` is conditional and cannot be scored"))
                }
                Some(item) if !item.required && scale.missing().is_none() => self.fail(
                    &items_field,
                    format!("`{id}` is optional, so this scale needs a missing-data rule (`missing`)"),
                ),
                Some(_) => {}
            }
        }
        if let Some(rule) = scale.missing() {
            if rule.max_missing >= scale.items().len() {
                self.fail(format!("{field}.missing"), "max_missing must be below the number of items");
            }
        }
    }

    fn transform(&mut self, field: &str, transform: Option<Transform>) {
        if let Some(t) = transform {
            if !(t.multiply.is_finite() && t.add.is_finite()) || t.multiply == 0.0 {
                self.fail(field, "multiply must be a non-zero number and add a number");
            }
        }
    }

    /// Bands must not overlap, and every possible score must fall in one.
    fn bands(&mut self, field: &str, bands: &[Band], scale: &Scale<'_>) {
        if bands.is_empty() {
            self.fail(field, "declare at least one band");
            return;
        }
        if let Some(dup) = first_duplicate(bands.iter().map(|b| &b.id)) {
            self.fail(field, format!("duplicate band id {dup}"));
        }
        for (i, band) in bands.iter().enumerate() {
            self.text(&format!("{field}[{i}].label"), &band.label);
            if !(band.min.is_finite() && band.max.is_finite()) || band.min > band.max {
                self.fail(
                    format!("{field}[{i}]"),
                    format!("band {}: min {} must be a number no greater than max {}", band.id, band.min, band.max),
                );
            }
        }
        let mut order: Vec<(usize, &Band)> = bands.iter().enumerate().collect();
        order.sort_by(|a, b| a.1.min.total_cmp(&b.1.min));
        for pair in order.windows(2) {
            let ((_, a), (j, b)) = (pair[0], pair[1]);
            if b.min <= a.max + EPSILON {
                self.fail(
                    format!("{field}[{j}].min"),
                    format!("band {} ({}–{}) overlaps band {} ({}–{})", b.id, b.min, b.max, a.id, a.min, a.max),
                );
            }
        }
        let possible = scale.possible_scores(self.definition);
        let uncovered: Vec<f64> = possible.iter().copied().filter(|&s| !bands.iter().any(|b| b.contains(s))).collect();
        if let Some(first) = uncovered.first() {
            let (lo, hi) = (possible.first().copied().unwrap_or(0.0), possible.last().copied().unwrap_or(0.0));
            self.fail(
                field,
                format!(
                    "bands leave a gap: possible score {first} is in no band ({} of the possible scores {lo}–{hi} uncovered)",
                    uncovered.len()
                ),
            );
        }
        for (i, band) in bands.iter().enumerate() {
            if !possible.iter().any(|&s| band.contains(s)) {
                self.fail(format!("{field}[{i}]"), format!("band {} holds no possible score", band.id));
            }
        }
    }

    fn flags(&mut self) {
        let d = self.definition;
        if let Some(dup) = first_duplicate(d.flags.iter().map(|f| &f.id)) {
            self.fail("flags", format!("duplicate flag id {dup}"));
        }
        for (i, rule) in d.flags.iter().enumerate() {
            self.condition(&format!("flags[{i}].when"), &rule.when, &format!("flag {}: ", rule.id));
        }
        if let Some(rule) = &d.positive_screen {
            self.condition("positive_screen", rule, "");
        }
    }

    /// References resolve and the bounds make sense.
    fn condition(&mut self, field: &str, condition: &Condition, prefix: &str) {
        let d = self.definition;
        for item in condition_items(condition) {
            if d.item(item).is_none() {
                self.fail(field, format!("{prefix}unknown item `{item}`"));
            }
        }
        if let Condition::Subscale { subscale, .. } = condition {
            if !d.scoring.subscales.iter().any(|s| &s.id == subscale) {
                self.fail(field, format!("{prefix}unknown subscale `{subscale}`"));
            }
        }
        self.bounds(field, condition);
    }

    fn bounds(&mut self, field: &str, condition: &Condition) {
        match condition.bounds() {
            (None, None) => self.fail(field, "give at_least, at_most or both"),
            (Some(low), Some(high)) if low > high => self.fail(field, "at_least is above at_most"),
            _ => {}
        }
    }
}

/// The items a condition looks at.
fn condition_items(condition: &Condition) -> Vec<&String> {
    match condition {
        Condition::Item { item, .. } => vec![item],
        Condition::AnyItem { items, .. } => items.iter().collect(),
        Condition::Total { .. } | Condition::Subscale { .. } => Vec::new(),
    }
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

fn first_duplicate<T: Ord + std::fmt::Display>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut seen = BTreeSet::new();
    for item in items {
        if seen.contains(&item) {
            return Some(item);
        }
        seen.insert(item);
    }
    None
}
