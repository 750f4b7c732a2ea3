//! The browser apps: wasm build → wasm-bindgen → wasm-opt → app/dist with precompressed
//! copies, and the page-weight budget. One crate, two bundles: the respondent page
//! (`index.html`, `pkg/app.js`) and the staff app (`staff.html`, `pkg/staff.js`).

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

/// The two bundles built from the `app` crate: the respondent page (default features)
/// and the staff app (`--features staff`), each with its page shell.
const BUNDLES: &[Bundle] = &[
    Bundle { features: None, out_name: "app", shell: "index.html" },
    Bundle { features: Some("staff"), out_name: "staff", shell: "staff.html" },
];

struct Bundle {
    /// Cargo features of `app` for this bundle.
    features: Option<&'static str>,
    /// wasm-bindgen's `--out-name`: `pkg/<name>.js` and `pkg/<name>_bg.wasm`.
    out_name: &'static str,
    /// The page shell in `app/`, copied to the dist root.
    shell: &'static str,
}

pub fn build_app(ws: &Workspace, tools: &Tools, profile: Profile) -> Result {
    let dist = ws.dist_dir();
    // Start empty so files deleted from app/static do not linger in what is served.
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("cannot remove {}: {e}", dist.display()))?;
    }
    let pkg = dist.join("pkg");
    fs::create_dir_all(&pkg)?;
    let app = ws.root.join("app");
    for bundle in BUNDLES {
        build_bundle(ws, tools, profile, bundle, &pkg)?;
        let shell = app.join(bundle.shell);
        if !shell.is_file() {
            bail!("{} is missing", shell.display());
        }
        util::copy_file(&shell, &dist.join(bundle.shell))?;
    }

    for style in ["style.css", "staff.css"] {
        let source = app.join(style);
        if source.is_file() {
            let css = fs::read_to_string(&source)?;
            fs::write(dist.join(style), minify_css(&css))?;
        }
    }
    let statics = app.join("static");
    if statics.is_dir() {
        util::copy_dir_all(&statics, &dist)?;
        // The boot scripts without their whole-line comments (the page's weight).
        for script in ["boot.js", "staff-boot.js"] {
            let path = dist.join(script);
            if path.is_file() {
                let js = fs::read_to_string(&path)?;
                fs::write(&path, without_line_comments(&js))?;
            }
        }
    }

    // brotli -q 11 takes seconds on a multi-megabyte debug wasm; gzip is enough there.
    let brotli = tools.brotli.as_deref().filter(|_| profile == Profile::Release);
    precompress(&dist, brotli)?;
    eprintln!("app built into {}", dist.display());
    Ok(())
}

/// cargo build (one feature set), wasm-bindgen into `pkg`, and wasm-opt for release.
/// Both feature sets build the same `app.wasm`, so each is bound before the next build.
fn build_bundle(ws: &Workspace, tools: &Tools, profile: Profile, bundle: &Bundle, pkg: &Path) -> Result {
    let (cargo_profile, out_dir) = match profile {
        Profile::Release => ("wasm-release", "wasm-release"),
        Profile::Dev => ("dev", "debug"),
    };
    let mut build = ws.wasm_cargo(tools.rust, "build");
    build.args(["-p", "app", "--profile", cargo_profile]);
    if let Some(features) = bundle.features {
        build.args(["--features", features]);
    }
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

    let mut bindgen = Command::new(&tools.wasm_bindgen);
    bindgen.args(["--target", "web", "--no-typescript"]);
    if profile == Profile::Release {
        bindgen.args(["--remove-name-section", "--remove-producers-section"]);
    }
    bindgen.arg("--out-dir").arg(pkg).args(["--out-name", bundle.out_name]).arg(&wasm);
    util::run(&mut bindgen)?;

    if profile == Profile::Release {
        let out = pkg.join(format!("{}_bg.wasm", bundle.out_name));
        util::run(Command::new(&tools.wasm_opt).arg("-Oz").arg("-o").arg(&out).arg(&out))?;
    }
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

/// Gzip -9 size of everything the respondent page's first load fetches in app/dist,
/// against [`BUDGET_BYTES`]; `check` turns OVER into an error. The staff app's size
/// is printed too, without a budget (staff use it on ordinary connections).
pub fn size(ws: &Workspace, check: bool) -> Result {
    let dist = ws.dist_dir();
    if !dist.join("index.html").is_file() {
        bail!("{} has no index.html: run `cargo xtask build-app` first", dist.display());
    }
    let total = print_sizes(&dist, &page_files(&dist, "index.html", "app")?, "respondent page (app/dist)")?;
    let verdict = if total <= BUDGET_BYTES { "PASS" } else { "OVER" };
    println!(
        "{:<28} {:>10} {:>10}   budget {} bytes (gzip -9): {verdict}",
        "total",
        "",
        thousands(total),
        thousands(BUDGET_BYTES)
    );
    if dist.join("staff.html").is_file() {
        println!();
        let staff = print_sizes(&dist, &page_files(&dist, "staff.html", "staff")?, "staff app (app/dist)")?;
        println!("{:<28} {:>10} {:>10}   (no budget)", "total", "", thousands(staff));
    }
    if check && total > BUDGET_BYTES {
        bail!("page weight {} bytes is over the {} byte budget", thousands(total), thousands(BUDGET_BYTES));
    }
    Ok(())
}

/// Prints a table of `files` and returns their gzip -9 total.
fn print_sizes(dist: &Path, files: &[PathBuf], title: &str) -> Result<u64> {
    let mut total = 0;
    println!("{title:<28} {:>10} {:>10} {:>10}", "raw", "gzip -9", "brotli");
    for file in files {
        let raw = fs::metadata(file)?.len();
        let gz = gzip_size(file)?;
        let br = fs::metadata(with_suffix(file, ".br")).map(|m| thousands(m.len())).unwrap_or_else(|_| "-".into());
        total += gz;
        let name = file.strip_prefix(dist).unwrap_or(file).display().to_string();
        println!("{name:<28} {:>10} {:>10} {br:>10}", thousands(raw), thousands(gz));
    }
    Ok(total)
}

/// The shell itself, what it references (src/href: boot script, stylesheets), and the
/// wasm-bindgen output it imports (`pkg/<name>.js`, `pkg/<name>_bg.wasm`, snippets/).
/// Other stylesheets in dist (`staff.css`, the server's `slips.css`) are not loaded by
/// the respondent page and do not count against its budget.
fn page_files(dist: &Path, shell: &str, name: &str) -> Result<Vec<PathBuf>> {
    let index = dist.join(shell);
    let html = fs::read_to_string(&index)?;
    let mut files = vec![index];
    for reference in html_references(&html) {
        let path = dist.join(reference);
        if path.is_file() {
            files.push(path);
        } else {
            eprintln!("warning: {shell} refers to {reference}, which is not in app/dist");
        }
    }
    files.push(dist.join("pkg").join(format!("{name}.js")));
    files.push(dist.join("pkg").join(format!("{name}_bg.wasm")));
    let snippets = dist.join("pkg").join("snippets");
    if snippets.is_dir() {
        files.extend(util::files_under(&snippets)?.into_iter().filter(|f| extension(f) == "js"));
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

/// The stylesheet without its comments and layout whitespace: the comments explain
/// the source, and every byte counts against the respondent page's budget. Strings
/// (`content: "…"`) are kept as written.
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                pending_space = true;
            }
            '"' | '\'' => {
                if std::mem::take(&mut pending_space) && !out.is_empty() {
                    out.push(' ');
                }
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => pending_space = true,
            // A space before `:` can matter (`a :hover`), one after never does.
            ':' => {
                if std::mem::take(&mut pending_space) && !out.is_empty() && !out.ends_with(['{', '}', ';', ',', '>']) {
                    out.push(' ');
                }
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
            }
            '{' | '}' | ';' | ',' | '>' => {
                pending_space = false;
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(c);
                // No space after these either.
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
            }
            c => {
                if std::mem::take(&mut pending_space) && !out.is_empty() && !out.ends_with(['{', '}', ';', ',', '>']) {
                    out.push(' ');
                }
                out.push(c);
            }
        }
    }
    out
}

/// A script without the lines that hold only a `//` comment (a `//` elsewhere, as in
/// a string or a regular expression, is left alone).
fn without_line_comments(js: &str) -> String {
    js.lines().filter(|line| !line.trim_start().starts_with("//")).map(|line| format!("{line}\n")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_lose_whole_line_comments_only() {
        let js = "// about\nconst a = '//x'; // kept\n  // indented\nf(/^\\/c\\//);\n";
        assert_eq!(super::without_line_comments(js), "const a = '//x'; // kept\nf(/^\\/c\\//);\n");
    }

    #[test]
    fn css_loses_comments_and_layout_but_not_meaning() {
        let css = "/* a comment */\n.a  >  .b:hover ,\n.c::before {\n  content: \"▸  x\";  color : red; }\n.d .e { margin: 0 auto }\n";
        assert_eq!(super::minify_css(css), ".a>.b:hover,.c::before{content:\"▸  x\";color :red;}.d .e{margin:0 auto}");
    }

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
