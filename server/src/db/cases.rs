//! Follow-up cases: raised with the flagged submission (in its transaction, see
//! `submissions.rs`), moved along by counselors, never deleted.

use instruments::wire::staff::{
    Anonymity, CaseDetail, CaseEvent, CaseQueue, CaseState, CaseSummary, FollowUpFigures, NewCaseEvent, RaisedFlag,
};
use instruments::wire::warning::{Interview, LevelChange, LevelCount, Referral, Visit, WarningLevel};
use instruments::wire::SubmissionReceipt;
use sqlx::{Any, Transaction};

use super::{from_json, to_json, DbError, Store};
use crate::followup::form::CheckedInterview;

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: i64,
    at: i64,
    email: String,
    destination_id: i64,
    name: String,
    referred_on: String,
    note: String,
    confirmed_on: Option<String>,
    outcome: Option<String>,
}

impl From<ReferralRow> for Referral {
    fn from(r: ReferralRow) -> Self {
        Referral {
            id: r.id,
            at: r.at,
            by: r.email,
            destination_id: r.destination_id,
            destination: r.name,
            referred_on: r.referred_on,
            note: r.note,
            confirmed_on: r.confirmed_on,
            outcome: r.outcome,
        }
    }
}

async fn set_next_visit(tx: &mut Transaction<'static, Any>, case: i64, on: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE cases SET next_visit_on = $1 WHERE id = $2").bind(on).bind(case).execute(&mut **tx).await?;
    Ok(())
}

/// (at, by, from, to, reason, due at) of `case_levels`.
type LevelRow = (i64, Option<String>, Option<String>, String, String, i64);

/// The end of the UTC day of `now`, in seconds.
fn day_end(now: i64) -> i64 {
    (now.div_euclid(86_400) + 1) * 86_400
}

/// What a state change did.
#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    /// Stored.
    Done,
    /// The case was changed by someone else in the meantime; nothing stored.
    Stale,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    organization_id: i64,
    code: String,
    name: String,
    anonymity: String,
    respondent_code: String,
    receipt: String,
    cohort: String,
    flags: String,
    state: String,
    opened_at: i64,
    level: String,
    due_at: i64,
    contacted_at: Option<i64>,
    next_visit_on: Option<String>,
}

/// A panel submission's warning is known by the book code (the one the school can
/// resolve), any other by its respondent code.
const CASE_SELECT: &str = "SELECT k.id, k.organization_id, c.code, c.name, c.anonymity,
        COALESCE(s.panel_code, s.respondent_code) AS respondent_code, s.receipt,
        k.cohort, k.flags, k.state, k.opened_at, k.level, k.due_at, k.contacted_at, k.next_visit_on
    FROM cases k JOIN campaigns c ON c.id = k.campaign_id JOIN submissions s ON s.id = k.submission_id";

/// Unfinished, as SQL on `cases k`.
const UNFINISHED: &str = "k.state NOT IN ('closed', 'lifted')";
/// Overdue for first contact (`$now`) or a visit (`$today`), as SQL on `cases k`.
fn late_sql(now: &str, today: &str) -> String {
    format!("((k.contacted_at IS NULL AND k.due_at <= {now}) OR k.next_visit_on < {today})")
}

fn state(text: &str) -> Result<CaseState, DbError> {
    CaseState::parse(text).ok_or_else(|| DbError::Other(anyhow::anyhow!("stored case state `{text}` is unknown")))
}

fn anonymity(text: &str) -> Result<Anonymity, DbError> {
    match text {
        "coded" => Ok(Anonymity::Coded),
        "panel" => Ok(Anonymity::Panel),
        "anonymous" => Ok(Anonymity::Anonymous),
        other => Err(DbError::Other(anyhow::anyhow!("stored anonymity `{other}` is unknown"))),
    }
}

impl CaseRow {
    fn summary(self, now: i64, today: &str) -> Result<CaseSummary, DbError> {
        let flags: Vec<RaisedFlag> = from_json("case flags", &self.flags)?;
        let receipt: SubmissionReceipt = from_json("receipt", &self.receipt)?;
        let state = state(&self.state)?;
        let unfinished = !state.is_finished();
        Ok(CaseSummary {
            id: self.id,
            organization_id: self.organization_id,
            campaign: self.code,
            campaign_name: from_json("campaign name", &self.name)?,
            anonymity: anonymity(&self.anonymity)?,
            respondent_code: self.respondent_code,
            cohort: from_json("case cohort", &self.cohort)?,
            severity: flags.first().map_or(instruments::definition::Severity::Info, |f| f.severity),
            flags,
            results: receipt.results,
            overdue: unfinished && self.contacted_at.is_none() && self.due_at <= now,
            visit_late: unfinished && self.next_visit_on.as_deref().is_some_and(|d| d < today),
            state,
            opened_at: self.opened_at,
            level: self.level,
            due_at: self.due_at,
            first_contact_at: self.contacted_at,
            next_visit_on: self.next_visit_on,
        })
    }
}

/// What is due.
#[derive(Clone, Debug)]
pub enum Due {
    /// First contact due later today (not yet late), or a visit planned today (UTC).
    Today,
    /// First contact overdue, or a planned visit's day passed.
    Overdue,
}

/// The queue's filters; all optional and combined with AND.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// Also closed and lifted warnings.
    pub include_finished: bool,
    /// One level id.
    pub level: Option<String>,
    /// One state.
    pub state: Option<CaseState>,
    /// One campaign code.
    pub campaign: Option<String>,
    /// One cohort value (`attribute`, `value`).
    pub cohort: Option<(String, String)>,
    /// Due today or overdue.
    pub due: Option<Due>,
    /// One respondent code.
    pub code: Option<String>,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// One more change of a warning, stored with its history and audit entry.
pub enum Change<'a> {
    /// A state change.
    State(&'a NewCaseEvent),
    /// A re-check: the new level, the new due time and the reason; `notify` when it
    /// raises the warning to the most urgent level (`Some(email)`: also by e-mail).
    Level { level: &'a WarningLevel, due_at: i64, reason: &'a str, notify: Option<bool> },
    /// An interview record (first contact).
    Interview(&'a CheckedInterview),
    /// A referral.
    Referral { destination: i64, referred_on: &'a str, note: &'a str },
    /// What came back of a referral (each once).
    ReferralUpdate { referral: i64, confirmed_on: Option<&'a str>, outcome: Option<&'a str> },
    /// A visit, and the next one planned.
    Visit { visited_on: &'a str, note: &'a str, next_visit_on: Option<&'a str> },
    /// The next visit planned (or cancelled).
    NextVisit(Option<&'a str>),
}

impl Store {
    /// The organization's queue, overdue first, then by level, then oldest first,
    /// with the counts of the whole organization.
    ///
    /// # Errors
    /// On database failure or a row that does not convert.
    pub async fn case_queue(
        &self,
        organization: i64,
        filter: &QueueFilter,
        now: i64,
        today: &str,
    ) -> Result<CaseQueue, DbError> {
        let day_end = day_end(now);
        let mut binds = vec![Bind::Int(organization), Bind::Int(now), Bind::Text(today.to_owned())];
        let mut sql = format!("{CASE_SELECT} WHERE k.organization_id = $1");
        let push = |binds: &mut Vec<Bind>, value: Bind| {
            binds.push(value);
            format!("${}", binds.len())
        };
        if !filter.include_finished && filter.state.is_none_or(|s| !s.is_finished()) {
            sql += &format!(" AND {UNFINISHED}");
        }
        if let Some(level) = &filter.level {
            sql += &format!(" AND k.level = {}", push(&mut binds, Bind::Text(level.clone())));
        }
        if let Some(state) = filter.state {
            sql += &format!(" AND k.state = {}", push(&mut binds, Bind::Text(state.as_str().to_owned())));
        }
        if let Some(campaign) = &filter.campaign {
            sql += &format!(" AND c.code = {}", push(&mut binds, Bind::Text(campaign.clone())));
        }
        if let Some((attribute, value)) = &filter.cohort {
            let a = push(&mut binds, Bind::Text(attribute.clone()));
            let v = push(&mut binds, Bind::Text(value.clone()));
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM submission_cohort sc WHERE sc.submission_id = k.submission_id
                    AND sc.attribute = {a} AND sc.value = {v})"
            );
        }
        if let Some(code) = &filter.code {
            let code = push(&mut binds, Bind::Text(code.clone()));
            sql += &format!(" AND (s.respondent_code = {code} OR s.panel_code = {code})");
        }
        match filter.due {
            Some(Due::Overdue) => sql += &format!(" AND {UNFINISHED} AND {}", late_sql("$2", "$3")),
            Some(Due::Today) => {
                // Still to do today: first contact not yet late, or a visit planned today.
                let end = push(&mut binds, Bind::Int(day_end));
                sql += &format!(
                    " AND {UNFINISHED} AND ((k.contacted_at IS NULL AND k.due_at > $2 AND k.due_at < {end})
                        OR k.next_visit_on = $3)"
                );
            }
            None => {}
        }
        sql +=
            &format!(" ORDER BY CASE WHEN {} THEN 0 ELSE 1 END, k.level_rank, k.opened_at, k.id", late_sql("$2", "$3"));
        let mut query = sqlx::query_as::<_, CaseRow>(&sql);
        for bind in binds {
            query = match bind {
                Bind::Int(i) => query.bind(i),
                Bind::Text(t) => query.bind(t),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let cases = rows.into_iter().map(|r| r.summary(now, today)).collect::<Result<Vec<_>, _>>()?;
        let counts: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT k.level, COUNT(*) FROM cases k WHERE k.organization_id = $1 AND {UNFINISHED}
             GROUP BY k.level, k.level_rank ORDER BY k.level_rank, k.level"
        ))
        .bind(organization)
        .fetch_all(&self.pool)
        .await?;
        let (overdue, due_today): (i64, i64) = sqlx::query_as(&format!(
            "SELECT COALESCE(SUM(CASE WHEN {late} THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN (k.contacted_at IS NULL AND k.due_at > $2 AND k.due_at < $4)
                        OR k.next_visit_on = $3 THEN 1 ELSE 0 END), 0)
             FROM cases k WHERE k.organization_id = $1 AND {UNFINISHED}",
            late = late_sql("$2", "$3")
        ))
        .bind(organization)
        .bind(now)
        .bind(today)
        .bind(day_end)
        .fetch_one(&self.pool)
        .await?;
        Ok(CaseQueue {
            counts: counts.into_iter().map(|(level, count)| LevelCount { level, count }).collect(),
            overdue,
            due_today,
            cases,
        })
    }

    /// One case with its history.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id; a row that does not convert.
    pub async fn case(&self, id: i64, now: i64, today: &str) -> Result<CaseDetail, DbError> {
        let row: CaseRow = sqlx::query_as(&format!("{CASE_SELECT} WHERE k.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| DbError::NotFound(format!("case {id}")))?;
        let events: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT e.at, u.email, e.from_state, e.to_state, e.note, e.outcome
             FROM case_events e JOIN users u ON u.id = e.user_id WHERE e.case_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let events = events
            .into_iter()
            .map(|(at, by, from, to, note, outcome)| {
                Ok(CaseEvent { at, by, from: state(&from)?, to: state(&to)?, note, outcome })
            })
            .collect::<Result<_, DbError>>()?;
        let levels: Vec<LevelRow> = sqlx::query_as(
            "SELECT l.at, u.email, l.from_level, l.to_level, l.reason, l.due_at
             FROM case_levels l LEFT JOIN users u ON u.id = l.user_id WHERE l.case_id = $1 ORDER BY l.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let interviews: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT i.id, i.at, u.email, i.answers FROM interviews i JOIN users u ON u.id = i.user_id
             WHERE i.case_id = $1 ORDER BY i.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let referrals: Vec<ReferralRow> = sqlx::query_as(
            "SELECT r.id, r.at, u.email, r.destination_id, d.name, r.referred_on, r.note, r.confirmed_on, r.outcome
             FROM referrals r JOIN users u ON u.id = r.user_id JOIN referral_destinations d ON d.id = r.destination_id
             WHERE r.case_id = $1 ORDER BY r.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let visits: Vec<(i64, i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT v.id, v.at, u.email, v.visited_on, v.note, v.next_visit_on FROM visits v
             JOIN users u ON u.id = v.user_id WHERE v.case_id = $1 ORDER BY v.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(CaseDetail {
            case: row.summary(now, today)?,
            notifications: self.case_notifications(id).await?,
            events,
            level_changes: levels
                .into_iter()
                .map(|(at, by, from, to, reason, due_at)| LevelChange { at, by, from, to, reason, due_at })
                .collect(),
            interviews: interviews
                .into_iter()
                .map(|(id, at, by, answers)| Ok(Interview { id, at, by, values: from_json("interview", &answers)? }))
                .collect::<Result<_, DbError>>()?,
            referrals: referrals.into_iter().map(Referral::from).collect(),
            visits: visits
                .into_iter()
                .map(|(id, at, by, visited_on, note, next_visit_on)| Visit {
                    id,
                    at,
                    by,
                    visited_on,
                    note,
                    next_visit_on,
                })
                .collect(),
        })
    }

    /// Stores one change of a warning with its history row and audit entry, in one
    /// transaction, if the warning is still in the state and level it was read in;
    /// else [`Changed::Stale`] and nothing is stored.
    ///
    /// # Errors
    /// On database failure.
    pub async fn change_case(
        &self,
        case: &CaseSummary,
        user: i64,
        change: Change<'_>,
        now: i64,
    ) -> Result<Changed, DbError> {
        let mut tx = self.pool.begin().await?;
        // The new state (if any) and whether it is first contact.
        let to = match &change {
            Change::State(event) => Some(event.to),
            Change::Interview(_) if matches!(case.state, CaseState::Open | CaseState::Acknowledged) => {
                Some(CaseState::Contacted)
            }
            Change::Referral { .. } if case.state != CaseState::Referred => Some(CaseState::Referred),
            _ => None,
        };
        let contact = matches!(change, Change::Interview(_)) || to == Some(CaseState::Contacted);
        let finished = to.is_some_and(CaseState::is_finished);
        let updated = sqlx::query(
            "UPDATE cases SET state = $1,
                 acknowledged_at = CASE WHEN $1 = 'open' THEN acknowledged_at ELSE COALESCE(acknowledged_at, $2) END,
                 contacted_at = CASE WHEN $3 = 1 THEN COALESCE(contacted_at, $2) ELSE contacted_at END,
                 finished_at = CASE WHEN $4 = 1 THEN $2 ELSE finished_at END
             WHERE id = $5 AND state = $6 AND level = $7",
        )
        .bind(to.unwrap_or(case.state).as_str())
        .bind(now)
        .bind(i64::from(contact))
        .bind(i64::from(finished))
        .bind(case.id)
        .bind(case.state.as_str())
        .bind(&case.level)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(Changed::Stale);
        }
        if let Some(to) = to {
            let (note, outcome) = match &change {
                Change::State(event) => (event.note.trim(), event.outcome.as_deref().map(str::trim)),
                _ => ("", None),
            };
            sqlx::query(
                "INSERT INTO case_events (case_id, at, user_id, from_state, to_state, note, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(case.id)
            .bind(now)
            .bind(user)
            .bind(case.state.as_str())
            .bind(to.as_str())
            .bind(note)
            .bind(outcome)
            .execute(&mut *tx)
            .await?;
        }
        let action = match change {
            Change::State(event) => format!("{} → {}", case.state.as_str(), event.to.as_str()),
            Change::Level { level, due_at, reason, notify } => {
                if let Some(email) = notify {
                    let kind = super::NotificationKind::Raised;
                    let org = case.organization_id;
                    super::notifications::enqueue_in(&mut tx, org, case.id, &level.id, kind, email, now * 1000).await?;
                }
                sqlx::query("UPDATE cases SET level = $1, level_rank = $2, due_at = $3 WHERE id = $4")
                    .bind(&level.id)
                    .bind(i64::from(level.rank))
                    .bind(due_at)
                    .bind(case.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO case_levels (case_id, at, user_id, from_level, to_level, reason, due_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(case.id)
                .bind(now)
                .bind(user)
                .bind(&case.level)
                .bind(&level.id)
                .bind(reason)
                .bind(due_at)
                .execute(&mut *tx)
                .await?;
                format!("level {} → {}", case.level, level.id)
            }
            Change::Interview(interview) => {
                sqlx::query("INSERT INTO interviews (case_id, at, user_id, answers) VALUES ($1, $2, $3, $4)")
                    .bind(case.id)
                    .bind(now)
                    .bind(user)
                    .bind(to_json(&interview.values))
                    .execute(&mut *tx)
                    .await?;
                if let Some(next) = &interview.next_visit_on {
                    set_next_visit(&mut tx, case.id, Some(next)).await?;
                }
                "interview".to_owned()
            }
            Change::Referral { destination, referred_on, note } => {
                sqlx::query(
                    "INSERT INTO referrals (case_id, at, user_id, destination_id, referred_on, note)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(case.id)
                .bind(now)
                .bind(user)
                .bind(destination)
                .bind(referred_on)
                .bind(note)
                .execute(&mut *tx)
                .await?;
                format!("referral to destination {destination}")
            }
            Change::ReferralUpdate { referral, confirmed_on, outcome } => {
                // Each field only while unset: a recorded confirmation or outcome stays.
                let updated = sqlx::query(
                    "UPDATE referrals SET confirmed_on = COALESCE(confirmed_on, $1), outcome = COALESCE(outcome, $2)
                     WHERE id = $3 AND case_id = $4 AND ($1 IS NULL OR confirmed_on IS NULL)
                         AND ($2 IS NULL OR outcome IS NULL)",
                )
                .bind(confirmed_on)
                .bind(outcome)
                .bind(referral)
                .bind(case.id)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() != 1 {
                    return Ok(Changed::Stale);
                }
                format!("referral {referral} updated")
            }
            Change::Visit { visited_on, note, next_visit_on } => {
                sqlx::query(
                    "INSERT INTO visits (case_id, at, user_id, visited_on, note, next_visit_on)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(case.id)
                .bind(now)
                .bind(user)
                .bind(visited_on)
                .bind(note)
                .bind(next_visit_on)
                .execute(&mut *tx)
                .await?;
                set_next_visit(&mut tx, case.id, next_visit_on).await?;
                "visit".to_owned()
            }
            Change::NextVisit(on) => {
                set_next_visit(&mut tx, case.id, on).await?;
                format!("next visit {}", on.unwrap_or("none"))
            }
        };
        let subject = format!("case {} {action}", case.id);
        super::audit::record_in(&mut tx, Some(user), Some(case.organization_id), "case_changed", &subject, now).await?;
        tx.commit().await?;
        Ok(Changed::Done)
    }

    /// Follow-up figures of one campaign.
    ///
    /// # Errors
    /// On database failure.
    pub async fn follow_up_figures(&self, campaign_id: i64, now: i64) -> Result<FollowUpFigures, DbError> {
        let rows: Vec<FigureRow> = sqlx::query_as(
            "SELECT state, opened_at, acknowledged_at, contacted_at, due_at FROM cases WHERE campaign_id = $1",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(figures(&rows, now))
    }
}

/// One warning as the service indicators count it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceCase {
    /// Its current level id.
    pub level: String,
    /// Its state.
    pub state: CaseState,
    /// When it opened.
    pub opened_at: i64,
    /// When first contact is (or was) due.
    pub due_at: i64,
    /// First contact, if made.
    pub contacted_at: Option<i64>,
    /// When it was closed or lifted.
    pub finished_at: Option<i64>,
    /// Referrals made.
    pub referrals: u64,
    /// Of those, confirmed by the destination.
    pub referrals_confirmed: u64,
}

/// (level, state, opened, due, contacted, finished, referrals, confirmed).
type ServiceRow = (String, String, i64, i64, Option<i64>, Option<i64>, i64, i64);

impl Store {
    /// How many a campaign screened and its warnings, for the service indicators.
    ///
    /// # Errors
    /// On database failure, or a stored state that is unknown.
    pub async fn service_facts(&self, campaign_id: i64) -> Result<(u64, Vec<ServiceCase>), DbError> {
        let (screened,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM submissions WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<ServiceRow> = sqlx::query_as(
            "SELECT k.level, k.state, k.opened_at, k.due_at, k.contacted_at, k.finished_at,
                 (SELECT COUNT(*) FROM referrals r WHERE r.case_id = k.id),
                 (SELECT COUNT(*) FROM referrals r WHERE r.case_id = k.id AND r.confirmed_on IS NOT NULL)
             FROM cases k WHERE k.campaign_id = $1 ORDER BY k.id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        let count = |n: i64, what: &str| {
            u64::try_from(n).map_err(|_| DbError::Other(anyhow::anyhow!("negative {what} count {n}")))
        };
        let cases = rows
            .into_iter()
            .map(|(level, text, opened_at, due_at, contacted_at, finished_at, referrals, confirmed)| {
                Ok(ServiceCase {
                    level,
                    state: state(&text)?,
                    opened_at,
                    due_at,
                    contacted_at,
                    finished_at,
                    referrals: count(referrals, "referral")?,
                    referrals_confirmed: count(confirmed, "confirmed referral")?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok((count(screened, "submission")?, cases))
    }
}

/// (state, opened, acknowledged, contacted, first contact due).
type FigureRow = (String, i64, Option<i64>, Option<i64>, i64);

/// The figures of a campaign's cases.
fn figures(rows: &[FigureRow], now: i64) -> FollowUpFigures {
    const DAY: i64 = 24 * 3600;
    let raised = rows.len() as i64;
    let within = rows.iter().filter(|(_, opened, ack, ..)| ack.is_some_and(|a| a - opened <= DAY)).count() as i64;
    let hours: Vec<f64> = rows
        .iter()
        .filter_map(|(_, opened, _, contacted, _)| contacted.map(|c| (c - opened) as f64 / 3600.0))
        .collect();
    let median = crate::report::stats::median(hours);
    let unfinished = |s: &str| !matches!(s, "closed" | "lifted");
    FollowUpFigures {
        flags_raised: raised,
        acknowledged_within_24h: within,
        acknowledged_within_24h_share: (raised > 0).then(|| within as f64 / raised as f64),
        median_hours_to_contact: median,
        open_cases: rows.iter().filter(|(s, ..)| unfinished(s)).count() as i64,
        overdue_cases: rows
            .iter()
            .filter(|(s, _, _, contacted, due)| unfinished(s) && contacted.is_none() && *due <= now)
            .count() as i64,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_count_acknowledgement_within_a_day_and_the_median_time_to_contact() {
        let h = 3600;
        let rows = vec![
            ("closed".to_owned(), 0, Some(2 * h), Some(3 * h), h),
            ("contacted".to_owned(), 0, Some(30 * h), Some(31 * h), h),
            ("acknowledged".to_owned(), 10 * h, Some(11 * h), None, 34 * h),
            ("open".to_owned(), 20 * h, None, None, 92 * h),
            ("lifted".to_owned(), 30 * h, None, None, 31 * h),
            ("open".to_owned(), 100 * h, None, None, 101 * h),
        ];
        let f = super::figures(&rows, 50 * h);
        assert_eq!(f.flags_raised, 6);
        assert_eq!(f.acknowledged_within_24h, 2);
        assert_eq!(f.acknowledged_within_24h_share, Some(2.0 / 6.0));
        assert_eq!(f.median_hours_to_contact, Some(17.0));
        assert_eq!(f.open_cases, 4, "closed and lifted are finished");
        assert_eq!(f.overdue_cases, 1, "acknowledged but not contacted past its due time");
        assert_eq!(super::figures(&[], 0).acknowledged_within_24h_share, None);
    }
}
