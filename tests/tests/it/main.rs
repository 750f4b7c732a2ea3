//! Black-box tests of the running server: one binary, a module per area.

mod browser;
mod errors;
mod instruments_api;
mod openapi;
mod privacy;
mod submissions;
mod support;
