//! Persistence. One `Store` speaks to SQLite and PostgreSQL through sqlx's `Any`
//! driver: the SQL is written once (portable `$n` parameters, `RETURNING`,
//! `ON CONFLICT`), and only the migrations differ per engine.

mod access_codes;
mod accounts;
pub mod aggregates;
pub mod audit;
pub mod bulk;
mod campaigns;
mod cases;
mod export;
mod notifications;
mod organizations;
mod panel;
mod platform;
mod submissions;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _};
use std::str::FromStr as _;

use crate::config::{Backend, DatabaseUrl};

pub use access_codes::MAX_BATCH as MAX_CODE_BATCH;
pub use accounts::{Accepted, PendingInvitation};
pub use campaigns::{
    instrument_refs, CampaignRuleError, NewCampaign, Saved, GUARDIAN_AGE, MAX_COHORT_QUESTIONS, MAX_COHORT_VALUES,
    MIN_GROUP_FLOOR,
};
pub use cases::{Change, Changed};
pub use cases::{Due, QueueFilter, ServiceCase};
pub use export::responses_csv;
pub use notifications::{enqueue_in as enqueue_notifications, Claimed, NotificationKind};
pub use panel::{Deleted, MAX_PANEL_BATCH};
pub use platform::{INTERVIEW_FORM, WARNING_LEVELS};
pub use submissions::{digest, Inserted, Stored, StoredResult};

/// Failures of the store that callers act on differently.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The looked-up row does not exist; names what was looked for.
    #[error("{0} not found")]
    NotFound(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        Self::Other(err.into())
    }
}

/// The database, migrated and ready.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects and runs pending migrations.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let options =
            AnyConnectOptions::from_str(&url.connect_string()).with_context(|| format!("bad database URL {url:?}"))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed during a write; synchronous stays FULL
                        // (the default) so an acknowledged submission survives power loss.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to {url:?}"))?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        };
        migrator.run(&pool).await.context("running migrations")?;
        let store = Self { pool, backend };
        store.rebuild_pending_aggregates().await.context("rebuilding report aggregates")?;
        Ok(store)
    }

    /// The pool, for tests that inspect rows directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serializing plain data cannot fail")
}

fn from_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, DbError> {
    serde_json::from_str(text).with_context(|| format!("stored {column} is not valid JSON")).map_err(DbError::Other)
}
