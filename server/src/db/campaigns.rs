//! Campaign rows: the rules a campaign must satisfy, creating, editing, and loading.

use anyhow::anyhow;
use instruments::wire::staff::{Anonymity, CampaignDetail, CampaignSpec, InstrumentRef};
use instruments::wire::{CohortAttribute, ResultVisibility};
use instruments::{Locale, Text};

use super::{from_json, to_json, DbError, Store};
use crate::campaign::Campaign;

/// A campaign as an administrator describes it, checked by [`NewCampaign::check`].
#[derive(Clone, Debug)]
pub struct NewCampaign {
    /// The organization holding it.
    pub organization_id: i64,
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
    /// First and last day of submissions (`YYYY-MM-DD`).
    pub dates: (String, String),
    /// Open link or access codes.
    pub anonymity: Anonymity,
    /// Smallest reportable group.
    pub min_group_size: u32,
    /// Extra consent wording per locale.
    pub consent: Text,
    /// Respondents confirm a guardian agreed.
    pub guardian_consent: bool,
    /// What a respondent is shown of their result.
    pub result_visibility: ResultVisibility,
}

/// Smallest group a report may ever show, whatever a campaign says.
pub const MIN_GROUP_FLOOR: u32 = 5;
/// Age below which a guardian's agreement may be asked for.
pub const GUARDIAN_AGE: u8 = 14;
/// Most cohort questions a campaign may ask. Every pair of questions is a two-way
/// table that suppression must protect, so a report's solve grows with the pairs: at
/// 12 questions it takes tens of milliseconds in release, 0.15 s in the worst
/// synthetic cohorts measured (`BENCH_ONLY=suppression cargo bench -p server --bench
/// reports`); at 20 half a second.
pub const MAX_COHORT_QUESTIONS: usize = 12;
/// Most allowed values over all cohort questions together: the suppression's exact
/// elimination has one column per value, so this bounds it whatever the questions.
pub const MAX_COHORT_VALUES: usize = 200;

/// Why a campaign cannot be created as described. [`CampaignRuleError::field`] names
/// the request field at fault.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CampaignRuleError {
    /// The instrument version is not in this build's library.
    #[error("instrument {id} {version} is not in the library")]
    UnknownInstrument {
        /// Position in the list.
        index: usize,
        /// Instrument id.
        id: String,
        /// Version asked for.
        version: String,
    },
    /// The instrument is not validated for every respondent age of the campaign.
    #[error("instrument {id} is validated for ages {validated}, not for respondents aged {min_age}–{max_age}")]
    AgeOutsidePopulation {
        /// Position in the list.
        index: usize,
        /// Instrument id.
        id: String,
        /// The instrument's range, e.g. `12+` or `4–15`.
        validated: String,
        /// Campaign's youngest age.
        min_age: u8,
        /// Campaign's oldest age.
        max_age: u8,
    },
    /// The instrument has no published wording in an offered language.
    #[error("instrument {id} has no validated {locale} wording; offer only its languages")]
    LocaleMissing {
        /// Position in the list.
        index: usize,
        /// Instrument id.
        id: String,
        /// The missing locale.
        locale: String,
    },
    /// The same instrument twice, or none at all.
    #[error("{0}")]
    Instruments(&'static str),
    /// The age range is reversed.
    #[error("youngest age {0} is above oldest age {1}")]
    AgeRange(u8, u8),
    /// Bad campaign code.
    #[error("the code must be 3–32 characters of A–Z, 0–9 and -")]
    Code,
    /// A text is missing for an offered locale.
    #[error("{field} needs a text for every offered language")]
    TextMissing {
        /// The field.
        field: &'static str,
    },
    /// No locale offered.
    #[error("offer at least one language")]
    NoLocale,
    /// A cohort attribute is malformed.
    #[error("{message}")]
    Cohort {
        /// Position in the list.
        index: usize,
        /// What is wrong.
        message: &'static str,
    },
    /// More cohort questions, or more values over all of them, than a report can
    /// protect quickly.
    #[error("ask at most {MAX_COHORT_QUESTIONS} cohort questions, with at most {MAX_COHORT_VALUES} values in all")]
    CohortSize,
    /// A date is not `YYYY-MM-DD`, or the campaign closes before it opens.
    #[error("{message}")]
    Dates {
        /// `opens_on` or `closes_on`.
        field: &'static str,
        /// What is wrong.
        message: &'static str,
    },
    /// Minimum reporting group below the floor.
    #[error("the minimum group size may not be below {MIN_GROUP_FLOOR}")]
    GroupSize,
    /// Guardian consent asked for a campaign without respondents under 14.
    #[error("guardian consent applies to respondents under {GUARDIAN_AGE}; this campaign has none")]
    GuardianWithoutMinors,
}

impl CampaignRuleError {
    /// The request field at fault.
    pub fn field(&self) -> String {
        match self {
            Self::UnknownInstrument { index, .. }
            | Self::AgeOutsidePopulation { index, .. }
            | Self::LocaleMissing { index, .. } => format!("instruments[{index}]"),
            Self::Instruments(_) => "instruments".into(),
            Self::AgeRange(..) => "min_age".into(),
            Self::Code => "code".into(),
            Self::TextMissing { field } => (*field).into(),
            Self::NoLocale => "locales".into(),
            Self::Cohort { index, .. } => format!("cohort[{index}]"),
            Self::CohortSize => "cohort".into(),
            Self::Dates { field, .. } => (*field).into(),
            Self::GroupSize => "min_group_size".into(),
            Self::GuardianWithoutMinors => "guardian_consent".into(),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl NewCampaign {
    /// The campaign an administrator's spec describes (code upper-cased), checked.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn from_spec(organization_id: i64, spec: &CampaignSpec) -> Result<Self, CampaignRuleError> {
        let new = Self::unchecked(organization_id, spec);
        new.check()?;
        Ok(new)
    }

    /// The edit of the stored campaign `current` that a spec describes, checked by
    /// [`NewCampaign::check_keeping`] its cohort questions.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn edit_of(current: &Campaign, spec: &CampaignSpec) -> Result<Self, CampaignRuleError> {
        let new = Self::unchecked(current.organization_id, spec);
        new.check_keeping(&current.cohort)?;
        Ok(new)
    }

    fn unchecked(organization_id: i64, spec: &CampaignSpec) -> Self {
        Self {
            organization_id,
            code: spec.code.trim().to_ascii_uppercase(),
            name: spec.name.clone(),
            locales: spec.locales.clone(),
            crisis_resources: spec.crisis_resources.clone(),
            cohort: spec.cohort.clone(),
            instruments: spec.instruments.iter().map(|i| (i.id.clone(), i.version.clone())).collect(),
            ages: (spec.min_age, spec.max_age),
            dates: (spec.opens_on.clone(), spec.closes_on.clone()),
            anonymity: spec.anonymity,
            min_group_size: spec.min_group_size,
            consent: spec.consent.clone(),
            guardian_consent: spec.guardian_consent,
            result_visibility: spec.result_visibility.unwrap_or_else(|| ResultVisibility::default_for(spec.min_age)),
        }
    }

    /// Every rule of a campaign: code, texts for every language, instruments that
    /// exist, speak every language and are validated for every respondent age, cohort
    /// attributes (no more than reports can protect quickly), dates, group size and
    /// guardian consent.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn check(&self) -> Result<(), CampaignRuleError> {
        self.rules(None)
    }

    /// [`NewCampaign::check`] for an edit that keeps the `stored` cohort questions: a
    /// campaign stored above the cap on cohort questions (before it existed) keeps
    /// them, and its other settings can still change; its reports are only slower.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn check_keeping(&self, stored: &[CohortAttribute]) -> Result<(), CampaignRuleError> {
        self.rules(Some(stored))
    }

    fn rules(&self, stored: Option<&[CohortAttribute]>) -> Result<(), CampaignRuleError> {
        let code_ok = (3..=32).contains(&self.code.len())
            && self.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            return Err(CampaignRuleError::Code);
        }
        if self.locales.is_empty() {
            return Err(CampaignRuleError::NoLocale);
        }
        for (field, text) in [("name", &self.name), ("crisis_resources", &self.crisis_resources)] {
            if self.locales.iter().any(|l| text.get(l).is_none_or(|t| t.trim().is_empty())) {
                return Err(CampaignRuleError::TextMissing { field });
            }
        }
        let (min_age, max_age) = self.ages;
        if min_age > max_age {
            return Err(CampaignRuleError::AgeRange(min_age, max_age));
        }
        if self.instruments.is_empty() {
            return Err(CampaignRuleError::Instruments("choose at least one instrument"));
        }
        for (index, (id, version)) in self.instruments.iter().enumerate() {
            if self.instruments[..index].iter().any(|(other, _)| other == id) {
                return Err(CampaignRuleError::Instruments("an instrument is listed twice"));
            }
            let definition = instruments::library::find(id, version).ok_or_else(|| {
                CampaignRuleError::UnknownInstrument { index, id: id.clone(), version: version.clone() }
            })?;
            let population = &definition.population;
            if !population.covers(min_age, max_age) {
                let validated = match population.max_age {
                    Some(max) => format!("{}–{max}", population.min_age),
                    None => format!("{}+", population.min_age),
                };
                return Err(CampaignRuleError::AgeOutsidePopulation {
                    index,
                    id: id.clone(),
                    validated,
                    min_age,
                    max_age,
                });
            }
            if let Some(locale) = self.locales.iter().find(|l| !definition.locales.contains(l)) {
                return Err(CampaignRuleError::LocaleMissing { index, id: id.clone(), locale: locale.as_str().into() });
            }
        }
        let values: usize = self.cohort.iter().map(|a| a.values.len()).sum();
        let kept = stored.is_some_and(|stored| stored == self.cohort);
        if !kept && (self.cohort.len() > MAX_COHORT_QUESTIONS || values > MAX_COHORT_VALUES) {
            return Err(CampaignRuleError::CohortSize);
        }
        for (index, attribute) in self.cohort.iter().enumerate() {
            let cohort = |message| Err(CampaignRuleError::Cohort { index, message });
            if !is_identifier(&attribute.id) {
                return cohort("the id must be 1–32 characters of a–z, 0–9 and _");
            }
            if self.cohort[..index].iter().any(|a| a.id == attribute.id) {
                return cohort("two cohort questions have the same id");
            }
            if self.locales.iter().any(|l| attribute.label.get(l).is_none_or(|t| t.trim().is_empty())) {
                return cohort("the question needs a label for every offered language");
            }
            let values = &attribute.values;
            if values.is_empty() || values.len() > 200 {
                return cohort("give between 1 and 200 allowed values");
            }
            if values.iter().enumerate().any(|(i, v)| v.trim().is_empty() || v.len() > 64 || values[..i].contains(v)) {
                return cohort("values must be distinct, non-empty and at most 64 characters");
            }
        }
        let (opens, closes) = (&self.dates.0, &self.dates.1);
        for (field, day) in [("opens_on", opens), ("closes_on", closes)] {
            if !crate::day::is_day(day) {
                return Err(CampaignRuleError::Dates { field, message: "a date must be written YYYY-MM-DD" });
            }
        }
        if closes < opens {
            return Err(CampaignRuleError::Dates {
                field: "closes_on",
                message: "the campaign closes before it opens",
            });
        }
        if self.min_group_size < MIN_GROUP_FLOOR {
            return Err(CampaignRuleError::GroupSize);
        }
        if self.guardian_consent && min_age >= GUARDIAN_AGE {
            return Err(CampaignRuleError::GuardianWithoutMinors);
        }
        Ok(())
    }
}

/// What creating or editing a campaign did.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    /// Stored under this id.
    Done(i64),
    /// Another campaign has this code.
    CodeTaken,
    /// The campaign has submissions, so its instruments and cohort questions are fixed.
    QuestionsFixed,
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    organization_id: Option<i64>,
    code: String,
    name: String,
    locales: String,
    crisis_resources: String,
    min_age: i64,
    max_age: i64,
    opens_on: String,
    closes_on: String,
    closed_by_admin: i64,
    anonymity: String,
    min_group_size: i64,
    consent: String,
    guardian_consent: i64,
    result_visibility: String,
}

const CAMPAIGN_COLUMNS: &str = "id, organization_id, code, name, locales, crisis_resources, min_age, max_age, \
     opens_on, closes_on, closed_by_admin, anonymity, min_group_size, consent, guardian_consent, result_visibility";

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

fn anonymity_str(a: Anonymity) -> &'static str {
    match a {
        Anonymity::Anonymous => "anonymous",
        Anonymity::Coded => "coded",
        Anonymity::Panel => "panel",
    }
}

fn anonymity_of(code: &str, text: &str) -> Result<Anonymity, DbError> {
    [Anonymity::Anonymous, Anonymity::Coded, Anonymity::Panel]
        .into_iter()
        .find(|a| anonymity_str(*a) == text)
        .ok_or_else(|| DbError::Other(anyhow!("campaign {code} has an unknown anonymity `{text}`")))
}

impl Store {
    /// The campaign with this code, its instruments resolved from the library.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown code.
    pub async fn campaign_by_code(&self, code: &str) -> Result<Campaign, DbError> {
        let row: CampaignRow = sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| DbError::NotFound(format!("campaign {code}")))?;
        self.campaign_from_row(row).await
    }

    /// The campaigns of an organization, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn campaigns_of(&self, organization: i64) -> Result<Vec<Campaign>, DbError> {
        let rows: Vec<CampaignRow> = sqlx::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE organization_id = $1 ORDER BY id DESC"
        ))
        .bind(organization)
        .fetch_all(&self.pool)
        .await?;
        let mut campaigns = Vec::with_capacity(rows.len());
        for row in rows {
            campaigns.push(self.campaign_from_row(row).await?);
        }
        Ok(campaigns)
    }

    async fn campaign_from_row(&self, row: CampaignRow) -> Result<Campaign, DbError> {
        let code = &row.code;
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
        let anonymity = anonymity_of(code, &row.anonymity)?;
        let result_visibility = ResultVisibility::parse(&row.result_visibility)
            .ok_or_else(|| anyhow!("campaign {code} has an unknown result visibility `{}`", row.result_visibility))?;
        Ok(Campaign {
            id: row.id,
            organization_id: row.organization_id.ok_or_else(|| anyhow!("campaign {code} has no organization"))?,
            name: from_json("campaign name", &row.name)?,
            locales: from_json("campaign locales", &row.locales)?,
            crisis_resources: from_json("crisis resources", &row.crisis_resources)?,
            consent: from_json("consent", &row.consent)?,
            code: row.code,
            cohort,
            instruments,
            ages: (clamp_age(row.min_age), clamp_age(row.max_age)),
            opens_on: row.opens_on,
            closes_on: row.closes_on,
            closed_by_admin: row.closed_by_admin != 0,
            anonymity,
            result_visibility,
            min_group_size: u32::try_from(row.min_group_size).unwrap_or(MIN_GROUP_FLOOR).max(MIN_GROUP_FLOOR),
            guardian_consent: row.guardian_consent != 0,
        })
    }

    /// Creates a campaign (checked by the caller with [`NewCampaign::check`]).
    ///
    /// # Errors
    /// On database failure.
    pub async fn create_campaign(&self, new: &NewCampaign, today: &str) -> Result<Saved, DbError> {
        new.check().map_err(|e| anyhow!("the campaign breaks a rule: {e}"))?;
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO campaigns (code, name, locales, crisis_resources, min_age, max_age, created_on,
                 organization_id, opens_on, closes_on, anonymity, min_group_size, consent, guardian_consent,
                 result_visibility)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(&new.code)
        .bind(to_json(&new.name))
        .bind(to_json(&new.locales))
        .bind(to_json(&new.crisis_resources))
        .bind(i64::from(new.ages.0))
        .bind(i64::from(new.ages.1))
        .bind(today)
        .bind(new.organization_id)
        .bind(&new.dates.0)
        .bind(&new.dates.1)
        .bind(anonymity_str(new.anonymity))
        .bind(i64::from(new.min_group_size))
        .bind(to_json(&new.consent))
        .bind(i64::from(new.guardian_consent))
        .bind(new.result_visibility.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Ok(Saved::CodeTaken) };
        write_questions(&mut tx, id, new).await?;
        tx.commit().await?;
        Ok(Saved::Done(id))
    }

    /// Replaces what an administrator decides about an existing campaign (checked by the
    /// caller with [`NewCampaign::check_keeping`] its cohort). Instruments and cohort
    /// questions may change only while no submission exists.
    ///
    /// # Errors
    /// On database failure.
    pub async fn update_campaign(&self, current: &Campaign, new: &NewCampaign) -> Result<Saved, DbError> {
        new.check_keeping(&current.cohort).map_err(|e| anyhow!("the campaign breaks a rule: {e}"))?;
        let same_questions = current.cohort == new.cohort
            && current
                .instruments
                .iter()
                .map(|d| (d.id.clone(), d.version.clone()))
                .eq(new.instruments.iter().cloned());
        let mut tx = self.pool.begin().await?;
        if !same_questions {
            let submissions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions WHERE campaign_id = $1")
                .bind(current.id)
                .fetch_one(&mut *tx)
                .await?;
            if submissions > 0 {
                return Ok(Saved::QuestionsFixed);
            }
        }
        sqlx::query(
            "UPDATE campaigns SET name = $1, locales = $2, crisis_resources = $3, min_age = $4, max_age = $5,
                 opens_on = $6, closes_on = $7, anonymity = $8, min_group_size = $9, consent = $10,
                 guardian_consent = $11, result_visibility = $12 WHERE id = $13",
        )
        .bind(to_json(&new.name))
        .bind(to_json(&new.locales))
        .bind(to_json(&new.crisis_resources))
        .bind(i64::from(new.ages.0))
        .bind(i64::from(new.ages.1))
        .bind(&new.dates.0)
        .bind(&new.dates.1)
        .bind(anonymity_str(new.anonymity))
        .bind(i64::from(new.min_group_size))
        .bind(to_json(&new.consent))
        .bind(i64::from(new.guardian_consent))
        .bind(new.result_visibility.as_str())
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
        if !same_questions {
            sqlx::query("DELETE FROM campaign_instruments WHERE campaign_id = $1")
                .bind(current.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM cohort_attributes WHERE campaign_id = $1")
                .bind(current.id)
                .execute(&mut *tx)
                .await?;
            write_questions(&mut tx, current.id, new).await?;
        }
        tx.commit().await?;
        Ok(Saved::Done(current.id))
    }

    /// Closes a campaign now, or lifts an administrator's close (moving a future
    /// opening day to today).
    ///
    /// # Errors
    /// On database failure.
    pub async fn set_campaign_closed(&self, campaign: &Campaign, closed: bool, today: &str) -> Result<(), DbError> {
        let opens_on = if !closed && campaign.opens_on.as_str() > today { today } else { campaign.opens_on.as_str() };
        sqlx::query("UPDATE campaigns SET closed_by_admin = $1, opens_on = $2 WHERE id = $3")
            .bind(i64::from(closed))
            .bind(opens_on)
            .bind(campaign.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A campaign as staff see it, with its counts.
    ///
    /// # Errors
    /// On database failure.
    pub async fn campaign_detail(&self, campaign: &Campaign, today: &str) -> Result<CampaignDetail, DbError> {
        let (submissions, issued, used): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM submissions WHERE campaign_id = $1),
                    (SELECT COUNT(*) FROM access_codes WHERE campaign_id = $1),
                    (SELECT COUNT(*) FROM access_codes WHERE campaign_id = $1 AND submission_id IS NOT NULL)",
        )
        .bind(campaign.id)
        .fetch_one(&self.pool)
        .await?;
        Ok(CampaignDetail {
            organization_id: campaign.organization_id,
            spec: campaign.to_spec(),
            state: campaign.state(today),
            closed_by_admin: campaign.closed_by_admin,
            submissions,
            codes_issued: issued,
            codes_used: used,
        })
    }

    /// Creates the campaign unless one with its code exists. Returns whether it was created.
    ///
    /// # Errors
    /// On database failure or a campaign that breaks a rule.
    pub async fn ensure_campaign(&self, new: &NewCampaign, today: &str) -> Result<bool, DbError> {
        Ok(matches!(self.create_campaign(new, today).await?, Saved::Done(_)))
    }
}

fn clamp_age(age: i64) -> u8 {
    u8::try_from(age.clamp(0, 255)).unwrap_or(u8::MAX)
}

async fn write_questions(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    new: &NewCampaign,
) -> Result<(), sqlx::Error> {
    for (position, (instrument, version)) in new.instruments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO campaign_instruments (campaign_id, position, instrument, version) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(instrument)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    }
    for (position, attribute) in new.cohort.iter().enumerate() {
        sqlx::query(
            "INSERT INTO cohort_attributes (campaign_id, position, attribute, label, allowed) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&attribute.id)
        .bind(to_json(&attribute.label))
        .bind(to_json(&attribute.values))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Instrument references of a campaign, for its spec.
pub fn instrument_refs(campaign: &Campaign) -> Vec<InstrumentRef> {
    campaign.instruments.iter().map(|d| InstrumentRef { id: d.id.clone(), version: d.version.clone() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(instruments: &[&str], ages: (u8, u8)) -> NewCampaign {
        let instruments = instruments.iter().map(|id| ((*id).to_owned(), "1.0.0".to_owned())).collect();
        NewCampaign { instruments, ages, ..crate::demo::campaign(1) }
    }

    #[test]
    fn the_demo_campaign_fits_its_instruments() {
        assert_eq!(crate::demo::campaign(1).check(), Ok(()));
    }

    #[test]
    fn campaigns_may_only_use_instruments_validated_for_their_ages() {
        let err = with(&["gad7", "phq9"], (10, 13)).check().unwrap_err();
        assert_eq!(err.to_string(), "instrument gad7 is validated for ages 12+, not for respondents aged 10–13");
        assert_eq!(err.field(), "instruments[0]");
        let english = |c: NewCampaign| NewCampaign { locales: vec![Locale::parse("en").unwrap()], ..c };
        assert!(matches!(
            english(with(&["psc17"], (14, 17))).check(),
            Err(CampaignRuleError::AgeOutsidePopulation { .. })
        ));
        assert!(english(with(&["psc17"], (6, 12))).check().is_ok());
        assert_eq!(with(&["phq9"], (15, 12)).check(), Err(CampaignRuleError::AgeRange(15, 12)));
        assert!(matches!(with(&["sdq"], (12, 15)).check(), Err(CampaignRuleError::UnknownInstrument { .. })));
    }

    #[test]
    fn campaigns_only_offer_languages_their_instruments_speak() {
        let err = with(&["phq9", "who5"], (18, 65)).check().unwrap_err();
        assert_eq!(err.field(), "instruments[1]");
        assert!(err.to_string().contains("zh-Hans"), "{err}");
    }

    #[test]
    fn campaigns_ask_no_more_cohort_questions_than_reports_protect_quickly() {
        let base = with(&["phq9"], (12, 15));
        let question = |q: usize, values: usize| CohortAttribute {
            id: format!("q{q}"),
            label: base.name.clone(),
            values: (0..values).map(|v| format!("v{v}")).collect(),
        };
        let at_cap =
            NewCampaign { cohort: (0..MAX_COHORT_QUESTIONS).map(|q| question(q, 3)).collect(), ..base.clone() };
        assert_eq!(at_cap.check(), Ok(()));
        let over = NewCampaign { cohort: (0..=MAX_COHORT_QUESTIONS).map(|q| question(q, 3)).collect(), ..base.clone() };
        assert_eq!(over.check().unwrap_err().field(), "cohort");
        let wide = NewCampaign { cohort: vec![question(0, 150), question(1, 51)], ..base.clone() };
        assert_eq!(wide.check(), Err(CampaignRuleError::CohortSize));
        let full = NewCampaign { cohort: vec![question(0, 150), question(1, 50)], ..base };
        assert_eq!(full.check(), Ok(()));
        // A campaign stored above the cap before it existed may keep its questions.
        assert_eq!(over.check_keeping(&over.cohort), Ok(()));
        assert_eq!(over.check_keeping(&at_cap.cohort), Err(CampaignRuleError::CohortSize));
    }

    #[test]
    fn dates_group_size_and_guardian_consent_follow_the_rules() {
        let base = with(&["phq9"], (12, 15));
        let dates = NewCampaign { dates: ("2026-09-10".into(), "2026-09-01".into()), ..base.clone() };
        assert_eq!(dates.check().unwrap_err().field(), "closes_on");
        let bad_day = NewCampaign { dates: ("2026-02-30".into(), "2026-03-01".into()), ..base.clone() };
        assert_eq!(bad_day.check().unwrap_err().field(), "opens_on");
        assert_eq!(NewCampaign { min_group_size: 4, ..base.clone() }.check(), Err(CampaignRuleError::GroupSize));
        assert!(NewCampaign { guardian_consent: true, ..base.clone() }.check().is_ok());
        let adults = NewCampaign { guardian_consent: true, ..with(&["phq9"], (18, 60)) };
        assert_eq!(adults.check(), Err(CampaignRuleError::GuardianWithoutMinors));
        assert_eq!(NewCampaign { code: "x".into(), ..base }.check(), Err(CampaignRuleError::Code));
    }
}
