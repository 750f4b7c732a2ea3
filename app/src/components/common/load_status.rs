//! What a page says while its data loads, or when it could not.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::api::ApiClientError;
use crate::i18n::{tr, Pick};

/// A page's one request.
///
/// A signal and `spawn_local` rather than a `LocalResource` with `<Transition>`: the
/// async-derived machinery behind resources costs more wasm than the pages can
/// spare, and a plain enum makes "loading again after Retry" explicit.
#[derive(Clone)]
pub enum Load {
    Loading,
    Failed(ApiClientError),
    Ready,
}

/// "Loading…", or what went wrong with a Retry button where trying again may help;
/// nothing once loaded. After a failure, the browser coming back online retries by
/// itself. `not_found` is the final message for a 404 (without it, a 404 is an
/// ordinary failure).
#[component]
pub fn LoadStatus(
    state: RwSignal<Load>,
    retry: Callback<()>,
    #[prop(optional)] not_found: Option<Pick>,
) -> impl IntoView {
    let handle = window_event_listener_untyped("online", move |_| {
        if state.with_untracked(|s| matches!(s, Load::Failed(_))) {
            retry.run(());
        }
    });
    on_cleanup(move || handle.remove());

    move || match state.get() {
        Load::Loading => EitherOf3::A(view! { <p class="loading" role="status">{tr(|s| s.loading)}</p> }),
        Load::Failed(error) => {
            let (message, detail, retryable) = match not_found {
                Some(pick) if error.is_not_found() => (tr(pick), String::new(), false),
                _ if error == ApiClientError::Network => (tr(|s| s.offline), String::new(), true),
                _ => (tr(|s| s.load_failed), error.to_string(), true),
            };
            EitherOf3::B(view! {
                <div class="error" role="alert">
                    <p>{message} {detail}</p>
                    {retryable.then(|| view! { <button type="button" on:click=move |_| retry.run(())>{tr(|s| s.retry)}</button> })}
                </div>
            })
        }
        Load::Ready => EitherOf3::C(()),
    }
}
