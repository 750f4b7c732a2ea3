//! A screening campaign and the rules a submission to it must satisfy.

use std::collections::BTreeSet;

use instruments::definition::Definition;
use instruments::wire::staff::{CampaignSpec, CampaignState};
use instruments::wire::{self, Anonymity, ClientScore, CohortAttribute, ResultVisibility, SubmissionRequest};
use instruments::{Locale, Score, Text};

use super::ScreeningError;

/// A campaign as the server uses it: instruments resolved to their definitions.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Database id.
    pub id: i64,
    /// The organization holding it.
    pub organization_id: i64,
    /// The code in the link.
    pub code: String,
    /// Name per locale.
    pub name: Text,
    /// Locales offered.
    pub locales: Vec<Locale>,
    /// Crisis resources per locale.
    pub crisis_resources: Text,
    /// Cohort questions with allowed values.
    pub cohort: Vec<CohortAttribute>,
    /// The instruments, in order.
    pub instruments: Vec<&'static Definition>,
    /// Youngest and oldest respondent age.
    pub ages: (u8, u8),
    /// First day of submissions.
    pub opens_on: String,
    /// Last day of submissions.
    pub closes_on: String,
    /// Closed by an administrator, whatever the dates.
    pub closed_by_admin: bool,
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

impl Campaign {
    /// What the browser needs to run the campaign.
    pub fn to_wire(&self) -> wire::Campaign {
        wire::Campaign {
            code: self.code.clone(),
            name: self.name.clone(),
            locales: self.locales.clone(),
            cohort: self.cohort.clone(),
            crisis_resources: self.crisis_resources.clone(),
            // The browser's copies without the validity rules: it never judges.
            instruments: self
                .instruments
                .iter()
                .map(|d| Definition { validity: Default::default(), ..(*d).clone() })
                .collect(),
            anonymity: self.anonymity,
            consent: self.consent.clone(),
            guardian_consent: self.guardian_consent,
            result_visibility: self.result_visibility,
            state: self.state(&crate::day::today()),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
        }
    }

    /// Whether submissions are taken on `today` (`YYYY-MM-DD`).
    pub fn state(&self, today: &str) -> CampaignState {
        if self.closed_by_admin || today > self.closes_on.as_str() {
            CampaignState::Closed
        } else if today < self.opens_on.as_str() {
            CampaignState::NotYetOpen
        } else {
            CampaignState::Open
        }
    }

    /// What an administrator decided, as they would send it again.
    pub fn to_spec(&self) -> CampaignSpec {
        CampaignSpec {
            code: self.code.clone(),
            name: self.name.clone(),
            instruments: crate::db::instrument_refs(self),
            cohort: self.cohort.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            locales: self.locales.clone(),
            crisis_resources: self.crisis_resources.clone(),
            anonymity: self.anonymity,
            min_group_size: self.min_group_size,
            consent: self.consent.clone(),
            min_age: self.ages.0,
            max_age: self.ages.1,
            guardian_consent: self.guardian_consent,
            result_visibility: Some(self.result_visibility),
        }
    }

    /// Refuses a submission on a day the campaign is not open, saying when it opens.
    ///
    /// # Errors
    /// [`ScreeningError::NotOpen`].
    pub fn check_open(&self, today: &str) -> Result<(), ScreeningError> {
        match self.state(today) {
            CampaignState::Open => Ok(()),
            CampaignState::NotYetOpen => {
                Err(ScreeningError::NotOpen(format!("this screening opens on {}; come back then", self.opens_on)))
            }
            CampaignState::Closed => Err(ScreeningError::NotOpen("this screening has ended; thank you".into())),
        }
    }

    /// Re-scores a submission and checks it against the campaign. Returns the
    /// server's scores in submission order, each judged careless or invalid by its
    /// instrument's validity rules; nothing the client computed is trusted.
    ///
    /// # Errors
    /// [`ScreeningError::Invalid`] naming the first field at fault.
    pub fn check(&self, request: &SubmissionRequest) -> Result<Vec<Score>, ScreeningError> {
        if !is_uuid(&request.idempotency_key) {
            return Err(ScreeningError::invalid("invalid_field", "idempotency_key", "must be a UUID"));
        }
        self.check_consent(request)?;
        self.check_cohort(request)?;
        let mut seen = BTreeSet::new();
        let mut scores = Vec::with_capacity(request.results.len());
        for (i, result) in request.results.iter().enumerate() {
            let at = |field: &str| format!("results[{i}].{field}");
            let Some(definition) = self.instruments.iter().find(|d| d.id == result.instrument) else {
                return Err(ScreeningError::invalid(
                    "instrument_not_in_campaign",
                    at("instrument"),
                    format!("instrument `{}` is not part of campaign {}", result.instrument, self.code),
                ));
            };
            if definition.version != result.version {
                return Err(ScreeningError::invalid(
                    "version_not_in_campaign",
                    at("version"),
                    format!(
                        "campaign {} uses {} version {}, not {}",
                        self.code, definition.id, definition.version, result.version
                    ),
                ));
            }
            if !seen.insert(&result.instrument) {
                return Err(ScreeningError::invalid(
                    "duplicate_instrument",
                    at("instrument"),
                    "instrument submitted twice",
                ));
            }
            let score = instruments::score(definition, &result.answers)
                .map_err(|err| ScreeningError::from_score(&at("answers"), &err))?;
            if !result.client_score.agrees_with(&score) {
                return Err(ScreeningError::invalid(
                    "score_mismatch",
                    at("client_score"),
                    format!(
                        "the server scores these answers as {}; the client sent {}",
                        serde_json::to_string(&ClientScore::of(&score)).unwrap_or_default(),
                        serde_json::to_string(&result.client_score).unwrap_or_default()
                    ),
                ));
            }
            instruments::validity::check_timings(definition, &result.timings).map_err(|(item, why)| {
                ScreeningError::invalid("invalid_timing", at(&format!("timings.{item}")), why)
            })?;
            // Marked beside the result; the flags (and so the warning) stand regardless.
            let mut score = score;
            score.validity = instruments::validity::judge(definition, &result.answers, &result.timings);
            scores.push(score);
        }
        if let Some(missing) = self.instruments.iter().find(|d| !seen.contains(&d.id)) {
            return Err(ScreeningError::invalid(
                "missing_instrument",
                "results",
                format!("the campaign's instrument `{}` is missing", missing.id),
            ));
        }
        Ok(scores)
    }

    /// Consent to health data is required; a guardian's agreement when the campaign
    /// asks for it (and only then); an access code exactly for coded campaigns.
    fn check_consent(&self, request: &SubmissionRequest) -> Result<(), ScreeningError> {
        if !request.consent.health {
            return Err(ScreeningError::invalid("consent_required", "consent.health", "consent was not given"));
        }
        match (self.guardian_consent, request.consent.guardian) {
            (true, Some(true)) | (false, None) => {}
            (true, _) => {
                return Err(ScreeningError::invalid(
                    "consent_required",
                    "consent.guardian",
                    "this screening needs a guardian's agreement",
                ))
            }
            (false, Some(_)) => {
                return Err(ScreeningError::invalid(
                    "invalid_field",
                    "consent.guardian",
                    "this screening does not ask for a guardian's agreement",
                ))
            }
        }
        match (self.anonymity, &request.access_code) {
            (Anonymity::Coded | Anonymity::Panel, None) => Err(ScreeningError::invalid(
                "invalid_access_code",
                "access_code",
                "this screening needs an access code",
            )),
            (Anonymity::Anonymous, Some(_)) => {
                Err(ScreeningError::invalid("invalid_field", "access_code", "this screening takes no access code"))
            }
            _ => Ok(()),
        }
    }

    fn check_cohort(&self, request: &SubmissionRequest) -> Result<(), ScreeningError> {
        if let Some(unknown) = request.cohort.keys().find(|k| !self.cohort.iter().any(|a| &a.id == *k)) {
            return Err(ScreeningError::invalid(
                "invalid_cohort",
                format!("cohort.{unknown}"),
                format!("campaign {} does not ask for `{unknown}`", self.code),
            ));
        }
        for attribute in &self.cohort {
            let field = format!("cohort.{}", attribute.id);
            match request.cohort.get(&attribute.id) {
                None => return Err(ScreeningError::invalid("invalid_cohort", field, "answer missing")),
                Some(value) if !attribute.values.contains(value) => {
                    return Err(ScreeningError::invalid(
                        "invalid_cohort",
                        field,
                        format!("`{value}` is not one of {:?}", attribute.values),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_recognised() {
        assert!(super::is_uuid("67e55044-10b1-426f-9247-bb680e5fe0c8"));
        assert!(!super::is_uuid("67e55044-10b1-426f-9247-bb680e5fe0c"));
        assert!(!super::is_uuid("not-a-uuid"));
    }
}
