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

/// A secret setting: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where mail goes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSettings {
    /// The relay: `smtp://host:port`, `smtps://…`, `smtp://…?tls=required`; may hold
    /// a user and password.
    pub smtp_url: Secret,
    /// The sender address.
    pub from: String,
    /// The address staff reach the server at (`https://xinan.district.example`), for
    /// the links in mail.
    pub public_url: String,
}

/// How staff sessions and the follow-up queue behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSettings {
    /// Mark the session cookie `Secure`: set when the server is reached over https
    /// (directly or through a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: i64,
    /// Mail for invitations; without it invitations are refused unless
    /// `invitation_links` is set.
    pub mail: Option<MailSettings>,
    /// Without mail, show invitation links to the inviter to hand over. Then the
    /// inviter holds the link and could complete it for an address that has no
    /// account yet: for a trial on one machine, not for production.
    pub invitation_links: bool,
    /// Notifications of urgent warnings.
    pub notify: NotifySettings,
}

impl Default for StaffSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_secs: 30 * 60,
            mail: None,
            invitation_links: false,
            notify: NotifySettings::default(),
        }
    }
}

/// How notifications of urgent warnings are delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifySettings {
    /// The address staff reach the server at, for the link in a webhook message
    /// when there is no mail (with mail, `MailSettings::public_url`).
    pub public_url: Option<String>,
    /// The first retry waits this long; each further one twice as long, at most
    /// [`NotifySettings::retry_cap_ms`].
    pub retry_base_ms: u64,
    /// The longest wait between two attempts.
    pub retry_cap_ms: u64,
    /// A claimed notification is another process's to take after this long (a process
    /// killed mid-delivery holds it no longer).
    pub lease_ms: u64,
    /// How often the worker looks for due retries when nothing wakes it.
    pub poll_ms: u64,
    /// Let webhooks reach loopback and private addresses (tests, a receiver inside the
    /// district's network). Off by default: an organization admin must not make the
    /// server post into the internal network.
    pub allow_private_webhooks: bool,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            public_url: None,
            retry_base_ms: 5_000,
            retry_cap_ms: 10 * 60 * 1000,
            lease_ms: 60_000,
            poll_ms: 2_000,
            allow_private_webhooks: false,
        }
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
    /// Connection limits.
    pub limits: ConnectionLimits,
}

/// What one client may hold of the server: a slow or idle client is cut off, and
/// the number of open connections is capped below the file-descriptor limit, so a
/// thousand half-sent requests cannot starve everyone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Seconds to send a request's headers, and the longest a kept-alive connection
    /// may sit idle between requests.
    pub header_timeout_secs: u64,
    /// Seconds to send a request's body.
    pub body_timeout_secs: u64,
    /// Connections served at once (also kept below the process's open-file limit).
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { header_timeout_secs: 10, body_timeout_secs: 20, max_connections: 4096 }
    }
}
