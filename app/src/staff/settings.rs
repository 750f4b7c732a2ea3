//! `/staff/platform`: the platform's warning levels (read here; changed through the
//! API) and its directory of referral destinations (转介机构), which a platform admin
//! adds to.

use instruments::wire::warning::{DestinationKind, NewDestination, ReferralDestination, WarningLevels};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::queue::level_chip;
use super::ui::{self, load, show, FormError};
use crate::api;
use crate::i18n::{ts, StaffPick};

fn kind_name(kind: DestinationKind) -> StaffPick {
    match kind {
        DestinationKind::Hospital => |s| s.kind_hospital,
        DestinationKind::GuidanceCentre => |s| s.kind_guidance_centre,
        DestinationKind::Hotline => |s| s.kind_hotline,
        DestinationKind::Other => |s| s.kind_other,
    }
}

const KINDS: [(DestinationKind, &str); 4] = [
    (DestinationKind::Hospital, "hospital"),
    (DestinationKind::GuidanceCentre, "guidance_centre"),
    (DestinationKind::Hotline, "hotline"),
    (DestinationKind::Other, "other"),
];

pub fn page() -> impl IntoView {
    super::follow_title(|s| s.platform_settings);
    let (data, reload) = load(move || async move {
        let levels = api::staff::warning_levels().await?;
        let destinations = api::staff::destinations().await?;
        Ok((levels, destinations))
    });
    let body = show(data, move |(levels, destinations): &(WarningLevels, Vec<ReferralDestination>)| {
        let level_rows = levels
            .levels
            .iter()
            .map(|l| {
                view! {
                    <li data-level=l.id.clone()>
                        {level_chip(levels, &l.id)} " · " {ts(|s| s.deadline_minutes)} ": " {l.first_contact_minutes}
                    </li>
                }
            })
            .collect_view();
        let listed = destinations
            .iter()
            .map(|d| {
                let taken = d.destination.levels.iter().map(|l| view! { {level_chip(levels, l)} " " }).collect_view();
                view! {
                    <li data-destination=d.id>
                        <strong>{d.destination.name.clone()}</strong> " · " {ts(kind_name(d.destination.kind))}
                        " · " {d.destination.contact.clone()} <br/> {taken}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section id="levels" aria-labelledby="levels-h">
                <h2 id="levels-h">{ts(|s| s.warning_levels)}</h2>
                <ul class="list">{level_rows}</ul>
            </section>
            <section id="destinations" aria-labelledby="destinations-h">
                <h2 id="destinations-h">{ts(|s| s.destinations)}</h2>
                <ul id="destination-list" class="list">{listed}</ul>
                {destination_form(levels, reload)}
            </section>
        }
    });
    view! {
        <p>
            <a href="/staff">{ts(|s| s.back_home)}</a>
        </p>
        <h1>{ts(|s| s.platform_settings)}</h1>
        {body}
    }
}

fn destination_form(levels: &WarningLevels, reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("hospital".to_owned());
    let contact = RwSignal::new(String::new());
    let taken = RwSignal::new(Vec::<String>::new());
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let kind = KINDS.iter().find(|(_, k)| *k == kind.get_untracked()).map_or(DestinationKind::Other, |(k, _)| *k);
        let new = NewDestination {
            name: name.get_untracked().trim().to_owned(),
            kind,
            levels: taken.get_untracked(),
            contact: contact.get_untracked().trim().to_owned(),
            active: true,
        };
        spawn_local(async move {
            let result = api::staff::add_destination(&new).await;
            ui::watch(&result);
            match result {
                Ok(_) => {
                    name.set(String::new());
                    contact.set(String::new());
                    reload.run(());
                }
                Err(e) => error.server(&e, &["name", "kind", "levels", "contact"]),
            }
        });
    };
    let kinds = KINDS.iter().map(|(k, id)| view! { <option value=*id>{ts(kind_name(*k))}</option> }).collect_view();
    let level_choices = levels
        .levels
        .iter()
        .map(|l| {
            let id = l.id.clone();
            let on = id.clone();
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        id=format!("destination-level-{id}")
                        prop:checked=move || taken.with(|t| t.contains(&on))
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            taken.update(|t| {
                                t.retain(|x| x != &id);
                                if checked {
                                    t.push(id.clone());
                                }
                            });
                        }
                    />
                    <span>{level_chip(levels, &l.id)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <form id="destination-form" class="box" on:submit=on_submit>
            <h3>{ts(|s| s.add_destination)}</h3>
            {ui::input("destination-name", |s| s.destination_name, name, "text", Some((error, "name")))}
            <div class="field">
                <label for="destination-kind">{ts(|s| s.destination_kind)}</label>
                <select id="destination-kind" prop:value=kind on:change=move |ev| kind.set(event_target_value(&ev))>
                    {kinds}
                </select>
            </div>
            <fieldset>
                <legend>{ts(|s| s.destination_levels)}</legend>
                {level_choices}
            </fieldset>
            {error.at("levels")}
            {ui::input("destination-contact", |s| s.destination_contact, contact, "text", Some((error, "contact")))}
            {error.at("")}
            <button type="submit" id="destination-save" class="primary">{ts(|s| s.add_destination)}</button>
        </form>
    }
}
