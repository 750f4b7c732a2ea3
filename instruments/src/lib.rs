//! Xin'an's screening instruments: the schema of an instrument file, the loader that
//! checks it, and the one scoring engine used both in the browser and on the server.
//!
//! Key decision: an instrument is *data* (a JSON file under `instruments/library/`),
//! never Rust code. The engine knows sums, means, reverse items, subscales, linear
//! transforms, bands and flag rules; every instrument is expressed with those. The
//! crate does no I/O so it compiles unchanged to `wasm32-unknown-unknown`, and the
//! server re-scores every submission with exactly the code the browser ran.
#![deny(missing_docs)]

pub mod definition;
pub mod error;
pub mod identifiers;
#[cfg(feature = "library")]
pub mod library;
pub mod loader;
mod locate;
pub mod scoring;
pub mod validity;
pub mod wire;

pub use definition::{Definition, Locale, Text};
pub use error::{LoadError, Problem, ScoreError};
pub use loader::{load, load_bytes};
pub use scoring::{score, Answers, Score, ENGINE_VERSION};
