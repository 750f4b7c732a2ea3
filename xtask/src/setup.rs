//! Finds, and where missing installs, every tool the build and the tests use.
//! Finding is cheap (a few `--version` calls), so every command finds the tools
//! again instead of trusting a record that could go stale.

use std::env;
use std::fs;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::toolchain::{WasmRust, Workspace};
use crate::util::{self, Result};

/// Debian packages of the wasm-capable rustc 1.96 (std source + rust-lld). rust-web-llvm
/// provides /usr/bin/rust-lld but is only a Recommends of rustc-web, so it is named.
const DEBIAN_RUST_PKGS: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "rust-web-llvm", "lld-22"];
/// Files that prove the Debian wasm toolchain is usable after apt.
const DEBIAN_RUST_FILES: &[&str] =
    &["/usr/bin/rustc", "/usr/bin/cargo", "/usr/bin/rust-lld", "/usr/lib/rustlib/src/rust/library/std/Cargo.toml"];
/// npm's binaryen ships a JS/wasm build of wasm-opt. Debian's binaryen 108 must not be
/// used: it rewrites the `__wbindgen_externrefs` export to the funcref table and the
/// page dies with "WebAssembly.Table.set(): Argument 1 is invalid".
const BINARYEN_NPM: &str = "binaryen@132.0.0";
const MIN_WASM_OPT: u32 = 116;
/// schemathesis fuzzes the API from its OpenAPI document (tests/tests/it/schemathesis.rs).
/// Pinned: the test uses its v4 CLI, and its checks grow stricter from release to release.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// aiosmtpd is the real SMTP server the mail tests start (tests/tests/it/mail.rs); it
/// lives in the same venv, whose python the tests get as XINAN_PYTHON.
const AIOSMTPD_VERSION: &str = "1.4.6";
const CHROMIUM_NAMES: &[&str] = &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

pub struct Tools {
    pub rust: WasmRust,
    pub wasm_bindgen: PathBuf,
    pub test_runner: PathBuf,
    pub wasm_opt: PathBuf,
    /// Absent only where setup could not install it (no apt); `test` then fails.
    pub chromium: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
    pub brotli: Option<PathBuf>,
    /// Absent only where setup could not install it (no python3); `test` then fails.
    pub schemathesis: Option<PathBuf>,
    wasm_bindgen_version: String,
    wasm_opt_version: String,
}

impl Tools {
    pub fn chromium(&self) -> Result<&Path> {
        self.chromium
            .as_deref()
            .ok_or_else(|| "no Chromium found: install `chromium` (Debian) or set CHROMIUM=/path/to/chrome".into())
    }

    pub fn chromedriver(&self) -> Result<&Path> {
        self.chromedriver.as_deref().ok_or_else(|| {
            "no chromedriver found: install `chromium-driver` (Debian) or set CHROMEDRIVER=/path/to/chromedriver".into()
        })
    }

    pub fn schemathesis(&self) -> Result<&Path> {
        self.schemathesis.as_deref().ok_or_else(|| {
            format!("schemathesis {SCHEMATHESIS_VERSION} not found: run `cargo xtask setup` (needs python3) or set SCHEMATHESIS")
                .into()
        })
    }
}

/// Locates the tools without installing anything (for `build-app` and `size`).
pub fn find(ws: &Workspace) -> Result<Tools> {
    let rust = WasmRust::detect()?;
    let version = wasm_bindgen_version(ws)?;
    let (wasm_bindgen, test_runner) = find_wasm_bindgen(&version).ok_or_else(|| {
        format!("wasm-bindgen-cli {version} (the version in Cargo.lock) is not installed: run `cargo xtask setup`")
    })?;
    let (wasm_opt, wasm_opt_version) =
        find_wasm_opt().ok_or_else(|| format!("no wasm-opt >= {MIN_WASM_OPT} found: run `cargo xtask setup`"))?;
    Ok(Tools {
        rust,
        wasm_bindgen,
        test_runner,
        wasm_opt,
        chromium: find_chromium(),
        chromedriver: find_chromedriver(),
        brotli: util::which("brotli"),
        schemathesis: find_schemathesis(),
        wasm_bindgen_version: version,
        wasm_opt_version,
    })
}

/// `cargo xtask setup`: installs what is missing, then prints the versions in use.
pub fn setup(ws: &Workspace) -> Result<Tools> {
    let rust = WasmRust::detect()?;
    install_system_packages(rust)?;
    let version = wasm_bindgen_version(ws)?;
    if find_wasm_bindgen(&version).is_none() {
        install_wasm_bindgen(ws, rust, &version)?;
    }
    if find_wasm_opt().is_none() {
        install_wasm_opt()?;
    }
    if find_schemathesis().is_none() || test_python().is_none() {
        install_schemathesis()?;
    }
    let tools = find(ws)?;
    print_summary(ws, &tools);
    Ok(tools)
}

fn install_system_packages(rust: WasmRust) -> Result {
    let have_apt = util::which("apt-get").is_some() && util::which("dpkg-query").is_some();
    if !have_apt {
        if rust == WasmRust::Debian {
            bail!(
                "rustup has no {} target and this is not a Debian-like system: run \
                 `rustup target add {0}` (or set XINAN_WASM_RUST)",
                crate::toolchain::WASM_TARGET
            );
        }
        for (found, what) in [
            (find_chromium().is_some(), "Chromium (or Chrome), or set CHROMIUM"),
            (find_chromedriver().is_some(), "chromedriver matching that browser, or set CHROMEDRIVER"),
            (util::which("node").is_some() && util::which("npm").is_some(), "Node.js with npm"),
            (util::which("brotli").is_some(), "brotli (optional: .br copies)"),
        ] {
            if !found {
                eprintln!("warning: not found on PATH: {what}. Please install it.");
            }
        }
        return Ok(());
    }

    let mut wanted: Vec<&str> = Vec::new();
    if rust == WasmRust::Debian {
        wanted.extend(DEBIAN_RUST_PKGS);
    }
    wanted.extend(["chromium", "chromium-driver", "brotli"]);
    let mut missing: Vec<&str> = wanted.into_iter().filter(|p| !dpkg_installed(p)).collect();
    // nodesource's nodejs bundles npm (and conflicts with Debian's npm): ask by command.
    if util::which("node").is_none() {
        missing.push("nodejs");
    }
    if util::which("npm").is_none() {
        missing.push("npm");
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    if rust == WasmRust::Debian {
        for file in DEBIAN_RUST_FILES {
            if !Path::new(file).exists() {
                bail!("{file} is missing although {} are installed", DEBIAN_RUST_PKGS.join(" "));
            }
        }
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result {
    util::heading(&format!("apt-get install {}", packages.join(" ")));
    util::run(apt_command().arg("update"))?;
    util::run(apt_command().args(["install", "-y", "-o", "DPkg::Lock::Timeout=600"]).args(packages))
}

fn dpkg_installed(pkg: &str) -> bool {
    util::capture(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .is_ok_and(|s| s.trim() == "install ok installed")
}

/// apt-get, through sudo when not root. Without a terminal (CI) sudo must not wait
/// for a password nobody can type, so it is told to fail instead. `env` carries
/// DEBIAN_FRONTEND past sudo's environment reset.
fn apt_command() -> Command {
    let mut cmd = if util::is_root() {
        Command::new("env")
    } else {
        let mut sudo = Command::new("sudo");
        if !std::io::stdin().is_terminal() {
            sudo.arg("-n");
        }
        sudo.arg("env");
        sudo
    };
    cmd.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
    cmd
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate exactly (the generated JS glue
/// and the wasm's custom section share a schema), so the version comes from Cargo.lock.
fn wasm_bindgen_version(ws: &Workspace) -> Result<String> {
    let lock_path = ws.root.join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(v.trim_matches('"').to_owned());
            }
        }
    }
    bail!("no `wasm-bindgen` package in {}", lock_path.display())
}

fn cargo_home() -> PathBuf {
    env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| home().join(".cargo"))
}

fn home() -> PathBuf {
    env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| "/".into())
}

/// Both binaries come from the wasm-bindgen-cli package; each is version-checked so a
/// half-upgraded install is caught.
fn find_wasm_bindgen(version: &str) -> Option<(PathBuf, PathBuf)> {
    let matches =
        |bin: &Path| util::version_of(bin, "--version").is_some_and(|v| v.split_whitespace().nth(1) == Some(version));
    let candidates =
        [Some(cargo_home().join("bin")), util::which("wasm-bindgen").and_then(|p| p.parent().map(Path::to_path_buf))];
    candidates.into_iter().flatten().find_map(|dir| {
        let (bindgen, runner) = (dir.join("wasm-bindgen"), dir.join("wasm-bindgen-test-runner"));
        (matches(&bindgen) && matches(&runner)).then_some((bindgen, runner))
    })
}

fn install_wasm_bindgen(ws: &Workspace, rust: WasmRust, version: &str) -> Result {
    util::heading(&format!("cargo install wasm-bindgen-cli {version} (takes ~3.5 min on 2 cores)"));
    // Built with the Debian cargo on the Debian path: it is the newer rustc here.
    // No CARGO_TARGET_DIR: cargo install then builds in a temporary dir instead of
    // mixing release artifacts of the tool into the project's target dir.
    let cargo = || {
        let mut cmd = match rust {
            WasmRust::Rustup => ws.cargo(),
            WasmRust::Debian => ws.debian_cargo(),
        };
        cmd.env_remove("CARGO_TARGET_DIR").current_dir(env::temp_dir());
        cmd
    };
    let direct =
        util::run(cargo().args(["install", "wasm-bindgen-cli", "--locked", "--version"]).arg(format!("={version}")));
    if direct.is_ok() {
        return Ok(());
    }
    // The registry mirror can lag crates.io: a dependency pinned in the tool's own
    // Cargo.lock may be missing from the index ("failed to select a version for the
    // requirement `webpki-roots = "^1.0.10"` (locked to 1.0.11)"). Install from a copy
    // of the source with only those entries moved to a version the index has.
    eprintln!("retrying: install from a copy of the source with unavailable locked versions updated");
    let src = crate_source("wasm-bindgen-cli", version)?;
    let work = env::temp_dir().join(format!("xinan-wasm-bindgen-cli-{version}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    util::copy_dir_all(&src, &work)?;
    let mut fetched = false;
    for _ in 0..8 {
        let err = match util::capture(cargo().args(["fetch", "--locked"]).current_dir(&work)) {
            Ok(_) => {
                fetched = true;
                break;
            }
            Err(e) => e.to_string(),
        };
        let pkg = unavailable_locked_package(&err).ok_or(err)?;
        eprintln!("registry index lacks {pkg}: cargo update -p {pkg}");
        util::run(cargo().args(["update", "-p", &pkg]).current_dir(&work))?;
    }
    if !fetched {
        bail!("cargo fetch of wasm-bindgen-cli {version} still fails after 8 updates");
    }
    util::run(cargo().args(["install", "--locked", "--force", "--path"]).arg(&work))?;
    let _ = fs::remove_dir_all(&work);
    Ok(())
}

/// `name@version` from cargo's "failed to select a version for the requirement
/// `name = "^x"` (locked to version)" error.
fn unavailable_locked_package(err: &str) -> Option<String> {
    let name = err.split("requirement `").nth(1)?.split(" =").next()?;
    let version = err.split("(locked to ").nth(1)?.split(')').next()?;
    Some(format!("{name}@{version}"))
}

/// The failed `cargo install` has downloaded the crate; find it unpacked, or unpack it.
fn crate_source(name: &str, version: &str) -> Result<PathBuf> {
    let registry = cargo_home().join("registry");
    let dir_name = format!("{name}-{version}");
    for index in fs::read_dir(registry.join("src")).into_iter().flatten().flatten() {
        let dir = index.path().join(&dir_name);
        if dir.join("Cargo.toml").is_file() {
            return Ok(dir);
        }
    }
    for index in fs::read_dir(registry.join("cache")).into_iter().flatten().flatten() {
        let archive = index.path().join(format!("{dir_name}.crate"));
        if archive.is_file() {
            let out = env::temp_dir().join(format!("xinan-src-{}", std::process::id()));
            fs::create_dir_all(&out)?;
            util::run(Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(&out))?;
            return Ok(out.join(dir_name));
        }
    }
    bail!("{dir_name} was not downloaded into {}", registry.display())
}

/// Where npm's binaryen and the schemathesis venv go: /opt/wasm-tools as root (shared
/// with the toolchain notes' setup.sh), else the user's cache; XINAN_TOOLS_DIR overrides.
fn tools_dir() -> PathBuf {
    if let Some(dir) = util::env_nonempty("XINAN_TOOLS_DIR") {
        return dir.into();
    }
    if util::is_root() {
        return "/opt/wasm-tools".into();
    }
    env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| home().join(".cache")).join("xinan-tools")
}

/// Our npm copy first, then any wasm-opt on PATH that is new enough (a laptop's
/// binaryen); Debian's 108 in /usr/bin fails the version check.
fn find_wasm_opt() -> Option<(PathBuf, String)> {
    let ours = tools_dir().join("node_modules").join(".bin").join("wasm-opt");
    [Some(ours), util::which("wasm-opt")].into_iter().flatten().find_map(|bin| {
        let version = util::version_of(&bin, "--version")?;
        // "wasm-opt version 132 (version_132)"
        let major: u32 = version.split_whitespace().nth(2)?.parse().ok()?;
        (major >= MIN_WASM_OPT).then_some((bin, version))
    })
}

fn install_wasm_opt() -> Result {
    let dir = tools_dir();
    util::heading(&format!("npm install {BINARYEN_NPM} into {}", dir.display()));
    if util::which("npm").is_none() {
        bail!("npm is needed to install wasm-opt ({BINARYEN_NPM}); install Node.js with npm");
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        fs::write(&manifest, "{\"name\":\"wasm-tools\",\"private\":true}\n")?;
    }
    util::run(Command::new("npm").args(["install", "--no-audit", "--no-fund", BINARYEN_NPM]).current_dir(&dir))
}

/// A venv of its own, named by version: no other Python package can break it, pip needs
/// no `--user` or `--break-system-packages`, and a new pin gets a new venv.
fn schemathesis_venv() -> PathBuf {
    tools_dir().join(format!("schemathesis-{SCHEMATHESIS_VERSION}-aiosmtpd-{AIOSMTPD_VERSION}"))
}

/// The venv's python, which has aiosmtpd, when the venv is complete.
pub fn test_python() -> Option<PathBuf> {
    let python = schemathesis_venv().join("bin").join("python");
    let has = Command::new(&python)
        .args(["-c", "import aiosmtpd, schemathesis"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    has.then_some(python)
}

/// SCHEMATHESIS as given, else our venv's or PATH's if it is the pinned version.
fn find_schemathesis() -> Option<PathBuf> {
    if let Some(path) = util::env_nonempty("SCHEMATHESIS") {
        return Some(path.into());
    }
    let pinned = format!("schemathesis, version {SCHEMATHESIS_VERSION}");
    [Some(schemathesis_venv().join("bin").join("schemathesis")), util::which("schemathesis")]
        .into_iter()
        .flatten()
        .find(|bin| util::version_of(bin, "--version").is_some_and(|v| v == pinned))
}

fn install_schemathesis() -> Result {
    let venv = schemathesis_venv();
    util::heading(&format!("pip install schemathesis=={SCHEMATHESIS_VERSION} into {}", venv.display()));
    let have_apt = util::which("apt-get").is_some();
    if util::which("python3").is_none() {
        if !have_apt {
            // As for Chromium: the rest of setup is still useful; `test` fails on it.
            eprintln!("warning: no python3 on PATH: install Python 3.11 or newer for schemathesis");
            return Ok(());
        }
        apt_install(&["python3", "python3-venv"])?;
    }
    fs::create_dir_all(&venv).map_err(|e| format!("cannot create {}: {e}", venv.display()))?;
    // --clear: a venv left half-made by an interrupted run starts over.
    let make_venv = || util::run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv));
    if make_venv().is_err() {
        // Debian's python3 has no ensurepip without python3-venv.
        if !have_apt {
            bail!("`python3 -m venv` failed: install the venv module of your python3");
        }
        apt_install(&["python3-venv"])?;
        make_venv()?;
    }
    util::run(
        Command::new(venv.join("bin").join("python"))
            .args(["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--quiet"])
            .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
            .arg(format!("aiosmtpd=={AIOSMTPD_VERSION}")),
    )
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = util::env_nonempty("CHROMIUM") {
        return Some(path.into());
    }
    CHROMIUM_NAMES.iter().find_map(|name| util::which(name))
}

fn find_chromedriver() -> Option<PathBuf> {
    match util::env_nonempty("CHROMEDRIVER") {
        Some(path) => Some(path.into()),
        None => util::which("chromedriver"),
    }
}

fn print_summary(ws: &Workspace, tools: &Tools) {
    let version = |bin: &Path| util::version_of(bin, "--version").unwrap_or_else(|| "?".into());
    let rust = match tools.rust {
        WasmRust::Rustup => {
            format!("rustup ({}) with the wasm32 target", util::version_of("rustc", "--version").unwrap_or_default())
        }
        WasmRust::Debian => format!("Debian {} + build-std", version(Path::new("/usr/bin/rustc"))),
    };
    let optional = |bin: &Option<PathBuf>| match bin {
        Some(b) => format!("{} ({})", version(b), b.display()),
        None => "NOT FOUND".into(),
    };
    let node = util::version_of("node", "--version").unwrap_or_else(|| "none".into());
    let npm = util::version_of("npm", "--version").unwrap_or_else(|| "none".into());
    util::heading("tools");
    eprintln!("wasm Rust:      {rust}");
    eprintln!(
        "host cargo:     {}",
        util::capture(ws.cargo().arg("--version")).map(|v| v.trim().to_owned()).unwrap_or_default()
    );
    eprintln!(
        "wasm-bindgen:   {} ({}, {})",
        tools.wasm_bindgen_version,
        tools.wasm_bindgen.display(),
        tools.test_runner.display()
    );
    eprintln!("wasm-opt:       {} ({})", tools.wasm_opt_version, tools.wasm_opt.display());
    eprintln!("chromium:       {}", optional(&tools.chromium));
    eprintln!("chromedriver:   {}", optional(&tools.chromedriver));
    eprintln!("node / npm:     {node} / {npm}");
    eprintln!("brotli:         {}", optional(&tools.brotli));
    eprintln!("schemathesis:   {}", optional(&tools.schemathesis));
}
