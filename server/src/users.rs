//! Creating staff accounts from the command line: the first platform admin of an
//! installation, and scripted set-ups. Everyone else is invited from the app.

use instruments::wire::staff::Role;

use crate::auth::password;
use crate::db::Store;

/// An account to create.
#[derive(Debug)]
pub struct NewUser {
    /// E-mail (sign-in name).
    pub email: String,
    /// The password, as read from standard input.
    pub password: String,
    /// The role to grant.
    pub role: Role,
    /// Organization id or exact name, for org_admin and counselor.
    pub organization: Option<String>,
}

/// Creates the account and grants the role; returns what was done.
///
/// # Errors
/// A message naming the option at fault, or a database failure.
pub async fn create(store: &Store, user: NewUser) -> anyhow::Result<String> {
    let email =
        crate::routes::valid_email(&user.email).map_err(|_| anyhow::anyhow!("--email: not an e-mail address"))?;
    password::check_new(&user.password).map_err(|e| anyhow::anyhow!("password (standard input): {e}"))?;
    let organization = match (user.role, &user.organization) {
        (Role::PlatformAdmin, None) => None,
        (Role::PlatformAdmin, Some(_)) => anyhow::bail!("--org: a platform admin holds no organization"),
        (_, None) => anyhow::bail!("--org: {} needs an organization (id or name)", user.role.as_str()),
        (_, Some(wanted)) => Some(organization_named(store, wanted).await?),
    };
    let hash = password::hash(&user.password);
    let id = store
        .create_user(&email, &hash, false, crate::day::now())
        .await?
        .ok_or_else(|| anyhow::anyhow!("--email: an account with {email} exists already"))?;
    store.grant(id, user.role, organization.as_ref().map(|o| o.id)).await?;
    store
        .audit(
            None,
            organization.as_ref().map(|o| o.id),
            "account_created",
            &format!("{email} as {} (command line)", user.role.as_str()),
        )
        .await?;
    Ok(match organization {
        Some(org) => format!("created {email} as {} of {} (id {})", user.role.as_str(), org.name, org.id),
        None => format!("created {email} as {}", user.role.as_str()),
    })
}

/// The organization a command line names by id or exact name.
///
/// # Errors
/// `--org: no organization …`, or on database failure.
pub async fn organization_named(store: &Store, wanted: &str) -> anyhow::Result<instruments::wire::staff::Organization> {
    let orgs = store.organizations(None).await?;
    let found = orgs.into_iter().find(|o| o.id.to_string() == wanted || o.name == wanted);
    found.ok_or_else(|| anyhow::anyhow!("--org: no organization `{wanted}`"))
}
