//! Campaign rows.

use anyhow::{anyhow, Context as _};
use instruments::wire::CohortAttribute;
use instruments::{Locale, Text};

use super::{from_json, to_json, DbError, Store};
use crate::campaign::Campaign;

/// A campaign to create.
#[derive(Clone, Debug)]
pub struct NewCampaign {
    /// Code in the link.
    pub code: String,
    /// Name per locale.
    pub name: Text,
    /// Locales offered.
    pub locales: Vec<Locale>,
    /// Crisis resources per locale.
    pub crisis_resources: Text,
    /// Cohort questions.
    pub cohort: Vec<CohortAttribute>,
    /// Instrument id and version, in order.
    pub instruments: Vec<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    code: String,
    name: String,
    locales: String,
    crisis_resources: String,
}

#[derive(sqlx::FromRow)]
struct InstrumentRow {
    instrument: String,
    version: String,
}

#[derive(sqlx::FromRow)]
struct CohortRow {
    attribute: String,
    label: String,
    allowed: String,
}

impl Store {
    /// The campaign with this code, its instruments resolved from the library.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown code.
    pub async fn campaign_by_code(&self, code: &str) -> Result<Campaign, DbError> {
        let row: CampaignRow =
            sqlx::query_as("SELECT id, code, name, locales, crisis_resources FROM campaigns WHERE code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| DbError::NotFound(format!("campaign {code}")))?;
        let instruments: Vec<InstrumentRow> = sqlx::query_as(
            "SELECT instrument, version FROM campaign_instruments WHERE campaign_id = $1 ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let cohort: Vec<CohortRow> = sqlx::query_as(
            "SELECT attribute, label, allowed FROM cohort_attributes WHERE campaign_id = $1 ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(&self.pool)
        .await?;
        let instruments = instruments
            .into_iter()
            .map(|i| {
                instruments::library::find(&i.instrument, &i.version).ok_or_else(|| {
                    anyhow!("campaign {code} uses {} {}, which this build lacks", i.instrument, i.version)
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let cohort = cohort
            .into_iter()
            .map(|c| {
                Ok(CohortAttribute {
                    label: from_json("cohort label", &c.label)?,
                    values: from_json("cohort values", &c.allowed)?,
                    id: c.attribute,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok(Campaign {
            id: row.id,
            name: from_json("campaign name", &row.name)?,
            locales: from_json("campaign locales", &row.locales)?,
            crisis_resources: from_json("crisis resources", &row.crisis_resources)?,
            code: row.code,
            cohort,
            instruments,
        })
    }

    /// Creates the campaign unless one with its code exists. Returns whether it was created.
    ///
    /// # Errors
    /// On database failure.
    pub async fn ensure_campaign(&self, new: &NewCampaign, today: &str) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO campaigns (code, name, locales, crisis_resources, created_on) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(&new.code)
        .bind(to_json(&new.name))
        .bind(to_json(&new.locales))
        .bind(to_json(&new.crisis_resources))
        .bind(today)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(false) };
        for (position, (instrument, version)) in new.instruments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO campaign_instruments (campaign_id, position, instrument, version) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(instrument)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        }
        for (position, attribute) in new.cohort.iter().enumerate() {
            sqlx::query("INSERT INTO cohort_attributes (campaign_id, position, attribute, label, allowed) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(position as i64)
                .bind(&attribute.id)
                .bind(to_json(&attribute.label))
                .bind(to_json(&attribute.values))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.context("committing the campaign")?;
        Ok(true)
    }
}
