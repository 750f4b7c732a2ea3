//! Free text on a warning: bounded, and never carrying a phone number, a resident ID
//! number or an e-mail address (`instruments::identifiers`, the check the staff app
//! also runs before sending).

use instruments::identifiers::find_identifier;

use super::FollowUpError;

/// Longest note, reason or outcome (characters).
pub const NOTE_LIMIT: usize = 500;
/// Longest free-text answer of the interview form (characters).
pub const FORM_TEXT_LIMIT: usize = 2000;

/// `text` trimmed, if it is at most `limit` characters and identifies nobody.
///
/// # Errors
/// [`FollowUpError::InvalidField`] when too long, [`FollowUpError::Identifying`].
pub fn checked<'a>(field: &str, text: &'a str, limit: usize) -> Result<&'a str, FollowUpError> {
    let text = text.trim();
    if text.chars().count() > limit {
        return Err(FollowUpError::invalid(field, format!("at most {limit} characters")));
    }
    if let Some(identifier) = find_identifier(text) {
        return Err(FollowUpError::Identifying { field: field.to_owned(), identifier });
    }
    Ok(text)
}

/// As [`checked`], and not empty.
///
/// # Errors
/// As [`checked`], and [`FollowUpError::Required`] when empty.
pub fn required<'a>(field: &str, text: &'a str, limit: usize) -> Result<&'a str, FollowUpError> {
    let text = checked(field, text, limit)?;
    if text.is_empty() {
        return Err(FollowUpError::Required { field: field.to_owned() });
    }
    Ok(text)
}

/// A day written `YYYY-MM-DD`.
///
/// # Errors
/// [`FollowUpError::InvalidField`].
pub fn day(field: &str, text: &str) -> Result<(), FollowUpError> {
    if crate::day::is_day(text) {
        Ok(())
    } else {
        Err(FollowUpError::invalid(field, "a day written YYYY-MM-DD"))
    }
}
