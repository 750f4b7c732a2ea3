//! `/staff/org/{id}`: an organization's sections, each shown to the roles it is for:
//! campaigns, the follow-up queue, members and invitations, follow-up figures and
//! the audit log. Also the platform's audit log, `/staff/audit`.

use instruments::wire::staff::{
    AuditEntry, CampaignDetail, CampaignFollowUp, CampaignState, Invitation, Member, NewInvitation, Organization, Role,
    SessionInfo,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{format_time, Access};
use super::ui::{self, load, show, FormError};
use crate::api;
use crate::i18n::{format_total, localized_owned, ts, use_ui, StaffPick};
use crate::platform;

pub fn page(org: i64, session: SessionInfo) -> impl IntoView {
    super::follow_title(|s| s.organization);
    let access = Access::of(&session, org);
    let (organization, _) = load(move || api::staff::organization(org));
    let title = show(organization, |o: &Organization| view! { <h1 id="org-name">{o.name.clone()}</h1> });
    let nav: Vec<(bool, String, StaffPick, Option<&'static str>)> = vec![
        (access.cases, "#queue".to_owned(), |s| s.queue, None),
        (access.campaigns, "#campaigns".to_owned(), |s| s.campaigns, None),
        (access.figures, "#figures".to_owned(), |s| s.figures, None),
        (access.reports, format!("/staff/org/{org}/reports"), |s| s.reports, Some("reports-link")),
        (access.members, "#members".to_owned(), |s| s.members, None),
        (access.audit, "#audit".to_owned(), |s| s.audit, None),
    ];
    let nav = nav
        .into_iter()
        .filter(|(shown, ..)| *shown)
        .map(|(_, href, pick, id)| view! { <a id=id href=href>{ts(pick)}</a> })
        .collect_view();
    view! {
        <p>
            <a href="/staff">{ts(|s| s.back_home)}</a>
        </p>
        {title}
        <nav class="tabs" aria-label=move || use_ui().lang.get().staff().sections>{nav}</nav>
        {access.cases.then(|| super::queue::section(org))}
        {access.campaigns.then(|| campaigns(org))}
        {access.figures.then(|| figures(org))}
        {access.members.then(|| members(org))}
        {access.audit.then(|| audit_section(Some(org)))}
    }
}

pub fn state_name(state: CampaignState) -> StaffPick {
    match state {
        CampaignState::NotYetOpen => |s| s.not_yet_open,
        CampaignState::Open => |s| s.open,
        CampaignState::Closed => |s| s.closed,
    }
}

fn campaigns(org: i64) -> impl IntoView {
    let (list, _) = load(move || api::staff::campaigns(org));
    let list = show(list, move |campaigns: &Vec<CampaignDetail>| {
        if campaigns.is_empty() {
            return view! { <p class="hint">{ts(|s| s.no_campaigns)}</p> }.into_any();
        }
        campaigns
            .iter()
            .map(|c| {
                let code = c.spec.code.clone();
                view! {
                    <li data-campaign=code.clone()>
                        <a href=format!("/staff/org/{org}/campaign/{code}")>
                            {localized_owned(c.spec.name.clone())} " (" {code.clone()} ")"
                        </a>
                        <br/>
                        <span class="hint">
                            {ts(state_name(c.state))} " · " {ts(|s| s.submissions)} " " {c.submissions}
                        </span>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    });
    view! {
        <section id="campaigns" aria-labelledby="campaigns-h">
            <h2 id="campaigns-h">{ts(|s| s.campaigns)}</h2>
            <ul class="list">{list}</ul>
            <p>
                <a id="new-campaign" class="button" href=format!("/staff/org/{org}/new-campaign")>
                    {ts(|s| s.new_campaign)}
                </a>
            </p>
        </section>
    }
}

fn figures(org: i64) -> impl IntoView {
    let (data, _) = load(move || api::staff::follow_up(org));
    let list = show(data, |campaigns: &Vec<CampaignFollowUp>| {
        if campaigns.is_empty() {
            return view! { <p class="hint">{ts(|s| s.no_campaigns)}</p> }.into_any();
        }
        campaigns
            .iter()
            .map(|c| {
                let f = &c.figures;
                let share = f.acknowledged_within_24h_share.map(|x| format!(" ({}%)", format_total(Some(x * 100.0))));
                let median = f.median_hours_to_contact.map_or_else(|| "–".to_owned(), |h| format_total(Some(h)));
                let rows: Vec<(StaffPick, String)> = vec![
                    (|s| s.flags_raised, f.flags_raised.to_string()),
                    (|s| s.acknowledged_24h, format!("{}{}", f.acknowledged_within_24h, share.unwrap_or_default())),
                    (|s| s.median_hours, median),
                    (|s| s.open_cases, f.open_cases.to_string()),
                    (|s| s.overdue_cases, f.overdue_cases.to_string()),
                ];
                let rows = rows
                    .into_iter()
                    .map(|(pick, value)| view! { <div><dt>{ts(pick)}</dt><dd>{value}</dd></div> })
                    .collect_view();
                view! {
                    <div class="box" data-campaign=c.campaign.clone()>
                        <h3>{localized_owned(c.name.clone())} " (" {c.campaign.clone()} ")"</h3>
                        <dl class="facts">{rows}</dl>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    });
    view! {
        <section id="figures" aria-labelledby="figures-h">
            <h2 id="figures-h">{ts(|s| s.figures)}</h2>
            {list}
        </section>
    }
}

pub fn role_name(role: Role) -> StaffPick {
    match role {
        Role::PlatformAdmin => |s| s.role_platform_admin,
        Role::OrgAdmin => |s| s.role_org_admin,
        Role::Counselor => |s| s.role_counselor,
    }
}

fn members(org: i64) -> impl IntoView {
    let (list, reload) = load(move || api::staff::members(org));
    let list = show(list, |members: &Vec<Member>| {
        members
            .iter()
            .map(|m| {
                view! {
                    <li data-member=m.email.clone()>
                        {m.email.clone()} " · " <span class="hint">{ts(role_name(m.role))}</span>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <section id="members" aria-labelledby="members-h">
            <h2 id="members-h">{ts(|s| s.members)}</h2>
            <ul id="member-list" class="list">{list}</ul>
            {invite_form(org, reload)}
        </section>
    }
}

fn invite_form(org: i64, reload: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let created = RwSignal::new(None::<Invitation>);
    let error = FormError::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.clear();
        let new = NewInvitation {
            email: email.get_untracked().trim().to_owned(),
            role: if admin.get_untracked() { Role::OrgAdmin } else { Role::Counselor },
        };
        spawn_local(async move {
            let result = api::staff::invite(org, &new).await;
            ui::watch(&result);
            match result {
                Ok(invitation) => {
                    email.set(String::new());
                    created.set(Some(invitation));
                    reload.run(());
                }
                Err(e) => error.server(&e, &["email", "role"]),
            }
        });
    };
    let link = move || {
        created.with(|i| {
            i.as_ref().map(|i| match &i.link {
                Some(link) => {
                    let url = format!("{}{}", platform::origin(), link);
                    view! {
                        <div class="box" role="status">
                            <label for="invitation-link">{ts(|s| s.invitation_link)}</label>
                            <input id="invitation-link" readonly prop:value=url/>
                            <p class="hint">{ts(|s| s.invitation_hint)} " " {format_time(i.expires_at)}</p>
                        </div>
                    }
                    .into_any()
                }
                None => view! {
                    <div class="box" role="status" id="invitation-mailed">
                        <p>{ts(|s| s.invitation_mailed)} " " {format_time(i.expires_at)}</p>
                    </div>
                }
                .into_any(),
            })
        })
    };
    view! {
        <form id="invite" class="box" on:submit=on_submit>
            <h3>{ts(|s| s.invite)}</h3>
            {ui::input("invite-email", |s| s.email, email, "email", Some((error, "email")))}
            <fieldset>
                <legend>{ts(|s| s.role)}</legend>
                <label class="check">
                    <input
                        type="radio"
                        name="invite-role"
                        id="invite-counselor"
                        prop:checked=move || !admin.get()
                        on:change=move |_| admin.set(false)
                    />
                    <span>{ts(|s| s.role_counselor)}</span>
                </label>
                <label class="check">
                    <input
                        type="radio"
                        name="invite-role"
                        id="invite-org-admin"
                        prop:checked=admin
                        on:change=move |_| admin.set(true)
                    />
                    <span>{ts(|s| s.role_org_admin)}</span>
                </label>
            </fieldset>
            {error.at("role")}
            {error.at("")}
            <button type="submit" id="invite-button" class="primary">{ts(|s| s.create_invitation)}</button>
        </form>
        {link}
    }
}

/// The audit log of `org`, or of the platform.
fn audit_section(org: Option<i64>) -> impl IntoView {
    let (entries, _) = load(move || api::staff::audit(org));
    let list = show(entries, |entries: &Vec<AuditEntry>| {
        if entries.is_empty() {
            return view! { <p class="hint">{ts(|s| s.nothing_yet)}</p> }.into_any();
        }
        let rows = entries
            .iter()
            .map(|e| {
                view! {
                    <li data-action=e.action.clone()>
                        <span class="hint">{format_time(e.at)}</span>
                        " · "
                        {e.actor.clone().unwrap_or_else(|| "–".to_owned())}
                        " · "
                        <strong>{e.action.clone()}</strong>
                        " · "
                        {e.subject.clone()}
                    </li>
                }
            })
            .collect_view();
        view! { <ol id="audit-list" class="list log">{rows}</ol> }.into_any()
    });
    view! {
        <section id="audit" aria-labelledby="audit-h">
            <h2 id="audit-h">{ts(|s| s.audit)}</h2>
            {list}
        </section>
    }
}

/// `/staff/audit`: everything on the platform (platform admins; others get 403).
pub fn platform_audit() -> impl IntoView {
    super::follow_title(|s| s.platform_audit);
    view! {
        <p>
            <a href="/staff">{ts(|s| s.back_home)}</a>
        </p>
        <h1>{ts(|s| s.platform_audit)}</h1>
        {audit_section(None)}
    }
}
