//! Reusable pieces of UI.

pub mod common;
