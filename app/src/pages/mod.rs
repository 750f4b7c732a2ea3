//! The respondent app's shell and its pages.

mod campaign;
mod not_found;
mod result;

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::common::LanguageSwitch;
use crate::i18n::{use_ui, Lang, Ui};
use crate::outbox::Sender;
use crate::platform;
use crate::state::Route;
use campaign::CampaignPage;
use not_found::NotFoundPage;

/// Keeps the tab title on `title` (one effect type for every page).
fn follow_title(title: Signal<String>) {
    Effect::new(move || title.with(|t| platform::set_title(t)));
}

/// The whole app: the language switch on top, then the page the address names.
/// Routing is one `match` on `location.pathname` (a router crate would cost more
/// than the whole page).
#[component]
pub fn App() -> impl IntoView {
    Ui::install(Lang::choose(platform::navigator_language().as_deref(), &[]));
    let ui = use_ui();
    Effect::new(move || platform::set_document_lang(ui.lang.get().tag()));
    // Sends what an earlier visit left in the outbox, whatever page this is.
    Sender::start();
    let page = match Route::parse(&platform::pathname()) {
        Route::Campaign(code) => Either::Left(view! { <CampaignPage code/> }),
        Route::NotFound => Either::Right(view! { <NotFoundPage/> }),
    };
    view! {
        <header class="top">
            <LanguageSwitch/>
        </header>
        <main>{page}</main>
    }
}
