//! An organization's code book (persistent pseudonymous codes), one code's results
//! across campaigns, and deleting everything stored under a code.

use instruments::wire::staff::{PanelCode, PersonTimeline, TimelineWave};
use instruments::wire::SubmissionReceipt;

use super::{from_json, DbError, Store};

/// Most codes one request may generate.
pub const MAX_PANEL_BATCH: u32 = 5000;

/// What deleting a code removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Submissions (with their results and cohort values).
    pub submissions: u64,
    /// Warnings (with their history).
    pub warnings: u64,
}

/// The rows of a case's history, children first, each keyed by `case_id`.
const CASE_CHILDREN: [&str; 5] = ["case_events", "case_levels", "interviews", "referrals", "visits"];

impl Store {
    /// Generates `count` new book codes for an organization, in one transaction.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generate_panel_codes(&self, organization: i64, count: u32, now: i64) -> Result<Vec<String>, DbError> {
        let sql =
            "INSERT INTO panel_codes (code, organization_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        self.fresh_codes(sql, organization, count, now).await
    }

    /// The organization's code book, oldest first, with how many submissions each
    /// code has made.
    ///
    /// # Errors
    /// On database failure.
    pub async fn panel_codes(&self, organization: i64) -> Result<Vec<PanelCode>, DbError> {
        let rows: Vec<(String, i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT p.code, p.created_at, p.retired_at,
                 (SELECT COUNT(*) FROM submissions s JOIN campaigns c ON c.id = s.campaign_id
                  WHERE s.panel_code = p.code AND c.organization_id = p.organization_id)
             FROM panel_codes p WHERE p.organization_id = $1 ORDER BY p.created_at, p.code",
        )
        .bind(organization)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, created_at, retired_at, submissions)| PanelCode { code, created_at, retired_at, submissions })
            .collect())
    }

    /// Retires a code of the organization's book: it takes no new submission.
    /// Retiring twice keeps the first time.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the book has no such code.
    pub async fn retire_panel_code(&self, organization: i64, code: &str, now: i64) -> Result<PanelCode, DbError> {
        sqlx::query(
            "UPDATE panel_codes SET retired_at = COALESCE(retired_at, $1) WHERE code = $2 AND organization_id = $3",
        )
        .bind(now)
        .bind(code)
        .bind(organization)
        .execute(&self.pool)
        .await?;
        self.panel_codes(organization)
            .await?
            .into_iter()
            .find(|p| p.code == code)
            .ok_or_else(|| DbError::NotFound(format!("panel code {code}")))
    }

    /// Whether a book code of the campaign's organization may answer the campaign: in
    /// the book, not retired, not yet used for this campaign.
    ///
    /// # Errors
    /// On database failure.
    pub async fn panel_code_usable(&self, organization: i64, campaign_id: i64, code: &str) -> Result<bool, DbError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM panel_codes p WHERE p.code = $1 AND p.organization_id = $2 AND p.retired_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.campaign_id = $3 AND s.panel_code = p.code)",
        )
        .bind(code)
        .bind(organization)
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Whether the campaign already holds a submission of this book code.
    ///
    /// # Errors
    /// On database failure.
    pub async fn panel_code_answered(&self, campaign_id: i64, code: &str) -> Result<bool, DbError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM submissions WHERE campaign_id = $1 AND panel_code = $2")
                .bind(campaign_id)
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// One code's results, campaign by campaign, oldest first, each with its warning.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the organization's book has no such code.
    pub async fn person_timeline(&self, organization: i64, code: &str, now: i64) -> Result<PersonTimeline, DbError> {
        let retired_at: Option<Option<i64>> =
            sqlx::query_scalar("SELECT retired_at FROM panel_codes WHERE code = $1 AND organization_id = $2")
                .bind(code)
                .bind(organization)
                .fetch_optional(&self.pool)
                .await?;
        let retired_at = retired_at.ok_or_else(|| DbError::NotFound(format!("panel code {code}")))?;
        let rows: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT c.code, c.name, s.submitted_on, s.receipt, k.id FROM submissions s
                 JOIN campaigns c ON c.id = s.campaign_id LEFT JOIN cases k ON k.submission_id = s.id
             WHERE s.panel_code = $1 AND c.organization_id = $2 ORDER BY s.submitted_on, s.id",
        )
        .bind(code)
        .bind(organization)
        .fetch_all(&self.pool)
        .await?;
        let today = crate::day::day_of(now);
        let mut waves = Vec::with_capacity(rows.len());
        for (campaign, name, submitted_on, receipt, case) in rows {
            let receipt: SubmissionReceipt = from_json("receipt", &receipt)?;
            let warning = match case {
                Some(id) => Some(self.case(id, now, &today).await?),
                None => None,
            };
            waves.push(TimelineWave {
                campaign,
                campaign_name: from_json("campaign name", &name)?,
                submitted_on,
                results: receipt.results,
                warning,
            });
        }
        Ok(PersonTimeline { code: code.to_owned(), retired_at, waves })
    }

    /// Deletes everything stored under a book code of the organization — its
    /// submissions, results, cohort values, warnings with their history and
    /// notifications, and the code itself — takes the submissions out of the report
    /// aggregates, and writes the audit entry, all in one transaction.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the organization's book has no such code.
    pub async fn delete_person(
        &self,
        organization: i64,
        code: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<Deleted, DbError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM panel_codes WHERE code = $1 AND organization_id = $2")
            .bind(code)
            .bind(organization)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() != 1 {
            return Err(DbError::NotFound(format!("panel code {code}")));
        }
        let submissions: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT s.id, s.receipt, c.code FROM submissions s JOIN campaigns c ON c.id = s.campaign_id
             WHERE s.panel_code = $1 AND c.organization_id = $2 ORDER BY s.id",
        )
        .bind(code)
        .bind(organization)
        .fetch_all(&mut *tx)
        .await?;
        let mut deleted = Deleted::default();
        for (id, receipt, campaign) in submissions {
            let campaign = self.campaign_by_code(&campaign).await?;
            let contributions = super::aggregates::stored_contributions(&mut tx, &campaign, id, &receipt).await?;
            super::aggregates::subtract(&mut tx, campaign.id, contributions).await?;
            let case: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE submission_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(case) = case {
                sqlx::query(
                    "DELETE FROM notification_attempts WHERE notification_id IN
                         (SELECT id FROM notifications WHERE case_id = $1)",
                )
                .bind(case)
                .execute(&mut *tx)
                .await?;
                for table in CASE_CHILDREN.iter().chain(&["notifications"]) {
                    sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1"))
                        .bind(case)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("DELETE FROM cases WHERE id = $1").bind(case).execute(&mut *tx).await?;
                deleted.warnings += 1;
            }
            for table in ["results", "submission_cohort"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE submission_id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM submissions WHERE id = $1").bind(id).execute(&mut *tx).await?;
            deleted.submissions += 1;
        }
        let subject =
            format!("panel code {code}: {} submissions, {} warnings deleted", deleted.submissions, deleted.warnings);
        super::audit::record_in(&mut tx, user, Some(organization), "respondent_deleted", &subject, now).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
