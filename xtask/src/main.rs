//! Project tasks, run as `cargo xtask <command>` (alias in .cargo/config.toml).
//! Plain Rust with no dependencies so it compiles in a couple of seconds on a fresh
//! clone; the heavy lifting is done by the tools it finds or installs.

#[macro_use]
mod util;
mod serve;
mod setup;
mod test;
mod toolchain;
mod web;

use std::process::ExitCode;

use toolchain::Workspace;
use util::Result;
use web::Profile;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup              install missing tools (apt packages, wasm-bindgen-cli, wasm-opt, schemathesis, aiosmtpd);
                     fast when present
  build-app [--dev]  build the respondent page and the staff app into app/dist (--dev: debug, no wasm-opt)
  size [--check]     build the app, then the respondent page's gzip -9 weight vs the 185,000-byte budget
                     (--check: fail if over)
  test [--only S,..] everything CI checks: fmt, clippy, app build, native tests, wasm tests in Chromium
                     (--only: a subset of fmt,clippy,app,native,wasm)
  run [--dev] [-- ARGS]  build, seed the demo campaign and serve it (ARGS go to `xinan serve`)
  dist               release server binary with the app embedded; prints its path

environment:
  CARGO_TARGET_DIR     honoured everywhere
  TEST_POSTGRES_URL    PostgreSQL for tests (required when CI=true)
  XINAN_WASM_RUST      rustup|debian: force the wasm toolchain choice
  XINAN_TOOLS_DIR      where npm's binaryen (wasm-opt) and the schemathesis venv are installed
  CHROMIUM, CHROMEDRIVER, SCHEMATHESIS  browser, driver and API fuzzer paths (default: found or installed)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The flags one command accepts, parsed: switches (`--dev`) and options with a value
/// (`--only fmt` or `--only=fmt`). Anything else is an error that shows the usage.
struct Flags {
    switches: Vec<String>,
    options: Vec<(String, String)>,
}

impl Flags {
    fn parse(command: &str, args: &[String], switches: &[&str], options: &[&str]) -> Result<Self> {
        let mut flags = Flags { switches: Vec::new(), options: Vec::new() };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if switches.contains(&arg.as_str()) {
                flags.switches.push(arg.clone());
            } else if options.contains(&arg.as_str()) {
                let value = iter.next().ok_or_else(|| format!("{arg} needs a value"))?;
                flags.options.push((arg.clone(), value.clone()));
            } else if let Some((name, value)) = arg.split_once('=').filter(|(n, _)| options.contains(n)) {
                flags.options.push((name.to_owned(), value.to_owned()));
            } else {
                bail!("unexpected argument `{arg}` for `{command}`\n\n{USAGE}");
            }
        }
        Ok(flags)
    }

    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }

    fn value(&self, option: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n == option).map(|(_, v)| v.as_str())
    }
}

fn dispatch(args: &[String]) -> Result {
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => {
            println!("{USAGE}");
            return Ok(());
        }
    };
    // Arguments after `--` belong to the program being run (only `run` takes them).
    let (flags, passthrough) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    if !passthrough.is_empty() && command != "run" {
        bail!("`{command}` takes no arguments after `--`");
    }
    let parse = |switches: &[&str], options: &[&str]| Flags::parse(command, flags, switches, options);
    let profile = |f: &Flags| {
        if f.has("--dev") {
            Profile::Dev
        } else {
            Profile::Release
        }
    };
    let ws = Workspace::locate;

    match command {
        "setup" => {
            parse(&[], &[])?;
            setup::setup(&ws()?).map(drop)
        }
        "build-app" => {
            let f = parse(&["--dev"], &[])?;
            let ws = ws()?;
            web::build_app(&ws, &setup::find(&ws)?, profile(&f))
        }
        "size" => {
            let f = parse(&["--check"], &[])?;
            let ws = ws()?;
            web::build_app(&ws, &setup::find(&ws)?, Profile::Release)?;
            web::size(&ws, f.has("--check"))
        }
        "test" => {
            let f = parse(&[], &["--only"])?;
            let only: Option<Vec<String>> = f.value("--only").map(|v| v.split(',').map(str::to_owned).collect());
            if let Some(bad) = only.iter().flatten().find(|s| !test::STEPS.contains(&s.as_str())) {
                bail!("unknown step `{bad}` for --only; steps: {}", test::STEPS.join(","));
            }
            test::test(&ws()?, only.as_deref())
        }
        "run" => {
            let f = parse(&["--dev"], &[])?;
            serve::run(&ws()?, profile(&f), passthrough)
        }
        "dist" => {
            parse(&[], &[])?;
            serve::dist(&ws()?)
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
