//! Logging. Nothing identifying is ever logged: no request logging at all (it would
//! carry addresses and times), only start-up facts and internal errors.

/// Logs to stderr at `RUST_LOG` (default `info`). Safe to call twice.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
