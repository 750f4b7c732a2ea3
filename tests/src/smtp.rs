//! A real SMTP server for tests and benches: Python's aiosmtpd (installed by `cargo
//! xtask setup`), started on a free loopback port and storing what it receives in a
//! Maildir.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use server::config::{MailSettings, Secret};

/// An aiosmtpd process; killed on drop.
pub struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    /// Starts aiosmtpd (from `XINAN_PYTHON`, else `python3`) and waits until it listens.
    ///
    /// # Panics
    /// When aiosmtpd is not installed or does not start.
    pub fn start() -> Self {
        let python = std::env::var("XINAN_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let probe = Command::new(&python).args(["-c", "import aiosmtpd"]).output();
        assert!(
            probe.as_ref().is_ok_and(|o| o.status.success()),
            "aiosmtpd is not installed for {python} (`cargo xtask setup` installs it): {probe:?}"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = std::env::temp_dir().join(format!("xinan-maildir-{port}-{}", std::process::id()));
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, maildir }
    }

    /// Mail settings that send through this server, with links to `public_url`.
    pub fn settings(&self, public_url: &str) -> MailSettings {
        MailSettings {
            smtp_url: Secret::new(format!("smtp://127.0.0.1:{}", self.port)),
            from: "xinan@district.example".into(),
            public_url: public_url.into(),
        }
    }

    /// Every message received, raw.
    pub fn messages(&self) -> Vec<String> {
        let dir = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }

    /// How many messages have arrived (cheaper than [`SmtpServer::messages`]).
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.maildir.join("new")).map_or(0, Iterator::count)
    }

    /// Waits until at least `n` messages arrived and returns them all.
    ///
    /// # Panics
    /// When they do not arrive within `within`.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(Instant::now() < deadline, "{n} mails expected, {} arrived: {messages:#?}", messages.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// The raw messages sent to `to`, with quoted-printable soft breaks joined.
pub fn messages_to(messages: &[String], to: &str) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.lines().any(|l| l == format!("To: {to}")))
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .collect()
}

/// A quoted-printable body decoded (soft breaks joined, `=XX` bytes read as UTF-8), so
/// a test can look for Chinese text in a mail.
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
