//! Bulk loading of synthetic submissions, for benchmarks only: rows are written in
//! large multi-row statements, and aggregates are summed in memory with the very
//! `contributions` the per-submission path upserts, then written once.

use std::collections::BTreeMap;

use instruments::wire::{InstrumentAnswers, SubmissionReceipt};
use instruments::Score;

use super::aggregates::{contributions, upsert, Accumulator};
use super::{to_json, DbError, Store};
use crate::campaign::Campaign;

/// One synthetic submission.
pub struct Synthetic {
    /// Cohort values.
    pub cohort: BTreeMap<String, String>,
    /// Answers per instrument.
    pub results: Vec<InstrumentAnswers>,
    /// Their scores.
    pub scores: Vec<Score>,
}

impl Store {
    /// Inserts `batch` submissions (ids from `first_id`) with their results, cohort
    /// values and aggregates in one transaction.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bulk_insert(
        &self,
        campaign: &Campaign,
        first_id: i64,
        batch: &[Synthetic],
        day: &str,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let mut accumulator = Accumulator::default();
        for (chunk_index, chunk) in batch.chunks(200).enumerate() {
            let base = first_id + (chunk_index * 200) as i64;
            let mut subs = String::from(
                "INSERT INTO submissions (id, campaign_id, respondent_code, idempotency_key, request_digest, receipt, submitted_on) VALUES ",
            );
            let mut results = String::from(
                "INSERT INTO results (submission_id, position, instrument, version, engine, answers, total, band, flags, subscales, answer_values) VALUES ",
            );
            let mut cohort = String::from("INSERT INTO submission_cohort (submission_id, attribute, value) VALUES ");
            let (mut first_result, mut first_cohort) = (true, true);
            for (i, s) in chunk.iter().enumerate() {
                let id = base + i as i64;
                let code = synthetic_code(id);
                let receipt = SubmissionReceipt { respondent_code: code.clone(), results: s.scores.clone() };
                if i > 0 {
                    subs.push_str(", ");
                }
                subs.push_str(&format!(
                    "({id}, {}, '{code}', 'bench-{id}', '', {}, '{day}')",
                    campaign.id,
                    quote(&to_json(&receipt))
                ));
                for (position, (r, score)) in s.results.iter().zip(&s.scores).enumerate() {
                    if !first_result {
                        results.push_str(", ");
                    }
                    first_result = false;
                    results.push_str(&format!(
                        "({id}, {position}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                        quote(&score.instrument),
                        quote(&score.version),
                        quote(&score.engine),
                        quote(&to_json(&r.answers)),
                        score.total.map_or("NULL".to_owned(), |t| format!("{t:?}")),
                        score.band.as_deref().map_or("NULL".to_owned(), quote),
                        quote(&to_json(&score.flags)),
                        quote(&to_json(&score.subscales)),
                        quote(&super::submissions::answer_values(campaign, &score.instrument, &r.answers)),
                    ));
                }
                for (attribute, value) in &s.cohort {
                    if !first_cohort {
                        cohort.push_str(", ");
                    }
                    first_cohort = false;
                    cohort.push_str(&format!("({id}, {}, {})", quote(attribute), quote(value)));
                }
                accumulator.add(contributions(campaign, &s.cohort, &s.results, &s.scores));
            }
            sqlx::query(&subs).execute(&mut *tx).await?;
            sqlx::query(&results).execute(&mut *tx).await?;
            if !first_cohort {
                sqlx::query(&cohort).execute(&mut *tx).await?;
            }
        }
        let (cells, moments) = accumulator.rows();
        upsert(&mut tx, campaign.id, &cells, &moments).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A SQL string literal (synthetic data only; never user input).
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A respondent code for synthetic submission `id`: distinct for every id (an odd
/// multiplier is a bijection modulo 2^50) and spread over the alphabet like random
/// codes, so the export's code ranges are as even as with real ones.
fn synthetic_code(id: i64) -> String {
    let mut n = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15 | 1) & ((1 << 50) - 1);
    let mut code = [b'0'; 10];
    for slot in code.iter_mut().rev() {
        *slot = crate::respondent_code::ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    String::from_utf8(code.to_vec()).expect("ASCII")
}
