//! Delivers submissions, surviving a dropped network and a closed tab.
//!
//! A submission is written to the device's outbox *before* it is sent and removed only
//! once the server has answered for good (stored, or refused with a 4xx), so an answer
//! the respondent submitted is never lost. The outbox is flushed on start-up, on the
//! browser's `online` event, and on a backoff timer. Resending is safe because every
//! submission carries its idempotency key.

use std::cell::RefCell;
use std::time::Duration;

use instruments::wire::{SubmissionReceipt, SubmissionRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiClientError};
use crate::platform;
use crate::state::{retry_delay_ms, Pending};

/// What happened to the submission made on this page.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    /// On its way.
    Sending,
    /// Stored by the server.
    Delivered(SubmissionReceipt),
    /// Kept on the device; will be retried.
    Queued,
    /// Refused by the server with this message; not retried.
    Rejected(String),
    /// Accepted, but the reply could not be read.
    Unreadable,
}

/// Bookkeeping of the flush loop (plain data: nothing renders it).
#[derive(Default)]
struct Loop {
    /// The page's sender, once started.
    sender: Option<Sender>,
    /// Idempotency key of this page's submission, if one was made.
    current: Option<String>,
    /// A flush is running.
    busy: bool,
    /// Failed rounds in a row.
    attempt: u32,
    /// Bumped by each scheduling, so only the latest timer fires a flush.
    generation: u32,
}

thread_local! {
    static LOOP: RefCell<Loop> = RefCell::new(Loop::default());
}

/// The page's view of the outbox (signals, so `Copy`).
#[derive(Clone, Copy)]
pub struct Sender {
    /// How this page's submission is doing. Submissions from earlier visits are
    /// delivered silently: on a shared device the next respondent has nothing to do
    /// with them.
    pub delivery: RwSignal<Option<Delivery>>,
}

impl Sender {
    /// Creates the sender, sends whatever an earlier visit left, and listens for the
    /// network coming back.
    pub fn start() -> Self {
        let sender = Self { delivery: RwSignal::new(None) };
        LOOP.with_borrow_mut(|l| l.sender = Some(sender));
        let handle = window_event_listener_untyped("online", move |_| {
            LOOP.with_borrow_mut(|l| l.attempt = 0);
            sender.flush();
        });
        // The listener lives as long as the page.
        std::mem::forget(handle);
        sender.flush();
        sender
    }

    /// The sender made by [`Sender::start`] (a thread-local, not a context, like
    /// [`Ui`](crate::i18n::Ui)).
    ///
    /// # Panics
    /// Before [`Sender::start`].
    pub fn get() -> Self {
        LOOP.with_borrow(|l| l.sender).expect("Sender::start runs first")
    }

    /// Saves `request` to the outbox, then sends it.
    pub fn submit(self, campaign: String, request: &SubmissionRequest) {
        let pending = Pending::new(campaign, request);
        platform::store(&pending);
        LOOP.with_borrow_mut(|l| {
            l.current = Some(pending.key);
            l.attempt = 0;
        });
        self.delivery.set(Some(Delivery::Sending));
        self.flush();
    }

    /// Forgets this page's submission (it stays in the outbox until delivered), for
    /// the next respondent on the same device.
    pub fn forget_current(self) {
        LOOP.with_borrow_mut(|l| l.current = None);
        self.delivery.set(None);
    }

    /// Sends every waiting submission once, stopping early when offline.
    fn flush(self) {
        if LOOP.with_borrow_mut(|l| std::mem::replace(&mut l.busy, true)) {
            return;
        }
        spawn_local(async move {
            let mut retry = false;
            let mut tried: Vec<String> = Vec::new();
            // Re-read each round: another tab, or this page, may have added or sent entries.
            while let Some(pending) = platform::outbox().into_iter().find(|p| !tried.contains(&p.key)) {
                tried.push(pending.key.clone());
                let delivery = match api::submit(&pending.campaign, pending.body).await {
                    Ok(receipt) => Delivery::Delivered(receipt),
                    // Offline: the other entries would fail the same way.
                    Err(ApiClientError::Network) => {
                        retry = true;
                        break;
                    }
                    // A server error may concern this entry only: try the others.
                    Err(error) if error.is_retryable() => {
                        retry = true;
                        continue;
                    }
                    Err(ApiClientError::Decode(_)) => Delivery::Unreadable,
                    Err(error) => Delivery::Rejected(error.to_string()),
                };
                platform::discard(&pending.key);
                self.report(&pending.key, delivery);
            }
            LOOP.with_borrow_mut(|l| l.busy = false);
            if retry {
                self.retry_later();
            }
        });
    }

    fn report(self, key: &str, delivery: Delivery) {
        if LOOP.with_borrow(|l| l.current.as_deref() == Some(key)) {
            self.delivery.set(Some(delivery));
        }
    }

    /// The network or server failed: this page's submission, if still waiting, is
    /// queued, and a flush is scheduled with backoff.
    fn retry_later(self) {
        let current = LOOP.with_borrow(|l| l.current.clone());
        if current.is_some_and(|key| platform::outbox().iter().any(|p| p.key == key)) {
            self.delivery.set(Some(Delivery::Queued));
        }
        let (attempt, generation) = LOOP.with_borrow_mut(|l| {
            l.attempt = l.attempt.saturating_add(1);
            l.generation = l.generation.wrapping_add(1);
            (l.attempt, l.generation)
        });
        set_timeout(
            move || {
                if LOOP.with_borrow(|l| l.generation) == generation {
                    self.flush();
                }
            },
            Duration::from_millis(u64::from(retry_delay_ms(attempt))),
        );
    }
}
