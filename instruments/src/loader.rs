//! Parsing and checking instrument files.
//!
//! A definition that loads is safe to score: every reference resolves, every text has
//! every declared locale, and every possible total falls in exactly one band. The
//! checks run on the server at start-up, in `xinan instruments check`, and in the
//! browser on each definition it receives.

use std::collections::{BTreeMap, BTreeSet};

use crate::definition::{Band, Condition, Definition, Item, Text, Transform, EPSILON};
use crate::error::{LoadError, Problem};
use crate::locate::Lines;
use crate::scoring::{scored_values_by_item, Scale, ScoredValues, TooLarge};

/// Most items an instrument, or a scale's list of items, may have. Real instruments
/// are far smaller (SCL-90 has 90 items, MMPI-2 567); the caps below keep the
/// loader's cost bounded at start-up and in the browser, whatever file it is given.
pub const MAX_ITEMS: usize = 2_000;

/// Most options an option set may have: room for a 0–100 rating scale (101).
pub const MAX_OPTIONS: usize = 101;

/// Most subscales an instrument may have (MMPI-2 is scored on about 120 scales).
pub const MAX_SUBSCALES: usize = 250;

/// Most (answered count, sum) pairs of one banded scale: the span of its possible
/// sums times the answered counts its missing-data rule admits. It bounds the memory
/// of the band check (125 KB of bits, 8 MB of scores), and admits 1,000 five-point
/// items with up to 248 missing, or 2,000 items scored 0–100 with none missing.
pub const MAX_SUMS: u64 = 1_000_000;

/// Work the band checks of one instrument may take, in passes over 64-bit words: at
/// most about half a second natively. Within [`MAX_SUMS`] only option values with
/// many gaps (`0, 10, 20, …`) come near it; contiguous ones stay far below.
pub const MAX_CHECK_WORK: u64 = 1_000_000_000;

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
        let path = err.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let inner = err.into_inner();
        // serde_json knows the line of almost every error; the locator stands in otherwise.
        let line = Some(inner.line()).filter(|&l| l > 0).unwrap_or_else(|| Lines::of(text).nearest(&field));
        LoadError::Syntax {
            file: file.to_owned(),
            problem: Problem { field, line: Some(line), reason: strip_position(&inner.to_string()) },
        }
    })?;
    let mut problems = validate(&definition);
    if !problems.is_empty() {
        let lines = Lines::of(text);
        for problem in &mut problems {
            problem.line = Some(lines.nearest(&problem.field));
        }
    }
    if problems.is_empty() {
        Ok(definition)
    } else {
        Err(LoadError::Invalid { file: file.to_owned(), problems })
    }
}

/// [`load`] for a file's bytes as read from disk: bytes that are not UTF-8 are
/// reported with the line and offset of the first bad one.
///
/// # Errors
/// [`LoadError::Encoding`] when the bytes are not UTF-8, else as [`load`].
///
/// # Example
/// ```
/// let err = instruments::load_bytes("x.json", b"{\n  \"id\": \"\xff\"\n}").unwrap_err();
/// assert_eq!(err.to_string(), "x.json:2: not UTF-8: byte 0xff at offset 11; save the file as UTF-8");
/// ```
pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<Definition, LoadError> {
    let err = match std::str::from_utf8(bytes) {
        // Editors on Windows often save UTF-8 with a byte-order mark; it is no content.
        Ok(text) => return load(file, text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(err) => err,
    };
    let offset = err.valid_up_to();
    let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    let reason = format!("not UTF-8: byte {:#04x} at offset {offset}; save the file as UTF-8", bytes[offset]);
    let problem = Problem { field: String::new(), line: Some(line), reason };
    Err(LoadError::Encoding { file: file.to_owned(), offset, problem })
}

/// serde_json appends " at line L column C"; the line is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Every rule the definition breaks; empty when it is valid. Lines are not filled in
/// ([`load`] does, from the text); every field named is one written in the file.
///
/// Sizes beyond the caps ([`MAX_ITEMS`], [`MAX_OPTIONS`], [`MAX_SUBSCALES`]) are
/// reported alone: the other checks' cost grows with those sizes.
pub fn validate(definition: &Definition) -> Vec<Problem> {
    let problems = sizes(definition);
    if !problems.is_empty() {
        return problems;
    }
    let mut items = BTreeMap::new();
    for (i, item) in definition.items.iter().enumerate() {
        items.entry(item.id.as_str()).or_insert((i, item));
    }
    let scored = scored_values_by_item(definition);
    let mut check = Checker { problems, definition, items, scored, budget: MAX_CHECK_WORK };
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
    #[cfg(feature = "validity")]
    check.validity();
    check.problems
}

/// Sizes beyond the caps, each naming the field that is too long.
fn sizes(d: &Definition) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut cap = |field: String, len: usize, max: usize, what: &str| {
        if len > max {
            let reason = format!("has {len} {what}; at most {max} are allowed");
            problems.push(Problem { field, line: None, reason });
        }
    };
    cap("items".into(), d.items.len(), MAX_ITEMS, "items");
    for (name, options) in &d.option_sets {
        cap(format!("option_sets.{name}"), options.len(), MAX_OPTIONS, "options");
    }
    let scoring = &d.scoring;
    cap("scoring.items".into(), scoring.items.len(), MAX_ITEMS, "items");
    cap("scoring.reverse".into(), scoring.reverse.len(), MAX_ITEMS, "items");
    cap("scoring.subscales".into(), scoring.subscales.len(), MAX_SUBSCALES, "subscales");
    for (i, sub) in scoring.subscales.iter().enumerate() {
        cap(format!("scoring.subscales[{i}].items"), sub.items.len(), MAX_ITEMS, "items");
    }
    problems
}

struct Checker<'a> {
    problems: Vec<Problem>,
    definition: &'a Definition,
    /// Items by id, with their position (the first, if an id is duplicated).
    items: BTreeMap<&'a str, (usize, &'a Item)>,
    scored: ScoredValues<'a>,
    /// What is left of [`MAX_CHECK_WORK`].
    budget: u64,
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
                        for id in condition_items(condition) {
                            if self.items.get(id.as_str()).is_none_or(|&(at, _)| at >= i) {
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

    #[cfg(feature = "validity")]
    fn validity(&mut self) {
        let rules = &self.definition.validity;
        if rules.min_ms_per_item > 60_000 {
            self.fail("validity.min_ms_per_item", "at most 60000 (a minute an item)");
        }
        for (i, scale) in rules.scales.iter().enumerate() {
            for id in &scale.items {
                if !self.items.contains_key(id.as_str()) {
                    self.fail(format!("validity.scales[{i}].items"), format!("`{id}` is not an item"));
                }
            }
            if scale.invalid_at_least == 0 || scale.invalid_at_least > scale.items.len() {
                self.fail(format!("validity.scales[{i}].invalid_at_least"), "between 1 and the number of items");
            }
        }
    }

    fn scoring(&mut self) {
        let d = self.definition;
        let scoring = &d.scoring;
        if scoring.items.is_empty() {
            self.fail("scoring.items", "score at least one item");
        }
        self.scale("scoring", &Scale::of_total(scoring), false);
        let scored: BTreeSet<&String> =
            scoring.items.iter().chain(scoring.subscales.iter().flat_map(|s| &s.items)).collect();
        for id in &scoring.reverse {
            if !scored.contains(id) {
                self.fail("scoring.reverse", format!("`{id}` is not a scored item"));
            }
        }
        self.transform("scoring.transform", scoring.transform);
        if let Some(dup) = first_duplicate(scoring.subscales.iter().map(|s| &s.id)) {
            self.fail("scoring.subscales", format!("duplicate subscale id {dup}"));
        }
        for (i, sub) in scoring.subscales.iter().enumerate() {
            self.text(&format!("scoring.subscales[{i}].label"), &sub.label);
            let inherited = sub.missing.is_none();
            self.scale(&format!("scoring.subscales[{i}]"), &Scale::of_subscale(scoring, sub), inherited);
            self.transform(&format!("scoring.subscales[{i}].transform"), sub.transform);
        }
    }

    /// Scored items must exist and always be shown, and may be left unanswered only
    /// under a missing-data rule: a score is never computed over a silent gap.
    /// `inherited`: the scale's rule, if any, is `scoring.missing`, not its own.
    fn scale(&mut self, field: &str, scale: &Scale<'_>, inherited: bool) {
        let items_field = format!("{field}.items");
        if let Some(dup) = first_duplicate(scale.items().iter()) {
            self.fail(&items_field, format!("item {dup} is listed twice"));
        }
        for id in scale.items() {
            match self.items.get(id.as_str()).map(|&(_, item)| item) {
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
        match scale.missing() {
            // Named at the subscale: its `missing` field is not in the file.
            Some(rule) if inherited && rule.max_missing >= scale.items().len() => self.fail(
                field,
                format!(
                    "the missing-data rule inherited from scoring.missing allows {} missing answers, but the \
                     subscale has only {} items; give it its own `missing`",
                    rule.max_missing,
                    scale.items().len()
                ),
            ),
            Some(rule) if rule.max_missing >= scale.items().len() => {
                self.fail(format!("{field}.missing"), "max_missing must be below the number of items")
            }
            _ => {}
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
        let possible = match scale.possible_scores(&self.scored, &mut self.budget) {
            Ok(possible) => possible,
            Err(too_large) => return self.fail(field, too_large_reason(&too_large)),
        };
        // The union of the bands as disjoint intervals, for a binary search per score.
        let mut spans: Vec<(f64, f64)> =
            bands.iter().map(|b| (b.min - EPSILON, b.max + EPSILON)).filter(|(lo, hi)| lo <= hi).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut union: Vec<(f64, f64)> = Vec::with_capacity(spans.len());
        for (lo, hi) in spans {
            match union.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => union.push((lo, hi)),
            }
        }
        let covered = |s: f64| {
            let after = union.partition_point(|&(lo, _)| lo <= s);
            after > 0 && s <= union[after - 1].1
        };
        let uncovered: Vec<f64> = possible.iter().copied().filter(|&s| !covered(s)).collect();
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
            // The first possible score not below the band is the one it may hold.
            let from = possible.partition_point(|&s| s < band.min - EPSILON);
            if !possible.get(from).is_some_and(|&s| band.contains(s)) {
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
            if !self.items.contains_key(item.as_str()) {
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

/// Why a scale's bands were not checked, and what the author can do about it.
fn too_large_reason(too_large: &TooLarge) -> String {
    match too_large {
        TooLarge::Sums { span, counts } => format!(
            "too many possible sums to check these bands against: {span} sums for each of {counts} answered \
             count(s), {} in all, more than the {MAX_SUMS} the loader checks; use fewer items or narrower \
             option values, or allow fewer missing answers",
            span.saturating_mul(*counts)
        ),
        TooLarge::Work { needed, left } => format!(
            "checking these bands against every possible score would take {needed} steps, more than the \
             {left} left of the {MAX_CHECK_WORK} the loader allows an instrument; use fewer items, option \
             values without gaps, or allow fewer missing answers"
        ),
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
