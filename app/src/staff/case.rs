//! A follow-up case: its summary (shared with the queue) and `/staff/case/{id}`, where
//! a counselor moves it on with a note.

use instruments::definition::{Definition, Severity};
use instruments::wire::staff::{Anonymity, CaseDetail, CaseState, CaseSummary, NewCaseEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{ago, cohort_line, format_time};
use super::ui::{self, load, show, FormError};
use crate::api;
use crate::describe;
use crate::i18n::{format_total, localized_owned, text, ts, use_ui, StaffPick};

pub fn severity_name(severity: Severity) -> StaffPick {
    match severity {
        Severity::Critical => |s| s.critical,
        Severity::High => |s| s.high,
        Severity::Info => |s| s.info,
    }
}

pub fn state_name(state: CaseState) -> StaffPick {
    match state {
        CaseState::Open => |s| s.case_open,
        CaseState::Acknowledged => |s| s.case_acknowledged,
        CaseState::Contacted => |s| s.case_contacted,
        CaseState::Referred => |s| s.case_referred,
        CaseState::Closed => |s| s.case_closed,
        CaseState::Lifted => |s| s.case_lifted,
    }
}

/// Overdue marker, severity, respondent code, campaign, cohort, scores, the rules
/// that flagged, state and age. `link`: the code links to the case page.
pub fn summary_view(c: &CaseSummary, library: &[Definition], now: i64, link: bool) -> impl IntoView {
    let ui = use_ui();
    let definition = |id: &str| library.iter().find(|d| d.id == id).cloned();
    let scores = c
        .results
        .iter()
        .map(|score| {
            let d = definition(&score.instrument);
            let band = score.band.clone();
            let total = format_total(score.total);
            let words = move || {
                let lang = ui.lang.get();
                let title = d.as_ref().map_or(String::new(), |d| text(&d.title, lang).to_owned());
                let band = match (&d, &band) {
                    (Some(d), Some(id)) => {
                        d.bands.iter().find(|b| &b.id == id).map_or(id.clone(), |b| text(&b.label, lang).to_owned())
                    }
                    (None, Some(id)) => id.clone(),
                    (_, None) => "–".to_owned(),
                };
                format!("{title}: {total} ({band})")
            };
            view! { <li data-instrument=score.instrument.clone()>{words}</li> }
        })
        .collect_view();
    let flags = c
        .flags
        .iter()
        .map(|f| {
            let d = definition(&f.instrument);
            let rule = f.when.clone();
            let instrument = f.instrument.clone();
            let words = move || {
                let lang = ui.lang.get();
                let title = d.as_ref().map_or(instrument.clone(), |d| text(&d.title, lang).to_owned());
                format!("{title}: {}", describe::condition(d.as_ref(), &rule, lang))
            };
            view! {
                <li class="flag" data-flag=f.flag.clone()>
                    <strong>{ts(severity_name(f.severity))}</strong>
                    " "
                    {words}
                </li>
            }
        })
        .collect_view();
    let code = c.respondent_code.clone();
    let code = if link {
        view! { <a class="respondent-code" href=format!("/staff/case/{}", c.id)>{code}</a> }.into_any()
    } else {
        view! { <span class="respondent-code">{code}</span> }.into_any()
    };
    let (opened, overdue, severity, state) = (c.opened_at, c.overdue, c.severity, c.state);
    view! {
        <p class="case-head">
            {overdue.then(|| view! { <strong class="overdue">{ts(|s| s.overdue)}</strong> " " })}
            <strong class=format!("severity {}", severity_class(severity))>{ts(severity_name(severity))}</strong>
            " "
            {code}
            " · "
            <span class="case-state">{ts(state_name(state))}</span>
            " · "
            <span class="hint" title=format_time(opened)>{move || ago(now, opened, ui.lang.get())}</span>
        </p>
        <p class="hint">
            {localized_owned(c.campaign_name.clone())} " (" {c.campaign.clone()} ") · " {cohort_line(&c.cohort)}
        </p>
        <ul class="scores">{scores}</ul>
        <ul class="flags">{flags}</ul>
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Info => "info",
    }
}

/// `/staff/case/{id}`.
pub fn page(id: i64) -> impl IntoView {
    super::follow_title(|s| s.case);
    let (data, reload) = load(move || async move {
        let library = ui::library().await?;
        let case = api::staff::case(id).await?;
        Ok((library, case))
    });
    let body = show(data, move |(library, detail): &(std::sync::Arc<Vec<Definition>>, CaseDetail)| {
        let c = &detail.case;
        let contact: StaffPick = match c.anonymity {
            Anonymity::Anonymous => |s| s.contact_anonymous,
            Anonymity::Coded => |s| s.contact_coded,
        };
        let events = detail
            .events
            .iter()
            .map(|e| {
                view! {
                    <li data-state=e.to.as_str()>
                        <span class="hint">{format_time(e.at)}</span>
                        " · "
                        {e.by.clone()}
                        " · "
                        {ts(state_name(e.from))}
                        " → "
                        <strong>{ts(state_name(e.to))}</strong>
                        {(!e.note.is_empty()).then(|| view! { <br/> {e.note.clone()} })}
                        {e.outcome.clone().map(|o| view! { <br/> <em>{ts(|s| s.outcome)} ": " {o}</em> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <p>
                <a href=format!("/staff/org/{}#queue", c.organization_id)>{ts(|s| s.back_queue)}</a>
            </p>
            <h1>{ts(|s| s.case)} " " {c.respondent_code.clone()}</h1>
            <div id="case" data-state=c.state.as_str()>{summary_view(c, library, ui::now(), false)}</div>
            <p class="notice" id="contact">{ts(contact)}</p>
            <h2>{ts(|s| s.history)}</h2>
            <ol id="events" class="list">{events}</ol>
            {event_form(id, c.state, reload)}
        }
    });
    body
}

/// The next state (only those allowed from the current one), a note without names,
/// and the outcome when closing or referring.
fn event_form(id: i64, current: CaseState, reload: Callback<()>) -> impl IntoView {
    let next = current.next();
    if next.is_empty() {
        return view! { <p class="hint">{ts(|s| s.case_final)}</p> }.into_any();
    }
    let to = RwSignal::new(next[0]);
    let note = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let error = FormError::new();
    let needs_outcome = move || to.get().is_finished();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let outcome_text = outcome.get_untracked().trim().to_owned();
        let state = to.get_untracked();
        if state.is_finished() && outcome_text.is_empty() {
            error.local("outcome", |s| s.outcome_required);
            return;
        }
        let event = NewCaseEvent {
            to: state,
            note: note.get_untracked().trim().to_owned(),
            outcome: (!outcome_text.is_empty()).then_some(outcome_text),
        };
        spawn_local(async move {
            let result = api::staff::add_case_event(id, &event).await;
            ui::watch(&result);
            match result {
                Ok(()) => reload.run(()),
                Err(e) => error.server(&e, &["to", "note", "outcome"]),
            }
        });
    };
    let choices = next
        .iter()
        .map(|&state| {
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="case-to"
                        id=format!("to-{}", state.as_str())
                        value=state.as_str()
                        prop:checked=move || to.get() == state
                        on:change=move |_| to.set(state)
                    />
                    <span>{ts(state_name(state))}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <form id="case-event" class="box" on:submit=on_submit>
            <h2>{ts(|s| s.change_state)}</h2>
            <fieldset>
                <legend>{ts(|s| s.new_state)}</legend>
                {choices}
            </fieldset>
            {error.at("to")}
            <div class="field">
                <label for="case-note">{ts(|s| s.note)}</label>
                <p class="hint" id="case-note-hint">{ts(|s| s.no_names)}</p>
                <textarea
                    id="case-note"
                    rows="3"
                    maxlength="500"
                    aria-describedby="case-note-hint"
                    prop:value=note
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
                {error.at("note")}
            </div>
            <div class="field">
                <label for="case-outcome">{ts(|s| s.outcome)}</label>
                <p class="hint" id="case-outcome-hint" hidden=move || !needs_outcome()>
                    {ts(|s| s.outcome_required)}
                </p>
                <input
                    id="case-outcome"
                    aria-describedby="case-outcome-hint"
                    prop:value=outcome
                    on:input=move |ev| outcome.set(event_target_value(&ev))
                />
                {error.at("outcome")}
            </div>
            {error.at("")}
            <button type="submit" id="case-save" class="primary">{ts(|s| s.save)}</button>
        </form>
    }
    .into_any()
}
