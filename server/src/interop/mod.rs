//! Instrument interoperability: FHIR R4 Questionnaires and ReproSchema activities in,
//! FHIR Questionnaire and QuestionnaireResponse out.
//!
//! Key decision: an import never guesses silently. Every source format can say more
//! than the native schema (FHIRPath, JavaScript, free text) and less (no bands, no
//! licence, no population), so each import returns a [`Report`] next to the
//! definition: what was carried, what was approximated, and what was left behind with
//! its expression text. The definition must still pass the loader before it is used.
//!
//! Export carries the whole native definition in one extension, so native → FHIR →
//! native is exact; the FHIR body is checked against it on import, so an edited
//! export is refused instead of half-applied.
//!
//! This lives in `server`, not `instruments`: it reads folders and needs no wasm.

mod condition;
mod draft;
mod fhir;
pub mod fhir_export;
pub mod fhir_import;
mod fhir_round_trip;
mod fill;
pub mod report;
pub mod reproschema;

use instruments::definition::Group;
use instruments::Definition;

pub use condition::describe;
pub use fill::group_name;
pub use report::{NotCarried, Report};

/// What the caller states for things no source format carries.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Instrument id (default: derived from the source's name).
    pub id: Option<String>,
    /// Licence statement, required when the source has none (FHIR `copyright`).
    pub licence: Option<String>,
    /// Youngest validated age (default [`DEFAULT_MIN_AGE`]).
    pub min_age: Option<u8>,
    /// Validated groups (default: those the minimum age reaches).
    pub groups: Option<Vec<Group>>,
    /// The day of the import (`YYYY-MM-DD`), recorded as the day the licence was checked.
    pub today: String,
}

/// Youngest age assumed when the caller states none: an instrument whose source is
/// silent about its population is only offered to adults until someone says otherwise.
pub const DEFAULT_MIN_AGE: u8 = 18;

/// A native definition and the account of how it was made.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The definition; check it with [`instruments::loader::validate`] before use.
    pub definition: Definition,
    /// What was carried, approximated and left behind.
    pub report: Report,
}

/// Why a source could not be imported at all. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or folder cannot be read.
    #[error("{file}: cannot read: {reason}")]
    Unreadable {
        /// File or folder.
        file: String,
        /// The I/O error.
        reason: String,
    },
    /// Not JSON.
    #[error("{file}:{line}: not JSON: {reason}")]
    NotJson {
        /// File.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// What serde_json reported.
        reason: String,
    },
    /// JSON, but not a questionnaire this importer understands.
    #[error("{file}: {reason}")]
    NotAnInstrument {
        /// File or folder.
        file: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// The source states no licence and none was given.
    #[error(
        "{file}: the {format} states no licence, and an instrument without one cannot be embedded; \
         pass --licence \"…\" with the statement that allows its use"
    )]
    NoLicence {
        /// File or folder.
        file: String,
        /// Source format, for the message.
        format: &'static str,
    },
    /// A Xin'an export whose FHIR body no longer matches its embedded definition.
    #[error("{file}: the Questionnaire was edited after export ({reason}); edit the native file instead")]
    EditedAfterExport {
        /// File.
        file: String,
        /// The first difference.
        reason: String,
    },
}
