//! A warning (预警): its summary and `/staff/case/{id}`, where a counselor works it —
//! re-check, interview, referral, visits, closing or lifting — and reads its timeline.
//!
//! Each action is folded under its heading (`<details>`: `#level-form-box`,
//! `#interview-form-box`, `#referral-form-box`, `.referral-update-box`,
//! `#visit-form-box`, `#case-event-box`), so that on a phone the summary and the
//! timeline are a short scroll apart and the counselor opens the one action they need.

use std::collections::BTreeMap;

use instruments::definition::{Definition, Severity};
use instruments::wire::staff::{Anonymity, CaseDetail, CaseState, CaseSummary, NewCaseEvent, NotificationChannel};
use instruments::wire::warning::{
    FieldKind, FieldValue, InterviewForm, NewInterview, NewLevel, NewReferral, NewVisit, Referral, ReferralDestination,
    ReferralUpdate, WarningLevels,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{ago, cohort_line, format_time};
use super::queue::level_chip;
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

/// What the case page loads: the instruments, the platform's levels, interview form
/// and referral destinations, and the warning.
type CaseData = (std::sync::Arc<Vec<Definition>>, WarningLevels, InterviewForm, Vec<ReferralDestination>, CaseDetail);

/// `/staff/case/{id}`: the warning at its level, what to do next (re-check,
/// interview, referral, visit, close or lift) and its timeline.
pub fn page(id: i64) -> impl IntoView {
    super::follow_title(|s| s.case);
    let (data, reload) = load(move || async move {
        let library = ui::library().await?;
        let levels = api::staff::warning_levels().await?;
        let form = api::staff::interview_form().await?;
        let destinations = api::staff::destinations().await?;
        let case = api::staff::case(id).await?;
        Ok((library, levels, form, destinations, case))
    });
    show(data, move |(library, levels, form, destinations, detail): &CaseData| {
        let c = &detail.case;
        let contact: StaffPick = match c.anonymity {
            Anonymity::Anonymous => |s| s.contact_anonymous,
            Anonymity::Coded | Anonymity::Panel => |s| s.contact_coded,
        };
        let finished = c.state.is_finished();
        let due = match c.first_contact_at {
            Some(at) => view! { <span>{ts(|s| s.contacted)} " " {format_time(at)}</span> }.into_any(),
            None => view! {
                {c.overdue.then(|| view! { <strong class="overdue">{ts(|s| s.overdue)}</strong> " " })}
                <span>{ts(|s| s.first_contact_due)} " " {format_time(c.due_at)}</span>
            }
            .into_any(),
        };
        let visit = c.next_visit_on.clone().map(|day| {
            let late = c.visit_late;
            view! {
                " · "
                {late.then(|| view! { <strong class="overdue">{ts(|s| s.visit_late)}</strong> " " })}
                {ts(|s| s.col_visit)} " " <span id="next-visit">{day}</span>
            }
        });
        view! {
            <p>
                <a href=format!("/staff/org/{}#queue", c.organization_id)>{ts(|s| s.back_queue)}</a>
            </p>
            <h1>{ts(|s| s.case)} " " {c.respondent_code.clone()}</h1>
            <div id="case" data-state=c.state.as_str() data-level=c.level.clone()>
                <p class="case-level">{level_chip(levels, &c.level)} " · " {due} {visit}</p>
                <h2 class="visually-hidden">{ts(|s| s.results_raised)}</h2>
                {summary_view(c, library, ui::now(), false)}
            </div>
            <p class="notice" id="contact">{ts(contact)}</p>
            {(!finished).then(|| view! {
                <div class="actions">
                    {level_form(id, levels, &c.level, reload)}
                    {interview_form(id, form, reload)}
                    {referral_form(id, destinations, &c.level, reload)}
                    {visit_form(id, reload)}
                </div>
            })}
            {referral_updates(id, &detail.referrals, reload)}
            {event_form(id, c.state, reload)}
            <h2>{ts(|s| s.timeline)}</h2>
            {timeline(detail, levels, form)}
        }
    })
}

/// Refuses a mobile number, resident ID number or e-mail address in `text` before it
/// is sent (the server refuses them too), saying why under the field `key`.
fn identifies(error: FormError, key: &str, text: &str) -> bool {
    match instruments::identifiers::find_identifier(text) {
        Some(found) => {
            error.0.set(Some((key.to_owned(), found.reason().to_owned())));
            true
        }
        None => false,
    }
}

/// The message of `error` when it is about `key` (a key made at run time, e.g. an
/// interview field's id).
fn error_at(error: FormError, key: String) -> impl IntoView {
    let id = format!("err-{key}");
    let message = Memo::new(move |_| error.0.with(|e| e.as_ref().filter(|(k, _)| *k == key).map(|(_, m)| m.clone())));
    view! { <p class="field-error" id=id role="alert" hidden=move || message.get().is_none()>{message}</p> }
}

/// Sends a change of the warning; on success the page reloads (the server answers with
/// the warning as it now is), else the error shows under the field it names.
fn send<T: 'static>(
    error: FormError,
    prefix: &'static str,
    reload: Callback<()>,
    request: impl std::future::Future<Output = Result<T, crate::api::ApiClientError>> + 'static,
) {
    spawn_local(async move {
        let result = request.await;
        ui::watch(&result);
        match result {
            Ok(_) => reload.run(()),
            Err(e) => server_error(error, &e, prefix),
        }
    });
}

/// A server error, under the field it names (`values.plan` → `plan`).
fn server_error(error: FormError, e: &crate::api::ApiClientError, prefix: &str) {
    let key = match e {
        crate::api::ApiClientError::Status { field: Some(field), .. } => {
            field.strip_prefix(prefix).unwrap_or(field).to_owned()
        }
        _ => String::new(),
    };
    error.0.set(Some((key, ui::describe(e))));
}

fn today() -> String {
    super::model::day_of(ui::now())
}

/// 复核: a new level and the reason for it.
fn level_form(id: i64, levels: &WarningLevels, current: &str, reload: Callback<()>) -> impl IntoView {
    let ui = use_ui();
    let others: Vec<_> = levels.levels.iter().filter(|l| l.id != current).cloned().collect();
    let level = RwSignal::new(others.first().map(|l| l.id.clone()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let text = reason.get_untracked().trim().to_owned();
        if text.is_empty() {
            error.local("reason", |s| s.reason_required);
            return;
        }
        if identifies(error, "reason", &text) {
            return;
        }
        let change = NewLevel { level: level.get_untracked(), reason: text };
        send(error, "", reload, async move { api::staff::change_level(id, &change).await });
    };
    let options = others
        .into_iter()
        .map(|l| {
            let label = l.label.clone();
            let symbol = l.symbol.clone();
            view! { <option value=l.id.clone()>{symbol} " " {move || text(&label, ui.lang.get()).to_owned()}</option> }
        })
        .collect_view();
    view! {
        <details class="box action" id="level-form-box">
            <summary><h2>{ts(|s| s.re_check)}</h2></summary>
            <form id="level-form" on:submit=on_submit>
                <div class="field">
                    <label for="new-level">{ts(|s| s.new_level)}</label>
                    <select id="new-level" prop:value=level on:change=move |ev| level.set(event_target_value(&ev))>
                        {options}
                    </select>
                    {error.at("level")}
                </div>
                {note_field("level-reason", |s| s.reason, reason, true)}
                {error.at("reason")}
                {error.at("")}
                <button type="submit" id="level-save" class="primary">{ts(|s| s.re_check)}</button>
            </form>
        </details>
    }
}

/// A labelled text area that says names and numbers do not belong in it.
fn note_field(id: &'static str, label: StaffPick, value: RwSignal<String>, required: bool) -> impl IntoView {
    let hint = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{ts(label)}</label>
            <p class="hint" id=hint.clone()>{ts(|s| s.no_names)}</p>
            <textarea
                id=id
                rows="3"
                maxlength="500"
                required=required
                aria-describedby=hint
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </div>
    }
}

/// 约谈记录 on the platform's form; required fields checked here and by the server.
fn interview_form(id: i64, form: &InterviewForm, reload: Callback<()>) -> impl IntoView {
    let ui = use_ui();
    let single: RwSignal<BTreeMap<String, String>> = RwSignal::new(
        form.fields
            .iter()
            .filter(|f| f.kind == FieldKind::Date && !f.schedules_visit)
            .map(|f| (f.id.clone(), today()))
            .collect(),
    );
    let many: RwSignal<BTreeMap<String, Vec<String>>> = RwSignal::new(BTreeMap::new());
    let error = FormError::new();
    let fields = form.fields.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let mut values = BTreeMap::new();
        for field in &fields {
            let value = match field.kind {
                FieldKind::Choices => {
                    let chosen = many.with_untracked(|m| m.get(&field.id).cloned().unwrap_or_default());
                    (!chosen.is_empty()).then_some(FieldValue::Many(chosen))
                }
                _ => {
                    let text = single.with_untracked(|m| m.get(&field.id).map(|v| v.trim().to_owned()));
                    text.filter(|t| !t.is_empty()).map(FieldValue::One)
                }
            };
            match value {
                None if field.required => {
                    error.local(&field.id, |s| s.field_required);
                    return;
                }
                Some(FieldValue::One(text)) if field.kind == FieldKind::Text && identifies(error, &field.id, &text) => {
                    return;
                }
                Some(value) => {
                    values.insert(field.id.clone(), value);
                }
                None => {}
            }
        }
        let interview = NewInterview { values };
        send(error, "values.", reload, async move { api::staff::add_interview(id, &interview).await });
    };
    let controls = form
        .fields
        .iter()
        .map(|field| {
            let key = field.id.clone();
            let control_id = format!("iv-{key}");
            let label = field.label.clone();
            let label = move || text(&label, ui.lang.get()).to_owned();
            let required = field.required.then_some(" *");
            let control = match field.kind {
                FieldKind::Date | FieldKind::Text => {
                    let k = key.clone();
                    let k2 = key.clone();
                    let value = move || single.with(|m| m.get(&k).cloned().unwrap_or_default());
                    let set = move |ev: leptos::ev::Event| {
                        let v = event_target_value(&ev);
                        single.update(|m| {
                            m.insert(k2.clone(), v);
                        });
                    };
                    let set_too = set.clone();
                    if field.kind == FieldKind::Date {
                        view! { <input type="date" id=control_id.clone() prop:value=value on:input=set on:change=set_too/> }
                            .into_any()
                    } else {
                        view! { <textarea id=control_id.clone() rows="3" maxlength="2000" prop:value=value on:input=set></textarea> }
                            .into_any()
                    }
                }
                FieldKind::Choice | FieldKind::Choices => {
                    let multiple = field.kind == FieldKind::Choices;
                    let options = field
                        .options
                        .iter()
                        .map(|o| {
                            let (k, option) = (key.clone(), o.id.clone());
                            let option_label = o.label.clone();
                            let checked = {
                                let (k, option) = (k.clone(), option.clone());
                                move || {
                                    if multiple {
                                        many.with(|m| m.get(&k).is_some_and(|v| v.contains(&option)))
                                    } else {
                                        single.with(|m| m.get(&k) == Some(&option))
                                    }
                                }
                            };
                            let toggle = move |ev| {
                                let on = event_target_checked(&ev);
                                if multiple {
                                    many.update(|m| {
                                        let chosen = m.entry(k.clone()).or_default();
                                        chosen.retain(|c| c != &option);
                                        if on {
                                            chosen.push(option.clone());
                                        }
                                    });
                                } else if on {
                                    single.update(|m| {
                                        m.insert(k.clone(), option.clone());
                                    });
                                }
                            };
                            view! {
                                <label class="check">
                                    <input
                                        type=if multiple { "checkbox" } else { "radio" }
                                        name=format!("iv-{key}")
                                        id=format!("iv-{key}-{}", o.id)
                                        prop:checked=checked
                                        on:change=toggle
                                    />
                                    <span>{move || text(&option_label, ui.lang.get()).to_owned()}</span>
                                </label>
                            }
                        })
                        .collect_view();
                    view! { <div role="group" aria-labelledby=format!("{control_id}-label")>{options}</div> }.into_any()
                }
            };
            let is_text = field.kind == FieldKind::Text;
            view! {
                <div class="field" data-field=key.clone()>
                    <label for=control_id.clone() id=format!("{control_id}-label")>{label} {required}</label>
                    {is_text.then(|| view! { <p class="hint">{ts(|s| s.no_names)}</p> })}
                    {control}
                    {error_at(error, key.clone())}
                </div>
            }
        })
        .collect_view();
    view! {
        <details class="box action" id="interview-form-box">
            <summary><h2>{ts(|s| s.interview)}</h2></summary>
            <form id="interview-form" on:submit=on_submit>
                {controls}
                {error.at("")}
                <button type="submit" id="interview-save" class="primary">{ts(|s| s.save_interview)}</button>
            </form>
        </details>
    }
}

/// 转介 to a destination of the platform's directory that takes this level.
fn referral_form(id: i64, destinations: &[ReferralDestination], level: &str, reload: Callback<()>) -> impl IntoView {
    let usable: Vec<ReferralDestination> = destinations
        .iter()
        .filter(|d| d.destination.active && d.destination.levels.iter().any(|l| l == level))
        .cloned()
        .collect();
    if usable.is_empty() {
        return view! {
            <div class="box" id="referral-form">
                <h2>{ts(|s| s.referral)}</h2>
                <p class="hint">{ts(|s| s.no_destinations)}</p>
            </div>
        }
        .into_any();
    }
    let destination = RwSignal::new(usable[0].id.to_string());
    let referred_on = RwSignal::new(today());
    let note = RwSignal::new(String::new());
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let text = note.get_untracked().trim().to_owned();
        if identifies(error, "note", &text) {
            return;
        }
        let referral = NewReferral {
            destination_id: destination.get_untracked().parse().unwrap_or_default(),
            referred_on: referred_on.get_untracked(),
            note: text,
        };
        send(error, "", reload, async move { api::staff::add_referral(id, &referral).await });
    };
    let options = usable
        .iter()
        .map(|d| view! { <option value=d.id.to_string()>{d.destination.name.clone()} " · " {d.destination.contact.clone()}</option> })
        .collect_view();
    view! {
        <details class="box action" id="referral-form-box">
            <summary><h2>{ts(|s| s.referral)}</h2></summary>
            <form id="referral-form" on:submit=on_submit>
                <div class="field">
                    <label for="referral-destination">{ts(|s| s.destination)}</label>
                    <select id="referral-destination" prop:value=destination on:change=move |ev| destination.set(event_target_value(&ev))>
                        {options}
                    </select>
                    {error.at("destination_id")}
                </div>
                {ui::input("referral-on", |s| s.referred_on, referred_on, "date", Some((error, "referred_on")))}
                {note_field("referral-note", |s| s.note, note, false)}
                {error.at("note")}
                {error.at("")}
                <button type="submit" id="referral-save" class="primary">{ts(|s| s.save_referral)}</button>
            </form>
        </details>
    }
    .into_any()
}

/// For each referral not yet settled: the day the destination confirmed receipt,
/// and the outcome (each recorded once).
fn referral_updates(id: i64, referrals: &[Referral], reload: Callback<()>) -> impl IntoView {
    referrals
        .iter()
        .filter(|r| r.confirmed_on.is_none() || r.outcome.is_none())
        .map(|r| {
            let referral = r.id;
            let confirmed = RwSignal::new(r.confirmed_on.clone().unwrap_or_default());
            let outcome = RwSignal::new(r.outcome.clone().unwrap_or_default());
            let (has_confirmed, has_outcome) = (r.confirmed_on.is_some(), r.outcome.is_some());
            let error = FormError::new();
            let on_submit = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                error.clear();
                let text = outcome.get_untracked().trim().to_owned();
                if identifies(error, "outcome", &text) {
                    return;
                }
                let day = confirmed.get_untracked();
                let update = ReferralUpdate {
                    confirmed_on: (!has_confirmed && !day.is_empty()).then_some(day),
                    outcome: (!has_outcome && !text.is_empty()).then_some(text),
                };
                send(error, "", reload, async move { api::staff::update_referral(id, referral, &update).await });
            };
            view! {
                <details class="box action referral-update-box">
                    <summary><h2>{ts(|s| s.update_referral)} " · " {r.destination.clone()}</h2></summary>
                    <form class="referral-update" data-referral=referral on:submit=on_submit>
                        {(!has_confirmed).then(|| ui::input("referral-confirmed", |s| s.confirmed_on, confirmed, "date", Some((error, "confirmed_on"))))}
                        {(!has_outcome).then(|| ui::input("referral-outcome", |s| s.referral_outcome, outcome, "text", Some((error, "outcome"))))}
                        {error.at("")}
                        <button type="submit" class="referral-update-save">{ts(|s| s.update_referral)}</button>
                    </form>
                </details>
            }
        })
        .collect_view()
}

/// 回访: the day, a note, and when the next one is due.
fn visit_form(id: i64, reload: Callback<()>) -> impl IntoView {
    let visited_on = RwSignal::new(today());
    let note = RwSignal::new(String::new());
    let next = RwSignal::new(String::new());
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let text = note.get_untracked().trim().to_owned();
        if identifies(error, "note", &text) {
            return;
        }
        let next_day = next.get_untracked();
        let visit = NewVisit {
            visited_on: visited_on.get_untracked(),
            note: text,
            next_visit_on: (!next_day.is_empty()).then_some(next_day),
        };
        send(error, "", reload, async move { api::staff::add_visit(id, &visit).await });
    };
    view! {
        <details class="box action" id="visit-form-box">
            <summary><h2>{ts(|s| s.visit)}</h2></summary>
            <form id="visit-form" on:submit=on_submit>
                {ui::input("visit-on", |s| s.visited_on, visited_on, "date", Some((error, "visited_on")))}
                {note_field("visit-note", |s| s.note, note, false)}
                {error.at("note")}
                {ui::input("visit-next", |s| s.next_visit_on, next, "date", Some((error, "next_visit_on")))}
                {error.at("")}
                <button type="submit" id="visit-save" class="primary">{ts(|s| s.save_visit)}</button>
            </form>
        </details>
    }
}

/// Everything that happened, oldest first: the opening and level changes with their
/// reasons, state changes, interviews, referrals, visits and notifications.
fn timeline(detail: &CaseDetail, levels: &WarningLevels, form: &InterviewForm) -> impl IntoView {
    let ui = use_ui();
    let mut entries: Vec<(i64, AnyView)> = Vec::new();
    for change in &detail.level_changes {
        let head: StaffPick = if change.from.is_none() { |s| s.opened_at_level } else { |s| s.level_changed };
        let from = change.from.as_ref().map(|f| view! { {level_chip(levels, f)} " → " });
        entries.push((
            change.at,
            view! {
                <li data-entry="level" data-level=change.to.clone()>
                    <span class="hint">{format_time(change.at)}</span>
                    " · " {change.by.clone()} " · " <strong>{ts(head)}</strong> " "
                    {from} {level_chip(levels, &change.to)}
                    {(!change.reason.is_empty()).then(|| view! { <br/> {ts(|s| s.reason)} ": " {change.reason.clone()} })}
                </li>
            }
            .into_any(),
        ));
    }
    for e in &detail.events {
        entries.push((
            e.at,
            view! {
                <li data-entry="state" data-state=e.to.as_str()>
                    <span class="hint">{format_time(e.at)}</span>
                    " · " {e.by.clone()} " · " {ts(state_name(e.from))} " → " <strong>{ts(state_name(e.to))}</strong>
                    {(!e.note.is_empty()).then(|| view! { <br/> {e.note.clone()} })}
                    {e.outcome.clone().map(|o| view! { <br/> <em>{ts(|s| s.outcome)} ": " {o}</em> })}
                </li>
            }
            .into_any(),
        ));
    }
    for interview in &detail.interviews {
        let values = form
            .fields
            .iter()
            .filter_map(|field| {
                let value = interview.values.get(&field.id)?;
                let label = field.label.clone();
                let chosen: Vec<String> = match value {
                    FieldValue::One(v) => vec![v.clone()],
                    FieldValue::Many(v) => v.clone(),
                };
                let options = field.options.clone();
                let words = move || {
                    let lang = ui.lang.get();
                    chosen
                        .iter()
                        .map(|c| {
                            options.iter().find(|o| &o.id == c).map_or(c.clone(), |o| text(&o.label, lang).to_owned())
                        })
                        .collect::<Vec<_>>()
                        .join("、")
                };
                Some(view! { <div><dt>{move || text(&label, ui.lang.get()).to_owned()}</dt><dd>{words}</dd></div> })
            })
            .collect_view();
        entries.push((
            interview.at,
            view! {
                <li data-entry="interview">
                    <span class="hint">{format_time(interview.at)}</span>
                    " · " {interview.by.clone()} " · " <strong>{ts(|s| s.interview)}</strong>
                    <dl class="facts">{values}</dl>
                </li>
            }
            .into_any(),
        ));
    }
    for r in &detail.referrals {
        entries.push((
            r.at,
            view! {
                <li data-entry="referral">
                    <span class="hint">{format_time(r.at)}</span>
                    " · " {r.by.clone()} " · " <strong>{ts(|s| s.referral)}</strong> " → " {r.destination.clone()}
                    " (" {r.referred_on.clone()} ")"
                    {(!r.note.is_empty()).then(|| view! { <br/> {r.note.clone()} })}
                    {r.confirmed_on.clone().map(|d| view! { <br/> {ts(|s| s.confirmed_on)} ": " {d} })}
                    {r.outcome.clone().map(|o| view! { <br/> <em>{ts(|s| s.referral_outcome)} ": " {o}</em> })}
                </li>
            }
            .into_any(),
        ));
    }
    for v in &detail.visits {
        entries.push((
            v.at,
            view! {
                <li data-entry="visit">
                    <span class="hint">{format_time(v.at)}</span>
                    " · " {v.by.clone()} " · " <strong>{ts(|s| s.visit)}</strong> " " {v.visited_on.clone()}
                    {(!v.note.is_empty()).then(|| view! { <br/> {v.note.clone()} })}
                    {v.next_visit_on.clone().map(|d| view! { <br/> {ts(|s| s.next_visit_on)} ": " {d} })}
                </li>
            }
            .into_any(),
        ));
    }
    for n in &detail.notifications {
        let channel: StaffPick = match n.channel {
            NotificationChannel::Email => |s| s.by_email,
            NotificationChannel::Webhook => |s| s.by_webhook,
        };
        let (sent, attempts) = (n.sent, n.attempts);
        entries.push((
            n.created_at,
            view! {
                <li data-entry="notification" data-sent=sent.to_string()>
                    <span class="hint">{format_time(n.sent_at.unwrap_or(n.created_at))}</span>
                    " · " <strong>{ts(if sent { |s| s.notified } else { |s| s.not_delivered })}</strong>
                    " (" {ts(channel)} ")"
                    {(attempts > 0).then(|| view! { " · " {attempts} " " {ts(|s| s.attempts)} })}
                </li>
            }
            .into_any(),
        ));
    }
    entries.sort_by_key(|(at, _)| *at);
    let items = entries.into_iter().map(|(_, v)| v).collect_view();
    view! { <ol id="events" class="list timeline">{items}</ol> }
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
        if identifies(error, "note", &note.get_untracked()) || identifies(error, "outcome", &outcome_text) {
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
        <details class="box action" id="case-event-box">
            <summary><h2>{ts(|s| s.change_state)}</h2></summary>
            <form id="case-event" on:submit=on_submit>
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
        </details>
    }
    .into_any()
}
