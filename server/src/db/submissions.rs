//! Submission rows: written in one transaction, acknowledged only after commit.

use instruments::definition::Severity;
use instruments::wire::{Anonymity, SubmissionReceipt, SubmissionRequest};
use instruments::Score;

use super::{from_json, to_json, DbError, Store};
use crate::campaign::Campaign;
use crate::followup::NewWarning;

/// A submission as first stored: what an idempotent retry gets back.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Digest of the request that created it.
    pub digest: String,
    /// The answer given then.
    pub receipt: SubmissionReceipt,
}

/// What `insert_submission` did.
#[derive(Debug)]
pub enum Inserted {
    /// Committed.
    New(SubmissionReceipt),
    /// Another request with the same idempotency key committed first.
    KeyTaken,
    /// The access code is unknown to the campaign or was used by another submission.
    CodeUnusable,
    /// The panel code has already answered this campaign.
    AlreadyAnswered,
}

/// Why one insertion attempt failed.
enum Attempt {
    Sql(sqlx::Error),
    CodeUnusable,
}

impl From<sqlx::Error> for Attempt {
    fn from(err: sqlx::Error) -> Self {
        Self::Sql(err)
    }
}

/// The answers in the instrument's item order as a CSV fragment (`0,1,,3`), for the
/// raw-data export.
pub fn answer_values(campaign: &Campaign, instrument: &str, answers: &instruments::Answers) -> String {
    let Some(definition) = campaign.instruments.iter().find(|d| d.id == instrument) else { return String::new() };
    definition
        .items
        .iter()
        .map(|item| answers.get(&item.id).map(i64::to_string).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(",")
}

/// Position of a severity in the queue: critical first.
pub fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Info => 2,
    }
}

/// One instrument's stored answers and score, for export.
#[derive(Clone, Debug)]
pub struct StoredResult {
    /// The answers as stored.
    pub answers: instruments::Answers,
    /// The server's score, as acknowledged.
    pub score: Score,
}

#[derive(sqlx::FromRow)]
struct ExportRow {
    submitted_on: String,
    receipt: String,
    answers: String,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    request_digest: String,
    receipt: String,
}

impl Store {
    /// The submission stored under `key`, if any.
    ///
    /// # Errors
    /// On database failure.
    pub async fn submission_by_key(&self, key: &str) -> Result<Option<Stored>, DbError> {
        let row: Option<StoredRow> =
            sqlx::query_as("SELECT request_digest, receipt FROM submissions WHERE idempotency_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok(Stored { digest: r.request_digest, receipt: from_json("receipt", &r.receipt)? })).transpose()
    }

    /// The day and per-instrument results of the submission with this respondent code.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown code.
    pub async fn results_by_respondent(&self, code: &str) -> Result<(String, Vec<StoredResult>), DbError> {
        let rows: Vec<ExportRow> = sqlx::query_as(
            "SELECT s.submitted_on, s.receipt, r.answers FROM submissions s
             JOIN results r ON r.submission_id = s.id WHERE s.respondent_code = $1 ORDER BY r.position",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        let first = rows.first().ok_or_else(|| DbError::NotFound(format!("respondent code {code}")))?;
        let receipt: SubmissionReceipt = from_json("receipt", &first.receipt)?;
        let day = first.submitted_on.clone();
        let results = rows
            .iter()
            .zip(receipt.results)
            .map(|(row, score)| Ok(StoredResult { answers: from_json("answers", &row.answers)?, score }))
            .collect::<Result<_, DbError>>()?;
        Ok((day, results))
    }

    /// Stores a checked submission with its server-computed scores in one
    /// transaction: under a fresh respondent code (or, in a coded campaign, the access
    /// code, which is used up; a panel campaign's submission also records the book
    /// code, once per campaign), with a follow-up case when a flag was raised.
    ///
    /// # Errors
    /// On database failure; nothing is stored then.
    pub async fn insert_submission(
        &self,
        campaign: &Campaign,
        request: &SubmissionRequest,
        scores: &[Score],
        warning: Option<&NewWarning>,
        digest: &str,
        now: i64,
    ) -> Result<Inserted, DbError> {
        // A collision of two random 40-bit codes is rare; retry a few times on one.
        for _ in 0..5 {
            // Stored: unique over all submissions. Shown: what the respondent knows —
            // in a panel campaign their book code, which links their submissions.
            let stored_code = match (&request.access_code, campaign.anonymity) {
                (Some(code), Anonymity::Coded) => code.clone(),
                _ => crate::respondent_code::generate(),
            };
            let respondent_code = match (&request.access_code, campaign.anonymity) {
                (Some(code), Anonymity::Panel) => code.clone(),
                _ => stored_code.clone(),
            };
            let receipt = SubmissionReceipt { respondent_code, results: scores.to_vec() };
            let attempt = self.try_insert(campaign, request, (&stored_code, &receipt), warning, digest, now).await;
            let key_taken = match attempt {
                Ok(()) => return Ok(Inserted::New(receipt)),
                Err(Attempt::Sql(sqlx::Error::Database(err))) if err.is_unique_violation() => true,
                Err(Attempt::CodeUnusable) => false,
                Err(Attempt::Sql(err)) => return Err(err.into()),
            };
            // The same submission may have been committed by a concurrent retry.
            if self.submission_by_key(&request.idempotency_key).await?.is_some() {
                return Ok(Inserted::KeyTaken);
            }
            // A panel code answers a campaign once (a unique index decides races).
            if let (Anonymity::Panel, Some(code)) = (campaign.anonymity, &request.access_code) {
                if self.panel_code_answered(campaign.id, code).await? {
                    return Ok(Inserted::AlreadyAnswered);
                }
            }
            if !key_taken || campaign.anonymity == Anonymity::Coded {
                return Ok(Inserted::CodeUnusable);
            }
        }
        Err(DbError::Other(anyhow::anyhow!("no free respondent code after 5 attempts")))
    }

    async fn try_insert(
        &self,
        campaign: &Campaign,
        request: &SubmissionRequest,
        (stored_code, receipt): (&str, &SubmissionReceipt),
        warning: Option<&NewWarning>,
        digest: &str,
        now: i64,
    ) -> Result<(), Attempt> {
        let day = crate::day::day_of(now);
        let panel_code = request.access_code.as_deref().filter(|_| campaign.anonymity == Anonymity::Panel);
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submissions (campaign_id, respondent_code, idempotency_key, request_digest, receipt, submitted_on,
                 consent_health, consent_guardian, panel_code)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(campaign.id)
        .bind(stored_code)
        .bind(&request.idempotency_key)
        .bind(digest)
        .bind(to_json(receipt))
        .bind(&day)
        .bind(i64::from(request.consent.health))
        .bind(request.consent.guardian.map(i64::from))
        .bind(panel_code)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(code) = panel_code {
            let usable: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM panel_codes WHERE code = $1 AND organization_id = $2 AND retired_at IS NULL",
            )
            .bind(code)
            .bind(campaign.organization_id)
            .fetch_optional(&mut *tx)
            .await?;
            if usable.is_none() {
                return Err(Attempt::CodeUnusable);
            }
        }
        if let (Anonymity::Coded, Some(code)) = (campaign.anonymity, &request.access_code) {
            let used = sqlx::query(
                "UPDATE access_codes SET submission_id = $1 WHERE code = $2 AND campaign_id = $3 AND submission_id IS NULL",
            )
            .bind(id)
            .bind(code)
            .bind(campaign.id)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() != 1 {
                return Err(Attempt::CodeUnusable);
            }
        }
        for (attribute, value) in &request.cohort {
            sqlx::query("INSERT INTO submission_cohort (submission_id, attribute, value) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(attribute)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        for (position, (result, score)) in request.results.iter().zip(&receipt.results).enumerate() {
            sqlx::query(
                "INSERT INTO results (submission_id, position, instrument, version, engine, answers, total, band, flags, subscales,
                 answer_values)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(&score.instrument)
            .bind(&score.version)
            .bind(&score.engine)
            .bind(to_json(&result.answers))
            .bind(score.total)
            .bind(&score.band)
            .bind(to_json(&score.flags))
            .bind(to_json(&score.subscales))
            .bind(answer_values(campaign, &result.instrument, &result.answers))
            .execute(&mut *tx)
            .await?;
        }
        super::aggregates::add(&mut tx, campaign, &request.cohort, &request.results, &receipt.results).await?;
        if let Some(warning) = warning {
            let worst = warning.flags.first().map_or(Severity::Info, |f| f.severity);
            let case_id: i64 = sqlx::query_scalar(
                "INSERT INTO cases (organization_id, campaign_id, submission_id, severity_rank, flags, cohort, state, opened_at,
                     level, level_rank, due_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10) RETURNING id",
            )
            .bind(campaign.organization_id)
            .bind(campaign.id)
            .bind(id)
            .bind(severity_rank(worst))
            .bind(to_json(&warning.flags))
            .bind(to_json(&request.cohort))
            .bind(now)
            .bind(&warning.level)
            .bind(warning.rank)
            .bind(warning.due_at)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO case_levels (case_id, at, user_id, from_level, to_level, reason, due_at)
                 VALUES ($1, $2, NULL, NULL, $3, '', $4)",
            )
            .bind(case_id)
            .bind(now)
            .bind(&warning.level)
            .bind(warning.due_at)
            .execute(&mut *tx)
            .await?;
            if warning.urgent {
                let kind = super::NotificationKind::Opened;
                let (org, email) = (campaign.organization_id, warning.email);
                super::notifications::enqueue_in(&mut tx, org, case_id, &warning.level, kind, email, now * 1000)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Hex SHA-256 of the campaign code and the request as parsed (maps are ordered, so
/// the same request always gives the same digest).
pub fn digest(campaign: &str, request: &SubmissionRequest) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(campaign.as_bytes());
    hasher.update([0]);
    hasher.update(to_json(request).as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
