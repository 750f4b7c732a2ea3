//! The reference page `/instruments`: every instrument the server offers, who it is
//! for, how it is scored, its bands, cut-off, licence and references.
//!
//! Test hooks (kept stable for the browser tests): `#instrument-<id>` is each
//! instrument's `<section>`; in its `<dl>`, each fact is a `<div>` with a class
//! (`items`, `bands`, `cutoff`, `missing-data`, `licence`, …) holding a `<dt>` and
//! one `<dd>` per value.

use instruments::definition::Definition;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::common::{Load, LoadStatus};
use crate::describe;
use crate::i18n::{localized, ts, use_ui, Lang, StaffPick};
use crate::platform;

/// Loads every definition, then mounts the list once (as the campaign page does with
/// its screening, for the same reason: re-rendering code for it would cost wasm).
/// Only the texts follow the language switch.
#[component]
pub fn ReferencePage() -> impl IntoView {
    let state = RwSignal::new(Load::Loading);
    let list = NodeRef::<leptos::html::Div>::new();
    let title = ts(|s| s.reference_title);
    super::follow_title(|s| s.reference_title);

    let load = Callback::new(move |()| {
        state.set(Load::Loading);
        spawn_local(async move {
            match api::staff::instruments().await {
                Ok(definitions) => {
                    // Fetched once, kept for the page's life.
                    let definitions: &'static [Definition] = definitions.leak();
                    state.set(Load::Ready);
                    if let Some(parent) = list.get_untracked() {
                        leptos::mount::mount_to(parent.into(), move || reference(definitions)).forget();
                        // The content arrives after the browser looked for `#instrument-…`.
                        if let Some(id) = platform::hash_id() {
                            platform::focus(&id);
                        }
                    }
                }
                Err(error) => state.set(Load::Failed(error)),
            }
        });
    });
    load.run(());
    view! {
        <h1>{title}</h1>
        <p class="hint">{ts(|s| s.reference_intro)}</p>
        <LoadStatus state retry=load/>
        <div node_ref=list></div>
    }
}

/// The table of contents, then one section per instrument.
fn reference(definitions: &'static [Definition]) -> impl IntoView {
    let toc = definitions
        .iter()
        .map(|d| view! { <li><a href=format!("#instrument-{}", d.id)>{localized(&d.title)}</a></li> })
        .collect_view();
    view! {
        <nav class="toc" aria-labelledby="toc-h">
            <h2 id="toc-h">{ts(|s| s.contents)}</h2>
            <ol>{toc}</ol>
        </nav>
        {definitions.iter().map(section).collect_view()}
    }
}

/// One fact: its class (the test hook), its name, and its values. Every value is a
/// `Signal<String>` so that the `<dd>` view is compiled once.
type Fact = (&'static str, StaffPick, Vec<Signal<String>>);

/// One instrument's facts in a `<dl>`.
fn section(d: &'static Definition) -> impl IntoView {
    let ui = use_ui();
    let words = move |describe: fn(&Definition, Lang) -> String| Signal::derive(move || describe(d, ui.lang.get()));
    let fixed = |value: String| Signal::stored(value);
    let bands = d.bands.iter().map(|b| Signal::derive(move || describe::band(b, ui.lang.get()))).collect();
    let licence = &d.licence;
    let facts: [Fact; 11] = [
        ("id", |s| s.f_id, vec![fixed(format!("{} · v{}", d.id, d.version))]),
        ("population", |s| s.f_population, vec![words(describe::population)]),
        ("items", |s| s.f_items, vec![fixed(d.items.len().to_string())]),
        ("recall", |s| s.f_recall, vec![localized(&d.recall_period)]),
        ("scoring", |s| s.f_scoring, vec![words(describe::scoring)]),
        ("bands", |s| s.f_bands, bands),
        ("cutoff", |s| s.f_cutoff, vec![words(describe::cutoff)]),
        ("missing-data", |s| s.f_missing, vec![words(describe::missing)]),
        (
            "licence",
            |s| s.f_licence,
            vec![fixed(licence.id.clone()), fixed(licence.statement.clone()), words(describe::checked)],
        ),
        ("citations", |s| s.f_citations, d.citations.iter().cloned().map(fixed).collect()),
        ("languages", |s| s.f_languages, vec![fixed(describe::languages(d))]),
    ];
    let facts = facts
        .into_iter()
        .map(|(class, name, values)| {
            let values = values.into_iter().map(|value| view! { <dd>{value}</dd> }).collect_view();
            view! {
                <div class=class>
                    <dt>{ts(name)}</dt>
                    {values}
                </div>
            }
        })
        .collect_view();
    view! {
        <section id=format!("instrument-{}", d.id) class="ref" tabindex="-1">
            <h2>{localized(&d.title)}</h2>
            <dl>{facts}</dl>
        </section>
    }
}
