//! Population reports: `/staff/org/{id}/reports` (a campaign, grouped by up to two
//! cohort attributes, or a trend over several campaigns) and `/staff/district` (the
//! district roll-up with its headline indicators).
//!
//! The charts and tables are the printable report's own: its page
//! (`format=html`, rendered and escaped by the server) is fetched as text and the
//! inside of its `<main>` is put into `#report-view`, styled by `/report.css`. The
//! headline figures come from the JSON of the same report. Downloads are plain links
//! (the browser sends the session cookie); each is written in the audit log.
//!
//! Test hooks: `#report-form`, `#kind-campaign`, `#kind-trend`, `#report-campaign`,
//! `#by-{attribute}`, `#wave-{code}`, `#report-lang`, `#show-report`,
//! `#report-headline` (entries `data-indicator`), `#report-downloads` (`#dl-csv`,
//! `#dl-xlsx`, `#dl-html`, `#dl-raw`) and `#report-view`.

use instruments::wire::report::{Cell, Report};
use instruments::wire::staff::{CampaignDetail, SessionInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{percent, points, raw_data_url, report_body, Access, ReportKind};
use super::ui::{self, load, show, FormError, Slot};
use crate::api::{self, ApiClientError};
use crate::i18n::{localized_owned, ts, use_ui, Lang, StaffPick};

/// A report as the page shows it: its figures and the inside of its printable page.
type Shown = (Report, String);

/// Fetches the JSON and the printable page of `kind` in `lang` into `slot`.
fn fetch_report(slot: Slot<Shown>, kind: ReportKind, lang: Lang) {
    slot.set(None);
    spawn_local(async move {
        let result: Result<Shown, ApiClientError> = async {
            let report = api::staff::report(&kind.url("json", lang)).await?;
            let page = api::staff::report_page(&kind.url("html", lang)).await?;
            Ok((report, report_body(&page).to_owned()))
        }
        .await;
        ui::watch(&result);
        slot.set(Some(result));
    });
}

/// `/staff/org/{org}/reports`: choose a report, see it, download it.
pub fn page(org: i64, session: SessionInfo) -> impl IntoView {
    super::follow_title(|s| s.reports);
    let raw = Access::of(&session, org).raw_data;
    let (campaigns, _) = load(move || api::staff::campaigns(org));
    let body = show(campaigns, move |list: &Vec<CampaignDetail>| {
        if list.is_empty() {
            return view! { <p class="hint">{ts(|s| s.no_campaigns)}</p> }.into_any();
        }
        chooser(list.clone(), raw).into_any()
    });
    view! {
        <p>
            <a href=format!("/staff/org/{org}")>{ts(|s| s.back_org)}</a>
        </p>
        <h1>{ts(|s| s.reports)}</h1>
        {body}
    }
}

/// The report language's choice.
fn lang_select(lang: RwSignal<Lang>, changed: impl Fn(Lang) + 'static) -> impl IntoView {
    let initial = lang.get_untracked();
    let on_change = move |ev| {
        let chosen = if event_target_value(&ev) == "en" { Lang::En } else { Lang::ZhHans };
        lang.set(chosen);
        changed(chosen);
    };
    view! {
        <div class="field">
            <label for="report-lang">{ts(|s| s.report_language)}</label>
            <select id="report-lang" on:change=on_change>
                <option value="zh" selected=initial == Lang::ZhHans>"中文"</option>
                <option value="en" selected=initial == Lang::En>"English"</option>
            </select>
        </div>
    }
}

/// The form (one campaign with its grouping, or several waves; the language) and the
/// report it asked for.
fn chooser(mut list: Vec<CampaignDetail>, raw: bool) -> impl IntoView {
    // Oldest first, as a trend wants its waves; the newest is chosen to begin with.
    list.sort_by(|a, b| (&a.spec.opens_on, &a.spec.code).cmp(&(&b.spec.opens_on, &b.spec.code)));
    let initial = list.last().map(|c| c.spec.code.clone()).unwrap_or_default();
    let trend = RwSignal::new(false);
    let code = RwSignal::new(initial.clone());
    let by = RwSignal::new(Vec::<String>::new());
    let waves = RwSignal::new(Vec::<String>::new());
    let lang = RwSignal::new(use_ui().lang.get_untracked());
    let error = FormError::new();
    let slot: Slot<Shown> = RwSignal::new(None);
    let asked = RwSignal::new(None::<(ReportKind, Lang)>);
    let codes: Vec<String> = list.iter().map(|c| c.spec.code.clone()).collect();
    let list = StoredValue::new(list);

    let options = list.with_value(|list| {
        list.iter()
            .map(|c| {
                let value = c.spec.code.clone();
                view! {
                    <option value=value.clone() selected=value == initial>
                        {localized_owned(c.spec.name.clone())} " (" {value.clone()} ")"
                    </option>
                }
            })
            .collect_view()
    });
    let grouping = move || {
        let chosen = code.get();
        let cohort = list
            .with_value(|l| l.iter().find(|c| c.spec.code == chosen).map(|c| c.spec.cohort.clone()))
            .unwrap_or_default();
        cohort
            .into_iter()
            .map(|attribute| {
                let id = attribute.id.clone();
                let checked = {
                    let id = id.clone();
                    move || by.with(|b| b.contains(&id))
                };
                let disabled = {
                    let id = id.clone();
                    move || by.with(|b| b.len() >= 2 && !b.contains(&id))
                };
                let on_change = {
                    let id = id.clone();
                    move |ev| {
                        let on = event_target_checked(&ev);
                        by.update(|b| {
                            b.retain(|x| x != &id);
                            if on {
                                b.push(id.clone());
                            }
                        });
                    }
                };
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            id=format!("by-{id}")
                            data-by=id.clone()
                            prop:checked=checked
                            prop:disabled=disabled
                            on:change=on_change
                        />
                        <span>{localized_owned(attribute.label.clone())} " (" {id.clone()} ")"</span>
                    </label>
                }
            })
            .collect_view()
    };
    let wave_boxes = list.with_value(|list| {
        list.iter()
            .map(|c| {
                let value = c.spec.code.clone();
                let on_change = {
                    let value = value.clone();
                    move |ev| {
                        let on = event_target_checked(&ev);
                        waves.update(|w| {
                            w.retain(|x| x != &value);
                            if on {
                                w.push(value.clone());
                            }
                        });
                    }
                };
                view! {
                    <label class="check">
                        <input type="checkbox" id=format!("wave-{value}") data-wave=value.clone() on:change=on_change/>
                        <span>
                            {localized_owned(c.spec.name.clone())} " (" {value.clone()} ") · "
                            <span class="hint">{c.spec.opens_on.clone()}</span>
                        </span>
                    </label>
                }
            })
            .collect_view()
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let kind = if trend.get_untracked() {
            let chosen = waves.get_untracked();
            let ordered: Vec<String> = codes.iter().filter(|c| chosen.contains(c)).cloned().collect();
            if ordered.is_empty() {
                error.local("", |s| s.pick_waves);
                return;
            }
            ReportKind::Trend(ordered)
        } else {
            ReportKind::Campaign { code: code.get_untracked(), by: by.get_untracked() }
        };
        let lang = lang.get_untracked();
        asked.set(Some((kind.clone(), lang)));
        fetch_report(slot, kind, lang);
    };
    let output = move || {
        asked.get().map(|(kind, lang)| {
            let raw_code = match &kind {
                ReportKind::Campaign { code, .. } if raw => Some(code.clone()),
                _ => None,
            };
            view! {
                {downloads(&kind, lang, raw_code)}
                {show(slot, |(report, body): &Shown| report_view(report, body.clone()))}
            }
        })
    };
    view! {
        <form id="report-form" class="box" on:submit=on_submit>
            <fieldset>
                <legend>{ts(|s| s.report_kind)}</legend>
                <label class="check">
                    <input
                        type="radio"
                        name="report-kind"
                        id="kind-campaign"
                        prop:checked=move || !trend.get()
                        on:change=move |_| trend.set(false)
                    />
                    <span>{ts(|s| s.one_campaign)}</span>
                </label>
                <label class="check">
                    <input
                        type="radio"
                        name="report-kind"
                        id="kind-trend"
                        prop:checked=trend
                        on:change=move |_| trend.set(true)
                    />
                    <span>{ts(|s| s.trend)}</span>
                </label>
            </fieldset>
            <div hidden=trend>
                <div class="field">
                    <label for="report-campaign">{ts(|s| s.campaign)}</label>
                    <select
                        id="report-campaign"
                        on:change=move |ev| {
                            code.set(event_target_value(&ev));
                            by.set(Vec::new());
                        }
                    >
                        {options}
                    </select>
                </div>
                <fieldset id="report-grouping">
                    <legend>{ts(|s| s.group_by)}</legend>
                    {grouping}
                </fieldset>
            </div>
            <fieldset id="report-waves" hidden=move || !trend.get()>
                <legend>{ts(|s| s.waves)}</legend>
                {wave_boxes}
            </fieldset>
            {lang_select(lang, |_| ())}
            {error.at("")}
            <button type="submit" id="show-report" class="primary">{ts(|s| s.show_report)}</button>
        </form>
        {output}
    }
}

/// `/staff/district`: the district roll-up (platform admins; others get 403).
pub fn district() -> impl IntoView {
    super::follow_title(|s| s.district);
    let lang = RwSignal::new(use_ui().lang.get_untracked());
    let slot: Slot<Shown> = RwSignal::new(None);
    fetch_report(slot, ReportKind::Platform, lang.get_untracked());
    view! {
        <p>
            <a href="/staff">{ts(|s| s.back_home)}</a>
        </p>
        <h1>{ts(|s| s.district)}</h1>
        {lang_select(lang, move |chosen| fetch_report(slot, ReportKind::Platform, chosen))}
        {move || downloads(&ReportKind::Platform, lang.get(), None)}
        {show(slot, |(report, body): &Shown| report_view(report, body.clone()))}
    }
}

/// The download links of `kind` in `lang`; with `raw`, the campaign's raw data too.
fn downloads(kind: &ReportKind, lang: Lang, raw: Option<String>) -> impl IntoView {
    let raw = raw.map(|code| {
        view! {
            <div class="box warning">
                <p>
                    <a id="dl-raw" href=raw_data_url(&code) download>{ts(|s| s.raw_data)}</a>
                </p>
                <p id="raw-warning" class="hint">{ts(|s| s.raw_warning)}</p>
            </div>
        }
    });
    view! {
        <section id="report-downloads" aria-labelledby="downloads-h">
            <h2 id="downloads-h">{ts(|s| s.downloads)}</h2>
            <ul class="list">
                <li>
                    <a id="dl-csv" href=kind.url("csv", lang) download>{ts(|s| s.download_csv)}</a>
                </li>
                <li>
                    <a id="dl-xlsx" href=kind.url("xlsx", lang) download>{ts(|s| s.download_xlsx)}</a>
                </li>
                <li>
                    <a id="dl-html" href=kind.url("html", lang) target="_blank" rel="noopener">{ts(|s| s.printable)}</a>
                </li>
            </ul>
            {raw}
        </section>
    }
}

/// One headline figure: what it is (with the instrument or wave it is about) and
/// its value.
struct Fact {
    key: String,
    label: StaffPick,
    about: Option<Signal<String>>,
    value: String,
}

fn fact(key: &str, label: StaffPick, value: String) -> Fact {
    Fact { key: key.to_owned(), label, about: None, value }
}

/// Respondents of a row: the count, or `<k` when suppressed.
fn respondents(cell: &Cell) -> String {
    match cell {
        Cell::Shown(f) => f.n.to_string(),
        Cell::Suppressed { below } => format!("<{below}"),
    }
}

/// The figures worth reading first: the district's headline indicators, or a
/// campaign's respondents, participation and follow-up, or each wave's respondents.
fn facts(report: &Report) -> Vec<Fact> {
    let mut facts = Vec::new();
    let title = |id: &str| {
        report.instruments.iter().find(|s| s.instrument == id).map_or_else(
            || {
                let id = id.to_owned();
                Signal::derive(move || id.clone())
            },
            |s| localized_owned(s.title.clone()),
        )
    };
    if let Some(h) = &report.headline {
        facts.push(fact("respondents", |s| s.respondents, h.respondents.to_string()));
        if let Some(coverage) = h.coverage {
            facts.push(fact("coverage", |s| s.coverage, percent(coverage)));
        }
        for (id, rate) in &h.positive_rates {
            let about = Some(title(id));
            facts.push(Fact {
                key: format!("positive-{id}"),
                label: |s| s.positive_rate,
                about,
                value: percent(*rate),
            });
        }
        if let Some(share) = h.followed_up_within_24h {
            facts.push(fact("followed-up-24h", |s| s.followed_24h, percent(share)));
        }
        for (id, change) in &h.trend {
            let about = Some(title(id));
            facts.push(Fact { key: format!("trend-{id}"), label: |s| s.trend_since, about, value: points(*change) });
        }
        return facts;
    }
    if let Some(section) = report.instruments.first() {
        for row in &section.rows {
            if let Some(wave) = row.group.get("wave") {
                let wave = wave.clone();
                facts.push(Fact {
                    key: format!("respondents-{wave}"),
                    label: |s| s.respondents,
                    about: Some(Signal::derive(move || wave.clone())),
                    value: respondents(&row.cell),
                });
            } else if row.group.is_empty() {
                facts.push(fact("respondents", |s| s.respondents, respondents(&row.cell)));
            }
        }
    }
    if let Some(p) = &report.participation {
        let share = p.share.map(|s| format!(" ({})", percent(s))).unwrap_or_default();
        facts.push(fact("participation", |s| s.participation, format!("{} / {}{share}", p.used, p.issued)));
    }
    if let Some(f) = &report.follow_up {
        let share = f.acknowledged_within_24h_share.map(|s| format!(" ({})", percent(s))).unwrap_or_default();
        facts.push(fact("flags-raised", |s| s.flags_raised, f.flags_raised.to_string()));
        facts.push(fact("acknowledged-24h", |s| s.acknowledged_24h, format!("{}{share}", f.acknowledged_within_24h)));
        facts.push(fact("open-cases", |s| s.open_cases, f.open_cases.to_string()));
        facts.push(fact("overdue-cases", |s| s.overdue_cases, f.overdue_cases.to_string()));
    }
    facts
}

/// The headline figures, then the printable report's charts and tables.
fn report_view(report: &Report, body: String) -> impl IntoView {
    let rows = facts(report)
        .into_iter()
        .map(|f| {
            view! {
                <div data-indicator=f.key>
                    <dt>{ts(f.label)} {f.about.map(|about| view! { " · " {about} })}</dt>
                    <dd>{f.value}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <dl id="report-headline" class="facts box">{rows}</dl>
        <div id="report-view" class="report embedded" inner_html=body></div>
    }
}
