//! `/staff`: the organizations the account may see, and for platform admins a form
//! to add one and the platform's audit log.

use instruments::wire::staff::{NewOrganization, Organization, OrganizationKind, SessionInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::ui::{self, load, show, FormError};
use crate::api;
use crate::i18n::ts;

pub fn page(session: SessionInfo) -> impl IntoView {
    super::follow_title(|s| s.organizations);
    let (orgs, reload) = load(api::staff::organizations);
    let list = show(orgs, |orgs: &Vec<Organization>| {
        if orgs.is_empty() {
            return view! { <p class="hint">{ts(|s| s.no_organizations)}</p> }.into_any();
        }
        let items = orgs
            .iter()
            .map(|o| {
                view! {
                    <li data-org=o.id>
                        <a href=format!("/staff/org/{}", o.id)>{o.name.clone()}</a>
                        " "
                        <span class="hint">{ts(kind_name(o.kind))}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul id="org-list" class="list">{items}</ul> }.into_any()
    });
    let admin = session.platform_admin.then(|| {
        view! {
            {create_form(reload)}
            <p>
                <a id="district-link" href="/staff/district">{ts(|s| s.district)}</a>
            </p>
            <p>
                <a id="platform-settings" href="/staff/platform">{ts(|s| s.platform_settings)}</a>
            </p>
            <p>
                <a id="platform-audit" href="/staff/audit">{ts(|s| s.platform_audit)}</a>
            </p>
        }
    });
    view! {
        <h1>{ts(|s| s.organizations)}</h1>
        {list}
        {admin}
        <p>
            <a href="/instruments">{ts(|s| s.reference_link)}</a>
        </p>
    }
}

pub fn kind_name(kind: OrganizationKind) -> crate::i18n::StaffPick {
    match kind {
        OrganizationKind::School => |s| s.school,
        OrganizationKind::Employer => |s| s.employer,
    }
}

fn create_form(reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let employer = RwSignal::new(false);
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let new = NewOrganization {
            name: name.get_untracked().trim().to_owned(),
            kind: if employer.get_untracked() { OrganizationKind::Employer } else { OrganizationKind::School },
        };
        spawn_local(async move {
            let result = api::staff::create_organization(&new).await;
            ui::watch(&result);
            match result {
                Ok(_) => {
                    name.set(String::new());
                    reload.run(());
                }
                Err(e) => error.server(&e, &["name"]),
            }
        });
    };
    view! {
        <form id="new-org" class="box" on:submit=on_submit>
            <h2>{ts(|s| s.new_organization)}</h2>
            {ui::input("org-name", |s| s.org_name, name, "text", Some((error, "name")))}
            <fieldset>
                <legend>{ts(|s| s.org_kind)}</legend>
                <label class="check">
                    <input
                        type="radio"
                        name="org-kind"
                        id="org-kind-school"
                        prop:checked=move || !employer.get()
                        on:change=move |_| employer.set(false)
                    />
                    <span>{ts(|s| s.school)}</span>
                </label>
                <label class="check">
                    <input
                        type="radio"
                        name="org-kind"
                        id="org-kind-employer"
                        prop:checked=employer
                        on:change=move |_| employer.set(true)
                    />
                    <span>{ts(|s| s.employer)}</span>
                </label>
            </fieldset>
            {error.at("")}
            <button type="submit" id="create-org" class="primary">{ts(|s| s.create)}</button>
        </form>
    }
}
