//! The demo organization and its campaign `DEMO`: PHQ-9 and GAD-7 for grades 7–9,
//! anonymous, always open.

use instruments::wire::staff::{Anonymity, OrganizationKind};
use instruments::wire::CohortAttribute;
use instruments::{Locale, Text};

use crate::db::{DbError, NewCampaign, Store};

/// Name of the organization holding `DEMO`.
pub const ORGANIZATION: &str = "Demo";

/// Creates the demo organization and campaign unless they exist; returns whether the
/// campaign was created.
///
/// # Errors
/// On database failure.
pub async fn install(store: &Store) -> Result<bool, DbError> {
    let existing = store.organizations(None).await?.into_iter().find(|o| o.name == ORGANIZATION);
    let org = match existing {
        Some(org) => org,
        None => store.create_organization(ORGANIZATION, OrganizationKind::School, crate::day::now()).await?,
    };
    store.ensure_campaign(&campaign(org.id), &crate::day::today()).await
}

fn text(en: &str, zh: &str) -> Text {
    [(Locale::parse("en").unwrap(), en.to_owned()), (Locale::parse("zh-Hans").unwrap(), zh.to_owned())].into()
}

/// The crisis resources shown by default (shared/instruments/README.md).
pub fn default_crisis_resources() -> Text {
    text(
        "In the US call or text 988 (Suicide & Crisis Lifeline); in immediate danger call your local emergency number.",
        "全国心理援助热线 12356；如有紧急危险请拨打 110 或 120。",
    )
}

/// The demo campaign, held by `organization_id`.
pub fn campaign(organization_id: i64) -> NewCampaign {
    let library = |id: &str| {
        let d = instruments::library::get(id).expect("bundled instrument");
        (d.id.clone(), d.version.clone())
    };
    NewCampaign {
        organization_id,
        code: "DEMO".into(),
        name: text("Demo screening", "演示测评"),
        locales: vec![Locale::parse("zh-Hans").unwrap(), Locale::parse("en").unwrap()],
        crisis_resources: default_crisis_resources(),
        cohort: vec![CohortAttribute {
            id: "grade".into(),
            label: text("Grade", "年级"),
            values: vec!["7".into(), "8".into(), "9".into()],
        }],
        instruments: vec![library("phq9"), library("gad7")],
        // Grades 7–9 of a Chinese junior middle school.
        ages: (12, 16),
        dates: ("2000-01-01".into(), "9999-12-31".into()),
        anonymity: Anonymity::Anonymous,
        min_group_size: 10,
        consent: Text::new(),
        guardian_consent: false,
        // A demonstration: it shows what scoring gives, whatever the ages.
        result_visibility: instruments::wire::ResultVisibility::Full,
    }
}
