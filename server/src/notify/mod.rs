//! Notifications of urgent warnings (一级预警): a counselor is told within seconds,
//! by e-mail and/or the organization's webhook, and delivery never slows or endangers
//! the submission. The row is written in the warning's own transaction (an outbox,
//! `db/notifications.rs`); a worker ([`worker`]) claims rows by lease, sends them and
//! records every attempt, retrying with backoff until the receiver takes it. A message
//! names the organization, the level, the campaign and a link to the warning — never
//! answers, scores, cohort values or the respondent code ([`message`]).

pub mod message;
pub mod webhook;
pub mod worker;

use std::sync::Arc;

/// Wakes the worker when a transaction wrote notifications.
#[derive(Clone, Debug, Default)]
pub struct Notifier {
    wake: Arc<tokio::sync::Notify>,
}

impl Notifier {
    /// Tells the worker there is something to send now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// What the worker waits on.
    pub(crate) fn waker(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }
}

/// Why a webhook URL is refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not an http(s) URL with a host.
    #[error("an http:// or https:// URL with a host name")]
    NotHttp,
    /// Too long.
    #[error("at most 2,000 characters")]
    TooLong,
    /// It resolves to a loopback, private or link-local address.
    #[error("this address is inside a private network; the server does not post there")]
    Private,
    /// The host name does not resolve.
    #[error("the host name does not resolve")]
    Unresolved,
}
