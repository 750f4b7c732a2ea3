//! The rules of a warning (预警) after it opens: its level and first-contact deadline
//! (`levels`), the interview record (`form`), referrals, visits and the "no names, no
//! numbers" guard on every free text (`text`). Handlers call these before `db/`
//! stores anything; errors are [`FollowUpError`], mapped to HTTP in `error.rs` only.

pub mod form;
pub mod levels;
pub mod life;
pub mod text;

use instruments::identifiers::Identifier;
use instruments::wire::staff::CaseState;

/// Why a follow-up request was refused.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    /// A field's value is not allowed.
    #[error("{field}: {message}")]
    InvalidField {
        /// Path of the field, e.g. `levels[1].colour`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A required field is missing or empty.
    #[error("{field}: required")]
    Required {
        /// The field.
        field: String,
    },
    /// Free text carries something that identifies a person.
    #[error("{field}: {}", identifier.reason())]
    Identifying {
        /// The field.
        field: String,
        /// What was found.
        identifier: Identifier,
    },
    /// The level id is not one of the platform's levels.
    #[error("{field}: `{level}` is not a warning level of this platform")]
    UnknownLevel {
        /// The field.
        field: String,
        /// The id given.
        level: String,
    },
    /// A level would be removed while unfinished warnings hold it.
    #[error("level `{level}` is held by {count} unfinished warnings; lower or lift them first")]
    LevelInUse {
        /// Level id.
        level: String,
        /// Unfinished warnings at it.
        count: i64,
    },
    /// The state cannot follow the current one.
    #[error("a warning that is {} cannot become {}", from.as_str(), to.as_str())]
    InvalidTransition {
        /// Current state.
        from: CaseState,
        /// Requested state.
        to: CaseState,
    },
    /// The warning is closed or lifted; nothing more is recorded on it.
    #[error("this warning is {}; nothing more can be recorded", .0.as_str())]
    Finished(CaseState),
    /// A once-only field is already set; it is never overwritten.
    #[error("{field} is already recorded and is not overwritten")]
    AlreadySet {
        /// The field.
        field: String,
    },
    /// Someone changed the warning meanwhile.
    #[error("someone changed this warning meanwhile; reload it")]
    Stale,
}

impl FollowUpError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), message: message.into() }
    }
}

/// A warning to open with a submission, decided before its transaction.
#[derive(Clone, Debug)]
pub struct NewWarning {
    /// Every flag raised, most severe first.
    pub flags: Vec<instruments::wire::staff::RaisedFlag>,
    /// Level id.
    pub level: String,
    /// Its rank (1 most urgent): orders the queue.
    pub rank: i64,
    /// When first contact is due.
    pub due_at: i64,
    /// At the most urgent level (rank 1): counselors are told at once.
    pub urgent: bool,
    /// Counselors are told by e-mail too (mail is configured), not only the webhook.
    pub email: bool,
}

/// The warning a submission's flags open, at the most urgent level they map to.
pub fn open_warning(
    levels: &instruments::wire::warning::WarningLevels,
    flags: Vec<instruments::wire::staff::RaisedFlag>,
    now: i64,
) -> Option<NewWarning> {
    let level = levels::opened_by(levels, &flags)?;
    Some(NewWarning {
        level: level.id.clone(),
        rank: i64::from(level.rank),
        due_at: levels::due_at(level, now),
        urgent: level.rank == 1,
        email: false,
        flags,
    })
}
