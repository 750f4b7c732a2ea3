//! Where the workspace and its target dir are, and how to call cargo for the host and
//! for wasm32 without the environment that `cargo run` gave xtask leaking into the
//! nested builds (it would change fingerprints or pick the wrong rustc).

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Which Rust builds the wasm32 crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmRust {
    /// rustup with the `wasm32-unknown-unknown` target installed: the usual laptop.
    Rustup,
    /// Debian's `rustc-web` in /usr/bin, building std from source: for machines whose
    /// rustup cannot add targets (offline, as on the project's CI machine).
    Debian,
}

impl WasmRust {
    /// `XINAN_WASM_RUST=rustup|debian` forces a choice, e.g. to try the Debian path on
    /// a laptop; otherwise rustup wins when it already has the target.
    pub fn detect() -> Result<Self> {
        match util::env_nonempty("XINAN_WASM_RUST").as_deref() {
            Some("rustup") => return Ok(WasmRust::Rustup),
            Some("debian") => return Ok(WasmRust::Debian),
            Some(other) => bail!("XINAN_WASM_RUST={other}: expected `rustup` or `debian`"),
            None => {}
        }
        if util::which("rustup").is_some() {
            let installed =
                util::capture(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
            if installed.lines().any(|l| l.trim() == WASM_TARGET) {
                return Ok(WasmRust::Rustup);
            }
        }
        Ok(WasmRust::Debian)
    }
}

/// Variables `cargo run` sets for the program it runs. Passed on, they would reach
/// build scripts and `option_env!` of every crate the nested cargo compiles.
const CARGO_RUN_VARS: &[&str] = &[
    "CARGO",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_RUSTC_CURRENT_DIR",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

pub struct Workspace {
    pub root: PathBuf,
    /// Absolute, so nested commands agree on it whatever their working directory.
    pub target_dir: PathBuf,
    /// The cargo that started xtask, so host builds use the same toolchain.
    cargo: OsString,
    /// LD_LIBRARY_PATH without the entries `cargo run` prepended (our target dir and
    /// the toolchain's lib dirs); `None` when nothing else is left.
    library_path: Option<OsString>,
}

impl Workspace {
    pub fn locate() -> Result<Self> {
        let root = match env::var_os("CARGO_MANIFEST_DIR") {
            // Under `cargo xtask` this is .../xtask; its parent is the workspace.
            Some(dir) => {
                PathBuf::from(dir).parent().map(Path::to_path_buf).ok_or("CARGO_MANIFEST_DIR has no parent")?
            }
            None => find_root(&env::current_dir()?)?,
        };
        if !root.join("xtask").is_dir() || !root.join("Cargo.toml").is_file() {
            bail!("{} does not look like the Xin'an workspace (no Cargo.toml + xtask/)", root.display());
        }
        let target_dir = match env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            // cargo resolves a relative CARGO_TARGET_DIR against its working directory,
            // which `cargo run` passed on to us.
            Some(dir) => env::current_dir()?.join(dir),
            None => root.join("target"),
        };
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let library_path = clean_library_path(env::var_os("LD_LIBRARY_PATH"), &target_dir, Path::new(&cargo));
        Ok(Workspace { root, target_dir, cargo, library_path })
    }

    pub fn dist_dir(&self) -> PathBuf {
        self.root.join("app").join("dist")
    }

    /// Directory for files xtask generates (webdriver.json), inside the target dir so
    /// it is never committed and survives between CI runs.
    pub fn scratch_dir(&self) -> Result<PathBuf> {
        let dir = self.target_dir.join("xtask");
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(dir)
    }

    /// Any program, run from the workspace root with the `cargo run` variables removed.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.root);
        for (key, _) in env::vars_os() {
            let key_str = key.to_string_lossy();
            if key_str.starts_with("CARGO_PKG_") || CARGO_RUN_VARS.contains(&&*key_str) {
                cmd.env_remove(&key);
            }
        }
        match &self.library_path {
            Some(path) => cmd.env("LD_LIBRARY_PATH", path),
            None => cmd.env_remove("LD_LIBRARY_PATH"),
        };
        cmd
    }

    /// Host cargo (the one that ran xtask), for fmt/clippy/tests/server builds.
    pub fn cargo(&self) -> Command {
        let mut cmd = self.command(&self.cargo);
        cmd.env("CARGO_TARGET_DIR", &self.target_dir);
        cmd
    }

    /// Debian's cargo + rustc 1.96 from /usr/bin. `/usr/bin` goes first in PATH and
    /// RUSTC is explicit because otherwise it would find rustup's rustc (no wasm std).
    /// RUSTC_BOOTSTRAP lets the stable Debian toolchain accept `-Z build-std`.
    pub fn debian_cargo(&self) -> Command {
        let mut cmd = self.command("/usr/bin/cargo");
        let path = env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![PathBuf::from("/usr/bin")];
        dirs.extend(env::split_paths(&path));
        cmd.env("PATH", env::join_paths(dirs).unwrap_or(path))
            .env("RUSTC", "/usr/bin/rustc")
            .env("RUSTDOC", "/usr/bin/rustdoc")
            .env("RUSTC_BOOTSTRAP", "1")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTUP_TOOLCHAIN_SOURCE")
            .env("CARGO_TARGET_DIR", &self.target_dir);
        cmd
    }

    /// `cargo <subcommand> --target wasm32-unknown-unknown [...]` with the flags the
    /// chosen toolchain needs; the caller appends package and profile.
    pub fn wasm_cargo(&self, rust: WasmRust, subcommand: &str) -> Command {
        let mut cmd = match rust {
            WasmRust::Rustup => self.cargo(),
            WasmRust::Debian => self.debian_cargo(),
        };
        cmd.arg(subcommand).args(["--target", WASM_TARGET]);
        if rust == WasmRust::Debian {
            cmd.args(["-Z", "build-std=std,panic_abort"]);
        }
        cmd
    }
}

/// Walks up to the directory whose Cargo.toml declares the workspace, for when the
/// xtask binary is run directly instead of through `cargo xtask`.
fn find_root(start: &Path) -> Result<PathBuf> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace]")) {
            return Ok(dir.to_path_buf());
        }
    }
    bail!("no workspace Cargo.toml above {}", start.display())
}

fn clean_library_path(current: Option<OsString>, target_dir: &Path, cargo: &Path) -> Option<OsString> {
    let current = current?;
    // `<sysroot>/bin/cargo` → `<sysroot>`; cargo adds `<sysroot>/lib[/rustlib/...]`.
    let sysroot = cargo.parent().filter(|bin| bin.ends_with("bin")).and_then(Path::parent).map(|s| s.join("lib"));
    let kept: Vec<PathBuf> = env::split_paths(&current)
        .filter(|p| !p.starts_with(target_dir))
        .filter(|p| sysroot.as_ref().is_none_or(|s| !p.starts_with(s)))
        .collect();
    if kept.is_empty() {
        None
    } else {
        env::join_paths(kept).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_what_cargo_run_added_to_the_library_path() {
        let toolchain = "/h/.rustup/toolchains/stable";
        let added = format!("/w/target/debug:/w/target/debug/deps:{toolchain}/lib/rustlib/x86_64/lib:{toolchain}/lib");
        let cargo = format!("{toolchain}/bin/cargo");
        let clean = |value: String| clean_library_path(Some(value.into()), Path::new("/w/target"), Path::new(&cargo));
        assert_eq!(clean(added.clone()), None);
        assert_eq!(clean(format!("{added}:/opt/lib")), Some("/opt/lib".into()));
    }
}
