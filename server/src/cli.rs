//! The `xinan` command line. Bad input exits with status 2 and a message naming
//! what is wrong; an invalid instrument file exits 1 naming the file and line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{DatabaseUrl, Settings};
use crate::db::Store;

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
    },
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
    /// Create the demo campaign DEMO (PHQ-9 and GAD-7, grades 7–9) if it is missing.
    Demo,
}

#[derive(Debug, Subcommand)]
enum InstrumentsCommand {
    /// Check instrument files and report every problem with file and line.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
        Command::Serve { listen, dist } => run_async(async move {
            let settings = Settings { listen, database_url: database_url(&cli.database_url)?, dist };
            let app = crate::Application::build(settings).await?;
            tracing::info!(port = app.port(), "xinan listening");
            app.run_until_stopped().await?;
            Ok(())
        }),
        Command::Demo => run_async(async move {
            let store = Store::connect(&database_url(&cli.database_url)?).await?;
            let created = store.ensure_campaign(&crate::demo::campaign(), &crate::day::today()).await?;
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
        let outcome = std::fs::read_to_string(file)
            .map_err(|e| format!("{name}: cannot read: {e}"))
            .and_then(|text| instruments::load(&name, &text).map_err(|e| e.to_string()));
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
