//! A screening campaign and the rules a submission to it must satisfy.

use std::collections::BTreeSet;

use instruments::definition::Definition;
use instruments::wire::{self, ClientScore, CohortAttribute, SubmissionRequest};
use instruments::{Locale, Score, Text};

use crate::error::ApiError;

/// A campaign as the server uses it: instruments resolved to their definitions.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Database id.
    pub id: i64,
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
            instruments: self.instruments.iter().map(|d| (*d).clone()).collect(),
        }
    }

    /// Re-scores a submission and checks it against the campaign. Returns the
    /// server's scores in submission order; nothing the client computed is trusted.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] naming the first field at fault.
    pub fn check(&self, request: &SubmissionRequest) -> Result<Vec<Score>, ApiError> {
        if !is_uuid(&request.idempotency_key) {
            return Err(ApiError::invalid("invalid_field", "idempotency_key", "must be a UUID"));
        }
        self.check_cohort(request)?;
        let mut seen = BTreeSet::new();
        let mut scores = Vec::with_capacity(request.results.len());
        for (i, result) in request.results.iter().enumerate() {
            let at = |field: &str| format!("results[{i}].{field}");
            let Some(definition) = self.instruments.iter().find(|d| d.id == result.instrument) else {
                return Err(ApiError::invalid(
                    "instrument_not_in_campaign",
                    at("instrument"),
                    format!("instrument `{}` is not part of campaign {}", result.instrument, self.code),
                ));
            };
            if definition.version != result.version {
                return Err(ApiError::invalid(
                    "version_not_in_campaign",
                    at("version"),
                    format!(
                        "campaign {} uses {} version {}, not {}",
                        self.code, definition.id, definition.version, result.version
                    ),
                ));
            }
            if !seen.insert(&result.instrument) {
                return Err(ApiError::invalid("duplicate_instrument", at("instrument"), "instrument submitted twice"));
            }
            let score = instruments::score(definition, &result.answers)
                .map_err(|err| ApiError::from_score(&at("answers"), &err))?;
            if !result.client_score.agrees_with(&score) {
                return Err(ApiError::invalid(
                    "score_mismatch",
                    at("client_score"),
                    format!(
                        "the server scores these answers as {}; the client sent {}",
                        serde_json::to_string(&ClientScore::of(&score)).unwrap_or_default(),
                        serde_json::to_string(&result.client_score).unwrap_or_default()
                    ),
                ));
            }
            scores.push(score);
        }
        if let Some(missing) = self.instruments.iter().find(|d| !seen.contains(&d.id)) {
            return Err(ApiError::invalid(
                "missing_instrument",
                "results",
                format!("the campaign's instrument `{}` is missing", missing.id),
            ));
        }
        Ok(scores)
    }

    fn check_cohort(&self, request: &SubmissionRequest) -> Result<(), ApiError> {
        if let Some(unknown) = request.cohort.keys().find(|k| !self.cohort.iter().any(|a| &a.id == *k)) {
            return Err(ApiError::invalid(
                "invalid_cohort",
                format!("cohort.{unknown}"),
                format!("campaign {} does not ask for `{unknown}`", self.code),
            ));
        }
        for attribute in &self.cohort {
            let field = format!("cohort.{}", attribute.id);
            match request.cohort.get(&attribute.id) {
                None => return Err(ApiError::invalid("invalid_cohort", field, "answer missing")),
                Some(value) if !attribute.values.contains(value) => {
                    return Err(ApiError::invalid(
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
