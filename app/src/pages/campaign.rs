//! The respondent page `/c/{code}`: load the campaign once, then access code (coded
//! campaigns), consent, questions and result run entirely in the browser.
//!
//! Test hooks (kept stable for the browser tests): `#access-code` the access code
//! input, `#access-error` its message, `#consent` the consent form with `#guardian`,
//! `#agree` and `#decline`, `#declined` the end after declining, `#unavailable` the
//! message of a campaign that is not open.

use instruments::scoring::is_shown;
use instruments::wire::{Anonymity, Campaign, CampaignState, ConsentGiven};
use instruments::Score;
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::result::result_view;
use crate::api::{self, ApiClientError};
use crate::components::common::{Choice, CrisisBox, Load, LoadStatus, ProgressBar, RadioGroup};
use crate::i18n::{self, fill, localized, tr, use_ui};
use crate::outbox::Sender;
use crate::platform;
use crate::state::{build_submission, cohort_dom_id, item_dom_id, normalize_access_code, BuildError, Responses};

/// Loads the campaign, then mounts the screening.
///
/// The screening is mounted once, into its own root, instead of being returned from
/// the reactive loading closure: views returned from a reactive closure must be able
/// to re-render in place, and that code, for the whole questionnaire, would not fit
/// the size budget. Within it, each step (access code, consent, questions) is built
/// once and hidden when it is not the current one; only the result is rendered on
/// demand.
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

/// Where the respondent is in a screening.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Coded campaigns: typing the access code.
    Code,
    /// Reading what happens to the answers; agreeing or not.
    Consent,
    /// Said no: nothing is sent or stored.
    Declined,
    /// Answering.
    Questions,
    /// Submitted: the result is shown.
    Done,
}

/// A loaded campaign: a message when it is not open, else its steps.
fn screening(campaign: &'static Campaign, code: &'static str) -> impl IntoView {
    super::follow_title(localized(&campaign.name));
    let body = match campaign.state {
        CampaignState::Open => Either::Left(steps(campaign, code)),
        state => Either::Right(unavailable(campaign, state)),
    };
    view! {
        <h1 id="intro-h" tabindex="-1">{localized(&campaign.name)}</h1>
        {body}
    }
}

/// Not yet open (with the opening day) or ended: no questions.
fn unavailable(campaign: &'static Campaign, state: CampaignState) -> impl IntoView {
    let ui = use_ui();
    let message = move || {
        let s = ui.lang.get().strings();
        if state == CampaignState::NotYetOpen {
            s.not_open.replace("{d}", &campaign.opens_on)
        } else {
            s.closed.to_owned()
        }
    };
    view! {
        <p id="unavailable" class="notice" role="status">{message}</p>
        <CrisisBox resources=&campaign.crisis_resources urgent=false/>
    }
}

/// Access code (coded campaigns), consent, questions and result. Each step is built
/// once and hidden when it is not the current one; only the result is rendered on
/// demand.
fn steps(campaign: &'static Campaign, code: &'static str) -> impl IntoView {
    let sender = Sender::get();
    let first = if campaign.anonymity.takes_code() { Step::Code } else { Step::Consent };
    let step = RwSignal::new(first);
    // The access code as typed, and once the server accepted it.
    let typed = RwSignal::new(String::new());
    let access = RwSignal::new(None::<String>);
    // The scores once submitted (leaked like the campaign: a few per page session).
    let done = RwSignal::new(None::<&'static [Score]>);
    let responses = RwSignal::new(Responses::new(campaign));

    let go = move |next: Step, focus: &'static str| {
        step.set(next);
        request_animation_frame(move || platform::focus(focus));
    };
    let hidden = move |shown: Step| move || step.get() != shown;
    let submitted = move |scores: Vec<Score>| {
        done.set(Some(scores.leak()));
        go(Step::Done, "result");
    };
    // The next respondent on this device starts from a clean page.
    let again = move || {
        sender.forget_current();
        responses.set(Responses::new(campaign));
        typed.set(String::new());
        access.set(None);
        done.set(None);
        go(first, "intro-h");
    };
    // The guardian box is `required`, so the consent form was only sent ticked.
    let agreed = move || {
        let consent = ConsentGiven { health: true, guardian: campaign.guardian_consent.then_some(true) };
        (consent, access.get_untracked())
    };
    let code_step = (first == Step::Code).then(|| {
        let accepted = move |checked: String| {
            access.set(Some(checked));
            go(Step::Consent, "consent-h");
        };
        view! { <div hidden=hidden(Step::Code)>{access_form(code, typed, accepted)}</div> }
    });
    let result = move || done.get().map(|scores| result_view(campaign, scores, again));
    view! {
        {code_step}
        <div hidden=hidden(Step::Consent)>
            {consent_form(
                campaign,
                step,
                move || {
                    responses.update(|r| r.questions_shown(platform::page_ms()));
                    go(Step::Questions, "questions-h")
                },
                move || go(Step::Declined, "declined"),
            )}
        </div>
        <section id="declined" tabindex="-1" hidden=hidden(Step::Declined)>
            <p class="notice">{tr(|s| s.declined)}</p>
            <CrisisBox resources=&campaign.crisis_resources urgent=false/>
            <button type="button" class="again" on:click=move |_| again()>{tr(|s| s.again)}</button>
        </section>
        <div hidden=hidden(Step::Questions)>{questions(campaign, code, responses, agreed, submitted)}</div>
        {result}
    }
}

/// The access code, checked with the server before anything else is asked.
fn access_form(
    code: &'static str,
    typed: RwSignal<String>,
    accepted: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let ui = use_ui();
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let s = ui.lang.get_untracked().strings();
        let Some(access) = normalize_access_code(&typed.get_untracked()) else {
            error.set(Some(s.code_length.to_owned()));
            return;
        };
        error.set(Some(s.loading.to_owned()));
        spawn_local(async move {
            let outcome = api::check_access_code(code, access.clone()).await;
            error.set(match outcome {
                Ok(()) => {
                    accepted(access);
                    None
                }
                Err(ApiClientError::Network) => Some(s.offline.to_owned()),
                // Unknown or used: the server says which.
                Err(ApiClientError::Status { status: 422, message: Some(message), .. }) => Some(message),
                Err(e) => Some(format!("{}{e}", s.load_failed)),
            });
        });
    };
    view! {
        <form id="access" on:submit=on_submit novalidate>
            <h2>
                <label for="access-code">{tr(|s| s.code_title)}</label>
            </h2>
            <p id="access-hint" class="hint">{tr(|s| s.access_hint)}</p>
            <input
                id="access-code"
                class="code-input"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                aria-describedby="access-hint access-error"
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <p id="access-error" class="error" role="alert">{error}</p>
            <button type="submit" class="primary">{tr(|s| s.code_next)}</button>
        </form>
    }
}

/// What happens to the answers, in words true for the campaign's mode, the
/// campaign's own text, the guardian's agreement when asked, and the choice.
fn consent_form(
    campaign: &'static Campaign,
    step: RwSignal<Step>,
    agree: impl Fn() + 'static,
    decline: impl Fn() + 'static,
) -> impl IntoView {
    let mode = tr(match campaign.anonymity {
        Anonymity::Anonymous => |s| s.consent_anonymous,
        Anonymity::Coded => |s| s.consent_coded,
        Anonymity::Panel => |s| s.consent_panel,
    });
    let extra = localized(&campaign.consent);
    // A required checkbox: the browser itself keeps the form from being sent unticked.
    // Unticked again whenever the step changes, so the next respondent ticks it anew.
    let guardian_box = campaign.guardian_consent.then(|| {
        view! {
            <label class="opt">
                <input
                    type="checkbox"
                    id="guardian"
                    required
                    prop:checked=move || {
                        step.track();
                        false
                    }
                />
                <span>{tr(|s| s.guardian)}</span>
            </label>
        }
    });
    view! {
        <form
            id="consent"
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                agree();
            }
        >
            <h2 id="consent-h" tabindex="-1">{tr(|s| s.consent_title)}</h2>
            <p>{tr(|s| s.consent_common)}</p>
            <p>{mode}</p>
            <CrisisBox resources=&campaign.crisis_resources urgent=false/>
            <p class="consent-text" hidden=move || extra.with(String::is_empty)>{extra}</p>
            {guardian_box}
            <button type="submit" id="agree" class="primary">{tr(|s| s.agree)}</button>
            <button type="button" id="decline" class="again" on:click=move |_| decline()>{tr(|s| s.decline)}</button>
        </form>
    }
}

/// Every cohort question and every item of every instrument, with progress and the
/// submit button.
fn questions(
    campaign: &'static Campaign,
    code: &'static str,
    responses: RwSignal<Responses>,
    agreed: impl Fn() -> (ConsentGiven, Option<String>) + 'static,
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
        let (consent, access) = agreed();
        let built = responses.with_untracked(|r| build_submission(campaign, r, platform::new_uuid(), consent, access));
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
            responses.update(|r| {
                r.set_answer(definition, i, &item.id, value);
                r.answered_at(i, &item.id, platform::page_ms());
            });
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
