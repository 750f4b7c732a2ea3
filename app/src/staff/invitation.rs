//! `/staff/invitation/{token}`: what the invitation offers; a newcomer chooses a
//! password, and the owner of an existing account, once signed in as that address,
//! confirms. The page cannot tell which applies before the person acts (the server
//! does not say whether the address has an account), so it offers both.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::org::role_name;
use super::ui::{input, FormError};
use crate::api;
use crate::i18n::ts;
use crate::platform;

/// Shortest password the server accepts.
const MIN_PASSWORD: usize = 10;

fn is_code(e: &api::ApiClientError, wanted: &str) -> bool {
    matches!(e, api::ApiClientError::Status { code: Some(c), .. } if c == wanted)
}

pub fn page(token: String) -> impl IntoView {
    super::follow_title(|s| s.accept_invitation);
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = FormError::new();
    let done = RwSignal::new(false);
    let confirmed = RwSignal::new(false);
    let exists = RwSignal::new(false);
    let info = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move { api::staff::invitation(&token).await }
        }
    });
    let session = LocalResource::new(|| async { api::staff::session().await.ok() });
    let signed_in_as_invited = move || {
        let invited = info.get().and_then(Result::ok).map(|i| i.email);
        let current = session.get().flatten().map(|s| s.email);
        invited.is_some() && invited == current
    };
    let on_submit = {
        let token = token.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            error.clear();
            let chosen = password.get_untracked();
            if chosen.chars().count() < MIN_PASSWORD {
                error.local("password", |s| s.password_short);
                return;
            }
            if chosen != repeat.get_untracked() {
                error.local("repeat", |s| s.password_mismatch);
                return;
            }
            let token = token.clone();
            spawn_local(async move {
                match api::staff::accept_invitation(&token, chosen).await {
                    Ok(()) => done.set(true),
                    Err(e) if is_code(&e, "invalid_invitation") => error.local("", |s| s.invitation_invalid),
                    Err(e) if is_code(&e, "account_exists") => exists.set(true),
                    Err(e) => error.server(&e, &["password"]),
                }
            });
        }
    };
    let on_confirm = move |_| {
        error.clear();
        let token = token.clone();
        spawn_local(async move {
            match api::staff::confirm_invitation(&token).await {
                Ok(()) => confirmed.set(true),
                Err(e) if is_code(&e, "invalid_invitation") => error.local("", |s| s.invitation_invalid),
                Err(e) => error.server(&e, &[]),
            }
        });
    };
    let offer = move || {
        info.get().map(|result| match result {
            Ok(i) => view! {
                <p id="invitation-offer">
                    {ts(|s| s.invitation_offer)} " " <strong>{i.organization.clone()}</strong> " · "
                    {ts(role_name(i.role))} " · " {i.email.clone()}
                </p>
            }
            .into_any(),
            Err(_) => view! { <p class="error" role="alert">{ts(|s| s.invitation_invalid)}</p> }.into_any(),
        })
    };
    let form_hidden = move || done.get() || exists.get() || signed_in_as_invited();
    view! {
        <h1>{ts(|s| s.accept_invitation)}</h1>
        {offer}
        <div id="confirm-invitation" hidden=move || !signed_in_as_invited() || confirmed.get()>
            <button type="button" id="confirm-button" class="primary" on:click=on_confirm>
                {ts(|s| s.confirm_invitation)}
            </button>
        </div>
        <div id="invitation-confirmed" role="status" hidden=move || !confirmed.get()>
            <p>{ts(|s| s.role_added)}</p>
            <button type="button" class="primary" on:click=move |_| platform::navigate("/staff")>
                {ts(|s| s.organizations)}
            </button>
        </div>
        <form id="accept-invitation" class="narrow" on:submit=on_submit hidden=form_hidden>
            <p class="hint">{ts(|s| s.choose_password)}</p>
            {input("new-password", |s| s.password, password, "password", Some((error, "password")))}
            {input("repeat-password", |s| s.repeat_password, repeat, "password", Some((error, "repeat")))}
            <button type="submit" id="accept-button" class="primary">{ts(|s| s.set_password)}</button>
            <p class="hint">{ts(|s| s.have_account)}</p>
        </form>
        {error.at("")}
        <div id="account-exists" role="status" hidden=move || !exists.get()>
            <p>{ts(|s| s.account_exists)}</p>
        </div>
        <div id="invitation-accepted" role="status" hidden=move || !done.get() && !exists.get()>
            <p hidden=exists>{ts(|s| s.invitation_accepted)}</p>
            <button type="button" id="go-sign-in" class="primary" on:click=move |_| platform::navigate("/staff")>
                {ts(|s| s.sign_in)}
            </button>
        </div>
    }
}
