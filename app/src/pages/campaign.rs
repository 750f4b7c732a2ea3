//! The respondent page `/c/{code}`: load the campaign once, then introduction,
//! questions and result run entirely in the browser.

use instruments::scoring::is_shown;
use instruments::wire::Campaign;
use instruments::{Score, Text};
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::result::result_view;
use crate::api;
use crate::components::common::{Choice, CrisisBox, Load, LoadStatus, ProgressBar, RadioGroup};
use crate::i18n::{self, fill, text, tr, use_ui};
use crate::outbox::Sender;
use crate::platform;
use crate::state::{build_submission, cohort_dom_id, item_dom_id, BuildError, Responses};

/// Loads the campaign, then mounts the screening.
///
/// The screening is mounted once, into its own root, instead of being returned from
/// the reactive loading closure: views returned from a reactive closure must be able
/// to re-render in place, and that code, for the whole questionnaire, would not fit
/// the size budget. Within it, the introduction and the questions are built once,
/// on one page, and hidden once submitted; only the result is rendered on demand.
///
/// A loaded campaign is leaked to `&'static`: it lives as long as the page anyway (it
/// is fetched once), and every closure can then capture it by copy.
#[component]
pub fn CampaignPage(code: String) -> impl IntoView {
    let ui = use_ui();
    let state = RwSignal::new(Load::Loading);
    let screen = NodeRef::<leptos::html::Div>::new();
    // The page's code, for as long as the page lives.
    let code: &'static str = code.leak();

    let load = Callback::new(move |()| {
        state.set(Load::Loading);
        spawn_local(async move {
            match api::get_campaign(code).await {
                Ok(campaign) => {
                    let campaign: &'static Campaign = Box::leak(Box::new(campaign));
                    let browser = platform::navigator_language();
                    ui.offer(&i18n::offered(&campaign.locales), browser.as_deref());
                    state.set(Load::Ready);
                    if let Some(parent) = screen.get_untracked() {
                        leptos::mount::mount_to(parent.into(), move || screening(campaign, code)).forget();
                    }
                }
                Err(error) => state.set(Load::Failed(error)),
            }
        });
    });
    load.run(());
    view! {
        <LoadStatus state retry=load not_found=|s| s.unknown_campaign/>
        <div node_ref=screen></div>
    }
}

/// Introduction, questions and result of a loaded campaign.
///
/// The questions follow the introduction on the same page (Start only moves focus to
/// them), so nothing the respondent needs sits behind a button that might be missed.
fn screening(campaign: &'static Campaign, code: &'static str) -> impl IntoView {
    let sender = Sender::get();
    // The scores once submitted (leaked like the campaign: a few per page session).
    let done = RwSignal::new(None::<&'static [Score]>);
    let responses = RwSignal::new(Responses::new(campaign));
    super::follow_title(localized(&campaign.name));

    let go = move |scores: Option<&'static [Score]>, focus: &'static str| {
        done.set(scores);
        request_animation_frame(move || platform::focus(focus));
    };
    let start = move || platform::focus("questions-h");
    let submitted = move |scores: Vec<Score>| go(Some(scores.leak()), "result");
    // The next respondent on this device starts from a clean page.
    let again = move || {
        sender.forget_current();
        responses.set(Responses::new(campaign));
        go(None, "intro-h");
    };
    let result = move || done.get().map(|scores| result_view(campaign, scores, again));
    view! {
        <div hidden=move || done.with(Option::is_some)>
            {intro(campaign, start)}
            {questions(campaign, code, responses, submitted)}
        </div>
        {result}
    }
}

/// A definition text that follows the language switch.
pub(super) fn localized(t: &'static Text) -> Signal<String> {
    let ui = use_ui();
    Signal::derive(move || text(t, ui.lang.get()).to_owned())
}

/// Name, privacy statement, where to get help, and Start.
fn intro(campaign: &'static Campaign, start: impl Fn() + 'static) -> impl IntoView {
    view! {
        <h1 id="intro-h" tabindex="-1">{localized(&campaign.name)}</h1>
        <section class="privacy">
            <h2>{tr(|s| s.privacy_title)}</h2>
            <p>{tr(|s| s.privacy[0])}</p>
            <p>{tr(|s| s.privacy[1])}</p>
            <p>{tr(|s| s.privacy[2])}</p>
        </section>
        <CrisisBox resources=&campaign.crisis_resources urgent=false/>
        <button type="button" class="primary" on:click=move |_| start()>{tr(|s| s.start)}</button>
    }
}

/// Every cohort question and every item of every instrument, with progress and the
/// submit button.
fn questions(
    campaign: &'static Campaign,
    code: &'static str,
    responses: RwSignal<Responses>,
    on_submitted: impl Fn(Vec<Score>) + 'static,
) -> impl IntoView {
    let ui = use_ui();
    let sender = Sender::get();
    let progress = move || responses.with(|r| r.progress(campaign));

    let cohort = (!campaign.cohort.is_empty()).then(|| {
        let groups = campaign
            .cohort
            .iter()
            .map(|attribute| {
                let id: &'static str = &attribute.id;
                let choices = attribute
                    .values
                    .iter()
                    .map(|v| Choice { value: v.clone(), label: Signal::stored(v.clone()) })
                    .collect();
                view! {
                    <RadioGroup
                        id=cohort_dom_id(id)
                        question=localized(&attribute.label)
                        required=true
                        choices
                        selected=Signal::derive(move || {
                            responses.with(|r| r.cohort(id).map(str::to_owned))
                        })
                        on_select=Callback::new(move |value: String| {
                            responses.update(|r| r.set_cohort(id, &value))
                        })
                    />
                }
            })
            .collect_view();
        view! {
            <section class="block">
                <h3>{tr(|s| s.about_you)}</h3>
                {groups}
            </section>
        }
    });

    let instruments = campaign
        .instruments
        .iter()
        .enumerate()
        .map(|(i, definition)| {
            let items = (0..definition.items.len())
                .map(|n| {
                    if definition.items[n].show_if.is_none() {
                        Either::Left(item_group(campaign, responses, i, n))
                    } else {
                        // Hidden items leave the page (and the answers, see
                        // `Responses::set_answer`), not just the screen.
                        let shown =
                            move || responses.with(|r| is_shown(definition, &definition.items[n].id, r.answers(i)));
                        Either::Right(view! { <Show when=shown>{item_group(campaign, responses, i, n)}</Show> })
                    }
                })
                .collect_view();
            view! {
                <section class="block">
                    <h3>{localized(&definition.title)}</h3>
                    <p class="stem">{localized(&definition.instructions)}</p>
                    {items}
                </section>
            }
        })
        .collect_view();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let built = responses.with_untracked(|r| build_submission(campaign, r, platform::new_uuid()));
        match built {
            Ok((request, scores)) => {
                sender.submit(code.to_owned(), &request);
                on_submitted(scores);
            }
            // Explains what is missing by taking the respondent there.
            Err(BuildError::Incomplete(question)) => platform::focus(&question.dom_id(campaign)),
            // Cannot happen for answers given on this page; say so rather than hang.
            Err(BuildError::Score(e)) => platform::alert(&e.to_string()),
        }
    };

    view! {
        <h2 id="questions-h" class="questions-h" tabindex="-1">{tr(|s| s.questions_title)}</h2>
        <ProgressBar progress/>
        <form on:submit=on_submit novalidate>
            {cohort}
            {instruments}
            <div class="actions">
                <p id="missing" class="missing">
                    {move || {
                        let p = progress();
                        (!p.is_complete()).then(|| fill(ui.lang.get().strings().missing, p.left(), 0))
                    }}
                </p>
                <button type="submit" class="primary" aria-describedby="missing">{tr(|s| s.submit)}</button>
            </div>
        </form>
    }
}

/// The radio group of item `n` of instrument `i`.
fn item_group(campaign: &'static Campaign, responses: RwSignal<Responses>, i: usize, n: usize) -> impl IntoView {
    let definition = &campaign.instruments[i];
    let item = &definition.items[n];
    let choices = definition
        .options_of(item)
        .iter()
        .map(|option| Choice { value: option.value.to_string(), label: localized(&option.label) })
        .collect();
    let selected = Signal::derive(move || responses.with(|r| r.answer(i, &item.id).map(|v| v.to_string())));
    let on_select = Callback::new(move |value: String| {
        if let Ok(value) = value.parse::<i64>() {
            responses.update(|r| r.set_answer(definition, i, &item.id, value));
        }
    });
    view! {
        <RadioGroup
            id=item_dom_id(&definition.id, &item.id)
            question=localized(&item.text)
            number=format!("{}. ", n + 1)
            required=item.required
            choices
            selected
            on_select
        />
    }
}
