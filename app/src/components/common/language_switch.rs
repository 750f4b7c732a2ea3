//! The language buttons at the top of every page.

use leptos::prelude::*;

use crate::i18n::{tr, use_ui, Lang, Ui};

/// One button per language; the current one is `aria-pressed`, and languages the
/// campaign does not offer are hidden. Switching only changes texts, so answers and
/// focus stay where they are.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let ui = use_ui();
    view! {
        <nav class="lang" aria-label=tr(|s| s.language)>
            {button(ui, Lang::ZhHans)}
            {button(ui, Lang::En)}
        </nav>
    }
}

fn button(ui: Ui, lang: Lang) -> impl IntoView {
    view! {
        <button
            type="button"
            lang=lang.tag()
            hidden=move || {
                ui.lang.track();
                !lang.is_offered()
            }
            aria-pressed=move || (ui.lang.get() == lang).to_string()
            on:click=move |_| ui.lang.set(lang)
        >
            {lang.name()}
        </button>
    }
}
