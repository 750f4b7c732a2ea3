//! Campaigns: `/staff/org/{id}/new-campaign` and `/staff/org/{id}/campaign/{code}`
//! (details, open/close, access codes, editing). One form serves both.

use std::sync::Arc;

use instruments::definition::Definition;
use instruments::wire::staff::{AccessCode, Anonymity, CampaignDetail, CampaignState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{ages, CampaignDraft, CohortDraft};
use super::org::state_name;
use super::ui::{self, checkbox, input, load, show, textarea, FormError};
use crate::api;
use crate::i18n::{localized_owned, ts, use_ui, StaffPick};
use crate::platform;

/// Fields the server may name, as form keys.
const FIELDS: &[&str] = &[
    "code",
    "name",
    "instruments",
    "cohort",
    "opens_on",
    "closes_on",
    "locales",
    "crisis_resources",
    "anonymity",
    "min_group_size",
    "consent",
    "min_age",
    "max_age",
    "guardian_consent",
];

/// `/staff/org/{org}/new-campaign`.
pub fn new_page(org: i64) -> impl IntoView {
    super::follow_title(|s| s.new_campaign);
    let (library, _) = load(ui::library);
    let form = show(library, move |library: &Arc<Vec<Definition>>| {
        let today = platform::today(0);
        let draft = CampaignDraft::new(today, platform::today(28));
        campaign_form(org, None, draft, library.clone())
    });
    view! {
        <p>
            <a href=format!("/staff/org/{org}#campaigns")>{ts(|s| s.back_org)}</a>
        </p>
        <h1>{ts(|s| s.new_campaign)}</h1>
        {form}
    }
}

/// `/staff/org/{org}/campaign/{code}`.
pub fn page(org: i64, code: String) -> impl IntoView {
    super::follow_title(|s| s.campaign);
    let code_for_load = code.clone();
    let (data, reload) = load(move || {
        let code = code_for_load.clone();
        async move {
            let library = ui::library().await?;
            let campaign = api::staff::campaign(org, &code).await?;
            Ok((library, campaign))
        }
    });
    let body = show(data, move |(library, c): &(Arc<Vec<Definition>>, CampaignDetail)| {
        let code = c.spec.code.clone();
        let link = format!("{}/c/{code}", platform::origin());
        let coded = c.spec.anonymity == Anonymity::Coded;
        let mode: StaffPick = match c.spec.anonymity {
            Anonymity::Anonymous => |s| s.anonymous,
            Anonymity::Coded => |s| s.coded,
            Anonymity::Panel => |s| s.panel,
        };
        let closed = c.state == CampaignState::Closed;
        let facts: Vec<(crate::i18n::StaffPick, String)> = vec![
            (|s| s.dates, format!("{} – {}", c.spec.opens_on, c.spec.closes_on)),
            (|s| s.submissions, c.submissions.to_string()),
        ];
        let facts =
            facts.into_iter().map(|(pick, v)| view! { <div><dt>{ts(pick)}</dt><dd>{v}</dd></div> }).collect_view();
        view! {
            <h1 id="campaign-name">{localized_owned(c.spec.name.clone())} " (" {code.clone()} ")"</h1>
            <dl class="facts">
                <div>
                    <dt>{ts(|s| s.state)}</dt>
                    <dd id="campaign-state" data-state=format!("{:?}", c.state)>
                        {ts(state_name(c.state))}
                    </dd>
                </div>
                <div>
                    <dt>{ts(|s| s.link)}</dt>
                    <dd>
                        <a id="campaign-link" href=link.clone()>{link.clone()}</a>
                    </dd>
                </div>
                <div>
                    <dt>{ts(|s| s.anonymity)}</dt>
                    <dd id="campaign-mode">{ts(mode)}</dd>
                </div>
                {facts}
            </dl>
            {state_button(org, code.clone(), closed, reload)}
            {coded.then(|| codes(org, code.clone(), c.codes_issued, c.codes_used))}
            <details class="box">
                <summary>{ts(|s| s.edit)}</summary>
                {campaign_form(org, Some(reload), CampaignDraft::from_spec(&c.spec), library.clone())}
            </details>
        }
    });
    view! {
        <p>
            <a href=format!("/staff/org/{org}#campaigns")>{ts(|s| s.back_org)}</a>
        </p>
        {body}
    }
}

fn state_button(org: i64, code: String, closed: bool, reload: Callback<()>) -> impl IntoView {
    let error = FormError::new();
    let on_click = move |_| {
        let code = code.clone();
        error.clear();
        spawn_local(async move {
            let result = api::staff::set_campaign_state(org, &code, !closed).await;
            ui::watch(&result);
            match result {
                Ok(()) => reload.run(()),
                Err(e) => error.server(&e, &[]),
            }
        });
    };
    view! {
        <button type="button" id="campaign-state-button" on:click=on_click>
            {ts(if closed { |s| s.reopen } else { |s| s.close_now })}
        </button>
        {error.at("")}
    }
}

/// Access codes: generate more, see which are used, download them.
fn codes(org: i64, code: String, issued: i64, used: i64) -> impl IntoView {
    let url = api::staff::access_codes_url(org, &code);
    let code_for_load = code.clone();
    let (list, reload) = load(move || {
        let code = code_for_load.clone();
        async move { api::staff::access_codes(org, &code).await }
    });
    let count = RwSignal::new("30".to_owned());
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let Ok(n) = count.get_untracked().trim().parse::<u32>() else {
            error.local("count", |s| s.not_a_number);
            return;
        };
        let code = code.clone();
        spawn_local(async move {
            let result = api::staff::generate_codes(org, &code, n).await;
            ui::watch(&result);
            match result {
                Ok(_) => reload.run(()),
                Err(e) => error.server(&e, &["count"]),
            }
        });
    };
    let list = show(list, |codes: &Vec<AccessCode>| {
        codes
            .iter()
            .map(|c| {
                view! {
                    <li class="access-code" data-used=c.used.to_string()>
                        <code>{c.code.clone()}</code>
                        {c.used.then(|| view! { " " <span class="hint">{ts(|s| s.used)}</span> })}
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <section id="codes" aria-labelledby="codes-h">
            <h2 id="codes-h">{ts(|s| s.access_codes)}</h2>
            <p class="hint">{ts(|s| s.codes_issued)} " " {issued} " · " {ts(|s| s.used)} " " {used}</p>
            <form id="generate-codes" on:submit=on_submit>
                {input("code-count", |s| s.how_many, count, "number", Some((error, "count")))}
                {error.at("")}
                <button type="submit" id="generate-codes-button" class="primary">{ts(|s| s.generate)}</button>
            </form>
            <p>
                <a id="codes-csv" href=format!("{url}.csv") download>{ts(|s| s.download_csv)}</a>
                " · "
                <a id="codes-slips" href=format!("{url}/slips") target="_blank">{ts(|s| s.print_slips)}</a>
            </p>
            <ul id="access-codes" class="codes">{list}</ul>
        </section>
    }
}

/// The campaign form: creating (`reload` is `None`: then go to the new campaign) or
/// editing (then reload the page's data).
fn campaign_form(
    org: i64,
    reload: Option<Callback<()>>,
    draft: CampaignDraft,
    library: Arc<Vec<Definition>>,
) -> impl IntoView {
    let editing = reload.is_some();
    let original_code = draft.code.clone();
    let f = Form::new(draft);
    let error = FormError::new();
    let saved = RwSignal::new(false);
    let library_for_submit = library.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        saved.set(false);
        let spec = match f.draft().to_spec(&library_for_submit) {
            Ok(spec) => spec,
            Err((key, pick)) => {
                error.local(key, pick);
                return;
            }
        };
        let original = original_code.clone();
        spawn_local(async move {
            if let Some(reload) = reload {
                let result = api::staff::update_campaign(org, &original, &spec).await;
                ui::watch(&result);
                match result {
                    Ok(()) => {
                        saved.set(true);
                        reload.run(());
                    }
                    Err(e) => error.server(&e, FIELDS),
                }
            } else {
                let result = api::staff::create_campaign(org, &spec).await;
                ui::watch(&result);
                match result {
                    Ok(c) => platform::navigate(&format!("/staff/org/{org}/campaign/{}", c.spec.code)),
                    Err(e) => error.server(&e, FIELDS),
                }
            }
        });
    };
    let ui = use_ui();
    let instruments = library
        .iter()
        .map(|d| {
            let id = d.id.clone();
            let checked = {
                let id = id.clone();
                move || f.instruments.with(|chosen| chosen.contains(&id))
            };
            let toggle = {
                let id = id.clone();
                move |ev| {
                    let on = event_target_checked(&ev);
                    f.instruments.update(|chosen| {
                        chosen.retain(|c| *c != id);
                        if on {
                            chosen.push(id.clone());
                        }
                    });
                }
            };
            let title = localized_owned(d.title.clone());
            let ages = ages(d);
            view! {
                <label class="check">
                    <input type="checkbox" id=format!("f-instrument-{id}") data-instrument=id.clone() prop:checked=checked on:change=toggle/>
                    <span>{title} " " <span class="hint">"(" {move || ui.lang.get().staff().ages} " " {ages.clone()} ")"</span></span>
                </label>
            }
        })
        .collect_view();
    let cohort_rows = move || {
        let rows = f.cohort.with(Vec::len);
        (0..rows).map(|i| cohort_row(f, i)).collect_view()
    };
    view! {
        <form id="campaign-form" class="campaign-form" on:submit=on_submit novalidate>
            <div class="field">
                <label for="f-code">{ts(|s| s.code)}</label>
                <p class="hint" id="f-code-hint">{ts(|s| s.code_hint)}</p>
                <input
                    id="f-code"
                    aria-describedby="f-code-hint"
                    autocapitalize="characters"
                    readonly=editing
                    prop:value=f.code
                    on:input=move |ev| f.code.set(event_target_value(&ev))
                />
                {error.at("code")}
            </div>
            <fieldset>
                <legend>{ts(|s| s.name)}</legend>
                {input("f-name-zh", |s| s.in_chinese, f.name_zh, "text", None)}
                {input("f-name-en", |s| s.in_english, f.name_en, "text", None)}
                {error.at("name")}
            </fieldset>
            <fieldset id="f-instruments">
                <legend>{ts(|s| s.instruments)}</legend>
                {instruments}
                {error.at("instruments")}
            </fieldset>
            <fieldset>
                <legend>{ts(|s| s.ages)}</legend>
                {input("f-min-age", |s| s.min_age, f.min_age, "number", Some((error, "min_age")))}
                {input("f-max-age", |s| s.max_age, f.max_age, "number", Some((error, "max_age")))}
                {checkbox("f-guardian", |s| s.guardian_consent, f.guardian_consent)}
                <p class="hint">{ts(|s| s.guardian_hint)}</p>
                {error.at("guardian_consent")}
            </fieldset>
            <fieldset id="f-cohort">
                <legend>{ts(|s| s.cohort)}</legend>
                <p class="hint">{ts(|s| s.cohort_hint)}</p>
                {cohort_rows}
                <button
                    type="button"
                    id="f-cohort-add"
                    on:click=move |_| f.cohort.update(|c| c.push(CohortDraft::default()))
                >
                    {ts(|s| s.add_question)}
                </button>
                {error.at("cohort")}
            </fieldset>
            <fieldset>
                <legend>{ts(|s| s.dates)}</legend>
                {input("f-opens", |s| s.opens_on, f.opens_on, "date", Some((error, "opens_on")))}
                {input("f-closes", |s| s.closes_on, f.closes_on, "date", Some((error, "closes_on")))}
            </fieldset>
            <fieldset>
                <legend>{ts(|s| s.anonymity)}</legend>
                {anonymity_choice(f.anonymity, Anonymity::Anonymous, "f-anonymous", |s| s.anonymous, |s| s.anonymous_hint)}
                {anonymity_choice(f.anonymity, Anonymity::Coded, "f-coded", |s| s.coded, |s| s.coded_hint)}
                {anonymity_choice(f.anonymity, Anonymity::Panel, "f-panel", |s| s.panel, |s| s.panel_hint)}
                {error.at("anonymity")}
            </fieldset>
            <div class="field">
                <label for="f-visibility">{ts(|s| s.result_visibility)}</label>
                <select
                    id="f-visibility"
                    prop:value=f.result_visibility
                    on:change=move |ev| f.result_visibility.set(event_target_value(&ev))
                >
                    <option value="">{ts(|s| s.visibility_default)}</option>
                    <option value="full">{ts(|s| s.visibility_full)}</option>
                    <option value="band">{ts(|s| s.visibility_band)}</option>
                    <option value="none">{ts(|s| s.visibility_none)}</option>
                </select>
                {error.at("result_visibility")}
            </div>
            <fieldset>
                <legend>{ts(|s| s.locales)}</legend>
                {checkbox("f-zh", |s| s.in_chinese, f.zh)}
                {checkbox("f-en", |s| s.in_english, f.en)}
                {error.at("locales")}
            </fieldset>
            <fieldset>
                <legend>{ts(|s| s.crisis_resources)}</legend>
                {textarea("f-crisis-zh", |s| s.in_chinese, f.crisis_zh)}
                {textarea("f-crisis-en", |s| s.in_english, f.crisis_en)}
                {error.at("crisis_resources")}
            </fieldset>
            <fieldset>
                <legend>{ts(|s| s.consent_text)}</legend>
                <p class="hint">{ts(|s| s.consent_hint)}</p>
                {textarea("f-consent-zh", |s| s.in_chinese, f.consent_zh)}
                {textarea("f-consent-en", |s| s.in_english, f.consent_en)}
                {error.at("consent")}
            </fieldset>
            {input("f-min-group", |s| s.min_group_size, f.min_group_size, "number", Some((error, "min_group_size")))}
            <p class="hint">{ts(|s| s.min_group_hint)}</p>
            {error.at("")}
            <p class="notice" role="status" hidden=move || !saved.get()>{ts(|s| s.saved)}</p>
            <button type="submit" id="campaign-save" class="primary">
                {ts(if editing { |s| s.save } else { |s| s.create })}
            </button>
        </form>
    }
}

/// One cohort question's inputs.
fn cohort_row(f: Form, i: usize) -> impl IntoView {
    let bind = move |get: fn(&CohortDraft) -> &String, set: fn(&mut CohortDraft) -> &mut String| {
        let value = move || f.cohort.with(|c| c.get(i).map(|row| get(row).clone()).unwrap_or_default());
        let on_input = move |ev| {
            let text = event_target_value(&ev);
            f.cohort.update(|c| {
                if let Some(row) = c.get_mut(i) {
                    *set(row) = text;
                }
            });
        };
        (value, on_input)
    };
    let fields: [(&'static str, crate::i18n::StaffPick, _); 4] = [
        ("id", |s| s.cohort_id, bind(|r| &r.id, |r| &mut r.id)),
        ("label-zh", |s| s.cohort_label_zh, bind(|r| &r.label_zh, |r| &mut r.label_zh)),
        ("label-en", |s| s.cohort_label_en, bind(|r| &r.label_en, |r| &mut r.label_en)),
        ("values", |s| s.cohort_values, bind(|r| &r.values, |r| &mut r.values)),
    ];
    let inputs = fields
        .into_iter()
        .map(|(name, label, (value, on_input))| {
            let id = format!("f-cohort-{i}-{name}");
            view! {
                <div class="field">
                    <label for=id.clone()>{ts(label)}</label>
                    <input id=id prop:value=value on:input=on_input/>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="cohort-row box" data-row=i>
            {inputs}
            <button type="button" on:click=move |_| f.cohort.update(|c| {
                if i < c.len() {
                    c.remove(i);
                }
            })>{ts(|s| s.remove)}</button>
        </div>
    }
}

/// The form's fields as signals (`Copy`, so every handler can hold them).
#[derive(Clone, Copy)]
struct Form {
    code: RwSignal<String>,
    name_zh: RwSignal<String>,
    name_en: RwSignal<String>,
    instruments: RwSignal<Vec<String>>,
    cohort: RwSignal<Vec<CohortDraft>>,
    opens_on: RwSignal<String>,
    closes_on: RwSignal<String>,
    zh: RwSignal<bool>,
    en: RwSignal<bool>,
    crisis_zh: RwSignal<String>,
    crisis_en: RwSignal<String>,
    anonymity: RwSignal<Anonymity>,
    result_visibility: RwSignal<String>,
    min_group_size: RwSignal<String>,
    consent_zh: RwSignal<String>,
    consent_en: RwSignal<String>,
    min_age: RwSignal<String>,
    max_age: RwSignal<String>,
    guardian_consent: RwSignal<bool>,
}

impl Form {
    fn new(d: CampaignDraft) -> Self {
        Self {
            code: RwSignal::new(d.code),
            name_zh: RwSignal::new(d.name_zh),
            name_en: RwSignal::new(d.name_en),
            instruments: RwSignal::new(d.instruments),
            cohort: RwSignal::new(d.cohort),
            opens_on: RwSignal::new(d.opens_on),
            closes_on: RwSignal::new(d.closes_on),
            zh: RwSignal::new(d.zh),
            en: RwSignal::new(d.en),
            crisis_zh: RwSignal::new(d.crisis_zh),
            crisis_en: RwSignal::new(d.crisis_en),
            anonymity: RwSignal::new(d.anonymity),
            result_visibility: RwSignal::new(d.result_visibility),
            min_group_size: RwSignal::new(d.min_group_size),
            consent_zh: RwSignal::new(d.consent_zh),
            consent_en: RwSignal::new(d.consent_en),
            min_age: RwSignal::new(d.min_age),
            max_age: RwSignal::new(d.max_age),
            guardian_consent: RwSignal::new(d.guardian_consent),
        }
    }

    fn draft(self) -> CampaignDraft {
        CampaignDraft {
            code: self.code.get_untracked(),
            name_zh: self.name_zh.get_untracked(),
            name_en: self.name_en.get_untracked(),
            instruments: self.instruments.get_untracked(),
            cohort: self.cohort.get_untracked(),
            opens_on: self.opens_on.get_untracked(),
            closes_on: self.closes_on.get_untracked(),
            zh: self.zh.get_untracked(),
            en: self.en.get_untracked(),
            crisis_zh: self.crisis_zh.get_untracked(),
            crisis_en: self.crisis_en.get_untracked(),
            anonymity: self.anonymity.get_untracked(),
            result_visibility: self.result_visibility.get_untracked(),
            min_group_size: self.min_group_size.get_untracked(),
            consent_zh: self.consent_zh.get_untracked(),
            consent_en: self.consent_en.get_untracked(),
            min_age: self.min_age.get_untracked(),
            max_age: self.max_age.get_untracked(),
            guardian_consent: self.guardian_consent.get_untracked(),
        }
    }
}

/// One way respondents take part, as a radio button with what it means.
fn anonymity_choice(
    chosen: RwSignal<Anonymity>,
    value: Anonymity,
    id: &'static str,
    label: StaffPick,
    hint: StaffPick,
) -> impl IntoView {
    view! {
        <label class="check">
            <input
                type="radio"
                name="f-anonymity"
                id=id
                prop:checked=move || chosen.get() == value
                on:change=move |_| chosen.set(value)
            />
            <span>{ts(label)} " — " {ts(hint)}</span>
        </label>
    }
}
