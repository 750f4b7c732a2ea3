//! Population screening reports: cohort summaries built from aggregates kept up to
//! date with every committed submission, with honest intervals and small groups
//! suppressed.

pub mod stats;
pub mod suppression;
