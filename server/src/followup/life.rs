//! The life of a warning: which change may follow which, and what each needs. Every
//! function checks a request against the warning as read; the store then writes it
//! only if the warning is still as read.

use instruments::wire::staff::{CaseSummary, NewCaseEvent};
use instruments::wire::warning::{
    NewLevel, NewReferral, NewVisit, Referral, ReferralDestination, ReferralUpdate, WarningLevel, WarningLevels,
};

use super::text::{self, NOTE_LIMIT};
use super::{levels, FollowUpError};

fn unfinished(case: &CaseSummary) -> Result<(), FollowUpError> {
    if case.state.is_finished() {
        Err(FollowUpError::Finished(case.state))
    } else {
        Ok(())
    }
}

/// A state change: it must follow from the current state; closing and lifting need
/// the outcome (the reason of a lift).
///
/// # Errors
/// [`FollowUpError::InvalidTransition`], or a text error naming `note` or `outcome`.
pub fn check_event(case: &CaseSummary, event: &NewCaseEvent) -> Result<(), FollowUpError> {
    if !case.state.next().contains(&event.to) {
        return Err(FollowUpError::InvalidTransition { from: case.state, to: event.to });
    }
    text::checked("note", &event.note, NOTE_LIMIT)?;
    match (&event.outcome, event.to.is_finished()) {
        (Some(outcome), true) => text::required("outcome", outcome, NOTE_LIMIT).map(drop),
        (None, true) => Err(FollowUpError::Required { field: "outcome".into() }),
        (Some(outcome), false) => text::checked("outcome", outcome, NOTE_LIMIT).map(drop),
        (None, false) => Ok(()),
    }
}

/// A re-check (复核): another of the platform's levels, with a reason. First contact
/// is then due the new level's deadline after now.
///
/// # Errors
/// [`FollowUpError::Finished`], [`FollowUpError::UnknownLevel`], a text error naming
/// `reason`, or [`FollowUpError::InvalidField`] when the level does not change.
pub fn check_level<'a>(
    all: &'a WarningLevels,
    case: &CaseSummary,
    request: &NewLevel,
    now: i64,
) -> Result<ReCheck<'a>, FollowUpError> {
    unfinished(case)?;
    let level = levels::known(all, "level", &request.level)?;
    text::required("reason", &request.reason, NOTE_LIMIT)?;
    if level.id == case.level {
        return Err(FollowUpError::invalid("level", "the warning is already at this level"));
    }
    let was_urgent = all.level(&case.level).is_some_and(|l| l.rank == 1);
    Ok(ReCheck { level, due_at: levels::due_at(level, now), raised_to_urgent: level.rank == 1 && !was_urgent })
}

/// A re-check as it is to be stored.
#[derive(Debug)]
pub struct ReCheck<'a> {
    /// The new level.
    pub level: &'a WarningLevel,
    /// First contact is due then.
    pub due_at: i64,
    /// Raised to the most urgent level: counselors are told at once.
    pub raised_to_urgent: bool,
}

/// A referral (转介) to an active destination that takes the warning's level (one
/// that lists no levels takes all).
///
/// # Errors
/// [`FollowUpError::Finished`], or an error naming `destination_id`, `referred_on` or
/// `note`.
pub fn check_referral(
    case: &CaseSummary,
    destination: &ReferralDestination,
    request: &NewReferral,
) -> Result<(), FollowUpError> {
    unfinished(case)?;
    let d = &destination.destination;
    if !d.active {
        return Err(FollowUpError::invalid("destination_id", "this destination no longer takes referrals"));
    }
    if !d.levels.is_empty() && !d.levels.contains(&case.level) {
        return Err(FollowUpError::invalid(
            "destination_id",
            format!("this destination does not take `{}` warnings", case.level),
        ));
    }
    text::day("referred_on", &request.referred_on)?;
    text::checked("note", &request.note, NOTE_LIMIT).map(drop)
}

/// What came back of a referral: each of `confirmed_on` and `outcome` once.
///
/// # Errors
/// [`FollowUpError::Required`] when the update is empty, [`FollowUpError::AlreadySet`],
/// or an error naming the field.
pub fn check_referral_update(referral: &Referral, update: &ReferralUpdate) -> Result<(), FollowUpError> {
    if update.confirmed_on.is_none() && update.outcome.is_none() {
        return Err(FollowUpError::Required { field: "confirmed_on".into() });
    }
    if let Some(day) = &update.confirmed_on {
        if referral.confirmed_on.is_some() {
            return Err(FollowUpError::AlreadySet { field: "confirmed_on".into() });
        }
        text::day("confirmed_on", day)?;
    }
    if let Some(outcome) = &update.outcome {
        if referral.outcome.is_some() {
            return Err(FollowUpError::AlreadySet { field: "outcome".into() });
        }
        text::required("outcome", outcome, NOTE_LIMIT)?;
    }
    Ok(())
}

/// A follow-up visit (回访), and the next one planned, not before it.
///
/// # Errors
/// [`FollowUpError::Finished`], or an error naming the field.
pub fn check_visit(case: &CaseSummary, visit: &NewVisit) -> Result<(), FollowUpError> {
    unfinished(case)?;
    text::day("visited_on", &visit.visited_on)?;
    text::checked("note", &visit.note, NOTE_LIMIT)?;
    if let Some(next) = &visit.next_visit_on {
        text::day("next_visit_on", next)?;
        if next.as_str() < visit.visited_on.as_str() {
            return Err(FollowUpError::invalid("next_visit_on", "the next visit comes after this one"));
        }
    }
    Ok(())
}

/// Planning the next visit on an unfinished warning.
///
/// # Errors
/// [`FollowUpError::Finished`], or an error naming `on`.
pub fn check_next_visit(case: &CaseSummary, on: Option<&str>) -> Result<(), FollowUpError> {
    unfinished(case)?;
    on.map_or(Ok(()), |day| text::day("on", day))
}

/// Whether levels may replace the current ones: none may disappear while
/// unfinished warnings hold it (they would lose their deadline and label).
///
/// # Errors
/// [`FollowUpError::LevelInUse`].
pub fn check_levels_replace(new: &WarningLevels, held: &[(String, i64)]) -> Result<(), FollowUpError> {
    match held.iter().find(|(id, count)| *count > 0 && new.level(id).is_none()) {
        Some((level, count)) => Err(FollowUpError::LevelInUse { level: level.clone(), count: *count }),
        None => Ok(()),
    }
}

/// A destination of the referral directory: a named service (not a person) taking
/// known levels.
///
/// # Errors
/// An error naming `name`, `contact` or `levels[i]`.
pub fn check_destination(
    all: &WarningLevels,
    d: &instruments::wire::warning::NewDestination,
) -> Result<(), FollowUpError> {
    let name = d.name.trim().chars().count();
    if name == 0 {
        return Err(FollowUpError::Required { field: "name".into() });
    }
    if name > 100 {
        return Err(FollowUpError::invalid("name", "at most 100 characters"));
    }
    if d.contact.trim().chars().count() > 200 {
        return Err(FollowUpError::invalid("contact", "at most 200 characters"));
    }
    for (i, level) in d.levels.iter().enumerate() {
        levels::known(all, &format!("levels[{i}]"), level)?;
        if d.levels[..i].contains(level) {
            return Err(FollowUpError::invalid(format!("levels[{i}]"), "each level once"));
        }
    }
    Ok(())
}
