//! Xin'an's respondent app: a Leptos client-side page that loads a campaign, asks its
//! questions, scores them in the browser with the shared `instruments` engine, and
//! delivers the answers even across a dropped network. The same module also serves
//! `/instruments`, a reference list of every instrument the server offers.
//!
//! Key decision: size. Cheap phones on slow networks must load it, so there is no
//! router, HTTP crate or web font; `api.rs` wraps `fetch`, routing is one `match`.
//! Logic lives in plain types (`state`, `i18n`) tested natively.

mod api;
mod components;
mod describe;
mod i18n;
mod outbox;
mod pages;
mod platform;
mod state;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point, called by `boot.js` once the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(pages::App);
}
