//! Service indicators: how the warnings of the screened were worked, per level —
//! warnings per 1,000 screened, first contact within the level's deadline, the median
//! time to first contact, referrals made and confirmed, warnings closed or lifted and
//! the median days they were open. City indicator systems evaluate a service by these
//! (e.g. the "安心" part of a 心安城市 system), so organization and district reports
//! carry them.
//!
//! A warning counts under its current level: the level after re-check is the one the
//! deadline follows. Rows are hidden by the number screened, with the same
//! complementary suppression as every other roll-up: a warning count is small by
//! nature, and what must not be recoverable is the row of a small population.

use std::collections::BTreeMap;

use instruments::wire::report::{
    LevelService, ServiceCell, ServiceFigures, ServiceIndicators, ServiceLevel, ServiceRow,
};
use instruments::wire::staff::CaseState;
use instruments::wire::warning::WarningLevel;
use instruments::Locale;

use super::stats::median;
use super::suppression;
use crate::db::ServiceCase;

const MINUTE: f64 = 60.0;
const DAY: f64 = 24.0 * 3600.0;

/// One row's inputs: a campaign (organization report) or an organization's
/// campaigns (platform report).
#[derive(Clone, Debug, Default)]
pub struct Member {
    /// Row label: `campaign` or `organization` → value.
    pub group: BTreeMap<String, String>,
    /// Submissions committed.
    pub screened: u64,
    /// Its warnings.
    pub cases: Vec<ServiceCase>,
}

/// The indicators of `members` and their total, rows hidden below `k` screened.
pub fn indicators(levels: &[WarningLevel], members: &[Member], k: u32, now: i64) -> ServiceIndicators {
    let levels = levels_of(levels, members);
    let (layout, system) = suppression::layout(&[members.len()]);
    let mut published = vec![0u64; system.cells];
    for (i, member) in members.iter().enumerate() {
        published[layout.one_way(0, i)] = member.screened;
    }
    published[layout.total()] = members.iter().map(|m| m.screened).sum();
    let hidden = suppression::suppress(&system, &published, u64::from(k));
    let cell = |hide: bool, screened: u64, cases: &[&ServiceCase]| {
        if hide {
            ServiceCell::Suppressed { below: k }
        } else {
            ServiceCell::Shown(figures(&levels, screened, cases, now))
        }
    };
    let everyone: Vec<&ServiceCase> = members.iter().flat_map(|m| &m.cases).collect();
    let mut rows = vec![ServiceRow {
        group: BTreeMap::new(),
        cell: cell(hidden[layout.total()], published[layout.total()], &everyone),
    }];
    for (i, member) in members.iter().enumerate() {
        let cases: Vec<&ServiceCase> = member.cases.iter().collect();
        rows.push(ServiceRow {
            group: member.group.clone(),
            cell: cell(hidden[layout.one_way(0, i)], member.screened, &cases),
        });
    }
    ServiceIndicators { levels, rows }
}

/// The platform's levels by rank, then any level a warning holds that the platform
/// no longer defines (labelled by its id), in first-seen order.
fn levels_of(defined: &[WarningLevel], members: &[Member]) -> Vec<ServiceLevel> {
    let mut sorted: Vec<&WarningLevel> = defined.iter().collect();
    sorted.sort_by_key(|l| l.rank);
    let mut out: Vec<ServiceLevel> =
        sorted.into_iter().map(|l| ServiceLevel { id: l.id.clone(), label: l.label.clone() }).collect();
    for case in members.iter().flat_map(|m| &m.cases) {
        if !out.iter().any(|l| l.id == case.level) {
            let label = Locale::parse("en").map(|en| [(en, case.level.clone())].into()).unwrap_or_default();
            out.push(ServiceLevel { id: case.level.clone(), label });
        }
    }
    out
}

fn figures(levels: &[ServiceLevel], screened: u64, cases: &[&ServiceCase], now: i64) -> ServiceFigures {
    ServiceFigures {
        screened,
        total: level_service(None, screened, cases.iter().copied(), now),
        levels: levels
            .iter()
            .map(|l| level_service(Some(&l.id), screened, cases.iter().copied().filter(|c| c.level == l.id), now))
            .collect(),
    }
}

fn level_service<'a>(
    level: Option<&str>,
    screened: u64,
    cases: impl Iterator<Item = &'a ServiceCase>,
    now: i64,
) -> LevelService {
    let cases: Vec<&ServiceCase> = cases.collect();
    let warnings = cases.len() as u64;
    let due: Vec<&&ServiceCase> = cases.iter().filter(|c| c.contacted_at.is_some() || c.due_at <= now).collect();
    let contact_due = due.len() as u64;
    let contacted_in_time = due.iter().filter(|c| c.contacted_at.is_some_and(|at| at <= c.due_at)).count() as u64;
    let to_contact = cases.iter().filter_map(|c| c.contacted_at.map(|at| (at - c.opened_at) as f64 / MINUTE));
    let finished = |state: CaseState| cases.iter().filter(|c| c.state == state).count() as u64;
    let days_open = cases
        .iter()
        .filter(|c| c.state.is_finished())
        .filter_map(|c| c.finished_at.map(|at| (at - c.opened_at) as f64 / DAY));
    let share = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
    LevelService {
        level: level.map(str::to_owned),
        warnings,
        per_thousand: share(warnings, screened).map(|s| s * 1000.0),
        contact_due,
        contacted_in_time,
        contacted_in_time_share: share(contacted_in_time, contact_due),
        median_minutes_to_contact: median(to_contact.collect()),
        referrals: cases.iter().map(|c| c.referrals).sum(),
        referrals_confirmed: cases.iter().map(|c| c.referrals_confirmed).sum(),
        closed: finished(CaseState::Closed),
        lifted: finished(CaseState::Lifted),
        median_days_open: median(days_open.collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60;

    fn case(level: &str, state: CaseState, opened: i64, due: i64, contacted: Option<i64>) -> ServiceCase {
        ServiceCase {
            level: level.to_owned(),
            state,
            opened_at: opened,
            due_at: due,
            contacted_at: contacted,
            finished_at: None,
            referrals: 0,
            referrals_confirmed: 0,
        }
    }

    fn member(name: &str, screened: u64, cases: Vec<ServiceCase>) -> Member {
        Member { group: [("campaign".to_owned(), name.to_owned())].into(), screened, cases }
    }

    fn shown(row: &ServiceRow) -> &ServiceFigures {
        match &row.cell {
            ServiceCell::Shown(f) => f,
            ServiceCell::Suppressed { .. } => panic!("row {:?} is hidden", row.group),
        }
    }

    #[test]
    fn figures_by_hand() {
        let levels = crate::followup::levels::defaults().levels;
        let mut referred = case("level1", CaseState::Referred, 0, 30 * M, Some(50 * M));
        referred.referrals = 2;
        referred.referrals_confirmed = 1;
        let mut closed = case("level2", CaseState::Closed, 0, 1440 * M, Some(60 * M));
        closed.finished_at = Some(2 * 86_400);
        let mut lifted = case("level1", CaseState::Lifted, 0, 30 * M, Some(10 * M));
        lifted.finished_at = Some(4 * 86_400);
        let cases = vec![
            lifted,
            referred,
            closed,
            // Due and not contacted: late.
            case("level1", CaseState::Open, 100 * M, 130 * M, None),
            // Not yet due: not counted either way.
            case("level3", CaseState::Open, 0, 10_000 * M, None),
        ];
        let out = indicators(&levels, &[member("A", 400, cases)], 10, 1000 * M);
        assert_eq!(out.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["level1", "level2", "level3"]);
        assert_eq!(out.rows.len(), 2);
        let f = shown(&out.rows[1]);
        assert_eq!(f.screened, 400);
        let t = &f.total;
        assert_eq!((t.warnings, t.contact_due, t.contacted_in_time), (5, 4, 2));
        assert_eq!(t.per_thousand, Some(12.5));
        assert_eq!(t.contacted_in_time_share, Some(0.5));
        // Minutes to contact 10, 50, 60 → 50.
        assert_eq!(t.median_minutes_to_contact, Some(50.0));
        assert_eq!((t.referrals, t.referrals_confirmed, t.closed, t.lifted), (2, 1, 1, 1));
        assert_eq!(t.median_days_open, Some(3.0));
        let l1 = &f.levels[0];
        assert_eq!(l1.level.as_deref(), Some("level1"));
        assert_eq!((l1.warnings, l1.contact_due, l1.contacted_in_time), (3, 3, 1));
        assert_eq!(l1.per_thousand, Some(7.5));
        assert_eq!(l1.median_minutes_to_contact, Some(30.0));
        let l3 = &f.levels[2];
        assert_eq!((l3.warnings, l3.contact_due, l3.contacted_in_time_share), (1, 0, None));
        assert_eq!(shown(&out.rows[0]), f, "one member: the total is that member");
    }

    #[test]
    fn a_small_member_is_hidden_with_another_so_the_total_does_not_give_it_away() {
        let levels = crate::followup::levels::defaults().levels;
        let members = [
            member("A", 300, vec![case("level1", CaseState::Open, 0, 1, None)]),
            member("B", 200, vec![]),
            member("C", 4, vec![case("level1", CaseState::Open, 0, 1, None)]),
        ];
        let out = indicators(&levels, &members, 10, 100);
        let hidden: Vec<bool> = out.rows.iter().map(|r| matches!(r.cell, ServiceCell::Suppressed { .. })).collect();
        assert!(hidden[3], "C screened 4 < 10");
        assert_eq!(hidden.iter().filter(|h| **h).count(), 2, "one more row hidden with it: {hidden:?}");
        assert!(!hidden[0], "the total stays");
    }

    #[test]
    fn a_level_the_platform_no_longer_has_still_counts() {
        let levels = crate::followup::levels::defaults().levels;
        let out = indicators(&levels, &[member("A", 50, vec![case("retired", CaseState::Open, 0, 1, None)])], 10, 5);
        assert_eq!(out.levels.last().map(|l| l.id.as_str()), Some("retired"));
        assert_eq!(shown(&out.rows[0]).levels[3].warnings, 1);
    }
}
