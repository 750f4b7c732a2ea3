//! Follow-up cases: raised with the flagged submission (in its transaction, see
//! `submissions.rs`), moved along by counselors, never deleted.

use instruments::wire::staff::{
    Anonymity, CaseDetail, CaseEvent, CaseState, CaseSummary, FollowUpFigures, NewCaseEvent, RaisedFlag,
};
use instruments::wire::SubmissionReceipt;

use super::{from_json, DbError, Store};

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
}

const CASE_SELECT: &str = "SELECT k.id, k.organization_id, c.code, c.name, c.anonymity, s.respondent_code, s.receipt,
        k.cohort, k.flags, k.state, k.opened_at
    FROM cases k JOIN campaigns c ON c.id = k.campaign_id JOIN submissions s ON s.id = k.submission_id";

fn state(text: &str) -> Result<CaseState, DbError> {
    Ok(match text {
        "open" => CaseState::Open,
        "acknowledged" => CaseState::Acknowledged,
        "contacted" => CaseState::Contacted,
        "referred" => CaseState::Referred,
        "closed" => CaseState::Closed,
        other => return Err(DbError::Other(anyhow::anyhow!("stored case state `{other}` is unknown"))),
    })
}

impl CaseRow {
    fn summary(self, overdue_before: i64) -> Result<CaseSummary, DbError> {
        let flags: Vec<RaisedFlag> = from_json("case flags", &self.flags)?;
        let receipt: SubmissionReceipt = from_json("receipt", &self.receipt)?;
        let state = state(&self.state)?;
        Ok(CaseSummary {
            id: self.id,
            organization_id: self.organization_id,
            campaign: self.code,
            campaign_name: from_json("campaign name", &self.name)?,
            anonymity: if self.anonymity == "coded" { Anonymity::Coded } else { Anonymity::Anonymous },
            respondent_code: self.respondent_code,
            cohort: from_json("case cohort", &self.cohort)?,
            severity: flags.first().map_or(instruments::definition::Severity::Info, |f| f.severity),
            flags,
            results: receipt.results,
            overdue: state == CaseState::Open && self.opened_at <= overdue_before,
            state,
            opened_at: self.opened_at,
        })
    }
}

impl Store {
    /// The organization's queue: unfinished cases (or all with `include_finished`),
    /// overdue first, then by severity, then oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn case_queue(
        &self,
        organization: i64,
        include_finished: bool,
        overdue_before: i64,
    ) -> Result<Vec<CaseSummary>, DbError> {
        let finished = if include_finished { "" } else { "AND k.state NOT IN ('referred', 'closed')" };
        let rows: Vec<CaseRow> = sqlx::query_as(&format!(
            "{CASE_SELECT} WHERE k.organization_id = $1 {finished}
             ORDER BY CASE WHEN k.state = 'open' AND k.opened_at <= $2 THEN 0 ELSE 1 END,
                      k.severity_rank, k.opened_at, k.id"
        ))
        .bind(organization)
        .bind(overdue_before)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| r.summary(overdue_before)).collect()
    }

    /// One case with its history.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id.
    pub async fn case(&self, id: i64, overdue_before: i64) -> Result<CaseDetail, DbError> {
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
        Ok(CaseDetail { case: row.summary(overdue_before)?, events })
    }

    /// Moves a case from `from` to `event.to`, with its event and audit entry, in one
    /// transaction; [`Changed::Stale`] if the case is no longer in `from`.
    ///
    /// # Errors
    /// On database failure.
    pub async fn change_case(
        &self,
        case: &CaseSummary,
        user: i64,
        event: &NewCaseEvent,
        now: i64,
    ) -> Result<Changed, DbError> {
        let mut tx = self.pool.begin().await?;
        let finished = matches!(event.to, CaseState::Referred | CaseState::Closed);
        let updated = sqlx::query(
            "UPDATE cases SET state = $1,
                 acknowledged_at = COALESCE(acknowledged_at, $2),
                 contacted_at = CASE WHEN $3 = 1 THEN COALESCE(contacted_at, $2) ELSE contacted_at END,
                 finished_at = CASE WHEN $4 = 1 THEN $2 ELSE finished_at END
             WHERE id = $5 AND state = $6",
        )
        .bind(event.to.as_str())
        .bind(now)
        .bind(i64::from(event.to == CaseState::Contacted))
        .bind(i64::from(finished))
        .bind(case.id)
        .bind(case.state.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(Changed::Stale);
        }
        sqlx::query(
            "INSERT INTO case_events (case_id, at, user_id, from_state, to_state, note, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case.id)
        .bind(now)
        .bind(user)
        .bind(case.state.as_str())
        .bind(event.to.as_str())
        .bind(event.note.trim())
        .bind(event.outcome.as_deref().map(str::trim))
        .execute(&mut *tx)
        .await?;
        let subject = format!("case {} {} → {}", case.id, case.state.as_str(), event.to.as_str());
        super::audit::record_in(&mut tx, Some(user), Some(case.organization_id), "case_changed", &subject, now).await?;
        tx.commit().await?;
        Ok(Changed::Done)
    }

    /// Follow-up figures of one campaign.
    ///
    /// # Errors
    /// On database failure.
    pub async fn follow_up_figures(&self, campaign_id: i64, overdue_before: i64) -> Result<FollowUpFigures, DbError> {
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT state, opened_at, acknowledged_at, contacted_at FROM cases WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(figures(&rows, overdue_before))
    }
}

/// The figures of a campaign's cases: (state, opened, acknowledged, contacted).
fn figures(rows: &[(String, i64, Option<i64>, Option<i64>)], overdue_before: i64) -> FollowUpFigures {
    const DAY: i64 = 24 * 3600;
    let raised = rows.len() as i64;
    let within = rows.iter().filter(|(_, opened, ack, _)| ack.is_some_and(|a| a - opened <= DAY)).count() as i64;
    let mut hours: Vec<f64> =
        rows.iter().filter_map(|(_, opened, _, contacted)| contacted.map(|c| (c - opened) as f64 / 3600.0)).collect();
    hours.sort_by(f64::total_cmp);
    let median = match hours.len() {
        0 => None,
        n if n % 2 == 1 => Some(hours[n / 2]),
        n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
    };
    let unfinished = |s: &str| !matches!(s, "referred" | "closed");
    FollowUpFigures {
        flags_raised: raised,
        acknowledged_within_24h: within,
        acknowledged_within_24h_share: (raised > 0).then(|| within as f64 / raised as f64),
        median_hours_to_contact: median,
        open_cases: rows.iter().filter(|(s, ..)| unfinished(s)).count() as i64,
        overdue_cases: rows.iter().filter(|(s, opened, ..)| s == "open" && *opened <= overdue_before).count() as i64,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_count_acknowledgement_within_a_day_and_the_median_time_to_contact() {
        let h = 3600;
        let rows = vec![
            ("closed".to_owned(), 0, Some(2 * h), Some(3 * h)),
            ("contacted".to_owned(), 0, Some(30 * h), Some(31 * h)),
            ("acknowledged".to_owned(), 10 * h, Some(11 * h), None),
            ("open".to_owned(), 20 * h, None, None),
            ("open".to_owned(), 100 * h, None, None),
        ];
        let f = super::figures(&rows, 50 * h);
        assert_eq!(f.flags_raised, 5);
        assert_eq!(f.acknowledged_within_24h, 2);
        assert_eq!(f.acknowledged_within_24h_share, Some(0.4));
        assert_eq!(f.median_hours_to_contact, Some(17.0));
        assert_eq!(f.open_cases, 4);
        assert_eq!(f.overdue_cases, 1);
        assert_eq!(super::figures(&[], 0).acknowledged_within_24h_share, None);
    }
}
