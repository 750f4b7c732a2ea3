//! The audit log: who viewed or changed what, and when. Rows are only ever inserted;
//! triggers in the migrations refuse UPDATE and DELETE.

use instruments::wire::staff::AuditEntry;
use sqlx::{Any, Transaction};

use super::{DbError, Store};

/// Most entries one listing returns.
pub const PAGE: i64 = 1000;

/// Records an action inside a transaction, so that it stands or falls with it.
///
/// # Errors
/// On database failure.
pub async fn record_in(
    tx: &mut Transaction<'static, Any>,
    user: Option<i64>,
    organization: Option<i64>,
    action: &str,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, user_id, organization_id, action, subject) VALUES ($1, $2, $3, $4, $5)")
        .bind(now)
        .bind(user)
        .bind(organization)
        .bind(action)
        .bind(subject)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    email: Option<String>,
    organization_id: Option<i64>,
    action: String,
    subject: String,
}

impl Store {
    /// Records an action.
    ///
    /// # Errors
    /// On database failure.
    pub async fn audit(
        &self,
        user: Option<i64>,
        organization: Option<i64>,
        action: &str,
        subject: &str,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        record_in(&mut tx, user, organization, action, subject, crate::day::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest entries, of one organization or of the whole platform.
    ///
    /// # Errors
    /// On database failure.
    pub async fn audit_entries(&self, organization: Option<i64>) -> Result<Vec<AuditEntry>, DbError> {
        let sql = "SELECT a.id, a.at, u.email, a.organization_id, a.action, a.subject
                   FROM audit_log a LEFT JOIN users u ON u.id = a.user_id";
        let rows: Vec<Row> = match organization {
            Some(org) => {
                sqlx::query_as(&format!("{sql} WHERE a.organization_id = $1 ORDER BY a.id DESC LIMIT $2"))
                    .bind(org)
                    .bind(PAGE)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query_as(&format!("{sql} ORDER BY a.id DESC LIMIT $1")).bind(PAGE).fetch_all(&self.pool).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.email,
                organization_id: r.organization_id,
                action: r.action,
                subject: r.subject,
            })
            .collect())
    }
}
