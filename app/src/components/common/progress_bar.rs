//! How far the respondent is.

use leptos::prelude::*;

use crate::i18n::{fill, use_ui};
use crate::state::Progress;

/// A native `<progress>` of answered over required questions, with the count in
/// words (which also labels the bar for screen readers). `progress` is recomputed on
/// read; it is a count over a few dozen questions.
#[component]
pub fn ProgressBar<F>(progress: F) -> impl IntoView
where
    F: Fn() -> Progress + Copy + Send + Sync + 'static,
{
    let ui = use_ui();
    view! {
        <div class="progress">
            <progress
                max=move || progress().required.max(1)
                value=move || progress().answered
                aria-labelledby="progress-text"
            ></progress>
            <span id="progress-text">
                {move || {
                    let p = progress();
                    fill(ui.lang.get().strings().progress, p.answered, p.required)
                }}
            </span>
        </div>
    }
}
