//! One question answered by choosing one option.

use leptos::prelude::*;

use crate::i18n::tr;

/// An option: the submitted value and its label.
pub struct Choice {
    /// The radio's `value`.
    pub value: String,
    /// The text of its `<label>`.
    pub label: Signal<String>,
}

/// A `role="radiogroup"` named by the question text (via `aria-labelledby`) holding
/// native radio buttons, each wrapped in its label, so keyboard use (Tab, arrows,
/// Space) and screen readers work without any script of ours. `id` is the group's
/// DOM id and the radios' shared `name`.
#[component]
pub fn RadioGroup(
    id: String,
    #[prop(into)] question: Signal<String>,
    /// Shown before the question, e.g. the item number `"3. "` (may be empty).
    #[prop(optional)]
    number: String,
    /// Whether an answer is required; optional questions say so after the text
    /// (outside the accessible name).
    required: bool,
    choices: Vec<Choice>,
    #[prop(into)] selected: Signal<Option<String>>,
    on_select: Callback<String>,
) -> impl IntoView {
    let text_id = format!("{id}-t");
    let radios = choices
        .into_iter()
        .map(|choice| {
            let value = choice.value;
            let checked = {
                let value = value.clone();
                move || selected.with(|s| s.as_deref() == Some(value.as_str()))
            };
            let chosen = value.clone();
            view! {
                <label class="opt">
                    <input
                        type="radio"
                        name=id.clone()
                        value=value
                        prop:checked=checked
                        on:change=move |_| on_select.run(chosen.clone())
                    />
                    <span>{choice.label}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="q" id=id.clone() role="radiogroup" aria-labelledby=text_id aria-required=required.to_string()>
            <p class="qt">
                <span class="n" aria-hidden="true">{number}</span>
                <span id=text_id.clone()>{question}</span>
                <span class="note" hidden=required>{tr(|s| s.optional)}</span>
            </p>
            <div class="opts">{radios}</div>
        </div>
    }
}
