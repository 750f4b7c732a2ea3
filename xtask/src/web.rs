//! The browser app: wasm build → wasm-bindgen → wasm-opt → app/dist with precompressed
//! copies, and the page-weight budget.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::Tools;
use crate::toolchain::{WasmRust, Workspace, WASM_TARGET};
use crate::util::{self, Result};

/// Compressed bytes (gzip -9) the first page load may transfer: decimal, 185,000.
pub const BUDGET_BYTES: u64 = 185_000;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `wasm-release` (opt-level z, fat LTO) + wasm-opt -Oz: what is shipped.
    Release,
    /// Cargo's dev profile, no wasm-opt, name section kept for readable panics:
    /// quick rebuilds while working on the UI.
    Dev,
}

pub fn build_app(ws: &Workspace, tools: &Tools, profile: Profile) -> Result {
    let (cargo_profile, out_dir) = match profile {
        Profile::Release => ("wasm-release", "wasm-release"),
        Profile::Dev => ("dev", "debug"),
    };
    let mut build = ws.wasm_cargo(tools.rust, "build");
    build.args(["-p", "app", "--profile", cargo_profile]);
    if profile == Profile::Release && tools.rust == WasmRust::Debian {
        // std is rebuilt from source on this path anyway, so it can drop the panic
        // machinery and source locations: about 17 KB gzip of a 185 KB budget.
        // (Not -Zfmt-debug=none: user-visible messages use `{:?}`.)
        build.env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
        );
    }
    util::run(&mut build)?;
    let wasm = ws.target_dir.join(WASM_TARGET).join(out_dir).join("app.wasm");
    if !wasm.is_file() {
        bail!("{} was not produced (is `app` a cdylib named `app`?)", wasm.display());
    }

    let dist = ws.dist_dir();
    // Start empty so files deleted from app/static do not linger in what is served.
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("cannot remove {}: {e}", dist.display()))?;
    }
    let pkg = dist.join("pkg");
    fs::create_dir_all(&pkg)?;

    let mut bindgen = Command::new(&tools.wasm_bindgen);
    bindgen.args(["--target", "web", "--no-typescript"]);
    if profile == Profile::Release {
        bindgen.args(["--remove-name-section", "--remove-producers-section"]);
    }
    bindgen.arg("--out-dir").arg(&pkg).args(["--out-name", "app"]).arg(&wasm);
    util::run(&mut bindgen)?;

    if profile == Profile::Release {
        let out = pkg.join("app_bg.wasm");
        util::run(Command::new(&tools.wasm_opt).arg("-Oz").arg("-o").arg(&out).arg(&out))?;
    }

    let app = ws.root.join("app");
    let index = app.join("index.html");
    if !index.is_file() {
        bail!("{} is missing", index.display());
    }
    util::copy_file(&index, &dist.join("index.html"))?;
    let style = app.join("style.css");
    if style.is_file() {
        util::copy_file(&style, &dist.join("style.css"))?;
    }
    let statics = app.join("static");
    if statics.is_dir() {
        util::copy_dir_all(&statics, &dist)?;
    }

    // brotli -q 11 takes seconds on a multi-megabyte debug wasm; gzip is enough there.
    let brotli = tools.brotli.as_deref().filter(|_| profile == Profile::Release);
    precompress(&dist, brotli)?;
    eprintln!("app built into {}", dist.display());
    Ok(())
}

/// `.gz` and `.br` next to each text/wasm asset: the server's ServeDir serves them
/// as-is when the browser accepts the encoding, so nothing is compressed per request.
fn precompress(dist: &Path, brotli: Option<&Path>) -> Result {
    let assets: Vec<PathBuf> =
        util::files_under(dist)?.into_iter().filter(|f| matches!(extension(f), "js" | "wasm" | "css")).collect();
    for file in &assets {
        // -n: no name/mtime in the header, so rebuilding identical input gives identical bytes.
        util::capture(Command::new("gzip").args(["-9", "-n", "-k", "-f"]).arg(file))?;
        if let Some(brotli) = brotli {
            util::capture(Command::new(brotli).args(["-q", "11", "-k", "-f"]).arg(file))?;
        }
    }
    eprintln!(
        "precompressed {} files (gzip{})",
        assets.len(),
        if brotli.is_some() { " + brotli" } else { "; brotli not installed" }
    );
    Ok(())
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// Gzip -9 size of everything the first page load fetches in app/dist, against
/// [`BUDGET_BYTES`]; `check` turns OVER into an error.
pub fn size(ws: &Workspace, check: bool) -> Result {
    let dist = ws.dist_dir();
    if !dist.join("index.html").is_file() {
        bail!("{} has no index.html: run `cargo xtask build-app` first", dist.display());
    }
    let files = page_files(&dist)?;
    let mut total = 0;
    println!("{:<28} {:>10} {:>10} {:>10}", "file (app/dist)", "raw", "gzip -9", "brotli");
    for file in &files {
        let raw = fs::metadata(file)?.len();
        let gz = gzip_size(file)?;
        let br = fs::metadata(with_suffix(file, ".br")).map(|m| thousands(m.len())).unwrap_or_else(|_| "-".into());
        total += gz;
        let name = file.strip_prefix(&dist).unwrap_or(file).display().to_string();
        println!("{name:<28} {:>10} {:>10} {br:>10}", thousands(raw), thousands(gz));
    }
    let verdict = if total <= BUDGET_BYTES { "PASS" } else { "OVER" };
    println!(
        "{:<28} {:>10} {:>10}   budget {} bytes (gzip -9): {verdict}",
        "total",
        "",
        thousands(total),
        thousands(BUDGET_BYTES)
    );
    if check && total > BUDGET_BYTES {
        bail!("page weight {} bytes is over the {} byte budget", thousands(total), thousands(BUDGET_BYTES));
    }
    Ok(())
}

/// index.html itself, what it references (src/href), the wasm-bindgen output it imports
/// (app.js, app_bg.wasm, snippets/) and the top-level stylesheets.
fn page_files(dist: &Path) -> Result<Vec<PathBuf>> {
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index)?;
    let mut files = vec![index];
    for reference in html_references(&html) {
        let path = dist.join(reference);
        if path.is_file() {
            files.push(path);
        } else {
            eprintln!("warning: index.html refers to {reference}, which is not in app/dist");
        }
    }
    files.push(dist.join("pkg").join("app.js"));
    files.push(dist.join("pkg").join("app_bg.wasm"));
    let snippets = dist.join("pkg").join("snippets");
    if snippets.is_dir() {
        files.extend(util::files_under(&snippets)?.into_iter().filter(|f| extension(f) == "js"));
    }
    for entry in fs::read_dir(dist)? {
        let path = entry?.path();
        if path.is_file() && extension(&path) == "css" {
            files.push(path);
        }
    }
    for file in &files {
        if !file.is_file() {
            bail!("{} is missing: run `cargo xtask build-app`", file.display());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Local paths in `src="…"`/`href="…"` attributes, relative to the dist dir.
fn html_references(html: &str) -> Vec<&str> {
    let mut refs = Vec::new();
    for attr in ["src=", "href="] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else {
                break;
            };
            let value = &rest[1..1 + end];
            let value = value.split(['?', '#']).next().unwrap_or("");
            // "https://…", "//host/…", "data:…", "mailto:…" are not ours to weigh.
            let external = value.starts_with("//") || value.contains(':');
            let local = value.trim_start_matches("./").trim_start_matches('/');
            if !external && !local.is_empty() {
                refs.push(local);
            }
        }
    }
    refs
}

fn gzip_size(file: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        bail!("gzip -9 -c {} failed: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout.len() as u64)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let lead = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        short => short,
    };
    let mut out = digits[..lead].to_owned();
    for group in digits.as_bytes()[lead..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_local_references_only() {
        let html = r##"<link rel="modulepreload" href="/pkg/app.js"><link href='style.css?v=2'>
            <link rel="icon" href="https://example.org/x.png"><a href="#top"></a><img src="./img/a.svg">"##;
        let mut refs = html_references(html);
        refs.sort();
        assert_eq!(refs, ["img/a.svg", "pkg/app.js", "style.css"]);
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(185_000), "185,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
