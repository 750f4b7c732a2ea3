//! Process and file helpers. Every failure names the command or path involved, so a
//! red CI log says what to fix without re-running anything.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub type Error = Box<dyn std::error::Error>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// `return Err(format!(..).into())`, the way anyhow's `bail!` reads.
macro_rules! bail {
    ($($arg:tt)*) => { return Err(format!($($arg)*).into()) };
}

/// Section header on stderr so the steps stand out between the tools' own output.
pub fn heading(text: &str) {
    eprintln!("\n==> {text}");
}

/// The command line as a user could paste it, with the variables we set in front
/// (PATH is left out: it is long and only ever has a directory prepended).
pub fn show(cmd: &Command) -> String {
    let mut out = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            if key != "PATH" {
                let value = redact(&value.to_string_lossy());
                out.push_str(&format!("{}={} ", key.to_string_lossy(), quote(value.as_ref())));
            }
        }
    }
    out.push_str(&quote(cmd.get_program()));
    for arg in cmd.get_args() {
        out.push(' ');
        out.push_str(&quote(arg));
    }
    out
}

/// `scheme://user:***@host/…`: database URLs end up in CI logs.
pub fn redact(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        if let Some(at) = rest.find('@') {
            if let Some(colon) = rest[..at].find(':') {
                let start = scheme_end + 3 + colon + 1;
                return format!("{}***{}", &url[..start], &url[scheme_end + 3 + at..]);
            }
        }
    }
    url.to_owned()
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Runs a command with inherited stdio and fails unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", show(cmd));
    let status = cmd.status().map_err(|e| format!("cannot start `{}`: {e}", show(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", show(cmd));
    }
    Ok(())
}

/// Runs a command and returns its stdout; on failure the error carries its stderr.
pub fn capture(cmd: &mut Command) -> Result<String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("cannot start `{}`: {e}", show(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}):\n{}{}",
            show(cmd),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// First line a tool prints for `--version` (some print it on stderr), or `None`
/// when the tool is absent or broken: used to decide whether to install it.
pub fn version_of(program: impl AsRef<OsStr>, arg: &str) -> Option<String> {
    let out = Command::new(program).arg(arg).stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.iter().all(u8::is_ascii_whitespace) { out.stderr } else { out.stdout };
    let text = String::from_utf8_lossy(&text);
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned)
}

/// Like the shell's `command -v`, without spawning one.
pub fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false))
}

/// An environment variable that is set and not empty.
pub fn env_nonempty(key: &str) -> Option<String> {
    env::var(key).ok().filter(|v| !v.is_empty())
}

/// Whether this is a CI run (CI=true; anything but empty/false/0 counts).
pub fn is_ci() -> bool {
    env_nonempty("CI").is_some_and(|v| v != "false" && v != "0")
}

/// Decides between `sudo` and a user-writable tools dir, without a libc dependency:
/// /proc/self belongs to our effective uid; `id -u` covers systems without /proc.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match fs::metadata("/proc/self") {
        Ok(m) => m.uid() == 0,
        Err(_) => version_of("id", "-u").as_deref() == Some("0"),
    }
}

pub fn copy_dir_all(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir_all(&entry.path(), &dest)?;
        } else {
            copy_file(&entry.path(), &dest)?;
        }
    }
    Ok(())
}

pub fn copy_file(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(drop).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()).into())
}

/// All files below `dir`, recursively, sorted for stable output.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Times named steps and prints one summary line, also when a step fails, so the
/// end of a CI log shows which step broke and how long the others took.
pub struct Steps {
    done: Vec<(String, f64, bool)>,
}

impl Steps {
    pub fn new() -> Self {
        Steps { done: Vec::new() }
    }

    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        heading(name);
        let start = Instant::now();
        let result = f();
        let secs = start.elapsed().as_secs_f64();
        self.done.push((name.to_owned(), secs, result.is_ok()));
        if result.is_err() {
            self.summary();
        }
        result.map_err(|e| format!("step `{name}` failed: {e}").into())
    }

    pub fn summary(&self) {
        let total: f64 = self.done.iter().map(|(_, s, _)| s).sum();
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(name, secs, ok)| format!("{name} {}{secs:.1}s", if *ok { "" } else { "FAILED " }))
            .collect();
        let status = if self.done.iter().all(|(_, _, ok)| *ok) { "ok" } else { "FAILED" };
        let _ = io::stdout().flush();
        eprintln!("\nxtask summary: {status}: {} | total {total:.1}s", parts.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://postgres@127.0.0.1:5432/test"), "postgres://postgres@127.0.0.1:5432/test");
        assert_eq!(redact("/usr/bin"), "/usr/bin");
    }
}
