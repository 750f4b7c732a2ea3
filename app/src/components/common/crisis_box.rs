//! Where to get help now.

use instruments::Text;
use leptos::prelude::*;

use crate::i18n::{crisis_resources, tr, use_ui};

/// The campaign's crisis resources. `urgent` is the prominent version shown first in
/// a result that raised a critical flag (class `crisis`, "if you are thinking about
/// hurting yourself…"); otherwise a quiet box ("Need help?", class `help`).
#[component]
pub fn CrisisBox(resources: &'static Text, urgent: bool) -> impl IntoView {
    let ui = use_ui();
    let lead = tr(if urgent { |s| s.crisis_lead } else { |s| s.help_title });
    view! {
        <div class=if urgent { "crisis" } else { "help" }>
            <p>
                <strong>{lead}</strong>
                {move || crisis_resources(resources, ui.lang.get())}
            </p>
        </div>
    }
}
