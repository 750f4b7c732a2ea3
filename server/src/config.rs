//! Server settings: code defaults, overridden by command-line flags and environment.

use std::fmt;
use std::path::PathBuf;

/// Where the database lives. The scheme picks the engine; anything else is refused
/// at start-up rather than failing on the first query.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

/// The database engines Xin'an runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded default: one file, no server to run.
    Sqlite,
    /// Scale-out engine.
    Postgres,
}

impl DatabaseUrl {
    /// The default: a SQLite file in the working directory.
    pub const DEFAULT: &'static str = "sqlite://xinan.db";

    /// Checks the scheme.
    ///
    /// # Errors
    /// A message naming the accepted schemes.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self(url.to_owned()))
        } else {
            Err("database URL must start with sqlite: or postgres://".to_owned())
        }
    }

    /// The engine the URL selects.
    pub fn backend(&self) -> Backend {
        if self.0.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The URL with `mode=rwc` for SQLite so a fresh file is created.
    pub(crate) fn connect_string(&self) -> String {
        match self.backend() {
            Backend::Sqlite if !self.0.contains("mode=") => {
                let sep = if self.0.contains('?') { '&' } else { '?' };
                format!("{}{sep}mode=rwc", self.0)
            }
            _ => self.0.clone(),
        }
    }
}

/// Never prints a password that may be in the URL.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                write!(f, "{}://***{}", &self.0[..scheme], &self.0[at..])
            }
            _ => f.write_str(&self.0),
        }
    }
}

/// How staff sessions and the follow-up queue behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSettings {
    /// Mark the session cookie `Secure`: set when the server is reached over https
    /// (directly or through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: i64,
    /// A case still `open` this many seconds after it was raised is overdue.
    pub overdue_after_secs: i64,
}

impl Default for StaffSettings {
    fn default() -> Self {
        Self { secure_cookies: false, session_idle_secs: 30 * 60, overdue_after_secs: 24 * 3600 }
    }
}

/// Everything `Application::build` needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub listen: String,
    /// The database.
    pub database_url: DatabaseUrl,
    /// Directory of the built app; `None` serves the app embedded at build time.
    pub dist: Option<PathBuf>,
    /// Sessions and follow-up.
    pub staff: StaffSettings,
}
