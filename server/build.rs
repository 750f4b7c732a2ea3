//! Embeds the built browser app into the binary when `XINAN_EMBED_DIST` names its
//! directory (`cargo xtask dist` sets it), so a release binary serves from anywhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-env-changed=XINAN_EMBED_DIST");
    let mut code =
        String::from("/// Files of the embedded app by URL path.\npub static EMBEDDED: &[(&str, &[u8])] = &[\n");
    if let Some(dir) = env::var_os("XINAN_EMBED_DIST").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("index.html").is_file(),
            "XINAN_EMBED_DIST={} has no index.html: build the app first",
            dir.display()
        );
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        walk(&dir, &mut files);
        files.sort();
        for file in files {
            let absolute = fs::canonicalize(&file).expect("canonical path");
            let url = format!("/{}", file.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/"));
            println!("cargo:rerun-if-changed={}", absolute.display());
            writeln!(code, "    ({url:?}, include_bytes!({:?})),", absolute.display().to_string()).unwrap();
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("embedded_assets.rs");
    fs::write(out, code).expect("write embedded_assets.rs");
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read dist dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
