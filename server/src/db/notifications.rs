//! The notification outbox: rows written in the transaction that opens or raises an
//! urgent warning, claimed by a lease, and their delivery attempts. Times are Unix
//! milliseconds.

use instruments::wire::staff::{CaseNotification, NotificationChannel, NotificationSettings, WebhookFormat};
use sqlx::{Any, Transaction};

use super::{DbError, Store};

/// Why an outbox row is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// A screening opened the warning at the most urgent level.
    Opened,
    /// A re-check raised the warning to the most urgent level.
    Raised,
}

impl NotificationKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "warning_opened",
            Self::Raised => "warning_raised",
        }
    }
}

/// One claimed notification with the facts its message names.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// Warning id.
    pub case_id: i64,
    /// Level id.
    pub level: String,
    /// `warning_opened` or `warning_raised`.
    pub kind: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// Address or URL.
    pub recipient: String,
    /// For webhooks: `json` or `robot`.
    pub webhook_format: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Organization name.
    pub organization: String,
    /// Campaign name (JSON text per locale).
    pub campaign_name: String,
}

/// Writes, in the caller's transaction, one e-mail row per counselor of the
/// organization (when `email`) and one webhook row (when the organization has one).
///
/// # Errors
/// On database failure: the caller's transaction then stores nothing.
pub async fn enqueue_in(
    tx: &mut Transaction<'static, Any>,
    organization: i64,
    case: i64,
    level: &str,
    kind: NotificationKind,
    email: bool,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    if email {
        sqlx::query(
            "INSERT INTO notifications (organization_id, case_id, level, kind, channel, recipient, state, attempts,
                 next_attempt_at, created_at)
             SELECT $1, $2, $3, $4, 'email', u.email, 'pending', 0, $5, $5
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 AND m.role = 'counselor' ORDER BY u.id",
        )
        .bind(organization)
        .bind(case)
        .bind(level)
        .bind(kind.as_str())
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO notifications (organization_id, case_id, level, kind, channel, recipient, webhook_format, state,
             attempts, next_attempt_at, created_at)
         SELECT $1, $2, $3, $4, 'webhook', webhook_url, webhook_format, 'pending', 0, $5, $5
         FROM organization_notifications WHERE organization_id = $1 AND webhook_url IS NOT NULL",
    )
    .bind(organization)
    .bind(case)
    .bind(level)
    .bind(kind.as_str())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn format_name(format: WebhookFormat) -> &'static str {
    match format {
        WebhookFormat::Json => "json",
        WebhookFormat::Robot => "robot",
    }
}

impl Store {
    /// Pending notifications due at `now_ms` whose lease is free, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn due_notifications(&self, now_ms: i64, limit: i64) -> Result<Vec<i64>, DbError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= $1
                 AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Claims a notification for `owner` until `until_ms`, if it is still pending,
    /// due and unclaimed: a compare-and-set, so of several processes exactly one wins.
    ///
    /// # Errors
    /// On database failure.
    pub async fn claim_notification(
        &self,
        id: i64,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<Claimed>, DbError> {
        let claimed = sqlx::query(
            "UPDATE notifications SET lease_owner = $1, lease_until = $2
             WHERE id = $3 AND state = 'pending' AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until < $4)",
        )
        .bind(owner)
        .bind(until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(None);
        }
        let row: Claimed = sqlx::query_as(
            "SELECT n.id, n.case_id, n.level, n.kind, n.channel, n.recipient, n.webhook_format, n.attempts,
                 o.name AS organization, c.name AS campaign_name
             FROM notifications n JOIN organizations o ON o.id = n.organization_id
                 JOIN cases k ON k.id = n.case_id JOIN campaigns c ON c.id = k.campaign_id
             WHERE n.id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(row))
    }

    /// Records an attempt by `owner`: sent, or failed and due again at `retry_at_ms`.
    /// Only the lease holder records, so a process whose lease ran out cannot
    /// overwrite another's outcome.
    ///
    /// # Errors
    /// On database failure.
    pub async fn record_attempt(
        &self,
        id: i64,
        owner: &str,
        outcome: Result<(), &str>,
        now_ms: i64,
        retry_at_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let updated = match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE notifications SET state = 'sent', sent_at = $1, lease_owner = NULL, lease_until = NULL
                     WHERE id = $2 AND lease_owner = $3",
                )
                .bind(now_ms)
                .bind(id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
            }
            Err(_) => {
                sqlx::query(
                    "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $1, lease_owner = NULL,
                         lease_until = NULL
                     WHERE id = $2 AND lease_owner = $3",
                )
                .bind(retry_at_ms)
                .bind(id)
                .bind(owner)
                .execute(&mut *tx)
                .await?
            }
        };
        if updated.rows_affected() == 1 {
            sqlx::query(
                "INSERT INTO notification_attempts (notification_id, at, outcome, error) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(now_ms)
            .bind(if outcome.is_ok() { "sent" } else { "failed" })
            .bind(outcome.err())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The notifications of a warning, for its timeline.
    ///
    /// # Errors
    /// On database failure or a row that does not convert.
    pub async fn case_notifications(&self, case: i64) -> Result<Vec<CaseNotification>, DbError> {
        let rows: Vec<(String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT kind, channel, state, attempts, created_at, sent_at FROM notifications WHERE case_id = $1 ORDER BY id",
        )
        .bind(case)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(kind, channel, state, attempts, created_at, sent_at)| {
                let channel = match channel.as_str() {
                    "email" => NotificationChannel::Email,
                    "webhook" => NotificationChannel::Webhook,
                    other => return Err(DbError::Other(anyhow::anyhow!("stored channel `{other}` is unknown"))),
                };
                Ok(CaseNotification {
                    kind,
                    channel,
                    sent: state == "sent",
                    attempts,
                    created_at: created_at / 1000,
                    sent_at: sent_at.map(|t| t / 1000),
                })
            })
            .collect()
    }

    /// The organization's webhook.
    ///
    /// # Errors
    /// On database failure or a stored format that is unknown.
    pub async fn notification_settings(&self, organization: i64) -> Result<NotificationSettings, DbError> {
        let row: Option<(Option<String>, String)> = sqlx::query_as(
            "SELECT webhook_url, webhook_format FROM organization_notifications WHERE organization_id = $1",
        )
        .bind(organization)
        .fetch_optional(&self.pool)
        .await?;
        let Some((webhook_url, format)) = row else {
            return Ok(NotificationSettings { webhook_url: None, webhook_format: WebhookFormat::Json });
        };
        let webhook_format = match format.as_str() {
            "json" => WebhookFormat::Json,
            "robot" => WebhookFormat::Robot,
            other => return Err(DbError::Other(anyhow::anyhow!("stored webhook format `{other}` is unknown"))),
        };
        Ok(NotificationSettings { webhook_url, webhook_format })
    }

    /// Sets the organization's webhook, with an audit entry (the URL is not logged:
    /// robot URLs carry their key).
    ///
    /// # Errors
    /// On database failure.
    pub async fn set_notification_settings(
        &self,
        organization: i64,
        settings: &NotificationSettings,
        user: i64,
        now: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO organization_notifications (organization_id, webhook_url, webhook_format, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (organization_id) DO UPDATE SET webhook_url = excluded.webhook_url,
                 webhook_format = excluded.webhook_format, updated_at = excluded.updated_at",
        )
        .bind(organization)
        .bind(settings.webhook_url.as_deref())
        .bind(format_name(settings.webhook_format))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let subject = if settings.webhook_url.is_some() { "webhook set" } else { "webhook removed" };
        super::audit::record_in(&mut tx, Some(user), Some(organization), "notifications_changed", subject, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
