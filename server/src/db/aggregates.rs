//! Report aggregates: counts and moments per campaign, instrument and full set of
//! cohort values, added to in the transaction of each submission (see `submissions.rs`)
//! so that a report reads a few rows per group instead of every submission.

use std::collections::BTreeMap;

use instruments::definition::Severity;
use instruments::wire::InstrumentAnswers;
use instruments::Score;
use sqlx::{Any, Transaction};

use super::{to_json, DbError, Store};
use crate::campaign::Campaign;

/// One row of `report_cells`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CellRow {
    /// Instrument id.
    pub instrument: String,
    /// Canonical JSON of the cohort values.
    pub cohort_key: String,
    /// Band id; empty when not scorable.
    pub band: String,
    /// Results.
    pub n: i64,
    /// Positive screens.
    pub positive: i64,
    /// Results with a critical flag.
    pub critical: i64,
    /// Results marked careless or invalid.
    pub marked: i64,
    /// Of them, positive screens (prevalence leaves them out by default).
    pub marked_positive: i64,
    /// Sum of totals (scorable results).
    pub total_sum: f64,
    /// Sum of squared totals.
    pub total_sum_sq: f64,
}

/// One row of `report_moments`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MomentRow {
    /// Instrument id.
    pub instrument: String,
    /// Canonical JSON of the cohort values.
    pub cohort_key: String,
    /// `sub:ID`, `item:ID` or `items`.
    pub variable: String,
    /// Values added.
    pub n: i64,
    /// Their sum.
    pub value_sum: f64,
    /// Sum of their squares.
    pub value_sum_sq: f64,
}

/// What one submission adds to the aggregates: a `report_cells` row per instrument and
/// `report_moments` rows per variable, each with n = 1 (or the variable's count).
pub fn contributions(
    campaign: &Campaign,
    cohort: &BTreeMap<String, String>,
    results: &[InstrumentAnswers],
    scores: &[Score],
) -> (Vec<CellRow>, Vec<MomentRow>) {
    let key = to_json(cohort);
    let mut cells = Vec::new();
    let mut moments = Vec::new();
    for (result, score) in results.iter().zip(scores) {
        let Some(definition) = campaign.instruments.iter().find(|d| d.id == score.instrument) else { continue };
        let critical = score
            .flags
            .iter()
            .any(|f| definition.flags.iter().any(|rule| &rule.id == f && rule.severity == Severity::Critical));
        let total = score.total.unwrap_or(0.0);
        let (positive, marked) = (score.positive == Some(true), score.validity.is_marked());
        cells.push(CellRow {
            instrument: score.instrument.clone(),
            cohort_key: key.clone(),
            band: score.band.clone().unwrap_or_default(),
            n: 1,
            positive: i64::from(positive),
            critical: i64::from(critical),
            marked: i64::from(marked),
            marked_positive: i64::from(marked && positive),
            total_sum: total,
            total_sum_sq: total * total,
        });
        let mut moment = |variable: String, value: f64| {
            moments.push(MomentRow {
                instrument: score.instrument.clone(),
                cohort_key: key.clone(),
                variable,
                n: 1,
                value_sum: value,
                value_sum_sq: value * value,
            });
        };
        for (id, sub) in &score.subscales {
            if let Some(v) = sub.total {
                moment(format!("sub:{id}"), v);
            }
        }
        if score.missing.is_empty() {
            let values = instruments::scoring::item_values(definition, &result.answers);
            let items: Vec<(String, f64)> = definition
                .scoring
                .items
                .iter()
                .filter_map(|id| values.get(id).map(|v| (format!("item:{id}"), *v as f64)))
                .collect();
            if items.len() == definition.scoring.items.len() {
                moment("items".to_owned(), items.iter().map(|(_, v)| v).sum());
                for (variable, value) in items {
                    moment(variable, value);
                }
            }
        }
    }
    // A fixed order, so that concurrent transactions on PostgreSQL take row locks in the
    // same order and cannot deadlock.
    cells.sort_by(|a, b| a.instrument.cmp(&b.instrument));
    moments.sort_by(|a, b| (&a.instrument, &a.variable).cmp(&(&b.instrument, &b.variable)));
    (cells, moments)
}

/// Sums contributions in memory (bulk loads and rebuilds), keyed like the tables.
#[derive(Debug, Default)]
pub struct Accumulator {
    cells: BTreeMap<(String, String, String), CellRow>,
    moments: BTreeMap<(String, String, String), MomentRow>,
}

impl Accumulator {
    /// Adds one submission's contributions.
    pub fn add(&mut self, (cells, moments): (Vec<CellRow>, Vec<MomentRow>)) {
        for c in cells {
            let entry =
                self.cells.entry((c.instrument.clone(), c.cohort_key.clone(), c.band.clone())).or_insert(CellRow {
                    n: 0,
                    positive: 0,
                    critical: 0,
                    marked: 0,
                    marked_positive: 0,
                    total_sum: 0.0,
                    total_sum_sq: 0.0,
                    ..c.clone()
                });
            entry.n += c.n;
            entry.positive += c.positive;
            entry.critical += c.critical;
            entry.marked += c.marked;
            entry.marked_positive += c.marked_positive;
            entry.total_sum += c.total_sum;
            entry.total_sum_sq += c.total_sum_sq;
        }
        for m in moments {
            let entry = self
                .moments
                .entry((m.instrument.clone(), m.cohort_key.clone(), m.variable.clone()))
                .or_insert(MomentRow { n: 0, value_sum: 0.0, value_sum_sq: 0.0, ..m.clone() });
            entry.n += m.n;
            entry.value_sum += m.value_sum;
            entry.value_sum_sq += m.value_sum_sq;
        }
    }

    /// The summed rows.
    pub fn rows(self) -> (Vec<CellRow>, Vec<MomentRow>) {
        (self.cells.into_values().collect(), self.moments.into_values().collect())
    }
}

/// Adds rows to a campaign's aggregates (upserting sums), inside a transaction.
///
/// # Errors
/// On database failure.
pub async fn upsert(
    tx: &mut Transaction<'static, Any>,
    campaign_id: i64,
    cells: &[CellRow],
    moments: &[MomentRow],
) -> Result<(), sqlx::Error> {
    for chunk in cells.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO report_cells (campaign_id, instrument, cohort_key, band, n, positive, critical, marked,
                 marked_positive, total_sum, total_sum_sq) VALUES ",
        );
        for i in 0..chunk.len() {
            let p = 2 + i * 10;
            if i > 0 {
                sql.push_str(", ");
            }
            let params: Vec<String> = (p..p + 10).map(|n| format!("${n}")).collect();
            sql.push_str(&format!("($1, {})", params.join(", ")));
        }
        sql.push_str(
            " ON CONFLICT (campaign_id, instrument, cohort_key, band) DO UPDATE SET
                 n = report_cells.n + excluded.n,
                 positive = report_cells.positive + excluded.positive,
                 critical = report_cells.critical + excluded.critical,
                 marked = report_cells.marked + excluded.marked,
                 marked_positive = report_cells.marked_positive + excluded.marked_positive,
                 total_sum = report_cells.total_sum + excluded.total_sum,
                 total_sum_sq = report_cells.total_sum_sq + excluded.total_sum_sq",
        );
        let mut query = sqlx::query(&sql).bind(campaign_id);
        for c in chunk {
            query = query
                .bind(&c.instrument)
                .bind(&c.cohort_key)
                .bind(&c.band)
                .bind(c.n)
                .bind(c.positive)
                .bind(c.critical)
                .bind(c.marked)
                .bind(c.marked_positive)
                .bind(c.total_sum)
                .bind(c.total_sum_sq);
        }
        query.execute(&mut **tx).await?;
    }
    for chunk in moments.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO report_moments (campaign_id, instrument, cohort_key, variable, n, value_sum, value_sum_sq) VALUES ",
        );
        for i in 0..chunk.len() {
            let p = 2 + i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("($1, ${}, ${}, ${}, ${}, ${}, ${})", p, p + 1, p + 2, p + 3, p + 4, p + 5));
        }
        sql.push_str(
            " ON CONFLICT (campaign_id, instrument, cohort_key, variable) DO UPDATE SET
                 n = report_moments.n + excluded.n,
                 value_sum = report_moments.value_sum + excluded.value_sum,
                 value_sum_sq = report_moments.value_sum_sq + excluded.value_sum_sq",
        );
        let mut query = sqlx::query(&sql).bind(campaign_id);
        for m in chunk {
            query = query
                .bind(&m.instrument)
                .bind(&m.cohort_key)
                .bind(&m.variable)
                .bind(m.n)
                .bind(m.value_sum)
                .bind(m.value_sum_sq);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds one submission's scores to the aggregates of its campaign and cohort.
///
/// # Errors
/// On database failure.
pub async fn add(
    tx: &mut Transaction<'static, Any>,
    campaign: &Campaign,
    cohort: &BTreeMap<String, String>,
    results: &[InstrumentAnswers],
    scores: &[Score],
) -> Result<(), sqlx::Error> {
    let (cells, moments) = contributions(campaign, cohort, results, scores);
    upsert(tx, campaign.id, &cells, &moments).await
}

/// What a stored submission added to the aggregates, read back from its cohort
/// values, answers and receipt: to rebuild a campaign's aggregates, or to take a
/// deleted submission out of them.
///
/// # Errors
/// On database failure, or stored JSON that does not parse.
pub async fn stored_contributions(
    tx: &mut Transaction<'static, Any>,
    campaign: &Campaign,
    submission_id: i64,
    receipt: &str,
) -> Result<(Vec<CellRow>, Vec<MomentRow>), DbError> {
    let receipt: instruments::wire::SubmissionReceipt = super::from_json("receipt", receipt)?;
    let cohort: Vec<(String, String)> =
        sqlx::query_as("SELECT attribute, value FROM submission_cohort WHERE submission_id = $1")
            .bind(submission_id)
            .fetch_all(&mut **tx)
            .await?;
    let answers: Vec<(String, String)> =
        sqlx::query_as("SELECT instrument, answers FROM results WHERE submission_id = $1 ORDER BY position")
            .bind(submission_id)
            .fetch_all(&mut **tx)
            .await?;
    let results = answers
        .into_iter()
        .zip(&receipt.results)
        .map(|((instrument, answers), score)| {
            Ok(InstrumentAnswers {
                instrument,
                version: score.version.clone(),
                answers: super::from_json("answers", &answers)?,
                client_score: instruments::wire::ClientScore::of(score),
                timings: Default::default(),
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(contributions(campaign, &cohort.into_iter().collect(), &results, &receipt.results))
}

/// Takes contributions out of a campaign's aggregates (the inverse of [`upsert`]),
/// dropping rows left empty, so that reports after a deletion equal reports computed
/// without the deleted submissions.
///
/// # Errors
/// On database failure.
pub async fn subtract(
    tx: &mut Transaction<'static, Any>,
    campaign_id: i64,
    (mut cells, mut moments): (Vec<CellRow>, Vec<MomentRow>),
) -> Result<(), sqlx::Error> {
    for c in &mut cells {
        (c.n, c.positive, c.critical) = (-c.n, -c.positive, -c.critical);
        (c.marked, c.marked_positive) = (-c.marked, -c.marked_positive);
        (c.total_sum, c.total_sum_sq) = (-c.total_sum, -c.total_sum_sq);
    }
    for m in &mut moments {
        (m.n, m.value_sum, m.value_sum_sq) = (-m.n, -m.value_sum, -m.value_sum_sq);
    }
    upsert(tx, campaign_id, &cells, &moments).await?;
    for table in ["report_cells", "report_moments"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE campaign_id = $1 AND n = 0"))
            .bind(campaign_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredSubmission {
    id: i64,
    receipt: String,
}

impl Store {
    /// The aggregates of a campaign.
    ///
    /// # Errors
    /// On database failure.
    pub async fn report_aggregates(&self, campaign_id: i64) -> Result<(Vec<CellRow>, Vec<MomentRow>), DbError> {
        let cells = sqlx::query_as(
            "SELECT instrument, cohort_key, band, n, positive, critical, marked, marked_positive, total_sum, total_sum_sq
             FROM report_cells WHERE campaign_id = $1 ORDER BY instrument, cohort_key, band",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        let moments = sqlx::query_as(
            "SELECT instrument, cohort_key, variable, n, value_sum, value_sum_sq
             FROM report_moments WHERE campaign_id = $1 ORDER BY instrument, cohort_key, variable",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((cells, moments))
    }

    /// Rebuilds the aggregates of campaigns listed in `report_rebuild` (those stored
    /// before aggregates existed) from their acknowledged results.
    ///
    /// # Errors
    /// On database failure.
    pub async fn rebuild_pending_aggregates(&self) -> Result<(), DbError> {
        let pending: Vec<i64> = sqlx::query_scalar("SELECT campaign_id FROM report_rebuild ORDER BY campaign_id")
            .fetch_all(&self.pool)
            .await?;
        for campaign_id in pending {
            let code: String = sqlx::query_scalar("SELECT code FROM campaigns WHERE id = $1")
                .bind(campaign_id)
                .fetch_one(&self.pool)
                .await?;
            let campaign = self.campaign_by_code(&code).await?;
            let mut tx = self.pool.begin().await?;
            for table in ["report_cells", "report_moments"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE campaign_id = $1"))
                    .bind(campaign_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut accumulator = Accumulator::default();
            let submissions: Vec<StoredSubmission> =
                sqlx::query_as("SELECT id, receipt FROM submissions WHERE campaign_id = $1 ORDER BY id")
                    .bind(campaign_id)
                    .fetch_all(&mut *tx)
                    .await?;
            for submission in submissions {
                accumulator.add(stored_contributions(&mut tx, &campaign, submission.id, &submission.receipt).await?);
            }
            let (cells, moments) = accumulator.rows();
            upsert(&mut tx, campaign_id, &cells, &moments).await?;
            sqlx::query("DELETE FROM report_rebuild WHERE campaign_id = $1")
                .bind(campaign_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
