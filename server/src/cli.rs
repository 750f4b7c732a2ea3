//! The `xinan` command line. Bad input exits with status 2 and a message naming
//! what is wrong; an invalid instrument file exits 1 naming the file and line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use instruments::definition::{Condition, Group};
use instruments::Definition;

use instruments::wire::staff::Role;

use crate::config::{ConnectionLimits, DatabaseUrl, MailSettings, Secret, Settings, StaffSettings};
use crate::db::Store;
use crate::interop::{fhir_export, fhir_import, reproschema, ImportOptions};

/// Xin'an: anonymous mental-health screening for schools and workplaces.
#[derive(Debug, Parser)]
#[command(name = "xinan", version, about)]
pub struct Cli {
    /// Database: `sqlite://FILE` (default) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DatabaseUrl::DEFAULT, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "XINAN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Directory of the built app (default: the embedded app, else ./app/dist).
        #[arg(long, env = "XINAN_DIST")]
        dist: Option<PathBuf>,
        /// Mark the session cookie Secure: set it when users reach the server over https.
        #[arg(long, env = "XINAN_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Sign staff out after this many minutes without a request.
        #[arg(long, env = "XINAN_SESSION_IDLE_MINUTES", default_value_t = 30)]
        session_idle_minutes: u32,
        /// Mail relay for invitations: smtp://host:port, smtps://host:port, or
        /// smtp://user:pass@host:587?tls=required (STARTTLS).
        #[arg(long, env = "XINAN_SMTP_URL", requires_all = ["mail_from", "public_url"])]
        smtp_url: Option<String>,
        /// Sender address of mail.
        #[arg(long, env = "XINAN_MAIL_FROM")]
        mail_from: Option<String>,
        /// The address staff reach this server at, for links in mail (https://xinan.example).
        #[arg(long, env = "XINAN_PUBLIC_URL")]
        public_url: Option<String>,
        /// Without mail: show invitation links to the admin who invites, to hand over.
        /// The admin then holds the link: for a trial, not for production.
        #[arg(long, env = "XINAN_INVITATION_LINKS", conflicts_with = "smtp_url")]
        invitation_links: bool,
        /// Let organization webhooks reach loopback and private addresses (a receiver
        /// inside the district's network); refused by default.
        #[arg(long, env = "XINAN_ALLOW_PRIVATE_WEBHOOKS")]
        allow_private_webhooks: bool,
        /// A notification claimed by a process that died is retried after this long.
        #[arg(long, env = "XINAN_NOTIFY_LEASE_SECS", default_value_t = 60)]
        notify_lease_secs: u64,
        /// The first retry of a failed notification waits this long, doubling up to 10 minutes.
        #[arg(long, env = "XINAN_NOTIFY_RETRY_SECS", default_value_t = 5)]
        notify_retry_secs: u64,
        /// Seconds a client may take to send a request's headers (slow clients are cut off).
        #[arg(long, env = "XINAN_HEADER_TIMEOUT_SECS", default_value_t = ConnectionLimits::default().header_timeout_secs)]
        header_timeout_secs: u64,
        /// Seconds a client may take to send a request's body.
        #[arg(long, env = "XINAN_BODY_TIMEOUT_SECS", default_value_t = ConnectionLimits::default().body_timeout_secs)]
        body_timeout_secs: u64,
        /// Open connections served at once; more wait to be accepted.
        #[arg(long, env = "XINAN_MAX_CONNECTIONS", default_value_t = ConnectionLimits::default().max_connections)]
        max_connections: usize,
    },
    /// Staff accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Score answers (comma-separated, in item order) and print the score as JSON.
    Score {
        /// Instrument id, e.g. phq9.
        instrument: String,
        /// Answers in item order, e.g. 0,1,2,3,0,1,2,3,0.
        values: String,
    },
    /// Work with instrument files.
    #[command(subcommand)]
    Instruments(InstrumentsCommand),
    /// Work with stored results.
    #[command(subcommand)]
    Results(ResultsCommand),
    /// People known by a code of an organization's code book.
    #[command(subcommand)]
    Respondents(RespondentsCommand),
    /// Create the demo campaign DEMO (PHQ-9 and GAD-7, grades 7–9) if it is missing.
    Demo,
}

#[derive(Debug, Subcommand)]
enum RespondentsCommand {
    /// Delete everything stored under a book code (a deletion request): submissions,
    /// results, warnings and their history, and the code; reports stay exact. Audited.
    Delete {
        /// Organization id or exact name.
        #[arg(long)]
        org: String,
        /// The book code.
        code: String,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create a staff account (the first platform admin, scripted set-ups). The
    /// password is read from standard input.
    Create {
        /// E-mail address (the sign-in name).
        #[arg(long)]
        email: String,
        /// platform-admin, org-admin or counselor.
        #[arg(long)]
        role: String,
        /// Organization id or exact name (org-admin and counselor).
        #[arg(long)]
        org: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ResultsCommand {
    /// Print one submission's results as a FHIR R4 Bundle of QuestionnaireResponses
    /// (no subject, the day only).
    Export {
        /// The respondent code shown to the respondent.
        respondent_code: String,
        /// Exchange format.
        #[arg(long, value_parser = ["fhir"], default_value = "fhir")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
enum InstrumentsCommand {
    /// Check instrument files and report every problem with file and line.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the bundled instruments, one line each.
    List,
    /// Print a bundled instrument in an exchange format.
    Export {
        /// Instrument id, e.g. phq9.
        id: String,
        /// Exchange format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Version (default: the newest bundled one).
        #[arg(long)]
        version: Option<String>,
    },
    /// Convert a questionnaire into a native instrument file; the report of what was
    /// carried goes to stderr.
    Import {
        /// A FHIR Questionnaire JSON file, or a ReproSchema activity folder.
        path: PathBuf,
        /// Source format.
        #[arg(long, value_enum)]
        from: ImportFormat,
        /// Where to write the native JSON (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Instrument id (default: derived from the source's name).
        #[arg(long)]
        id: Option<String>,
        /// Licence statement, needed when the source states none.
        #[arg(long)]
        licence: Option<String>,
        /// Youngest validated age [default: 18].
        #[arg(long)]
        min_age: Option<u8>,
        /// Validated groups, comma-separated: child, adolescent, adult [default: those --min-age reaches].
        #[arg(long, value_delimiter = ',', value_parser = parse_group)]
        groups: Option<Vec<Group>>,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ExportFormat {
    /// FHIR R4 Questionnaire (JSON).
    Fhir,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ImportFormat {
    /// FHIR R4 Questionnaire (JSON file).
    Fhir,
    /// ReproSchema activity (folder).
    Reproschema,
}

fn parse_group(s: &str) -> Result<Group, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_owned()))
        .map_err(|_| format!("`{s}` is not a group (child, adolescent, adult)"))
}

/// Runs the command line; the binary's `main` is only this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    match cli.command {
        Command::Score { instrument, values } => match score(&instrument, &values) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("xinan score: {message}");
                ExitCode::from(2)
            }
        },
        Command::Instruments(InstrumentsCommand::Check { files }) => check(&files),
        Command::Instruments(InstrumentsCommand::List) => {
            for definition in instruments::library::all() {
                println!("{}", summary(definition));
            }
            ExitCode::SUCCESS
        }
        Command::Instruments(InstrumentsCommand::Export { id, format: ExportFormat::Fhir, version }) => {
            match export(&id, version.as_deref()) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("xinan instruments export: {message}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Instruments(InstrumentsCommand::Import { path, from, out, id, licence, min_age, groups }) => {
            let options = ImportOptions { id, licence, min_age, groups, today: crate::day::today() };
            import(&path, from, out.as_deref(), &options)
        }
        Command::Serve {
            listen,
            dist,
            secure_cookies,
            session_idle_minutes,
            smtp_url,
            mail_from,
            public_url,
            invitation_links,
            allow_private_webhooks,
            notify_lease_secs,
            notify_retry_secs,
            header_timeout_secs,
            body_timeout_secs,
            max_connections,
        } => run_async(async move {
            let notify = crate::config::NotifySettings {
                public_url: public_url.clone(),
                retry_base_ms: notify_retry_secs.max(1) * 1000,
                lease_ms: notify_lease_secs.max(1) * 1000,
                allow_private_webhooks,
                ..crate::config::NotifySettings::default()
            };
            let mail = match (smtp_url, mail_from, public_url) {
                (Some(url), Some(from), Some(public_url)) => {
                    Some(MailSettings { smtp_url: Secret::new(url), from, public_url })
                }
                _ => None,
            };
            let staff = StaffSettings {
                secure_cookies,
                session_idle_secs: i64::from(session_idle_minutes) * 60,
                mail,
                invitation_links,
                notify,
            };
            let limits = ConnectionLimits { header_timeout_secs, body_timeout_secs, max_connections };
            let settings = Settings { listen, database_url: database_url(&cli.database_url)?, dist, staff, limits };
            let app = crate::Application::build(settings).await?;
            tracing::info!(port = app.port(), "xinan listening");
            app.run_until_stopped().await?;
            Ok(())
        }),
        Command::Results(ResultsCommand::Export { respondent_code, format: _ }) => run_async(async move {
            let store = Store::connect(&database_url(&cli.database_url)?).await?;
            let (day, results) = store.results_by_respondent(&respondent_code).await?;
            let mut entries = Vec::new();
            for result in results {
                let definition = instruments::library::find(&result.score.instrument, &result.score.version)
                    .ok_or_else(|| anyhow::anyhow!("instrument {} is not in this build", result.score.instrument))?;
                let resource = crate::interop::fhir_export::questionnaire_response(
                    definition,
                    &result.answers,
                    &result.score,
                    &day,
                )?;
                entries.push(serde_json::json!({ "resource": resource }));
            }
            let bundle = serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries });
            println!("{}", serde_json::to_string_pretty(&bundle)?);
            Ok(())
        }),
        Command::Users(UsersCommand::Create { email, role, org, password_stdin: _ }) => {
            let Some(role) = Role::parse(&role) else {
                eprintln!("xinan users create: --role must be platform-admin, org-admin or counselor, not `{role}`");
                return ExitCode::from(2);
            };
            let mut password = String::new();
            if let Err(err) = std::io::stdin().read_line(&mut password) {
                eprintln!("xinan users create: cannot read the password from standard input: {err}");
                return ExitCode::from(2);
            }
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            run_async(async move {
                let store = Store::connect(&database_url(&cli.database_url)?).await?;
                let request = crate::users::NewUser { email, password, role, organization: org };
                let message = crate::users::create(&store, request).await?;
                println!("{message}");
                Ok(())
            })
        }
        Command::Respondents(RespondentsCommand::Delete { org, code }) => run_async(async move {
            let store = Store::connect(&database_url(&cli.database_url)?).await?;
            let organization = crate::users::organization_named(&store, &org).await?;
            let book = crate::respondent_code::normalize_access_code(&code)
                .ok_or_else(|| anyhow::anyhow!("CODE: `{code}` is not a code of 10 letters and digits"))?;
            let deleted = match store.delete_person(organization.id, &book, None, crate::day::now()).await {
                Err(crate::db::DbError::NotFound(_)) => {
                    anyhow::bail!("CODE: {book} is not in the code book of {}", organization.name)
                }
                other => other?,
            };
            println!(
                "deleted {book} of {}: {} submissions, {} warnings",
                organization.name, deleted.submissions, deleted.warnings
            );
            Ok(())
        }),
        Command::Demo => run_async(async move {
            let store = Store::connect(&database_url(&cli.database_url)?).await?;
            let created = crate::demo::install(&store).await?;
            println!("{}", if created { "created campaign DEMO" } else { "campaign DEMO already exists" });
            Ok(())
        }),
    }
}

fn database_url(url: &str) -> anyhow::Result<DatabaseUrl> {
    DatabaseUrl::parse(url).map_err(|e| anyhow::anyhow!("--database-url: {e}"))
}

fn run_async(work: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xinan: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Scores comma-separated answers given in item order.
///
/// # Errors
/// A message naming the instrument, value or item at fault.
pub fn score(instrument: &str, values: &str) -> Result<String, String> {
    let definition = instruments::library::get(instrument).ok_or_else(|| {
        let known: Vec<&str> = instruments::library::all().iter().map(|d| d.id.as_str()).collect();
        format!("unknown instrument `{instrument}` (known: {})", known.join(", "))
    })?;
    let values: Vec<&str> = values.split(',').map(str::trim).collect();
    if values.len() > definition.items.len() {
        return Err(format!("{instrument} has {} items, got {} values", definition.items.len(), values.len()));
    }
    let mut answers = instruments::Answers::new();
    for (i, (item, value)) in definition.items.iter().zip(&values).enumerate() {
        let value: i64 = value.parse().map_err(|_| format!("value {} (`{value}`) is not a whole number", i + 1))?;
        answers.insert(item.id.clone(), value);
    }
    let score = instruments::score(definition, &answers).map_err(|e| e.to_string())?;
    Ok(serde_json::to_string_pretty(&score).expect("a score serializes"))
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let name = file.display().to_string();
        // Bytes, not text: a file that is not UTF-8 is reported with line and offset.
        let outcome = std::fs::read(file)
            .map_err(|e| format!("{name}: cannot read: {e}"))
            .and_then(|bytes| instruments::load_bytes(&name, &bytes).map_err(|e| e.to_string()));
        match outcome {
            Ok(d) => {
                println!("ok {name}: {} {} ({} items, {} locales)", d.id, d.version, d.items.len(), d.locales.len())
            }
            Err(message) => {
                eprintln!("{message}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One line per instrument: what a campaign author needs to pick one.
pub fn summary(d: &Definition) -> String {
    let title = instruments::definition::localized(&d.title, &instruments::Locale::parse("en").expect("a valid tag"));
    let locales: Vec<&str> = d.locales.iter().map(instruments::Locale::as_str).collect();
    let groups: Vec<&str> = d.population.groups.iter().map(|g| crate::interop::group_name(*g)).collect();
    let ages = match d.population.max_age {
        Some(max) => format!("{}–{max}", d.population.min_age),
        None => format!("{}+", d.population.min_age),
    };
    let cut_off = match &d.positive_screen {
        Some(Condition::Total { at_least: Some(n), at_most: None }) => format!("cut-off total ≥ {n}"),
        Some(Condition::Total { at_least: None, at_most: Some(n) }) => format!("cut-off total ≤ {n}"),
        Some(other) => format!("cut-off: {}", crate::interop::describe(other)),
        None => "no cut-off".to_owned(),
    };
    format!(
        "{} {}\t{title}\t{} items\t{}\t{}\t{} {ages}\t{cut_off}",
        d.id,
        d.version,
        d.items.len(),
        locales.join(","),
        d.licence.id,
        groups.join(",")
    )
}

/// The FHIR Questionnaire of a bundled instrument, pretty-printed.
///
/// # Errors
/// A message naming the unknown instrument or version.
pub fn export(id: &str, version: Option<&str>) -> Result<String, String> {
    let definition = match version {
        Some(v) => instruments::library::find(id, v).ok_or_else(|| format!("no bundled {id} at version {v}")),
        None => instruments::library::get(id).ok_or_else(|| {
            let known: Vec<&str> = instruments::library::all().iter().map(|d| d.id.as_str()).collect();
            format!("unknown instrument `{id}` (known: {})", known.join(", "))
        }),
    }?;
    Ok(serde_json::to_string_pretty(&fhir_export::questionnaire(definition)).expect("JSON serializes"))
}

/// Imports, prints the report to stderr, writes the JSON, then loads what was
/// written: exit 2 when the source cannot be imported, 1 when the result does not
/// load (it is still written, so that the gaps can be filled by hand).
fn import(
    path: &std::path::Path,
    from: ImportFormat,
    out: Option<&std::path::Path>,
    options: &ImportOptions,
) -> ExitCode {
    let name = path.display().to_string();
    let imported = match from {
        ImportFormat::Fhir => std::fs::read_to_string(path)
            .map_err(|e| crate::interop::ImportError::Unreadable { file: name.clone(), reason: e.to_string() })
            .and_then(|text| fhir_import::import(&name, &text, options)),
        ImportFormat::Reproschema => reproschema::import(path, options),
    };
    let imported = match imported {
        Ok(imported) => imported,
        Err(err) => {
            eprintln!("xinan instruments import: {err}");
            return ExitCode::from(2);
        }
    };
    eprint!("{}", imported.report);
    let json = serde_json::to_string_pretty(&imported.definition).expect("a definition serializes") + "\n";
    let target = match out {
        Some(file) => match std::fs::write(file, &json) {
            Ok(()) => file.display().to_string(),
            Err(e) => {
                eprintln!("xinan instruments import: {}: cannot write: {e}", file.display());
                return ExitCode::from(2);
            }
        },
        None => {
            print!("{json}");
            "<stdout>".to_owned()
        }
    };
    match instruments::load(&target, &json) {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xinan instruments import: {name}: the imported definition does not load:\n{err}");
            ExitCode::FAILURE
        }
    }
}
