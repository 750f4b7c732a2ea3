//! The account of an import: carried, approximated, not carried.
//!
//! Structured so that tests can assert on it, and printed as one readable line per
//! fact so that a reviewer can read it in a terminal or paste it into an issue.

use std::fmt;

/// What an import carried, approximated and left behind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The file or folder imported, with its format.
    pub source: String,
    /// Items carried, as (id in the source, native id), in order.
    pub items: Vec<(String, String)>,
    /// Response options carried, counted over all items.
    pub options: usize,
    /// Languages carried, the first being the primary one.
    pub locales: Vec<String>,
    /// Display conditions carried, as (native item id, the condition in words).
    pub conditions: Vec<(String, String)>,
    /// How the total is computed, in words.
    pub scoring: String,
    /// Other facts carried: codes, licence, citations.
    pub also: Vec<String>,
    /// What was carried only approximately, or supplied because the source is silent.
    pub approximated: Vec<String>,
    /// What the source says that the definition does not.
    pub not_carried: Vec<NotCarried>,
}

/// One thing left behind, with the source's own text where there is one (an
/// expression, a display text), so that a reviewer can redo it by hand.
#[derive(Clone, Debug, PartialEq)]
pub struct NotCarried {
    /// What it is and where.
    pub what: String,
    /// The expression or text, verbatim.
    pub text: Option<String>,
}

impl Report {
    pub(crate) fn approximate(&mut self, what: impl Into<String>) {
        self.approximated.push(what.into());
    }

    pub(crate) fn leave(&mut self, what: impl Into<String>, text: Option<String>) {
        self.not_carried.push(NotCarried { what: what.into(), text });
    }

    /// Whether some not-carried entry mentions `needle` in its description or text.
    pub fn left_behind(&self, needle: &str) -> bool {
        self.not_carried
            .iter()
            .any(|n| n.what.contains(needle) || n.text.as_deref().is_some_and(|t| t.contains(needle)))
    }

    /// Whether some approximation mentions `needle`.
    pub fn approximates(&self, needle: &str) -> bool {
        self.approximated.iter().any(|a| a.contains(needle))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "import of {}", self.source)?;
        let renamed = self.items.iter().filter(|(from, to)| from != to).count();
        let ids: Vec<String> = self
            .items
            .iter()
            .map(|(from, to)| if from == to { to.clone() } else { format!("{from} → {to}") })
            .collect();
        writeln!(f, "carried: {} items ({renamed} renamed): {}", self.items.len(), ids.join(", "))?;
        writeln!(f, "carried: {} response options", self.options)?;
        writeln!(f, "carried: languages {}", self.locales.join(", "))?;
        for (item, condition) in &self.conditions {
            writeln!(f, "carried: {item} shown only when {condition}")?;
        }
        for what in &self.also {
            writeln!(f, "carried: {what}")?;
        }
        writeln!(f, "{}", self.scoring)?;
        for what in &self.approximated {
            writeln!(f, "approximated: {what}")?;
        }
        for left in &self.not_carried {
            writeln!(f, "not carried: {}", left.what)?;
            if let Some(text) = &left.text {
                for line in text.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}
