//! The staff app: `/staff/…` for administrators and counselors, and the public
//! reference page `/instruments`.
//!
//! Each address is a full page load (links are plain `<a href>`), so every page
//! starts from the server's truth and there is no client router. A page that needs
//! a session asks `GET /api/v1/session` first; without one (or once any call answers
//! 401) the sign-in form takes its place, and the page comes back after signing in.
//!
//! Test hooks: ids on every form control and section (`#sign-in`, `#email`,
//! `#password`, `#org-list`, `#campaigns`, `#queue`, `#members`, `#audit`,
//! `#figures`, `#report-form`, `#report-view`, …) and `data-` attributes on list entries (`data-org`,
//! `data-campaign`, `data-case`, `data-state`).

mod campaign;
mod case;
mod home;
mod invitation;
mod model;
mod org;
mod queue;
mod reference;
mod reports;
mod settings;
mod ui;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::common::LanguageSwitch;
use crate::i18n::{ts, use_ui, Lang, Ui};
use crate::platform;
use model::Route;
use ui::{auth, Auth};

/// Keeps the tab title on a staff string.
fn follow_title(pick: crate::i18n::StaffPick) {
    let ui = use_ui();
    Effect::new(move || platform::set_title(&format!("{} · 心安 Xin'an", pick(ui.lang.get().staff()))));
}

/// The whole app: a top bar (home, account, language), then the page the address
/// names.
#[component]
pub fn App() -> impl IntoView {
    Ui::install(Lang::choose(platform::navigator_language().as_deref(), &[]));
    let ui = use_ui();
    Effect::new(move || platform::set_document_lang(ui.lang.get().tag()));
    // Created here, by the root, so that it lives as long as the page.
    auth();
    let page = match Route::parse(&platform::pathname()) {
        Route::Reference => view! { <reference::ReferencePage/> }.into_any(),
        Route::Invitation(token) => invitation::page(token).into_any(),
        Route::NotFound => view! {
            <h1>{ts(|s| s.not_found)}</h1>
            <p>
                <a href="/staff">{ts(|s| s.home)}</a>
            </p>
        }
        .into_any(),
        route => signed_in(route).into_any(),
    };
    view! {
        <header class="top staff-top">
            <a class="brand" href="/staff">{ts(|s| s.brand)}</a>
            {account}
            <LanguageSwitch/>
        </header>
        <main class="staff">{page}</main>
    }
}

/// Who is signed in and the sign-out button, once someone is.
fn account() -> impl IntoView {
    let signed_in = move || auth().with(|a| matches!(a, Auth::SignedIn(_)));
    let email = move || auth().with(|a| if let Auth::SignedIn(s) = a { s.email.clone() } else { String::new() });
    let sign_out = move |_| {
        spawn_local(async {
            let _ = api::staff::sign_out().await;
            api::staff::set_csrf(None);
            platform::navigate("/staff");
        });
    };
    view! {
        <div class="account" hidden=move || !signed_in()>
            <span id="account-email">{email}</span>
            <button type="button" id="sign-out" on:click=sign_out>{ts(|s| s.sign_out)}</button>
        </div>
    }
}

/// The page of `route` once someone is signed in; the sign-in form until then.
fn signed_in(route: Route) -> impl IntoView {
    ui::check_session();
    let kind = Memo::new(move |_| {
        auth().with(|a| match a {
            Auth::Checking => 0,
            Auth::SignedOut => 1,
            Auth::SignedIn(_) => 2,
            Auth::Failed(_) => 3,
        })
    });
    move || match kind.get() {
        0 => view! { <p class="loading" role="status">{ts(|s| s.loading)}</p> }.into_any(),
        1 => sign_in_form().into_any(),
        2 => {
            let session = auth().with_untracked(|a| if let Auth::SignedIn(s) = a { Some(s.clone()) } else { None });
            match session {
                Some(session) => page(route.clone(), session).into_any(),
                None => ().into_any(),
            }
        }
        _ => {
            let message = auth().with_untracked(|a| if let Auth::Failed(m) = a { m.clone() } else { String::new() });
            view! {
                <p class="error" role="alert">{message}</p>
                <button type="button" on:click=move |_| ui::check_session()>{ts(|s| s.retry)}</button>
            }
            .into_any()
        }
    }
}

fn page(route: Route, session: instruments::wire::staff::SessionInfo) -> AnyView {
    match route {
        Route::Home => home::page(session).into_any(),
        Route::Org(org) => org::page(org, session).into_any(),
        Route::NewCampaign(org) => campaign::new_page(org).into_any(),
        Route::Campaign(org, code) => campaign::page(org, code).into_any(),
        Route::Case(id) => case::page(id).into_any(),
        Route::Audit => org::platform_audit().into_any(),
        Route::Reports(org) => reports::page(org, session).into_any(),
        Route::District => reports::district().into_any(),
        Route::Platform => settings::page().into_any(),
        Route::Reference | Route::Invitation(_) | Route::NotFound => ().into_any(),
    }
}

/// E-mail and password; on success the page the address names comes back.
fn sign_in_form() -> impl IntoView {
    follow_title(|s| s.sign_in);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = ui::FormError::new();
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::staff::sign_in(email.get_untracked(), password.get_untracked()).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    password.set(String::new());
                    ui::check_session();
                }
                Err(e) if e.status() == Some(401) => error.local("", |s| s.wrong_password),
                Err(e) if e.status() == Some(429) => error.local("", |s| s.too_many_attempts),
                Err(e) => error.server(&e, &[]),
            }
        });
    };
    view! {
        <form id="sign-in" class="narrow" on:submit=on_submit>
            <h1>{ts(|s| s.sign_in)}</h1>
            {ui::input("email", |s| s.email, email, "email", None)}
            {ui::input("password", |s| s.password, password, "password", None)}
            {error.at("")}
            <button type="submit" id="sign-in-button" class="primary" disabled=busy>{ts(|s| s.sign_in)}</button>
        </form>
    }
}
