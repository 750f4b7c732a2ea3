//! The delivery worker: woken after a commit that wrote notifications, and polling
//! for due retries. Each row is claimed by a lease before it is sent, so several
//! processes on one database share the work without sending a row twice; a process
//! killed mid-delivery leaves a lease that expires, and another (or its restart) takes
//! the row. A delivery that succeeds but cannot be recorded is the one case that can
//! repeat (at least once, never lost).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use instruments::definition::Text;

use super::message::{self, Facts};
use crate::config::NotifySettings;
use crate::db::{Claimed, Store};
use crate::mail::Mailer;

/// Rows claimed per round.
const BATCH: i64 = 32;

/// Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The wait before attempt `attempts + 1`: base × 2^attempts, at most the cap.
pub fn backoff_ms(settings: &NotifySettings, attempts: i64) -> i64 {
    let factor = 1u64 << attempts.clamp(0, 20);
    settings.retry_base_ms.saturating_mul(factor).min(settings.retry_cap_ms) as i64
}

/// What the worker needs.
pub struct Worker {
    /// The database.
    pub store: Store,
    /// Mail, when configured.
    pub mailer: Option<Mailer>,
    /// Retry and lease settings.
    pub settings: NotifySettings,
    /// Base of the links (`https://xinan.district.example`), if known.
    pub public_url: Option<String>,
    /// Woken after a commit that wrote notifications.
    pub wake: Arc<tokio::sync::Notify>,
}

impl Worker {
    /// Runs until `stop` turns true.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let owner = uuid::Uuid::new_v4().to_string();
        loop {
            if let Err(err) = self.round(&owner).await {
                tracing::error!(error = format!("{err:#}"), "notification round failed");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(self.settings.poll_ms)) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// Sends every due row this process can claim.
    async fn round(&self, owner: &str) -> anyhow::Result<()> {
        loop {
            let now = now_ms();
            let due = self.store.due_notifications(now, BATCH).await?;
            if due.is_empty() {
                return Ok(());
            }
            let mut deliveries = tokio::task::JoinSet::new();
            for id in due {
                let until = now + self.settings.lease_ms as i64;
                let Some(claimed) = self.store.claim_notification(id, owner, now, until).await? else { continue };
                let facts = self.facts(&claimed).await?;
                let (mailer, settings) = (self.mailer.clone(), self.settings.clone());
                deliveries.spawn(async move {
                    let outcome = deliver(&claimed, &facts, mailer.as_ref(), &settings).await;
                    (claimed, outcome)
                });
            }
            let mut progressed = false;
            while let Some(joined) = deliveries.join_next().await {
                let (claimed, outcome) = joined?;
                let at = now_ms();
                let retry_at = at + backoff_ms(&self.settings, claimed.attempts);
                if let Err(cause) = &outcome {
                    tracing::warn!(notification = claimed.id, cause, "notification not delivered; will retry");
                }
                self.store
                    .record_attempt(
                        claimed.id,
                        owner,
                        outcome.as_ref().map(|_| ()).map_err(String::as_str),
                        at,
                        retry_at,
                    )
                    .await?;
                progressed = true;
            }
            if !progressed {
                return Ok(());
            }
        }
    }

    async fn facts(&self, claimed: &Claimed) -> anyhow::Result<OwnedFacts> {
        let levels = crate::followup::levels::current(&self.store).await?;
        let level_label = levels.level(&claimed.level).map(|l| l.label.clone()).unwrap_or_default();
        let campaign: Text = serde_json::from_str(&claimed.campaign_name)?;
        let base = self.public_url.as_deref().unwrap_or("").trim_end_matches('/');
        Ok(OwnedFacts { level_label, campaign, link: format!("{base}/staff/case/{}", claimed.case_id) })
    }
}

/// The parts of [`Facts`] read at send time.
struct OwnedFacts {
    level_label: Text,
    campaign: Text,
    link: String,
}

async fn deliver(
    claimed: &Claimed,
    owned: &OwnedFacts,
    mailer: Option<&Mailer>,
    settings: &NotifySettings,
) -> Result<(), String> {
    let facts = Facts {
        kind: &claimed.kind,
        organization: &claimed.organization,
        level: &claimed.level,
        level_label: &owned.level_label,
        campaign: &owned.campaign,
        case_id: claimed.case_id,
        link: &owned.link,
    };
    match claimed.channel.as_str() {
        "email" => {
            let mailer = mailer.ok_or("mail is not configured")?;
            let (subject, body) = message::text(&facts);
            mailer.send_text(&claimed.recipient, &subject, &body).await.map_err(|_| "smtp".to_owned())
        }
        "webhook" => {
            let robot = claimed.webhook_format.as_deref() == Some("robot");
            let body = message::webhook_body(&facts, robot);
            super::webhook::post(&claimed.recipient, &body, settings.allow_private_webhooks).await
        }
        other => Err(format!("unknown channel {other}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let settings =
            crate::config::NotifySettings { retry_base_ms: 1000, retry_cap_ms: 10_000, ..Default::default() };
        let waits: Vec<i64> = (0..6).map(|a| super::backoff_ms(&settings, a)).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000, 10_000, 10_000]);
    }
}
