//! Pieces every staff page uses: the session, loading data, showing errors, and
//! form fields with the server's message next to them.

use std::future::Future;

use instruments::wire::staff::SessionInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiClientError};
use crate::i18n::{ts, use_ui, StaffPick};

/// Whether someone is signed in.
#[derive(Clone, Debug, PartialEq)]
pub enum Auth {
    /// Asking the server.
    Checking,
    /// Nobody (or the session ended): the sign-in form replaces the page.
    SignedOut,
    /// Someone.
    SignedIn(SessionInfo),
    /// The server could not be asked.
    Failed(String),
}

thread_local! {
    static AUTH: std::cell::Cell<Option<RwSignal<Auth>>> = const { std::cell::Cell::new(None) };
}

/// The page's session signal, created on first use.
pub fn auth() -> RwSignal<Auth> {
    AUTH.get().unwrap_or_else(|| {
        let auth = RwSignal::new(Auth::Checking);
        AUTH.set(Some(auth));
        auth
    })
}

/// Asks the server who is signed in.
pub fn check_session() {
    spawn_local(async {
        let next = match api::staff::session().await {
            Ok(session) => {
                api::staff::set_csrf(Some(session.csrf_token.clone()));
                Auth::SignedIn(session)
            }
            Err(e) if e.status() == Some(401) => Auth::SignedOut,
            Err(e) => Auth::Failed(describe(&e)),
        };
        auth().set(next);
    });
}

/// A reply of a staff call: 401 means the session is gone, so back to sign-in.
pub fn watch<T>(result: &Result<T, ApiClientError>) {
    if matches!(result, Err(e) if e.status() == Some(401)) {
        api::staff::set_csrf(None);
        auth().set(Auth::SignedOut);
    }
}

/// An error in words, in the current language.
pub fn describe(e: &ApiClientError) -> String {
    let s = use_ui().lang.get_untracked().staff();
    match e {
        ApiClientError::Network => s.offline.to_owned(),
        e if e.status() == Some(403) => s.forbidden.to_owned(),
        ApiClientError::Status { message: Some(message), .. } => message.clone(),
        e => format!("{}{e}", s.failed),
    }
}

/// Data of a page: `None` while loading.
pub type Slot<T> = RwSignal<Option<Result<T, ApiClientError>>>;

/// Runs `fetch` now and on every `reload.run(())`, into a slot.
pub fn load<T, F, Fut>(fetch: F) -> (Slot<T>, Callback<()>)
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiClientError>> + 'static,
{
    let slot: Slot<T> = RwSignal::new(None);
    let reload = Callback::new(move |()| {
        let pending = fetch();
        spawn_local(async move {
            let result = pending.await;
            watch(&result);
            slot.set(Some(result));
        });
    });
    reload.run(());
    (slot, reload)
}

/// "Loading…", the error, or `render` of the data.
pub fn show<T, V>(slot: Slot<T>, render: impl Fn(&T) -> V + Send + Sync + 'static) -> impl IntoView
where
    T: Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || {
        slot.with(|s| match s {
            None => view! { <p class="loading" role="status">{ts(|s| s.loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{describe(e)}</p> }.into_any(),
            Some(Ok(value)) => render(value).into_any(),
        })
    }
}

/// The error of a form: the field it concerns (`""` for the whole form) and the
/// message.
#[derive(Clone, Copy)]
pub struct FormError(pub RwSignal<Option<(String, String)>>);

impl FormError {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Clears it before sending.
    pub fn clear(self) {
        self.0.set(None);
    }

    /// A local problem at `key`.
    pub fn local(self, key: &str, pick: StaffPick) {
        let message = pick(use_ui().lang.get_untracked().staff());
        self.0.set(Some((key.to_owned(), message.to_owned())));
    }

    /// A server error: at the field it names when `fields` has it, else for the form.
    pub fn server(self, e: &ApiClientError, fields: &[&str]) {
        let key = match e {
            ApiClientError::Status { field: Some(field), .. } => super::model::field_key(field),
            _ => "",
        };
        let key = if fields.contains(&key) { key } else { "" };
        self.0.set(Some((key.to_owned(), describe(e))));
    }

    /// The message for `key`, shown under its field (`id="err-{key}"`).
    pub fn at(self, key: &'static str) -> impl IntoView {
        let message = move || self.0.with(|e| e.as_ref().filter(|(k, _)| k == key).map(|(_, m)| m.clone()));
        let id = if key.is_empty() { "err-form".to_owned() } else { format!("err-{key}") };
        view! { <p class="field-error" id=id role="alert" hidden=move || message().is_none()>{message}</p> }
    }
}

/// A labelled single-line input bound to `value`.
pub fn input(
    id: &'static str,
    label: StaffPick,
    value: RwSignal<String>,
    kind: &'static str,
    error: Option<(FormError, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{ts(label)}</label>
            <input
                id=id
                name=id
                type=kind
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {error.map(|(e, key)| e.at(key))}
        </div>
    }
}

/// A labelled multi-line input bound to `value`.
pub fn textarea(id: &'static str, label: StaffPick, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{ts(label)}</label>
            <textarea id=id name=id rows="3" prop:value=value on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        </div>
    }
}

/// A checkbox with its label, bound to `value`.
pub fn checkbox(id: &'static str, label: StaffPick, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="check">
            <input
                type="checkbox"
                id=id
                prop:checked=value
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            <span>{ts(label)}</span>
        </label>
    }
}

thread_local! {
    static LIBRARY: std::cell::RefCell<Option<std::sync::Arc<Vec<instruments::definition::Definition>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Every instrument the server offers (fetched once per page).
pub async fn library() -> Result<std::sync::Arc<Vec<instruments::definition::Definition>>, ApiClientError> {
    if let Some(library) = LIBRARY.with_borrow(Clone::clone) {
        return Ok(library);
    }
    let library = std::sync::Arc::new(api::staff::instruments().await?);
    LIBRARY.set(Some(library.clone()));
    Ok(library)
}

/// Now, in seconds since the epoch.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
