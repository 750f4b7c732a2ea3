//! Test harness: `TestApp::spawn` starts the real server on a free loopback port
//! against a fresh database, SQLite or PostgreSQL, and removes it afterwards.
//!
//! PostgreSQL comes from `TEST_POSTGRES_URL` (any database on the server; a new one
//! is created per test). Without it the PostgreSQL half of each test fails, unless
//! `XINAN_SKIP_POSTGRES=1` says to skip, which it then reports loudly.

use std::path::PathBuf;

use instruments::wire::staff::Role;
use rand::Rng as _;
use server::config::{ConnectionLimits, DatabaseUrl, Settings, StaffSettings};
use server::db::Store;
use sqlx::Connection as _;

pub mod receiver;
pub mod smtp;
pub mod staff;
pub use staff::StaffClient;

/// Database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A running server and a way to look at what it stored.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The server's store, for direct queries.
    pub store: Store,
    /// Which engine.
    pub engine: Engine,
    stop: std::sync::Mutex<Option<RunningServer>>,
    database: std::sync::Arc<TestDatabase>,
}

impl TestApp {
    /// Starts a server with the demo campaign, or `None` when PostgreSQL is
    /// explicitly skipped.
    ///
    /// # Panics
    /// When the server cannot start, or PostgreSQL is required but not configured.
    pub async fn spawn(engine: Engine) -> Option<Self> {
        Self::spawn_with_dist(engine, None).await
    }

    /// As [`TestApp::spawn`], serving the built app from `dist`.
    ///
    /// # Panics
    /// As [`TestApp::spawn`].
    pub async fn spawn_with_dist(engine: Engine, dist: Option<PathBuf>) -> Option<Self> {
        Self::spawn_configured(engine, |settings| settings.dist = dist).await
    }

    /// As [`TestApp::spawn`], with settings changed by `configure`. The defaults
    /// hand invitation links to the inviter (`invitation_links`), as most tests need.
    ///
    /// # Panics
    /// As [`TestApp::spawn`].
    pub async fn spawn_configured(engine: Engine, configure: impl FnOnce(&mut Settings)) -> Option<Self> {
        let database = std::sync::Arc::new(TestDatabase::create(engine).await?);
        let app = Self::start(engine, database, configure).await;
        server::demo::install(&app.store).await.expect("demo campaign");
        Some(app)
    }

    /// A second server on this one's database (as several processes share one
    /// PostgreSQL), with settings changed by `configure`.
    ///
    /// # Panics
    /// When the server cannot start.
    pub async fn spawn_beside(&self, configure: impl FnOnce(&mut Settings)) -> Self {
        Self::start(self.engine, self.database.clone(), configure).await
    }

    async fn start(
        engine: Engine,
        database: std::sync::Arc<TestDatabase>,
        configure: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = Settings {
            listen: "127.0.0.1:0".into(),
            database_url: database.url.clone(),
            dist: None,
            staff: StaffSettings { invitation_links: true, ..StaffSettings::default() },
            limits: ConnectionLimits::default(),
        };
        configure(&mut settings);
        let app = server::Application::build(settings).await.expect("server starts");
        let store = app.store().clone();
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let stop = std::sync::Mutex::new(Some((stop, server)));
        Self { base, http: reqwest::Client::new(), store, engine, stop, database }
    }

    /// Shuts the server down and waits until every connection is closed: from then
    /// on the browser sees the network as gone.
    ///
    /// # Panics
    /// When the server had already been stopped.
    pub async fn stop_server(&self) {
        let (stop, server) = self.stop.lock().unwrap().take().expect("server running");
        let _ = stop.send(());
        server.await.expect("server task").expect("server shut down cleanly");
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a JSON value.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(body).send().await.expect("request")
    }

    /// Creates a staff account with one role (`org` for org_admin and counselor).
    ///
    /// # Panics
    /// When the account cannot be created.
    pub async fn create_staff(&self, email: &str, password: &str, role: Role, org: Option<i64>) {
        let request = server::users::NewUser {
            email: email.into(),
            password: password.into(),
            role,
            organization: org.map(|o| o.to_string()),
        };
        server::users::create(&self.store, request).await.expect("create staff account");
    }

    /// The id of the demo organization (holding `DEMO`).
    ///
    /// # Panics
    /// When it is missing.
    pub async fn demo_org(&self) -> i64 {
        self.store.campaign_by_code("DEMO").await.expect("DEMO exists").organization_id
    }

    /// Creates an account with `role` and signs it in.
    ///
    /// # Panics
    /// When creating or signing in fails.
    pub async fn staff(&self, email: &str, role: Role, org: Option<i64>) -> StaffClient {
        let password = "a long enough password";
        self.create_staff(email, password, role, org).await;
        StaffClient::sign_in(self, email, password).await
    }

    /// Number of rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .expect("count rows")
    }
}

/// The signal that stops the server, and its task.
type RunningServer = (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>);

struct TestDatabase {
    url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..12).map(|_| (b'a' + rng.random_range(0..26)) as char).collect()
}

impl TestDatabase {
    async fn create(engine: Engine) -> Option<Self> {
        match engine {
            Engine::Sqlite => {
                let path = std::env::temp_dir().join(format!("xinan-test-{}.db", random_suffix()));
                let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
                Some(Self { url, cleanup: Cleanup::File(path) })
            }
            Engine::Postgres => {
                let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
                    if std::env::var("XINAN_SKIP_POSTGRES").as_deref() == Ok("1") {
                        eprintln!("\n*** SKIPPED on PostgreSQL: XINAN_SKIP_POSTGRES=1 and no TEST_POSTGRES_URL ***\n");
                        return None;
                    }
                    panic!("TEST_POSTGRES_URL is not set: PostgreSQL tests need it (or XINAN_SKIP_POSTGRES=1 to skip them, loudly)");
                };
                let name = format!("xinan_test_{}", random_suffix());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_POSTGRES_URL: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let url = DatabaseUrl::parse(&with_database(&admin_url, &name)).unwrap();
                Some(Self { url, cleanup: Cleanup::Postgres { admin_url, name } })
            }
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    runtime.block_on(async {
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Runs each listed `async fn(TestApp)` as two tests, on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::TestApp::spawn($crate::Engine::Sqlite).await.expect("sqlite is always available");
                    super::$name(app).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::TestApp::spawn($crate::Engine::Postgres).await {
                        super::$name(app).await
                    }
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced_in_urls() {
        assert_eq!(super::with_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(
            super::with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
