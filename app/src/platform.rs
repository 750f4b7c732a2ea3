//! Small wrappers over browser APIs other than HTTP (that is `api.rs`): the address,
//! the preferred language, `localStorage`, random ids and focus.
//!
//! Every function degrades quietly: a browser without storage or `randomUUID` still
//! runs the screening.

#[cfg(not(feature = "staff"))]
use std::cell::RefCell;

use leptos::prelude::{document, window};
use wasm_bindgen::JsCast;

#[cfg(not(feature = "staff"))]
use crate::state::{uuid_v4, Pending};

/// `location.pathname`.
pub fn pathname() -> String {
    window().location().pathname().unwrap_or_default()
}

#[cfg(feature = "staff")]
/// The element id in `location.hash`, if any (`#instrument-phq9` → `instrument-phq9`).
pub fn hash_id() -> Option<String> {
    let hash = window().location().hash().ok()?;
    hash.strip_prefix('#').filter(|id| !id.is_empty()).map(str::to_owned)
}

/// `location.origin`, e.g. `https://xinan.example.org`.
#[cfg(feature = "staff")]
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// Goes to another page of the site (a full page load).
#[cfg(feature = "staff")]
pub fn navigate(path: &str) {
    let _ = window().location().set_href(path);
}

/// The day `days` from now, `YYYY-MM-DD` (UTC, as the server counts days).
#[cfg(feature = "staff")]
pub fn today(days: i64) -> String {
    let ms = js_sys::Date::now() + days as f64 * 86_400_000.0;
    let iso = String::from(js_sys::Date::new(&ms.into()).to_iso_string());
    iso.get(..10).unwrap_or_default().to_owned()
}

/// `navigator.language`.
pub fn navigator_language() -> Option<String> {
    window().navigator().language()
}

/// Sets `<html lang>` so screen readers and fonts pick the right language.
pub fn set_document_lang(tag: &str) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", tag);
    }
}

#[cfg(not(feature = "staff"))]
/// Milliseconds since the page opened, by the monotonic clock: when items are shown
/// and answered (the page-time rule of careless answering), never a time of day.
pub fn page_ms() -> u64 {
    window().performance().map_or(0, |p| p.now() as u64)
}

/// Sets the tab title.
pub fn set_title(title: &str) {
    document().set_title(title);
}

#[cfg(not(feature = "staff"))]
/// A fresh UUID v4. `crypto.randomUUID` exists only in secure contexts (HTTPS or
/// localhost); on a plain-HTTP school intranet it falls back to `getRandomValues`.
pub fn new_uuid() -> String {
    let Ok(crypto) = window().crypto() else {
        return fallback_uuid();
    };
    if js_sys::Reflect::has(&crypto, &"randomUUID".into()).unwrap_or(false) {
        return crypto.random_uuid();
    }
    let mut bytes = [0u8; 16];
    if crypto.get_random_values_with_u8_array(&mut bytes).is_ok() {
        uuid_v4(bytes)
    } else {
        fallback_uuid()
    }
}

#[cfg(not(feature = "staff"))]
/// Last resort without Web Crypto (very old browsers): `Math.random`. The key only
/// needs to be unique, not secret.
fn fallback_uuid() -> String {
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        *b = (js_sys::Math::random() * 256.0) as u8;
    }
    uuid_v4(bytes)
}

#[cfg(not(feature = "staff"))]
thread_local! {
    /// Outbox entries `localStorage` refused (private mode, full quota): kept for this
    /// page session so they are still retried. Key → value, as in storage.
    static MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

#[cfg(not(feature = "staff"))]
fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

#[cfg(not(feature = "staff"))]
/// The submissions waiting on this device.
pub fn outbox() -> Vec<Pending> {
    let mut entries: Vec<Pending> =
        MEMORY.with_borrow(|m| m.iter().filter_map(|(k, v)| Pending::decode(k, v)).collect());
    if let Some(storage) = storage() {
        for i in 0..storage.length().unwrap_or(0) {
            let Some(key) = storage.key(i).ok().flatten() else {
                continue;
            };
            if key.starts_with(Pending::PREFIX) {
                let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
                entries.extend(Pending::decode(&key, &value));
            }
        }
    }
    entries
}

#[cfg(not(feature = "staff"))]
/// Keeps a submission on the device until [`discard`] is called.
pub fn store(pending: &Pending) {
    let (key, value) = (pending.storage_key(), pending.encode());
    if storage().is_none_or(|s| s.set_item(&key, &value).is_err()) {
        MEMORY.with_borrow_mut(|m| m.push((key, value)));
    }
}

#[cfg(not(feature = "staff"))]
/// Forgets a submission the server has answered for good.
pub fn discard(idempotency_key: &str) {
    let key = format!("{}{idempotency_key}", Pending::PREFIX);
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key);
    }
    MEMORY.with_borrow_mut(|m| m.retain(|(k, _)| *k != key));
}

#[cfg(not(feature = "staff"))]
/// A browser alert, for errors that should never happen.
pub fn alert(message: &str) {
    let _ = window().alert_with_message(message);
}

/// Moves keyboard focus (and the view) to the first radio button inside the element
/// with this id, or to the element itself.
pub fn focus(id: &str) {
    let Some(element) = document().get_element_by_id(id) else {
        return;
    };
    let target = element.query_selector("input").ok().flatten().unwrap_or(element);
    if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
        let _ = target.focus();
    }
}
