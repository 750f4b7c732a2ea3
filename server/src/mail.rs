//! Outgoing mail: invitation links go to the invited address only, so that nobody
//! else — not the admin who invited — can complete an invitation.
//!
//! Mail carries links and organization names, never answers, scores, cohort values or
//! respondent codes.

use std::time::Duration;

use anyhow::Context as _;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use crate::config::MailSettings;

/// How long one delivery to the relay may take before the request gives up.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// An SMTP relay and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The relay URL may hold a password.
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// What an invitation mail says.
#[derive(Debug)]
pub struct InvitationMail<'a> {
    /// Recipient.
    pub to: &'a str,
    /// Inviting organization.
    pub organization: &'a str,
    /// Role offered, as its wire name.
    pub role: &'a str,
    /// The secret token.
    pub token: &'a str,
    /// Hours the link works.
    pub valid_hours: i64,
}

impl Mailer {
    /// A mailer for the relay in `settings` (`smtp://host:port`, `smtps://…`, or
    /// `smtp://…?tls=required` for STARTTLS; user and password in the URL).
    ///
    /// # Errors
    /// A bad URL or sender address.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp_url.expose())
            .context("--smtp-url: not an SMTP URL (smtp://host:port or smtps://host:port)")?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = settings.from.parse().context("--mail-from: not an e-mail address")?;
        if !(settings.public_url.starts_with("https://") || settings.public_url.starts_with("http://")) {
            anyhow::bail!("--public-url: give the address staff open, e.g. https://xinan.district.example");
        }
        Ok(Self { transport, from, public_url: settings.public_url.trim_end_matches('/').to_owned() })
    }

    /// Sends the invitation link to the invited address.
    ///
    /// # Errors
    /// When the relay cannot be reached or refuses the mail.
    pub async fn send_invitation(&self, mail: &InvitationMail<'_>) -> anyhow::Result<()> {
        let link = format!("{}/staff/invitation/{}", self.public_url, mail.token);
        let role_zh = if mail.role == "org_admin" { "机构管理员" } else { "心理老师" };
        let role_en = if mail.role == "org_admin" { "organization admin" } else { "counselor" };
        let body = format!(
            "{org} 邀请您以「{role_zh}」身份使用心安（Xin'an）。\n\
             请在 {hours} 小时内打开以下链接：\n{link}\n\
             如果您已有账号，请先用该账号登录，再确认接受。如非本人，请忽略此邮件。\n\n\
             {org} invites you to Xin'an as {role_en}.\n\
             Open this link within {hours} hours:\n{link}\n\
             If you already have an account, sign in with it first, then confirm. \
             If you did not expect this, ignore this mail.\n",
            org = mail.organization,
            hours = mail.valid_hours,
        );
        // Quoted-printable keeps the link readable in the raw mail (it is ASCII).
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body);
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse().context("invited address")?)
            .subject("心安 Xin'an: 邀请 / invitation")
            .singlepart(part)
            .context("building the invitation mail")?;
        self.transport.send(message).await.context("sending the invitation mail")?;
        Ok(())
    }

    /// The base of links, e.g. `https://xinan.district.example`.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Sends a plain-text mail (a notification) to one address.
    ///
    /// # Errors
    /// When the relay cannot be reached or refuses the mail.
    pub async fn send_text(&self, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body.to_owned());
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().context("recipient address")?)
            .subject(subject)
            .singlepart(part)
            .context("building the mail")?;
        self.transport.send(message).await.context("sending the mail")?;
        Ok(())
    }
}
