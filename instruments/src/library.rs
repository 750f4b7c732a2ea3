//! The instruments bundled with Xin'an, embedded at compile time.
//!
//! Every file is checked by a test, so loading them here cannot fail in a release.

use std::sync::OnceLock;

use crate::definition::Definition;
use crate::loader::load;

/// File name and content of every bundled instrument file.
pub const FILES: &[(&str, &str)] = &[
    ("phq9.json", include_str!("../library/phq9.json")),
    ("gad7.json", include_str!("../library/gad7.json")),
    ("phq2.json", include_str!("../library/phq2.json")),
    ("gad2.json", include_str!("../library/gad2.json")),
    ("who5.json", include_str!("../library/who5.json")),
    ("k10.json", include_str!("../library/k10.json")),
    ("k6.json", include_str!("../library/k6.json")),
    ("cesd.json", include_str!("../library/cesd.json")),
    ("pcl5.json", include_str!("../library/pcl5.json")),
    ("psc17.json", include_str!("../library/psc17.json")),
];

/// Every bundled definition, in [`FILES`] order.
///
/// # Panics
/// If a bundled file is invalid, which the crate's tests rule out.
pub fn all() -> &'static [Definition] {
    static ALL: OnceLock<Vec<Definition>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| load(name, text).unwrap_or_else(|e| panic!("bundled instrument: {e}")))
            .collect()
    })
}

/// The newest bundled version of instrument `id`.
///
/// # Example
/// ```
/// assert_eq!(instruments::library::get("gad7").unwrap().items.len(), 7);
/// assert!(instruments::library::get("nope").is_none());
/// ```
pub fn get(id: &str) -> Option<&'static Definition> {
    all().iter().filter(|d| d.id == id).max_by(|a, b| a.version.cmp(&b.version))
}

/// Exactly `id` at `version`.
pub fn find(id: &str, version: &str) -> Option<&'static Definition> {
    all().iter().find(|d| d.id == id && d.version == version)
}
