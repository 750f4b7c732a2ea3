//! Xin'an's browser apps, one crate built twice.
//!
//! - The default build is the respondent page `/c/{code}`: a Leptos client-side page
//!   that loads a campaign, asks for consent (and, for coded campaigns, an access
//!   code), asks its questions, scores them in the browser with the shared
//!   `instruments` engine, and delivers the answers even across a dropped network.
//! - `--features staff` builds the staff app (`/staff/…` and the reference page
//!   `/instruments`): sign-in, organizations, campaigns and access codes, the
//!   counselors' follow-up queue, members, figures and the audit log.
//!
//! Key decision: size. Cheap phones on slow networks must load the respondent page,
//! so there is no router, HTTP crate or web font; `api.rs` wraps `fetch`, routing is
//! one `match`, and nothing only staff need is compiled into it. The shared modules
//! (`i18n`, `api`, `platform`, `components`) are compiled into both. Logic lives in
//! plain types (`state`, `i18n`, `staff::model`) tested natively.

mod api;
mod components;
#[cfg(feature = "staff")]
mod describe;
mod i18n;
#[cfg(not(feature = "staff"))]
mod outbox;
#[cfg(not(feature = "staff"))]
mod pages;
mod platform;
#[cfg(feature = "staff")]
mod staff;
#[cfg(not(feature = "staff"))]
mod state;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point, called by `boot.js` (or `staff-boot.js`) once the module is
/// instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(not(feature = "staff"))]
    leptos::mount::mount_to_body(pages::App);
    #[cfg(feature = "staff")]
    leptos::mount::mount_to_body(staff::App);
}
