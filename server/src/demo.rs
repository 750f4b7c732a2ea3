//! The demo campaign `DEMO`: PHQ-9 and GAD-7 for grades 7–9.

use instruments::wire::CohortAttribute;
use instruments::{Locale, Text};

use crate::db::NewCampaign;

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

/// The demo campaign.
pub fn campaign() -> NewCampaign {
    let library = |id: &str| {
        let d = instruments::library::get(id).expect("bundled instrument");
        (d.id.clone(), d.version.clone())
    };
    NewCampaign {
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
    }
}
