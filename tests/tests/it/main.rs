//! Black-box tests of the running server: one binary, a module per area.

mod authorization;
mod browser;
mod chromium;
mod coded_campaigns;
mod errors;
mod follow_up;
mod instruments_api;
mod limits;
mod mail;
mod notifications;
mod offline;
mod openapi;
mod panel;
mod privacy;
mod reference_page;
mod reports;
mod schemathesis;
mod service_indicators;
mod staff_api;
mod staff_browser;
mod submissions;
mod support;
mod validity;
mod warnings;
