//! `cargo xtask run` (local demo) and `cargo xtask dist` (one self-contained binary).

use std::path::PathBuf;

use crate::setup;
use crate::toolchain::Workspace;
use crate::util::{self, Result};
use crate::web::{self, Profile};

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Builds everything, seeds the demo campaign and serves the app from app/dist (not
/// embedded, so `build-app` in another terminal plus a browser reload is enough).
/// `serve_args` go to `xinan serve`; DATABASE_URL reaches both `demo` and `serve`.
/// Both run in the workspace root, so the default SQLite file is always the same one.
pub fn run(ws: &Workspace, profile: Profile, serve_args: &[String]) -> Result {
    let tools = setup::setup(ws)?;
    web::build_app(ws, &tools, profile)?;
    util::run(ws.cargo().args(["build", "-p", "server"]))?;
    let bin = server_binary(ws, "debug")?;
    let dist = ws.dist_dir();

    util::run(ws.command(&bin).arg("demo").env("XINAN_DIST", &dist))?;

    let from_env = util::env_nonempty("XINAN_LISTEN");
    let listen = listen_address(serve_args).or(from_env.as_deref()).unwrap_or(DEFAULT_LISTEN);
    println!("\nRespondents: http://{listen}/c/DEMO   Staff: http://{listen}/staff");
    println!(
        "First admin: {} users create --email you@example.org --role platform-admin --password-stdin\n",
        bin.display()
    );
    let mut serve = ws.command(&bin);
    serve.arg("serve").args(serve_args).env("XINAN_DIST", &dist);
    // A local demo has no mail relay: show invitation links to the inviter instead.
    let has_mail =
        serve_args.iter().any(|a| a.starts_with("--smtp-url")) || util::env_nonempty("XINAN_SMTP_URL").is_some();
    if !has_mail {
        println!("No --smtp-url: invitation links are shown to the admin who invites (--invitation-links).");
        serve.arg("--invitation-links");
    }
    eprintln!("$ {}", util::show(&serve));
    // exec: Ctrl-C then reaches the server directly and no xtask process lingers.
    use std::os::unix::process::CommandExt as _;
    let err = serve.exec();
    bail!("cannot start {}: {err}", bin.display())
}

/// `--listen ADDR` or `--listen=ADDR` among the arguments for `serve`.
fn listen_address(args: &[String]) -> Option<&str> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--listen" {
            return iter.next().map(String::as_str);
        }
        if let Some(addr) = arg.strip_prefix("--listen=") {
            return Some(addr);
        }
    }
    None
}

/// Release server with the release app embedded (the server's build.rs reads
/// XINAN_EMBED_DIST), printed as a path so scripts can pick it up.
pub fn dist(ws: &Workspace) -> Result {
    let tools = setup::setup(ws)?;
    web::build_app(ws, &tools, Profile::Release)?;
    util::run(ws.cargo().args(["build", "--release", "-p", "server"]).env("XINAN_EMBED_DIST", ws.dist_dir()))?;
    let bin = server_binary(ws, "release")?;
    println!("{}", bin.display());
    Ok(())
}

fn server_binary(ws: &Workspace, profile_dir: &str) -> Result<PathBuf> {
    let bin = ws.target_dir.join(profile_dir).join("xinan");
    if !bin.is_file() {
        bail!("{} was not built (does `server` define the `xinan` binary?)", bin.display());
    }
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_listen_address_in_both_forms() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(listen_address(&args(&["--listen", "0.0.0.0:9000"])), Some("0.0.0.0:9000"));
        assert_eq!(listen_address(&args(&["--listen=[::1]:80"])), Some("[::1]:80"));
        assert_eq!(listen_address(&args(&["--database-url", "x"])), None);
    }
}
