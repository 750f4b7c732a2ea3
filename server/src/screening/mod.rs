//! The rules of a screening: what a campaign takes (`campaign`), and what one
//! submission becomes before it is stored — the server's scores, the flags they
//! raise and the warning those open. The route goes through [`accept`] once; the
//! store then writes the result in one transaction. Errors are [`ScreeningError`],
//! mapped to HTTP in `error.rs` only.

pub mod campaign;

use instruments::wire::staff::RaisedFlag;
use instruments::wire::warning::WarningLevels;
use instruments::wire::SubmissionRequest;
use instruments::{Score, ScoreError};

use crate::followup::NewWarning;
use campaign::Campaign;

/// Why a submission was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScreeningError {
    /// A field of the request is not what the campaign takes.
    #[error("{message}")]
    Invalid {
        /// Stable code, e.g. `invalid_cohort`.
        code: &'static str,
        /// Path of the field, e.g. `results[0].answers.phq9_3`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The campaign does not take submissions today.
    #[error("{0}")]
    NotOpen(String),
}

impl ScreeningError {
    pub(crate) fn invalid(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { code, field: field.into(), message: message.into() }
    }

    /// Scoring failures, located under `prefix` (e.g. `results[0].answers`).
    pub(crate) fn from_score(prefix: &str, err: &ScoreError) -> Self {
        let field = if prefix.is_empty() { err.item().to_owned() } else { format!("{prefix}.{}", err.item()) };
        Self::invalid("invalid_answer", field, err.to_string())
    }
}

/// A submission the campaign takes, ready to store.
#[derive(Debug)]
pub struct Accepted {
    /// The server's scores, in submission order.
    pub scores: Vec<Score>,
    /// The warning its flags open, if any.
    pub warning: Option<NewWarning>,
}

/// Checks a submission against the campaign on the day of `now`, re-scores it and
/// decides the warning it opens under the platform's `levels`.
///
/// # Errors
/// [`ScreeningError`] naming the first field at fault.
pub fn accept(
    campaign: &Campaign,
    request: &SubmissionRequest,
    levels: &WarningLevels,
    now: i64,
) -> Result<Accepted, ScreeningError> {
    campaign.check_open(&crate::day::day_of(now))?;
    let scores = campaign.check(request)?;
    let warning = crate::followup::open_warning(levels, raised_flags(campaign, &scores), now);
    Ok(Accepted { scores, warning })
}

/// The flags of a submission with the rules that raised them, most severe first.
pub fn raised_flags(campaign: &Campaign, scores: &[Score]) -> Vec<RaisedFlag> {
    let mut flags: Vec<RaisedFlag> = scores
        .iter()
        .filter_map(|score| {
            let definition = campaign.instruments.iter().find(|d| d.id == score.instrument)?;
            Some(score.flags.iter().filter_map(move |id| {
                let rule = definition.flags.iter().find(|f| &f.id == id)?;
                Some(RaisedFlag {
                    instrument: score.instrument.clone(),
                    flag: rule.id.clone(),
                    severity: rule.severity,
                    when: rule.when.clone(),
                })
            }))
        })
        .flatten()
        .collect();
    flags.sort_by_key(|f| f.severity);
    flags
}
