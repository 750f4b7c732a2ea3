//! Black-box tests of the running server: one binary, a module per area.

mod browser;
mod chromium;
mod errors;
mod instruments_api;
mod offline;
mod openapi;
mod privacy;
mod reference_page;
mod submissions;
mod support;
