//! Warning levels: the platform's data (defaults: 一级 Urgent in 30 minutes, 二级 High
//! in 24 hours, 三级 Watch in 72 hours), the check before they are saved, and which
//! level a screening's flags open.

use std::collections::{BTreeMap, BTreeSet};

use instruments::definition::{Definition, Locale, Severity};
use instruments::wire::staff::RaisedFlag;
use instruments::wire::warning::{FlagLevel, WarningLevel, WarningLevels};

use super::FollowUpError;

/// At most this many levels.
pub const MAX_LEVELS: usize = 9;
/// Longest first-contact deadline: 30 days.
pub const MAX_FIRST_CONTACT_MINUTES: u32 = 30 * 24 * 60;

fn level(id: &str, rank: u8, zh: &str, en: &str, colour: &str, symbol: &str, minutes: u32) -> WarningLevel {
    let label = BTreeMap::from([
        (Locale::parse("zh-Hans").expect("locale"), zh.to_owned()),
        (Locale::parse("en").expect("locale"), en.to_owned()),
    ]);
    WarningLevel {
        id: id.to_owned(),
        rank,
        label,
        colour: colour.to_owned(),
        symbol: symbol.to_owned(),
        first_contact_minutes: minutes,
    }
}

/// The levels of a platform that has not set its own.
pub fn defaults() -> WarningLevels {
    let by_severity = |severity, level: &str| FlagLevel {
        severity: Some(severity),
        instrument: None,
        flag: None,
        level: level.to_owned(),
    };
    WarningLevels {
        levels: vec![
            level("level1", 1, "一级预警", "Urgent", "#c62828", "!!!", 30),
            level("level2", 2, "二级预警", "High", "#ef6c00", "!!", 24 * 60),
            level("level3", 3, "三级预警", "Watch", "#f9a825", "!", 72 * 60),
        ],
        flag_levels: vec![
            by_severity(Severity::Critical, "level1"),
            by_severity(Severity::High, "level2"),
            by_severity(Severity::Info, "level3"),
        ],
    }
}

/// Checks levels before they are saved, each error naming its field. `instrument`
/// finds a definition by id, so a mapping of one instrument's flag can be checked.
///
/// # Errors
/// [`FollowUpError::InvalidField`] or [`FollowUpError::Required`].
pub fn check(
    levels: &WarningLevels,
    instrument: impl Fn(&str) -> Option<&'static Definition>,
) -> Result<(), FollowUpError> {
    if levels.levels.is_empty() || levels.levels.len() > MAX_LEVELS {
        return Err(FollowUpError::invalid("levels", format!("between 1 and {MAX_LEVELS} levels")));
    }
    let mut ids = BTreeSet::new();
    let mut ranks = BTreeSet::new();
    for (i, level) in levels.levels.iter().enumerate() {
        let at = |name: &str| format!("levels[{i}].{name}");
        let id_ok = (1..=32).contains(&level.id.len())
            && level.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !id_ok {
            return Err(FollowUpError::invalid(at("id"), "1–32 lowercase letters, digits or `_`"));
        }
        if !ids.insert(level.id.as_str()) {
            return Err(FollowUpError::invalid(at("id"), format!("`{}` is used twice", level.id)));
        }
        if level.rank == 0 || !ranks.insert(level.rank) {
            return Err(FollowUpError::invalid(at("rank"), "ranks are unique and start at 1 (most urgent)"));
        }
        if level.label.is_empty() {
            return Err(FollowUpError::Required { field: at("label") });
        }
        for (locale, text) in &level.label {
            let n = text.trim().chars().count();
            if n == 0 || n > 40 {
                return Err(FollowUpError::invalid(format!("{}.{}", at("label"), locale.as_str()), "1–40 characters"));
            }
        }
        let b = level.colour.as_bytes();
        if b.len() != 7 || b[0] != b'#' || !b[1..].iter().all(u8::is_ascii_hexdigit) {
            return Err(FollowUpError::invalid(at("colour"), "a colour written #rrggbb"));
        }
        let symbol = level.symbol.trim().chars().count();
        if symbol == 0 || symbol > 8 {
            return Err(FollowUpError::invalid(at("symbol"), "1–8 characters: colour is never the only cue"));
        }
        if level.first_contact_minutes == 0 || level.first_contact_minutes > MAX_FIRST_CONTACT_MINUTES {
            return Err(FollowUpError::invalid(
                at("first_contact_minutes"),
                format!("a deadline of 1 to {MAX_FIRST_CONTACT_MINUTES} minutes"),
            ));
        }
    }
    let mut severities = BTreeSet::new();
    let mut flags = BTreeSet::new();
    for (i, mapping) in levels.flag_levels.iter().enumerate() {
        let at = |name: &str| format!("flag_levels[{i}].{name}");
        if !ids.contains(mapping.level.as_str()) {
            return Err(FollowUpError::UnknownLevel { field: at("level"), level: mapping.level.clone() });
        }
        match (&mapping.severity, &mapping.instrument, &mapping.flag) {
            (Some(severity), None, None) => {
                if !severities.insert(*severity) {
                    return Err(FollowUpError::invalid(at("severity"), "each severity is mapped once"));
                }
            }
            (None, Some(id), Some(flag)) => {
                let definition = instrument(id)
                    .ok_or_else(|| FollowUpError::invalid(at("instrument"), format!("no instrument `{id}`")))?;
                if !definition.flags.iter().any(|f| &f.id == flag) {
                    return Err(FollowUpError::invalid(at("flag"), format!("`{id}` has no flag `{flag}`")));
                }
                if !flags.insert((id.as_str(), flag.as_str())) {
                    return Err(FollowUpError::invalid(at("flag"), "each flag is mapped once"));
                }
            }
            _ => {
                return Err(FollowUpError::invalid(
                    format!("flag_levels[{i}]"),
                    "give either `severity`, or `instrument` and `flag`",
                ))
            }
        }
    }
    for severity in [Severity::Critical, Severity::High, Severity::Info] {
        if !severities.contains(&severity) {
            return Err(FollowUpError::invalid(
                "flag_levels",
                format!("severity `{}` is not mapped", severity_name(severity)),
            ));
        }
    }
    Ok(())
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Info => "info",
    }
}

/// The most urgent level any of the flags maps to: an instrument's own mapping of a
/// flag wins over its severity's. `None` without flags (or for levels that fail
/// [`check`], which never reach here).
pub fn opened_by<'a>(levels: &'a WarningLevels, flags: &[RaisedFlag]) -> Option<&'a WarningLevel> {
    flags
        .iter()
        .filter_map(|raised| {
            let own = levels.flag_levels.iter().find(|m| {
                m.instrument.as_deref() == Some(raised.instrument.as_str())
                    && m.flag.as_deref() == Some(raised.flag.as_str())
            });
            let by_severity = || levels.flag_levels.iter().find(|m| m.severity == Some(raised.severity));
            levels.level(&own.or_else(by_severity)?.level)
        })
        .min_by_key(|level| level.rank)
}

/// The platform's levels: its own, or [`defaults`].
///
/// # Errors
/// On database failure.
pub async fn current(store: &crate::db::Store) -> Result<WarningLevels, crate::db::DbError> {
    Ok(store.platform_document(crate::db::WARNING_LEVELS).await?.unwrap_or_else(defaults))
}

/// When first contact is due for a warning set to `level` at `since`.
pub fn due_at(level: &WarningLevel, since: i64) -> i64 {
    since + i64::from(level.first_contact_minutes) * 60
}

/// The level id given in a request, as one of the platform's levels.
///
/// # Errors
/// [`FollowUpError::UnknownLevel`].
pub fn known<'a>(levels: &'a WarningLevels, field: &str, id: &str) -> Result<&'a WarningLevel, FollowUpError> {
    levels.level(id).ok_or_else(|| FollowUpError::UnknownLevel { field: field.to_owned(), level: id.to_owned() })
}

#[cfg(test)]
mod tests {
    use instruments::definition::Condition;

    use super::*;

    type Breaks = fn(&mut WarningLevels);

    fn flag(instrument: &str, flag: &str, severity: Severity) -> RaisedFlag {
        RaisedFlag {
            instrument: instrument.into(),
            flag: flag.into(),
            severity,
            when: Condition::Total { at_least: Some(0.0), at_most: None },
        }
    }

    #[test]
    fn the_defaults_pass_their_own_check() {
        check(&defaults(), instruments::library::get).unwrap();
    }

    #[test]
    fn each_mistake_is_named_by_its_field() {
        let cases: [(&str, Breaks); 10] = [
            ("levels[1].rank", |l| l.levels[1].rank = 1),
            ("levels[2].id", |l| l.levels[2].id = "level1".into()),
            ("levels[0].id", |l| l.levels[0].id = "Level 1".into()),
            ("levels[0].colour", |l| l.levels[0].colour = "red".into()),
            ("levels[0].symbol", |l| l.levels[0].symbol = " ".into()),
            ("levels[2].first_contact_minutes", |l| l.levels[2].first_contact_minutes = 0),
            ("flag_levels", |l| {
                l.flag_levels.pop();
            }),
            ("flag_levels[1].level", |l| l.flag_levels[1].level = "level9".into()),
            ("flag_levels[1].severity", |l| l.flag_levels[0].severity = Some(Severity::High)),
            ("flag_levels[3].flag", |l| {
                l.flag_levels.push(FlagLevel {
                    severity: None,
                    instrument: Some("phq9".into()),
                    flag: Some("nonexistent".into()),
                    level: "level1".into(),
                })
            }),
        ];
        for (field, break_it) in cases {
            let mut levels = defaults();
            break_it(&mut levels);
            let err = check(&levels, instruments::library::get).unwrap_err();
            let named = match &err {
                FollowUpError::InvalidField { field, .. }
                | FollowUpError::Required { field }
                | FollowUpError::UnknownLevel { field, .. } => field.clone(),
                other => panic!("{other:?}"),
            };
            assert_eq!(named, field, "{err}");
        }
    }

    #[test]
    fn flags_open_the_most_urgent_level_and_an_instrument_mapping_wins() {
        let mut levels = defaults();
        assert_eq!(opened_by(&levels, &[]).map(|l| l.id.as_str()), None);
        let raised = [flag("gad7", "severe", Severity::High), flag("phq9", "critical", Severity::Critical)];
        assert_eq!(opened_by(&levels, &raised).unwrap().id, "level1");
        levels.flag_levels.push(FlagLevel {
            severity: None,
            instrument: Some("phq9".into()),
            flag: Some("critical".into()),
            level: "level3".into(),
        });
        assert_eq!(opened_by(&levels, &raised).unwrap().id, "level2");
        assert_eq!(due_at(levels.level("level1").unwrap(), 100), 100 + 1800);
    }
}
