//! Staff accounts, roles, sessions and invitations.

use instruments::wire::staff::{Member, Role};

use super::{DbError, Store};
use crate::auth::Staff;

/// Sessions end this long after they began, however active (seconds).
pub const SESSION_MAX_SECS: i64 = 12 * 3600;

/// What accepting an invitation did.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// A new account was created with the chosen password, holding the role.
    NewAccount(i64),
    /// The signed-in owner of the invited address confirmed; the role was added.
    RoleAdded(i64),
    /// The address already has an account: its owner must sign in to accept.
    AccountExists,
    /// The signed-in account is not the one invited.
    WrongAccount,
    /// Unknown token, expired, or already used.
    Invalid,
}

/// An invitation that can still be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    /// The inviting organization.
    pub organization_id: i64,
    /// Its name.
    pub organization_name: String,
    /// The invited address.
    pub email: String,
    /// The role offered.
    pub role: Role,
    /// When the link stops working.
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    email: String,
    platform_admin: i64,
    csrf_token: String,
    created_at: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    organization_id: i64,
    organization_name: String,
    email: String,
    role: String,
    expires_at: i64,
}

/// An invitation with its organization's name, by token (`$1`).
const INVITATION_SELECT: &str = "SELECT i.organization_id, o.name AS organization_name, i.email, i.role, i.expires_at
     FROM invitations i JOIN organizations o ON o.id = i.organization_id WHERE i.token_hash = $1";

impl TryFrom<InvitationRow> for PendingInvitation {
    type Error = DbError;

    fn try_from(row: InvitationRow) -> Result<Self, DbError> {
        Ok(Self {
            organization_id: row.organization_id,
            organization_name: row.organization_name,
            email: row.email,
            role: role(&row.role)?,
            expires_at: row.expires_at,
        })
    }
}

fn role(text: &str) -> Result<Role, DbError> {
    Role::parse(text).ok_or_else(|| DbError::Other(anyhow::anyhow!("stored role `{text}` is unknown")))
}

impl Store {
    /// Creates an account; `None` when the e-mail already has one.
    ///
    /// # Errors
    /// On database failure.
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        platform_admin: bool,
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, platform_admin, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(email)
        .bind(password_hash)
        .bind(i64::from(platform_admin))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account id of an e-mail.
    ///
    /// # Errors
    /// On database failure.
    pub async fn user_id(&self, email: &str) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(&self.pool).await?)
    }

    /// Gives an account a role: platform admin, or a role in one organization.
    ///
    /// # Errors
    /// On database failure.
    pub async fn grant(&self, user_id: i64, role: Role, organization: Option<i64>) -> Result<(), DbError> {
        match (role, organization) {
            (Role::PlatformAdmin, _) => {
                sqlx::query("UPDATE users SET platform_admin = 1 WHERE id = $1")
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
            }
            (_, Some(org)) => {
                sqlx::query(
                    "INSERT INTO memberships (user_id, organization_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(user_id)
                .bind(org)
                .bind(role.as_str())
                .execute(&self.pool)
                .await?;
            }
            (_, None) => return Err(DbError::Other(anyhow::anyhow!("{} needs an organization", role.as_str()))),
        }
        Ok(())
    }

    /// The id and password hash of the account with this e-mail.
    ///
    /// # Errors
    /// On database failure.
    pub async fn credentials(&self, email: &str) -> Result<Option<(i64, String)>, DbError> {
        Ok(sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Starts a session.
    ///
    /// # Errors
    /// On database failure.
    pub async fn create_session(&self, user_id: i64, token_hash: &str, csrf: &str, now: i64) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends a session.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// The staff member of a live session; ends sessions idle longer than `idle_secs`
    /// or older than [`SESSION_MAX_SECS`], and marks the session as seen.
    ///
    /// # Errors
    /// On database failure.
    pub async fn staff_by_session(&self, token_hash: &str, now: i64, idle_secs: i64) -> Result<Option<Staff>, DbError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.user_id, u.email, u.platform_admin, s.csrf_token, s.created_at, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if now - row.last_seen_at > idle_secs || now - row.created_at > SESSION_MAX_SECS {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        if now - row.last_seen_at >= 60 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        let roles: Vec<(i64, String)> =
            sqlx::query_as("SELECT organization_id, role FROM memberships WHERE user_id = $1 ORDER BY organization_id")
                .bind(row.user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(Some(Staff {
            user_id: row.user_id,
            email: row.email,
            platform_admin: row.platform_admin != 0,
            roles: roles.into_iter().map(|(org, r)| Ok((org, role(&r)?))).collect::<Result<_, DbError>>()?,
            csrf_token: row.csrf_token,
            session_hash: token_hash.to_owned(),
        }))
    }

    /// Members of an organization and their roles.
    ///
    /// # Errors
    /// On database failure.
    pub async fn members(&self, organization: i64) -> Result<Vec<Member>, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 ORDER BY u.email, m.role",
        )
        .bind(organization)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|(email, r)| Ok(Member { email, role: role(&r)? })).collect()
    }

    /// Stores an invitation (its token only as a hash).
    ///
    /// # Errors
    /// On database failure.
    pub async fn create_invitation(
        &self,
        token_hash: &str,
        organization: i64,
        email: &str,
        role: Role,
        invited_by: i64,
        expires_at: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO invitations (token_hash, organization_id, email, role, invited_by, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(organization)
        .bind(email)
        .bind(role.as_str())
        .bind(invited_by)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The invitation behind a token, if it is unused and has not expired.
    ///
    /// # Errors
    /// On database failure, or a stored role that is unknown.
    pub async fn pending_invitation(&self, token_hash: &str, now: i64) -> Result<Option<PendingInvitation>, DbError> {
        let row: Option<InvitationRow> =
            sqlx::query_as(&format!("{INVITATION_SELECT} AND i.accepted_at IS NULL AND i.expires_at > $2"))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
        row.map(PendingInvitation::try_from).transpose()
    }

    /// Uses an invitation once to create the invited address's account with
    /// `password_hash` and the role, in one transaction. An address that already
    /// has an account is left alone ([`Accepted::AccountExists`]) and the invitation
    /// stays usable by its owner.
    ///
    /// # Errors
    /// On database failure.
    pub async fn accept_invitation_new_account(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Accepted, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(invitation) = use_invitation(&mut tx, token_hash, None, now).await? else {
            return Ok(Accepted::Invalid);
        };
        let created: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, platform_admin, created_at) VALUES ($1, $2, 0, $3)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(&invitation.email)
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = created else {
            tx.rollback().await?;
            return Ok(Accepted::AccountExists);
        };
        grant_invited_role(&mut tx, user, &invitation, "invitation_accepted", now).await?;
        tx.commit().await?;
        Ok(Accepted::NewAccount(user))
    }

    /// Uses an invitation once for the signed-in account `user` whose address is
    /// `email`: the owner's own confirmation, so the role is added. Anyone else's
    /// session is refused ([`Accepted::WrongAccount`]) and changes nothing.
    ///
    /// # Errors
    /// On database failure.
    pub async fn accept_invitation_as(
        &self,
        token_hash: &str,
        user: i64,
        email: &str,
        now: i64,
    ) -> Result<Accepted, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(invitation) = use_invitation(&mut tx, token_hash, Some(email), now).await? else {
            tx.rollback().await?;
            let pending = self.pending_invitation(token_hash, now).await?;
            return Ok(if pending.is_some() { Accepted::WrongAccount } else { Accepted::Invalid });
        };
        grant_invited_role(&mut tx, user, &invitation, "role_confirmed", now).await?;
        tx.commit().await?;
        Ok(Accepted::RoleAdded(user))
    }
}

/// Marks the invitation used (only if unused, unexpired and, with `email`, addressed
/// to it) and returns it; `None` when no such invitation could be used.
async fn use_invitation(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    token_hash: &str,
    email: Option<&str>,
    now: i64,
) -> Result<Option<PendingInvitation>, DbError> {
    let used = sqlx::query(
        "UPDATE invitations SET accepted_at = $1
         WHERE token_hash = $2 AND accepted_at IS NULL AND expires_at > $1 AND ($3 = '' OR email = $3)",
    )
    .bind(now)
    .bind(token_hash)
    .bind(email.unwrap_or(""))
    .execute(&mut **tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let row: InvitationRow = sqlx::query_as(INVITATION_SELECT).bind(token_hash).fetch_one(&mut **tx).await?;
    Ok(Some(row.try_into()?))
}

/// Adds the invited role and records it, in the accepting transaction.
async fn grant_invited_role(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: i64,
    invitation: &PendingInvitation,
    action: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO memberships (user_id, organization_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(user)
        .bind(invitation.organization_id)
        .bind(invitation.role.as_str())
        .execute(&mut **tx)
        .await?;
    let subject = format!("{} as {}", invitation.email, invitation.role.as_str());
    super::audit::record_in(tx, Some(user), Some(invitation.organization_id), action, &subject, now).await?;
    Ok(())
}
