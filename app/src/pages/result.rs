//! The result region shown after submitting.
//!
//! Test hooks (kept stable for the browser tests): `#result` is the region,
//! `[data-instrument=<id>]` each instrument's block, `.total` its number, `.band` its
//! band label, `.respondent-code` the server's code, `.crisis` the urgent help box.
//! What is shown follows the campaign's `result_visibility` (`data-show`, applied by
//! the stylesheet: the cheapest way on a page with a weight budget): everything, the
//! band only, or no score (a thank-you); crisis resources whatever the setting.

use instruments::wire::Campaign;
use instruments::Score;
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::common::CrisisBox;
use crate::i18n::{format_total, localized, tr, Strings};
use crate::outbox::{Delivery, Sender};
use crate::state::is_critical;

/// Scores per instrument, the delivery state and respondent code, and crisis
/// resources (first, when a score raised a critical flag).
///
/// The scores shown are the browser's. They are final as soon as they are computed:
/// the server re-scores with the same engine and refuses a submission whose
/// `client_score` disagrees, so a respondent code never comes with other numbers.
pub fn result_view(campaign: &'static Campaign, scores: &'static [Score], again: impl Fn() + 'static) -> impl IntoView {
    let sender = Sender::get();
    let definition = move |score: &Score| campaign.instruments.iter().find(|d| d.id == score.instrument);
    let critical = scores.iter().any(|score| is_critical(definition(score), score));
    let blocks = scores
        .iter()
        .map(|score| {
            let definition = definition(score);
            let band = match (definition, &score.band) {
                (_, None) => {
                    let text = tr(|s| s.not_scorable);
                    Signal::derive(move || text().to_owned())
                }
                (Some(d), Some(id)) => match d.bands.iter().find(|b| &b.id == id) {
                    Some(b) => localized(&b.label),
                    None => Signal::stored(id.clone()),
                },
                (None, Some(id)) => Signal::stored(id.clone()),
            };
            view! {
                <div class="score" data-instrument=score.instrument.clone()>
                    <h3>{definition.map(|d| localized(&d.title))}</h3>
                    <p class="tl">
                        <span class="k">{tr(|s| s.total)}</span>
                        " "
                        <span class="total">{format_total(score.total)}</span>
                    </p>
                    <p>
                        <span class="k">{tr(|s| s.level)}</span>
                        " "
                        <span class="band">{band}</span>
                    </p>
                </div>
            }
        })
        .collect_view();
    let delivery = move || {
        sender.delivery.with(|delivery| match delivery {
            Some(Delivery::Delivered(receipt)) => Either::Left(view! {
                <p class="code">
                    {tr(|s| s.code_label)}
                    <strong class="respondent-code">{receipt.respondent_code.clone()}</strong>
                </p>
                <p class="hint">{tr(|s| s.code_hint)}</p>
            }),
            other => {
                let (class, pick, detail): (_, fn(&'static Strings) -> &'static str, _) = match other {
                    Some(Delivery::Queued) => ("notice", |s| s.queued, String::new()),
                    Some(Delivery::Rejected(message)) => ("error", |s| s.rejected, message.clone()),
                    Some(Delivery::Unreadable) => ("notice", |s| s.unreadable, String::new()),
                    _ => ("sending", |s| s.sending, String::new()),
                };
                Either::Right(view! { <p class=class>{tr(pick)} {detail}</p> })
            }
        })
    };
    let resources = &campaign.crisis_resources;
    view! {
        <section
            id="result"
            role="status"
            tabindex="-1"
            aria-labelledby="result-h"
            data-show=campaign.result_visibility.as_str()
        >
            {critical.then(|| view! { <CrisisBox resources urgent=true/> })}
            <h2 id="result-h">
                <span class="rt">{tr(|s| s.results_title)}</span>
                <span class="th">{tr(|s| s.thanks)}</span>
            </h2>
            {blocks}
            <p class="hint nd">{tr(|s| s.not_diagnosis)}</p>
            {delivery}
            {(!critical).then(|| view! { <CrisisBox resources urgent=false/> })}
        </section>
        <button type="button" class="again" on:click=move |_| again()>{tr(|s| s.again)}</button>
    }
}
