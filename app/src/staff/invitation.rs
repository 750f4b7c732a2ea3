//! `/staff/invitation/{token}`: the invited person chooses a password, then signs in.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ui::{input, FormError};
use crate::api;
use crate::i18n::ts;
use crate::platform;

/// Shortest password the server accepts.
const MIN_PASSWORD: usize = 10;

pub fn page(token: String) -> impl IntoView {
    super::follow_title(|s| s.accept_invitation);
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = FormError::new();
    let done = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
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
                Err(e)
                    if e.status() == Some(422)
                        && matches!(&e, api::ApiClientError::Status { code: Some(c), .. } if c == "invalid_invitation") =>
                {
                    error.local("", |s| s.invitation_invalid)
                }
                Err(e) => error.server(&e, &["password"]),
            }
        });
    };
    view! {
        <h1>{ts(|s| s.accept_invitation)}</h1>
        <form id="accept-invitation" class="narrow" on:submit=on_submit hidden=done>
            <p class="hint">{ts(|s| s.choose_password)}</p>
            {input("new-password", |s| s.password, password, "password", Some((error, "password")))}
            {input("repeat-password", |s| s.repeat_password, repeat, "password", Some((error, "repeat")))}
            {error.at("")}
            <button type="submit" id="accept-button" class="primary">{ts(|s| s.set_password)}</button>
        </form>
        <div id="invitation-accepted" role="status" hidden=move || !done.get()>
            <p>{ts(|s| s.invitation_accepted)}</p>
            <button type="button" id="go-sign-in" class="primary" on:click=move |_| platform::navigate("/staff")>
                {ts(|s| s.sign_in)}
            </button>
        </div>
    }
}
