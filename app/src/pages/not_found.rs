//! Any address other than `/c/{code}`.

use leptos::prelude::*;

use crate::i18n::tr;

/// "Not found", with a hint about what a screening link looks like.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>{tr(|s| s.not_found_title)}</h1>
        <p>{tr(|s| s.not_found_hint)}</p>
    }
}
