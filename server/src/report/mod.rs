//! Population screening reports: cohort summaries built from aggregates kept up to
//! date with every committed submission, with honest intervals and small groups
//! suppressed.

pub mod campaign;
pub mod csv;
pub mod html;
pub mod labels;
pub mod rollup;
pub mod service;
pub mod stats;
pub mod suppression;
pub mod svg;
pub mod xlsx;
