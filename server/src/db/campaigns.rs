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
    /// Youngest and oldest respondent age (years).
    pub ages: (u8, u8),
}

/// Why a campaign cannot be created as described.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CampaignRuleError {
    /// The instrument version is not in this build's library.
    #[error("instrument {id} {version} is not in the library")]
    UnknownInstrument {
        /// Instrument id.
        id: String,
        /// Version asked for.
        version: String,
    },
    /// The instrument is not validated for every respondent age of the campaign.
    #[error("instrument {id} is validated for ages {validated}, not for respondents aged {min_age}–{max_age}")]
    AgeOutsidePopulation {
        /// Instrument id.
        id: String,
        /// The instrument's range, e.g. `12+` or `4–15`.
        validated: String,
        /// Campaign's youngest age.
        min_age: u8,
        /// Campaign's oldest age.
        max_age: u8,
    },
    /// The age range is reversed.
    #[error("youngest age {0} is above oldest age {1}")]
    AgeRange(u8, u8),
}

impl NewCampaign {
    /// Every instrument exists and is validated for every respondent age.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn check(&self) -> Result<(), CampaignRuleError> {
        let (min_age, max_age) = self.ages;
        if min_age > max_age {
            return Err(CampaignRuleError::AgeRange(min_age, max_age));
        }
        for (id, version) in &self.instruments {
            let definition = instruments::library::find(id, version)
                .ok_or_else(|| CampaignRuleError::UnknownInstrument { id: id.clone(), version: version.clone() })?;
            let population = &definition.population;
            if !population.covers(min_age, max_age) {
                let validated = match population.max_age {
                    Some(max) => format!("{}–{max}", population.min_age),
                    None => format!("{}+", population.min_age),
                };
                return Err(CampaignRuleError::AgeOutsidePopulation { id: id.clone(), validated, min_age, max_age });
            }
        }
        Ok(())
    }
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
        new.check().context("the campaign breaks a rule")?;
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO campaigns (code, name, locales, crisis_resources, min_age, max_age, created_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(&new.code)
        .bind(to_json(&new.name))
        .bind(to_json(&new.locales))
        .bind(to_json(&new.crisis_resources))
        .bind(i64::from(new.ages.0))
        .bind(i64::from(new.ages.1))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with(instruments: &[&str], ages: (u8, u8)) -> NewCampaign {
        let instruments = instruments.iter().map(|id| ((*id).to_owned(), "1.0.0".to_owned())).collect();
        NewCampaign { instruments, ages, ..crate::demo::campaign() }
    }

    #[test]
    fn the_demo_campaign_fits_its_instruments() {
        assert_eq!(crate::demo::campaign().check(), Ok(()));
    }

    #[test]
    fn campaigns_may_only_use_instruments_validated_for_their_ages() {
        let err = with(&["gad7", "phq9"], (10, 13)).check().unwrap_err();
        assert_eq!(err.to_string(), "instrument gad7 is validated for ages 12+, not for respondents aged 10–13");
        assert!(matches!(with(&["psc17"], (14, 17)).check(), Err(CampaignRuleError::AgeOutsidePopulation { .. })));
        assert!(with(&["psc17"], (6, 12)).check().is_ok());
        assert_eq!(with(&["phq9"], (15, 12)).check(), Err(CampaignRuleError::AgeRange(15, 12)));
        assert!(matches!(with(&["sdq"], (12, 15)).check(), Err(CampaignRuleError::UnknownInstrument { .. })));
    }
}
