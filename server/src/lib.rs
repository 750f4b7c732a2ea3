//! The Xin'an server: stores anonymized, server-scored screening results and serves
//! the browser app and the JSON API from one origin.
//!
//! Key decision: the server never trusts a client's score. Every submission is
//! re-scored with the same `instruments` engine the browser ran, checked against the
//! campaign, and stored in one transaction before it is acknowledged.
#![forbid(unsafe_code)]

pub mod access;
pub mod assets;
pub mod auth;
pub mod cli;
pub mod config;
pub mod day;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod followup;
pub mod interop;
pub mod mail;
pub mod notify;
pub mod report;
pub mod respondent_code;
pub mod routes;
pub mod screening;
mod serve;
pub mod telemetry;
pub mod users;

/// The campaign type, where the store and reports have always found it.
pub use screening::campaign;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::assets::Assets;
use crate::config::{ConnectionLimits, Settings};
use crate::db::Store;
use crate::routes::AppState;

/// A bound, migrated server, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    limits: ConnectionLimits,
    worker: notify::worker::Worker,
}

impl Application {
    /// Connects and migrates the database and binds the listener.
    ///
    /// # Errors
    /// When the database is unreachable or the address cannot be bound.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url).await?;
        let assets = Assets::choose(settings.dist);
        if !assets.has_app() {
            tracing::warn!(?assets, "the browser app is not built: run `cargo xtask build-app`");
        }
        let state = AppState::new(store.clone(), settings.staff.clone())?;
        let notify = settings.staff.notify;
        let worker = notify::worker::Worker {
            store: store.clone(),
            mailer: state.mailer.clone(),
            public_url: state.mailer.as_ref().map(|m| m.public_url().to_owned()).or(notify.public_url.clone()),
            settings: notify,
            wake: state.notifier.waker(),
        };
        let router = routes::router(state, assets);
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        Ok(Self { listener, router, store, limits: settings.limits, worker })
    }

    /// The port bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The store the server uses.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    ///
    /// # Errors
    /// On a listener failure.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown()).await
    }

    /// Serves until `signal` completes, then finishes requests in flight and closes
    /// every connection (tests use it to take the server away from a browser).
    ///
    /// # Errors
    /// On a listener failure.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The notification worker runs as long as the server: pending rows of a
        // previous run are sent at once.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(self.worker.run(stopped));
        let served = serve::serve(self.listener, self.router, self.limits, signal).await;
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), worker).await;
        served
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
