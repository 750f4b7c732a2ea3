//! One-time access codes of coded campaigns.

use instruments::wire::staff::AccessCode;

use super::{DbError, Store};

/// Most codes one request may generate.
pub const MAX_BATCH: u32 = 5000;

impl Store {
    /// Generates `count` new codes for a campaign, in one transaction.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generate_access_codes(&self, campaign_id: i64, count: u32, now: i64) -> Result<Vec<String>, DbError> {
        let sql = "INSERT INTO access_codes (code, campaign_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        self.fresh_codes(sql, campaign_id, count, now).await
    }

    /// Inserts `count` new random codes with `sql` (`$1` code, `$2` owner, `$3` now),
    /// in one transaction: access codes of a campaign, or book codes of an organization.
    pub(super) async fn fresh_codes(
        &self,
        sql: &str,
        owner: i64,
        count: u32,
        now: i64,
    ) -> Result<Vec<String>, DbError> {
        let mut tx = self.pool.begin().await?;
        let mut codes = Vec::with_capacity(count as usize);
        while codes.len() < count as usize {
            let code = crate::respondent_code::access_code();
            // 50 random bits: a collision is all but impossible, but costs only a retry.
            let inserted = sqlx::query(sql).bind(&code).bind(owner).bind(now).execute(&mut *tx).await?;
            if inserted.rows_affected() == 1 {
                codes.push(code);
            }
        }
        tx.commit().await?;
        Ok(codes)
    }

    /// Every code of a campaign, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn access_codes(&self, campaign_id: i64) -> Result<Vec<AccessCode>, DbError> {
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT code, submission_id FROM access_codes WHERE campaign_id = $1 ORDER BY created_at, code",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(code, used)| AccessCode { code, used: used.is_some() }).collect())
    }

    /// Whether the code belongs to the campaign and is still unused.
    ///
    /// # Errors
    /// On database failure.
    pub async fn access_code_usable(&self, campaign_id: i64, code: &str) -> Result<bool, DbError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM access_codes WHERE code = $1 AND campaign_id = $2 AND submission_id IS NULL",
        )
        .bind(code)
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}
