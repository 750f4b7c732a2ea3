//! The follow-up queue (预警队列) of an organization: counts per level at the top,
//! filters (level, state, screening, group, due today, overdue, code) and a table a
//! counselor works down — a table on a desktop, one card per warning on a phone
//! (`staff.css`). The server orders it: overdue first, then by level, then oldest.

use instruments::definition::Definition;
use instruments::wire::staff::{CaseQueue, CaseState, CaseSummary};
use instruments::wire::warning::WarningLevels;
use leptos::prelude::*;

use super::case::{severity_name, state_name};
use super::model::format_time;
use super::ui::{self, load, show};
use crate::api;
use crate::describe;
use crate::i18n::{localized_owned, text, ts, use_ui};

/// The level as colour, symbol and words (colour is never the only cue). The colour is
/// platform data, set through the element's style object: the page's CSP
/// (`style-src 'self'`) ignores `style` attributes.
pub fn level_chip(levels: &WarningLevels, id: &str) -> impl IntoView {
    let ui = use_ui();
    let level = levels.level(id).cloned();
    let (colour, symbol) =
        level.as_ref().map_or(("#57606a".to_owned(), "?".to_owned()), |l| (l.colour.clone(), l.symbol.clone()));
    let id = id.to_owned();
    let fallback = id.clone();
    let words = move || level.as_ref().map_or(fallback.clone(), |l| text(&l.label, ui.lang.get()).to_owned());
    let symbol_colour = colour.clone();
    view! {
        <span class="level" data-level=id style:border-color=colour>
            <span class="level-symbol" aria-hidden="true" style:color=symbol_colour>{symbol}</span>
            " "
            {words}
        </span>
    }
}

/// The query string of the filters, each value encoded.
fn query(filters: &[(&str, String)]) -> String {
    filters
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// What the queue loads: the instruments, the platform's levels and the queue.
type QueueData = (std::sync::Arc<Vec<Definition>>, WarningLevels, CaseQueue);

/// `#queue` of the organization page: counts, then the filters (folded away on a
/// phone until asked for), then the table.
pub fn section(org: i64) -> impl IntoView {
    let level = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let cohort = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let finished = RwSignal::new(false);
    let current = move || {
        query(&[
            ("level", level.get_untracked()),
            ("state", state.get_untracked()),
            ("campaign", campaign.get_untracked().trim().to_owned()),
            ("cohort", cohort.get_untracked().trim().to_owned()),
            ("due", due.get_untracked()),
            ("code", code.get_untracked().trim().to_owned()),
            ("include_finished", if finished.get_untracked() { "true".to_owned() } else { String::new() }),
        ])
    };
    let (data, reload) = load(move || {
        let q = current();
        async move {
            let library = ui::library().await?;
            let levels = api::staff::warning_levels().await?;
            let queue = api::staff::queue(org, &q).await?;
            Ok((library, levels, queue))
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        reload.run(());
    };
    let clear = move |_| {
        for s in [level, state, campaign, cohort, due, code] {
            s.set(String::new());
        }
        finished.set(false);
        reload.run(());
    };
    let head = show(data, move |(_, levels, queue): &QueueData| counts(levels, queue));
    let body = show(data, move |(library, levels, queue): &QueueData| table(library, levels, &queue.cases));
    let level_options = move || {
        let ui = use_ui();
        data.with(|d| {
            d.iter()
                .flatten()
                .flat_map(|(_, l, _)| l.levels.iter())
                .map(|l| {
                    let label = l.label.clone();
                    view! { <option value=l.id.clone()>{move || text(&label, ui.lang.get()).to_owned()}</option> }
                })
                .collect_view()
        })
    };
    let states = [
        CaseState::Open,
        CaseState::Acknowledged,
        CaseState::Contacted,
        CaseState::Referred,
        CaseState::Closed,
        CaseState::Lifted,
    ]
    .into_iter()
    .map(|s| view! { <option value=s.as_str()>{ts(state_name(s))}</option> })
    .collect_view();
    view! {
        <section id="queue" aria-labelledby="queue-h">
            <h2 id="queue-h">{ts(|s| s.queue)}</h2>
            {head}
            <details id="queue-filter-box">
            <summary>{ts(|s| s.apply_filters)}</summary>
            <form id="queue-filters" class="filters" on:submit=on_submit>
                <div class="field">
                    <label for="filter-level">{ts(|s| s.level)}</label>
                    <select id="filter-level" prop:value=level on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="">{ts(|s| s.all_levels)}</option>
                        {level_options}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-state">{ts(|s| s.col_state)}</label>
                    <select id="filter-state" prop:value=state on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="">{ts(|s| s.all_states)}</option>
                        {states}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-due">{ts(|s| s.filter_due)}</label>
                    <select id="filter-due" prop:value=due on:change=move |ev| due.set(event_target_value(&ev))>
                        <option value="">{ts(|s| s.due_any)}</option>
                        <option value="today">{ts(|s| s.due_today)}</option>
                        <option value="overdue">{ts(|s| s.due_overdue)}</option>
                    </select>
                </div>
                {ui::input("filter-campaign", |s| s.filter_campaign, campaign, "text", None)}
                {ui::input("filter-cohort", |s| s.filter_cohort, cohort, "text", None)}
                {ui::input("filter-code", |s| s.search_code, code, "search", None)}
                {ui::checkbox("filter-finished", |s| s.include_finished, finished)}
                <button type="submit" id="filter-apply" class="primary">{ts(|s| s.apply_filters)}</button>
                " "
                <button type="button" id="filter-clear" on:click=clear>{ts(|s| s.clear_filters)}</button>
            </form>
            </details>
            {body}
        </section>
    }
}

/// Unfinished warnings per level, overdue and due today.
fn counts(levels: &WarningLevels, queue: &CaseQueue) -> impl IntoView {
    let per_level = levels
        .levels
        .iter()
        .map(|l| {
            let n = queue.counts.iter().find(|c| c.level == l.id).map_or(0, |c| c.count);
            view! { <li data-count=l.id.clone()>{level_chip(levels, &l.id)} " " <strong>{n}</strong></li> }
        })
        .collect_view();
    let (overdue, due_today) = (queue.overdue, queue.due_today);
    view! {
        <ul id="queue-counts" class="counts" aria-label=move || use_ui().lang.get().staff().warning_counts>
            {per_level}
            <li data-count="overdue"><span class="overdue">{ts(|s| s.overdue)}</span> " " <strong>{overdue}</strong></li>
            <li data-count="due_today">{ts(|s| s.due_today)} " " <strong>{due_today}</strong></li>
        </ul>
    }
}

fn table(library: &[Definition], levels: &WarningLevels, cases: &[CaseSummary]) -> AnyView {
    if cases.is_empty() {
        return view! { <p class="hint" id="case-list-empty">{ts(|s| s.no_cases)}</p> }.into_any();
    }
    let ui = use_ui();
    let rows = cases
        .iter()
        .map(|c| {
            let flags = c
                .flags
                .iter()
                .map(|f| {
                    let d = library.iter().find(|d| d.id == f.instrument).cloned();
                    let (rule, instrument, severity) = (f.when.clone(), f.instrument.clone(), f.severity);
                    let words = move || {
                        let lang = ui.lang.get();
                        let title = d.as_ref().map_or(instrument.clone(), |d| text(&d.title, lang).to_owned());
                        format!("{title}: {}", describe::condition(d.as_ref(), &rule, lang))
                    };
                    view! { <li><strong>{ts(severity_name(severity))}</strong> " " {words}</li> }
                })
                .collect_view();
            let due = match c.first_contact_at {
                Some(at) => view! { <span class="hint">{ts(|s| s.contacted)} " " {format_time(at)}</span> }.into_any(),
                None if c.overdue => view! {
                    <strong class="overdue">{ts(|s| s.overdue)}</strong> " " <span>{format_time(c.due_at)}</span>
                }
                .into_any(),
                None => view! { <span>{format_time(c.due_at)}</span> }.into_any(),
            };
            let visit = c.next_visit_on.clone().map(|day| {
                let late = c.visit_late;
                view! {
                    {late.then(|| view! { <strong class="overdue">{ts(|s| s.visit_late)}</strong> " " })}
                    <span>{day}</span>
                }
            });
            view! {
                <tr class="case" data-case=c.id data-state=c.state.as_str() data-level=c.level.clone() data-overdue=c.overdue.to_string()>
                    <td data-label=move || ui.lang.get().staff().level>{level_chip(levels, &c.level)}</td>
                    <td data-label=move || ui.lang.get().staff().col_code>
                        <a class="respondent-code" href=format!("/staff/case/{}", c.id)>{c.respondent_code.clone()}</a>
                    </td>
                    <td data-label=move || ui.lang.get().staff().col_state class="case-state">{ts(state_name(c.state))}</td>
                    <td data-label=move || ui.lang.get().staff().col_due>{due}</td>
                    <td data-label=move || ui.lang.get().staff().col_visit>{visit}</td>
                    <td data-label=move || ui.lang.get().staff().col_campaign>
                        {localized_owned(c.campaign_name.clone())} <span class="hint">" (" {c.campaign.clone()} ") · " {super::model::cohort_line(&c.cohort)}</span>
                    </td>
                    <td data-label=move || ui.lang.get().staff().col_why><ul class="flags">{flags}</ul></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table id="case-list" class="queue">
                <thead>
                    <tr>
                        <th scope="col">{ts(|s| s.level)}</th>
                        <th scope="col">{ts(|s| s.col_code)}</th>
                        <th scope="col">{ts(|s| s.col_state)}</th>
                        <th scope="col">{ts(|s| s.col_due)}</th>
                        <th scope="col">{ts(|s| s.col_visit)}</th>
                        <th scope="col">{ts(|s| s.col_campaign)}</th>
                        <th scope="col">{ts(|s| s.col_why)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
