//! The two ways this crate fails: a file that is not a valid instrument, and answers
//! that cannot be scored.

use std::fmt;

use thiserror::Error;

/// One thing wrong with an instrument file: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Path of the offending field, e.g. `bands[2].min` (empty for the whole file).
    pub field: String,
    /// 1-based line in the file. [`crate::load`] always gives one: for a field that
    /// is not written in the file (a default), the line of the nearest enclosing one.
    pub line: Option<usize>,
    /// What is wrong, in words an instrument author can act on.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.reason)
    }
}

/// Why an instrument file was refused. Every message names the file.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LoadError {
    /// Not JSON, or JSON of the wrong shape (unknown key, missing field, wrong type).
    #[error("{}", list(.file, std::slice::from_ref(.problem)).trim_start())]
    Syntax {
        /// File name as given to [`crate::load`].
        file: String,
        /// The problem.
        problem: Problem,
    },
    /// Not UTF-8 (from [`crate::loader::load_bytes`]): the problem names the line of
    /// the first bad byte.
    #[error("{}", list(.file, std::slice::from_ref(.problem)).trim_start())]
    Encoding {
        /// File name as given to [`crate::loader::load_bytes`].
        file: String,
        /// 0-based offset of the first byte that is not UTF-8.
        offset: usize,
        /// The problem, with the line of that byte.
        problem: Problem,
    },
    /// Well-formed, but the content breaks a rule (overlapping bands, missing translation…).
    #[error("{file}: {} problem(s):\n{}", .problems.len(), list(.file, .problems))]
    Invalid {
        /// File name as given to [`crate::load`].
        file: String,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

impl LoadError {
    /// Every problem, whatever the kind of failure.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Syntax { problem, .. } | Self::Encoding { problem, .. } => std::slice::from_ref(problem),
            Self::Invalid { problems, .. } => problems,
        }
    }
}

fn list(file: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| match p.line {
            Some(line) => format!("  {file}:{line}: {}", Problem { line: None, ..p.clone() }),
            None => format!("  {file}: {p}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why answers could not be scored. Each variant names the item at fault.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ScoreError {
    /// The answers name an item the instrument does not have.
    #[error("item {item}: not an item of this instrument")]
    UnknownItem {
        /// The unknown id.
        item: String,
    },
    /// A required, shown item has no answer.
    #[error("item {item}: answer missing")]
    MissingAnswer {
        /// The item.
        item: String,
    },
    /// The answer is not one of the item's option values.
    #[error("item {item}: answer {value} is not one of {allowed:?}")]
    OutOfRange {
        /// The item.
        item: String,
        /// The answer given.
        value: i64,
        /// The values the item accepts.
        allowed: Vec<i32>,
    },
    /// An answer was given to an item that is hidden by its display condition.
    #[error("item {item}: answered, but the item is not shown for these answers")]
    NotShown {
        /// The item.
        item: String,
    },
}

impl ScoreError {
    /// The item the error is about.
    pub fn item(&self) -> &str {
        match self {
            Self::UnknownItem { item }
            | Self::MissingAnswer { item }
            | Self::OutOfRange { item, .. }
            | Self::NotShown { item } => item,
        }
    }
}
